"""The intake's per-workbook cache: a workbook whose bytes (and photo files) are unchanged has its
parsed result reused, exactly; anything not as the previous manifest recorded it is read again."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from hki_intl import PARAMS_DIR
from hki_intl.engine.intake_cache import CACHE, IntakeCache, context
from hki_intl.engine.manifest import file_digests
from hki_intl.intake.read import IntakeResult, load_submissions
from hki_intl.intake.tables import TABLES
from tests.conftest import run_cli

YEAR = 2025


@pytest.fixture
def inputs(inputs_copy):
    return inputs_copy


def intake(inputs: Path, out: Path, previous: dict[str, str], strategy, settings) -> tuple[IntakeResult, IntakeCache]:
    """The intake through the cache into a fresh build, then put in place of ``out`` (as a run does)."""
    build = out.parent / f".{out.name}.building"
    cache = IntakeCache(out, build, previous, context(PARAMS_DIR, settings))
    result = load_submissions(inputs, [YEAR], strategy, settings, cache.read)
    shutil.rmtree(out, ignore_errors=True)
    build.rename(out)
    return result, cache


def same(a: IntakeResult, b: IntakeResult) -> None:
    assert (a.problems, a.warnings, a.rejected) == (b.problems, b.warnings, b.rejected)
    assert [s.__dict__ for s in a.submissions] == [s.__dict__ for s in b.submissions]
    for first, second in zip(a.submissions, b.submissions, strict=True):
        for table, records in first.tables.items():
            for one, other in zip(records, second.tables[table], strict=True):
                assert list(one.items()) == list(other.items())
                assert [type(v) for v in one.values()] == [type(v) for v in other.values()]


@pytest.fixture
def settings(settings):
    return settings.with_overrides(year=YEAR)


def test_an_unchanged_workbook_is_reused_exactly(inputs, tmp_path, strategy, settings):
    out = tmp_path / "out"
    first, cache = intake(inputs, out, {}, strategy, settings)
    assert not cache.reused
    assert any(s.photos for s in first.submissions)  # the example's highlights have photos
    again, cache = intake(inputs, out, file_digests(out), strategy, settings)
    assert cache.reused == {str(p) for p in (inputs / str(YEAR)).glob("*.xlsx")}
    same(first, again)
    fresh = load_submissions(inputs, [YEAR], strategy, settings)
    same(fresh, again)


def test_only_the_changed_workbook_is_read_again(inputs, tmp_path, strategy, settings):
    out = tmp_path / "out"
    intake(inputs, out, {}, strategy, settings)
    workbook = inputs / str(YEAR) / "education.xlsx"
    book = openpyxl.load_workbook(workbook)
    book["Toiminnot"]["A2"] = "Muutettu otsikko"
    book.save(workbook)
    result, cache = intake(inputs, out, file_digests(out), strategy, settings)
    assert str(workbook) not in cache.reused
    assert len(cache.reused) == len(list((inputs / str(YEAR)).glob("*.xlsx"))) - 1
    same(result, load_submissions(inputs, [YEAR], strategy, settings))


def test_a_changed_photo_file_reads_its_workbook_again(inputs, tmp_path, strategy, settings):
    out = tmp_path / "out"
    intake(inputs, out, {}, strategy, settings)
    photo = sorted((inputs / str(YEAR)).glob("*.jpg"))[0]
    owner = inputs / str(YEAR) / f"{photo.name.split('-nosto')[0]}.xlsx"
    photo.write_bytes(b"not a photo")
    result, cache = intake(inputs, out, file_digests(out), strategy, settings)
    assert str(owner) not in cache.reused and len(cache.reused) > 1
    assert any("photo" in p.text() and p.file == str(owner) for p in result.problems)
    same(result, load_submissions(inputs, [YEAR], strategy, settings))


def test_an_entry_not_as_the_manifest_recorded_it_is_a_miss(inputs, tmp_path, strategy, settings):
    out = tmp_path / "out"
    intake(inputs, out, {}, strategy, settings)
    recorded = file_digests(out)
    entries = sorted((out / CACHE / "workbooks").glob("*.json"))
    damaged, foreign, unlisted = entries[:3]
    damaged.write_bytes(damaged.read_bytes()[:-10])  # cut short after the run
    foreign.write_text(json.dumps({"photo_files": [], "result": {"format": 99}}))  # recorded, but not ours
    recorded[foreign.relative_to(out).as_posix()] = file_digests(out)[foreign.relative_to(out).as_posix()]
    del recorded[unlisted.relative_to(out).as_posix()]
    result, cache = intake(inputs, out, recorded, strategy, settings)
    assert len(cache.reused) == len(entries) - 3
    same(result, load_submissions(inputs, [YEAR], strategy, settings))


def test_nothing_is_reused_without_the_previous_manifest(inputs, tmp_path, strategy, settings):
    out = tmp_path / "out"
    intake(inputs, out, {}, strategy, settings)
    _, cache = intake(inputs, out, {}, strategy, settings)  # --force, or no previous run
    assert not cache.reused


@pytest.mark.slow
def test_a_run_reads_again_only_the_changed_workbook(tmp_path):
    """Through the real CLI: one workbook changed → only it is read (the manifest's ``reused``),
    and the data are those of a forced run."""
    inputs, out, forced = tmp_path / "inputs", tmp_path / "report", tmp_path / "forced"
    assert run_cli("example", "--out", str(inputs), "--years", "2024-2025").returncode == 0

    def run(target: Path, *extra: str) -> dict:
        done = run_cli("run", "--year", str(YEAR), "--inputs", str(inputs), "--out", str(target), "--format", "html", *extra)
        assert done.returncode == 0, done.stderr
        return json.loads((target / "manifest.json").read_text(encoding="utf-8"))

    first = run(out)
    assert first["inputs"] and not any(i["reused"] for i in first["inputs"])
    workbook = inputs / str(YEAR) / "education.xlsx"
    book = openpyxl.load_workbook(workbook)
    book["Toiminnot"]["A2"] = "Muutettu otsikko testissä"
    book.save(workbook)
    second = run(out)
    reused = {i["path"]: i["reused"] for i in second["inputs"]}
    assert reused.pop(str(workbook)) is False
    assert reused and all(reused.values())
    assert "Muutettu otsikko testissä" in (out / TABLES / "activities.csv").read_text(encoding="utf-8")
    assert not any(i["reused"] for i in run(forced, "--force")["inputs"])
    written = ("data", TABLES)  # the open data and the complete tables
    data = sorted(p.relative_to(out).as_posix() for f in written for p in (out / f).rglob("*") if p.is_file())
    assert data == sorted(p.relative_to(forced).as_posix() for f in written for p in (forced / f).rglob("*") if p.is_file())
    for name in data:
        assert (out / name).read_bytes() == (forced / name).read_bytes(), name
    third = run(out)  # nothing changed: the whole intake stage is reused, and says so
    assert all(i["reused"] for i in third["inputs"])
