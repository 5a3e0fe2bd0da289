"""What each file of ``params/`` may hold: typed models (pydantic) of ``strategy.yaml``,
``report.yaml``, ``texts.yaml`` and ``workbook.yaml``.

The models say the shape (which keys, of which type, which are required) and what is
expected of each key, for the one-line message a mistake gets (:mod:`hki_intl.config.params`
turns a validation error into ``<file>: <key path>: <what is wrong>; <what is expected>``).
Rules across entries — unique ids, references to another list — are checked after the shape,
in :mod:`hki_intl.config.params`.

A field's ``description`` is the catalogue key (``params/messages.yaml``, ``expected.…``) of the
"what is expected" of that message, so that it is said in the analyst's language; ``{noun}`` in
its words becomes what one entry of the list is (a goal, a country, …), ``{list}`` the list's key.
"""

from __future__ import annotations

import datetime as dt
import string
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, RootModel, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from hki_intl.messages import Message

LANGUAGES = ("fi", "sv", "en")  # every text and label is in these languages, in this order
Locale = Literal["fi-FI", "sv-SE", "en-US"]
LOCALES: dict[str, Locale] = {"fi": "fi-FI", "sv": "sv-SE", "en": "en-US"}  # each language's number formats (charts)
Language = Literal["fi", "sv", "en"]  # LANGUAGES as a type
Unit = Literal["count", "eur"]


def _not_blank(text: str) -> str:
    """Text with something in it (kept as written: a label's spaces are the author's)."""
    if not text.strip():
        raise PydanticCustomError("empty", "empty")
    return text


Text = Annotated[str, AfterValidator(_not_blank)]

LABELS = "expected.labels"  # the catalogue key (params/messages.yaml) of: every {noun} needs a label in fi, sv and en
WORDS = "expected.words"  # the catalogue key (params/messages.yaml) of: every text needs its words in fi, sv and en

# What one entry of a list is, by the list's key (for "every goal needs …").
NOUNS = {
    "figures": "figure",
    "goals": "goal",
    "headlines": "headline",
    "focus_areas": "focus area",
    "activity_types": "activity type",
    "activity_statuses": "activity status",
    "funding_sources": "funding source",
    "network_roles": "network role",
    "visit_directions": "visit direction",
    "visit_levels": "visit level",
    "media_tones": "media tone",
    "agreement_types": "agreement type",
    "yes_no": "yes_no entry",
    "organisations": "organisation",
    "networks": "network",
    "cities": "city",
    "countries": "country",
    "indicators": "indicator",
    "findings": "finding rule",
    "rules": "rule",
    "accepted_template_versions": "version",
    "targets": "target",
}


class Model(BaseModel):
    """A mapping in a params file: unknown keys are mistakes (a typo would be ignored otherwise)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def placeholders(text: str) -> set[str]:
    """The ``{names}`` a text fills in; raises ValueError for a brace that opens no placeholder."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


class Words(Model):
    """One text in every language, with the same ``{placeholders}`` in each."""

    noun: ClassVar[str] = "text"
    fi: Text = Field(description=WORDS)
    sv: Text = Field(description=WORDS)
    en: Text = Field(description=WORDS)

    def __getitem__(self, lang: str) -> str:
        return str(getattr(self, lang))

    @property
    def names(self) -> set[str]:
        """The placeholders the text fills in (the same in every language)."""
        return placeholders(self.fi)

    @model_validator(mode="after")
    def _same_placeholders(self) -> Words:
        found = {}
        for lang in LANGUAGES:
            try:
                found[lang] = placeholders(self[lang])
            except ValueError as error:
                raise ValueError(Message("params.stray_brace", lang=lang, error=str(error), name="{name}")) from None
        if not found["fi"] == found["sv"] == found["en"]:
            shown = "; ".join(f"{lang} {_braces(names)}" for lang, names in found.items())
            raise ValueError(Message("params.placeholders_differ", shown=shown))
        return self


def _braces(names: set[str]) -> str:
    return " ".join(f"{{{name}}}" for name in sorted(names)) or "none"


def filling(*allowed: str) -> AfterValidator:
    """A text that the code fills in with exactly these values: any other placeholder is a typo."""

    def check(words: Words) -> Words:
        unknown = words.names - set(allowed)
        if unknown:
            raise ValueError(Message("params.placeholder_unknown", unknown=_braces(unknown), allowed=_braces(set(allowed))))
        return words

    return AfterValidator(check)


SHEET_NAME_FORBIDDEN = "[]:*?/\\"


def _sheet_name(words: Words) -> Words:
    """Excel's rules for a sheet name: at most 31 characters, none of ``[]:*?/\\``."""
    for lang in LANGUAGES:
        name = words[lang]
        if len(name) > 31 or any(ch in SHEET_NAME_FORBIDDEN for ch in name) or name.startswith("'") or name.endswith("'"):
            raise ValueError(
                Message("params.bad_sheet_name", lang=lang, name=repr(name), forbidden=" ".join(SHEET_NAME_FORBIDDEN))
            )
    return words


SheetName = Annotated[Words, AfterValidator(_sheet_name)]


# --- strategy.yaml -------------------------------------------------------------------------------


class Code(Model):
    """One entry of a code list: a stable id and a label in every language."""

    id: Text = Field(description="expected.id")
    fi: Text = Field(description=LABELS)
    sv: Text = Field(description=LABELS)
    en: Text = Field(description=LABELS)

    def label(self, lang: str) -> str:
        return str(getattr(self, lang))


class Headline(Model):
    """One headline figure of a goal: its id (its label is the text ``headline.<id>``), and its
    unit or the measure of the goal's figures module that computes it, where the id does not say."""

    id: Text = Field(description="expected.headline.id")
    unit: Unit | None = Field(None, description="expected.headline.unit")
    measure: Text | None = Field(None, description="expected.headline.measure")


class Goal(Code):
    notebook: Text | None = Field(
        None,
        description="expected.goal.notebook",
    )
    figures: Text | None = Field(None, description="expected.goal.figures")
    headlines: list[Headline] | None = Field(None, description="expected.goal.headlines")

    @field_validator("headlines", mode="before")
    @classmethod
    def _ids(cls, value: Any) -> Any:
        """A headline may be named by its id alone: ``[media_items, …]``."""
        if isinstance(value, list):
            return [{"id": item} if isinstance(item, str) else item for item in value]
        return value


class FocusArea(Code):
    group: Literal["necessary", "strength", "outside"] = Field(description="expected.focus_area.group")


class FundingSource(Code):
    eu: bool = Field(description="expected.funding_source.eu")


class ActivityStatus(Code):
    finished: bool = Field(description="expected.activity_status.finished")


class NetworkRole(Code):
    influence: bool = Field(description="expected.network_role.influence")


class VisitLevel(Code):
    high_level: bool = Field(description="expected.visit_level.high_level")


class Organisation(Code):
    kind: Text = Field(description="expected.organisation.kind")
    from_: int | None = Field(None, alias="from", description="expected.organisation.from")
    to: int | None = Field(None, description="expected.organisation.to")


class City(Code):
    country: Text = Field(description="expected.city.country")
    priority: bool = Field(description="expected.city.priority")
    twin: bool = False
    frozen_from: int | None = None
    lat: float = Field(ge=-90, le=90, description="expected.city.lat")
    lon: float = Field(ge=-180, le=180, description="expected.city.lon")


class Country(Code):
    numeric: int = Field(description="expected.country.numeric")


class Indicator(Code):
    goal: Text = Field(description="expected.indicator.goal")
    unit: Unit = Field(description="expected.indicator.unit")
    source: Text = Field(description="expected.indicator.source")


# The strategy's rules the report knows how to check (hki_intl.report.analysis.findings checks
# each); params/strategy.yaml `findings` lists those the report checks, with their words.
FINDING_RULES = (
    "membership_without_owner",
    "membership_without_goal",
    "twin_city_without_goal",
    "activity_outside_focus_areas",
    "organisation_did_not_submit",
)


class FindingRule(Code):
    """One of the strategy's rules that the report checks: the label of a breach and the
    question leadership decides about it (``decision``)."""

    decision: Annotated[Words, filling()] = Field(description="expected.finding_rule.decision")

    @field_validator("id")
    @classmethod
    def _known_rule(cls, value: str) -> str:
        if value not in FINDING_RULES:
            raise ValueError(Message("params.unknown_rule", value=repr(value), rules=", ".join(FINDING_RULES)))
        return value


def _codes(expected: str = "expected.list") -> Any:
    """A code list of strategy.yaml: required, not empty (the message names the list by its key)."""
    return Field(min_length=1, description=expected)


class StrategyFile(Model):
    """``params/strategy.yaml``: the strategy as data."""

    source: Words = Field(description="expected.strategy.source")
    goals: list[Goal] = _codes()
    focus_areas: list[FocusArea] = _codes()
    activity_types: list[Code] = _codes()
    activity_statuses: list[ActivityStatus] = _codes()
    funding_sources: list[FundingSource] = _codes()
    network_roles: list[NetworkRole] = _codes()
    visit_directions: list[Code] = _codes()
    visit_levels: list[VisitLevel] = _codes()
    media_tones: list[Code] = _codes()
    agreement_types: list[Code] = _codes()
    yes_no: list[Code] = _codes("expected.list.yes_no")
    organisations: list[Organisation] = _codes()
    networks: list[Code] = _codes()
    cities: list[City] = _codes()
    countries: list[Country] = _codes()
    indicators: list[Indicator] = _codes()
    findings: list[FindingRule] = _codes("expected.list.findings")

    LISTS: ClassVar[tuple[str, ...]] = (
        "goals",
        "focus_areas",
        "activity_types",
        "activity_statuses",
        "funding_sources",
        "network_roles",
        "visit_directions",
        "visit_levels",
        "media_tones",
        "agreement_types",
        "yes_no",
        "organisations",
        "networks",
        "cities",
        "countries",
        "indicators",
        "findings",
    )


# --- report.yaml ---------------------------------------------------------------------------------


class ReportFile(Model):
    """``params/report.yaml``: the settings of one report."""

    year: int | None = Field(None, description="expected.report.year")
    language: Language = Field("fi", description="expected.report.language")
    compare_years: int = Field(2, ge=0, le=50, description="expected.report.compare_years")
    report_date: dt.date | None = Field(None, description="expected.report.report_date")
    accepted_template_versions: list[Text] | None = Field(
        None, min_length=1, description="expected.report.accepted_template_versions"
    )
    messages: Language = Field("fi", description="expected.report.messages")


# --- texts.yaml ----------------------------------------------------------------------------------


class TextsFile(RootModel[dict[str, Words]]):
    """``params/texts.yaml``: every word of the report, one entry per key."""


# --- messages.yaml -------------------------------------------------------------------------------


class MessagesFile(RootModel[dict[str, Words]]):
    """``params/messages.yaml``: every message people read (problems, warnings, the command line's
    lines), one entry per key, in fi, sv and en (see :mod:`hki_intl.messages`)."""


# --- figures.yaml --------------------------------------------------------------------------------


Records = Literal["activities", "networks", "visits", "media", "partnerships", "indicators"]


class Figure(Model):
    """One figure the report shows: its id, unit, the records it counts and their scope, and its
    label and definition in every language."""

    noun: ClassVar[str] = "figure"
    id: Text = Field(description="expected.figure.id")
    unit: Literal["count", "eur", "share"] = Field(description="expected.figure.unit")
    records: Records = Field(description="expected.figure.records")
    scope: Text = Field(description="expected.figure.scope")
    label: Words = Field(description="expected.figure.label")
    definition: Words = Field(description="expected.figure.definition")


class FiguresFile(Model):
    """``params/figures.yaml``: the catalogue of the report's figures."""

    figures: list[Figure] = Field(min_length=1, description="expected.figures.figures")


# --- targets.yaml (optional) --------------------------------------------------------------------


class Target(Model):
    """One target for a figure of the catalogue: a value by a year (``value`` and ``year``, from
    the ``baseline_year``'s value), or a direction to keep (``direction``)."""

    noun: ClassVar[str] = "target"
    figure: Text = Field(description="expected.target.figure")
    goal: Text | None = Field(None, description="expected.target.goal")
    value: float | None = Field(None, ge=0, description="expected.target.value")
    year: int | None = Field(None, ge=1900, le=2100, description="expected.target.year")
    baseline_year: int | None = Field(None, ge=1900, le=2100, description="expected.target.baseline_year")
    direction: Literal["up", "down"] | None = Field(None, description="expected.target.direction")
    note: Words | None = Field(None, description="expected.target.note")

    @model_validator(mode="after")
    def _value_or_direction(self) -> Target:
        if self.direction is not None and (self.value is not None or self.year is not None):
            raise ValueError(Message("params.target_both"))
        if self.direction is None and (self.value is None or self.year is None):
            raise ValueError(Message("params.target_neither"))
        if self.direction is not None and self.baseline_year is not None:
            raise ValueError(Message("params.target_direction_baseline"))
        if self.year is not None and self.baseline_year is not None and self.baseline_year >= self.year:
            raise ValueError(Message("params.target_baseline_after", baseline=self.baseline_year, year=self.year))
        return self


class TargetsFile(Model):
    """``params/targets.yaml`` (optional): targets for figures of the report."""

    targets: list[Target] = Field(description="expected.targets.targets")


# --- workbook.yaml -------------------------------------------------------------------------------


class ColumnWords(Model):
    """A column's (or an info row's) label, what it means, and an example."""

    label: Words = Field(description="expected.column.label")
    help: Words = Field(description="expected.column.help")
    example: Any = Field(None, description="expected.column.example")

    @field_validator("example", mode="before")
    @classmethod
    def _example(cls, value: Any) -> Words | tuple[str, ...] | str | None:
        """One of four shapes (text in every language, several code ids, one value, none), told
        apart here so that a mistake gets one message rather than one per shape."""
        if value is None or (isinstance(value, str) and value.strip()):
            return value
        if isinstance(value, list) and value and all(isinstance(item, str) and item.strip() for item in value):
            return tuple(value)
        if isinstance(value, dict):
            try:
                return Words.model_validate(value)
            except ValidationError as error:
                first = error.errors()[0]
                where = ".".join(str(part) for part in first["loc"])
                problem = {"missing": Message("params.missing"), "extra_forbidden": Message("params.unknown")}
                raise ValueError(
                    Message("params.example_words", where=where, problem=problem.get(first["type"], first["msg"]))
                ) from None
        raise ValueError(Message("params.not_an_example", value=repr(value)))


class SheetWords(Model):
    """A sheet's label (what it holds), its help and its columns' words, by column key."""

    label: Words | None = Field(None, description="expected.sheet.label")
    help: Words = Field(description="expected.sheet.help")
    columns: dict[str, ColumnWords] = Field(description="expected.sheet.columns")


def shown() -> Any:
    """A text the workbook shows: required, in every language."""
    return Field(description="expected.shown_text")


class KindWords(Model):
    """How each kind of column is filled in (the instructions' Format column and input messages)."""

    text: Words = shown()
    code: Words = shown()
    codes: Words = shown()
    date: Words = shown()
    number: Words = shown()
    integer: Words = shown()
    year: Words = shown()
    flag: Words = shown()


class CarriedOverWords(Model):
    """The states of a row carried over from last year's workbook: the dropdown of the column
    ``carried_over`` (:data:`hki_intl.workbook.schema.CARRIED_STATES`)."""

    unconfirmed: Words = Field(description="expected.carried_over.unconfirmed")
    confirmed: Words = Field(description="expected.carried_over.confirmed")


class TemplateWords(Model):
    """The template's own words: the instructions sheet and the input messages."""

    instructions_sheet: SheetName = shown()
    title: Annotated[Words, filling("year")] = shown()
    whose: Annotated[Words, filling("organisation", "year", "version")] = shown()
    rules: list[Annotated[Words, filling("file")]] = Field(min_length=1, description="expected.template.rules")
    sheet: Words = shown()
    column: Words = shown()
    required: Words = shown()
    optional: Words = shown()
    format: Words = shown()
    meaning: Words = shown()
    example: Words = shown()
    error_title: Words = shown()
    kinds: KindWords = Field(description="expected.template.kinds")
    carried_over: CarriedOverWords = Field(description="expected.template.carried_over")


class FeedbackWords(Model):
    """The words of the annotated copy ``validate --feedback`` writes (its messages are English)."""

    list_sheet: SheetName = shown()
    title: Annotated[Words, filling("count", "file")] = shown()
    number: Words = shown()
    sheet: Words = shown()
    cell: Words = shown()
    what_to_fix: Words = shown()
    whole_workbook: Words = shown()


class WorkbookFile(Model):
    """``params/workbook.yaml``: every word of the contributors' workbook."""

    template: TemplateWords = Field(description="expected.workbook.template")
    feedback: FeedbackWords = Field(description="expected.workbook.feedback")
    sheets: dict[str, SheetWords] = Field(description="expected.workbook.sheets")

    def column(self, sheet: str, key: str) -> ColumnWords:
        return self.sheets[sheet].columns[key]


assert tuple(Words.model_fields) == LANGUAGES == tuple(k for k in Code.model_fields if k != "id")
