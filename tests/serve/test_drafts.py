"""The draft report built in the background: a real build of the example that reaches done with
every stage counted and its report served, a failed build that says why in the run's words, the
run's own refusal of a folder it did not make, one build at a time, and report files reached only
inside the draft's folder."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from hki_intl import PARAMS_DIR
from hki_intl.engine.outputs import MANIFEST
from hki_intl.messages import Message
from hki_intl.serve.drafts import DraftBuilder, DraftProgress
from tests.conftest import YEAR, run_cli


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.mark.slow
def test_a_draft_of_the_example_reaches_done_with_every_stage_and_its_report_is_served(tmp_path):
    inputs = tmp_path / "inputs"
    assert run_cli("example", "--out", str(inputs), "--years", str(YEAR)).returncode == 0
    before = digests(inputs / str(YEAR))
    builder = DraftBuilder(inputs, YEAR, PARAMS_DIR)
    assert builder.progress() == DraftProgress("idle")
    assert builder.start("analyst-link")
    assert not builder.start("user:someone")  # one build at a time
    running = builder.progress()
    assert (running.state, running.who, running.total) == ("running", "analyst-link", 8)  # intake, 3 goals, summary, 3 pages
    progress = builder.wait(300)
    assert progress.state == "done", progress
    assert progress.done == progress.total == 8 and progress.message is None
    assert progress.text("en") == "the draft is ready" and progress.text("fi") == "luonnos on valmis"
    page = builder.report_file(f"international-activities-{YEAR}-fi.html")
    assert page == inputs / ".serve" / "drafts" / str(YEAR) / f"international-activities-{YEAR}-fi.html"
    assert page.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
    assert digests(inputs / str(YEAR)) == before  # the workbooks only read
    again = DraftBuilder(inputs, YEAR, PARAMS_DIR).progress()  # after a restart: the draft is there
    assert (again.state, again.done, again.total) == ("done", 8, 8)
    for lang in ("sv", "en"):  # the analyst reads the draft in any of the three languages
        assert builder.report_file(f"international-activities-{YEAR}-{lang}.html") is not None


def test_a_build_without_workbooks_fails_and_says_why_in_the_runs_words(tmp_path):
    inputs = tmp_path / "inputs"
    (inputs / str(YEAR)).mkdir(parents=True)
    builder = DraftBuilder(inputs, YEAR, PARAMS_DIR)
    assert builder.start("analyst-link")
    progress = builder.wait(120)
    assert progress.state == "failed" and progress.done == 0 and progress.finished_at
    why = (
        f"{inputs / str(YEAR)}: ei työkirjoja; tallenna tähän kansioon tiedostot <organisaatiotunnus>.xlsx "
        "1 ongelma löytyi; korjaa se ja aja uudelleen."
    )  # the run's words, in the params' language of messages
    assert progress.message == Message("draft.run_said", said=why)  # the folder the analyst knows, not the links
    assert progress.text("en") == f"the draft could not be built: {why}"
    assert builder.report_file(f"international-activities-{YEAR}-fi.html") is None
    assert builder.start("analyst-link")  # a failed build may be started again
    assert builder.wait(120).state == "failed"


def test_the_run_still_refuses_to_replace_a_folder_it_did_not_make(tmp_path):
    inputs = tmp_path / "inputs"
    (inputs / str(YEAR)).mkdir(parents=True)
    out = inputs / ".serve" / "drafts" / str(YEAR)
    out.mkdir(parents=True)
    (out / "notes.txt").write_text("mine")
    builder = DraftBuilder(inputs, YEAR, PARAMS_DIR)
    builder.start("analyst-link")
    progress = builder.wait(120)
    assert progress.state == "failed"
    assert progress.text("en").startswith(f"the draft could not be built: virhe: {out}: ")  # the run's words (fi)
    assert "manifest.json" in progress.text("en")
    assert (out / "notes.txt").read_text() == "mine"


@pytest.fixture
def finished(tmp_path) -> DraftBuilder:
    """A finished draft as the run leaves it (a manifest, the pages, a data folder), and files
    around it that no name may reach."""
    inputs = tmp_path / "inputs"
    (inputs / str(YEAR)).mkdir(parents=True)
    (inputs / str(YEAR) / "education.xlsx").write_bytes(b"the workbook")
    out = inputs / ".serve" / "drafts" / str(YEAR)
    (out / "data").mkdir(parents=True)
    (out / MANIFEST).write_text("{}")
    (out / "report.html").write_text("<!doctype html>")
    (out / "data" / "datapackage.json").write_text("{}")
    (out / ".hidden").write_text("x")
    (tmp_path / "secret.txt").write_text("secret")
    os.symlink(tmp_path / "secret.txt", out / "link.txt")
    os.symlink(inputs / str(YEAR), out / "linked")
    return DraftBuilder(inputs, YEAR, PARAMS_DIR)


@pytest.mark.parametrize("name", ["report.html", "data/datapackage.json", MANIFEST])
def test_a_file_of_the_finished_draft_is_served(finished, name):
    assert finished.report_file(name) == finished.out / name


@pytest.mark.parametrize(
    "name",
    [
        "",
        ".",
        "..",
        "../2025/education.xlsx",
        "../../secret.txt",
        "data/../../2025/education.xlsx",
        "data/../report.html",
        "/etc/passwd",
        str(Path("/etc/passwd")),
        "..\\..\\secret.txt",
        "report.html\x00.png",
        "data//datapackage.json",
        ".hidden",
        "link.txt",
        "linked/education.xlsx",
        "data",
        "missing.html",
    ],
)
def test_no_other_name_reaches_the_disk(finished, name):
    assert finished.report_file(name) is None


def test_nothing_is_served_before_a_draft_is_finished(finished):
    (finished.out / MANIFEST).unlink()
    assert finished.report_file("report.html") is None
