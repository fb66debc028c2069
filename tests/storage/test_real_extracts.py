"""Real department extracts, as cities published them, loaded whole (opt-in tier: reads ../shared/data).

Every police, fire, code-enforcement and 311 file in ../shared/data/real_extracts loads without a
hand mapping, at least 99% of its rows accounted for as loaded records or rows folded into one;
each hazard its README names has a case here. Without ../shared these skip (in CI they fail).
"""

import json

import pandas as pd
import pytest
import sqlalchemy as sa

from loaders.dates import AmbiguousDateOrder
from loaders.ingest import TooManyRejects, UnknownLayout, ingest, prepare
from loaders.mappings import save_mapping
from loaders.read import LoadError, read_table
from storage.engine import reading
from storage.schema import ingests, records
from tests.conftest import shared_file

pytestmark = pytest.mark.realdata

TODAY = pd.Timestamp("2026-12-01")

# file, department, layout recognised, rows read, records, folded, exact repeats, rejected
EXTRACTS = [
    ("police/dallas_active_calls.csv", "police", "Dallas Police active calls", 63, 45, 18, 0, 0),
    ("police/stlouis_cfs_scraped.csv", "police", "St. Louis Police calls for service", 56, 56, 0, 0, 0),
    ("fire/pittsburgh_fire_incidents.csv", "fire", "Pittsburgh Bureau of Fire incidents", 8945, 8927, 0, 0, 18),
    ("code_enforcement/pittsburgh_condemned_deadend_properties.csv", "public_works",
     "Pittsburgh PLI condemned and dead-end properties", 4346, 4290, 40, 16, 0),
    ("code_enforcement/baltimore_vacant_building_notices.csv", "public_works", "Baltimore vacant building notices",
     16784, 16784, 0, 0, 0),
    ("code_enforcement/chicago_building_violations.csv", "public_works", "Chicago building violations", 13, 5, 8, 0,
     0),
    ("311/nyc_311.csv", "crm", "New York City 311 service requests", 117, 117, 0, 0, 0),
    ("311/stlouis_csb_2012.csv", "crm", "St. Louis Citizens' Service Bureau requests", 3915, 3675, 0, 240, 0),
]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """One SQLite database with every real extract loaded as published: (engine, result per file)."""
    from storage import migrate
    from storage.engine import create_engine

    engine = create_engine(f"sqlite:///{tmp_path_factory.mktemp('real') / 'real.db'}")
    migrate.upgrade(engine)
    results = {relative: ingest(shared_file(f"real_extracts/{relative}"), None, engine)
               for relative, *_ in EXTRACTS}
    yield engine, results
    engine.dispose()


def stored_record(engine, relative: str, source_id: str) -> dict:
    department = next(row[1] for row in EXTRACTS if row[0] == relative)
    with reading(engine) as conn:
        return dict(conn.execute(sa.select(records).where(records.c.department == department,
                                                          records.c.source_record_id == source_id)).mappings().one())


def count(engine, table) -> int:
    with reading(engine) as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def stored(engine, department: str) -> pd.DataFrame:
    with reading(engine) as conn:
        return pd.read_sql(sa.select(records).where(records.c.department == department), conn)


@pytest.mark.parametrize("relative, department, layout, read, records_loaded, folded, repeats, rejected", EXTRACTS,
                         ids=[row[0].split("/")[1] for row in EXTRACTS])
def test_every_real_extract_loads_as_published(loaded, relative, department, layout, read, records_loaded, folded,
                                               repeats, rejected):
    engine, results = loaded
    result = results[relative]
    assert result.department == department
    assert any(note.startswith(f"recognised as {layout}") for note in result.notes), result.notes
    c = result.counts
    assert (c["read"], c["new"], c["folded"], c["duplicate"], c["rejected"]) == (read, records_loaded, folded,
                                                                                 repeats, rejected)
    assert c["new"] + c["folded"] + c["duplicate"] + c["rejected"] == c["read"]
    assert (c["new"] + c["folded"] + c["duplicate"]) / c["read"] >= 0.99
    with reading(engine) as conn:
        assert conn.execute(sa.select(ingests.c.rows_new, ingests.c.rows_folded, ingests.c.rows_duplicate)
                            .where(ingests.c.ingest_id == result.ingest_id)).one() == (records_loaded, folded,
                                                                                       repeats)


def test_one_call_per_incident_keeps_every_responding_unit(loaded):
    calls = stored(loaded[0], "police").set_index("source_record_id")
    several = [json.loads(extra) for extra in calls["extra"] if "folded" in json.loads(extra)]
    assert several and all(len(extra["folded"]["unit_number"]) == extra["rows"] for extra in several)
    # A block number in its own column is put before its street: a block, never one house.
    assert calls.loc["18-0052973", "address"] == "3000 BLOCK E Illinois Ave"
    assert str(calls.loc["18-0052973", "occurred_at"]) == "2018-01-09 09:26:00"  # ISO, T and milliseconds


def test_one_inspection_keeps_each_of_its_violations(loaded):
    inspection = stored_record(loaded[0], "code_enforcement/chicago_building_violations.csv", "13891545")
    extra = json.loads(inspection["extra"])
    assert extra["rows"] == 4 and len(extra["folded"]["VIOLATION CODE"]) == 4
    assert str(inspection["occurred_at"]) == "2023-09-16 00:00:00"  # 9/16/23: a two-digit year


@pytest.mark.parametrize("relative, source_id, field, value", [
    # Java's one-digit fraction, and a closed time read the same way.
    ("311/stlouis_csb_2012.csv", "344709", "occurred_at", "2012-01-01 15:41:22"),
    # 12-hour clock with seconds.
    ("311/nyc_311.csv", "33648024", "occurred_at", "2016-06-20 22:04:21"),
    ("311/nyc_311.csv", "33648024", "closed_at", "2016-06-20 23:12:32"),
    # A date carried as midnight.
    ("code_enforcement/pittsburgh_condemned_deadend_properties.csv",
     "0081A00132000000-Condemned Property-2020-05-19T00:00:00", "occurred_at", "2020-05-19 00:00:00"),
    # An id built from the parcel, the notice and its date; a 16-character PIN with a letter stays text.
    ("code_enforcement/pittsburgh_condemned_deadend_properties.csv",
     "0081A00132000000-Condemned Property-2020-05-19T00:00:00", "parcel_id", "0081A00132000000"),
    # A placeholder address reads as blank.
    ("code_enforcement/pittsburgh_condemned_deadend_properties.csv",
     "0081A00132000000-Condemned Property-2020-05-19T00:00:00", "address", None),
    # Leading zeros, and a parcel built from block and lot; a UTF-8 byte-order mark on the first header.
    ("code_enforcement/baltimore_vacant_building_notices.csv", "0002 036 022814", "parcel_id", "0002-036"),
    ("code_enforcement/baltimore_vacant_building_notices.csv", "0002 036 022814", "category",
     "Vacant building notice"),
    # City, state and ZIP inside the address stay for the matcher to read.
    ("fire/pittsburgh_fire_incidents.csv", "F160029985", "address", "800 BLOCK CENTER ST, WILKINSBURG PA 15221"),
    ("311/nyc_311.csv", "33648024", "address", "70 BUSH STREET, BROOKLYN 11231"),
])
def test_real_values_are_stored_as_meant(loaded, relative, source_id, field, value):
    row = stored_record(loaded[0], relative, source_id)
    stored_value = row[field] if row[field] is None else str(row[field])
    assert stored_value == value


@pytest.mark.parametrize("relative, source_id, lat, lon", [
    ("code_enforcement/baltimore_vacant_building_notices.csv", "0002 036 022814", 39.30947261, -76.64953589),  # "(lat, lon)"
    ("311/stlouis_csb_2012.csv", "344709", 38.6104, -90.2400),  # Missouri East state-plane feet, converted
    ("311/nyc_311.csv", "33648024", 40.67500778, -74.00664420),
])
def test_coordinates_in_points_and_state_plane_come_out_in_degrees(loaded, relative, source_id, lat, lon):
    row = stored_record(loaded[0], relative, source_id)
    assert row["lat"] == pytest.approx(lat, abs=1e-3) and row["lon"] == pytest.approx(lon, abs=1e-3)


def test_state_plane_without_a_coordinate_system_loads_with_one_warning(sqlite_engine):
    path = shared_file("real_extracts/311/stlouis_csb_2012.csv")
    frame = read_table(path.read_bytes(), path.name).frame
    columns = {"source_record_id": "REQUESTID", "occurred_at": "DATETIMEINIT", "category": "GROUP",
               "address": "PROBADDRESS", "x": "SRX", "y": "SRY"}
    prepared = prepare(path.read_bytes(), path.name, "crm", sqlite_engine, columns=columns)
    warnings = [note for note in prepared.notes if "coordinate system" in note]
    assert len(warnings) == 1 and "'SRX' and 'SRY' are projected" in warnings[0]
    assert prepared.records["lat"].isna().all()
    assert len(prepared.records) + prepared.duplicates == len(frame)


def test_a_file_whose_dates_are_all_unreadable_is_refused_and_nothing_is_stored(sqlite_engine, tmp_path):
    path = shared_file("real_extracts/police/stlouis_cfs_scraped.csv")
    ingest(shared_file("real_extracts/police/dallas_active_calls.csv"), None, sqlite_engine)
    before = (count(sqlite_engine, records), count(sqlite_engine, ingests))
    # A mapping that takes the wrong column for the date: every row unreadable.
    columns = {"source_record_id": "id", "occurred_at": "description", "category": "description",
               "address": "location"}
    with pytest.raises(TooManyRejects) as refused:
        ingest(path, "police", sqlite_engine, columns=columns)
    message = str(refused.value)
    assert message.startswith("stlouis_cfs_scraped.csv: 56 of 56 rows would be rejected (100%")
    assert "56 of 56 rows: 'description' values like 'Suspicious Person (Specify)'" in message
    assert "are not dates (rows 2, 3, 4, 5, 6, ...)" in message
    assert (count(sqlite_engine, records), count(sqlite_engine, ingests)) == before


@pytest.mark.parametrize("workers", [1, 2])  # 2: validated in a forked process while the master is indexed
def test_an_ambiguous_day_month_column_is_asked_not_guessed(sqlite_engine, tmp_path, workers):
    path = tmp_path / "notices.csv"
    path.write_text("ReferenceID,Block,Lot,BuildingAddress,NoticeDate,Neighborhood,PoliceDistrict,CouncilDistrict,"
                    "Location\n"
                    '1,0002,036,1945 W NORTH AVE,03/04/2014,EASTERWOOD,WESTERN,7,"(39.30947261, -76.64953589)"\n'
                    '2,0002,037,1947 W NORTH AVE,05/06/2015,EASTERWOOD,WESTERN,7,"(39.30947009, -76.64958516)"\n')
    with pytest.raises(AmbiguousDateOrder) as asked:
        ingest(path, None, sqlite_engine, workers=workers)
    assert asked.value.column == "NoticeDate" and "03/04/2014" in str(asked.value)
    assert count(sqlite_engine, records) == 0
    ingest(path, None, sqlite_engine, date_order="day_first", workers=workers)
    assert sorted(str(d) for d in stored(sqlite_engine, "public_works")["occurred_at"]) == [
        "2014-04-03 00:00:00", "2015-06-05 00:00:00"]


def test_a_mapping_saved_for_one_layout_does_not_load_another(sqlite_engine):
    dallas = shared_file("real_extracts/police/dallas_active_calls.csv")
    stlouis = shared_file("real_extracts/police/stlouis_cfs_scraped.csv")
    headers = list(read_table(dallas.read_bytes(), dallas.name).frame.columns)
    save_mapping(sqlite_engine, "police", "dallas", headers,
                 {"source_record_id": "incident_number", "occurred_at": "date_time", "category": "nature_of_call",
                  "address": "location", "address_block": "block"}, saved_by="analyst")
    with pytest.raises(LoadError, match="mapping 'dallas' maps .* but stlouis_cfs_scraped.csv has no such column"):
        ingest(stlouis, "police", sqlite_engine, mapping="dallas")
    assert count(sqlite_engine, records) == 0


def test_a_file_nothing_recognises_gets_a_proposed_mapping(sqlite_engine, tmp_path):
    path = tmp_path / "cad.csv"
    path.write_text("EvtNo,Rcvd,Nature,Loc\nE1,2025-01-17T15:04:00Z,DISTURBANCE,100 N MAIN ST\n"
                    "E2,2025-01-18T01:00:00Z,NOISE,200 N MAIN ST\n")
    with pytest.raises(UnknownLayout):
        ingest(path, None, sqlite_engine)
    assert count(sqlite_engine, records) == 0


def test_offsets_are_converted_to_the_city_time_zone(sqlite_engine, tmp_path, monkeypatch):
    monkeypatch.setenv("CITY_TIMEZONE", "America/Chicago")
    path = tmp_path / "calls.csv"
    path.write_text("incident_number,date_time,nature_of_call,location,block,status,beat,division,priority,"
                    "reporting_area,unit_number\n"
                    "18-1,2025-01-17 15:04:00+00,DISTURBANCE,MAIN ST,100,At Scene,1,N,1,1,A1\n"
                    "18-2,2025-07-17T15:04:00Z,DISTURBANCE,MAIN ST,200,At Scene,1,N,1,1,A2\n")
    ingest(path, None, sqlite_engine)
    calls = stored(sqlite_engine, "police").set_index("source_record_id")["occurred_at"].astype(str)
    assert calls.to_dict() == {"18-1": "2025-01-17 09:04:00", "18-2": "2025-07-17 10:04:00"}


def test_owner_names_are_not_stored(loaded):
    """Pittsburgh's notices name each parcel's owner: a person's name, which the dashboard does not need."""
    path = shared_file("real_extracts/code_enforcement/pittsburgh_condemned_deadend_properties.csv")
    owners = set(read_table(path.read_bytes(), path.name).frame["owner"]) - {""}
    notices = stored(loaded[0], "public_works")
    stored_text = " ".join(notices[["extra", "description", "address", "category", "status"]]
                           .fillna("").astype(str).agg(" ".join, axis=1))
    assert len(owners) > 1000
    assert not [owner for owner in owners if len(owner) > 8 and owner in stored_text]
