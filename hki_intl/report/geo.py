"""The world map's geometry: the Equal Earth projection of a map panel, and city labels placed
so that none overlaps another label or a city's point.

Vega draws the countries with the projection a :class:`Panel` gives it (explicit rotation,
scale and translation, the same formulas as d3's ``geoEqualEarth``), so this module knows
where each city lands on the panel, in pixels, and can place its label by hand, as a
cartographer would: beside the point where there is room, else a little further out with a
leader line.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

# Equal Earth (Šavrič, Patterson & Jenny 2018), as d3-geo implements it.
A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2


def equal_earth(lon: float, lat: float) -> tuple[float, float]:
    """The raw projection (y up) of a point in degrees."""
    lam, phi = math.radians(lon), math.radians(lat)
    theta = math.asin(M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * math.cos(theta) / (M * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x, y


Box = tuple[float, float, float, float]  # left, top, right, bottom (pixels)


def _wrap(lon: float) -> float:
    return (lon + 180) % 360 - 180


@dataclass(frozen=True)
class Panel:
    """A map panel of ``width`` × ``height`` pixels showing at least the box ``lon`` × ``lat``
    (degrees), centred on the box, Equal Earth rotated to the box's middle meridian."""

    lon: tuple[float, float]
    lat: tuple[float, float]
    width: int
    height: int

    @property
    def rotate(self) -> float:
        return -(self.lon[0] + self.lon[1]) / 2

    def _raw(self, lon: float, lat: float) -> tuple[float, float]:
        return equal_earth(_wrap(lon + self.rotate), lat)

    def _outline(self, steps: int = 48) -> list[tuple[float, float]]:
        """The box's edge, as points (a parallel is curved in Equal Earth)."""
        (w, e), (s, n) = self.lon, self.lat
        along = [w + (e - w) * i / steps for i in range(steps + 1)]
        up = [s + (n - s) * i / steps for i in range(steps + 1)]
        return [(x, s) for x in along] + [(e, y) for y in up] + [(x, n) for x in reversed(along)] + [(w, y) for y in reversed(up)]

    @cached_property  # a panel is frozen: its box, scale and offset are computed once
    def _bounds(self) -> tuple[float, float, float, float]:
        points = [self._raw(lon, lat) for lon, lat in self._outline()]
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        return min(xs), min(ys), max(xs), max(ys)

    @cached_property
    def scale(self) -> float:
        x0, y0, x1, y1 = self._bounds
        return min(self.width / (x1 - x0), self.height / (y1 - y0))

    @cached_property
    def translate(self) -> tuple[float, float]:
        x0, y0, x1, y1 = self._bounds
        k = self.scale
        return self.width / 2 - k * (x0 + x1) / 2, self.height / 2 + k * (y0 + y1) / 2

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        """Where a point lands on the panel, in pixels from its top-left corner."""
        x, y = self._raw(lon, lat)
        tx, ty = self.translate
        return tx + self.scale * x, ty - self.scale * y

    def contains(self, lon: float, lat: float, margin: float = 0) -> bool:
        x, y = self.project(lon, lat)
        return margin <= x <= self.width - margin and margin <= y <= self.height - margin

    def projection(self) -> dict:
        """The panel's projection for Vega-Lite: nothing is fitted, so :meth:`project` is exact;
        the shapes are clipped to the panel."""
        tx, ty = self.translate
        return {
            "type": "equalEarth",
            "rotate": [round(self.rotate, 6), 0, 0],
            "scale": round(self.scale, 6),
            "translate": [round(tx, 6), round(ty, 6)],
            "clipExtent": [[0, 0], [self.width, self.height]],
        }

    def box_on(self, other: Panel) -> Box:
        """Where this panel's box lies on ``other`` (its bounding box there, in pixels)."""
        points = [other.project(lon, lat) for lon, lat in self._outline(12)]
        return min(p[0] for p in points), min(p[1] for p in points), max(p[0] for p in points), max(p[1] for p in points)

    def outline(self) -> dict:
        """The box as a GeoJSON polygon (to show it on another panel), counter-clockwise as d3
        expects of an area smaller than a hemisphere."""
        ring = [[round(lon, 4), round(lat, 4)] for lon, lat in reversed(self._outline(12))]
        return {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}


# Advance widths of Arial / Liberation Sans (thousandths of the size), the report's sans-serif:
# enough to know how wide a city's name is drawn. Characters not listed count as 'o' or 'O'.
NARROW = dict.fromkeys("ijl'|", 222) | dict.fromkeys(" ftI.,:;!/[]", 278) | dict.fromkeys("r-()", 333)
WIDE = dict.fromkeys("mM", 833) | dict.fromkeys("wCDHNRU", 722) | dict.fromkeys("GOQ", 778) | {"W": 944, "æ": 889}
SMALL = dict.fromkeys("cksvxyzJ", 500)


def text_width(text: str, size: float) -> float:
    """The drawn width of ``text`` in pixels at font ``size`` (a little generous)."""
    units = sum(NARROW.get(c) or WIDE.get(c) or SMALL.get(c) or (667 if c.isupper() else 556) for c in text)
    return units / 1000 * size * 1.05


@dataclass(frozen=True)
class Label:
    """A placed label: its text's anchor (``align`` left, center or right; ``y`` the middle of the
    text) and, when it stands away from its point, the leader line's end by the text."""

    text: str
    x: float
    y: float
    align: str
    point: tuple[float, float]
    leader: tuple[float, float] | None = None


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


# Where a label may stand around its point, in the order tried: beside it (right, left, above,
# below, the diagonals), then further out with a leader line. (dx, dy) is the direction; the
# label's near side faces the point.
DIRECTIONS = [(1, 0), (-1, 0), (0, -1), (0, 1), (1, -1), (-1, -1), (1, 1), (-1, 1)]
DISTANCES = [0, 14, 28, 42]


def place_labels(
    points: Sequence[tuple[str, float, float]],
    width: float,
    height: float,
    size: float,
    radius: float = 4,
    avoid: Sequence[Box] = (),
) -> list[Label]:
    """A label for each ``(text, x, y)`` point, none overlapping another, any point or the
    boxes to ``avoid`` (left, top, right, bottom), all inside the panel; placed in the given
    order (put the most important first). A label that finds no room anywhere is left out — the
    point stays, and the figure's table names it."""
    pad = 2.0
    obstacles: list[Box] = [(x - radius, y - radius, x + radius, y + radius) for _, x, y in points] + list(avoid)
    labels = []
    for text, x, y in points:
        w, h = text_width(text, size), size * 1.15
        for label, box in _candidates(text, x, y, w, h, radius):
            inside = box[0] >= pad and box[1] >= pad and box[2] <= width - pad and box[3] <= height - pad
            if inside and not any(_overlaps(box, other) for other in obstacles):
                obstacles.append(box)
                labels.append(label)
                break
    return labels


def _candidates(text: str, x: float, y: float, w: float, h: float, radius: float) -> Iterable[tuple[Label, Box]]:
    gap = radius + 2
    for distance in DISTANCES:
        for dx, dy in DIRECTIONS:
            norm = math.hypot(dx, dy)
            ux, uy = dx / norm, dy / norm
            # the label's near edge (or corner) at gap + distance from the point
            nx, ny = x + ux * (gap + distance), y + uy * (gap + distance)
            align = "left" if dx > 0 else "right" if dx < 0 else "center"
            left = nx if dx > 0 else nx - w if dx < 0 else nx - w / 2
            top = ny - h / 2 if dy == 0 else ny if dy > 0 else ny - h
            anchor_x = {"left": left, "right": left + w, "center": left + w / 2}[align]
            leader = None
            if distance:
                leader = (nx - ux * 1.5, ny - uy * 1.5)
            label = Label(text, round(anchor_x, 2), round(top + h / 2, 2), align, (round(x, 2), round(y, 2)), leader)
            yield label, (left, top, left + w, top + h)
