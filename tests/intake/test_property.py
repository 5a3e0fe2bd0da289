"""Property-based tests (hypothesis): random values of every kind in every column of a valid
workbook are either read correctly or refused with a problem naming their cell — never lost,
never an unhandled exception; and exported text round-trips through the CSVs."""

from __future__ import annotations

import datetime as dt
import math
import os
import re

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from hki_intl.config.params import LANGUAGES, load_settings, load_strategy
from hki_intl.intake import FIRST_DATE, LAST_DATE, MAX_TEXT, NUMBER_LIMIT, code_key, read_submission
from hki_intl.intake.tables import FORMULA_START, neutralise, read_tables, restore, write_tables
from hki_intl.workbook.excel import save_workbook
from hki_intl.workbook.schema import SHEETS
from hki_intl.workbook.template import build_workbook, template_path
from tests.conftest import RECORDS

YEAR = 2025
STRATEGY = load_strategy()
SETTINGS = load_settings().with_overrides(year=YEAR)
# 40 fixed examples by default (15 s); HKI_PROPERTY_EXAMPLES=1000 explores further, with fresh random ones.
MANY = int(os.environ.get("HKI_PROPERTY_EXAMPLES", "0"))
EXAMPLES = settings(
    max_examples=MANY or 40,
    deadline=None,
    derandomize=not MANY,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)
LABELS = sorted(
    {
        str(entry[key])
        for name in (
            "activity_types",
            "goals",
            "focus_areas",
            "countries",
            "networks",
            "funding_sources",
            "activity_statuses",
            "network_roles",
            "visit_directions",
            "visit_levels",
            "media_tones",
            "agreement_types",
            "indicators",
        )
        for entry in STRATEGY.data[name]
        for key in ("id", *LANGUAGES)
    }
)
ONE_LINE = re.compile(r"^[^\n]+ \([^\n]*\); [^\n]+$")


def _excel_text(text: str) -> str:
    """Characters XML cannot hold, written the way Excel escapes them (_x0001_), which readers decode."""
    return ILLEGAL_CHARACTERS_RE.sub(lambda m: f"_x{ord(m[0]):04X}_", text)


texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=40).map(_excel_text)
values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**16), 10**16),
    st.integers(-5, 3000),
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(-1e6, 1e6),
    st.dates(dt.date(1800, 1, 1), dt.date(9999, 12, 31)),
    st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31)),
    st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(2200, 1, 1)),
    st.times(),
    st.timedeltas(dt.timedelta(0), dt.timedelta(days=400)),
    texts,
    texts.map(lambda t: "=" + t[:5]),
    st.sampled_from(["#N/A", "#DIV/0!", "#VALUE!"]),
    st.integers(1990, 2010).map(lambda n: "x" * n),
    st.sampled_from(LABELS),
    st.sampled_from(LABELS).map(lambda t: f"  {t.upper()}\u200b "),
    st.lists(st.sampled_from(LABELS), min_size=1, max_size=3).map("; ".join),
    st.from_regex(r"[-\u2212+]?(€ )?\d{1,3}( \d{3}){0,3}(,\d{1,2})?( €| EUR)?", fullmatch=True),
    st.from_regex(r"\d{1,2}\.\d{1,2}\.\d{2,4}|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{4}", fullmatch=True),
    st.sampled_from(["", "   ", "\t", "1e5", "NaN", "inf", "-0", "0,0", "1.234,5", "1,2,3"]),
)
rows = st.fixed_dictionaries(
    {sheet.name: st.lists(values, min_size=len(sheet.columns), max_size=len(sheet.columns)) for sheet in SHEETS}
)


def _decoded(text: str) -> str:
    """A text as a reader sees it: Excel's _x001F_ escapes decoded, line ends as XML gives them."""
    text = re.sub(r"_x([0-9A-F]{4})_", lambda m: chr(int(m[1], 16)), text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _blank(value) -> bool:
    """Empty as a reader sees it: nothing, or only white space."""
    return value is None or (isinstance(value, str) and not _decoded(value).strip())


def _check_text(column, raw, value) -> None:
    assert isinstance(value, str) and len(value) <= MAX_TEXT
    if isinstance(raw, str):
        assert value == _decoded(raw).strip()


def _check_code(column, raw, value) -> None:
    codes = STRATEGY.codes(column.codes)
    assert value in codes.ids
    if isinstance(raw, str) and code_key(raw) in codes.lookup:
        assert value == codes.lookup[code_key(raw)]


def _check_codes(column, raw, value) -> None:
    assert all(part in STRATEGY.codes(column.codes).ids for part in value.split(";"))


def _check_date(column, raw, value) -> None:
    assert isinstance(value, dt.date) and FIRST_DATE <= value <= LAST_DATE
    if isinstance(raw, dt.datetime):
        assert value == raw.date()
    elif isinstance(raw, dt.date):
        assert value == raw


def _check_number(column, raw, value) -> None:
    assert math.isfinite(value) and abs(value) <= NUMBER_LIMIT
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        assert math.isclose(value, raw, rel_tol=1e-14)  # a spreadsheet keeps 15 significant digits
    if column.kind != "number":
        assert isinstance(value, int)
    if column.kind == "year":
        assert 1900 <= value <= 2100


CHECKS = {
    "text": _check_text,
    "code": _check_code,
    "codes": _check_codes,
    "date": _check_date,
    "number": _check_number,
    "integer": _check_number,
    "year": _check_number,
}


def _check_accepted(column, raw, value) -> None:
    """A value the intake accepted must be the value written, as far as the kind allows."""
    if _blank(raw):
        assert value is None
        return
    assert value is not None, "a written value was lost"
    CHECKS.get(column.kind, lambda *_: None)(column, raw, value)
    if column.minimum is not None:
        assert value >= column.minimum
    if column.maximum is not None:
        assert value <= column.maximum


@EXAMPLES
@given(written=rows)
def test_any_value_in_any_column_is_read_correctly_or_refused_at_its_cell(tmp_path_factory, written):
    wb = build_workbook(STRATEGY, "education", YEAR, "fi", RECORDS)
    for sheet in SHEETS:
        for index, raw in enumerate(written[sheet.name], start=1):
            wb[sheet.name].cell(row=2, column=index).value = raw
    path = template_path(tmp_path_factory.mktemp("property"), YEAR, "education")
    save_workbook(wb, path)

    submission, problems = read_submission(path, YEAR, STRATEGY, SETTINGS)  # must not raise

    if submission is None:  # refused as a whole (a number calamine cannot read): still at its cell
        assert len(problems) == 1 and problems[0].row == 2 and problems[0].cell, problems
        return
    refused = set()
    for problem in problems:
        line = str(problem)
        assert line.startswith(f"{path}: {problem.sheet}!{problem.cell}: ") and ONE_LINE.match(problem.text()), line
        assert problem.row == 2 and problem.sheet in written, line  # only the cells written can be wrong
        refused.add((problem.sheet, problem.column))
    for sheet in SHEETS:
        record = next((r for r in submission.tables[sheet.table] if r["source_row"] == 2), None)
        if record is None:  # a row left empty is skipped; a row not read has every typed cell named, or a
            # problem at one of its cells that says the row is not read (an indicator citing a later date)
            typed = [index for index, raw in enumerate(written[sheet.name], start=1) if not _blank(raw)]
            said = any(p.sheet == sheet.name and p.row == 2 and "is not read" in p.text() for p in problems)
            assert said or all((sheet.name, index) in refused for index in typed), sheet.name
            continue
        for index, (column, raw) in enumerate(zip(sheet.columns, written[sheet.name], strict=True), start=1):
            if (sheet.name, index) not in refused and column.reported:  # bookkeeping is checked, not kept
                try:
                    _check_accepted(column, raw, record[column.key])
                except AssertionError as error:
                    raise AssertionError(f"{sheet.name} {column.key}: {raw!r} read as {record[column.key]!r}") from error


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(text=st.text(st.characters(exclude_categories=("Cs",))))
def test_neutralised_text_never_starts_a_formula_and_restores_exactly(text):
    written = neutralise(text)
    assert restore(written) == text
    assert not FORMULA_START.match(written) or written.startswith("'") or re.fullmatch(r"[-+][0-9]+([.,][0-9]+)?", written)


@settings(
    max_examples=25, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    titles=st.lists(
        st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=30).filter(lambda t: t.strip() == t),
        min_size=1,
        max_size=5,
    )
)
def test_any_text_round_trips_through_the_consolidated_csvs(tmp_path_factory, titles):
    from hki_intl.intake import IntakeResult, Submission
    from hki_intl.intake.tables import consolidate
    from tests.conftest import activity

    records = [
        dict(activity(title=title), organisation="education", year=YEAR, source_file="education.xlsx", source_row=row)
        for row, title in enumerate(titles, start=2)
    ]
    for record in records:
        record["partner_countries"] = "NL"
    submission = Submission(
        "education", YEAR, template_path(tmp_path_factory.mktemp("csv"), YEAR, "education"), "2025.1", "", {"activities": records}
    )
    folder = tmp_path_factory.mktemp("data")
    write_tables(consolidate(IntakeResult([submission], [], {})), folder)
    back = read_tables(folder)["activities"]["title"]
    assert back.tolist() == titles and not back.isna().any() and back.dtype == pd.StringDtype()
