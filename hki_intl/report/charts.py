"""Altair charts in the Helsinki Design System look, rendered to static SVG without a browser."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import altair as alt
import pandas as pd
import vl_convert as vlc

from hki_intl.config.params import LOCALES
from hki_intl.report.formatting import fmt_compact, million_suffix

FONT = "HelsinkiGrotesk, Arial, sans-serif"
TEXT_COLOUR = "#1a1a1a"
# HDS colours, darkest first so that the current year (drawn last) is the strongest.
YEAR_COLOURS = ["#9fc9eb", "#0072c6", "#0000bf"]
CATEGORY_COLOURS = ["#0072c6", "#00d7a7", "#bd2719", "#ffc61e", "#009246", "#f5a3c7", "#fd4f00", "#c2a251"]
WORLD = "world-110m"
WORLD_FILE = Path(__file__).parent / "data" / "countries-110m.json"


def theme_config() -> dict:
    return {
        "font": FONT,
        "background": "#ffffff",
        "view": {"stroke": None},
        "axis": {
            "labelColor": TEXT_COLOUR,
            "titleColor": TEXT_COLOUR,
            "labelFontSize": 12,
            "titleFontSize": 12,
            "gridColor": "#dedfe1",
            "domainColor": TEXT_COLOUR,
        },
        "legend": {
            "labelColor": TEXT_COLOUR,
            "titleColor": TEXT_COLOUR,
            "labelFontSize": 12,
            "titleFontSize": 12,
            "orient": "bottom",
        },
        "title": {"color": TEXT_COLOUR},
        # The chart speaks to assistive technology through its own text alternative, in the
        # report's language (the description of render); Vega's generated ones are English
        # ("X-axis titled … for a linear scale") and name data fields ("year: 2023").
        # Marks too: a layered chart's marks otherwise keep role="graphics-symbol" without a
        # text of their own, which axe-core reports (svg-img-alt).
        "aria": False,
        "mark": {"aria": False},
    }


def grouped_bars(
    data: pd.DataFrame,
    category: str,
    value: str,
    category_title: str,
    value_title: str,
    year_title: str,
    order: list[str] | None = None,
    value_format: str = ",d",
    lang: str | None = None,
) -> alt.Chart:
    """Horizontal bars per category, one bar per year (the comparison the report makes everywhere).

    ``data`` has columns ``year``, ``category`` (already a label) and ``value``. Years are told
    apart by colour and by position, and each bar carries its value as text, so colour is never
    the only carrier of meaning. With ``lang``, the values are money: the bars' labels and the
    axis write euros as that language does (``13,6 milj. €``, ``€13.6m``).
    """
    years = sorted(data["year"].unique())
    colours = YEAR_COLOURS[-len(years) :] if len(years) <= len(YEAR_COLOURS) else None
    frame = data.assign(year=data["year"].astype(str))
    if lang:
        frame = frame.assign(value_text=[fmt_compact(v, lang, money=True) for v in frame[value]])
        axis = million_axis(frame[value], value_title, lang)
    else:
        axis = alt.Axis(format=value_format, tickMinStep=1)
    base = alt.Chart(frame).encode(
        y=alt.Y(f"{category}:N", title=category_title, sort=order, axis=alt.Axis(labelLimit=260)),
        yOffset=alt.YOffset("year:N", sort=[str(y) for y in years]),
        x=alt.X(f"{value}:Q", title=value_title, axis=axis),
        tooltip=[
            alt.Tooltip("year:N", title=year_title),
            alt.Tooltip(f"{category}:N", title=category_title),
            alt.Tooltip(f"{value}:Q", title=value_title, format=value_format),
        ],
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "year:N",
            title=year_title,
            sort=[str(y) for y in years],
            scale=alt.Scale(domain=[str(y) for y in years], range=colours) if colours else alt.Undefined,
        )
    )
    labels = base.mark_text(align="left", dx=3, fontSize=10, color=TEXT_COLOUR).encode(
        text=alt.Text("value_text:N") if lang else alt.Text(f"{value}:Q", format=value_format)
    )
    return (bars + labels).properties(width=520, height=alt.Step(9 if len(years) > 1 else 16))


SERIES_SHAPES = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down"]
YEAR_TICKS = 12  # a year axis spanning at most this many years has a tick (and label) at every year


def year_segments(data: pd.DataFrame, series: str, x: str) -> pd.Series:
    """For each row, the run of consecutive years it belongs to within its series
    (``"<series>|<first year of the run>"``): a line joins only the years of one run, so a
    missing year shows as a gap, never as a straight line across it."""
    keys = pd.Series(index=data.index, dtype=object)
    for name, group in data.groupby(series, sort=False):
        years = group[x].astype(int).sort_values()
        start = None
        previous = None
        for index, year in years.items():
            if previous is None or year != previous + 1:
                start = year
            keys[index] = f"{name}|{start}"
            previous = year
    return keys


def year_axis(years: pd.Series, title: str) -> alt.X:
    """A year scale as the calendar spaces it: quantitative, integer ticks (no ``2,019``,
    no ``2019.5``), from the first year to the last; every year gets a tick when the span is
    short, so a year without a figure is visibly empty."""
    first, last = int(years.min()), int(years.max())
    ticks = list(range(first, last + 1)) if last - first < YEAR_TICKS else alt.Undefined
    return alt.X(
        "year_value:Q",
        title=title,
        scale=alt.Scale(domain=[first, last], nice=False, zero=False, padding=24),
        axis=alt.Axis(format="d", tickMinStep=1, values=ticks, labelAngle=0, grid=False, labelOverlap=True),
    )


def million_axis(values: pd.Series, title: str, lang: str) -> alt.Axis:
    """A value axis whose labels read as the report's language writes large figures: in millions
    (``20 milj.``, ``20m``; the title names the unit) when the figures reach a million, else
    whole numbers (``1 200``)."""
    if float(values.abs().max() or 0) < 1_000_000:
        return alt.Axis(title=title, format=",d", tickMinStep=1)
    label = f"datum.value == 0 ? '0' : format(datum.value / 1000000, ',.2~f') + '{million_suffix(lang)}'"
    return alt.Axis(title=title, labelExpr=label, labelOverlap=True, labelSeparation=8)


def trend_lines(
    data: pd.DataFrame,
    series: str,
    x: str,
    value: str,
    series_title: str,
    x_title: str,
    value_title: str,
    lang: str = "en",
) -> alt.Chart:
    """One line per series over the years, each point labelled with its value; series differ
    by colour, point shape and dash, so the chart reads in black and white too.

    The years are a real time scale: spaced by their distance, with a line only between
    consecutive years (a series with 2019, 2024 and 2025 is a point and a line, not one line
    through the missing years). Labels and the value axis write millions as ``lang`` does."""
    names = list(dict.fromkeys(data[series]))
    frame = data.assign(
        year_value=data[x].astype(int),
        segment=year_segments(data, series, x),
        value_text=[fmt_compact(v, lang) for v in data[value]],
    )
    encode = dict(
        x=year_axis(frame["year_value"], x_title),
        y=alt.Y(f"{value}:Q", axis=million_axis(frame[value], value_title, lang)),
        color=alt.Color(
            f"{series}:N",
            title=series_title,
            sort=names,
            scale=alt.Scale(domain=names, range=CATEGORY_COLOURS[: len(names)]),
            legend=alt.Legend(labelLimit=0, columns=1),
        ),
    )
    tooltip = [
        alt.Tooltip(f"{series}:N", title=series_title),
        alt.Tooltip("year_value:Q", title=x_title, format="d"),
        alt.Tooltip(f"{value}:Q", title=value_title, format=","),
    ]
    lines = (
        alt.Chart(frame)
        .mark_line(strokeWidth=2)
        .encode(**encode, detail="segment:N", strokeDash=alt.StrokeDash(f"{series}:N", sort=names, legend=None))
    )
    points = (
        alt.Chart(frame)
        .mark_point(filled=True, size=70)
        .encode(
            **encode,
            shape=alt.Shape(f"{series}:N", sort=names, scale=alt.Scale(domain=names, range=SERIES_SHAPES[: len(names)])),
            tooltip=tooltip,
        )
    )
    labels = (
        alt.Chart(frame)
        .mark_text(dy=-10, fontSize=10, color=TEXT_COLOUR)
        .encode(x=encode["x"], y=encode["y"], text="value_text:N")
    )
    return (lines + points + labels).properties(width=520, height=260)


def heatmap(
    data: pd.DataFrame,
    x: str,
    y: str,
    value: str,
    x_title: str,
    y_title: str,
    value_title: str,
    x_order: list[str],
    y_order: list[str],
    x_label: str | None = None,
) -> alt.Chart:
    """A matrix of counts; every cell also shows its number, so colour is not the only carrier."""
    base = alt.Chart(data).encode(
        x=alt.X(
            f"{x}:N",
            title=x_title,
            sort=x_order,
            axis=alt.Axis(labelAngle=0, labelLimit=0, orient="bottom", labelExpr="split(datum.label, '|')"),
        ),
        y=alt.Y(f"{y}:N", title=y_title, sort=y_order, axis=alt.Axis(labelLimit=260)),
        tooltip=[
            alt.Tooltip(f"{y}:N", title=y_title),
            alt.Tooltip(f"{x_label or x}:N", title=x_title),
            alt.Tooltip(f"{value}:Q", title=value_title),
        ],
    )
    cells = base.mark_rect(stroke="#ffffff").encode(
        color=alt.Color(f"{value}:Q", title=value_title, scale=alt.Scale(range=["#e6f1fa", "#0000bf"]))
    )
    top = float(data[value].max()) if len(data) else 0.0
    text = base.mark_text(fontSize=12).encode(
        text=alt.Text(f"{value}:Q"),
        color=alt.condition(f"datum['{value}'] > {top * 0.55}", alt.value("#ffffff"), alt.value(TEXT_COLOUR)),
    )
    return (cells + text).properties(width=alt.Step(170), height=alt.Step(26))


def wrap_label(text: str, width: int = 22) -> str:
    """Break a long axis label into lines at spaces (``|`` separates lines for ``labelExpr``)."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "|".join([*lines, line])


def world_map(countries: pd.DataFrame, cities: pd.DataFrame, value_title: str, country_title: str) -> alt.Chart:
    """Countries shaded by how much cooperation they had, partner cities as labelled points.

    ``countries`` has ``id`` (ISO numeric, zero-padded as in the TopoJSON), ``label`` and
    ``total``; ``cities`` has ``label``, ``lat`` and ``lon``. The outlines are added by
    :func:`render`, inlined: nothing is fetched when the report is read.
    """
    shapes = alt.NamedData(name=WORLD, format=alt.DataFormat(type="topojson", feature="countries"))
    background = (
        alt.Chart(shapes)
        .mark_geoshape(fill="#dedfe1", stroke="#ffffff", strokeWidth=0.4, aria=False)
        .transform_filter("datum.id != '010'")
        .project(type="equalEarth")
    )  # 010 = Antarctica
    land = (
        alt.Chart(countries)
        .mark_geoshape(stroke="#ffffff", strokeWidth=0.4)
        .transform_lookup(
            lookup="id",
            from_=alt.LookupData(data=shapes, key="id", fields=["type", "properties", "geometry"]),
        )
        .encode(
            color=alt.Color("total:Q", title=value_title, scale=alt.Scale(range=["#9fc9eb", "#0000bf"])),
            tooltip=[alt.Tooltip("label:N", title=country_title), alt.Tooltip("total:Q", title=value_title)],
        )
        .project(type="equalEarth")
    )
    points = (
        alt.Chart(cities)
        .mark_point(shape="circle", size=40, filled=True, color="#bd2719", stroke="#ffffff")
        .encode(longitude="lon:Q", latitude="lat:Q", tooltip=[alt.Tooltip("label:N", title=country_title)])
        .project(type="equalEarth")
    )
    names = (
        alt.Chart(cities)
        .mark_text(align="left", dx=5, dy=-4, fontSize=9, color=TEXT_COLOUR)
        .encode(longitude="lon:Q", latitude="lat:Q", text="label:N")
        .project(type="equalEarth")
    )
    return (background + land + points + names).properties(width=680, height=360)


def render(chart: alt.Chart, lang: str, description: str) -> tuple[str, str]:
    """The chart as a static SVG (numbers formatted for ``lang``) and as a Vega-Lite spec that
    is safe inside an HTML ``<script>`` element. The spec is built once for both; the world
    map's outlines are added to it afterwards as a named dataset (:data:`WORLD`), because
    building a spec with 100 KB of inline data is slow."""
    spec = chart.configure(**theme_config()).properties(description=description).to_dict()
    if _uses_world(spec):
        spec.setdefault("datasets", {})[WORLD] = world_topology()
    svg = vlc.vegalite_to_svg(spec, format_locale=LOCALES[lang])
    text = json.dumps(spec, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return svg, text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _uses_world(spec: dict) -> bool:
    return f'"name": "{WORLD}"' in json.dumps(spec)


@functools.cache
def world_topology() -> dict:
    """Natural Earth 1:110m country outlines (TopoJSON), shipped with the package."""
    return json.loads(WORLD_FILE.read_text(encoding="utf-8"))
