"""The analyst's collection season, through the real command line, on the example data: templates
prefilled from 2024, a first batch with an error and an unconfirmed prefilled workbook, corrected
resubmissions, the last workbooks and the final report. At each round ``status`` says where the
collection stands and ``run`` what changed since the previous draft; the expected values are
worked out here from the workbooks and the consolidated tables, not by the code under test."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from hki_intl import PARAMS_DIR
from hki_intl.intake.tables import TABLES
from tests.conftest import YEAR, run_cli

pytestmark = pytest.mark.slow

FIRST_BATCH = ("education", "culture_leisure", "forum_virium")
SECOND_BATCH = ("helsinki_partners", "social_health")
CARRIED_SHEETS = ("Toiminnot", "Verkostot", "Kumppanuudet")
UNCONFIRMED, CONFIRMED = "Siirretty – tarkista", "Siirretty – vahvistettu"


def expected_organisations() -> list[str]:
    """The organisations that report in ``YEAR``, read from params/strategy.yaml itself."""
    strategy = yaml.safe_load((PARAMS_DIR / "strategy.yaml").read_text(encoding="utf-8"))
    return sorted(o["id"] for o in strategy["organisations"] if o["from"] <= YEAR and o.get("until", YEAR) >= YEAR)


def send(example: Path, season: Path, organisation: str) -> Path:
    """A contributor's workbook of the example arrives in the season's folder, with its photos."""
    for path in (example / str(YEAR)).glob(f"{organisation}*"):
        shutil.copy2(path, season / path.name)
    return season / f"{organisation}.xlsx"


def status(inputs: Path) -> dict:
    done = run_cli("status", "--year", str(YEAR), "--inputs", str(inputs), "--format", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def by_organisation(found: dict) -> dict[str, dict]:
    return {entry["organisation"]: entry for entry in found["entries"] if entry["organisation"]}


def run(inputs: Path, out: Path, *extra: str) -> dict:
    done = run_cli("run", "--year", str(YEAR), "--inputs", str(inputs), "--out", str(out), "--format", "html", *extra)
    assert done.returncode == 0, done.stderr
    return json.loads((out / "changes.json").read_text(encoding="utf-8"))


def activities(out: Path) -> pd.DataFrame:
    frame = pd.read_csv(out / TABLES / "activities.csv")
    return frame[frame["year"] == YEAR]


def headline(changes: dict, figure: str) -> tuple[float, float] | None:
    found = [(f["old"], f["new"]) for f in changes["figures"] if f["figure"] == figure and f["year"] == YEAR]
    return found[0] if found else None


def carried_rows(workbook: Path, state: str) -> int:
    """Rows whose last (carried-over) column says ``state``, on the three sheets prefilled."""
    wb = openpyxl.load_workbook(workbook, read_only=True)
    count = sum(1 for name in CARRIED_SHEETS for row in wb[name].iter_rows(min_row=2, values_only=True) if state in row)
    wb.close()
    return count


def confirm(workbook: Path) -> None:
    """The contributor checks the carried-over rows and confirms each."""
    wb = openpyxl.load_workbook(workbook)
    for name in CARRIED_SHEETS:
        for row in wb[name].iter_rows(min_row=2):
            for cell in row:
                if cell.value == UNCONFIRMED:
                    cell.value = CONFIRMED
    wb.save(workbook)


def test_a_collection_season_in_three_rounds(tmp_path):
    example, templates, inputs, out = (tmp_path / name for name in ("example", "templates", "inputs", "report"))
    assert run_cli("example", "--out", str(example), "--years", "2024-2025").returncode == 0
    expected = expected_organisations()

    # January: the templates go out, prefilled with what continues from 2024.
    made = run_cli("templates", "--year", str(YEAR), "--out", str(templates), "--prefill-from", str(example))
    assert made.returncode == 0, made.stderr
    assert sorted(p.stem for p in (templates / str(YEAR)).glob("*.xlsx")) == expected
    prefilled = templates / str(YEAR) / "education.xlsx"
    carried = carried_rows(prefilled, UNCONFIRMED)
    networks_2024 = openpyxl.load_workbook(example / "2024" / "education.xlsx", read_only=True)["Verkostot"]
    assert carried >= sum(1 for row in networks_2024.iter_rows(min_row=2, values_only=True) if row[0]) > 0

    # Round 1: three workbooks — the prefilled one sent back unconfirmed, one with a budget typed as words.
    season = inputs / str(YEAR)
    season.mkdir(parents=True)
    for name in ("analyst-fi.md", "analyst-sv.md", "analyst-en.md"):
        shutil.copy2(example / str(YEAR) / name, season / name)
    shutil.copy2(prefilled, season / "education.xlsx")
    broken = send(example, season, "culture_leisure")
    wb = openpyxl.load_workbook(broken)
    wb["Toiminnot"]["K2"] = "noin kymppitonni"
    wb.save(broken)
    send(example, season, "forum_virium")

    first = status(inputs)
    silent = [o for o in expected if o not in FIRST_BATCH]
    assert [e["organisation"] for e in first["entries"][: len(silent)]] == silent  # the silent ones first
    assert {e["state"] for e in first["entries"][: len(silent)]} == {"not_received"}
    states = by_organisation(first)
    assert (states["culture_leisure"]["state"], states["culture_leisure"]["errors"]) == ("errors", 1)
    assert states["education"]["state"] == "findings_only" and states["education"]["warnings"] >= 1
    assert first["previous"] is None and first["changes"] is None  # nothing to compare with yet
    validate = run_cli("validate", "--year", str(YEAR), "--inputs", str(inputs))
    assert validate.returncode == 1 and "culture_leisure.xlsx: Toiminnot!K2" in validate.stderr

    draft1 = run(inputs, out, "--allow-partial")
    assert draft1["status"] == "first draft"
    tables1 = activities(out)
    assert set(tables1["organisation"]) == {"education", "forum_virium"}  # the broken workbook left out

    # Round 2: the corrections come back and two more organisations send theirs.
    send(example, season, "culture_leisure")
    confirm(season / "education.xlsx")
    assert carried_rows(season / "education.xlsx", UNCONFIRMED) == 0
    for organisation in SECOND_BATCH:
        send(example, season, organisation)

    second = status(inputs)
    assert first["entries"] != second["entries"]
    changed = {(c["change"], c["file"]) for c in second["changes"]}
    assert {("replaced", "culture_leisure.xlsx"), ("replaced", "education.xlsx")} <= changed
    assert {("new", f"{o}.xlsx") for o in SECOND_BATCH} <= changed
    states = by_organisation(second)
    assert states["culture_leisure"]["state"] in ("clean", "findings_only") and states["culture_leisure"]["errors"] == 0
    assert states["education"]["warnings"] == 0
    assert sum(e["state"] == "not_received" for e in second["entries"]) == len(expected) - len(FIRST_BATCH) - len(SECOND_BATCH)

    draft2 = run(inputs, out)
    tables2 = activities(out)
    assert draft2["status"] == "changes"
    moved = {w["workbook"] for kind in ("added", "replaced") for w in draft2["workbooks"][kind]}
    assert {f"{YEAR}/{o}.xlsx" for o in ("culture_leisure", *SECOND_BATCH)} <= moved
    assert draft2["workbooks"]["removed"] == []
    count = (float((tables1["goal"] == "competence").sum()), float((tables2["goal"] == "competence").sum()))
    assert count[0] != count[1] and headline(draft2, "competence_activities") == count
    funding = tuple(float(t["external_funding_eur"].fillna(0).sum()) for t in (tables1, tables2))
    assert headline(draft2, "external_funding_eur") == funding
    resolved = json.dumps(draft2["problems"]["resolved"])
    assert "culture_leisure.xlsx" in resolved and "education.xlsx" in resolved  # the error and the carried rows

    # Round 3: the last workbooks; every organisation has sent one, and the final report is built.
    last = [o for o in expected if o not in (*FIRST_BATCH, *SECOND_BATCH)]
    for organisation in last:
        send(example, season, organisation)
    third = status(inputs)
    assert not any(e["state"] in ("not_received", "errors") for e in third["entries"])
    assert {c["file"] for c in third["changes"] if c["change"] == "new"} == {f"{o}.xlsx" for o in last}

    final = run(inputs, out)
    tables3 = activities(out)
    assert sorted(w["workbook"] for w in final["workbooks"]["added"]) == [f"{YEAR}/{o}.xlsx" for o in last]
    assert final["workbooks"]["replaced"] == [] and final["workbooks"]["removed"] == []
    assert headline(final, "competence_activities") == (
        float((tables2["goal"] == "competence").sum()),
        float((tables3["goal"] == "competence").sum()),
    )
    assert set(tables3["organisation"]) <= set(expected) and len(set(tables3["organisation"])) == len(expected)
    assert (out / f"international-activities-{YEAR}-fi.html").is_file() and (out / "changes-fi.html").is_file()
    # A last run with nothing new: the final list of changes stays as it was.
    assert run(inputs, out) == final
