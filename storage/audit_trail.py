"""The audit log: one row per change, written in the change's transaction, and the reads of the audit
page.

Entry points (each takes a connection first): audit_entries, audit_choices, audit.
"""

from datetime import datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from storage.schema import audit_log
from storage.store import now, read_frame


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
    return read_frame(conn, query)


def audit_choices(conn: Connection) -> tuple[list[str], list[str]]:
    """The user names and actions that occur in the audit log."""
    users = conn.execute(sa.select(audit_log.c.user_name).distinct().order_by(audit_log.c.user_name)).scalars()
    actions = conn.execute(sa.select(audit_log.c.action).distinct().order_by(audit_log.c.action)).scalars()
    return list(users), list(actions)


def audit(conn: Connection, user_name: str, action: str, target: str | None = None, detail: str | None = None) -> None:
    """One row of the audit log; a service writes it in the transaction of the change it records."""
    conn.execute(audit_log.insert().values(at=now(), user_name=user_name, action=action, target=target, detail=detail))
