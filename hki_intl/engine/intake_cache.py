"""The intake's cache: each workbook's parsed result, kept in the run's output and reused by the
workbook's content hash, so that with one workbook changed only that one is read and checked.

``OUT/cache/intake/workbooks/<key>.json``
    one workbook's result (:mod:`hki_intl.intake.stored`: data only, never pickle), and how each
    photo file its highlights name resolved beside it (the file and its hash, or the refusal).
    The key hashes the code, the params and the settings (:func:`context`), the workbook's path
    and year and its bytes.
``OUT/cache/intake/photos/<key>.jpg``
    one cleaned photo; the key hashes the code and the photo's bytes as they came (pasted or a
    file), so a changed workbook with the same photo does not clean it again.

An entry is trusted only when its bytes are the ones the previous run's manifest recorded, and a
workbook's entry only when the photo files it names resolve as they did. Anything else — a
missing, changed, damaged or foreign entry — is a miss: the workbook is read and checked again.
``--force`` reads everything. The entries the run uses or writes go into its build folder, so
the swap keeps them and drops those of workbooks that are gone.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hki_intl import messages
from hki_intl.config.params import Settings, Strategy
from hki_intl.engine.fingerprint import code_fingerprint, combine, params_fingerprint, sha256_file
from hki_intl.engine.manifest import settings_record
from hki_intl.errors import Problem
from hki_intl.intake import stored
from hki_intl.intake.photos import Photo, PhotoRefused, clean_photo, photo_file
from hki_intl.intake.read import Submission, read_submission

CACHE = "cache/intake"  # relative to the output folder (and to the build folder)
MISSES = (OSError, ValueError, KeyError, TypeError, stored.NotStorable)  # what a damaged or foreign entry raises


def context(params_dir: Path, settings: Settings) -> str:
    """What every parsed result depends on besides its workbook: the code, the params, the settings."""
    return combine(
        code=code_fingerprint(), params=params_fingerprint(params_dir), settings=settings_record(settings), format=stored.FORMAT
    )


@dataclass
class IntakeCache:
    """Reads a workbook through the cache (:meth:`read`, for
    :func:`~hki_intl.intake.read.load_submissions`): reused from ``out_dir`` when its entry is
    trusted (``previous_files``: the previous manifest's files; empty reuses nothing), else read
    and stored in ``build``. :attr:`reused` names the workbooks whose result was reused."""

    out_dir: Path
    build: Path
    previous_files: dict[str, str]
    context: str
    hashes: dict[str, str] = field(default_factory=dict)  # workbook path → its sha256, when known
    reused: set[str] = field(default_factory=set)
    _photo_keys: dict[bytes, str] = field(default_factory=dict)  # a cleaned JPEG → its entry's key

    def read(self, path: Path, year: int, strategy: Strategy, settings: Settings) -> tuple[Submission | None, list[Problem]]:
        digest = self.hashes.get(str(path)) or sha256_file(path)
        relative = f"{CACHE}/workbooks/{combine(context=self.context, path=str(path), year=year, sha256=digest)}.json"
        found = self._reuse(relative, path)
        if found is not None:
            self.reused.add(str(path))
            return found
        submission, problems = read_submission(path, year, strategy, settings, self.clean)
        self._store(relative, path, submission, problems)
        return submission, problems

    def clean(self, data: bytes) -> Photo:
        """:func:`~hki_intl.intake.photos.clean_photo`, reused by the photo's bytes when it can be;
        a refusal is not kept (it is found again)."""
        key = combine(context=self.context, photo=hashlib.sha256(data).hexdigest())
        try:
            photo = self._photo(key)
        except MISSES:
            photo = clean_photo(data)
            self._write(f"{CACHE}/photos/{key}.jpg", photo.jpeg)
        self._photo_keys[photo.jpeg] = key
        return photo

    def _reuse(self, relative: str, path: Path) -> tuple[Submission | None, list[Problem]] | None:
        data = self._trusted(relative)
        if data is None:
            return None
        try:
            entry = json.loads(data)
            if entry["photo_files"] != _photo_files(path.parent, entry["photo_files"]):
                return None
            found = stored.decode(entry["result"], path, self._photo)
        except MISSES:
            return None
        self._write(relative, data)
        return found

    def _photo(self, key: str) -> Photo:
        """The cleaned photo of entry ``key``, if trusted (carried into the build); else KeyError."""
        relative = f"{CACHE}/photos/{key}.jpg"
        jpeg = self._trusted(relative)
        if jpeg is None:
            raise KeyError(key)
        from PIL import Image

        try:
            with Image.open(io.BytesIO(jpeg), formats=["JPEG"]) as image:  # the header only
                width, height = image.size
        except Exception as exc:  # a file that is not the JPEG it was: a miss
            raise ValueError(f"not a cleaned photo: {relative}") from exc
        self._write(relative, jpeg)
        return Photo(jpeg, width, height)

    def _store(self, relative: str, path: Path, submission: Submission | None, problems: list[Problem]) -> None:
        try:
            result = stored.encode(submission, problems, lambda photo: self._photo_keys[photo.jpeg])
        except (stored.NotStorable, KeyError):
            return  # read again next time
        names = [[str(r["photo"]), ""] for r in (submission.tables.get("highlights", []) if submission else []) if r.get("photo")]
        entry = {"photo_files": _photo_files(path.parent, names), "result": result}
        self._write(relative, json.dumps(entry, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode())

    def _trusted(self, relative: str) -> bytes | None:
        """The bytes of ``out_dir/relative`` if the previous manifest recorded exactly them."""
        expected = self.previous_files.get(relative)
        if expected is None:
            return None
        try:
            data = (self.out_dir / relative).read_bytes()
        except OSError:
            return None
        return data if hashlib.sha256(data).hexdigest() == expected else None

    def _write(self, relative: str, data: bytes) -> None:
        target = self.build / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def _photo_files(folder: Path, names: Any) -> list[list[str]]:
    """For each photo file name a workbook's highlights write: ``[name, how it resolves]`` — the
    file found beside the workbook and its hash, or why it is refused (the message lists the photo
    files there). The same answer means the same photo step."""
    if not isinstance(names, list):
        raise stored.NotStorable("a stored list of photo files expected")
    return [[str(name), _resolved(folder, str(name))] for name, _ in names]


def _resolved(folder: Path, name: str) -> str:
    try:
        path = photo_file(folder, name)
        return f"file {path.name} {sha256_file(path)}"
    except PhotoRefused as exc:
        return f"refused {json.dumps(messages.encode(exc.message), sort_keys=True)}"  # the same in every language
    except OSError as exc:
        return f"unreadable {exc.strerror}"
