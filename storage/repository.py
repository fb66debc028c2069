"""Repository functions: every read and write the product makes, each taking a connection.

They return plain values, dicts or DataFrames. All SQL goes through SQLAlchemy expressions or
bound parameters.
"""

import dataclasses
import json
import logging
from collections.abc import Iterable, Sequence
from datetime import date, datetime

import pandas as pd
import pyarrow
import pyarrow.ipc
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from vocabulary import AGENDA_SECTIONS, CASE_STATUSES, DEPARTMENTS, MATCH_STATUSES, TREATMENTS
from storage import arrow_reader
from storage.engine import is_sqlite
from storage.schema import (
    agenda_items,
    audit_log,
    case_actions,
    case_events,
    cases,
    column_mappings,
    ingests,
    institutions,
    match_decisions,
    matches,
    meetings,
    properties,
    property_addresses,
    record_changes,
    records,
    rejects,
    ward_populations,
)

LOG = logging.getLogger(__name__)

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
    for batch in _batches(rows):
        conn.execute(update, [{f"b_{k}": v for k, v in row.items()} for row in batch])


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
    update_many(conn, properties, "property_id", changed)
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


def count_properties(conn: Connection) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(properties)).scalar_one()


def master_version(conn: Connection) -> tuple[int, str]:
    """Changes when properties are added or refreshed: the cache key of what is built from the master."""
    count, updated = conn.execute(sa.select(sa.func.count(), sa.func.max(properties.c.updated_at))
                                  .select_from(properties)).one()
    return count, str(updated)


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


def update_records(conn: Connection, rows: Sequence[dict]) -> None:
    """Update records by record_id with the values given (every row carries the same keys)."""
    update_many(conn, records, "record_id", rows)


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


# --- scoring inputs and the institution list ------------------------------------------------


PLACED_COLUMNS = list(arrow_reader.COLUMNS)


def placed_records(conn: Connection, start: datetime, end: datetime,
                   reader: arrow_reader.Reader | None = None) -> pd.DataFrame:
    """Records placed on a property with start < occurred_at <= end: what scoring reads, with its
    text columns as categories (a few thousand distinct values over hundreds of thousands of rows,
    so every later grouping works on integer codes instead of hashing text again).

    With `reader` (a storage.arrow_reader.Reader) and a SQLite file, its process reads them through
    the Arrow driver, about twice as fast on a large city; it reads what is committed when it runs.
    Otherwise, or if that process fails, the driver's tuples are read here, the timestamp as text
    parsed in one vectorised step.
    """
    path = conn.engine.url.database if is_sqlite(conn) else None
    if reader is not None and path not in (None, "", ":memory:"):
        try:
            stream = reader.placed_records(path, start.strftime(arrow_reader.STAMP), end.strftime(arrow_reader.STAMP))
            placed = pyarrow.ipc.open_stream(stream).read_all()
            if placed.num_rows:  # an empty answer has no column types: read it here, it is quick
                return _placed_frame(placed)
        except arrow_reader.ReaderError as error:  # the page must not break with it: read here instead
            LOG.warning("placed records: %s; reading them in this process", error)
    query = (
        sa.select(matches.c.property_id, records.c.department, records.c.category, records.c.subcategory,
                  sa.cast(records.c.occurred_at, sa.String).label("occurred_at"))
        .join(matches, matches.c.record_id == records.c.record_id)
        .where(matches.c.status == "matched", records.c.occurred_at > start, records.c.occurred_at <= end)
    )
    result = conn.execute(query)
    # Every column is plain text here, so the driver's tuples need no per-value processing, and a
    # frame builds from them ten times faster than from Row objects.
    frame = pd.DataFrame(result.cursor.fetchall(), columns=PLACED_COLUMNS, dtype=object)
    for column in PLACED_COLUMNS[:-1]:
        codes, values = pd.factorize(frame[column].to_numpy())
        frame[column] = pd.Categorical.from_codes(codes, values, validate=False)
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"], format="ISO8601")
    return frame


def _placed_frame(placed: pyarrow.Table) -> pd.DataFrame:
    frame = placed.to_pandas()
    if "" in frame["subcategory"].cat.categories:  # missing, as the tuples read it
        frame["subcategory"] = frame["subcategory"].cat.remove_categories([""])
    return frame


def land_uses(conn: Connection, uses: Sequence[str]) -> pd.DataFrame:
    """property_id and land_use of the properties with one of these land uses (for damping)."""
    query = sa.select(properties.c.property_id, properties.c.land_use).where(
        sa.func.upper(properties.c.land_use).in_([use.upper() for use in uses]))
    return _frame(conn, query)


def property_facts(conn: Connection, property_ids: Sequence[str] | None = None) -> pd.DataFrame:
    """property_id, address, parcel, land use, ward, neighbourhood and location, for lists and maps."""
    query = sa.select(properties.c.property_id, properties.c.address, properties.c.parcel_id, properties.c.land_use,
                      properties.c.ward, properties.c.neighborhood, properties.c.lat, properties.c.lon)
    if property_ids is None:
        return _frame(conn, query)
    parts = [_frame(conn, query.where(properties.c.property_id.in_(list(property_ids[start : start + BATCH_ROWS]))))
             for start in range(0, len(property_ids), BATCH_ROWS)]
    return pd.concat(parts, ignore_index=True) if parts else _frame(conn, query.where(sa.false()))


def record_date_range(conn: Connection) -> tuple[datetime | None, datetime | None]:
    """The first and last occurred_at of all records. Two queries: each reads one end of the index,
    where a single min-and-max query scans all of it (SQLite)."""
    first = conn.execute(sa.select(sa.func.min(records.c.occurred_at))).scalar()
    last = conn.execute(sa.select(sa.func.max(records.c.occurred_at))).scalar()
    return first, last


def wards(conn: Connection) -> list[str]:
    query = sa.select(properties.c.ward).where(properties.c.ward.is_not(None)).distinct()
    return sorted(conn.execute(query).scalars(), key=lambda ward: (len(str(ward)), str(ward)))


def last_meeting_before(conn: Connection, day: date) -> date | None:
    """The date of the latest meeting held before `day`, if any."""
    return conn.execute(sa.select(sa.func.max(meetings.c.held_on)).where(meetings.c.held_on < day)).scalar()


def cases_version(conn: Connection) -> tuple[int, int]:
    """Changes whenever a case is opened or saved: the cache key of views over all cases."""
    count, versions = conn.execute(sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(cases.c.version), 0))).one()
    return int(count), int(versions)


def institution_treatments(conn: Connection) -> list[tuple[str, str]]:
    """(property_id, treatment) of the explicit institution list, by property id: what scoring reads."""
    query = sa.select(institutions.c.property_id, institutions.c.treatment).order_by(institutions.c.property_id)
    return [tuple(row) for row in conn.execute(query)]


def institution_list(conn: Connection) -> pd.DataFrame:
    """The explicit institution list with each property's address."""
    query = (
        sa.select(institutions.c.property_id, properties.c.address, properties.c.land_use, institutions.c.treatment,
                  institutions.c.reason, institutions.c.added_by, institutions.c.added_at)
        .join(properties, properties.c.property_id == institutions.c.property_id)
        .order_by(properties.c.address)
    )
    return _frame(conn, query)


def set_institution(conn: Connection, property_id: str, treatment: str, reason: str | None, added_by: str) -> None:
    if treatment not in TREATMENTS:
        raise ValueError("treatment is 'damp' or 'exclude'")
    conn.execute(institutions.delete().where(institutions.c.property_id == property_id))
    conn.execute(institutions.insert().values(property_id=property_id, treatment=treatment, reason=reason,
                                              added_by=added_by, added_at=now()))


def remove_institution(conn: Connection, property_id: str) -> None:
    conn.execute(institutions.delete().where(institutions.c.property_id == property_id))


# --- customer service -------------------------------------------------------------------------


def replace_ward_populations(conn: Connection, populations: dict[str, int], loaded_by: str) -> None:
    """Replace the table of residents per ward."""
    conn.execute(ward_populations.delete())
    stamp = now()
    rows = [dict(ward=str(ward), population=int(people), loaded_by=loaded_by, loaded_at=stamp)
            for ward, people in populations.items()]
    if rows:
        conn.execute(ward_populations.insert(), rows)


def ward_population_table(conn: Connection) -> pd.DataFrame:
    """ward, population."""
    return _frame(conn, sa.select(ward_populations.c.ward, ward_populations.c.population)
                  .order_by(ward_populations.c.ward))


def service_requests(conn: Connection, start: datetime, end: datetime, kept: Sequence[str] = ()) -> pd.DataFrame:
    """Customer-service (CRM) requests created in start < created <= end: request_id, created,
    closed, status, category, topic, the `kept` fields stored with each request (text, None where
    the extract had none), and the property and ward of the placed ones."""
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
        frame[column] = pd.to_datetime(frame[column], format="ISO8601")
    # Requests share a few thousand distinct field combinations: parse each once.
    codes, texts = pd.factorize(frame.pop("extra"))
    parsed = [json.loads(text) if text else {} for text in texts] + [{}]
    for name in kept:
        frame[name] = pd.Series([fields.get(name) for fields in parsed], dtype=object).to_numpy()[codes]
    return frame


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


def group_records(conn: Connection, department: str, normalized: str, limit: int = 200) -> pd.DataFrame:
    """The records of one department whose address normalised to `normalized`, newest first."""
    query = (
        sa.select(records.c.record_id, records.c.source_record_id, records.c.occurred_at, records.c.category,
                  records.c.status, records.c.address, records.c.lat, records.c.lon, matches.c.status.label("placed"))
        .join(matches, matches.c.record_id == records.c.record_id)
        .where(records.c.department == department, matches.c.normalized == normalized)
        .order_by(records.c.occurred_at.desc(), records.c.record_id)
        .limit(limit)
    )
    return _frame(conn, query)


def properties_within(conn: Connection, south: float, west: float, north: float, east: float,
                      limit: int = 3_000) -> pd.DataFrame:
    """Properties located inside a latitude/longitude box (the surroundings drawn on a small map)."""
    query = (
        sa.select(properties.c.property_id, properties.c.address, properties.c.lat, properties.c.lon)
        .where(properties.c.lat.between(south, north), properties.c.lon.between(west, east))
        .limit(limit)
    )
    return _frame(conn, query)


def review_summary(conn: Connection, department: str | None = None,
                   statuses: Sequence[str] = ("review", "unmatched")) -> dict[str, int]:
    """How much waits for review: address strings, their records, and records with no usable address."""
    waiting = (
        sa.select(matches.c.normalized, sa.func.count().label("records"))
        .join(records, records.c.record_id == matches.c.record_id)
        .where(matches.c.status.in_(list(statuses)))
        .group_by(records.c.department, matches.c.normalized, matches.c.status)
    )
    if department:
        waiting = waiting.where(records.c.department == department)
    waiting = waiting.subquery()
    groups, placed, blank = conn.execute(
        sa.select(
            sa.func.count(waiting.c.normalized),
            sa.func.coalesce(sa.func.sum(sa.case((waiting.c.normalized.is_not(None), waiting.c.records), else_=0)), 0),
            sa.func.coalesce(sa.func.sum(sa.case((waiting.c.normalized.is_(None), waiting.c.records), else_=0)), 0),
        )
    ).one()
    return {"groups": int(groups), "records": int(placed), "blank": int(blank)}


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
    """Rejected rows per department and kind of reason; a file loaded twice counts once (its latest load)."""
    latest = (sa.select(sa.func.max(ingests.c.ingest_id))
              .group_by(ingests.c.department, ingests.c.file_hash).scalar_subquery())
    query = (
        sa.select(ingests.c.department, rejects.c.kind, sa.func.count().label("rejects"))
        .join(ingests, ingests.c.ingest_id == rejects.c.ingest_id)
        .where(ingests.c.ingest_id.in_(latest))
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


def data_version(conn: Connection) -> tuple[str, int, int]:
    """Changes whenever an ingest finishes or an analyst stores a decision: the cache key of reads
    over the records."""
    last_ingest, loads = conn.execute(sa.select(sa.func.max(ingests.c.finished_at), sa.func.count())
                                      .select_from(ingests)).one()
    decisions_made = conn.execute(sa.select(sa.func.count()).select_from(match_decisions)).scalar_one()
    return str(last_ingest), loads, decisions_made


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


# --- meetings, agendas and cases ------------------------------------------------------------


class StaleCase(Exception):
    """Someone saved the case after you read it: nothing of yours was written.

    current_version is the case's version now; events are what was recorded since the version
    you read (oldest first), so the page can show what changed before you re-apply your edit.
    """

    def __init__(self, case_id: int, expected_version: int, current_version: int, events: list[dict]):
        self.case_id = case_id
        self.expected_version = expected_version
        self.current_version = current_version
        self.events = events
        authors = ", ".join(dict.fromkeys(event["author"] for event in events)) or "someone else"
        super().__init__(f"case {case_id} was changed by {authors} after you opened it (version {expected_version}"
                         f" -> {current_version}); nothing of yours was saved: look at the changes and save again")


def _meeting_row(row) -> dict:
    found = dict(row)
    found["attendees"] = json.loads(found["attendees"]) if found.get("attendees") else []
    return found


def get_meeting(conn: Connection, meeting_id: int) -> dict | None:
    row = conn.execute(sa.select(meetings).where(meetings.c.meeting_id == meeting_id)).mappings().first()
    return _meeting_row(row) if row else None


def meeting_on(conn: Connection, held_on: date) -> dict | None:
    row = conn.execute(sa.select(meetings).where(meetings.c.held_on == held_on)).mappings().first()
    return _meeting_row(row) if row else None


def insert_meeting(conn: Connection, held_on: date, author: str) -> bool:
    """Create the meeting held on `held_on`; False if there is one already (one meeting per day)."""
    try:
        with conn.begin_nested():
            conn.execute(meetings.insert().values(held_on=held_on, status="planned", created_by=author,
                                                  created_at=now()))
    except sa.exc.IntegrityError:
        return False  # someone else started the same meeting a moment ago: theirs is ours
    return True


def list_meetings(conn: Connection) -> pd.DataFrame:
    """Every meeting, newest first: meeting_id, held_on, status, created_by, agenda_items (not dropped)."""
    items = (sa.select(agenda_items.c.meeting_id, sa.func.count().label("agenda_items"))
             .where(agenda_items.c.dropped.is_(False)).group_by(agenda_items.c.meeting_id).subquery())
    query = (
        sa.select(meetings.c.meeting_id, meetings.c.held_on, meetings.c.status, meetings.c.created_by,
                  sa.func.coalesce(items.c.agenda_items, 0).label("agenda_items"))
        .select_from(meetings.outerjoin(items, items.c.meeting_id == meetings.c.meeting_id))
        .order_by(meetings.c.held_on.desc())
    )
    return _frame(conn, query)


def previous_meeting(conn: Connection, day: date) -> dict | None:
    """The latest meeting held before `day`, if any."""
    row = conn.execute(sa.select(meetings).where(meetings.c.held_on < day)
                       .order_by(meetings.c.held_on.desc()).limit(1)).mappings().first()
    return _meeting_row(row) if row else None


def set_attendees(conn: Connection, meeting_id: int, names: Sequence[str]) -> None:
    conn.execute(meetings.update().where(meetings.c.meeting_id == meeting_id).values(attendees=json.dumps(list(names))))


def _item_row(item) -> dict:
    row = dataclasses.asdict(item) if dataclasses.is_dataclass(item) else dict(item)
    section = row.get("section") or "added"
    if section not in AGENDA_SECTIONS:
        raise ValueError(f"'{section}' is not an agenda section ({', '.join(AGENDA_SECTIONS)})")
    score = row.get("score")
    return {"property_id": row["property_id"], "section": section,
            "score": None if score is None or pd.isna(score) else float(score), "why": row.get("why") or None,
            "added_by_hand": bool(row.get("added_by_hand", False)), "dropped": bool(row.get("dropped", False))}


def save_agenda(conn: Connection, meeting_id: int, items: Iterable) -> int:
    """Replace the meeting's agenda with `items` in order (AgendaItems or dicts with property_id,
    section and optionally score, why, added_by_hand, dropped); returns how many were saved."""
    rows, seen = [], set()
    for item in items:
        row = _item_row(item)
        if row["property_id"] not in seen:
            seen.add(row["property_id"])
            rows.append(dict(row, meeting_id=meeting_id, position=len(rows) + 1))
    conn.execute(agenda_items.delete().where(agenda_items.c.meeting_id == meeting_id))
    insert_many(conn, agenda_items, rows)
    return len(rows)


def meeting_agenda(conn: Connection, meeting_id: int, include_dropped: bool = False) -> pd.DataFrame:
    """The agenda in order: item_id, position, property_id, address, section, score, why,
    added_by_hand, dropped, and the property's open case (case_id, case_status, case_version)."""
    open_cases = cases.alias("open_cases")
    query = (
        sa.select(agenda_items.c.item_id, agenda_items.c.position, agenda_items.c.property_id, properties.c.address,
                  agenda_items.c.section, agenda_items.c.score, agenda_items.c.why, agenda_items.c.added_by_hand,
                  agenda_items.c.dropped, open_cases.c.case_id, open_cases.c.status.label("case_status"),
                  open_cases.c.version.label("case_version"))
        .select_from(
            agenda_items.join(properties, properties.c.property_id == agenda_items.c.property_id)
            .outerjoin(open_cases, sa.and_(open_cases.c.property_id == agenda_items.c.property_id,
                                           open_cases.c.status != "resolved")))
        .where(agenda_items.c.meeting_id == meeting_id)
        .order_by(agenda_items.c.position, agenda_items.c.item_id)
    )
    if not include_dropped:
        query = query.where(agenda_items.c.dropped.is_(False))
    frame = _frame(conn, query)
    frame["case_id"] = frame["case_id"].astype("Int64")
    frame["case_version"] = frame["case_version"].astype("Int64")
    return frame


def _agenda_order(conn: Connection, meeting_id: int) -> list[tuple[int, str]]:
    return [tuple(row) for row in conn.execute(
        sa.select(agenda_items.c.item_id, agenda_items.c.property_id)
        .where(agenda_items.c.meeting_id == meeting_id)
        .order_by(agenda_items.c.position, agenda_items.c.item_id))]


def _renumber(conn: Connection, item_ids: Sequence[int]) -> None:
    update = agenda_items.update().where(agenda_items.c.item_id == sa.bindparam("b_item_id")).values(
        position=sa.bindparam("b_position"))
    if item_ids:
        conn.execute(update, [{"b_item_id": item_id, "b_position": n} for n, item_id in enumerate(item_ids, 1)])


def reorder_agenda(conn: Connection, meeting_id: int, property_ids: Sequence[str]) -> None:
    """Put the given properties first, in that order; the others follow in their present order."""
    current = _agenda_order(conn, meeting_id)
    by_property = {property_id: item_id for item_id, property_id in current}
    first = [by_property[pid] for pid in dict.fromkeys(property_ids) if pid in by_property]
    _renumber(conn, first + [item_id for item_id, _ in current if item_id not in set(first)])


def drop_agenda_item(conn: Connection, meeting_id: int, property_id: str, dropped: bool = True) -> None:
    """Drop a property from the agenda (kept, marked dropped), or bring it back with dropped=False."""
    conn.execute(agenda_items.update().where(agenda_items.c.meeting_id == meeting_id,
                                             agenda_items.c.property_id == property_id).values(dropped=dropped))


def add_agenda_item(conn: Connection, meeting_id: int, property_id: str, position: int | None = None,
                    why: str | None = None) -> None:
    """Add a property by hand (at the end, or at 1-based `position`); one already there comes back undropped."""
    exists = conn.execute(sa.select(agenda_items.c.item_id).where(
        agenda_items.c.meeting_id == meeting_id, agenda_items.c.property_id == property_id)).scalar()
    if exists is not None:
        conn.execute(agenda_items.update().where(agenda_items.c.item_id == exists).values(dropped=False))
    else:
        last = conn.execute(sa.select(sa.func.max(agenda_items.c.position))
                            .where(agenda_items.c.meeting_id == meeting_id)).scalar() or 0
        conn.execute(agenda_items.insert().values(meeting_id=meeting_id, property_id=property_id, position=last + 1,
                                                  section="added", why=why or "Added by hand", added_by_hand=True,
                                                  dropped=False))
    if position is not None:
        order = [item_id for item_id, pid in _agenda_order(conn, meeting_id) if pid != property_id]
        item_id = conn.execute(sa.select(agenda_items.c.item_id).where(
            agenda_items.c.meeting_id == meeting_id, agenda_items.c.property_id == property_id)).scalar_one()
        order.insert(max(position - 1, 0), item_id)
        _renumber(conn, order)


def _event_row(row) -> dict:
    found = dict(row)
    found["body"] = json.loads(found["body"]) if found["body"] else {}
    return found


def _write_events(conn: Connection, case_id: int, version: int, events: Sequence[tuple[str, dict]], author: str,
                  meeting_id: int | None, at: datetime) -> None:
    conn.execute(case_events.insert(), [
        {"case_id": case_id, "meeting_id": meeting_id, "version": version, "kind": kind,
         "body": json.dumps(body, default=str), "author": author, "at": at} for kind, body in events])


def _case_events(conn: Connection, case_id: int, after_version: int | None = None) -> list[dict]:
    query = sa.select(case_events).where(case_events.c.case_id == case_id).order_by(case_events.c.event_id)
    if after_version is not None:
        query = query.where(case_events.c.version > after_version)
    return [_event_row(row) for row in conn.execute(query).mappings()]


def _case_actions(conn: Connection, case_id: int) -> list[dict]:
    query = sa.select(case_actions).where(case_actions.c.case_id == case_id).order_by(case_actions.c.action_id)
    return [dict(row) for row in conn.execute(query).mappings()]


def get_case(conn: Connection, case_id: int) -> dict | None:
    """A case with its property's address, its actions and its whole event history, oldest first."""
    row = conn.execute(
        sa.select(cases, properties.c.address).join(properties, properties.c.property_id == cases.c.property_id)
        .where(cases.c.case_id == case_id)).mappings().first()
    if row is None:
        return None
    found = dict(row)
    found["actions"] = _case_actions(conn, case_id)
    found["events"] = _case_events(conn, case_id)
    return found


def open_case_for(conn: Connection, property_id: str) -> dict | None:
    """The property's open case (any status but resolved), with actions and events."""
    case_id = conn.execute(sa.select(cases.c.case_id).where(cases.c.property_id == property_id,
                                                            cases.c.status != "resolved")).scalar()
    return get_case(conn, case_id) if case_id is not None else None


def cases_for_property(conn: Connection, property_id: str) -> list[dict]:
    """Every case of a property, newest first, each with its actions and event history."""
    ids = conn.execute(sa.select(cases.c.case_id).where(cases.c.property_id == property_id)
                       .order_by(cases.c.opened_at.desc(), cases.c.case_id.desc())).scalars().all()
    return [get_case(conn, case_id) for case_id in ids]


def _check_department(department: str | None) -> None:
    if department is not None and department not in DEPARTMENTS:
        raise ValueError(f"'{department}' is not a department ({', '.join(DEPARTMENTS)})")


def insert_case(conn: Connection, property_id: str, author: str, meeting_id: int | None = None,
                lead_department: str | None = None, status: str = "new", opened_at: datetime | None = None) -> int | None:
    """Open a case on a property with its "opened" event; returns its case_id, or None when the
    property has an open case already (one open case per property, kept by the database)."""
    if status not in CASE_STATUSES or status == "resolved":
        raise ValueError(f"a case opens as one of {', '.join(s for s in CASE_STATUSES if s != 'resolved')}")
    _check_department(lead_department)
    stamp = now()
    try:
        with conn.begin_nested():
            case_id = conn.execute(cases.insert().values(
                property_id=property_id, status=status, lead_department=lead_department,
                opened_at=opened_at or stamp, version=1, updated_at=stamp)).inserted_primary_key[0]
    except sa.exc.IntegrityError:
        if open_case_for(conn, property_id) is None:
            raise
        return None
    _write_events(conn, case_id, 1, [("opened", {"status": status, "lead_department": lead_department})],
                  author, meeting_id, stamp)
    return case_id


def open_case(conn: Connection, property_id: str, author: str, meeting_id: int | None = None,
              lead_department: str | None = None, status: str = "new", opened_at: datetime | None = None) -> dict:
    """The property's open case, opened if it has none (unaudited: for loading and tests)."""
    found = open_case_for(conn, property_id)
    if found is None:
        case_id = insert_case(conn, property_id, author, meeting_id, lead_department, status, opened_at)
        found = get_case(conn, case_id) if case_id is not None else open_case_for(conn, property_id)
    return found


def _stale(conn: Connection, case_id: int, expected_version: int) -> StaleCase:
    current = conn.execute(sa.select(cases.c.version).where(cases.c.case_id == case_id)).scalar_one()
    return StaleCase(case_id, expected_version, current, _case_events(conn, case_id, expected_version))


def _bump(conn: Connection, case_id: int, stamp: datetime) -> int:
    """Step a case's version for a change that needs no version check (marking an action done)."""
    result = conn.execute(cases.update().where(cases.c.case_id == case_id)
                          .values(version=cases.c.version + 1, updated_at=stamp))
    if result.rowcount != 1:
        raise LookupError(f"case {case_id} does not exist")
    return conn.execute(sa.select(cases.c.version).where(cases.c.case_id == case_id)).scalar_one()


def _insert_action(conn: Connection, case_id: int, values: dict, author: str, meeting_id: int | None,
                   stamp: datetime) -> dict:
    action_id = conn.execute(case_actions.insert().values(
        case_id=case_id, meeting_id=meeting_id, created_by=author, created_at=stamp, **values)).inserted_primary_key[0]
    return {"action_id": action_id, **values}


def record_decision(conn: Connection, case_id: int, expected_version: int, changes: dict,
                    actions: Sequence[dict] = (), note: str | None = None, author: str = "",
                    meeting_id: int | None = None) -> tuple[int, list[str]]:
    """Record a meeting's decision on a case read at `expected_version`; returns the new version
    and the kinds of the events it made.

    changes (checked by integration.cases.check_changes) may set status and lead_department;
    actions (each checked by check_action) are new actions; note is free text. Every change becomes
    a case event (author, time, meeting). If the case was saved by someone else since
    `expected_version`, nothing is written: StaleCase.
    """
    if not author:
        raise ValueError("a decision needs its author")

    current = conn.execute(sa.select(cases).where(cases.c.case_id == case_id)).mappings().first()
    if current is None:
        raise LookupError(f"case {case_id} does not exist")
    if current["version"] != expected_version:
        raise _stale(conn, case_id, expected_version)
    stamp = now()
    version = expected_version + 1
    values = {name: value for name, value in changes.items() if current[name] != value}
    if "status" in values:
        values["closed_at"] = stamp if values["status"] == "resolved" else None
    # The version in the WHERE clause is the lock: of two saves on the same version, one matches.
    result = conn.execute(cases.update().where(cases.c.case_id == case_id, cases.c.version == expected_version)
                          .values(version=version, updated_at=stamp, **values))
    if result.rowcount != 1:
        raise _stale(conn, case_id, expected_version)
    events = [(name, {"from": current[name], "to": values[name]})
              for name in ("status", "lead_department") if name in values]
    events += [("action_added", _insert_action(conn, case_id, action, author, meeting_id, stamp))
               for action in actions]
    if note and note.strip():
        events.append(("note", {"text": note.strip()}))
    _write_events(conn, case_id, version, events or [("reviewed", {})], author, meeting_id, stamp)
    return version, [kind for kind, _ in events]


def add_action(conn: Connection, case_id: int, values: dict, author: str, meeting_id: int | None = None) -> int:
    """Add one action (checked by integration.cases.check_action) to a case outside a decision;
    returns its action_id."""
    stamp = now()
    version = _bump(conn, case_id, stamp)
    added = _insert_action(conn, case_id, values, author, meeting_id, stamp)
    _write_events(conn, case_id, version, [("action_added", added)], author, meeting_id, stamp)
    return added["action_id"]


def mark_action_done(conn: Connection, action_id: int, author: str, meeting_id: int | None = None,
                     done_at: datetime | None = None) -> int | None:
    """Mark an action done by `author` (a case event too); returns its case_id, None if it was done already."""
    action = conn.execute(sa.select(case_actions).where(case_actions.c.action_id == action_id)).mappings().first()
    if action is None:
        raise LookupError(f"action {action_id} does not exist")
    stamp = now()
    result = conn.execute(case_actions.update().where(case_actions.c.action_id == action_id,
                                                      case_actions.c.done_at.is_(None))
                          .values(done_at=done_at or stamp, done_by=author))
    if result.rowcount != 1:
        return None
    version = _bump(conn, action["case_id"], stamp)
    _write_events(conn, action["case_id"], version, [("action_done", {"action_id": action_id, "what": action["what"]})],
                  author, meeting_id, stamp)
    return action["case_id"]


def open_actions(conn: Connection, department: str | None = None, owner: str | None = None,
                 as_of: date | None = None) -> pd.DataFrame:
    """Actions not done yet, overdue first (oldest due first), then by due date (none last):
    action_id, case_id, property_id, address, what, owner, department, due_on, overdue, meeting_id,
    created_by, created_at, case_status, case_version."""
    as_of = as_of or date.today()
    overdue = sa.and_(case_actions.c.due_on.is_not(None), case_actions.c.due_on < as_of)
    query = (
        sa.select(case_actions.c.action_id, case_actions.c.case_id, cases.c.property_id, properties.c.address,
                  case_actions.c.what, case_actions.c.owner, case_actions.c.department, case_actions.c.due_on,
                  case_actions.c.meeting_id, case_actions.c.created_by, case_actions.c.created_at,
                  cases.c.status.label("case_status"), cases.c.version.label("case_version"))
        .join(cases, cases.c.case_id == case_actions.c.case_id)
        .join(properties, properties.c.property_id == cases.c.property_id)
        .where(case_actions.c.done_at.is_(None))
        .order_by(sa.case((overdue, 0), else_=1), sa.case((case_actions.c.due_on.is_(None), 1), else_=0),
                  case_actions.c.due_on, case_actions.c.department, case_actions.c.owner, case_actions.c.action_id)
    )
    if department is not None:
        query = query.where(case_actions.c.department == department)
    if owner is not None:
        query = query.where(case_actions.c.owner == owner)
    frame = _frame(conn, query)
    frame.insert(8, "overdue", [due is not None and due < as_of for due in frame["due_on"]])
    return frame


def list_cases(conn: Connection, statuses: Sequence[str] | None = None) -> pd.DataFrame:
    """Cases (all, or with the given statuses): case_id, property_id, address, status,
    lead_department, opened_at, closed_at, version, updated_at; oldest first."""
    query = (
        sa.select(cases.c.case_id, cases.c.property_id, properties.c.address, cases.c.status,
                  cases.c.lead_department, cases.c.opened_at, cases.c.closed_at, cases.c.version, cases.c.updated_at)
        .join(properties, properties.c.property_id == cases.c.property_id)
        .order_by(cases.c.opened_at, cases.c.case_id)
    )
    if statuses is not None:
        query = query.where(cases.c.status.in_(list(statuses)))
    return _frame(conn, query)


def reopen_case(conn: Connection, case_id: int, author: str, reason: str, meeting_id: int | None = None,
                status: str = "new") -> int:
    """Reopen a resolved case (its property flagged again): status back to `status`, a "reopened"
    event; returns the new version. Raises ValueError if the case is not resolved or the
    property already has another open case."""
    if status not in ("new", "monitoring"):
        raise ValueError("a case reopens as new or monitoring")
    current = conn.execute(sa.select(cases).where(cases.c.case_id == case_id)).mappings().first()
    if current is None:
        raise LookupError(f"case {case_id} does not exist")
    if current["status"] != "resolved":
        raise ValueError(f"case {case_id} is {current['status']}, not resolved: nothing to reopen")
    other = open_case_for(conn, current["property_id"])
    if other is not None:
        raise ValueError(f"{current['property_id']} already has open case {other['case_id']}")
    stamp = now()
    version = current["version"] + 1
    result = conn.execute(cases.update().where(cases.c.case_id == case_id, cases.c.version == current["version"])
                          .values(status=status, closed_at=None, version=version, updated_at=stamp))
    if result.rowcount != 1:
        raise _stale(conn, case_id, current["version"])
    _write_events(conn, case_id, version, [("reopened", {"status": status, "reason": reason,
                                                         "resolved_at": current["closed_at"]})],
                  author, meeting_id, stamp)
    return version


def minutes_input(conn: Connection, meeting_id: int) -> dict:
    """What the minutes of a meeting are made of: the meeting, and per agenda item (in order, not
    dropped; then properties decided on off the agenda) the property, its case with the whole
    event history and actions. integration.minutes turns it into the document."""
    meeting = get_meeting(conn, meeting_id)
    if meeting is None:
        raise LookupError(f"meeting {meeting_id} does not exist")
    agenda = meeting_agenda(conn, meeting_id)
    decided = conn.execute(
        sa.select(cases.c.property_id, sa.func.max(case_events.c.case_id))
        .join(cases, cases.c.case_id == case_events.c.case_id)
        .where(case_events.c.meeting_id == meeting_id)
        .group_by(cases.c.property_id)).all()
    case_of = {property_id: case_id for property_id, case_id in decided}
    listed = [(row.property_id, row.address, row.section, row.case_id) for row in agenda.itertuples()]
    on_agenda = {property_id for property_id, *_ in listed}
    for property_id in sorted(set(case_of) - on_agenda):
        address = conn.execute(sa.select(properties.c.address)
                               .where(properties.c.property_id == property_id)).scalar()
        listed.append((property_id, address, "added", None))
    items = []
    for property_id, address, section, open_case_id in listed:
        case_id = case_of.get(property_id) or (None if pd.isna(open_case_id) else int(open_case_id))
        items.append({"property_id": property_id, "address": address, "section": section,
                      "case": get_case(conn, case_id) if case_id is not None else None})
    return {"meeting": meeting, "items": items}


# --- audit ----------------------------------------------------------------------------------


def audit_entries(conn: Connection, user_name: str | None = None, action: str | None = None,
                  since: datetime | None = None, until: datetime | None = None, limit: int = 5_000) -> pd.DataFrame:
    """The audit log, newest first, filtered by who, what and when. (Read only: nothing edits it.)"""
    query = sa.select(audit_log).order_by(audit_log.c.at.desc(), audit_log.c.audit_id.desc()).limit(limit)
    if user_name:
        query = query.where(audit_log.c.user_name == user_name)
    if action:
        query = query.where(audit_log.c.action == action)
    if since:
        query = query.where(audit_log.c.at >= since)
    if until:
        query = query.where(audit_log.c.at <= until)
    return _frame(conn, query)


def audit_choices(conn: Connection) -> tuple[list[str], list[str]]:
    """The user names and actions that occur in the audit log."""
    users = conn.execute(sa.select(audit_log.c.user_name).distinct().order_by(audit_log.c.user_name)).scalars()
    actions = conn.execute(sa.select(audit_log.c.action).distinct().order_by(audit_log.c.action)).scalars()
    return list(users), list(actions)


def audit(conn: Connection, user_name: str, action: str, target: str | None = None, detail: str | None = None) -> None:
    """One row of the audit log; a service writes it in the transaction of the change it records."""
    conn.execute(audit_log.insert().values(at=now(), user_name=user_name, action=action, target=target, detail=detail))


# --- loading records in bulk (loaders.ingest) ----------------------------------------------------


def insert_new_records(conn: Connection, rows: Sequence[dict], ingest_id: int) -> list[int]:
    """Insert the records one ingest finds new (each row's ingest_id is `ingest_id`); returns their
    record ids in the order given.

    The ids are read back by ingest in one query: a lookup by IN-lists of source ids straight after
    a bulk insert is planned on stale statistics by PostgreSQL and can take a minute for 100k rows.
    """
    if not rows:
        return []
    insert_many(conn, records, rows)
    query = sa.select(records.c.source_record_id, records.c.record_id).where(records.c.ingest_id == ingest_id)
    ids = dict(conn.execute(query).all())
    return [ids[row["source_record_id"]] for row in rows]
