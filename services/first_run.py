"""What a person starting the dashboard reads: where data is loaded (every empty state says it), the
command that creates a database's first administrator, and the summary `make run` prints.

Entry points: `WHERE_TO_LOAD`, `database_command(url, command)`, `first_admin_command(url)`, `summary(engine, served_at)`.
"""

import shlex
import textwrap

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from services import accounts
from storage import data_quality, property_data
from storage.engine import reading
from vocabulary import DEPARTMENT_LABELS

# What every empty state says, on every page and in the terminal: one place to load data.
WHERE_TO_LOAD = ("An analyst or an administrator loads them on the Upload page: the property master (the "
                 "parcel file) first, then each department's extract.")


def database_command(url: str, command: str) -> tuple[str, bool]:
    """`command` (run from the project folder) on the database at `url`; and whether the URL's
    password is elided in it (*** stands in its place)."""
    parsed = sa.engine.make_url(url)
    shown = parsed.render_as_string(hide_password=True)
    return f"DATABASE_URL={shlex.quote(shown)} {command}", parsed.password is not None


def first_admin_command(url: str) -> tuple[str, bool]:
    """The command that creates the first administrator in the database at `url` (database_command)."""
    return database_command(url, ".venv/bin/python -m storage create-user NAME --role admin")


def summary(engine: Engine, served_at: str) -> str:
    """What the database holds, where the dashboard is served, and how to sign in: the demo accounts,
    or the command that creates the first administrator."""
    with reading(engine) as conn:
        property_count = property_data.count_properties(conn)
        per_department = data_quality.overview(conn)
        has_accounts = accounts.count_users(conn) > 0
        demos = accounts.demo_accounts(conn)
    records = int(per_department["records"].sum()) if not per_department.empty else 0
    lines = ["Property risk dashboard", f"  Database:  {engine.url.render_as_string(hide_password=True)}"]
    if property_count or records:
        stored = dict(zip(per_department["department"], per_department["records"]))
        parts = ", ".join(f"{label} {int(stored[department]):,}" for department, label in DEPARTMENT_LABELS.items()
                          if stored.get(department))
        city = "the sample city, " if demos else ""
        lines.append(f"  Data:      {city}{property_count:,} properties and {records:,} records"
                     + (f" ({parts})" if parts else ""))
        if not (property_count and records):
            lines += _indented(WHERE_TO_LOAD)
    else:
        lines += ["  Data:      no properties or records yet.", *_indented(WHERE_TO_LOAD)]
    lines.append(f"  Served at: {served_at}   (Ctrl+C stops it)")
    if demos:
        lines.append("  Sign in:   with a demo account of the sample city (user name, password, who):")
        lines += [f"               {demo.name:<8} {demo.password:<18} {demo.display_name}" for demo in demos]
    elif has_accounts:
        lines.append("  Sign in:   with your account; an administrator adds accounts on the Users and audit page.")
    else:
        command, password_elided = first_admin_command(engine.url.render_as_string(hide_password=False))
        lines += ["  Sign in:   the database has no accounts yet. Create the first administrator from this",
                  "             folder, then reload the page:", f"               {command}"]
        if password_elided:
            lines.append("             (put the database's password in place of ***)")
    return "\n".join(lines)


def _indented(text: str) -> list[str]:
    return textwrap.wrap(text, width=100, initial_indent=" " * 13, subsequent_indent=" " * 13)
