"""Read every contributor workbook, check every cell, and report every problem at once.

Excel's own validation is not enforced on paste, so nothing in a workbook is trusted: each
value is parsed by its column's kind (:mod:`hki_intl.schema`) and every problem becomes one
:class:`~hki_intl.errors.Problem` naming the file, the sheet and the cell, what is wrong and
how to fix it. A workbook with problems is left out; the others are returned.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from .errors import Problem
from .excel_io import NotAWorkbook, read_sheets
from .params import Settings, Strategy, normalise_key
from .schema import INFO_FIELDS, INFO_SHEET, REQUIRED_MARK, SHEETS, Column, Sheet

HEADER_SEARCH_ROWS = 10
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
FINNISH_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
NUMBER_NOISE = re.compile(r"[\s\u00a0\u202f€]|EUR", re.IGNORECASE)


@dataclass
class Submission:
    """One organisation's accepted workbook for one year."""

    organisation: str
    year: int
    path: Path
    template_version: str
    contact_role: str
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


@dataclass
class IntakeResult:
    submissions: list[Submission]
    problems: list[Problem]
    rejected: dict[str, list[Problem]]  # file → its problems (the workbook was left out)

    @property
    def ok(self) -> bool:
        return not self.problems


def cell_ref(row: int, column: int) -> str:
    """1-based row and column → ``E14``."""
    return f"{get_column_letter(column)}{row}"


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
    rejected: dict[str, list[Problem]] = {}
    for year in years:
        seen: dict[str, Path] = {}
        for path in workbook_paths(inputs_dir, year):
            submission, found = read_submission(path, year, strategy, settings)
            if submission and submission.organisation in seen:
                found.append(Problem(str(path), message=(
                    f"a second workbook for organisation '{submission.organisation}' in {year} "
                    f"(the first is {seen[submission.organisation].name}); keep one and remove the other")))
            if found:
                problems.extend(found)
                rejected[str(path)] = found
            elif submission:
                seen[submission.organisation] = path
                submissions.append(submission)
    return IntakeResult(submissions, problems, rejected)


def read_submission(path: Path, year: int, strategy: Strategy, settings: Settings) -> tuple[Submission | None, list[Problem]]:
    """Parse one workbook; return it (or None) and every problem found in it."""
    name = str(path)
    if path.suffix.lower() != ".xlsx":
        return None, [Problem(name, message=(
            f"not an .xlsx workbook ({path.suffix or 'no extension'}); save the file in Excel as "
            f"'Excel Workbook (*.xlsx)' and name it <organisation-id>.xlsx"))]
    try:
        sheets = read_sheets(path)
    except NotAWorkbook as exc:
        return None, [Problem(name, message=str(exc))]
    problems: list[Problem] = []
    info = _read_info(name, sheets.get(INFO_SHEET), path, year, strategy, settings, problems)
    submission = Submission(path=path, year=year, **info)
    for sheet in SHEETS:
        rows = sheets.get(sheet.name)
        if rows is None:
            problems.append(Problem(name, sheet.name, message=(
                f"the sheet '{sheet.name}' is missing or was renamed; the workbook must have the "
                f"sheets {', '.join(s.name for s in SHEETS)} — copy your rows into a fresh template")))
            continue
        submission.tables[sheet.table] = _read_sheet(name, sheet, rows, submission, strategy, problems)
    return submission, problems


def _read_info(name: str, rows, path: Path, year: int, strategy: Strategy, settings: Settings,
               problems: list[Problem]) -> dict[str, Any]:
    info = {"organisation": path.stem, "template_version": "", "contact_role": ""}
    if rows is None:
        problems.append(Problem(name, INFO_SHEET, message=(
            f"the sheet '{INFO_SHEET}' is missing or was renamed; it must name the organisation, "
            f"year and template version — copy your rows into a fresh template")))
        return info
    by_label = {normalise_key(f.header(lang)): f for f in INFO_FIELDS for lang in ("fi", "sv", "en")}
    by_label |= {normalise_key(f.label(lang)): f for f in INFO_FIELDS for lang in ("fi", "sv", "en")}
    by_label |= {normalise_key(f.key): f for f in INFO_FIELDS}
    found: dict[str, tuple[int, int, Any]] = {}
    for r, row in enumerate(rows, start=1):
        if not row or row[0] is None:
            continue
        field_ = by_label.get(normalise_key(row[0]))
        if field_ is None:
            continue
        # Column C (hidden) holds the machine value the template wrote; B is what people see.
        machine = row[2] if len(row) > 2 else None
        visible = row[1] if len(row) > 1 else None
        value, col = (machine, 3) if machine is not None else (visible, 2)
        found[field_.key] = (r, col, value)
    for field_ in INFO_FIELDS:
        if field_.key not in found:
            if field_.required:
                problems.append(Problem(name, INFO_SHEET, message=(
                    f"the row '{field_.label('fi')}' is missing; copy your rows into a fresh template")))
            continue
        r, c, raw = found[field_.key]
        value, error = parse_value(field_, raw, strategy)
        where = dict(file=name, sheet=INFO_SHEET, row=r, column=c, cell=cell_ref(r, c))
        if error:
            problems.append(Problem(**where, message=error))
            continue
        if field_.key == "organisation" and value and value != path.stem:
            problems.append(Problem(**where, message=(
                f"the workbook is for organisation '{value}' but its file is named '{path.name}'; "
                f"rename the file to {value}.xlsx or use the template of organisation '{path.stem}'")))
        if field_.key == "year" and value is not None and value != year:
            problems.append(Problem(**where, message=(
                f"the workbook is for year {value} but lies in the folder for {year}; move it to the "
                f"folder {value} or use the {year} template")))
        if field_.key == "template_version" and value and value not in settings.accepted_template_versions:
            problems.append(Problem(**where, message=(
                f"template version {value} is not accepted ({', '.join(settings.accepted_template_versions)}); "
                f"copy your rows into a fresh template made with 'pipeline.py templates'")))
        if value is not None:
            info[field_.key] = str(value) if field_.key != "year" else value
    if path.stem not in strategy.organisations.ids:
        problems.append(Problem(name, message=(
            f"'{path.stem}' is not a known organisation id; name the file <organisation-id>.xlsx "
            f"with one of {', '.join(strategy.organisations.ids)}")))
    info.pop("year", None)
    return info


def _find_header(sheet: Sheet, rows: list[list[Any]]) -> tuple[int, dict[int, str]]:
    """The header row (0-based) and a map of 0-based column index → column key."""
    lookup = sheet.header_lookup
    best = (0, {})
    for r, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        mapping = {}
        for c, value in enumerate(row):
            if value is None:
                continue
            key = lookup.get(normalise_key(str(value).removesuffix(REQUIRED_MARK.strip()).rstrip("* ")))
            if key and key not in mapping.values():
                mapping[c] = key
        if len(mapping) > len(best[1]):
            best = (r, mapping)
    return best


def _read_sheet(name: str, sheet: Sheet, rows: list[list[Any]], submission: Submission, strategy: Strategy,
                problems: list[Problem]) -> list[dict[str, Any]]:
    header_row, mapping = _find_header(sheet, rows)
    missing = [c for c in sheet.columns if c.required and c.key not in mapping.values()]
    for column in missing:
        problems.append(Problem(name, sheet.name, row=header_row + 1, message=(
            f"the required column '{column.label('fi')}' ({column.key}) is missing from the header row "
            f"{header_row + 1}; restore it from a fresh template")))
    if missing:
        return []
    records: list[dict[str, Any]] = []
    for r in range(header_row + 1, len(rows)):
        row = rows[r]
        if all(_is_blank(v) for c, v in enumerate(row) if c in mapping):
            continue
        record: dict[str, Any] = {"organisation": submission.organisation, "year": submission.year,
                                  "source_file": Path(name).name, "source_row": r + 1}
        where: dict[str, tuple[int, int]] = {}
        for c, key in mapping.items():
            column = sheet.column(key)
            raw = row[c] if c < len(row) else None
            value, error = parse_value(column, raw, strategy)
            where[key] = (r + 1, c + 1)
            if error:
                problems.append(Problem(name, sheet.name, r + 1, c + 1, cell_ref(r + 1, c + 1), error))
            record[key] = value
        for column in sheet.columns:
            record.setdefault(column.key, None)
        for check in ROW_CHECKS.get(sheet.table, ()):
            found = check(record, submission.year)
            if found:
                key, message = found
                rr, cc = where[key]
                problems.append(Problem(name, sheet.name, rr, cc, cell_ref(rr, cc), message))
        records.append(record)
    return records


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, float) and math.isnan(value))


# ---------------------------------------------------------------------------------------------
# Parsing one value by its column kind. Each parser returns (value, None) or (None, message).

def parse_value(column: Column, raw: Any, strategy: Strategy) -> tuple[Any, str | None]:
    if _is_blank(raw):
        if column.required:
            return None, f"{column.label('en')} is required but empty; fill in the cell"
        return None, None
    return PARSERS[column.kind](column, raw, strategy)


def _text(column: Column, raw: Any, strategy: Strategy):
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, (dt.datetime, dt.date)):
        raw = raw.date().isoformat() if isinstance(raw, dt.datetime) else raw.isoformat()
    return str(raw).strip(), None


def _code(column: Column, raw: Any, strategy: Strategy):
    codes = strategy.codes(column.codes)
    code = codes.lookup.get(normalise_key(raw))
    if code is None:
        return None, (f"unknown {column.label('en').lower()} ({_show(raw)}); choose a value from the "
                      f"dropdown, e.g. {_examples(codes.labels('fi').values())}")
    return code, None


def _codes(column: Column, raw: Any, strategy: Strategy):
    codes = strategy.codes(column.codes)
    values, unknown = [], []
    for part in re.split(r"[;,\n]", str(raw)):
        if not part.strip():
            continue
        code = codes.lookup.get(normalise_key(part))
        (values if code else unknown).append(code or part.strip())
    if unknown:
        return None, (f"unknown {column.label('en').lower()} ({', '.join(map(_show, unknown))}); separate "
                      f"values with ';' and use names such as {_examples(codes.labels('fi').values())}")
    return ";".join(dict.fromkeys(values)), None


def _date(column: Column, raw: Any, strategy: Strategy):
    if isinstance(raw, dt.datetime):
        return raw.date(), None
    if isinstance(raw, dt.date):
        return raw, None
    text = str(raw).strip()
    for pattern, order in ((ISO_DATE, (0, 1, 2)), (FINNISH_DATE, (2, 1, 0))):
        match = pattern.match(text)
        if match:
            parts = [int(g) for g in match.groups()]
            try:
                return dt.date(parts[order[0]], parts[order[1]], parts[order[2]]), None
            except ValueError:
                break
    return None, (f"{column.label('en').lower()} is not a valid date ({_show(raw)}); "
                  f"write a date as d.m.yyyy (e.g. 14.3.2025) or yyyy-mm-dd")


def _number(column: Column, raw: Any, strategy: Strategy):
    if isinstance(raw, bool):
        value = None
    elif isinstance(raw, (int, float)):
        value = float(raw)
    else:
        value = parse_number_text(str(raw))
    if value is None or not math.isfinite(value):
        return None, (f"{column.label('en').lower()} is not a number ({_show(raw)}); "
                      f"write digits only, e.g. 1234,50 or 1 234,50")
    if column.minimum is not None and value < column.minimum:
        return None, (f"{column.label('en').lower()} is below {column.minimum:g} ({_show(raw)}); "
                      f"write a value of {column.minimum:g} or more")
    return value, None


def parse_number_text(text: str) -> float | None:
    """``1 234,50``, ``1234.5``, ``€ 1 200``, ``1,234.50`` → float; anything else → None.

    A lone comma is a decimal comma (Finnish and Swedish usage); when both ``,`` and ``.``
    appear, the last one is the decimal separator.
    """
    text = NUMBER_NOISE.sub("", text.strip())
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        text = text.replace("." if decimal == "," else ",", "").replace(decimal, ".")
    else:
        text = text.replace(",", ".")
    if not re.fullmatch(r"[-+]?\d+(\.\d+)?", text):
        return None
    return float(text)


def _integer(column: Column, raw: Any, strategy: Strategy):
    value, error = _number(column, raw, strategy)
    if error:
        return None, error
    if not float(value).is_integer():
        return None, f"{column.label('en').lower()} must be a whole number ({_show(raw)}); remove the decimals"
    return int(value), None


def _year(column: Column, raw: Any, strategy: Strategy):
    value, error = _integer(column, raw, strategy)
    if error:
        return None, f"{column.label('en').lower()} is not a year ({_show(raw)}); write a year such as 2025"
    if not 1900 <= value <= 2100:
        return None, f"{column.label('en').lower()} is not a plausible year ({_show(raw)}); write a year between 1900 and 2100"
    return value, None


PARSERS: dict[str, Callable[[Column, Any, Strategy], tuple[Any, str | None]]] = {
    "text": _text, "code": _code, "codes": _codes, "date": _date,
    "number": _number, "integer": _integer, "year": _year,
}


def _show(raw: Any) -> str:
    text = raw.isoformat() if isinstance(raw, (dt.date, dt.datetime)) else str(raw)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _examples(labels) -> str:
    labels = list(labels)
    return ", ".join(f"'{label}'" for label in labels[:3]) + (" …" if len(labels) > 3 else "")


# ---------------------------------------------------------------------------------------------
# Checks across the cells of one row: (record, workbook year) → (column key, message) or None.

def _end_before_start(record: dict[str, Any], year: int):
    if record.get("start") and record.get("end") and record["end"] < record["start"]:
        return "end", (f"the end date is before the start date ({record['end'].isoformat()} < "
                       f"{record['start'].isoformat()}); correct either date")
    return None


def _funding_without_source(record: dict[str, Any], year: int):
    if (record.get("external_funding_eur") or 0) > 0 and record.get("funding_source") in (None, "none"):
        return "funding_source", ("external funding is given but no funding source (empty); "
                                  "choose the programme or source of the funding")
    return None


def _date_in_year(record: dict[str, Any], year: int):
    date = record.get("date")
    if date and date.year != year:
        return "date", (f"the date is not in {year} ({date.isoformat()}); report each visit or media "
                        f"item in the workbook of its own year")
    return None


ROW_CHECKS = {
    "activities": (_end_before_start, _funding_without_source),
    "visits": (_date_in_year,),
    "media": (_date_in_year,),
}
