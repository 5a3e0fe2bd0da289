"""``make lab``: JupyterLab on a finished report, for the analyst.

Lab's root is the folder that holds the report folder, so the analyst reaches both the report's
executed notebooks (``<report>/notebooks/*.ipynb``: their parameters name the data relative to
the notebook, so "Run all" re-runs one in place on the same data) and a copy of
``notebooks/explore.ipynb`` beside the report folder, ``explore-<report>.ipynb``, whose
parameters name that report (relative too) and the language of its labels. The copy is the
analyst's: it is written when it is missing and never replaced, as it holds their own questions.
It is not put inside the report folder, which holds only what the run wrote (the next run
replaces the folder, and refuses one with files it did not write).
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hki_intl import EXPLORE_NOTEBOOK, PARAMS_DIR
from hki_intl.engine.manifest import MANIFEST, read_previous
from hki_intl.errors import UsageError, cannot_write
from hki_intl.messages import Message, text

JUPYTERLAB = "jupyterlab"  # the module Lab is started from
INJECTED = "injected-parameters"  # papermill's tag (and here the id) of the cell with the given parameters
# The explore notebook written now, its labels in a language (the messages' words for each).
WRITTEN_IN = {"fi": "lab.written_fi", "sv": "lab.written_sv", "en": "lab.written_en"}


@dataclass(frozen=True)
class Lab:
    """Where JupyterLab starts and what it opens (absolute paths)."""

    report: Path  # the report folder a run wrote
    root: Path  # Lab's root: the folder that holds the report folder
    explore: Path  # the analyst's copy of the explore notebook, beside the report folder
    written: bool  # whether this call wrote the copy (else it was there and is kept as it was)
    lang: str  # the language of the copy's labels (when written now)


def explore_copy(report: Path) -> Path:
    """Where the analyst's explore notebook for ``report`` is: ``<parent>/explore-<name>.ipynb``."""
    return report.parent / f"explore-{report.name}.ipynb"


def check_report(report: Path) -> None:
    """Refuse a folder that is not a finished report (one line: which folder, why, what to do)."""
    build_first = Message("lab.build_first")
    if not report.is_dir():
        raise UsageError(Message("lab.no_folder", report=str(report), fix=build_first))
    if read_previous(report) is None:
        why = Message("lab.unfinished_manifest") if (report / MANIFEST).exists() else Message("out.no_manifest")
        raise UsageError(Message("lab.not_a_report", report=str(report), why=why, fix=build_first))
    if not any((report / "notebooks").glob("*.ipynb")):
        raise UsageError(Message("lab.no_notebooks", report=str(report), fix=build_first))


def prepare(report: Path, lang: str, params_dir: Path = PARAMS_DIR) -> Lab:
    """Check ``report`` and write the analyst's explore notebook beside it if it is missing."""
    report = Path(report).resolve()  # "reports/2025/." and the like: the folder by its own name
    check_report(report)
    explore = explore_copy(report)
    written = not os.path.lexists(explore) and write_explore(explore, report, lang, params_dir)
    return Lab(report, report.parent, explore, written, lang)


def explore_notebook(report: Path, lang: str, params_dir: Path = PARAMS_DIR) -> str:
    """notebooks/explore.ipynb with its parameters given for ``report`` (as papermill injects
    them, in a cell after the parameters cell); the report folder relative to the copy's folder."""
    import nbformat
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    params = "" if Path(params_dir).resolve() == PARAMS_DIR.resolve() else str(Path(params_dir).resolve())
    book = parameterize_notebook(
        load_notebook_node(str(EXPLORE_NOTEBOOK)), {"report_dir": report.name, "lang": lang, "params_dir": params}
    )
    for cell in book.cells:
        if INJECTED in cell.metadata.get("tags", []):
            cell.id = INJECTED  # papermill gives it a random id: the same report gives the same bytes
    return nbformat.writes(book) + "\n"


def write_explore(path: Path, report: Path, lang: str, params_dir: Path = PARAMS_DIR) -> bool:
    """Write the analyst's explore notebook at ``path`` whole or not at all, and never over a file
    that is there (it holds the analyst's own questions); whether it was written. A temporary
    file beside it is linked to the name only if the name is free, then removed."""
    text = explore_notebook(report, lang, params_dir)
    try:
        fd, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=path.suffix, dir=path.parent)
    except OSError as error:
        raise cannot_write(path.parent, error, "--report") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
        os.chmod(temporary, 0o644)  # as the report's files: readable by the analyst's colleagues
        os.link(temporary, path)
    except FileExistsError:
        return False
    except OSError as error:  # a full disk, or a place without links: one line, not an internal error
        raise cannot_write(path.parent, error, "--report") from None
    finally:
        os.unlink(temporary)
    return True


def check_jupyterlab() -> None:
    """Refuse to go on without JupyterLab (the report's own install does not have it)."""
    if importlib.util.find_spec(JUPYTERLAB) is None:
        raise UsageError(Message("lab.not_installed"))


def jupyter_command(lab: Lab, port: int | None = None, browser: bool = True, allow_root: bool = False) -> list[str]:
    """JupyterLab of this Python (its kernel is this environment's, with the package), rooted at
    ``lab.root`` and opening the explore notebook."""
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={lab.root}",
        f"--LabApp.default_url=/lab/tree/{lab.explore.relative_to(lab.root).as_posix()}",
    ]
    if port is not None:
        command.append(f"--ServerApp.port={port}")
    if not browser:
        command.append("--no-browser")
    if allow_root:  # Jupyter refuses root unless told: only when the analyst asks (a container, say)
        command.append("--allow-root")
    return command


def describe(lab: Lab) -> list[str]:
    """What the analyst is told before Lab starts: where things are (one line each, in the
    language of the messages)."""
    state = Message(WRITTEN_IN[lab.lang]) if lab.written else Message("lab.kept")
    return [
        text("lab.notebooks", folder=str(lab.report / "notebooks")),
        text("lab.explore", notebook=str(lab.explore), state=state),
        text("lab.starts", folder=str(lab.root)),
    ]


def start(command: list[str]) -> None:
    """Replace this process with JupyterLab (Ctrl+C then stops Lab itself)."""
    sys.stdout.flush()
    os.execv(command[0], command)
