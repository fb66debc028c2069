"""The biweekly coordination meeting: its agenda from the data, one screen per property, the minutes."""

from datetime import date

import pandas as pd
import streamlit as st

from integration import access, cases, minutes, scoring
from services import meetings
from ui import data, meeting
from ui import property as history_view
from ui.frame import current_user, exported, page_setup

user = page_setup("Meeting", ":material/groups:", permission="view_meeting")

st.title("Coordination meeting")
who = current_user()
engine = data.engine()
leads = access.can(user, "run_meeting")
decides = access.can(user, "edit_cases")

held = meetings.meetings(engine)
days = [str(d) for d in held["held_on"]]
choices = (["A new meeting…"] if leads else []) + [f"{pd.Timestamp(d):%B %-d, %Y}" for d in held["held_on"]]
requested = st.query_params.get("meeting")
start = days.index(requested) + (1 if leads else 0) if requested in days else 0
picked = st.selectbox("Meeting", choices or ["No meeting yet"], index=start)
if picked == "No meeting yet":
    st.info("No meeting has been held yet; the integration team lead starts one.")
    st.stop()
if picked == "A new meeting…":
    left, right = st.columns(2)
    day = left.date_input("Meeting date", date.today())
    size = right.number_input("Agenda size", 5, 200, meetings.AGENDA_SIZE, step=5,
                              help="New on the list first, then rising, then actions due, then the rest")
    if st.button("Start this meeting", type="primary"):
        count = meetings.build_agenda(engine, day, who, int(size))
        st.query_params["meeting"] = str(day)
        st.toast(f"Agenda built: {count} properties")
        st.rerun()
    st.info("Start a meeting to build its agenda from the data: properties new on the list since the last "
            "meeting, properties whose score rose, open cases with actions due, then the rest still flagged.")
    st.stop()

current = meetings.meeting_on(engine, held["held_on"].iloc[choices.index(picked) - (1 if leads else 0)])
meeting_id = current["meeting_id"]
st.query_params["meeting"] = str(current["held_on"])
items = meetings.agenda(engine, meeting_id)
if items.empty:
    st.info("This meeting has no agenda yet.")
    if leads and st.button("Build the agenda from the data", type="primary"):
        meetings.build_agenda(engine, current["held_on"], who)
        st.rerun()
    st.stop()

# --- the agenda, editable before the meeting -------------------------------------------------
active = items[~items["dropped"]]
with st.expander(f"Agenda: {len(active)} properties", expanded=False, icon=":material/list:"):
    edited = st.data_editor(
        pd.DataFrame({"Order": range(1, len(items) + 1), "Address": items["address"],
                      "Section": items["section"].map(cases.SECTION_LABELS), "Score": items["score"],
                      "Why": items["why"], "Drop": items["dropped"].astype(bool)}),
        hide_index=True, disabled=True if not leads else ["Address", "Section", "Score", "Why"],
        key=f"agenda-{meeting_id}", column_config={"Order": st.column_config.NumberColumn(min_value=1, step=1),
                                                   "Score": st.column_config.NumberColumn(format="%.1f")})
    if not leads:
        st.caption("The integration team lead edits the agenda.")
    save, rebuild = st.columns(2)
    if leads and save.button("Save order and drops"):
        order = edited.assign(property_id=items["property_id"].to_numpy()).sort_values("Order", kind="stable")
        meetings.edit_agenda(engine, meeting_id, order["property_id"].tolist(),
                             {pid: bool(drop) for pid, drop, was in zip(items["property_id"], edited["Drop"],
                                                                          items["dropped"]) if bool(drop) != bool(was)},
                             who)
        st.rerun()
    if leads and rebuild.button("Rebuild from the data", help="Replaces the agenda, including changes made by hand"):
        meetings.build_agenda(engine, current["held_on"], who, max(len(active), meetings.AGENDA_SIZE))
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
version = data.data_version()
_found, history = history_view.history(version, property_id, user)
scored = history_view.explanation(version, property_id)
figures = st.columns(5)
figures[0].metric("Score", f"{scored['score']:.1f}" if scored is not None else "–")
for column, (department, label) in zip(figures[1:], scoring.DEPARTMENT_NAMES.items()):
    column.metric(label, int(scored[f"count_{department}"]) if scored is not None else 0,
                  help="Records in the scoring window")
if scored is not None:
    st.caption(" · ".join(scored["reasons"]))
recent = meeting.since_last_meeting(history, current["held_on"])
if not recent.empty:
    st.altair_chart(history_view.timeline(recent), width="stretch")

case = meetings.case_of(engine, property_id)
left, right = st.columns(2)
with left:
    st.subheader("So far")
    if case is None:
        st.caption("No open case: recording a decision opens one.")
    else:
        st.markdown(f"**{cases.status_label(case['status'])}** · lead "
                    f"{cases.department_label(case['lead_department']) or 'not set'} · version {case['version']}")
        st.dataframe(meeting.actions_table(case["actions"]), hide_index=True)
        for action in [a for a in case["actions"] if a["done_at"] is None and decides]:
            if st.button(f"Done: {action['what']}", key=f"done-{action['action_id']}", icon=":material/check:"):
                meetings.mark_action_done(engine, action["action_id"], who, meeting_id)
                st.rerun()
        with st.expander("Case history"):
            for line in meeting.history_lines(case):
                st.text(line)

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
                st.warning("Someone else saved this case after you opened it; nothing of yours was saved. "
                           "Their changes:\n\n" + "\n".join(f"- {cases.describe_event(e)} ({e['author']})"
                                                            for e in stale.events)
                           + "\n\nCheck your decision against them and press **Record decision** again.")
            except (ValueError, cases.DecisionError) as problem:
                st.error(str(problem))

# --- minutes ---------------------------------------------------------------------------------
st.divider()
record = meetings.minutes(engine, meeting_id)
st.subheader("Minutes")
st.caption(f"{sum(1 for i in record.items if i.decided)} properties decided at this meeting, "
           f"for the people who were not there.")
if leads:
    named = st.text_input("Attendees (comma separated)", ", ".join(current["attendees"]), key=f"attendees-{meeting_id}")
    if [n.strip() for n in named.split(",") if n.strip()] != current["attendees"]:
        meetings.set_attendees(engine, meeting_id, named.split(","), who)
        st.rerun()
if not access.can(user, "export"):
    st.stop()
downloads = st.columns([1, 1, 1, 3])
stamp = f"{current['held_on']:%Y-%m-%d}"
downloads[0].download_button("PDF", exported(stamp, "minutes PDF", lambda: minutes.to_pdf(record, who)),
                             f"minutes-{stamp}.pdf", "application/pdf", icon=":material/picture_as_pdf:",
                             on_click="ignore")
downloads[1].download_button("CSV", exported(stamp, "minutes CSV", lambda: minutes.to_csv(record, who)),
                             f"minutes-{stamp}.csv", "text/csv", icon=":material/download:",
                             on_click="ignore")
downloads[2].download_button("XLSX", exported(stamp, "minutes XLSX", lambda: minutes.to_xlsx(record, who)),
                             f"minutes-{stamp}.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                             icon=":material/download:", on_click="ignore")
