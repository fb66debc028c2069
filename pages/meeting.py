"""The biweekly coordination meeting: its agenda from the data, one screen per property, the minutes."""

from datetime import date

import streamlit as st

from integration import access
from services import meetings
from ui import data, meeting
from ui.frame import current_user, page_setup

user = page_setup(__file__)

st.title("Coordination meeting")
who = current_user()
engine = data.engine()
leads = access.can(user, "run_meeting")
decides = access.can(user, "edit_cases")

meeting.show_notice()
picked = meeting.pick_meeting(meetings.meetings(engine), meetings.current_meeting(engine), can_start=leads)
if picked is None:
    if not meetings.records_loaded(engine):
        meeting.nothing_to_meet_on()
    else:
        st.info("No meeting has been held yet; the integration team lead starts one.")
    st.stop()
if picked == meeting.NEW:
    if not meetings.records_loaded(engine):
        meeting.nothing_to_meet_on()
    else:
        meeting.new_meeting(engine, who, date.today())
    st.stop()

current = meetings.meeting_on(engine, picked)
meeting_id = current["meeting_id"]
if st.query_params.get("meeting") != str(current["held_on"]):
    st.query_params.pop("item", None)  # an item of another meeting
st.query_params["meeting"] = str(current["held_on"])
meeting.attendees(engine, current, who, editable=leads)

items = meetings.agenda(engine, meeting_id)
if items.empty:
    st.info("This meeting has no agenda yet.")
    if leads and st.button("Build the agenda from the data", type="primary"):
        try:
            meetings.build_agenda(engine, current["held_on"], who)
            st.rerun()
        except meetings.NothingToMeetOn:
            meeting.nothing_to_meet_on()
    st.stop()

meeting.agenda_panel(engine, items, current, who, leads)
active = items[~items["dropped"]]
if active.empty:
    st.info("Every item of this agenda was dropped. Open the agenda above to bring some back.")
    st.stop()

# --- one property at a time -----------------------------------------------------------------
item = meeting.pick_item(active)
property_id = item["property_id"]
meeting.item_header(item)
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
    if decides and current["status"] == "closed":
        st.caption("This meeting is closed: reopen it (below) to record a decision in it.")
    elif decides:
        meeting.decision(engine, property_id, case, who, meeting_id)
    else:
        st.caption("Your role can follow the meeting; the integration team records its decisions.")

# --- minutes ---------------------------------------------------------------------------------
st.divider()
meeting.minutes_panel(engine, current, who, user)
