"""The stage loop, without notebooks: a stage is reused only when its key is the previous run's
and its recorded outputs are unchanged in OUT; otherwise its work runs. Either way it is timed
and recorded."""

from __future__ import annotations

import hashlib
import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from hki_intl.engine.manifest import Manifest, StageRecord
from hki_intl.engine.progress import Progress
from hki_intl.engine.stages import Stage, StageLoop


class Work:
    """A stage's work that writes ``files`` (relative path → text) into ``build`` and counts its runs."""

    def __init__(self, build: Path, files: dict[str, str]):
        self.build, self.files, self.runs = build, files, 0

    def __call__(self) -> None:
        self.runs += 1
        for relative, text in self.files.items():
            (self.build / relative).parent.mkdir(parents=True, exist_ok=True)
            (self.build / relative).write_text(text, encoding="utf-8")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def places(tmp_path) -> tuple[Path, Path]:
    """(OUT, the build folder)."""
    (tmp_path / "out").mkdir()
    (tmp_path / "build").mkdir()
    return tmp_path / "out", tmp_path / "build"


def data_stage(build: Path, rows: str = "1,2", outputs: tuple[str, ...] = ("data",)) -> Stage:
    """A stage keyed by ``rows`` that writes ``data/table.csv``."""
    return Stage("intake", {"rows": rows}, outputs, Work(build, {"data/table.csv": rows}))


def previous_run(out: Path, stage: Stage) -> Manifest:
    """OUT as a run of ``stage`` left it: its outputs written, its key and their hashes recorded."""
    Work(out, stage.work.files)()
    files = {p.relative_to(out).as_posix(): digest(p) for p in sorted(out.rglob("*")) if p.is_file()}
    return Manifest(stages=[StageRecord(stage.name, stage.key)], files=files)


def loop_of(out: Path, build: Path, previous: Manifest | None) -> tuple[StageLoop, io.StringIO]:
    shown = io.StringIO()
    return StageLoop(build, out, previous, Progress(shown, live=False)), shown


def test_a_stage_whose_key_and_outputs_are_unchanged_is_reused(places):
    out, build = places
    previous = previous_run(out, data_stage(out))
    stage = data_stage(build)
    loop, shown = loop_of(out, build, previous)
    assert loop.run(stage) is True
    assert stage.work.runs == 0
    assert (build / "data" / "table.csv").read_text(encoding="utf-8") == "1,2"  # copied from OUT
    assert [(r.name, r.key, r.cached, r.duration_s) for r in loop.records] == [("intake", stage.key, True, 0.0)]
    assert shown.getvalue().endswith("] intake: reused (unchanged)\n")


def test_a_stage_runs_when_its_key_changed(places):
    out, build = places
    previous = previous_run(out, data_stage(out))
    stage = data_stage(build, rows="1,3")
    loop, shown = loop_of(out, build, previous)
    assert loop.run(stage) is False
    assert stage.work.runs == 1
    assert (build / "data" / "table.csv").read_text(encoding="utf-8") == "1,3"
    assert [(r.name, r.cached) for r in loop.records] == [("intake", False)]
    assert "] intake …\n" in shown.getvalue() and "] intake: done in " in shown.getvalue()


@pytest.mark.parametrize("change", ["edited", "removed", "added"])
def test_a_stage_runs_when_an_output_changed_in_out(places, change):
    """Never reuse a stale result: OUT must hold exactly what the previous run recorded."""
    out, build = places
    previous = previous_run(out, data_stage(out))
    table = out / "data" / "table.csv"
    if change == "edited":
        table.write_text("1,2,edited", encoding="utf-8")
    elif change == "removed":
        table.unlink()
    else:
        (out / "data" / "mine.csv").write_text("x", encoding="utf-8")
    stage = data_stage(build)
    loop, _ = loop_of(out, build, previous)
    assert loop.run(stage) is False
    assert stage.work.runs == 1


def test_without_a_previous_run_every_stage_runs(places):
    """``--force``, or an OUT whose manifest could not be read."""
    out, build = places
    previous_run(out, data_stage(out))
    stage = data_stage(build)
    loop, _ = loop_of(out, build, None)
    assert loop.run(stage) is False and stage.work.runs == 1


def test_jupyter_checkpoints_do_not_stop_a_reuse_and_are_not_copied(places):
    out, build = places
    previous = previous_run(out, data_stage(out))
    (out / "data" / ".ipynb_checkpoints").mkdir()
    (out / "data" / ".ipynb_checkpoints" / "table-checkpoint.csv").write_text("mine", encoding="utf-8")
    loop, _ = loop_of(out, build, previous)
    assert loop.run(data_stage(build)) is True
    assert sorted(p.relative_to(build).as_posix() for p in build.rglob("*") if p.is_file()) == ["data/table.csv"]


def test_pending_reuses_what_it_can_and_returns_the_rest_in_order(places):
    out, build = places
    kept = Stage("notebook a", {"n": 1}, ("a.txt",), Work(out, {"a.txt": "a"}))
    previous = previous_run(out, kept)
    stages = [
        Stage("notebook a", {"n": 1}, ("a.txt",), Work(build, {"a.txt": "a"})),
        Stage("notebook b", {"n": 2}, ("b.txt",), Work(build, {"b.txt": "b"})),
        Stage("notebook c", {"n": 3}, ("c.txt",), Work(build, {"c.txt": "c"})),
    ]
    loop, _ = loop_of(out, build, previous)
    todo = loop.pending(stages)
    assert [s.name for s in todo] == ["notebook b", "notebook c"]
    with ThreadPoolExecutor(max_workers=2) as pool:
        loop.execute_in(pool, todo)
    assert sorted((r.name, r.cached) for r in loop.records) == [
        ("notebook a", True),
        ("notebook b", False),
        ("notebook c", False),
    ]
    assert sorted(p.name for p in build.iterdir()) == ["a.txt", "b.txt", "c.txt"]


def test_a_failing_stage_in_threads_raises_once_the_others_ended(places):
    out, build = places
    ran = Work(build, {"b.txt": "b"})

    def fails() -> None:
        raise RuntimeError("boom")

    loop, _ = loop_of(out, build, None)
    with ThreadPoolExecutor(max_workers=2) as pool, pytest.raises(RuntimeError, match="boom"):
        loop.execute_in(pool, [Stage("notebook a", {}, ("a.txt",), fails), Stage("notebook b", {}, ("b.txt",), ran)])
    assert ran.runs == 1
    assert [r.name for r in loop.records] == ["notebook b"]  # a failed stage is not recorded


def test_a_key_is_the_hash_of_the_named_inputs():
    assert Stage("x", {"a": 1, "b": [2]}, (), print).key == Stage("y", {"b": [2], "a": 1}, (), print).key
    assert Stage("x", {"a": 1}, (), print).key != Stage("x", {"a": 2}, (), print).key


@pytest.mark.parametrize(("pdfs", "jobs", "workers"), [(1, 2, 1), (3, 2, 3), (4, 2, 4), (5, 2, 2), (3, 1, 1), (0, 2, 0)])
def test_pdfs_are_laid_out_all_at_once_up_to_twice_the_cores(pdfs, jobs, workers):
    from hki_intl.engine.assembly_stages import pdf_workers

    assert pdf_workers(pdfs, jobs) == workers
