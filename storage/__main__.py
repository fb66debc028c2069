"""Command line: `python -m storage upgrade` brings the database to the current schema."""

import argparse
import sys

from storage import migrate
from storage.engine import create_engine


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m storage", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("upgrade", help="apply schema migrations to DATABASE_URL (default: the SQLite file)")
    commands.add_parser("revision", help="write a migration for the changes in storage/schema.py").add_argument(
        "message"
    )
    args = parser.parse_args(argv)
    engine = create_engine()
    if args.command == "upgrade":
        before = migrate.current_revision(engine)
        migrate.upgrade(engine)
        after = migrate.current_revision(engine)
        print(f"database {engine.url.render_as_string(hide_password=True)}: schema {before or 'empty'} -> {after}")
    elif args.command == "revision":
        migrate.revision(engine, args.message)
    return 0


if __name__ == "__main__":
    sys.exit(main())
