"""Assemble the executed notebooks into one HTML report with nbconvert.

The report has no code, no prompts and no stray output: only the HTML each notebook
displayed. Cells tagged ``appendix`` (data quality, method) go after the goal chapters. The
page shell (``templates/report.html.j2``) inlines its stylesheet and loads nothing from the
network.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import jinja2
import nbformat
from nbconvert import HTMLExporter

from .errors import PipelineError

TEMPLATES = Path(__file__).parent / "templates"
KEPT_MIME = "text/html"
HEADING = re.compile(r'<h([12]) id="([^"]+)">(.*?)</h\1>', re.S)


class AssemblyError(PipelineError):
    exit_code = 3


def merge_notebooks(summary: Path, chapters: list[Path]) -> nbformat.NotebookNode:
    """One notebook: the summary's cells, each chapter, then the summary's appendix cells."""
    summary_nb = nbformat.read(summary, as_version=4)
    is_appendix = lambda cell: "appendix" in cell.metadata.get("tags", [])  # noqa: E731
    parts = [(summary.stem, c) for c in summary_nb.cells if not is_appendix(c)]
    for path in chapters:
        parts.extend((path.stem, c) for c in nbformat.read(path, as_version=4).cells)
    parts.extend((summary.stem, c) for c in summary_nb.cells if is_appendix(c))
    merged = nbformat.v4.new_notebook(metadata=summary_nb.metadata)
    for index, (source, cell) in enumerate(parts):
        kept = _reader_cell(cell, source)
        if kept is not None:
            kept["id"] = f"{source}-{index}"  # every copied cell gets a fresh, unique id
            merged.cells.append(kept)
    return merged


def _reader_cell(cell, source: str):
    """The part of a cell a reader sees: its HTML outputs, in a new cell without code."""
    if cell.cell_type != "code":
        return None
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            raise AssemblyError(f"notebook {source} has an error output ({output.get('ename')}); "
                                f"open its executed copy to see the failing cell")
    outputs = [
        nbformat.v4.new_output("display_data", data={KEPT_MIME: o["data"][KEPT_MIME]})
        for o in cell.get("outputs", [])
        if o.get("output_type") in ("display_data", "execute_result") and KEPT_MIME in o.get("data", {})
    ]
    return nbformat.v4.new_code_cell(source="", outputs=outputs) if outputs else None


def export_html(notebook: nbformat.NotebookNode, lang: str, title: str, contents_label: str) -> str:
    """The merged notebook as a complete, self-contained HTML page."""
    exporter = HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True, anchor_link_text="")
    body, _ = exporter.from_notebook_node(notebook)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    page = env.get_template("report.html.j2")
    toc = [(int(level), anchor, html.unescape(re.sub(r"<[^>]+>", "", text)))
           for level, anchor, text in HEADING.findall(body)]
    return page.render(lang=lang, title=title, contents_label=contents_label, toc=toc,
                       body=body, css=(TEMPLATES / "report.css").read_text(encoding="utf-8"))
