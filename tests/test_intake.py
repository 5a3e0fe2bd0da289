"""Reading workbooks back: values, codes in any language, and cell-precise problems."""

import datetime as dt

import pytest

from hki_intl.intake import load_submissions, parse_number_text, parse_value, read_submission
from hki_intl.schema import SHEETS_BY_NAME, TEMPLATE_VERSION, Column
from hki_intl.templates import write_templates

from .conftest import activity

ACT = SHEETS_BY_NAME["Toiminnot"]


def _read(path, strategy, settings, year=2025):
    return read_submission(path, year, strategy, settings)


def test_empty_templates_of_every_organisation_are_valid(tmp_path, strategy, settings):
    paths = write_templates(strategy, 2025, tmp_path, "sv")
    result = load_submissions(tmp_path, [2025], strategy, settings)
    assert len(paths) == len(strategy.organisations_in(2025))
    assert result.problems == []
    assert {s.organisation for s in result.submissions} == set(strategy.organisations_in(2025))
    assert all(s.template_version == TEMPLATE_VERSION for s in result.submissions)


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_a_filled_template_reads_back_exactly(write_workbook, strategy, settings, lang):
    records = {
        "Toiminnot": [activity(), activity(title="Horizon: NetZeroCities", activity_type="eu_project",
                                            partner_countries=["SE", "DK"], network=None, end=None,
                                            external_funding_eur=125000.5, funding_source="horizon_europe",
                                            status="ongoing")],
        "Verkostot": [{"network": "c40", "role": "board", "owner_unit": "Ilmastoyksikkö", "goal": "influence",
                       "justification": "Ilmastotyön vaikuttaminen", "annual_fee_eur": 15000, "review_year": 2026}],
        "Vierailut": [{"direction": "incoming", "date": dt.date(2025, 5, 2), "city": "Tallinna", "country": "EE",
                       "level": "mayor", "focus_area": "mobility", "participants": 12, "purpose": "Tunneli"}],
        "Näkyvyys": [{"date": dt.date(2025, 6, 1), "outlet": "The Guardian", "country": "GB", "focus_area": "design",
                      "tone": "positive", "reach": 1200000, "headline": "Helsinki's library"}],
        "Kumppanuudet": [{"partner_city": "Peking", "country": "CN", "agreement_type": "programme",
                          "signed_year": 2019, "strategic_goal": "influence", "joint_activity": "Talent"}],
        "Mittarit": [{"indicator": "overnight_stays", "value_year": 2025, "value": 4924251,
                      "source": "Statistics Finland", "note": None}],
    }
    path = write_workbook(records, lang=lang)
    submission, problems = _read(path, strategy, settings)
    assert problems == []
    got = submission.tables
    strip = lambda rows: [{k: v for k, v in r.items() if k not in ("organisation", "year", "source_file", "source_row")}
                          for r in rows]
    expected_acts = []
    for row in records["Toiminnot"]:
        row = dict(row, partner_countries=";".join(row["partner_countries"]))
        expected_acts.append(row)
    assert strip(got["activities"]) == expected_acts
    assert strip(got["networks"]) == [dict(records["Verkostot"][0], annual_fee_eur=15000.0)]
    assert strip(got["visits"]) == records["Vierailut"]
    assert strip(got["media"]) == records["Näkyvyys"]
    assert strip(got["partnerships"]) == records["Kumppanuudet"]
    assert strip(got["indicators"]) == [dict(records["Mittarit"][0], value=4924251.0)]
    assert got["activities"][1]["source_row"] == 3


def _set(sheet, cell, value):
    return lambda wb: wb[sheet].__setitem__(cell, value)


# (what is broken, the edit, the cell, the exact message)
CELL_CASES = [
    ("unknown code", _set("Toiminnot", "B2", "Seminaari"), "Toiminnot!B2",
     "unknown type ('Seminaari'); choose a value from the dropdown, e.g. 'Hanke', 'EU-hanke', 'Verkostotyö' …"),
    ("missing required", _set("Toiminnot", "A2", None), "Toiminnot!A2",
     "Title is required but empty; fill in the cell"),
    ("bad number", _set("Toiminnot", "K2", "noin 5000"), "Toiminnot!K2",
     "budget (eur) is not a number ('noin 5000'); write digits only, e.g. 1234,50 or 1 234,50"),
    ("negative number", _set("Toiminnot", "K2", -10), "Toiminnot!K2",
     "budget (eur) is below 0 ('-10'); write a value of 0 or more"),
    ("bad date", _set("Toiminnot", "I2", "31.2.2025"), "Toiminnot!I2",
     "start date is not a valid date ('31.2.2025'); write a date as d.m.yyyy (e.g. 14.3.2025) or yyyy-mm-dd"),
    ("end before start", _set("Toiminnot", "J2", dt.date(2025, 1, 1)), "Toiminnot!J2",
     "the end date is before the start date (2025-01-01 < 2025-03-04); correct either date"),
    ("funding without source", _set("Toiminnot", "L2", 5000), "Toiminnot!M2",
     "external funding is given but no funding source (empty); choose the programme or source of the funding"),
    ("unknown country", _set("Toiminnot", "F2", "Alankomaat; Atlantis"), "Toiminnot!F2",
     "unknown partner countries ('Atlantis'); separate values with ';' and use names such as 'Itävalta', "
     "'Australia', 'Belgia' …"),
]


@pytest.mark.parametrize("name, edit, cell, message", CELL_CASES, ids=[c[0] for c in CELL_CASES])
def test_a_wrong_cell_is_named_with_a_fix(write_workbook, strategy, settings, name, edit, cell, message):
    path = write_workbook(edit=edit)
    _, problems = _read(path, strategy, settings)
    assert [str(p) for p in problems] == [f"{path}: {cell}: {message}"]


def test_every_problem_of_every_workbook_is_reported_in_one_pass(write_workbook, strategy, settings, tmp_path):
    def edit(wb):
        wb["Toiminnot"]["B2"] = "Seminaari"
        wb["Toiminnot"]["B3"] = "Seminaari"
    write_workbook({"Toiminnot": [activity(), activity()]}, edit=edit)
    write_workbook(organisation="culture_leisure", edit=_set("Toiminnot", "N2", "valmis?"))
    result = load_submissions(tmp_path / "inputs", [2025], strategy, settings)
    cells = [(p.file.rsplit("/", 1)[1], p.sheet, p.cell) for p in result.problems]
    assert cells == [("culture_leisure.xlsx", "Toiminnot", "N2"), ("education.xlsx", "Toiminnot", "B2"),
                     ("education.xlsx", "Toiminnot", "B3")]
    assert result.submissions == []


def test_codes_are_accepted_as_id_or_label_in_any_language_trimmed_and_in_any_case(write_workbook, strategy,
                                                                                    settings):
    def edit(wb):
        wb["Toiminnot"]["B2"] = "  eu-HANKE "
        wb["Toiminnot"]["C2"] = "Ökad kompetens och förståelse"
        wb["Toiminnot"]["D2"] = "climate"
        wb["Toiminnot"]["N2"] = "ONGOING"
    submission, problems = _read(write_workbook(edit=edit), strategy, settings)
    assert problems == []
    row = submission.tables["activities"][0]
    assert (row["activity_type"], row["goal"], row["focus_area"], row["status"]) == (
        "eu_project", "competence", "climate", "ongoing")


def test_columns_are_found_by_header_in_any_language_and_any_order(write_workbook, strategy, settings):
    def edit(wb):
        ws = wb["Toiminnot"]
        ws["A1"], ws["B1"] = "Type", "Title"
        ws["A2"], ws["B2"] = ws["B2"].value, ws["A2"].value
    submission, problems = _read(write_workbook(edit=edit), strategy, settings)
    assert problems == []
    assert submission.tables["activities"][0]["title"] == "Kiertotalouden benchmarking Amsterdamissa"
    assert submission.tables["activities"][0]["activity_type"] == "benchmarking"


def test_empty_rows_are_skipped_and_rows_keep_their_worksheet_number(write_workbook, strategy, settings):
    def edit(wb):
        ws = wb["Toiminnot"]
        for col in range(1, 16):
            ws.cell(row=4, column=col, value=ws.cell(row=2, column=col).value)
    submission, problems = _read(write_workbook(edit=edit), strategy, settings)
    assert problems == []
    assert [r["source_row"] for r in submission.tables["activities"]] == [2, 4]


@pytest.mark.parametrize("text, expected", [
    ("1 234,50", 1234.5), ("1234.5", 1234.5), ("€ 1 200", 1200.0), ("1\u00a0200 €", 1200.0),
    ("1,234.50", 1234.5), ("1.234,50", 1234.5), ("12 EUR", 12.0), ("abc", None), ("1,2,3", None), ("", None),
])
def test_number_text(text, expected):
    assert parse_number_text(text) == expected


@pytest.mark.parametrize("raw, expected", [
    (dt.datetime(2025, 3, 4), dt.date(2025, 3, 4)), ("2025-03-04", dt.date(2025, 3, 4)),
    ("4.3.2025", dt.date(2025, 3, 4)), (" 04.03.2025 ", dt.date(2025, 3, 4)),
])
def test_dates_accepted(strategy, raw, expected):
    column = Column("start", "date", "Alkupäivä", "Startdatum", "Start date", True)
    assert parse_value(column, raw, strategy) == (expected, None)


def test_a_missing_sheet_is_a_workbook_problem(write_workbook, strategy, settings):
    path = write_workbook(edit=lambda wb: wb.remove(wb["Vierailut"]))
    _, problems = _read(path, strategy, settings)
    assert [str(p) for p in problems] == [
        f"{path}: Vierailut: the sheet 'Vierailut' is missing or was renamed; the workbook must have the sheets "
        "Toiminnot, Verkostot, Vierailut, Näkyvyys, Kumppanuudet, Mittarit — copy your rows into a fresh template"]


def test_a_missing_required_column_is_named(write_workbook, strategy, settings):
    path = write_workbook(edit=lambda wb: wb["Toiminnot"].delete_cols(3))
    _, problems = _read(path, strategy, settings)
    assert [str(p) for p in problems] == [
        f"{path}: Toiminnot: the required column 'Päätavoite' (goal) is missing from the header row 1; "
        "restore it from a fresh template"]


def test_a_workbook_in_the_wrong_place_is_named(write_workbook, strategy, settings, tmp_path):
    path = write_workbook(organisation="education")
    moved = path.with_name("culture_leisure.xlsx")
    path.rename(moved)
    _, problems = _read(moved, strategy, settings)
    assert [str(p) for p in problems] == [
        f"{moved}: Perustiedot!C1: the workbook is for organisation 'education' but its file is named "
        "'culture_leisure.xlsx'; rename the file to education.xlsx or use the template of organisation "
        "'culture_leisure'"]
    _, problems = _read(path.parent.parent / "2025" / "culture_leisure.xlsx", strategy, settings, year=2024)
    assert any("lies in the folder for 2024" in str(p) for p in problems)


def test_a_file_that_is_not_a_workbook(tmp_path, strategy, settings):
    folder = tmp_path / "2025"
    folder.mkdir()
    (folder / "education.xlsx").write_text("organisation;year\neducation;2025\n")
    (folder / "culture_leisure.csv").write_text("a,b\n")
    result = load_submissions(tmp_path, [2025], strategy, settings)
    assert [str(p) for p in result.problems] == [
        f"{folder / 'culture_leisure.csv'}: not an .xlsx workbook (.csv); save the file in Excel as "
        "'Excel Workbook (*.xlsx)' and name it <organisation-id>.xlsx",
        f"{folder / 'education.xlsx'}: the file is not an Excel workbook (.xlsx); save it in Excel as "
        "'Excel Workbook (*.xlsx)'",
    ]


def test_an_unknown_organisation_file_name(write_workbook, strategy, settings):
    path = write_workbook()
    odd = path.with_name("library.xlsx")
    path.rename(odd)
    _, problems = _read(odd, strategy, settings)
    assert any(str(p).startswith(f"{odd}: 'library' is not a known organisation id") for p in problems)
