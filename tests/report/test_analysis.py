"""The report's figures from tiny tables built in code."""

import datetime as dt
from pathlib import Path

import pytest

from hki_intl.intake import IntakeResult, Submission
from hki_intl.intake.tables import consolidate, read_tables, write_tables
from hki_intl.report import analysis, goals
from hki_intl.workbook.schema import SHEETS


def _record(table, org, year, row, **values):
    sheet = next(s for s in SHEETS if s.table == table)
    record = dict.fromkeys((c.key for c in sheet.columns), None)
    record.update(organisation=org, year=year, source_file=f"{org}.xlsx", source_row=row, **values)
    return record


def _act(org, year, row, **values):
    base = dict(
        title=f"T{row}",
        activity_type="project",
        goal="competence",
        focus_area="climate",
        start=dt.date(year, 1, 1),
        status="ongoing",
        external_funding_eur=0.0,
    )
    return _record("activities", org, year, row, **{**base, **values})


@pytest.fixture
def tables(tmp_path):
    subs = []
    for org, year, acts, nets, parts in [
        ("education", 2024, [_act("education", 2024, 2)], [], []),
        (
            "education",
            2025,
            [
                _act("education", 2025, 2, external_funding_eur=1000.0, funding_source="erasmus_plus"),
                _act("education", 2025, 3, goal="influence", focus_area="outside", title="Muu A"),
                _act(
                    "education",
                    2025,
                    4,
                    focus_area="outside",
                    title="Muu B",
                    activity_type="benchmarking",
                    external_funding_eur=500.0,
                    funding_source="national",
                ),
            ],
            [
                _record(
                    "networks",
                    "education",
                    2025,
                    2,
                    network="eurocities",
                    role="board",
                    owner_unit=None,
                    goal="influence",
                    justification="x",
                ),
                _record("networks", "education", 2025, 3, network="c40", role="member", owner_unit="Yksikkö"),
            ],
            [
                _record(
                    "partnerships",
                    "education",
                    2025,
                    2,
                    partner_city="Riika",
                    country="LV",
                    agreement_type="twin_city",
                    strategic_goal=None,
                ),
            ],
        ),
    ]:
        sub = Submission(org, year, Path(f"{org}.xlsx"), "2025.1", "")
        sub.tables = {s.table: [] for s in SHEETS}
        sub.tables.update(activities=acts, networks=nets, partnerships=parts)
        subs.append(sub)
    write_tables(consolidate(IntakeResult(subs, [], {})), tmp_path / "data")
    return read_tables(tmp_path / "data")


def test_competence_headlines_with_previous_year(tables, strategy):
    figures = {h.id: h for h in goals.compute_headlines(tables, 2025, strategy, "competence")}
    assert (figures["competence_activities"].value, figures["competence_activities"].previous) == (2, 1)
    assert figures["external_funding_eur"].value == 1500.0
    assert figures["eu_funding_eur"].value == 1000.0
    assert figures["benchmarking_activities"].value == 1


def test_influence_headlines(tables, strategy):
    figures = {h.id: h for h in goals.compute_headlines(tables, 2025, strategy, "influence")}
    assert figures["network_memberships"].value == 2
    assert figures["influence_roles"].value == 1
    assert figures["city_partnerships"].value == 1
    assert figures["network_memberships"].previous == 0


def test_findings_name_rule_organisation_and_item(tables, strategy):
    found = analysis.findings(tables, 2025, strategy)
    rows = set(zip(found["rule"], found["organisation"], found["item"], strict=True))
    assert ("membership_without_owner", "education", "eurocities") in rows
    assert ("membership_without_goal", "education", "c40") in rows
    assert ("twin_city_without_goal", "education", "Riika") in rows
    assert ("activity_outside_focus_areas", "education", "Muu A") in rows
    missing = {org for rule, org, _ in rows if rule == "organisation_did_not_submit"}
    assert missing == set(strategy.organisations_in(2025)) - {"education"}


def test_findings_for_decision_collapse_outside_activities(tables, strategy):
    collapsed = analysis.findings_for_decision(analysis.findings(tables, 2025, strategy))
    outside = collapsed[collapsed["rule"] == "activity_outside_focus_areas"]
    assert outside[["organisation", "item", "count"]].values.tolist() == [["education", "Muu A", 2]]


def test_activities_by_organisation(tables):
    frame = analysis.activities_by_organisation(tables, 2025)
    assert frame.values.tolist() == [["education", 3, 1500.0]]
