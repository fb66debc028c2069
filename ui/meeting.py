"""The coordination meeting's drawing: the decision form, a case's history and actions, and the
cached outcomes."""

from datetime import date

import pandas as pd
import streamlit as st

from integration import access, cases, minutes
from services import meetings
from ui import data
from ui import property as history_view
from ui.frame import exported
from vocabulary import AGENDA_SECTION_LABELS, CASE_STATUSES, DEPARTMENT_LABELS


NEW = "A new meeting…"


def pick_meeting(days: list[date], can_start: bool) -> date | str | None:
    """The meeting chosen (its day; the one in the URL first), NEW for a new one, None when there
    is nothing to choose."""
    choices = ([NEW] if can_start else []) + list(days)
    if not choices:
        st.selectbox("Meeting", ["No meeting yet"])
        return None
    requested = [str(day) for day in days].index(st.query_params["meeting"]) \
        if st.query_params.get("meeting") in {str(day) for day in days} else None
    start = 0 if requested is None else requested + (1 if can_start else 0)
    return st.selectbox("Meeting", choices, index=start,
                        format_func=lambda c: c if c == NEW else f"{pd.Timestamp(c):%B %-d, %Y}")


def new_meeting_form(today: date, size: int) -> tuple[date, int] | None:
    """The day and agenda size of a new meeting, when the lead presses Start."""
    left, right = st.columns(2)
    day = left.date_input("Meeting date", today)
    size = right.number_input("Agenda size", 5, 200, size, step=5,
                              help="New on the list first, then rising, then actions due, then the rest")
    return (day, int(size)) if st.button("Start this meeting", type="primary") else None


def attendees_input(attendees: list[str], key: str, editable: bool) -> list[str] | None:
    """Who attended, as the lead types it (comma separated); the new names when they changed."""
    if not editable:
        return None
    shown = [cases.attendee_label(attendee) for attendee in attendees]
    typed = st.text_input("Attendees (comma separated)", ", ".join(shown), key=key)
    names = [name.strip() for name in typed.split(",") if name.strip()]
    return names if names != shown else None


def case_so_far(case: dict | None, marks_done: bool) -> int | None:
    """The property's open case: status, lead, actions (each with a Done button when `marks_done`)
    and history; returns the action_id whose Done was pressed."""
    st.subheader("So far")
    if case is None:
        st.caption("No open case: recording a decision opens one.")
        return None
    st.markdown(f"**{cases.status_label(case['status'])}** · lead "
                f"{cases.department_label(case['lead_department']) or 'not set'} · version {case['version']}")
    st.dataframe(actions_table(case["actions"]), hide_index=True)
    pressed = None
    for action in [a for a in case["actions"] if a["done_at"] is None and marks_done]:
        if st.button(f"Done: {action['what']}", key=f"done-{action['action_id']}", icon=":material/check:"):
            pressed = action["action_id"]
    with st.expander("Case history"):
        for line in history_lines(case):
            st.text(line)
    return pressed


def agenda_editor(items: pd.DataFrame, key: str, editable: bool) -> pd.DataFrame:
    """The agenda as a table the lead reorders (Order) and trims (Drop); returns it as edited."""
    return st.data_editor(
        pd.DataFrame({"Order": range(1, len(items) + 1), "Address": items["address"],
                      "Section": items["section"].map(AGENDA_SECTION_LABELS), "Score": items["score"],
                      "Why": items["why"], "Drop": items["dropped"].astype(bool)}),
        hide_index=True, disabled=["Address", "Section", "Score", "Why"] if editable else True, key=key,
        column_config={"Order": st.column_config.NumberColumn(min_value=1, step=1),
                       "Score": st.column_config.NumberColumn(format="%.1f")})


def property_summary(version: tuple, property_id: str, viewer: access.User | None, meeting_day: date) -> None:
    """The property's score by department, its reasons, and its records since the last meeting."""
    _found, history = history_view.history(version, property_id, viewer)
    scored = history_view.explanation(version, property_id)
    figures = st.columns(5)
    figures[0].metric("Score", f"{scored['score']:.1f}" if scored is not None else "–")
    for column, (department, label) in zip(figures[1:], DEPARTMENT_LABELS.items()):
        column.metric(label, int(scored[f"count_{department}"]) if scored is not None else 0,
                      help="Records in the scoring window")
    if scored is not None:
        st.caption(" · ".join(scored["reasons"]))
    recent = since_last_meeting(history, meeting_day)
    if not recent.empty:
        st.altair_chart(history_view.timeline(recent), width="stretch")


def stale_warning(stale: meetings.StaleCase) -> None:
    st.warning("Someone else saved this case after you opened it; nothing of yours was saved. "
               "Their changes:\n\n" + "\n".join(f"- {cases.describe_event(e)} ({e['author']})" for e in stale.events)
               + "\n\nCheck your decision against them and press **Record decision** again.")


def minutes_downloads(record: minutes.Minutes, who: str, meeting_day: date) -> None:
    """The minutes as PDF, CSV and XLSX, each made (and audited) when pressed."""
    downloads = st.columns([1, 1, 1, 3])
    stamp = f"{meeting_day:%Y-%m-%d}"
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    for column, (kind, make, mime, icon) in zip(downloads, [
            ("PDF", minutes.to_pdf, "application/pdf", ":material/picture_as_pdf:"),
            ("CSV", minutes.to_csv, "text/csv", ":material/download:"),
            ("XLSX", minutes.to_xlsx, xlsx, ":material/download:")]):
        column.download_button(kind, exported(stamp, f"minutes {kind}", lambda make=make: make(record, who)),
                               f"minutes-{stamp}.{kind.lower()}", mime, icon=icon, on_click="ignore")


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
