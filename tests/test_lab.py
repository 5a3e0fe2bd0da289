"""make lab: JupyterLab on a report. The Makefile's recipe, the lab command's checks and the
analyst's explore notebook it writes, and the report's executed notebooks re-run in a Jupyter
kernel (as "Run all" in Lab does) giving what the run gave."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from hki_intl import EXPLORE_NOTEBOOK, PROJECT_ROOT, lab
from hki_intl.cli import main
from hki_intl.engine.manifest import Manifest, write_manifest
from tests.conftest import YEAR, run_cli


def _make_dry_run(*args: str) -> list[str]:
    """What make would run (``-B``: as on a fresh machine, whatever is installed here)."""
    # Under `make test` this make is a sub-make: without the parent's flags, and without its
    # "Entering/Leaving directory" lines.
    env = {key: value for key, value in os.environ.items() if key not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    command = ["make", "--no-print-directory", "-n", "-B", *args]
    done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    return [line.rstrip() for line in done.stdout.splitlines()]  # an empty LAB_OPTIONS leaves a space


def test_make_lab_installs_jupyterlab_and_its_kernel_then_opens_the_example_report():
    lines = _make_dry_run("lab")
    install = lines.index(".venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-lab.txt")
    assert lines.index(".venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt") < install
    assert lines[install + 1] == ".venv/bin/python -m ipykernel install --sys-prefix"  # Jupyter's python3 kernel: this venv
    assert lines[-1] == f".venv/bin/python pipeline.py lab --report reports/example/{YEAR}"
    report = next(line for line in _make_dry_run("report") if " run " in line)
    assert f"--out reports/example/{YEAR}" in report  # the folder make report writes


def test_make_lab_opens_the_report_named():
    assert _make_dry_run("lab", "REPORT=reports/2024")[-1] == ".venv/bin/python pipeline.py lab --report reports/2024"
    options = _make_dry_run("lab", "LAB_OPTIONS=--allow-root --no-browser")[-1]
    assert options == f".venv/bin/python pipeline.py lab --report reports/example/{YEAR} --allow-root --no-browser"


def test_lab_lets_jupyterlab_run_as_root_only_when_asked(report, monkeypatch, capsys):
    asked = _lab(monkeypatch, "--report", str(report), "--allow-root")
    assert asked[0][-1] == "--allow-root"
    assert "--allow-root" not in _lab(monkeypatch, "--report", str(report))[0]


@pytest.fixture
def report(tmp_path) -> Path:
    """A folder as a finished run leaves it: its manifest and executed notebooks."""
    folder = tmp_path / "reports" / str(YEAR)
    (folder / "notebooks").mkdir(parents=True)
    shutil.copy(EXPLORE_NOTEBOOK, folder / "notebooks" / "summary.ipynb")
    write_manifest(folder, Manifest(year=YEAR))
    return folder


def _lab(monkeypatch, *args: str, messages: str | None = "en") -> list[list[str]]:
    """``pipeline.py lab`` through the real command line, JupyterLab's start recorded instead of
    replacing this process (``jupyterlab`` stands for a module that is installed: CI has not it);
    its lines in English unless ``messages`` names another language (None: the analyst's default)."""
    started: list[list[str]] = []
    monkeypatch.setattr(lab, "JUPYTERLAB", "nbformat")
    monkeypatch.setattr(lab, "start", started.append)
    assert main([*(["--messages", messages] if messages else []), "lab", *args]) == 0
    return started


def test_lab_writes_the_explore_notebook_beside_the_report_and_starts_jupyterlab_there(report, monkeypatch, capsys):
    started = _lab(monkeypatch, "--report", str(report), "--lang", "sv", "--port", "8899", "--no-browser")
    explore = report.parent / f"explore-{YEAR}.ipynb"
    assert started == [
        [
            sys.executable,
            "-m",
            "jupyterlab",
            f"--ServerApp.root_dir={report.parent}",
            f"--LabApp.default_url=/lab/tree/explore-{YEAR}.ipynb",
            "--ServerApp.port=8899",
            "--no-browser",
        ]
    ]
    assert capsys.readouterr().out.splitlines() == [
        f"the report's notebooks: {report / 'notebooks'} (Run all re-runs one in place on the report's data)",
        f"your notebook for your own questions: {explore} (written now, labels in Swedish)",
        f"JupyterLab starts in {report.parent}; stop it with Ctrl+C",
    ]
    book = nbformat.read(explore, as_version=4)
    injected = [cell for cell in book.cells if "injected-parameters" in cell.metadata.get("tags", [])]
    assert [cell.source for cell in injected] == [f'# Parameters\nreport_dir = "{YEAR}"\nlang = "sv"\nparams_dir = ""\n']
    assert all(not cell.get("outputs") for cell in book.cells if cell.cell_type == "code")
    assert explore.stat().st_mode & 0o777 == 0o644  # as the report's files
    assert sorted(p.name for p in report.parent.iterdir()) == [str(YEAR), explore.name]  # no temporary file left
    assert not (report / f"explore-{YEAR}.ipynb").exists()  # the report folder holds only what the run wrote


def test_the_explore_notebook_is_the_analysts_and_never_replaced(report, monkeypatch, capsys):
    _lab(monkeypatch, "--report", str(report))
    explore = report.parent / f"explore-{YEAR}.ipynb"
    first = explore.read_bytes()
    assert '"lang = \\"fi\\"\\n"' in first.decode()  # params/report.yaml's language by default
    explore.unlink()
    _lab(monkeypatch, "--report", str(report))
    assert explore.read_bytes() == first  # the same report gives the same bytes
    edited = first.replace(b"tables.overview()", b'tables.count(\\"media\\", \\"tone\\")')
    explore.write_bytes(edited)
    capsys.readouterr()
    _lab(monkeypatch, "--report", str(report), "--lang", "en")
    assert explore.read_bytes() == edited
    assert f"{explore} (kept as it was; delete it to get a fresh copy)" in capsys.readouterr().out


def test_a_notebook_made_meanwhile_is_not_written_over(report):
    """Between the check and the write someone (another make lab) made it: it stays as it is."""
    explore = lab.explore_copy(report)
    explore.write_text("mine\n")
    assert lab.write_explore(explore, report, "fi") is False
    assert explore.read_text() == "mine\n"
    assert sorted(p.name for p in report.parent.iterdir()) == [str(YEAR), explore.name]  # no temporary file left


@pytest.mark.parametrize(
    "make_folder, message",
    [
        (lambda r: shutil.rmtree(r), "{r}: no such folder; "),
        (lambda r: (r / "manifest.json").unlink(), "{r}: not a report folder (no manifest.json); "),
        (
            lambda r: (r / "manifest.json").write_text(json.dumps({"tool": "hki_intl", "status": "failed"})),
            "{r}: not a report folder (its manifest.json is not that of a finished run); ",
        ),
        (
            lambda r: (r / "notebooks" / "summary.ipynb").unlink(),
            "{r}: the report has no executed notebooks (no notebooks/*.ipynb); ",
        ),
    ],
    ids=["missing", "no manifest", "not finished", "no notebooks"],
)
def test_a_folder_that_is_not_a_report_is_one_line_and_writes_nothing(report, make_folder, message):
    make_folder(report)
    done = run_cli("lab", "--report", str(report))
    assert done.returncode == 2
    assert done.stderr == (
        "error: "
        + message.format(r=report)
        + "build the report first (make report, or pipeline.py run --out FOLDER), or name the folder of one: "
        "make lab REPORT=FOLDER\n"
    )
    assert not (report.parent / f"explore-{YEAR}.ipynb").exists()


@pytest.mark.parametrize(
    "messages, expected",
    [
        (
            None,  # the analyst's default: Finnish
            "virhe: {r}: kansio ei ole raportin kansio (ei manifest.json-tiedostoa); tee ensin raportti (make report tai "
            "pipeline.py run --out KANSIO) tai anna valmiin raportin kansio: make lab REPORT=KANSIO\n",
        ),
        (
            "sv",
            "fel: {r}: mappen är inte en rapportmapp (ingen manifest.json); bygg rapporten först (make report eller "
            "pipeline.py run --out MAPP), eller ange mappen för en färdig rapport: make lab REPORT=MAPP\n",
        ),
        (
            "en",
            "error: {r}: not a report folder (no manifest.json); build the report first (make report, or pipeline.py "
            "run --out FOLDER), or name the folder of one: make lab REPORT=FOLDER\n",
        ),
    ],
)
def test_the_lab_command_refuses_in_the_language_of_the_messages(report, messages, expected):
    (report / "manifest.json").unlink()
    done = run_cli("lab", "--report", str(report), messages=messages)
    assert (done.returncode, done.stderr) == (2, expected.format(r=report))


def test_the_lab_command_tells_where_things_are_in_the_language_of_the_messages(report, monkeypatch, capsys):
    """The lines in the messages' language (Finnish by default), whatever the notebook's labels'."""
    _lab(monkeypatch, "--report", str(report), "--lang", "en", messages=None)
    explore = report.parent / f"explore-{YEAR}.ipynb"
    assert capsys.readouterr().out.splitlines() == [
        f"raportin muistikirjat: {report / 'notebooks'} (Run all ajaa muistikirjan uudelleen paikallaan raportin tiedoilla)",
        f"oma muistikirjasi omia kysymyksiäsi varten: {explore} (kirjoitettu nyt, nimet englanniksi)",
        f"JupyterLab käynnistyy kansiossa {report.parent}; pysäytä se painamalla Ctrl+C",
    ]
    _lab(monkeypatch, "--report", str(report), messages="sv")
    assert capsys.readouterr().out.splitlines() == [
        f"rapportens anteckningsböcker: {report / 'notebooks'} (Run all kör om en anteckningsbok på plats med rapportens data)",
        f"din anteckningsbok för dina egna frågor: {explore} (lämnad som den var; radera den för att få en ny kopia)",
        f"JupyterLab startar i {report.parent}; stoppa det med Ctrl+C",
    ]


def test_without_jupyterlab_the_lab_command_says_how_to_install_it(report, monkeypatch, capsys):
    monkeypatch.setattr(lab, "JUPYTERLAB", "hki_intl_no_such_module")
    assert main(["--messages", "en", "lab", "--report", str(report)]) == 2
    assert capsys.readouterr().err == (
        "error: JupyterLab is not installed in this Python environment; make lab installs it "
        "(or: pip install -r requirements-lab.txt, then python -m ipykernel install --sys-prefix)\n"
    )
    assert not (report.parent / f"explore-{YEAR}.ipynb").exists()


def test_a_place_that_cannot_take_the_notebook_is_one_line(report, monkeypatch, capsys):
    def refuse(source, target):
        raise PermissionError(13, "Permission denied", str(target))

    monkeypatch.setattr(lab.os, "link", refuse)
    monkeypatch.setattr(lab, "JUPYTERLAB", "nbformat")
    assert main(["--messages", "en", "lab", "--report", str(report)]) == 2
    assert (
        capsys.readouterr().err
        == f"error: {report.parent}: cannot write there (Permission denied); choose another folder for --report\n"
    )
    assert sorted(p.name for p in report.parent.iterdir()) == [str(YEAR)]  # the temporary file removed too


def _outputs(book) -> list[list[dict]]:
    """Each cell's outputs, without what legitimately changes between runs (execution counts)."""
    return [
        [{k: v for k, v in output.items() if k != "execution_count"} for output in cell.get("outputs", [])] for cell in book.cells
    ]


@pytest.mark.slow
def test_run_all_in_a_jupyter_kernel_gives_each_executed_notebook_what_the_run_gave(example, tmp_path):
    """The report's executed notebooks, in a copy of the report folder moved elsewhere (nothing
    points to where the run built it), re-run in place by Jupyter's python3 kernel as JupyterLab
    does: every output is what the run's own engine made; the explore copy runs there too."""
    from nbclient import NotebookClient

    root, _ = example
    moved = tmp_path / "elsewhere" / str(YEAR)
    shutil.copytree(root / "report", moved)
    for name in ("competence", "recognition", "influence", "summary"):
        path = moved / "notebooks" / f"{name}.ipynb"
        book = nbformat.read(path, as_version=4)
        injected = next(cell.source for cell in book.cells if "injected-parameters" in cell.metadata.get("tags", []))
        assert 'data_dir = "../cache/tables"' in injected and str(root) not in injected  # else the copy would read the original
        ran = copy.deepcopy(book)
        NotebookClient(ran, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(path.parent)}}).execute()
        assert _outputs(ran) == _outputs(book), name

    explore = lab.explore_copy(moved)
    lab.write_explore(explore, moved, "en")
    book = nbformat.read(explore, as_version=4)
    NotebookClient(book, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(explore.parent)}}).execute()
    errors = [output for cell in book.cells for output in cell.get("outputs", []) if output.output_type == "error"]
    assert errors == []
    shown = json.dumps([cell.get("outputs") for cell in book.cells], ensure_ascii=False)
    assert "Growing competence and understanding" in shown and "Reporting year" in shown
