"""The whole workbook schema in one place: sheets, columns, their types and their labels.

A contributor's workbook has one sheet per kind of record (Finnish sheet names, as in the
city's own templates). Each column has a stable machine ``key``; its header is written in the
template language, and the intake finds columns by key or by the header in any language, so
reordered columns or a Swedish header read the same. Code lists come from
``params/strategy.yaml`` by name (``codes``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .params import normalise_key

TEMPLATE_VERSION = "2025.1"
REQUIRED_MARK = " *"


@dataclass(frozen=True)
class Column:
    key: str
    kind: str  # text | code | codes | date | number | integer | year
    fi: str
    sv: str
    en: str
    required: bool = False
    codes: str | None = None  # name of a list in params/strategy.yaml
    minimum: float | None = None
    width: int = 18

    def label(self, lang: str) -> str:
        return str(getattr(self, lang))

    def header(self, lang: str) -> str:
        return self.label(lang) + (REQUIRED_MARK if self.required else "")


@dataclass(frozen=True)
class Sheet:
    name: str  # the sheet's name in every template language
    table: str  # the consolidated table it becomes (activities.csv, …)
    fi: str
    sv: str
    en: str
    columns: tuple[Column, ...] = field(default_factory=tuple)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    @property
    def header_lookup(self) -> dict[str, str]:
        """Every accepted header spelling → column key."""
        table: dict[str, str] = {}
        for col in self.columns:
            for spelling in (col.key, col.fi, col.sv, col.en):
                table[normalise_key(spelling)] = col.key
        return table


# The first sheet: who reports and for which year. A two-column form (label, value).
INFO_SHEET = "Perustiedot"
INFO_FIELDS: tuple[Column, ...] = (
    Column("organisation", "code", "Organisaatio", "Organisation", "Organisation", True, "organisations"),
    Column("year", "year", "Vuosi", "År", "Year", True),
    Column("contact_role", "text", "Yhteyshenkilön rooli (ei nimeä eikä sähköpostia)",
           "Kontaktpersonens roll (inget namn eller e-post)", "Contact role (no name or e-mail)"),
    Column("template_version", "text", "Pohjan versio", "Mallens version", "Template version", True),
)

SHEETS: tuple[Sheet, ...] = (
    Sheet("Toiminnot", "activities", "Toiminnot", "Verksamheter", "Activities", (
        Column("title", "text", "Nimi", "Namn", "Title", True, width=40),
        Column("activity_type", "code", "Tyyppi", "Typ", "Type", True, "activity_types", width=24),
        Column("goal", "code", "Päätavoite", "Huvudmål", "Primary goal", True, "goals", width=34),
        Column("focus_area", "code", "Painopistealue", "Fokusområde", "Focus area", True, "focus_areas", width=30),
        Column("partner_cities", "text", "Kumppanikaupungit", "Partnerstäder", "Partner cities", width=26),
        Column("partner_countries", "codes", "Kumppanimaat", "Partnerländer", "Partner countries", codes="countries", width=22),
        Column("partner_organisations", "text", "Kumppaniorganisaatiot", "Partnerorganisationer", "Partner organisations",
               width=28),
        Column("network", "code", "Verkosto", "Nätverk", "Network", codes="networks", width=24),
        Column("start", "date", "Alkupäivä", "Startdatum", "Start date", True, width=13),
        Column("end", "date", "Loppupäivä", "Slutdatum", "End date", width=13),
        Column("budget_eur", "number", "Budjetti (EUR)", "Budget (EUR)", "Budget (EUR)", minimum=0, width=15),
        Column("external_funding_eur", "number", "Ulkoinen rahoitus (EUR)", "Extern finansiering (EUR)",
               "External funding (EUR)", minimum=0, width=15),
        Column("funding_source", "code", "Rahoituslähde", "Finansieringskälla", "Funding source", codes="funding_sources",
               width=24),
        Column("status", "code", "Tila", "Status", "Status", True, "activity_statuses", width=14),
        Column("outcome", "text", "Tulos", "Resultat", "Outcome", width=40),
    )),
    Sheet("Verkostot", "networks", "Verkostojäsenyydet", "Nätverksmedlemskap", "Network memberships", (
        Column("network", "code", "Verkosto", "Nätverk", "Network", True, "networks", width=30),
        Column("role", "code", "Rooli", "Roll", "Role", True, "network_roles", width=20),
        Column("owner_unit", "text", "Vastuuyksikkö", "Ansvarig enhet", "Owner unit", width=30),
        Column("goal", "code", "Tukee tavoitetta", "Stöder målet", "Goal supported", codes="goals", width=34),
        Column("justification", "text", "Perustelu", "Motivering", "Justification", width=40),
        Column("annual_fee_eur", "number", "Vuosimaksu (EUR)", "Årsavgift (EUR)", "Annual fee (EUR)", minimum=0, width=15),
        Column("review_year", "year", "Arviointivuosi", "Utvärderingsår", "Review year", width=12),
    )),
    Sheet("Vierailut", "visits", "Vierailut", "Besök", "Visits", (
        Column("direction", "code", "Suunta", "Riktning", "Direction", True, "visit_directions", width=28),
        Column("date", "date", "Päivä", "Datum", "Date", True, width=13),
        Column("city", "text", "Kaupunki", "Stad", "City", True, width=20),
        Column("country", "code", "Maa", "Land", "Country", True, "countries", width=20),
        Column("level", "code", "Taso", "Nivå", "Level", True, "visit_levels", width=18),
        Column("focus_area", "code", "Painopistealue", "Fokusområde", "Focus area", codes="focus_areas", width=30),
        Column("participants", "integer", "Osallistujia", "Deltagare", "Participants", minimum=0, width=12),
        Column("purpose", "text", "Tarkoitus", "Syfte", "Purpose", width=40),
    )),
    Sheet("Näkyvyys", "media", "Kansainvälinen medianäkyvyys", "Internationell mediesynlighet",
          "International media visibility", (
        Column("date", "date", "Päivä", "Datum", "Date", True, width=13),
        Column("outlet", "text", "Media", "Medium", "Outlet", True, width=26),
        Column("country", "code", "Maa", "Land", "Country", True, "countries", width=20),
        Column("focus_area", "code", "Painopistealue", "Fokusområde", "Focus area", codes="focus_areas", width=30),
        Column("tone", "code", "Sävy", "Ton", "Tone", True, "media_tones", width=14),
        Column("reach", "integer", "Tavoittavuus", "Räckvidd", "Reach", minimum=0, width=14),
        Column("headline", "text", "Otsikko", "Rubrik", "Headline", width=40),
    )),
    Sheet("Kumppanuudet", "partnerships", "Kaupunkikumppanuudet", "Stadspartnerskap", "City partnerships", (
        Column("partner_city", "text", "Kumppanikaupunki", "Partnerstad", "Partner city", True, width=22),
        Column("country", "code", "Maa", "Land", "Country", True, "countries", width=20),
        Column("agreement_type", "code", "Sopimustyyppi", "Avtalstyp", "Agreement type", True, "agreement_types", width=30),
        Column("signed_year", "year", "Allekirjoitusvuosi", "Undertecknat år", "Year signed", width=12),
        Column("strategic_goal", "code", "Strateginen tavoite", "Strategiskt mål", "Strategic goal", codes="goals", width=34),
        Column("joint_activity", "text", "Yhteinen toiminta tänä vuonna", "Gemensam verksamhet i år",
               "Joint activity this year", width=40),
    )),
    Sheet("Mittarit", "indicators", "Mittarit", "Indikatorer", "Indicators", (
        Column("indicator", "code", "Mittari", "Indikator", "Indicator", True, "indicators", width=36),
        Column("value_year", "year", "Vuosi", "År", "Year", True, width=10),
        Column("value", "number", "Arvo", "Värde", "Value", True, width=16),
        Column("source", "text", "Lähde", "Källa", "Source", width=30),
        Column("note", "text", "Huomio", "Anmärkning", "Note", width=30),
    )),
)

SHEETS_BY_NAME = {s.name: s for s in SHEETS}
SHEETS_BY_TABLE = {s.table: s for s in SHEETS}
HEADER_ROW = 1  # the header is the first row of every data sheet; data starts on row 2
