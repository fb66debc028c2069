"""services.properties against a database: a property's history redacted for its viewer, its score
explained with the institution list given, and search through the master."""

import pandas as pd
import pytest

from integration.access import User
from services import hotspots, properties
from storage import department_records, loading, property_data, store
from storage.engine import writing
from tests.storage.test_storage import _ingest, _property, _record

LEAD = User("lead", "integration_team", lead=True)
VIEWER = User("viewer", "viewer")
POLICE = User("officer", "department_staff", department="police")


@pytest.fixture
def one_property(engine):
    with writing(engine) as conn:
        property_data.replace_properties(conn, [_property()], [dict(property_id="P1", address="100 MAIN ST",
                                                                   key="100 MAIN ST", is_primary=True)])
        ingest_id = _ingest(conn)
        ids = department_records.insert_new_records(conn, [
            _record(ingest_id, "A1", description="caller JANE DOE 555-0100", status="ARREST"),
            _record(ingest_id, "C1", department="crm", description="neighbour's phone 555-0199"),
        ], ingest_id)
        department_records.replace_matches(conn, [
            dict(record_id=record_id, property_id="P1", status="matched", method="exact", score=1.0,
                 candidates=None, normalized="100 MAIN ST", matched_at=store.now()) for record_id in ids])
        loading.finish_ingest(conn, ingest_id, {"read": 2, "new": 2})
    return engine


@pytest.mark.parametrize("viewer, police_seen, crm_seen", [
    (LEAD, True, True),
    (POLICE, True, False),
    (VIEWER, False, False),
    (None, False, False),
])
def test_history_is_redacted_for_its_viewer(one_property, viewer, police_seen, crm_seen):
    found, history = properties.property_history(one_property, "P1", viewer)
    assert found["addresses"] == ["100 MAIN ST"]
    by_department = history.set_index("department")
    assert (by_department.loc["police", "description"] is not None) == police_seen
    assert (by_department.loc["police", "status"] is not None) == police_seen
    assert (by_department.loc["crm", "description"] is not None) == crm_seen
    assert by_department["category"].notna().all()  # what happened stays visible to everyone


def test_history_of_an_unknown_property(one_property):
    assert properties.property_history(one_property, "P404", LEAD)[0] is None


def test_explanation_follows_the_institution_list_it_is_given(one_property):
    damped = properties.explanation(one_property, "P1", {})
    assert damped["count_police"] == 1 and damped["count_crm"] == 1
    assert properties.explanation(one_property, "P1", {"P1": "exclude"})["flagged"] == False  # noqa: E712
    hotspots.set_institution(one_property, "P1", "exclude", "city hall", "lead")
    assert properties.explanation(one_property, "P1")["institutional"] == "exclude"  # read when not given
    assert properties.explanation(one_property, "P404") is None


def test_search_through_the_master(one_property):
    assert properties.search_properties(one_property, "276000000000100")["property_id"].tolist() == ["P1"]
    assert properties.search_properties(one_property, "100 MAIM ST")["property_id"].tolist() == ["P1"]
    assert properties.search_properties(one_property, "999999").empty


def test_cases_of_a_property_without_any(one_property):
    assert properties.cases(one_property, "P1") == []


def test_the_explanation_from_the_records_already_read_is_the_one_read_afresh(one_property):
    """The property page passes the records it has read (redacted for its viewer) to the score; the
    score reads no sensitive field, so it is the same as reading them again."""
    _found, redacted = properties.property_history(one_property, "P1", VIEWER)
    assert redacted["description"].isna().all()  # the narratives are hidden from this viewer
    given = properties.explanation(one_property, "P1", {}, records=redacted)
    read = properties.explanation(one_property, "P1", {})
    pd.testing.assert_series_equal(given, read)
