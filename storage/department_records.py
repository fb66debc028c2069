"""Department records and their matches: loading and updating them, their change history, the placed
records scoring reads, and the customer-service requests.

Entry points (each takes a connection first): existing_records, update_records, replace_matches,
property_records, records_for_rematch, records_by_ids, insert_record_changes, record_history,
placed_records, placed_records_from_records, record_date_range, service_requests,
service_requests_from_records, records_per_ward, insert_new_records.
"""

import json
from collections.abc import Sequence
from datetime import datetime

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from storage import summaries
from storage.schema import ingests, matches, properties, record_changes, records
from storage.store import BATCH_ROWS, column, insert_many, read_frame, update_many

def existing_records(conn: Connection, department: str, source_ids: Sequence[str]) -> dict[str, tuple[int, str]]:
    """source_record_id -> (record_id, content_hash) for the ids of `department` already stored."""
    found: dict[str, tuple[int, str]] = {}
    if conn.execute(sa.select(records.c.record_id).where(records.c.department == department).limit(1)).first() is None:
        return found  # a department's first load: nothing to look up
    query = sa.select(records.c.source_record_id, records.c.record_id, records.c.content_hash).where(
        records.c.department == department, records.c.source_record_id.in_(sa.bindparam("ids", expanding=True))
    )
    for start in range(0, len(source_ids), BATCH_ROWS):
        chunk = list(source_ids[start : start + BATCH_ROWS])
        for source_id, record_id, content_hash in conn.execute(query, {"ids": chunk}):
            found[source_id] = (record_id, content_hash)
    return found


def update_records(conn: Connection, rows: Sequence[dict]) -> None:
    """Update records by record_id with the values given (every row carries the same keys)."""
    ids = column(rows, "record_id")
    summaries.touch_records(conn, ids)  # the months they were in
    update_many(conn, records, "record_id", rows)
    summaries.touch_records(conn, ids)  # and the months they are in now


def replace_matches(conn: Connection, rows: Sequence[dict]) -> None:
    """Store where records were placed, replacing any earlier placement of the same records."""
    inserted = summaries.inserted_here(conn)  # records new in this transaction have no placement yet
    ids = column(rows, "record_id")
    placed_before = [record_id for record_id in ids if record_id not in inserted]
    for start in range(0, len(placed_before), BATCH_ROWS):
        conn.execute(matches.delete().where(matches.c.record_id.in_(placed_before[start : start + BATCH_ROWS])))
    insert_many(conn, matches, rows)
    summaries.touch_records(conn, ids)


def property_records(conn: Connection, property_id: str) -> pd.DataFrame:
    """Every record placed on one property, newest first, with how it was matched."""
    query = (
        sa.select(
            records.c.record_id,
            records.c.occurred_at,
            records.c.department,
            records.c.category,
            records.c.subcategory,
            records.c.status,
            records.c.description,
            records.c.address,
            records.c.source_record_id,
            matches.c.method,
            matches.c.score,
        )
        .join(matches, matches.c.record_id == records.c.record_id)
        .where(matches.c.property_id == property_id)
        .order_by(records.c.occurred_at.desc(), records.c.record_id)
    )
    return read_frame(conn, query)


def records_for_rematch(conn: Connection, record_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """The matcher input of every record (or of the given ones), with its department."""
    query = sa.select(
        records.c.record_id, records.c.department, records.c.address, records.c.parcel_id, records.c.lat, records.c.lon
    ).order_by(records.c.record_id)
    if record_ids is None:
        return read_frame(conn, query)
    parts = [read_frame(conn, query.where(records.c.record_id.in_(list(record_ids[start : start + BATCH_ROWS]))))
             for start in range(0, len(record_ids), BATCH_ROWS)]
    return pd.concat(parts, ignore_index=True) if parts else read_frame(conn, query.where(sa.false()))


def records_by_ids(conn: Connection, record_ids: Sequence[int], columns: Sequence[str]) -> dict[int, dict]:
    """record_id -> {column: value} for the given records."""
    found: dict[int, dict] = {}
    query = sa.select(records.c.record_id, *[records.c[c] for c in columns]).where(
        records.c.record_id.in_(sa.bindparam("ids", expanding=True))
    )
    for start in range(0, len(record_ids), BATCH_ROWS):
        for row in conn.execute(query, {"ids": list(record_ids[start : start + BATCH_ROWS])}).mappings():
            found[row["record_id"]] = {c: row[c] for c in columns}
    return found


def insert_record_changes(conn: Connection, rows: Sequence[dict]) -> None:
    insert_many(conn, record_changes, rows)


def record_history(conn: Connection, record_id: int) -> pd.DataFrame:
    """Every change newer extracts made to one record, oldest first, with the load that made it."""
    query = (
        sa.select(record_changes.c.changed_at, record_changes.c.before, record_changes.c.after,
                  ingests.c.file_name, ingests.c.loaded_by)
        .join(ingests, ingests.c.ingest_id == record_changes.c.ingest_id)
        .where(record_changes.c.record_id == record_id)
        .order_by(record_changes.c.change_id)
    )
    return read_frame(conn, query)


PLACED_COLUMNS = list(summaries.PLACED_COLUMNS)


def placed_records(conn: Connection, start: datetime, end: datetime) -> pd.DataFrame:
    """Records placed on a property with start < occurred_at <= end: what scoring reads, with its
    text columns as categories (a few thousand distinct values over hundreds of thousands of rows,
    so every later grouping works on integer codes instead of hashing text again).

    Read from the monthly column blocks of storage.summaries, which hold the same rows;
    placed_records_from_records reads them from the records themselves."""
    return summaries.placed_records(conn, start, end)


def placed_records_from_records(conn: Connection, start: datetime, end: datetime) -> pd.DataFrame:
    """placed_records, read row by row from the records and their matches (what the blocks must equal)."""
    query = (
        sa.select(matches.c.property_id, records.c.department, records.c.category, records.c.subcategory,
                  sa.cast(records.c.occurred_at, sa.String).label("occurred_at"))
        .join(matches, matches.c.record_id == records.c.record_id)
        .where(matches.c.status == "matched", matches.c.property_id.is_not(None),
               records.c.occurred_at > start, records.c.occurred_at <= end)
    )
    result = conn.execute(query)
    # Every column is plain text here, so the driver's tuples need no per-value processing, and a
    # frame builds from them ten times faster than from Row objects.
    frame = pd.DataFrame(result.cursor.fetchall(), columns=PLACED_COLUMNS, dtype=object)
    for column in PLACED_COLUMNS[:-1]:
        codes, values = pd.factorize(frame[column].to_numpy(), sort=True)
        frame[column] = pd.Categorical.from_codes(codes, values, validate=False)
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"], format="ISO8601").astype("datetime64[us]")
    return frame


def record_date_range(conn: Connection) -> tuple[datetime | None, datetime | None]:
    """The first and last occurred_at of all records. Two queries: each reads one end of the index,
    where a single min-and-max query scans all of it (SQLite)."""
    first = conn.execute(sa.select(sa.func.min(records.c.occurred_at))).scalar()
    last = conn.execute(sa.select(sa.func.max(records.c.occurred_at))).scalar()
    return first, last


def service_requests(conn: Connection, start: datetime, end: datetime, kept: Sequence[str] = ()) -> pd.DataFrame:
    """Customer-service (CRM) requests created in start < created <= end: request_id, created,
    closed, status, category, topic, the `kept` fields stored with each request (text, None where
    the extract had none), and the property and ward of the placed ones. Read from the monthly
    column blocks of storage.summaries (service_requests_from_records: from the records)."""
    return _requests_frame(summaries.service_requests(conn, start, end), kept)


def service_requests_from_records(conn: Connection, start: datetime, end: datetime,
                                  kept: Sequence[str] = ()) -> pd.DataFrame:
    """service_requests, read row by row from the records, their matches and the properties."""
    placed = matches.c.status == "matched"
    query = (
        sa.select(records.c.source_record_id.label("request_id"),
                  sa.cast(records.c.occurred_at, sa.String).label("created"),
                  sa.cast(records.c.closed_at, sa.String).label("closed"),
                  records.c.status, records.c.category, records.c.subcategory.label("topic"), records.c.extra,
                  sa.case((placed, matches.c.property_id)).label("property_id"),
                  sa.case((placed, properties.c.ward)).label("ward"))
        .select_from(records.outerjoin(matches, matches.c.record_id == records.c.record_id)
                     .outerjoin(properties, properties.c.property_id == matches.c.property_id))
        .where(records.c.department == "crm", records.c.occurred_at > start, records.c.occurred_at <= end)
    )
    result = conn.execute(query)
    frame = pd.DataFrame(result.cursor.fetchall(), columns=list(result.keys()), dtype=object)
    for column in ("created", "closed"):
        frame[column] = pd.to_datetime(frame[column], format="ISO8601").astype("datetime64[us]")
    return _requests_frame(frame, kept)


def _requests_frame(frame: pd.DataFrame, kept: Sequence[str]) -> pd.DataFrame:
    """Text columns as plain objects (None where missing), and the kept fields out of `extra` (categories:
    a few distinct values each, missing where the extract had none)."""
    for column in ("request_id", "status", "category", "topic", "property_id", "ward"):
        frame[column] = _plain_text(frame[column])
    # Requests share a few thousand distinct field combinations: parse each once.
    extra = frame.pop("extra")
    if isinstance(extra.dtype, pd.CategoricalDtype):
        codes, texts = extra.cat.codes.to_numpy(), extra.cat.categories.to_numpy(dtype=object)
    else:
        codes, texts = pd.factorize(extra.astype(object))
    parsed = [json.loads(text) if text else {} for text in texts] + [{}]
    for name in kept:
        # a category per distinct value (a missing one: no category), coded once per distinct `extra`
        field_codes, values = pd.factorize(pd.Series([fields.get(name) for fields in parsed], dtype=object))
        frame[name] = pd.Categorical.from_codes(field_codes[codes], categories=pd.Index(values, dtype=object))
    return frame


def _plain_text(values: pd.Series) -> pd.Series:
    """A column as Python objects, None where missing; a categorical's categories converted once."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = np.append(values.cat.categories.to_numpy(dtype=object), None)
        # code -1 (missing) takes the None at the end
        return pd.Series(categories[values.cat.codes.to_numpy()], index=values.index, dtype=object)
    values = values.astype(object)
    return values.where(values.notna(), None)


def records_per_ward(conn: Connection, start: datetime, end: datetime) -> pd.DataFrame:
    """Placed records per ward and department in start < occurred_at <= end: ward, department, records."""
    query = (
        sa.select(properties.c.ward, records.c.department, sa.func.count().label("records"))
        .select_from(records.join(matches, matches.c.record_id == records.c.record_id)
                     .join(properties, properties.c.property_id == matches.c.property_id))
        .where(matches.c.status == "matched", records.c.occurred_at > start, records.c.occurred_at <= end,
               properties.c.ward.is_not(None))
        .group_by(properties.c.ward, records.c.department)
    )
    return read_frame(conn, query)


def insert_new_records(conn: Connection, rows: Sequence[dict], ingest_id: int) -> list[int]:
    """Insert the records one ingest finds new (each row's ingest_id is `ingest_id`); returns their
    record ids in the order given.

    The ids are read back by ingest in one query: a lookup by IN-lists of source ids straight after
    a bulk insert is planned on stale statistics by PostgreSQL and can take a minute for 100k rows.
    Ids only grow (a sequence, SQLite's rowid under the write lock), so the new rows lie above the
    largest id before the insert: the read back walks the primary key from there, not every record.
    """
    if not rows:
        return []
    floor = conn.execute(sa.select(sa.func.max(records.c.record_id))).scalar() or 0
    insert_many(conn, records, rows)
    query = sa.select(records.c.source_record_id, records.c.record_id).where(records.c.record_id > floor,
                                                                              records.c.ingest_id == ingest_id)
    ids = dict(conn.execute(query).cursor.fetchall())  # the driver's tuples: text and integers, nothing to convert
    record_ids = [ids[source_id] for source_id in column(rows, "source_record_id")]
    departments, moments = column(rows, "department"), column(rows, "occurred_at")
    for department in set(departments):
        mine = [position for position, name in enumerate(departments) if name == department]
        summaries.touch(conn, department, [moments[p] for p in mine], [record_ids[p] for p in mine])
    return record_ids
