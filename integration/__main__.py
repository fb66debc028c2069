"""Command line: place a file of records on a property master.

    python -m integration match --properties PROPERTIES.csv --records RECORDS.csv --out OUT.csv

PROPERTIES has columns property_id and address (optionally city, state, zip, lat, lon,
parcel_id, neighborhood; several rows may share a property_id). RECORDS has a column address
(optionally record_id, zip, lat, lon, parcel_id; other columns are carried through). OUT holds
every input row, in order, with property_id, status, method, score, candidates and normalized.
A summary goes to stderr; bad input exits non-zero with a one-line reason.
"""

import argparse
import os
import sys
import time
from pathlib import Path

import pandas as pd

from integration.matcher import STATUS_COLUMNS, Matcher


class InputError(Exception):
    pass


def read_csv(path: Path, required: tuple[str, ...], what: str) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{what} file {path} does not exist") from None
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, IsADirectoryError) as error:
        raise InputError(f"{what} file {path} is not a readable CSV file ({type(error).__name__})") from None
    missing = [column for column in required if column not in frame.columns]
    if missing:
        raise InputError(f"{what} file {path} has no {', '.join(missing)} column; its columns are: "
                         f"{', '.join(frame.columns)}")
    return frame


def run_match(properties: Path, records: Path, out: Path) -> str:
    started = time.perf_counter()
    master = read_csv(properties, ("property_id", "address"), "properties")
    frame = read_csv(records, ("address",), "records")
    placed = Matcher(master, workers=os.cpu_count() or 1).match(frame)
    result = frame.drop(columns=[c for c in STATUS_COLUMNS if c in frame.columns]).join(placed)
    result.to_csv(out, index=False)
    elapsed = time.perf_counter() - started
    counts = placed["status"].value_counts()
    summary = ", ".join(f"{status} {counts.get(status, 0):,}" for status in
                        ("matched", "review", "block", "intersection", "unmatched"))
    return f"{len(frame):,} records in {elapsed:.1f} s ({len(frame) / max(elapsed, 1e-9):,.0f} records/s): {summary}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m integration", description="Match records to properties.")
    commands = parser.add_subparsers(dest="command", required=True)
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
