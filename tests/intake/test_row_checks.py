"""The rows' checks in plain Python (the first pass, over the records) pass a sheet exactly when
its pandera schema passes it: no failure is missed, and a sheet that passes is not sent to
pandera for nothing."""

from __future__ import annotations

import datetime as dt
import os

import pandas as pd
import pandera.errors
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hki_intl.config.params import load_strategy
from hki_intl.intake.rules import _passes, check_rows, row_schema
from hki_intl.workbook.schema import SHEETS, SHEETS_BY_NAME

YEAR = 2025
STRATEGY = load_strategy()
MANY = int(os.environ.get("HKI_PROPERTY_EXAMPLES", "0"))
EXAMPLES = settings(
    max_examples=MANY or 40, deadline=None, derandomize=not MANY, database=None, suppress_health_check=[HealthCheck.too_slow]
)
PLAIN = {  # what the intake's parsing gives a column of each kind
    "text": st.sampled_from(["a", "none", "Tapahtuma"]),
    "code": st.sampled_from(["none", "eu", "city", "project"]),
    "codes": st.sampled_from(["a", "a;b"]),
    "date": st.dates(dt.date(YEAR - 1, 11, 1), dt.date(YEAR + 1, 2, 1)),
    "number": st.one_of(st.floats(-10.0, 10.0), st.sampled_from([0.0, -0.0, 1e9, 1e9 + 1, 1e12])),
    "integer": st.one_of(st.integers(-3, 3), st.sampled_from([100_000, 100_001, 10**10, 10**10 + 1])),
    "year": st.integers(2020, 2030),
    "flag": st.booleans(),
}
# never parsed into a number column: pandera's checks coerce what they can (a bool, a text)
ODD = st.sampled_from([True, False, "5", "-1", "x", float("nan"), dt.date(2025, 1, 1)])
NUMBERS = {"number", "integer", "year"}


def _records(sheet, odd: bool, complete: bool):
    """Records of ``sheet``: each value of its column's kind or empty (a required one only when
    not ``complete``), and if ``odd`` values the parsing never gives in a number column and NaN
    in a required one."""

    def record(values: dict) -> dict:
        return {c.key: values[c.key] for c in sheet.columns}

    def cell(column):
        kinds = [PLAIN[column.kind]]
        if not (column.required and complete):
            kinds.append(st.none())
        if odd and column.kind in NUMBERS:
            kinds.append(ODD)
        if odd and column.required:
            kinds.append(st.just(float("nan")))
        return st.one_of(*kinds)

    return st.lists(st.fixed_dictionaries({c.key: cell(c) for c in sheet.columns}).map(record), min_size=1, max_size=6)


def _pandera_passes(sheet, records) -> bool:
    frame = pd.DataFrame(
        {c.key: [r[c.key] for r in records] for c in sheet.columns}, index=range(2, len(records) + 2), dtype=object
    )
    try:
        row_schema(sheet.name, YEAR).validate(frame, lazy=True)
    except pandera.errors.SchemaErrors:
        return False
    return True


@pytest.mark.parametrize("sheet", SHEETS, ids=[s.name for s in SHEETS])
@EXAMPLES
@given(data=st.data())
def test_the_first_pass_passes_a_sheet_exactly_when_pandera_does(sheet, data):
    records = data.draw(_records(sheet, odd=False, complete=data.draw(st.booleans())), label="records")
    assert _passes(sheet, records, YEAR) == _pandera_passes(sheet, records)


@pytest.mark.parametrize("sheet", SHEETS, ids=[s.name for s in SHEETS])
@EXAMPLES
@given(data=st.data())
def test_the_first_pass_misses_no_failure_even_with_values_the_parsing_never_gives(sheet, data):
    records = data.draw(_records(sheet, odd=True, complete=data.draw(st.booleans())), label="records")
    if not _pandera_passes(sheet, records):
        assert not _passes(sheet, records, YEAR)


FILLED = {"text": "x", "code": "project", "codes": "a", "date": dt.date(YEAR, 1, 1), "number": 1.0, "integer": 1, "year": YEAR}


def _edges():
    """(sheet, the column changed, its value) at each check's edge, in a row that passes otherwise."""
    for sheet in SHEETS:
        for column in sheet.columns:
            if column.required:
                yield sheet, column.key, None
                yield sheet, column.key, float("nan")
            for limit in (column.minimum, column.maximum):
                if limit is not None:
                    for value in (limit, limit - 1, limit + 1, float(limit) + 0.5, -float(limit) - 0.5, True, str(limit + 1)):
                        yield sheet, column.key, value


@pytest.mark.parametrize("sheet, key, value", list(_edges()), ids=lambda v: getattr(v, "name", repr(v)))
def test_each_check_at_its_edge_passes_or_fails_as_in_pandera(sheet, key, value):
    filled = {c.key: FILLED.get(c.kind) if c.required else None for c in sheet.columns}
    assert _passes(sheet, [filled], YEAR) and _pandera_passes(sheet, [filled])
    records = [filled, filled | {key: value}]
    if type(value) in (int, float) and value == value:  # a number, as the parsing gives: the same answer
        assert _passes(sheet, records, YEAR) == _pandera_passes(sheet, records)
    elif not _pandera_passes(sheet, records):  # anything else: no failure missed
        assert not _passes(sheet, records, YEAR)


def test_a_sheet_that_passes_the_first_pass_has_no_problems_and_one_that_fails_is_named():
    sheet = SHEETS_BY_NAME["Toiminnot"]
    good = {c.key: None for c in sheet.columns} | {c.key: "x" for c in sheet.columns if c.required}
    good |= {"source_row": 2, "start": dt.date(2025, 1, 1), "end": dt.date(2025, 2, 1), "budget_eur": 10.0}
    bad = good | {"source_row": 3, "end": dt.date(2024, 12, 1), "budget_eur": -1.0}

    def cell(row, key):
        return {"budget_eur": -1}.get(key)

    assert _passes(sheet, [good], YEAR) and check_rows(sheet, [good], YEAR, STRATEGY, cell, set()) == []
    found = check_rows(sheet, [good, bad], YEAR, STRATEGY, cell, set())
    assert [(row, key, message.key) for row, key, message in found] == [  # in pandera's order
        (3, "end", "row.end_before_start"),
        (3, "budget_eur", "row.below_minimum"),
    ]
