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
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pandas as pd
from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
FIXED_TIME = dt.datetime(*FIXED_ZIP_TIME)
# A yearly workbook of a few thousand rows unpacks to a few MB; a "zip bomb" to gigabytes.
MAX_UNPACKED_MB = 200
MAX_WORKBOOK_XML_BYTES = 5_000_000
SPREADSHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
CELL_NAME = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Z]{1,3})\$?(\d+)$")


class NotAWorkbook(Exception):
    """The file cannot be read as an xlsx workbook; the message says why."""


def read_sheets(path: Path) -> dict[str, list[list[Any]]]:
    """Every sheet of an xlsx workbook as rows of cell values, row 0 being Excel row 1.

    Empty cells are ``None``; dates come back as ``datetime``; formulas as their cached
    values. The file is opened read-only and never written.
    """
    check_archive(path)
    try:
        frames = pd.read_excel(path, sheet_name=None, header=None, engine="calamine", dtype=object)
    except Exception as exc:  # calamine reports corrupt archives with varied exception types
        raise NotAWorkbook(f"the workbook cannot be read ({exc}); open it in Excel and save it again as .xlsx") from None
    sheets: dict[str, list[list[Any]]] = {}
    for name, frame in frames.items():
        frame = frame.astype(object).where(frame.notna(), None)
        sheets[str(name)] = frame.values.tolist()
    return sheets


def check_archive(path: Path) -> None:
    """Raise :class:`NotAWorkbook` unless ``path`` is a zip archive of a sane unpacked size."""
    if not zipfile.is_zipfile(path):
        raise NotAWorkbook(f"the file is not an Excel workbook ({_describe_content(path)}); save it in Excel as "
                           f"'Excel Workbook (*.xlsx)'")
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise NotAWorkbook(f"the workbook cannot be read ({exc}); open it in Excel and save it again as .xlsx") from None
    if unpacked > MAX_UNPACKED_MB * 1024 * 1024:
        raise NotAWorkbook(f"the workbook unpacks to more than {MAX_UNPACKED_MB} MB ({unpacked // (1024 * 1024)} MB); "
                           f"remove pictures and other large content, or copy the rows into a fresh template")


def read_defined_names(path: Path) -> dict[str, tuple[str, str]]:
    """The workbook-level names that point at one cell: name → (sheet, cell such as ``C1``).

    Reads only ``xl/workbook.xml`` (size-checked); call :func:`check_archive` first.
    """
    with zipfile.ZipFile(path) as archive:
        try:
            info = archive.getinfo("xl/workbook.xml")
        except KeyError:
            return {}
        if info.file_size > MAX_WORKBOOK_XML_BYTES:
            return {}
        try:
            root = ElementTree.fromstring(archive.read(info))
        except ElementTree.ParseError:
            return {}
    names: dict[str, tuple[str, str]] = {}
    for element in root.iter(f"{SPREADSHEET_NS}definedName"):
        if element.get("localSheetId") is not None:
            continue  # a name that belongs to one sheet, not to the workbook
        match = CELL_NAME.match((element.text or "").strip())
        if match:
            sheet = (match[1] or "").replace("''", "'") or match[2]
            names[str(element.get("name"))] = (sheet, f"{match[3]}{match[4]}")
    return names


def _describe_content(path: Path) -> str:
    """What a file that is not a zip archive seems to be, in a few words."""
    with open(path, "rb") as handle:
        head = handle.read(512)
    if not head:
        return "the file is empty"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "an old-format .xls workbook or a password-protected file"
    if head.startswith(b"%PDF"):
        return "a PDF document"
    text = head.decode("utf-8", errors="replace")
    if text.count("\ufffd") > 3 or any(ch < " " and ch not in "\t\r\n" for ch in text):
        return "unrecognised binary content"
    first = text.strip().splitlines()[0] if text.strip() else ""
    return f"text starting {first[:30]!r}" if first else "blank text"


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
