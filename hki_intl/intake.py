"""Read every contributor workbook, check every cell, and report every problem at once.

Excel's own validation is not enforced on paste, so nothing in a workbook is trusted. Two
steps, both driven by :mod:`hki_intl.schema`:

1. *Parsing*: each cell is read by its column's kind (codes as the id or a label in any
   language, dates as Excel dates, ``14.3.2025`` or ``2025-03-14``, numbers as ``1 234,50``
   or ``€ 1 200``). Parsing is ours: it must accept what people write and say, per cell,
   what was wrong with the value as written.
2. *Checking* the parsed rows: required values, minimums and the rules across the cells of
   a row (end before start, external funding without a source, a date outside the year) are
   a pandera schema built from :mod:`hki_intl.schema`, validated lazily so that every
   failing row and column is collected in one pass, then turned into cell-precise messages.

Every problem becomes one :class:`~hki_intl.errors.Problem`, printed as
``<file>: <Sheet>!<Cell>: <what is wrong> (<the value>); <what is allowed / how to fix>``.
A workbook with problems is left out; the others are returned.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
from openpyxl.utils import column_index_from_string, get_column_letter

from .errors import ERROR, WARNING, Problem
from .excel_io import ErrorValue, FormulaWithoutValue, NotAWorkbook, WorkbookContents, read_workbook
from .layout import (
    HEADER_SEARCH_ROWS,
    TEMPLATE_SHEETS,
    Header,
    cell_ref,
    code_key,
    find_header,
    header_key,
    nonblank,
    other_sheets,
    unread,
)
from .layout import is_blank as _is_blank
from .layout import show as _show
from .params import LANGUAGES, Settings, Strategy
from .schema import (
    INFO_FIELDS,
    INFO_NAMES,
    INFO_SHEET,
    NIL_RETURN,
    SHEETS,
    STATUS_DATA,
    STATUS_EMPTY,
    STATUS_NIL,
    TEMPLATE_VERSION,
    Column,
    Sheet,
)

ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
FINNISH_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
NUMBER_NOISE = re.compile(r"[\s\u00a0\u202f€]|EUR", re.IGNORECASE)
MAX_TEXT = 2000  # characters in a free-text cell, as the template's validation says (Excel allows 32,767)
NUMBER_LIMIT = 1e15  # any number, as the template's validation says; column maxima are in the schema
SUFFIXES = {  # what a file of another kind is, and how to fix it
    ".xlsm": ("a macro-enabled workbook, .xlsm: macros are never run and its data was not read",
              "save it in Excel as 'Excel Workbook (*.xlsx)' (which removes the macros)"),
    ".xls": ("an Excel 97-2003 workbook, .xls", "save it in Excel as 'Excel Workbook (*.xlsx)'"),
    ".xlsb": ("an Excel binary workbook, .xlsb", "save it in Excel as 'Excel Workbook (*.xlsx)'"),
    ".ods": ("an OpenDocument spreadsheet, .ods",
             "save it as 'Excel 2007-365 (.xlsx)' (LibreOffice: File → Save As)"),
    ".csv": ("a CSV text file, .csv", "copy the rows into the template, save it as 'Excel Workbook (*.xlsx)'"),
    ".pdf": ("a PDF document, .pdf", "send the workbook itself, saved as 'Excel Workbook (*.xlsx)'"),
}
COUNT_WORDS = {2: "two", 3: "three", 4: "four"}


@dataclass(frozen=True)
class SheetLayout:
    """Where a data sheet's header was found: its 1-based row and column → column key."""

    header_row: int
    columns: dict[int, str]


@dataclass
class Submission:
    """One organisation's accepted workbook for one year."""

    organisation: str
    year: int
    path: Path
    template_version: str
    contact_role: str
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    nil_return: bool = False  # the contributor stated that there was nothing to report
    layout: dict[str, SheetLayout] = field(default_factory=dict)  # sheet name → where its columns are

    @property
    def rows(self) -> int:
        return sum(len(records) for records in self.tables.values())

    @property
    def status(self) -> str:
        """``data``; ``nil_return`` (nothing to report, as stated); or ``empty`` (an untouched
        template: perhaps forgotten, so it is not counted as a nil return)."""
        if self.rows:
            return STATUS_DATA
        return STATUS_NIL if self.nil_return else STATUS_EMPTY



@dataclass
class IntakeResult:
    submissions: list[Submission]
    problems: list[Problem]  # the errors: a workbook with one is left out
    rejected: dict[str, list[Problem]]  # file → its errors (the workbook was left out)
    warnings: list[Problem] = field(default_factory=list)  # values not read; the workbook stays in

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def all_problems(self) -> list[Problem]:
        """Errors and warnings, in the order of their files and cells."""
        return sorted(self.problems + self.warnings)


def workbook_paths(inputs_dir: Path, year: int) -> list[Path]:
    """Every file in ``<inputs>/<year>/`` except Excel's lock files and hidden files."""
    folder = Path(inputs_dir) / str(year)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(("~$", ".")))


def load_submissions(inputs_dir: Path, years: list[int], strategy: Strategy, settings: Settings) -> IntakeResult:
    """Read and check every workbook of every year in ``years``."""
    submissions: list[Submission] = []
    problems: list[Problem] = []
    warnings: list[Problem] = []
    rejected: dict[str, list[Problem]] = {}
    for year in years:
        read = [(path, *read_submission(path, year, strategy, settings)) for path in workbook_paths(inputs_dir, year)]
        _report_duplicates(read, year)
        _report_conflicting_indicators(read, year)
        for path, submission, found in read:
            errors = sorted(p for p in found if p.is_error)
            warnings.extend(sorted(p for p in found if not p.is_error))
            if errors:
                problems.extend(errors)
                rejected[str(path)] = errors
            elif submission:
                submissions.append(submission)
    return IntakeResult(submissions, problems, rejected, warnings)


def _report_duplicates(read: list[tuple[Path, Submission | None, list[Problem]]], year: int) -> None:
    """Two workbooks for one organisation (``education.xlsx`` and ``Education.xlsx``, or a
    workbook whose info names another organisation): each of them gets a problem."""
    claims: dict[str, list[Path]] = defaultdict(list)
    for path, submission, _ in read:
        if submission is not None:
            claims[submission.organisation].append(path)
    for path, submission, found in read:
        if submission is None or len(claims[submission.organisation]) < 2:
            continue
        paths = claims[submission.organisation]
        count = COUNT_WORDS.get(len(paths), str(len(paths)))
        found.append(Problem(str(path), message=(
            f"{count} workbooks are for organisation '{submission.organisation}' in {year} "
            f"({', '.join(p.name for p in paths)}); keep only one of them in the folder")))


def _report_conflicting_indicators(read: list[tuple[Path, Submission | None, list[Problem]]], year: int) -> None:
    """One indicator for one year with different values in two workbooks of ``year``: which is
    right cannot be guessed, so both are refused, each naming the other. (A later year's
    workbook may correct an earlier year's: that is not a conflict.)"""
    reported: dict[tuple[str, int], list[tuple[Path, int, float, list[Problem], int]]] = defaultdict(list)
    for path, submission, found in read:
        if submission is None or any(p.is_error for p in found) or "Mittarit" not in submission.layout:
            continue
        column = next(c for c, k in submission.layout["Mittarit"].columns.items() if k == "indicator")
        for record in submission.tables.get("indicators", []):
            key = (record["indicator"], record["value_year"])
            reported[key].append((path, record["source_row"], record["value"], found, column))
    for (indicator, value_year), entries in reported.items():
        if len({value for _, _, value, _, _ in entries}) < 2:
            continue
        for path, row, value, found, column in entries:
            others = "; ".join(f"{_amount(v)} in {p.name} row {r}" for p, r, v, _, _ in entries if v != value)
            found.append(Problem(str(path), "Mittarit", row, column, cell_ref(row, column), (
                f"the indicator {_show(indicator)} for {value_year} has another value in another workbook of {year} "
                f"({_amount(value)} here; {others}); agree with the other organisation on one value and report it in "
                f"one workbook only")))


def _amount(value: float) -> str:
    """4924251.0 → ``4 924 251`` (as messages write figures)."""
    return format(value, ",.15g").replace(",", " ")


def read_submission(path: Path, year: int, strategy: Strategy, settings: Settings) -> tuple[Submission | None, list[Problem]]:
    """Parse one workbook; return it (or None if it is not a workbook) and every problem found
    in it, errors and warnings."""
    name = str(path)
    suffix = path.suffix.lower()
    if suffix != ".xlsx":
        what, fix = SUFFIXES.get(suffix, (suffix or "no extension", "save the file in Excel as 'Excel Workbook (*.xlsx)'"))
        return None, [Problem(name, message=f"not an .xlsx workbook ({what}); {fix} and name it <organisation-id>.xlsx")]
    try:
        contents = read_workbook(path)  # every sheet: a value on any of them is read or named
    except NotAWorkbook as exc:
        where: dict[str, Any] = {"sheet": exc.sheet} if exc.sheet else {}
        if exc.sheet and exc.row and exc.column:
            where |= dict(row=exc.row, column=exc.column, cell=cell_ref(exc.row, exc.column))
        return None, [Problem(name, **where, message=str(exc))]
    sheets = contents.sheets
    problems: list[Problem] = []
    info = _read_info(name, contents, path, year, strategy, settings, problems)
    submission = Submission(path=path, year=year, **info.values)
    if info.wrong_year:  # last year's file: say so once, not once for every date in it
        return submission, [info.wrong_year]
    others = [s for s in contents.sheet_names if s not in TEMPLATE_SHEETS]
    for sheet in SHEETS:
        rows = sheets.get(sheet.name)
        if rows is None:
            found = (f"other sheets in the workbook: {', '.join(repr(s) for s in others)}" if others
                     else "no other sheets in the workbook")
            problems.append(Problem(name, sheet.name, message=(
                f"the sheet '{sheet.name}' is missing or was renamed ({found}); rename the sheet back to "
                f"'{sheet.name}' or copy your rows into a fresh template")))
            continue
        submission.tables[sheet.table] = _read_sheet(name, sheet, rows, contents.merged.get(sheet.name, []),
                                                     submission, strategy, problems)
    versions = {*settings.accepted_template_versions, TEMPLATE_VERSION}
    problems.extend(other_sheets(name, sheets, submission.organisation, year, strategy, versions))
    _check_nil_return(name, submission, info.nil_return_cell, year, problems)
    return submission, problems


def _check_nil_return(name: str, submission: Submission, cell: tuple[int, int] | None, year: int,
                      problems: list[Problem]) -> None:
    """A stated nil return must be empty; an empty workbook must be a stated nil return (else it
    is an untouched template, perhaps sent by mistake: a warning, and the report tells them apart)."""
    where: dict[str, Any] = dict(file=name, sheet=INFO_SHEET)
    if cell:
        where |= dict(row=cell[0], column=cell[1], cell=cell_ref(*cell))
    label, yes = NIL_RETURN.label("fi"), FLAG_WORDS_SHOWN["fi"]
    counts = {sheet.name: len(submission.tables.get(sheet.table, [])) for sheet in SHEETS}
    if submission.nil_return and submission.rows:
        rows = ", ".join(f"{sheet} {n}" for sheet, n in counts.items() if n)
        problems.append(Problem(**where, message=(
            f"'{label}' is chosen, but the workbook reports {submission.rows} rows ({rows}); clear the choice if the "
            f"rows are right, or delete the rows if there was nothing to report")))
    elif not submission.rows and not submission.nil_return and not any(p.is_error for p in problems):
        at = f"in the row '{label}' of the sheet {INFO_SHEET}" if cell else (
            f"in a fresh template, in the row '{label}' of the sheet {INFO_SHEET}")
        problems.append(Problem(**where, severity=WARNING, message=(
            f"no activities reported (every sheet of the template is empty); if the organisation had no "
            f"international activity in {year}, confirm this nil return by choosing '{yes}' {at}, otherwise fill in "
            f"the sheets")))


@dataclass
class _Info:
    values: dict[str, Any]  # organisation, template_version, contact_role, nil_return
    wrong_year: Problem | None = None  # the workbook is for another year
    nil_return_cell: tuple[int, int] | None = None  # (row, column) of the nil-return choice, if the row is there


def _read_info(name: str, contents: WorkbookContents, path: Path, year: int, strategy: Strategy,
               settings: Settings, problems: list[Problem]) -> _Info:
    """Organisation, template version, contact role and nil return from the info sheet, checked
    against the workbook's place (``<year>/<organisation-id>.xlsx``)."""
    sheets = contents.sheets
    stem = path.stem.strip().casefold()
    info = _Info({"organisation": stem, "template_version": "", "contact_role": "", "nil_return": False})
    if stem not in strategy.organisations.ids:
        problems.append(Problem(name, message=(
            f"the file name is not a known organisation id ('{path.stem}'); name the file <organisation-id>.xlsx "
            f"with one of {', '.join(strategy.organisations.ids)}")))
    rows = sheets.get(INFO_SHEET)
    if rows is None:
        others = [s for s in contents.sheet_names if s not in TEMPLATE_SHEETS]
        found = f"other sheets: {', '.join(repr(s) for s in others)}" if others else "no other sheets in the workbook"
        problems.append(Problem(name, INFO_SHEET, message=(
            f"the sheet '{INFO_SHEET}' is missing or was renamed ({found}); it names the organisation, year and "
            f"template version — rename the sheet back or copy your rows into a fresh template")))
        return info
    found, used = _find_info_cells(rows, sheets, contents.defined_names)
    for field_ in INFO_FIELDS:
        if field_.key not in found:
            if field_.required:
                spellings = "', '".join(dict.fromkeys(field_.label(lang) for lang in LANGUAGES))
                problems.append(Problem(name, INFO_SHEET, message=(
                    f"the row '{field_.label('fi')}' is missing (no row labelled '{spellings}' in column A); "
                    f"copy your rows into a fresh template")))
            continue
        r, c, raw = found[field_.key]
        if field_.key == "nil_return":
            info.nil_return_cell = (r, c)
        where = dict(file=name, sheet=INFO_SHEET, row=r, column=c, cell=cell_ref(r, c))
        if _is_blank(raw) and field_.required:
            problems.append(Problem(**where, message=(
                f"{_name(field_)} is required (empty); the template fills it in — copy your rows into a fresh "
                f"template made with 'pipeline.py templates'")))
            continue
        value, error = parse_value(field_, raw, strategy)
        if error:
            problems.append(Problem(**where, message=error))
            continue
        if field_.key == "organisation" and value and value != stem:
            problems.append(Problem(**where, message=(
                f"the organisation does not match the file name {path.name} ('{value}'); rename the file to "
                f"{value}.xlsx or use the template of organisation '{stem}'")))
        if field_.key == "year" and value is not None and value != year:
            info.wrong_year = Problem(**where, message=(
                f"the year does not match the folder {year} ({value}); move the workbook to the folder {value} "
                f"or use the {year} template"))
        if field_.key == "template_version" and value and value not in settings.accepted_template_versions:
            problems.append(Problem(**where, message=(
                f"the template version is not accepted ('{value}'); use a template of version "
                f"{' or '.join(settings.accepted_template_versions)}: copy your rows into a fresh template made "
                f"with 'pipeline.py templates'")))
        if c == 3:  # read from the hidden column: what the contributor sees in B must say the same
            problems.extend(_shown_differs(name, field_, rows, r, value, strategy))
        if value is not None and field_.key != "year":
            info.values[field_.key] = value if field_.key == "nil_return" else str(value)
    extra = [(r, c) for r, c in nonblank(rows) if (r + 1, c + 1) not in used]
    if extra:
        problems.append(unread(name, INFO_SHEET, rows, extra, "values outside the template's rows are not read",
                               "delete them; the sheet holds only the rows of the template"))
    return info


def _shown_differs(name: str, field_: Column, rows: list[list[Any]], r: int, value: Any,
                   strategy: Strategy) -> list[Problem]:
    """The visible copy (column B) of a value the intake reads from the hidden column C."""
    row = rows[r - 1]
    shown = row[1] if len(row) > 1 else None
    if _is_blank(shown):
        return []
    parsed, _ = parse_value(field_, shown, strategy)
    if parsed == value or str(parsed) == str(value):
        return []
    return [Problem(name, INFO_SHEET, r, 2, cell_ref(r, 2), (
        f"{_name(field_)} shown here is not the one the template recorded in the hidden cell C{r} ({_show(shown)} "
        f"here, {_show(value)} there); the recorded one is read — if it is wrong, use the template made for your "
        f"organisation and year"), WARNING)]


def _find_info_cells(rows: list[list[Any]], sheets: dict[str, list[list[Any]]], names: dict[str, tuple[str, str]]
                     ) -> tuple[dict[str, tuple[int, int, Any]], set[tuple[int, int]]]:
    """Field key → (row, column, raw value) of the info fields, and the 1-based cells they use.

    The template names the cells of the organisation id, year and version (``hki_*``, in the
    hidden column C); without those names, a row is found by its label in column A in any
    language, and its value is in column C (what the template wrote) or else B (what people see).
    """
    by_label = {header_key(f.header(lang)): f for f in INFO_FIELDS for lang in LANGUAGES}
    by_label |= {header_key(f.label(lang)): f for f in INFO_FIELDS for lang in LANGUAGES}
    by_label |= {header_key(f.key): f for f in INFO_FIELDS}
    found: dict[str, tuple[int, int, Any]] = {}
    used: set[tuple[int, int]] = set()
    for r, row in enumerate(rows, start=1):
        if not row or row[0] is None:
            continue
        field_ = by_label.get(header_key(row[0]))
        if field_ is None or field_.key in found:
            continue
        machine = row[2] if len(row) > 2 else None
        visible = row[1] if len(row) > 1 else None
        found[field_.key] = (r, 3, machine) if machine is not None else (r, 2, visible)
        used |= {(r, 1), (r, 2), (r, 3)}
    for key, defined in INFO_NAMES.items():
        sheet, ref = names.get(defined, ("", ""))
        if sheet not in sheets:
            continue
        match = re.fullmatch(r"([A-Z]+)(\d+)", ref)
        r, c = int(match[2]), column_index_from_string(match[1])
        target = sheets[sheet]
        raw = target[r - 1][c - 1] if r <= len(target) and c <= len(target[r - 1]) else None
        if sheet == INFO_SHEET:
            found[key] = (r, c, raw)
            used.add((r, c))
    return found, used


def _read_sheet(name: str, sheet: Sheet, rows: list[list[Any]], merged: list[tuple[int, int, int, int]],
                submission: Submission, strategy: Strategy, problems: list[Problem]) -> list[dict[str, Any]]:
    header = find_header(sheet, rows)
    if not header.columns:
        cells = nonblank(rows)
        if cells:
            examples = "', '".join(c.label("fi") for c in sheet.columns[:3])
            problems.append(unread(name, sheet.name, rows, cells, (
                f"no header row found (none of the first {HEADER_SEARCH_ROWS} rows has the template's headers, such "
                f"as '{examples}'), so the sheet's values are not read"),
                "restore the header row from a fresh template, on row 1", ERROR))
            return []
    header_row, mapping = header.row, header.columns
    submission.layout[sheet.name] = SheetLayout(header_row + 1, {c + 1: key for c, key in mapping.items()})
    missing = [c for c in sheet.columns if c.key not in mapping.values()]
    for column in missing:
        if column.required:
            spellings = "', '".join(dict.fromkeys(column.label(lang) for lang in LANGUAGES))
            problems.append(Problem(name, sheet.name, row=header_row + 1, message=(
                f"the required column '{column.label('fi')}' is missing from header row {header_row + 1} "
                f"(no header '{spellings}'); restore the column from a fresh template")))
    if not mapping:
        return []
    _check_header_region(name, sheet, rows, header, missing, problems)
    records: list[dict[str, Any]] = []
    raw_cells: dict[tuple[int, str], Any] = {}
    failed = _merged_in_data_area(name, sheet, merged, header_row + 1, len(rows), mapping, problems)
    for r in range(header_row + 1, len(rows)):
        row = rows[r]
        if all(_is_blank(v) for c, v in enumerate(row) if c in mapping):
            continue
        record: dict[str, Any] = {"organisation": submission.organisation, "year": submission.year,
                                  "source_file": Path(name).name, "source_row": r + 1}
        markers = True  # whether the row holds only formulas without a result and error values
        for c, key in mapping.items():
            raw = row[c] if c < len(row) else None
            raw_cells[(r + 1, key)] = raw
            value, error = parse_value(sheet.column(key), raw, strategy)
            if error:
                problems.append(Problem(name, sheet.name, r + 1, c + 1, cell_ref(r + 1, c + 1), error))
                failed.add((r + 1, key))
            record[key] = value
            markers = markers and (_is_blank(raw) or isinstance(raw, (ErrorValue, FormulaWithoutValue)))
        if markers:  # a formula copied down empty rows: its cells are named; "title is required" would be noise
            continue
        for column in sheet.columns:
            record.setdefault(column.key, None)
        records.append(record)
    columns = {key: c + 1 for c, key in mapping.items()}
    for row, key, message in check_rows(sheet, records, submission.year, strategy, raw_cells, failed):
        if key in columns:  # a missing column was named once, not once for every row
            problems.append(Problem(name, sheet.name, row, columns[key], cell_ref(row, columns[key]), message))
    _check_repeated_keys(name, sheet, records, columns, problems)
    return records


def _check_header_region(name: str, sheet: Sheet, rows: list[list[Any]], header: Header, missing: list[Column],
                         problems: list[Problem]) -> None:
    """Name what lies above the header row and in columns the header does not name: a header
    typed twice, a header that is not the template's, a column without a header."""
    h = header.row
    if h:
        above = nonblank(rows, 0, h)
        first = cell_ref(h + 1, min(header.columns) + 1)
        rows_word = f"{h} row{'s' if h != 1 else ''}"
        if above:
            problems.append(unread(name, sheet.name, rows, above, (
                f"the header is on row {h + 1}, not on row 1, and the values above it are not read"),
                f"delete the {rows_word} above the header (move any data below it first)", ERROR))
        else:
            problems.append(Problem(name, sheet.name, h + 1, min(header.columns) + 1, first, (
                f"the header is on row {h + 1}, not on row 1 ({rows_word} above it, empty); delete the {rows_word} "
                f"above it"), WARNING))
    width = max((len(row) for row in rows[h:]), default=0)
    repeats = {c: (first, key) for c, first, key in header.repeats}
    missing_labels = "', '".join(c.label("fi") for c in missing)
    for c in range(width):
        if c in header.columns:
            continue
        cells = nonblank(rows, h, columns=[c])
        if not cells:
            continue
        letter = get_column_letter(c + 1)
        values = [cell for cell in cells if cell[0] > h]
        title = rows[h][c] if c < len(rows[h]) else None
        if c in repeats:
            first, key = repeats[c]
            label = sheet.column(key).label("fi")
            problems.append(unread(name, sheet.name, rows, cells, (
                f"the column '{label}' is twice in the header ({cell_ref(h + 1, first + 1)} and {letter}{h + 1}), so "
                f"column {letter} is not read"),
                f"keep one of the two: move any values to column {get_column_letter(first + 1)} and delete column "
                f"{letter}", ERROR))
        elif not values:
            problems.append(unread(name, sheet.name, rows, cells, "the header is not one of the template's, and the "
                                   "column is empty", "delete the header, or type the header of a template column"))
        elif missing and not _is_blank(title):
            problems.append(unread(name, sheet.name, rows, cells, (
                f"the header {_show(title)} is not one of the template's, so column {letter} is not read, and the "
                f"template's column '{missing_labels}' is missing"),
                "if this is that column, type its header back (copy it from a fresh template)", ERROR))
        else:
            what = (f"the header {_show(title)} is not one of the template's" if not _is_blank(title)
                    else f"column {letter} has no header")
            problems.append(unread(name, sheet.name, rows, cells, f"{what}, so its values are not read",
                                   "if they belong in the report, move them to a column of the template; notes of "
                                   "your own may stay", ERROR if missing and _is_blank(title) else WARNING))


# (column keys, what they are in a message): two rows with the same key on these sheets are
# one record reported twice, and which of them is right cannot be guessed.
UNIQUE_KEYS: dict[str, tuple[tuple[str, ...], str]] = {
    "networks": (("network",), "network"),
    "partnerships": (("partner_city", "country", "agreement_type"), "partner city, country and agreement type"),
    "indicators": (("indicator", "value_year"), "indicator and year"),
}


def _check_repeated_keys(name: str, sheet: Sheet, records: list[dict[str, Any]], columns: dict[str, int],
                         problems: list[Problem]) -> None:
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
            problems.append(Problem(name, sheet.name, row, column, cell_ref(row, column), (
                f"the same {what} as on row {first} ({', '.join(_show(v) for v in values)}); keep one of rows "
                f"{first} and {row} and delete the other")))


def _merged_in_data_area(name: str, sheet: Sheet, merged: list[tuple[int, int, int, int]], header: int, last: int,
                         mapping: dict[int, str], problems: list[Problem]) -> set[tuple[int, str]]:
    """A problem for each merged range that reaches into the data area (below the 1-based
    ``header`` row, in a column that is read); returns the (row, key) cells it covers up to the
    ``last`` row, so that they are not reported again as empty."""
    covered: set[tuple[int, str]] = set()
    for first_row, first_col, last_row, last_col in sorted(merged):
        keys = {c + 1: key for c, key in mapping.items() if first_col <= c + 1 <= last_col}
        if last_row <= header or not keys:
            continue
        ref = f"{cell_ref(first_row, first_col)}:{cell_ref(last_row, last_col)}"
        problems.append(Problem(name, sheet.name, first_row, first_col, cell_ref(first_row, first_col), (
            f"cells are merged in the data area ({ref}); unmerge them (Home → Merge & Center) and fill in every "
            f"row's own cell")))
        rows = range(max(first_row, header + 1), min(last_row, last) + 1)  # a merge may reach far below the data
        covered |= {(row, key) for row in rows for key in keys.values()}
    return covered


# ---------------------------------------------------------------------------------------------
# Parsing one value by its column kind. Each parser returns (value, None) or (None, message).
# A blank cell is (None, None): whether it may be blank is checked with the rows (below).

def parse_value(column: Column, raw: Any, strategy: Strategy) -> tuple[Any, str | None]:
    if _is_blank(raw):
        return None, None
    if isinstance(raw, ErrorValue):
        code = raw.code if re.fullmatch(r"#[A-Z0-9/!?.]{1,15}", raw.code) else _show(raw.code)
        return None, (f"{_name(column)} is an error value ({code}); correct the formula that gives it, or type "
                      f"the value")
    if isinstance(raw, FormulaWithoutValue):
        formula = _show(f"={raw.formula}") if raw.formula else "a shared formula"
        return None, (f"{_name(column)} is a formula without a saved result ({formula}); open the workbook in Excel "
                      f"or LibreOffice and save it again, or type the value")
    return PARSERS[column.kind](column, raw, strategy)


def _text(column: Column, raw: Any, strategy: Strategy):
    if isinstance(raw, bool):
        raw = "TRUE" if raw else "FALSE"  # as Excel shows it
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, (dt.datetime, dt.date)):
        raw = raw.date().isoformat() if isinstance(raw, dt.datetime) else raw.isoformat()
    text = str(raw).strip()
    control = next((ch for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r"), None)
    if control is not None:
        return None, (f"{_name(column)} contains an invisible control character U+{ord(control):04X} ({_show(raw)}); "
                      f"retype the text, or paste it as plain text")
    if len(text) > MAX_TEXT:
        return None, (f"{_name(column)} is longer than {MAX_TEXT} characters ({len(text)} characters: {_show(raw)}); "
                      f"shorten it to {MAX_TEXT} characters or fewer")
    return text, None


def _code(column: Column, raw: Any, strategy: Strategy):
    codes = strategy.codes(column.codes)
    code = codes.lookup.get(code_key(raw))
    if code is None:
        return None, (f"unknown {_name(column)} ({_show(raw)}); choose a value from the "
                      f"dropdown, e.g. {_examples(codes.labels('fi').values())}")
    return code, None


def _codes(column: Column, raw: Any, strategy: Strategy):
    codes = strategy.codes(column.codes)
    values, unknown = [], []
    for part in re.split(r"[;,\n]", str(raw)):
        if not part.strip():
            continue
        code = codes.lookup.get(code_key(part))
        (values if code else unknown).append(code or part.strip())
    if unknown:
        return None, (f"unknown {_name(column)} ({', '.join(map(_show, unknown))}); separate "
                      f"values with ';' and use names such as {_examples(codes.labels('fi').values())}")
    return ";".join(dict.fromkeys(values)), None


def _date(column: Column, raw: Any, strategy: Strategy):
    value, error = _parse_date(column, raw)
    if value is not None and not FIRST_DATE <= value <= LAST_DATE:
        return None, (f"{_name(column)} is not a plausible date ({_show(raw)}); write a date between "
                      f"{FIRST_DATE:%-d.%-m.%Y} and {LAST_DATE:%-d.%-m.%Y}")
    return value, error


def _parse_date(column: Column, raw: Any):
    if isinstance(raw, dt.datetime):
        return raw.date(), None
    if isinstance(raw, dt.date):
        return raw, None
    if isinstance(raw, dt.time):  # what a date-formatted cell of a number below 1 (Excel has no earlier dates) gives
        return None, f"{_name(column)} is not a valid date (a time of day, or a date before 1900: {_show(raw)}); {DATE_HINT}"
    text = str(raw).strip()
    for pattern, order in ((ISO_DATE, (0, 1, 2)), (FINNISH_DATE, (2, 1, 0))):
        match = pattern.match(text)
        if match:
            parts = [int(g) for g in match.groups()]
            try:
                return dt.date(parts[order[0]], parts[order[1]], parts[order[2]]), None
            except ValueError:
                break
    return None, f"{_name(column)} is not a valid date ({_show(raw)}); {DATE_HINT}"


def _number(column: Column, raw: Any, strategy: Strategy):
    if isinstance(raw, bool):
        value = None
    elif isinstance(raw, (int, float)):
        value = float(raw)
    else:
        value = read_number_text(str(raw))
        if isinstance(value, Ambiguous):
            return None, _ambiguous(column, raw, value)
    if value is None or not math.isfinite(value):
        return None, f"{_name(column)} is not a number ({_show(raw)}); write digits only, e.g. 1234,50 or 1 234,50"
    if abs(value) > NUMBER_LIMIT:
        return None, (f"{_name(column)} is not a plausible number ({_show(raw)}); write a number between "
                      f"{_big(-NUMBER_LIMIT)} and {_big(NUMBER_LIMIT)}")
    return value, None


def _big(number: float) -> str:
    """1e9 → ``1 000 000 000`` (as the messages write limits)."""
    return f"{number:,.0f}".replace(",", " ")


class Ambiguous(NamedTuple):
    """A number typed as text that reads two ways: ``12,500`` is 12.5 with a decimal comma and
    12 500 with a thousands separator. Refused, never guessed."""

    separator: str  # "," or "."
    integer: str  # the digits before it
    fraction: str  # the three digits after it
    sign: str

    @property
    def as_decimal(self) -> str:
        """The decimal reading as one would type it: ``12,5``."""
        fraction = self.fraction.rstrip("0")
        return f"{self.sign}{self.integer}{self.separator}{fraction}" if fraction else f"{self.sign}{self.integer}"

    @property
    def as_thousands(self) -> str:
        """The thousands reading without a separator: ``12500``."""
        return f"{self.sign}{self.integer}{self.fraction}"


def read_number_text(text: str) -> float | Ambiguous | None:
    """A number typed as text → float, :class:`Ambiguous`, or None if it is not a number.

    Accepted: ``1234,50`` and ``1234.5`` (a decimal comma or point), ``1 234,50`` and
    ``€ 1 200`` (spaces and euro signs are ignored), ``1.234,50`` and ``1,234.50`` (both
    separators: the last one is the decimal), ``1.234.567`` and ``1,234,567`` (the same
    separator twice or more: thousands). Ambiguous: one separator followed by exactly three
    digits after one to three digits (``12,500``, ``15.000``) — a Finnish decimal comma or an
    English thousands separator, a thousandfold difference.
    """
    text = NUMBER_NOISE.sub("", text.strip()).replace("\u2212", "-")  # the typographic minus sign too
    match = re.fullmatch(r"([-+]?)(\d[\d.,]*)", text)
    if not match or match[2][-1] in ".,":
        return None
    sign, body = match.groups()
    separators = set(re.sub(r"\d", "", body))
    if not separators:
        number = body
    elif len(separators) == 2:
        decimal = body[max(body.rfind(","), body.rfind("."))]
        group = "." if decimal == "," else ","
        integer, _, fraction = body.rpartition(decimal)
        if not re.fullmatch(rf"\d{{1,3}}(?:{re.escape(group)}\d{{3}})+", integer):
            return None
        number = f"{integer.replace(group, '')}.{fraction}"
    else:
        separator = separators.pop()
        parts = body.split(separator)
        if len(parts) > 2:  # 1.234.567: only thousands can repeat
            if not all(len(p) == 3 for p in parts[1:]) or not 1 <= len(parts[0]) <= 3:
                return None
            number = "".join(parts)
        elif len(parts[1]) == 3 and len(parts[0]) <= 3 and not parts[0].startswith("0"):
            return Ambiguous(separator, parts[0], parts[1], sign if sign == "-" else "")
        else:
            number = f"{parts[0]}.{parts[1]}"
    return float(f"{sign}{number}")


def parse_number_text(text: str) -> float | None:
    """:func:`read_number_text`, with an ambiguous number as None (not a number)."""
    value = read_number_text(text)
    return None if isinstance(value, Ambiguous) else value


def _ambiguous(column: Column, raw: Any, reading: Ambiguous) -> str:
    word = "comma" if reading.separator == "," else "point"
    thousands = _big(float(reading.as_thousands))
    return (f"{_name(column)} is ambiguous ({_show(raw)} is {reading.as_decimal} with a decimal {word}, or "
            f"{thousands} with a thousands separator); type {reading.as_thousands} (without a separator) for "
            f"{thousands}, or {reading.as_decimal} for the decimal number")


def _integer(column: Column, raw: Any, strategy: Strategy):
    value, error = _number(column, raw, strategy)
    if error:
        return None, error
    if not float(value).is_integer():
        return None, f"{_name(column)} must be a whole number ({_show(raw)}); remove the decimals"
    return int(value), None


def _year(column: Column, raw: Any, strategy: Strategy):
    value, error = _integer(column, raw, strategy)
    if error:
        return None, f"{_name(column)} is not a year ({_show(raw)}); write a year such as 2025"
    if not 1900 <= value <= 2100:
        return None, f"{_name(column)} is not a plausible year ({_show(raw)}); write a year between 1900 and 2100"
    return value, None


# How the nil-return choice may be typed: the template's dropdown word in any language, or a
# checkbox-like x; "no" words read as not chosen.
FLAG_WORDS_SHOWN = {"fi": "Kyllä", "sv": "Ja", "en": "Yes"}
FLAG_WORDS = {**{w: True for w in ("kyllä", "ja", "yes", "x", "✓", "✔", "true")},
              **{w: False for w in ("ei", "nej", "no", "false")}}


def _flag(column: Column, raw: Any, strategy: Strategy):
    if isinstance(raw, bool):
        return raw, None
    value = FLAG_WORDS.get(code_key(raw))
    if value is None:
        return None, (f"{_name(column)} is neither '{FLAG_WORDS_SHOWN['fi']}' nor empty ({_show(raw)}); choose "
                      f"'{FLAG_WORDS_SHOWN['fi']}' from the dropdown, or leave the cell empty")
    return value, None


PARSERS: dict[str, Callable[[Column, Any, Strategy], tuple[Any, str | None]]] = {
    "text": _text, "code": _code, "codes": _codes, "date": _date,
    "number": _number, "integer": _integer, "year": _year, "flag": _flag,
}
DATE_HINT = "write a date as d.m.yyyy (e.g. 14.3.2025) or yyyy-mm-dd"
FIRST_DATE, LAST_DATE = dt.date(1950, 1, 1), dt.date(2100, 12, 31)  # as in the template's validation


def _name(column: Column) -> str:
    """How a message names a column: its English label, lower case, without '(EUR)'."""
    return re.sub(r"\s*\([^)]*\)", "", column.label("en")).lower()


def _hint(column: Column, strategy: Strategy) -> str:
    """How to fill in an empty required cell of ``column``."""
    if column.kind in ("code", "codes"):
        return f"choose a value from the dropdown, e.g. {_examples(strategy.codes(column.codes).labels('fi').values())}"
    return {"date": DATE_HINT, "number": "write a number, e.g. 1234,50", "integer": "write a whole number",
            "year": "write a year such as 2025"}.get(column.kind, "fill in the cell")


def _examples(labels) -> str:
    labels = list(labels)
    return ", ".join(f"'{label}'" for label in labels[:3]) + (" …" if len(labels) > 3 else "")


# ---------------------------------------------------------------------------------------------
# Checking the parsed rows of one sheet with pandera: required values, minimums, and the rules
# across the cells of one row. Lazy validation collects every failing row and column at once;
# each failure becomes a message about one cell (cells that did not parse are not re-reported).

@dataclass(frozen=True)
class RowRule:
    """A rule across the cells of one row: which cell it blames and what it says."""

    name: str
    column: str  # the cell a failure is reported in
    passes: Callable[[pd.DataFrame, int], pd.Series]  # (parsed rows, workbook year) → True where fine
    message: Callable[[pd.Series, int], str]  # (the failing row, workbook year) → the message


def _rowwise(frame: pd.DataFrame, test: Callable[..., bool], *columns: str) -> pd.Series:
    return pd.Series([bool(test(*values)) for values in zip(*(frame[c] for c in columns), strict=True)],
                     index=frame.index, dtype=bool)


ROW_RULES: dict[str, tuple[RowRule, ...]] = {
    "activities": (
        RowRule("end_before_start", "end",
                lambda f, year: _rowwise(f, lambda s, e: not (s and e and e < s), "start", "end"),
                lambda r, year: (f"the end date is before the start date ({r['end'].isoformat()} < "
                                 f"{r['start'].isoformat()}); correct either date")),
        RowRule("funding_without_source", "funding_source",
                lambda f, year: _rowwise(f, lambda money, source: not ((money or 0) > 0 and source in (None, "none")),
                                         "external_funding_eur", "funding_source"),
                lambda r, year: ("external funding is given but no funding source (empty); "
                                 "choose the programme or source of the funding")),
    ),
    "visits": (
        RowRule("date_in_year", "date", lambda f, year: _rowwise(f, lambda d: not d or d.year == year, "date"),
                lambda r, year: (f"the date is not in {year} ({r['date'].isoformat()}); report each visit or "
                                 f"media item in the workbook of its own year")),
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
    rules = [pa.Check(functools.partial(rule.passes, year=year), name=rule.name)
             for rule in ROW_RULES.get(sheet.table, ())]
    return pa.DataFrameSchema(columns, checks=rules, name=sheet_name)


def check_rows(sheet: Sheet, records: list[dict[str, Any]], year: int, strategy: Strategy,
               raw_cells: dict[tuple[int, str], Any], failed: set[tuple[int, str]]) -> list[tuple[int, str, str]]:
    """(worksheet row, column key, message) of every check the parsed rows fail."""
    if not records:
        return []
    import pandera.errors

    frame = pd.DataFrame([{c.key: r[c.key] for c in sheet.columns} for r in records],
                         index=[r["source_row"] for r in records], dtype=object)
    try:
        row_schema(sheet.name, year).validate(frame, lazy=True)
        return []
    except pandera.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    rules = {rule.name: rule for rule in ROW_RULES.get(sheet.table, ())}
    found: dict[tuple[int, str, str], None] = {}
    for case in cases.itertuples(index=False):
        row, check = int(case.index), str(case.check)
        if check in rules:
            key, message = rules[check].column, rules[check].message(frame.loc[row], year)
        elif check == "not_nullable":
            column = sheet.column(str(case.column))
            key, message = column.key, f"{_name(column)} is required (empty); {_hint(column, strategy)}"
        elif check == "minimum":
            column = sheet.column(str(case.column))
            key = column.key
            message = (f"{_name(column)} is below {column.minimum:g} ({_show(raw_cells.get((row, key)))}); "
                       f"write a value of {column.minimum:g} or more")
        elif check == "maximum":
            column = sheet.column(str(case.column))
            key = column.key
            message = (f"{_name(column)} is above {_big(column.maximum)} ({_show(raw_cells.get((row, key)))}); "
                       f"check the value: at most {_big(column.maximum)}")
        else:  # a check of pandera's own (the schema names all of ours): a bug, not the contributor's
            raise RuntimeError(f"unexpected pandera failure {check!r} in {sheet.name} row {row}")
        if (row, key) not in failed:
            found[(row, key, message)] = None
    return list(found)
