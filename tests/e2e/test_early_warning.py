"""The "Heading for the list" view in a real browser: a row of the stored list opens its property."""

import pytest

from services import early_warning as service
from storage import property_data
from storage.engine import create_engine, reading
from tests.conftest import copy_sqlite
from tests.e2e.test_browser import browser, open_signed_in, page, streamlit_server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def retrained_server(city_db_url, tmp_path_factory):
    """A server on a copy of the small sample city whose early-warning list has been made."""
    directory = tmp_path_factory.mktemp("early-e2e")
    url = copy_sqlite(city_db_url, directory / "city.db")
    engine = create_engine(url)
    service.retrain(engine, "tester")
    engine.dispose()
    with streamlit_server(url, directory / "streamlit.log") as base:
        yield base, url


def test_a_row_of_the_list_opens_its_property(retrained_server, page):  # noqa: F811
    base, url = retrained_server
    engine = create_engine(url)
    first = service.heading_for_the_list(engine, 1).iloc[0]
    with reading(engine) as conn:
        address = property_data.get_property(conn, first["property_id"])["address"]
    open_signed_in(page, f"{base}/hotspots", "lead")
    page.get_by_role("tab", name="Heading for the list").click()
    page.get_by_text("How often it was right").wait_for()
    grid = page.get_by_test_id("stDataFrame").filter(has_text="Model estimate").first
    grid.wait_for()
    page.wait_for_timeout(500)
    scroller = grid.locator(".dvn-scroller").first
    scroll_width, client_width = scroller.evaluate("s => [s.scrollWidth, s.clientWidth]")
    assert scroll_width <= client_width, (scroll_width, client_width)  # the whole list in view at 1400 px
    box = grid.bounding_box()
    # the row-selection box of the first row: left edge of the grid, below the header row
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)
    page.wait_for_url(f"**/property?property={first['property_id']}")
    page.get_by_role("heading", name=address).wait_for()
