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
    """Render ``static_html`` to ``path`` (written atomically, byte-identical for the same input)."""
    from weasyprint import HTML

    created = f"{report_date.isoformat()}T00:00:00Z"
    # The dates in the document's metadata come from the report date, never from the clock;
    # the PDF stylesheet comes after the page's own, so that its rules win.
    print_css = (TEMPLATES / "pdf.css").read_text(encoding="utf-8")
    page = static_html.replace(
        "</head>", f'<meta name="dcterms.created" content="{created}">'
                   f'<meta name="dcterms.modified" content="{created}"><style>{print_css}</style></head>', 1)
    document = HTML(string=page, base_url=str(TEMPLATES))
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
