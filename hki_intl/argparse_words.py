"""argparse's own words — ``usage:``, ``options``, ``error: the following arguments are required``
… — from the message catalogue, in the language in use.

argparse makes every text it prints translatable through :mod:`gettext` (the Python docs' "How to
translate the argparse output"): it looks each English text up with the module-level functions
``argparse._`` and ``argparse.ngettext``. The documented route, compiled ``.mo`` files under a
locale folder, would keep a second catalogue beside ``params/messages.yaml``; instead a
:class:`gettext.NullTranslations` answers from the catalogue, and :func:`argparse_speaks` lends its
``gettext``/``ngettext`` to argparse only while the command line is built and parsed.

argparse fills its texts with ``%`` values after the lookup, so each text here is rendered with
the ``%`` fields as its values; a text argparse has that is not here stays English (a newer
Python's new text, say), never an error.
"""

from __future__ import annotations

import argparse
import gettext
from collections.abc import Iterator
from contextlib import contextmanager

from hki_intl.messages import Message

# argparse's English text (Python 3.11 and later) → its message. Only the texts a user of this
# command line can meet; the rest (mistakes in building a parser) stay English.
ARGPARSE_WORDS: dict[str, Message] = {
    "usage: ": Message("argparse.usage"),
    "%(prog)s: error: %(message)s\n": Message("argparse.error", prog="%(prog)s", message="%(message)s"),
    "argument %(argument_name)s: %(message)s": Message("argparse.argument", argument="%(argument_name)s", message="%(message)s"),
    "the following arguments are required: %s": Message("argparse.required", arguments="%s"),
    "unrecognized arguments: %s": Message("argparse.unrecognized", arguments="%s"),
    "invalid choice: %(value)r (choose from %(choices)s)": Message(
        "argparse.invalid_choice", value="%(value)r", choices="%(choices)s"
    ),
    "invalid %(type)s value: %(value)r": Message("argparse.invalid_value", type="%(type)s", value="%(value)r"),
    "expected one argument": Message("argparse.expected_one"),
    "ambiguous option: %(option)s could match %(matches)s": Message(
        "argparse.ambiguous", option="%(option)s", matches="%(matches)s"
    ),
    "ignored explicit argument %r": Message("argparse.ignored_value", value="%r"),
    "positional arguments": Message("argparse.positionals"),
    "options": Message("argparse.options"),
    "show this help message and exit": Message("argparse.help"),
}


class CatalogueTranslations(gettext.NullTranslations):
    """argparse's texts from the catalogue, in the language in use when each is looked up."""

    def gettext(self, message: str) -> str:
        known = ARGPARSE_WORDS.get(message) if isinstance(message, str) else None
        if known is None:  # not one of ours (or argparse's ``_(None)`` for a missing description)
            return message
        stripped = message.strip()
        start = message.index(stripped)
        return message[:start] + known.render() + message[start + len(stripped) :]  # argparse's spaces and newline kept

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self.gettext(msgid1 if n == 1 else msgid2)


@contextmanager
def argparse_speaks() -> Iterator[None]:
    """argparse's words from the catalogue for the duration (building a parser names its
    ``options`` and ``-h``; parsing and help print the rest); argparse's own English after."""
    translations = CatalogueTranslations()
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = translations.gettext, translations.ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]
