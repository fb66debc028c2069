"""Property history: typo-tolerant search, the cross-department timeline, and the printable page."""

import html
from datetime import timedelta

import altair as alt
import pandas as pd
import pydeck as pdk
import streamlit as st

from integration import access, scoring
from services import properties as service
from ui import data, hotspots


def suggest(version: tuple, text: str) -> pd.DataFrame:
    """Properties whose parcel id `text` is, or whose address is closest to it (typos forgiven)."""
    return service.search_properties(data.engine(), text, index=data.address_index(version))


@st.cache_data(max_entries=256, show_spinner=False)
def history(version: tuple, property_id: str, viewer: access.User | None) -> tuple[dict | None, pd.DataFrame]:
    """The property and its records, redacted for `viewer`."""
    return service.property_history(data.engine(), property_id, viewer)


def explanation(version: tuple, property_id: str) -> pd.Series | None:
    """The property's score row for the default window ending at the last record in the database."""
    return explained(version, property_id, hotspots.institutions())


@st.cache_data(max_entries=256, show_spinner=False)
def explained(version: tuple, property_id: str, listed: tuple[tuple[str, str], ...]) -> pd.Series | None:
    return service.explanation(data.engine(), property_id, dict(listed))


def cases(property_id: str) -> list[dict]:
    """The property's cases, newest first, with actions and history (read uncached: edited in meetings)."""
    return service.cases(data.engine(), property_id)


def score_banner(scored: pd.Series | None, last_day) -> None:
    """Whether the property is on the hotspots list, and the reasons its score gives."""
    if scored is None:
        st.success(f"**Not on the hotspots list**: no records in the {scoring.load_config().window_days} days to "
                   f"{last_day:%B %-d, %Y}.", icon=":material/check_circle:")
        return
    reasons = "\n".join(f"- {reason}" for reason in scored["reasons"])
    if scored["flagged"]:
        st.error(f"**On the hotspots list** (score {scored['score']:.1f})\n\n{reasons}",
                 icon=":material/local_fire_department:")
    else:
        st.success(f"**Not on the hotspots list** (score {scored['score']:.1f})\n\n{reasons}",
                   icon=":material/check_circle:")


def department_counts(history: pd.DataFrame) -> None:
    """One figure per department: its records at the property."""
    counts = history["department"].value_counts()
    for column, (department, label) in zip(st.columns(len(scoring.DEPARTMENT_NAMES)), scoring.DEPARTMENT_NAMES.items()):
        column.metric(label, int(counts.get(department, 0)))


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
