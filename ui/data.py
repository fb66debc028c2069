"""The shared engine and cached reads for the pages.

Reads are cached by identity (database URL, data version, arguments), never by a DataFrame, and
every cache is bounded. The data version changes whenever an ingest finishes or an analyst stores
a decision, so a page sees a new load at once.
"""

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from storage import migrate, repository
from storage.engine import create_engine, database_url, reading
from storage.schema import ingests, match_decisions


@st.cache_resource(max_entries=4)
def _engine_for(url: str):
    eng = create_engine(url)
    migrate.upgrade(eng)  # once per server start: an existing city database upgrades in place
    return eng


def engine():
    """The process-wide engine of DATABASE_URL (default: the embedded SQLite file)."""
    return _engine_for(database_url())


def database_label() -> str:
    eng = engine()
    if eng.dialect.name == "sqlite":
        return "Embedded SQLite database"
    return f"PostgreSQL at {eng.url.host or 'localhost'}"


def data_version() -> tuple:
    with reading(engine()) as conn:
        last_ingest, loads = conn.execute(
            sa.select(sa.func.max(ingests.c.finished_at), sa.func.count()).select_from(ingests)
        ).one()
        decisions = conn.execute(sa.select(sa.func.count()).select_from(match_decisions)).scalar_one()
    return (database_url(), str(last_ingest), loads, decisions)


@st.cache_data(max_entries=8, show_spinner=False)
def overview(version: tuple) -> tuple[pd.DataFrame, int]:
    with reading(engine()) as conn:
        return repository.overview(conn), repository.count_properties(conn)


@st.cache_data(max_entries=256, show_spinner=False)
def property_history(version: tuple, property_id: str) -> tuple[dict | None, pd.DataFrame]:
    with reading(engine()) as conn:
        return repository.get_property(conn, property_id), repository.property_records(conn, property_id)


@st.cache_data(max_entries=256, show_spinner=False)
def find_properties(version: tuple, text: str) -> pd.DataFrame:
    with reading(engine()) as conn:
        return repository.find_properties(conn, text)
