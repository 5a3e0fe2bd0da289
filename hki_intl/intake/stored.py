"""One workbook's parsed result as plain data, and back: what the run's intake cache keeps.

The data is JSON-able with explicit types (never pickle: an output folder may be shared, and
loading a pickle runs code). Text, whole numbers, decimals (Python writes a float's shortest
exact digits, so it reads back bit for bit), true/false and empty are JSON's own; a date is
``{"date": "2025-03-14"}``. The cleaned photos are not in it: each is named by a key, and the
caller keeps their bytes (:func:`encode` hands them over, :func:`decode` asks for them).
Anything else cannot be kept: :func:`encode` raises :class:`NotStorable`, and the workbook is
simply read again next time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from hki_intl import messages
from hki_intl.errors import Problem
from hki_intl.intake.photos import Photo
from hki_intl.intake.read import SheetLayout, Submission

FORMAT = 2  # the layout of a stored result; a stored result of another format is not read (2: messages by key)


class NotStorable(Exception):
    """A parsed value of a type this format does not hold, or stored data that is not ours."""


def encode(submission: Submission | None, problems: list[Problem], photo_key: Callable[[Photo], str]) -> dict[str, Any]:
    """The result of :func:`~hki_intl.intake.read.read_submission` as plain data; each photo is
    named by ``photo_key(photo)`` (which also keeps its bytes)."""
    return {
        "format": FORMAT,
        "problems": [asdict(p) | {"message": messages.encode(p.message)} for p in problems],
        "submission": None if submission is None else _submission(submission, photo_key),
    }


def decode(data: Any, path: Path, photo: Callable[[str], Photo]) -> tuple[Submission | None, list[Problem]]:
    """The result that :func:`encode` stored, for the workbook at ``path``; ``photo(key)`` gives a
    photo's bytes. Raises :class:`NotStorable` (or a KeyError, TypeError or ValueError) when
    ``data`` is not what :func:`encode` writes."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise NotStorable("not a stored intake result of this format")
    problems = [Problem(**_problem_fields(p)) for p in data["problems"]]
    stored = data["submission"]
    if stored is None:
        return None, problems
    submission = Submission(
        organisation=_typed(stored["organisation"], str),
        year=_typed(stored["year"], int),
        path=path,
        template_version=_typed(stored["template_version"], str),
        contact_role=_typed(stored["contact_role"], str),
        tables={
            _typed(table, str): [{_typed(k, str): _value(v) for k, v in _typed(r, dict).items()} for r in _typed(records, list)]
            for table, records in _typed(stored["tables"], dict).items()
        },
        nil_return=_typed(stored["nil_return"], bool),
        layout={
            _typed(sheet, str): SheetLayout(
                _typed(header_row, int), {_typed(c, int): _typed(key, str) for c, key in _typed(columns, list)}
            )
            for sheet, (header_row, columns) in _typed(stored["layout"], dict).items()
        },
        photos={_typed(key, str): photo(_typed(name, str)) for key, name in _typed(stored["photos"], dict).items()},
        photo_files={_typed(name, str) for name in _typed(stored["photo_files"], list)},
    )
    return submission, problems


def _submission(submission: Submission, photo_key: Callable[[Photo], str]) -> dict[str, Any]:
    return {
        "organisation": submission.organisation,
        "year": submission.year,
        "template_version": submission.template_version,
        "contact_role": submission.contact_role,
        "tables": {
            table: [{key: _plain(value) for key, value in record.items()} for record in records]
            for table, records in submission.tables.items()
        },
        "nil_return": submission.nil_return,
        "layout": {
            sheet: [layout.header_row, [[c, key] for c, key in layout.columns.items()]]
            for sheet, layout in submission.layout.items()
        },
        "photos": {key: photo_key(photo) for key, photo in submission.photos.items()},
        "photo_files": sorted(submission.photo_files),
    }


def _plain(value: Any) -> Any:
    """A parsed cell value as JSON: its own type, or a date as ``{"date": iso}``."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise NotStorable(f"a number JSON cannot hold ({value!r})")
        return value
    if type(value) is dt.date:
        return {"date": value.isoformat()}
    raise NotStorable(f"a value of type {type(value).__name__} ({value!r:.40})")


def _value(stored: Any) -> Any:
    if stored is None or isinstance(stored, (str, bool, int, float)):
        return stored
    if isinstance(stored, dict) and list(stored) == ["date"]:
        return dt.date.fromisoformat(_typed(stored["date"], str))
    raise NotStorable(f"a stored value that is not ours ({stored!r:.40})")


def _problem_fields(stored: Any) -> dict[str, Any]:
    fields = _typed(stored, dict)
    types = {"file": str, "sheet": str, "row": int, "column": int, "cell": str, "severity": str}
    if set(fields) != {*types, "message"}:
        raise NotStorable("a stored problem that is not ours")
    message = messages.decode(fields["message"])  # a message by its key and values, rendered in any language later
    if not isinstance(message, (messages.Message, str)):
        raise NotStorable("a stored problem's message that is not ours")
    return {name: _typed(fields[name], kind) for name, kind in types.items()} | {"message": message}


def _typed(value: Any, kind: type) -> Any:
    """``value`` if it is of ``kind`` (a bool is not an int here), else :class:`NotStorable`."""
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise NotStorable(f"a stored {kind.__name__} expected ({value!r:.40})")
    return value
