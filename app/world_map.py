"""A server-drawn world map: countries shaded by a value, each country a link.

The geometry is Natural Earth's, from the npm package ``world-atlas`` (public domain; its
``countries-110m.json`` TopoJSON is copied into ``app/static/vendor/world-atlas`` by
``make setup``). It is decoded and projected (Equal Earth) once per process into SVG path
strings: the file never changes while the process runs, so nothing here depends on data.

Countries are matched to the atlas by ISO 3166 code when a project has one, else by name
(pycountry, plus the few names the sources spell their own way). No JavaScript, no tiles:
the map is plain SVG with a <title> per country and a table of the same numbers beside it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

import pycountry
from markupsafe import Markup, escape

ATLAS_PATH = Path(__file__).parent / "static" / "vendor" / "world-atlas" / "countries-110m.json"
WIDTH = 960
ANTARCTICA = "010"
# Sequential greens, lightest first: one per class of the legend.
SHADES = ("#d9eedf", "#a8d5b5", "#6fb88a", "#3a915f", "#1f6f4a")
NO_DATA = "#eef1ef"
# Names the sources use that ISO 3166 spells another way (lower case -> ISO numeric).
NAME_ALIASES = {
    "drc": "180",
    "dr congo": "180",
    "democratic republic of congo": "180",
    "congo, democratic republic of the": "180",
    "cape verde": "132",
    "russia": "643",
    "turkey": "792",
    "laos": "418",
    "swaziland": "748",
    "macedonia": "807",
    "ivory coast": "384",
    "cote d'ivoire": "384",
}
# Atlas features without an ISO number (Kosovo, Northern Cyprus, ...) are keyed by name.
Key = str


@dataclass(frozen=True)
class Country:
    key: Key
    name: str
    path: str


@dataclass(frozen=True)
class MapValue:
    """One country's figure: the names the catalogue uses for it and its value."""

    names: tuple[str, ...]
    value: float


# --- geometry -------------------------------------------------------------------------------


def _equal_earth(lon: float, lat: float) -> tuple[float, float]:
    """Equal Earth projection (Šavrič, Patterson, Jenny 2018), in radians-based units."""
    a1, a2, a3, a4 = 1.340264, -0.081106, 0.000893, 0.003796
    m = math.sqrt(3) / 2
    p = math.asin(m * math.sin(math.radians(lat)))
    p2, p6 = p * p, p**6
    x = math.radians(lon) * math.cos(p) / (m * (a1 + 3 * a2 * p2 + p6 * (7 * a3 + 9 * a4 * p2)))
    y = p * (a1 + a2 * p2 + p6 * (a3 + a4 * p2))
    return x, y


def _decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """The topology's arcs as (longitude, latitude) points (delta-decoded, unquantized)."""
    scale_x, scale_y = topology["transform"]["scale"]
    move_x, move_y = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale_x + move_x, y * scale_y + move_y))
        arcs.append(points)
    return arcs


def _ring(arcs: list, indexes: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def _unwrapped(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """A ring that crosses the antimeridian (Russia's Chukotka, Fiji) keeps to the side most of
    it lies on: its points past ±180° are held at the edge instead of drawing a band across
    the world."""
    crosses = any(abs(a[0] - b[0]) > 180 for a, b in pairwise(points))
    if not crosses:
        return points
    edge = 180.0 if sum(lon > 0 for lon, _ in points) >= len(points) / 2 else -180.0
    return [(edge if (lon < 0) == (edge > 0) else lon, lat) for lon, lat in points]


def _polygons(geometry: dict) -> list[list[list[int]]]:
    if geometry.get("type") == "Polygon":
        return [geometry["arcs"]]
    if geometry.get("type") == "MultiPolygon":
        return geometry["arcs"]
    return []


@lru_cache(maxsize=1)
def atlas() -> tuple[tuple[Country, ...], int]:
    """Every country's projected SVG path, and the map's height for ``WIDTH``."""
    topology = json.loads(ATLAS_PATH.read_text())
    arcs = _decode_arcs(topology)
    geometries = [
        g for g in topology["objects"]["countries"]["geometries"] if g.get("id") != ANTARCTICA
    ]
    projected = {}
    for geometry in geometries:
        rings = [
            [_equal_earth(lon, lat) for lon, lat in _unwrapped(_ring(arcs, ring))]
            for polygon in _polygons(geometry)
            for ring in polygon
        ]
        projected[id(geometry)] = rings
    xs = [x for rings in projected.values() for ring in rings for x, _ in ring]
    ys = [y for rings in projected.values() for ring in rings for _, y in ring]
    scale = WIDTH / (max(xs) - min(xs))
    height = math.ceil((max(ys) - min(ys)) * scale)
    left, top = min(xs), max(ys)
    countries = []
    for geometry in geometries:
        parts = []
        for ring in projected[id(geometry)]:
            points = []
            for x, y in ring:
                point = f"{(x - left) * scale:.0f},{(top - y) * scale:.0f}"
                if not points or points[-1] != point:
                    points.append(point)
            if len(points) > 2:  # a ring smaller than a pixel or two is not drawn
                parts.append("M" + "L".join(points) + "Z")
        name = geometry["properties"]["name"]
        countries.append(Country(geometry.get("id") or name, name, "".join(parts)))
    return tuple(countries), height


# --- names to atlas keys ----------------------------------------------------------------------


@lru_cache(maxsize=4096)
def atlas_key(name: str | None, code: str | None = None) -> Key | None:
    """The atlas feature of a country given by ISO code (alpha-2, alpha-3 or numeric) or name."""
    for text in (code, name):
        text = (text or "").strip()
        if not text:
            continue
        alias = NAME_ALIASES.get(text.lower())
        if alias:
            return alias
        try:
            return pycountry.countries.lookup(text).numeric
        except LookupError:
            pass
        if text in _atlas_names():
            return _atlas_names()[text]
    return None


@lru_cache(maxsize=1)
def _atlas_names() -> dict[str, Key]:
    return {country.name: country.key for country in atlas()[0]}


def by_atlas_key(rows: Iterable[tuple[str | None, str | None, float]]) -> dict[Key, MapValue]:
    """(country name, ISO code, value) rows summed per atlas country; the names kept."""
    folded: dict[Key, tuple[list[str], float]] = {}
    for name, code, value in rows:
        key = atlas_key(name, code)
        if key is None or not name:
            continue
        names, total = folded.get(key, ([], 0.0))
        if name not in names:
            names.append(name)
        folded[key] = (names, total + (value or 0))
    return {key: MapValue(tuple(names), total) for key, (names, total) in folded.items()}


# --- drawing ----------------------------------------------------------------------------------


def class_bounds(values: Iterable[float], classes: int = len(SHADES)) -> list[float]:
    """Upper bounds of ``classes`` equal steps on a log scale up to the largest value."""
    top = max((v for v in values if v > 0), default=0)
    if top <= 0:
        return []
    if top <= 1:
        return [top]
    return [math.exp(math.log(top) * (i + 1) / classes) for i in range(classes)]


def _shade(value: float, bounds: list[float]) -> str:
    if value <= 0 or not bounds:
        return NO_DATA
    for index, bound in enumerate(bounds):
        if value <= bound * (1 + 1e-9):
            return SHADES[index if len(bounds) > 1 else -1]
    return SHADES[-1]


def shape_id(key: Key) -> str:
    """The element id of a country's shape in the geometry document."""
    return "c-" + "".join(char if char.isalnum() else "_" for char in key)


@lru_cache(maxsize=1)
def geometry_document() -> str:
    """Every country's outline, once, as a standalone SVG that maps reference by id.

    A map then carries one short <use> per country instead of ~75 kB of path data, and the
    browser caches the outlines across pages and searches.
    """
    countries, height = atlas()
    paths = "".join(f'<path id="{shape_id(c.key)}" d="{c.path}"/>' for c in countries)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}">'
        f"<defs>{paths}</defs></svg>"
    )


def world_map(
    values: dict[Key, MapValue],
    *,
    title: str,
    unit: tuple[str, str],
    geometry_url: str,
    link: Callable[[tuple[str, ...]], str] | None = None,
    selected: Iterable[str] = (),
    value_format: Callable[[float], str] = lambda v: f"{v:,.0f}",
    chart_id: str = "world-map",
) -> Markup:
    """The world, each country shaded by its value and (with ``link``) a link to its filter.

    ``unit`` is the value's name, singular and plural ("project", "projects");
    ``geometry_url`` is where ``geometry_document()`` is served.
    """
    countries, height = atlas()
    chosen = set(selected)
    bounds = class_bounds(value.value for value in values.values())
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="group" '
        f'aria-labelledby="{chart_id}-title" id="{chart_id}" class="world-map">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    for country in countries:
        figure = values.get(country.key)
        value = figure.value if figure else 0
        names = figure.names if figure else ()
        label = f"{country.name}: {value_format(value)} {unit[0] if value == 1 else unit[1]}"
        css_class = ' class="selected"' if chosen.intersection(names) else ""
        shape = (
            f'<use href="{geometry_url}#{shape_id(country.key)}" fill="{_shade(value, bounds)}" '
            f'data-country="{escape(country.name)}"{css_class}><title>{escape(label)}</title></use>'
        )
        if figure and link and value > 0:
            href = escape(link(names))
            parts.append(f'<a href="{href}" aria-label="{escape(label)}">{shape}</a>')
        else:
            parts.append(shape)
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  every text above went through escape()


def legend(values: dict[Key, MapValue], value_format: Callable[[float], str]) -> list[tuple]:
    """(shade number 1..5, lower, upper) per class, for the legend under the map."""
    bounds = class_bounds(value.value for value in values.values())
    rows, lower = [], 0.0
    for index, bound in enumerate(bounds):
        shade = index + 1 if len(bounds) > 1 else len(SHADES)
        rows.append((shade, value_format(math.floor(lower) + 1), value_format(math.floor(bound))))
        lower = bound
    return rows


def unmapped(values: dict[Key, MapValue]) -> list[tuple[str, float]]:
    """Countries with a figure but no shape on this scale of map (small islands, cities)."""
    drawn = {country.key for country in atlas()[0]}
    missing = [
        (", ".join(v.names), v.value) for key, v in values.items() if key not in drawn and v.value
    ]
    return sorted(missing, key=lambda item: -item[1])
