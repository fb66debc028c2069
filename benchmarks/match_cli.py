"""Matcher throughput, end to end: `python -m integration match` on the --scale 10 sample city.

Reads the files, matches, writes the output; reports records per second and peak memory of the
whole process tree, beside a plain baseline in the same run: usaddress-scourgify normalisation
of both sides and an exact join. Medians of --repeat runs.

    .venv/bin/pip install -r benchmarks/requirements.txt
    .venv/bin/python benchmarks/match_cli.py [--scale 10] [--repeat 3]
"""

import argparse
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import OUT, city, median_run, records_file, timed  # noqa: E402


def baseline(properties: Path, records: Path, out: Path) -> None:
    """The plain way: normalise every address with scourgify, join on the normalised line."""
    from scourgify import normalize_address_record

    def line(text: str) -> str:
        try:
            parts = normalize_address_record(text)
        except Exception:  # scourgify raises on anything it cannot parse
            return ""
        return " ".join(p for p in (parts.get("address_line_1"), parts.get("address_line_2")) if p)

    master = pd.read_csv(properties, dtype=str, keep_default_na=False)
    frame = pd.read_csv(records, dtype=str, keep_default_na=False)
    master_lines = {text: line(text) for text in master["address"].unique()}
    record_lines = {text: line(text) for text in frame["address"].unique()}
    index = {}
    for pid, text in zip(master["property_id"], master["address"]):
        index.setdefault(master_lines[text], pid)
    index.pop("", None)
    frame["property_id"] = frame["address"].map(lambda text: index.get(record_lines[text], ""))
    frame.to_csv(out, index=False)
    print(f"baseline: {(frame['property_id'] != '').sum():,} of {len(frame):,} joined", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline-only", nargs=3, metavar=("PROPERTIES", "RECORDS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline_only:
        baseline(*map(Path, args.baseline_only))
        return

    directory = city(args.scale)
    properties, records = directory / "properties.csv", records_file(directory)
    n_records = sum(1 for _ in records.open()) - 1
    n_master = sum(1 for _ in properties.open()) - 1
    print(f"city: scale {args.scale:g}, {n_records:,} records, {n_master:,} master rows")
    out = OUT / "matched.csv"
    ours, plain = [], []
    for attempt in range(args.repeat):
        print(f"run {attempt + 1} of {args.repeat}")
        ours.append(timed([sys.executable, "-m", "integration", "match", "--properties", str(properties),
                           "--records", str(records), "--out", str(out)]))
        plain.append(timed([sys.executable, __file__, "--baseline-only", str(properties), str(records),
                            str(OUT / "baseline.csv")]))
    for name, runs in (("matcher (python -m integration match)", ours), ("baseline (scourgify + exact join)", plain)):
        run = median_run(runs)
        print(f"{name:40s} median {run.seconds:6.1f} s  {n_records / run.seconds:9,.0f} records/s  "
              f"peak {run.peak_mb:6,.0f} MB")


if __name__ == "__main__":
    main()
