"""The report's figures, as pure functions of the consolidated tables.

Each function takes the typed tables of :func:`hki_intl.tables.read_tables` (and the strategy
model where codes matter) and returns plain values or DataFrames; the notebooks only call
these and show the results.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

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


def _rows(frame: pd.DataFrame, rule: str, item: str) -> list[list]:
    """One finding per row of ``frame``: the rule, the row's organisation, ``item`` and its source."""
    return [[rule, r["organisation"], r[item], r["source_file"], r["source_row"]] for _, r in frame.iterrows()]


def _membership_without_owner(tables: Tables, year: int, strategy: Strategy) -> list[list]:
    nets = in_year(tables["networks"], year)
    return _rows(nets[nets["owner_unit"].isna()], "membership_without_owner", "network")


def _membership_without_goal(tables: Tables, year: int, strategy: Strategy) -> list[list]:
    nets = in_year(tables["networks"], year)
    return _rows(nets[nets["goal"].isna() & nets["justification"].isna()], "membership_without_goal", "network")


def _twin_city_without_goal(tables: Tables, year: int, strategy: Strategy) -> list[list]:
    parts = in_year(tables["partnerships"], year)
    twins = parts[(parts["agreement_type"] == "twin_city") & parts["strategic_goal"].isna()]
    return _rows(twins, "twin_city_without_goal", "partner_city")


def _activity_outside_focus_areas(tables: Tables, year: int, strategy: Strategy) -> list[list]:
    acts = in_year(tables["activities"], year)
    return _rows(acts[acts["focus_area"] == "outside"], "activity_outside_focus_areas", "title")


def _organisation_did_not_submit(tables: Tables, year: int, strategy: Strategy) -> list[list]:
    return [["organisation_did_not_submit", org, "", "", 0] for org in missing_organisations(tables, year, strategy)]


# Each rule of FINDING_RULES (config/models.py), checked by one function: its findings as rows.
RULE_CHECKS: dict[str, Callable[[Tables, int, Strategy], list[list]]] = {
    "membership_without_owner": _membership_without_owner,
    "membership_without_goal": _membership_without_goal,
    "twin_city_without_goal": _twin_city_without_goal,
    "activity_outside_focus_areas": _activity_outside_focus_areas,
    "organisation_did_not_submit": _organisation_did_not_submit,
}


def findings(tables: Tables, year: int, strategy: Strategy) -> pd.DataFrame:
    """Every breach of the strategy's rules in ``year``, one row each (rule id, organisation,
    item), for the rules ``findings`` of params/strategy.yaml lists, in its order."""
    rows: list[list] = []
    for rule in strategy.codes("findings").ids:
        rows += RULE_CHECKS[rule](tables, year, strategy)
    return pd.DataFrame(rows, columns=FINDING_COLUMNS).astype({"source_row": "int64"})


def findings_for_decision(frame: pd.DataFrame) -> pd.DataFrame:
    """Findings as leadership reads them: the findings of one rule and one organisation collapsed
    to one row — ``count`` of them, ``items`` all their items in order, ``item`` the first. Rules
    keep their order; within a rule the organisation with most findings comes first."""
    grouped = frame.groupby(["rule", "organisation"], as_index=False, sort=False).agg(
        item=("item", "first"), items=("item", tuple), count=("item", "size")
    )
    order = {rule: i for i, rule in enumerate(dict.fromkeys(frame["rule"]))}
    grouped = grouped.assign(_rule=grouped["rule"].map(order)).sort_values(
        ["_rule", "count"], ascending=[True, False], kind="stable"
    )
    columns = ["rule", "organisation", "item", "count", "items"]
    return grouped[columns].reset_index(drop=True) if len(grouped) else pd.DataFrame(columns=columns)


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


# --- examples: a few records chosen by a stated rule -----------------------------------------


def _has_text(series: pd.Series) -> pd.Series:
    return series.notna() & (series.astype("string").str.strip() != "")


def largest_completed(tables: Tables, year: int, goal: str, top: int = 3) -> pd.DataFrame:
    """The goal's activities marked completed in ``year`` that report an outcome, the largest
    budget first (ties: title, organisation), at most one per organisation and ``top`` in all."""
    acts = in_year(tables["activities"], year)
    acts = acts[(acts["goal"] == goal) & (acts["status"] == "completed") & _has_text(acts["outcome"])]
    ordered = acts.sort_values(
        ["budget_eur", "title", "organisation"], ascending=[False, True, True], na_position="last", kind="stable"
    )
    columns = ["organisation", "title", "activity_type", "budget_eur", "outcome"]
    return ordered.drop_duplicates("organisation").head(top)[columns].reset_index(drop=True)


def widest_reaching_media(tables: Tables, year: int, top: int = 3) -> pd.DataFrame:
    """The media items of ``year`` with a headline and a reach, the widest reach first (ties:
    date, outlet, headline), ``top`` of them."""
    media = in_year(tables["media"], year)
    media = media[_has_text(media["headline"]) & media["reach"].notna()]
    ordered = media.sort_values(["reach", "date", "outlet", "headline"], ascending=[False, True, True, True], kind="stable")
    columns = ["organisation", "headline", "outlet", "country", "reach", "date"]
    return ordered.head(top)[columns].reset_index(drop=True)


def _order_of(strategy: Strategy, codelist: str, values: pd.Series) -> pd.Series:
    """Each value's position in a code list of params (unknown values last)."""
    ids = strategy.codes(codelist).ids
    position = {code: i for i, code in enumerate(ids)}
    return values.astype(object).map(lambda v: position.get(str(v), len(ids)))


def influence_seats(tables: Tables, year: int, strategy: Strategy, top: int = 6) -> pd.DataFrame:
    """Memberships of ``year`` in which Helsinki holds a role of influence (``influence: true``
    in params) and which give a justification, in the order params lists the networks (then the
    organisations), ``top`` of them."""
    nets = in_year(tables["networks"], year)
    roles = strategy.codes("network_roles").ids_where("influence")
    seats = nets[nets["role"].isin(roles) & _has_text(nets["justification"])]
    seats = seats.assign(
        _network=_order_of(strategy, "networks", seats["network"]),
        _organisation=_order_of(strategy, "organisations", seats["organisation"]),
    ).sort_values(["_network", "_organisation"], kind="stable")
    columns = ["organisation", "network", "role", "justification"]
    return seats.head(top)[columns].reset_index(drop=True)


def joint_activities(tables: Tables, year: int, strategy: Strategy, goal: str, top: int = 4) -> pd.DataFrame:
    """City agreements whose strategic goal is ``goal`` and that report a joint activity in
    ``year``: one per city (its oldest agreement), the priority cities first in the order params
    lists them, then the other cities by their oldest agreement (ties: the city's name);
    ``top`` of them."""
    parts = in_year(tables["partnerships"], year)
    parts = parts[(parts["strategic_goal"] == goal) & _has_text(parts["joint_activity"])]
    lookup = strategy.codes("cities").lookup
    # object, not the text dtype: a name params does not know maps to None, never to NA
    names = parts["partner_city"].astype(object)
    city = names.map(lambda name: lookup.get(normalise_key(name), normalise_key(name)))
    priority = strategy.codes("cities").ids_where("priority")
    ordered = parts.assign(
        _rank=city.map(lambda c: priority.index(c) if c in priority else len(priority)),
        _city=city,
    ).sort_values(["_rank", "signed_year", "_city", "organisation"], na_position="last", kind="stable")
    columns = ["organisation", "partner_city", "country", "agreement_type", "signed_year", "joint_activity"]
    return ordered.drop_duplicates("_city").head(top)[columns].reset_index(drop=True)


# --- registers: the appendix's lists, summarised in the chapter -------------------------------


def registers_summary(tables: Tables, year: int, strategy: Strategy) -> dict[str, dict[str, Any]]:
    """The figures that sum up each register of ``year`` in a sentence: memberships (how many,
    in how many networks and organisations, their fees, how many are due for review by next
    year), agreements (how many, with how many cities, twin-city ones, signed this year) and
    mayor-level visits abroad (how many, to how many countries, the most visited city)."""
    nets = in_year(tables["networks"], year)
    parts = in_year(tables["partnerships"], year)
    visits = high_level_visits_abroad(tables, year, strategy)
    lookup = strategy.codes("cities").lookup
    city_key = lambda names: names.dropna().astype(object).map(lambda n: lookup.get(normalise_key(n), normalise_key(n)))
    names = visits["city"].dropna()
    visited = city_key(names).value_counts()
    top = visited[visited == visited.max()].sort_index() if len(visited) else visited
    first_name: dict[str, str] = {}
    for name, key in zip(names, city_key(names), strict=True):
        first_name.setdefault(key, name)
    return {
        "memberships": {
            "count": len(nets),
            "networks": int(nets["network"].nunique()),
            "organisations": int(nets["organisation"].nunique()),
            "fees": float(nets["annual_fee_eur"].fillna(0).sum()),
            "due": int((nets["review_year"] <= year + 1).sum()),
        },
        "partnerships": {
            "count": len(parts),
            "cities": int(city_key(parts["partner_city"]).nunique()),
            "twins": int((parts["agreement_type"] == "twin_city").sum()),
            "new": int((parts["signed_year"] == year).sum()),
        },
        "visits": {
            "count": len(visits),
            "countries": int(visits["country"].nunique()),
            "city": first_name[top.index[0]] if len(top) else None,
            "city_count": int(top.iloc[0]) if len(top) else 0,
        },
    }
