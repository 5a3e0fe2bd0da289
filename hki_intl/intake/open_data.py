"""The open data: what ``run`` publishes in ``OUT/data/``, a Frictionless data package
(https://specs.frictionlessdata.io, version 1) under the licence the city publishes open data
with, CC BY 4.0.

The package is the consolidated tables without what a person typed freely: every column the
report masks (:func:`hki_intl.intake.tables.free_text_columns`: the titles, outcomes,
justifications, cities and units as typed, the highlights' texts, the contact role) is left
out, and so are the problems (their messages quote cells, their files are the analyst's paths)
and the highlights' photos (their rights stay with their photographers). What is published is
codes, numbers, dates and years, each column described by a field of its table's schema: its
type, its constraints (a code column's codes as an ``enum``) and its label. The report reads
the complete tables, which the run keeps in ``OUT/cache/tables/``.

The specification gives a descriptor one ``title``: it is in Finnish, the city's first
language. ``titles`` (a property of ours, as the specification allows) holds the label in
Finnish, Swedish and English, and a code column's ``enumTitles`` the labels of each code.
The descriptor is written with sorted keys and no time of writing, so the same tables give
the same bytes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from hki_intl.config.params import LANGUAGES, CodeList, Strategy, Texts, load_texts
from hki_intl.intake.tables import write_tables
from hki_intl.workbook.schema import INFO_FIELDS, SHEETS, STATUS_DATA, STATUS_EMPTY, STATUS_NIL, Column, Sheet

DESCRIPTOR = "datapackage.json"
TITLE_LANGUAGE = "fi"  # the language of every single-language ``title``
LICENCE = {"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}
SUBMISSIONS = "submissions"
SUBMISSION_STATUSES = (STATUS_DATA, STATUS_NIL, STATUS_EMPTY)  # the ``status`` of submissions.csv
# The Frictionless type of each kind of workbook column that is published (text never is).
FIELD_TYPES = {"code": "string", "codes": "string", "date": "date", "number": "number", "integer": "integer", "year": "year"}
CODES_SEPARATOR = ";"  # several codes in one cell (partner countries): how the intake joins them
FIRST_DATA_ROW = 2  # a record's row in its workbook: the header is row 1


@dataclass(frozen=True)
class Source:
    """A workbook whose records are in the package: named by its file and its content's hash."""

    organisation: str
    year: int
    file: str  # the file's name, as in the inputs folder of its year
    sha256: str


class Words:
    """The package's words in every language: its own (``params/texts.yaml``), the workbook's
    headers and the code lists' labels."""

    def __init__(self, strategy: Strategy, params_dir: Path):
        self.strategy = strategy
        self.texts: dict[str, Texts] = {lang: load_texts(lang, params_dir) for lang in LANGUAGES}

    def text(self, key: str, **values: Any) -> dict[str, str]:
        return {lang: self.texts[lang](key, **values) for lang in LANGUAGES}

    def code_titles(self, codes: CodeList) -> dict[str, dict[str, str]]:
        return {code: {lang: codes.label(code, lang) for lang in LANGUAGES} for code in codes.ids}


def titled(descriptor: dict[str, Any], titles: dict[str, str]) -> dict[str, Any]:
    """``descriptor`` with its ``title`` (Finnish) and ``titles`` (every language)."""
    return {**descriptor, "title": titles[TITLE_LANGUAGE], "titles": titles}


def in_every_language(words: dict[str, str]) -> str:
    """A ``description``: the words in Finnish, Swedish and English, a paragraph each."""
    return "\n\n".join(words[lang] for lang in LANGUAGES)


def published_tables() -> list[str]:
    """The tables of the package, in order: one per workbook sheet, then the workbooks sent."""
    return [sheet.table for sheet in SHEETS] + [SUBMISSIONS]


def table_fields(table: str, words: Words) -> list[dict[str, Any]]:
    """The published columns of ``table`` as Table Schema fields, in the CSV's order."""
    if table == SUBMISSIONS:
        return _submission_fields(words)
    return _bookkeeping_fields(words) + [column_field(c, words) for c in _sheet(table).data_columns if c.kind in FIELD_TYPES]


def column_field(column: Column, words: Words) -> dict[str, Any]:
    """One workbook column as a field: its type, its limits, its codes, its header's words."""
    constraints: dict[str, Any] = {"required": True} if column.required else {}
    if column.minimum is not None:
        constraints["minimum"] = _json_number(column.minimum)
    if column.maximum is not None:
        constraints["maximum"] = _json_number(column.maximum)
    field: dict[str, Any] = {"name": column.key, "type": FIELD_TYPES[column.kind]}
    if column.kind in ("code", "codes"):
        codes = words.strategy.codes(column.code_list)
        field["enumTitles"] = words.code_titles(codes)
        if column.kind == "code":
            constraints["enum"] = codes.ids
        else:  # one or more codes: the pattern allows exactly the list's codes, separated by ';'
            one = "(?:" + "|".join(re.escape(code) for code in codes.ids) + ")"
            constraints["pattern"] = f"{one}(?:{CODES_SEPARATOR}{one})*"
            field["description"] = in_every_language(words.text("open_data.several_codes"))
    if constraints:
        field["constraints"] = constraints
    return titled(field, {lang: column.label(lang) for lang in LANGUAGES})


def _bookkeeping_fields(words: Words) -> list[dict[str, Any]]:
    """Whose workbook a record is from, for which year, and where in it."""
    return [  # the names of BOOKKEEPING
        _organisation_field(words),
        titled({"name": "year", "type": "year", "constraints": {"required": True}}, words.text("common.year")),
        titled({"name": "source_file", "type": "string", "constraints": {"required": True}}, words.text("open_data.source_file")),
        titled(
            {"name": "source_row", "type": "integer", "constraints": {"required": True, "minimum": FIRST_DATA_ROW}},
            words.text("open_data.source_row"),
        ),
    ]


def _submission_fields(words: Words) -> list[dict[str, Any]]:
    """The workbooks sent: whose, for which year, which file, which template, what they held
    (the contact role, typed freely, is left out)."""
    version = next(c for c in INFO_FIELDS if c.key == "template_version")
    status = {"name": "status", "type": "string", "constraints": {"required": True, "enum": list(SUBMISSION_STATUSES)}}
    status["enumTitles"] = {code: words.text(f"open_data.status.{code}") for code in SUBMISSION_STATUSES}
    return [
        _organisation_field(words),
        titled({"name": "year", "type": "year", "constraints": {"required": True}}, words.text("common.year")),
        titled({"name": "file", "type": "string", "constraints": {"required": True}}, words.text("open_data.file")),
        titled(
            {"name": version.key, "type": "string", "constraints": {"required": True}},
            {lang: version.label(lang) for lang in LANGUAGES},
        ),
        titled(status, words.text("open_data.status")),
    ]


def _organisation_field(words: Words) -> dict[str, Any]:
    organisations = words.strategy.organisations
    field = {
        "name": "organisation",
        "type": "string",
        "constraints": {"required": True, "enum": organisations.ids},
        "enumTitles": words.code_titles(organisations),
    }
    return titled(field, words.text("common.organisation"))


def resource(table: str, words: Words) -> dict[str, Any]:
    """One CSV of the package with its schema: a record is known by its workbook and row, and
    its workbook is one of the workbooks sent."""
    fields = table_fields(table, words)
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    if table == SUBMISSIONS:
        schema["primaryKey"] = ["organisation", "year"]
        titles = words.text("open_data.submissions")
    else:
        schema["primaryKey"] = ["organisation", "year", "source_row"]
        schema["foreignKeys"] = [
            {"fields": ["organisation", "year"], "reference": {"resource": SUBMISSIONS, "fields": ["organisation", "year"]}}
        ]
        titles = {lang: _sheet(table).label(lang) for lang in LANGUAGES}
    descriptor = {
        "name": table,
        "path": f"{table}.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": schema,
    }
    return titled(descriptor, titles)


def descriptor(year: int, years: list[int], sources: list[Source], words: Words) -> dict[str, Any]:
    """The package's ``datapackage.json``: what it is, its licence, its sources, its tables."""
    span = f"{min(years)}–{max(years)}" if len(set(years)) > 1 else str(year)
    descriptions = words.text("open_data.description", years=span)
    licence = titled(dict(LICENCE), words.text("open_data.licence"))
    package = {
        "profile": "tabular-data-package",
        "name": f"helsinki-international-activities-{year}",
        "description": in_every_language(descriptions),
        "licenses": [licence],
        "sources": [source_descriptor(s, words) for s in sorted(sources, key=lambda s: (s.year, s.organisation))],
        "resources": [resource(table, words) for table in published_tables()],
    }
    return titled(package, words.text("open_data.title", year=year))


def source_descriptor(source: Source, words: Words) -> dict[str, Any]:
    """A workbook as a source: by its place in the inputs folder and its hash, with the
    organisation's name (never who filled it in)."""
    organisation = words.strategy.organisations
    titles = {
        lang: words.texts[lang]("open_data.source", organisation=organisation.label(source.organisation, lang), year=source.year)
        for lang in LANGUAGES
    }
    return titled({"path": f"{source.year}/{source.file}", "hash": f"sha256:{source.sha256}"}, titles)


def open_tables(tables: dict[str, pd.DataFrame], words: Words) -> dict[str, pd.DataFrame]:
    """The published tables: exactly the columns their schemas describe."""
    return {table: tables[table][[f["name"] for f in table_fields(table, words)]] for table in published_tables()}


def write_open_data(
    tables: dict[str, pd.DataFrame], folder: Path, year: int, sources: list[Source], strategy: Strategy, params_dir: Path
) -> list[Path]:
    """Write the package into ``folder``: its CSVs and ``datapackage.json``."""
    words = Words(strategy, params_dir)
    written = write_tables(open_tables(tables, words), folder)
    years = sorted({int(y) for y in tables[SUBMISSIONS]["year"]}) or [year]
    text = json.dumps(descriptor(year, years, sources, words), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    path = folder / DESCRIPTOR
    path.write_text(text, encoding="utf-8", newline="\n")
    return [*written, path]


def _sheet(table: str) -> Sheet:
    return next(s for s in SHEETS if s.table == table)


def _json_number(value: float) -> int | float:
    """A limit as JSON writes it: 1000000000, not 1000000000.0."""
    return int(value) if float(value).is_integer() else value
