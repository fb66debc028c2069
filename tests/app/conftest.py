"""Fixtures for page tests that write: their own copy of the sample city, never the shared one."""

import pytest

from tests.conftest import copy_sqlite


@pytest.fixture
def city_copy_url(city_db_url, tmp_path):
    """The small sample city, copied for one test that stores decisions or loads files."""
    return copy_sqlite(city_db_url, tmp_path / "city-copy.db")
