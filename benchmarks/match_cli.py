"""Matcher throughput, end to end: `python -m integration match` on the sample city, 50k and 1M records.

Each run is the whole command (start-up, reading the files, matching, writing the output), timed
beside a plain baseline in the same run: usaddress-scourgify normalisation of both sides and an
exact join. For each size: medians of --repeat runs of each, alternated, the ratio of the medians,
and the peak memory (PSS) of the whole process tree. CPU seconds are printed too: on a machine
shared with other work the wall clock of both commands stretches, their CPU time much less.

    .venv/bin/pip install -r benchmarks/requirements.txt
    .venv/bin/python benchmarks/match_cli.py [--records 50000 1000000] [--repeat 3]
"""

import argparse
import math
import resource
import statistics
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import OUT, city, median_run, records_file, scourgify_line, timed  # noqa: E402

RECORDS_PER_SCALE = 94_000  # records in the sample city at scale 1


def baseline(properties: Path, records: Path, out: Path) -> None:
    """The plain way: normalise every address with scourgify, join on the normalised line."""
    line = scourgify_line
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


def inputs(count: int) -> tuple[Path, Path]:
    """The sample city just large enough for `count` records, and its first `count` records."""
    scale = math.ceil(count / RECORDS_PER_SCALE * 100) / 100
    directory = city(scale)
    path = directory / f"records-{count}.csv"
    if not path.exists():
        pd.read_csv(records_file(directory), dtype=str, keep_default_na=False, nrows=count).to_csv(path, index=False)
    return directory / "properties.csv", path


def cpu_seconds() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def measure(command: list[str]) -> tuple:
    before = cpu_seconds()
    run = timed(command)
    return run, cpu_seconds() - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, nargs="+", default=[50_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline-only", nargs=3, metavar=("PROPERTIES", "RECORDS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline_only:
        baseline(*map(Path, args.baseline_only))
        return

    lines = []
    for count in args.records:
        properties, records = inputs(count)
        n_master = sum(1 for _ in properties.open()) - 1
        print(f"{count:,} records, {n_master:,} master rows ({properties.parent.name})")
        ours, plain = [], []
        for attempt in range(args.repeat):
            print(f"run {attempt + 1} of {args.repeat}")
            ours.append(measure([sys.executable, "-m", "integration", "match", "--properties", str(properties),
                                 "--records", str(records), "--out", str(OUT / "matched.csv")]))
            plain.append(measure([sys.executable, __file__, "--baseline-only", str(properties), str(records),
                                  str(OUT / "baseline.csv")]))
        rows = []
        for name, runs in (("matcher (python -m integration match)", ours), ("baseline (scourgify + exact join)", plain)):
            run = median_run([r for r, _cpu in runs])
            cpu = statistics.median(c for _r, c in runs)
            rows.append(run.seconds)
            print(f"  {name:40s} median {run.seconds:6.1f} s  {count / run.seconds:9,.0f} records/s  "
                  f"peak {run.peak_mb:6,.0f} MB  cpu {cpu:6.1f} s")
        lines.append(f"{count:>9,} records: matcher {rows[0]:.1f} s, baseline {rows[1]:.1f} s, "
                     f"{rows[1] / rows[0]:.2f}x the baseline")
    print("\n".join(["", *lines]))


if __name__ == "__main__":
    main()
