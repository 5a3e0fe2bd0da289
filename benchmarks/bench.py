"""Benchmark: ``python -m benchmarks.bench`` prints ratios measured side by side in one run.

The machines are shared and noisy, so nothing here is a timed test: each figure is a ratio of
two measurements taken one after the other on the same machine, in the same run.

1. a cold ``run`` on the example data vs the naive chain an analyst would script by hand
   (papermill's CLI for each notebook one after another, ``jupyter nbconvert`` for each, and
   WeasyPrint's CLI for a PDF) — target ≤ 0.5;
2. a no-change re-run vs a cold run — target ≤ 0.1;
3. a run on 20 times the example data vs 1 time — target ≤ 2 — with peak memory (the whole
   process tree, sampled) — target ≤ 1.5 GB;
4. reading and validating all workbooks with the calamine engine vs openpyxl.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from hki_intl import NOTEBOOKS_DIR, PARAMS_DIR, PROJECT_ROOT
from hki_intl.config.params import LANGUAGES, load_settings, load_strategy
from hki_intl.example import add_pasted_photos, build_example, build_records, submitting_organisations
from hki_intl.intake import load_submissions
from hki_intl.intake.analyst import read_analyst_words
from hki_intl.intake.tables import consolidate, write_tables
from hki_intl.workbook.excel import workbook_bytes
from hki_intl.workbook.template import build_workbook, template_path

YEARS = [2023, 2024, 2025]
YEAR = 2025
BIN = Path(sys.executable).parent
SCALED_SHEETS = ("Toiminnot", "Vierailut", "Näkyvyys")  # memberships and agreements repeated are refused


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


def timed(command: list[str], cwd: Path = PROJECT_ROOT, memory: bool = False) -> tuple[float, float]:
    """Run ``command``; return (seconds, peak MB of its whole process tree if ``memory``, sampled
    every 0.2 s; sampling costs CPU, so the timing comparisons run without it).

    Memory is the proportional set size (PSS) summed over the tree: pages that forked workers
    and kernels share are counted once, not once per process as RSS would."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak, stop = [0.0], threading.Event()

    def sample() -> None:
        root = psutil.Process(process.pid)
        while not stop.wait(0.2):
            try:
                tree = [root, *root.children(recursive=True)]
                peak[0] = max(peak[0], sum(p.memory_full_info().pss for p in tree if p.is_running()) / 2**20)
            except psutil.Error:
                pass

    sampler = threading.Thread(target=sample, daemon=True)
    if memory:
        sampler.start()
    _, err = process.communicate()
    stop.set()
    if memory:
        sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, command))} failed:\n{err.decode(errors='replace')[-2000:]}")
    return time.perf_counter() - started, peak[0]


def pipeline_run(inputs: Path, out: Path, *extra: str) -> list[str]:
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
        "fi",
        "--quiet",
        *extra,
    ]


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
    given = {
        **{goal: {"goal": goal, "commentary": words.part(goal)} for goal in ("competence", "recognition", "influence")},
        "summary": {
            "chapters_dir": ".",
            "report_date": f"{YEAR}-12-31",
            "foreword": words.part("foreword"),
            "outlook": words.part("outlook"),
            "analyst_given": words.given(),
        },
    }
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
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


def read_and_validate(inputs: Path, engine: str) -> float:
    """Intake of every workbook with calamine (ours) or with openpyxl swapped in."""
    from hki_intl.intake import read as intake

    strategy, settings = load_strategy(), load_settings().with_overrides(year=YEAR)
    original = intake.read_workbook
    if engine == "openpyxl":
        import pandas as pd

        from hki_intl.workbook.excel import WorkbookContents, inspect_workbook

        def read_with_openpyxl(path: Path, wanted=None) -> WorkbookContents:
            inspection = inspect_workbook(path)
            frames = pd.read_excel(path, sheet_name=None, header=None, engine="openpyxl", dtype=object)
            sheets = {
                str(n): f.astype(object).where(f.notna(), None).values.tolist()
                for n, f in frames.items()
                if wanted is None or n in wanted
            }
            return WorkbookContents(
                sheets,
                inspection.sheet_names,
                inspection.defined_names,
                {n: inspection.scans[n].merged for n in sheets if n in inspection.scans},
            )

        intake.read_workbook = read_with_openpyxl
    try:
        started = time.perf_counter()
        result = load_submissions(inputs, YEARS, strategy, settings)
        took = time.perf_counter() - started
    finally:
        intake.read_workbook = original
    if result.problems:
        raise SystemExit(f"{engine}: the example data has problems: {result.problems[:3]}")
    return took


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=20, help="times the example data for figure 3 (default 20)")
    parser.add_argument("--workdir", type=Path, help="keep the files here (default: a temporary folder)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hki-bench-") as tmp:
        work = args.workdir or Path(tmp)
        print(
            f"machine: {platform.machine()}, {os.cpu_count()} cores, "
            f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}",
            flush=True,
        )
        one = write_inputs(work / "inputs-1x")
        from hki_intl.publish.assemble import chart_library

        chart_library()  # a tool cache (the inlined chart library), built once per installation

        cold, _ = timed(pipeline_run(one, work / "ours", "--force"))
        naive = naive_chain(one, work / "naive")
        rerun, _ = timed(pipeline_run(one, work / "ours"))
        print(f"1. cold run {cold:.1f} s vs naive chain {naive:.1f} s: ratio {cold / naive:.2f} (target ≤ 0.5)", flush=True)
        print(f"2. no-change re-run {rerun:.1f} s vs cold run {cold:.1f} s: ratio {rerun / cold:.3f} (target ≤ 0.1)", flush=True)

        scaled = write_inputs(work / f"inputs-{args.scale}x", args.scale)
        base, _ = timed(pipeline_run(one, work / "ours-1x", "--force"))
        big, _ = timed(pipeline_run(scaled, work / f"ours-{args.scale}x", "--force"))
        _, base_peak = timed(pipeline_run(one, work / "ours-1x", "--force"), memory=True)
        _, big_peak = timed(pipeline_run(scaled, work / f"ours-{args.scale}x", "--force"), memory=True)
        print(
            f"3. run on {args.scale}× data {big:.1f} s vs 1× {base:.1f} s: ratio {big / base:.2f} (target ≤ 2); "
            f"peak memory {big_peak:.0f} MB vs {base_peak:.0f} MB (target ≤ 1536 MB)",
            flush=True,
        )

        calamine = read_and_validate(one, "calamine")
        openpyxl_time = read_and_validate(one, "openpyxl")
        print(
            f"4. read and validate {len(list(one.rglob('*.xlsx')))} workbooks: calamine {calamine:.2f} s vs "
            f"openpyxl {openpyxl_time:.2f} s: ratio {calamine / openpyxl_time:.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
