"""HTML blocks the notebooks display: headings, headline cards, tables and charts.

Every user-supplied text goes through :func:`html.escape`, so a ``<script>`` typed into a
workbook shows as text, and through :meth:`Report.user_text`, which masks e-mail addresses
and phone numbers (personal data never reaches the report; the consolidated CSVs for analysts
keep them). Words come from ``params/texts.yaml`` and labels from ``params/strategy.yaml``;
nothing a reader sees is written here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import altair as alt
import pandas as pd

from hki_intl import PARAMS_DIR
from hki_intl.config.params import Strategy, Texts, load_strategy, load_texts
from hki_intl.report.analysis import Headline
from hki_intl.report.charts import render
from hki_intl.report.formatting import change, fmt_eur, fmt_number, fmt_percent

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
    format: Callable[[object], str] = str
    numeric: bool = False


class Report:
    """What a notebook needs to write its part of the report in one language."""

    def __init__(self, lang: str, params_dir: Path = PARAMS_DIR):
        self.lang = lang
        self.strategy: Strategy = load_strategy(params_dir)
        self.t: Texts = load_texts(lang, params_dir)

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

    def eur(self, value: float | None) -> str:
        return fmt_eur(value, self.lang)

    def percent(self, value: float | None, signed: bool = False) -> str:
        return fmt_percent(value, self.lang, signed=signed)

    def value(self, headline: Headline, which: str = "value") -> str:
        amount = getattr(headline, which)
        return self.eur(amount) if headline.unit == "eur" else self.number(amount)

    # --- HTML blocks ------------------------------------------------------------------------
    def heading(self, text: str, level: int = 2, anchor: str | None = None) -> str:
        anchor = anchor or slug(text)
        return f'<h{level} id="{html.escape(anchor)}">{html.escape(text)}</h{level}>'

    def paragraph(self, text: str) -> str:
        return f"<p>{html.escape(text)}</p>"

    def bullets(self, items: Sequence[str]) -> str:
        return "<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>"

    def headline_sentence(self, headline: Headline, year: int, previous_year: int | None) -> str:
        label = self.t(f"headline.{headline.id}")
        rel = change(headline.value, headline.previous)
        if previous_year is None or rel is None:
            return self.t("sentence.headline_no_change", label=label, value=self.value(headline), year=year)
        return self.t("sentence.headline_change", label=label, value=self.value(headline), year=year,
                      change=self.percent(rel, signed=True), previous_year=previous_year,
                      previous=self.value(headline, "previous"))

    def headline_cards(self, headlines: Sequence[Headline], year: int, previous_year: int | None) -> str:
        cards = []
        for h in headlines:
            rel = change(h.value, h.previous)
            delta = ""
            if previous_year is not None and rel is not None:
                text = self.t("card.change", change=self.percent(rel, signed=True), previous_year=previous_year)
                delta = f'<span class="delta">{html.escape(text)}</span>'
            cards.append(
                f'<div class="card" data-metric="{html.escape(h.id)}"><span class="value">{html.escape(self.value(h))}</span>'
                f'<span class="label">{html.escape(self.t(f"headline.{h.id}"))}</span>{delta}</div>')
        return f'<div class="cards">{"".join(cards)}</div>'

    def table(self, frame: pd.DataFrame, columns: Sequence[TableColumn], caption: str, total: str | None = None,
              takeaway: str = "") -> str:
        """An accessible HTML table with a caption (title and takeaway); ``total`` adds a row
        summing the numeric columns."""
        num = ' class="num"'
        head = "".join(f'<th scope="col"{num if c.numeric else ""}>{html.escape(c.header)}</th>' for c in columns)
        body = []
        for _, row in frame.iterrows():
            cells = []
            for i, c in enumerate(columns):
                text = html.escape(c.format(row[c.key]))
                tag, scope = ("th", ' scope="row"') if i == 0 else ("td", "")
                cells.append(f"<{tag}{scope}{num if c.numeric else ''}>{text}</{tag}>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        foot = ""
        if total is not None:
            cells = [f'<th scope="row">{html.escape(total)}</th>'] + [
                (f"<td{num}>{html.escape(c.format(frame[c.key].sum()))}</td>" if c.numeric else "<td></td>")
                for c in columns[1:]]
            foot = "<tfoot><tr>" + "".join(cells) + "</tr></tfoot>"
        if takeaway:
            caption = f"<strong>{html.escape(caption)}</strong> {html.escape(takeaway)}"
        else:
            caption = html.escape(caption)
        return (f"<table><caption>{caption}</caption><thead><tr>{head}</tr></thead>"
                f"<tbody>{''.join(body)}</tbody>{foot}</table>")

    def chart(self, chart: alt.Chart, title: str, takeaway: str, description: str, data_table: str = "") -> str:
        """A figure: title and takeaway, the chart as a static SVG with a text alternative, the
        chart's Vega-Lite spec (the page upgrades it to an interactive chart when scripts run)
        and its data as a table under a disclosure."""
        svg, spec = render(chart, self.lang, description)
        svg = re.sub(r"^<svg ", f'<svg role="img" aria-label="{html.escape(description)}" ', svg, count=1)
        details = (f'<details class="chart-data"><summary>{html.escape(self.t("chart.show_data"))}</summary>'
                   f"{data_table}</details>") if data_table else ""
        return (f'<figure class="chart"><figcaption><strong>{html.escape(title)}</strong> '
                f'{html.escape(takeaway)}</figcaption><div class="chart-static">{svg}</div>'
                f'<div class="chart-live" hidden></div>'
                f'<script type="application/json" class="chart-spec">{spec}</script>{details}</figure>')


LANG_METADATA = "hki_lang"


def show(html_text: str, lang: str | None = None) -> None:
    """Display an HTML block as one output of the current notebook cell, tagged with its
    language so that the assembly can pick one language out of a notebook that shows all."""
    from IPython.display import display

    display({"text/html": html_text}, raw=True, metadata={LANG_METADATA: lang} if lang else None)
