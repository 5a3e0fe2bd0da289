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

from hki_intl import PARAMS_DIR
from hki_intl.config.params import normalise_key
from hki_intl.intake.tables import read_tables
from hki_intl.report import analysis as an
from hki_intl.report.analysis import HEADLINES, Headline, Tables, in_year
from hki_intl.report.blocks import Report, TableColumn
from hki_intl.report.charts import grouped_bars, heatmap, trend_lines, world_map, wrap_label
from hki_intl.report.formatting import change, fmt_date
from hki_intl.report.scraps import read_headlines
from hki_intl.workbook.schema import SHEETS, STATUS_DATA, STATUS_EMPTY, STATUS_NIL

TREND_INDICATORS = ("overnight_stays", "port_passengers", "airport_passengers")


@dataclass
class Context:
    year: int
    lang: str
    tables: Tables
    report: Report

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

    def label(self, codelist: str, code: object) -> str:
        return self.report.label(codelist, code)

    def text(self, value: object) -> str:
        return self.report.user_text(value)


PERSONAL_DATA_HINT = r"@|\d[\d \-()]{5,}\d"  # every e-mail address and phone number render masks contains one


def mask_tables(tables: Tables, report: Report) -> Tables:
    """The tables as the report may show them: in every free-text column (and in the problem
    messages, which quote cells) e-mail addresses and phone numbers are masked."""
    texts = {sheet.table: [c.key for c in sheet.columns if c.kind == "text"] for sheet in SHEETS}
    texts |= {"problems": ["message"], "submissions": ["contact_role"]}
    masked = dict(tables)
    for name, columns in texts.items():
        if name in masked:
            frame = masked[name].copy()
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
    return Context(int(year), lang, mask_tables(read_tables(Path(data_dir)), report), report)


class Chapter:
    """A notebook's view of the report in every language it renders.

    The notebooks render each block in all the report languages at once (``lang`` is
    ``"fi,sv,en"`` or one of them); every output is tagged with its language and the assembly
    picks one, so changing the report's language needs no notebook to run again.
    """

    def __init__(self, year: int, data_dir: str | Path, lang: str, params_dir: str | Path = PARAMS_DIR):
        tables = read_tables(Path(data_dir))
        langs = [code.strip() for code in str(lang).split(",") if code.strip()]
        reports = [Report(code, Path(params_dir)) for code in langs]
        self.contexts = [Context(int(year), r.lang, mask_tables(tables, r), r) for r in reports]

    @property
    def primary(self) -> Context:
        """The first language's context: for what does not depend on language (figures, scraps)."""
        return self.contexts[0]

    def show(self, block, *args) -> None:
        """Render ``block(ctx, *args)`` in every language and display each, tagged."""
        from hki_intl.report.blocks import show

        for ctx in self.contexts:
            show(block(ctx, *args), ctx.lang)


# --- shared blocks ------------------------------------------------------------------------------

def headlines(ctx: Context, goal: str) -> list[Headline]:
    return HEADLINES[goal](ctx.tables, ctx.year, ctx.strategy)


def key_tables(ctx: Context, goal: str) -> dict[str, pd.DataFrame]:
    """The tables each goal notebook glues beside its headline figures, for the summary and
    for anyone reading the executed notebooks."""
    tables, year = ctx.tables, ctx.year
    if goal == "competence":
        return {"funding_by_source": an.funding_by_source(tables, ctx.compared_years),
                "activities_by_organisation": an.activities_by_organisation(tables, year, goal)}
    if goal == "recognition":
        return {"media_by_country": an.media_by_country(tables, year), "indicators": an.indicator_series(tables, year)}
    return {"memberships": an.memberships(tables, year),
            "priority_cities": an.priority_city_cooperation(tables, year, ctx.strategy)}


def goal_intro(ctx: Context, goal: str, figures: list[Headline]) -> str:
    """The chapter heading, its key messages (with the numbers) and the headline cards."""
    rep = ctx.report
    title = ctx.strategy.goals.label(goal, ctx.lang)
    return (rep.heading(title, 1, anchor=goal)
            + rep.heading(ctx.t("common.key_messages"), 2, anchor=f"{goal}-key-messages")
            + rep.bullets(KEY_MESSAGES[goal](ctx, {h.id: h for h in figures}))
            + rep.headline_cards(figures, ctx.year, ctx.previous_year))


def _years_text(ctx: Context) -> str:
    return ", ".join(str(y) for y in ctx.compared_years)


def _takeaway_top(ctx: Context, data: pd.DataFrame, label_column: str, value: str = "count",
                  money: bool = False) -> str:
    current = data[data["year"] == ctx.year].sort_values([value, label_column], ascending=[False, True])
    if current.empty:
        return ctx.t("chart.takeaway_empty", year=ctx.year)
    top = current.iloc[0]
    show = ctx.report.eur if money else ctx.report.number
    return ctx.t("chart.takeaway_top", year=ctx.year, top=top[label_column], count=show(top[value]),
                 total=show(current[value].sum()))


def year_comparison(ctx: Context, data: pd.DataFrame, column: str, codelist: str, key: str,
                    value: str = "count", money: bool = False) -> str:
    """A grouped bar chart of ``value`` by ``column`` (codes of ``codelist``) and year."""
    t, rep = ctx.t, ctx.report
    codes = ctx.strategy.codes(codelist)
    labels = codes.labels(ctx.lang)
    data = data.assign(label=data[column].map(labels).fillna(data[column]))
    order = [labels[c] for c in codes.ids if c in set(data[column])]
    show = rep.eur if money else rep.number
    chart = grouped_bars(data, "label", value, t(f"chart.{key}.category"),
                         t("common.eur") if money else t("common.count"), t("common.year"), order,
                         value_format=",.0f" if money else ",d")
    description = t(f"chart.{key}.description", years=_years_text(ctx)) + " " + "; ".join(
        f"{r['label']} {r['year']}: {show(r[value])}" for _, r in data.iterrows())
    wide = data.pivot_table(index="label", columns="year", values=value, aggfunc="sum", fill_value=0)
    wide = wide.reindex([o for o in order if o in wide.index])
    wide.columns = [str(c) for c in wide.columns]
    table = rep.table(wide.reset_index(), [TableColumn("label", t(f"chart.{key}.category"))] + [
        TableColumn(c, c, show, numeric=True) for c in wide.columns], t(f"chart.{key}.title", years=_years_text(ctx)))
    return rep.chart(chart, t(f"chart.{key}.title", years=_years_text(ctx)),
                     _takeaway_top(ctx, data, "label", value, money), description, table)


def comparison_chart(ctx: Context, table: str, column: str, codelist: str, key: str,
                     where: pd.Series | None = None) -> str:
    """Counts of ``table`` rows by ``column`` for every compared year, as a grouped bar chart."""
    frame = ctx.tables[table]
    if where is not None:
        frame = frame[where]
    return year_comparison(ctx, an.count_by_year(frame, column, ctx.compared_years), column, codelist, key)


def _types_table(ctx: Context, types: list[str], key: str, goal: str | None = None) -> str:
    """Counts of activity types per compared year, with the change from the previous year."""
    rep, t = ctx.report, ctx.t
    frame = an.activity_types_by_year(ctx.tables, ctx.compared_years, types, goal)
    years = [str(y) for y in ctx.compared_years]
    columns = [TableColumn("activity_type", t("common.type"), lambda v: ctx.label("activity_types", v))]
    columns += [TableColumn(y, y, rep.number, numeric=True) for y in years]
    now = int(frame[str(ctx.year)].sum()) if str(ctx.year) in frame else 0
    before = int(frame[str(ctx.previous_year)].sum()) if ctx.previous_year and str(ctx.previous_year) in frame else None
    takeaway = rep.t("table.types_change", year=ctx.year, count=rep.number(now),
                     change=rep.percent(change(now, before), signed=True), previous_year=ctx.previous_year) \
        if before is not None else rep.t("table.types_count", year=ctx.year, count=rep.number(now))
    return rep.table(frame, columns, t(f"table.{key}.caption", years=_years_text(ctx)), total=t("common.total"),
                     takeaway=takeaway)


# --- competence ---------------------------------------------------------------------------------

def competence_messages(ctx: Context, h: dict[str, Headline]) -> list[str]:
    rep, t = ctx.report, ctx.t
    acts = in_year(ctx.tables["activities"], ctx.year)
    comp = acts[acts["goal"] == "competence"]
    messages = [rep.headline_sentence(h["competence_activities"], ctx.year, ctx.previous_year)]
    focus, count = an.top_value(comp, "focus_area")
    if focus:
        messages.append(t("message.competence_focus", focus=ctx.label("focus_areas", focus),
                          count=rep.number(count), share=rep.percent(count / len(comp))))
    total, eu = h["external_funding_eur"].value, h["eu_funding_eur"].value
    messages.append(t("message.funding", total=rep.eur(total), eu=rep.eur(eu),
                      share=rep.percent(eu / total if total else None)))
    partners = an.learning_partners(ctx.tables, ctx.year, ctx.strategy, top=1)
    challenges = int((acts["activity_type"] == "challenge").sum())
    if len(partners):
        city = partners.iloc[0]
        messages.append(t("message.benchmarking", benchmarking=rep.number(h["benchmarking_activities"].value),
                          challenges=rep.number(challenges), city=_city_label(ctx, city["city"]),
                          count=rep.number(city["activities"])))
    return messages


LISTED_ROWS = 40  # record lists (memberships, agreements, visits, findings) show at most this many rows


def _listed(ctx: Context, frame: pd.DataFrame, *tables: str) -> tuple[pd.DataFrame, str]:
    """The first rows of a record list and, if some were left out, a sentence saying how many
    and where the analyst finds all of them — the report stays readable at any data volume."""
    if len(frame) <= LISTED_ROWS:
        return frame, ""
    more = ctx.report.paragraph(ctx.t("table.more_rows", count=ctx.report.number(len(frame) - LISTED_ROWS),
                                      file=", ".join(f"data/{table}.csv" for table in tables)))
    return frame.head(LISTED_ROWS), more


def _city_label(ctx: Context, city: str) -> str:
    return ctx.strategy.codes("cities").label(city, ctx.lang)


def competence_focus_chart(ctx: Context) -> str:
    acts = ctx.tables["activities"]
    return comparison_chart(ctx, "activities", "focus_area", "focus_areas", "competence_focus",
                            where=acts["goal"] == "competence")


def competence_type_chart(ctx: Context) -> str:
    acts = ctx.tables["activities"]
    return comparison_chart(ctx, "activities", "activity_type", "activity_types", "competence_type",
                            where=acts["goal"] == "competence")


def funding_chart(ctx: Context) -> str:
    data = an.funding_by_source(ctx.tables, ctx.compared_years)
    return year_comparison(ctx, data, "funding_source", "funding_sources", "funding", value="eur", money=True)


def learning_table(ctx: Context) -> str:
    return _types_table(ctx, ["benchmarking", "challenge", "eu_project", "project", "education_export"], "learning")


def learning_partners_table(ctx: Context) -> str:
    rep, t = ctx.report, ctx.t
    frame = an.learning_partners(ctx.tables, ctx.year, ctx.strategy)
    columns = [TableColumn("city", t("common.city"), lambda v: _city_label(ctx, v)),
               TableColumn("activities", t("common.activities"), rep.number, numeric=True)]
    takeaway = t("table.partners.takeaway", city=_city_label(ctx, frame.iloc[0]["city"]),
                 count=rep.number(frame.iloc[0]["activities"])) if len(frame) else ""
    return rep.table(frame, columns, t("table.partners.caption", year=ctx.year), takeaway=takeaway)


def organisation_table(ctx: Context, goal: str) -> str:
    rep, t = ctx.report, ctx.t
    frame = an.activities_by_organisation(ctx.tables, ctx.year, goal)
    columns = [
        TableColumn("organisation", t("common.organisation"), lambda v: ctx.label("organisations", v)),
        TableColumn("activities", t("common.activities"), rep.number, numeric=True),
        TableColumn("external_funding_eur", t("common.external_funding"), rep.eur, numeric=True),
    ]
    takeaway = ""
    if len(frame):
        top = frame.iloc[0]
        takeaway = t("table.organisations.takeaway", organisation=ctx.label("organisations", top["organisation"]),
                     share=rep.percent(top["activities"] / frame["activities"].sum()))
    return rep.table(frame, columns, t("table.organisations.caption", goal=ctx.strategy.goals.label(goal, ctx.lang),
                                        year=ctx.year), total=t("common.total"), takeaway=takeaway)


# --- recognition --------------------------------------------------------------------------------

def recognition_messages(ctx: Context, h: dict[str, Headline]) -> list[str]:
    rep, t = ctx.report, ctx.t
    media = an.media_summary(ctx.tables, ctx.year)
    messages = [rep.headline_sentence(h["media_items"], ctx.year, ctx.previous_year)]
    country, count = an.top_value(in_year(ctx.tables["media"], ctx.year), "country")
    if country:
        messages.append(t("message.media", positive=rep.percent(media["positive_share"]),
                          countries=rep.number(media["countries"]), country=ctx.label("countries", country),
                          count=rep.number(count)))
    messages.append(rep.headline_sentence(h["incoming_visits"], ctx.year, ctx.previous_year))
    series = an.indicator_series(ctx.tables, ctx.year)
    stays = series[series["indicator"] == "overnight_stays"].sort_values("value_year")
    if len(stays):
        last = stays.iloc[-1]
        sentence = t("message.stays", value=rep.number(last["value"]), year=int(last["value_year"]))
        if len(stays) > 1:
            first = stays.iloc[-2]
            sentence = t("message.stays_change", value=rep.number(last["value"]), year=int(last["value_year"]),
                         change=rep.percent(change(last["value"], first["value"]), signed=True),
                         previous_year=int(first["value_year"]))
        messages.append(sentence)
    return messages


def media_tone_chart(ctx: Context) -> str:
    return comparison_chart(ctx, "media", "tone", "media_tones", "media_tone")


def media_focus_chart(ctx: Context) -> str:
    return comparison_chart(ctx, "media", "focus_area", "focus_areas", "media_focus")


def media_country_table(ctx: Context) -> str:
    rep, t = ctx.report, ctx.t
    frame = an.media_by_country(ctx.tables, ctx.year)
    columns = [
        TableColumn("country", t("common.country"), lambda v: ctx.label("countries", v)),
        TableColumn("items", t("common.media_items"), rep.number, numeric=True),
        TableColumn("reach", t("common.reach"), rep.number, numeric=True),
    ]
    takeaway = t("table.media_countries.takeaway", countries=rep.number(len(frame)),
                 share=rep.percent(frame["items"].sum() / max(1, len(in_year(ctx.tables["media"], ctx.year)))))
    return rep.table(frame, columns, t("table.media_countries.caption", year=ctx.year), takeaway=takeaway)


def visits_level_chart(ctx: Context) -> str:
    visits = ctx.tables["visits"]
    return comparison_chart(ctx, "visits", "level", "visit_levels", "visits_in_level",
                            where=visits["direction"] == "incoming")


def events_table(ctx: Context) -> str:
    return _types_table(ctx, ["event", "campaign"], "events")


def indicator_chart(ctx: Context) -> str:
    rep, t = ctx.report, ctx.t
    series = an.indicator_series(ctx.tables, ctx.year)
    data = series[series["indicator"].isin(TREND_INDICATORS)].copy()
    if data.empty:
        return rep.paragraph(t("chart.takeaway_empty", year=ctx.year))
    data["label"] = data["indicator"].map(lambda c: ctx.label("indicators", c))
    chart = trend_lines(data, "label", "value_year", "value", t("common.indicator"), t("common.year"), t("common.value"))
    description = t("chart.indicators.description") + " " + "; ".join(
        f"{r.label} {r.value_year}: {rep.number(r.value)}" for r in data.itertuples())
    share = an.foreign_share_of_stays(series)
    takeaway = t("chart.indicators.takeaway", share=rep.percent(share.iloc[-1]["share"]),
                 year=int(share.iloc[-1]["value_year"])) if len(share) else ""
    table = rep.table(data, [TableColumn("label", t("common.indicator")), TableColumn("value_year", t("common.year"), str),
                             TableColumn("value", t("common.value"), rep.number, numeric=True)],
                      t("chart.indicators.title"))
    return rep.chart(chart, t("chart.indicators.title"), takeaway, description, table)


def indicator_table(ctx: Context) -> str:
    rep, t = ctx.report, ctx.t
    series = an.indicator_series(ctx.tables, ctx.year)
    columns = [TableColumn("indicator", t("common.indicator"), lambda v: ctx.label("indicators", v)),
               TableColumn("value_year", t("common.year"), str),
               TableColumn("value", t("common.value"), rep.number, numeric=True),
               TableColumn("source", t("common.source"), ctx.text)]
    return rep.table(series, columns, t("table.indicators.caption"), takeaway=t("table.indicators.takeaway"))


# --- influence ----------------------------------------------------------------------------------

def influence_messages(ctx: Context, h: dict[str, Headline]) -> list[str]:
    rep, t = ctx.report, ctx.t
    messages = [rep.headline_sentence(h["network_memberships"], ctx.year, ctx.previous_year)]
    nets = in_year(ctx.tables["networks"], ctx.year)
    messages.append(t("message.roles", roles=rep.number(h["influence_roles"].value),
                      fees=rep.eur(nets["annual_fee_eur"].fillna(0).sum())))
    parts = in_year(ctx.tables["partnerships"], ctx.year)
    messages.append(t("message.partnerships", count=rep.number(len(parts)),
                      twins=rep.number(int((parts["agreement_type"] == "twin_city").sum()))))
    priority = an.priority_city_cooperation(ctx.tables, ctx.year, ctx.strategy)
    if len(priority) and priority["activities"].sum():
        top = priority.sort_values(["activities", "city"], ascending=[False, True]).iloc[0]
        messages.append(t("message.priority", city=_city_label(ctx, top["city"]), count=rep.number(top["activities"]),
                          total=rep.number(priority["activities"].sum())))
    messages.append(rep.headline_sentence(h["high_level_visits_abroad"], ctx.year, ctx.previous_year))
    return messages


def network_role_chart(ctx: Context) -> str:
    return comparison_chart(ctx, "networks", "role", "network_roles", "network_roles")


def membership_table(ctx: Context) -> str:
    rep, t = ctx.report, ctx.t
    frame = an.memberships(ctx.tables, ctx.year)
    columns = [
        TableColumn("network", t("common.network"), lambda v: ctx.label("networks", v)),
        TableColumn("organisation", t("common.organisation"), lambda v: ctx.label("organisations", v)),
        TableColumn("role", t("common.role"), lambda v: ctx.label("network_roles", v)),
        TableColumn("owner_unit", t("common.owner_unit"), ctx.text),
        TableColumn("goal", t("common.goal"), lambda v: ctx.label("goals", v)),
        TableColumn("annual_fee_eur", t("common.annual_fee"), rep.eur, numeric=True),
        TableColumn("review_year", t("common.review_year"), ctx.text),
    ]
    gaps = int(frame["owner_unit"].isna().sum() + frame["goal"].isna().sum())
    shown, more = _listed(ctx, frame, "networks")
    return rep.table(shown, columns, t("table.memberships.caption", year=ctx.year),
                     total=None if more else t("common.total"),
                     takeaway=t("table.memberships.takeaway", count=rep.number(len(frame)), gaps=rep.number(gaps))) + more


def priority_cities_table(ctx: Context) -> str:
    rep, t = ctx.report, ctx.t
    frame = an.priority_city_cooperation(ctx.tables, ctx.year, ctx.strategy)
    columns = [TableColumn("city", t("common.city"), lambda v: _city_label(ctx, v))] + [
        TableColumn(key, t(f"common.{key}"), rep.number, numeric=True)
        for key in ("activities", "visits_in", "visits_out", "agreements")]
    return rep.table(frame, columns, t("table.priority.caption", year=ctx.year), total=t("common.total"),
                     takeaway=t("table.priority.takeaway"))


def partnerships_table(ctx: Context) -> str:
    rep, t = ctx.report, ctx.t
    frame = an.partnerships(ctx.tables, ctx.year)
    columns = [
        TableColumn("partner_city", t("common.city"), ctx.text),
        TableColumn("country", t("common.country"), lambda v: ctx.label("countries", v)),
        TableColumn("agreement_type", t("common.agreement_type"), lambda v: ctx.label("agreement_types", v)),
        TableColumn("signed_year", t("common.signed_year"), ctx.text),
        TableColumn("strategic_goal", t("common.goal"), lambda v: ctx.label("goals", v)),
        TableColumn("organisation", t("common.organisation"), lambda v: ctx.label("organisations", v)),
    ]
    shown, more = _listed(ctx, frame, "partnerships")
    return rep.table(shown, columns, t("table.partnerships.caption", year=ctx.year),
                     takeaway=t("table.partnerships.takeaway", count=rep.number(len(frame)))) + more


def high_level_visits_table(ctx: Context) -> str:
    rep, t = ctx.report, ctx.t
    frame = an.high_level_visits_abroad(ctx.tables, ctx.year, ctx.strategy)
    columns = [
        TableColumn("date", t("common.date"), lambda v: fmt_date(v.date(), ctx.lang)),
        TableColumn("city", t("common.city"), ctx.text),
        TableColumn("country", t("common.country"), lambda v: ctx.label("countries", v)),
        TableColumn("level", t("common.level"), lambda v: ctx.label("visit_levels", v)),
        TableColumn("organisation", t("common.organisation"), lambda v: ctx.label("organisations", v)),
        TableColumn("purpose", t("common.purpose"), ctx.text),
    ]
    shown, more = _listed(ctx, frame, "visits")
    return rep.table(shown, columns, t("table.high_level.caption", year=ctx.year),
                     takeaway=t("table.high_level.takeaway", count=rep.number(len(frame)))) + more


def world_map_chart(ctx: Context) -> str:
    rep, t = ctx.report, ctx.t
    per_country = an.country_activity(ctx.tables, ctx.year)
    countries = ctx.strategy.codes("countries")
    per_country = per_country[per_country["country"].isin(countries.ids)].copy()
    per_country["id"] = per_country["country"].map(lambda c: f"{int(countries.get(c)['numeric']):03d}")
    per_country["label"] = per_country["country"].map(lambda c: ctx.label("countries", c))
    visits = in_year(ctx.tables["visits"], ctx.year)
    lookup = ctx.strategy.codes("cities").lookup
    named = set(visits["city"].dropna().map(lambda n: lookup.get(normalise_key(n))))
    named |= set(in_year(ctx.tables["partnerships"], ctx.year)["partner_city"].dropna().map(
        lambda n: lookup.get(normalise_key(n))))
    cities = pd.DataFrame([
        {"label": str(c[ctx.lang]), "lat": float(c["lat"]), "lon": float(c["lon"])}
        for c in ctx.strategy.data["cities"] if c["id"] in named and c.get("priority")])
    chart = world_map(per_country[["id", "label", "total"]], cities, t("chart.map.value"), t("common.country"))
    top = per_country.head(5)
    description = t("chart.map.description", year=ctx.year) + " " + "; ".join(
        f"{r.label}: {rep.number(r.total)}" for r in per_country.itertuples())
    takeaway = t("chart.map.takeaway", countries=rep.number(len(per_country)),
                 top=", ".join(f"{r.label} ({rep.number(r.total)})" for r in top.itertuples()))
    table = rep.table(per_country, [TableColumn("label", t("common.country"))] + [
        TableColumn(key, t(f"common.{key}"), rep.number, numeric=True) for key in ("activities", "visits", "agreements")
    ] + [TableColumn("total", t("common.total"), rep.number, numeric=True)], t("chart.map.title", year=ctx.year))
    return rep.chart(chart, t("chart.map.title", year=ctx.year), takeaway, description, table)


KEY_MESSAGES = {"competence": competence_messages, "recognition": recognition_messages,
                "influence": influence_messages}


# --- summary ------------------------------------------------------------------------------------

def cover(ctx: Context, report_date: dt.date) -> str:
    rep, t = ctx.report, ctx.t
    return (f'<header class="cover">{rep.heading(t("report.title", year=ctx.year), 1, anchor="report-title")}'
            f'{rep.paragraph(t("report.subtitle"))}'
            f'{rep.paragraph(t("report.date", date=fmt_date(report_date, ctx.lang)))}</header>')


def read_goal_headlines(ctx: Context, chapters_dir: str | Path) -> dict[str, list[Headline]]:
    """The headline figures each executed goal notebook glued, by goal (goals and their
    notebooks as params/strategy.yaml lists them)."""
    return {str(goal["id"]): read_headlines(Path(chapters_dir) / f"{goal['notebook']}.ipynb")
            for goal in ctx.strategy.data["goals"]}


def summary_headlines(ctx: Context, figures_by_goal: dict[str, list[Headline]]) -> str:
    rep, t = ctx.report, ctx.t
    parts = [rep.heading(t("summary.heading"), 1, anchor="summary"), rep.paragraph(t("summary.intro", year=ctx.year))]
    for goal in ctx.strategy.goals.ids:
        figures = figures_by_goal.get(goal, [])
        parts.append(rep.heading(ctx.strategy.goals.label(goal, ctx.lang), 2, anchor=f"summary-{goal}"))
        parts.append(rep.headline_cards(figures, ctx.year, ctx.previous_year))
    return "".join(parts)


def findings_block(ctx: Context) -> str:
    rep, t = ctx.report, ctx.t
    frame = an.findings_for_decision(an.findings(ctx.tables, ctx.year, ctx.strategy))
    parts = [rep.heading(t("findings.heading"), 2, anchor="findings"), rep.paragraph(t("findings.intro"))]
    if frame.empty:
        return "".join(parts) + rep.paragraph(t("findings.none"))
    frame = frame.assign(
        rule_text=[t(f"finding.{r}") for r in frame["rule"]],
        item_text=[_finding_item(ctx, r.rule, r.item, r.count) for r in frame.itertuples()],
    )
    columns = [
        TableColumn("rule_text", t("findings.rule")),
        TableColumn("organisation", t("common.organisation"), lambda v: ctx.label("organisations", v)),
        TableColumn("item_text", t("findings.item")),
    ]
    shown, more = _listed(ctx, frame, "networks", "partnerships", "activities")
    return "".join(parts) + rep.table(shown, columns, t("findings.caption", year=ctx.year, count=len(frame))) + more


def _finding_item(ctx: Context, rule: str, item: str, count: int) -> str:
    if rule.startswith("membership_"):
        return ctx.label("networks", item)
    if rule == "activity_outside_focus_areas":
        return ctx.t("finding.outside_item", count=ctx.report.number(count), example=item)
    return item or "–"


def focus_goal_heatmap(ctx: Context) -> str:
    rep, t = ctx.report, ctx.t
    data = an.focus_by_goal(ctx.tables, ctx.year)
    focus, goals = ctx.strategy.focus_areas, ctx.strategy.goals
    data = data.assign(focus=data["focus_area"].map(lambda c: focus.label(c, ctx.lang)),
                       goal_label=data["goal"].map(lambda c: goals.label(c, ctx.lang)))
    chart = heatmap(data.assign(goal_axis=data["goal_label"].map(wrap_label)), "goal_axis", "focus", "count",
                    t("common.goal"), t("chart.competence_focus.category"), t("common.activities"),
                    [wrap_label(goals.label(g, ctx.lang)) for g in goals.ids], [focus.label(f, ctx.lang) for f in focus.ids],
                    x_label="goal_label")
    description = t("chart.heatmap.description", year=ctx.year) + " " + "; ".join(
        f"{r.focus} – {r.goal_label}: {rep.number(r.count)}" for r in data.itertuples())
    top = data.sort_values(["count", "focus"], ascending=[False, True]).iloc[0] if len(data) else None
    takeaway = t("chart.heatmap.takeaway", focus=top["focus"], goal=top["goal_label"],
                 count=rep.number(top["count"])) if top is not None else ""
    wide = data.pivot_table(index="focus", columns="goal_label", values="count", aggfunc="sum", fill_value=0)
    wide = wide.reindex(index=[f for f in (focus.label(c, ctx.lang) for c in focus.ids) if f in wide.index],
                        columns=[g for g in (goals.label(c, ctx.lang) for c in goals.ids) if g in wide.columns])
    table = rep.table(wide.reset_index(), [TableColumn("focus", t("chart.competence_focus.category"))] + [
        TableColumn(g, g, rep.number, numeric=True) for g in wide.columns], t("chart.heatmap.title", year=ctx.year))
    return (rep.heading(t("overview.heading"), 2, anchor="overview")
            + rep.chart(chart, t("chart.heatmap.title", year=ctx.year), takeaway, description, table))


def organisations_goal_table(ctx: Context) -> str:
    rep, t = ctx.report, ctx.t
    goals = ctx.strategy.goals
    frame = an.organisations_by_goal(ctx.tables, ctx.year, goals.ids)
    columns = [TableColumn("organisation", t("common.organisation"), lambda v: ctx.label("organisations", v))]
    columns += [TableColumn(g, goals.label(g, ctx.lang), rep.number, numeric=True) for g in goals.ids]
    columns += [TableColumn("total", t("common.total"), rep.number, numeric=True)]
    return rep.table(frame, columns, t("table.org_goals.caption", year=ctx.year), total=t("common.total"),
                     takeaway=t("table.org_goals.takeaway", count=rep.number(len(frame))))


def organisation_parts(ctx: Context) -> str:
    """One short part per organisation that reported: its figures and its largest activities."""
    rep, t = ctx.report, ctx.t
    parts = [rep.heading(t("organisations.heading"), 1, anchor="organisations")]
    subs = in_year(ctx.tables["submissions"], ctx.year)
    submitted = set(subs.loc[subs["status"] == STATUS_DATA, "organisation"])  # a nil return has no figures
    for org in [o for o in ctx.strategy.organisations_in(ctx.year) if o in submitted]:
        figures = an.organisation_profile(ctx.tables, ctx.year, org)
        parts.append(rep.heading(ctx.label("organisations", org), 2, anchor=f"org-{org}"))
        parts.append(rep.paragraph(t("organisations.figures", year=ctx.year,
                                     activities=rep.number(figures["activities"]),
                                     funding=rep.eur(figures["external_funding_eur"]),
                                     visits=rep.number(figures["visits"]), media=rep.number(figures["media_items"]),
                                     networks=rep.number(figures["network_memberships"]))))
        largest = an.largest_activities(ctx.tables, ctx.year, org)
        columns = [TableColumn("title", t("common.title"), ctx.text),
                   TableColumn("activity_type", t("common.type"), lambda v: ctx.label("activity_types", v)),
                   TableColumn("focus_area", t("chart.competence_focus.category"), lambda v: ctx.label("focus_areas", v)),
                   TableColumn("budget_eur", t("common.budget"), rep.eur, numeric=True)]
        parts.append(rep.table(largest, columns, t("organisations.largest", year=ctx.year)))
    return "".join(parts)


def data_quality(ctx: Context) -> str:
    """Who sent data, who stated a nil return, who sent an untouched template (listed apart from
    real submissions: it may have been sent by mistake), who is missing, and what was left out."""
    rep, t = ctx.report, ctx.t
    submitted = in_year(ctx.tables["submissions"], ctx.year)
    status = dict(zip(submitted["organisation"], submitted["status"], strict=True))
    expected = ctx.strategy.organisations_in(ctx.year)
    words = {STATUS_DATA: t("quality.submitted"), STATUS_NIL: t("quality.nil_return"), STATUS_EMPTY: t("quality.empty")}
    frame = pd.DataFrame([[org, words[status[org]] if org in status else t("quality.missing")] for org in expected],
                         columns=["organisation", "status"])
    columns = [
        TableColumn("organisation", t("common.organisation"), lambda v: ctx.label("organisations", v)),
        TableColumn("status", t("quality.status")),
    ]
    problems = ctx.tables["problems"]
    problems = problems[problems["severity"] == "error"]
    parts = [
        rep.heading(t("quality.heading"), 1, anchor="data-quality"),
        rep.paragraph(t("quality.intro", year=ctx.year, expected=len(expected),
                        submitted=sum(1 for org in expected if status.get(org) == STATUS_DATA),
                        missing=sum(1 for org in expected if org not in status))),
    ]
    for kind, key in ((STATUS_NIL, "quality.nil_returns"), (STATUS_EMPTY, "quality.empty_templates")):
        names = [ctx.label("organisations", org) for org in expected if status.get(org) == kind]
        if names:  # listed apart: an empty template may have been sent by mistake
            parts.append(rep.paragraph(t(key, names=", ".join(names))))
    parts.append(rep.table(frame, columns, t("quality.caption", year=ctx.year)))
    if len(problems):
        parts.append(rep.paragraph(t("quality.rejected", count=problems["file"].nunique())))
        shown = problems.assign(where=[f"{r.sheet}!{r.cell}" if r.cell else r.sheet for r in problems.itertuples()],
                                file=problems["file"].map(lambda f: Path(f).name))
        parts.append(rep.table(shown, [TableColumn("file", t("quality.file")), TableColumn("where", t("quality.where")),
                                       TableColumn("message", t("quality.problem"))],
                               t("quality.problems_caption", year=ctx.year)))
    return "".join(parts)


def method(ctx: Context, report_date: dt.date) -> str:
    rep, t = ctx.report, ctx.t
    sources = sorted({str(i["source"]) for i in ctx.strategy.data["indicators"]})
    return (rep.heading(t("method.heading"), 1, anchor="method")
            + rep.paragraph(t("method.text", source=ctx.strategy.source(ctx.lang)))
            + rep.paragraph(t("method.figures"))
            + rep.paragraph(t("method.sources"))
            + rep.bullets(sources)
            + rep.paragraph(t("method.map"))
            + rep.paragraph(t("report.date", date=fmt_date(report_date, ctx.lang))))
