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


def fmt_percent(value: float | None, lang: str, decimals: int = 0, signed: bool = False) -> str:
    """``0.123`` → fi ``12 %``, sv ``12 %``, en ``12%``; ``signed`` adds + for growth."""
    if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
        return "–"
    text = fmt_number(abs(value) * 100, lang, decimals)
    sign = ("+" if value > 0 else "−" if value < 0 else "±") if signed else ("−" if value < 0 else "")
    return f"{sign}{text}{NBSP}%" if lang in ("fi", "sv") else f"{sign}{text}%"


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
