"""The page frame every page opens with: page config, the sign-in gate, the role check, the sidebar.

Every script in pages/ calls page_setup() as its first statement (a test checks), so a deep link
that runs a page without app.py still gets the whole frame, sign-in included.

Sessions live in the database (services.accounts), so every tab, window and app server shares them.
The browser carries the session's token in a cookie only the server sets and reads:

- signing in is a plain HTML form (no JavaScript) that posts to POST /session/sign-in, a route
  `session_routes()` adds to Streamlit's own server through st.App (see app.py). The route checks
  the password, stores the token's hash and answers with the cookie (HttpOnly, SameSite=Strict,
  Secure over HTTPS, Path = the app's path) and a redirect to the page the form was on, query
  included;
- every page run reads the cookie from the request that opened the page's connection
  (st.context.cookies) and checks the token against the database, so a sign-out, an expiry, a
  disabled account or a role change counts at the next click in every tab on every server;
- single sign-on (st.login) needs no cookie of ours: the session is keyed by a hash of
  Streamlit's own signed identity cookie, and ends with it.
"""

import hashlib
import html
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from integration import access
from services import first_run, sessions
from ui import data

# The sidebar, in the order the work goes: what is flagged, one property, the meeting and its
# follow-up, then the analysts' and the admin's tools. Each page with the permission it needs.
ROOT = Path(__file__).resolve().parents[1]
PAGES = (
    ("app.py", "Overview", ":material/dashboard:", "view_hotspots"),
    ("pages/hotspots.py", "Hotspots", ":material/local_fire_department:", "view_hotspots"),
    ("pages/property.py", "Property history", ":material/home_pin:", "view_property"),
    ("pages/meeting.py", "Meeting", ":material/groups:", "view_meeting"),
    ("pages/actions.py", "Actions", ":material/task_alt:", "view_meeting"),
    ("pages/outcomes.py", "Outcomes", ":material/insights:", "view_meeting"),
    ("pages/service.py", "Customer service", ":material/support_agent:", "view_service"),
    ("pages/upload.py", "Upload", ":material/upload_file:", "upload"),
    ("pages/match_review.py", "Match review", ":material/rule:", "review_matches"),
    ("pages/data_quality.py", "Data quality", ":material/fact_check:", "view_data_quality"),
    ("pages/admin.py", "Users and audit", ":material/admin_panel_settings:", "manage_users"),
)
COOKIE_NAME = "dashboard_session"
SIGN_IN_PATH = "/session/sign-in"
SINGLE_SIGN_ON_PATH = "/session/single-sign-on"
# The page a single sign-on was started from, kept across the provider's round trip (which always
# returns to the home page) and used once, when the session opens.
LANDING_COOKIE = "dashboard_landing"
LANDING_SECONDS = 600
NOTICE_PARAM = "signin"  # ?signin=refused: the route's answer to a refused sign-in, shown once
USER_KEY = "frame:user"  # the signed-in user of this page run, as page_setup() found it
TOKEN_KEY = "session_token"  # a token this tab holds itself: single sign-on without a cookie, tests
# Streamlit's own single sign-on cookie (st.login), and its numbered chunks when it is long.
IDENTITY_COOKIE = "_streamlit_user"
MAX_FORM_FIELD = 2048


def current_user() -> str:
    """Who is using the page, as written in ingest logs, decisions, exports and the audit log."""
    return st.session_state.get("user_name") or "unknown"


def page_setup(script: str) -> access.User | None:
    """Configure the page, make sure someone allowed is signed in, draw the sidebar; call first on
    every page, with the page's own __file__ (its title, icon and permission are its row in PAGES).
    Returns the signed-in user; stops the page for anyone else (None outside a page run)."""
    if not st.runtime.exists() or get_script_run_ctx(suppress_warning=True) is None:
        return None  # the server importing app.py to find its st.App: no page is being run
    title, icon, permission = registered(script)
    st.set_page_config(page_title=f"{title} · Property risk", page_icon=icon, layout="wide")
    user = _signed_in_user()
    st.session_state[USER_KEY] = user
    with st.sidebar:
        st.markdown("**Property risk dashboard**")
        for page, label, page_icon, needed in PAGES:
            if access.can(user, needed):
                st.page_link(page, label=label, icon=page_icon)
        st.divider()
        st.caption(f"Signed in as **{user.label}** · {access.SEAT_LABELS[access.seat(user)]}"
                   + (f" · {user.department}" if user.department else ""))
        if st.button("Sign out", icon=":material/logout:"):
            _sign_out(user)
        st.caption(data.database_label())
    if permission and not access.can(user, permission):
        st.error(f"Your role ({access.SEAT_LABELS[access.seat(user)]}) cannot open {title}. "
                 "An administrator can change your role.")
        st.stop()
    return user


def nothing_loaded(what: str = "department records") -> None:
    """The one empty state of every page: what is missing, and where it is loaded (the Upload page)."""
    st.info(f"**No {what} are loaded yet.** " + first_run.WHERE_TO_LOAD.replace("Upload", "**Upload**"),
            icon=":material/upload_file:")
    user = st.session_state.get(USER_KEY)
    if user is not None and access.can(user, "upload"):
        st.page_link("pages/upload.py", label="Open the Upload page", icon=":material/upload_file:")


def registered(script: str) -> tuple[str, str, str]:
    """(title, icon, permission) of a page script, from PAGES: the one place a page is registered."""
    relative = Path(script).resolve().relative_to(ROOT).as_posix()
    for page, label, icon, permission in PAGES:
        if page == relative:
            return label, icon, permission
    raise KeyError(f"{relative} is not in ui.frame.PAGES: add it there, with the permission it needs")


def audit(action: str, target: str | None = None, detail: str | None = None) -> None:
    """Write what the signed-in user did (a view, an export) to the audit log."""
    sessions.note(data.engine(), current_user(), action, target, detail)


def exported(target: str, detail: str, make):
    """The file of a download button, made when the button is pressed, with the export audited."""
    user_name = current_user()
    engine, token, limits = data.engine(), _presented_token(), access.session_limits()

    def make_and_audit():
        # Made when pressed, without a page run: a sign-out elsewhere since must count here too.
        if sessions.check(engine, token, limits).user is None:
            raise PermissionError("the session that drew this page has ended: sign in again")
        content = make()
        sessions.note(engine, user_name, "export", target, detail)
        return content

    return make_and_audit


def _sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def _limits() -> access.SessionLimits:
    try:
        return access.session_limits()
    except access.AccessError as problem:
        st.error(f"The session settings are wrong: {problem}.")
        st.stop()


def _identity_token() -> str | None:
    """A hash of Streamlit's signed single sign-on cookie: the same in every tab of a browser,
    new at each st.login, unknowable without the cookie."""
    cookies = st.context.cookies
    chunks = sorted((int(name[len(IDENTITY_COOKIE) + 1:] or 0), name) for name in cookies
                    if name == IDENTITY_COOKIE or (name.startswith(IDENTITY_COOKIE + "_")
                                                   and name[len(IDENTITY_COOKIE) + 1:].isdigit()))
    values = [_text(cookies[name]) for _, name in chunks]
    if not values or None in values:
        return None
    return hashlib.sha256("\n".join(values).encode()).hexdigest()


def _text(value) -> str | None:
    return value if isinstance(value, str) else None  # what a browser sent, or nothing (AppTest sends mocks)


def _presented_token() -> str | None:
    token = _text(st.context.cookies.get(COOKIE_NAME)) or _text(st.session_state.get(TOKEN_KEY))
    if token is None and _sso_configured() and st.user.is_logged_in:
        token = _identity_token()
    return token


def _signed_in_user() -> access.User:
    engine = data.engine()
    limits = _limits()
    state = st.session_state
    refused = None
    token = _presented_token()
    if token:
        check = sessions.check(engine, token, limits)
        if check.user is not None:
            state["user_name"] = check.user.name
            if check.user.must_change_password:
                _change_password(engine, check.user)
            return check.user
        refused = check.refused
    state.pop("user_name", None)
    st.title("Property risk dashboard")
    _say_why(refused, limits)
    if _sso_configured():
        _single_sign_on(engine, limits, refused)
    _sign_in_form(engine)
    st.stop()


def _say_why(refused: str | None, limits: access.SessionLimits) -> None:
    """Why the sign-in form is back; nothing for a token nobody issued."""
    if st.query_params.get(NOTICE_PARAM) == "refused":
        st.error(sessions.REFUSED_MESSAGE)
        del st.query_params[NOTICE_PARAM]  # once: a reload or a copied link does not repeat it
    idle, hours = limits.idle.total_seconds() / 60, limits.absolute.total_seconds() / 3600
    message = {
        "signed_out": "You signed out (in this tab or another one). Sign in again to go on.",
        "idle": f"You were signed out after {idle:g} minutes without activity.",
        "time_limit": f"Your session reached its {hours:g}-hour limit: sign in again to go on.",
        "ended_by_admin": "An administrator ended your session.",
        "account_disabled": "Your account has been disabled: ask an administrator.",
        "password_reset": "An administrator set a new password for your account: sign in with it.",
    }.get(refused)
    if message:
        st.info(message)


def _single_sign_on(engine, limits: access.SessionLimits, refused: str | None) -> None:
    # The identity cookie opens a session once; after a sign-out or expiry it takes a new st.login.
    if st.user.is_logged_in and refused in (None, "unknown"):
        email = str(st.user.get("email") or "")
        try:
            settings = st.secrets.get("single_sign_on", {})
            grant = access.role_for_groups(st.user.get(settings.get("groups_claim", "groups")),
                                           access.parse_group_roles(settings.get("group_roles")))
            token = _identity_token() or st.session_state.setdefault(TOKEN_KEY, sessions.new_token())
            sessions.identity_session(engine, email, token, limits=limits, grant=grant,
                                      display_name=str(st.user.get("name") or "") or None, **_client())
        except access.AccessError as problem:
            st.error(f"The single sign-on settings are wrong: {problem}.")
            st.stop()
        except sessions.SignInRefused:
            st.error(f"{email} has no role in the dashboard yet: ask an administrator to add it.")
            st.stop()
        _go_to_landing()
        st.rerun()
    st.html(SINGLE_SIGN_ON_FORM.format(action=html.escape(_base_path() + SINGLE_SIGN_ON_PATH, quote=True),
                                       landing=html.escape(_here(), quote=True)))
    st.caption("Or with an account of the dashboard's own:")


def _go_to_landing() -> None:
    """After a single sign-on, the page it was started from (the provider returns to the home page)."""
    landing = access.landing_path(unquote(_text(st.context.cookies.get(LANDING_COOKIE)) or ""), _base_path())
    parts = urlsplit(landing)
    page = parts.path[len(_base_path()):].strip("/")
    script = next((script for script, *_ in PAGES if script == f"pages/{page}.py"), None)
    if script is not None:
        st.switch_page(script, query_params=parse_qsl(parts.query))


def _client() -> dict:
    return {"browser": _text(st.context.headers.get("User-Agent")), "address": _text(st.context.ip_address)}


def _base_path() -> str:
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def _here() -> str:
    """This page's path and query, for the sign-in to come back to."""
    path = urlsplit(st.context.url or "").path or _base_path() + "/"
    query = [(key, value) for key in st.query_params if key != NOTICE_PARAM for value in st.query_params.get_all(key)]
    return path + (f"?{urlencode(query)}" if query else "")


# No script: the browser posts the form to the sign-in route, which sets the cookie and redirects back.
SIGN_IN_FORM = """
<style>
.dashboard-sign-in {{ display: flex; flex-direction: column; gap: 0.35rem; max-width: 26rem; }}
.dashboard-sign-in label {{ font-size: 0.875rem; margin-top: 0.5rem; }}
.dashboard-sign-in input {{ font: inherit; padding: 0.5rem 0.75rem; border-radius: 0.5rem;
  border: 1px solid rgba(49, 51, 63, 0.25); background: var(--st-secondary-background-color, #f0f2f6); }}
.dashboard-sign-in input:focus {{ outline: 2px solid #b3261e; outline-offset: 0; }}
.dashboard-sign-in button {{ font: inherit; margin-top: 1rem; align-self: flex-start; padding: 0.4rem 1.1rem;
  border-radius: 0.5rem; border: 1px solid #b3261e; background: #b3261e; color: #fff; cursor: pointer; }}
</style>
<form class="dashboard-sign-in" method="post" action="{action}">
  <label for="dashboard-user-name">User name</label>
  <input id="dashboard-user-name" name="user_name" autocomplete="username" required maxlength="120" autofocus>
  <label for="dashboard-password">Password</label>
  <input id="dashboard-password" name="password" type="password" autocomplete="current-password" required
    maxlength="1024">
  <input type="hidden" name="next" value="{landing}">
  <button type="submit">Sign in</button>
</form>
"""


SINGLE_SIGN_ON_FORM = """
<style>
.dashboard-single-sign-on button {{ font: inherit; padding: 0.4rem 1.1rem; border-radius: 0.5rem;
  border: 1px solid #b3261e; background: #b3261e; color: #fff; cursor: pointer; }}
</style>
<form class="dashboard-single-sign-on" method="get" action="{action}">
  <input type="hidden" name="next" value="{landing}">
  <button type="submit">Sign in with your city account</button>
</form>
"""


def _sign_in_form(engine) -> None:
    page = sessions.sign_in_page(engine)
    if not page.has_accounts:
        command, password_elided = first_run.first_admin_command(engine.url.render_as_string(hide_password=False))
        st.info(f"This database ({data.database_label()}) has no accounts yet. Create the first administrator "
                f"from a terminal in the project folder ({ROOT}), then reload this page:\n\n```bash\n{command}\n```"
                + ("\n\nPut the database's password in place of `***`." if password_elided else ""))
        st.stop()
    demos = page.demo_accounts
    st.html(SIGN_IN_FORM.format(action=html.escape(_base_path() + SIGN_IN_PATH, quote=True),
                                landing=html.escape(_here(), quote=True)))
    if demos:
        st.caption("Demo accounts of the sample city (one per role):")
        st.table([{"user name": d.name, "password": d.password, "who": d.display_name} for d in demos])


def _change_password(engine, user: access.User) -> None:
    """A password someone else set is changed by its owner before anything else."""
    st.title("Choose your own password")
    st.caption("An administrator set your password; choose one only you know.")
    with st.form("new-password"):
        current = st.text_input("Current password", type="password", autocomplete="current-password")
        new = st.text_input("New password (at least 10 characters)", type="password", autocomplete="new-password")
        again = st.text_input("New password again", type="password", autocomplete="new-password")
        submitted = st.form_submit_button("Change password", type="primary")
    if submitted:
        if new != again:
            st.error("The two new passwords differ.")
        else:
            try:
                sessions.change_password(engine, user.name, current, new)
                st.rerun()
            except sessions.SignInRefused:
                st.error("The current password is not right.")
            except sessions.AccountError as problem:
                st.error(str(problem))
    st.stop()


def _sign_out(user: access.User) -> None:
    # Ending the session in the database signs out every tab and server that holds its token; the
    # browser may keep the dead cookie until the next sign-in replaces it: it opens nothing.
    sessions.sign_out(data.engine(), _presented_token())
    st.session_state.pop("user_name", None)
    if _sso_configured() and st.user.is_logged_in:
        st.logout()  # sends the browser to Streamlit's /auth/logout, which clears the identity cookie
        st.stop()
    st.rerun()


# --- the sign-in route --------------------------------------------------------------------------


def session_routes() -> list:
    """The routes app.py's st.App adds to Streamlit's server: POST /session/sign-in, and
    GET /session/single-sign-on, which keeps the page to come back to and starts st.login's flow."""
    from starlette.routing import Route

    return [Route(_base_path() + SIGN_IN_PATH, _sign_in_route, methods=["POST"]),
            Route(_base_path() + SINGLE_SIGN_ON_PATH, _single_sign_on_route, methods=["GET"])]


def same_origin(headers) -> bool:
    """Whether a form post comes from a page of this server (Origin, else Referer, names the host
    the request was sent to): a sign-in posted from another site is refused."""
    sent_from = headers.get("origin") or headers.get("referer") or ""
    host = urlsplit(sent_from).netloc if sent_from not in ("", "null") else ""
    forwarded = (headers.get("x-forwarded-host") or "").split(",")[0].strip()
    return bool(host) and host in {headers.get("host"), forwarded}


def _with_notice(landing: str) -> str:
    parts = urlsplit(landing)
    query = [pair for pair in parse_qsl(parts.query, keep_blank_values=True) if pair[0] != NOTICE_PARAM]
    return urlunsplit(("", "", parts.path, urlencode([*query, (NOTICE_PARAM, "refused")]), ""))


def _secure(request) -> bool:
    forwarded = (request.headers.get("x-forwarded-proto") or "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


async def _sign_in_route(request):
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import PlainTextResponse, RedirectResponse

    if not same_origin(request.headers):
        return PlainTextResponse("Sign-in refused: the form was not sent from a page of this dashboard.",
                                 status_code=403)
    async with request.form(max_files=0, max_fields=10, max_part_size=MAX_FORM_FIELD) as form:
        name, password, wanted = (form.get(key) for key in ("user_name", "password", "next"))
    base = _base_path()
    landing = access.landing_path(wanted, base)
    limits = access.session_limits()
    try:
        _, token = await run_in_threadpool(
            sessions.sign_in, data.engine(), str(name or "")[:MAX_FORM_FIELD],
            str(password or "")[:MAX_FORM_FIELD], limits=limits, browser=request.headers.get("user-agent"),
            address=request.client.host if request.client else None)
    except sessions.SignInRefused:
        response = RedirectResponse(_with_notice(landing), status_code=303)
    else:
        response = RedirectResponse(landing, status_code=303)
        response.set_cookie(COOKIE_NAME, token, max_age=int(limits.absolute.total_seconds()), path=base or "/",
                            httponly=True, samesite="strict", secure=_secure(request))
    response.headers["Cache-Control"] = "no-store"
    return response


async def _single_sign_on_route(request):
    from starlette.responses import RedirectResponse
    from streamlit.user_info import generate_login_redirect_url  # where st.login() sends the browser

    base = _base_path()
    response = RedirectResponse(generate_login_redirect_url("default"), status_code=303)
    landing = access.landing_path(request.query_params.get("next"), base)
    response.set_cookie(LANDING_COOKIE, quote(landing, safe=""), max_age=LANDING_SECONDS, path=base or "/",
                        httponly=True, samesite="lax", secure=_secure(request))
    response.headers["Cache-Control"] = "no-store"
    return response
