"""Local accounts: create them, check a password, lock out guessing, and audit every change.

Passwords are hashed with scrypt (memory-hard, in the standard library) and a random salt per
account, stored as "scrypt$n$r$p$salt$hash". A sign-in that fails says the same thing whatever
the reason, and takes as long, so it never reveals whether a user name exists. After
MAX_FAILED_ATTEMPTS wrong passwords an account is locked for LOCKOUT; the page frame signs in
through `sign_in(engine, ...)`, which commits the failure count even though it raises.
What each role may do lives in integration.access; this module applies it to the stored accounts.
The functions take an open connection: the use cases in services.users and services.sessions own
the transaction, and every change here writes its audit row in it.

Sessions: a sign-in starts one (`sign_in_session`, `start_session`) and hands back a random token
for the browser's cookie; only the token's SHA-256 is stored. Every page run checks the token
(`check_session`): an unknown, ended or run-out token, or one whose account is disabled, opens
nothing. A session ends once, for a reason, with an audit row: signed out, idle, time limit,
ended by an administrator, account disabled, password reset. Every app server on the database
sees the same sessions.
"""

import base64
import getpass
import hashlib
import hmac
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from integration.access import (END_REASONS, AccessError, RoleGrant, SessionLimits, User, browser_label, check_role,
                                session_end)
from storage.engine import reading, writing
from storage.audit_trail import audit
from storage.store import now as clock
from storage.schema import sessions, users
from vocabulary import ROLE_LABELS

# scrypt cost: 2**14 x 8 uses 16 MiB and ~50 ms per hash. Tests may lower SCRYPT_N; stored hashes
# carry their own parameters, and a sign-in re-hashes a password stored with other ones.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
HASH_BYTES = 32
MAX_SCRYPT_N = 2**20  # a stored hash asking for more is treated as damaged, not run

MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._@+-]{0,119}")
COMMON_PASSWORDS = frozenset({
    "1234567890", "12345678910", "0123456789", "password12", "password123", "password1234",
    "qwertyuiop", "1q2w3e4r5t", "iloveyou12", "administrator", "letmein123", "welcome123",
    "changeme123", "passw0rd123",
})
AUDIT_TEXT_LIMIT = 120  # audit_log.user_name is String(120)

REFUSED_MESSAGE = (
    "Sign-in refused: that user name and password do not match an active account. "
    f"After {MAX_FAILED_ATTEMPTS} failed tries an account waits {LOCKOUT.seconds // 60} minutes; "
    "an administrator can unlock it."
)
DEMO_CREATOR = "demo-users"
GROUPS_CREATOR = "single sign-on groups"  # who created or changed an account from the provider's groups


def command_line_user() -> str:
    """Who runs a command from a terminal, as the audit log names them: "cli:" and the system user."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in a bare container
        return f"cli:uid{os.getuid()}" if hasattr(os, "getuid") else "cli"


class AccountError(ValueError):
    """An account change that cannot be made as asked; the message is for the person who asked."""


class SignInRefused(Exception):
    """A refused sign-in. str() is the same for every reason; `reason` is for the audit log only."""

    def __init__(self, reason: str):
        super().__init__(REFUSED_MESSAGE)
        self.reason = reason


@dataclass(frozen=True)
class DemoAccount:
    name: str
    display_name: str
    role: str
    department: str | None
    lead: bool
    password: str


# One account per seat of the permission table, for the sample city only (`python -m storage demo-users`).
DEMO_ACCOUNTS = (
    DemoAccount("admin", "Demo Administrator", "admin", None, False, "admin-demo-pass"),
    DemoAccount("lead", "Demo Team Lead", "integration_team", None, True, "lead-demo-pass"),
    DemoAccount("team", "Demo Team Member (Public Works)", "integration_team", "public_works", False, "team-demo-pass"),
    DemoAccount("police", "Demo Police Staff", "department_staff", "police", False, "police-demo-pass"),
    DemoAccount("analyst", "Demo Analyst", "analyst", None, False, "analyst-demo-pass"),
    DemoAccount("viewer", "Demo Viewer", "viewer", None, False, "viewer-demo-pass"),
)


# --- password hashing -----------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    secret = unicodedata.normalize("NFKC", password).encode("utf-8", "surrogatepass")
    return hashlib.scrypt(secret, salt=salt, n=n, r=r, p=p, dklen=length, maxmem=128 * r * (n + p + 2) + 2**20)


def hash_password(password: str) -> str:
    """A new "scrypt$n$r$p$salt$hash" string for `password`, with a fresh random salt."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, HASH_BYTES)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def _parse(stored: str | None) -> tuple[int, int, int, bytes, bytes] | None:
    parts = (stored or "").split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return None
    try:
        n, r, p = (int(x) for x in parts[1:4])
        salt = base64.b64decode(parts[4], validate=True)
        digest = base64.b64decode(parts[5], validate=True)
    except ValueError:
        return None
    if not (1 < n <= MAX_SCRYPT_N and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16 and salt and digest):
        return None
    return n, r, p, salt, digest


def verify_password(password: str, stored: str | None) -> bool:
    """Whether `password` matches `stored`; runs one scrypt even when there is nothing to match."""
    parsed = _parse(stored)
    if parsed is None:
        # Same work as a real check, so a missing account or password takes as long to refuse.
        _scrypt(password, secrets.token_bytes(SALT_BYTES), SCRYPT_N, SCRYPT_R, SCRYPT_P, HASH_BYTES)
        return False
    n, r, p, salt, digest = parsed
    return hmac.compare_digest(_scrypt(password, salt, n, r, p, len(digest)), digest)


def needs_rehash(stored: str) -> bool:
    parsed = _parse(stored)
    return parsed is None or parsed[:3] != (SCRYPT_N, SCRYPT_R, SCRYPT_P) or len(parsed[4]) != HASH_BYTES


def password_problems(password: str, name: str, display_name: str | None = None) -> list[str]:
    """What is wrong with `password` as a new password for `name`; empty when it will do."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(f"a password may have at most {MAX_PASSWORD_LENGTH} characters")
    folded = password.strip().casefold()
    if folded in {name.strip().casefold(), (display_name or "").strip().casefold()}:
        problems.append("a password may not be the user name")
    elif folded in COMMON_PASSWORDS or len(set(folded)) == 1:
        problems.append("that password is one of the first an attacker tries")
    return problems


# --- accounts -------------------------------------------------------------------------------


def name_key(name: str) -> str:
    """The stored form of a user name: trimmed and lower-case, so names are unique case-insensitively."""
    return name.strip().lower()


def _printable(text: str | None) -> str | None:
    """`text` fit for the audit log: no control characters (PostgreSQL refuses NUL), not too long."""
    if text is None:
        return None
    return "".join(c if c.isprintable() else "?" for c in text)[:AUDIT_TEXT_LIMIT]


def _row(conn: Connection, name: str, lock: bool = False):
    key = name_key(name)
    if not key or len(key) > AUDIT_TEXT_LIMIT or not key.isprintable():
        return None  # no stored name looks like this; and PostgreSQL refuses NUL in a parameter
    query = sa.select(users).where(users.c.name == key)
    return conn.execute(query.with_for_update() if lock else query).mappings().first()


def _user(row) -> User:
    return User(name=row["name"], role=row["role"], department=row["department"], lead=bool(row["lead"]),
                display_name=row["display_name"], must_change_password=bool(row["must_change_password"]))


def _existing(conn: Connection, name: str, lock: bool = True):
    row = _row(conn, name, lock=lock)
    if row is None:
        raise AccountError(f"there is no user '{_printable(name_key(name))}'")
    return row


def _check_role(role: str, department: str | None, lead: bool) -> None:
    try:
        check_role(role, department, lead)
    except AccessError as error:
        raise AccountError(str(error)) from None


def _describe_role(role: str, department: str | None, lead: bool) -> str:
    return f"role={role} department={department or '-'} lead={'yes' if lead else 'no'}"


def create_user(conn: Connection, name: str, password: str | None, role: str, department: str | None = None,
                lead: bool = False, *, created_by: str, display_name: str | None = None,
                must_change_password: bool = False, now: datetime | None = None) -> User:
    """Add an account; password None makes one that signs in by single sign-on only."""
    key = name_key(name)
    if not NAME_PATTERN.fullmatch(key):
        raise AccountError(f"a user name is 1 to 120 letters, digits and . _ @ + - (starting with a letter "
                           f"or digit); '{_printable(name)}' is not")
    _check_role(role, department, lead)
    display_name = (display_name or "").strip() or key
    if password is not None and (problems := password_problems(password, key, display_name)):
        raise AccountError("; ".join(problems))
    if _row(conn, key) is not None:
        raise AccountError(f"the user name '{key}' is taken")
    stamp = now or clock()
    conn.execute(users.insert().values(
        name=key, display_name=display_name[:200], role=role, department=department, lead=lead,
        password_hash=hash_password(password) if password is not None else None,
        must_change_password=must_change_password, disabled=False, failed_attempts=0,
        created_by=created_by, created_at=stamp,
    ))
    audit(conn, _printable(created_by), "user_created", key, _describe_role(role, department, lead))
    if role == "admin" and created_by != DEMO_CREATOR:
        retire_demo_accounts(conn, by=key)
    return User(key, role, department, lead, display_name, must_change_password)


def authenticate(conn: Connection, name: str, password: str, now: datetime | None = None) -> User:
    """The user whose name and password these are, or SignInRefused.

    Writes the failure count, lock and audit row on `conn` before raising: a caller holding its own
    transaction must catch SignInRefused inside it, or the count rolls back. Prefer `sign_in`.
    """
    stamp = now or clock()
    row = _row(conn, name, lock=True)
    matches = verify_password(password or "", row["password_hash"] if row is not None else None)

    def refuse(reason: str):
        audit(conn, _printable(name_key(name)) or "?", "sign_in_failed", None, reason)
        return SignInRefused(reason)

    if row is None:
        raise refuse("unknown_user")
    if row["disabled"]:
        raise refuse("disabled")
    if row["password_hash"] is None:
        raise refuse("no_password")
    if row["locked_until"] is not None and stamp < row["locked_until"]:
        raise refuse("locked")
    where = users.c.user_id == row["user_id"]
    if not matches:
        failed = row["failed_attempts"] + 1
        if failed >= MAX_FAILED_ATTEMPTS:
            conn.execute(users.update().where(where).values(failed_attempts=0, locked_until=stamp + LOCKOUT))
            audit(conn, row["name"], "account_locked", row["name"], f"{failed} failed sign-ins")
        else:
            conn.execute(users.update().where(where).values(failed_attempts=failed))
        raise refuse("wrong_password")
    changes = dict(failed_attempts=0, locked_until=None, last_sign_in=stamp)
    if needs_rehash(row["password_hash"]):
        changes["password_hash"] = hash_password(password)
    conn.execute(users.update().where(where).values(**changes))
    audit(conn, row["name"], "sign_in", None, "password")
    return _user(row)


def sign_in(engine: Engine, name: str, password: str, now: datetime | None = None) -> User:
    """authenticate() in a transaction of its own that keeps the failure count when it refuses."""
    return _committed(engine, authenticate, name, password, now)


def identify(conn: Connection, name: str, now: datetime | None = None, grant: RoleGrant | None = None,
             display_name: str | None = None) -> User:
    """The account of a single sign-on identity the provider has already checked, or SignInRefused.

    `grant` is the role the person's provider groups give (integration.access.role_for_groups): it
    creates the account when there is none and keeps its role in step with the groups. Without a
    grant the account must exist. Like authenticate(), it audits before raising; the sign-in itself
    is `identity_session`.
    """
    row = _row(conn, name, lock=True)
    if row is None and grant is not None and NAME_PATTERN.fullmatch(name_key(name)):
        create_user(conn, name, None, *grant, created_by=GROUPS_CREATOR, display_name=display_name, now=now)
        row = _row(conn, name, lock=True)
    elif row is not None and grant is not None and not row["disabled"] \
            and (row["role"], row["department"], bool(row["lead"])) != tuple(grant):
        try:
            set_role(conn, row["name"], *grant, changed_by=GROUPS_CREATOR)
        except AccountError as problem:  # the last active admin keeps the role; say so in the log
            audit(conn, GROUPS_CREATOR, "role_kept", row["name"], str(problem))
        row = _row(conn, name, lock=True)
    if row is None or row["disabled"]:
        reason = "unknown_user" if row is None else "disabled"
        audit(conn, _printable(name_key(name)) or "?", "sign_in_failed", None, f"single sign-on: {reason}")
        raise SignInRefused(reason)
    conn.execute(users.update().where(users.c.user_id == row["user_id"]).values(last_sign_in=now or clock()))
    audit(conn, row["name"], "sign_in", None, "single sign-on")
    return _user(row)


def _committed(engine: Engine, check, *args) -> User:
    with writing(engine) as conn:
        try:
            return check(conn, *args)
        except SignInRefused as error:
            refused = error  # leave the block normally, so the failure count and audit row commit
    raise refused


def set_password(conn: Connection, name: str, password: str, *, changed_by: str, now: datetime | None = None) -> None:
    """Give `name` a new password and lift any lock; set by someone else, it must be changed at next sign-in."""
    row = _existing(conn, name)
    if problems := password_problems(password, row["name"], row["display_name"]):
        raise AccountError("; ".join(problems))
    own = name_key(changed_by) == row["name"]
    conn.execute(users.update().where(users.c.user_id == row["user_id"]).values(
        password_hash=hash_password(password), password_changed_at=now or clock(), must_change_password=not own,
        failed_attempts=0, locked_until=None,
    ))
    audit(conn, _printable(changed_by), "password_changed" if own else "password_reset", row["name"])
    if not own:  # whoever knew the old password is signed out with it
        end_user_sessions(conn, row["name"], "password_reset", by=changed_by)


def _other_active_admins(conn: Connection, user_id: int) -> int:
    query = sa.select(sa.func.count()).select_from(users).where(
        users.c.role == "admin", sa.not_(users.c.disabled), users.c.user_id != user_id)
    return conn.execute(query).scalar_one()


def set_role(conn: Connection, name: str, role: str, department: str | None = None, lead: bool = False, *,
             changed_by: str) -> User:
    """Change what `name` may do; the last active admin keeps the admin role."""
    row = _existing(conn, name)
    _check_role(role, department, lead)
    if row["role"] == "admin" and role != "admin" and not row["disabled"] and not _other_active_admins(conn, row["user_id"]):
        raise AccountError(f"'{row['name']}' is the last active admin; make another admin first")
    conn.execute(users.update().where(users.c.user_id == row["user_id"]).values(
        role=role, department=department, lead=lead))
    audit(conn, _printable(changed_by), "role_changed", row["name"],
          f"{_describe_role(row['role'], row['department'], row['lead'])} -> {_describe_role(role, department, lead)}")
    return User(row["name"], role, department, lead, row["display_name"], bool(row["must_change_password"]))


def disable_user(conn: Connection, name: str, *, by: str) -> None:
    """Stop `name` signing in (the account and its history stay); not the last active admin."""
    row = _existing(conn, name)
    if row["role"] == "admin" and not row["disabled"] and not _other_active_admins(conn, row["user_id"]):
        raise AccountError(f"'{row['name']}' is the last active admin; make another admin first")
    conn.execute(users.update().where(users.c.user_id == row["user_id"]).values(disabled=True))
    audit(conn, _printable(by), "user_disabled", row["name"])
    end_user_sessions(conn, row["name"], "account_disabled", by=by)


def enable_user(conn: Connection, name: str, *, by: str) -> None:
    """Let `name` sign in again, lifting any lockout."""
    row = _existing(conn, name)
    conn.execute(users.update().where(users.c.user_id == row["user_id"]).values(
        disabled=False, failed_attempts=0, locked_until=None))
    audit(conn, _printable(by), "user_enabled", row["name"])


def user_by_name(conn: Connection, name: str, include_disabled: bool = False) -> User | None:
    """The account called `name` (any case), or None; disabled accounts only when asked for."""
    row = _row(conn, name)
    if row is None or (row["disabled"] and not include_disabled):
        return None
    return _user(row)


def count_users(conn: Connection) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(users)).scalar_one()


def list_users(conn: Connection) -> pd.DataFrame:
    """Every account for the admin page, by name, without password hashes."""
    columns = [users.c[name] for name in (
        "name", "display_name", "role", "department", "lead", "disabled", "locked_until", "failed_attempts",
        "last_sign_in", "must_change_password", "password_changed_at", "created_by", "created_at")]
    result = conn.execute(sa.select(*columns).order_by(users.c.name))
    frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    frame["role_label"] = frame["role"].map(ROLE_LABELS)
    return frame


# --- demo accounts --------------------------------------------------------------------------


def create_demo_users(conn: Connection, now: datetime | None = None) -> list[tuple[DemoAccount, bool]]:
    """Add the missing DEMO_ACCOUNTS; (account, created) for each. Refuses a database with real accounts."""
    if _has_real_accounts(conn):
        raise AccountError("this database has accounts of its own; demo accounts with published passwords "
                           "are for the sample city only")
    existing = set(conn.execute(sa.select(users.c.name)).scalars())
    done = []
    for account in DEMO_ACCOUNTS:
        created = account.name not in existing
        if created:
            create_user(conn, account.name, account.password, account.role, account.department, account.lead,
                        created_by=DEMO_CREATOR, display_name=account.display_name, now=now)
        done.append((account, created))
    return done


def demo_accounts(conn: Connection) -> list[DemoAccount]:
    """The demo accounts that still sign in with their published password, for the sign-in page; none on
    a database that has an account of its own (a city's, not the sample city's)."""
    if _has_real_accounts(conn):
        return []
    query = sa.select(users.c.name).where(
        users.c.created_by == DEMO_CREATOR, users.c.password_changed_at.is_(None), sa.not_(users.c.disabled))
    names = set(conn.execute(query).scalars())
    return [account for account in DEMO_ACCOUNTS if account.name in names]


def _has_real_accounts(conn: Connection) -> bool:
    return conn.execute(sa.select(users.c.name).where(users.c.created_by != DEMO_CREATOR).limit(1)).first() is not None


def retire_demo_accounts(conn: Connection, *, by: str) -> list[str]:
    """Disable every active demo account and end its sessions, once a real administrator exists: their
    passwords are published. Returns the names disabled; each has its audit row."""
    query = sa.select(users.c.name).where(users.c.created_by == DEMO_CREATOR, sa.not_(users.c.disabled))
    names = sorted(conn.execute(query).scalars())
    if names:
        conn.execute(users.update().where(users.c.name.in_(names)).values(disabled=True))
    for name in names:
        audit(conn, _printable(by), "user_disabled", name, "a demo account: its password is published, and a "
                                                            "real administrator now exists")
        end_user_sessions(conn, name, "account_disabled", by=by)
    return names


# --- sessions -------------------------------------------------------------------------------

SESSION_TOKEN_BYTES = 32  # 256 random bits: guessing one is hopeless, so a plain SHA-256 is enough to store
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{32,128}")
TOUCH_INTERVAL = timedelta(minutes=1)  # last_seen_at is written at most this often: idle time is this exact
BROWSER_LIMIT = 300
SESSION_METHODS = ("password", "single sign-on")


@dataclass(frozen=True)
class SessionCheck:
    """What a presented token opens: `user` when the session lasts; else `refused` says why
    (unknown, or an END_REASONS key)."""
    user: User | None
    session_id: int | None = None
    refused: str | None = None


def new_session_token() -> str:
    return secrets.token_urlsafe(SESSION_TOKEN_BYTES)


def token_hash(token: str) -> str:
    """What the database keeps of a session token."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def start_session(conn: Connection, user: User | str, method: str, *, limits: SessionLimits,
                  browser: str | None = None, address: str | None = None, token: str | None = None,
                  now: datetime | None = None) -> str:
    """Open a session for `user` and return its token (a new random one unless `token` is given)."""
    if method not in SESSION_METHODS:
        raise ValueError(f"unknown sign-in method {method!r}")
    token = token or new_session_token()
    if not TOKEN_PATTERN.fullmatch(token):
        raise ValueError("a session token is 32 to 128 letters, digits, - and _")
    row = _existing(conn, user.name if isinstance(user, User) else user, lock=False)
    stamp = now or clock()
    conn.execute(sessions.insert().values(
        token_hash=token_hash(token), user_id=row["user_id"], method=method, created_at=stamp, last_seen_at=stamp,
        expires_at=stamp + limits.absolute, browser=_printable_long(browser, BROWSER_LIMIT),
        address=_printable_long(address, 64),
    ))
    return token


def _printable_long(text: str | None, limit: int) -> str | None:
    return None if text is None else "".join(c if c.isprintable() else "?" for c in text)[:limit]


def sign_in_session(engine: Engine, name: str, password: str, *, limits: SessionLimits, browser: str | None = None,
                    address: str | None = None, now: datetime | None = None) -> tuple[User, str]:
    """authenticate() and, when it passes, a new session: (user, token). A refusal keeps its
    failure count and audit row, as sign_in() does."""
    with writing(engine) as conn:
        try:
            user = authenticate(conn, name, password, now)
        except SignInRefused as error:
            refused = error
        else:
            end_expired_sessions(conn, limits, now)
            return user, start_session(conn, user, "password", limits=limits, browser=browser, address=address,
                                       now=now)
    raise refused


def identity_session(engine: Engine, name: str, token: str, *, limits: SessionLimits, grant: RoleGrant | None = None,
                     display_name: str | None = None, browser: str | None = None, address: str | None = None,
                     now: datetime | None = None) -> User:
    """identify() a single sign-on identity and open the session of `token` for it, in one
    transaction that keeps the audit row when it refuses."""
    with writing(engine) as conn:
        try:
            user = identify(conn, name, now, grant, display_name)
        except SignInRefused as error:
            refused = error
        else:
            end_expired_sessions(conn, limits, now)
            start_session(conn, user, "single sign-on", limits=limits, browser=browser, address=address, token=token,
                          now=now)
            return user
    raise refused


_SESSION_USER = sa.select(
    sessions.c.session_id, sessions.c.created_at, sessions.c.last_seen_at, sessions.c.expires_at,
    sessions.c.ended_at, sessions.c.end_reason,
    users.c.name, users.c.role, users.c.department, users.c.lead, users.c.display_name,
    users.c.must_change_password, users.c.disabled,
).join(users, users.c.user_id == sessions.c.user_id)


def check_session(engine: Engine, token: str | None, limits: SessionLimits, now: datetime | None = None) -> SessionCheck:
    """The user a browser's session token signs in, read afresh on every call (a role change, a
    disabled account or a sign-out elsewhere counts at once). Ends a session that has run out,
    with its audit row; notes activity at most once a TOUCH_INTERVAL."""
    if not isinstance(token, str) or not TOKEN_PATTERN.fullmatch(token):
        return SessionCheck(None, refused="unknown")
    stamp = now or clock()
    with reading(engine) as conn:
        row = conn.execute(_SESSION_USER.where(sessions.c.token_hash == token_hash(token))).mappings().first()
    if row is None:
        return SessionCheck(None, refused="unknown")
    if row["ended_at"] is not None:
        return SessionCheck(None, row["session_id"], refused=row["end_reason"])
    over = "account_disabled" if row["disabled"] else session_end(
        row["created_at"], row["last_seen_at"], row["expires_at"], stamp, limits)
    if over:
        with writing(engine) as conn:
            _end(conn, row["session_id"], row["name"], over, by=row["name"], now=stamp, limits=limits)
        return SessionCheck(None, row["session_id"], refused=over)
    if stamp - row["last_seen_at"] >= TOUCH_INTERVAL:
        with writing(engine) as conn:
            conn.execute(sessions.update().where(sessions.c.session_id == row["session_id"],
                                                 sessions.c.ended_at.is_(None)).values(last_seen_at=stamp))
    return SessionCheck(_user(row), row["session_id"])


def _end(conn: Connection, session_id: int, user_name: str, reason: str, *, by: str, now: datetime | None = None,
         limits: SessionLimits | None = None, detail: str | None = None) -> bool:
    """End one open session for `reason` and audit it; False when it had already ended."""
    ended = conn.execute(sessions.update().where(sessions.c.session_id == session_id, sessions.c.ended_at.is_(None))
                         .values(ended_at=now or clock(), end_reason=reason)).rowcount
    if not ended:
        return False
    if reason == "signed_out":
        audit(conn, user_name, "sign_out", None, f"session {session_id}")
    elif reason in ("idle", "time_limit", "clock"):
        limit = {"idle": f"{limits.idle.total_seconds() / 60:g} minutes without activity" if limits else "idle",
                 "time_limit": f"{limits.absolute.total_seconds() / 3600:g}-hour limit" if limits else "time limit",
                 "clock": END_REASONS["clock"]}[reason]
        audit(conn, user_name, "session_expired", None, f"session {session_id}: {limit}")
    else:
        audit(conn, _printable(by) or "?", "session_ended", user_name,
              f"session {session_id}: {END_REASONS.get(reason, reason)}" + (f" ({detail})" if detail else ""))
    return True


def end_session(engine: Engine, token: str | None, reason: str = "signed_out", now: datetime | None = None) -> bool:
    """End the session of `token` (a sign-out); False when there was none open."""
    if not isinstance(token, str) or not TOKEN_PATTERN.fullmatch(token):
        return False
    with writing(engine) as conn:
        row = conn.execute(_SESSION_USER.where(sessions.c.token_hash == token_hash(token))).mappings().first()
        return row is not None and _end(conn, row["session_id"], row["name"], reason, by=row["name"], now=now)


def end_session_by_id(conn: Connection, session_id: int, *, by: str, now: datetime | None = None) -> bool:
    """An administrator ends one session; False when it had already ended."""
    row = conn.execute(_SESSION_USER.add_columns(sessions.c.browser)
                       .where(sessions.c.session_id == session_id)).mappings().first()
    if row is None:
        raise AccountError(f"there is no session {session_id}")
    return _end(conn, session_id, row["name"], "ended_by_admin", by=by, now=now, detail=browser_label(row["browser"]))


def end_user_sessions(conn: Connection, name: str, reason: str, *, by: str, now: datetime | None = None) -> int:
    """End every open session of `name`; how many were open."""
    row = _existing(conn, name, lock=False)
    open_ids = conn.execute(sa.select(sessions.c.session_id).where(
        sessions.c.user_id == row["user_id"], sessions.c.ended_at.is_(None)).order_by(sessions.c.session_id)).scalars()
    return sum(_end(conn, session_id, row["name"], reason, by=by, now=now) for session_id in list(open_ids))


def end_expired_sessions(conn: Connection, limits: SessionLimits, now: datetime | None = None) -> int:
    """End, with their audit rows, the open sessions that have run out; how many."""
    stamp = now or clock()
    candidates = conn.execute(_SESSION_USER.where(sessions.c.ended_at.is_(None), sa.or_(
        sessions.c.expires_at <= stamp, sessions.c.created_at <= stamp - limits.absolute,
        sessions.c.last_seen_at <= stamp - limits.idle, sessions.c.last_seen_at > stamp + timedelta(minutes=1),
        sessions.c.created_at > stamp + timedelta(minutes=1)))).mappings().all()
    ended = 0
    for row in candidates:
        reason = session_end(row["created_at"], row["last_seen_at"], row["expires_at"], stamp, limits)
        if reason:
            ended += _end(conn, row["session_id"], row["name"], reason, by=row["name"], now=stamp, limits=limits)
    return ended


def open_sessions(conn: Connection, limits: SessionLimits, now: datetime | None = None) -> pd.DataFrame:
    """The sessions open now, for the admin page: newest activity first, with the browser named."""
    stamp = now or clock()
    query = (sa.select(sessions.c.session_id, users.c.name, users.c.display_name, sessions.c.method,
                       sessions.c.created_at, sessions.c.last_seen_at, sessions.c.expires_at, sessions.c.browser,
                       sessions.c.address)
             .join(users, users.c.user_id == sessions.c.user_id)
             .where(sessions.c.ended_at.is_(None), sessions.c.expires_at > stamp,
                    sessions.c.created_at > stamp - limits.absolute, sessions.c.last_seen_at > stamp - limits.idle)
             .order_by(sessions.c.last_seen_at.desc(), sessions.c.session_id.desc()))
    result = conn.execute(query)
    frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    frame["browser"] = frame["browser"].map(browser_label) if len(frame) else frame["browser"]
    return frame
