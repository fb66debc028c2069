"""Hotspots: cached scoring for the page, and its map and chart builders."""

from datetime import date

import altair as alt
import pandas as pd
import pydeck as pdk
import streamlit as st

from integration import scoring
from services import hotspots as service
from services.hotspots import WEEKS, Filters, default_filters, window_end  # noqa: F401  (the pages' names)
from ui import charts, data, maps
from vocabulary import DEPARTMENT_LABELS


@st.cache_data(max_entries=4, show_spinner=False)
def date_range(version: tuple) -> tuple[date | None, date | None]:
    return service.date_range(data.engine())


@st.cache_data(max_entries=4, show_spinner=False)
def filter_choices(version: tuple, last_day: date) -> tuple[list[str], list[str]]:
    """Categories with records in the span the default view reads anyway (the months to
    `last_day`), and the wards of the master."""
    engine = data.engine()
    return (service.categories(engine, last_day, version=version[1:], window=lambda span: window(version, last_day, span)),
            service.wards(engine))


def institutions() -> tuple[tuple[str, str], ...]:
    """The explicit institution list, read uncached: it is small and edited on this page."""
    return service.listed_institutions(data.engine())


def last_meeting(end: date) -> date | None:
    """Read uncached: a meeting created since the last load changes what is new."""
    return service.last_meeting_before(data.engine(), end)


@st.cache_resource(max_entries=2, show_spinner=False)
def window(version: tuple, end: date, span_days: int) -> pd.DataFrame:
    """Placed records of the `span_days` up to `end`: read once, shared by the list, the charts and every
    session. One frame, not a copy per caller (a pickled copy of a million rows costs more than the
    scoring): read-only, every use filters it into a frame of its own."""
    return service.placed_window(data.engine(), end, span_days)


def hotspots(version: tuple, filters: Filters, listed: tuple[tuple[str, str], ...]) -> pd.DataFrame:
    """The flagged properties of the view, against the last meeting before the window's end as it is now."""
    return scored(version, filters, listed, last_meeting(filters.end))


@st.cache_data(max_entries=32, show_spinner="Scoring properties…")
def scored(version: tuple, filters: Filters, listed: tuple[tuple[str, str], ...], since: date | None) -> pd.DataFrame:
    """The flagged properties of the view: kept in the database once scored, for every server."""
    return service.flagged(data.engine(), filters, dict(listed), since, version=version[1:],
                           window=lambda span: window(version, filters.end, span))


@st.cache_data(max_entries=16, show_spinner=False)
def weekly_overlap(version: tuple, filters: Filters, since: date | None) -> pd.DataFrame:
    return service.weekly_view(data.engine(), filters, since, version=version[1:],
                               window=lambda span: window(version, filters.end, span))


# --- pictures -------------------------------------------------------------------------------

LOW, HIGH = (253, 204, 138), (179, 0, 0)  # score colour ramp, light amber to dark red
RADIUS_PX = (4, 11)  # the lowest and the highest score's dot, in screen pixels at every zoom
MAP_PX = (940, 520)  # the map as the page draws it on a 1400 px screen


def _share(scores: pd.Series) -> pd.Series:
    low, high = float(scores.min()), float(scores.max())
    return (scores - low) / (high - low) if high > low else scores * 0 + 1


def _colour(share: float) -> list[int]:
    return [round(low + (high - low) * share) for low, high in zip(LOW, HIGH)] + [220]


def _radius(share: float) -> float:
    return RADIUS_PX[0] + (RADIUS_PX[1] - RADIUS_PX[0]) * share


def hotspot_map(flagged: pd.DataFrame, density: bool = False, base: maps.Basemap | None = None) -> pdk.Deck | None:
    """Flagged properties coloured and sized by score (lowest to highest shown), over `base`."""
    located = flagged.dropna(subset=["lat", "lon"]).reset_index()
    if located.empty:
        return None
    share = _share(located["score"])
    located["colour"] = [_colour(s) for s in share]
    located["radius"] = [_radius(s) for s in share]
    located["departments_text"] = [", ".join(DEPARTMENT_LABELS[d] for d in ds) for ds in located["departments"]]
    located["score_text"] = located["score"].map("{:.1f}".format)
    # highest score last, so it is drawn on top; the view opens on it
    points = located[["property_id", "address", "score", "score_text", "departments_text", "lat", "lon", "colour",
                      "radius"]].sort_values("score", kind="stable")
    layers = []
    if density:
        layers.append(pdk.Layer("HeatmapLayer", points, get_position=["lon", "lat"], get_weight="score",
                                radius_pixels=40, id="density"))
    layers.append(pdk.Layer("ScatterplotLayer", points, id="hotspots", get_position=["lon", "lat"],
                            get_fill_color="colour", get_radius="radius", radius_units="'pixels'", pickable=True,
                            stroked=True, get_line_color=[80, 0, 0, 220], line_width_min_pixels=1))
    top_point = points.iloc[-1]
    view = pdk.ViewState(latitude=float(top_point["lat"]), longitude=float(top_point["lon"]), zoom=13)
    return maps.deck(layers, view, base, tooltip={"text": "{address}\nscore {score_text}\n{departments_text}"},
                     size_px=MAP_PX)


def hotspot_legend(flagged: pd.DataFrame, base: maps.Basemap | None, density: bool = False) -> str:
    """The map's legend: the dots of the lowest, middle and highest score as drawn, and the basemap."""
    scores = flagged.dropna(subset=["lat", "lon"])["score"]
    low, high = float(scores.min()), float(scores.max())
    shown = [low, (low + high) / 2, high] if high > low else [high]
    share = _share(pd.Series(shown))
    entries = [maps.dot(_colour(s), 2 * _radius(s), f"{score:.1f}", outline=[80, 0, 0, 220])
               for s, score in zip(share, shown)]
    if density:
        entries.append(maps.dot([255, 140, 0, 160], 16, "Density: where flagged properties crowd"))
    return maps.legend(*entries, maps.basemap_entry(base), title="Score (colour and size)")


def department_mix_chart(scored: pd.DataFrame) -> alt.Chart:
    mix = scoring.department_mix(scored).assign(
        department_name=lambda frame: frame["department"].map(DEPARTMENT_LABELS).fillna(frame["department"]))
    return (alt.Chart(mix).mark_bar()
            .encode(x=alt.X("properties:Q", title="Flagged properties with records"),
                    y=alt.Y("department_name:N", title=None, sort="-x", axis=alt.Axis(labelLimit=0)),
                    color=charts.department_colour("department_name", legend=None),
                    tooltip=[alt.Tooltip("department_name:N", title="Department"),
                             alt.Tooltip("properties:Q", title="Properties")])
            .properties(height=170))


def weekly_chart(series: pd.DataFrame) -> alt.Chart:
    # A short axis title: a long one takes its length out of the plot's 170 px and flattens the line.
    return (alt.Chart(series).mark_line(point=alt.OverlayMarkDef(color="#b3261e"), color="#b3261e")
            .encode(x=alt.X("week_end:T", title="Week ending"), y=alt.Y("properties:Q", title="Properties"),
                    tooltip=[alt.Tooltip("week_end:T", title="Week ending"), "properties"])
            .properties(height=170))


# --- filters in the URL ---------------------------------------------------------------------


def _list(text: str | None, allowed) -> tuple[str, ...]:
    if not text:
        return ()
    allowed = set(allowed)
    return tuple(item for item in text.split(",") if item in allowed)


def filters_from_url(last_day: date, categories: list[str], ward_list: list[str]) -> Filters:
    """Filters as the URL gives them, each falling back to its default when absent or malformed."""
    params = st.query_params
    config = scoring.load_config()
    try:
        end = date.fromisoformat(params.get("end", ""))
    except ValueError:
        end = last_day
    try:
        days = min(max(int(params.get("days", config.window_days)), 7), 730)
    except ValueError:
        days = config.window_days
    try:
        minimum = min(max(int(params.get("min", config.min_departments)), 1), 4)
    except ValueError:
        minimum = config.min_departments
    departments = _list(params.get("dept"), DEPARTMENT_LABELS) or tuple(DEPARTMENT_LABELS)
    return Filters(end=end, days=days, departments=departments, min_departments=minimum,
                   categories=_list(params.get("cat"), categories), wards=_list(params.get("ward"), ward_list))


def filter_form(current: Filters, first_day: date, last_day: date, categories: list[str],
                ward_list: list[str]) -> Filters:
    """The filters expander, opening on `current`; the filters chosen."""
    with st.expander("Filters", expanded=False, icon=":material/filter_list:"):
        left, middle, right = st.columns(3)
        end = left.date_input("Window ends", current.end, min_value=first_day, max_value=last_day)
        days = middle.number_input("Window length (days)", 7, 730, current.days, step=7)
        minimum = right.number_input("Minimum departments", 1, 4, current.min_departments)
        departments = st.multiselect("Departments", list(DEPARTMENT_LABELS), list(current.departments),
                                     format_func=DEPARTMENT_LABELS.get)
        chosen_categories = st.multiselect("Categories (all when empty)", categories, list(current.categories))
        chosen_wards = st.multiselect("Wards (all when empty)", ward_list, list(current.wards))
    return Filters(end=end, days=int(days), departments=tuple(departments) or current.departments,
                   min_departments=int(minimum), categories=tuple(chosen_categories), wards=tuple(chosen_wards))


def write_url(filters: Filters) -> None:
    """Put the filters in the URL, so a copied link reproduces the view."""
    params = {"end": filters.end.isoformat(), "days": str(filters.days), "min": str(filters.min_departments)}
    if set(filters.departments) != set(DEPARTMENT_LABELS):
        params["dept"] = ",".join(filters.departments)
    if filters.categories:
        params["cat"] = ",".join(filters.categories)
    if filters.wards:
        params["ward"] = ",".join(filters.wards)
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)


@st.cache_data(max_entries=32, show_spinner=False)
def ranked_table_of(version: tuple, filters: Filters, listed: tuple[tuple[str, str], ...],
                    since: date | None) -> pd.DataFrame:
    """The ranked table of the scored view, built once per view."""
    return ranked_table(scored(version, filters, listed, since))


# The list as the page shows it: what the team reads first (score, change, flags, why) on the left,
# within a 1400 px screen without sideways scrolling. "Why" names the departments and their records;
# the export has every column (records per department, ward, property id).
LIST_COLUMNS = ["Rank", "Score", "Change", "Flags", "Why", "Address", "Open"]


def list_config() -> dict:
    """How the page's list draws each column (widths in pixels: together under the 940 px a 1400 px
    screen leaves beside the sidebar)."""
    return {
        "Rank": st.column_config.NumberColumn("#", width=36, help="Rank by score"),
        "Score": st.column_config.NumberColumn(format="%.1f", width=56),
        "Change": st.column_config.NumberColumn(format="%+.1f", width=62, help="Against the previous window"),
        "Flags": st.column_config.TextColumn(width=150),
        "Why": st.column_config.TextColumn(width=360, help="The reasons behind the score"),
        "Address": st.column_config.TextColumn(width=170),
        "Open": st.column_config.LinkColumn("Open", display_text="Open", width=48),
    }


def ranked_table(flagged: pd.DataFrame) -> pd.DataFrame:
    """The ranked list as the page shows it (LIST_COLUMNS) and exports it (every other column)."""
    named = pd.DataFrame({
        "new": flagged["new"].map({True: "new", False: ""}),
        "rising": flagged["rising"].map({True: "rising", False: ""}),
        "chronic": flagged["chronic_nuisance"].map({True: "chronic nuisance", False: ""}),
        "institutional": flagged["institutional"].notna().map({True: "institutional", False: ""}),
    })
    flags = named.apply(lambda column: column.where(column == "", column + ", ")).sum(axis=1).str.rstrip(", ")
    labels = {combo: [DEPARTMENT_LABELS[d] for d in combo] for combo in set(flagged["departments"])}
    counts = {DEPARTMENT_LABELS[d]: flagged[f"count_{d}"].to_numpy() for d in DEPARTMENT_LABELS}
    records = [" · ".join(f"{name} {int(count)}" for name, count in zip(counts, row) if count)
               for row in zip(*counts.values())]
    return pd.DataFrame({
        "Rank": range(1, len(flagged) + 1),
        "Score": flagged["score"].to_numpy(),
        "Change": flagged["delta"].to_numpy(),
        "Flags": flags.to_numpy(),
        "Why": flagged["reasons"].map(" · ".join).to_numpy(),
        "Address": flagged["address"].to_numpy(),
        "Open": "/property?property=" + flagged.index.to_series(),
        "Records": records,
        "Ward": flagged["ward"].to_numpy(),
        "Departments": flagged["departments"].map(labels).to_numpy(),
        **counts,
        "Property id": flagged.index.to_numpy(),
    }).reset_index(drop=True)
