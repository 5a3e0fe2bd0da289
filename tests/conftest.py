"""Shared fixtures: the strategy model, settings, and workbooks built in code."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hki_intl import PROJECT_ROOT
from hki_intl.excel_io import save_workbook
from hki_intl.params import load_settings, load_strategy
from hki_intl.templates import build_workbook, template_path

PIPELINE = PROJECT_ROOT / "pipeline.py"


@pytest.fixture(scope="session")
def strategy():
    return load_strategy()


@pytest.fixture(scope="session")
def settings():
    return load_settings().with_overrides(year=2025)


def activity(**overrides):
    """One valid activity row (codes as ids), overridable per test."""
    row = {
        "title": "Kiertotalouden benchmarking Amsterdamissa", "activity_type": "benchmarking",
        "goal": "competence", "focus_area": "climate", "partner_cities": "Amsterdam",
        "partner_countries": ["NL"], "partner_organisations": "City of Amsterdam", "network": "eurocities",
        "start": dt.date(2025, 3, 4), "end": dt.date(2025, 3, 6), "budget_eur": 4200.0,
        "external_funding_eur": 0.0, "funding_source": "none", "status": "completed",
        "outcome": "Kolme käytäntöä otettiin käyttöön",
    }
    row.update(overrides)
    return row


@pytest.fixture
def write_workbook(tmp_path, strategy):
    """Write ``<tmp>/inputs/<year>/<org>.xlsx`` with the given records; return its path."""

    def write(records=None, organisation="education", year=2025, lang="fi", edit=None):
        wb = build_workbook(strategy, organisation, year, lang, records or {"Toiminnot": [activity()]})
        if edit:
            edit(wb)
        path = template_path(tmp_path / "inputs", year, organisation)
        save_workbook(wb, path)
        return path

    return write


def run_cli(*args: str, cwd: Path = PROJECT_ROOT, timeout: int = 600) -> subprocess.CompletedProcess:
    """The real command line, as an analyst runs it."""
    return subprocess.run([sys.executable, str(PIPELINE), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


YEAR = 2025


@pytest.fixture(scope="session")
def example(tmp_path_factory):
    """example → run --lang all through the real CLI, once for every test that reads the reports."""
    root = tmp_path_factory.mktemp("e2e")
    made = run_cli("example", "--out", str(root / "inputs"), "--years", "2023-2025")
    assert made.returncode == 0, made.stderr
    folders = [str(root / "inputs" / str(year)) for year in (2023, 2024, 2025)]
    assert made.stdout.strip() == f"wrote 26 example workbooks to {folders[0]}, {folders[1]} and {folders[2]}"
    ran = run_cli("run", "--year", str(YEAR), "--inputs", str(root / "inputs"), "--out", str(root / "report"),
                  "--lang", "all")
    assert ran.returncode == 0, ran.stderr
    lines = ran.stdout.splitlines()
    assert lines[:-1] == [f"report written: {root / 'report' / f'international-activities-{YEAR}-{lang}.{fmt}'}"
                          for lang in ("fi", "sv", "en") for fmt in ("html", "pdf")]
    assert re.fullmatch(r"done in \d+\.\d s \(0 of \d+ stages reused\)", lines[-1])
    report = root / "report" / f"international-activities-{YEAR}-fi.html"
    return root, report.read_text(encoding="utf-8")
