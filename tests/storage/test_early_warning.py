"""Early warning on a stored city: the retraining's backtest and list as stored, the leakage check on the
sample city's own records, the command line and its CSV, and the store's round trip on both engines."""

import csv
from datetime import date, datetime

import pandas as pd
import pytest

from integration import early_warning as ew
from integration import scoring
from services import early_warning as service
from storage import audit_trail, department_records, property_data
from storage import early_warning as store
from storage.engine import create_engine, reading, writing
from tests.conftest import copy_sqlite


@pytest.fixture(scope="module")
def retrained(city_db_url, tmp_path_factory):
    """The small sample city, copied and retrained once: (url, run id)."""
    url = copy_sqlite(city_db_url, tmp_path_factory.mktemp("early") / "city.db")
    engine = create_engine(url)
    run_id = service.retrain(engine, "tester")
    engine.dispose()
    return url, run_id


def test_the_backtest_runs_eight_windows_for_the_model_and_both_baselines(retrained):
    url, run_id = retrained
    latest = service.latest(create_engine(url))
    assert latest.run["run_id"] == run_id
    windows = latest.windows
    assert windows["window_end"].nunique() == 8
    assert set(windows["ranking"]) == {"model", "score", "rule"}
    assert (windows["precision_25"] == windows["hits_25"] / 25).all()
    assert (windows["precision_100"] == windows["hits_100"] / 100).all()
    assert ((windows["recall_100"] - windows["hits_100"] / windows["positives"]).abs() < 1e-9).all()
    assert windows["auc"].between(0, 1).all()
    # the same properties became hotspots whichever ranking is measured
    assert windows.groupby("window_end")["positives"].nunique().eq(1).all()
    # the page shows what the backtest chose, and says why
    assert latest.ranking == ew.best_ranking(windows)
    assert ("The model's list is shown" in latest.verdict) == (latest.ranking == "model")
    assert latest.run["training_last"] <= latest.run["as_of"]


def test_the_list_holds_only_properties_not_on_the_hotspots_list_today(retrained):
    url, _ = retrained
    engine = create_engine(url)
    latest = service.latest(engine)
    listed = service.heading_for_the_list(engine, 100)
    assert listed["rank"].tolist() == list(range(1, len(listed) + 1)) and len(listed) == 100
    as_of = pd.Timestamp(latest.run["as_of"]) + pd.Timedelta(hours=23, minutes=59, seconds=59)
    with reading(engine) as conn:
        placed = department_records.placed_records(conn, as_of - pd.Timedelta(days=91), as_of)
        facts = property_data.property_facts(conn)
    today = scoring.score(placed, as_of.to_pydatetime(), properties=facts, explain=False)
    assert not set(listed["property_id"]) & set(today.index[today["flagged"]])
    assert all(lines and all(isinstance(line, str) and line for line in lines) for lines in listed["reasons"])
    # every ranking is stored, each in its own order
    for ranking, column in (("score", "score"), ("rule", "nuisance_calls")):
        ordered = service.heading_for_the_list(engine, 50, ranking)[column]
        assert ordered.is_monotonic_decreasing
    with reading(engine) as conn:
        assert audit_trail.audit_entries(conn, action="early_warning_retrained")["user_name"].tolist() == ["tester"]


def test_the_meetings_agenda_entries(retrained):
    url, _ = retrained
    engine = create_engine(url)
    entries = service.agenda_entries(engine, 10)
    assert entries.columns.tolist() == ["property_id", "address", "probability", "reasons"]
    assert entries["property_id"].tolist() == service.heading_for_the_list(engine, 10)["property_id"].tolist()
    assert entries["reasons"].str.len().gt(0).all()


def test_no_feature_reads_a_record_dated_after_its_cutoff_on_the_sample_city(retrained):
    url, _ = retrained
    with reading(create_engine(url)) as conn:
        records = store.placed_history(conn)
        properties = store.property_inputs(conn)
    full = ew.prepare(records, properties)
    for cutoff in ew.cutoffs(full, 8)[0][::3]:
        moment = full.origin + pd.Timedelta(days=cutoff)
        known = records[records["occurred_at"] < moment].assign(
            closed_at=lambda f: f["closed_at"].where(f["closed_at"] < moment))
        then = ew.prepare(known, properties)
        pd.testing.assert_frame_equal(ew.features(full, cutoff), ew.features(then, cutoff))


def test_the_command_prints_the_list_and_writes_the_backtest(retrained, tmp_path, monkeypatch, capsys):
    url = copy_sqlite(retrained[0], tmp_path / "cli.db")
    monkeypatch.setenv("DATABASE_URL", url)
    out = tmp_path / "backtest.csv"
    assert service.main(["--top", "5", "--backtest", "8", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "became hotspots within 90 days" in printed
    with out.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:5] == ["window_end", "model_precision_25", "score_precision_25", "rule_precision_25", "model_auc"]
    assert len(rows) == 1 + 8
    stored = service.latest(create_engine(url)).windows
    model = stored[stored["ranking"] == "model"].sort_values("window_end")
    assert [float(row[1]) for row in rows[1:]] == pytest.approx(model["precision_25"].tolist(), abs=1e-4)
    listed = service.heading_for_the_list(create_engine(url), 5)
    assert all(pid in printed for pid in listed["property_id"])


def test_the_command_on_a_database_with_no_records(empty_db_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", empty_db_url)
    assert service.main([]) == 1
    assert "no records are placed on a property yet" in capsys.readouterr().err


def test_a_page_before_the_first_retraining(empty_db_url):
    engine = create_engine(empty_db_url)
    assert service.latest(engine) is None
    assert service.heading_for_the_list(engine).empty
    assert service.agenda_entries(engine, 5).empty


def _run(as_of: date) -> dict:
    return dict(created_at=datetime(2026, 12, 1, 8), created_by="t", model_version="m", as_of=as_of,
                training_first=date(2026, 2, 1), training_last=date(2026, 8, 1), training_rows=10, horizon_days=90,
                ranking="score", candidates=2, fairness=[{"ward": "1", "ratio": None, "flag": "over-represented"}],
                model_fairness=[], seconds=1.0)


def test_runs_round_trip_and_old_lists_are_dropped(engine):
    with writing(engine) as conn:
        property_data.replace_properties(
            conn, [dict(property_id=p, parcel_id=None, address=f"{i} MAIN ST", city=None, state=None, zip=None,
                        lat=None, lon=None, land_use=None, ward="1", neighborhood=None, owner=None,
                        updated_at=datetime(2026, 1, 1)) for i, p in enumerate(["P1", "P2"])],
            [dict(property_id=p, address=f"{i} MAIN ST", key=f"{i} MAIN ST", is_primary=True)
             for i, p in enumerate(["P1", "P2"])])
    window = dict(window_end=date(2026, 7, 1), ranking="score", candidates=2, positives=1, hits_25=1, hits_100=1,
                  precision_25=0.04, precision_100=0.01, recall_100=1.0, auc=None)
    scores = [dict(property_id="P2", probability=None, score=3.0, nuisance_calls=0, rank_model=None, rank_score=1,
                   rank_rule=2, reasons=["one", "two"]),
              dict(property_id="P1", probability=None, score=1.0, nuisance_calls=3, rank_model=None, rank_score=2,
                   rank_rule=1, reasons=["three"])]
    ids = []
    for day in range(1, 6):
        with writing(engine) as conn:
            ids.append(store.save_run(conn, _run(date(2026, 10, day)), [window], scores))
    with reading(engine) as conn:
        latest = store.latest_run(conn)
        assert latest["run_id"] == ids[-1] and latest["as_of"] == date(2026, 10, 5)
        assert latest["fairness"] == [{"ward": "1", "ratio": None, "flag": "over-represented"}]
        assert store.run_windows(conn, ids[-1])[["ranking", "hits_25", "auc"]].to_dict("records") == [
            {"ranking": "score", "hits_25": 1, "auc": None}]
        by_score = store.run_scores(conn, ids[-1], "score", 10)
        assert by_score["property_id"].tolist() == ["P2", "P1"]
        assert by_score["reasons"].tolist() == [["one", "two"], ["three"]]
        assert store.run_scores(conn, ids[-1], "rule", 1)["property_id"].tolist() == ["P1"]
        assert store.run_scores(conn, ids[-1], "model", 10).empty
        # the lists of the three latest runs are kept; every run keeps its backtest
        assert [len(store.run_scores(conn, run_id, "score", 10)) for run_id in ids] == [0, 0, 2, 2, 2]
        assert all(len(store.run_windows(conn, run_id)) == 1 for run_id in ids)


def test_the_command_says_when_it_cannot_write_the_file(retrained, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", copy_sqlite(retrained[0], tmp_path / "cli.db"))
    assert service.main(["--top", "1", "--out", str(tmp_path / "no such folder" / "b.csv")]) == 1
    assert f"cannot write {tmp_path / 'no such folder' / 'b.csv'}" in capsys.readouterr().err


def test_every_engine_trains_the_same_model_and_stores_the_same_list(engine, city_dir, retrained):
    """A city on PostgreSQL (shared by several app servers) gets the run the embedded file gets."""
    from loaders.__main__ import load_city

    load_city(city_dir, engine)
    service.retrain(engine, "tester")
    here, there = service.latest(engine), service.latest(create_engine(retrained[0]))
    columns = ["window_end", "ranking", "positives", "hits_25", "hits_100", "auc"]
    pd.testing.assert_frame_equal(here.windows[columns], there.windows[columns])
    assert here.ranking == there.ranking
    mine, theirs = service.heading_for_the_list(engine, 100), service.heading_for_the_list(create_engine(retrained[0]), 100)
    assert mine["property_id"].tolist() == theirs["property_id"].tolist()
    assert mine["reasons"].tolist() == theirs["reasons"].tolist()
