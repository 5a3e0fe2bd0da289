"""Build the yearly Excel workbook each organisation fills (and the example data reuses).

The workbook follows :mod:`hki_intl.workbook.schema`, in the words of ``params/workbook.yaml``
(:mod:`hki_intl.workbook.words`): an instructions sheet in the template language,
an info sheet (organisation, year, template version), one data sheet per record kind with
headers in the template language, and a hidden code sheet that feeds every dropdown through a
named range (a list typed into a validation rule is capped at 255 characters, too short for the
country list).

Every column has Excel data validation with an input message saying what to write. Header
rows and the filled-in info are locked and the data area is unlocked; the sheets and the
workbook structure are protected **without a password**, so that sheets and headers are not
renamed, moved or deleted by accident (Review → Unprotect Sheet lifts it; the intake re-checks
everything anyway). The organisation id, year and template version sit in the hidden column C
of the info sheet, named ``hki_organisation``, ``hki_year`` and ``hki_template_version``.

A template may start with rows carried over from last year's workbook
(:mod:`hki_intl.intake.carried`): each is marked unconfirmed in the sheet's last column, and a
conditional format colours the row until the contributor chooses 'confirmed'.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum, auto
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import absolute_coordinate, get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from hki_intl import PARAMS_DIR
from hki_intl.config.params import LANGUAGES, Strategy, load_texts
from hki_intl.workbook.excel import save_workbook, set_text, workbook_bytes
from hki_intl.workbook.ledger import Ledger
from hki_intl.workbook.schema import (
    CARRIED_OVER,
    FIRST_DATE,
    FIRST_YEAR,
    INFO_FIELDS,
    INFO_NAMES,
    INFO_SHEET,
    LAST_DATE,
    LAST_YEAR,
    NIL_RETURN,
    NUMBER_LIMIT,
    SHEETS,
    TEMPLATE_VERSION,
    UNCONFIRMED,
    Column,
    Sheet,
    help_text,
    sheet_help,
)
from hki_intl.workbook.words import by_language, column_words, words

CODES_SHEET = "Koodit"
CONTRIBUTOR_INFO = ("contact_role", "nil_return")  # the info rows a contributor fills in; the rest is filled in
DATA_ROWS = 1000  # rows prepared with dropdowns and validation below each header
HEADER_FILL = PatternFill("solid", fgColor="0072C6")  # HDS coat-of-arms blue, white text: 5.1:1 (the feedback's too)
HEADER_FONT = Font(bold=True, color="FFFFFF")
SECTION_FILL = PatternFill("solid", fgColor="DEDFE1")  # HDS silver
UNCONFIRMED_FILL = PatternFill("solid", bgColor="FFF4B4")  # HDS summer, light: a carried-over row still to check
DATE_FORMAT = "d.m.yyyy"
MONEY_FORMAT = "#,##0.00"
UNLOCKED = Protection(locked=False)
LOCKED = Protection(locked=True)
PROMPT_LIMIT, PROMPT_TITLE_LIMIT = 255, 32  # Excel's limits for an input message
CONTACT_ROLE_LIMIT = 200  # characters the template's validation allows for the contact role
WRAP = Alignment(wrap_text=True, vertical="top")


def word(key: str, lang: str, **values: Any) -> str:
    """One of the template's own words in ``lang`` (``params/workbook.yaml``, under ``template``):
    ``title``, ``kinds.date``, ``rules.0`` …"""
    text: Any = words().template
    for part in key.split("."):
        text = text[int(part)] if part.isdigit() else getattr(text, part)
    return text[lang].format(**values) if values else text[lang]


def instructions_sheet(lang: str) -> str:
    """The name of the instructions sheet of a ``lang`` template."""
    return words().template.instructions_sheet[lang]


def yes_no(strategy: Strategy, answer: bool, lang: str) -> str:
    """The word yes or no in ``lang``: the labels of the list ``yes_no`` of the strategy."""
    return strategy.codes(NIL_RETURN.code_list).label("yes" if answer else "no", lang)


def __getattr__(name: str) -> Any:
    """``INSTRUCTIONS_SHEET``: the instructions sheet's name by language, in the words in use."""
    if name == "INSTRUCTIONS_SHEET":
        return by_language(words().template.instructions_sheet)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    if lang not in LANGUAGES:
        raise ValueError(f"unknown template language {lang!r}")
    records = records or {}
    wb = Workbook()
    _write_instructions(wb.active, strategy, organisation, year, lang)
    _write_info(wb, wb.create_sheet(INFO_SHEET), strategy, organisation, year, lang, contact_role)
    _write_code_sheet(wb, strategy, lang)
    for sheet in SHEETS:
        ws = wb.create_sheet(sheet.name)
        for col_index, column in enumerate(sheet.columns, start=1):
            cell = ws.cell(row=1, column=col_index, value=column.header(lang))
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.protection = LOCKED
            dimension = ws.column_dimensions[get_column_letter(col_index)]
            dimension.width = column.width
            dimension.protection = UNLOCKED  # empty cells below the header take the column's style
            _add_validation(ws, strategy, sheet.name, column, col_index, lang)
        ws.freeze_panes = "A2"
        _mark_unconfirmed(ws, strategy, sheet, lang)
        for row_index, record in enumerate(records.get(sheet.name, ()), start=2):
            for col_index, column in enumerate(sheet.columns, start=1):
                cell = ws.cell(row=row_index, column=col_index)
                set_text(cell, _cell_value(strategy, column, record.get(column.key), lang))  # a text is never a formula
                cell.protection = UNLOCKED
                if column.kind == "date":
                    cell.number_format = DATE_FORMAT
                elif column.kind == "number":
                    cell.number_format = MONEY_FORMAT if column.key.endswith("_eur") else "#,##0"
        _protect(ws)
    wb.move_sheet(CODES_SHEET, offset=len(wb.sheetnames))
    wb.active = 0
    wb.security = WorkbookProtection(lockStructure=True)  # no password: see the module docstring
    return wb


def write_workbook(path: Path, *args: Any, **kwargs: Any) -> Path:
    save_workbook(build_workbook(*args, **kwargs), path)
    return path


def write_templates(
    strategy: Strategy,
    year: int,
    out_dir: Path,
    lang: str,
    params_dir: Path = PARAMS_DIR,
    carried: Mapping[str, Mapping[str, Iterable[Mapping[str, Any]]]] | None = None,
) -> list[Path]:
    """One template per organisation that exists in ``year``: empty, or holding the rows
    ``carried`` (organisation → sheet name → rows) from last year's workbook. A file already
    there is replaced only if this tool wrote it and nobody changed it since
    (:mod:`hki_intl.ledger`): a template someone began to fill in is never overwritten."""
    organisations = strategy.organisations_in(year)
    carried = carried or {}
    words = analyst_templates(strategy, year, Path(out_dir), params_dir)
    ledger = Ledger.open(out_dir, "--out")
    ledger.check([*(template_path(out_dir, year, org) for org in organisations), *(path for path, _ in words)])
    paths = [
        ledger.write(
            template_path(out_dir, year, org), workbook_bytes(build_workbook(strategy, org, year, lang, carried.get(org)))
        )
        for org in organisations
    ]
    for path, data in words:  # the analyst's texts, one file per report language
        ledger.write(path, data)
    return paths


def analyst_templates(strategy: Strategy, year: int, out_dir: Path, params_dir: Path = PARAMS_DIR) -> list[tuple[Path, bytes]]:
    """(path, bytes) of the analyst's templates of ``year``: ``analyst-<lang>.md`` in every
    report language, each explaining the file's layout in its language."""
    from hki_intl.intake.analyst import analyst_path, template_text

    texts = [load_texts(lang, params_dir) for lang in LANGUAGES]
    return [(analyst_path(out_dir, year, t.lang), template_text(strategy, year, t).encode("utf-8")) for t in texts]


def example_value(strategy: Strategy, sheet: str, column: Column, lang: str) -> str:
    """The example of a column as a contributor would write it in a ``lang`` template."""
    example = column_words(sheet, column.key).example
    if example is None:
        return ""
    if column.kind == "code":
        return strategy.codes(column.code_list).label(str(example), lang)
    if column.kind == "codes":
        return "; ".join(strategy.codes(column.code_list).label(code, lang) for code in example)
    if isinstance(example, str):
        return example
    return example[lang]  # a text in every language


def _protect(ws: Worksheet) -> None:
    """Protect a sheet without a password; rows can still be added, deleted, sized and sorted."""
    protection = ws.protection
    protection.sheet = True
    protection.formatColumns = protection.formatRows = False  # False = allowed
    protection.insertRows = protection.deleteRows = False
    protection.sort = protection.autoFilter = False


def instruction_texts(
    strategy: Strategy, organisation: str, year: int, lang: str, version: str = TEMPLATE_VERSION
) -> frozenset[str]:
    """Every text the template writes on its instructions sheet (the intake tells them from
    text a contributor typed there)."""
    # Cached per strategy object (which is not hashable; holding it keeps its id unique).
    _, cache = _TEXTS.setdefault(id(strategy), (strategy, {}))
    key = (organisation, year, lang, version)
    if key not in cache:
        # From the cells the writer puts on the sheet, without building one: a styled openpyxl
        # sheet took 4–5 ms a key, ~0.5 s of the example's intake (108 keys).
        cells = instruction_cells(strategy, organisation, year, lang, version)
        cache[key] = frozenset(str(cell.value).strip() for cell in cells if cell.value is not None)
    return cache[key]


_TEXTS: dict[int, tuple[Strategy, dict[tuple, frozenset[str]]]] = {}


def code_sheet_texts(strategy: Strategy) -> frozenset[str]:
    """Every text a template of any language writes on its code sheet."""
    lists = sorted({c.codes for s in SHEETS for c in s.columns if c.codes})
    return frozenset(
        [*lists, *(label.strip() for name in lists for lang in LANGUAGES for label in strategy.codes(name).labels(lang).values())]
    )


class Look(Enum):
    """How a cell of the instructions sheet looks (the writer's styles: :data:`_LOOKS`)."""

    TITLE = auto()
    PLAIN = auto()
    WRAPPED = auto()
    RULE = auto()  # wrapped, merged to the sheet's last column, in a taller row
    HEADING = auto()
    SECTION = auto()  # a sheet's name and title above its columns: bold on silver
    SECTION_HELP = auto()
    SECTION_BLANK = auto()  # the rest of the section's row: silver


@dataclass(frozen=True)
class InstructionCell:
    """One cell of the instructions sheet: where it is, what it holds and how it looks."""

    row: int
    column: int
    value: str | None
    look: Look


INSTRUCTION_WIDTHS = (16, 34, 14, 36, 60, 34)  # columns A–F of the instructions sheet
RULE_ROW_HEIGHT = 32
_LOOKS: dict[Look, tuple[Font | None, PatternFill | None, Alignment | None]] = {
    Look.TITLE: (Font(bold=True, size=14), None, None),
    Look.PLAIN: (None, None, None),
    Look.WRAPPED: (None, None, WRAP),
    Look.RULE: (None, None, WRAP),
    Look.HEADING: (HEADER_FONT, HEADER_FILL, None),
    Look.SECTION: (Font(bold=True), SECTION_FILL, None),
    Look.SECTION_HELP: (None, SECTION_FILL, WRAP),
    Look.SECTION_BLANK: (None, SECTION_FILL, None),
}


def instruction_cells(
    strategy: Strategy, organisation: str, year: int, lang: str, version: str = TEMPLATE_VERSION
) -> list[InstructionCell]:
    """The cells of a template's instructions sheet, row by row: the one source of the sheet's
    texts for the template (:func:`_write_instructions`) and the intake (:func:`instruction_texts`)."""
    whose = word("whose", lang, organisation=strategy.organisations.label(organisation, lang), year=year, version=version)
    cells = [InstructionCell(1, 1, word("title", lang, year=year), Look.TITLE), InstructionCell(2, 1, whose, Look.PLAIN)]
    row = 4
    for n in range(1, len(words().template.rules) + 1):
        rule = word(f"rules.{n - 1}", lang, file=f"{organisation}.xlsx")
        cells += [InstructionCell(row, 1, f"{n}.", Look.WRAPPED), InstructionCell(row, 2, rule, Look.RULE)]
        row += 1
    row += 1
    headings = ("sheet", "column", "required", "format", "meaning", "example")
    cells += [InstructionCell(row, col, word(key, lang), Look.HEADING) for col, key in enumerate(headings, start=1)]
    sections = [(INFO_SHEET, INFO_SHEET, INFO_FIELDS)] + [(s.name, s.label(lang), s.columns) for s in SHEETS]
    for sheet_name, title, columns in sections:
        row += 1
        # The section's row is silver across the table: its name, its title and what it is for.
        section = {1: (sheet_name, Look.SECTION), 2: (title, Look.SECTION), 5: (sheet_help(sheet_name, lang), Look.SECTION_HELP)}
        cells += [
            InstructionCell(row, col, *section.get(col, (None, Look.SECTION_BLANK)))
            for col in range(1, len(INSTRUCTION_WIDTHS) + 1)
        ]
        for column in columns:
            row += 1
            filled_in = sheet_name == INFO_SHEET and column.key not in CONTRIBUTOR_INFO
            values = (
                sheet_name,
                column.header(lang),
                yes_no(strategy, column.required, lang).lower(),  # in a table cell: kyllä, ei
                "" if filled_in else word(f"kinds.{column.kind}", lang),
                help_text(sheet_name, column.key, lang),
                example_value(strategy, sheet_name, column, lang),
            )
            cells += [InstructionCell(row, col, value, Look.WRAPPED) for col, value in enumerate(values, start=1)]
    return cells


def _write_instructions(
    ws: Worksheet, strategy: Strategy, organisation: str, year: int, lang: str, version: str = TEMPLATE_VERSION
) -> None:
    """Put :func:`instruction_cells` on ``ws`` in their looks; the rows below the headings scroll."""
    ws.title = instructions_sheet(lang)
    for col_index, width in enumerate(INSTRUCTION_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col_index)].width = width
    items = instruction_cells(strategy, organisation, year, lang, version)
    for item in items:
        cell = ws.cell(row=item.row, column=item.column, value=item.value)
        font, fill, alignment = _LOOKS[item.look]
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        if alignment is not None:
            cell.alignment = alignment
        if item.look is Look.RULE:
            ws.merge_cells(start_row=item.row, start_column=item.column, end_row=item.row, end_column=len(INSTRUCTION_WIDTHS))
            ws.row_dimensions[item.row].height = RULE_ROW_HEIGHT
    heading_row = next(item.row for item in items if item.look is Look.HEADING)
    ws.freeze_panes = ws.cell(row=heading_row + 1, column=1)
    ws.protection.sheet = True


def _write_info(
    wb: Workbook, ws: Worksheet, strategy: Strategy, organisation: str, year: int, lang: str, contact_role: str
) -> None:
    values = {
        "organisation": strategy.organisations.label(organisation, lang),
        "year": year,
        "contact_role": contact_role,
        "template_version": TEMPLATE_VERSION,
        "nil_return": None,
    }
    ws.column_dimensions["A"].width = 44
    ws.column_dimensions["B"].width = 52
    for row, column in enumerate(INFO_FIELDS, start=1):
        label = ws.cell(row=row, column=1, value=column.header(lang))
        label.font = Font(bold=True)
        value = ws.cell(row=row, column=2, value=values[column.key])
        if column.key in CONTRIBUTOR_INFO:  # the values the contributor fills in
            value.protection = UNLOCKED
            if column.kind == "flag":  # a checkbox-like choice: the one word, or nothing
                rule = DataValidation(type="list", formula1=f'"{yes_no(strategy, True, lang)}"', allow_blank=True)
            else:
                rule = DataValidation(
                    type="textLength", operator="lessThanOrEqual", formula1=str(CONTACT_ROLE_LIMIT), allow_blank=True
                )
            _describe(rule, column, help_text(INFO_SHEET, column.key, lang), "", lang)
            rule.add(value.coordinate)
            ws.add_data_validation(rule)
    # The intake reads these first (through the defined names): the organisation id, year and
    # template version cannot be mistyped.
    keys = [c.key for c in INFO_FIELDS]
    for key, value in (("organisation", organisation), ("year", year), ("template_version", TEMPLATE_VERSION)):
        cell = ws.cell(row=1 + keys.index(key), column=3, value=value)
        ref = f"{quote_sheetname(INFO_SHEET)}!{absolute_coordinate(cell.coordinate)}"
        wb.defined_names[INFO_NAMES[key]] = DefinedName(INFO_NAMES[key], attr_text=ref)
    ws.column_dimensions["C"].hidden = True
    _protect(ws)


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
    ws.protection.sheet = True


def _add_validation(ws: Worksheet, strategy: Strategy, sheet: str, column: Column, col_index: int, lang: str) -> None:
    """A data validation rule with an input message over the data area of one column."""
    letter = get_column_letter(col_index)
    area = f"{letter}2:{letter}{DATA_ROWS + 1}"
    blank = not column.required
    if column.kind in ("code", "codes"):
        rule = DataValidation(type="list", formula1=f"=list_{column.codes}", allow_blank=blank)
        # Several countries are typed as 'Viro; Ruotsi': the dropdown helps, the intake checks.
        rule.showErrorMessage = column.kind == "code"
    elif column.kind == "date":
        rule = DataValidation(
            type="date", operator="between", formula1=_excel_date(FIRST_DATE), formula2=_excel_date(LAST_DATE), allow_blank=blank
        )
    elif column.kind == "year":
        rule = DataValidation(
            type="whole", operator="between", formula1=str(FIRST_YEAR), formula2=str(LAST_YEAR), allow_blank=blank
        )
    elif column.kind in ("number", "integer"):
        kind = "decimal" if column.kind == "number" else "whole"
        if column.minimum is not None:
            rule = DataValidation(type=kind, operator="greaterThanOrEqual", formula1=f"{column.minimum:g}", allow_blank=blank)
        else:
            rule = DataValidation(
                type=kind, operator="between", formula1=f"{-NUMBER_LIMIT:.0E}", formula2=f"{NUMBER_LIMIT:.0E}", allow_blank=blank
            )
    else:
        rule = DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(column.text_limit), allow_blank=blank)
    _describe(rule, column, help_text(sheet, column.key, lang), example_value(strategy, sheet, column, lang), lang)
    rule.add(area)
    ws.add_data_validation(rule)


def _mark_unconfirmed(ws: Worksheet, strategy: Strategy, sheet: Sheet, lang: str) -> None:
    """Colour a row while its carried-over cell says unconfirmed (a conditional format: the colour
    goes when the contributor confirms the row)."""
    keys = [column.key for column in sheet.columns]
    if CARRIED_OVER not in keys:
        return
    letter = get_column_letter(keys.index(CARRIED_OVER) + 1)
    label = strategy.codes(CARRIED_OVER).label(UNCONFIRMED, lang).replace('"', '""')
    area = f"A2:{get_column_letter(len(keys))}{DATA_ROWS + 1}"
    ws.conditional_formatting.add(area, FormulaRule(formula=[f'${letter}2="{label}"'], fill=UNCONFIRMED_FILL))


def _excel_date(date: dt.date) -> str:
    """A date as an Excel formula: ``DATE(1950,1,1)``."""
    return f"DATE({date.year},{date.month},{date.day})"


def _describe(rule: DataValidation, column: Column, meaning: str, example: str, lang: str) -> None:
    """The input message shown when a cell is selected, and the error message of a wrong value."""
    kind = word(f"kinds.{column.kind}", lang)
    need = word("required" if column.required else "optional", lang)
    prompt = f"{need}. {kind}. {meaning}"
    if example and len(prompt) + len(example) + 12 <= PROMPT_LIMIT:
        prompt += f" {word('example', lang)}: {example}"
    rule.showInputMessage = True
    rule.promptTitle = column.label(lang)[:PROMPT_TITLE_LIMIT]
    rule.prompt = prompt[:PROMPT_LIMIT]
    rule.errorTitle = word("error_title", lang)
    rule.error = f"{kind}. {meaning}"[:PROMPT_LIMIT]
    rule.errorStyle = "stop"


def _cell_value(strategy: Strategy, column: Column, value: Any, lang: str) -> Any:
    if value is None or value == "":
        return None
    if column.kind == "code":
        return strategy.codes(column.code_list).label(value, lang)
    if column.kind == "codes":
        items = value if isinstance(value, (list, tuple)) else [value]
        return "; ".join(strategy.codes(column.code_list).label(v, lang) for v in items)
    if column.kind == "date" and isinstance(value, dt.datetime):
        return value.date()
    return value
