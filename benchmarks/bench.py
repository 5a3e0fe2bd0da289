"""Benchmark: ``python -m benchmarks.bench`` prints the issue "Speed and memory"'s figures, each a
ratio of two measurements taken side by side in one run, with its target.

The machines are shared and noisy, so nothing here is a timed test: each figure compares two
things measured one after the other on the same machine, in the same run. Every ``run`` is
``pipeline.py run --format all`` on the example data (``write_inputs``), in a fresh folder with
``--force`` unless it says otherwise. The cold runs, the floor and the re-runs are the median
of three rounds (``--rounds``); the naive chain (a minute) is measured once.

1. cold ``run --lang fi`` vs the naive chain (papermill's CLI per notebook, ``jupyter
   nbconvert`` per notebook, WeasyPrint's CLI per page; the notebooks render fi, sv and en, as
   the issue's first measurement did) — target ≤ 0.25;
2. cold ``run --lang fi`` vs the floor (``benchmarks/floor.py``: one process that imports the
   libraries once, executes the notebooks in one language, writes the HTML and the PDF) —
   target ≤ 2;
3. cold ``run --lang all`` vs cold ``run --lang fi`` — target ≤ 1.3;
4. the intake (``load_submissions``: read and every check, no cache) vs a bare calamine read of
   the same workbooks (every sheet to Python lists), in this process, median of three — target ≤ 3;
5. a run on 20 times the example data vs 1 time — target ≤ 1.5 — and the peak memory of the
   whole process tree (PSS, sampled) — targets ≤ 600 MB at 1×, ≤ 800 MB at 20×
   (``--quick`` skips the 20× run);
6. a no-change re-run vs a cold run — target ≤ 0.1;
7. after one cell of one workbook changed: how many workbooks the run read again, from
   ``manifest.json``'s ``inputs[].reused`` — target 1 ("not recorded" where the field is absent).

It also prints where the cold run's time goes, from its manifest's stages, and the CPU time of
the cold runs' process trees with what it implies for targets 1 and 3 together. The exit status is
0 whatever the figures: it is a measurement, not a test; the table says which targets are not met.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

from hki_intl import NOTEBOOKS_DIR, PARAMS_DIR, PROJECT_ROOT
from hki_intl.config.params import LANGUAGES, load_settings, load_strategy
from hki_intl.engine.assembly_stages import report_name
from hki_intl.example import add_pasted_photos, build_example, build_records, submitting_organisations
from hki_intl.intake import load_submissions
from hki_intl.intake.analyst import read_analyst_words
from hki_intl.intake.read import workbook_paths
from hki_intl.intake.tables import TABLES, consolidate, write_tables
from hki_intl.publish.assemble import HEADING
from hki_intl.workbook.excel import workbook_bytes
from hki_intl.workbook.template import build_workbook, template_path

YEARS = [2023, 2024, 2025]
YEAR = 2025
ROUNDS = 3  # the cold runs, the floor, the re-runs, the intake and the bare read: the median of this many
BIN = Path(sys.executable).parent
SCALED_SHEETS = ("Toiminnot", "Vierailut", "Näkyvyys")  # memberships and agreements repeated are refused
SAMPLE_EVERY_S = 0.2


# --- the figures and how they are printed (pure) -------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One figure of the issue: what was measured (None: not measured or not recorded), its
    target (at most ``target``; exactly, if ``exact``) and how both are shown."""

    name: str
    value: float | None
    target: float
    shown: str
    detail: str = ""
    exact: bool = False

    @property
    def met(self) -> bool | None:
        if self.value is None:
            return None
        return self.value == self.target if self.exact else self.value <= self.target

    @property
    def target_shown(self) -> str:
        return f"= {self.target:g}" if self.exact else f"≤ {self.target:g}"


def ratio(name: str, measured: float, baseline: float, target: float, what: str = "") -> Figure:
    """``measured / baseline`` (seconds) against ``target``."""
    detail = f"{_seconds(measured)} vs {_seconds(baseline)}" + (f" ({what})" if what else "")
    return Figure(name, measured / baseline, target, f"{measured / baseline:.2f}", detail)


def _seconds(value: float) -> str:
    return f"{value:.2f} s" if value >= 1 else f"{value:.3f} s"


def memory(name: str, peak_mb: float, target_mb: float) -> Figure:
    return Figure(name, peak_mb, target_mb, f"{peak_mb:.0f} MB", "whole process tree, PSS")


def missing(name: str, target: float, why: str, exact: bool = False) -> Figure:
    return Figure(name, None, target, why, exact=exact)


def rereads(name: str, counted: tuple[int, int] | None) -> Figure:
    """How many workbooks a run read again after one changed (target: exactly that one)."""
    if counted is None:
        return missing(name, 1, "not recorded", exact=True)
    read, total = counted
    return Figure(name, read, 1, f"{read} of {total}", "workbooks re-read", exact=True)


def format_table(figures: Sequence[Figure]) -> str:
    """The final table: figure, measured, target, met; then what is not met."""
    rows = [("figure", "measured", "target", "met", "")]
    rows += [(f.name, f.shown, f.target_shown, {True: "yes", False: "NO", None: "–"}[f.met], f.detail) for f in figures]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[4] for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    not_met = [f.name for f in figures if f.met is False]
    unknown = [f.name for f in figures if f.met is None]
    lines.append("")
    lines.append(f"not met: {'; '.join(not_met)}" if not_met else "every measured target is met")
    if unknown:
        lines.append(f"not measured or not recorded: {'; '.join(unknown)}")
    return "\n".join(line.rstrip() for line in lines)


def stage_breakdown(manifest: dict, launched: float, finished: float) -> list[str]:
    """Where a run's time went, from its manifest's ``stages``: each stage's start and end in
    seconds from the first stage's start, and its duration; then the time before the first stage
    (start-up, imports, reading the params) and after the last (the manifest, the swap into the
    output folder), against the wall time measured outside (``launched``, ``finished``: epoch s)."""
    stages = sorted(manifest.get("stages", []), key=lambda s: s["start"])
    if not stages:
        return ["(the manifest has no stages)"]
    at = lambda iso: dt.datetime.fromisoformat(iso).timestamp()
    first, last = at(stages[0]["start"]), max(at(s["end"]) for s in stages)
    wall = finished - launched
    width = max(len(s["name"]) for s in stages)
    lines = [f"{'stage'.ljust(width)}  start s    end s  duration s"]
    for s in stages:
        reused = "  (reused)" if s.get("cached") else ""
        start, end = at(s["start"]) - first, at(s["end"]) - first
        lines.append(f"{s['name'].ljust(width)}  {start:7.2f}  {end:7.2f}  {s['duration_s']:10.2f}{reused}")
    before, after = first - launched, finished - last
    lines.append(f"before the first stage (start-up, imports, params): {before:.2f} s = {before / wall:.0%} of {wall:.2f} s wall")
    lines.append(f"the stages, first start to last end: {last - first:.2f} s = {(last - first) / wall:.0%}")
    lines.append(f"after the last stage (manifest, swap): {after:.2f} s = {after / wall:.0%}")
    return lines


def reread_count(manifest: dict) -> tuple[int, int] | None:
    """(workbooks read again, workbooks) from ``inputs[].reused``; None when a run did not record it."""
    inputs = manifest.get("inputs", [])
    if not inputs or any(not isinstance(i.get("reused"), bool) for i in inputs):
        return None
    return sum(not i["reused"] for i in inputs), len(inputs)


def compare_headings(floor_html: str, report_html: str) -> str:
    """A sanity check of the floor: does its page have the report's headings, in order?"""
    floor, report = ([m.group(0) for m in HEADING.finditer(html)] for html in (floor_html, report_html))
    if floor == report:
        same = "; byte for byte the same page" if floor_html == report_html else ""
        return f"the floor's HTML has the report's {len(report)} headings, in order{same}"
    first = next(
        (i for i, pair in enumerate(zip(floor, report, strict=False)) if pair[0] != pair[1]), min(len(floor), len(report))
    )
    return (
        f"WARNING: the floor's HTML differs from the report's: {len(floor)} vs {len(report)} headings, "
        f"first difference at heading {first + 1}"
    )


# --- measuring -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    """A subprocess's wall time, its process tree's peak PSS (0 unless sampled), when it was
    launched and ended (epoch seconds, to set its manifest's stages against), and the CPU time
    of its whole process tree (user and system, every process that ended and was waited for)."""

    seconds: float
    peak_mb: float
    launched: float
    finished: float
    cpu_seconds: float = 0.0


def subprocess_env() -> dict[str, str]:
    """This process's environment, with this project first on PYTHONPATH (so a run, its forked
    workers and the floor import the code being measured)."""
    path = os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path}


def timed(command: Sequence[str | Path], cwd: Path = PROJECT_ROOT, memory: bool = False) -> Measured:
    """Run ``command``; its time, and if ``memory`` the peak MB of its whole process tree,
    sampled every 0.2 s (about 2 ms a process a sample, so it is on only where memory is a figure).

    Memory is the proportional set size (PSS) summed over the tree: pages that forked workers
    share are counted once, not once per process as RSS would."""
    launched, started, cpu_before = time.time(), time.perf_counter(), children_cpu_seconds()
    process = subprocess.Popen(
        [str(c) for c in command], cwd=cwd, env=subprocess_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    peak, stop = [0.0], threading.Event()

    def sample() -> None:
        root = psutil.Process(process.pid)
        while not stop.wait(SAMPLE_EVERY_S):
            try:
                tree = [root, *root.children(recursive=True)]
                peak[0] = max(peak[0], sum(p.memory_full_info().pss for p in tree if p.is_running()) / 2**20)
            except psutil.Error:
                pass

    sampler = threading.Thread(target=sample, daemon=True)
    if memory:
        sampler.start()
    _, err = process.communicate()
    seconds = time.perf_counter() - started
    stop.set()
    if memory:
        sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, command))} failed:\n{err.decode(errors='replace')[-2000:]}")
    return Measured(seconds, peak[0], launched, time.time(), children_cpu_seconds() - cpu_before)


def children_cpu_seconds() -> float:
    """The CPU time of this process's ended children and their descendants (each waited for by
    its parent, as a run waits for every process it forks)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def cpu_bound(cold: Measured, every_lang: Measured, naive: float, cores: int) -> list[str]:
    """What the cold runs' CPU time implies on ``cores`` cores: a run cannot take less than its
    CPU time / cores, so "all ≤ 1.3 × fi" needs fi at least (all's CPU / cores) / 1.3 — set
    against the first target (fi ≤ 0.25 of the naive chain)."""
    least_all = every_lang.cpu_seconds / cores
    least_fi = least_all / 1.3
    return [
        f"CPU time of the whole process tree: cold fi {cold.cpu_seconds:.1f} s (in {cold.seconds:.1f} s), "
        f"cold all {every_lang.cpu_seconds:.1f} s (in {every_lang.seconds:.1f} s)",
        f"on {cores} cores cold all takes at least {least_all:.1f} s, so all ≤ 1.3 × fi needs fi ≥ {least_fi:.1f} s, "
        f"{least_fi / naive:.2f} of the naive chain (the first target: ≤ 0.25, {0.25 * naive:.1f} s)",
    ]


def median_of(measured: Sequence[Measured]) -> Measured:
    """The measurement with the median time (of an even number, the higher of the middle two)."""
    return sorted(measured, key=lambda m: m.seconds)[len(measured) // 2]


# --- the inputs ------------------------------------------------------------------------------


def write_inputs(folder: Path, scale: int = 1) -> Path:
    """The example inputs (workbooks, photo files, the analyst's texts), every record sheet of
    each workbook repeated ``scale`` times."""
    strategy = load_strategy()
    build_example(strategy, YEARS, folder)
    if scale == 1:
        return folder
    for year in YEARS:
        for org in submitting_organisations(strategy, year):
            records = build_records(strategy, org, year)
            records = {sheet: rows * (scale if sheet in SCALED_SHEETS else 1) for sheet, rows in records.items()}
            workbook = build_workbook(strategy, org, year, "fi", records=records)
            add_pasted_photos(workbook, org, year)
            template_path(folder, year, org).write_bytes(workbook_bytes(workbook))
    return folder


def change_one_cell(inputs: Path) -> Path:
    """Change one activity's name in one workbook of the report year, one without pasted photos
    (openpyxl drops pictures when it saves, which would be a second change); the workbook."""
    import openpyxl

    path = next(p for p in workbook_paths(inputs, YEAR) if not _has_pictures(p))
    workbook = openpyxl.load_workbook(path)
    cell = workbook["Toiminnot"]["A2"]
    cell.value = f"{cell.value} (muutettu)"
    workbook.save(path)
    return path


def _has_pictures(path: Path) -> bool:
    with zipfile.ZipFile(path) as z:
        return any(name.startswith("xl/media/") for name in z.namelist())


# --- what is measured ----------------------------------------------------------------------------


def pipeline_run(inputs: Path, out: Path, lang: str = "fi", *extra: str) -> list[str]:
    return [
        sys.executable,
        str(PROJECT_ROOT / "pipeline.py"),
        "run",
        "--year",
        str(YEAR),
        "--inputs",
        str(inputs),
        "--out",
        str(out),
        "--lang",
        lang,
        "--format",
        "all",
        "--quiet",
        *extra,
    ]


def floor_command(data_dir: Path, out: Path, inputs: Path) -> list[str]:
    return [sys.executable, "-m", "benchmarks.floor", str(data_dir), str(out), "--inputs", str(inputs), "--year", str(YEAR)]


def naive_chain(inputs: Path, work: Path) -> float:
    """What an analyst would script by hand for the same deliverables: consolidate, papermill's
    CLI per notebook one after another, jupyter nbconvert per notebook, and WeasyPrint's CLI for
    a PDF of each."""
    nb_dir, data_dir = work / "notebooks", work / "data"
    nb_dir.mkdir(parents=True)
    started = time.perf_counter()
    strategy, settings = load_strategy(), load_settings().with_overrides(year=YEAR)
    write_tables(consolidate(load_submissions(inputs, YEARS, strategy, settings)), data_dir)
    words = read_analyst_words(inputs, YEAR, strategy)
    common = {"year": YEAR, "data_dir": "../data", "lang": ",".join(LANGUAGES), "params_dir": str(PARAMS_DIR)}
    given: dict[str, dict[str, object]] = {
        **{goal: {"goal": goal, "commentary": words.part(goal)} for goal in ("competence", "recognition", "influence")},
        "summary": {
            "chapters_dir": ".",
            "report_date": f"{YEAR}-12-31",
            "foreword": words.part("foreword"),
            "outlook": words.part("outlook"),
            "analyst_given": words.given(),
        },
    }
    env = subprocess_env()
    for name in ("competence", "recognition", "influence", "summary"):
        subprocess.run(
            [
                str(BIN / "papermill"),
                str(NOTEBOOKS_DIR / f"{name}.ipynb"),
                str(nb_dir / f"{name}.ipynb"),
                "-y",
                json.dumps({**common, **given[name]}),
                "--cwd",
                str(nb_dir),
                "--no-progress-bar",
                "-k",
                "python3",
            ],
            check=True,
            env=env,
            capture_output=True,
        )
    for name in ("summary", "competence", "recognition", "influence"):
        subprocess.run(
            [str(BIN / "jupyter-nbconvert"), "--to", "html", "--no-input", str(nb_dir / f"{name}.ipynb")],
            check=True,
            env=env,
            capture_output=True,
        )
    for name in ("summary", "competence", "recognition", "influence"):
        subprocess.run(
            [str(BIN / "weasyprint"), str(nb_dir / f"{name}.html"), str(nb_dir / f"{name}.pdf")],
            check=True,
            env=env,
            capture_output=True,
        )
    return time.perf_counter() - started


def intake_seconds(inputs: Path) -> float:
    """The intake as a run does it, without the run's cache: read and check every workbook."""
    strategy, settings = load_strategy(), load_settings().with_overrides(year=YEAR)
    started = time.perf_counter()
    result = load_submissions(inputs, YEARS, strategy, settings)
    took = time.perf_counter() - started
    if result.problems:
        raise SystemExit(f"the example data has problems: {result.problems[:3]}")
    return took


def bare_read_seconds(inputs: Path) -> float:
    """python-calamine alone: open each workbook the intake reads, every sheet to Python lists."""
    from python_calamine import CalamineWorkbook

    paths = [p for year in YEARS for p in workbook_paths(inputs, year)]
    started = time.perf_counter()
    for path in paths:
        workbook = CalamineWorkbook.from_path(str(path))
        for name in workbook.sheet_names:
            workbook.get_sheet_by_name(name).to_python()
    return time.perf_counter() - started


# --- the benchmark, step by step -------------------------------------------------------------


class Log:
    """Progress lines, each with the seconds since the benchmark began."""

    def __init__(self) -> None:
        self.began = time.perf_counter()

    def __call__(self, message: str) -> None:
        print(f"[{time.perf_counter() - self.began:5.0f} s] {message}", flush=True)


@dataclass
class Rounds:
    """What the rounds measured: per round a cold fi run (and its manifest), a no-change re-run,
    the floor, a cold run in every language."""

    cold: list[Measured]
    manifests: list[dict]
    rerun: list[Measured]
    floor: list[Measured]
    every_lang: list[Measured]


def cold_rounds(example: Path, work: Path, count: int, log: Log) -> Rounds:
    """``count`` times, back to back: cold ``--lang fi``, its no-change re-run, the floor on its
    tables, cold ``--lang all``. Each round reads its own copy of the inputs (the last copy is
    the one a cell is changed in afterwards; a run's key holds the inputs' paths)."""
    rounds = Rounds([], [], [], [], [])
    for r in range(1, count + 1):
        inputs, fi = work / f"inputs-r{r}", work / f"fi-r{r}"
        shutil.copytree(example, inputs)
        rounds.cold.append(timed(pipeline_run(inputs, fi, "fi", "--force")))
        rounds.manifests.append(json.loads((fi / "manifest.json").read_text(encoding="utf-8")))
        rounds.rerun.append(timed(pipeline_run(inputs, fi, "fi")))
        rounds.floor.append(timed(floor_command(fi / TABLES, work / f"floor-r{r}", inputs)))
        rounds.every_lang.append(timed(pipeline_run(inputs, work / f"all-r{r}", "all", "--force")))
        log(
            f"round {r} of {count}: cold fi {rounds.cold[-1].seconds:.1f} s, re-run {rounds.rerun[-1].seconds:.1f} s, "
            f"floor {rounds.floor[-1].seconds:.1f} s, cold all {rounds.every_lang[-1].seconds:.1f} s"
        )
    return rounds


def changed_workbook(inputs: Path, out: Path, log: Log) -> Figure:
    """Change one cell of one workbook after a run, run again; how many workbooks it read again."""
    changed = change_one_cell(inputs)
    again = timed(pipeline_run(inputs, out, "fi"))
    log(f"one cell of {changed.relative_to(inputs)} changed: the run took {again.seconds:.1f} s")
    return rereads("one changed workbook: workbooks re-read", reread_count(json.loads((out / "manifest.json").read_text())))


def intake_vs_bare_read(inputs: Path, rounds: int, log: Log) -> Figure:
    """The intake vs a bare read, each once untimed (imports, the files' pages), then the median of ``rounds``."""
    intake_seconds(inputs), bare_read_seconds(inputs)
    pairs = [(intake_seconds(inputs), bare_read_seconds(inputs)) for _ in range(rounds)]
    intake, bare = statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)
    count = sum(len(workbook_paths(inputs, y)) for y in YEARS)
    log(f"intake {intake:.2f} s, bare calamine read {bare:.2f} s ({count} workbooks)")
    return ratio("intake vs bare calamine read", intake, bare, 3, f"{count} workbooks")


def scaled_runs(example: Path, work: Path, scale: int, quick: bool, log: Log) -> list[Figure]:
    """1× then ``scale``× (skipped if ``quick``), back to back, memory sampled in both."""
    if not quick:
        scaled = write_inputs(work / f"inputs-{scale}x", scale)
        log(f"{scale}× inputs written")
    one = timed(pipeline_run(example, work / "mem-1x", "fi", "--force"), memory=True)
    log(f"1× run {one.seconds:.1f} s, peak {one.peak_mb:.0f} MB")
    figures = [memory("peak memory, 1×", one.peak_mb, 600)]
    if quick:
        return [
            missing(f"{scale}× vs 1× run", 1.5, "skipped (--quick)"),
            *figures,
            missing(f"peak memory, {scale}×", 800, "skipped (--quick)"),
        ]
    big = timed(pipeline_run(scaled, work / f"mem-{scale}x", "fi", "--force"), memory=True)
    log(f"{scale}× run {big.seconds:.1f} s, peak {big.peak_mb:.0f} MB")
    return [
        ratio(f"{scale}× vs 1× run", big.seconds, one.seconds, 1.5, "both sampled for memory"),
        *figures,
        memory(f"peak memory, {scale}×", big.peak_mb, 800),
    ]


def describe_machine() -> str:
    return (
        f"machine: {platform.machine()}, {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.2f}"
    )


def run_benchmark(work: Path, scale: int, quick: bool, rounds: int = ROUNDS) -> list[Figure]:
    """Every figure, measured in the order that keeps each pair close together."""
    log = Log()
    print(describe_machine(), flush=True)
    example = write_inputs(work / "inputs-1x")
    from hki_intl.publish.assemble import chart_library

    chart_library()  # a tool cache (the inlined chart library), built once per installation
    log("example inputs written; the naive chain (once, about a minute)")
    naive = naive_chain(example, work / "naive")
    log(f"naive chain {naive:.1f} s; {rounds} rounds of cold fi, re-run, floor, cold all")
    measured = cold_rounds(example, work, rounds, log)
    changed = changed_workbook(work / f"inputs-r{rounds}", work / f"fi-r{rounds}", log)
    intake = intake_vs_bare_read(example, rounds, log)
    scaled = scaled_runs(example, work, scale, quick, log)

    cold, floor, every_lang = median_of(measured.cold), median_of(measured.floor), median_of(measured.every_lang)
    rerun = median_of(measured.rerun)
    chosen = measured.cold.index(cold)
    report = work / f"fi-r{chosen + 1}" / report_name(YEAR, "fi", "html")
    floor_page = work / f"floor-r{chosen + 1}" / report_name(YEAR, "fi", "html")
    print(f"\nfloor check: {compare_headings(floor_page.read_text('utf-8'), report.read_text('utf-8'))}")
    print(f"\nwhere the cold fi run's time goes (round {chosen + 1}, the median, {cold.seconds:.2f} s):")
    print("\n".join("  " + line for line in stage_breakdown(measured.manifests[chosen], cold.launched, cold.finished)))
    print("\n".join(["", *cpu_bound(cold, every_lang, naive, os.cpu_count() or 1)]))
    return [
        ratio("cold fi vs naive chain", cold.seconds, naive, 0.25, "naive measured once"),
        ratio("cold fi vs floor", cold.seconds, floor.seconds, 2),
        ratio("cold all vs cold fi", every_lang.seconds, cold.seconds, 1.3),
        intake,
        *scaled,
        ratio("no-change re-run vs cold fi", rerun.seconds, cold.seconds, 0.1),
        changed,
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=20, help="times the example data for the large run (default 20)")
    parser.add_argument("--quick", action="store_true", help="skip the large run (the 1× memory is still measured)")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"rounds to take the median of (default {ROUNDS})")
    parser.add_argument("--workdir", type=Path, help="keep the files in this empty folder (default: a temporary folder)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hki-bench-") as tmp:
        work = args.workdir or Path(tmp)
        figures = run_benchmark(work, args.scale, args.quick, max(1, args.rounds))
    medians = f"cold runs, floor, re-runs, intake and bare read: the median of {max(1, args.rounds)}; the naive chain once"
    print(f"\nthe figures ({medians}):\n{format_table(figures)}", flush=True)
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (the machine is shared: compare with the start)")


if __name__ == "__main__":
    main()
