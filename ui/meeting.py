"""The coordination meeting: building its agenda from the data, and the reads its pages show."""

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from integration import cases
from storage import repository
from storage.engine import reading, writing
from ui import data, hotspots


def default_filters(meeting_day: date) -> hotspots.Filters | None:
    """The hotspots view a meeting works from: the default window ending at the meeting (or at the
    last record, when the data stops before it)."""
    _first, last_day = hotspots.date_range(data.data_version())
    if last_day is None:
        return None
    return hotspots.default_filters(min(meeting_day, last_day))


AGENDA_SIZE = 25  # what a two-hour meeting of the team can go through


def build_agenda(meeting: dict, author: str, size: int = AGENDA_SIZE) -> int:
    """Reopen resolved cases that flag again, then write the meeting's agenda from the data: new on
    the list, rising, actions due, the rest still flagged; at most `size` items, chosen by
    cases.trim_agenda. Returns the number of items."""
    filters = default_filters(meeting["held_on"])
    if filters is None:
        return 0
    scored = hotspots.hotspots(data.data_version(), filters, hotspots.institutions())
    end = hotspots.window_end(filters.end)
    engine = data.engine()
    with reading(engine) as conn:
        placed = repository.placed_records(conn, end - timedelta(days=filters.days), end)
        resolved = repository.list_cases(conn, ["resolved"])
        last = repository.previous_meeting(conn, meeting["held_on"])
    with writing(engine) as conn:
        for case_id in cases.cases_to_reopen(resolved, scored, placed):
            repository.reopen_case(conn, case_id, author, "flagged again", meeting_id=meeting["meeting_id"])
        agenda = cases.build_agenda(scored, repository.list_cases(conn, list(cases.OPEN_STATUSES)),
                                    repository.open_actions(conn, as_of=meeting["held_on"]),
                                    last["held_on"] if last else None, meeting["held_on"])
        return repository.save_agenda(conn, meeting["meeting_id"], cases.trim_agenda(agenda, size), author)


def agenda(meeting_id: int, include_dropped: bool = True) -> pd.DataFrame:
    """Read uncached: the lead edits it during the meeting."""
    with reading(data.engine()) as conn:
        return repository.meeting_agenda(conn, meeting_id, include_dropped=include_dropped)


def case_of(property_id: str) -> dict | None:
    with reading(data.engine()) as conn:
        return repository.open_case_for(conn, property_id)


def history_lines(case: dict) -> list[str]:
    """The case's history as it happened, one line an event."""
    lines = []
    for event in case["events"]:
        meeting = f" · meeting {event['meeting_id']}" if event.get("meeting_id") else ""
        lines.append(f"{pd.Timestamp(event['at']):%Y-%m-%d %H:%M} · {event['author']}{meeting} · "
                     f"{cases.describe_event(event)}")
    return lines


def actions_table(actions: list[dict]) -> pd.DataFrame:
    if not actions:
        return pd.DataFrame(columns=["What", "Owner", "Department", "Due", "Done"])
    frame = pd.DataFrame(actions)
    return pd.DataFrame({
        "What": frame["what"],
        "Owner": frame["owner"].fillna(""),
        "Department": frame["department"].map(cases.department_label),
        "Due": frame["due_on"],
        "Done": frame["done_at"].map(lambda at: "" if pd.isna(at) else f"{pd.Timestamp(at):%Y-%m-%d}"),
    })


def since_last_meeting(history: pd.DataFrame, meeting_day: date) -> pd.DataFrame:
    """The property's records since the meeting before this one (or the last 90 days)."""
    with reading(data.engine()) as conn:
        last = repository.previous_meeting(conn, meeting_day)
    start = pd.Timestamp(last["held_on"]) if last else pd.Timestamp(meeting_day) - pd.Timedelta(days=90)
    occurred = pd.to_datetime(history["occurred_at"])
    return history[(occurred > start) & (occurred <= pd.Timestamp(meeting_day) + pd.Timedelta(days=1))]


def cases_version() -> tuple[int, int]:
    with reading(data.engine()) as conn:
        return repository.cases_version(conn)


@st.cache_data(max_entries=8, show_spinner="Comparing before and after…")
def outcomes(version: tuple, case_state: tuple[int, int], days: int = 90) -> pd.DataFrame:
    """Records per department before and after each case opened (keyed by the data and the cases)."""
    with reading(data.engine()) as conn:
        all_cases = repository.list_cases(conn)
        if all_cases.empty:
            return pd.DataFrame()
        first = pd.to_datetime(all_cases["opened_at"]).min() - pd.Timedelta(days=days)
        _start, last = repository.record_date_range(conn)
        placed = repository.placed_records(conn, first.to_pydatetime(), pd.Timestamp(last).to_pydatetime())
    return cases.outcomes(placed, all_cases, days=days)
