"""The notebook stages: the goal notebooks (concurrently), then the summary, which reads their
headline figures back. Each writes its executed copy to ``notebooks/``.

A notebook's key is the consolidated tables' bytes, the params, the code, every notebook's
source and its parameters (a goal's include the analyst's commentary on it, the summary's the
foreword and the outlook); the summary's also holds what it reads of the executed goal
notebooks: their glued figures (so a changed commentary re-runs only its goal's notebook).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import partial

from hki_intl import NOTEBOOKS_DIR
from hki_intl.config.params import LANGUAGES, Strategy
from hki_intl.engine.execute import NotebookWorkers, run_notebook
from hki_intl.engine.fingerprint import code_fingerprint, folder_digest, notebook_fingerprints, params_fingerprint
from hki_intl.engine.stages import Build, Stage, StageLoop
from hki_intl.intake.analyst import FOREWORD, OUTLOOK
from hki_intl.intake.tables import TABLES
from hki_intl.report.goals import notebook_of
from hki_intl.report.scraps import scraps_digest

SUMMARY = "summary"


def goal_notebooks(strategy: Strategy) -> list[tuple[str, str]]:
    """(goal id, its notebook) for each goal of the strategy, in order. The executed copy is
    named by the goal (two goals may share the generic notebook), and the goal's id is one of
    its parameters."""
    return [(str(goal["id"]), notebook_of(goal)) for goal in strategy.data["goals"]]


def parameters(build: Build) -> dict[str, object]:
    """A goal notebook's parameters. Paths are relative to the executed notebooks' folder, so an
    analyst can open and re-run a notebook in place. The notebooks render every report
    language; the assembly picks one per report file."""
    data_dir = f"../{TABLES}"  # the complete tables (data/ holds the open data, without the free texts)
    return {"year": build.settings.year, "data_dir": data_dir, "lang": ",".join(LANGUAGES), "params_dir": str(build.params_dir)}


def summary_parameters(build: Build) -> dict[str, object]:
    """The summary's parameters: a goal notebook's, where the goal notebooks are, the report date,
    the analyst's foreword and outlook (per language) and which of the analyst's parts were given."""
    return {
        **parameters(build),
        "chapters_dir": ".",
        "report_date": build.settings.date.isoformat(),
        "foreword": build.words.part(FOREWORD),
        "outlook": build.words.part(OUTLOOK),
        "analyst_given": build.words.given(),
    }


def goal_parameters(build: Build, goal: str) -> dict[str, object]:
    """A goal notebook's parameters: the common ones, the goal, the analyst's commentary on it."""
    return {**parameters(build), "goal": goal, "commentary": build.words.part(goal)}


def goal_inputs(build: Build, data: str, name: str, goal: str | None = None) -> dict[str, object]:
    """What a goal notebook's key is made of (``data``: the consolidated tables' digest)."""
    inputs: dict[str, object] = dict(
        data=data,
        params=params_fingerprint(build.params_dir),
        code=code_fingerprint(),
        notebooks=notebook_fingerprints(),
        parameters=parameters(build),
        notebook=name,
    )
    return inputs if goal is None else {**inputs, "goal": goal, "commentary": build.words.part(goal)}


def summary_inputs(build: Build, data: str) -> dict[str, object]:
    """What the summary's key is made of: a goal notebook's, and the executed goal notebooks."""
    executed = build.folder / "notebooks"
    goals = {goal: scraps_digest(executed / f"{goal}.ipynb") for goal, _ in goal_notebooks(build.strategy)}
    return {**goal_inputs(build, data, SUMMARY), "goals": goals, "parameters_summary": summary_parameters(build)}


def notebook_stage(
    build: Build, name: str, inputs: dict[str, object], workers: NotebookWorkers, notebook: str | None = None
) -> Stage:
    """The stage that executes ``notebooks/<notebook>.ipynb`` (default: ``name``) into the build's
    ``notebooks/<name>.ipynb``; a goal's stage is named by the goal and gets it as a parameter."""
    given = summary_parameters(build) if name == SUMMARY else goal_parameters(build, name)
    return Stage(
        f"notebook {name}", inputs, (f"notebooks/{name}.ipynb",), partial(_execute, build, notebook or name, name, given, workers)
    )


@dataclass(frozen=True)
class Executed:
    """What the notebooks' stages leave for the assembly: the executed notebooks' digest and, if
    the summary ran, the goal chapters' part of each language's body made meanwhile (with the
    digest of the goal notebooks it was made from: :func:`~.assembly_stages.goals_digest`)."""

    digest: str
    chapters: tuple[str, dict[str, str]] | None = None


def run_notebooks(build: Build, loop: StageLoop, workers: NotebookWorkers) -> Executed:
    """Run (or reuse) the goal notebooks, at most ``jobs`` at once, then the summary; meanwhile
    this process turns each executed goal notebook into its part of the report's body."""
    executed = build.folder / "notebooks"
    executed.mkdir(exist_ok=True)
    data = folder_digest(build.folder / TABLES, "*.csv")
    chapters = ChapterBodies(build)
    goals = {
        goal: notebook_stage(build, goal, goal_inputs(build, data, notebook, goal), workers, notebook)
        for goal, notebook in goal_notebooks(build.strategy)
    }
    todo = loop.pending(goals.values())
    try:
        if todo:
            workers.start()  # from this (the main) thread, not the pool's (the intake did, if it ran)
            workers.expect(len(todo))
            ran = [
                replace(stage, work=_then(stage.work, partial(chapters.add, goal)))
                for goal, stage in goals.items()
                if stage in todo
            ]
            with ThreadPoolExecutor(max_workers=min(build.options.jobs, len(todo))) as pool:
                loop.execute_in(pool, ran)
        summary = notebook_stage(build, SUMMARY, summary_inputs(build, data), workers)
        if not loop.reuse(summary):
            workers.start()  # before this process's other thread works: never fork beside a running thread
            for goal, stage in goals.items():
                if stage not in todo:  # reused: its part is made now, while the summary runs
                    chapters.add(goal)
            workers.expect(1)
            loop.execute(summary)
        return Executed(folder_digest(executed, "*.ipynb"), chapters.result())
    finally:
        chapters.close()


def _then(work: Callable[[], object], after: Callable[[], object]) -> Callable[[], None]:
    """``work``, then ``after`` (if ``work`` did not raise)."""

    def both() -> None:
        work()
        after()

    return both


class ChapterBodies:
    """The goal chapters' part of each report language's body (nbconvert), made in a thread of
    this process while the notebooks run: a goal's part as soon as its notebook is executed. The
    first one also imports what the assembly needs, so that the PDF workers forked later have
    it. (A goal notebook ends when one worker is left running the last goal or the summary: this
    process has a core to itself then; earlier, both cores are busy and memory is at its peak.)"""

    def __init__(self, build: Build):
        self.build = build
        self._thread = ThreadPoolExecutor(max_workers=1)
        self._parts: dict[str, Future[dict[str, str]]] = {}
        self._lock = threading.Lock()  # goals end in the threads that wait for their workers

    def add(self, goal: str) -> None:
        """Make ``goal``'s part (its executed notebook is there now)."""
        with self._lock:
            if not self._parts:
                self._thread.submit(_import_assembly_modules)
            self._parts[goal] = self._thread.submit(_goal_bodies, self.build, goal)

    def result(self) -> tuple[str, dict[str, str]] | None:
        """The digest of the executed goal notebooks and each language's chapters' part; None
        if a goal's part is missing or could not be made (the assembly then makes the whole
        body, and says what is wrong)."""
        from hki_intl.engine.assembly_stages import goals_digest

        goals = [goal for goal, _ in goal_notebooks(self.build.strategy)]
        if set(self._parts) != set(goals):
            return None
        try:
            parts = [self._parts[goal].result() for goal in goals]
        except Exception:  # the assembly makes the same body again and reports what it finds
            return None
        joined = {lang: "".join(part[lang] for part in parts) for lang in self.build.options.languages}
        return goals_digest(self.build), joined

    def close(self) -> None:
        self._thread.shutdown(wait=True, cancel_futures=True)


def _goal_bodies(build: Build, goal: str) -> dict[str, str]:
    """A goal chapter's part of the body in each language asked for."""
    from hki_intl.publish.assemble import chapters_body

    executed = build.folder / "notebooks" / f"{goal}.ipynb"
    return {lang: chapters_body([executed], lang) for lang in build.options.languages}


def _execute(build: Build, notebook: str, name: str, given: dict[str, object], workers: NotebookWorkers) -> None:
    executed = build.folder / "notebooks"
    run_notebook(NOTEBOOKS_DIR / f"{notebook}.ipynb", executed / f"{name}.ipynb", given, cwd=executed, workers=workers)


def _import_assembly_modules() -> None:
    """Import what the assembly needs, so that the PDF workers forked later have it already."""
    import weasyprint  # noqa: F401

    from hki_intl.publish import assemble, pdf  # noqa: F401
