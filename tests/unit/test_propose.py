"""Proposing a column mapping from a file's headers and values, one line per kind of real-world export."""

import shlex

import pandas as pd
import pytest

from loaders import mappings
from loaders.propose import ADDRESS_BLOCK, POINT, X, Y, Proposal, propose
from loaders.read import read_table
from loaders.specs import CANONICAL_FIELDS
from tests.conftest import shared_file


def frame(columns: dict[str, list[str]]) -> pd.DataFrame:
    return pd.DataFrame(columns, dtype=str)


CALL_TYPES = ["Disturbance", "Suspicious Person", "Theft", "Welfare Check", "Disturbance", "Traffic Stop",
              "Burglary", "Suspicious Vehicle", "Domestic", "Disturbance"]
LOCATIONS = ["1200 BLOCK N MAIN ST", "MAIN ST & 5TH AVE", "1456 W 6TH ST", "900 BLOCK WASHINGTON AVE",
             "16TH ST / GREEN BAY RD", "2201 DOUGLAS AVE", "1400 BLOCK HOLMES AVE", "300 BLOCK STATE ST",
             "1412 ELM ST", "1200 BLOCK N MAIN ST"]
RECEIVED = ["01/05/2025 14:32", "01/05/2025 15:10", "01/06/2025 02:47", "01/06/2025 09:05", "01/07/2025 23:59",
            "01/08/2025 07:15", "01/08/2025 11:40", "01/09/2025 18:22", "01/10/2025 20:01", "01/11/2025 13:13"]

CAD_EXPORT = frame({
    "EventNo": [f"P25-{n:06d}" for n in range(101, 111)],
    "Rcvd": RECEIVED,
    "Nature": CALL_TYPES,
    "Loc": LOCATIONS,
    "Unit": ["B21", "B14", "C3", "B21", "A7", "C3", "B14", "A7", "B21", "C3"],
})
CRYPTIC_POLICE = frame({
    "c1": [f"24-00{n}" for n in range(1234, 1244)],
    "c2": [f"2024-03-{day:02d} 10:{day:02d}:00" for day in range(1, 11)],
    "c3": CALL_TYPES,
    "c4": LOCATIONS,
    "c5": ["B2", "B2", "C1", "A4", "B2", "C1", "A4", "A4", "B2", "C1"],
    "c6": ["1", "2", "1", "3", "2", "2", "1", "3", "1", "2"],
})
CRYPTIC_FIRE = frame({
    "c1": [f"F24-0{n}" for n in range(101, 111)],
    "c2": [f"2024-05-{day:02d}T13:45:{day:02d}" for day in range(1, 11)],
    "c3": ["111", "113", "321", "321", "745", "131", "321", "611", "743", "412"],
    "c4": ["Building fire", "Cooking fire, confined to container", "EMS call, excluding vehicle accident with injury",
           "EMS call, excluding vehicle accident with injury", "Alarm system activation, no fire - unintentional",
           "Passenger vehicle fire", "EMS call, excluding vehicle accident with injury",
           "Dispatched & canceled en route", "Smoke detector activation, no fire - unintentional",
           "Gas leak (natural gas or LPG)"],
    "c5": ["123 MAIN ST", "1456 W 6TH ST", "2201 DOUGLAS AVE", "77 LAKESHORE DR", "1412 ELM ST", "MAIN ST & 5TH AVE",
           "900 WASHINGTON AVE", "31 COLLEGE AVE", "1600 HIGH ST", "14 OAK CT"],
    "c6": ["42.7261", "42.7130", "42.7005", "42.7344", "42.7189", "42.7266", "42.7102", "42.7250", "42.7371",
           "42.7158"],
    "c7": ["-87.7829", "-87.8012", "-87.8190", "-87.7790", "-87.7955", "-87.7830", "-87.8101", "-87.7845",
           "-87.7901", "-87.8203"],
})
CODE_CASES = frame({
    "File No": [f"CE-24-000{n:02d}" for n in range(10, 20)],
    "Opened On": ["3/14/2024", "3/15/2024", "3/18/2024", "3/19/2024", "3/21/2024", "3/22/2024", "3/25/2024",
                  "3/26/2024", "3/28/2024", "3/29/2024"],
    "Violation": ["TALL GRASS", "JUNK AND DEBRIS", "UNSAFE STRUCTURE", "VACANT BUILDING", "TALL GRASS",
                  "JUNK AND DEBRIS", "TALL GRASS", "PROPERTY MAINTENANCE", "VACANT BUILDING", "TALL GRASS"],
    "Site": ["1414 ELM ST", "27 N MAIN ST", "1600 HIGH ST", "905 WASHINGTON AVE", "14 OAK CT", "2201 DOUGLAS AVE",
             "311 COLLEGE AVE", "78 LAKESHORE DR", "1456 W 6TH ST", "903 WASHINGTON AVE"],
    "Stage": ["Open", "Closed", "Open", "Open", "Closed", "Open", "Closed", "Open", "Open", "Closed"],
    "Inspector": ["J SMITH", "A NOWAK", "J SMITH", "J SMITH", "A NOWAK", "L OLSON", "L OLSON", "J SMITH", "A NOWAK",
                  "L OLSON"],
})
SERVICE_REQUESTS = frame({
    "Ticket Num": [f"{n}" for n in range(880121, 880131)],
    "Submitted": [f"2025-06-{day:02d} 08:{day:02d}" for day in range(1, 11)],
    "Issue": ["Pothole", "Graffiti", "Missed trash pickup", "Street light out", "Pothole", "Graffiti",
              "Bulk item pickup", "Pothole", "Missed recycling pickup", "Street light out"],
    "Where": ["1414 ELM ST", "27 N MAIN ST", "1600 HIGH ST", "MAIN ST & 5TH AVE", "14 OAK CT", "2201 DOUGLAS AVE",
              "311 COLLEGE AVE", "78 LAKESHORE DR", "1456 W 6TH ST", "903 WASHINGTON AVE"],
    "Channel": ["Phone", "Web", "Web", "Phone", "App", "Web", "Phone", "Web", "App", "Web"],
})
NOTHING_TELLS = frame({
    "c1": ["A1", "A2", "A3", "A4", "A5", "A6"],
    "c2": ["red", "blue", "red", "green", "blue", "red"],
    "c3": ["0.5", "1.5", "2.5", "0.5", "1.5", "2.5"],
})


@pytest.mark.parametrize("extract, department, expected", [
    pytest.param(CAD_EXPORT, "police",
                 {"source_record_id": "EventNo", "occurred_at": "Rcvd", "category": "Nature", "address": "Loc"},
                 id="CAD export: EventNo, Rcvd, Nature, Loc"),
    pytest.param(CRYPTIC_POLICE, "police",
                 {"source_record_id": "c1", "occurred_at": "c2", "category": "c3", "address": "c4"},
                 id="police calls, headers c1..c6: call types give it away"),
    pytest.param(CRYPTIC_FIRE, "fire",
                 {"source_record_id": "c1", "occurred_at": "c2", "category": "c4", "address": "c5", "lat": "c6",
                  "lon": "c7"},
                 id="fire incidents, headers c1..c7: NFIRS descriptions give it away"),
    pytest.param(CODE_CASES, "public_works",
                 {"source_record_id": "File No", "occurred_at": "Opened On", "category": "Violation",
                  "address": "Site", "status": "Stage"},
                 id="code cases under names no spec knows"),
    pytest.param(SERVICE_REQUESTS, "crm",
                 {"source_record_id": "Ticket Num", "occurred_at": "Submitted", "category": "Issue",
                  "address": "Where"},
                 id="service requests under names no spec knows"),
])
def test_names_the_department_and_maps_its_fields(extract, department, expected):
    proposal = propose(extract)
    assert proposal.department == department, proposal.department_why
    assert {field: proposal.columns.get(field) for field in expected} == expected
    assert proposal.missing == ()
    assert proposal.department_why
    # what it proposes is a mapping the loaders take as it is
    assert mappings.check_mapping(department, proposal.columns, list(extract.columns), "extract.csv") \
        == proposal.columns


def test_says_so_when_nothing_names_a_department():
    proposal = propose(NOTHING_TELLS)
    assert proposal.department is None
    assert proposal.missing == ()
    assert "nothing" in proposal.department_why


@pytest.mark.parametrize("extract", [CAD_EXPORT, CRYPTIC_POLICE, CRYPTIC_FIRE, CODE_CASES, SERVICE_REQUESTS,
                                     NOTHING_TELLS])
def test_never_maps_one_column_to_two_fields(extract):
    proposal = propose(extract)
    assert len(set(proposal.columns.values())) == len(proposal.columns)
    assert [(guess.field, guess.column) for guess in proposal.guesses] == list(proposal.columns.items())
    assert all(guess.why for guess in proposal.guesses)


def test_a_given_department_is_used_as_given():
    proposal = propose(CODE_CASES, department="crm")
    assert proposal.department == "crm"
    assert proposal.columns["source_record_id"] == "File No"
    with pytest.raises(KeyError, match="known departments"):
        propose(CODE_CASES, department="parks")


def test_reports_the_required_fields_it_cannot_fill():
    without_address = CAD_EXPORT.drop(columns=["Loc"])
    proposal = propose(without_address, department="police")
    assert proposal.missing == ("address",)


# --- which column is the record's id ------------------------------------------------------------

CASE_ROWS = frame({
    "OBJECTID": [str(n) for n in range(1, 9)],
    "case_number": ["CE-101", "CE-101", "CE-102", "CE-103", "CE-103", "CE-103", "CE-104", "CE-105"],
    "violation": ["TALL GRASS", "JUNK", "TALL GRASS", "UNSAFE STRUCTURE", "JUNK", "TALL GRASS", "JUNK", "TALL GRASS"],
    "opened": ["2024-04-01", "2024-04-01", "2024-04-03", "2024-04-04", "2024-04-04", "2024-04-04", "2024-04-08",
               "2024-04-09"],
})


@pytest.mark.parametrize("case", ["case_number", "case_ref", "Complaint #"])
@pytest.mark.parametrize("counter", ["OBJECTID", "_id", "FID", "row"])
def test_a_named_case_number_beats_a_unique_row_counter(counter, case):
    proposal = propose(CASE_ROWS.rename(columns={"OBJECTID": counter, "case_number": case}))
    assert proposal.department == "public_works"
    assert proposal.columns["source_record_id"] == case


def test_an_id_that_repeats_says_so():
    proposal = propose(CASE_ROWS.rename(columns={"case_number": "case_ref"}))
    assert next(g.why for g in proposal.guesses if g.field == "source_record_id") == \
        "named like an id; 5 distinct values in 8 rows (several rows per record)"


def test_a_unique_column_is_the_id_when_nothing_is_named_like_one():
    proposal = propose(CRYPTIC_POLICE)
    assert next(g.why for g in proposal.guesses if g.field == "source_record_id") == \
        "every value is unique (10 of 10)"


def test_a_responding_unit_is_not_the_call_number():
    calls = CAD_EXPORT.assign(unit_number=[f"B{n}" for n in range(700, 710)], EventNo=[
        "P25-000101", "P25-000101", "P25-000102", "P25-000103", "P25-000103", "P25-000104", "P25-000105",
        "P25-000106", "P25-000106", "P25-000107"])
    proposal = propose(calls)
    assert proposal.columns["source_record_id"] == "EventNo"


# --- dates -------------------------------------------------------------------------------------

def test_prefers_the_date_it_was_opened_to_the_dates_it_changed():
    cases = frame({
        "Case Ref": [f"V{n}" for n in range(10, 16)],
        "LastUpdated": ["2024-05-02", "2024-05-03", "2024-05-04", "2024-05-05", "2024-05-06", "2024-05-07"],
        "DueDate": ["2024-06-01", "2024-06-02", "2024-06-03", "2024-06-04", "2024-06-05", "2024-06-06"],
        "Received On": ["2024-04-01", "2024-04-02", "2024-04-03", "2024-04-04", "2024-04-05", "2024-04-06"],
        "Resolved": ["2024-04-20", "", "2024-04-22", "", "2024-04-25", "2024-04-26"],
        "Violation": ["TALL GRASS", "JUNK", "TALL GRASS", "VACANT BUILDING", "JUNK", "TALL GRASS"],
    })
    proposal = propose(cases)
    assert proposal.columns["occurred_at"] == "Received On"
    assert proposal.columns["closed_at"] == "Resolved"
    why = next(g.why for g in proposal.guesses if g.field == "occurred_at")
    assert why.startswith("100% read as dates")


def test_a_date_and_a_time_of_day_apart_make_one_moment():
    calls = CAD_EXPORT.drop(columns=["Rcvd"]).assign(
        CallDate=[when.split()[0] for when in RECEIVED], CallTime=[when.split()[1] for when in RECEIVED])
    proposal = propose(calls, department="police")
    assert (proposal.columns.get("occurred_date"), proposal.columns.get("occurred_time")) == ("CallDate", "CallTime")


def test_dates_that_read_either_way_round_are_still_dates_with_a_question():
    cases = CODE_CASES.assign(**{"Opened On": ["03/04/2024", "04/03/2024", "05/06/2024", "06/05/2024", "07/08/2024",
                                               "08/07/2024", "09/10/2024", "10/09/2024", "11/12/2024",
                                               "12/11/2024"]})
    proposal = propose(cases)
    assert proposal.columns["occurred_at"] == "Opened On"
    assert "month/day or day/month" in next(g.why for g in proposal.guesses if g.field == "occurred_at")


# --- addresses and coordinates ------------------------------------------------------------------

@pytest.mark.parametrize("number, street, values, expected", [
    pytest.param("Hundred", "Street Name", ["1200", "300", "4500", "100"],
                 {ADDRESS_BLOCK: "Hundred", "address": "Street Name"}, id="hundred-block numbers beside the street"),
    pytest.param("Hse Nbr", "Roadway", ["1412", "27", "905", "3"],
                 {"address_number": "Hse Nbr", "address_street": "Roadway"}, id="house numbers beside the street"),
])
def test_an_address_split_across_columns(number, street, values, expected):
    calls = CAD_EXPORT.drop(columns=["Loc"]).head(4).assign(**{
        number: values, street: ["N MAIN ST", "WASHINGTON AVE", "E 6TH ST", "ELM ST"]})
    proposal = propose(calls, department="police")
    assert {field: proposal.columns.get(field) for field in expected} == expected
    assert proposal.missing == ()


@pytest.mark.parametrize("coordinates, expected", [
    pytest.param({"Geo": ["(42.7261, -87.7829)", "(42.7130, -87.8012)", "(42.7005, -87.8190)", "(42.7344, -87.7790)"]},
                 {POINT: "Geo"}, id="(lat, lon) text"),
    pytest.param({"Shape": ["POINT (-87.7829 42.7261)", "POINT (-87.8012 42.7130)", "POINT (-87.8190 42.7005)",
                            "POINT (-87.7790 42.7344)"]},
                 {POINT: "Shape"}, id="WKT point"),
    pytest.param({"XPos": ["2561234.5", "2560011.0", "2559870.25", "2562001.75"],
                  "YPos": ["391234.0", "390876.5", "389990.0", "392100.5"]},
                 {X: "XPos", Y: "YPos"}, id="state-plane feet"),
    pytest.param({"X": ["-87.7829", "-87.8012", "-87.8190", "-87.7790"],
                  "Y": ["42.7261", "42.7130", "42.7005", "42.7344"]},
                 {"lon": "X", "lat": "Y"}, id="X and Y holding degrees"),
    pytest.param({"Lat": ["42.7261", "42.7130", "42.7005", "42.7344"],
                  "Lng": ["-87.7829", "-87.8012", "-87.8190", "-87.7790"],
                  "Geo": ["(42.7261, -87.7829)", "(42.7130, -87.8012)", "(42.7005, -87.8190)", "(42.7344, -87.7790)"]},
                 {"lat": "Lat", "lon": "Lng", POINT: None}, id="lat/lon beside a point: the point adds nothing"),
])
def test_coordinates(coordinates, expected):
    proposal = propose(CAD_EXPORT.head(4).assign(**coordinates), department="police")
    assert {field: proposal.columns.get(field) for field in expected} == expected


def test_parcel_city_zip_and_free_text():
    cases = CODE_CASES.assign(**{
        "Tax Parcel No": ["276-00-00-012-000", "276-00-00-013-000", "276-00-00-114-000", "276-00-00-215-000",
                          "276-00-00-016-000", "276-00-00-017-000", "276-00-00-318-000", "276-00-00-019-000",
                          "276-00-00-020-000", "276-00-00-021-000"],
        "Town": ["LAKEPORT"] * 9 + ["MOUNT PLEASANT"],
        "Postal": ["53403"] * 5 + ["53404"] * 4 + ["53406"],
        "Inspector Notes": ["Grass over 8 inches in back yard, posted notice on door",
                            "Couch and mattress at curb for two weeks", "Rear porch stairs collapsed, posted unsafe",
                            "Windows boarded, utilities off, no activity", "Grass over 8 inches, second notice",
                            "Tires and scrap in driveway", "Grass over 8 inches along alley",
                            "Gutters hanging, siding missing on north side", "Boarded, owner unreachable by phone",
                            "Grass over 8 inches, owner says mower broken"],
    })
    proposal = propose(cases)
    assert proposal.department == "public_works"
    assert {field: proposal.columns.get(field) for field in ("source_record_id", "parcel_id", "city", "zip",
                                                              "description")} == {
        "source_record_id": "File No", "parcel_id": "Tax Parcel No", "city": "Town", "zip": "Postal",
        "description": "Inspector Notes"}


def test_a_field_not_yet_canonical_is_not_proposed(monkeypatch):
    monkeypatch.delitem(CANONICAL_FIELDS, POINT)
    proposal = propose(CAD_EXPORT.head(4).assign(Geo=["(42.72, -87.78)", "(42.71, -87.80)", "(42.70, -87.81)",
                                                      "(42.73, -87.77)"]), department="police")
    assert POINT not in proposal.columns
    assert "Geo" not in proposal.columns.values()


# --- the command line ----------------------------------------------------------------------------

def test_the_save_mapping_command_is_shell_quoted():
    proposal = Proposal(department="police", columns={"source_record_id": "Event No", "occurred_at": "Rcvd"},
                        guesses=(), missing=())
    command = proposal.save_command("calls june.csv", name="cad 2025")
    assert command == ("python -m loaders save-mapping --department police --name 'cad 2025' "
                       "--file 'calls june.csv' --map 'source_record_id=Event No' occurred_at=Rcvd")
    assert shlex.split(command)[-2:] == ["source_record_id=Event No", "occurred_at=Rcvd"]


def test_the_save_mapping_command_of_a_proposal():
    command = propose(CAD_EXPORT).save_command("cad.csv")
    assert command.startswith("python -m loaders save-mapping --department police --name NAME --file cad.csv --map ")
    assert "source_record_id=EventNo" in shlex.split(command)


def test_looks_at_a_sample_of_a_long_file():
    long = pd.concat([CRYPTIC_POLICE] * 3000, ignore_index=True)
    long["c1"] = [f"P25-{n:07d}" for n in range(len(long))]
    proposal = propose(long, sample_rows=500)
    assert proposal.department == "police"
    assert proposal.columns["source_record_id"] == "c1"
    assert next(g.why for g in proposal.guesses if g.field == "source_record_id") == \
        "every value is unique (500 of 500 rows looked at)"


# --- real extracts ------------------------------------------------------------------------------

REAL = [
    pytest.param("311/stlouis_csb_2012.csv", "crm",
                 {"source_record_id": "REQUESTID", "occurred_at": "DATETIMEINIT", "closed_at": "DATETIMECLOSED",
                  "category": "PROBLEMCODE", "status": "STATUS", "address": "PROBADDRESS"}, id="St. Louis CSB"),
    pytest.param("311/nyc_311.csv", "crm",
                 {"source_record_id": "Unique Key", "occurred_at": "Created Date", "closed_at": "Closed Date",
                  "category": "Complaint Type", "subcategory": "Descriptor", "address": "Incident Address",
                  "lat": "Latitude", "lon": "Longitude"}, id="NYC 311"),
    pytest.param("police/dallas_active_calls.csv", "police",
                 {"source_record_id": "incident_number", "occurred_at": "date_time", "category": "nature_of_call",
                  "address": "location", ADDRESS_BLOCK: "block"}, id="Dallas police"),
    pytest.param("police/stlouis_cfs_scraped.csv", "police",
                 {"source_record_id": "id", "occurred_at": "eventtime", "category": "description",
                  "address": "location"}, id="St. Louis CFS police"),
    pytest.param("fire/pittsburgh_fire_incidents.csv", "fire",
                 {"source_record_id": "call_no", "occurred_at": "alarm_time", "category": "type_description",
                  "subcategory": "incident_type", "address": "address", "lat": "latitude", "lon": "longitude"},
                 id="Pittsburgh fire"),
    pytest.param("code_enforcement/pittsburgh_condemned_deadend_properties.csv", "public_works",
                 {"occurred_at": "date", "category": "property_type", "status": "inspection_status",
                  "address": "address", "parcel_id": "parcel_id"}, id="Pittsburgh condemned"),
    pytest.param("code_enforcement/baltimore_vacant_building_notices.csv", "public_works",
                 {"source_record_id": "ReferenceID", "occurred_at": "NoticeDate", "address": "BuildingAddress",
                  POINT: "Location"}, id="Baltimore vacant notices"),
    pytest.param("code_enforcement/chicago_building_violations.csv", "public_works",
                 {"occurred_at": "VIOLATION DATE", "address": "ADDRESS", "lat": "LATITUDE", "lon": "LONGITUDE"},
                 id="Chicago violations"),
]


def real_extract(relative: str) -> pd.DataFrame:
    path = shared_file(f"real_extracts/{relative}")
    return read_table(path.read_bytes(), path.name).frame


@pytest.mark.realdata
@pytest.mark.parametrize("relative, department, expected", REAL)
def test_real_extracts(relative, department, expected):
    extract = real_extract(relative)
    proposal = propose(extract)
    assert proposal.department == department, proposal.department_why
    assert {field: proposal.columns.get(field) for field in expected} == expected
    assert len(set(proposal.columns.values())) == len(proposal.columns)


@pytest.mark.realdata
def test_real_extracts_id_choices():
    # One row per violation: the violation's own id and the inspection's number both name a record.
    assert propose(real_extract("code_enforcement/chicago_building_violations.csv")).columns["source_record_id"] \
        in ("ID", "INSPECTION NUMBER")
    # No case number at all: the portal's row id is all there is, and the proposal says what it is.
    condemned = propose(real_extract("code_enforcement/pittsburgh_condemned_deadend_properties.csv"))
    assert condemned.columns["source_record_id"] == "_id"
    assert "row counter" in next(g.why for g in condemned.guesses if g.field == "source_record_id")
    # A missing category is reported, not filled with a neighbourhood or a police district.
    baltimore = propose(real_extract("code_enforcement/baltimore_vacant_building_notices.csv"))
    assert baltimore.missing == ("category",)


# With every header replaced by c1, c2, ...: what the values alone tell.
HIDDEN = [
    pytest.param("311/nyc_311.csv", "crm",
                 {"occurred_at": "Created Date", "category": "Complaint Type", "address": "Incident Address"},
                 id="NYC 311"),
    pytest.param("311/stlouis_csb_2012.csv", "crm", {"occurred_at": "DATETIMEINIT", "address": "PROBADDRESS"},
                 id="St. Louis CSB"),
    pytest.param("police/dallas_active_calls.csv", "police",
                 {"occurred_at": "date_time", "category": "nature_of_call"}, id="Dallas police"),
    pytest.param("police/stlouis_cfs_scraped.csv", "police",
                 {"source_record_id": "id", "occurred_at": "eventtime", "category": "description",
                  "address": "location"}, id="St. Louis CFS police"),
    pytest.param("fire/pittsburgh_fire_incidents.csv", "fire",
                 {"source_record_id": "call_no", "occurred_at": "alarm_time", "category": "type_description",
                  "address": "address", "lat": "latitude", "lon": "longitude"}, id="Pittsburgh fire"),
    pytest.param("code_enforcement/pittsburgh_condemned_deadend_properties.csv", "public_works",
                 {"occurred_at": "date", "category": "property_type", "address": "address"},
                 id="Pittsburgh condemned"),
    pytest.param("code_enforcement/chicago_building_violations.csv", "public_works",
                 {"source_record_id": "ID", "category": "VIOLATION DESCRIPTION", "address": "ADDRESS"},
                 id="Chicago violations"),
    pytest.param("code_enforcement/baltimore_vacant_building_notices.csv", None,
                 {"source_record_id": "ReferenceID", "occurred_at": "NoticeDate", "address": "BuildingAddress",
                  POINT: "Location"}, id="Baltimore vacant notices"),
]


@pytest.mark.realdata
@pytest.mark.parametrize("relative, department, expected", HIDDEN)
def test_real_extracts_by_their_values_alone(relative, department, expected):
    extract = real_extract(relative)
    names = list(extract.columns)
    extract.columns = [f"c{position}" for position in range(1, len(names) + 1)]
    proposal = propose(extract)
    assert proposal.department == department, proposal.department_why
    proposed = {field: names[int(column[1:]) - 1] for field, column in proposal.columns.items()}
    assert {field: proposed.get(field) for field in expected} == expected
