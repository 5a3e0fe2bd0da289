"""Checking one uploaded workbook for the submission page: the contributor gets exactly what
``validate`` and ``validate --feedback`` give the analyst for that workbook, in seconds.

The upload's bytes are written to a temporary folder laid out as the intake expects,
``<tmp>/<year>/<organisation>.xlsx`` (the name made from the organisation's id, never from the
name the browser sent), with the photo files of the inputs folder's year beside it (a
workbook's highlights name them), and the intake of ``validate`` reads it
(:func:`hki_intl.engine.runner.check_inputs`): the same hostile-file checks, the same problems,
the same cells. The problems are kept as ``validate`` prints them (:func:`~hki_intl.errors.collapse`:
a formula copied down a thousand rows is one problem); the annotated copy marks every cell, in
the workbook's own language, as ``validate --feedback`` writes it.

Bounds: an upload over :data:`MAX_UPLOAD_BYTES` is refused before anything is written. The
check runs in a worker process (:class:`Checker` keeps a few, started with ``forkserver`` so that
none is forked from the web's threads, with the intake imported once); a check past its time
limit kills its worker, a new one is started, and the caller gets one problem saying so. A
worker that dies mid-check does not hang the caller: it gets one problem, and a new worker.
A worker is started without the server's main module (a ``forkserver`` child would import it
first): it needs only this package, so any host can run a checker — a script read from standard
input, a notebook, a test process.

The signatures the web and the store use::

    Checker(params_dir, year, *, time_limit=30.0, workers=2, inputs_dir=None).check(data, organisation) -> Checked
    Checked.to_json() -> str                       # what the store keeps as Version.problems_json
    problems_to_json(problems, rows=None) -> str   # problems (and records per sheet) as JSON
    problems_from_json(text) -> list[Problem]      # lossless; rows_from_json(text) -> dict[str, int]
    grouped(problems, lang) -> list[SheetGroup]    # by sheet in the template's order, file-level first
    version_changes(before, after, lang) -> list[str]  # before/after: anything with number and problems_json

The records per sheet travel inside the same JSON document as the problems, so a stored version
(``Version.problems_json``) carries what :func:`version_changes` compares.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import queue
import shutil
import sys
import tempfile
import threading
import traceback
import types
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, Protocol

from hki_intl.config.params import LANGUAGES, Settings, Strategy, load_settings, load_strategy
from hki_intl.errors import WARNING, Problem, collapse
from hki_intl.intake.photos import Photo
from hki_intl.messages import Message, Words
from hki_intl.workbook.excel import MB
from hki_intl.workbook.schema import INFO_SHEET, SHEETS

# The example's workbooks, photos pasted in, are 50-120 KB; a filled one with a few pasted
# photos (each scaled by the intake anyway) stays within a few MB. The command line allows 50 MB
# on disk (hki_intl.workbook.excel.MAX_FILE_MB): a web upload is bounded tighter, before it is read.
MAX_UPLOAD_BYTES = 10 * MB
TIME_LIMIT = 30.0  # seconds for one check: the example's workbooks take well under one
START_LIMIT = 120.0  # seconds for a new worker to import the intake and read the params
PRELOAD = ["hki_intl.engine.runner", "hki_intl.intake.read", "hki_intl.workbook.feedback"]
SHEET_ORDER = {name: n for n, name in enumerate([INFO_SHEET, *(sheet.name for sheet in SHEETS)])}
FORMAT = 1  # of the JSON document problems_to_json writes


@dataclass(frozen=True)
class Checked:
    """What checking one upload found."""

    problems: list[Problem]  # errors and warnings as validate prints them, each at the file <organisation>.xlsx
    errors: int
    warnings: int
    organisation_read: str | None  # what the info sheet says (else the page's organisation); None: not a workbook
    rows: dict[str, int] = field(default_factory=dict)  # records per data sheet (the sheet's name), in the template's order
    # the annotated copy, as validate --feedback writes it; None if nothing to mark or not a workbook
    annotated: bytes | None = None

    def to_json(self) -> str:
        """The problems and the records per sheet, as the store keeps them (``problems_json``)."""
        return problems_to_json(self.problems, self.rows)


def refused(organisation: str, message: Message) -> Checked:
    """An upload refused as a whole (too big, too slow, the check failed): one file-level problem."""
    return Checked([Problem(f"{organisation}.xlsx", message=message)], 1, 0, None)


# --- the check itself (in a worker process) --------------------------------------------------------


def check_upload(
    data: bytes, organisation: str, year: int, strategy: Strategy, settings: Settings, inputs_dir: Path | None = None
) -> Checked:
    """Check ``data`` as the workbook of ``organisation`` for ``year``, as ``validate`` would in
    ``<inputs>/<year>/<organisation>.xlsx``. Nothing is left behind (a temporary folder)."""
    from hki_intl.engine.runner import check_inputs
    from hki_intl.intake.read import Submission, read_submission

    if organisation not in strategy.organisations.ids:  # the caller's organisation, never the user's text
        raise ValueError(f"unknown organisation {organisation!r}")
    with tempfile.TemporaryDirectory(prefix="hki-check-") as tmp:
        folder = Path(tmp) / str(year)
        folder.mkdir()
        path = folder / f"{organisation}.xlsx"
        path.write_bytes(data)
        _copy_photos(inputs_dir, year, folder)
        read: list[Submission | None] = []

        def read_one(p: Path, y: int, s: Strategy, st: Settings) -> tuple[Submission | None, list[Problem]]:
            submission, found = read_submission(p, y, s, st)
            if p == path:
                read.append(submission)
            return submission, found

        result = check_inputs(Path(tmp), year, strategy, settings, read_one)
        submission = read[0] if read else None
        every = [_as_uploaded(p, path.name, organisation, strategy) for p in result.all_problems if p.file == str(path)]
        annotated = _annotated(path, every) if submission is not None and every else None
    shown = collapse(every)
    errors = sum(1 for p in shown if p.is_error)
    rows = {s.name: len(submission.tables[s.table]) for s in SHEETS if s.table in submission.tables} if submission else {}
    return Checked(shown, errors, len(shown) - errors, submission.organisation if submission else None, rows, annotated)


def _copy_photos(inputs_dir: Path | None, year: int, folder: Path) -> None:
    """The year's photo files beside the upload, as they will be beside it once it is accepted
    (regular files only; a hard link where it can be, else a copy)."""
    from hki_intl.intake.read import photo_paths

    if inputs_dir is None:
        return
    for photo in photo_paths(inputs_dir, year):
        if photo.is_symlink():
            continue
        try:
            os.link(photo, folder / photo.name)
        except OSError:
            shutil.copyfile(photo, folder / photo.name)


def _as_uploaded(problem: Problem, name: str, organisation: str, strategy: Strategy) -> Problem:
    """The problem at the file's name, not the temporary path; an info sheet naming another
    organisation or year says what to do on the page (the intake's advice is to rename or move
    the file, which a contributor on the page cannot do)."""
    message = problem.message
    if isinstance(message, Message) and message.key == "info.organisation_mismatch":
        said = dict(message.values)["value"]
        message = Message(
            "check.organisation_mismatch", value=said, named=_name(strategy, str(said)), page=_name(strategy, organisation)
        )
    elif isinstance(message, Message) and message.key == "info.year_mismatch":
        values = dict(message.values)
        message = Message("check.year_mismatch", value=values["value"], year=values["folder"])
    elif isinstance(message, Message):
        message = _without_photo_names(message)
    return replace(problem, file=name, message=message)


def _without_photo_names(message: Message) -> Message:
    """A missing photo file (also inside the message of its cell): the intake lists the photo
    files beside the workbook, which here are the other organisations'; say what to do instead."""
    if message.key == "photo.not_beside":
        return Message("check.photo_not_here")  # inside the cell's message, which names the file
    values = {name: _without_photo_names(v) if isinstance(v, Message) else v for name, v in message.values}
    return Message(message.key, **values)


def _name(strategy: Strategy, organisation: str) -> Words:
    return Words(*(strategy.organisations.label(organisation, lang) for lang in LANGUAGES))


def _annotated(path: Path, problems: list[Problem]) -> bytes | None:
    """The annotated copy (every problem's cell marked), or None when openpyxl cannot open the file
    (``validate --feedback`` then writes no copy either: the problem list says why)."""
    import openpyxl

    from hki_intl.workbook.excel import workbook_bytes
    from hki_intl.workbook.feedback import annotated_workbook

    try:
        openpyxl.load_workbook(path, read_only=True).close()
    except Exception:  # openpyxl raises many kinds for files it cannot read
        return None
    return workbook_bytes(annotated_workbook(path, problems))


# --- the worker processes --------------------------------------------------------------------------


class _Ready:
    """A new worker has imported the intake and read the params."""


class _Crashed:
    """The check raised (a bug of ours, not the contributor's; the worker printed its traceback)."""


def _serve(conn: Connection, params_dir: Path, year: int, inputs_dir: Path | None) -> None:
    """A worker: check what comes through ``conn`` until it closes (the checker is gone)."""
    from hki_intl.engine.children import die_with_parent

    die_with_parent(os.getppid())  # the forkserver, which ends with the web's process
    strategy = load_strategy(params_dir)
    settings = load_settings(params_dir).with_overrides(year=year)
    conn.send(_Ready())
    while True:
        try:
            data, organisation = conn.recv()
        except (EOFError, OSError):
            return
        try:
            outcome: Checked | _Crashed = check_upload(data, organisation, year, strategy, settings, inputs_dir)
        except Exception:
            traceback.print_exc(file=sys.stderr)  # for whoever runs the server
            outcome = _Crashed()
        conn.send(outcome)


class _Lost(Exception):
    """The worker did not answer in time, or died."""

    def __init__(self, message: Message):
        super().__init__(message.key)
        self.message = message


_STARTING = threading.Lock()


@contextmanager
def _without_main_module() -> Iterator[None]:
    """Start a worker without the server's main module: a ``forkserver`` child would import it
    first (the worker needs only this package), and some hosts leave a main module that cannot
    be imported or described (a script read from standard input; IPython's, in a notebook or
    in a test process). One start at a time, so another thread never sees the stand-in."""
    with _STARTING:
        main = sys.modules["__main__"]
        stand_in = types.ModuleType("__main__")  # no file, no spec: nothing for the child to import
        sys.modules["__main__"] = stand_in
        try:
            yield
        finally:
            sys.modules["__main__"] = main


class _Worker:
    """One worker process and its end of the pipe."""

    def __init__(self, context: Any, params_dir: Path, year: int, inputs_dir: Path | None) -> None:
        self.conn, theirs = context.Pipe()
        self.process: BaseProcess = context.Process(
            target=_serve, args=(theirs, params_dir, year, inputs_dir), name="hki-check", daemon=True
        )
        with _without_main_module():
            self.process.start()
        theirs.close()
        self.ready = False

    def check(self, data: bytes, organisation: str, time_limit: float) -> Checked | _Crashed:
        if not self.ready:
            self._answer(START_LIMIT, Message("check.failed"))
            self.ready = True
        try:
            self.conn.send((data, organisation))
        except (OSError, ValueError):
            raise _Lost(Message("check.failed")) from None
        answer = self._answer(time_limit, Message("check.too_long", seconds=_decimal(time_limit, 1)))
        if not isinstance(answer, (Checked, _Crashed)):
            raise _Lost(Message("check.failed"))
        return answer

    def _answer(self, limit: float, late: Message) -> Any:
        try:
            if not self.conn.poll(limit):
                raise _Lost(late)
            return self.conn.recv()
        except (EOFError, OSError):
            raise _Lost(Message("check.failed")) from None

    def stop(self) -> None:
        self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)


def _decimal(value: float, scale: float) -> Words:
    """``value / scale`` with one decimal, as each language writes it (``1,5`` in fi and sv)."""
    written = f"{value / scale:.1f}"
    return Words(written.replace(".", ","), written.replace(".", ","), written)


class Checker:
    """Checks uploads in ``workers`` processes, each check bounded by ``time_limit`` seconds;
    :meth:`check` is blocking and thread-safe (a caller waits for a free worker). ``inputs_dir``:
    the inputs folder whose year's photo files a workbook's highlights may name."""

    def __init__(
        self, params_dir: Path, year: int, *, time_limit: float = TIME_LIMIT, workers: int = 2, inputs_dir: Path | None = None
    ) -> None:
        self.params_dir, self.year, self.time_limit = Path(params_dir), year, time_limit
        self.inputs_dir = Path(inputs_dir) if inputs_dir is not None else None
        self.organisations = set(load_strategy(self.params_dir).organisations.ids)
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(PRELOAD)  # a no-op when the forkserver already runs
        self._lock = threading.Lock()
        self._workers: set[_Worker] = set()
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._closed = False
        for _ in range(max(1, workers)):
            self._idle.put(self._start())

    def check(self, data: bytes, organisation: str) -> Checked:
        """Check one upload for ``organisation`` (an id the caller knows, never the user's text)."""
        if organisation not in self.organisations:
            raise ValueError(f"unknown organisation {organisation!r}")
        if len(data) > MAX_UPLOAD_BYTES:
            size, limit = _decimal(len(data), MB), _decimal(MAX_UPLOAD_BYTES, MB)
            return refused(organisation, Message("check.too_big", size=size, limit=limit))
        worker = self._take()
        try:
            answer = worker.check(data, organisation, self.time_limit)
        except _Lost as lost:
            self._replace(worker)
            return refused(organisation, lost.message)
        except BaseException:
            self._replace(worker)
            raise
        self._idle.put(worker)
        if isinstance(answer, _Crashed):  # the worker printed its traceback for whoever runs the server
            return refused(organisation, Message("check.failed"))
        return answer

    def close(self) -> None:
        """Stop every worker (a check in progress gets the problem 'could not be checked')."""
        with self._lock:
            self._closed = True
            workers = list(self._workers)
            self._workers.clear()
        for worker in workers:
            worker.stop()

    def __enter__(self) -> Checker:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _take(self) -> _Worker:
        """A free worker, when one is (after :meth:`close`: RuntimeError, never a wait for ever)."""
        while True:
            if self._closed:
                raise RuntimeError("the checker is closed")
            try:
                return self._idle.get(timeout=0.5)
            except queue.Empty:
                continue

    def _start(self) -> _Worker:
        with self._lock:
            if self._closed:
                raise RuntimeError("the checker is closed")
            worker = _Worker(self._context, self.params_dir, self.year, self.inputs_dir)
            self._workers.add(worker)
            return worker

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` and put a new one in its place (the next check waits for it to start)."""
        worker.stop()
        with self._lock:
            self._workers.discard(worker)
            if self._closed:
                return
        self._idle.put(self._start())


# --- problems for people: grouped by sheet, as JSON, the changes between versions ------------------


@dataclass(frozen=True)
class ShownProblem:
    cell: str | None
    severity: str  # "error" | "warning"
    text: str  # what is wrong and how to fix it, in the language asked


@dataclass(frozen=True)
class SheetGroup:
    sheet: str | None  # None: the file as a whole
    problems: list[ShownProblem]


def grouped(problems: list[Problem], lang: str) -> list[SheetGroup]:
    """The problems as ``validate`` prints them, by sheet: the file as a whole first, then the
    template's sheets in its order, then any other sheet by name; within a sheet, by cell."""
    groups: dict[str, list[ShownProblem]] = {}
    for problem in collapse(problems):  # sorted: by sheet, then row, column and cell
        shown = ShownProblem(problem.cell or None, problem.severity, problem.text(lang))
        groups.setdefault(problem.sheet, []).append(shown)
    return [SheetGroup(sheet or None, listed) for sheet, listed in sorted(groups.items(), key=lambda item: _sheet_order(item[0]))]


def _sheet_order(sheet: str) -> tuple[int, int, str]:
    if not sheet:
        return (0, 0, "")
    if sheet in SHEET_ORDER:
        return (1, SHEET_ORDER[sheet], "")
    return (2, 0, sheet)


def problems_to_json(problems: list[Problem], rows: dict[str, int] | None = None) -> str:
    """The problems (by message key and values, as the intake cache keeps them: any language
    later) and the records per sheet, as one JSON document."""
    from hki_intl.intake import stored

    document = {"format": FORMAT, "intake": stored.encode(None, problems, _no_photo), "rows": dict(rows or {})}
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def problems_from_json(text: str) -> list[Problem]:
    """What :func:`problems_to_json` wrote, back, equal to what it was given. Raises ValueError
    for a text it did not write."""
    from hki_intl.intake import stored

    try:
        return stored.decode(_document(text)["intake"], Path(), _no_photo_bytes)[1]
    except (KeyError, TypeError, stored.NotStorable) as exc:
        raise ValueError(f"not a stored check: {exc}") from None


def rows_from_json(text: str) -> dict[str, int]:
    """The records per sheet that :func:`problems_to_json` kept (empty if none were given)."""
    rows = _document(text).get("rows")
    if not isinstance(rows, dict) or not all(isinstance(k, str) and type(v) is int for k, v in rows.items()):
        raise ValueError("not a stored check: rows")
    return rows


def _document(text: str) -> dict[str, Any]:
    document = json.loads(text)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError("not a stored check of this format")
    return document


def _no_photo(_: Any) -> str:
    raise KeyError("a check stores no photos")  # a submission's photos: problems_to_json is given none


def _no_photo_bytes(_: str) -> Photo:
    raise KeyError("a check stores no photos")


class StoredCheck(Protocol):
    """What :func:`version_changes` reads of a version (the store's ``Version`` has it)."""

    @property
    def number(self) -> int: ...

    @property
    def problems_json(self) -> str: ...


def version_changes(before: StoredCheck, after: StoredCheck, lang: str) -> list[str]:
    """What changed from ``before`` to ``after``, in ``lang``: the counts, each problem resolved
    and each that appeared (as ``validate`` prints them), and the records of each sheet that changed."""
    old, new = problems_from_json(before.problems_json), problems_from_json(after.problems_json)
    lines = [Message("check.changes.title", before=before.number, after=after.number).render(lang)]
    lines.append(Message("check.changes.counts", **_counts(old, "before"), **_counts(new, "after")).render(lang))
    gone, came = _differing(old, new), _differing(new, old)
    lines += [Message("check.changes.resolved", problem=_line(p)).render(lang) for p in gone]
    lines += [Message("check.changes.appeared", problem=_line(p)).render(lang) for p in came]
    rows_before, rows_after = rows_from_json(before.problems_json), rows_from_json(after.problems_json)
    sheets = sorted({*rows_before, *rows_after}, key=_sheet_order)
    changed = [(s, rows_before.get(s, 0), rows_after.get(s, 0)) for s in sheets if rows_before.get(s, 0) != rows_after.get(s, 0)]
    lines += [Message("check.changes.rows", sheet=s, before=b, after=a).render(lang) for s, b, a in changed]
    if not (gone or came or changed):
        lines.append(Message("check.changes.none").render(lang))
    return lines


def _counts(problems: list[Problem], when: str) -> dict[str, int]:
    errors = sum(1 for p in collapse(problems) if p.is_error)
    return {f"errors_{when}": errors, f"warnings_{when}": len(collapse(problems)) - errors}


def _differing(these: list[Problem], others: list[Problem]) -> list[Problem]:
    """The problems of ``these`` that ``others`` do not have (the same message at the same place)."""
    known = {_identity(p) for p in collapse(others)}
    return [p for p in collapse(these) if _identity(p) not in known]


def _identity(problem: Problem) -> tuple:
    return (problem.sheet, problem.cell, problem.severity, problem.message)


def _line(problem: Problem) -> Message:
    """``Toiminnot!B2: …`` in the message's language; a warning says it is one."""
    said = Message("problem.warning", message=problem.message) if problem.severity == WARNING else problem.message
    if problem.cell:
        return Message("check.changes.at", where=f"{problem.sheet}!{problem.cell}", problem=said)
    if problem.sheet:
        return Message("check.changes.at", where=problem.sheet, problem=said)
    return Message("check.changes.whole", problem=said)


__all__ = [
    "MAX_UPLOAD_BYTES",
    "Checked",
    "Checker",
    "SheetGroup",
    "ShownProblem",
    "grouped",
    "problems_from_json",
    "problems_to_json",
    "rows_from_json",
    "version_changes",
]
