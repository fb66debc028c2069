"""Who may see and do what: the role table, sensitive fields, redaction, session limits, landing paths and groups."""

import tomllib
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from integration import access
from integration.access import (AccessError, SessionLimits, User, can, check_role, redact, sees_sensitive,
                                session_end, session_limits)

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


LIMITS = SessionLimits(idle=timedelta(minutes=60), absolute=timedelta(hours=12))
H12 = T0 + timedelta(hours=12)


@pytest.mark.parametrize("created, last_seen, expires, now, ended", [
    (T0, T0, H12, T0, None),
    (T0, T0, H12, T0 + timedelta(minutes=59, seconds=59), None),
    (T0, T0, H12, T0 + timedelta(minutes=60), "idle"),
    (T0, T0 + timedelta(hours=11, minutes=30), H12, T0 + timedelta(hours=11, minutes=59), None),
    (T0, T0 + timedelta(hours=11, minutes=30), H12, H12, "time_limit"),  # active, but a working day is over
    (T0, T0, T0 + timedelta(hours=1), T0 + timedelta(minutes=59), None),
    (T0, T0, T0 + timedelta(hours=30), T0 + timedelta(hours=12), "time_limit"),  # stored with a longer limit
    (T0 + timedelta(hours=1), T0 + timedelta(hours=1), H12, T0, "clock"),  # started "in the future": forged or a moved clock
    (T0, T0 + timedelta(hours=1), H12, T0, "clock"),
    (T0 + timedelta(seconds=30), T0 + timedelta(seconds=30), H12, T0, None),  # small skew between servers is fine
])
def test_session_end(created, last_seen, expires, now, ended):
    assert session_end(created, last_seen, expires, now, LIMITS) == ended


@pytest.mark.parametrize("environ, idle_minutes, hours", [
    ({}, 60, 12),
    ({"SESSION_IDLE_MINUTES": "15", "SESSION_MAX_HOURS": "8"}, 15, 8),
    ({"SESSION_IDLE_MINUTES": " 90 ", "SESSION_MAX_HOURS": "0.5"}, 90, 0.5),
    ({"SESSION_IDLE_MINUTES": "", "SESSION_MAX_HOURS": ""}, 60, 12),
])
def test_session_limits_from_the_settings(environ, idle_minutes, hours):
    assert session_limits(environ) == SessionLimits(timedelta(minutes=idle_minutes), timedelta(hours=hours))


@pytest.mark.parametrize("environ, named", [
    ({"SESSION_IDLE_MINUTES": "0"}, "SESSION_IDLE_MINUTES is '0'"),
    ({"SESSION_IDLE_MINUTES": "-5"}, "SESSION_IDLE_MINUTES"),
    ({"SESSION_MAX_HOURS": "a day"}, "SESSION_MAX_HOURS is 'a day': it should be a positive number of hours"),
    ({"SESSION_MAX_HOURS": "nan"}, "SESSION_MAX_HOURS"),
])
def test_wrong_session_settings_are_named(environ, named):
    with pytest.raises(AccessError, match=named):
        session_limits(environ)


@pytest.mark.parametrize("candidate, base, landing", [
    ("/property?property=P000123", "", "/property?property=P000123"),
    ("/hotspots?days=90&min=2&end=2026-03-01&department=police&department=fire", "",
     "/hotspots?days=90&min=2&end=2026-03-01&department=police&department=fire"),
    ("/", "", "/"),
    ("/property?property=%3Cscript%3Ealert(1)%3C/script%3E", "", "/property?property=%3Cscript%3Ealert(1)%3C/script%3E"),
    ("//evil.example/phish", "", "/"),
    ("/\\evil.example", "", "/"),
    ("https://evil.example/", "", "/"),
    ("javascript:alert(1)", "", "/"),
    ("property", "", "/"),
    ("/property\r\nSet-Cookie: x=1", "", "/"),
    ("/property?\x00", "", "/"),
    ("/" + "a" * 3000, "", "/"),
    ("", "", "/"),
    (None, "", "/"),
    (["/property"], "", "/"),
    ("/dashboard/property?property=P1", "dashboard", "/dashboard/property?property=P1"),
    ("/dashboard", "/dashboard/", "/dashboard"),
    ("/property?property=P1", "dashboard", "/dashboard/"),  # outside the app's path
    ("/dashboardx/property", "dashboard", "/dashboard/"),
])
def test_landing_path_stays_inside_the_app(candidate, base, landing):
    assert access.landing_path(candidate, base) == landing


@pytest.mark.parametrize("agent, label", [
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36",
     "Chrome 140 on Linux"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/139.0.0.0 "
     "Safari/537.36 Edg/139.0.3405.86", "Edge 139 on Windows"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.6; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox 128 on macOS"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 "
     "Safari/605.1.15", "Safari 18 on macOS"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/18.0 Mobile/15E148 Safari/604.1", "Safari 18 on iOS"),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/140.0.0.0 "
     "Safari/537.36", "Headless Chrome 140 on Linux"),
    ("curl/8.5.0", "unknown browser"),
    ("", "unknown browser"),
    (None, "unknown browser"),
])
def test_browser_label(agent, label):
    assert access.browser_label(agent) == label


GROUPS = {
    "Dashboard Admins": "admin",
    "Integration Team Lead": "integration_lead",
    "Integration Team - Police": "integration_team:police",
    "PD Records": "department_staff:police",
    "Fire Prevention": "department_staff:fire",
    "GIS Analysts": "analyst",
    "All Staff": "viewer",
}


@pytest.mark.parametrize("groups, grant", [
    (["All Staff"], ("viewer", None, False)),
    (["All Staff", "PD Records"], ("department_staff", "police", False)),  # the most trusted seat wins
    (["PD Records", "Fire Prevention"], ("department_staff", "fire", False)),  # one seat, two departments: by name
    (["All Staff", "Integration Team - Police", "Integration Team Lead"], ("integration_team", None, True)),
    (["GIS Analysts", "Dashboard Admins"], ("admin", None, False)),
    ("GIS Analysts", ("analyst", None, False)),  # a provider that sends one group as a string
    (["Payroll", "Parks"], None),
    ([], None),
    (None, None),
    ([None, 42, "All Staff"], ("viewer", None, False)),
])
def test_role_for_groups(groups, grant):
    assert access.role_for_groups(groups, access.parse_group_roles(GROUPS)) == grant


@pytest.mark.parametrize("table, named", [
    ({"Finance": "accountant"}, "group 'Finance' in the group -> role table: unknown role 'accountant'"),
    ({"PD": "department_staff"}, "department staff need a department"),
    ({"PD": "department_staff:parks"}, "unknown department 'parks'"),
    ({"Admins": "admin:police"}, "only department staff and integration team members have a department"),
])
def test_a_wrong_group_role_line_is_named(table, named):
    with pytest.raises(AccessError, match=named):
        access.parse_group_roles(table)


def test_sensitive_fields_agree_with_the_department_specs():
    with (ROOT / "loaders" / "departments.toml").open("rb") as handle:
        specs = tomllib.load(handle)
    specs.pop("shared", None)  # column names every department's extracts may use: not a department
    assert set(specs) == set(access.SENSITIVE_FIELDS) == set(access.DEPARTMENTS)
    for department, entry in specs.items():
        assert set(entry.get("sensitive", ())) == set(access.SENSITIVE_FIELDS[department]), department


def test_every_session_setting_is_in_the_readme_configuration_table():
    table = (ROOT / "README.md").read_text().split("## Configuration", 1)[1].split("\n## ", 1)[0]
    for name in access.SESSION_SETTINGS:
        assert f"| `{name}` |" in table, name


def test_the_secrets_example_maps_groups_to_roles_that_exist():
    with (ROOT / ".streamlit" / "secrets.toml.example").open("rb") as handle:
        example = tomllib.load(handle)
    grants = access.parse_group_roles(example["single_sign_on"]["group_roles"])
    assert access.role_for_groups(["All Staff", "PD Records"], grants) == ("department_staff", "police", False)
