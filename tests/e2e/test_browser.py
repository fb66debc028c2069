"""A real browser against a real server: headless Chromium (Debian's) driven by Playwright."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from storage import repository
from storage.engine import create_engine, reading
from tests.conftest import require

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


@pytest.fixture(scope="module")
def server(city_db_url, tmp_path_factory):
    """`streamlit run app.py` on a free port, against the small sample city."""
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "streamlit.log"
    env = dict(os.environ, DATABASE_URL=city_db_url)
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
    yield base
    process.terminate()
    process.wait(timeout=20)


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


def test_overview_opens(server, page):
    page.goto(server + "/")
    page.get_by_role("heading", name="Cross-department property risk").wait_for()
    page.get_by_text("By department").wait_for()
    assert page.get_by_test_id("stSidebar").get_by_text("Property history").is_visible()


def test_a_deep_link_as_the_very_first_request_runs_the_page_frame(server, page, city_db_url):
    with reading(create_engine(city_db_url)) as conn:
        master = repository.property_master(conn)
        property_id = master["property_id"].iloc[0]
        found = repository.get_property(conn, property_id)
    page.goto(f"{server}/property?property={property_id}")
    page.get_by_role("heading", name=found["address"]).wait_for()
    sidebar = page.get_by_test_id("stSidebar")
    assert sidebar.get_by_text("Overview").is_visible()
    assert sidebar.get_by_text("Embedded SQLite database").is_visible()
    assert page.title().startswith("Property history")
