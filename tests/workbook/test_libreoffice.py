"""Workbooks saved by another tool than openpyxl: LibreOffice re-saves our templates (its own
XML: shared strings, a thousand styled empty rows per sheet, other part names) and they read the
same; its .ods is named for what it is; and the advice for a formula without a saved result
(open and save again) works.

Needs LibreOffice (Debian: ``apt-get install libreoffice-calc-nogui``); skipped without it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from hki_intl.intake import read_submission
from tests.conftest import RECORDS

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not SOFFICE, reason="needs LibreOffice (apt-get install libreoffice-calc-nogui)"),
]
YEAR = 2025
BOOKKEEPING = ("source_file",)


def resave(path: Path, folder: Path, kind: str = "xlsx") -> Path:
    """``path`` opened and saved again by LibreOffice as ``kind``, into ``folder``."""
    profile = folder.parent / "libreoffice-profile"  # its own profile: runs never share one
    done = subprocess.run(
        [
            SOFFICE,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            kind,
            "--outdir",
            str(folder),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    converted = folder / f"{path.stem}.{kind}"
    assert done.returncode == 0 and converted.exists(), done.stderr
    return converted


def _tables(submission):
    return {
        name: [{k: v for k, v in row.items() if k not in BOOKKEEPING} for row in rows] for name, rows in submission.tables.items()
    }


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_a_workbook_resaved_by_libreoffice_reads_the_same(write_workbook, strategy, settings, tmp_path, lang):
    original = write_workbook(RECORDS, lang=lang)
    resaved = resave(original, tmp_path / "libreoffice" / str(YEAR))
    assert resaved.read_bytes() != original.read_bytes()
    ours, problems = read_submission(original, YEAR, strategy, settings)
    theirs, their_problems = read_submission(resaved, YEAR, strategy, settings)
    assert problems == [] and their_problems == []
    assert _tables(theirs) == _tables(ours) and sum(len(rows) for rows in ours.tables.values()) == 7
    assert (theirs.organisation, theirs.template_version) == (ours.organisation, ours.template_version)


def test_libreoffice_saves_the_results_a_formula_needs(write_workbook, strategy, settings, tmp_path):
    def edit(wb):
        wb["Toiminnot"]["K2"] = "=2100*2"
        wb["Toiminnot"]["L3"] = "=K2*10"

    original = write_workbook(RECORDS, edit=edit)
    _, problems = read_submission(original, YEAR, strategy, settings)
    assert [p.cell for p in problems] == ["K2", "L3"]
    resaved = resave(original, tmp_path / "libreoffice" / str(YEAR))
    submission, problems = read_submission(resaved, YEAR, strategy, settings)
    assert problems == []
    assert [(r["budget_eur"], r["external_funding_eur"]) for r in submission.tables["activities"]] == [
        (4200.0, 0.0),
        (4200.0, 42000.0),
    ]


def test_an_ods_saved_by_libreoffice_is_named_for_what_it_is(write_workbook, strategy, settings, tmp_path):
    ods = resave(write_workbook(RECORDS), tmp_path / "libreoffice" / str(YEAR), "ods")
    renamed = ods.with_suffix(".xlsx")
    shutil.copy(ods, renamed)
    assert [str(p) for p in read_submission(ods, YEAR, strategy, settings)[1]] == [
        f"{ods}: not an .xlsx workbook (an OpenDocument spreadsheet, .ods); save it as 'Excel 2007-365 (.xlsx)' "
        "(LibreOffice: File → Save As) and name it <organisation-id>.xlsx"
    ]
    assert [str(p) for p in read_submission(renamed, YEAR, strategy, settings)[1]] == [
        f"{renamed}: the file is not an Excel workbook (an OpenDocument spreadsheet, .ods); save it in Excel as "
        "'Excel Workbook (*.xlsx)' (LibreOffice: File → Save As → 'Excel 2007-365 (.xlsx)')"
    ]
