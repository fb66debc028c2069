"""How tables and figures read on screen: labels, a dash for what is missing, plurals, percentages."""

from datetime import date

import pandas as pd
import pytest

from integration.access import User
from ui.views import HIDDEN, MISSING, column_label, hidden_columns, hidden_note, percent, plural, readable


@pytest.mark.parametrize("count, one, many, expected", [
    (0, "property", "properties", "0 properties"),
    (1, "property", "properties", "1 property"),
    (2, "property", "properties", "2 properties"),
    (1, "record", None, "1 record"),
    (1204, "record", None, "1,204 records"),
    (1, "entry", "entries", "1 entry"),
    (1, "open session", None, "1 open session"),
])
def test_plural(count, one, many, expected):
    assert plural(count, one, many) == expected


@pytest.mark.parametrize("share, expected", [
    (0.8734, "87.3%"),
    (1.0, "100.0%"),
    (0.0, "0.0%"),
    (0.0004, "0.0%"),
    (None, MISSING),
    (float("nan"), MISSING),
])
def test_percent(share, expected):
    assert percent(share) == expected


@pytest.mark.parametrize("name, label", [
    ("case_id", "Case"),
    ("before_crm", "Customer Service before"),
    ("must_change_password", "Must change password"),
    ("locked_until", "Locked until"),
    ("source_record_id", "Record id"),
    ("due_on", "Due on"),  # not in the map: written as words
    ("owner", "Owner"),
    ("Already labelled", "Already labelled"),
])
def test_column_label(name, label):
    assert column_label(name) == label


def test_a_readable_table():
    frame = pd.DataFrame({
        "case_id": [1, 2],
        "owner": ["Crew 4", None],
        "due_on": [date(2026, 6, 15), None],
        "opened_at": pd.to_datetime(["2026-06-01 09:30", None]),
        "records": [3, 4],
        "description": [None, None],
    })
    shown = readable(frame, {"records": "Records in 90 days"}, hidden=["description"])
    assert list(shown.columns) == ["Case", "Owner", "Due on", "Opened", "Records in 90 days", "Description"]
    assert shown["Owner"].tolist() == ["Crew 4", MISSING]
    assert shown["Due on"].tolist() == ["2026-06-15", MISSING]
    assert shown["Opened"].tolist() == ["2026-06-01 09:30", MISSING]
    assert shown["Description"].tolist() == ["", ""]  # hidden, not missing: blank, and the note says why
    assert shown["Records in 90 days"].dtype.kind == "i"  # nothing missing: still numbers, sorted as numbers
    assert not shown.isna().any().any()


def test_the_hidden_note_names_each_column_once():
    assert hidden_note(["description", "status"]) == f"Description, Status: {HIDDEN}."
    assert hidden_note([]) is None


RECORDS = pd.DataFrame({"department": ["police", "fire", "public_works"], "status": ["Arrest", "Out", "Open"],
                        "description": ["x", "y", "z"], "category": ["a", "b", "c"]})


@pytest.mark.parametrize("user, expected", [
    (User("viewer", "viewer"), ("description", "status")),
    (User("police", "department_staff", "police"), ("description",)),  # fire's narrative, not their own
    (User("fire", "department_staff", "fire"), ("description", "status")),
    (User("lead", "integration_team", None, True), ()),
])
def test_hidden_columns_of_a_table_of_records(user, expected):
    assert hidden_columns(user, RECORDS) == expected
    assert hidden_columns(user, RECORDS[RECORDS["department"] == "public_works"]) == ()
    assert hidden_columns(user, RECORDS.drop(columns="department"), "public_works") == ()
