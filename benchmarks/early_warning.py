"""Early warning: how often the list was right on the sample city and on a real city, and how long
training and scoring take on the ten-times city.

1. The sample city (scale 1): the rolling-origin backtest over 8 weekly windows, precision at 25 and
   100, recall at 100 and AUC of the model beside the current score's ranking and the chronic-nuisance
   rule (median and range), and the model's margin over the better baseline.
2. The ten-times city: reading the placed records, then training today's model and scoring today's
   candidates (with their reasons) in a child process, its peak memory; beside it, in the same run,
   the hotspots list's own scoring of today's window (integration.scoring.score) as the baseline.
3. A real city: Pittsburgh's two parcel files as the master, its fire incidents and its condemned and
   dead-end property notices loaded through the loaders, then the same backtest, whatever it says.

    .venv/bin/python benchmarks/early_warning.py [--scale 10] [--repeat 3] [--skip-large] [--skip-real]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:55432/bench_pages]

The city databases are built once into benchmarks/out/ (the same files benchmarks/pages.py uses), or
for the ten-times city into the PostgreSQL database of --database-url, and only read here.
"""

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import OUT, ROOT  # noqa: E402
from integration import early_warning as ew  # noqa: E402
from integration import scoring  # noqa: E402
from storage import early_warning as store  # noqa: E402
from storage import property_data  # noqa: E402
from storage.engine import create_engine, reading  # noqa: E402


def read_city(url: str) -> tuple[ew.City, float]:
    started = time.perf_counter()
    with reading(create_engine(url)) as conn:
        records = store.placed_history(conn)
        properties = store.property_inputs(conn)
        institutions = dict(property_data.institution_treatments(conn))
    seconds = time.perf_counter() - started
    return ew.prepare(records, properties, institutions), seconds


def print_backtest(name: str, result: ew.Run) -> None:
    table = ew.summary(result.windows)
    windows = result.windows["window_end"].nunique()
    print(f"\n{name}: {windows} weekly windows, {result.candidates:,} candidates today, shown: {result.ranking}")
    print(ew.wide(result.windows)[["window_end", "model_precision_25", "score_precision_25", "rule_precision_25",
                                   "model_auc"]].to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"{'ranking':8s} {'P@25 median (low-high)':>24s} {'P@100 median (low-high)':>24s} "
          f"{'R@100 median':>12s} {'AUC median (low-high)':>22s}")
    for ranking in table.index:
        def cell(measure, digits=2):
            return (f"{table.loc[ranking, ('median', measure)]:.{digits}f} ({table.loc[ranking, ('low', measure)]:.{digits}f}"
                    f"-{table.loc[ranking, ('high', measure)]:.{digits}f})")
        print(f"{ranking:8s} {cell('precision_25'):>24s} {cell('precision_100'):>24s} "
              f"{table.loc[ranking, ('median', 'recall_100')]:12.3f} {cell('auc', 3):>22s}")
    if "model" in table.index:
        baseline = table.loc[["score", "rule"], ("median", "precision_25")].max()
        margin = table.loc["model", ("median", "precision_25")] - baseline
        print(f"model's median precision at 25 minus the better baseline's: {margin * 100:+.0f} points "
              f"(goal: +10 or more)")
    flagged = result.fairness[result.fairness["flag"] != ""]
    print(f"fairness of the shown ranking: {len(flagged)} of {len(result.fairness)} wards outside 0.8-1.25: "
          + ", ".join(f"{w} {r:.2f}" for w, r in zip(flagged["ward"], flagged["ratio"])))


def sample_city() -> None:
    from benchmarks.pages import database_url, ensure_database

    url = database_url("sqlite", 1, "ours")
    ensure_database(url, 1, ROOT)
    city, seconds = read_city(url)
    started, cpu = time.perf_counter(), time.process_time()
    result = ew.run(city, windows=8)
    print(f"sample city: read {seconds:.1f} s; backtest and today's list {time.perf_counter() - started:.1f} s "
          f"({time.process_time() - cpu:.1f} s CPU)")
    print_backtest("sample city (scale 1)", result)
    page_reads(url)


def page_reads(url: str, repeat: int = 20) -> None:
    """What the view reads per page run (the latest run and its first 100), on a copy of the sample city
    retrained through the service; beside it, the hotspots list's own scoring of its default view."""
    import sqlite3

    from services import early_warning as service
    from services import hotspots
    from storage import migrate

    copy = OUT / "early-warning-scale1.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    source, target = sqlite3.connect(url.removeprefix("sqlite:///")), sqlite3.connect(copy)
    with target:
        source.backup(target)
    source.close()
    target.close()
    engine = create_engine(f"sqlite:///{copy}")
    migrate.upgrade(engine)
    started = time.perf_counter()
    service.retrain(engine, "benchmark")
    retrain = time.perf_counter() - started

    def timed(work) -> float:
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            work()
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    view = timed(lambda: (service.latest(engine), service.heading_for_the_list(engine, 100)))
    _first, last = hotspots.date_range(engine)
    listed = timed(lambda: hotspots.hotspots(engine, hotspots.default_filters(last)))
    print(f"retrain through the service (read, backtest, train, score, store): {retrain:.1f} s")
    print(f"the view's reads per page run (latest run, its first 100), median of {repeat}: {view * 1000:.0f} ms; "
          f"baseline, the hotspots list's own scoring of its default view: {listed * 1000:.0f} ms")


def child(url: str) -> None:
    """In its own process: read, then train today's model and score today's candidates; print JSON."""
    city, read_seconds = read_city(url)
    started, cpu = time.perf_counter(), time.process_time()
    cache = ew.Cache(city)
    _tests, today = ew.cutoffs(city, 8)
    training = ew.training_cutoffs(ew.grid(city, ew.TRAINING_STEP_DAYS), today)
    model = ew.train(cache, training)
    frame = cache.features(today)
    values = ew.ranking_values(city, frame, model)
    top = frame.loc[frame.index[ew.order(values["model"][frame.index.to_numpy()])[:500]]]
    ew.explain(model, top, city)
    train_and_score = time.perf_counter() - started
    train_cpu = time.process_time() - cpu
    started = time.perf_counter()
    end = city.origin + pd.Timedelta(days=today) - pd.Timedelta(seconds=1)
    lo = city.before(today - city.config.window_days - 1)
    scoring.score(city.records.iloc[lo:], end.to_pydatetime(), properties=city.properties, explain=False)
    baseline = time.perf_counter() - started
    print(json.dumps({"read": read_seconds, "train_and_score": train_and_score, "cpu": train_cpu,
                      "baseline": baseline, "records": len(city.time), "properties": len(city.property_ids),
                      "rows": model.rows, "cutoffs": len(training), "candidates": len(frame)}))


def large_city(scale: float, repeat: int, given: str = "sqlite") -> None:
    from benchmarks.pages import database_url, ensure_database

    url = database_url(given, scale, "ours")
    ensure_database(url, scale, ROOT)
    runs = []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        done = subprocess.run([sys.executable, __file__, "--child", url], cwd=ROOT, check=True, capture_output=True,
                              text=True)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        runs.append({**json.loads(done.stdout.strip().splitlines()[-1]), "peak_mb": max(peak, before) / 1024})
    first = runs[0]
    print(f"\n{scale:g}x city: {first['properties']:,} properties, {first['records']:,} placed records; "
          f"today's model learns from {first['cutoffs']} cut-offs ({first['rows']:,} rows after sampling), "
          f"scores {first['candidates']:,} candidates; medians of {repeat}")
    for key, label in (("read", "reading the placed records (s)"),
                       ("train_and_score", "training and scoring, with reasons for the first 500 (s, goal < 60)"),
                       ("cpu", "  of which CPU (s)"),
                       ("baseline", "baseline: the hotspots list's own scoring of today's window (s)"),
                       ("peak_mb", "peak memory of the process (MB, goal < 2048)")):
        values = [run[key] for run in runs]
        print(f"  {label:72s} {statistics.median(values):8.1f}  ({min(values):.1f}-{max(values):.1f})")


def real_city() -> None:
    """Pittsburgh: both parcel files as one master, fire incidents and code-enforcement notices."""
    from benchmarks.real_extracts import PARCELS, PITTSBURGH_CODE, REAL, fresh_engine
    from loaders.ingest import ingest
    from loaders.properties import load_properties

    engine = fresh_engine("early-warning-pittsburgh.db")
    master = pd.concat([pd.read_csv(REAL / name, dtype=str, keep_default_na=False) for name in PARCELS],
                       ignore_index=True)
    combined = OUT / "early-warning-pittsburgh-parcels.csv"
    master[["pin", "address", "latitude", "longitude", "ward"]].to_csv(combined, index=False)
    print(f"\nPittsburgh master: {load_properties(combined, engine).summary()}")
    for name in ("fire/pittsburgh_fire_incidents.csv", PITTSBURGH_CODE):
        print(f"{name}: {ingest(REAL / name, None, engine).summary()}")
    url = engine.url.render_as_string(hide_password=False)
    city, _seconds = read_city(url)
    placed = pd.Series(city.dept).map(dict(enumerate(ew.DEPARTMENTS))).value_counts().to_dict()
    print(f"placed on a parcel: {placed}; records from {city.day(1)} to {city.day(city.last_day + 1)}")
    result = ew.run(city, windows=8)
    print_backtest("Pittsburgh (fire + code enforcement on its parcel files)", result)
    # Not the product's rule: with one department enough, the label becomes "a new condemned or
    # dead-end notice within 90 days at a property without one in the last 90", which the real
    # records can answer; it checks the machinery on data the project did not generate.
    from dataclasses import replace

    with reading(create_engine(url)) as conn:
        records, properties = store.placed_history(conn), store.property_inputs(conn)
    relaxed = ew.prepare(records, properties, config=replace(scoring.load_config(), min_departments=1))
    print_backtest("Pittsburgh, one department enough (a new notice within 90 days; not the product's rule)",
                   ew.run(relaxed, windows=8))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default="sqlite", metavar="URL",
                        help="the ten-times city's database: 'sqlite' (a file under benchmarks/out, the default) or "
                             "a PostgreSQL URL (loaded once, as benchmarks/pages.py does)")
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--skip-real", action="store_true")
    parser.add_argument("--skip-sample", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    OUT.mkdir(parents=True, exist_ok=True)
    if not args.skip_sample:
        sample_city()
    if not args.skip_large:
        large_city(args.scale, args.repeat, args.database_url)
    if not args.skip_real:
        if not (ROOT.parent / "shared" / "data" / "real_extracts").exists():
            raise SystemExit("no real extracts beside the project: this part reads ../shared/data")
        real_city()


if __name__ == "__main__":
    main()
