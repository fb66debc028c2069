"""Views kept in the database (storage.kept_views, services.hotspots): a frame comes back as it was
kept; each kind keeps its newest views; and on SQLite and PostgreSQL the hotspots page's kept views
are the views scored from the records, through a load from the terminal, a changed reload, an
analyst's decision, a meeting, an institution and a change of the scoring rules. A page never waits
for a load to keep a view."""

import time
from dataclasses import replace
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from integration import scoring
from loaders.__main__ import load_city
from loaders.__main__ import main as loaders_main
from loaders.placement import decide
from services import hotspots
from storage import kept_views
from storage.engine import SQLITE_BUSY_TIMEOUT_MS, create_engine, reading, writing
from storage.schema import kept_views as kept_table
from storage.schema import meetings
from tests.conftest import copy_sqlite

FRAMES = {
    "sequences, text with gaps and an index of ids": pd.DataFrame(
        {"departments": [("police", "fire"), ("crm",), None], "reasons": [["a", "b"], [], None],
         "institutional": [None, "damp", "exclude"], "address": pd.Series(["1 MAIN ST", None, "3 OAK AVE"], dtype="str"),
         "score": [1.5, np.nan, 3.0], "flagged": [True, False, True], "count": np.array([1, 2, 3], dtype=np.int64)},
        index=pd.Index(["P1", "P2", "P3"], dtype=object, name="property_id")),
    "moments and a default index": pd.DataFrame(
        {"week_end": np.array(["2026-01-03", "2026-01-10"], dtype="datetime64[us]"), "properties": [4, 5]}),
    "categories": pd.DataFrame({"kind": pd.Categorical(["a", "b", "a"], categories=["b", "a"])}),
    "no rows": pd.DataFrame({"category": pd.Series([], dtype=object)}),
}


@pytest.mark.parametrize("name", FRAMES)
def test_a_frame_comes_back_as_it_was_kept(name):
    frame = FRAMES[name].copy()
    frame.attrs["compared_with"] = "the meeting of May 4, 2026"
    back = kept_views.decode(kept_views.encode(frame))
    pd.testing.assert_frame_equal(back, frame)
    assert back.attrs == frame.attrs
    for column in frame.columns[frame.dtypes == object]:  # a tuple stays a tuple, a list a list
        assert [type(cell) for cell in back[column]] == [type(cell) for cell in frame[column]]


def test_each_kind_keeps_its_newest_views(engine):
    frame = pd.DataFrame({"n": [1]})
    with writing(engine) as conn:
        for number in range(kept_views.KEEP_PER_KIND + 3):
            kept_views.write(conn, "hotspots", f"key{number}", frame.assign(n=number))
        kept_views.write(conn, "weekly", "key0", frame)
        kept_views.write(conn, "hotspots", "key5", frame.assign(n=50))  # kept again: the newest now
    with reading(engine) as conn:
        keys = set(conn.execute(sa.select(kept_table.c.key).where(kept_table.c.kind == "hotspots")).scalars())
        assert len(keys) == kept_views.KEEP_PER_KIND
        assert {"key5", f"key{kept_views.KEEP_PER_KIND + 2}"} <= keys and "key0" not in keys
        assert kept_views.read(conn, "hotspots", "key5")["n"].tolist() == [50]
        assert kept_views.read(conn, "weekly", "key0")["n"].tolist() == [1]  # another kind is its own
        assert kept_views.read(conn, "hotspots", "key0") is None


def _scored(engine, filters: hotspots.Filters) -> pd.DataFrame:
    scored = hotspots.hotspots(engine, filters)
    return scored[scored["flagged"].to_numpy()]


def _without_scoring(monkeypatch) -> None:
    """From here, a view that is not kept fails: what the page shows must be read."""
    def fail(*args, **kwargs):
        raise AssertionError("the view was scored, not read from the kept one")

    monkeypatch.setattr(hotspots, "hotspots", fail)
    monkeypatch.setattr(hotspots, "weekly", fail)
    monkeypatch.setattr(hotspots, "placed_window", fail)


def _assert_kept_is_scored(engine, filters: hotspots.Filters) -> pd.DataFrame:
    """The view, twice (the second from the kept one), equals the view scored from the records now."""
    expected = _scored(engine, filters)
    assert len(expected) > 0
    for _ in range(2):
        view = hotspots.flagged(engine, filters)
        pd.testing.assert_frame_equal(view, expected)
        assert view.attrs == expected.attrs
        pd.testing.assert_frame_equal(hotspots.weekly_view(engine, filters), hotspots.weekly(engine, filters))
    return view


def test_the_kept_views_are_the_scored_ones_through_every_change(engine, city_dir, tmp_path, monkeypatch):
    load_city(city_dir, engine)
    last_day = hotspots.date_range(engine)[1]
    filters = hotspots.default_filters(last_day)
    view = _assert_kept_is_scored(engine, filters)

    # a load from the terminal keeps the default view of its last day: the page reads it, scoring nothing
    police = pd.read_csv(city_dir / "police.csv", dtype=str, keep_default_na=False)
    changed = police.index[-30:]
    police.loc[changed, "Call Type"] = "CALL NEVER SEEN BEFORE"
    police.loc[changed, "Call Date/Time"] = f"{last_day:%m/%d/%Y} 10:00"
    reloaded = tmp_path / "police.csv"
    police.to_csv(reloaded, index=False)
    assert loaders_main(["ingest", "--department", "police", str(reloaded)], engine=engine) == 0
    expected = _scored(engine, filters)
    expected_weekly = hotspots.weekly(engine, filters)
    assert not expected[["score"]].equals(view[["score"]])  # the reload changed the scores
    with monkeypatch.context() as patched:
        _without_scoring(patched)
        pd.testing.assert_frame_equal(hotspots.flagged(engine, filters), expected)
        pd.testing.assert_frame_equal(hotspots.weekly_view(engine, filters), expected_weekly)
        assert "CALL NEVER SEEN BEFORE" in hotspots.categories(engine, last_day)

    # an analyst places an address string the matcher sent to review
    with reading(engine) as conn:
        department, normalized, property_id = conn.exec_driver_sql(
            "SELECT r.department, m.normalized, m2.property_id FROM records r "
            "JOIN matches m ON m.record_id = r.record_id JOIN matches m2 ON m2.status = 'matched' "
            "WHERE m.status = 'review' AND m.normalized IS NOT NULL LIMIT 1").one()
    assert decide(engine, department, normalized, "property", "test", property_id=property_id) > 0
    _assert_kept_is_scored(engine, filters)

    # a meeting: "new" is measured against it
    held_on = last_day - timedelta(days=14)
    with writing(engine) as conn:
        conn.execute(meetings.insert().values(held_on=held_on, status="planned", created_by="lead",
                                              created_at=datetime.now()))
    view = _assert_kept_is_scored(engine, filters)
    assert view.attrs["compared_with"] == f"the meeting of {held_on:%B %-d, %Y}"

    # the team excludes the top property
    top = view.index[0]
    assert hotspots.set_institution(engine, top, "exclude", "city hall", "lead")
    view = _assert_kept_is_scored(engine, filters)
    assert top not in view.index

    # the scoring rules change
    rules = scoring.load_config()
    monkeypatch.setattr(scoring, "load_config", lambda *args: replace(rules, overlap_bonus=rules.overlap_bonus + 5))
    assert _assert_kept_is_scored(engine, filters)["score"].sum() > view["score"].sum()


def test_a_page_does_not_wait_for_a_load_to_keep_a_view(city_db_url, tmp_path):
    engine = create_engine(copy_sqlite(city_db_url, tmp_path / "city.db"))
    filters = replace(hotspots.default_filters(hotspots.date_range(engine)[1]), days=60)
    expected = _scored(engine, filters)
    with reading(engine) as conn:  # the views the city's load kept (its default view), not this one
        kept = conn.execute(sa.select(sa.func.count()).select_from(kept_table)).scalar()
    with writing(engine):  # a load holds the embedded database's write lock
        started = time.perf_counter()
        pd.testing.assert_frame_equal(hotspots.flagged(engine, filters), expected)
        assert time.perf_counter() - started < SQLITE_BUSY_TIMEOUT_MS / 1000 / 2  # it did not wait the lock out
    with reading(engine) as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(kept_table)).scalar() == kept
    pd.testing.assert_frame_equal(hotspots.flagged(engine, filters), expected)  # kept now
    with reading(engine) as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(kept_table)).scalar() == kept + 1
    # the connection that did not wait waits for other writers again once it is back in the pool
    with writing(engine, wait=False) as conn:
        driver = conn.connection.driver_connection
        assert driver.execute("PRAGMA busy_timeout").fetchone()[0] == 0
    assert driver.execute("PRAGMA busy_timeout").fetchone()[0] == SQLITE_BUSY_TIMEOUT_MS


def test_an_empty_database_keeps_nothing(engine):
    assert hotspots.keep_default_view(engine) is None
    day = date(2026, 1, 1)
    assert hotspots.flagged(engine, hotspots.default_filters(day)).empty
    assert hotspots.categories(engine, day) == []
