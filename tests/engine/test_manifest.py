"""manifest.json: the typed records are written and read back as they were; a manifest that
cannot be used is no previous run; who wrote a folder is read leniently."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from hki_intl.engine.manifest import (
    MANIFEST,
    InputFile,
    Manifest,
    NotebookRecord,
    ReportFile,
    StageRecord,
    listed_files,
    read_previous,
    write_manifest,
)
from hki_intl.errors import Problem


def full_manifest() -> Manifest:
    return Manifest(
        year=2025,
        languages=["fi", "sv"],
        formats=["html"],
        inputs=[
            InputFile("inputs/2025/education.xlsx", "a" * 64, 2025, True, "education", "2025.2"),
            InputFile("inputs/2025/bad.xlsx", "b" * 64, 2025, False),
        ],
        problems=[Problem("inputs/2025/bad.xlsx", "Toiminnot", 5, 2, "B5", "unknown type ('Seminaari')")],
        notebooks={"competence": NotebookRecord("c" * 64, "d" * 64), "summary": NotebookRecord("e" * 64)},
        stages=[StageRecord("intake", "k" * 64, "2026-01-01T00:00:00.000+00:00", "2026-01-01T00:00:01.500+00:00", 1.5, False)],
        reports={"international-activities-2025-fi.html": ReportFile("fi", "html", "r" * 64, "s" * 64)},
        files={"international-activities-2025-fi.html": "s" * 64},
    )


def test_the_manifest_round_trips(tmp_path):
    manifest = full_manifest()
    write_manifest(tmp_path, manifest)
    assert read_previous(tmp_path) == manifest
    data = json.loads((tmp_path / MANIFEST).read_text(encoding="utf-8"))
    assert list(data) == [
        "tool",
        "version",
        "status",
        "exit_status",
        "year",
        "languages",
        "formats",
        "inputs",
        "problems",
        "params",
        "environment",
        "notebooks",
        "stages",
        "reports",
        "files",
    ]
    assert data["tool"] == "hki_intl" and data["status"] == "ok" and data["exit_status"] == 0
    assert data["problems"] == [
        {
            "file": "inputs/2025/bad.xlsx",
            "sheet": "Toiminnot",
            "row": 5,
            "column": 2,
            "cell": "B5",
            "message": "unknown type ('Seminaari')",
            "severity": "error",
        }
    ]
    assert data["stages"][0] == {
        "name": "intake",
        "key": "k" * 64,
        "start": "2026-01-01T00:00:00.000+00:00",
        "end": "2026-01-01T00:00:01.500+00:00",
        "duration_s": 1.5,
        "cached": False,
    }
    assert data["inputs"][1] == {
        "path": "inputs/2025/bad.xlsx",
        "sha256": "b" * 64,
        "year": 2025,
        "accepted": False,
        "organisation": None,
        "template_version": None,
        "reused": False,
    }
    assert listed_files(tmp_path) == ["international-activities-2025-fi.html"]


def test_an_older_manifest_without_newer_fields_is_still_read(tmp_path):
    """Only what a run needs to reuse its stages: the other fields take their defaults."""
    data = {key: value for key, value in asdict(full_manifest()).items() if key in ("tool", "status", "stages", "files")}
    (tmp_path / MANIFEST).write_text(json.dumps(data), encoding="utf-8")
    previous = read_previous(tmp_path)
    assert previous.stage_key("intake") == "k" * 64 and previous.stage_key("notebook summary") is None
    assert (previous.inputs, previous.problems, previous.reports) == ([], [], {})


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"tool": "hki_intl", "status": "notebook failed", "files": {}}',
        '{"tool": "hki_intl", "status": "ok", "stages": [{"key": "no name"}]}',
        '{"tool": "hki_intl", "status": "ok", "files": ["a list"]}',
    ],
    ids=["not json", "not an object", "a failed run", "a stage without a name", "files not a mapping"],
)
def test_a_manifest_that_cannot_be_used_is_no_previous_run(tmp_path, text):
    (tmp_path / MANIFEST).write_text(text, encoding="utf-8")
    assert read_previous(tmp_path) is None


def test_who_wrote_a_folder_is_read_leniently(tmp_path):
    """A failed run's manifest lists its files too; another tool's manifest lists nothing of ours."""
    assert listed_files(tmp_path) is None
    (tmp_path / MANIFEST).write_text('{"tool": "hki_intl", "status": "notebook failed", "files": {"a": "0"}}')
    assert listed_files(tmp_path) == ["a"]
    (tmp_path / MANIFEST).write_text('{"tool": "hki_intl", "files": ["a"]}')
    assert listed_files(tmp_path) == []
    (tmp_path / MANIFEST).write_text('{"tool": "something else", "files": {"a": "0"}}')
    assert listed_files(tmp_path) is None
