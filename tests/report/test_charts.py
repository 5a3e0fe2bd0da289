"""The charts' SVG as it goes into a page of several charts: ids of its own, an axis title clear
of the labels, the same bytes for the same chart."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from hki_intl.report import charts, geo

LONG = "Motverkande av segregation och delaktighet"  # the longest focus area (sv)


def _heatmap() -> charts.alt.LayerChart:
    data = pd.DataFrame({"x": ["a", "b", "a", "b"], "y": ["p", "p", LONG, LONG], "v": [1, 5, 3, 9]})
    return charts.heatmap(data, "x", "y", "v", "Mål", "Fokusområde", "Verksamheter", ["a", "b"], ["p", LONG])


def _bars() -> charts.alt.LayerChart:
    data = pd.DataFrame({"year": [2024, 2025, 2024, 2025], "category": ["Design", "Design", LONG, LONG], "value": [3, 4, 5, 6]})
    return charts.grouped_bars(data, "category", "value", "Fokusområde", "Antal", "År")


def _map() -> charts.alt.VConcatChart:
    countries = pd.DataFrame({"id": ["233", "752"], "label": ["Estland", "Sverige"], "total": [344, 296]})
    cities = pd.DataFrame({"label": ["Tallinn", "New York"], "lat": [59.437, 40.713], "lon": [24.745, -74.006]})
    return charts.world_map(countries, cities, "Verksamheter", "Land")


def _ids(svg: str) -> list[str]:
    return re.findall(r'\bid="([^"]+)"', svg)


def test_charts_on_one_page_share_no_id_and_each_refers_to_its_own():
    """Every Vega SVG numbers its ids from 0 (``gradient_0``, ``clip1``): two legends on one page
    would both be painted with the first one's gradient."""
    svgs = [charts.render(chart, "sv", "diagram")[0] for chart in (_heatmap(), _map(), _bars())]
    ids = [i for svg in svgs for i in _ids(svg)]
    assert any("gradient" in i for i in ids) and any("clip" in i for i in ids)
    assert len(ids) == len(set(ids))
    for svg in svgs:
        assert set(re.findall(r'(?:url\(#|href="#)([^)"]+)', svg)) <= set(_ids(svg))


def test_the_same_chart_keeps_the_same_bytes():
    assert charts.render(_map(), "fi", "kartta") == charts.render(_map(), "fi", "kartta")


def test_unique_ids_renames_ids_and_references_only():
    svg = (
        '<svg><linearGradient id="gradient_3"/><clipPath id="clip7"/><clipPath id="clip17"/>'
        '<path fill="url(#gradient_3)" clip-path="url(#clip17)"/><text>id="clip7" url(#clip7)</text><use href="#clip7"/></svg>'
    )
    out = charts.unique_ids(svg, "{}")
    prefix = re.search(r'id="(c[0-9a-f]{10}-)gradient0"', out)[1]  # type: ignore[index]
    assert out == (
        f'<svg><linearGradient id="{prefix}gradient0"/><clipPath id="{prefix}clip1"/><clipPath id="{prefix}clip2"/>'
        f'<path fill="url(#{prefix}gradient0)" clip-path="url(#{prefix}clip2)"/><text>id="clip7" url(#clip7)</text>'
        f'<use href="#{prefix}clip1"/></svg>'
    )
    assert charts.unique_ids("<svg><path/></svg>", "{}") == "<svg><path/></svg>"


@pytest.mark.parametrize("make", [_heatmap, _bars])
def test_the_axis_title_stands_clear_of_the_longest_label(make):
    """Vega gives an axis at most 200 px by default and sets its title there, over a longer label
    (the title "Fokusområde" lay on "Motverkande av segregation och delaktighet" in the PDF)."""
    svg, _ = charts.render(make(), "sv", "diagram")
    title = re.search(r'<text [^>]*transform="translate\(([-\d.]+),[-\d.]+\) rotate\(-90\)[^>]*>Fokusområde<', svg)
    assert title, "the y axis title, turned"
    label_starts = -(5 + 2) - geo.text_width(LONG, 12) / 1.05  # tick, padding and the label, right-aligned at the axis
    descent = 0.25 * 12
    assert float(title[1]) - 3 + descent < label_starts
