"""The whole workbook schema in one place: sheets, columns, their kinds and limits.

A contributor's workbook has one sheet per kind of record (Finnish sheet names, as in the
city's own templates). Each column has a stable machine ``key``; its header is written in the
template language, and the intake finds columns by key or by the header in any language, so
reordered columns or a Swedish header read the same. Code lists come from
``params/strategy.yaml`` by name (``codes``).

The schema is what is code: keys, kinds, required columns, code lists, limits and widths. The
words — each sheet's and column's label, help and example — are in ``params/workbook.yaml``
(:mod:`hki_intl.workbook.words`), by sheet name and column key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from functools import cached_property

from hki_intl.config.params import LANGUAGES, normalise_key
from hki_intl.workbook.words import column_words, sheet_words

# 2025.2 added the nil-return row to the info sheet; 2025.3 the highlights sheet; 2025.4 the carried-over
# column of the activities, memberships and agreements (optional: older workbooks lack it)
TEMPLATE_VERSION = "2025.4"
REQUIRED_MARK = " *"

# --- limits: the template's validation says them, the intake checks them ------------------------
MAX_EUR = 1_000_000_000  # one activity, fee or grant: a thousand million euros is a typing error
MAX_TEXT = 2000  # characters in a free-text cell (Excel allows 32,767; the report shows texts in table cells)
NUMBER_LIMIT = 1e15  # any number, either sign; column maxima are below
FIRST_DATE, LAST_DATE = dt.date(1950, 1, 1), dt.date(2100, 12, 31)  # Excel has no dates before 1900
FIRST_YEAR, LAST_YEAR = 1900, 2100  # a year typed in a year column
MAX_HIGHLIGHTS = 3  # highlights a year per organisation: the report tells stories, not lists
MAX_HIGHLIGHT_TITLE = 100  # characters: a title is one line in the report
MAX_HIGHLIGHT_TEXT = 600  # characters: a few sentences (about 80 words), a short story beside a photo
MAX_LINK = 500
MAX_PHOTO_NAME = 120  # a photo's file name beside the workbook
MAX_PHOTO_ALT = 250  # alternative text: what the photo shows, in a sentence
MAX_PHOTO_CREDIT = 120


@dataclass(frozen=True)
class Column:
    key: str
    kind: str  # text | code | codes | date | number | integer | year | flag (yes or empty)
    required: bool = False
    codes: str | None = None  # name of a list in params/strategy.yaml
    minimum: float | None = None
    maximum: float | None = None  # larger values are typing errors (an absurd amount)
    width: int = 18
    sheet: str = ""  # the sheet it is on (set by :func:`_on`): its words are found by sheet and key
    max_length: int | None = None  # characters of a text, when fewer than MAX_TEXT (its help says how many: {limit})
    yearly: bool = False  # a value of its year alone (this year's outcome): not carried into next year's template
    reported: bool = True  # False: the contributor's bookkeeping, checked but not part of the consolidated tables

    @property
    def text_limit(self) -> int:
        """The most characters a text cell of this column may hold."""
        return self.max_length or MAX_TEXT

    def label(self, lang: str) -> str:
        return column_words(self.sheet, self.key).label[lang]

    def header(self, lang: str) -> str:
        return self.label(lang) + (REQUIRED_MARK if self.required else "")

    @property
    def code_list(self) -> str:
        """The name of the column's code list (a coded column has one)."""
        if self.codes is None:
            raise ValueError(f"the column {self.key} has no code list")
        return self.codes

    @property
    def fi(self) -> str:
        return self.label("fi")

    @property
    def sv(self) -> str:
        return self.label("sv")

    @property
    def en(self) -> str:
        return self.label("en")


def _on(sheet: str, *columns: Column) -> tuple[Column, ...]:
    """``columns`` as columns of ``sheet``."""
    return tuple(replace(column, sheet=sheet) for column in columns)


@dataclass(frozen=True)
class Sheet:
    name: str  # the sheet's name in every template language
    table: str  # the consolidated table it becomes (activities.csv, …)
    columns: tuple[Column, ...] = field(default_factory=tuple)
    since: str | None = None  # the template version that added the sheet: older workbooks may lack it

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", _on(self.name, *self.columns))

    def column(self, key: str) -> Column:
        return self._by_key[key]

    @cached_property
    def _by_key(self) -> dict[str, Column]:  # looked up for every cell read: a dict, not a scan
        return {c.key: c for c in self.columns}

    @property
    def data_columns(self) -> tuple[Column, ...]:
        """The columns that reach the consolidated tables (all but the contributor's bookkeeping)."""
        return tuple(c for c in self.columns if c.reported)

    def label(self, lang: str) -> str:
        """What the sheet holds, in ``lang``."""
        label = sheet_words(self.name).label
        if label is None:  # the info sheet has no label of its own: its name is its label
            return self.name
        return label[lang]

    @property
    def header_lookup(self) -> dict[str, str]:
        """Every accepted header spelling → column key."""
        table: dict[str, str] = {}
        for col in self.columns:
            for spelling in (col.key, *map(col.label, LANGUAGES)):
                table[normalise_key(spelling)] = col.key
        return table


# The first sheet: who reports and for which year. A two-column form (label, value).
INFO_SHEET = "Perustiedot"
INFO_FIELDS: tuple[Column, ...] = _on(
    INFO_SHEET,
    Column("organisation", "code", True, "organisations"),
    Column("year", "year", True),
    Column("contact_role", "text"),
    Column("template_version", "text", True),
    # A genuine nil return is stated, not inferred: an untouched template may just be forgotten.
    # Its one dropdown word is the 'yes' of the list yes_no; its 'no' reads as not chosen.
    Column("nil_return", "flag", codes="yes_no"),
)
NIL_RETURN = INFO_FIELDS[-1]

# A row that `templates --prefill-from` carried over from last year's workbook is marked in this
# column, last on its sheet: 'unconfirmed' until the contributor checks it and chooses
# 'confirmed'. A row typed in by hand leaves it empty. The states' words are the workbook's own
# (params/workbook.yaml, template.carried_over), not a list of the strategy. The intake warns of
# an unconfirmed row; the column is bookkeeping, so it does not reach the consolidated tables.
CARRIED_OVER = "carried_over"  # the column's key, and the name of its list of states
CARRIED_STATES = ("unconfirmed", "confirmed")
UNCONFIRMED, CONFIRMED = CARRIED_STATES


def _carried_over() -> Column:
    return Column(CARRIED_OVER, "code", codes=CARRIED_OVER, width=24, reported=False)


SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "Toiminnot",
        "activities",
        (
            Column("title", "text", True, width=40),
            Column("activity_type", "code", True, "activity_types", width=24),
            Column("goal", "code", True, "goals", width=34),
            Column("focus_area", "code", True, "focus_areas", width=30),
            Column("partner_cities", "text", width=26),
            Column("partner_countries", "codes", codes="countries", width=22),
            Column("partner_organisations", "text", width=28),
            Column("network", "code", codes="networks", width=24),
            Column("start", "date", True, width=13),
            Column("end", "date", width=13),
            Column("budget_eur", "number", minimum=0, maximum=MAX_EUR, width=15),
            Column("external_funding_eur", "number", minimum=0, maximum=MAX_EUR, width=15),
            Column("funding_source", "code", codes="funding_sources", width=24),
            Column("status", "code", True, "activity_statuses", width=14),
            Column("outcome", "text", width=40, yearly=True),
            _carried_over(),
        ),
    ),
    Sheet(
        "Verkostot",
        "networks",
        (
            Column("network", "code", True, "networks", width=30),
            Column("role", "code", True, "network_roles", width=20),
            Column("owner_unit", "text", width=30),
            Column("goal", "code", codes="goals", width=34),
            Column("justification", "text", width=40),
            Column("annual_fee_eur", "number", minimum=0, maximum=MAX_EUR, width=15),
            Column("review_year", "year", width=12),
            _carried_over(),
        ),
    ),
    Sheet(
        "Vierailut",
        "visits",
        (
            Column("direction", "code", True, "visit_directions", width=28),
            Column("date", "date", True, width=13),
            Column("city", "text", True, width=20),
            Column("country", "code", True, "countries", width=20),
            Column("level", "code", True, "visit_levels", width=18),
            Column("focus_area", "code", codes="focus_areas", width=30),
            Column("participants", "integer", minimum=0, maximum=100_000, width=12),
            Column("purpose", "text", width=40),
        ),
    ),
    Sheet(
        "Näkyvyys",
        "media",
        (
            Column("date", "date", True, width=13),
            Column("outlet", "text", True, width=26),
            Column("country", "code", True, "countries", width=20),
            Column("focus_area", "code", codes="focus_areas", width=30),
            Column("tone", "code", True, "media_tones", width=14),
            Column("reach", "integer", minimum=0, maximum=10_000_000_000, width=14),
            Column("headline", "text", width=40),
        ),
    ),
    Sheet(
        "Kumppanuudet",
        "partnerships",
        (
            Column("partner_city", "text", True, width=22),
            Column("country", "code", True, "countries", width=20),
            Column("agreement_type", "code", True, "agreement_types", width=30),
            Column("signed_year", "year", width=12),
            Column("strategic_goal", "code", codes="goals", width=34),
            Column("joint_activity", "text", width=40, yearly=True),
            _carried_over(),
        ),
    ),
    Sheet(
        "Mittarit",
        "indicators",
        (
            Column("indicator", "code", True, "indicators", width=36),
            Column("value_year", "year", True, width=10),
            Column("value", "number", True, width=16),
            Column("source", "text", width=30),
            Column("note", "text", width=30),
        ),
    ),
    # Up to three highlights of the year in the contributors' own words, with an optional photo
    # (pasted on the row or a file beside the workbook: hki_intl/intake/photos.py). The Finnish
    # title and text are required; Swedish and English ones are optional translations.
    Sheet(
        "Nostot",
        "highlights",
        (
            Column("title", "text", True, width=30, max_length=MAX_HIGHLIGHT_TITLE),
            Column("text", "text", True, width=50, max_length=MAX_HIGHLIGHT_TEXT),
            Column("goal", "code", True, "goals", width=30),
            Column("focus_area", "code", codes="focus_areas", width=26),
            Column("link", "text", width=26, max_length=MAX_LINK),
            Column("photo", "text", width=22, max_length=MAX_PHOTO_NAME),
            Column("photo_alt", "text", width=30, max_length=MAX_PHOTO_ALT),
            Column("photo_credit", "text", width=20, max_length=MAX_PHOTO_CREDIT),
            Column("title_sv", "text", width=30, max_length=MAX_HIGHLIGHT_TITLE),
            Column("text_sv", "text", width=50, max_length=MAX_HIGHLIGHT_TEXT),
            Column("title_en", "text", width=30, max_length=MAX_HIGHLIGHT_TITLE),
            Column("text_en", "text", width=50, max_length=MAX_HIGHLIGHT_TEXT),
        ),
        since="2025.3",
    ),
)
HIGHLIGHTS = "Nostot"
# A highlight's text in each report language: (title column, text column) by language.
HIGHLIGHT_TEXTS = {"fi": ("title", "text"), "sv": ("title_sv", "text_sv"), "en": ("title_en", "text_en")}

SHEETS_BY_NAME = {s.name: s for s in SHEETS}
# What an accepted workbook is (the ``status`` of submissions.csv): one with data, a stated nil
# return, or an untouched template, which is not counted as a nil return (it may be a mistake).
STATUS_DATA, STATUS_NIL, STATUS_EMPTY = "data", "nil_return", "empty"
SHEETS_BY_TABLE = {s.table: s for s in SHEETS}
HEADER_ROW = 1  # the header is the first row of every data sheet; data starts on row 2

# Defined names (workbook-level) through which the template records whose workbook it is. They
# point at the hidden column C of the info sheet, so the values live in cells too.
INFO_NAMES = {"organisation": "hki_organisation", "year": "hki_year", "template_version": "hki_template_version"}


def help_text(sheet: str, key: str, lang: str) -> str:
    """What a column means, in ``lang`` (fi, sv or en); a text column's ``{limit}`` is its length limit."""
    text = column_words(sheet, key).help[lang]
    column = next((c for c in SHEETS_BY_NAME[sheet].columns if c.key == key), None) if sheet in SHEETS_BY_NAME else None
    return text.replace("{limit}", str(column.text_limit)) if column is not None else text


def version_key(version: str) -> tuple[int, ...]:
    """``2025.3`` → (2025, 3), to compare template versions; an unreadable one sorts last."""
    parts = version.split(".")
    return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else (10**9,)


def sheet_help(sheet: str, lang: str) -> str:
    """What a sheet holds and how to fill it in, in ``lang``."""
    return sheet_words(sheet).help[lang]
