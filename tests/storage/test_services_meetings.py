"""The meeting's use cases run without Streamlit: on the small sample city, and from the command line."""

from datetime import date

import pytest
import sqlalchemy as sa

from services import early_warning, meetings
from services.__main__ import main
from storage.engine import create_engine, reading
from storage.schema import audit_log
from tests.conftest import copy_sqlite

DAY = date(2026, 11, 3)


@pytest.fixture
def city(city_db_url, tmp_path):
    url = copy_sqlite(city_db_url, tmp_path / "city.db")
    engine = create_engine(url)
    with reading(engine) as conn:  # the rows of loading the city, before the meeting's
        loaded = conn.execute(sa.select(sa.func.max(audit_log.c.audit_id))).scalar() or 0
    yield url, engine, loaded
    engine.dispose()


def _audit(engine, since: int) -> list[tuple[str, str, str]]:
    """The audit rows written since the city was loaded."""
    with reading(engine) as conn:
        rows = conn.execute(sa.select(audit_log.c.user_name, audit_log.c.action, audit_log.c.target)
                            .where(audit_log.c.audit_id > since).order_by(audit_log.c.audit_id)).all()
    return [tuple(row) for row in rows]


def _built(engine, size: int) -> tuple[int, list[str]]:
    """A meeting on DAY with its agenda built: its id and the agenda's properties."""
    meetings.build_agenda(engine, DAY, "lead", size=size)
    meeting_id = meetings.meeting_on(engine, DAY)["meeting_id"]
    return meeting_id, meetings.agenda(engine, meeting_id)["property_id"].tolist()


def test_build_agenda_opens_the_meeting_once_and_writes_the_agenda(city):
    _url, engine, loaded = city
    assert meetings.build_agenda(engine, DAY, "lead", size=10) == 10
    held = meetings.meeting_on(engine, DAY)
    items = meetings.agenda(engine, held["meeting_id"])
    assert len(items) == 10 and items["position"].tolist() == list(range(1, 11))
    assert meetings.build_agenda(engine, DAY, "lead", size=5) == 5  # a rebuild replaces it
    target = f"meeting:{held['meeting_id']}"
    assert _audit(engine, loaded) == [("lead", "meeting_open", f"meeting:{DAY}"), ("lead", "agenda_save", target),
                              ("lead", "agenda_save", target)]
    assert meetings.meetings(engine)["agenda_items"].tolist() == [5]


def test_the_lead_edits_the_agenda_in_one_transaction(city):
    _url, engine, loaded = city
    meeting_id, (first, second, third, fourth) = _built(engine, 4)
    meetings.edit_agenda(engine, meeting_id, [third, first], {second: True}, author="lead")
    edited = meetings.agenda(engine, meeting_id)
    assert edited["property_id"].tolist() == [third, first, second, fourth]
    assert edited["dropped"].tolist() == [False, False, True, False]
    assert [action for _who, action, _target in _audit(engine, loaded)][-2:] == ["agenda_reorder", "agenda_drop"]


def test_a_decision_against_the_version_shown(city):
    _url, engine, loaded = city
    meeting_id, (property_id, *_rest) = _built(engine, 3)
    # No case was shown: the decision opens one and applies to it.
    assert meetings.record_decision(engine, property_id, 0, {"status": "monitoring"}, [], "first look", "ann",
                                    meeting_id) == 2
    # Someone shown no case saves after the case was opened: refused, told what changed.
    with pytest.raises(meetings.StaleCase) as stale:
        meetings.record_decision(engine, property_id, 0, {"status": "referred"}, [], None, "bo", meeting_id)
    assert [event["kind"] for event in stale.value.events] == ["opened", "status", "note"]
    with pytest.raises(ValueError, match="not a case status"):
        meetings.record_decision(engine, property_id, 2, {"status": "closed"}, [], None, "bo", meeting_id)
    assert meetings.case_of(engine, property_id)["status"] == "monitoring"
    assert [action for _who, action, _target in _audit(engine, loaded)][-2:] == ["case_open", "case_decision"]


def test_actions_minutes_attendees_and_outcomes(city):
    _url, engine, loaded = city
    meeting_id, (property_id, *_rest) = _built(engine, 3)
    meetings.record_decision(engine, property_id, 0, {"status": "action_assigned", "lead_department": "police"},
                             [{"what": "Knock and talk", "owner": "Ofc. Diaz", "department": "police",
                               "due_on": date(2026, 11, 10)}], None, "lead", meeting_id)
    case = meetings.case_of(engine, property_id)
    extra = meetings.add_action(engine, case["case_id"], {"what": "Call owner", "department": "public_works"},
                                "lead", meeting_id)
    actions = meetings.open_actions(engine, as_of=date(2026, 11, 20))
    assert actions["what"].tolist() == ["Knock and talk", "Call owner"]
    assert actions["overdue"].tolist() == [True, False]
    assert meetings.mark_actions_done(engine, [extra, extra], "bo", meeting_id) == 1  # once only
    assert meetings.set_attendees(engine, meeting_id, [{"name": "Ann", "department": "police"}, " ",
                                                       {"name": "Bo", "department": "fire"}], "lead") == [
        {"name": "Ann", "department": "police"}, {"name": "Bo", "department": "fire"}]
    record = meetings.minutes(engine, meeting_id)
    assert record.attendees == ("Ann (Police)", "Bo (Fire)") and record.departments == ("police", "fire")
    assert [item.property_id for item in record.items if item.decided] == [property_id]
    assert meetings.outcomes(engine, days=30)["property_id"].tolist() == [property_id]
    assert [action for _who, action, _target in _audit(engine, loaded)][-4:] == [
        "case_decision", "action_add", "action_done", "meeting_attendees"]


def test_no_agenda_from_the_command_line_without_records(empty_db_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", empty_db_url)
    assert main(["agenda", "--date", str(DAY), "--by", "cli:test"]) == 1
    assert "There is nothing to put on an agenda yet" in capsys.readouterr().err
    assert meetings.meetings(create_engine(empty_db_url)).empty


def test_agenda_from_the_command_line(city, monkeypatch, capsys):
    url, engine, loaded = city
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["agenda", "--date", str(DAY), "--size", "6", "--by", "cli:test"]) == 0
    shown = capsys.readouterr().out.splitlines()
    assert shown[1] == "Meeting of November 3, 2026: 6 properties"
    assert [line.split(".")[0].strip() for line in shown[2:]] == ["1", "2", "3", "4", "5", "6"]
    assert main(["agenda", "--date", str(DAY)]) == 0  # there is one now: printed, not built again
    again = capsys.readouterr().out.splitlines()
    assert again == shown[1:]
    assert [action for _who, action, _target in _audit(engine, loaded)] == ["meeting_open", "agenda_save"]
    assert main(["hotspots", "--top", "3"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].startswith("Flagged properties, 90 days to ") and listed[1].startswith("  1. ")


def test_a_decision_from_the_command_line(city, monkeypatch, capsys):
    url, engine, loaded = city
    monkeypatch.setenv("DATABASE_URL", url)
    property_id = _built(engine, 3)[1][0]
    assert main(["decide", "--property", property_id, "--status", "action_assigned", "--lead", "police",
                 "--action", "Letter to the owner", "--owner", "Officer Diaz", "--due", "2026-11-20",
                 "--by", "cli:test"]) == 0
    said = capsys.readouterr().out.strip()
    assert said.startswith(f"{property_id}: case ") and "is Action assigned" in said
    case = meetings.case_of(engine, property_id)
    assert (case["status"], case["lead_department"]) == ("action_assigned", "police")
    assert [action["what"] for action in case["actions"]] == ["Letter to the owner"]
    assert ("cli:test", "case_decision", f"case:{case['case_id']}") in _audit(engine, loaded)
    # A decision the rules refuse writes nothing.
    assert main(["decide", "--property", property_id, "--status", "action_assigned", "--by", "cli:test"]) == 0
    assert main(["decide", "--property", property_id, "--action", "  ", "--by", "cli:test"]) == 1
    assert "error:" in capsys.readouterr().err
    assert main(["decide", "--property", property_id, "--owner", "Officer Diaz", "--by", "cli:test"]) == 1
    assert "has an owner but does not say what is to be done" in capsys.readouterr().err
    assert len(meetings.case_of(engine, property_id)["actions"]) == 1


def test_the_agenda_ends_with_the_properties_heading_for_the_list(city):
    _url, engine, _loaded = city
    assert meetings.build_agenda(engine, DAY, "lead", size=10, heading=3) == 10  # no early-warning run yet
    early_warning.retrain(engine, "tester")
    expected = early_warning.agenda_entries(engine, 3)["property_id"].tolist()
    assert len(expected) == 3
    assert meetings.build_agenda(engine, DAY, "lead", size=10, heading=3) == 13  # on top of the flagged ten
    items = meetings.agenda(engine, meetings.meeting_on(engine, DAY)["meeting_id"])
    assert items["section"].tolist() == [s for s in items["section"] if s != "heading"] + ["heading"] * 3
    assert items["property_id"].tolist()[-3:] == expected
    assert all(why for why in items["why"].tolist()[-3:])  # each says why, in the early warning's words
    assert meetings.build_agenda(engine, DAY, "lead", size=10, heading=0) == 10
