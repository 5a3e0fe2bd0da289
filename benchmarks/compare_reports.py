"""Are two commits' example reports the same, byte for byte?

    .venv/bin/python -m benchmarks.compare_reports BEFORE AFTER [--langs fi,sv,en] [--keep DIR]

For each commit (anything ``git rev-parse`` takes: a hash, a branch, HEAD~3, or WORKTREE for the
files as they are now, uncommitted changes included), the script checks the commit out into a
temporary git worktree, builds the example workbooks and the example report (HTML and PDF, in
every language asked for) with this virtual environment's Python, and compares every report
file and every example workbook of the two. It prints one line per file and exits 0 when all
are identical, 1 when any differ (with the first differing byte and the text around it).

A restructuring that must not change what readers get (issue "The layout shows the flow")
runs it between the commit before and the commit after; so can any later one. The two sides
use the same Python and packages, so a difference is the code's.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2025
WORKTREE = "WORKTREE"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", help="a commit, or WORKTREE for the files as they are now")
    parser.add_argument("after", help="a commit, or WORKTREE for the files as they are now")
    parser.add_argument("--langs", default="fi,sv,en", help="report languages (default fi,sv,en)")
    parser.add_argument("--keep", type=Path, help="keep the two builds in this folder (default: a temporary one)")
    args = parser.parse_args(argv)
    langs = args.langs.split(",")
    work = args.keep or Path(tempfile.mkdtemp(prefix="compare-reports-"))
    try:
        sides = [build(commit, work / f"side{index}", langs) for index, commit in enumerate((args.before, args.after))]
        return compare(*sides)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        subprocess.run(["git", "-C", str(ROOT), "worktree", "prune"], check=False)


def build(commit: str, folder: Path, langs: list[str]) -> Path:
    """Check ``commit`` out into ``folder/code``, build the example inputs and report; return
    the folder that holds ``inputs/`` and ``report/``."""
    folder.mkdir(parents=True, exist_ok=True)
    code = folder / "code"
    if commit == WORKTREE:
        shutil.copytree(
            ROOT,
            code,
            ignore=shutil.ignore_patterns(".git", ".venv", "node_modules", "reports", "inputs", ".cache", "__pycache__"),
        )
    else:
        sha = _git("rev-parse", "--verify", f"{commit}^{{commit}}").strip()
        _git("worktree", "add", "--detach", "--force", str(code), sha)
    print(f"{commit}: building the example report in {folder}", file=sys.stderr)
    inputs, report = folder / "inputs", folder / "report"
    for command in (
        ["example", "--out", str(inputs), "--years", f"{YEAR - 2}-{YEAR}"],
        [
            "run",
            "--year",
            str(YEAR),
            "--inputs",
            str(inputs),
            "--out",
            str(report),
            "--quiet",
            "--lang",
            "all" if len(langs) == 3 else langs[0],
            "--format",
            "all",
        ],
    ):
        done = subprocess.run([sys.executable, str(code / "pipeline.py"), *command], cwd=code, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"{commit}: pipeline.py {command[0]} failed ({done.returncode}):\n{done.stderr}")
    if commit != WORKTREE:
        _git("worktree", "remove", "--force", str(code))
    return folder


def compare(before: Path, after: Path) -> int:
    """One line per report file and example workbook; 1 if any differ."""
    names = sorted({*_files(before), *_files(after)})
    different = 0
    for name in names:
        a, b = before / name, after / name
        if not a.exists() or not b.exists():
            print(f"MISSING  {name} ({'before' if not a.exists() else 'after'} has none)")
            different += 1
            continue
        left, right = a.read_bytes(), b.read_bytes()
        if left == right:
            print(f"same     {name} ({len(left):,} bytes)")
            continue
        different += 1
        at = next((i for i, (x, y) in enumerate(zip(left, right, strict=False)) if x != y), min(len(left), len(right)))
        print(f"DIFFERS  {name} ({len(left):,} → {len(right):,} bytes; first difference at byte {at:,})")
        print(f"         before: {left[max(0, at - 60) : at + 60]!r}")
        print(f"         after:  {right[max(0, at - 60) : at + 60]!r}")
    print(f"{len(names) - different} of {len(names)} files identical")
    return 1 if different else 0


def _files(side: Path) -> list[str]:
    reports = [p for p in (side / "report").glob("international-activities-*") if p.is_file()]
    workbooks = sorted((side / "inputs").glob("*/*.xlsx"))
    return sorted(p.relative_to(side).as_posix() for p in [*reports, *workbooks])


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True).stdout


if __name__ == "__main__":
    sys.exit(main())
