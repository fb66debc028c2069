"""Sessions on both engines: a token opens exactly what its stored hash says, until it ends, on every server."""

import hashlib
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from integration.access import SessionLimits
from services import accounts
from services.accounts import SignInRefused
from storage.engine import reading, writing
from storage.schema import audit_log, sessions, users
from tests.storage.test_meetings_and_cases import _twin

T0 = datetime(2026, 3, 2, 9, 0)
LIMITS = SessionLimits(idle=timedelta(minutes=60), absolute=timedelta(hours=12))
PASSWORD = "correct horse battery"
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36"


@pytest.fixture(autouse=True)
def cheap_scrypt(monkeypatch):
    monkeypatch.setattr(accounts, "SCRYPT_N", 2**10)


@pytest.fixture
def alice(engine):
    with writing(engine) as conn:
        accounts.create_user(conn, "admin", "admin password 1", "admin", created_by="test")
        accounts.create_user(conn, "alice", PASSWORD, "analyst", created_by="test")
    return engine


def _start(engine, name="alice", now=T0, browser=CHROME):
    with writing(engine) as conn:
        return accounts.start_session(conn, name, "password", limits=LIMITS, browser=browser, address="127.0.0.1",
                                      now=now)


def _check(engine, token, now=T0, limits=LIMITS):
    return accounts.check_session(engine, token, limits, now)


def _audit(engine, *actions):
    with reading(engine) as conn:
        rows = conn.execute(sa.select(audit_log.c.user_name, audit_log.c.action, audit_log.c.target,
                                      audit_log.c.detail).order_by(audit_log.c.audit_id)).all()
    return [tuple(row) for row in rows if not actions or row.action in actions]


def _stored(engine):
    with reading(engine) as conn:
        return conn.execute(sa.select(sessions).order_by(sessions.c.session_id)).mappings().all()


def test_a_session_opens_for_its_user_and_only_its_hash_is_stored(alice):
    token = _start(alice)
    check = _check(alice, token, T0 + timedelta(minutes=5))
    assert (check.user.name, check.user.role, check.refused) == ("alice", "analyst", None)
    [row] = _stored(alice)
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(dict(row))
    assert (row["created_at"], row["expires_at"], row["method"]) == (T0, T0 + timedelta(hours=12), "password")
    assert len(token) >= 43 and _start(alice) != token  # 256 random bits, a new one each time


def _forged(token: str) -> list[str]:
    return [
        token[:-1],  # truncated
        token[:20],  # too short to be a token at all
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # one character changed
        hashlib.sha256(token.encode()).hexdigest(),  # the stored hash presented as a token
        "A" * 43,
        "",
        "x" * 10_000,
        token + "\x00",
        "' OR '1'='1",
        None,
    ]


def test_a_forged_truncated_or_altered_token_opens_nothing(alice):
    token = _start(alice)
    for forged in _forged(token):
        check = _check(alice, forged)
        assert (check.user, check.refused) == (None, "unknown"), forged
    assert _check(alice, token).user.name == "alice"


def test_activity_is_noted_at_most_once_a_minute(alice):
    token = _start(alice)
    _check(alice, token, T0 + timedelta(seconds=59))
    assert _stored(alice)[0]["last_seen_at"] == T0
    _check(alice, token, T0 + timedelta(minutes=2))
    assert _stored(alice)[0]["last_seen_at"] == T0 + timedelta(minutes=2)


def test_idle_past_the_timeout_ends_the_session_once_with_its_audit_row(alice):
    token = _start(alice)
    assert _check(alice, token, T0 + timedelta(minutes=59)).user is not None
    late = T0 + timedelta(minutes=59) + timedelta(minutes=60)
    assert _check(alice, token, late).refused == "idle"
    assert _check(alice, token, late + timedelta(minutes=1)).refused == "idle"  # ended: stays ended
    assert _check(alice, token, T0 + timedelta(minutes=61)).refused == "idle"  # even when the clock goes back
    assert _audit(alice, "session_expired") == [("alice", "session_expired", None,
                                                  "session 1: 60 minutes without activity")]
    assert (_stored(alice)[0]["ended_at"], _stored(alice)[0]["end_reason"]) == (late, "idle")


def test_an_active_session_still_ends_at_its_time_limit(alice):
    token = _start(alice)
    moment = T0
    while moment + timedelta(minutes=30) < T0 + timedelta(hours=12):
        moment += timedelta(minutes=30)
        assert _check(alice, token, moment).user is not None, moment
    assert _check(alice, token, T0 + timedelta(hours=12)).refused == "time_limit"
    assert _audit(alice, "session_expired")[0][3] == "session 1: 12-hour limit"


def test_shorter_limits_apply_to_the_sessions_already_open(alice):
    token = _start(alice)
    shorter = SessionLimits(idle=timedelta(minutes=10), absolute=timedelta(hours=1))
    assert _check(alice, token, T0 + timedelta(minutes=11), shorter).refused == "idle"
    other = _start(alice, now=T0 + timedelta(hours=2))
    assert _check(alice, other, T0 + timedelta(hours=3), SessionLimits(absolute=timedelta(hours=1))).refused == "time_limit"


def test_a_session_started_in_the_future_is_refused(alice):
    token = _start(alice, now=T0 + timedelta(hours=1))
    assert _check(alice, token, T0).refused == "clock"


def test_sign_out_ends_the_session_and_the_token_replayed_opens_nothing(alice):
    token = _start(alice)
    assert accounts.end_session(alice, token, now=T0 + timedelta(minutes=3))
    assert not accounts.end_session(alice, token)  # already ended: nothing more, no second audit row
    check = _check(alice, token, T0 + timedelta(minutes=4))
    assert (check.user, check.refused) == (None, "signed_out")
    assert _audit(alice, "sign_out") == [("alice", "sign_out", None, "session 1")]


def test_two_tabs_share_one_session_and_one_signing_out_signs_out_both(alice):
    token = _start(alice)
    first_tab, second_tab = token, token  # tabs of one browser send the same cookie
    assert _check(alice, first_tab).user.name == _check(alice, second_tab).user.name == "alice"
    accounts.end_session(alice, first_tab)
    assert _check(alice, second_tab).refused == "signed_out"


def test_a_session_started_through_one_server_is_valid_on_another_until_signed_out_there(alice):
    second_server = _twin(alice)
    try:
        token = _start(alice)
        assert accounts.check_session(second_server, token, LIMITS, T0).user.name == "alice"
        assert accounts.end_session(second_server, token)
        assert _check(alice, token).refused == "signed_out"
    finally:
        second_server.dispose()


def test_other_sessions_of_the_same_person_stay_open_after_one_signs_out(alice):
    laptop, phone = _start(alice), _start(alice, browser="Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) "
                                                         "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 "
                                                         "Mobile/15E148 Safari/604.1")
    accounts.end_session(alice, laptop)
    assert _check(alice, phone).user.name == "alice"


def test_disabling_an_account_ends_its_sessions_at_once_and_enabling_does_not_reopen_them(alice):
    first, second = _start(alice), _start(alice)
    with writing(alice) as conn:
        accounts.disable_user(conn, "alice", by="admin")
    assert _check(alice, first).refused == _check(alice, second).refused == "account_disabled"
    assert [row[:3] for row in _audit(alice, "session_ended")] == [("admin", "session_ended", "alice")] * 2
    with writing(alice) as conn:
        accounts.enable_user(conn, "alice", by="admin")
    assert _check(alice, first).user is None


def test_a_session_of_an_account_disabled_behind_its_back_is_refused(alice):
    token = _start(alice)
    with writing(alice) as conn:  # as an older server or a hand-made change would
        conn.execute(users.update().where(users.c.name == "alice").values(disabled=True))
    assert _check(alice, token).refused == "account_disabled"


def test_a_role_change_applies_to_open_sessions_at_their_next_check(alice):
    token = _start(alice)
    with writing(alice) as conn:
        accounts.set_role(conn, "alice", "department_staff", "fire", changed_by="admin")
    user = _check(alice, token).user
    assert (user.role, user.department) == ("department_staff", "fire")


def test_a_password_set_by_an_admin_ends_sessions_and_ones_own_change_does_not(alice):
    token = _start(alice)
    with writing(alice) as conn:
        accounts.set_password(conn, "alice", "a new password of hers", changed_by="alice")
    assert _check(alice, token).user is not None
    with writing(alice) as conn:
        accounts.set_password(conn, "alice", "one the admin chose", changed_by="admin")
    assert _check(alice, token).refused == "password_reset"


def test_an_admin_ends_one_session_and_the_log_says_who_whose_and_which_browser(alice):
    token = _start(alice)
    [row] = _stored(alice)
    with writing(alice) as conn:
        assert accounts.end_session_by_id(conn, row["session_id"], by="admin")
        assert not accounts.end_session_by_id(conn, row["session_id"], by="admin")
        with pytest.raises(accounts.AccountError):
            accounts.end_session_by_id(conn, 999, by="admin")
    assert _check(alice, token).refused == "ended_by_admin"
    assert _audit(alice, "session_ended") == [
        ("admin", "session_ended", "alice", "session 1: ended by an administrator (Chrome 140 on Linux)")]


def test_open_sessions_lists_who_started_when_last_seen_and_from_which_browser(alice):
    kept = _start(alice, now=T0)
    _check(alice, kept, T0 + timedelta(minutes=50))
    ended = _start(alice, "admin", now=T0 + timedelta(minutes=10), browser="curl/8.0")
    accounts.end_session(alice, ended)
    _start(alice, "admin", now=T0 - timedelta(hours=2))  # idle: not open any more, though not yet swept
    with reading(alice) as conn:
        listed = accounts.open_sessions(conn, LIMITS, now=T0 + timedelta(minutes=55))
    assert listed[["name", "method", "created_at", "last_seen_at", "browser"]].values.tolist() == [
        ["alice", "password", T0, T0 + timedelta(minutes=50), "Chrome 140 on Linux"]]


def test_the_sweep_ends_every_run_out_session_with_its_reason(alice):
    idle = _start(alice, now=T0)
    long = _start(alice, "admin", now=T0 - timedelta(hours=13))
    live = _start(alice, now=T0 + timedelta(minutes=50))
    with writing(alice) as conn:
        assert accounts.end_expired_sessions(conn, LIMITS, now=T0 + timedelta(minutes=70)) == 2
        assert accounts.end_expired_sessions(conn, LIMITS, now=T0 + timedelta(minutes=70)) == 0
    reasons = {row["session_id"]: row["end_reason"] for row in _stored(alice)}
    assert reasons == {1: "idle", 2: "time_limit", 3: None}
    assert _check(alice, live, T0 + timedelta(minutes=70)).user is not None
    assert _check(alice, idle, T0 + timedelta(minutes=70)).refused == "idle"
    assert _check(alice, long, T0 + timedelta(minutes=70)).refused == "time_limit"
    assert len(_audit(alice, "session_expired")) == 2


def test_signing_in_with_a_password_starts_a_session_and_a_refusal_starts_none(alice):
    with pytest.raises(SignInRefused):
        accounts.sign_in_session(alice, "alice", "wrong password!", limits=LIMITS, now=T0)
    assert not _stored(alice)
    user, token = accounts.sign_in_session(alice, "Alice ", PASSWORD, limits=LIMITS, browser=CHROME, now=T0)
    assert user.name == "alice" and _check(alice, token).user.name == "alice"
    [row] = _stored(alice)
    assert (row["browser"], row["address"]) == (CHROME, None)
    assert [row[:2] for row in _audit(alice, "sign_in", "sign_in_failed")] == [
        ("alice", "sign_in_failed"), ("alice", "sign_in")]


def test_lockout_still_refuses_a_session_after_five_wrong_passwords(alice):
    for _ in range(accounts.MAX_FAILED_ATTEMPTS):
        with pytest.raises(SignInRefused):
            accounts.sign_in_session(alice, "alice", "wrong password!", limits=LIMITS, now=T0)
    with pytest.raises(SignInRefused) as refused:
        accounts.sign_in_session(alice, "alice", PASSWORD, limits=LIMITS, now=T0 + timedelta(minutes=1))
    assert refused.value.reason == "locked"
    assert not _stored(alice)


def test_a_token_from_a_disabled_account_cannot_start_a_session(alice):
    with writing(alice) as conn:
        accounts.disable_user(conn, "alice", by="admin")
    with pytest.raises(SignInRefused):
        accounts.sign_in_session(alice, "alice", PASSWORD, limits=LIMITS, now=T0)


IDENTITY_TOKEN = hashlib.sha256(b"the provider's signed identity cookie").hexdigest()


def test_single_sign_on_groups_create_the_account_with_its_role(alice):
    user = accounts.identity_session(alice, "Jane.Doe@City.gov", IDENTITY_TOKEN, limits=LIMITS,
                                     grant=("department_staff", "police", False), display_name="Jane Doe", now=T0)
    assert (user.name, user.role, user.department, user.display_name) == (
        "jane.doe@city.gov", "department_staff", "police", "Jane Doe")
    assert _check(alice, IDENTITY_TOKEN).user.name == "jane.doe@city.gov"
    assert _stored(alice)[0]["method"] == "single sign-on"
    assert ("single sign-on groups", "user_created", "jane.doe@city.gov") in [row[:3] for row in _audit(alice)]


def test_single_sign_on_groups_keep_the_role_in_step_and_never_demote_the_last_admin(alice):
    accounts.identity_session(alice, "alice", IDENTITY_TOKEN, limits=LIMITS, grant=("viewer", None, False), now=T0)
    with reading(alice) as conn:
        assert accounts.user_by_name(conn, "alice").role == "viewer"
    accounts.identity_session(alice, "admin", IDENTITY_TOKEN[::-1], limits=LIMITS, grant=("viewer", None, False),
                              now=T0)
    with reading(alice) as conn:
        assert accounts.user_by_name(conn, "admin").role == "admin"
    assert ("single sign-on groups", "role_kept", "admin") in [row[:3] for row in _audit(alice)]


def test_single_sign_on_without_a_group_or_an_account_is_refused_and_a_disabled_account_stays_out(alice):
    with pytest.raises(SignInRefused):
        accounts.identity_session(alice, "stranger@city.gov", IDENTITY_TOKEN, limits=LIMITS, now=T0)
    with writing(alice) as conn:
        accounts.disable_user(conn, "alice", by="admin")
    with pytest.raises(SignInRefused):
        accounts.identity_session(alice, "alice", IDENTITY_TOKEN, limits=LIMITS, grant=("admin", None, False), now=T0)
    assert not _stored(alice)
    with reading(alice) as conn:
        assert accounts.user_by_name(conn, "alice", include_disabled=True).role == "analyst"
