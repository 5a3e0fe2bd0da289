"""The README's two pictures of the example report: the first screen of the HTML (headless
Chromium) and the first page of the PDF (pdftoppm), both in Finnish.

    python docs/screenshots.py                       # builds the example report in a temporary folder
    python docs/screenshots.py --report reports/example/2025   # uses a report already built (make report)

Writes docs/first-page-html.png (1000 × 700 px) and docs/first-page-pdf.png (700 px wide), small
enough to keep in the repository. Needs Debian's chromium and poppler-utils (pdftoppm).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
YEAR = 2025
WINDOW = (1000, 700)  # the browser's window: the first screen a reader sees
PDF_WIDTH = 700
# No sandbox (CI runs as root), no network, nothing written to the user's profile.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--hide-scrollbars",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=10000",  # the charts' upgrade script has run before the picture is taken
]


def build_example(folder: Path) -> Path:
    """The example report in Finnish, built through the real command line; its folder."""
    pipeline = [sys.executable, str(ROOT / "pipeline.py")]
    subprocess.run([*pipeline, "example", "--out", str(folder / "inputs"), "--years", f"{YEAR - 2}-{YEAR}"], check=True)
    report = folder / "report"
    subprocess.run(
        [
            *pipeline,
            "run",
            "--year",
            str(YEAR),
            "--inputs",
            str(folder / "inputs"),
            "--out",
            str(report),
            "--lang",
            "fi",
            "--quiet",
        ],
        check=True,
    )
    return report


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    sys.exit("chromium not found (Debian: apt-get install chromium)")


def html_screen(html: Path, out: Path, scratch: Path) -> None:
    """The HTML's first screen, as a reader opening the file sees it."""
    width, height = WINDOW
    flags = [*CHROMIUM_FLAGS, f"--user-data-dir={scratch / 'profile'}", f"--window-size={width},{height}"]
    subprocess.run(
        [chromium(), *flags, f"--screenshot={out.resolve()}", html.resolve().as_uri()], check=True, capture_output=True
    )
    wrote(out)


def pdf_page(pdf: Path, out: Path) -> None:
    """The PDF's first page."""
    if not shutil.which("pdftoppm"):
        sys.exit("pdftoppm not found (Debian: apt-get install poppler-utils)")
    page = ["-f", "1", "-l", "1", "-singlefile", "-scale-to-x", str(PDF_WIDTH), "-scale-to-y", "-1"]
    subprocess.run(["pdftoppm", "-png", *page, str(pdf), str(out.with_suffix(""))], check=True)
    wrote(out)


def wrote(out: Path) -> None:
    print(f"wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--report", type=Path, help=f"a folder holding international-activities-{YEAR}-fi.html and .pdf")
    parser.add_argument("--out", type=Path, default=DOCS, help="where the two pictures go (default: docs/)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="screenshots-") as temporary:
        scratch = Path(temporary)
        report = args.report or build_example(scratch)
        stem = report / f"international-activities-{YEAR}-fi"
        for made in (stem.with_suffix(".html"), stem.with_suffix(".pdf")):
            if not made.is_file():
                sys.exit(f"{made}: no such report (make report builds it)")
        args.out.mkdir(parents=True, exist_ok=True)
        html_screen(stem.with_suffix(".html"), args.out / "first-page-html.png", scratch)
        pdf_page(stem.with_suffix(".pdf"), args.out / "first-page-pdf.png")


if __name__ == "__main__":
    main()
