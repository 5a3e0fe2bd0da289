"""The report's figures, as pure functions of the consolidated tables.

Each function takes the typed tables of :func:`hki_intl.tables.read_tables` (and the strategy
model where codes matter) and returns plain values or DataFrames; the notebooks only call
these and show the results.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from .params import Strategy

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


def _headlines(goal: str, year: int, tables: Tables, measures: dict[str, tuple[str, callable]]) -> list[Headline]:
    before = previous_year(tables, year)
    out = []
    for metric, (unit, measure) in measures.items():
        value = float(measure(year))
        previous = float(measure(before)) if before is not None else None
        out.append(Headline(metric, goal, unit, value, previous))
    return out


def competence_headlines(tables: Tables, year: int, strategy: Strategy) -> list[Headline]:
    acts = tables["activities"]
    eu_sources = strategy.codes("funding_sources").ids_where("eu")
    return _headlines("competence", year, tables, {
        "competence_activities": ("count", lambda y: (in_year(acts, y)["goal"] == "competence").sum()),
        "external_funding_eur": ("eur", lambda y: in_year(acts, y)["external_funding_eur"].fillna(0).sum()),
        "eu_funding_eur": ("eur", lambda y: in_year(acts, y).loc[
            lambda a: a["funding_source"].isin(eu_sources), "external_funding_eur"].fillna(0).sum()),
        "benchmarking_activities": ("count", lambda y: (in_year(acts, y)["activity_type"] == "benchmarking").sum()),
    })


def recognition_headlines(tables: Tables, year: int, strategy: Strategy) -> list[Headline]:
    acts, media, visits = tables["activities"], tables["media"], tables["visits"]
    return _headlines("recognition", year, tables, {
        "recognition_activities": ("count", lambda y: (in_year(acts, y)["goal"] == "recognition").sum()),
        "media_items": ("count", lambda y: len(in_year(media, y))),
        "incoming_visits": ("count", lambda y: (in_year(visits, y)["direction"] == "incoming").sum()),
    })


def influence_headlines(tables: Tables, year: int, strategy: Strategy) -> list[Headline]:
    acts, nets, parts, visits = (tables[t] for t in ("activities", "networks", "partnerships", "visits"))
    influence_roles = strategy.codes("network_roles").ids_where("influence")
    high_levels = strategy.codes("visit_levels").ids_where("high_level")
    return _headlines("influence", year, tables, {
        "influence_activities": ("count", lambda y: (in_year(acts, y)["goal"] == "influence").sum()),
        "network_memberships": ("count", lambda y: len(in_year(nets, y))),
        "influence_roles": ("count", lambda y: in_year(nets, y)["role"].isin(influence_roles).sum()),
        "city_partnerships": ("count", lambda y: len(in_year(parts, y))),
        "high_level_visits_abroad": ("count", lambda y: (
            (in_year(visits, y)["direction"] == "outgoing") & in_year(visits, y)["level"].isin(high_levels)).sum()),
    })


HEADLINES = {
    "competence": competence_headlines,
    "recognition": recognition_headlines,
    "influence": influence_headlines,
}


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
        activities=("title", "size"), external_funding_eur=("external_funding_eur", "sum"))
    return grouped.reset_index().sort_values(["activities", "organisation"], ascending=[False, True],
                                             ignore_index=True)


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
    grouped = (frame[outside].groupby(["rule", "organisation"], as_index=False, sort=False)
               .agg(item=("item", "first"), count=("item", "size")))
    columns = ["rule", "organisation", "item", "count"]
    return pd.concat([single[columns], grouped[columns]], ignore_index=True)


def missing_organisations(tables: Tables, year: int, strategy: Strategy) -> list[str]:
    """Organisations expected to report in ``year`` whose workbook was not accepted."""
    submitted = set(in_year(tables["submissions"], year)["organisation"])
    return [org for org in strategy.organisations_in(year) if org not in submitted]
