"""One definition per figure: every number the report shows in a headline box or a table is
marked with its catalogue figure (params/figures.yaml), the year and what it is about, and one
figure, category and year never shows two numbers anywhere in the report, in any language."""

from __future__ import annotations

import html
import re
import shutil
from collections import defaultdict
from html.parser import HTMLParser

import pytest

from hki_intl import PARAMS_DIR
from hki_intl.config.params import LANGUAGES, load_figures, load_strategy
from tests.conftest import YEAR, run_cli


class _Marks(HTMLParser):
    """(figure, category, year, text) of every element marked with ``data-figure``."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[list[str] | None] = []
        self.found: list[tuple[str, str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = dict(attrs)
        if "data-figure" in given:
            self.open.append([str(given["data-figure"]), str(given.get("data-category")), str(given.get("data-year")), ""])
        else:
            self.open.append(None)

    def handle_endtag(self, tag: str) -> None:
        if self.open:
            mark = self.open.pop()
            if mark is not None:
                self.found.append((mark[0], mark[1], mark[2], mark[3].strip()))

    def handle_data(self, data: str) -> None:
        for mark in self.open:
            if mark is not None:
                mark[3] += data


def conflicts(page: str) -> dict[tuple[str, str, str], set[str]]:
    """Each (figure, category, year) shown with more than one value, and the values."""
    parser = _Marks()
    parser.feed(page)
    shown: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for figure, category, year, text in parser.found:
        shown[(figure, category, year)].add(text)
    assert parser.found, "no marked figures: the marks are missing"
    return {key: values for key, values in shown.items() if len(values) > 1}


def test_the_check_catches_one_figure_shown_with_two_values():
    page = (
        '<div><span class="value" data-figure="external_funding_eur" data-year="2025" data-category="">47,3 milj. €</span>'
        '<table><tr><td data-figure="external_funding_eur" data-year="2025" data-category="">36,3 milj. €</td>'
        '<td data-figure="external_funding_eur" data-year="2024" data-category="">35,7 milj. €</td></tr></table></div>'
    )
    assert conflicts(page) == {("external_funding_eur", "", "2025"): {"47,3 milj. €", "36,3 milj. €"}}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_two_figures_share_a_label(lang):
    figures = load_figures()
    goals = load_strategy().goals
    labels = defaultdict(list)
    for figure in figures.model.figures:
        scopes = goals.ids if figure.scope == "goal" else [None]
        for goal in scopes:
            labels[figures.label(figure.id, lang, goals.label(goal, lang) if goal else "").casefold()].append(figure.id)
    assert {label: ids for label, ids in labels.items() if len(ids) > 1} == {}


@pytest.mark.parametrize(
    "old, new, line",
    [
        (
            '      fi: "Kansainväliset mediaosumat"',
            '      fi: "Verkostojäsenyydet"',
            "params/figures.yaml: figures[17].label.fi: 'Verkostojäsenyydet' is also the label of figures[15]; two figures "
            "never share a label (say what differs, e.g. the goal or 'all activities')",
        ),
        (
            "    scope: competence\n",
            "    scope: competense\n",
            "params/figures.yaml: figures[1].scope: 'competense' is not a goal; use one of all, goal, competence, "
            "recognition, influence",
        ),
    ],
    ids=["a label twice", "an unknown scope"],
)
def test_a_mistake_in_the_catalogue_is_one_line_and_exit_2(tmp_path, old, new, line):
    params = tmp_path / "params"
    shutil.copytree(PARAMS_DIR, params)
    path = params / "figures.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    done = run_cli("--params", "params", "validate", "--year", "2025", "--inputs", "inputs", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (2, f"error: {line}\n")


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_one_figure_one_year_one_value_everywhere_in_the_report(example, lang):
    root, _ = example
    page = (root / "report" / f"international-activities-{YEAR}-{lang}.html").read_text(encoding="utf-8")
    assert conflicts(page) == {}
    unmarked = re.findall(r'<td class="num">([^<]*)</td>', page)
    assert unmarked == [], "numbers shown without their figure"


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_headline_box_carries_its_catalogue_label_and_the_method_defines_every_figure(example, lang):
    root, _ = example
    page = (root / "report" / f"international-activities-{YEAR}-{lang}.html").read_text(encoding="utf-8")
    figures, goals = load_figures(), load_strategy().goals
    cards = re.findall(r'data-metric="([a-z_]+)"><span class="value"[^>]*>[^<]*</span><span class="label">([^<]*)</span>', page)
    assert len(cards) >= 12
    for figure, label in cards:
        assert html.unescape(label) == figures.label(figure, lang), figure
    text = html.unescape(page[page.index('id="definitions"') :])  # the method part's definitions
    for figure in figures.model.figures:
        assert (
            html.escape(figures.definition(figure.id, lang), quote=False) in page or figures.definition(figure.id, lang) in text
        ), figure.id
    assert goals.ids  # the goal-scoped labels name goals of the strategy
