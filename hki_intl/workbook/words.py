"""The workbook's words — headers, help texts, examples, the template's and the feedback copy's
own words — from ``params/workbook.yaml``, checked against the schema.

The schema (:mod:`hki_intl.workbook.schema`) keeps what is code; its sheets and columns get
their words here, by sheet name and column key. The words are those of the params folder in
use: :func:`hki_intl.config.params.load_params` makes a folder's words the ones the template
writes and the intake reads (the command line does so for ``--params``); until then, the
project's ``params/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from hki_intl import PARAMS_DIR
from hki_intl.config.models import LANGUAGES, ColumnWords, SheetWords, Words, WorkbookFile
from hki_intl.config.params import (
    CodeList,
    Loc,
    Strategy,
    first,
    normalise_key,
    params_error,
    read_params_file,
    unknown_code,
    validated,
)
from hki_intl.messages import Message

FILE = "workbook.yaml"

_in_use: list[WorkbookFile] = []  # the words of the params folder in use, once read
_lists: dict[str, CodeList] = {}  # the workbook's own dropdown lists, built from the words in use


def words() -> WorkbookFile:
    """The words of the params folder in use (the project's ``params/`` unless another was named)."""
    if not _in_use:
        from hki_intl.config.params import load_strategy

        use_words(PARAMS_DIR, load_strategy(PARAMS_DIR))
    return _in_use[0]


def use_words(params_dir: Path, strategy: Strategy) -> WorkbookFile:
    """Read and check ``<params_dir>/workbook.yaml`` and make its words the ones in use."""
    path = Path(params_dir) / FILE
    model = validated(path, WorkbookFile, read_params_file(path))
    problem = first(words_problems(model, strategy))
    if problem:
        raise params_error(path, *problem)
    _in_use[:] = [model]
    _lists.clear()
    return model


def workbook_list(name: str) -> CodeList | None:
    """A dropdown list that is the workbook's own rather than the strategy's: the states of a
    carried-over row (``template.carried_over``); None for any other name."""
    from hki_intl.workbook.schema import CARRIED_OVER, CARRIED_STATES  # the schema imports this module

    if name != CARRIED_OVER:
        return None
    if name not in _lists:
        states = words().template.carried_over
        entries = tuple({"id": state, **by_language(getattr(states, state))} for state in CARRIED_STATES)
        _lists[name] = CodeList(name, entries)
    return _lists[name]


def sheet_words(sheet: str) -> SheetWords:
    return words().sheets[sheet]


def column_words(sheet: str, key: str) -> ColumnWords:
    return words().sheets[sheet].columns[key]


def by_language(text: Words) -> dict[str, str]:
    """``{"fi": …, "sv": …, "en": …}``."""
    return {lang: text[lang] for lang in LANGUAGES}


def words_problems(model: WorkbookFile, strategy: Strategy) -> Iterator[tuple[Loc, Message]]:
    """What the shape cannot say: every sheet and column of the schema has its words and no
    other, headers tell the columns of a sheet apart, examples name codes of their lists, and
    the sheets the words name are not the template's other sheets."""
    from hki_intl.workbook.schema import INFO_FIELDS, INFO_SHEET, SHEETS  # the schema imports this module

    sections = {INFO_SHEET: INFO_FIELDS, **{sheet.name: sheet.columns for sheet in SHEETS}}
    for name in model.sheets:
        if name not in sections:
            yield ("sheets", name), Message("words.unknown_sheet", sheets=", ".join(sections))
    for name, columns in sections.items():
        sheet = model.sheets.get(name)
        if sheet is None:
            yield ("sheets", name), Message("words.sheet_missing")
        else:
            yield from _sheet_problems(name, name == INFO_SHEET, columns, sheet, strategy)
    yield from _sheet_name_problems(model)
    yield from _carried_state_problems(model)


def _carried_state_problems(model: WorkbookFile) -> Iterator[tuple[Loc, Message]]:
    """The states of a carried-over row are told apart in every language (the intake reads a
    state by its id or its words in any language)."""
    from hki_intl.workbook.schema import CARRIED_STATES

    owner: dict[str, str] = {state: state for state in CARRIED_STATES}
    for state in CARRIED_STATES:
        for lang in LANGUAGES:
            text = getattr(model.template.carried_over, state)[lang]
            found = owner.setdefault(normalise_key(text), state)
            if found != state:
                yield (
                    ("template", "carried_over", state, lang),
                    Message("words.carried_state_twice", text=repr(text), state=found),
                )


def _sheet_problems(name: str, is_info: bool, columns, sheet, strategy: Strategy) -> Iterator[tuple[Loc, Message]]:
    """One sheet's words: its label (a data sheet's), its columns exactly the schema's, their
    examples, and headers that tell the columns apart."""
    if is_info and sheet.label is not None:
        yield ("sheets", name, "label"), Message("words.info_label")
    if not is_info and sheet.label is None:
        yield ("sheets", name, "label"), Message("words.label_missing")
    keys = [column.key for column in columns]
    for key in sheet.columns:
        if key not in keys:
            yield ("sheets", name, "columns", key), Message("words.unknown_column", sheet=name, columns=", ".join(keys))
    for column in columns:
        if column.key not in sheet.columns:
            yield ("sheets", name, "columns", column.key), Message("words.column_missing")
        else:
            yield from _example_problems(name, column, sheet.columns[column.key], strategy)
    yield from _header_clashes(name, [key for key in keys if key in sheet.columns], sheet)


def _sheet_name_problems(model: WorkbookFile) -> Iterator[tuple[Loc, Message]]:
    """The instructions and feedback sheets' names are not names of the template's other sheets."""
    from hki_intl.workbook.schema import INFO_SHEET, SHEETS
    from hki_intl.workbook.template import CODES_SHEET

    taken = {INFO_SHEET, CODES_SHEET, *(sheet.name for sheet in SHEETS)}
    for loc, names in (
        (("template", "instructions_sheet"), model.template.instructions_sheet),
        (("feedback", "list_sheet"), model.feedback.list_sheet),
    ):
        for lang in LANGUAGES:
            if names[lang] in taken:
                yield loc, Message("words.sheet_name_taken", name=repr(names[lang]))
        taken |= set(by_language(names).values())


def _example_problems(sheet: str, column, words_: ColumnWords, strategy: Strategy) -> Iterator[tuple[Loc, Message]]:
    """A coded column's example is a code id of its list (several for a column of several codes)."""
    example, loc = words_.example, ("sheets", sheet, "columns", column.key, "example")
    if example is None:
        return
    if column.kind in ("code", "codes"):
        ids = strategy.codes(column.code_list).ids
        wanted = tuple if column.kind == "codes" else str
        if not isinstance(example, wanted):
            key = "words.example_not_list" if column.kind == "codes" else "words.example_not_one"
            yield loc, Message(key, example=_shown(example), codes=str(column.codes))
            return
        for code in example if isinstance(example, tuple) else (example,):
            if code not in ids:
                yield loc, unknown_code(code, column.codes, ids)
    elif isinstance(example, tuple):
        yield loc, Message("words.example_is_list", example=_shown(example))


def _shown(example: object) -> str:
    return repr(list(example)) if isinstance(example, tuple) else repr(example)


def _header_clashes(sheet: str, keys: list[str], words_: SheetWords) -> Iterator[tuple[Loc, Message]]:
    """The intake finds a column by its key or its label in any language: two columns of one
    sheet must not share one."""
    owner: dict[str, str] = {}
    for key in keys:
        label = words_.columns[key].label
        for spelling, lang in ((key, None), *((label[lang], lang) for lang in LANGUAGES)):
            found = normalise_key(spelling).removesuffix("*").rstrip()
            if owner.get(found, key) != key:
                loc = ("sheets", sheet, "columns", key, "label", lang) if lang else ("sheets", sheet, "columns", key)
                yield loc, Message("words.header_twice", spelling=repr(spelling), other=owner[found])
            owner.setdefault(found, key)
