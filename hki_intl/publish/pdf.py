"""The PDF edition, made without a browser: WeasyPrint renders the report's static page
(every chart a vector SVG) on A4 with a cover, a table of contents with page numbers, page
numbers in the footer, bookmarks from the headings, and a tagged PDF (PDF/UA-1)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
from pathlib import Path

from hki_intl.publish.assemble import TEMPLATES

# WeasyPrint reports every CSS property it does not know; the report's CSS is written for it
# and for browsers, so those messages are noise for an analyst.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


def write_pdf(static_html: str, path: Path, report_date: dt.date) -> Path:
    """Render ``static_html``, the page made for the PDF (``export_html(..., interactive=False,
    report_date=...)``: its head carries the print stylesheet and the dates), to ``path``
    (written atomically, byte-identical for the same input)."""
    from weasyprint import HTML

    document = HTML(string=static_html, base_url=str(TEMPLATES))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".pdf", dir=path.parent)
    os.close(fd)
    os.chmod(tmp, 0o644)
    # fontTools stamps each embedded font subset with the clock ("head.modified"), so two runs a
    # few seconds apart differed in their font bytes; it takes the time from SOURCE_DATE_EPOCH
    # when that is set (the reproducible-builds convention).
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(dt.datetime.combine(report_date, dt.time(), dt.UTC).timestamp()))
    try:
        document.write_pdf(tmp, pdf_variant="pdf/ua-1", uncompressed_pdf=False)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
        if before is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before
    return path
