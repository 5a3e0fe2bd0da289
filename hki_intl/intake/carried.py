"""Rows carried over from last year's workbook: which continue, and the warning for an unconfirmed one.

``templates --prefill-from PREV`` reads last year's workbooks (``PREV/<year-1>/*.xlsx``) with the
intake itself, so a broken or hostile workbook is refused exactly as ``validate`` refuses it,
and writes into each organisation's new template what rarely changes between years: its network
memberships, its partner-city agreements and its activities still running at the end of last
year (no end date or one after 31 December, and a status that is not ``finished`` in
``params/strategy.yaml``). The values of a year alone (a column marked ``yearly`` in the
schema: an activity's outcome, an agreement's joint activity this year) are left empty. Each
such row is marked 'unconfirmed' in the column ``carried_over``; the intake warns of it until
the contributor chooses 'confirmed' (or deletes the row). Every message is built here, from the
catalogue (``params/messages.yaml``, the keys ``carried.…``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hki_intl.config.params import CodeList, Settings, Strategy
from hki_intl.errors import WARNING, Problem, UsageError
from hki_intl.messages import LANGUAGES, Message, Words, text
from hki_intl.workbook.layout import cell_ref, show
from hki_intl.workbook.schema import CARRIED_OVER, CONFIRMED, SHEETS, UNCONFIRMED, Sheet

# How many rows of each carried sheet, in the command's output: the keys for one row and for several.
ROW_COUNTS = {
    "activities": ("carried.count.activity", "carried.count.activities"),
    "networks": ("carried.count.network", "carried.count.networks"),
    "partnerships": ("carried.count.partnership", "carried.count.partnerships"),
}
# The intake's warning at an unconfirmed row of each carried sheet.
UNCONFIRMED_KEYS = {
    "activities": "carried.unconfirmed.activity",
    "networks": "carried.unconfirmed.network",
    "partnerships": "carried.unconfirmed.partnership",
}
# The column that names a carried row in a warning.
NAMED_BY = {"activities": "title", "networks": "network", "partnerships": "partner_city"}


def carried_sheets() -> tuple[Sheet, ...]:
    """The sheets whose rows can be carried over: those with the carried-over column."""
    return tuple(sheet for sheet in SHEETS if any(c.key == CARRIED_OVER for c in sheet.columns))


# --- what continues -------------------------------------------------------------------------------


def continues(table: str, record: dict[str, Any], year: int, strategy: Strategy) -> bool:
    """Whether a record of ``year``'s workbook still runs at the end of ``year``: memberships and
    agreements do until a contributor deletes them; an activity does unless it ended by 31
    December of ``year`` or its status is a finished one."""
    if table != "activities":
        return True
    end = record.get("end")
    finished = set(strategy.codes("activity_statuses").ids_where("finished"))
    return (end is None or end > dt.date(year, 12, 31)) and record.get("status") not in finished


def continuing_records(tables: dict[str, list[dict[str, Any]]], year: int, strategy: Strategy) -> dict[str, list[dict[str, Any]]]:
    """Sheet name → the rows of ``year``'s parsed tables that continue into the next year, as a
    template writes them (codes as ids, several codes as a list), each marked unconfirmed and
    without the values of its year alone. Sheets with nothing to carry are left out."""
    carried: dict[str, list[dict[str, Any]]] = {}
    for sheet in carried_sheets():
        rows = [
            _carried_row(sheet, record)
            for record in tables.get(sheet.table, [])
            if continues(sheet.table, record, year, strategy)
        ]
        if rows:
            carried[sheet.name] = rows
    return carried


def _carried_row(sheet: Sheet, record: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for column in sheet.columns:
        value = record.get(column.key)
        if column.yearly or value is None:
            continue
        row[column.key] = value.split(";") if column.kind == "codes" else value
    row[CARRIED_OVER] = UNCONFIRMED
    return row


# --- last year's workbooks ------------------------------------------------------------------------


@dataclass
class Prefill:
    """What last year's workbooks (in ``folder``) carry into the templates of ``year``."""

    folder: Path
    year: int
    records: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)  # organisation → sheet → rows
    empty: dict[str, Message] = field(default_factory=dict)  # organisation → why its template is empty
    not_carried: list[Message] = field(default_factory=list)  # last year's workbooks of organisations gone since

    def lines(self) -> list[str]:
        """One line per organisation of the year, the prefilled first (in the order of the
        strategy's organisations), then the empty ones, then the workbooks not carried; in the
        language in use."""
        total = len(self.records) + len(self.empty)
        prefilled = [f"  {org}.xlsx: {_rows_carried(sheets)}" for org, sheets in self.records.items()]
        empty = [f"  {text('carried.empty_template', file=f'{org}.xlsx', why=why)}" for org, why in self.empty.items()]
        return [
            text("carried.summary", folder=str(self.folder), prefilled=len(self.records), total=total),
            *prefilled,
            *empty,
            *(f"  {line}" for line in self.not_carried),
        ]


def read_previous(prev: Path, year: int, strategy: Strategy, settings: Settings) -> Prefill:
    """Read ``prev/<year-1>/`` with the intake and choose what each organisation of ``year``
    carries over. A workbook with errors carries nothing (the run would leave it out too).
    Raises :class:`UsageError` when ``prev`` is not a folder or has no ``<year-1>`` folder."""
    from hki_intl.intake.read import load_submissions  # the intake reads this module's check

    last = year - 1
    prev = Path(prev)
    if not prev.exists():
        raise UsageError(Message("carried.prev_missing", path=str(prev), last=last))
    if not prev.is_dir():
        raise UsageError(Message("carried.prev_not_a_folder", path=str(prev), last=last))
    folder = prev / str(last)
    if not folder.is_dir():
        raise UsageError(Message("carried.no_year_folder", path=str(prev), last=last))
    result = load_submissions(prev, [last], strategy, settings.with_overrides(year=last))
    prefill = Prefill(folder, year)
    found = {s.organisation: s for s in result.submissions}
    refused = {Path(file).stem.casefold(): errors for file, errors in result.rejected.items()}
    reporting = strategy.organisations_in(year)
    for organisation in reporting:
        if organisation in found:
            records = continuing_records(found[organisation].tables, last, strategy)
            if records:
                prefill.records[organisation] = records
            else:
                prefill.empty[organisation] = Message("carried.nothing_continues", year=last)
        elif organisation in refused:
            prefill.empty[organisation] = _refused(prev, last, refused[organisation])
        else:
            prefill.empty[organisation] = Message("carried.no_workbook", year=last, folder=str(folder))
    prefill.not_carried = [
        Message("carried.not_reporting", file=s.path.name, year=year)
        for s in result.submissions
        if s.organisation not in reporting
    ]
    return prefill


def _rows_carried(sheets: dict[str, list[dict[str, Any]]]) -> str:
    """``7 rows carried over (2 activities, 3 network memberships, 2 partner-city agreements)``."""
    counts = [(sheet.table, len(sheets[sheet.name])) for sheet in carried_sheets() if sheet.name in sheets]
    total = sum(n for _, n in counts)
    parts = ", ".join(text(ROW_COUNTS[table][n != 1], count=n) for table, n in counts)
    return text("carried.rows_one" if total == 1 else "carried.rows", count=total, parts=parts)


def _refused(prev: Path, year: int, errors: list[Problem]) -> Message:
    """Why a workbook with errors carries nothing: how many, the first, and how to see them all.
    The first error is quoted as a line in the language in use (the command prints it at once)."""
    count = Message("count.errors_word_one" if len(errors) == 1 else "count.errors_word", count=len(errors))
    return Message("carried.refused", year=year, errors=count, first=str(errors[0]), inputs=str(prev))


# --- the intake's check ---------------------------------------------------------------------------


def unconfirmed_rows(
    name: str, year: int, tables: dict[str, list[dict[str, Any]]], columns: dict[str, dict[int, str]], strategy: Strategy
) -> Iterator[Problem]:
    """A warning at each row still marked carried over and unconfirmed: the contributor confirms
    it, changes it, or deletes it. ``columns``: sheet name → its 1-based column → column key."""
    for sheet in carried_sheets():
        where = {key: column for column, key in columns.get(sheet.name, {}).items()}
        if CARRIED_OVER not in where:
            continue
        column = where[CARRIED_OVER]
        for record in tables.get(sheet.table, []):
            if record.get(CARRIED_OVER) == UNCONFIRMED:
                row = record["source_row"]
                message = unconfirmed_message(sheet, record, year, strategy)
                yield Problem(name, sheet.name, row, column, cell_ref(row, column), message, WARNING)


def unconfirmed_message(sheet: Sheet, record: dict[str, Any], year: int, strategy: Strategy) -> Message:
    """``a network membership carried over from 2024 is not confirmed ('Eurocities'); …``: the
    row's name as typed, or a code's label, and the column and its word to choose, in the
    message's language (a feedback workbook's is the workbook's own)."""
    states = strategy.codes(CARRIED_OVER)
    column = sheet.column(CARRIED_OVER)
    named = sheet.column(NAMED_BY[sheet.table])
    value = record.get(named.key)
    return Message(
        UNCONFIRMED_KEYS[sheet.table],
        last=year - 1,
        year=year,
        named=_named(value, strategy.codes(named.code_list) if named.kind == "code" else None),
        confirmed=Words(*(states.label(CONFIRMED, lang) for lang in LANGUAGES)),
        column=Words(*(column.label(lang) for lang in LANGUAGES)),
    )


def _named(value: Any, codes: CodeList | None) -> str | Words:
    """`` ('Eurocities')`` after the row's noun: its name as typed, or its code's label in each
    language; nothing for a row without a name."""
    if not value:
        return ""
    if codes is None:
        return f" ({show(value)})"
    return Words(*(f" ({show(codes.label(value, lang))})" for lang in LANGUAGES))
