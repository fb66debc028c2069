"""What only a browser shows about the hotspots list and the maps: the list's columns at 1400 px, and
the basemap drawn (the tile source's tiles when it answers, the property master's streets when not)."""

import http.server
import io
import threading
import time

import numpy as np
import pytest
from PIL import Image

from storage import property_data
from storage.engine import create_engine, reading
from tests.e2e.test_browser import (  # noqa: F401  (fixtures)
    _top_hotspot, browser, open_signed_in, page, server, settle, streamlit_server)
from ui import maps

pytestmark = pytest.mark.browser

TILE_COLOUR = (200, 230, 200)  # no street, dot or label on a map is this pale green


def _png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), colour).save(out, format="PNG")
    return out.getvalue()


class _Tiles(http.server.BaseHTTPRequestHandler):
    tile = _png(TILE_COLOUR)
    asked: list[str] = []

    def do_GET(self):  # noqa: N802 (the standard library's name)
        _Tiles.asked.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Access-Control-Allow-Origin", "*")  # as tile servers answer web maps
        self.end_headers()
        self.wfile.write(self.tile)

    def log_message(self, *args):
        pass


def _closed_port() -> int:
    probe = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    port = probe.server_port
    probe.server_close()
    return port


def _share_near(picture: Image.Image, colour, tolerance: int = 8) -> float:
    """The share of the picture's pixels within `tolerance` of `colour` on every channel."""
    pixels = np.asarray(picture.convert("RGB"), dtype=int).reshape(-1, 3)
    return float((np.abs(pixels - np.array(colour)) <= tolerance).all(axis=1).mean())


def _hotspots_map(page, base: str, drawn) -> Image.Image:
    """The hotspots map as the browser draws it, once `drawn(picture)` holds (deck.gl and the tiles
    draw after the element appears, slowly on a busy machine), or as it stands after 30 s."""
    open_signed_in(page, f"{base}/hotspots", "lead")
    page.get_by_role("tab", name="Map").click()
    deck = page.get_by_test_id("stDeckGlJsonChart")
    deck.wait_for()
    page.locator(".map-legend").first.wait_for()
    deck.scroll_into_view_if_needed()
    deadline = time.monotonic() + 30
    while True:
        page.wait_for_timeout(1000)
        picture = Image.open(io.BytesIO(deck.screenshot()))
        if drawn(picture) or time.monotonic() > deadline:
            return picture


def test_the_ranked_list_leads_with_score_change_flags_and_why_without_sideways_scrolling(server, page):
    open_signed_in(page, f"{server}/hotspots", "lead")  # the page fixture's window is 1400 px wide
    grid = page.get_by_test_id("stDataFrame").first
    grid.wait_for()
    settle(page)
    # the grid writes its header cells after the element appears (slowly on a busy machine): up to 30 s
    deadline = time.monotonic() + 30
    while not (headers := grid.evaluate("g => [...g.querySelectorAll('th')].map(h => h.textContent.trim())")) \
            and time.monotonic() < deadline:
        page.wait_for_timeout(500)
    assert headers[:5] == ["#", "Score", "Change", "Flags", "Why"], headers
    assert {"Address", "Open"} <= set(headers)
    scroller = grid.locator(".dvn-scroller").first
    scroll_width, client_width = scroller.evaluate("s => [s.scrollWidth, s.clientWidth]")
    assert scroll_width <= client_width, (scroll_width, client_width)  # every column in view


def test_the_master_streets_draw_when_the_tiles_cannot_be_reached(city_db_url, tmp_path, monkeypatch, page):
    monkeypatch.setenv("MAP_TILES", f"http://127.0.0.1:{_closed_port()}/{{z}}/{{x}}/{{y}}.png")
    with streamlit_server(city_db_url, tmp_path / "streamlit.log") as base:
        picture = _hotspots_map(page, base, lambda drawn: _share_near(drawn, maps.STREET[:3]) > 0.02)
        assert page.locator(".map-legend").filter(has_text="Streets from the property master").count()
    streets_share = _share_near(picture, maps.STREET[:3])
    assert streets_share > 0.02, streets_share  # grey street lines across the map, not dots on white
    assert _share_near(picture, TILE_COLOUR) == 0


def test_the_tiles_draw_when_the_source_answers(city_db_url, tmp_path, monkeypatch, page):
    tiles = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Tiles)
    threading.Thread(target=tiles.serve_forever, daemon=True).start()
    _Tiles.asked.clear()
    monkeypatch.setenv("MAP_TILES", f"http://127.0.0.1:{tiles.server_port}/{{z}}/{{x}}/{{y}}.png")
    monkeypatch.setenv("MAP_TILES_ATTRIBUTION", "City of Lakeport GIS")
    try:
        with streamlit_server(city_db_url, tmp_path / "streamlit.log") as base:
            picture = _hotspots_map(page, base, lambda drawn: _share_near(drawn, TILE_COLOUR) > 0.5)
            assert page.locator(".map-legend").filter(has_text="Basemap: City of Lakeport GIS").count()
    finally:
        tiles.shutdown()
        tiles.server_close()
    assert any(not path.startswith("/12/") for path in _Tiles.asked)  # the browser's, beside the server's check
    assert _share_near(picture, TILE_COLOUR) > 0.5  # the tiles under the dots
    assert _share_near(picture, maps.STREET[:3]) < 0.002  # and no drawn streets over them


def test_a_property_link_opens_the_property_on_its_streets(server, page, city_db_url):
    top, address = _top_hotspot(city_db_url)
    with reading(create_engine(city_db_url)) as conn:
        assert property_data.get_property(conn, top)["lat"] is not None
    open_signed_in(page, f"{server}/property?property={top}", "viewer")
    page.get_by_role("heading", name=address).wait_for()
    page.locator(".map-legend").filter(has_text="This property").wait_for()
    assert page.url.endswith(f"/property?property={top}")
