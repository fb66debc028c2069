"""Command line: place a file of records on a property master.

    python -m integration match --properties PROPERTIES.csv --records RECORDS.csv --out OUT.csv
    python -m integration forecast ...        (see --help; on the database in DATABASE_URL)
    python -m integration early-warning ...   (see --help; on the database in DATABASE_URL)

PROPERTIES has columns property_id and address (optionally city, state, zip, lat, lon,
parcel_id, neighborhood; several rows may share a property_id). RECORDS has a column address
(optionally record_id, zip, lat, lon, parcel_id; other columns are carried through). OUT holds
every input row, in order, with property_id, status, method, score, candidates and normalized.
A summary goes to stderr; bad input exits non-zero with a one-line reason.
"""

import argparse
import csv
import importlib
import sys
import time
from pathlib import Path

from integration.matcher import STATUS_COLUMNS, Matcher

# Read and written with the csv module, not pandas: the command's start-up is part of its speed.
FIELD_LIMIT = 10_000_000


class InputError(Exception):
    pass


# The master's columns the matcher reads; the others are not kept in memory.
MASTER_COLUMNS = ("property_id", "address", "parcel_id", "city", "state", "zip", "lat", "lon", "neighborhood")


def read_csv(path: Path, required: tuple[str, ...], what: str,
             keep: tuple[str, ...] | None = None) -> tuple[list[str], dict[str, list[str]]]:
    """The file's header and its columns (name -> values, as text; a short row is padded with ""),
    all of them or those in `keep`."""
    previous = csv.field_size_limit(FIELD_LIMIT)  # the process's limit: put back when read
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if not header:
                raise InputError(f"{what} file {path} is not a readable CSV file (it is empty)")
            width = len(header)
            kept = [i for i, name in enumerate(header) if keep is None or name in keep]
            columns: list[list[str]] = [[] for _ in kept]
            for line, row in enumerate(reader, start=2):
                if len(row) != width:
                    if len(row) > width:
                        raise InputError(f"{what} file {path} is not a readable CSV file (line {line} has "
                                         f"{len(row)} fields, the header {width})")
                    row = row + [""] * (width - len(row))
                for column, i in zip(columns, kept):
                    column.append(row[i])
    except FileNotFoundError:
        raise InputError(f"{what} file {path} does not exist") from None
    except (UnicodeDecodeError, csv.Error, IsADirectoryError) as error:
        raise InputError(f"{what} file {path} is not a readable CSV file ({type(error).__name__})") from None
    finally:
        csv.field_size_limit(previous)
    missing = [column for column in required if column not in header]
    if missing:
        raise InputError(f"{what} file {path} has no {', '.join(missing)} column; its columns are: "
                         f"{', '.join(header)}")
    return header, dict(zip([header[i] for i in kept], columns))


def run_match(properties: Path, records: Path, out: Path) -> str:
    started = time.perf_counter()
    _header, master = read_csv(properties, ("property_id", "address"), "properties", keep=MASTER_COLUMNS)
    header, frame = read_csv(records, ("address",), "records")
    # One process: on a 1M-record batch a second one saves a tenth of the time and costs a third
    # more memory (each touches the index it shares), and the machine's other core stays free.
    placed = Matcher(master, workers=1).match_columns(frame)
    kept = [name for name in header if name not in STATUS_COLUMNS]
    rows = len(frame["address"])
    with open(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(kept + STATUS_COLUMNS)
        writer.writerows(zip(*(frame[name] for name in kept), *(placed[name] for name in STATUS_COLUMNS)))
    elapsed = time.perf_counter() - started
    counts = {status: 0 for status in ("matched", "review", "block", "intersection", "unmatched")}
    for status in placed["status"]:
        counts[status] += 1
    summary = ", ".join(f"{status} {count:,}" for status, count in counts.items())
    return f"{rows:,} records in {elapsed:.1f} s ({rows / max(elapsed, 1e-9):,.0f} records/s): {summary}"


# Commands that read the database: each is a use case of the service layer, imported only when asked for,
# so that `match` starts without pandas or a database driver.
DATABASE_COMMANDS = {
    "forecast": "services.forecast",            # customer-service requests per week, and the staff they need
    "early-warning": "services.early_warning",  # the properties heading for the hotspots list
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in DATABASE_COMMANDS:
        module = importlib.import_module(DATABASE_COMMANDS[argv[0]])
        return module.main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m integration", description="Match records to properties.")
    commands = parser.add_subparsers(dest="command", required=True)
    for name in DATABASE_COMMANDS:
        commands.add_parser(name, help=f"see python -m integration {name} --help", add_help=False)
    matching = commands.add_parser("match", help="place a CSV of records on a property master")
    matching.add_argument("--properties", required=True, type=Path)
    matching.add_argument("--records", required=True, type=Path)
    matching.add_argument("--out", required=True, type=Path)
    args = parser.parse_args(argv)
    try:
        print(run_match(args.properties, args.records, args.out), file=sys.stderr)
    except (InputError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
