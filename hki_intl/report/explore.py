"""A report folder's consolidated tables for an analyst's own questions (``notebooks/explore.ipynb``).

The notebooks of the report read ``OUT/data/*.csv`` with codes (``competence``, ``EE``); an
analyst asking "how many activities per goal and organisation?" wants the words instead. Here
every code of a table is replaced by its label from ``params/strategy.yaml`` and every column
header is the workbook's header, both in the language asked for; the values are the CSVs' own
(read with the schema's types by :func:`hki_intl.intake.tables.read_tables`), so a count here
equals a count of the CSV. The free texts are as the contributors wrote them (not masked: the
analyst's working copy, not a publication). What goes wrong is said in the language asked for,
as the tables are (the notebook is the analyst's, the command line has not chosen a language).
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import pandas as pd

from hki_intl import PARAMS_DIR
from hki_intl.config.params import LANGUAGES, Strategy, Texts, load_params, load_texts
from hki_intl.errors import UsageError
from hki_intl.intake.tables import DERIVED, read_tables
from hki_intl.intake.tables import TABLES as DATA  # OUT/cache/tables: the complete consolidated tables of a run
from hki_intl.messages import Message
from hki_intl.workbook.schema import INFO_FIELDS, SHEETS_BY_TABLE, Column

TABLES = tuple(SHEETS_BY_TABLE)  # the record tables: activities, networks, visits, media, …
CODES_SEPARATOR = ";"  # a column of several codes (partner countries) holds them as ``EE;SE``
LABELS_SEPARATOR = "; "
NO_VALUE = "–"  # as the report shows an empty cell
# The columns every record table has besides its sheet's: whose record (the info sheet's word),
# the reporting year and where it came from (keys of params/texts.yaml: "Vuosi" alone is also
# the header of an indicator's own year).
BOOKKEEPING_WORDS = {"year": "data.year", "source_file": "data.source_file", "source_row": "data.source_row"}
DERIVED_WORDS = {name: f"data.{name}" for names in DERIVED.values() for name in names}


class ReportTables:
    """The record tables of the report folder ``report_dir``, labelled in ``lang``: ``tables["activities"]``
    is a DataFrame with the headers and labels of that language. ``params_dir`` empty: the project's."""

    def __init__(self, report_dir: str | Path, lang: str = "fi", params_dir: str | Path = ""):
        if lang not in LANGUAGES:  # said in the language of the messages in use: this one is no language
            raise UsageError(Message("explore.unknown_language", lang=lang, languages=", ".join(LANGUAGES)))
        self.folder = Path(report_dir)
        self.lang = lang
        self.params_dir = Path(params_dir) if str(params_dir) else PARAMS_DIR
        if not (self.folder / DATA / "submissions.csv").is_file():
            missing = Message("explore.no_tables", folder=str(self.folder), file=f"{DATA}/submissions.csv")
            raise UsageError(self._said(missing))
        self.strategy: Strategy = load_params(self.params_dir).strategy  # the workbook's headers of this params folder
        self.texts: Texts = load_texts(lang, self.params_dir)

    @cached_property
    def coded(self) -> dict[str, pd.DataFrame]:
        """The tables as the CSVs hold them (codes, keys as headers), typed."""
        return read_tables(self.folder / DATA)

    @cached_property
    def year(self) -> int:
        """The report year: the latest year of the tables (the earlier ones are the years compared)."""
        return int(self.coded["submissions"]["year"].max())

    def __getitem__(self, table: str) -> pd.DataFrame:
        if table not in TABLES:
            raise KeyError(self._said(Message("explore.no_table", table=table, tables=", ".join(TABLES))))
        return self.labelled(table)

    def labelled(self, table: str, year: int | None = None) -> pd.DataFrame:
        """The table (of ``year`` only, if given) with labels for codes and headers in the language."""
        frame = self.coded[table]
        if year is not None:
            frame = frame[frame["year"] == year]
        columns = self.columns(table)
        headers = [self.header(table, key) for key in frame.columns]
        if len(set(headers)) < len(headers):  # a column would be lost under another's header
            twice = Message("explore.same_header", table=table, lang=self.lang, headers=", ".join(headers))
            raise UsageError(self._said(twice))
        labelled = {
            header: self._labels(frame[key], columns[key]) if key in columns and columns[key].codes else frame[key]
            for header, key in zip(headers, frame.columns, strict=True)
        }
        return pd.DataFrame(labelled).reset_index(drop=True)

    def header(self, table: str, key: str) -> str:
        """The header of column ``key`` of ``table`` in the language (``goal`` → ``Tavoite``)."""
        if key in BOOKKEEPING_WORDS:
            return self.texts(BOOKKEEPING_WORDS[key])
        if key in DERIVED_WORDS and key in DERIVED.get(table, []):
            return self.texts(DERIVED_WORDS[key])
        return self.columns(table)[key].label(self.lang)

    def count(self, table: str, rows: str, columns: str | None = None, year: int | None = None) -> pd.DataFrame:
        """How many records of ``table`` (of ``year``, if given) there are per value of the column
        ``rows`` (and per value of ``columns``, side by side), with a total; columns by key. A
        record without a value there counts under ``–``, so the total is every record."""
        frame = self._grouping(table, year, rows, columns)
        by_rows = frame[self.header(table, rows)]
        if columns is None:
            return by_rows.value_counts().sort_index().rename(self.texts("common.count")).to_frame()
        return pd.crosstab(by_rows, frame[self.header(table, columns)], margins=True, margins_name=self.texts("common.total"))

    def total(self, table: str, value: str, rows: str, columns: str | None = None, year: int | None = None) -> pd.DataFrame:
        """The sum of the column ``value`` of ``table`` per value of ``rows`` (and of ``columns``),
        with a total; columns by key. Records without a value in ``rows`` or ``columns`` count under ``–``."""
        frame = self._grouping(table, year, rows, columns)
        return pd.pivot_table(
            frame,
            values=self.header(table, value),
            index=self.header(table, rows),
            columns=self.header(table, columns) if columns else None,
            aggfunc="sum",
            fill_value=0,
            margins=True,
            margins_name=self.texts("common.total"),
        )

    def overview(self) -> pd.DataFrame:
        """Each table's records per year: what there is to ask about."""
        counts = {table: self.coded[table]["year"].value_counts() for table in TABLES}
        frame = pd.DataFrame(counts).fillna(0).astype("int64").sort_index().T
        frame.columns.name = self.texts("data.year")
        return frame

    def columns(self, table: str) -> dict[str, Column]:
        """The columns of ``table`` by key: its sheet's and the info sheet's (organisation, year)."""
        return {column.key: column for column in (*INFO_FIELDS, *SHEETS_BY_TABLE[table].columns)}

    def _said(self, message: Message) -> str:
        """A message in the tables' language (the notebook's ``lang``)."""
        return message.render(self.lang)

    def _grouping(self, table: str, year: int | None, *keys: str | None) -> pd.DataFrame:
        """The labelled table, its columns ``keys`` with ``–`` where a record has no value (pandas
        would leave such records out of a count)."""
        frame = self.labelled(table, year)
        for key in filter(None, keys):
            header = self.header(table, key)
            if frame[header].isna().any():
                frame[header] = frame[header].astype("string").fillna(NO_VALUE)
        return frame

    def _labels(self, codes: pd.Series, column: Column) -> pd.Series:
        """Each code (or ``;``-separated codes) of a coded column as its label; empty stays empty."""
        code_list = self.strategy.codes(column.code_list)
        labels = {code: code_list.label(code, self.lang) for code in codes.dropna().unique()}
        if column.kind == "codes":
            labels = {
                codes_: LABELS_SEPARATOR.join(code_list.label(code, self.lang) for code in str(codes_).split(CODES_SEPARATOR))
                for codes_ in labels
            }
        return codes.map(labels).astype("string")
