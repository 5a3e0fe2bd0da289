"""Read every contributor workbook, check every cell, and report every problem at once.

Excel's own validation is not enforced on paste, so nothing in a workbook is trusted. The
workbook's places come from :mod:`hki_intl.workbook.schema` and :mod:`hki_intl.workbook.layout`
(every value outside them is named); each cell is parsed by :mod:`hki_intl.intake.parse`; the
parsed rows are checked by :mod:`hki_intl.intake.rules`.

Every problem becomes one :class:`~hki_intl.errors.Problem`, printed as
``<file>: <Sheet>!<Cell>: <what is wrong> (<the value>); <what is allowed / how to fix>``.
A workbook with problems is left out; the others are returned.
"""

from __future__ import annotations

import operator
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from openpyxl.utils import column_index_from_string, get_column_letter

from hki_intl.config.params import LANGUAGES, Settings, Strategy
from hki_intl.errors import ERROR, WARNING, Problem
from hki_intl.intake.analyst import is_analyst_file
from hki_intl.intake.carried import unconfirmed_rows
from hki_intl.intake.highlights import check_highlights
from hki_intl.intake.parse import column_name, parse_column, parse_value
from hki_intl.intake.photos import Photo, clean_photo, is_photo_file
from hki_intl.intake.rules import check_repeated_keys, check_rows
from hki_intl.intake.sources import check_indicator_dates
from hki_intl.messages import Message, Words, either, joined
from hki_intl.workbook.excel import ErrorValue, FormulaWithoutValue, NotAWorkbook, WorkbookContents, read_workbook
from hki_intl.workbook.layout import (
    HEADER_SEARCH_ROWS,
    Header,
    cell_ref,
    find_header,
    header_key,
    nonblank,
    other_sheets,
    template_sheets,
    unread,
)
from hki_intl.workbook.layout import is_blank as _is_blank
from hki_intl.workbook.layout import show as _show
from hki_intl.workbook.schema import (
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
    version_key,
)

SUFFIXES = {  # what a file of another kind is, and how to fix it
    ".xlsm": (Message("file.xlsm"), Message("file.xlsm.fix")),
    ".xls": (Message("file.xls"), Message("file.save_as_xlsx")),
    ".xlsb": (Message("file.xlsb"), Message("file.save_as_xlsx")),
    ".ods": (Message("file.ods"), Message("file.ods.fix")),
    ".csv": (Message("file.csv"), Message("file.csv.fix")),
    ".pdf": (Message("file.pdf"), Message("file.pdf.fix")),
}
COUNT_WORDS = {2: Message("number.two"), 3: Message("number.three"), 4: Message("number.four")}


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
    photos: dict[str, Photo] = field(default_factory=dict)  # the highlights' cleaned photos, by their place beside the tables
    photo_files: set[str] = field(default_factory=set)  # the photo files the workbook names (case-folded)

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
    """Every file in ``<inputs>/<year>/`` except Excel's lock files, hidden files, the analyst's
    texts (``analyst-<lang>.md``: :mod:`hki_intl.intake.analyst` reads them) and photos (the
    highlights' photo files beside the workbooks: :func:`photo_paths`)."""
    return [p for p in _input_files(inputs_dir, year) if not is_photo_file(p)]


def photo_paths(inputs_dir: Path, year: int) -> list[Path]:
    """The photo files in ``<inputs>/<year>/`` (a workbook's highlights may name them)."""
    return [p for p in _input_files(inputs_dir, year) if is_photo_file(p)]


def _input_files(inputs_dir: Path, year: int) -> list[Path]:
    folder = Path(inputs_dir) / str(year)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(("~$", ".")) and not is_analyst_file(p))


def _unnamed_photos(inputs_dir: Path, year: int, read: list[tuple[Path, Submission | None, list[Problem]]]) -> list[Problem]:
    """A photo file that no workbook of the year names is not read: a warning at the file."""
    named = {name for _, submission, _ in read if submission for name in submission.photo_files}
    return [
        Problem(
            str(path),
            message=Message("photo.unnamed"),
            severity=WARNING,
        )
        for path in photo_paths(inputs_dir, year)
        if path.name.casefold() not in named
    ]


ReadOne = Callable[[Path, int, Strategy, Settings], tuple[Submission | None, list[Problem]]]


def load_submissions(
    inputs_dir: Path, years: list[int], strategy: Strategy, settings: Settings, read_one: ReadOne | None = None
) -> IntakeResult:
    """Read and check every workbook of every year in ``years``. ``read_one`` reads one workbook
    (default :func:`read_submission`; the run passes one that reuses a cached result); the checks
    across the workbooks of a year run here, over all of them, every time."""
    submissions: list[Submission] = []
    problems: list[Problem] = []
    warnings: list[Problem] = []
    rejected: dict[str, list[Problem]] = {}
    read_one = read_one or read_submission
    for year in years:
        read = [(path, *read_one(path, year, strategy, settings)) for path in workbook_paths(inputs_dir, year)]
        _report_duplicates(read, year)
        _report_conflicting_indicators(read, year)
        warnings.extend(_unnamed_photos(inputs_dir, year, read))
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
        found.append(
            Problem(
                str(path),
                message=Message(
                    "workbook.twice",
                    count=COUNT_WORDS.get(len(paths), len(paths)),
                    organisation=submission.organisation,
                    year=year,
                    files=", ".join(p.name for p in paths),
                ),
            )
        )


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
            others = [
                Message("indicator.other_value", value=_amount(v), file=p.name, row=r) for p, r, v, _, _ in entries if v != value
            ]
            found.append(
                Problem(
                    str(path),
                    "Mittarit",
                    row,
                    column,
                    cell_ref(row, column),
                    Message(
                        "indicator.conflict",
                        indicator=_show(indicator),
                        value_year=value_year,
                        year=year,
                        value=_amount(value),
                        others=joined(others),
                    ),
                )
            )


def _amount(value: float) -> str:
    """4924251.0 → ``4 924 251`` (as messages write figures)."""
    return format(value, ",.15g").replace(",", " ")


def read_submission(
    path: Path, year: int, strategy: Strategy, settings: Settings, clean: Callable[[bytes], Photo] = clean_photo
) -> tuple[Submission | None, list[Problem]]:
    """Parse one workbook; return it (or None if it is not a workbook) and every problem found
    in it, errors and warnings. ``clean`` cleans the highlights' photos (a cache may stand in)."""
    name = str(path)
    suffix = path.suffix.lower()
    if suffix != ".xlsx":
        what, fix = SUFFIXES.get(suffix, (suffix or Message("file.no_suffix"), Message("file.save_file_as_xlsx")))
        return None, [Problem(name, message=Message("file.not_xlsx", what=what, fix=fix))]
    try:
        contents = read_workbook(path)  # every sheet: a value on any of them is read or named
    except NotAWorkbook as exc:
        where: dict[str, Any] = {"sheet": exc.sheet} if exc.sheet else {}
        if exc.sheet and exc.row and exc.column:
            where |= dict(row=exc.row, column=exc.column, cell=cell_ref(exc.row, exc.column))
        return None, [Problem(name, **where, message=exc.message)]
    sheets = contents.sheets
    problems: list[Problem] = []
    info = _read_info(name, contents, path, year, strategy, settings, problems)
    submission = Submission(path=path, year=year, **info.values)
    if info.wrong_year:  # last year's file: say so once, not once for every date in it
        return submission, [info.wrong_year]
    known = template_sheets()
    others = [s for s in contents.sheet_names if s not in known]
    for sheet in SHEETS:
        rows = sheets.get(sheet.name)
        if rows is None and sheet.since and version_key(submission.template_version) < version_key(sheet.since):
            continue  # a template older than the sheet: nothing of it to read
        if rows is None:
            found = Message("sheet.others", sheets=", ".join(repr(s) for s in others)) if others else Message("sheet.no_others")
            problems.append(Problem(name, sheet.name, message=Message("sheet.missing", sheet=sheet.name, found=found)))
            continue
        submission.tables[sheet.table] = _read_sheet(
            name, sheet, rows, contents.merged.get(sheet.name, []), submission, strategy, problems
        )
    versions = {*settings.accepted_template_versions, TEMPLATE_VERSION}
    problems.extend(other_sheets(name, sheets, submission.organisation, year, strategy, versions))
    check_highlights(path, submission, problems, clean)
    _check_nil_return(name, submission, info.nil_return_cell, year, strategy, problems)
    columns = {sheet: layout.columns for sheet, layout in submission.layout.items()}
    problems.extend(unconfirmed_rows(name, year, submission.tables, columns, strategy))  # warnings: rows to confirm
    _drop_bookkeeping(submission)
    if "Mittarit" in submission.layout:  # no figure from after the report's date (a warning; the row is not read)
        submission.tables["indicators"], late = check_indicator_dates(
            name, submission.tables["indicators"], submission.layout["Mittarit"].columns, settings.year, settings.date
        )
        problems.extend(late)
    return submission, problems


def _drop_bookkeeping(submission: Submission) -> None:
    """Take the contributor's bookkeeping (the carried-over marks, checked above) out of the
    records: the parsed result, its cache and the consolidated tables hold the data alone."""
    for sheet in SHEETS:
        bookkeeping = [c.key for c in sheet.columns if not c.reported]
        for record in submission.tables.get(sheet.table, []) if bookkeeping else []:
            for key in bookkeeping:
                record.pop(key, None)


def _check_nil_return(
    name: str, submission: Submission, cell: tuple[int, int] | None, year: int, strategy: Strategy, problems: list[Problem]
) -> None:
    """A stated nil return must be empty; an empty workbook must be a stated nil return (else it
    is an untouched template, perhaps sent by mistake: a warning, and the report tells them apart)."""
    where: dict[str, Any] = dict(file=name, sheet=INFO_SHEET)
    if cell:
        where |= dict(row=cell[0], column=cell[1], cell=cell_ref(*cell))
    label = Words(*(NIL_RETURN.label(lang) for lang in LANGUAGES))
    yes = Words(*(strategy.codes(NIL_RETURN.code_list).label("yes", lang) for lang in LANGUAGES))
    counts = {sheet.name: len(submission.tables.get(sheet.table, [])) for sheet in SHEETS}
    if submission.nil_return and submission.rows:
        rows = ", ".join(f"{sheet} {n}" for sheet, n in counts.items() if n)
        problems.append(Problem(**where, message=Message("nil_return.with_rows", label=label, count=submission.rows, rows=rows)))
    elif not submission.rows and not submission.nil_return and not any(p.is_error for p in problems):
        at = Message("nil_return.at" if cell else "nil_return.at_fresh", label=label, sheet=INFO_SHEET)
        problems.append(Problem(**where, severity=WARNING, message=Message("nil_return.empty", year=year, yes=yes, at=at)))


@dataclass
class _Info:
    values: dict[str, Any]  # organisation, template_version, contact_role, nil_return
    wrong_year: Problem | None = None  # the workbook is for another year
    nil_return_cell: tuple[int, int] | None = None  # (row, column) of the nil-return choice, if the row is there


def _read_info(
    name: str, contents: WorkbookContents, path: Path, year: int, strategy: Strategy, settings: Settings, problems: list[Problem]
) -> _Info:
    """Organisation, template version, contact role and nil return from the info sheet, checked
    against the workbook's place (``<year>/<organisation-id>.xlsx``)."""
    stem = path.stem.strip().casefold()
    info = _Info({"organisation": stem, "template_version": "", "contact_role": "", "nil_return": False})
    if stem not in strategy.organisations.ids:
        problems.append(
            Problem(
                name,
                message=Message("file.unknown_organisation", stem=path.stem, ids=", ".join(strategy.organisations.ids)),
            )
        )
    rows = contents.sheets.get(INFO_SHEET)
    if rows is None:
        problems.append(_missing_info_sheet(name, contents))
        return info
    found, used = _find_info_cells(rows, contents.sheets, contents.defined_names)
    for field_ in INFO_FIELDS:
        if field_.key in found:
            _read_info_field(name, field_, found[field_.key], rows, _Place(path, stem, year), strategy, settings, info, problems)
        elif field_.required:
            spellings = "', '".join(dict.fromkeys(field_.label(lang) for lang in LANGUAGES))
            label = Words(*(field_.label(lang) for lang in LANGUAGES))
            problems.append(Problem(name, INFO_SHEET, message=Message("info.row_missing", label=label, spellings=spellings)))
    extra = [(r, c) for r, c in nonblank(rows) if (r + 1, c + 1) not in used]
    if extra:
        problems.append(
            unread(
                name,
                INFO_SHEET,
                rows,
                extra,
                Message("info.extra_values"),
                Message("info.extra_values.fix"),
            )
        )
    return info


@dataclass(frozen=True)
class _Place:
    """Where a workbook is: its path, the organisation its name says, the year of its folder."""

    path: Path
    stem: str
    year: int


def _missing_info_sheet(name: str, contents: WorkbookContents) -> Problem:
    known = template_sheets()
    others = [s for s in contents.sheet_names if s not in known]
    listed = Message("info.other_sheets", sheets=", ".join(repr(s) for s in others)) if others else Message("sheet.no_others")
    return Problem(name, INFO_SHEET, message=Message("info.sheet_missing", sheet=INFO_SHEET, found=listed))


def _read_info_field(
    name: str,
    field_: Column,
    at: tuple[int, int, Any],
    rows: list[list[Any]],
    place: _Place,
    strategy: Strategy,
    settings: Settings,
    info: _Info,
    problems: list[Problem],
) -> None:
    """One info row: parsed, checked against the workbook's place, recorded in ``info``."""
    r, c, raw = at
    if field_.key == "nil_return":
        info.nil_return_cell = (r, c)
    where = Problem(name, INFO_SHEET, r, c, cell_ref(r, c))
    if _is_blank(raw) and field_.required:
        problems.append(
            replace(
                where,
                message=Message("info.required", column=column_name(field_)),
            )
        )
        return
    value, error = parse_value(field_, raw, strategy)
    if error:
        problems.append(replace(where, message=error))
        return
    mismatch = _info_mismatch(field_.key, value, place, settings)
    if mismatch and field_.key == "year":
        info.wrong_year = replace(where, message=mismatch)
    elif mismatch:
        problems.append(replace(where, message=mismatch))
    if c == 3:  # read from the hidden column: what the contributor sees in B must say the same
        problems.extend(_shown_differs(name, field_, rows, r, value, strategy))
    if value is not None and field_.key != "year":
        info.values[field_.key] = value if field_.key == "nil_return" else str(value)


def _info_mismatch(key: str, value: Any, place: _Place, settings: Settings) -> Message | None:
    """What is wrong with an info value for this workbook's place, if anything."""
    if key == "organisation" and value and value != place.stem:
        return Message("info.organisation_mismatch", file=place.path.name, value=value, stem=place.stem)
    if key == "year" and value is not None and value != place.year:
        return Message("info.year_mismatch", folder=place.year, value=value)
    if key == "template_version" and value and value not in settings.accepted_template_versions:
        return Message("info.version_not_accepted", value=value, versions=either(list(settings.accepted_template_versions)))
    return None


def _shown_differs(name: str, field_: Column, rows: list[list[Any]], r: int, value: Any, strategy: Strategy) -> list[Problem]:
    """The visible copy (column B) of a value the intake reads from the hidden column C."""
    row = rows[r - 1]
    shown = row[1] if len(row) > 1 else None
    if _is_blank(shown):
        return []
    parsed, _ = parse_value(field_, shown, strategy)
    if parsed == value or str(parsed) == str(value):
        return []
    return [
        Problem(
            name,
            INFO_SHEET,
            r,
            2,
            cell_ref(r, 2),
            Message("info.shown_differs", column=column_name(field_), cell=f"C{r}", shown=_show(shown), value=_show(value)),
            WARNING,
        )
    ]


def _find_info_cells(
    rows: list[list[Any]], sheets: dict[str, list[list[Any]]], names: dict[str, tuple[str, str]]
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
        if match is None:  # a name of a range, not of one cell: not the template's
            continue
        r, c = int(match[2]), column_index_from_string(match[1])
        target = sheets[sheet]
        raw = target[r - 1][c - 1] if r <= len(target) and c <= len(target[r - 1]) else None
        if sheet == INFO_SHEET:
            found[key] = (r, c, raw)
            used.add((r, c))
    return found, used


def _read_sheet(
    name: str,
    sheet: Sheet,
    rows: list[list[Any]],
    merged: list[tuple[int, int, int, int]],
    submission: Submission,
    strategy: Strategy,
    problems: list[Problem],
) -> list[dict[str, Any]]:
    """The records of one data sheet; every problem of its cells and rows goes to ``problems``."""
    header = find_header(sheet, rows)
    if not header.columns and _no_header(name, sheet, rows, problems):
        return []
    submission.layout[sheet.name] = SheetLayout(header.row + 1, {c + 1: key for c, key in header.columns.items()})
    missing = [c for c in sheet.columns if c.key not in header.columns.values()]
    for column in missing:
        if column.required:
            spellings = "', '".join(dict.fromkeys(column.label(lang) for lang in LANGUAGES))
            label = Words(*(column.label(lang) for lang in LANGUAGES))
            problems.append(
                Problem(
                    name,
                    sheet.name,
                    row=header.row + 1,
                    message=Message("header.column_missing", label=label, row=header.row + 1, spellings=spellings),
                )
            )
    if not header.columns:
        return []
    _check_header_region(name, sheet, rows, header, missing, problems)
    failed = _merged_in_data_area(name, sheet, merged, header.row + 1, len(rows), header.columns, problems)
    records, raw_cell = _parse_rows(name, sheet, rows, header, submission, strategy, failed, problems)
    columns = {key: c + 1 for c, key in header.columns.items()}
    for row, key, message in check_rows(sheet, records, submission.year, strategy, raw_cell, failed):
        if key in columns:  # a missing column was named once, not once for every row
            problems.append(Problem(name, sheet.name, row, columns[key], cell_ref(row, columns[key]), message))
    check_repeated_keys(name, sheet, records, columns, problems)
    return records


def _no_header(name: str, sheet: Sheet, rows: list[list[Any]], problems: list[Problem]) -> bool:
    """A data sheet without its header: its values, if any, are named (True); an empty one is
    only missing its required columns, which the caller names (False)."""
    cells = nonblank(rows)
    if cells:
        examples = Words(*("', '".join(c.label(lang) for c in sheet.columns[:3]) for lang in LANGUAGES))
        problems.append(
            unread(
                name,
                sheet.name,
                rows,
                cells,
                Message("header.not_found", rows=HEADER_SEARCH_ROWS, examples=examples),
                Message("header.not_found.fix"),
                ERROR,
            )
        )
    return bool(cells)


def _parse_rows(
    name: str,
    sheet: Sheet,
    rows: list[list[Any]],
    header: Header,
    submission: Submission,
    strategy: Strategy,
    failed: set[tuple[int, str]],
    problems: list[Problem],
) -> tuple[list[dict[str, Any]], Callable[[int, str], Any]]:
    """Every row below the header that holds a value, each cell parsed by its column's kind:
    (records, the raw cell of a (worksheet row, key)); the cells that failed to parse are added
    to ``failed``, their problems to ``problems`` row by row. The cells are parsed a column at a
    time (:func:`~hki_intl.intake.parse.parse_column`): a column's cells share a kind."""
    places, keys = list(header.columns), list(header.columns.values())
    written, cells = _written_rows(rows, header)
    by_column = list(zip(*cells, strict=True)) if cells else [() for _ in keys]
    columns = [parse_column(sheet.column(key), raws, strategy) for key, raws in zip(keys, by_column, strict=True)]
    refused = sorted((i, j) for j, column in enumerate(columns) for i in column.errors)
    for i, j in refused:
        row, c = written[i] + 1, places[j] + 1
        problems.append(Problem(name, sheet.name, row, c, cell_ref(row, c), columns[j].errors[i]))
        failed.add((row, keys[j]))
    # a row of only formulas without a result and error values (a formula copied down empty
    # rows): its cells are named; "title is required" would be noise
    markers = {i for i, _ in refused if all(_is_blank(v) or isinstance(v, (ErrorValue, FormulaWithoutValue)) for v in cells[i])}
    base = {"organisation": submission.organisation, "year": submission.year, "source_file": Path(name).name}
    absent = [c.key for c in sheet.columns if c.key not in keys]
    records: list[dict[str, Any]] = []
    for i, values in enumerate(zip(*(column.values for column in columns), strict=True)):
        if i not in markers:
            record = base | {"source_row": written[i] + 1}
            record.update(zip(keys, values, strict=True))
            for key in absent:
                record.setdefault(key, None)
            records.append(record)
    at = {key: c for c, key in header.columns.items()}
    return records, lambda row, key: _cell(rows, row - 1, at[key]) if key in at else None


def _written_rows(rows: list[list[Any]], header: Header) -> tuple[list[int], list[tuple[Any, ...]]]:
    """The rows below the header that hold a value in a column it names (0-based), and their
    cells in those columns, in the header's order."""
    pick = _cells_of(list(header.columns))
    written: list[int] = []
    cells: list[tuple[Any, ...]] = []
    for r in range(header.row + 1, len(rows)):
        values = pick(rows[r])
        if values.count(None) < len(values) and not all(map(_is_blank, values)):
            written.append(r)
            cells.append(values)
    return written, cells


def _cells_of(places: list[int]) -> Callable[[list[Any]], tuple[Any, ...]]:
    """The cells of a row at ``places`` (0-based columns), None beyond the row's end."""
    whole = operator.itemgetter(*places)
    width = max(places) + 1

    def cells(row: list[Any]) -> tuple[Any, ...]:
        if len(row) < width:
            return tuple(row[c] if c < len(row) else None for c in places)
        return whole(row) if len(places) > 1 else (whole(row),)

    return cells


def _cell(rows: list[list[Any]], r: int, c: int) -> Any:
    """The value at 0-based (r, c), None outside the rows."""
    return rows[r][c] if r < len(rows) and c < len(rows[r]) else None


def _check_header_region(
    name: str, sheet: Sheet, rows: list[list[Any]], header: Header, missing: list[Column], problems: list[Problem]
) -> None:
    """Name what lies above the header row and in columns the header does not name: a header
    typed twice, a header that is not the template's, a column without a header."""
    h = header.row
    if h:
        above = nonblank(rows, 0, h)
        first = cell_ref(h + 1, min(header.columns) + 1)
        rows_word = Message("rows_one" if h == 1 else "rows", count=h)
        if above:
            problems.append(
                unread(
                    name,
                    sheet.name,
                    rows,
                    above,
                    Message("header.below_row_1", row=h + 1),
                    Message("header.below_row_1.fix", rows=rows_word),
                    ERROR,
                )
            )
        else:
            problems.append(
                Problem(
                    name,
                    sheet.name,
                    h + 1,
                    min(header.columns) + 1,
                    first,
                    Message("header.below_empty_rows", row=h + 1, rows=rows_word),
                    WARNING,
                )
            )
    width = max((len(row) for row in rows[h:]), default=0)
    repeats = {c: (first, key) for c, first, key in header.repeats}
    missing_labels = Words(*("', '".join(c.label(lang) for c in missing) for lang in LANGUAGES))
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
            original, key = repeats[c]
            label = Words(*(sheet.column(key).label(lang) for lang in LANGUAGES))
            problems.append(
                unread(
                    name,
                    sheet.name,
                    rows,
                    cells,
                    Message(
                        "header.twice", label=label, first=cell_ref(h + 1, original + 1), second=f"{letter}{h + 1}", letter=letter
                    ),
                    Message("header.twice.fix", keep=get_column_letter(original + 1), letter=letter),
                    ERROR,
                )
            )
        elif not values:
            problems.append(
                unread(
                    name,
                    sheet.name,
                    rows,
                    cells,
                    Message("header.unknown_empty"),
                    Message("header.unknown_empty.fix"),
                )
            )
        elif missing and not _is_blank(title):
            problems.append(
                unread(
                    name,
                    sheet.name,
                    rows,
                    cells,
                    Message("header.unknown_instead", title=_show(title), letter=letter, missing=missing_labels),
                    Message("header.unknown_instead.fix"),
                    ERROR,
                )
            )
        else:
            what = (
                Message("header.unknown", title=_show(title)) if not _is_blank(title) else Message("header.none", letter=letter)
            )
            problems.append(
                unread(
                    name,
                    sheet.name,
                    rows,
                    cells,
                    Message("header.values_not_read", what=what),
                    Message("header.values_not_read.fix"),
                    ERROR if missing and _is_blank(title) else WARNING,
                )
            )


def _merged_in_data_area(
    name: str,
    sheet: Sheet,
    merged: list[tuple[int, int, int, int]],
    header: int,
    last: int,
    mapping: dict[int, str],
    problems: list[Problem],
) -> set[tuple[int, str]]:
    """A problem for each merged range that reaches into the data area (below the 1-based
    ``header`` row, in a column that is read); returns the (row, key) cells it covers up to the
    ``last`` row, so that they are not reported again as empty."""
    covered: set[tuple[int, str]] = set()
    for first_row, first_col, last_row, last_col in sorted(merged):
        keys = {c + 1: key for c, key in mapping.items() if first_col <= c + 1 <= last_col}
        if last_row <= header or not keys:
            continue
        ref = f"{cell_ref(first_row, first_col)}:{cell_ref(last_row, last_col)}"
        problems.append(
            Problem(
                name,
                sheet.name,
                first_row,
                first_col,
                cell_ref(first_row, first_col),
                Message("cells.merged", range=ref),
            )
        )
        rows = range(max(first_row, header + 1), min(last_row, last) + 1)  # a merge may reach far below the data
        covered |= {(row, key) for row in rows for key in keys.values()}
    return covered
