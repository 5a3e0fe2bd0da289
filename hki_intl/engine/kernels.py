"""Run the report notebooks with papermill: strict parameters, retried kernel starts.

Known faults of this stack, measured on our machines, handled here: papermill's default
kernel shutdown sometimes stalls for seconds (``shutdown_kernel="immediate"`` avoids it), and
kernels started in parallel occasionally collide on a port ("Kernel died before replying to
kernel_info"), so a failed *start* is retried (tenacity, at most ``START_ATTEMPTS`` times, at
once). A failure inside a cell is never retried.
"""

from __future__ import annotations

import logging
import os
import queue
import subprocess
import threading
from pathlib import Path
from typing import Any

import papermill
from papermill.exceptions import PapermillExecutionError
from tenacity import Retrying, retry, retry_if_exception, stop_after_attempt

from hki_intl import PROJECT_ROOT
from hki_intl.errors import NotebookFailed, PipelineError

KERNEL = "python3"
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]
START_ATTEMPTS = 3
START_FAILURES = ("Kernel died before replying to kernel_info", "Kernel didn't respond", "ZMQError")

# What a warm kernel imports before its notebook comes (a kernel that fails to import them still
# runs the notebook, only cold: tests/engine/test_kernels.py checks that they exist). Measured:
# the notebook's imports and first chart take 1.2 s in a cold kernel, 0.0 s in a warm one.
WARM_MODULES = ("hki_intl.report.chapters", "hki_intl.report.scraps", "scrapbook", "IPython.display", "vl_convert")

logging.getLogger("papermill").setLevel(logging.WARNING)


class NotebookParameterError(PipelineError):
    """The parameters given to a notebook do not match the ones it declares."""

    exit_code = 3


def check_parameters(notebook: Path, supplied: dict[str, Any]) -> None:
    """Fail when a parameter is unknown to the notebook or one it declares is not given.

    papermill itself only logs a warning for an unknown parameter and silently keeps the
    notebook's default for a missing one.
    """
    declared = set(papermill.inspect_notebook(str(notebook)))
    unknown, missing = sorted(set(supplied) - declared), sorted(declared - set(supplied))
    if unknown or missing:
        details = "; ".join(
            filter(
                None,
                [
                    f"unknown parameter(s) {', '.join(unknown)}" if unknown else "",
                    f"missing parameter(s) {', '.join(missing)}" if missing else "",
                ],
            )
        )
        raise NotebookParameterError(
            f"{notebook}: {details}; the notebook's parameters cell declares {', '.join(sorted(declared))}"
        )


def run_notebook(
    notebook: Path,
    output: Path,
    parameters: dict[str, Any],
    cwd: Path = PROJECT_ROOT,
    kernels: WarmKernels | KernelsOnDemand | None = None,
) -> Path:
    """Execute ``notebook`` into ``output``; raise :class:`NotebookFailed` if a cell fails.

    With ``kernels``, a kernel started ahead of time (same folder) runs it; else a new one.
    """
    check_parameters(notebook, parameters)
    output.parent.mkdir(parents=True, exist_ok=True)
    _kernel_environment()
    warm = [kernels.take()] if kernels else []
    try:
        _execute(notebook, output, parameters, cwd, warm)
    except PapermillExecutionError as exc:
        raise NotebookFailed(notebook.stem, output, _one_line(f"{exc.ename}: {exc.evalue}")) from None
    except RuntimeError as exc:
        raise NotebookFailed(notebook.stem, output, f"the kernel failed: {exc}") from None
    return output


def _start_failed(error: BaseException) -> bool:
    """Whether ``error`` is a kernel that failed to *start* (worth another try), not a cell's failure."""
    return isinstance(error, RuntimeError) and any(s in str(error) for s in START_FAILURES)


@retry(retry=retry_if_exception(_start_failed), stop=stop_after_attempt(START_ATTEMPTS), reraise=True)
def _execute(notebook: Path, output: Path, parameters: dict[str, Any], cwd: Path, warm: list) -> None:
    """One attempt: the warm kernel on the first (``warm`` holds it, or None), a kernel of its own
    on a retry; the kernel is shut down after, whatever happened."""
    km = warm.pop() if warm else None
    try:
        papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            kernel_name=KERNEL,
            progress_bar=False,
            shutdown_kernel="immediate",
            # The kernel's working folder, given to nbclient directly: papermill's own `cwd`
            # changes the whole process's folder, which races when notebooks run in threads.
            resources={"metadata": {"path": str(cwd)}},
            extra_arguments=KERNEL_ARGUMENTS,
            **({"km": km} if km else {}),
        )
    finally:
        _shutdown(km)


class WarmKernels:
    """Kernels started ahead of time, in the notebooks' folder, with the report's modules
    already imported — started while the intake runs, so that starting a kernel and importing
    pandas, Altair and vl-convert (about 3 s a notebook) is off the critical path.

    A kernel that fails to start is simply not offered; :meth:`take` then gives ``None`` and
    the notebook starts its own kernel, as without this class.
    """

    WARM_UP = (
        f"import {', '.join(WARM_MODULES)}\n"
        "vl_convert.vegalite_to_svg({'mark': 'point'})  # starts vl-convert's JavaScript engine"
    )

    def __init__(self, count: int, cwd: Path):
        _kernel_environment()
        self._ready: queue.Queue = queue.Queue()
        self._started: list = []
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(count):
            threading.Thread(target=self._start_one, args=(cwd,), daemon=True).start()
        self._count = count
        self._taken = 0

    def _start_one(self, cwd: Path) -> None:
        """Start and warm one kernel (a failed start is tried again); offer it, or None."""
        try:
            km = Retrying(stop=stop_after_attempt(START_ATTEMPTS), reraise=True)(self._start_warm, cwd)
        except Exception:
            km = None
        self._ready.put(km)

    def _start_warm(self, cwd: Path):
        """One kernel started in ``cwd`` with the report's modules imported; None if the run
        ended meanwhile. A kernel that fails is shut down and the error raised."""
        from jupyter_client import KernelManager

        km = KernelManager(kernel_name=KERNEL)
        try:
            # Its output goes nowhere: a kernel still starting when a run stops early (its
            # folder already removed) must not print to the analyst's terminal.
            km.start_kernel(cwd=str(cwd), extra_arguments=KERNEL_ARGUMENTS, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if not self._keep(km):
                return None
            client = km.client()
            client.start_channels()
            try:
                client.wait_for_ready(timeout=60)
                client.execute_interactive(self.WARM_UP, timeout=120, output_hook=lambda message: None)
            finally:
                client.stop_channels()
            return km
        except Exception:
            _shutdown(km)
            raise

    def _keep(self, km) -> bool:
        """Remember a started kernel for :meth:`close`; if the run already ended, shut it down."""
        with self._lock:
            if not self._closed:
                self._started.append(km)
                return True
        _shutdown(km)
        return False

    def take(self):
        """A ready kernel manager (waits for one being warmed), or None."""
        with self._lock:
            if self._closed or self._taken >= self._count:
                return None
            self._taken += 1
        return self._ready.get()

    def close(self) -> None:
        """Shut down every kernel that was not used."""
        with self._lock:
            self._closed = True
            started = list(self._started)
        for km in started:
            _shutdown(km)


class KernelsOnDemand:
    """The notebooks' warm kernels, started only when :meth:`start` is called — the intake calls
    it when it runs (new data almost always means the notebooks run), so a run in which nothing
    changed starts no kernel. :meth:`take` and :meth:`close` as :class:`WarmKernels`."""

    def __init__(self, count: int, cwd: Path):
        self._count, self._cwd = count, cwd
        self._kernels: WarmKernels | None = None

    def start(self) -> None:
        self._cwd.mkdir(parents=True, exist_ok=True)
        self._kernels = WarmKernels(self._count, self._cwd)

    def take(self):
        """A ready kernel manager, or None (none were started, or none is left)."""
        return self._kernels.take() if self._kernels else None

    def close(self) -> None:
        if self._kernels:
            self._kernels.close()


def _shutdown(km) -> None:
    if km is None:
        return
    try:
        if km.has_kernel:
            km.shutdown_kernel(now=True)
    except Exception:
        pass


def _one_line(text: str, limit: int = 300) -> str:
    """An exception message as one line of reasonable length (the full one is in the notebook)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _kernel_environment() -> None:
    """Kernels inherit this process's environment: make the package importable in them and
    keep their warnings out of the report."""
    path = os.environ.get("PYTHONPATH", "")
    if str(PROJECT_ROOT) not in path.split(os.pathsep):
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), path]))
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
