"""Reading workbooks back: values, codes in any language, and cell-precise problems.

Every broken workbook is built here in code (openpyxl), never kept as a binary file; every
case asserts the exact file, sheet, cell and message.
"""

import datetime as dt
import re
import shutil
import zipfile

import pytest

from hki_intl.intake import load_submissions, parse_number_text, parse_value, read_submission
from hki_intl.workbook import excel as excel_io
from hki_intl.workbook.excel import save_workbook
from hki_intl.workbook.schema import INFO_NAMES, SHEETS_BY_NAME, TEMPLATE_VERSION
from hki_intl.workbook.template import build_workbook, template_path, write_templates
from tests.conftest import RECORDS, activity

GOALS = (
    "'Growing competence and understanding', 'Developing Helsinki's international recognition', "
    "'Increasing Helsinki's influence and significance'"
)
ORG_IDS = (
    "cityexec_international, cityexec_communications, cityexec_economic, education, urban_environment, "
    "culture_leisure, social_health, helsinki_partners, forum_virium"
)
DATA_SHEETS = "Toiminnot, Verkostot, Vierailut, Näkyvyys, Kumppanuudet, Mittarit"

BOOKKEEPING = ("organisation", "year", "source_file", "source_row")


def _read(path, strategy, settings, year=2025):
    return read_submission(path, year, strategy, settings)


def _strip(rows):
    return [{k: v for k, v in r.items() if k not in BOOKKEEPING} for r in rows]


def _set(sheet, cell, value):
    return lambda wb: wb[sheet].__setitem__(cell, value)


def test_empty_templates_of_every_organisation_are_valid(tmp_path, strategy, settings):
    paths = write_templates(strategy, 2025, tmp_path, "sv")
    result = load_submissions(tmp_path, [2025], strategy, settings)
    assert len(paths) == len(strategy.organisations_in(2025))
    assert result.problems == []
    assert {s.organisation for s in result.submissions} == set(strategy.organisations_in(2025))
    assert all(s.template_version == TEMPLATE_VERSION for s in result.submissions)


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_a_filled_template_reads_back_exactly(write_workbook, strategy, settings, lang):
    path = write_workbook(RECORDS, lang=lang)
    submission, problems = _read(path, strategy, settings)
    assert problems == []
    got = submission.tables
    expected_acts = [dict(row, partner_countries=";".join(row["partner_countries"])) for row in RECORDS["Toiminnot"]]
    assert _strip(got["activities"]) == expected_acts
    assert _strip(got["networks"]) == [dict(RECORDS["Verkostot"][0], annual_fee_eur=15000.0)]
    assert _strip(got["visits"]) == RECORDS["Vierailut"]
    assert _strip(got["media"]) == RECORDS["Näkyvyys"]
    assert _strip(got["partnerships"]) == RECORDS["Kumppanuudet"]
    assert _strip(got["indicators"]) == [dict(RECORDS["Mittarit"][0], value=4924251.0)]
    assert [r["source_row"] for r in got["activities"]] == [2, 3]
    assert (submission.organisation, submission.year, submission.template_version) == ("education", 2025, TEMPLATE_VERSION)


# (what is broken, the edit, the cell, the exact message) — one case per rule of the intake.
CELL_CASES = [
    (
        "unknown code",
        _set("Toiminnot", "B2", "Seminaari"),
        "Toiminnot!B2",
        "unknown type ('Seminaari'); choose a value from the dropdown, e.g. 'Project', 'EU project', 'Network work' …",
    ),
    ("required text empty", _set("Toiminnot", "A2", None), "Toiminnot!A2", "title is required (empty); fill in the cell"),
    ("required text only spaces", _set("Vierailut", "C2", "   "), "Vierailut!C2", "city is required (empty); fill in the cell"),
    (
        "required code empty",
        _set("Toiminnot", "C3", None),
        "Toiminnot!C3",
        f"primary goal is required (empty); choose a value from the dropdown, e.g. {GOALS}",
    ),
    (
        "required date empty",
        _set("Näkyvyys", "A2", None),
        "Näkyvyys!A2",
        "date is required (empty); write a date as d.m.yyyy (e.g. 14.3.2025) or yyyy-mm-dd",
    ),
    (
        "required number empty",
        _set("Mittarit", "C2", None),
        "Mittarit!C2",
        "value is required (empty); write a number, e.g. 1234,50",
    ),
    ("required year empty", _set("Mittarit", "B2", None), "Mittarit!B2", "year is required (empty); write a year such as 2025"),
    (
        "bad number",
        _set("Toiminnot", "K2", "noin 5000"),
        "Toiminnot!K2",
        "budget is not a number ('noin 5000'); write digits only, e.g. 1234,50 or 1 234,50",
    ),
    ("negative number", _set("Toiminnot", "K2", -10), "Toiminnot!K2", "budget is below 0 ('-10'); write a value of 0 or more"),
    (
        "negative number as text",
        _set("Verkostot", "F2", "-1 500,00 €"),
        "Verkostot!F2",
        "annual fee is below 0 ('-1 500,00 €'); write a value of 0 or more",
    ),
    (
        "decimals in a count",
        _set("Vierailut", "G2", "12,5"),
        "Vierailut!G2",
        "participants must be a whole number ('12,5'); remove the decimals",
    ),
    (
        "not a year",
        _set("Verkostot", "G2", "ensi vuonna"),
        "Verkostot!G2",
        "review year is not a year ('ensi vuonna'); write a year such as 2025",
    ),
    (
        "implausible year",
        _set("Kumppanuudet", "D2", 3019),
        "Kumppanuudet!D2",
        "year signed is not a plausible year ('3019'); write a year between 1900 and 2100",
    ),
    (
        "bad date",
        _set("Toiminnot", "I2", "31.2.2025"),
        "Toiminnot!I2",
        "start date is not a valid date ('31.2.2025'); write a date as d.m.yyyy (e.g. 14.3.2025) or yyyy-mm-dd",
    ),
    # a number in a date-formatted cell is a date to Excel (day 12 of its calendar)
    (
        "a number in a date column",
        _set("Toiminnot", "I2", 12),
        "Toiminnot!I2",
        "start date is not a plausible date ('1900-01-12'); write a date between 1.1.1950 and 31.12.2100",
    ),
    (
        "a date in a text column",
        _set("Toiminnot", "J2", "ensi kuussa"),
        "Toiminnot!J2",
        "end date is not a valid date ('ensi kuussa'); write a date as d.m.yyyy (e.g. 14.3.2025) or yyyy-mm-dd",
    ),
    (
        "end before start",
        _set("Toiminnot", "J2", dt.date(2025, 1, 1)),
        "Toiminnot!J2",
        "the end date is before the start date (2025-01-01 < 2025-03-04); correct either date",
    ),
    (
        "funding without source",
        _set("Toiminnot", "L2", 5000),
        "Toiminnot!M2",
        "external funding is given but no funding source (empty); choose the programme or source of the funding",
    ),
    (
        "unknown country in a list",
        _set("Toiminnot", "F2", "Alankomaat; Atlantis"),
        "Toiminnot!F2",
        "unknown partner countries ('Atlantis'); separate values with ';' and use names such as 'Austria', "
        "'Australia', 'Belgium' …",
    ),
    (
        "visit outside the year",
        _set("Vierailut", "B2", dt.date(2024, 12, 31)),
        "Vierailut!B2",
        "the date is not in 2025 (2024-12-31); report each visit or media item in the workbook of its own year",
    ),
    (
        "media item outside the year",
        _set("Näkyvyys", "A2", "1.1.2026"),
        "Näkyvyys!A2",
        "the date is not in 2025 (2026-01-01); report each visit or media item in the workbook of its own year",
    ),
    (
        "unknown code on another sheet",
        _set("Näkyvyys", "E2", "hyvä"),
        "Näkyvyys!E2",
        "unknown tone ('hyvä'); choose a value from the dropdown, e.g. 'Positive', 'Neutral', 'Negative'",
    ),
]


@pytest.mark.parametrize("name, edit, cell, message", CELL_CASES, ids=[c[0] for c in CELL_CASES])
def test_a_wrong_cell_is_named_with_a_fix(write_workbook, strategy, settings, name, edit, cell, message):
    path = write_workbook(RECORDS, edit=edit)
    _, problems = _read(path, strategy, settings)
    assert [str(p) for p in problems] == [f"{path}: {cell}: {message}"]


def test_every_problem_of_every_workbook_is_reported_in_one_pass(write_workbook, strategy, settings, tmp_path):
    def edit(wb):
        wb["Toiminnot"]["B2"] = "Seminaari"
        wb["Toiminnot"]["B3"] = "Seminaari"
        wb["Toiminnot"]["A3"] = None
        wb["Verkostot"]["F2"] = -5

    write_workbook(RECORDS, edit=edit)
    write_workbook(organisation="culture_leisure", edit=_set("Toiminnot", "N2", "valmis?"))
    write_workbook(organisation="forum_virium")
    result = load_submissions(tmp_path / "inputs", [2025], strategy, settings)
    cells = sorted((p.file.rsplit("/", 1)[1], p.sheet, p.cell) for p in result.problems)
    assert cells == [
        ("culture_leisure.xlsx", "Toiminnot", "N2"),
        ("education.xlsx", "Toiminnot", "A3"),
        ("education.xlsx", "Toiminnot", "B2"),
        ("education.xlsx", "Toiminnot", "B3"),
        ("education.xlsx", "Verkostot", "F2"),
    ]
    assert [s.organisation for s in result.submissions] == ["forum_virium"]
    assert sorted(result.rejected) == [str(tmp_path / "inputs" / "2025" / f) for f in ("culture_leisure.xlsx", "education.xlsx")]


def test_codes_are_accepted_as_id_or_label_in_any_language_trimmed_and_in_any_case(write_workbook, strategy, settings):
    def edit(wb):
        wb["Toiminnot"]["B2"] = "  eu-HANKE "
        wb["Toiminnot"]["C2"] = "Ökad kompetens och förståelse"
        wb["Toiminnot"]["D2"] = "climate"
        wb["Toiminnot"]["N2"] = "ONGOING"
        wb["Toiminnot"]["F2"] = "netherlands, Ruotsi;EE"

    submission, problems = _read(write_workbook(edit=edit), strategy, settings)
    assert problems == []
    row = submission.tables["activities"][0]
    assert (row["activity_type"], row["goal"], row["focus_area"], row["status"], row["partner_countries"]) == (
        "eu_project",
        "competence",
        "climate",
        "ongoing",
        "NL;SE;EE",
    )


def test_columns_are_found_by_header_in_any_language_and_any_order(write_workbook, strategy, settings):
    def edit(wb):
        ws = wb["Toiminnot"]
        ws["A1"], ws["B1"] = "Type", "Namn *"
        ws["A2"], ws["B2"] = ws["B2"].value, ws["A2"].value
        ws["C1"] = "goal"  # the machine key reads too

    submission, problems = _read(write_workbook(edit=edit), strategy, settings)
    assert problems == []
    assert submission.tables["activities"][0]["title"] == "Kiertotalouden benchmarking Amsterdamissa"
    assert submission.tables["activities"][0]["activity_type"] == "benchmarking"
    assert submission.tables["activities"][0]["goal"] == "competence"


def test_dates_and_numbers_as_people_write_them(write_workbook, strategy, settings):
    def edit(wb):
        ws = wb["Toiminnot"]
        ws["I2"], ws["J2"] = "4.3.2025", "2025-03-06"
        ws["K2"], ws["L2"], ws["M2"] = "1 234,50", "€ 1 200", "Interreg"
        ws["K3"], ws["I3"] = "1234.5", dt.datetime(2025, 3, 4, 0, 0)

    submission, problems = _read(write_workbook(RECORDS, edit=edit), strategy, settings)
    assert problems == []
    first, second = submission.tables["activities"]
    assert (first["start"], first["end"], first["budget_eur"], first["external_funding_eur"]) == (
        dt.date(2025, 3, 4),
        dt.date(2025, 3, 6),
        1234.5,
        1200.0,
    )
    assert (second["start"], second["budget_eur"]) == (dt.date(2025, 3, 4), 1234.5)


def test_empty_rows_are_skipped_and_rows_keep_their_worksheet_number(write_workbook, strategy, settings):
    def edit(wb):
        ws = wb["Toiminnot"]
        for col in range(1, 16):
            ws.cell(row=4, column=col, value=ws.cell(row=2, column=col).value)
        ws["A3"] = "   "  # only spaces: an empty row too

    submission, problems = _read(write_workbook(edit=edit), strategy, settings)
    assert problems == []
    assert [r["source_row"] for r in submission.tables["activities"]] == [2, 4]


def _add_cached_value(path, sheet_xml, cell, value):
    """openpyxl writes formulas without a result; add the cached result Excel would have saved."""
    with zipfile.ZipFile(path) as src:
        items = {i.filename: src.read(i.filename) for i in src.infolist()}
    xml = items[sheet_xml].decode()
    xml, count = re.subn(rf'(<c r="{cell}"[^>]*>)(<f>[^<]*</f>)(<v>[^<]*</v>|<v */>)?', rf"\1\2<v>{value}</v>", xml)
    assert count == 1
    items[sheet_xml] = xml.encode()
    with zipfile.ZipFile(path, "w") as dst:
        for name, data in items.items():
            dst.writestr(name, data)


def test_formulas_read_as_their_cached_values(write_workbook, strategy, settings):
    def edit(wb):
        wb["Toiminnot"]["K2"] = "=2100*2"

    path = write_workbook(edit=edit)
    with zipfile.ZipFile(path) as archive:
        (sheet_xml,) = (n for n in archive.namelist() if "<f>2100*2</f>" in archive.read(n).decode(errors="ignore"))
    _add_cached_value(path, sheet_xml, "K2", 4200)
    submission, problems = _read(path, strategy, settings)
    assert problems == []
    assert submission.tables["activities"][0]["budget_eur"] == 4200.0


@pytest.mark.parametrize(
    "raw, expected",
    [
        (dt.datetime(2025, 3, 4), dt.date(2025, 3, 4)),
        ("2025-03-04", dt.date(2025, 3, 4)),
        ("4.3.2025", dt.date(2025, 3, 4)),
        (" 04.03.2025 ", dt.date(2025, 3, 4)),
        ("2025-03-04 00:00:00", dt.date(2025, 3, 4)),
    ],
)
def test_dates_accepted(strategy, raw, expected):
    column = SHEETS_BY_NAME["Toiminnot"].column("start")
    assert parse_value(column, raw, strategy) == (expected, None)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1 234,50", 1234.5),
        ("1234.5", 1234.5),
        ("€ 1 200", 1200.0),
        ("1\u00a0200 €", 1200.0),
        ("1,234.50", 1234.5),
        ("1.234,50", 1234.5),
        ("12 EUR", 12.0),
        ("abc", None),
        ("1,2,3", None),
        ("", None),
    ],
)
def test_number_text(text, expected):
    assert parse_number_text(text) == expected


# --- workbook-level problems ---------------------------------------------------------------------


def _drop_names(wb):
    for name in INFO_NAMES.values():
        del wb.defined_names[name]


WORKBOOK_CASES = [
    (
        "missing sheet",
        lambda wb: wb.remove(wb["Vierailut"]),
        "Vierailut: the sheet 'Vierailut' is missing or was renamed (no other sheets in the workbook); rename the sheet "
        "back to 'Vierailut' or copy your rows into a fresh template",
    ),
    (
        "renamed sheet",
        lambda wb: setattr(wb["Vierailut"], "title", "Besök"),
        "Vierailut: the sheet 'Vierailut' is missing or was renamed (other sheets in the workbook: 'Besök'); rename the "
        "sheet back to 'Vierailut' or copy your rows into a fresh template",
        "Besök!A1:H2: the sheet looks like the sheet 'Vierailut' renamed, and its 1 row below the header is not read (8 "
        "values, the first A2: 'Saapuva vierailu Helsinkiin'); rename the sheet back to 'Vierailut'",
    ),
    (
        "missing info sheet",
        lambda wb: wb.remove(wb["Perustiedot"]),
        "Perustiedot: the sheet 'Perustiedot' is missing or was renamed (no other sheets in the workbook); it names the "
        "organisation, year and template version — rename the sheet back or copy your rows into a fresh template",
    ),
    (
        "missing required column",
        lambda wb: wb["Toiminnot"].delete_cols(3),
        "Toiminnot: the required column 'Primary goal' is missing from header row 1 (no header 'Päätavoite', 'Huvudmål', "
        "'Primary goal'); restore the column from a fresh template",
    ),
    (
        "renamed required column",
        _set("Näkyvyys", "E1", "Tunnelma"),
        "Näkyvyys: the required column 'Tone' is missing from header row 1 (no header 'Sävy', 'Ton', 'Tone'); restore "
        "the column from a fresh template",
        "Näkyvyys!E1:E2: the header 'Tunnelma' is not one of the template's, so column E is not read, and the template's "
        "column 'Tone' is missing (2 values, the first E1: 'Tunnelma'); if this is that column, type its header back "
        "(copy it from a fresh template)",
    ),
    (
        "wrong template version",
        lambda wb: (_set("Perustiedot", "C4", "2024.1")(wb), _set("Perustiedot", "B4", "2024.1")(wb)),
        "Perustiedot!C4: the template version is not accepted ('2024.1'); use a template of version 2025.1 or 2025.2 or "
        "2025.3 or 2025.4: copy your rows into a fresh template made with 'pipeline.py templates'",
    ),
    (
        "another organisation's workbook",
        lambda wb: (
            _set("Perustiedot", "C1", "culture_leisure")(wb),
            _set("Perustiedot", "B1", "Kulttuurin ja vapaa-ajan toimiala")(wb),
        ),
        "Perustiedot!C1: the organisation does not match the file name education.xlsx ('culture_leisure'); rename the "
        "file to culture_leisure.xlsx or use the template of organisation 'education'",
    ),
    (
        "another year's workbook",
        _set("Perustiedot", "C2", 2024),
        "Perustiedot!C2: the year does not match the folder 2025 (2024); move the workbook to the folder 2024 or use "
        "the 2025 template",
    ),
    (
        "year is not a year",
        _set("Perustiedot", "C2", "viime vuosi"),
        "Perustiedot!C2: year is not a year ('viime vuosi'); write a year such as 2025",
    ),
    (
        "missing info row",
        lambda wb: (
            wb["Perustiedot"].delete_rows(4),  # Excel turns the name into #REF!
            setattr(wb.defined_names["hki_template_version"], "attr_text", "#REF!"),
        ),
        "Perustiedot: the row 'Template version' is missing (no row labelled 'Pohjan versio', 'Mallens version', "
        "'Template version' in column A); copy your rows into a fresh template",
    ),
]


@pytest.mark.parametrize(
    "name, edit, messages", [(c[0], c[1], c[2:]) for c in WORKBOOK_CASES], ids=[c[0] for c in WORKBOOK_CASES]
)
def test_a_broken_workbook_is_named_with_a_fix(write_workbook, strategy, settings, name, edit, messages):
    path = write_workbook(RECORDS, edit=edit)
    _, problems = _read(path, strategy, settings)
    assert [str(p) for p in problems] == [f"{path}: {message}" for message in messages]


def test_without_defined_names_the_info_is_read_by_its_labels(write_workbook, strategy, settings):
    def edit(wb):
        _drop_names(wb)
        ws = wb["Perustiedot"]
        for row in range(1, 5):
            ws.cell(row=row, column=3).value = None  # no hidden machine values either
        ws["A1"], ws["A2"] = "Organisation", "Year *"  # labels in another language read the same

    submission, problems = _read(write_workbook(edit=edit), strategy, settings)
    assert problems == []
    assert (submission.organisation, submission.template_version) == ("education", TEMPLATE_VERSION)


def test_the_defined_names_are_read_wherever_they_point(write_workbook, strategy, settings):
    def edit(wb):
        ws = wb["Perustiedot"]
        ws["F9"] = "culture_leisure"  # a name points to the truth, whatever rows say
        wb.defined_names[INFO_NAMES["organisation"]].attr_text = "Perustiedot!$F$9"

    path = write_workbook(edit=edit)
    _, problems = _read(path, strategy, settings)
    assert [str(p) for p in problems] == [
        f"{path}: Perustiedot!F9: the organisation does not match the file name education.xlsx ('culture_leisure'); "
        "rename the file to culture_leisure.xlsx or use the template of organisation 'education'"
    ]


def test_an_unknown_organisation_file_name(write_workbook, strategy, settings):
    path = write_workbook()
    odd = path.with_name("library.xlsx")
    path.rename(odd)
    _, problems = _read(odd, strategy, settings)
    assert [str(p) for p in problems] == [
        f"{odd}: the file name is not a known organisation id ('library'); name the file <organisation-id>.xlsx with "
        f"one of {ORG_IDS}",
        f"{odd}: Perustiedot!C1: the organisation does not match the file name library.xlsx ('education'); rename "
        "the file to education.xlsx or use the template of organisation 'library'",
    ]


def test_a_file_name_in_another_case_is_the_same_organisation(write_workbook, strategy, settings):
    path = write_workbook()
    upper = path.with_name("Education.xlsx")
    path.rename(upper)
    submission, problems = _read(upper, strategy, settings)
    assert problems == [] and submission.organisation == "education"


def test_files_that_are_not_workbooks(tmp_path, strategy, settings):
    folder = tmp_path / "2025"
    folder.mkdir()
    (folder / "education.xlsx").write_text("organisation;year\neducation;2025\n")
    (folder / "culture_leisure.csv").write_text("a,b\n")
    (folder / "forum_virium.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))
    (folder / "social_health.xlsx").write_bytes(b"")
    (folder / "~$education.xlsx").write_bytes(b"Excel's lock file is ignored")
    result = load_submissions(tmp_path, [2025], strategy, settings)
    save = "save it in Excel as 'Excel Workbook (*.xlsx)'"
    assert [str(p) for p in result.problems] == [
        f"{folder / 'culture_leisure.csv'}: not an .xlsx workbook (a CSV text file, .csv); copy the rows into the "
        "template, save it as 'Excel Workbook (*.xlsx)' and name it <organisation-id>.xlsx",
        f"{folder / 'education.xlsx'}: the file is not an Excel workbook (text starting 'organisation;year'); {save}",
        f"{folder / 'forum_virium.xlsx'}: the file is not an Excel workbook (an old-format .xls workbook or a "
        f"password-protected file); {save}",
        f"{folder / 'social_health.xlsx'}: the file is not an Excel workbook (the file is empty); {save}",
    ]
    assert result.submissions == []


def test_a_workbook_that_unpacks_too_large_is_refused(write_workbook, strategy, settings, monkeypatch):
    path = write_workbook()
    monkeypatch.setattr(excel_io, "MAX_UNPACKED_MB", 0)
    _, problems = _read(path, strategy, settings)
    assert [str(p) for p in problems] == [
        f"{path}: the workbook unpacks to more than 0 MB (0 MB); remove pictures and other large content, or copy "
        "the rows into a fresh template"
    ]


def test_two_workbooks_for_one_organisation_are_both_refused(write_workbook, strategy, settings, tmp_path):
    path = write_workbook()
    shutil.copy(path, path.with_name("Education.xlsx"))
    # and a third: culture_leisure's file whose info says it is education's
    other = build_workbook(strategy, "education", 2025, "fi", {"Toiminnot": [activity()]})
    save_workbook(other, template_path(tmp_path / "inputs", 2025, "culture_leisure"))
    write_workbook(organisation="forum_virium")
    result = load_submissions(tmp_path / "inputs", [2025], strategy, settings)
    folder = path.parent
    names = "Education.xlsx, culture_leisure.xlsx, education.xlsx"
    duplicate = f"three workbooks are for organisation 'education' in 2025 ({names}); keep only one of them in the folder"
    assert [str(p) for p in result.problems] == [
        f"{folder / 'Education.xlsx'}: {duplicate}",
        f"{folder / 'culture_leisure.xlsx'}: {duplicate}",
        f"{folder / 'culture_leisure.xlsx'}: Perustiedot!C1: the organisation does not match the file name "
        "culture_leisure.xlsx ('education'); rename the file to education.xlsx or use the template of organisation "
        "'culture_leisure'",
        f"{folder / 'education.xlsx'}: {duplicate}",
    ]
    assert [s.organisation for s in result.submissions] == ["forum_virium"]


def test_every_message_names_the_value_and_the_fix():
    """`<what is wrong> (<the value>); <what is allowed / how to fix>`, for every case above."""
    shape = re.compile(r"^[^;]+ \([^;]*\); \S.*$")
    messages = [c[3] for c in CELL_CASES] + [c[2].split(": ", 1)[1] for c in WORKBOOK_CASES]
    for message in messages:
        assert shape.match(message), message
