"""Customer-service figures checked against values computed by hand on small made-up requests."""

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from integration import service

T0 = datetime(2026, 3, 2, 9, 0)  # a Monday
AS_OF = datetime(2026, 3, 31, 9, 0)


def requests(*rows):
    """rows of dicts; created defaults to T0, closed is given in days after created (None: open)."""
    made = []
    for number, row in enumerate(rows, start=1):
        created = row.get("created", T0)
        days = row.get("days")
        made.append({
            "request_id": f"311-{number:07d}", "created": created,
            "closed": created + timedelta(days=days) if days is not None else None,
            "status": "Closed" if days is not None else "Open", "category": row.get("category", "Complaint"),
            "topic": row.get("topic", "Pothole"), "routed_department": row.get("routed", "Public Works"),
            "handled_by": row.get("by", "A. Staff"), "team": row.get("team", "Phones"),
            "transferred_from": row.get("moved_from"), "transferred_to": row.get("moved_to"),
            "transferred_at": (created + timedelta(days=row["moved_after"])).isoformat(sep=" ")
            if "moved_after" in row else None,
            "property_id": row.get("property"), "ward": row.get("ward"),
        })
    frame = pd.DataFrame(made)
    frame["created"] = pd.to_datetime(frame["created"])
    frame["closed"] = pd.to_datetime(frame["closed"])
    return service.prepare(frame, AS_OF)


@pytest.mark.parametrize(("category", "topic", "kind"), [
    ("Complaint", "Water Bill", "Complaint"),  # the CRM's own category wins
    ("INQUIRY", "Pothole", "Inquiry"),
    ("Referral", "Noise", "Transfer"),
    ("Service Request", "Fence Permit", "Permit"),  # a category naming no kind: the topic decides
    ("Service Request", "Water Bill", "Inquiry"),
    ("Service Request", "Transfer to Police", "Transfer"),
    ("Service Request", "Drug Activity Tip", "Transfer"),
    ("Service Request", "Pothole", "Complaint"),
    (None, None, "Complaint"),
])
def test_kinds_come_from_the_category_or_else_the_topic(category, topic, kind):
    assert service.kind_of(category, topic) == kind


def test_median_and_90th_percentile_of_time_to_close_by_hand():
    frame = requests(*[{"days": d} for d in (1, 2, 3, 4, 10)], {"days": 2, "routed": "Building"},
                     {"days": 6, "routed": "Building"}, {"days": None, "routed": "Building"})
    table = service.time_to_close(frame, "routed_department").set_index("routed_department")
    # Public Works: 1 2 3 4 10 -> median 3; p90 at rank 0.9 x 4 = 3.6: 4 + 0.6 x (10 - 4) = 7.6
    assert table.loc["Public Works", "median_days"] == pytest.approx(3.0)
    assert table.loc["Public Works", "p90_days"] == pytest.approx(7.6)
    # Building: 2 6 -> median 4; p90 2 + 0.9 x 4 = 5.6; one still open
    assert table.loc["Building", "median_days"] == pytest.approx(4.0)
    assert table.loc["Building", "p90_days"] == pytest.approx(5.6)
    assert table.loc["Building", ["requests", "closed", "open"]].tolist() == [3, 2, 1]
    assert table.index[0] == "Building"  # slowest first


def test_a_close_time_before_the_created_time_is_not_a_time():
    frame = requests({"days": -1}, {"days": 2})
    assert frame["days_to_close"].isna().tolist() == [True, False]


def test_open_requests_by_age_band():
    frame = requests({"created": AS_OF - timedelta(days=1)}, {"created": AS_OF - timedelta(days=5)},
                     {"created": AS_OF - timedelta(days=6)}, {"created": AS_OF - timedelta(days=100)},
                     {"created": AS_OF - timedelta(days=3), "days": 1})
    ages = service.open_by_age(frame).set_index("age")["requests"]
    assert ages.to_dict() == {"0–2 days": 1, "2–7 days": 2, "7–30 days": 0, "30–90 days": 0, "over 90 days": 1}


def test_transfers_and_the_days_they_add():
    frame = requests(
        {"topic": "Property Maintenance", "days": 2}, {"topic": "Property Maintenance", "days": 4},
        {"topic": "Property Maintenance", "days": 7, "moved_from": "Public Works", "moved_to": "Building",
         "moved_after": 1}, {"topic": "Property Maintenance", "days": 9, "moved_from": "Public Works",
                             "moved_to": "Building", "moved_after": 2})
    moved = service.transfers(frame).iloc[0]
    assert (moved["transferred_from"], moved["transferred_to"], moved["requests"]) == ("Public Works", "Building", 2)
    assert moved["median_days_to_transfer"] == pytest.approx(1.5)
    assert moved["median_days_to_close"] == pytest.approx(8.0)
    assert moved["untransferred_median_days"] == pytest.approx(3.0)
    assert moved["added_days"] == pytest.approx(5.0)
    assert service.transfer_delay(frame) == pytest.approx(5.0)  # 7 - 3 and 9 - 3
    assert service.transfer_delay(frame[~frame["transferred"]]) is None


def test_requests_per_1000_residents_and_the_equity_reading_by_hand():
    frame = requests(*[{"ward": "1", "property": f"P{i}"} for i in range(3)],
                     *[{"ward": "2", "property": f"Q{i}"} for i in range(2)], {"ward": None})
    populations = pd.DataFrame({"ward": ["1", "2"], "population": [2000, 4000]})
    other = pd.DataFrame({"ward": ["1", "2", "2", "1"], "department": ["police", "police", "fire", "public_works"],
                          "records": [2, 8, 2, 50]})
    table = service.equity(frame, populations, other, pd.Series(["1", "2", "2", "2"])).set_index("ward")
    assert table.loc["1", "requests_per_1000"] == pytest.approx(1.5)  # 3 / 2,000
    assert table.loc["2", "requests_per_1000"] == pytest.approx(0.5)  # 2 / 4,000
    assert table.loc["1", "police_fire_per_1000"] == pytest.approx(1.0)  # public works does not count
    assert table.loc["2", "police_fire_per_1000"] == pytest.approx(2.5)
    assert table.attrs["city_requests_per_1000"] == pytest.approx(5 / 6)
    assert table.attrs["city_police_fire_per_1000"] == pytest.approx(2.0)
    # ward 1: (1.5 / 0.8333) / (1.0 / 2.0) = 3.6
    assert table.loc["1", "index"] == pytest.approx(3.6)
    assert table.loc["1", "reading"] == "requests run ahead of other evidence"
    assert table.loc["2", "reading"] == "need high, few requests"  # evidence 1.25x the city, requests 0.6x
    assert table.loc["2", "flagged_share"] == pytest.approx(0.75)


def test_weekly_counts_beside_the_same_weeks_a_year_before():
    year_before = T0 - pd.DateOffset(years=1)
    frame = requests({"created": T0 + timedelta(days=1)}, {"created": T0 + timedelta(days=2)},
                     {"created": T0 + timedelta(days=8), "category": "Inquiry"},
                     {"created": (year_before + timedelta(days=2)).to_pydatetime()})
    series = service.weekly(frame, T0 - timedelta(days=1), T0 + timedelta(days=13), by="kind")
    assert series.attrs["compared_with"] == "the same weeks a year before"
    rows = {(row.week.date().isoformat(), row.kind): (row.requests, row.compared) for row in series.itertuples()}
    assert rows[("2026-03-02", "Complaint")] == (2, 1)
    assert rows[("2026-03-09", "Inquiry")] == (1, 0)


def test_weekly_falls_back_to_the_window_before_without_a_year_of_history():
    # the period touches two weeks (Mondays T0 and T0 + 7), so it is compared with the two before
    frame = requests({"created": T0 + timedelta(days=1)}, {"created": T0 - timedelta(days=13)},
                     {"created": T0 - timedelta(days=20)})
    series = service.weekly(frame, T0, T0 + timedelta(days=7), by="kind")
    assert series.attrs["compared_with"] == "the weeks just before"
    assert series["week"].dt.date.astype(str).tolist() == ["2026-03-02"]
    assert series[["requests", "compared"]].sum().tolist() == [1, 1]


def test_rising_topics_rank_by_growth_over_the_window_before():
    rows = ([{"topic": "Snow Removal", "created": AS_OF - timedelta(days=3)}] * 12
            + [{"topic": "Snow Removal", "created": AS_OF - timedelta(days=40)}] * 2
            + [{"topic": "Pothole", "created": AS_OF - timedelta(days=3)}] * 10
            + [{"topic": "Pothole", "created": AS_OF - timedelta(days=40)}] * 10
            + [{"topic": "Graffiti", "created": AS_OF - timedelta(days=3)}] * 3)
    rising = service.rising_topics(requests(*rows), AS_OF, days=28)
    assert rising["topic"].tolist() == ["Snow Removal", "Pothole"]  # Graffiti: too few to call
    assert rising.iloc[0][["requests", "before", "change"]].tolist() == [12, 2, 10]
    assert rising.iloc[0]["growth"] == pytest.approx(6.0)


def test_workload_per_staff_member_and_week():
    frame = requests({"by": "B. Busy", "days": 4}, {"by": "B. Busy", "days": 6}, {"by": "B. Busy", "days": 8},
                     {"by": "C. Calm", "days": 1, "team": "Web and Email"},
                     {"by": "B. Busy", "created": T0 + timedelta(days=7), "days": 2})
    weekly = service.workload(frame, "handled_by")
    first_week = weekly[weekly["week"] == pd.Timestamp("2026-03-02")].set_index("handled_by")
    assert first_week.loc["B. Busy", "requests"] == 3 and first_week.loc["B. Busy", "median_days"] == 6
    summary = service.workload_summary(frame, "handled_by").set_index("handled_by")
    assert summary.loc["B. Busy", ["requests", "team"]].tolist() == [4, "Phones"]
    assert summary.loc["B. Busy", "share"] == pytest.approx(0.8)
    assert summary.loc["B. Busy", "per_week"] == pytest.approx(2.0)
    assert summary.loc["C. Calm", "team"] == "Web and Email"
    assert np.isclose(summary.loc["B. Busy", "median_days"], 5.0)


def test_the_sample_citys_planted_patterns_show_in_the_figures(full_city):
    """On the full sample city as loaded and placed: the slow department, the overloaded staff
    member, the ward whose requests run ahead of its other records, and the seasonal topics."""
    import json

    from sample_data.extracts import COMPLAINING_WARD, OVERLOADED_STAFF, SLOW_DEPARTMENT

    directory, placed = full_city
    wards = pd.read_csv(directory / "properties.csv", dtype=str).drop_duplicates("property_id").set_index(
        "property_id")["ward"]
    located = placed.assign(ward=placed["property_id"].where(placed["status"] == "matched").map(wards))
    crm = located[located["department"] == "crm"]
    kept = pd.DataFrame([json.loads(text) for text in crm["extra"]], index=crm.index)
    frame = service.prepare(pd.concat([crm[["source_record_id", "occurred_at", "closed_at", "status", "category",
                                            "subcategory", "property_id", "ward"]], kept], axis=1)
                            .rename(columns={"source_record_id": "request_id", "occurred_at": "created",
                                             "closed_at": "closed", "subcategory": "topic"}),
                            crm["occurred_at"].max())

    slowest = service.time_to_close(frame[frame["kind"] != "Transfer"], "routed_department")
    assert slowest.iloc[0]["routed_department"] == SLOW_DEPARTMENT
    assert slowest.iloc[0]["median_days"] > 2 * slowest.iloc[1:]["median_days"].median()

    busiest = service.workload_summary(frame, "handled_by")
    assert busiest.iloc[0]["handled_by"] == OVERLOADED_STAFF
    colleagues = busiest[(busiest["team"] == busiest.iloc[0]["team"]) & (busiest["handled_by"] != OVERLOADED_STAFF)]
    assert busiest.iloc[0]["requests"] > 2 * colleagues["requests"].max()
    assert busiest.iloc[0]["median_days"] > 1.3 * colleagues["median_days"].median()

    moved = service.transfers(frame)
    assert moved["requests"].sum() > 0.05 * frame["kind"].isin(["Complaint", "Inquiry"]).sum()
    assert (moved["requests"] * moved["added_days"]).sum() > 0  # transfers add time, weighed by volume

    population = pd.read_csv(directory / "wards.csv", dtype={"ward": str})
    other = (located[located["ward"].notna()].groupby(["ward", "department"]).size().rename("records").reset_index())
    table = service.equity(frame, population, other, pd.Series([], dtype=str)).set_index("ward")
    assert table["index"].idxmax() == str(COMPLAINING_WARD)
    assert table.loc[str(COMPLAINING_WARD), "reading"] == "requests run ahead of other evidence"
    assert (table["reading"] == "requests run ahead of other evidence").sum() == 1

    months = frame.groupby("topic")["created"].apply(lambda created: set(created.dt.month))
    assert months["Snow Removal"] <= {11, 12, 1, 2, 3}
    assert months["Tall Grass"] <= {4, 5, 6, 7, 8, 9, 10}


def test_an_extract_without_staff_or_transfer_columns_still_gives_every_figure_it_can():
    bare = pd.DataFrame({"request_id": ["311-1", "311-2"], "created": pd.to_datetime([T0, T0 + timedelta(days=1)]),
                         "closed": pd.to_datetime([T0 + timedelta(days=2), None]), "status": ["Closed", "Open"],
                         "category": ["Complaint", None], "topic": [None, "  Water Bill "],
                         "property_id": [None, None], "ward": [None, None]})
    frame = service.prepare(bare, AS_OF)
    assert frame["kind"].tolist() == ["Complaint", "Inquiry"]
    assert frame["topic"].tolist() == ["Complaint", "Water Bill"]  # no topic: the category stands in
    assert (frame["handled_by"] == service.NOT_RECORDED).all() and not frame["transferred"].any()
    assert service.transfers(frame).empty and service.transfer_delay(frame) is None
    assert service.time_to_close(frame, "kind").set_index("kind").loc["Complaint", "median_days"] == 2.0
