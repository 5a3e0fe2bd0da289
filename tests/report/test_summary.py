"""The executive summary: how each goal went against earlier years, with figures checked against
the example records (not through the pipeline's analysis), and the largest changes first."""

from __future__ import annotations

import re

import pytest

from hki_intl.config.params import load_settings
from hki_intl.example import build_example, build_records, submitting_organisations
from hki_intl.intake import load_submissions
from hki_intl.intake.tables import consolidate, read_tables, write_tables
from hki_intl.report import chapters, goals
from hki_intl.report.analysis import Headline
from hki_intl.report.blocks import CONTENTS_HERE, Report
from hki_intl.report.formatting import fmt_eur, fmt_number, fmt_percent

YEAR = 2025
YEARS = (2023, 2024, 2025)


@pytest.fixture(scope="module")
def tables(tmp_path_factory, strategy):
    root = tmp_path_factory.mktemp("summary")
    build_example(strategy, list(YEARS), root / "inputs")
    write_tables(consolidate(load_submissions(root / "inputs", list(YEARS), strategy, load_settings())), root / "data")
    return read_tables(root / "data")


def _count(strategy, year: int, goal: str) -> int:
    """The goal's activities in ``year``, counted from the example's own records."""
    return sum(
        1
        for org in submitting_organisations(strategy, year)
        for row in build_records(strategy, org, year)["Toiminnot"]
        if row["goal"] == goal
    )


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_each_goal_is_told_against_the_year_before_and_the_first_year(tables, strategy, lang):
    ctx = chapters.Context(YEAR, lang, tables, Report(lang))
    now, before, first = (_count(strategy, y, "competence") for y in (2025, 2024, 2023))
    sentence = chapters.goal_sentences(ctx, "competence", goals.headlines(ctx, "competence"))[1]
    label = ctx.report.figure_label("competence_activities")
    assert sentence.startswith(f"{label}: {fmt_number(now, lang)} ")  # the name first, in the nominative
    assert f"({fmt_number(before, lang)})" in sentence and f": {fmt_number(first, lang)}." in sentence
    assert fmt_percent(abs(now - before) / before, lang) in sentence
    assert "2023" in sentence and "2024" in sentence and "2025" in sentence


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_each_goal_opens_with_a_verdict_from_its_activities_in_every_year(tables, strategy, lang):
    ctx = chapters.Context(YEAR, lang, tables, Report(lang))
    for goal in strategy.goals.ids:
        now, before, first = (_count(strategy, y, goal) for y in (2025, 2024, 2023))
        if now > max(before, first):
            expected = "highest"
        elif now < min(before, first):
            expected = "lowest"
        elif abs(now - before) / before < 0.02:
            expected = "level"
        else:
            expected = "up" if now > before else "down"
        opening = chapters.goal_sentences(ctx, goal, goals.headlines(ctx, goal))[0]
        assert opening == ctx.t(f"summary.verdict.{expected}", year=YEAR), (goal, now, before, first)


@pytest.mark.parametrize(
    "value, previous, earlier, expected",
    [
        (120, 100, [90, 100], "highest"),
        (80, 100, [90, 100], "lowest"),
        (95, 100, [90, 100], "down"),
        (101, 100, [110, 100], "level"),
        (99, 100, [90, 100], "level"),
        (105, 100, [110, 100], "up"),
        (120, 100, [100], "up"),  # one earlier year: no "highest" from a single comparison
        (5, None, [], "new"),
        (None, 3, [3], "new"),
    ],
)
def test_the_verdict_rule(value, previous, earlier, expected):
    assert chapters.verdict(value, previous, earlier) == expected


def test_the_largest_relative_changes_come_first_and_small_bases_are_left_out(strategy):
    ctx = chapters.Context(YEAR, "en", {"submissions": None}, Report("en"))
    ctx.__dict__["previous_year"] = 2024  # a cached property: set directly, no tables needed
    figures = {
        "competence": [
            Headline("competence_activities", "competence", "count", 110, 100),  # +10 %
            Headline("external_funding_eur", "competence", "eur", 3_000_000, 2_000_000),  # +50 %
            Headline("benchmarking_activities", "competence", "count", 9, 3),  # +200 % from a small base
        ],
        "influence": [Headline("network_memberships", "influence", "count", 20, 40)],  # -50 %
        "recognition": [Headline("media_items", "recognition", "count", 130, 100)],  # +30 %
    }
    changes = chapters.important_changes(ctx, figures)
    assert [c.split(":")[0] for c in changes] == [
        "External funding, all activities",
        "Network memberships",
        "International media items",
    ]
    assert changes[0] == (
        f"External funding, all activities: up 50%, from {fmt_eur(2_000_000, 'en')} in 2024 to "
        f"{fmt_eur(3_000_000, 'en')} in 2025."
    )
    assert changes[1].startswith("Network memberships: down 50%, from 40 in 2024 to 20 in 2025")


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_summary_has_a_paragraph_per_goal_then_fewer_boxes_and_the_contents_after_it(tables, lang):
    ctx = chapters.Context(YEAR, lang, tables, Report(lang))
    figures = {goal: goals.headlines(ctx, goal) for goal in ctx.strategy.goals.ids}
    page = chapters.executive_summary(ctx, figures)
    assert page.endswith(CONTENTS_HERE)
    assert "(2023, 2024)" in page and "2023, 2024, 2025" not in page  # the earlier years, not this one
    for goal in ctx.strategy.goals.ids:
        assert f'id="summary-{goal}"' in page and f'id="summary-figures-{goal}"' in page
    boxes = re.findall(r'data-metric="([a-z_]+)"', page)
    assert (
        len(boxes) == sum(min(len(f), chapters.SUMMARY_CARDS) for f in figures.values()) < sum(len(f) for f in figures.values())
    )
    assert page.index('id="summary-changes"') < page.index('id="summary-figures"')  # the message before the boxes
    # what is asked of the reader: the decisions, before the boxes, each linked to its findings
    assert page.index('id="summary-changes"') < page.index('id="summary-decisions"') < page.index('id="summary-figures"')
    assert chapters.decisions_summary(ctx) in page
    assert len(re.findall(r'<li><a href="#finding-[a-z-]+">', page)) == len(chapters.decisions(ctx)) >= 1
