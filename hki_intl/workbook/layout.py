"""Where things are in a workbook, and the rule that nothing typed in one is lost silently.

Every non-empty cell of every sheet either reaches the consolidated tables or is named in a
problem with its cell or range: a column whose header is not the template's, a header typed
twice, values above the header row, a sheet that is not the template's (a copy of a data sheet
above all), text typed on the instructions or code sheet. This module finds those places; the
intake (:mod:`hki_intl.intake`) reads what is in the right place.

Headers are compared as values are: Unicode-normalised (NFKC, so a no-break space is a space),
invisible format characters (a byte-order mark, a zero-width space) removed, spaces collapsed,
case-folded, and the required mark ``*`` ignored.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from hki_intl.config.params import LANGUAGES, Strategy, normalise_key
from hki_intl.errors import ERROR, WARNING, Problem
from hki_intl.messages import Message
from hki_intl.workbook.schema import INFO_SHEET, SHEETS, Sheet
from hki_intl.workbook.template import CODES_SHEET, code_sheet_texts, instruction_texts, instructions_sheet
from hki_intl.workbook.words import by_language, words

HEADER_SEARCH_ROWS = 50  # a header typed below 50 rows of something else is not looked for
COPY_MIN_HEADERS = 2  # a sheet with this many of a data sheet's headers is a copy of it


def feedback_sheets() -> dict[str, str]:
    """The list sheet that `validate --feedback` puts first in an annotated copy, by language; a
    contributor who fixes the copy and sends it back sends it too. It holds our messages, never data."""
    return by_language(words().feedback.list_sheet)


def template_sheets() -> set[str]:
    """Every sheet a template of any language has: info, data, code and instructions sheets."""
    return {INFO_SHEET, CODES_SHEET, *(instructions_sheet(lang) for lang in LANGUAGES), *(s.name for s in SHEETS)}


def __getattr__(name: str) -> Any:
    """``FEEDBACK_SHEETS`` and ``TEMPLATE_SHEETS``, in the words in use."""
    if name == "FEEDBACK_SHEETS":
        return feedback_sheets()
    if name == "TEMPLATE_SHEETS":
        return template_sheets()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


Rows = list[list[Any]]
Cell = tuple[int, int]  # 0-based (row, column) in a sheet's rows


def cell_ref(row: int, column: int) -> str:
    """1-based row and column → ``E14``."""
    return f"{get_column_letter(column)}{row}"


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (isinstance(value, float) and math.isnan(value))


def show(raw: Any) -> str | Message:
    """A value as a message quotes it: ``'Seminaari'``, at most 60 characters; a blank is the word
    empty in the message's language."""
    if is_blank(raw):
        return Message("value.empty")
    if isinstance(raw, dt.datetime) and raw.time() == dt.time(0):
        raw = raw.date()
    text = raw.isoformat() if isinstance(raw, (dt.date, dt.datetime)) else str(raw)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def code_key(raw: Any) -> str:
    """How a typed code or header is looked up: Unicode-normalised (NFKC), invisible format
    characters (zero-width spaces, direction marks, a byte-order mark) removed, then
    :func:`~hki_intl.params.normalise_key`."""
    text = str(raw)
    if text.isascii():  # nothing to normalise (most cells): 5× faster
        return normalise_key(text)
    text = unicodedata.normalize("NFKC", text)
    return normalise_key("".join(ch for ch in text if unicodedata.category(ch) != "Cf"))


def header_key(raw: Any) -> str:
    """A header as it is compared: :func:`code_key` without the required mark ``*``."""
    return code_key(raw).removesuffix("*").rstrip()


def header_lookup(sheet: Sheet) -> dict[str, str]:
    """Every accepted header spelling (the key, or the label in any language) → column key."""
    return {header_key(spelling): c.key for c in sheet.columns for spelling in (c.key, *map(c.label, LANGUAGES))}


@dataclass
class Header:
    """Where a sheet's header is: its row and the columns it names (0-based)."""

    row: int = 0
    columns: dict[int, str] = field(default_factory=dict)  # column → key, the first of each key
    repeats: list[tuple[int, int, str]] = field(default_factory=list)  # (column, column of the first, key)


def find_header(sheet: Sheet, rows: Rows) -> Header:
    """The row among the first :data:`HEADER_SEARCH_ROWS` that names most of ``sheet``'s columns."""
    lookup = header_lookup(sheet)
    best = Header()
    for r, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = Header(r)
        for c, value in enumerate(row):
            if value is None or is_blank(value):
                continue
            key = lookup.get(header_key(value))
            if key is None:
                continue
            first = next((col for col, k in found.columns.items() if k == key), None)
            if first is None:
                found.columns[c] = key
            else:
                found.repeats.append((c, first, key))
        if len(found.columns) > len(best.columns):
            best = found
            if len(found.columns) == len(sheet.columns):
                break  # every column found: the usual case, on row 1
    return best


def nonblank(rows: Rows, first_row: int = 0, last_row: int | None = None, columns: Iterable[int] | None = None) -> list[Cell]:
    """The non-empty cells of ``rows[first_row:last_row]`` (in ``columns`` if given), row by row."""
    end = len(rows) if last_row is None else min(last_row, len(rows))
    if columns is None:
        return [(r, c) for r in range(first_row, end) for c, value in enumerate(rows[r]) if not is_blank(value)]
    wanted = sorted(columns)
    return [(r, c) for r in range(first_row, end) for c in wanted if c < len(rows[r]) and not is_blank(rows[r][c])]


def region(cells: list[Cell]) -> str:
    """The range that holds ``cells``: ``B4`` for one cell, ``A1:C8`` for several."""
    top, left = min(r for r, _ in cells), min(c for _, c in cells)
    bottom, right = max(r for r, _ in cells), max(c for _, c in cells)
    first, last = cell_ref(top + 1, left + 1), cell_ref(bottom + 1, right + 1)
    return first if first == last else f"{first}:{last}"


def unread(
    file: str,
    sheet: str,
    rows: Rows,
    cells: list[Cell],
    what: Message,
    fix: Message,
    severity: str = WARNING,
    values: list[Cell] | None = None,
) -> Problem:
    """One problem naming a region of values that are not read: ``<what> (<n> values, the first
    <cell>: <value>); <fix>``, at the range that holds ``cells`` (``values``: the ones to count
    and quote, if not all of them — the rows of a copied sheet, not its header)."""
    values = values or cells
    r, c = values[0]
    first = dict(cell=cell_ref(r + 1, c + 1), value=show(rows[r][c]))
    shown = Message("unread.values", count=len(values), **first) if len(values) > 1 else Message("unread.value", **first)
    top, left = _top_left(cells)
    return Problem(file, sheet, top, left, region(cells), Message("unread", what=what, values=shown, fix=fix), severity)


def _top_left(cells: list[Cell]) -> tuple[int, int]:
    return min(r for r, _ in cells) + 1, min(c for _, c in cells) + 1


def other_sheets(
    file: str, sheets: dict[str, Rows], organisation: str, year: int, strategy: Strategy, versions: Iterable[str]
) -> list[Problem]:
    """Problems for values on the sheets the intake does not read as data: text typed on the
    instructions or code sheet, and every sheet that is not the template's."""
    problems = []
    for name, rows in sheets.items():
        if name in (INFO_SHEET, *(s.name for s in SHEETS)) or _is_feedback_sheet(name):
            continue
        cells = nonblank(rows)
        if not cells:
            continue
        titles = {instructions_sheet(lang): lang for lang in reversed(LANGUAGES)}
        if name in titles:
            lang = titles[name]
            # Any organisation's instructions: a template copied from a neighbour is still only template text.
            known = frozenset().union(
                *(
                    instruction_texts(strategy, org, year, lang, version)
                    for version in versions
                    for org in {organisation, *strategy.organisations_in(year)}
                )
            )
            typed = [(r, c) for r, c in cells if str(rows[r][c]).strip() not in known]
            if typed:
                problems.append(
                    unread(
                        file,
                        name,
                        rows,
                        typed,
                        Message("sheet.instructions_typed"),
                        Message("sheet.instructions_typed.fix"),
                    )
                )
        elif name == CODES_SHEET:
            known = code_sheet_texts(strategy)
            typed = [(r, c) for r, c in cells if str(rows[r][c]).strip() not in known]
            if typed:
                problems.append(
                    unread(
                        file,
                        name,
                        rows,
                        typed,
                        Message("sheet.codes_typed", year=year),
                        Message("fix.fresh_template_of", year=year),
                    )
                )
        else:
            problems.append(_foreign_sheet(file, name, rows, cells, present=set(sheets)))
    return problems


def _foreign_sheet(file: str, name: str, rows: Rows, cells: list[Cell], present: set[str]) -> Problem:
    """A sheet that is not the template's: a copy of a data sheet, or a data sheet renamed (its
    rows would be lost, so an error), or the contributor's own (a warning)."""
    best: tuple[Sheet, Header] | None = None
    for sheet in SHEETS:
        header = find_header(sheet, rows)
        if len(header.columns) >= COPY_MIN_HEADERS and (best is None or len(header.columns) > len(best[1].columns)):
            best = (sheet, header)
    if best is None:
        return unread(
            file,
            name,
            rows,
            cells,
            Message("sheet.foreign"),
            Message("sheet.foreign.fix"),
        )
    sheet, header = best
    data = [(r, c) for r, c in cells if r > header.row]
    if not data:
        return unread(
            file,
            name,
            rows,
            cells,
            Message("sheet.empty_copy", sheet=sheet.name),
            Message("sheet.empty_copy.fix"),
        )
    count = len({r for r, _ in data})
    if sheet.name not in present:
        return unread(
            file,
            name,
            rows,
            cells,
            Message("sheet.renamed_one" if count == 1 else "sheet.renamed", sheet=sheet.name, count=count),
            Message("sheet.renamed.fix", sheet=sheet.name),
            ERROR,
            data,
        )
    return unread(
        file,
        name,
        rows,
        cells,
        Message("sheet.copy_one" if count == 1 else "sheet.copy", sheet=sheet.name, count=count),
        Message("sheet.copy.fix", sheet=sheet.name),
        ERROR,
        data,
    )


def _is_feedback_sheet(name: str) -> bool:
    return any(name.rstrip("+") == title for title in feedback_sheets().values())


__all__ = [
    "FEEDBACK_SHEETS",  # noqa: F822  (module __getattr__: from the words of the params folder in use)
    "HEADER_SEARCH_ROWS",
    "TEMPLATE_SHEETS",  # noqa: F822
    "Header",
    "cell_ref",
    "code_key",
    "feedback_sheets",
    "find_header",
    "header_key",
    "is_blank",
    "nonblank",
    "other_sheets",
    "region",
    "show",
    "template_sheets",
    "unread",
]
