"""A real browser against a real server: headless Chromium (Debian's) driven by Playwright."""

import csv
import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from services import accounts
from storage import casework, department_records, loading, property_data
from storage.engine import create_engine, reading
from storage.schema import records
from tests.conftest import copy_sqlite, require

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]
LOAD_TIMEOUT_MS = 60_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def streamlit_server(database_url: str, log: Path):
    """`streamlit run app.py` on a free port against `database_url`; yields its base URL."""
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=database_url)
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.headless", "true", "--server.address", "127.0.0.1"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail(f"streamlit did not start; its log:\n{log.read_text()}")
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def server(city_db_url, tmp_path_factory):
    """A server against the small sample city, shared by the tests that only read."""
    with streamlit_server(city_db_url, tmp_path_factory.mktemp("server") / "streamlit.log") as base:
        yield base


@pytest.fixture
def writable_city(city_db_url, tmp_path):
    """A copy of the sample city for a test that writes, and a server of its own against it."""
    url = copy_sqlite(city_db_url, tmp_path / "city-copy.db")
    with streamlit_server(url, tmp_path / "streamlit.log") as base:
        yield base, url


@pytest.fixture(scope="module")
def browser():
    require(Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None,
            f"browser tests need Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    opened = context.new_page()
    opened.set_default_timeout(LOAD_TIMEOUT_MS)
    yield opened
    context.close()


PASSWORDS = {account.name: account.password for account in accounts.DEMO_ACCOUNTS}


def settle(page) -> None:
    """Wait until the app has finished running: a button clicked during a run belongs to the run before."""
    page.wait_for_timeout(300)
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden")


def open_signed_in(page, url: str, user: str) -> None:
    """Open `url`, sign in as the sample city's demo `user` on the form it shows, and stay there."""
    page.goto(url)
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password", exact=True).fill(PASSWORDS[user])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").first.wait_for()


def test_overview_opens(server, page):
    open_signed_in(page, server + "/", "viewer")
    page.get_by_role("heading", name="Cross-department property risk").wait_for()
    page.get_by_text("By department").wait_for()
    # Sidebar links arrive as placeholders first (the page-link component loads lazily): wait, don't peek.
    page.get_by_test_id("stSidebar").get_by_text("Property history").wait_for()


def test_a_deep_link_as_the_very_first_request_runs_the_page_frame(server, page, city_db_url):
    with reading(create_engine(city_db_url)) as conn:
        master = property_data.property_master(conn)
        property_id = master["property_id"].iloc[0]
        found = property_data.get_property(conn, property_id)
    page.goto(f"{server}/property?property={property_id}")
    # The frame ran: nobody is signed in, so the deep link shows the sign-in form, not the page ...
    page.get_by_role("button", name="Sign in").wait_for()
    assert not page.get_by_role("heading", name=found["address"]).count()
    page.get_by_label("User name").fill("viewer")
    page.get_by_label("Password", exact=True).fill(PASSWORDS["viewer"])
    page.get_by_role("button", name="Sign in").click()
    # ... and after signing in, the property the link asked for.
    page.get_by_role("heading", name=found["address"]).wait_for()
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Overview").wait_for()
    sidebar.get_by_text("Embedded SQLite database").wait_for()
    assert page.title().startswith("Property history")


def test_upload_a_police_extract_and_commit_it(writable_city, page, city_dir):
    base, url = writable_city
    with (city_dir / "police.csv").open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    out = io.StringIO()
    csv.writer(out).writerows([rows[0], *[[f"E2E-{i:04d}", *row[1:]] for i, row in enumerate(rows[1:51], 1)]])

    open_signed_in(page, f"{base}/upload", "analyst")
    page.get_by_role("heading", name="Upload a department extract").wait_for()
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "calls-e2e.csv", "mimeType": "text/csv", "buffer": out.getvalue().encode()}])
    page.get_by_text("Detected from the headers: Police").wait_for()
    page.get_by_text("'Call Date/Time' holds dates like").wait_for()  # the first 50 calls fall on days 1-12
    settle(page)
    page.get_by_text("Month first:").click()
    page.get_by_role("heading", name="Where the records would be placed").wait_for()
    assert page.get_by_test_id("stMetric").filter(has_text="Rows read").inner_text().split()[-1] == "50"
    with reading(create_engine(url)) as conn:
        assert not conn.execute(sa.select(records.c.record_id).where(records.c.source_record_id.like("E2E-%"))).first()

    page.get_by_role("button", name="Load 50 records into the dashboard").click()
    page.get_by_text("Loaded calls-e2e.csv as load #").wait_for()
    # In the load history (the grid draws on a canvas; its accessible copy holds the text).
    page.get_by_test_id("stDataFrame").last.get_by_text("calls-e2e.csv").wait_for(state="attached")
    with reading(create_engine(url)) as conn:
        last = loading.ingest_history(conn).iloc[0]
        stored = conn.execute(sa.select(sa.func.count()).select_from(records)
                              .where(records.c.source_record_id.like("E2E-%"))).scalar_one()
    assert (last["file_name"], last["rows_new"], stored) == ("calls-e2e.csv", 50, 50)
    assert page.get_by_text(f"as load #{last['ingest_id']}: 50 new").is_visible()


def ambiguous_requests(count: int = 40) -> bytes:
    """Requests in columns no department names, their dates all on days 1-12: 03/04/2025 reads both ways."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Ticket", "Opened", "Issue", "Site", "Stage"])
    issues = ["Tall grass", "Junk and debris", "Graffiti", "Abandoned vehicle"]
    for i in range(1, count + 1):
        writer.writerow([f"T-{i:04d}", f"{i % 12 + 1:02d}/{i * 5 % 12 + 1:02d}/2025 {8 + i % 9:02d}:15",
                         issues[i % 4], f"{100 + 2 * i} Main St", "Open" if i % 3 else "Closed"])
    return out.getvalue().encode()


def test_upload_asks_the_day_month_order_then_shows_the_proposed_mapping_and_the_load(server, page):
    open_signed_in(page, f"{server}/upload", "analyst")
    page.get_by_role("heading", name="Upload a department extract").wait_for()
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "tickets.csv", "mimeType": "text/csv", "buffer": ambiguous_requests()}])
    page.get_by_text("'Opened' holds dates like").wait_for()
    page.get_by_text("Proposed from the file's columns and values: check each field").wait_for()
    assert page.get_by_role("combobox", name="Category *").input_value() == "Issue"
    assert not page.get_by_role("button", name="Load 40 records into the dashboard").count()

    settle(page)
    page.get_by_text("Day first: 02/06/2025 is June 2").click()
    page.get_by_role("button", name="Load 40 records into the dashboard").wait_for()
    assert page.get_by_test_id("stMetric").filter(has_text="Rows read").inner_text().split()[-1] == "40"
    assert page.get_by_role("radio", name="Day first: 02/06/2025 is June 2").is_checked()


def _top_hotspot(url: str) -> tuple[str, str]:
    """The property the hotspots list ranks first, and its address, computed from the database."""
    from tests.app.test_hotspots import expected_scores

    scored = expected_scores(url)
    top = scored[scored["flagged"]].index[0]
    with reading(create_engine(url)) as conn:
        return top, property_data.get_property(conn, top)["address"]


def test_hotspots_row_click_opens_the_property_and_the_filters_are_in_the_url(server, page, city_db_url):
    top, address = _top_hotspot(city_db_url)
    open_signed_in(page, f"{server}/hotspots", "lead")
    grid = page.get_by_test_id("stDataFrame").first
    grid.wait_for()
    page.wait_for_url("**/hotspots?*days=90*")
    assert "min=2" in page.url and "end=" in page.url
    box = grid.bounding_box()
    # the row-selection box of the first row: left edge of the grid, below the header row
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)
    page.wait_for_url(f"**/property?property={top}")
    page.get_by_role("heading", name=address).wait_for()


def test_hotspots_map_click_opens_the_property(server, page, city_db_url):
    top, address = _top_hotspot(city_db_url)
    open_signed_in(page, f"{server}/hotspots", "lead")
    page.get_by_role("tab", name="Map").click()
    deck = page.get_by_test_id("stDeckGlJsonChart")
    deck.wait_for()
    page.wait_for_timeout(1500)  # deck.gl draws after the element appears
    box = deck.bounding_box()
    # the map opens on the top-ranked property, drawn on top of the others; its tooltip under the
    # pointer shows the map can be picked from (a busy machine draws a map with streets slowly)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.locator(".deck-tooltip").filter(has_text=address).wait_for()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url(f"**/property?property={top}")
    page.get_by_role("heading", name=address).wait_for()


def test_a_meeting_decision_and_its_minutes(writable_city, page):
    base, url = writable_city
    open_signed_in(page, f"{base}/meeting", "lead")
    page.get_by_role("button", name="Start this meeting").click()
    page.get_by_text("Agenda item").first.wait_for()
    with reading(create_engine(url)) as conn:
        held = casework.list_meetings(conn).iloc[0]
        first = casework.meeting_agenda(conn, int(held["meeting_id"])).iloc[0]
    page.get_by_role("heading", name=first["address"]).wait_for()
    settle(page)  # a list opened while the page still runs closes when that run redraws it

    status = page.get_by_test_id("stSelectbox").filter(has_text="Status")
    # at the window's bottom edge the list has no room to open: bring the box to the middle first
    status.evaluate("element => element.scrollIntoView({block: 'center'})")
    status.click()
    page.get_by_text("Monitoring", exact=True).click()
    page.get_by_label("Note").fill("Owner called; <b>not</b> bold")
    page.get_by_role("button", name="Record decision").click()
    page.get_by_text("Case history").wait_for()
    with reading(create_engine(url)) as conn:
        case = casework.open_case_for(conn, first["property_id"])
    assert case["status"] == "monitoring"
    assert [e["body"]["text"] for e in case["events"] if e["kind"] == "note"] == ["Owner called; <b>not</b> bold"]

    settle(page)
    # the minutes' PDF button once: while a busy machine redraws the page, the run before's copy
    # can still stand beside the new one
    expect(page.get_by_role("button", name="PDF")).to_have_count(1, timeout=60_000)
    with page.expect_download() as download:
        page.get_by_role("button", name="PDF").click()
    content = Path(download.value.path()).read_bytes()
    assert content.startswith(b"%PDF")


def test_a_viewer_sees_no_police_narrative_and_police_staff_do(server, browser, city_db_url):
    from tests.app.test_access import property_with_police_narratives

    property_id = property_with_police_narratives(city_db_url)
    with reading(create_engine(city_db_url)) as conn:
        history = department_records.property_records(conn, property_id)
    narrative = history.loc[(history["department"] == "police") & history["description"].notna(), "description"].iloc[0]
    for user, sees in (("viewer", False), ("police", True)):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(LOAD_TIMEOUT_MS)
        open_signed_in(page, f"{server}/property?property={property_id}", user)
        page.get_by_test_id("stDataFrame").last.wait_for()
        if sees:  # the grid draws on a canvas; its accessible copy holds the cell text
            page.get_by_text(narrative).first.wait_for(state="attached")
        else:
            page.wait_for_timeout(3000)
            assert page.get_by_text(narrative).count() == 0
        context.close()


def test_customer_service_charts_draw_and_a_request_opens_its_property(server, page, city_db_url):
    from tests.app.test_service import _chosen_requests

    latest = _chosen_requests(city_db_url).sort_values("created", ascending=False).reset_index(drop=True)
    row = int(latest["property_id"].notna().to_numpy().argmax())  # the first request placed on a property
    assert row < 8, "the test clicks a row the grid shows without scrolling"
    property_id = latest.loc[row, "property_id"]
    open_signed_in(page, f"{server}/service", "lead")
    page.get_by_role("heading", name="Customer service").wait_for()
    page.locator(".vega-embed").first.wait_for()  # Altair charts drawn in the browser
    page.get_by_role("tab", name="Equity").click()
    page.get_by_text("City rates:").wait_for()
    page.get_by_role("tab", name="Requests").click()
    settle(page)
    grid = page.get_by_test_id("stDataFrame").filter(has_text="Request").last
    grid.wait_for()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17 + 35 * row)
    page.wait_for_url(f"**/property?property={property_id}")
