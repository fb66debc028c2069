"""The meeting's property history link in a real browser: it opens that property in the same signed-in
session, also when the dashboard is served under a base path (behind a city's proxy), and the browser's
Back returns to the agenda item it came from."""

import os
import re
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from services import hotspots, meetings
from storage.engine import create_engine
from tests.conftest import copy_sqlite
from tests.e2e.test_browser import ROOT, _free_port, browser, open_signed_in, page, settle  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

BASE_PATH = "dashboard"


@contextmanager
def served_under(base_path: str, database_url: str, log: Path):
    """`streamlit run app.py` serving the dashboard under /`base_path`, as behind a city's proxy;
    yields the dashboard's root URL."""
    port = _free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless",
             "true", "--server.address", "127.0.0.1", "--server.baseUrlPath", base_path],
            cwd=ROOT, env=dict(os.environ, DATABASE_URL=database_url), stdout=out, stderr=subprocess.STDOUT)
    root = f"http://127.0.0.1:{port}/{base_path}"
    deadline = time.monotonic() + 60
    while not _healthy(root):
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"streamlit did not start; its log:\n{log.read_text()}")
        time.sleep(0.3)
    try:
        yield root
    finally:
        process.terminate()
        process.wait(timeout=20)


def _healthy(root: str) -> bool:
    try:
        with urllib.request.urlopen(f"{root}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def meeting_under_a_base_path(city_db_url, tmp_path):
    """A copy of the sample city with a meeting started, served under /dashboard; yields the page
    root, the meeting's day and its agenda."""
    url = copy_sqlite(city_db_url, tmp_path / "city-copy.db")
    engine = create_engine(url)
    day = hotspots.date_range(engine)[1]
    started = meetings.start_meeting(engine, day, "lead", size=5)
    agenda = meetings.agenda(engine, started.meeting["meeting_id"], include_dropped=False)
    engine.dispose()
    with served_under(BASE_PATH, url, tmp_path / "streamlit.log") as root:
        yield root, day, agenda


def test_the_property_history_link_opens_that_property(meeting_under_a_base_path, page):  # noqa: F811
    root, day, agenda = meeting_under_a_base_path
    second = agenda.iloc[1]
    open_signed_in(page, f"{root}/meeting?meeting={day}&item={second['property_id']}", "lead")
    main = page.get_by_test_id("stMain")
    main.get_by_role("heading", name=second["address"], exact=True).wait_for()
    settle(page)

    main.get_by_role("link", name="Property history", exact=True).click()
    page.wait_for_url(re.compile(rf"/{BASE_PATH}/property\?property={second['property_id']}$"))
    main.get_by_role("heading", name="Property history", exact=True).wait_for()
    main.get_by_role("heading", name=second["address"], exact=True).wait_for()
    assert len(page.context.pages) == 1  # the same tab and session: no second sign-in
    assert not main.get_by_text("Type an address or a parcel id above").count()

    page.go_back()
    main.get_by_role("heading", name="Coordination meeting", exact=True).wait_for()
    main.get_by_role("heading", name=second["address"], exact=True).wait_for()
