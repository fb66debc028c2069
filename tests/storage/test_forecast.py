"""`python -m integration forecast` on a stored city: the forecast printed, the backtest CSV another
tool reads, and bad input answered in a sentence."""

import csv
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from services import forecast
from services.requests import requests as stored_requests
from storage.engine import create_engine

ROOT = Path(__file__).resolve().parents[2]


def run(url: str, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "integration", "forecast", *arguments], cwd=ROOT, text=True,
                          capture_output=True, env={"DATABASE_URL": url, "PATH": "/usr/bin:/bin"}, timeout=600)


def test_the_backtest_csv_has_one_row_per_series_with_the_model_and_both_baselines(city_db_url, tmp_path):
    out = tmp_path / "backtest.csv"
    done = run(city_db_url, "--department", "crm", "--by", "kind", "--backtest", "8", "--out", str(out))
    assert done.returncode == 0, done.stderr
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["series", "weeks", "model_wape", "seasonal_naive_wape", "last4_wape"]
    expected = forecast.plan(stored_requests(create_engine(city_db_url), None), by="kind", horizon=8,
                             largest_topics=0).accuracy
    assert [row["series"] for row in rows] == expected["series"].tolist() and rows[0]["series"] == "all"
    for row, score in zip(rows, expected.itertuples()):
        assert int(row["weeks"]) == score.weeks
        assert float(row["model_wape"]) == pytest.approx(score.model_wape, abs=1e-4)
        assert float(row["last4_wape"]) == pytest.approx(score.last4_wape, abs=1e-4)
        assert row["seasonal_naive_wape"] == ""  # the sample city holds one year: no year before the backtest
    assert "Backtest WAPE" in done.stdout and "last4_wape" in done.stdout
    printed = [line.split()[0] for line in done.stdout.splitlines() if line[:4] == "2026" or line[:4] == "2027"]
    assert len(printed) == 12 * len(rows)  # twelve weeks ahead for the city and each kind


def test_without_by_only_the_city_is_forecast_for_the_weeks_asked(city_db_url):
    done = run(city_db_url, "--department", "crm", "--weeks", "3")
    assert done.returncode == 0, done.stderr
    weeks = [line for line in done.stdout.splitlines() if line.strip()[:2] == "20"]
    assert len(weeks) == 3 and all(" all " in line for line in weeks)
    assert "Backtest" not in done.stdout


@pytest.mark.parametrize("arguments, message", [
    (["--department", "police"], "only crm"),
    (["--department", "crm", "--weeks", "0"], "give 1 to 52 weeks"),
    (["--department", "crm", "--backtest", "40"], "give 1 to 26 weeks ahead"),
    (["--department", "crm", "--out", "x.csv"], "give --backtest N too"),
    (["--department", "crm", "--by", "ward"], "invalid choice"),
])
def test_bad_arguments_are_refused_in_a_sentence(city_db_url, arguments, message):
    done = run(city_db_url, *arguments)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr


def test_an_empty_database_says_what_to_load(empty_db_url):
    done = run(empty_db_url, "--department", "crm", "--backtest", "8")
    assert done.returncode == 1
    assert "No customer-service requests are loaded" in done.stderr and "Traceback" not in done.stderr


def test_the_plan_reads_the_same_on_postgresql_and_sqlite(engine, city_db_url):
    """The requests the plan reads come through services.requests, on either engine: an empty one says so."""
    with pytest.raises(forecast.NothingToForecast):
        forecast.plan(stored_requests(engine, None))
    city = forecast.plan(stored_requests(create_engine(city_db_url), None), scored=False)
    assert city.forecast["week"].min() > pd.Timestamp(city.last_week)
