"""Loads: each ingest and what it rejected, and the column mappings saved for a department's files.

Entry points (each takes a connection first): save_mapping, find_mapping, mappings,
rejects_for_ingest, start_ingest, finish_ingest, insert_rejects, ingest_history.
"""

from collections.abc import Sequence

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from storage.schema import column_mappings, ingests, rejects
from storage.store import insert_many, now, read_frame


def save_mapping(conn: Connection, department: str, name: str, header_signature: str, columns_json: str,
                 created_by: str) -> None:
    """Store a column mapping under a name (replacing one of the same name)."""
    conn.execute(column_mappings.delete().where(column_mappings.c.department == department,
                                                column_mappings.c.name == name))
    conn.execute(column_mappings.insert().values(department=department, name=name, header_signature=header_signature,
                                                 columns=columns_json, created_by=created_by, created_at=now()))


def find_mapping(conn: Connection, department: str, *, header_signature: str | None = None,
                 name: str | None = None) -> dict | None:
    """The newest saved mapping of a department for a file shape, or by name."""
    query = sa.select(column_mappings).where(column_mappings.c.department == department)
    if header_signature is not None:
        query = query.where(column_mappings.c.header_signature == header_signature)
    if name is not None:
        query = query.where(column_mappings.c.name == name)
    row = conn.execute(query.order_by(column_mappings.c.created_at.desc(),
                                      column_mappings.c.mapping_id.desc())).mappings().first()
    return dict(row) if row else None


def mappings(conn: Connection, department: str | None = None) -> pd.DataFrame:
    query = sa.select(column_mappings).order_by(column_mappings.c.department, column_mappings.c.name)
    if department:
        query = query.where(column_mappings.c.department == department)
    return read_frame(conn, query)


def rejects_for_ingest(conn: Connection, ingest_id: int) -> pd.DataFrame:
    query = (
        sa.select(rejects.c.row_number, rejects.c.kind, rejects.c.reason, rejects.c.raw)
        .where(rejects.c.ingest_id == ingest_id)
        .order_by(rejects.c.row_number)
    )
    return read_frame(conn, query)


def start_ingest(conn: Connection, department: str, file_name: str, file_hash: str, loaded_by: str,
                 mapping: str | None = None) -> int:
    result = conn.execute(
        ingests.insert().values(
            department=department, file_name=file_name, file_hash=file_hash, loaded_by=loaded_by,
            mapping=mapping, started_at=now(), rows_read=0, rows_new=0, rows_updated=0,
            rows_unchanged=0, rows_rejected=0,
        )
    )
    return result.inserted_primary_key[0]


def finish_ingest(conn: Connection, ingest_id: int, counts: dict[str, int]) -> None:
    conn.execute(
        ingests.update()
        .where(ingests.c.ingest_id == ingest_id)
        .values(finished_at=now(), **{f"rows_{name}": value for name, value in counts.items()})
    )


def insert_rejects(conn: Connection, ingest_id: int, rows: Sequence[dict]) -> None:
    insert_many(conn, rejects, [dict(row, ingest_id=ingest_id) for row in rows])


def ingest_history(conn: Connection, limit: int = 200) -> pd.DataFrame:
    query = sa.select(ingests).order_by(ingests.c.started_at.desc(), ingests.c.ingest_id.desc()).limit(limit)
    return read_frame(conn, query)
