"""Who may see and change what, page by page: sign-in, roles, sensitive fields, inert user text."""

import pytest
import sqlalchemy as sa

from integration import access
from services import accounts
from storage import audit_trail, casework, department_records, property_data
from storage.engine import create_engine, reading, writing
from storage.schema import records
from tests.app.apptest import open_page
from ui.frame import PAGES

DEMO_USERS = [account.name for account in accounts.DEMO_ACCOUNTS]


def demo_user(name: str) -> access.User:
    account = next(a for a in accounts.DEMO_ACCOUNTS if a.name == name)
    return access.User(account.name, account.role, account.department, account.lead)


def property_with_police_narratives(url: str) -> str:
    with reading(create_engine(url)) as conn:
        master = property_data.property_master(conn)
        for property_id in master["property_id"].unique():
            history = department_records.property_records(conn, property_id)
            police = history[(history["department"] == "police") & history["description"].notna()]
            if len(police) and (history["department"] != "police").any():
                return property_id
    raise AssertionError("the sample city has a property with police narratives")


def test_nobody_signed_in_sees_only_the_sign_in_form(monkeypatch, city_db_url):
    app = open_page("pages/property.py", monkeypatch, city_db_url, user=None, property="P000010")
    assert not app.exception
    [form] = [element.proto.body for element in app.get("html") if "<form" in element.proto.body]
    assert 'action="/session/sign-in"' in form and 'method="post"' in form
    assert 'name="user_name"' in form and 'name="password" type="password"' in form
    assert "<script" not in form.lower()
    assert not app.text_input and not app.dataframe and not app.metric
    assert not app.sidebar.get("page_link")
    assert "viewer-demo-pass" in app.table[0].value.to_string()  # the sample city's demo accounts


def test_a_database_without_accounts_says_how_to_create_the_first(monkeypatch, tmp_path):
    from storage import migrate

    url = f"sqlite:///{tmp_path / 'new.db'}"
    migrate.upgrade(create_engine(url))
    app = open_page("app.py", monkeypatch, url, user=None)
    assert "python -m storage create-user NAME --role admin" in app.info[0].value


@pytest.mark.parametrize("name", DEMO_USERS)
@pytest.mark.parametrize("page, permission", [(page, permission) for page, _label, _icon, permission in PAGES],
                         ids=[page for page, *_ in PAGES])
def test_every_role_on_every_page(monkeypatch, city_db_url, name, page, permission):
    app = open_page(page, monkeypatch, city_db_url, user=name)
    assert not app.exception, app.exception
    refused = any("cannot open" in error.value for error in app.error)
    assert refused is not access.can(demo_user(name), permission)
    links = [link.label for link in app.sidebar.get("page_link")]
    assert links == [label for _page, label, _icon, needed in PAGES if access.can(demo_user(name), needed)]


@pytest.mark.parametrize("name, sees_police_narratives", [
    ("viewer", False), ("analyst", False), ("admin", False), ("team", False),  # team: public works member
    ("police", True), ("lead", True),
])
def test_police_narratives_only_for_the_roles_allowed(monkeypatch, city_db_url, name, sees_police_narratives):
    property_id = property_with_police_narratives(city_db_url)
    app = open_page("pages/property.py", monkeypatch, city_db_url, user=name, property=property_id)
    assert not app.exception
    table = next(frame.value for frame in app.dataframe if "Details" in frame.value)
    police = table[table["Department"] == "Police"]
    assert bool((police["Details"] != "").any()) is sees_police_narratives
    assert bool((police["Status"] != "").any()) is sees_police_narratives
    others = table[table["Department"] != "Police"]
    assert len(others) and len(police)
    # fields hidden for the role are blank, and said so once under the table
    if not sees_police_narratives:
        assert [c.value for c in app.caption if "hidden for your role" in c.value and "Details" in c.value]


def test_a_viewer_cannot_export(monkeypatch, city_db_url):
    property_id = property_with_police_narratives(city_db_url)
    viewer = open_page("pages/property.py", monkeypatch, city_db_url, user="viewer", property=property_id)
    lead = open_page("pages/property.py", monkeypatch, city_db_url, user="lead", property=property_id)
    assert not viewer.get("download_button")
    assert [b.label for b in lead.get("download_button")] == ["Download CSV", "Printable page"]


def test_a_property_view_is_audited_once_per_session(monkeypatch, city_copy_url):
    property_id = property_with_police_narratives(city_copy_url)

    def views() -> list[str]:
        with reading(create_engine(city_copy_url)) as conn:
            return audit_trail.audit_entries(conn, user_name="police", action="view_property")["target"].tolist()

    before = views()
    app = open_page("pages/property.py", monkeypatch, city_copy_url, user="police", property=property_id)
    app.run()  # the same person still on the page
    assert views() == [property_id] + before


def test_user_text_is_shown_as_text(monkeypatch, city_copy_url):
    engine = create_engine(city_copy_url)
    hostile = "<script>alert('x')</script> [click](javascript:alert(1)) <img src=x onerror=alert(2)>"
    with writing(engine) as conn:
        property_id = property_data.property_master(conn)["property_id"].iloc[0]
        case = casework.open_case(conn, property_id, "lead")
        casework.record_decision(conn, case["case_id"], case["version"], {"status": "monitoring"}, (), hostile,
                                   "lead")
    app = open_page("pages/property.py", monkeypatch, city_copy_url, user="lead", property=property_id)
    assert not app.exception
    assert any(hostile in element.value for element in app.get("text")), "the note, verbatim, as plain text"
    for markdown in app.markdown:
        assert not markdown.proto.allow_html


@pytest.mark.parametrize("text", ["' OR '1'='1", "1; DROP TABLE records; --", "%' UNION SELECT * FROM users --",
                                  "\\x00", "' || (SELECT password_hash FROM users) || '"])
def test_injection_strings_in_the_search_box_are_just_text(monkeypatch, city_db_url, text):
    with reading(create_engine(city_db_url)) as conn:
        before = conn.execute(sa.select(sa.func.count()).select_from(records)).scalar_one()
    app = open_page("pages/property.py", monkeypatch, city_db_url, user="viewer")
    app.text_input[0].input(text).run()
    assert not app.exception
    with reading(create_engine(city_db_url)) as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(records)).scalar_one() == before


def test_an_admin_adds_a_user_changes_a_role_and_reads_the_log(monkeypatch, city_copy_url):
    app = open_page("pages/admin.py", monkeypatch, city_copy_url, user="admin")
    assert not app.exception
    field = {box.label: box for box in app.text_input}
    field["User name"].input("jdoe")
    field["Full name"].input("Jane Doe")
    field["First password"].input("a long first password")
    next(box for box in app.selectbox if box.label == "Role").set_value("department_staff")
    next(box for box in app.selectbox if box.label == "Department").set_value("fire")
    app = next(b for b in app.button if b.label == "Add user").click().run()
    assert not app.exception
    with reading(create_engine(city_copy_url)) as conn:
        added = accounts.user_by_name(conn, "jdoe")
    assert (added.role, added.department, added.must_change_password) == ("department_staff", "fire", True)

    next(box for box in app.selectbox if box.label == "User").set_value("jdoe")
    next(box for box in app.selectbox if box.label == "New role").set_value("viewer")
    next(box for box in app.selectbox if box.label == "Department" and box.key == "change-department").set_value(None)
    app = next(b for b in app.button if b.label == "Change role").click().run()
    assert not app.exception
    with reading(create_engine(city_copy_url)) as conn:
        assert accounts.user_by_name(conn, "jdoe").role == "viewer"
        log = audit_trail.audit_entries(conn, user_name="admin")
    assert {"user_created", "role_changed"} <= set(log["action"])
    shown = app.dataframe[-1].value
    assert {"user_created", "role_changed"} <= set(shown["Action"])
