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
from .params import LANGUAGES, Settings, Strategy, load_strategy, load_texts
from .pdf import write_pdf
from .tables import consolidate, write_tables

SUMMARY = "summary"
Log = Callable[[str], None]


FORMATS = ("html", "pdf")


@dataclass
class RunResult:
    out_dir: Path
    reports: list[Path]
    intake: IntakeResult


def report_name(year: int, lang: str, fmt: str = "html") -> str:
    """Report files are named for the year and the language."""
    return f"international-activities-{year}-{lang}.{fmt}"


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
        jobs: int | None = None, log: Log = print, allow_partial: bool = False, warn: Log | None = None,
        languages: list[str] | None = None, formats: tuple[str, ...] = FORMATS) -> RunResult:
    """Validate, consolidate, execute the notebooks and assemble the report into ``out_dir``,
    one file per language in ``languages`` (default: the settings' language) and format."""
    strategy = load_strategy(params_dir)
    languages = languages or [settings.language]
    for lang in languages:
        load_texts(lang, params_dir)  # an unknown language fails before any work
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
        reports = _build(build, intake, settings, strategy, Path(params_dir).resolve(), jobs, log, languages, formats)
        _replace(build, out_dir)
    except NotebookFailed as failure:
        kept = _keep_failed(build, out_dir, failure)
        raise NotebookFailed(failure.notebook, kept, failure.reason) from None
    finally:
        shutil.rmtree(build, ignore_errors=True)
    return RunResult(out_dir, [out_dir / r.name for r in reports], intake)


def _build(build: Path, intake: IntakeResult, settings: Settings, strategy: Strategy, params_dir: Path,
           jobs: int | None, log: Log, languages: list[str], formats: tuple[str, ...]) -> list[Path]:
    data_dir, nb_dir = build / "data", build / "notebooks"
    write_tables(consolidate(intake), data_dir)
    nb_dir.mkdir(parents=True)
    # Paths are relative to the executed notebooks' folder, so an analyst can open and re-run
    # a notebook in place after the folder has been moved into its final location.
    # The notebooks render every report language; the assembly picks one per report file.
    common = {"year": settings.year, "data_dir": "../data", "lang": ",".join(LANGUAGES),
              "params_dir": str(params_dir)}
    goals = [str(g["notebook"]) for g in strategy.data["goals"]]
    log(f"running notebooks {', '.join(goals)}")
    with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
        futures = [pool.submit(_run_in, nb_dir, name, common) for name in goals]
        for future in futures:
            future.result()
    log(f"running notebook {SUMMARY}")
    _run_in(nb_dir, SUMMARY, {**common, "chapters_dir": ".", "report_date": settings.date.isoformat()})
    return [path for lang in languages for path in _assemble(build, nb_dir, goals, settings, lang, formats,
                                                             params_dir, log)]


def _assemble(build: Path, nb_dir: Path, goals: list[str], settings: Settings, lang: str, formats: tuple[str, ...],
              params_dir: Path, log: Log) -> list[Path]:
    """The report files of one language: the interactive HTML and the PDF of its static page."""
    texts = load_texts(lang, params_dir)
    merged = merge_notebooks(nb_dir / f"{SUMMARY}.ipynb", [nb_dir / f"{g}.ipynb" for g in goals], lang)
    title = texts("report.title", year=settings.year)
    written = []
    if "html" in formats:
        log(f"assembling the {lang} HTML report")
        path = build / report_name(settings.year, lang, "html")
        path.write_text(export_html(merged, lang, title, texts("report.contents")), encoding="utf-8")
        written.append(path)
    if "pdf" in formats:
        log(f"assembling the {lang} PDF report")
        static = export_html(merged, lang, title, texts("report.contents"), interactive=False)
        written.append(write_pdf(static, build / report_name(settings.year, lang, "pdf"), settings.date))
    return written


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
