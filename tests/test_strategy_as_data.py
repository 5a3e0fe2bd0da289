"""The strategy is data: a params folder with a fourth goal, and one with a goal renamed, run
end to end through the real CLI, with no code changed. The new goal's chapter comes from the
generic notebook and figures; its figures are checked against the workbooks read directly."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import openpyxl
import pytest
import yaml

from hki_intl import PARAMS_DIR
from hki_intl.report.formatting import fmt_eur
from tests.conftest import YEAR, run_cli
from tests.report import expected

pytestmark = pytest.mark.slow
NEW = {
    "id": "sustainability",
    "fi": "Kestävä ja hyvinvoiva kaupunki",
    "sv": "En hållbar stad med välfärd",
    "en": "A sustainable city of well-being",
    "headlines": [
        {"id": "sustainability_activities", "measure": "goal_activities"},
        {"id": "sustainability_funding_eur", "measure": "goal_external_funding_eur"},
    ],
}
NEW_FIGURES = [  # the new goal's headline figures in the catalogue: its own labels and definitions
    {
        "id": "sustainability_activities",
        "unit": "count",
        "records": "activities",
        "scope": "sustainability",
        "label": {
            "fi": "Kestävän kaupungin toiminnot",
            "sv": "Hållbara stadens verksamheter",
            "en": "Activities for a sustainable city",
        },
        "definition": {
            "fi": "Toiminnot, joiden päätavoite on kestävä ja hyvinvoiva kaupunki.",
            "sv": "Verksamheter vars huvudmål är en hållbar stad med välfärd.",
            "en": "Activities whose primary goal is a sustainable city of well-being.",
        },
    },
    {
        "id": "sustainability_funding_eur",
        "unit": "eur",
        "records": "activities",
        "scope": "sustainability",
        "label": {
            "fi": "Kestävän kaupungin ulkoinen rahoitus",
            "sv": "Hållbara stadens externa finansiering",
            "en": "External funding for a sustainable city",
        },
        "definition": {
            "fi": "Kestävän kaupungin toimintojen ulkoinen rahoitus euroina.",
            "sv": "Den externa finansieringen av den hållbara stadens verksamheter i euro.",
            "en": "The external funding of the sustainable city's activities in euros.",
        },
    },
]
MOVED = 6  # activities of one workbook moved to the new goal


def _params(tmp: Path, edit) -> Path:
    folder = tmp / "params"
    shutil.copytree(PARAMS_DIR, folder)
    strategy = yaml.safe_load((folder / "strategy.yaml").read_text(encoding="utf-8"))
    texts = yaml.safe_load((folder / "texts.yaml").read_text(encoding="utf-8"))
    workbook = yaml.safe_load((folder / "workbook.yaml").read_text(encoding="utf-8"))
    figures = yaml.safe_load((folder / "figures.yaml").read_text(encoding="utf-8"))
    edit(strategy, texts, workbook, figures)
    for name, data in (("strategy", strategy), ("texts", texts), ("workbook", workbook), ("figures", figures)):
        (folder / f"{name}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


def _run(inputs: Path, out: Path, params: Path) -> str:
    done = run_cli(
        "--params",
        str(params),
        "run",
        "--year",
        str(YEAR),
        "--inputs",
        str(inputs),
        "--out",
        str(out),
        "--lang",
        "fi",
        "--format",
        "html",
        "--quiet",
    )
    assert done.returncode == 0, done.stderr
    return (out / f"international-activities-{YEAR}-fi.html").read_text(encoding="utf-8")


def _cards(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-metric="([a-z_]+)"><span class="value"[^>]*>([^<]*)</span>', page))


def _goal_rows(inputs: Path, label: str) -> list[tuple]:
    """(goal, external funding) of every 2025 activity whose goal cell reads ``label``, with openpyxl."""
    rows = []
    for path in sorted((inputs / str(YEAR)).glob("*.xlsx")):
        ws = openpyxl.load_workbook(path, read_only=True)["Toiminnot"]
        header = [c.value for c in next(ws.iter_rows(max_row=1))]
        goal, funding = header.index("Päätavoite *"), header.index("Ulkoinen rahoitus (EUR)")
        rows += [(r[goal], r[funding] or 0) for r in ws.iter_rows(min_row=2, values_only=True) if r[goal] == label]
    return rows


def test_a_fourth_goal_gets_its_chapter_and_figures_from_params_alone(example, tmp_path):
    root, _ = example
    inputs = tmp_path / "inputs"
    shutil.copytree(root / "inputs", inputs)
    path = inputs / str(YEAR) / "urban_environment.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["Toiminnot"]
    for row in range(2, 2 + MOVED):
        ws.cell(row=row, column=3, value=NEW["fi"])  # column C: the primary goal, as a contributor picks it
    wb.save(path)

    def add_goal(strategy, texts, workbook, figures):
        strategy["goals"].append(NEW)
        figures["figures"] += NEW_FIGURES

    page = _run(inputs, tmp_path / "report", _params(tmp_path, add_goal))
    assert re.search(rf'<h1 id="sustainability">{NEW["fi"]}</h1>', page)
    assert len(re.findall(r'<h1 id="(competence|recognition|influence|sustainability)">', page)) == 4
    rows = _goal_rows(inputs, NEW["fi"])
    assert len(rows) == MOVED
    cards = _cards(page)
    assert cards["sustainability_activities"] == str(MOVED)
    funding = sum(f for _, f in rows)
    assert cards["sustainability_funding_eur"] == fmt_eur(funding, "fi") and funding > 0
    assert "Kestävän kaupungin toiminnot" in page  # the label from params
    assert (tmp_path / "report" / "notebooks" / "sustainability.ipynb").is_file()  # the generic notebook, run for it
    # shown, not only counted: the generic rules give the new goal its examples, in its chapter
    chapter = page[page.index('<h1 id="sustainability">') :]
    outcomes = expected.outcomes(inputs, YEAR, "sustainability", {**expected.params("strategy"), "goals": [NEW]})
    assert outcomes  # the moved rows hold a completed activity with an outcome
    shown = expected.section(chapter, "sustainability-examples-outcomes")
    assert expected.strong_items(shown) == [r["Nimi"] for r in outcomes]
    assert all(r["Tulos"] in item for r, item in zip(outcomes, expected.items(shown), strict=True))
    assert 'id="sustainability-examples-joint"' in chapter


def test_a_renamed_goal_keeps_its_chapter_and_figures(example, tmp_path):
    root, original = example

    def rename(strategy, texts, workbook, figures):
        goal = next(g for g in strategy["goals"] if g["id"] == "competence")
        goal.update(id="learning", figures="competence")  # same labels: the workbooks' cells still match
        for entry in strategy.get("networks", []) + strategy.get("indicators", []):
            if entry.get("goal") == "competence":
                entry["goal"] = "learning"
        for figure in figures["figures"]:  # the catalogue scopes figures by goal id
            if figure["scope"] == "competence":
                figure["scope"] = "learning"
        for sheet in workbook["sheets"].values():  # the template's examples name goals by id
            for column in sheet.get("columns", {}).values():
                if column.get("example") == "competence":
                    column["example"] = "learning"

    inputs = tmp_path / "inputs"  # the analyst names the renamed goal's part by its new id
    shutil.copytree(root / "inputs", inputs)
    for words in inputs.glob("*/analyst-*.md"):
        words.write_text(words.read_text(encoding="utf-8").replace("\n## competence\n", "\n## learning\n"), encoding="utf-8")
    page = _run(inputs, tmp_path / "report", _params(tmp_path, rename))
    assert '<h1 id="learning">' in page and '<h1 id="competence">' not in page
    before, after = _cards(original), _cards(page)
    assert after and after == before  # every figure the same, the renamed goal's included
    assert (tmp_path / "report" / "notebooks" / "learning.ipynb").is_file()
