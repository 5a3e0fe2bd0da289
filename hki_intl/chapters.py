"""The blocks of each report chapter: what the notebooks call, one function per block.

A block takes a :class:`Context` (the year, the language, the typed tables, the strategy)
and returns HTML from :mod:`hki_intl.render`. The figures come from :mod:`hki_intl.analysis`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import PARAMS_DIR
from .analysis import (
    HEADLINES,
    Headline,
    Tables,
    activities_by_organisation,
    count_by_year,
    findings,
    findings_for_decision,
    in_year,
    media_by_country,
    memberships,
    missing_organisations,
    previous_year,
)
from .charts import grouped_bars
from .formatting import fmt_date
from .render import Report, TableColumn
from .scraps import read_headlines
from .tables import read_tables

GOAL_ORDER = ("competence", "recognition", "influence")


@dataclass
class Context:
    year: int
    lang: str
    tables: Tables
    report: Report

    @property
    def strategy(self):
        return self.report.strategy

    @property
    def t(self):
        return self.report.t

    @property
    def previous_year(self) -> int | None:
        return previous_year(self.tables, self.year)

    @property
    def compared_years(self) -> list[int]:
        """The years shown side by side in charts: those with data, up to the report year."""
        return sorted(y for y in self.tables["submissions"]["year"].unique() if y <= self.year)


def open_context(year: int, data_dir: str | Path, lang: str, params_dir: str | Path = PARAMS_DIR) -> Context:
    return Context(int(year), lang, read_tables(Path(data_dir)), Report(lang, Path(params_dir)))


# --- shared blocks ------------------------------------------------------------------------------

def headlines(ctx: Context, goal: str) -> list[Headline]:
    return HEADLINES[goal](ctx.tables, ctx.year, ctx.strategy)


def goal_intro(ctx: Context, goal: str, figures: list[Headline]) -> str:
    """The chapter heading, its key messages (with the numbers) and the headline cards."""
    rep = ctx.report
    title = ctx.strategy.goals.label(goal, ctx.lang)
    sentences = [rep.headline_sentence(h, ctx.year, ctx.previous_year) for h in figures]
    return (rep.heading(title, 1, anchor=goal)
            + rep.heading(ctx.t("common.key_messages"), 2, anchor=f"{goal}-key-messages")
            + rep.bullets(sentences)
            + rep.headline_cards(figures, ctx.year, ctx.previous_year))


def _takeaway_top(ctx: Context, data: pd.DataFrame, label_column: str) -> str:
    current = data[data["year"] == ctx.year].sort_values(["count", label_column], ascending=[False, True])
    if current.empty:
        return ctx.t("chart.takeaway_empty", year=ctx.year)
    top = current.iloc[0]
    return ctx.t("chart.takeaway_top", year=ctx.year, top=top[label_column],
                 count=ctx.report.number(top["count"]), total=ctx.report.number(current["count"].sum()))


def comparison_chart(ctx: Context, table: str, column: str, codelist: str, key: str,
                     where: pd.Series | None = None) -> str:
    """Counts of ``table`` rows by ``column`` for every compared year, as a grouped bar chart."""
    frame = ctx.tables[table]
    if where is not None:
        frame = frame[where]
    data = count_by_year(frame, column, ctx.compared_years)
    labels = ctx.strategy.codes(codelist).labels(ctx.lang)
    data["label"] = data[column].map(labels).fillna(data[column])
    order = [labels[c] for c in ctx.strategy.codes(codelist).ids if c in set(data[column])]
    years = ", ".join(str(y) for y in ctx.compared_years)
    t = ctx.t
    chart = grouped_bars(data, "label", "count", t(f"chart.{key}.category"), t("common.count"),
                         t("common.year"), order)
    description = t(f"chart.{key}.description", years=years) + " " + "; ".join(
        f"{r.label} {r.year}: {ctx.report.number(r.count)}" for r in data.itertuples())
    return ctx.report.chart(chart, t(f"chart.{key}.title", years=years), _takeaway_top(ctx, data, "label"), description)


# --- competence ---------------------------------------------------------------------------------

def competence_focus_chart(ctx: Context) -> str:
    acts = ctx.tables["activities"]
    return comparison_chart(ctx, "activities", "focus_area", "focus_areas", "competence_focus",
                            where=acts["goal"] == "competence")


def organisation_table(ctx: Context, goal: str) -> str:
    rep, t = ctx.report, ctx.t
    frame = activities_by_organisation(ctx.tables, ctx.year, goal)
    columns = [
        TableColumn("organisation", t("common.organisation"), lambda v: rep.label("organisations", v)),
        TableColumn("activities", t("common.activities"), rep.number, numeric=True),
        TableColumn("external_funding_eur", t("common.external_funding"), rep.eur, numeric=True),
    ]
    return rep.table(frame, columns, t("table.organisations.caption", goal=ctx.strategy.goals.label(goal, ctx.lang),
                                        year=ctx.year), total=t("common.total"))


# --- recognition --------------------------------------------------------------------------------

def media_tone_chart(ctx: Context) -> str:
    return comparison_chart(ctx, "media", "tone", "media_tones", "media_tone")


def media_country_table(ctx: Context) -> str:
    rep, t = ctx.report, ctx.t
    frame = media_by_country(ctx.tables, ctx.year)
    columns = [
        TableColumn("country", t("common.country"), lambda v: rep.label("countries", v)),
        TableColumn("items", t("common.media_items"), rep.number, numeric=True),
        TableColumn("reach", t("common.reach"), rep.number, numeric=True),
    ]
    return rep.table(frame, columns, t("table.media_countries.caption", year=ctx.year))


# --- influence ----------------------------------------------------------------------------------

def network_role_chart(ctx: Context) -> str:
    return comparison_chart(ctx, "networks", "role", "network_roles", "network_roles")


def membership_table(ctx: Context) -> str:
    rep, t = ctx.report, ctx.t
    frame = memberships(ctx.tables, ctx.year)
    text = lambda v: "–" if pd.isna(v) else str(v)  # noqa: E731
    columns = [
        TableColumn("network", t("common.network"), lambda v: rep.label("networks", v)),
        TableColumn("organisation", t("common.organisation"), lambda v: rep.label("organisations", v)),
        TableColumn("role", t("common.role"), lambda v: rep.label("network_roles", v)),
        TableColumn("owner_unit", t("common.owner_unit"), text),
        TableColumn("goal", t("common.goal"), lambda v: rep.label("goals", v)),
        TableColumn("annual_fee_eur", t("common.annual_fee"), rep.eur, numeric=True),
        TableColumn("review_year", t("common.review_year"), text),
    ]
    return rep.table(frame, columns, t("table.memberships.caption", year=ctx.year), total=t("common.total"))


# --- summary ------------------------------------------------------------------------------------

def cover(ctx: Context, report_date: dt.date) -> str:
    rep, t = ctx.report, ctx.t
    return (f'<header class="cover">{rep.heading(t("report.title", year=ctx.year), 1, anchor="report-title")}'
            f'{rep.paragraph(t("report.subtitle"))}'
            f'{rep.paragraph(t("report.date", date=fmt_date(report_date, ctx.lang)))}</header>')


def read_goal_headlines(chapters_dir: str | Path) -> dict[str, list[Headline]]:
    """The headline figures each executed goal notebook glued, by goal."""
    return {goal: read_headlines(Path(chapters_dir) / f"{goal}.ipynb") for goal in GOAL_ORDER}


def summary_headlines(ctx: Context, figures_by_goal: dict[str, list[Headline]]) -> str:
    rep, t = ctx.report, ctx.t
    parts = [rep.heading(t("summary.heading"), 1, anchor="summary"), rep.paragraph(t("summary.intro", year=ctx.year))]
    for goal in GOAL_ORDER:
        figures = figures_by_goal.get(goal, [])
        parts.append(rep.heading(ctx.strategy.goals.label(goal, ctx.lang), 2, anchor=f"summary-{goal}"))
        parts.append(rep.headline_cards(figures, ctx.year, ctx.previous_year))
    return "".join(parts)


def findings_block(ctx: Context) -> str:
    rep, t = ctx.report, ctx.t
    frame = findings_for_decision(findings(ctx.tables, ctx.year, ctx.strategy))
    parts = [rep.heading(t("findings.heading"), 2, anchor="findings"), rep.paragraph(t("findings.intro"))]
    if frame.empty:
        return "".join(parts) + rep.paragraph(t("findings.none"))
    frame = frame.assign(
        rule_text=[t(f"finding.{r}") for r in frame["rule"]],
        item_text=[_finding_item(ctx, r.rule, r.item, r.count) for r in frame.itertuples()],
    )
    columns = [
        TableColumn("rule_text", t("findings.rule")),
        TableColumn("organisation", t("common.organisation"), lambda v: rep.label("organisations", v)),
        TableColumn("item_text", t("findings.item")),
    ]
    return "".join(parts) + rep.table(frame, columns, t("findings.caption", year=ctx.year, count=len(frame)))


def _finding_item(ctx: Context, rule: str, item: str, count: int) -> str:
    if rule.startswith("membership_"):
        return ctx.report.label("networks", item)
    if rule == "activity_outside_focus_areas":
        return ctx.t("finding.outside_item", count=ctx.report.number(count), example=item)
    return item or "–"


def data_quality(ctx: Context) -> str:
    rep, t = ctx.report, ctx.t
    submitted = in_year(ctx.tables["submissions"], ctx.year)
    missing = missing_organisations(ctx.tables, ctx.year, ctx.strategy)
    rows = [[org, t("quality.submitted") if org in set(submitted["organisation"]) else t("quality.missing")]
            for org in ctx.strategy.organisations_in(ctx.year)]
    frame = pd.DataFrame(rows, columns=["organisation", "status"])
    columns = [
        TableColumn("organisation", t("common.organisation"), lambda v: rep.label("organisations", v)),
        TableColumn("status", t("quality.status")),
    ]
    problems = ctx.tables["problems"]
    parts = [
        rep.heading(t("quality.heading"), 1, anchor="data-quality"),
        rep.paragraph(t("quality.intro", year=ctx.year, submitted=len(submitted),
                        expected=len(ctx.strategy.organisations_in(ctx.year)), missing=len(missing))),
        rep.table(frame, columns, t("quality.caption", year=ctx.year)),
    ]
    if len(problems):
        parts.append(rep.paragraph(t("quality.rejected", count=problems["file"].nunique())))
    return "".join(parts)


def method(ctx: Context, report_date: dt.date) -> str:
    rep, t = ctx.report, ctx.t
    sources = sorted({str(i["source"]) for i in ctx.strategy.data["indicators"]})
    return (rep.heading(t("method.heading"), 1, anchor="method")
            + rep.paragraph(t("method.text", source=ctx.strategy.source(ctx.lang)))
            + rep.paragraph(t("method.sources"))
            + rep.bullets(sources)
            + rep.paragraph(t("report.date", date=fmt_date(report_date, ctx.lang))))
