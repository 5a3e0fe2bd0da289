"""Numbers, percentages and dates written the way each report language writes them."""

from __future__ import annotations

import datetime as dt
import math

NBSP = "\u00a0"  # thousands separator in Finnish and Swedish; never breaks a number over lines


def fmt_number(value: float | int | None, lang: str, decimals: int = 0) -> str:
    """``1234.5`` → fi/sv ``1 234,5``, en ``1,234.5``; missing → an en dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    if lang in ("fi", "sv"):
        text = text.replace(",", NBSP).replace(".", ",")
    return text.replace("-", "−")


def fmt_eur(value: float | None, lang: str) -> str:
    """Euros: fi/sv ``12 300 €`` and ``1,2 milj. €``; en ``€12,300`` and ``€1.2 million``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if abs(value) >= 1_000_000:
        number = fmt_number(value / 1_000_000, lang, 1)
        return f"€{number} million" if lang == "en" else f"{number}{NBSP}milj.{NBSP}€"
    number = fmt_number(value, lang)
    return f"€{number}" if lang == "en" else f"{number}{NBSP}€"


# A million as each language writes it beside a number: in running text (``fmt_eur``) and, shorter,
# on a chart's labels and axis (``fmt_compact``); never "M" (SI's mega is not a way to write money
# or people). Finnish and Finland-Swedish write "milj.", English "million" and, short, "m".
MILLIONS = {"fi": f"{NBSP}milj.", "sv": f"{NBSP}milj.", "en": "m"}


def fmt_compact(value: float | None, lang: str, money: bool = False) -> str:
    """A figure for a chart's label, short: ``21900000`` → fi/sv ``21,9 milj.``, en ``21.9m``,
    with three significant digits (``4,49 milj.``, ``11,6 milj.``) and the whole number below a
    million. Money is written to one decimal, as :func:`fmt_eur` writes it in the text and the
    tables (fi/sv ``13,6 milj. €``, en ``€13.6m``; ``650 200 €``)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if abs(value) < 1_000_000:
        return fmt_eur(value, lang) if money else fmt_number(value, lang)
    millions = value / 1_000_000
    decimals = 1 if money else max(0, 2 - math.floor(math.log10(abs(millions))))
    number = fmt_number(millions, lang, decimals)
    if decimals and not money:  # 5,00 → 5: significant digits, not a false precision
        number = number.rstrip("0").rstrip(",.")
    text = f"{number}{MILLIONS[lang]}"
    if not money:
        return text
    return f"€{text}" if lang == "en" else f"{text}{NBSP}€"


def million_suffix(lang: str) -> str:
    """What a chart's axis writes after a number of millions (the axis title names the unit)."""
    return MILLIONS[lang]


def fmt_percent(value: float | None, lang: str, decimals: int = 0, signed: bool = False) -> str:
    """``0.123`` → fi ``12 %``, sv ``12 %``, en ``12%``; ``signed`` adds + for growth."""
    if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
        return "–"
    text = fmt_number(abs(value) * 100, lang, decimals)
    sign = ("+" if value > 0 else "−" if value < 0 else "±") if signed else ("−" if value < 0 else "")
    return f"{sign}{text}{NBSP}%" if lang in ("fi", "sv") else f"{sign}{text}%"


class Count:
    """A count as a text fills it in: ``{n}`` is the number written for the language, and
    ``{n:# toiminto|# toimintoa}`` the form for one or for any other count, ``#`` standing for
    the number — so a sentence says "1 verkostojäsenyys" and "1 network membership", not
    "1 verkostojäsenyyttä" or "1 network memberships"."""

    def __init__(self, value: float | int, text: str):
        self.value = value
        self.text = text

    def __format__(self, spec: str) -> str:
        if not spec:
            return self.text
        one, bar, other = spec.partition("|")
        if not bar:
            raise ValueError(f"a count's forms are written '# one|# other', not {spec!r}")
        return (one if self.value == 1 else other).replace("#", self.text)

    def __str__(self) -> str:
        return self.text


def fmt_date(value: dt.date, lang: str) -> str:
    if lang == "en":
        return f"{value.day} {value:%B} {value.year}"
    if lang == "sv":
        return f"{value.day}.{value.month}.{value.year}"
    return f"{value.day}.{value.month}.{value.year}"


def change(current: float | None, previous: float | None) -> float | None:
    """Relative change from ``previous`` to ``current``; None when it cannot be computed."""
    if current is None or previous is None or previous == 0:
        return None
    if isinstance(previous, float) and math.isnan(previous):
        return None
    return (current - previous) / previous
