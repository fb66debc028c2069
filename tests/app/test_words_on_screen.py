"""What a person reads in every table of every page: labelled columns, never a raw stored name, and
a dash (or a blank) where a value is missing, never the word None."""

import re
from datetime import date, timedelta

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from services import meetings
from storage import property_data
from storage.engine import create_engine, reading
from tests.app.apptest import open_page
from ui.frame import PAGES
from ui.views import HIDDEN, MISSING

RAW_NAME = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")  # case_id, before_crm, locked_until, owner


@pytest.fixture(scope="module")
def city_with_cases(city_db_url, tmp_path_factory):
    """The sample city with cases and open actions, some without an owner or a due date."""
    from tests.conftest import copy_sqlite

    url = copy_sqlite(city_db_url, tmp_path_factory.mktemp("words") / "city.db")
    engine = create_engine(url)
    with reading(engine) as conn:
        properties = property_data.property_master(conn)["property_id"].unique()[:3]
    actions = [
        [{"what": "Board up the rear door", "owner": "Crew 4", "department": "public_works",
          "due_on": date.today() - timedelta(days=3)}],
        [{"what": "Call the owner", "owner": None, "department": "police", "due_on": None}],
        [],
    ]
    for property_id, agreed in zip(properties, actions):
        meetings.record_decision(engine, property_id, 0, {"status": "action_assigned" if agreed else "monitoring"},
                                 agreed, None, author="lead")
    engine.dispose()
    return url


def shown_tables(app: AppTest) -> list[pd.DataFrame]:
    return [frame.value for frame in app.dataframe]


def problems(table: pd.DataFrame) -> list[str]:
    """What a person would trip over in one table: raw column names, missing values shown as None."""
    found = [f"column {column!r} is a raw name" for column in table.columns if RAW_NAME.match(str(column))]
    for column in table.columns:
        values = table[column]
        if values.isna().any():
            found.append(f"column {column!r} shows None for a missing value")
        if (values.astype(str) == "None").any():
            found.append(f"column {column!r} holds the word None")
    return found


OWN_PAGES = ["app.py", "pages/actions.py", "pages/outcomes.py", "pages/match_review.py", "pages/data_quality.py",
             "pages/admin.py"]


@pytest.mark.parametrize("page", [page for page, *_ in PAGES])
def test_every_table_has_labels_and_no_none(monkeypatch, city_with_cases, page):
    app = open_page(page, monkeypatch, city_with_cases, **({"property": first_case(city_with_cases)}
                                                           if page == "pages/property.py" else {}))
    assert not app.exception, app.exception
    tables = shown_tables(app)
    assert tables or page not in OWN_PAGES, f"{page} shows a table on the sample city"
    assert {str(index): problems(table) for index, table in enumerate(tables) if problems(table)} == {}


def first_case(url: str) -> str:
    with reading(create_engine(url)) as conn:
        return property_data.property_master(conn)["property_id"].unique()[0]


@pytest.mark.parametrize("table, expected", [
    (pd.DataFrame({"case_id": [1]}), ["column 'case_id' is a raw name"]),
    (pd.DataFrame({"Owner": ["Crew 4", None]}), ["column 'Owner' shows None for a missing value"]),
    (pd.DataFrame({"Due": [pd.NaT, pd.Timestamp("2026-01-01")]}), ["column 'Due' shows None for a missing value"]),
    (pd.DataFrame({"Note": ["None"]}), ["column 'Note' holds the word None"]),
    (pd.DataFrame({"Owner": ["Crew 4", MISSING], "Records before": [1, 2]}), []),
])
def test_the_walk_finds_what_it_looks_for(table, expected):
    assert problems(table) == expected


def test_outcomes_name_the_property_by_its_address(monkeypatch, city_with_cases):
    app = open_page("pages/outcomes.py", monkeypatch, city_with_cases)
    table = app.dataframe[0].value
    with reading(create_engine(city_with_cases)) as conn:
        master = property_data.property_master(conn)
    assert table.columns[0] == "Address"
    assert set(table["Address"]) <= set(master["address"]) and len(table) == 3


def test_open_actions_without_an_owner_or_a_due_date_show_a_dash(monkeypatch, city_with_cases):
    app = open_page("pages/actions.py", monkeypatch, city_with_cases)
    table = app.dataframe[0].value
    call = table[table["What"] == "Call the owner"].iloc[0]
    assert (call["Owner"], call["Due"]) == (MISSING, MISSING)


def test_users_are_listed_under_labels(monkeypatch, city_with_cases):
    app = open_page("pages/admin.py", monkeypatch, city_with_cases)
    users = app.dataframe[0].value
    assert {"User name", "Role", "Must change password", "Locked until"} <= set(users.columns)
    assert (users["Locked until"] == MISSING).all()  # nobody is locked out


def test_fields_hidden_for_the_role_are_said_once_under_the_table(monkeypatch, city_with_cases):
    """An analyst reads police records in Match review without their disposition (status)."""
    from services import review

    groups = review.groups(create_engine(city_with_cases), "police")
    group = groups[groups["kind"] != review.NOT_AN_ADDRESS].iloc[0]
    app = open_page("pages/match_review.py", monkeypatch, city_with_cases, user="analyst", department="police")
    app.session_state[app.dataframe[0].key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    app = app.run()
    assert not app.exception
    assert app.subheader[0].value == group["normalized"]
    records = next(frame.value for frame in app.dataframe if "Record id" in frame.value.columns)
    assert (records["Status"] == "").all()
    notes = [caption.value for caption in app.caption if HIDDEN in caption.value]
    assert notes == [f"Status: {HIDDEN}."]

    lead = open_page("pages/match_review.py", monkeypatch, city_with_cases, user="lead", department="police")
    assert not [caption.value for caption in lead.caption if HIDDEN in caption.value]
