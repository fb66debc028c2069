"""Users and audit: accounts and their roles, the sessions open now, and the audit log.

Entry points: `users`, `add_user`, `set_role`, `set_password`, `disable`, `enable`, `sessions`,
`end_sessions`, `audit_choices`, `audit_log`. Each change writes its audit row (services.accounts does,
in the same transaction); a refused change raises AccountError or access.AccessError, whose message
says why.
"""

from collections.abc import Iterable
from datetime import date, datetime, time

import pandas as pd
from sqlalchemy.engine import Engine

from integration.access import SessionLimits
from services import accounts
from services.accounts import AccountError
from storage import audit_trail
from storage.engine import reading, writing

__all__ = ["AccountError", "add_user", "audit_choices", "audit_log", "disable", "enable", "end_sessions", "sessions",
           "set_password", "set_role", "users"]


def users(engine: Engine) -> pd.DataFrame:
    """Every account, by name, without password hashes."""
    with reading(engine) as conn:
        return accounts.list_users(conn)


def add_user(engine: Engine, by: str, name: str, password: str | None, role: str, department: str | None = None,
             lead: bool = False, display_name: str | None = None) -> None:
    """A new account added by an administrator; its first password (None: single sign-on only) is
    changed at the first sign-in."""
    with writing(engine) as conn:
        accounts.create_user(conn, name, password, role, department, lead, created_by=by,
                             display_name=display_name, must_change_password=True)


def set_role(engine: Engine, by: str, name: str, role: str, department: str | None = None, lead: bool = False) -> None:
    with writing(engine) as conn:
        accounts.set_role(conn, name, role, department, lead, changed_by=by)


def set_password(engine: Engine, by: str, name: str, password: str) -> None:
    """A new password for `name`; set by someone else, it ends their sessions and is changed at next sign-in."""
    with writing(engine) as conn:
        accounts.set_password(conn, name, password, changed_by=by)


def disable(engine: Engine, by: str, name: str) -> None:
    with writing(engine) as conn:
        accounts.disable_user(conn, name, by=by)


def enable(engine: Engine, by: str, name: str) -> None:
    with writing(engine) as conn:
        accounts.enable_user(conn, name, by=by)


def sessions(engine: Engine, limits: SessionLimits) -> pd.DataFrame:
    """The sessions open now, newest activity first; those that ran out are ended first, with their audit rows."""
    with writing(engine) as conn:
        accounts.end_expired_sessions(conn, limits)
    with reading(engine) as conn:
        return accounts.open_sessions(conn, limits)


def end_sessions(engine: Engine, by: str, session_ids: Iterable[int]) -> int:
    """An administrator ends these sessions (their browsers are signed out at the next click); how many were open."""
    with writing(engine) as conn:
        return sum(accounts.end_session_by_id(conn, session_id, by=by) for session_id in session_ids)


def audit_choices(engine: Engine) -> tuple[list[str], list[str]]:
    """The user names and actions that occur in the audit log."""
    with reading(engine) as conn:
        return audit_trail.audit_choices(conn)


def audit_log(engine: Engine, user_name: str | None = None, action: str | None = None, since: date | None = None,
              until: date | None = None) -> pd.DataFrame:
    """The audit log, newest first (at most 5,000 rows), by who, what and the days between `since` and `until`."""
    with reading(engine) as conn:
        return audit_trail.audit_entries(conn, user_name, action,
                                        datetime.combine(since, time.min) if since else None,
                                        datetime.combine(until, time.max) if until else None)
