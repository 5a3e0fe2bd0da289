"""The whole workbook schema in one place: sheets, columns, their types and their labels.

A contributor's workbook has one sheet per kind of record (Finnish sheet names, as in the
city's own templates). Each column has a stable machine ``key``; its header is written in the
template language, and the intake finds columns by key or by the header in any language, so
reordered columns or a Swedish header read the same. Code lists come from
``params/strategy.yaml`` by name (``codes``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hki_intl.config.params import normalise_key

TEMPLATE_VERSION = "2025.2"  # 2025.2 added the nil-return row to the info sheet
REQUIRED_MARK = " *"
MAX_EUR = 1_000_000_000  # one activity, fee or grant: a thousand million euros is a typing error


@dataclass(frozen=True)
class Column:
    key: str
    kind: str  # text | code | codes | date | number | integer | year | flag (yes or empty)
    fi: str
    sv: str
    en: str
    required: bool = False
    codes: str | None = None  # name of a list in params/strategy.yaml
    minimum: float | None = None
    maximum: float | None = None  # larger values are typing errors (an absurd amount)
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

    def label(self, lang: str) -> str:
        """What the sheet holds, in ``lang``."""
        return str(getattr(self, lang))

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
    # A genuine nil return is stated, not inferred: an untouched template may just be forgotten.
    Column("nil_return", "flag", "Ei raportoitavaa tältä vuodelta", "Inget att rapportera för året",
           "Nothing to report for the year"),
)
NIL_RETURN = INFO_FIELDS[-1]

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
        Column("budget_eur", "number", "Budjetti (EUR)", "Budget (EUR)", "Budget (EUR)", minimum=0, maximum=MAX_EUR,
               width=15),
        Column("external_funding_eur", "number", "Ulkoinen rahoitus (EUR)", "Extern finansiering (EUR)",
               "External funding (EUR)", minimum=0, maximum=MAX_EUR, width=15),
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
        Column("annual_fee_eur", "number", "Vuosimaksu (EUR)", "Årsavgift (EUR)", "Annual fee (EUR)", minimum=0,
               maximum=MAX_EUR, width=15),
        Column("review_year", "year", "Arviointivuosi", "Utvärderingsår", "Review year", width=12),
    )),
    Sheet("Vierailut", "visits", "Vierailut", "Besök", "Visits", (
        Column("direction", "code", "Suunta", "Riktning", "Direction", True, "visit_directions", width=28),
        Column("date", "date", "Päivä", "Datum", "Date", True, width=13),
        Column("city", "text", "Kaupunki", "Stad", "City", True, width=20),
        Column("country", "code", "Maa", "Land", "Country", True, "countries", width=20),
        Column("level", "code", "Taso", "Nivå", "Level", True, "visit_levels", width=18),
        Column("focus_area", "code", "Painopistealue", "Fokusområde", "Focus area", codes="focus_areas", width=30),
        Column("participants", "integer", "Osallistujia", "Deltagare", "Participants", minimum=0,
               maximum=100_000, width=12),
        Column("purpose", "text", "Tarkoitus", "Syfte", "Purpose", width=40),
    )),
    Sheet("Näkyvyys", "media", "Kansainvälinen medianäkyvyys", "Internationell mediesynlighet",
          "International media visibility", (
        Column("date", "date", "Päivä", "Datum", "Date", True, width=13),
        Column("outlet", "text", "Media", "Medium", "Outlet", True, width=26),
        Column("country", "code", "Maa", "Land", "Country", True, "countries", width=20),
        Column("focus_area", "code", "Painopistealue", "Fokusområde", "Focus area", codes="focus_areas", width=30),
        Column("tone", "code", "Sävy", "Ton", "Tone", True, "media_tones", width=14),
        Column("reach", "integer", "Tavoittavuus", "Räckvidd", "Reach", minimum=0, maximum=10_000_000_000, width=14),
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
# What an accepted workbook is (the ``status`` of submissions.csv): one with data, a stated nil
# return, or an untouched template, which is not counted as a nil return (it may be a mistake).
STATUS_DATA, STATUS_NIL, STATUS_EMPTY = "data", "nil_return", "empty"
SHEETS_BY_TABLE = {s.table: s for s in SHEETS}
HEADER_ROW = 1  # the header is the first row of every data sheet; data starts on row 2

# Defined names (workbook-level) through which the template records whose workbook it is. They
# point at the hidden column C of the info sheet, so the values live in cells too.
INFO_NAMES = {"organisation": "hki_organisation", "year": "hki_year", "template_version": "hki_template_version"}

# ---------------------------------------------------------------------------------------------
# What each sheet and column means, for the instructions sheet and the input messages of the
# template: (fi, sv, en) texts, and an example. An example is a code id (shown as its label in
# the template language) for coded columns, otherwise a value or a (fi, sv, en) triple.

Text = tuple[str, str, str]

SHEET_HELP: dict[str, Text] = {
    INFO_SHEET: (
        "Kuka raportoi ja mistä vuodesta. Täytä vain yhteyshenkilön rooli; muut tiedot ovat valmiina.",
        "Vem som rapporterar och för vilket år. Fyll bara i kontaktpersonens roll; resten är ifyllt.",
        "Who reports and for which year. Fill in only the contact role; the rest is filled in."),
    "Toiminnot": (
        "Yksi rivi kutakin kansainvälistä toimintoa kohden: hankkeet, EU-hankkeet, verkostotyö, benchmarking ja "
        "opintomatkat, haastekilpailut, tapahtumat, koulutusvienti, sopimukset ja kampanjat.",
        "En rad per internationell verksamhet: projekt, EU-projekt, nätverksarbete, benchmarking och studieresor, "
        "utmaningstävlingar, evenemang, utbildningsexport, avtal och kampanjer.",
        "One row per international activity: projects, EU projects, network work, benchmarking and study visits, "
        "challenge competitions, events, education export, agreements and campaigns."),
    "Verkostot": (
        "Yksi rivi kutakin kansainvälistä verkostojäsenyyttä kohden. Jokaisella jäsenyydellä on oltava vastuuyksikkö, "
        "ja sen on tuettava jotakin tavoitetta.",
        "En rad per internationellt nätverksmedlemskap. Varje medlemskap ska ha en ansvarig enhet och stödja ett mål.",
        "One row per international network membership. Every membership needs an owner unit and must support a goal."),
    "Vierailut": (
        "Yksi rivi kutakin kansainvälistä vierailua kohden, sekä Helsinkiin saapuneet että Helsingistä lähteneet.",
        "En rad per internationellt besök, både till och från Helsingfors.",
        "One row per international visit, both to and from Helsinki."),
    "Näkyvyys": (
        "Yksi rivi kutakin kansainvälisen median juttua tai lähetystä kohden.",
        "En rad per artikel eller inslag i internationella medier.",
        "One row per item in the international media."),
    "Kumppanuudet": (
        "Yksi rivi kutakin kaupunkikumppanuutta kohden (ystävyyskaupunki, yhteistyöpöytäkirja, yhteistyöohjelma). "
        "Uudella ystävyyskaupunkisopimuksella on oltava selvä strateginen tavoite.",
        "En rad per stadspartnerskap (vänort, samförståndsavtal, samarbetsprogram). Ett nytt vänortsavtal ska ha ett "
        "tydligt strategiskt mål.",
        "One row per city partnership (twin city, memorandum of understanding, cooperation programme). A new twin-city "
        "agreement needs a clear strategic goal."),
    "Mittarit": (
        "Kaupunkitason mittarien arvot: yksi rivi kutakin mittaria ja vuotta kohden.",
        "Värden för indikatorer på stadsnivå: en rad per indikator och år.",
        "Values of city-level indicators: one row per indicator and year."),
}

COLUMN_HELP: dict[tuple[str, str], tuple[Text, object]] = {
    (INFO_SHEET, "organisation"): (("Raportoiva organisaatio (valmiina).", "Rapporterande organisation (ifylld).",
                                    "The reporting organisation (filled in)."), None),
    (INFO_SHEET, "year"): (("Raportointivuosi (valmiina).", "Rapporteringsår (ifyllt).",
                            "The year reported (filled in)."), None),
    (INFO_SHEET, "contact_role"): (
        ("Yhteyshenkilön rooli tai tehtävänimike, ei nimeä eikä sähköpostiosoitetta.",
         "Kontaktpersonens roll eller titel, inte namn eller e-postadress.",
         "The contact's role or job title, not a name or an e-mail address."),
        ("Kansainvälisten asioiden asiantuntija", "Sakkunnig i internationella frågor", "International affairs adviser")),
    (INFO_SHEET, "template_version"): (("Pohjan versio (valmiina).", "Mallens version (ifylld).",
                                        "The template version (filled in)."), None),
    (INFO_SHEET, "nil_return"): (
        ("Valitse 'Kyllä' vain, jos organisaatiolla ei ollut vuoden aikana lainkaan kansainvälistä toimintaa; jätä "
         "silloin muut välilehdet tyhjiksi.",
         "Välj 'Ja' bara om organisationen inte hade någon internationell verksamhet under året; lämna då de andra "
         "flikarna tomma.",
         "Choose 'Yes' only if the organisation had no international activity at all in the year; leave the other "
         "sheets empty then."), None),
    ("Toiminnot", "title"): (("Toiminnon lyhyt nimi.", "Verksamhetens korta namn.", "A short name of the activity."),
                             "Horizon Europe: NetZeroCities"),
    ("Toiminnot", "activity_type"): (("Toiminnon tyyppi.", "Typ av verksamhet.", "The kind of activity."), "eu_project"),
    ("Toiminnot", "goal"): (
        ("Se kolmesta tavoitteesta, jota toiminto palvelee eniten.", "Det av de tre målen som verksamheten främst tjänar.",
         "The one of the three goals that the activity serves most."), "competence"),
    ("Toiminnot", "focus_area"): (
        ("Painopistealue; valitse 'Painopisteiden ulkopuolella', jos mikään ei sovi.",
         "Fokusområde; välj 'Utanför fokusområdena' om inget passar.",
         "The focus area; choose 'Outside the focus areas' if none fits."), "climate"),
    ("Toiminnot", "partner_cities"): (
        ("Kumppanikaupungit puolipisteellä (;) erotettuina.", "Partnerstäder åtskilda med semikolon (;).",
         "Partner cities, separated by semicolons (;)."), "Amsterdam; Tallinn"),
    ("Toiminnot", "partner_countries"): (
        ("Kumppanimaat listasta; useampi puolipisteellä (;) erotettuna.",
         "Partnerländer ur listan; flera åtskilda med semikolon (;).",
         "Partner countries from the list; several separated by semicolons (;)."), ("NL", "EE")),
    ("Toiminnot", "partner_organisations"): (
        ("Tärkeimmät kumppaniorganisaatiot.", "De viktigaste partnerorganisationerna.", "The main partner organisations."),
        "City of Amsterdam"),
    ("Toiminnot", "network"): (
        ("Verkosto, jonka kautta toiminto tehdään, jos sellainen on.", "Nätverket som verksamheten sker genom, om något.",
         "The network the activity is done through, if any."), "eurocities"),
    ("Toiminnot", "start"): (("Alkupäivä.", "Startdatum.", "The first day."), "4.3.2025"),
    ("Toiminnot", "end"): (("Loppupäivä; tyhjä, jos toiminto jatkuu.", "Slutdatum; tomt om verksamheten pågår.",
                            "The last day; empty if the activity goes on."), "6.3.2025"),
    ("Toiminnot", "budget_eur"): (
        ("Organisaation oma budjetti toiminnolle euroina.", "Organisationens egen budget för verksamheten i euro.",
         "The organisation's own budget for the activity in euros."), "4 200"),
    ("Toiminnot", "external_funding_eur"): (
        ("Ulkoinen rahoitus euroina; 0, jos sitä ei ole.", "Extern finansiering i euro; 0 om ingen.",
         "External funding in euros; 0 if none."), "125 000"),
    ("Toiminnot", "funding_source"): (
        ("Ulkoisen rahoituksen lähde; pakollinen, jos ulkoista rahoitusta on.",
         "Källan för den externa finansieringen; obligatorisk om det finns extern finansiering.",
         "The source of the external funding; required if there is external funding."), "horizon_europe"),
    ("Toiminnot", "status"): (("Tila vuoden lopussa.", "Status vid årets slut.", "The status at the end of the year."),
                              "completed"),
    ("Toiminnot", "outcome"): (("Mitä toiminnosta seurasi, lyhyesti.", "Vad verksamheten ledde till, kort.",
                                "What came of the activity, briefly."),
                               ("Kolme käytäntöä otettiin käyttöön", "Tre metoder togs i bruk", "Three practices adopted")),
    ("Verkostot", "network"): (("Verkosto.", "Nätverket.", "The network."), "eurocities"),
    ("Verkostot", "role"): (("Helsingin rooli verkostossa.", "Helsingfors roll i nätverket.",
                             "Helsinki's role in the network."), "board"),
    ("Verkostot", "owner_unit"): (
        ("Yksikkö, joka vastaa jäsenyydestä.", "Enheten som ansvarar för medlemskapet.",
         "The unit that owns the membership."), ("Strategiaosasto", "Strategiavdelningen", "Strategy Department")),
    ("Verkostot", "goal"): (("Tavoite, jota jäsenyys tukee.", "Målet som medlemskapet stöder.",
                             "The goal the membership supports."), "influence"),
    ("Verkostot", "justification"): (
        ("Miksi jäsenyys on Helsingille tärkeä.", "Varför medlemskapet är viktigt för Helsingfors.",
         "Why the membership matters to Helsinki."),
        ("Vaikuttaminen EU:n kaupunkipolitiikkaan", "Påverkan på EU:s stadspolitik", "Influence on EU urban policy")),
    ("Verkostot", "annual_fee_eur"): (("Vuosittainen jäsenmaksu euroina.", "Årlig medlemsavgift i euro.",
                                       "The yearly membership fee in euros."), "15 000"),
    ("Verkostot", "review_year"): (
        ("Vuosi, jona jäsenyyden hyöty arvioidaan seuraavan kerran.", "Året då medlemskapets nytta utvärderas nästa gång.",
         "The year the membership's value is next reviewed."), "2026"),
    ("Vierailut", "direction"): (
        ("Saapuiko vierailu Helsinkiin vai lähtikö se Helsingistä.", "Om besöket kom till eller åkte från Helsingfors.",
         "Whether the visit came to Helsinki or went abroad."), "incoming"),
    ("Vierailut", "date"): (("Vierailun ensimmäinen päivä raportointivuonna.", "Besökets första dag under rapportåret.",
                             "The first day of the visit, in the year reported."), "2.5.2025"),
    ("Vierailut", "city"): (
        ("Kaupunki, josta vieraat tulivat tai johon matka suuntautui.", "Staden som gästerna kom från eller resan gick till.",
         "The city the guests came from or the trip went to."), "Tallinn"),
    ("Vierailut", "country"): (("Kaupungin maa.", "Stadens land.", "The city's country."), "EE"),
    ("Vierailut", "level"): (("Korkein osallistunut taso.", "Den högsta nivån som deltog.",
                              "The highest level taking part."), "mayor"),
    ("Vierailut", "focus_area"): (("Painopistealue.", "Fokusområde.", "The focus area."), "mobility"),
    ("Vierailut", "participants"): (("Osallistujien määrä.", "Antal deltagare.", "The number of participants."), "12"),
    ("Vierailut", "purpose"): (("Vierailun tarkoitus.", "Besökets syfte.", "The purpose of the visit."),
                               ("Tunneliyhteistyö", "Tunnelsamarbete", "Tunnel cooperation")),
    ("Näkyvyys", "date"): (("Julkaisupäivä.", "Publiceringsdag.", "The day of publication."), "1.6.2025"),
    ("Näkyvyys", "outlet"): (("Media.", "Mediet.", "The outlet."), "The Guardian"),
    ("Näkyvyys", "country"): (("Median kotimaa.", "Mediets hemland.", "The outlet's country."), "GB"),
    ("Näkyvyys", "focus_area"): (("Painopistealue.", "Fokusområde.", "The focus area."), "design"),
    ("Näkyvyys", "tone"): (("Jutun sävy Helsingin kannalta.", "Tonen mot Helsingfors.", "The tone towards Helsinki."),
                           "positive"),
    ("Näkyvyys", "reach"): (("Arvioitu yleisö (lukijoita tai katsojia).", "Uppskattad publik (läsare eller tittare).",
                             "The estimated audience (readers or viewers)."), "1 200 000"),
    ("Näkyvyys", "headline"): (("Jutun otsikko.", "Rubriken.", "The headline."), "Helsinki's library of the future"),
    ("Kumppanuudet", "partner_city"): (("Kumppanikaupunki.", "Partnerstaden.", "The partner city."), "Tallinn"),
    ("Kumppanuudet", "country"): (("Kumppanikaupungin maa.", "Partnerstadens land.", "The partner city's country."),
                                  "EE"),
    ("Kumppanuudet", "agreement_type"): (("Sopimuksen tyyppi.", "Typ av avtal.", "The kind of agreement."), "programme"),
    ("Kumppanuudet", "signed_year"): (("Allekirjoitusvuosi.", "Året avtalet undertecknades.", "The year it was signed."),
                                      "2019"),
    ("Kumppanuudet", "strategic_goal"): (
        ("Tavoite, jota kumppanuus palvelee.", "Målet som partnerskapet tjänar.", "The goal the partnership serves."),
        "influence"),
    ("Kumppanuudet", "joint_activity"): (
        ("Mitä yhteistä toimintaa oli tänä vuonna.", "Vilken gemensam verksamhet det fanns i år.",
         "What was done together this year."), ("Osaajien houkuttelu", "Talangattraktion", "Talent attraction")),
    ("Mittarit", "indicator"): (("Mittari luettelosta.", "Indikatorn ur listan.", "The indicator from the list."),
                                "overnight_stays"),
    ("Mittarit", "value_year"): (("Vuosi, jota arvo koskee.", "Året som värdet gäller.", "The year the value is for."),
                                 "2025"),
    ("Mittarit", "value"): (("Mittarin arvo.", "Indikatorns värde.", "The indicator's value."), "4 924 251"),
    ("Mittarit", "source"): (("Tiedon lähde.", "Källan.", "The source of the figure."),
                             ("Tilastokeskus", "Statistikcentralen", "Statistics Finland")),
    ("Mittarit", "note"): (("Huomioita arvosta.", "Anmärkningar om värdet.", "Notes on the value."), None),
}


def help_text(sheet: str, key: str, lang: str) -> str:
    """What a column means, in ``lang`` (fi, sv or en)."""
    return COLUMN_HELP[(sheet, key)][0][("fi", "sv", "en").index(lang)]
