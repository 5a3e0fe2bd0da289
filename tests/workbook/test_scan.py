"""The fast worksheet scan gives what the exact scan gives, or leaves the sheet to it."""

from __future__ import annotations

import pytest

from hki_intl.workbook import excel

HEAD = '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
TAIL = '</sheetData><mergeCells count="1"><mergeCell ref="A1:B2"/></mergeCells></worksheet>'
USUAL = (
    '<row r="1"><c r="A1" s="1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>x</t></is></c><c r="C1" s="2" /></row>'
    '<row r="3"><c r="A3" t="e"><v>#N/A</v></c><c r="B3"><f>SUM(A1)&amp;"x"</f><v></v></c><c r="D3" s="2"><v>45000</v></c></row>'
)
UNUSUAL = {  # the fast scan hands these to the exact scan, which gives the same answer or the same refusal
    "comment": '<!-- <c r="ZZ1"><v>1</v></c> --><row r="1"><c r="A1"><v>1</v></c></row>',
    "CDATA": '<row r="1"><c r="A1" s="2"><v><![CDATA[1e10]]></v></c></row>',
    "prefix": '<row r="1"><x:c xmlns:x="urn:x" r="B1"><x:v>1</x:v></x:c></row>',
    "no reference": '<row r="4"><c><v>1</v></c><c t="e"><v>#REF!</v></c></row>',
    "date too large": '<row r="1"><c r="A1" s="2"><v>1e10</v></c></row>',
    "beyond the columns": '<row r="1"><c r="AY1"><v>1</v></c></row>',
    "beyond the rows": '<row r="10001"><c r="A10001"><v>1</v></c></row>',
    "beyond XFD": '<row r="1"><c r="XFE1"/></row>',
    "quotes": "<row r='1'><c r='A1' s='2'><v>1</v></c></row>",
    "entity": '<row r="1"><c r="A1" t="e"><v>&#35;N/A</v></c></row>',
}


def scans(xml: str) -> tuple[object, object]:
    """(fast, exact): each a SheetScan as a tuple, or the refusal's message."""
    results = []
    for fast in (True, False):
        try:
            if fast:
                scan = excel._FastScan("S", frozenset({2})).run(iter([xml.encode()]))
            else:
                scanner = excel._SheetScanner("S", "sheet.xml", frozenset({2}))
                scanner.parser.Parse(xml.encode(), True)
                scan = scanner.scan
            results.append((scan.last_row, scan.last_column, list(scan.errors.items()), list(scan.uncached.items()), scan.merged))
        except excel._Unusual:
            results.append("unusual")
        except excel.NotAWorkbook as exc:
            results.append(str(exc))
    return results[0], results[1]


def test_the_fast_scan_reads_a_usual_sheet_as_the_exact_scan_does():
    fast, exact = scans(HEAD + USUAL + TAIL)
    assert (
        fast
        == exact
        == (3, 4, [((3, 1), excel.ErrorValue("#N/A"))], [((3, 2), excel.FormulaWithoutValue('SUM(A1)&"x"'))], [(1, 1, 2, 2)])
    )


@pytest.mark.parametrize("rows", UNUSUAL.values(), ids=UNUSUAL.keys())
def test_the_fast_scan_leaves_an_unusual_sheet_to_the_exact_scan(rows):
    fast, exact = scans(HEAD + rows + TAIL)
    assert fast == "unusual" or fast == exact
