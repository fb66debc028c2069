"""Match review reads without Streamlit: groups, their records (redacted), candidates, summary, decisions."""

import json

import pandas as pd
import pytest

from integration.access import User
from loaders import placement
from services import review
from storage.engine import create_engine

ANALYST = User("analyst", "analyst")


@pytest.fixture
def city(city_db_url, tmp_path):
    from tests.conftest import copy_sqlite

    return create_engine(copy_sqlite(city_db_url, tmp_path / "city.db"))


def test_groups_and_their_summary_agree(city):
    groups = review.groups(city)
    assert set(groups["status"]) <= {"review", "unmatched"} and len(groups) > 0
    for _kind, of_kind in groups.groupby("kind", sort=False):  # addresses first, then the rest: largest first in each
        assert of_kind["records"].is_monotonic_decreasing
    assert groups["kind"].map(list(review.KINDS).index).is_monotonic_increasing
    waiting = review.summary(city)
    assert waiting["groups"] + waiting["not_address"] >= len(groups)
    assert waiting["records"] + waiting["not_address_records"] >= groups["records"].sum()
    crm = review.groups(city, "crm")
    assert set(crm["department"]) == {"crm"}


def test_a_groups_records_come_redacted_for_the_viewer(city, monkeypatch):
    group = review.groups(city).iloc[0]
    asked = []
    monkeypatch.setattr(review.access, "redact", lambda frame, viewer, department: asked.append((viewer, department))
                        or frame.assign(address=None))
    records = review.group_records(city, ANALYST, group["department"], group["normalized"])
    assert asked == [(ANALYST, group["department"])]
    assert len(records) == min(group["records"], 200) and records["address"].isna().all()


def test_candidates_are_ranked_and_located(city):
    groups = review.groups(city)
    group = groups[groups["candidates"].notna()].iloc[0]
    ranked = review.candidates(city, group["candidates"])
    listed = json.loads(group["candidates"])
    assert ranked["rank"].tolist() == list(range(1, len(listed) + 1))
    assert ranked["property_id"].tolist() == [c["property_id"] for c in listed]
    assert ranked["parcel_id"].notna().all()
    assert review.candidates(city, None).empty


def test_decisions_name_the_property_they_placed_records_on(city):
    groups = review.groups(city)
    group = groups[groups["candidates"].notna()].iloc[0]
    chosen = json.loads(group["candidates"])[0]
    placement.decide(city, group["department"], group["normalized"], "property", "tester",
                     property_id=chosen["property_id"])
    made = review.decisions(city)
    assert made.iloc[0][["normalized", "property_id", "property_address"]].tolist() == [
        group["normalized"], chosen["property_id"], chosen["address"]]
    assert review.decisions(city, "no-such-department").empty


def test_properties_within_a_box(city):
    group = review.groups(city)
    located = review.candidates(city, group[group["candidates"].notna()].iloc[0]["candidates"]).dropna()
    lat, lon = located.iloc[0][["lat", "lon"]]
    around = review.properties_within(city, (lat - 0.001, lon - 0.001, lat + 0.001, lon + 0.001))
    assert located.iloc[0]["property_id"] in set(around["property_id"])
    assert isinstance(around, pd.DataFrame)
