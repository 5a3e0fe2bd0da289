"""The benchmark's pure helpers: the figures' table, the cold run's stage breakdown, the count of
workbooks read again and the floor's sanity check (the measurements themselves: ``make bench``)."""

from __future__ import annotations

import datetime as dt
import sys

import pytest

from benchmarks.bench import (
    Figure,
    Measured,
    compare_headings,
    cpu_bound,
    format_table,
    memory,
    missing,
    ratio,
    reread_count,
    rereads,
    stage_breakdown,
    timed,
)

T0 = dt.datetime(2026, 11, 30, 3, 32, 30, tzinfo=dt.UTC)


def stage(name: str, start: float, end: float, cached: bool = False) -> dict:
    at = lambda s: (T0 + dt.timedelta(seconds=s)).isoformat(timespec="milliseconds")
    return {"name": name, "key": "k", "start": at(start), "end": at(end), "duration_s": end - start, "cached": cached}


MANIFEST = {
    "stages": [
        stage("notebook b", 3.0, 6.0),  # out of order: the breakdown sorts by start
        stage("intake", 1.0, 3.0),
        stage("notebook a", 3.0, 5.5, cached=True),
        stage("assembly x.pdf", 6.0, 9.0),
    ]
}


def test_stage_breakdown_is_relative_to_the_first_stage_and_accounts_for_the_wall_time():
    launched, finished = T0.timestamp(), T0.timestamp() + 10.0  # 1 s before the first stage, 1 s after the last
    lines = stage_breakdown(MANIFEST, launched, finished)
    assert [line.split()[0] for line in lines[1:5]] == ["intake", "notebook", "notebook", "assembly"]
    assert lines[1].split()[1:] == ["0.00", "2.00", "2.00"]
    assert lines[4].split()[2:5] == ["5.00", "8.00", "3.00"]
    assert lines[3].endswith("(reused)")
    assert "1.00 s = 10% of 10.00 s wall" in lines[5]
    assert "8.00 s = 80%" in lines[6]
    assert lines[7].endswith("1.00 s = 10%")


def test_stage_breakdown_of_a_manifest_without_stages():
    assert stage_breakdown({}, 0.0, 1.0) == ["(the manifest has no stages)"]


@pytest.mark.parametrize(
    ("figure", "met", "shown", "target"),
    [
        (ratio("a", 1.0, 4.0, 0.25), True, "0.25", "≤ 0.25"),
        (ratio("a", 1.1, 4.0, 0.25), False, "0.28", "≤ 0.25"),
        (memory("m", 601.4, 600), False, "601 MB", "≤ 600"),
        (rereads("r", (1, 26)), True, "1 of 26", "= 1"),
        (rereads("r", (0, 26)), False, "0 of 26", "= 1"),  # the changed workbook must be read again
        (rereads("r", (26, 26)), False, "26 of 26", "= 1"),
        (rereads("r", None), None, "not recorded", "= 1"),
        (missing("s", 1.5, "skipped (--quick)"), None, "skipped (--quick)", "≤ 1.5"),
    ],
)
def test_a_figure_is_met_shown_and_targeted(figure: Figure, met: bool | None, shown: str, target: str):
    assert (figure.met, figure.shown, figure.target_shown) == (met, shown, target)


def test_the_table_lists_every_figure_and_says_what_is_not_met():
    table = format_table(
        [ratio("cold vs naive", 10.0, 50.0, 0.25), ratio("all vs fi", 15.0, 10.0, 1.3), rereads("re-read", None)]
    ).splitlines()
    assert table[0].split() == ["figure", "measured", "target", "met"]
    assert set(table[1]) <= {"-", " "}
    assert table[2].split() == ["cold", "vs", "naive", "0.20", "≤", "0.25", "yes", "10.00", "s", "vs", "50.00", "s"]
    assert "NO" in table[3] and "1.50" in table[3]
    assert "not recorded" in table[4] and "–" in table[4]
    assert table[-2] == "not met: all vs fi"
    assert table[-1] == "not measured or not recorded: re-read"


def test_short_times_keep_three_decimals():
    assert ratio("read", 4.35, 0.0623, 3).detail == "4.35 s vs 0.062 s"


def test_the_table_says_when_every_target_is_met():
    assert format_table([ratio("x", 1.0, 2.0, 1)]).splitlines()[-1] == "every measured target is met"


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        ([{"path": "a", "reused": True}, {"path": "b", "reused": False}], (1, 2)),
        ([{"path": "a", "reused": False}, {"path": "b", "reused": False}], (2, 2)),
        ([{"path": "a"}, {"path": "b"}], None),  # a run that does not record it
        ([{"path": "a", "reused": None}], None),
        ([], None),
    ],
)
def test_reread_count(inputs: list[dict], expected: tuple[int, int] | None):
    assert reread_count({"inputs": inputs}) == expected


def test_compare_headings():
    page = '<h1 id="a">A</h1><p>x</p><h2 id="b">B</h2>'
    assert compare_headings(page, page) == "the floor's HTML has the report's 2 headings, in order; byte for byte the same page"
    assert compare_headings(page + " ", page) == "the floor's HTML has the report's 2 headings, in order"
    assert compare_headings('<h1 id="a">A</h1>', page).endswith("1 vs 2 headings, first difference at heading 2")
    assert "first difference at heading 1" in compare_headings('<h1 id="z">Z</h1><h2 id="b">B</h2>', page)


def test_the_cpu_time_of_a_process_tree_counts_its_forked_children():
    """Two children each busy for about half a second: the tree's CPU time is about one second
    whatever the wall time (they run side by side on two cores)."""
    burn = "import time\nstart = time.process_time()\nwhile time.process_time() - start < 0.5: pass\n"
    script = (
        "import multiprocessing as mp\n"
        f"def burn():\n    exec({burn!r})\n"
        "ps = [mp.get_context('fork').Process(target=burn) for _ in range(2)]\n"
        "[p.start() for p in ps]; [p.join() for p in ps]\n"
    )
    measured = timed([sys.executable, "-c", script])
    assert 0.95 <= measured.cpu_seconds < 3


def test_the_cpu_bound_sets_both_targets_against_each_other():
    cold = Measured(10.0, 0, 0, 0, cpu_seconds=15.0)
    every = Measured(13.0, 0, 0, 0, cpu_seconds=26.0)
    lines = cpu_bound(cold, every, naive=34.0, cores=2)
    assert lines == [
        "CPU time of the whole process tree: cold fi 15.0 s (in 10.0 s), cold all 26.0 s (in 13.0 s)",
        "on 2 cores cold all takes at least 13.0 s, so all ≤ 1.3 × fi needs fi ≥ 10.0 s, "
        "0.29 of the naive chain (the first target: ≤ 0.25, 8.5 s)",
    ]
