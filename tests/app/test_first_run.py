"""A new city's first run: the first administrator's command names the database in use, every page of an
empty database says the same thing about where data is loaded, and `make run` prints one summary."""

import os
import re
import subprocess
import sys

import pytest
import sqlalchemy as sa

from services import accounts, first_run
from storage import migrate
from storage.engine import create_engine, reading, writing
from storage.schema import users
from tests.app.apptest import ROOT, open_page

# Every page that shows nothing until data is loaded, with what it says is missing.
EMPTY_PAGES = [
    ("app.py", "department records"),
    ("pages/hotspots.py", "department records"),
    ("pages/service.py", "customer-service requests"),
    ("pages/match_review.py", "department records"),
    ("pages/data_quality.py", "department records"),
    ("pages/property.py", "properties"),
]


@pytest.fixture
def no_accounts_url(tmp_path):
    """A city's database as `storage upgrade` leaves it: the schema, no data, no account."""
    url = f"sqlite:///{tmp_path / 'new-city.db'}"
    engine = create_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    return url


def user_names(url: str) -> set[str]:
    with reading(create_engine(url)) as conn:
        return set(conn.execute(sa.select(users.c.name)).scalars())


def test_the_first_administrator_command_on_screen_creates_the_account_in_the_database_in_use(
        monkeypatch, no_accounts_url, tmp_path):
    app = open_page("app.py", monkeypatch, no_accounts_url, user=None)
    assert not app.exception
    hint = app.info[0].value
    assert "has no accounts yet" in hint
    command = re.search(r"```bash\n(.+)\n```", hint).group(1)
    assert command.startswith(f"DATABASE_URL={no_accounts_url} ")

    # Run as shown, from the project folder, in a terminal whose own DATABASE_URL names another database.
    decoy = f"sqlite:///{tmp_path / 'decoy.db'}"
    migrate.upgrade(create_engine(decoy))
    environment = {**os.environ, "DATABASE_URL": decoy}
    done = subprocess.run(command.replace("NAME", "jsmith") + " --password-stdin", shell=True, cwd=ROOT,
                          input="first-admin-password\n", capture_output=True, text=True, env=environment,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert user_names(no_accounts_url) == {"jsmith"}
    assert user_names(decoy) == set()

    app = open_page("app.py", monkeypatch, no_accounts_url, user=None)  # reloaded: the sign-in form
    assert not any("has no accounts yet" in info.value for info in app.info)


@pytest.mark.parametrize("url, shown, elided", [
    ("sqlite:////srv/city/dashboard.db", "DATABASE_URL=sqlite:////srv/city/dashboard.db ", False),
    ("postgresql+psycopg://dashboard:s3cret@db.city.gov:5432/risk",
     "DATABASE_URL='postgresql+psycopg://dashboard:***@db.city.gov:5432/risk' ", True),
    ("postgresql+psycopg://postgres@127.0.0.1/risk", "DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/risk ",
     False),
])
def test_the_first_administrator_command_names_the_database_without_its_password(url, shown, elided):
    command, password_elided = first_run.first_admin_command(url)
    assert command == f"{shown}.venv/bin/python -m storage create-user NAME --role admin"
    assert "s3cret" not in command
    assert password_elided is elided


@pytest.mark.parametrize("page, missing", EMPTY_PAGES, ids=[page for page, _ in EMPTY_PAGES])
def test_every_empty_page_says_the_same_thing_about_where_to_load(monkeypatch, empty_db_url, page, missing):
    app = open_page(page, monkeypatch, empty_db_url)  # the first administrator, on a database with no data
    assert not app.exception
    said = [info.value for info in app.info]
    assert f"**No {missing} are loaded yet.** " + first_run.WHERE_TO_LOAD.replace("Upload", "**Upload**") in said
    assert not [text for text in said if "python -m loaders" in text or "terminal" in text]
    assert [link for link in app.get("page_link") if link.proto.page == "upload" and link.label == "Open the Upload page"]


def test_a_role_that_cannot_upload_is_told_who_loads_and_gets_no_link(monkeypatch, empty_db_url):
    with writing(create_engine(empty_db_url)) as conn:
        accounts.create_user(conn, "reader", "reader-password", "viewer", created_by="test")
    app = open_page("pages/hotspots.py", monkeypatch, empty_db_url, user="reader")
    assert not app.exception
    assert "An analyst or an administrator loads them on the **Upload** page" in app.info[0].value
    assert not [link for link in app.get("page_link") if link.label == "Open the Upload page"]


# --- what `make run` prints ---------------------------------------------------------------------


def make_dry_run(*arguments: str) -> str:
    done = subprocess.run(["make", "-n", "run", *arguments], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={key: value for key, value in os.environ.items() if key != "DATABASE_URL"})
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_make_run_starts_streamlit_quietly_and_prints_one_summary():
    commands = make_dry_run("PORT=8617").replace("\\\n", " ")  # continued lines joined
    server = next(line for line in commands.splitlines() if "streamlit run app.py" in line)
    assert "--server.port 8617" in server
    assert "--server.fileWatcherType none" in server
    assert "--browser.gatherUsageStats false" in server
    assert "storage upgrade --quiet" in commands
    assert commands.count("storage welcome") == 1
    assert "--served-at http://localhost:8617" in commands
    assert "demo-users --list" not in commands  # the summary lists the demo accounts, once


def test_the_summary_of_the_sample_city_says_what_was_built_where_it_is_served_and_how_to_sign_in(city_db_url):
    done = subprocess.run([sys.executable, "-m", "storage", "welcome", "--served-at", "http://localhost:8617"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "DATABASE_URL": city_db_url})
    assert done.returncode == 0, done.stderr
    printed = done.stdout
    with reading(create_engine(city_db_url)) as conn:
        properties = conn.execute(sa.text("SELECT count(*) FROM properties")).scalar_one()
        records = conn.execute(sa.text("SELECT count(*) FROM records")).scalar_one()
        demos = accounts.demo_accounts(conn)
    assert f"the sample city, {properties:,} properties and {records:,} records" in printed
    assert "Served at: http://localhost:8617" in printed
    for demo in demos:
        assert len(re.findall(rf"^\s+{demo.name}\s+{re.escape(demo.password)}\s", printed, re.MULTILINE)) == 1
    assert "schema" not in printed


def test_the_summary_of_a_new_database_names_the_first_administrator_command(no_accounts_url):
    printed = first_run.summary(create_engine(no_accounts_url), "http://localhost:8617")
    assert "no properties or records yet" in printed
    assert "Upload page" in printed
    assert f"DATABASE_URL={no_accounts_url} .venv/bin/python -m storage create-user NAME --role admin" in printed


def test_the_generator_counts_properties_as_the_loader_does(tmp_path):
    done = subprocess.run([sys.executable, "-m", "sample_data.generate", str(tmp_path), "--scale", "0.05"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    with (tmp_path / "properties.csv").open() as handle:
        next(handle)
        ids = {line.split(",", 1)[0] for line in handle}
    assert f"{len(ids):,} properties" in done.stdout
    assert len(ids) < sum(1 for _ in (tmp_path / "properties.csv").open()) - 1  # some have several addresses
