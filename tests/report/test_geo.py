"""The world map's geometry: the panels project as Vega draws them, and the city labels placed
by hand neither overlap each other nor a city's point, and stay inside their panel."""

from __future__ import annotations

import itertools
import re

import altair as alt
import pandas as pd
import pytest
import vl_convert as vlc

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
