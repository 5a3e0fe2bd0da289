"""Helsinki's annual international-activity report: intake, analysis and publishing."""

from pathlib import Path

__version__ = "0.1.0"

#: The project root: every path the pipeline uses by default derives from it.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
PARAMS_DIR = PROJECT_ROOT / "params"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
#: The analyst's notebook (make lab), not the report's: no goal's chapter, not part of a run's key.
EXPLORE_NOTEBOOK = NOTEBOOKS_DIR / "explore.ipynb"
