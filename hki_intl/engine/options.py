"""What a run is asked to do: one frozen value that the command line makes and every stage reads."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from hki_intl import PARAMS_DIR

FORMATS = ("html", "pdf")


def default_jobs() -> int:
    """Notebooks (and PDFs) at once when ``--jobs`` is not given: one per core."""
    return os.cpu_count() or 1


@dataclass(frozen=True)
class RunOptions:
    """``pipeline.py run``'s options, after the defaults were applied.

    ``languages`` and ``formats`` name the report files to write (every language times every
    format); ``force`` runs every stage even if nothing it reads changed; ``allow_partial``
    reports without the workbooks that have errors; ``quiet`` shows no progress.
    """

    inputs: Path
    out: Path
    year: int
    languages: tuple[str, ...]
    formats: tuple[str, ...] = FORMATS
    params_dir: Path = PARAMS_DIR
    jobs: int = field(default_factory=default_jobs)
    force: bool = False
    allow_partial: bool = False
    quiet: bool = False
