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
    :class:`NotebookFailed` if a cell fails. With ``workers``, one of them runs it; else this
    process does (its working folder changes meanwhile)."""
    check_parameters(notebook, parameters)
    output.parent.mkdir(parents=True, exist_ok=True)
    if workers is None:
        failure = execute(str(notebook), str(output), parameters, str(cwd))
    else:
        failure = workers.run(str(notebook), str(output), parameters, str(cwd))
    if failure:
        raise NotebookFailed(notebook.stem, output, failure)
    return output


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
    """Up to ``count`` processes forked from this one that run notebooks (:func:`execute`),
    started only when :meth:`start` is called — the intake calls it when it runs (new data
    almost always means the notebooks run), so a run in which nothing changed forks none."""

    def __init__(self, count: int):
        self._count = max(1, count)
        self._pool: ProcessPoolExecutor | None = None

    def start(self) -> None:
        """Fork the workers now (from this thread, which must be the run's main thread: a worker
        is killed when the thread that forked it ends) and let them warm up while this process
        goes on."""
        if self._pool is not None:
            return
        # Forked before the report's modules are imported here: the workers import them while
        # this process reads the workbooks (measured: sharing the imported pages across the fork
        # saved no memory, as Python's reference counts soon copy the pages, and cost the run
        # half a second before the intake).
        self._pool = ProcessPoolExecutor(
            self._count, mp_context=multiprocessing.get_context("fork"), initializer=_warm_up, initargs=(os.getpid(),)
        )
        # A fork-context pool forks all its workers at the first task, each then warms up.
        self._pool.submit(_ready)

    def run(self, notebook: str, output: str, parameters: dict[str, Any], cwd: str) -> str | None:
        """:func:`execute` in a worker; why it failed, or None. A worker that died (killed, out of
        memory) fails the notebook."""
        self.start()
        assert self._pool is not None
        try:
            return self._pool.submit(execute, notebook, output, parameters, cwd).result()
        except BrokenProcessPool:
            return "the process running the notebook ended unexpectedly"

    def close(self) -> None:
        """Stop the workers (those still running a notebook are waited for)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


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
