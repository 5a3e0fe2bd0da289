"""Altair charts in the Helsinki Design System look, rendered to static SVG without a browser."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from hki_intl.config.params import LOCALES
from hki_intl.report import geo
from hki_intl.report.formatting import fmt_compact, million_suffix

if TYPE_CHECKING:
    import altair as alt
    import vl_convert as vlc
else:

    class _Imported:
        """A library imported when a chart first needs it, not with this module: the params
        check (every command) imports the report's goal modules, which import this one, and
        Altair takes a third of a second to import."""

        def __init__(self, name: str):
            self._name = name

        def __getattr__(self, attribute: str):
            import importlib

            return getattr(importlib.import_module(self._name), attribute)

    alt = _Imported("altair")
    vlc = _Imported("vl_convert")

FONT = "HelsinkiGrotesk, Arial, sans-serif"
TEXT_COLOUR = "#1a1a1a"
# HDS colours, darkest first so that the current year (drawn last) is the strongest.
YEAR_COLOURS = ["#9fc9eb", "#0072c6", "#0000bf"]
CATEGORY_COLOURS = ["#0072c6", "#00d7a7", "#bd2719", "#ffc61e", "#009246", "#f5a3c7", "#fd4f00", "#c2a251"]
WORLD = "world-110m"
# The longest category label drawn whole (longer ones end in "…"); an axis takes as much room as
# its labels need up to this, its tick and padding, so its title never lies over a label (Vega's
# default stops at 200 px: the title of "Motverkande av segregation och delaktighet" lay on it).
LABEL_LIMIT = 260
AXIS_EXTENT = LABEL_LIMIT + 20
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
            "maxExtent": AXIS_EXTENT,
        },
        "legend": {
            "labelColor": TEXT_COLOUR,
            "titleColor": TEXT_COLOUR,
            "labelFontSize": 12,
            "titleFontSize": 12,
            "orient": "bottom",
            # a legend's words are never cut short ("Helsinki-Vantaan lentoase…")
            "labelLimit": 0,
            "titleLimit": 0,
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
        y=alt.Y(f"{category}:N", title=category_title, sort=order, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
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
    style: dict[str, Any] = dict(dy=-10, fontSize=10)
    values = alt.Chart(frame).mark_text(**style).encode(x=encode["x"], y=encode["y"], text="value_text:N")
    # a white halo under each value keeps it legible where a line runs through it
    halo = values.mark_text(**style, color="#ffffff", stroke="#ffffff", strokeWidth=3, strokeJoin="round", aria=False)
    labels = values.mark_text(**style, color=TEXT_COLOUR)
    return (lines + points + halo + labels).properties(width=520, height=260)


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
        y=alt.Y(f"{y}:N", title=y_title, sort=y_order, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
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


# The world map's two panels: the world (Antarctica left out) and, enlarged below it, the part
# of Europe where most of the cooperation is, so that the Nordic and Baltic capitals can be told
# apart. A city is labelled on the panel that shows it best: the enlargement if it lies there.
WORLD_PANEL = geo.Panel(lon=(-180, 180), lat=(-56, 80), width=680, height=260)
EUROPE_PANEL = geo.Panel(lon=(-11, 33), lat=(46, 66.5), width=680, height=290)
CITY_LABEL_SIZE = 11
CITY_COLOUR = "#bd2719"
# The colour legend, inside the world panel in the empty South Pacific: where it starts, and the
# gradient's length; its title above the gradient, the numbers below.
LEGEND_AT = (10, WORLD_PANEL.height - 62)
LEGEND_LENGTH = 170
LEGEND_HEIGHT = 48


def legend_box(title: str) -> geo.Box:
    """Where the map's legend lies on the world panel (a little generous): no city label goes there."""
    x, y = LEGEND_AT
    return x, y, x + max(LEGEND_LENGTH, geo.text_width(title, 12) * 1.1), y + LEGEND_HEIGHT


def world_map(countries: pd.DataFrame, cities: pd.DataFrame, value_title: str, country_title: str) -> alt.Chart:
    """Countries shaded by how much cooperation they had, partner cities as labelled points: the
    world, and the enlarged part of Europe (outlined on the world) below it.

    ``countries`` has ``id`` (ISO numeric, zero-padded as in the TopoJSON), ``label`` and
    ``total``; ``cities`` has ``label``, ``lat`` and ``lon`` (the most important first: labels
    are placed in that order). City labels never overlap (:func:`geo.place_labels`); the
    legend's title is never cut. The outlines are added by :func:`render`, inlined: nothing is
    fetched when the report is read.
    """
    cities = cities if len(cities) else pd.DataFrame(columns=["label", "lat", "lon"])
    in_europe = [EUROPE_PANEL.contains(float(c.lon), float(c.lat), margin=4) for c in cities.itertuples()]
    top = float(countries["total"].max()) if len(countries) else 1.0
    colour = alt.Color(
        "total:Q",
        title=value_title,
        scale=alt.Scale(domain=[0, max(top, 1.0)], range=["#d4e6f6", "#0000bf"]),
        # inside the world panel, in the empty South Pacific; the title is never cut
        legend=alt.Legend(
            orient="none",
            legendX=LEGEND_AT[0],
            legendY=LEGEND_AT[1],
            direction="horizontal",
            titleLimit=0,
            gradientLength=LEGEND_LENGTH,
        ),
    )
    elsewhere = cities[[not e for e in in_europe]]
    avoid = [EUROPE_PANEL.box_on(WORLD_PANEL), legend_box(value_title)]
    world = _map_panel(WORLD_PANEL, countries, elsewhere, colour, country_title, value_title, avoid)
    outline = (
        alt.Chart(alt.InlineData(values=[EUROPE_PANEL.outline()], format=alt.DataFormat(type="json")))
        .mark_geoshape(filled=False, stroke=TEXT_COLOUR, strokeWidth=0.8, aria=False)
        .project(**WORLD_PANEL.projection())
    )
    europe = _map_panel(EUROPE_PANEL, countries, cities[in_europe], colour, country_title, value_title).properties(
        view=alt.ViewBackground(stroke=TEXT_COLOUR, strokeWidth=0.8)
    )
    return (
        alt.vconcat((world + outline).properties(width=WORLD_PANEL.width, height=WORLD_PANEL.height), europe, spacing=8)
        .resolve_scale(color="shared")
        .properties(padding=4)
    )


def _map_panel(
    panel: geo.Panel,
    countries: pd.DataFrame,
    cities: pd.DataFrame,
    colour: alt.Color,
    country_title: str,
    value_title: str,
    avoid: Sequence[geo.Box] = (),
) -> alt.LayerChart:
    """One panel: every country grey, those with cooperation shaded, the cities with their labels."""
    projection = panel.projection()
    shapes = alt.NamedData(name=WORLD, format=alt.DataFormat(type="topojson", feature="countries"))
    background = (
        alt.Chart(shapes)
        .mark_geoshape(fill="#dedfe1", stroke="#ffffff", strokeWidth=0.4, aria=False)
        .transform_filter("datum.id != '010'")  # 010 = Antarctica
        .project(**projection)
    )
    land = (
        alt.Chart(countries)
        .mark_geoshape(stroke="#ffffff", strokeWidth=0.4)
        .transform_lookup(lookup="id", from_=alt.LookupData(data=shapes, key="id", fields=["type", "properties", "geometry"]))
        .encode(color=colour, tooltip=[alt.Tooltip("label:N", title=country_title), alt.Tooltip("total:Q", title=value_title)])
        .project(**projection)
    )
    layers = [background, land]
    if len(cities):
        layers.extend(_city_layers(panel, cities, country_title, avoid))
    return alt.LayerChart(layer=layers).properties(width=panel.width, height=panel.height)


def _city_layers(panel: geo.Panel, cities: pd.DataFrame, title: str, avoid: Sequence[geo.Box]) -> list[alt.Chart]:
    """The cities' points (projected by Vega) and their labels and leader lines (placed here,
    clear of the boxes to ``avoid``)."""
    at = [(str(c.label), *panel.project(float(c.lon), float(c.lat))) for c in cities.itertuples()]
    labels = geo.place_labels(at, panel.width, panel.height, CITY_LABEL_SIZE, avoid=avoid)
    placed = pd.DataFrame(
        [
            {"label": label.text, "x": label.x, "y": label.y, "align": label.align}
            | ({"x1": label.point[0], "y1": label.point[1], "x2": label.leader[0], "y2": label.leader[1]} if label.leader else {})
            for label in labels
        ],
        columns=["label", "x", "y", "align", "x1", "y1", "x2", "y2"],
    )
    pixel = lambda field: alt.X(field, scale=None, axis=None)
    pixel_y = lambda field: alt.Y(field, scale=None, axis=None)
    points = (
        alt.Chart(cities)
        .mark_point(shape="circle", size=45, filled=True, color=CITY_COLOUR, stroke="#ffffff", strokeWidth=1, opacity=1)
        .encode(longitude="lon:Q", latitude="lat:Q", tooltip=[alt.Tooltip("label:N", title=title)])
        .project(**panel.projection())
    )
    layers: list[alt.Chart] = [points]
    leaders = placed.dropna(subset=["x2"])
    if len(leaders):
        layers.append(
            alt.Chart(leaders)
            .mark_rule(color=TEXT_COLOUR, strokeWidth=0.6, aria=False)
            .encode(x=pixel("x1:Q"), y=pixel_y("y1:Q"), x2="x2:Q", y2="y2:Q")
        )
    for align in ("left", "center", "right"):
        rows = placed[placed["align"] == align]
        if len(rows):
            # a white halo under each name keeps it legible on a dark country
            text = alt.Chart(rows[["label", "x", "y"]]).encode(x=pixel("x:Q"), y=pixel_y("y:Q"), text="label:N")
            style: dict[str, Any] = dict(align=align, baseline="middle", fontSize=CITY_LABEL_SIZE, aria=False)
            layers.append(text.mark_text(**style, color="#ffffff", stroke="#ffffff", strokeWidth=3, strokeJoin="round"))
            layers.append(text.mark_text(**style, color=TEXT_COLOUR))
    return layers


def render(chart: alt.Chart, lang: str, description: str) -> tuple[str, str]:
    """The chart as a static SVG (numbers formatted for ``lang``) and as a Vega-Lite spec that
    is safe inside an HTML ``<script>`` element. The spec is built once for both; the world
    map's outlines are added to it afterwards as a named dataset (:data:`WORLD`), because
    building a spec with 100 KB of inline data is slow. The spec is not checked against the
    Vega-Lite schema here (a third of a notebook's time): tests/publish/test_publish.py checks
    every chart of the example report."""
    spec = chart.configure(**theme_config()).properties(description=description).to_dict(validate=False)
    if _uses_world(spec):
        spec.setdefault("datasets", {})[WORLD] = world_topology()
    text = json.dumps(spec, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    svg = unique_ids(vlc.vegalite_to_svg(spec, format_locale=LOCALES[lang]), text)
    return svg, text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


SVG_TAG = re.compile(r"<[^!?/][^>]*>")
SVG_ID = re.compile(r'\sid="([^"]+)"')
SVG_REFERENCE = re.compile(r'(url\(#|href="#)([^)"]+)(?=[)"])')


def unique_ids(svg: str, spec: str) -> str:
    """The SVG with its ids (a legend's ``gradient_0``, clip paths) and the references to them
    made the chart's own. Vega numbers them on from every chart it drew before in the process,
    so two charts of a page can both have ``gradient_0`` (the second legend is then painted with
    the first one's colours) and a chart's bytes depend on what was drawn before it. Here they
    are numbered in order of appearance after a prefix taken from the spec: the same chart,
    the same bytes."""
    prefix = "c" + hashlib.sha256(spec.encode("utf-8")).hexdigest()[:10] + "-"
    renamed: dict[str, str] = {}
    for tag in SVG_TAG.findall(svg):
        for name in SVG_ID.findall(tag):
            renamed.setdefault(name, f"{prefix}{name.rstrip('0123456789_')}{len(renamed)}")
    if not renamed:
        return svg

    def rename(match: re.Match[str]) -> str:
        text = SVG_ID.sub(lambda m: f' id="{renamed[m[1]]}"', match[0])
        return SVG_REFERENCE.sub(lambda m: m[1] + renamed.get(m[2], m[2]), text)

    return SVG_TAG.sub(rename, svg)


def _uses_world(spec: dict) -> bool:
    return f'"name": "{WORLD}"' in json.dumps(spec)


@functools.cache
def world_topology() -> dict:
    """Natural Earth 1:110m country outlines (TopoJSON), shipped with the package."""
    return json.loads(WORLD_FILE.read_text(encoding="utf-8"))
