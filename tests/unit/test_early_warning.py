"""Early warning, pure: the label is the product's hotspot rule, no feature reads a record from after its
cut-off, the backtest is rolling-origin, and the measures and the fairness check by hand."""

import numpy as np
import pandas as pd
import pytest

from integration import early_warning as ew
from integration import scoring

ORIGIN = pd.Timestamp("2026-01-01")
KINDS = {"police": ["NOISE COMPLAINT", "THEFT", "DISTURBANCE"], "fire": ["FALSE ALARM", "BUILDING FIRE"],
         "public_works": ["JUNK AND DEBRIS", "TALL GRASS"], "crm": ["COMPLAINT", "INQUIRY"]}


def random_city(seed: int = 3, properties: int = 200, records: int = 900, days: int = 300) -> pd.DataFrame:
    """Records at a few dozen properties over `days`, with public-works closes: a busy little city."""
    rng = np.random.default_rng(seed)
    department = rng.choice(list(KINDS), records)
    opened = ORIGIN + pd.to_timedelta(rng.uniform(0, days, records), unit="D").round("min")
    closed = opened + pd.to_timedelta(rng.uniform(1, 60, records), unit="D").round("min")
    return pd.DataFrame({
        "property_id": [f"P{i:03d}" for i in rng.integers(0, properties, records)],
        "department": department,
        "category": [KINDS[d][rng.integers(len(KINDS[d]))] for d in department],
        "subcategory": None,
        "occurred_at": opened,
        "closed_at": pd.Series(closed).where(department == "public_works"),
    })


def master(properties: int = 200) -> pd.DataFrame:
    return pd.DataFrame({"property_id": [f"P{i:03d}" for i in range(properties)],
                         "land_use": ["RESIDENTIAL", "DUPLEX", "APARTMENT", "COMMERCIAL"] * (properties // 4),
                         "ward": [str(1 + i % 3) for i in range(properties)],
                         "lat": 42.7 + np.arange(properties) * 0.0005, "lon": -87.8 + np.zeros(properties),
                         "addresses": 1})


def test_the_label_is_the_hotspot_rule_on_every_day_of_the_90():
    records = random_city()
    city = ew.prepare(records, master())
    cutoff = 150
    by_day = []
    for k in range(1, ew.HORIZON_DAYS + 1):
        # the list on day `cutoff + k - 1`: the product's score of the window ending that evening
        end = (ORIGIN + pd.Timedelta(days=cutoff + k) - pd.Timedelta(seconds=1)).to_pydatetime()
        scored = scoring.score(records, end, explain=False)
        by_day.append(set(scored.index[scored["flagged"]]))
        ours = set(city.property_ids[ew.flagged_days(city, cutoff + k - 1, 1) > 0])
        assert ours == by_day[-1], k
    became = set(city.property_ids[ew.became_flagged(city, cutoff)])
    assert became == set().union(*by_day[1:]) | (by_day[0])  # any of the 90 days
    assert set(city.property_ids[ew.flagged_at(city, cutoff)]) == set(
        (lambda s: s.index[s["flagged"]])(scoring.score(records, (ORIGIN + pd.Timedelta(days=cutoff)
                                                                  - pd.Timedelta(seconds=1)).to_pydatetime(),
                                                        explain=False)))


def known_at(records: pd.DataFrame, cutoff: int) -> pd.DataFrame:
    """The records as the city's systems held them at midnight of the cut-off day: nothing made later,
    and a close after it not yet written."""
    moment = ORIGIN + pd.Timedelta(days=cutoff)
    kept = records[records["occurred_at"] < moment].copy()
    kept["closed_at"] = kept["closed_at"].where(kept["closed_at"] < moment)
    return kept


@pytest.mark.parametrize("cutoff", [120, 181, 240])
def test_no_feature_reads_a_record_dated_after_its_cutoff(cutoff):
    records = random_city()
    full = ew.prepare(records, master())
    # everything after the cut-off replaced by a flood of records at every property and department
    flood = random_city(seed=11, records=3000).assign(
        occurred_at=lambda f: ORIGIN + pd.Timedelta(days=cutoff) + (f["occurred_at"] - ORIGIN) / 5)
    poisoned = ew.prepare(pd.concat([known_at(records, cutoff), flood], ignore_index=True), master())
    truncated = ew.prepare(known_at(records, cutoff), master())
    expected = ew.features(truncated, cutoff)
    assert len(expected) > 5
    pd.testing.assert_frame_equal(ew.features(full, cutoff), expected)
    pd.testing.assert_frame_equal(ew.features(poisoned, cutoff), expected)
    # the label does read the days after: the flood changes it (the test can tell the two apart)
    assert ew.became_flagged(poisoned, cutoff).sum() > ew.became_flagged(full, cutoff).sum()


def test_the_backtest_is_rolling_origin(monkeypatch):
    city = ew.prepare(random_city(days=364), master())
    seen = []
    real_train = ew.train

    def recording(cache, training):
        seen.append(list(training))
        return real_train(cache, training)

    monkeypatch.setattr(ew, "train", recording)
    result = ew.backtest(ew.Cache(city), windows=8)
    tests = sorted({(pd.Timestamp(day) - ORIGIN).days + 1 for day in result.windows["window_end"]})
    assert len(tests) == 8 and len(seen) == 8
    for test, training in zip(tests, seen):
        assert len(training) >= 2
        # every window trained on was over (its 90 days past) before the one it is tested on
        assert max(training) + ew.HORIZON_DAYS <= test
    assert all(b - a == ew.STEP_DAYS for a, b in zip(tests, tests[1:]))
    assert max(tests) + ew.HORIZON_DAYS <= city.last_day + 1


def test_measures_by_hand():
    values = np.array([0.9, 0.8, 0.7, 0.1, 0.05, -1.0])
    label = np.array([True, False, True, False, True, False])
    eligible = np.array([True, True, True, True, True, True])
    got = ew.measures(values, label, eligible)
    assert got["hits_25"] == 3 and got["precision_25"] == 3 / 25
    assert got["recall_100"] == 1.0
    # pairs (positive, negative) ranked right: (0.9: 3 of 3), (0.7: 2 of 3), (0.05: 1 of 3) -> 6 of 9
    assert got["auc"] == pytest.approx(6 / 9)
    # a property not eligible (on the list at the cut-off) is left out of every measure
    assert ew.measures(values, label, eligible & (values != 0.9))["hits_25"] == 2


def test_fairness_flags_a_ward_outside_the_band():
    city = ew.prepare(random_city(), master(8))
    city.ward = np.array(["1", "1", "1", "1", "2", "2", "3", "3"], dtype=object)
    label = np.array([True, True, False, False, True, True, True, True])
    eligible = np.ones(8, dtype=bool)
    result = ew.Backtest(pd.DataFrame(), {10: {"model": np.array([0, 1, 2, 3, 4, 6])}}, {10: label}, {10: eligible})
    table = ew.fairness(city, result, "model").set_index("ward")
    # ward 1: 4 of the top 6 (67%) against 2 of 6 hotspots (33%): twice its share
    assert table.loc["1", "ratio"] == pytest.approx(2.0) and table.loc["1", "flag"] == "over-represented"
    assert table.loc["2", "ratio"] == pytest.approx(0.5) and table.loc["2", "flag"] == "under-represented"
    assert table.loc["3", "ratio"] == pytest.approx(0.5)


@pytest.mark.parametrize("model, score, rule, shown", [
    (0.30, 0.10, 0.05, "model"),
    (0.10, 0.10, 0.05, "score"),   # a tie is not a win: the baseline is shown
    (0.08, 0.04, 0.12, "rule"),
    (0.08, 0.12, 0.04, "score"),
])
def test_the_model_is_shown_only_when_it_beats_both_baselines(model, score, rule, shown):
    windows = pd.DataFrame([{"window_end": pd.Timestamp("2026-06-01"), "ranking": name, "precision_25": value,
                             "precision_100": value, "recall_100": value, "auc": 0.7, "hits_25": value * 25}
                            for name, value in (("model", model), ("score", score), ("rule", rule))])
    assert ew.best_ranking(windows) == shown


@pytest.mark.parametrize("figures, expected", [
    ({"police_n30": 4, "police_n90": 6, "police_n365": 9}, "Police records doubled: 4 in the last 30 days against about 1 a month before"),
    ({"police_n30": 1, "police_n90": 1, "police_n365": 1}, "first Police record in a year (1 in the last 30 days)"),
    ({"police_n30": 1, "police_n90": 3, "police_n365": 5}, "3 Police records in 90 days (1 in the last 30)"),
])
def test_reasons_in_words(figures, expected):
    city = ew.prepare(random_city(), master())
    values = dict.fromkeys(ew.FEATURES, 0.0) | {"police_days_since": 3} | figures
    assert ew.reason("police", values, city) == expected


def test_neighbours_are_the_properties_in_the_squares_around():
    # 0.0009 degrees of latitude is about 100 m: P0 and P1 share a square, P2 is one square north, P3 far
    places = pd.DataFrame({"property_id": ["P0", "P1", "P2", "P3", "P4"],
                           "lat": [42.70005, 42.70006, 42.70095, 42.75, None],
                           "lon": [-87.8, -87.8, -87.8, -87.8, None]})
    around = ew.neighbourhood(places)
    totals = around.total(np.array([1.0, 10.0, 100.0, 1000.0, 5.0]))
    assert totals.tolist() == [110.0, 101.0, 11.0, 0.0, 0.0]


def test_the_overall_reason_names_the_departments():
    city = ew.prepare(random_city(), master())
    values = dict.fromkeys(ew.FEATURES, 0.0) | {"total_n90": 4, "total_n30": 2, "fire_n90": 3, "police_n90": 1}
    assert ew.reason("trend", values, city) == "4 records in 90 days (Police 1, Fire 3), 2 of them in the last 30"


def test_a_city_with_too_short_a_history_gets_the_current_scores_list():
    city = ew.prepare(random_city(days=120, records=300), master())
    result = ew.run(city, windows=8)
    assert result.windows.empty and result.model is None and result.ranking == "score"
    assert len(result.scores) and result.scores["rank_score"].tolist() == list(range(1, len(result.scores) + 1))
    assert result.fairness.empty
    assert ew.plain_backtest(result.windows).startswith("There is not enough history for a backtest yet")
