"""params/targets.yaml: optional; a mistake in it is wrong usage, one line naming the file, the key
path and what is expected (exit 2), like every params file."""

from __future__ import annotations

import shutil

import pytest

from hki_intl import PARAMS_DIR
from hki_intl.config.params import check_target_years, load_params, load_targets
from hki_intl.errors import UsageError
from tests.conftest import run_cli

FILE = "params/targets.yaml"


def _params(tmp_path, targets: str | None):
    folder = tmp_path / "params"
    shutil.copytree(PARAMS_DIR, folder)
    if targets is None:
        (folder / "targets.yaml").unlink()
    else:
        (folder / "targets.yaml").write_text(targets, encoding="utf-8")
    return folder


def test_without_the_file_there_are_no_targets(tmp_path):
    folder = _params(tmp_path, None)
    load_params(folder)
    assert len(load_targets(folder)) == 0


def test_the_example_targets_load_with_the_goal_whose_chapter_shows_each():
    targets = load_targets()
    assert [(t.figure, goal) for t, goal in targets] == [
        ("external_funding_eur", "competence"),  # of all goals: the goal that lists it among its headlines
        ("media_items", "recognition"),
        ("incoming_visits", "recognition"),
        ("network_memberships", "influence"),
    ]


CASES = [
    (
        "an unknown figure",
        "targets:\n  - {figure: media_itemz, direction: up}\n",
        "targets[0].figure: 'media_itemz' is not a figure of params/figures.yaml; use one of activities, "
        "competence_activities, recognition_activities, influence_activities, goal_activities …",
    ),
    (
        "both a value and a direction",
        "targets:\n  - {figure: media_items, direction: up, value: 400, year: 2027}\n",
        "targets[0]: a target is a value by a year or a direction, not both; keep value and year, or direction",
    ),
    (
        "a value without its year",
        "targets:\n  - {figure: media_items, value: 400}\n",
        "targets[0]: a target needs value and year (reach the value by the year), or direction (up or down)",
    ),
    (
        "an unknown direction",
        "targets:\n  - {figure: media_items, direction: sideways}\n",
        "targets[0].direction: 'sideways' is not 'up' or 'down'",
    ),
    (
        "a baseline after the target's year",
        "targets:\n  - {figure: media_items, value: 400, year: 2026, baseline_year: 2026}\n",
        "targets[0]: baseline_year 2026 is not before year 2026; a target starts before its year",
    ),
    (
        "a figure of the chapter's goal without a goal",
        "targets:\n  - {figure: goal_activities, direction: up}\n",
        "targets[0].goal: missing; the figure goal_activities counts the chapter's goal: name the goal whose chapter "
        "shows the target (one of competence, recognition, influence)",
    ),
    (
        "another goal than the figure's own",
        "targets:\n  - {figure: competence_activities, goal: influence, direction: up}\n",
        "targets[0].goal: 'influence' is not the figure's goal; competence_activities counts the goal competence only",
    ),
    (
        "an unknown goal",
        "targets:\n  - {figure: goal_activities, goal: learning, direction: up}\n",
        "targets[0].goal: 'learning' is not a goal; use one of competence, recognition, influence",
    ),
    (
        "a figure its goal's chapter does not compute",
        "targets:\n  - {figure: media_reach, goal: recognition, direction: up}\n",
        "targets[0].figure: the chapter of the goal recognition does not compute 'media_reach'; choose one of "
        "recognition_activities, media_items, incoming_visits, or another goal",
    ),
    (
        "one figure twice",
        "targets:\n  - {figure: media_items, direction: up}\n  - {figure: media_items, value: 400, year: 2027}\n",
        "targets[1].figure: 'media_items' already has a target (targets[0]); give a figure one target",
    ),
    (
        "an unknown key",
        "targets:\n  - {figure: media_items, direction: up, by: 2027}\n",
        "targets[0].by: unknown key; a target has figure, goal, value, year, baseline_year, direction and note",
    ),
    (
        "a note without Swedish",
        "targets:\n  - figure: media_items\n    direction: up\n    note: {fi: Huomio, en: Note}\n",
        "targets[0].note.sv: missing; every text needs its words in fi, sv and en",
    ),
    ("no list", "{}\n", "targets: missing; the file needs the list of targets (it may be empty: [])"),
    ("a misspelt list", "goals: []\n", "goals: unknown key; the file has targets"),
]


@pytest.mark.parametrize(("targets", "line"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_a_mistake_in_the_targets_is_one_line(tmp_path, targets, line):
    folder = _params(tmp_path, targets)
    with pytest.raises(UsageError) as raised:
        load_params(folder)
    assert str(raised.value) == f"{folder / 'targets.yaml'}: {line}"


def test_an_empty_list_is_no_targets(tmp_path):
    folder = _params(tmp_path, "targets: []\n")
    load_params(folder)
    assert len(load_targets(folder)) == 0


def test_a_target_year_before_the_first_year_the_report_reads_is_refused(tmp_path):
    folder = _params(tmp_path, "targets:\n  - {figure: media_items, value: 400, year: 2022}\n")
    targets = load_targets(folder)
    check_target_years(targets, 2022, folder)  # a report from 2022 on can judge it
    with pytest.raises(UsageError) as raised:
        check_target_years(targets, 2023, folder)
    assert str(raised.value) == (
        f"{folder / 'targets.yaml'}: targets[0].year: 2022 is before 2023, the first year the report reads; choose a "
        "later year, or compare more years (compare_years in params/report.yaml)"
    )


def test_the_command_line_exits_2_with_the_line(tmp_path):
    _params(tmp_path, "targets:\n  - {figure: media_items, direction: sideways}\n")
    done = run_cli("--params", "params", "validate", "--year", "2025", "--inputs", "inputs", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (2, f"error: {FILE}: targets[0].direction: 'sideways' is not 'up' or 'down'\n")
