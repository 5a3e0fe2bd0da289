"""Findings ask for decisions: grouped by rule in the order params lists the rules, each rule with
the question leadership decides (from params/strategy.yaml, in every language), its counts, and
one line per organisation — repeated findings of one organisation collapsed with a count and
examples. Expected values are written out by hand from the small tables of test_analysis, and
the words are read from the params files with yaml."""

from __future__ import annotations

import copy
import html
import re

import pandas as pd
import pytest

from hki_intl.config.params import Strategy
from hki_intl.report import analysis, chapters
from hki_intl.report.blocks import Report
from tests.report import expected
from tests.report.test_analysis import tables  # noqa: F401  (the small tables fixture)

YEAR = 2025
LANGS = ("fi", "sv", "en")
STRATEGY = expected.params("strategy")
TEXTS = expected.params("texts")
RULES = {str(rule["id"]): rule for rule in STRATEGY["findings"]}
EXPECTED_ORGANISATIONS = [
    str(o["id"]) for o in STRATEGY["organisations"] if int(o.get("from") or 0) <= YEAR <= int(o.get("to") or 9999)
]
# rule → organisation → items, in the fixture's order (written out from test_analysis.tables)
FOUND = {
    "membership_without_owner": {"education": ["eurocities"]},
    "membership_without_goal": {"education": ["c40"]},
    "twin_city_without_goal": {"education": ["Riika"]},
    "activity_outside_focus_areas": {"education": ["Muu A", "Muu B"]},
    "organisation_did_not_submit": {org: [] for org in EXPECTED_ORGANISATIONS if org != "education"},
}


def _context(tables, lang):  # noqa: F811
    return chapters.Context(YEAR, lang, tables, Report(lang))


def _org(code, lang):
    return next(str(o[lang]) for o in STRATEGY["organisations"] if o["id"] == code)


@pytest.mark.parametrize("lang", LANGS)
def test_the_summary_gets_each_rules_decision_and_count(tables, lang):  # noqa: F811
    found = chapters.decisions(_context(tables, lang))
    assert [(f.rule, f.label, f.decision, f.count, f.organisations) for f in found] == [
        (
            rule,
            RULES[rule][lang],
            RULES[rule]["decision"][lang],
            sum(max(1, len(items)) for items in per_org.values()),
            len(per_org),
        )
        for rule, per_org in FOUND.items()
    ]
    assert [f.rule for f in found] == [str(r["id"]) for r in STRATEGY["findings"]]  # the order of params
    assert found[3].count == 2 and found[4].count == len(EXPECTED_ORGANISATIONS) - 1 == 8


@pytest.mark.parametrize("lang", LANGS)
def test_the_block_asks_for_each_decision_and_collapses_an_organisations_findings(tables, lang):  # noqa: F811
    page = chapters.findings_block(_context(tables, lang))
    total = sum(max(1, len(items)) for per_org in FOUND.values() for items in per_org.values())
    assert html.escape(TEXTS["findings.intro"][lang].format(count=total)) in page
    decide = html.escape(TEXTS["findings.decide"][lang])
    for rule, per_org in FOUND.items():
        anchor = f"finding-{rule.replace('_', '-')}"
        part = expected.section(page, anchor)
        assert part.startswith(f'id="{anchor}">{html.escape(RULES[rule][lang])}</h3>')
        assert f"<p><strong>{decide}</strong> {html.escape(RULES[rule]['decision'][lang])}</p>" in part
        count = sum(max(1, len(items)) for items in per_org.values())
        counts = TEXTS["findings.counts"][lang].format(count=count, organisations=len(per_org))
        assert f"<p>{html.escape(counts)}</p>" in part
        assert len(expected.items(part)) == len(per_org)  # one line per organisation
    lines = {rule: expected.items(expected.section(page, f"finding-{rule.replace('_', '-')}")) for rule in FOUND}
    education = _org("education", lang)
    networks = {str(n["id"]): str(n[lang]) for n in STRATEGY["networks"]}
    riga = next(str(c[lang]) for c in STRATEGY["cities"] if c["id"] == "riga")
    assert lines["membership_without_owner"] == [f"{education}: {networks['eurocities']}"]
    assert lines["membership_without_goal"] == [f"{education}: {networks['c40']}"]
    assert lines["twin_city_without_goal"] == [f"{education}: {riga}"]  # the city in the report's language
    assert lines["activity_outside_focus_areas"] == [  # an activity's title in quotes
        expected.fill(
            TEXTS["findings.line_all"][lang],
            organisation=education,
            count=2,
            items=", ".join(expected.quoted(title, lang) for title in ("Muu A", "Muu B")),
        )
    ]
    assert sorted(lines["organisation_did_not_submit"]) == sorted(_org(o, lang) for o in FOUND["organisation_did_not_submit"])


@pytest.mark.parametrize("lang", LANGS)
def test_the_summary_lists_the_decisions_each_linked_to_its_findings(tables, lang):  # noqa: F811
    """The executive summary's "decisions for leadership": per rule with findings, the question
    from params linking to the rule's part of the findings, and the counts."""
    ctx = _context(tables, lang)
    summary, block = chapters.decisions_summary(ctx), chapters.findings_block(ctx)
    assert summary.startswith(f'<h2 id="summary-decisions">{html.escape(TEXTS["summary.decisions"][lang])}</h2><ul>')
    lines = re.findall(r"<li>(.*?)</li>", summary)
    assert len(lines) == len(FOUND)
    for line, (rule, per_org) in zip(lines, FOUND.items(), strict=True):
        anchor = f"finding-{rule.replace('_', '-')}"
        count = sum(max(1, len(items)) for items in per_org.values())
        counts = expected.fill(TEXTS["summary.decision_counts"][lang], count=count, organisations=len(per_org))
        question = html.escape(RULES[rule]["decision"][lang])
        assert line == f'<a href="#{anchor}">{question}</a> {html.escape(counts)}'
        assert f'<h3 id="{anchor}">' in block  # the link leads to the rule's findings
    # the counts in the reader's words: one organisation in the singular, several in the plural
    one = {"fi": "1 organisaatio)", "sv": "1 organisation)", "en": "1 organisation)"}[lang]
    assert one in lines[0] and one not in lines[-1]


@pytest.mark.parametrize("lang", LANGS)
def test_many_findings_of_one_organisation_are_one_line_with_a_count_and_examples(tables, lang):  # noqa: F811
    ctx = _context(tables, lang)
    acts = ctx.tables["activities"]
    outside = acts[(acts["year"] == YEAR) & (acts["focus_area"] == "outside")]
    more = pd.concat([outside.iloc[[0]].assign(title=f"Lisä {n}", source_row=10 + n) for n in range(1, 5)])
    ctx.tables["activities"] = pd.concat([acts, more], ignore_index=True)
    found = {f.rule: f for f in chapters.decisions(ctx)}["activity_outside_focus_areas"]
    assert (found.count, found.organisations) == (6, 1)
    line = expected.fill(
        TEXTS["findings.line_more"][lang],
        organisation=_org("education", lang),
        count=6,
        items=", ".join(expected.quoted(title, lang) for title in ("Muu A", "Muu B", "Lisä 1")),  # three of the six
    )
    assert found.lines == (line,)
    assert f"<li>{html.escape(line)}</li>" in chapters.findings_block(ctx)


def test_repeated_findings_collapse_for_every_rule():
    frame = pd.DataFrame(
        [
            ["membership_without_owner", "education", "c40", "e.xlsx", 2],
            ["activity_outside_focus_areas", "forum_virium", "A", "f.xlsx", 2],
            ["membership_without_owner", "education", "polis", "e.xlsx", 3],
            ["membership_without_owner", "forum_virium", "scale", "f.xlsx", 4],
            ["membership_without_owner", "forum_virium", "c40", "f.xlsx", 5],
            ["membership_without_owner", "forum_virium", "polis", "f.xlsx", 6],
        ],
        columns=analysis.FINDING_COLUMNS,
    )
    collapsed = analysis.findings_for_decision(frame)
    assert collapsed[["rule", "organisation", "count", "items"]].values.tolist() == [
        ["membership_without_owner", "forum_virium", 3, ("scale", "c40", "polis")],
        ["membership_without_owner", "education", 2, ("c40", "polis")],
        ["activity_outside_focus_areas", "forum_virium", 1, ("A",)],
    ]


def test_a_rule_left_out_of_params_is_not_checked(tables, strategy):  # noqa: F811
    data = copy.deepcopy(strategy.data)
    data["findings"] = [rule for rule in data["findings"] if rule["id"] != "activity_outside_focus_areas"]
    found = analysis.findings(tables, YEAR, Strategy.from_data(data))
    assert "activity_outside_focus_areas" not in set(found["rule"])
    assert list(dict.fromkeys(found["rule"])) == [r["id"] for r in data["findings"]]


def test_every_rule_the_code_checks_has_its_words(strategy):
    from hki_intl.config.models import FINDING_RULES

    assert set(analysis.RULE_CHECKS) == set(FINDING_RULES) == set(RULES)


@pytest.mark.parametrize("lang", LANGS)
def test_no_findings_says_so(tables, strategy, lang):  # noqa: F811
    ctx = _context(tables, lang)
    data = copy.deepcopy(strategy.data)
    for organisation in data["organisations"]:
        organisation["to"] = 2029  # nobody is expected to report in 2030, and there are no records
    ctx.report.strategy = Strategy.from_data(data)
    ctx.year = 2030
    assert chapters.decisions(ctx) == []
    page = chapters.findings_block(ctx)
    assert html.escape(TEXTS["findings.none"][lang]) in page and "<h3" not in page
    assert html.escape(TEXTS["findings.intro"][lang].format(count=0)) in page
    summary = chapters.decisions_summary(ctx)
    assert html.escape(TEXTS["summary.no_decisions"][lang]) in summary and "<li>" not in summary
