"""The coordination meeting's drawing: the decision form, a case's history and actions, and the
cached outcomes."""

from datetime import date

import pandas as pd
import streamlit as st

from integration import access, cases, minutes
from services import meetings
from ui import data
from ui import property as history_view
from ui.frame import exported, nothing_loaded
from vocabulary import AGENDA_SECTION_LABELS, CASE_STATUSES, DEPARTMENT_LABELS, MEETING_STATUS_LABELS


NEW = "A new meeting…"
NOTICE_KEY = "meeting-notice"
PICKER_KEY = "meeting-picked"
OPEN_KEY = "meeting-to-open"


def pick_meeting(listed: pd.DataFrame, in_progress: dict | None, can_start: bool) -> date | str | None:
    """The meeting chosen: the one in the URL, else the meeting in progress (the latest not closed),
    else a new one (or, for those who cannot start one, the latest); NEW for a new one, None when
    there is nothing to choose."""
    days = list(listed["held_on"]) if not listed.empty else []
    status = dict(zip(days, listed["status"])) if days else {}
    choices = ([NEW] if can_start else []) + days
    if not choices:
        st.selectbox("Meeting", ["No meeting yet"])
        return None
    asked = st.query_params.get("meeting")
    if OPEN_KEY in st.session_state:  # a meeting just started or opened
        st.session_state[PICKER_KEY] = st.session_state.pop(OPEN_KEY)
    if st.session_state.get(PICKER_KEY) not in choices:  # first run on this page: from the URL, else in progress
        wanted = next((day for day in days if str(day) == asked), None) or (in_progress or {}).get("held_on")
        st.session_state[PICKER_KEY] = wanted if wanted in choices else choices[0]
    picked = st.selectbox("Meeting", choices, key=PICKER_KEY, format_func=lambda c: c if c == NEW else
                          f"{pd.Timestamp(c):%B %-d, %Y} · {MEETING_STATUS_LABELS.get(status[c], status[c])}")
    if picked != NEW and in_progress is not None and picked == in_progress["held_on"] and asked is None:
        st.caption("The meeting in progress is open" + ("; choose another one above, or start a new one."
                                                           if can_start else "; choose another one above."))
    return picked


def nothing_to_meet_on() -> None:
    """The empty state of a meeting: no record to build an agenda from, and where they are loaded."""
    st.info("**There is nothing to put on an agenda yet.** A meeting's agenda is built from the departments' "
            "records: the flagged properties, the rising scores and the actions due.", icon=":material/event_busy:")
    nothing_loaded()


def notice(text: str) -> None:
    """Say `text` once, on the next run (after a rerun)."""
    st.session_state[NOTICE_KEY] = text


def show_notice() -> None:
    if NOTICE_KEY in st.session_state:
        st.info(st.session_state.pop(NOTICE_KEY), icon=":material/info:")


def new_meeting(engine, who: str, today: date) -> None:
    """The new-meeting form: a day and an agenda size; a day that has a meeting already is said
    before Start, and opens that meeting as it is."""
    left, middle, right = st.columns(3)
    day = left.date_input("Meeting date", today)
    size = middle.number_input("Agenda size", 5, 200, meetings.AGENDA_SIZE, step=5,
                               help="New on the list first, then rising, then actions due, then the rest")
    heading = right.number_input("Heading for the list", 0, 25, meetings.AGENDA_HEADING,
                                 help="Properties not flagged yet that the early warning ranks highest, added "
                                      "after the flagged ones (none before its first run)")
    held = meetings.meeting_on(engine, day)
    if held is not None:
        st.warning(f"There is already a meeting on {_long(day)} "
                   f"({MEETING_STATUS_LABELS.get(held['status'], held['status']).lower()}). A day has one meeting: "
                   "opening it keeps its agenda, decisions and attendees as they are.", icon=":material/event:")
    label = f"Open the meeting of {_long(day)}" if held is not None else "Start this meeting"
    if st.button(label, type="primary"):
        try:
            started = meetings.start_meeting(engine, day, who, int(size), int(heading))
        except meetings.NothingToMeetOn:
            nothing_to_meet_on()
            return
        notice(f"The meeting of {_long(day)} was started already: it is open as it was, with "
               f"{started.items} properties on its agenda." if started.existed else
               f"Agenda built: {started.items} properties.")
        st.query_params["meeting"] = str(day)
        st.session_state[OPEN_KEY] = day  # the picker shows it on the next run
        st.rerun()
    st.info("Start a meeting to build its agenda from the data: properties new on the list since the last "
            "meeting, properties whose score rose, open cases with actions due, the rest still flagged, then "
            "the properties heading for the list.")


def attendees(engine, current: dict, who: str, editable: bool) -> None:
    """Who attended: read by everyone; the lead records people (with the department each came for)
    and departments without a name, saved when Save is pressed."""
    recorded = current["attendees"]
    shown = [cases.attendee_label(attendee) for attendee in recorded]
    present = {attendee["department"] for attendee in recorded}
    if shown:
        st.markdown(f":material/groups: **Attendees** ({len(shown)}; {sum(d in present for d in DEPARTMENT_LABELS)} "
                    f"of {len(DEPARTMENT_LABELS)} departments): " + "; ".join(shown))
    else:
        st.markdown(":material/groups: **Attendees:** not recorded yet" +
                    ("" if editable else " (the integration team lead records them)"))
    if not editable:
        return
    with st.expander("Record who attended", expanded=not shown, icon=":material/edit:"):
        key = f"attendees-{current['meeting_id']}"
        with st.form(key):
            typed = st.data_editor(
                pd.DataFrame({"name": pd.Series([a["name"] or "" for a in recorded], dtype=object),
                              "department": pd.Series([a["department"] for a in recorded], dtype=object)}),
                num_rows="dynamic", hide_index=True, key=f"{key}-rows", width="stretch",
                column_config={"name": st.column_config.TextColumn("Name", max_chars=120),
                               "department": st.column_config.SelectboxColumn(
                                   "Department", options=list(DEPARTMENT_LABELS), format_func=DEPARTMENT_LABELS.get)})
            st.caption("One row a person, with the department they came for; a department without a name "
                       "counts as present.")
            if not st.form_submit_button("Save attendees"):
                return
        try:
            meetings.set_attendees(engine, current["meeting_id"], typed.to_dict("records"), who)
        except cases.DecisionError as problem:
            st.error(str(problem))
            return
    st.session_state.pop(f"{key}-rows", None)  # saved: the table starts again from what is stored
    st.rerun()


def agenda_panel(engine, items: pd.DataFrame, current: dict, who: str, leads: bool) -> None:
    """The agenda, editable by the lead before and during the meeting: order, drops, a rebuild from
    the data, a property added by hand."""
    meeting_id, active = current["meeting_id"], items[~items["dropped"]]
    with st.expander(f"Agenda: {len(active)} properties", expanded=False, icon=":material/list:"):
        edited = agenda_editor(items, f"agenda-{meeting_id}", editable=leads)
        if not leads:
            st.caption("The integration team lead edits the agenda.")
            return
        save, rebuild = st.columns(2)
        if save.button("Save order and drops"):
            order = edited.assign(property_id=items["property_id"].to_numpy()).sort_values("Order", kind="stable")
            dropped = {pid: bool(drop) for pid, drop, was in zip(items["property_id"], edited["Drop"], items["dropped"])
                       if bool(drop) != bool(was)}
            meetings.edit_agenda(engine, meeting_id, order["property_id"].tolist(), dropped, author=who)
            st.rerun()
        if rebuild.button("Rebuild from the data", help="Replaces the agenda, including changes made by hand"):
            meetings.build_agenda(engine, current["held_on"], who, max(len(active), meetings.AGENDA_SIZE))
            st.rerun()
        add = st.text_input("Add a property by hand (address or parcel id)")
        if add.strip():
            for row in history_view.suggest(data.data_version(), add.strip()).itertuples():
                if st.button(f"Add {row.address}", key=f"add-{row.property_id}"):
                    meetings.add_agenda_item(engine, meeting_id, row.property_id, who, why="Added by hand")
                    st.rerun()


def pick_item(active: pd.DataFrame) -> pd.Series:
    """The agenda item discussed, kept in the URL (item=property id) so a link away and back returns to it."""
    labels = [f"{n}. {row.address} · {AGENDA_SECTION_LABELS.get(row.section, row.section)}"
              for n, row in enumerate(active.itertuples(), 1)]
    ids = active["property_id"].tolist()
    asked = st.query_params.get("item")
    chosen = st.selectbox("Agenda item", range(len(labels)), format_func=labels.__getitem__, key="item",
                          index=ids.index(asked) if asked in ids else 0)
    st.query_params["item"] = ids[chosen]
    return active.iloc[chosen]


def item_header(item: pd.Series) -> None:
    """The item's address, why it is on the agenda, and the way to its whole property history."""
    st.header(item["address"])
    left, right = st.columns([3, 1], vertical_alignment="center")
    left.caption(f"{AGENDA_SECTION_LABELS.get(item['section'], item['section'])} · {item['why']}")
    # A page link, not a URL: it opens in this session, under any base path the server is given.
    right.page_link("pages/property.py", label="Property history", icon=":material/history:",
                    query_params={"property": item["property_id"]})


def decision(engine, property_id: str, case: dict | None, who: str, meeting_id: int) -> None:
    """The form of this meeting's decision on the property, saved against the case as it was shown."""
    form_key = f"decision-{meeting_id}-{property_id}"
    saved, changes, actions, note = decision_form(form_key, case)
    # The version this person was shown: a submit reruns the script, which would otherwise read the
    # case afresh and take someone else's newer save as the one this form was filled against.
    seen_key = f"{form_key}-seen"
    if not saved:
        st.session_state[seen_key] = case["version"] if case else 0
        return
    try:
        meetings.record_decision(engine, property_id, st.session_state.get(seen_key, 0), changes, actions,
                                 note.strip() or None, who, meeting_id)
    except meetings.StaleCase as stale:
        # Keep what was typed; the next save applies it on top of the version now stored.
        st.session_state[seen_key] = stale.current_version
        stale_warning(stale)
        return
    except ValueError as problem:  # cases.DecisionError: which row lacks what
        st.error(str(problem), icon=":material/error:")
        return
    for typed in (f"{form_key}-note", f"{form_key}-actions"):
        st.session_state.pop(typed, None)  # saved: start the next decision blank
    st.rerun()


def minutes_panel(engine, current: dict, who: str, user: access.User | None) -> None:
    """The minutes so far with their downloads, and the lead's Close (or Reopen) of the meeting."""
    record = meetings.minutes(engine, current["meeting_id"])
    st.subheader("Minutes")
    decided = sum(1 for i in record.items if i.decided)
    st.caption(f"{decided} {'property' if decided == 1 else 'properties'} decided at this meeting, for the people "
               f"who were not there. " + " ".join(minutes.attendance_lines(record)))
    if access.can(user, "export"):
        minutes_downloads(record, who, current["held_on"])
    if not access.can(user, "run_meeting"):
        return
    closed = current["status"] == "closed"
    if st.button("Reopen this meeting" if closed else "Close this meeting", icon=":material/event_available:",
                 help="A closed meeting is kept with its minutes; the Meeting page then opens a new one"
                 if not closed else "Makes it the meeting in progress again, if it is the latest"):
        meetings.close_meeting(engine, current["meeting_id"], who, closed=not closed)
        notice(f"The meeting of {_long(current['held_on'])} is {'open again' if closed else 'closed'}.")
        st.rerun()


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
    submitted, the changes, the new action rows as typed and the note."""
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
                "department": st.column_config.SelectboxColumn("Department", options=list(DEPARTMENT_LABELS),
                                                               format_func=DEPARTMENT_LABELS.get),
                "due_on": st.column_config.DateColumn("Due"),
            },
        )
        note = st.text_area("Note", max_chars=4000, key=f"{form_key}-note")
        saved = st.form_submit_button("Record decision", type="primary")
    # Every row as typed, in the form's order: the rules skip blank rows and name a row that lacks its action.
    actions = [{"what": row.what, "owner": row.owner, "department": row.department,
                "due_on": pd.Timestamp(row.due_on).date() if pd.notna(row.due_on) else None}
               for row in typed.itertuples()]
    return saved, {"status": status, "lead_department": lead}, actions, note


@st.cache_data(max_entries=8, show_spinner="Comparing before and after…")
def outcomes(version: tuple, case_state: tuple[int, int], days: int = 90) -> pd.DataFrame:
    """Records per department before and after each case opened (keyed by the data and the cases)."""
    return meetings.outcomes(data.engine(), days)


def cases_version() -> tuple[int, int]:
    return meetings.cases_version(data.engine())


def _long(day: date) -> str:
    return f"{pd.Timestamp(day):%B %-d, %Y}"
