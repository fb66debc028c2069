"""The writes and reads every storage module shares: the clock, batched inserts and updates, and a
query read into a DataFrame.

Entry points: Rows, column, now, batches, insert_many, update_many, read_frame.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection


# Rows per statement where a statement takes a list of values (IN lists, updates).
BATCH_ROWS = 5_000
SQLITE = sqlite.dialect()


class Rows(Sequence[dict]):
    """Rows of the same columns held as one list per column: a sequence of dicts to any reader, and
    what insert_many writes without packing and unpacking a dict per row."""

    def __init__(self, columns: dict[str, list]):
        self.columns = columns
        self._length = len(next(iter(columns.values()))) if columns else 0

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Rows({name: values[index] for name, values in self.columns.items()})
        if not -self._length <= index < self._length:
            raise IndexError(index)
        return {name: values[index] for name, values in self.columns.items()}

    def __iter__(self):
        names = list(self.columns)
        return (dict(zip(names, row)) for row in zip(*self.columns.values()))


def column(rows: Sequence[dict], name: str) -> list:
    """One column of `rows` as a list."""
    if isinstance(rows, Rows):
        return list(rows.columns[name]) if rows.columns else []
    return [row[name] for row in rows]


def now() -> datetime:
    return datetime.now().replace(microsecond=0)


def batches(rows: Sequence[dict], size: int = BATCH_ROWS) -> Iterable[Sequence[dict]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def insert_many(conn: Connection, table: sa.Table, rows: Sequence[dict]) -> None:
    """Insert rows that all carry the same columns, in this transaction: with COPY on PostgreSQL, as
    one executemany of the driver on SQLite. Values are converted as SQLAlchemy would bind them, and
    a column left out gets its default, so the stored rows are those table.insert() would write."""
    if not rows:
        return
    if isinstance(rows, Rows):
        names, values = list(rows.columns), list(rows.columns.values())
    else:
        names = list(rows[0])
        values = [[row[name] for row in rows] for name in names]
    for column in table.columns:  # a column's Python-side default, as table.insert() would fill it
        if column.name not in names and column.default is not None and column.default.is_scalar:
            names.append(column.name)
            values.append([column.default.arg] * len(rows))
    dialect = conn.dialect
    quote = dialect.identifier_preparer.quote
    target = f"{dialect.identifier_preparer.format_table(table)} ({', '.join(quote(name) for name in names)})"
    if dialect.name == "postgresql":
        statement = f"COPY {target} FROM STDIN"
        try:
            with conn.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
                for row in zip(*values):
                    copy.write_row(row)
        except dialect.loaded_dbapi.Error as error:  # raised as SQLAlchemy raises it for any statement
            raise sa.exc.DBAPIError.instance(statement, None, error, dialect.loaded_dbapi.Error) from error
        return
    for position, name in enumerate(names):
        kind = table.c[name].type
        if isinstance(kind, sa.DateTime) and not isinstance(kind, sa.Date):
            # SQLite's stored text form, "YYYY-MM-DD HH:MM:SS.ffffff", as SQLAlchemy's processor writes it
            values[position] = [_sqlite_stamp(value) for value in values[position]]
            continue
        process = kind.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            values[position] = [None if value is None else process(value) for value in values[position]]
    conn.exec_driver_sql(f"INSERT INTO {target} VALUES ({', '.join('?' * len(names))})", list(zip(*values)))


def _sqlite_stamp(value):
    if value is None:
        return None
    if type(value) is datetime and value.tzinfo is None and value.year >= 1000:
        return value.isoformat(" ", "microseconds")
    return sa.DateTime().dialect_impl(SQLITE).bind_processor(SQLITE)(value)


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
    # Plain tuples: pandas builds a frame from SQLAlchemy's Row objects several times slower.
    return pd.DataFrame([tuple(row) for row in result], columns=list(result.keys()))
