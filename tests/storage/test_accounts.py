"""Local accounts on both engines: passwords, lockout, roles, the audit trail and the command line."""

import io
import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

import storage.__main__ as cli
from integration.access import SessionLimits, User, session_limits
from services import accounts
from services.accounts import AccountError, SignInRefused, sign_in
from storage.engine import create_engine, reading, writing
from storage.schema import audit_log, users

DEFAULT_SCRYPT_N = accounts.SCRYPT_N
T0 = datetime(2026, 3, 2, 9, 0)
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def cheap_scrypt(monkeypatch):
    """Cheaper hashes keep the suite quick; the format and the checks are the same."""
    monkeypatch.setattr(accounts, "SCRYPT_N", 2**10)


def _create(engine, name="alice", password=PASSWORD, role="analyst", department=None, lead=False, **options):
    with writing(engine) as conn:
        return accounts.create_user(conn, name, password, role, department, lead, created_by="ada", **options)


def _row(engine, name):
    with reading(engine) as conn:
        return conn.execute(sa.select(users).where(users.c.name == name)).mappings().one()


def _audit(engine):
    with reading(engine) as conn:
        rows = conn.execute(sa.select(audit_log.c.user_name, audit_log.c.action, audit_log.c.target,
                                      audit_log.c.detail).order_by(audit_log.c.audit_id)).all()
    return [tuple(row) for row in rows]


def _refusal(engine, name, password, now=None) -> SignInRefused:
    with pytest.raises(SignInRefused) as refused:
        sign_in(engine, name, password, now=now)
    assert str(refused.value) == accounts.REFUSED_MESSAGE
    return refused.value


def test_the_default_scrypt_cost_is_n_2_14():
    assert DEFAULT_SCRYPT_N == 2**14
    assert (accounts.SCRYPT_R, accounts.SCRYPT_P, accounts.SALT_BYTES) == (8, 1, 16)


def test_create_and_sign_in(engine):
    created = _create(engine, "alice", role="department_staff", department="police", display_name="Alice Ng")
    assert created == User("alice", "department_staff", "police", False, "Alice Ng")
    user = sign_in(engine, "alice", PASSWORD, now=T0)
    assert user == created
    row = _row(engine, "alice")
    assert row["last_sign_in"] == T0 and row["failed_attempts"] == 0 and row["created_by"] == "ada"
    assert _audit(engine) == [
        ("ada", "user_created", "alice", "role=department_staff department=police lead=no"),
        ("alice", "sign_in", None, "password"),
    ]


def test_wrong_password_is_refused_and_counted(engine):
    _create(engine)
    refused = _refusal(engine, "alice", PASSWORD + "!")
    assert refused.reason == "wrong_password"
    assert _row(engine, "alice")["failed_attempts"] == 1  # kept although sign_in raised
    assert _audit(engine)[-1] == ("alice", "sign_in_failed", None, "wrong_password")
    sign_in(engine, "alice", PASSWORD)
    assert _row(engine, "alice")["failed_attempts"] == 0


def test_lockout_after_five_failures_and_unlock_after_fifteen_minutes(engine):
    _create(engine)
    for minute in range(4):
        assert _refusal(engine, "alice", "guess number %d" % minute, now=T0 + timedelta(minutes=minute)).reason \
            == "wrong_password"
    assert _row(engine, "alice")["locked_until"] is None
    _refusal(engine, "alice", "guess number 5", now=T0 + timedelta(minutes=4))
    assert _row(engine, "alice")["locked_until"] == T0 + timedelta(minutes=19)
    assert ("alice", "account_locked", "alice", "5 failed sign-ins") in _audit(engine)

    # Locked: even the right password is refused, with the same message.
    assert _refusal(engine, "alice", PASSWORD, now=T0 + timedelta(minutes=18, seconds=59)).reason == "locked"
    user = sign_in(engine, "alice", PASSWORD, now=T0 + timedelta(minutes=19))
    assert user.name == "alice"
    row = _row(engine, "alice")
    assert row["locked_until"] is None and row["failed_attempts"] == 0


def test_after_a_lock_expires_a_wrong_password_starts_counting_again(engine):
    _create(engine)
    for attempt in range(5):
        _refusal(engine, "alice", f"wrong guess {attempt}", now=T0)
    later = T0 + timedelta(minutes=16)
    assert _refusal(engine, "alice", "wrong again!!", now=later).reason == "wrong_password"
    assert _row(engine, "alice")["failed_attempts"] == 1
    assert sign_in(engine, "alice", PASSWORD, now=later).name == "alice"


def test_an_admin_lifts_a_lock(engine):
    _create(engine)
    for attempt in range(5):
        _refusal(engine, "alice", f"wrong guess {attempt}", now=T0)
    with writing(engine) as conn:
        accounts.enable_user(conn, "alice", by="ada")
    assert sign_in(engine, "alice", PASSWORD, now=T0).name == "alice"


def test_disabled_user_is_refused(engine):
    _create(engine)
    with writing(engine) as conn:
        accounts.disable_user(conn, "alice", by="ada")
    assert _refusal(engine, "alice", PASSWORD).reason == "disabled"
    with reading(engine) as conn:
        assert accounts.user_by_name(conn, "alice") is None
        assert accounts.user_by_name(conn, "alice", include_disabled=True).name == "alice"
    with writing(engine) as conn:
        accounts.enable_user(conn, "alice", by="ada")
    assert sign_in(engine, "alice", PASSWORD).name == "alice"
    assert [a[1] for a in _audit(engine)] == ["user_created", "user_disabled", "sign_in_failed", "user_enabled",
                                              "sign_in"]


def test_an_unknown_user_gets_the_same_message_and_the_same_work(engine, monkeypatch):
    _create(engine)
    calls = []
    real = accounts._scrypt
    monkeypatch.setattr(accounts, "_scrypt", lambda *args: calls.append(args[2]) or real(*args))
    unknown = _refusal(engine, "nobody", PASSWORD)
    wrong = _refusal(engine, "alice", "not the password")
    assert unknown.reason == "unknown_user" and wrong.reason == "wrong_password"
    assert str(unknown) == str(wrong)
    assert calls == [accounts.SCRYPT_N, accounts.SCRYPT_N]  # one scrypt each, at the same cost
    assert _audit(engine)[-2] == ("nobody", "sign_in_failed", None, "unknown_user")


def test_refusals_for_a_locked_or_disabled_account_still_run_scrypt(engine, monkeypatch):
    _create(engine)
    for attempt in range(5):
        _refusal(engine, "alice", f"wrong guess {attempt}", now=T0)
    calls = []
    real = accounts._scrypt
    monkeypatch.setattr(accounts, "_scrypt", lambda *args: calls.append(1) or real(*args))
    _refusal(engine, "alice", PASSWORD, now=T0)
    with writing(engine) as conn:
        accounts.disable_user(conn, "alice", by="ada")
    _refusal(engine, "alice", PASSWORD, now=T0)
    assert calls == [1, 1]


def test_hash_format_and_salt(engine):
    _create(engine, "alice")
    _create(engine, "bob")
    first, second = _row(engine, "alice")["password_hash"], _row(engine, "bob")["password_hash"]
    pattern = re.compile(r"scrypt\$1024\$8\$1\$([A-Za-z0-9+/=]{24})\$([A-Za-z0-9+/=]{44})")
    assert pattern.fullmatch(first) and pattern.fullmatch(second)
    assert first != second
    assert pattern.fullmatch(first).group(1) != pattern.fullmatch(second).group(1)
    assert PASSWORD not in first


def test_the_default_cost_hash(monkeypatch):
    monkeypatch.setattr(accounts, "SCRYPT_N", DEFAULT_SCRYPT_N)
    stored = accounts.hash_password(PASSWORD)
    assert stored.startswith("scrypt$16384$8$1$")
    assert accounts.verify_password(PASSWORD, stored)
    assert not accounts.verify_password(PASSWORD.upper(), stored)


@pytest.mark.parametrize("stored", [None, "", "plain text", "scrypt$1024$8$1$!!$!!", "scrypt$1000$8$1$AAAA$AAAA",
                                    "scrypt$1073741824$8$1$AAAA$AAAA", "bcrypt$2b$12$abc", "scrypt$1024$8$1$$"])
def test_a_damaged_hash_never_matches(stored):
    assert accounts.verify_password(PASSWORD, stored) is False


def test_a_sign_in_rehashes_a_password_stored_at_another_cost(engine, monkeypatch):
    _create(engine)
    monkeypatch.setattr(accounts, "SCRYPT_N", 2**11)
    sign_in(engine, "alice", PASSWORD)
    assert _row(engine, "alice")["password_hash"].startswith("scrypt$2048$8$1$")
    assert sign_in(engine, "alice", PASSWORD).name == "alice"


@pytest.mark.parametrize("password, name, problem", [
    ("correct horse battery", "alice", None),
    ("ten chars!", "alice", None),
    ("nine char", "alice", "at least 10"),
    ("", "alice", "at least 10"),
    ("x" * 1025, "alice", "at most 1024"),
    ("longusername", "longusername", "not be the user name"),
    ("LongUserName", "longusername", "not be the user name"),
    ("Alice Ng Smith", "alice", "not be the user name"),  # the display name counts too
    ("password123", "alice", "first an attacker tries"),
    ("1234567890", "alice", "first an attacker tries"),
    ("aaaaaaaaaaaa", "alice", "first an attacker tries"),
])
def test_password_rules(password, name, problem):
    problems = accounts.password_problems(password, name, display_name="Alice Ng Smith")
    if problem is None:
        assert problems == []
    else:
        assert any(problem in p for p in problems), problems


def test_create_user_applies_the_password_rules(engine):
    with pytest.raises(AccountError, match="at least 10"):
        _create(engine, password="short")
    with pytest.raises(AccountError, match="user name"):
        _create(engine, "mallory12345", password="MALLORY12345")
    with reading(engine) as conn:
        assert accounts.count_users(conn) == 0


def test_user_names_are_unique_whatever_the_case(engine):
    created = _create(engine, "  Alice  ")
    assert created.name == "alice"
    with pytest.raises(AccountError, match="taken"):
        _create(engine, "ALICE")
    assert sign_in(engine, "Alice", PASSWORD).name == "alice"
    assert sign_in(engine, "ALICE ", PASSWORD).name == "alice"
    with reading(engine) as conn:
        assert accounts.count_users(conn) == 1
    # The database enforces it too, not just the check in create_user.
    with pytest.raises(sa.exc.IntegrityError):
        with writing(engine) as conn:
            conn.execute(users.insert().values(name="alice", display_name="x", role="viewer", lead=False,
                                               must_change_password=False, disabled=False, failed_attempts=0,
                                               created_by="t", created_at=T0))


@pytest.mark.parametrize("name", ["", " ", "al ice", "alice;", "admin' --", "-alice", "x" * 121, "alice\x00"])
def test_user_name_rules(engine, name):
    with pytest.raises(AccountError, match="user name"):
        _create(engine, name)


@pytest.mark.parametrize("role, department, lead", [
    ("department_staff", None, False), ("viewer", "police", False), ("analyst", None, True), ("root", None, False),
])
def test_a_role_that_does_not_fit_is_refused(engine, role, department, lead):
    with pytest.raises(AccountError):
        _create(engine, role=role, department=department, lead=lead)


INJECTIONS = ["admin' --", "' OR '1'='1", "' OR 1=1 --", "admin\"; DROP TABLE users; --", "admin'/*", "%", "_dmin",
              "admin\x00", "\x00", "admin' OR name LIKE '%", "x" * 500, "ADMIN'); DELETE FROM users; --"]


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_strings_are_just_wrong_credentials(engine, text):
    _create(engine, "admin", role="admin")
    assert _refusal(engine, text, PASSWORD).reason == "unknown_user"
    assert _refusal(engine, text, text).reason == "unknown_user"
    assert _refusal(engine, "admin", text).reason == "wrong_password"
    with reading(engine) as conn:
        assert accounts.user_by_name(conn, text) is None
        assert accounts.count_users(conn) == 1
    assert sign_in(engine, "admin", PASSWORD).name == "admin"
    logged = _audit(engine)[1]
    assert logged[1] == "sign_in_failed" and "\x00" not in logged[0] and len(logged[0]) <= 120


def test_an_injection_string_works_as_a_password(engine):
    _create(engine, "alice", password="' OR '1'='1' --")
    assert sign_in(engine, "alice", "' OR '1'='1' --").name == "alice"
    assert _refusal(engine, "alice", "' OR '1'='1").reason == "wrong_password"


def test_set_password(engine):
    _create(engine)
    with writing(engine) as conn:
        accounts.set_password(conn, "alice", "a new secret phrase", changed_by="ada", now=T0)
    assert _refusal(engine, "alice", PASSWORD).reason == "wrong_password"
    user = sign_in(engine, "alice", "a new secret phrase")
    assert user.must_change_password  # an admin reset it: the page frame asks for a new one
    with writing(engine) as conn:
        accounts.set_password(conn, "alice", "my own new phrase", changed_by="alice")
    assert not sign_in(engine, "alice", "my own new phrase").must_change_password
    with pytest.raises(AccountError, match="at least 10"):
        with writing(engine) as conn:
            accounts.set_password(conn, "alice", "short", changed_by="alice")
    with pytest.raises(AccountError, match="no user"):
        with writing(engine) as conn:
            accounts.set_password(conn, "nobody", "a new secret phrase", changed_by="ada")
    actions = [a[1:3] for a in _audit(engine)]
    assert ("password_reset", "alice") in actions and ("password_changed", "alice") in actions


def test_a_password_reset_lifts_a_lock(engine):
    _create(engine)
    for attempt in range(5):
        _refusal(engine, "alice", f"wrong guess {attempt}", now=T0)
    with writing(engine) as conn:
        accounts.set_password(conn, "alice", "a new secret phrase", changed_by="ada")
    assert sign_in(engine, "alice", "a new secret phrase", now=T0).name == "alice"


def test_set_role_is_audited(engine):
    _create(engine, "ada", role="admin")
    _create(engine, "bob", role="viewer")
    with writing(engine) as conn:
        changed = accounts.set_role(conn, "BOB", "integration_team", "fire", lead=True, changed_by="ada")
    assert changed == User("bob", "integration_team", "fire", True, "bob")
    assert sign_in(engine, "bob", PASSWORD) == changed
    assert ("ada", "role_changed", "bob",
            "role=viewer department=- lead=no -> role=integration_team department=fire lead=yes") in _audit(engine)
    with pytest.raises(AccountError, match="need a department"):
        with writing(engine) as conn:
            accounts.set_role(conn, "bob", "department_staff", changed_by="ada")


def test_the_last_active_admin_stays_an_admin(engine):
    _create(engine, "ada", role="admin")
    with pytest.raises(AccountError, match="last active admin"):
        with writing(engine) as conn:
            accounts.set_role(conn, "ada", "viewer", changed_by="ada")
    with pytest.raises(AccountError, match="last active admin"):
        with writing(engine) as conn:
            accounts.disable_user(conn, "ada", by="ada")
    _create(engine, "root", role="admin")
    with writing(engine) as conn:
        accounts.set_role(conn, "ada", "viewer", changed_by="root")
    with pytest.raises(AccountError, match="last active admin"):
        with writing(engine) as conn:
            accounts.disable_user(conn, "root", by="root")


def test_list_and_count_users(engine):
    with reading(engine) as conn:
        assert accounts.count_users(conn) == 0
        assert accounts.list_users(conn).empty
    _create(engine, "bob", role="viewer")
    _create(engine, "ada", role="admin")
    with reading(engine) as conn:
        listed = accounts.list_users(conn)
        assert accounts.count_users(conn) == 2
    assert listed["name"].tolist() == ["ada", "bob"]
    assert listed["role_label"].tolist() == ["Administrator", "Viewer"]
    assert not [c for c in listed.columns if "password_hash" in c or c == "hash"]


def test_a_single_sign_on_account(engine):
    _create(engine, "jane@racine.gov", password=None, role="department_staff", department="fire")
    assert _refusal(engine, "jane@racine.gov", "").reason == "no_password"
    user = accounts.identity_session(engine, "Jane@Racine.gov", accounts.new_session_token(), limits=SessionLimits(),
                                     now=T0)
    assert user.name == "jane@racine.gov" and user.department == "fire"
    assert _row(engine, "jane@racine.gov")["last_sign_in"] == T0
    with pytest.raises(SignInRefused) as refused:
        accounts.identity_session(engine, "someone@else.org", accounts.new_session_token(), limits=SessionLimits())
    assert str(refused.value) == accounts.REFUSED_MESSAGE
    assert _audit(engine)[-2:] == [("jane@racine.gov", "sign_in", None, "single sign-on"),
                                   ("someone@else.org", "sign_in_failed", None, "single sign-on: unknown_user")]


# --- command line ---------------------------------------------------------------------------


@pytest.fixture
def run_cli(engine, monkeypatch, capsys):
    monkeypatch.setattr(cli, "create_engine", lambda *args, **kwargs: engine)

    def run(argv, stdin=""):
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = cli.main(argv)
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_cli_create_user_from_stdin(engine, run_cli):
    code, out, err = run_cli(["create-user", "Chief", "--role", "admin", "--password-stdin"], "a strong passphrase\n")
    assert (code, err) == (0, "")
    assert out.count("\n") == 1 and out.startswith("created user chief (Administrator) in ")
    assert sign_in(engine, "chief", "a strong passphrase").role == "admin"
    assert _audit(engine)[0][1:3] == ("user_created", "chief")
    assert _audit(engine)[0][0].startswith("cli")


def test_cli_create_user_with_a_department_and_lead(engine, run_cli):
    code, out, _ = run_cli(["create-user", "pat", "--role", "department_staff", "--department", "police",
                            "--display-name", "Pat Ortiz", "--password-stdin"], "a strong passphrase\n")
    assert code == 0 and "(Department staff, police)" in out
    code, out, _ = run_cli(["create-user", "lee", "--role", "integration_team", "--lead", "--password-stdin"],
                           "a strong passphrase\n")
    assert code == 0 and "lead" in out
    with reading(engine) as conn:
        assert accounts.user_by_name(conn, "pat") == User("pat", "department_staff", "police", False, "Pat Ortiz")
        assert accounts.user_by_name(conn, "lee").lead


@pytest.mark.parametrize("argv, stdin, reason", [
    (["create-user", "bob", "--role", "viewer", "--password-stdin"], "short\n", "at least 10"),
    (["create-user", "bob", "--role", "viewer", "--password-stdin"], "", "no password"),
    (["create-user", "bob", "--role", "department_staff", "--password-stdin"], "a strong passphrase\n",
     "need a department"),
    (["create-user", "bob", "--role", "viewer", "--lead", "--password-stdin"], "a strong passphrase\n", "lead"),
    (["create-user", "bob smith", "--role", "viewer", "--password-stdin"], "a strong passphrase\n", "user name"),
])
def test_cli_create_user_errors_say_why(engine, run_cli, argv, stdin, reason):
    code, out, err = run_cli(argv, stdin)
    assert code != 0 and out == ""
    assert err.startswith("create-user: ") and reason in err
    with reading(engine) as conn:
        assert accounts.count_users(conn) == 0


def test_cli_create_user_twice(run_cli):
    assert run_cli(["create-user", "bob", "--role", "viewer", "--password-stdin"], "a strong passphrase\n")[0] == 0
    code, _, err = run_cli(["create-user", "BOB", "--role", "viewer", "--password-stdin"], "a strong passphrase\n")
    assert code == 1 and "taken" in err


def test_cli_create_user_refuses_an_unknown_role(run_cli):
    with pytest.raises(SystemExit) as exited:
        run_cli(["create-user", "bob", "--role", "root", "--password-stdin"], "a strong passphrase\n")
    assert exited.value.code != 0


def test_cli_create_user_prompts_twice(engine, run_cli, monkeypatch):
    answers = iter(["a strong passphrase", "a strong passphrase"])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt="": next(answers))
    assert run_cli(["create-user", "bob", "--role", "viewer"])[0] == 0
    answers = iter(["a strong passphrase", "a strong passphrasE"])
    code, _, err = run_cli(["create-user", "carol", "--role", "viewer"])
    assert code == 1 and "differ" in err
    with reading(engine) as conn:
        assert accounts.count_users(conn) == 1


def test_cli_create_user_needs_a_current_schema(tmp_path, monkeypatch, capsys):
    bare = create_engine(f"sqlite:///{tmp_path / 'bare.db'}")
    monkeypatch.setattr(cli, "create_engine", lambda *args, **kwargs: bare)
    monkeypatch.setattr("sys.stdin", io.StringIO("a strong passphrase\n"))
    assert cli.main(["create-user", "bob", "--role", "admin", "--password-stdin"]) == 1
    assert "python -m storage upgrade" in capsys.readouterr().err
    bare.dispose()


def test_demo_users_are_idempotent(engine, run_cli):
    code, out, err = run_cli(["demo-users"])
    assert (code, err) == (0, "")
    for account in accounts.DEMO_ACCOUNTS:
        assert f"{account.name}" in out and account.password in out
    assert "already there" not in out
    code, out, _ = run_cli(["demo-users"])
    assert code == 0 and out.count("already there") == len(accounts.DEMO_ACCOUNTS)
    with reading(engine) as conn:
        assert accounts.count_users(conn) == len(accounts.DEMO_ACCOUNTS)
        assert accounts.demo_accounts(conn) == list(accounts.DEMO_ACCOUNTS)
    seats = set()
    for account in accounts.DEMO_ACCOUNTS:
        user = sign_in(engine, account.name, account.password)
        assert (user.role, user.department, user.lead) == (account.role, account.department, account.lead)
        seats.add((user.role, user.lead))
    assert len(seats) == len(accounts.DEMO_ACCOUNTS)  # one per seat of the permission table


def test_demo_accounts_leave_the_sign_in_page_once_changed(engine, run_cli):
    run_cli(["demo-users"])
    with writing(engine) as conn:
        accounts.set_password(conn, "admin", "our own admin phrase", changed_by="admin")
        accounts.disable_user(conn, "viewer", by="admin")
    with reading(engine) as conn:
        assert [a.name for a in accounts.demo_accounts(conn)] == ["lead", "team", "police", "analyst"]


def test_demo_users_refuse_a_database_with_real_accounts(engine, run_cli):
    _create(engine, "ada", role="admin")
    code, out, err = run_cli(["demo-users"])
    assert code == 1 and out == "" and "sample city only" in err
    with reading(engine) as conn:
        assert accounts.count_users(conn) == 1


def test_a_real_administrator_retires_the_demo_accounts(engine, run_cli):
    run_cli(["demo-users"])
    with writing(engine) as conn:
        demo_session = accounts.start_session(conn, "lead", "password", limits=session_limits())
    code, out, err = run_cli(["create-user", "ada", "--role", "admin", "--password-stdin"], "a strong passphrase\n")
    assert (code, err) == (0, "")
    assert "disabled the demo accounts (admin, lead, team, police, analyst, viewer)" in out
    with reading(engine) as conn:
        assert accounts.demo_accounts(conn) == []  # the sign-in page lists none
        assert all(accounts.user_by_name(conn, account.name) is None for account in accounts.DEMO_ACCOUNTS)
        retired = conn.execute(sa.select(audit_log.c.target).where(audit_log.c.action == "user_disabled",
                                                                    audit_log.c.user_name == "ada")).scalars()
        assert sorted(retired) == sorted(account.name for account in accounts.DEMO_ACCOUNTS)
    assert accounts.check_session(engine, demo_session, session_limits()).user is None
    with pytest.raises(accounts.SignInRefused):
        sign_in(engine, "lead", "lead-demo-pass")


def test_demo_accounts_are_never_listed_beside_a_real_account(engine, run_cli):
    run_cli(["demo-users"])
    code, _, _ = run_cli(["create-user", "vic", "--role", "viewer", "--password-stdin"], "a strong passphrase\n")
    assert code == 0
    with reading(engine) as conn:
        assert accounts.demo_accounts(conn) == []
        assert accounts.user_by_name(conn, "lead") is not None  # only a real administrator retires them
