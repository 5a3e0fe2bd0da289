"""The analyst's draft report, built in the background from the accepted workbooks: the real
``pipeline.py run --allow-partial`` as a subprocess, its progress read from what it prints.

The draft goes to ``DIR/.serve/drafts/<year>/`` (``DIR`` the inputs folder). The run refuses an
output folder inside its inputs folder (:func:`hki_intl.engine.outputs.check_out`), so it is given
``DIR/.serve/drafts/inputs/``, a folder of links to ``DIR``'s year folders: it reads exactly the
workbooks of ``DIR`` and writes beside, never into, them. Everything else is the run's own: it
builds beside its output and swaps it in atomically, refuses to replace a folder it did not
make, and reuses what did not change since the previous draft.

Its progress: each stage prints ``[  1.2 s] <stage> …`` when it starts and ``[  3.4 s] <stage>:
…`` when it is done or reused (:mod:`hki_intl.engine.progress`; plain lines, as its output is a
pipe); a failed run says why after its last such line. The stages are known before it starts:
the intake, one notebook per goal, the summary and one assembly per report file (:data:`FORMAT`:
the draft is read in the browser).
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from hki_intl import PROJECT_ROOT
from hki_intl.config.params import load_strategy
from hki_intl.engine.assembly_stages import report_name
from hki_intl.engine.notebook_stages import SUMMARY, goal_notebooks
from hki_intl.engine.outputs import MANIFEST
from hki_intl.messages import LANGUAGES, Message

PIPELINE = PROJECT_ROOT / "pipeline.py"
FORMAT = "html"  # the PDF would cost a minute more and is not what a draft is read in
DRAFTS = Path(".serve") / "drafts"  # inside the inputs folder
VIEW = "inputs"  # DRAFTS/VIEW: the links to the year folders the run reads
PROGRESS_LINE = re.compile(r"^\[\s*\d+\.\d s\] (?P<said>.*)$")  # a stage started or ended, or the run's note
KEPT_LINES = 5  # of what the run prints after its last progress line: why it failed

State = Literal["idle", "running", "done", "failed"]


@dataclass(frozen=True)
class DraftProgress:
    """Where the draft stands: ``done`` of ``total`` stages; ``message`` why it failed."""

    state: State
    done: int = 0
    total: int = 0
    message: Message | None = None
    started_at: str | None = None  # ISO 8601 UTC
    finished_at: str | None = None
    who: str | None = None  # who started it (as the audit log names people)

    def text(self, lang: str) -> str:
        """One line for the page, in ``lang``."""
        if self.state == "running":
            return Message("draft.running", done=self.done, total=self.total).render(lang)
        if self.state == "failed":
            return Message("draft.failed", reason=self.message).render(lang)
        return Message("draft.done" if self.state == "done" else "draft.idle").render(lang)


class DraftBuilder:
    """One draft build at a time for the year's inputs; :meth:`progress` may be asked from any thread."""

    def __init__(self, inputs_dir: Path, year: int, params_dir: Path) -> None:
        self.inputs_dir, self.year, self.params_dir = Path(inputs_dir).resolve(), year, Path(params_dir).resolve()
        self.out = self.inputs_dir / DRAFTS / str(year)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._process: subprocess.Popen[str] | None = None
        self._progress = self._finished_before()

    def start(self, who: str) -> bool:
        """Start a build in the background; False when one is already running."""
        with self._lock:
            if self._progress.state == "running":
                return False
            stages = self._stages()
            self._progress = DraftProgress("running", 0, len(stages), None, _now(), None, who)
            self._thread = threading.Thread(target=self._build, args=(stages,), name="hki-draft", daemon=True)
            self._thread.start()
        return True

    def progress(self) -> DraftProgress:
        with self._lock:
            return self._progress

    def wait(self, timeout: float | None = None) -> DraftProgress:
        """The progress once the build running now (if any) has ended, or ``timeout`` has passed."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self.progress()

    def stop(self) -> None:
        """End a running build (the server is stopping): the run's own processes die with it, and
        the next run recovers what it left."""
        process = self._process
        if process is not None and process.poll() is None:
            process.kill()
        self.wait(30)

    def report_file(self, name: str) -> Path | None:
        """The file ``name`` of the finished draft, or None: only a regular file inside the draft's
        folder, reached without ``..``, an absolute path, a hidden part or a link."""
        if not name or "\\" in name or "\x00" in name or name.startswith("/"):
            return None
        parts = name.split("/")
        if any(part in ("", ".", "..") or part.startswith(".") for part in parts):
            return None
        if not (self.out / MANIFEST).is_file():  # no finished draft
            return None
        path = self.out
        for part in [None, *parts]:
            path = path if part is None else path / part
            if path.is_symlink():
                return None
        if not path.is_file() or not path.resolve().is_relative_to(self.out.resolve()):
            return None
        return path

    # --- the build ----------------------------------------------------------------------------------

    def _stages(self) -> list[str]:
        """The names the run gives its stages, in order."""
        strategy = load_strategy(self.params_dir)
        notebooks = [f"notebook {goal}" for goal, _ in goal_notebooks(strategy)] + [f"notebook {SUMMARY}"]
        return ["intake", *notebooks, *(f"assembly {report_name(self.year, lang, FORMAT)}" for lang in LANGUAGES)]

    def _command(self, view: Path) -> list[str]:
        return [
            sys.executable,
            str(PIPELINE),
            "--params",
            str(self.params_dir),
            "run",
            "--year",
            str(self.year),
            "--inputs",
            str(view),
            "--out",
            str(self.out),
            "--allow-partial",
            "--format",
            FORMAT,
            "--lang",
            "all",  # the analyst reads the draft in the language of the page, any of the three
        ]

    def _build(self, stages: list[str]) -> None:
        done: set[str] = set()
        said: list[str] = []  # what the run printed since its last progress line
        try:
            view = self._view()
            process = subprocess.Popen(
                self._command(view),
                cwd=PROJECT_ROOT,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                encoding="utf-8",
                errors="replace",
            )
        except OSError as exc:
            self._end("failed", done, Message("draft.not_started", reason=exc.strerror or str(exc)))
            return
        self._process = process
        assert process.stdout is not None
        for line in process.stdout:
            line = line.rstrip("\n").replace(str(view), str(self.inputs_dir))  # the folder the analyst knows
            progress = PROGRESS_LINE.match(line)
            if progress is None:
                said.append(line)
                continue
            said.clear()
            stage, colon, _ = progress["said"].partition(": ")
            if colon and stage in stages and stage not in done:
                done.add(stage)
                with self._lock:
                    self._progress = _with(self._progress, done=len(done))
        code = process.wait()
        if code == 0:
            self._end("done", done, None)
            return
        reason = " ".join(line.strip() for line in said[:KEPT_LINES] if line.strip())
        self._end("failed", done, Message("draft.run_said", said=reason) if reason else Message("draft.stopped", code=code))

    def _end(self, state: State, done: set[str], message: Message | None) -> None:
        with self._lock:
            self._progress = _with(self._progress, state=state, done=len(done), message=message, finished_at=_now())

    def _view(self) -> Path:
        """``DIR/.serve/drafts/inputs/``: a link to each year folder of ``DIR``, made afresh (only
        links are removed from it: anything else there is left alone, and the run reads it as a year)."""
        view = self.inputs_dir / DRAFTS / VIEW
        view.mkdir(parents=True, exist_ok=True)
        for entry in view.iterdir():
            if entry.is_symlink():
                entry.unlink()
        for folder in sorted(self.inputs_dir.iterdir()):
            if folder.name.isdigit() and folder.is_dir() and not folder.is_symlink():
                (view / folder.name).symlink_to(folder, target_is_directory=True)
        return view

    def _finished_before(self) -> DraftProgress:
        """A draft a previous server built is there to be read: done (its time from its manifest)."""
        manifest = self.out / MANIFEST
        if not manifest.is_file():
            return DraftProgress("idle")
        total = len(self._stages())
        finished = dt.datetime.fromtimestamp(manifest.stat().st_mtime, dt.UTC).isoformat(timespec="seconds")
        return DraftProgress("done", total, total, None, None, finished, None)


def _with(progress: DraftProgress, **changes: object) -> DraftProgress:
    return replace(progress, **changes)  # type: ignore[arg-type]


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


__all__ = ["DraftBuilder", "DraftProgress"]
