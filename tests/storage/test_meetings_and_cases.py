"""Meetings, agendas and cases on both engines, through their use cases (services.meetings): no lost
update when two people edit one case."""

import threading
from datetime import date, datetime

import pandas as pd
import pytest
import sqlalchemy as sa

from integration.cases import build_agenda
from integration.minutes import minutes_frame
from services import meetings as service
from storage import casework, migrate, property_data
from storage.engine import create_engine, is_sqlite, reading, writing
from storage.casework import StaleCase
from storage.schema import audit_log, cases, meetings
from tests.conftest import engine_on_schema

DAY = date(2026, 11, 20)
PROPERTIES = ["P1", "P2", "P3", "P4"]


def _properties(engine, ids=PROPERTIES):
    rows = [dict(property_id=pid, parcel_id=None, address=f"{n}00 MAIN ST", city="LAKEPORT", state="WI", zip="53403",
                 lat=None, lon=None, land_use="RESIDENTIAL", ward="1", neighborhood=None, owner=None)
            for n, pid in enumerate(ids, 1)]
    with writing(engine) as conn:
        property_data.replace_properties(conn, rows, [])


def _case(engine, property_id="P1", meeting_id=None):
    return service.open_case(engine, property_id, "lead", meeting_id=meeting_id)


def _meeting(engine, day=DAY):
    return service.open_meeting(engine, day, "lead")


def _twin(engine):
    """A second engine on the same database, as a second app server would have."""
    url = engine.url.render_as_string(hide_password=False)
    if is_sqlite(engine):
        return create_engine(url)
    with engine.connect() as conn:
        search_path = conn.exec_driver_sql("SHOW search_path").scalar()
    return engine_on_schema(url, search_path)


# --- meetings and agendas -------------------------------------------------------------------


def test_a_meeting_is_got_or_created_by_date(engine):
    first = _meeting(engine)
    again = _meeting(engine)
    assert again["meeting_id"] == first["meeting_id"]
    assert (first["held_on"], first["status"], first["attendees"]) == (DAY, "planned", [])
    with pytest.raises(sa.exc.IntegrityError):  # held_on is unique in the database too
        with writing(engine) as conn:
            conn.execute(meetings.insert().values(held_on=DAY, status="planned", created_by="x",
                                                  created_at=datetime.now()))
    earlier = _meeting(engine, date(2026, 11, 6))
    service.set_attendees(engine, first["meeting_id"], [{"name": "Ann", "department": "police"}, {"name": " "},
                                                         {"name": "Bo", "department": "fire"}, {"department": "crm"}],
                          "lead")
    with reading(engine) as conn:
        listed = casework.list_meetings(conn)
        assert casework.previous_meeting(conn, DAY)["meeting_id"] == earlier["meeting_id"]
        assert casework.previous_meeting(conn, date(2026, 11, 6)) is None
        assert casework.last_meeting_before(conn, DAY) == date(2026, 11, 6)
        assert casework.get_meeting(conn, first["meeting_id"])["attendees"] == [
            {"name": "Ann", "department": "police"}, {"name": "Bo", "department": "fire"},
            {"name": None, "department": "crm"}]
        assert casework.get_meeting(conn, earlier["meeting_id"])["attendees"] == []
    assert listed["held_on"].tolist() == [DAY, date(2026, 11, 6)]


def test_the_meeting_in_progress_is_the_latest_not_closed(engine):
    _properties(engine)
    assert not service.records_loaded(engine)
    with pytest.raises(service.NothingToMeetOn, match="nothing to put on an agenda yet"):
        service.start_meeting(engine, DAY, "lead")
    assert service.meetings(engine).empty and service.current_meeting(engine) is None  # no empty meeting started
    earlier, later = _meeting(engine, date(2026, 11, 6)), _meeting(engine)
    service.save_agenda(engine, later["meeting_id"], [{"property_id": "P2", "section": "flagged"}], "lead")
    assert service.current_meeting(engine)["meeting_id"] == later["meeting_id"]
    assert service.close_meeting(engine, later["meeting_id"], "lead") is True
    assert service.close_meeting(engine, later["meeting_id"], "lead") is False  # closed once
    assert service.current_meeting(engine)["meeting_id"] == earlier["meeting_id"]
    # A day that has a meeting opens it as it is: no rebuild, even without records to build from.
    again = service.start_meeting(engine, DAY, "someone else")
    assert (again.existed, again.items, again.meeting["meeting_id"]) == (True, 1, later["meeting_id"])
    assert service.agenda(engine, later["meeting_id"])["property_id"].tolist() == ["P2"]
    assert service.close_meeting(engine, later["meeting_id"], "lead", closed=False) is True
    assert service.current_meeting(engine)["status"] == "planned"
    with reading(engine) as conn:
        actions = conn.execute(sa.select(audit_log.c.action, audit_log.c.target).where(
            audit_log.c.action.like("meeting_%")).order_by(audit_log.c.audit_id)).all()
    assert [tuple(row) for row in actions] == [
        ("meeting_open", "meeting:2026-11-06"), ("meeting_open", f"meeting:{DAY}"),
        ("meeting_close", f"meeting:{later['meeting_id']}"), ("meeting_reopen", f"meeting:{later['meeting_id']}")]


def _migrate(engine, command: str, revision: str) -> None:
    from alembic import command as commands
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        getattr(commands, command)(config, revision)


def test_attendees_recorded_before_their_table_move_into_it(engine):
    _migrate(engine, "downgrade", "0008")
    with writing(engine) as conn:
        for day, recorded in ((DAY, '["Ann Lee (Police)", "Bo Ng", "Fire", "Cy (Parks)"]'), (date(2026, 11, 6), None)):
            conn.execute(sa.text("INSERT INTO meetings (held_on, status, attendees, created_by, created_at) "
                                 "VALUES (:day, 'planned', :recorded, 'lead', :at)"),
                         {"day": day, "recorded": recorded, "at": datetime(2026, 11, 1)})
    migrate.upgrade(engine)
    moved = service.meeting_on(engine, DAY)["attendees"]
    assert moved == [{"name": "Ann Lee", "department": "police"}, {"name": "Bo Ng", "department": None},
                     {"name": None, "department": "fire"}, {"name": "Cy (Parks)", "department": None}]
    assert service.meeting_on(engine, date(2026, 11, 6))["attendees"] == []
    assert service.minutes(engine, service.meeting_on(engine, DAY)["meeting_id"]).attendees == (
        "Ann Lee (Police)", "Bo Ng", "Fire", "Cy (Parks)")
    _migrate(engine, "downgrade", "0008")
    with reading(engine) as conn:
        back = conn.execute(sa.text("SELECT attendees FROM meetings ORDER BY held_on")).scalars().all()
    assert back == [None, '["Ann Lee (Police)", "Bo Ng", "Fire", "Cy (Parks)"]']
    migrate.upgrade(engine)


def test_agenda_save_reorder_drop_and_add_by_hand(engine):
    _properties(engine)
    meeting_id = _meeting(engine)["meeting_id"]
    case = _case(engine, "P2")
    built = [
        {"property_id": "P1", "section": "new", "score": 20.5, "why": "New on the list"},
        {"property_id": "P2", "section": "rising", "score": 12.0},
        {"property_id": "P3", "section": "flagged", "score": 4.0},
        {"property_id": "P1", "section": "flagged", "score": 1.0},  # a property once: the first wins
    ]
    assert service.save_agenda(engine, meeting_id, built, "lead") == 3

    def agenda(include_dropped=False):
        with reading(engine) as conn:
            return casework.meeting_agenda(conn, meeting_id, include_dropped)

    saved = agenda()
    assert saved[["position", "property_id", "section", "score"]].values.tolist() == [
        [1, "P1", "new", 20.5], [2, "P2", "rising", 12.0], [3, "P3", "flagged", 4.0]]
    assert saved["address"].tolist() == ["100 MAIN ST", "200 MAIN ST", "300 MAIN ST"]
    assert saved.set_index("property_id").loc["P2", "case_id"] == case["case_id"]
    assert saved.set_index("property_id")["case_id"].isna().tolist() == [True, False, True]

    service.edit_agenda(engine, meeting_id, ["P3", "P1"], author="lead")
    assert agenda()["property_id"].tolist() == ["P3", "P1", "P2"]

    service.edit_agenda(engine, meeting_id, dropped={"P1": True}, author="lead")
    assert agenda()["property_id"].tolist() == ["P3", "P2"]
    assert agenda(include_dropped=True)["dropped"].tolist() == [False, True, False]

    service.add_agenda_item(engine, meeting_id, "P4", "lead", position=1)
    service.add_agenda_item(engine, meeting_id, "P1", "lead")  # dropped before: comes back in its place
    back = agenda()
    assert back["property_id"].tolist() == ["P4", "P3", "P1", "P2"]
    assert back["position"].tolist() == [1, 2, 3, 4]
    assert back.set_index("property_id").loc["P4", ["section", "added_by_hand"]].tolist() == ["added", True]

    service.save_agenda(engine, meeting_id, built[:1], "lead")  # rebuilding replaces the whole agenda
    assert agenda(include_dropped=True)["property_id"].tolist() == ["P1"]
    with reading(engine) as conn:
        assert casework.list_meetings(conn)["agenda_items"].tolist() == [1]
        actions = conn.execute(sa.select(audit_log.c.action).order_by(audit_log.c.audit_id)).scalars().all()
    assert actions == ["meeting_open", "case_open", "agenda_save", "agenda_reorder", "agenda_drop", "agenda_add",
                       "agenda_add", "agenda_save"]


# --- cases ----------------------------------------------------------------------------------


def test_one_open_case_per_property(engine):
    _properties(engine)
    first = _case(engine, "P1")
    assert _case(engine, "P1")["case_id"] == first["case_id"]
    assert first["status"] == "new" and first["version"] == 1
    assert [e["kind"] for e in first["events"]] == ["opened"]
    with pytest.raises(sa.exc.IntegrityError):  # the database refuses a second open case, too
        with writing(engine) as conn:
            conn.execute(cases.insert().values(property_id="P1", status="monitoring", opened_at=datetime.now(),
                                               version=1, updated_at=datetime.now()))
    service.record_decision(engine, "P1", 1, {"status": "resolved"}, author="lead")
    second = _case(engine, "P1")
    assert second["case_id"] != first["case_id"]
    with reading(engine) as conn:
        history = casework.cases_for_property(conn, "P1")
        assert casework.open_case_for(conn, "P1")["case_id"] == second["case_id"]
        assert casework.open_case_for(conn, "P2") is None
    assert [c["case_id"] for c in history] == [second["case_id"], first["case_id"]]
    assert history[1]["status"] == "resolved" and history[1]["closed_at"] is not None


def test_a_second_editor_is_told_what_changed_and_re_applies(engine):
    _properties(engine)
    meeting_id = _meeting(engine)["meeting_id"]
    case_id = _case(engine, "P1", meeting_id)["case_id"]
    with reading(engine) as first_conn, reading(engine) as second_conn:  # both open the case
        first_version = casework.get_case(first_conn, case_id)["version"]
        second_version = casework.get_case(second_conn, case_id)["version"]
    assert first_version == second_version == 1

    saved = service.record_decision(
        engine, "P1", first_version, {"status": "action_assigned"},
        [{"what": "Board up the rear door", "owner": "Ann", "department": "public_works",
          "due_on": date(2026, 12, 4)}], None, "ann", meeting_id)
    assert saved == 2

    with pytest.raises(StaleCase) as stale:
        service.record_decision(engine, "P1", second_version, {"lead_department": "fire"}, [],
                                "Owner says tenants moved out", "bo", meeting_id)
    told = stale.value
    assert (told.case_id, told.expected_version, told.current_version) == (case_id, 1, 2)
    assert [(e["kind"], e["author"], e["version"], e["meeting_id"]) for e in told.events] == [
        ("status", "ann", 2, meeting_id), ("action_added", "ann", 2, meeting_id)]
    assert told.events[0]["body"] == {"from": "new", "to": "action_assigned"}
    assert "ann" in str(told)

    with reading(engine) as conn:  # nothing of the refused save was written
        unchanged = casework.get_case(conn, case_id)
    assert (unchanged["version"], unchanged["lead_department"], len(unchanged["events"])) == (2, None, 3)

    # re-read, re-apply
    assert service.record_decision(engine, "P1", unchanged["version"], {"lead_department": "fire"}, [],
                                   "Owner says tenants moved out", "bo", meeting_id) == 3
    with reading(engine) as conn:
        final = casework.get_case(conn, case_id)
    assert (final["status"], final["lead_department"], final["version"]) == ("action_assigned", "fire", 3)
    assert [(e["kind"], e["author"], e["version"]) for e in final["events"]] == [
        ("opened", "lead", 1), ("status", "ann", 2), ("action_added", "ann", 2),
        ("lead_department", "bo", 3), ("note", "bo", 3)]
    assert {e["meeting_id"] for e in final["events"]} == {meeting_id}
    assert final["events"][-1]["body"] == {"text": "Owner says tenants moved out"}
    assert [(a["what"], a["owner"], a["due_on"], a["meeting_id"]) for a in final["actions"]] == [
        ("Board up the rear door", "Ann", date(2026, 12, 4), meeting_id)]


RACE_ROUNDS = 10


def test_racing_saves_on_one_version_exactly_one_wins(engine):
    _properties(engine)
    case_id = _case(engine, "P1")["case_id"]
    read_done = threading.Barrier(2, timeout=60)
    outcomes: dict[str, list] = {"A": [], "B": []}
    errors: list[BaseException] = []

    def editor(name: str, status: str) -> None:
        own = _twin(engine)  # each editor its own engine and connections
        try:
            for _round in range(RACE_ROUNDS):
                with reading(own) as conn:
                    version = casework.get_case(conn, case_id)["version"]
                read_done.wait()  # both hold the same version before either saves
                try:
                    with writing(own) as conn:
                        casework.record_decision(conn, case_id, version, {"status": status}, [],
                                                   f"{name} round {_round}", name)
                    outcomes[name].append(("saved", version))
                except StaleCase as stale:
                    outcomes[name].append(("stale", version, stale.current_version))
                read_done.wait()  # the next round starts when both are done
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
            read_done.abort()
        finally:
            own.dispose()

    threads = [threading.Thread(target=editor, args=("A", "monitoring")),
               threading.Thread(target=editor, args=("B", "referred"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for a, b in zip(outcomes["A"], outcomes["B"]):
        assert a[1] == b[1]  # the same version read
        assert sorted([a[0], b[0]]) == ["saved", "stale"]
        loser = a if a[0] == "stale" else b
        assert loser[2] == loser[1] + 1  # told the version the winner made
    with reading(engine) as conn:
        final = casework.get_case(conn, case_id)
    assert final["version"] == 1 + RACE_ROUNDS
    notes = [e for e in final["events"] if e["kind"] == "note"]
    assert [e["version"] for e in notes] == list(range(2, 2 + RACE_ROUNDS))  # one winner per version, none lost


def test_a_save_that_waited_for_another_is_refused_with_its_events(engine):
    # The first save holds its transaction open while the second starts: on PostgreSQL the second
    # still reads version 1 and blocks on the row; on SQLite it waits for the write lock.
    _properties(engine)
    case_id = _case(engine, "P1")["case_id"]
    result: list = []
    second = _twin(engine)

    def save_second() -> None:
        try:
            with writing(second) as conn:
                result.append(casework.record_decision(conn, case_id, 1, {"status": "referred"}, [], None, "bo"))
        except StaleCase as stale:
            result.append(stale)

    with writing(engine) as conn:
        casework.record_decision(conn, case_id, 1, {"status": "monitoring"}, [], "keep watching", "ann")
        waiting = threading.Thread(target=save_second)
        waiting.start()
        waiting.join(timeout=0.5)
        assert waiting.is_alive()  # blocked behind the first save
    waiting.join()
    second.dispose()
    assert len(result) == 1 and isinstance(result[0], StaleCase)
    assert [(e["kind"], e["author"]) for e in result[0].events] == [("status", "ann"), ("note", "ann")]
    with reading(engine) as conn:
        case = casework.get_case(conn, case_id)
    assert (case["status"], case["version"]) == ("monitoring", 2)


def test_actions_done_and_open_actions_overdue_first(engine):
    _properties(engine)
    first_meeting = _meeting(engine, date(2026, 11, 6))["meeting_id"]
    meeting_id = _meeting(engine)["meeting_id"]
    one = _case(engine, "P1")
    two = _case(engine, "P2")
    service.record_decision(engine, "P1", 1, {"status": "action_assigned"}, [
        {"what": "Inspect", "owner": "Ann", "department": "public_works", "due_on": date(2026, 12, 1)},
        {"what": "Call owner", "owner": "Bo", "department": "police", "due_on": date(2026, 11, 10)},
        {"what": "Someday", "owner": "Ann", "department": "public_works"},
    ], None, "lead", first_meeting)
    service.add_action(engine, two["case_id"], {"what": "Check alarm", "owner": "Cy", "department": "fire",
                                                "due_on": date(2026, 11, 1)}, "lead", first_meeting)
    service.add_action(engine, two["case_id"], {"what": "Due today", "owner": "Cy", "department": "fire",
                                                "due_on": DAY}, "lead", first_meeting)
    with reading(engine) as conn:
        open_now = casework.open_actions(conn, as_of=DAY)
        public_works = casework.open_actions(conn, department="public_works", as_of=DAY)
        cy = casework.open_actions(conn, owner="Cy", as_of=DAY)
    assert open_now["what"].tolist() == ["Check alarm", "Call owner", "Due today", "Inspect", "Someday"]
    assert open_now["overdue"].tolist() == [True, True, False, False, False]
    assert open_now["address"].tolist()[:2] == ["200 MAIN ST", "100 MAIN ST"]
    assert public_works["what"].tolist() == ["Inspect", "Someday"]
    assert cy["what"].tolist() == ["Check alarm", "Due today"]

    call_owner = int(open_now.loc[open_now["what"] == "Call owner", "action_id"].iloc[0])
    assert service.mark_action_done(engine, call_owner, "bo", meeting_id) is True
    assert service.mark_action_done(engine, call_owner, "someone", meeting_id) is False  # once only
    with reading(engine) as conn:
        after = casework.open_actions(conn, as_of=DAY)
        case = casework.get_case(conn, one["case_id"])
    assert "Call owner" not in after["what"].tolist()
    done = next(a for a in case["actions"] if a["action_id"] == call_owner)
    assert done["done_by"] == "bo" and done["done_at"] is not None
    last = case["events"][-1]
    assert (last["kind"], last["author"], last["meeting_id"], last["version"]) == ("action_done", "bo", meeting_id, 3)
    assert last["body"] == {"action_id": call_owner, "what": "Call owner"}
    assert case["version"] == 3
    assert [e["meeting_id"] for e in case["events"]] == [None, first_meeting, first_meeting, first_meeting,
                                                         first_meeting, meeting_id]


def test_reopen_a_resolved_case(engine):
    _properties(engine)
    case_id = _case(engine, "P1")["case_id"]
    version = service.record_decision(engine, "P1", 1, {"status": "resolved"}, author="lead")
    with pytest.raises(ValueError, match="new or monitoring"):
        service.reopen_case(engine, case_id, "lead", "flagged again", status="referred")
    assert service.reopen_case(engine, case_id, "lead", "flagged again on new records") == version + 1
    with reading(engine) as conn:
        case = casework.get_case(conn, case_id)
        resolved = casework.list_cases(conn, ["resolved"])
        listed = casework.list_cases(conn)
    assert (case["status"], case["closed_at"]) == ("new", None)
    assert case["events"][-1]["kind"] == "reopened"
    assert case["events"][-1]["body"]["reason"] == "flagged again on new records"
    assert resolved.empty
    assert listed[["case_id", "property_id", "status"]].values.tolist() == [[case_id, "P1", "new"]]
    assert listed["opened_at"].notna().all()
    with pytest.raises(ValueError, match="not resolved"):
        service.reopen_case(engine, case_id, "lead", "again")


@pytest.mark.parametrize("changes, actions, message", [
    ({"status": "closed"}, [], "not a case status"),
    ({"owner": "x"}, [], "not owner"),
    ({"lead_department": "parks"}, [], "not a department"),
    ({}, [{"what": "", "owner": "J. Ruiz"}], "row 1 has an owner but does not say what is to be done"),
    ({}, [{"what": "Board up"}, {"what": " ", "department": "fire", "due_on": date(2026, 12, 1)}],
     "row 2 has a department and a due date but does not say what is to be done"),
    ({}, [{"what": "Board up"}, {"what": "Call", "department": "parks"}], "row 2: 'parks' is not a department"),
    ({"status": "action_assigned"}, [], "“Action assigned” needs an action"),
    ({"status": "action_assigned"}, [{"what": None, "owner": " ", "due_on": None}], "“Action assigned” needs an action"),
])
def test_a_bad_decision_writes_nothing(sqlite_engine, changes, actions, message):
    _properties(sqlite_engine)
    case_id = _case(sqlite_engine, "P1")["case_id"]
    with pytest.raises(ValueError, match=message):
        service.record_decision(sqlite_engine, "P1", 1, changes, actions, None, "lead")
    with reading(sqlite_engine) as conn:
        case = casework.get_case(conn, case_id)
    assert (case["version"], case["actions"]) == (1, [])


def test_action_assigned_needs_an_action_not_done(engine):
    _properties(engine)
    # A decision that opens the case: refused without an action, and no case is opened.
    with pytest.raises(ValueError, match="needs an action"):
        service.record_decision(engine, "P1", 0, {"status": "action_assigned"}, [{"what": ""}], None, "lead")
    assert service.case_of(engine, "P1") is None
    version = service.record_decision(engine, "P1", 0, {"status": "action_assigned"},
                                      [{"what": "Board up", "owner": "Crew 4"}, {}], None, "lead")
    case = service.case_of(engine, "P1")
    assert [action["what"] for action in case["actions"]] == ["Board up"]  # the blank row is no action
    # The case keeps an action open: a later decision may stay "Action assigned" without a new one ...
    version = service.record_decision(engine, "P1", version, {"status": "action_assigned"}, [], "still on it", "lead")
    # ... until the action is done.
    service.mark_action_done(engine, case["actions"][0]["action_id"], "lead")
    with pytest.raises(ValueError, match="this case has none open"):
        service.record_decision(engine, "P1", version + 1, {"status": "action_assigned"}, [], None, "lead")
    assert service.case_of(engine, "P1")["version"] == version + 1


def test_minutes_of_a_meeting(engine):
    _properties(engine)
    earlier = _meeting(engine, date(2026, 11, 6))["meeting_id"]
    meeting_id = _meeting(engine)["meeting_id"]
    _case(engine, "P1", earlier)
    _case(engine, "P2", meeting_id)
    service.record_decision(engine, "P1", 1, {"status": "monitoring"}, [], "first look", "lead", earlier)
    service.save_agenda(engine, meeting_id, [{"property_id": pid, "section": "flagged"} for pid in PROPERTIES[:3]],
                        "lead")
    service.record_decision(engine, "P1", 2, {"status": "action_assigned", "lead_department": "police"},
                            [{"what": "Knock and talk", "owner": "Ofc. Diaz", "department": "police",
                              "due_on": date(2026, 12, 4)}], "=cmd|' /C calc'!A0", "lead", meeting_id)
    service.record_decision(engine, "P2", 1, {}, [], None, "lead", meeting_id)
    service.add_agenda_item(engine, meeting_id, "P4", "lead")
    service.edit_agenda(engine, meeting_id, dropped={"P4": True}, author="lead")
    minutes = service.minutes(engine, meeting_id)
    assert [(i.property_id, i.decided, i.status) for i in minutes.items] == [
        ("P1", True, "action_assigned"), ("P2", True, "new"), ("P3", False, None)]
    first = minutes.items[0]
    assert (first.lead_department, first.changed, first.notes) == ("police", ("status", "lead_department"),
                                                                   ("=cmd|' /C calc'!A0",))
    assert [a.what for a in first.actions] == ["Knock and talk"]  # not last meeting's note or actions
    frame = minutes_frame(minutes)
    assert frame["property_id"].tolist() == ["P1", "P2", "P3"]


def test_two_people_opening_the_same_case_at_once_get_one_case(engine, monkeypatch):
    # Both looked before either inserted: the database's one-open-case rule decides, and the
    # loser's transaction carries on with the winner's case.
    _properties(engine)
    winner = _case(engine, "P1")
    looked = iter([None])
    real = casework.open_case_for
    monkeypatch.setattr(casework, "open_case_for", lambda conn, pid: next(looked, None) or real(conn, pid))
    with writing(engine) as conn:
        found = casework.open_case(conn, "P1", "bo")
        casework.insert_meeting(conn, DAY, "bo")  # the transaction is still usable
    assert found["case_id"] == winner["case_id"]
    with reading(engine) as conn:
        assert len(casework.cases_for_property(conn, "P1")) == 1


def test_the_built_agenda_saves_as_it_is(engine):
    _properties(engine)
    meeting_id = _meeting(engine)["meeting_id"]
    scored = pd.DataFrame({"score": [9.5, 7.0, 3.0], "flagged": [True, True, True], "new": [False, True, False],
                           "rising": [True, False, False], "previous_score": [2.0, 0.0, 3.0]},
                          index=pd.Index(["P1", "P2", "P3"], name="property_id"))
    agenda = build_agenda(scored, [], [], None, DAY)
    service.save_agenda(engine, meeting_id, agenda, "lead")
    with reading(engine) as conn:
        saved = casework.meeting_agenda(conn, meeting_id)
    assert saved[["property_id", "section", "score", "why"]].values.tolist() == [
        ["P2", "new", 7.0, "New on the list since the previous window"],
        ["P1", "rising", 9.5, "Score rose from 2.0 to 9.5"],
        ["P3", "flagged", 3.0, "Still flagged"]]


def test_a_closed_meeting_takes_no_decision_until_reopened(engine):
    _properties(engine)
    held = _meeting(engine)
    service.close_meeting(engine, held["meeting_id"], "lead")
    with pytest.raises(service.MeetingClosed, match="is closed: reopen it"):
        service.record_decision(engine, "P1", 0, {"status": "monitoring"}, author="lead", meeting_id=held["meeting_id"])
    assert service.case_of(engine, "P1") is None  # nothing written, not even the case it would have opened
    service.close_meeting(engine, held["meeting_id"], "lead", closed=False)
    assert service.record_decision(engine, "P1", 0, {"status": "monitoring"}, author="lead",
                                   meeting_id=held["meeting_id"]) >= 1
    assert service.case_of(engine, "P1")["status"] == "monitoring"
