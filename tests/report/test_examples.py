"""Shown, not only counted: each goal chapter's examples follow their stated rule, checked against
the example workbooks read directly with openpyxl (tests/report/expected.py); the rule is
printed in every language; a goal without a module of its own gets examples too."""

from __future__ import annotations

import copy
import html
import re
import shutil

import pytest
import yaml

from hki_intl import PARAMS_DIR
from hki_intl.config.params import load_settings
from hki_intl.example import build_example
from hki_intl.intake import load_submissions
from hki_intl.intake.tables import consolidate, write_tables
from hki_intl.report import chapters, examples, goals
from hki_intl.report.blocks import Report
from hki_intl.report.formatting import fmt_number
from hki_intl.report.goals import generic
from tests.report import expected

YEAR = 2025
LANGS = ("fi", "sv", "en")
STRATEGY = expected.params("strategy")
TEXTS = expected.params("texts")


@pytest.fixture(scope="module")
def example(tmp_path_factory, strategy):
    root = tmp_path_factory.mktemp("examples")
    build_example(strategy, [2023, 2024, YEAR], root / "inputs")
    result = load_submissions(root / "inputs", [2023, 2024, YEAR], strategy, load_settings())
    assert result.problems == []
    write_tables(consolidate(result), root / "data")
    return root


def _context(example, lang, params=PARAMS_DIR):
    return chapters.open_context(YEAR, example / "data", lang, params)


def _label(name, code, lang):
    return next(str(e[lang]) for e in STRATEGY[name] if str(e["id"]) == code)


def _organisation(row, lang):
    return _label("organisations", row["_org"], lang)


def _city(name, lang):
    code = expected.city_id(STRATEGY, name)
    return _label("cities", code, lang) if code else name


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("goal", ["competence", "recognition", "influence"])
def test_the_largest_completed_activities_show_their_outcomes(example, goal, lang):
    page = examples.goal_examples(_context(example, lang), goal)
    chosen = expected.outcomes(example / "inputs", YEAR, goal, STRATEGY)
    assert len(chosen) == 3
    part = expected.section(page, f"{goal}-examples-outcomes")
    assert expected.strong_items(part) == [r["Nimi"] for r in chosen]
    for row, item in zip(chosen, expected.items(part), strict=True):
        assert item.startswith(f"{row['Nimi']} ({_organisation(row, lang)}; ")
        assert item.endswith(f"): {row['Tulos']}")


@pytest.mark.parametrize("lang", LANGS)
def test_the_widest_reaching_headlines_are_shown(example, lang):
    page = examples.goal_examples(_context(example, lang), "recognition")
    chosen = expected.headlines(example / "inputs", YEAR)
    assert len(chosen) == 3
    part = expected.section(page, "recognition-examples-headlines")
    quoted = TEXTS["examples.quoted"][lang]
    assert expected.strong_items(part) == [quoted.format(text=r["Otsikko"]) for r in chosen]
    for row, item in zip(chosen, expected.items(part), strict=True):
        assert f"({_organisation(row, lang)}; {row['Media']}; " in item
        assert fmt_number(row["Tavoittavuus"], lang) in item


@pytest.mark.parametrize("lang", LANGS)
def test_the_roles_of_influence_show_their_justification(example, lang):
    page = examples.goal_examples(_context(example, lang), "influence")
    chosen = expected.seats(example / "inputs", YEAR, STRATEGY)
    assert len(chosen) >= 3
    part = expected.section(page, "influence-examples-seats")
    networks = {str(n["fi"]): str(n[lang]) for n in STRATEGY["networks"]}
    roles = {str(r["fi"]): str(r[lang]) for r in STRATEGY["network_roles"]}
    assert expected.strong_items(part) == [networks[r["Verkosto"]] for r in chosen]
    for row, item in zip(chosen, expected.items(part), strict=True):
        assert item == f"{networks[row['Verkosto']]} ({_organisation(row, lang)}; {roles[row['Rooli']]}): {row['Perustelu']}"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("goal", ["competence", "recognition", "influence"])
def test_joint_activities_with_partner_cities_are_shown(example, goal, lang):
    page = examples.goal_examples(_context(example, lang), goal)
    chosen = expected.joint_activities(example / "inputs", YEAR, goal, STRATEGY)
    assert chosen
    part = expected.section(page, f"{goal}-examples-joint")
    assert expected.strong_items(part) == [_city(r["Kumppanikaupunki"], lang) for r in chosen]
    for row, item in zip(chosen, expected.items(part), strict=True):
        assert item.startswith(f"{_city(row['Kumppanikaupunki'], lang)} ({_organisation(row, lang)}; ")
        assert item.endswith(f"): {row['Yhteinen toiminta tänä vuonna']}")


@pytest.mark.parametrize("lang", LANGS)
def test_every_rule_is_stated_in_the_chapter_in_every_language(example, lang):
    ctx = _context(example, lang)
    roles = ", ".join(str(r[lang]) for r in STRATEGY["network_roles"] if r["influence"])
    rules = {
        "outcomes": TEXTS["examples.outcomes.rule"][lang].format(year=YEAR, count=3),
        "headlines": TEXTS["examples.headlines.rule"][lang].format(year=YEAR, count=3),
        "seats": TEXTS["examples.seats.rule"][lang].format(roles=roles, count=6),
        "joint": TEXTS["examples.joint.rule"][lang].format(year=YEAR, count=4),
    }
    shown = {"competence": ["outcomes", "joint"], "recognition": ["outcomes", "headlines", "joint"]}
    shown["influence"] = ["outcomes", "seats", "joint"]
    for goal, kinds in shown.items():
        page = examples.goal_examples(ctx, goal)
        assert [k for k in rules if f'id="{goal}-examples-{k}"' in page] == [k for k in rules if k in kinds]
        for kind in kinds:
            heading = html.escape(TEXTS[f"examples.{kind}.heading"][lang])
            assert f'<h3 id="{goal}-examples-{kind}">{heading}</h3><p>{html.escape(rules[kind])}</p>' in page


def _params_with_goal(tmp_path):
    folder = tmp_path / "params"
    shutil.copytree(PARAMS_DIR, folder)
    strategy = copy.deepcopy(STRATEGY)
    strategy["goals"].append({"id": "sustainability", "fi": "Kestävä kaupunki", "sv": "Hållbar stad", "en": "Sustainable city"})
    (folder / "strategy.yaml").write_text(yaml.safe_dump(strategy, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


@pytest.mark.parametrize("lang", LANGS)
def test_a_goal_without_a_module_of_its_own_gets_examples(example, tmp_path, lang):
    """The generic module's rules: the goal's outcomes (and its joint activities: none here)."""
    params = _params_with_goal(tmp_path)
    ctx = _context(example, lang, params)
    assert goals.module_for(ctx.strategy, "sustainability") is generic
    acts = ctx.tables["activities"]
    moved = (acts["year"] == YEAR) & (acts["organisation"] == "urban_environment") & acts["source_row"].between(2, 30)
    ctx.tables["activities"] = acts.assign(goal=acts["goal"].where(~moved, "sustainability"))
    page = examples.goal_examples(ctx, "sustainability")
    rows = [r for r in expected.sheet_rows(example / "inputs", YEAR, "Toiminnot") if r["_org"] == "urban_environment"]
    completed = _label("activity_statuses", "completed", "fi")
    candidates = [r for r in rows if 2 <= r["_row"] <= 30 and r["Tila"] == completed and r["Tulos"]]
    largest = max(candidates, key=lambda r: r["Budjetti (EUR)"] or 0)  # one organisation: one example
    assert expected.strong_items(expected.section(page, "sustainability-examples-outcomes")) == [largest["Nimi"]]
    none = html.escape(TEXTS["examples.none"][lang].format(year=YEAR))
    assert '<h3 id="sustainability-examples-joint">' in page and none in page


def test_the_workbooks_words_are_escaped(example):
    ctx = _context(example, "fi")
    chosen = expected.outcomes(example / "inputs", YEAR, "competence", STRATEGY)[0]
    acts = ctx.tables["activities"]
    top = (acts["year"] == YEAR) & (acts["title"] == chosen["Nimi"]) & (acts["organisation"] == chosen["_org"])
    ctx.tables["activities"] = acts.assign(outcome=acts["outcome"].where(~top, "<script>alert('x')</script> & co"))
    page = examples.goal_examples(ctx, "competence")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; co</li>" in page


def test_examples_render_without_machine_words_in_every_language(example):
    for lang in LANGS:
        ctx = _context(example, lang)
        for goal in ("competence", "recognition", "influence"):
            text = expected.items(examples.goal_examples(ctx, goal))
            assert text and not any(re.search(r"\b(nan|NaN|None)\b|<NA>|\b[a-z]+_[a-z_]+\b", t) for t in text), text


def test_the_generic_examples_need_no_goal_module(example):
    ctx = _context(example, "en")
    kinds = [chosen.kind for chosen in generic.examples(ctx, "competence")]
    assert kinds == ["outcomes", "joint"]
    assert Report("en").t("examples.heading", year=YEAR) == "Examples from 2025"


@pytest.mark.parametrize("lang", LANGS)
def test_a_partner_city_params_does_not_know_is_shown_as_written_and_escaped(example, lang):
    ctx = _context(example, lang)
    chosen = expected.joint_activities(example / "inputs", YEAR, "recognition", STRATEGY)
    assert expected.city_id(STRATEGY, chosen[0]["Kumppanikaupunki"]) not in {
        str(c["id"]) for c in STRATEGY["cities"] if c["priority"]
    }
    parts = ctx.tables["partnerships"]
    first = (parts["year"] == YEAR) & (parts["partner_city"] == chosen[0]["Kumppanikaupunki"])
    ctx.tables["partnerships"] = parts.assign(partner_city=parts["partner_city"].where(~first, '"><b>Utopia</b>'))
    part = expected.section(examples.goal_examples(ctx, "recognition"), "recognition-examples-joint")
    assert "<b>" not in part and "&quot;&gt;&lt;b&gt;Utopia&lt;/b&gt;" in part
    cities = [_city(r["Kumppanikaupunki"], lang) for r in chosen]
    assert expected.strong_items(part) == ['"><b>Utopia</b>', *cities[1:]]  # its place kept: the oldest agreement
