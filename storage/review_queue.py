"""Match review: the groups of records waiting for a decision, the decisions saved for them, and
applying those decisions.

Entry points (each takes a connection first): match_decisions_for, review_groups, save_decision,
apply_decision, select_record_ids, delete_decision, decisions, group_records, review_summary.
"""

from collections.abc import Sequence

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from storage.schema import match_decisions, matches, records
from storage.store import now, read_frame


def match_decisions_for(conn: Connection, department: str) -> pd.DataFrame:
    """The analysts' decisions for one department: normalized, decision, property_id."""
    query = sa.select(match_decisions.c.normalized, match_decisions.c.decision, match_decisions.c.property_id).where(
        match_decisions.c.department == department
    )
    return read_frame(conn, query)


def review_groups(conn: Connection, department: str | None = None, statuses: Sequence[str] = ("review", "unmatched"),
                  limit: int | None = 500, contains: str = "", with_candidates: bool = True) -> pd.DataFrame:
    """Records the matcher could not place and no analyst has decided, grouped by department and
    normalised address string, largest groups first: department, normalized, status, records,
    example (as written), candidates. `contains`: only the groups whose address, as normalised or
    as written, contains it (any case); `limit` None: every group."""
    example = sa.func.min(records.c.address)
    columns = [records.c.department, matches.c.normalized, matches.c.status, sa.func.count().label("records"),
               example.label("example")]
    if with_candidates:
        columns.append(sa.func.max(matches.c.candidates).label("candidates"))
    query = (
        sa.select(*columns)
        .join(matches, matches.c.record_id == records.c.record_id)
        .where(matches.c.status.in_(list(statuses)), matches.c.normalized.is_not(None), _undecided())
        .group_by(records.c.department, matches.c.normalized, matches.c.status)
        .order_by(sa.func.count().desc(), matches.c.normalized)
    )
    if limit is not None:
        query = query.limit(limit)
    if department:
        query = query.where(records.c.department == department)
    if contains.strip():
        wanted = contains.strip().lower()
        query = query.having(sa.or_(sa.func.lower(matches.c.normalized).contains(wanted, autoescape=True),
                                    sa.func.lower(example).contains(wanted, autoescape=True)))
    return read_frame(conn, query)


def _undecided():
    """Matches no analyst's decision placed (a decision may leave records unmatched: not a property)."""
    return sa.or_(matches.c.method.is_(None), matches.c.method != "decision")


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
    return read_frame(conn, query)


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
    return read_frame(conn, query)


def review_summary(conn: Connection, department: str | None = None,
                   statuses: Sequence[str] = ("review", "unmatched")) -> dict[str, int]:
    """How much waits for review: address strings, their records, and records with no usable address."""
    waiting = (
        sa.select(matches.c.normalized, sa.func.count().label("records"))
        .join(records, records.c.record_id == matches.c.record_id)
        .where(matches.c.status.in_(list(statuses)), _undecided())
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
