"""What changed since the previous draft, through the real command line: a first draft, a re-run
with nothing changed, a workbook replaced (a changed cell, an added row, a finding and a
warning), a workbook removed, both put back; the figures' old and new values are computed here
from the consolidated tables, not by the code under test. Then the page in headless Chromium."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from hki_intl.config.params import load_strategy
from hki_intl.engine.changes import (
    CHANGED,
    FIRST_DRAFT,
    NO_CHANGES,
    Changes,
    FigureChange,
    RunChanges,
    Workbook,
    WorkbookChanges,
    summary_lines,
)
from hki_intl.intake.tables import TABLES
from tests.conftest import YEAR, activity, run_cli
from tests.publish.test_publish import check_in_browser

pytestmark = pytest.mark.slow
EDUCATION, PARTNERS = f"{YEAR}/education.xlsx", f"{YEAR}/helsinki_partners.xlsx"
FIRST_DRAFT_LINE = "first draft: nothing to compare with"
NO_CHANGES_LINE = "no changes: the workbooks, headline figures, problems and findings are as in the previous run"


DONE = ("done in ", "valmis ", "klart på ")  # the line before the changes', in each language


def run(inputs: Path, out: Path, *extra: str, messages: str | None = "en") -> list[str]:
    """``run`` through the CLI (its messages in English unless ``messages`` says otherwise; None:
    the analyst's default); the lines it printed after ``done in …``."""
    done = run_cli(
        "run", "--year", str(YEAR), "--inputs", str(inputs), "--out", str(out), "--format", "html", *extra, messages=messages
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    return lines[next(i for i, line in enumerate(lines) if line.startswith(DONE)) + 1 :]


def changes(out: Path) -> dict:
    return json.loads((out / "changes.json").read_text(encoding="utf-8"))


def activities(out: Path) -> pd.DataFrame:
    frame = pd.read_csv(out / TABLES / "activities.csv")
    return frame[frame["year"] == YEAR]


def expected_figures(before: pd.DataFrame, after: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """The competence goal's headline figures that the changed cells move, computed from the CSVs."""
    eu = set(load_strategy().codes("funding_sources").ids_where("eu"))

    def values(acts: pd.DataFrame) -> dict[str, float]:
        return {
            "competence_activities": float((acts["goal"] == "competence").sum()),
            "external_funding_eur": float(acts["external_funding_eur"].fillna(0).sum()),
            "eu_funding_eur": float(acts.loc[acts["funding_source"].isin(eu), "external_funding_eur"].fillna(0).sum()),
        }

    old, new = values(before), values(after)
    return {key: (old[key], new[key]) for key in old}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("changes")
    assert run_cli("example", "--out", str(root / "inputs"), "--years", "2024-2025").returncode == 0
    return root / "inputs"


def test_each_run_says_what_changed_since_the_previous_draft(inputs, tmp_path):
    out = tmp_path / "report"
    education = inputs / EDUCATION
    original = education.read_bytes()

    # The first run of a folder: nothing to compare with, in the three places.
    assert run(inputs, out) == [FIRST_DRAFT_LINE]
    first = changes(out)
    assert first["version"] == 1 and first["year"] == YEAR
    assert first["status"] == FIRST_DRAFT and first["reason"] == "no report"
    assert first["workbooks"] == {"added": [], "replaced": [], "removed": []} and first["figures"] == []
    page = (out / "changes-fi.html").read_text(encoding="utf-8")
    assert "Ensimmäinen luonnos: ei mitään verrattavaa." in page
    first_bytes = (out / "changes.json").read_bytes(), (out / "changes-fi.html").read_bytes()

    # Nothing changed: "no changes", and the list (a first draft's) stays as it was, byte for byte.
    assert run(inputs, out) == [NO_CHANGES_LINE]
    assert ((out / "changes.json").read_bytes(), (out / "changes-fi.html").read_bytes()) == first_bytes
    same = tmp_path / "same"  # the same report elsewhere: the same two drafts compared below
    shutil.copytree(out, same)
    before = activities(out)

    # One workbook replaced: a funding cell changed, a row added, an owner unit emptied (a
    # finding) and a note beside the table (a warning).
    wb = openpyxl.load_workbook(education)
    sheet = wb["Toiminnot"]
    sheet["L2"] = 500000
    row = next(r for r in range(2, sheet.max_row + 2) if sheet.cell(r, 1).value is None)
    for column in range(1, 16):
        sheet.cell(row, column).value = sheet.cell(2, column).value
    sheet.cell(row, 1).value = "EU-hanke lisätty testissä"
    sheet["T3"] = "oma muistiinpano"
    wb["Verkostot"]["C2"] = None
    wb.save(education)
    lines = run(inputs, out)
    after = activities(out)
    found = changes(out)
    assert found["status"] == CHANGED and found["reason"] is None
    assert found["workbooks"] == {
        "added": [],
        "replaced": [{"workbook": EDUCATION, "year": YEAR, "organisation": "education"}],
        "removed": [],
    }
    expected = expected_figures(before, after)
    assert {f["figure"]: (f["old"], f["new"]) for f in found["figures"]} == expected
    assert all(old != new for old, new in expected.values())
    assert all(f["year"] == YEAR and f["goal"] == "competence" and f["workbooks"] == [EDUCATION] for f in found["figures"])
    assert found["findings"] == {
        "appeared": [
            {"rule": "membership_without_owner", "organisation": "education", "item": "eurocities", "workbook": EDUCATION}
        ],
        "resolved": [],
    }
    [warning] = found["problems"]["appeared"]
    assert (warning["workbook"], warning["sheet"], warning["cell"], warning["severity"]) == (
        EDUCATION,
        "Toiminnot",
        "T3",
        "warning",
    )
    assert "column T has no header" in warning["message"] and found["problems"]["resolved"] == []
    # the figures named and written in the language of the messages; the page is the report's (fi)
    written = {"competence_activities": _count_en, "external_funding_eur": _eur_en, "eu_funding_eur": _eur_en}
    labels = {
        "competence_activities": "Activities growing competence",
        "external_funding_eur": "External funding, all activities",
        "eu_funding_eur": "EU funding, all activities",
    }
    assert lines == [
        f"changes since the previous draft; the list is in {out / 'changes-fi.html'}:",
        f"  workbooks: 1 replaced ({EDUCATION})",
        *(  # in the order of the goal's headlines
            f"  {labels[key]} {YEAR}: {written[key](expected[key][0])} → {written[key](expected[key][1])} (moved by {EDUCATION})"
            for key in labels
        ),
        "  problems in the workbooks: 1 appeared, 0 resolved",
        "  findings: 1 appeared, 0 resolved",
    ]
    page = (out / "changes-fi.html").read_text(encoding="utf-8")
    assert "Korvattu uudella versiolla" in page and "Kasvatuksen ja koulutuksen toimiala" in page
    assert "Verkostojäsenyydet ilman vastuuyksikköä" in page and _eur(expected["external_funding_eur"][1]) in page

    # The page: offline, accessible (axe-core), its language set.
    checked = check_in_browser(out / "changes-fi.html")
    assert checked["requests"] == [] and checked["pageErrors"] == [] and checked["violations"] == []
    assert checked["lang"] == "fi" and checked["headings"] == [1, 2, 2, 2, 2]

    # The same two drafts give the same bytes (--quiet: nothing printed of them).
    assert run(inputs, same, "--quiet") == []
    assert (same / "changes.json").read_bytes() == (out / "changes.json").read_bytes()
    assert (same / "changes-fi.html").read_bytes() == (out / "changes-fi.html").read_bytes()

    # One workbook removed: every figure its organisation counted in moved, by it alone.
    before = activities(out)
    partners = inputs / PARTNERS
    saved = partners.read_bytes()
    partners.unlink()
    try:
        run(inputs, out)
    finally:
        partners.write_bytes(saved)
    found = changes(out)
    assert found["workbooks"]["removed"] == [{"workbook": PARTNERS, "year": YEAR, "organisation": "helsinki_partners"}]
    assert found["workbooks"]["added"] == found["workbooks"]["replaced"] == []
    media = pd.read_csv(same / TABLES / "media.csv")
    media = media[media["year"] == YEAR]
    moved = {f["figure"]: f for f in found["figures"] if f["year"] == YEAR}
    assert moved["media_items"]["old"] == len(media)
    assert moved["media_items"]["new"] == len(media) - (media["organisation"] == "helsinki_partners").sum()
    assert all(f["workbooks"] == [PARTNERS] for f in found["figures"])
    gone = before[before["organisation"] == "helsinki_partners"]
    for goal in ("competence", "recognition", "influence"):
        figure = moved.get(f"{goal}_activities")
        assert (figure is None) == (not (gone["goal"] == goal).any())
    # its photo is now named by no workbook: a warning
    [photo] = found["problems"]["appeared"]
    assert photo["workbook"] == f"{YEAR}/helsinki_partners-nosto1-{YEAR}.jpg" and photo["severity"] == "warning"
    assert "a photo file that no workbook names" in photo["message"]
    assert {"rule": "organisation_did_not_submit", "organisation": "helsinki_partners", "item": "", "workbook": None} in found[
        "findings"
    ]["appeared"]

    # Both put back (--force: every stage runs, and the comparison is made all the same).
    education.write_bytes(original)
    run(inputs, out, "--force")
    found = changes(out)
    assert found["workbooks"]["added"] == [{"workbook": PARTNERS, "year": YEAR, "organisation": "helsinki_partners"}]
    assert found["workbooks"]["replaced"] == [{"workbook": EDUCATION, "year": YEAR, "organisation": "education"}]
    resolved_problems = sorted((p["workbook"], p["cell"]) for p in found["problems"]["resolved"])
    assert resolved_problems == [(EDUCATION, "T3"), (photo["workbook"], "")] and found["problems"]["appeared"] == []
    resolved = {(f["rule"], f["organisation"]) for f in found["findings"]["resolved"]}
    assert resolved == {("membership_without_owner", "education"), ("organisation_did_not_submit", "helsinki_partners")}


def _eur(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u00a0") + "\u00a0€"


def _count(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u00a0")


def _eur_en(value: float) -> str:
    return f"€{value:,.0f}"


def _count_en(value: float) -> str:
    return f"{value:,.0f}"


def test_a_report_changed_after_its_run_is_not_compared(write_workbook, tmp_path):
    inputs, out = write_workbook().parent.parent, tmp_path / "report"
    assert run(inputs, out) == [FIRST_DRAFT_LINE]
    table = out / TABLES / "activities.csv"
    table.write_text(table.read_text(encoding="utf-8").replace("Amsterdam", "Rotterdam"), encoding="utf-8")
    write_workbook({"Toiminnot": [activity(), activity(title="Toinen benchmarking")]})  # the old tables are needed
    assert run(inputs, out) == [f"{FIRST_DRAFT_LINE} (the report it replaces was changed after its run, or cannot be read)"]
    assert changes(out)["status"] == FIRST_DRAFT and changes(out)["reason"] == "unreadable"
    assert "korvattua raporttia oli muutettu sen ajon jälkeen" in (out / "changes-fi.html").read_text(encoding="utf-8")
    # Changed in OUT but not needed (nothing that reads it changed): the comparison holds.
    table.write_text(table.read_text(encoding="utf-8").replace("Amsterdam", "Rotterdam"), encoding="utf-8")
    assert run(inputs, out) == [NO_CHANGES_LINE]


def test_the_run_says_what_changed_in_the_language_of_the_messages(write_workbook, tmp_path):
    """Finnish by default, Swedish or English when asked: the lines, the figures' names and
    numbers; the page named is the one in that language when the run wrote it."""
    inputs, out = write_workbook().parent.parent, tmp_path / "report"
    education = f"{YEAR}/education.xlsx"
    assert run(inputs, out, messages=None) == ["ensimmäinen luonnos: ei mitään verrattavaa"]
    assert run(inputs, out, messages="sv") == [
        "inga ändringar: arbetsböckerna, nyckeltalen, problemen och iakttagelserna är desamma som i föregående körning"
    ]
    write_workbook(
        {"Toiminnot": [activity(), activity(title="Toinen benchmarking", external_funding_eur=1500.0, funding_source="national")]}
    )
    lines = run(inputs, out, messages=None)
    assert lines[:2] == [
        f"muutokset edelliseen luonnokseen; luettelo on tiedostossa {out / 'changes-fi.html'}:",
        f"  työkirjat: korvattuja 1 ({education})",
    ]
    assert f"  Osaamista kasvattavat toiminnot {YEAR}: 1 → 2 (muuttaneet työkirjat: {education})" in lines
    assert (
        f"  Ulkoinen rahoitus, kaikki toiminnot {YEAR}: 0\u00a0€ → 1\u00a0500\u00a0€ (muuttaneet työkirjat: {education})" in lines
    )
    write_workbook({"Toiminnot": [activity()]})  # back to one activity, the report in Finnish and Swedish
    lines = run(inputs, out, "--lang", "all", messages="sv")
    assert lines[:2] == [
        f"ändringar sedan föregående utkast; listan finns i {out / 'changes-sv.html'}:",
        f"  arbetsböcker: ersatta 1 ({education})",
    ]
    assert f"  Verksamheter som ökar kompetensen {YEAR}: 2 → 1 (arbetsböcker som ändrade talet: {education})" in lines
    assert (out / "changes-sv.html").is_file() and (out / "changes-fi.html").is_file()


def figure(number: int) -> FigureChange:
    return FigureChange(f"figure_{number}", "competence", "count", YEAR, number, number + 1, [EDUCATION])


@pytest.mark.parametrize(
    ("figures", "workbooks", "expected"),
    [
        (
            [figure(1)],
            WorkbookChanges(replaced=[Workbook(EDUCATION, YEAR, "education")]),
            [f"  workbooks: 1 replaced ({EDUCATION})", f"  figure_1 {YEAR}: 1 → 2 (moved by {EDUCATION})"],
        ),
        (
            [figure(n) for n in range(6)],
            WorkbookChanges(added=[Workbook(f"{YEAR}/org{n}.xlsx", YEAR) for n in range(6)]),
            ["  workbooks: 6 added", "  headline figures: 6 changed"],
        ),
        (
            [FigureChange("figure_1", "competence", "eur", YEAR, 5.0, 6.0, [])],
            WorkbookChanges(),
            [f"  figure_1 {YEAR}: 5 → 6 (moved by no workbook: the params or the code changed)"],
        ),
    ],
)
def test_a_long_list_is_printed_as_its_count_with_the_page(figures, workbooks, expected):
    page = Path("OUT/changes-fi.html")
    found = RunChanges(CHANGED, Changes(year=YEAR, status=CHANGED, workbooks=workbooks, figures=figures))
    lines = summary_lines(found, page, lambda figure, goal: figure, lambda value, unit: f"{value:g}")
    assert lines == [f"changes since the previous draft; the list is in {page}:", *expected]


def test_no_changes_names_the_list_it_keeps():
    kept = Changes(year=YEAR, status=CHANGED, figures=[figure(1)])
    page = Path("OUT/changes-fi.html")
    assert summary_lines(RunChanges(NO_CHANGES, kept), page, str, str) == [
        f"{NO_CHANGES_LINE}; {page} still lists the changes since the draft before"
    ]
