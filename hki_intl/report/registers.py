"""The long registers — every network membership, every city agreement, every mayor-level visit
abroad — as an appendix of the report (after the organisations' parts, before data quality),
and their summary in the chapter: a sentence of counts per register with a link to its table.

The summary notebook shows :func:`appendix` among its appendix cells; a goal's notebook shows
:func:`summary` where the registers used to be.
"""

from __future__ import annotations

from markupsafe import Markup

from hki_intl.report import analysis as an
from hki_intl.report.blocks import TableColumn, escape
from hki_intl.report.chapters import Context, city_name, listed
from hki_intl.report.formatting import fmt_date

# The appendix's part of each register (its heading's anchor, which the chapter's summary links to).
ANCHORS = {"memberships": "appendix-memberships", "partnerships": "appendix-partnerships", "visits": "appendix-visits"}


def appendix(ctx: Context) -> str:
    """The registers in full: a heading and the table of each."""
    rep, t = ctx.report, ctx.t
    parts = [rep.heading(t("registers.heading"), 1, anchor="registers"), rep.paragraph(t("registers.intro", year=ctx.year))]
    for kind, table in (
        ("memberships", membership_table),
        ("partnerships", partnerships_table),
        ("visits", high_level_visits_table),
    ):
        parts += [rep.heading(t(f"registers.{kind}"), 2, anchor=ANCHORS[kind]), table(ctx)]
    return "".join(parts)


def summary(ctx: Context) -> str:
    """Each register in one sentence of counts, with a link to its table in the appendix."""
    rep, t = ctx.report, ctx.t
    figures = an.registers_summary(ctx.tables, ctx.year, ctx.strategy)
    nets, parts, visits = figures["memberships"], figures["partnerships"], figures["visits"]
    sentences = {
        "memberships": t(
            "registers.memberships_summary",
            count=rep.number(nets["count"]),
            networks=rep.number(nets["networks"]),
            organisations=rep.number(nets["organisations"]),
            fees=rep.eur(nets["fees"]),
            next_year=ctx.year + 1,
            due=rep.number(nets["due"]),
        ),
        "partnerships": t(
            "registers.partnerships_summary",
            count=rep.number(parts["count"]),
            cities=rep.number(parts["cities"]),
            twins=rep.number(parts["twins"]),
            year=ctx.year,
            new=rep.number(parts["new"]),
        ),
        "visits": (
            t(
                "registers.visits_summary",
                count=rep.number(visits["count"]),
                countries=rep.number(visits["countries"]),
                city=city_name(ctx, visits["city"]),
                city_count=rep.number(visits["city_count"]),
            )
            if visits["city"]
            else t("registers.visits_count", count=rep.number(visits["count"]))
        ),
    }
    items = [
        Markup(
            f'{escape(sentence)} {escape(t("registers.see"))} <a href="#{ANCHORS[kind]}">{escape(t(f"registers.{kind}"))}</a>.'
        )
        for kind, sentence in sentences.items()
    ]
    return rep.heading(t("registers.summary_heading"), 2, anchor="registers-summary") + rep.bullets(items)


# --- the registers' tables (they stood in the influence chapter before the appendix) -------------


def membership_table(ctx: Context) -> str:
    rep, t = ctx.report, ctx.t
    frame = an.memberships(ctx.tables, ctx.year)
    columns = [
        TableColumn("network", t("common.network"), lambda v: ctx.label("networks", v)),
        TableColumn("organisation", t("common.organisation"), lambda v: ctx.label("organisations", v)),
        TableColumn("role", t("common.role"), lambda v: ctx.label("network_roles", v)),
        TableColumn("owner_unit", t("common.owner_unit"), ctx.text),
        TableColumn("goal", t("common.goal"), lambda v: ctx.label("goals", v)),
        TableColumn("annual_fee_eur", rep.figure_label("annual_fees_eur"), rep.eur, numeric=True, figure="annual_fees_eur"),
        TableColumn("review_year", t("common.review_year"), ctx.text),
    ]
    gaps = int(frame["owner_unit"].isna().sum() + frame["goal"].isna().sum())
    shown, more = listed(ctx, frame, "networks")
    return (
        rep.table(
            shown,
            columns,
            t("table.memberships.caption", year=ctx.year),
            total=None if more else t("common.total"),
            takeaway=t("table.memberships.takeaway", count=rep.count(len(frame)), gaps=rep.count(gaps)),
            year=ctx.year,
            category=["network", "organisation"],
        )
        + more
    )


def partnerships_table(ctx: Context) -> str:
    rep, t = ctx.report, ctx.t
    frame = an.partnerships(ctx.tables, ctx.year)
    columns = [
        TableColumn("partner_city", t("common.city"), lambda v: city_name(ctx, v)),
        TableColumn("country", t("common.country"), lambda v: ctx.label("countries", v)),
        TableColumn("agreement_type", t("common.agreement_type"), lambda v: ctx.label("agreement_types", v)),
        TableColumn("signed_year", t("common.signed_year"), ctx.text),
        TableColumn("strategic_goal", t("common.goal"), lambda v: ctx.label("goals", v)),
        TableColumn("organisation", t("common.organisation"), lambda v: ctx.label("organisations", v)),
    ]
    shown, more = listed(ctx, frame, "partnerships")
    signed = frame.dropna(subset=["signed_year"])
    takeaway = t("table.partnerships.count", count=rep.count(len(frame)))
    if len(signed):
        newest = signed.assign(name=signed["partner_city"].map(lambda v: city_name(ctx, v)))
        newest = newest.sort_values(["signed_year", "name"], ascending=[False, True]).iloc[0]
        takeaway = t(
            "table.partnerships.takeaway", count=rep.count(len(frame)), newest=newest["name"], signed=int(newest["signed_year"])
        )
    return rep.table(shown, columns, t("table.partnerships.caption", year=ctx.year), takeaway=takeaway) + more


def high_level_visits_table(ctx: Context) -> str:
    rep, t = ctx.report, ctx.t
    frame = an.high_level_visits_abroad(ctx.tables, ctx.year, ctx.strategy)
    columns = [
        TableColumn("date", t("common.date"), lambda v: fmt_date(v.date(), ctx.lang)),
        TableColumn("city", t("common.city"), lambda v: city_name(ctx, v)),
        TableColumn("country", t("common.country"), lambda v: ctx.label("countries", v)),
        TableColumn("level", t("common.level"), lambda v: ctx.label("visit_levels", v)),
        TableColumn("organisation", t("common.organisation"), lambda v: ctx.label("organisations", v)),
        TableColumn("purpose", t("common.purpose"), ctx.text),
    ]
    shown, more = listed(ctx, frame, "visits")
    takeaway = t("table.high_level.count", count=rep.count(len(frame)))
    if len(frame):
        cities = frame["city"].map(lambda v: city_name(ctx, v)).value_counts()
        most = cities[cities == cities.max()].sort_index()
        takeaway = t(
            "table.high_level.takeaway", count=rep.count(len(frame)), city=most.index[0], visits=rep.number(most.iloc[0])
        )
    return rep.table(shown, columns, t("table.high_level.caption", year=ctx.year), takeaway=takeaway) + more
