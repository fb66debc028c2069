"""The risk score: its rules one by one on hand-made records, and its ranking on the sample city."""

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from integration.scoring import department_mix, load_config, score, score_with_trend, severity, weekly_overlap

END = datetime(2026, 10, 31, 23, 59)
CONFIG = load_config()


def records(*rows):
    """rows of (property_id, department, category, days before END[, subcategory])."""
    return pd.DataFrame(
        [{"property_id": pid, "department": dep, "category": cat, "occurred_at": END - timedelta(days=age),
          "subcategory": rest[0] if rest else None} for pid, dep, cat, age, *rest in rows]
    )


@pytest.mark.parametrize(
    ("department", "category", "subcategory", "weight"),
    [
        ("police", "SHOTS FIRED", None, 6.0),
        ("police", "Shots Fired", None, 6.0),
        ("police", "DRUG ACTIVITY", None, 4.0),
        ("police", "NOISE COMPLAINT", None, 2.0),
        ("police", "TRAFFIC STOP", None, 0.3),
        ("police", "SOMETHING NEW", None, 1.0),
        ("fire", "Building fire", "111", 6.0),
        ("fire", "Cooking fire, confined to container", "113", 6.0),
        ("fire", "Passenger vehicle fire", "131", 3.0),
        ("fire", "Gas leak (natural gas or LPG)", "412", 3.0),
        ("fire", "Alarm system activation, no fire - unintentional", "745", 1.0),
        ("fire", "EMS call, excluding vehicle accident with injury", "321", 0.5),
        ("fire", "Lock-out", "511", 0.3),
        ("fire", "Smoke detector activation, no fire - unintentional", "743", 1.0),
        ("fire", "Smoke detector activation, no fire - unintentional", None, 1.0),
        ("fire", "STRUCTURE FIRE", None, 6.0),
        ("fire", "Dumpster fire", None, 3.0),
        ("public_works", "UNSAFE STRUCTURE", None, 5.0),
        ("public_works", "VACANT BUILDING", None, 4.0),
        ("public_works", "JUNK AND DEBRIS", None, 2.5),
        ("public_works", "TALL GRASS", None, 1.0),
        ("crm", "Complaint", "Noise", 1.5),
        ("crm", "Complaint", "Pothole", 1.0),
        ("crm", "Transfer", "Drug Activity Tip", 2.5),
        ("crm", "Inquiry", "Water Bill", 0.1),
        ("crm", "Permit", "Fence Permit", 0.1),
    ],
)
def test_severity(department, category, subcategory, weight):
    frame = pd.DataFrame([{"department": department, "category": category, "subcategory": subcategory}])
    assert severity(frame).iloc[0] == weight


def test_a_record_weighs_half_after_the_half_life():
    fresh = score(records(("A", "police", "NOISE COMPLAINT", 0)), END)
    old = score(records(("A", "police", "NOISE COMPLAINT", CONFIG.half_life_days)), END)
    assert old.loc["A", "score"] == pytest.approx(fresh.loc["A", "score"] / 2, abs=0.01)


def test_records_outside_the_window_do_not_count():
    scored = score(records(("A", "police", "NOISE COMPLAINT", 10), ("A", "crm", "Complaint", 91)), END, days=90)
    assert scored.loc["A", "records"] == 1
    assert scored.loc["A", "departments"] == ("police",)


def test_one_busy_department_does_not_outrank_real_overlap():
    busy = [("BUSY", "police", "NOISE COMPLAINT", day) for day in range(1, 21)]
    overlap = [("OVERLAP", "police", "NOISE COMPLAINT", 5), ("OVERLAP", "public_works", "JUNK AND DEBRIS", 5),
               ("OVERLAP", "crm", "Complaint", 5, "Noise")]
    scored = score(records(*busy, *overlap), END)
    assert scored.index[0] == "OVERLAP"
    assert scored.loc["OVERLAP", "flagged"] and not scored.loc["BUSY", "flagged"]


def test_repeats_give_diminishing_returns():
    one = score(records(("A", "police", "BURGLARY", 1)), END).loc["A", "score"]
    five = score(records(*[("A", "police", "BURGLARY", 1)] * 5), END).loc["A", "score"]
    assert one < five < 5 * one
    assert five < one / (1 - CONFIG.repeat_factor)


@pytest.mark.parametrize(("calls", "chronic"), [(2, False), (3, True), (4, True)])
def test_the_chronic_nuisance_rule(calls, chronic):
    rows = [("A", "police", "DISTURBANCE", 5 + day) for day in range(calls)] + [("A", "police", "TRAFFIC STOP", 1)]
    scored = score(records(*rows), END)
    assert scored.loc["A", "nuisance_calls"] == calls
    assert bool(scored.loc["A", "chronic_nuisance"]) is chronic
    assert any(reason.startswith("Chronic nuisance") for reason in scored.loc["A", "reasons"]) is chronic


def test_institutions_are_damped_by_land_use_or_list_and_can_be_excluded():
    rows = [(pid, dep, cat, 3) for pid in ("HOSPITAL", "STORE", "HOUSE")
            for dep, cat in (("police", "FIGHT"), ("fire", "Building fire"), ("public_works", "NUISANCE"))]
    land = pd.DataFrame({"property_id": ["HOSPITAL", "STORE", "HOUSE"],
                         "land_use": ["INSTITUTIONAL", "COMMERCIAL", "RESIDENTIAL"]})
    plain = score(records(*rows), END, properties=land)
    assert plain.loc["HOSPITAL", "score"] == pytest.approx(plain.loc["HOUSE", "score"] * CONFIG.institutional_factor,
                                                           abs=0.01)
    assert plain.loc["STORE", "score"] == plain.loc["HOUSE", "score"]
    listed = score(records(*rows), END, properties=land, institutions={"STORE": "exclude"})
    assert not listed.loc["STORE", "flagged"]
    assert "Institutional: excluded from the list" in listed.loc["STORE", "reasons"]
    assert listed.index[0] == "HOUSE"


def test_every_score_explains_itself():
    scored = score(records(("A", "police", "SHOTS FIRED", 2), ("A", "fire", "Building fire", 3, "111")), END)
    reasons = scored.loc["A", "reasons"]
    assert reasons[0] == "2 departments in 90 days: Police 1, Fire 1"
    assert "SHOTS FIRED (Police)" in reasons[1] and "Building fire (Fire)" in reasons[1]


def test_trend_against_the_previous_window():
    rows = [("RISING", "police", "FIGHT", 5), ("RISING", "fire", "Building fire", 6, "111"),
            ("STEADY", "police", "FIGHT", 5), ("STEADY", "police", "FIGHT", 95)]
    scored = score_with_trend(records(*rows), END)
    assert scored.loc["RISING", "previous_score"] == 0 and scored.loc["RISING", "rising"]
    assert scored.loc["STEADY", "previous_score"] > 0 and not scored.loc["STEADY", "rising"]


def test_no_records_gives_an_empty_list():
    assert score(records(("A", "police", "FIGHT", 200)), END).empty


def test_planted_problem_properties_fill_the_top_and_institutions_do_not(full_city):
    directory, placed = full_city
    matched = placed[placed["status"] == "matched"]
    properties = pd.read_csv(directory / "properties.csv", dtype=str).drop_duplicates("property_id")
    institutions = pd.read_csv(directory / "institutions.csv", dtype=str)
    planted = pd.read_csv(directory / "planted.csv", dtype=str)
    end = matched["occurred_at"].max()
    scored = score(matched, end, properties=properties,
                   institutions=dict(zip(institutions["property_id"], institutions["treatment"])))
    top = scored[scored["flagged"]].index[:50]
    problems = planted.loc[planted["kind"] == "problem", "property_id"]
    institutional = planted.loc[planted["kind"] == "institutional", "property_id"]
    share = problems.isin(top).mean()
    print(f"\nplanted problem properties in the top 50: {problems.isin(top).sum()} of {len(problems)}")
    assert share >= 0.9
    assert not institutional.isin(top).any()


def test_weekly_overlap_counts_properties_with_several_departments():
    rows = [("A", "police", "FIGHT", 3), ("A", "fire", "Building fire", 4, "111"),  # overlaps in the last weeks
            ("B", "police", "FIGHT", 3), ("B", "police", "FIGHT", 4),               # one department only
            ("C", "crm", "Complaint", 120), ("C", "police", "FIGHT", 121)]          # long ago
    weekly = weekly_overlap(records(*rows), END, weeks=30, days=14)
    assert weekly["properties"].iloc[-1] == 1
    assert weekly["properties"].max() == 1
    assert len(weekly) == 30 and weekly["week_end"].is_monotonic_increasing


def test_department_mix_of_flagged_properties():
    rows = [("A", "police", "FIGHT", 3), ("A", "fire", "Building fire", 4, "111"), ("B", "police", "FIGHT", 3)]
    mix = department_mix(score(records(*rows), END)).set_index("department")["properties"]
    assert mix.to_dict() == {"Police": 1, "Fire": 1, "Public Works": 0, "Customer Service": 0}


def _weekly_by_hand(frame: pd.DataFrame, end: datetime, weeks: int, days: int, minimum: int) -> list[int]:
    """Each week end's window filtered and counted, one week at a time."""
    counts = []
    for back in range(weeks - 1, -1, -1):
        week_end = pd.Timestamp(end) - timedelta(weeks=back)
        seen = frame[(frame["occurred_at"] > week_end - timedelta(days=days)) & (frame["occurred_at"] <= week_end)
                     & frame["property_id"].notna()]
        departments = seen.groupby("property_id", observed=True)["department"].nunique()
        counts.append(int((departments >= minimum).sum()))
    return counts


@pytest.mark.parametrize(("weeks", "days", "minimum"), [(26, 90, 2), (30, 14, 1), (26, 90, 3), (8, 7, 4),
                                                         (70, 30, 2), (26, 90, 5)])
def test_weekly_overlap_equals_counting_each_week_by_hand(weeks, days, minimum):
    rng = np.random.default_rng(weeks * 1000 + days * 10 + minimum)
    n = 4000
    frame = pd.DataFrame({
        "property_id": rng.choice([f"P{i:03d}" for i in range(150)] + [None], n),
        "department": rng.choice(["police", "fire", "public_works", "crm"], n),
        "category": "X",
        "subcategory": None,
        # seconds apart, so records fall on both sides of every week end and window start
        "occurred_at": pd.Timestamp(END) - pd.to_timedelta(rng.integers(0, (weeks * 7 + days + 30) * 86_400, n),
                                                           unit="s"),
    })
    for text in ("property_id", "department"):
        frame[text] = frame[text].astype("category")
    weekly = weekly_overlap(frame, END, weeks=weeks, days=days, min_departments=minimum)
    assert weekly["properties"].tolist() == _weekly_by_hand(frame, END, weeks, days, minimum)
    assert weekly["properties"].sum() > 0 or minimum > 4


def scores_by_hand(frame: pd.DataFrame, end: datetime, days: int, damped: set[str] = frozenset(),
                   config=CONFIG) -> dict[str, tuple]:
    """The rules of scoring.toml applied one property at a time: (score, records, departments, nuisance calls, flagged)."""
    frame = frame.assign(weight=severity(frame, config).to_numpy())
    end = pd.Timestamp(end)
    inside = frame[(frame["occurred_at"] > end - timedelta(days=days)) & (frame["occurred_at"] <= end)
                   & frame["property_id"].notna()]
    found = {}
    for pid, rows in inside.groupby("property_id", observed=True):
        points = 0.0
        for _department, mine in rows.groupby("department", observed=True):
            ages = (end - mine["occurred_at"]).dt.total_seconds() / 86_400
            weights = sorted(mine["weight"] * 0.5 ** (ages / config.half_life_days), reverse=True)
            points += sum(w * config.repeat_factor ** i for i, w in enumerate(weights))
        n = rows["department"].nunique()
        nuisance = int(((rows["department"] == "police")
                        & rows["category"].astype(str).str.contains(config.nuisance_pattern, case=False)
                        & (rows["occurred_at"] > end - timedelta(days=config.nuisance_days))).sum())
        raw = points * (1 + config.overlap_bonus * (n - 1)) + config.nuisance_bonus * (nuisance >= config.nuisance_min_calls)
        factor = config.institutional_factor if pid in damped else 1.0
        found[pid] = (round(raw * factor, 2), len(rows), n, nuisance, n >= config.min_departments)
    return found


@pytest.mark.parametrize("as_categories", [True, False])
def test_scores_equal_the_rules_applied_one_property_at_a_time(as_categories):
    rng = np.random.default_rng(7)
    n = 3000
    kinds = {"police": ["FIGHT", "NOISE COMPLAINT", "TRAFFIC STOP", "SHOTS FIRED"],
             "fire": ["Building fire", "EMS call"], "public_works": ["Tall grass", "Vacant building"],
             "crm": ["Complaint", "Pothole"]}
    departments = rng.choice(list(kinds), n)
    frame = pd.DataFrame({
        "property_id": rng.choice([f"P{i:03d}" for i in range(120)] + [None], n),
        "department": departments,
        "category": [rng.choice(kinds[d]) for d in departments],
        "subcategory": None,
        "occurred_at": pd.Timestamp(END) - pd.to_timedelta(rng.integers(0, 200 * 86_400, n), unit="s"),
    })
    # repeats at one moment: equal weights, whichever order they are ranked in
    frame = pd.concat([frame, frame.iloc[:200]], ignore_index=True)
    if as_categories:
        frame = frame.astype({name: "category" for name in ("property_id", "department", "category")})
    damped = {"P001", "P002"}
    properties = pd.DataFrame({"property_id": sorted(damped), "land_use": ["School", "church"]})
    scored = score_with_trend(frame, END, 60, properties=properties, institutions={"P003": "exclude"})
    expected = scores_by_hand(frame, END, 60, damped)
    previous = scores_by_hand(frame, END - timedelta(days=60), 60, damped)
    assert set(scored.index) == set(expected)
    for pid, row in scored.iterrows():
        points, records_, n_departments, nuisance, flagged = expected[pid]
        assert row["score"] == pytest.approx(points, abs=0.011)
        assert (row["records"], row["n_departments"], row["nuisance_calls"]) == (records_, n_departments, nuisance)
        assert row["flagged"] == (flagged and pid != "P003")
        assert row["previous_score"] == pytest.approx(previous.get(pid, (0.0,))[0], abs=0.011)
        assert row["new"] == (row["flagged"] and not (previous.get(pid, (0, 0, 0, 0, False))[4] and pid != "P003"))
    assert scored["score"].is_monotonic_decreasing
    assert scored.loc["P001", "institutional"] == "damp" and scored.loc["P003", "institutional"] == "exclude"
    assert scored["flagged"].sum() > 20 and scored["chronic_nuisance"].any()


def test_flagged_properties_with_equal_scores_are_listed_by_id_whatever_order_the_records_come_in():
    rows = [(pid, dep, "FIGHT", 3) for pid in ("P9", "P1", "P5") for dep in ("police", "crm")]
    frame = records(*rows)
    # categories in the order the ids first appear, as a county's blocks give them, not sorted
    frame["property_id"] = pd.Categorical(frame["property_id"], categories=["P9", "P1", "P5"])
    scored = score(frame, END)
    assert scored["score"].nunique() == 1 and scored.index.tolist() == ["P1", "P5", "P9"]
