"""The notebook stages: the goal notebooks (concurrently), then the summary, which reads their
headline figures back. Each writes its executed copy to ``notebooks/``.

A notebook's key is the consolidated tables' bytes, the params, the code, every notebook's
source and its parameters (a goal's include the analyst's commentary on it, the summary's the
foreword and the outlook); the summary's also holds what it reads of the executed goal
notebooks: their glued figures (so a changed commentary re-runs only its goal's notebook).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
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


def run_notebooks(build: Build, loop: StageLoop, workers: NotebookWorkers) -> str:
    """Run (or reuse) the goal notebooks, at most ``jobs`` at once, then the summary; return the
    executed notebooks' digest (what the assembly reads)."""
    executed = build.folder / "notebooks"
    executed.mkdir(exist_ok=True)
    data = folder_digest(build.folder / TABLES, "*.csv")
    goals = [
        notebook_stage(build, goal, goal_inputs(build, data, notebook, goal), workers, notebook)
        for goal, notebook in goal_notebooks(build.strategy)
    ]
    todo = loop.pending(goals)
    if todo:
        workers.start()  # from this (the main) thread, not the pool's (the intake did, if it ran)
        workers.expect(len(todo))
        with ThreadPoolExecutor(max_workers=min(build.options.jobs, len(todo))) as pool:
            loop.execute_in(pool, todo)
    summary = notebook_stage(build, SUMMARY, summary_inputs(build, data), workers)
    if not loop.reuse(summary):
        with ThreadPoolExecutor(max_workers=1) as pool:
            # This process is idle while a worker runs the summary (one core is free): it imports
            # what the assembly needs, so that the PDF workers forked later have it already.
            # (Not earlier: while the goal notebooks run, both cores are busy and memory is at its peak.)
            pool.submit(_import_assembly_modules)
            workers.expect(1)
            loop.execute(summary)
    return folder_digest(executed, "*.ipynb")


def _execute(build: Build, notebook: str, name: str, given: dict[str, object], workers: NotebookWorkers) -> None:
    executed = build.folder / "notebooks"
    run_notebook(NOTEBOOKS_DIR / f"{notebook}.ipynb", executed / f"{name}.ipynb", given, cwd=executed, workers=workers)


def _import_assembly_modules() -> None:
    """Import what the assembly needs, so that the PDF workers forked later have it already."""
    import weasyprint  # noqa: F401

    from hki_intl.publish import assemble, pdf  # noqa: F401
