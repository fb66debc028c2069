"""A coordination meeting run end to end through the pages, and the follow-up pages."""

import json
from datetime import date

import pandas as pd
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from tests.app.apptest import open_page

from integration import minutes
from services import meetings
from storage import casework, property_data
from storage.engine import create_engine, reading
from storage.schema import audit_log

FIRST, SECOND = date(2026, 10, 20), date(2026, 11, 3)


def page(path: str, monkeypatch, url: str, **query) -> AppTest:
    return open_page(path, monkeypatch, url, **query)


def button(app: AppTest, label: str):
    return next(found for found in app.button if found.label.startswith(label))


def start_meeting(app: AppTest, day: date) -> AppTest:
    app.selectbox[0].select("A new meeting…").run()
    app.date_input[0].set_value(day).run()
    return button(app, "Start this meeting").click().run()


def decide(app: AppTest, position: int, status: str, lead: str, action: dict | None, note: str,
           reopen: bool = True) -> AppTest:
    """Fill the decision form of an agenda item and submit it (reopen: select the item first)."""
    if reopen:
        app.selectbox(key="item").set_value(position).run()
    status_box = next(box for box in app.selectbox if box.label == "Status")
    lead_box = next(box for box in app.selectbox if box.label == "Lead department")
    status_box.set_value(status)
    lead_box.set_value(lead)
    editor_key = next(frame.key for frame in app.data_editor if frame.key and frame.key.endswith("-actions"))
    app.session_state[editor_key] = {"edited_rows": {}, "deleted_rows": [],
                                     "added_rows": [action] if action else []}
    next(area for area in app.text_area if area.label == "Note").input(note)
    return next(button for button in app.button if button.label == "Record decision").click().run()


def test_a_meeting_from_agenda_to_minutes_and_the_follow_up(monkeypatch, city_copy_url):
    engine = create_engine(city_copy_url)

    app = page("pages/meeting.py", monkeypatch, city_copy_url)
    assert not app.exception
    assert "Start a meeting to build its agenda" in app.info[0].value
    app = start_meeting(app, FIRST)
    assert not app.exception
    with reading(engine) as conn:
        held = casework.meeting_on(conn, FIRST)
        agenda = casework.meeting_agenda(conn, held["meeting_id"])
    assert 3 < len(agenda) <= 25  # the default agenda size
    assert list(agenda["section"]) == sorted(agenda["section"], key=["new", "rising", "actions_due", "flagged",
                                                                      "added"].index)

    # decisions on three properties, one with an action due before the next meeting
    app = decide(app, 0, "action_assigned", "public_works",
                 {"what": "Inspect for junk and debris", "owner": "J. Ruiz", "department": "public_works",
                  "due_on": "2026-10-30"}, "Owner contacted by phone")
    assert not app.exception, app.exception
    app = decide(app, 1, "monitoring", "police", None, "Watch for more calls")
    app = decide(app, 2, "referred", "fire", None, "<script>alert('x')</script>")
    assert not app.exception
    with reading(engine) as conn:
        decided = [casework.open_case_for(conn, pid) for pid in agenda["property_id"][:3]]
    record = meetings.minutes(engine, held["meeting_id"])
    assert [case["status"] for case in decided] == ["action_assigned", "monitoring", "referred"]
    assert decided[0]["actions"][0]["what"] == "Inspect for junk and debris"
    assert all(event["meeting_id"] == held["meeting_id"] for case in decided for event in case["events"])
    assert sum(item.decided for item in record.items) == 3
    labels = [button.label for button in app.get("download_button")]
    assert labels[:3] == ["PDF", "CSV", "XLSX"]
    pdf = minutes.to_pdf(record, "test", compress=False)
    assert pdf.startswith(b"%PDF") and b"Inspect for junk and debris" in pdf

    # the next meeting: the action is overdue, it is on the agenda, and it is marked done there
    app = start_meeting(app, SECOND)
    assert not app.exception
    with reading(engine) as conn:
        second = casework.meeting_on(conn, SECOND)
        agenda = casework.meeting_agenda(conn, second["meeting_id"])
    first_property = decided[0]["property_id"]
    assert first_property in set(agenda["property_id"])
    app.selectbox(key="item").set_value(agenda["property_id"].tolist().index(first_property)).run()
    done = next(button for button in app.button if button.label == "Done: Inspect for junk and debris")
    app = done.click().run()
    assert not app.exception
    with reading(engine) as conn:
        case = casework.open_case_for(conn, first_property)
    assert case["actions"][0]["done_at"] is not None
    assert case["events"][-1]["kind"] == "action_done" and case["events"][-1]["meeting_id"] == second["meeting_id"]


def test_a_second_editor_is_told_what_changed_and_nothing_is_lost(monkeypatch, city_copy_url):
    engine = create_engine(city_copy_url)
    app = start_meeting(page("pages/meeting.py", monkeypatch, city_copy_url), FIRST)
    with reading(engine) as conn:
        held = casework.meeting_on(conn, FIRST)
        property_id = casework.meeting_agenda(conn, held["meeting_id"])["property_id"].iloc[0]
    app = decide(app, 0, "monitoring", "police", None, "first look")
    # Both people open the case at this version; the other person saves first.
    other = page("pages/meeting.py", monkeypatch, city_copy_url, meeting=str(FIRST))
    with reading(engine) as conn:
        case = casework.open_case_for(conn, property_id)
    meetings.record_decision(engine, property_id, case["version"], {"status": "referred"}, (), "by the other",
                             "someone else", held["meeting_id"])
    # This person filled the form on the screen they had open, without reloading it.
    app = decide(app, 0, "action_assigned", "fire", {"what": "Fire inspection", "owner": None, "department": "fire",
                                                     "due_on": None}, "mine", reopen=False)
    assert "Someone else saved this case" in app.warning[0].value
    assert "Referred" in app.warning[0].value
    with reading(engine) as conn:
        assert casework.open_case_for(conn, property_id)["status"] == "referred"  # theirs is kept
    app = next(button for button in app.button if button.label == "Record decision").click().run()
    with reading(engine) as conn:
        case = casework.open_case_for(conn, property_id)
    assert case["status"] == "action_assigned"
    notes = [event["body"].get("text") for event in case["events"] if event["kind"] == "note"]
    assert notes == ["first look", "by the other", "mine"]
    assert not other.exception


def test_actions_and_outcomes_pages(monkeypatch, city_copy_url):
    engine = create_engine(city_copy_url)
    assert "No open actions" in page("pages/actions.py", monkeypatch, city_copy_url).info[0].value
    assert "No property has become a case" in page("pages/outcomes.py", monkeypatch, city_copy_url).info[0].value
    held = meetings.open_meeting(engine, FIRST, "lead")
    with reading(engine) as conn:
        master = property_data.property_master(conn)
    case = meetings.open_case(engine, master["property_id"].iloc[0], "lead", meeting_id=held["meeting_id"],
                              opened_at=pd.Timestamp("2026-06-01").to_pydatetime())
    meetings.add_action(engine, case["case_id"], {"what": "Board up", "owner": "Crew 4",
                                                  "department": "public_works", "due_on": date(2026, 6, 15)},
                        "lead", held["meeting_id"])
    actions = page("pages/actions.py", monkeypatch, city_copy_url)
    assert not actions.exception
    table = actions.dataframe[0].value
    assert table[["What", "Owner", "Overdue"]].values.tolist() == [["Board up", "Crew 4", "overdue"]]
    outcomes = page("pages/outcomes.py", monkeypatch, city_copy_url)
    assert not outcomes.exception
    assert {m.label: m.value for m in outcomes.metric}["Cases"] == "1"


def test_the_lead_records_who_attended_and_the_minutes_print_them(monkeypatch, city_copy_url):
    engine = create_engine(city_copy_url)
    app = start_meeting(page("pages/meeting.py", monkeypatch, city_copy_url), FIRST)
    held = meetings.meeting_on(engine, FIRST)
    assert ":material/groups: **Attendees:** not recorded yet" in [text.value for text in app.markdown]
    rows = [{"name": "Ann Lee", "department": "police"}, {"name": "Bo Ng", "department": "fire"},
            {"name": None, "department": "crm"}, {"name": "  ", "department": None}, {"name": "Cy Park"}]
    app.session_state[f"attendees-{held['meeting_id']}-rows"] = {"edited_rows": {}, "deleted_rows": [],
                                                                 "added_rows": rows}
    app = button(app, "Save attendees").click().run()
    assert not app.exception, app.exception
    held = meetings.meeting_on(engine, FIRST)
    assert held["attendees"] == [{"name": "Ann Lee", "department": "police"}, {"name": "Bo Ng", "department": "fire"},
                                 {"name": None, "department": "crm"}, {"name": "Cy Park", "department": None}]
    assert (":material/groups: **Attendees** (4; 3 of 4 departments): Ann Lee (Police); Bo Ng (Fire); "
            "Customer Service; Cy Park") in [text.value for text in app.markdown]
    pdf = minutes.to_pdf(meetings.minutes(engine, held["meeting_id"]), "test", compress=False)
    assert b"Attendees: Ann Lee \\(Police\\), Bo Ng \\(Fire\\), Customer Service, Cy Park" in pdf
    assert b"Departments present: Police, Fire, Customer Service; not present: Public Works" in pdf
    with reading(engine) as conn:
        audited = conn.execute(sa.select(audit_log.c.detail).where(audit_log.c.action == "meeting_attendees")).scalars()
        assert [json.loads(detail) for detail in audited] == [
            ["Ann Lee (Police)", "Bo Ng (Fire)", "Customer Service", "Cy Park"]]
    # A viewer reads who attended, and cannot change it.
    viewer = page("pages/meeting.py", monkeypatch, city_copy_url, user="viewer", meeting=str(FIRST))
    assert not viewer.exception and "Minutes" in [header.value for header in viewer.subheader]
    assert any("Ann Lee (Police); Bo Ng (Fire); Customer Service; Cy Park" in text.value for text in viewer.markdown)
    assert not [found for found in viewer.button if found.label == "Save attendees"]
    assert "Record who attended" not in [expander.label for expander in viewer.expander]


def test_returning_to_the_page_opens_the_meeting_in_progress(monkeypatch, city_copy_url):
    engine = create_engine(city_copy_url)
    start_meeting(page("pages/meeting.py", monkeypatch, city_copy_url), FIRST)
    for user in ("admin", "viewer"):
        again = page("pages/meeting.py", monkeypatch, city_copy_url, user=user)  # from the sidebar: no query
        assert not again.exception
        assert again.selectbox[0].value == FIRST
        assert "The meeting in progress is open" in again.caption[0].value
    # Closed, it is kept, and the lead is offered a new meeting; a viewer sees the latest.
    again = button(page("pages/meeting.py", monkeypatch, city_copy_url), "Close this meeting").click().run()
    assert "is closed" in again.info[0].value
    assert meetings.meeting_on(engine, FIRST)["status"] == "closed" and meetings.current_meeting(engine) is None
    lead = page("pages/meeting.py", monkeypatch, city_copy_url)
    assert lead.selectbox[0].value == "A new meeting…"
    assert "October 20, 2026 · Closed" in lead.selectbox[0].options
    assert page("pages/meeting.py", monkeypatch, city_copy_url, user="viewer").selectbox[0].value == FIRST
    # Opened again, the closed meeting shows its agenda but takes no decision until it is reopened.
    closed = page("pages/meeting.py", monkeypatch, city_copy_url, meeting=str(FIRST))
    assert not closed.exception
    assert not [found for found in closed.button if found.label == "Record decision"]
    assert any("This meeting is closed: reopen it" in found.value for found in closed.caption)


def test_starting_a_meeting_on_a_day_that_has_one_opens_it_as_it_is(monkeypatch, city_copy_url):
    engine = create_engine(city_copy_url)
    app = start_meeting(page("pages/meeting.py", monkeypatch, city_copy_url), FIRST)
    held = meetings.meeting_on(engine, FIRST)
    first, second = meetings.agenda(engine, held["meeting_id"])["property_id"].iloc[:2]
    meetings.edit_agenda(engine, held["meeting_id"], [second, first], {first: True}, author="lead")
    app.selectbox[0].select("A new meeting…").run()
    app.date_input[0].set_value(FIRST).run()
    assert "There is already a meeting on October 20, 2026 (in progress)" in app.warning[0].value
    assert not [found for found in app.button if found.label == "Start this meeting"]
    app = button(app, "Open the meeting of October 20, 2026").click().run()
    assert not app.exception
    assert "was started already: it is open as it was" in app.info[0].value
    assert app.selectbox[0].value == FIRST
    kept = meetings.agenda(engine, held["meeting_id"])  # the hand edit is kept: no rebuild
    assert kept["property_id"].iloc[:2].tolist() == [second, first] and kept["dropped"].iloc[1]
    assert len(meetings.meetings(engine)) == 1


def test_an_empty_city_has_nothing_to_put_on_an_agenda(monkeypatch, empty_db_url):
    app = open_page("pages/meeting.py", monkeypatch, empty_db_url, user="admin")
    assert not app.exception
    assert "There is nothing to put on an agenda yet" in app.info[0].value
    assert not [found for found in app.button if found.label == "Start this meeting"]
    assert meetings.meetings(create_engine(empty_db_url)).empty


def test_a_decision_without_its_action_is_refused_by_row(monkeypatch, city_copy_url):
    engine = create_engine(city_copy_url)
    app = start_meeting(page("pages/meeting.py", monkeypatch, city_copy_url), FIRST)
    property_id = meetings.agenda(engine, meetings.meeting_on(engine, FIRST)["meeting_id"])["property_id"].iloc[0]
    app = decide(app, 0, "action_assigned", "police", None, "no action typed")
    assert "“Action assigned” needs an action" in app.error[0].value
    assert meetings.case_of(engine, property_id) is None
    app = decide(app, 0, "monitoring", "police", {"what": None, "owner": "J. Ruiz", "department": None,
                                                  "due_on": None}, "owner only", reopen=False)
    assert "new action row 1 has an owner but does not say what is to be done" in app.error[0].value
    assert meetings.case_of(engine, property_id) is None
    # What was typed is still there to be completed.
    assert next(area for area in app.text_area if area.label == "Note").value == "owner only"
