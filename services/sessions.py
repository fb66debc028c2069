"""Signing in and out, and what the page frame records: the use cases behind every page's gate.

Entry points: `check`, `sign_in`, `identity_session`, `sign_out`, `change_password`, `sign_in_page`,
`note`. Each owns its transaction; the sessions themselves live in services.accounts.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from integration.access import RoleGrant, SessionLimits, User
from services import accounts
from services.accounts import REFUSED_MESSAGE, AccountError, DemoAccount, SessionCheck, SignInRefused  # noqa: F401
from storage import audit_trail
from storage.engine import reading, writing


@dataclass(frozen=True)
class SignInPage:
    """What the sign-in form shows beside itself."""
    has_accounts: bool
    demo_accounts: list[DemoAccount]


def check(engine: Engine, token: str | None, limits: SessionLimits, now: datetime | None = None) -> SessionCheck:
    """Who the presented session token signs in, or why it opens nothing."""
    return accounts.check_session(engine, token, limits, now)


def sign_in(engine: Engine, name: str, password: str, *, limits: SessionLimits, browser: str | None = None,
            address: str | None = None) -> tuple[User, str]:
    """A new session for a name and password: (user, token); SignInRefused otherwise."""
    return accounts.sign_in_session(engine, name, password, limits=limits, browser=browser, address=address)


def identity_session(engine: Engine, name: str, token: str, *, limits: SessionLimits, grant: RoleGrant | None,
                     display_name: str | None, browser: str | None = None, address: str | None = None) -> None:
    """The session of a single sign-on identity; another tab of the same browser may have opened it a
    moment ago, which is as good."""
    try:
        accounts.identity_session(engine, name, token, limits=limits, grant=grant, display_name=display_name,
                                  browser=browser, address=address)
    except sa.exc.IntegrityError:
        pass


def sign_out(engine: Engine, token: str | None) -> bool:
    """End the session of this token, in every tab and on every server."""
    return accounts.end_session(engine, token)


def change_password(engine: Engine, name: str, current: str, new: str) -> None:
    """The owner's own password, replacing one an administrator set; SignInRefused or AccountError."""
    accounts.sign_in(engine, name, current)
    with writing(engine) as conn:
        accounts.set_password(conn, name, new, changed_by=name)


def new_token() -> str:
    """A random session token, for a session opened by single sign-on."""
    return accounts.new_session_token()


def sign_in_page(engine: Engine) -> SignInPage:
    with reading(engine) as conn:
        return SignInPage(accounts.count_users(conn) > 0, accounts.demo_accounts(conn))


def note(engine: Engine, user_name: str, action: str, target: str | None = None, detail: str | None = None) -> None:
    """An audit row for what a person did in a page (a view, an export)."""
    with writing(engine) as conn:
        audit_trail.audit(conn, user_name, action, target, detail)
