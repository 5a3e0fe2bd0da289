"""The consolidated tables for the analyst's own questions: labels and headers in fi, sv and en,
counts and sums equal to the CSVs; the explore notebook run against the example report."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from hki_intl import EXPLORE_NOTEBOOK
from hki_intl.config.params import LANGUAGES
from hki_intl.errors import UsageError
from hki_intl.intake import IntakeResult, Submission
from hki_intl.intake.tables import TABLES as TABLES_DIR
from hki_intl.intake.tables import consolidate, write_tables
from hki_intl.messages import use_language
from hki_intl.report.explore import TABLES, ReportTables
from hki_intl.workbook.schema import SHEETS
from tests.conftest import YEAR, activity


def _records(organisation: str, year: int, rows: list[dict]) -> list[dict]:
    return [
        {**row, "organisation": organisation, "year": year, "source_file": f"{organisation}.xlsx", "source_row": n}
        for n, row in enumerate(rows, 2)
    ]


@pytest.fixture
def report(tmp_path) -> Path:
    """A report folder with data/: three activities of education in 2025 (one without a network,
    one with two partner countries), one of culture in 2025 and one of education in 2024."""
    rows = {
        ("education", 2025): [
            activity(),
            activity(
                title="Horizon", goal="influence", network=None, partner_countries=["SE", "DK"], external_funding_eur=1000.5
            ),
            activity(title="Erasmus", external_funding_eur=250.0),
        ],
        ("culture_leisure", 2025): [activity(goal="recognition", external_funding_eur=30.0)],
        ("education", 2024): [activity(start=dt.date(2024, 3, 4), end=None)],
    }
    submissions = []
    for (organisation, year), activities in rows.items():
        submission = Submission(organisation, year, Path(f"{organisation}.xlsx"), "2025.3", "")
        submission.tables = {sheet.table: [] for sheet in SHEETS}
        for record in activities:  # as the intake stores a list of codes: ``SE;DK``
            if isinstance(record["partner_countries"], list):
                record["partner_countries"] = ";".join(record["partner_countries"])
        submission.tables["activities"] = _records(organisation, year, activities)
        submissions.append(submission)
    write_tables(consolidate(IntakeResult(submissions, [], {})), tmp_path / "report" / TABLES_DIR)
    return tmp_path / "report"


def test_codes_become_labels_and_headers_the_workbooks_in_the_language_asked_for(report):
    swedish = ReportTables(report, "sv")["activities"]
    assert list(swedish.columns[:8]) == [
        "Organisation",
        "Rapporteringsår",
        "Arbetsbok",
        "Rad i arbetsboken",
        "Namn",
        "Typ",
        "Huvudmål",
        "Fokusområde",
    ]
    horizon = swedish[swedish["Namn"] == "Horizon"].iloc[0]
    assert horizon["Huvudmål"] == "Ökad påverkan och betydelse för Helsingfors"
    assert horizon["Partnerländer"] == "Sverige; Danmark"
    assert horizon["Organisation"] == "Fostran och utbildning"
    assert pd.isna(horizon["Nätverk"])  # an empty cell stays empty
    assert horizon["Rapporteringsår"] == 2025 and horizon["Rad i arbetsboken"] == 3  # numbers stay numbers
    english = ReportTables(report, "en")["activities"]
    assert english.loc[english["Title"] == "Horizon", "Partner countries"].item() == "Sweden; Denmark"
    assert set(english["Primary goal"]) == {
        "Growing competence and understanding",
        "Increasing Helsinki's influence and significance",
        "Developing Helsinki's international recognition",
    }


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_table_has_one_header_per_column_in_every_language(report, lang):
    tables = ReportTables(report, lang)
    for table in TABLES:
        frame = tables[table]
        assert frame.columns.is_unique, table
        assert len(frame.columns) == len(tables.coded[table].columns)


def test_counts_per_two_columns_equal_the_csv_with_a_total(report):
    tables = ReportTables(report, "fi")
    assert tables.year == YEAR
    counts = tables.count("activities", "organisation", "goal", year=YEAR)
    with open(report / TABLES_DIR / "activities.csv", encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["year"] == str(YEAR)]
    expected = Counter((row["organisation"], row["goal"]) for row in rows)
    assert expected == {("education", "competence"): 2, ("education", "influence"): 1, ("culture_leisure", "recognition"): 1}
    assert counts.loc["Kasvatuksen ja koulutuksen toimiala", "Osaamisen ja ymmärryksen kasvattaminen"] == 2
    assert counts.loc["Kulttuurin ja vapaa-ajan toimiala", "Yhteensä"] == 1
    assert counts.loc["Yhteensä", "Yhteensä"] == len(rows) == 4
    assert counts.index.name == "Organisaatio" and counts.columns.name == "Päätavoite"


def test_a_record_without_a_value_is_counted_under_a_dash(report):
    """pandas leaves records without a value out of a count: here they count, so the total is every record."""
    by_network = ReportTables(report, "en").count("activities", "network")
    assert by_network.to_dict()["Number"] == {"Eurocities": 4, "–": 1}


def test_sums_per_column_equal_the_csv(report):
    totals = ReportTables(report, "en").total("activities", "external_funding_eur", "organisation", "year")
    assert totals.loc["Education Division", 2025] == pytest.approx(1000.5 + 250.0)
    assert totals.loc["Total", "Total"] == pytest.approx(1000.5 + 250.0 + 30.0)


def test_the_overview_counts_each_tables_records_per_year(report):
    overview = ReportTables(report, "fi").overview()
    assert overview.loc["activities"].to_dict() == {2024: 1, 2025: 4}
    assert overview.loc["visits"].to_dict() == {2024: 0, 2025: 0}


def test_a_folder_without_tables_and_an_unknown_language_are_one_line_each(tmp_path, report):
    with pytest.raises(UsageError) as missing:
        ReportTables(tmp_path / "nowhere", "en")
    assert str(missing.value) == (
        f"{tmp_path / 'nowhere'}: no consolidated tables here (no {TABLES_DIR}/submissions.csv); "
        "give a report folder that a run wrote"
    )
    with pytest.raises(UsageError, match="unknown language 'de'; use one of fi, sv, en"):
        ReportTables(report, "de")
    with pytest.raises(KeyError, match="no table 'activity'; the tables are activities, networks"):
        ReportTables(report, "en")["activity"]


@pytest.fixture
def messages_in():
    """The messages in a language for one test (as the command line sets it), then back to the tests' English."""
    yield use_language
    use_language("en")


@pytest.mark.parametrize(
    "lang, no_tables, no_table, unknown_language",
    [
        (
            "fi",
            "{folder}: täällä ei ole koottuja taulukoita (ei tiedostoa {file}); anna kansio, jonka raportin ajo kirjoitti",
            "taulukkoa 'activity' ei ole; taulukot ovat activities, networks",
            "tuntematon kieli 'de'; käytä jotakin näistä: fi, sv, en",
        ),
        (
            "sv",
            "{folder}: här finns inga sammanställda tabeller (ingen {file}); ange en rapportmapp som en körning skrev",
            "ingen tabell 'activity'; tabellerna är activities, networks",
            "okänt språk 'de'; använd ett av fi, sv, en",
        ),
        (
            "en",
            "{folder}: no consolidated tables here (no {file}); give a report folder that a run wrote",
            "no table 'activity'; the tables are activities, networks",
            "unknown language 'de'; use one of fi, sv, en",
        ),
    ],
)
def test_what_goes_wrong_is_said_in_the_language_of_the_tables(
    tmp_path, report, messages_in, lang, no_tables, no_table, unknown_language
):
    """The notebook's ``lang`` chooses the language of its tables and of what it is told; a
    language that is none is told in the language of the messages (Finnish unless set)."""
    with pytest.raises(UsageError) as missing:
        ReportTables(tmp_path / "nowhere", lang)
    assert str(missing.value) == no_tables.format(folder=tmp_path / "nowhere", file=f"{TABLES_DIR}/submissions.csv")
    with pytest.raises(KeyError) as unknown_table:
        ReportTables(report, lang)["activity"]
    assert unknown_table.value.args[0].startswith(no_table)
    messages_in(lang)
    with pytest.raises(UsageError) as unknown:
        ReportTables(report, "de")
    assert str(unknown.value) == unknown_language


@pytest.mark.slow
def test_the_explore_notebook_answers_in_the_language_asked_for_with_the_csvs_counts(example, tmp_path):
    """notebooks/explore.ipynb run by papermill in a Jupyter kernel (as in JupyterLab) on the
    example report, in Swedish: its tables have Swedish labels and the CSVs' counts and sums."""
    import papermill
    from bs4 import BeautifulSoup

    root, _ = example
    report = root / "report"
    executed = tmp_path / "explore.ipynb"
    papermill.execute_notebook(
        str(EXPLORE_NOTEBOOK),
        str(executed),
        parameters={"report_dir": str(report), "lang": "sv", "params_dir": ""},
        kernel_name="python3",
        cwd=str(EXPLORE_NOTEBOOK.parent),
        progress_bar=False,
    )
    import nbformat

    book = nbformat.read(executed, as_version=4)
    tables = [
        _html_table(BeautifulSoup(output["data"]["text/html"], "html.parser"))
        for cell in book.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if "text/html" in output.get("data", {})
    ]
    overview, per_goal, funding, visits, head = tables
    rows = _csv(report / TABLES_DIR / "activities.csv")
    assert overview["activities"] == {str(y): str(sum(r["year"] == str(y) for r in rows)) for y in (2023, 2024, 2025)}

    this_year = [r for r in rows if r["year"] == str(YEAR)]
    assert list(per_goal["Totalt"]) == [
        "Utveckling av Helsingfors internationella synlighet",
        "Ökad kompetens och förståelse",
        "Ökad påverkan och betydelse för Helsingfors",
        "Totalt",
    ]
    education = per_goal["Fostran och utbildning"]
    assert education["Ökad kompetens och förståelse"] == str(
        sum(r["organisation"] == "education" and r["goal"] == "competence" for r in this_year)
    )
    assert per_goal["Totalt"]["Totalt"] == str(len(this_year))

    erasmus = sum(
        float(r["external_funding_eur"] or 0) for r in rows if r["funding_source"] == "erasmus_plus" and r["year"] == "2024"
    )
    assert float(funding["Erasmus+"]["2024"]) == pytest.approx(erasmus)

    visit_rows = [r for r in _csv(report / TABLES_DIR / "visits.csv") if r["year"] == str(YEAR)]
    assert visits["Totalt"]["Totalt"] == str(len(visit_rows))
    assert "Huvudmål" in head["0"]


def _csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _html_table(soup) -> dict[str, dict[str, str]]:
    """A DataFrame's HTML as {row label: {column label: text}} (the first header row names the columns)."""
    header = [th.get_text(strip=True) for th in soup.find("thead").find("tr").find_all("th")][1:]
    table = {}
    for tr in soup.find("tbody").find_all("tr"):
        label = tr.find("th").get_text(strip=True)
        table[label] = dict(zip(header, (td.get_text(strip=True) for td in tr.find_all("td")), strict=True))
    return table
