"""Growing competence and understanding: learning from other cities — projects, EU projects,
challenge competitions, benchmarking and study visits — and the external funding that pays for
them. The goal's id comes from params (``goal``); nothing here names it."""

from __future__ import annotations

import pandas as pd

from hki_intl.config.params import Strategy
from hki_intl.report import analysis as an
from hki_intl.report import examples as ex
from hki_intl.report.analysis import Headline, Tables, in_year
from hki_intl.report.blocks import TableColumn
from hki_intl.report.chapters import (
    Context,
    city_label,
    comparison_chart,
    types_table,
    year_comparison,
)
from hki_intl.report.goals import Measure


def _activities(tables: Tables, year: int, strategy: Strategy, goal: str) -> int:
    return int((in_year(tables["activities"], year)["goal"] == goal).sum())


def _external_funding(tables: Tables, year: int, strategy: Strategy, goal: str) -> float:
    return float(in_year(tables["activities"], year)["external_funding_eur"].fillna(0).sum())


def _eu_funding(tables: Tables, year: int, strategy: Strategy, goal: str) -> float:
    acts = in_year(tables["activities"], year)
    eu_sources = strategy.codes("funding_sources").ids_where("eu")
    return float(acts.loc[acts["funding_source"].isin(eu_sources), "external_funding_eur"].fillna(0).sum())


def _benchmarking(tables: Tables, year: int, strategy: Strategy, goal: str) -> int:
    return int((in_year(tables["activities"], year)["activity_type"] == "benchmarking").sum())


MEASURES = {
    "competence_activities": Measure("count", _activities),
    "external_funding_eur": Measure("eur", _external_funding),
    "eu_funding_eur": Measure("eur", _eu_funding),
    "benchmarking_activities": Measure("count", _benchmarking),
}
DEFAULT_HEADLINES = list(MEASURES)
ACTIVITIES_FIGURE = "competence_activities"  # the catalogue figure of the goal's activities


def examples(ctx: Context, goal: str) -> list[ex.Examples]:
    """What the learning achieved (outcomes) and with which partner cities."""
    return ex.generic_examples(ctx, goal)


def key_tables(ctx: Context, goal: str) -> dict[str, pd.DataFrame]:
    return {
        "funding_by_source": an.funding_by_source(ctx.tables, ctx.compared_years),
        "activities_by_organisation": an.activities_by_organisation(ctx.tables, ctx.year, goal),
    }


def key_messages(ctx: Context, goal: str, h: dict[str, Headline]) -> list[str]:
    rep, t = ctx.report, ctx.t
    acts = in_year(ctx.tables["activities"], ctx.year)
    comp = acts[acts["goal"] == goal]
    messages = [rep.headline_sentence(h["competence_activities"], ctx.year, ctx.previous_year)]
    focus, count = an.top_value(comp, "focus_area")
    if focus:
        messages.append(
            t(
                "message.competence_focus",
                focus=ctx.label("focus_areas", focus),
                count=rep.count(count),
                share=rep.percent(count / len(comp)),
            )
        )
    total, eu = h["external_funding_eur"].value, h["eu_funding_eur"].value
    messages.append(
        t(
            "message.funding",
            total_label=rep.figure_label("external_funding_eur"),
            total=rep.eur(total),
            eu_label=rep.figure_label("eu_funding_eur"),
            eu=rep.eur(eu),
            share=rep.percent(eu / total if total else None),
        )
    )
    partners = an.learning_partners(ctx.tables, ctx.year, ctx.strategy, goal, top=1)
    challenges = int((acts["activity_type"] == "challenge").sum())
    if len(partners):
        city = partners.iloc[0]
        messages.append(
            t(
                "message.benchmarking",
                benchmarking_label=rep.figure_label("benchmarking_activities"),
                benchmarking=rep.number(h["benchmarking_activities"].value),
                challenges_label=rep.figure_label("challenge_activities"),
                challenges=rep.number(challenges),
                city=city_label(ctx, city["city"]),
                count=rep.count(city["activities"]),
            )
        )
    return messages


def focus_chart(ctx: Context, goal: str) -> str:
    acts = ctx.tables["activities"]
    return comparison_chart(
        ctx, "activities", "focus_area", "focus_areas", "competence_focus", ACTIVITIES_FIGURE, where=acts["goal"] == goal
    )


def type_chart(ctx: Context, goal: str) -> str:
    acts = ctx.tables["activities"]
    return comparison_chart(
        ctx, "activities", "activity_type", "activity_types", "competence_type", ACTIVITIES_FIGURE, where=acts["goal"] == goal
    )


def funding_chart(ctx: Context) -> str:
    data = an.funding_by_source(ctx.tables, ctx.compared_years)
    return year_comparison(
        ctx, data, "funding_source", "funding_sources", "funding", "external_funding_eur", value="eur", money=True
    )


def learning_table(ctx: Context) -> str:
    return types_table(ctx, ["benchmarking", "challenge", "eu_project", "project", "education_export"], "learning")


def learning_partners_table(ctx: Context, goal: str) -> str:
    rep, t = ctx.report, ctx.t
    frame = an.learning_partners(ctx.tables, ctx.year, ctx.strategy, goal)
    columns = [
        TableColumn("city", t("common.city"), lambda v: city_label(ctx, v)),
        TableColumn("activities", rep.figure_label(ACTIVITIES_FIGURE, goal), rep.number, numeric=True, figure=ACTIVITIES_FIGURE),
    ]
    takeaway = (
        t("table.partners.takeaway", city=city_label(ctx, frame.iloc[0]["city"]), count=rep.number(frame.iloc[0]["activities"]))
        if len(frame)
        else ""
    )
    return rep.table(
        frame, columns, t("table.partners.caption", year=ctx.year), takeaway=takeaway, year=ctx.year, category=["city"]
    )
