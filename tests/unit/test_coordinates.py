"""Coordinates as city exports write them, one line per real-world spelling -> WGS84 (lat, lon)."""

import math

import pandas as pd
import pyproj
import pytest

from loaders import coordinates
from loaders.coordinates import in_degrees, looks_projected, parse_point, to_degrees
from loaders.read import LoadError
from tests.conftest import shared_file

NAN = math.nan
# NYC 311: the row's own Latitude/Longitude columns, written by the city from its state-plane x/y.
NYC_LAT, NYC_LON = 40.67500778066339, -74.00664420030702
# St. Louis CSB 2012, 2232 S GRAND BLVD: SRX/SRY in Missouri East state plane, US feet.
STL_X, STL_Y = "894488.00000000", "1011215.00000000"


def same(actual: float, expected: float, within: float = 1e-9) -> bool:
    return math.isnan(expected) if math.isnan(actual) else actual == pytest.approx(expected, abs=within)


def first(pair: tuple[pd.Series, pd.Series]) -> tuple[float, float]:
    lat, lon = pair
    return float(lat.iloc[0]), float(lon.iloc[0])


@pytest.mark.parametrize("text, lat, lon", [
    ("(40.67500778066339, -74.00664420030702)", NYC_LAT, NYC_LON),  # Socrata (NYC 311 Location)
    ("(39.30947261, -76.64953589)", 39.30947261, -76.64953589),  # Baltimore vacant building notices
    ("(41.88008084270583, -87.77154262839241)", 41.88008084270583, -87.77154262839241),  # Chicago LOCATION
    ("( 39.30947261 ,-76.64953589 )", 39.30947261, -76.64953589),
    ("POINT (-87.77154 41.88008)", 41.88008, -87.77154),  # WKT: longitude first
    ("POINT(-87.77154 41.88008)", 41.88008, -87.77154),
    ("point (-87.77154 41.88008)", 41.88008, -87.77154),
    ("  POINT (-87.77154 41.88008)  ", 41.88008, -87.77154),
    ("POINT Z (-87.77154 41.88008 181.5)", 41.88008, -87.77154),
    # Socrata's older location columns: address lines, then the point on the last line.
    ("1945 W NORTH AVE\nBALTIMORE, MD 21217\n(39.30947261, -76.64953589)", 39.30947261, -76.64953589),
    ("", NAN, NAN),
    ("   ", NAN, NAN),
    (None, NAN, NAN),
    ("NA", NAN, NAN),
    ("(0.0, 0.0)", NAN, NAN),
    ("POINT (0 0)", NAN, NAN),
    ("POINT EMPTY", NAN, NAN),
    ("(40.67500778066339)", NAN, NAN),
    ("(40.675, -74.006, 12)", NAN, NAN),
    ("40.675, -74.006", NAN, NAN),  # no parentheses: could as well be one number with a decimal comma
    ("(140.675, -74.006)", NAN, NAN),
    ("POINT (982407 185200)", NAN, NAN),  # state-plane feet, not degrees
    ("1945 W NORTH AVE", NAN, NAN),
    ("(lat, lon)", NAN, NAN),
])
def test_parse_point(text, lat, lon):
    got_lat, got_lon = first(parse_point(pd.Series([text], dtype=object)))
    assert same(got_lat, lat) and same(got_lon, lon), (got_lat, got_lon)


def test_parse_point_keeps_the_rows_index_and_order():
    values = pd.Series(["POINT (-87.77154 41.88008)", "", "(39.30947261, -76.64953589)"], index=[7, 7, 3])
    lat, lon = parse_point(values)
    assert lat.index.tolist() == [7, 7, 3]
    assert lat.tolist()[0::2] == [41.88008, 39.30947261] and math.isnan(lat.iloc[1])
    assert lon.tolist()[0::2] == [-87.77154, -76.64953589] and math.isnan(lon.iloc[1])


@pytest.mark.parametrize("x, y, crs, lat, lon, within", [
    # NYC 311 X/Y Coordinate (State Plane), NY Long Island in US feet, against the row's own lat/lon.
    ("982407", "185200", "EPSG:2263", NYC_LAT, NYC_LON, 1e-6),
    ("979892", "186383", "EPSG:2263", 40.67825396779016, -74.0157117930007, 1e-6),
    ("980997", "185046", "EPSG:2263", 40.674584679489016, -74.0117273177029, 1e-6),
    ("982407", "185200", "2263", NYC_LAT, NYC_LON, 1e-6),
    ("982407", "185200", " epsg:2263 ", NYC_LAT, NYC_LON, 1e-6),
    ("982407", "185200", "NAD83 / New York Long Island (ftUS)", NYC_LAT, NYC_LON, 1e-6),
    ("982,407", "185,200", "EPSG:2263", NYC_LAT, NYC_LON, 1e-6),  # re-saved through a spreadsheet
    (982407, 185200, "EPSG:2263", NYC_LAT, NYC_LON, 1e-6),
    (982407.0, 185200.0, "EPSG:2263", NYC_LAT, NYC_LON, 1e-6),
    # St. Louis SRX/SRY: Missouri East in US feet, which only Esri numbers; 2232 S Grand Blvd is near
    # (38.61, -90.24), and 0.001 degrees is about 100 m.
    (STL_X, STL_Y, "ESRI:102696", 38.61, -90.24, 1e-3),
    (STL_X, STL_Y, "102696", 38.61, -90.24, 1e-3),
    (STL_X, STL_Y, "NAD_1983_StatePlane_Missouri_East_FIPS_2401_Feet", 38.61, -90.24, 1e-3),
    ("", "185200", "EPSG:2263", NAN, NAN, 0),
    ("982407", "   ", "EPSG:2263", NAN, NAN, 0),
    (None, "185200", "EPSG:2263", NAN, NAN, 0),
    ("NA", "NA", "EPSG:2263", NAN, NAN, 0),
    ("0", "0", "EPSG:2263", NAN, NAN, 0),
    ("982407", "0.00000000", "EPSG:2263", NAN, NAN, 0),
    ("unknown", "185200", "EPSG:2263", NAN, NAN, 0),
    ("1e400", "185200", "EPSG:2263", NAN, NAN, 0),
])
def test_to_degrees(x, y, crs, lat, lon, within):
    got_lat, got_lon = first(to_degrees(pd.Series([x], dtype=object), pd.Series([y], dtype=object), crs))
    assert same(got_lat, lat, within) and same(got_lon, lon, within), (got_lat, got_lon)


def test_missouri_east_in_metres_is_not_st_louis_feet():
    # The EPSG Missouri East systems (26996, 2815, 6512) are in metres: St. Louis's feet land in Ontario.
    lat, lon = first(to_degrees(pd.Series([STL_X]), pd.Series([STL_Y]), "EPSG:6512"))
    assert not (38 < lat < 39 and -91 < lon < -90)


def test_to_degrees_keeps_the_rows_index_and_order():
    x = pd.Series(["982407", "", STL_X], index=["a", "b", "c"])
    y = pd.Series(["185200", "185200", STL_Y], index=["a", "b", "c"])
    lat, lon = to_degrees(x, y, "EPSG:2263")
    assert lat.index.tolist() == ["a", "b", "c"]
    assert lat["a"] == pytest.approx(NYC_LAT, abs=1e-6) and math.isnan(lat["b"]) and lat["c"] > 40


@pytest.mark.parametrize("crs", ["EPSG:999999", "999999", "Missouri East feet", "", "EPSG:"])
def test_an_unknown_coordinate_system_is_named(crs):
    with pytest.raises(LoadError, match=f"'{crs}' is not a coordinate system we know; give its EPSG code"):
        to_degrees(pd.Series(["982407"]), pd.Series(["185200"]), crs)


def test_no_grid_is_fetched_even_when_proj_networking_was_switched_on():
    pyproj.network.set_network_enabled(active=True)
    coordinates._transformer.cache_clear()
    try:
        to_degrees(pd.Series(["982407"]), pd.Series(["185200"]), "EPSG:2263")
        assert not pyproj.network.is_network_enabled()
    finally:
        pyproj.network.set_network_enabled(active=False)


@pytest.mark.parametrize("x, y, projected", [
    (["982407", "979892", "980997"], ["185200", "186383", "185046"], True),  # NYC state plane
    ([STL_X, "", "904956.00000000"], [STL_Y, "", "1017648.00000000"], True),  # St. Louis, one row blank
    (["40.67500778066339", "40.67825396779016"], ["-74.00664420030702", "-74.0157117930007"], False),  # NYC
    (["41.88008084", "41.84464481"], ["-87.77154263", "-87.70349686"], False),  # Chicago
    ([40.675, 41.880], [-74.006, -87.771], False),  # numbers, not text
    ([982407, 979892], [185200, 186383], True),
    (["982,407", "979,892"], ["185,200", "186,383"], True),
    (["0", "0", "982407"], ["0", "0", "185200"], True),  # zeros are placeholders, not degrees
    (["0", "0", "40.675"], ["0", "0", "-74.006"], False),
    (["40.675", "41.880", "982407"], ["-74.006", "-87.771", "185200"], False),  # one stray row
    (["", "NA", None], ["", "NA", None], False),
    ([], [], False),
    (["unknown", "n/a", "982407"], ["unknown", "n/a", "185200"], False),  # mostly not numbers
])
def test_looks_projected(x, y, projected):
    assert looks_projected(pd.Series(x, dtype=object), pd.Series(y, dtype=object)) is projected


@pytest.mark.parametrize("lat, lon, expected_lat, expected_lon", [
    ("40.67500778066339", "-74.00664420030702", NYC_LAT, NYC_LON),
    (" 41.88008084 ", "-87.77154263 ", 41.88008084, -87.77154263),
    ("+41.88008084", "-87.77154263", 41.88008084, -87.77154263),
    (41.88008084, -87.77154263, 41.88008084, -87.77154263),
    ("90", "180", 90.0, 180.0),
    ("-90", "-180", -90.0, -180.0),
    ("0.0", "-74.0", 0.0, -74.0),  # on the equator: only (0, 0) is a placeholder
    ("0", "0", NAN, NAN),
    ("0.000000", "0.000000", NAN, NAN),
    ("90.0001", "-74.0", NAN, NAN),
    ("40.675", "-180.5", NAN, NAN),
    ("185200", "982407", NAN, NAN),  # state-plane feet in the latitude/longitude columns
    ("", "-74.006", NAN, NAN),
    ("40.675", None, NAN, NAN),
    ("NA", "NA", NAN, NAN),
    ("40°40'30\"N", "74°00'24\"W", NAN, NAN),
])
def test_in_degrees(lat, lon, expected_lat, expected_lon):
    got_lat, got_lon = first(in_degrees(pd.Series([lat], dtype=object), pd.Series([lon], dtype=object)))
    assert same(got_lat, expected_lat) and same(got_lon, expected_lon), (got_lat, got_lon)


@pytest.mark.realdata
def test_every_nyc_311_state_plane_point_lands_on_the_rows_own_latitude_and_longitude():
    rows = pd.read_csv(shared_file("real_extracts/311/nyc_311.csv"), dtype=str, keep_default_na=False)
    lat, lon = to_degrees(rows["X Coordinate (State Plane)"], rows["Y Coordinate (State Plane)"], "EPSG:2263")
    given_lat, given_lon = in_degrees(rows["Latitude"], rows["Longitude"])
    assert looks_projected(rows["X Coordinate (State Plane)"], rows["Y Coordinate (State Plane)"])
    assert lat.notna().sum() > 100
    assert lat.isna().tolist() == given_lat.isna().tolist()
    assert (lat - given_lat).abs().max() < 1e-6 and (lon - given_lon).abs().max() < 1e-6  # about 0.1 m
    point_lat, point_lon = parse_point(rows["Location"])
    assert (point_lat - given_lat).abs().max() < 1e-9 and (point_lon - given_lon).abs().max() < 1e-9


@pytest.mark.realdata
def test_st_louis_311_state_plane_points_land_in_st_louis():
    rows = pd.read_csv(shared_file("real_extracts/311/stlouis_csb_2012.csv"), dtype=str, keep_default_na=False)
    lat, lon = to_degrees(rows["SRX"], rows["SRY"], "ESRI:102696")
    inside = lat.between(38.53, 38.78) & lon.between(-90.33, -90.16)  # the city's bounding box
    assert looks_projected(rows["SRX"], rows["SRY"])
    assert inside.sum() / lat.notna().sum() > 0.99
