"""The examples' rules of choice, on small frames written here by hand: the rows each rule picks
are exactly the ones its sentence in the chapter promises (params/texts.yaml, examples.*.rule),
in the order it promises, and no others. Each frame holds a row for every way to miss the rule
(another year, another goal, no outcome or headline, not completed, no role of influence …)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from hki_intl.report import analysis

YEAR = 2025


def _frame(rows: list[dict], **defaults) -> pd.DataFrame:
    return pd.DataFrame([{"year": YEAR, **defaults, **row} for row in rows])


def test_the_outcomes_are_the_largest_completed_activities_one_per_organisation():
    acts = _frame(
        [
            {"title": "Small", "organisation": "education", "budget_eur": 500.0},
            {"title": "Large", "organisation": "education", "budget_eur": 900.0},  # education's largest
            {"title": "No outcome", "organisation": "culture", "budget_eur": 10_000.0, "outcome": " "},
            {"title": "Ongoing", "organisation": "culture", "budget_eur": 20_000.0, "status": "ongoing"},
            {"title": "Other goal", "organisation": "culture", "budget_eur": 30_000.0, "goal": "influence"},
            {"title": "Other year", "organisation": "social", "budget_eur": 1e6, "year": YEAR - 1},
            {"title": "Fa", "organisation": "culture", "budget_eur": 700.0},
            {"title": "Aa", "organisation": "forum_virium", "budget_eur": 700.0},  # a tie: by title
            {"title": "No budget", "organisation": "urban_environment", "budget_eur": None},  # last
        ],
        goal="competence",
        status="completed",
        outcome="Hyvä tulos",
        activity_type="project",
    )
    chosen = analysis.largest_completed({"activities": acts}, YEAR, "competence", top=3)
    assert chosen["title"].tolist() == ["Large", "Aa", "Fa"]
    assert chosen["organisation"].tolist() == ["education", "forum_virium", "culture"]
    everything = analysis.largest_completed({"activities": acts}, YEAR, "competence", top=10)
    assert everything["title"].tolist() == ["Large", "Aa", "Fa", "No budget"]  # one per organisation
    assert analysis.largest_completed({"activities": acts}, YEAR, "recognition").empty


def test_the_headlines_are_the_widest_reaching_with_a_headline():
    media = _frame(
        [
            {"headline": "Second", "reach": 500_000, "date": dt.date(2025, 3, 1)},
            {"headline": None, "reach": 9_000_000, "date": dt.date(2025, 1, 1)},  # no headline
            {"headline": "No reach", "reach": None, "date": dt.date(2025, 1, 1)},
            {"headline": "Last year", "reach": 8_000_000, "date": dt.date(2024, 1, 1), "year": YEAR - 1},
            {"headline": "First", "reach": 2_000_000, "date": dt.date(2025, 6, 1)},
            {"headline": "Tie, later", "reach": 500_000, "date": dt.date(2025, 5, 1)},  # a tie: by date
            {"headline": "Fourth", "reach": 1_000, "date": dt.date(2025, 1, 1)},
        ],
        organisation="helsinki_partners",
        outlet="The Guardian",
        country="GB",
    )
    chosen = analysis.widest_reaching_media({"media": media}, YEAR, top=3)
    assert chosen["headline"].tolist() == ["First", "Second", "Tie, later"]
    assert chosen["reach"].tolist() == [2_000_000, 500_000, 500_000]


def test_the_seats_are_roles_of_influence_with_a_justification_in_the_strategys_order(strategy):
    assert strategy.codes("network_roles").ids_where("influence") == ["board", "chair", "founder"]
    nets = _frame(
        [
            {"network": "scale", "organisation": "forum_virium", "role": "founder", "justification": "Perustimme"},
            {"network": "c40", "organisation": "urban_environment", "role": "board", "justification": "Ilmasto"},
            {"network": "eurocities", "organisation": "cityexec_international", "role": "member", "justification": "x"},
            {"network": "eurocities", "organisation": "culture", "role": "board", "justification": None},  # none
            {"network": "eurocities", "organisation": "education", "role": "chair", "justification": "Puhe"},
            {"network": "urban20", "organisation": "education", "role": "board", "justification": "U", "year": YEAR - 1},
        ]
    )
    chosen = analysis.influence_seats({"networks": nets}, YEAR, strategy)
    # the networks in the order params/strategy.yaml lists them: eurocities, c40, …, scale
    assert chosen[["network", "organisation", "role"]].values.tolist() == [
        ["eurocities", "education", "chair"],
        ["c40", "urban_environment", "board"],
        ["scale", "forum_virium", "founder"],
    ]
    assert analysis.influence_seats({"networks": nets}, YEAR, strategy, top=1)["network"].tolist() == ["eurocities"]


def test_the_joint_activities_are_one_per_city_priority_cities_first_then_the_oldest(strategy):
    priority = strategy.codes("cities").ids_where("priority")
    assert priority.index("tallinn") < priority.index("oslo") < priority.index("beijing")
    parts = _frame(
        [
            {"partner_city": "Springfield", "signed_year": 1990, "joint_activity": "Vaihto"},  # not in params
            {"partner_city": "Peking", "signed_year": 2006, "joint_activity": "Kulttuurivaihto"},
            {"partner_city": "Berliini", "signed_year": 1980, "joint_activity": "Seminaari"},
            {"partner_city": "Oslo", "signed_year": 2015, "joint_activity": "Uusi ohjelma"},
            {"partner_city": "oslo", "signed_year": 1949, "joint_activity": "Pääkaupunkikokous"},  # Oslo's oldest
            {"partner_city": "Tallinna", "signed_year": 1993, "joint_activity": "Tunneli", "strategic_goal": "influence"},
            {"partner_city": "Tallinna", "signed_year": 1993, "joint_activity": " "},  # no joint activity
            {"partner_city": "Lontoo", "signed_year": 1970, "joint_activity": "Vuosi sitten", "year": YEAR - 1},
        ],
        organisation="cityexec_international",
        country="XX",
        agreement_type="programme",
        strategic_goal="competence",
    )
    chosen = analysis.joint_activities({"partnerships": parts}, YEAR, strategy, "competence", top=10)
    assert chosen[["partner_city", "signed_year", "joint_activity"]].values.tolist() == [
        ["oslo", 1949, "Pääkaupunkikokous"],  # a priority city, its oldest agreement
        ["Peking", 2006, "Kulttuurivaihto"],  # a priority city after Oslo in params
        ["Berliini", 1980, "Seminaari"],  # then the others, the oldest agreement first
        ["Springfield", 1990, "Vaihto"],
    ]
    assert analysis.joint_activities({"partnerships": parts}, YEAR, strategy, "competence")["partner_city"].tolist()[:2] == [
        "oslo",
        "Peking",
    ]
    assert analysis.joint_activities({"partnerships": parts}, YEAR, strategy, "influence")["partner_city"].tolist() == [
        "Tallinna"
    ]
