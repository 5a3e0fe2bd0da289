"""Consolidated tidy tables: one row per record, all organisations and years together.

``run`` writes them as UTF-8 CSV under ``<out>/cache/tables/`` (:data:`TABLES`) for the notebooks,
which read them back with :func:`read_tables`, typed by the schema, and for analysts. They keep
every text as typed, personal data included; what the run publishes is in ``<out>/data/``
(:mod:`hki_intl.intake.open_data`), without the free-text columns (:func:`free_text_columns`).
The contributor's bookkeeping (a column not ``reported``: the carried-over marks) is not part of them.

A CSV opened in Excel or LibreOffice runs text that starts with ``=``, ``+``, ``-`` or ``@``
as a formula ("CSV injection"). Every such text is written with a leading apostrophe
(:func:`neutralise`), numbers such as ``-5`` stay as they are, and :func:`read_tables` takes
the apostrophe off again (:func:`restore`), so the notebooks see exactly what was typed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from hki_intl.errors import Problem, collapse
from hki_intl.intake.read import IntakeResult
from hki_intl.messages import LANGUAGES
from hki_intl.workbook.excel import FORMULA_START as FORMULA_CHARACTERS
from hki_intl.workbook.schema import SHEETS, Sheet

TABLES = "cache/tables"  # where a run keeps the complete tables, relative to its output folder
BOOKKEEPING = ["organisation", "year", "source_file", "source_row"]
# Columns a table has beyond its sheet's: where a highlight's cleaned photo is in TABLES (or empty)
# and its size in pixels.
DERIVED = {"highlights": ["photo_image", "photo_width", "photo_height"]}
PHOTOS = "photos"  # TABLES/photos/: the highlights' photos, re-encoded without metadata
SUBMISSION_COLUMNS = ["organisation", "year", "file", "template_version", "contact_role", "status"]
PROBLEM_COLUMNS = ["file", "sheet", "cell", "severity", "message", *(f"message_{lang}" for lang in LANGUAGES)]
_FIRST = "[" + "".join(map(re.escape, FORMULA_CHARACTERS)) + "]"  # what a spreadsheet takes for a formula's start
FORMULA_START = re.compile("'*" + _FIRST)  # after any apostrophes
NEUTRALISED = re.compile("'+" + _FIRST)
PLAIN_NUMBER = re.compile(r"[-+]?[0-9]+(?:[.,][0-9]+)?")


def free_text_columns() -> dict[str, list[str]]:
    """Per table, the columns that hold what a person typed freely (every text column of the
    workbook, the contact role, the problems' messages, which quote cells): the report masks
    the e-mail addresses and phone numbers in them, and the open data leaves them out."""
    texts = {sheet.table: [c.key for c in sheet.columns if c.kind == "text"] for sheet in SHEETS}
    return texts | {"problems": PROBLEM_COLUMNS[4:], "submissions": ["contact_role"]}


def neutralise(text: str) -> str:
    """``=SUM(A1)`` → ``'=SUM(A1)``; ``-5`` and ``Helsinki`` stay. Text that already starts with
    apostrophes before such a character gets one more, so that :func:`restore` is exact."""
    if FORMULA_START.match(text) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def restore(text: str) -> str:
    """The inverse of :func:`neutralise`: ``restore(neutralise(t)) == t`` for every text."""
    return text[1:] if NEUTRALISED.match(text) else text


def _neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`neutralise` on every text value (vectorised: the tables can have 100,000 rows)."""

    def vectorised(s: pd.Series) -> pd.Series:
        formula = s.str.match(FORMULA_START.pattern, na=False) & ~s.str.fullmatch(PLAIN_NUMBER.pattern, na=False)
        return s.where(~formula, "'" + s)

    return _on_text_columns(frame, vectorised, neutralise)


def _restore_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`restore` on every text value (vectorised)."""

    def vectorised(s: pd.Series) -> pd.Series:
        return s.where(~s.str.match(NEUTRALISED.pattern, na=False), s.str.slice(1))

    return _on_text_columns(frame, vectorised, restore)


def _on_text_columns(frame: pd.DataFrame, vectorised, scalar) -> pd.DataFrame:
    """Apply to the text columns: ``vectorised`` where a column holds only text (and missing
    values), ``scalar`` value by value where it mixes text with other values."""
    frame = frame.copy()
    for column in frame.columns:
        series = frame[column]
        if not (series.dtype == object or isinstance(series.dtype, pd.StringDtype)):
            continue
        if pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
            strings = series.astype("string")
            frame[column] = vectorised(strings).astype(series.dtype).where(series.notna(), series)
        else:
            frame[column] = series.map(lambda v: scalar(v) if isinstance(v, str) else v)
    return frame


def consolidate(result: IntakeResult) -> dict[str, pd.DataFrame]:
    """The accepted submissions as one typed DataFrame per sheet, plus ``submissions`` and
    ``problems`` (what was left out and why)."""
    tables: dict[str, pd.DataFrame] = {}
    for sheet in SHEETS:
        rows = [_with_photo(r, s.photos) for s in result.submissions for r in s.tables.get(sheet.table, [])]
        frame = pd.DataFrame(rows, columns=BOOKKEEPING + [c.key for c in sheet.data_columns] + DERIVED.get(sheet.table, []))
        tables[sheet.table] = _typed(frame, sheet)
    tables["submissions"] = pd.DataFrame(
        [[s.organisation, s.year, s.path.name, s.template_version, s.contact_role, s.status] for s in result.submissions],
        columns=SUBMISSION_COLUMNS,
    ).astype({"year": "int64"})
    tables["problems"] = problems_frame(result.all_problems)
    return tables


def _with_photo(record: dict, photos: dict) -> dict:
    """A highlight's record with its photo's size (other records as they are)."""
    photo = photos.get(record.get("photo_image") or "")
    if photo is None:
        return record
    return {**record, "photo_width": photo.width, "photo_height": photo.height}


def write_photos(result: IntakeResult, folder: Path) -> list[Path]:
    """The accepted workbooks' cleaned photos as ``<folder>/photos/<organisation>-<year>-<row>.jpg``."""
    written = []
    for submission in result.submissions:
        for key, photo in sorted(submission.photos.items()):
            path = folder / key
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(photo.jpeg)
            written.append(path)
    return written


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """Errors and warnings, as a person reads them (repeated ones collapsed into their range):
    ``message`` in the analyst's language, ``message_<lang>`` in each report language (the report's
    data-quality part quotes its own language)."""
    rows = [[p.file, p.sheet, p.cell, p.severity, p.text(), *(p.text(lang) for lang in LANGUAGES)] for p in collapse(problems)]
    return pd.DataFrame(rows, columns=PROBLEM_COLUMNS)


def write_tables(tables: dict[str, pd.DataFrame], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tables.items():
        path = folder / f"{name}.csv"
        _neutralise_frame(frame).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        written.append(path)
    return written


def read_tables(folder: Path) -> dict[str, pd.DataFrame]:
    """Read the consolidated CSVs back with the schema's types."""
    folder = Path(folder)
    tables = {}
    for sheet in SHEETS:
        frame = pd.read_csv(folder / f"{sheet.table}.csv", dtype=str, keep_default_na=False, na_values=[""])
        for column in DERIVED.get(sheet.table, []):
            if column not in frame.columns:
                frame[column] = pd.NA
        tables[sheet.table] = _typed(_restore_frame(frame), sheet)
    submissions = pd.read_csv(folder / "submissions.csv", dtype={"year": "int64"}, keep_default_na=False)
    tables["submissions"] = _restore_frame(submissions)
    tables["problems"] = _restore_frame(pd.read_csv(folder / "problems.csv", dtype=str, keep_default_na=False))
    return tables


def _typed(frame: pd.DataFrame, sheet: Sheet) -> pd.DataFrame:
    frame = frame.copy()
    frame["year"] = pd.to_numeric(frame["year"]).astype("int64")
    frame["source_row"] = pd.to_numeric(frame["source_row"]).astype("int64")
    for column in sheet.data_columns:
        series = frame[column.key]
        if column.kind == "date":
            frame[column.key] = pd.to_datetime(series, errors="raise")
        elif column.kind == "number":
            frame[column.key] = pd.to_numeric(series).astype("float64")
        elif column.kind in ("integer", "year"):
            frame[column.key] = pd.to_numeric(series).astype("Int64")
        else:
            frame[column.key] = series.astype("string")
    for name in DERIVED.get(sheet.table, []):
        numeric = name != "photo_image"
        frame[name] = pd.to_numeric(frame[name]).astype("Int64") if numeric else frame[name].astype("string")
    return frame
