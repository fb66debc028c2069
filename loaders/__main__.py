"""Command line for analysts and scheduled jobs.

    python -m loaders ingest [--department police] FILE [--mapping NAME_OR_FILE] [--date-order month-first|day-first]
                             [--max-rejects 5] [--load-anyway]
    python -m loaders propose FILE [--department police]   (a mapping proposed from the file's columns and values)
    python -m loaders save-mapping --department police --name NAME --file SAMPLE.csv --map field=Column ...
    python -m loaders save-mapping --department police --name NAME --file SAMPLE.csv --mapping-file MAP.toml
    python -m loaders properties FILE
    python -m loaders institutions FILE  (the team's list: property_id, treatment damp|exclude, reason)
    python -m loaders wards FILE        (residents per ward: ward, population)
    python -m loaders city DIR          (a generated sample city: the master and all four extracts)

Without --department, the department is taken from the file's columns. --mapping names a saved
mapping, or a JSON/TOML file of field = "column" pairs. A load that would reject more than
--max-rejects percent of its rows stores nothing and prints the commonest reasons; --load-anyway
stores what loads and keeps the rejects. Exit 0 with one summary line per file on success; non-zero
with a reason, and the database unchanged, on failure. A file nothing recognises gets a proposed
mapping and the save-mapping command that accepts it.
"""

import argparse
import os
import sys
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from integration.matcher import Matcher
from loaders import mappings
from loaders.dates import AmbiguousDateOrder
from loaders.ingest import MAX_REJECT_SHARE, UnknownLayout, commit, ingest, prepare
from loaders.propose import propose
from loaders.properties import load_institutions, load_properties, load_ward_populations
from loaders.read import LoadError, read_table
from loaders.specs import CANONICAL_FIELDS, MAPPING_SETTINGS, header_token, spec, specs
from services import hotspots
from storage import migrate, property_data
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
    load.add_argument("--date-order", choices=["month-first", "day-first"],
                      help="for dates like 03/04/2025 that read both ways")
    load.add_argument("--max-rejects", type=float, default=MAX_REJECT_SHARE * 100, metavar="PERCENT",
                      help="refuse the whole load when more than this share of rows would be rejected "
                           "(default %(default)g)")
    load.add_argument("--load-anyway", action="store_true",
                      help="store what loads however many rows are rejected; the rejects are kept")
    load.add_argument("--by", default="command line", help="who loads it, for the ingest log")
    load.add_argument("file", type=Path)

    suggest = commands.add_parser("propose", help="propose a column mapping for a file nothing recognises")
    suggest.add_argument("--department", choices=departments, help="default: guessed from the file")
    suggest.add_argument("file", type=Path)

    save = commands.add_parser("save-mapping", help="store a column mapping for files shaped like a sample file")
    save.add_argument("--department", required=True, choices=departments)
    save.add_argument("--name", required=True)
    save.add_argument("--file", required=True, type=Path, help="a sample extract of this shape (CSV or XLSX)")
    given = save.add_mutually_exclusive_group(required=True)
    given.add_argument("--map", nargs="+", action="extend", metavar="FIELD=COLUMN",
                       help=f"repeat it or give several pairs after one --map; an id built from several "
                            f"columns: source_record_id=A+B; fields: {', '.join(CANONICAL_FIELDS)}; "
                            f"settings: {', '.join(MAPPING_SETTINGS)}")
    given.add_argument("--mapping-file", type=Path, help="a JSON/TOML file of field = \"column\" pairs")
    save.add_argument("--by", default="command line", help="who saves it")

    commands.add_parser("properties", help="load or refresh the property master").add_argument("file", type=Path)
    commands.add_parser("institutions", help="load the team's institution list (property_id, treatment, reason)"
                        ).add_argument("file", type=Path)
    commands.add_parser("wards", help="load residents per ward (ward, population)").add_argument("file", type=Path)
    city = commands.add_parser("city", help="load a sample city directory written by sample_data.generate")
    city.add_argument("--part-rows", type=int, metavar="N",
                      help="load each extract in parts of N rows, each part all or nothing (a county's history "
                           "in one file, loaded with bounded memory)")
    city.add_argument("directory", type=Path)
    return parser


def main(argv: list[str] | None = None, engine: Engine | None = None) -> int:
    args = _parser().parse_args(argv)
    if engine is None:
        engine = create_engine()
        migrate.upgrade(engine)
    try:
        if args.command == "ingest":
            result = ingest(args.file, args.department, engine, loaded_by=args.by, mapping=args.mapping,
                            progress=_progress(args.file.name),
                            date_order=args.date_order.replace("-", "_") if args.date_order else None,
                            max_reject_share=None if args.load_anyway else args.max_rejects / 100,
                            workers=os.cpu_count() or 1)
            print(result.summary())
            for note in result.notes:
                print(f"  {note}", file=sys.stderr)
        elif args.command == "propose":
            print(proposal_text(args.file, args.department))
        elif args.command == "save-mapping":
            print(save_mapping(engine, args))
        elif args.command == "properties":
            print(load_properties(args.file, engine).summary())
        elif args.command == "institutions":
            print(load_institutions(args.file, engine))
        elif args.command == "wards":
            print(load_ward_populations(args.file, engine))
        else:
            load_city(args.directory, engine, part_rows=args.part_rows)
        if args.command in ("ingest", "properties", "institutions", "city"):
            # the hotspots page's first view after the load is read, not scored
            kept = hotspots.keep_default_view(engine)
            if kept:
                print(kept, file=sys.stdout if args.command == "city" else sys.stderr)
    except AmbiguousDateOrder as error:
        print(f"error: {error}\n  load it again with --date-order month-first or --date-order day-first",
              file=sys.stderr)
        return 1
    except UnknownLayout as error:
        print(f"error: {error}\n\n{proposal_text(args.file, error.department)}", file=sys.stderr)
        return 1
    except (LoadError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def proposal_text(path: Path, department: str | None) -> str:
    """A mapping proposed for the file, field by field with why, and the command that saves it."""
    table = read_table(path.read_bytes(), path.name)
    proposal = propose(table.frame, department)
    if proposal.department is None:
        return "No department could be told from the file; run propose with --department."
    lines = [f"Proposed {spec(proposal.department).label} mapping for {path.name}:"]
    lines += [f"  {guess.field:<18} <- {guess.column!r:<32} {guess.why}" for guess in proposal.guesses]
    if proposal.missing:
        lines.append(f"  not found: {', '.join(proposal.missing)} (add them to the command with --map field=Column)")
    lines.append("Check it, then save it (and load files of this shape from then on) with:")
    lines.append(f"  {proposal.save_command(str(path))}")
    return "\n".join(lines)


def save_mapping(engine: Engine, args: argparse.Namespace) -> str:
    """Store the mapping given on the command line, checked against the sample file's columns."""
    columns = mappings.read_mapping_file(args.mapping_file) if args.mapping_file else parse_pairs(args.map)
    department_spec = spec(args.department)
    # For a workbook, the sheet that holds the mapped columns.
    table = read_table(args.file.read_bytes(), args.file.name, fit=mappings.columns_fit(columns))
    columns = split_joined_columns(columns, list(table.frame.columns))
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


def split_joined_columns(columns: dict, headers: list[str]) -> dict:
    """source_record_id=A+B names an id built from columns A and B, unless the file has a column called "A+B"."""
    tokens = {header_token(header) for header in headers}
    return {field: [part.strip() for part in source.split("+")]
            if isinstance(source, str) and "+" in source and header_token(source) not in tokens else source
            for field, source in columns.items()}


def load_city(directory: Path, engine, part_rows: int | None = None) -> None:
    """The master first, then each extract, matching against one index built once; with `part_rows`,
    each extract in parts of that many rows, each part loaded (and committed) on its own."""
    print(load_properties(directory / "properties.csv", engine).summary())
    with reading(engine) as conn:
        matcher = Matcher(property_data.property_master(conn), workers=os.cpu_count() or 1)
    for department, file_name in CITY_FILES.items():
        for part, name in _parts(directory / file_name, part_rows):
            prepared = prepare(part, name, department, engine, matcher=matcher)
            print(commit(engine, prepared, "sample city", _progress(name)).summary())
    if (directory / "institutions.csv").exists():
        print(load_institutions(directory / "institutions.csv", engine, loaded_by="sample city"))
    if (directory / "wards.csv").exists():
        print(load_ward_populations(directory / "wards.csv", engine, loaded_by="sample city"))


def _parts(path: Path, rows: int | None):
    """(content, name) of the whole file, or of each part of `rows` rows (a CSV with its header row)."""
    if not rows:
        yield path.read_bytes(), path.name
        return
    first = 2  # the file's row numbers: row 1 is the header
    for chunk in pd.read_csv(path, dtype=str, keep_default_na=False, chunksize=rows):
        last = first + len(chunk) - 1
        yield chunk.to_csv(index=False).encode(), f"{path.name} (rows {first:,}-{last:,})"
        first = last + 1


if __name__ == "__main__":
    sys.exit(main())
