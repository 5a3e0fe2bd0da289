"""Which code serves a goal is data: the goal's module by its id or its ``figures`` entry, else
the generic one; the headline figures listed in params, each a measure of that module."""

from __future__ import annotations

import copy

import pytest

from hki_intl.config.params import Strategy
from hki_intl.errors import UsageError
from hki_intl.report import goals
from hki_intl.report.goals import competence, generic
from tests.report.test_analysis import tables  # noqa: F401  (the small tables fixture)


def _with_goal(strategy: Strategy, **entry) -> Strategy:
    data = copy.deepcopy(strategy.data)
    data["goals"].append({"fi": "Kestävä kaupunki", "sv": "Hållbar stad", "en": "Sustainable city", **entry})
    return Strategy.from_data(data)


def test_a_goal_is_served_by_its_own_module_or_the_generic_one(strategy):
    assert goals.module_for(strategy, "competence") is competence
    assert goals.module_for(_with_goal(strategy, id="sustainability"), "sustainability") is generic
    renamed = _with_goal(strategy, id="learning", figures="competence")
    assert goals.module_for(renamed, "learning") is competence


def test_a_goal_without_a_notebook_uses_the_generic_one(strategy):
    assert goals.notebook_of(goals.goal_entry(strategy, "influence")) == "influence"
    assert goals.notebook_of({"id": "sustainability"}) == "goal"


def test_headlines_come_from_params_in_their_order(strategy):
    assert [key for key, _ in goals.headline_specs(strategy, "recognition")] == [
        "recognition_activities",
        "media_items",
        "incoming_visits",
    ]
    chosen = _with_goal(
        strategy,
        id="sustainability",
        headlines=[{"id": "sustainability_funding_eur", "measure": "goal_external_funding_eur"}, "goal_activities"],
    )
    specs = goals.headline_specs(chosen, "sustainability")
    assert [(key, measure.unit) for key, measure in specs] == [
        ("sustainability_funding_eur", "eur"),
        ("goal_activities", "count"),
    ]
    assert [key for key, _ in goals.headline_specs(_with_goal(strategy, id="other"), "other")] == list(generic.MEASURES)


@pytest.mark.parametrize(
    "entry, message",
    [
        (
            {"id": "sustainability", "headlines": ["media_items"]},
            "params/strategy.yaml: goals: sustainability: headlines: media_items: the goal's figures (generic) have no "
            "measure 'media_items'; choose one of goal_activities, goal_external_funding_eur, goal_organisations",
        ),
        (
            {"id": "sustainability", "figures": "sustainable"},
            "params/strategy.yaml: goals: sustainability: figures: there is no module 'sustainable' "
            "(hki_intl/report/goals/sustainable.py); leave it out to use the generic figures",
        ),
    ],
)
def test_a_goal_asking_for_code_that_does_not_exist_is_a_usage_error(strategy, entry, message):
    with pytest.raises(UsageError) as error:
        goals.headline_specs(_with_goal(strategy, **entry), "sustainability")
    assert str(error.value) == message


def test_the_generic_figures_count_the_goals_own_activities(tables, strategy):  # noqa: F811
    own = {h.id: h for h in goals.compute_headlines(tables, 2025, strategy, "competence")}
    data = copy.deepcopy(strategy.data)
    data["goals"][0] = {key: value for key, value in data["goals"][0].items() if key != "headlines"} | {"figures": "generic"}
    generic_view = {h.id: h for h in goals.compute_headlines(tables, 2025, Strategy.from_data(data), "competence")}
    assert (
        (generic_view["goal_activities"].value, generic_view["goal_activities"].previous)
        == (own["competence_activities"].value, own["competence_activities"].previous)
        == (2, 1)
    )
    assert generic_view["goal_organisations"].value == 1
