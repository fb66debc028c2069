"""Shared fixtures: databases on both engines, and what CI must never skip."""

import os
import sqlite3
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from storage import migrate
from storage.engine import create_engine

IN_CI = os.environ.get("CI", "").lower() == "true"
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
REAL_EXTRACTS = SHARED_DATA / "real_extracts"


def require(condition: bool, reason: str) -> None:
    """Skip a test whose outside component is missing; in CI nothing may skip, so fail instead."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this test may not be skipped)")
    pytest.skip(reason)


def shared_file(relative: str) -> Path:
    """A file of the shared data beside the project (../shared/data); skips, or fails in CI, when absent."""
    path = SHARED_DATA / relative
    require(path.exists(), f"shared data not found: {relative} (the realdata tier reads ../shared/data beside "
                           "the project; a plain clone does not have it)")
    return path


def copy_sqlite(url: str, target) -> str:
    """A consistent copy of a SQLite database (the backup API, so a WAL file is folded in)."""
    source = sqlite3.connect(sa.engine.make_url(url).database)
    copy = sqlite3.connect(target)
    with copy:
        source.backup(copy)
    source.close()
    copy.close()
    return f"sqlite:///{target}"


def _postgres_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    require(
        url.startswith("postgresql"),
        "PostgreSQL tests need TEST_DATABASE_URL=postgresql+psycopg://user@host:port/db "
        "(`source .ci/postgres.sh && start_postgres` starts a throwaway server)",
    )
    return url


def engine_on_schema(url: str, search_path: str):
    """An engine on the PostgreSQL at `url` whose every connection works in `search_path`."""
    eng = create_engine(url)

    @sa.event.listens_for(eng, "connect")
    def use_schema(dbapi_connection, _record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET search_path TO {search_path}")
        dbapi_connection.commit()

    return eng


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    """An empty, migrated database on each engine; PostgreSQL gets a schema of its own per test."""
    if request.param == "sqlite":
        eng = create_engine(f"sqlite:///{tmp_path / 'test.db'}")
        migrate.upgrade(eng)
        yield eng
        eng.dispose()
        return

    url = _postgres_url()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    eng = engine_on_schema(url, f'"{schema}"')
    migrate.upgrade(eng)
    yield eng
    eng.dispose()
    with admin.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    admin.dispose()


@pytest.fixture
def sqlite_engine(tmp_path):
    eng = create_engine(f"sqlite:///{tmp_path / 'test.db'}")
    migrate.upgrade(eng)
    yield eng
    eng.dispose()


TEST_CITY_SCALE = 0.05


@pytest.fixture(scope="session")
def city_dir(tmp_path_factory):
    """A small generated sample city (same generator and seed as `make run`, a twentieth of the size)."""
    from sample_data.generate import generate

    directory = tmp_path_factory.mktemp("city")
    generate(directory, seed=1, scale=TEST_CITY_SCALE)
    return directory


@pytest.fixture(scope="session")
def city_db_url(city_dir, tmp_path_factory):
    """A SQLite database with the small sample city loaded through the loaders, as `make run` does."""
    from loaders.__main__ import load_city

    from services import accounts
    from storage.engine import writing

    url = f"sqlite:///{tmp_path_factory.mktemp('citydb') / 'city.db'}"
    eng = create_engine(url)
    migrate.upgrade(eng)
    load_city(city_dir, eng)
    with writing(eng) as conn:
        accounts.create_demo_users(conn)  # as `make run` does for the sample city
    eng.dispose()
    return url


@pytest.fixture
def empty_db_url(tmp_path):
    """A database with no data, and only its first administrator (as a city's starts out)."""
    from services import accounts
    from storage.engine import writing

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    eng = create_engine(url)
    migrate.upgrade(eng)
    with writing(eng) as conn:
        accounts.create_user(conn, "admin", "first-admin-pass", "admin", created_by="test")
    eng.dispose()
    return url


EXTRACT_FILES = {"police": "police.csv", "fire": "fire.csv", "public_works": "public_works.csv", "crm": "crm.csv"}


@pytest.fixture(scope="session")
def full_city(tmp_path_factory):
    """The full-size sample city (scale 1, as `make run` builds it), every extract read and
    validated by the loaders and placed by the matcher, beside the ground truth.

    Returns (directory, placed): placed has the canonical record columns, the placement
    (property_id, status, method, score, candidates, normalized) and truth, noise.
    """
    import pandas as pd

    from integration.matcher import Matcher
    from loaders.read import read_table
    from loaders.specs import spec
    from loaders.validate import validate
    from sample_data.generate import generate

    directory = tmp_path_factory.mktemp("fullcity")
    generate(directory, seed=1, scale=1)
    master = pd.read_csv(directory / "properties.csv", dtype=str, keep_default_na=False)
    matcher = Matcher(master)
    parts = []
    for department, name in EXTRACT_FILES.items():
        department_spec = spec(department)
        frame = read_table((directory / name).read_bytes(), name).frame
        checked = validate(frame, department_spec, department_spec.resolve(list(frame.columns)))
        assert not checked.rejects, checked.rejects[:3]
        placement = matcher.match(checked.records)
        parts.append(checked.records.drop(columns=["status"]).rename(columns={"address": "address_written"})
                     .join(placement))
    placed = pd.concat(parts, ignore_index=True)
    truth = pd.read_csv(directory / "truth.csv", dtype=str, keep_default_na=False)
    placed = placed.merge(truth, on=["department", "source_record_id"], how="left", validate="one_to_one")
    return directory, placed
