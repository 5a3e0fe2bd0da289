"""Where the collection of a year stands (``pipeline.py status``), for the analyst who chases the
workbooks: per expected organisation and per file of ``<inputs>/<year>/``, whether a workbook came
and in what state, and what changed since the last status of that year and folder.

The states, in the order the list shows them:

- ``not_received``: an organisation that ``params/strategy.yaml`` expects for the year sent no file;
- ``errors``: the file is left out of the report until it is fixed; its count is the number of
  lines ``validate`` prints for it;
- ``findings_only``: the workbook is accepted, with warnings (values that are not read, an
  untouched template) or findings (breaches of the strategy's rules), or both, counted apart;
- ``clean``: accepted, with neither.

Within a state: by organisation id, then file name; files that name no known organisation last.
The intake decides every state (:func:`hki_intl.engine.runner.check_inputs`, the checks of
``validate``) and :func:`hki_intl.workbook.feedback.collection` the lines (those of the feedback
summary).

The last status is remembered in ``<inputs>/.status/<year>.json``: outside the year's folder, so
the intake never reads it; written atomically; each file's sha256 and state. The next status
compares with it: new files, replaced files (other bytes), removed files, and files whose state
changed with the same bytes (the params, or another file, changed). The workbooks are only read.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Final, Literal
from zoneinfo import ZoneInfo

from openpyxl.workbook import Workbook
from pydantic import BaseModel, ConfigDict, ValidationError

from hki_intl.config.params import Settings, Strategy
from hki_intl.engine.fingerprint import sha256_file
from hki_intl.errors import UsageError, collapse, one_line
from hki_intl.intake.read import IntakeResult, ReadOne, Submission, read_submission
from hki_intl.messages import Message, joined, language_in_use, text
from hki_intl.workbook.excel import workbook_bytes, write_atomically
from hki_intl.workbook.feedback import Received, collection, table_sheet
from hki_intl.workbook.ledger import Ledger

VERSION: Final = 1  # of the JSON document and the state file; raised when their structure changes
TOOL: Final = "hki_intl"
STATE_FOLDER = ".status"
HELSINKI = ZoneInfo("Europe/Helsinki")
FORMATS = ("text", "xlsx", "json")

State = Literal["not_received", "errors", "findings_only", "clean"]
NOT_RECEIVED: Final = "not_received"
ERRORS: Final = "errors"
FINDINGS_ONLY: Final = "findings_only"
CLEAN: Final = "clean"
STATES: tuple[State, ...] = (NOT_RECEIVED, ERRORS, FINDINGS_ONLY, CLEAN)  # the order of the list
ChangeKind = Literal["new", "replaced", "removed", "state_changed"]
NEW: Final = "new"
REPLACED: Final = "replaced"
REMOVED: Final = "removed"
STATE_CHANGED: Final = "state_changed"

# The words people read, by their keys in params/messages.yaml (the JSON keeps the ids above).
STATE_WORDS = {
    NOT_RECEIVED: "status.state.not_received",
    ERRORS: "status.state.errors",
    FINDINGS_ONLY: "status.state.findings_only",
    CLEAN: "status.state.clean",
}
CONTENT_WORDS = {"nil_return": "status.content.nil_return", "empty": "status.content.empty"}  # data: nothing to say
CHANGE_WORDS = {
    NEW: "status.change.new",
    REPLACED: "status.change.replaced",
    REMOVED: "status.change.removed",
    STATE_CHANGED: "status.change.state_changed",
}


class Entry(BaseModel):
    """One line of the status: an expected organisation without a file (``file`` None), or a file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    state: State
    organisation: str | None  # its id; None for a file that names no known organisation
    name: str | None  # the organisation's name in Finnish (what is shown is in the language in use)
    file: str | None  # the file's name in the year's folder
    modified: str | None  # the file's modification time, ISO 8601 in Helsinki time
    template_version: str | None  # from the workbook's info sheet, as the intake reads it
    sha256: str | None
    content: Literal["data", "nil_return", "empty"] | None  # of an accepted workbook
    errors: int | None
    warnings: int | None
    findings: int | None  # None when the workbook is left out (its rules are not checked)


class Change(BaseModel):
    """A file that came, was replaced or removed, or whose state changed since the last status."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    change: ChangeKind
    file: str
    before: Entry | None
    after: Entry | None


class Status(BaseModel):
    """The ``--format json`` document (``version`` 1): the counts, the entries in the list's
    order, the warnings about files that are not workbooks (photos no workbook names), and the
    changes since the last status (``previous`` None and ``changes`` None: the first status)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int = VERSION
    year: int
    folder: str
    expected: int  # organisations expected for the year
    counts: dict[State, int]  # entries per state
    entries: list[Entry]
    other_warnings: int
    previous: str | None  # when the last status was taken (its record's time, Helsinki)
    changes: list[Change] | None


class StateFile(BaseModel):
    """``<inputs>/.status/<year>.json``: the entries of the last status."""

    model_config = ConfigDict(extra="forbid")

    tool: Literal["hki_intl"]
    kind: Literal["status"]
    version: Literal[1]
    year: int
    entries: list[Entry]


def report_status(
    inputs: Path, year: int, strategy: Strategy, settings: Settings, output: str = "text", out: Path | None = None
) -> str:
    """Take the status of ``<inputs>/<year>/``, compare it with the last one, remember it, write
    ``out`` if asked, and return what to print. Misuse is refused before the workbooks are read."""
    state_path = Path(inputs) / STATE_FOLDER / f"{year}.json"
    ledger = _check_out(output, out, Path(inputs), year, state_path)
    last = read_last_status(state_path, year)
    result, entries = inputs_status(inputs, year, strategy, settings)
    listed = {Path(line.file).name for line in entries if line.file}
    status = Status(
        year=year,
        folder=str(Path(inputs) / str(year)),
        expected=len(strategy.organisations_in(year)),
        counts={state: sum(1 for e in entries if e.state == state) for state in STATES},
        entries=entries,
        other_warnings=sum(1 for p in result.warnings if Path(p.file).name not in listed),
        previous=_helsinki(state_path.stat().st_mtime) if last is not None else None,
        changes=changes(last, entries) if last is not None else None,
    )
    rendered = {"text": lambda: status_text(status, strategy).encode(), "json": lambda: status_json(status).encode()}
    data = workbook_bytes(status_workbook(status, strategy)) if output == "xlsx" else rendered[output]()
    if ledger is not None and out is not None:
        ledger.write(out, data)
    remember(state_path, year, entries)
    if out is None:
        return data.decode().rstrip("\n")
    return f"{headline(status)}.\n{text('status.written', out=str(out))}"


def inputs_status(inputs: Path, year: int, strategy: Strategy, settings: Settings) -> tuple[IntakeResult, list[Entry]]:
    """The year's folder read and checked as ``validate`` does, and its entries (nothing remembered)."""
    from hki_intl.engine.runner import check_inputs

    versions: dict[Path, str] = {}
    result = check_inputs(inputs, year, strategy, settings, _recording_versions(versions))
    return result, status_entries(collection(result, year, strategy), strategy, versions)


def status_entries(lines: list[Received], strategy: Strategy, versions: dict[Path, str]) -> list[Entry]:
    """One entry per line of the collection, in the list's order: by state, then (as
    :func:`collection` orders them) by organisation id and file name."""
    entries = [_entry(line, strategy, versions) for line in lines]
    return sorted(entries, key=lambda e: STATES.index(e.state))  # stable: the collection's order within a state


def _entry(line: Received, strategy: Strategy, versions: dict[Path, str]) -> Entry:
    name = strategy.organisations.label(line.organisation, "fi") if line.organisation else None
    if line.path is None:
        return Entry(
            state=NOT_RECEIVED,
            organisation=line.organisation,
            name=name,
            file=None,
            modified=None,
            template_version=None,
            sha256=None,
            content=None,
            errors=None,
            warnings=None,
            findings=None,
        )
    errors, warnings = len(collapse(line.errors)), len(collapse(line.warnings))  # as validate prints them
    accepted = line.submission is not None
    return Entry(
        state=ERRORS if errors else FINDINGS_ONLY if warnings or line.findings else CLEAN,
        organisation=line.organisation or None,
        name=name,
        file=line.path.name,
        modified=_helsinki(line.path.stat().st_mtime),
        template_version=versions.get(line.path) or None,
        sha256=sha256_file(line.path),
        content=line.submission.status if line.submission is not None else None,  # type: ignore[arg-type]
        errors=errors,
        warnings=warnings,
        findings=line.findings if accepted else None,
    )


def _recording_versions(versions: dict[Path, str]) -> ReadOne:
    """The intake's reader, noting each workbook's template version (also of one left out)."""

    def read(path: Path, year: int, strategy: Strategy, settings: Settings) -> tuple[Submission | None, list]:
        submission, problems = read_submission(path, year, strategy, settings)
        if submission is not None:
            versions[path] = submission.template_version
        return submission, problems

    return read


def _helsinki(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, HELSINKI).isoformat(timespec="seconds")


# --- the last status ------------------------------------------------------------------------------


def read_last_status(path: Path, year: int) -> list[Entry] | None:
    """The entries of the last status (None: there was none). A file there that is not a status
    record of ``year`` written by this command is refused (it would be overwritten)."""
    if not os.path.lexists(path):
        return None
    try:
        if path.is_symlink() or not path.is_file():
            raise ValueError
        record = StateFile.model_validate(json.loads(path.read_text(encoding="utf-8")))
        if record.year != year:
            raise ValueError
    except (OSError, ValueError, ValidationError):
        raise UsageError(Message("status.not_ours", path=str(path))) from None
    return record.entries


def remember(path: Path, year: int, entries: list[Entry]) -> None:
    """Write the status record atomically (a half-written one would be refused next time)."""
    record = StateFile(tool=TOOL, kind="status", version=VERSION, year=year, entries=entries)
    try:
        write_atomically(path, (json.dumps(record.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n").encode())
    except OSError as error:
        reason = error.strerror or os.strerror(error.errno or 0)
        raise UsageError(Message("status.cannot_keep", path=str(path), reason=reason)) from None


def changes(before: list[Entry], after: list[Entry]) -> list[Change]:
    """New, replaced and changed files in the order of the list, then the removed ones in the
    order of the last status's list. Files are matched by name; replaced means other bytes."""
    old = {e.file: e for e in before if e.file}
    now = {e.file for e in after if e.file}
    found: list[Change] = []
    for entry in after:
        if entry.file is None:
            continue
        was = old.get(entry.file)
        if was is None:
            found.append(Change(change=NEW, file=entry.file, before=None, after=entry))
        elif was.sha256 != entry.sha256:
            found.append(Change(change=REPLACED, file=entry.file, before=was, after=entry))
        elif _verdict(was) != _verdict(entry):
            found.append(Change(change=STATE_CHANGED, file=entry.file, before=was, after=entry))
    found += [Change(change=REMOVED, file=e.file, before=e, after=None) for e in before if e.file and e.file not in now]
    return found


def _verdict(entry: Entry) -> tuple:
    return entry.state, entry.errors, entry.warnings, entry.findings, entry.content


# --- --out ----------------------------------------------------------------------------------------


def _check_out(output: str, out: Path | None, inputs: Path, year: int, state_path: Path) -> Ledger | None:
    """Refuse, before anything is read or written: an xlsx without ``--out``, an ``--out`` that
    the intake would read as a workbook or that is the status record, and an existing file that
    this command did not write (or that was changed since); the ledger of ``--out``'s folder
    records what it wrote (:mod:`hki_intl.workbook.ledger`)."""
    if out is None:
        if output == "xlsx":
            raise UsageError(Message("status.xlsx_needs_out"))
        return None
    out = Path(out)
    if output == "xlsx" and out.suffix.lower() != ".xlsx":
        raise UsageError(Message("status.xlsx_name", out=str(out)))
    where = out.resolve().parent
    if where == (inputs / str(year)).resolve() or out.resolve() == state_path.resolve():
        raise UsageError(Message("status.out_in_inputs", out=str(out), year=year, folder=str(inputs / str(year))))
    ledger = Ledger.open(out.parent, "--out")
    ledger.check([out])
    return ledger


# --- what is shown --------------------------------------------------------------------------------
# In the language in use (status --lang, --messages or report.yaml's messages; Finnish by default),
# the organisations by their names in it; the JSON keeps the ids and the Finnish name.


def state_words(entry: Entry) -> str:
    """``not received``, ``errors (2)``, ``findings only (1 warning, 4 findings)``, ``clean``;
    an accepted workbook without rows says whether it is a nil return or an empty template."""
    return state_message(entry).render()


def state_message(entry: Entry) -> Message:
    """:func:`state_words` as a message, to render in any language (the submission page's)."""
    words = Message(STATE_WORDS[entry.state])
    if entry.state == ERRORS:
        words = Message("status.counted", state=words, counts=entry.errors)
    elif entry.state == FINDINGS_ONLY:
        counted = []
        if entry.warnings:
            counted.append(_warnings(entry.warnings))
        if entry.findings:
            counted.append(Message("status.findings_one" if entry.findings == 1 else "status.findings", count=entry.findings))
        words = Message("status.counted", state=words, counts=joined(counted, ", "))
    if entry.content in CONTENT_WORDS:
        return Message("status.with_content", state=words, content=Message(CONTENT_WORDS[entry.content]))
    return words


def _warnings(count: int) -> Message:
    """``1 warning``, ``3 warnings``: the words the count line of ``validate`` uses."""
    return Message("count.warnings_word_one" if count == 1 else "count.warnings_word", count=count)


def _name(entry: Entry, strategy: Strategy) -> str:
    """The organisation's name in the language in use; a file of no known organisation says so.
    An organisation the params no longer list (a removed file's) keeps the name it was listed by."""
    if entry.organisation and strategy.organisations.get(entry.organisation):
        return strategy.organisations.label(entry.organisation, language_in_use())
    return entry.name or text("status.no_organisation")


def headline(status: Status) -> str:
    """One line: how many expected organisations sent a file, and the files per state."""
    counts = status.counts
    return text(
        "status.headline",
        folder=status.folder,
        sent=status.expected - counts[NOT_RECEIVED],
        expected=status.expected,
        year=status.year,
        errors=counts[ERRORS],
        findings_only=counts[FINDINGS_ONLY],
        clean=counts[CLEAN],
    )


def _change_line(change: Change, strategy: Strategy) -> str:
    entry = change.after or change.before
    assert entry is not None  # a change has one side at least
    word, file, name = text(CHANGE_WORDS[change.change]), change.file, _name(entry, strategy)
    before, after = (state_words(e) if e else "" for e in (change.before, change.after))
    if change.change == NEW:
        return text("status.line.new", change=word, file=file, name=name, after=after)
    if change.change == REMOVED:
        return text("status.line.removed", change=word, file=file, name=name, before=before)
    if change.change == REPLACED and before == after:
        return text("status.line.as_before", change=word, file=file, name=name, after=after)
    return text("status.line.moved", change=word, file=file, name=name, before=before, after=after)


def changes_lines(status: Status, strategy: Strategy) -> list[str]:
    if status.changes is None:
        return [text("status.first", folder=status.folder)]
    since = _short_time(status.previous)
    if not status.changes:
        return [text("status.no_changes", since=since)]
    return [text("status.changes_since", since=since), *(f"  {_change_line(c, strategy)}" for c in status.changes)]


def _short_time(iso: str | None) -> str:
    return dt.datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M") if iso else ""


TEXT_COLUMNS = (
    "status.column.state",
    "status.column.organisation",
    "status.column.file",
    "status.column.modified",
    "status.column.template_version",
)


def status_text(status: Status, strategy: Strategy) -> str:
    """The headline, one aligned line per entry (state, organisation, file, modified, template
    version), the warnings about other files, and the changes."""
    rows = [[text(key) for key in TEXT_COLUMNS]]
    rows += [
        [state_words(e), _name(e, strategy), e.file or "–", _short_time(e.modified), e.template_version or ""]
        for e in status.entries
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    table = ["  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines = [headline(status) + ".", *table]
    if status.other_warnings:
        lines.append(text("status.other_warnings", warnings=_warnings(status.other_warnings)))
    lines += changes_lines(status, strategy)
    return "\n".join(one_line(line) for line in lines) + "\n"


def status_json(status: Status) -> str:
    return json.dumps(status.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


STATUS_COLUMNS = (
    "status.column.state",
    "status.column.organisation",
    "status.column.name",
    "status.column.file",
    "status.column.modified",
    "status.column.template_version",
    "status.column.errors",
    "status.column.warnings",
    "status.column.findings",
    "status.column.note",
)
CHANGES_COLUMNS = (
    "status.column.change",
    "status.column.file",
    "status.column.name",
    "status.column.before",
    "status.column.after",
)


def status_workbook(status: Status, strategy: Strategy) -> Workbook:
    """The status as the analyst's workbook, in the feedback summary's look: a sheet of the
    entries and a sheet of the changes."""
    wb = Workbook()
    rows = [
        [
            text(STATE_WORDS[e.state]),
            e.organisation or "",
            _name(e, strategy),
            e.file or "",
            dt.datetime.fromisoformat(e.modified).replace(tzinfo=None) if e.modified else None,
            e.template_version or "",
            e.errors,
            e.warnings,
            e.findings,
            text(CONTENT_WORDS[e.content]) if e.content in CONTENT_WORDS else "",
        ]
        for e in status.entries
    ]
    columns = tuple(text(key) for key in STATUS_COLUMNS)
    table_sheet(wb.active, text("status.sheet.status"), columns, rows, (16, 26, 40, 30, 19, 16, 8, 9, 9, 16))
    for (cell,) in wb.active.iter_rows(min_row=2, min_col=5, max_col=5):
        cell.number_format = "yyyy-mm-dd hh:mm"
    changed = [
        [
            text(CHANGE_WORDS[c.change]),
            c.file,
            _name(c.after or c.before, strategy),  # type: ignore[arg-type]
            state_words(c.before) if c.before else "",
            state_words(c.after) if c.after else "",
        ]
        for c in status.changes or []
    ]
    if not changed:  # say why the sheet is empty
        changed = [[changes_lines(status, strategy)[0], "", "", "", ""]]
    columns = tuple(text(key) for key in CHANGES_COLUMNS)
    table_sheet(wb.create_sheet(), text("status.sheet.changes"), columns, changed, (16, 30, 40, 30, 30))
    for ws in wb.worksheets:  # printed (or made a PDF) on pages as wide as the table
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    return wb
