"""The intake stage: every workbook of the years compared → the consolidated tables in
``cache/tables/`` (for the notebooks) and the open data in ``data/`` (a data package).

Keyed by every workbook's bytes, the years, the params, the code, ``--allow-partial`` and the
settings. When it is reused, what it found (each input and the problems) comes from the
previous manifest, and ``--allow-partial``'s warnings are printed again. When it runs, each
workbook whose bytes (and photo files) are unchanged has its parsed result reused from the
previous output (:mod:`.intake_cache`); the checks across workbooks run over all of them.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TypeVar

from hki_intl.engine.children import die_with_parent
from hki_intl.engine.execute import NotebookWorkers
from hki_intl.engine.fingerprint import code_fingerprint, params_fingerprint, sha256_file
from hki_intl.engine.intake_cache import CACHE, IntakeCache, context
from hki_intl.engine.manifest import InputFile, Manifest, settings_record
from hki_intl.engine.progress import Progress
from hki_intl.engine.stages import Build, Stage, StageLoop
from hki_intl.errors import InputErrors, Problem, collapse, count_line
from hki_intl.intake.open_data import Source, write_open_data
from hki_intl.intake.read import IntakeResult, Submission, load_submissions, photo_paths, workbook_paths
from hki_intl.intake.tables import TABLES, consolidate, write_photos, write_tables
from hki_intl.messages import Message, language_in_use, text

Log = Callable[[str], None]
OPEN_DATA = "data"  # the published folder: the open data package
T = TypeVar("T")


@dataclass(frozen=True)
class IntakeOutcome:
    """What the intake found: each input file (accepted or not) and the problems, collapsed."""

    inputs: list[InputFile]
    problems: list[Problem]


def intake_inputs(build: Build, files: list[InputFile], years: list[int]) -> dict[str, object]:
    """What the intake's key is made of (the photo files beside the workbooks too)."""
    inputs = build.options.inputs
    photos = [(str(p), sha256_file(p)) for y in years for p in photo_paths(inputs, y)]
    return dict(
        inputs=[(f.path, f.sha256) for f in files],
        photos=photos,
        years=years,
        params=params_fingerprint(build.params_dir),
        code=code_fingerprint(),
        allow_partial=build.options.allow_partial,
        settings=settings_record(build.settings),
        messages=language_in_use(),  # cache/tables/problems.csv is in the analyst's language
    )


def run_intake(build: Build, loop: StageLoop, workers: NotebookWorkers, warn: Log) -> IntakeOutcome:
    """Run (or reuse) the intake; what it found."""
    inputs = build.options.inputs
    years = [y for y in build.settings.years if (inputs / str(y)).is_dir()]
    files = [InputFile(str(p), sha256_file(p), int(p.parent.name)) for y in years for p in workbook_paths(inputs, y)]
    previous = loop.previous.files if loop.previous else {}
    hashes = {f.path: f.sha256 for f in files}
    cache = IntakeCache(loop.out_dir, build.folder, previous, context(build.params_dir, build.settings), hashes)
    work = ReadWorkbooks(build, years, files, workers, loop.progress, warn, cache)
    if loop.run(Stage("intake", intake_inputs(build, files, years), (OPEN_DATA, TABLES, CACHE), work)):
        return _as_before(loop.previous or Manifest(), warn)
    return work.found


@dataclass
class ReadWorkbooks:
    """The intake's work: read and check the workbooks (through ``cache``), write the consolidated
    tables. It first forks the notebooks' workers (they import the report's modules while the
    workbooks are read)."""

    build: Build
    years: list[int]
    files: list[InputFile]
    workers: NotebookWorkers
    progress: Progress
    warn: Log
    cache: IntakeCache
    found: IntakeOutcome = field(default_factory=lambda: IntakeOutcome([], []))

    def __call__(self) -> None:
        inputs, settings = self.build.options.inputs, self.build.settings
        self.progress.message(text("run.reading", years=", ".join(map(str, self.years)), folder=str(inputs)))
        # The intake runs in a process of its own, forked before the notebooks' workers (so no
        # thread of this process is copied into it): the memory its reading takes (a few hundred
        # MB for 20 times the example) is given back when it ends, not carried by this process
        # through the notebooks.
        read = in_own_process(self.read, meanwhile=self.workers.start)
        if read.problems:
            warn_partial(read.problems, read.rejected, self.warn)
        if not read.has_report_year:
            raise InputErrors([Problem(str(inputs / str(settings.year)), message=Message("run.no_workbooks"))])
        self.cache.reused |= read.reused
        self.found = IntakeOutcome(read.inputs, read.problems)

    def read(self) -> Read:
        """Read and check the workbooks; write the consolidated tables if the report year has any."""
        inputs, settings = self.build.options.inputs, self.build.settings
        found = read_in_parallel(self.cache, [(y, p) for y in self.years for p in workbook_paths(inputs, y)], self.build)
        result = load_submissions(inputs, self.years, self.build.strategy, settings, lambda path, year, *_: found[(path, year)])
        if result.problems and not self.build.options.allow_partial:
            raise InputErrors(result.all_problems)
        has_year = any(s.year == settings.year for s in result.submissions)
        if has_year:
            tables = consolidate(result)
            build, sources = self.build, self.sources(result)

            def complete_tables() -> None:
                write_tables(tables, build.folder / TABLES)
                write_photos(result, build.folder / TABLES)

            # Two files of every table, each CSV written by pandas in one thread: the open data in a
            # process forked for it, the complete tables here (the notebooks' workers are waiting).
            in_own_process(
                lambda: write_open_data(
                    tables, build.folder / OPEN_DATA, settings.year, sources, build.strategy, build.params_dir
                ),
                meanwhile=complete_tables,
            )
        return Read(
            _accepted(self.files, result, self.cache.reused),
            collapse(result.all_problems),
            set(result.rejected),
            has_year,
            set(self.cache.reused),
        )

    def sources(self, result: IntakeResult) -> list[Source]:
        """The accepted workbooks, by file and hash: the open data's sources."""
        hashes = {f.path: f.sha256 for f in self.files}
        return [
            Source(s.organisation, s.year, s.path.name, hashes.get(str(s.path)) or sha256_file(s.path))
            for s in result.submissions
        ]


Found = tuple[Submission | None, list[Problem]]


def read_in_parallel(cache: IntakeCache, workbooks: list[tuple[int, Path]], build: Build) -> dict[tuple[Path, int], Found]:
    """Each workbook read and checked (or reused) through ``cache``, by ``jobs`` processes forked
    from this one, the largest workbooks first; what each found by (path, year). The checks
    across workbooks are left to :func:`load_submissions`, over all of them."""
    global _READING
    jobs = min(build.options.jobs, len(workbooks))
    _READING = (cache, build)  # the workers have it from the fork (the params are not pickled per workbook)
    try:
        if jobs < 2:
            return {(path, year): _read_one(year, path)[:2] for year, path in workbooks}
        largest_first = sorted(workbooks, key=lambda item: -item[1].stat().st_size)
        found: dict[tuple[Path, int], Found] = {}
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(jobs, mp_context=context, initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
            years, paths = zip(*largest_first, strict=True)
            for year, path, (submission, problems, reused) in zip(years, paths, pool.map(_read_one, years, paths), strict=True):
                found[(path, year)] = (submission, problems)
                if reused:
                    cache.reused.add(str(path))
        return found
    finally:
        _READING = None


_READING: tuple[IntakeCache, Build] | None = None


def _read_one(year: int, path: Path) -> tuple[Submission | None, list[Problem], bool]:
    """One workbook through the cache (in a worker): what it found, and whether it was reused."""
    assert _READING is not None
    cache, build = _READING
    submission, problems = cache.read(path, year, build.strategy, build.settings)
    return submission, problems, str(path) in cache.reused


@dataclass(frozen=True)
class Read:
    """What the intake's process found (small: it crosses back to the run's process)."""

    inputs: list[InputFile]
    problems: list[Problem]
    rejected: set[str]
    has_report_year: bool
    reused: set[str]


def in_own_process(work: Callable[[], T], meanwhile: Callable[[], object] = lambda: None) -> T:
    """``work()`` done in a process forked for it, ``meanwhile()`` here while it runs; its result,
    or the exception it raised, raised here. Nothing is printed there (a warning comes back as
    data): what the run says, it says from this process."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    # not a daemon: it forks the workers that read the workbooks (it dies with the run all the same)
    child = context.Process(target=_answer, args=(work, send, os.getpid()))
    child.start()
    send.close()
    try:
        meanwhile()
        try:
            kind, value = receive.recv()
        except EOFError:
            child.join()
            raise RuntimeError(f"the intake's process ended unexpectedly (exit status {child.exitcode})") from None
    finally:
        receive.close()
        child.join()
    if kind == "raised":
        raise value
    return value


def _answer(work: Callable[[], object], send: Connection, run: int) -> None:
    """The forked process (it ends with the run, process ``run``): send ``work()``'s result, or
    what it raised."""
    die_with_parent(run)
    try:
        answer: tuple[str, object] = ("returned", work())
    except BaseException as exc:  # every exception goes back to the run, which decides
        answer = ("raised", exc)
    try:
        send.send(answer)
    except Exception as exc:  # an exception that cannot cross: its type and message do
        send.send(("raised", RuntimeError(f"{type(answer[1]).__name__}: {answer[1]} ({exc})")))
    finally:
        send.close()


def warn_partial(problems: list[Problem], files: set[str], warn: Log) -> None:
    """``--allow-partial``: every problem as a warning line; the workbooks with problems are
    left out, and ``cache/tables/problems.csv`` (the report's data-quality part) names them and why."""
    for problem in sorted(problems):
        warn(str(problem))
    names = sorted(Path(f).name for f in files)
    if not names:  # warnings only: every workbook is in the report
        warn(count_line(problems))
        return
    count = len(problems)
    found = Message("count.problems_word_one" if count == 1 else "count.problems_word", count=count)
    key = "run.partial_one" if len(names) == 1 else "run.partial"
    warn(text(key, problems=found, count=len(names), files=", ".join(names)))


def _accepted(files: list[InputFile], result: IntakeResult, reused: set[str]) -> list[InputFile]:
    """Each input file with whether it is in the report, its organisation and template version,
    and whether its parsed result was reused."""
    submissions = {str(s.path): s for s in result.submissions}
    return [replace(_with(f, submissions.get(f.path)), reused=f.path in reused) for f in files]


def _with(file: InputFile, submission: Submission | None) -> InputFile:
    if submission is None:
        return replace(file, accepted=False)
    return replace(file, accepted=True, organisation=submission.organisation, template_version=submission.template_version)


def _as_before(previous: Manifest, warn: Log) -> IntakeOutcome:
    """A reused intake found what it found last time (its warnings are printed again); no
    workbook was read."""
    if previous.problems:
        warn_partial(previous.problems, {p.file for p in previous.problems if p.is_error}, warn)
    return IntakeOutcome([replace(f, reused=True) for f in previous.inputs], previous.problems)
