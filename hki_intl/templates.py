"""Build the yearly Excel workbook each organisation fills (and the example data reuses).

The workbook follows :mod:`hki_intl.schema`: an info sheet (organisation, year, template
version), one data sheet per record kind with headers in the template language, and a hidden
code sheet that feeds every dropdown through a named range (a list typed into a validation
rule is capped at 255 characters, too short for the country list).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from .excel_io import save_workbook
from .params import Strategy
from .schema import INFO_FIELDS, INFO_SHEET, SHEETS, TEMPLATE_VERSION, Column

CODES_SHEET = "Koodit"
DATA_ROWS = 1000  # rows prepared with dropdowns and validation below each header
HEADER_FILL = PatternFill("solid", fgColor="0072C6")  # HDS coat-of-arms blue, white text: 5.1:1
HEADER_FONT = Font(bold=True, color="FFFFFF")
DATE_FORMAT = "d.m.yyyy"
MONEY_FORMAT = "#,##0.00"


def template_path(out_dir: Path, year: int, organisation: str) -> Path:
    """Where a workbook lives: ``<dir>/<year>/<organisation-id>.xlsx``."""
    return Path(out_dir) / str(year) / f"{organisation}.xlsx"


def build_workbook(
    strategy: Strategy,
    organisation: str,
    year: int,
    lang: str,
    records: Mapping[str, Iterable[Mapping[str, Any]]] | None = None,
    contact_role: str = "",
) -> Workbook:
    """A template for one organisation and year, optionally filled with records.

    ``records`` maps a sheet name to rows keyed by column key; code values are written as
    their label in ``lang``, as a contributor picking from the dropdown would.
    """
    records = records or {}
    wb = Workbook()
    info = wb.active
    info.title = INFO_SHEET
    _write_info(info, strategy, organisation, year, lang, contact_role)
    _write_code_sheet(wb, strategy, lang)
    for sheet in SHEETS:
        ws = wb.create_sheet(sheet.name)
        for col_index, column in enumerate(sheet.columns, start=1):
            cell = ws.cell(row=1, column=col_index, value=column.header(lang))
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            ws.column_dimensions[get_column_letter(col_index)].width = column.width
            _add_validation(ws, column, col_index, lang)
        ws.freeze_panes = "A2"
        for row_index, record in enumerate(records.get(sheet.name, ()), start=2):
            for col_index, column in enumerate(sheet.columns, start=1):
                value = _cell_value(strategy, column, record.get(column.key), lang)
                cell = ws.cell(row=row_index, column=col_index, value=value)
                if column.kind == "date":
                    cell.number_format = DATE_FORMAT
                elif column.kind == "number":
                    cell.number_format = MONEY_FORMAT if column.key.endswith("_eur") else "#,##0"
    wb.move_sheet(CODES_SHEET, offset=len(wb.sheetnames))
    return wb


def write_workbook(path: Path, *args: Any, **kwargs: Any) -> Path:
    save_workbook(build_workbook(*args, **kwargs), path)
    return path


def write_templates(strategy: Strategy, year: int, out_dir: Path, lang: str) -> list[Path]:
    """One empty template per organisation that exists in ``year``."""
    return [
        write_workbook(template_path(out_dir, year, org), strategy, org, year, lang)
        for org in strategy.organisations_in(year)
    ]


def _write_info(ws, strategy: Strategy, organisation: str, year: int, lang: str, contact_role: str) -> None:
    values = {
        "organisation": strategy.organisations.label(organisation, lang),
        "year": year,
        "contact_role": contact_role,
        "template_version": TEMPLATE_VERSION,
    }
    ws.column_dimensions["A"].width = 44
    ws.column_dimensions["B"].width = 52
    for row, column in enumerate(INFO_FIELDS, start=1):
        label = ws.cell(row=row, column=1, value=column.header(lang))
        label.font = Font(bold=True)
        ws.cell(row=row, column=2, value=values[column.key])
    # The intake reads these names first: the organisation id and year cannot be mistyped.
    for key, value in (("organisation", organisation), ("year", year), ("template_version", TEMPLATE_VERSION)):
        ws.cell(row=1 + [c.key for c in INFO_FIELDS].index(key), column=3, value=value)
    ws.column_dimensions["C"].hidden = True


def _write_code_sheet(wb: Workbook, strategy: Strategy, lang: str) -> None:
    ws = wb.create_sheet(CODES_SHEET)
    ws.sheet_state = "hidden"
    lists = sorted({c.codes for s in SHEETS for c in s.columns if c.codes})
    for col_index, name in enumerate(lists, start=1):
        labels = list(strategy.codes(name).labels(lang).values())
        ws.cell(row=1, column=col_index, value=name)
        for row_index, label in enumerate(labels, start=2):
            ws.cell(row=row_index, column=col_index, value=label)
        letter = get_column_letter(col_index)
        ref = f"{quote_sheetname(CODES_SHEET)}!${letter}$2:${letter}${len(labels) + 1}"
        wb.defined_names[f"list_{name}"] = DefinedName(f"list_{name}", attr_text=ref)


def _add_validation(ws, column: Column, col_index: int, lang: str) -> None:
    letter = get_column_letter(col_index)
    area = f"{letter}2:{letter}{DATA_ROWS + 1}"
    if column.kind == "code":
        rule = DataValidation(type="list", formula1=f"=list_{column.codes}", allow_blank=not column.required)
    elif column.kind == "date":
        rule = DataValidation(type="date", operator="greaterThan", formula1="DATE(2000,1,1)")
    elif column.kind in ("number", "integer", "year"):
        kind = "decimal" if column.kind == "number" else "whole"
        rule = DataValidation(type=kind, operator="greaterThanOrEqual", formula1="0")
    else:
        return
    rule.showErrorMessage = True
    rule.add(area)
    ws.add_data_validation(rule)


def _cell_value(strategy: Strategy, column: Column, value: Any, lang: str) -> Any:
    if value is None or value == "":
        return None
    if column.kind == "code":
        return strategy.codes(column.codes).label(value, lang)
    if column.kind == "codes":
        items = value if isinstance(value, (list, tuple)) else [value]
        return "; ".join(strategy.codes(column.codes).label(v, lang) for v in items)
    if column.kind == "date" and isinstance(value, dt.datetime):
        return value.date()
    return value
