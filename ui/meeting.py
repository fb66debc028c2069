"""The coordination meeting's drawing: the decision form, a case's history and actions, and the
cached outcomes."""

from datetime import date

import pandas as pd
import streamlit as st

from integration import cases
from services import meetings
from ui import data
from vocabulary import CASE_STATUSES, DEPARTMENT_LABELS


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
    last = meetings.previous_meeting(data.engine(), meeting_day)
    start = pd.Timestamp(last["held_on"]) if last else pd.Timestamp(meeting_day) - pd.Timedelta(days=90)
    occurred = pd.to_datetime(history["occurred_at"])
    return history[(occurred > start) & (occurred <= pd.Timestamp(meeting_day) + pd.Timedelta(days=1))]


def decision_form(form_key: str, case: dict | None) -> tuple[bool, dict, list[dict], str]:
    """The form of this meeting's decision on a property, starting from its case: whether it was
    submitted, the changes, the new actions (rows with something to do) and the note."""
    with st.form(form_key):
        # Keyed, so what was chosen survives the case changing underneath (a stale save keeps it).
        status = st.selectbox("Status", CASE_STATUSES, format_func=cases.status_label, key=f"{form_key}-status",
                              index=CASE_STATUSES.index(case["status"]) if case else 0)
        leads = [None, *DEPARTMENT_LABELS]
        lead = st.selectbox("Lead department", leads, format_func=lambda d: "–" if d is None else DEPARTMENT_LABELS[d],
                            index=leads.index(case["lead_department"]) if case and case["lead_department"] in leads
                            else 0, key=f"{form_key}-lead")
        typed = st.data_editor(
            pd.DataFrame({"what": pd.Series(dtype=str), "owner": pd.Series(dtype=str),
                          "department": pd.Series(dtype=str), "due_on": pd.Series(dtype="datetime64[ns]")}),
            num_rows="dynamic", hide_index=True, key=f"{form_key}-actions",
            column_config={
                "what": st.column_config.TextColumn("New action", required=True),
                "owner": st.column_config.TextColumn("Owner"),
                "department": st.column_config.SelectboxColumn("Department", options=list(DEPARTMENT_LABELS)),
                "due_on": st.column_config.DateColumn("Due"),
            },
        )
        note = st.text_area("Note", max_chars=4000, key=f"{form_key}-note")
        saved = st.form_submit_button("Record decision", type="primary")
    actions = [{"what": row.what, "owner": row.owner or None, "department": row.department or None,
                "due_on": pd.Timestamp(row.due_on).date() if pd.notna(row.due_on) else None}
               for row in typed.itertuples() if isinstance(row.what, str) and row.what.strip()]
    return saved, {"status": status, "lead_department": lead}, actions, note


@st.cache_data(max_entries=8, show_spinner="Comparing before and after…")
def outcomes(version: tuple, case_state: tuple[int, int], days: int = 90) -> pd.DataFrame:
    """Records per department before and after each case opened (keyed by the data and the cases)."""
    return meetings.outcomes(data.engine(), days)


def cases_version() -> tuple[int, int]:
    return meetings.cases_version(data.engine())
