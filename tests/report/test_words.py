"""The analyst's words rendered: safe Markdown, headings that fit the outline, the data-quality note."""

from __future__ import annotations

import pytest

from hki_intl.report.words import commentary, foreword, quality_note, render_markdown


def test_a_script_tag_renders_as_text():
    html = render_markdown("Hello <script>alert('x')</script>\n\n<script>\nalert(1)\n</script>")
    assert "<script" not in html
    assert "&lt;script&gt;" in html


def test_an_onerror_attribute_renders_as_text():
    html = render_markdown('<img src="x" onerror="alert(1)"> and ![alt text](https://example.org/p.png)')
    assert "<img" not in html
    assert "&lt;img" in html and "alt text" in html  # an image is not fetched: its alternative text stands in


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "file:///etc/passwd", "vbscript:x"]
)
def test_a_link_that_is_not_http_https_or_mailto_is_only_its_text(url):
    html = render_markdown(f"[click]({url})")
    assert "<a" not in html and "click" in html


def test_http_https_and_mailto_links_are_kept():
    html = render_markdown("[a](https://www.hel.fi) [b](http://example.org) [c](mailto:kv@hel.fi) <https://x.fi>")
    assert '<a href="https://www.hel.fi">a</a>' in html
    assert '<a href="http://example.org">b</a>' in html
    assert '<a href="mailto:kv@hel.fi">c</a>' in html
    assert '<a href="https://x.fi">' in html


def test_headings_are_demoted_below_the_parts_heading():
    assert "<h2>Sub</h2>" in render_markdown("### Sub", 1)
    assert "<h3>Sub</h3>" in render_markdown("### Sub", 2)
    assert "<h4>Sub</h4>" in render_markdown("#### Sub", 2)
    assert "<h6>" in render_markdown("###### Deep", 2)


class FakeContext:
    def __init__(self, lang):
        from hki_intl.report.blocks import Report

        self.lang, self.year = lang, 2025
        self.report = Report(lang)
        self.t = self.report.t
        self.strategy = self.report.strategy


@pytest.mark.parametrize(
    ("lang", "missing", "parts"),
    [
        (
            "fi",
            "Analyytikon tekstejä suomeksi ei annettu",
            "Analyytikon teksteistä puuttuvat: esipuhe; tavoitteen kommentti "
            "(Helsingin vaikuttavuuden ja merkityksen kasvattaminen).",
        ),
        (
            "sv",
            "Analytikerns texter på svenska gavs inte",
            "Av analytikerns texter saknas: förord; kommentar till målet (Ökad påverkan och betydelse för Helsingfors).",
        ),
        (
            "en",
            "The analyst's texts in English were not given",
            "Not written by the analyst for this report: the foreword; "
            "the commentary on a goal (Increasing Helsinki's influence and significance).",
        ),
    ],
)
def test_data_quality_says_what_the_analyst_did_not_give(lang, missing, parts):
    import html

    ctx = FakeContext(lang)
    note = html.unescape(quality_note(ctx, {lang: "missing"}))
    assert missing in note
    assert html.unescape(quality_note(ctx, {lang: ["competence", "outlook", "recognition"]})).endswith(f"<p>{parts}</p>")
    assert "had errors" in quality_note(FakeContext("en"), {"en": "rejected"}).replace("&#x27;", "'")
    assert quality_note(ctx, {lang: ["competence", "foreword", "influence", "outlook", "recognition"]}) == ""


def test_a_part_not_written_in_the_language_shows_nothing():
    ctx = FakeContext("sv")
    assert foreword(ctx, {"fi": "Hei", "sv": None, "en": "Hi"}) == ""
    assert commentary(ctx, "competence", {"sv": None}) == ""
    shown = commentary(ctx, "competence", {"sv": "Bra <b>år</b>"})
    assert 'id="competence-commentary"' in shown and "&lt;b&gt;år&lt;/b&gt;" in shown
