"""What the report should show as examples and findings, computed here straight from the
workbooks (openpyxl) and params (yaml) — never with the pipeline's intake or analysis — so
that the tests check the report's rules against an independent reading of the same rules."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import openpyxl
import yaml

from hki_intl import PARAMS_DIR

Row = dict[str, Any]


def params(name: str, folder: Path = PARAMS_DIR) -> Any:
    return yaml.safe_load((Path(folder) / f"{name}.yaml").read_text(encoding="utf-8"))


def sheet_rows(inputs: Path, year: int, sheet: str) -> list[Row]:
    """Every row of ``sheet`` in the year's workbooks, keyed by the header text (the required
    mark stripped), with ``_org`` (the file's organisation) and ``_row`` (the Excel row)."""
    out = []
    for path in sorted((Path(inputs) / str(year)).glob("*.xlsx")):
        ws = openpyxl.load_workbook(path, read_only=True, data_only=True)[sheet]
        values = list(ws.iter_rows(values_only=True))
        header = [str(h).removesuffix(" *") if h else "" for h in values[0]]
        for number, row in enumerate(values[1:], start=2):
            if any(v not in (None, "") for v in row):
                out.append({**dict(zip(header, row, strict=False)), "_org": path.stem, "_row": number})
    return out


def _filled(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


def _label(strategy: dict, name: str, code: str, lang: str = "fi") -> str:
    return next(str(e[lang]) for e in strategy[name] if str(e["id"]) == code)


def _position(strategy: dict, name: str) -> dict[str, int]:
    return {str(e["id"]): i for i, e in enumerate(strategy[name])}


def _key(text: Any) -> str:
    return " ".join(str(text).split()).casefold()


def city_id(strategy: dict, name: Any) -> str | None:
    """The id of the city a workbook names, by its id or a label in any language."""
    for city in strategy["cities"]:
        if _key(name) in {_key(city[k]) for k in ("id", "fi", "sv", "en")}:
            return str(city["id"])
    return None


def one_per(rows: list[Row], key) -> list[Row]:
    seen, chosen = set(), []
    for row in rows:
        if key(row) not in seen:
            seen.add(key(row))
            chosen.append(row)
    return chosen


# --- the examples' rules -------------------------------------------------------------------------


def outcomes(inputs: Path, year: int, goal: str, strategy: dict, top: int = 3) -> list[Row]:
    """The goal's activities marked completed with an outcome, the largest budget first (ties:
    title, organisation), one per organisation."""
    goal_label = _label(strategy, "goals", goal)
    completed = _label(strategy, "activity_statuses", "completed")
    rows = [
        r
        for r in sheet_rows(inputs, year, "Toiminnot")
        if r["Päätavoite"] == goal_label and r["Tila"] == completed and _filled(r["Tulos"])
    ]
    rows.sort(key=lambda r: (r["Budjetti (EUR)"] is None, -(r["Budjetti (EUR)"] or 0), r["Nimi"], r["_org"]))
    return one_per(rows, lambda r: r["_org"])[:top]


def headlines(inputs: Path, year: int, top: int = 3) -> list[Row]:
    """The media items with a headline and a reach, the widest reach first (ties: date, outlet, headline)."""
    rows = [r for r in sheet_rows(inputs, year, "Näkyvyys") if _filled(r["Otsikko"]) and r["Tavoittavuus"] is not None]
    rows.sort(key=lambda r: (-r["Tavoittavuus"], r["Päivä"], r["Media"], r["Otsikko"]))
    return rows[:top]


def seats(inputs: Path, year: int, strategy: dict, top: int = 6) -> list[Row]:
    """Memberships with a role of influence and a justification, in the order params lists the
    networks, then the organisations."""
    roles = {r["fi"] for r in strategy["network_roles"] if r["influence"]}
    networks = {str(n["fi"]): i for i, n in enumerate(strategy["networks"])}
    organisations = _position(strategy, "organisations")
    rows = [r for r in sheet_rows(inputs, year, "Verkostot") if r["Rooli"] in roles and _filled(r["Perustelu"])]
    rows.sort(key=lambda r: (networks[r["Verkosto"]], organisations[r["_org"]]))
    return rows[:top]


def joint_activities(inputs: Path, year: int, goal: str, strategy: dict, top: int = 4) -> list[Row]:
    """Agreements serving the goal with a joint activity: one per city (its oldest), the priority
    cities first in params' order, then the others by their oldest agreement (ties: the city)."""
    goal_label = _label(strategy, "goals", goal)
    priority = [str(c["id"]) for c in strategy["cities"] if c["priority"]]
    rows = [
        r
        for r in sheet_rows(inputs, year, "Kumppanuudet")
        if r["Strateginen tavoite"] == goal_label and _filled(r["Yhteinen toiminta tänä vuonna"])
    ]

    def city(row: Row) -> str:
        return city_id(strategy, row["Kumppanikaupunki"]) or _key(row["Kumppanikaupunki"])

    def order(row: Row) -> tuple:
        rank = priority.index(city(row)) if city(row) in priority else len(priority)
        signed = row["Allekirjoitusvuosi"]
        return (rank, signed is None, signed or 0, city(row), row["_org"])

    return one_per(sorted(rows, key=order), city)[:top]


# --- the findings' rules -------------------------------------------------------------------------


def findings(inputs: Path, year: int, strategy: dict) -> dict[str, dict[str, list[str]]]:
    """Rule → organisation → the items of its findings (workbook order), for the rules of
    memberships, twin-city agreements and activities (not the organisations missing)."""
    nets = sheet_rows(inputs, year, "Verkostot")
    parts = sheet_rows(inputs, year, "Kumppanuudet")
    acts = sheet_rows(inputs, year, "Toiminnot")
    twin = _label(strategy, "agreement_types", "twin_city")
    outside = _label(strategy, "focus_areas", "outside")
    chosen = {
        "membership_without_owner": [(r["_org"], r["Verkosto"]) for r in nets if not _filled(r["Vastuuyksikkö"])],
        "membership_without_goal": [
            (r["_org"], r["Verkosto"]) for r in nets if not _filled(r["Tukee tavoitetta"]) and not _filled(r["Perustelu"])
        ],
        "twin_city_without_goal": [
            (r["_org"], r["Kumppanikaupunki"])
            for r in parts
            if r["Sopimustyyppi"] == twin and not _filled(r["Strateginen tavoite"])
        ],
        "activity_outside_focus_areas": [(r["_org"], r["Nimi"]) for r in acts if r["Painopistealue"] == outside],
    }
    out: dict[str, dict[str, list[str]]] = {}
    for rule, found in chosen.items():
        for org, item in found:
            out.setdefault(rule, {}).setdefault(org, []).append(str(item))
    return out


# --- the report's words ------------------------------------------------------------------------


def fill(template: str, /, **values: Any) -> str:
    """A text of params/texts.yaml filled in as a reader reads it, written here without the
    report's code: ``{n:# toiminto|# toimintoa}`` takes the first form for 1 and the second for any
    other count (``#`` the number); every other placeholder is filled in as it is."""

    def form(match: re.Match) -> str:
        value = values[match["name"]]
        one, other = match["forms"].split("|")
        return (one if value == 1 else other).replace("#", str(value))

    return re.sub(r"\{(?P<name>\w+):(?P<forms>[^{}|]*\|[^{}]*)\}", form, template).format(**values)


def quoted(text: str, lang: str) -> str:
    """A workbook's words (an activity's title) in the quotation marks of the language."""
    return fill(params("texts")["examples.quoted"][lang], text=text)


# --- reading the report --------------------------------------------------------------------------


def section(page: str, anchor: str, end: str = "</ul>") -> str:
    """The page from the element with ``id=anchor`` to the first ``end`` after it."""
    start = page.index(f'id="{anchor}"')
    return page[start : page.index(end, start) + len(end)]


def strong_items(part: str) -> list[str]:
    """The bold lead of every list item in ``part``, unescaped."""
    return [html.unescape(t) for t in re.findall(r"<li><strong>(.*?)</strong>", part)]


def items(part: str) -> list[str]:
    """Every list item of ``part`` as text, unescaped."""
    return [html.unescape(re.sub(r"<[^>]+>", "", t)) for t in re.findall(r"<li>(.*?)</li>", part, re.S)]
