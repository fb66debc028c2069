"""Property history: typo-tolerant search, the cross-department timeline, and the printable page."""

import html
from datetime import timedelta

import altair as alt
import pandas as pd
import pydeck as pdk
import streamlit as st

from integration import access, scoring
from services import properties as service
from ui import charts, data, hotspots, maps, views
from vocabulary import DEPARTMENT_LABELS


def suggest(version: tuple, text: str) -> pd.DataFrame:
    """Properties whose parcel id `text` is, or whose address is closest to it (typos forgiven)."""
    return service.search_properties(data.engine(), text, index=data.address_index(version))


@st.cache_data(max_entries=256, show_spinner=False)
def history(version: tuple, property_id: str, viewer: access.User | None) -> tuple[dict | None, pd.DataFrame]:
    """The property and its records, redacted for `viewer`."""
    return service.property_history(data.engine(), property_id, viewer)


def explanation(version: tuple, property_id: str, records: pd.DataFrame | None = None) -> pd.Series | None:
    """The property's score row for the default window ending at the last record in the database
    (from its `records` as history() gave them, when the caller has them)."""
    return explained(version, property_id, hotspots.institutions(), records)


@st.cache_data(max_entries=256, show_spinner=False)
def explained(version: tuple, property_id: str, listed: tuple[tuple[str, str], ...],
              _records: pd.DataFrame | None) -> pd.Series | None:
    # `_records` (not hashed) follows from the version and the property, which key the cache
    return service.explanation(data.engine(), property_id, dict(listed), records=_records)


def cases(property_id: str) -> list[dict]:
    """The property's cases, newest first, with actions and history (read uncached: edited in meetings)."""
    return service.cases(data.engine(), property_id)


def period(last_day) -> str:
    """The scoring window as the page names it: "the 90 days to November 30, 2026"."""
    return f"the {scoring.load_config().window_days} days to {last_day:%B %-d, %Y}"


def score_banner(scored: pd.Series | None, last_day) -> None:
    """Whether the property is on the hotspots list, and the reasons its score gives, with their period."""
    if scored is None:
        st.success(f"**Not on the hotspots list**: no records in {period(last_day)}.", icon=":material/check_circle:")
        return
    reasons = "\n".join(f"- {reason}" for reason in scored["reasons"])
    score = f"score {scored['score']:.1f} over {period(last_day)}"
    if scored["flagged"]:
        st.error(f"**On the hotspots list** ({score})\n\n{reasons}", icon=":material/local_fire_department:")
    else:
        st.success(f"**Not on the hotspots list** ({score})\n\n{reasons}", icon=":material/check_circle:")


def department_counts(history: pd.DataFrame, last_day) -> None:
    """One figure per department: its records at the property in the scoring window; then all of them
    since the first, each labelled with its period."""
    days = scoring.load_config().window_days
    end = pd.Timestamp(hotspots.window_end(last_day))
    occurred = pd.to_datetime(history["occurred_at"])
    recent = history.loc[occurred > end - timedelta(days=days), "department"].value_counts()
    every = history["department"].value_counts()
    for column, (department, label) in zip(st.columns(len(DEPARTMENT_LABELS)), DEPARTMENT_LABELS.items()):
        column.metric(f"{label} · last {days} days", int(recent.get(department, 0)),
                      help=f"Records from {label} at this property in {period(last_day)}")
    st.caption(f"All time (every record loaded, since {occurred.min():%B %-d, %Y}): " + " · ".join(
        f"{label} {int(every.get(department, 0))}" for department, label in DEPARTMENT_LABELS.items()))


def timeline(history: pd.DataFrame) -> alt.Chart:
    """One lane per department, each record a mark coloured by category (each its own colour)."""
    category, domain, colours = charts.distinct(history["category"], other="Other categories")
    frame = history.assign(Department=history["department"].map(DEPARTMENT_LABELS), Category=category)
    return (
        alt.Chart(frame)
        .mark_circle(size=90, opacity=0.85)
        .encode(
            x=alt.X("occurred_at:T", title=None, axis=alt.Axis(format="%b %-d, %Y", labelOverlap=True)),
            y=alt.Y("Department:N", title=None, sort=list(DEPARTMENT_LABELS.values()),
                    scale=alt.Scale(domain=list(DEPARTMENT_LABELS.values())), axis=alt.Axis(labelLimit=0)),
            color=alt.Color("Category:N", title="Category", scale=alt.Scale(domain=domain, range=colours),
                            legend=charts.legend(orient="right")),
            tooltip=[alt.Tooltip("occurred_at:T", title="Date", format="%Y-%m-%d %H:%M"), "Department:N",
                     alt.Tooltip("category:N", title="Category"), alt.Tooltip("status:N", title="Status"),
                     alt.Tooltip("address:N", title="Address as written")],
        )
        .properties(height=alt.Step(44))
    )


HERE = [179, 0, 0, 230]


def small_map(found: dict, base: maps.Basemap | None = None) -> pdk.Deck | None:
    """The property as a red dot on its streets."""
    if found.get("lat") is None or found.get("lon") is None:
        return None
    point = pd.DataFrame([{"lat": found["lat"], "lon": found["lon"], "address": found["address"]}])
    layer = pdk.Layer("ScatterplotLayer", point, id="property", get_position=["lon", "lat"], get_fill_color=HERE,
                      get_line_color=[255, 255, 255, 255], stroked=True, line_width_min_pixels=2,
                      get_radius=7, radius_units="'pixels'", pickable=True)
    return maps.deck([layer], pdk.ViewState(latitude=found["lat"], longitude=found["lon"], zoom=16), base,
                     tooltip={"text": "{address}"}, box=maps.bounding_box(point, margin=0.006), size_px=(210, 200))


def small_map_legend(base: maps.Basemap | None) -> str:
    return maps.legend(maps.dot(HERE, 14, "This property", outline=[255, 255, 255, 255]), maps.basemap_entry(base))


def show_map(version: tuple, found: dict) -> None:
    """The property on its streets, with the map's legend."""
    base = maps.basemap(version)
    deck = small_map(found, base)
    if deck is not None:
        st.pydeck_chart(deck, height=200)
        maps.show_legend(small_map_legend(base), base.problem)


def window_counts(history: pd.DataFrame, last_day) -> pd.DataFrame:
    """Records per department in the scoring window, the last year, and all time, each column named
    with its period."""
    days = scoring.load_config().window_days
    end = pd.Timestamp(hotspots.window_end(last_day))
    occurred = pd.to_datetime(history["occurred_at"])
    to = f"to {last_day:%b %-d, %Y}"
    rows = []
    for department, name in DEPARTMENT_LABELS.items():
        mine = history["department"] == department
        rows.append({"Department": name,
                     f"Last {days} days ({to})": int((mine & (occurred > end - timedelta(days=days))).sum()),
                     f"Last 12 months ({to})": int((mine & (occurred > end - timedelta(days=365))).sum()),
                     f"All time (since {occurred.min():%b %-d, %Y})": int(mine.sum())})
    return pd.DataFrame(rows)


RECORD_COLUMNS = ["occurred_at", "department", "category", "subcategory", "status", "description", "address",
                  "method", "score"]
RECORD_LABELS = {"occurred_at": "Date", "subcategory": "Type", "description": "Details", "address": "Address as written",
                 "method": "Match method", "score": "Match score"}


def records_table(shown: pd.DataFrame, user: access.User | None) -> pd.DataFrame:
    """The property's records as a table (labelled, a dash for a missing value, the fields the
    reader's role may not see blank and named once under it); returns them as exported."""
    table = shown[RECORD_COLUMNS]
    hidden = views.hidden_columns(user, table)
    table = table.assign(department=table["department"].map(views.department_label))
    views.show_table(table, RECORD_LABELS, hidden=hidden, column_config={
        "Date": st.column_config.DatetimeColumn("Date", format="YYYY-MM-DD HH:mm"),
        "Details": st.column_config.TextColumn("Details", width="large"),
        "Match score": st.column_config.NumberColumn("Match score", format="%.2f"),
    })
    exported = table.copy()
    exported[["subcategory", "status", "description"]] = exported[["subcategory", "status", "description"]].fillna("")
    return exported


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
