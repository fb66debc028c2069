"""The plain reading (integration.address._plain_address) is a shortcut, never a second opinion:
wherever it answers, its answer is the full rules' answer, string for string."""

import csv

import pytest

from integration import address

PLACES = frozenset({"LAKEPORT", "WEST SIDE", "MOUNT PLEASANT", "SQUIRREL HILL NORTH"})


@pytest.mark.parametrize("text", [
    "1500 N MAIN ST", "1500 n main st", "1500 N. Main St.", "0527 ARLINGTON AVE", "1500-1504 N MAIN ST",
    "1249 51 VOSKAMP ST", "214 214 LANGLEY AVE", "1200 BLOCK N MAIN ST", "1200 BLOCK OF MAIN ST", "12XX N MAIN ST",
    "1200 BLK W HIGH ST", "1500 W 5TH ST N", "823 south holmes ave", "N MAIN ST & 5TH AVE", "MAIN ST / 5TH AVE",
    "W HIGH ST/N SILVER ST", "BATES@JEFFERSON", "OAK & MAPLE AVE", "MAIN AT 5TH", "Main St and 5th Ave",
    "123 PARK AVE", "123 MAIN", "1247 N POLK", "FOREST & DALE AVE", "1200 BLK W GARDEN ST", "3300 RAPIDS DR",
    "123 MAIN ST APT 4", "123 MAIN ST # 4", "8060 ALGONQUIN AVE #4", "1102 OAK ST UPPER", "123 ST PAUL AVE",
    "1484 W St. Paul Ave", "123 MT VERNON ST", "1ST AND MT VERNON", "123 MAIN ST APT 4 REAR 2", "5TH ST AND S OAK ST", "62ND ST & S HOLMES AVE",
])
def test_the_plain_reading_takes_common_shapes_and_agrees(text):
    for places in (None, PLACES):
        plain = address._plain_address(text, places)
        assert plain is not None, text
        full = address._normalize(text, places, plain_first=False)
        assert (plain, plain.key) == (full, full.key)


@pytest.mark.parametrize("text", [
    "123N MAIN ST",  # a glued direction
    "123 MAIN ST APT 4 LAKEPORT", "123 MAIN ST, LAKEPORT", "123 MAIN ST LAKEPORT WI 53403", "123 MAIN ST APT PA",
    "123 COURT AVE",  # a name word that is also a common type
    "123 21 ST", "INTERSECTION OF MAIN ST & 5TH AVE", "NEAR MAIN ST & 5TH AVE", "123 1/2 MAIN ST",
    "123 VAN BUREN", "J.F.K. BLVD & MAIN ST", "BATES@VIRGINIA", "123 NORTH AVE", "123 MAIN ST & 5TH AVE", "MAIN ST & 5TH AVE & ELM ST", "PO BOX 12 MAIN ST",
])
def test_anything_else_goes_to_the_full_rules(text):
    assert address._plain_address(text, None) is None
    assert address.normalize(text) == address._normalize(text, None, plain_first=False)


def test_a_place_at_the_end_goes_to_the_full_rules():
    assert address._plain_address("123 MAIN ST WEST SIDE", PLACES) is None
    assert address.normalize("123 MAIN ST WEST SIDE", cities=PLACES).city == "WEST SIDE"


def test_every_string_of_the_sample_city_reads_the_same_both_ways(city_dir):
    texts = set()
    for name, column in (("properties.csv", "address"), ("police.csv", "Location"), ("crm.csv", "Address"),
                         ("public_works.csv", "Site Address")):
        with (city_dir / name).open(newline="", encoding="utf-8") as handle:
            texts |= {row[column] for row in csv.DictReader(handle)}
    for places in (None, PLACES):
        plain = 0
        for text in texts:
            if address._plain_address(text, places) is None:
                continue
            plain += 1
            ours, full = address.normalize(text, cities=places), address._normalize(text, places, plain_first=False)
            assert (ours, ours.key) == (full, full.key), text
        assert plain > len(texts) // 2  # the shortcut must carry most of the city, or it is not worth having
