"""The shared engine and cached reads for the pages.

Reads are cached by identity (database URL, data version, arguments), never by a DataFrame, and
every cache is bounded. The data version changes whenever an ingest finishes or an analyst stores
a decision, so a page sees a new load at once.
"""

import pandas as pd
import streamlit as st

from integration.matcher import Matcher
from services import database
from services import properties as property_service
from services import quality as quality_service


@st.cache_resource(max_entries=4)
def _engine_for(url: str):
    return database.open_database(url)  # once per server start


def engine():
    """The process-wide engine of DATABASE_URL (default: the embedded SQLite file)."""
    return _engine_for(database.database_url())


def database_label() -> str:
    return database.describe(engine())


def data_version() -> tuple:
    return (database.database_url(), *quality_service.data_version(engine()))


@st.cache_data(max_entries=8, show_spinner=False)
def overview(version: tuple) -> tuple[pd.DataFrame, int]:
    return quality_service.overview(engine())


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
    return (database.database_url(), *property_service.master_version(engine()))


@st.cache_resource(max_entries=2, show_spinner="Indexing the property master…")
def _matcher_for(version: tuple) -> Matcher:
    return property_service.matcher(engine())


def matcher() -> Matcher:
    """The matcher over the current property master, built once per master (it takes seconds)."""
    return _matcher_for(master_version())


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
