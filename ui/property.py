"""Property history: typo-tolerant search, the cross-department timeline, and the printable page."""

import html
from datetime import timedelta

import altair as alt
import pandas as pd
import pydeck as pdk
import streamlit as st
from rapidfuzz import fuzz, process

from integration import scoring
from storage import repository
from storage.engine import reading
from ui import data, hotspots

SUGGESTIONS = 8


@st.cache_data(max_entries=2, show_spinner=False)
def address_index(version: tuple) -> pd.DataFrame:
    """Every address of every property (property_id, address, parcel_id): what search looks through."""
    with reading(data.engine()) as conn:
        return repository.property_master(conn)[["property_id", "address", "parcel_id"]]


def suggest(version: tuple, text: str) -> pd.DataFrame:
    """Properties whose address is closest to `text` (typos forgiven), or whose parcel id it is."""
    index = address_index(version)
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= 9 and not any(ch.isalpha() for ch in text):
        return index[index["parcel_id"] == digits].drop_duplicates("property_id")
    found = process.extract(text.upper(), index["address"].tolist(), scorer=fuzz.WRatio, limit=SUGGESTIONS * 2,
                            score_cutoff=60)
    rows = index.iloc[[position for _match, _score, position in found]]
    return rows.drop_duplicates("property_id").head(SUGGESTIONS)


@st.cache_data(max_entries=256, show_spinner=False)
def explanation(version: tuple, property_id: str) -> pd.Series | None:
    """The property's score row for the default window ending at the last record in the database."""
    _first, last_day = hotspots.date_range(version)
    found, history = data.property_history(version, property_id)
    if last_day is None or found is None or history.empty:
        return None
    placed = history.assign(property_id=property_id, occurred_at=pd.to_datetime(history["occurred_at"]))
    facts = pd.DataFrame({"property_id": [property_id], "land_use": [found["land_use"]]})
    scored = scoring.score(placed, hotspots.window_end(last_day), properties=facts,
                           institutions=dict(hotspots.institutions()))
    return scored.iloc[0] if len(scored) else None


def cases(property_id: str) -> list[dict]:
    """The property's cases, newest first, with actions and history (read uncached: edited in meetings)."""
    with reading(data.engine()) as conn:
        return repository.cases_for_property(conn, property_id)


def timeline(history: pd.DataFrame) -> alt.Chart:
    """One lane per department, each record a mark coloured by category."""
    frame = history.assign(Department=history["department"].map(scoring.DEPARTMENT_NAMES))
    return (
        alt.Chart(frame)
        .mark_circle(size=90, opacity=0.85)
        .encode(
            x=alt.X("occurred_at:T", title=None, axis=alt.Axis(format="%b %-d, %Y", labelOverlap=True)),
            y=alt.Y("Department:N", title=None, sort=list(scoring.DEPARTMENT_NAMES.values()),
                    scale=alt.Scale(domain=list(scoring.DEPARTMENT_NAMES.values()))),
            color=alt.Color("category:N", title="Category", legend=alt.Legend(orient="right", symbolLimit=24)),
            tooltip=[alt.Tooltip("occurred_at:T", title="Date", format="%Y-%m-%d %H:%M"), "Department:N",
                     alt.Tooltip("category:N", title="Category"), alt.Tooltip("status:N", title="Status"),
                     alt.Tooltip("address:N", title="Address as written")],
        )
        .properties(height=alt.Step(44))
    )


def small_map(found: dict) -> pdk.Deck | None:
    if found.get("lat") is None or found.get("lon") is None:
        return None
    point = pd.DataFrame([{"lat": found["lat"], "lon": found["lon"], "address": found["address"]}])
    return pdk.Deck(
        layers=[pdk.Layer("ScatterplotLayer", point, get_position=["lon", "lat"], get_fill_color=[179, 0, 0, 220],
                          get_radius=18, radius_min_pixels=6, pickable=True)],
        initial_view_state=pdk.ViewState(latitude=found["lat"], longitude=found["lon"], zoom=15),
        map_provider=None, tooltip={"text": "{address}"},
    )


def window_counts(history: pd.DataFrame, last_day) -> pd.DataFrame:
    """Records per department in the last 90 days, the last year, and in all."""
    end = pd.Timestamp(hotspots.window_end(last_day))
    occurred = pd.to_datetime(history["occurred_at"])
    rows = []
    for department, name in scoring.DEPARTMENT_NAMES.items():
        mine = history["department"] == department
        rows.append({"Department": name,
                     "Last 90 days": int((mine & (occurred > end - timedelta(days=90))).sum()),
                     "Last 12 months": int((mine & (occurred > end - timedelta(days=365))).sum()),
                     "All": int(mine.sum())})
    return pd.DataFrame(rows)


def printable(found: dict, history: pd.DataFrame, reasons: list[str], exported_by: str) -> bytes:
    """A self-contained HTML page of the property's history, to print or file."""
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape('' if pd.isna(value) else str(value))}</td>" for value in row) + "</tr>"
        for row in history.itertuples(index=False)
    )
    header = "".join(f"<th>{html.escape(str(column))}</th>" for column in history.columns)
    why = "".join(f"<li>{html.escape(reason)}</li>" for reason in reasons)
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(found['address'])}</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse;font-size:11px}}
td,th{{border:1px solid #999;padding:3px 6px;text-align:left}}@media print{{a{{display:none}}}}</style></head>
<body><h1>{html.escape(found['address'])}</h1>
<p>Parcel {html.escape(str(found.get('parcel_id') or '–'))} · land use {html.escape(str(found.get('land_use') or '–'))}
 · ward {html.escape(str(found.get('ward') or '–'))}</p>
<p>Also known as: {html.escape('; '.join(found.get('addresses', [])))}</p>
<ul>{why}</ul><table><tr>{header}</tr>{rows}</table>
<p><small>Exported by {html.escape(exported_by)} on {pd.Timestamp.now():%Y-%m-%d %H:%M}</small></p></body></html>"""
    return page.encode("utf-8")
