"""A column parsed at once (its usual cells by a short path, each distinct text once) gives what
parsing each of its cells alone gives: the same values of the same types, the same messages."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hki_intl.config.params import LANGUAGES, load_strategy
from hki_intl.intake.parse import parse_column, parse_value
from hki_intl.workbook.excel import ErrorValue, FormulaWithoutValue
from hki_intl.workbook.schema import INFO_FIELDS, SHEETS, SHEETS_BY_NAME, Column

STRATEGY = load_strategy()
COLUMNS = [*(column for sheet in SHEETS for column in sheet.columns), *INFO_FIELDS]
KINDS = sorted({column.kind for column in COLUMNS})
# 60 fixed examples a kind by default; HKI_PROPERTY_EXAMPLES=1000 explores further, with fresh random ones.
MANY = int(os.environ.get("HKI_PROPERTY_EXAMPLES", "0"))
EXAMPLES = settings(
    max_examples=MANY or 60, deadline=None, derandomize=not MANY, database=None, suppress_health_check=[HealthCheck.too_slow]
)
SPELLINGS = sorted(
    {
        str(entry[key])
        for column in COLUMNS
        if column.codes
        for entry in STRATEGY.codes(column.codes).entries
        for key in ("id", *LANGUAGES)
    }
)

texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
cells = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**16), 10**16),
    st.integers(1890, 2110),
    st.floats(),  # nan, infinities and -0.0 too
    st.floats(-1e6, 1e6),
    st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(2200, 1, 1)),
    st.dates(dt.date(1940, 1, 1), dt.date(2110, 12, 31)),
    st.times(),
    texts,
    st.sampled_from(["", "   ", "\t", "\x01", "x" * 2001, "1e5", "NaN", "-0", "12,500", "1 234,50", "2025", "1.2.2025"]),
    st.sampled_from(["x", "✓", "true", "false", "kyllä", "ja", "yes", "ei", "no"]),
    st.sampled_from(SPELLINGS),
    st.sampled_from(SPELLINGS).map(lambda text: f"  {text.upper()}\u200b "),
    st.lists(st.sampled_from(SPELLINGS), min_size=1, max_size=3).map("; ".join),
    st.sampled_from([ErrorValue("#N/A"), ErrorValue("#DIV/0!"), FormulaWithoutValue("SUM(A1)"), FormulaWithoutValue("")]),
)


def _typed(value: Any) -> tuple[type, str]:
    """A value with its type, as compared: 1 and 1.0 and True differ, and so do 0.0 and -0.0."""
    return type(value), repr(value)


def _each_alone(column: Column, raws: list[Any]) -> list[tuple[Any, Any]]:
    return [(_typed(value), error) for value, error in (parse_value(column, raw, STRATEGY) for raw in raws)]


def _at_once(column: Column, raws: list[Any]) -> list[tuple[Any, Any]]:
    parsed = parse_column(column, raws, STRATEGY)
    assert len(parsed.values) == len(raws) and set(parsed.errors) <= set(range(len(raws)))
    return [(_typed(value), parsed.errors.get(index)) for index, value in enumerate(parsed.values)]


@pytest.mark.parametrize("kind", KINDS)
@EXAMPLES
@given(data=st.data())
def test_a_column_parsed_at_once_reads_each_cell_as_parsing_it_alone_does(kind, data):
    column = data.draw(st.sampled_from([c for c in COLUMNS if c.kind == kind]), label="column")
    usual = data.draw(st.sampled_from(["", "spellings", "numbers", "dates"]), label="a column of one type")
    one_type = {  # a column of the type its kind expects, as most columns are, with a few others
        "": cells,
        "spellings": st.one_of(st.sampled_from(SPELLINGS), st.sampled_from(SPELLINGS).map(str.upper), cells),
        "numbers": st.one_of(st.integers(-(10**10), 10**10), st.floats(-1e16, 1e16), st.integers(1890, 2110), cells),
        "dates": st.one_of(st.datetimes(dt.datetime(1940, 1, 1), dt.datetime(2110, 1, 1)), cells),
    }[usual]
    raws = data.draw(st.lists(one_type, max_size=40), label="cells")
    raws += raws[: data.draw(st.integers(0, len(raws)), label="repeated")]  # values repeat down a column
    assert _at_once(column, raws) == _each_alone(column, raws)


COLUMN_OF_KIND = {kind: next(c for c in COLUMNS if c.kind == kind) for kind in KINDS}
UNUSUAL = [  # (kind, cells): the short paths' edges, each cell as parse_value reads it
    ("number", [0, -0.0, 0.0, 1e15, -1e15, 1e15 + 1, 10**15, 10**15 + 1, float("nan"), float("inf"), True, False]),
    ("number", [pd.Timestamp("2025-01-02"), "1 234,50", "1 234,50", "12,500", " 7 ", 7, 7.0, 7.5]),
    ("integer", [3, 3.0, 3.5, -0.0, 10**15, 10**15 + 1, True, "3", "3,0", None, "  "]),
    ("year", [1899, 1900, 2100, 2101, 2025.0, 2025.5, True, "2025", " 2025 ", 10**16]),
    ("date", [dt.datetime(1949, 12, 31), dt.datetime(1950, 1, 1), dt.datetime(2100, 12, 31, 23, 59), dt.datetime(2101, 1, 1)]),
    ("date", [dt.date(2025, 1, 2), pd.Timestamp("2025-01-02"), dt.time(12), "1.2.2025", "1.2.2025", "2025-02-30", 45000]),
    ("text", ["  a  ", "", " ", "\t\n", "a\x01", "a\u0085b", "\x7f", "x" * 2000, "x" * 2001, " " + "x" * 2000 + " ", 1, 1.5]),
    ("text", [True, dt.datetime(2025, 1, 2), dt.date(2025, 1, 2), ErrorValue("#N/A"), FormulaWithoutValue("A1"), None]),
    ("code", ["project", "PROJECT", " project ", "project\u200b", "Hanke", "hanke", "no such", "no such", 1, None, True]),
    ("codes", ["project; event", "project,,event", "project;project", "x; project", "x; project", ";", ""]),
    ("flag", ["x", "X", "✓", "true", "false", "kyllä", "KYLLÄ", "ei", "no", "maybe", True, False, 1, 0]),
]


@pytest.mark.parametrize("kind, raws", UNUSUAL, ids=[f"{kind}-{i}" for i, (kind, _) in enumerate(UNUSUAL)])
def test_the_short_paths_edges_read_as_parsing_each_cell_alone_does(kind, raws):
    assert _at_once(COLUMN_OF_KIND[kind], raws) == _each_alone(COLUMN_OF_KIND[kind], raws)


def test_a_column_of_codes_is_read_and_refused_cell_by_cell():
    column = SHEETS_BY_NAME["Toiminnot"].column("activity_type")
    spelling = STRATEGY.codes(column.code_list).entries[0]
    first = str(spelling["id"])
    parsed = parse_column(column, [spelling["fi"], None, "  " + spelling["en"].upper(), "nonsense", spelling["fi"]], STRATEGY)
    assert parsed.values == [first, None, first, None, first]
    assert list(parsed.errors) == [3] and parsed.errors[3].key == "cell.unknown_code"
