"""Opening the city's database for a long-running process (the app server): the engine of
DATABASE_URL with its schema upgraded in place, and the process that reads long windows of a
SQLite file through the Arrow driver (storage.arrow_reader).

Entry points: `database_url`, `open_database`, `window_reader`, `describe`.
"""

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from storage import arrow_reader, migrate
from storage.engine import create_engine, database_url  # noqa: F401  (DATABASE_URL, or the embedded file)


def open_database(url: str) -> Engine:
    """The engine of `url`, its schema upgraded: an existing city database upgrades in place."""
    engine = create_engine(url)
    migrate.upgrade(engine)
    return engine


def window_reader(url: str) -> arrow_reader.Reader | None:
    """The reader process for a SQLite file; None for other databases and in-memory SQLite."""
    database = sa.engine.make_url(url)
    if database.get_backend_name() != "sqlite" or database.database in (None, "", ":memory:"):
        return None
    return arrow_reader.Reader()


def describe(engine: Engine) -> str:
    """Which database this is, as the sidebar says it."""
    if engine.dialect.name == "sqlite":
        return "Embedded SQLite database"
    return f"PostgreSQL at {engine.url.host or 'localhost'}"
