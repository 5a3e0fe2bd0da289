"""Running a notebook: papermill with the in-process engine, in this process or in workers
forked for it. What a notebook gets out is what a Jupyter kernel would have given: displays
with their metadata, printed text, a cell's value, an error with its traceback, scraps that
scrapbook reads back; and each notebook starts from an empty namespace."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import psutil
import pytest
import scrapbook as sb

from hki_intl import PROJECT_ROOT
from hki_intl.engine import execute
from hki_intl.engine.execute import NotebookParameterError, NotebookWorkers, run_notebook
from hki_intl.errors import NotebookFailed


def notebook(tmp_path, *sources: str, name: str = "book") -> object:
    """A notebook with a parameters cell (``n``) and a code cell per source."""
    book = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}}
    )
    book.cells.append(nbformat.v4.new_code_cell("n = 0", metadata={"tags": ["parameters"]}))
    book.cells.append(nbformat.v4.new_markdown_cell("# A heading"))
    book.cells.extend(nbformat.v4.new_code_cell(source) for source in sources)
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(book, path)
    return path


def outputs(path) -> list[list[dict]]:
    return [cell.get("outputs", []) for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]


@pytest.fixture(params=["here", "worker"])
def workers(request):
    """Each test runs in this process and in a worker forked for it."""
    if request.param == "here":
        yield None
        return
    pool = NotebookWorkers(1)
    yield pool
    pool.close()


def test_a_notebook_gets_what_a_kernel_would_have_sent(tmp_path, workers):
    source = notebook(
        tmp_path,
        "from IPython.display import display\n"
        "display({'text/html': '<p>hei</p>'}, raw=True, metadata={'lang': 'fi'})\n"
        "print('printed', n)",
        "import scrapbook\nimport pandas as pd\nscrapbook.glue('table', pd.DataFrame({'a': [1, 2]}), encoder='pandas')",
        "n * 2",
    )
    out = run_notebook(source, tmp_path / "out.ipynb", {"n": 21}, cwd=tmp_path, workers=workers)
    parameters, injected, shown, _glued, value = outputs(out)
    assert parameters == [] and injected == []
    assert [o["output_type"] for o in shown] == ["stream", "display_data"]
    assert shown[0]["name"] == "stdout" and shown[0]["text"] == "printed 21\n"
    assert shown[1]["data"] == {"text/html": "<p>hei</p>"} and shown[1]["metadata"] == {"lang": "fi"}
    assert value == [{"output_type": "execute_result", "data": {"text/plain": "42"}, "metadata": {}, "execution_count": 5}]
    assert sb.read_notebook(str(out)).scraps["table"].data.to_dict("list") == {"a": [1, 2]}
    book = nbformat.read(out, as_version=4)
    assert book.metadata.papermill.parameters == {"n": 21}
    assert [c.metadata.papermill.status for c in book.cells] == ["completed"] * len(book.cells)


def test_a_failing_cell_stops_the_notebook_and_names_the_error(tmp_path, workers):
    source = notebook(tmp_path, "x = 1", "1 / 0", "print('never')")
    with pytest.raises(NotebookFailed) as failed:
        run_notebook(source, tmp_path / "out.ipynb", {"n": 1}, cwd=tmp_path, workers=workers)
    assert failed.value.reason == "ZeroDivisionError: division by zero"
    assert str(failed.value).startswith("notebook book failed: ZeroDivisionError: division by zero; the executed copy")
    cells = outputs(tmp_path / "out.ipynb")
    error = cells[-2][-1]
    assert error["output_type"] == "error" and error["ename"] == "ZeroDivisionError"
    assert "1 / 0" in "".join(error["traceback"])
    assert cells[-1] == []  # the cell after the failure did not run


def test_each_notebook_starts_from_an_empty_namespace_in_its_own_folder(tmp_path, workers):
    first = notebook(tmp_path, "left_over = 'from the first notebook'", name="first")
    second = notebook(tmp_path, "import os\nprint(os.getcwd())", "left_over", name="second")
    (tmp_path / "here").mkdir()
    run_notebook(first, tmp_path / "first-out.ipynb", {"n": 1}, cwd=tmp_path, workers=workers)
    with pytest.raises(NotebookFailed) as failed:
        run_notebook(second, tmp_path / "second-out.ipynb", {"n": 1}, cwd=tmp_path / "here", workers=workers)
    assert failed.value.reason == "NameError: name 'left_over' is not defined"
    assert outputs(tmp_path / "second-out.ipynb")[2][0]["text"] == f"{tmp_path / 'here'}\n"


def test_relative_paths_are_this_process_folders(tmp_path, workers, monkeypatch):
    """``run --out reports/...`` gives relative paths: the executed notebook lands where they
    point from here, not from the notebook's working folder."""
    source = notebook(tmp_path, "print('ran')")
    (tmp_path / "out" / "notebooks").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    run_notebook(Path("book.ipynb"), Path("out/notebooks/run.ipynb"), {"n": 1}, cwd=Path("out/notebooks"), workers=workers)
    assert outputs(tmp_path / "out" / "notebooks" / "run.ipynb")[2][0]["text"] == "ran\n"
    assert source.exists() and os.getcwd() == str(tmp_path)


def test_parameters_that_do_not_match_stop_before_the_notebook_runs(tmp_path, workers):
    """The strict parameters hold whether the notebook runs here or in a worker (where the
    check is made, so that the run's own process never imports papermill)."""
    source = notebook(tmp_path, "print('ran')")
    with pytest.raises(NotebookParameterError, match=r"unknown parameter\(s\) colour"):
        run_notebook(source, tmp_path / "out.ipynb", {"n": 1, "colour": "red"}, cwd=tmp_path, workers=workers)
    with pytest.raises(NotebookParameterError, match=r"missing parameter\(s\) n"):
        run_notebook(source, tmp_path / "out.ipynb", {}, cwd=tmp_path, workers=workers)
    assert not (tmp_path / "out.ipynb").exists()


def test_a_worker_with_nothing_left_to_do_ends_while_the_other_finishes(tmp_path):
    """Three notebooks on two workers: both are kept until the third is given out; then the
    worker that finishes first ends (its memory is not held through the rest), the other runs
    what is still to come."""
    slow = notebook(tmp_path, "import os, time\ntime.sleep(3)\nprint(os.getpid())", name="slow")
    quick = notebook(tmp_path, "import os\nprint(os.getpid())", name="quick")
    pool = NotebookWorkers(2)
    pool.start()
    try:
        pool.expect(3)
        with ThreadPoolExecutor(2) as threads:
            done = list(
                threads.map(
                    lambda job: run_notebook(job[0], tmp_path / f"{job[1]}.ipynb", {"n": 1}, cwd=tmp_path, workers=pool),
                    [(slow, "a"), (quick, "b"), (quick, "c")],
                )
            )
        ran_in = {name: int(outputs(path)[2][0]["text"]) for name, path in zip("abc", done, strict=True)}
        assert ran_in["a"] != ran_in["b"] == ran_in["c"]  # b's worker took c: nothing was left to wait for a
        assert _alive(ran_in["a"]) and not _alive(ran_in["b"], wait=10)  # b's worker ended once c was done
        pool.expect(1)
        last = run_notebook(quick, tmp_path / "d.ipynb", {"n": 1}, cwd=tmp_path, workers=pool)
        assert int(outputs(last)[2][0]["text"]) == ran_in["a"]
    finally:
        pool.close()


def _alive(pid: int, wait: float = 0) -> bool:
    """Whether process ``pid`` is still running (waiting up to ``wait`` seconds for it to end)."""
    deadline = time.monotonic() + wait
    while True:
        try:
            running = psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            running = False
        if not running or time.monotonic() >= deadline:
            return running
        time.sleep(0.1)


def test_the_notebooks_run_in_the_workers_and_this_process_keeps_its_folder(tmp_path):
    source = notebook(tmp_path, "import os\nprint(os.getpid())")
    here = os.getcwd()
    pool = NotebookWorkers(2)
    try:
        run_notebook(source, tmp_path / "out.ipynb", {"n": 1}, cwd=tmp_path, workers=pool)
    finally:
        pool.close()
    assert int(outputs(tmp_path / "out.ipynb")[2][0]["text"]) != os.getpid()
    assert os.getcwd() == here


def test_a_worker_that_dies_fails_its_notebook_without_a_traceback(tmp_path):
    source = notebook(tmp_path, f"import os\nos.kill(os.getpid(), {int(signal.SIGKILL)})")
    pool = NotebookWorkers(1)
    try:
        with pytest.raises(NotebookFailed) as failed:
            run_notebook(source, tmp_path / "out.ipynb", {"n": 1}, cwd=tmp_path, workers=pool)
    finally:
        pool.close()
    assert failed.value.reason == "the process running the notebook ended unexpectedly"


def test_another_active_virtualenv_changes_nothing_and_prints_nothing(tmp_path):
    """An analyst with another virtualenv active: the notebooks' shell neither imports from it
    nor warns on the terminal (IPython would do both)."""
    check = (
        "import sys; before = list(sys.path)\n"
        "from hki_intl.engine.inprocess import shell; shell()\n"
        "assert sys.path == before, sys.path"
    )
    environment = {**os.environ, "VIRTUAL_ENV": str(tmp_path / "other-venv"), "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run([sys.executable, "-c", check], env=environment, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr) == (0, "")


def test_the_warm_up_imports_modules_that_exist():
    """A renamed module must not silently leave the workers cold (the import would fail unseen)."""
    import importlib.util

    for name in execute.WARM_MODULES:
        assert importlib.util.find_spec(name) is not None, name
