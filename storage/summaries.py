"""What the pages read instead of the raw records, kept in step with them in the transaction that
changes them.

The hotspots page scores every property from the exact time and category of each placed record
(a record's weight halves with its age in fractional days, and repeats are ranked by weight), and
the customer-service page takes medians and percentiles over single requests. Neither reduces to
counts per day without changing a figure: on the sample city the 45,149 placed records fall on
43,863 distinct (property, department, day) cells. So the pages read the same rows, but not row by
row: `record_months` holds, per department and calendar month, the placed records (and, for the
customer-service department, its requests with their ward) as one compressed Arrow column block.
A window of nine months is a few dozen blocks, decoded into pandas categories on either engine
without the records-matches-properties join or one Python object per row.

`request_weeks` is a small summary: CRM requests per week (Monday), category, topic and routed
department, with how many closed and their days to close. The kind of a request follows from its
category and topic (integration.service.kind_of), so no rule of the domain is stored here.

Every storage function that writes records or matches notes the departments and months it touched
(`touch`, `touch_records`; a new property master, every month of requests: `touch_requests`), and
storage.engine.writing() refreshes them (`flush`) just before it commits; on PostgreSQL one
transaction at a time refreshes a department's blocks. `rebuild` recomputes everything
(`python -m storage summaries`). Nothing stored depends on the scoring or customer-service
settings, so editing those needs no rebuild.

Entry points (each takes a connection first): touch, touch_records, touch_requests, flush, refresh,
rebuild, placed_records, service_requests, request_weeks_table; and encode, decode (a table as a
compressed Arrow block, as the blocks and storage.kept_views store it).
"""

import json
import zlib
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.compute
import pyarrow.ipc
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from storage.schema import matches, properties, record_months, records, request_weeks
from storage.store import BATCH_ROWS, insert_many, now

PLACED = "placed"  # the placed records of a department: what scoring reads
REQUESTS = "requests"  # every request of the customer-service department
REQUEST_DEPARTMENT = "crm"
PLACED_COLUMNS = ["property_id", "department", "category", "subcategory", "occurred_at"]
REQUEST_COLUMNS = ["request_id", "created", "closed", "status", "category", "topic", "extra", "property_id", "ward"]
COMPRESSION = "zstd"


def month_of(moment) -> date:
    return date(moment.year, moment.month, 1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def months_between(start: datetime, end: datetime) -> list[date]:
    """The calendar months that hold any moment of start < t <= end."""
    months, month, last = [], month_of(start), month_of(end)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


# --- building ------------------------------------------------------------------------------------


def _between(first: date, last: date):
    """Records at a moment of the months first to last (whole months)."""
    return (records.c.occurred_at >= datetime.combine(first, datetime.min.time()),
            records.c.occurred_at < datetime.combine(next_month(last), datetime.min.time()))


def _by_month(conn: Connection, query, names: list[str], months: list[date], moment: str) -> dict[date, pd.DataFrame]:
    """The rows of `query` (plain text columns, read as the driver's tuples) of each of `months`."""
    result = conn.execute(query)
    frame = pd.DataFrame(result.cursor.fetchall(), columns=names, dtype=object)
    parsed = {name: _parsed(frame[name]) for name in names if name in ("occurred_at", "created", "closed")}
    frame = frame.assign(**parsed)
    keys = frame[moment].dt.year * 12 + frame[moment].dt.month - 1
    wanted = {month.year * 12 + month.month - 1: month for month in months}
    return {wanted[key]: part for key, part in frame.groupby(keys, sort=True) if key in wanted}


def _parsed(texts: pd.Series) -> pd.Series:
    """Stored date-times (text as either engine casts them) as microsecond timestamps."""
    return pd.to_datetime(texts, format="ISO8601").astype("datetime64[us]")


def _placed_blocks(conn: Connection, department: str, months: list[date]) -> dict[date, pyarrow.Table]:
    query = (
        sa.select(matches.c.property_id, records.c.category, records.c.subcategory,
                  sa.cast(records.c.occurred_at, sa.String))
        .join(matches, matches.c.record_id == records.c.record_id)
        .where(records.c.department == department, matches.c.status == "matched", matches.c.property_id.is_not(None),
               *_between(months[0], months[-1]))
    )
    parts = _by_month(conn, query, ["property_id", "category", "subcategory", "occurred_at"], months, "occurred_at")
    return {month: pyarrow.table({
        "property_id": _text(part["property_id"]),
        "department": _text([department] * len(part)),
        "category": _text(part["category"]),
        "subcategory": _text(part["subcategory"]),
        "occurred_at": pyarrow.array(part["occurred_at"], pyarrow.timestamp("us")),
    }) for month, part in parts.items()}


def _request_blocks(conn: Connection, months: list[date]) -> dict[date, pyarrow.Table]:
    placed = matches.c.status == "matched"
    query = (
        sa.select(records.c.source_record_id, sa.cast(records.c.occurred_at, sa.String),
                  sa.cast(records.c.closed_at, sa.String), records.c.status, records.c.category,
                  records.c.subcategory, records.c.extra, sa.case((placed, matches.c.property_id)),
                  sa.case((placed, properties.c.ward)))
        .select_from(records.outerjoin(matches, matches.c.record_id == records.c.record_id)
                     .outerjoin(properties, properties.c.property_id == matches.c.property_id))
        .where(records.c.department == REQUEST_DEPARTMENT, *_between(months[0], months[-1]))
    )
    parts = _by_month(conn, query, REQUEST_COLUMNS, months, "created")
    return {month: pyarrow.table({
        name: pyarrow.array(part[name], pyarrow.timestamp("us")) if name in ("created", "closed") else
        pyarrow.array(part[name], pyarrow.string()) if name == "request_id" else _text(part[name])
        for name in REQUEST_COLUMNS
    }) for month, part in parts.items()}


def _text(values) -> pyarrow.Array:
    return pyarrow.array(values, pyarrow.string(), from_pandas=True).dictionary_encode()


def encode(table: pyarrow.Table) -> bytes:
    """The table as one zstd-compressed Arrow IPC stream."""
    sink = pyarrow.BufferOutputStream()
    options = pyarrow.ipc.IpcWriteOptions(compression=COMPRESSION)
    with pyarrow.ipc.new_stream(sink, table.schema, options=options) as stream:
        stream.write_table(table)
    return sink.getvalue().to_pybytes()


def decode(block: bytes) -> pyarrow.Table:
    return pyarrow.ipc.open_stream(block).read_all()


def refresh(conn: Connection, department: str, months: Iterable[date]) -> None:
    """Rebuild the blocks of `department` for `months` (and, for the CRM, the weeks they touch)
    from the records as they now stand in this transaction."""
    months = sorted(set(months))
    if not months:
        return
    if conn.dialect.name == "postgresql":
        # One refresh of a department's blocks at a time: a second load waits here until the first
        # commits, then reads the records with the first one's in them (SQLite's writers queue anyway).
        key = zlib.crc32(f"record_months:{department}".encode())
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    stamp = now()
    kinds = [PLACED, REQUESTS] if department == REQUEST_DEPARTMENT else [PLACED]
    conn.execute(record_months.delete().where(record_months.c.department == department,
                                              record_months.c.month.in_(months)))
    rows = []
    for kind in kinds:
        blocks = _placed_blocks(conn, department, months) if kind == PLACED else _request_blocks(conn, months)
        rows.extend({"kind": kind, "department": department, "month": month, "rows": table.num_rows,
                     "columns": encode(table), "built_at": stamp} for month, table in sorted(blocks.items()))
    insert_many(conn, record_months, rows)
    if department == REQUEST_DEPARTMENT:
        _refresh_weeks(conn, months)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _refresh_weeks(conn: Connection, months: list[date]) -> None:
    """Recount every week that overlaps the months (a week may start in the month before)."""
    weeks: set[date] = set()
    for month in months:
        day = _monday(month)
        while day < next_month(month):
            weeks.add(day)
            day += timedelta(days=7)
    first, last = min(weeks), max(weeks) + timedelta(days=7)
    # every week from the first to the last is counted again below, the weeks between months too
    conn.execute(request_weeks.delete().where(request_weeks.c.week >= first, request_weeks.c.week < last))
    frame = _read_requests(conn, months_between(datetime.combine(first, datetime.min.time()) - timedelta(seconds=1),
                                                datetime.combine(last, datetime.min.time())))
    start, end = pd.Timestamp(first), pd.Timestamp(last)
    frame = frame[(frame["created"] >= start) & (frame["created"] < end)]
    insert_many(conn, request_weeks, _week_rows(frame))


def _week_rows(frame: pd.DataFrame) -> list[dict]:
    if frame.empty:
        return []
    created = frame["created"]
    days = (frame["closed"] - created).dt.total_seconds() / 86_400
    days = days.where(days >= 0)  # closed before created: not a time
    table = pd.DataFrame({
        "week": (created.dt.normalize() - pd.to_timedelta(created.dt.day_of_week, unit="D")).dt.date,
        "category": frame["category"].astype(object).fillna(""),
        "topic": frame["topic"].astype(object).fillna(""),
        "routed_department": [_routed(text) for text in frame["extra"].astype(object)],
        "closed": days.notna(), "close_days": days.fillna(0.0),
    })
    grouped = table.groupby(["week", "category", "topic", "routed_department"], sort=True)
    summary = pd.DataFrame({"requests": grouped.size(), "closed": grouped["closed"].sum(),
                            "close_days": grouped["close_days"].sum()}).reset_index()
    return [{"week": row.week, "category": row.category, "topic": row.topic,
             "routed_department": row.routed_department, "requests": int(row.requests), "closed": int(row.closed),
             "close_days": float(row.close_days)} for row in summary.itertuples(index=False)]


def _routed(extra) -> str:
    if not isinstance(extra, str) or not extra:
        return ""
    return str(json.loads(extra).get("routed_department") or "").strip()


# --- keeping them in step ---------------------------------------------------------------------------
# The storage functions that write records or matches note the (department, month) they touch on
# the connection; storage.engine.writing() refreshes those blocks just before it commits, so a
# transaction's records and blocks are committed, or rolled back, together.
TOUCHED = "summaries_touched"


INSERTED = "summaries_inserted"


def start(conn: Connection) -> None:
    """Forget what an earlier transaction of this pooled connection noted."""
    conn.info.pop(TOUCHED, None)
    conn.info.pop(INSERTED, None)


def touch(conn: Connection, department: str, moments: Iterable[datetime], record_ids: Iterable[int] = ()) -> None:
    """Note that records of `department` at these moments changed in this transaction (`record_ids`:
    the records, inserted here, so that touch_records need not look them up again)."""
    months = conn.info.setdefault(TOUCHED, {}).setdefault(department, set())
    months.update({(moment.year, moment.month) for moment in moments if moment is not None})
    conn.info.setdefault(INSERTED, set()).update(record_ids)


def inserted_here(conn: Connection) -> set[int]:
    """The ids of the records inserted in this transaction so far."""
    return conn.info.get(INSERTED, set())


def touch_records(conn: Connection, record_ids: Sequence[int]) -> None:
    """Note the department and month of each of these stored records."""
    touched = conn.info.setdefault(TOUCHED, {})
    inserted = conn.info.get(INSERTED, set())
    record_ids = [record_id for record_id in record_ids if record_id not in inserted]
    query = sa.select(records.c.department, sa.cast(records.c.occurred_at, sa.String)).where(
        records.c.record_id.in_(sa.bindparam("ids", expanding=True)))
    for first in range(0, len(record_ids), BATCH_ROWS):
        for department, occurred in conn.execute(query, {"ids": list(record_ids[first : first + BATCH_ROWS])}):
            touched.setdefault(department, set()).add((int(occurred[:4]), int(occurred[5:7])))


def flush(conn: Connection) -> None:
    """Refresh every block this transaction touched (storage.engine.writing calls it before committing)."""
    touched = conn.info.pop(TOUCHED, None) or {}
    conn.info.pop(INSERTED, None)
    for department, months in sorted(touched.items()):
        refresh(conn, department, [date(year, month, 1) for year, month in months])


def rebuild(conn: Connection) -> int:
    """Recompute every block and week from the records; returns the number of blocks."""
    conn.execute(record_months.delete())
    conn.execute(request_weeks.delete())
    first = conn.execute(sa.select(sa.func.min(records.c.occurred_at))).scalar()
    last = conn.execute(sa.select(sa.func.max(records.c.occurred_at))).scalar()
    if first is None:
        return 0
    first, last = pd.Timestamp(first), pd.Timestamp(last)
    months = months_between(first.to_pydatetime() - timedelta(seconds=1), last.to_pydatetime())
    departments = list(conn.execute(sa.select(records.c.department).distinct()).scalars())
    for department in sorted(departments):
        refresh(conn, department, months)
    return conn.execute(sa.select(sa.func.count()).select_from(record_months)).scalar()


# --- reading -------------------------------------------------------------------------------------


def _blocks(conn: Connection, kind: str, months: list[date], department: str | None = None) -> pyarrow.Table | None:
    query = sa.select(record_months.c.columns).where(record_months.c.kind == kind,
                                                     record_months.c.month.in_(months))
    if department is not None:
        query = query.where(record_months.c.department == department)
    tables = [decode(block) for block in conn.execute(query.order_by(record_months.c.department,
                                                                       record_months.c.month)).scalars()]
    if not tables:
        return None
    return pyarrow.concat_tables(tables).unify_dictionaries().combine_chunks()


def _frame(table: pyarrow.Table, unsorted: tuple[str, ...] = ()) -> pd.DataFrame:
    """The blocks as pandas columns: text as categories whose categories are the values used, in
    order (so a view reads the same whatever order the blocks were written in), moments as
    datetime64[us]. The `unsorted` columns keep the blocks' dictionary as their categories, in the
    order the values first appear: a county's million property ids take half a second to sort."""
    columns = {}
    for name, column in zip(table.column_names, table.columns):
        array = column.combine_chunks() if isinstance(column, pyarrow.ChunkedArray) else column
        if pyarrow.types.is_dictionary(array.type) and name in unsorted:
            codes = array.indices.fill_null(-1).to_numpy(zero_copy_only=False)
            categories = pd.Index(array.dictionary.to_numpy(zero_copy_only=False), dtype=object)
            columns[name] = pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(categories), validate=False)
        elif pyarrow.types.is_dictionary(array.type):
            columns[name] = _categorical(array)
        elif pyarrow.types.is_timestamp(array.type):
            columns[name] = array.to_numpy(zero_copy_only=False).astype("datetime64[us]")
        else:
            columns[name] = array.to_numpy(zero_copy_only=False)
    return pd.DataFrame(columns)


def _categorical(array: pyarrow.DictionaryArray) -> pd.Categorical:
    codes = array.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    used = np.zeros(len(array.dictionary), dtype=bool)
    used[codes[codes >= 0]] = True
    used = np.flatnonzero(used)
    values = array.dictionary.take(pyarrow.array(used, pyarrow.int64()))
    order = pyarrow.compute.sort_indices(values).to_numpy()
    rank = np.full(len(array.dictionary), -1, dtype=np.int64)
    rank[used[order]] = np.arange(len(used))
    categories = pd.Index(values.take(pyarrow.array(order, pyarrow.int64())).to_numpy(zero_copy_only=False),
                          dtype=object)
    if not len(used):  # every value missing
        return pd.Categorical.from_codes(np.full(len(codes), -1), dtype=pd.CategoricalDtype(categories))
    return pd.Categorical.from_codes(np.where(codes >= 0, rank[np.maximum(codes, 0)], -1),
                                     dtype=pd.CategoricalDtype(categories), validate=False)


def placed_records(conn: Connection, start: datetime, end: datetime) -> pd.DataFrame:
    """Records placed on a property with start < occurred_at <= end: property_id, department,
    category, subcategory (categories) and occurred_at, as the raw records give them. The property
    ids' categories are in the order the blocks hold them, not sorted (scoring lists ties by id itself)."""
    table = _blocks(conn, PLACED, months_between(start, end))
    if table is None:
        return _empty_placed()
    moments = table.column("occurred_at")
    keep = pyarrow.compute.and_(pyarrow.compute.greater(moments, pyarrow.scalar(pd.Timestamp(start), moments.type)),
                                pyarrow.compute.less_equal(moments, pyarrow.scalar(pd.Timestamp(end), moments.type)))
    return _frame(table.filter(keep), unsorted=("property_id",))


def _empty_placed() -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Categorical([]) for name in PLACED_COLUMNS[:-1]})
    frame["occurred_at"] = pd.Series([], dtype="datetime64[us]")
    return frame


def _read_requests(conn: Connection, months: list[date]) -> pd.DataFrame:
    table = _blocks(conn, REQUESTS, months, REQUEST_DEPARTMENT)
    if table is None:
        frame = pd.DataFrame({name: pd.Series([], dtype=object) for name in REQUEST_COLUMNS})
        frame[["created", "closed"]] = frame[["created", "closed"]].astype("datetime64[us]")
        return frame
    return _frame(table)


def service_requests(conn: Connection, start: datetime, end: datetime) -> pd.DataFrame:
    """CRM requests created in start < created <= end: request_id, created, closed, status,
    category, topic, extra (the kept fields' JSON), property_id and ward (placed ones)."""
    frame = _read_requests(conn, months_between(start, end))
    frame = frame[(frame["created"] > pd.Timestamp(start)) & (frame["created"] <= pd.Timestamp(end))]
    if "ward" not in frame:  # blocks written before the ward was kept with each request
        wards = dict(conn.execute(sa.select(properties.c.property_id, properties.c.ward)).all())
        codes, values = pd.factorize(frame["property_id"].astype(object))
        frame = frame.assign(ward=np.array([wards.get(v) for v in values] + [None], dtype=object)[codes])
    return frame.reset_index(drop=True)


def touch_requests(conn: Connection) -> None:
    """Note every month of CRM requests: the property master changed, and with it the wards."""
    months = conn.execute(sa.select(record_months.c.month).where(record_months.c.kind == REQUESTS)).scalars()
    touched = conn.info.setdefault(TOUCHED, {}).setdefault(REQUEST_DEPARTMENT, set())
    touched.update((pd.Timestamp(month).year, pd.Timestamp(month).month) for month in months)


def request_weeks_table(conn: Connection) -> pd.DataFrame:
    """week, category, topic, routed_department, requests, closed, close_days."""
    result = conn.execute(sa.select(request_weeks).order_by(request_weeks.c.week, request_weeks.c.category,
                                                            request_weeks.c.topic))
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()))
