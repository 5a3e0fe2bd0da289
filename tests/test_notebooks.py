"""Notebooks are thin, committed clean, and their parameters are strict."""

import json

import pytest

from hki_intl import NOTEBOOKS_DIR
from hki_intl.engine.execute import NotebookParameterError, check_parameters

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
GOAL_PARAMETERS = {"year", "data_dir", "lang", "params_dir", "goal", "commentary"}
SUMMARY_PARAMETERS = {
    "year",
    "data_dir",
    "lang",
    "params_dir",
    "chapters_dir",
    "report_date",
    "foreword",
    "outlook",
    "analyst_given",
}
EXPLORE_PARAMETERS = {"report_dir", "lang", "params_dir"}  # the analyst's notebook: make lab gives them
PARAMETERS = {"summary": SUMMARY_PARAMETERS, "explore": EXPLORE_PARAMETERS}


def test_the_report_notebooks_exist():
    assert {p.stem for p in NOTEBOOKS} == {"competence", "recognition", "influence", "goal", "summary", "explore"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_clean(path):
    book = json.loads(path.read_text(encoding="utf-8"))
    for cell in book["cells"]:
        assert not cell.get("outputs"), f"{path.name} has outputs"
        assert not cell.get("execution_count"), f"{path.name} has execution counts"
    assert book["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_thin(path):
    """A notebook calls the package; logic (defs, loops, pandas) belongs in hki_intl."""
    book = json.loads(path.read_text(encoding="utf-8"))
    code = "\n".join("".join(c["source"]) for c in book["cells"] if c["cell_type"] == "code")
    for forbidden in ("def ", "for ", "class ", "import pandas", "groupby"):
        assert forbidden not in code, f"{path.name} contains {forbidden!r}"
    assert len(code.splitlines()) < 40


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_cell_declares_the_contract(path):
    book = json.loads(path.read_text(encoding="utf-8"))
    tagged = [c for c in book["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    expected = PARAMETERS.get(path.stem, GOAL_PARAMETERS)
    check_parameters(path, dict.fromkeys(expected, ""))


def test_an_unknown_parameter_fails():
    with pytest.raises(NotebookParameterError, match="unknown parameter\\(s\\) colour"):
        check_parameters(NOTEBOOKS_DIR / "competence.ipynb", {**dict.fromkeys(GOAL_PARAMETERS, ""), "colour": 1})


def test_a_missing_parameter_fails():
    with pytest.raises(NotebookParameterError, match="missing parameter\\(s\\) lang"):
        check_parameters(NOTEBOOKS_DIR / "competence.ipynb", dict.fromkeys(GOAL_PARAMETERS - {"lang"}, ""))
