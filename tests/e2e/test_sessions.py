"""Signed in once, everywhere: real servers, real cookies, headless Chromium.

One server on a copy of the sample city for a browser's tabs, reloads and links; two servers on
two ports against one PostgreSQL for a city that runs several behind a load balancer.
"""

import secrets
import uuid

import pytest
import sqlalchemy as sa

from services import accounts
from storage import audit_trail, migrate, property_data
from storage.engine import create_engine, reading, writing
from tests.conftest import _postgres_url, copy_sqlite
from tests.e2e.test_browser import PASSWORDS, browser, settle, streamlit_server  # noqa: F401 (browser: a fixture)
from ui import hotspots as hotspots_view
from ui.frame import COOKIE_NAME

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def city_server(city_db_url, tmp_path_factory):
    """A server of these tests' own on a copy of the sample city: signing in writes sessions."""
    directory = tmp_path_factory.mktemp("sessions")
    url = copy_sqlite(city_db_url, directory / "city.db")
    with streamlit_server(url, directory / "streamlit.log") as base:
        yield base, url


@pytest.fixture
def context(browser):  # noqa: F811
    """One browser profile: its tabs share cookies, as a person's browser does."""
    opened = browser.new_context(viewport={"width": 1400, "height": 1000})
    opened.set_default_timeout(60_000)
    yield opened
    opened.close()


def a_property(url: str) -> tuple[str, str]:
    with reading(create_engine(url)) as conn:
        property_id = property_data.property_master(conn)["property_id"].iloc[0]
        return property_id, property_data.get_property(conn, property_id)["address"]


def sign_in(page, user: str) -> None:
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password", exact=True).fill(PASSWORDS[user])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").first.wait_for()


def refused(page) -> None:
    """The sign-in form, and nothing of the page behind it (once the run has finished: until
    then Streamlit still shows the elements of the run before, faded)."""
    page.get_by_role("button", name="Sign in").wait_for()
    settle(page)
    assert not page.get_by_text("Signed in as").count()
    assert not page.get_by_test_id("stDataFrame").count()


def session_cookie(context) -> dict:
    [cookie] = [c for c in context.cookies() if c["name"] == COOKIE_NAME]
    return cookie


def test_signed_in_once_a_reload_a_new_tab_and_a_pasted_link_stay_signed_in(city_server, context):
    base, url = city_server
    property_id, address = a_property(url)
    first = context.new_page()
    first.goto(f"{base}/hotspots?days=30&min=3")
    refused(first)
    sign_in(first, "lead")
    first.wait_for_url("**/hotspots?*days=30*")  # back on the page and the filters the link asked for
    assert "min=3" in first.url
    cookie = session_cookie(context)
    assert (cookie["httpOnly"], cookie["sameSite"], cookie["path"], cookie["secure"]) == (True, "Strict", "/", False)
    assert first.evaluate("document.cookie").find(COOKIE_NAME) == -1  # no script on the page can read it

    first.reload()
    first.get_by_text("Signed in as").first.wait_for()
    grid = first.get_by_test_id("stDataFrame").first
    grid.wait_for()
    settle(first)
    # The list's Open link, its last column (the grid draws on a canvas and stretches its columns to
    # its width, so the link is found from the right edge): a new tab on the property.
    assert hotspots_view.LIST_COLUMNS[-1] == "Open"
    box = grid.bounding_box()
    link = (box["x"] + box["width"] - hotspots_view.list_config()["Open"]["width"] / 2, box["y"] + 35 + 17)
    with context.expect_page() as opened:
        first.mouse.move(*link)
        first.wait_for_timeout(300)
        first.mouse.click(*link)  # the first click selects the cell, the second follows the link
        first.wait_for_timeout(300)
        first.mouse.click(*link)
    from_list = opened.value
    from_list.wait_for_url("**/property?property=*")
    with reading(create_engine(url)) as conn:
        listed = property_data.get_property(conn, from_list.url.split("property=")[1])["address"]
    from_list.get_by_role("heading", name=listed).wait_for()
    from_list.get_by_text("Signed in as").first.wait_for()
    from_list.close()

    second = context.new_page()  # what the hotspots list's Open link does: the property in a new tab
    second.goto(f"{base}/property?property={property_id}")
    second.get_by_role("heading", name=address).wait_for()
    second.get_by_text("Signed in as").first.wait_for()

    # A colleague's link in an e-mail: a navigation from another site, which a Strict cookie does not
    # ride along; the page's own connection, opened from the dashboard's page, carries it.
    mail = context.new_page()
    mail.set_content(f'<a id="link" href="{base}/property?property={property_id}">the property</a>')
    mail.click("#link")
    mail.get_by_role("heading", name=address).wait_for()
    mail.get_by_text("Signed in as").first.wait_for()


def test_signing_out_in_one_tab_refuses_the_other_at_its_next_action_and_the_cookie_replayed(
        city_server, context, browser):  # noqa: F811
    base, url = city_server
    property_id, address = a_property(url)
    first = context.new_page()
    first.goto(f"{base}/")
    sign_in(first, "viewer")
    second = context.new_page()
    second.goto(f"{base}/property?property={property_id}")
    second.get_by_role("heading", name=address).wait_for()
    stolen = session_cookie(context)

    settle(first)
    first.get_by_role("button", name="Sign out").click()
    refused(first)

    settle(second)
    second.get_by_test_id("stSidebar").get_by_text("Hotspots").click()  # its next action, without a reload
    refused(second)
    second.get_by_text("You signed out").wait_for()

    elsewhere = browser.new_context()  # the cookie copied into another browser after the sign-out
    try:
        elsewhere.add_cookies([stolen])
        replay = elsewhere.new_page()
        replay.goto(f"{base}/property?property={property_id}")
        refused(replay)
        assert not replay.get_by_role("heading", name=address).count()
    finally:
        elsewhere.close()


def test_a_forged_cookie_opens_nothing(city_server, context):
    base, url = city_server
    property_id, address = a_property(url)
    context.add_cookies([{"name": COOKIE_NAME, "value": secrets.token_urlsafe(32), "url": base}])
    page = context.new_page()
    page.goto(f"{base}/property?property={property_id}")
    refused(page)
    assert not page.get_by_role("heading", name=address).count()


def test_a_hostile_deep_link_runs_no_script_and_shows_no_error_page(city_server, context):
    base, _url = city_server
    dialogs = []
    page = context.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    hostile = ("property=%3Cscript%3Ealert(1)%3C%2Fscript%3E&next=https%3A%2F%2Fevil.example"
               "&x=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(2)%3E")
    page.goto(f"{base}/property?{hostile}")
    refused(page)
    sign_in(page, "viewer")
    page.wait_for_url("**/property?*")
    assert page.url.startswith(base + "/property?")  # the app's own page, never the address in `next`
    settle(page)
    assert not page.get_by_test_id("stException").count()
    assert dialogs == []


def test_an_admin_sees_open_sessions_with_their_browser_and_ends_one(city_server, context, browser):  # noqa: F811
    base, url = city_server
    other = browser.new_context()
    try:
        theirs = other.new_page()
        theirs.goto(f"{base}/")
        sign_in(theirs, "analyst")
        admin = context.new_page()
        admin.goto(f"{base}/admin")
        sign_in(admin, "admin")
        admin.get_by_role("tab", name="Sessions").click()
        chooser = admin.get_by_test_id("stMultiSelect").filter(has_text="Sessions to end")
        chooser.click()
        admin.get_by_role("option").filter(has_text="analyst · Headless Chrome").first.click()
        admin.keyboard.press("Escape")
        admin.get_by_role("button", name="End the chosen sessions").click()
        settle(admin)
        settle(theirs)
        theirs.get_by_test_id("stSidebar").get_by_text("Hotspots").click()
        refused(theirs)
        theirs.get_by_text("An administrator ended your session.").wait_for()
    finally:
        other.close()
    with reading(create_engine(url)) as conn:
        assert "analyst" in audit_trail.audit_entries(conn, user_name="admin", action="session_ended")["target"].tolist()


# --- two servers, one PostgreSQL ---------------------------------------------------------------


@pytest.fixture
def two_servers(city_dir, tmp_path):
    """The sample city in a PostgreSQL schema of its own, served by two servers on two ports."""
    from loaders.__main__ import load_city

    url = _postgres_url()
    schema = f"e2e_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    scoped = f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    try:
        engine = create_engine(scoped)
        migrate.upgrade(engine)
        load_city(city_dir, engine)
        with writing(engine) as conn:
            accounts.create_demo_users(conn)
        engine.dispose()
        with streamlit_server(scoped, tmp_path / "first.log") as first, \
                streamlit_server(scoped, tmp_path / "second.log") as second:
            yield first, second, scoped
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def test_a_session_started_on_one_server_is_valid_on_the_other_and_a_sign_out_on_either_ends_it(
        two_servers, context):
    first, second, url = two_servers
    assert first != second
    property_id, address = a_property(url)
    on_first = context.new_page()
    on_first.goto(f"{first}/")
    sign_in(on_first, "police")
    on_first.get_by_text("PostgreSQL at").wait_for()

    on_second = context.new_page()  # the load balancer sends the next request to the other server
    on_second.goto(f"{second}/property?property={property_id}")
    on_second.get_by_role("heading", name=address).wait_for()
    on_second.get_by_text("Signed in as").first.wait_for()

    settle(on_second)
    on_second.get_by_role("button", name="Sign out").click()  # signed out through the second ...
    refused(on_second)
    settle(on_first)
    on_first.get_by_test_id("stSidebar").get_by_text("Hotspots").click()  # ... the first refuses
    refused(on_first)

    # Signed in again on the first and out there: the cookie sent to the second opens nothing.
    on_first.reload()
    sign_in(on_first, "police")
    again = context.new_page()
    again.goto(f"{second}/property?property={property_id}")
    again.get_by_role("heading", name=address).wait_for()
    settle(on_first)
    on_first.get_by_role("button", name="Sign out").click()
    refused(on_first)
    again.reload()
    refused(again)
    with reading(create_engine(url)) as conn:
        log = audit_trail.audit_entries(conn, user_name="police")
    assert log["action"].tolist().count("sign_in") == 2 and log["action"].tolist().count("sign_out") == 2


# --- single sign-on ------------------------------------------------------------------------------

COOKIE_SECRET = "a test cookie secret, not a real one"


@pytest.fixture
def sso_server(city_db_url, tmp_path, monkeypatch):
    """A server with single sign-on configured (its provider's address is a closed local port: the
    tests stand in for the provider by signing Streamlit's identity cookie themselves)."""
    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text(f'''
[auth]
redirect_uri = "http://127.0.0.1:9/oauth2callback"
cookie_secret = "{COOKIE_SECRET}"
client_id = "dashboard"
client_secret = "not used"
server_metadata_url = "http://127.0.0.1:9/.well-known/openid-configuration"

[single_sign_on]
groups_claim = "groups"
[single_sign_on.group_roles]
"PD Records" = "department_staff:police"
''')
    monkeypatch.setenv("STREAMLIT_SECRETS_FILES", str(secrets_file))
    url = copy_sqlite(city_db_url, tmp_path / "city.db")
    with streamlit_server(url, tmp_path / "streamlit.log") as base:
        yield base, url


def identity_cookie(base: str, claims: dict) -> dict:
    """Streamlit's identity cookie as its OIDC callback sets it after the provider signed someone in."""
    import json

    from streamlit.web.server.starlette.starlette_app_utils import create_signed_value

    payload = json.dumps({**claims, "origin": base, "is_logged_in": True, "provider": "default"})
    value = create_signed_value(COOKIE_SECRET, "_streamlit_user", payload).decode()
    return {"name": "_streamlit_user", "value": value, "url": base, "httpOnly": True, "sameSite": "Lax"}


def test_single_sign_on_tabs_share_one_session_and_signing_out_ends_it_in_each(sso_server, context):
    base, url = sso_server
    property_id, address = a_property(url)
    context.add_cookies([identity_cookie(base, {"email": "jane.doe@city.gov", "name": "Jane Doe",
                                                "groups": ["All Staff", "PD Records"]})])
    first = context.new_page()
    first.goto(f"{base}/property?property={property_id}")
    first.get_by_role("heading", name=address).wait_for()
    first.get_by_text("Department staff").first.wait_for()
    second = context.new_page()
    second.goto(f"{base}/hotspots")
    second.get_by_text("Signed in as").first.wait_for()
    from storage.schema import sessions, users

    jane = sessions.c.user_id == sa.select(users.c.user_id).where(users.c.name == "jane.doe@city.gov").scalar_subquery()
    with reading(create_engine(url)) as conn:
        assert conn.execute(sa.select(sessions.c.method).where(jane)).scalars().all() == ["single sign-on"]

    settle(first)
    first.get_by_role("button", name="Sign out").click()
    first.get_by_role("button", name="Sign in with your city account").wait_for()
    for _ in range(100):  # Streamlit's /auth/logout clears the identity cookie on the way back
        if not [c for c in context.cookies() if c["name"] == "_streamlit_user"]:
            break
        first.wait_for_timeout(200)
    else:
        pytest.fail("the identity cookie outlived the sign-out")
    settle(second)
    second.get_by_test_id("stSidebar").get_by_text("Property history").click()
    second.get_by_role("button", name="Sign in with your city account").wait_for()
    assert not second.get_by_text("Signed in as").count()
    with reading(create_engine(url)) as conn:
        assert conn.execute(sa.select(sessions.c.end_reason).where(jane)).scalars().all() == ["signed_out"]


def test_single_sign_on_started_from_a_deep_link_lands_on_it_after_the_provider(sso_server, context):
    base, url = sso_server
    property_id, address = a_property(url)
    page = context.new_page()
    page.goto(f"{base}/property?property={property_id}")
    page.get_by_role("button", name="Sign in with your city account").click()
    page.wait_for_url("**/auth/login?provider=*")  # Streamlit's own st.login flow, on to the provider
    [landing] = [c for c in context.cookies() if c["name"] == "dashboard_landing"]
    assert landing["httpOnly"] and landing["path"] == "/"
    # The provider signs the person in and sends the browser back to the home page, as it always does.
    context.add_cookies([identity_cookie(base, {"email": "jane.doe@city.gov", "groups": ["PD Records"]})])
    page.goto(f"{base}/")
    page.get_by_role("heading", name=address).wait_for()
    page.wait_for_url(f"**/property?property={property_id}")


def test_a_download_pressed_after_a_sign_out_in_another_tab_makes_no_file(city_server, context):
    base, url = city_server
    first = context.new_page()
    first.goto(f"{base}/hotspots")
    sign_in(first, "lead")
    button = first.get_by_role("button", name="Download CSV")
    button.wait_for()
    settle(first)
    with first.expect_download() as made:  # while the session lasts, the file is made
        button.click()
    assert made.value.suggested_filename.startswith("hotspots-")

    second = context.new_page()
    second.goto(f"{base}/")
    second.get_by_text("Signed in as").first.wait_for()
    settle(second)
    second.get_by_role("button", name="Sign out").click()
    refused(second)

    with reading(create_engine(url)) as conn:
        exports_before = len(audit_trail.audit_entries(conn, user_name="lead", action="export"))
    downloads = []
    first.on("download", lambda download: downloads.append(download))
    button.click()  # a download is made when pressed, without a page run
    first.wait_for_timeout(3000)
    assert downloads == []
    with reading(create_engine(url)) as conn:
        assert len(audit_trail.audit_entries(conn, user_name="lead", action="export")) == exports_before
