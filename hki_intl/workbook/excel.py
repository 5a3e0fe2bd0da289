"""The one boundary where workbooks are read from and written to disk.

Reading uses python-calamine: it was 13× faster than openpyxl on a 10,000-row sheet on our
machines and gives cached values of formulas. Writing uses openpyxl, and makes the bytes
deterministic (fixed document times and zip entry times), so the same command writes the
same files.

Nothing in a workbook that arrives by e-mail is trusted. Before calamine sees a file,
:func:`inspect_workbook` checks it within fixed limits (see ``LIMITS`` below and the README):
the size on disk, the number of parts in the zip archive, each part's unpacked size and
packing ratio (a "zip bomb" unpacks a small file to gigabytes), that every part unpacks to
exactly its declared size and checksum, that no XML part has a document type declaration (the
way in for entity-expansion "billion laughs" attacks; openpyxl refuses them too, through
defusedxml), and it streams every worksheet's XML to find how far its cells reach: calamine
allocates a dense grid up to the last cell, so a two-cell file with a value in XFD1048576
would otherwise take it to hundreds of gigabytes. The same pass finds what calamine reads as
empty although it is not: error values (``#DIV/0!``) and formulas saved without their result.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
import posixpath
import re
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

from defusedxml import ElementTree as SafeElementTree
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.writer.excel import ExcelWriter

from hki_intl.messages import Message

FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
FIXED_TIME = dt.datetime(*FIXED_ZIP_TIME)

# --- limits ----------------------------------------------------------------------------------
# A yearly workbook of a few thousand rows is well under 1 MB on disk and unpacks to a few MB;
# the template prepares 1,000 rows per sheet. The limits leave ten times that room and keep
# reading any file under a few seconds and a few hundred MB of memory.
MAX_FILE_MB = 50  # size on disk (pictures included)
MAX_PARTS = 10_000  # files inside the zip archive (a workbook has 15-50)
MAX_UNPACKED_MB = 100  # all parts together, unpacked
MAX_PART_MB = 40  # one part unpacked (a 10,000 × 50 sheet of values is about 20 MB)
MAX_RATIO = 100  # unpacked ÷ packed size of a part over RATIO_FROM_MB (sheets pack 4-20×; bombs 1,000×)
RATIO_FROM_MB = 1
MAX_ROW = 10_000  # the last row with a value on any sheet (the template prepares 1,000)
MAX_COLUMN = 50  # the last column with a value on any sheet (AX; the widest sheet has 15)
MAX_WORKBOOK_XML_BYTES = 5_000_000  # xl/workbook.xml: sheet names and defined names
LIMITS = {
    "file_mb": MAX_FILE_MB,
    "parts": MAX_PARTS,
    "unpacked_mb": MAX_UNPACKED_MB,
    "part_mb": MAX_PART_MB,
    "ratio": MAX_RATIO,
    "rows": MAX_ROW,
    "columns": MAX_COLUMN,
}

SPREADSHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
CELL_NAME = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Z]{1,3})\$?(\d+)$")
CELL_REF = re.compile(r"([A-Za-z]{1,3})([1-9]\d{0,9})")
SAVE_AS = Message("file.save_as_xlsx")
FRESH = Message("fix.fresh_template")
XML_SUFFIXES = (".xml", ".rels", ".vml")
DOCTYPES = tuple(b"<!DOCTYPE".decode().encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be"))
CHUNK = 1 << 20
MB = 1024 * 1024


class NotAWorkbook(Exception):
    """The file cannot be read as an xlsx workbook, or one of its sheets is beyond the limits.

    ``sheet``, ``row`` and ``column`` name the cell when there is one (1-based; 0 if none).
    """

    def __init__(self, message: Message, sheet: str = "", row: int = 0, column: int = 0):
        super().__init__(message)
        self.message = message
        self.sheet, self.row, self.column = sheet, row, column

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class ErrorValue:
    """A cell holding an Excel error such as ``#DIV/0!`` or ``#N/A`` (calamine reads it as empty)."""

    code: str

    def __str__(self) -> str:
        return self.code


@dataclass(frozen=True)
class FormulaWithoutValue:
    """A formula saved without its result (openpyxl and some tools do that; calamine reads it as empty)."""

    formula: str

    def __str__(self) -> str:
        return f"={self.formula}"


@dataclass
class SheetScan:
    """What streaming one worksheet's XML found. Positions are 1-based (row, column)."""

    last_row: int = 0  # of a cell with a value or a formula
    last_column: int = 0
    errors: dict[tuple[int, int], ErrorValue] = field(default_factory=dict)
    uncached: dict[tuple[int, int], FormulaWithoutValue] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (first row, first col, last row, last col)


@dataclass
class Inspection:
    """A workbook that passed every check: its worksheets, names and what their XML holds."""

    sheet_names: list[str]  # every worksheet, in workbook order
    defined_names: dict[str, tuple[str, str]]  # name → (sheet, cell such as "C1")
    scans: dict[str, SheetScan]  # sheet name → scan


@dataclass
class WorkbookContents:
    """The sheets read from a workbook, as rows of cell values (row 0 is Excel row 1)."""

    sheets: dict[str, list[list[Any]]]  # only the sheets asked for that exist
    sheet_names: list[str]
    defined_names: dict[str, tuple[str, str]]
    merged: dict[str, list[tuple[int, int, int, int]]]


def read_workbook(path: Path, wanted: Collection[str] | None = None) -> WorkbookContents:
    """Read the sheets named in ``wanted`` (every worksheet if None) of an xlsx workbook.

    Empty cells are ``None``; dates come back as ``datetime``; formulas as their cached values;
    an error cell as :class:`ErrorValue` and a formula without a saved result as
    :class:`FormulaWithoutValue`. The file is checked first (:func:`inspect_workbook`), opened
    read-only and never written. Raises :class:`NotAWorkbook` with a message for the contributor.
    """
    inspection = inspect_workbook(path)
    names = [n for n in inspection.sheet_names if wanted is None or n in wanted]
    sheets: dict[str, list[list[Any]]] = {}
    try:
        from python_calamine import CalamineWorkbook

        with CalamineWorkbook.from_path(str(path)) as book:
            readable = set(book.sheet_names)
            for name in names:
                if name in readable:
                    rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
                    sheets[name] = [[_convert(value) for value in row] for row in rows]
    except BaseException as exc:  # calamine reports broken files with varied exceptions, and panics
        if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
            raise  # KeyboardInterrupt, SystemExit
        raise NotAWorkbook(Message("xlsx.unreadable", reason=f"{type(exc).__name__}: {str(exc)[:120]}")) from None
    for name, rows in sheets.items():
        scan = inspection.scans.get(name)
        if scan:
            _overlay(rows, {**scan.errors, **scan.uncached})
    return WorkbookContents(
        sheets,
        inspection.sheet_names,
        inspection.defined_names,
        {name: inspection.scans[name].merged for name in sheets if name in inspection.scans},
    )


def read_sheets(path: Path) -> dict[str, list[list[Any]]]:
    """Every worksheet of an xlsx workbook as rows of cell values (see :func:`read_workbook`)."""
    return read_workbook(path).sheets


def read_defined_names(path: Path) -> dict[str, tuple[str, str]]:
    """The workbook-level names that point at one cell: name → (sheet, cell such as ``C1``)."""
    return inspect_workbook(path).defined_names


def _convert(value: Any) -> Any:
    """A calamine cell value as pandas' calamine engine gives it (the intake was written for that)."""
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:  # exactly an integer
        return int(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def _overlay(rows: list[list[Any]], cells: dict[tuple[int, int], Any]) -> None:
    """Put markers where calamine saw nothing, growing the grid if a marker lies beyond it."""
    for (row, column), marker in cells.items():
        while len(rows) < row:
            rows.append([])
        target = rows[row - 1]
        if len(target) < column:
            target.extend([None] * (column - len(target)))
        target[column - 1] = marker


# --- checking a file before anything parses it ------------------------------------------------


def inspect_workbook(path: Path) -> Inspection:
    """Check ``path`` within the limits and return its worksheets; raise :class:`NotAWorkbook`."""
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise NotAWorkbook(Message("xlsx.not_a_workbook", what=Message("xlsx.empty"), fix=SAVE_AS))
    if size > MAX_FILE_MB * MB:
        raise NotAWorkbook(Message("xlsx.too_large", size=f"{size / MB:.0f}", limit=MAX_FILE_MB, fix=FRESH))
    if not zipfile.is_zipfile(path):
        raise _not_a_zip(path)
    parts = _count_parts(path)
    if parts > MAX_PARTS:
        raise NotAWorkbook(Message("xlsx.too_many_parts", parts=parts, limit=MAX_PARTS, fix=FRESH))
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            _check_kind(archive, {i.filename for i in infos})
            _check_total(infos)
            sheets, names, styles = _read_workbook_xml(archive, _workbook_part(archive))
            by_part = {part: name for name, part in sheets}
            dates = _date_styles(archive, styles)
            # Worksheets first: streamed with a budget, they stop at the first cell beyond the
            # limits, so a sheet with a million rows is named by its cell A10001.
            scans = {
                by_part[i.filename]: _scan_sheet(archive, i, by_part[i.filename], dates) for i in infos if i.filename in by_part
            }
            for info in infos:
                if info.filename not in by_part:
                    _check_part(info)
                    _verify_part(archive, info)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError, RuntimeError) as exc:
        raise NotAWorkbook(Message("xlsx.cannot_unpack", reason=_reason(exc))) from None
    return Inspection([name for name, _ in sheets], names, scans)


def _reason(exc: Exception) -> Message | str:
    text = str(exc)
    if isinstance(exc, zipfile.BadZipFile) and text.startswith("Bad CRC-32"):
        return Message("xlsx.checksum", part=text.split("file ", 1)[-1])
    if isinstance(exc, zlib.error | EOFError):
        return Message("xlsx.corrupt_part")
    return f"{type(exc).__name__}: {text[:120]}"


def _count_parts(path: Path) -> int:
    """The number of entries the zip archive's end record declares, read before zipfile builds
    one object per entry (a small file could declare millions)."""
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - 65_557))
        tail = handle.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        return 0  # zipfile will report the archive as damaged
    entries = struct.unpack("<H", tail[at + 10 : at + 12])[0]
    return entries  # 0xFFFF (65,535) also stands for "more, see the zip64 record": too many either way


def _check_kind(archive: zipfile.ZipFile, names: set[str]) -> None:
    """Refuse zip archives that are not xlsx workbooks: OpenDocument, Word, .xlsb, macros, encryption."""
    if "mimetype" in names and "[Content_Types].xml" not in names:
        kind = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
        what = Message("file.ods") if kind.endswith("opendocument.spreadsheet") else Message("xlsx.opendocument", kind=kind)
        raise NotAWorkbook(Message("xlsx.not_a_workbook", what=what, fix=Message("xlsx.save_as_from_libreoffice")))
    if "xl/workbook.bin" in names:
        raise NotAWorkbook(Message("xlsx.not_a_workbook", what=Message("file.xlsb"), fix=SAVE_AS))
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        what = (
            Message("xlsx.word")
            if "word/document.xml" in names
            else Message("xlsx.powerpoint")
            if any(n.startswith("ppt/") for n in names)
            else Message("xlsx.empty_zip")
        )
        raise NotAWorkbook(Message("xlsx.not_a_workbook", what=what, fix=SAVE_AS))
    if any(i.flag_bits & 0x1 for i in archive.infolist()):
        raise NotAWorkbook(Message("xlsx.encrypted_parts", fix=SAVE_AS))
    content_types = archive.getinfo("[Content_Types].xml")
    macros = [n for n in names if n.lower().endswith("vbaproject.bin")]
    if macros or (content_types.file_size < MAX_WORKBOOK_XML_BYTES and b"macroEnabled" in archive.read(content_types)):
        raise NotAWorkbook(Message("xlsx.macros", what=macros[0] if macros else Message("xlsx.macro_enabled"), fix=SAVE_AS))


def _check_total(infos: list[zipfile.ZipInfo]) -> None:
    """The declared unpacked size of all parts (zipfile never unpacks more than a part declares)."""
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED_MB * MB:
        raise NotAWorkbook(Message("xlsx.unpacks_too_large", limit=MAX_UNPACKED_MB, size=total // MB, fix=FRESH))


def _check_part(info: zipfile.ZipInfo) -> None:
    """One part that is not a worksheet (worksheets are streamed with a budget instead)."""
    if info.file_size > MAX_PART_MB * MB:
        raise NotAWorkbook(
            Message("xlsx.part_too_large", limit=MAX_PART_MB, part=info.filename, size=info.file_size // MB, fix=FRESH)
        )
    ratio = info.file_size / max(1, info.compress_size)
    if info.file_size > RATIO_FROM_MB * MB and ratio > MAX_RATIO:
        raise NotAWorkbook(Message("xlsx.zip_bomb", part=info.filename, ratio=f"{ratio:.0f}", limit=MAX_RATIO, fix=FRESH))


def _workbook_part(archive: zipfile.ZipFile) -> str:
    """Where the package's main workbook part is (``xl/workbook.xml`` unless ``_rels/.rels`` says otherwise)."""
    try:
        root = _parse_small(archive, "_rels/.rels")
    except KeyError:
        return "xl/workbook.xml"
    for rel in root:
        if str(rel.get("Type", "")).endswith("/officeDocument"):
            return posixpath.normpath(str(rel.get("Target", "")).lstrip("/"))
    return "xl/workbook.xml"


def _read_workbook_xml(
    archive: zipfile.ZipFile, part: str
) -> tuple[list[tuple[str, str]], dict[str, tuple[str, str]], str | None]:
    """The worksheets as (name, part path) in workbook order, the defined names of one cell, and
    the styles part."""
    try:
        root = _parse_small(archive, part)
    except KeyError:
        raise NotAWorkbook(Message("xlsx.not_a_workbook", what=Message("xlsx.empty_zip"), fix=SAVE_AS)) from None
    targets, styles = _workbook_relations(archive, part)
    sheets: list[tuple[str, str]] = []
    names: dict[str, tuple[str, str]] = {}
    for element in root.iter():
        local = str(element.tag).rpartition("}")[2]
        if local == "sheet":
            rid = next((v for k, v in element.attrib.items() if k.rpartition("}")[2] == "id"), None)
            if rid in targets:
                sheets.append((str(element.get("name")), targets[rid]))
        elif local == "definedName" and element.get("localSheetId") is None:
            match = CELL_NAME.match((element.text or "").strip())
            if match:
                sheet = (match[1] or "").replace("''", "'") or match[2]
                names[str(element.get("name"))] = (sheet, f"{match[3]}{match[4]}")
    return sheets, names, styles


def _workbook_relations(archive: zipfile.ZipFile, part: str) -> tuple[dict[str, str], str | None]:
    """The workbook part's relations: worksheet relation id → part path, and the styles part."""
    folder = posixpath.dirname(part)
    rels_path = posixpath.join(folder, "_rels", posixpath.basename(part) + ".rels")
    targets: dict[str, str] = {}
    styles = None
    try:
        relations = list(_parse_small(archive, rels_path))
    except KeyError:
        return targets, styles
    for rel in relations:
        target = str(rel.get("Target", ""))
        target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        if str(rel.get("Type", "")).endswith("/worksheet"):
            targets[str(rel.get("Id"))] = target
        elif str(rel.get("Type", "")).endswith("/styles"):
            styles = target
    return targets, styles


# Excel's built-in number formats that show a date, a time or a duration (14-22, 45-47) and the
# East Asian date formats (27-36, 50-58).
DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
NOT_DATE_PARTS = re.compile(r'"[^"]*"|\\.|_.|\*.|\[(?![hms]+\])[^\]]*\]', re.IGNORECASE)


def is_date_format(code: str) -> bool:
    """Whether a custom number format shows a date, a time or a duration (as calamine decides:
    a d, m, y, h or s outside quoted text, escapes and [colour] or [condition] sections)."""
    return code.strip().lower() != "general" and bool(re.search(r"[dmyhs]", NOT_DATE_PARTS.sub("", code), re.I))


def _date_styles(archive: zipfile.ZipFile, part: str | None) -> frozenset[int]:
    """The indexes of the cell styles (``cellXfs``) whose number format is a date, time or duration."""
    if not part or part not in archive.NameToInfo:
        return frozenset()
    info = archive.getinfo(part)
    styles = _StyleReader()

    def doctype(*_: Any) -> None:
        raise _doctype(part)

    parser = expat.ParserCreate()
    parser.StartElementHandler, parser.EndElementHandler = styles.start, styles.end
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = doctype
    try:
        for chunk in _chunks(archive, info):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise NotAWorkbook(Message("xlsx.invalid_xml", part=part, reason=str(exc))) from None
    return frozenset(index for index, is_date in enumerate(styles.dated) if is_date)


class _StyleReader:
    """The expat handlers of :func:`_date_styles`: the custom number formats, then whether each
    cell style (``xf`` inside ``cellXfs``) shows a date, a time or a duration."""

    def __init__(self) -> None:
        self.formats: dict[str, bool] = {}  # numFmtId → is a date format
        self.dated: list[bool] = []  # per cell style, in order
        self.in_cell_styles = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if local == "numFmt":
            self.formats[attrs.get("numFmtId", "")] = is_date_format(attrs.get("formatCode", ""))
        elif local == "cellXfs":
            self.in_cell_styles += 1
        elif local == "xf" and self.in_cell_styles:
            number = attrs.get("numFmtId", "0")
            self.dated.append(self.formats.get(number, number.isdigit() and int(number) in DATE_FORMAT_IDS))

    def end(self, name: str) -> None:
        if name.rpartition(":")[2] == "cellXfs":
            self.in_cell_styles -= 1


def _parse_small(archive: zipfile.ZipFile, name: str):
    """Parse a small XML part with defusedxml (no DTDs, no entities); KeyError if it is absent."""
    info = archive.getinfo(name)
    if info.file_size > MAX_WORKBOOK_XML_BYTES:
        raise NotAWorkbook(
            Message(
                "xlsx.xml_part_too_large", part=name, size=info.file_size // 1000, limit=MAX_WORKBOOK_XML_BYTES // 1000, fix=FRESH
            )
        )
    data = archive.read(info)
    if _has_doctype(data):
        raise _doctype(name)
    try:
        return SafeElementTree.fromstring(data)
    except Exception as exc:  # a ParseError or one of defusedxml's refusals
        raise NotAWorkbook(Message("xlsx.invalid_xml", part=name, reason=str(exc)[:80])) from None


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A part's bytes in chunks; zipfile stops at the declared size and checks the CRC at the end,
    so a part that inflates beyond what its header says fails instead of filling memory."""
    with archive.open(info) as stream:
        while chunk := stream.read(CHUNK):
            yield chunk


def _verify_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    xml = info.filename.lower().endswith(XML_SUFFIXES)
    tail = b""
    for chunk in _chunks(archive, info):
        if xml and _has_doctype(tail + chunk):
            raise _doctype(info.filename)
        tail = chunk[-32:]


def _has_doctype(data: bytes) -> bool:
    return any(marker in data for marker in DOCTYPES)


def _doctype(part: str) -> NotAWorkbook:
    return NotAWorkbook(Message("xlsx.doctype", part=part, fix=FRESH))


def _not_a_zip(path: Path) -> NotAWorkbook:
    """What a file that is not a zip archive seems to be, as the contributor's message."""
    with open(path, "rb") as handle:
        head = handle.read(512)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # an OLE compound file: .xls or an encrypted workbook
        with open(path, "rb") as handle:
            content = handle.read()
        if "EncryptedPackage".encode("utf-16-le") in content:
            return NotAWorkbook(Message("xlsx.password"))
        if any(f"{name}\0".encode("utf-16-le") in content for name in ("Workbook", "Book")):
            what = Message("file.xls")
        else:
            what = Message("xlsx.old_or_password")
        return NotAWorkbook(Message("xlsx.not_a_workbook", what=what, fix=SAVE_AS))
    if head.startswith(b"PK\x03\x04"):
        return NotAWorkbook(Message("xlsx.cut_short"))
    return NotAWorkbook(Message("xlsx.not_a_workbook", what=_describe_content(head), fix=SAVE_AS))


def _describe_content(head: bytes) -> Message:
    """What the first bytes of a file that is not a zip archive seem to be, in a few words."""
    if head.startswith(b"%PDF"):
        return Message("xlsx.pdf")
    text = head.decode("utf-8", errors="replace")
    if text.lstrip("\ufeff \t\r\n").lower().startswith(("<!doctype html", "<html")):
        return Message("xlsx.html")
    if text.count("\ufffd") > 3 or any(ch < " " and ch not in "\t\r\n" for ch in text):
        return Message("xlsx.binary")
    first = text.strip().splitlines()[0] if text.strip() else ""
    return Message("xlsx.text_starting", start=repr(first[:30])) if first else Message("xlsx.blank_text")


# --- streaming one worksheet ------------------------------------------------------------------


def _scan_sheet(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: str, date_styles: frozenset[int] = frozenset()
) -> SheetScan:
    """Stream a worksheet's XML once, unpacking at most ``MAX_PART_MB``: the extent of its cells
    (stopping at the first one beyond the limits), its error cells, formulas saved without a
    result (openpyxl writes ``<f>…</f><v/>``) and merged ranges. A number of ±1e9 or more in a
    cell formatted as a date or a time (style index in ``date_styles``) stops it too: calamine
    overflows on such a number (a duration) or panics (a date far before year 1).

    Two scans give the same answer. The fast one (:class:`_FastScan`) reads the cells as Excel,
    LibreOffice and openpyxl write them with regular expressions over the raw bytes while expat,
    without handlers, checks that the XML is well formed. On 20 times the example data (1.1 M
    cells) it took 1.0 s where expat handlers per element took 3.5 s; expat alone takes 0.4 s
    of that, unzipping 0.1 s. Whatever it does not recognise (a comment, a cell
    without a reference, a prefixed element, another encoding) and every problem it meets hands
    the sheet to the exact scan, which runs the handlers, finds the first problem and names it."""
    try:
        return _FastScan(sheet, date_styles).run(_chunks(archive, info))
    except Exception:  # the exact scan decides, and raises what there is to raise
        return _scan_exact(archive, info, sheet, date_styles)


def _scan_exact(archive: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: str, date_styles: frozenset[int]) -> SheetScan:
    """:func:`_scan_sheet` with expat handlers for every element (:class:`_SheetScanner`)."""
    scanner = _SheetScanner(sheet, info.filename, date_styles)
    unpacked = 0
    try:
        for chunk in _chunks(archive, info):
            unpacked += len(chunk)
            if unpacked > MAX_PART_MB * MB:
                raise NotAWorkbook(Message("xlsx.sheet_too_large", sheet=sheet, limit=MAX_PART_MB, fix=FRESH), sheet)
            scanner.parser.Parse(chunk, False)
        scanner.parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise NotAWorkbook(Message("xlsx.sheet_invalid_xml", sheet=sheet, reason=str(exc))) from None
    return scanner.scan


@dataclass
class _Cell:
    """The cell being read: where it is and what its XML held so far."""

    row: int = 0
    column: int = 0
    value: bool = False  # it has a value (<v> or inline text)
    cached: bool = False  # a formula's saved result
    formula: str | None = None
    type: str | None = None  # the t attribute: s, str, n, e, b, inlineStr
    dated: bool = False  # a number in a date or time format


class _SheetScanner:
    """The expat handlers of :func:`_scan_sheet`, one method per element that matters."""

    def __init__(self, sheet: str, part: str, date_styles: frozenset[int]):
        self.sheet, self.part = sheet, part
        self.dated = {str(index) for index in date_styles}
        self.scan = SheetScan()
        self.cell = _Cell()
        self.text: list[str] = []
        self.parser = expat.ParserCreate()
        self.parser.StartElementHandler, self.parser.EndElementHandler = self.start, self.end
        self.parser.StartDoctypeDeclHandler = self.parser.EntityDeclHandler = self.doctype
        self.starts = {
            "c": self.start_cell,
            "v": self.start_value,
            "is": self.start_inline,
            "f": self.listen,
            "row": self.start_row,
            "mergeCell": self.start_merge,
        }
        self.ends = {"c": self.end_cell, "f": self.end_formula, "v": self.end_value}

    # Called for each of a sheet's elements (215,000 in the example's 26 workbooks): a name without
    # a prefix, nearly all of them, is looked up as it is (the keys have no prefix).
    def start(self, name: str, attrs: dict[str, str]) -> None:
        handler = self.starts.get(name) if ":" not in name else self.starts.get(name.rpartition(":")[2])
        if handler:
            handler(attrs)

    def end(self, name: str) -> None:
        handler = self.ends.get(name) if ":" not in name else self.ends.get(name.rpartition(":")[2])
        if handler:
            handler()

    def doctype(self, *_: Any) -> None:
        raise _doctype(self.part)

    def collect(self, data: str) -> None:
        self.text.append(data)

    def listen(self, attrs: dict[str, str] | None = None) -> None:
        self.text.clear()
        self.parser.CharacterDataHandler = self.collect

    def start_cell(self, attrs: dict[str, str]) -> None:
        cell, ref = self.cell, attrs.get("r")
        row, column = _parse_ref(ref, self.sheet) if ref else (cell.row, cell.column + 1)
        kind = attrs.get("t")
        self.cell = _Cell(row, column, type=kind, dated=attrs.get("s", "0") in self.dated and kind in (None, "n"))

    def start_value(self, attrs: dict[str, str]) -> None:
        cell = self.cell
        cell.value = True
        if cell.formula is not None or cell.type == "e" or cell.dated:
            self.listen()

    def start_inline(self, attrs: dict[str, str]) -> None:
        self.cell.value = self.cell.cached = True

    def start_row(self, attrs: dict[str, str]) -> None:
        ref = attrs.get("r")
        self.cell.row = _parse_int(ref, self.sheet) if ref else self.cell.row + 1
        self.cell.column = 0

    def start_merge(self, attrs: dict[str, str]) -> None:
        bounds = _parse_range(attrs.get("ref", ""))
        if bounds:
            self.scan.merged.append(bounds)

    def end_cell(self) -> None:
        cell, scan = self.cell, self.scan
        if not cell.value and cell.formula is None:
            return
        if cell.row > MAX_ROW or cell.column > MAX_COLUMN:
            raise _beyond_limits(self.sheet, cell.row, cell.column)
        scan.last_row, scan.last_column = max(scan.last_row, cell.row), max(scan.last_column, cell.column)
        if cell.formula is not None and not cell.cached and cell.type != "e":
            scan.uncached[(cell.row, cell.column)] = FormulaWithoutValue(cell.formula)

    def end_formula(self) -> None:
        self.cell.formula = "".join(self.text)
        self.parser.CharacterDataHandler = None

    def end_value(self) -> None:
        if self.parser.CharacterDataHandler is None:
            return
        self.parser.CharacterDataHandler = None
        cell, value = self.cell, "".join(self.text)
        if cell.type == "e":
            self.scan.errors[(cell.row, cell.column)] = ErrorValue(value.strip())
        elif cell.dated and _beyond_dates(value):
            raise NotAWorkbook(
                Message("xlsx.date_too_large", value=repr(value.strip())),
                self.sheet,
                cell.row,
                cell.column,
            )
        # an empty result is a result only for a text formula (t="str"); otherwise nothing was saved
        cell.cached = bool(value) or cell.type == "str"


# --- the fast scan --------------------------------------------------------------------------
# Once expat finds a sheet's XML well formed, and the scan has refused "<!" and "<?" (comments,
# CDATA sections, document types, processing instructions), every "<" in it starts a tag and
# every tag ends at the first ">" outside a quoted attribute value. These patterns rely on that.
_PREFIX = rb"(?:[^\s/>:]*+:)*+"  # the exact scan drops a name's prefix: x:c is a cell too
_ACTED_ON = _PREFIX + rb"(?:c|row|v|f|is|mergeCell)[\s/>]"  # a tag of an element the exact scan acts on
_ATTRIBUTES = rb'(?: [^\s=/>"\']++="[^"<>]*+")*+'  # name="value" as Excel writes them (no ">" in a value)
_CELL_ATTRIBUTES = rb'(?: [^\s=/>"\']++="[^"<>&\t\n\r]*+")*+'  # read as written: nothing for expat to decode
_COLUMN_LETTERS = rb"(?:[A-Z]{1,2}|[A-W][A-Z]{2}|X[A-E][A-Z]|XF[A-D])"  # A … XFD
_FORMULA = rb"<f" + _ATTRIBUTES + rb"\s*+(?:/>|>[^<]*+</f>)"
_VALUE = rb"<v" + _ATTRIBUTES + rb"\s*+(?:/>|>[^<]*+</v>)"
_INLINE = (
    rb'<is><t(?: xml:space="preserve")?>[^<]*+</t></is>'  # the usual one first: faster
    rb"|<is" + _ATTRIBUTES + rb"\s*+(?:/>|>(?:[^<]++|<(?![!?]|/?" + _ACTED_ON + rb"))*+</is>)"
)
_SMALL_NUMBER = rb"(?:-?[0-9]{1,9}(?:\.[0-9]++)?(?:[Ee]-[0-9]++)?)?"  # under 1e9: fine in a date format
# Between cells: text, rows, merged ranges, and tags of elements the exact scan ignores.
_BETWEEN_CELLS = (
    rb'[^<]++|</row>|<row(?: r="[0-9]{1,10}")?(?: (?!r=)[^\s=/>"\']++="[^"<>]*+")*+\s*+/?>'
    rb"|<(?![!?]|/?" + _ACTED_ON + rb")"
    rb"|<mergeCell" + _ATTRIBUTES + rb"\s*+/>"
    # a formula outside any cell (Excel's data validations keep <xm:f> in x14:dataValidation):
    # the exact scan keeps its text for the last cell read, which has ended: it changes nothing
    rb"|<" + _PREFIX + rb"f" + _ATTRIBUTES + rb"\s*+(?:/>|>[^<]*+</" + _PREFIX + rb"f>)"
)
_VALUED_CELL = rb'([A-Z]{1,3})([0-9]++)"[^>]*+>(?=<[fvi])'  # after '<c r="', in a run the pattern accepted
_LAST_VALUED = re.compile(_VALUED_CELL)
_FORMULAS_AND_ERRORS = re.compile(
    rb'<c r="([A-Z]{1,3})([0-9]++)"(?=[^>]*+><f|[^>]*? t="e")([^>]*+)>'
    rb"(<f[^>]*+>(?:[^<]*+</f>)?)?(<v[^>]*+>(?:[^<]*+</v>)?)?(<is)?"
)
_FORMULA_TAG = re.compile(rb"<f[\s/>]")
_MERGE = re.compile(rb"<mergeCell(" + _ATTRIBUTES + rb")\s*+/>")
_ATTRIBUTE = re.compile(rb' ([^\s=/>"\']++)="([^"]*+)"')
_DECLARATION = re.compile(rb"<\?xml\s[^<>?]*+\?>")
_ENCODING = re.compile(rb"""encoding\s*=\s*["']([^"']*)["']""")
_MAX_PENDING = 4 * CHUNK  # bytes kept for the next chunk (one cell or tag longer than that is rare)
_MAX_DATE_STYLES = 1_000  # more date formats than that, and the exact scan reads the sheet


class _Unusual(Exception):
    """Something the fast scan leaves to the exact scan."""


@functools.lru_cache(maxsize=64)
def _sheet_pattern(date_styles: frozenset[str]) -> re.Pattern[bytes]:
    """The whole of a run of elements: cells as Excel, LibreOffice and openpyxl write them (the
    reference first, then the style and the type), with a number under 1e9 in those formatted as
    dates, and between them what :data:`_BETWEEN_CELLS` allows."""
    attributes = (
        rb'(?: s="[^"<>&\t\n\r]*+")?(?: t="[^"<>&\t\n\r]*+")?'
        rb'(?: [^\s=/>"\'s][^\s=/>"\']*+="[^"<>&\t\n\r]*+"| s[^\s=/>"\']++="[^"<>&\t\n\r]*+")*+\s*+'
    )

    def cell(value: bytes) -> bytes:
        usual = rb"<v>[^<]*+</v>|<is><t>[^<]*+</t></is>|"  # the usual ones first: faster
        return (
            attributes
            + rb"(?:/>|>(?:"
            + usual
            + rb"(?:"
            + _FORMULA
            + rb")?(?:<v"
            + _ATTRIBUTES
            + rb"\s*+"
            + value
            + rb"|"
            + _INLINE
            + rb")?)</c>)"
        )

    any_cell = cell(rb"(?:/>|>[^<]*+</v>)")
    if date_styles:
        styles = b"|".join(style.encode() for style in sorted(date_styles, key=int))
        styled = rb' s="(?:' + styles + rb')"' + (rb'|(?! s=")' if "0" in date_styles else b"")  # no style: style 0
        dated = rb"(?:" + styled + rb')(?![^>]*? t="(?!n"))'  # a number: no type, or t="n"
        date_cell = cell(rb"(?:/>|>" + _SMALL_NUMBER + rb"</v>)").replace(rb"<v>[^<]*+</v>|", rb"<v>" + _SMALL_NUMBER + rb"</v>|")
        any_cell = rb"(?:(?!" + dated + rb")" + any_cell + rb"|" + date_cell + rb")"  # date_cell accepts less
    return re.compile(rb'(?:<c r="' + _COLUMN_LETTERS + rb'[1-9][0-9]{0,9}"' + any_cell + rb"|" + _BETWEEN_CELLS + rb")*+")


def _greater(text: bytes, digit: bytes, first: bytes, most: int) -> bytes:
    """A pattern for the numbers (``digit`` ``[0-9]``) or column letters (``[A-Z]``) after
    ``text``: longer ones (up to ``most``), or as long and greater at the first difference."""
    longer = [first + digit + b"{%d,%d}" % (len(text), most - 1)] if len(text) < most else []
    top = digit[-2]  # the last character of the class, such as 9 in [0-9]
    same = [text[:i] + b"[%c-%c]" % (c + 1, top) + digit * (len(text) - i - 1) for i, c in enumerate(text) if c < top]
    return b"|".join(longer + same) or b"(?!)"


@functools.lru_cache(maxsize=256)
def _valued_beyond(row: int, column: int) -> re.Pattern[bytes]:
    """A cell with a value or a formula below ``row`` or right of ``column`` (groups: letters, digits)."""
    letters = get_column_letter(column).encode() if column else b""
    rows = _greater(str(row).encode() if row else b"", b"[0-9]", b"[1-9]", 10)
    columns = _greater(letters, b"[A-Z]", b"[A-Z]", 3)
    return re.compile(rb'<c r="(?=(?:' + columns + rb")[0-9]|[A-Z]{1,3}(?:" + rows + rb')")' + _VALUED_CELL)


class _FastScan:
    """The fast scan of :func:`_scan_sheet`. Expat without handlers checks the XML as it streams;
    over each run of whole elements one pattern checks that everything the exact scan acts on
    is written the usual way (and that no date-formatted cell holds a number of 1e9 or more),
    one finds the last row with a value, one the last column, and Python reads only the cells
    with a formula or an error, and the merged ranges. Raises :class:`_Unusual` (or anything
    else) where it could differ from the exact scan."""

    def __init__(self, sheet: str, date_styles: frozenset[int]):
        if len(date_styles) > _MAX_DATE_STYLES:
            raise _Unusual("many date formats")
        self.sheet = sheet
        self.dated = frozenset(str(index) for index in date_styles)
        self.pattern = _sheet_pattern(self.dated)
        self.scan = SheetScan()

    def run(self, chunks: Iterator[bytes]) -> SheetScan:
        parser = expat.ParserCreate()
        parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = self.unusual
        pending, unpacked, first = b"", 0, True
        for chunk in chunks:
            unpacked += len(chunk)
            if unpacked > MAX_PART_MB * MB:
                raise _Unusual("too large")
            parser.Parse(chunk, False)
            data = _after_declaration(pending + chunk) if first else pending + chunk
            first = False
            cut = _cut(data)
            self.read(data[:cut])
            pending = data[cut:]
            if len(pending) > _MAX_PENDING:
                raise _Unusual("a long element")
        parser.Parse(b"", True)
        self.read(pending)
        return self.scan

    def unusual(self, *_: Any) -> None:
        raise _Unusual("a document type declaration")

    def read(self, data: bytes) -> None:
        """Read a run of whole elements."""
        if not self.pattern.fullmatch(data):
            raise _Unusual("an element written otherwise, a comment, a CDATA section or a processing instruction")
        self.extend(data)
        if b' t="e"' in data or _FORMULA_TAG.search(data):
            for found in _FORMULAS_AND_ERRORS.finditer(data):
                self.cell(*found.groups(b""))
        if b"<mergeCell" in data:
            for merge in _MERGE.finditer(data):
                self.merge(merge[1])

    def extend(self, data: bytes) -> None:
        """The extent of the cells with a value or a formula: from the last one, then any beyond it."""
        row, column = self.scan.last_row, self.scan.last_column
        end = len(data)
        for _ in range(8):
            end = data.rfind(b'<c r="', 0, end)
            last = _LAST_VALUED.match(data, end + len(b'<c r="')) if end >= 0 else None
            if last:
                row, column = max(row, int(last[2])), max(column, column_number(last[1].decode()))
                break
        at = 0
        for _ in range(64):  # a sheet whose rows go up and down: the exact scan
            if row > MAX_ROW or column > MAX_COLUMN:
                raise _Unusual("a cell beyond the limits")
            found = _valued_beyond(row, column).search(data, at)
            if not found:
                self.scan.last_row, self.scan.last_column = row, column
                return
            row, column, at = max(row, int(found[2])), max(column, column_number(found[1].decode())), found.end()
        raise _Unusual("cells in an unusual order")

    def cell(self, letters: bytes, digits: bytes, attributes: bytes, formula_xml: bytes, value_xml: bytes, inline: bytes) -> None:
        """What :meth:`_SheetScanner.end_cell` records for a cell with a formula or an error."""
        values = dict(_ATTRIBUTE.findall(attributes))
        kind = values[b"t"].decode() if b"t" in values else None
        dated = values.get(b"s", b"0").decode() in self.dated and kind in (None, "n")
        row, column = int(digits), column_number(letters.decode())
        formula = _element_text(formula_xml) if formula_xml else None
        cached = bool(inline)
        if value_xml and (formula is not None or kind == "e" or dated):
            value = _element_text(value_xml)
            if kind == "e":
                self.scan.errors[(row, column)] = ErrorValue(value.strip())
            elif dated and _beyond_dates(value):
                raise _Unusual("a number too large for a date")
            cached = bool(value) or kind == "str"
        if formula is not None and not cached and kind != "e":
            self.scan.uncached[(row, column)] = FormulaWithoutValue(formula)

    def merge(self, attributes: bytes) -> None:
        ref = dict(_ATTRIBUTE.findall(attributes)).get(b"ref", b"")
        if any(c in ref for c in (b"&", b"\t", b"\n", b"\r")):
            raise _Unusual("a reference or a line break in an attribute")  # expat would change it
        bounds = _parse_range(ref.decode())
        if bounds:
            self.scan.merged.append(bounds)


def _after_declaration(data: bytes) -> bytes:
    """The first chunk without its byte order mark and XML declaration; :class:`_Unusual` unless
    expat reads the document as UTF-8, as the patterns do."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    declaration = _DECLARATION.match(data)
    if declaration:
        encoding = _ENCODING.search(declaration[0])
        if encoding and encoding[1].lower() != b"utf-8":
            raise _Unusual("another encoding")
        return data[declaration.end() :]
    if data.startswith((b"\xfe", b"\xff", b"<?")) or b"\0" in data[:4]:
        raise _Unusual("another encoding")
    return data


def _cut(data: bytes) -> int:
    """Where a chunk's whole elements end: before the last cell that has started, or else before
    the last tag that opens an element after the last cell."""
    opened, closed = data.rfind(b"<c "), data.rfind(b"</c>")
    if opened > closed:
        return opened
    start = data.rfind(b"<")
    while start > closed and data[start + 1 : start + 2] == b"/":  # an end tag: its start tag came before
        start = data.rfind(b"<", 0, start)
    if start > closed:
        return start
    return closed + len(b"</c>") if closed >= 0 else len(data)


def _element_text(element: bytes) -> str:
    """The text of an element holding only text (``<v>…</v>``), as expat gives it."""
    match = re.match(rb"<[^>]*+>([^<]*+)<", element)
    raw = match[1] if match else b""
    if b"&" not in raw and b"\r" not in raw:
        return raw.decode()
    parts: list[str] = []  # character references, entities and line ends: expat decodes them
    parser = expat.ParserCreate()
    parser.CharacterDataHandler = parts.append
    parser.Parse(b"<t>" + raw + b"</t>", True)
    return "".join(parts)


def _beyond_dates(text: str) -> bool:
    """A number calamine cannot turn into a date or a duration (Python's timedelta ends at
    999,999,999 days; chrono panics below about -1e11)."""
    try:
        return abs(float(text)) >= 1e9
    except ValueError:
        return False


def _parse_ref(ref: str, sheet: str) -> tuple[int, int]:
    match = CELL_REF.fullmatch(ref)
    if not match:
        raise NotAWorkbook(Message("xlsx.bad_cell_name", sheet=sheet, ref=repr(ref[:20])))
    return int(match[2]), column_number(match[1])


def _parse_int(text: str, sheet: str) -> int:
    if not text.isdigit() or len(text) > 10:
        raise NotAWorkbook(Message("xlsx.bad_row_number", sheet=sheet, number=repr(text[:20])))
    return int(text)


def _parse_range(ref: str) -> tuple[int, int, int, int] | None:
    corners = [(int(m[2]), column_number(m[1])) for m in map(CELL_REF.fullmatch, ref.split(":")) if m]
    if len(corners) != 2 or ref.count(":") != 1:
        return None
    (r1, c1), (r2, c2) = corners
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def column_number(letters: str) -> int:
    """``A`` → 1, ``AX`` → 50 (openpyxl's reading; a column beyond XFD, which Excel never writes,
    is a damaged workbook)."""
    try:
        return column_index_from_string(letters.upper())
    except ValueError:
        raise NotAWorkbook(Message("xlsx.bad_column", letters=repr(letters[:5]))) from None


def _beyond_limits(sheet: str, row: int, column: int) -> NotAWorkbook:
    if row > MAX_ROW:
        message = Message("xlsx.beyond_last_row", row=row, limit=MAX_ROW)
    else:
        message = Message("xlsx.beyond_last_column", column=get_column_letter(column), last=get_column_letter(MAX_COLUMN))
    return NotAWorkbook(message, sheet, row, column)


# --- writing ----------------------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # text a spreadsheet runs as a formula (also in the CSVs: intake.tables)


def set_text(cell, value: Any) -> None:
    """Write ``value`` into an openpyxl cell so that a spreadsheet never runs it: text is stored
    as text (never as a formula, whatever it starts with), and characters XML cannot hold are
    replaced. Text that a spreadsheet would take for a formula gets Excel's quote prefix, as if
    typed with a leading apostrophe."""
    if not isinstance(value, str):
        cell.value = value
        return
    value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    cell.value = value
    cell.data_type = "s"  # openpyxl would store text starting with '=' as a formula
    if value.startswith(FORMULA_START):
        cell.quotePrefix = True


def append_row(ws, values: list[Any]) -> None:
    """``ws.append(values)``, with every text written through :func:`set_text`."""
    ws.append([None if isinstance(value, str) else value for value in values])
    for column, value in enumerate(values, start=1):
        if isinstance(value, str):
            set_text(ws.cell(row=ws.max_row, column=column), value)


def save_workbook(workbook: Workbook, path: Path) -> None:
    """Save with deterministic bytes, atomically (a half-written file never replaces a good one)."""
    write_atomically(path, workbook_bytes(workbook))


def workbook_bytes(workbook: Workbook) -> bytes:
    """The workbook as deterministic ``.xlsx`` bytes: the same content gives the same bytes, so
    a file can be compared with what was written (see :mod:`hki_intl.ledger`)."""
    workbook.properties.created = workbook.properties.modified = FIXED_TIME
    buffer, fixed = io.BytesIO(), io.BytesIO()
    # ExcelWriter directly: Workbook.save() would stamp the current time as "modified".
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).write_data()
    buffer.seek(0)
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(item.filename))
    return fixed.getvalue()


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it and a rename, so a
    half-written file (a full disk, a killed process) never replaces a good one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", suffix=path.suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as raw:
            raw.write(data)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


# --- pictures pasted into a sheet ---------------------------------------------------------------


@dataclass(frozen=True)
class AnchoredPicture:
    """A picture pasted into a sheet: the cell its top-left corner is anchored on (1-based),
    the part it is stored in and its bytes (at most ``MAX_PART_MB``: the inspection checked)."""

    row: int
    column: int
    part: str
    data: bytes


RELATIONSHIP_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def read_pictures(path: Path, sheet: str) -> list[AnchoredPicture]:
    """The pictures anchored on ``sheet`` (Excel's and LibreOffice's pasted pictures: a drawing
    part of the sheet, its anchors and their images), in the order of their anchors. The file
    must have passed :func:`inspect_workbook`; its XML is parsed with defusedxml. Raises
    :class:`NotAWorkbook` if a drawing is damaged."""
    try:
        with zipfile.ZipFile(path) as archive:
            sheets, _names, _styles = _read_workbook_xml(archive, _workbook_part(archive))
            part = dict(sheets).get(sheet)
            if part is None:
                return []
            pictures = [
                picture for drawing in _related(archive, part, "/drawing") for picture in _drawing_pictures(archive, drawing)
            ]
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError, RuntimeError) as exc:
        raise NotAWorkbook(Message("xlsx.pictures_cannot_unpack", reason=_reason(exc))) from None
    return sorted(pictures, key=lambda p: (p.row, p.column, p.part))


def _related(archive: zipfile.ZipFile, part: str, kind: str) -> list[str]:
    """The parts a part relates to with a relation type ending in ``kind``."""
    return [target for _rid, target in _relations(archive, part, kind).items()]


def _relations(archive: zipfile.ZipFile, part: str, kind: str) -> dict[str, str]:
    """Relation id → target part path, of the relations of ``part`` whose type ends in ``kind``
    (external targets are left out)."""
    folder = posixpath.dirname(part)
    try:
        relations = list(_parse_small(archive, posixpath.join(folder, "_rels", posixpath.basename(part) + ".rels")))
    except KeyError:
        return {}
    found = {}
    for rel in relations:
        if not str(rel.get("Type", "")).endswith(kind) or rel.get("TargetMode") == "External":
            continue
        target = str(rel.get("Target", ""))
        target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        found[str(rel.get("Id"))] = target
    return found


def _drawing_pictures(archive: zipfile.ZipFile, drawing: str) -> Iterator[AnchoredPicture]:
    """Every picture of one drawing part with its anchor cell."""
    try:
        root = _parse_small(archive, drawing)
    except KeyError:
        return
    images = _relations(archive, drawing, "/image")
    for anchor in root:
        if str(anchor.tag).rpartition("}")[2] not in ("twoCellAnchor", "oneCellAnchor"):
            continue  # an absolute anchor has no cell: it is named by no row
        start = next((e for e in anchor if str(e.tag).endswith("}from")), None)
        cells = {str(e.tag).rpartition("}")[2]: (e.text or "").strip() for e in (start if start is not None else [])}
        row, column = cells.get("row", ""), cells.get("col", "")
        for blip in anchor.iter():
            if not str(blip.tag).endswith("}blip"):
                continue
            target = images.get(str(blip.get(f"{RELATIONSHIP_NS}embed")))
            if target and target in archive.NameToInfo and row.isdigit() and column.isdigit():
                yield AnchoredPicture(int(row) + 1, int(column) + 1, target, archive.read(target))
