"""Checking the parsed rows of a sheet: required values, minimums and maximums, the rules across
the cells of one row (a pandera schema built from :mod:`hki_intl.workbook.schema`, validated
lazily so that every failing row and column is collected in one pass), and one record reported
twice. Each failure becomes a message about one cell."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from hki_intl.config.params import Strategy
from hki_intl.errors import Problem
from hki_intl.intake.parse import big_number, column_name, fill_hint
from hki_intl.messages import Message
from hki_intl.workbook.layout import cell_ref, code_key
from hki_intl.workbook.layout import show as _show
from hki_intl.workbook.schema import SHEETS, Sheet


@dataclass(frozen=True)
class RowRule:
    """A rule across the cells of one row: the cells it reads, which cell it blames and what it says."""

    name: str
    column: str  # the cell a failure is reported in
    reads: tuple[str, ...]  # the column keys whose values ``holds`` takes, in order
    holds: Callable[..., bool]  # (the workbook's year, *the row's values) → True where fine
    message: Callable[[pd.Series, int], Message]  # (the failing row, workbook year) → the message

    def passes(self, frame: pd.DataFrame, year: int) -> pd.Series:
        """True for each row of ``frame`` where the rule holds (pandera's check)."""
        columns = zip(*(frame[c] for c in self.reads), strict=True)
        return pd.Series([bool(self.holds(year, *values)) for values in columns], index=frame.index, dtype=bool)


ROW_RULES: dict[str, tuple[RowRule, ...]] = {
    "activities": (
        RowRule(
            "end_before_start",
            "end",
            ("start", "end"),
            lambda year, s, e: not (s and e and e < s),
            lambda r, year: Message("row.end_before_start", end=r["end"].isoformat(), start=r["start"].isoformat()),
        ),
        RowRule(
            "funding_without_source",
            "funding_source",
            ("external_funding_eur", "funding_source"),
            lambda year, money, source: not ((money or 0) > 0 and source in (None, "none")),
            lambda r, year: Message("row.funding_without_source"),
        ),
    ),
    "visits": (
        RowRule(
            "date_in_year",
            "date",
            ("date",),
            lambda year, d: not d or d.year == year,
            lambda r, year: Message("row.date_not_in_year", year=year, date=r["date"].isoformat()),
        ),
    ),
}
ROW_RULES["media"] = ROW_RULES["visits"]


def _at_least(series: pd.Series, minimum: float) -> pd.Series:
    return ~(pd.to_numeric(series, errors="coerce") < minimum)


def _at_most(series: pd.Series, maximum: float) -> pd.Series:
    return ~(pd.to_numeric(series, errors="coerce") > maximum)


@functools.lru_cache(maxsize=64)
def row_schema(sheet_name: str, year: int):
    """The pandera schema of one data sheet's parsed rows (built from :mod:`hki_intl.schema`)."""
    import pandera.pandas as pa  # imported here: the notebooks, which import this module, never need it

    sheet = next(s for s in SHEETS if s.name == sheet_name)
    columns = {}
    for column in sheet.columns:
        checks = []
        if column.minimum is not None:
            checks.append(pa.Check(functools.partial(_at_least, minimum=column.minimum), name="minimum"))
        if column.maximum is not None:
            checks.append(pa.Check(functools.partial(_at_most, maximum=column.maximum), name="maximum"))
        columns[column.key] = pa.Column(nullable=not column.required, checks=checks)
    rules = [pa.Check(functools.partial(rule.passes, year=year), name=rule.name) for rule in ROW_RULES.get(sheet.table, ())]
    return pa.DataFrameSchema(columns, checks=rules, name=sheet_name)


def check_rows(
    sheet: Sheet,
    records: list[dict[str, Any]],
    year: int,
    strategy: Strategy,
    raw_cell: Callable[[int, str], Any],
    failed: set[tuple[int, str]],
) -> list[tuple[int, str, Message]]:
    """(worksheet row, column key, message) of every check the parsed rows fail; ``raw_cell``
    gives a cell as written (by worksheet row and column key), for the messages that quote it."""
    if not records:
        return []
    if _passes(sheet, records, year):
        return []
    import pandera.errors  # imported only for a sheet that fails a check: a clean intake never needs pandera

    frame = pd.DataFrame(  # built a column at a time: one list per column, not a dict per row
        {c.key: [r[c.key] for r in records] for c in sheet.columns}, index=[r["source_row"] for r in records], dtype=object
    )
    schema = row_schema(sheet.name, year)
    try:
        schema.validate(frame, lazy=True)
        return []
    except pandera.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    rules = {rule.name: rule for rule in ROW_RULES.get(sheet.table, ())}
    found: dict[tuple[int, str, Message], None] = {}
    for case in cases.itertuples(index=False):
        row, check = int(case.index), str(case.check)
        if check in rules:
            key, message = rules[check].column, rules[check].message(frame.loc[row], year)
        elif check == "not_nullable":
            column = sheet.column(str(case.column))
            key, message = column.key, Message("row.required", column=column_name(column), hint=fill_hint(column, strategy))
        elif check == "minimum":
            column = sheet.column(str(case.column))
            key = column.key
            message = Message(
                "row.below_minimum",
                column=column_name(column),
                minimum=f"{column.minimum:g}",
                value=_show(raw_cell(row, key)),
            )
        elif check == "maximum":
            column = sheet.column(str(case.column))
            key = column.key
            assert column.maximum is not None  # the check exists only where there is a maximum
            message = Message(
                "row.above_maximum",
                column=column_name(column),
                maximum=big_number(column.maximum),
                value=_show(raw_cell(row, key)),
            )
        else:  # a check of pandera's own (the schema names all of ours): a bug, not the contributor's
            raise RuntimeError(f"unexpected pandera failure {check!r} in {sheet.name} row {row}")
        if (row, key) not in failed:
            found[(row, key, message)] = None
    return list(found)


def _passes(sheet: Sheet, records: list[dict[str, Any]], year: int) -> bool:
    """Whether every row passes every check of the sheet's schema (:func:`row_schema`), checked
    in plain Python over the records. Most sheets pass: pandera's lazy validation costs about
    1.5 ms a sheet even then, and building a frame to run the schema's own check functions on
    it 0.8 ms (0.12 s of the example's 154 sheets; this pass takes 0.006 s). A sheet that fails
    anything here is validated by pandera, which collects the failures. Wherever pandera would
    find a failure, a check here fails too: a required value missing (None or NaN), a value
    below a minimum or above a maximum or not a plain number there (pandera's check would
    coerce it), a row rule that does not hold (tests/intake/test_row_checks.py)."""
    for column in sheet.columns:
        values = [record[column.key] for record in records]
        if column.required and any(value is None or value != value for value in values):  # None or NaN-like
            return False
        low = -math.inf if column.minimum is None else column.minimum
        high = math.inf if column.maximum is None else column.maximum
        if (column.minimum is not None or column.maximum is not None) and not all(
            value is None or (type(value) in (int, float) and not value < low and not value > high) for value in values
        ):
            return False
    return all(
        rule.holds(year, *(record[key] for key in rule.reads)) for rule in ROW_RULES.get(sheet.table, ()) for record in records
    )


# (column keys, the message that names them): two rows with the same key on these sheets are
# one record reported twice, and which of them is right cannot be guessed.
UNIQUE_KEYS: dict[str, tuple[tuple[str, ...], str]] = {
    "networks": (("network",), "row.repeated_network"),
    "partnerships": (("partner_city", "country", "agreement_type"), "row.repeated_partnership"),
    "indicators": (("indicator", "value_year"), "row.repeated_indicator"),
}


def check_repeated_keys(
    name: str, sheet: Sheet, records: list[dict[str, Any]], columns: dict[str, int], problems: list[Problem]
) -> None:
    """A problem for each row that repeats the key of an earlier row, naming both rows."""
    if sheet.table not in UNIQUE_KEYS:
        return
    keys, what = UNIQUE_KEYS[sheet.table]
    if not all(k in columns for k in keys):
        return
    seen: dict[tuple, int] = {}
    for record in records:
        values = tuple(record[k] for k in keys)
        if any(v is None for v in values):
            continue
        row = record["source_row"]
        first = seen.setdefault(tuple(code_key(v) if isinstance(v, str) else v for v in values), row)
        if first != row:
            column = columns[keys[0]]
            problems.append(
                Problem(
                    name,
                    sheet.name,
                    row,
                    column,
                    cell_ref(row, column),
                    Message(what, first=first, row=row, values=", ".join(str(_show(v)) for v in values)),
                )
            )
