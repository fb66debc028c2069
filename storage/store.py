"""The writes and reads every storage module shares: the clock, batched inserts and updates, and a
query read into a DataFrame.

Entry points: now, batches, insert_many, update_many, read_frame.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection


# Rows per executemany call: large enough to be fast, small enough for PostgreSQL's parameter cap.
BATCH_ROWS = 5_000


def now() -> datetime:
    return datetime.now().replace(microsecond=0)


def batches(rows: Sequence[dict], size: int = BATCH_ROWS) -> Iterable[Sequence[dict]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def insert_many(conn: Connection, table: sa.Table, rows: Sequence[dict]) -> None:
    for batch in batches(rows):
        conn.execute(table.insert(), list(batch))


def update_many(conn: Connection, table: sa.Table, key: str, rows: Sequence[dict]) -> None:
    """Update rows of `table` found by `key`, in batches; every row carries the same columns."""
    if not rows:
        return
    # bound names differ from the column names: SQLAlchemy reserves those for the SET values
    update = (
        table.update()
        .where(table.c[key] == sa.bindparam(f"b_{key}"))
        .values({c: sa.bindparam(f"b_{c}") for c in rows[0] if c != key})
    )
    for batch in batches(rows):
        conn.execute(update, [{f"b_{k}": v for k, v in row.items()} for row in batch])


def read_frame(conn: Connection, query) -> pd.DataFrame:
    result = conn.execute(query)
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()))
