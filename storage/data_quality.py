"""Data quality and the overview: match status by month, rejects by kind, frequent unplaced addresses,
per-department counts, and the data version pages cache on.

Entry points (each takes a connection first): status_by_month, rejects_by_kind, frequent_unplaced,
data_version, overview.
"""

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from vocabulary import MATCH_STATUSES
from storage.schema import ingests, match_decisions, matches, record_months, records, rejects
from storage.review_queue import review_groups
from storage.store import read_frame


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
    return read_frame(conn, query)


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
    return read_frame(conn, query)


def frequent_unplaced(conn: Connection, department: str | None = None, limit: int = 25) -> pd.DataFrame:
    """The address strings most often left unmatched or for review."""
    return review_groups(conn, department, limit=limit)


def data_version(conn: Connection) -> tuple[str, int, int, str]:
    """Changes whenever an ingest finishes, an analyst stores a decision or the records' page
    summaries are rebuilt (a new property master does that, from a page or a terminal, as it places
    the records again and moves the requests' wards): the cache key of reads over the records, the
    same on every app server."""
    last_ingest, loads = conn.execute(sa.select(sa.func.max(ingests.c.finished_at), sa.func.count())
                                      .select_from(ingests)).one()
    decisions_made = conn.execute(sa.select(sa.func.count()).select_from(match_decisions)).scalar_one()
    summarised = conn.execute(sa.select(sa.func.max(record_months.c.built_at))).scalar_one()
    return str(last_ingest), loads, decisions_made, str(summarised)


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
    frame = read_frame(conn, per_department)
    last_load = read_frame(
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
