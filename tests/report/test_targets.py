"""Targets: the verdict rule on hand-computed cases, and the example report showing each example
target with the verdict computed here from the workbooks (openpyxl), in every language."""

from __future__ import annotations

import html
import re
import shutil

import pytest

from hki_intl import PARAMS_DIR
from hki_intl.config.params import LANGUAGES, load_targets
from hki_intl.report.formatting import fmt_eur, fmt_number
from hki_intl.report.targets import judge_direction, judge_value
from tests.conftest import YEAR, run_cli
from tests.report.expected import params, sheet_rows

# --- the rule, on cases computed by hand -----------------------------------------------------------

# (target, its year, the report year, the values by year, the baseline year) → verdict
VALUE_CASES = [
    # up from 400 (2023) to 600 by 2027: the straight line is 450 in 2024, 500 in 2025
    ("reached early", 600, 2027, 2025, {2023: 400, 2025: 610}, 2023, "reached"),
    ("reached exactly", 600, 2027, 2025, {2023: 400, 2025: 600}, 2023, "reached"),
    ("on the line", 600, 2027, 2025, {2023: 400, 2025: 500}, 2023, "on_track"),
    ("above the line", 600, 2027, 2025, {2023: 400, 2025: 501}, 2023, "on_track"),
    ("below the line", 600, 2027, 2025, {2023: 400, 2025: 499}, 2023, "behind"),
    ("one year in, on the line", 600, 2027, 2024, {2023: 400, 2024: 450}, 2023, "on_track"),
    ("one year in, below", 600, 2027, 2024, {2023: 400, 2024: 449}, 2023, "behind"),
    # down from 30 (2023) to 20 by 2028: the line is 26 in 2025
    ("down, reached", 20, 2028, 2025, {2023: 30, 2025: 20}, 2023, "reached"),
    ("down, on the line", 20, 2028, 2025, {2023: 30, 2025: 26}, 2023, "on_track"),
    ("down, above the line", 20, 2028, 2025, {2023: 30, 2025: 27}, 2023, "behind"),
    # the target's year has come: judged by that year's value
    ("its year, met", 600, 2025, 2025, {2023: 400, 2025: 600}, 2023, "reached"),
    ("its year, not met", 600, 2025, 2025, {2023: 400, 2025: 599}, 2023, "behind"),
    ("past, met in its year", 600, 2024, 2025, {2023: 400, 2024: 601, 2025: 500}, 2023, "reached"),
    ("past, missed in its year", 600, 2024, 2025, {2023: 400, 2024: 500, 2025: 700}, 2023, "behind"),
    # what cannot be judged
    ("no baseline data", 600, 2027, 2025, {2024: 450, 2025: 500}, 2023, "unknown"),
    ("no data this year", 600, 2027, 2025, {2023: 400, 2024: 450}, 2023, "unknown"),
    ("no data in the past target year", 600, 2024, 2025, {2023: 400, 2025: 700}, 2023, "unknown"),
    ("the baseline year itself, not met", 600, 2027, 2023, {2023: 400}, 2023, "unknown"),
    ("the baseline year itself, met", 300, 2027, 2023, {2023: 300}, 2023, "reached"),
    ("a baseline after the report year", 600, 2027, 2025, {2023: 400, 2025: 500}, 2026, "unknown"),
]


@pytest.mark.parametrize(
    ("target", "target_year", "year", "values", "baseline", "expected"),
    [case[1:] for case in VALUE_CASES],
    ids=[case[0] for case in VALUE_CASES],
)
def test_a_value_target_is_judged_against_the_straight_line_from_its_baseline(
    target, target_year, year, values, baseline, expected
):
    assert judge_value(target, target_year, year, {y: float(v) for y, v in values.items()}, baseline) == expected


@pytest.mark.parametrize(
    ("direction", "now", "before", "expected"),
    [
        ("up", 374, 362, "on_track"),
        ("up", 362, 374, "behind"),
        ("up", 362, 362, "behind"),  # no change is not a change in the direction
        ("down", 26, 27, "on_track"),
        ("down", 27, 26, "behind"),
        ("down", 27, None, "unknown"),
        ("up", None, 27, "unknown"),
    ],
)
def test_a_direction_target_is_judged_by_the_change_from_the_year_before(direction, now, before, expected):
    assert judge_direction(direction, now, before) == expected


# --- the example report, against the workbooks -------------------------------------------------------


def _values(inputs, figure: str) -> dict[int, float]:
    """The figure each year, counted straight from the example workbooks (fi headers)."""
    values = {}
    for year in (2023, 2024, 2025):
        if figure == "external_funding_eur":
            values[year] = float(sum(r["Ulkoinen rahoitus (EUR)"] or 0 for r in sheet_rows(inputs, year, "Toiminnot")))
        elif figure == "media_items":
            values[year] = float(len(sheet_rows(inputs, year, "Näkyvyys")))
        elif figure == "network_memberships":
            values[year] = float(len(sheet_rows(inputs, year, "Verkostot")))
        elif figure == "incoming_visits":
            rows = sheet_rows(inputs, year, "Vierailut")
            values[year] = float(sum(1 for r in rows if r["Suunta"] == "Saapuva vierailu Helsinkiin"))
        else:
            raise AssertionError(f"the test cannot count {figure}: add it here")
    return values


def _verdict(target: dict, values: dict[int, float]) -> str:
    """The verdict, by the rule as the README states it, for the example report year."""
    if "direction" in target:
        now, before = values[YEAR], values[YEAR - 1]
        return "on_track" if (now > before if target["direction"] == "up" else now < before) else "behind"
    base_year = target.get("baseline_year", 2023)
    start, goal, now = values[base_year], target["value"], values[YEAR]
    meets = (lambda v: v <= goal) if goal < start else (lambda v: v >= goal)
    if target["year"] <= YEAR:
        return "reached" if meets(values[target["year"]]) else "behind"
    if meets(now):
        return "reached"
    line = start + (goal - start) * (YEAR - base_year) / (target["year"] - base_year)
    return "on_track" if (now <= line if goal < start else now >= line) else "behind"


def test_the_example_targets_show_every_verdict():
    """The example params show a target reached, one on track and one behind (see the next test)."""
    assert len(load_targets()) >= 3


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_example_target_is_shown_with_its_verdict_in_the_summary_and_its_chapter(example, lang):
    root, _ = example
    page = (root / "report" / f"international-activities-{YEAR}-{lang}.html").read_text(encoding="utf-8")
    texts = params("texts")
    start = page.index('id="summary"')
    summary = page[start : page.index("<h1", start + 20)]  # up to the next part's heading
    verdicts = set()
    for target in params("targets")["targets"]:
        values = _values(root / "inputs", target["figure"])
        verdict = _verdict(target, values)
        verdicts.add(verdict)
        words = texts[f"target.verdict.{verdict}"][lang]
        if "direction" in target:
            wanted = texts[f"target.{target['direction']}"][lang]
            short = wanted
        else:
            eur = target["figure"].endswith("_eur")
            amount = fmt_eur(target["value"], lang) if eur else fmt_number(target["value"], lang)
            wanted = texts["target.value"][lang].format(value=amount, year=target["year"])
            short = texts["target.short"][lang].format(value=amount, year=target["year"])
        # the summary: the figure's box carries the verdict and the target in one line
        box = re.search(rf'data-metric="{target["figure"]}">(.*?)</div>', summary)
        assert box, target["figure"]
        shown = html.unescape(re.sub(r"<[^>]+>", "", box.group(1)))
        assert texts["target.compact"][lang].format(verdict=words, target=short) in shown, shown
        # the chapter: the box says the target, and the targets table has its row with the note
        boxes = [
            m for m in re.finditer(rf'data-metric="{target["figure"]}">(.*?)</div>', page) if m.start() > start + len(summary)
        ]
        chapter_box = html.unescape(re.sub(r"<[^>]+>", " ", boxes[0].group(1)))
        assert " ".join(texts["target.card"][lang].format(target=wanted).split()) in " ".join(chapter_box.split())
        assert words in chapter_box
        rows = re.findall(
            r'<tr><th scope="row">[^<]*</th><td>([^<]*)</td><td class="num"[^>]* data-figure="([a-z_]+)"[^>]*>([^<]*)</td>'
            r"<td>(.*?)</td><td>([^<]*)</td></tr>",
            page,
        )
        row = next(r for r in rows if r[1] == target["figure"])
        amount_now = fmt_eur(values[YEAR], lang) if target["figure"].endswith("_eur") else fmt_number(values[YEAR], lang)
        assert html.unescape(row[2]) == amount_now
        assert words in html.unescape(row[3])
        assert html.unescape(row[4]) == target["note"][lang]
    assert verdicts >= {"reached", "on_track", "behind"}
    rule = texts["method.targets.rule"][lang]
    assert html.escape(rule, quote=False) in page or rule in html.unescape(page)


@pytest.mark.slow
def test_the_report_without_targets_still_builds_and_shows_none(example, tmp_path):
    root, _ = example
    folder = tmp_path / "params"
    shutil.copytree(PARAMS_DIR, folder)
    (folder / "targets.yaml").unlink()
    out = tmp_path / "report"
    done = run_cli(
        "--params", str(folder), "run", "--year", str(YEAR), "--inputs", str(root / "inputs"), "--out", str(out),
        "--lang", "en", "--format", "html", "--quiet",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    page = (out / f"international-activities-{YEAR}-en.html").read_text(encoding="utf-8")
    assert 'class="verdict' not in page and 'class="targets"' not in page and 'id="targets-rule"' not in page
    assert 'data-metric="external_funding_eur"' in page
