"""Repository functions: every read and write the product makes, each taking a connection.

They return plain values, dicts or DataFrames. All SQL goes through SQLAlchemy expressions or
bound parameters.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from storage.schema import (
    MATCH_STATUSES,
    audit_log,
    column_mappings,
    ingests,
    match_decisions,
    matches,
    properties,
    property_addresses,
    record_changes,
    records,
    rejects,
)

# Rows per executemany call: large enough to be fast, small enough for PostgreSQL's parameter cap.
BATCH_ROWS = 5_000


def now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _batches(rows: Sequence[dict], size: int = BATCH_ROWS) -> Iterable[Sequence[dict]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def insert_many(conn: Connection, table: sa.Table, rows: Sequence[dict]) -> None:
    for batch in _batches(rows):
        conn.execute(table.insert(), list(batch))


def _frame(conn: Connection, query) -> pd.DataFrame:
    result = conn.execute(query)
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


# --- properties -----------------------------------------------------------------------------


def replace_properties(conn: Connection, property_rows: Sequence[dict], address_rows: Sequence[dict]) -> dict:
    """Load a property master: upsert properties, replace their address lists.

    Properties missing from the new master are kept (records may point at them); returns counts.
    """
    existing = set(conn.execute(sa.select(properties.c.property_id)).scalars())
    stamp = now()
    new_rows = [dict(row, updated_at=stamp) for row in property_rows if row["property_id"] not in existing]
    changed = [dict(row, updated_at=stamp) for row in property_rows if row["property_id"] in existing]
    insert_many(conn, properties, new_rows)
    if changed:
        columns = [c for c in changed[0] if c != "property_id"]
        update = (
            properties.update()
            .where(properties.c.property_id == sa.bindparam("b_property_id"))
            .values({c: sa.bindparam(f"b_{c}") for c in columns})
        )
        for batch in _batches(changed):
            conn.execute(update, [{f"b_{k}": v for k, v in row.items()} for row in batch])
    loaded_ids = [row["property_id"] for row in property_rows]
    for start in range(0, len(loaded_ids), BATCH_ROWS):
        chunk = loaded_ids[start : start + BATCH_ROWS]
        conn.execute(property_addresses.delete().where(property_addresses.c.property_id.in_(chunk)))
    insert_many(conn, property_addresses, address_rows)
    return {"new": len(new_rows), "updated": len(changed), "addresses": len(address_rows)}


def property_master(conn: Connection) -> pd.DataFrame:
    """Every address of every property, with the property's parcel and location: the matcher's input."""
    query = (
        sa.select(
            properties.c.property_id,
            property_addresses.c.address,
            properties.c.parcel_id,
            properties.c.city,
            properties.c.state,
            properties.c.zip,
            properties.c.lat,
            properties.c.lon,
            properties.c.neighborhood,
        )
        .join(property_addresses, property_addresses.c.property_id == properties.c.property_id)
        .order_by(properties.c.property_id, property_addresses.c.id)
    )
    return _frame(conn, query)


def get_property(conn: Connection, property_id: str) -> dict | None:
    row = conn.execute(sa.select(properties).where(properties.c.property_id == property_id)).mappings().first()
    if row is None:
        return None
    found = dict(row)
    found["addresses"] = list(
        conn.execute(
            sa.select(property_addresses.c.address)
            .where(property_addresses.c.property_id == property_id)
            .order_by(property_addresses.c.is_primary.desc(), property_addresses.c.id)
        ).scalars()
    )
    return found


def find_properties(conn: Connection, text: str, limit: int = 20) -> pd.DataFrame:
    """Properties whose address contains `text`, or whose parcel id has its digits."""
    words = text.upper().split()
    digits = "".join(ch for ch in text if ch.isdigit())
    if not words:
        return pd.DataFrame(columns=["property_id", "address", "parcel_id"])
    by_address = sa.and_(*[property_addresses.c.address.contains(word, autoescape=True) for word in words])
    condition = by_address
    if len(digits) >= 6:
        condition = sa.or_(by_address, properties.c.parcel_id == digits)
    query = (
        sa.select(properties.c.property_id, properties.c.address, properties.c.parcel_id)
        .join(property_addresses, property_addresses.c.property_id == properties.c.property_id)
        .where(condition)
        .distinct()
        .order_by(properties.c.address)
        .limit(limit)
    )
    return _frame(conn, query)


def count_properties(conn: Connection) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(properties)).scalar_one()


# --- records and matches --------------------------------------------------------------------


def existing_records(conn: Connection, department: str, source_ids: Sequence[str]) -> dict[str, tuple[int, str]]:
    """source_record_id -> (record_id, content_hash) for the ids of `department` already stored."""
    found: dict[str, tuple[int, str]] = {}
    query = sa.select(records.c.source_record_id, records.c.record_id, records.c.content_hash).where(
        records.c.department == department, records.c.source_record_id.in_(sa.bindparam("ids", expanding=True))
    )
    for start in range(0, len(source_ids), BATCH_ROWS):
        chunk = list(source_ids[start : start + BATCH_ROWS])
        for source_id, record_id, content_hash in conn.execute(query, {"ids": chunk}):
            found[source_id] = (record_id, content_hash)
    return found


def insert_records(conn: Connection, rows: Sequence[dict]) -> list[int]:
    """Insert new records; returns their record ids in the order given."""
    if not rows:
        return []
    insert_many(conn, records, rows)
    department = rows[0]["department"]
    ids = existing_records(conn, department, [row["source_record_id"] for row in rows])
    return [ids[row["source_record_id"]][0] for row in rows]


def update_records(conn: Connection, rows: Sequence[dict]) -> None:
    """Update records by record_id with the values given (every row carries the same keys)."""
    if not rows:
        return
    columns = [c for c in rows[0] if c != "record_id"]
    update = (
        records.update()
        .where(records.c.record_id == sa.bindparam("b_record_id"))
        .values({c: sa.bindparam(f"b_{c}") for c in columns})
    )
    for batch in _batches(rows):
        conn.execute(update, [{f"b_{k}": v for k, v in row.items()} for row in batch])


def replace_matches(conn: Connection, rows: Sequence[dict]) -> None:
    """Store where records were placed, replacing any earlier placement of the same records."""
    for batch in _batches(rows):
        ids = [row["record_id"] for row in batch]
        conn.execute(matches.delete().where(matches.c.record_id.in_(ids)))
        conn.execute(matches.insert(), list(batch))


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
            records.c.address,
            records.c.source_record_id,
            matches.c.method,
            matches.c.score,
        )
        .join(matches, matches.c.record_id == records.c.record_id)
        .where(matches.c.property_id == property_id)
        .order_by(records.c.occurred_at.desc(), records.c.record_id)
    )
    return _frame(conn, query)


def match_decisions_for(conn: Connection, department: str) -> pd.DataFrame:
    """The analysts' decisions for one department: normalized, decision, property_id."""
    query = sa.select(match_decisions.c.normalized, match_decisions.c.decision, match_decisions.c.property_id).where(
        match_decisions.c.department == department
    )
    return _frame(conn, query)


def records_for_rematch(conn: Connection, record_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """The matcher input of every record (or of the given ones), with its department."""
    query = sa.select(
        records.c.record_id, records.c.department, records.c.address, records.c.parcel_id, records.c.lat, records.c.lon
    ).order_by(records.c.record_id)
    if record_ids is None:
        return _frame(conn, query)
    parts = [_frame(conn, query.where(records.c.record_id.in_(list(record_ids[start : start + BATCH_ROWS]))))
             for start in range(0, len(record_ids), BATCH_ROWS)]
    return pd.concat(parts, ignore_index=True) if parts else _frame(conn, query.where(sa.false()))


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
    return _frame(conn, query)


# --- match review and decisions -------------------------------------------------------------


def review_groups(conn: Connection, department: str | None = None, statuses: Sequence[str] = ("review", "unmatched"),
                  limit: int = 500) -> pd.DataFrame:
    """Records the matcher could not place, grouped by department and normalised address string,
    largest groups first: department, normalized, status, records, example (as written), candidates."""
    query = (
        sa.select(
            records.c.department,
            matches.c.normalized,
            matches.c.status,
            sa.func.count().label("records"),
            sa.func.min(records.c.address).label("example"),
            sa.func.max(matches.c.candidates).label("candidates"),
        )
        .join(matches, matches.c.record_id == records.c.record_id)
        .where(matches.c.status.in_(list(statuses)), matches.c.normalized.is_not(None))
        .group_by(records.c.department, matches.c.normalized, matches.c.status)
        .order_by(sa.func.count().desc(), matches.c.normalized)
        .limit(limit)
    )
    if department:
        query = query.where(records.c.department == department)
    return _frame(conn, query)


def records_with_key(conn: Connection, department: str, normalized: str) -> pd.DataFrame:
    """The matcher input of every record of `department` whose address normalised to `normalized`."""
    query = (
        sa.select(records.c.record_id, records.c.department, records.c.address, records.c.parcel_id,
                  records.c.lat, records.c.lon)
        .join(matches, matches.c.record_id == records.c.record_id)
        .where(records.c.department == department, matches.c.normalized == normalized)
        .order_by(records.c.record_id)
    )
    return _frame(conn, query)


def save_decision(conn: Connection, department: str, normalized: str, decision: str, property_id: str | None,
                  decided_by: str, note: str | None = None) -> None:
    """Store (or replace) the decision for one department's address string."""
    conn.execute(match_decisions.delete().where(match_decisions.c.department == department,
                                                match_decisions.c.normalized == normalized))
    conn.execute(match_decisions.insert().values(department=department, normalized=normalized, decision=decision,
                                                 property_id=property_id, note=note, decided_by=decided_by,
                                                 decided_at=now()))


def apply_decision(conn: Connection, department: str, normalized: str, status: str, property_id: str | None) -> int:
    """Place every record with this address string as decided; returns how many records moved."""
    ids = select_record_ids(conn, department, normalized)
    if not ids:
        return 0
    conn.execute(
        matches.update()
        .where(matches.c.record_id.in_(sa.bindparam("ids", expanding=True)))
        .values(status=status, method="decision", property_id=property_id, score=1.0, matched_at=now()),
        {"ids": ids},
    )
    return len(ids)


def select_record_ids(conn: Connection, department: str, normalized: str) -> list[int]:
    query = (
        sa.select(records.c.record_id)
        .join(matches, matches.c.record_id == records.c.record_id)
        .where(records.c.department == department, matches.c.normalized == normalized)
    )
    return list(conn.execute(query).scalars())


def delete_decision(conn: Connection, department: str, normalized: str) -> dict | None:
    """Remove a decision (undo); returns what it was."""
    found = conn.execute(
        sa.select(match_decisions).where(match_decisions.c.department == department,
                                         match_decisions.c.normalized == normalized)
    ).mappings().first()
    if found is None:
        return None
    conn.execute(match_decisions.delete().where(match_decisions.c.decision_id == found["decision_id"]))
    return dict(found)


def decisions(conn: Connection, department: str | None = None, limit: int = 500) -> pd.DataFrame:
    query = sa.select(match_decisions).order_by(match_decisions.c.decided_at.desc(),
                                                match_decisions.c.decision_id.desc()).limit(limit)
    if department:
        query = query.where(match_decisions.c.department == department)
    return _frame(conn, query)


# --- saved column mappings ------------------------------------------------------------------


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
    return _frame(conn, query)


# --- data quality ---------------------------------------------------------------------------


def _month(conn: Connection, column):
    if conn.dialect.name == "sqlite":
        return sa.func.strftime("%Y-%m", column)
    return sa.func.to_char(column, "YYYY-MM")


def status_by_month(conn: Connection) -> pd.DataFrame:
    """Records per department, month (YYYY-MM) and match status."""
    month = _month(conn, records.c.occurred_at).label("month")
    query = (
        sa.select(records.c.department, month, matches.c.status, sa.func.count().label("records"))
        .join(matches, matches.c.record_id == records.c.record_id)
        .group_by(records.c.department, month, matches.c.status)
        .order_by(records.c.department, month)
    )
    return _frame(conn, query)


def rejects_by_kind(conn: Connection) -> pd.DataFrame:
    """Rejected rows per department and kind of reason, over every load."""
    query = (
        sa.select(ingests.c.department, rejects.c.kind, sa.func.count().label("rejects"))
        .join(ingests, ingests.c.ingest_id == rejects.c.ingest_id)
        .group_by(ingests.c.department, rejects.c.kind)
        .order_by(ingests.c.department, sa.func.count().desc())
    )
    return _frame(conn, query)


def rejects_for_ingest(conn: Connection, ingest_id: int) -> pd.DataFrame:
    query = (
        sa.select(rejects.c.row_number, rejects.c.kind, rejects.c.reason, rejects.c.raw)
        .where(rejects.c.ingest_id == ingest_id)
        .order_by(rejects.c.row_number)
    )
    return _frame(conn, query)


def frequent_unplaced(conn: Connection, department: str | None = None, limit: int = 25) -> pd.DataFrame:
    """The address strings most often left unmatched or for review."""
    return review_groups(conn, department, limit=limit)


# --- ingests and rejects --------------------------------------------------------------------


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
    return _frame(conn, query)


# --- overview -------------------------------------------------------------------------------


def overview(conn: Connection) -> pd.DataFrame:
    """Per department: records, first and last date, records per match status, share matched, last load."""
    per_department = (
        sa.select(
            records.c.department,
            sa.func.count().label("records"),
            sa.func.min(records.c.occurred_at).label("first_record"),
            sa.func.max(records.c.occurred_at).label("last_record"),
            *[sa.func.sum(sa.case((matches.c.status == status, 1), else_=0)).label(status) for status in MATCH_STATUSES],
        )
        .select_from(records.outerjoin(matches, matches.c.record_id == records.c.record_id))
        .group_by(records.c.department)
    )
    frame = _frame(conn, per_department)
    last_load = _frame(
        conn,
        sa.select(ingests.c.department, sa.func.max(ingests.c.finished_at).label("last_load"))
        .where(ingests.c.finished_at.is_not(None))
        .group_by(ingests.c.department),
    )
    frame = frame.merge(last_load, on="department", how="outer") if not frame.empty else last_load
    for column in ("records", *MATCH_STATUSES):
        if column not in frame:
            frame[column] = 0
        frame[column] = frame[column].fillna(0).astype(int)
    frame["share_matched"] = (frame["matched"] / frame["records"].where(frame["records"] > 0)).fillna(0.0)
    return frame.sort_values("department").reset_index(drop=True)


# --- audit ----------------------------------------------------------------------------------


def audit(conn: Connection, user_name: str, action: str, target: str | None = None, detail: str | None = None) -> None:
    conn.execute(audit_log.insert().values(at=now(), user_name=user_name, action=action, target=target, detail=detail))
