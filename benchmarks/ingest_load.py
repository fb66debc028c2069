"""Loading one ~100k-row extract end to end: `python -m loaders ingest` into a fresh database.

Read, validate, match and store the police extract of the sample city at --scale 1.7 (about 102k
calls; --scale 3.4 for about 200k), with that city's property master loaded first (not timed), on
SQLite (a file under benchmarks/out, the default) or PostgreSQL (--database-url URL: the database is
dropped and created again before each run; repeat the option to time both engines in one run).
Reports seconds, rows per second and peak memory of the process, beside a plain baseline in the
same run: pandas read_csv and DataFrame.to_sql of the raw rows into SQLite (no validation, no
matching). With --before REV, the same load by the project as it was at git revision REV, in the
same run, to compare a change against (on PostgreSQL in the database named with "_before").
Medians of --repeat runs.

    .venv/bin/python benchmarks/ingest_load.py [--scale 1.7] [--repeat 3] [--before REV]
        [--database-url sqlite] [--database-url postgresql+psycopg://postgres@127.0.0.1:55432/bench_load]
"""

import argparse
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import OUT, ROOT, checkout, city, median_run, timed  # noqa: E402

EXTRACT = "police.csv"


def baseline(extract: Path, database: Path) -> None:
    """The plain way: every cell as text, straight into one table."""
    frame = pd.read_csv(extract, dtype=str, keep_default_na=False)
    with sqlite3.connect(database) as conn:
        frame.to_sql("raw_rows", conn, index=False, if_exists="replace", chunksize=10_000)
    print(f"baseline: {len(frame):,} rows stored", file=sys.stderr)


def fresh_database(directory: Path, given: str, name: str, project: Path = ROOT) -> str:
    """An empty database with the schema and the city's property master, as before a load; its URL."""
    if given == "sqlite":
        path = OUT / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        import sqlalchemy as sa

        address = sa.engine.make_url(given)
        address = address.set(database=address.database + ("_before" if name.endswith("before") else ""))
        admin = sa.create_engine(address.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{address.database}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{address.database}"')
        admin.dispose()
        url = address.render_as_string(hide_password=False)
    subprocess.run([sys.executable, "-m", "loaders", "properties", str(directory / "properties.csv")], cwd=project,
                   check=True, stdout=subprocess.DEVNULL, env=dict(os.environ, DATABASE_URL=url))
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", metavar="REV", help="also time the load as the project was at this git revision")
    parser.add_argument("--database-url", action="append", dest="urls", metavar="URL",
                        help="'sqlite' (a file under benchmarks/out, the default) or a PostgreSQL URL; repeatable")
    parser.add_argument("--baseline-only", nargs=2, metavar=("EXTRACT", "DATABASE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline_only:
        baseline(*map(Path, args.baseline_only))
        return

    directory = city(args.scale)
    extract = directory / EXTRACT
    n_rows = len(pd.read_csv(extract, dtype=str, usecols=[0]))
    n_master = len(pd.read_csv(directory / "properties.csv", dtype=str, usecols=[0]))
    print(f"city: scale {args.scale:g}, {EXTRACT} {n_rows:,} rows, {n_master:,} master rows, {os.cpu_count()} cores")
    before = checkout(args.before) if args.before else None
    load = [sys.executable, "-m", "loaders", "ingest", "--department", "police", str(extract)]
    results: list[tuple[str, list]] = []
    for given in args.urls or ["sqlite"]:
        engine_name = "SQLite" if given == "sqlite" else "PostgreSQL"
        ours, earlier = [], []
        for attempt in range(args.repeat):
            print(f"{engine_name}: run {attempt + 1} of {args.repeat}", flush=True)
            os.environ["DATABASE_URL"] = fresh_database(directory, given, "ingest-bench")
            ours.append(timed(load))
            if before is not None:
                os.environ["DATABASE_URL"] = fresh_database(directory, given, "ingest-before", project=before)
                earlier.append(timed(load, cwd=before))
        results.append((f"ingest, {engine_name}", ours))
        if before is not None:
            results.append((f"ingest as at {args.before}, {engine_name}", earlier))
    plain = []
    for _ in range(args.repeat):
        raw = OUT / "ingest-baseline.db"
        raw.unlink(missing_ok=True)
        plain.append(timed([sys.executable, __file__, "--baseline-only", str(extract), str(raw)]))
    results.append(("baseline (read_csv + to_sql, SQLite)", plain))
    for name, runs in results:
        run = median_run(runs)
        print(f"{name:44s} median {run.seconds:6.1f} s  {n_rows / run.seconds:9,.0f} rows/s  "
              f"peak {run.peak_mb:6,.0f} MB")


if __name__ == "__main__":
    main()
