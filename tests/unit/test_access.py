"""Who may see and do what: the role table, sensitive fields, redaction and the session timeout."""

import tomllib
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from integration import access
from integration.access import AccessError, User, can, check_role, redact, sees_sensitive, session_expired

ROOT = Path(__file__).resolve().parents[2]

# The specification, written out again by hand: a change to access.PERMISSION_TABLE must change this too.
EXPECTED = """
permission          admin  lead  team  staff  analyst  viewer
view_hotspots       yes    yes   yes   yes    yes      yes
view_property       yes    yes   yes   yes    yes      yes
view_meeting        yes    yes   yes   yes    yes      yes
edit_cases          yes    yes   yes   -      -        -
run_meeting         yes    yes   -     -      -        -
upload              yes    -     -     -      yes      -
review_matches      yes    -     -     -      yes      -
view_data_quality   yes    yes   yes   -      yes      -
view_service        yes    yes   yes   yes    yes      yes
view_staff_workload yes    yes   -     -      -        -
manage_users        yes    -     -     -      -        -
view_audit          yes    -     -     -      -        -
export              yes    yes   yes   yes    yes      -
"""

USERS = {
    "admin": User("ada", "admin"),
    "lead": User("lee", "integration_team", lead=True),
    "team": User("tom", "integration_team", "public_works"),
    "staff": User("pat", "department_staff", "police"),
    "analyst": User("ann", "analyst"),
    "viewer": User("vic", "viewer"),
}


def _expected():
    header, *rows = [line.split() for line in EXPECTED.strip().splitlines()]
    return [(seat, row[0], row[i] == "yes") for row in rows for i, seat in enumerate(header[1:], start=1)]


@pytest.mark.parametrize("seat, permission, allowed", _expected())
def test_role_table(seat, permission, allowed):
    assert can(USERS[seat], permission) is allowed


def test_the_table_covers_every_permission_and_seat():
    assert set(access.PERMISSIONS) == {permission for _, permission, _ in _expected()}
    assert set(access.PERMISSION_TABLE) == set(access.PERMISSION_HELP)
    assert all(len(allowed) == len(access.SEATS) for allowed in access.PERMISSION_TABLE.values())
    assert {access.seat(user) for user in USERS.values()} == set(access.SEATS)


@pytest.mark.parametrize("permission", access.PERMISSIONS)
def test_nobody_signed_in_may_do_nothing(permission):
    assert can(None, permission) is False


def test_a_misspelt_permission_is_an_error_not_a_no():
    with pytest.raises(KeyError):
        can(USERS["admin"], "manage_user")


def test_permissions_lists_what_a_user_may_do():
    assert access.permissions(USERS["viewer"]) == ("view_hotspots", "view_property", "view_meeting", "view_service")
    assert access.permissions(None) == ()


def test_the_markdown_table_names_every_permission():
    table = access.permission_table_markdown()
    assert all(f"| {permission} (" in table for permission in access.PERMISSIONS)
    assert "Integration team lead" in table


@pytest.mark.parametrize("role, department, lead, problem", [
    ("admin", None, False, None),
    ("integration_team", None, True, None),
    ("integration_team", "police", True, None),
    ("integration_team", "crm", False, None),
    ("integration_team", None, False, None),
    ("department_staff", "fire", False, None),
    ("analyst", None, False, None),
    ("viewer", None, False, None),
    ("department_staff", None, False, "need a department"),
    ("department_staff", "parks", False, "unknown department"),
    ("viewer", "police", False, "only department staff"),
    ("admin", "police", False, "only department staff"),
    ("analyst", None, True, "can be the lead"),
    ("department_staff", "police", True, "can be the lead"),
    ("superuser", None, False, "unknown role"),
    ("Admin", None, False, "unknown role"),
])
def test_check_role(role, department, lead, problem):
    if problem is None:
        check_role(role, department, lead)
        User("x", role, department, lead)
    else:
        with pytest.raises(AccessError, match=problem):
            check_role(role, department, lead)
        with pytest.raises(AccessError):
            User("x", role, department, lead)


@pytest.mark.parametrize("seat, department, sees", [
    ("lead", "police", True),
    ("lead", "fire", True),
    ("lead", "crm", True),
    ("staff", "police", True),
    ("staff", "fire", False),
    ("staff", "crm", False),
    ("team", "public_works", True),
    ("team", "police", False),
    ("admin", "police", False),
    ("admin", "crm", False),
    ("analyst", "police", False),
    ("viewer", "police", False),
    ("viewer", "crm", False),
    ("staff", None, False),
    ("lead", None, True),
])
def test_sees_sensitive(seat, department, sees):
    assert sees_sensitive(USERS[seat], department) is sees


def test_nobody_signed_in_sees_nothing_sensitive():
    assert not sees_sensitive(None, "police")
    assert access.hidden_fields(None, "police") == ("description", "status")


def test_a_member_without_a_department_sees_no_department_fields():
    assert not sees_sensitive(User("m", "integration_team"), "police")


RECORDS = pd.DataFrame({
    "occurred_at": pd.to_datetime(["2025-01-02", "2025-01-03", "2025-01-04", "2025-01-05"]),
    "department": ["police", "fire", "public_works", "crm"],
    "category": ["DISTURBANCE", "EMS call", "Tall grass", "complaint"],
    "status": ["ARREST MADE", None, "Open", "Closed"],
    "description": ["RP JANE DOE ADVISES FIGHT CB 262-555-0101", "PT 54 YOF FALL", None,
                    "Caller John Roe 262-555-0199 says dog barking"],
})


def _cell(frame, department, column):
    return frame.loc[frame["department"] == department, column].iloc[0]


@pytest.mark.parametrize("seat, visible", [
    # (department, column) pairs the seat reads; every other sensitive cell must come back blank
    ("viewer", set()),
    ("analyst", set()),
    ("admin", set()),
    ("staff", {("police", "description"), ("police", "status")}),
    ("team", set()),
    ("lead", {("police", "description"), ("police", "status"), ("fire", "description"), ("crm", "description")}),
])
def test_redact_blanks_what_the_user_may_not_read(seat, visible):
    redacted = redact(RECORDS, USERS[seat])
    for department, fields in access.SENSITIVE_FIELDS.items():
        for column in fields:
            value = _cell(redacted, department, column)
            if (department, column) in visible:
                assert value == _cell(RECORDS, department, column) or pd.isna(_cell(RECORDS, department, column))
            else:
                assert value is None or pd.isna(value), (seat, department, column, value)
    # Everyone keeps date, department and category; Public Works' status is not sensitive.
    pd.testing.assert_frame_equal(redacted[["occurred_at", "department", "category"]],
                                  RECORDS[["occurred_at", "department", "category"]])
    assert _cell(redacted, "public_works", "status") == "Open"
    assert _cell(redacted, "crm", "status") == "Closed"


def test_redact_leaves_the_input_alone():
    before = RECORDS.copy()
    redact(RECORDS, USERS["viewer"])
    pd.testing.assert_frame_equal(RECORDS, before)


def test_redact_a_frame_of_one_department_without_a_department_column():
    frame = RECORDS[RECORDS["department"] == "police"].drop(columns="department")
    assert redact(frame, USERS["viewer"], department="police")["description"].isna().all()
    assert redact(frame, USERS["staff"], department="police")["status"].tolist() == ["ARREST MADE"]
    assert redact(frame, USERS["staff"], department="crm")["description"].isna().all()
    assert redact(frame, USERS["staff"], department="crm")["status"].tolist() == ["ARREST MADE"]  # not sensitive in CRM


def test_redact_with_no_department_to_go_by_blanks_every_sensitive_column():
    frame = RECORDS.drop(columns="department")
    assert redact(frame, USERS["staff"])[["description", "status"]].isna().all().all()
    pd.testing.assert_frame_equal(redact(frame, USERS["lead"]), frame)


def test_redact_blanks_rows_of_an_unknown_department():
    frame = pd.DataFrame({"department": ["parks", None], "description": ["secret", "secret"], "status": ["x", "y"]})
    assert redact(frame, USERS["staff"])[["description", "status"]].isna().all().all()


def test_redact_an_empty_frame_and_a_frame_without_sensitive_columns():
    assert redact(RECORDS.iloc[0:0], USERS["viewer"]).empty
    frame = RECORDS[["occurred_at", "department", "category"]]
    pd.testing.assert_frame_equal(redact(frame, USERS["viewer"]), frame)


def test_redact_a_numeric_status_column():
    frame = pd.DataFrame({"department": ["police", "public_works"], "status": [1.0, 2.0]})
    assert redact(frame, USERS["viewer"])["status"].tolist() == [None, 2.0]


T0 = datetime(2026, 3, 2, 9, 0)


@pytest.mark.parametrize("signed_in_at, now, minutes, expired", [
    (T0, T0, 60, False),
    (T0, T0 + timedelta(minutes=59, seconds=59), 60, False),
    (T0, T0 + timedelta(minutes=60), 60, True),
    (T0, T0 + timedelta(hours=9), 480, True),
    (T0, T0 + timedelta(hours=7), 480, False),
    (None, T0, 60, True),
    (T0 + timedelta(hours=1), T0, 60, True),  # signed in "in the future": the clock moved or the session is forged
    (T0 + timedelta(seconds=30), T0, 60, False),  # small clock skew between servers is fine
])
def test_session_expired(signed_in_at, now, minutes, expired):
    assert session_expired(signed_in_at, now, minutes) is expired


def test_session_timeout_must_be_positive():
    with pytest.raises(ValueError):
        session_expired(T0, T0, 0)


def test_sensitive_fields_agree_with_the_department_specs():
    with (ROOT / "loaders" / "departments.toml").open("rb") as handle:
        specs = tomllib.load(handle)
    assert set(specs) == set(access.SENSITIVE_FIELDS) == set(access.DEPARTMENTS)
    for department, entry in specs.items():
        assert set(entry.get("sensitive", ())) == set(access.SENSITIVE_FIELDS[department]), department
