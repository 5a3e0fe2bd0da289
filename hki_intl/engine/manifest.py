"""``manifest.json``: what a run read, with what, how long each stage took and what it wrote.

The one module that writes and reads it. The records are typed (dataclasses); they are written
with :func:`dataclasses.asdict` (the keys are the field names, in their order) and read back
with pydantic, which checks every type: a manifest that is not one of ours, is damaged, or comes
from a run that did not finish is no previous run, so nothing of it is reused. Every field has a
default, so the manifest of an older run that lacks a newer field is still read.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from hki_intl import __version__
from hki_intl.config.params import Settings
from hki_intl.engine.fingerprint import code_fingerprint, notebook_fingerprints, sha256_file
from hki_intl.errors import Problem
from hki_intl.messages import to_json

MANIFEST = "manifest.json"
TOOL = "hki_intl"
OK, NOTEBOOK_FAILED = "ok", "notebook failed"
DIRECT_DEPENDENCIES = (
    "papermill",
    "nbconvert",
    "nbformat",
    "ipykernel",
    "ipython",
    "jupyter_client",
    "pandas",
    "python-calamine",
    "openpyxl",
    "altair",
    "vl-convert-python",
    "scrapbook",
    "pandera",
    "weasyprint",
    "PyYAML",
    "pydantic",
)


@dataclass(frozen=True)
class StageRecord:
    """One stage of a run: its key, when it started and ended (UTC, ISO 8601), and whether its
    outputs were reused from the previous run."""

    name: str
    key: str
    start: str = ""
    end: str = ""
    duration_s: float = 0.0
    cached: bool = False

    @classmethod
    def timed(cls, name: str, key: str, start: datetime, end: datetime, cached: bool) -> StageRecord:
        return cls(
            name,
            key,
            start.isoformat(timespec="milliseconds"),
            end.isoformat(timespec="milliseconds"),
            round((end - start).total_seconds(), 3),
            cached,
        )


@dataclass(frozen=True)
class InputFile:
    """One workbook the intake read: its bytes' hash, whether it is in the report, and whether its
    parsed result was reused from the previous run (its bytes, photo files, the code, params and
    settings unchanged) rather than read and checked again."""

    path: str
    sha256: str
    year: int
    accepted: bool | None = None
    organisation: str | None = None
    template_version: str | None = None
    reused: bool = False


@dataclass(frozen=True)
class ReportFile:
    """One report file: its language and format, the key it was made with, its bytes' hash."""

    lang: str
    format: str
    key: str
    sha256: str


@dataclass(frozen=True)
class NotebookRecord:
    """An executed notebook (named by its goal, or the summary): its source notebook and hashes."""

    source_sha256: str
    executed_sha256: str | None = None
    source: str = ""  # notebooks/<source>.ipynb (a goal may run the generic one)


@dataclass(frozen=True)
class ParamsRecord:
    """The params folder, the settings the run used, and each params file's hash."""

    folder: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Environment:
    python: str = ""
    hki_intl: str = ""
    packages: dict[str, str | None] = field(default_factory=dict)
    code_sha256: str = ""


@dataclass(frozen=True)
class Manifest:
    """The whole manifest; ``files`` maps every file of the output (but the manifest) to its sha256."""

    tool: str = TOOL
    version: str = __version__
    status: str = OK
    exit_status: int = 0
    year: int = 0
    languages: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)
    inputs: list[InputFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    params: ParamsRecord = field(default_factory=ParamsRecord)
    environment: Environment = field(default_factory=Environment)
    notebooks: dict[str, NotebookRecord] = field(default_factory=dict)
    stages: list[StageRecord] = field(default_factory=list)
    reports: dict[str, ReportFile] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)

    def stage_key(self, name: str) -> str | None:
        """The key the stage ``name`` had in this run, or None if it had no such stage."""
        return next((stage.key for stage in self.stages if stage.name == name), None)


def write_manifest(folder: Path, manifest: Manifest) -> None:
    """Write ``folder/manifest.json``."""
    text = json.dumps(asdict(manifest), indent=2, ensure_ascii=False, default=to_json) + "\n"  # messages by key
    (folder / MANIFEST).write_text(text, encoding="utf-8")


def read_previous(out_dir: Path) -> Manifest | None:
    """The manifest of the run that made ``out_dir``, or None when there is none, it cannot be
    read, or that run did not finish (only a finished run's outputs are reused)."""
    data = _read_json(out_dir / MANIFEST)
    if not isinstance(data, dict) or data.get("status") != OK:
        return None
    try:
        return _manifest_type().validate_python(data)
    except ValidationError:
        return None


def listed_files(folder: Path) -> list[str] | None:
    """The files a run of this tool (of any status) says it wrote in ``folder``; None when the
    folder's manifest is missing or not ours. Read leniently: a failed run's manifest counts too."""
    data = _read_json(folder / MANIFEST)
    if not isinstance(data, dict) or data.get("tool") != TOOL:
        return None
    files = data.get("files")
    return list(files) if isinstance(files, dict) else []


def file_digests(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` but the manifest, relative, sorted, with its sha256."""
    return {
        p.relative_to(folder).as_posix(): sha256_file(p) for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MANIFEST
    }


def notebook_records(files: dict[str, str], executed: list[tuple[str, str]]) -> dict[str, NotebookRecord]:
    """For each executed notebook (name, source notebook): the source's hash and the executed
    copy's (from ``files``)."""
    sources = notebook_fingerprints()
    return {name: NotebookRecord(sources[source], files.get(f"notebooks/{name}.ipynb"), source) for name, source in executed}


def settings_record(settings: Settings) -> dict[str, Any]:
    """The settings a run used, as the manifest and the intake's key hold them."""
    return {
        "year": settings.year,
        "compare_years": settings.compare_years,
        "report_date": settings.date.isoformat(),
        "template_version": settings.template_version,
        "accepted_template_versions": list(settings.accepted_template_versions),
    }


def params_record(params_dir: Path, settings: Settings) -> ParamsRecord:
    files = {p.name: sha256_file(p) for p in sorted(params_dir.glob("*.yaml"))}
    return ParamsRecord(str(params_dir), settings_record(settings), files)


def environment() -> Environment:
    """Python, this package and its direct dependencies' versions, and the code's hash."""
    packages: dict[str, str | None] = {}
    for name in DIRECT_DEPENDENCIES:
        try:
            packages[name] = version(name)
        except PackageNotFoundError:
            packages[name] = None
    return Environment(sys.version.split()[0], __version__, packages, code_fingerprint())


@cache
def _manifest_type() -> TypeAdapter[Manifest]:
    return TypeAdapter(Manifest)


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
