"""What changed since the previous draft: the report a run replaces compared with the one it builds.

A run reads the report in ``OUT`` before it is swapped away — its manifest (the workbooks read
and their hashes, the problems found), its executed goal notebooks' glued headline figures and
its consolidated tables — and compares it with the build: workbooks added, replaced (other
bytes) or removed; each headline figure whose value changed, in the report year or the year
before, with the workbooks that moved it (the organisations whose own contribution to the
figure differs: the figure computed on their records alone, in each draft's tables); the
problems in the workbooks and the report's findings (breaches of the strategy's rules) that
appeared or were resolved. The result is ``changes.json`` in the build, so it is swapped in
with the report; :mod:`hki_intl.publish.changes_page` writes the analyst's page from it.

"The previous draft" is the last one that differed: a run that changes none of the workbooks,
figures, problems and findings (a re-run, another language) keeps the list of the report it
replaces, which still says how this draft differs from the one before it; it says "no changes"
when it ends. So a re-run gives the same bytes, and a second run never loses the first's list.
The previous report's files are read only if they are the bytes its manifest recorded.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter, ValidationError

from hki_intl.config.params import Strategy
from hki_intl.engine.fingerprint import code_fingerprint, sha256_file
from hki_intl.engine.manifest import InputFile, Manifest
from hki_intl.errors import Problem
from hki_intl.intake.tables import TABLES
from hki_intl.messages import language_in_use, text

if TYPE_CHECKING:
    import pandas as pd

    from hki_intl.engine.stages import Build

CHANGES = "changes.json"
VERSION = 1
FIRST_DRAFT, NO_CHANGES, CHANGED = "first draft", "no changes", "changes"
# Why a run has nothing to compare with (``Changes.reason`` of a first draft).
NO_REPORT, ANOTHER_YEAR, UNREADABLE = "no report", "another year", "unreadable"
TOLERANCE = 1e-6  # figures are floats summed in the records' order: equal within this


@dataclass(frozen=True)
class Workbook:
    """A workbook by its place in the inputs folder (``2025/kasko.xlsx``), so that the same
    inputs read from another folder are the same workbooks."""

    workbook: str
    year: int
    organisation: str | None = None


@dataclass(frozen=True)
class WorkbookChanges:
    added: list[Workbook] = field(default_factory=list)
    replaced: list[Workbook] = field(default_factory=list)
    removed: list[Workbook] = field(default_factory=list)


@dataclass(frozen=True)
class FigureChange:
    """A headline figure of a goal whose value in ``year`` changed (None: not shown in that
    draft); ``workbooks``: those whose organisation's own contribution to it differs."""

    figure: str
    goal: str
    unit: str
    year: int
    old: float | None
    new: float | None
    workbooks: list[str] = field(default_factory=list)


@dataclass(frozen=True, order=True)
class ProblemEntry:
    """A problem the intake found in a workbook (as the report's data-quality part lists it)."""

    workbook: str
    sheet: str
    cell: str
    severity: str
    message: str


@dataclass(frozen=True)
class ProblemChanges:
    appeared: list[ProblemEntry] = field(default_factory=list)
    resolved: list[ProblemEntry] = field(default_factory=list)


@dataclass(frozen=True, order=True)
class Finding:
    """A breach of one of the strategy's rules in the report year (the report's findings)."""

    rule: str
    organisation: str
    item: str
    workbook: str | None = None


@dataclass(frozen=True)
class FindingChanges:
    appeared: list[Finding] = field(default_factory=list)
    resolved: list[Finding] = field(default_factory=list)


@dataclass(frozen=True)
class Changes:
    """``changes.json``: what changed since the previous draft (its structure is the README's)."""

    version: int = VERSION
    year: int = 0
    status: str = FIRST_DRAFT
    reason: str | None = None  # a first draft's: why there is nothing to compare with
    workbooks: WorkbookChanges = field(default_factory=WorkbookChanges)
    figures: list[FigureChange] = field(default_factory=list)
    problems: ProblemChanges = field(default_factory=ProblemChanges)
    findings: FindingChanges = field(default_factory=FindingChanges)

    @property
    def count(self) -> int:
        """How many changes the lists hold."""
        w, p, f = self.workbooks, self.problems, self.findings
        lists = (w.added, w.replaced, w.removed, self.figures, p.appeared, p.resolved, f.appeared, f.resolved)
        return sum(len(items) for items in lists)


@dataclass(frozen=True)
class RunChanges:
    """What a run says it changed (``said``: first draft, no changes or changes) and what it
    stores in ``changes.json`` (``stored``: a run with no changes keeps the list it replaces)."""

    said: str
    stored: Changes


class Unreadable(Exception):
    """A file of the previous report is missing, or not the bytes its manifest recorded."""


# --- the two drafts -------------------------------------------------------------------------


@dataclass
class Draft:
    """One report as the comparison reads it: its folder, the workbooks it read, the problems it
    found, and (for the report in ``OUT``) the hashes its manifest recorded: its files are read
    only when they still have those bytes. The build's own files need no such check."""

    folder: Path
    inputs: list[InputFile]
    problems: list[Problem]
    goals: list[str]
    recorded: dict[str, str] | None = None  # None: the build
    _organisations: dict[str, dict[str, pd.DataFrame]] = field(default_factory=dict, repr=False)

    def digest(self, relative: str) -> str | None:
        if self.recorded is not None:
            return self.recorded.get(relative)
        path = self.folder / relative
        return sha256_file(path) if path.is_file() else None

    def path(self, relative: str) -> Path:
        """A file of the draft to read; for the previous report, only if unchanged since its run."""
        path = self.folder / relative
        if self.recorded is not None:
            expected = self.recorded.get(relative)
            if expected is None or not path.is_file() or sha256_file(path) != expected:
                raise Unreadable(relative)
        return path

    def data_digests(self) -> dict[str, str | None]:
        names = self.recorded if self.recorded is not None else _relative_files(self.folder, TABLES, "*.csv")
        return {name: self.digest(name) for name in names if name.startswith(f"{TABLES}/") and name.endswith(".csv")}

    @cached_property
    def tables(self) -> dict[str, pd.DataFrame]:
        from hki_intl.intake.tables import read_tables

        for name in self.data_digests():
            self.path(name)  # each table checked before any is read
        with self._reading(TABLES):
            return read_tables(self.folder / TABLES)

    @contextmanager
    def _reading(self, what: str) -> Iterator[None]:
        """The previous report's files are as its run wrote them, but an older version of the
        pipeline may have written them: what cannot be read makes it unreadable, not a failure."""
        try:
            yield
        except (OSError, ValueError, KeyError) as error:
            if self.recorded is None:
                raise
            raise Unreadable(f"{what}: {error}") from None

    def headline_points(self, goal: str, year: int) -> dict[tuple[str, str, int], tuple[str, float]]:
        """The goal's glued headline figures, by (figure, goal, year): the report year's value and
        the year before's (the year before with data, from the draft's tables)."""
        from hki_intl.report.analysis import previous_year
        from hki_intl.report.scraps import read_headlines

        relative = f"notebooks/{goal}.ipynb"
        if self.digest(relative) is None:
            return {}
        before = previous_year(self.tables, year)
        points: dict[tuple[str, str, int], tuple[str, float]] = {}
        path = self.path(relative)
        with self._reading(relative):
            headlines = read_headlines(path)
        for headline in headlines:
            points[(headline.id, headline.goal, year)] = (headline.unit, headline.value)
            if before is not None and headline.previous is not None:
                points[(headline.id, headline.goal, before)] = (headline.unit, headline.previous)
        return points

    def workbook_of(self, year: int, organisation: str) -> str | None:
        """The workbook an organisation's records of ``year`` came from."""
        subs = self.tables["submissions"]
        files = subs.loc[(subs["year"] == year) & (subs["organisation"] == organisation), "file"]
        return f"{year}/{files.iloc[0]}" if len(files) else None

    def organisations(self, year: int) -> set[str]:
        subs = self.tables["submissions"]
        return set(subs.loc[subs["year"] == year, "organisation"].astype(str))

    def of_organisation(self, organisation: str) -> dict[str, pd.DataFrame]:
        """The tables restricted to one organisation's records (made once per organisation)."""
        if organisation not in self._organisations:
            self._organisations[organisation] = {
                name: frame[frame["organisation"] == organisation] if "organisation" in frame.columns else frame
                for name, frame in self.tables.items()
            }
        return self._organisations[organisation]

    def inputs_root(self) -> Path | None:
        """The inputs folder the draft's workbooks were read from (``<inputs>/<year>/<file>``)."""
        return Path(self.inputs[0].path).parent.parent if self.inputs else None


def previous_draft(out: Path, manifest: Manifest) -> Draft:
    """The report in ``out``, as its manifest describes it."""
    goals = [name for name in manifest.notebooks if name != "summary"]
    return Draft(out, manifest.inputs, manifest.problems, goals, recorded=manifest.files)


# --- the comparison -------------------------------------------------------------------------


def compare(before: Draft, now: Draft, strategy: Strategy, year: int, same_rules: bool) -> Changes:
    """Every change from ``before`` to ``now`` (report year ``year``). ``same_rules``: the params
    and the code are those of ``before``'s run, so the same tables give the same findings.
    Raises :class:`Unreadable` when a file of ``before`` that is needed is not as recorded."""
    same_data = before.data_digests() == now.data_digests()
    changes = Changes(
        year=year,
        status=CHANGED,
        workbooks=workbook_changes(before.inputs, now.inputs),
        figures=figure_changes(before, now, strategy, year),
        problems=problem_changes(before, now),
        findings=FindingChanges() if same_data and same_rules else finding_changes(before, now, strategy, year),
    )
    return changes if changes.count else replace(changes, status=NO_CHANGES)


def workbook_changes(before: list[InputFile], now: list[InputFile]) -> WorkbookChanges:
    """Workbooks by their place in the inputs folder: added, replaced (other bytes), removed."""
    old, new = _by_place(before), _by_place(now)
    entry = lambda place, f: Workbook(place, f.year, f.organisation)
    return WorkbookChanges(
        added=[entry(place, new[place]) for place in sorted(new.keys() - old.keys())],
        replaced=[
            entry(place, new[place]) for place in sorted(new.keys() & old.keys()) if new[place].sha256 != old[place].sha256
        ],
        removed=[entry(place, old[place]) for place in sorted(old.keys() - new.keys())],
    )


def figure_changes(before: Draft, now: Draft, strategy: Strategy, year: int) -> list[FigureChange]:
    """Each headline figure whose value changed, with the workbooks that moved it. A goal whose
    executed notebook has the same bytes in both drafts glued the same figures: not read."""
    goals = list(dict.fromkeys([*before.goals, *now.goals]))
    moved = [g for g in goals if before.digest(f"notebooks/{g}.ipynb") != now.digest(f"notebooks/{g}.ipynb")]
    old: dict[tuple[str, str, int], tuple[str, float]] = {}
    new: dict[tuple[str, str, int], tuple[str, float]] = {}
    for goal in moved:
        old |= before.headline_points(goal, year)
        new |= now.headline_points(goal, year)
    changes = []
    # the goals' order, the report year first, each goal's figures in its headlines' order
    keys = list(dict.fromkeys([*new, *old]))
    for key in sorted(keys, key=lambda k: (goals.index(k[1]), -k[2])):
        figure, goal, at = key
        was, is_ = old.get(key), new.get(key)
        if was is not None and is_ is not None and _same(was[1], is_[1]):
            continue
        unit = (is_ or was or ("count", 0.0))[0]
        changes.append(
            FigureChange(
                figure,
                goal,
                unit,
                at,
                _plain(was[1]) if was else None,
                _plain(is_[1]) if is_ else None,
                moved_by(before, now, strategy, figure, goal, at),
            )
        )
    return changes


def moved_by(before: Draft, now: Draft, strategy: Strategy, figure: str, goal: str, year: int) -> list[str]:
    """The workbooks whose organisation's own contribution to ``figure`` in ``year`` differs
    between the drafts: the figure computed on that organisation's records alone."""
    from hki_intl.report.goals import headline_specs

    if goal not in strategy.goals.ids:
        return []
    measures = dict(headline_specs(strategy, goal))
    if figure not in measures:
        return []
    compute = measures[figure].compute
    workbooks = set()
    for organisation in sorted(before.organisations(year) | now.organisations(year)):
        old = float(compute(before.of_organisation(organisation), year, strategy, goal))
        new = float(compute(now.of_organisation(organisation), year, strategy, goal))
        if not _same(old, new):
            workbooks.add(now.workbook_of(year, organisation) or before.workbook_of(year, organisation) or organisation)
    return sorted(workbooks)


def problem_changes(before: Draft, now: Draft) -> ProblemChanges:
    """Problems (errors and warnings) that appeared or were resolved, each by its workbook's
    place in the inputs folder."""
    old = Counter(_problem(p, before.inputs_root()) for p in before.problems)
    new = Counter(_problem(p, now.inputs_root()) for p in now.problems)
    return ProblemChanges(sorted((new - old).elements()), sorted((old - new).elements()))


def finding_changes(before: Draft, now: Draft, strategy: Strategy, year: int) -> FindingChanges:
    """The report's findings of ``year`` that appeared or were resolved; both drafts' tables
    are checked against this run's rules (``findings`` of params/strategy.yaml)."""
    old, new = Counter(_findings(before, strategy, year)), Counter(_findings(now, strategy, year))
    return FindingChanges(sorted((new - old).elements()), sorted((old - new).elements()))


def _findings(draft: Draft, strategy: Strategy, year: int) -> list[Finding]:
    from hki_intl.report.analysis import findings

    frame = findings(draft.tables, year, strategy)
    return [
        Finding(str(r.rule), str(r.organisation), _text(r.item), f"{year}/{r.source_file}" if _text(r.source_file) else None)
        for r in frame.itertuples()
    ]


# --- what a run stores and says ---------------------------------------------------------------


def changes_of_run(
    out: Path, previous: Manifest | None, now: Draft, strategy: Strategy, year: int, same_rules: bool
) -> RunChanges:
    """Compare the build (``now``) with the report in ``out`` (``previous``: its manifest, None
    when there is none or its run did not finish). With no changes, the report's own list is
    kept (it still says how this draft differs from the one before)."""
    if previous is None:
        return RunChanges(FIRST_DRAFT, Changes(year=year, reason=NO_REPORT))
    if previous.year != year:
        return RunChanges(FIRST_DRAFT, Changes(year=year, reason=ANOTHER_YEAR))
    try:
        found = compare(previous_draft(out, previous), now, strategy, year, same_rules)
    except Unreadable:
        return RunChanges(FIRST_DRAFT, Changes(year=year, reason=UNREADABLE))
    if found.status == NO_CHANGES:
        kept = read_changes(out, previous)
        return RunChanges(NO_CHANGES, kept if kept is not None and kept.year == year else found)
    return RunChanges(CHANGED, found)


def write_changes(folder: Path, changes: Changes) -> Path:
    """Write ``folder/changes.json`` (the same changes give the same bytes)."""
    path = folder / CHANGES
    path.write_text(json.dumps(asdict(changes), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read_changes(out: Path, manifest: Manifest) -> Changes | None:
    """The ``changes.json`` of the report in ``out``, if it is the one its run wrote and of this
    version; else None."""
    path = out / CHANGES
    try:
        if manifest.files.get(CHANGES) != sha256_file(path):
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("version") != VERSION:
        return None
    try:
        return _changes_type().validate_python(data)
    except ValidationError:
        return None


# --- the lines printed at the end of a run ------------------------------------------------------

LISTED_AT_MOST = 5  # a longer list is printed as its count, with the page's path


def summary_lines(run: RunChanges, page: Path | None, figure_label: Any, number: Any) -> list[str]:
    """What ``run`` prints of the changes: a few lines, in the language of the messages.
    ``figure_label(figure, goal)`` names a figure and ``number(value, unit)`` writes a value."""
    changes = run.stored
    if run.said == FIRST_DRAFT:
        return [text(_first_draft_key(changes.reason))]
    if run.said == NO_CHANGES:
        if changes.status != CHANGED:
            return [text("run_changes.no_changes")]
        return [text("run_changes.no_changes_kept", list=str(page or CHANGES))]
    lines = [text("run_changes.since", page=str(page)) if page else text("run_changes.since_no_page")]
    w = changes.workbooks
    counted = [
        (len(w.added), "run_changes.added", w.added),
        (len(w.replaced), "run_changes.replaced", w.replaced),
        (len(w.removed), "run_changes.removed", w.removed),
    ]
    parts = [
        text(key, count=n) + (f" ({', '.join(e.workbook for e in items)})" if n <= LISTED_AT_MOST else "")
        for n, key, items in counted
        if n
    ]
    if parts:
        lines.append("  " + text("run_changes.workbooks", parts="; ".join(parts)))
    if len(changes.figures) > LISTED_AT_MOST:
        lines.append("  " + text("run_changes.figures_changed", count=len(changes.figures)))
    for f in changes.figures if len(changes.figures) <= LISTED_AT_MOST else ():
        label, old, new = figure_label(f.figure, f.goal), number(f.old, f.unit), number(f.new, f.unit)
        if f.workbooks:
            line = text("run_changes.figure", label=label, year=f.year, old=old, new=new, workbooks=", ".join(f.workbooks))
        else:
            line = text("run_changes.figure_by_no_workbook", label=label, year=f.year, old=old, new=new)
        lines.append(f"  {line}")
    for key, pair in (("run_changes.problems", changes.problems), ("run_changes.findings", changes.findings)):
        if pair.appeared or pair.resolved:
            lines.append("  " + text(key, appeared=len(pair.appeared), resolved=len(pair.resolved)))
    return lines


def _first_draft_key(reason: str | None) -> str:
    """The line of a first draft: why there is nothing to compare with, when there was a report."""
    if reason == ANOTHER_YEAR:
        return "run_changes.first_draft_another_year"
    if reason == UNREADABLE:
        return "run_changes.first_draft_unreadable"
    return "run_changes.first_draft"


# --- helpers ------------------------------------------------------------------------------------


def _by_place(files: Iterable[InputFile]) -> dict[str, InputFile]:
    return {f"{f.year}/{Path(f.path).name}": f for f in files}


def _problem(problem: Problem, root: Path | None) -> ProblemEntry:
    path = Path(problem.file)
    place = path.relative_to(root).as_posix() if root is not None and path.is_relative_to(root) else problem.file
    return ProblemEntry(place, problem.sheet, problem.cell, problem.severity, problem.text())  # the analyst's language


def _relative_files(folder: Path, under: str, pattern: str) -> list[str]:
    return [p.relative_to(folder).as_posix() for p in sorted((folder / under).glob(pattern))]


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=0.0, abs_tol=TOLERANCE)


def _plain(value: float) -> float:
    """A whole number as an int (``42``, not ``42.0``), in the JSON and on the page."""
    return int(value) if float(value).is_integer() else float(value)


def _text(value: object) -> str:
    import pandas as pd

    return "" if value is None or pd.isna(value) else str(value)  # type: ignore[arg-type]


@cache
def _changes_type() -> TypeAdapter[Changes]:
    return TypeAdapter(Changes)


# --- in a run ----------------------------------------------------------------------------------


def record_changes(
    build: Build, previous: Manifest | None, inputs: list[InputFile], problems: list[Problem], languages: list[str]
) -> list[str]:
    """Write ``changes.json`` and the analyst's page in each of ``languages`` into the build,
    comparing it with the report in ``OUT`` (``previous``: its manifest, read before the build
    replaces it); the lines the run prints of them, in the language of the messages, naming the
    page in that language if the run wrote one (else the page of the run's first language)."""
    from hki_intl.engine.manifest import params_record
    from hki_intl.engine.notebook_stages import goal_notebooks
    from hki_intl.publish.changes_page import Words, page_name, write_changes_pages

    strategy, out, year = build.strategy, Path(build.options.out), build.settings.year
    now = Draft(build.folder, inputs, problems, [goal for goal, _ in goal_notebooks(strategy)])
    same_rules = (
        previous is not None
        and previous.params.files == params_record(build.params_dir, build.settings).files
        and previous.environment.code_sha256 == code_fingerprint()
    )
    found = changes_of_run(out, previous, now, strategy, year, same_rules)
    write_changes(build.folder, found.stored)
    write_changes_pages(build.folder, found.stored, languages, build.params_dir, strategy)
    lang = language_in_use()  # the lines' figures and numbers in the language of the messages
    page = page_name(lang if lang in languages else build.options.languages[0])  # the page in it, if the run wrote one
    words = Words(lang, build.params_dir, strategy)
    return summary_lines(found, out / page, words.figure, words.number)
