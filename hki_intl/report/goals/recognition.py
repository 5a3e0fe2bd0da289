"""Developing Helsinki's international recognition: media, visits to Helsinki, events and
campaigns, and the city-level indicators (overnight stays, passengers). The goal's id comes
from params (``goal``); nothing here names it."""

from __future__ import annotations

import pandas as pd

from hki_intl.config.params import Strategy
from hki_intl.report import analysis as an
from hki_intl.report import examples as ex
from hki_intl.report.analysis import Headline, Tables, in_year
from hki_intl.report.blocks import TableColumn
from hki_intl.report.chapters import (
    Context,
    comparison_chart,
    types_table,
)
from hki_intl.report.charts import trend_lines
from hki_intl.report.formatting import change, fmt_compact
from hki_intl.report.goals import Measure


def _activities(tables: Tables, year: int, strategy: Strategy, goal: str) -> int:
    return int((in_year(tables["activities"], year)["goal"] == goal).sum())


def _media_items(tables: Tables, year: int, strategy: Strategy, goal: str) -> int:
    return len(in_year(tables["media"], year))


def _incoming_visits(tables: Tables, year: int, strategy: Strategy, goal: str) -> int:
    return int((in_year(tables["visits"], year)["direction"] == "incoming").sum())


MEASURES = {
    "recognition_activities": Measure("count", _activities),
    "media_items": Measure("count", _media_items),
    "incoming_visits": Measure("count", _incoming_visits),
}
DEFAULT_HEADLINES = list(MEASURES)
ACTIVITIES_FIGURE = "recognition_activities"  # the catalogue figure of the goal's activities


def examples(ctx: Context, goal: str) -> list[ex.Examples]:
    """Outcomes, the widest-reaching headlines and the joint activities with partner cities."""
    return [ex.outcomes(ctx, goal), ex.headlines(ctx), ex.joint_activities(ctx, goal)]


def key_tables(ctx: Context, goal: str) -> dict[str, pd.DataFrame]:
    return {
        "media_by_country": an.media_by_country(ctx.tables, ctx.year),
        "indicators": an.indicator_series(ctx.tables, ctx.year),
    }


TREND_INDICATORS = ("overnight_stays", "port_passengers", "airport_passengers")


def key_messages(ctx: Context, goal: str, h: dict[str, Headline]) -> list[str]:
    rep, t = ctx.report, ctx.t
    media = an.media_summary(ctx.tables, ctx.year)
    messages = [rep.headline_sentence(h["media_items"], ctx.year, ctx.previous_year)]
    country, count = an.top_value(in_year(ctx.tables["media"], ctx.year), "country")
    if country:
        messages.append(
            t(
                "message.media",
                positive=rep.percent(media["positive_share"]),
                countries=rep.count(media["countries"]),
                country=ctx.label("countries", country),
                count=rep.number(count),
            )
        )
    messages.append(rep.headline_sentence(h["incoming_visits"], ctx.year, ctx.previous_year))
    series = an.indicator_series(ctx.tables, ctx.year)
    stays = series[series["indicator"] == "overnight_stays"].sort_values("value_year")
    if len(stays):
        last = stays.iloc[-1]
        sentence = t("message.stays", value=rep.number(last["value"]), year=int(last["value_year"]))
        if len(stays) > 1:
            first = stays.iloc[-2]
            sentence = t(
                "message.stays_change",
                value=rep.number(last["value"]),
                year=int(last["value_year"]),
                change=rep.percent(change(last["value"], first["value"]), signed=True),
                previous_year=int(first["value_year"]),
            )
        messages.append(sentence)
    return messages


def media_tone_chart(ctx: Context) -> str:
    return comparison_chart(ctx, "media", "tone", "media_tones", "media_tone", "media_items")


def media_focus_chart(ctx: Context) -> str:
    return comparison_chart(ctx, "media", "focus_area", "focus_areas", "media_focus", "media_items")


def media_country_table(ctx: Context) -> str:
    rep, t = ctx.report, ctx.t
    frame = an.media_by_country(ctx.tables, ctx.year)
    columns = [
        TableColumn("country", t("common.country"), lambda v: ctx.label("countries", v)),
        TableColumn("items", rep.figure_label("media_items"), rep.number, numeric=True, figure="media_items"),
        TableColumn("reach", rep.figure_label("media_reach"), rep.number, numeric=True, figure="media_reach"),
    ]
    takeaway = t(
        "table.media_countries.takeaway",
        countries=rep.number(len(frame)),
        share=rep.percent(frame["items"].sum() / max(1, len(in_year(ctx.tables["media"], ctx.year)))),
    )
    return rep.table(
        frame, columns, t("table.media_countries.caption", year=ctx.year), takeaway=takeaway, year=ctx.year, category=["country"]
    )


def visits_level_chart(ctx: Context) -> str:
    visits = ctx.tables["visits"]
    return comparison_chart(
        ctx, "visits", "level", "visit_levels", "visits_in_level", "incoming_visits", where=visits["direction"] == "incoming"
    )


def events_table(ctx: Context) -> str:
    return types_table(ctx, ["event", "campaign"], "events")


def indicator_chart(ctx: Context) -> str:
    rep, t = ctx.report, ctx.t
    series = an.indicator_series(ctx.tables, ctx.year)
    data = series[series["indicator"].isin(TREND_INDICATORS)].copy()
    if data.empty:
        return rep.paragraph(t("chart.takeaway_empty", year=ctx.year))
    data["label"] = data["indicator"].map(lambda c: ctx.label("indicators", c))
    chart = trend_lines(
        data,
        "label",
        "value_year",
        "value",
        t("common.indicator"),
        t("common.year"),
        rep.figure_label("indicator_value"),
        ctx.lang,
    )
    description = (
        t("chart.indicators.description")
        + " "
        + "; ".join(f"{r.label} {r.value_year}: {rep.number(r.value)}" for r in data.itertuples())
    )
    latest = data.drop_duplicates("indicator", keep="last")  # the series are in year order
    takeaway = t(
        "chart.indicators.takeaway",
        latest="; ".join(f"{r.label} {fmt_compact(r.value, ctx.lang)} ({r.value_year})" for r in latest.itertuples()),
    )
    table = rep.table(
        data,
        [
            TableColumn("label", t("common.indicator")),
            TableColumn("value_year", t("common.year"), str),
            TableColumn("value", rep.figure_label("indicator_value"), rep.number, numeric=True, figure="indicator_value"),
        ],
        t("chart.indicators.title"),
        category=["indicator"],
        year_column="value_year",
    )
    return rep.chart(chart, t("chart.indicators.title"), takeaway, description, table)


def indicator_table(ctx: Context) -> str:
    rep, t = ctx.report, ctx.t
    series = an.indicator_series(ctx.tables, ctx.year)
    columns = [
        TableColumn("indicator", t("common.indicator"), lambda v: ctx.label("indicators", v)),
        TableColumn("value_year", t("common.year"), str),
        TableColumn("value", rep.figure_label("indicator_value"), rep.number, numeric=True, figure="indicator_value"),
        TableColumn("source", t("common.source"), ctx.text),
    ]
    return rep.table(
        series,
        columns,
        t("table.indicators.caption"),
        takeaway=t("table.indicators.takeaway"),
        category=["indicator"],
        year_column="value_year",
    )
