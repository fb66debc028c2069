"""Server-side page times on the --scale 10 sample city (about 940,000 records), on SQLite or PostgreSQL.

Times the hotspots page cold (caches cleared; its view kept in the database, as a load keeps the
default view), cold with no view kept (scored: a new filter, or the first view after a decision)
and warm, the property page, and the customer service page cold and warm (its equity tab scores the hotspots of its period), by running the
pages headless with Streamlit's AppTest (the whole script, as the server runs it, without a
browser). Beside them, as a baseline in the same run, a bare read of 180 days of placed records
(the records joined to their matches, every row into a DataFrame) through the engine's driver.
Each figure is the median over --rounds measuring processes (each running the pages --repeat times;
the projects compared take turns, so a busy spell of a shared machine falls on both), with the CPU
time of the cold pages in the measuring process (a separate reader process or the PostgreSQL
server is not in it) and its peak memory (the app server's part).

The city is generated once and loaded once per database through the loaders, then reused: a SQLite
file under benchmarks/out, or the PostgreSQL database of --database-url (created when missing;
loaded when it holds no records; at another scale than 10, the database named with "_scale<N>").
Past the ten-times city each extract is loaded in parts of 500,000 rows. The county, --scale 100
(about 9.4 million records), is meant for PostgreSQL. With --before REV the same pages are timed, in
the same run, on the project as it was at git revision REV (a git worktree, its own database: a file
beside ours, or the PostgreSQL database named with "_before"). --database-url may be given more than
once: the engines are timed one after the other and printed side by side.

    .venv/bin/python benchmarks/pages.py [--scale 10] [--rounds 3] [--repeat 2] [--before REV]
        [--database-url sqlite] [--database-url postgresql+psycopg://postgres@127.0.0.1:55432/bench_pages]
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import OUT, checkout, city  # noqa: E402

PART_ROWS = 500_000  # past the ten-times city, extracts are loaded in parts of this many rows

FIGURES = [
    ("baseline", "baseline: bare read of 180 days of placed records"),
    ("hotspots_cold", "hotspots page, cold cache (its view kept)"),
    ("hotspots_cold_cpu", "  its CPU time in the page process"),
    ("hotspots_unkept", "hotspots page, cold cache, view not kept (scored)"),
    ("hotspots_first", "  the first one, after the engine starts"),
    ("hotspots_warm", "hotspots page, warm cache"),
    ("property_cold", "property page (busiest properties), first view"),
    ("property_warm", "property page, again"),
    ("service_cold", "customer-service page, cold cache"),
    ("service_cold_cpu", "  its CPU time in the page process"),
    ("service_warm", "customer-service page, warm cache"),
    ("peak_mb", "peak memory of the page process (MB)"),
    ("load_s", "loading the city through the loaders (s, once)"),
]


def database_url(given: str, scale: float, project: str) -> str:
    """The URL of the benchmark database of `project` ("ours" or "before") for the engine `given`."""
    if given == "sqlite":
        suffix = "" if project == "ours" else "-before"
        return f"sqlite:///{OUT / f'city-scale{scale:g}{suffix}.db'}"
    import sqlalchemy as sa

    url = sa.engine.make_url(given)
    name = url.database + ("" if scale == 10 else f"_scale{scale:g}") + ("" if project == "ours" else "_before")
    return url.set(database=name).render_as_string(hide_password=False)


def ensure_database(url: str, scale: float, project_dir: Path) -> float | None:
    """Load the city into `url` with the loaders of `project_dir` unless it already holds it;
    returns the seconds the load took (None when reused)."""
    import sqlalchemy as sa

    address = sa.engine.make_url(url)
    if address.get_backend_name() == "postgresql":
        admin = sa.create_engine(address.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            if not conn.exec_driver_sql("SELECT 1 FROM pg_database WHERE datname = %(name)s",
                                        {"name": address.database}).scalar():
                conn.exec_driver_sql(f'CREATE DATABASE "{address.database}"')
        admin.dispose()
        engine = sa.create_engine(address)
        with engine.connect() as conn:
            loaded = sa.inspect(conn).has_table("records") and conn.exec_driver_sql(
                "SELECT count(*) FROM records").scalar() > 0
        engine.dispose()
        if loaded:
            return None
    elif Path(address.database).exists():
        return None
    directory = city(scale)
    started = time.perf_counter()
    target = url
    if address.get_backend_name() == "sqlite":  # a file appears only once it is whole
        partial = Path(address.database).with_suffix(".partial")
        partial.unlink(missing_ok=True)
        target = f"sqlite:///{partial}"
    # a county's extracts in parts, as its monthly files would come: each part's memory, not the whole file's
    parts = ["--part-rows", str(PART_ROWS)] if scale > 10 else []
    # a county's master (2.8 million properties at --scale 100) is past the one-file limit a city's is held to
    limits = {"LOAD_MAX_ROWS": "10000000", "LOAD_MAX_CELLS": "200000000"} if scale > 10 else {}
    subprocess.run([sys.executable, "-m", "loaders", "city", *parts, str(directory)], cwd=project_dir, check=True,
                   env=dict(os.environ, DATABASE_URL=target, **limits), stdout=subprocess.DEVNULL)
    if address.get_backend_name() == "sqlite":
        Path(target.removeprefix("sqlite:///")).rename(address.database)
    seconds = time.perf_counter() - started
    print(f"loaded {scale:g}x city into {address.render_as_string(hide_password=True)} with "
          f"{project_dir.name if project_dir != ROOT else 'this project'} in {seconds:.0f} s", flush=True)
    return seconds


def measure(url: str, repeat: int) -> dict:
    """Run in a process of its own whose working directory is the project measured."""
    sys.path[:] = [str(Path.cwd())] + [entry for entry in sys.path if Path(entry or ".").resolve() != ROOT]
    os.environ["DATABASE_URL"] = url
    import pandas as pd
    import sqlalchemy as sa
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from integration.access import SessionLimits
    from storage.engine import create_engine, reading, writing
    from ui.frame import TOKEN_KEY

    try:
        from services import accounts
    except ImportError:  # the project before accounts moved to the services
        from storage import accounts

    engine = create_engine(url)
    with reading(engine) as conn:
        last = conn.exec_driver_sql("SELECT max(occurred_at) FROM records").scalar()
    end = pd.Timestamp(last).normalize() + timedelta(hours=23, minutes=59, seconds=59)

    with writing(engine) as conn:  # the pages need someone signed in
        if accounts.user_by_name(conn, "benchmark") is None:
            accounts.create_user(conn, "benchmark", "benchmark-only-pass", "integration_team", lead=True,
                                 created_by="benchmark")
        token = accounts.start_session(conn, "benchmark", "password", limits=SessionLimits())

    def run(page: str, **query) -> float:
        app = AppTest.from_file(str(Path.cwd() / "app.py"), default_timeout=600)
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

    bare = sa.text("SELECT m.property_id, r.department, r.category, r.subcategory, r.occurred_at "
                   "FROM records r JOIN matches m ON m.record_id = r.record_id "
                   "WHERE m.status = 'matched' AND r.occurred_at > :start AND r.occurred_at <= :end")

    def baseline() -> float:
        started = time.perf_counter()
        with reading(engine) as conn:
            result = conn.execute(bare, {"start": (end - timedelta(days=180)).to_pydatetime(),
                                         "end": end.to_pydatetime()})
            pd.DataFrame(result.fetchall(), columns=list(result.keys()))
        return time.perf_counter() - started

    def clear_caches(views: bool = False) -> None:
        """What a new load does to a page's caches: every cached read is stale (the data version moves).
        With `views`, the views kept in the database are forgotten too, as a decision or a new filter
        leaves the page with no view kept for it."""
        st.cache_data.clear()
        try:  # the placed records shared between sessions (a resource: one frame, not a copy each)
            from ui.hotspots import window
            window.clear()
        except ImportError:
            pass
        try:
            from storage import kept_views
        except ImportError:  # the project before views were kept
            return
        if views:
            with writing(engine) as conn:
                kept_views.clear(conn)

    figures: dict[str, list[float]] = {name: [] for name, _ in FIGURES}
    for attempt in range(repeat):
        figures["baseline"].append(baseline())
        clear_caches(views=True)
        scored = run("pages/hotspots.py")  # scores the view, and keeps it
        # the first page of a process also opens the engine: kept apart from the other figures
        figures["hotspots_first" if attempt == 0 else "hotspots_unkept"].append(scored)
        clear_caches()
        cpu = time.process_time()
        figures["hotspots_cold"].append(run("pages/hotspots.py"))
        figures["hotspots_cold_cpu"].append(time.process_time() - cpu)
        figures["hotspots_warm"].append(run("pages/hotspots.py"))

    with reading(engine) as conn:
        busiest = list(conn.execute(sa.text(
            "SELECT m.property_id FROM matches m JOIN records r ON r.record_id = m.record_id "
            "WHERE m.status = 'matched' AND r.occurred_at > :start GROUP BY m.property_id "
            "ORDER BY count(*) DESC, m.property_id LIMIT :n"),
            {"start": (end - timedelta(days=90)).to_pydatetime(), "n": repeat}).scalars())
    for property_id in busiest:
        figures["property_cold"].append(run("pages/property.py", property=property_id))
        figures["property_warm"].append(run("pages/property.py", property=property_id))

    for _ in range(repeat):
        clear_caches()
        cpu = time.process_time()
        figures["service_cold"].append(run("pages/service.py"))
        figures["service_cold_cpu"].append(time.process_time() - cpu)
        figures["service_warm"].append(run("pages/service.py"))
    peak_kb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
               + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    figures["peak_mb"] = [peak_kb / 1024]
    return {name: values for name, values in figures.items() if values}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=10)
    parser.add_argument("--repeat", type=int, default=2, help="page runs per measuring process (the first "
                        "cold hotspots page of each is counted apart)")
    parser.add_argument("--rounds", type=int, default=3, help="measuring processes per project, taken in turns")
    parser.add_argument("--database-url", action="append", dest="urls", metavar="URL",
                        help="'sqlite' (a file under benchmarks/out, the default) or a PostgreSQL URL; repeatable")
    parser.add_argument("--before", metavar="REV", help="also time the pages as the project was at this revision")
    parser.add_argument("--measure", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.repeat)))
        return

    projects = [("ours", ROOT)] + ([("before", checkout(args.before))] if args.before else [])
    columns: dict[str, dict[str, list[float]]] = {}
    for given in args.urls or ["sqlite"]:
        engine_name = "SQLite" if given == "sqlite" else "PostgreSQL"
        urls = {project: database_url(given, args.scale, project) for project, _ in projects}
        loads = {project: ensure_database(urls[project], args.scale, directory) for project, directory in projects}
        # round by round, one project after the other, so a busy spell of the machine falls on both
        for round_number in range(args.rounds):
            for project, directory in projects:
                label = f"{engine_name}" + (f", as at {args.before}" if project == "before" else "")
                output = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--measure", urls[project],
                                         "--repeat", str(args.repeat)], cwd=directory, capture_output=True,
                                        text=True, env=dict(os.environ, PYTHONPATH=str(directory)))
                if output.returncode != 0:
                    print(f"{label}: the pages failed:\n{output.stderr[-3000:]}", flush=True)
                    continue
                figures = columns.setdefault(label, {})
                for name, values in json.loads(output.stdout.strip().splitlines()[-1]).items():
                    figures.setdefault(name, []).extend(values)
                if loads[project] is not None:
                    figures["load_s"] = [loads[project]]
                print(f"round {round_number + 1}, {label}: {json.dumps(figures)}", flush=True)

    print(f"\n{args.scale:g}x city, medians over {args.rounds} rounds (seconds unless stated)")
    print(f"{'':52s}" + "".join(f"{label:>26s}" for label in columns))
    for name, text in FIGURES:
        cells = [statistics.median(figures[name]) if figures.get(name) else None for figures in columns.values()]
        if all(cell is None for cell in cells):
            continue
        shown = [("" if cell is None else f"{cell:,.0f}" if name in ("peak_mb", "load_s") else f"{cell:.2f}")
                 for cell in cells]
        print(f"{text:52s}" + "".join(f"{cell:>26s}" for cell in shown))


if __name__ == "__main__":
    main()
