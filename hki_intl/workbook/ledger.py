"""What ``templates``, ``example`` and ``validate --feedback`` wrote into a folder, so they never
overwrite a file that is not theirs.

Those commands write single files into a folder that people also use: they fill in the
templates, fix the example workbooks, keep notes beside the feedback. So each such folder holds
a small ledger, ``DIR/.hki_intl-written.json``: the relative path and the sha256 of every file
the pipeline wrote there. A command first plans every file it will write and refuses the whole
command, before writing anything, when one of them exists and is not in the ledger, or its
bytes are no longer what was written (someone changed it since). Writing again over our own,
unchanged files is fine: that is how a re-run refreshes them.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from hki_intl.engine.fingerprint import sha256_file
from hki_intl.errors import UsageError, cannot_write
from hki_intl.messages import Message
from hki_intl.workbook.excel import write_atomically

LEDGER = ".hki_intl-written.json"
TOOL = "hki_intl"


@dataclass
class Ledger:
    """The files written into ``folder``; ``option`` names it in messages (``--out``)."""

    folder: Path
    option: str
    files: dict[str, str] = field(default_factory=dict)
    readable: bool = True  # False: a ledger file is there but is not one we wrote

    @classmethod
    def open(cls, folder: Path, option: str) -> Ledger:
        """The ledger of ``folder`` (empty when there is none yet)."""
        ledger = cls(Path(folder), option)
        path = ledger.path
        if not os.path.lexists(path):
            return ledger
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            files = data["files"] if isinstance(data, dict) and data.get("tool") == TOOL else None
        except (OSError, ValueError, KeyError):
            files = None
        if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
            ledger.readable = False
        else:
            ledger.files = dict(files)
        return ledger

    @property
    def path(self) -> Path:
        return self.folder / LEDGER

    def check(self, targets: Iterable[Path]) -> None:
        """Refuse the command (nothing written yet) if any target exists and is not ours as we
        wrote it: it is the user's, or the user changed it since."""
        foreign = [t for t in targets if not self._ours(t)]
        if not self.readable:
            foreign.append(self.path)  # saving the ledger would overwrite it
        if foreign:
            raise UsageError(_refusal(foreign, self._changed(foreign[0]), self.option))

    def write(self, target: Path, data: bytes) -> Path:
        """Write ``data`` to ``target`` atomically and record it; a folder that cannot be
        written (full, read-only, not a folder) is the user's to fix (exit 2)."""
        try:
            write_atomically(target, data)
        except OSError as error:
            raise cannot_write(target, error, self.option) from None
        self.files[self._key(target)] = hashlib.sha256(data).hexdigest()
        self.save()
        return target

    def save(self) -> None:
        """Write the ledger itself (atomically: a half-written ledger would disown every file)."""
        text = json.dumps({"tool": TOOL, "files": dict(sorted(self.files.items()))}, indent=2) + "\n"
        try:
            write_atomically(self.path, text.encode("utf-8"))
        except OSError as error:
            raise cannot_write(self.path, error, self.option) from None
        self.readable = True

    def _key(self, target: Path) -> str:
        return Path(target).relative_to(self.folder).as_posix()

    def _ours(self, target: Path) -> bool:
        """Whether writing ``target`` loses nothing: it does not exist, or it is a regular file
        with exactly the bytes we recorded."""
        target = Path(target)
        if not os.path.lexists(target):
            return True
        recorded = self.files.get(self._key(target))
        if recorded is None or target.is_symlink() or not target.is_file():
            return False
        return sha256_file(target) == recorded

    def _changed(self, target: Path) -> bool:
        """Whether ``target`` is one we wrote (and someone changed since), not a stranger."""
        return target != self.path and self._key(target) in self.files


def _refusal(paths: list[Path], changed: bool, option: str) -> Message:
    """One line naming one or two of the files that would be overwritten, and what to do."""
    if len(paths) == 1:
        return Message("ledger.changed" if changed else "ledger.foreign", path=str(paths[0]), option=option)
    if len(paths) > 2:
        listed = Message("ledger.files_and_more", first=str(paths[0]), second=str(paths[1]), more=len(paths) - 2)
    else:
        listed = Message("cli.and", first=str(paths[0]), last=str(paths[1]))
    return Message("ledger.foreign_files", files=listed, option=option)
