"""Feedback for contributors (annotated copies), the analyst's summary, and --allow-partial."""

import csv
import hashlib

import openpyxl
import pytest
from openpyxl.comments import Comment

from hki_intl.errors import UsageError
from hki_intl.intake import load_submissions
from hki_intl.intake.tables import TABLES
from hki_intl.messages import use_language
from hki_intl.workbook.excel import save_workbook
from hki_intl.workbook.feedback import write_feedback
from hki_intl.workbook.template import build_workbook, template_path
from tests.conftest import activity, run_cli

YEAR = 2025
VERSION_MESSAGE = (
    "the template version is not accepted ('2024.1'); use a template of version 2025.1 or 2025.2 or 2025.3 or "
    "2025.4: copy your rows into a fresh template made with 'pipeline.py templates'"
)
TYPE_MESSAGE = "unknown type ('Seminaari'); choose a value from the dropdown, e.g. 'Project', 'EU project', 'Network work' …"
TITLE_MESSAGE = "title is required (empty); fill in the cell"
FEE_MESSAGE = "annual fee is below 0 ('-5'); write a value of 0 or more"
# The copy of a Finnish workbook speaks Finnish, whatever the analyst's language (English in the tests).
FI_VERSION = (
    "pohjan versiota ei hyväksytä ('2024.1'); käytä pohjan versiota 2025.1 tai 2025.2 tai 2025.3 tai 2025.4: kopioi rivit "
    "uuteen pohjaan, jonka 'pipeline.py templates' tekee"
)
FI_TYPE = "tyyppi: tuntematon arvo ('Seminaari'); valitse arvo pudotusvalikosta, esim. 'Hanke', 'EU-hanke', 'Verkostotyö' …"
FI_TITLE = "nimi: pakollinen tieto puuttuu (tyhjä); täytä solu"
FI_FEE = "vuosimaksu: pienempi kuin 0 ('-5'); kirjoita arvo 0 tai enemmän"
MEMBERSHIP = {
    "network": "c40",
    "role": "member",
    "owner_unit": None,
    "goal": "influence",
    "justification": "C40",
    "annual_fee_eur": 1000,
    "review_year": 2026,
}


def _break(wb):
    wb["Toiminnot"]["B2"] = "Seminaari"
    wb["Toiminnot"]["B2"].comment = Comment("Meillä tämä on seminaari.", "Contributor")
    wb["Toiminnot"]["A3"] = None
    wb["Verkostot"]["F2"] = -5
    wb["Perustiedot"]["C4"] = wb["Perustiedot"]["B4"] = "2024.1"  # last year's template


@pytest.fixture
def inputs(write_workbook, tmp_path):
    """education (broken in four cells), forum_virium (clean, one finding), and a text file."""
    broken = write_workbook({"Toiminnot": [activity(), activity()], "Verkostot": [dict(MEMBERSHIP, owner_unit="X")]}, edit=_break)
    write_workbook({"Toiminnot": [activity()], "Verkostot": [MEMBERSHIP]}, organisation="forum_virium")
    (broken.parent / "social_health.xlsx").write_text("not a workbook\n")
    return tmp_path / "inputs", broken


def _values(ws):
    return [list(row) for row in ws.iter_rows(values_only=True)]


def test_the_feedback_copy_highlights_and_comments_every_bad_cell_and_keeps_every_value(inputs, tmp_path, strategy, settings):
    folder, broken = inputs
    before = hashlib.sha256(broken.read_bytes()).hexdigest()
    result = load_submissions(folder, [YEAR], strategy, settings)
    written = write_feedback(result, YEAR, tmp_path / "feedback", strategy)
    copy = tmp_path / "feedback" / str(YEAR) / "education.xlsx"
    assert written.copies == [copy]  # the clean workbook and the text file get no copy
    assert hashlib.sha256(broken.read_bytes()).hexdigest() == before  # the original is only read

    original, annotated = openpyxl.load_workbook(broken), openpyxl.load_workbook(copy)
    assert annotated.sheetnames == ["Korjattavat", *original.sheetnames]
    assert annotated.active.title == "Korjattavat"
    assert [ws.title for ws in annotated.worksheets if ws.sheet_view.tabSelected] == ["Korjattavat"]
    for ws in original.worksheets:  # the contributor's values, every cell of every sheet, unchanged
        assert _values(annotated[ws.title]) == _values(ws), ws.title

    listing = annotated["Korjattavat"]
    assert _values(listing) == [
        [
            "4 korjattavaa kohtaa tiedostossa education.xlsx. Korjaa korostetut solut (jokaisessa on kommentti) ja "
            "lähetä työkirja uudelleen.",
            None,
            None,
            None,
        ],
        [None, None, None, None],
        ["Nro", "Välilehti", "Solu", "Mitä korjata"],
        [1, "Perustiedot", "C4", FI_VERSION],
        [2, "Toiminnot", "B2", FI_TYPE],
        [3, "Toiminnot", "A3", FI_TITLE],
        [4, "Verkostot", "F2", FI_FEE],
    ]
    assert [listing[f"C{r}"].hyperlink.location for r in range(4, 8)] == [
        "'Perustiedot'!C4",
        "'Toiminnot'!B2",
        "'Toiminnot'!A3",
        "'Verkostot'!F2",
    ]

    bad = {
        ("Perustiedot", "C4"): FI_VERSION,
        ("Toiminnot", "A3"): FI_TITLE,
        ("Toiminnot", "B2"): FI_TYPE,
        ("Verkostot", "F2"): FI_FEE,
    }
    for (sheet, ref), message in bad.items():
        cell = annotated[sheet][ref]
        assert cell.fill.fgColor.rgb == "00FFE977" and cell.border.left.style == "medium", (sheet, ref)
        expected = f"• {message}"
        if (sheet, ref) == ("Toiminnot", "B2"):  # the contributor's own comment is kept above ours
            expected = f"Meillä tämä on seminaari.\n\n{expected}"
        assert cell.comment.text == expected
    commented = {(ws.title, c.coordinate) for ws in annotated.worksheets for row in ws.iter_rows() for c in row if c.comment}
    assert commented == set(bad)
    assert annotated["Toiminnot"]["A2"].fill.fgColor.rgb != "00FFE977"
    assert not annotated["Perustiedot"].column_dimensions["C"].hidden  # the bad value is in a hidden column
    assert annotated["Toiminnot"].data_validations.dataValidation  # the dropdowns are still there


def test_the_analyst_summary_names_clean_broken_and_missing_organisations(inputs, tmp_path, strategy, settings):
    folder, _ = inputs
    result = load_submissions(folder, [YEAR], strategy, settings)
    written = write_feedback(result, YEAR, tmp_path / "feedback", strategy)
    assert written.summary == tmp_path / "feedback" / f"summary-{YEAR}.xlsx"
    summary = openpyxl.load_workbook(written.summary)
    assert summary.sheetnames == ["Summary", "Problems", "Findings"]
    rows = _values(summary["Summary"])
    assert rows[0] == ["organisation", "name", "file", "status", "errors", "warnings", "findings"]
    by_org = {r[0]: r[2:] for r in rows[1:]}
    assert by_org["education"] == ["education.xlsx", "errors", 4, 0, None]
    assert by_org["forum_virium"] == ["forum_virium.xlsx", "clean", 0, 0, 1]  # the membership without an owner
    assert by_org["social_health"] == ["social_health.xlsx", "errors", 1, 0, None]
    assert by_org["culture_leisure"] == [None, "not received", None, None, None]  # status's word
    assert set(by_org) == set(strategy.organisations_in(YEAR))
    assert {r[0]: r[1] for r in rows[1:]}["culture_leisure"] == "Culture and Leisure Division"  # the analyst's language
    findings = _values(summary["Findings"])
    assert findings[0] == ["rule", "organisation", "item", "source file", "source row"]
    assert [r[2:] for r in findings[1:]] == [["c40", "forum_virium.xlsx", 2]]
    problems = _values(summary["Problems"])
    assert problems[0] == ["file", "sheet", "cell", "severity", "message"]
    assert ["education.xlsx", "Toiminnot", "B2", "error", TYPE_MESSAGE] in problems
    assert len(problems) == 1 + 5


def test_the_list_sheet_speaks_the_template_language(write_workbook, tmp_path, strategy, settings):
    write_workbook(lang="sv", edit=lambda wb: wb["Toiminnot"].__setitem__("B2", "Seminarium"))
    result = load_submissions(tmp_path / "inputs", [YEAR], strategy, settings)
    (copy,) = write_feedback(result, YEAR, tmp_path / "feedback", strategy).copies
    listing = openpyxl.load_workbook(copy).worksheets[0]
    assert listing.title == "Att rätta"
    assert listing["A1"].value.startswith("1 saker att rätta i filen education.xlsx.")
    expected = (
        "typ: okänt värde ('Seminarium'); välj ett värde i rullgardinslistan, t.ex. 'Projekt', 'EU-projekt', 'Nätverksarbete' …"
    )
    assert listing["D4"].value == expected
    assert openpyxl.load_workbook(copy)["Toiminnot"]["B2"].comment.text == f"• {expected}"


def test_an_english_workbook_gets_its_feedback_in_english_while_the_analyst_reads_finnish(
    write_workbook, tmp_path, strategy, settings
):
    write_workbook(lang="en", edit=lambda wb: wb["Toiminnot"].__setitem__("B2", "Seminaari"))
    use_language("fi")
    try:
        result = load_submissions(tmp_path / "inputs", [YEAR], strategy, settings)
        (copy,) = write_feedback(result, YEAR, tmp_path / "feedback", strategy).copies
        summary = openpyxl.load_workbook(tmp_path / "feedback" / f"summary-{YEAR}.xlsx")
    finally:
        use_language("en")
    listing = openpyxl.load_workbook(copy).worksheets[0]
    assert listing.title == "To fix"
    assert listing["D4"].value == TYPE_MESSAGE
    assert _values(summary["Ongelmat"])[1][4] == FI_TYPE  # the analyst's summary: the analyst's language


def test_feedback_never_overwrites_an_input(inputs, strategy, settings):
    folder, broken = inputs
    before = broken.read_bytes()
    result = load_submissions(folder, [YEAR], strategy, settings)
    with pytest.raises(UsageError, match="the feedback would overwrite an input workbook; give --feedback another"):
        write_feedback(result, YEAR, folder, strategy)
    assert broken.read_bytes() == before


def test_validate_with_feedback_through_the_command_line(inputs, tmp_path):
    folder, broken = inputs
    out = tmp_path / "feedback"
    result = run_cli("validate", "--year", str(YEAR), "--inputs", str(folder), "--feedback", str(out))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"feedback: 1 annotated workbook in {out / str(YEAR)} (education.xlsx); summary {out / f'summary-{YEAR}.xlsx'}"
    ]
    text = folder / str(YEAR) / "social_health.xlsx"
    assert result.stderr.splitlines() == [
        f"{broken}: Perustiedot!C4: {VERSION_MESSAGE}",
        f"{broken}: Toiminnot!B2: {TYPE_MESSAGE}",
        f"{broken}: Toiminnot!A3: {TITLE_MESSAGE}",
        f"{broken}: Verkostot!F2: {FEE_MESSAGE}",
        f"{text}: the file is not an Excel workbook (text starting 'not a workbook'); save it in Excel as "
        "'Excel Workbook (*.xlsx)'",
        "5 problems found; fix them and run again.",
    ]
    assert (out / str(YEAR) / "education.xlsx").is_file()


def _summary_through_the_command_line(inputs, tmp_path, strategy, messages):
    """``validate --feedback`` on the fixture's inputs plus an untouched template (urban_environment)
    and a stated nil return (helsinki_partners): the summary's sheets, by sheet name."""
    folder, _ = inputs
    build = build_workbook(strategy, "urban_environment", YEAR, "fi")
    save_workbook(build, template_path(folder, YEAR, "urban_environment"))
    nil = build_workbook(strategy, "helsinki_partners", YEAR, "sv")
    nil["Perustiedot"]["B5"] = "Ja"
    save_workbook(nil, template_path(folder, YEAR, "helsinki_partners"))
    out = tmp_path / "feedback"
    done = run_cli("validate", "--year", str(YEAR), "--inputs", str(folder), "--feedback", str(out), messages=messages)
    assert done.returncode == 1, done.stderr
    summary = openpyxl.load_workbook(out / f"summary-{YEAR}.xlsx")
    return {ws.title: ws for ws in summary.worksheets}


def test_the_analyst_summary_is_in_finnish_by_default(inputs, tmp_path, strategy):
    sheets = {title: _values(ws) for title, ws in _summary_through_the_command_line(inputs, tmp_path, strategy, None).items()}
    assert list(sheets) == ["Yhteenveto", "Ongelmat", "Havainnot"]
    assert sheets["Yhteenveto"] == [
        ["organisaatio", "nimi", "tiedosto", "tila", "virheet", "varoitukset", "havainnot"],
        ["cityexec_communications", "Kaupunginkanslia, viestintä", None, "ei saapunut", None, None, None],
        ["cityexec_economic", "Kaupunginkanslia, elinkeino-osasto", None, "ei saapunut", None, None, None],
        ["cityexec_international", "Kaupunginkanslia, kansainväliset asiat", None, "ei saapunut", None, None, None],
        ["culture_leisure", "Kulttuurin ja vapaa-ajan toimiala", None, "ei saapunut", None, None, None],
        ["education", "Kasvatuksen ja koulutuksen toimiala", "education.xlsx", "virheitä", 4, 0, None],
        ["forum_virium", "Forum Virium Helsinki", "forum_virium.xlsx", "kunnossa", 0, 0, 1],
        ["helsinki_partners", "Helsinki Partners", "helsinki_partners.xlsx", "ei raportoitavaa", 0, 0, 0],
        ["social_health", "Sosiaali-, terveys- ja pelastustoimiala", "social_health.xlsx", "virheitä", 1, 0, None],
        ["urban_environment", "Kaupunkiympäristön toimiala", "urban_environment.xlsx", "tyhjä pohja", 0, 1, 0],
    ]
    problems = sheets["Ongelmat"]
    assert problems[0] == ["tiedosto", "välilehti", "solu", "vakavuus", "viesti"]
    assert ["education.xlsx", "Toiminnot", "B2", "virhe", FI_TYPE] in problems
    assert [row[:4] for row in problems if row[3] == "varoitus"] == [["urban_environment.xlsx", "Perustiedot", "B5", "varoitus"]]
    assert sheets["Havainnot"] == [
        ["sääntö", "organisaatio", "kohde", "lähdetiedosto", "lähderivi"],
        ["membership_without_owner", "forum_virium", "c40", "forum_virium.xlsx", 2],
    ]


def test_the_analyst_summary_in_swedish(inputs, tmp_path, strategy):
    workbook = _summary_through_the_command_line(inputs, tmp_path, strategy, "sv")
    sheets = {title: _values(ws) for title, ws in workbook.items()}
    assert list(sheets) == ["Sammanfattning", "Problem", "Iakttagelser"]
    summary = sheets["Sammanfattning"]
    assert summary[0] == ["organisation", "namn", "fil", "status", "fel", "varningar", "iakttagelser"]
    by_org = {row[0]: row[1:4] for row in summary[1:]}
    assert {org: by_org[org] for org in by_org if not org.startswith("cityexec_")} == {
        "culture_leisure": ["Kultur- och fritidssektorn", None, "inte inkommen"],
        "education": ["Fostran och utbildning", "education.xlsx", "fel"],
        "forum_virium": ["Forum Virium Helsinki", "forum_virium.xlsx", "utan anmärkningar"],
        "helsinki_partners": ["Helsinki Partners", "helsinki_partners.xlsx", "inget att rapportera"],
        "social_health": ["Social-, hälsovårds- och räddningssektorn", "social_health.xlsx", "fel"],
        "urban_environment": ["Stadsmiljösektorn", "urban_environment.xlsx", "tom mall"],
    }
    assert by_org["cityexec_international"] == ["Stadskansliet, internationella ärenden", None, "inte inkommen"]
    problems = sheets["Problem"]
    assert problems[0] == ["fil", "flik", "cell", "allvarlighetsgrad", "meddelande"]
    assert workbook["Problem"].column_dimensions["D"].width >= len("allvarlighetsgrad") + 3  # the header and its filter button
    assert workbook["Sammanfattning"].column_dimensions["D"].width >= len("inget att rapportera")  # the longest status word
    assert {row[3] for row in problems[1:]} == {"fel", "varning"}
    assert ["education.xlsx", "Toiminnot", "B2", "fel"] in [row[:4] for row in problems]
    assert sheets["Iakttagelser"][0] == ["regel", "organisation", "objekt", "källfil", "källrad"]


def test_run_stops_on_errors_and_lists_them_all(inputs, tmp_path):
    folder, broken = inputs
    result = run_cli("run", "--year", str(YEAR), "--inputs", str(folder), "--out", str(tmp_path / "report"))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[-1] == "5 problems found; fix them and run again."
    assert f"{broken}: Toiminnot!B2: {TYPE_MESSAGE}" in lines
    assert not (tmp_path / "report").exists()


@pytest.mark.slow
def test_run_with_allow_partial_reports_without_the_broken_workbooks(tmp_path, strategy):
    from hki_intl.example import build_example

    inputs = tmp_path / "inputs"
    build_example(strategy, [YEAR - 1, YEAR], inputs)
    broken = inputs / str(YEAR) / "education.xlsx"
    wb = openpyxl.load_workbook(broken)
    wb["Toiminnot"]["B5"] = "Seminaari"
    wb.save(broken)
    out = tmp_path / "report"
    result = run_cli("run", "--year", str(YEAR), "--inputs", str(inputs), "--out", str(out), "--allow-partial", "--quiet")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[:2] == [
        f"{broken}: Toiminnot!B5: {TYPE_MESSAGE}",
        "1 problem found; the report leaves out 1 workbook (education.xlsx) and names them in its data-quality part.",
    ]
    with open(out / TABLES / "problems.csv", encoding="utf-8") as handle:
        [row] = list(csv.DictReader(handle))
    fields = {"file": str(broken), "sheet": "Toiminnot", "cell": "B5", "severity": "error", "message": TYPE_MESSAGE}
    assert row == fields | {"message_fi": row["message_fi"], "message_sv": row["message_sv"], "message_en": TYPE_MESSAGE}
    assert row["message_fi"].startswith("tyyppi: tuntematon arvo") and row["message_sv"].startswith("typ: okänt värde")
    with open(out / "data" / "submissions.csv", encoding="utf-8") as handle:
        accepted = {(r["organisation"], r["year"]) for r in csv.DictReader(handle)}
    assert ("education", str(YEAR)) not in accepted and ("education", str(YEAR - 1)) in accepted
