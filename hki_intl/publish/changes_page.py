"""The analyst's page of what changed since the previous draft, ``OUT/changes-<lang>.html``: made
from ``changes.json`` (:mod:`hki_intl.engine.changes`) in each report language of the run, with
the report's head and stylesheet so that it looks like the report. It is not part of the report
(nothing links to it); it is one offline file, with no script, its words from params/texts.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup

from hki_intl.config.params import Strategy, load_figures, load_texts
from hki_intl.engine.changes import ANOTHER_YEAR, CHANGED, NO_CHANGES, UNREADABLE, Changes
from hki_intl.errors import UsageError
from hki_intl.report.formatting import NBSP, fmt_number, fmt_percent

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE = "changes.html.j2"


def page_name(lang: str) -> str:
    return f"changes-{lang}.html"


@dataclass(frozen=True)
class Section:
    """One part of the page: a heading and a table (the first column heads each row)."""

    anchor: str
    heading: str
    caption: str
    headers: list[str]
    rows: list[list[str]]
    numeric: tuple[int, ...] = ()


@dataclass(frozen=True)
class Page:
    note: str
    status: str
    none: str
    sections: list[Section]


class Words:
    """The words of one language: the page's (texts.yaml), the figures' and the strategy's labels."""

    def __init__(self, lang: str, params_dir: Path, strategy: Strategy):
        self.lang, self.strategy = lang, strategy
        self.t = load_texts(lang, params_dir)
        self.figures = load_figures(params_dir, strategy)

    def figure(self, figure: str, goal: str) -> str:
        """A figure's label; a figure the catalogue does not know (an older draft's) by its id."""
        goal_label = self.strategy.goals.label(goal, self.lang)
        try:
            return self.figures.label(figure, self.lang, goal_label)
        except UsageError:  # not in the catalogue
            return figure

    def number(self, value: float | None, unit: str, signed: bool = False) -> str:
        """A figure's value in full (a change of a few euros in millions shows), written for the
        language; none (not shown in that draft) as a dash. ``signed``: a difference."""
        if unit == "share":
            return fmt_percent(value, self.lang, 1, signed=signed)
        whole = value is None or float(value).is_integer()
        text = fmt_number(value, self.lang, 0 if whole else 2)
        if signed and value is not None and value > 0:
            text = f"+{text}"
        if unit != "eur" or value is None:
            return text
        return f"€{text}" if self.lang == "en" else f"{text}{NBSP}€"

    def difference(self, old: float | None, new: float | None, unit: str) -> str:
        return self.number(new - old, unit, signed=True) if old is not None and new is not None else "–"

    def organisation(self, organisation: str | None) -> str:
        return self.strategy.organisations.label(organisation, self.lang) if organisation else ""


def write_changes_pages(folder: Path, changes: Changes, languages: list[str], params_dir: Path, strategy: Strategy) -> list[Path]:
    """Write ``folder/changes-<lang>.html`` for each language; the paths written."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True
    )
    environment.globals["inline"] = lambda name: Markup((TEMPLATES / name).read_text(encoding="utf-8"))  # our own CSS
    written = []
    for lang in languages:
        words = Words(lang, Path(params_dir), strategy)
        title = words.t("changes.title", year=changes.year)
        html = environment.get_template(TEMPLATE).render(lang=lang, title=title, page=page_of(changes, words))
        path = folder / page_name(lang)
        path.write_text(html, encoding="utf-8")
        written.append(path)
    return written


def page_of(changes: Changes, words: Words) -> Page:
    """The page's words and rows for ``changes`` in ``words``' language."""
    t = words.t
    note = t("changes.note")
    if changes.status != CHANGED:
        status = t("changes.no_changes") if changes.status == NO_CHANGES else t(_first_draft(changes.reason))
        return Page(note, status, t("changes.none"), [])
    sections = [_workbooks(changes, words), _figures(changes, words), _problems(changes, words), _findings(changes, words)]
    return Page(note, t("changes.summary", count=changes.count), t("changes.none"), sections)


def _first_draft(reason: str | None) -> str:
    return {ANOTHER_YEAR: "changes.first_draft_another_year", UNREADABLE: "changes.first_draft_unreadable"}.get(
        reason or "", "changes.first_draft"
    )


def _workbooks(changes: Changes, words: Words) -> Section:
    t, w = words.t, changes.workbooks
    rows = [
        [entry.workbook, words.organisation(entry.organisation), t(f"changes.{kind}")]
        for kind, entries in (("added", w.added), ("replaced", w.replaced), ("removed", w.removed))
        for entry in entries
    ]
    headers = [t("changes.workbook"), t("common.organisation"), t("changes.change")]
    return Section("workbooks", t("changes.workbooks"), t("changes.workbooks_caption"), headers, rows)


def _figures(changes: Changes, words: Words) -> Section:
    t = words.t
    rows = [
        [
            words.figure(f.figure, f.goal),
            str(f.year),
            words.number(f.old, f.unit),
            words.number(f.new, f.unit),
            words.difference(f.old, f.new, f.unit),
            ", ".join(f.workbooks) or t("changes.moved_by_none"),
        ]
        for f in changes.figures
    ]
    headers = [
        t("changes.figure"),
        t("common.year"),
        t("changes.before"),
        t("changes.now"),
        t("changes.change"),
        t("changes.moved_by"),
    ]
    return Section("figures", t("changes.figures"), t("changes.figures_caption"), headers, rows, numeric=(2, 3, 4))


def _problems(changes: Changes, words: Words) -> Section:
    t, p = words.t, changes.problems
    rows = [
        [
            problem.workbook,
            f"{problem.sheet}!{problem.cell}" if problem.cell else problem.sheet,
            t(f"changes.{problem.severity}"),
            problem.message,
            t(f"changes.{state}"),
        ]
        for state, problems in (("appeared", p.appeared), ("resolved", p.resolved))
        for problem in problems
    ]
    headers = [t("changes.workbook"), t("changes.place"), t("changes.severity"), t("changes.message"), t("changes.state")]
    return Section("problems", t("changes.problems"), t("changes.problems_caption"), headers, rows)


def _findings(changes: Changes, words: Words) -> Section:
    t, f = words.t, changes.findings
    rules = words.strategy.codes("findings")
    rows = [
        [
            rules.label(finding.rule, words.lang),
            words.organisation(finding.organisation),
            finding.item,
            finding.workbook or "",
            t(f"changes.{state}"),
        ]
        for state, findings in (("appeared", f.appeared), ("resolved", f.resolved))
        for finding in findings
    ]
    headers = [t("changes.rule"), t("common.organisation"), t("changes.item"), t("changes.workbook"), t("changes.state")]
    return Section("findings", t("changes.findings"), t("changes.findings_caption"), headers, rows)
