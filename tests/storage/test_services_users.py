"""Users and audit without Streamlit, on both engines: each change audited, refusals in words."""

import pytest

from integration.access import session_limits
from services import users
from services import accounts
from storage.engine import writing

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def cheap_scrypt(monkeypatch):
    monkeypatch.setattr(accounts, "SCRYPT_N", 2**10)


def test_adding_and_changing_a_user_is_audited(engine):
    users.add_user(engine, "ada", "bob", PASSWORD, "analyst", display_name="Bob Builder")
    users.set_role(engine, "ada", "bob", "department_staff", "police")
    users.set_password(engine, "ada", "bob", "another long password")
    users.disable(engine, "ada", "bob")
    users.enable(engine, "ada", "bob")
    listed = users.users(engine).set_index("name")
    assert listed.loc["bob", ["role", "department", "display_name", "disabled", "must_change_password"]].tolist() == [
        "department_staff", "police", "Bob Builder", False, True]
    names, actions = users.audit_choices(engine)
    assert names == ["ada"]
    assert {"user_created", "role_changed", "password_reset", "user_disabled", "user_enabled"} <= set(actions)
    assert users.audit_log(engine, "ada", "role_changed")["target"].tolist() == ["bob"]


def test_refusals_say_why(engine):
    users.add_user(engine, "ada", "bob", PASSWORD, "analyst")
    with pytest.raises(users.AccountError, match="taken"):
        users.add_user(engine, "ada", "BOB", PASSWORD, "analyst")
    with pytest.raises(users.AccountError, match="need a department"):
        users.set_role(engine, "ada", "bob", "department_staff")
    with pytest.raises(users.AccountError, match="there is no user"):
        users.disable(engine, "ada", "nobody")


def test_ending_sessions(engine):
    users.add_user(engine, "ada", "bob", PASSWORD, "analyst")
    limits = session_limits({})
    with writing(engine) as conn:
        accounts.start_session(conn, "bob", "password", limits=limits)
    open_now = users.sessions(engine, limits)
    assert open_now["name"].tolist() == ["bob"]
    assert users.end_sessions(engine, "ada", open_now["session_id"].tolist()) == 1
    assert users.sessions(engine, limits).empty
    assert not users.audit_log(engine, "ada").empty
