"""Server-side page times on the --scale 10 sample city (about 1M records) in SQLite.

Times the hotspots page cold (caches cleared) and warm, the property page, and the customer
service page cold and warm (its equity tab scores the hotspots of its period), by running the
pages headless with Streamlit's AppTest (the whole script, as the server runs it, without a
browser). Beside them, as a baseline, a bare read of 180 days of placed records through Python's
sqlite3 module (the page reads its window through the Arrow reader's process). Medians of
--repeat runs; the first cold run, which also starts that process, is printed too.

    .venv/bin/python benchmarks/pages.py [--scale 10] [--repeat 5]
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import OUT, city  # noqa: E402


def database(scale: float) -> Path:
    """The benchmark city loaded through the loaders into its own SQLite file, once."""
    path = OUT / f"city-scale{scale:g}.db"
    if not path.exists():
        directory = city(scale)
        started = time.perf_counter()
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{partial}")
        subprocess.run([sys.executable, "-m", "loaders", "city", str(directory)], cwd=ROOT, env=env, check=True)
        partial.rename(path)
        print(f"loaded {path.name} in {time.perf_counter() - started:.0f} s")
    return path


def median_ms(times: list[float]) -> str:
    return f"{statistics.median(times) * 1000:7.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    path = database(args.scale)
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    import pandas as pd
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from integration.access import SessionLimits
    from services import accounts
    from storage import department_records
    from storage.engine import create_engine, reading, writing
    from ui.frame import TOKEN_KEY

    engine = create_engine()
    with reading(engine) as conn:
        first, last = department_records.record_date_range(conn)
        records = conn.exec_driver_sql("SELECT count(*) FROM records").scalar()
    end = pd.Timestamp(last).normalize() + timedelta(hours=23, minutes=59, seconds=59)
    print(f"database: {records:,} records, window ends {end:%Y-%m-%d}")

    with writing(engine) as conn:  # the pages need someone signed in
        if accounts.user_by_name(conn, "benchmark") is None:
            accounts.create_user(conn, "benchmark", "benchmark-only-pass", "integration_team", lead=True,
                                 created_by="benchmark")
        token = accounts.start_session(conn, "benchmark", "password", limits=SessionLimits())

    def run(page: str, **query) -> float:
        app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        app.query_params.update(query)
        app.session_state[TOKEN_KEY] = token  # the session a sign-in would have opened
        app.switch_page(page)
        started = time.perf_counter()
        app.run()
        elapsed = time.perf_counter() - started
        if app.exception:
            raise SystemExit(f"{page} failed: {app.exception[0].message}")
        if not app.dataframe:
            raise SystemExit(f"{page} showed no table: not signed in, or no data")
        return elapsed

    baseline, cold, warm = [], [], []
    for _ in range(args.repeat):
        started = time.perf_counter()
        with reading(engine) as conn:
            department_records.placed_records(conn, end - timedelta(days=180), end)
        baseline.append(time.perf_counter() - started)
        st.cache_data.clear()
        cold.append(run("pages/hotspots.py"))
        warm.append(run("pages/hotspots.py"))

    with reading(engine) as conn:
        placed = department_records.placed_records(conn, end - timedelta(days=90), end)
    busiest = placed["property_id"].value_counts().index[:args.repeat].tolist()
    property_cold, property_warm = [], []
    for property_id in busiest:
        property_cold.append(run("pages/property.py", property=property_id))
        property_warm.append(run("pages/property.py", property=property_id))

    service_cold, service_warm = [], []
    for _ in range(args.repeat):
        st.cache_data.clear()
        service_cold.append(run("pages/service.py"))
        service_warm.append(run("pages/service.py"))

    print(f"baseline: read 180 days of placed records      {median_ms(baseline)}   (sqlite3, in this process)")
    print(f"hotspots page, cold cache                      {median_ms(cold)}   (goal 1500 ms)")
    print(f"  the first, the engine and reader process starting {cold[0] * 1000:5.0f} ms")
    print(f"hotspots page, warm cache                      {median_ms(warm)}   (goal  300 ms)")
    print(f"property page (busiest properties), first view {median_ms(property_cold)}   (goal  500 ms)")
    print(f"property page, again                           {median_ms(property_warm)}")
    print(f"customer service page, cold cache              {median_ms(service_cold)}")
    print(f"customer service page, warm cache              {median_ms(service_warm)}")


if __name__ == "__main__":
    main()
