"""Shown, not only counted: a few concrete examples in each goal chapter, chosen by a stated rule
and told in the workbooks' own words (outcomes, headlines, justifications, joint activities),
with the organisation named.

Each kind of example is a rule: a pure selection in :mod:`~hki_intl.report.analysis`, and the
rule's sentence (the text ``examples.<kind>.rule``) printed above the items, so that a reader
knows why these and not others. Every goal shows the outcomes of its largest completed
activities and its joint activities with partner cities (:func:`generic_examples`, which a goal
without a module of its own gets too); a goal's module may add its own kinds (``examples``).
Texts from workbooks are masked (:meth:`Context.text`) and escaped (:func:`blocks.escape`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from markupsafe import Markup

from hki_intl.report import analysis as an
from hki_intl.report import goals
from hki_intl.report.blocks import escape
from hki_intl.report.chapters import Context, city_name

TOP = 3  # ranked examples (the largest, the widest-reaching): this many
AT_MOST = {"seats": 6, "joint": 4}  # examples listed one per network or city: at most this many


@dataclass(frozen=True)
class Example:
    """One example: its name, short facts (the organisation first) and the workbook's words."""

    title: str
    details: tuple[str, ...]
    text: str = ""


@dataclass(frozen=True)
class Examples:
    """The examples of one rule: the kind (its texts ``examples.<kind>.*``), the rule's sentence
    as the chapter prints it, and the examples, in the rule's order."""

    kind: str
    rule: str
    items: tuple[Example, ...]


def outcomes(ctx: Context, goal: str) -> Examples:
    """The goal's largest completed activities by budget, with the outcome each reported."""
    rep = ctx.report
    frame = an.largest_completed(ctx.tables, ctx.year, goal, TOP)
    items = tuple(
        Example(
            ctx.text(r.title),
            (ctx.label("organisations", r.organisation),)
            + ((ctx.t("examples.budget", budget=rep.eur(r.budget_eur)),) if pd.notna(r.budget_eur) else ()),
            ctx.text(r.outcome),
        )
        for r in frame.itertuples()
    )
    return Examples("outcomes", ctx.t("examples.outcomes.rule", year=ctx.year, count=rep.number(TOP)), items)


def headlines(ctx: Context) -> Examples:
    """The year's widest-reaching media items, by their headline."""
    rep = ctx.report
    frame = an.widest_reaching_media(ctx.tables, ctx.year, TOP)
    items = tuple(
        Example(
            ctx.t("examples.quoted", text=ctx.text(r.headline)),
            (
                ctx.label("organisations", r.organisation),
                ctx.text(r.outlet),
                ctx.label("countries", r.country),
                ctx.t("examples.reach", reach=rep.number(r.reach)),
            ),
        )
        for r in frame.itertuples()
    )
    return Examples("headlines", ctx.t("examples.headlines.rule", year=ctx.year, count=rep.number(TOP)), items)


def influence_seats(ctx: Context) -> Examples:
    """The memberships in which Helsinki holds a role of influence, with their justification."""
    count = AT_MOST["seats"]
    frame = an.influence_seats(ctx.tables, ctx.year, ctx.strategy, count)
    roles = ", ".join(ctx.label("network_roles", r) for r in ctx.strategy.codes("network_roles").ids_where("influence"))
    items = tuple(
        Example(
            ctx.label("networks", r.network),
            (ctx.label("organisations", r.organisation), ctx.label("network_roles", r.role)),
            ctx.text(r.justification),
        )
        for r in frame.itertuples()
    )
    rule = ctx.t("examples.seats.rule", roles=roles, count=ctx.report.number(count))
    return Examples("seats", rule, items)


def joint_activities(ctx: Context, goal: str) -> Examples:
    """Partner cities whose agreement serves the goal, with the joint activity of the year."""
    count = AT_MOST["joint"]
    frame = an.joint_activities(ctx.tables, ctx.year, ctx.strategy, goal, count)
    items = tuple(
        Example(
            city_name(ctx, r.partner_city),
            (ctx.label("organisations", r.organisation), ctx.label("agreement_types", r.agreement_type))
            + ((ctx.t("examples.signed", year=int(r.signed_year)),) if pd.notna(r.signed_year) else ()),
            ctx.text(r.joint_activity),
        )
        for r in frame.itertuples()
    )
    return Examples("joint", ctx.t("examples.joint.rule", year=ctx.year, count=ctx.report.number(count)), items)


def generic_examples(ctx: Context, goal: str) -> list[Examples]:
    """What every goal shows: its outcomes and its joint activities with partner cities."""
    return [outcomes(ctx, goal), joint_activities(ctx, goal)]


def goal_examples(ctx: Context, goal: str) -> str:
    """The chapter's examples: for each rule a heading, the rule's sentence and its examples."""
    rep, t = ctx.report, ctx.t
    parts = [
        rep.heading(t("examples.heading", year=ctx.year), 2, anchor=f"{goal}-examples"),
        rep.paragraph(t("examples.intro")),
    ]
    for chosen in goals.examples(ctx, goal):
        parts.append(rep.heading(t(f"examples.{chosen.kind}.heading"), 3, anchor=f"{goal}-examples-{chosen.kind}"))
        parts.append(rep.paragraph(chosen.rule))
        if chosen.items:
            parts.append(rep.bullets([item_html(item) for item in chosen.items]))
        else:
            parts.append(rep.paragraph(t("examples.none", year=ctx.year)))
    return "".join(parts)


def item_html(item: Example) -> Markup:
    """``<strong>title</strong> (detail; detail): text``, every part escaped."""
    html = f"<strong>{escape(item.title)}</strong>"
    if item.details:
        html += f" ({escape('; '.join(item.details))})"
    if item.text:
        html += f": {escape(item.text)}"
    return Markup(html)
