"""Where the pipeline writes: it never deletes or overwrites what is not its own, and a place it
cannot write is the user's to fix (exit 2, one line), found before any work.

- ``run --out`` replaces only a folder an earlier run made and that holds only what its
  manifest lists; everything else is refused before the intake (so before any notebook).
- ``templates``, ``example`` and ``validate --feedback`` overwrite only files they wrote and
  nobody changed since (the ledger ``DIR/.hki_intl-written.json``); otherwise nothing is written.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from hki_intl import PARAMS_DIR, PROJECT_ROOT, cli
from hki_intl.engine import intake_stage, outputs, swap
from hki_intl.engine.execute import NotebookWorkers
from hki_intl.errors import NotebookFailed, UsageError
from hki_intl.workbook import ledger
from hki_intl.workbook.ledger import LEDGER
from tests.conftest import run_cli

YEAR = 2025
ADVICE = "give --out a new or empty folder, or one an earlier run wrote"
DEFAULT = "give --out a folder of its own (the default is reports/<year>)"

ANALYST = "wrote the analyst's texts (analyst-fi.md, analyst-sv.md, analyst-en.md) beside them\n"


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` and its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def run_into(inputs: Path, out: Path | str, *extra: str, params: Path = PARAMS_DIR):
    return run_cli(
        "--params",
        str(params),
        "run",
        "--year",
        str(YEAR),
        "--inputs",
        str(inputs),
        "--out",
        str(out),
        "--format",
        "html",
        *extra,
    )


def refused(done, message: str) -> None:
    """Exit 2, nothing on stdout, and exactly one line on stderr."""
    assert (done.returncode, done.stdout, done.stderr) == (2, "", f"error: {message}\n")


def fake_run_folder(folder: Path, files: dict[str, str], status: str = "ok") -> None:
    """A folder as a run leaves it: ``files`` (relative path → text) and a manifest listing them."""
    for relative, text in files.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text(text, encoding="utf-8")
    manifest = {"tool": "hki_intl", "status": status, "files": {name: "0" * 64 for name in files}}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


@pytest.fixture
def inputs(write_workbook, tmp_path) -> Path:
    """``<tmp>/inputs/2025/education.xlsx``, a valid workbook (the runs here stop before reading it)."""
    write_workbook()
    return tmp_path / "inputs"


# --- run --out: what it may replace ----------------------------------------------------------


def test_run_refuses_an_existing_file_as_out(inputs, tmp_path):
    out = tmp_path / "notes.txt"
    out.write_text("the analyst's notes\n")
    refused(run_into(inputs, out), f"{out}: this is a file, not a folder; {ADVICE}")
    assert out.read_text() == "the analyst's notes\n"


def test_run_refuses_a_folder_it_did_not_make(inputs, tmp_path):
    out = tmp_path / "mine"
    (out / "sub").mkdir(parents=True)
    (out / "draft.docx").write_bytes(b"draft")
    (out / "sub" / "figures.csv").write_text("a,b\n")
    before = snapshot(out)
    refused(run_into(inputs, out), f"{out}: the folder exists and was not made by pipeline.py (no manifest.json); {ADVICE}")
    assert snapshot(out) == before


def test_run_refuses_a_folder_whose_manifest_another_tool_wrote(inputs, tmp_path):
    out = tmp_path / "other"
    out.mkdir()
    (out / "manifest.json").write_text('{"tool": "something else", "files": {}}')
    before = snapshot(out)
    refused(
        run_into(inputs, out),
        f"{out}: the folder exists and was not made by pipeline.py (its manifest.json is not one pipeline.py wrote); {ADVICE}",
    )
    assert snapshot(out) == before


def test_run_refuses_its_own_folder_once_someone_put_files_in_it(inputs, tmp_path):
    out = tmp_path / "report"
    fake_run_folder(out, {"data/activities.csv": "id\n", f"international-activities-{YEAR}-fi.html": "<html>"})
    (out / "notes.txt").write_text("mine")
    (out / "data" / "mine.csv").write_text("mine")
    (out / "x.txt").write_text("mine")
    before = snapshot(out)
    refused(
        run_into(inputs, out),
        f"{out}: the folder holds files that pipeline.py did not write (data/mine.csv, notes.txt and 1 more); a "
        "run replaces the whole folder, so move them out first, or give --out another folder",
    )
    assert snapshot(out) == before


def test_a_missing_or_empty_folder_or_one_a_run_made_may_be_replaced(inputs, tmp_path):
    """Any status counts as ours, also a run whose notebook failed."""
    empty, ours = tmp_path / "empty", tmp_path / "ours"
    empty.mkdir()
    fake_run_folder(ours, {"notebooks/summary.ipynb": "{}"}, status="notebook failed")
    for out in (tmp_path / "new" / "report", empty, ours):
        outputs.check_out(out, inputs, PARAMS_DIR)  # does not raise


@pytest.mark.parametrize("where", ["same", "inside", "above"])
def test_run_refuses_the_inputs_folder_what_is_in_it_and_what_holds_it(inputs, tmp_path, where):
    before = snapshot(inputs)
    out = {"same": inputs, "inside": inputs / str(YEAR), "above": tmp_path}[where]
    expected = {
        "same": f"{out}: this is the inputs folder; replacing it with the report would delete the workbooks; {DEFAULT}",
        "inside": f"{out}: this folder is inside the inputs folder ({inputs}); give --out a folder outside it (the "
        "default is reports/<year>)",
        "above": f"{out}: this folder holds the inputs folder ({inputs}); replacing it with the report would delete "
        f"the workbooks; {DEFAULT}",
    }[where]
    refused(run_into(inputs, out), expected)
    assert snapshot(inputs) == before


def test_run_refuses_the_params_folder_what_is_in_it_and_what_holds_it(inputs, tmp_path):
    refused(
        run_into(inputs, PARAMS_DIR),
        f"{PARAMS_DIR}: this is the params folder; replacing it with the report would delete the params; {DEFAULT}",
    )
    params = tmp_path / "config" / "params"
    shutil.copytree(PARAMS_DIR, params)
    before = snapshot(params)
    refused(
        run_into(inputs, params / "sub", params=params),
        f"{params / 'sub'}: this folder is inside the params folder ({params}); give --out a folder outside it "
        "(the default is reports/<year>)",
    )
    refused(
        run_into(inputs, params.parent, params=params),
        f"{params.parent}: this folder holds the params folder ({params}); replacing it with the report would "
        f"delete the params; {DEFAULT}",
    )
    assert snapshot(params) == before


@pytest.mark.parametrize("out", [PROJECT_ROOT, PROJECT_ROOT.parent], ids=["root", "above"])
def test_run_refuses_the_project_folder_and_what_holds_it(inputs, tmp_path, out):
    params = tmp_path / "params"  # elsewhere, so that the project itself is the reason
    shutil.copytree(PARAMS_DIR, params)
    refused(
        run_into(inputs, out, params=params),
        f"{out}: this folder holds the pipeline itself ({PROJECT_ROOT}); replacing it with the report would delete it; {DEFAULT}",
    )
    assert (PROJECT_ROOT / "pipeline.py").is_file()


def test_run_refuses_a_failed_folder_that_is_not_its_own(inputs, tmp_path):
    failed = tmp_path / "report.failed"
    failed.mkdir()
    (failed / "keep.txt").write_text("mine")
    refused(
        run_into(inputs, tmp_path / "report"),
        f"{failed}: the folder exists and was not made by pipeline.py (no manifest.json); a failed run would "
        "replace it with its notebooks, so move it away, or give --out another folder",
    )
    assert snapshot(failed) == {"keep.txt": b"mine"}


def test_run_refuses_its_own_failed_folder_once_someone_put_files_in_it(inputs, tmp_path):
    failed = tmp_path / "report.failed"
    fake_run_folder(failed, {"competence.ipynb": "{}"}, status="notebook failed")
    manifest = json.loads((failed / "manifest.json").read_text())
    manifest["files"] = {"notebooks/competence.ipynb": "0" * 64}  # the manifest names the build's paths
    (failed / "manifest.json").write_text(json.dumps(manifest))
    (failed / "fixed.ipynb").write_text("{}")
    before = snapshot(failed)
    refused(
        run_into(inputs, tmp_path / "report"),
        f"{failed}: the folder holds files that pipeline.py did not write (fixed.ipynb); a failed run replaces the "
        "whole folder, so move them out first, or give --out another folder",
    )
    assert snapshot(failed) == before


def test_a_failed_run_replaces_only_a_failed_folder_of_its_own(tmp_path):
    out, build = tmp_path / "report", tmp_path / ".report.building-1"
    (build / "notebooks").mkdir(parents=True)
    (build / "notebooks" / "influence.ipynb").write_text("new")
    (build / "manifest.json").write_text("{}")
    failed = tmp_path / "report.failed"
    fake_run_folder(failed, {"competence.ipynb": "old"}, status="notebook failed")
    manifest = json.loads((failed / "manifest.json").read_text())
    (failed / "manifest.json").write_text(json.dumps({**manifest, "files": {"notebooks/competence.ipynb": "0"}}))
    failure = NotebookFailed("influence", build / "notebooks" / "influence.ipynb", "boom")

    assert swap.keep_failed(build, out, failure) == failed / "influence.ipynb"
    assert snapshot(failed) == {"influence.ipynb": b"new", "manifest.json": b"{}"}

    (failed / "manifest.json").unlink()  # someone's folder now: never removed
    with pytest.raises(UsageError, match=r"was not made by pipeline\.py"):
        swap.keep_failed(build, out, failure)
    assert snapshot(failed) == {"influence.ipynb": b"new"}


def test_recovery_removes_only_its_own_two_kinds_of_leftover(tmp_path):
    dead = 2**22 + 12345  # above Linux's pid_max: no such process
    out = tmp_path / "report"
    out.mkdir()
    ours = [tmp_path / f".report.building-{dead}", tmp_path / f".report.previous-{dead}"]
    others = [
        tmp_path / f".report.backup-{dead}",
        tmp_path / f".report.x.previous-{dead}",
        tmp_path / f".report.building-{dead}-old",
    ]
    for folder in ours + others:
        folder.mkdir()
        (folder / "file.txt").write_text("x")
    swap.recover(out)
    assert [f.exists() for f in ours] == [False, False]
    assert [f.exists() for f in others] == [True, True, True]
    assert not any(out.iterdir())  # the output existed: nothing was restored over it


def test_the_output_is_checked_before_the_inputs(write_workbook, tmp_path):
    """Broken inputs (exit 1) and a bad --out (exit 2): the --out is refused first, nothing read."""
    write_workbook(edit=lambda wb: wb["Toiminnot"].__setitem__("B2", "Seminaari"))
    out = tmp_path / "mine"
    out.mkdir()
    (out / "draft.docx").write_bytes(b"draft")
    refused(
        run_into(tmp_path / "inputs", out),
        f"{out}: the folder exists and was not made by pipeline.py (no manifest.json); {ADVICE}",
    )


# --- run --out: a place that cannot be written ------------------------------------------------


def test_run_refuses_a_path_through_a_file_before_any_work(inputs, tmp_path):
    (tmp_path / "file.txt").write_text("x")
    out = tmp_path / "file.txt" / "report"
    refused(run_into(inputs, out), f"{out}: cannot write there (Not a directory); choose another folder for --out")
    assert (tmp_path / "file.txt").read_text() == "x"


def test_run_refuses_a_folder_the_system_will_not_create(inputs):
    """Root may write almost anywhere, but not new folders in /sys."""
    try:
        os.mkdir("/sys/hki_intl_probe")
    except OSError as error:
        reason = error.strerror
    else:
        os.rmdir("/sys/hki_intl_probe")
        pytest.skip("this system lets us create folders in /sys")
    out = "/sys/hki_intl_probe/report"
    refused(run_into(inputs, out), f"{out}: cannot write there ({reason}); choose another folder for --out")


def test_a_read_only_output_is_found_before_the_intake(inputs, tmp_path, monkeypatch, capsys):
    real = Path.write_bytes

    def read_only(path, data):
        if path.name == outputs.PROBE:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real(path, data)

    monkeypatch.setattr(Path, "write_bytes", read_only)
    monkeypatch.setattr(intake_stage, "load_submissions", lambda *args: pytest.fail("the intake ran"))
    out = tmp_path / "report"
    code = cli.main(["--messages", "en", "run", "--year", str(YEAR), "--inputs", str(inputs), "--out", str(out), "--quiet"])
    assert (code, capsys.readouterr().err) == (
        2,
        f"error: {out}: cannot write there (Read-only file system); choose another folder for --out\n",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inputs"]  # the build folder is gone


def test_a_full_disk_while_writing_the_output_is_a_usage_error(inputs, tmp_path, monkeypatch, capsys):
    def full(*args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # as write() raises it: no file name

    monkeypatch.setattr(NotebookWorkers, "start", lambda self: None)  # no workers for a run that stops before its notebooks
    monkeypatch.setattr(intake_stage, "write_tables", full)
    out = tmp_path / "report"
    code = cli.main(["--messages", "en", "run", "--year", str(YEAR), "--inputs", str(inputs), "--out", str(out), "--quiet"])
    assert (code, capsys.readouterr().err) == (
        2,
        f"error: {out}: cannot write there (No space left on device); choose another folder for --out\n",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inputs"]


def test_other_errors_while_running_stay_internal_errors(inputs, tmp_path, monkeypatch, capsys):
    """A missing file is a bug (exit 4), not a place that cannot be written."""

    def missing(*args):
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(tmp_path / f".report.building-{os.getpid()}" / "x"))

    monkeypatch.setattr(NotebookWorkers, "start", lambda self: None)  # no workers for a run that stops before its notebooks
    monkeypatch.setattr(intake_stage, "load_submissions", missing)
    code = cli.main(
        ["--messages", "en", "run", "--year", str(YEAR), "--inputs", str(inputs), "--out", str(tmp_path / "report"), "--quiet"]
    )
    assert code == 4 and capsys.readouterr().err.startswith("internal error: FileNotFoundError")


# --- templates, example, validate --feedback: the ledger ---------------------------------------


def test_example_rewrites_its_own_files_but_never_one_changed_since(tmp_path):
    out = tmp_path / "example"
    made = run_cli("example", "--out", str(out), "--years", str(YEAR))
    assert (made.returncode, made.stdout, made.stderr) == (0, f"wrote 9 example workbooks to {out / str(YEAR)}\n{ANALYST}", "")
    first = snapshot(out)
    assert set(json.loads(first[LEDGER])["files"]) == {k for k in first if k != LEDGER}

    again = run_cli("example", "--out", str(out), "--years", str(YEAR))  # our own, unchanged: rewritten
    assert again.returncode == 0 and snapshot(out) == first

    changed = out / str(YEAR) / "education.xlsx"
    changed.write_bytes(changed.read_bytes() + b"edited")
    (out / str(YEAR) / "culture_leisure.xlsx").unlink()
    before = snapshot(out)
    refused(
        run_cli("example", "--out", str(out), "--years", str(YEAR)),
        f"{changed}: the file was changed since pipeline.py wrote it; move it away or choose another folder for "
        "--out (nothing was written)",
    )
    assert snapshot(out) == before  # nothing written: the deleted one is not back either


def test_example_names_every_folder_it_wrote(tmp_path):
    out = tmp_path / "example"
    made = run_cli("example", "--out", str(out), "--years", "2023,2025")
    assert made.stdout == f"wrote 18 example workbooks to {out / '2023'} and {out / '2025'}\n{ANALYST}"
    photos = list(out.glob("*/*.jpg"))  # the highlights' photo files beside the workbooks
    assert photos and len(snapshot(out)) == 18 + len(photos) + 2 * 3 + 1  # the analyst's texts of both years, the ledger


@pytest.mark.parametrize("count", [1, 2, 3])
def test_templates_never_overwrite_a_workbook_they_did_not_write(write_workbook, tmp_path, count):
    filled = [write_workbook(organisation=org) for org in ("education", "culture_leisure", "forum_virium")[:count]]
    inputs = tmp_path / "inputs"
    before = snapshot(inputs)
    if count == 1:
        named = f"{filled[0]}: the file exists and was not written by pipeline.py; move it away"
    else:
        listed = f"{filled[0]} and {filled[1]}" if count == 2 else f"{filled[0]}, {filled[1]} and 1 more"
        named = f"{listed}: these files exist and were not written by pipeline.py, or were changed since; move them away"
    refused(
        run_cli("templates", "--year", str(YEAR), "--out", str(inputs)),
        f"{named} or choose another folder for --out (nothing was written)",
    )
    assert snapshot(inputs) == before


def test_a_ledger_that_is_not_ours_is_not_overwritten(tmp_path):
    out = tmp_path / "templates"
    out.mkdir()
    (out / LEDGER).write_text("my own notes")
    refused(
        run_cli("templates", "--year", str(YEAR), "--out", str(out)),
        f"{out / LEDGER}: the file exists and was not written by pipeline.py; move it away or choose another "
        "folder for --out (nothing was written)",
    )
    assert snapshot(out) == {LEDGER: b"my own notes"}


def _broken_inputs(write_workbook, tmp_path) -> Path:
    write_workbook(edit=lambda wb: wb["Toiminnot"].__setitem__("B2", "Seminaari"))
    return tmp_path / "inputs"


def test_feedback_never_overwrites_a_copy_changed_since(write_workbook, tmp_path):
    inputs, out = _broken_inputs(write_workbook, tmp_path), tmp_path / "feedback"
    args = ("validate", "--year", str(YEAR), "--inputs", str(inputs), "--feedback", str(out))
    first = run_cli(*args)
    copy, summary = out / str(YEAR) / "education.xlsx", out / f"summary-{YEAR}.xlsx"
    assert first.returncode == 1
    assert first.stdout == f"feedback: 1 annotated workbook in {out / str(YEAR)} (education.xlsx); summary {summary}\n"
    assert run_cli(*args).returncode == 1  # our own files, unchanged: written again

    copy.write_bytes(copy.read_bytes() + b"fixed by the contributor")
    before = snapshot(out)
    refused(
        run_cli(*args),
        f"{copy}: the file was changed since pipeline.py wrote it; move it away or choose "
        "another folder for --feedback (nothing was written)",
    )
    assert snapshot(out) == before


def test_feedback_never_overwrites_a_file_of_the_users(write_workbook, tmp_path):
    inputs, out = _broken_inputs(write_workbook, tmp_path), tmp_path / "feedback"
    out.mkdir()
    (out / f"summary-{YEAR}.xlsx").write_bytes(b"the analyst's own summary")
    refused(
        run_cli("validate", "--year", str(YEAR), "--inputs", str(inputs), "--feedback", str(out)),
        f"{out / f'summary-{YEAR}.xlsx'}: the file exists and was not written by pipeline.py; move it away or "
        "choose another folder for --feedback (nothing was written)",
    )
    assert snapshot(out) == {f"summary-{YEAR}.xlsx": b"the analyst's own summary"}


def test_feedback_into_the_inputs_folder_never_overwrites_an_input(write_workbook, tmp_path):
    inputs = _broken_inputs(write_workbook, tmp_path)
    before = snapshot(inputs)
    workbook = inputs / str(YEAR) / "education.xlsx"
    refused(
        run_cli("validate", "--year", str(YEAR), "--inputs", str(inputs), "--feedback", str(inputs)),
        f"{workbook}: the feedback would overwrite an input workbook; give --feedback another folder",
    )
    assert snapshot(inputs) == before


def test_a_full_disk_while_writing_feedback_is_a_usage_error(write_workbook, tmp_path, monkeypatch, capsys):
    inputs, out = _broken_inputs(write_workbook, tmp_path), tmp_path / "feedback"

    def over_quota(path, data):
        raise OSError(errno.EDQUOT, os.strerror(errno.EDQUOT), str(path))

    monkeypatch.setattr(ledger, "write_atomically", over_quota)
    code = cli.main(["--messages", "en", "validate", "--year", str(YEAR), "--inputs", str(inputs), "--feedback", str(out)])
    captured = capsys.readouterr()
    assert (code, captured.out, captured.err) == (
        2,
        "",
        f"error: {out / str(YEAR) / 'education.xlsx'}: cannot write "
        "there (Disk quota exceeded); choose another folder for "
        "--feedback\n",
    )
    assert not out.exists()


def test_templates_through_a_file_or_on_a_full_disk_are_usage_errors(tmp_path, monkeypatch, capsys):
    (tmp_path / "file.txt").write_text("x")
    out = tmp_path / "file.txt" / "templates"
    refused(
        run_cli("templates", "--year", str(YEAR), "--out", str(out)),
        f"{out / str(YEAR) / 'cityexec_international.xlsx'}: cannot write there (Not a directory); choose "
        "another folder for --out",
    )

    def full(path, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(ledger, "write_atomically", full)
    out = tmp_path / "templates"
    assert cli.main(["--messages", "en", "templates", "--year", str(YEAR), "--out", str(out)]) == 2
    assert capsys.readouterr().err == (
        f"error: {out / str(YEAR) / 'cityexec_international.xlsx'}: cannot write "
        "there (No space left on device); choose another folder for --out\n"
    )


# --- a real run ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_run_replaces_its_own_report_but_not_once_someone_added_a_file(tmp_path):
    inputs, out = tmp_path / "inputs", tmp_path / "report"
    assert run_cli("example", "--out", str(inputs), "--years", str(YEAR)).returncode == 0
    first = run_into(inputs, out, "--quiet")
    assert first.returncode == 0, first.stderr
    assert run_into(inputs, out, "--quiet").returncode == 0  # its own folder: replaced
    # An analyst opened an executed notebook in Jupyter: its checkpoint is carried over, and the
    # stages are still reused (the checkpoint is not a change of the run's own files).
    checkpoint = out / "notebooks" / ".ipynb_checkpoints" / "competence-checkpoint.ipynb"
    checkpoint.parent.mkdir()
    checkpoint.write_text('{"my": "edits"}')
    again = run_into(inputs, out, "--quiet")
    assert again.returncode == 0, again.stderr
    assert re.search(r"\((\d+) of \1 stages reused\)", again.stdout), again.stdout
    assert checkpoint.read_text() == '{"my": "edits"}'
    (out / "notebooks" / "my-analysis.ipynb").write_text("{}")
    before = snapshot(out)
    refused(
        run_into(inputs, out, "--quiet"),
        f"{out}: the folder holds files that pipeline.py did not write (notebooks/my-analysis.ipynb); a run "
        "replaces the whole folder, so move them out first, or give --out another folder",
    )
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inputs", "report"]  # no build folder left
