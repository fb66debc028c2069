"""Users and audit: accounts and their roles, who is signed in where, and the log of who signed in,
viewed, exported and changed what."""

from datetime import date

import streamlit as st

from integration import access, exports
from services import users
from ui import data, views
from ui.frame import current_user, exported, page_setup

user = page_setup(__file__)

USER_COLUMNS = ["name", "display_name", "role_label", "department", "lead", "disabled", "locked_until",
                "failed_attempts", "last_sign_in", "must_change_password", "password_changed_at", "created_by",
                "created_at"]


def department_choice(department: str | None) -> str:
    return views.MISSING if department is None else views.department_label(department)


st.title("Users and audit")
engine = data.engine()
who = current_user()
people, signed_in, log = st.tabs(["Users", "Sessions", "Audit log"])

with people:
    listed = users.users(engine)
    views.show_table(listed[USER_COLUMNS].assign(department=listed["department"].map(views.department_label,
                                                                                     na_action="ignore")),
                     column_config={"Failed sign-ins": st.column_config.NumberColumn(format="localized")})
    with st.expander("What each role may do", icon=":material/key:"):
        st.markdown(access.permission_table_markdown())

    departments = [None, *access.DEPARTMENTS]
    role_help = "Department staff need a department; the team lead sees every department's sensitive fields"
    with st.form("new-user", clear_on_submit=True):
        st.markdown("**Add a user**")
        left, middle, right = st.columns(3)
        name = left.text_input("User name")
        display = middle.text_input("Full name")
        password = right.text_input("First password", type="password",
                                    help="They are asked to change it. Leave empty for single sign-on accounts")
        role = left.selectbox("Role", access.ROLES, format_func=access.ROLE_LABELS.get, help=role_help)
        department = middle.selectbox("Department", departments, format_func=department_choice)
        lead = right.checkbox("Integration team lead")
        added = st.form_submit_button("Add user", type="primary")
    if added:
        try:
            users.add_user(engine, who, name, password or None, role, department, lead, display_name=display or None)
            st.rerun()
        except (users.AccountError, access.AccessError) as problem:
            st.error(str(problem))

    if not listed.empty:
        with st.form("change-user"):
            st.markdown("**Change a user**")
            left, middle, right = st.columns(3)
            target = left.selectbox("User", listed["name"].tolist())
            new_role = middle.selectbox("New role", access.ROLES, format_func=access.ROLE_LABELS.get)
            new_department = right.selectbox("Department", departments,
                                             format_func=department_choice, key="change-department")
            new_lead = left.checkbox("Integration team lead", key="change-lead")
            new_password = middle.text_input("New password (optional)", type="password")
            buttons = st.columns(4)
            change_role = buttons[0].form_submit_button("Change role")
            reset = buttons[1].form_submit_button("Set password")
            disable = buttons[2].form_submit_button("Disable")
            enable = buttons[3].form_submit_button("Enable")
        try:
            if change_role:
                users.set_role(engine, who, target, new_role, new_department, new_lead)
            elif reset:
                users.set_password(engine, who, target, new_password)
            elif disable:
                users.disable(engine, who, target)
            elif enable:
                users.enable(engine, who, target)
            if change_role or reset or disable or enable:
                st.rerun()
        except (users.AccountError, access.AccessError) as problem:
            st.error(str(problem))

with signed_in:
    limits = access.session_limits()
    open_now = users.sessions(engine, limits)  # those that ran out leave the list with their audit rows
    st.caption(f"{views.plural(len(open_now), 'open session')}. A session ends after "
               f"{limits.idle.total_seconds() / 60:g} minutes without activity and "
               f"{limits.absolute.total_seconds() / 3600:g} hours after signing in; ending one signs that browser "
               "out at its next click, on every server.")
    views.show_table(open_now[["session_id", "name", "display_name", "browser", "created_at", "last_seen_at",
                               "expires_at", "method", "address"]],
                     {"name": "User", "created_at": "Started", "address": "From address"})
    if not open_now.empty:
        labels = {f"#{row.session_id} {row.name} · {row.browser} · since {row.created_at:%H:%M}": row.session_id
                  for row in open_now.itertuples()}
        with st.form("end-sessions", clear_on_submit=True):
            chosen = st.multiselect("Sessions to end", list(labels))
            end = st.form_submit_button("End the chosen sessions")
        if end and chosen:
            users.end_sessions(engine, who, [labels[label] for label in chosen])
            st.rerun()

with log:
    names, actions = users.audit_choices(engine)
    left, middle, right = st.columns(3)
    chosen_user = left.selectbox("User", [None, *names], format_func=lambda n: "Everyone" if n is None else n)
    chosen_action = middle.selectbox("Action", [None, *actions], format_func=lambda a: "Everything" if a is None else a)
    period = right.date_input("Between", (date.today().replace(day=1), date.today()))
    since, until = (period if isinstance(period, tuple) and len(period) == 2 else (None, None))
    entries = users.audit_log(engine, chosen_user, chosen_action, since, until)
    st.caption(f"{views.plural(len(entries), 'entry', 'entries')} (newest first; at most 5,000 shown). "
               "The log cannot be edited here.")
    views.show_table(entries, column_config={"When": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss")})
    filters = {"user": chosen_user or "everyone", "action": chosen_action or "everything",
               "from": since, "to": until}
    st.download_button("Download CSV", exported("audit log", "CSV", lambda: exports.to_csv(entries, who, filters)),
                       "audit-log.csv", "text/csv", icon=":material/download:", on_click="ignore")
