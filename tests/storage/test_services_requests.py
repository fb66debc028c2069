"""Customer-service reads without Streamlit: staff figures only for the roles that may see them."""

from datetime import datetime

from integration import service
from integration.access import User
from services import requests
from storage.engine import create_engine

LEAD = User("lead", "integration_team", lead=True)
VIEWER = User("viewer", "viewer")


def test_the_lead_sees_who_handled_each_request_and_a_viewer_does_not(city_db_url):
    engine = create_engine(city_db_url)
    seen = requests.requests(engine, LEAD)
    hidden = requests.requests(engine, VIEWER)
    assert len(seen) == len(hidden) > 0
    assert (seen["handled_by"] != service.NOT_RECORDED).any()
    for column in requests.STAFF_FIELDS:
        assert (hidden[column] == service.NOT_RECORDED).all()
    same = [column for column in seen.columns if column not in requests.STAFF_FIELDS]
    assert seen[same].equals(hidden[same])


def test_nobody_signed_in_sees_no_staff_member(city_db_url):
    assert (requests.requests(create_engine(city_db_url), None)["handled_by"] == service.NOT_RECORDED).all()


def test_an_empty_database_has_no_requests_and_no_evidence(engine):
    assert requests.requests(engine, LEAD).empty
    assert requests.ward_populations(engine).empty
    assert requests.other_evidence(engine, datetime(2025, 1, 1), datetime(2026, 1, 1)).empty


def test_other_evidence_counts_placed_records_per_ward_and_department(city_db_url):
    counted = requests.other_evidence(create_engine(city_db_url), datetime(2000, 1, 1), datetime(2100, 1, 1))
    assert list(counted.columns) == ["ward", "department", "records"]
    assert counted["records"].sum() > 0 and counted["ward"].notna().all()
