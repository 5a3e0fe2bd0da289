"""papermill's engine for the report notebooks: each code cell runs in an IPython shell inside
the calling process, not in a Jupyter kernel.

A kernel costs a process, a ZeroMQ connection and its own imports of pandas, Altair and
vl-convert (measured: about 1 s and 150 MB a notebook); the report's notebooks need none of
that — they only call the package and display HTML and scraps. papermill still does what it
does for any engine: it injects the parameters, records each cell's times and status, raises
:class:`~papermill.exceptions.PapermillExecutionError` for a failed cell and writes the
executed notebook. The outputs are what a kernel would have sent: each ``display`` as a
``display_data`` output (data and metadata as JSON, as they cross the wire), printed text as
a ``stream``, a cell's value as an ``execute_result`` and a failure as an ``error`` with the
traceback.

Every notebook starts with an empty namespace (the shell is reset), as in a new kernel; the
modules it imports stay imported, which is the point. :mod:`hki_intl.engine.workers` runs
notebooks in processes forked for them.
"""

from __future__ import annotations

import io
import json
import traceback
import warnings
from contextlib import redirect_stderr, redirect_stdout
from typing import Any

import nbformat
from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from jupyter_client.jsonutil import json_default
from papermill.engines import Engine, papermill_engines

ENGINE = "hki-intl-in-process"


class _Outputs:
    """The outputs of the cell running now, in the order they came."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, output_type: str, data: dict, metadata: dict | None) -> None:
        # Through JSON, as a kernel's messages are: what the notebook stores is what it reads back.
        clean = json.loads(json.dumps({"data": data, "metadata": metadata or {}}, default=json_default))
        self.items.append(nbformat.v4.new_output(output_type, **clean))


class _Publisher(DisplayPublisher):
    """``display(...)``: a display_data output of the running cell."""

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs) -> None:
        self.shell.outputs.add("display_data", data, metadata)

    def clear_output(self, wait=False) -> None:
        self.shell.outputs.items.clear()


class _ResultHook(DisplayHook):
    """A cell's last value: an execute_result output (no prompt printed)."""

    def write_output_prompt(self) -> None:
        pass

    def write_format_data(self, format_dict, md_dict=None) -> None:
        assert isinstance(self.shell, _Shell)
        self.shell.outputs.add("execute_result", format_dict, md_dict)


class _Shell(InteractiveShell):
    """IPython's shell with a kernel's outputs: displays, results and tracebacks are kept as
    outputs of the running cell instead of being printed to a terminal."""

    display_pub_class = _Publisher
    displayhook_class = _ResultHook

    def __init__(self, **kwargs) -> None:
        self.outputs = _Outputs()
        super().__init__(**kwargs)

    def init_virtualenv(self) -> None:
        """Nothing: IPython would put the site-packages of another virtualenv that happens to be
        active (``VIRTUAL_ENV``) first on the path, and warn on the run's terminal."""

    def _showtraceback(self, etype, evalue, stb) -> None:
        pass  # the error output carries the traceback

    def run(self, source: str) -> tuple[list[dict[str, Any]], BaseException | None]:
        """Run one cell's source; its outputs and the exception it raised, if any."""
        self.outputs = _Outputs()
        stdout, stderr = io.StringIO(), io.StringIO()
        with redirect_stdout(stdout), redirect_stderr(stderr), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # as in the kernels before: warnings stay out of the report
            result = self.run_cell(source, store_history=False)
        error = result.error_before_exec or result.error_in_exec
        streams = [
            nbformat.v4.new_output("stream", name=name, text=text.getvalue())
            for name, text in (("stdout", stdout), ("stderr", stderr))
            if text.getvalue()
        ]
        outputs = streams + self.outputs.items
        if error is not None:
            outputs.append(
                nbformat.v4.new_output(
                    "error",
                    ename=type(error).__name__,
                    evalue=str(error),
                    traceback=traceback.format_exception(error),
                )
            )
        return outputs, error


_shell: _Shell | None = None


def shell() -> _Shell:
    """This process's shell, with an empty namespace (a notebook's run starts from nothing)."""
    global _shell
    if _shell is None:
        _shell = _Shell.instance()  # the instance IPython.display and scrapbook display through
    _shell.reset(new_session=False)
    return _shell


class InProcessEngine(Engine):
    """papermill's engine that runs each code cell in :func:`shell`, stopping at the first
    failure (papermill then marks the cell and raises)."""

    @classmethod
    def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False, **kwargs):
        # papermill saves the notebook on every cell's start and end; it writes the executed
        # notebook once at the end anyway, and a run that stops leaves its build folder.
        return super().execute_notebook(nb, kernel_name, output_path=None, progress_bar=False, log_output=log_output, **kwargs)

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs) -> None:
        runner = shell()
        count = 0
        for index, cell in enumerate(nb_man.nb.cells):
            nb_man.cell_start(cell, index)
            try:
                if cell.cell_type != "code" or not cell.source.strip():
                    continue
                count += 1
                cell.execution_count = count
                cell.outputs, error = runner.run(cell.source)
                for output in cell.outputs:
                    if output.output_type == "execute_result":
                        output.execution_count = count
                if error is not None:
                    nb_man.cell_exception(cell, cell_index=index, exception=error)
                    break
            finally:
                nb_man.cell_complete(cell, cell_index=index)


papermill_engines.register(ENGINE, InProcessEngine)
