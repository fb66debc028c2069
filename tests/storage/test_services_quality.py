"""services.quality: the overview figures and the stale-source rule."""

from datetime import timedelta

import pytest

from loaders.specs import spec
from services import quality
from storage import department_records, loading
from storage.engine import writing
from tests.storage.test_storage import _ingest, _record
from vocabulary import DEPARTMENT_LABELS


def test_an_empty_database_is_stale_everywhere(engine):
    departments, property_count = quality.overview(engine)
    assert departments.empty and property_count == 0
    fresh = quality.freshness(engine)
    assert list(fresh) == list(DEPARTMENT_LABELS)
    assert all(f.stale and f.last_load is None and f.days is None for f in fresh.values())


@pytest.mark.parametrize("days_later, stale", [(0, False), (1, False), ("cadence", False), ("cadence+1", True)])
def test_a_load_is_stale_after_its_cadence(engine, days_later, stale):
    with writing(engine) as conn:
        ingest_id = _ingest(conn, "police")
        department_records.insert_new_records(conn, [_record(ingest_id)], ingest_id)
        loading.finish_ingest(conn, ingest_id, {"read": 1, "new": 1})
    cadence = spec("police").cadence_days
    days = {"cadence": cadence, "cadence+1": cadence + 1}.get(days_later, days_later)
    loaded = quality.overview(engine)[0].set_index("department").loc["police", "last_load"]
    now = loaded.to_pydatetime() + timedelta(days=days, seconds=1 if days != cadence else 0)
    police = quality.freshness(engine, now=now)["police"]
    assert (police.stale, police.days, police.cadence_days) == (stale, days, cadence)
    assert quality.freshness(engine, now=now)["fire"].stale  # never loaded


def test_the_data_version_moves_with_a_load(engine):
    before = quality.data_version(engine)
    with writing(engine) as conn:
        ingest_id = _ingest(conn, "police")
        loading.finish_ingest(conn, ingest_id, {"read": 0})
    assert quality.data_version(engine) != before


def test_the_data_version_moves_with_a_property_master_loaded_from_a_terminal(city_dir, city_db_url, tmp_path):
    """A master loaded by another app server or a terminal changes what every page shows: here the
    wards change, which the customer-service page counts requests by."""
    import pandas as pd

    from loaders.__main__ import main as loaders_main
    from storage.engine import create_engine
    from tests.conftest import copy_sqlite

    engine = create_engine(copy_sqlite(city_db_url, tmp_path / "city.db"))
    master = pd.read_csv(city_dir / "properties.csv", dtype=str, keep_default_na=False)
    master["ward"] = "99"
    master.to_csv(tmp_path / "properties.csv", index=False)
    before = quality.data_version(engine)
    assert loaders_main(["properties", str(tmp_path / "properties.csv")], engine=engine) == 0
    assert quality.data_version(engine) != before
    engine.dispose()


def test_quality_reads_of_an_empty_database(engine):
    months, rejected = quality.quality(engine)
    assert months.empty and rejected.empty
    assert quality.frequent_unplaced(engine, "police").empty
