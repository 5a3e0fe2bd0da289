"""Publishing: the HTML in headless Chromium with the network blocked (charts, tooltips,
axe-core), the PDF's pages, outline, metadata and text, the three languages, determinism and
escaping of whatever a workbook contains."""

from __future__ import annotations

import html
import itertools
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from hki_intl.config.params import load_strategy, load_texts
from tests.conftest import YEAR, run_cli

pytestmark = pytest.mark.slow
BROWSER_DIR = Path(__file__).parent.parent / "browser"
LANGS = ("fi", "sv", "en")
INJECTION = '<script>window.__injected = true</script><img src="x" data-injected onerror="window.__injected=true">'
# More ways out of a text node or an attribute, for the cells a report table shows as they are.
INJECTIONS = {
    ("Kumppanuudet", "A2"): '"><svg data-injected onload="window.__injected=true"></svg><!--',
    ("Kumppanuudet", "A3"): '</td></tr></table><iframe data-injected srcdoc="<script>parent.__injected=1</script>">',
}


def _browser_available() -> bool:
    return (
        shutil.which("node") is not None
        and Path(os.environ.get("CHROMIUM", "/usr/bin/chromium")).exists()
        and (BROWSER_DIR / "node_modules" / "playwright-core").is_dir()
    )


def check_in_browser(report: Path) -> dict:
    if not _browser_available():
        if os.environ.get("CI"):
            pytest.fail("CI must provide node, /usr/bin/chromium and tests/browser/node_modules (see .ci/run)")
        pytest.skip("needs node, chromium and `npm ci` in tests/browser (make browser-deps)")
    done = subprocess.run(
        ["node", str(BROWSER_DIR / "check_report.mjs"), str(report)], capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("lang", LANGS)
def test_the_html_works_offline_and_passes_axe(example, lang):
    root, _ = example
    result = check_in_browser(root / "report" / f"international-activities-{YEAR}-{lang}.html")
    assert result["requests"] == []  # nothing left the page
    assert result["consoleErrors"] == [] and result["pageErrors"] == []
    assert result["lang"] == lang
    assert len(result["figures"]) >= 10
    for figure in result["figures"]:
        assert figure == {**figure, "interactive": "true", "liveSvg": True, "staticSvg": True, "dataTable": True}
    assert result["tooltip"], "hovering a bar shows a tooltip"
    assert result["violations"] == []
    levels = result["headings"]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in itertools.pairwise(levels))


@pytest.mark.parametrize("lang", LANGS)
def test_the_pdf_has_pages_outline_metadata_and_text(example, lang):
    root, report = example
    reader = PdfReader(root / "report" / f"international-activities-{YEAR}-{lang}.pdf")
    texts = load_texts(lang)
    strategy = load_strategy()
    title = texts("report.title", year=YEAR)
    assert 15 <= len(reader.pages) <= 80
    assert reader.metadata.title == title
    assert str(reader.trailer["/Root"]["/Lang"]) == lang
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged
    assert reader.pdf_header == "%PDF-1.7"
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    for goal in strategy.goals.ids:
        assert strategy.goals.label(goal, lang) in outline
    assert texts("summary.heading") in outline and texts("method.heading") in outline
    pages = [page.extract_text() for page in reader.pages]
    assert title in " ".join(pages[0].split())
    assert texts("summary.heading") in pages[1]  # the message right after the cover
    contents = next(i for i, text in enumerate(pages) if texts("report.contents") in text)
    chapter = next(i for i, text in enumerate(pages) if strategy.goals.label(strategy.goals.ids[0], lang) in text and i > 1)
    assert 1 < contents <= chapter  # the contents follow the summary, before the chapters
    lines = pages[contents].split(texts("report.contents"), 1)[1].strip().splitlines()
    assert re.search(r"\.\s*\d+\s*$", lines[0])  # an entry with its page number
    third = reader.pages[2].extract_text()
    assert f"3 / {len(reader.pages)}" in third  # running footer with page numbers
    every = " ".join(page.extract_text() for page in reader.pages)
    cards = re.findall(
        r'data-metric="[a-z_]+"><span class="value"[^>]*>([^<]*)</span>',
        report
        if lang == "fi"
        else (root / "report" / f"international-activities-{YEAR}-{lang}.html").read_text(encoding="utf-8"),
    )
    for value in cards[:5]:
        assert html.unescape(value).replace("\u00a0", " ") in every.replace("\u00a0", " ")


@pytest.mark.parametrize("lang", LANGS)
def test_the_executive_summary_is_one_page_with_the_decisions_and_the_contents_follow(example, lang):
    """Page 2 holds the whole summary — the goals, the changes, the decisions asked of leadership
    and every one of its boxes — and page 3 opens with its featured highlights (on page 2 they
    would not fit), then the contents."""
    root, _ = example
    reader = PdfReader(root / "report" / f"international-activities-{YEAR}-{lang}.pdf")
    texts = load_texts(lang)
    page = (root / "report" / f"international-activities-{YEAR}-{lang}.html").read_text(encoding="utf-8")
    summary = page[page.index('<div class="summary">') : page.index('id="contents"')]
    boxes = [html.unescape(label) for label in re.findall(r'<span class="label">([^<]*)</span>', summary)]
    decisions = [html.unescape(re.sub(r"<[^>]+>", "", item)) for item in re.findall(r'<li><a href="#finding-.*?</li>', summary)]
    assert len(boxes) >= 9 and decisions
    second = " ".join(reader.pages[1].extract_text().split())
    for words in [texts("summary.heading"), texts("summary.decisions"), *decisions, *boxes]:
        assert " ".join(words.split()) in second, words
    third = reader.pages[2].extract_text().lstrip()  # the summary's featured highlights, then the contents
    assert third.startswith(texts("highlights.featured_heading", year=YEAR).split()[0]) and texts("report.contents") in third


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_every_chart_is_a_valid_vega_lite_spec(example, lang):
    """The run renders the charts without checking their specs (render: validate=False); here
    each one of the report is checked against Vega-Lite's schema."""
    from altair.utils.schemapi import validate_jsonschema
    from altair.vegalite.v6.schema.core import load_schema

    page = (example[0] / "report" / f"international-activities-{YEAR}-{lang}.html").read_text(encoding="utf-8")
    specs = re.findall(r'<script (?=[^>]*class="chart-spec")[^>]*>(.*?)</script>', page, re.S)
    assert len(specs) == page.count('<div class="chart-live"')  # every chart of the page
    assert len(specs) >= 10
    for spec in specs:
        validate_jsonschema(json.loads(spec), load_schema())


def _cards(path: Path) -> dict[str, str]:
    page = path.read_text(encoding="utf-8")
    return dict(re.findall(r'data-metric="([a-z_]+)"><span class="value"[^>]*>([^<]*)</span>', page))


def test_the_languages_differ_in_words_and_agree_in_figures(example):
    root, _ = example
    pages = {lang: root / "report" / f"international-activities-{YEAR}-{lang}.html" for lang in LANGS}
    cards = {lang: _cards(path) for lang, path in pages.items()}
    digits = {lang: {k: re.sub(r"\D", "", v) for k, v in c.items()} for lang, c in cards.items()}
    assert digits["fi"] == digits["sv"] == digits["en"] and len(digits["fi"]) >= 12
    assert cards["fi"]["external_funding_eur"].endswith("milj.\u00a0€")
    assert cards["en"]["external_funding_eur"].startswith("€") and "million" in cards["en"]["external_funding_eur"]
    heads = {
        lang: re.findall(r"<h1 id=\"[^\"]+\">([^<]+)</h1>", path.read_text(encoding="utf-8")) for lang, path in pages.items()
    }
    assert heads["fi"] != heads["sv"] != heads["en"] and len(heads["fi"]) == len(heads["en"])


@pytest.fixture(scope="module")
def hostile_runs(example, tmp_path_factory):
    """Two runs on inputs whose text cells carry HTML and script."""
    root, _ = example
    base = tmp_path_factory.mktemp("hostile")
    inputs = base / "inputs"
    shutil.copytree(root / "inputs", inputs)
    path = inputs / str(YEAR) / "cityexec_international.xlsx"
    wb = openpyxl.load_workbook(path)
    wb["Toiminnot"]["A2"] = INJECTION
    wb["Verkostot"]["C2"] = INJECTION
    wb["Vierailut"]["H2"] = INJECTION
    for (sheet, cell), text in INJECTIONS.items():
        wb[sheet][cell] = text
    wb.save(path)
    outs = []
    for name in ("first", "second"):
        done = run_cli("run", "--year", str(YEAR), "--inputs", str(inputs), "--out", str(base / name), "--quiet")
        assert done.returncode == 0, done.stderr
        outs.append(base / name)
    return outs


def test_two_runs_give_byte_identical_reports(hostile_runs):
    first, second = hostile_runs
    for fmt in ("html", "pdf"):
        name = f"international-activities-{YEAR}-fi.{fmt}"
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_text_from_workbooks_is_escaped(hostile_runs):
    first, _ = hostile_runs
    report = first / f"international-activities-{YEAR}-fi.html"
    page = report.read_text(encoding="utf-8")
    for text in (INJECTION, *INJECTIONS.values()):
        assert html.escape(text) in page or html.escape(text, quote=False) in page, text
    assert "window.__injected = true</script>" not in page and "<svg data-injected" not in page
    result = check_in_browser(report)
    assert result["injected"] == {"flag": False, "elements": 0}
    assert result["dialogs"] == [] and result["pageErrors"] == []
