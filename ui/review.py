"""Match review: cached reads for the page, and its tables."""

import json

import pandas as pd
import streamlit as st

from integration import access
from services import review
from ui import data, maps, views


@st.cache_data(max_entries=16, show_spinner=False)
def groups(version: tuple, department: str | None, limit: int) -> pd.DataFrame:
    return review.groups(data.engine(), department, limit)


@st.cache_data(max_entries=32, show_spinner=False)
def summary(version: tuple, department: str | None, statuses: tuple[str, ...]) -> dict[str, int]:
    return review.summary(data.engine(), department, statuses)


@st.cache_data(max_entries=64, show_spinner=False)
def group_records(version: tuple, viewer: access.User | None, department: str, normalized: str) -> pd.DataFrame:
    return review.group_records(data.engine(), viewer, department, normalized)


@st.cache_data(max_entries=64, show_spinner=False)
def candidates(version: tuple, candidates_json: str | None) -> pd.DataFrame:
    return review.candidates(data.engine(), candidates_json)


@st.cache_data(max_entries=64, show_spinner=False)
def properties_within(version: tuple, box: tuple[float, float, float, float]) -> pd.DataFrame:
    return review.properties_within(data.engine(), box)


@st.cache_data(max_entries=16, show_spinner=False)
def decisions(version: tuple, department: str | None) -> pd.DataFrame:
    return review.decisions(data.engine(), department, limit=100)


def groups_table(shown: pd.DataFrame) -> pd.DataFrame:
    """The groups as listed: department, address, status, records, an example and the best candidate."""
    best = shown["candidates"].map(lambda text: json.loads(text)[0] if isinstance(text, str) else None)
    return pd.DataFrame({
        "Department": shown["department"].map(views.department_label),
        "Address (normalised)": shown["normalized"],
        "Status": shown["status"].map(views.STATUS_LABELS),
        "Records": shown["records"],
        "As written, e.g.": shown["example"],
        "Best candidate": best.map(lambda c: f"{c['address']} ({c['score']:.2f})" if c else None),
    })


def decisions_table(made: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "When": made["decided_at"],
        "Department": made["department"].map(views.department_label),
        "Address": made["normalized"],
        "Decision": made["decision"].map(views.DECISION_LABELS),
        "Property": made["property_address"],
        "By": made["decided_by"],
        "Note": made["note"],
    })


def records_table(records: pd.DataFrame, total: int) -> None:
    """A group's records, newest first, as the department wrote them."""
    st.markdown(f"**Records** ({len(records):,}{' newest' if len(records) < total else ''})")
    st.dataframe(records[["source_record_id", "occurred_at", "category", "status", "address"]], hide_index=True,
                 height=min(38 + 35 * len(records), 250), column_config={
                     "source_record_id": "Record id",
                     "occurred_at": st.column_config.DatetimeColumn("Date", format="YYYY-MM-DD HH:mm"),
                     "category": "Category", "status": "Status", "address": "Address as written"})


def chosen(groups: pd.DataFrame, statuses: list[str], search: str) -> pd.DataFrame:
    """The groups of these statuses whose address, as normalised or as written, contains `search`."""
    shown = groups[groups["status"].isin(statuses)]
    if search:
        shown = shown[shown["normalized"].str.contains(search, case=False, regex=False)
                      | shown["example"].fillna("").str.contains(search, case=False, regex=False)]
    return shown.reset_index(drop=True)


def candidates_map(version: tuple, candidates: pd.DataFrame, records: pd.DataFrame) -> None:
    """The candidates, the records where the department's coordinates put them, and the properties around."""
    box_points = pd.concat([candidates[["lat", "lon"]], records[["lat", "lon"]]]).dropna()
    around = properties_within(version, maps.bounding_box(box_points)) if not box_points.empty else None
    deck = maps.candidates_map(candidates, records, around)
    if deck is None:
        st.caption("Neither the candidates nor the records have a location to map.")
        return
    st.pydeck_chart(deck, height=360)
    reported = records[["lat", "lon"]].notna().all(axis=1).any()
    st.caption("Red: the candidates, numbered as listed. "
               + ("Blue: where the department's own coordinates put the records. " if reported else "")
               + "Grey: the properties around.")
