"""The match review page in AppTest: decisions made through the page move the records, and undo them."""

import json

import pandas as pd
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from tests.app.apptest import open_page

from services import review
from storage import property_data, review_queue
from storage.engine import create_engine, reading
from storage.schema import match_decisions, matches, records
from vocabulary import DEPARTMENT_LABELS



def run_page(monkeypatch, url: str, **query) -> AppTest:
    return open_page("pages/match_review.py", monkeypatch, url, **query)


def select_row(app: AppTest, table_index: int, row: int) -> AppTest:
    """Select one row of a dataframe as a click would (AppTest sets the selection through its key)."""
    app.session_state[app.dataframe[table_index].key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    return app.run()


def open_group(app: AppTest, department: str, normalized: str) -> AppTest:
    table = app.dataframe[0].value
    label = DEPARTMENT_LABELS[department]
    row = table.index[(table["Address (normalised)"] == normalized) & (table["Department"] == label)][0]
    app = select_row(app, 0, int(row))
    assert not app.exception
    assert app.subheader[0].value == normalized
    return app


def placements(url: str, department: str, normalized: str) -> pd.DataFrame:
    with reading(create_engine(url)) as conn:
        result = conn.execute(
            sa.select(matches.c.status, matches.c.method, matches.c.property_id)
            .join(records, records.c.record_id == matches.c.record_id)
            .where(records.c.department == department, matches.c.normalized == normalized))
        return pd.DataFrame(result.fetchall(), columns=["status", "method", "property_id"])


def stored_decision(url: str, department: str, normalized: str) -> dict | None:
    with reading(create_engine(url)) as conn:
        row = conn.execute(sa.select(match_decisions).where(match_decisions.c.department == department,
                                                            match_decisions.c.normalized == normalized)).mappings().first()
    return dict(row) if row else None


def largest_group(url: str, status: str, with_candidates: bool = False) -> pd.Series:
    """The largest group of this status that is an address (a decision can act on it)."""
    groups = review.groups(create_engine(url))
    groups = groups[(groups["status"] == status) & (groups["kind"] != review.NOT_AN_ADDRESS)]
    if with_candidates:
        groups = groups[groups["candidates"].notna()]
    return groups.sort_values("records", ascending=False, kind="stable").iloc[0]


def table_with(app: AppTest, column: str):
    """The first dataframe on the page with this column."""
    return next(frame for frame in app.dataframe if column in frame.value.columns)


def button(app: AppTest, label: str):
    return next(b for b in app.button if b.label == label)


def test_match_review_on_an_empty_database(monkeypatch, empty_db_url):
    app = run_page(monkeypatch, empty_db_url)
    assert not app.exception
    assert "No department records are loaded yet" in app.info[0].value
    assert "No decision has been made yet." in [c.value for c in app.caption]


def test_the_review_list_matches_the_database(monkeypatch, city_db_url):
    app = run_page(monkeypatch, city_db_url)
    assert not app.exception
    engine = create_engine(city_db_url)
    summary = review.summary(engine)
    groups = review.groups(engine)
    with reading(engine) as conn:
        stored = review_queue.review_summary(conn)
    assert summary["groups"] + summary["not_address"] == stored["groups"]
    assert summary["records"] + summary["not_address_records"] == stored["records"]
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Addresses to decide"] == f"{summary['groups']:,}"
    assert metrics["Their records"] == f"{summary['records']:,}"
    assert metrics["Not an address"] == f"{summary['not_address']:,}"
    assert metrics["Records with no address"] == f"{stored['blank']:,}"
    table = app.dataframe[0].value
    addresses = groups[groups["kind"] != review.NOT_AN_ADDRESS]
    assert table["Address (normalised)"].tolist() == addresses["normalized"].tolist()
    numbered = (addresses["kind"] == review.NUMBERED).tolist()
    assert numbered == sorted(numbered, reverse=True)  # the groups a decision can place lead
    assert table["Records"][:sum(numbered)].is_monotonic_decreasing
    assert "Select an address in the table" in app.info[0].value


def test_text_that_is_not_an_address_is_grouped_and_decided_at_once(monkeypatch, city_copy_url):
    engine = create_engine(city_copy_url)
    junk = review.groups(engine).query("kind == @review.NOT_AN_ADDRESS")
    assert len(junk) > 1, "the sample city writes UNKNOWN, ?, N/A and the like"
    app = run_page(monkeypatch, city_copy_url)
    assert not set(junk["normalized"]) & set(app.dataframe[0].value["Address (normalised)"])
    [expander] = [e for e in app.expander if e.label.startswith("Not an address")]
    assert expander.label == (f"Not an address: {len(junk):,} strings, {int(junk['records'].sum()):,} records")
    listed = next(frame for frame in app.dataframe if list(frame.value.columns) == [
        "Department", "As written, e.g.", "Address (normalised)", "Records"])
    assert sorted(listed.value["Address (normalised)"]) == sorted(junk["normalized"])

    app = button(app, f"Mark all {len(junk):,} strings as not a property").click().run()
    assert not app.exception
    for department, normalized in zip(junk["department"], junk["normalized"]):
        decision = stored_decision(city_copy_url, department, normalized)
        assert (decision["decision"], decision["decided_by"]) == ("not_property", "admin")
        assert (placements(city_copy_url, department, normalized)["method"] == "decision").all()
    assert app.success[0].value == (f"Marked {int(junk['records'].sum()):,} records at {len(junk):,} strings "
                                    "as not a property.")
    assert not [e for e in app.expander if e.label.startswith("Not an address")]
    assert {m.label: m.value for m in app.metric}["Not an address"] == "0"


def test_the_headline_follows_the_filters(monkeypatch, city_db_url):
    engine = create_engine(city_db_url)
    group = largest_group(city_db_url, "review", with_candidates=True)
    street = group["normalized"].split()[-2]  # the street's name, e.g. WASHINGTON
    app = run_page(monkeypatch, city_db_url)
    everything = {m.label: m.value for m in app.metric}
    app = app.text_input(key=next(t.key for t in app.text_input if t.label == "Address contains")).input(street).run()
    assert not app.exception
    filtered = {m.label: m.value for m in app.metric}
    expected = review.summary(engine, contains=street)
    listed = app.dataframe[0].value
    assert filtered["Addresses to decide"] == f"{expected['groups']:,}" == f"{len(listed):,}"
    assert filtered["Their records"] == f"{expected['records']:,}" == f"{listed['Records'].sum():,}"
    assert filtered["Records with no address"] == "0"
    assert filtered != everything

    app = run_page(monkeypatch, city_db_url, department="crm")
    crm = {m.label: m.value for m in app.metric}
    assert crm["Addresses to decide"] == f"{review.summary(engine, 'crm')['groups']:,}" != everything[
        "Addresses to decide"]


def test_one_department_by_deep_link_and_an_unknown_one(monkeypatch, city_db_url):
    app = run_page(monkeypatch, city_db_url, department="crm")
    assert not app.exception
    assert set(app.dataframe[0].value["Department"]) == {"Customer Service"}
    unknown = run_page(monkeypatch, city_db_url, department="parks")
    assert not unknown.exception
    assert "There is no department “parks”" in unknown.warning[0].value
    assert len(set(unknown.dataframe[0].value["Department"])) > 1


def test_accepting_a_candidate_places_every_record_then_undo_returns_them(monkeypatch, city_copy_url):
    group = largest_group(city_copy_url, "review", with_candidates=True)
    department, normalized = group["department"], group["normalized"]
    best = json.loads(group["candidates"])[0]
    app = open_group(run_page(monkeypatch, city_copy_url), department, normalized)
    assert app.radio[0].value == 1  # the best candidate, preselected
    assert app.get("deck_gl_json_chart"), "the candidates are drawn on a map"
    map_spec = json.loads(app.get("deck_gl_json_chart")[0].proto.json)
    assert map_spec["mapStyle"] == "__MAP_STYLE__"  # no basemap tiles: Streamlit draws none for this value
    assert len(table_with(app, "Record id").value) == group["records"]

    app = button(app, f"Place on {best['address']}").click().run()
    assert not app.exception
    placed = placements(city_copy_url, department, normalized)
    assert len(placed) == group["records"]
    assert (placed["status"] == "matched").all() and (placed["method"] == "decision").all()
    assert (placed["property_id"] == best["property_id"]).all()
    decision = stored_decision(city_copy_url, department, normalized)
    assert (decision["decision"], decision["property_id"], decision["decided_by"]) == \
        ("property", best["property_id"], "admin")
    assert app.success[0].value.startswith(f"Placed {group['records']:,} ")
    assert app.success[0].value.endswith(f" on {best['address']} ({best['property_id']}).")
    assert normalized not in app.dataframe[0].value["Address (normalised)"].tolist()
    made = app.dataframe[-1].value
    assert made.iloc[0]["Address"] == normalized and made.iloc[0]["Decision"] == "Placed on a property"
    assert made.iloc[0]["Property"] == best["address"]

    app = select_row(app, -1, 0)
    app = button(app, "Undo the selected decision").click().run()
    assert not app.exception
    assert stored_decision(city_copy_url, department, normalized) is None
    assert (placements(city_copy_url, department, normalized)["status"] == "review").all()
    assert "Undid the decision" in app.success[0].value
    assert normalized in app.dataframe[0].value["Address (normalised)"].tolist()


def test_marking_an_address_outside_the_city_with_a_note(monkeypatch, city_copy_url):
    group = largest_group(city_copy_url, "unmatched")
    department, normalized = group["department"], group["normalized"]
    app = open_group(run_page(monkeypatch, city_copy_url), department, normalized)
    app = app.text_input(key=next(t.key for t in app.text_input if t.label == "Note (optional, kept with the decision)")) \
        .input("Town of Mount Pleasant").run()
    app = button(app, "Outside the city").click().run()
    assert not app.exception
    decision = stored_decision(city_copy_url, department, normalized)
    assert (decision["decision"], decision["property_id"], decision["note"]) == \
        ("outside", None, "Town of Mount Pleasant")
    placed = placements(city_copy_url, department, normalized)
    assert (placed["method"] == "decision").all() and placed["property_id"].isna().all()
    assert app.dataframe[-1].value.iloc[0]["Decision"] == "Outside the city"
    assert app.success[0].value == \
        f"Marked {len(placed):,} {DEPARTMENT_LABELS[department]} records at “{normalized}” as outside the city."


def test_searching_for_another_property_and_placing_the_records_there(monkeypatch, city_copy_url):
    group = largest_group(city_copy_url, "review", with_candidates=True)
    department, normalized = group["department"], group["normalized"]
    with reading(create_engine(city_copy_url)) as conn:
        chosen = property_data.property_master(conn).iloc[25]
    app = open_group(run_page(monkeypatch, city_copy_url), department, normalized)
    app = app.text_input(key=next(t.key for t in app.text_input if t.label == "Find a property")) \
        .input(chosen["address"]).run()
    found = next(s for s in app.selectbox if s.label == "Property")
    app = found.select(chosen["property_id"]).run()
    app = button(app, "Place on this property").click().run()
    assert not app.exception
    assert (placements(city_copy_url, department, normalized)["property_id"] == chosen["property_id"]).all()


def test_candidates_stored_with_equal_scores_are_listed_nearest_first(monkeypatch, city_copy_url):
    """A number the street does not have: its candidates by house-number distance, each scored apart,
    even for a list stored when every candidate scored 0.50 in property-id order."""
    engine = create_engine(city_copy_url)
    groups = review.groups(engine)
    off_street = groups[(groups["kind"] == review.NUMBERED)
                        & groups["candidates"].map(lambda text: isinstance(text, str) and len(json.loads(text)) >= 3
                                                   and all(c["score"] < 0.5 for c in json.loads(text)))]
    group = off_street.iloc[0]
    written = int(group["normalized"].split()[0])
    listed = json.loads(group["candidates"])
    as_stored = json.dumps([dict(c, score=0.5) for c in sorted(listed, key=lambda c: c["property_id"], reverse=True)])
    with engine.begin() as conn:
        conn.execute(matches.update().where(matches.c.normalized == group["normalized"]).values(candidates=as_stored))

    app = open_group(run_page(monkeypatch, city_copy_url), group["department"], group["normalized"])
    options = list(app.radio[0].options)  # as shown: "1. 1412 S DOUGLAS AVE · parcel ... · score 0.35"
    numbers = [int(option.split(". ", 1)[1].split()[0]) for option in options]
    scores = [float(option.rsplit("score ", 1)[1]) for option in options]
    assert numbers == sorted(numbers, key=lambda n: abs(n - written))
    assert scores == sorted(scores, reverse=True)
    assert len(set(scores)) == len(set(numbers)) > 1  # another number, another score, told apart on screen
