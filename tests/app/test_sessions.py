"""Sessions through the page frame: the sign-in route and its cookie, every page run checking the
token, signing out, limits, admins ending sessions, single sign-on and its groups."""

import asyncio
import html
import re
from datetime import timedelta
from http.cookies import SimpleCookie
from urllib.parse import unquote, urlencode

import pytest
import sqlalchemy as sa
from starlette.applications import Starlette
from streamlit.testing.v1 import AppTest

from services import accounts
from storage import audit_trail
from storage.engine import create_engine, reading, writing
from storage.schema import sessions, users
from tests.app.apptest import ROOT, TIMEOUT, open_page
from ui import frame

PASSWORDS = {account.name: account.password for account in accounts.DEMO_ACCOUNTS}
HOST = "127.0.0.1:8501"


def call_route(method: str, path: str, body: bytes = b"", headers: dict | None = None, query: str = ""):
    """One request to the frame's routes, as a browser on this server sends it: (status, headers, cookie)."""
    sent = {"host": HOST, "origin": f"http://{HOST}", "content-type": "application/x-www-form-urlencoded",
            "content-length": str(len(body)), "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0 Safari/537.36"}
    sent.update(headers or {})
    scope = {"type": "http", "http_version": "1.1", "method": method, "scheme": "http", "path": path,
             "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8501),
             "headers": [(name.encode(), value.encode()) for name, value in sent.items() if value is not None]}
    answer = []

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        answer.append(message)

    asyncio.run(Starlette(routes=frame.session_routes())(scope, receive, send))
    start = answer[0]
    answered = {}
    for name, value in start["headers"]:
        answered.setdefault(name.decode().lower(), []).append(value.decode())
    cookie = SimpleCookie()
    for line in answered.get("set-cookie", []):
        cookie.load(line)
    return start["status"], answered, cookie


def post_sign_in(fields: dict, headers: dict | None = None):
    """POST the sign-in form to the route: (status, headers, cookie)."""
    return call_route("POST", frame.SIGN_IN_PATH, urlencode(fields).encode(), headers)


def sign_in_fields(user="viewer", password=None, landing="/property?property=P000010") -> dict:
    return {"user_name": user, "password": PASSWORDS.get(user, "") if password is None else password, "next": landing}


def open_with_token(path, monkeypatch, url, token, **query) -> AppTest:
    """A page opened by a browser whose cookie holds `token` (AppTest cannot send cookies: the tab holds it)."""
    monkeypatch.setenv("DATABASE_URL", url)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    app.query_params.update(query)
    app.session_state[frame.TOKEN_KEY] = token
    if path != "app.py":
        app.switch_page(path)
    return app.run()


def signed_in(app: AppTest) -> bool:
    return any("Signed in as" in caption.value for caption in app.sidebar.caption)


def sign_in_form(app: AppTest) -> str | None:
    return next((element.proto.body for element in app.get("html") if "<form" in element.proto.body), None)


@pytest.fixture
def city(city_copy_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", city_copy_url)
    monkeypatch.setattr(accounts, "SCRYPT_N", 2**14)
    return city_copy_url


def test_the_form_returns_to_the_page_it_was_on_with_its_query(monkeypatch, city_db_url):
    monkeypatch.setenv("DATABASE_URL", city_db_url)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    app.context = {"url": "http://127.0.0.1:8501/hotspots"}
    app.query_params.update({"days": "90", "min": "2", "department": ["police", "fire"]})
    app.switch_page("pages/hotspots.py")
    app = app.run()
    assert not app.exception
    assert 'name="next" value="/hotspots?days=90&amp;min=2&amp;department=police&amp;department=fire"' in sign_in_form(app)


def test_signing_in_sets_a_strict_http_only_cookie_and_lands_on_the_page_asked_for(monkeypatch, city):
    status, headers, cookie = post_sign_in(sign_in_fields())
    assert (status, headers["location"]) == (303, ["/property?property=P000010"])
    morsel = cookie[frame.COOKIE_NAME]
    assert (morsel["httponly"], morsel["samesite"].lower(), morsel["path"], morsel["secure"]) == (True, "strict", "/", "")
    assert int(morsel["max-age"]) == 12 * 3600
    assert headers["cache-control"] == ["no-store"]
    with reading(create_engine(city)) as conn:
        stored = conn.execute(sa.select(sessions.c.method, sessions.c.browser)
                              .where(sessions.c.token_hash == accounts.token_hash(morsel.value))).one()
    assert tuple(stored) == ("password", "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0 Safari/537.36")

    app = open_with_token("pages/property.py", monkeypatch, city, morsel.value, property="P000010")
    assert not app.exception and signed_in(app)
    assert app.header[0].value  # the property's address: the deep link survived the sign-in


def test_the_cookie_is_secure_when_the_dashboard_is_served_over_https(city):
    _, _, cookie = post_sign_in(sign_in_fields(), {"x-forwarded-proto": "https", "origin": f"https://{HOST}"})
    assert cookie[frame.COOKIE_NAME]["secure"] is True


def test_a_refused_sign_in_comes_back_to_the_form_with_the_reason_once(monkeypatch, city):
    status, headers, cookie = post_sign_in(sign_in_fields(password="wrong password!"))
    assert (status, headers["location"], frame.COOKIE_NAME in cookie) == (
        303, ["/property?property=P000010&signin=refused"], False)
    app = open_page("pages/property.py", monkeypatch, city, user=None, property="P000010", signin="refused")
    assert [error.value for error in app.error] == [accounts.REFUSED_MESSAGE]
    assert dict(app.query_params) == {"property": "P000010"}  # shown once: gone from the address
    assert re.search(r'name="next" value="/[a-z]*\?property=P000010"', sign_in_form(app))
    with reading(create_engine(city)) as conn:
        assert not conn.execute(sa.select(sessions).where(sessions.c.browser.is_not(None))).first()
        assert audit_trail.audit_entries(conn, user_name="viewer", action="sign_in_failed")["detail"].tolist() == [
            "wrong_password"]


@pytest.mark.parametrize("headers", [
    {"origin": "https://evil.example"},
    {"origin": "null"},
    {"origin": None, "referer": "https://evil.example/page"},
    {"origin": None, "referer": None},
    {"origin": f"http://{HOST}.evil.example"},
])
def test_a_sign_in_posted_from_another_site_is_refused(city, headers):
    status, answered, cookie = post_sign_in(sign_in_fields(), headers)
    assert (status, frame.COOKIE_NAME in cookie) == (403, False)
    with reading(create_engine(city)) as conn:
        assert not conn.execute(sa.select(sessions).where(sessions.c.browser.is_not(None))).first()


def test_a_sign_in_through_a_proxy_that_names_the_public_host(city):
    status, _, cookie = post_sign_in(sign_in_fields(), {"host": "10.0.0.5:8501", "origin": "https://risk.city.gov",
                                                        "x-forwarded-host": "risk.city.gov"})
    assert (status, frame.COOKIE_NAME in cookie) == (303, True)


@pytest.mark.parametrize("landing", ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)",
                                     "/x\r\nSet-Cookie: a=b"])
def test_a_sign_in_never_sends_the_browser_to_another_site(city, landing):
    status, headers, _ = post_sign_in(sign_in_fields(landing=landing))
    assert (status, headers["location"]) == (303, ["/"])


def test_a_forged_or_truncated_token_opens_the_sign_in_form_and_no_data(monkeypatch, city):
    _, _, cookie = post_sign_in(sign_in_fields())
    token = cookie[frame.COOKIE_NAME].value
    for forged in (token[:-2], token[:-1] + ("x" if token[-1] != "x" else "y"), "A" * 43, "<script>"):
        app = open_with_token("pages/property.py", monkeypatch, city, forged, property="P000010")
        assert not app.exception
        assert sign_in_form(app) and not signed_in(app) and not app.dataframe and not app.header
        assert not app.info  # nothing to say about a token nobody issued


def test_signing_out_in_one_tab_refuses_the_other_at_its_next_action(monkeypatch, city):
    _, _, cookie = post_sign_in(sign_in_fields("lead"))
    token = cookie[frame.COOKIE_NAME].value
    first = open_with_token("pages/hotspots.py", monkeypatch, city, token)
    second = open_with_token("pages/property.py", monkeypatch, city, token, property="P000010")
    assert signed_in(first) and signed_in(second)
    first = next(b for b in first.sidebar.button if b.label == "Sign out").click().run()
    assert not first.exception and sign_in_form(first)
    second.run()  # its next action
    assert sign_in_form(second) and not second.dataframe and not signed_in(second)
    assert "You signed out" in second.info[0].value
    # the token replayed, as a copied cookie would be
    assert sign_in_form(open_with_token("app.py", monkeypatch, city, token))
    with reading(create_engine(city)) as conn:
        assert audit_trail.audit_entries(conn, user_name="lead", action="sign_out")["user_name"].tolist() == ["lead"]


def move_back(url: str, token: str, column: str, minutes: int) -> None:
    """Make a session older, as time passing would."""
    with writing(create_engine(url)) as conn:
        where = sessions.c.token_hash == accounts.token_hash(token)
        stamp = conn.execute(sa.select(sessions.c[column]).where(where)).scalar_one()
        conn.execute(sessions.update().where(where).values({column: stamp - timedelta(minutes=minutes)}))


def test_an_idle_session_ends_with_a_message_and_its_audit_row(monkeypatch, city):
    _, _, cookie = post_sign_in(sign_in_fields())
    token = cookie[frame.COOKIE_NAME].value
    move_back(city, token, "last_seen_at", 61)
    app = open_with_token("app.py", monkeypatch, city, token)
    assert sign_in_form(app) and not signed_in(app)
    assert app.info[0].value == "You were signed out after 60 minutes without activity."
    with reading(create_engine(city)) as conn:
        [detail] = audit_trail.audit_entries(conn, user_name="viewer", action="session_expired")["detail"].tolist()
    assert re.fullmatch(r"session \d+: 60 minutes without activity", detail)


def test_the_limits_are_settings(monkeypatch, city):
    monkeypatch.setenv("SESSION_MAX_HOURS", "1")
    _, _, cookie = post_sign_in(sign_in_fields())
    assert int(cookie[frame.COOKIE_NAME]["max-age"]) == 3600
    move_back(city, cookie[frame.COOKIE_NAME].value, "created_at", 61)
    app = open_with_token("app.py", monkeypatch, city, cookie[frame.COOKIE_NAME].value)
    assert app.info[0].value == "Your session reached its 1-hour limit: sign in again to go on."
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "soon")
    app = open_page("app.py", monkeypatch, city, user="viewer")
    assert app.error[0].value.startswith("The session settings are wrong: SESSION_IDLE_MINUTES is 'soon'")


def test_a_disabled_account_or_a_changed_role_counts_at_the_next_click(monkeypatch, city):
    _, _, cookie = post_sign_in(sign_in_fields("analyst"))
    token = cookie[frame.COOKIE_NAME].value
    app = open_with_token("pages/match_review.py", monkeypatch, city, token)
    assert signed_in(app) and not any("cannot open" in error.value for error in app.error)
    with writing(create_engine(city)) as conn:
        accounts.set_role(conn, "analyst", "viewer", changed_by="admin")
    app.run()
    assert any("cannot open Match review" in error.value for error in app.error)
    with writing(create_engine(city)) as conn:
        accounts.disable_user(conn, "analyst", by="admin")
    app.run()
    assert sign_in_form(app) and not signed_in(app)
    assert app.info[0].value == "Your account has been disabled: ask an administrator."


@pytest.mark.parametrize("query", [
    {"property": "<script>alert(1)</script>"},
    {"property": "P000010\"><img src=x onerror=alert(1)>"},
    {"property": "' OR 1=1 --", "days": "-1e309", "department": ["police", "<b>x</b>"]},
    {"\"><script>": "x", "next": "https://evil.example"},
])
@pytest.mark.parametrize("page", ["pages/property.py", "pages/hotspots.py"])
def test_a_deep_link_with_a_hostile_query_runs_no_script_signed_out_or_in(monkeypatch, city_db_url, page, query):
    app = open_page(page, monkeypatch, city_db_url, user=None, **query)
    assert not app.exception
    form = sign_in_form(app)
    assert "<script>" not in form and "<img" not in form and "<b>" not in form
    landing = html.unescape(re.search(r'name="next" value="([^"]*)"', form).group(1))
    assert landing.startswith("/?") or landing == "/"  # AppTest has no browser address: the home page, query kept
    app = open_page(page, monkeypatch, city_db_url, user="viewer", **query)
    assert not app.exception


def test_an_admin_sees_who_has_sessions_and_ends_one(monkeypatch, city):
    _, _, viewer_cookie = post_sign_in(sign_in_fields("viewer"))
    viewer_token = viewer_cookie[frame.COOKIE_NAME].value
    app = open_page("pages/admin.py", monkeypatch, city, user="admin")
    assert not app.exception
    listed = next(frame_.value for frame_ in app.dataframe if "Last seen" in frame_.value.columns)
    assert {"viewer", "admin"} <= set(listed["User"])
    assert "Chrome 140 on Linux" in listed.loc[listed["User"] == "viewer", "Browser"].tolist()
    chooser = next(box for box in app.multiselect if box.label == "Sessions to end")
    [viewers] = [option for option in chooser.options if " viewer · Chrome 140 on Linux" in option]
    chooser.set_value([viewers])
    app = next(button for button in app.button if button.label == "End the chosen sessions").click().run()
    assert not app.exception
    refused = open_with_token("app.py", monkeypatch, city, viewer_token)
    assert refused.info[0].value == "An administrator ended your session."
    with reading(create_engine(city)) as conn:
        ended = audit_trail.audit_entries(conn, user_name="admin", action="session_ended")
    assert ended["target"].tolist() == ["viewer"]
    assert signed_in(app)  # the admin's own session goes on


SSO_SECRETS = {
    "auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32, "client_id": "id",
             "client_secret": "secret", "server_metadata_url": "https://login.example.gov/.well-known/openid-configuration"},
    "single_sign_on": {"groups_claim": "groups", "group_roles": {"PD Records": "department_staff:police",
                                                                 "Dashboard Admins": "admin"}},
}


def open_as_identity(monkeypatch, url, identity: dict, path="app.py", **query) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", url)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    app.secrets.update(SSO_SECRETS)
    app.user = {"is_logged_in": True, **identity}
    app.query_params.update(query)
    if path != "app.py":
        app.switch_page(path)
    return app.run()


def test_single_sign_on_groups_give_the_role_and_the_session_is_audited(monkeypatch, city):
    app = open_as_identity(monkeypatch, city, {"email": "Jane.Doe@city.gov", "name": "Jane Doe",
                                               "groups": ["All Staff", "PD Records"]}, "pages/property.py",
                           property="P000010")
    assert not app.exception and signed_in(app)
    assert "Department staff" in " ".join(caption.value for caption in app.sidebar.caption)
    with reading(create_engine(city)) as conn:
        user = accounts.user_by_name(conn, "jane.doe@city.gov")
        mine = sessions.c.user_id == sa.select(users.c.user_id).where(users.c.name == "jane.doe@city.gov").scalar_subquery()
        methods = conn.execute(sa.select(sessions.c.method).where(mine)).scalars().all()
        log = audit_trail.audit_entries(conn)
    assert (user.role, user.department) == ("department_staff", "police")
    assert methods == ["single sign-on"]
    assert {"user_created", "sign_in"} <= set(log["action"])
    app = next(b for b in app.sidebar.button if b.label == "Sign out").click().run()
    assert not app.exception
    with reading(create_engine(city)) as conn:
        assert conn.execute(sa.select(sessions.c.end_reason).where(mine)).scalars().all() == ["signed_out"]


def test_single_sign_on_without_a_role_is_told_to_ask_for_one(monkeypatch, city):
    app = open_as_identity(monkeypatch, city, {"email": "stranger@city.gov", "groups": ["Parks"]})
    assert app.error[0].value == "stranger@city.gov has no role in the dashboard yet: ask an administrator to add it."
    assert not signed_in(app)


def test_a_wrong_group_role_line_is_named_on_the_page(monkeypatch, city):
    monkeypatch.setitem(SSO_SECRETS["single_sign_on"], "group_roles", {"PD Records": "sheriff"})
    app = open_as_identity(monkeypatch, city, {"email": "jane@city.gov", "groups": ["PD Records"]})
    assert app.error[0].value.startswith("The single sign-on settings are wrong: group 'PD Records'")


def test_single_sign_on_offers_the_provider_and_keeps_the_page_to_come_back_to(monkeypatch, city):
    monkeypatch.setenv("DATABASE_URL", city)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    app.secrets.update(SSO_SECRETS)
    app.user = {"is_logged_in": False}
    app.context = {"url": "http://127.0.0.1:8501/property"}
    app.query_params.update({"property": "P000010"})
    app.switch_page("pages/property.py")
    app = app.run()
    sso = next(element.proto.body for element in app.get("html") if frame.SINGLE_SIGN_ON_PATH in element.proto.body)
    assert 'method="get"' in sso and 'name="next" value="/property?property=P000010"' in sso
    assert sign_in_form(app)  # the dashboard's own accounts still sign in beside it


@pytest.mark.parametrize("wanted, kept", [("/property?property=P000010", "/property?property=P000010"),
                                          ("https://evil.example/", "/"), ("//evil.example", "/")])
def test_the_single_sign_on_route_starts_streamlits_login_and_keeps_only_a_page_of_the_app(wanted, kept):
    status, headers, cookie = call_route("GET", frame.SINGLE_SIGN_ON_PATH, query=urlencode({"next": wanted}))
    assert status == 303 and headers["location"][0].startswith("/auth/login?provider=")
    landing = cookie[frame.LANDING_COOKIE]
    assert (unquote(landing.value), landing["httponly"], int(landing["max-age"])) == (kept, True, 600)


def test_a_password_an_admin_set_is_changed_first_and_the_session_goes_on(monkeypatch, city):
    with writing(create_engine(city)) as conn:
        accounts.create_user(conn, "jdoe", "first password 12", "viewer", created_by="admin", must_change_password=True)
    _, _, cookie = post_sign_in(sign_in_fields("jdoe", "first password 12", "/"))
    app = open_with_token("app.py", monkeypatch, city, cookie[frame.COOKIE_NAME].value)
    assert app.title[0].value == "Choose your own password" and not app.metric
    current, new, again = app.text_input
    current.input("first password 12")
    new.input("a password only I know")
    again.input("a password only I know")
    app = app.button[0].click().run()
    assert not app.exception and signed_in(app)
    assert app.title[0].value == "Cross-department property risk"
