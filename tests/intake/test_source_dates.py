"""No figure from after the report's date: an indicator whose value year is after the report year,
or whose source or note names a date after the report date, is a warning at its cell and is
not read (the rule: hki_intl/intake/sources.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from hki_intl.intake import load_submissions
from hki_intl.intake.sources import date_after, named_dates
from tests.conftest import RECORDS, run_cli

YEAR = 2025
DATE = dt.date(2025, 12, 31)
STAYS = {"indicator": "overnight_stays", "value_year": 2025, "value": 4924251, "note": None}


@pytest.mark.parametrize(
    "text, named",
    [
        ("Lehdistötiedote, maaliskuu 2026", ("maaliskuu 2026", dt.date(2026, 3, 1))),
        ("julkaistu maaliskuussa 2026", ("maaliskuussa 2026", dt.date(2026, 3, 1))),
        ("pressmeddelande, mars 2026", ("mars 2026", dt.date(2026, 3, 1))),
        ("press release, March 2026", ("March 2026", dt.date(2026, 3, 1))),
        ("press release, Mar. 2026", ("Mar. 2026", dt.date(2026, 3, 1))),
        ("tiedote 14.3.2026", ("14.3.2026", dt.date(2026, 3, 14))),
        ("release 2026-03-14", ("2026-03-14", dt.date(2026, 3, 14))),
        ("tiedote 14. maaliskuuta 2026", ("14. maaliskuuta 2026", dt.date(2026, 3, 14))),
        ("March 14, 2026", ("March 14, 2026", dt.date(2026, 3, 14))),
    ],
)
def test_dates_and_months_are_read_in_every_language(text, named):
    assert list(named_dates(text)) == [named]


@pytest.mark.parametrize(
    "text",
    ["Helsingin Satama, vuosikertomus 2019", "annual report 2026", "Noin 4,55 miljoonaa", "Margin 2026", "31.2.2026"],
)
def test_a_year_alone_or_no_real_date_is_not_a_date(text):
    assert list(named_dates(text)) == []


def test_a_month_counts_from_its_first_day():
    assert date_after("maaliskuu 2026", dt.date(2026, 2, 28)) == "maaliskuu 2026"
    assert date_after("maaliskuu 2026", dt.date(2026, 3, 1)) is None
    assert date_after("joulukuu 2025", DATE) is None and date_after(None, DATE) is None


def test_validate_warns_and_the_value_is_not_read(write_workbook, tmp_path, strategy, settings):
    path = write_workbook(
        {
            **RECORDS,
            "Mittarit": [
                {**STAYS, "source": "Lehdistötiedote, maaliskuu 2026"},
                {**STAYS, "value_year": 2024, "value": 4550000, "source": "hel.fi", "note": "Julkaistu 14.3.2026"},
                {**STAYS, "value_year": 2026, "value": 1, "source": "Tilastokeskus"},
                {**STAYS, "value_year": 2019, "value": 4489741, "source": "Tilastokeskus, vuosikertomus 2026"},
            ],
        }
    )
    done = run_cli("validate", "--year", str(YEAR), "--inputs", str(tmp_path / "inputs"))
    assert done.returncode == 0, done.stderr
    after = (
        "the value is not read, as a report cannot cite what was published after its date: if the report is "
        "published later, set report_date in params/report.yaml to that day, otherwise leave the value for a later report"
    )
    assert done.stderr.splitlines() == [
        f"{path}: Mittarit!D2: warning: the source names a date after the report date 31.12.2025 ('maaliskuu 2026' in "
        f"'Lehdistötiedote, maaliskuu 2026'); {after}",
        f"{path}: Mittarit!E3: warning: the note names a date after the report date 31.12.2025 ('14.3.2026' in "
        f"'Julkaistu 14.3.2026'); {after}",
        f"{path}: Mittarit!B4: warning: the value's year is after the report year 2025 (2026); the value is not read, as a "
        "report for 2025 shows figures up to 2025: correct the year, or report the value in a later year's workbook",
        "3 warnings found; check them (they do not keep workbooks out of the report).",
    ]
    result = load_submissions(tmp_path / "inputs", [YEAR], strategy, settings)
    assert [(r["value_year"], r["value"]) for r in result.submissions[0].tables["indicators"]] == [(2019, 4489741)]


def test_a_later_report_date_reads_the_value(write_workbook, tmp_path, strategy, settings):
    write_workbook({**RECORDS, "Mittarit": [{**STAYS, "source": "Lehdistötiedote, maaliskuu 2026"}]})
    published = settings.with_overrides(report_date=dt.date(2026, 4, 15))
    result = load_submissions(tmp_path / "inputs", [YEAR], strategy, published)
    assert result.warnings == [] and len(result.submissions[0].tables["indicators"]) == 1


def test_the_example_cites_no_source_after_its_report_date(tmp_path, strategy, settings):
    from hki_intl.example import build_example

    build_example(strategy, [2024, YEAR], tmp_path / "inputs")
    result = load_submissions(tmp_path / "inputs", [2024, YEAR], strategy, settings)
    assert result.warnings == [] and result.problems == []
