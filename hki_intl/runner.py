"""The pipeline's commands as functions: templates, example, validate, run.

``run`` builds everything in a temporary folder beside the output and moves it into place
only when complete, so a failed or interrupted run never leaves less than there was.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import NOTEBOOKS_DIR, PARAMS_DIR
from .assemble import export_html, merge_notebooks
from .errors import InputErrors, NotebookFailed, Problem, UsageError
from .execute import run_notebook
from .intake import IntakeResult, load_submissions
from .params import Settings, Strategy, load_strategy, load_texts
from .tables import consolidate, write_tables

SUMMARY = "summary"
Log = Callable[[str], None]


@dataclass
class RunResult:
    out_dir: Path
    report: Path
    intake: IntakeResult


def report_name(year: int, lang: str) -> str:
    return f"international-activities-{year}-{lang}.html"


def check_inputs(inputs: Path, year: int, strategy: Strategy, settings: Settings) -> IntakeResult:
    """Check every workbook of ``year`` and return the result, problems and all."""
    _require_inputs(inputs, year)
    return load_submissions(inputs, [year], strategy, settings)


def validate(inputs: Path, year: int, strategy: Strategy, settings: Settings) -> IntakeResult:
    """Check every workbook of ``year``; raise :class:`InputErrors` listing every problem."""
    result = check_inputs(inputs, year, strategy, settings)
    if result.problems:
        raise InputErrors(result.problems)
    return result


def run(inputs: Path, out_dir: Path, settings: Settings, params_dir: Path = PARAMS_DIR,
        jobs: int | None = None, log: Log = print, allow_partial: bool = False, warn: Log | None = None) -> RunResult:
    """Validate, consolidate, execute the notebooks and assemble the report into ``out_dir``."""
    strategy = load_strategy(params_dir)
    load_texts(settings.language, params_dir)  # an unknown language fails before any work
    _require_inputs(inputs, settings.year)
    years = [y for y in settings.years if (Path(inputs) / str(y)).is_dir()]
    log(f"reading workbooks for {', '.join(map(str, years))} from {inputs}")
    intake = load_submissions(inputs, years, strategy, settings)
    if intake.problems:
        if not allow_partial:
            raise InputErrors(intake.problems)
        _warn_partial(intake, warn or _to_stderr)
    if not any(s.year == settings.year for s in intake.submissions):
        raise InputErrors([Problem(str(Path(inputs) / str(settings.year)),
                                   message="no workbooks; put <organisation-id>.xlsx files in this folder")])

    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    build = out_dir.parent / f".{out_dir.name}.building-{os.getpid()}"
    shutil.rmtree(build, ignore_errors=True)
    try:
        report = _build(build, intake, settings, strategy, Path(params_dir).resolve(), jobs, log)
        _replace(build, out_dir)
    except NotebookFailed as failure:
        kept = _keep_failed(build, out_dir, failure)
        raise NotebookFailed(failure.notebook, kept, failure.reason) from None
    finally:
        shutil.rmtree(build, ignore_errors=True)
    return RunResult(out_dir, out_dir / report.name, intake)


def _build(build: Path, intake: IntakeResult, settings: Settings, strategy: Strategy, params_dir: Path,
           jobs: int | None, log: Log) -> Path:
    data_dir, nb_dir = build / "data", build / "notebooks"
    write_tables(consolidate(intake), data_dir)
    nb_dir.mkdir(parents=True)
    # Paths are relative to the executed notebooks' folder, so an analyst can open and re-run
    # a notebook in place after the folder has been moved into its final location.
    common = {"year": settings.year, "data_dir": "../data", "lang": settings.language,
              "params_dir": str(params_dir)}
    goals = [str(g["notebook"]) for g in strategy.data["goals"]]
    log(f"running notebooks {', '.join(goals)}")
    with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
        futures = [pool.submit(_run_in, nb_dir, name, common) for name in goals]
        for future in futures:
            future.result()
    log(f"running notebook {SUMMARY}")
    _run_in(nb_dir, SUMMARY, {**common, "chapters_dir": ".", "report_date": settings.date.isoformat()})
    log("assembling the report")
    texts = load_texts(settings.language, params_dir)
    merged = merge_notebooks(nb_dir / f"{SUMMARY}.ipynb", [nb_dir / f"{g}.ipynb" for g in goals])
    page = export_html(merged, settings.language, texts("report.title", year=settings.year), texts("report.contents"))
    report = build / report_name(settings.year, settings.language)
    report.write_text(page, encoding="utf-8")
    return report


def _warn_partial(intake: IntakeResult, warn: Log) -> None:
    """``--allow-partial``: every problem as a warning line; the workbooks with problems are left
    out, and ``data/problems.csv`` (the report's data-quality part) names them and why."""
    for problem in sorted(intake.problems):
        warn(str(problem))
    files = sorted(Path(f).name for f in intake.rejected)
    count = len(intake.problems)
    warn(f"{count} problem{'s' if count != 1 else ''} found; the report leaves out {len(files)} "
         f"workbook{'s' if len(files) != 1 else ''} ({', '.join(files)}) and names them in its data-quality part.")


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr)


def _run_in(nb_dir: Path, name: str, parameters: dict) -> Path:
    return run_notebook(NOTEBOOKS_DIR / f"{name}.ipynb", nb_dir / f"{name}.ipynb", parameters, cwd=nb_dir)


def _replace(build: Path, out_dir: Path) -> None:
    """Put the finished build in place of ``out_dir``; the old one is removed only after."""
    previous = out_dir.parent / f".{out_dir.name}.previous-{os.getpid()}"
    if out_dir.exists():
        os.replace(out_dir, previous)
    os.replace(build, out_dir)
    shutil.rmtree(previous, ignore_errors=True)


def _keep_failed(build: Path, out_dir: Path, failure: NotebookFailed) -> Path:
    """Keep the failed run's executed notebooks beside the output, not in it."""
    failed = out_dir.parent / f"{out_dir.name}.failed"
    shutil.rmtree(failed, ignore_errors=True)
    if (build / "notebooks").exists():
        shutil.copytree(build / "notebooks", failed)
    return failed / f"{failure.notebook}.ipynb"


def _require_inputs(inputs: Path, year: int) -> None:
    if not Path(inputs).is_dir():
        raise UsageError(f"{inputs}: the inputs folder does not exist; give --inputs the folder that holds "
                         f"<year>/<organisation-id>.xlsx")
    if not (Path(inputs) / str(year)).is_dir():
        raise UsageError(f"{Path(inputs) / str(year)}: no folder for {year}; put the {year} workbooks there")
