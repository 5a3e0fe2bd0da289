"""The report page from its templates: the table of contents after the cover, the head of the
HTML and of the PDF edition, escaping of every text the page itself writes, and the chart
upgrade script as a file."""

from __future__ import annotations

import datetime as dt
import re

import nbformat
import pytest

from hki_intl.publish import assemble
from hki_intl.publish.assemble import TEMPLATES, export_html, split_after_cover
from hki_intl.report.blocks import Report

HOSTILE = 'Helsinki\'s "report" <script>alert(1)</script> & co'


def notebook(*outputs: str) -> nbformat.NotebookNode:
    """A merged notebook: one cell per HTML output, as merge_notebooks makes them."""
    nb = nbformat.v4.new_notebook()
    for index, text in enumerate(outputs):
        cell = nbformat.v4.new_code_cell(source="", outputs=[nbformat.v4.new_output("display_data", data={"text/html": text})])
        cell["id"] = f"cell-{index}"
        nb.cells.append(cell)
    return nb


@pytest.fixture
def no_library(monkeypatch):
    """The page without building the 0.9 MB chart library (that takes seconds)."""
    monkeypatch.setattr(assemble, "chart_library", lambda: "/* the chart library */")


@pytest.fixture(scope="module")
def report():
    return Report("en")


def _cover(report: Report) -> str:
    return f'<header class="cover">{report.heading("Title", 1, anchor="report-title")}{report.paragraph("Sub")}</header>'


def test_the_contents_follow_the_cover_and_list_the_chapters(report, no_library):
    page = export_html(
        notebook(
            _cover(report),
            report.heading(HOSTILE, 1, anchor="one") + report.paragraph("x"),
            report.heading("Two", 1, anchor="two") + report.heading("Part", 2, anchor="part"),
        ),
        "en",
        HOSTILE,
        "Contents",
    )
    cover_end, nav, first = page.index("</header>"), page.index('<nav aria-labelledby="contents"'), page.index('id="one"')
    assert cover_end + len("</header>") == nav < first
    toc = re.search(r"<nav .*?</nav>", page, re.S)[0]
    assert re.findall(r'href="#([^"]+)"', toc) == ["one", "two"]  # chapters (h1), not the title or parts
    assert "Helsinki&#39;s &#34;report&#34; &lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in toc
    assert "<script>alert" not in page


def test_without_a_cover_the_contents_come_first(report, no_library):
    page = export_html(notebook(report.heading("One", 1, anchor="one")), "en", "T", "Contents")
    assert page.index('<main id="main">\n<nav aria-labelledby="contents"') < page.index('id="one"')
    assert split_after_cover("<p>no cover</p>") == ("", "<p>no cover</p>")
    assert split_after_cover("<header>a</header><p>b</p></header>") == ("<header>a</header>", "<p>b</p></header>")


def test_the_html_head_inlines_the_styles_and_the_page_its_scripts(report, no_library):
    page = export_html(notebook(_cover(report)), "sv", HOSTILE, f"{HOSTILE}!")
    assert page.startswith('<!DOCTYPE html>\n<html lang="sv">\n<head>\n<meta charset="utf-8">')
    assert "<title>Helsinki&#39;s &#34;report&#34; &lt;script&gt;alert(1)&lt;/script&gt; &amp; co</title>" in page
    assert f"<style>\n{(TEMPLATES / 'report.css').read_text(encoding='utf-8')}\n</style>\n</head>" in page
    assert "dcterms" not in page and "@page" not in page
    assert '<script type="application/json" id="chart-locale">{"decimal": ",", "thousands": "\u00a0"' in page
    assert page.endswith("<script>\n/* the chart library */\n</script>\n</body>\n</html>")
    assert 'id="contents">Helsinki&#39;s &#34;report&#34; &lt;script&gt;alert(1)&lt;/script&gt; &amp; co!</h2>' in page


def test_the_pdf_page_has_the_pdf_head_and_no_scripts(report):
    figure = '<figure class="chart"><div class="chart-live" hidden></div><script type="application/json">{}</script></figure>'
    page = export_html(
        notebook(_cover(report), figure), "fi", "T", "Sisällys", interactive=False, report_date=dt.date(2025, 12, 31)
    )
    head = page[: page.index("</head>") + len("</head>")]
    report_css, pdf_css = ((TEMPLATES / name).read_text(encoding="utf-8") for name in ("report.css", "pdf.css"))
    assert head.endswith(
        f'{report_css}\n</style>\n<meta name="dcterms.created" content="2025-12-31T00:00:00Z">'
        f'<meta name="dcterms.modified" content="2025-12-31T00:00:00Z"><style>{pdf_css}</style></head>'
    )
    assert "<script" not in page and '<div class="chart-live"' not in page
    assert page.count('<nav aria-labelledby="contents"') == 1


def test_the_pdf_page_needs_the_report_date(report):
    with pytest.raises(TypeError, match="report_date"):
        export_html(notebook(_cover(report)), "fi", "T", "Sisällys", interactive=False)


def test_the_chart_upgrade_script_is_a_file_the_library_is_built_from(monkeypatch, tmp_path):
    upgrade = (TEMPLATES / "upgrade-charts.js").read_text(encoding="utf-8")
    assert "vegaEmbed(live" in upgrade and 'figure.dataset.interactive = "true"' in upgrade
    built = []
    monkeypatch.setattr(assemble, "CACHE_DIR", tmp_path)
    monkeypatch.setattr(assemble.vl_convert, "javascript_bundle", lambda snippet: built.append(snippet) or "lib;")
    assert assemble.chart_library() == "lib;" and built == [upgrade]
    assert assemble.chart_library() == "lib;" and len(built) == 1  # cached by vl-convert version and script
    monkeypatch.setattr(assemble.vl_convert, "javascript_bundle", lambda snippet: "x('</script>')")
    monkeypatch.setattr(assemble, "UPGRADE_CHARTS", tmp_path / "other.js")
    (tmp_path / "other.js").write_text("// another script\n", encoding="utf-8")
    with pytest.raises(assemble.AssemblyError, match="</script"):
        assemble.chart_library()
