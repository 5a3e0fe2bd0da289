"""Prefilled templates (``templates --prefill-from``) and the intake's warning for an unconfirmed
carried-over row, through the real command line. What a template should hold is computed here
from last year's workbook with openpyxl, by its Finnish headers, not through the package."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest

from hki_intl.errors import COLLAPSE_AT
from hki_intl.intake.carried import continues
from tests.conftest import RECORDS, run_cli

LAST, YEAR = 2024, 2025
CARRIED = "Siirretty viime vuodelta"
UNCONFIRMED, CONFIRMED = "Siirretty – tarkista", "Siirretty – vahvistettu"
FINISHED = {"Päättynyt", "Peruttu"}  # the statuses completed and cancelled, as the example writes them
# The sheets carried over, the header that names a row in a warning, and the header of the year's own value.
SHEETS = {
    "Toiminnot": ("Nimi", "Tulos"),
    "Verkostot": ("Verkosto", None),
    "Kumppanuudet": ("Kumppanikaupunki", "Yhteinen toiminta tänä vuonna"),
}
NOUNS = {"Toiminnot": "activit", "Verkostot": "network membership", "Kumppanuudet": "partner-city agreement"}
EMPTY_SHEETS = ("Vierailut", "Näkyvyys", "Mittarit", "Nostot")


def _headers(ws) -> list[str]:
    return [str(cell.value).removesuffix(" *") for cell in ws[1]]


def _rows(ws) -> list[tuple]:
    return [row for row in ws.iter_rows(min_row=2, values_only=True) if any(v is not None for v in row)]


def expected_rows(last_year_workbook: Path) -> dict[str, list[tuple]]:
    """Sheet → the rows a prefilled template should hold: every membership and agreement, every
    activity without an end date or ending after 31.12.2024 whose status is not finished; the
    year's own value emptied and the row marked unconfirmed."""
    wb = openpyxl.load_workbook(last_year_workbook)
    expected: dict[str, list[tuple]] = {}
    for sheet, (_, yearly) in SHEETS.items():
        ws = wb[sheet]
        headers = _headers(ws)
        rows = []
        for row in _rows(ws):
            values = dict(zip(headers, row, strict=True))
            if sheet == "Toiminnot":
                end = values["Loppupäivä"]
                if (end is not None and end <= dt.datetime(LAST, 12, 31)) or values["Tila"] in FINISHED:
                    continue
            values[CARRIED] = UNCONFIRMED
            if yearly:
                values[yearly] = None
            rows.append(tuple(values[h] for h in headers))
        expected[sheet] = rows
    return expected


@pytest.fixture(scope="module")
def season(tmp_path_factory):
    """Last year's example workbooks, and this year's templates prefilled from them (the real CLI)."""
    root = tmp_path_factory.mktemp("prefill")
    made = run_cli("example", "--out", str(root / "inputs"), "--years", str(LAST))
    assert made.returncode == 0, made.stderr
    done = run_cli("templates", "--year", str(YEAR), "--out", str(root / "templates"), "--prefill-from", str(root / "inputs"))
    assert done.returncode == 0, done.stderr
    return root, done


def _summary(rows: dict[str, list[tuple]]) -> str:
    counts = {sheet: len(found) for sheet, found in rows.items() if found}
    words = {
        "Toiminnot": ("activity", "activities"),
        "Verkostot": ("network membership", "network memberships"),
        "Kumppanuudet": ("partner-city agreement", "partner-city agreements"),
    }
    total = sum(counts.values())
    return f"{total} rows carried over (" + ", ".join(f"{n} {words[s][n != 1]}" for s, n in counts.items()) + ")"


@pytest.mark.slow
def test_each_template_holds_exactly_last_years_continuing_rows(season, strategy):
    root, done = season
    last, templates = root / "inputs" / str(LAST), root / "templates" / str(YEAR)
    organisations = strategy.organisations_in(YEAR)
    prefilled = [org for org in organisations if (last / f"{org}.xlsx").exists()]
    assert 0 < len(prefilled) < len(organisations)  # the example has an organisation without a 2024 workbook
    for org in prefilled:
        expected = expected_rows(last / f"{org}.xlsx")
        wb = openpyxl.load_workbook(templates / f"{org}.xlsx")
        assert {sheet: _rows(wb[sheet]) for sheet in SHEETS} == expected, org
        assert all(_rows(wb[sheet]) == [] for sheet in EMPTY_SHEETS), org
        assert wb["Perustiedot"]["B2"].value == YEAR and wb["Perustiedot"]["B5"].value is None  # year; no nil return
    education = expected_rows(last / "education.xlsx")
    assert all(education.values()), "education carries rows of every kind"
    ended = len(_rows(openpyxl.load_workbook(last / "education.xlsx")["Toiminnot"])) - len(education["Toiminnot"])
    assert ended > 0, "some of education's 2024 activities ended, and are not carried"

    missing = [org for org in organisations if org not in prefilled]
    assert done.stdout.splitlines() == [
        f"wrote {len(organisations)} templates to {templates}",
        f"wrote the analyst's texts to fill in: analyst-fi.md, analyst-sv.md, analyst-en.md in {templates}",
        f"carried over from {last}: {len(prefilled)} of {len(organisations)} templates prefilled",
        *(f"  {org}.xlsx: {_summary(expected_rows(last / f'{org}.xlsx'))}" for org in prefilled),
        *(f"  {org}.xlsx: empty template: no workbook for {LAST} in {last}" for org in missing),
    ]
    assert not any(_rows(openpyxl.load_workbook(templates / f"{org}.xlsx")[s]) for org in missing for s in SHEETS)


def _unconfirmed(lang: str, sheet: str, name: str) -> str:
    """The warning at an unconfirmed row, written out here in English (the command line's, in the
    tests) and in Finnish (the feedback copy of a Finnish workbook)."""
    if lang == "en":
        noun = {"Toiminnot": "an activity", "Verkostot": "a network membership", "Kumppanuudet": "a partner-city agreement"}
        return (
            f"{noun[sheet]} carried over from {LAST} is not confirmed ('{name}'); check the row, correct what changed and "
            f"choose 'Carried over – confirmed' in the column 'Carried over from last year', or delete the row if it no "
            f"longer continues in {YEAR}"
        )
    noun, what = {
        "Toiminnot": ("toiminto", "toiminto"),
        "Verkostot": ("verkostojäsenyys", "jäsenyys"),
        "Kumppanuudet": ("kaupunkikumppanuus", "kumppanuus"),
    }[sheet]
    return (
        f"vuodelta {LAST} siirretty {noun} ('{name}') on vahvistamatta; tarkista rivi, korjaa muuttuneet tiedot ja valitse "
        f"sarakkeeseen '{CARRIED}' arvo '{CONFIRMED}', tai poista rivi, jos {what} ei enää jatku vuonna {YEAR}"
    )


def _warnings(lang: str, wb, strategy) -> dict[str, list[tuple[str, str]]]:
    """Sheet → (cell, warning) at each unconfirmed row of a Finnish template. A network is named
    by its label in the message's language (the workbook shows the Finnish one)."""
    networks = {entry["fi"]: entry[lang] for entry in strategy.codes("networks").entries}
    found = {}
    for sheet in sorted(SHEETS):
        headers = _headers(wb[sheet])
        letter = openpyxl.utils.get_column_letter(headers.index(CARRIED) + 1)
        named = headers.index(SHEETS[sheet][0])
        found[sheet] = []
        for index, row in enumerate(_rows(wb[sheet]), start=2):
            name = networks[row[named]] if sheet == "Verkostot" else row[named]
            name = name if len(name) <= 60 else name[:57] + "..."  # messages quote 60 characters at most
            found[sheet].append((f"{letter}{index}", _unconfirmed(lang, sheet, name)))
    return found


def _printed(path: Path, warnings: dict[str, list[tuple[str, str]]]) -> list[str]:
    """The lines validate prints: many warnings in one column are one line with their range."""
    lines = []
    for sheet, found in warnings.items():
        if len(found) >= COLLAPSE_AT:
            (first, message), (last, _) = found[0], found[-1]
            lines.append(f"{path}: {sheet}!{first}:{last}: warning: {len(found)} cells alike, the first {first}: {message}")
        else:
            lines.extend(f"{path}: {sheet}!{cell}: warning: {message}" for cell, message in found)
    return lines


@pytest.mark.slow
def test_a_prefilled_template_warns_of_each_unconfirmed_row_until_confirmed(season, tmp_path, strategy):
    root, _ = season
    path = tmp_path / "inputs" / str(YEAR) / "education.xlsx"
    path.parent.mkdir(parents=True)
    shutil.copy(root / "templates" / str(YEAR) / "education.xlsx", path)
    wb = openpyxl.load_workbook(path)
    headers = {sheet: _headers(wb[sheet]) for sheet in SHEETS}

    checked = run_cli("validate", "--year", str(YEAR), "--inputs", str(tmp_path / "inputs"), "--feedback", str(tmp_path / "fb"))
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.splitlines()[-1] == f"1 workbook for {YEAR} is valid."
    printed = _printed(path, _warnings("en", wb, strategy))
    assert any(" cells alike, the first " in line for line in printed)  # education carries many activities
    assert checked.stderr.splitlines() == [
        *printed,
        f"{len(printed)} warnings found; check them (they do not keep workbooks out of the report).",
    ]
    listed = openpyxl.load_workbook(tmp_path / "fb" / str(YEAR) / "education.xlsx")["Korjattavat"]
    assert [row[1:] for row in listed.iter_rows(min_row=4, values_only=True)] == [
        (sheet, cell, f"varoitus: {message}") for sheet, found in _warnings("fi", wb, strategy).items() for cell, message in found
    ]  # the contributor's copy names every row, in the workbook's language

    for sheet in SHEETS:  # the contributor confirms every row
        ws, column = wb[sheet], headers[sheet].index(CARRIED) + 1
        for row in range(2, len(_rows(ws)) + 2):
            ws.cell(row=row, column=column).value = CONFIRMED
    wb.save(path)
    clean = run_cli("validate", "--year", str(YEAR), "--inputs", str(tmp_path / "inputs"))
    assert (clean.returncode, clean.stderr, clean.stdout) == (0, "", f"1 workbook for {YEAR} is valid.\n")


@pytest.mark.slow
def test_a_broken_workbook_last_year_gives_an_empty_template_and_the_others_are_prefilled(season, tmp_path):
    root, _ = season
    prev = tmp_path / "prev"
    shutil.copytree(root / "inputs", prev)
    last = prev / str(LAST)
    wb = openpyxl.load_workbook(last / "education.xlsx")
    wb["Toiminnot"]["I2"] = "14/3/2024"  # a start date in a format the intake refuses
    wb.save(last / "education.xlsx")
    (last / "forum_virium.xlsx").write_bytes(b"this is not a workbook")

    done = run_cli("templates", "--year", str(YEAR), "--out", str(tmp_path / "out"), "--prefill-from", str(prev))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    hint = f"see them all with 'pipeline.py validate --year {LAST} --inputs {prev}'"
    assert (
        f"  education.xlsx: empty template: its {LAST} workbook has 1 error, so nothing was carried over (the first: "
        f"{last / 'education.xlsx'}: Toiminnot!I2: start date is not a valid date ('14/3/2024'); write a date as "
        f"d.m.yyyy (e.g. 14.3.2025) or yyyy-mm-dd); {hint}"
    ) in lines
    broken = next(line for line in lines if line.startswith("  forum_virium.xlsx: "))
    assert broken.startswith(
        f"  forum_virium.xlsx: empty template: its {LAST} workbook has 1 error, so nothing was carried over (the first: "
        f"{last / 'forum_virium.xlsx'}: "
    ) and broken.endswith(f"); {hint}")
    assert lines[2] == f"carried over from {last}: 6 of 9 templates prefilled"
    templates = tmp_path / "out" / str(YEAR)
    for org in ("education", "forum_virium"):
        assert not any(_rows(openpyxl.load_workbook(templates / f"{org}.xlsx")[s]) for s in SHEETS)
    wb = openpyxl.load_workbook(templates / "urban_environment.xlsx")
    assert {s: _rows(wb[s]) for s in SHEETS} == expected_rows(last / "urban_environment.xlsx")


def test_prefill_from_a_folder_without_last_year_is_refused(tmp_path):
    (tmp_path / "prev" / "2023").mkdir(parents=True)
    done = run_cli("templates", "--year", "2025", "--out", str(tmp_path / "out"), "--prefill-from", str(tmp_path / "prev"))
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"error: {tmp_path / 'prev'}: no folder 2024 in it; --prefill-from names the folder that holds "
        f"2024/<organisation-id>.xlsx (the folder given to --inputs), not the year's folder itself\n"
    )
    assert not (tmp_path / "out").exists()  # nothing written


@pytest.mark.parametrize("kind", ["a file", "nothing"])
def test_prefill_from_something_that_is_not_a_folder_is_refused(tmp_path, kind):
    prev = tmp_path / "inputs.zip"
    what = "is not a folder" if kind == "a file" else "does not exist"
    if kind == "a file":
        prev.write_bytes(b"PK")
    done = run_cli("templates", "--year", "2025", "--out", str(tmp_path / "out"), "--prefill-from", str(prev))
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"error: {prev}: the folder given to --prefill-from {what}; name the folder that holds last year's workbooks "
        f"as 2024/<organisation-id>.xlsx (the folder given to --inputs)\n"
    )
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("end", "status", "carried"),
    [
        (None, "ongoing", True),
        (None, "planned", True),
        (dt.date(2025, 1, 1), "ongoing", True),
        (dt.date(2024, 12, 31), "ongoing", False),  # ended on the year's last day
        (dt.date(2024, 6, 30), "planned", False),
        (None, "completed", False),
        (dt.date(2026, 6, 30), "cancelled", False),
    ],
)
def test_an_activity_continues_by_its_end_date_and_status(strategy, end, status, carried):
    assert continues("activities", {"end": end, "status": status}, LAST, strategy) is carried
    assert continues("networks", {}, LAST, strategy)


def test_a_workbook_of_an_older_template_without_the_column_reads_as_before(write_workbook, strategy, settings):
    from hki_intl.intake.read import read_submission

    def older(wb):
        wb["Perustiedot"]["C4"] = wb["Perustiedot"]["B4"] = "2025.3"
        for sheet in SHEETS:
            ws = wb[sheet]
            ws.delete_cols(_headers(ws).index(CARRIED) + 1)

    path = write_workbook(RECORDS, edit=older)
    submission, problems = read_submission(path, YEAR, strategy, settings)
    assert problems == [] and submission is not None and submission.template_version == "2025.3"
    assert submission.tables["networks"][0]["network"] == "c40" and "carried_over" not in submission.tables["networks"][0]


def test_the_carried_over_column_does_not_reach_the_consolidated_tables(tmp_path, strategy, settings):
    from hki_intl.intake.read import load_submissions
    from hki_intl.intake.tables import consolidate
    from hki_intl.workbook.excel import save_workbook
    from hki_intl.workbook.template import build_workbook, template_path

    confirmed = {
        sheet: [{**row, "carried_over": "confirmed"} if sheet in SHEETS else row for row in rows]
        for sheet, rows in RECORDS.items()
    }
    tables = []
    for name, records in (("typed", RECORDS), ("confirmed", confirmed)):
        save_workbook(
            build_workbook(strategy, "education", YEAR, "fi", records), template_path(tmp_path / name, YEAR, "education")
        )
        result = load_submissions(tmp_path / name, [YEAR], strategy, settings)
        assert result.problems == result.warnings == []
        tables.append(consolidate(result))
    typed, carried = tables
    for table in ("activities", "networks", "partnerships"):
        assert "carried_over" not in typed[table].columns
        assert typed[table].equals(carried[table]), table


def test_a_workbook_with_nothing_continuing_and_one_of_an_organisation_gone_are_said(write_workbook, tmp_path):
    from hki_intl import PARAMS_DIR
    from tests.conftest import activity

    params = tmp_path / "params"
    shutil.copytree(PARAMS_DIR, params)
    strategy_file = params / "strategy.yaml"
    text = strategy_file.read_text(encoding="utf-8")
    strategy_file.write_text(
        text.replace(
            "{id: forum_virium, kind: city_company, from: 2006,", "{id: forum_virium, kind: city_company, from: 2006, to: 2024,"
        ),
        encoding="utf-8",
    )
    ended = activity(start=dt.date(LAST, 3, 4), end=dt.date(LAST, 3, 6), status="completed")
    write_workbook({"Toiminnot": [ended]}, organisation="education", year=LAST)
    write_workbook(
        {"Toiminnot": [activity(start=dt.date(LAST, 3, 4), end=None, status="ongoing")]}, organisation="forum_virium", year=LAST
    )

    done = run_cli(
        "--params",
        str(params),
        "templates",
        "--year",
        str(YEAR),
        "--out",
        str(tmp_path / "out"),
        "--prefill-from",
        str(tmp_path / "inputs"),
    )
    assert done.returncode == 0, done.stderr
    last = tmp_path / "inputs" / str(LAST)
    lines = done.stdout.splitlines()
    assert lines[2] == f"carried over from {last}: 0 of 8 templates prefilled"
    assert (
        f"  education.xlsx: empty template: nothing continues from its {LAST} workbook (no network memberships or "
        f"partner-city agreements, and no activity running at the end of {LAST})"
    ) in lines
    assert lines[-1] == f"  forum_virium.xlsx: not carried over: the organisation does not report in {YEAR}"
    assert not (tmp_path / "out" / str(YEAR) / "forum_virium.xlsx").exists()


# --- in the analyst's language (Finnish by default) ------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "fi",
            "virhe: {prev}: siinä ei ole kansiota 2024; anna --prefill-from-valitsimelle kansio, jossa on "
            "2024/<organisaatiotunnus>.xlsx (sama kansio, jonka annat --inputs-valitsimelle), älä vuoden kansiota itseään",
        ),
        (
            "sv",
            "fel: {prev}: den innehåller ingen mapp 2024; ge --prefill-from den mapp som innehåller "
            "2024/<organisations-id>.xlsx (den mapp du ger --inputs), inte årets mapp själv",
        ),
        (
            "en",
            "error: {prev}: no folder 2024 in it; --prefill-from names the folder that holds 2024/<organisation-id>.xlsx "
            "(the folder given to --inputs), not the year's folder itself",
        ),
    ],
)
def test_a_refused_prefill_in_three_languages(tmp_path, lang, expected):
    prev = tmp_path / "prev" / "2024"  # the year's folder itself
    prev.mkdir(parents=True)
    args = ("templates", "--year", "2025", "--out", str(tmp_path / "out"), "--prefill-from", str(prev))
    done = run_cli(*args, messages=None if lang == "fi" else lang)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", expected.format(prev=prev) + "\n")


PREFILLED = {
    "fi": [
        "siirretty kansiosta {last}: esitäytettyjä pohjia 1/9",
        "  education.xlsx: 2 riviä siirretty (1 toiminto, 1 verkostojäsenyys)",
        "  forum_virium.xlsx: tyhjä pohja: sen vuoden 2024 työkirjasta ei jatku mitään (ei verkostojäsenyyksiä eikä "
        "kaupunkikumppanuuksia, eikä vuoden 2024 lopussa käynnissä olevia toimintoja)",
        "  social_health.xlsx: tyhjä pohja: kansiossa {last} ei ole vuoden 2024 työkirjaa",
    ],
    "sv": [
        "överfört från {last}: 1 av 9 mallar förifyllda",
        "  education.xlsx: 2 rader överförda (1 verksamhet, 1 nätverksmedlemskap)",
        "  forum_virium.xlsx: tom mall: inget fortsätter från dess arbetsbok för 2024 (inga nätverksmedlemskap eller "
        "stadspartnerskap, och ingen verksamhet som pågick i slutet av 2024)",
        "  social_health.xlsx: tom mall: ingen arbetsbok för 2024 i {last}",
    ],
    "en": [
        "carried over from {last}: 1 of 9 templates prefilled",
        "  education.xlsx: 2 rows carried over (1 activity, 1 network membership)",
        "  forum_virium.xlsx: empty template: nothing continues from its 2024 workbook (no network memberships or "
        "partner-city agreements, and no activity running at the end of 2024)",
        "  social_health.xlsx: empty template: no workbook for 2024 in {last}",
    ],
}


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_what_was_carried_over_is_said_in_three_languages(write_workbook, tmp_path, lang):
    from tests.conftest import activity

    running = activity(start=dt.date(LAST, 3, 4), end=None, status="ongoing")
    ended = activity(start=dt.date(LAST, 3, 4), end=dt.date(LAST, 3, 6), status="completed")
    write_workbook({"Toiminnot": [running], "Verkostot": RECORDS["Verkostot"]}, organisation="education", year=LAST)
    write_workbook({"Toiminnot": [ended]}, organisation="forum_virium", year=LAST)

    args = ("templates", "--year", str(YEAR), "--out", str(tmp_path / "out"), "--prefill-from", str(tmp_path / "inputs"))
    done = run_cli(*args, messages=None if lang == "fi" else lang)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    summary, education, forum_virium, social_health = (
        line.format(last=tmp_path / "inputs" / str(LAST)) for line in PREFILLED[lang]
    )
    assert lines[2:4] == [summary, education]  # after the templates written and the analyst's texts
    assert forum_virium in lines and social_health in lines
    assert len(lines) == 2 + 1 + 9


UNCONFIRMED_NETWORK = {
    "fi": "varoitus: vuodelta 2024 siirretty verkostojäsenyys ('Scale-verkosto') on vahvistamatta; tarkista rivi, korjaa "
    "muuttuneet tiedot ja valitse sarakkeeseen 'Siirretty viime vuodelta' arvo 'Siirretty – vahvistettu', tai poista "
    "rivi, jos jäsenyys ei enää jatku vuonna 2025",
    "sv": "varning: ett nätverksmedlemskap som förts över från 2024 är inte bekräftat ('Scale-nätverket'); kontrollera "
    "raden, rätta det som ändrats och välj 'Överförd – bekräftad' i kolumnen 'Överförd från förra året', eller ta bort "
    "raden om medlemskapet inte längre fortsätter 2025",
    "en": "warning: a network membership carried over from 2024 is not confirmed ('Scale network'); check the row, correct "
    "what changed and choose 'Carried over – confirmed' in the column 'Carried over from last year', or delete the row "
    "if it no longer continues in 2025",
}


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_an_unconfirmed_row_is_said_in_three_languages_and_in_the_workbooks_own(write_workbook, tmp_path, lang):
    """validate speaks the analyst's language; the feedback copy keeps the workbook's (Swedish here)."""
    network = {**RECORDS["Verkostot"][0], "network": "scale", "carried_over": "unconfirmed"}
    path = write_workbook({**RECORDS, "Verkostot": [network]}, lang="sv")
    args = ("validate", "--year", str(YEAR), "--inputs", str(tmp_path / "inputs"), "--feedback", str(tmp_path / "fb"))
    done = run_cli(*args, *(["--lang", lang] if lang != "fi" else []), messages=None)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[0] == f"{path}: Verkostot!H2: {UNCONFIRMED_NETWORK[lang]}"
    listed = openpyxl.load_workbook(tmp_path / "fb" / str(YEAR) / "education.xlsx")["Att rätta"]
    assert [row[1:] for row in listed.iter_rows(min_row=4, values_only=True)] == [("Verkostot", "H2", UNCONFIRMED_NETWORK["sv"])]
