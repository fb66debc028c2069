"""The streets drawn from the property master when no basemap tiles can be reached, on the --scale 10
sample city (280,000 properties, 350,000 addresses).

Times services.streets.street_lines (the lines of every street from the master's addresses, built
once per property master and cached) and name_places (where the names go on the whole-city hotspots
map, run on each draw), and beside them, as a baseline measured in the same run, the least any
drawing of streets from addresses costs: sorting the addresses by their text (pandas sort_values).
Medians of --repeat runs.

    .venv/bin/python benchmarks/streets.py [--scale 10] [--repeat 5]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import city  # noqa: E402


def median_s(run, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import pandas as pd

    from services import streets

    master = pd.read_csv(city(args.scale) / "properties.csv", usecols=["address", "lat", "lon"])
    baseline, _ = median_s(lambda: master.sort_values("address", kind="stable"), args.repeat)
    built, lines = median_s(lambda: streets.street_lines(master), args.repeat)
    named, names = median_s(lambda: streets.name_places(lines, zoom=13), args.repeat)
    points = sum(len(path) for path in lines["path"])
    print(f"scale {args.scale:g}: {len(master):,} addresses -> {len(lines):,} street lines, {points:,} points")
    print(f"  baseline: sort the addresses by text    {baseline * 1000:7.0f} ms")
    print(f"  street_lines (once per property master) {built * 1000:7.0f} ms  ({built / baseline:.1f}x the sort)")
    print(f"  name_places, whole city at zoom 13      {named * 1000:7.0f} ms  ({len(names):,} names placed)")


if __name__ == "__main__":
    main()
