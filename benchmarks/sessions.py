"""How long a page run takes to check who is signed in, before and after sessions moved to the database.

Every page run asks the database who is signed in. Before: the tab's own Streamlit session held
the user name, and the frame read that account (`accounts.user_by_name` in a read transaction) to
see a role change or a disabled account at once. After: the browser's cookie holds a token and the
frame checks it (`accounts.check_session`: the session joined to its account, in a read
transaction; once a minute it also writes the last activity). Both run here, in the same process
against the same database, with as many open sessions around as a city has: the "before" check is
the baseline. SQLite always; PostgreSQL too when TEST_DATABASE_URL is set. Medians of --repeat
checks, after a warm-up.

    .venv/bin/python benchmarks/sessions.py [--users 300] [--sessions 3000] [--repeat 2000]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from integration.access import SessionLimits  # noqa: E402
from services import accounts  # noqa: E402
from storage import migrate
from storage.engine import create_engine, reading, writing  # noqa: E402
from storage.schema import sessions, users  # noqa: E402

LIMITS = SessionLimits()


def populate(engine, user_count: int, session_count: int) -> list[str]:
    """`user_count` accounts and `session_count` sessions (a fifth of them ended); the open tokens."""
    now = datetime.now().replace(microsecond=0)
    with writing(engine) as conn:
        conn.execute(users.insert(), [
            {"name": f"user{i:04d}", "display_name": f"User {i}", "role": "viewer", "lead": False,
             "password_hash": None, "must_change_password": False, "disabled": False, "failed_attempts": 0,
             "created_by": "benchmark", "created_at": now} for i in range(user_count)])
        ids = conn.execute(sa.select(users.c.user_id).order_by(users.c.user_id)).scalars().all()
        tokens = [accounts.new_session_token() for _ in range(session_count)]
        conn.execute(sessions.insert(), [
            {"token_hash": accounts.token_hash(token), "user_id": ids[i % len(ids)], "method": "password",
             "created_at": now, "last_seen_at": now, "expires_at": now + LIMITS.absolute,
             "ended_at": now if i % 5 == 0 else None, "end_reason": "signed_out" if i % 5 == 0 else None,
             "browser": "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0 Safari/537.36"}
            for i, token in enumerate(tokens)])
    return [token for i, token in enumerate(tokens) if i % 5]


def before(engine, name: str):
    """The check the frame made before: the tab's user name, read afresh."""
    with reading(engine) as conn:
        return accounts.user_by_name(conn, name)


def median_ms(check, arguments: list, repeat: int) -> float:
    for argument in arguments[:50]:  # warm the pool and the statement cache
        check(argument)
    times = []
    for i in range(repeat):
        argument = arguments[i % len(arguments)]
        started = time.perf_counter()
        result = check(argument)
        times.append(time.perf_counter() - started)
        assert result is not None
    return statistics.median(times) * 1000


def measure(label: str, engine, user_count: int, session_count: int, repeat: int) -> None:
    migrate.upgrade(engine)
    tokens = populate(engine, user_count, session_count)
    names = [f"user{i:04d}" for i in range(user_count)]
    baseline = median_ms(lambda name: before(engine, name), names, repeat)
    soon = datetime.now() + timedelta(seconds=1)  # within a minute of the last activity: read only
    after = median_ms(lambda token: accounts.check_session(engine, token, LIMITS, soon).user, tokens, repeat)
    later = iter(datetime.now() + timedelta(minutes=2, seconds=i) for i in range(10**9))
    touching = median_ms(lambda token: accounts.check_session(engine, token, LIMITS, next(later)).user, tokens,
                         min(repeat, len(tokens) - 50))
    print(f"{label:<11} before (user by name) {baseline:6.3f} ms | after (session token) {after:6.3f} ms "
          f"({after / baseline:4.2f}x) | after, the once-a-minute write of last activity {touching:6.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--sessions", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=2000)
    options = parser.parse_args()
    print(f"median time of one session check, {options.users} accounts, {options.sessions} sessions "
          f"({options.sessions * 4 // 5} open), {options.repeat} checks each")
    with tempfile.TemporaryDirectory() as directory:
        engine = create_engine(f"sqlite:///{Path(directory) / 'sessions.db'}")
        measure("SQLite", engine, options.users, options.sessions, options.repeat)
        engine.dispose()
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        print("PostgreSQL: skipped (set TEST_DATABASE_URL)")
        return
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        engine = create_engine(f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}")
        measure("PostgreSQL", engine, options.users, options.sessions, options.repeat)
        engine.dispose()
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


if __name__ == "__main__":
    main()
