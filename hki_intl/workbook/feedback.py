"""Feedback for contributors and a summary for the analyst (``pipeline.py validate --feedback DIR``).

For each workbook with problems, a copy is written to ``DIR/<year>/<file>``: every bad cell is
highlighted and carries a comment saying what to fix, and a first sheet lists the problems
with links to their cells. The copy is made from the original's bytes; the original is only
read, and the contributor's values are kept as they were (only fills, comments, the list
sheet and the visibility of hidden columns or rows that hold a bad cell change).

The analyst's summary, ``DIR/summary-<year>.xlsx``, lists every expected organisation and
every file: clean, with how many errors, or not received, and how many findings (breaches of the
strategy's rules, from :func:`hki_intl.analysis.findings`) each accepted workbook has. It speaks
the analyst's language (the language in use), in the words of ``status``'s workbook.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import quote_sheetname
from openpyxl.utils.cell import coordinate_from_string
from openpyxl.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink

from hki_intl.config.params import LANGUAGES, Strategy
from hki_intl.errors import ERROR, WARNING, Problem, UsageError
from hki_intl.intake.read import IntakeResult, Submission
from hki_intl.messages import Message, language_in_use, text
from hki_intl.workbook.excel import NotAWorkbook, append_row, inspect_workbook, set_text, workbook_bytes
from hki_intl.workbook.ledger import Ledger
from hki_intl.workbook.schema import INFO_FIELDS, INFO_SHEET
from hki_intl.workbook.template import HEADER_FILL, HEADER_FONT
from hki_intl.workbook.words import words

PROBLEM_FILL = PatternFill("solid", fgColor="FFE977")  # HDS engel: black text on it is 17:1
PROBLEM_BORDER = Border(*(Side(style="medium", color="BD2719"),) * 4)  # HDS brick, so colour is not the only cue
LINK_FONT = Font(color="0000BF", underline="single")  # HDS bus
AUTHOR = "hki_intl"
FILTER_BUTTON = 3  # characters of a column's width that its header's filter button covers
NOT_COUNTED = {"organisation_did_not_submit"}  # shown as the status 'not received' instead

# The copy speaks the workbook's language: the list sheet's words (params/workbook.yaml, under
# feedback) and the messages in its comments and list (params/messages.yaml). The summary speaks
# the analyst's: its words are keys of params/messages.yaml, those of status's workbook where
# they mean the same.
STATUS_CLEAN, STATUS_ERRORS, STATUS_MISSING = "status.state.clean", "status.state.errors", "status.state.not_received"
# An accepted workbook without rows: a stated nil return, or an untouched template (perhaps sent by mistake).
STATUS_OF_SUBMISSION = {"data": STATUS_CLEAN, "nil_return": "status.content.nil_return", "empty": "status.content.empty"}
SUMMARY_COLUMNS = (
    "status.column.organisation",
    "status.column.name",
    "status.column.file",
    "feedback.column.status",
    "status.column.errors",
    "status.column.warnings",
    "status.column.findings",
)
PROBLEM_COLUMNS = (
    "status.column.file",
    "feedback.column.sheet",
    "feedback.column.cell",
    "feedback.column.severity",
    "feedback.column.message",
)
SEVERITY_WORDS = {ERROR: "feedback.severity.error", WARNING: "feedback.severity.warning"}
# The findings' columns (hki_intl.report.analysis.FINDING_COLUMNS) by their headers.
FINDING_HEADERS = {
    "rule": "feedback.column.rule",
    "organisation": "status.column.organisation",
    "item": "feedback.column.item",
    "source_file": "feedback.column.source_file",
    "source_row": "feedback.column.source_row",
}


@dataclass
class FeedbackResult:
    copies: list[Path]  # one annotated copy per workbook with problems (that could be opened)
    summary: Path


def write_feedback(result: IntakeResult, year: int, out_dir: Path, strategy: Strategy) -> FeedbackResult:
    """Annotated copies of the workbooks of ``year`` that have problems, and the analyst's summary.

    Every file is planned before any is written: the command writes nothing if one of them
    would replace an input workbook, or a file this tool did not write or that was changed
    since (:mod:`hki_intl.ledger`), such as a copy a contributor already fixed."""
    out_dir = Path(out_dir)
    inputs = [Path(f) for f in result.rejected] + [s.path for s in result.submissions]
    by_file: dict[str, list[Problem]] = {}
    for problem in result.all_problems:  # errors and warnings, never collapsed: each cell is marked
        by_file.setdefault(problem.file, []).append(problem)
    copies = [
        (Path(file), problems, out_dir / str(year) / Path(file).name)
        for file, problems in sorted(by_file.items())
        if Path(file).suffix.lower() == ".xlsx" and _opens(Path(file))
    ]  # else the summary says why
    summary = out_dir / f"summary-{year}.xlsx"
    targets = [target for _, _, target in copies] + [summary]
    for target in targets:
        _check_not_an_input(target, inputs)
    ledger = Ledger.open(out_dir, "--feedback")
    ledger.check(targets)
    written = [ledger.write(target, workbook_bytes(annotated_workbook(source, problems))) for source, problems, target in copies]
    ledger.write(summary, workbook_bytes(summary_workbook(result, year, strategy)))
    return FeedbackResult(written, summary)


def annotated_workbook(source: Path, problems: list[Problem]) -> Workbook:
    """``source`` with each problem cell highlighted and commented, and a first sheet that
    lists the problems with links. ``source`` is only read (from its bytes)."""
    wb = _load_keeping_pictures(source.read_bytes())
    lang = workbook_language(wb)
    by_cell: dict[tuple[str, str], list[str]] = {}
    for problem in problems:
        if problem.cell and problem.sheet in wb.sheetnames:
            first = problem.cell.split(":")[0]  # a region: the comment goes on its first cell
            by_cell.setdefault((problem.sheet, first), []).append(_message(problem, lang))
            if ":" in problem.cell:
                _mark_region(wb[problem.sheet], problem.cell)
    for (sheet, ref), messages in by_cell.items():
        ws = wb[sheet]
        cell = ws[ref]
        cell.fill, cell.border = PROBLEM_FILL, PROBLEM_BORDER
        text = "\n".join(f"• {m}" for m in messages)
        if cell.comment is not None:  # keep the contributor's own comment
            text = f"{cell.comment.text}\n\n{text}"
        cell.comment = Comment(text, AUTHOR, width=360, height=max(100, 60 * len(messages)))
        letter, row = coordinate_from_string(ref)
        ws.column_dimensions[letter].hidden = False  # a bad value in a hidden cell must be seen
        ws.row_dimensions[row].hidden = False
    _add_list_sheet(wb, problems, source.name, lang)
    return wb


def _load_keeping_pictures(data: bytes) -> Workbook:
    """The workbook with its pasted pictures, which openpyxl opens with Pillow; a picture Pillow
    refuses (a decompression bomb: the intake named it at its cell) makes a copy without pictures."""
    import warnings
    from unittest import mock

    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return openpyxl.load_workbook(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        with mock.patch("openpyxl.reader.excel.find_images", return_value=([], [])):
            return openpyxl.load_workbook(io.BytesIO(data))


def _message(problem: Problem, lang: str) -> str:
    """What is wrong, in the workbook's language ``lang``; a warning says so."""
    return Message("problem.warning", message=problem.message).render(lang) if not problem.is_error else problem.text(lang)


MAX_MARKED = 5_000  # cells of one region highlighted (a region is at most 10,000 × 50 cells)


def _mark_region(ws, ref: str) -> None:
    """Highlight the non-empty cells of a region that a problem names (a column not read)."""
    marked = 0
    for row in ws[ref]:
        for cell in row:
            if cell.value is not None and marked < MAX_MARKED:
                cell.fill, cell.border = PROBLEM_FILL, PROBLEM_BORDER
                marked += 1


def workbook_language(wb: Workbook) -> str:
    """The template language, from the info sheet's labels in column A (Finnish if unknown). Every
    label counts: one alone may be the same in two languages (Organisation in Swedish and English)."""
    if INFO_SHEET not in wb.sheetnames:
        return "fi"
    labels = {str(row[0].value or "").strip() for row in wb[INFO_SHEET].iter_rows(max_col=1)}
    matches = {lang: sum(1 for f in INFO_FIELDS if labels & {f.header(lang), f.label(lang)}) for lang in LANGUAGES}
    best = max(LANGUAGES, key=lambda lang: matches[lang])  # the first of equals: Finnish before the others
    return best if matches[best] else "fi"


def _add_list_sheet(wb: Workbook, problems: list[Problem], file_name: str, lang: str) -> None:
    said = words().feedback
    title = said.list_sheet[lang]
    while title in wb.sheetnames:
        title += "+"
    ws = wb.create_sheet(title, 0)
    set_text(ws["A1"], said.title[lang].format(count=len(problems), file=file_name))
    ws["A1"].font = Font(bold=True)
    ws.merge_cells("A1:D1")
    ws["A1"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[1].height = 45
    headers = (said.number[lang], said.sheet[lang], said.cell[lang], said.what_to_fix[lang])
    for col, header in enumerate(headers, start=1):
        cell = ws.cell(row=3, column=col, value=header)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for letter, width in zip("ABCD", (6, 16, 10, 110), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A4"
    for n, problem in enumerate(sorted(problems), start=1):
        row = 3 + n
        ws.cell(row=row, column=1, value=n)
        set_text(ws.cell(row=row, column=2), problem.sheet or said.whole_workbook[lang])
        target = problem.cell or (f"A{problem.row}" if problem.row else "")
        if problem.sheet in wb.sheetnames and target:
            link = ws.cell(row=row, column=3, value=problem.cell or target)
            link.hyperlink = Hyperlink(
                ref=link.coordinate, location=f"{quote_sheetname(problem.sheet)}!{target}", display=link.value
            )
            link.font = LINK_FONT
        message = ws.cell(row=row, column=4)
        set_text(message, _message(problem, lang))
        message.alignment = Alignment(wrap_text=True, vertical="top")
    for sheet in wb.worksheets:  # open on the list, with no other sheet selected with it
        sheet.sheet_view.tabSelected = sheet is ws
    wb.active = 0


@dataclass(frozen=True)
class Received:
    """One line of a year's collection: a file in the year's folder (an expected organisation's
    workbook, or a file that names no known organisation), or an expected organisation from
    which nothing came (``path`` is None)."""

    organisation: str  # its id; "" for a file that names no known organisation
    path: Path | None
    submission: Submission | None  # the accepted workbook (None: nothing came, or it has errors)
    errors: list[Problem]
    warnings: list[Problem]
    findings: int  # breaches of the strategy's rules in an accepted workbook


def collection(result: IntakeResult, year: int, strategy: Strategy, findings: pd.DataFrame | None = None) -> list[Received]:
    """Every file of ``year`` and every expected organisation without one (those that
    ``params/strategy.yaml`` lists for the year), by organisation id, then file name; files of
    unknown organisations last. A file whose name is an organisation's id claims it even if the
    file cannot be read, so the organisation is not also listed as missing. ``findings``: those of
    :func:`accepted_findings`, when the caller has them already."""
    findings = accepted_findings(result, year, strategy) if findings is None else findings
    per_org = Counter(findings["organisation"]) if len(findings) else Counter()
    warnings: dict[str, list[Problem]] = {}
    for problem in result.warnings:
        warnings.setdefault(problem.file, []).append(problem)
    lines = [
        Received(s.organisation, s.path, s, [], warnings.get(str(s.path), []), per_org.get(s.organisation, 0))
        for s in result.submissions
        if s.year == year
    ]
    for file, problems in result.rejected.items():
        org = Path(file).stem.strip().casefold()
        known = org if org in strategy.organisations.ids else ""
        lines.append(Received(known, Path(file), None, problems, warnings.get(file, []), 0))
    claimed = {line.organisation for line in lines}
    lines += [Received(org, None, None, [], [], 0) for org in strategy.organisations_in(year) if org not in claimed]
    return sorted(lines, key=lambda line: (line.organisation or "~", line.path.name if line.path else ""))


def summary_workbook(result: IntakeResult, year: int, strategy: Strategy) -> Workbook:
    """One row per file of ``year`` and per expected organisation without a file, then the
    problems and the findings, for the analyst: in the language in use, the organisations by
    their names in it; ids, file names, sheet names and what workbooks hold stay as they are."""
    findings = accepted_findings(result, year, strategy)
    lang = language_in_use()
    rows: list[list] = []
    for line in collection(result, year, strategy, findings):
        org = line.organisation
        name = strategy.organisations.label(org, lang) if org else ""
        if line.path is None:
            rows.append([org, name, "", text(STATUS_MISSING), None, None, None])
        elif line.submission is not None:
            status = text(STATUS_OF_SUBMISSION[line.submission.status])
            rows.append([org, name, line.path.name, status, 0, len(line.warnings), line.findings])
        else:
            rows.append([org, name, line.path.name, text(STATUS_ERRORS), len(line.errors), len(line.warnings), None])
    wb = Workbook()
    table_sheet(wb.active, text("feedback.sheet.summary"), _headers(SUMMARY_COLUMNS), rows, (26, 44, 28, 20, 8, 9, 9))
    listed = [[Path(p.file).name, p.sheet, p.cell, text(SEVERITY_WORDS[p.severity]), p.text()] for p in result.all_problems]
    problems_sheet = wb.create_sheet()
    table_sheet(problems_sheet, text("feedback.sheet.problems"), _headers(PROBLEM_COLUMNS), listed, (28, 16, 8, 9, 120))
    found = findings.values.tolist() if len(findings) else []
    columns = _headers(tuple(FINDING_HEADERS[column] for column in findings.columns))
    table_sheet(wb.create_sheet(), text("feedback.sheet.findings"), columns, found, (30, 26, 50, 28, 10))
    return wb


def _headers(keys: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(text(key) for key in keys)


def table_sheet(ws, title: str, columns: tuple[str, ...], rows: list[list], widths: tuple[int, ...]) -> None:
    """``ws`` as the analyst's table: a styled header row, the rows, column widths, the header
    frozen and a filter on every column. A column is at least as wide as its header and the
    filter's button: a header is longer in one language than in another (``allvarlighetsgrad``)."""
    ws.title = title
    ws.append(list(columns))
    for cell in ws[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for row in rows:
        append_row(ws, row)  # text from workbooks is stored as text, never as a formula
    for index, (header, width) in enumerate(zip(columns, widths, strict=True), start=1):
        ws.column_dimensions[openpyxl.utils.get_column_letter(index)].width = max(width, len(header) + FILTER_BUTTON)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions


def accepted_findings(result: IntakeResult, year: int, strategy: Strategy) -> pd.DataFrame:
    """The findings of the accepted workbooks of ``year`` (computed by :mod:`hki_intl.analysis`),
    without the rule 'did not submit' (the status 'missing' says it)."""
    from hki_intl.intake.tables import consolidate
    from hki_intl.report.analysis import findings

    accepted = IntakeResult([s for s in result.submissions if s.year == year], [], {})
    frame = findings(consolidate(accepted), year, strategy)
    return frame[~frame["rule"].isin(NOT_COUNTED)].reset_index(drop=True)


def _opens(path: Path) -> bool:
    """Whether openpyxl may open ``path``: it passes the intake's checks (size, zip bomb, entity
    declarations, sheet extent) and openpyxl reads it."""
    try:
        inspect_workbook(path)
    except NotAWorkbook:
        return False
    try:
        openpyxl.load_workbook(io.BytesIO(path.read_bytes()), read_only=True).close()
    except Exception:  # openpyxl raises many kinds for files it cannot read; the problem list says why
        return False
    return True


def _check_not_an_input(target: Path, inputs: list[Path]) -> None:
    """Never write over a contributor's workbook (``--feedback`` pointing at the inputs folder)."""
    resolved = target.resolve()
    if any(resolved == Path(p).resolve() for p in inputs):
        raise UsageError(Message("feedback.over_input", target=str(target)))
