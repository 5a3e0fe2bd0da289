"""Shared fixtures: the strategy model, settings, and workbooks built in code."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hki_intl import PROJECT_ROOT
from hki_intl.config.params import load_settings, load_strategy
from hki_intl.example import build_example
from hki_intl.messages import use_language
from hki_intl.workbook.excel import save_workbook
from hki_intl.workbook.template import build_workbook, template_path

PIPELINE = PROJECT_ROOT / "pipeline.py"


@pytest.fixture(autouse=True, scope="session")
def english_messages():
    """The tests assert English messages unless they choose a language (tests/test_messages.py does);
    the default for analysts is Finnish."""
    use_language("en")


@pytest.fixture(scope="session")
def strategy():
    return load_strategy()


@pytest.fixture(scope="session")
def settings():
    return load_settings().with_overrides(year=2025)


def activity(**overrides):
    """One valid activity row (codes as ids), overridable per test."""
    row = {
        "title": "Kiertotalouden benchmarking Amsterdamissa",
        "activity_type": "benchmarking",
        "goal": "competence",
        "focus_area": "climate",
        "partner_cities": "Amsterdam",
        "partner_countries": ["NL"],
        "partner_organisations": "City of Amsterdam",
        "network": "eurocities",
        "start": dt.date(2025, 3, 4),
        "end": dt.date(2025, 3, 6),
        "budget_eur": 4200.0,
        "external_funding_eur": 0.0,
        "funding_source": "none",
        "status": "completed",
        "outcome": "Kolme käytäntöä otettiin käyttöön",
    }
    row.update(overrides)
    return row


# One valid row on every sheet (codes as ids); the cases below break one thing each.
RECORDS = {
    "Toiminnot": [
        activity(),
        activity(
            title="Horizon: NetZeroCities",
            activity_type="eu_project",
            partner_countries=["SE", "DK"],
            network=None,
            end=None,
            external_funding_eur=125000.5,
            funding_source="horizon_europe",
            status="ongoing",
        ),
    ],
    "Verkostot": [
        {
            "network": "c40",
            "role": "board",
            "owner_unit": "Ilmastoyksikkö",
            "goal": "influence",
            "justification": "Ilmastotyön vaikuttaminen",
            "annual_fee_eur": 15000,
            "review_year": 2026,
        }
    ],
    "Vierailut": [
        {
            "direction": "incoming",
            "date": dt.date(2025, 5, 2),
            "city": "Tallinna",
            "country": "EE",
            "level": "mayor",
            "focus_area": "mobility",
            "participants": 12,
            "purpose": "Tunneli",
        }
    ],
    "Näkyvyys": [
        {
            "date": dt.date(2025, 6, 1),
            "outlet": "The Guardian",
            "country": "GB",
            "focus_area": "design",
            "tone": "positive",
            "reach": 1200000,
            "headline": "Helsinki's library",
        }
    ],
    "Kumppanuudet": [
        {
            "partner_city": "Peking",
            "country": "CN",
            "agreement_type": "programme",
            "signed_year": 2019,
            "strategic_goal": "influence",
            "joint_activity": "Talent",
        }
    ],
    "Mittarit": [
        {"indicator": "overnight_stays", "value_year": 2025, "value": 4924251, "source": "Statistics Finland", "note": None}
    ],
}


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


def run_cli(*args: str, cwd: Path = PROJECT_ROOT, timeout: int = 600, messages: str | None = "en") -> subprocess.CompletedProcess:
    """The real command line, as an analyst runs it; its messages in English (``--messages en``)
    unless ``messages`` names another language, or is None for the analyst's default."""
    chosen = ["--messages", messages] if messages else []
    return subprocess.run(
        [sys.executable, str(PIPELINE), *chosen, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


YEAR = 2025


@pytest.fixture(scope="session")
def example(tmp_path_factory):
    """example → run --lang all through the real CLI, once for every test that reads the reports."""
    root = tmp_path_factory.mktemp("e2e")
    made = run_cli("example", "--out", str(root / "inputs"), "--years", "2023-2025")
    assert made.returncode == 0, made.stderr
    folders = [str(root / "inputs" / str(year)) for year in (2023, 2024, 2025)]
    assert made.stdout.splitlines()[0] == f"wrote 26 example workbooks to {folders[0]}, {folders[1]} and {folders[2]}"
    ran = run_cli("run", "--year", str(YEAR), "--inputs", str(root / "inputs"), "--out", str(root / "report"), "--lang", "all")
    assert ran.returncode == 0, ran.stderr
    lines = ran.stdout.splitlines()
    assert lines[:-2] == [
        f"report written: {root / 'report' / f'international-activities-{YEAR}-{lang}.{fmt}'}"
        for lang in ("fi", "sv", "en")
        for fmt in ("html", "pdf")
    ]
    assert re.fullmatch(r"done in \d+\.\d s \(0 of \d+ stages reused\)", lines[-2])
    assert lines[-1] == "first draft: nothing to compare with"
    report = root / "report" / f"international-activities-{YEAR}-fi.html"
    return root, report.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def example_inputs(tmp_path_factory, strategy):
    """The example's workbooks for YEAR, built once; tests work on a copy (:func:`inputs_copy`)."""
    inputs = tmp_path_factory.mktemp("example-inputs") / "inputs"
    build_example(strategy, [YEAR], inputs)
    return inputs


@pytest.fixture
def inputs_copy(example_inputs, tmp_path):
    """A fresh copy of the example's inputs folder for one test to change."""
    copy = tmp_path / "inputs"
    shutil.copytree(example_inputs, copy)
    return copy
