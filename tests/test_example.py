"""The example data: deterministic, realistic in amount, with the planted rule breaches."""

import pytest

from hki_intl.example import build_example, build_records, submitting_organisations


def test_the_same_command_writes_the_same_bytes(tmp_path, strategy):
    first = build_example(strategy, [2025], tmp_path / "a")
    second = build_example(strategy, [2025], tmp_path / "b")
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


@pytest.mark.parametrize("year", [2023, 2024, 2025])
def test_realistic_amounts_and_planted_breaches(strategy, year):
    orgs = submitting_organisations(strategy, year)
    records = {org: build_records(strategy, org, year) for org in orgs}
    for org, sheets in records.items():
        assert 50 <= len(sheets["Toiminnot"]) <= 300, org
    memberships = [m for s in records.values() for m in s["Verkostot"]]
    assert sum(1 for m in memberships if not m["owner_unit"]) == 1
    assert sum(1 for m in memberships if not m["goal"] and not m["justification"]) == 1
    twins = [
        p for s in records.values() for p in s["Kumppanuudet"] if p["agreement_type"] == "twin_city" and not p["strategic_goal"]
    ]
    assert len(twins) == 1


def test_one_organisation_sends_nothing_in_2024(strategy):
    assert "social_health" not in submitting_organisations(strategy, 2024)
    assert "social_health" in submitting_organisations(strategy, 2025)


def test_indicators_are_the_real_public_figures(strategy):
    rows = build_records(strategy, "helsinki_partners", 2025)["Mittarit"]
    values = {(r["indicator"], r["value_year"]): r["value"] for r in rows}
    assert values[("overnight_stays", 2025)] == 4_924_251
    assert values[("overnight_stays", 2019)] == 4_489_741
    assert values[("overnight_stays_foreign", 2019)] == 2_411_696
    assert values[("port_passengers", 2019)] == 11_614_000
    assert values[("airport_passengers", 2020)] == 5_000_000
