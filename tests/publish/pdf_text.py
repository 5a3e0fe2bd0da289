"""Where every piece of text sits on the pages of a PDF, and what it is: the layout tests' reader.

pypdf gives the objects; this module interprets the pages' content streams (and the form
XObjects they draw) far enough to know, for every text-showing operator, its text, its box in
points from the page's top-left corner, its font size and the structure elements of the
tagged PDF it belongs to (``H1``, ``Caption``, ``TH``, ``TFoot`` …, from the structure tree
through its marked-content ids). WeasyPrint writes Type0 fonts with ``Identity-H`` encoding
(two bytes a glyph) and a ``ToUnicode`` map; that is all this reader needs to handle.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import ContentStream, DictionaryObject, IndirectObject, NameObject

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1, 0, 0, 1, 0, 0)
ASCENT, DESCENT = 0.75, 0.2  # of the font size: enough for the boxes the tests compare


def multiply(m: Matrix, n: Matrix) -> Matrix:
    """``m`` then ``n`` (PDF's row-vector convention: a point p maps to p·m·n)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2, e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5]


@dataclass(frozen=True)
class Span:
    """One text-showing operator's text: its box (points, from the page's top-left corner),
    its size and the tagged PDF's structure elements it belongs to, outermost first."""

    page: int  # 0-based
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    tags: tuple[str, ...]
    artifact: bool
    elements: tuple[int, ...] = ()  # the structure elements' object numbers, as ``tags``
    upright: bool = True  # False: the text runs other than left to right (a turned axis title)

    def element(self, tag: str) -> int | None:
        """The object number of the innermost structure element of type ``tag`` holding the span."""
        for name, number in zip(reversed(self.tags), reversed(self.elements), strict=True):
            if name == tag:
                return number
        return None

    @property
    def baseline(self) -> float:
        return self.bottom - DESCENT * self.size

    def has(self, *tags: str) -> bool:
        return any(tag in self.tags for tag in tags)


class Font:
    """A Type0 font's glyph widths and Unicode text, from its ``W`` array and ``ToUnicode`` map."""

    def __init__(self, font: DictionaryObject):
        self.widths: dict[int, float] = {}
        self.default = 1000.0
        self.unicode: dict[int, str] = {}
        descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else None
        if descendant is not None:
            self.default = float(descendant.get("/DW", 1000))
            w = list(descendant.get("/W", []))
            i = 0
            while i < len(w):
                first = int(w[i])
                if isinstance(w[i + 1].get_object() if hasattr(w[i + 1], "get_object") else w[i + 1], list):
                    for k, width in enumerate(w[i + 1]):
                        self.widths[first + k] = float(width)
                    i += 2
                else:
                    for code in range(first, int(w[i + 1]) + 1):
                        self.widths[code] = float(w[i + 2])
                    i += 3
        if "/ToUnicode" in font:
            self._read_cmap(font["/ToUnicode"].get_object().get_data().decode("latin-1"))

    def _read_cmap(self, cmap: str) -> None:
        hexes = lambda s: re.findall(r"<([0-9a-fA-F]+)>", s)
        text = lambda h: bytes.fromhex(h).decode("utf-16-be", errors="replace")
        for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
            pairs = hexes(block)
            for src, dst in zip(pairs[::2], pairs[1::2], strict=True):
                self.unicode[int(src, 16)] = text(dst)
        for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
            for line in block.strip().splitlines():
                parts = hexes(line)
                if len(parts) < 3:
                    continue
                lo, hi = int(parts[0], 16), int(parts[1], 16)
                if "[" in line:
                    for k, dst in enumerate(parts[2:]):
                        self.unicode[lo + k] = text(dst)
                else:
                    start = int(parts[2], 16)
                    for k in range(hi - lo + 1):
                        self.unicode[lo + k] = chr(start + k)

    def glyphs(self, data: bytes) -> Iterator[tuple[str, float]]:
        """Each glyph of ``data`` (two bytes each): its text and its width (thousandths of the size)."""
        for i in range(0, len(data) - 1, 2):
            code = data[i] << 8 | data[i + 1]
            yield self.unicode.get(code, ""), self.widths.get(code, self.default)


@dataclass
class _State:
    ctm: Matrix = IDENTITY
    font: Font | None = None
    size: float = 0.0
    char_spacing: float = 0.0
    leading: float = 0.0
    scale: float = 1.0
    alpha: float = 1.0  # the fill alpha (ExtGState /ca) times that of the forms being drawn
    group_alpha: float = 1.0
    invisible: bool = False  # text rendering mode 3


@dataclass
class _Page:
    """What is collected from one page: its spans, by the structure elements of their MCIDs."""

    index: int
    height: float
    tags_of: dict[int, tuple[tuple[str, int], ...]]  # MCID on this page → its structure elements
    fonts: dict[int, Font]  # by the font dictionary's object number
    spans: list[Span] = field(default_factory=list)

    def run(self, content, resources, state: _State, marks: list) -> None:
        _Content(self, resources, state, marks).run(content)


class _Content:
    """Interprets one content stream (a page's or a form's): the graphics state, the text
    matrices and the marked-content sequences, far enough to place each text shown."""

    def __init__(self, page: _Page, resources, state: _State, marks: list):
        self.page, self.resources, self.state, self.marks = page, resources, state, marks
        self.stack: list[_State] = []
        self.tm = self.lm = IDENTITY
        self.operators = {
            "q": self._save,
            "Q": self._restore,
            "cm": self._concat,
            "BT": self._begin_text,
            "Tm": self._text_matrix,
            "Td": self._move,
            "TD": lambda ops: (setattr(self.state, "leading", -float(ops[1])), self._move(ops)),
            "T*": lambda _: self._move([0, -self.state.leading]),
            "TL": lambda ops: setattr(self.state, "leading", float(ops[0])),
            "Tc": lambda ops: setattr(self.state, "char_spacing", float(ops[0])),
            "Tz": lambda ops: setattr(self.state, "scale", float(ops[0]) / 100),
            "Tr": lambda ops: setattr(self.state, "invisible", int(ops[0]) in (3, 7)),
            "gs": self._graphics_state,
            "Tf": self._font,
            "TJ": lambda ops: self._show(ops[0]),
            "Tj": lambda ops: self._show([ops[-1]]),
            "'": lambda ops: self._show([ops[-1]]),
            '"': lambda ops: self._show([ops[-1]]),
            "BDC": self._mark,
            "BMC": self._mark,
            "EMC": lambda _: self.marks.pop() if self.marks else None,
            "Do": self._form,
        }

    def run(self, content) -> None:
        for operands, operator in ContentStream(content, None).operations:
            handler = self.operators.get(operator.decode("latin-1"))
            if handler is not None:
                handler(operands)

    def _save(self, _) -> None:
        self.stack.append(_State(**vars(self.state)))

    def _restore(self, _) -> None:
        if self.stack:
            self.state = self.stack.pop()

    def _concat(self, operands) -> None:
        self.state.ctm = multiply(tuple(float(v) for v in operands), self.state.ctm)  # type: ignore[arg-type]

    def _begin_text(self, _) -> None:
        self.tm = self.lm = IDENTITY

    def _text_matrix(self, operands) -> None:
        self.tm = self.lm = tuple(float(v) for v in operands)  # type: ignore[assignment]

    def _move(self, operands) -> None:
        self.tm = self.lm = multiply((1, 0, 0, 1, float(operands[0]), float(operands[1])), self.lm)

    def _graphics_state(self, operands) -> None:
        found = self.resources["/ExtGState"][operands[0]].get_object()
        self.state.alpha = float(found.get("/ca", self.state.alpha))

    def _font(self, operands) -> None:
        font = self.resources["/Font"][operands[0]]
        key = font.idnum if isinstance(font, IndirectObject) else id(font)
        if key not in self.page.fonts:
            self.page.fonts[key] = Font(font.get_object())
        self.state.font, self.state.size = self.page.fonts[key], float(operands[1])

    def _mark(self, operands) -> None:
        mcid = None
        if len(operands) > 1:
            props = operands[1]
            if isinstance(props, NameObject):
                props = self.resources.get("/Properties", {}).get(props, {})
            props = props.get_object() if hasattr(props, "get_object") else props
            if isinstance(props, dict) and "/MCID" in props:
                mcid = int(props["/MCID"])
        self.marks.append((str(operands[0]), mcid))

    def _form(self, operands) -> None:
        xobject = self.resources.get("/XObject", {}).get(operands[0])
        xobject = xobject.get_object() if xobject is not None else None
        if xobject is None or xobject.get("/Subtype") != "/Form":
            return
        inner = _State(**vars(self.state))
        inner.ctm = multiply(tuple(float(v) for v in xobject.get("/Matrix", IDENTITY)), self.state.ctm)  # type: ignore[arg-type]
        inner.group_alpha, inner.alpha = self.state.group_alpha * self.state.alpha, 1.0
        self.page.run(xobject, xobject.get("/Resources", self.resources).get_object(), inner, list(self.marks))

    def _show(self, parts) -> None:
        state = self.state
        if state.font is None:
            return
        text, advance = [], 0.0
        for part in parts:
            if isinstance(part, (bytes, str)) or hasattr(part, "original_bytes"):
                data = part.original_bytes if hasattr(part, "original_bytes") else bytes(part, "latin-1")
                for char, width in state.font.glyphs(data):
                    text.append(char)
                    advance += (width / 1000 * state.size + state.char_spacing) * state.scale
            else:
                advance -= float(part) / 1000 * state.size * state.scale
        start, self.tm = self.tm, multiply((1, 0, 0, 1, advance, 0), self.tm)
        if "".join(text).strip() and not state.invisible and state.alpha * state.group_alpha > 0:
            self._add("".join(text), start, advance)  # (Vega hides overlapping axis labels with opacity 0)

    def _add(self, text: str, start: Matrix, advance: float) -> None:
        """A span of ``text`` shown at ``start`` (the text matrix), ``advance`` long (text space)."""
        full = multiply(start, self.state.ctm)
        size = abs(self.state.size) * math.hypot(full[2], full[3])
        # the box: from the text's start to its end, from the descent to the ascent, whichever
        # way the text runs (an axis title turned a quarter reads upwards)
        high, low = ASCENT * self.state.size, -DESCENT * self.state.size
        corners = [apply(full, x, y) for x in (0, advance) for y in (low, high)]
        xs, ys = [x for x, _ in corners], [self.page.height - y for _, y in corners]
        mcids = [m for _, m in self.marks if m is not None]
        tags = self.page.tags_of.get(mcids[-1], ()) if mcids else ()
        self.page.spans.append(
            Span(
                page=self.page.index,
                text=text,
                x0=min(xs),
                x1=max(xs),
                top=min(ys),
                bottom=max(ys),
                size=size,
                upright=abs(full[1]) < 1e-6 * size and abs(full[2]) < 1e-6 * size,
                tags=tuple(t.lstrip("/") for t, _ in tags),
                artifact=any(tag == "/Artifact" for tag, _ in self.marks),
                elements=tuple(n for _, n in tags),
            )
        )


def _structure(reader: PdfReader) -> dict[tuple[int, int], tuple[tuple[str, int], ...]]:
    """(page object number, MCID) → the structure elements it belongs to (type and object
    number), outermost first."""
    root = reader.trailer["/Root"].get("/StructTreeRoot")
    found: dict[tuple[int, int], tuple[tuple[str, int], ...]] = {}
    if root is not None:
        _walk(root.get_object().raw_get("/K"), (), None, found)
    return found


def _walk(node, path: tuple[tuple[str, int], ...], page: int | None, found: dict) -> None:
    """Record the MCIDs under ``node`` (a structure element, a list of kids, an MCID or a
    marked-content reference) with the path of elements to them."""
    number = node.idnum if isinstance(node, IndirectObject) else -1
    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, list):
        for kid in node:
            _walk(kid, path, page, found)
    elif isinstance(node, int):
        if page is not None:
            found[(page, node)] = path
    elif isinstance(node, dict):
        pg = node.get("/Pg")
        page = pg.idnum if isinstance(pg, IndirectObject) else page
        if node.get("/Type") == "/MCR":
            if page is not None:
                found[(page, int(node["/MCID"]))] = path
        elif "/K" in node:
            path = (*path, (str(node["/S"]), number)) if "/S" in node else path
            _walk(node.raw_get("/K"), path, page, found)


class PdfText:
    """Every text span of a PDF's pages, with the page geometry the layout tests need."""

    def __init__(self, path: Path):
        self.path = path
        self.reader = PdfReader(path)

    @cached_property
    def spans(self) -> list[Span]:
        structure = _structure(self.reader)
        fonts: dict[int, Font] = {}
        spans: list[Span] = []
        for index, page in enumerate(self.reader.pages):
            number = page.indirect_reference.idnum if page.indirect_reference else -1
            tags_of = {mcid: path for (pg, mcid), path in structure.items() if pg == number}
            reading = _Page(index, float(page.mediabox.height), tags_of, fonts)
            content = page.get_contents()
            if content is not None:
                reading.run(content, page["/Resources"].get_object(), _State(), [])
            spans.extend(reading.spans)
        return spans

    def page_count(self) -> int:
        return len(self.reader.pages)

    def page_size(self, index: int) -> tuple[float, float]:
        box = self.reader.pages[index].mediabox
        return float(box.width), float(box.height)

    def on_page(self, index: int) -> list[Span]:
        return [s for s in self.spans if s.page == index]
