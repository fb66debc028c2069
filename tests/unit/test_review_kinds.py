"""Which review groups a decision can place: address strings as real city extracts write them.

Each line names the file and column it was seen in; the test checks it is really there, so the
table stays a record of what cities export rather than what we imagine they do.
"""

import csv
from functools import cache

import pytest

from integration.address import normalize
from integration.matcher import group_key
from services.review import NOT_AN_ADDRESS, NUMBERED, UNNUMBERED, address_kind
from tests.conftest import shared_file

REAL = [
    # file under real_extracts/, column, value as written, kind
    ("code_enforcement/pittsburgh_condemned_deadend_properties.csv", "address", "No primary address specified",
     NOT_AN_ADDRESS),
    ("311/nyc_311.csv", "School Address", "Unspecified", NOT_AN_ADDRESS),
    ("code_enforcement/baltimore_vacant_building_notices.csv", "BuildingAddress", "0  ", NOT_AN_ADDRESS),
    ("code_enforcement/baltimore_vacant_building_notices.csv", "BuildingAddress", "0", NOT_AN_ADDRESS),
    ("311/stlouis_csb_2012.csv", "PROBADDRESS", "Please inspect for occupancy of Apostolic Church. Ald-035 ",
     NOT_AN_ADDRESS),
    ("311/stlouis_csb_2012.csv", "PROBADDRESS", "3315-17-19 HALLIDAY AVE", UNNUMBERED),
    ("311/stlouis_csb_2012.csv", "PROBADDRESS", "WILLMORE PARK", UNNUMBERED),
    ("311/nyc_311.csv", "Incident Address", "BUTLER STREET", UNNUMBERED),
    ("police/stlouis_cfs_scraped.csv", "location", "X GOVERNMENT DR", UNNUMBERED),
    ("fire/pittsburgh_fire_incidents.csv", "address", "LOMBARD ST , PITTSBURGH PA 15222", UNNUMBERED),
]

# What the sample city's and other systems' extracts write where they have no address.
WRITTEN = [
    ("N/A", NOT_AN_ADDRESS),
    ("UNKNOWN", NOT_AN_ADDRESS),
    ("CITYWIDE", NOT_AN_ADDRESS),
    ("?", NOT_AN_ADDRESS),
    ("VARIOUS LOCATIONS", NOT_AN_ADDRESS),
    ("PO BOX 1432", NOT_AN_ADDRESS),
    ("721 WASHINGTON AVE", NUMBERED),
    ("0220 VALONIA ST", NUMBERED),
    ("1249 51 VOSKAMP ST", NUMBERED),
    ("1420 N MAIN ST APT 2", NUMBERED),
    ("DR MARTIN LUTHER KING JR DR", UNNUMBERED),
]


@cache
def column_values(relative: str, column: str) -> frozenset[str]:
    path = shared_file(f"real_extracts/{relative}")
    with open(path, newline="", encoding="utf-8-sig", errors="replace") as handle:
        return frozenset(row[column] for row in csv.DictReader(handle))


def kind_of(written: str) -> str:
    """The kind of the group a record written this way lands in."""
    return address_kind(group_key(normalize(written), written) or "", written)


@pytest.mark.parametrize("relative, column, written, kind", REAL, ids=[line[2].strip() or "blank" for line in REAL])
def test_real_address_strings(relative, column, written, kind):
    assert written in column_values(relative, column), f"{written!r} is not in {relative}, column {column!r}"
    assert kind_of(written) == kind


@pytest.mark.parametrize("written, kind", WRITTEN)
def test_written_address_strings(written, kind):
    assert kind_of(written) == kind
