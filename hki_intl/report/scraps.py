"""Every use of scrapbook lives here, so that replacing it (unmaintained since 2021) is one file.

Goal notebooks glue their headline figures and key tables; the summary notebook reads them
back. DataFrames use scrapbook's pandas encoder; numpy scalars and timestamps have no
encoder, so :func:`glue_headlines` stores plain floats.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hki_intl.report.analysis import Headline, headlines_frame

HEADLINES = "headlines"


def glue_headlines(headlines: list[Headline]) -> None:
    glue_table(HEADLINES, headlines_frame(headlines))


def glue_tables(tables: dict[str, pd.DataFrame]) -> None:
    for name, frame in tables.items():
        glue_table(name, frame)


def glue_table(name: str, frame: pd.DataFrame) -> None:
    import scrapbook as sb

    sb.glue(name, frame.reset_index(drop=True), encoder="pandas")


def read_scraps(notebook: Path) -> dict[str, object]:
    """Every scrap of an executed notebook by name (DataFrames come back as DataFrames)."""
    import scrapbook as sb

    return {name: scrap.data for name, scrap in sb.read_notebook(str(notebook)).scraps.items()}


def scraps_digest(notebook: Path) -> str:
    """One hash over what an executed notebook glued (its scraps' outputs, in order): what the
    summary reads of a goal notebook. The rest of the notebook (its chapter's blocks, the
    execution's timestamps) may change without the summary having to run again."""
    import hashlib
    import json

    cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    scraps = [
        {mime: value for mime, value in output.get("data", {}).items() if mime.startswith(SCRAP_MIME)}
        for cell in cells
        for output in cell.get("outputs", [])
    ]
    return hashlib.sha256(json.dumps([s for s in scraps if s], sort_keys=True).encode()).hexdigest()


SCRAP_MIME = "application/scrapbook.scrap."  # how scrapbook 0.5 stores a glued value in an output


def read_headlines(notebook: Path) -> list[Headline]:
    frame = read_scraps(notebook)[HEADLINES]
    assert isinstance(frame, pd.DataFrame)  # glued by glue_headlines with the pandas encoder
    return [
        Headline(
            str(r["id"]),
            str(r["goal"]),
            str(r["unit"]),
            float(r["value"]),
            None if pd.isna(r["previous"]) else float(r["previous"]),
        )
        for _, r in frame.iterrows()
    ]
