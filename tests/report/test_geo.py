"""The world map's geometry: the panels project as Vega draws them, and the city labels placed
by hand neither overlap each other nor a city's point, and stay inside their panel."""

from __future__ import annotations

import html
import itertools
import re

import altair as alt
import pandas as pd
import pytest
import vl_convert as vlc

from hki_intl.config.params import load_texts
from hki_intl.report import charts, geo

PANELS = {"world": charts.WORLD_PANEL, "europe": charts.EUROPE_PANEL}


def _cities(strategy, lang: str = "fi") -> pd.DataFrame:
    return pd.DataFrame([{"label": c[lang], "lat": float(c["lat"]), "lon": float(c["lon"])} for c in strategy.data["cities"]])


@pytest.mark.parametrize("name", PANELS)
def test_a_panel_projects_a_city_where_vega_draws_it(strategy, name):
    panel = PANELS[name]
    cities = _cities(strategy)
    cities = cities[[panel.contains(c.lon, c.lat) for c in cities.itertuples()]]
    assert len(cities) >= 3
    chart = (
        alt.Chart(cities)
        .mark_point(shape="circle")
        .encode(longitude="lon:Q", latitude="lat:Q")
        .project(**panel.projection())
        .properties(width=panel.width, height=panel.height)
    )
    svg = vlc.vegalite_to_svg(chart.to_dict())
    drawn = [(float(x), float(y)) for x, y in re.findall(r'<path [^>]*transform="translate\(([-\d.]+),([-\d.]+)\)"', svg)]
    expected = [panel.project(c.lon, c.lat) for c in cities.itertuples()]
    assert len(drawn) == len(expected)
    for (x, y), (ex, ey) in zip(drawn, expected, strict=True):
        assert x == pytest.approx(ex, abs=0.01) and y == pytest.approx(ey, abs=0.01)


def _box(label: geo.Label, size: float) -> geo.Box:
    width, height = geo.text_width(label.text, size), size * 1.15
    left = {"left": label.x, "right": label.x - width, "center": label.x - width / 2}[label.align]
    return left, label.y - height / 2, left + width, label.y + height / 2


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
@pytest.mark.parametrize("name", PANELS)
def test_every_city_gets_a_label_that_overlaps_nothing(strategy, lang, name):
    """All the cities params know, each on the panel that shows it as the map does (the
    enlargement if it lies there): none is left out, no label covers another label, a point or
    the enlargement's outline, every label inside the panel."""
    panel, europe = PANELS[name], charts.EUROPE_PANEL
    cities = [c for c in _cities(strategy, lang).itertuples() if panel.contains(c.lon, c.lat, 4)]
    avoid = []
    if panel is not europe:
        cities = [c for c in cities if not europe.contains(c.lon, c.lat, 4)]
        avoid = [europe.box_on(panel)]
    points = [(c.label, *panel.project(c.lon, c.lat)) for c in cities]
    labels = geo.place_labels(points, panel.width, panel.height, charts.CITY_LABEL_SIZE, avoid=avoid)
    assert [label.text for label in labels] == [text for text, _, _ in points]
    boxes = [_box(label, charts.CITY_LABEL_SIZE) for label in labels]
    for a, b in itertools.combinations(boxes, 2):
        assert not geo._overlaps(a, b)
    for box in boxes:
        assert 0 <= box[0] and box[2] <= panel.width and 0 <= box[1] and box[3] <= panel.height
        for _, x, y in points:
            assert not geo._overlaps(box, (x - 4, y - 4, x + 4, y + 4))
        assert not any(geo._overlaps(box, other) for other in avoid)


def test_crowded_labels_move_out_with_leader_lines():
    names = ["Tallinna", "Tukholma", "Oslo", "Riika", "Vilna", "Pietari", "Helsinki", "Turku", "Tartto"]
    points = [(name, 150 + 7 * (i % 3), 100 + 7 * (i // 3)) for i, name in enumerate(names)]
    labels = geo.place_labels(points, 300, 200, 11)
    assert [label.text for label in labels] == names
    assert labels[0].leader is None  # the first stands beside its point
    leaders = [label for label in labels if label.leader]
    assert leaders  # later ones further out, each tied to its point by a line
    assert all(label.point in {(x, y) for _, x, y in points} for label in leaders)


def test_a_label_with_no_room_is_left_out_not_drawn_over_another():
    assert [label.text for label in geo.place_labels([("Kööpenhamina", 10, 10)], 20, 20, 11)] == []


def _labels(spec: dict, datasets: dict) -> set[str]:
    """The city names a (layered) panel writes: the rows of its datasets that carry a position."""
    found = set()
    for layer in spec.get("layer", []):
        found |= _labels(layer, datasets)
    name = spec.get("data", {}).get("name")
    found |= {row["label"] for row in datasets.get(name, []) if "x" in row}
    return found


def test_the_map_labels_european_cities_on_the_enlargement(strategy):
    cities = _cities(strategy)
    chosen = cities[cities["label"].isin(["Tallinna", "Tukholma", "New York"])]
    chart = charts.world_map(pd.DataFrame({"id": ["233"], "label": ["Viro"], "total": [10]}), chosen, "Määrä", "Maa")
    spec = chart.to_dict()
    world, europe = spec["vconcat"]
    assert _labels(world, spec["datasets"]) == {"New York"}
    assert _labels(europe, spec["datasets"]) == {"Tallinna", "Tukholma"}
    assert chart.to_dict() == spec  # the same inputs, the same map


def _drawn_box(svg: str, group: str) -> geo.Box:
    """The box of a group of the map's SVG (a panel or the legend): its translation and its
    background's size."""
    place = r'<g transform="translate\(([-\d.]+),([-\d.]+)\)">'
    size = r'<path [^>]*d="M[\d.]+,[\d.]+h([\d.]+)v([\d.]+)'
    found = re.search(rf'class="mark-group {group}"[^>]*>{place}{size}', svg)
    assert found, group
    x, y, w, h = (float(v) for v in found.groups())
    return x, y, x + w, y + h


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_legend_lies_inside_the_world_panel_clear_of_every_city(strategy, lang):
    """The colour legend (its title whole) is drawn inside the world panel, not beside or below
    the map, and no city's point or label of that panel lies under it."""
    t = load_texts(lang)
    countries = pd.DataFrame({"id": ["233", "752", "840"], "label": ["EE", "SE", "US"], "total": [344, 296, 94]})
    chart = charts.world_map(countries, _cities(strategy, lang), t("chart.map.value"), t("common.country"))
    svg, _ = charts.render(chart, lang, "kartta")
    world, legend = _drawn_box(svg, "role-scope concat_0_group"), _drawn_box(svg, "role-legend")
    assert world == (0, 0, charts.WORLD_PANEL.width, charts.WORLD_PANEL.height)
    assert world[0] <= legend[0] and legend[2] <= world[2] and world[1] <= legend[1] and legend[3] <= world[3]
    assert legend[2] - legend[0] >= geo.text_width(t("chart.map.value"), 12) * 0.9  # the title is whole
    assert legend[2] <= charts.legend_box(t("chart.map.value"))[2] and legend[3] <= charts.legend_box(t("chart.map.value"))[3]
    panel = svg[svg.index("concat_0_group") : svg.index("concat_1_group")]
    symbols = "".join(re.findall(r'<g class="mark-symbol role-mark[^"]*"[^>]*>(.*?)</g>', panel))
    points = [(float(x), float(y)) for x, y in re.findall(r'<path [^>]*transform="translate\(([-\d.]+),([-\d.]+)\)"', symbols)]
    labels = [_drawn_label(attributes, text) for attributes, text in re.findall(r"<text ([^>]*)>([^<]+)</text>", panel)]
    assert points and labels  # New York, Beijing … are on the world panel
    for x, y in points:
        assert not geo._overlaps(legend, (x - 4, y - 4, x + 4, y + 4))
    for label in labels:
        assert not geo._overlaps(legend, _box(label, charts.CITY_LABEL_SIZE)), label.text


def _drawn_label(attributes: str, text: str) -> geo.Label:
    """A city's name as the SVG draws it (its anchor and place)."""
    anchor = re.search(r'text-anchor="(\w+)"', attributes)
    x, y = re.search(r'transform="translate\(([-\d.]+),([-\d.]+)\)"', attributes).groups()  # type: ignore[union-attr]
    align = {"start": "left", "middle": "center", "end": "right"}[anchor[1] if anchor else "start"]
    return geo.Label(html.unescape(text), float(x), float(y), align, (0, 0))
