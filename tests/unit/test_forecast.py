"""Customer-service planning without a database: the weeks, the holidays, when a baseline stands in
for the model, the backtest's arithmetic, staffing, and the forecast on a real city's 311 requests."""

from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from integration import service
from integration.service import NOT_RECORDED, load_planning_config
from services import forecast
from tests.conftest import shared_file

CONFIG = load_planning_config()
TODAY = datetime(2027, 6, 1)


def requests_from_weeks(counts: dict[str, list[int]], first_monday: str = "2024-01-01",
                        weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)) -> pd.DataFrame:
    """Requests spread over each week's weekdays: counts[topic][i] requests in week i."""
    rows = []
    for topic, per_week in counts.items():
        for week, count in enumerate(per_week):
            monday = pd.Timestamp(first_monday) + pd.Timedelta(weeks=week)
            for i in range(count):
                rows.append({"created": monday + pd.Timedelta(days=weekdays[i % len(weekdays)], hours=9 + i % 8),
                             "topic": topic, "kind": "Complaint", "routed_department": "Public Works"})
    return pd.DataFrame(rows)


def steady(weeks: int, level: float = 60, seed: int = 1) -> list[int]:
    return np.random.default_rng(seed).poisson(level, weeks).tolist()


# --- the weeks ---------------------------------------------------------------------------------


def test_weeks_start_on_monday_and_partial_first_and_last_weeks_are_left_out():
    frame = requests_from_weeks({"Pothole": [5] * 10})
    # a Wednesday start and a Tuesday end: both weeks only partly loaded
    extra = pd.DataFrame({"created": pd.to_datetime(["2023-12-27 10:00", "2024-03-12 10:00"]),
                          "topic": "Pothole", "kind": "Complaint", "routed_department": "Public Works"})
    counted = forecast.weekly_counts(pd.concat([frame, extra]), "topic", 4, today=TODAY)
    assert counted.counts.index[0] == pd.Timestamp("2024-01-01")
    assert counted.counts.index[-1] == pd.Timestamp("2024-03-04")
    assert (counted.counts.index.day_of_week == 0).all()
    assert counted.ahead[0] == pd.Timestamp("2024-03-11")  # the partial week is the first forecast
    assert any("2024-03-11 is not complete" in note for note in counted.notes)
    assert counted.counts["all"].sum() == 50


def test_a_future_dated_request_is_left_out_and_said_so():
    frame = requests_from_weeks({"Pothole": [5] * 30})
    future = pd.DataFrame({"created": [pd.Timestamp("2031-05-05 10:00")], "topic": "Pothole", "kind": "Complaint",
                           "routed_department": "Public Works"})
    counted = forecast.weekly_counts(pd.concat([frame, future]), "topic", 4, today=TODAY)
    assert counted.counts["all"].sum() == 150
    assert counted.counts.index[-1] < pd.Timestamp(TODAY)
    assert any("1 request is dated after today (the latest 2031-05-05)" in note for note in counted.notes)


def test_no_requests_at_all_says_what_to_load():
    empty = pd.DataFrame({"created": pd.Series([], dtype="datetime64[us]"), "topic": [], "kind": []})
    with pytest.raises(forecast.NothingToForecast, match="No customer-service requests are loaded"):
        forecast.plan(empty, by="topic", today=TODAY)


def test_requests_all_in_the_future_say_so():
    future = requests_from_weeks({"Pothole": [5] * 3}, first_monday="2030-01-07")
    with pytest.raises(forecast.NothingToForecast, match="with a created date up to today"):
        forecast.plan(future, by="topic", today=TODAY)


def test_weeks_with_no_requests_count_as_none_and_are_named():
    counts = steady(40)
    counts[20:23] = [0, 0, 0]
    counted = forecast.weekly_counts(requests_from_weeks({"Pothole": counts}), "topic", 4, today=TODAY)
    assert counted.counts["all"].iloc[20:23].tolist() == [0, 0, 0]
    assert any("3 weeks have no requests at all (the first 2024-05-20)" in note for note in counted.notes)


def test_under_a_year_says_there_is_no_seasonal_baseline_and_leaves_it_blank():
    result = forecast.plan(requests_from_weeks({"Pothole": steady(40)}), by="topic", today=TODAY)
    assert any("under a year" in note and "no seasonal baseline" in note for note in result.notes)
    city = result.accuracy.set_index("series").loc["all"]
    assert city["seasonal_naive_wape"] is None and city["last4_wape"] > 0 and city["model_wape"] > 0


def test_the_largest_topics_stand_alone_and_the_rest_are_forecast_together():
    frame = requests_from_weeks({"A": steady(40, 50), "B": steady(40, 30, 2), "C": steady(40, 5, 3)})
    counted = forecast.weekly_counts(frame, "topic", 4, today=TODAY, largest_topics=2)
    assert list(counted.counts.columns) == ["all", "A", "B", forecast.OTHER_TOPICS]
    assert counted.counts[forecast.OTHER_TOPICS].sum() == sum(steady(40, 5, 3))


# --- holidays ----------------------------------------------------------------------------------


def test_federal_holiday_weeks_are_found_as_observed():
    weeks = pd.date_range("2024-12-23", periods=3, freq="7D")
    assert forecast.holiday_weeks(weeks).tolist() == [1, 1, 0]  # Christmas, New Year's Day, none
    # 4 July 2026 is a Saturday: observed on Friday the 3rd
    assert forecast.holiday_weeks(pd.DatetimeIndex(["2026-06-29"])).tolist() == [1]


def test_the_holiday_effect_is_learnt_from_the_city_and_applied_to_holiday_weeks_ahead():
    weeks = pd.date_range("2024-01-01", periods=80, freq="7D")
    holidays = forecast.holiday_weeks(weeks).to_numpy() > 0
    counts = np.where(holidays, 70, 100).tolist()  # holiday weeks get 70% of an ordinary week
    result = forecast.plan(requests_from_weeks({"Pothole": counts}), by="topic", weeks=52, today=TODAY)
    ahead = result.forecast[result.forecast["series"] == "all"].set_index("week")["forecast"]
    ahead_holidays = forecast.holiday_weeks(ahead.index).to_numpy() > 0
    assert ahead[ahead_holidays].mean() == pytest.approx(70, rel=0.05)
    assert ahead[~ahead_holidays].mean() == pytest.approx(100, rel=0.05)


def test_the_week_after_a_holiday_gets_the_catch_up_the_city_shows():
    weeks = pd.date_range("2024-01-01", periods=80, freq="7D")
    holidays = forecast.holiday_weeks(weeks).to_numpy() > 0
    after = np.roll(holidays, 1) & ~holidays
    counts = np.select([holidays, after], [70, 120], 100).tolist()  # put off, then caught up
    result = forecast.plan(requests_from_weeks({"Pothole": counts}), by="topic", weeks=52, today=TODAY)
    ahead = result.forecast[result.forecast["series"] == "all"].set_index("week")["forecast"]
    ahead_holidays = forecast.holiday_weeks(ahead.index).to_numpy() > 0
    ahead_after = np.roll(ahead_holidays, 1) & ~ahead_holidays
    ahead_after[0] = False
    assert ahead[ahead_holidays].mean() == pytest.approx(70, rel=0.05)
    assert ahead[ahead_after].mean() == pytest.approx(120, rel=0.05)
    assert ahead[~ahead_holidays & ~ahead_after].mean() == pytest.approx(100, rel=0.05)


def test_without_three_holiday_weeks_loaded_there_is_no_holiday_effect():
    city = pd.Series([100.0] * 6, index=pd.date_range("2024-02-05", periods=6, freq="7D"))
    assert (forecast.holiday_factors(city, city.index) == 1).all()


# --- one series --------------------------------------------------------------------------------

FLAT = np.ones(80)


@pytest.mark.parametrize("history, method, note", [
    (np.array([0.0] * 60 + [9, 11, 10, 12, 8, 10]), forecast.LAST4, "too short for a model: 6 weeks"),
    (np.array([0.0, 1, 0, 0, 2, 0, 1, 0] * 8), forecast.LAST4, "too sparse for a model"),
    (np.array(steady(60, 40), dtype=float), forecast.MODEL, ""),
])
def test_a_baseline_stands_in_where_a_model_would_not_be_honest(history, method, note):
    result = forecast.forecast_series(history, FLAT, 8, CONFIG)
    assert result.method == method
    assert note in result.note
    assert len(result.mean) == 8 and (result.mean >= 0).all()


def test_a_season_seen_once_is_forecast_from_the_same_weeks_a_year_before():
    # snow: 20 weeks of requests, then none; the weeks ahead are a year after the snow began
    snow = np.array([30.0 + i % 5 for i in range(20)] + [0.0] * 34)
    result = forecast.forecast_series(snow, FLAT, 12, CONFIG)
    assert result.method == forecast.SEASONAL_NAIVE
    assert "seasonal" in result.note
    held = snow[len(snow) - 52:len(snow) - 52 + 12]
    assert result.mean.tolist() == held.tolist()


def test_intervals_nest_around_the_forecast_and_widen_ahead():
    wandering = 200 + np.cumsum(np.random.default_rng(4).normal(0, 15, 70))  # a level that moves
    result = forecast.plan(requests_from_weeks({"Pothole": wandering.astype(int).tolist()}), by="topic",
                           today=TODAY, scored=False).forecast
    city = result[result["series"] == "all"]
    assert (city["low_95"] <= city["low_80"]).all() and (city["low_80"] <= city["forecast"]).all()
    assert (city["forecast"] <= city["high_80"]).all() and (city["high_80"] <= city["high_95"]).all()
    ordinary = city[forecast.holiday_weeks(pd.DatetimeIndex(city["week"])).to_numpy() == 0]
    assert (ordinary["high_95"] - ordinary["low_95"]).is_monotonic_increasing
    assert ordinary["high_95"].iloc[-1] - ordinary["low_95"].iloc[-1] > \
        1.5 * (ordinary["high_95"].iloc[0] - ordinary["low_95"].iloc[0])


# --- the backtest ------------------------------------------------------------------------------


def test_the_backtest_scores_both_baselines_on_the_same_weeks_as_the_model():
    # two years of a repeating yearly pattern: the same weeks a year before are exact
    year = np.array([50.0 + 30 * np.sin(2 * np.pi * week / 52) for week in range(52)])
    history = np.concatenate([year, year])
    scores = forecast.backtest(history, np.ones(120), CONFIG, horizon=8)
    assert scores["weeks"] == 26
    assert scores["seasonal_naive_wape"] == pytest.approx(0.0)
    # mean of the 4 weeks before each origin, against each of the 1..8 weeks after it (inside the last 26)
    errors = actual = 0.0
    for origin in range(104 - 26, 104):
        truth = history[origin:min(origin + 8, 104)]
        errors += np.abs(truth - history[origin - 4:origin].mean()).sum()
        actual += truth.sum()
    assert scores["last4_wape"] == pytest.approx(errors / actual)
    assert 0 < scores["model_wape"] < scores["last4_wape"]  # two years: the model sees the season (STL)


def test_the_seasonal_baseline_is_blank_without_a_year_before_every_backtest_week():
    scores = forecast.backtest(np.array(steady(70), dtype=float), np.ones(80), CONFIG, horizon=4)
    assert scores["seasonal_naive_wape"] is None and scores["last4_wape"] is not None


def test_a_series_with_no_requests_in_the_backtest_weeks_has_no_score_rather_than_zero():
    history = np.array([20.0] * 40 + [0.0] * 30)
    scores = forecast.backtest(history, np.ones(80), CONFIG, horizon=8)
    assert scores["model_wape"] is None and scores["last4_wape"] is None


def test_a_topic_first_seen_lately_says_so():
    frame = requests_from_weeks({"Pothole": steady(60), "Scooters": [0] * 55 + [12, 15, 11, 14, 13]})
    result = forecast.plan(frame, by="topic", today=TODAY)
    scooters = result.accuracy.set_index("series").loc["Scooters"]
    assert scooters["method"] == forecast.LAST4
    assert scooters["note"].startswith("first requested in the week of 2025-01-20: too short for a model")
    assert result.forecast[result.forecast["series"] == "Scooters"]["forecast"].iloc[0] == pytest.approx(13.25)


# --- staffing ----------------------------------------------------------------------------------


def test_staffing_takes_the_median_requests_per_person_and_the_staff_of_the_last_weeks():
    rows = []
    for week, (people, each) in enumerate([(2, 10), (2, 12), (3, 10), (3, 14)]):
        monday = pd.Timestamp("2026-03-02") + pd.Timedelta(weeks=week)
        for person in range(people):
            rows += [{"created": monday + pd.Timedelta(hours=9 + i % 8), "team": "Phones",
                      "handled_by": f"agent {person}"} for i in range(each)]
    rows.append({"created": pd.Timestamp("2026-03-03 10:00"), "team": "Phones", "handled_by": NOT_RECORDED})
    frame = pd.DataFrame(rows)
    config = service.PlanningConfig(**{**CONFIG.__dict__, "throughput_weeks": 4, "staff_now_weeks": 2})
    basis = forecast.staffing_basis(frame, "team", pd.Timestamp("2026-03-23"), config)
    assert basis.to_dict("records") == [{"group": "Phones", "staff_now": 3, "per_person": 11.0, "weeks_seen": 4}]

    ahead = pd.DataFrame({"week": pd.date_range("2026-03-30", periods=2, freq="7D"), "series": "Phones",
                          "forecast": [22.0, 44.0], "high_80": [30.0, 55.0]})
    need = forecast.staffing(ahead, basis)
    assert need["staff_needed"].tolist() == [2.0, 4.0]
    assert need["shortfall"].tolist() == [0.0, 1.0]
    edited = basis.assign(per_person=22.0)  # what if each person handled twice as many
    assert forecast.staffing(ahead, edited)["shortfall"].tolist() == [0.0, 0.0]


def test_no_staff_recorded_gives_no_basis():
    frame = pd.DataFrame({"created": pd.to_datetime(["2026-03-02 10:00"]), "team": [NOT_RECORDED],
                          "handled_by": [NOT_RECORDED]})
    assert forecast.staffing_basis(frame, "team", pd.Timestamp("2026-03-02")).empty


# --- a real city ---------------------------------------------------------------------------------


def test_a_real_city_year_of_311_requests_is_forecast_and_backtested():
    """St. Louis's Citizens' Service Bureau requests of 2012 (one year, duplicate rows as exported)."""
    raw = pd.read_csv(shared_file("real_extracts/311/stlouis_csb_2012.csv"), dtype=str).drop_duplicates("REQUESTID")
    frame = pd.DataFrame({"created": pd.to_datetime(raw["DATETIMEINIT"].str[:19]),
                          "topic": raw["PROBLEMCODE"].fillna("").str.strip(),
                          "routed_department": raw["SUBMITTO"].fillna("").str.strip(" ,")})
    result = forecast.plan(frame, by="topic", today=datetime(2013, 1, 15))
    scores = result.accuracy.set_index("series")
    assert scores.index[0] == "all" and scores.index[1] == "Inspect City Tree"
    assert scores.loc["all", "weeks"] == 26
    assert 0 < scores.loc["all", "model_wape"] < 1 and 0 < scores.loc["all", "last4_wape"] < 1
    assert scores["seasonal_naive_wape"].isna().all()  # one year: no year before the backtest weeks
    assert any("whole weeks" in note for note in result.notes)
    assert result.forecast["week"].min() == pd.Timestamp("2012-12-31")  # the week the data end in
    assert np.isfinite(result.forecast[["forecast", "low_95", "high_95"]].to_numpy()).all()


def test_a_series_unscored_says_why_rather_than_showing_a_blank():
    frame = requests_from_weeks({"Pothole": steady(70), "Snow Removal": [25] * 20 + [0] * 50})
    result = forecast.plan(frame, by="topic", today=TODAY)
    snow = result.accuracy.set_index("series").loc["Snow Removal"]
    assert pd.isna(snow["model_wape"])
    assert "no requests in the backtest weeks to score it on" in snow["note"]


def test_every_planning_setting_in_the_file_is_read_and_every_one_read_is_in_the_file(tmp_path):
    import dataclasses
    import tomllib

    with service.CONFIG_FILE.open("rb") as handle:
        written = set(tomllib.load(handle)["planning"])
    assert written == {field.name for field in dataclasses.fields(service.PlanningConfig)}
    broken = tmp_path / "service.toml"
    broken.write_text(service.CONFIG_FILE.read_text().replace("backtest_horizon = 8", "backtest_horizon = 0"))
    with pytest.raises(ValueError, match="at least 1"):
        service.load_planning_config(broken)


def test_a_holiday_effect_within_ordinary_week_to_week_noise_is_not_applied():
    weeks = pd.date_range("2024-01-01", periods=80, freq="7D")
    counts = pd.Series(steady(80, 300, seed=7), index=weeks, dtype=float)  # no holiday effect at all
    factors = forecast.holiday_factors(counts, weeks.append(pd.date_range("2025-07-14", periods=26, freq="7D")))
    assert (factors == 1).all()
