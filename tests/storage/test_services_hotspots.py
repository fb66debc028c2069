"""services.hotspots without Streamlit: the scored list, new since the last meeting, the weekly
overlap, and the institution list's edits with their audit rows."""

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from integration import scoring
from services import hotspots
from storage import department_records, property_data
from storage.engine import create_engine, reading, writing
from storage.schema import audit_log, meetings
from tests.conftest import copy_sqlite
from tests.storage.test_storage import _property


def _filters(engine) -> hotspots.Filters:
    return hotspots.default_filters(hotspots.date_range(engine)[1])


def _audit(engine) -> list[tuple]:
    with reading(engine) as conn:
        rows = conn.execute(sa.select(audit_log.c.user_name, audit_log.c.action, audit_log.c.target,
                                      audit_log.c.detail).order_by(audit_log.c.audit_id))
        return [tuple(row) for row in rows]


def test_the_list_is_what_the_scoring_ranks(city_db_url):
    engine = create_engine(city_db_url)
    filters = _filters(engine)
    scored = hotspots.hotspots(engine, filters)
    with reading(engine) as conn:
        end = hotspots.window_end(filters.end)
        placed = department_records.placed_records(conn, end - timedelta(days=2 * filters.days), end)
        listed = property_data.institution_list(conn)
        facts = property_data.property_facts(conn)
    expected = scoring.score(placed, end, filters.days, properties=facts,
                             institutions=dict(zip(listed["property_id"], listed["treatment"])))
    flagged = scored[scored["flagged"]]
    assert flagged.index.tolist() == expected[expected["flagged"]].index.tolist()
    assert flagged["score"].tolist() == pytest.approx(expected[expected["flagged"]]["score"].tolist())
    assert flagged["address"].notna().all()  # the facts of the flagged ones are joined


def test_filters_narrow_the_list(city_db_url):
    engine = create_engine(city_db_url)
    filters = replace(_filters(engine), departments=("police", "fire", "public_works"), min_departments=3)
    flagged = hotspots.hotspots(engine, filters).query("flagged")
    assert all(len(ds) >= 3 and "crm" not in ds for ds in flagged["departments"])


def test_new_is_measured_against_the_last_meeting(city_db_url, tmp_path):
    engine = create_engine(copy_sqlite(city_db_url, tmp_path / "city.db"))
    filters = _filters(engine)
    without = hotspots.hotspots(engine, filters)
    assert without.attrs["compared_with"] == "the previous window"
    held_on = filters.end - timedelta(days=14)
    with writing(engine) as conn:
        conn.execute(meetings.insert().values(held_on=held_on, status="planned", created_by="lead",
                                              created_at=datetime.now()))
    assert hotspots.last_meeting_before(engine, filters.end) == held_on
    with_meeting = hotspots.hotspots(engine, filters)
    assert with_meeting.attrs["compared_with"] == f"the meeting of {held_on:%B %-d, %Y}"
    flagged_then = hotspots.hotspots(engine, replace(filters, end=held_on))
    flagged_then = set(flagged_then.index[flagged_then["flagged"]])
    flagged_now = with_meeting[with_meeting["flagged"]]
    assert set(flagged_now.index[flagged_now["new"]]) == set(flagged_now.index) - flagged_then
    # the same read passed in (as a cache does) gives the same answer
    placed = hotspots.placed_window(engine, filters.end, hotspots.span_days(filters, held_on))
    again = hotspots.hotspots(engine, filters, last_meeting=held_on, placed=placed)
    assert again["new"].equals(with_meeting["new"])


def test_weekly_overlap_has_a_point_per_week(city_db_url):
    engine = create_engine(city_db_url)
    series = hotspots.weekly(engine, _filters(engine))
    assert len(series) == hotspots.WEEKS
    assert (series["properties"] >= 0).all()


def test_institution_edits_are_audited(engine):
    with writing(engine) as conn:
        property_data.replace_properties(conn, [_property()], [])
    assert hotspots.set_institution(engine, " P1 ", "exclude", "city hall", "lead")
    assert hotspots.listed_institutions(engine) == (("P1", "exclude"),)
    assert hotspots.institution_list(engine)["reason"].tolist() == ["city hall"]
    assert hotspots.remove_institution(engine, "P1", "lead")
    assert hotspots.listed_institutions(engine) == ()
    assert _audit(engine) == [("lead", "institution_set", "P1", "exclude"),
                              ("lead", "institution_removed", "P1", None)]


def test_an_unknown_property_is_not_listed(engine):
    assert not hotspots.set_institution(engine, "P404", "damp", None, "lead")
    assert not hotspots.remove_institution(engine, "P404", "lead")
    with pytest.raises(ValueError):
        hotspots.set_institution(engine, "P404", "ignore", None, "lead")
    assert _audit(engine) == []
