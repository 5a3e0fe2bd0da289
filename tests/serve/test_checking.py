"""Checking one upload for the submission page: the same problems and cells as ``validate``
through the real command line, the same annotated copy as ``validate --feedback``, the bounds in
size and time (a real timeout, a killed worker), problems by sheet in three languages, the JSON
round trip and the changes between two versions."""

from __future__ import annotations

import io
import os
import shutil
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from hki_intl import PARAMS_DIR
from hki_intl.errors import WARNING, Problem, collapse
from hki_intl.intake.read import read_submission
from hki_intl.messages import Message, Words
from hki_intl.serve.checking import (
    MAX_UPLOAD_BYTES,
    Checked,
    Checker,
    SheetGroup,
    ShownProblem,
    grouped,
    problems_from_json,
    problems_to_json,
    rows_from_json,
    version_changes,
)
from hki_intl.workbook.schema import SHEETS
from tests.conftest import YEAR, run_cli
from tests.workbook.test_hostile import bomb, parts, rezip, with_doctype

ORG = "education"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    """The example's workbooks and photos of the year, through the real command line."""
    root = tmp_path_factory.mktemp("check") / "inputs"
    made = run_cli("example", "--out", str(root), "--years", str(YEAR))
    assert made.returncode == 0, made.stderr
    return root


@pytest.fixture(scope="module")
def checker(inputs):
    with Checker(PARAMS_DIR, YEAR, workers=2, inputs_dir=inputs) as checker:
        yield checker


def broken(data: bytes) -> bytes:
    """The workbook with an unknown code, an impossible date and a note in a column without a header."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    wb["Toiminnot"]["B2"] = "Seminaari"
    wb["Toiminnot"]["J3"] = "31.2.2025"
    wb["Vierailut"]["Z5"] = "oma muistiinpano"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_clean_example_workbook_has_no_problems_and_its_rows_per_sheet(checker, inputs, strategy, settings):
    path = inputs / str(YEAR) / f"{ORG}.xlsx"
    checked = checker.check(path.read_bytes(), ORG)
    submission, _ = read_submission(path, YEAR, strategy, settings)
    assert (checked.problems, checked.errors, checked.warnings, checked.annotated) == ([], 0, 0, None)
    assert checked.organisation_read == ORG
    assert checked.rows == {s.name: len(submission.tables[s.table]) for s in SHEETS}
    assert sum(checked.rows.values()) == submission.rows > 0


def test_the_same_problems_and_cells_as_validate_and_the_same_annotated_copy_as_feedback(checker, inputs, tmp_path):
    data = broken((inputs / str(YEAR) / f"{ORG}.xlsx").read_bytes())
    checked = checker.check(data, ORG)
    # the analyst's way: the workbook in the inputs folder with its photo, validate --feedback (the other
    # organisations' photos would be warnings about their files, which a check leaves out)
    folder = tmp_path / "inputs" / str(YEAR)
    folder.mkdir(parents=True)
    for photo in (inputs / str(YEAR)).glob(f"{ORG}-*.jpg"):
        shutil.copy(photo, folder)
    (folder / f"{ORG}.xlsx").write_bytes(data)
    ran = run_cli("validate", "--year", str(YEAR), "--inputs", str(tmp_path / "inputs"), "--feedback", str(tmp_path / "fb"))
    assert ran.returncode == 1
    printed = ran.stderr.splitlines()
    assert printed[-1] == "2 errors and 1 warning found; fix the errors and run again."
    assert [f"{folder / ORG}{str(p).removeprefix(ORG)}" for p in checked.problems] == printed[:-1]
    assert (checked.errors, checked.warnings) == (2, 1)
    assert {p.cell for p in checked.problems} == {"B2", "J3", "Z5"}
    assert checked.annotated == (tmp_path / "fb" / str(YEAR) / f"{ORG}.xlsx").read_bytes()


def test_a_formula_copied_down_is_one_problem_as_validate_prints_it_and_every_cell_is_marked(checker, inputs):
    wb = openpyxl.load_workbook(inputs / str(YEAR) / f"{ORG}.xlsx")
    first = wb["Toiminnot"].max_row + 1
    for row in range(first, first + 8):
        wb["Toiminnot"][f"K{row}"] = "=1/0"
    out = io.BytesIO()
    wb.save(out)
    checked = checker.check(out.getvalue(), ORG)
    assert [p.cell for p in checked.problems] == [f"K{first}:K{first + 7}"]
    annotated = openpyxl.load_workbook(io.BytesIO(checked.annotated))
    assert all(annotated["Toiminnot"][f"K{row}"].comment is not None for row in range(first, first + 8))


def test_a_workbook_of_another_organisation_is_one_problem_saying_what_to_do(checker, inputs):
    other = "cityexec_economic"
    checked = checker.check((inputs / str(YEAR) / f"{other}.xlsx").read_bytes(), ORG)
    assert checked.organisation_read == other and checked.errors == 1
    [problem] = checked.problems
    assert (problem.file, problem.sheet, problem.cell) == (f"{ORG}.xlsx", "Perustiedot", "C1")
    assert problem.text("en") == (
        "the workbook is the template of City Executive Office, Economic Development ('cityexec_economic'), but it was "
        "uploaded on the page of Education Division; upload it on that organisation's page, or fill in your own "
        "organisation's template"
    )
    assert problem.text("fi").startswith("työkirja on organisaation Kaupunginkanslia, elinkeino-osasto ('cityexec_economic')")


def hostile(inputs: Path, tmp_path: Path, make) -> Path:
    path = tmp_path / "hostile" / str(YEAR) / f"{ORG}.xlsx"
    path.parent.mkdir(parents=True)
    shutil.copy(inputs / str(YEAR) / f"{ORG}.xlsx", path)
    return make(path)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda p: bomb(p, 30), id="zip bomb"),
        pytest.param(lambda p: rezip(p, {"xl/styles.xml": with_doctype(parts(p)["xl/styles.xml"])}), id="entity expansion"),
        pytest.param(lambda p: (p.write_bytes(b"%PDF-1.7 a pdf"), p)[1], id="a pdf"),
        pytest.param(lambda p: (p.write_bytes(b""), p)[1], id="empty"),
    ],
)
def test_a_hostile_file_is_refused_with_the_intakes_one_problem(checker, inputs, tmp_path, strategy, settings, make):
    path = hostile(inputs, tmp_path, make)
    checked = checker.check(path.read_bytes(), ORG)
    _, expected = read_submission(path, YEAR, strategy, settings)
    assert len(expected) == 1 and checked.problems == [Problem(f"{ORG}.xlsx", **_without_file(expected[0]))]
    assert (checked.errors, checked.organisation_read, checked.rows, checked.annotated) == (1, None, {}, None)


def _without_file(problem: Problem) -> dict:
    return {name: getattr(problem, name) for name in ("sheet", "row", "column", "cell", "message", "severity")}


def test_too_big_is_refused_before_anything(checker):
    started = time.monotonic()
    checked = checker.check(b"PK" + bytes(MAX_UPLOAD_BYTES), ORG)
    assert time.monotonic() - started < 1
    assert [str(p) for p in checked.problems] == [
        f"{ORG}.xlsx: the file is 10.0 MB and the page accepts at most 10.0 MB; make the workbook smaller "
        "(e.g. with smaller pictures) and upload it again"
    ]
    assert checked.problems[0].text("fi").startswith("tiedosto on 10,0 Mt, ja sivu ottaa vastaan enintään 10,0 Mt")


def test_an_organisation_the_checker_does_not_know_is_a_mistake_of_the_caller(checker):
    with pytest.raises(ValueError, match=r"unknown organisation '\.\./education'"):
        checker.check(b"", "../education")


def test_a_check_past_its_time_is_stopped_its_worker_replaced_and_said_once(inputs):
    data = (inputs / str(YEAR) / f"{ORG}.xlsx").read_bytes()
    with Checker(PARAMS_DIR, YEAR, workers=1, inputs_dir=inputs, time_limit=0.02) as checker:
        [worker] = checker._workers
        started = time.monotonic()
        checked = checker.check(data, ORG)
        assert time.monotonic() - started < 5
        assert [p.text("en") for p in checked.problems] == [
            "checking the workbook took over 0.0 s and was stopped; make sure it has no extra rows or columns, "
            "then upload it again or ask the analyst"
        ]
        assert checked.errors == 1 and checked.organisation_read is None
        assert not worker.process.is_alive()  # killed, and a new one in its place
        checker.time_limit = 30.0
        assert checker.check(data, ORG).problems == []


def test_a_worker_that_dies_does_not_hang_the_caller(inputs):
    data = (inputs / str(YEAR) / f"{ORG}.xlsx").read_bytes()
    with Checker(PARAMS_DIR, YEAR, workers=1, inputs_dir=inputs) as checker:
        assert checker.check(data, ORG).problems == []
        [worker] = checker._workers
        os.kill(worker.process.pid, signal.SIGKILL)
        started = time.monotonic()
        checked = checker.check(data, ORG)
        assert time.monotonic() - started < 5
        assert [p.text("en") for p in checked.problems] == [
            "the workbook could not be checked because of an error in the service; upload it again, and tell the "
            "analyst if it happens again"
        ]
        assert checker.check(data, ORG).problems == []  # the next upload is checked by a new worker


def test_a_closed_checker_stops_its_workers_and_checks_nothing(inputs):
    checker = Checker(PARAMS_DIR, YEAR, workers=2)
    workers = list(checker._workers)
    checker.close()
    assert not any(w.process.is_alive() for w in workers)
    with pytest.raises(RuntimeError, match="closed"):
        checker.check(b"", ORG)


@pytest.mark.slow
def test_thirty_uploads_at_once_from_thirty_threads_each_get_their_own_result(checker, inputs):
    clean = (inputs / str(YEAR) / f"{ORG}.xlsx").read_bytes()
    bad = broken(clean)
    results: dict[int, Checked] = {}

    def upload(n: int) -> None:
        results[n] = checker.check(bad if n % 2 else clean, ORG)

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(results) == list(range(30))
    assert all((results[n].errors, results[n].warnings) == ((2, 1) if n % 2 else (0, 0)) for n in range(30))


# --- problems for people -------------------------------------------------------------------------


def problem(sheet: str, row: int, col: int, cell: str, severity: str = "error", label: str = "x") -> Problem:
    return Problem(f"{ORG}.xlsx", sheet, row, col, cell, Message("cell.error_value", code="#DIV/0!", column=label), severity)


def test_grouped_by_sheet_in_the_templates_order_the_file_first_then_by_cell():
    made = [
        problem("Omat muistiinpanot", 1, 1, "A1", label="x"),
        problem("Toiminnot", 10, 2, "B10", label="y"),
        problem("Toiminnot", 2, 3, "C2", severity=WARNING, label="z"),
        problem("Perustiedot", 1, 3, "C1", label="w"),
        Problem(f"{ORG}.xlsx", message=Message("photo.unnamed")),
        problem("Nostot", 3, 1, "A3", label="v"),
    ]
    for lang in ("fi", "sv", "en"):
        groups = grouped(made, lang)
        assert [g.sheet for g in groups] == [None, "Perustiedot", "Toiminnot", "Nostot", "Omat muistiinpanot"]
        toiminnot = groups[2]
        assert toiminnot == SheetGroup(
            "Toiminnot", [ShownProblem("C2", WARNING, made[2].text(lang)), ShownProblem("B10", "error", made[1].text(lang))]
        )
        assert groups[0].problems == [ShownProblem(None, "error", made[4].text(lang))]
    assert grouped(made, "sv")[1].problems[0].text != grouped(made, "en")[1].problems[0].text


def test_grouped_collapses_as_validate_prints():
    many = [problem("Toiminnot", row, 11, f"K{row}", label="x") for row in range(2, 12)]
    [group] = grouped(many, "en")
    assert [p.cell for p in group.problems] == ["K2:K11"]
    assert group.problems[0].text == collapse(many)[0].text("en")


def test_problems_and_rows_round_trip_through_json_losslessly():
    made = [
        Problem(f"{ORG}.xlsx", "Toiminnot", 2, 2, "B2", Message("cell.error_value", code="#N/A", column=Words("a", "b", "c"))),
        Problem(
            f"{ORG}.xlsx",
            "Vierailut",
            5,
            26,
            "Z5:Z9",
            Message("problem.cells_alike", count=5, first="Z5", message=Message("photo.unnamed")),
            WARNING,
        ),
        Problem(f"{ORG}.xlsx", message="a text made before messages had keys"),
    ]
    text = problems_to_json(made, {"Toiminnot": 3, "Nostot": 0})
    assert problems_from_json(text) == made
    assert rows_from_json(text) == {"Toiminnot": 3, "Nostot": 0}
    assert problems_to_json(problems_from_json(text), rows_from_json(text)) == text
    assert rows_from_json(problems_to_json(made)) == {}
    for wrong in ("[]", '{"format": 1}', '{"format": 1, "intake": {"format": 2, "problems": [{"file": 1}]}}'):
        with pytest.raises(ValueError):
            problems_from_json(wrong)


@dataclass(frozen=True)
class Stored:
    number: int
    problems_json: str


def test_the_changes_between_two_versions_name_each_problem_resolved_and_new_and_the_rows(checker, inputs):
    clean = (inputs / str(YEAR) / f"{ORG}.xlsx").read_bytes()
    wb = openpyxl.load_workbook(io.BytesIO(clean))
    wb["Toiminnot"].delete_rows(wb["Toiminnot"].max_row)
    wb["Vierailut"]["Z5"] = "oma muistiinpano"
    out = io.BytesIO()
    wb.save(out)
    first, second = checker.check(broken(clean), ORG), checker.check(out.getvalue(), ORG)
    lines = version_changes(Stored(1, first.to_json()), Stored(2, second.to_json()), "en")
    b2, j3 = (p for p in first.problems if p.cell in ("B2", "J3"))
    assert lines == [
        "Version 2 compared with version 1:",
        "errors 2 → 0, warnings 1 → 1",
        f"resolved: Toiminnot!B2: {b2.text('en')}",
        f"resolved: Toiminnot!J3: {j3.text('en')}",
        f"Toiminnot: rows {first.rows['Toiminnot']} → {first.rows['Toiminnot'] - 1}",
    ]
    assert version_changes(Stored(2, second.to_json()), Stored(3, second.to_json()), "fi") == [
        "Versio 3 verrattuna versioon 2:",
        "virheitä 0 → 0, varoituksia 1 → 1",
        "ei muutoksia ongelmissa eikä rivimäärissä",
    ]
    back = version_changes(Stored(2, second.to_json()), Stored(3, first.to_json()), "sv")
    assert f"nytt: Toiminnot!B2: {b2.text('sv')}" in back


def test_last_years_workbook_is_one_problem_saying_to_fill_in_this_years_template(checker, strategy):
    """The intake's advice (move the file to the other year's folder) is the analyst's; the
    contributor on the page is told to fill in this year's template."""
    from hki_intl.workbook.excel import workbook_bytes
    from hki_intl.workbook.template import build_workbook

    checked = checker.check(workbook_bytes(build_workbook(strategy, ORG, YEAR - 1, "fi")), ORG)
    assert checked.errors == 1
    [problem] = checked.problems
    assert problem.text("en") == (
        f"the workbook is the template of {YEAR - 1}, but this page collects the data of {YEAR}; download the {YEAR} "
        "template from this page and fill it in (you can copy the rows from the old workbook)"
    )
    assert problem.text("sv").startswith(f"arbetsboken är mallen för {YEAR - 1}")


def test_a_checker_runs_whatever_main_module_its_host_has(inputs, monkeypatch):
    """IPython (a notebook, or a test process after one ran in it) leaves a main module without a
    spec, and a script read from standard input one that cannot be imported: the workers never
    import it, so checks work the same."""

    class DummyMod:  # what IPython puts there: no __spec__, no __file__
        pass

    monkeypatch.setitem(sys.modules, "__main__", DummyMod())
    with Checker(PARAMS_DIR, YEAR, workers=1, inputs_dir=inputs) as checker:
        checked = checker.check((inputs / str(YEAR) / f"{ORG}.xlsx").read_bytes(), ORG)
    assert (checked.errors, checked.warnings, checked.organisation_read) == (0, 0, ORG)
    assert isinstance(sys.modules["__main__"], DummyMod)  # put back as it was


def test_a_missing_photo_file_names_no_other_organisations_photos(checker, inputs):
    """The intake lists the photo files beside the workbook; on the page those are the other
    organisations' (linked from the inputs folder), so the page says what to do instead."""
    wb = openpyxl.load_workbook(io.BytesIO((inputs / str(YEAR) / f"{ORG}.xlsx").read_bytes()))
    named = [c for row in wb["Nostot"].iter_rows() for c in row if isinstance(c.value, str) and c.value.endswith(".jpg")]
    named[0].value = "puuttuva.jpg"
    out = io.BytesIO()
    wb.save(out)
    checked = checker.check(out.getvalue(), ORG)
    [problem] = [p for p in checked.problems if "puuttuva.jpg" in p.text("en")]
    assert problem.text("en") == (
        "the photo file 'puuttuva.jpg': it has not been sent; paste the photo into the workbook on the highlight's row "
        "(Insert > Picture), or empty the photo file's name and send the photo to the analyst"
    )
    others = [p.name for p in (inputs / str(YEAR)).glob("*.jpg") if not p.name.startswith(ORG)]
    assert others and not any(name in problem.text(lang) for name in others for lang in ("fi", "sv", "en"))
