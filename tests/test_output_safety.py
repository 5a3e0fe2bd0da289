"""Where the pipeline writes: ``templates``, ``example`` and ``validate --feedback`` overwrite
only files they wrote and nobody changed since (the ledger ``DIR/.hki_intl-written.json``);
otherwise nothing is written. A place they cannot write is the user's to fix (exit 2, one line).
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from hki_intl import cli, ledger
from hki_intl.ledger import LEDGER

from .conftest import run_cli

YEAR = 2025


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` and its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def refused(done, message: str) -> None:
    """Exit 2, nothing on stdout, and exactly one line on stderr."""
    assert (done.returncode, done.stdout, done.stderr) == (2, "", f"error: {message}\n")



# --- templates, example, validate --feedback: the ledger ---------------------------------------

def test_example_rewrites_its_own_files_but_never_one_changed_since(tmp_path):
    out = tmp_path / "example"
    made = run_cli("example", "--out", str(out), "--years", str(YEAR))
    assert (made.returncode, made.stdout, made.stderr) == (0, f"wrote 9 example workbooks to {out / str(YEAR)}\n", "")
    first = snapshot(out)
    assert set(json.loads(first[LEDGER])["files"]) == {k for k in first if k != LEDGER}

    again = run_cli("example", "--out", str(out), "--years", str(YEAR))  # our own, unchanged: rewritten
    assert again.returncode == 0 and snapshot(out) == first

    changed = out / str(YEAR) / "education.xlsx"
    changed.write_bytes(changed.read_bytes() + b"edited")
    (out / str(YEAR) / "culture_leisure.xlsx").unlink()
    before = snapshot(out)
    refused(run_cli("example", "--out", str(out), "--years", str(YEAR)),
            f"{changed}: the file was changed since pipeline.py wrote it; move it away or choose another folder for "
            "--out (nothing was written)")
    assert snapshot(out) == before  # nothing written: the deleted one is not back either


def test_example_names_every_folder_it_wrote(tmp_path):
    out = tmp_path / "example"
    made = run_cli("example", "--out", str(out), "--years", "2023,2025")
    assert made.stdout == f"wrote 18 example workbooks to {out / '2023'} and {out / '2025'}\n"
    assert len(snapshot(out)) == 18 + 1  # and the ledger


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
    refused(run_cli("templates", "--year", str(YEAR), "--out", str(inputs)),
            f"{named} or choose another folder for --out (nothing was written)")
    assert snapshot(inputs) == before


def test_a_ledger_that_is_not_ours_is_not_overwritten(tmp_path):
    out = tmp_path / "templates"
    out.mkdir()
    (out / LEDGER).write_text("my own notes")
    refused(run_cli("templates", "--year", str(YEAR), "--out", str(out)),
            f"{out / LEDGER}: the file exists and was not written by pipeline.py; move it away or choose another "
            "folder for --out (nothing was written)")
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
    refused(run_cli(*args), f"{copy}: the file was changed since pipeline.py wrote it; move it away or choose "
                            "another folder for --feedback (nothing was written)")
    assert snapshot(out) == before


def test_feedback_never_overwrites_a_file_of_the_users(write_workbook, tmp_path):
    inputs, out = _broken_inputs(write_workbook, tmp_path), tmp_path / "feedback"
    out.mkdir()
    (out / f"summary-{YEAR}.xlsx").write_bytes(b"the analyst's own summary")
    refused(run_cli("validate", "--year", str(YEAR), "--inputs", str(inputs), "--feedback", str(out)),
            f"{out / f'summary-{YEAR}.xlsx'}: the file exists and was not written by pipeline.py; move it away or "
            "choose another folder for --feedback (nothing was written)")
    assert snapshot(out) == {f"summary-{YEAR}.xlsx": b"the analyst's own summary"}


def test_feedback_into_the_inputs_folder_never_overwrites_an_input(write_workbook, tmp_path):
    inputs = _broken_inputs(write_workbook, tmp_path)
    before = snapshot(inputs)
    workbook = inputs / str(YEAR) / "education.xlsx"
    refused(run_cli("validate", "--year", str(YEAR), "--inputs", str(inputs), "--feedback", str(inputs)),
            f"{workbook}: the feedback would overwrite an input workbook; give --feedback another folder")
    assert snapshot(inputs) == before


def test_a_full_disk_while_writing_feedback_is_a_usage_error(write_workbook, tmp_path, monkeypatch, capsys):
    inputs, out = _broken_inputs(write_workbook, tmp_path), tmp_path / "feedback"

    def over_quota(path, data):
        raise OSError(errno.EDQUOT, os.strerror(errno.EDQUOT), str(path))

    monkeypatch.setattr(ledger, "write_atomically", over_quota)
    code = cli.main(["validate", "--year", str(YEAR), "--inputs", str(inputs), "--feedback", str(out)])
    captured = capsys.readouterr()
    assert (code, captured.out, captured.err) == (2, "", f"error: {out / str(YEAR) / 'education.xlsx'}: cannot write "
                                                         "there (Disk quota exceeded); choose another folder for "
                                                         "--feedback\n")
    assert not out.exists()


def test_templates_through_a_file_or_on_a_full_disk_are_usage_errors(tmp_path, monkeypatch, capsys):
    (tmp_path / "file.txt").write_text("x")
    out = tmp_path / "file.txt" / "templates"
    refused(run_cli("templates", "--year", str(YEAR), "--out", str(out)),
            f"{out / str(YEAR) / 'cityexec_international.xlsx'}: cannot write there (Not a directory); choose "
            "another folder for --out")

    def full(path, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(ledger, "write_atomically", full)
    out = tmp_path / "templates"
    assert cli.main(["templates", "--year", str(YEAR), "--out", str(out)]) == 2
    assert capsys.readouterr().err == (f"error: {out / str(YEAR) / 'cityexec_international.xlsx'}: cannot write "
                                       "there (No space left on device); choose another folder for --out\n")
