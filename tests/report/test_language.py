"""Language a person would write, in fi, sv and en: names in the nominative, place names in the
report's language, counts of one in the singular, each chart's own takeaway, years on a real
time scale, millions as each language writes them, and no machine words for the reader."""

from __future__ import annotations

import re
import string
from functools import partial

import pandas as pd
import pytest
import yaml

from hki_intl import PARAMS_DIR
from hki_intl.report import chapters, examples, goals, registers
from hki_intl.report.blocks import Report
from hki_intl.report.charts import trend_lines, year_segments
from hki_intl.report.formatting import NBSP, Count, fmt_compact
from hki_intl.report.goals import competence, generic, influence, recognition
from tests.reader_text import html_units, scan
from tests.report.test_chapters import tables  # noqa: F401  (the example's tables, built once here)

YEAR = 2025
LANGS = ("fi", "sv", "en")
TEXTS = yaml.safe_load((PARAMS_DIR / "texts.yaml").read_text(encoding="utf-8"))
# The placeholders that a name fills in: a city, a country, a focus area, a goal, an
# organisation, a label, a title, a list of names or the strategy document's name.
NAMES = {"city", "country", "focus", "goal", "top", "organisation", "label", "example", "names", "source", "newest", "latest"}
# What may stand before a name in the nominative: nothing (the subject opens the sentence), a
# colon, an opening parenthesis, a dash between two names, or "for example".
NOMINATIVE_BEFORE = re.compile(r"(^|[.;:]\s|\(|\s–\s|esim\.\s|t\.ex\.\s|e\.g\.\s)$")


def _context(tables, lang):  # noqa: F811
    return chapters.Context(YEAR, lang, tables, Report(lang))


def _slots(template: str):
    """(the text before each placeholder in its sentence, its name, the text after it)."""
    position = 0
    for literal, name, spec, _ in string.Formatter().parse(template):
        position += len(literal)
        if name is None:
            continue
        shown = "{" + name + (":" + spec if spec else "") + "}"
        yield template[:position], name, template[position + len(shown) :]
        position += len(shown)


@pytest.mark.parametrize("lang", LANGS)
def test_every_name_stands_in_the_nominative_in_the_texts(lang):
    """The rule of params/texts.yaml: a name after a colon, in a parenthesis or as the subject,
    never in an inflected slot such as "kaupungista {city}" or "maassa {country}"."""
    wrong = []
    for key, entry in TEXTS.items():
        for before, name, after in _slots(entry[lang]):
            if name in NAMES and not (NOMINATIVE_BEFORE.search(before) or after.startswith(":")):
                wrong.append(f"{key}: …{before[-30:]}{{{name}}}{after[:20]}…")
    assert wrong == []


@pytest.mark.parametrize(
    "lang, city, country, priority",
    [
        ("fi", "Useimmin mukana ollut kumppanikaupunki: Tallinna (", "Eniten osumia: Yhdistynyt kuningaskunta (", ": Tallinna ("),
        ("sv", "Den partnerstad som oftast var med: Tallinn (", "Flest inslag: Förenade kungariket (", ": Tallinn ("),
        ("en", "The partner city most often involved: Tallinn (", "The most items: United Kingdom (", ": Tallinn ("),
    ],
)
def test_the_key_messages_name_cities_and_countries_in_the_nominative(tables, lang, city, country, priority):  # noqa: F811
    ctx = _context(tables, lang)
    said = {goal: " ".join(goals.key_messages(ctx, goal, goals.headlines(ctx, goal))) for goal in ctx.strategy.goals.ids}
    assert city in said["competence"]
    assert country in said["recognition"]
    assert priority in said["influence"]
    every = " ".join(said.values())
    for inflected in ("kaupungista", "kaupungin Tallinna", "maassa Yhdistynyt", "Tallinnasta", "Tallinnan kanssa"):
        assert inflected not in every
    assert "in United Kingdom" not in every  # English needs "the" there: the name stands after a colon instead


@pytest.mark.parametrize(
    "lang, vilnius, stockholm", [("fi", "Vilna", "Tukholma"), ("sv", "Vilnius", "Stockholm"), ("en", "Vilnius", "Stockholm")]
)
def test_cities_are_named_in_the_reports_language(tables, lang, vilnius, stockholm):  # noqa: F811
    """The workbooks name cities in Finnish; every table prints the name of the report's language."""
    ctx = _context(tables, lang)
    agreements = registers.partnerships_table(ctx)
    assert f"<td>{vilnius}</td>" in agreements or f'<th scope="row">{vilnius}</th>' in agreements
    visits = registers.high_level_visits_table(ctx)
    assert f">{stockholm}<" in visits
    if lang != "fi":
        assert ">Vilna<" not in agreements and ">Tukholma<" not in visits and "Tarto" not in visits
    assert chapters.city_name(ctx, "Pietari") == {"fi": "Pietari", "sv": "Sankt Petersburg", "en": "Saint Petersburg"}[lang]
    assert chapters.city_name(ctx, "Tarto") == {"fi": "Tarto", "sv": "Tartu", "en": "Tartu"}[lang]
    assert chapters.city_name(ctx, "Springfield") == "Springfield"  # not in params: as typed


@pytest.mark.parametrize(
    "lang, one, five",
    [
        ("fi", "pois 1 työkirja.", "pois 5 työkirjaa."),
        ("sv", "lämnades 1 arbetsbok utanför", "lämnades 5 arbetsböcker utanför"),
        ("en", "1 workbook was left", "5 workbooks were left"),
    ],
)
def test_a_count_of_one_takes_the_singular(lang, one, five):
    report = Report(lang)
    assert one in report.t("quality.rejected", count=report.count(1))
    assert five in report.t("quality.rejected", count=report.count(5))
    assert f"{Count(1, '1')}" == "1" and format(Count(2, "2"), "# visit|# visits") == "2 visits"


def _bar_charts():
    return {
        "competence_focus": partial(competence.focus_chart, goal="competence"),
        "competence_type": partial(competence.type_chart, goal="competence"),
        "funding": competence.funding_chart,
        "media_tone": recognition.media_tone_chart,
        "media_focus": recognition.media_focus_chart,
        "visits_in_level": recognition.visits_level_chart,
        "network_roles": influence.network_role_chart,
        "goal_focus": partial(generic.focus_chart, goal="influence"),
        "goal_type": partial(generic.type_chart, goal="influence"),
    }


@pytest.mark.parametrize("lang", LANGS)
def test_each_chart_says_its_own_point(tables, lang):  # noqa: F811
    ctx = _context(tables, lang)
    general = re.escape(TEXTS["chart.takeaway_top"][lang].split("{")[0])
    takeaways = {}
    for key, block in _bar_charts().items():
        caption = re.search(r"<figcaption><strong>[^<]*</strong> ([^<]*)</figcaption>", block(ctx))[1]
        assert caption, key
        assert not re.match(general, caption), (key, caption)  # not the general "the most: …" formula
        takeaways[key] = re.sub(r"[\d\s,.%+−–/€]+|milj\.", " ", caption)
    # The words differ chart by chart (the figures aside), so each caption says its own point.
    assert len(set(takeaways.values())) >= len(takeaways) - 2, takeaways  # the two focus-area charts may share


def test_years_are_a_real_time_scale_with_gaps():
    data = pd.DataFrame(
        [
            ("Airport", 2019, 21_900_000),
            ("Airport", 2020, 5_000_000),
            ("Airport", 2021, 4_300_000),
            ("Stays", 2019, 4_489_741),
            ("Stays", 2024, 4_550_000),
            ("Stays", 2025, 4_924_251),
        ],
        columns=["label", "value_year", "value"],
    )
    assert list(year_segments(data, "label", "value_year")) == ["Airport|2019"] * 3 + ["Stays|2019", "Stays|2024", "Stays|2024"]
    spec = trend_lines(data, "label", "value_year", "value", "Indicator", "Year", "Number", "fi").to_dict()
    lines, _, halo, labels = spec["layer"]  # the values over a white halo
    x = lines["encoding"]["x"]
    assert x["type"] == "quantitative"  # spaced by the years' distance, not as neighbouring categories
    assert x["axis"]["format"] == "d" and x["axis"]["values"] == list(range(2019, 2026))  # integer ticks, 2022 too
    assert x["scale"]["domain"] == [2019, 2025] and x["scale"]["zero"] is False
    assert lines["encoding"]["detail"]["field"] == "segment"  # a line joins only consecutive years
    assert "format" not in lines["encoding"]["y"]["axis"] and "milj." in lines["encoding"]["y"]["axis"]["labelExpr"]
    assert labels["encoding"]["text"]["field"] == "value_text"
    assert halo["encoding"]["text"]["field"] == "value_text" and halo["mark"]["stroke"] == "#ffffff"


def test_the_rendered_year_axis_shows_the_missing_years_and_no_si_suffix():
    from hki_intl.report.charts import render

    data = pd.DataFrame(
        [("Port", 2017, 11_776_000), ("Port", 2019, 11_614_000), ("Stays", 2024, 4_550_000)],
        columns=["label", "value_year", "value"],
    )
    for lang, million in (("fi", f"11,6{NBSP}milj."), ("sv", f"11,6{NBSP}milj."), ("en", "11.6m")):
        svg, _ = render(trend_lines(data, "label", "value_year", "value", "I", "Y", "N", lang), lang, "d")
        labels = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
        assert [str(y) for y in range(2017, 2025)] == [t for t in labels if re.fullmatch(r"20\d\d", t)]
        assert million in labels and not any(re.fullmatch(r"[\d,.]+M", t) for t in labels)


@pytest.mark.parametrize(
    "value, lang, money, expected",
    [
        (21_900_000, "fi", False, f"21,9{NBSP}milj."),
        (21_900_000, "sv", False, f"21,9{NBSP}milj."),
        (21_900_000, "en", False, "21.9m"),
        (4_924_251, "fi", False, f"4,92{NBSP}milj."),
        (5_000_000, "en", False, "5m"),
        (114_100, "fi", False, f"114{NBSP}100"),
        (13_577_100, "fi", True, f"13,6{NBSP}milj.{NBSP}€"),
        (13_577_100, "en", True, "€13.6m"),
        (650_200, "en", True, "€650,200"),
    ],
)
def test_millions_as_each_language_writes_them(value, lang, money, expected):
    assert fmt_compact(value, lang, money) == expected


@pytest.mark.parametrize("lang", LANGS)
def test_no_machine_words_in_any_block(tables, lang):  # noqa: F811
    """Every block of every chapter, as the reader reads it: no path, id or Python value."""
    ctx = _context(tables, lang)
    blocks = [partial(chapters.goal_intro, goal=g, figures=goals.headlines(ctx, g)) for g in ctx.strategy.goals.ids]
    blocks += [partial(examples.goal_examples, goal=g) for g in ctx.strategy.goals.ids]
    blocks += list(_bar_charts().values())
    blocks += [
        competence.learning_table,
        partial(competence.learning_partners_table, goal="competence"),
        partial(chapters.organisation_table, goal="competence"),
        recognition.media_country_table,
        recognition.events_table,
        recognition.indicator_chart,
        recognition.indicator_table,
        influence.priority_cities_table,
        influence.world_map_chart,
        registers.summary,
        registers.appendix,
        chapters.findings_block,
        chapters.focus_goal_heatmap,
        chapters.organisations_goal_table,
        chapters.organisation_parts,
        chapters.data_quality,
        partial(chapters.method, report_date=pd.Timestamp("2025-12-31").date()),
    ]
    found = [f"{block}: {f}" for block in blocks for f in scan(html_units(block(ctx))[0], lang)]
    assert found == []


@pytest.mark.parametrize("lang", LANGS)
def test_the_scanner_finds_machine_words_and_names_the_sentence(lang):
    report = Report(lang)
    more = report.t("table.more_rows", count="12", file="data/networks.csv")
    units = [
        "Painopistekaupungit on määritelty asetuksissa (params/strategy.yaml).",
        "Tyyppi: eu_project. Toinen lause.",
        "Verkosto: c40, maa FI.",
        "Arvo: None; muutos nan.",
        "Vuonna {year} eniten.",
        more,  # the one sentence that tells the analyst where the rows are
    ]
    found = {(f.kind, f.word): f.sentence for f in scan(units, lang)}
    assert found[("path", "params/strategy.yaml")] == units[0]
    assert found[("snake_case id", "eu_project")] == "Tyyppi: eu_project."
    assert ("code id", "c40") in found and ("code id", "FI") in found
    assert ("Python value", "None") in found and ("Python value", "nan") in found
    assert ("unfilled placeholder", "{year}") in found
    assert not any(word == "data/networks.csv" for _, word in found)
    assert [f.word for f in scan(["Katso data/networks.csv."], lang)] == ["data/networks.csv"]
    english = {f.word for f in scan(["Activities growing competence at scale."], lang)}
    assert english == (set() if lang == "en" else {"competence", "scale"})
