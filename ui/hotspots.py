"""Hotspots: cached scoring for the page, and its map and chart builders."""

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

import altair as alt
import pandas as pd
import pydeck as pdk
import streamlit as st

from integration import scoring
from storage import repository
from storage.engine import reading
from ui import data


@dataclass(frozen=True)
class Filters:
    end: date
    days: int
    departments: tuple[str, ...]
    min_departments: int
    categories: tuple[str, ...]
    wards: tuple[str, ...]

    def as_text(self) -> dict[str, object]:
        """The filters as written into exports."""
        return {
            "window": f"{self.days} days to {self.end:%Y-%m-%d}",
            "departments": [scoring.DEPARTMENT_NAMES[d] for d in self.departments],
            "minimum departments": self.min_departments,
            "categories": list(self.categories) or "all",
            "wards": list(self.wards) or "all",
        }


def default_filters(end: date) -> Filters:
    """The list as the scoring rules define it by default (every department, category and ward),
    for the window ending at `end`."""
    config = scoring.load_config()
    return Filters(end=end, days=config.window_days, departments=tuple(scoring.DEPARTMENT_NAMES),
                   min_departments=config.min_departments, categories=(), wards=())


def window_end(day: date) -> datetime:
    return datetime.combine(day, time.max).replace(microsecond=0)


@st.cache_data(max_entries=4, show_spinner=False)
def date_range(version: tuple) -> tuple[date | None, date | None]:
    with reading(data.engine()) as conn:
        first, last = repository.record_date_range(conn)
    return (pd.Timestamp(first).date() if first else None, pd.Timestamp(last).date() if last else None)


WEEKS = 26  # the weekly chart's span


@st.cache_data(max_entries=4, show_spinner=False)
def filter_choices(version: tuple, last_day: date) -> tuple[list[str], list[str]]:
    """Categories with records in the span the default view reads anyway (the months to
    `last_day`), and the wards of the master."""
    placed = window(version, last_day, _rounded(7 * WEEKS + scoring.load_config().window_days))
    with reading(data.engine()) as conn:
        return sorted(c for c in placed["category"].dropna().unique() if c), repository.wards(conn)


def institutions() -> tuple[tuple[str, str], ...]:
    """The explicit institution list, read uncached: it is small and edited on this page."""
    with reading(data.engine()) as conn:
        listed = repository.institution_list(conn)
    return tuple(zip(listed["property_id"], listed["treatment"]))


@st.cache_data(max_entries=2, show_spinner=False)
def window(version: tuple, end: date, span_days: int) -> pd.DataFrame:
    """Placed records of the `span_days` up to `end`: read once, shared by the list and the charts."""
    last = window_end(end)
    with reading(data.engine()) as conn:
        return repository.placed_records(conn, last - timedelta(days=span_days), last, reader=data.reader())


@st.cache_data(max_entries=2, show_spinner=False)
def land_uses(version: tuple) -> pd.DataFrame:
    """The properties whose land use is damped as institutional."""
    with reading(data.engine()) as conn:
        return repository.land_uses(conn, sorted(scoring.load_config().institutional_land_uses))


SPAN_STEP = 91  # reads are rounded up to whole quarters, so views of nearby lengths share one read


def _rounded(days: int) -> int:
    return -(-days // SPAN_STEP) * SPAN_STEP


def _span(filters: Filters, since: date | None) -> int:
    """Days of records a view needs: its window and the one before (the trend), the weekly
    chart's weeks, and the window before the last meeting (new since then)."""
    span = max(2 * filters.days, 7 * WEEKS + filters.days)
    if since is not None:
        span = max(span, (filters.end - since).days + filters.days + 1)
    return _rounded(span)


def _records(version: tuple, filters: Filters, since: date | None = None) -> pd.DataFrame:
    placed = window(version, filters.end, _span(filters, since))
    keep = placed["department"].isin(filters.departments)
    if filters.categories:
        keep &= placed["category"].isin(filters.categories)
    return placed[keep]


@st.cache_data(max_entries=32, show_spinner="Scoring properties…")
def hotspots(version: tuple, filters: Filters, listed: tuple[tuple[str, str], ...]) -> pd.DataFrame:
    """Every property with records in the window, scored (reasons for the flagged ones), with the
    facts of the flagged ones and whether each is new since the last meeting."""
    end = window_end(filters.end)
    config = scoring.load_config()
    config = config if filters.min_departments == config.min_departments else \
        _with_min_departments(config, filters.min_departments)
    with reading(data.engine()) as conn:
        last_meeting = repository.last_meeting_before(conn, filters.end)
    placed = _records(version, filters, last_meeting)
    damped = land_uses(version)
    scored = scoring.score_with_trend(placed, end, filters.days, properties=damped, institutions=dict(listed),
                                      config=config, explain="flagged")
    if last_meeting is not None:
        before = scoring.score(placed, window_end(last_meeting), filters.days, properties=damped,
                               institutions=dict(listed), config=config, explain=False)
        scored["new"] = scored["flagged"] & ~before["flagged"].reindex(scored.index).fillna(False).astype(bool)
    else:
        scored["new"] = scored["flagged"] & ~scored["previous_flagged"]
    with reading(data.engine()) as conn:
        facts = repository.property_facts(conn, scored.index[scored["flagged"]].tolist())
    scored = scored.join(facts.set_index("property_id"))
    if filters.wards:
        scored = scored[scored["ward"].astype(str).isin(filters.wards)]
    scored.attrs["compared_with"] = f"the meeting of {last_meeting:%B %-d, %Y}" if last_meeting else "the previous window"
    return scored


@st.cache_data(max_entries=16, show_spinner=False)
def weekly(version: tuple, filters: Filters) -> pd.DataFrame:
    with reading(data.engine()) as conn:
        last_meeting = repository.last_meeting_before(conn, filters.end)
    placed = _records(version, filters, last_meeting)
    return scoring.weekly_overlap(placed, window_end(filters.end), weeks=WEEKS, days=filters.days,
                                  min_departments=filters.min_departments)


def _with_min_departments(config: scoring.ScoringConfig, minimum: int) -> scoring.ScoringConfig:
    return replace(config, min_departments=minimum)


# --- pictures -------------------------------------------------------------------------------

LOW, HIGH = (253, 204, 138), (179, 0, 0)  # score colour ramp, light amber to dark red


def _colour(share: float) -> list[int]:
    return [round(low + (high - low) * share) for low, high in zip(LOW, HIGH)] + [210]


def hotspot_map(flagged: pd.DataFrame, density: bool = False) -> pdk.Deck | None:
    """Flagged properties coloured and sized by score; no basemap, so it draws with no internet."""
    located = flagged.dropna(subset=["lat", "lon"]).reset_index()
    if located.empty:
        return None
    top = max(float(located["score"].max()), 1e-9)
    located["colour"] = [_colour(s / top) for s in located["score"]]
    located["radius"] = 25 + 60 * located["score"] / top
    located["departments_text"] = [", ".join(scoring.DEPARTMENT_NAMES[d] for d in ds) for ds in located["departments"]]
    # highest score last, so it is drawn on top; the view opens on it
    points = located[["property_id", "address", "score", "departments_text", "lat", "lon", "colour", "radius"]
                     ].sort_values("score", kind="stable")
    layers = []
    if density:
        layers.append(pdk.Layer("HeatmapLayer", points, get_position=["lon", "lat"], get_weight="score",
                                radius_pixels=40, id="density"))
    layers.append(pdk.Layer("ScatterplotLayer", points, id="hotspots", get_position=["lon", "lat"],
                            get_fill_color="colour", get_radius="radius", radius_min_pixels=4, pickable=True,
                            stroked=True, get_line_color=[80, 0, 0, 200], line_width_min_pixels=1))
    top_point = points.iloc[-1]
    view = pdk.ViewState(latitude=float(top_point["lat"]), longitude=float(top_point["lon"]), zoom=13)
    return pdk.Deck(layers=layers, initial_view_state=view, map_provider=None,
                    tooltip={"text": "{address}\nscore {score}\n{departments_text}"})


def department_mix_chart(scored: pd.DataFrame) -> alt.Chart:
    mix = scoring.department_mix(scored)
    return (alt.Chart(mix).mark_bar(color="#b3261e")
            .encode(x=alt.X("properties:Q", title="Flagged properties with records"),
                    y=alt.Y("department:N", title=None, sort="-x"),
                    tooltip=["department", "properties"])
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
    departments = _list(params.get("dept"), scoring.DEPARTMENT_NAMES) or tuple(scoring.DEPARTMENT_NAMES)
    return Filters(end=end, days=days, departments=departments, min_departments=minimum,
                   categories=_list(params.get("cat"), categories), wards=_list(params.get("ward"), ward_list))


def write_url(filters: Filters) -> None:
    """Put the filters in the URL, so a copied link reproduces the view."""
    params = {"end": filters.end.isoformat(), "days": str(filters.days), "min": str(filters.min_departments)}
    if set(filters.departments) != set(scoring.DEPARTMENT_NAMES):
        params["dept"] = ",".join(filters.departments)
    if filters.categories:
        params["cat"] = ",".join(filters.categories)
    if filters.wards:
        params["ward"] = ",".join(filters.wards)
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)


@st.cache_data(max_entries=32, show_spinner=False)
def ranked(version: tuple, filters: Filters, listed: tuple[tuple[str, str], ...]) -> pd.DataFrame:
    """The ranked table of hotspots(...), built once per view."""
    scored = hotspots(version, filters, listed)
    return ranked_table(scored[scored["flagged"]])


def ranked_table(flagged: pd.DataFrame) -> pd.DataFrame:
    """The ranked list as the page shows it and exports it."""
    named = pd.DataFrame({
        "new": flagged["new"].map({True: "new", False: ""}),
        "rising": flagged["rising"].map({True: "rising", False: ""}),
        "chronic": flagged["chronic_nuisance"].map({True: "chronic nuisance", False: ""}),
        "institutional": flagged["institutional"].notna().map({True: "institutional", False: ""}),
    })
    flags = named.apply(lambda column: column.where(column == "", column + ", ")).sum(axis=1).str.rstrip(", ")
    labels = {combo: [scoring.DEPARTMENT_NAMES[d] for d in combo] for combo in set(flagged["departments"])}
    return pd.DataFrame({
        "Rank": range(1, len(flagged) + 1),
        "Open": "/property?property=" + flagged.index.to_series(),
        "Address": flagged["address"].to_numpy(),
        "Departments": flagged["departments"].map(labels).to_numpy(),
        **{scoring.DEPARTMENT_NAMES[d]: flagged[f"count_{d}"].to_numpy() for d in scoring.DEPARTMENT_NAMES},
        "Score": flagged["score"].to_numpy(),
        "Change": flagged["delta"].to_numpy(),
        "Flags": flags.to_numpy(),
        "Why": flagged["reasons"].map(" · ".join).to_numpy(),
        "Ward": flagged["ward"].to_numpy(),
        "Property id": flagged.index.to_numpy(),
    }).reset_index(drop=True)
