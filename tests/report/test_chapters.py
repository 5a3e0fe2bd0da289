"""The chapters' generated prose and tables, in all three languages, against figures computed
independently from the example records (not through intake or analysis)."""

from __future__ import annotations

import re
from functools import partial

import pytest

from hki_intl.config.params import load_settings
from hki_intl.example import build_example, build_records, submitting_organisations
from hki_intl.intake import load_submissions
from hki_intl.intake.tables import consolidate, read_tables, write_tables
from hki_intl.report import chapters, examples, goals, registers
from hki_intl.report.blocks import Report
from hki_intl.report.formatting import change, fmt_eur, fmt_number, fmt_percent
from hki_intl.report.goals import competence, generic, influence, recognition

YEAR, PREVIOUS = 2025, 2024
LANGS = ("fi", "sv", "en")


@pytest.fixture(scope="module")
def tables(tmp_path_factory, strategy):
    root = tmp_path_factory.mktemp("chapters")
    build_example(strategy, [2023, PREVIOUS, YEAR], root / "inputs")
    result = load_submissions(root / "inputs", [2023, PREVIOUS, YEAR], strategy, load_settings())
    assert result.problems == []
    write_tables(consolidate(result), root / "data")
    return read_tables(root / "data")


@pytest.fixture(scope="module")
def records(strategy):
    return {y: {org: build_records(strategy, org, y) for org in submitting_organisations(strategy, y)} for y in (PREVIOUS, YEAR)}


def _rows(records, year, sheet):
    return [r for sheets in records[year].values() for r in sheets[sheet]]


def _context(tables, lang):
    return chapters.Context(YEAR, lang, tables, Report(lang))


@pytest.mark.parametrize("lang", LANGS)
def test_competence_messages_carry_the_numbers(tables, records, lang):
    ctx = _context(tables, lang)
    messages = goals.key_messages(ctx, "competence", goals.headlines(ctx, "competence"))
    assert 3 <= len(messages) <= 5
    now = sum(1 for r in _rows(records, YEAR, "Toiminnot") if r["goal"] == "competence")
    then = sum(1 for r in _rows(records, PREVIOUS, "Toiminnot") if r["goal"] == "competence")
    assert fmt_number(now, lang) in messages[0] and fmt_number(then, lang) in messages[0]
    assert fmt_percent(change(now, then), lang, signed=True) in messages[0]
    total = sum(r["external_funding_eur"] or 0 for r in _rows(records, YEAR, "Toiminnot"))
    eu_ids = {s["id"] for s in ctx.strategy.data["funding_sources"] if s["eu"]}
    eu = sum(r["external_funding_eur"] or 0 for r in _rows(records, YEAR, "Toiminnot") if r["funding_source"] in eu_ids)
    funding = next(m for m in messages if fmt_eur(total, lang) in m)
    assert fmt_eur(eu, lang) in funding and fmt_percent(eu / total, lang) in funding
    # a figure of all goals in a goal's chapter says so: the sentence names it by its catalogue label
    rep = ctx.report
    assert funding.startswith(f"{rep.figure_label('external_funding_eur')}: {fmt_eur(total, lang)}. ")
    assert f"{rep.figure_label('eu_funding_eur')}: {fmt_eur(eu, lang)} (" in funding
    challenges = sum(1 for r in _rows(records, YEAR, "Toiminnot") if r["activity_type"] == "challenge")
    assert any(f"{rep.figure_label('challenge_activities')}: {fmt_number(challenges, lang)}." in m for m in messages)


@pytest.mark.parametrize("lang", LANGS)
def test_recognition_messages_carry_the_numbers(tables, records, lang):
    ctx = _context(tables, lang)
    messages = goals.key_messages(ctx, "recognition", goals.headlines(ctx, "recognition"))
    media = _rows(records, YEAR, "Näkyvyys")
    assert fmt_number(len(media), lang) in messages[0]
    positive = sum(1 for m in media if m["tone"] == "positive") / len(media)
    assert fmt_percent(positive, lang) in messages[1]
    assert fmt_number(len({m["country"] for m in media}), lang) in messages[1]
    assert any(fmt_number(4_924_251, lang) in m for m in messages)  # overnight stays 2025, a real figure


@pytest.mark.parametrize("lang", LANGS)
def test_influence_messages_carry_the_numbers(tables, records, lang):
    ctx = _context(tables, lang)
    messages = goals.key_messages(ctx, "influence", goals.headlines(ctx, "influence"))
    nets = _rows(records, YEAR, "Verkostot")
    assert fmt_number(len(nets), lang) in messages[0]
    assert fmt_eur(sum(n["annual_fee_eur"] or 0 for n in nets), lang) in messages[1]
    parts = _rows(records, YEAR, "Kumppanuudet")
    twins = sum(1 for p in parts if p["agreement_type"] == "twin_city")
    assert fmt_number(len(parts), lang) in messages[2] and fmt_number(twins, lang) in messages[2]


def test_the_languages_differ_in_words_and_agree_in_numbers(tables):
    texts = {
        lang: goals.key_messages(_context(tables, lang), "competence", goals.headlines(_context(tables, lang), "competence"))
        for lang in LANGS
    }
    assert texts["fi"] != texts["sv"] != texts["en"]
    digits = {lang: ["".join(ch for ch in m if ch.isdigit()) for m in texts[lang]] for lang in LANGS}
    assert digits["fi"][0] == digits["sv"][0] == digits["en"][0]


def test_every_block_renders_in_every_language(tables):
    for lang in LANGS:
        ctx = _context(tables, lang)
        blocks = [
            partial(competence.focus_chart, goal="competence"),
            competence.funding_chart,
            competence.learning_table,
            partial(competence.learning_partners_table, goal="competence"),
            recognition.media_country_table,
            recognition.events_table,
            recognition.indicator_chart,
            recognition.indicator_table,
            registers.membership_table,
            influence.priority_cities_table,
            registers.partnerships_table,
            registers.high_level_visits_table,
            registers.summary,
            registers.appendix,
            chapters.findings_block,
            partial(examples.goal_examples, goal="competence"),
            partial(examples.goal_examples, goal="recognition"),
            partial(examples.goal_examples, goal="influence"),
            chapters.focus_goal_heatmap,
            chapters.organisations_goal_table,
            chapters.organisation_parts,
            chapters.data_quality,
            partial(generic.focus_chart, goal="influence"),
            partial(generic.type_chart, goal="recognition"),
        ]
        for block in blocks:
            html = block(ctx)
            assert html.startswith("<"), (lang, block)
            assert not re.search(r"[>\s(](nan|NaN|None|&lt;NA&gt;)[<\s)]", html), (lang, block)


def test_the_priority_city_table_counts_visits(tables, records, strategy):
    ctx = _context(tables, "fi")
    from hki_intl.report.analysis import priority_city_cooperation

    frame = priority_city_cooperation(tables, YEAR, strategy).set_index("city")
    names = {c["id"]: {c[lang] for lang in LANGS} for c in strategy.data["cities"]}
    visits = _rows(records, YEAR, "Vierailut")
    for city in frame.index:
        expected = sum(1 for v in visits if v["city"] in names[city] and v["direction"] == "incoming")
        assert frame.loc[city, "visits_in"] == expected, city
    assert ctx.year == YEAR
