"""Every message people read — a workbook's problems and warnings, the command line's lines and
errors — in Finnish, Swedish and English, from one catalogue: ``params/messages.yaml``.

A message is made once and shown in any language later: a :class:`Message` keeps its key and
values, never its text. A problem found in a forked intake process, kept as JSON in the intake
cache, is printed in the analyst's language and written into a feedback workbook in that
workbook's language. ``str(message)`` renders it in the language in use, which the command line
sets once (:func:`use_language`: ``--messages``, ``validate --lang``, or ``messages:`` in
``params/report.yaml``; Finnish by default).

To add a message:

1. add its key to ``params/messages.yaml`` with its words in ``fi``, ``sv`` and ``en``; the
   values it shows are named placeholders, ``{value}``, the same in every language (checked at
   load, as the other params files are);
2. in the code, ``Message("the.key", value=...)`` where it is raised or kept, or
   ``text("the.key", ...)`` for a line printed at once. Write the key as a literal string:
   ``tests/test_messages.py`` finds the code's keys by reading the source and fails on a key
   the catalogue lacks, and on a catalogue key no code uses.

A value is shown verbatim (what a contributor typed, a code, a number), or in the message's
language: :class:`Words` (a word in each language: a column's name, a code-list label) or a
nested :class:`Message` (a hint shared by several messages).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, Union

from hki_intl import PARAMS_DIR

LANGUAGES = ("fi", "sv", "en")
DEFAULT_LANGUAGE = "fi"  # the analysts are Finnish-speaking
FILE = "messages.yaml"

_in_use = [DEFAULT_LANGUAGE]
_loading: list[Path] = []  # the catalogue being read, if it is


def use_language(lang: str) -> None:
    """Make ``lang`` the language messages are rendered in (the CLI does so once per command)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown message language {lang!r}")
    _in_use[0] = lang


def language_in_use() -> str:
    return _in_use[0]


def seconds(value: float) -> str:
    """``1.5`` in English, ``1,5`` in Finnish and Swedish: a duration with one decimal, as a message value."""
    written = f"{value:.1f}"
    return written if language_in_use() == "en" else written.replace(".", ",")


class Words:
    """One word or phrase in every language, as a message value (a column's name, a code's label):
    shown in the message's language. (Plain classes, not dataclasses: ``dataclasses.asdict`` of a
    problem keeps its message whole, for :func:`encode`.)"""

    __slots__ = ("en", "fi", "sv")

    def __init__(self, fi: str, sv: str, en: str) -> None:
        self.fi, self.sv, self.en = fi, sv, en

    def __getitem__(self, lang: str) -> str:
        return str(getattr(self, lang))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Words) and (self.fi, self.sv, self.en) == (other.fi, other.sv, other.en)

    def __hash__(self) -> int:
        return hash((self.fi, self.sv, self.en))

    def __repr__(self) -> str:
        return f"Words({self.fi!r}, {self.sv!r}, {self.en!r})"


Value = Union[str, int, float, bool, None, Words, "Message"]


class Message:
    """A message by its catalogue key and its values; rendered in a language on demand."""

    __slots__ = ("key", "values")

    def __init__(self, key: str, /, **values: Value) -> None:
        self.key = key
        self.values: tuple[tuple[str, Value], ...] = tuple(sorted(values.items()))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and (self.key, self.values) == (other.key, other.values)

    def __hash__(self) -> int:
        return hash((self.key, self.values))

    def __repr__(self) -> str:
        return f"Message({self.key!r}, {', '.join(f'{name}={value!r}' for name, value in self.values)})"

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """Read back as :func:`encode` stores it (the manifest keeps the run's problems)."""
        from pydantic_core import core_schema

        def validate(data: Any) -> Message:
            if isinstance(data, Message):
                return data
            if isinstance(data, dict) and "message" in data:
                return decode(data)
            raise ValueError("not a stored message")

        return core_schema.no_info_plain_validator_function(validate)

    def render(self, lang: str | None = None) -> str:
        """The text in ``lang`` (default: the language in use)."""
        lang = lang or language_in_use()
        try:
            if _loading:  # a message about the catalogue, made while it is read (pydantic renders its errors)
                raise RecursionError("the catalogue is being read")
            words = catalogue()
        except Exception:  # the catalogue itself is broken, so its own message cannot be rendered: key and values
            return f"{self.key} {dict((name, _shown(value, lang)) for name, value in self.values)}"
        template = words[self.key][lang]
        return template.format_map({name: _shown(value, lang) for name, value in self.values})

    def __str__(self) -> str:
        return self.render()

    @property
    def kind(self) -> tuple:
        """What the message says, without the values it shows: its key and its nested messages'
        kinds (two problems of one kind differ only in what they quote)."""
        return (self.key, *((name, value.kind) for name, value in self.values if isinstance(value, Message)))

    def sort_key(self) -> tuple[str, str]:
        """The same in every language: problems are listed in one order whatever the language."""
        return self.key, json.dumps(encode(self), sort_keys=True, ensure_ascii=False)

    def __lt__(self, other: Message) -> bool:
        return self.sort_key() < other.sort_key()


def joined(messages: list[Message], separator: str = "; ") -> Words:
    """Several messages as one value, each rendered in every language (a list of other places)."""
    return Words(*(separator.join(m.render(lang) for m in messages) for lang in LANGUAGES))


def either(items: list[str]) -> Words:
    """``a or b or c`` in every language (the versions a workbook may be of)."""
    return Words(*(Message("word.or").render(lang).join(items) for lang in LANGUAGES))


def text(key: str, /, **values: Value) -> str:
    """The message ``key`` rendered at once in the language in use (a line the CLI prints)."""
    return Message(key, **values).render()


def _shown(value: Value, lang: str) -> Any:
    if isinstance(value, Message):
        return value.render(lang)
    if isinstance(value, Words):
        return value[lang]
    return value


def render(message: Message | str, lang: str | None = None) -> str:
    """A message, or a text made before messages had keys (shown as it is in every language)."""
    return message.render(lang) if isinstance(message, Message) else message


# --- as plain data (the intake cache keeps problems as JSON) --------------------------------------


def encode(value: Any) -> Any:
    """A message or value as JSON-able data: ``{"message": key, "values": {…}}``, ``{"words": {…}}``."""
    if isinstance(value, Message):
        return {"message": value.key, "values": {name: encode(v) for name, v in value.values}}
    if isinstance(value, Words):
        return {"words": [value.fi, value.sv, value.en]}
    return value


def to_json(value: Any) -> Any:
    """``json.dumps``'s ``default``: a message or words as :func:`encode` writes them."""
    if isinstance(value, (Message, Words)):
        return encode(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def decode(data: Any) -> Any:
    """What :func:`encode` made, back; raises TypeError or KeyError for anything else."""
    if isinstance(data, dict) and "message" in data:
        if not isinstance(data["message"], str) or data["message"] not in catalogue():
            raise KeyError(data["message"])
        return Message(data["message"], **{str(k): decode(v) for k, v in data["values"].items()})
    if isinstance(data, dict) and "words" in data:
        return Words(*(str(part) for part in data["words"]))
    if data is None or isinstance(data, (str, int, float, bool)):
        return data
    raise TypeError(f"not a stored message value: {data!r}")


# --- the catalogue ---------------------------------------------------------------------------------


@functools.cache
def catalogue(params_dir: Path = PARAMS_DIR) -> dict[str, dict[str, str]]:
    """Key → language → text, from ``params/messages.yaml``, checked as the other params files are:
    every key in fi, sv and en with the same placeholders. The messages are the pipeline's own
    words (not a report's), so they are always the project's, whatever ``--params`` names."""
    from hki_intl.config.models import MessagesFile
    from hki_intl.config.params import read_params_file, validated

    path = Path(params_dir) / FILE
    _loading.append(path)
    try:
        model = validated(path, MessagesFile, read_params_file(path))
    finally:
        _loading.pop()
    return {key: {lang: words[lang] for lang in LANGUAGES} for key, words in model.root.items()}
