"""No figure from the future: an indicator (sheet *Mittarit*) whose value is for a year after the
report year, or whose source or note names a date after the report date, is not read, with a
warning at its cell. A report dated 31.12.2025 cannot cite a press release of March 2026.

The rule, kept simple so that a contributor can predict it:

- the value year after the report year is after the report date;
- the source and the note are searched for dates written in full (``14.3.2026``,
  ``2026-03-14``, ``14. maaliskuuta 2026``, ``14 mars 2026``, ``March 14, 2026``) and for a
  month and a year in Finnish, Swedish or English (``maaliskuu 2026``, ``maaliskuussa 2026``,
  ``mars 2026``, ``March 2026``, ``Mar 2026``); a month counts from its first day, so
  ``maaliskuu 2026`` is after a report date of 28.2.2026 and not after 1.3.2026;
- a year alone (``vuosikertomus 2019``, ``annual report 2025``) is not read as a date: it may
  name what the source is about as well as when it appeared.

The report date is the one the report prints (``report_date`` in ``params/report.yaml``,
by default 31 December of the report year); a report published later sets it to its own date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from hki_intl.errors import WARNING, Problem
from hki_intl.intake.parse import column_name
from hki_intl.messages import Message
from hki_intl.workbook.layout import cell_ref
from hki_intl.workbook.layout import show as _show
from hki_intl.workbook.schema import SHEETS_BY_TABLE

# Month names by month number: Finnish stems (any case ending: maaliskuu, maaliskuussa,
# maaliskuuta), Swedish and English names, and English abbreviations.
MONTHS: dict[int, tuple[str, ...]] = {
    1: ("tammikuu", "januari", "january", "jan"),
    2: ("helmikuu", "februari", "february", "feb"),
    3: ("maaliskuu", "mars", "march", "mar"),
    4: ("huhtikuu", "april", "apr"),
    5: ("toukokuu", "maj", "may"),
    6: ("kesäkuu", "juni", "june", "jun"),
    7: ("heinäkuu", "juli", "july", "jul"),
    8: ("elokuu", "augusti", "august", "aug"),
    9: ("syyskuu", "september", "sep", "sept"),
    10: ("lokakuu", "oktober", "october", "oct"),
    11: ("marraskuu", "november", "nov"),
    12: ("joulukuu", "december", "dec"),
}
_MONTH = {name: number for number, names in MONTHS.items() for name in names}
_FINNISH = sorted((name for name in _MONTH if name.endswith("kuu")), key=len, reverse=True)
_OTHER = sorted((name for name in _MONTH if not name.endswith("kuu")), key=len, reverse=True)
# A Finnish month takes any case ending (maaliskuu-ssa); a Swedish or English one stands alone
# or, abbreviated, with a full stop ("Margin" is no month).
_MONTH_WORD = rf"(?P<month>(?:{'|'.join(_FINNISH)})\w*|(?:{'|'.join(_OTHER)})\.?(?!\w))"


def _month(words: str) -> int:
    text = words.casefold().rstrip(".")
    return _MONTH.get(text) or next(_MONTH[stem] for stem in _FINNISH if text.startswith(stem))


_PATTERNS = (
    re.compile(r"(?<![\d.])(?P<day>\d{1,2})\.(?P<mon>\d{1,2})\.(?P<year>\d{4})(?!\d)"),  # 14.3.2026
    re.compile(r"(?<!\d)(?P<year>\d{4})-(?P<mon>\d{1,2})-(?P<day>\d{1,2})(?!\d)"),  # 2026-03-14
    re.compile(rf"(?<![\w.])(?P<day>\d{{1,2}})\.?\s+{_MONTH_WORD}\s+(?P<year>\d{{4}})(?!\d)", re.I),  # 14. maaliskuuta 2026
    re.compile(rf"(?<!\w){_MONTH_WORD}\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}})(?!\d)", re.I),  # March 14, 2026
    re.compile(rf"(?<!\w){_MONTH_WORD}\s+(?P<year>\d{{4}})(?!\d)", re.I),  # maaliskuu 2026, March 2026
)


def named_dates(text: str) -> Iterator[tuple[str, dt.date]]:
    """Every date ``text`` names, as (the words that name it, its first day)."""
    taken: list[range] = []
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if any(match.start() in span for span in taken):
                continue  # a full date already read here (14. maaliskuuta 2026 is not also maaliskuuta 2026)
            found = match.groupdict()
            month = int(found["mon"]) if found.get("mon") else _month(found["month"])
            try:
                day = dt.date(int(found["year"]), month, int(found.get("day") or 1))
            except ValueError:  # 31.2.2026 names no day
                continue
            taken.append(range(match.start(), match.end()))
            yield match[0], day


def date_after(text: Any, report_date: dt.date) -> str | None:
    """The words of ``text`` that name a date after ``report_date``, or None."""
    if not isinstance(text, str):
        return None
    return next((words for words, day in named_dates(text) if day > report_date), None)


def check_indicator_dates(
    name: str, records: list[dict[str, Any]], columns: dict[int, str], year: int, report_date: dt.date
) -> tuple[list[dict[str, Any]], list[Problem]]:
    """The indicator rows a report of ``year`` dated ``report_date`` may show, and a warning for
    each one it may not (``columns``: the sheet's 1-based column → column key)."""
    where = {key: column for column, key in columns.items()}
    kept, problems = [], []
    for record in records:
        found = _too_late(record, year, report_date)
        if found is None:
            kept.append(record)
            continue
        key, message = found
        row, column = record["source_row"], where[key]
        problems.append(Problem(name, "Mittarit", row, column, cell_ref(row, column), message, WARNING))
    return kept, problems


def _too_late(record: dict[str, Any], year: int, report_date: dt.date) -> tuple[str, Message] | None:
    """(the column to name, the message) if the row names a time after the report's, else None."""
    sheet = SHEETS_BY_TABLE["indicators"]
    value_year = record.get("value_year")
    if isinstance(value_year, int) and value_year > year:
        return "value_year", Message("indicator.year_after_report", year=year, value_year=value_year)
    for key in ("source", "note"):
        words = date_after(record.get(key), report_date)
        if words:
            return key, Message(
                "indicator.date_after_report",
                column=column_name(sheet.column(key)),
                date=f"{report_date.day}.{report_date.month}.{report_date.year}",
                words=repr(words),
                value=_show(record[key]),
            )
    return None
