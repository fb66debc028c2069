"""Command line for analysts and scheduled jobs.

    python -m loaders ingest [--department police] FILE [--mapping NAME_OR_FILE]
    python -m loaders save-mapping --department police --name NAME --file SAMPLE.csv --map field=Column ...
    python -m loaders save-mapping --department police --name NAME --file SAMPLE.csv --mapping-file MAP.toml
    python -m loaders properties FILE
    python -m loaders institutions FILE  (the team's list: property_id, treatment damp|exclude, reason)
    python -m loaders wards FILE        (residents per ward: ward, population)
    python -m loaders city DIR          (a generated sample city: the master and all four extracts)

Without --department, the department is taken from the file's columns. --mapping names a saved
mapping, or a JSON/TOML file of field = "column" pairs. Exit 0 with one summary line per file on
success; non-zero with a reason, and the database unchanged, on failure.
"""

import argparse
import os
import sys
from pathlib import Path

from sqlalchemy.engine import Engine

from integration.matcher import Matcher
from loaders import mappings
from loaders.ingest import ingest
from loaders.properties import load_institutions, load_properties, load_ward_populations
from loaders.read import LoadError, read_table
from loaders.specs import CANONICAL_FIELDS, spec, specs
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m loaders", description="Load department extracts.")
    commands = parser.add_subparsers(dest="command", required=True)
    departments = sorted(specs())

    load = commands.add_parser("ingest", help="load one department extract (CSV or XLSX)")
    load.add_argument("--department", choices=departments, help="default: taken from the file's columns")
    load.add_argument("--mapping", metavar="NAME_OR_FILE",
                      help="a saved column mapping's name, or a JSON/TOML file of field = \"column\" pairs")
    load.add_argument("--by", default="command line", help="who loads it, for the ingest log")
    load.add_argument("file", type=Path)

    save = commands.add_parser("save-mapping", help="store a column mapping for files shaped like a sample file")
    save.add_argument("--department", required=True, choices=departments)
    save.add_argument("--name", required=True)
    save.add_argument("--file", required=True, type=Path, help="a sample extract of this shape (CSV or XLSX)")
    given = save.add_mutually_exclusive_group(required=True)
    given.add_argument("--map", nargs="+", metavar="FIELD=COLUMN",
                       help=f"fields: {', '.join(CANONICAL_FIELDS)}")
    given.add_argument("--mapping-file", type=Path, help="a JSON/TOML file of field = \"column\" pairs")
    save.add_argument("--by", default="command line", help="who saves it")

    commands.add_parser("properties", help="load or refresh the property master").add_argument("file", type=Path)
    commands.add_parser("institutions", help="load the team's institution list (property_id, treatment, reason)"
                        ).add_argument("file", type=Path)
    commands.add_parser("wards", help="load residents per ward (ward, population)").add_argument("file", type=Path)
    commands.add_parser("city", help="load a sample city directory written by sample_data.generate").add_argument(
        "directory", type=Path
    )
    return parser


def main(argv: list[str] | None = None, engine: Engine | None = None) -> int:
    args = _parser().parse_args(argv)
    if engine is None:
        engine = create_engine()
        migrate.upgrade(engine)
    try:
        if args.command == "ingest":
            result = ingest(args.file, args.department, engine, loaded_by=args.by, mapping=args.mapping,
                            progress=_progress(args.file.name))
            print(result.summary())
        elif args.command == "save-mapping":
            print(save_mapping(engine, args))
        elif args.command == "properties":
            print(load_properties(args.file, engine).summary())
        elif args.command == "institutions":
            print(load_institutions(args.file, engine))
        elif args.command == "wards":
            print(load_ward_populations(args.file, engine))
        else:
            load_city(args.directory, engine)
    except (LoadError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def save_mapping(engine: Engine, args: argparse.Namespace) -> str:
    """Store the mapping given on the command line, checked against the sample file's columns."""
    columns = mappings.read_mapping_file(args.mapping_file) if args.mapping_file else parse_pairs(args.map)
    department_spec = spec(args.department)
    # For a workbook, the sheet that holds the mapped columns.
    table = read_table(args.file.read_bytes(), args.file.name, fit=mappings.columns_fit(columns))
    stored = mappings.save_mapping(engine, args.department, args.name, list(table.frame.columns), columns,
                                   saved_by=args.by, file_name=args.file.name)
    return f"saved {department_spec.label} mapping '{args.name}': {mappings.mapping_text(stored)}"


def parse_pairs(pairs: list[str]) -> dict[str, str]:
    """field=Column pairs from the command line."""
    columns = {}
    for pair in pairs:
        field, equals, column = pair.partition("=")
        if not equals or not field.strip() or not column.strip():
            raise LoadError(f"--map {pair}: write it as field=Column, like source_record_id=\"Call No\"")
        columns[field.strip()] = column.strip()
    return columns


def load_city(directory: Path, engine) -> None:
    """The master first, then each extract, matching against one index built once."""
    print(load_properties(directory / "properties.csv", engine).summary())
    with reading(engine) as conn:
        matcher = Matcher(repository.property_master(conn), workers=os.cpu_count() or 1)
    for department, file_name in CITY_FILES.items():
        result = ingest(directory / file_name, department, engine, loaded_by="sample city",
                        progress=_progress(file_name), matcher=matcher)
        print(result.summary())
    if (directory / "institutions.csv").exists():
        print(load_institutions(directory / "institutions.csv", engine, loaded_by="sample city"))
    if (directory / "wards.csv").exists():
        print(load_ward_populations(directory / "wards.csv", engine, loaded_by="sample city"))


if __name__ == "__main__":
    sys.exit(main())
