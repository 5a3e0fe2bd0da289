"""The Excel template: instructions, dropdowns, input messages, protection, and whose it is."""

import openpyxl
import pytest

from hki_intl.workbook.excel import read_sheets
from hki_intl.workbook.layout import is_blank
from hki_intl.workbook.schema import INFO_FIELDS, INFO_NAMES, INFO_SHEET, SHEETS, TEMPLATE_VERSION
from hki_intl.workbook.template import (
    CODES_SHEET,
    DATA_ROWS,
    INSTRUCTIONS_SHEET,
    PROMPT_LIMIT,
    PROMPT_TITLE_LIMIT,
    _write_instructions,
    instruction_texts,
    write_workbook,
)
from tests.conftest import activity


@pytest.fixture(scope="module", params=["fi", "sv", "en"])
def template(request, tmp_path_factory, strategy):
    """(language, the saved template of 'education' 2025 with one activity, opened with openpyxl)."""
    lang = request.param
    path = tmp_path_factory.mktemp(f"tpl-{lang}") / "education.xlsx"
    write_workbook(path, strategy, "education", 2025, lang, records={"Toiminnot": [activity()]})
    return lang, openpyxl.load_workbook(path)


def test_sheets_in_order_with_the_instructions_first_and_the_codes_hidden(template):
    lang, wb = template
    assert wb.sheetnames == [INSTRUCTIONS_SHEET[lang], INFO_SHEET, *(s.name for s in SHEETS), CODES_SHEET]
    assert wb.active.title == INSTRUCTIONS_SHEET[lang]
    assert wb[CODES_SHEET].sheet_state == "hidden"
    assert all(wb[name].sheet_state == "visible" for name in wb.sheetnames[:-1])


def test_the_instructions_explain_every_sheet_and_column_in_the_template_language(template, strategy):
    lang, wb = template
    rows = list(wb[INSTRUCTIONS_SHEET[lang]].iter_rows(values_only=True))
    title = {
        "fi": "Ohjeet: kansainvälisen toiminnan vuosiraportti 2025",
        "sv": "Anvisningar: årsrapport om internationell verksamhet 2025",
        "en": "Instructions: annual report of international activities 2025",
    }[lang]
    assert rows[0][0] == title
    assert strategy.organisations.label("education", lang) in rows[1][0]
    described = {(r[0], r[1]) for r in rows if r[0] and r[4]}
    for sheet in SHEETS:
        assert (sheet.name, sheet.label(lang)) in described
        for column in sheet.columns:
            assert (sheet.name, column.header(lang)) in described
    by_header = {(r[0], r[1]): r for r in rows}
    goal = by_header[("Toiminnot", SHEETS[0].column("goal").header(lang))]
    assert goal[5] == strategy.goals.label("competence", lang)  # the example, as the dropdown shows it
    countries = by_header[("Toiminnot", SHEETS[0].column("partner_countries").header(lang))]
    assert countries[5] == "; ".join(strategy.codes("countries").label(c, lang) for c in ("NL", "EE"))
    start = by_header[("Toiminnot", SHEETS[0].column("start").header(lang))]
    assert start[2:4] == (
        {"fi": "kyllä", "sv": "ja", "en": "yes"}[lang],
        {
            "fi": "Päivämäärä p.k.vvvv, esim. 14.3.2025",
            "sv": "Datum d.m.åååå, t.ex. 14.3.2025",
            "en": "Date d.m.yyyy, e.g. 14.3.2025",
        }[lang],
    )


def _texts_on(ws):
    """The texts of a sheet's cells, as the intake compares them (stripped, blanks included)."""
    return frozenset(str(cell.value).strip() for row in ws.iter_rows() for cell in row if cell.value is not None)


@pytest.mark.parametrize(
    ("organisation", "year", "lang", "version"),
    [
        ("education", 2025, "fi", TEMPLATE_VERSION),
        ("cityexec_communications", 2023, "sv", "2025.1"),
        ("forum_virium", 2024, "en", "2025.2"),
    ],
)
def test_the_intake_knows_exactly_the_texts_the_writer_puts_on_the_instructions(strategy, organisation, year, lang, version):
    ws = openpyxl.Workbook().active
    _write_instructions(ws, strategy, organisation, year, lang, version)
    written = _texts_on(ws)
    assert instruction_texts(strategy, organisation, year, lang, version) == written
    assert f"{organisation}.xlsx" in " ".join(written)  # the rules name the organisation's own file
    assert any(version in text for text in written)  # whose template, which version


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_intake_reads_only_known_texts_on_a_saved_templates_instructions(strategy, tmp_path, lang):
    path = write_workbook(tmp_path / "education.xlsx", strategy, "education", 2025, lang)
    rows = read_sheets(path)[INSTRUCTIONS_SHEET[lang]]  # as the intake reads them
    read = {str(value).strip() for row in rows for value in row if not is_blank(value)}
    assert read == instruction_texts(strategy, "education", 2025, lang) - {""}


def _validations(ws):
    """Column letter → the data validation rule over that column's data area."""
    out = {}
    for rule in ws.data_validations.dataValidation:
        for area in str(rule.sqref).split():
            out[area.split(":")[0].rstrip("0123456789")] = (area, rule)
    return out


def test_every_coded_column_has_a_dropdown_from_the_hidden_code_sheet(template, strategy):
    lang, wb = template
    for sheet in SHEETS:
        rules = _validations(wb[sheet.name])
        for index, column in enumerate(sheet.columns, start=1):
            if not column.codes:
                continue
            letter = openpyxl.utils.get_column_letter(index)
            area, rule = rules[letter]
            assert area == f"{letter}2:{letter}{DATA_ROWS + 1}"
            assert (rule.type, rule.formula1) == ("list", f"=list_{column.codes}")
            # the named range holds exactly the labels of the code list in the template language
            ((sheet_name, ref),) = wb.defined_names[f"list_{column.codes}"].destinations
            assert sheet_name == CODES_SHEET
            values = [c.value for (c,) in wb[CODES_SHEET][ref.replace("$", "")]]
            assert values == list(strategy.codes(column.codes).labels(lang).values())
            assert rule.showErrorMessage == (column.kind == "code")  # several countries are typed with ';'


KINDS = {
    "date": ("date", "between"),
    "year": ("whole", "between"),
    "integer": ("whole", "greaterThanOrEqual"),
    "text": ("textLength", "lessThanOrEqual"),
}


def test_every_column_has_validation_with_an_input_message(template):
    lang, wb = template
    required = {"fi": "Pakollinen", "sv": "Obligatorisk", "en": "Required"}[lang]
    for sheet in SHEETS:
        rules = _validations(wb[sheet.name])
        for index, column in enumerate(sheet.columns, start=1):
            _, rule = rules[openpyxl.utils.get_column_letter(index)]
            assert rule.showInputMessage and rule.prompt and rule.promptTitle == column.label(lang)[:PROMPT_TITLE_LIMIT]
            assert len(rule.prompt) <= PROMPT_LIMIT and len(rule.promptTitle) <= PROMPT_TITLE_LIMIT
            assert rule.prompt.startswith(f"{required}.") == column.required
            if column.kind in KINDS:
                assert (rule.type, rule.operator) == KINDS[column.kind], column.key
            if column.kind == "number":
                assert rule.type == "decimal"
    act = _validations(wb["Toiminnot"])
    assert (act["I"][1].formula1, act["I"][1].formula2) == ("DATE(1950,1,1)", "DATE(2100,12,31)")
    assert (act["K"][1].operator, act["K"][1].formula1) == ("greaterThanOrEqual", "0")


def test_headers_are_locked_the_data_area_unlocked_and_everything_protected_without_a_password(template):
    lang, wb = template
    assert wb.security.lockStructure and not wb.security.workbookPassword
    for ws in wb.worksheets:
        assert ws.protection.sheet and not ws.protection.password, ws.title
    for sheet in SHEETS:
        ws = wb[sheet.name]
        assert ws.freeze_panes == "A2"
        for index, column in enumerate(sheet.columns, start=1):
            letter = openpyxl.utils.get_column_letter(index)
            assert ws[f"{letter}1"].protection.locked
            assert ws[f"{letter}1"].value == column.header(lang)
            assert not ws.column_dimensions[letter].protection.locked  # empty data cells
            assert ws.column_dimensions[letter].width == column.width
        # rows can be added and deleted on the protected sheet (False = not prevented)
        assert not ws.protection.insertRows and not ws.protection.deleteRows
    filled = wb["Toiminnot"]
    assert all(not cell.protection.locked for cell in filled[2])
    info = wb[INFO_SHEET]
    locked = {row: info[f"B{row}"].protection.locked for row in range(1, len(INFO_FIELDS) + 1)}
    assert locked == {1: True, 2: True, 3: False, 4: True, 5: False}  # the contact role and the nil return are filled in


def test_the_workbook_names_its_organisation_year_and_version(template):
    _, wb = template
    values = {}
    for key, name in INFO_NAMES.items():
        ((sheet, ref),) = wb.defined_names[name].destinations
        values[key] = wb[sheet][ref.replace("$", "")].value
        assert sheet == INFO_SHEET and ref.startswith("$C$")
    assert values == {"organisation": "education", "year": 2025, "template_version": TEMPLATE_VERSION}
    assert wb[INFO_SHEET].column_dimensions["C"].hidden
