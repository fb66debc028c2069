"""The blocks and weekly counts kept for the pages (storage.summaries) equal a recomputation from the
raw records, on SQLite and PostgreSQL, after a load, a changed reload, an analyst's decision and a
failed write; and the pages' figures read from them equal the figures scored from the raw records."""

import shutil
from datetime import date, datetime, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from integration import access, service
from loaders.__main__ import load_city
from loaders.ingest import ingest
from loaders.placement import decide
from services import hotspots
from services import requests as requests_service
from storage import department_records, property_data, summaries
from storage.engine import reading, writing
from storage.schema import properties, property_addresses, record_months, records

EVERYTHING = (datetime(2000, 1, 1), datetime(2100, 1, 1))
LEAD = access.User("lead", "integration_team", None, lead=True)


def _plain(frame: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """Categories as text and one row order, to compare two reads of the same rows."""
    text = frame.astype({c: object for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)})
    text = text.astype({c: "datetime64[us]" for c in text.columns if str(text[c].dtype).startswith("datetime64")})
    return text.sort_values(order).reset_index(drop=True)


def _weeks_from_records(conn) -> pd.DataFrame:
    """request_weeks recomputed from the raw records."""
    raw = department_records.service_requests_from_records(conn, *EVERYTHING, kept=("routed_department",))
    days = (raw["closed"] - raw["created"]).dt.total_seconds() / 86_400
    table = pd.DataFrame({
        "week": (raw["created"].dt.normalize() - pd.to_timedelta(raw["created"].dt.day_of_week, unit="D")).dt.date,
        "category": raw["category"].fillna(""), "topic": raw["topic"].fillna(""),
        "routed_department": raw["routed_department"].fillna("").astype(str).str.strip(),
        "closed": days.where(days >= 0).notna(), "close_days": days.where(days >= 0).fillna(0.0)})
    grouped = table.groupby(["week", "category", "topic", "routed_department"])
    return pd.DataFrame({"requests": grouped.size(), "closed": grouped["closed"].sum(),
                         "close_days": grouped["close_days"].sum()}).reset_index()


def assert_summaries_match_records(engine) -> None:
    with reading(engine) as conn:
        kept = _plain(department_records.placed_records(conn, *EVERYTHING), ["occurred_at", "property_id", "category"])
        raw = _plain(department_records.placed_records_from_records(conn, *EVERYTHING),
                     ["occurred_at", "property_id", "category"])
        pd.testing.assert_frame_equal(kept, raw)
        fields = service.OPTIONAL_FIELDS
        kept = _plain(department_records.service_requests(conn, *EVERYTHING, kept=fields), ["request_id"])
        raw = _plain(department_records.service_requests_from_records(conn, *EVERYTHING, kept=fields), ["request_id"])
        pd.testing.assert_frame_equal(kept, raw)
        weeks = summaries.request_weeks_table(conn)
        expected = _weeks_from_records(conn)
    assert len(weeks) == len(expected) > 0
    weeks = weeks.sort_values(["week", "category", "topic", "routed_department"]).reset_index(drop=True)
    expected = expected.sort_values(["week", "category", "topic", "routed_department"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(weeks[["week", "category", "topic", "routed_department"]],
                                  expected[["week", "category", "topic", "routed_department"]])
    assert weeks["requests"].tolist() == expected["requests"].astype(int).tolist()
    assert weeks["closed"].tolist() == expected["closed"].astype(int).tolist()
    assert weeks["close_days"].to_numpy() == pytest.approx(expected["close_days"].to_numpy(), rel=1e-9)


def _scored_both_ways(engine, filters: hotspots.Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
    since = hotspots.last_meeting_before(engine, filters.end)
    last = hotspots.window_end(filters.end)
    with reading(engine) as conn:
        raw = department_records.placed_records_from_records(
            conn, last - timedelta(days=hotspots.span_days(filters, since)), last)
    kept = hotspots.hotspots(engine, filters)
    from_records = hotspots.hotspots(engine, filters, placed=raw)
    return kept.sort_index(), from_records.sort_index()


def assert_pages_match_records(engine) -> None:
    _, last_day = hotspots.date_range(engine)
    for filters in (hotspots.default_filters(last_day),
                    hotspots.Filters(end=last_day - timedelta(days=40), days=30, departments=("police", "fire", "crm"),
                                     min_departments=2, categories=(), wards=())):
        kept, from_records = _scored_both_ways(engine, filters)
        assert kept["flagged"].sum() > 0
        columns = ["score", "flagged", "new", "rising", "delta", "n_departments", "records", "nuisance_calls",
                   "chronic_nuisance", "reasons"]
        pd.testing.assert_frame_equal(kept[columns], from_records[columns])
        weekly = hotspots.weekly(engine, filters)
        since = hotspots.last_meeting_before(engine, filters.end)
        last = hotspots.window_end(filters.end)
        with reading(engine) as conn:
            raw = department_records.placed_records_from_records(
                conn, last - timedelta(days=hotspots.span_days(filters, since)), last)
        pd.testing.assert_frame_equal(weekly, hotspots.weekly(engine, filters, placed=raw))
    # the customer-service page's requests, prepared, as the raw records give them
    prepared = requests_service.requests(engine, LEAD)
    with reading(engine) as conn:
        first, last = department_records.record_date_range(conn)
        raw = department_records.service_requests_from_records(conn, first - timedelta(days=1), last,
                                                               kept=service.OPTIONAL_FIELDS)
    expected = service.prepare(access.redact(raw, LEAD, "crm"), raw["created"].max())
    pd.testing.assert_frame_equal(_plain(prepared, ["request_id"]), _plain(expected, ["request_id"]))


def _blocks(engine) -> dict:
    with reading(engine) as conn:
        rows = conn.execute(sa.select(record_months.c.kind, record_months.c.department, record_months.c.month,
                                      record_months.c.rows)).all()
    return {(kind, department, month): count for kind, department, month, count in rows}


@pytest.fixture
def loaded(engine, city_dir):
    load_city(city_dir, engine)
    return engine


def test_summaries_equal_the_records_after_loads_decisions_and_failures(loaded, city_dir, tmp_path):
    engine = loaded
    blocks = _blocks(engine)
    assert {kind for kind, _, _ in blocks} == {"placed", "requests"}
    assert len({department for _, department, _ in blocks}) == 4
    assert_summaries_match_records(engine)
    assert_pages_match_records(engine)

    # a newer extract that moves records to another month and changes others
    police = pd.read_csv(city_dir / "police.csv", dtype=str, keep_default_na=False)
    moved = police.index[:40]
    stamps = pd.to_datetime(police.loc[moved, "Call Date/Time"], format="%m/%d/%Y %H:%M")
    police.loc[moved, "Call Date/Time"] = (stamps - pd.Timedelta(days=45)).dt.strftime("%m/%d/%Y %H:%M")
    police.loc[police.index[-20:], "Call Type"] = "SHOTS FIRED"
    changed = tmp_path / "police.csv"
    police.to_csv(changed, index=False)
    result = ingest(changed, "police", engine, loaded_by="test")
    assert result.counts["updated"] == 60
    assert_summaries_match_records(engine)

    # an analyst places an address string that the matcher sent to review
    with reading(engine) as conn:
        property_id = conn.exec_driver_sql("SELECT property_id FROM properties LIMIT 1").scalar()
        department, normalized = conn.exec_driver_sql(
            "SELECT r.department, m.normalized FROM records r JOIN matches m ON m.record_id = r.record_id "
            "WHERE m.status = 'review' AND m.normalized IS NOT NULL LIMIT 1").one()
    assert decide(engine, department, normalized, "property", "test", property_id=property_id) > 0
    assert_summaries_match_records(engine)

    # a new property master moves a property with requests to another ward
    with reading(engine) as conn:
        moved_id = conn.exec_driver_sql(
            "SELECT m.property_id FROM matches m JOIN records r ON r.record_id = m.record_id "
            "WHERE r.department = 'crm' AND m.status = 'matched' ORDER BY m.property_id LIMIT 1").scalar()
        master = dict(conn.execute(sa.select(properties).where(properties.c.property_id == moved_id)).mappings().one())
        addresses = [dict(row) for row in conn.execute(sa.select(property_addresses).where(
            property_addresses.c.property_id == moved_id)).mappings()]
    assert master["ward"] != "99"
    master.pop("updated_at")
    with writing(engine) as conn:
        property_data.replace_properties(conn, [dict(master, ward="99")],
                                         [{k: v for k, v in row.items() if k != "id"} for row in addresses])
    with reading(engine) as conn:
        requests = department_records.service_requests(conn, *EVERYTHING)
    assert (requests.loc[requests["property_id"] == moved_id, "ward"] == "99").all()
    assert_summaries_match_records(engine)

    # a write that fails leaves records and blocks as they were
    before = _blocks(engine)
    with pytest.raises(RuntimeError):
        with writing(engine) as conn:
            ids = list(conn.execute(sa.select(records.c.record_id).where(records.c.department == "fire")).scalars())
            department_records.update_records(conn, [{"record_id": i, "occurred_at": datetime(2019, 1, 1)}
                                                     for i in ids])
            summaries.flush(conn)  # the blocks of 2019 are written in this transaction...
            raise RuntimeError("the load fails after writing")  # ...and rolled back with it
    assert _blocks(engine) == before
    assert_summaries_match_records(engine)
    assert_pages_match_records(engine)

    # the command's rebuild writes the same blocks
    with writing(engine) as conn:
        assert summaries.rebuild(conn) == len(before)
    assert _blocks(engine) == before
    assert_summaries_match_records(engine)


def test_an_empty_database_has_no_blocks_and_empty_reads(engine):
    with writing(engine) as conn:
        assert summaries.rebuild(conn) == 0
    with reading(engine) as conn:
        assert department_records.placed_records(conn, *EVERYTHING).empty
        assert department_records.service_requests(conn, *EVERYTHING).empty
        assert summaries.request_weeks_table(conn).empty


def test_an_existing_database_gets_its_blocks_when_it_upgrades(city_db_url, tmp_path):
    """A city database from before the blocks existed: the migration builds them from its records."""
    from alembic import command

    from storage import migrate
    from storage.engine import create_engine

    copy = tmp_path / "city.db"
    shutil.copy(sa.engine.make_url(city_db_url).database, copy)
    engine = create_engine(f"sqlite:///{copy}")
    with engine.begin() as conn:
        config = migrate._config()
        config.attributes["connection"] = conn
        command.downgrade(config, "0009")
    with engine.begin() as conn:
        assert not sa.inspect(conn).has_table("record_months")
    migrate.upgrade(engine)
    assert_summaries_match_records(engine)
    engine.dispose()


def test_months_between_covers_both_ends():
    assert summaries.months_between(datetime(2025, 11, 30, 23, 59), datetime(2026, 2, 1)) == [
        date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]


def test_the_command_rebuilds_the_summaries(city_db_url, tmp_path, monkeypatch, capsys):
    from storage.__main__ import main
    from storage.engine import create_engine

    copy = tmp_path / "city.db"
    shutil.copy(sa.engine.make_url(city_db_url).database, copy)
    engine = create_engine(f"sqlite:///{copy}")
    before = _blocks(engine)
    with engine.begin() as conn:  # as if the blocks were lost
        conn.execute(record_months.delete())
        conn.execute(summaries.request_weeks.delete())
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{copy}")
    assert main(["summaries"]) == 0
    assert f"{len(before):,} monthly blocks rebuilt" in capsys.readouterr().out
    assert _blocks(engine) == before
    assert_summaries_match_records(engine)
    engine.dispose()


def test_two_loads_at_once_leave_blocks_with_both(engine):
    """Two loads of one department and month in flight together (two loaders on one PostgreSQL):
    the second refreshes the blocks after the first commits, so they hold both loads' records."""
    import threading

    from storage import loading

    with writing(engine) as conn:
        property_data.replace_properties(conn, [dict(property_id="P1", address="100 MAIN ST")], [])

    def load(name: str, started: threading.Event | None, proceed: threading.Event | None) -> None:
        with writing(engine) as conn:
            ingest_id = loading.start_ingest(conn, "police", f"{name}.csv", name, "test")
            ids = department_records.insert_new_records(conn, [dict(
                department="police", source_record_id=name, occurred_at=datetime(2026, 5, 10, 12), category="NOISE",
                content_hash=name, ingest_id=ingest_id)], ingest_id)
            department_records.replace_matches(conn, [dict(record_id=ids[0], property_id="P1", status="matched",
                                                           method="exact", score=1.0, candidates=None,
                                                           normalized="", matched_at=datetime(2026, 5, 11))])
            if started is not None:
                summaries.flush(conn)  # its blocks written, not yet committed...
                started.set()
                proceed.wait(timeout=30)  # ...while the other load runs

    errors = []

    def second() -> None:
        try:
            load("B", None, None)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    started, proceed = threading.Event(), threading.Event()
    first = threading.Thread(target=load, args=("A", started, proceed))
    first.start()
    assert started.wait(timeout=30)
    other = threading.Thread(target=second)
    other.start()
    other.join(timeout=1)  # the second load is under way (or queued) while the first is still open
    proceed.set()
    first.join(timeout=60)
    other.join(timeout=60)
    assert errors == []
    with reading(engine) as conn:
        kept = department_records.placed_records(conn, *EVERYTHING)
        raw = department_records.placed_records_from_records(conn, *EVERYTHING)
    assert len(kept) == len(raw) == 2
