"""The Planning tab in a real browser: the forecast chart is drawn, its bands and lines in their colours."""

import io

import numpy as np
import pytest
from PIL import Image

from tests.e2e.test_browser import browser, open_signed_in, page, server, settle  # noqa: F401 (fixtures)
from ui.planning import COLOURS

pytestmark = pytest.mark.browser


def _pixels_near(png: bytes, colour: str, tolerance: int = 12) -> int:
    """How many pixels of the picture are within `tolerance` of `colour` on every channel."""
    target = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)
    return int((np.abs(pixels - np.array(target)) <= tolerance).all(axis=-1).sum())


def test_the_forecast_chart_is_drawn_beside_the_weeks_past(server, page):  # noqa: F811
    open_signed_in(page, f"{server}/service?view=Planning", "lead")
    page.get_by_role("heading", name="Customer service").wait_for()
    page.get_by_text("How far to trust it").wait_for()
    settle(page)
    chart = page.locator(".vega-embed").first
    chart.wait_for()
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(500)  # the chart's first frame
    box = chart.bounding_box()
    assert box["width"] > 400 and box["height"] > 200
    drawn = chart.screenshot()
    # the 80% band, the forecast line and the weeks past, each in its own colour, drawn on the page
    assert _pixels_near(drawn, COLOURS["80% interval"]) > 500
    assert _pixels_near(drawn, COLOURS["forecast"]) > 50
    assert _pixels_near(drawn, COLOURS["weeks past"]) > 50
    page.get_by_role("button", name="Forecast (CSV)").wait_for()


def test_a_viewer_sees_the_forecast_drawn_and_no_staffing(server, page):  # noqa: F811
    open_signed_in(page, f"{server}/service?view=Planning", "viewer")
    page.get_by_text("How far to trust it").wait_for()
    settle(page)
    chart = page.locator(".vega-embed").first
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    assert _pixels_near(chart.screenshot(), COLOURS["80% interval"]) > 500
    page.get_by_text("shown to administrators and the integration team lead").wait_for()
    assert not page.get_by_text("Staff now").count()
