"""What is not a real submission, and what is reported twice: an untouched template is not a
nil return, a nil return is stated, one record twice is refused naming both rows, last year's
file gets one message, and a mistake repeated a thousand times is one line (the feedback
workbook keeps them all)."""

from __future__ import annotations

import re

import openpyxl
import pytest

from hki_intl.intake import load_submissions, read_submission
from hki_intl.intake.tables import consolidate, read_tables, write_tables
from hki_intl.report import chapters
from hki_intl.report.blocks import Report
from hki_intl.workbook.excel import save_workbook
from hki_intl.workbook.template import build_workbook, template_path
from tests.conftest import RECORDS, run_cli

YEAR = 2025
NIL_WARNING = (
    "Perustiedot!B5: warning: no activities reported (every sheet of the template is empty); if the "
    "organisation had no international activity in 2025, confirm this nil return by choosing 'Yes' in the "
    "row 'Nothing to report for the year' of the sheet Perustiedot, otherwise fill in the sheets"
)


def _save(wb, folder, organisation, year=YEAR):
    path = template_path(folder, year, organisation)
    save_workbook(wb, path)
    return path


def _lines(done):
    return done.stderr.splitlines()


def _read(wb, folder, strategy, settings):
    """Save ``wb`` as education's workbook and read it: (path, problem lines)."""
    path = _save(wb, folder, "education")
    return path, [str(p) for p in read_submission(path, YEAR, strategy, settings)[1]]


# --- untouched templates and nil returns -----------------------------------------------------------


def test_an_untouched_template_is_a_warning_and_a_stated_nil_return_is_not(tmp_path, strategy):
    inputs = tmp_path / "inputs"
    untouched = _save(build_workbook(strategy, "education", YEAR, "fi"), inputs, "education")
    nil = build_workbook(strategy, "forum_virium", YEAR, "sv")
    nil["Perustiedot"]["B5"] = "Ja"
    _save(nil, inputs, "forum_virium")
    _save(build_workbook(strategy, "culture_leisure", YEAR, "fi", RECORDS), inputs, "culture_leisure")
    done = run_cli("validate", "--year", str(YEAR), "--inputs", str(inputs))
    assert done.returncode == 0, done.stderr
    assert _lines(done) == [
        f"{untouched}: {NIL_WARNING}",
        "1 warning found; check it (it does not keep a workbook out of the report).",
    ]
    assert done.stdout == f"3 workbooks for {YEAR} are valid.\n"


@pytest.mark.parametrize("typed", ["Kyllä", "kyllä", "x", "YES", True])
def test_a_nil_return_is_stated_with_the_dropdown_word_in_any_language_or_an_x(tmp_path, strategy, settings, typed):
    wb = build_workbook(strategy, "education", YEAR, "en")
    wb["Perustiedot"]["B5"] = typed
    submission, problems = read_submission(_save(wb, tmp_path, "education"), YEAR, strategy, settings)
    assert problems == [] and submission.status == "nil_return"


def test_a_nil_return_with_rows_is_refused_as_ambiguous(tmp_path, strategy, settings):
    wb = build_workbook(strategy, "education", YEAR, "fi", RECORDS)
    wb["Perustiedot"]["B5"] = "Kyllä"
    path, problems = _read(wb, tmp_path, strategy, settings)
    assert problems == [
        f"{path}: Perustiedot!B5: 'Nothing to report for the year' is chosen, but the workbook reports 7 rows "
        "(Toiminnot 2, Verkostot 1, Vierailut 1, Näkyvyys 1, Kumppanuudet 1, Mittarit 1); clear the choice if the rows "
        "are right, or delete the rows if there was nothing to report"
    ]


def test_an_old_template_without_the_row_says_where_to_state_a_nil_return(tmp_path, strategy, settings):
    wb = build_workbook(strategy, "education", YEAR, "fi")
    wb["Perustiedot"].delete_rows(5)
    wb["Perustiedot"]["C4"] = wb["Perustiedot"]["B4"] = "2025.1"
    path, problems = _read(wb, tmp_path, strategy, settings)
    assert problems == [
        f"{path}: Perustiedot: warning: no activities reported (every sheet of the template is empty); if the "
        "organisation had no international activity in 2025, confirm this nil return by choosing 'Yes' in a fresh "
        "template, in the row 'Nothing to report for the year' of the sheet Perustiedot, otherwise fill in the sheets"
    ]


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_data_quality_part_lists_empty_templates_apart_from_real_submissions(tmp_path, strategy, settings, lang):
    inputs = tmp_path / "inputs"
    _save(build_workbook(strategy, "education", YEAR, "fi"), inputs, "education")
    nil = build_workbook(strategy, "forum_virium", YEAR, "fi")
    nil["Perustiedot"]["B5"] = "Kyllä"
    _save(nil, inputs, "forum_virium")
    _save(build_workbook(strategy, "culture_leisure", YEAR, "fi", RECORDS), inputs, "culture_leisure")
    result = load_submissions(inputs, [YEAR], strategy, settings)
    write_tables(consolidate(result), tmp_path / "data")
    tables = read_tables(tmp_path / "data")
    assert dict(zip(tables["submissions"]["organisation"], tables["submissions"]["status"], strict=True)) == {
        "culture_leisure": "data",
        "education": "empty",
        "forum_virium": "nil_return",
    }
    html = chapters.data_quality(chapters.Context(YEAR, lang, tables, Report(lang)))
    text = re.sub(r"<[^>]+>", " ", html)
    words = {
        "fi": (
            "Toimitettu",
            "Tyhjä pohja, ei vahvistettu",
            "Ei raportoitavaa (ilmoitettu)",
            "Puuttuu",
            "Vuodelta 2025 tiedot toimitti 1/9 organisaatiota; 6 ei toimittanut.",
            "Tyhjä pohja palautettiin vahvistamatta, ettei raportoitavaa ollut: Kasvatuksen ja koulutuksen toimiala.",
            "Ilmoitus, ettei raportoitavaa kansainvälistä toimintaa ollut: Forum Virium Helsinki.",
        ),
        "sv": (
            "Inlämnad",
            "Tom mall, inte bekräftad",
            "Inget att rapportera (meddelat)",
            "Saknas",
            "För 2025 lämnade 1 av 9 organisationer uppgifter; 6 lämnade inga.",
            "En tom mall skickades utan bekräftelse på att det inte fanns något att rapportera:",
            "Meddelade att det inte fanns någon internationell verksamhet att rapportera: Forum Virium",
        ),
        "en": (
            "Submitted",
            "Empty template, not confirmed",
            "Nothing to report (stated)",
            "Missing",
            "For 2025, 1 of 9 organisations sent their data; 6 did not.",
            "An empty template was returned without confirming that there was nothing to report: Education "
            "Division. Empty templates are not counted as data sent.",
            "Stated that there was no international activity to report: Forum Virium Helsinki.",
        ),
    }
    for phrase in words[lang]:
        assert phrase in " ".join(text.split()), phrase
    label = strategy.organisations.label
    rows = re.findall(r"<tr>\s*<t[hd][^>]*>([^<]+)</t[hd]>\s*<td[^>]*>([^<]+)</td>", html)
    assert (label("education", lang), words[lang][1]) in rows
    assert (label("forum_virium", lang), words[lang][2]) in rows
    assert (label("culture_leisure", lang), words[lang][0]) in rows


# --- one record twice --------------------------------------------------------------------------


def test_one_key_on_two_rows_is_an_error_naming_both_rows(tmp_path, strategy, settings):
    records = {
        **RECORDS,
        "Mittarit": [*RECORDS["Mittarit"], dict(RECORDS["Mittarit"][0], value=4900000)],
        "Verkostot": [*RECORDS["Verkostot"], dict(RECORDS["Verkostot"][0], role="member")],
        "Kumppanuudet": [*RECORDS["Kumppanuudet"], dict(RECORDS["Kumppanuudet"][0], partner_city=" PEKING ")],
    }
    path = _save(build_workbook(strategy, "education", YEAR, "fi", records), tmp_path, "education")
    _, problems = read_submission(path, YEAR, strategy, settings)
    assert sorted(str(p).split(": ", 1)[1] for p in problems) == [
        "Kumppanuudet!A3: the same partner city, country and agreement type as on row 2 ('PEKING', 'CN', 'programme'); "
        "keep one of rows 2 and 3 and delete the other",
        "Mittarit!A3: the same indicator and year as on row 2 ('overnight_stays', '2025'); keep one of rows 2 and 3 "
        "and delete the other",
        "Verkostot!A3: the same network as on row 2 ('c40'); keep one of rows 2 and 3 and delete the other",
    ]


def test_one_indicator_with_two_values_in_two_workbooks_is_refused_in_both(tmp_path, strategy):
    inputs = tmp_path / "inputs"
    first = _save(
        build_workbook(strategy, "helsinki_partners", YEAR, "fi", {"Mittarit": RECORDS["Mittarit"]}), inputs, "helsinki_partners"
    )
    other = dict(RECORDS["Mittarit"][0], value=4900000)
    second = _save(build_workbook(strategy, "cityexec_economic", YEAR, "fi", {"Mittarit": [other]}), inputs, "cityexec_economic")
    same = _save(build_workbook(strategy, "education", YEAR, "fi", {"Mittarit": RECORDS["Mittarit"]}), inputs, "education")
    done = run_cli("validate", "--year", str(YEAR), "--inputs", str(inputs))
    assert done.returncode == 1
    assert _lines(done) == [
        f"{second}: Mittarit!A2: the indicator 'overnight_stays' for 2025 has another value in another workbook of "
        f"2025 (4 900 000 here; 4 924 251 in {same.name} row 2; 4 924 251 in {first.name} row 2); agree with the other "
        "organisation on one value and report it in one workbook only",
        f"{same}: Mittarit!A2: the indicator 'overnight_stays' for 2025 has another value in another workbook of 2025 "
        f"(4 924 251 here; 4 900 000 in {second.name} row 2); agree with the other organisation on one value and report "
        "it in one workbook only",
        f"{first}: Mittarit!A2: the indicator 'overnight_stays' for 2025 has another value in another workbook of 2025 "
        f"(4 924 251 here; 4 900 000 in {second.name} row 2); agree with the other organisation on one value and report "
        "it in one workbook only",
        "3 problems found; fix them and run again.",
    ]


# --- last year's file ----------------------------------------------------------------------------


def test_last_years_workbook_in_this_years_folder_gets_one_message(tmp_path, strategy):
    from hki_intl.example import build_records

    inputs = tmp_path / "inputs"
    wb = build_workbook(strategy, "education", YEAR - 1, "fi", build_records(strategy, "education", YEAR - 1))
    path = _save(wb, inputs / "copied", "education")
    moved = inputs / str(YEAR) / "education.xlsx"
    moved.parent.mkdir(parents=True)
    path.rename(moved)
    done = run_cli("validate", "--year", str(YEAR), "--inputs", str(inputs))
    assert done.returncode == 1
    assert _lines(done) == [
        f"{moved}: Perustiedot!C2: the year does not match the folder 2025 (2024); move the workbook to the folder "
        "2024 or use the 2025 template",
        "1 problem found; fix them and run again.",
    ]


# --- repeated mistakes -----------------------------------------------------------------------------


def test_a_formula_copied_down_a_thousand_rows_is_one_line_and_the_feedback_keeps_every_cell(tmp_path, strategy):
    wb = build_workbook(strategy, "education", YEAR, "fi", RECORDS)
    ws = wb["Toiminnot"]
    for row in range(4, 1001):
        ws[f"L{row}"] = f"=K{row}*0"  # openpyxl saves a formula without its result, like some tools
    path = _save(wb, tmp_path / "inputs", "education")
    feedback = tmp_path / "feedback"
    done = run_cli("validate", "--year", str(YEAR), "--inputs", str(tmp_path / "inputs"), "--feedback", str(feedback))
    assert done.returncode == 1
    assert _lines(done) == [
        f"{path}: Toiminnot!L4:L1000: 997 cells alike, the first L4: external funding is a formula without a saved "
        "result ('=K4*0'); open the workbook in Excel or LibreOffice and save it again, or type the value",
        "1 problem found; fix them and run again.",
    ]
    listing = openpyxl.load_workbook(feedback / str(YEAR) / "education.xlsx")["Korjattavat"]
    cells = [row[2] for row in listing.iter_rows(min_row=4, values_only=True)]
    assert cells == [f"L{row}" for row in range(4, 1001)]
