"""The report's figures, as pure functions of the consolidated tables.

Each function takes the typed tables of :func:`hki_intl.tables.read_tables` (and the strategy
model where codes matter) and returns plain values or DataFrames; the notebooks only call
these and show the results.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from hki_intl.config.params import Strategy, normalise_key
from hki_intl.workbook.schema import STATUS_EMPTY

Tables = dict[str, pd.DataFrame]


@dataclass(frozen=True)
class Headline:
    """One headline figure of a goal: its value this year and the year before (if known)."""

    id: str
    goal: str
    unit: str  # count | eur
    value: float
    previous: float | None

    def as_dict(self) -> dict:
        return asdict(self)


def years_with_data(tables: Tables) -> list[int]:
    """Years for which at least one workbook was accepted, oldest first."""
    return sorted(int(y) for y in tables["submissions"]["year"].unique())


def previous_year(tables: Tables, year: int) -> int | None:
    earlier = [y for y in years_with_data(tables) if y < year]
    return earlier[-1] if earlier else None


def in_year(frame: pd.DataFrame, year: int) -> pd.DataFrame:
    return frame[frame["year"] == year]


def headlines_frame(headlines: list[Headline]) -> pd.DataFrame:
    return pd.DataFrame([h.as_dict() for h in headlines], columns=["id", "goal", "unit", "value", "previous"])


# --- tables and chart data ----------------------------------------------------------------------


def count_by_year(frame: pd.DataFrame, column: str, years: list[int]) -> pd.DataFrame:
    """Rows per (year, value of ``column``) for the given years: the data of a comparison chart."""
    subset = frame[frame["year"].isin(years)]
    counts = subset.groupby(["year", column], observed=True).size().rename("count").reset_index()
    return counts.astype({"year": "int64", "count": "int64"})


def activities_by_organisation(tables: Tables, year: int, goal: str | None = None) -> pd.DataFrame:
    """Activities and external funding per organisation in ``year`` (one goal or all)."""
    acts = in_year(tables["activities"], year)
    if goal:
        acts = acts[acts["goal"] == goal]
    grouped = acts.groupby("organisation", observed=True).agg(
        activities=("title", "size"), external_funding_eur=("external_funding_eur", "sum")
    )
    return grouped.reset_index().sort_values(["activities", "organisation"], ascending=[False, True], ignore_index=True)


def media_by_country(tables: Tables, year: int, top: int = 10) -> pd.DataFrame:
    media = in_year(tables["media"], year)
    grouped = media.groupby("country", observed=True).agg(items=("outlet", "size"), reach=("reach", "sum"))
    grouped = grouped.reset_index().sort_values(["items", "country"], ascending=[False, True], ignore_index=True)
    return grouped.head(top)


def memberships(tables: Tables, year: int) -> pd.DataFrame:
    nets = in_year(tables["networks"], year)
    columns = ["network", "organisation", "role", "owner_unit", "goal", "annual_fee_eur", "review_year"]
    return nets[columns].sort_values(["network", "organisation"], ignore_index=True)


# --- findings: breaches of the strategy's own rules ------------------------------------------

FINDING_COLUMNS = ["rule", "organisation", "item", "source_file", "source_row"]


def findings(tables: Tables, year: int, strategy: Strategy) -> pd.DataFrame:
    """Every breach of the strategy's rules in ``year``, one row each (rule id, organisation, item)."""
    rows: list[list] = []
    nets = in_year(tables["networks"], year)
    for _, m in nets[nets["owner_unit"].isna()].iterrows():
        rows.append(["membership_without_owner", m["organisation"], m["network"], m["source_file"], m["source_row"]])
    for _, m in nets[nets["goal"].isna() & nets["justification"].isna()].iterrows():
        rows.append(["membership_without_goal", m["organisation"], m["network"], m["source_file"], m["source_row"]])
    parts = in_year(tables["partnerships"], year)
    twins = parts[(parts["agreement_type"] == "twin_city") & parts["strategic_goal"].isna()]
    for _, p in twins.iterrows():
        rows.append(["twin_city_without_goal", p["organisation"], p["partner_city"], p["source_file"], p["source_row"]])
    acts = in_year(tables["activities"], year)
    outside = acts[acts["focus_area"] == "outside"]
    for _, a in outside.iterrows():
        rows.append(["activity_outside_focus_areas", a["organisation"], a["title"], a["source_file"], a["source_row"]])
    for org in missing_organisations(tables, year, strategy):
        rows.append(["organisation_did_not_submit", org, "", "", 0])
    return pd.DataFrame(rows, columns=FINDING_COLUMNS).astype({"source_row": "int64"})


def findings_for_decision(frame: pd.DataFrame) -> pd.DataFrame:
    """Findings as leadership reads them: activities outside the focus areas collapsed to one
    row per organisation (``count`` of them, ``item`` the first title), the rest one row each."""
    outside = frame["rule"] == "activity_outside_focus_areas"
    single = frame[~outside].assign(count=1)
    grouped = (
        frame[outside]
        .groupby(["rule", "organisation"], as_index=False, sort=False)
        .agg(item=("item", "first"), count=("item", "size"))
    )
    columns = ["rule", "organisation", "item", "count"]
    return pd.concat([single[columns], grouped[columns]], ignore_index=True)


def missing_organisations(tables: Tables, year: int, strategy: Strategy) -> list[str]:
    """Organisations expected to report in ``year`` without data or a stated nil return: no
    workbook, a workbook left out, or an untouched template (which may have been sent by mistake)."""
    subs = in_year(tables["submissions"], year)
    reported = set(subs.loc[subs["status"] != STATUS_EMPTY, "organisation"])
    return [org for org in strategy.organisations_in(year) if org not in reported]


# --- competence -----------------------------------------------------------------------------


def funding_by_source(tables: Tables, years: list[int]) -> pd.DataFrame:
    """External funding (EUR) per funding source and year, sources without money left out."""
    acts = tables["activities"]
    acts = acts[acts["year"].isin(years) & (acts["external_funding_eur"].fillna(0) > 0)]
    grouped = acts.groupby(["year", "funding_source"], observed=True)["external_funding_eur"].sum()
    return grouped.rename("eur").reset_index().astype({"year": "int64"})


def activity_types_by_year(tables: Tables, years: list[int], types: list[str], goal: str | None = None) -> pd.DataFrame:
    """Counts of the given activity types per year (zero where none), wide: one column per year."""
    acts = tables["activities"]
    if goal:
        acts = acts[acts["goal"] == goal]
    counts = (
        acts[acts["year"].isin(years) & acts["activity_type"].isin(types)]
        .groupby(["activity_type", "year"], observed=True)
        .size()
        .unstack(fill_value=0)
    )
    counts = counts.reindex(index=types, columns=years, fill_value=0)
    counts.columns = [str(c) for c in counts.columns]
    return counts.reset_index()


def split_list(series: pd.Series) -> pd.Series:
    """A ';'-separated text column exploded to one trimmed value per row (empty ones dropped)."""
    parts = series.dropna().astype(str).str.split(";").explode().str.strip()
    return parts[parts != ""]


def learning_partners(tables: Tables, year: int, strategy: Strategy, goal: str, top: int = 10) -> pd.DataFrame:
    """Partner cities of one goal's activities in ``year``: activities per city, most first.

    Cities named in the strategy are matched in any language (``Tukholma`` = ``Stockholm``);
    other names are kept as written.
    """
    acts = in_year(tables["activities"], year)
    acts = acts[acts["goal"] == goal]
    cities = split_list(acts["partner_cities"])
    lookup = strategy.codes("cities").lookup
    keys = cities.map(lambda name: lookup.get(normalise_key(name), name))
    counts = keys.value_counts().rename_axis("city").reset_index(name="activities")
    return counts.sort_values(["activities", "city"], ascending=[False, True], ignore_index=True).head(top)


# --- recognition ----------------------------------------------------------------------------


def indicator_series(tables: Tables, year: int) -> pd.DataFrame:
    """Indicator values by the year they describe, as reported in the latest workbook of each
    organisation up to ``year`` (a later report corrects an earlier one)."""
    ind = tables["indicators"]
    ind = ind[ind["year"] <= year]
    if ind.empty:
        return pd.DataFrame(columns=["indicator", "value_year", "value", "source"])
    latest = ind.sort_values(["year", "organisation"]).drop_duplicates(["indicator", "value_year"], keep="last")
    return (
        latest[["indicator", "value_year", "value", "source"]]
        .astype({"value_year": "int64"})
        .sort_values(["indicator", "value_year"], ignore_index=True)
    )


def foreign_share_of_stays(series: pd.DataFrame) -> pd.DataFrame:
    """Foreign visitors' share of overnight stays for the years that have both figures."""
    wide = series.pivot_table(index="value_year", columns="indicator", values="value", aggfunc="last")
    if not {"overnight_stays", "overnight_stays_foreign"} <= set(wide.columns):
        return pd.DataFrame(columns=["value_year", "share"])
    both = wide.dropna(subset=["overnight_stays", "overnight_stays_foreign"])
    share = (both["overnight_stays_foreign"] / both["overnight_stays"]).rename("share")
    return share.reset_index().astype({"value_year": "int64"})


def media_summary(tables: Tables, year: int) -> dict[str, float]:
    media = in_year(tables["media"], year)
    positive = float((media["tone"] == "positive").mean()) if len(media) else 0.0
    return {
        "items": len(media),
        "positive_share": positive,
        "reach": float(media["reach"].fillna(0).sum()),
        "countries": int(media["country"].nunique()),
    }


def top_value(frame: pd.DataFrame, column: str) -> tuple[str | None, int]:
    """The most frequent value of ``column`` and how often it occurs (ties: alphabetical)."""
    counts = frame[column].dropna().value_counts()
    if counts.empty:
        return None, 0
    best = counts[counts == counts.max()].sort_index()
    return str(best.index[0]), int(best.iloc[0])


# --- influence --------------------------------------------------------------------------------


def priority_city_cooperation(tables: Tables, year: int, strategy: Strategy) -> pd.DataFrame:
    """For each priority city: activities naming it, visits there or from there, agreements."""
    codes = strategy.codes("cities")
    lookup = codes.lookup
    to_key = lambda name: lookup.get(normalise_key(name))
    acts = in_year(tables["activities"], year)
    act_cities = split_list(acts["partner_cities"]).map(to_key)
    visits = in_year(tables["visits"], year)
    parts = in_year(tables["partnerships"], year)
    rows = []
    for city in codes.ids_where("priority"):
        rows.append(
            {
                "city": city,
                "activities": int((act_cities == city).sum()),
                "visits_in": int(((visits["city"].map(to_key) == city) & (visits["direction"] == "incoming")).sum()),
                "visits_out": int(((visits["city"].map(to_key) == city) & (visits["direction"] == "outgoing")).sum()),
                "agreements": int((parts["partner_city"].map(to_key) == city).sum()),
            }
        )
    return pd.DataFrame(rows, columns=["city", "activities", "visits_in", "visits_out", "agreements"])


def partnerships(tables: Tables, year: int) -> pd.DataFrame:
    parts = in_year(tables["partnerships"], year)
    columns = ["partner_city", "country", "agreement_type", "signed_year", "strategic_goal", "organisation"]
    return parts[columns].sort_values(["agreement_type", "partner_city"], ignore_index=True)


def high_level_visits_abroad(tables: Tables, year: int, strategy: Strategy) -> pd.DataFrame:
    visits = in_year(tables["visits"], year)
    levels = strategy.codes("visit_levels").ids_where("high_level")
    chosen = visits[(visits["direction"] == "outgoing") & visits["level"].isin(levels)]
    return chosen[["date", "city", "country", "level", "organisation", "purpose"]].sort_values(
        ["date", "city"], ignore_index=True
    )


def country_activity(tables: Tables, year: int) -> pd.DataFrame:
    """Per country: activities naming it as a partner, visits and agreements — the map's data."""
    acts = in_year(tables["activities"], year)
    countries = split_list(acts["partner_countries"]).value_counts().rename("activities")
    visits = in_year(tables["visits"], year)["country"].value_counts().rename("visits")
    parts = in_year(tables["partnerships"], year)["country"].value_counts().rename("agreements")
    frame = pd.concat([countries, visits, parts], axis=1).fillna(0).astype("int64")
    frame["total"] = frame.sum(axis=1)
    return (
        frame.rename_axis("country").reset_index().sort_values(["total", "country"], ascending=[False, True], ignore_index=True)
    )


# --- summary ----------------------------------------------------------------------------------


def focus_by_goal(tables: Tables, year: int) -> pd.DataFrame:
    """Activities per (focus area, goal) in ``year``: the overview heat map's data."""
    acts = in_year(tables["activities"], year)
    return acts.groupby(["focus_area", "goal"], observed=True).size().rename("count").reset_index()


def organisations_by_goal(tables: Tables, year: int, goals: list[str]) -> pd.DataFrame:
    """Activities per organisation and goal in ``year`` (wide, one column per goal, plus total)."""
    acts = in_year(tables["activities"], year)
    wide = acts.groupby(["organisation", "goal"], observed=True).size().unstack(fill_value=0)
    wide = wide.reindex(columns=goals, fill_value=0)
    wide["total"] = wide.sum(axis=1)
    return wide.reset_index().sort_values(["total", "organisation"], ascending=[False, True], ignore_index=True)


def organisation_profile(tables: Tables, year: int, organisation: str) -> dict[str, float]:
    """One organisation's figures in ``year``."""

    def pick(name: str) -> pd.DataFrame:
        frame = in_year(tables[name], year)
        return frame[frame["organisation"] == organisation]

    acts = pick("activities")
    return {
        "activities": len(acts),
        "external_funding_eur": float(acts["external_funding_eur"].fillna(0).sum()),
        "visits": len(pick("visits")),
        "media_items": len(pick("media")),
        "network_memberships": len(pick("networks")),
    }


def largest_activities(tables: Tables, year: int, organisation: str, top: int = 3) -> pd.DataFrame:
    acts = in_year(tables["activities"], year)
    acts = acts[acts["organisation"] == organisation]
    return (
        acts.sort_values(["budget_eur", "title"], ascending=[False, True], na_position="last")
        .head(top)[["title", "activity_type", "focus_area", "budget_eur", "external_funding_eur", "source_file", "source_row"]]
        .reset_index(drop=True)
    )
