"""The one engine factory: an embedded SQLite file by default, PostgreSQL by DATABASE_URL."""

import os
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "dashboard.db"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def database_url() -> str:
    """DATABASE_URL when set, else the embedded SQLite file under data/."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}"


def create_engine(url: str | None = None) -> Engine:
    """An engine for `url` (default: database_url()), with SQLite set up for concurrent use."""
    url = url or database_url()
    if not url.startswith("sqlite"):
        return sa.create_engine(url, pool_pre_ping=True)

    path = sa.engine.make_url(url).database
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide when a transaction begins.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def on_begin(connection):
        # A writer takes the write lock up front: a deferred transaction that later upgrades
        # to a write can fail with "database is locked" without waiting for the busy timeout.
        immediate = connection.get_execution_options().get("sqlite_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def writing(engine: Engine, wait: bool = True):
    """A write transaction: committed on success (with the page summaries it touched), rolled back on any error.

    With `wait=False`, an embedded database another writer holds (a load) raises OperationalError at
    once instead of waiting for it: for writes that may be skipped, such as keeping a view."""
    from storage import summaries  # the blocks the pages read are refreshed in the same transaction

    with engine.connect().execution_options(sqlite_immediate=True) as conn:
        summaries.start(conn)
        if not wait and is_sqlite(conn):  # on the driver's connection: no transaction begins for it
            conn.connection.driver_connection.execute("PRAGMA busy_timeout=0")
        try:
            with conn.begin():
                yield conn
                summaries.flush(conn)
        finally:
            summaries.start(conn)  # nothing noted outlives the transaction on the pooled connection
            if not wait and is_sqlite(conn):
                conn.connection.driver_connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")


@contextmanager
def reading(engine: Engine):
    """A read-only connection whose view of the data is one consistent snapshot."""
    with engine.connect() as conn:
        with conn.begin():
            yield conn


def is_sqlite(conn: Connection | Engine) -> bool:
    return conn.dialect.name == "sqlite"
