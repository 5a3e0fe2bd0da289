"""Assemble the executed notebooks into the report: one self-contained HTML page per language,
and the same page without scripts, with the PDF's head, for the PDF.

The notebooks render every block in every report language, each output tagged with its
language (:data:`hki_intl.report.blocks.LANG_METADATA`); the assembly keeps one language, drops
code, prompts and anything that is not the HTML a notebook displayed, and lets nbconvert turn
the result into HTML. Cells tagged ``appendix`` (organisations, data quality, method) go after
the goal chapters. The page, its head (HTML and PDF), the table of contents, the styles and the
chart upgrade script are files in ``templates/``; the page inlines its stylesheet and, once for
the whole report, the chart library that upgrades each static SVG chart to an interactive one:
nothing is fetched when the report is read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
from importlib.metadata import version
from pathlib import Path
from typing import Any

import jinja2
import nbformat
import vl_convert
from markupsafe import Markup
from nbconvert import HTMLExporter

from hki_intl import PROJECT_ROOT
from hki_intl.config.params import LOCALES
from hki_intl.errors import PipelineError
from hki_intl.messages import Message
from hki_intl.report.blocks import CONTENTS_HERE, LANG_METADATA

TEMPLATES = Path(__file__).parent / "templates"
CACHE_DIR = PROJECT_ROOT / ".cache"
KEPT_MIME = "text/html"
HEADING = re.compile(r'<h([12]) id="([^"]+)">(.*?)</h\1>', re.S)
SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S)
COVER_END = "</header>"
UPGRADE_CHARTS = TEMPLATES / "upgrade-charts.js"


class AssemblyError(PipelineError):
    exit_code = 3


def merge_notebooks(summary: Path, chapters: list[Path], lang: str) -> nbformat.NotebookNode:
    """One notebook in ``lang``: the summary's cells, each chapter, then the summary's appendix."""
    first, last = summary_parts(summary, lang)
    merged = nbformat.v4.new_notebook(metadata=first.metadata)
    merged.cells = [*first.cells, *chapters_part(chapters, lang).cells, *last.cells]
    if not merged.cells:
        raise AssemblyError(Message("assembly.no_output", lang=lang))
    return merged


def merged_body(summary: Path, chapters: list[Path], lang: str, chapters_html: str | None = None) -> str:
    """``notebook_body(merge_notebooks(summary, chapters, lang))``, made part by part (nbconvert
    turns each cell into HTML on its own, so the parts' bodies one after another are the whole's;
    tests/publish/test_assemble.py checks it on the example): ``chapters_html`` is the
    chapters' body (:func:`chapters_body`) if it was made already."""
    first, last = summary_parts(summary, lang)
    if chapters_html is None:
        chapters_html = chapters_body(chapters, lang)
    if not (first.cells or chapters_html or last.cells):
        raise AssemblyError(Message("assembly.no_output", lang=lang))
    return notebook_body(first) + chapters_html + notebook_body(last)


def chapters_body(chapters: list[Path], lang: str) -> str:
    """The goal chapters' part of the body: it needs no summary, so the run makes it while the
    summary notebook runs."""
    return notebook_body(chapters_part(chapters, lang))


def summary_parts(summary: Path, lang: str) -> tuple[nbformat.NotebookNode, nbformat.NotebookNode]:
    """The summary's cells in ``lang`` before the chapters, and its appendix (cells tagged
    ``appendix``: organisations, data quality, method), which goes after them."""
    book = nbformat.read(summary, as_version=4)
    is_appendix = lambda cell: "appendix" in cell.metadata.get("tags", [])
    cells = list(enumerate(book.cells))
    return (
        _part(book.metadata, summary.stem, [(i, c) for i, c in cells if not is_appendix(c)], lang),
        _part(book.metadata, summary.stem, [(i, c) for i, c in cells if is_appendix(c)], lang),
    )


def chapters_part(chapters: list[Path], lang: str) -> nbformat.NotebookNode:
    """The goal chapters' cells in ``lang``, one notebook after another."""
    part = nbformat.v4.new_notebook()
    for path in chapters:
        book = nbformat.read(path, as_version=4)
        part.cells.extend(_part(book.metadata, path.stem, list(enumerate(book.cells)), lang).cells)
    return part


def _part(metadata: dict, source: str, cells: list[tuple[int, Any]], lang: str) -> nbformat.NotebookNode:
    """A notebook of the reader's part (:func:`_reader_cell`) of ``source``'s numbered cells;
    each gets a fresh id, unique in the merged notebook (its notebook and its place there)."""
    part = nbformat.v4.new_notebook(metadata=metadata)
    for index, cell in cells:
        kept = _reader_cell(cell, source, lang)
        if kept is not None:
            kept["id"] = f"{source}-{index}"
            part.cells.append(kept)
    return part


def _reader_cell(cell, source: str, lang: str):
    """The part of a cell a reader sees: its HTML outputs in ``lang``, in a cell without code."""
    if cell.cell_type != "code":
        return None
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            raise AssemblyError(Message("assembly.error_output", notebook=source, error=str(output.get("ename"))))
    outputs = [
        nbformat.v4.new_output("display_data", data={KEPT_MIME: o["data"][KEPT_MIME]})
        for o in cell.get("outputs", [])
        if o.get("output_type") in ("display_data", "execute_result")
        and KEPT_MIME in o.get("data", {})
        and o.get("metadata", {}).get(LANG_METADATA, lang) == lang
    ]
    return nbformat.v4.new_code_cell(source="", outputs=outputs) if outputs else None


def export_html(
    notebook: nbformat.NotebookNode,
    lang: str,
    title: str,
    contents_label: str,
    interactive: bool = True,
    report_date: dt.date | None = None,
) -> str:
    """The merged notebook as a complete, self-contained HTML page (templates/page.html.j2).

    ``interactive=False`` gives the page the PDF is made from: no scripts at all, and the PDF's
    head (templates/head-pdf.html.j2: the print stylesheet, ``report_date`` as the document's dates).
    """
    return page(notebook_body(notebook), lang, title, contents_label, interactive, report_date)


def notebook_body(notebook: nbformat.NotebookNode) -> str:
    """The merged notebook's cells as HTML (nbconvert): the body of both pages of a language,
    the interactive one and the one for the PDF."""
    exporter = HTMLExporter(
        template_name="basic", exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True, anchor_link_text=""
    )
    body, _ = exporter.from_notebook_node(notebook)
    return re.sub(r' id="cell-id=[^"]*"', "", body)  # nbconvert's cell ids mean nothing to readers


def page(
    body: str, lang: str, title: str, contents_label: str, interactive: bool = True, report_date: dt.date | None = None
) -> str:
    """The page around :func:`notebook_body`'s ``body`` (see :func:`export_html`)."""
    if not interactive and report_date is None:
        raise TypeError("the page for the PDF needs the report date (report_date=...)")
    if not interactive:
        body = SCRIPT.sub("", body)
        body = body.replace('<div class="chart-live" hidden=""></div>', "")
    toc = [
        (int(level), anchor, html.unescape(re.sub(r"<[^>]+>", "", text)))
        for level, anchor, text in HEADING.findall(body)
        if anchor != "report-title"
    ]
    cover, chapters = split_after_cover(body)
    return ENVIRONMENT.get_template("page.html.j2").render(
        lang=lang,
        title=title,
        contents_label=contents_label,
        toc=toc,
        cover=Markup(cover),
        chapters=Markup(chapters),
        interactive=interactive,
        report_date=report_date,
        locale=Markup(_json_for_script(vl_convert.get_format_locale(LOCALES[lang]))) if interactive else None,
        chart_library=Markup(chart_library()) if interactive else None,
    )


def split_after_cover(body: str) -> tuple[str, str]:
    """The body up to the end of the cover, and the rest: the page puts the table of contents
    between them (all of the body comes after it when there is no cover).

    nbconvert re-serialises the HTML it is given (BeautifulSoup), so the contents are placed in
    the page after nbconvert, where their text stays exactly as the template escapes it.
    """
    before, marker, after = body.partition(CONTENTS_HERE)  # after the executive summary, if the report has one
    if marker:
        return before, after
    cover, end, chapters = body.partition(COVER_END)
    return (cover + end, chapters) if end else ("", body)


def inline(name: str) -> Markup:
    """A file of templates/ (a stylesheet) as it is, for the page to inline: nothing is fetched
    when the report is read. It is the package's own CSS, so it is passed as Markup."""
    return Markup((TEMPLATES / name).read_text(encoding="utf-8"))


ENVIRONMENT = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined)
ENVIRONMENT.globals["inline"] = inline


def chart_library() -> str:
    """Vega, Vega-Lite and vega-embed with the chart upgrade (templates/upgrade-charts.js), as
    one script (about 0.9 MB).

    Building it takes seconds, so it is cached per vl-convert version and upgrade script.
    """
    upgrade = UPGRADE_CHARTS.read_text(encoding="utf-8")
    key = hashlib.sha256(f"{version('vl-convert-python')}\n{upgrade}".encode()).hexdigest()[:16]
    path = CACHE_DIR / f"chart-library-{key}.js"
    if path.exists():
        return path.read_text(encoding="utf-8")
    bundle = vl_convert.javascript_bundle(upgrade)
    if "</script" in bundle.lower():
        raise AssemblyError(Message("assembly.script_in_library"))
    CACHE_DIR.mkdir(exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(bundle, encoding="utf-8")
    tmp.replace(path)
    return bundle


def _json_for_script(value: object) -> str:
    import json

    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")
