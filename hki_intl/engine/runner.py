"""The pipeline's commands as functions: validate and run (templates and example live in
their own modules).

``run`` reads as its flow: check the output folder, build beside it, then the stages — intake
(:mod:`.intake_stage`), the goal notebooks and the summary (:mod:`.notebook_stages`), one
assembly per report file (:mod:`.assembly_stages`) — each reused when nothing it reads changed
(:mod:`.stages`), then what changed since the report it replaces (:mod:`.changes`), the
manifest (:mod:`.manifest`) and the swap into place (:mod:`.swap`).
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

from hki_intl.config.params import (
    LANGUAGES,
    Settings,
    Strategy,
    check_target_years,
    load_settings,
    load_strategy,
    load_targets,
    load_texts,
)
from hki_intl.engine import swap
from hki_intl.engine.assembly_stages import report_name, run_assembly
from hki_intl.engine.changes import record_changes
from hki_intl.engine.execute import NotebookWorkers
from hki_intl.engine.intake_stage import IntakeOutcome, Log, run_intake
from hki_intl.engine.manifest import (
    NOTEBOOK_FAILED,
    OK,
    Manifest,
    ReportFile,
    StageRecord,
    environment,
    file_digests,
    notebook_records,
    params_record,
    read_previous,
    write_manifest,
)
from hki_intl.engine.notebook_stages import SUMMARY, Executed, goal_notebooks, run_notebooks
from hki_intl.engine.options import FORMATS, RunOptions
from hki_intl.engine.outputs import check_out, failed_folder, prepare_build, writing
from hki_intl.engine.progress import Progress, Quiet
from hki_intl.engine.stages import Build, StageLoop
from hki_intl.errors import InputErrors, NotebookFailed, PipelineError, UsageError
from hki_intl.intake.analyst import AnalystWords, read_analyst_words
from hki_intl.intake.read import IntakeResult, ReadOne, load_submissions
from hki_intl.messages import Message, text


@dataclass(frozen=True)
class RunResult:
    out_dir: Path
    reports: list[Path]  # the report files asked for: languages, then formats
    stages: list[StageRecord]
    changes: list[str] = field(default_factory=list)  # what changed since the previous draft, a few lines


def check_inputs(
    inputs: Path, year: int, strategy: Strategy, settings: Settings, read_one: ReadOne | None = None
) -> IntakeResult:
    """Check every workbook of ``year`` and return the result, problems and all (``read_one``:
    see :func:`load_submissions`; ``status`` keeps what it reads of the workbooks left out)."""
    _require_inputs(inputs, year)
    return load_submissions(inputs, [year], strategy, settings, read_one)


def validate(inputs: Path, year: int, strategy: Strategy, settings: Settings) -> IntakeResult:
    """Check every workbook of ``year`` and the analyst's texts; raise :class:`InputErrors`
    listing every problem."""
    result = check_inputs(inputs, year, strategy, settings)
    words = read_analyst_words(inputs, year, strategy)
    if result.problems or words.errors:
        raise InputErrors(result.all_problems + words.problems)
    return replace(result, warnings=sorted(result.warnings + words.warnings))


def run(options: RunOptions, warn: Log | None = None) -> RunResult:
    """Validate, consolidate, execute the notebooks and assemble the report files into
    ``options.out``; ``warn`` prints ``--allow-partial``'s warnings (default: standard error)."""
    settings, strategy = _params(options)
    out = Path(options.out)
    # Before any work: refuse an output whose replacement would delete what is not ours, and
    # one that cannot be written (a wrong --out then costs nothing, whatever the inputs hold).
    check_out(out, Path(options.inputs), Path(options.params_dir))
    folder = swap.building(out, os.getpid())
    places = (out, folder, swap.aside(out, os.getpid()), failed_folder(out))
    progress = Quiet() if options.quiet else Progress(sys.stderr)
    try:
        with writing(*places):
            swap.recover(out)
        prepare_build(folder, out)
        with writing(*places):
            previous = read_previous(out)  # the report this run replaces: reused from, and compared with
            loop = StageLoop(folder, out, None if options.force else previous, progress)
            return _build(Build(options, settings, strategy, folder), loop, warn or _to_stderr, previous)
    finally:
        progress.close()
        shutil.rmtree(folder, ignore_errors=True)


def _build(build: Build, loop: StageLoop, warn: Log, previous: Manifest | None) -> RunResult:
    """The stages, what changed since ``previous`` (the report in OUT), the manifest and the swap.
    The processes forked for the notebooks are stopped once the notebooks are done (or did not run)."""
    build = replace(build, words=_analyst_words(build, warn))
    workers = NotebookWorkers(min(build.options.jobs, len(goal_notebooks(build.strategy))))
    try:
        intake = run_intake(build, loop, workers, warn)
        notebooks = _notebooks_or_keep_failed(build, loop, workers, intake)
    finally:
        workers.close()
    reports = run_assembly(build, loop, notebooks.digest, notebooks.chapters)
    languages = [lang for lang in LANGUAGES if any(report.lang == lang for report in reports.values())]
    changes = record_changes(build, previous, intake.inputs, intake.problems, languages)
    write_manifest(build.folder, _manifest(build, OK, intake, loop.records, reports))
    out = Path(build.options.out)
    swap.put_in_place(build.folder, out)
    wanted = [report_name(build.settings.year, lang, fmt) for lang in build.options.languages for fmt in build.options.formats]
    return RunResult(out, [out / name for name in wanted], loop.records, changes)


def _analyst_words(build: Build, warn: Log) -> AnalystWords:
    """The analyst's texts of the report year, checked before any work: a problem stops the run
    (exit 1), or with ``--allow-partial`` is printed as a warning and its file is left out (the
    data-quality part says so)."""
    words = read_analyst_words(build.options.inputs, build.settings.year, build.strategy)
    for problem in words.warnings:
        warn(str(problem))
    if not words.errors:
        return words
    if not build.options.allow_partial:
        raise InputErrors(words.errors)
    for problem in words.errors:
        warn(text("run.file_left_out", problem=str(problem)))
    return words.without_rejected()


def _notebooks_or_keep_failed(build: Build, loop: StageLoop, workers: NotebookWorkers, intake: IntakeOutcome) -> Executed:
    """Run the notebooks; when one fails, keep the executed notebooks (and the manifest) in
    ``OUT.failed`` and leave ``OUT`` as it was. The error names the kept copy."""
    try:
        return run_notebooks(build, loop, workers)
    except NotebookFailed as failure:
        write_manifest(build.folder, _manifest(build, NOTEBOOK_FAILED, intake, loop.records, {}))
        kept = swap.keep_failed(build.folder, Path(build.options.out), failure)
        raise NotebookFailed(failure.notebook, kept, failure.reason) from None


def _manifest(
    build: Build, status: str, intake: IntakeOutcome, stages: list[StageRecord], reports: dict[str, ReportFile]
) -> Manifest:
    """What the run read, with what, how long each stage took and what it wrote."""
    files = file_digests(build.folder)
    executed = [*goal_notebooks(build.strategy), (SUMMARY, SUMMARY)]
    return Manifest(
        status=status,
        exit_status=0 if status == OK else NotebookFailed.exit_code,
        year=build.settings.year,
        languages=list(build.options.languages),
        formats=list(build.options.formats),
        inputs=intake.inputs,
        problems=intake.problems,
        params=params_record(build.params_dir, build.settings),
        environment=environment(),
        notebooks=notebook_records(files, executed),
        stages=list(stages),
        reports=reports,
        files=files,
    )


def _params(options: RunOptions) -> tuple[Settings, Strategy]:
    """The settings and the strategy of ``options.params_dir``; an unknown language or a missing
    inputs folder fails here, before any work."""
    strategy = load_strategy(options.params_dir)
    for lang in options.languages:
        load_texts(lang, options.params_dir)
    _require_inputs(options.inputs, options.year)
    settings = load_settings(options.params_dir).with_overrides(year=options.year, language=options.languages[0])
    check_target_years(load_targets(options.params_dir, strategy), settings.years[0], options.params_dir)
    return settings, strategy


def _require_inputs(inputs: Path, year: int) -> None:
    if not Path(inputs).is_dir():
        raise UsageError(Message("run.no_inputs_folder", folder=str(inputs)))
    if not (Path(inputs) / str(year)).is_dir():
        raise UsageError(Message("run.no_year_folder", folder=str(Path(inputs) / str(year)), year=year))


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr)


__all__ = ["FORMATS", "PipelineError", "RunOptions", "RunResult", "check_inputs", "report_name", "run", "validate"]
