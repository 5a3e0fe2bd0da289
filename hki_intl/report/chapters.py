"""The blocks of each report chapter: what the notebooks call, one function per block.

A block takes a :class:`Context` (the year, the language, the typed tables, the strategy)
and returns HTML from :mod:`hki_intl.render`. The figures come from :mod:`hki_intl.analysis`;
every word from ``params/texts.yaml``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd
from markupsafe import Markup

from hki_intl import PARAMS_DIR
from hki_intl.config.models import placeholders
from hki_intl.config.params import normalise_key
from hki_intl.intake.tables import free_text_columns, read_tables
from hki_intl.report import analysis as an
from hki_intl.report import goals, highlights
from hki_intl.report.analysis import Headline, Tables, in_year
from hki_intl.report.blocks import CONTENTS_HERE, Report, TableColumn, escape
from hki_intl.report.charts import grouped_bars, heatmap, wrap_label
from hki_intl.report.formatting import change, fmt_date
from hki_intl.report.scraps import read_headlines
from hki_intl.report.targets import Assessment, assess
from hki_intl.workbook.schema import STATUS_DATA, STATUS_EMPTY, STATUS_NIL


@dataclass
class Context:
    year: int
    lang: str
    tables: Tables
    report: Report
    data_dir: Path | None = None  # the run's complete tables (cache/tables/; the highlights' photos are there)

    @property
    def strategy(self):
        return self.report.strategy

    @property
    def t(self):
        return self.report.t

    @cached_property
    def previous_year(self) -> int | None:
        return an.previous_year(self.tables, self.year)

    @cached_property
    def compared_years(self) -> list[int]:
        """The years shown side by side in charts: those with data, up to the report year."""
        return sorted(int(y) for y in self.tables["submissions"]["year"].unique() if y <= self.year)

    @cached_property
    def targets(self) -> list[Assessment]:
        """Every target of params/targets.yaml judged in the report year (none without the file)."""
        return assess(self.tables, self.year, self.strategy, self.report.targets)

    def targets_of(self, goal: str) -> list[Assessment]:
        return [a for a in self.targets if a.goal == goal]

    def label(self, codelist: str, code: object) -> str:
        return self.report.label(codelist, code)

    def text(self, value: object) -> str:
        return self.report.user_text(value)


PERSONAL_DATA_HINT = r"@|\d[\d \-()]{5,}\d"  # every e-mail address and phone number render masks contains one


def mask_tables(tables: Tables, report: Report) -> Tables:
    """The tables as the report may show them: in every free-text column (and in the problem
    messages, which quote cells) e-mail addresses and phone numbers are masked."""
    masked = dict(tables)
    for name, columns in free_text_columns().items():
        if name in masked:
            # A new frame that shares its columns with the read one until a column is masked
            # (pandas copies on write): three languages' tables cost little more than one.
            frame = masked[name].copy(deep=False)
            for column in columns:
                # Only values that could hold an address or a number are masked value by value
                # (a cheap vectorised test first: the tables can have 100,000 rows).
                text = frame[column].astype("string")
                candidates = text.str.contains(PERSONAL_DATA_HINT, regex=True, na=False)
                if candidates.any():
                    frame[column] = frame[column].astype(object)
                    frame.loc[candidates, column] = [report.user_text(v) for v in frame.loc[candidates, column]]
            masked[name] = frame
    return masked


def open_context(year: int, data_dir: str | Path, lang: str, params_dir: str | Path = PARAMS_DIR) -> Context:
    report = Report(lang, Path(params_dir))
    return Context(int(year), lang, mask_tables(read_tables(Path(data_dir)), report), report, Path(data_dir))


_READ: dict[tuple, Tables] = {}
_MASKED: dict[tuple, Tables] = {}


def tables_of(data_dir: Path) -> Tables:
    """The consolidated tables of ``data_dir`` (:func:`read_tables`), read once per process for
    the same files: a worker that runs several notebooks of a run reads them once. The files
    are known by their size and modification time; a table is never changed in place (a
    block that needs other values makes a new frame)."""
    return dict(_read_once(data_dir)[1])


def masked_tables_of(data_dir: Path, report: Report, params_dir: str | Path) -> Tables:
    """:func:`mask_tables` of :func:`tables_of` in the report's language, made once per process
    for the same files, language and params: the worker that runs the last goal notebook and the
    summary masks once (at 20 times the example, 0.6 s a notebook)."""
    files, tables = _read_once(data_dir)
    key = (files, report.lang, str(Path(params_dir).resolve()))
    if key not in _MASKED:
        _MASKED[key] = mask_tables(tables, report)
    return dict(_MASKED[key])


def _read_once(data_dir: Path) -> tuple[tuple, Tables]:
    """The key of ``data_dir``'s files and their tables, read if the files are new to this process."""
    key = _files_key(data_dir)
    if key not in _READ:
        _READ.clear()
        _MASKED.clear()
        _READ[key] = read_tables(Path(data_dir))
    return key, _READ[key]


def _files_key(data_dir: Path) -> tuple:
    files = sorted(Path(data_dir).glob("*.csv"))
    return (str(Path(data_dir).resolve()), *((f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in files))


class Chapter:
    """A notebook's view of the report in every language it renders.

    The notebooks render each block in all the report languages at once (``lang`` is
    ``"fi,sv,en"`` or one of them); every output is tagged with its language and the assembly
    picks one, so changing the report's language needs no notebook to run again.
    """

    def __init__(self, year: int, data_dir: str | Path, lang: str, params_dir: str | Path = PARAMS_DIR):
        langs = [code.strip() for code in str(lang).split(",") if code.strip()]
        reports = [Report(code, Path(params_dir)) for code in langs]
        self.contexts = [
            Context(int(year), r.lang, masked_tables_of(Path(data_dir), r, params_dir), r, Path(data_dir)) for r in reports
        ]

    @property
    def primary(self) -> Context:
        """The first language's context: for what does not depend on language (figures, scraps)."""
        return self.contexts[0]

    def show(self, block, *args) -> None:
        """Render ``block(ctx, *args)`` in every language and display each, tagged (a block with
        nothing to show in a language, an analyst's part not written, displays nothing)."""
        from hki_intl.report.blocks import show

        for ctx in self.contexts:
            html = block(ctx, *args)
            if html:
                show(html, ctx.lang)


# --- shared blocks ------------------------------------------------------------------------------


def goal_intro(ctx: Context, goal: str, figures: list[Headline]) -> str:
    """The chapter heading, its key messages (with the numbers) and the headline cards."""
    rep = ctx.report
    title = ctx.strategy.goals.label(goal, ctx.lang)
    return (
        rep.heading(title, 1, anchor=goal)
        + rep.heading(ctx.t("common.key_messages"), 2, anchor=f"{goal}-key-messages")
        + rep.bullets(goals.key_messages(ctx, goal, figures))
        + rep.headline_cards(figures, ctx.year, ctx.previous_year, ctx.targets_of(goal))
        + goal_targets(ctx, goal)
    )


def goal_targets(ctx: Context, goal: str) -> str:
    """The goal's targets as a small table (each with its note), also those of figures that are
    not a headline box; nothing when the goal has none."""
    assessed = ctx.targets_of(goal)
    return ctx.report.targets_table(assessed, ctx.t("target.table.caption", year=ctx.year)) if assessed else ""


def summary_targets(ctx: Context, goal: str, shown: list[Headline]) -> str:
    """The goal's targets whose figure has no box on the summary's page, in one short line."""
    boxed = {h.id for h in shown}
    rest = [a for a in ctx.targets_of(goal) if a.figure not in boxed]
    if not rest:
        return ""
    rep = ctx.report
    lines = [
        ctx.t(
            "target.summary_line",
            label=rep.figure_label(a.figure, a.goal),
            target=rep.target_text(a),
            verdict=rep.verdict(a)["text"],
        )
        for a in rest
    ]
    return rep.paragraph("; ".join(lines) + ".")


def years_text(ctx: Context) -> str:
    return ", ".join(str(y) for y in ctx.compared_years)


def _takeaway_top(
    ctx: Context, data: pd.DataFrame, label_column: str, value: str = "count", money: bool = False, key: str = ""
) -> str:
    """The chart's takeaway: its own point (the text ``chart.<key>.takeaway``) when the texts
    have one and every figure it names is known, else the general "the most: …" sentence."""
    current = data[data["year"] == ctx.year].sort_values([value, label_column], ascending=[False, True])
    if current.empty:
        return ctx.t("chart.takeaway_empty", year=ctx.year)
    top = current.iloc[0]
    rep = ctx.report
    show = rep.eur if money else rep.number
    total = current[value].sum()
    figures: dict[str, object] = dict(
        year=ctx.year,
        top=top[label_column],
        count=show(top[value]),
        total=show(total),
        share=rep.percent(top[value] / total if total else None),
    )
    before = data[data["year"] == ctx.previous_year] if ctx.previous_year is not None else data.iloc[0:0]
    if len(before):
        top_before = before.loc[before[label_column] == top[label_column], value].sum()
        top_change, total_change = change(top[value], top_before), change(total, before[value].sum())
        figures |= dict(previous_year=ctx.previous_year)
        figures |= {
            k: rep.percent(v, signed=True) for k, v in (("top_change", top_change), ("change", total_change)) if v is not None
        }
    own = f"chart.{key}.takeaway"
    if own in ctx.t.table and placeholders(ctx.t.table[own][ctx.lang]) <= set(figures):
        return ctx.t(own, **figures)
    return ctx.t("chart.takeaway_top", **figures)


def year_comparison(
    ctx: Context,
    data: pd.DataFrame,
    column: str,
    codelist: str,
    key: str,
    figure: str,
    value: str = "count",
    money: bool = False,
    words: dict[str, str] | None = None,
    goal: str | None = None,
) -> str:
    """A grouped bar chart of ``value`` (the catalogue's ``figure``: its label is the value
    axis) by ``column`` (codes of ``codelist``) and year; its other words are the texts
    ``chart.<key>.*``, filled with the years and ``words`` (a goal's name, say)."""
    words = words or {}
    t, rep = ctx.t, ctx.report
    codes = ctx.strategy.codes(codelist)
    labels = codes.labels(ctx.lang)
    data = data.assign(label=data[column].map(labels).fillna(data[column]))
    order = [labels[c] for c in codes.ids if c in set(data[column])]
    show = rep.eur if money else rep.number
    chart = grouped_bars(
        data,
        "label",
        value,
        t(f"chart.{key}.category"),
        rep.figure_label(figure, goal),
        t("common.year"),
        order,
        value_format=",.0f" if money else ",d",
        lang=ctx.lang if money else None,
    )
    description = (
        t(f"chart.{key}.description", years=years_text(ctx), **words)
        + " "
        + "; ".join(f"{r['label']} {r['year']}: {show(r[value])}" for _, r in data.iterrows())
    )
    wide = data.pivot_table(index=column, columns="year", values=value, aggfunc="sum", fill_value=0)
    wide = wide.reindex([c for c in codes.ids if c in wide.index] + [c for c in wide.index if c not in codes.ids])
    years = [int(c) for c in wide.columns]
    wide.columns = [str(c) for c in wide.columns]
    columns = [TableColumn(column, t(f"chart.{key}.category"), lambda code: labels.get(code, code))]
    columns += [TableColumn(str(y), str(y), show, numeric=True, figure=figure, year=y) for y in years]
    table = rep.table(wide.reset_index(), columns, t(f"chart.{key}.title", years=years_text(ctx), **words), category=[column])
    return rep.chart(
        chart,
        t(f"chart.{key}.title", years=years_text(ctx), **words),
        _takeaway_top(ctx, data, "label", value, money, key),
        description,
        table,
    )


def comparison_chart(
    ctx: Context,
    table: str,
    column: str,
    codelist: str,
    key: str,
    figure: str,
    where: pd.Series | None = None,
    words: dict[str, str] | None = None,
    goal: str | None = None,
) -> str:
    """Counts of ``table`` rows (the catalogue's ``figure``) by ``column`` for every compared
    year, as a grouped bar chart."""
    frame = ctx.tables[table]
    if where is not None:
        frame = frame[where]
    data = an.count_by_year(frame, column, ctx.compared_years)
    return year_comparison(ctx, data, column, codelist, key, figure, words=words, goal=goal)


def types_table(ctx: Context, types: list[str], key: str, goal: str | None = None) -> str:
    """Counts of activity types per compared year, with the change from the previous year: all
    activities, or one goal's."""
    rep, t = ctx.report, ctx.t
    figure = goals.activities_figure(ctx.strategy, goal) if goal else "activities"
    frame = an.activity_types_by_year(ctx.tables, ctx.compared_years, types, goal)
    years = list(ctx.compared_years)
    columns = [TableColumn("activity_type", t("common.type"), lambda v: ctx.label("activity_types", v))]
    columns += [TableColumn(str(y), str(y), rep.number, numeric=True, figure=figure, year=y) for y in years]
    now = int(frame[str(ctx.year)].sum()) if str(ctx.year) in frame else 0
    before = int(frame[str(ctx.previous_year)].sum()) if ctx.previous_year and str(ctx.previous_year) in frame else None
    takeaway = (
        rep.t(
            "table.types_change",
            year=ctx.year,
            count=rep.number(now),
            change=rep.percent(change(now, before), signed=True),
            previous_year=ctx.previous_year,
        )
        if before is not None
        else rep.t("table.types_count", year=ctx.year, count=rep.number(now))
    )
    caption = t(f"table.{key}.caption", years=years_text(ctx)) + " — " + rep.figure_label(figure, goal)
    return rep.table(frame, columns, caption, total=t("common.total"), takeaway=takeaway, category=["activity_type"])


LISTED_ROWS = 40  # record lists (memberships, agreements, visits, findings) show at most this many rows


def listed(ctx: Context, frame: pd.DataFrame, *tables: str) -> tuple[pd.DataFrame, str]:
    """The first rows of a record list and, if some were left out, a sentence saying how many
    and where the analyst finds all of them — the report stays readable at any data volume."""
    if len(frame) <= LISTED_ROWS:
        return frame, ""
    more = ctx.report.paragraph(
        ctx.t(
            "table.more_rows",
            count=ctx.report.number(len(frame) - LISTED_ROWS),
            file=", ".join(f"data/{table}.csv" for table in tables),
        )
    )
    return frame.head(LISTED_ROWS), more


def city_label(ctx: Context, city: str) -> str:
    return ctx.strategy.codes("cities").label(city, ctx.lang)


def city_name(ctx: Context, typed: object) -> str:
    """A city as a workbook names it (in any language), in the report's language where
    params/strategy.yaml knows the city (``Vilna`` is ``Vilnius`` in English), else as typed."""
    code = ctx.strategy.codes("cities").lookup.get(normalise_key(str(typed))) if isinstance(typed, str) else None
    return city_label(ctx, code) if code else ctx.text(typed)


def organisation_table(ctx: Context, goal: str) -> str:
    """The goal's activities and their external funding per organisation."""
    rep, t = ctx.report, ctx.t
    frame = an.activities_by_organisation(ctx.tables, ctx.year, goal)
    activities = goals.activities_figure(ctx.strategy, goal)
    columns = [
        TableColumn("organisation", t("common.organisation"), lambda v: ctx.label("organisations", v)),
        TableColumn("activities", rep.figure_label(activities, goal), rep.number, numeric=True, figure=activities),
        TableColumn(
            "external_funding_eur",
            rep.figure_label("goal_external_funding_eur", goal),
            rep.eur,
            numeric=True,
            figure="goal_external_funding_eur",
        ),
    ]
    takeaway = ""
    if len(frame):
        top = frame.iloc[0]
        takeaway = t(
            "table.organisations.takeaway",
            organisation=ctx.label("organisations", top["organisation"]),
            share=rep.percent(top["activities"] / frame["activities"].sum()),
        )
    return rep.table(
        frame,
        columns,
        t("table.organisations.caption", goal=ctx.strategy.goals.label(goal, ctx.lang), year=ctx.year),
        total=t("common.total"),
        takeaway=takeaway,
        year=ctx.year,
        category=["organisation"],
    )


# --- summary ------------------------------------------------------------------------------------


def cover(ctx: Context, report_date: dt.date) -> str:
    rep, t = ctx.report, ctx.t
    return rep.cover(
        rep.heading(t("report.title", year=ctx.year), 1, anchor="report-title"),
        rep.paragraph(t("report.subtitle")),
        rep.paragraph(t("report.date", date=fmt_date(report_date, ctx.lang))),
    )


def read_goal_headlines(ctx: Context, chapters_dir: str | Path) -> dict[str, list[Headline]]:
    """The headline figures each executed goal notebook glued, by goal (the executed copy of a
    goal's notebook is named by the goal's id, whatever notebook made it)."""
    return {goal: read_headlines(Path(chapters_dir) / f"{goal}.ipynb") for goal in ctx.strategy.goals.ids}


SUMMARY_CARDS = 3  # headline boxes per goal on the summary's page (the goal's chapter shows all of them)
CHANGES = 3  # the most important changes the summary names
CHANGE_MIN_BASE = 10  # a change from fewer than this many (or euros) is not among the most important


def executive_summary(ctx: Context, figures_by_goal: dict[str, list[Headline]]) -> str:
    """The message first: how each goal went this year against earlier years, with the figures
    that show it; the most important changes; the decisions asked of leadership (linked to the
    findings); then the headline boxes, fewer and grouped by goal.
    The table of contents follows it (:data:`CONTENTS_HERE`)."""
    rep, t = ctx.report, ctx.t
    earlier = [y for y in ctx.compared_years if y < ctx.year]
    parts = [
        rep.heading(t("summary.heading"), 1, anchor="summary"),
        rep.paragraph(
            t("summary.intro", year=ctx.year, years=", ".join(str(y) for y in earlier))
            if earlier
            else t("summary.intro_first", year=ctx.year)
        ),
    ]
    for goal in ctx.strategy.goals.ids:
        parts.append(rep.heading(ctx.strategy.goals.label(goal, ctx.lang), 2, anchor=f"summary-{goal}"))
        parts.append(rep.paragraph(" ".join(goal_sentences(ctx, goal, figures_by_goal.get(goal, [])))))
    changes = important_changes(ctx, figures_by_goal)
    if changes:
        parts += [rep.heading(t("summary.changes"), 2, anchor="summary-changes"), rep.bullets(changes)]
    parts.append(decisions_summary(ctx))
    parts.append(rep.heading(t("summary.figures"), 2, anchor="summary-figures"))
    for goal in ctx.strategy.goals.ids:
        figures = figures_by_goal.get(goal, [])[:SUMMARY_CARDS]
        parts.append(rep.heading(ctx.strategy.goals.label(goal, ctx.lang), 3, anchor=f"summary-figures-{goal}"))
        parts.append(rep.headline_cards(figures, ctx.year, ctx.previous_year, ctx.targets_of(goal), compact=True))
        parts.append(summary_targets(ctx, goal, figures))
    # one page in print: the summary's own compact layout (publish/templates/pdf.css, .summary)
    # its featured highlights follow on the next page (on the summary's page they did not fit)
    return '<div class="summary">' + "".join(parts) + "</div>" + highlights.featured_block(ctx) + CONTENTS_HERE


def goal_sentences(ctx: Context, goal: str, figures: list[Headline]) -> list[str]:
    """How a goal went: its first two headline figures this year, against the year before and
    the first year compared (each figure's value every year from the goal's own figures)."""
    years = [y for y in ctx.compared_years if y < ctx.year]
    history = {y: {h.id: h.value for h in goals.compute_headlines(ctx.tables, y, ctx.strategy, goal)} for y in years}
    sentences = []
    activities = next((f for f in figures if f.id == goals.activities_figure(ctx.strategy, goal)), None)
    if activities is not None:
        earlier = [v for v in (history[y].get(activities.id) for y in years) if v is not None]
        sentences.append(ctx.t(f"summary.verdict.{verdict(activities.value, activities.previous, earlier)}", year=ctx.year))
    for figure in figures[:2]:
        sentences.append(_trend_sentence(ctx, figure, [(y, history[y].get(figure.id)) for y in years]))
    return sentences


LEVEL = 0.02  # a change within ±2 % from the year before is "at the same level"


def verdict(value: float | None, previous: float | None, earlier: list[float]) -> str:
    """How a goal's work went, in one word, from its activities this year (``value``), the year
    before and every earlier year compared: ``highest`` / ``lowest`` of all the years (two earlier
    years at least), else ``up`` / ``down`` / ``level`` against the year before; ``new`` when
    there is nothing to compare with."""
    if value is None or previous is None or not earlier:
        return "new"
    if len(earlier) >= 2 and value > max(earlier):
        return "highest"
    if len(earlier) >= 2 and value < min(earlier):
        return "lowest"
    rel = change(value, previous)
    if rel is None or abs(rel) < LEVEL:
        return "level"
    return "up" if rel > 0 else "down"


def _trend_sentence(ctx: Context, figure: Headline, earlier: list[tuple[int, float | None]]) -> str:
    """``<label>: <value> in <year>, up 12 % on 2024 (480); 2023: 410.``"""
    rep, t = ctx.report, ctx.t
    label = rep.figure_label(figure.id, figure.goal)
    value = rep.value(figure)
    if ctx.previous_year is None or figure.previous is None:
        return t("summary.figure_only", label=label, value=value, year=ctx.year)
    rel = change(figure.value, figure.previous)
    trend = (
        t("summary.trend_none")
        if not rel
        else t("summary.trend_up" if rel > 0 else "summary.trend_down", change=rep.percent(abs(rel)))
    )
    first = [(y, v) for y, v in earlier if y < ctx.previous_year and v is not None][:1]
    sentence = t(
        "summary.figure_trend",
        label=label,
        value=value,
        year=ctx.year,
        trend=trend,
        previous_year=ctx.previous_year,
        previous=rep.value(figure, "previous"),
    )
    if first:
        year, amount = first[0]
        shown = rep.eur(amount) if figure.unit == "eur" else rep.number(amount)
        sentence = sentence.removesuffix(".") + t("summary.figure_earlier", year=year, value=shown)
    return sentence


def important_changes(ctx: Context, figures_by_goal: dict[str, list[Headline]]) -> list[str]:
    """The headline figures that changed most from the year before (relatively; figures from a
    small base left out), largest first: one sentence each."""
    rep, t = ctx.report, ctx.t
    candidates: dict[str, tuple[float, float, Headline]] = {}
    for figures in figures_by_goal.values():
        for figure in figures:
            rel = change(figure.value, figure.previous)
            if rel and figure.previous is not None and abs(figure.previous) >= CHANGE_MIN_BASE:
                candidates.setdefault(figure.id, (abs(rel), rel, figure))
    ranked = sorted(candidates.values(), key=lambda c: (-c[0], c[2].id))[:CHANGES]
    return [
        t(
            "summary.change_up" if rel > 0 else "summary.change_down",
            label=rep.figure_label(figure.id, figure.goal),
            change=rep.percent(abs(rel)),
            previous_year=ctx.previous_year,
            previous=rep.value(figure, "previous"),
            year=ctx.year,
            value=rep.value(figure),
        )
        for _, rel, figure in ranked
    ]


FINDING_EXAMPLES = 3  # a line of repeated findings names at most this many of their items


@dataclass(frozen=True)
class RuleFindings:
    """One rule's findings in the report year, as leadership reads them: for the findings part,
    and for the executive summary's list of the decisions asked of leadership (:func:`decisions`)."""

    rule: str  # the rule's id in params/strategy.yaml ``findings``
    label: str  # what a breach of the rule is, in the context's language
    decision: str  # the question leadership decides, in the context's language
    count: int  # the rule's findings
    organisations: int  # the organisations they concern
    lines: tuple[str, ...]  # one line per organisation: its name, how many, and the items (escaped when shown)

    @property
    def anchor(self) -> str:
        """The id of the rule's heading in the findings part (the summary links to it)."""
        return f"finding-{self.rule.replace('_', '-')}"


def decisions(ctx: Context) -> list[RuleFindings]:
    """The decisions asked of leadership: each rule with at least one finding in the report year,
    in the order params/strategy.yaml lists the rules, with its question, how many findings it
    has and in how many organisations, in ``ctx.lang``."""
    frame = an.findings_for_decision(an.findings(ctx.tables, ctx.year, ctx.strategy))
    rules = ctx.strategy.codes("findings")
    found = []
    for rule, lines in frame.groupby("rule", sort=False):
        entry = rules.get(str(rule)) or {}
        found.append(
            RuleFindings(
                rule=str(rule),
                label=str(entry[ctx.lang]),
                decision=str(entry["decision"][ctx.lang]),
                count=int(lines["count"].sum()),
                organisations=len(lines),
                lines=tuple(_finding_line(ctx, str(rule), r.organisation, r.items) for r in lines.itertuples()),
            )
        )
    return found


def decisions_summary(ctx: Context) -> str:
    """The executive summary's list of the decisions asked of leadership: per rule with findings,
    its question (a link to the rule's findings) and how many findings in how many organisations.
    One line each, so that the summary keeps to one page."""
    rep, t = ctx.report, ctx.t
    found = decisions(ctx)
    parts = [rep.heading(t("summary.decisions"), 2, anchor="summary-decisions")]
    if not found:
        return "".join(parts) + rep.paragraph(t("summary.no_decisions"))
    items = []
    for rule in found:
        counts = t("summary.decision_counts", count=rep.count(rule.count), organisations=rep.count(rule.organisations))
        items.append(Markup(f'<a href="#{rule.anchor}">{escape(rule.decision)}</a> {escape(counts)}'))
    return "".join(parts) + rep.bullets(items)


def findings_block(ctx: Context) -> str:
    """The findings grouped by rule: the decision leadership is asked to take, how many findings
    in how many organisations, and one line per organisation (repeated findings collapsed)."""
    rep, t = ctx.report, ctx.t
    rules = decisions(ctx)
    parts = [
        rep.heading(t("findings.heading"), 2, anchor="findings"),
        rep.paragraph(t("findings.intro", count=rep.count(sum(r.count for r in rules)))),
    ]
    if not rules:
        return "".join(parts) + rep.paragraph(t("findings.none"))
    for rule in rules:
        parts += [
            rep.heading(rule.label, 3, anchor=rule.anchor),
            rep.paragraph(Markup(f"<strong>{escape(t('findings.decide'))}</strong> {escape(rule.decision)}")),
            rep.paragraph(t("findings.counts", count=rep.count(rule.count), organisations=rep.count(rule.organisations))),
            rep.bullets(rule.lines),
        ]
    return "".join(parts)


def _finding_line(ctx: Context, rule: str, organisation: str, items: tuple) -> str:
    """``Organisation: item``, or ``Organisation: 8 findings, for example a, b, c`` for repeated ones."""
    name = ctx.label("organisations", organisation)
    texts = [_finding_item(ctx, rule, item) for item in items if isinstance(item, str) and item]
    if not texts:
        return name
    if len(texts) == 1:
        return ctx.t("findings.line_one", organisation=name, item=texts[0])
    key = "findings.line_all" if len(texts) <= FINDING_EXAMPLES else "findings.line_more"
    shown = ", ".join(texts[:FINDING_EXAMPLES])
    return ctx.t(key, organisation=name, count=ctx.report.count(len(texts)), items=shown)


def _finding_item(ctx: Context, rule: str, item: str) -> str:
    if rule.startswith("membership_"):
        return ctx.label("networks", item)
    if rule == "twin_city_without_goal":
        return city_name(ctx, item)
    return ctx.t("examples.quoted", text=ctx.text(item))  # an activity's title, in the workbook's words


def focus_goal_heatmap(ctx: Context) -> str:
    rep, t = ctx.report, ctx.t
    data = an.focus_by_goal(ctx.tables, ctx.year)
    focus, goals = ctx.strategy.focus_areas, ctx.strategy.goals
    data = data.assign(
        focus=data["focus_area"].map(lambda c: focus.label(c, ctx.lang)),
        goal_label=data["goal"].map(lambda c: goals.label(c, ctx.lang)),
    )
    chart = heatmap(
        data.assign(goal_axis=data["goal_label"].map(wrap_label)),
        "goal_axis",
        "focus",
        "count",
        t("common.goal"),
        t("chart.competence_focus.category"),
        t("common.activities"),
        [wrap_label(goals.label(g, ctx.lang)) for g in goals.ids],
        [focus.label(f, ctx.lang) for f in focus.ids],
        x_label="goal_label",
    )
    description = (
        t("chart.heatmap.description", year=ctx.year)
        + " "
        + "; ".join(f"{r.focus} – {r.goal_label}: {rep.number(r.count)}" for r in data.itertuples())
    )
    top = data.sort_values(["count", "focus"], ascending=[False, True]).iloc[0] if len(data) else None
    takeaway = (
        t("chart.heatmap.takeaway", focus=top["focus"], goal=top["goal_label"], count=rep.number(top["count"]))
        if top is not None
        else ""
    )
    wide = data.pivot_table(index="focus_area", columns="goal", values="count", aggfunc="sum", fill_value=0)
    wide = wide.reindex(index=[f for f in focus.ids if f in wide.index], columns=[g for g in goals.ids if g in wide.columns])
    columns = [TableColumn("focus_area", t("chart.competence_focus.category"), lambda c: focus.label(c, ctx.lang))]
    columns += [
        TableColumn(g, goals.label(g, ctx.lang), rep.number, numeric=True, figure="activities", category=f"goal:{g}")
        for g in wide.columns
    ]
    table = rep.table(
        wide.reset_index(), columns, t("chart.heatmap.title", year=ctx.year), year=ctx.year, category=["focus_area"]
    )
    return rep.heading(t("overview.heading"), 2, anchor="overview") + rep.chart(
        chart, t("chart.heatmap.title", year=ctx.year), takeaway, description, table
    )


def organisations_goal_table(ctx: Context) -> str:
    rep, t = ctx.report, ctx.t
    goals = ctx.strategy.goals
    frame = an.organisations_by_goal(ctx.tables, ctx.year, goals.ids)
    columns = [TableColumn("organisation", t("common.organisation"), lambda v: ctx.label("organisations", v))]
    columns += [
        TableColumn(g, goals.label(g, ctx.lang), rep.number, numeric=True, figure="activities", category=f"goal:{g}")
        for g in goals.ids
    ]
    columns += [TableColumn("total", rep.figure_label("activities"), rep.number, numeric=True, figure="activities")]
    return rep.table(
        frame,
        columns,
        t("table.org_goals.caption", year=ctx.year),
        total=t("common.total"),
        takeaway=t("table.org_goals.takeaway", count=rep.count(len(frame))),
        year=ctx.year,
        category=["organisation"],
    )


ORGANISATION_FIGURES = (  # (column of analysis.organisation_profile, catalogue figure, format)
    ("activities", "activities", "number"),
    ("external_funding_eur", "external_funding_eur", "eur"),
    ("visits", "visits", "number"),
    ("media_items", "media_items", "number"),
    ("network_memberships", "network_memberships", "number"),
)


def organisation_parts(ctx: Context) -> str:
    """The organisations at a glance (one table, each figure from the catalogue), then one short
    part per organisation that reported: its largest activities."""
    rep, t = ctx.report, ctx.t
    subs = in_year(ctx.tables["submissions"], ctx.year)
    submitted = set(subs.loc[subs["status"] == STATUS_DATA, "organisation"])  # a nil return has no figures
    orgs = [o for o in ctx.strategy.organisations_in(ctx.year) if o in submitted]
    profiles = pd.DataFrame([{"organisation": org, **an.organisation_profile(ctx.tables, ctx.year, org)} for org in orgs])
    columns = [TableColumn("organisation", t("common.organisation"), lambda v: ctx.label("organisations", v))]
    columns += [
        TableColumn(key, rep.figure_label(figure), getattr(rep, kind), numeric=True, figure=figure)
        for key, figure, kind in ORGANISATION_FIGURES
    ]
    parts = [rep.heading(t("organisations.heading"), 1, anchor="organisations")]
    if len(profiles):
        caption = t("organisations.overview", year=ctx.year)
        parts.append(rep.table(profiles, columns, caption, year=ctx.year, category=["organisation"]))
    for org in orgs:
        parts.append(rep.heading(ctx.label("organisations", org), 2, anchor=f"org-{org}"))
        parts.append(highlights.organisation_list(ctx, org))
        largest = an.largest_activities(ctx.tables, ctx.year, org)
        columns = [
            TableColumn("title", t("common.title"), ctx.text),
            TableColumn("activity_type", t("common.type"), lambda v: ctx.label("activity_types", v)),
            TableColumn("focus_area", t("chart.competence_focus.category"), lambda v: ctx.label("focus_areas", v)),
            TableColumn(
                "budget_eur", rep.figure_label("activity_budget_eur"), rep.eur, numeric=True, figure="activity_budget_eur"
            ),
        ]
        parts.append(
            rep.table(
                largest,
                columns,
                t("organisations.largest", year=ctx.year),
                year=ctx.year,
                category=["source_file", "source_row"],  # the activity (two may share a title)
            )
        )
    return "".join(parts)


def data_quality(ctx: Context) -> str:
    """Who sent data, who stated a nil return, who sent an untouched template (listed apart from
    real submissions: it may have been sent by mistake), who is missing, and what was left out."""
    rep, t = ctx.report, ctx.t
    submitted = in_year(ctx.tables["submissions"], ctx.year)
    status = dict(zip(submitted["organisation"], submitted["status"], strict=True))
    expected = ctx.strategy.organisations_in(ctx.year)
    words = {STATUS_DATA: t("quality.submitted"), STATUS_NIL: t("quality.nil_return"), STATUS_EMPTY: t("quality.empty")}
    frame = pd.DataFrame(
        [[org, words[status[org]] if org in status else t("quality.missing")] for org in expected],
        columns=["organisation", "status"],
    )
    columns = [
        TableColumn("organisation", t("common.organisation"), lambda v: ctx.label("organisations", v)),
        TableColumn("status", t("quality.status")),
    ]
    problems = ctx.tables["problems"]
    problems = problems[problems["severity"] == "error"]
    missing = sum(1 for org in expected if org not in status)
    parts = [
        rep.heading(t("quality.heading"), 1, anchor="data-quality"),
        rep.paragraph(
            t(
                "quality.intro" if missing else "quality.intro_all",
                year=ctx.year,
                expected=len(expected),
                submitted=sum(1 for org in expected if status.get(org) == STATUS_DATA),
                missing=rep.count(missing),
            )
        ),
    ]
    for kind, key in ((STATUS_NIL, "quality.nil_returns"), (STATUS_EMPTY, "quality.empty_templates")):
        names = [ctx.label("organisations", org) for org in expected if status.get(org) == kind]
        if names:  # listed apart: an empty template may have been sent by mistake
            parts.append(rep.paragraph(t(key, names=", ".join(names))))
    parts.append(rep.table(frame, columns, t("quality.caption", year=ctx.year)))
    if len(problems):
        parts.append(rep.paragraph(t("quality.rejected", count=rep.count(problems["file"].nunique()))))
        shown = problems.assign(
            where=[f"{r.sheet}!{r.cell}" if r.cell else r.sheet for r in problems.itertuples()],
            file=problems["file"].map(lambda f: Path(f).name),
        )
        parts.append(
            rep.table(
                shown,
                [
                    TableColumn("file", t("quality.file")),
                    TableColumn("where", t("quality.where")),
                    TableColumn(f"message_{ctx.lang}", t("quality.problem")),
                ],
                t("quality.problems_caption", year=ctx.year),
            )
        )
    return "".join(parts)


def method(ctx: Context, report_date: dt.date) -> str:
    rep, t = ctx.report, ctx.t
    sources = sorted({str(i["source"]) for i in ctx.strategy.data["indicators"]})
    return (
        rep.heading(t("method.heading"), 1, anchor="method")
        + rep.paragraph(t("method.text", source=ctx.strategy.source(ctx.lang)))
        + rep.paragraph(t("highlights.as_written"))
        + rep.paragraph(t("highlights.featured_rule"))
        + rep.paragraph(t("method.figures"))
        + target_rule(ctx)
        + figure_definitions(ctx)
        + rep.paragraph(t("method.sources"))
        + rep.bullets(sources)
        + rep.paragraph(t("method.map"))
        + rep.paragraph(t("report.date", date=fmt_date(report_date, ctx.lang)))
    )


def target_rule(ctx: Context) -> str:
    """How targets are judged (with targets only: params/targets.yaml is optional)."""
    if not ctx.targets:
        return ""
    rep, t = ctx.report, ctx.t
    return rep.heading(t("method.targets.heading"), 2, anchor="targets-rule") + rep.paragraph(t("method.targets.rule"))


def figure_definitions(ctx: Context) -> str:
    """Every figure of the catalogue with its label and its one-sentence definition."""
    rep, t = ctx.report, ctx.t
    chapter_goal = t("method.chapter_goal")
    frame = pd.DataFrame(
        [
            {
                "label": ctx.report.figures.label(f.id, ctx.lang, chapter_goal),
                "definition": ctx.report.figures.definition(f.id, ctx.lang),
            }
            for f in ctx.report.figures.model.figures
        ]
    )
    columns = [TableColumn("label", t("method.figure")), TableColumn("definition", t("method.definition"))]
    return rep.heading(t("method.definitions"), 2, anchor="definitions") + rep.table(frame, columns, t("method.definitions"))
