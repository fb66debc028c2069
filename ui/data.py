"""The shared engine and cached reads for the pages.

Reads are cached by identity (database URL, data version, arguments), never by a DataFrame, and
every cache is bounded. The data version changes whenever an ingest finishes or an analyst stores
a decision, so a page sees a new load at once.
"""

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from integration.matcher import Matcher
from services import properties as property_service
from services import quality as quality_service
from storage import arrow_reader, migrate, repository
from storage.engine import create_engine, database_url, reading


@st.cache_resource(max_entries=4)
def _engine_for(url: str):
    eng = create_engine(url)
    migrate.upgrade(eng)  # once per server start: an existing city database upgrades in place
    _reader_for(url)  # start the reader process now, while the first page runs
    return eng


@st.cache_resource(max_entries=4)
def _reader_for(url: str):
    """The process that reads long windows of a SQLite file through the Arrow driver (see
    storage.arrow_reader); none for other databases."""
    database = sa.engine.make_url(url)
    if database.get_backend_name() != "sqlite" or database.database in (None, "", ":memory:"):
        return None
    return arrow_reader.Reader()


def reader():
    return _reader_for(database_url())


def engine():
    """The process-wide engine of DATABASE_URL (default: the embedded SQLite file)."""
    return _engine_for(database_url())


def database_label() -> str:
    eng = engine()
    if eng.dialect.name == "sqlite":
        return "Embedded SQLite database"
    return f"PostgreSQL at {eng.url.host or 'localhost'}"


def data_version() -> tuple:
    return (database_url(), *quality_service.data_version(engine()))


@st.cache_data(max_entries=8, show_spinner=False)
def overview(version: tuple) -> tuple[pd.DataFrame, int]:
    return quality_service.overview(engine())


@st.cache_data(max_entries=256, show_spinner=False)
def property_history(version: tuple, property_id: str) -> tuple[dict | None, pd.DataFrame]:
    """Unredacted: the meeting page's, which redacts it itself; other pages read
    ui.property.history(version, property_id, viewer), redacted in the service."""
    with reading(engine()) as conn:
        return repository.get_property(conn, property_id), repository.property_records(conn, property_id)


@st.cache_data(max_entries=2, show_spinner=False)
def address_index(version: tuple) -> pd.DataFrame:
    """Every address of every property: what property search looks through."""
    return property_service.address_index(engine())


def find_properties(version: tuple, text: str) -> pd.DataFrame:
    """Properties by parcel id or address (services.properties.search_properties: one rule for every page)."""
    return property_service.search_properties(engine(), text, limit=20, index=address_index(version))


# --- upload -----------------------------------------------------------------------------------


def master_version() -> tuple:
    """Identifies the property master as loaded: changes when properties are added or refreshed."""
    return (database_url(), *property_service.master_version(engine()))


@st.cache_resource(max_entries=2, show_spinner="Indexing the property master…")
def _matcher_for(version: tuple) -> Matcher:
    with reading(engine()) as conn:
        return Matcher(repository.property_master(conn))


def matcher() -> Matcher:
    """The matcher over the current property master, built once per master (it takes seconds)."""
    return _matcher_for(master_version())


@st.cache_data(max_entries=8, show_spinner=False)
def ingest_history(version: tuple) -> pd.DataFrame:
    with reading(engine()) as conn:
        return repository.ingest_history(conn)


@st.cache_data(max_entries=32, show_spinner=False)
def rejects_for_ingest(version: tuple, ingest_id: int) -> pd.DataFrame:
    with reading(engine()) as conn:
        return repository.rejects_for_ingest(conn, ingest_id)


# --- match review -----------------------------------------------------------------------------


@st.cache_data(max_entries=16, show_spinner=False)
def review_groups(version: tuple, department: str | None, limit: int) -> pd.DataFrame:
    with reading(engine()) as conn:
        return repository.review_groups(conn, department, limit=limit)


@st.cache_data(max_entries=64, show_spinner=False)
def group_records(version: tuple, department: str, normalized: str) -> pd.DataFrame:
    with reading(engine()) as conn:
        return repository.group_records(conn, department, normalized)


@st.cache_data(max_entries=128, show_spinner=False)
def property_facts(version: tuple, property_ids: tuple[str, ...]) -> pd.DataFrame:
    with reading(engine()) as conn:
        return repository.property_facts(conn, list(property_ids))


@st.cache_data(max_entries=64, show_spinner=False)
def properties_within(version: tuple, box: tuple[float, float, float, float]) -> pd.DataFrame:
    with reading(engine()) as conn:
        return repository.properties_within(conn, *box)


@st.cache_data(max_entries=16, show_spinner=False)
def decisions(version: tuple, department: str | None) -> pd.DataFrame:
    with reading(engine()) as conn:
        return repository.decisions(conn, department, limit=100)


# --- data quality -----------------------------------------------------------------------------


@st.cache_data(max_entries=8, show_spinner=False)
def quality(version: tuple) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Records per department, month and match status; rejects per department and kind."""
    return quality_service.quality(engine())


def freshness(departments: pd.DataFrame) -> dict[str, quality_service.Freshness]:
    """Each department's freshness now, from the overview's last loads (uncached: it depends on the hour)."""
    return quality_service.freshness(engine(), departments=departments)


@st.cache_data(max_entries=16, show_spinner=False)
def frequent_unplaced(version: tuple, department: str | None) -> pd.DataFrame:
    return quality_service.frequent_unplaced(engine(), department)


@st.cache_data(max_entries=32, show_spinner=False)
def review_summary(version: tuple, department: str | None, statuses: tuple[str, ...]) -> dict[str, int]:
    with reading(engine()) as conn:
        return repository.review_summary(conn, department, statuses)
