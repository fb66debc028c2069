"""Command line: `python -m storage upgrade` brings the database to the current schema;
`create-user` adds an account (the first admin of a city's database); `demo-users` adds the
sample city's demo accounts; `summaries` rebuilds what the pages read (storage.summaries) from the
records, and keeps the hotspots page's default view again."""

import argparse
import getpass
import sys

from services import accounts, first_run, hotspots
from storage import migrate, summaries
from storage.engine import create_engine, writing
from vocabulary import DEPARTMENTS, ROLE_LABELS, ROLES


def _where(engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _schema_problem(engine) -> str | None:
    current, head = migrate.current_revision(engine), migrate.head_revision()
    if current != head:
        return (f"the database {_where(engine)} has schema {current or 'none'}, not {head}: "
                "run `python -m storage upgrade` first")
    return None



def _read_password(name: str, from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise accounts.AccountError("--password-stdin: no password on standard input")
        return password
    password = getpass.getpass(f"Password for {name}: ")
    if getpass.getpass("Same password again: ") != password:
        raise accounts.AccountError("the two passwords differ")
    return password


def create_user(engine, args) -> int:
    password = _read_password(args.name, args.password_stdin)
    with writing(engine) as conn:
        demos = [account.name for account in accounts.demo_accounts(conn)]
        user = accounts.create_user(conn, args.name, password, args.role, args.department, args.lead,
                                    created_by=accounts.command_line_user(), display_name=args.display_name)
        retired = [name for name in demos if accounts.user_by_name(conn, name) is None]
    where = f", {user.department}" if user.department else ""
    lead = ", lead" if user.lead else ""
    print(f"created user {user.name} ({ROLE_LABELS[user.role]}{where}{lead}) in {_where(engine)}")
    if retired:
        print(f"disabled the demo accounts ({', '.join(retired)}): their passwords are published, and this "
              f"database now has a real administrator")
    return 0


def demo_users(engine, only_list: bool = False) -> int:
    if only_list:  # what `make run` prints: the demo accounts that still sign in, if any
        with writing(engine) as conn:
            working = accounts.demo_accounts(conn)
        if working:
            print("Sign in with a demo account of the sample city:")
        for account in working:
            print(f"  {account.name:<8} password {account.password:<18} {account.display_name}")
        return 0
    with writing(engine) as conn:
        done = accounts.create_demo_users(conn)
    print(f"demo accounts in {_where(engine)} (for the sample city only):")
    for account, created in done:
        print(f"  {account.name:<8} password {account.password:<18} {account.display_name}"
              f"{'' if created else '  (already there)'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m storage", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    upgrade = commands.add_parser("upgrade", help="apply schema migrations to DATABASE_URL (default: the SQLite file)")
    upgrade.add_argument("--quiet", action="store_true", help="print nothing when the schema is already current")
    commands.add_parser("welcome", help="what the database holds, where the dashboard is served and how to sign "
                                        "in (what `make run` prints)").add_argument(
        "--served-at", default="http://localhost:8501", help="the dashboard's address")
    commands.add_parser("summaries", help="rebuild the monthly blocks and weekly request counts the pages read, "
                                          "from the records (they are kept in step by every load; this checks "
                                          "nothing, it recomputes)")
    commands.add_parser("revision", help="write a migration for the changes in storage/schema.py").add_argument(
        "message"
    )
    new_user = commands.add_parser("create-user", help="add an account (asks for the password twice)")
    new_user.add_argument("name")
    new_user.add_argument("--role", required=True, choices=ROLES)
    new_user.add_argument("--department", choices=DEPARTMENTS, help="for department staff and team members")
    new_user.add_argument("--lead", action="store_true", help="the integration team lead")
    new_user.add_argument("--display-name", help="the name shown in the app (default: the user name)")
    new_user.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    commands.add_parser("demo-users", help="add one demo account per role with a published password "
                                           "(sample city only; skips accounts already there)").add_argument(
        "--list", action="store_true", help="only print the demo accounts that still sign in")
    args = parser.parse_args(argv)
    engine = create_engine()
    if args.command == "upgrade":
        before = migrate.current_revision(engine)
        migrate.upgrade(engine)
        after = migrate.current_revision(engine)
        if before != after:
            print(f"database {_where(engine)}: schema {before or 'empty'} upgraded to {after}")
        elif not args.quiet:
            print(f"database {_where(engine)}: schema {after}, already current")
    elif args.command == "welcome":
        print(first_run.summary(engine, args.served_at))
    elif args.command == "summaries":
        if problem := _schema_problem(engine):
            print(f"summaries: {problem}", file=sys.stderr)
            return 1
        with writing(engine) as conn:
            blocks = summaries.rebuild(conn)
        print(f"database {_where(engine)}: {blocks:,} monthly blocks rebuilt from the records")
        if kept := hotspots.keep_default_view(engine):
            print(kept)
    elif args.command == "revision":
        migrate.revision(engine, args.message)
    elif args.command in ("create-user", "demo-users"):
        try:
            if problem := _schema_problem(engine):
                raise accounts.AccountError(problem)
            return create_user(engine, args) if args.command == "create-user" else demo_users(engine, args.list)
        except accounts.AccountError as error:
            print(f"{args.command}: {error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
