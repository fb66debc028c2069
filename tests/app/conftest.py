"""Fixtures for page tests that write: their own copy of the sample city, never the shared one."""

import sqlite3

import pytest
import sqlalchemy as sa


def copy_sqlite(url: str, target) -> str:
    """A consistent copy of a SQLite database (the backup API, so a WAL file is folded in)."""
    source = sqlite3.connect(sa.engine.make_url(url).database)
    copy = sqlite3.connect(target)
    with copy:
        source.backup(copy)
    source.close()
    copy.close()
    return f"sqlite:///{target}"


@pytest.fixture
def city_copy_url(city_db_url, tmp_path):
    """The small sample city, copied for one test that stores decisions or loads files."""
    return copy_sqlite(city_db_url, tmp_path / "city-copy.db")
