import datetime as dt

import pytest

from hki_intl.report.formatting import NBSP, change, fmt_date, fmt_eur, fmt_number, fmt_percent


@pytest.mark.parametrize(
    "value, lang, decimals, expected",
    [
        (1234.5, "fi", 1, f"1{NBSP}234,5"),
        (1234.5, "sv", 1, f"1{NBSP}234,5"),
        (1234.5, "en", 1, "1,234.5"),
        (4924251, "fi", 0, f"4{NBSP}924{NBSP}251"),
        (-3, "en", 0, "−3"),
        (None, "fi", 0, "–"),
    ],
)
def test_numbers(value, lang, decimals, expected):
    assert fmt_number(value, lang, decimals) == expected


@pytest.mark.parametrize(
    "value, lang, expected",
    [
        (12300, "fi", f"12{NBSP}300{NBSP}€"),
        (12300, "en", "€12,300"),
        (2_450_000, "fi", f"2,5{NBSP}milj.{NBSP}€"),
        (2_450_000, "en", "€2.5 million"),
    ],
)
def test_euros(value, lang, expected):
    assert fmt_eur(value, lang) == expected


def test_percentages_and_change():
    assert fmt_percent(0.123, "fi", signed=True) == f"+12{NBSP}%"
    assert fmt_percent(-0.05, "en", signed=True) == "−5%"
    assert change(112, 100) == pytest.approx(0.12)
    assert change(5, 0) is None and change(5, None) is None


def test_dates():
    assert fmt_date(dt.date(2025, 12, 31), "fi") == "31.12.2025"
    assert fmt_date(dt.date(2025, 12, 31), "en") == "31 December 2025"
