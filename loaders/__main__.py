"""Command line for analysts and scheduled jobs.

    python -m loaders properties FILE
    python -m loaders ingest --department police FILE
    python -m loaders city DIR          (a generated sample city: the master and all four extracts)

Exit 0 with one summary line per file on success; non-zero with a reason, and the database
unchanged, on failure.
"""

import argparse
import os
import sys
from pathlib import Path

from integration.matcher import Matcher
from loaders.ingest import ingest
from loaders.properties import load_properties
from loaders.read import LoadError
from loaders.specs import specs
from storage import migrate, repository
from storage.engine import create_engine, reading

CITY_FILES = {"police": "police.csv", "fire": "fire.csv", "public_works": "public_works.csv", "crm": "crm.csv"}


def _progress(label: str):
    if not sys.stderr.isatty():
        return None

    def show(step: str, share: float) -> None:
        filled = int(share * 30)
        end = "\n" if share >= 1 else ""
        print(f"\r{label} [{'#' * filled}{'.' * (30 - filled)}] {share:4.0%} {step:<20}", end=end, file=sys.stderr)

    return show


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loaders", description="Load department extracts.")
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser("ingest", help="load one department extract (CSV or XLSX)")
    load.add_argument("--department", required=True, choices=sorted(specs()))
    load.add_argument("file", type=Path)
    commands.add_parser("properties", help="load or refresh the property master").add_argument("file", type=Path)
    commands.add_parser("city", help="load a sample city directory written by sample_data.generate").add_argument(
        "directory", type=Path
    )
    args = parser.parse_args(argv)

    engine = create_engine()
    migrate.upgrade(engine)
    try:
        if args.command == "ingest":
            print(ingest(args.file, args.department, engine, progress=_progress(args.file.name)).summary())
        elif args.command == "properties":
            print(load_properties(args.file, engine).summary())
        else:
            load_city(args.directory, engine)
    except (LoadError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def load_city(directory: Path, engine) -> None:
    """The master first, then each extract, matching against one index built once."""
    print(load_properties(directory / "properties.csv", engine).summary())
    with reading(engine) as conn:
        matcher = Matcher(repository.property_master(conn), workers=os.cpu_count() or 1)
    for department, file_name in CITY_FILES.items():
        result = ingest(directory / file_name, department, engine, loaded_by="sample city",
                        progress=_progress(file_name), matcher=matcher)
        print(result.summary())


if __name__ == "__main__":
    sys.exit(main())
