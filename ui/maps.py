"""Small maps built with pydeck: pure functions from tables of points to a Deck, no data access.

No basemap: map_provider=None, with map_style left at pydeck's default, which Streamlit reads as
"none" (map_style=None would make it fetch Carto tiles). So the maps draw offline; the properties
around, drawn as faint dots, show the street grid well enough to tell one candidate from another.
"""

import math

import pandas as pd
import pydeck as pdk

CANDIDATE = [179, 38, 30, 230]  # the theme's red
REPORTED = [25, 118, 210, 230]  # where the department's own coordinates put the record
AROUND = [120, 120, 120, 90]
MAP_WIDTH_PX = 420  # about the width the pages give a small map


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
                   around: pd.DataFrame | None = None) -> pdk.Deck | None:
    """Numbered candidate properties (rank, address, score, lat, lon; the number is drawn, the rest is
    in the tooltip), the records' own reported positions (lat, lon) and the properties around them;
    None when nothing has a location."""
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
    return pdk.Deck(layers=layers, initial_view_state=view_for(shown), map_provider=None,
                    tooltip={"text": "{tooltip}"})


def _located(points: pd.DataFrame | None) -> pd.DataFrame:
    if points is None or points.empty:
        return pd.DataFrame(columns=["lat", "lon", "address"])
    return points.dropna(subset=["lat", "lon"]).astype({"lat": float, "lon": float})
