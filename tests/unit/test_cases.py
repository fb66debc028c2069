"""Cases: what a decision may change, the reopen rule, the agenda of a meeting, and outcomes."""

from datetime import date, datetime

import pandas as pd
import pytest

from integration import cases
from integration.cases import (
    DecisionError,
    build_agenda,
    cases_to_reopen,
    check_action,
    check_changes,
    decision_events,
    outcome_summary,
    outcomes,
    should_reopen,
    state_after,
)
from vocabulary import AGENDA_SECTIONS, CASE_STATUSES

MEETING_DAY = date(2026, 11, 20)
LAST_MEETING = date(2026, 11, 6)


def test_storage_and_the_rules_name_the_same_statuses_and_sections():
    assert CASE_STATUSES == cases.STATUSES
    assert AGENDA_SECTIONS == cases.SECTIONS
    assert set(cases.STATUS_LABELS) == set(cases.STATUSES)


# --- decisions ------------------------------------------------------------------------------


@pytest.mark.parametrize("changes, expected", [
    ({}, {}),
    ({"status": "monitoring"}, {"status": "monitoring"}),
    ({"status": "resolved", "lead_department": "police"}, {"status": "resolved", "lead_department": "police"}),
    ({"lead_department": ""}, {"lead_department": None}),  # a form's empty choice clears the lead
])
def test_check_changes(changes, expected):
    assert check_changes(changes) == expected


@pytest.mark.parametrize("changes, message", [
    ({"status": "closed"}, "'closed' is not a case status"),
    ({"lead_department": "parks"}, "'parks' is not a department"),
    ({"owner": "jo"}, "not owner"),
    ({"version": 3}, "not version"),
])
def test_check_changes_refuses(changes, message):
    with pytest.raises(DecisionError, match=message):
        check_changes(changes)


@pytest.mark.parametrize("action, expected", [
    ({"what": " Board up rear door "}, {"what": "Board up rear door", "owner": None, "department": None,
                                         "due_on": None}),
    ({"what": "Inspect", "owner": "Ann", "department": "fire", "due_on": date(2026, 12, 1)},
     {"what": "Inspect", "owner": "Ann", "department": "fire", "due_on": date(2026, 12, 1)}),
    ({"what": "Inspect", "due_on": datetime(2026, 12, 1, 9, 0)},
     {"what": "Inspect", "owner": None, "department": None, "due_on": date(2026, 12, 1)}),
])
def test_check_action(action, expected):
    assert check_action(action) == expected


@pytest.mark.parametrize("action, message", [
    ({"what": "  "}, "needs to say what"),
    ({"owner": "Ann"}, "needs to say what"),
    ({"what": "Inspect", "department": "parks"}, "'parks' is not a department"),
    ({"what": "Inspect", "due_on": "next week"}, "not a date"),
    ({"what": "Inspect", "priority": "high"}, "not priority"),
])
def test_check_action_refuses(action, message):
    with pytest.raises(DecisionError, match=message):
        check_action(action)


@pytest.mark.parametrize("changes, actions, note, kinds", [
    ({"status": "action_assigned"}, [], None, ["status"]),
    ({"status": "new", "lead_department": "police"}, [], None, []),  # nothing really changes
    ({"status": "new"}, [{"what": "Call owner"}], "  spoke to neighbours ", ["action_added", "note"]),
    ({"lead_department": "fire"}, [{"what": "a"}, {"what": "b"}], "",
     ["lead_department", "action_added", "action_added"]),
])
def test_decision_events_one_per_real_change(changes, actions, note, kinds):
    current = {"status": "new", "lead_department": "police"}
    events = decision_events(current, changes, actions, note)
    assert [kind for kind, _ in events] == (kinds or ["reviewed"])
    if "status" in kinds:
        assert events[0][1] == {"from": "new", "to": "action_assigned"}


def test_state_after_replays_the_history():
    events = [
        {"kind": "opened", "body": {"status": "new", "lead_department": None}},
        {"kind": "status", "body": {"from": "new", "to": "action_assigned"}},
        {"kind": "lead_department", "body": {"from": None, "to": "public_works"}},
        {"kind": "note", "body": {"text": "owner called"}},
        {"kind": "status", "body": {"from": "action_assigned", "to": "resolved"}},
    ]
    assert state_after(events[:3]) == {"status": "action_assigned", "lead_department": "public_works"}
    assert state_after(events) == {"status": "resolved", "lead_department": "public_works"}
    reopened = events + [{"kind": "reopened", "body": {"status": "new", "reason": "flagged again"}}]
    assert state_after(reopened)["status"] == "new"


# --- reopening ------------------------------------------------------------------------------

RESOLVED_AT = datetime(2026, 9, 1, 10, 0)


@pytest.mark.parametrize("status, flagged, last_record_at, reopens", [
    ("resolved", True, datetime(2026, 9, 15), True),  # flagged on a record newer than the resolution
    ("resolved", True, datetime(2026, 8, 20), False),  # still flagged on what the team had already seen
    ("resolved", True, RESOLVED_AT, False),
    ("resolved", False, datetime(2026, 9, 15), False),  # new records but not flagged: stays resolved
    ("resolved", True, None, False),
    ("monitoring", True, datetime(2026, 9, 15), False),  # open cases are not "reopened"
    ("action_assigned", True, datetime(2026, 9, 15), False),
])
def test_should_reopen(status, flagged, last_record_at, reopens):
    assert should_reopen(status, RESOLVED_AT, flagged, last_record_at) is reopens


def test_cases_to_reopen():
    resolved = pd.DataFrame([
        {"case_id": 1, "property_id": "P1", "status": "resolved", "closed_at": RESOLVED_AT},
        {"case_id": 2, "property_id": "P2", "status": "resolved", "closed_at": RESOLVED_AT},
        {"case_id": 3, "property_id": "P3", "status": "resolved", "closed_at": RESOLVED_AT},
        {"case_id": 4, "property_id": "P4", "status": "monitoring", "closed_at": None},
    ])
    scored = pd.DataFrame({"flagged": [True, True, False, True]}, index=pd.Index(["P1", "P2", "P3", "P4"],
                                                                                   name="property_id"))
    records = pd.DataFrame({
        "property_id": ["P1", "P2", "P3", "P4", None],
        "occurred_at": pd.to_datetime(["2026-09-20", "2026-08-01", "2026-09-20", "2026-09-20", "2026-10-01"]),
    })
    assert cases_to_reopen(resolved, scored, records) == [1]


# --- the agenda -----------------------------------------------------------------------------

SCORED = pd.DataFrame(
    [
        # property_id, score, flagged, new, rising, previous_score
        ("P4", 30.0, True, False, True, 12.0),
        ("P2", 20.0, True, True, False, 0.0),
        ("P3", 15.0, True, False, True, 9.0),
        ("P7", 12.0, True, False, False, 12.0),
        ("P1", 10.0, True, True, True, 2.0),  # new and rising: new wins
        ("P10", 9.0, True, True, False, 0.0),  # new, with an overdue action: new wins
        ("P6", 8.0, True, False, False, 8.0),
        ("P5", 5.0, True, False, False, 6.0),  # open case with an overdue action
        ("P8", 4.0, False, False, False, 4.0),  # not flagged, open case with an action due today
        ("P9", 3.0, False, False, True, 1.0),  # not flagged, rising: not the team's list
        ("P12", 2.0, False, False, False, 2.0),  # open case whose only due action is done
    ],
    columns=["property_id", "score", "flagged", "new", "rising", "previous_score"],
).set_index("property_id")
SCORED["departments"] = [("police", "fire")] * len(SCORED)
SCORED["reasons"] = [["2 departments in 90 days: Police 2, Fire 1"]] * len(SCORED)

OPEN_CASES = pd.DataFrame({"case_id": [105, 108, 110, 111, 112, 113],
                           "property_id": ["P5", "P8", "P10", "P11", "P12", "P13"]})
OPEN_ACTIONS = pd.DataFrame([
    {"action_id": 1, "case_id": 105, "due_on": date(2026, 11, 1), "done_at": None},  # overdue
    {"action_id": 2, "case_id": 105, "due_on": date(2026, 11, 19), "done_at": None},  # overdue
    {"action_id": 3, "case_id": 108, "due_on": MEETING_DAY, "done_at": None},  # due today
    {"action_id": 4, "case_id": 110, "due_on": date(2026, 11, 2), "done_at": None},
    {"action_id": 5, "case_id": 111, "due_on": date(2026, 12, 1), "done_at": None},  # not due yet
    {"action_id": 6, "case_id": 112, "due_on": date(2026, 11, 2), "done_at": datetime(2026, 11, 3)},  # done
    {"action_id": 7, "case_id": 113, "due_on": None, "done_at": None},  # no due date
])

EXPECTED_ORDER = [("P2", "new"), ("P1", "new"), ("P10", "new"), ("P4", "rising"), ("P3", "rising"),
                  ("P5", "actions_due"), ("P8", "actions_due"), ("P7", "flagged"), ("P6", "flagged")]


@pytest.mark.parametrize("last_meeting", [LAST_MEETING, None])
@pytest.mark.parametrize("shape", ["indexed", "column", "records"])
def test_agenda_sections_in_order_each_property_once(last_meeting, shape):
    scored = SCORED.reset_index() if shape == "column" else SCORED
    open_cases = OPEN_CASES.to_dict("records") if shape == "records" else OPEN_CASES
    open_actions = OPEN_ACTIONS.to_dict("records") if shape == "records" else OPEN_ACTIONS
    agenda = build_agenda(scored, open_cases, open_actions, last_meeting, MEETING_DAY)
    assert [(item.property_id, item.section) for item in agenda] == EXPECTED_ORDER
    assert len({item.property_id for item in agenda}) == len(agenda)


@pytest.mark.parametrize("property_id, section, why, case_id, due, overdue", [
    ("P2", "new", "New on the list since the meeting of Nov 6, 2026", None, 0, 0),
    ("P10", "new", "New on the list since the meeting of Nov 6, 2026", 110, 0, 1),
    ("P4", "rising", "Score rose from 12.0 to 30.0", None, 0, 0),
    ("P5", "actions_due", "2 actions overdue", 105, 0, 2),
    ("P8", "actions_due", "1 action due today", 108, 1, 0),
    ("P7", "flagged", "Still flagged", None, 0, 0),
])
def test_agenda_items_say_why(property_id, section, why, case_id, due, overdue):
    agenda = {item.property_id: item for item in build_agenda(SCORED, OPEN_CASES, OPEN_ACTIONS, LAST_MEETING,
                                                                MEETING_DAY)}
    item = agenda[property_id]
    assert (item.section, item.why, item.case_id, item.actions_due, item.actions_overdue) == \
        (section, why, case_id, due, overdue)
    assert item.score == SCORED.loc[property_id, "score"]
    assert item.departments == ("police", "fire")
    assert item.section_label == cases.SECTION_LABELS[section]


@pytest.mark.parametrize("property_id", ["P9", "P11", "P12", "P13"])
def test_not_on_the_agenda(property_id):
    agenda = build_agenda(SCORED, OPEN_CASES, OPEN_ACTIONS, LAST_MEETING, MEETING_DAY)
    assert property_id not in {item.property_id for item in agenda}


def test_a_case_with_due_actions_but_no_score_still_comes_up():
    agenda = build_agenda(SCORED.iloc[0:0], [{"case_id": 7, "property_id": "P99"}],
                          [{"case_id": 7, "due_on": date(2026, 11, 1)}], None, MEETING_DAY)
    assert [(item.property_id, item.section, item.score) for item in agenda] == [("P99", "actions_due", None)]


def test_the_first_meeting_without_a_new_column_compares_with_the_previous_window():
    scored = SCORED.drop(columns=["new"]).assign(previous_flagged=lambda f: f.index.isin(["P4", "P3", "P7", "P6"]))
    agenda = build_agenda(scored, [], [], None, MEETING_DAY)
    new = [item.property_id for item in agenda if item.section == "new"]
    assert new == ["P2", "P1", "P10", "P5"]
    assert agenda[0].why == "New on the list since the previous window"


def test_an_empty_agenda():
    assert build_agenda(SCORED.iloc[0:0], [], [], None, MEETING_DAY) == []


# --- outcomes -------------------------------------------------------------------------------

AS_OF = datetime(2026, 10, 31)
OUTCOME_CASES = pd.DataFrame([
    {"case_id": 1, "property_id": "A", "status": "resolved", "opened_at": datetime(2026, 6, 1),
     "closed_at": datetime(2026, 7, 1)},
    {"case_id": 2, "property_id": "B", "status": "action_assigned", "opened_at": datetime(2026, 9, 15),
     "closed_at": None},
    {"case_id": 3, "property_id": "C", "status": "resolved", "opened_at": datetime(2026, 3, 1),
     "closed_at": datetime(2026, 4, 1)},
])
OUTCOME_RECORDS = pd.DataFrame([
    ("A", "police", "2026-02-01"),  # 120 days before opening: outside
    ("A", "public_works", "2026-03-03"),  # exactly 90 days before: inside
    ("A", "police", "2026-04-10"),
    ("A", "police", "2026-05-20"),
    ("A", "fire", "2026-05-25"),
    ("A", "crm", "2026-06-10"),  # after opening
    ("A", "police", "2026-08-15"),  # after opening, and 45 days after resolution
    ("A", "police", "2026-09-05"),  # 96 days after opening: outside; 66 days after resolution
    ("B", "police", "2026-09-01"),
    ("B", "public_works", "2026-09-20"),
    ("B", "fire", "2026-10-01"),
    ("C", "police", "2026-04-10"),  # after resolution, with fire: two departments, not quiet
    ("C", "fire", "2026-04-20"),
    ("D", "police", "2026-06-10"),  # no case
    (None, "police", "2026-06-10"),  # not placed
], columns=["property_id", "department", "occurred_at"]).assign(occurred_at=lambda f: pd.to_datetime(f["occurred_at"]))


@pytest.mark.parametrize("case_id, before, after, complete, resolved, since_resolved, quiet", [
    # before/after: police, fire, public_works, crm
    (1, (2, 1, 1, 0), (1, 0, 0, 1), True, True, 2, True),
    (2, (1, 0, 0, 0), (0, 1, 1, 0), False, False, 0, False),
    (3, (0, 0, 0, 0), (1, 1, 0, 0), True, True, 2, False),
])
def test_outcomes_per_case(case_id, before, after, complete, resolved, since_resolved, quiet):
    table = outcomes(OUTCOME_RECORDS, OUTCOME_CASES, days=90, as_of=AS_OF).set_index("case_id")
    row = table.loc[case_id]
    departments = ("police", "fire", "public_works", "crm")
    assert tuple(row[f"before_{d}"] for d in departments) == before
    assert tuple(row[f"after_{d}"] for d in departments) == after
    assert (row["before_total"], row["after_total"], row["change"]) == (sum(before), sum(after),
                                                                         sum(after) - sum(before))
    assert (bool(row["complete"]), bool(row["resolved"]), row["records_since_resolved"], bool(row["quiet"])) == \
        (complete, resolved, since_resolved, quiet)


def test_outcome_summary_compares_complete_cases():
    summary = outcome_summary(outcomes(OUTCOME_RECORDS, OUTCOME_CASES, days=90, as_of=AS_OF))
    assert (summary.cases, summary.resolved, summary.resolved_quiet, summary.complete) == (3, 2, 1, 2)
    by_department = summary.by_department.set_index("department")
    assert by_department.loc["Police"].tolist() == [2, 2, 0]
    assert by_department.loc["Fire"].tolist() == [1, 1, 0]
    assert by_department.loc["Public Works"].tolist() == [1, 0, -1]
    assert by_department.loc["Customer Service"].tolist() == [0, 1, 1]
    everything = outcome_summary(outcomes(OUTCOME_RECORDS, OUTCOME_CASES, days=90, as_of=AS_OF), complete_only=False)
    assert everything.by_department.set_index("department").loc["Public Works"].tolist() == [1, 1, 0]


def test_outcomes_with_a_shorter_window():
    table = outcomes(OUTCOME_RECORDS, OUTCOME_CASES, days=30, as_of=AS_OF).set_index("case_id")
    assert table.loc[1, ["before_total", "after_total"]].tolist() == [2, 1]  # 05-20, 05-25 | 06-10


def test_outcomes_without_cases():
    table = outcomes(OUTCOME_RECORDS, [], days=90)
    assert table.empty and "after_police" in table.columns
    summary = outcome_summary(table)
    assert (summary.cases, summary.resolved, summary.resolved_quiet) == (0, 0, 0)
    assert summary.by_department["before"].sum() == 0


def test_a_trimmed_agenda_keeps_due_actions_and_the_worst_properties_in_agenda_order():
    agenda = [
        cases.AgendaItem("NEW-LOW", "new", score=5.0), cases.AgendaItem("NEW-MID", "new", score=9.0),
        cases.AgendaItem("RISING", "rising", score=12.0), cases.AgendaItem("DUE", "actions_due", score=1.0),
        cases.AgendaItem("WORST", "flagged", score=50.0), cases.AgendaItem("OTHER", "flagged", score=7.0),
    ]
    trimmed = cases.trim_agenda(agenda, 4)
    assert [i.property_id for i in trimmed] == ["NEW-MID", "RISING", "DUE", "WORST"]
    assert cases.trim_agenda(agenda, 100) == agenda
    assert [i.property_id for i in cases.trim_agenda(agenda, 1)] == ["DUE"]
