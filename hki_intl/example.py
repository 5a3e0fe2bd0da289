"""Realistic, deterministic example workbooks for demos, tests and the report's first run.

:func:`build_example` writes ``<out>/<year>/<organisation>.xlsx`` for every organisation of
every year, filled the way that organisation would fill it: a profile per organisation sets
how much it does, on which goals and focus areas, with which networks and funding. Every
value comes from a :class:`random.Random` seeded with a stable string (``zlib.crc32``, never
the salted ``hash()``), so the same call writes the same bytes.

Some rule breaches are planted on purpose, so that the report has findings to show:

- every year, exactly one network membership has no owner unit and exactly one other has
  neither a goal nor a justification;
- every year, one new twin-city agreement (signed that year) has no strategic goal and no
  joint activity;
- ``social_health`` sends nothing in 2024 (an organisation that did not submit).

Each organisation tells two or three highlights a year (the sheet *Nostot*), in Finnish, some
also in Swedish or English. Their photos are drawn here (no download): some pasted on the
highlight's row, some saved as files beside the workbook; they carry camera EXIF tags, an
artist's name and, most of them, a GPS position, so that the intake's stripping is exercised.

Indicator rows are the real public figures of the domain description, never invented.
All free text is Finnish data (the contributors write in Finnish); identifiers are English.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import math
import random
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from openpyxl.utils import get_column_letter

from hki_intl.config.params import LANGUAGES, Strategy
from hki_intl.example_analyst import analyst_files
from hki_intl.workbook.excel import workbook_bytes
from hki_intl.workbook.ledger import Ledger
from hki_intl.workbook.template import build_workbook, template_path

T = TypeVar("T")
Record = dict[str, Any]

#: The year the profiles' base counts describe; other years grow or shrink from it.
BASE_YEAR = 2024
#: (organisation, year) pairs that submit nothing, on purpose.
SKIPPED: frozenset[tuple[str, int]] = frozenset({("social_health", 2024)})
#: Organisation that owns the city-level agreements (and the planted twin-city breach).
AGREEMENT_OWNER = "cityexec_international"
#: Organisations reporting indicators, in order of preference (first present one wins).
INDICATOR_REPORTERS = ("helsinki_partners", "cityexec_economic")


# ---------------------------------------------------------------------------------------------
# Organisation profiles


@dataclass(frozen=True)
class Membership:
    """One network membership an organisation holds."""

    network: str
    role: str
    owner_unit: str
    goal: str
    justification: str
    annual_fee_eur: int
    name: str | None = None  # the network's own name when the id is the generic "other"
    focus: tuple[str, ...] | None = None  # focus areas it serves; None = NETWORK_FOCUS


@dataclass(frozen=True)
class Partnership:
    """One city partnership (agreement) an organisation keeps up."""

    city: str  # a city id (strategy cities or EXTRA_CITIES)
    agreement_type: str
    signed_year: int
    strategic_goal: str
    joint_activities: tuple[str, ...]


@dataclass(frozen=True)
class Profile:
    """How one organisation works internationally: volumes, weights and commitments."""

    activities: int  # activities in BASE_YEAR
    growth: float  # yearly change of every volume, e.g. 0.08 = +8 % a year
    goals: dict[str, float]
    focus: dict[str, float]
    types: dict[str, float]
    eu_sources: dict[str, float]
    visits: int
    incoming_share: float
    media: int
    media_range: tuple[int, int]
    contact_role: str
    outside_share: float = 0.03
    levels: dict[str, float] = field(
        default_factory=lambda: {"expert": 0.55, "director": 0.33, "deputy_mayor": 0.07, "mayor": 0.05}
    )
    memberships: tuple[Membership, ...] = ()
    partnerships: tuple[Partnership, ...] = ()


_CX = "Kaupunginkanslia"
PROFILES: dict[str, Profile] = {
    "cityexec_international": Profile(
        activities=80,
        growth=0.03,
        goals={"influence": 0.6, "competence": 0.25, "recognition": 0.15},
        focus={
            "climate": 18,
            "smart_city": 14,
            "innovation": 14,
            "inclusion": 10,
            "education": 10,
            "culture": 10,
            "mobility": 12,
            "design": 8,
        },
        types={"network_work": 35, "agreement": 10, "event": 12, "benchmarking": 12, "project": 10, "eu_project": 5, "other": 14},
        eu_sources={"interreg": 3, "eu_other": 2, "horizon_europe": 1},
        visits=55,
        incoming_share=0.65,
        media=15,
        media_range=(0, 20),
        contact_role="Kansainvälisten asioiden asiantuntija",
        levels={"expert": 0.38, "director": 0.3, "deputy_mayor": 0.16, "mayor": 0.16},
        memberships=(
            Membership(
                "eurocities",
                "board",
                f"{_CX}, strategiaosasto, kansainväliset asiat",
                "influence",
                "Euroopan suurkaupunkien pääverkosto; vaikuttaminen EU:n kaupunkipolitiikkaan ja "
                "rahoitukseen, Helsinki hallituksessa",
                24_000,
            ),
            Membership(
                "c40",
                "member",
                f"{_CX}, strategiaosasto, kansainväliset asiat",
                "influence",
                "Globaali ilmastojohtajuus; hiilineutraali Helsinki 2035 -tavoitteen näkyvyys ja vertailutieto",
                0,
            ),
            Membership(
                "urban20",
                "member",
                f"{_CX}, strategiaosasto, kansainväliset asiat",
                "influence",
                "Kaupunkien ääni G20-prosessissa",
                0,
            ),
            Membership(
                "bloomberg",
                "member",
                f"{_CX}, strategiaosasto",
                "competence",
                "Bloomberg Philanthropies -ohjelmien innovaatio- ja datakyvykkyydet",
                0,
            ),
            Membership(
                "union_baltic_cities",
                "member",
                f"{_CX}, strategiaosasto, kansainväliset asiat",
                "influence",
                "Itämeren alueen kaupunkien yhteistyö ja lähialueen vaikuttaminen",
                6_500,
            ),
            Membership(
                "data_ethics",
                "founder",
                f"{_CX}, digitalisaatio-ohjelma",
                "influence",
                "Datan ja tekoälyn eettinen käyttö yhdessä Lontoon, Amsterdamin, Barcelonan ja New Yorkin kanssa",
                0,
            ),
        ),
        partnerships=(
            Partnership(
                "tallinn",
                "twin_city",
                1993,
                "influence",
                (
                    "FinEst Bay Area -yhteistyö ja kaksoiskaupunkiseminaari",
                    "Yhteinen hakemus Interreg Central Baltic -ohjelmaan",
                    "Pormestareiden vuosittainen tapaaminen ja kulttuurivaihto",
                    "Satamien ja joukkoliikenteen yhteistyö Tallinnan-yhteydellä",
                ),
            ),
            Partnership(
                "stockholm",
                "twin_city",
                1949,
                "competence",
                (
                    "Pohjoismaisten pääkaupunkien kokous ja asiantuntijavaihto",
                    "Ilmastotyön benchmarking ja yhteinen raportti",
                    "Kaupunkisuunnittelun vertailu ja opintovierailu",
                ),
            ),
            Partnership(
                "copenhagen",
                "twin_city",
                1949,
                "competence",
                (
                    "Pohjoismaisten pääkaupunkien kokous",
                    "Pyöräliikenteen asiantuntijavaihto",
                    "Ilmastosopeutumisen vertaisoppiminen",
                ),
            ),
            Partnership(
                "oslo",
                "twin_city",
                1949,
                "competence",
                ("Pohjoismaisten pääkaupunkien kokous", "Sähköisen liikenteen kokemusten vaihto", "Ilmastobudjetoinnin vertailu"),
            ),
            Partnership(
                "reykjavik",
                "twin_city",
                1949,
                "competence",
                ("Pohjoismaisten pääkaupunkien kokous", "Nuorisotyön asiantuntijavaihto"),
            ),
            Partnership(
                "beijing",
                "programme",
                2006,
                "influence",
                (
                    "Yhteistyöohjelman vuosikokous ja talousdelegaatio",
                    "Koulutusviennin ja cleantech-yritysten vierailuohjelma",
                    "Kulttuurivaihto ja kiinalaisen uudenvuoden tapahtuma",
                ),
            ),
            Partnership(
                "new_york",
                "mou",
                2019,
                "influence",
                (
                    "SDG-raportoinnin yhteistyö (Voluntary Local Review)",
                    "Dataetiikka- ja tekoälyrekisteriyhteistyö",
                    "Kaupunkien ilmastodiplomatia YK:n yleiskokousviikolla",
                ),
            ),
            Partnership(
                "st_petersburg",
                "programme",
                1997,
                "competence",
                ("Yhteistyöohjelman asiantuntijavierailut", "Ympäristöyhteistyö Suomenlahdella"),
            ),
            Partnership(
                "moscow",
                "programme",
                1999,
                "competence",
                ("Yhteistyöohjelman asiantuntijavierailut", "Kaupunkitalouden seminaari"),
            ),
            Partnership(
                "kyiv",
                "mou",
                2023,
                "influence",
                (
                    "Jälleenrakennuksen tuki ja koulujen varustehankinnat",
                    "Kaupunkien välinen asiantuntijatuki energiainfrastruktuuriin",
                    "Ukrainalaisten virkamiesten opintovierailu Helsinkiin",
                ),
            ),
        ),
    ),
    "cityexec_communications": Profile(
        activities=55,
        growth=-0.03,
        goals={"recognition": 0.85, "influence": 0.1, "competence": 0.05},
        focus={
            "culture": 20,
            "design": 15,
            "climate": 15,
            "innovation": 15,
            "smart_city": 12,
            "education": 10,
            "inclusion": 6,
            "mobility": 5,
        },
        types={"campaign": 35, "event": 25, "project": 15, "network_work": 8, "benchmarking": 5, "other": 12},
        eu_sources={"eu_other": 1},
        visits=8,
        incoming_share=0.6,
        media=120,
        media_range=(40, 150),
        outside_share=0.02,
        contact_role="Viestinnän asiantuntija",
        memberships=(
            Membership(
                "eurocities",
                "working_group",
                f"{_CX}, viestintäosasto",
                "recognition",
                "Eurocities-viestintäverkosto; kaupunkien yhteiset kampanjat ja mediasuhteet",
                0,
            ),
            Membership(
                "other",
                "member",
                f"{_CX}, viestintäosasto",
                "recognition",
                "Pohjoismaisten pääkaupunkien viestintäverkosto; yhteinen kansainvälinen mediatyö",
                1_500,
                name="Pohjoismaisten pääkaupunkien viestintäverkosto",
                focus=(),
            ),
        ),
    ),
    "cityexec_economic": Profile(
        activities=70,
        growth=0.06,
        goals={"recognition": 0.45, "competence": 0.35, "influence": 0.2},
        focus={"innovation": 60, "smart_city": 12, "education": 8, "climate": 10, "design": 5, "inclusion": 5},
        types={
            "project": 25,
            "event": 15,
            "eu_project": 12,
            "network_work": 12,
            "challenge": 8,
            "campaign": 8,
            "benchmarking": 10,
            "other": 10,
        },
        eu_sources={"interreg": 3, "horizon_europe": 2, "eu_other": 2},
        visits=25,
        incoming_share=0.55,
        media=20,
        media_range=(0, 20),
        contact_role="Elinkeinoasiantuntija",
        memberships=(
            Membership(
                "scale",
                "member",
                f"{_CX}, elinkeino-osasto",
                "competence",
                "Kasvuyritysten ja innovaatioekosysteemien kaupunkiverkosto",
                5_000,
            ),
            Membership(
                "city_possible",
                "founder",
                f"{_CX}, elinkeino-osasto",
                "influence",
                "Perustajajäsen; julkisen ja yksityisen sektorin yhteiset ratkaisut kaupunkipalveluihin",
                0,
            ),
            Membership(
                "eurocities",
                "working_group",
                f"{_CX}, elinkeino-osasto",
                "competence",
                "Eurocities Economic Development Forum; vertailutieto elinkeinopolitiikasta",
                0,
            ),
        ),
        partnerships=(
            Partnership(
                "singapore",
                "mou",
                2018,
                "recognition",
                ("Kasvuyritysten vaihto-ohjelma", "Smart nation- ja testbed-yhteistyö", "Investointiseminaari Singaporessa"),
            ),
        ),
    ),
    "education": Profile(
        activities=150,
        growth=0.04,
        goals={"competence": 0.7, "recognition": 0.2, "influence": 0.1},
        focus={"education": 70, "inclusion": 8, "smart_city": 6, "climate": 6, "culture": 4, "design": 2, "innovation": 2},
        types={
            "benchmarking": 30,
            "project": 20,
            "eu_project": 15,
            "education_export": 12,
            "event": 6,
            "network_work": 6,
            "agreement": 3,
            "challenge": 2,
            "campaign": 1,
            "other": 5,
        },
        eu_sources={"erasmus_plus": 8, "interreg": 1, "horizon_europe": 1},
        visits=40,
        incoming_share=0.72,
        media=15,
        media_range=(0, 20),
        contact_role="Kansainvälisen toiminnan koordinaattori",
        memberships=(
            Membership(
                "eurocities",
                "working_group",
                "Kasvatuksen ja koulutuksen toimiala, kehittämispalvelut",
                "competence",
                "Eurocities Education Forum; koulutuspolitiikan vertailu ja EU-hankekumppanit",
                0,
            ),
            Membership(
                "union_baltic_cities",
                "working_group",
                "Kasvatuksen ja koulutuksen toimiala, kehittämispalvelut",
                "competence",
                "UBC:n koulutustyöryhmä; Itämeren alueen koulujen yhteistyö",
                0,
            ),
        ),
        partnerships=(
            Partnership(
                "shanghai",
                "mou",
                2017,
                "recognition",
                (
                    "Rehtorien vaihto-ohjelma",
                    "Koulutusviennin pilotti Shanghain kouluissa",
                    "Opettajien täydennyskoulutusohjelma",
                ),
            ),
            Partnership(
                "tallinn",
                "programme",
                2015,
                "competence",
                ("Kaksikielisten koulujen yhteistyö", "Ammatillisen koulutuksen opiskelijavaihto"),
            ),
        ),
    ),
    "urban_environment": Profile(
        activities=180,
        growth=0.07,
        goals={"competence": 0.65, "influence": 0.2, "recognition": 0.15},
        focus={"climate": 40, "mobility": 30, "smart_city": 10, "design": 5, "innovation": 5, "inclusion": 3, "culture": 1},
        types={
            "eu_project": 22,
            "benchmarking": 22,
            "project": 22,
            "network_work": 12,
            "challenge": 5,
            "event": 5,
            "agreement": 2,
            "other": 8,
        },
        eu_sources={"life": 3, "cef": 3, "interreg": 4, "horizon_europe": 3},
        visits=35,
        incoming_share=0.6,
        media=12,
        media_range=(0, 20),
        contact_role="Kansainvälisten asioiden erityisasiantuntija",
        memberships=(
            Membership(
                "polis",
                "member",
                "Kaupunkiympäristön toimiala, liikenne- ja katusuunnittelu",
                "competence",
                "Liikenteen innovaatiot ja EU-hankekumppanuudet",
                8_000,
            ),
            Membership(
                "c40",
                "working_group",
                "Kaupunkiympäristön toimiala, ympäristöpalvelut",
                "competence",
                "C40:n energia- ja rakennustyöryhmät; päästövähennysten vertailutieto",
                0,
            ),
            Membership(
                "eurocities",
                "working_group",
                "Kaupunkiympäristön toimiala, ympäristöpalvelut",
                "competence",
                "Eurocities Environment Forum; EU:n ilmasto- ja ympäristösääntely",
                0,
            ),
            Membership(
                "union_baltic_cities",
                "working_group",
                "Kaupunkiympäristön toimiala, ympäristöpalvelut",
                "competence",
                "UBC:n ympäristö- ja ilmastokomissio; Itämeren suojelu",
                0,
            ),
        ),
        partnerships=(
            Partnership(
                "tallinn",
                "programme",
                2016,
                "competence",
                (
                    "FinEst Twins -liikenneyhteistyö",
                    "Yhteinen satama- ja joukkoliikennesuunnittelu",
                    "Hulevesien hallinnan asiantuntijavaihto",
                ),
            ),
        ),
    ),
    "culture_leisure": Profile(
        activities=130,
        growth=0.12,
        goals={"recognition": 0.45, "competence": 0.4, "influence": 0.15},
        focus={"culture": 60, "design": 18, "inclusion": 10, "education": 4, "innovation": 3, "climate": 3, "smart_city": 2},
        types={"event": 30, "project": 22, "eu_project": 10, "network_work": 10, "benchmarking": 14, "campaign": 4, "other": 10},
        eu_sources={"creative_europe": 6, "erasmus_plus": 3, "eu_other": 1},
        visits=20,
        incoming_share=0.5,
        media=20,
        media_range=(0, 20),
        contact_role="Kansainvälisten asioiden suunnittelija",
        memberships=(
            Membership(
                "unesco_design",
                "member",
                "Kulttuurin ja vapaa-ajan toimiala, kulttuuripalvelut",
                "recognition",
                "UNESCO:n designkaupunki vuodesta 2014; muotoilun näkyvyys ja kaupunkien verkosto",
                0,
            ),
            Membership(
                "wccf",
                "member",
                "Kulttuurin ja vapaa-ajan toimiala, kulttuuripalvelut",
                "competence",
                "Maailman kulttuurikaupunkien vertailutieto ja kulttuuripolitiikan verkosto",
                18_000,
            ),
            Membership(
                "eurocities",
                "working_group",
                "Kulttuurin ja vapaa-ajan toimiala, kulttuuripalvelut",
                "competence",
                "Eurocities Culture Forum; kulttuurin EU-rahoitus ja vertaisoppiminen",
                0,
            ),
        ),
        partnerships=(
            Partnership(
                "montreal",
                "mou",
                2015,
                "recognition",
                ("UNESCO-designkaupunkien yhteisnäyttely", "Muotoilijoiden residenssivaihto"),
            ),
        ),
    ),
    "social_health": Profile(
        activities=60,
        growth=-0.06,
        goals={"competence": 0.8, "influence": 0.1, "recognition": 0.1},
        focus={"inclusion": 70, "smart_city": 12, "education": 5, "innovation": 5, "climate": 3},
        types={"benchmarking": 30, "project": 25, "eu_project": 15, "network_work": 12, "event": 5, "other": 13},
        eu_sources={"horizon_europe": 2, "eu_other": 2, "interreg": 1},
        visits=10,
        incoming_share=0.5,
        media=3,
        media_range=(0, 20),
        outside_share=0.04,
        contact_role="Kehittämisasiantuntija",
        memberships=(
            Membership(
                "eurocities",
                "working_group",
                "Sosiaali-, terveys- ja pelastustoimiala, kehittämisyksikkö",
                "competence",
                "Eurocities Social Affairs Forum; asunnottomuuden ja osallisuuden hyvät käytännöt",
                0,
            ),
        ),
    ),
    "helsinki_partners": Profile(
        activities=110,
        growth=0.15,
        goals={"recognition": 0.8, "competence": 0.1, "influence": 0.1},
        focus={
            "innovation": 35,
            "culture": 15,
            "design": 12,
            "climate": 12,
            "smart_city": 10,
            "education": 6,
            "mobility": 4,
            "inclusion": 3,
        },
        types={
            "campaign": 28,
            "event": 28,
            "project": 15,
            "network_work": 5,
            "challenge": 4,
            "eu_project": 4,
            "benchmarking": 4,
            "other": 12,
        },
        eu_sources={"eu_other": 2, "digital_europe": 1},
        visits=50,
        incoming_share=0.8,
        media=140,
        media_range=(40, 150),
        contact_role="Markkinointi- ja viestintäpäällikkö",
        levels={"expert": 0.42, "director": 0.43, "deputy_mayor": 0.1, "mayor": 0.05},
        memberships=(
            Membership(
                "other",
                "member",
                "Helsinki Partners, matkailu ja tapahtumat",
                "recognition",
                "European Cities Marketing; kaupunkimarkkinoinnin ja kongressimatkailun verkosto",
                4_500,
                name="European Cities Marketing",
                focus=("innovation", "culture", "design"),
            ),
            Membership(
                "scale",
                "member",
                "Helsinki Partners, investoinnit ja yritykset",
                "recognition",
                "Kasvuyritysten ja sijoittajien kansainvälinen verkosto",
                3_000,
            ),
        ),
    ),
    "forum_virium": Profile(
        activities=120,
        growth=0.10,
        goals={"competence": 0.65, "recognition": 0.2, "influence": 0.15},
        focus={"smart_city": 60, "mobility": 15, "climate": 15, "innovation": 7, "inclusion": 2, "education": 1},
        types={"eu_project": 35, "project": 20, "challenge": 15, "network_work": 8, "event": 8, "benchmarking": 6, "other": 8},
        eu_sources={"horizon_europe": 6, "digital_europe": 4, "interreg": 2, "cef": 1},
        visits=30,
        incoming_share=0.6,
        media=18,
        media_range=(0, 20),
        contact_role="Kansainvälisten hankkeiden päällikkö",
        memberships=(
            Membership(
                "city_possible",
                "member",
                "Forum Virium Helsinki, kansainväliset verkostot",
                "competence",
                "Yritysten ja kaupunkien yhteiskehittäminen; pilottikumppanit",
                0,
            ),
            Membership(
                "data_ethics",
                "working_group",
                "Forum Virium Helsinki, data ja tekoäly",
                "influence",
                "Tekoälyrekisterin ja dataetiikan yhteiset periaatteet",
                0,
            ),
            Membership(
                "cities_coalition_digital_rights",
                "working_group",
                "Forum Virium Helsinki, data ja tekoäly",
                "influence",
                "Asukkaiden digitaaliset oikeudet ja tietosuoja kaupunkipalveluissa",
                0,
            ),
            Membership(
                "other",
                "founder",
                "Forum Virium Helsinki, kansainväliset verkostot",
                "competence",
                "Open & Agile Smart Cities (OASC); avoimet rajapinnat ja yhteentoimivuus",
                5_000,
                name="Open & Agile Smart Cities",
                focus=("smart_city", "mobility"),
            ),
        ),
        partnerships=(
            Partnership(
                "amsterdam",
                "mou",
                2020,
                "competence",
                ("Tekoälyrekisterien yhteiskehittäminen", "Digitaalisten kaksosten vertailu"),
            ),
        ),
    ),
}

#: A neutral profile for an organisation that params adds but this module does not know.
DEFAULT_PROFILE = Profile(
    activities=60,
    growth=0.03,
    goals={"competence": 0.6, "recognition": 0.25, "influence": 0.15},
    focus={
        "smart_city": 1,
        "climate": 1,
        "innovation": 1,
        "mobility": 1,
        "education": 1,
        "inclusion": 1,
        "culture": 1,
        "design": 1,
    },
    types={"project": 25, "benchmarking": 20, "network_work": 15, "event": 15, "eu_project": 10, "other": 15},
    eu_sources={"eu_other": 1},
    visits=10,
    incoming_share=0.5,
    media=5,
    media_range=(0, 20),
    contact_role="Kansainvälisten asioiden yhteyshenkilö",
)

#: Focus areas each network serves; an empty tuple means every focus area.
NETWORK_FOCUS: dict[str, tuple[str, ...]] = {
    "eurocities": (),
    "urban20": (),
    "union_baltic_cities": (),
    "other": (),
    "c40": ("climate", "mobility"),
    "bloomberg": ("smart_city", "innovation", "inclusion"),
    "wccf": ("culture",),
    "scale": ("innovation",),
    "city_possible": ("smart_city", "innovation", "inclusion"),
    "unesco_design": ("design", "culture"),
    "data_ethics": ("smart_city",),
    "polis": ("mobility", "smart_city"),
    "cities_coalition_digital_rights": ("smart_city",),
}
#: Countries whose cities take part in EU programmes (members, EEA, associated, the UK until Brexit).
EU_PROGRAMME_COUNTRIES = frozenset(
    {
        "AT",
        "BE",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FR",
        "GB",
        "GR",
        "HU",
        "IE",
        "IS",
        "IT",
        "LT",
        "LV",
        "NL",
        "NO",
        "PL",
        "PT",
        "SE",
        "CH",
        "UA",
    }
)

#: Networks whose members are European cities (their work has European partners).
EUROPEAN_NETWORKS = frozenset({"eurocities", "union_baltic_cities", "polis"})

#: Planted twin-city breaches: a new agreement signed in the report year, one city per year.
NEW_TWIN_CITIES = ("riga", "vilnius", "warsaw", "lisbon", "dublin", "milan", "hamburg", "vienna")


# ---------------------------------------------------------------------------------------------
# Geography

#: Cities that are not in params but are plausible partners: id → (country, fi, sv, en).
EXTRA_CITIES: dict[str, tuple[str, str, str, str]] = {
    "gothenburg": ("SE", "Göteborg", "Göteborg", "Gothenburg"),
    "tartu": ("EE", "Tarto", "Tartu", "Tartu"),
    "aarhus": ("DK", "Aarhus", "Århus", "Aarhus"),
    "bergen": ("NO", "Bergen", "Bergen", "Bergen"),
    "rotterdam": ("NL", "Rotterdam", "Rotterdam", "Rotterdam"),
    "utrecht": ("NL", "Utrecht", "Utrecht", "Utrecht"),
    "munich": ("DE", "München", "München", "Munich"),
    "zurich": ("CH", "Zürich", "Zürich", "Zurich"),
    "prague": ("CZ", "Praha", "Prag", "Prague"),
    "budapest": ("HU", "Budapest", "Budapest", "Budapest"),
    "athens": ("GR", "Ateena", "Aten", "Athens"),
    "madrid": ("ES", "Madrid", "Madrid", "Madrid"),
    "lyon": ("FR", "Lyon", "Lyon", "Lyon"),
    "manchester": ("GB", "Manchester", "Manchester", "Manchester"),
    "boston": ("US", "Boston", "Boston", "Boston"),
    "chicago": ("US", "Chicago", "Chicago", "Chicago"),
    "vancouver": ("CA", "Vancouver", "Vancouver", "Vancouver"),
    "osaka": ("JP", "Osaka", "Osaka", "Osaka"),
    "shenzhen": ("CN", "Shenzhen", "Shenzhen", "Shenzhen"),
    "busan": ("KR", "Busan", "Busan", "Busan"),
    "bangalore": ("IN", "Bangalore", "Bangalore", "Bengaluru"),
    "sydney": ("AU", "Sydney", "Sydney", "Sydney"),
    "melbourne": ("AU", "Melbourne", "Melbourne", "Melbourne"),
    "sao_paulo": ("BR", "São Paulo", "São Paulo", "São Paulo"),
    "cape_town": ("ZA", "Kapkaupunki", "Kapstaden", "Cape Town"),
}

#: Relative weight of a partner or visit city; unlisted strategy cities 1.0, extra cities (also
#: when params/strategy.yaml names them, as it does for the report's place names) EXTRA_WEIGHT.
EXTRA_WEIGHT = 0.4
CITY_WEIGHTS: dict[str, float] = {
    "tallinn": 9,
    "stockholm": 6,
    "copenhagen": 3.5,
    "oslo": 3,
    "beijing": 3,
    "new_york": 3,
    "amsterdam": 2.5,
    "brussels": 2.5,
    "berlin": 2,
    "barcelona": 2,
    "london": 2,
    "reykjavik": 1,
    "vienna": 1.5,
    "paris": 1.5,
    "riga": 1.5,
    "kyiv": 0.3,
    "st_petersburg": 2,
    "moscow": 1,
}
#: Extra weight on the priority cities for visits (the neighbouring region, Beijing, New York).
VISIT_PRIORITY_BOOST = 2.0
#: Cities whose expertise draws each focus area (their weight is tripled).
CITY_AFFINITY: dict[str, tuple[str, ...]] = {
    "smart_city": ("amsterdam", "barcelona", "tallinn", "singapore", "seoul", "new_york", "london"),
    "climate": ("copenhagen", "oslo", "stockholm", "hamburg", "paris", "vancouver", "rotterdam"),
    "innovation": ("san_francisco", "singapore", "stockholm", "london", "berlin", "tokyo", "boston", "shenzhen"),
    "mobility": ("stockholm", "oslo", "amsterdam", "vienna", "tallinn", "copenhagen", "utrecht"),
    "education": ("singapore", "shanghai", "tokyo", "seoul", "stockholm", "bangalore", "sao_paulo"),
    "inclusion": ("vienna", "amsterdam", "copenhagen", "barcelona", "gothenburg", "kyiv"),
    "culture": ("berlin", "london", "paris", "montreal", "tokyo", "tallinn", "milan"),
    "design": ("milan", "montreal", "copenhagen", "tokyo", "london", "berlin"),
}


@dataclass(frozen=True)
class City:
    id: str
    country: str
    names: dict[str, str]
    weight: float

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names["fi"]


def city_pool(strategy: Strategy, year: int) -> dict[str, City]:
    """Every city a workbook of ``year`` may name (frozen cooperation left out)."""
    countries = set(strategy.codes("countries").ids)
    pool: dict[str, City] = {}
    for entry in strategy.codes("cities").entries:
        frozen = entry.get("frozen_from")
        if frozen is not None and year >= int(frozen):
            continue
        cid = str(entry["id"])
        weight = CITY_WEIGHTS.get(cid, EXTRA_WEIGHT if cid in EXTRA_CITIES else 1.0)
        if cid == "kyiv" and year >= 2022:
            weight = 2.0  # support to Ukraine's capital since the full-scale invasion
        pool[cid] = City(cid, str(entry["country"]), {lang: str(entry[lang]) for lang in LANGUAGES}, weight)
    for cid, (country, fi, sv, en) in EXTRA_CITIES.items():
        pool.setdefault(cid, City(cid, country, {"fi": fi, "sv": sv, "en": en}, EXTRA_WEIGHT))
    return {cid: c for cid, c in pool.items() if c.country in countries}


# ---------------------------------------------------------------------------------------------
# Vocabulary (Finnish data; English project and media names)

TOPICS: dict[str, tuple[str, ...]] = {
    "smart_city": (
        "Digitaalinen kaksonen",
        "Avoin data",
        "Tekoälyn eettinen käyttö",
        "Älykkäät kaupunkipalvelut",
        "Tekoälyrekisteri",
        "Kaupunkisensorit",
        "Digitaalinen asiointi",
        "5G-kokeilut",
        "Kyberturvallisuus",
        "Datatalous",
        "Kaupunkimallin avoimet rajapinnat",
    ),
    "climate": (
        "Hiilineutraali Helsinki 2035",
        "Energiaremontit",
        "Kiertotalous",
        "Ilmastonmuutokseen sopeutuminen",
        "Hulevesien hallinta",
        "Lämmityksen päästöt",
        "Viherrakentaminen",
        "Puurakentaminen",
        "Luonnon monimuotoisuus",
        "Merellinen Helsinki",
        "Ilmastobudjetointi",
        "Hiilinielut",
    ),
    "innovation": (
        "Startup-ekosysteemi",
        "Kasvuyritysten kansainvälistyminen",
        "Investointien houkuttelu",
        "Testbed Helsinki",
        "Kansainvälisten osaajien houkuttelu",
        "Life science -klusteri",
        "Yritysyhteistyö",
        "Kokeilualustat",
        "Pelialan kasvu",
        "Kongressimatkailu",
        "Kestävä matkailu",
    ),
    "mobility": (
        "Joukkoliikenteen kehittäminen",
        "Pyöräliikenne",
        "Liikkuminen palveluna (MaaS)",
        "Raitioliikenne",
        "Automaattiset bussit",
        "Liikenneturvallisuus",
        "Sähköinen liikenne",
        "Joukkoliikenteen lipputuotteet",
        "Kävelykeskusta",
        "Logistiikan päästöt",
        "Satamaliikenne",
    ),
    "education": (
        "Varhaiskasvatuksen laatu",
        "Opettajien vaihto",
        "Digitaalinen oppiminen",
        "Monikielisten oppilaiden tuki",
        "Ammatillinen koulutus",
        "Kielikylpy",
        "Ilmiöpohjainen oppiminen",
        "Koulujen ilmastokasvatus",
        "Oppilashuolto",
        "Lukiokoulutuksen kansainvälistyminen",
        "Rehtorien johtamiskoulutus",
    ),
    "inclusion": (
        "Asunnottomuuden ehkäisy (Housing First)",
        "Maahanmuuttajien kotoutuminen",
        "Nuorten osallisuus",
        "Ikäystävällinen kaupunki",
        "Osallistuva budjetointi",
        "Segregaation ehkäisy",
        "Mielenterveyspalvelut",
        "Terveyserojen kaventaminen",
        "Esteettömyys",
        "Lähiöiden kehittäminen",
    ),
    "culture": (
        "Kirjastopalvelut",
        "Taiteilijaresidenssit",
        "Museoyhteistyö",
        "Festivaalit",
        "Katutaide",
        "Kulttuurivaihto",
        "Lasten ja nuorten kulttuuri",
        "Elävä musiikki",
        "Kulttuuriperintö",
        "Liikunta ja urheilutapahtumat",
        "Saunakulttuuri",
    ),
    "design": (
        "Muotoiluajattelu palveluissa",
        "Julkisen tilan muotoilu",
        "Palvelumuotoilu",
        "Kaupunkikalusteet",
        "World Design Capital -perintö",
        "Arkkitehtuuri ja kaupunkikuva",
        "Kestävä muotoilu",
        "Valaistussuunnittelu",
    ),
    "outside": (
        "Hallinnon kehittäminen",
        "Henkilöstövaihto",
        "Hankintayhteistyö",
        "Valmiussuunnittelu",
        "Pelastustoimen yhteistyö",
    ),
}

ACRONYM_HEADS: dict[str, tuple[str, ...]] = {
    "smart_city": ("Data", "Digi", "Smart", "Twin", "Open", "AI"),
    "climate": ("Green", "Climate", "Carbon", "Circular", "Nature", "Heat"),
    "innovation": ("Innova", "Scale", "Growth", "Venture", "Talent"),
    "mobility": ("Move", "Mobi", "Transit", "Ride", "Port", "Rail"),
    "education": ("Edu", "Learn", "Skill", "School", "Teach"),
    "inclusion": ("Inclu", "Care", "Well", "Together", "Home"),
    "culture": ("Cult", "Art", "Stage", "Heritage", "Museum"),
    "design": ("Design", "Form", "Space", "Public"),
    "outside": ("Resili", "Safe", "Gov"),
}
ACRONYM_TAILS = (
    "Cities",
    "Lab",
    "Hub",
    "Loop",
    "Link",
    "Bridge",
    "Flow",
    "Net",
    "Scape",
    "Shift",
    "Up",
    "4EU",
    "Labs",
    "Twin",
    "Path",
)

#: Events held in Helsinki, by focus area.
EVENTS_HOME: dict[str, tuple[str, ...]] = {
    "smart_city": ("Helsinki Data Days", "MyData-konferenssi", "Helsinki AI Forum"),
    "climate": ("Helsinki Climate Summit", "Itämeripäivä", "Helsingin ilmastoviikko"),
    "innovation": ("Slush-sivutapahtuma", "Helsinki Tech Week", "Helsinki Investor Days"),
    "mobility": ("Helsinki Mobility Days", "Kävelyn ja pyöräilyn seminaari"),
    "education": ("Helsinki Education Week", "Kansainvälinen opettajaseminaari"),
    "inclusion": ("Housing First -seminaari", "Osallisuusfoorumi"),
    "culture": ("Helsingin juhlaviikot", "Taiteiden yö", "Lux Helsinki", "Flow Festival", "Helsinki Book Fair"),
    "design": ("Helsinki Design Week", "Designmuseon kansainvälinen näyttely"),
    "outside": ("Kansainvälinen hallintoseminaari",),
}
#: Conferences abroad, by focus area (outgoing visits go to these).
EVENTS_ABROAD: dict[str, tuple[str, ...]] = {
    "smart_city": ("Smart City Expo World Congress", "Digital Assembly"),
    "climate": ("YK:n ilmastokokouksen sivutapahtuma", "C40 World Mayors Summit", "Nordic Climate Week"),
    "innovation": ("Web Summit", "London Tech Week"),
    "mobility": ("ITS European Congress", "Polis-konferenssi"),
    "education": ("Bett Show", "EAIE-messut"),
    "inclusion": ("Eurocities Social Affairs Forum", "European Social Network -konferenssi"),
    "culture": ("World Cities Culture Summit", "Frankfurtin kirjamessut"),
    "design": ("Milano Design Week", "Venetsian arkkitehtuuribiennaali"),
    "outside": ("OECD:n hallintofoorumi",),
}
CHALLENGES: dict[str, tuple[str, ...]] = {
    "smart_city": ("Data", "AI", "Urban Tech"),
    "climate": ("Energy", "Circular", "Climate"),
    "innovation": ("Startup", "Growth"),
    "mobility": ("Mobility", "Logistics"),
    "education": ("EdTech",),
    "inclusion": ("Well-being", "Inclusion"),
    "culture": ("Culture Tech",),
    "design": ("Design",),
    "outside": ("GovTech",),
}
CAMPAIGNS = (
    "Visit Helsinki -kesäkampanja",
    "Visit Helsinki -talvikampanja",
    "Work in Helsinki",
    "Helsinki Talent Boost",
    "Choose Helsinki",
    "Helsinki Stories",
    "Invest in Helsinki",
    "Study in Helsinki",
    "Meet in Helsinki",
    "Helsinki Unfolds",
    "Kestävä matkailu Helsingissä",
)
CAMPAIGN_MARKETS = ("SE", "DE", "GB", "US", "JP", "EE", "FR", "IN", "NL", "CN", "KR", "ES")

TITLE_PATTERNS: dict[str, tuple[str, ...]] = {
    "project": (
        "{topic}",
        "{topic} -hanke",
        "{topic}: kansainvälinen pilotti",
        "{topic} ({city})",
        "{city}–Helsinki: {topic}",
        "{topic} – kehittämishanke",
    ),
    "eu_project": ("{acronym}: {topic}", "{acronym} – {topic}", "EU-hanke {acronym}", "{acronym} ({topic})"),
    "network_work": ("{network}: {topic}", "{network} – työryhmätyö: {topic}", "{network}-yhteistyö ({topic})"),
    "benchmarking": (
        "Opintomatka: {topic} ({city})",
        "Benchmarking: {topic}, {city}",
        "Vertaisoppiminen {city}: {topic}",
        "{topic} – opintomatka, {city}",
    ),
    "challenge": ("{topic} -haastekilpailu", "Helsinki {challenge} Challenge", "Avoin innovaatiokilpailu: {topic}"),
    "event": (
        "{event} {year}",
        "{event}: kansainvälinen ohjelma",
        "Kansainvälinen seminaari: {topic}",
        "Webinaarisarja: {topic}",
        "Konferenssi: {topic}",
    ),
    "education_export": (
        "Koulutusvienti: {topic} ({country})",
        "Koulutusvientipilotti, {country}: {topic}",
        "Helsinki Education Hub: {topic}",
    ),
    "agreement": ("Yhteistyösopimus {city}: {topic}", "Aiesopimus, {city} – {topic}"),
    "campaign": ("{campaign}", "{campaign}: {country}", "Kampanja: {topic}", "{campaign} {year}"),
    "other": (
        "{topic} – kansainvälinen yhteistyö",
        "Asiantuntijavaihto: {topic}",
        "{topic}: kansainvälinen vertailu",
        "Kansainvälinen vierailuohjelma: {topic}",
    ),
}

PARTNER_ORGANISATIONS: dict[str, tuple[str, ...]] = {
    "smart_city": (
        "Aalto-yliopisto",
        "VTT",
        "Open & Agile Smart Cities",
        "Amsterdamin kaupunki",
        "Tallinnan kaupunki",
        "Business Finland",
        "Digi- ja väestötietovirasto",
    ),
    "climate": ("Helen Oy", "Ilmatieteen laitos", "Sitra", "HSY", "C40 Cities", "Tukholman kaupunki", "Helsingin yliopisto"),
    "innovation": (
        "Business Finland",
        "Slush",
        "Maria 01",
        "Helsinki Think Company",
        "Aalto-yliopisto",
        "Invest in Finland",
        "Visit Finland",
    ),
    "mobility": ("HSL", "Helsingin Satama", "Tallinna Sadam", "Väylävirasto", "TalTech", "Tallinnan kaupunki"),
    "education": (
        "Opetushallitus",
        "Helsingin yliopisto",
        "Metropolia",
        "Stadin ammatti- ja aikuisopisto",
        "British Council",
        "Goethe-Institut",
        "Education Finland",
    ),
    "inclusion": ("THL", "Y-Säätiö", "HUS", "Helsingin Diakonissalaitos", "Suomen Punainen Risti", "Eurocities"),
    "culture": (
        "Helsingin juhlaviikot",
        "Kansallisgalleria",
        "Suomen kulttuuri-instituutit",
        "Goethe-Institut",
        "Institut français de Finlande",
        "Music Finland",
        "Oodi",
    ),
    "design": ("Design Forum Finland", "Designmuseo", "Aalto-yliopisto", "Helsinki Design Week", "Ornamo", "Arkkitehtuurimuseo"),
    "outside": ("Kuntaliitto", "Valtiovarainministeriö", "Pelastusopisto"),
}

OUTCOMES: dict[str, tuple[str, ...]] = {
    "completed": (
        "Hyvät käytännöt jaettu toimialan käyttöön",
        "Loppuraportti valmistunut",
        "Pilotti toteutettu ja arvioitu",
        "Tulokset esitelty johtoryhmälle",
        "Yhteistyö jatkuu uutena hankkeena",
        "Toimintamalli otettu käyttöön kahdessa yksikössä",
        "Tavoitteet saavutettiin osittain",
        "Osallistujia {n}",
    ),
    "ongoing": (
        "Väliraportti valmistunut",
        "Pilottivaihe käynnissä",
        "Kumppanuus vakiintunut",
        "Toteutus aikataulussa",
        "Toteutus viivästynyt kumppanin takia",
    ),
    "planned": ("Hakemus jätetty", "Valmistelu käynnissä"),
    "cancelled": ("Peruttu rahoituksen puuttuessa", "Siirretty seuraavalle vuodelle", "Kumppani vetäytyi"),
    "event": ("Osallistujia {n}", "Kävijöitä {n}, joista ulkomaisia noin {k} %", "Mediaosumia {m}"),
    "campaign": ("Tavoittavuus {n}", "Mediaosumia {m}", "Verkkosivukäyntejä {n}"),
}

#: Budget (median EUR, log-normal sigma) by activity type: a long tail of a few large items.
BUDGETS: dict[str, tuple[float, float]] = {
    "project": (40_000, 1.0),
    "eu_project": (260_000, 0.9),
    "network_work": (8_000, 0.9),
    "benchmarking": (4_000, 0.8),
    "challenge": (80_000, 1.0),
    "event": (30_000, 1.2),
    "education_export": (60_000, 1.0),
    "agreement": (5_000, 0.8),
    "campaign": (70_000, 1.1),
    "other": (10_000, 1.0),
}
#: Share of the budget that each external source typically covers (low, high).
FUNDING_SHARES: dict[str, tuple[float, float]] = {
    "horizon_europe": (0.7, 1.0),
    "digital_europe": (0.5, 0.5),
    "interreg": (0.65, 0.8),
    "life": (0.55, 0.6),
    "cef": (0.3, 0.5),
    "erasmus_plus": (0.8, 1.0),
    "creative_europe": (0.5, 0.8),
    "eu_other": (0.5, 0.8),
    "national": (0.2, 0.6),
    "foundation": (0.1, 0.5),
    "other": (0.1, 0.4),
}
#: EU programmes that did not exist before 2021 are recorded as other EU funding then.
NEW_EU_PROGRAMMES = {"horizon_europe": 2021, "digital_europe": 2021}
#: How strongly each activity type leans to a goal (multiplies the profile's goal weights).
TYPE_GOAL_BIAS: dict[str, dict[str, float]] = {
    "network_work": {"influence": 3.0},
    "agreement": {"influence": 3.0},
    "benchmarking": {"competence": 3.0},
    "eu_project": {"competence": 2.5},
    "challenge": {"competence": 1.5},
    "event": {"recognition": 2.5},
    "campaign": {"recognition": 6.0},
    "education_export": {"recognition": 2.0},
}
#: Typical duration in days (low, high) by type; None = often continuous.
DURATIONS: dict[str, tuple[int, int]] = {
    "project": (90, 900),
    "eu_project": (730, 1460),
    "network_work": (180, 730),
    "benchmarking": (1, 5),
    "challenge": (120, 365),
    "event": (1, 4),
    "education_export": (60, 540),
    "agreement": (365, 1460),
    "campaign": (30, 180),
    "other": (30, 365),
}
#: Fewer visits and meetings in July (holidays) and late December.
MONTH_WEIGHTS = (0.8, 1.0, 1.1, 1.0, 1.2, 1.1, 0.3, 0.6, 1.2, 1.2, 1.1, 0.7)

VISIT_PURPOSES = {
    "incoming": (
        "Delegaatio tutustui: {topic}",
        "Vierailu Helsinkiin: {topic}",
        "Opintovierailu: {topic}",
        "Yhteistyöneuvottelut: {topic}",
        "Tutustuminen Helsingin malliin: {topic}",
    ),
    "outgoing": (
        "Konferenssi: {event}",
        "Verkostokokous: {topic}",
        "Benchmarking: {topic}",
        "Yhteistyöneuvottelut: {topic}",
        "Kaupunkivierailu: {topic}",
    ),
}

# Media outlets: (name, country, tier); tier sets the typical reach.
MEDIA_OUTLETS: tuple[tuple[str, str, int], ...] = (
    ("The Guardian", "GB", 1),
    ("BBC News", "GB", 1),
    ("Financial Times", "GB", 2),
    ("The Economist", "GB", 2),
    ("Monocle", "GB", 3),
    ("Dezeen", "GB", 3),
    ("Wallpaper*", "GB", 3),
    ("The New York Times", "US", 1),
    ("The Washington Post", "US", 1),
    ("CNN Travel", "US", 1),
    ("Bloomberg CityLab", "US", 2),
    ("Fast Company", "US", 2),
    ("Forbes", "US", 1),
    ("Le Monde", "FR", 2),
    ("Le Figaro", "FR", 2),
    ("Libération", "FR", 3),
    ("Der Spiegel", "DE", 1),
    ("Frankfurter Allgemeine Zeitung", "DE", 2),
    ("Süddeutsche Zeitung", "DE", 2),
    ("Die Zeit", "DE", 2),
    ("Dagens Nyheter", "SE", 2),
    ("Svenska Dagbladet", "SE", 2),
    ("Dagens Industri", "SE", 3),
    ("Postimees", "EE", 3),
    ("Eesti Päevaleht", "EE", 3),
    ("ERR News", "EE", 3),
    ("Nikkei", "JP", 2),
    ("The Japan Times", "JP", 3),
    ("Asahi Shimbun", "JP", 1),
    ("China Daily", "CN", 1),
    ("Xinhua", "CN", 1),
    ("Aftenposten", "NO", 2),
    ("Politiken", "DK", 2),
    ("Berlingske", "DK", 3),
    ("El País", "ES", 1),
    ("La Vanguardia", "ES", 2),
    ("Corriere della Sera", "IT", 2),
    ("la Repubblica", "IT", 2),
    ("NRC", "NL", 2),
    ("de Volkskrant", "NL", 2),
    ("Der Standard", "AT", 2),
    ("Neue Zürcher Zeitung", "CH", 2),
    ("The Korea Herald", "KR", 3),
    ("The Straits Times", "SG", 2),
    ("The Globe and Mail", "CA", 2),
    ("The Sydney Morning Herald", "AU", 2),
    ("The Times of India", "IN", 1),
)
MEDIA_COUNTRY_WEIGHTS: dict[str, float] = {
    "GB": 5,
    "US": 5,
    "DE": 4,
    "SE": 4,
    "EE": 3,
    "FR": 3,
    "JP": 2.5,
    "CN": 1.5,
    "NO": 1.5,
    "DK": 1.5,
    "ES": 1.5,
    "IT": 1.2,
    "NL": 1.2,
    "AT": 0.8,
    "CH": 0.8,
    "KR": 0.8,
    "SG": 0.8,
    "CA": 0.8,
    "AU": 0.6,
    "IN": 0.8,
}
REACH_MEDIAN = {1: 2_500_000, 2: 500_000, 3: 90_000}
TONES = {"positive": 0.6, "neutral": 0.32, "negative": 0.08}

HEADLINE_NOUNS: dict[str, tuple[str, ...]] = {
    "smart_city": ("digital twin", "open data platform", "AI register", "smart city test beds", "digital public services"),
    "climate": ("carbon-neutral 2035 goal", "heating transition", "Energy Challenge", "urban forests", "climate budget"),
    "innovation": ("startup scene", "tech talent push", "Slush week", "investment drive", "test-bed districts"),
    "mobility": ("tram expansion", "road-safety record", "city bikes", "Mobility as a Service", "Tallinn ferry link"),
    "education": (
        "school system",
        "free school meals",
        "phenomenon-based learning",
        "teacher training",
        "early childhood education",
    ),
    "inclusion": (
        "Housing First model",
        "fight against homelessness",
        "integration services",
        "youth centres",
        "participatory budgeting",
    ),
    "culture": ("Oodi library", "Helsinki Festival", "sauna culture", "Lux Helsinki light festival", "museum scene"),
    "design": ("design district", "Design Week", "public saunas", "waterfront architecture", "UNESCO City of Design status"),
    "outside": ("city administration", "emergency preparedness", "public procurement"),
}
HEADLINES_EN: dict[str, tuple[str, ...]] = {
    "positive": (
        "What cities can learn from Helsinki's {noun}",
        "Inside Helsinki's {noun}",
        "How Helsinki got its {noun} right",
        "Helsinki's {noun} draws global attention",
        "Helsinki bets on its {noun}",
        "The secret of Helsinki's {noun}",
    ),
    "neutral": (
        "A closer look at Helsinki's {noun}",
        "Helsinki reviews its {noun}",
        "Helsinki's {noun} in numbers",
        "Helsinki and Tallinn compare notes on {noun}",
    ),
    "negative": (
        "Questions raised over Helsinki's {noun}",
        "Helsinki's {noun} faces criticism",
        "Costs rise for Helsinki's {noun}",
        "Is Helsinki's {noun} overhyped?",
    ),
}
HEADLINES_LOCAL: dict[str, tuple[str, ...]] = {
    "SE": (
        "Helsingfors visar vägen",
        "Därför lockar Helsingfors",
        "Helsingfors satsar på framtiden",
        "Så jobbar Helsingfors med klimatet",
    ),
    "DE": ("Was wir von Helsinki lernen können", "Helsinki: Eine Stadt erfindet sich neu", "Warum alle nach Helsinki schauen"),
    "FR": (
        "Helsinki, la ville qui fait rêver les urbanistes",
        "À Helsinki, l'avenir se construit déjà",
        "Helsinki mise sur l'innovation",
    ),
    "EE": ("Helsingi ja Tallinna koostöö tiheneb", "Helsingi on eeskujuks", "Mida Tallinn saab Helsingilt õppida"),
    "ES": ("Helsinki, la ciudad que lo hace todo bien", "Lo que Helsinki enseña a las ciudades"),
}

#: Real public figures (domain description): (indicator, year, value, source, note).
#: The 2025 overnight stays are Statistics Finland's accommodation statistics, which the city
#: announced in a press release of March 2026. The example's 2025 report is dated 31.12.2025,
#: and a report cannot cite what was published after its date (the intake leaves such a value
#: out, with a warning): the example names the statistics, not the later press release.
INDICATOR_VALUES: tuple[tuple[str, int, int, str, str | None], ...] = (
    ("overnight_stays", 2019, 4_489_741, "Tilastokeskus / Statistics Finland", None),
    ("overnight_stays_foreign", 2019, 2_411_696, "Tilastokeskus / Statistics Finland", None),
    ("overnight_stays", 2024, 4_550_000, "hel.fi", "Noin 4,55 miljoonaa, ennätys"),
    ("overnight_stays", 2025, 4_924_251, "Tilastokeskus / Statistics Finland", None),
    ("port_passengers", 2017, 11_776_000, "Helsingin Satama, vuosikertomus 2019", None),
    ("port_passengers", 2018, 11_558_000, "Helsingin Satama, vuosikertomus 2019", None),
    ("port_passengers", 2019, 11_614_000, "Helsingin Satama, vuosikertomus 2019", None),
    ("port_passengers_tallinn", 2019, 8_925_000, "Helsingin Satama, vuosikertomus 2019", None),
    ("airport_passengers", 2019, 21_900_000, "Finavia (lehdistön mukaan)", "21,9 miljoonaa"),
    ("airport_passengers", 2020, 5_000_000, "Finavia (lehdistön mukaan)", "5,0 miljoonaa"),
    ("airport_passengers", 2021, 4_300_000, "Finavia (lehdistön mukaan)", "4,3 miljoonaa"),
    ("foreign_language_speakers", 2022, 114_100, "hel.fi", "Vuoden 2022 alussa"),
)
#: Indicators that the economic development unit reports even when Helsinki Partners exists.
ECONOMIC_INDICATORS = frozenset({"foreign_language_speakers"})


# ---------------------------------------------------------------------------------------------
# Public API


def build_example(strategy: Strategy, years: list[int], out_dir: Path, lang: str = "fi") -> list[Path]:
    """Write example workbooks ``out_dir/<year>/<org>.xlsx``; return their paths in order.

    A file already there is replaced only if this tool wrote it and nobody changed it since
    (:mod:`hki_intl.ledger`): the examples are for editing, and an edited one is kept."""
    planned = [(year, org) for year in years for org in submitting_organisations(strategy, year)]
    words = analyst_files(strategy, years, Path(out_dir))  # the analyst's texts beside the workbooks
    photos = {
        template_path(Path(out_dir), year, org).parent / photo_name(org, year, index): (org, year, index)
        for year, org in planned
        for index, item in highlights_of(org, year)
        if item.photo == "file"
    }
    ledger = Ledger.open(out_dir, "--out")
    ledger.check([*(template_path(Path(out_dir), year, org) for year, org in planned), *photos, *(path for path, _ in words)])
    paths: list[Path] = []
    for year, org in planned:
        profile = PROFILES.get(org, DEFAULT_PROFILE)
        workbook = build_workbook(
            strategy, org, year, lang, records=build_records(strategy, org, year, lang), contact_role=profile.contact_role
        )
        add_pasted_photos(workbook, org, year)
        paths.append(ledger.write(template_path(Path(out_dir), year, org), workbook_bytes(workbook)))
    for path, data in words:
        ledger.write(path, data)
    for path, (org, year, index) in photos.items():  # photo files beside the workbooks, with a GPS position
        ledger.write(path, example_photo(org, year, index, gps=True))
    return paths


def submitting_organisations(strategy: Strategy, year: int) -> list[str]:
    """The organisations that send a workbook for ``year`` (expected ones minus SKIPPED)."""
    return [org for org in strategy.organisations_in(year) if (org, year) not in SKIPPED]


def build_records(strategy: Strategy, org: str, year: int, lang: str = "fi") -> dict[str, list[Record]]:
    """The rows of one organisation's workbook for one year, by sheet name."""
    profile = PROFILES.get(org, DEFAULT_PROFILE)
    pool = city_pool(strategy, year)
    return {
        "Toiminnot": _activities(strategy, org, year, lang, profile, pool),
        "Verkostot": _memberships(strategy, org, year),
        "Vierailut": _visits(strategy, org, year, lang, profile, pool),
        "Näkyvyys": _media(strategy, org, year, profile),
        "Kumppanuudet": _partnerships(strategy, org, year, lang, profile, pool),
        "Mittarit": _indicators(strategy, org, year),
        "Nostot": _highlights(org, year),
    }


# ---------------------------------------------------------------------------------------------
# Helpers


def _rng(*parts: object) -> random.Random:
    """A generator seeded from a stable string (crc32, not the salted ``hash()``)."""
    return random.Random(zlib.crc32("-".join(map(str, parts)).encode("utf-8")))


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _one(rng: random.Random, items: Sequence[T]) -> T:
    return items[rng.randrange(len(items))]


def _count(base: float, growth: float, year: int, rng: random.Random, low: int, high: int) -> int:
    """A yearly volume: the base grown or shrunk by ``growth`` a year, ±2 % noise, clamped."""
    value = base * (1 + growth) ** (year - BASE_YEAR) * rng.uniform(0.98, 1.02)
    return max(low, min(high, round(value)))


def _round(value: float, step: int = 100) -> int:
    return max(step, round(value / step) * step)


def _date_in_year(rng: random.Random, year: int, months: Sequence[int] = range(1, 13)) -> dt.date:
    month = rng.choices(list(months), weights=[MONTH_WEIGHTS[m - 1] for m in months])[0]
    return dt.date(year, month, rng.randint(1, calendar.monthrange(year, month)[1]))


def _working_day(day: dt.date) -> dt.date:
    """The date moved off weekends and New Year's Day, staying in the same year."""
    if day.month == 1 and day.day == 1:
        day = dt.date(day.year, 1, 2)
    if day.weekday() >= 5:
        monday = day + dt.timedelta(days=7 - day.weekday())
        day = monday if monday.year == day.year else day - dt.timedelta(days=day.weekday() - 4)
    return day


def _known(strategy: Strategy, list_name: str) -> set[str]:
    return set(strategy.codes(list_name).ids)


def _filtered(weights: dict[str, float], known: set[str]) -> dict[str, float]:
    """Weights restricted to ids that params still has (params can change under us)."""
    kept = {k: v for k, v in weights.items() if k in known and v > 0}
    return kept or {sorted(known)[0]: 1.0}


def _cities(
    rng: random.Random,
    pool: dict[str, City],
    focus: str,
    k: int,
    boost_priority: float = 1.0,
    priority: frozenset[str] = frozenset(),
) -> list[City]:
    """``k`` distinct cities, weighted by importance and the focus area's affinity."""
    affinity = set(CITY_AFFINITY.get(focus, ()))
    chosen: list[City] = []
    candidates = dict(pool)
    for _ in range(min(k, len(candidates))):
        ids = list(candidates)
        weights = [candidates[c].weight * (3 if c in affinity else 1) * (boost_priority if c in priority else 1) for c in ids]
        cid = rng.choices(ids, weights=weights)[0]
        chosen.append(candidates.pop(cid))
    return chosen


# ---------------------------------------------------------------------------------------------
# Toiminnot (activities)


def _activities(strategy: Strategy, org: str, year: int, lang: str, profile: Profile, pool: dict[str, City]) -> list[Record]:
    rng = _rng(org, year, "activities")
    goals = _filtered(profile.goals, _known(strategy, "goals"))
    types = _filtered(profile.types, _known(strategy, "activity_types"))
    focus = _filtered(profile.focus, _known(strategy, "focus_areas"))
    funding_known = _known(strategy, "funding_sources")
    eu_sources = _filtered(profile.eu_sources, funding_known)
    member_of = [m for m in profile.memberships if m.network in _known(strategy, "networks")]
    eu_pool = {cid: c for cid, c in pool.items() if c.country in EU_PROGRAMME_COUNTRIES} or pool
    countries = strategy.codes("countries")
    n = _count(profile.activities, profile.growth, year, rng, 50, 300)
    titles: set[str] = set()
    rows: list[Record] = []
    for _ in range(n):
        activity_type = _pick(rng, types)
        area = "outside" if rng.random() < profile.outside_share else _pick(rng, focus)
        bias = TYPE_GOAL_BIAS.get(activity_type, {})
        goal = _pick(rng, {g: w * bias.get(g, 1.0) for g, w in goals.items()})
        partner_count = {
            "campaign": rng.choice((0, 0, 1)),
            "network_work": rng.randint(1, 4),
            "eu_project": rng.randint(2, 5),
        }.get(activity_type, rng.choice((0, 1, 1, 1, 2, 2, 3)))
        if activity_type in ("benchmarking", "agreement", "education_export"):
            partner_count = max(1, partner_count)
        membership = None
        if activity_type == "network_work" or rng.random() < 0.12:
            membership, area = _network_for(rng, member_of, area, focus, required=activity_type == "network_work")
        european = activity_type == "eu_project" or (membership is not None and membership.network in EUROPEAN_NETWORKS)
        partners = _cities(rng, eu_pool if european else pool, area, partner_count)
        title = _unique_title(rng, titles, activity_type, area, year, partners, membership, strategy, lang)
        start, end, status = _schedule(rng, activity_type, year)
        budget, external, source = _money(rng, activity_type, start, eu_sources, funding_known)
        if status == "cancelled":
            budget = _round(budget * rng.uniform(0.05, 0.3)) if budget else budget
            external = min(external, budget) if budget is not None else external
        rows.append(
            {
                "title": title,
                "activity_type": activity_type,
                "goal": goal,
                "focus_area": area,
                "partner_cities": "; ".join(c.name(lang) for c in partners) or None,
                "partner_countries": list(dict.fromkeys(c.country for c in partners))
                or _campaign_country(rng, activity_type, countries.ids),
                "partner_organisations": "; ".join(rng.sample(PARTNER_ORGANISATIONS[area], rng.randint(1, 3)))
                if rng.random() < 0.65
                else None,
                "network": membership.network if membership else None,
                "start": start,
                "end": end,
                "budget_eur": budget,
                "external_funding_eur": external,
                "funding_source": source,
                "status": status,
                "outcome": _outcome(rng, activity_type, status),
            }
        )
    return rows


def _serves(membership: Membership, area: str) -> bool:
    focus = membership.focus if membership.focus is not None else NETWORK_FOCUS.get(membership.network, ())
    return not focus or area in focus


def _network_for(
    rng: random.Random, member_of: list[Membership], area: str, focus: dict[str, float], required: bool
) -> tuple[Membership | None, str]:
    """A membership that fits the focus area; network work re-aims the area at its network."""
    fitting = [m for m in member_of if _serves(m, area)]
    if fitting:
        return _one(rng, fitting), area
    if not required or not member_of:
        return None, area
    membership = _one(rng, member_of)
    areas = {a: w for a, w in focus.items() if _serves(membership, a)}
    return membership, (_pick(rng, areas) if areas else area)


def _campaign_country(rng: random.Random, activity_type: str, known: list[str]) -> list[str] | None:
    """Campaigns name a target market even without a partner city."""
    if activity_type != "campaign":
        return None
    markets = [c for c in CAMPAIGN_MARKETS if c in known]
    return rng.sample(markets, rng.randint(1, 2)) if markets else None


def _unique_title(
    rng: random.Random,
    seen: set[str],
    activity_type: str,
    area: str,
    year: int,
    partners: list[City],
    membership: Membership | None,
    strategy: Strategy,
    lang: str,
) -> str:
    title = ""
    for attempt in range(6):
        title = _title(rng, activity_type, area, year, partners, membership, strategy, lang)
        if attempt == 5:
            title = f"{title} ({rng.choice(('vaihe 2', 'jatkohanke', 'osa II', 'laajennus'))})"
        if title not in seen:
            break
    seen.add(title)
    return title


def _title(
    rng: random.Random,
    activity_type: str,
    area: str,
    year: int,
    partners: list[City],
    membership: Membership | None,
    strategy: Strategy,
    lang: str,
) -> str:
    topic = _one(rng, TOPICS[area])
    city = partners[0].name(lang) if partners else None
    country = strategy.codes("countries").label(partners[0].country, "fi") if partners else None
    values = {
        "topic": topic,
        "city": city,
        "country": country,
        "year": year,
        "network": (membership.name or strategy.codes("networks").label(membership.network, "fi")) if membership else None,
        "acronym": _acronym(rng, area),
        "event": _one(rng, EVENTS_HOME[area] + EVENTS_ABROAD[area]),
        "challenge": _one(rng, CHALLENGES[area]),
        "campaign": _one(rng, CAMPAIGNS),
    }
    if activity_type == "campaign" and not country:
        values["country"] = strategy.codes("countries").label(_one(rng, CAMPAIGN_MARKETS), "fi")
    usable = [p for p in TITLE_PATTERNS[activity_type] if all(values.get(k) is not None for k in _placeholders(p))]
    pattern = _one(rng, usable or ["{topic}"])
    return pattern.format(**values)


def _placeholders(pattern: str) -> list[str]:
    return [part.split("}")[0] for part in pattern.split("{")[1:]]


def _acronym(rng: random.Random, area: str) -> str:
    name = _one(rng, ACRONYM_HEADS[area]) + _one(rng, ACRONYM_TAILS)
    roll = rng.random()
    if roll < 0.25:
        return name.upper()
    if roll < 0.35:
        return f"{name} 2030"
    return name


def _schedule(rng: random.Random, activity_type: str, year: int) -> tuple[dt.date, dt.date | None, str]:
    """Start, end and status: active during ``year``, consistent with each other."""
    year_start, year_end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    roll = rng.random()
    if roll < 0.03:  # planned: starts late in the year, not yet under way when reported
        return _date_in_year(rng, year, (10, 11, 12)), None, "planned"
    short = activity_type in ("benchmarking", "event")
    if activity_type == "eu_project" and rng.random() < 0.55:
        start = year_start - dt.timedelta(days=rng.randint(30, 700))
    elif not short and rng.random() < 0.12:
        start = year_start - dt.timedelta(days=rng.randint(1, 90))
    else:
        start = _date_in_year(rng, year)
    if roll < 0.06:  # cancelled after it had been started or scheduled
        return start, None, "cancelled"
    low, high = DURATIONS[activity_type]
    continuous = activity_type in ("network_work", "agreement") and rng.random() < 0.5
    if continuous:
        return start, None, "ongoing"
    end = start + dt.timedelta(days=rng.randint(low, high) - 1 if high > 1 else 0)
    if end < year_start:
        end = year_start + dt.timedelta(days=rng.randint(0, 180))
    if end <= year_end:
        return start, end, "completed"
    return start, (end if rng.random() < 0.8 else None), "ongoing"


def _money(
    rng: random.Random, activity_type: str, start: dt.date, eu_sources: dict[str, float], known: set[str]
) -> tuple[int | None, int, str]:
    """Budget, external funding and its source; funding > 0 always names a real source."""
    if activity_type not in ("eu_project", "campaign", "challenge") and rng.random() < 0.04:
        return None, 0, "none"  # budget not known to the contributor
    median, sigma = BUDGETS[activity_type]
    budget = _round(min(rng.lognormvariate(math.log(median), sigma), median * 40))
    if activity_type == "eu_project":
        source = _pick(rng, eu_sources)
    elif rng.random() < 0.22:
        source = _pick(rng, _filtered({"national": 5, "foundation": 2, "other": 1, "eu_other": 1}, known))
    else:
        return budget, 0, "none"
    if source in NEW_EU_PROGRAMMES and start.year < NEW_EU_PROGRAMMES[source] and "eu_other" in known:
        source = "eu_other"
    low, high = FUNDING_SHARES.get(source, (0.3, 0.6))
    external = min(budget, _round(budget * rng.uniform(low, high)))
    return budget, external, source


def _outcome(rng: random.Random, activity_type: str, status: str) -> str | None:
    if status == "ongoing" and rng.random() < 0.25:
        return None
    options = OUTCOMES.get(activity_type, ()) if status == "completed" else ()
    text = _one(rng, options or OUTCOMES[status])
    return text.format(n=f"{rng.randint(12, 4000):,}".replace(",", " "), k=rng.randint(10, 60), m=rng.randint(3, 80))


# ---------------------------------------------------------------------------------------------
# Verkostot (network memberships)


def _memberships(strategy: Strategy, org: str, year: int) -> list[Record]:
    """The organisation's memberships; the year's two planted gaps are applied here."""
    profile = PROFILES.get(org, DEFAULT_PROFILE)
    known_networks, known_goals = _known(strategy, "networks"), _known(strategy, "goals")
    rows: list[Record] = []
    for m in profile.memberships:
        if m.network not in known_networks:
            continue
        fee = _round(m.annual_fee_eur * 1.025 ** (year - BASE_YEAR)) if m.annual_fee_eur else 0
        rows.append(
            {
                "network": m.network,
                "role": m.role,
                "owner_unit": m.owner_unit,
                "goal": m.goal if m.goal in known_goals else None,
                "justification": m.justification,
                "annual_fee_eur": fee,
                "review_year": year + 1 + zlib.crc32(f"{org}-{m.network}".encode()) % 3,
            }
        )
    no_owner, no_goal = _membership_gaps(strategy, year)
    for index, row in enumerate(rows):
        if (org, index) == no_owner:
            row["owner_unit"] = None
        if (org, index) == no_goal:
            row["goal"] = row["justification"] = None
    return rows


def _membership_gaps(strategy: Strategy, year: int) -> tuple[tuple[str, int] | None, tuple[str, int] | None]:
    """Where the year's two planted membership gaps go: (org, row index) each, distinct."""
    known = _known(strategy, "networks")
    slots: list[tuple[str, int]] = []
    for org in submitting_organisations(strategy, year):
        held = [m for m in PROFILES.get(org, DEFAULT_PROFILE).memberships if m.network in known]
        slots.extend((org, index) for index in range(len(held)))
    if len(slots) < 2:
        return (slots[0] if slots else None), None
    rng = _rng("membership-gaps", year)
    first, second = rng.sample(slots, 2)
    return first, second


# ---------------------------------------------------------------------------------------------
# Vierailut (visits)


def _visits(strategy: Strategy, org: str, year: int, lang: str, profile: Profile, pool: dict[str, City]) -> list[Record]:
    rng = _rng(org, year, "visits")
    focus = _filtered(profile.focus, _known(strategy, "focus_areas"))
    levels = _filtered(profile.levels, _known(strategy, "visit_levels"))
    priority = frozenset(strategy.codes("cities").ids_where("priority", True))
    n = _count(profile.visits, profile.growth, year, rng, 5, 60)
    rows: list[Record] = []
    for _ in range(n):
        direction = "incoming" if rng.random() < profile.incoming_share else "outgoing"
        area = "outside" if rng.random() < profile.outside_share / 2 else _pick(rng, focus)
        city = _cities(rng, pool, area, 1, VISIT_PRIORITY_BOOST, priority)[0]
        level = _pick(rng, levels)
        if direction == "incoming":
            participants = rng.randint(3, 25) if level in ("expert", "director") else rng.randint(4, 15)
        else:
            participants = rng.randint(1, 5) if level in ("expert", "director") else rng.randint(3, 9)
        purpose = _one(rng, VISIT_PURPOSES[direction]).format(topic=_one(rng, TOPICS[area]), event=_one(rng, EVENTS_ABROAD[area]))
        rows.append(
            {
                "direction": direction,
                "date": _working_day(_date_in_year(rng, year)),
                "city": city.name(lang),
                "country": city.country,
                "level": level,
                "focus_area": area,
                "participants": participants,
                "purpose": purpose,
            }
        )
    rows.sort(key=lambda r: r["date"])
    return rows


# ---------------------------------------------------------------------------------------------
# Näkyvyys (media)


def _media(strategy: Strategy, org: str, year: int, profile: Profile) -> list[Record]:
    rng = _rng(org, year, "media")
    known_countries = _known(strategy, "countries")
    outlets = [o for o in MEDIA_OUTLETS if o[1] in known_countries]
    if not outlets:
        return []
    per_country: dict[str, int] = {}
    for _, country, _ in outlets:
        per_country[country] = per_country.get(country, 0) + 1
    weights = [MEDIA_COUNTRY_WEIGHTS.get(c, 0.5) / per_country[c] * (1.3 if tier == 1 else 1.0) for _, c, tier in outlets]
    focus = _filtered(profile.focus, _known(strategy, "focus_areas"))
    tones = _filtered(TONES, _known(strategy, "media_tones"))
    low, high = profile.media_range
    n = _count(profile.media, profile.growth, year, rng, low, high)
    rows: list[Record] = []
    for _ in range(n):
        name, country, tier = rng.choices(outlets, weights=weights)[0]
        area = "outside" if rng.random() < 0.02 else _pick(rng, focus)
        tone = _pick(rng, tones)
        reach = int(round(rng.lognormvariate(math.log(REACH_MEDIAN[tier]), 0.7), -2))
        if tone != "negative" and country in HEADLINES_LOCAL and rng.random() < 0.35:
            headline = _one(rng, HEADLINES_LOCAL[country])
        else:
            headline = _one(rng, HEADLINES_EN[tone]).format(noun=_one(rng, HEADLINE_NOUNS[area]))
        rows.append(
            {
                "date": _date_in_year(rng, year),
                "outlet": name,
                "country": country,
                "focus_area": area,
                "tone": tone,
                "reach": max(reach, 1_000),
                "headline": headline,
            }
        )
    rows.sort(key=lambda r: r["date"])
    return rows


# ---------------------------------------------------------------------------------------------
# Kumppanuudet (city partnerships)


def _partnerships(strategy: Strategy, org: str, year: int, lang: str, profile: Profile, pool: dict[str, City]) -> list[Record]:
    rng = _rng(org, year, "partnerships")
    known_goals = _known(strategy, "goals")
    rows: list[Record] = []
    for p in profile.partnerships:
        city = pool.get(p.city)  # a frozen city is not in the pool: the agreement is dormant
        if city is None or p.signed_year > year:
            continue
        rows.append(
            {
                "partner_city": city.name(lang),
                "country": city.country,
                "agreement_type": p.agreement_type,
                "signed_year": p.signed_year,
                "strategic_goal": p.strategic_goal if p.strategic_goal in known_goals else None,
                "joint_activity": _one(rng, p.joint_activities),
            }
        )
    if org == _agreement_owner(strategy, year):
        city = _new_twin_city(pool, year, {p.city for p in profile.partnerships})
        if city is not None:
            rows.append(
                {
                    "partner_city": city.name(lang),
                    "country": city.country,
                    "agreement_type": "twin_city",
                    "signed_year": year,
                    "strategic_goal": None,
                    "joint_activity": None,
                }
            )
    return rows


def _agreement_owner(strategy: Strategy, year: int) -> str | None:
    orgs = submitting_organisations(strategy, year)
    return AGREEMENT_OWNER if AGREEMENT_OWNER in orgs else (orgs[0] if orgs else None)


def _new_twin_city(pool: dict[str, City], year: int, existing: set[str]) -> City | None:
    """The year's planted new twin city (a different one each year, not an existing partner)."""
    options = [c for c in NEW_TWIN_CITIES if c in pool and c not in existing]
    return pool[options[year % len(options)]] if options else None


# ---------------------------------------------------------------------------------------------
# Mittarit (indicators)


def _indicators(strategy: Strategy, org: str, year: int) -> list[Record]:
    """The real public figures with value_year <= year, reported by the indicator owner."""
    orgs = submitting_organisations(strategy, year)
    reporters = [o for o in INDICATOR_REPORTERS if o in orgs]
    if org not in reporters:
        return []
    known = _known(strategy, "indicators")
    main = reporters[0]
    economic = "cityexec_economic" if "cityexec_economic" in reporters else main
    return [
        {"indicator": indicator, "value_year": value_year, "value": value, "source": source, "note": note}
        for indicator, value_year, value, source, note in INDICATOR_VALUES
        if value_year <= year and indicator in known and org == (economic if indicator in ECONOMIC_INDICATORS else main)
    ]


# ---------------------------------------------------------------------------------------------
# Highlights (the sheet Nostot) and their photos


@dataclass(frozen=True)
class Highlight:
    """One highlight an organisation tells in its own words (Finnish; some also in sv or en)."""

    goal: str
    focus: str
    title: str
    text: str
    alt: str
    photo: str | None = "file"  # file (beside the workbook, with EXIF and GPS) | pasted | None
    link: str | None = None
    sv: tuple[str, str] | None = None  # (title, text)
    en: tuple[str, str] | None = None


HIGHLIGHTS: dict[str, tuple[Highlight, ...]] = {
    "cityexec_international": (
        Highlight(
            "influence",
            "climate",
            "Helsinki Eurocitiesin ilmastotyön kärjessä",
            "Helsinki johti Eurocitiesin ilmastoryhmän keväällä laatimaa kannanottoa EU:n rakennusten "
            "energiatehokkuussääntöihin. Kannanotto esiteltiin komissiolle Brysselissä, ja sen ehdotus kaupunkien "
            "omista rahoitusmalleista päätyi neuvotteluihin.",
            "Kaupunkien edustajat istuvat pyöreän pöydän ääressä kokoussalissa.",
            "pasted",
            "https://eurocities.eu",
            sv=(
                "Helsingfors i spetsen för Eurocities klimatarbete",
                "Helsingfors ledde Eurocities klimatgrupps ställningstagande om EU:s regler för byggnaders energieffektivitet. "
                "Förslaget om städernas egna finansieringsmodeller togs upp i förhandlingarna.",
            ),
            en=(
                "Helsinki leads Eurocities' climate work",
                "Helsinki led the Eurocities climate group's statement on the EU's energy-performance rules for buildings. "
                "Its proposal for cities' own financing models made it into the negotiations.",
            ),
        ),
        Highlight(
            "influence",
            "smart_city",
            "Tallinnan kanssa yhteinen tekoälyn eettinen ohjeistus",
            "Helsinki ja Tallinna laativat yhdessä ohjeet tekoälyn käytöstä kaupunkien asiakaspalvelussa. Ohjeistusta "
            "kommentoi kymmenen eurooppalaista kaupunkia, ja se julkaistiin molempien kaupunkien verkkosivuilla.",
            "Kaksi asiantuntijaa esittelee kaavioita näytöllä.",
            "file",
            sv=(
                "Gemensamma etiska riktlinjer för AI med Tallinn",
                "Helsingfors och Tallinn tog fram riktlinjer för AI i städernas kundtjänst. "
                "Tio europeiska städer kommenterade dem.",
            ),
        ),
        Highlight(
            "competence",
            "inclusion",
            "Pohjoismaiden pääkaupungit vertasivat kotoutumisen palveluja",
            "Kaupunginkanslia kokosi Pohjoismaiden pääkaupunkien asiantuntijat vertailemaan kotoutumisen palveluja. "
            "Vertailusta syntyi kolme kehitysehdotusta, joista yksi otetaan käyttöön Helsingin palvelupisteissä.",
            "Työpajan osallistujia post-it-lappujen täyttämän seinän edessä.",
            None,
        ),
    ),
    "cityexec_communications": (
        Highlight(
            "recognition",
            "culture",
            "Helsinki kansainvälisessä mediassa kesän tapahtumien kautta",
            "Kesän kaupunkitapahtumista kirjoitettiin yli sata juttua ulkomaisessa mediassa. Viestintä kutsui "
            "toimittajia Saksasta, Ranskasta ja Japanista tutustumaan kaupunkiin paikallisten oppaiden kanssa.",
            "Ulkomaisia toimittajia kävelykierroksella Helsingin rannassa.",
            "file",
            "https://www.myhelsinki.fi",
            en=(
                "Helsinki in the international media through its summer events",
                "More than a hundred stories on the city's summer events appeared in the foreign media. Communications "
                "invited journalists from Germany, France and Japan to see the city with local guides.",
            ),
        ),
        Highlight(
            "recognition",
            "design",
            "Designviikon kansainvälinen mediaohjelma",
            "Designviikolle järjestettiin kansainvälisen median ohjelma yhdessä Helsinki Partnersin kanssa. "
            "Vieraat tapasivat suunnittelijoita ja kaupungin arkkitehteja.",
            "Näyttelytila, jossa on valaisimia ja huonekaluja.",
            "pasted",
        ),
        Highlight(
            "recognition",
            "smart_city",
            "Kaupungin englanninkielinen uutiskirje kasvoi",
            "Kaupungin englanninkielisen uutiskirjeen tilaajamäärä kasvoi vuoden aikana selvästi. Suosituimmat jutut "
            "kertoivat kaupungin digitaalisista palveluista.",
            "",
            None,
        ),
    ),
    "cityexec_economic": (
        Highlight(
            "recognition",
            "innovation",
            "Kansainväliset osaajat löysivät Helsingin",
            "Elinkeino-osaston Talent Boost -ohjelma toi kaupunkiin kansainvälisiä osaajia yhteistyössä yritysten "
            "kanssa. Rekrytointitilaisuuksissa oli mukana yli 40 yritystä.",
            "Ihmisiä messuosastojen välissä rekrytointitapahtumassa.",
            "file",
            "https://www.hel.fi",
            sv=(
                "Internationella talanger hittade Helsingfors",
                "Näringslivsavdelningens program Talent Boost lockade internationella talanger i samarbete med företag.",
            ),
            en=(
                "International talent found Helsinki",
                "The Economic Development department's Talent Boost programme attracted international talent together "
                "with companies. More than 40 companies took part in its recruitment events.",
            ),
        ),
        Highlight(
            "competence",
            "innovation",
            "Yrityspalvelut oppivat Amsterdamista",
            "Yrityspalvelujen tiimi tutustui Amsterdamin kasvuyrityspalveluihin. Opit otettiin käyttöön uusien "
            "yrittäjien neuvonnassa.",
            "Kaksi ihmistä keskustelee toimistossa kannettavan tietokoneen ääressä.",
            "pasted",
        ),
    ),
    "education": (
        Highlight(
            "competence",
            "education",
            "Opettajat oppivat Singaporen kouluista",
            "Kolmekymmentä helsinkiläistä opettajaa tutustui Singaporen kouluihin ja matematiikan opetukseen. "
            "Syksyllä opit jaettiin kaikille peruskouluille järjestetyssä koulutuksessa.",
            "Opettajia luokkahuoneessa tutustumassa oppilaiden töihin.",
            "file",
            en=(
                "Teachers learned from Singapore's schools",
                "Thirty Helsinki teachers visited Singapore's schools to see how mathematics is taught there. In the "
                "autumn they shared what they learned with every comprehensive school.",
            ),
        ),
        Highlight(
            "recognition",
            "education",
            "Helsinkiläistä varhaiskasvatusta vietiin Japaniin",
            "Kasvatuksen ja koulutuksen toimiala koulutti japanilaisia varhaiskasvattajia leikkiin perustuvassa "
            "pedagogiikassa. Yhteistyö jatkuu ensi vuonna kahden uuden kaupungin kanssa.",
            "Lapsia leikkimässä päiväkodin pihalla.",
            "pasted",
            sv=(
                "Helsingforsisk småbarnspedagogik till Japan",
                "Sektorn för fostran och utbildning utbildade japanska pedagoger i lekbaserad pedagogik.",
            ),
        ),
        Highlight(
            "competence",
            "inclusion",
            "EU-hanke tukee maahan muuttaneiden nuorten opintoja",
            "Erasmus+-hankkeessa kehitettiin kolmen kaupungin kanssa malli, jolla maahan muuttaneet nuoret "
            "pääsevät nopeammin ammatillisiin opintoihin.",
            "Nuoria opiskelemassa kirjaston lukusalissa.",
            None,
        ),
    ),
    "urban_environment": (
        Highlight(
            "competence",
            "mobility",
            "Raitiotieratkaisuja haettiin Wienistä",
            "Kaupunkiympäristön toimiala vertaili Wienin kanssa raitioteiden rakentamisen aikatauluja ja kustannuksia. "
            "Vertailu auttoi Helsinkiä suunnittelemaan seuraavia raitiotiehankkeitaan.",
            "Raitiovaunu kaupungin kadulla iltapäivän valossa.",
            "file",
            "https://www.hel.fi/fi/kaupunkiymparisto-ja-liikenne",
            en=(
                "Tramway solutions from Vienna",
                "The Urban Environment division compared tramway construction schedules and costs with Vienna, which "
                "helped Helsinki plan its next tramway projects.",
            ),
        ),
        Highlight(
            "influence",
            "climate",
            "Helsinki mukana C40:n lämmitystyöryhmässä",
            "Helsinki jakoi C40-verkostossa kokemuksiaan kivihiilestä luopumisesta kaukolämmössä. Työryhmän suositukset "
            "julkaistiin syksyllä.",
            "Kaukolämpövoimalan piippu ja merimaisema.",
            "pasted",
            sv=(
                "Helsingfors med i C40:s arbetsgrupp för uppvärmning",
                "Helsingfors delade i nätverket C40 sina erfarenheter av att avveckla kolet i fjärrvärmen.",
            ),
        ),
    ),
    "culture_leisure": (
        Highlight(
            "recognition",
            "culture",
            "Helsingin kirjastot kansainvälisessä valokeilassa",
            "Oodin ja lähikirjastojen toimintaan tutustui vuoden aikana vierailijoita yli 30 maasta. Kirjastot "
            "esittelivät mallejaan myös kansainvälisessä kirjastokonferenssissa.",
            "Kirjaston valoisa lukusali ja kirjahyllyjä.",
            "file",
            "https://www.oodihelsinki.fi",
            sv=(
                "Helsingfors bibliotek i internationellt rampljus",
                "Besökare från över 30 länder bekantade sig med Ode och närbiblioteken under året.",
            ),
            en=(
                "Helsinki's libraries in the international spotlight",
                "Visitors from more than 30 countries came to see Oodi and the local libraries during the year.",
            ),
        ),
        Highlight(
            "competence",
            "culture",
            "Nuorisotyön vaihto Tukholman kanssa",
            "Nuorisopalvelut ja Tukholman kaupunki vaihtoivat kokemuksia nuorten osallisuudesta. Kymmenen nuorta "
            "osallistui vaihtoon ja esitteli tulokset nuorisovaltuustolle.",
            "Nuoria ryhmätyössä nuorisotalolla.",
            None,
        ),
    ),
    "social_health": (
        Highlight(
            "competence",
            "inclusion",
            "Asunto ensin -mallia esiteltiin Euroopan kaupungeille",
            "Sosiaali-, terveys- ja pelastustoimiala esitteli Asunto ensin -mallia kuudelle eurooppalaiselle "
            "kaupungille. Vierailijat tutustuivat tuettuun asumiseen ja palveluohjaukseen.",
            "Kerrostalo ja sen pihapiiri kesällä.",
            "file",
            en=(
                "Housing First presented to European cities",
                "The Social Services, Health Care and Rescue Services division presented the Housing First model to "
                "six European cities.",
            ),
        ),
        Highlight(
            "competence",
            "smart_city",
            "Pelastuslaitos harjoitteli Tallinnan kanssa",
            "Pelastuslaitos harjoitteli Tallinnan kanssa suuronnettomuutta satamassa. Harjoitus paransi viestintää "
            "kahden kaupungin välillä.",
            "Pelastusajoneuvoja satamassa harjoituksen aikana.",
            "pasted",
        ),
    ),
    "helsinki_partners": (
        Highlight(
            "recognition",
            "innovation",
            "Slush toi sijoittajat Helsinkiin",
            "Helsinki Partners järjesti Slushin yhteydessä sijoittajaohjelman, johon osallistui sijoittajia yli "
            "kahdestakymmenestä maasta. Ohjelman jälkeen kolme yritystä avasi toimiston Helsinkiin.",
            "Tapahtumayleisöä suuressa hallissa valojen alla.",
            "file",
            "https://www.helsinkipartners.com",
            sv=(
                "Slush förde investerare till Helsingfors",
                "Helsinki Partners ordnade ett investerarprogram i samband med Slush. Tre företag öppnade kontor i Helsingfors.",
            ),
            en=(
                "Slush brought investors to Helsinki",
                "Helsinki Partners ran an investor programme at Slush with investors from more than twenty countries. "
                "Three companies opened an office in Helsinki afterwards.",
            ),
        ),
        Highlight(
            "recognition",
            "culture",
            "Kestävän matkailun kampanja Saksassa",
            "Helsinki Partners markkinoi Helsinkiä kestävän matkailun kohteena Saksassa. Kampanja kohdistui "
            "pidempään viipyviin matkailijoihin.",
            "Rantakatu ja kahvila kesäpäivänä.",
            "pasted",
        ),
    ),
    "forum_virium": (
        Highlight(
            "competence",
            "smart_city",
            "Digitaalinen kaksonen kiinnosti Eurooppaa",
            "Forum Virium Helsinki esitteli Helsingin digitaalista kaksosta EU-hankkeen kumppaneille. Malli auttaa "
            "arvioimaan rakennusten energiankulutusta.",
            "Kaupungin kolmiulotteinen malli tietokoneen näytöllä.",
            "file",
            "https://forumvirium.fi",
            en=(
                "Helsinki's digital twin drew European interest",
                "Forum Virium Helsinki presented Helsinki's digital twin to its EU project partners. The model helps "
                "estimate the energy use of buildings.",
            ),
        ),
        Highlight(
            "influence",
            "mobility",
            "Robottibussit testissä kolmen kaupungin kanssa",
            "Forum Virium Helsinki testasi robottibusseja yhdessä kolmen eurooppalaisen kaupungin kanssa. "
            "Tulokset esiteltiin EU:n liikennepolitiikan valmistelijoille.",
            "Pieni sähköinen robottibussi pysäkillä.",
            "pasted",
        ),
    ),
}
#: Colours the example photos are drawn in (Helsinki Design System): sky, sea, land, accent.
PHOTO_PALETTES = (
    ("#9fc9eb", "#0072c6", "#009246", "#ffc61e"),
    ("#f5a3c7", "#0000bf", "#c2a251", "#fd4f00"),
    ("#ffe977", "#00d7a7", "#bd2719", "#0072c6"),
    ("#dedfe1", "#009246", "#0000bf", "#ffc61e"),
)
#: Where the example photos say they were taken (the GPS tags the intake must strip): Helsinki.
PHOTO_GPS = {1: "N", 2: (60.0, 10.0, 12.5), 3: "E", 4: (24.0, 56.0, 30.0)}


def highlights_of(org: str, year: int) -> list[tuple[int, Highlight]]:
    """The organisation's highlights of ``year`` (its index and the highlight): all of them in
    BASE_YEAR + 1, two of them, in turn, in the other years."""
    items = HIGHLIGHTS.get(org, ())
    if not items:
        return []
    if year == BASE_YEAR + 1 or len(items) < 3:
        return list(enumerate(items))
    start = year % len(items)
    return [(i % len(items), items[i % len(items)]) for i in range(start, start + 2)]


def photo_name(org: str, year: int, index: int) -> str:
    """The file name of an example photo beside the workbook."""
    return f"{org}-nosto{index + 1}-{year}.jpg"


def _highlights(org: str, year: int) -> list[Record]:
    records = []
    for index, item in highlights_of(org, year):
        record: Record = {"title": item.title, "text": item.text, "goal": item.goal, "focus_area": item.focus}
        record |= {"link": item.link, "photo": photo_name(org, year, index) if item.photo == "file" else None}
        if item.photo:
            record |= {"photo_alt": item.alt, "photo_credit": "Helsingin kaupunki"}
        for lang, translation in (("sv", item.sv), ("en", item.en)):
            if translation:
                record |= {f"title_{lang}": translation[0], f"text_{lang}": translation[1]}
        records.append(record)
    return records


def example_photo(org: str, year: int, index: int, gps: bool) -> bytes:
    """A landscape the generator draws itself (no download): sky, sun, sea, a shore with
    buildings, in a palette of the organisation; a JPEG with camera EXIF tags and, if ``gps``,
    a GPS position, so that the intake's stripping is exercised."""
    from PIL import Image, ImageDraw

    rng = _rng("photo", org, year, index)
    sky, sea, land, accent = PHOTO_PALETTES[zlib.crc32(org.encode()) % len(PHOTO_PALETTES)]
    width, height = 1600, 1067
    image = Image.new("RGB", (width, height), sky)
    draw = ImageDraw.Draw(image)
    horizon = int(height * rng.uniform(0.5, 0.62))
    for y in range(horizon):  # the sky lightens towards the horizon
        shade = int(60 * y / horizon)
        draw.line([(0, y), (width, y)], fill=_lighter(sky, shade))
    sun = (rng.randint(200, width - 200), rng.randint(120, horizon - 150))
    draw.ellipse([sun[0] - 90, sun[1] - 90, sun[0] + 90, sun[1] + 90], fill=accent)
    draw.rectangle([0, horizon, width, height], fill=sea)
    x = 0
    while x < width:  # the shore's buildings
        w, h = rng.randint(60, 180), rng.randint(80, 320)
        draw.rectangle([x, horizon - h, x + w, horizon + 20], fill=land, outline="#1a1a1a", width=3)
        for wy in range(horizon - h + 20, horizon - 10, 40):
            for wx in range(x + 12, x + w - 20, 36):
                draw.rectangle([wx, wy, wx + 16, wy + 20], fill=_lighter(accent, 40))
        x += w + rng.randint(10, 60)
    for _ in range(14):  # waves
        y = rng.randint(horizon + 40, height - 20)
        x0 = rng.randint(0, width - 200)
        draw.arc([x0, y, x0 + 200, y + 30], 200, 340, fill="white", width=4)
    exif = Image.Exif()
    exif[0x010F] = "Esimerkkikamera Oy"  # Make
    exif[0x0110] = "Malli X100"  # Model
    exif[0x0132] = f"{year}:06:12 10:24:00"  # DateTime
    exif[0x013B] = "Matti Meikäläinen"  # Artist: personal data that must not reach the report
    if gps:
        exif[0x8825] = PHOTO_GPS
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif.tobytes())
    return out.getvalue()


def _lighter(colour: str, amount: int) -> str:
    r, g, b = (min(255, int(colour[i : i + 2], 16) + amount) for i in (1, 3, 5))
    return f"#{r:02x}{g:02x}{b:02x}"


def add_pasted_photos(workbook: Any, org: str, year: int) -> None:
    """Paste the photos of the highlights marked ``pasted`` on their rows of the sheet Nostot,
    as a contributor does in Excel (some of them with a GPS position)."""
    from openpyxl.drawing.image import Image as SheetImage

    ws = workbook["Nostot"]
    photo_column = next(i for i, c in enumerate(ws[1], start=1) if str(c.value).startswith(("Kuvatiedosto", "Bildfil", "Photo")))
    for row, (index, item) in enumerate(highlights_of(org, year), start=2):
        if item.photo != "pasted":
            continue
        picture = SheetImage(io.BytesIO(example_photo(org, year, index, gps=index % 2 == 0)))
        picture.width, picture.height = 150, 100  # shrunk on the sheet, as people do; the file keeps its pixels
        ws.add_image(picture, f"{get_column_letter(photo_column)}{row}")
        ws.row_dimensions[row].height = 80
