"""Every real extract in ../shared/data/real_extracts, loaded as published: rows read, loaded,
folded into a case, rejected, per file; the parcel files as a property master; and how many of
Pittsburgh's code-enforcement rows that carry a parcel number in that master are placed on it.

Each file loads into a fresh SQLite database through the loaders (no mapping given); seconds are
medians of --repeat loads.

    .venv/bin/python benchmarks/real_extracts.py [--repeat 3]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import OUT, ROOT  # noqa: E402
from loaders.ingest import ingest  # noqa: E402
from loaders.properties import load_properties  # noqa: E402
from storage import migrate  # noqa: E402
from storage.engine import create_engine, reading  # noqa: E402
from storage.schema import matches, properties, records  # noqa: E402

REAL = ROOT.parent / "shared" / "data" / "real_extracts"
PARCELS = ("parcel/pittsburgh_city_owned_property.csv", "parcel/pittsburgh_parcel_tax_delinquency.csv")
PITTSBURGH_CODE = "code_enforcement/pittsburgh_condemned_deadend_properties.csv"


def fresh_engine(name: str):
    path = OUT / name
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = create_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    return engine


def extracts() -> list[Path]:
    return sorted(path for path in REAL.glob("*/*.csv") if path.parent.name != "parcel")


def load_extracts(repeat: int) -> None:
    width = max(len(f"{path.parent.name}/{path.name}") for path in extracts())
    print(f"{'file':{width}s} {'department':12s} {'read':>7s} {'loaded':>7s} {'folded':>7s} {'repeats':>7s} "
          f"{'rejected':>8s} {'loaded %':>8s} {'seconds':>8s}")
    for path in extracts():
        seconds = []
        for _ in range(repeat):
            engine = fresh_engine("real-extract.db")
            started = time.perf_counter()
            result = ingest(path, None, engine)
            seconds.append(time.perf_counter() - started)
            engine.dispose()
        c = result.counts
        share = (c["new"] + c["folded"] + c["duplicate"]) / c["read"]
        print(f"{path.parent.name + '/' + path.name:{width}s} {result.department:12s} {c['read']:7,} {c['new']:7,} "
              f"{c['folded']:7,} {c['duplicate']:7,} {c['rejected']:8,} {share:8.1%} {statistics.median(seconds):8.2f}")


def pittsburgh() -> None:
    """The two parcel files as one master, then the condemned-property notices placed on it."""
    engine = fresh_engine("real-pittsburgh.db")
    master = pd.concat([pd.read_csv(REAL / name, dtype=str, keep_default_na=False) for name in PARCELS],
                       ignore_index=True)
    combined = OUT / "pittsburgh-parcels.csv"
    master[["pin", "address", "latitude", "longitude"]].to_csv(combined, index=False)
    for name in PARCELS:
        single = fresh_engine("real-parcels.db")
        print(f"{name}: {load_properties(REAL / name, single).summary()}")
        single.dispose()
    print(f"both parcel files as one master: {load_properties(combined, engine).summary()}")
    ingest(REAL / PITTSBURGH_CODE, None, engine)
    with reading(engine) as conn:
        known = {pid for (pid,) in conn.execute(sa.select(properties.c.parcel_id))}
        rows = conn.execute(sa.select(records.c.parcel_id, matches.c.status, matches.c.property_id)
                            .join(matches, matches.c.record_id == records.c.record_id)).all()
    with_parcel = [row for row in rows if row.parcel_id and row.parcel_id in known]
    placed = [row for row in with_parcel if row.status == "matched"]
    print(f"{PITTSBURGH_CODE}: {len(rows):,} records, {len(with_parcel):,} with a parcel number in the master, "
          f"{len(placed):,} placed ({len(placed) / max(len(with_parcel), 1):.1%})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not REAL.exists():
        raise SystemExit(f"no real extracts at {REAL}: this benchmark reads ../shared/data beside the project")
    OUT.mkdir(parents=True, exist_ok=True)
    load_extracts(args.repeat)
    pittsburgh()


if __name__ == "__main__":
    main()
