"""The matcher, case by case on a small hand-made master: one line per real-world situation."""

import json

import pandas as pd
import pytest

from integration.matcher import Matcher, match

# property_id, address, parcel_id, lat, lon  (properties ~200 m apart)
MASTER_ROWS = [
    ("P1", "100 N MAIN ST", "276000000000100", 42.7000, -87.8000),
    ("P2", "100 S MAIN ST", "276000000000200", 42.6900, -87.8000),
    ("P3", "2210 GRAND AVE", "276000000000300", 42.7020, -87.8100),
    ("P4", "2210 GRAND BLVD", "276000000000400", 42.7040, -87.8200),
    ("P5", "1500-1504 WASHINGTON AVE", "276000000000500", 42.7060, -87.8000),
    ("P6", "1510 WASHINGTON AVE", "276000000000600", 42.7060, -87.8030),
    ("P7", "1506-1512 WASHINGTON AVE", "276000000000700", 42.7060, -87.8060),
    ("P8", "1412 HOLMES AVE UPPER", "276000000000800", 42.7080, -87.8000),
    ("P9", "1412 HOLMES AVE LOWER", "276000000000900", 42.7080, -87.8001),
    ("P10", "3300 RAPIDS DR", "276000000001000", 42.7100, -87.8000),
    ("P11", "700 5TH ST", "276000000001100", 42.7120, -87.8000),
    ("P11", "501 WISCONSIN AVE", "276000000001100", 42.7120, -87.8000),
    ("P12", "123 NORTH AVE", "276000000001200", 42.7140, -87.8000),
    ("P13", "418 ST PAUL AVE", "276000000001300", 42.7160, -87.8000),
    ("P14", "1900 WASHINGTON AVE", "276000000001400", 42.7180, -87.8000),
    ("P15", "240 OAK ST", "276000000001500", 42.7200, -87.8000),
    ("P16", "240 OAK CT", "276000000001600", 42.7220, -87.8000),
    ("P17", "1012 MARQUETTE ST", "276000000001700", 42.7240, -87.8000),
    ("P18", "1016 MARQUETTE ST", "276000000001800", 42.7240, -87.8030),
    ("P19", "88 MOUNT PLEASANT ST", "276000000001900", 42.7260, -87.8000),
    ("P20", "45 ELM ST", "276000000002000", 42.7280, -87.8000),
    ("P21", "45 1/2 ELM ST", "276000000002100", 42.7280, -87.8030),
    ("P22", "47 ELM ST", "276000000002200", 42.7280, -87.8060),
    ("P23", "1249 51 VOSKAMP ST", "276000000002300", 42.7300, -87.8000),  # a range written with a space
    ("P24", "920 N TYSON ST", "276000000002400", 42.7320, -87.8000),
    ("P25", "953 TYSON ST", "276000000002500", 42.7320, -87.8030),
    ("P26", "214\n214 LANGLEY AVE", "276000000002600", 42.7340, -87.8000),
    ("P27", "5724 MURRAY HILL AVE", "276000000002700", 42.7360, -87.8000),
]
MASTER = pd.DataFrame(MASTER_ROWS, columns=["property_id", "address", "parcel_id", "lat", "lon"]).assign(
    city="LAKEPORT", state="WI", zip="53403", neighborhood="WEST SIDE"
)


@pytest.fixture(scope="module")
def matcher():
    return Matcher(MASTER)


def place(matcher, address, **fields):
    records = pd.DataFrame([{"address": address, **fields}])
    return matcher.match(records).iloc[0]


CASES = [
    # address as written                        status          method       property
    ("100 N MAIN ST", "matched", "exact", "P1"),
    ("100 North Main Street", "matched", "exact", "P1"),
    ("100 n. main st.", "matched", "exact", "P1"),
    ("100 N MAIN ST, LAKEPORT, WI 53403", "matched", "exact", "P1"),
    ("100 N Main St Lakeport WI", "matched", "exact", "P1"),
    ("100 N MAIN ST, WEST SIDE", "matched", "exact", "P1"),
    ("100 MAIN ST", "review", None, None),  # N and S MAIN ST both have a 100: a tie, never a guess
    ("2210 GRAND AVE", "matched", "exact", "P3"),
    ("2210 Grand Avenue", "matched", "exact", "P3"),
    ("2210 GRAND BLVD", "matched", "exact", "P4"),
    ("2210 GRAND", "review", None, None),  # AVE or BLVD?
    ("1502 WASHINGTON AVE", "matched", "range", "P5"),
    ("1500-1504 WASHINGTON AVE", "matched", "exact", "P5"),
    ("1510 WASHINGTON AVE", "matched", "exact", "P6"),  # an exact parcel beats a range
    ("1508 WASHINGTON AVE", "matched", "range", "P7"),
    ("1412 HOLMES AVE UPPER", "matched", "exact", "P8"),
    ("1412 Holmes Ave Lower", "matched", "exact", "P9"),
    ("1412 HOLMES AVE", "review", None, None),  # two properties share the building
    ("3300 RAPIDS DR APT 4", "matched", "unit_base", "P10"),
    ("3300 Rapids Drive #12", "matched", "unit_base", "P10"),
    ("501 WISCONSIN AVE", "matched", "alias", "P11"),
    ("700 5TH ST", "matched", "exact", "P11"),
    ("700 Fifth Street", "matched", "exact", "P11"),
    ("123 NORTH AVE", "matched", "exact", "P12"),
    ("418 Saint Paul Avenue", "matched", "exact", "P13"),
    ("418 ST PAUL AVE", "matched", "exact", "P13"),
    ("88 MT PLEASANT ST", "matched", "exact", "P19"),
    ("1900 WASHINGTN AVE", "matched", "fuzzy", "P14"),
    ("1900 WASHINGTON", "matched", "fuzzy", "P14"),  # missing suffix, only one WASHINGTON
    ("1901 WASHINGTON AVE", "review", None, None),  # that number does not exist on the street
    ("240 OAK STREET", "matched", "exact", "P15"),
    ("240 OAK", "review", None, None),  # OAK ST or OAK CT
    ("1014 MARQUETTE ST", "review", None, None),  # between two houses: never the neighbour
    ("1200 BLOCK N MAIN ST", "block", None, None),
    ("12XX N MAIN ST", "block", None, None),
    ("MAIN ST & 5TH ST", "intersection", None, None),
    ("N MAIN ST / 5TH ST", "intersection", None, None),
    ("", "unmatched", None, None),
    ("UNKNOWN", "unmatched", None, None),
    ("PO BOX 12", "unmatched", None, None),
    ("100 N MAIN ST, KENOSHA WI 53140", "unmatched", "outside", None),  # another city
    ("100 N MAIN ST 53140", "unmatched", "outside", None),  # a zip outside the master
    ("100 N MAIN ST, STURTEVANT", "unmatched", "outside", None),  # another place, no ZIP
    ("100 N MAIN ST, STURTEVANT WI 53403", "unmatched", "outside", None),  # another place, our ZIP
    ("100 N MAIN ST, Lakeport", "matched", "exact", "P1"),
    ("1200 BLOCK N MAIN ST, KENOSHA WI", "unmatched", "outside", None),
    ("MAIN ST & 5TH ST, KENOSHA", "unmatched", "outside", None),
    ("100 N MAIN ST, IL", "unmatched", "outside", None),  # another state
    ("45 1/2 ELM ST", "matched", "exact", "P21"),  # the master has the half
    ("45½ ELM ST", "matched", "exact", "P21"),
    ("47 1/2 ELM ST", "matched", "unit_base", "P22"),  # it has not: the whole number's parcel
    ("47½ Elm Street", "matched", "unit_base", "P22"),
    ("471/2 ELM ST", "matched", "unit_base", "P22"),
    ("46 ELM ST", "review", None, None),  # between two houses
    ("1251 VOSKAMP ST", "matched", "range", "P23"),
    ("1249-51 VOSKAMP ST", "matched", "exact", "P23"),
    ("1253 VOSKAMP ST", "review", None, None),  # past the range: never the neighbour
    ("920 TYSON ST", "matched", "fuzzy", "P24"),  # TYSON ST lacks 920; N TYSON ST has it
    ("921 TYSON ST", "review", None, None),
    ("214 LANGLEY AVE", "matched", "exact", "P26"),
    ("5724 MURRAY HILL", "matched", "fuzzy", "P27"),  # HILL is the name's, not a type
]


@pytest.mark.parametrize(("address", "status", "method", "property_id"), CASES)
def test_place_by_address(matcher, address, status, method, property_id):
    placed = place(matcher, address)
    assert (placed["status"], placed["method"], placed["property_id"]) == (status, method, property_id)


def test_review_items_carry_their_candidates(matcher):
    placed = place(matcher, "100 MAIN ST")
    assert {c["property_id"] for c in json.loads(placed["candidates"])} == {"P1", "P2"}
    placed = place(matcher, "1901 WASHINGTON AVE")
    assert "P14" in {c["property_id"] for c in json.loads(placed["candidates"])}


def test_parcel_id_on_digits_only_wins(matcher):
    placed = place(matcher, "somewhere else entirely", parcel_id="276-00-00-00000-300")
    assert (placed["status"], placed["method"], placed["property_id"]) == ("matched", "parcel_id", "P3")


def test_coordinates_place_a_record_with_no_usable_address(matcher):
    placed = place(matcher, "", lat=42.70201, lon=-87.81001)
    assert (placed["status"], placed["method"], placed["property_id"]) == ("matched", "spatial", "P3")


def test_coordinates_between_two_parcels_go_to_review_with_both(matcher):
    placed = place(matcher, "UNKNOWN", lat=42.70800, lon=-87.80005)  # P8 and P9 are 8 m apart
    assert (placed["status"], placed["property_id"]) == ("review", None)
    assert {"P8", "P9"} <= {c["property_id"] for c in json.loads(placed["candidates"])}


def test_coordinates_far_from_every_parcel_stay_unmatched(matcher):
    assert place(matcher, "", lat=42.6000, lon=-87.9000)["status"] == "unmatched"


def test_a_number_not_on_the_street_stays_in_review_beside_a_neighbours_point(matcher):
    placed = place(matcher, "46 ELM ST", lat=42.7280, lon=-87.80001)  # on 45 ELM ST's point
    assert placed["status"] == "review"


def test_a_text_match_within_a_block_of_the_records_coordinates_stands(matcher):
    placed = place(matcher, "2210 GRAND AVE", lat=42.7029, lon=-87.8100)  # 100 m away
    assert (placed["status"], placed["property_id"]) == ("matched", "P3")


def test_the_citys_own_names_and_zips_come_from_the_settings_too():
    import dataclasses

    from integration.matcher import settings

    bare = MASTER.drop(columns=["city", "zip", "state", "neighborhood"], errors="ignore")
    assert place(Matcher(bare), "100 N MAIN ST, KENOSHA")["status"] == "matched"  # nothing known: nothing outside
    config = dataclasses.replace(settings(), city_names=("LAKEPORT",), city_zips=("53403",))
    own = Matcher(bare, config=config)
    assert place(own, "100 N MAIN ST, KENOSHA")["status"] == "unmatched"
    assert place(own, "100 N MAIN ST, LAKEPORT 53403")["property_id"] == "P1"
    assert place(own, "100 N MAIN ST 53140")["method"] == "outside"


def test_a_text_match_far_from_the_records_own_coordinates_goes_to_review(matcher):
    placed = place(matcher, "2210 GRAND AVE", lat=42.7000, lon=-87.8000)
    assert placed["status"] == "review"
    assert {c["property_id"] for c in json.loads(placed["candidates"])} == {"P3", "P1"}


def test_coordinates_never_pull_a_block_or_intersection_onto_a_parcel(matcher):
    assert place(matcher, "1200 BLOCK N MAIN ST", lat=42.7000, lon=-87.8000)["status"] == "block"
    assert place(matcher, "MAIN ST & 5TH ST", lat=42.7000, lon=-87.8000)["status"] == "intersection"


def test_match_keeps_the_input_order_and_index():
    records = pd.DataFrame({"address": ["2210 GRAND BLVD", "UNKNOWN", "100 N MAIN ST"]}, index=[7, 3, 5])
    placed = match(records, MASTER)
    assert placed.index.tolist() == [7, 3, 5]
    assert placed["property_id"].fillna("").tolist() == ["P4", "", "P1"]
    assert placed["normalized"].tolist()[0] == "2210 GRAND BLVD"


def test_every_status_and_method_is_in_the_vocabulary(matcher):
    placed = matcher.match(pd.DataFrame({"address": [case[0] for case in CASES]}))
    assert set(placed["status"]) <= {"matched", "review", "block", "intersection", "unmatched"}
    assert set(placed["method"].dropna()) <= {"parcel_id", "exact", "alias", "range", "unit_base", "fuzzy",
                                             "spatial", "decision", "outside"}
    assert set(placed.loc[placed["method"] == "outside", "status"]) == {"unmatched"}


def test_an_empty_batch():
    assert match(pd.DataFrame({"address": []}), MASTER).empty


# County PINs carry letters; a record may write them in lower case or with dashes and spaces.
LETTERED = pd.DataFrame(
    [("Q1", "10 ELM ST", "0081A00132000000"), ("Q2", "12 ELM ST", "008100132000000"),
     ("Q3", "14 ELM ST", "202515001499")],
    columns=["property_id", "address", "parcel_id"],
)


@pytest.mark.parametrize(("parcel_id", "property_id"), [
    ("0081A00132000000", "Q1"),
    ("0081A-00132-000000", "Q1"),
    ("0081a00132000000", "Q1"),
    (" 0081A 00132 000000 ", "Q1"),
    ("008100132000000", "Q2"),  # the same digits without the letter: another parcel
    ("0081-00132-000000", "Q2"),
    ("202515001499.0", "Q3"),  # exported through a float
])
def test_a_parcel_id_with_letters_finds_its_own_parcel(parcel_id, property_id):
    placed = place(Matcher(LETTERED), "somewhere else entirely", parcel_id=parcel_id)
    assert (placed["status"], placed["method"], placed["property_id"]) == ("matched", "parcel_id", property_id)


def test_a_parcel_id_that_only_shares_digits_does_not_match():
    placed = place(Matcher(LETTERED), "", parcel_id="0081B00132000000")
    assert placed["status"] == "unmatched"


def test_a_street_the_master_knows_only_without_numbers_goes_to_review():
    # Vacant lots are often listed by street alone ("WADE ST"); a numbered record on it must not crash.
    master = pd.DataFrame([("W1", "WADE ST", "0004N00151000000")], columns=["property_id", "address", "parcel_id"])
    placed = place(Matcher(master), "288 WADE ST")
    assert (placed["status"], placed["property_id"]) == ("review", None)


def test_every_setting_in_matcher_toml_is_read_and_every_setting_is_in_it():
    import dataclasses
    import tomllib

    from integration.matcher import SETTINGS_FILE, Settings, settings

    with SETTINGS_FILE.open("rb") as handle:
        raw = tomllib.load(handle)
    written = {f"city_{name}" for name in raw["city"]} | set(raw["spatial"])
    assert written == {field.name for field in dataclasses.fields(Settings)}
    assert settings().radius_m == raw["spatial"]["radius_m"] == 15.0  # the default distance
