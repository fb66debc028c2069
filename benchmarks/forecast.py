"""Customer-service planning: backtest accuracy on the sample city, and the Planning tab's time.

Accuracy: on the sample city (--scale 1, loaded through the loaders like `make run`), each series'
rolling-origin backtest (the last 26 weeks, each forecast 1 to 8 weeks ahead) as WAPE, the model
beside the two baselines computed in the same run (the same weeks a year before, the mean of the
last four weeks): city-wide, per kind and for the ten largest topics.

Speed: on the ten-times city (--speed-scale 10, 200,000 requests), the customer-service page with the
Planning tab in view, run headless with Streamlit's AppTest: with every cache warm (the baseline,
measured in the same run), with the forecasts' caches cold (the tab's own work: the requests stay
cached as the page's other tabs leave them), and with every cache cold; and the forecast computation
alone; on SQLite (a file of its own) or, with --database-url, on PostgreSQL. Medians of --repeat runs.

    .venv/bin/python benchmarks/forecast.py [--scale 1] [--speed-scale 10] [--repeat 3]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:55432/bench_pages]
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import OUT, city  # noqa: E402


def database(scale: float) -> Path:
    """The sample city at `scale`, loaded through the loaders into its own SQLite file, once."""
    path = OUT / f"forecast-city-scale{scale:g}.db"
    if not path.exists():
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{partial}")
        subprocess.run([sys.executable, "-m", "loaders", "city", str(city(scale))], cwd=ROOT, env=env, check=True)
        partial.rename(path)
    return path


def percent(value) -> str:
    return "   –  " if value is None or value != value else f"{value:6.1%}"


def accuracy(path: Path) -> None:
    from services import forecast
    from services.requests import requests as stored_requests
    from storage.engine import create_engine

    requests = stored_requests(create_engine(f"sqlite:///{path}"), None)
    print(f"accuracy: {len(requests):,} requests in {path.name}")
    started = time.perf_counter()
    by_kind = forecast.plan(requests, by="kind")
    by_topic = forecast.plan(requests, by="topic", largest_topics=0)
    elapsed = time.perf_counter() - started
    for note in by_kind.notes:
        print(f"  note: {note}")
    print(f"  backtest {by_kind.settings['backtest']}; WAPE, lower is better ({elapsed:.1f} s for both groupings)")
    print(f"  {'series':28} {'method':26} {'model':>7} {'year before':>12} {'last 4 wks':>11} {'weeks':>6}")
    largest = by_topic.accuracy[by_topic.accuracy["series"] != forecast.CITY].head(10)
    rows = [*by_kind.accuracy.itertuples(), *largest.itertuples()]
    for index, row in enumerate(rows):
        if index == len(by_kind.accuracy):
            print("  -- the ten largest topics --")
        print(f"  {row.series[:28]:28} {row.method[:26]:26} {percent(row.model_wape):>7} "
              f"{percent(row.seasonal_naive_wape):>12} {percent(row.last4_wape):>11} {row.weeks:>6}")
    city = by_kind.accuracy.iloc[0]
    scored = largest.dropna(subset=["model_wape"])
    print(f"  city-wide model WAPE {percent(city['model_wape']).strip()} (goal at most 10%); "
          f"ten largest topics: {int((scored['model_wape'] <= 0.15).sum())} of {len(largest)} at most 15% "
          f"(median {scored['model_wape'].median():.1%})")
    beats = [name for name, value in (("the same weeks a year before", city["seasonal_naive_wape"]),
                                      ("the mean of the last four weeks", city["last4_wape"]))
             if value is not None and value == value and city["model_wape"] < value]
    missing = [name for name, value in (("the same weeks a year before", city["seasonal_naive_wape"]),)
               if value is None or value != value]
    print(f"  city-wide the model beats: {', '.join(beats) or 'neither baseline'}"
          + (f"; not computable: {', '.join(missing)}" if missing else ""))


def speed(url: str, repeat: int) -> None:
    os.environ["DATABASE_URL"] = url
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from integration.access import SessionLimits, User
    from services import accounts, forecast
    from services.requests import requests as stored_requests
    from storage.engine import create_engine, writing
    from ui.frame import TOKEN_KEY

    engine = create_engine()
    with writing(engine) as conn:  # the page needs someone signed in who sees staff figures
        if accounts.user_by_name(conn, "benchmark") is None:
            accounts.create_user(conn, "benchmark", "benchmark-only-pass", "integration_team", lead=True,
                                 created_by="benchmark")
        token = accounts.start_session(conn, "benchmark", "password", limits=SessionLimits())

    def run(**query) -> float:
        app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        app.query_params.update(query)
        app.session_state[TOKEN_KEY] = token
        app.switch_page("pages/service.py")
        started = time.perf_counter()
        app.run()
        elapsed = time.perf_counter() - started
        if app.exception:
            raise SystemExit(f"the customer-service page failed: {app.exception[0].message}")
        if query and not any("Forecast WAPE" in frame.value.columns for frame in app.dataframe):
            raise SystemExit("the Planning tab showed no forecast")
        return elapsed

    from ui import planning

    requests = stored_requests(engine, User("benchmark", "integration_team", lead=True))
    print(f"speed: {len(requests):,} requests in {engine.url.render_as_string(hide_password=True)}")
    run(view="Planning")  # the process's first run: imports, the engine
    page_cold, tab_cold, warm, compute = [], [], [], []
    for _ in range(repeat):
        st.cache_data.clear()
        page_cold.append(run(view="Planning"))  # everything cold: the requests read and prepared, then the tab
        warm.append(run(view="Planning"))  # everything cached: the page's frame, filters and drawing (baseline)
        planning.plan.clear()
        planning.staff_forecast.clear()
        tab_cold.append(run(view="Planning"))  # the requests cached as any tab before leaves them, the plan cold
        started = time.perf_counter()
        forecast.plan(requests, by="kind")
        compute.append(time.perf_counter() - started)

    def ms(times: list[float]) -> str:
        return f"{statistics.median(times) * 1000:7.0f} ms"

    print(f"  page on the Planning tab, warm (baseline)        {ms(warm)}")
    print(f"  page on the Planning tab, the forecasts cold     {ms(tab_cold)}   (goal 1500 ms)")
    print(f"  page on the Planning tab, every cache cold       {ms(page_cold)}   (the requests read and prepared too)")
    print(f"  the forecast and backtest alone (city, 4 kinds)  {ms(compute)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1, help="the sample city for the accuracy figures")
    parser.add_argument("--speed-scale", type=float, default=10, help="the city for the Planning tab's time")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--accuracy-db", type=Path, help="an already loaded city instead of --scale's")
    parser.add_argument("--speed-db", type=Path, help="an already loaded city instead of --speed-scale's")
    parser.add_argument("--database-url", metavar="URL",
                        help="time the Planning tab on this PostgreSQL database instead (the --speed-scale city is "
                             "loaded into it once, as benchmarks/pages.py does)")
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args()
    accuracy(args.accuracy_db or database(args.scale))
    if args.skip_speed:
        return
    if args.database_url:
        from benchmarks.pages import database_url, ensure_database

        url = database_url(args.database_url, args.speed_scale, "ours")
        ensure_database(url, args.speed_scale, ROOT)
    else:
        url = f"sqlite:///{args.speed_db or database(args.speed_scale)}"
    speed(url, args.repeat)


if __name__ == "__main__":
    main()
