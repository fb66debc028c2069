"""Maps built with pydeck, the basemap under them, and their legends.

The basemap (`basemap`): tiles from the MAP_TILES source (a city's own tile server, or
OpenStreetMap's) when the source answers, drawn under the layers by the map library through a
one-layer raster style; when it does not answer (offline, a closed network, tests) or is off, the
streets drawn from the property master itself (services.streets), with their names, so a map is
never dots on white. Whether the source answers is checked from the server, at most every
PROBE_SECONDS.

The builders (`candidates_map`, `deck`) are pure: tables and a Basemap in, a Deck out.
"""

import base64
import html
import json
import math
from dataclasses import dataclass, field

import pandas as pd
import pydeck as pdk
import streamlit as st

from services import properties, streets
from ui import data

CANDIDATE = [179, 38, 30, 230]  # the theme's red
REPORTED = [25, 118, 210, 230]  # where the department's own coordinates put the record
AROUND = [120, 120, 120, 90]
STREET = [165, 172, 186, 255]  # the streets drawn from the master: slate grey, no dot on a map is this colour
STREET_NAME = [35, 40, 50, 255]
MAP_WIDTH_PX = 420  # about the width the pages give a small map
STREET_NAME_PX = 12
# The basemap's layers draw under the rest and never hide it from a click: without depth, the dots
# drawn over a street are what a click finds (with it, a street at the same height may win).
FLAT = {"depthWriteEnabled": False, "depthCompare": "always"}
PROBE_SECONDS = 300


@dataclass(frozen=True)
class Basemap:
    """What a map is drawn on: the tile source when it answered, else the master's street lines."""

    tiles: streets.TileSource | None = None
    lines: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=streets.STREET_COLUMNS))
    problem: str | None = None  # a MAP_TILES value the product cannot use, said beside the map


# --- the basemap ------------------------------------------------------------------------------


@st.cache_data(max_entries=4, show_spinner=False)
def _master_version(version: tuple) -> tuple:
    return properties.master_version(data.engine())


@st.cache_resource(max_entries=2, show_spinner="Drawing the streets…")
def street_lines(master: tuple, url: str) -> pd.DataFrame:
    """The master's street lines, built once per property master (`url` keeps databases apart), and
    shared by every map of every session: one frame, read and never changed (a county's would cost
    more to unpickle for each map than the map takes to draw)."""
    return streets.streets(data.engine())


@st.cache_data(ttl=PROBE_SECONDS, max_entries=8, show_spinner=False)
def _tiles_answer(url: str, lat: float, lon: float) -> bool:
    return streets.tiles_answer(streets.TileSource(url, ""), lat, lon)


def basemap(version: tuple) -> Basemap:
    """The basemap of every map in the app, for the data at `version`."""
    lines = street_lines(_master_version(version), version[0])
    try:
        source = streets.tile_source()
    except streets.SettingError as problem:
        return Basemap(None, lines, str(problem))
    if source is None or lines.empty:
        return Basemap(None, lines)
    centre_lat, centre_lon = float(lines["label_lat"].median()), float(lines["label_lon"].median())
    if _tiles_answer(source.url, round(centre_lat, 3), round(centre_lon, 3)):
        return Basemap(source, lines.iloc[0:0])
    return Basemap(None, lines)


def tile_style(source: streets.TileSource) -> str:
    """A map style of one raster layer from the tile source, as a data: address (no file to serve)."""
    style = {"version": 8,
             "sources": {"tiles": {"type": "raster", "tiles": [source.url], "tileSize": 256,
                                   "attribution": source.attribution}},
             "layers": [{"id": "tiles", "type": "raster", "source": "tiles"}]}
    return "data:application/json;base64," + base64.b64encode(json.dumps(style).encode()).decode("ascii")


def street_layers(lines: pd.DataFrame, view: pdk.ViewState, size_px: tuple[int, int],
                  box: tuple[float, float, float, float] | None = None) -> list[pdk.Layer]:
    """The master's streets as grey lines (those crossing `box`, when given), named where the names
    fit in the `size_px` (width, height) the view opens on without covering each other."""
    if box is not None:
        lines = streets.within(lines, *box)
    if lines.empty:
        return []
    names = streets.name_places(lines, view.zoom, font_px=STREET_NAME_PX, box=shown_box(view, size_px))
    return [
        pdk.Layer("PathLayer", lines[["street", "path"]], id="streets", get_path="path", get_color=STREET,
                  get_width=9, width_units="'meters'", width_min_pixels=2, width_max_pixels=7,
                  pickable=False, parameters=FLAT),
        pdk.Layer("TextLayer", names, id="street-names", get_position=["lon", "lat"], get_text="street",
                  get_angle="angle", get_size=STREET_NAME_PX, size_units="'pixels'", get_color=STREET_NAME,
                  font_family="'Source Sans Pro, sans-serif'", font_weight=600, get_text_anchor="'middle'",
                  get_alignment_baseline="'center'", pickable=False, parameters=FLAT),
    ]


def shown_box(view: pdk.ViewState, size_px: tuple[int, int]) -> tuple[float, float, float, float]:
    """(south, west, north, east) of what a map of `size_px` (width, height) shows at `view`."""
    degrees_per_px = 360 / 256 / 2 ** view.zoom  # of longitude; of latitude, times cos(latitude)
    half_lon = size_px[0] / 2 * degrees_per_px
    half_lat = size_px[1] / 2 * degrees_per_px * math.cos(math.radians(view.latitude))
    return (view.latitude - half_lat, view.longitude - half_lon, view.latitude + half_lat, view.longitude + half_lon)


def deck(layers: list[pdk.Layer], view: pdk.ViewState, base: Basemap | None, tooltip: dict | None = None,
         box: tuple[float, float, float, float] | None = None, size_px: tuple[int, int] = (MAP_WIDTH_PX, 360)
         ) -> pdk.Deck:
    """`layers` over the basemap: its tiles, or the master's streets (those crossing `box`, when given,
    named within the `size_px` the map is drawn at)."""
    if base is not None and base.tiles is not None:
        return pdk.Deck(layers=layers, initial_view_state=view, map_provider="carto", map_style=tile_style(base.tiles),
                        tooltip=tooltip)
    under = street_layers(base.lines, view, size_px, box) if base is not None else []
    # No tiles: map_provider=None, with map_style left at pydeck's default, which Streamlit reads as
    # "none" (map_style=None would make it fetch Carto's tiles).
    return pdk.Deck(layers=under + layers, initial_view_state=view, map_provider=None, tooltip=tooltip)


# --- legends ----------------------------------------------------------------------------------


def _rgb(colour) -> str:
    red, green, blue, *alpha = colour
    return f"rgba({red},{green},{blue},{(alpha[0] if alpha else 255) / 255:.2f})"


def dot(colour, diameter_px: float = 12, label: str = "", outline=None) -> str:
    """A legend entry: a dot of the map's colour and size, then its label."""
    border = f"border:1px solid {_rgb(outline)};" if outline else ""
    return (f'<span style="display:inline-flex;align-items:center;gap:6px;margin-right:14px">'
            f'<span style="display:inline-block;flex-shrink:0;width:{diameter_px:.0f}px;height:{diameter_px:.0f}px;'
            f'border-radius:50%;background:{_rgb(colour)};{border}"></span>{html.escape(label)}</span>')


def line(colour, label: str) -> str:
    return (f'<span style="display:inline-flex;align-items:center;gap:6px;margin-right:14px">'
            f'<span style="display:inline-block;flex-shrink:0;width:22px;height:4px;border-radius:2px;'
            f'background:{_rgb(colour)}"></span>{html.escape(label)}</span>')


def basemap_entry(base: Basemap | None) -> str:
    """What the map is drawn on, for its legend."""
    if base is not None and base.tiles is not None:
        return html.escape(f"Basemap: {base.tiles.attribution}" if base.tiles.attribution else "Basemap tiles")
    return line(STREET, "Streets from the property master (no basemap tiles)")


def legend(*entries: str, title: str | None = None) -> str:
    """The legend under a map: entries from dot() and line(), on wrapping lines."""
    heading = f'<span style="font-weight:600;margin-right:10px">{html.escape(title)}</span>' if title else ""
    return (f'<div class="map-legend" style="font-size:0.85rem;line-height:1.9;display:flex;flex-wrap:wrap;'
            f'align-items:center">{heading}{"".join(entries)}</div>')


def show_legend(markup: str, problem: str | None = None) -> None:
    """The legend (our own markup, every label escaped) in an HTML element of its own: no markdown on
    a page renders HTML, so no text a person typed ever can."""
    st.html(markup)
    if problem:
        st.warning(f"The basemap setting is wrong: {problem}.", icon=":material/map:")


# --- the match review map ---------------------------------------------------------------------


def view_for(points: pd.DataFrame, padding: float = 2.2) -> pdk.ViewState:
    """A view that shows every point (lat, lon columns), zoomed in as far as that allows."""
    lat_low, lat_high = points["lat"].min(), points["lat"].max()
    lon_low, lon_high = points["lon"].min(), points["lon"].max()
    latitude, longitude = (lat_low + lat_high) / 2, (lon_low + lon_high) / 2
    # Degrees of longitude across the map at zoom z: 360 / 2**z * width / 256 (web mercator tiles).
    span = max(lon_high - lon_low, (lat_high - lat_low) / max(math.cos(math.radians(latitude)), 0.1), 0.0005)
    zoom = math.log2(360 * MAP_WIDTH_PX / 256 / (span * padding))
    return pdk.ViewState(latitude=float(latitude), longitude=float(longitude), zoom=float(min(max(zoom, 11), 18)))


def bounding_box(points: pd.DataFrame, margin: float = 0.004) -> tuple[float, float, float, float]:
    """(south, west, north, east) around the points, with a margin in degrees."""
    return (float(points["lat"].min() - margin), float(points["lon"].min() - margin),
            float(points["lat"].max() + margin), float(points["lon"].max() + margin))


def candidates_map(candidates: pd.DataFrame, reported: pd.DataFrame | None = None,
                   around: pd.DataFrame | None = None, base: Basemap | None = None) -> pdk.Deck | None:
    """Numbered candidate properties (rank, address, score, lat, lon; the number is drawn, the rest is
    in the tooltip), the records' own reported positions (lat, lon) and the properties around them,
    over `base`; None when nothing has a location."""
    candidates = candidates.dropna(subset=["lat", "lon"])
    reported = _located(reported)
    shown = pd.concat([candidates[["lat", "lon"]], reported[["lat", "lon"]]], ignore_index=True)
    if shown.empty:
        return None
    candidates = candidates.assign(
        label=candidates["rank"].astype(str),
        tooltip=[f"{rank}. {address} · score {score:.2f}"
                 for rank, address, score in zip(candidates["rank"], candidates["address"], candidates["score"])],
    )
    layers = []
    around = _located(around)
    if not around.empty:
        layers.append(pdk.Layer("ScatterplotLayer", around.assign(tooltip=around["address"]),
                                get_position=["lon", "lat"], get_fill_color=AROUND, get_radius=4,
                                radius_min_pixels=2, radius_max_pixels=4, pickable=True))
    if not reported.empty:
        layers.append(pdk.Layer("ScatterplotLayer", reported.assign(tooltip="Reported location"),
                                get_position=["lon", "lat"], get_fill_color=REPORTED, get_radius=6,
                                radius_min_pixels=5, radius_max_pixels=10, pickable=True))
    layers += [
        pdk.Layer("ScatterplotLayer", candidates, get_position=["lon", "lat"], get_fill_color=CANDIDATE,
                  get_line_color=[255, 255, 255, 255], stroked=True, line_width_min_pixels=2, get_radius=8,
                  radius_min_pixels=9, radius_max_pixels=14, pickable=True),
        pdk.Layer("TextLayer", candidates, get_position=["lon", "lat"], get_text="label", get_size=13,
                  get_color=[255, 255, 255, 255], font_weight=700, get_text_anchor="'middle'",
                  get_alignment_baseline="'center'"),
    ]
    return deck(layers, view_for(shown), base, {"text": "{tooltip}"}, box=bounding_box(shown, margin=0.006),
                size_px=(MAP_WIDTH_PX, 360))


def _located(points: pd.DataFrame | None) -> pd.DataFrame:
    if points is None or points.empty:
        return pd.DataFrame(columns=["lat", "lon", "address"])
    return points.dropna(subset=["lat", "lon"]).astype({"lat": float, "lon": float})
