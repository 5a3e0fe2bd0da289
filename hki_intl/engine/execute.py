"""Run the report notebooks with papermill: strict parameters, in processes forked for them.

papermill injects the parameters and writes the executed notebook; its engine
(:mod:`hki_intl.engine.inprocess`) runs the cells in the process it is called in. The run
forks :class:`NotebookWorkers` from its own process when the intake starts: each imports the
report's modules and starts vl-convert's JavaScript engine while the workbooks are read, then
runs notebooks one after another (the goal notebooks side by side, one per worker).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from hki_intl import PROJECT_ROOT
from hki_intl.engine.children import die_with_parent
from hki_intl.errors import NotebookFailed, PipelineError
from hki_intl.messages import Message, joined

# What a worker imports before its first notebook comes: the notebooks' own imports
# (tests/engine/test_execute.py checks that they exist). Measured: a notebook's imports and
# first chart take about 1 s in a cold process.
WARM_MODULES = (
    "hki_intl.report.chapters",
    "hki_intl.report.scraps",
    "hki_intl.engine.inprocess",
    "scrapbook",
    "altair",
    "vl_convert",
)

logging.getLogger("papermill").setLevel(logging.WARNING)


class NotebookParameterError(PipelineError):
    """The parameters given to a notebook do not match the ones it declares."""

    exit_code = 3


def check_parameters(notebook: Path, supplied: dict[str, Any]) -> None:
    """Fail when a parameter is unknown to the notebook or one it declares is not given.

    papermill itself only logs a warning for an unknown parameter and silently keeps the
    notebook's default for a missing one.
    """
    import papermill  # here: a run that reuses every notebook does not import it

    declared = set(papermill.inspect_notebook(str(notebook)))
    unknown, missing = sorted(set(supplied) - declared), sorted(declared - set(supplied))
    if unknown or missing:
        details = [
            *([Message("notebook.unknown_parameters", names=", ".join(unknown))] if unknown else []),
            *([Message("notebook.missing_parameters", names=", ".join(missing))] if missing else []),
        ]
        raise NotebookParameterError(
            Message("notebook.parameters", notebook=str(notebook), details=joined(details), declared=", ".join(sorted(declared)))
        )


def run_notebook(
    notebook: Path,
    output: Path,
    parameters: dict[str, Any],
    cwd: Path = PROJECT_ROOT,
    workers: NotebookWorkers | None = None,
) -> Path:
    """Execute ``notebook`` into ``output`` with its working folder ``cwd``; raise
    :class:`NotebookParameterError` if the parameters do not match the notebook's, and
    :class:`NotebookFailed` if a cell fails. With ``workers``, one of them checks and runs it (so
    this process never imports papermill); else this process does (its working folder changes
    meanwhile)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    if workers is None:
        failure = checked_execute(str(notebook), str(output), parameters, str(cwd))
    else:
        failure = workers.run(str(notebook), str(output), parameters, str(cwd))
    if isinstance(failure, NotebookParameterError):
        raise failure
    if failure:
        raise NotebookFailed(notebook.stem, output, failure)
    return output


def checked_execute(notebook: str, output: str, parameters: dict[str, Any], cwd: str) -> str | NotebookParameterError | None:
    """:func:`check_parameters`, then :func:`execute`: what failed (the parameters' error is
    returned, not raised, as it crosses back from a worker), or None."""
    try:
        check_parameters(Path(notebook), parameters)
    except NotebookParameterError as exc:
        return exc
    return execute(notebook, output, parameters, cwd)


def execute(notebook: str, output: str, parameters: dict[str, Any], cwd: str) -> str | None:
    """Run one notebook here (in a worker: its task); why it failed, or None. The reason is a
    string, as exceptions of papermill do not cross process boundaries."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from hki_intl.engine.inprocess import ENGINE

    notebook, output = os.path.abspath(notebook), os.path.abspath(output)  # as given, before the folder changes
    here = os.getcwd()
    os.chdir(cwd)
    try:
        papermill.execute_notebook(notebook, output, parameters=parameters, engine_name=ENGINE, progress_bar=False)
    except PapermillExecutionError as exc:
        return _one_line(f"{exc.ename}: {exc.evalue}")
    finally:
        os.chdir(here)
    return None


class NotebookWorkers:
    """Up to ``count`` processes forked from this one that run notebooks (:func:`checked_execute`),
    one at a time each, started only when :meth:`start` is called — the intake calls it when it
    runs (new data almost always means the notebooks run), so a run in which nothing changed
    forks none.

    A worker that finishes a notebook when no other is expected (:meth:`expect`) while another
    worker is still busy is stopped at once: the rest is done by the busy one, and the memory
    of a worker (about 250 MB with the report's data and charts) is not held through the last
    goal notebook and the summary, when one worker is enough."""

    def __init__(self, count: int):
        self._count = max(1, count)
        self._pools: list[ProcessPoolExecutor] = []  # one process each
        self._idle: queue.SimpleQueue[ProcessPoolExecutor] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._expected = 0  # notebooks announced and not yet given to a worker
        self._busy = 0

    def start(self) -> None:
        """Fork the workers now (from this thread, which must be the run's main thread: a worker
        is killed when the thread that forked it ends) and let them warm up while this process
        goes on."""
        if self._pools:
            return
        # Forked before the report's modules are imported here: the workers import them while
        # this process reads the workbooks (measured: sharing the imported pages across the fork
        # saved no memory, as Python's reference counts soon copy the pages, and cost the run
        # half a second before the intake).
        for _ in range(self._count):
            pool = ProcessPoolExecutor(
                1, mp_context=multiprocessing.get_context("fork"), initializer=_warm_up, initargs=(os.getpid(),)
            )
            pool.submit(_ready)  # a fork-context pool forks its process at the first task, which then warms up
            self._pools.append(pool)
            self._idle.put(pool)

    def expect(self, count: int) -> None:
        """``count`` more notebooks are about to be given to :meth:`run` (from as many threads as
        there are workers, or fewer): until they have all been given, no worker is stopped."""
        with self._lock:
            self._expected += count

    def run(self, notebook: str, output: str, parameters: dict[str, Any], cwd: str) -> str | NotebookParameterError | None:
        """:func:`checked_execute` in a free worker (waiting for one); what failed, or None. A
        worker that died (killed, out of memory) fails the notebook."""
        self.start()
        pool = self._idle.get()
        with self._lock:
            self._expected = max(0, self._expected - 1)
            self._busy += 1
        try:
            return pool.submit(checked_execute, notebook, output, parameters, cwd).result()
        except BrokenProcessPool:
            return "the process running the notebook ended unexpectedly"
        finally:
            with self._lock:
                self._busy -= 1
                spare = self._expected == 0 and self._busy > 0  # nothing more to come, and a busy worker remains
            if spare:
                pool.shutdown(wait=False)  # idle: its process ends now
            else:
                self._idle.put(pool)

    def close(self) -> None:
        """Stop the workers (those still running a notebook are waited for)."""
        for pool in self._pools:
            pool.shutdown(wait=True, cancel_futures=True)
        self._pools = []
        self._idle = queue.SimpleQueue()


def _import_report_modules() -> bool:
    """Import the report's modules; whether all could be (a module that fails to import only
    leaves the notebook to import it, and fail there)."""
    import importlib

    try:
        for name in WARM_MODULES:
            importlib.import_module(name)
    except ImportError:
        return False
    return True


def _warm_up(run: int) -> None:
    """A worker's first second: it ends with the run (process ``run``), the report's modules are
    imported and the chart renderer started (its JavaScript engine cannot be shared across a fork)."""
    die_with_parent(run)
    if _import_report_modules():
        import vl_convert

        vl_convert.vegalite_to_svg({"mark": "point"})


def _ready() -> None:
    """The task that makes the pool fork its workers."""


def _one_line(text: str, limit: int = 300) -> str:
    """An exception message as one line of reasonable length (the full one is in the notebook)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
