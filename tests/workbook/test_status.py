"""``pipeline.py status``: where the collection of a year stands and what changed since the last
status, through the real command line on a copy of the example workbooks."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from hki_intl.cli import main
from hki_intl.intake import load_submissions
from hki_intl.workbook.feedback import summary_workbook
from hki_intl.workbook.schema import TEMPLATE_VERSION
from tests.conftest import run_cli

YEAR = 2025
# The organisations' names as the list shows them, in the language of its words (English here);
# the JSON keeps the Finnish name.
EDUCATION = "Education Division"
EDUCATION_FI = "Kasvatuksen ja koulutuksen toimiala"
SOCIAL_HEALTH = "Social Services, Health Care and Rescue Services Division"
FIRST = "The first status of {folder}: nothing to compare with yet; the next status lists what changed."
ENTRY_KEYS = [
    "state",
    "organisation",
    "name",
    "file",
    "modified",
    "template_version",
    "sha256",
    "content",
    "errors",
    "warnings",
    "findings",
]


@pytest.fixture
def inputs(inputs_copy):
    return inputs_copy


@dataclass(frozen=True)
class Done:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def status(capsys):
    """``pipeline.py status`` for the year on ``inputs``, through :func:`hki_intl.cli.main` (the
    first test also runs it as a process)."""

    def run(inputs: Path, *more: str) -> Done:
        capsys.readouterr()
        code = main(["--messages", "en", "status", "--year", str(YEAR), "--inputs", str(inputs), *more])
        out, err = capsys.readouterr()
        return Done(code, out, err)

    return run


def table(stdout: str) -> list[list[str]]:
    """The list's rows (after the headline, before the first line that is not indented), cells
    split where the columns are aligned."""
    rows = []
    for line in stdout.splitlines()[2:]:
        if not line.startswith("  "):
            break
        rows.append(re.split(r" {2,}", line.strip()))
    return rows


def changes(stdout: str) -> list[str]:
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Changes since the last status ("))
    return [line.strip() for line in lines[start + 1 :]]


def summary_findings(inputs: Path, strategy, settings) -> dict[str, int]:
    """The findings per file in the feedback summary that ``validate --feedback`` writes."""
    wb = summary_workbook(load_submissions(inputs, [YEAR], strategy, settings), YEAR, strategy)
    return {row[2]: row[6] for row in wb["Summary"].iter_rows(min_row=2, values_only=True)}


def test_the_first_status_lists_every_workbook_with_its_state_date_and_version(status, inputs, strategy, settings):
    helsinki_noon = dt.datetime(2026, 1, 12, 10, 0, tzinfo=dt.UTC).timestamp()  # 12:00 in Helsinki (UTC+2 in winter)
    os.utime(inputs / str(YEAR) / "education.xlsx", (helsinki_noon, helsinki_noon))
    done = run_cli("status", "--year", str(YEAR), "--inputs", str(inputs))  # as an analyst runs it
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    folder = inputs / str(YEAR)
    lines = done.stdout.splitlines()
    assert lines[0] == (
        f"{folder}: 9 of the 9 organisations expected for {YEAR} sent a file; files: 0 with errors, 8 with findings "
        f"only, 1 clean."
    )
    assert lines[1].split() == ["state", "organisation", "file", "modified", "(Helsinki)", "template", "version"]
    rows = table(done.stdout)
    assert len(rows) == 9
    assert rows[-1][:3] == ["clean", "City Executive Office, Communications", "cityexec_communications.xlsx"]
    findings = summary_findings(inputs, strategy, settings)
    assert {r[2]: r[0] for r in rows[:-1]} == {file: f"findings only ({n} findings)" for file, n in findings.items() if n}
    assert [r[2] for r in rows[:-1]] == sorted(r[2] for r in rows[:-1])  # one state: by organisation id
    assert all(r[4] == TEMPLATE_VERSION for r in rows)
    assert next(r for r in rows if r[2] == "education.xlsx")[1:4] == [EDUCATION, "education.xlsx", "2026-01-12 12:00"]
    assert lines[-1] == FIRST.format(folder=folder)

    # The record is outside the year's folder: validate reads exactly what it read before.
    assert json.loads((inputs / ".status" / f"{YEAR}.json").read_text())["kind"] == "status"
    checked = run_cli("validate", "--year", str(YEAR), "--inputs", str(inputs))
    assert (checked.returncode, checked.stdout, checked.stderr) == (0, f"9 workbooks for {YEAR} are valid.\n", "")

    again = status(inputs)
    assert again.returncode == 0, again.stderr
    assert table(again.stdout) == rows
    assert re.fullmatch(r"No changes since the last status \(\d{4}-\d\d-\d\d \d\d:\d\d\)\.", again.stdout.splitlines()[-1])


def test_a_removed_workbook_makes_its_organisation_silent_and_first_in_the_list(status, inputs):
    assert status(inputs).returncode == 0
    (inputs / str(YEAR) / "social_health.xlsx").unlink()
    done = status(inputs)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].startswith(f"{inputs / str(YEAR)}: 8 of the 9 organisations expected")
    assert table(done.stdout)[0] == ["not received", SOCIAL_HEALTH, "–"]
    assert changes(done.stdout) == [f"removed: social_health.xlsx ({SOCIAL_HEALTH}): it was findings only (4 findings)"]


def test_a_broken_cell_counts_the_errors_validate_prints_and_each_replacement_is_listed(status, inputs):
    workbook = inputs / str(YEAR) / "education.xlsx"
    original = workbook.read_bytes()
    assert status(inputs).returncode == 0
    wb = openpyxl.load_workbook(workbook)
    wb["Toiminnot"]["B2"] = "Seminaari"
    wb.save(workbook)

    done = status(inputs)
    assert done.returncode == 0, done.stderr  # a status reports errors; it does not fail
    checked = run_cli("validate", "--year", str(YEAR), "--inputs", str(inputs))
    assert checked.returncode == 1
    assert checked.stderr.splitlines()[-1] == "1 problem found; fix them and run again."
    assert table(done.stdout)[0][:3] == ["errors (1)", EDUCATION, "education.xlsx"]
    assert "1 with errors, 7 with findings only, 1 clean." in done.stdout.splitlines()[0]
    assert changes(done.stdout) == [f"replaced: education.xlsx ({EDUCATION}): findings only (4 findings) → errors (1)"]

    workbook.write_bytes(original)  # the corrected workbook comes back
    fixed = status(inputs)
    assert fixed.returncode == 0, fixed.stderr
    assert [r[0] for r in table(fixed.stdout) if r[2] == "education.xlsx"] == ["findings only (4 findings)"]
    assert changes(fixed.stdout) == [f"replaced: education.xlsx ({EDUCATION}): errors (1) → findings only (4 findings)"]


def test_json_lists_files_of_no_known_organisation_and_two_files_for_one(status, inputs):
    first = status(inputs, "--format", "json")
    assert first.returncode == 0, first.stderr
    document = json.loads(first.stdout)
    assert list(document) == [
        "version",
        "year",
        "folder",
        "expected",
        "counts",
        "entries",
        "other_warnings",
        "previous",
        "changes",
    ]
    assert (document["version"], document["year"], document["expected"]) == (1, YEAR, 9)
    assert document["counts"] == {"not_received": 0, "errors": 0, "findings_only": 8, "clean": 1}
    assert (document["previous"], document["changes"]) == (None, None)
    education = next(e for e in document["entries"] if e["file"] == "education.xlsx")
    assert list(education) == ENTRY_KEYS
    assert education | {"modified": None, "sha256": None} == {
        "state": "findings_only",
        "organisation": "education",
        "name": EDUCATION_FI,
        "file": "education.xlsx",
        "modified": None,
        "template_version": TEMPLATE_VERSION,
        "sha256": None,
        "content": "data",
        "errors": 0,
        "warnings": 0,
        "findings": 4,
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[23]:00", education["modified"])
    assert re.fullmatch(r"[0-9a-f]{64}", education["sha256"])

    folder = inputs / str(YEAR)
    shutil.copy(folder / "education.xlsx", folder / "Education.xlsx")  # two files for one organisation
    # No known organisation by its name; its info sheet names forum_virium, which now has two workbooks.
    shutil.copy(folder / "forum_virium.xlsx", folder / "kirjasto.xlsx")
    second = json.loads(status(inputs, "--format", "json").stdout)
    entries = second["entries"]
    assert [(e["state"], e["organisation"], e["file"], e["errors"]) for e in entries[:4]] == [
        ("errors", "education", "Education.xlsx", 1),
        ("errors", "education", "education.xlsx", 1),
        ("errors", "forum_virium", "forum_virium.xlsx", 1),
        ("errors", None, "kirjasto.xlsx", 3),
    ]
    checked = run_cli("validate", "--year", str(YEAR), "--inputs", str(inputs))
    assert checked.stderr.splitlines()[-1] == "6 problems found; fix them and run again."  # 1 + 1 + 1 + 3, as listed
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[23]:00", second["previous"])
    assert [(c["change"], c["file"]) for c in second["changes"]] == [
        ("new", "Education.xlsx"),
        ("state_changed", "education.xlsx"),
        ("state_changed", "forum_virium.xlsx"),
        ("new", "kirjasto.xlsx"),
    ]
    changed = second["changes"][1]
    assert (changed["before"]["state"], changed["after"]["state"]) == ("findings_only", "errors")
    assert changed["before"]["sha256"] == changed["after"]["sha256"]


def test_xlsx_is_written_to_out_and_reads_back_as_the_list(status, inputs, tmp_path):
    out = tmp_path / "mail" / f"status-{YEAR}.xlsx"
    done = status(inputs, "--format", "xlsx", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1:] == [f"status written to {out}"]
    listed = json.loads(status(inputs, "--format", "json").stdout)["entries"]

    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Status", "Changes"]
    ws = wb["Status"]
    values = list(ws.iter_rows(values_only=True))
    assert values[0] == (
        "state",
        "organisation",
        "name",
        "file",
        "modified (Helsinki)",
        "template version",
        "errors",
        "warnings",
        "findings",
        "note",
    )
    assert [(r[0], r[1], r[3], r[5], r[8]) for r in values[1:]] == [
        (e["state"].replace("_", " "), e["organisation"], e["file"], e["template_version"], e["findings"]) for e in listed
    ]
    modified = dt.datetime.fromisoformat(listed[0]["modified"]).replace(tzinfo=None)
    assert values[1][4] == modified
    assert (ws.freeze_panes, ws.auto_filter.ref, ws["A1"].font.bold) == ("A2", f"A1:J{len(values)}", True)
    assert list(wb["Changes"].iter_rows(values_only=True))[1][0] == FIRST.format(folder=inputs / str(YEAR))

    again = status(inputs, "--format", "xlsx", "--out", str(out))  # its own file: written again
    assert again.returncode == 0, again.stderr
    assert list(openpyxl.load_workbook(out)["Changes"].iter_rows(values_only=True))[1][0].startswith("No changes since")


def test_out_never_replaces_a_file_that_status_did_not_write(status, inputs, tmp_path):
    mine = tmp_path / "notes.xlsx"
    mine.write_bytes(b"the analyst's own")
    refused = status(inputs, "--format", "xlsx", "--out", str(mine))
    assert (refused.returncode, refused.stdout) == (2, "")
    assert refused.stderr == (
        f"error: {mine}: the file exists and was not written by pipeline.py; move it away or choose another folder "
        f"for --out (nothing was written)\n"
    )
    assert mine.read_bytes() == b"the analyst's own"
    assert not (inputs / ".status").exists()  # refused before anything was read or remembered

    written = tmp_path / "status.json"
    assert status(inputs, "--format", "json", "--out", str(written)).returncode == 0
    written.write_text("changed by hand")
    changed = status(inputs, "--format", "json", "--out", str(written))
    assert changed.returncode == 2
    assert "the file was changed since pipeline.py wrote it" in changed.stderr
    assert written.read_text() == "changed by hand"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--format", "xlsx"], "error: --format xlsx writes a workbook: give it a file to write with --out FILE.xlsx"),
        (
            ["--format", "xlsx", "--out", "{folder}/status.xlsx"],
            "error: {folder}/status.xlsx: the status would be read as one of the 2025 inputs; give --out a file outside {folder}",
        ),
        (
            ["--format", "xlsx", "--out", "{folder}.csv"],
            "error: {folder}.csv: a status workbook must be named .xlsx so that Excel opens it; give --out FILE.xlsx",
        ),
    ],
)
def test_misuse_is_one_line_and_exit_2(status, inputs, options, message):
    folder = inputs / str(YEAR)
    done = status(inputs, *(o.format(folder=folder) for o in options))
    assert (done.returncode, done.stdout, done.stderr) == (2, "", message.format(folder=folder) + "\n")
    assert not (inputs / ".status").exists()


def test_a_status_record_that_is_not_ours_is_refused_not_overwritten(status, inputs):
    record = inputs / ".status" / f"{YEAR}.json"
    record.parent.mkdir()
    record.write_text('{"mine": true}\n')
    done = status(inputs)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"error: {record}: not the record of an earlier status that pipeline.py wrote; move it away and run status "
        f"again (nothing was written)\n"
    )
    assert record.read_text() == '{"mine": true}\n'


# --- in the analyst's language: Finnish by default, status --lang, or --messages -------------------

IN_LANGUAGES = [
    pytest.param(
        [],
        "{folder}: vuodelta 2025 odotetuista 9 organisaatiosta 8 on lähettänyt tiedoston; tiedostoja: virheellisiä 0, "
        "vain havaintoja 7, kunnossa 1.",
        ["tila", "organisaatio", "tiedosto", "muokattu (Helsingin aikaa)", "pohjan versio"],
        ["ei saapunut", "Sosiaali-, terveys- ja pelastustoimiala", "–"],
        "poistettu: social_health.xlsx (Sosiaali-, terveys- ja pelastustoimiala): tila oli vain havaintoja (4 havaintoa)",
        id="fi by default",
    ),
    pytest.param(
        ["--lang", "sv"],
        "{folder}: 8 av de 9 organisationer som väntas för 2025 har skickat en fil; filer: 0 med fel, 7 med endast "
        "iakttagelser, 1 utan anmärkningar.",
        ["status", "organisation", "fil", "ändrad (Helsingforstid)", "mallens version"],
        ["inte inkommen", "Social-, hälsovårds- och räddningssektorn", "–"],
        "borttagen: social_health.xlsx (Social-, hälsovårds- och räddningssektorn): den var endast iakttagelser (4 iakttagelser)",
        id="sv by status --lang",
    ),
    pytest.param(
        ["--messages", "en"],
        "{folder}: 8 of the 9 organisations expected for 2025 sent a file; files: 0 with errors, 7 with findings only, 1 clean.",
        ["state", "organisation", "file", "modified (Helsinki)", "template version"],
        ["not received", SOCIAL_HEALTH, "–"],
        f"removed: social_health.xlsx ({SOCIAL_HEALTH}): it was findings only (4 findings)",
        id="en by --messages",
    ),
]


@pytest.mark.parametrize(("chosen", "headline", "header", "silent", "removed"), IN_LANGUAGES)
def test_the_list_speaks_the_analysts_language(status, inputs, chosen, headline, header, silent, removed):
    assert status(inputs).returncode == 0
    (inputs / str(YEAR) / "social_health.xlsx").unlink()
    global_options, command_options = (chosen, []) if chosen[:1] == ["--messages"] else ([], chosen)
    done = run_cli(*global_options, "status", "--year", str(YEAR), "--inputs", str(inputs), *command_options, messages=None)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == headline.format(folder=inputs / str(YEAR))
    assert re.split(r" {2,}", lines[1].strip()) == header
    assert table(done.stdout)[0] == silent
    assert lines[-2].endswith(":") and lines[-1].strip() == removed  # the changes since the last status


def test_the_workbook_speaks_the_analysts_language(inputs, tmp_path):
    out = tmp_path / f"status-{YEAR}.xlsx"
    done = run_cli("status", "--year", str(YEAR), "--inputs", str(inputs), "--format", "xlsx", "--out", str(out), "--lang", "sv")
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert done.stdout.splitlines()[1] == f"statusen skrevs till {out}"
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Status", "Ändringar"]
    values = list(wb["Status"].iter_rows(values_only=True))
    assert values[0] == (
        "status",
        "organisation",
        "namn",
        "fil",
        "ändrad (Helsingforstid)",
        "mallens version",
        "fel",
        "varningar",
        "iakttagelser",
        "anmärkning",
    )
    education = next(row for row in values if row[3] == "education.xlsx")
    assert education[:4] == ("endast iakttagelser", "education", "Fostran och utbildning", "education.xlsx")
    assert values[-1][:3] == ("utan anmärkningar", "cityexec_communications", "Stadskansliet, kommunikation")
    changes_sheet = list(wb["Ändringar"].iter_rows(values_only=True))
    assert changes_sheet[0] == ("ändring", "fil", "namn", "före", "nu")
    assert changes_sheet[1][0].startswith(f"Den första statusen för {inputs / str(YEAR)}: inget att jämföra med ännu")


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        ([], "virhe: --format xlsx kirjoittaa työkirjan: anna kirjoitettava tiedosto valitsimella --out TIEDOSTO.xlsx"),
        (["--lang", "sv"], "fel: --format xlsx skriver en arbetsbok: ange filen som ska skrivas med --out FIL.xlsx"),
        (["--lang", "en"], "error: --format xlsx writes a workbook: give it a file to write with --out FILE.xlsx"),
    ],
)
def test_a_refusal_speaks_the_analysts_language(inputs, chosen, message):
    done = run_cli("status", "--year", str(YEAR), "--inputs", str(inputs), "--format", "xlsx", *chosen, messages=None)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", message + "\n")
    assert not (inputs / ".status").exists()
