"""The floor: the least this stack can do to make the report, in one process, one step after another.

``python -m benchmarks.floor DATA_DIR OUT_DIR --inputs INPUTS --year YEAR`` imports the
report's libraries once, executes the code cells of the report's notebooks (each goal's, then
the summary) with ``lang="fi"`` in one IPython shell, capturing what each cell displays into an
nbformat notebook, merges them and writes the HTML page and the PDF with the project's own
functions. It reads the consolidated tables of a finished run (``DATA_DIR``, that run's
``cache/tables/``): the floor has no intake. No kernels, no papermill, no parallelism, no cache.

The benchmark runs it as a subprocess, so its interpreter's start-up and its imports are timed
too. It is a lower bound for one report in one language made with these libraries: every chart,
table and page is made exactly once, nothing else is done.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
from pathlib import Path

import nbformat
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from hki_intl import NOTEBOOKS_DIR
from hki_intl.config.params import load_settings, load_strategy, load_texts
from hki_intl.engine.assembly_stages import report_name
from hki_intl.engine.execute import WARM_MODULES
from hki_intl.engine.notebook_stages import SUMMARY, goal_notebooks, goal_parameters, summary_parameters
from hki_intl.engine.options import RunOptions
from hki_intl.engine.stages import Build
from hki_intl.intake.analyst import read_analyst_words
from hki_intl.publish.assemble import merge_notebooks, notebook_body, page
from hki_intl.publish.pdf import write_pdf

LANG = "fi"


class FloorError(RuntimeError):
    """A notebook cell failed in the floor's shell."""


def execute_notebook(shell: InteractiveShell, source: Path, given: dict[str, object], executed: Path) -> Path:
    """Run ``source``'s code cells in ``shell`` (a fresh namespace; its parameters cell replaced
    by ``given``) and write what each cell displayed to ``executed``, as papermill would."""
    notebook = nbformat.read(source, as_version=4)
    shell.reset(new_session=False)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        if "parameters" in cell.metadata.get("tags", []):
            cell.source = "\n".join(f"{name} = {value!r}" for name, value in given.items())
        with capture_output(stdout=True, stderr=True, display=True) as captured:
            result = shell.run_cell(cell.source, store_history=False)
        if not result.success:
            raise FloorError(
                f"{source.name}: a cell failed:\n{cell.source}\n{result.error_in_exec or result.error_before_exec!r}"
            )
        cell.outputs = [nbformat.v4.new_output("display_data", data=o.data, metadata=o.metadata) for o in captured.outputs]
    nbformat.write(notebook, executed)
    return executed


def import_libraries() -> None:
    """What the run's notebook workers import before their first notebook (pandas, Altair, vl-convert…)."""
    for module in WARM_MODULES:
        importlib.import_module(module)


def make_report(data_dir: Path, out_dir: Path, inputs: Path, year: int) -> list[Path]:
    """Execute the notebooks in one language, then write the HTML page and the PDF."""
    strategy, settings = load_strategy(), load_settings().with_overrides(year=year)
    build = Build(
        RunOptions(inputs, out_dir, year, (LANG,)), settings, strategy, out_dir, read_analyst_words(inputs, year, strategy)
    )
    executed = out_dir / "notebooks"
    executed.mkdir(parents=True, exist_ok=True)
    local = {"lang": LANG, "data_dir": str(data_dir.resolve())}
    shell = InteractiveShell.instance()
    goals = [
        execute_notebook(
            shell, NOTEBOOKS_DIR / f"{nb}.ipynb", {**goal_parameters(build, goal), **local}, executed / f"{goal}.ipynb"
        )
        for goal, nb in goal_notebooks(strategy)
    ]
    given = {**summary_parameters(build), **local, "chapters_dir": str(executed)}
    summary = execute_notebook(shell, NOTEBOOKS_DIR / f"{SUMMARY}.ipynb", given, executed / f"{SUMMARY}.ipynb")

    body = notebook_body(merge_notebooks(summary, goals, LANG))  # nbconvert once for both pages
    texts, date = load_texts(LANG), settings.date
    title, contents = texts("report.title", year=year), texts("report.contents")
    html, pdf = out_dir / report_name(year, LANG, "html"), out_dir / report_name(year, LANG, "pdf")
    html.write_text(page(body, LANG, title, contents), encoding="utf-8")
    write_pdf(page(body, LANG, title, contents, interactive=False, report_date=date), pdf, date)
    return [html, pdf]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.floor", description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path, help="a finished run's cache/tables/ folder (the consolidated tables)")
    parser.add_argument("out_dir", type=Path, help="where the executed notebooks, the HTML page and the PDF go")
    parser.add_argument("--inputs", type=Path, required=True, help="the inputs folder (the analyst's texts)")
    parser.add_argument("--year", type=int, required=True)
    args = parser.parse_args(argv)
    import_libraries()
    started = dt.datetime.now()
    for path in make_report(args.data_dir, args.out_dir, args.inputs, args.year):
        print(f"written: {path}")
    print(f"floor: {(dt.datetime.now() - started).total_seconds():.1f} s after the imports")


if __name__ == "__main__":
    main()
