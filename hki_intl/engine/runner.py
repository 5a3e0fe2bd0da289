"""The pipeline's commands as functions: validate and run (templates and example live in
their own modules).

``run`` is staged — intake, the goal notebooks (concurrently), the summary notebook, the
assembly of each report file — and each stage is keyed by the content hash of what it reads.
A stage whose key matches the previous run's manifest is reused, not repeated: with nothing
changed, no kernel starts; with only the language or format changed, only the assembly runs.
Everything is built in a temporary folder beside the output and moved into place only when
complete, so a failed or interrupted run never leaves less than there was.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import re
import shutil
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from hki_intl import NOTEBOOKS_DIR, PARAMS_DIR, __version__
from hki_intl.config.params import LANGUAGES, Settings, Strategy, load_strategy, load_texts
from hki_intl.engine.fingerprint import code_fingerprint, combine, notebook_fingerprints, params_fingerprint, sha256_file
from hki_intl.engine.kernels import WarmKernels, run_notebook
from hki_intl.engine.outputs import (
    MANIFEST,
    carry_over_checkpoints,
    check_ours,
    check_out,
    failed_folder,
    is_checkpoint,
    prepare_build,
    writing,
)
from hki_intl.engine.progress import Progress
from hki_intl.errors import InputErrors, NotebookFailed, PipelineError, Problem, UsageError, collapse, count_line
from hki_intl.intake.read import IntakeResult, load_submissions, workbook_paths
from hki_intl.intake.tables import consolidate, write_tables
from hki_intl.report.goals import notebook_of

SUMMARY = "summary"
FORMATS = ("html", "pdf")
DIRECT_DEPENDENCIES = ("papermill", "nbconvert", "nbformat", "ipykernel", "pandas", "python-calamine", "openpyxl",
                       "altair", "vl-convert-python", "scrapbook", "pandera", "weasyprint", "PyYAML")
Log = Callable[[str], None]


@dataclass
class RunResult:
    out_dir: Path
    reports: list[Path]
    intake: IntakeResult | None
    stages: list[dict] = field(default_factory=list)


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
        raise InputErrors(result.all_problems)
    return result


def run(inputs: Path, out_dir: Path, settings: Settings, params_dir: Path = PARAMS_DIR,
        jobs: int | None = None, progress: Progress | None = None, allow_partial: bool = False,
        warn: Log | None = None, languages: list[str] | None = None, formats: tuple[str, ...] = FORMATS,
        force: bool = False) -> RunResult:
    """Validate, consolidate, execute the notebooks and assemble the report into ``out_dir``,
    one file per language in ``languages`` (default: the settings' language) and format."""
    progress = progress or Progress(stream=None)
    strategy = load_strategy(params_dir)
    languages = languages or [settings.language]
    for lang in languages:
        load_texts(lang, params_dir)  # an unknown language fails before any work
    _require_inputs(inputs, settings.year)
    out_dir = Path(out_dir)
    # Before any work: refuse an output whose replacement would delete what is not ours, and
    # one that cannot be written (a wrong --out then costs nothing, whatever the inputs hold).
    check_out(out_dir, Path(inputs), Path(params_dir))
    build = _building(out_dir, os.getpid())
    places = (out_dir, build, _aside(out_dir, os.getpid()), failed_folder(out_dir))
    try:
        with writing(*places):
            _recover(out_dir)
        prepare_build(build, out_dir)
        with writing(*places):
            previous = {} if force else read_manifest(out_dir)
            job = _Run(Path(inputs), out_dir, settings, strategy, Path(params_dir).resolve(),
                       jobs or os.cpu_count() or 1, progress, allow_partial, warn or _to_stderr, languages, formats,
                       previous)
            reports = _build_into(job, build, out_dir)
    finally:
        shutil.rmtree(build, ignore_errors=True)
    return RunResult(out_dir, [out_dir / r.name for r in reports], job.intake, job.stages)


def _build_into(job: _Run, build: Path, out_dir: Path) -> list[Path]:
    """Build the report in ``build`` and put it in place of ``out_dir``; when a notebook fails,
    keep the executed notebooks in ``OUT.failed`` instead and leave ``out_dir`` as it was."""
    try:
        reports = job.build(build)
        job.write_manifest(build, "ok")
        check_ours(out_dir)  # again: files someone put in it during the run must not go with it
        carry_over_checkpoints(out_dir, build)
        _replace(build, out_dir)
    except NotebookFailed as failure:
        job.write_manifest(build, "notebook failed")
        kept = _keep_failed(build, out_dir, failure)
        raise NotebookFailed(failure.notebook, kept, failure.reason) from None
    return reports


@dataclass
class _Run:
    inputs: Path
    out_dir: Path
    settings: Settings
    strategy: Strategy
    params_dir: Path
    jobs: int
    progress: Progress
    allow_partial: bool
    warn: Log
    languages: list[str]
    formats: tuple[str, ...]
    previous: dict
    intake: IntakeResult | None = None
    stages: list[dict] = field(default_factory=list)
    input_files: list[dict] = field(default_factory=list)
    reports: dict[str, dict] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    kernels: WarmKernels | None = None

    # --- stages -------------------------------------------------------------------------
    def build(self, build: Path) -> list[Path]:
        try:
            self._intake(build)
            self._notebooks(build)
        finally:
            if self.kernels:
                self.kernels.close()
        return self._assembly(build)

    def _intake(self, build: Path) -> None:
        years = [y for y in self.settings.years if (self.inputs / str(y)).is_dir()]
        files = [p for y in years for p in workbook_paths(self.inputs, y)]
        self.input_files = [{"path": str(p), "sha256": sha256_file(p), "year": int(p.parent.name)} for p in files]
        key = combine(inputs=[(f["path"], f["sha256"]) for f in self.input_files], years=years,
                      params=params_fingerprint(self.params_dir), code=code_fingerprint(),
                      allow_partial=self.allow_partial, settings=_settings_dict(self.settings))
        reused = self._reuse("intake", key, build, ["data"])
        if not reused:
            # New data almost always means the notebooks run: warm their kernels meanwhile.
            goals = len(self.strategy.data["goals"])
            (build / "notebooks").mkdir(exist_ok=True)
            self.kernels = WarmKernels(goals + 1, build / "notebooks")
        with self._stage("intake", key, cached=reused):
            if reused:
                self.input_files = self.previous["inputs"]
                problems = [Problem(**p) for p in self.previous.get("problems", [])]
                if problems:
                    self._warn_partial(problems, {p.file for p in problems if p.is_error})
                return
            self.progress.message(f"reading workbooks for {', '.join(map(str, years))} from {self.inputs}")
            self.intake = load_submissions(self.inputs, years, self.strategy, self.settings)
            if self.intake.problems and not self.allow_partial:
                raise InputErrors(self.intake.all_problems)
            if self.intake.all_problems:
                self._warn_partial(collapse(self.intake.all_problems), set(self.intake.rejected))
            if not any(s.year == self.settings.year for s in self.intake.submissions):
                raise InputErrors([Problem(str(self.inputs / str(self.settings.year)),
                                           message="no workbooks; put <organisation-id>.xlsx files in this folder")])
            accepted = {str(s.path): s for s in self.intake.submissions}
            for entry in self.input_files:
                sub = accepted.get(entry["path"])
                entry.update(accepted=sub is not None, organisation=sub.organisation if sub else None,
                             template_version=sub.template_version if sub else None)
            write_tables(consolidate(self.intake), build / "data")

    def _notebooks(self, build: Path) -> None:
        nb_dir = build / "notebooks"
        nb_dir.mkdir(exist_ok=True)
        data_key = combine(**{p.name: sha256_file(p) for p in sorted((build / "data").glob("*.csv"))})
        # (goal id, its notebook): the executed copy is named by the goal (two goals may share
        # the generic notebook), and the goal's id is one of its parameters.
        goals = [(str(g["id"]), notebook_of(g)) for g in self.strategy.data["goals"]]
        # Paths are relative to the executed notebooks' folder, so an analyst can open and
        # re-run a notebook in place. The notebooks render every report language; the
        # assembly picks one per report file.
        common = {"year": self.settings.year, "data_dir": "../data", "lang": ",".join(LANGUAGES),
                  "params_dir": str(self.params_dir)}
        base = dict(data=data_key, params=params_fingerprint(self.params_dir), code=code_fingerprint(),
                    notebooks=notebook_fingerprints(), parameters=common)
        todo = []
        for goal, notebook in goals:
            key = combine(**base, notebook=notebook, goal=goal)
            if self._reuse(f"notebook {goal}", key, build, [f"notebooks/{goal}.ipynb"]):
                self._record(f"notebook {goal}", key, cached=True)
            else:
                todo.append((goal, notebook, key))
        if todo:
            with ThreadPoolExecutor(max_workers=min(self.jobs, len(todo)) + 1) as pool:
                pool.submit(_import_assembly_modules)  # this process is idle while kernels work
                futures = [pool.submit(self._run_notebook, nb_dir, goal, key, {**common, "goal": goal}, notebook)
                           for goal, notebook, key in todo]
                for future in futures:
                    future.result()
        summary_params = {**common, "chapters_dir": ".", "report_date": self.settings.date.isoformat()}
        goal_outputs = {goal: sha256_file(nb_dir / f"{goal}.ipynb") for goal, _ in goals}
        key = combine(**base, notebook=SUMMARY, goals=goal_outputs, parameters_summary=summary_params)
        if self._reuse(f"notebook {SUMMARY}", key, build, [f"notebooks/{SUMMARY}.ipynb"]):
            self._record(f"notebook {SUMMARY}", key, cached=True)
        else:
            self._run_notebook(nb_dir, SUMMARY, key, summary_params)
        self.keys["notebooks"] = combine(**{p.name: sha256_file(p) for p in sorted(nb_dir.glob("*.ipynb"))})

    def _run_notebook(self, nb_dir: Path, name: str, key: str, parameters: dict, notebook: str | None = None) -> None:
        """Execute ``notebooks/<notebook>.ipynb`` (default: ``name``) into ``<nb_dir>/<name>.ipynb``."""
        with self._stage(f"notebook {name}", key, cached=False):
            run_notebook(NOTEBOOKS_DIR / f"{notebook or name}.ipynb", nb_dir / f"{name}.ipynb", parameters,
                         cwd=nb_dir, kernels=self.kernels)

    def _assembly(self, build: Path) -> list[Path]:
        wanted = [(lang, fmt) for lang in self.languages for fmt in self.formats]
        todo, written = [], []
        for lang, fmt in wanted:
            name = report_name(self.settings.year, lang, fmt)
            key = combine(notebooks=self.keys["notebooks"], lang=lang, fmt=fmt, code=code_fingerprint(),
                          params=params_fingerprint(self.params_dir), date=self.settings.date.isoformat())
            if self._reuse(f"assembly {name}", key, build, [name]):
                self._record(f"assembly {name}", key, cached=True)
                self._note_report(build / name, lang, fmt, key)
                written.append(build / name)
            else:
                todo.append((lang, fmt, name, key))
        if todo:
            for _, _, name, _ in todo:
                self.progress.start(f"assembly {name}")
            workers = min(self.jobs, len(todo))
            # PDFs are CPU-bound Python (WeasyPrint): several go to worker processes, forked
            # from this one after it imported the assembly's modules (while the notebooks ran).
            parallel = workers > 1 and any(f == "pdf" for _, f, _, _ in todo)
            started = _now()
            pool = (ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
                    if parallel else ThreadPoolExecutor(max_workers=1))
            with pool:
                futures = [(lang, fmt, name, key, pool.submit(assemble_file, str(build), self.settings.year, lang, fmt,
                                                              self.settings.date.isoformat(), str(self.params_dir)))
                           for lang, fmt, name, key in todo]
                for lang, fmt, name, key, future in futures:
                    future.result()
                    self.progress.done(f"assembly {name}")
                    self.stages.append(_stage_entry(f"assembly {name}", key, started, _now(), False))
                    self._note_report(build / name, lang, fmt, key)
                    written.append(build / name)
        self._carry_over_reports(build)
        order = [build / report_name(self.settings.year, lang, fmt) for lang, fmt in wanted]
        return sorted(written, key=order.index)  # in the order asked for: languages, then formats

    def _carry_over_reports(self, build: Path) -> None:
        """Report files of other languages or formats from the previous run stay, if they were
        made from exactly the same notebooks and code (they are still right)."""
        for name, entry in self.previous.get("reports", {}).items():
            if name in self.reports:
                continue
            key = combine(notebooks=self.keys["notebooks"], lang=entry["lang"], fmt=entry["format"],
                          code=code_fingerprint(), params=params_fingerprint(self.params_dir),
                          date=self.settings.date.isoformat())
            source = self.out_dir / name
            if entry.get("key") == key and source.is_file() and sha256_file(source) == entry.get("sha256"):
                shutil.copy2(source, build / name)
                self._note_report(build / name, entry["lang"], entry["format"], key)

    # --- bookkeeping ----------------------------------------------------------------------
    def _reuse(self, stage: str, key: str, build: Path, outputs: list[str]) -> bool:
        """Copy a stage's outputs from the previous run when its key is unchanged."""
        before = {s["name"]: s for s in self.previous.get("stages", [])}.get(stage)
        if not before or before.get("key") != key:
            return False
        recorded = self.previous.get("files", {})
        sources = []
        for output in outputs:
            source = self.out_dir / output
            files = [source] if source.is_file() else sorted(
                p for p in source.rglob("*") if p.is_file() and not is_checkpoint(p.relative_to(source).as_posix()))
            if not files:
                return False
            for path in files:
                relative = path.relative_to(self.out_dir).as_posix()
                if recorded.get(relative) != sha256_file(path):
                    return False  # edited or damaged since: never reuse a stale result
                sources.append(path)
        for path in sources:
            target = build / path.relative_to(self.out_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        return True

    def _stage(self, name: str, key: str, cached: bool):
        return _StageTimer(self, name, key, cached)

    def _record(self, name: str, key: str, cached: bool) -> None:
        now = _now()
        self.stages.append(_stage_entry(name, key, now, now, cached))
        self.progress.done(name, cached=True)

    def _note_report(self, path: Path, lang: str, fmt: str, key: str) -> None:
        self.reports[path.name] = {"lang": lang, "format": fmt, "key": key, "sha256": sha256_file(path)}

    def _warn_partial(self, problems: list[Problem], files: set[str]) -> None:
        """``--allow-partial``: every problem as a warning line; the workbooks with problems are
        left out, and ``data/problems.csv`` (the report's data-quality part) names them and why."""
        for problem in sorted(problems):
            self.warn(str(problem))
        names = sorted(Path(f).name for f in files)
        if not names:  # warnings only: every workbook is in the report
            self.warn(count_line(problems))
            return
        count = len(problems)
        self.warn(f"{count} problem{'s' if count != 1 else ''} found; the report leaves out {len(names)} "
                  f"workbook{'s' if len(names) != 1 else ''} ({', '.join(names)}) and names them in its "
                  f"data-quality part.")

    def write_manifest(self, build: Path, status: str) -> None:
        """``manifest.json``: what the run read, with what, how long each stage took, what it wrote."""
        problems = (collapse(self.intake.all_problems) if self.intake
                    else [Problem(**p) for p in self.previous.get("problems", [])])
        files = {p.relative_to(build).as_posix(): sha256_file(p) for p in sorted(build.rglob("*"))
                 if p.is_file() and p.name != MANIFEST}
        manifest = {
            "tool": "hki_intl", "version": __version__, "status": status,
            "exit_status": 0 if status == "ok" else 3,
            "year": self.settings.year, "languages": self.languages, "formats": list(self.formats),
            "inputs": self.input_files,
            "problems": [{"file": p.file, "sheet": p.sheet, "row": p.row, "column": p.column, "cell": p.cell,
                          "message": p.message, "severity": p.severity} for p in problems],
            "params": {"folder": str(self.params_dir), "settings": _settings_dict(self.settings),
                       "files": {p.name: sha256_file(p) for p in sorted(self.params_dir.glob("*.yaml"))}},
            "environment": _environment(),
            "notebooks": {name: {"source_sha256": digest,
                                 "executed_sha256": files.get(f"notebooks/{name}.ipynb")}
                          for name, digest in notebook_fingerprints().items()},
            "stages": self.stages,
            "reports": self.reports,
            "files": files,
        }
        (build / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


class _StageTimer:
    def __init__(self, job: _Run, name: str, key: str, cached: bool):
        self.job, self.name, self.key, self.cached = job, name, key, cached

    def __enter__(self):
        self.started = _now()
        if not self.cached:
            self.job.progress.start(self.name)
        return self

    def __exit__(self, kind, value, traceback):
        if kind is None:
            self.job.stages.append(_stage_entry(self.name, self.key, self.started, _now(), self.cached))
            self.job.progress.done(self.name, cached=self.cached)
        return False


def _import_assembly_modules() -> None:
    import weasyprint  # noqa: F401

    from hki_intl.publish import assemble, pdf  # noqa: F401


def assemble_file(build: str, year: int, lang: str, fmt: str, report_date: str, params_dir: str) -> str:
    """Write one report file from the executed notebooks (runs in a worker process)."""
    from hki_intl.publish.assemble import export_html, merge_notebooks
    from hki_intl.publish.pdf import write_pdf

    build_dir, nb_dir = Path(build), Path(build) / "notebooks"
    texts = load_texts(lang, Path(params_dir))
    goals = load_strategy(Path(params_dir)).goals.ids  # each goal's executed notebook is named by its id
    merged = merge_notebooks(nb_dir / f"{SUMMARY}.ipynb", [nb_dir / f"{g}.ipynb" for g in goals], lang)
    title = texts("report.title", year=year)
    path = build_dir / report_name(year, lang, fmt)
    if fmt == "html":
        path.write_text(export_html(merged, lang, title, texts("report.contents")), encoding="utf-8")
    else:
        static = export_html(merged, lang, title, texts("report.contents"), interactive=False,
                             report_date=dt.date.fromisoformat(report_date))
        write_pdf(static, path, dt.date.fromisoformat(report_date))
    return str(path)


def read_manifest(out_dir: Path) -> dict:
    """The previous run's manifest, or {} when there is none or it cannot be read."""
    try:
        manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) and manifest.get("status") == "ok" else {}


def _stage_entry(name: str, key: str, start: dt.datetime, end: dt.datetime, cached: bool) -> dict:
    return {"name": name, "key": key, "start": start.isoformat(timespec="milliseconds"),
            "end": end.isoformat(timespec="milliseconds"),
            "duration_s": round((end - start).total_seconds(), 3), "cached": cached}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _settings_dict(settings: Settings) -> dict:
    return {"year": settings.year, "compare_years": settings.compare_years, "report_date": settings.date.isoformat(),
            "template_version": settings.template_version,
            "accepted_template_versions": list(settings.accepted_template_versions)}


def _environment() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    packages = {}
    for name in DIRECT_DEPENDENCIES:
        try:
            packages[name] = version(name)
        except PackageNotFoundError:
            packages[name] = None
    return {"python": sys.version.split()[0], "hki_intl": __version__, "packages": packages,
            "code_sha256": code_fingerprint()}


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr)


def _replace(build: Path, out_dir: Path) -> None:
    """Put the finished build in place of ``out_dir``; the old one is removed only after.

    Between the two renames the old report is at ``.<name>.previous-<pid>``; if the process
    dies right there, the next run puts it back (:func:`_recover`).
    """
    previous = _aside(out_dir, os.getpid())
    if out_dir.exists():
        os.replace(out_dir, previous)
    os.replace(build, out_dir)
    shutil.rmtree(previous, ignore_errors=True)


def _building(out_dir: Path, pid: int) -> Path:
    """Where the run of process ``pid`` builds the report: beside ``out_dir``, hidden."""
    return out_dir.parent / f".{out_dir.name}.building-{pid}"


def _aside(out_dir: Path, pid: int) -> Path:
    """Where the run of process ``pid`` moves the old report while it puts the new one in place."""
    return out_dir.parent / f".{out_dir.name}.previous-{pid}"


def _recover(out_dir: Path) -> None:
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
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _keep_failed(build: Path, out_dir: Path, failure: NotebookFailed) -> Path:
    """Keep the failed run's executed notebooks (and manifest) beside the output, not in it."""
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


def _require_inputs(inputs: Path, year: int) -> None:
    if not Path(inputs).is_dir():
        raise UsageError(f"{inputs}: the inputs folder does not exist; give --inputs the folder that holds "
                         f"<year>/<organisation-id>.xlsx")
    if not (Path(inputs) / str(year)).is_dir():
        raise UsageError(f"{Path(inputs) / str(year)}: no folder for {year}; put the {year} workbooks there")


__all__ = ["FORMATS", "PipelineError", "RunResult", "check_inputs", "read_manifest", "report_name", "run", "validate"]
