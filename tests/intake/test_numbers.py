"""No number is guessed: ``12,500`` typed as text is 12.5 to a Finn and 12 500 to an English
speaker, a thousandfold difference in a euro figure. Such a number is refused at its cell with
both readings and how to type it; every unambiguous form is read as before."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hki_intl.intake import Ambiguous, parse_value, read_number_text
from hki_intl.workbook.schema import SHEETS_BY_NAME
from tests.conftest import run_cli

BUDGET = SHEETS_BY_NAME["Toiminnot"].column("budget_eur")
REACH = SHEETS_BY_NAME["Näkyvyys"].column("reach")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1 234,50", 1234.5),
        ("1234.5", 1234.5),
        ("€ 1 200", 1200.0),
        ("1\u00a0200 €", 1200.0),
        ("12 500", 12500.0),
        ("1,234.50", 1234.5),
        ("1.234,50", 1234.5),
        ("12.345.678,9", 12345678.9),
        ("1,234,567", 1234567.0),
        ("1.234.567", 1234567.0),
        ("12,5", 12.5),
        ("12,50", 12.5),
        ("0,500", 0.5),
        ("1234,500", 1234.5),
        ("12,5000", 12.5),
        ("-3,25", -3.25),
        ("\u22121 500", -1500.0),
        ("12 EUR", 12.0),
        ("7", 7.0),
        # not numbers: refused as such, never read as something else
        ("abc", None),
        ("1,2,3", None),
        ("1.2.2025", None),
        ("1,23.5", None),
        ("1234.567,8", None),
        ("12,", None),
        ("1e5", None),
        ("", None),
    ],
)
def test_unambiguous_numbers_read_as_written(text, expected):
    assert read_number_text(text) == expected


@pytest.mark.parametrize(
    "text, decimal, thousands",
    [
        ("12,500", "12,5", "12500"),
        ("15.000 €", "15", "15000"),
        ("1,500", "1,5", "1500"),
        ("-2.750", "-2.75", "-2750"),
        ("€ 999,999", "999,999", "999999"),
    ],
)
def test_one_separator_before_exactly_three_digits_is_ambiguous(text, decimal, thousands):
    reading = read_number_text(text)
    assert isinstance(reading, Ambiguous)
    assert (reading.as_decimal, reading.as_thousands) == (decimal, thousands)


@settings(max_examples=200, derandomize=True, database=None, deadline=None)
@given(whole=st.integers(1, 999), part=st.integers(0, 999), separator=st.sampled_from([",", "."]))
def test_every_ambiguous_form_is_refused_in_a_euro_column_quoting_both_readings(whole, part, separator):
    text = f"{whole}{separator}{part:03d}"
    value, error = parse_value(BUDGET, text, None)
    assert value is None and error is not None
    message = str(error)
    assert message.startswith(f"budget is ambiguous ('{text}' is ")
    assert f"type {whole}{part:03d} (without a separator)" in message


def _parsed(column, raw):
    """parse_value's result with its message rendered (in English, the tests' language)."""
    value, error = parse_value(column, raw, None)
    return value, None if error is None else str(error)


def test_the_messages_quote_the_value_its_two_readings_and_the_fix():
    assert _parsed(BUDGET, "12,500") == (
        None,
        (
            "budget is ambiguous ('12,500' is 12,5 with a decimal comma, or 12 500 with a thousands separator); type "
            "12500 (without a separator) for 12 500, or 12,5 for the decimal number"
        ),
    )
    assert _parsed(REACH, "1,500") == (
        None,
        (
            "reach is ambiguous ('1,500' is 1,5 with a decimal comma, or 1 500 with a thousands separator); type 1500 "
            "(without a separator) for 1 500, or 1,5 for the decimal number"
        ),
    )
    assert parse_value(BUDGET, 12500, None) == (12500.0, None)  # a number cell is never ambiguous


def test_validate_refuses_ambiguous_numbers_at_their_cells(write_workbook, tmp_path):
    def edit(wb):
        wb["Toiminnot"]["K2"] = "15.000 €"
        wb["Näkyvyys"]["F2"] = "1,500"
        wb["Toiminnot"]["L2"] = "1 250,000"  # spaces group the thousands, so the comma is a decimal comma

    path = write_workbook(
        {
            "Toiminnot": [
                {
                    "title": "Kiertotalous",
                    "activity_type": "project",
                    "goal": "competence",
                    "focus_area": "climate",
                    "start": "4.3.2025",
                    "status": "ongoing",
                    "funding_source": "horizon_europe",
                }
            ],
            "Näkyvyys": [{"date": "1.6.2025", "outlet": "The Guardian", "country": "GB", "tone": "positive"}],
        },
        edit=edit,
    )
    done = run_cli("validate", "--year", "2025", "--inputs", str(tmp_path / "inputs"))
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"{path}: Näkyvyys!F2: reach is ambiguous ('1,500' is 1,5 with a decimal comma, or 1 500 with a thousands "
        "separator); type 1500 (without a separator) for 1 500, or 1,5 for the decimal number",
        f"{path}: Toiminnot!K2: budget is ambiguous ('15.000 €' is 15 with a decimal point, or 15 000 with a thousands "
        "separator); type 15000 (without a separator) for 15 000, or 15 for the decimal number",
        "2 problems found; fix them and run again.",
    ]
