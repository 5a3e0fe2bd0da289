"""The example report as its readers read it, in every language: the HTML's text (its charts'
text and text alternatives too) and the PDF's text hold no file path, id or Python value (the
rules: tests/reader_text.py), and no chart writes a figure in SI's short form (21,9M)."""

from __future__ import annotations

import re

import pytest

from hki_intl.config.params import load_texts
from tests.conftest import YEAR
from tests.reader_text import html_units, pdf_units, scan

pytestmark = pytest.mark.slow
LANGS = ("fi", "sv", "en")


@pytest.mark.parametrize("lang", LANGS)
def test_no_machine_words_in_the_html_or_the_pdf(example, lang):
    root, _ = example
    page = (root / "report" / f"international-activities-{YEAR}-{lang}.html").read_text(encoding="utf-8")
    exempt_caption = load_texts(lang)("quality.problems_caption", year="").rstrip(", ")
    units, exempt = html_units(page, exempt_caption)
    assert len(units) > 500  # the whole report was read
    analyst = root / "inputs" / str(YEAR) / f"analyst-{lang}.md"  # the analyst's own words
    written = analyst.read_text(encoding="utf-8") if analyst.is_file() else ""
    found = [f"html: {f}" for f in scan(units, lang, written)]
    pdf = pdf_units(root / "report" / f"international-activities-{YEAR}-{lang}.pdf", exempt)
    found += [f"pdf: {f}" for f in scan(pdf, lang, written)]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("lang, million", [("fi", "milj."), ("sv", "milj."), ("en", "m")])
def test_charts_write_millions_as_the_language_does_and_years_as_a_time_scale(example, lang, million):
    root, _ = example
    page = (root / "report" / f"international-activities-{YEAR}-{lang}.html").read_text(encoding="utf-8")
    svgs = re.findall(r"<svg .*?</svg>", page, re.S)
    labels = [re.findall(r"<text[^>]*>([^<]*)</text>", svg) for svg in svgs]
    every = [t for chart in labels for t in chart]
    assert not [t for t in every if re.fullmatch(r"−?[\d.,\s]+[kMG]", t)]  # no 21,9M, 4.5M, 500k
    assert any(t.endswith(million) for t in every)
    # The indicators' chart: a tick for every year from the first to the last, missing ones too.
    trend = next(chart for chart in labels if "2017" in chart)
    assert [t for t in trend if re.fullmatch(r"20\d\d", t)] == [str(y) for y in range(2017, YEAR + 1)]
