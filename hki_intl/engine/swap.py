"""Build beside the output, then swap: the only place where a run moves or removes folders.

A run builds in ``.OUT.building-<pid>`` beside ``OUT`` and puts it in place with two renames
only when it is complete, so a failed or killed run never leaves less than there was. A failed
notebook's run keeps its executed notebooks in ``OUT.failed`` instead, and leaves ``OUT`` alone.
The next run removes what a dead run left and puts back a report it had moved aside.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from hki_intl.engine.manifest import MANIFEST
from hki_intl.engine.outputs import carry_over_checkpoints, check_ours, failed_folder
from hki_intl.errors import NotebookFailed


def building(out_dir: Path, pid: int) -> Path:
    """Where the run of process ``pid`` builds the report: beside ``out_dir``, hidden."""
    return out_dir.parent / f".{out_dir.name}.building-{pid}"


def aside(out_dir: Path, pid: int) -> Path:
    """Where the run of process ``pid`` moves the old report while it puts the new one in place."""
    return out_dir.parent / f".{out_dir.name}.previous-{pid}"


def put_in_place(build: Path, out_dir: Path) -> None:
    """Put the finished build in place of ``out_dir``; the old one is removed only after.

    ``out_dir`` is checked again first (someone may have put files in it during the run), and
    Jupyter's checkpoints in it are carried over. Between the two renames the old report is at
    ``.<name>.previous-<pid>``; if the process dies right there, the next run puts it back
    (:func:`recover`).
    """
    check_ours(out_dir)
    carry_over_checkpoints(out_dir, build)
    previous = aside(out_dir, os.getpid())
    if out_dir.exists():
        os.replace(out_dir, previous)
    os.replace(build, out_dir)
    shutil.rmtree(previous, ignore_errors=True)


def keep_failed(build: Path, out_dir: Path, failure: NotebookFailed) -> Path:
    """Keep the failed run's executed notebooks (and manifest) beside the output, not in it;
    return where the failed notebook's copy is."""
    failed = failed_folder(out_dir)
    check_ours(failed, failed=True)  # as before the run: someone may have put files in it since
    if failed.exists():
        shutil.rmtree(failed)
    failed.mkdir()
    if (build / "notebooks").exists():
        for path in (build / "notebooks").glob("*.ipynb"):
            shutil.copy2(path, failed / path.name)
    if (build / MANIFEST).exists():
        shutil.copy2(build / MANIFEST, failed / MANIFEST)
    return failed / f"{failure.notebook}.ipynb"


def recover(out_dir: Path) -> None:
    """Undo what an interrupted run left: restore a report moved aside, remove dead builds.

    Only our own two kinds of leftover are touched, matched by their whole name; a folder
    such as ``.report.x.previous-1`` belongs to the output ``report.x``, not to ``report``."""
    leftover_name = re.compile(rf"\.{re.escape(out_dir.name)}\.(building|previous)-(\d+)")
    for leftover in sorted(out_dir.parent.glob(f".{out_dir.name}.*-*")):
        match = leftover_name.fullmatch(leftover.name)
        if not match or not leftover.is_dir() or leftover.is_symlink() or _alive(int(match[2])):
            continue
        if match[1] == "previous" and not os.path.lexists(out_dir):
            os.replace(leftover, out_dir)
        else:
            shutil.rmtree(leftover, ignore_errors=True)


def _alive(pid: int) -> bool:
    """Whether process ``pid`` (not this one) still runs, so its leftovers are not leftovers."""
    return pid != os.getpid() and process_runs(pid)


def process_runs(pid: int) -> bool:
    """Whether a process with this id exists (one of another user's counts too)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
