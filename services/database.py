"""Opening the city's database for a long-running process (the app server): the engine of
DATABASE_URL with its schema upgraded in place.

Entry points: `database_url`, `open_database`, `describe`.
"""

from sqlalchemy.engine import Engine

from storage import migrate
from storage.engine import create_engine, database_url  # noqa: F401  (DATABASE_URL, or the embedded file)


def open_database(url: str) -> Engine:
    """The engine of `url`, its schema upgraded: an existing city database upgrades in place."""
    engine = create_engine(url)
    migrate.upgrade(engine)
    return engine


def describe(engine: Engine) -> str:
    """Which database this is, as the sidebar says it."""
    if engine.dialect.name == "sqlite":
        return "Embedded SQLite database"
    return f"PostgreSQL at {engine.url.host or 'localhost'}"
