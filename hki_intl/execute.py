"""Run the report notebooks with papermill: strict parameters, retried kernel starts.

Known faults of this stack, measured on our machines, handled here: papermill's default
kernel shutdown sometimes stalls for seconds (``shutdown_kernel="immediate"`` avoids it), and
kernels started in parallel occasionally collide on a port ("Kernel died before replying to
kernel_info"), so a failed *start* is retried. A failure inside a cell is never retried.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import papermill
from papermill.exceptions import PapermillExecutionError

from . import PROJECT_ROOT
from .errors import NotebookFailed, PipelineError

KERNEL = "python3"
START_ATTEMPTS = 3
START_FAILURES = ("Kernel died before replying to kernel_info", "Kernel didn't respond", "ZMQError")

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
        details = "; ".join(filter(None, [
            f"unknown parameter(s) {', '.join(unknown)}" if unknown else "",
            f"missing parameter(s) {', '.join(missing)}" if missing else "",
        ]))
        raise NotebookParameterError(
            f"{notebook}: {details}; the notebook's parameters cell declares {', '.join(sorted(declared))}")


def run_notebook(notebook: Path, output: Path, parameters: dict[str, Any], cwd: Path = PROJECT_ROOT) -> Path:
    """Execute ``notebook`` into ``output``; raise :class:`NotebookFailed` if a cell fails."""
    check_parameters(notebook, parameters)
    output.parent.mkdir(parents=True, exist_ok=True)
    _kernel_environment()
    for attempt in range(1, START_ATTEMPTS + 1):
        try:
            papermill.execute_notebook(
                str(notebook), str(output), parameters=parameters, kernel_name=KERNEL,
                progress_bar=False, shutdown_kernel="immediate",
                # The kernel's working folder, given to nbclient directly: papermill's own `cwd`
                # changes the whole process's folder, which races when notebooks run in threads.
                resources={"metadata": {"path": str(cwd)}},
                extra_arguments=["--IPKernelApp.log_level=ERROR"],
            )
            return output
        except PapermillExecutionError as exc:
            raise NotebookFailed(notebook.stem, output, _one_line(f"{exc.ename}: {exc.evalue}")) from None
        except RuntimeError as exc:
            if attempt < START_ATTEMPTS and any(s in str(exc) for s in START_FAILURES):
                continue
            raise NotebookFailed(notebook.stem, output, f"the kernel failed: {exc}") from None
    raise AssertionError("unreachable")


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
