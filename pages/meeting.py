"""The biweekly coordination meeting: its agenda from the data, one screen per property, the minutes."""

from datetime import date

import streamlit as st

from integration import access, cases
from services import meetings
from ui import data, meeting
from ui import property as history_view
from ui.frame import current_user, page_setup

user = page_setup(__file__)

st.title("Coordination meeting")
who = current_user()
engine = data.engine()
leads = access.can(user, "run_meeting")
decides = access.can(user, "edit_cases")

picked = meeting.pick_meeting(meetings.meetings(engine)["held_on"].tolist(), can_start=leads)
if picked is None:
    st.info("No meeting has been held yet; the integration team lead starts one.")
    st.stop()
if picked == meeting.NEW:
    started = meeting.new_meeting_form(date.today(), meetings.AGENDA_SIZE)
    if started is not None:
        day, size = started
        count = meetings.build_agenda(engine, day, who, size, reader=data.reader())
        st.query_params["meeting"] = str(day)
        st.toast(f"Agenda built: {count} properties")
        st.rerun()
    st.info("Start a meeting to build its agenda from the data: properties new on the list since the last "
            "meeting, properties whose score rose, open cases with actions due, then the rest still flagged.")
    st.stop()

current = meetings.meeting_on(engine, picked)
meeting_id = current["meeting_id"]
st.query_params["meeting"] = str(current["held_on"])
items = meetings.agenda(engine, meeting_id)
if items.empty:
    st.info("This meeting has no agenda yet.")
    if leads and st.button("Build the agenda from the data", type="primary"):
        meetings.build_agenda(engine, current["held_on"], who, reader=data.reader())
        st.rerun()
    st.stop()

# --- the agenda, editable before the meeting -------------------------------------------------
active = items[~items["dropped"]]
with st.expander(f"Agenda: {len(active)} properties", expanded=False, icon=":material/list:"):
    edited = meeting.agenda_editor(items, f"agenda-{meeting_id}", editable=leads)
    if not leads:
        st.caption("The integration team lead edits the agenda.")
    save, rebuild = st.columns(2)
    if leads and save.button("Save order and drops"):
        order = edited.assign(property_id=items["property_id"].to_numpy()).sort_values("Order", kind="stable")
        meetings.edit_agenda(engine, meeting_id, order["property_id"].tolist(),
                             {pid: bool(drop) for pid, drop, was in zip(items["property_id"], edited["Drop"],
                                                                          items["dropped"]) if bool(drop) != bool(was)},
                             author=who)
        st.rerun()
    if leads and rebuild.button("Rebuild from the data", help="Replaces the agenda, including changes made by hand"):
        meetings.build_agenda(engine, current["held_on"], who, max(len(active), meetings.AGENDA_SIZE), data.reader())
        st.rerun()
    add = st.text_input("Add a property by hand (address or parcel id)", disabled=not leads)
    if leads and add.strip():
        for row in history_view.suggest(data.data_version(), add.strip()).itertuples():
            if st.button(f"Add {row.address}", key=f"add-{row.property_id}"):
                meetings.add_agenda_item(engine, meeting_id, row.property_id, who, why="Added by hand")
                st.rerun()

if active.empty:
    st.info("Every item of this agenda was dropped. Open the agenda above to bring some back.")
    st.stop()

# --- one property at a time -----------------------------------------------------------------
labels = [f"{n}. {row.address} · {cases.SECTION_LABELS.get(row.section, row.section)}"
          for n, row in enumerate(active.itertuples(), 1)]
item = active.iloc[st.selectbox("Agenda item", range(len(labels)), format_func=labels.__getitem__, key="item")]
property_id = item["property_id"]

st.header(item["address"])
st.caption(f"{cases.SECTION_LABELS.get(item['section'], item['section'])} · {item['why']} · "
           f"[property history](/property?property={property_id})")
meeting.property_summary(data.data_version(), property_id, user, current["held_on"])

case = meetings.case_of(engine, property_id)
left, right = st.columns(2)
with left:
    done = meeting.case_so_far(case, marks_done=decides)
    if done is not None:
        meetings.mark_action_done(engine, done, who, meeting_id)
        st.rerun()

with right:
    st.subheader("This meeting's decision")
    if not decides:
        st.caption("Your role can follow the meeting; the integration team records its decisions.")
    else:
        form_key = f"decision-{meeting_id}-{property_id}"
        saved, changes, actions, note = meeting.decision_form(form_key, case)
        # The version this person was shown: a submit reruns the script, which would otherwise read the
        # case afresh and take someone else's newer save as the one this form was filled against.
        seen_key = f"{form_key}-seen"
        if not saved:
            st.session_state[seen_key] = case["version"] if case else 0
        else:
            try:
                meetings.record_decision(engine, property_id, st.session_state.get(seen_key, 0), changes, actions,
                                         note.strip() or None, who, meeting_id)
                for typed in (f"{form_key}-note", f"{form_key}-actions"):
                    st.session_state.pop(typed, None)  # saved: start the next decision blank
                st.rerun()
            except meetings.StaleCase as stale:
                # Keep what was typed; the next save applies it on top of the version now stored.
                st.session_state[seen_key] = stale.current_version
                meeting.stale_warning(stale)
            except (ValueError, cases.DecisionError) as problem:
                st.error(str(problem))

# --- minutes ---------------------------------------------------------------------------------
st.divider()
record = meetings.minutes(engine, meeting_id)
st.subheader("Minutes")
st.caption(f"{sum(1 for i in record.items if i.decided)} properties decided at this meeting, "
           f"for the people who were not there.")
attendees = meeting.attendees_input(current["attendees"], f"attendees-{meeting_id}", editable=leads)
if attendees is not None:
    meetings.set_attendees(engine, meeting_id, attendees, who)
    st.rerun()
if access.can(user, "export"):
    meeting.minutes_downloads(record, who, current["held_on"])
