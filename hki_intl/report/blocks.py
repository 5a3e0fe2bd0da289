"""HTML blocks the notebooks display: headings, headline cards, tables and charts.

Every block is a macro of ``templates/blocks.html.j2``, rendered by Jinja2 with autoescape on:
every text is escaped unless it is passed as :class:`~markupsafe.Markup` (a rendered block put
inside another), so a ``<script>`` typed into a workbook shows as text. Texts from workbooks
also go through :meth:`Report.user_text`, which masks e-mail addresses and phone numbers
(personal data never reaches the report; the consolidated CSVs for analysts keep them). Words
come from ``params/texts.yaml`` and labels from ``params/strategy.yaml``; nothing a reader sees
is written here.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import pandas as pd
from markupsafe import Markup

from hki_intl import PARAMS_DIR
from hki_intl.config.params import Figures, Strategy, Targets, Texts, load_figures, load_strategy, load_targets, load_texts
from hki_intl.report.analysis import Headline
from hki_intl.report.charts import render
from hki_intl.report.formatting import Count, change, fmt_eur, fmt_number, fmt_percent

if TYPE_CHECKING:
    import altair as alt

    from hki_intl.report.targets import Assessment

EMAIL = re.compile(r"[\w.%+'-]+@[\w-]+(?:\.[\w-]+)+")
# A phone number starts with +, 00 or 0 (international and Finnish ways of writing one) and
# has 7 to 17 digits, grouped by spaces, hyphens or brackets: +358 40 123 4567, (09) 310 1234,
# 040-123 4567. Years, sums (4 924 251), dates and postal codes (00100) do not match.
PHONE = re.compile(r"(?<![\w+])(?:\+|00)\d[\d \-()]{5,}\d|(?<![\w+(])\(?0\d[\d \-()]{4,}\d")
PHONE_DIGITS = range(7, 18)


def mask_personal_data(text: str, email: str, phone: str) -> str:
    """``text`` with every e-mail address replaced by ``email`` and every phone number by ``phone``."""
    text = EMAIL.sub(email, text)
    return PHONE.sub(lambda m: phone if sum(ch.isdigit() for ch in m[0]) in PHONE_DIGITS else m[0], text)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass(frozen=True)
class TableColumn:
    """How one DataFrame column is shown: its header text and how a value is written."""

    key: str
    header: str
    format: Callable[[Any], str] = str  # any value of the column → its text
    numeric: bool = False
    figure: str | None = None  # the catalogue figure (params/figures.yaml) its numbers are
    year: int | None = None  # the year its numbers are for (default: the table's year)
    category: str | None = None  # what its numbers are about beyond the row's category (goal:competence)


class Report:
    """What a notebook needs to write its part of the report in one language."""

    def __init__(self, lang: str, params_dir: Path = PARAMS_DIR):
        self.lang = lang
        self.strategy: Strategy = load_strategy(params_dir)
        self.t: Texts = load_texts(lang, params_dir)
        self.figures: Figures = load_figures(params_dir, self.strategy)
        self.targets: Targets = load_targets(params_dir, self.strategy, self.figures)

    def figure_label(self, figure: str, goal: str | None = None) -> str:
        """A figure's label from the catalogue; a figure of a goal names the goal."""
        return self.figures.label(figure, self.lang, self.strategy.goals.label(goal, self.lang) if goal else "")

    # --- words and numbers -----------------------------------------------------------------
    def label(self, codelist: str, code: object) -> str:
        if code is None or (isinstance(code, float) and pd.isna(code)) or code is pd.NA:
            return "–"
        return self.strategy.codes(codelist).label(str(code), self.lang)

    def user_text(self, value: object) -> str:
        """A value a contributor typed, as the report shows it: ``–`` when empty, e-mail
        addresses and phone numbers masked in the report's language."""
        if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
            return "–"
        return mask_personal_data(str(value), self.t("privacy.email"), self.t("privacy.phone"))

    def number(self, value: float | None, decimals: int = 0) -> str:
        return fmt_number(value, self.lang, decimals)

    def count(self, value: float | int) -> Count:
        """A count for a text that writes the word after it in the singular for one
        (``{n:# toiminto|# toimintoa}``); plain ``{n}`` is the number."""
        return Count(value, self.number(value))

    def eur(self, value: float | None) -> str:
        return fmt_eur(value, self.lang)

    def percent(self, value: float | None, signed: bool = False) -> str:
        return fmt_percent(value, self.lang, signed=signed)

    def value(self, headline: Headline, which: str = "value") -> str:
        amount = getattr(headline, which)
        return self.eur(amount) if headline.unit == "eur" else self.number(amount)

    # --- HTML blocks (each a macro of templates/blocks.html.j2) ---------------------------
    def heading(self, text: str, level: int = 2, anchor: str | None = None) -> str:
        return _render("heading", text=text, level=level, anchor=anchor or slug(text))

    def cover(self, *blocks: str) -> str:
        """The report's cover: rendered blocks (a heading, paragraphs) in its header."""
        return _render("cover", parts=Markup("".join(blocks)))

    def paragraph(self, text: str) -> str:
        return _render("paragraph", text=text)

    def bullets(self, items: Sequence[str]) -> str:
        return _render("bullets", items=items)

    def headline_sentence(self, headline: Headline, year: int, previous_year: int | None) -> str:
        label = self.figure_label(headline.id, headline.goal)
        rel = change(headline.value, headline.previous)
        if previous_year is None or rel is None:
            return self.t("sentence.headline_no_change", label=label, value=self.value(headline), year=year)
        return self.t(
            "sentence.headline_change",
            label=label,
            value=self.value(headline),
            year=year,
            change=self.percent(rel, signed=True),
            previous_year=previous_year,
            previous=self.value(headline, "previous"),
        )

    def headline_cards(
        self,
        headlines: Sequence[Headline],
        year: int,
        previous_year: int | None,
        targets: Sequence[Assessment] = (),
        compact: bool = False,
    ) -> str:
        """One card per headline figure: its value, its label and, when there is a year to
        compare with, the change; and the figure's target with its verdict, if it has one
        (``compact``: in one short line, for the summary's one page)."""
        by_figure = {(a.figure, a.goal): a for a in targets}
        cards = []
        for h in headlines:
            rel = change(h.value, h.previous)
            delta = None
            if previous_year is not None and rel is not None:
                delta = self.t("card.change", change=self.percent(rel, signed=True), previous_year=previous_year)
            label = self.figure_label(h.id, h.goal)
            assessed = by_figure.get((h.id, h.goal))
            target = verdict = None
            if assessed is not None and compact:
                verdict = self.verdict(assessed, self.target_text(assessed, short=True))
            elif assessed is not None:
                target, verdict = self.t("target.card", target=self.target_text(assessed)), self.verdict(assessed)
            card: dict[str, Any] = {"id": h.id, "value": self.value(h), "label": label, "delta": delta, "year": year}
            cards.append(card | {"target": target, "verdict": verdict})
        return _render("headline_cards", cards=cards)

    # --- targets (params/targets.yaml) ------------------------------------------------------
    def target_text(self, assessed: Assessment, short: bool = False) -> str:
        """What the target asks: ``50,0 milj. € vuonna 2027`` (``short``: ``2027: 50,0 milj. €``),
        or its direction (``kasvu``)."""
        target = assessed.target
        if target.direction is not None:
            return self.t(f"target.{target.direction}")
        amount = self.eur(target.value) if assessed.unit == "eur" else self.number(target.value)
        return self.t("target.short" if short else "target.value", value=amount, year=target.year)

    def verdict(self, assessed: Assessment, target: str | None = None) -> dict[str, str]:
        """The verdict in words (with ``target``: and the target, in one line), and its symbol:
        the words carry it, colour is never needed."""
        key = assessed.verdict
        text = self.t(f"target.verdict.{key}")
        if target is not None:
            text = self.t("target.compact", verdict=text, target=target)
        return {"key": key, "text": text, "symbol": self.t(f"target.symbol.{key}")}

    def targets_table(self, assessed: Sequence[Assessment], caption: str) -> str:
        """The targets of a chapter: the figure, the target, this year's value (marked with its
        figure), the verdict and the target's note."""
        year = assessed[0].year if assessed else 0
        headers = [self.t(f"target.table.{key}") for key in ("figure", "target")]
        headers += [str(year), self.t("target.table.verdict"), self.t("target.table.note")]
        rows = []
        for a in assessed:
            value = "–" if a.value is None else (self.eur(a.value) if a.unit == "eur" else self.number(a.value))
            target = self.target_text(a)
            rows.append(
                {
                    "label": self.figure_label(a.figure, a.goal),
                    "target": target[:1].upper() + target[1:],
                    "figure": a.figure,
                    "year": a.year,
                    "value": value,
                    "verdict": self.verdict(a),
                    "note": a.target.note[self.lang] if a.target.note is not None else "–",
                }
            )
        return _render("targets_table", caption=caption, headers=headers, rows=rows)

    def table(
        self,
        frame: pd.DataFrame,
        columns: Sequence[TableColumn],
        caption: str,
        total: str | None = None,
        takeaway: str = "",
        year: int | None = None,
        category: Sequence[str] = (),
        year_column: str | None = None,
    ) -> str:
        """An accessible HTML table with a caption (title and takeaway); ``total`` adds a row
        summing the numeric columns. A column of a catalogue figure marks each of its cells with
        the figure, the year (the column's, else ``year``) and the row's category (the values of
        the ``category`` columns; a row's own year is in ``year_column``, if given), so that a test
        can check that one figure, category and year never shows two numbers anywhere in the report."""
        rows = [[c.format(row[c.key]) for c in columns] for _, row in frame.iterrows()]
        totals = None if total is None else [c.format(frame[c.key].sum()) if c.numeric else None for c in columns[1:]]
        marks = [
            [_mark(c, int(row[year_column]) if year_column else year, _category(row, category)) for c in columns]
            for _, row in frame.iterrows()
        ]
        # a total is the sum over the rows shown: its category names them
        summed = "sum:" + ",".join(sorted(_category(row, category) for _, row in frame.iterrows()))
        total_marks = [_mark(c, year, summed) for c in columns[1:]]
        return _render(
            "table",
            columns=columns,
            rows=rows,
            caption=caption,
            takeaway=takeaway,
            total=total,
            totals=totals,
            marks=marks,
            total_marks=total_marks,
        )

    def chart(self, chart: alt.Chart, title: str, takeaway: str, description: str, data_table: str = "") -> str:
        """A figure: title and takeaway, the chart as a static SVG with a text alternative, the
        chart's Vega-Lite spec (the page upgrades it to an interactive chart when scripts run)
        and its data as a table (a rendered :meth:`table`) under a disclosure."""
        svg, spec = render(chart, self.lang, description)
        # vl-convert's SVG, the spec (made safe inside <script> by render) and the rendered table
        # are HTML already: they go into the figure as they are.
        return _render(
            "chart",
            title=title,
            takeaway=takeaway,
            description=description,
            svg=Markup(svg),
            spec=Markup(spec),
            show_data=self.t("chart.show_data"),
            data_table=Markup(data_table),
        )


def _category(row: pd.Series, columns: Sequence[str]) -> str:
    """``focus_area:climate|goal:competence``: what a table row's numbers are about."""
    return "|".join(f"{column}:{row[column]}" for column in columns)


def _mark(column: TableColumn, year: int | None, category: str) -> dict[str, object] | None:
    """The data attributes of a cell of a figure's column (None for other columns)."""
    if column.figure is None:
        return None
    if column.category:
        category = f"{category}|{column.category}" if category else column.category
    return {"figure": column.figure, "year": column.year if column.year is not None else year, "category": category}


# Where the page puts the table of contents: after the executive summary (the assembly splits
# the report's body here; an empty element survives nbconvert's re-serialisation as it is).
CONTENTS_HERE = '<div class="contents-here"></div>'

# html.escape's entities (MarkupSafe writes &#34; and &#39; for the quotes): the blocks, and so
# the executed notebooks, keep the bytes they had when they were f-strings.
ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"})


def escape(value: object) -> Markup:
    """``value`` as HTML text, safe in an element and in a quoted attribute; markup (anything
    with ``__html__``, such as :class:`Markup`) is kept as it is. The templates call it for
    every ``{{ … }}``, so escaping is the default and keeping markup has to be asked for."""
    if hasattr(value, "__html__"):
        return Markup(value.__html__())
    return Markup(str(value).translate(ENTITIES))


TEMPLATES = Path(__file__).parent / "templates"
ENVIRONMENT = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, finalize=escape, undefined=jinja2.StrictUndefined
)


@functools.cache
def _macros():
    """The macros of templates/blocks.html.j2, loaded once per process."""
    return ENVIRONMENT.get_template("blocks.html.j2").module


def _render(block: str, **values: object) -> str:
    """One block as a plain string (not Markup: chapters join and concatenate blocks as text)."""
    return str(getattr(_macros(), block)(**values))


LANG_METADATA = "hki_lang"


def show(html_text: str, lang: str | None = None) -> None:
    """Display an HTML block as one output of the current notebook cell, tagged with its
    language so that the assembly can pick one language out of a notebook that shows all."""
    from IPython.display import display

    display({"text/html": html_text}, raw=True, metadata={LANG_METADATA: lang} if lang else None)
