"""Streets drawn from the property master (services.streets), and the basemap's tile source."""

import http.server
import math
import threading

import numpy as np
import pandas as pd
import pytest

from services import streets
from tests.conftest import shared_file

HOUSE_NUMBERS = [
    # as the master writes it                 number  street
    ("730 WASHINGTON AVE", 730, "WASHINGTON AVE"),
    ("1820-1848 N MAIN ST", 1820, "N MAIN ST"),  # a range: its first number
    ("1249 51 VOSKAMP ST", 1249, "VOSKAMP ST"),  # the short range some masters write
    ("139 25TH ST", 139, "25TH ST"),  # a numbered street is no range
    ("320 FORT DUQUESNE BLVD STE 300", 320, "FORT DUQUESNE BLVD"),  # the suite is no part of the street
    ("1220 ARLINGTON AV", 1220, "ARLINGTON AVE"),  # one spelling per street
    ("1220 arlington avenue", 1220, "ARLINGTON AVE"),
    ("408  N MATHILDA ST", 408, "N MATHILDA ST"),
    ("12B OAK ST", 12, "OAK ST"),
    ("0 GROTTO ST", None, None),  # a lot with no number is nowhere along its street
    ("KESSLER STREET", None, None),
    ("", None, None),
    (None, None, None),
]


@pytest.mark.parametrize(("written", "number", "street"), HOUSE_NUMBERS)
def test_house_numbers(written, number, street):
    found = streets.house_numbers(pd.Series([written], index=[7]))
    if number is None:
        assert found.empty
    else:
        assert found.loc[7].tolist() == [number, street]


def a_street(name: str, first: int, last: int, lat: float = 42.72, lon: float = -87.80, metres_apart: float = 5,
             across: float = 0.00015) -> pd.DataFrame:
    """Addresses of a street running east, odd numbers on its north side and even on its south, one
    parcel every `metres_apart` along each side (a block of 100 numbers: 250 m)."""
    rows = []
    per_degree = 111_320 * math.cos(math.radians(lat))
    for number in range(first, last + 1):
        along = (number - first) // 2 * metres_apart / per_degree
        side = across if number % 2 else -across
        rows.append({"address": f"{number} {name}", "lat": lat + side, "lon": lon + along})
    return pd.DataFrame(rows)


def test_a_street_is_one_line_along_its_middle_in_house_number_order():
    lines = streets.street_lines(a_street("W 6TH ST", 101, 598))
    assert len(lines) == 1
    line = lines.iloc[0]
    assert (line["street"], line["low"], line["high"]) == ("W 6TH ST", 101, 598)
    path = np.array(line["path"])
    assert len(path) == 2  # a straight street keeps its two ends
    assert path[0, 0] < path[1, 0]  # east, as the numbers rise
    assert np.allclose(path[:, 1], 42.72, atol=0.00002)  # both sides meet in the middle of the street
    assert line["angle"] == pytest.approx(0, abs=1)  # the name runs along it
    assert path[0, 0] <= line["label_lon"] <= path[-1, 0]
    assert line["length_m"] == pytest.approx(np.hypot(*(path[-1] - path[0]) * [111_320 * math.cos(
        math.radians(42.72)), 111_320]), rel=0.01)


def test_a_bend_in_a_street_is_kept():
    west = a_street("LAKE DR", 101, 398)
    turned = a_street("LAKE DR", 400, 698)
    corner = west["lon"].max()
    turned = turned.assign(lon=corner + (turned["lat"] - 42.72), lat=42.72 + (turned["lon"] - turned["lon"].min()))
    path = np.array(streets.street_lines(pd.concat([west, turned], ignore_index=True)).iloc[0]["path"])
    assert 3 <= len(path) <= 5
    assert path[0, 1] == pytest.approx(42.72, abs=0.00002) and path[-1, 1] > 42.72 + 0.005  # east, then north


def test_a_street_running_north_has_an_upright_name_along_it():
    street = a_street("N MAIN ST", 101, 400)
    street = street.assign(lat=42.72 + (street["lon"] + 87.80), lon=-87.80 + (street["lat"] - 42.72))
    line = streets.street_lines(street).iloc[0]
    assert abs(line["angle"]) == pytest.approx(90, abs=1)
    reversed_street = street.assign(number=street["address"].str.split().str[0].astype(int))
    reversed_street = reversed_street.assign(address=(1000 - reversed_street["number"]).astype(str) + " N MAIN ST")
    assert -90 < streets.street_lines(reversed_street).iloc[0]["angle"] <= 90  # never upside down


def test_a_gap_along_a_street_breaks_its_line_and_each_street_has_its_own():
    west = a_street("PARK AVE", 101, 398)
    east = a_street("PARK AVE", 901, 1198, lon=-87.80 + 2_000 / (111_320 * math.cos(math.radians(42.72))))
    other = a_street("ELM ST", 101, 298, lat=42.73)
    lines = streets.street_lines(pd.concat([east, other, west], ignore_index=True))
    assert sorted(map(tuple, lines[["street", "low", "high"]].to_numpy().tolist())) == [
        ("ELM ST", 101, 298), ("PARK AVE", 101, 398), ("PARK AVE", 901, 1198)]


def test_what_has_no_line():
    assert streets.street_lines(pd.DataFrame({"address": ["12 OAK ST", "14 OAK ST", "MAIN ST"],
                                              "lat": [42.7, 42.7, 42.7], "lon": [-87.8, -87.8, None]})).empty
    assert streets.street_lines(pd.DataFrame(columns=["address", "lat", "lon"])).empty


def test_lines_within_a_box():
    lines = streets.street_lines(pd.concat([a_street("OAK ST", 101, 398), a_street("ELM ST", 101, 398, lat=42.80)]))
    assert streets.within(lines, 42.71, -87.81, 42.73, -87.79)["street"].tolist() == ["OAK ST"]


# --- the tile source --------------------------------------------------------------------------


@pytest.mark.parametrize(("environ", "expected"), [
    ({}, streets.TileSource(streets.OPENSTREETMAP, streets.OPENSTREETMAP_ATTRIBUTION)),
    ({"MAP_TILES": "  "}, streets.TileSource(streets.OPENSTREETMAP, streets.OPENSTREETMAP_ATTRIBUTION)),
    ({"MAP_TILES": "off"}, None),
    ({"MAP_TILES": "OFF"}, None),
    ({"MAP_TILES": "https://gis.example.gov/tiles/{z}/{x}/{y}.png", "MAP_TILES_ATTRIBUTION": "City GIS"},
     streets.TileSource("https://gis.example.gov/tiles/{z}/{x}/{y}.png", "City GIS")),
    ({"MAP_TILES": "https://gis.example.gov/tiles/{z}/{y}/{x}.png"},
     streets.TileSource("https://gis.example.gov/tiles/{z}/{y}/{x}.png", "")),
])
def test_the_tile_source_setting(environ, expected):
    assert streets.tile_source(environ) == expected


@pytest.mark.parametrize("written", ["https://gis.example.gov/tiles/{z}/{x}.png", "gis.example.gov/{z}/{x}/{y}",
                                     "file:///tiles/{z}/{x}/{y}.png"])
def test_a_tile_source_that_is_no_tile_address_is_refused_by_name(written):
    with pytest.raises(streets.SettingError, match=f"MAP_TILES is '{written}', which is not a tile address"):
        streets.tile_source({"MAP_TILES": written})


@pytest.mark.parametrize(("lat", "lon", "zoom", "tile"), [
    (0.0001, 0.0001, 1, "1/1/0"),
    (-0.0001, -0.0001, 1, "1/0/1"),
    (86, -180, 12, "12/0/0"),
    (-86, 179.9999, 12, "12/4095/4095"),
    (42.7261, -87.7829, 12, "12/1049/1509"),  # Racine, WI
])
def test_the_tile_at_a_place(lat, lon, zoom, tile):
    assert streets.tile_at("https://t/{z}/{x}/{y}.png", lat, lon, zoom) == f"https://t/{tile}.png"


class _Tiles(http.server.BaseHTTPRequestHandler):
    answer = (200, "image/png")

    def do_GET(self):  # noqa: N802 (the standard library's name)
        status, kind = self.answer
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.end_headers()
        self.wfile.write(b"\x89PNG\r\n")

    def log_message(self, *args):
        pass


@pytest.fixture
def tile_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Tiles)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(("answer", "answers"), [((200, "image/png"), True), ((200, "text/html"), False),
                                                 ((404, "image/png"), False), ((500, "text/plain"), False)])
def test_whether_the_tile_source_answers(tile_server, monkeypatch, answer, answers):
    monkeypatch.setattr(_Tiles, "answer", answer)
    source = streets.TileSource(f"http://127.0.0.1:{tile_server.server_port}/{{z}}/{{x}}/{{y}}.png", "")
    assert streets.tiles_answer(source, 42.7, -87.8) is answers


def test_an_unreachable_tile_source_does_not_answer():
    closed = http.server.HTTPServer(("127.0.0.1", 0), _Tiles)
    port = closed.server_port
    closed.server_close()  # nothing listens there now
    assert streets.tiles_answer(streets.TileSource(f"http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png", ""), 42.7, -87.8) \
        is False
    assert streets.tiles_answer(streets.TileSource("https://tiles.invalid/{z}/{x}/{y}.png", ""), 42.7, -87.8) is False


# --- on a real property master ----------------------------------------------------------------


@pytest.mark.realdata
def test_streets_from_a_real_parcel_file():
    """Pittsburgh's tax-delinquent parcels: a partial master, written by the county, not by us."""
    parcels = pd.read_csv(shared_file("real_extracts/parcel/pittsburgh_parcel_tax_delinquency.csv"), dtype=str)
    points = pd.DataFrame({"address": parcels["address"], "lat": pd.to_numeric(parcels["latitude"], errors="coerce"),
                           "lon": pd.to_numeric(parcels["longitude"], errors="coerce")})
    located = points.dropna(subset=["lat", "lon"])
    numbered = streets.house_numbers(located["address"])
    with_number = located["address"].str.match(r"^\s*0*[1-9]\d*\b")
    assert len(numbered) >= 0.99 * with_number.sum()  # every numbered address is read
    lines = streets.street_lines(points)
    assert {"PENN AVE", "WEBSTER AVE", "BROWNSVILLE RD", "MOUNT VERNON ST"} <= set(lines["street"])
    # each line follows its street: every point of it near the street's own addresses
    numbered = numbered.join(located[["lat", "lon"]])
    scale = np.array([111_320 * math.cos(math.radians(40.44)), 111_320])
    for line in lines.itertuples():
        addresses = numbered.loc[numbered["street"] == line.street, ["lon", "lat"]].to_numpy() * scale
        for point in np.array(line.path) * scale:
            assert np.hypot(*(addresses - point).T).min() < 120, line.street
        assert -90 < line.angle <= 90
    # numbers rise along each line: its first point holds its lowest numbers, its last its highest
    penn = numbered[numbered["street"] == "PENN AVE"]
    longest = lines[lines["street"] == "PENN AVE"].nlargest(1, "length_m").iloc[0]
    inside = penn[penn["number"].between(longest["low"], longest["high"])].sort_values("number")
    start, end = np.array(longest["path"][0]), np.array(longest["path"][-1])
    near_start = np.hypot(*(inside[["lon", "lat"]].head(3).median().to_numpy() - start))
    near_end = np.hypot(*(inside[["lon", "lat"]].tail(3).median().to_numpy() - start))
    assert near_start < near_end
    assert np.hypot(*(inside[["lon", "lat"]].tail(3).median().to_numpy() - end)) < near_end
