"""The checks of "pages that look made by hand", on a PDF's text positions (:mod:`pdf_text`).

Each check returns the faults it finds, one readable line each (an empty list: none), so a
failing test names the page and the text. The page geometry (A4 and its margins) is read from
the print stylesheet the PDF is made with.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from hki_intl.publish.assemble import TEMPLATES
from tests.publish.pdf_text import PdfText, Span

MM = 72 / 25.4
TOLERANCE = 1.0  # points: rounding of positions
HEADINGS = ("H1", "H2", "H3", "H4", "H5", "H6")
MIN_LINES_AFTER_HEADING = 2  # a heading is followed on its page by at least this many lines of text
MIN_FILL = 1 / 3
ELLIPSIS = "…"


@dataclass(frozen=True)
class Margins:
    top: float
    right: float
    bottom: float
    left: float


def page_margins() -> Margins:
    """The ``@page`` margins of pdf.css, in points."""
    css = (TEMPLATES / "pdf.css").read_text(encoding="utf-8")
    found = re.search(r"@page\s*\{[^}]*?\bmargin:\s*([\d.]+)mm\s+([\d.]+)mm\s+([\d.]+)mm\s+([\d.]+)mm", css)
    assert found, "pdf.css gives the @page margins in mm (top right bottom left)"
    return Margins(*(float(v) * MM for v in found.groups()))


def _where(span: Span) -> str:
    return f"page {span.page + 1}: {span.text.strip()[:60]!r}"


class Layout:
    """A PDF's text, split into each page's body (inside the margins) and its running footer."""

    def __init__(self, pdf: PdfText, margins: Margins | None = None):
        self.pdf = pdf
        self.margins = margins or page_margins()
        self.pages = range(pdf.page_count())

    def body(self, page: int) -> list[Span]:
        """The page's text inside the top and bottom margins (the footer lives in the bottom one)."""
        _, height = self.pdf.page_size(page)
        limit = height - self.margins.bottom + TOLERANCE
        return sorted((s for s in self.pdf.on_page(page) if s.top < limit), key=lambda s: (s.baseline, s.x0))

    def lines(self, spans: Iterable[Span]) -> list[list[Span]]:
        """Spans grouped into lines by their baseline."""
        lines: list[list[Span]] = []
        for span in sorted(spans, key=lambda s: (s.baseline, s.x0)):
            if lines and abs(lines[-1][0].baseline - span.baseline) < 0.3 * span.size:
                lines[-1].append(span)
            else:
                lines.append([span])
        return lines

    def starts_chapter(self, page: int) -> bool:
        body = self.body(page)
        return bool(body) and body[0].has("H1")


def is_heading(span: Span) -> bool:
    return span.has(*HEADINGS)


def is_caption(span: Span) -> bool:
    return span.has("Caption")


def is_table_body(span: Span) -> bool:
    """Text of a table's rows (not its header row) or of a figure's picture."""
    return span.has("TD", "Figure") or (span.has("TH") and not span.has("THead"))


def beyond_text_block(layout: Layout) -> list[str]:
    """Text that runs past the left or right margin (a table wider than the text block)."""
    faults = []
    for page in layout.pages:
        width, _ = layout.pdf.page_size(page)
        right, left = width - layout.margins.right + TOLERANCE, layout.margins.left - TOLERANCE
        for span in layout.body(page):
            if span.x1 > right or span.x0 < left:
                faults.append(f"{_where(span)} reaches {span.x0:.0f}–{span.x1:.0f} pt; the text block is {left:.0f}–{right:.0f}")
    return faults


def lonely_pages(layout: Layout) -> list[str]:
    """Pages whose text is only headings and captions (or nothing at all)."""
    faults = []
    for page in layout.pages:
        body = layout.body(page)
        if all(is_heading(s) or is_caption(s) for s in body):
            faults.append(f"page {page + 1} holds only {' / '.join(s.text.strip() for s in body) or 'nothing'}")
    return faults


def stranded_headings(layout: Layout) -> list[str]:
    """A heading with fewer than two lines of text under it on its page (the last line of a page,
    or followed only by one line), and a caption without a row of its table or its chart under
    it on its page."""
    faults = []
    for page in layout.pages:
        lines = layout.lines(layout.body(page))
        for index, line in enumerate(lines):
            rest = [s for later in lines[index + 1 :] for s in later]
            if any(is_heading(s) for s in line) and not any(is_heading(s) for s in rest[:1]):
                text = len(layout.lines(s for s in rest if not is_heading(s) and not is_caption(s)))
                if text < MIN_LINES_AFTER_HEADING:
                    faults.append(f"{_where(line[0])} is a heading with {text} line(s) of text under it on its page")
            if any(is_caption(s) for s in line) and not any(is_caption(s) for s in rest[:1]):
                if not any(is_table_body(s) for s in rest):
                    faults.append(f"{_where(line[0])} is a caption without its table's rows or its chart on its page")
    return faults


def total_rows(layout: Layout, word: str) -> tuple[int, list[str]]:
    """How often a table row is headed ``word`` (a table's total), and the totals that are not
    the last row on their page of the table."""
    count, faults = 0, []
    for page in layout.pages:
        body = layout.body(page)
        for span in body:
            if span.text.strip() == word and span.has("TH") and not span.has("THead"):
                count += 1
                table = span.element("Table")
                below = [s for s in body if s.element("Table") == table and s.top > span.bottom]
                if below:
                    faults.append(f"{_where(span)}: the total has rows of its table under it ({_where(below[0])})")
    return count, faults


def continued_tables(layout: Layout) -> list[int]:
    """The pages that start inside a table (its rows go on from the page before)."""
    return [page for page in layout.pages if (body := layout.body(page)) and body[0].has("TR") and not is_caption(body[0])]


def headerless_continuations(layout: Layout) -> list[str]:
    """A table continued on a page whose first line is not its header row (thead)."""
    return [
        f"{_where(layout.body(page)[0])} continues a table without its header row"
        for page in continued_tables(layout)
        if not layout.body(page)[0].has("THead")
    ]


def underfilled_pages(layout: Layout) -> list[str]:
    """Pages less than a third full, other than the cover, the last page and the page before a
    chapter (a goal chapter starts on a new page)."""
    faults = []
    last = len(layout.pages) - 1
    for page in layout.pages:
        if page == 0 or page == last or layout.starts_chapter(page + 1):
            continue
        _, height = layout.pdf.page_size(page)
        block = height - layout.margins.top - layout.margins.bottom
        body = layout.body(page)
        lowest = max((s.bottom for s in body), default=layout.margins.top)
        fill = (lowest - layout.margins.top) / block
        if fill < MIN_FILL:
            last_text = body[-1].text.strip()[:50] if body else ""
            faults.append(f"page {page + 1} is {fill:.0%} full (its last text: {last_text!r})")
    return faults


def overlapping_chart_text(layout: Layout) -> list[str]:
    """Labels of a chart or the map drawn over each other (their boxes overlap by more than a
    quarter of the smaller one's height and a point in width), and labels cut short with "…".
    A label drawn twice in the same place (a white halo under the map's city names) is one."""
    faults = []
    for page in layout.pages:
        figure = chart_labels(s for s in layout.pdf.on_page(page) if s.has("Figure"))
        for span in figure:
            if span.text.rstrip().endswith(ELLIPSIS):
                faults.append(f"{_where(span)} is cut short")
        for i, a in enumerate(figure):
            for b in figure[i + 1 :]:
                if a.text == b.text and abs(a.x0 - b.x0) < 0.5 and abs(a.baseline - b.baseline) < 0.5:
                    continue  # the same label drawn twice in one place: a halo under it
                high = min(a.bottom, b.bottom) - max(a.top, b.top)
                wide = min(a.x1, b.x1) - max(a.x0, b.x0)
                if wide > 1 and high > 0.25 * min(a.size, b.size) * 0.95:
                    faults.append(f"{_where(a)} overlaps {b.text.strip()[:40]!r}")
    return faults


def chart_labels(spans: Iterable[Span]) -> list[Span]:
    """A chart's text as its labels: WeasyPrint draws an SVG text glyph by glyph, so the glyphs
    that follow each other on one baseline (in drawing order) are joined into one span; so are
    those of a turned text (an axis title reading upwards) that follow each other up the page."""
    labels: list[Span] = []
    for span in spans:
        last = labels[-1] if labels else None
        if last is not None and _follows(last, span):
            labels[-1] = _join(last, span)
        else:
            labels.append(span)
    return labels


def _follows(last: Span, span: Span) -> bool:
    """``span`` goes on the text of ``last``: the same size and direction, next to it."""
    if abs(span.size - last.size) >= 0.01 or span.upright != last.upright:
        return False
    if span.upright:
        return abs(last.baseline - span.baseline) < 0.1 * span.size and -0.1 * span.size < span.x0 - last.x1 < 0.5 * span.size
    return abs(last.x0 - span.x0) < 0.1 * span.size and -0.1 * span.size < last.top - span.bottom < 0.5 * span.size


def _join(last: Span, span: Span) -> Span:
    gap = (span.x0 - last.x1) if span.upright else (last.top - span.bottom)
    text = last.text + (" " if gap > 0.15 * span.size else "") + span.text
    if span.upright:
        return replace(last, text=text, x1=span.x1)
    return replace(last, text=text, top=span.top)
