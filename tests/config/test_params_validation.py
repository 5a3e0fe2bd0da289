"""A mistake in a params file is wrong usage: exit 2 and one line naming the file, the key path
and what is expected — never an internal error (exit 4), whatever the typo.

Each case copies ``params/`` and breaks one thing; the real command line reads the copy.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from hki_intl import PARAMS_DIR
from hki_intl.config.params import load_params
from hki_intl.errors import UsageError
from tests.conftest import run_cli

GOAL_LABEL = "every goal needs a label in fi, sv and en"
TEXT = "every text needs its words in fi, sv and en"
TITLE_FI = '    fi: "Ohjeet: kansainvälisen toiminnan vuosiraportti {year}"\n'
TITLE = TITLE_FI + (
    '    sv: "Anvisningar: årsrapport om internationell verksamhet {year}"\n'
    '    en: "Instructions: annual report of international activities {year}"\n'
)
STRATEGY_FILE_KEYS = (
    "source, goals, focus_areas, activity_types, activity_statuses, funding_sources, network_roles, "
    "visit_directions, visit_levels, media_tones, agreement_types, yes_no, organisations, networks, "
    "cities, countries, indicators and findings"
)
FINDING_RULES = (
    "membership_without_owner, membership_without_goal, twin_city_without_goal, activity_outside_focus_areas, "
    "organisation_did_not_submit"
)
FIRST_DECISION = "      fi: Nimetäänkö jäsenyydelle vastuuyksikkö vai luovutaanko jäsenyydestä?\n"


@dataclass(frozen=True)
class Break:
    """Replace ``old`` (found exactly once) by ``new`` in ``file``; ``line`` is the error line after ``error: ``."""

    id: str
    file: str
    old: str
    new: str
    line: str


COMPETENCE_HEADLINES = "    headlines: [competence_activities, external_funding_eur, eu_funding_eur, benchmarking_activities]\n"

BREAKS = [
    # strategy.yaml
    Break(
        "a label missing",
        "strategy.yaml",
        "    sv: Utveckling av Helsingfors internationella synlighet\n",
        "",
        f"params/strategy.yaml: goals[1].sv: missing; {GOAL_LABEL}",
    ),
    Break(
        "a label empty",
        "strategy.yaml",
        "    sv: Utveckling av Helsingfors internationella synlighet\n",
        "    sv: ''\n",
        f"params/strategy.yaml: goals[1].sv: empty; {GOAL_LABEL}",
    ),
    Break(
        "a list missing",
        "strategy.yaml",
        "countries:\n",
        "REMOVE-LIST",
        "params/strategy.yaml: countries: missing; the file needs the list countries",
    ),
    Break(
        "a list misspelt",
        "strategy.yaml",
        "countries:\n",
        "countrys:\n",
        f"params/strategy.yaml: countrys: unknown key; the file has {STRATEGY_FILE_KEYS}",
    ),
    Break(
        "a list empty",
        "strategy.yaml",
        "yes_no:\n",
        "yes_no: []\nyes_no_was:\n",
        "params/strategy.yaml: yes_no: empty; the file needs the list yes_no (the words yes and no)",
    ),
    Break(
        "a list not a list",
        "strategy.yaml",
        "goals:\n",
        "goals: competence\nold_goals:\n",
        "params/strategy.yaml: goals: 'competence' is not a list",
    ),
    Break(
        "an entry not a mapping",
        "strategy.yaml",
        "goals:\n  - id: competence",
        "goals:\n  - competence\n  - id: competence",
        "params/strategy.yaml: goals[0]: 'competence' is not a set of keys; a goal has id, fi, sv, en, notebook, "
        "figures and headlines",
    ),
    Break(
        "an unknown key",
        "strategy.yaml",
        "{id: smart_city, group: necessary,",
        "{id: smart_city, grup: necessary,",
        "params/strategy.yaml: focus_areas[0].grup: unknown key; a focus area has id, fi, sv, en and group",
    ),
    Break(
        "not true or false",
        "strategy.yaml",
        "{id: horizon_europe, eu: true,",
        "{id: horizon_europe, eu: maybe,",
        "params/strategy.yaml: funding_sources[1].eu: 'maybe' is not true or false",
    ),
    Break(
        "not a whole number",
        "strategy.yaml",
        "{id: AT, numeric: 40,",
        "{id: AT, numeric: forty,",
        "params/strategy.yaml: countries[0].numeric: 'forty' is not a whole number",
    ),
    Break(
        "out of range",
        "strategy.yaml",
        "lat: 59.437,",
        "lat: 959.437,",
        "params/strategy.yaml: cities[0].lat: 959.437 is above 90; every city needs its latitude (lat)",
    ),
    Break(
        "not one of",
        "strategy.yaml",
        "{id: smart_city, group: necessary,",
        "{id: smart_city, group: needed,",
        "params/strategy.yaml: focus_areas[0].group: 'needed' is not 'necessary', 'strength' or 'outside'",
    ),
    Break(
        "Norway unquoted",
        "strategy.yaml",
        '{id: "NO", numeric: 578',
        "{id: NO, numeric: 578",
        "params/strategy.yaml: countries[26].id: false is not text; put it in quotes: YAML reads an unquoted yes, no, "
        "on, off, y or n (in any case) as true or false",
    ),
    Break(
        "a duplicate id",
        "strategy.yaml",
        "  - id: recognition\n",
        "  - id: competence\n",
        "params/strategy.yaml: goals[1].id: 'competence' is already the id of goals[0]; every id in a list is unique",
    ),
    Break(
        "a label of two entries",
        "strategy.yaml",
        "  - {id: c40, fi: C40 Cities,",
        "  - {id: c40, fi: Eurocities,",
        "params/strategy.yaml: networks[1].fi: 'Eurocities' is also the id of networks[0]; a workbook could not tell "
        "the two apart — give each its own",
    ),
    Break(
        "a goal that is not a goal",
        "strategy.yaml",
        "{id: overnight_stays, goal: recognition,",
        "{id: overnight_stays, goal: recognision,",
        "params/strategy.yaml: indicators[0].goal: 'recognision' is not a goal; use one of competence, recognition, influence",
    ),
    Break(
        "a country that is not a country",
        "strategy.yaml",
        "{id: tallinn, country: EE,",
        "{id: tallinn, country: XX,",
        "params/strategy.yaml: cities[0].country: 'XX' is not a country; use an id of countries, e.g. AT, AU, BE, BR, CA …",
    ),
    Break(
        "a notebook that is not there",
        "strategy.yaml",
        "    notebook: influence\n",
        "    notebook: influense\n",
        "params/strategy.yaml: goals[2].notebook: 'influense' is not a notebook (no notebooks/influense.ipynb); use "
        "one of competence, goal, influence, recognition",
    ),
    Break(
        "a goal's figures not text",
        "strategy.yaml",
        "    notebook: competence\n",
        "    notebook: competence\n    figures: [competence]\n",
        "params/strategy.yaml: goals[0].figures: ['competence'] is not text",
    ),
    Break(
        "a headline's unit",
        "strategy.yaml",
        COMPETENCE_HEADLINES,
        "    headlines: [{id: competence_activities, unit: percent}]\n",
        "params/strategy.yaml: goals[0].headlines[0].unit: 'percent' is not 'count' or 'eur'",
    ),
    Break(
        "a headline twice",
        "strategy.yaml",
        COMPETENCE_HEADLINES,
        "    headlines:\n      - {id: media_items, unit: count}\n      - {id: media_items, unit: count}\n",
        "params/strategy.yaml: goals[0].headlines[1].id: 'media_items' is already headlines[0] of this goal; every "
        "headline of a goal is unique",
    ),
    Break(
        "no word for no",
        "strategy.yaml",
        '{id: "no", fi: Ei',
        '{id: "nope", fi: Ei',
        "params/strategy.yaml: yes_no: the ids are 'yes', 'nope'; the list holds exactly the ids 'yes' and 'no' (the "
        "workbook's nil-return choice is its 'yes')",
    ),
    Break(
        "a key twice",
        "strategy.yaml",
        "goals:\n",
        "goals: []\ngoals:\n",
        "params/strategy.yaml: line 21, column 1: the key 'goals' is twice (also on line 20); keep one of them",
    ),
    Break(
        "not YAML",
        "strategy.yaml",
        "  - {id: c40,",
        "  - {id: c40\n",
        "params/strategy.yaml: line 138, column 4: not valid YAML (did not find expected ',' or '}')",
    ),
    # the findings' rules and their decisions
    Break(
        "a finding rule the code cannot check",
        "strategy.yaml",
        "  - id: membership_without_owner\n",
        "  - id: membership_without_owners\n",
        "params/strategy.yaml: findings[0].id: 'membership_without_owners' is not a rule the report can check; use "
        f"one of {FINDING_RULES}",
    ),
    Break(
        "a finding rule without its decision",
        "strategy.yaml",
        "    decision:\n" + FIRST_DECISION,
        "REMOVE-BLOCK",
        "params/strategy.yaml: findings[0].decision: missing; every finding rule needs its decision: the question "
        "leadership decides, in fi, sv and en",
    ),
    Break(
        "a decision without one language",
        "strategy.yaml",
        FIRST_DECISION,
        "",
        f"params/strategy.yaml: findings[0].decision.fi: missing; {TEXT}",
    ),
    Break(
        "a decision with a placeholder",
        "strategy.yaml",
        FIRST_DECISION,
        FIRST_DECISION.replace("?", " ({organisation})?"),
        "params/strategy.yaml: findings[0].decision: the languages fill in different placeholders (fi {organisation}; "
        "sv none; en none); every language needs the same ones",
    ),
    Break(
        "a finding rule twice",
        "strategy.yaml",
        "  - id: membership_without_goal\n",
        "  - id: membership_without_owner\n",
        "params/strategy.yaml: findings[1].id: 'membership_without_owner' is already the id of findings[0]; every id "
        "in a list is unique",
    ),
    Break(
        "no finding rules",
        "strategy.yaml",
        "findings:\n",
        "REMOVE-BLOCK",
        "params/strategy.yaml: findings: missing; the file needs the list findings (the rules the report checks, each "
        "with its decision)",
    ),
    Break(
        "an activity status without finished",
        "strategy.yaml",
        "  - {id: planned, finished: false, ",
        "  - {id: planned, ",
        "params/strategy.yaml: activity_statuses[0].finished: missing; every activity status needs finished: true or false "
        "(a finished activity is not carried into next year)",
    ),
    # report.yaml
    Break(
        "years not a number",
        "report.yaml",
        "compare_years: 2 ",
        "compare_years: two ",
        "params/report.yaml: compare_years: 'two' is not a whole number",
    ),
    Break(
        "years below zero",
        "report.yaml",
        "compare_years: 2 ",
        "compare_years: -1 ",
        "params/report.yaml: compare_years: -1 is below 0; how many earlier years the report compares with",
    ),
    Break(
        "an unknown language",
        "report.yaml",
        "language: fi ",
        "language: de ",
        "params/report.yaml: language: 'de' is not 'fi', 'sv' or 'en'",
    ),
    Break(
        "not a date",
        "report.yaml",
        "report_date: null",
        "report_date: 31.12.2025",
        "params/report.yaml: report_date: '31.12.2025' is not a date (YYYY-MM-DD)",
    ),
    Break(
        "the template version as a setting",
        "report.yaml",
        "year: 2025\n",
        'year: 2025\ntemplate_version: "2025.2"\n',
        "params/report.yaml: template_version: unknown key; the file has year, language, compare_years, report_date, "
        "accepted_template_versions and messages",
    ),
    Break(
        "the written version not accepted",
        "report.yaml",
        '["2025.1", "2025.2", "2025.3", "2025.4"]',
        '["2025.1", "2025.2", "2025.3"]',
        "params/report.yaml: accepted_template_versions: the version the templates are written in ('2025.4') is "
        "missing; add it, or the intake refuses the templates it writes",
    ),
    Break(
        "a version unquoted",
        "report.yaml",
        '["2025.1", "2025.2", "2025.3", "2025.4"]',
        "[2025.1, 2025.2, 2025.3, 2025.4]",
        "params/report.yaml: accepted_template_versions[0]: 2025.1 is not text; put it in quotes",
    ),
    # texts.yaml
    Break(
        "a text missing in one language",
        "texts.yaml",
        "  sv: Helsingfors internationella verksamhet {year}\n",
        "",
        f"params/texts.yaml: report.title.sv: missing; {TEXT}",
    ),
    Break(
        "a text empty in one language",
        "texts.yaml",
        "common.year: {fi: Vuosi, sv: År, en: Year}",
        "common.year: {fi: Vuosi, sv: '', en: Year}",
        f"params/texts.yaml: common.year.sv: empty; {TEXT}",
    ),
    Break(
        "a text in one language only",
        "texts.yaml",
        "common.count: {fi: Lukumäärä, sv: Antal, en: Number}",
        "common.count: Lukumäärä",
        "params/texts.yaml: common.count: 'Lukumäärä' is not a set of keys; a text has fi, sv and en",
    ),
    Break(
        "a text in a fourth language",
        "texts.yaml",
        "common.count: {fi: Lukumäärä, sv: Antal, en: Number}",
        "common.count: {fi: Lukumäärä, sv: Antal, en: Number, de: Anzahl}",
        "params/texts.yaml: common.count.de: unknown key; a text has fi, sv and en",
    ),
    Break(
        "placeholders that differ",
        "texts.yaml",
        "  sv: Helsingfors internationella verksamhet {year}\n",
        "  sv: Helsingfors internationella verksamhet {yaer}\n",
        "params/texts.yaml: report.title: the languages fill in different placeholders (fi {year}; sv {yaer}; en "
        "{year}); every language needs the same ones",
    ),
    Break(
        "a stray brace",
        "texts.yaml",
        "common.year: {fi: Vuosi, sv: År, en: Year}",
        "common.year: {fi: 'Vuosi {', sv: År, en: Year}",
        "params/texts.yaml: common.year: the fi text has a stray brace (Single '{' encountered in format string); "
        "write placeholders as {name}",
    ),
    Break(
        "a text key twice",
        "texts.yaml",
        "common.year: {fi: Vuosi, sv: År, en: Year}",
        "common.year: {fi: Vuosi, sv: År, en: Year}\ncommon.year: {fi: Vuosi, sv: År, en: Years}",
        "params/texts.yaml: line 24, column 1: the key 'common.year' is twice (also on line 23); keep one of them",
    ),
    # workbook.yaml
    Break(
        "two states of a carried-over row alike",
        "workbook.yaml",
        "    confirmed: {fi: Siirretty – vahvistettu,",
        "    confirmed: {fi: Siirretty – tarkista,",
        "params/workbook.yaml: template.carried_over.confirmed.fi: 'Siirretty – tarkista' is also a word of the state "
        "unconfirmed; a workbook could not tell the two apart — give each its own",
    ),
    Break(
        "a carried-over state's words missing",
        "workbook.yaml",
        "    confirmed: {fi: Siirretty – vahvistettu, sv: Överförd – bekräftad, en: Carried over – confirmed}\n",
        "",
        "params/workbook.yaml: template.carried_over.confirmed: missing; the carried-over column needs the words of a "
        "confirmed row in fi, sv and en",
    ),
    Break(
        "a column's words missing",
        "workbook.yaml",
        "      budget_eur:\n",
        "REMOVE-BLOCK",
        "params/workbook.yaml: sheets.Toiminnot.columns.budget_eur: missing; every column of the schema needs its "
        "label and help in fi, sv and en",
    ),
    Break(
        "a column that is not the schema's",
        "workbook.yaml",
        "      budget_eur:\n",
        "      budget:\n",
        "params/workbook.yaml: sheets.Toiminnot.columns.budget: unknown column; the columns of Toiminnot are title, "
        "activity_type, goal, focus_area, partner_cities, partner_countries, partner_organisations, network, start, "
        "end, budget_eur, external_funding_eur, funding_source, status, outcome, carried_over",
    ),
    Break(
        "a header missing in one language",
        "workbook.yaml",
        "        label: {fi: Kaupunki, sv: Stad, en: City}\n",
        "        label: {fi: Kaupunki, en: City}\n",
        f"params/workbook.yaml: sheets.Vierailut.columns.city.label.sv: missing; {TEXT}",
    ),
    Break(
        "a header of two columns",
        "workbook.yaml",
        "        label: {fi: Loppupäivä, sv: Slutdatum, en: End date}\n",
        "        label: {fi: Loppupäivä, sv: Slutdatum, en: Start date}\n",
        "params/workbook.yaml: sheets.Toiminnot.columns.end.label.en: 'Start date' is also a header of the column "
        "start; the intake could not tell the two apart — give each column its own",
    ),
    Break(
        "an example that is not a code",
        "workbook.yaml",
        "        example: competence\n",
        "        example: competance\n",
        "params/workbook.yaml: sheets.Toiminnot.columns.goal.example: 'competance' is not a goal; use one of "
        "competence, recognition, influence",
    ),
    Break(
        "a placeholder the code does not fill",
        "workbook.yaml",
        TITLE,
        TITLE.replace("{year}", "{yaer}"),
        "params/workbook.yaml: template.title: {yaer} is not filled in here; the placeholders here are {year}",
    ),
    Break(
        "a sheet name Excel refuses",
        "workbook.yaml",
        "list_sheet: {fi: Korjattavat,",
        'list_sheet: {fi: "Korjattavat: nämä",',
        "params/workbook.yaml: feedback.list_sheet: the fi name 'Korjattavat: nämä' cannot name a sheet; Excel allows "
        "at most 31 characters, none of [ ] : * ? / \\ and no apostrophe at either end",
    ),
    Break(
        "a sheet name taken",
        "workbook.yaml",
        "  instructions_sheet: {fi: Ohjeet,",
        "  instructions_sheet: {fi: Toiminnot,",
        "params/workbook.yaml: template.instructions_sheet: 'Toiminnot' already names a sheet of the template; give "
        "the sheet its own name",
    ),
]


def _broken(tmp_path: Path, case: Break) -> None:
    """``tmp_path/params``: a copy of params/ with the case's one mistake."""
    params = tmp_path / "params"
    shutil.copytree(PARAMS_DIR, params)
    path = params / case.file
    text = path.read_text(encoding="utf-8")
    assert text.count(case.old) == 1, f"{case.file} no longer holds {case.old!r} once"
    if case.new == "REMOVE-LIST":  # the key and its entries
        text = re.sub(rf"{re.escape(case.old)}(  - .*\n)+", "", text)
    elif case.new == "REMOVE-BLOCK":  # the key and everything indented below it
        indent = len(case.old) - len(case.old.lstrip())
        text = re.sub(rf"{re.escape(case.old)}(( {{{indent + 1},}}.*)?\n)+", "", text)
    else:
        text = text.replace(case.old, case.new)
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("case", BREAKS, ids=[case.id for case in BREAKS])
def test_a_mistake_in_the_params_is_one_line_and_exit_2(tmp_path, case):
    _broken(tmp_path, case)
    result = run_cli("--params", "params", "validate", "--year", "2025", "--inputs", "inputs", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (2, f"error: {case.line}\n")


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "fi",
            "virhe: params/workbook.yaml: template.carried_over.unconfirmed: puuttuu; siirrettyjen rivien sarake tarvitsee "
            "vahvistamattoman rivin sanat kielillä fi, sv ja en",
        ),
        (
            "sv",
            "fel: params/workbook.yaml: template.carried_over.unconfirmed: saknas; kolumnen för överförda rader behöver "
            "orden för en obekräftad rad på fi, sv och en",
        ),
        (
            "en",
            "error: params/workbook.yaml: template.carried_over.unconfirmed: missing; the carried-over column needs the "
            "words of an unconfirmed row in fi, sv and en",
        ),
    ],
)
def test_a_carried_over_states_words_missing_in_three_languages(tmp_path, lang, expected):
    """What the key expects comes from the catalogue too (its description is the key); Finnish by default."""
    _broken(
        tmp_path,
        Break(
            lang,
            "workbook.yaml",
            "    unconfirmed: {fi: Siirretty – tarkista,",
            "    # unconfirmed: {fi: Siirretty – tarkista,",
            "",
        ),
    )
    args = ("--params", "params", "templates", "--year", "2025", "--out", "out")
    result = run_cli(*args, cwd=tmp_path, messages=None if lang == "fi" else lang)
    assert (result.returncode, result.stderr) == (2, expected + "\n")
    assert not (tmp_path / "out").exists()


def test_a_goal_may_name_its_headlines_by_id_and_its_figures_module(tmp_path):
    params = tmp_path / "params"
    shutil.copytree(PARAMS_DIR, params)
    (params / "targets.yaml").unlink()  # its example targets name headlines that this case leaves out
    strategy = params / "strategy.yaml"
    strategy.write_text(
        strategy.read_text(encoding="utf-8").replace(
            COMPETENCE_HEADLINES,
            (
                "    figures: competence\n"
                "    headlines: [competence_activities, {id: eu, unit: eur}, {id: visits, measure: benchmarking_activities}]\n"
            ),
        ),
        encoding="utf-8",
    )
    goal = load_params(params).strategy.data["goals"][0]
    assert (goal["figures"], goal["headlines"]) == (
        "competence",
        [{"id": "competence_activities"}, {"id": "eu", "unit": "eur"}, {"id": "visits", "measure": "benchmarking_activities"}],
    )


def test_a_missing_or_empty_params_file_is_one_line(tmp_path):
    params = tmp_path / "params"
    shutil.copytree(PARAMS_DIR, params)
    (params / "workbook.yaml").unlink()
    result = run_cli("--params", str(params), "templates", "--year", "2025", "--out", str(tmp_path / "out"))
    assert (result.returncode, result.stderr) == (2, f"error: {params / 'workbook.yaml'}: the params file is missing\n")
    (params / "strategy.yaml").write_text("# nothing yet\n", encoding="utf-8")
    result = run_cli("--params", str(params), "templates", "--year", "2025", "--out", str(tmp_path / "out"))
    assert (result.returncode, result.stderr) == (2, f"error: {params / 'strategy.yaml'}: the file is empty\n")
    assert not (tmp_path / "out").exists()


def test_the_params_folder_in_use_gives_the_workbook_its_words(tmp_path):
    """Templates and the intake use the words of ``--params``: a renamed header is written and read."""
    params = tmp_path / "params"
    shutil.copytree(PARAMS_DIR, params)
    words = params / "workbook.yaml"
    text = words.read_text(encoding="utf-8")
    text = text.replace("instructions_sheet: {fi: Ohjeet,", "instructions_sheet: {fi: Lue ensin,")
    text = text.replace("label: {fi: Päätavoite, sv: Huvudmål, en: Primary goal}", "label: {fi: Tavoite, sv: Mål, en: Goal}")
    words.write_text(text, encoding="utf-8")
    made = run_cli("--params", str(params), "templates", "--year", "2025", "--out", str(tmp_path / "inputs"))
    assert made.returncode == 0, made.stderr
    wb = openpyxl.load_workbook(tmp_path / "inputs" / "2025" / "education.xlsx")
    assert wb.sheetnames[0] == "Lue ensin"
    assert wb["Toiminnot"]["C1"].value == "Tavoite *"
    checked = run_cli("--params", str(params), "validate", "--year", "2025", "--inputs", str(tmp_path / "inputs"))
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout == "9 workbooks for 2025 are valid.\n"
    assert "Lue ensin" not in checked.stderr  # the instructions sheet is the template's own, not the contributor's


MUTATIONS = (  # what a hurried edit does to one line
    lambda line: "",
    lambda line: line + "\n" + line,
    lambda line: line.replace(": ", ": []", 1),
    lambda line: line.replace(": ", ": {}", 1),
    lambda line: line.replace(": ", ": null #", 1),
    lambda line: line.replace(": ", ": 12 #", 1),
    lambda line: line.replace(": ", ": yes #", 1),
    lambda line: line.replace(": ", ": '' #", 1),
    lambda line: line.replace(":", "", 1),
    lambda line: "\t" + line,
    lambda line: line.replace("{", "{{", 1),
    lambda line: line.replace("}", "", 1),
    lambda line: line[: len(line) // 2],
    lambda line: line.replace("  ", "", 1),
)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["strategy.yaml", "report.yaml", "texts.yaml", "workbook.yaml", "targets.yaml"])
def test_whatever_the_typo_the_params_load_or_fail_with_one_line(tmp_path, name):
    """Every line of a file, broken in one of the ways above (a sample of them): the folder loads,
    or fails as wrong usage with one line — never with another exception (exit 4)."""
    params = tmp_path / "params"
    shutil.copytree(PARAMS_DIR, params)
    lines = (PARAMS_DIR / name).read_text(encoding="utf-8").split("\n")
    tried = 0
    for index, line in enumerate(lines):
        for number, mutate in enumerate(MUTATIONS):
            if (index + number) % 11 and name != "report.yaml":
                continue
            (params / name).write_text("\n".join([*lines[:index], mutate(line), *lines[index + 1 :]]), encoding="utf-8")
            tried += 1
            try:
                load_params(params)
            except UsageError as error:
                assert "\n" not in str(error), str(error)
    assert tried >= len(lines)
