"""The one boundary where workbooks are read from and written to disk.

Reading uses python-calamine (through pandas' ``engine="calamine"``): it was 13× faster than
openpyxl on a 10,000-row sheet on our machines and gives cached values of formulas. Writing
uses openpyxl, and makes the bytes deterministic (fixed document times and zip entry times),
so the same command writes the same files.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
FIXED_TIME = dt.datetime(*FIXED_ZIP_TIME)


class NotAWorkbook(Exception):
    """The file cannot be read as an xlsx workbook; the message says why."""


def read_sheets(path: Path) -> dict[str, list[list[Any]]]:
    """Every sheet of an xlsx workbook as rows of cell values, row 0 being Excel row 1.

    Empty cells are ``None``; dates come back as ``datetime``; formulas as their cached
    values. The file is opened read-only and never written.
    """
    if not zipfile.is_zipfile(path):
        raise NotAWorkbook("the file is not an Excel workbook (.xlsx); save it in Excel as 'Excel Workbook (*.xlsx)'")
    try:
        frames = pd.read_excel(path, sheet_name=None, header=None, engine="calamine", dtype=object)
    except Exception as exc:  # calamine reports corrupt archives with varied exception types
        raise NotAWorkbook(f"the workbook cannot be read ({exc}); open it in Excel and save it again as .xlsx") from None
    sheets: dict[str, list[list[Any]]] = {}
    for name, frame in frames.items():
        frame = frame.astype(object).where(frame.notna(), None)
        sheets[str(name)] = frame.values.tolist()
    return sheets


def save_workbook(workbook: Workbook, path: Path) -> None:
    """Save with deterministic bytes, atomically (a half-written file never replaces a good one)."""
    workbook.properties.created = workbook.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    # ExcelWriter directly: Workbook.save() would stamp the current time as "modified".
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).write_data()
    buffer.seek(0)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", suffix=".xlsx", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(buffer) as src, \
                zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                info = zipfile.ZipInfo(item.filename, date_time=FIXED_ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                dst.writestr(info, src.read(item.filename))
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
