"""The HTML blocks: Jinja2 macros with autoescape on. Hostile text from a workbook stays text in
every block, markup is kept only where a block asks for it (Markup), and the blocks render
byte for byte what the f-string code they replaced rendered (a frozen copy of it is below)."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import altair as alt
import jinja2
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from hki_intl.report import blocks
from hki_intl.report.analysis import Headline
from hki_intl.report.blocks import Report, TableColumn, escape, slug
from hki_intl.report.formatting import change

HOSTILE = [
    "<script>window.__injected = true</script>",
    '"><svg onload="alert(1)"></svg><!--',
    '</td></tr></table><iframe srcdoc="<script>parent.x=1</script>">',
    'Helsinki\'s "best" & <worst> &amp; &#x27; &lt;',
    "emoji 🏙️🇫🇮 and ZWJ 👩‍💻",
    "RTL: مرحبا بالعالم \u202eevil\u202c עברית",
    "{{ 7 * 7 }} {% raw %} ${x} `tick`",
    "line\nbreak\ttab\r\n  spaces  ",
    "",
    " ",
    "\x00\x0b\x1f",
]
TEXT = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40), st.text(alphabet="<>&\"'= /;#x27", max_size=20))


# --- the f-string blocks as they were before the templates (frozen; html.escape throughout) -------


class FStringReport(Report):
    """The blocks exactly as ``hki_intl/report/blocks.py`` wrote them with f-strings."""

    def heading(self, text, level=2, anchor=None):
        anchor = anchor or slug(text)
        return f'<h{level} id="{html.escape(anchor)}">{html.escape(text)}</h{level}>'

    def paragraph(self, text):
        return f"<p>{html.escape(text)}</p>"

    def bullets(self, items):
        return "<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>"

    def headline_cards(self, headlines, year, previous_year):
        cards = []
        for h in headlines:
            rel = change(h.value, h.previous)
            delta = ""
            if previous_year is not None and rel is not None:
                text = self.t("card.change", change=self.percent(rel, signed=True), previous_year=previous_year)
                delta = f'<span class="delta">{html.escape(text)}</span>'
            # since the figure catalogue: the value is marked with its figure and year, the label is the catalogue's
            cards.append(
                f'<div class="card" data-metric="{html.escape(h.id)}"><span class="value" data-figure="{html.escape(h.id)}" '
                f'data-year="{year}" data-category="">{html.escape(self.value(h))}</span>'
                f'<span class="label">{html.escape(self.figure_label(h.id, h.goal))}</span>{delta}</div>'
            )
        return f'<div class="cards">{"".join(cards)}</div>'

    def table(self, frame, columns, caption, total=None, takeaway=""):
        num = ' class="num"'
        head = "".join(f'<th scope="col"{num if c.numeric else ""}>{html.escape(c.header)}</th>' for c in columns)
        body = []
        for _, row in frame.iterrows():
            cells = []
            for i, c in enumerate(columns):
                text = html.escape(c.format(row[c.key]))
                tag, scope = ("th", ' scope="row"') if i == 0 else ("td", "")
                cells.append(f"<{tag}{scope}{num if c.numeric else ''}>{text}</{tag}>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        foot = ""
        if total is not None:
            cells = [f'<th scope="row">{html.escape(total)}</th>'] + [
                (f"<td{num}>{html.escape(c.format(frame[c.key].sum()))}</td>" if c.numeric else "<td></td>") for c in columns[1:]
            ]
            foot = "<tfoot><tr>" + "".join(cells) + "</tr></tfoot>"
        if takeaway:
            caption = f"<strong>{html.escape(caption)}</strong> {html.escape(takeaway)}"
        else:
            caption = html.escape(caption)
        return f"<table><caption>{caption}</caption><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody>{foot}</table>"

    def chart(self, chart, title, takeaway, description, data_table=""):
        svg, spec = blocks.render(chart, self.lang, description)
        svg = re.sub(r"^<svg ", f'<svg role="img" aria-label="{html.escape(description)}" ', svg, count=1)
        details = (
            (f'<details class="chart-data"><summary>{html.escape(self.t("chart.show_data"))}</summary>{data_table}</details>')
            if data_table
            else ""
        )
        return (
            f'<figure class="chart"><figcaption><strong>{html.escape(title)}</strong> '
            f'{html.escape(takeaway)}</figcaption><div class="chart-static">{svg}</div>'
            f'<div class="chart-live" hidden></div>'
            f'<script type="application/json" class="chart-spec">{spec}</script>{details}</figure>'
        )


class HostileTexts:
    """Stands in for the words of params/texts.yaml: every word is hostile text."""

    def __init__(self, word: str):
        self.word = word

    def __call__(self, key: str, **values: object) -> str:
        return f"{self.word}|{key}|" + "|".join(f"{k}={v}" for k, v in sorted(values.items()))


@pytest.fixture(scope="module")
def pair():
    """Both implementations in English (apostrophes in the words), built once."""
    return Report("en"), FStringReport("en")


def _both(pair, method: str, *args, **kwargs) -> tuple[str, str]:
    new, old = pair
    return getattr(new, method)(*args, **kwargs), getattr(old, method)(*args, **kwargs)


# --- the templates render what the f-strings rendered ------------------------------------------------


@given(text=TEXT, level=st.integers(1, 6), anchor=st.one_of(st.none(), TEXT))
@settings(max_examples=300, deadline=None)
@example(text='Helsinki\'s "goal"', level=1, anchor="report-title")
def test_heading_paragraph_and_bullets_are_byte_identical(pair, text, level, anchor):
    new, old = _both(pair, "heading", text, level, anchor=anchor)
    assert new == old and type(new) is str
    assert _both(pair, "paragraph", text)[0] == _both(pair, "paragraph", text)[1]
    items = [text, *HOSTILE[:3], text[::-1]]
    new, old = _both(pair, "bullets", items)
    assert new == old
    assert _both(pair, "bullets", [])[0] == "<ul></ul>" == _both(pair, "bullets", [])[1]


@given(
    word=TEXT,
    values=st.lists(
        st.tuples(st.floats(0, 1e9, allow_nan=False), st.one_of(st.none(), st.just(0.0), st.floats(0, 1e9, allow_nan=False))),
        min_size=0,
        max_size=4,
    ),
    previous_year=st.one_of(st.none(), st.just(2024)),
)
@settings(max_examples=150, deadline=None)
def test_headline_cards_are_byte_identical(pair, word, values, previous_year):
    ids = ["competence_activities", "external_funding_eur", "media_items", "network_memberships"]
    headlines = [
        Headline(ids[i], "competence", "eur" if i == 1 else "count", value, previous)
        for i, (value, previous) in enumerate(values)
    ]
    new, old = _both(pair, "headline_cards", headlines, 2025, previous_year)
    assert new == old
    hostile = [Report("en"), FStringReport("en")]
    for report in hostile:
        report.t = HostileTexts(word)
    assert hostile[0].headline_cards(headlines, 2025, previous_year) == hostile[1].headline_cards(headlines, 2025, previous_year)


@given(
    cells=st.lists(st.tuples(TEXT, st.integers(-(10**9), 10**9), TEXT), min_size=0, max_size=5),
    headers=st.tuples(TEXT, TEXT, TEXT),
    caption=TEXT,
    takeaway=TEXT,
    total=st.one_of(st.none(), TEXT),
    first_numeric=st.booleans(),
)
@settings(max_examples=300, deadline=None)
@example(cells=[("a", 1, "b")], headers=("x", "y", "z"), caption="c", takeaway="", total=None, first_numeric=False)
def test_tables_are_byte_identical(pair, cells, headers, caption, takeaway, total, first_numeric):
    frame = pd.DataFrame(cells, columns=["name", "count", "note"])
    columns = [
        TableColumn("name", headers[0], numeric=first_numeric),
        TableColumn("count", headers[1], lambda v: f"{v:,}", numeric=True),
        TableColumn("note", headers[2], lambda v: f"<{v}>"),
    ]
    new, old = _both(pair, "table", frame, columns, caption, total=total, takeaway=takeaway)
    assert new == old and type(new) is str


@given(
    title=TEXT,
    takeaway=TEXT,
    description=TEXT.filter(lambda text: "\\" not in text),
    svg=st.sampled_from(
        ['<svg xmlns="http://www.w3.org/2000/svg" width="10"><text>a &amp; b</text></svg>', "<p>not an svg</p>", "<svg", ""]
    ),
    with_table=st.booleans(),
)
@settings(max_examples=150, deadline=None)
def test_charts_are_byte_identical(pair, title, takeaway, description, svg, with_table):
    spec = '{"description":"\\u003cscript\\u003e"}'
    table = pair[0].table(pd.DataFrame({"a": [title]}), [TableColumn("a", "A")], "caption") if with_table else ""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(blocks, "render", lambda chart, lang, description: (svg, spec))
        new, old = _both(pair, "chart", None, title, takeaway, description, table)
    assert new == old


def test_a_backslash_in_a_chart_description_is_text(monkeypatch):
    """The one difference from the f-string code, where re.sub read the description as a
    replacement template: ``\\1`` raised an error and ``\\n`` became a line break."""
    monkeypatch.setattr(blocks, "render", lambda chart, lang, description: ('<svg width="1"></svg>', "{}"))
    for description in ("C:\\1", "\\g<0>", "a\\nb", "\\\\"):
        figure = Report("en").chart(None, "t", "k", description)
        assert f'<svg role="img" aria-label="{escape(description)}" width="1">' in figure


def test_a_real_chart_is_byte_identical(pair):
    data = pd.DataFrame({"year": [2024, 2025], "label": ["<b>Tallinna</b>", "Tukholma's"], "value": [3, 4]})
    chart = alt.Chart(data).mark_bar().encode(x="value:Q", y="label:N")
    table = pair[0].table(data, [TableColumn("label", "City"), TableColumn("value", "N", str, numeric=True)], "Cities")
    new, old = _both(pair, "chart", chart, "Title's", 'takeaway "quoted"', "<desc> & 'x'", table)
    assert new == old
    assert new.count("<svg ") >= 1 and 'role="img" aria-label="&lt;desc&gt; &amp; &#x27;x&#x27;"' in new


# --- hostile text stays text ----------------------------------------------------------------------


class Elements(HTMLParser):
    """The start tags, attribute values and text of an HTML fragment."""

    def __init__(self, fragment: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[str] = []
        self.text: list[str] = []
        self.feed(fragment)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend(value or "" for _, value in attrs)

    def handle_data(self, data):
        self.text.append(data)


@pytest.mark.parametrize("text", HOSTILE)
def test_the_blocks_escape_hostile_text_by_default(text):
    report = Report("fi")
    report.t = HostileTexts(text)
    frame = pd.DataFrame({"name": [text], "count": [1]})
    columns = [TableColumn("name", text), TableColumn("count", text, numeric=True)]
    table = report.table(frame, columns, text, total=text, takeaway=text)
    cards = report.headline_cards([Headline("media_items", "recognition", "count", 3, 2)], 2025, 2024)
    parts = {
        "heading": (report.heading(text, 2, anchor=text), ["h2"]),
        "paragraph": (report.paragraph(text), ["p"]),
        "bullets": (report.bullets([text, text]), ["ul", "li", "li"]),
        "cards": (cards, ["div", "div", "span", "span", "span"]),
        "table": (
            table,
            [
                "table",
                "caption",
                *(["strong"] if text else []),
                "thead",
                "tr",
                "th",
                "th",
                "tbody",
                "tr",
                "th",
                "td",
                "tfoot",
                "tr",
                "th",
                "td",
            ],
        ),
    }
    for name, (fragment, tags) in parts.items():
        parsed = Elements(fragment)
        assert parsed.tags == tags, name  # no element came from the text
        assert "<script" not in fragment and "<svg" not in fragment and "<iframe" not in fragment, name
        assert text in "".join(parsed.text), name  # shown as it was typed
    assert Elements(report.heading("x", 2, anchor=text)).attributes == [text or "x"]  # one attribute, as it was


@pytest.mark.parametrize("text", HOSTILE)
def test_only_markup_passed_as_markup_is_kept(text, monkeypatch):
    report = Report("en")
    monkeypatch.setattr(blocks, "render", lambda chart, lang, description: ('<svg width="1"></svg>', "{}"))
    # the data table is a rendered block: kept as markup; every other argument is text
    table = report.table(pd.DataFrame({"a": [1]}), [TableColumn("a", "A")], "C")
    figure = report.chart(None, text, text, text, table)
    parsed = Elements(figure)
    assert parsed.tags == [
        "figure",
        "figcaption",
        "strong",
        "div",
        "svg",
        "div",
        "script",
        "details",
        "summary",
        "table",
        "caption",
        "thead",
        "tr",
        "th",
        "tbody",
        "tr",
        "th",
    ]
    assert table in figure


def test_escape_writes_the_entities_html_escape_writes():
    hostile = "".join(HOSTILE)
    assert escape(hostile) == html.escape(hostile) and isinstance(escape(hostile), Markup)
    assert escape('it\'s "x"') == "it&#x27;s &quot;x&quot;"  # not MarkupSafe's &#39; and &#34;
    assert escape(Markup("<b>kept</b>")) == "<b>kept</b>"
    assert escape(12) == "12"


def test_the_templates_escape_whatever_they_are_given():
    """Every ``{{ }}`` of the block templates escapes: a value that is not Markup never becomes markup."""
    assert (
        blocks._render("heading", text="<i>x</i>", level=2, anchor='"><a>')
        == '<h2 id="&quot;&gt;&lt;a&gt;">&lt;i&gt;x&lt;/i&gt;</h2>'
    )
    assert blocks._render("paragraph", text="<i>x</i>") == "<p>&lt;i&gt;x&lt;/i&gt;</p>"
    assert blocks._render("paragraph", text=Markup("<i>x</i>")) == "<p><i>x</i></p>"  # markup only when asked for
    assert blocks._render("bullets", items=["<li>"]) == "<ul><li>&lt;li&gt;</li></ul>"
    with pytest.raises(jinja2.UndefinedError, match="not provided"):
        blocks._render("paragraph")  # a missing value is an error, never an empty string


def test_a_layered_chart_speaks_only_through_its_own_text_alternative():
    """Vega's generated ARIA is English and names fields; a layered chart's marks kept a
    graphics-symbol role with no text, which axe-core reports. Only the figure's own
    description (in the report's language) reaches assistive technology."""
    data = pd.DataFrame({"label": ["Tallinna", "Tukholma"], "value": [3, 4]})
    base = alt.Chart(data).encode(x="value:Q", y="label:N")
    figure = Report("fi").chart(base.mark_bar() + base.mark_text(dx=4), "Otsikko", "Tiivistys", "Kuvaus")
    svg = figure[figure.index("<svg ") : figure.index("</svg>")]
    assert 'role="img" aria-label="Kuvaus"' in svg
    assert 'role="graphics-symbol"' not in svg and "X-axis" not in svg and "aria-label" not in svg.split(">", 1)[1]
