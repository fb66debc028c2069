"""Storage on both engines: migrations, constraints, round trips of the storage modules, concurrent writers."""

import threading
from datetime import datetime

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from storage import data_quality, department_records, loading, migrate, property_data
from storage.engine import create_engine, reading, writing
from storage.schema import metadata, properties, records

STAMP = datetime(2026, 10, 1, 12, 30)


def _property(pid="P1", address="100 MAIN ST", **extra):
    row = dict(property_id=pid, parcel_id="276000000000100", address=address, city="LAKEPORT", state="WI",
               zip="53403", lat=42.7, lon=-87.8, land_use="RESIDENTIAL", ward="3", neighborhood="Downtown",
               owner="SMITH JOHN")
    row.update(extra)
    return row


def _ingest(conn, department="police"):
    return loading.start_ingest(conn, department, "calls.csv", "ab" * 32, "tester")


def _record(ingest_id, source_id="A1", department="police", **extra):
    row = dict(department=department, source_record_id=source_id, occurred_at=STAMP, category="NOISE",
               subcategory=None, status="CLOSED", closed_at=None, address="100 MAIN ST", lat=None, lon=None,
               parcel_id=None, description=None, extra="{}", content_hash="h1", ingest_id=ingest_id,
               updated_ingest_id=None)
    row.update(extra)
    return row


def test_migrations_build_exactly_the_declared_schema(engine):
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_upgrade_again_keeps_the_data(engine):
    with writing(engine) as conn:
        property_data.replace_properties(conn, [_property()], [dict(property_id="P1", address="100 MAIN ST",
                                                                   key="100 MAIN ST", is_primary=True)])
    migrate.upgrade(engine)
    with reading(engine) as conn:
        assert property_data.get_property(conn, "P1")["addresses"] == ["100 MAIN ST"]


def test_property_round_trip_with_several_addresses(engine):
    addresses = [
        dict(property_id="P1", address="100 MAIN ST", key="100 MAIN ST", is_primary=True),
        dict(property_id="P1", address="502 5TH ST", key="502 5TH ST", is_primary=False),
    ]
    with writing(engine) as conn:
        counts = property_data.replace_properties(conn, [_property()], addresses)
    assert counts == {"new": 1, "updated": 0, "addresses": 2}
    with writing(engine) as conn:
        counts = property_data.replace_properties(conn, [_property(owner="DOE JANE")], addresses[:1])
    assert counts == {"new": 0, "updated": 1, "addresses": 1}
    with reading(engine) as conn:
        found = property_data.get_property(conn, "P1")
        master = property_data.property_master(conn)
    assert found["owner"] == "DOE JANE"
    assert found["addresses"] == ["100 MAIN ST"]
    assert master[["property_id", "address", "parcel_id"]].values.tolist() == [["P1", "100 MAIN ST", "276000000000100"]]


def test_records_are_unique_per_department_and_source_id(engine):
    with writing(engine) as conn:
        ingest_id = _ingest(conn)
        department_records.insert_new_records(conn, [_record(ingest_id, "A1")], ingest_id)
        fire_ingest = _ingest(conn, "fire")
        department_records.insert_new_records(conn, [_record(fire_ingest, "A1", department="fire")], fire_ingest)  # fine
    with pytest.raises(sa.exc.IntegrityError):
        with writing(engine) as conn:
            department_records.insert_new_records(conn, [_record(ingest_id, "A1")], ingest_id)
    with reading(engine) as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(records)).scalar_one() == 2


def test_a_failed_write_leaves_nothing_behind(engine):
    with pytest.raises(sa.exc.IntegrityError):
        with writing(engine) as conn:
            ingest_id = _ingest(conn)
            department_records.insert_new_records(conn, [_record(ingest_id, "B1"), _record(ingest_id, "B1")], ingest_id)
    with reading(engine) as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(records)).scalar_one() == 0
        assert loading.ingest_history(conn).empty


def test_foreign_keys_are_enforced(engine):
    with pytest.raises(sa.exc.IntegrityError):
        with writing(engine) as conn:
            department_records.insert_new_records(conn, [_record(ingest_id=9999)], 9999)


def test_matches_and_property_records(engine):
    with writing(engine) as conn:
        property_data.replace_properties(conn, [_property()], [dict(property_id="P1", address="100 MAIN ST",
                                                                   key="100 MAIN ST", is_primary=True)])
        ingest_id = _ingest(conn)
        ids = department_records.insert_new_records(conn, [_record(ingest_id, "A1"), _record(ingest_id, "A2")], ingest_id)
        department_records.replace_matches(conn, [
            dict(record_id=ids[0], property_id="P1", status="matched", method="exact", score=1.0,
                 candidates=None, normalized="100 MAIN ST", matched_at=STAMP),
            dict(record_id=ids[1], property_id=None, status="review", method=None, score=None,
                 candidates="[]", normalized="101 MAIN ST", matched_at=STAMP),
        ])
        loading.finish_ingest(conn, ingest_id, {"read": 2, "new": 2})
    with reading(engine) as conn:
        history = department_records.property_records(conn, "P1")
        overview = data_quality.overview(conn)
    assert history["source_record_id"].tolist() == ["A1"]
    assert overview.loc[0, ["department", "records", "matched", "review", "block"]].tolist() == ["police", 2, 1, 1, 0]
    assert overview.loc[0, "share_matched"] == pytest.approx(0.5)


def test_placed_records_reads_the_window_of_placed_records_as_categories(engine):
    with writing(engine) as conn:
        property_data.replace_properties(conn, [_property(), _property("P2", "102 MAIN ST")], [
            dict(property_id="P1", address="100 MAIN ST", key="100 MAIN ST", is_primary=True),
            dict(property_id="P2", address="102 MAIN ST", key="102 MAIN ST", is_primary=True)])
        ingest_id = _ingest(conn)
        rows = [_record(ingest_id, "OLD", occurred_at=datetime(2026, 6, 1, 8)),
                _record(ingest_id, "EDGE", occurred_at=datetime(2026, 9, 1, 0, 0, 0)),
                _record(ingest_id, "IN", occurred_at=datetime(2026, 9, 15, 10, 5, 7, 250)),
                _record(ingest_id, "FIRE", department="fire", category="Building fire", subcategory="111",
                        occurred_at=datetime(2026, 9, 20, 23, 59, 59)),
                _record(ingest_id, "UNPLACED", occurred_at=datetime(2026, 9, 16))]
        ids = department_records.insert_new_records(conn, rows, ingest_id)
        placed = dict(record_id=None, status="matched", method="exact", score=1.0, candidates=None,
                      normalized="", matched_at=STAMP)
        department_records.replace_matches(conn, [
            {**placed, "record_id": ids[0], "property_id": "P1"},
            {**placed, "record_id": ids[1], "property_id": "P1"},
            {**placed, "record_id": ids[2], "property_id": "P1"},
            {**placed, "record_id": ids[3], "property_id": "P2"},
            {**placed, "record_id": ids[4], "property_id": None, "status": "review"}])
    with reading(engine) as conn:
        window = department_records.placed_records(conn, datetime(2026, 9, 1), datetime(2026, 9, 30))
        # read from the records themselves: the same frame
        read_apart = department_records.placed_records_from_records(conn, datetime(2026, 9, 1), datetime(2026, 9, 30))
    pd.testing.assert_frame_equal(_plain(read_apart), _plain(window))
    window = window.sort_values("occurred_at").reset_index(drop=True)
    assert [str(window[c].dtype) for c in window.columns] == ["category"] * 4 + ["datetime64[us]"]
    assert window["property_id"].tolist() == ["P1", "P2"]  # after start, up to end, placed only
    assert window["occurred_at"].tolist() == [datetime(2026, 9, 15, 10, 5, 7, 250), datetime(2026, 9, 20, 23, 59, 59)]
    assert window["category"].tolist() == ["NOISE", "Building fire"]
    assert window["department"].tolist() == ["police", "fire"]
    assert window["subcategory"].isna().tolist() == [True, False] and window["subcategory"][1] == "111"


def test_overview_of_an_empty_database(engine):
    with reading(engine) as conn:
        assert data_quality.overview(conn).empty
        assert property_data.count_properties(conn) == 0


def test_sqlite_is_set_up_for_concurrent_use(sqlite_engine):
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_concurrent_writers_on_sqlite_do_not_lock_each_other_out(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    migrate.upgrade(create_engine(url))
    errors: list[BaseException] = []
    per_writer = 150

    def writer(name: str) -> None:
        engine = create_engine(url)  # each writer its own engine and connection, as two app servers would
        try:
            for n in range(per_writer):
                with writing(engine) as conn:
                    property_data.replace_properties(conn, [_property(f"{name}{n}", f"{n} {name} ST")], [])
                with reading(engine) as conn:
                    conn.execute(sa.select(sa.func.count()).select_from(properties)).scalar_one()
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("A", "B", "C")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with reading(create_engine(url)) as conn:
        assert property_data.count_properties(conn) == 3 * per_writer


def test_service_requests_and_records_per_ward(engine):
    with writing(engine) as conn:
        property_data.replace_properties(conn, [_property(ward="3"), _property("P2", "102 MAIN ST", ward="4")], [
            dict(property_id="P1", address="100 MAIN ST", key="100 MAIN ST", is_primary=True),
            dict(property_id="P2", address="102 MAIN ST", key="102 MAIN ST", is_primary=True)])
        ingest_id = _ingest(conn, "crm")
        kept = '{"handled_by": "M. Alvarez", "team": "Phones", "transferred_to": "Building"}'
        rows = [_record(ingest_id, "311-1", "crm", category="Complaint", subcategory="Pothole", extra=kept,
                        occurred_at=datetime(2026, 9, 2, 9), closed_at=datetime(2026, 9, 4, 9)),
                _record(ingest_id, "311-2", "crm", category="Inquiry", subcategory="Water Bill",
                        occurred_at=datetime(2026, 9, 3, 9)),
                _record(ingest_id, "A1", "police", occurred_at=datetime(2026, 9, 5)),
                _record(ingest_id, "A2", "police", occurred_at=datetime(2026, 9, 6))]
        ids = department_records.insert_new_records(conn, rows, ingest_id)
        placed = dict(status="matched", method="exact", score=1.0, candidates=None, normalized="", matched_at=STAMP)
        department_records.replace_matches(conn, [
            {**placed, "record_id": ids[0], "property_id": "P1"},
            {**placed, "record_id": ids[1], "property_id": None, "status": "review"},
            {**placed, "record_id": ids[2], "property_id": "P1"},
            {**placed, "record_id": ids[3], "property_id": "P2"}])
    with reading(engine) as conn:
        requests = department_records.service_requests(conn, datetime(2026, 9, 1), datetime(2026, 9, 30),
                                               kept=("handled_by", "team", "transferred_to", "transferred_from"))
        per_ward = department_records.records_per_ward(conn, datetime(2026, 9, 1), datetime(2026, 9, 30))
    requests = requests.sort_values("request_id").reset_index(drop=True)
    assert requests["request_id"].tolist() == ["311-1", "311-2"]  # CRM only
    assert requests["created"].tolist() == [datetime(2026, 9, 2, 9), datetime(2026, 9, 3, 9)]
    assert requests["closed"].iloc[0] == datetime(2026, 9, 4, 9) and pd.isna(requests["closed"].iloc[1])
    assert requests["topic"].tolist() == ["Pothole", "Water Bill"]
    assert requests["handled_by"].iloc[0] == "M. Alvarez" and pd.isna(requests["handled_by"].iloc[1])
    assert requests["transferred_from"].isna().all()  # not in the extract
    assert requests["property_id"].tolist()[0] == "P1" and pd.isna(requests["property_id"].iloc[1])
    assert requests["ward"].tolist()[0] == "3" and pd.isna(requests["ward"].iloc[1])  # only placed ones
    counts = {(row.ward, row.department): row.records for row in per_ward.itertuples()}
    assert counts == {("3", "crm"): 1, ("3", "police"): 1, ("4", "police"): 1}


def _plain(frame):
    """A frame in a stable order with its categories as text, to compare two reads of it."""
    text = frame.astype({column: object for column in ("property_id", "department", "category", "subcategory")})
    return text.sort_values(["occurred_at", "property_id"]).reset_index(drop=True)


def test_an_empty_window_is_an_empty_frame(engine):
    with reading(engine) as conn:
        window = department_records.placed_records(conn, datetime(2026, 9, 1), datetime(2026, 9, 30))
    assert window.empty and list(window.columns) == department_records.PLACED_COLUMNS


TRICKY_TEXT = ["", None, "a,b", 'say "hi"', "line\nbreak", "tab\tand back\\slash", "café ☕", "\\N", "NULL", " "]


@pytest.mark.parametrize("odd", [None, "number as text"])
def test_bulk_inserts_store_what_one_insert_per_row_stores(engine, odd):
    """insert_many (COPY on PostgreSQL, executemany on SQLite) stores each value as table.insert() does:
    empty text apart from NULL, quotes, commas, line breaks, tabs, backslashes, NaN as NULL, microseconds,
    and a number given as text."""
    from datetime import timedelta

    from storage.store import Rows, insert_many

    n = len(TRICKY_TEXT)
    moments = [datetime(2024, 3, 1, 14, 5) + timedelta(days=i, microseconds=7 * i) for i in range(n)]
    lats = [42.5, None, float("nan"), 1e-300, 123456789.123456789, -0.0, 0.1, 2.5, 3.0, 4.0]
    if odd == "number as text":
        lats[0] = "42.5"

    def rows(prefix: str, ingest_id: int) -> dict:
        return {"department": ["police"] * n, "source_record_id": [f"{prefix}{i}" for i in range(n)],
                "occurred_at": moments, "category": ["X"] * n, "subcategory": TRICKY_TEXT,
                "description": list(reversed(TRICKY_TEXT)), "lat": lats, "content_hash": ["h"] * n,
                "ingest_id": [ingest_id] * n}

    with writing(engine) as conn:
        ingest_id = _ingest(conn)
        insert_many(conn, records, Rows(rows("bulk-", ingest_id)))
        one_by_one = rows("row-", ingest_id)
        for i in range(n):
            conn.execute(records.insert().values({name: values[i] for name, values in one_by_one.items()}))
    with reading(engine) as conn:
        stored = pd.DataFrame(conn.execute(sa.select(records.c.source_record_id, records.c.occurred_at,
                                                     records.c.subcategory, records.c.description,
                                                     records.c.lat)).all())
    stored["number"] = stored["source_record_id"].str.split("-").str[1].astype(int)
    bulk = stored[stored["source_record_id"].str.startswith("bulk-")].sort_values("number").reset_index(drop=True)
    single = stored[stored["source_record_id"].str.startswith("row-")].sort_values("number").reset_index(drop=True)
    assert len(bulk) == len(single) == n
    pd.testing.assert_frame_equal(bulk.drop(columns="source_record_id"), single.drop(columns="source_record_id"))
    assert bulk["subcategory"][0] == "" and pd.isna(bulk["subcategory"][1]) and bulk["description"].iloc[-1] == ""
    assert pd.isna(bulk["lat"][2]) and bulk["lat"][4] == 123456789.123456789
    assert bulk["occurred_at"][3] == datetime(2024, 3, 4, 14, 5, 0, 21)
