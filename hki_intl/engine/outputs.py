"""The output folder of ``run``: what it may replace, and finding out before any work that it
can be written.

A run replaces ``OUT`` wholesale (it builds beside it and swaps), and a failed run replaces
``OUT.failed``. Replacing a folder deletes everything in it, so a run replaces only a folder
that an earlier run made (its ``manifest.json`` says ``"tool": "hki_intl"``) and that holds
nothing but what that manifest lists. Everything else — a file, someone's own folder, the
inputs, the params, the project — is refused with one line before the intake starts, so a
wrong ``--out`` costs nothing and deletes nothing.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hki_intl import PROJECT_ROOT
from hki_intl.engine.manifest import MANIFEST, listed_files
from hki_intl.errors import UsageError, cannot_write
from hki_intl.messages import Message

PROBE = ".hki_intl-probe"
ADVICE = Message("out.advice")
# Errors that mean "this place cannot take the output" (others, such as a missing file, are
# bugs and stay exit 4). A write() that fills the disk names no file, so those count anyway.
NO_ROOM = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG}
CANNOT_WRITE = NO_ROOM | {errno.EACCES, errno.EPERM, errno.ENOTDIR}


def failed_folder(out_dir: Path) -> Path:
    """Where a failed run keeps its executed notebooks: ``OUT.failed`` beside ``OUT``."""
    return out_dir.parent / f"{out_dir.name}.failed"


def check_out(out_dir: Path, inputs: Path, params_dir: Path) -> None:
    """Refuse an ``--out`` whose replacement would delete something that is not ours: a file,
    a folder with the inputs, the params or the project in it or around it, someone's own
    folder, or our folder with someone's files added. Only reads; raises :class:`UsageError`."""
    if _is_within(PROJECT_ROOT, out_dir):  # first: a folder that holds the project may hold the inputs too
        raise UsageError(Message("out.holds_project", out=str(out_dir), project=str(PROJECT_ROOT)))
    _not_around(out_dir, Path(inputs), Message("out.inputs_folder"), Message("out.the_workbooks"))
    _not_around(out_dir, Path(params_dir), Message("out.params_folder"), Message("out.the_params"))
    check_ours(out_dir)
    check_ours(failed_folder(out_dir), failed=True)


def check_ours(folder: Path, failed: bool = False) -> None:
    """Refuse unless ``folder`` is missing, empty, or made by a run and holding only what its
    manifest lists (``failed``: the executed notebooks a failed run kept, and its manifest)."""
    if not os.path.lexists(folder):
        return
    if folder.is_symlink() or not folder.is_dir():
        key = "out.a_link" if folder.is_symlink() else "out.a_file"
        raise UsageError(Message(key, folder=str(folder), fix=_what_to_do(failed)))
    if not any(folder.iterdir()):
        return  # an empty folder: replacing it loses nothing
    files = listed_files(folder)
    if files is None:
        why = Message("out.foreign_manifest") if (folder / MANIFEST).exists() else Message("out.no_manifest")
        raise UsageError(Message("out.not_ours", folder=str(folder), why=why, fix=_what_to_do(failed)))
    listed = _listed(files, failed)
    # Jupyter's checkpoints are carried over by a run (not by a failed run, which keeps only notebooks).
    strangers = [name for name in _files(folder) if name not in listed and (failed or not is_checkpoint(name))]
    if strangers:
        shown: Message | str = ", ".join(strangers[:2])
        if len(strangers) > 2:
            shown = Message("out.files_and_more", files=", ".join(strangers[:2]), more=len(strangers) - 2)
        key = "out.strangers_failed" if failed else "out.strangers"
        raise UsageError(Message(key, folder=str(folder), files=shown))


CHECKPOINTS = ".ipynb_checkpoints"  # Jupyter's copies, made when an analyst opens OUT/notebooks/*.ipynb


def is_checkpoint(relative: str) -> bool:
    """Whether a path inside the output is Jupyter's: an analyst who opened an executed notebook
    in place (as the README suggests) must not be refused the next run; the copies are carried over."""
    return CHECKPOINTS in Path(relative).parts


def carry_over_checkpoints(out_dir: Path, build: Path) -> None:
    """Copy Jupyter's checkpoint folders of ``out_dir`` into ``build``, where they were: they
    may hold an analyst's edits, and replacing ``out_dir`` must not delete them."""
    if not out_dir.is_dir():
        return
    for folder in sorted(out_dir.rglob(CHECKPOINTS)):
        if folder.is_dir() and not folder.is_symlink():
            shutil.copytree(folder, build / folder.relative_to(out_dir), symlinks=True, dirs_exist_ok=True)


def prepare_build(build: Path, out_dir: Path) -> None:
    """Create the build folder (and the output's parents) and write and remove a small file in
    it: a place that cannot take the output is found now, before the intake and any notebook."""
    try:
        build.mkdir(parents=True)
        probe = build / PROBE
        probe.write_bytes(b"can the report be written here?\n")
        probe.unlink()
    except OSError as error:
        raise cannot_write(out_dir, error, "--out") from None


@contextmanager
def writing(out_dir: Path, *places: Path) -> Iterator[None]:
    """Turn an OSError while writing the output (a full disk, a read-only or vanished folder)
    into the one-line usage error; errors about other files (the inputs) pass unchanged."""
    try:
        yield
    except OSError as error:
        if not _about(error, [out_dir, *places]):
            raise
        raise cannot_write(out_dir, error, "--out") from None


def _about(error: OSError, places: list[Path]) -> bool:
    """Whether ``error`` says that one of ``places`` cannot be written (or that there is no
    room, which names no file)."""
    names = [os.fsdecode(n) for n in (error.filename, error.filename2) if isinstance(n, str | bytes | os.PathLike)]
    if not names:
        return error.errno in NO_ROOM
    return error.errno in CANNOT_WRITE and any(_is_within(Path(n), place) for n in names for place in places)


def _not_around(out_dir: Path, folder: Path, what: Message, contents: Message) -> None:
    """Refuse ``out_dir`` if it is ``folder``, inside it, or holds it."""
    if _is_within(out_dir, folder) and _is_within(folder, out_dir):
        raise UsageError(Message("out.is", out=str(out_dir), what=what, contents=contents))
    if _is_within(out_dir, folder):
        raise UsageError(Message("out.inside", out=str(out_dir), what=what, folder=str(folder)))
    if _is_within(folder, out_dir):
        raise UsageError(Message("out.holds", out=str(out_dir), what=what, folder=str(folder), contents=contents))


def _is_within(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or inside it, after resolving links and ``..``."""
    return Path(path).resolve().is_relative_to(Path(folder).resolve())


def _files(folder: Path) -> list[str]:
    """Every file under ``folder`` (links and other non-folders count as files; links are not
    followed), relative, sorted."""
    found = []
    for root, dirs, files in os.walk(folder):
        links = [d for d in dirs if os.path.islink(os.path.join(root, d))]
        dirs[:] = sorted(d for d in dirs if d not in links)
        base = Path(root).relative_to(folder)
        found += [(base / name).as_posix() for name in [*files, *links]]
    return sorted(found)


def _listed(files: list[str], failed: bool) -> set[str]:
    """The files a run put in its folder: the manifest and what it lists (``files``); in
    ``OUT.failed``, the manifest and the executed notebooks it lists, copied flat."""
    if failed:
        files = [f.removeprefix("notebooks/") for f in files if f.startswith("notebooks/") and f.endswith(".ipynb")]
    return {MANIFEST, *files}


def _what_to_do(failed: bool) -> Message:
    return Message("out.advice_failed") if failed else ADVICE
