"""The page frame every page opens with: page config, the sign-in gate, the role check, the sidebar.

Every script in pages/ calls page_setup() as its first statement (a test checks), so a deep link
that runs a page without app.py still gets the whole frame, sign-in included.
"""

from datetime import datetime

import streamlit as st

from integration import access
from storage import accounts, repository
from storage.engine import reading, writing
from ui import data

# The sidebar, in the order the work goes: what is flagged, one property, the meeting and its
# follow-up, then the analysts' and the admin's tools. Each page with the permission it needs.
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
SESSION_KEYS = ("user_name", "last_seen_at")


def current_user() -> str:
    """Who is using the page, as written in ingest logs, decisions, exports and the audit log."""
    return st.session_state.get("user_name") or "unknown"


def page_setup(title: str, icon: str = ":material/location_city:", permission: str | None = None) -> access.User:
    """Configure the page, make sure someone allowed is signed in, draw the sidebar; call first on
    every page. Returns the signed-in user; stops the page for anyone else."""
    st.set_page_config(page_title=f"{title} · Property risk", page_icon=icon, layout="wide")
    user = _signed_in_user()
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


def audit(action: str, target: str | None = None, detail: str | None = None) -> None:
    """Write what the signed-in user did (a view, an export) to the audit log."""
    with writing(data.engine()) as conn:
        repository.audit(conn, current_user(), action, target, detail)


def exported(target: str, detail: str, make):
    """The file of a download button, made when the button is pressed, with the export audited."""
    user_name = current_user()

    def make_and_audit():
        content = make()
        with writing(data.engine()) as conn:
            repository.audit(conn, user_name, "export", target, detail)
        return content

    return make_and_audit


def _sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def _signed_in_user() -> access.User:
    engine = data.engine()
    state = st.session_state
    now = datetime.now()
    if state.get("user_name"):
        if access.session_expired(state.get("last_seen_at"), now, access.DEFAULT_SESSION_MINUTES):
            for key in SESSION_KEYS:
                state.pop(key, None)
            st.info(f"You were signed out after {access.DEFAULT_SESSION_MINUTES} minutes without activity.")
        else:
            with reading(engine) as conn:  # read every run: a role change or a disabled account counts at once
                user = accounts.user_by_name(conn, state["user_name"])
            if user is not None:
                state["last_seen_at"] = now
                if user.must_change_password:
                    _change_password(engine, user)
                return user
            state.pop("user_name", None)
    if _sso_configured():
        _single_sign_on(engine)
    _sign_in_form(engine)
    st.stop()


def _single_sign_on(engine) -> None:
    if not st.user.is_logged_in:
        st.title("Property risk dashboard")
        st.button("Sign in with your city account", type="primary", on_click=st.login)
        return
    try:
        user = accounts.sign_in_identity(engine, str(st.user.get("email") or ""))
    except accounts.SignInRefused:
        st.error(f"{st.user.get('email')} has no role in the dashboard yet: ask an administrator to add it.")
        st.stop()
    st.session_state.update(user_name=user.name, last_seen_at=datetime.now())
    st.rerun()


def _sign_in_form(engine) -> None:
    st.title("Property risk dashboard")
    with reading(engine) as conn:
        if accounts.count_users(conn) == 0:
            st.info("This database has no accounts yet. Create the first administrator from a terminal in "
                    "the project folder:\n\n```\n.venv/bin/python -m storage create-user NAME --role admin\n```")
            st.stop()
        demos = accounts.demo_accounts(conn)
    with st.form("sign-in"):
        name = st.text_input("User name", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        try:
            user = accounts.sign_in(engine, name, password)
        except accounts.SignInRefused as refused:
            st.error(str(refused))
        else:
            st.session_state.update(user_name=user.name, last_seen_at=datetime.now())
            st.rerun()
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
                accounts.sign_in(engine, user.name, current)
                with writing(engine) as conn:
                    accounts.set_password(conn, user.name, new, changed_by=user.name)
                st.rerun()
            except accounts.SignInRefused:
                st.error("The current password is not right.")
            except accounts.AccountError as problem:
                st.error(str(problem))
    st.stop()


def _sign_out(user: access.User) -> None:
    with writing(data.engine()) as conn:
        repository.audit(conn, user.name, "sign_out")
    for key in SESSION_KEYS:
        st.session_state.pop(key, None)
    if _sso_configured() and st.user.is_logged_in:
        st.logout()
    st.rerun()
