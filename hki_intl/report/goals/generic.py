"""The figures and blocks of any goal that has no module of its own: a new goal of a new
strategy period works from params alone (its label, headlines and words), with its chapter made
by the generic notebook ``notebooks/goal.ipynb``. Everything here is about the goal's own
activities: how many, their external funding, the organisations doing them, by focus area and
by type."""

from __future__ import annotations

import pandas as pd

from hki_intl.config.params import Strategy
from hki_intl.report import analysis as an
from hki_intl.report import examples as ex
from hki_intl.report.analysis import Headline, Tables, in_year
from hki_intl.report.chapters import Context, comparison_chart
from hki_intl.report.goals import Measure


def _goal_activities(tables: Tables, year: int, goal: str) -> pd.DataFrame:
    acts = in_year(tables["activities"], year)
    return acts[acts["goal"] == goal]


def _activities(tables: Tables, year: int, strategy: Strategy, goal: str) -> int:
    return len(_goal_activities(tables, year, goal))


def _external_funding(tables: Tables, year: int, strategy: Strategy, goal: str) -> float:
    return float(_goal_activities(tables, year, goal)["external_funding_eur"].fillna(0).sum())


def _organisations(tables: Tables, year: int, strategy: Strategy, goal: str) -> int:
    return int(_goal_activities(tables, year, goal)["organisation"].nunique())


MEASURES = {
    "goal_activities": Measure("count", _activities),
    "goal_external_funding_eur": Measure("eur", _external_funding),
    "goal_organisations": Measure("count", _organisations),
}
DEFAULT_HEADLINES = list(MEASURES)
ACTIVITIES_FIGURE = "goal_activities"  # the catalogue figure of the goal's activities


def key_messages(ctx: Context, goal: str, h: dict[str, Headline]) -> list[str]:
    """One sentence per headline figure, with its change from the year before."""
    return [ctx.report.headline_sentence(figure, ctx.year, ctx.previous_year) for figure in h.values()]


def examples(ctx: Context, goal: str) -> list[ex.Examples]:
    """The outcomes of the goal's largest completed activities and its joint activities with partner cities."""
    return ex.generic_examples(ctx, goal)


def key_tables(ctx: Context, goal: str) -> dict[str, pd.DataFrame]:
    return {"activities_by_organisation": an.activities_by_organisation(ctx.tables, ctx.year, goal)}


def focus_chart(ctx: Context, goal: str) -> str:
    """The goal's activities by focus area, every compared year."""
    acts = ctx.tables["activities"]
    return comparison_chart(
        ctx,
        "activities",
        "focus_area",
        "focus_areas",
        "goal_focus",
        ACTIVITIES_FIGURE,
        where=acts["goal"] == goal,
        words={"goal": ctx.strategy.goals.label(goal, ctx.lang)},
        goal=goal,
    )


def type_chart(ctx: Context, goal: str) -> str:
    """The goal's activities by type, every compared year."""
    acts = ctx.tables["activities"]
    return comparison_chart(
        ctx,
        "activities",
        "activity_type",
        "activity_types",
        "goal_type",
        ACTIVITIES_FIGURE,
        where=acts["goal"] == goal,
        words={"goal": ctx.strategy.goals.label(goal, ctx.lang)},
        goal=goal,
    )
