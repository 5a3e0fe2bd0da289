"""A stage of the run, and the one loop that runs stages.

A stage declares its name, the named parts of what it reads (its key is their hash), its
outputs (relative to the build folder) and its work. The loop decides for each stage: when the
previous run had the same key for it and its recorded outputs are unchanged in ``OUT``, it
copies them into the build folder (reused); otherwise it does the work. Either way it times the
stage, records it for the manifest and tells the progress display.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from hki_intl.config.params import Settings, Strategy
from hki_intl.engine.children import die_with_parent
from hki_intl.engine.fingerprint import combine, sha256_file
from hki_intl.engine.manifest import Manifest, StageRecord
from hki_intl.engine.options import RunOptions
from hki_intl.engine.outputs import is_checkpoint
from hki_intl.engine.progress import Progress
from hki_intl.intake.analyst import AnalystWords


@dataclass(frozen=True)
class Build:
    """What every stage of one run reads: the options, the params they name (read once), the
    folder the run builds in and the analyst's words (read and checked before the intake)."""

    options: RunOptions
    settings: Settings
    strategy: Strategy
    folder: Path
    words: AnalystWords = field(default_factory=AnalystWords)

    @cached_property
    def params_dir(self) -> Path:
        """The params folder as an absolute path (the notebooks run in another folder)."""
        return Path(self.options.params_dir).resolve()


@dataclass(frozen=True)
class Stage:
    """One step of the run. ``inputs``: the named parts of what it reads; its key is their hash.
    ``outputs``: the files or folders it writes, relative to the build folder. ``work``: writes them."""

    name: str
    inputs: Mapping[str, object]
    outputs: tuple[str, ...]
    work: Callable[[], object]

    @cached_property
    def key(self) -> str:
        return combine(**self.inputs)


class StageLoop:
    """Runs stages into ``build``, reusing what the run that made ``out_dir`` (``previous``)
    left there; :attr:`records` lists every stage for the manifest."""

    def __init__(self, build: Path, out_dir: Path, previous: Manifest | None, progress: Progress):
        self.build, self.out_dir, self.previous, self.progress = build, out_dir, previous, progress
        self.records: list[StageRecord] = []
        self._lock = threading.Lock()

    def run(self, stage: Stage) -> bool:
        """Reuse ``stage`` or do its work; whether it was reused."""
        if self.reuse(stage):
            return True
        self.execute(stage)
        return False

    def pending(self, stages: Iterable[Stage]) -> list[Stage]:
        """Reuse every stage that can be; the others, still to run."""
        return [stage for stage in stages if not self.reuse(stage)]

    def reuse(self, stage: Stage) -> bool:
        """Copy the stage's outputs from ``out_dir`` if they are still what its key made."""
        sources = self._unchanged_outputs(stage)
        if sources is None:
            return False
        for path in sources:
            target = self.build / path.relative_to(self.out_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        now = _now()
        self._record(stage, now, now, cached=True)
        return True

    def execute(self, stage: Stage) -> None:
        """Do the stage's work here (in this thread), timed."""
        self.progress.start(stage.name)
        started = _now()
        stage.work()
        self._record(stage, started, _now(), cached=False)

    def execute_in(self, pool: Executor, stages: list[Stage]) -> None:
        """Do the stages' work in ``pool``'s threads, each timed where it runs; the first
        failure (in the stages' order) is raised once all have ended."""
        futures = [pool.submit(self.execute, stage) for stage in stages]
        for future in futures:
            future.result()

    def execute_forked(self, stages: Iterable[Stage], workers: int, meanwhile: Iterable[Stage] = ()) -> None:
        """Do the stages' work in ``workers`` processes forked from this one (CPU-bound Python
        such as WeasyPrint's layout runs in parallel there, with the modules this process has
        imported), and the ``meanwhile`` stages here while they run. ``stages`` may be made as
        they are taken (each is submitted at once); each is timed from the start of all until
        its result is in."""
        started = _now()
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=die_with_parent,
            initargs=(os.getpid(),),
        ) as pool:
            futures = []
            for stage in stages:
                self.progress.start(stage.name)
                futures.append((stage, pool.submit(stage.work)))
            for stage in meanwhile:
                self.execute(stage)
            for stage, future in futures:
                future.result()
                self._record(stage, started, _now(), cached=False)

    def _unchanged_outputs(self, stage: Stage) -> list[Path] | None:
        """The files of the stage's outputs in ``out_dir``, if the previous run had the same key
        for it and recorded exactly these bytes; else None (never reuse a stale result)."""
        if self.previous is None or self.previous.stage_key(stage.name) != stage.key:
            return None
        sources = []
        for output in stage.outputs:
            files = _files_of(self.out_dir / output)
            if not files or any(self.previous.files.get(p.relative_to(self.out_dir).as_posix()) != sha256_file(p) for p in files):
                return None
            sources += files
        return sources

    def _record(self, stage: Stage, start: dt.datetime, end: dt.datetime, cached: bool) -> None:
        with self._lock:
            self.records.append(StageRecord.timed(stage.name, stage.key, start, end, cached))
        self.progress.done(stage.name, cached=cached)


def _files_of(output: Path) -> list[Path]:
    """An output file, or every file in an output folder but Jupyter's checkpoints (an analyst
    who opened a notebook in place changed nothing the run made)."""
    if output.is_file():
        return [output]
    return sorted(p for p in output.rglob("*") if p.is_file() and not is_checkpoint(p.relative_to(output).as_posix()))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
