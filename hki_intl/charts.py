"""Altair charts in the Helsinki Design System look, rendered to static SVG without a browser."""

from __future__ import annotations

import altair as alt
import pandas as pd
import vl_convert as vlc

FONT = "HelsinkiGrotesk, Arial, sans-serif"
TEXT_COLOUR = "#1a1a1a"
# HDS colours, darkest first so that the current year (drawn last) is the strongest.
YEAR_COLOURS = ["#9fc9eb", "#0072c6", "#0000bf"]
CATEGORY_COLOURS = ["#0072c6", "#00d7a7", "#bd2719", "#ffc61e", "#009246", "#f5a3c7", "#fd4f00", "#c2a251"]
LOCALES = {"fi": "fi-FI", "sv": "sv-SE", "en": "en-US"}


def theme_config() -> dict:
    return {
        "font": FONT,
        "background": "#ffffff",
        "view": {"stroke": None},
        "axis": {"labelColor": TEXT_COLOUR, "titleColor": TEXT_COLOUR, "labelFontSize": 12,
                 "titleFontSize": 12, "gridColor": "#dedfe1", "domainColor": TEXT_COLOUR},
        "legend": {"labelColor": TEXT_COLOUR, "titleColor": TEXT_COLOUR, "labelFontSize": 12,
                   "titleFontSize": 12, "orient": "bottom"},
        "title": {"color": TEXT_COLOUR},
    }


def grouped_bars(data: pd.DataFrame, category: str, value: str, category_title: str, value_title: str,
                 year_title: str, order: list[str] | None = None) -> alt.Chart:
    """Horizontal bars per category, one bar per year (the comparison the report makes everywhere).

    ``data`` has columns ``year``, ``category`` (already a label) and ``value``. Years are told
    apart by colour and by position, and each bar carries its value as text, so colour is never
    the only carrier of meaning.
    """
    years = sorted(data["year"].unique())
    colours = YEAR_COLOURS[-len(years):] if len(years) <= len(YEAR_COLOURS) else None
    frame = data.assign(year=data["year"].astype(str))
    base = alt.Chart(frame).encode(
        y=alt.Y(f"{category}:N", title=category_title, sort=order, axis=alt.Axis(labelLimit=260)),
        yOffset=alt.YOffset("year:N", sort=[str(y) for y in years]),
        x=alt.X(f"{value}:Q", title=value_title),
        tooltip=[alt.Tooltip("year:N", title=year_title), alt.Tooltip(f"{category}:N", title=category_title),
                 alt.Tooltip(f"{value}:Q", title=value_title, format=",")],
    )
    bars = base.mark_bar().encode(
        color=alt.Color("year:N", title=year_title, sort=[str(y) for y in years],
                        scale=alt.Scale(domain=[str(y) for y in years], range=colours) if colours else alt.Undefined))
    labels = base.mark_text(align="left", dx=3, fontSize=10, color=TEXT_COLOUR).encode(
        text=alt.Text(f"{value}:Q", format=","))
    return (bars + labels).properties(width=520, height=alt.Step(9 if len(years) > 1 else 16))


def to_svg(chart: alt.Chart, lang: str) -> str:
    """The chart as a standalone SVG string, numbers formatted for ``lang``."""
    spec = chart.configure(**theme_config()).to_dict()
    return vlc.vegalite_to_svg(spec, format_locale=LOCALES[lang])
