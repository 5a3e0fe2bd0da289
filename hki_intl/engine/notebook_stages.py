"""The notebook stages: the goal notebooks (concurrently), then the summary, which reads their
headline figures back. Each writes its executed copy to ``notebooks/``.

A notebook's key is the consolidated tables' bytes, the params, the code, every notebook's
source and its parameters; the summary's also holds the executed goal notebooks.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import partial

from hki_intl import NOTEBOOKS_DIR
from hki_intl.config.params import LANGUAGES, Strategy
from hki_intl.engine.fingerprint import code_fingerprint, folder_digest, notebook_fingerprints, params_fingerprint, sha256_file
from hki_intl.engine.kernels import KernelsOnDemand, run_notebook
from hki_intl.engine.stages import Build, Stage, StageLoop

SUMMARY = "summary"


def goal_notebooks(strategy: Strategy) -> list[str]:
    """The goal notebooks' names, one per goal of the strategy."""
    return [str(goal["notebook"]) for goal in strategy.data["goals"]]


def parameters(build: Build) -> dict[str, object]:
    """A goal notebook's parameters. Paths are relative to the executed notebooks' folder, so an
    analyst can open and re-run a notebook in place. The notebooks render every report
    language; the assembly picks one per report file."""
    return {"year": build.settings.year, "data_dir": "../data", "lang": ",".join(LANGUAGES),
            "params_dir": str(build.params_dir)}


def summary_parameters(build: Build) -> dict[str, object]:
    """The summary's parameters: a goal notebook's, where the goal notebooks are, the report date."""
    return {**parameters(build), "chapters_dir": ".", "report_date": build.settings.date.isoformat()}


def goal_inputs(build: Build, data: str, name: str) -> dict[str, object]:
    """What a goal notebook's key is made of (``data``: the consolidated tables' digest)."""
    return dict(data=data, params=params_fingerprint(build.params_dir), code=code_fingerprint(),
                notebooks=notebook_fingerprints(), parameters=parameters(build), notebook=name)


def summary_inputs(build: Build, data: str) -> dict[str, object]:
    """What the summary's key is made of: a goal notebook's, and the executed goal notebooks."""
    executed = build.folder / "notebooks"
    goals = {name: sha256_file(executed / f"{name}.ipynb") for name in goal_notebooks(build.strategy)}
    return {**goal_inputs(build, data, SUMMARY), "goals": goals, "parameters_summary": summary_parameters(build)}


def notebook_stage(build: Build, name: str, inputs: dict[str, object], kernels: KernelsOnDemand) -> Stage:
    """The stage that executes ``notebooks/<name>.ipynb`` into the build's ``notebooks/``."""
    given = summary_parameters(build) if name == SUMMARY else parameters(build)
    return Stage(f"notebook {name}", inputs, (f"notebooks/{name}.ipynb",),
                 partial(_execute, build, name, given, kernels))


def run_notebooks(build: Build, loop: StageLoop, kernels: KernelsOnDemand) -> str:
    """Run (or reuse) the goal notebooks, at most ``jobs`` at once, then the summary; return the
    executed notebooks' digest (what the assembly reads)."""
    executed = build.folder / "notebooks"
    executed.mkdir(exist_ok=True)
    data = folder_digest(build.folder / "data", "*.csv")
    goals = [notebook_stage(build, name, goal_inputs(build, data, name), kernels)
             for name in goal_notebooks(build.strategy)]
    todo = loop.pending(goals)
    if todo:
        with ThreadPoolExecutor(max_workers=min(build.options.jobs, len(todo)) + 1) as pool:
            pool.submit(_import_assembly_modules)  # this process is idle while the kernels work
            loop.execute_in(pool, todo)
    loop.run(notebook_stage(build, SUMMARY, summary_inputs(build, data), kernels))
    return folder_digest(executed, "*.ipynb")


def _execute(build: Build, name: str, given: dict[str, object], kernels: KernelsOnDemand) -> None:
    executed = build.folder / "notebooks"
    run_notebook(NOTEBOOKS_DIR / f"{name}.ipynb", executed / f"{name}.ipynb", given, cwd=executed, kernels=kernels)


def _import_assembly_modules() -> None:
    """Import what the assembly needs, so that the PDF workers forked later have it already."""
    import weasyprint  # noqa: F401

    from hki_intl.publish import assemble, pdf  # noqa: F401
