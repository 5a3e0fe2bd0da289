"""What a reader of the report reads, and the machine words that must not be in it.

The reader of the report is not the analyst: no file paths, no ids or code words of the
pipeline, no Python values (``None``, ``nan``, ``NaT``, ``True``), no unfilled placeholder.

- **Paths**: a word with a slash through one of the project's folders (``params/strategy.yaml``,
  ``data/networks.csv``) or a file name (``.yaml``, ``.csv``, ``.py``, ``.ipynb``, ``.json``,
  ``.xlsx`` …). Allowed only where the report deliberately tells the analyst where data is: the
  sentence under a list cut short (``table.more_rows``: the rows are in ``data/<table>.csv`` of the
  report's folder) and the data-quality table of the workbooks left out (it names each workbook
  file and quotes the intake's message, for the analyst who fixes it).
- **Ids**: a snake_case word (``eu_project``, ``competence_activities``), or a word that is an id
  of a list of ``params/strategy.yaml`` (``c40``, ``FI``, ``competence``) where the report's
  language does not use it as a word of its own: ``competence`` and ``scale`` are English words,
  so they may stand in the English report, never in the Finnish or Swedish one.
- **Python values**: ``None``, ``nan``, ``NaN``, ``NaT``, ``<NA>``, ``True``, ``False``, ``inf``.
- **Placeholders** left unfilled: ``{year}``, ``{count:# toiminto|# toimintoa}``.

The text is the HTML's text content (also the charts' SVG text and the text alternatives in
``aria-label``, ``alt`` and ``title``) and the PDF's text (pypdf).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml

from hki_intl import PARAMS_DIR

FOLDERS = ("params", "data", "inputs", "reports", "notebooks", "hki_intl", "tests", "tmp", "home", "work")
EXTENSIONS = ("yaml", "yml", "csv", "py", "ipynb", "json", "xlsx", "xlsm", "j2", "md", "txt")
PATH = re.compile(rf"(?<![\w/.-])(?:/?(?:{'|'.join(FOLDERS)})/[\w./-]*\w|[\w.-]*\w\.(?:{'|'.join(EXTENSIONS)}))(?![\w/])")
SNAKE = re.compile(r"(?<![\w.@/-])[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+(?![\w-])")
WORD = re.compile(r"[A-Za-z0-9]+")
REPR = re.compile(r"(?<![\w<])(?:None|nan|NaN|NaT|<NA>|True|False|inf)(?![\w>])")
PLACEHOLDER = re.compile(r"\{\w+(?::[^{}]*)?\}")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9€])")
BLOCKS = {
    "p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "caption", "figcaption", "td", "th", "tr", "summary",
    "title", "text", "div", "dt", "dd", "header", "footer", "nav", "section", "figure", "details",
}  # fmt: skip


@dataclass(frozen=True)
class Found:
    """A machine word in the reader's text: the word, what kind it is and the sentence it is in."""

    word: str
    kind: str
    sentence: str

    def __str__(self) -> str:
        return f"{self.kind} {self.word!r} in: {self.sentence}"


def _load(name: str) -> Any:
    return yaml.safe_load((Path(PARAMS_DIR) / name).read_text(encoding="utf-8"))


def code_ids() -> set[str]:
    """Every id of every list of params/strategy.yaml, and every headline id."""
    strategy = _load("strategy.yaml")
    ids: set[str] = set()
    for entries in strategy.values():
        if isinstance(entries, list):
            for entry in entries:
                ids.add(str(entry["id"]))
                ids |= {str(h["id"] if isinstance(h, dict) else h) for h in entry.get("headlines") or []}
    return ids


def vocabulary(lang: str) -> set[str]:
    """The words the report's language uses of its own: every word of its texts and labels."""
    strategy, texts = _load("strategy.yaml"), _load("texts.yaml")
    words = {w for entry in texts.values() for w in WORD.findall(entry[lang])}
    for value in strategy.values():
        for entry in value if isinstance(value, list) else [value]:
            if isinstance(entry, dict) and lang in entry:
                words |= set(WORD.findall(str(entry[lang])))
    return words


def allowed_sentences(lang: str) -> list[re.Pattern[str]]:
    """The sentences that may name a file: table.more_rows, as its words in ``lang`` say."""
    template = _load("texts.yaml")["table.more_rows"][lang]
    parts = re.split(r"\{\w+(?::[^{}]*)?\}", template)
    return [re.compile(".+?".join(re.escape(" ".join(part.split())) for part in parts))]


def _code_word(word: str, ids: set[str], words: set[str], lang: str) -> bool:
    """Whether ``word`` is an id the report's language does not use as a word of its own. Ids
    that are plain lower-case English words (``competence``, ``scale``, ``other``) are English
    words in the English report; in the Finnish and Swedish ones they are code leaking through."""
    if word not in ids or word in words:
        return False
    return not (lang == "en" and word.isalpha() and word.islower())


def sentences(text: str) -> list[str]:
    return [s for s in SENTENCE_END.split(" ".join(text.split())) if s]


def scan(units: list[str], lang: str, written: str = "") -> list[Found]:
    """Every machine word in ``units`` (texts as the reader sees them), with its sentence.
    ``written``: text a person wrote for the report (the analyst's words), whose words are words
    of the language even where one is also an id ("design" in a Swedish commentary)."""
    ids, words, allowed = code_ids(), vocabulary(lang) | set(WORD.findall(written)), allowed_sentences(lang)
    found: list[Found] = []
    for unit in units:
        for sentence in sentences(unit):
            if not any(pattern.search(sentence) for pattern in allowed):
                found += [Found(m[0], "path", sentence) for m in PATH.finditer(sentence)]
            found += [Found(m[0], "snake_case id", sentence) for m in SNAKE.finditer(sentence)]
            found += [Found(w, "code id", sentence) for w in WORD.findall(sentence) if _code_word(w, ids, words, lang)]
            found += [Found(m[0], "Python value", sentence) for m in REPR.finditer(sentence)]
            found += [Found(m[0], "unfilled placeholder", sentence) for m in PLACEHOLDER.finditer(sentence)]
    return list(dict.fromkeys(found))


class ReaderText(HTMLParser):
    """The text a reader of an HTML page meets, one unit per block (a paragraph, a table cell, a
    chart's label or text alternative). Scripts and styles are not read; the data-quality table
    of the workbooks left out (``exempt_caption``) is kept apart, in ``exempt``."""

    def __init__(self, exempt_caption: str = ""):
        super().__init__(convert_charrefs=True)
        self.units: list[str] = []
        self.exempt: list[str] = []
        self._exempt_caption = exempt_caption
        self._skip = 0
        self._buffer: list[str] = []
        self._table: list[str] | None = None  # the units of the table being read
        self._caption = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        if tag in BLOCKS:
            self._flush()
        if tag == "table":
            self._table = []
        if tag == "caption":
            self._caption = True
        for name, value in attrs:
            if name in ("aria-label", "alt", "title") and value:
                self._out(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCKS:
            self._flush()
        if tag in ("script", "style"):
            self._skip -= 1
        if tag == "caption":
            self._caption = False
        if tag == "table" and self._table is not None:
            units, self._table = self._table, None
            exempt = bool(self._exempt_caption) and bool(units) and units[0].startswith(self._exempt_caption)
            (self.exempt if exempt else self.units).extend(units)

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._buffer.append(data)

    def _flush(self) -> None:
        text = " ".join("".join(self._buffer).split())
        self._buffer = []
        if text:
            self._out(text)

    def _out(self, text: str) -> None:
        (self._table if self._table is not None else self.units).append(text)


def html_units(page: str, exempt_caption: str = "") -> tuple[list[str], list[str]]:
    """(the reader's text units of an HTML page, the exempt ones)."""
    parser = ReaderText(exempt_caption)
    parser.feed(page)
    parser.close()
    parser._flush()
    return parser.units, parser.exempt


def pdf_units(path: Path, exempt: list[str]) -> list[str]:
    """The PDF's text, one unit per page, with the exempt texts taken out."""
    from pypdf import PdfReader

    pages = []
    for page in PdfReader(path).pages:
        text = " ".join(page.extract_text().split())
        for part in exempt:
            text = text.replace(" ".join(part.split()), " ")
        pages.append(text)
    return pages
