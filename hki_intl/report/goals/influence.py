"""Increasing Helsinki's influence and significance: network memberships and the roles held in
them, city partnerships, cooperation with the priority cities and high-level visits abroad.
The goal's id comes from params (``goal``); nothing here names it."""

from __future__ import annotations

import pandas as pd

from hki_intl.config.params import Strategy, normalise_key
from hki_intl.report import analysis as an
from hki_intl.report import examples as ex
from hki_intl.report.analysis import Headline, Tables, in_year
from hki_intl.report.blocks import TableColumn
from hki_intl.report.chapters import (
    Context,
    city_label,
    comparison_chart,
)
from hki_intl.report.charts import world_map
from hki_intl.report.goals import Measure


def _activities(tables: Tables, year: int, strategy: Strategy, goal: str) -> int:
    return int((in_year(tables["activities"], year)["goal"] == goal).sum())


def _memberships(tables: Tables, year: int, strategy: Strategy, goal: str) -> int:
    return len(in_year(tables["networks"], year))


def _influence_roles(tables: Tables, year: int, strategy: Strategy, goal: str) -> int:
    roles = strategy.codes("network_roles").ids_where("influence")
    return int(in_year(tables["networks"], year)["role"].isin(roles).sum())


def _partnerships(tables: Tables, year: int, strategy: Strategy, goal: str) -> int:
    return len(in_year(tables["partnerships"], year))


def _high_level_visits_abroad(tables: Tables, year: int, strategy: Strategy, goal: str) -> int:
    visits = in_year(tables["visits"], year)
    high = strategy.codes("visit_levels").ids_where("high_level")
    return int(((visits["direction"] == "outgoing") & visits["level"].isin(high)).sum())


MEASURES = {
    "influence_activities": Measure("count", _activities),
    "network_memberships": Measure("count", _memberships),
    "influence_roles": Measure("count", _influence_roles),
    "city_partnerships": Measure("count", _partnerships),
    "high_level_visits_abroad": Measure("count", _high_level_visits_abroad),
}
DEFAULT_HEADLINES = list(MEASURES)
ACTIVITIES_FIGURE = "influence_activities"  # the catalogue figure of the goal's activities


def examples(ctx: Context, goal: str) -> list[ex.Examples]:
    """Outcomes, what the roles of influence in networks are for, and the joint activities with partner cities."""
    return [ex.outcomes(ctx, goal), ex.influence_seats(ctx), ex.joint_activities(ctx, goal)]


def key_tables(ctx: Context, goal: str) -> dict[str, pd.DataFrame]:
    return {
        "memberships": an.memberships(ctx.tables, ctx.year),
        "priority_cities": an.priority_city_cooperation(ctx.tables, ctx.year, ctx.strategy),
    }


def key_messages(ctx: Context, goal: str, h: dict[str, Headline]) -> list[str]:
    rep, t = ctx.report, ctx.t
    messages = [rep.headline_sentence(h["network_memberships"], ctx.year, ctx.previous_year)]
    nets = in_year(ctx.tables["networks"], ctx.year)
    messages.append(
        t("message.roles", roles=rep.count(h["influence_roles"].value), fees=rep.eur(nets["annual_fee_eur"].fillna(0).sum()))
    )
    parts = in_year(ctx.tables["partnerships"], ctx.year)
    messages.append(
        t(
            "message.partnerships",
            count=rep.number(len(parts)),
            twins=rep.number(int((parts["agreement_type"] == "twin_city").sum())),
        )
    )
    priority = an.priority_city_cooperation(ctx.tables, ctx.year, ctx.strategy)
    if len(priority) and priority["activities"].sum():
        top = priority.sort_values(["activities", "city"], ascending=[False, True]).iloc[0]
        messages.append(
            t(
                "message.priority",
                city=city_label(ctx, top["city"]),
                count=rep.number(top["activities"]),
                total=rep.number(priority["activities"].sum()),
            )
        )
    messages.append(rep.headline_sentence(h["high_level_visits_abroad"], ctx.year, ctx.previous_year))
    return messages


def network_role_chart(ctx: Context) -> str:
    return comparison_chart(ctx, "networks", "role", "network_roles", "network_roles", "network_memberships")


def priority_cities_table(ctx: Context) -> str:
    rep, t = ctx.report, ctx.t
    frame = an.priority_city_cooperation(ctx.tables, ctx.year, ctx.strategy)
    columns = [TableColumn("city", t("common.city"), lambda v: city_label(ctx, v))] + [
        TableColumn(key, rep.figure_label(f"city_{key}"), rep.number, numeric=True, figure=f"city_{key}")
        for key in ("activities", "visits_in", "visits_out", "agreements")
    ]
    visits = frame.assign(visits=frame["visits_in"] + frame["visits_out"]).sort_values(
        ["visits", "city"], ascending=[False, True]
    )
    takeaway = ""
    if len(visits) and visits.iloc[0]["visits"]:
        top = visits.iloc[0]
        takeaway = t("table.priority.takeaway", city=city_label(ctx, top["city"]), visits=rep.number(top["visits"]))
    return rep.table(
        frame,
        columns,
        t("table.priority.caption", year=ctx.year),
        total=t("common.total"),
        takeaway=takeaway,
        year=ctx.year,
        category=["city"],
    )


def world_map_chart(ctx: Context) -> str:
    rep, t = ctx.report, ctx.t
    per_country = an.country_activity(ctx.tables, ctx.year)
    countries = ctx.strategy.codes("countries")
    per_country = per_country[per_country["country"].isin(countries.ids)].copy()
    per_country["id"] = per_country["country"].map(lambda c: f"{int(countries.get(c)['numeric']):03d}")
    per_country["label"] = per_country["country"].map(lambda c: ctx.label("countries", c))
    visits = in_year(ctx.tables["visits"], ctx.year)
    lookup = ctx.strategy.codes("cities").lookup
    named = set(visits["city"].dropna().map(lambda n: lookup.get(normalise_key(n))))
    named |= set(
        in_year(ctx.tables["partnerships"], ctx.year)["partner_city"].dropna().map(lambda n: lookup.get(normalise_key(n)))
    )
    cities = pd.DataFrame(
        [
            {"label": str(c[ctx.lang]), "lat": float(c["lat"]), "lon": float(c["lon"])}
            for c in ctx.strategy.data["cities"]
            if c["id"] in named and c.get("priority")
        ]
    )
    chart = world_map(per_country[["id", "label", "total"]], cities, t("chart.map.value"), t("common.country"))
    top = per_country.head(5)
    description = (
        t("chart.map.description", year=ctx.year)
        + " "
        + "; ".join(f"{r.label}: {rep.number(r.total)}" for r in per_country.itertuples())
    )
    takeaway = t(
        "chart.map.takeaway",
        countries=rep.number(len(per_country)),
        top=", ".join(f"{r.label} ({rep.number(r.total)})" for r in top.itertuples()),
    )
    table = rep.table(
        per_country,
        [TableColumn("label", t("common.country"))]
        + [
            TableColumn(key, rep.figure_label(f"country_{key}"), rep.number, numeric=True, figure=f"country_{key}")
            for key in ("activities", "visits", "agreements", "total")
        ],
        t("chart.map.title", year=ctx.year),
        year=ctx.year,
        category=["country"],
    )
    return rep.chart(chart, t("chart.map.title", year=ctx.year), takeaway, description, table)
