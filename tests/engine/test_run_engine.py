"""The run engine through the real CLI: stages reused only when nothing they read changed,
the manifest, and a killed run that leaves the previous report exactly as it was."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import psutil
import pytest

from hki_intl import NOTEBOOKS_DIR, PARAMS_DIR, PROJECT_ROOT
from hki_intl.intake.tables import TABLES
from hki_intl.workbook.schema import TEMPLATE_VERSION
from tests.conftest import PIPELINE, run_cli

pytestmark = pytest.mark.slow
YEAR = 2025


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def cached(out: Path) -> dict[str, bool]:
    return {s["name"]: s["cached"] for s in manifest(out)["stages"]}


def _session(process: psutil.Process) -> int | None:
    try:
        return os.getsid(process.pid)
    except OSError:
        return None


def run(inputs: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    done = run_cli("run", "--year", str(YEAR), "--inputs", str(inputs), "--out", str(out), "--format", "html", *extra)
    assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("engine")
    assert run_cli("example", "--out", str(root / "inputs"), "--years", "2024-2025").returncode == 0
    return root / "inputs"


def test_stages_are_reused_only_when_nothing_they_read_changed(inputs, tmp_path):
    out = tmp_path / "report"
    first = run(inputs, out)
    stages = cached(out)
    assert stages and not any(stages.values())
    assert "0 of 6 stages reused" in first.stdout
    before = snapshot(out)

    # Nothing changed: everything reused, no notebook worker started, the same bytes.
    again = run(inputs, out)
    assert all(cached(out).values())
    assert "6 of 6 stages reused" in again.stdout
    assert "notebook competence …" not in again.stderr
    after = snapshot(out)
    assert {k: v for k, v in after.items() if k != "manifest.json"} == {k: v for k, v in before.items() if k != "manifest.json"}

    # Only the language changed: only the assembly runs; the Finnish report stays.
    run(inputs, out, "--lang", "sv")
    stages = cached(out)
    assert stages.pop(f"assembly international-activities-{YEAR}-sv.html") is False
    assert all(stages.values())
    assert (out / f"international-activities-{YEAR}-fi.html").read_bytes() == before[f"international-activities-{YEAR}-fi.html"]

    # One cell of one workbook changed: intake and every notebook run again.
    workbook = inputs / str(YEAR) / "education.xlsx"
    saved = workbook.read_bytes()
    try:
        wb = openpyxl.load_workbook(workbook)
        wb["Toiminnot"]["A2"] = "Muutettu otsikko testissä"
        wb.save(workbook)
        run(inputs, out)
    finally:
        workbook.write_bytes(saved)
    stages = cached(out)
    assert not any(stages.values()), stages
    activities = (out / TABLES / "activities.csv").read_text(encoding="utf-8")
    assert "Muutettu otsikko testissä" in activities

    # --force runs everything even when nothing changed.
    run(inputs, out)  # back to the original inputs
    run(inputs, out, "--force")
    assert not any(cached(out).values())


def test_the_manifest_says_what_was_used(inputs, tmp_path):
    out = tmp_path / "report"
    run(inputs, out)
    data = manifest(out)
    assert data["status"] == "ok" and data["exit_status"] == 0
    for relative, digest in data["files"].items():
        assert sha(out / relative) == digest, relative
    assert sorted(data["files"]) == sorted(
        p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name != "manifest.json"
    )
    files = {Path(f["path"]).name + str(f["year"]): f for f in data["inputs"]}
    assert len(files) == len(list(inputs.rglob("*.xlsx")))
    education = files[f"education.xlsx{YEAR}"]
    assert education["sha256"] == sha(inputs / str(YEAR) / "education.xlsx")
    assert education["organisation"] == "education" and education["template_version"] == TEMPLATE_VERSION
    assert data["params"]["files"] == {p.name: sha(p) for p in sorted(PARAMS_DIR.glob("*.yaml"))}
    assert data["params"]["settings"]["year"] == YEAR
    assert list(data["notebooks"]) == ["competence", "recognition", "influence", "summary"]  # by goal, then summary
    for name, entry in data["notebooks"].items():
        assert entry["source"] == name  # each goal has a notebook of its own
        assert entry["source_sha256"] == sha(NOTEBOOKS_DIR / f"{entry['source']}.ipynb")
        assert entry["executed_sha256"] == sha(out / "notebooks" / f"{name}.ipynb")
    assert data["environment"]["packages"]["papermill"] == "2.7.0"
    for stage in data["stages"]:
        assert {"name", "key", "start", "end", "duration_s", "cached"} <= set(stage)
        assert stage["duration_s"] >= 0
    report = f"international-activities-{YEAR}-fi.html"
    assert data["reports"][report]["sha256"] == sha(out / report)


def test_a_killed_run_leaves_the_previous_report_and_the_next_run_succeeds(inputs, tmp_path):
    out = tmp_path / "report"
    run(inputs, out)
    before = snapshot(out)
    process = subprocess.Popen(
        [
            sys.executable,
            str(PIPELINE),
            "run",
            "--year",
            str(YEAR),
            "--inputs",
            str(inputs),
            "--out",
            str(out),
            "--format",
            "html",
            "--force",
        ],
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    build = tmp_path / f".report.building-{process.pid}"
    deadline = time.monotonic() + 120
    while not (build / "notebooks" / "competence.ipynb").exists():  # a notebook is running
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.1)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert snapshot(out) == before
    # Its forked processes (the notebooks' workers) die with it: none lives on in its session.
    deadline = time.monotonic() + 10
    while survivors := [p.pid for p in psutil.process_iter() if _session(p) == process.pid]:
        assert time.monotonic() < deadline, f"processes of the killed run live on: {survivors}"
        time.sleep(0.1)
    run(inputs, out)
    assert not build.exists(), "the dead run's build folder is cleaned up"
    assert {k: v for k, v in snapshot(out).items() if k != "manifest.json"} == {
        k: v for k, v in before.items() if k != "manifest.json"
    }


def test_a_run_killed_between_the_two_renames_is_recovered(inputs, tmp_path):
    """If the process dies after moving the old report aside, the next run puts it back."""
    out = tmp_path / "report"
    run(inputs, out)
    before = snapshot(out)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    aside = tmp_path / f".report.previous-{int(dead.stdout)}"
    shutil.move(out, aside)
    done = run(inputs, out)
    assert "6 of 6 stages reused" in done.stdout  # the recovered report was the cache
    assert not aside.exists()
    assert {k: v for k, v in snapshot(out).items() if k != "manifest.json"} == {
        k: v for k, v in before.items() if k != "manifest.json"
    }


def test_progress_is_plain_lines_when_not_a_terminal_and_silent_when_quiet(inputs, tmp_path):
    out = tmp_path / "report"
    loud = run(inputs, out)
    lines = loud.stderr.splitlines()
    assert any(line.endswith("notebook competence …") for line in lines)
    assert any("notebook summary: done in" in line for line in lines)
    assert all(line.startswith("[") for line in lines)
    assert "\r" not in loud.stderr and "\033[" not in loud.stderr
    quiet = run(inputs, out, "--quiet", "--force")
    assert quiet.stderr == ""


def test_the_analysts_words_key_only_what_shows_them(inputs, tmp_path):
    """A word of one goal's commentary re-runs that goal's notebook and the assembly only; a
    language's file removed re-runs what shows its parts, and the data-quality part says so."""
    mine = tmp_path / "inputs"
    shutil.copytree(inputs, mine)
    out = tmp_path / "report"
    run(mine, out, "--lang", "en")
    english = mine / str(YEAR) / "analyst-en.md"
    english.write_text(english.read_text(encoding="utf-8").replace("We learn", "We learned"), encoding="utf-8")
    run(mine, out, "--lang", "en")
    assert {name for name, was_cached in cached(out).items() if not was_cached} == {
        "notebook competence",
        f"assembly international-activities-{YEAR}-en.html",
    }
    report = (out / f"international-activities-{YEAR}-en.html").read_text(encoding="utf-8")
    assert "We learned from other cities" in report

    (mine / str(YEAR) / "analyst-sv.md").unlink()
    run(mine, out, "--lang", "sv")
    assert not any(v for k, v in cached(out).items() if k.startswith("notebook")), cached(out)
    swedish = (out / f"international-activities-{YEAR}-sv.html").read_text(encoding="utf-8")
    assert 'id="foreword"' not in swedish and 'id="outlook"' not in swedish and "-commentary" not in swedish
    assert "Analytikerns texter på svenska gavs inte" in swedish
    assert 'id="foreword"' in report and "Analytikerns texter" not in report


def test_relative_folders_are_taken_from_where_the_analyst_is(inputs, tmp_path):
    """`make report` gives `--out reports/example/2025`: relative folders, from the current one
    (the notebooks run in their own folder, and still write where the run builds)."""
    shutil.copytree(inputs, tmp_path / "inputs")
    done = run_cli("run", "--year", str(YEAR), "--inputs", "inputs", "--out", "reports/2025", "--format", "html", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "reports" / "2025" / f"international-activities-{YEAR}-fi.html").is_file()
    assert sorted(p.name for p in (tmp_path / "reports" / "2025" / "notebooks").glob("*.ipynb")) == [
        "competence.ipynb",
        "influence.ipynb",
        "recognition.ipynb",
        "summary.ipynb",
    ]
