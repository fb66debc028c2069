"""Loads without Streamlit: the history, a load's rejects, and a store the database refuses."""

import pytest
import sqlalchemy as sa

from loaders.read import LoadError
from services import loads
from storage.engine import create_engine


def test_the_history_lists_the_sample_citys_loads_newest_first(city_db_url):
    history = loads.history(create_engine(city_db_url))
    assert len(history) > 0 and history["started_at"].is_monotonic_decreasing
    rejected = history[history["rows_rejected"] > 0]
    for load in rejected.itertuples():
        rows = loads.rejects(create_engine(city_db_url), load.ingest_id)
        assert len(rows) == load.rows_rejected
        assert list(rows.columns) == ["row_number", "kind", "reason", "raw"]


def test_an_unknown_load_has_no_rejects(engine):
    assert loads.history(engine).empty
    assert loads.rejects(engine, 12345).empty


def test_a_database_refusing_the_load_speaks_as_a_load_error(monkeypatch, engine):
    def refuse(*_args, **_kwargs):
        raise sa.exc.OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(loads.ingest, "commit", refuse)
    with pytest.raises(LoadError, match="^database is locked$"):
        loads.load(engine, None, "tester")
