"""Property search's one parcel rule, and search itself over a small address index (no database)."""

import pandas as pd
import pytest

from services.properties import parcel_query, search_properties


@pytest.mark.parametrize("text, parcel", [
    ("276000000000100", "276000000000100"),          # a tax key as stored
    ("276-00-00-00001-000", "276000000001000") ,     # as Public Works writes it, dashes dropped
    ("27600 00000 0100", "27600000000100"),           # spaces between groups
    ("123456", "123456"),                             # a short county parcel number: six digits is enough
    ("12345", None),                                  # a house number, or a ZIP code
    ("1523", None),
    ("1523 N MAIN ST", None),                         # an address
    ("1523 N MAIN ST 53403", None),                   # an address with its ZIP: nine digits, but letters
    ("0024G00060000000", None),                       # a PIN with a letter reads as an address
    ("", None),
])
def test_parcel_rule(text, parcel):
    assert parcel_query(text) == parcel


INDEX = pd.DataFrame({
    "property_id": ["P1", "P1", "P2", "P3"],
    "address": ["1523 N MAIN ST", "1525 N MAIN ST", "200 LAKE AVE", "17 COLLEGE AVE"],
    "parcel_id": ["276000000000100", "276000000000100", "276000000000200", "123456"],
})


@pytest.mark.parametrize("text, found", [
    ("276000000000100", ["P1"]),                 # once, though it has two addresses
    ("276-00-00-00000-0200", []),                # a parcel id is matched whole, never as an address
    ("27600000000020", []),
    ("123456", ["P3"]),
    ("1523 N MIAN ST", ["P1"]),                  # typo
    ("200 lake ave", ["P2"]),                    # lower case
    ("   ", []),
])
def test_search(text, found):
    best = search_properties(None, text, index=INDEX)["property_id"].tolist()
    assert best[:len(found)] == found and (found or not best)
