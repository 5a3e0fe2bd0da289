"""Hostile and broken files: each gets one line naming the file (and the cell), in bounded time
and memory, and what is accepted is read exactly.

The whole corpus is built here in code (openpyxl, zipfile, a few bytes of OLE by hand), never
kept as binary files. Each case runs :func:`read_submission` in a forked child that measures its
wall time and peak memory (tests/bounded.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest

from hki_intl.config.params import load_strategy
from hki_intl.intake import read_submission
from hki_intl.workbook import excel as excel_io
from hki_intl.workbook.excel import ErrorValue, FormulaWithoutValue, set_text
from hki_intl.workbook.schema import SHEETS
from hki_intl.workbook.template import build_workbook
from tests.bounded import measure
from tests.conftest import RECORDS, activity, run_cli

YEAR = 2025
SECONDS = 5.0  # per file; measured: at most 0.1 s on 2 cores (README, "Limits")
MEGABYTES = 100  # above the memory before reading; measured: at most 20 MB
MB = 1 << 20
SAVE = "save it in Excel as 'Excel Workbook (*.xlsx)'"
FRESH = "copy the rows into a fresh template"
DAMAGED = "ask the sender for the file again, or open it in Excel and save it again"
TOIMINNOT = "xl/worksheets/sheet3.xml"  # the part openpyxl writes the third sheet to
INJECTION = '<script>window.__injected = true</script><img src="x" onerror="window.__injected=true">'


# --- building the corpus --------------------------------------------------------------------


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def rezip(path: Path, replace: dict[str, bytes], stored: tuple[str, ...] = ()) -> Path:
    """Rewrite ``path`` with some parts replaced or added (``stored`` ones uncompressed)."""
    entries = parts(path) | replace
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data, zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED)
    return path


def sheet_part(path: Path, sheet: str) -> str:
    """The zip path of a worksheet's XML, from workbook.xml and its relationships."""
    content = parts(path)
    rid = re.search(rf'<sheet [^>]*name="{sheet}"[^>]*r:id="(rId\d+)"', content["xl/workbook.xml"].decode())[1]
    target = re.search(
        rf'Id="{rid}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="{rid}"', content["xl/_rels/workbook.xml.rels"].decode()
    )
    return "xl/" + (target[1] or target[2]).removeprefix("/xl/")


def edit_sheet_xml(path: Path, sheet: str, edit: Callable[[str], str]) -> Path:
    name = sheet_part(path, sheet)
    return rezip(path, {name: edit(parts(path)[name].decode()).encode()})


def raw_zip(path: Path, entries: list[tuple[str, bytes, int, int]]) -> Path:
    """A zip archive written byte by byte: (name, deflated data, CRC, declared unpacked size)
    per entry, so that a test can declare whatever it likes."""
    body, central = bytearray(), bytearray()
    for name, data, crc, size in entries:
        encoded, offset = name.encode(), len(body)
        body += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded), 0)
        body += encoded + data
        central += (
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                20,
                20,
                0,
                8,
                0,
                0x21,
                crc,
                len(data),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0o644 << 16,
                offset,
            )
            + encoded
        )
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), len(body), 0)
    path.write_bytes(bytes(body + central + end))
    return path


def deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def deflated_zeros(megabytes: int) -> tuple[bytes, int]:
    """Raw deflate data of ``megabytes`` MB of zero bytes (about 1 kB per MB) and its CRC."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = packer.compress(bytes(MB)) + packer.flush(zlib.Z_FULL_FLUSH)  # each segment stands alone
    crc, zeros = 0, bytes(MB)
    for _ in range(megabytes):
        crc = zlib.crc32(zeros, crc)
    return segment * megabytes + packer.flush(), crc


def bomb(path: Path, megabytes: int, declared: int | None = None) -> Path:
    """The workbook at ``path`` with one more part that unpacks to ``megabytes`` MB of zeros;
    ``declared`` is the unpacked size its headers state (the true size if None)."""
    entries = [(name, deflate(data), zlib.crc32(data), len(data)) for name, data in parts(path).items()]
    data, crc = deflated_zeros(megabytes)
    entries.append(("xl/media/image1.png", data, crc, megabytes * MB if declared is None else declared))
    return raw_zip(path, entries)


def ole_file(path: Path, streams: list[str]) -> Path:
    """A minimal OLE compound file (the container of .xls and of encrypted workbooks) holding
    streams of those names, 4 kB of zeros each: a header, one FAT sector, one directory sector."""
    sector, per_stream = 512, 8
    free, end_of_chain, fat_sector, none = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    fat = [fat_sector, end_of_chain]  # sector 0 holds the FAT, sector 1 the directory
    entries = [("Root Entry", 5, none, 1 if streams else none, end_of_chain, 0)]  # name, type, right, child, start, size
    for index, name in enumerate(streams):
        start = len(fat)
        fat += [*range(start + 1, start + per_stream), end_of_chain]
        right = index + 2 if index + 1 < len(streams) else none  # the next stream's directory entry
        entries.append((name, 2, right, none, start, per_stream * sector))
    directory = b""
    for name, kind, right, child, start, size in entries:
        encoded = (name + "\0").encode("utf-16-le")
        directory += (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB3L", len(encoded), kind, 1, none, right, child)
            + bytes(16 + 4 + 8 + 8)
            + struct.pack("<LQ", start, size)
        )
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<5H", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<9L", 0, 1, 1, 0, 4096, end_of_chain, 0, end_of_chain, 0)
        + struct.pack("<109L", 0, *[free] * 108)
    )
    fat_bytes = struct.pack(f"<{sector // 4}L", *fat, *[free] * (sector // 4 - len(fat)))
    path.write_bytes(header + fat_bytes + directory.ljust(sector, b"\0") + bytes(len(streams) * per_stream * sector))
    return path


def ods_file(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr(
            "content.xml",
            '<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>',
        )
        archive.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest/>')
    return path


LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol;" if i == 1 else f"&lol{i - 1};") * 10}">' for i in range(1, 10))
    + "]>"
)  # "billion laughs": &lol9; expands to 10^9 times "lol"


def with_doctype(xml: bytes, reference: str = "&lol9;") -> bytes:
    """A billion-laughs DOCTYPE before the root element, and its entity used in the first text."""
    text = xml.decode()
    declaration, rest = text.split("?>", 1) if text.startswith("<?xml") else ("", text)
    prolog = declaration + "?>" if declaration else ""
    return (prolog + LAUGHS + re.sub(r"<t>[^<]*</t>", f"<t>{reference}</t>", rest, count=1)).encode()


def corrupt(path: Path, part: str, text: bytes) -> Path:
    """Store ``part`` uncompressed, then change one letter of ``text`` in it: its checksum fails."""
    rezip(path, {}, stored=(part,))
    data = path.read_bytes()
    assert data.count(text) == 1
    path.write_bytes(data.replace(text, text[:-1] + b"X"))
    return path


def million_rows(xml: str) -> str:
    """A million more rows below the data, numbered as Excel numbers them (45 MB of XML)."""
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(4, 1_000_004))
    return xml.replace("</sheetData>", rows + "</sheetData>")


def long_outcome(xml: str) -> str:
    """A 100,000-character outcome in O2 (openpyxl itself cuts text at Excel's 32,767)."""
    xml, count = re.subn(r'(<c r="O2"[^>]*><is><t>)[^<]*', lambda m: m[1] + "x" * 100_000, xml)
    assert count == 1
    return xml


def last_cell(xml: str) -> str:
    """One value in the very last cell of the sheet, XFD1048576."""
    return xml.replace("</sheetData>", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')


def _set(sheet: str, cell: str, value, *, text: bool = False):
    def edit(wb):
        if text:
            set_text(wb[sheet][cell], value)  # stored as text even if it starts with '='
        else:
            wb[sheet][cell] = value

    return edit


def _format(sheet: str, cell: str, number_format: str):
    return lambda wb: setattr(wb[sheet][cell], "number_format", number_format)


def _edits(*edits):
    def edit(wb):
        for one in edits:
            one(wb)

    return edit


def _merge(wb):
    wb["Toiminnot"].merge_cells("A2:A3")


def _hide_row(wb):
    wb["Toiminnot"].row_dimensions[3].hidden = True


def _extra_columns(wb):
    ws = wb["Toiminnot"]
    ws["Q1"], ws["Q2"], ws["R2"] = "Oma huomio", "tarkista", 12  # beside the template's last column, P


def _header_down(wb):
    wb["Toiminnot"].insert_rows(1, 3)


def _title_above_header(wb):
    _header_down(wb)
    wb["Toiminnot"]["A1"] = "Kansainvälinen toiminta 2025"


def _thousand_columns(wb):
    for column in range(16, 1001):
        wb["Toiminnot"].cell(row=1, column=column, value=f"sarake {column}")


# --- the corpus ------------------------------------------------------------------------------


@dataclass
class Case:
    """One hostile or broken file: how to build it, and the exact problems (without the file
    name) or, if it is accepted, what must be read from it."""

    id: str
    build: Callable[[Callable, Path], Path]  # (write_workbook, folder) → the file
    problems: list[str] = field(default_factory=list)
    accepted: Callable[[dict], None] | None = None  # checks the tables read
    whole: bool = False  # refused before any cell is read, though the problem names a cell


def workbook(edit=None, records=None):
    return lambda write, folder: write(records or RECORDS, edit=edit)


def then(first, after):
    return lambda write, folder: after(first(write, folder))


def named(name: str, make):
    return lambda write, folder: make(folder / name)


def text_file(content: bytes):
    return lambda path: (path.write_bytes(content), path)[1]


TITLES = [a["title"] for a in RECORDS["Toiminnot"]]
UNICODE_TITLE = "Kiertotalous 🌍♻️ — שלום עולם \u200fمرحبا\u200f, zero\u200bwidth, 👩🏽‍🔬"
FORMULA_TEXTS = {
    "A2": '=HYPERLINK("http://evil.example","click")',
    "E2": "+358 40 123 4567",
    "G2": "@SUM(1+1)",
    "O2": "-5 % emissions",
    "A3": "=1+1",
}


def _unicode_read(tables):
    first = tables["activities"][0]
    assert first["title"] == UNICODE_TITLE
    assert first["activity_type"] == "benchmarking"  # typed as 'Benchmarking\u200b' with a zero-width space


def _formula_texts_read(tables):
    first, second = tables["activities"]
    assert (first["title"], first["partner_cities"], first["partner_organisations"], first["outcome"]) == (
        FORMULA_TEXTS["A2"],
        FORMULA_TEXTS["E2"],
        FORMULA_TEXTS["G2"],
        FORMULA_TEXTS["O2"],
    )
    assert second["title"] == FORMULA_TEXTS["A3"]


CASES = [
    # not a workbook
    Case(
        "csv named .xlsx",
        named("education.xlsx", text_file(b"organisation;year\neducation;2025\n")),
        [f"the file is not an Excel workbook (text starting 'organisation;year'); {SAVE}"],
    ),
    Case(
        "pdf named .xlsx",
        named("education.xlsx", text_file(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")),
        [f"the file is not an Excel workbook (a PDF document); {SAVE}"],
    ),
    Case(
        "empty file named .xlsx",
        named("education.xlsx", text_file(b"")),
        [f"the file is not an Excel workbook (the file is empty); {SAVE}"],
    ),
    Case(
        "truncated zip",
        then(workbook(), lambda p: (p.write_bytes(p.read_bytes()[:6000]), p)[1]),
        [f"the workbook is damaged or incomplete (its zip archive is cut short); {DAMAGED}"],
    ),
    Case(
        "corrupted zip part",
        then(workbook(), lambda p: corrupt(p, TOIMINNOT, b"Kiertotalouden")),
        [f"the workbook is damaged and cannot be unpacked (a part fails its checksum: '{TOIMINNOT}'); {DAMAGED}"],
    ),
    Case(
        "csv file",
        named("education.csv", text_file(b"a,b\n")),
        [
            "not an .xlsx workbook (a CSV text file, .csv); copy the rows into the template, save it as "
            "'Excel Workbook (*.xlsx)' and name it <organisation-id>.xlsx"
        ],
    ),
    # legacy, macros, encryption, OpenDocument
    Case(
        "legacy .xls",
        named("education.xls", lambda p: ole_file(p, ["Workbook"])),
        [
            "not an .xlsx workbook (an Excel 97-2003 workbook, .xls); save it in Excel as 'Excel Workbook (*.xlsx)' "
            "and name it <organisation-id>.xlsx"
        ],
    ),
    Case(
        "legacy .xls named .xlsx",
        named("education.xlsx", lambda p: ole_file(p, ["Workbook", "SummaryInformation"])),
        [f"the file is not an Excel workbook (an Excel 97-2003 workbook, .xls); {SAVE}"],
    ),
    Case(
        "macro-enabled .xlsm",
        then(workbook(), lambda p: p.rename(p.with_suffix(".xlsm"))),
        [
            "not an .xlsx workbook (a macro-enabled workbook, .xlsm: macros are never run and its data was not read); "
            "save it in Excel as 'Excel Workbook (*.xlsx)' (which removes the macros) and name it "
            "<organisation-id>.xlsx"
        ],
    ),
    Case(
        "macros inside .xlsx",
        then(workbook(), lambda p: rezip(p, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" * 64})),
        [
            f"the workbook contains macros (xl/vbaProject.bin); macros are never run and its data was not read: "
            f"{SAVE}, which removes the macros"
        ],
    ),
    Case(
        "encrypted workbook",
        named("education.xlsx", lambda p: ole_file(p, ["EncryptionInfo", "EncryptedPackage", "\x06DataSpaces"])),
        [
            "the workbook is password-protected (encrypted), so it cannot be read; open it in Excel, remove the "
            "password (File → Info → Protect Workbook → Encrypt with Password) and save it again"
        ],
    ),
    Case(
        "ods file",
        named("education.ods", ods_file),
        [
            "not an .xlsx workbook (an OpenDocument spreadsheet, .ods); save it as 'Excel 2007-365 (.xlsx)' "
            "(LibreOffice: File → Save As) and name it <organisation-id>.xlsx"
        ],
    ),
    Case(
        "ods named .xlsx",
        named("education.xlsx", ods_file),
        [
            f"the file is not an Excel workbook (an OpenDocument spreadsheet, .ods); {SAVE} (LibreOffice: File → "
            "Save As → 'Excel 2007-365 (.xlsx)')"
        ],
    ),
    # zip bombs and an entity-expansion bomb
    Case(
        "zip bomb",
        then(workbook(), lambda p: bomb(p, 2048)),
        [f"the workbook unpacks to more than 100 MB (2048 MB); remove pictures and other large content, or {FRESH}"],
    ),
    Case(
        "zip bomb under the size limits",
        then(workbook(), lambda p: bomb(p, 30)),
        [f"the workbook looks like a zip bomb (xl/media/image1.png unpacks to 1011 times its packed size; at most 100); {FRESH}"],
    ),
    Case(
        "zip bomb with false sizes",
        then(workbook(), lambda p: bomb(p, 1024, declared=4096)),
        [f"the workbook is damaged and cannot be unpacked (a part fails its checksum: 'xl/media/image1.png'); {DAMAGED}"],
    ),
    Case(
        "a zip of 20,000 parts",
        named("education.xlsx", lambda p: raw_zip(p, [(f"xl/{i}.xml", deflate(b""), 0, 0) for i in range(20_000)])),
        [f"the workbook has too many parts (20000 files in its zip archive; at most 10000); {FRESH}"],
    ),
    Case(
        "entity expansion in the styles",
        then(workbook(), lambda p: rezip(p, {"xl/styles.xml": with_doctype(parts(p)["xl/styles.xml"])})),
        [
            "the workbook contains an XML document type declaration (xl/styles.xml), which Excel never writes "
            f"and which can hide an entity-expansion attack; {FRESH}"
        ],
    ),
    Case(
        "entity expansion in a sheet",
        then(workbook(), lambda p: edit_sheet_xml(p, "Toiminnot", lambda xml: with_doctype(xml.encode()).decode())),
        [
            f"the workbook contains an XML document type declaration ({TOIMINNOT}), which Excel never writes and which "
            f"can hide an entity-expansion attack; {FRESH}"
        ],
    ),
    # sizes
    Case(
        "a million rows",
        then(workbook(), lambda p: edit_sheet_xml(p, "Toiminnot", million_rows)),
        [
            "Toiminnot!A10001: a value beyond the last row read (row 10001; a sheet may use rows 1–10000); delete the "
            "rows below row 10000 (Ctrl+End shows the last used cell)"
        ],
        whole=True,
    ),
    Case(
        "a value in the last cell",
        then(workbook(), lambda p: edit_sheet_xml(p, "Toiminnot", last_cell)),
        [
            "Toiminnot!XFD1048576: a value beyond the last row read (row 1048576; a sheet may use rows 1–10000); "
            "delete the rows below row 10000 (Ctrl+End shows the last used cell)"
        ],
        whole=True,
    ),
    Case(
        "a thousand columns",
        workbook(_thousand_columns),
        [
            "Toiminnot!AY1: a value beyond the last column read (column AY; a sheet may use columns A–AX); delete the "
            "columns after AX (Ctrl+End shows the last used cell)"
        ],
        whole=True,
    ),
    Case(
        "a 100,000-character cell",
        then(workbook(), lambda p: edit_sheet_xml(p, "Toiminnot", long_outcome)),
        [
            "Toiminnot!O2: outcome is longer than 2000 characters (100000 characters: "
            f"'{'x' * 57}...'); shorten it to 2000 characters or fewer"
        ],
    ),
    # what calamine would read as empty, and cells people arrange
    Case(
        "error cells",
        workbook(_edits(_set("Toiminnot", "K2", "#DIV/0!"), _set("Toiminnot", "D3", "#N/A"))),
        [
            "Toiminnot!K2: budget is an error value (#DIV/0!); correct the formula that gives it, or type the value",
            "Toiminnot!D3: focus area is an error value (#N/A); correct the formula that gives it, or type the value",
        ],
    ),
    Case(
        "a formula without a cached value",
        workbook(_set("Toiminnot", "K2", "=2100*2")),
        [
            "Toiminnot!K2: budget is a formula without a saved result ('=2100*2'); open the workbook in Excel or "
            "LibreOffice and save it again, or type the value"
        ],
    ),
    Case(
        "merged cells in the data area",
        workbook(_merge),
        [
            "Toiminnot!A2: cells are merged in the data area (A2:A3); unmerge them (Home → Merge & Center) and fill "
            "in every row's own cell"
        ],
    ),
    Case(
        "hidden rows",
        workbook(_hide_row),
        accepted=lambda t: [r["title"] for r in t["activities"]] == TITLES or pytest.fail("hidden row not read"),
    ),
    Case(
        "extra unknown columns",
        workbook(_extra_columns),
        [
            "Toiminnot!Q1:Q2: warning: the header 'Oma huomio' is not one of the template's, so its values are not read (2 "
            "values, the first Q1: 'Oma huomio'); if they belong in the report, move them to a column of the template; notes "
            "of your own may stay",
            "Toiminnot!R2: warning: column R has no header, so its values are not read (the value R2: '12'); if they belong "
            "in the report, move them to a column of the template; notes of your own may stay",
        ],
        accepted=lambda t: (
            (
                set(t["activities"][0]) >= {"title", "outcome"}
                and "Oma huomio" not in t["activities"][0]
                and [r["title"] for r in t["activities"]] == TITLES
            )
            or pytest.fail("extra columns")
        ),
    ),
    Case(
        "header rows moved down",
        workbook(_header_down),
        ["Toiminnot!A4: warning: the header is on row 4, not on row 1 (3 rows above it, empty); delete the 3 rows above it"],
        accepted=lambda t: (
            [(r["source_row"], r["title"]) for r in t["activities"]] == [(5, TITLES[0]), (6, TITLES[1])]
            or pytest.fail("moved header")
        ),
    ),
    # text
    Case(
        "a title above the header",
        workbook(_title_above_header),
        [
            "Toiminnot!A1: the header is on row 4, not on row 1, and the values above it are not read (the value A1: "
            "'Kansainvälinen toiminta 2025'); delete the 3 rows above the header (move any data below it first)"
        ],
    ),
    Case(
        "html and script in text",
        workbook(_edits(_set("Toiminnot", "A2", INJECTION), _set("Vierailut", "H2", "<b onmouseover=alert(1)>hi</b>"))),
        accepted=lambda t: (
            (t["activities"][0]["title"], t["visits"][0]["purpose"]) == (INJECTION, "<b onmouseover=alert(1)>hi</b>")
            or pytest.fail("html text")
        ),
    ),
    Case(
        "emoji, right-to-left and zero-width text",
        workbook(_edits(_set("Toiminnot", "A2", UNICODE_TITLE), _set("Toiminnot", "B2", "Benchmarking\u200b"))),
        accepted=_unicode_read,
    ),
    Case(
        "a NUL character in text",
        workbook(_set("Toiminnot", "A2", "Hanke_x0000_")),
        [
            "Toiminnot!A2: title contains an invisible control character U+0000 ('Hanke\\x00'); retype the text, or "
            "paste it as plain text"
        ],
    ),
    Case(
        "text starting with = + - @",
        workbook(_edits(*(_set("Toiminnot", c, v, text=True) for c, v in FORMULA_TEXTS.items()))),
        accepted=_formula_texts_read,
    ),
    # dates and amounts
    Case(
        "odd, far-future and pre-1900 dates",
        workbook(
            _edits(
                _set("Toiminnot", "I2", "14/3/2025"),
                _set("Toiminnot", "J2", "March 6, 2025"),
                _set("Toiminnot", "I3", "1.1.9999"),
                _set("Toiminnot", "J3", "31.12.1899"),
                _set("Näkyvyys", "A2", dt.datetime(1899, 12, 30)),
            )
        ),
        [
            "Näkyvyys!A2: date is not a valid date (a time of day, or a date before 1900: '00:00:00'); write a date as "
            "d.m.yyyy (e.g. 14.3.2025) or yyyy-mm-dd",
            "Toiminnot!I2: start date is not a valid date ('14/3/2025'); write a date as d.m.yyyy (e.g. 14.3.2025) or yyyy-mm-dd",
            "Toiminnot!J2: end date is not a valid date ('March 6, 2025'); write a date as d.m.yyyy (e.g. 14.3.2025) "
            "or yyyy-mm-dd",
            "Toiminnot!I3: start date is not a plausible date ('1.1.9999'); write a date between 1.1.1950 and 31.12.2100",
            "Toiminnot!J3: end date is not a plausible date ('31.12.1899'); write a date between 1.1.1950 and 31.12.2100",
        ],
    ),
    Case(
        "a number too large for a date",
        workbook(_set("Toiminnot", "I2", -1e12)),  # calamine panicked on it
        [
            "Toiminnot!I2: a number too large for a date or a time ('-1000000000000'); correct it, or format the cell "
            "as a number (Home → Number Format)"
        ],
        whole=True,
    ),
    Case(
        "a number too large for a duration",
        workbook(_edits(_set("Toiminnot", "K2", 5e9), _format("Toiminnot", "K2", "[h]:mm:ss"))),
        [
            "Toiminnot!K2: a number too large for a date or a time ('5000000000'); correct it, or format the cell "
            "as a number (Home → Number Format)"
        ],
        whole=True,
    ),
    Case(
        "negative and absurd amounts",
        workbook(
            _edits(
                _set("Toiminnot", "K2", -10),
                _set("Toiminnot", "K3", 1e12),
                _set("Verkostot", "F2", "\u22121 500 €"),
                _set("Mittarit", "C2", 1e300),
                _set("Vierailut", "G2", 2_000_000),
            )
        ),
        [
            "Mittarit!C2: value is not a plausible number ('1e+300'); write a number between -1 000 000 000 000 000 "
            "and 1 000 000 000 000 000",
            "Toiminnot!K2: budget is below 0 ('-10'); write a value of 0 or more",
            "Toiminnot!K3: budget is above 1 000 000 000 ('1000000000000'); check the value: at most 1 000 000 000",
            "Verkostot!F2: annual fee is below 0 ('\u22121 500 €'); write a value of 0 or more",
            "Vierailut!G2: participants is above 100 000 ('2000000'); check the value: at most 100 000",
        ],
    ),
]


def _read(path: Path, strategy, settings):
    submission, problems = read_submission(path, YEAR, strategy, settings)
    return [str(p) for p in sorted(problems)], (submission.tables if submission else None)


@pytest.fixture(scope="module")
def warm(tmp_path_factory, strategy, settings):
    """Read a clean and a broken workbook once in this process, so that the forked children
    measure reading, not the first import of pandera and the building of its schemas."""
    folder = tmp_path_factory.mktemp("warm")
    for index, broken in enumerate((False, True)):
        wb = build_workbook(strategy, "education", YEAR, "fi", RECORDS)
        if broken:
            for sheet in SHEETS:
                wb[sheet.name]["A2"] = None
                wb[sheet.name]["B2"] = "#N/A"
        path = folder / str(index) / str(YEAR) / "education.xlsx"
        excel_io.save_workbook(wb, path)
        read_submission(path, YEAR, strategy, settings)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_hostile_file_gets_one_line_per_problem_in_bounded_time_and_memory(
    case, warm, write_workbook, tmp_path, strategy, settings
):
    folder = tmp_path / "inputs" / str(YEAR)
    folder.mkdir(parents=True, exist_ok=True)
    path = case.build(write_workbook, folder)
    run = measure(_read, path, strategy, settings)
    assert not run.error, run.error
    problems, tables = run.result
    assert problems == [f"{path}: {p}" for p in case.problems]
    assert all("\n" not in p and "Traceback" not in p for p in problems)
    if case.accepted:
        case.accepted(tables)
    print(f"{case.id}: {run.seconds:.2f} s, {run.peak_mb:.0f} MB")
    assert run.seconds < SECONDS, f"{run.seconds:.1f} s"
    assert run.peak_mb < MEGABYTES, f"{run.peak_mb:.0f} MB"


def test_the_limits_in_the_readme_are_the_ones_in_the_code():
    from hki_intl import PROJECT_ROOT

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for text in (
        f"{excel_io.MAX_FILE_MB} MB on disk",
        f"{excel_io.MAX_UNPACKED_MB} MB unpacked",
        f"{excel_io.MAX_PART_MB} MB",
        f"{excel_io.MAX_PARTS:,} parts".replace(",", " "),
        f"{excel_io.MAX_RATIO} times",
        f"rows 1–{excel_io.MAX_ROW:,}".replace(",", " "),
        "columns A–AX",
        "2 000 characters",
    ):
        assert text in readme, text


def test_markers_show_what_the_cell_holds():
    assert (str(ErrorValue("#N/A")), str(FormulaWithoutValue("SUM(A1:A3)"))) == ("#N/A", "=SUM(A1:A3)")


def test_a_sheet_saved_without_cell_references_is_read_by_position(write_workbook, strategy, settings):
    """Some tools omit the r="A1" attributes; the limits and markers still find the right cells."""
    path = write_workbook({"Toiminnot": [activity()]}, edit=_set("Toiminnot", "K2", "=2100*2"))
    edit_sheet_xml(path, "Toiminnot", lambda xml: re.sub(r' r="[A-Z]+\d+"', "", xml))
    problems, _ = _read(path, strategy, settings)
    assert problems == [
        f"{path}: Toiminnot!K2: budget is a formula without a saved result ('=2100*2'); open the "
        "workbook in Excel or LibreOffice and save it again, or type the value"
    ]


def test_cells_of_another_sheet_count_for_the_limits_but_are_not_read(write_workbook, strategy, settings):
    def edit(wb):
        ws = wb.create_sheet("Omat muistiinpanot")
        ws["A1"], ws["B2"] = "=1/0", "#DIV/0!"

    path = write_workbook(RECORDS, edit=edit)
    problems, tables = _read(path, strategy, settings)
    assert problems == [
        f"{path}: Omat muistiinpanot!A1:B2: warning: the sheet is not one of the template's, so its "
        "values are not read (2 values, the first A1: '=1/0'); move any activities, visits or other "
        "data to the template's sheets; a sheet of your own notes may stay"
    ]
    assert len(tables["activities"]) == 2
    edit_sheet_xml(path, "Omat muistiinpanot", last_cell)
    problems, _ = _read(path, strategy, settings)
    assert problems == [
        f"{path}: Omat muistiinpanot!XFD1048576: a value beyond the last row read (row 1048576; a "
        "sheet may use rows 1–10000); delete the rows below row 10000 (Ctrl+End shows the last used "
        "cell)"
    ]


def test_a_sheet_name_with_a_line_break_is_printed_on_one_line(write_workbook, strategy, settings):
    def edit(wb):
        wb.create_sheet("Omat")["A1"] = "muistiinpanot"

    path = write_workbook(RECORDS, edit=edit)
    edit_sheet_xml(path, "Omat", last_cell)
    content = parts(path)
    rezip(path, {"xl/workbook.xml": content["xl/workbook.xml"].replace(b'name="Omat"', b'name="Omat&#10;2025"')})
    problems, _ = _read(path, strategy, settings)
    assert problems == [
        f"{path}: Omat\\n2025!XFD1048576: a value beyond the last row read (row 1048576; a sheet may "
        "use rows 1–10000); delete the rows below row 10000 (Ctrl+End shows the last used cell)"
    ]


CELL_LEVEL = [c for c in CASES if c.problems and "!" in c.problems[0].split(":")[0]]


@pytest.mark.parametrize("case", CELL_LEVEL, ids=[c.id for c in CELL_LEVEL])
def test_feedback_annotates_a_hostile_workbook_that_opens(case, write_workbook, tmp_path, strategy, settings):
    from hki_intl.intake import load_submissions
    from hki_intl.workbook.feedback import write_feedback

    folder = tmp_path / "inputs" / str(YEAR)
    folder.mkdir(parents=True, exist_ok=True)
    path = case.build(write_workbook, folder)
    result = load_submissions(tmp_path / "inputs", [YEAR], strategy, settings)
    written = measure(write_feedback, result, YEAR, tmp_path / "feedback", strategy)
    assert not written.error, written.error
    assert written.result.copies == ([] if case.whole else [tmp_path / "feedback" / str(YEAR) / path.name])
    assert written.seconds < SECONDS and written.peak_mb < MEGABYTES, (written.seconds, written.peak_mb)


# --- through the command line ----------------------------------------------------------------

WORKBOOK_LEVEL = [c for c in CASES if c.problems and "!" not in c.problems[0].split(":")[0]]


def test_validate_prints_one_line_per_file_and_exits_1_without_a_traceback(write_workbook, tmp_path):
    inputs = tmp_path / "inputs"
    folder = inputs / str(YEAR)
    folder.mkdir(parents=True)
    expected = []
    for index, case in enumerate(WORKBOOK_LEVEL):
        scratch = tmp_path / f"case{index}" / str(YEAR)
        scratch.mkdir(parents=True)
        built = case.build(lambda records, edit=None, into=scratch: _write_into(write_workbook, records, edit, into), scratch)
        target = folder / f"case{index:02d}{built.suffix}"
        built.rename(target)
        expected += [f"{target}: {p}" for p in case.problems]
    write_workbook({"Toiminnot": [activity()]}, organisation="forum_virium")
    done = run_cli("validate", "--year", str(YEAR), "--inputs", str(inputs), timeout=300)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    assert done.stderr.splitlines() == [*sorted(expected), f"{len(expected)} problems found; fix them and run again."]


def _write_into(write_workbook, records, edit, folder: Path) -> Path:
    """``write_workbook``, then moved into ``folder`` (each case builds in its own folder)."""
    path = write_workbook(records, edit=edit)
    return path.rename(folder / path.name)


@pytest.mark.slow
def test_run_allow_partial_reports_the_others_and_names_the_hostile_files(tmp_path):
    inputs = tmp_path / "inputs"
    made = run_cli("example", "--out", str(inputs), "--years", "2024-2025")
    assert made.returncode == 0, made.stderr
    folder = inputs / str(YEAR)
    (folder / "education.xlsx").write_bytes(b"%PDF-1.7\n")
    bomb(folder / "forum_virium.xlsx", 2048)
    path = folder / "culture_leisure.xlsx"
    rezip(path, {"xl/styles.xml": with_doctype(parts(path)["xl/styles.xml"])})
    done = run_cli(
        "run",
        "--year",
        str(YEAR),
        "--inputs",
        str(inputs),
        "--out",
        str(tmp_path / "out"),
        "--allow-partial",
        "--lang",
        "fi",
        "--format",
        "html",
        "--quiet",
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.startswith(str(folder))]
    photos = [line for line in warnings if line.split(": ", 1)[0].endswith(".jpg")]  # the broken workbooks' photo files
    assert photos and all("warning: a photo file that no workbook names" in line for line in photos)
    assert [line.split(": ", 1)[0] for line in warnings if line not in photos] == [
        str(folder / f) for f in ("culture_leisure.xlsx", "education.xlsx", "forum_virium.xlsx")
    ]
    page = (tmp_path / "out" / f"international-activities-{YEAR}-fi.html").read_text(encoding="utf-8")
    for name in ("culture_leisure.xlsx", "education.xlsx", "forum_virium.xlsx"):
        assert name in page
    with open(tmp_path / "out" / "data" / "submissions.csv", encoding="utf-8") as handle:
        reported = {row["organisation"] for row in csv.DictReader(handle) if row["year"] == str(YEAR)}
    assert reported == set(load_strategy().organisations_in(YEAR)) - {"culture_leisure", "education", "forum_virium"}


def test_the_template_sheets_are_the_info_data_code_and_instruction_sheets():
    """Every other sheet is the contributor's own: its values are named in a problem, never read."""
    from hki_intl.workbook.layout import TEMPLATE_SHEETS

    assert TEMPLATE_SHEETS == {"Perustiedot", "Koodit", "Ohjeet", "Anvisningar", "Instructions", *(s.name for s in SHEETS)}


def test_text_written_to_a_feedback_workbook_is_never_a_formula(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    excel_io.append_row(ws, ['=HYPERLINK("http://x","y")', "+1", "-5", "@A1", 12, "plain", "bad\x01char"])
    excel_io.save_workbook(wb, tmp_path / "out.xlsx")
    xml = parts(tmp_path / "out.xlsx")["xl/worksheets/sheet1.xml"].decode()
    assert "<f>" not in xml
    back = openpyxl.load_workbook(tmp_path / "out.xlsx")
    cells = next(iter(back.active.iter_rows(values_only=True)))
    assert cells == ('=HYPERLINK("http://x","y")', "+1", "-5", "@A1", 12, "plain", "bad\ufffdchar")
    assert [c.data_type for c in back.active[1]] == ["s", "s", "s", "s", "n", "s", "s"]
    assert [bool(c.quotePrefix) for c in back.active[1]] == [True, True, True, True, False, False, False]
