"""Content hashes that key the run's stages: a stage is reused only when every byte it reads
is the same as last time (inputs, params, notebooks, the package's code, the pinned
dependencies)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from hki_intl import EXPLORE_NOTEBOOK, NOTEBOOKS_DIR, PROJECT_ROOT

PACKAGE_DIR = Path(__file__).resolve().parent.parent
# Not part of any report stage: the example generator makes inputs (their bytes key the stages
# themselves), so editing demo data must not invalidate every cached report; the analyst's lab
# (make lab, the explore notebook's tables) only reads a finished report.
NOT_RUN_CODE = ("example.py", "example_analyst.py", "lab.py", "report/explore.py")
REQUIREMENTS = PROJECT_ROOT / "requirements.txt"


def sha256_file(path: Path) -> str:
    """The sha256 of a file's bytes, read in blocks (a workbook may be 50 MB)."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def sha256_files(paths: Iterable[Path], root: Path) -> str:
    """One hash over files' relative names and contents (order-independent)."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + sha256_file(path).encode() + b"\n")
    return digest.hexdigest()


def combine(**parts: object) -> str:
    """A key from named parts (strings, numbers, lists, dicts), stable across runs."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def folder_digest(folder: Path, pattern: str) -> str:
    """One hash over the files of ``folder`` that match ``pattern``: their names and contents."""
    return combine(**{p.name: sha256_file(p) for p in sorted(Path(folder).glob(pattern))})


@cache
def code_fingerprint() -> str:
    """The package's code, templates and data, and the pinned dependency list."""
    files = [
        p
        for p in PACKAGE_DIR.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.relative_to(PACKAGE_DIR).as_posix() not in NOT_RUN_CODE
    ]
    return combine(package=sha256_files(files, PACKAGE_DIR), requirements=sha256_file(REQUIREMENTS))


def params_fingerprint(params_dir: Path) -> str:
    return sha256_files([p for p in Path(params_dir).glob("*.yaml")], Path(params_dir))


def notebook_fingerprints() -> dict[str, str]:
    """The report's notebooks by name, with their hashes (the analyst's explore notebook is not one)."""
    return {p.stem: sha256_file(p) for p in sorted(NOTEBOOKS_DIR.glob("*.ipynb")) if p != EXPLORE_NOTEBOOK}
