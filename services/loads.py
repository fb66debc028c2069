"""Loads: the log of extracts loaded, the rows each rejected, and storing a prepared file.

Entry points: `history(engine)`, `rejects(engine, ingest_id)`, `load(engine, prepared, loaded_by)`.
"""

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from loaders import ingest
from loaders.read import LoadError
from storage import loading
from storage.engine import reading


def history(engine: Engine, limit: int = 200) -> pd.DataFrame:
    """The latest loads, newest first, with their counts."""
    with reading(engine) as conn:
        return loading.ingest_history(conn, limit)


def rejects(engine: Engine, ingest_id: int) -> pd.DataFrame:
    """The rows one load rejected: row_number, kind, reason, raw."""
    with reading(engine) as conn:
        return loading.rejects_for_ingest(conn, ingest_id)


def load(engine: Engine, prepared: ingest.Prepared, loaded_by: str,
         progress: ingest.Progress | None = None) -> ingest.IngestResult:
    """Store a prepared file in one transaction. A database that refuses it raises LoadError with the
    database's own words: nothing is stored."""
    try:
        return ingest.commit(engine, prepared, loaded_by, progress=progress)
    except sa.exc.SQLAlchemyError as failure:
        raise LoadError(str(getattr(failure, "orig", None) or failure)) from failure
