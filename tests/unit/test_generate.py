"""The sample-city generator: deterministic, honest ground truth, and the file contract loaders rely on."""

import csv
import re
from collections import Counter
from datetime import date, datetime, timedelta
from statistics import median

import pytest

from sample_data.extracts import (COMPLAINING_WARD, CRM_NOISE, FIRE_NOISE, OVERLOADED_STAFF, POLICE_NOISE,
                                   PUBLIC_WORKS_NOISE, SEASONAL_TOPICS, SEASONS, SLOW_DEPARTMENT, TRANSFER_SHARE)
from sample_data.vocabulary import CRM_TOPICS
from sample_data.generate import HEADERS, generate, main, sizes_for

SCALE = 0.05
FIRST_DAY, LAST_DAY = date(2025, 11, 1), date(2026, 10, 31)
RECENT_FROM = LAST_DAY - timedelta(days=89)
FILES = ("properties.csv", "police.csv", "fire.csv", "public_works.csv", "crm.csv", "truth.csv", "planted.csv",
         "wards.csv")
# department: file, id column, how its record date is written, the column holding it
DEPARTMENTS = {
    "police": ("police.csv", "Incident Number", "%m/%d/%Y %H:%M", "Call Date/Time"),
    "fire": ("fire.csv", "Incident Number", "%Y-%m-%d", "Alarm Date"),
    "public_works": ("public_works.csv", "Case Number", "%m/%d/%Y", "Open Date"),
    "crm": ("crm.csv", "Request ID", "%Y-%m-%d %H:%M:%S", "Created"),
}
ID_PATTERNS = {"police": r"LPD\d{2}-\d{6}", "fire": r"F\d{2}-\d{6}", "public_works": r"CE-20\d{2}-\d{5}",
               "crm": r"311-\d{7}"}
NOISE_TABLES = {"police": POLICE_NOISE, "fire": FIRE_NOISE, "public_works": PUBLIC_WORKS_NOISE, "crm": CRM_NOISE}


def _read(directory, name):
    with (directory / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    directory = tmp_path_factory.mktemp("city")
    written = generate(directory, seed=1, scale=SCALE)
    return directory, written


@pytest.fixture(scope="module")
def tables(city):
    directory, _ = city
    return {name: _read(directory, name) for name in FILES}


@pytest.fixture(scope="module")
def master(tables):
    """property_id -> its rows, primary first."""
    rows = {}
    for row in tables["properties.csv"]:
        rows.setdefault(row["property_id"], []).append(row)
    return rows


@pytest.fixture(scope="module")
def records(tables):
    """(department, id) -> (record row, truth row)."""
    truth = {(t["department"], t["source_record_id"]): t for t in tables["truth.csv"]}
    joined = {}
    for department, (file_name, id_column, _, _) in DEPARTMENTS.items():
        for row in tables[file_name]:
            joined[department, row[id_column]] = (row, truth.get((department, row[id_column])))
    return joined


def test_same_seed_and_scale_write_identical_bytes(city, tmp_path):
    first, _ = city
    generate(tmp_path, seed=1, scale=SCALE)
    for name in FILES:
        assert (first / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_another_seed_writes_another_city(city, tmp_path):
    first, _ = city
    generate(tmp_path, seed=2, scale=SCALE)
    for name in ("properties.csv", "police.csv", "crm.csv", "truth.csv", "planted.csv"):
        assert (first / name).read_bytes() != (tmp_path / name).read_bytes(), name


def test_files_have_the_contract_headers_and_unix_line_endings(city):
    directory, _ = city
    for name in FILES:
        data = (directory / name).read_bytes()
        assert b"\r" not in data, name
        header = data.split(b"\n", 1)[0].decode()
        assert header == ",".join(HEADERS[name.removesuffix(".csv")]), name


def test_row_counts_follow_the_scale(city, tables, master):
    _, written = city
    sizes = sizes_for(SCALE)
    for name in FILES:
        assert written[name] == len(tables[name]), name
    assert len(master) == sizes["properties"]
    assert len(tables["properties.csv"]) > len(master)   # aliases and unit rows
    for department, (file_name, *_) in DEPARTMENTS.items():
        assert len(tables[file_name]) == sizes[department]
    assert len(tables["truth.csv"]) == sum(sizes[d] for d in DEPARTMENTS)
    assert [row["ward"] for row in tables["wards.csv"]] == [str(w) for w in range(1, 16)]
    assert sum(int(row["population"]) for row in tables["wards.csv"]) == sizes["population"]


@pytest.mark.parametrize("scale, properties, police", [(1, 28000, 60000), (10, 280000, 600000), (0.001, 600, 400)])
def test_sizes_scale_properties_and_records_together_with_floors(scale, properties, police):
    sizes = sizes_for(scale)
    assert (sizes["properties"], sizes["police"]) == (properties, police)


def test_scale_must_be_positive(tmp_path):
    with pytest.raises(ValueError):
        generate(tmp_path, scale=0)


def test_truth_covers_every_record_exactly_once(tables, records):
    keys = [(t["department"], t["source_record_id"]) for t in tables["truth.csv"]]
    assert len(keys) == len(set(keys))
    assert set(keys) == set(records)
    assert all(truth is not None for _, truth in records.values())


def test_ids_are_unique_and_well_formed_per_department(tables):
    for department, (file_name, id_column, _, _) in DEPARTMENTS.items():
        ids = [row[id_column] for row in tables[file_name]]
        assert len(ids) == len(set(ids)), department
        assert all(re.fullmatch(ID_PATTERNS[department], i) for i in ids), department


def test_every_truth_property_exists_and_other_targets_are_named(tables, master):
    for row in tables["truth.csv"]:
        target = row["truth"]
        assert target in master or target in ("BLOCK", "INTERSECTION", "NONE"), row


def test_dates_parse_in_each_departments_format_and_lie_in_the_period(tables):
    for department, (file_name, _, date_format, column) in DEPARTMENTS.items():
        for row in tables[file_name]:
            when = datetime.strptime(row[column], date_format).date()
            assert FIRST_DAY <= when <= LAST_DAY, (department, row)
    for row in tables["fire.csv"]:
        datetime.strptime(row["Alarm Time"], "%H:%M:%S")
    for row in tables["public_works.csv"]:
        assert re.fullmatch(r"\d{1,2}/\d{1,2}/20\d\d", row["Open Date"])
        assert not re.match(r"0\d/", row["Open Date"]), "M/D/YYYY has no leading zeros"
        if row["Status"] == "CLOSED":
            closed = datetime.strptime(row["Close Date"], "%m/%d/%Y").date()
            assert datetime.strptime(row["Open Date"], "%m/%d/%Y").date() <= closed <= LAST_DAY
        else:
            assert row["Close Date"] == ""
    for row in tables["crm.csv"]:
        if row["Closed"]:
            closed = datetime.strptime(row["Closed"], "%Y-%m-%d %H:%M:%S")
            assert datetime.strptime(row["Created"], "%Y-%m-%d %H:%M:%S") <= closed
            assert closed.date() <= LAST_DAY
        else:
            assert row["Status"] != "Closed"


def test_every_problem_property_shows_in_three_departments_in_the_last_90_days(tables, master, records):
    recent: dict[str, set[str]] = {}
    for (department, _), (row, truth) in records.items():
        _, _, date_format, column = DEPARTMENTS[department]
        if datetime.strptime(row[column], date_format).date() >= RECENT_FROM:
            recent.setdefault(truth["truth"], set()).add(department)
    planted = tables["planted.csv"]
    problems = [p["property_id"] for p in planted if p["kind"] == "problem"]
    assert len(problems) >= 6
    assert len({p["scenario"] for p in planted if p["kind"] == "problem"}) >= 5
    for property_id in problems:
        assert property_id in master
        assert len(recent.get(property_id, ())) >= 3, property_id
    institutions = {p["scenario"]: p["property_id"] for p in planted if p["kind"] == "institutional"}
    assert {"police_station", "hospital", "city_hall", "big_box_store"} <= set(institutions)
    for property_id in institutions.values():
        assert recent.get(property_id) == set(DEPARTMENTS), property_id


def test_few_background_properties_reach_three_departments(tables, records):
    planted = {p["property_id"] for p in tables["planted.csv"]}
    departments: dict[str, set[str]] = {}
    for (department, _), (_, truth) in records.items():
        departments.setdefault(truth["truth"], set()).add(department)
    background = [pid for pid, seen in departments.items() if pid.startswith("P") and pid not in planted]
    wide = [pid for pid in background if len(departments[pid]) >= 3]
    assert len(wide) <= 0.02 * len(background)


def test_master_has_corner_lots_ranges_duplexes_and_lookalike_streets(tables, master):
    addresses = {row["address"] for row in tables["properties.csv"]}
    assert len(addresses) == len(tables["properties.csv"]), "an address belongs to one property"
    assert {"2210 GRAND AVE", "2210 GRAND BLVD", "1523 N MAIN ST", "1523 S MAIN ST"} <= addresses

    def street_of(address):
        return re.sub(r"^[\d-]+ ", "", address).removesuffix(" UPPER").removesuffix(" LOWER")

    corner = [rows for rows in master.values()
              if len({street_of(r["address"]) for r in rows}) > 1 and not re.match(r"\d+-", rows[0]["address"])]
    ranges = [rows for rows in master.values() if re.match(r"\d+-\d+ ", rows[0]["address"])]
    stacked = [rows for rows in master.values() if any(r["address"].endswith(" UPPER") for r in rows)]
    assert len(corner) >= 20 and len(ranges) >= 20 and len(stacked) >= 20
    assert all(rows[0]["land_use"] == "DUPLEX" for rows in stacked)
    streets = {street_of(a) for a in addresses}
    assert {"GRAND AVE", "GRAND BLVD", "OAK CT", "NORTH AVE", "SOUTH ST", "5TH ST"} <= streets
    assert {"N OAK ST", "S OAK ST"} <= streets and any(s.endswith("ST PAUL AVE") for s in streets)
    for rows in master.values():
        assert len({(r["parcel_id"], r["land_use"], r["owner"]) for r in rows}) == 1


def test_property_attributes_are_in_range(tables, master):
    for row in tables["properties.csv"]:
        assert re.fullmatch(r"P\d{6}", row["property_id"])
        assert re.fullmatch(r"\d{15}", row["parcel_id"])
        assert row["address"] == row["address"].upper()
        assert (row["city"], row["state"]) == ("LAKEPORT", "WI")
        assert row["zip"] in {"53401", "53402", "53403", "53404", "53405", "53406"}
        assert 42.6 < float(row["lat"]) < 42.85 and -87.95 < float(row["lon"]) < -87.7
        assert row["land_use"] in {"RESIDENTIAL", "DUPLEX", "APARTMENT", "COMMERCIAL", "VACANT", "INSTITUTIONAL",
                                   "INDUSTRIAL"}
        assert 1 <= int(row["ward"]) <= 15
        assert row["neighborhood"] and row["owner"]
    parcels = [rows[0]["parcel_id"] for rows in master.values()]
    assert len(parcels) == len(set(parcels))


def test_every_department_carries_every_noise_of_its_table(records):
    seen: dict[str, set[str]] = {}
    for (department, _), (_, truth) in records.items():
        seen.setdefault(department, set()).add(truth["noise"])
    for department, table in NOISE_TABLES.items():
        assert set(table) <= seen[department], department
    assert {"block", "intersection"} <= seen["police"]
    assert {"garbage", "other_city", "block", "intersection"} <= seen["crm"]


def test_clean_and_alias_addresses_are_rows_of_the_true_property(records, master):
    checked = 0
    for (department, _), (row, truth) in records.items():
        if department == "police" and truth["noise"] in ("clean", "alias"):
            addresses = [r["address"] for r in master[truth["truth"]]]
            assert row["Location"] in addresses, (row, truth)
            if truth["noise"] == "alias":
                assert row["Location"] != addresses[0]
            checked += 1
    assert checked > 100


def test_wrong_numbers_point_at_no_address_but_keep_the_intended_property(records, master):
    addresses = {r["address"] for rows in master.values() for r in rows}
    wrong = [(row.get("Location") or row.get("Site Address"), truth) for (_, _), (row, truth) in records.items()
             if truth["noise"] == "wrong_number" and truth["department"] in ("police", "public_works")]
    assert wrong
    for text, truth in wrong:
        assert text not in addresses
        primary = master[truth["truth"]][0]["address"]
        assert text.split(" ", 1)[1] == primary.split(" ", 1)[1], "same street, another number"


def test_units_only_at_apartments_and_duplexes_and_range_members_inside_the_range(records, master):
    for (department, _), (row, truth) in records.items():
        if truth["noise"] == "unit":
            assert master[truth["truth"]][0]["land_use"] in ("APARTMENT", "DUPLEX"), row
        if truth["noise"] == "range_member" and department == "police":
            low, high = map(int, master[truth["truth"]][0]["address"].split(" ", 1)[0].split("-"))
            number = int(row["Location"].split(" ", 1)[0])
            assert low <= number <= high and number % 2 == low % 2


def test_typos_never_spell_another_street(tables, records):
    streets = {re.sub(r"^[\d-]+ ", "", r["address"]) for r in tables["properties.csv"]}
    typos = [row["Location"] for (department, _), (row, truth) in records.items()
             if department == "police" and truth["noise"] == "typo"]
    assert typos
    for location in typos:
        assert re.sub(r"^[\d-]+ ", "", location) not in streets, location


def test_public_works_tax_keys_are_dashed_parcels(records, master):
    parcels = {rows[0]["parcel_id"] for rows in master.values()}
    with_key = 0
    for (department, _), (row, truth) in records.items():
        if department != "public_works" or not row["Tax Key"]:
            continue
        with_key += 1
        assert re.fullmatch(r"\d{3}-\d{2}-\d{2}-\d{5}-\d{3}", row["Tax Key"])
        digits = row["Tax Key"].replace("-", "")
        if truth["noise"] == "parcel_typo":
            assert digits not in parcels
        else:
            assert digits == master[truth["truth"]][0]["parcel_id"]
    assert with_key >= 0.75 * sum(1 for d, _ in records if d == "public_works")


def test_crm_descriptions_carry_planted_pii(tables):
    descriptions = " ".join(row["Description"] for row in tables["crm.csv"])
    assert re.search(r"\(?262\)?[ .-]?555[ .-]?01\d\d", descriptions)
    assert re.search(r"[\w.]+@(mail\.)?example\.(com|net|org)", descriptions)


CRM_STAMP = "%Y-%m-%d %H:%M:%S"
TEAMS = {"Phones", "Walk-in", "Web and Email"}
TRANSFER_COLUMNS = ("Transferred From", "Transferred To", "Transferred At")


def _stamp(text):
    return datetime.strptime(text, CRM_STAMP)


def _days_to_close(row):
    return (_stamp(row["Closed"]) - _stamp(row["Created"])).total_seconds() / 86400


def test_every_crm_request_names_who_took_it_and_their_team(tables):
    teams: dict[str, set[str]] = {}
    for row in tables["crm.csv"]:
        assert row["Handled By"] and row["Team"] in TEAMS, row
        assert re.fullmatch(r"[A-Z]\. [A-Z][A-Za-z]+", row["Handled By"]), row["Handled By"]
        teams.setdefault(row["Handled By"], set()).add(row["Team"])
    assert all(len(of) == 1 for of in teams.values()), "each staff member is on one team"
    assert len(teams) >= 6 and teams[OVERLOADED_STAFF] == {"Phones"}
    on_phones = [name for name, of in teams.items() if of == {"Phones"}]
    assert len(on_phones) > len(teams) / 2, "most staff answer the phones"


def test_crm_transfers_move_a_request_to_the_department_that_owns_it_before_it_closes(tables):
    transferred = 0
    for row in tables["crm.csv"]:
        moved = [row[column] for column in TRANSFER_COLUMNS]
        if not any(moved):
            continue
        transferred += 1
        assert all(moved), row
        assert row["Category"] in ("Complaint", "Inquiry"), row
        assert row["Transferred To"] == row["Department Routed"] != row["Transferred From"], row
        moved_at = _stamp(row["Transferred At"])
        assert _stamp(row["Created"]) < moved_at and moved_at.date() <= LAST_DAY, row
        if row["Closed"]:
            assert moved_at <= _stamp(row["Closed"]), row
    assert transferred > 0


@pytest.mark.parametrize("topic", sorted(SEASONAL_TOPICS))
def test_seasonal_crm_topics_keep_to_their_months(tables, topic):
    months = Counter(_stamp(row["Created"]).month for row in tables["crm.csv"] if row["Topic"] == topic)
    assert months and set(months) <= set(SEASONAL_TOPICS[topic]), months


def test_seasonal_months_are_snow_in_winter_and_grass_in_summer_as_the_topics_seasons_say():
    assert set(SEASONAL_TOPICS["Snow Removal"]) == {11, 12, 1, 2, 3}
    assert set(SEASONAL_TOPICS["Tall Grass"]) == set(range(4, 11))
    season_of = {row[0]: row[3] for row in CRM_TOPICS}
    for topic, months in SEASONAL_TOPICS.items():
        profile = SEASONS[season_of[topic]]
        assert {month for month in range(1, 13) if profile[month - 1] > 0} == set(months), topic


# The planted customer-service patterns, on the full-size city (`make run`'s): a small city has
# too few records per ward and per staff member to show them reliably.


@pytest.fixture(scope="module")
def full_tables(full_city):
    directory, _ = full_city
    return {name: _read(directory, name) for name in ("crm.csv", "truth.csv", "properties.csv", "wards.csv")}


def test_about_the_planned_share_of_complaints_and_inquiries_is_transferred_and_waits_longer(full_tables):
    asked = [row for row in full_tables["crm.csv"] if row["Category"] in ("Complaint", "Inquiry")]
    moved = [row for row in asked if row["Transferred At"]]
    assert 0.75 * TRANSFER_SHARE <= len(moved) / len(asked) <= 1.25 * TRANSFER_SHARE
    pairs = Counter((row["Transferred From"], row["Transferred To"]) for row in moved)
    assert {("Public Works", "Building"), ("Police", "Public Works"), ("Customer Service", "Public Works"),
            ("Health", "Building")} <= set(pairs)
    waited = median(_days_to_close(row) for row in moved if row["Closed"])
    direct = median(_days_to_close(row) for row in asked if row["Closed"] and not row["Transferred At"])
    assert waited > 1.2 * direct


def test_the_slow_department_takes_over_twice_as_long_to_close(full_tables):
    # Transfer-category requests close within minutes (handed to police or fire at once): left out.
    closed = [row for row in full_tables["crm.csv"] if row["Closed"] and row["Category"] != "Transfer"]
    slow = median(_days_to_close(row) for row in closed if row["Department Routed"] == SLOW_DEPARTMENT)
    others = median(_days_to_close(row) for row in closed if row["Department Routed"] != SLOW_DEPARTMENT)
    assert slow > 2 * others


def test_the_overloaded_staff_member_takes_over_twice_the_requests_of_any_phones_colleague(full_tables):
    rows = full_tables["crm.csv"]
    on_phones = Counter(row["Handled By"] for row in rows if row["Team"] == "Phones")
    (busiest, most), (_, next_most) = on_phones.most_common(2)
    assert busiest == OVERLOADED_STAFF and most > 2 * next_most
    closed = [row for row in rows if row["Closed"] and row["Category"] != "Transfer" and row["Team"] == "Phones"]
    theirs = median(_days_to_close(row) for row in closed if row["Handled By"] == OVERLOADED_STAFF)
    colleagues = median(_days_to_close(row) for row in closed if row["Handled By"] != OVERLOADED_STAFF)
    assert theirs > 1.3 * colleagues


def test_the_complaining_ward_calls_311_far_more_than_its_other_records_suggest(full_tables):
    ward_of = {row["property_id"]: row["ward"] for row in full_tables["properties.csv"]}
    people = {row["ward"]: int(row["population"]) for row in full_tables["wards.csv"]}
    at_properties = Counter((row["department"], ward_of[row["truth"]]) for row in full_tables["truth.csv"]
                            if row["truth"] in ward_of)

    def per_thousand(department):
        return {ward: 1000 * at_properties[department, ward] / residents for ward, residents in people.items()}

    ward = str(COMPLAINING_WARD)
    crm = per_thousand("crm")
    other_wards = [rate for w, rate in crm.items() if w != ward]
    assert crm[ward] > 2 * median(other_wards) and crm[ward] > max(other_wards)
    for department in ("police", "fire", "public_works"):
        rates = per_thousand(department)
        others = [rate for w, rate in rates.items() if w != ward]
        assert min(others) <= rates[ward] <= max(others), department
    police = per_thousand("police")
    assert 0.67 < police[ward] / median(rate for w, rate in police.items() if w != ward) < 1.5


def test_command_line_writes_the_city_and_prints_one_line(tmp_path, capsys):
    assert main([str(tmp_path / "out"), "--seed", "3", "--scale", "0.02"]) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    assert len(printed) == 1 and "records" in printed[0]
    assert all((tmp_path / "out" / name).exists() for name in FILES)
