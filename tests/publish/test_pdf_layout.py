"""Pages that look made by hand, checked on the example report's PDF in every language from the
text's positions (tests/publish/pdf_text.py reads them, layout_checks.py judges them): no
page of only a heading or a caption, no heading without text under it, every table inside the
text block with its header on each page and its total once, at its end, chart and map labels
that neither overlap nor are cut short, no page under a third full but before a chapter.

The last test puts the old print rules back and shows that the checks find the old report's
faults in it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from markupsafe import Markup

from hki_intl import PARAMS_DIR
from hki_intl.config.params import load_texts
from hki_intl.engine.assembly_stages import assemble_file
from hki_intl.publish import assemble
from tests.conftest import YEAR
from tests.publish import layout_checks as checks
from tests.publish.pdf_text import PdfText

pytestmark = pytest.mark.slow
LANGS = ("fi", "sv", "en")


def _report(root: Path, lang: str, fmt: str) -> Path:
    return root / "report" / f"international-activities-{YEAR}-{lang}.{fmt}"


@pytest.fixture(scope="module")
def layouts(example) -> dict[str, checks.Layout]:
    root, _ = example
    return {lang: checks.Layout(PdfText(_report(root, lang, "pdf"))) for lang in LANGS}


def total_rows_in_html(page: str, word: str) -> int:
    """The tables of the page with a total row (its header cell is the word for "total")."""
    return len(re.findall(rf'<tfoot><tr><th scope="row">{re.escape(word)}</th>', page))


@pytest.mark.parametrize("lang", LANGS)
def test_every_table_and_label_stays_inside_the_text_block(layouts, lang):
    assert checks.beyond_text_block(layouts[lang]) == []


@pytest.mark.parametrize("lang", LANGS)
def test_no_page_holds_only_a_heading_or_a_caption(layouts, lang):
    assert checks.lonely_pages(layouts[lang]) == []


@pytest.mark.parametrize("lang", LANGS)
def test_a_heading_has_text_under_it_and_a_caption_its_table_or_chart(layouts, lang):
    assert checks.stranded_headings(layouts[lang]) == []


@pytest.mark.parametrize("lang", LANGS)
def test_no_page_is_under_a_third_full_but_before_a_chapter(layouts, lang):
    layout = layouts[lang]
    assert checks.underfilled_pages(layout) == []
    chapters = [page + 1 for page in layout.pages if layout.starts_chapter(page)]
    assert len(chapters) >= 6  # the summary, each goal and the appendices start their pages


@pytest.mark.parametrize("lang", LANGS)
def test_a_total_is_printed_once_at_the_end_of_its_table(example, layouts, lang):
    root, _ = example
    word = load_texts(lang)("common.total")
    tables = total_rows_in_html(_report(root, lang, "html").read_text(encoding="utf-8"), word)
    count, faults = checks.total_rows(layouts[lang], word)
    assert tables >= 5 and faults == []
    assert count == tables  # a footer repeated on every page of a long table would count more


@pytest.mark.parametrize("lang", LANGS)
def test_a_table_continued_on_a_page_starts_it_with_its_header(layouts, lang):
    layout = layouts[lang]
    continued = checks.continued_tables(layout)
    assert continued, "the example has tables longer than a page"
    assert checks.headerless_continuations(layout) == []


@pytest.mark.parametrize("lang", LANGS)
def test_chart_and_map_labels_neither_overlap_nor_are_cut_short(layouts, lang):
    layout = layouts[lang]
    assert checks.overlapping_chart_text(layout) == []
    cities = {s.text for s in checks.chart_labels(s for s in layout.pdf.spans if s.has("Figure"))}
    assert {"Tallinna", "Tallinn"} & cities and {"New York"} <= cities  # the map's city names are there


# The print rules before the pages were laid out by hand (put back over today's): tables kept
# whole, so a long one left its caption alone on a page; the total in a footer group, which
# WeasyPrint repeats on every page; the text's size and padding in every table, too wide for the
# network register; a heading's introduction free to end a page.
OLD_RULES = """
table { break-inside: avoid; font-size: .95rem; }
th, td, thead th { padding: .35rem .5rem; hyphens: manual; }
tr > :first-child:nth-last-child(n+6), tr > :first-child:nth-last-child(n+6) ~ * { font-size: .95rem; padding: .35rem .5rem; }
tfoot { display: table-footer-group; }
h1 + p, h2 + p, h3 + p, h4 + p { break-after: auto; }
"""


def test_the_checks_find_the_faults_of_the_old_print_rules(example, tmp_path, monkeypatch):
    root, _ = example
    shutil.copytree(root / "report" / "notebooks", tmp_path / "notebooks")
    inline = assemble.inline
    old_rules = lambda name: Markup(str(inline(name)) + OLD_RULES) if name == "pdf.css" else inline(name)
    monkeypatch.setitem(assemble.ENVIRONMENT.globals, "inline", old_rules)
    path = Path(assemble_file(str(tmp_path), YEAR, "fi", "pdf", f"{YEAR}-12-31", str(PARAMS_DIR)))
    layout = checks.Layout(PdfText(path))
    assert checks.beyond_text_block(layout), "the network table ran past the right margin"
    assert checks.lonely_pages(layout), "a long table's caption stood alone on a page"
    assert checks.stranded_headings(layout), "a heading ended a page with one line under it"
    count, _ = checks.total_rows(layout, "Yhteensä")
    assert count > total_rows_in_html(_report(root, "fi", "html").read_text(encoding="utf-8"), "Yhteensä"), (
        "the total was repeated on every page of a long table"
    )
