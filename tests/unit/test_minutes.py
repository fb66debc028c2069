"""Minutes of a meeting: what it decided, as PDF, CSV and XLSX, with user text kept as plain text."""

import io
from datetime import date, datetime

import pandas as pd
import pytest
from openpyxl import load_workbook

from integration.minutes import build_minutes, minutes_frame, pdf_text, to_csv, to_pdf, to_xlsx

AT = datetime(2026, 11, 20, 16, 5)
INJECTION = "=cmd|' /C calc'!A0"


def _event(event_id, kind, body, meeting_id, author="lead"):
    return {"event_id": event_id, "kind": kind, "body": body, "meeting_id": meeting_id, "author": author,
            "version": event_id, "at": AT}


# What storage.casework.minutes_input returns for meeting 2 (meeting 1 came before, meeting 3 after).
INPUT = {
    "meeting": {"meeting_id": 2, "held_on": date(2026, 11, 20), "status": "planned",
                "attendees": ["Ann Lee (Police)", "Bo Ng (Fire)"]},
    "items": [
        {"property_id": "P1", "address": "1420 N MAIN ST", "section": "actions_due", "case": {
            "case_id": 11, "status": "resolved", "lead_department": "fire",  # as it stands now, after meeting 3
            "events": [
                _event(1, "opened", {"status": "new", "lead_department": None}, 1),
                _event(2, "note", {"text": "last meeting's note"}, 1),
                _event(3, "status", {"from": "new", "to": "action_assigned"}, 2),
                _event(4, "lead_department", {"from": None, "to": "public_works"}, 2),
                _event(5, "action_added", {"what": "Board up rear door"}, 2),
                _event(6, "action_done", {"action_id": 1, "what": "Call the owner"}, 2, "ann"),
                _event(7, "note", {"text": INJECTION}, 2),
                _event(8, "status", {"from": "action_assigned", "to": "resolved"}, 3),
                _event(9, "lead_department", {"from": "public_works", "to": "fire"}, 3),
            ],
            "actions": [
                {"action_id": 1, "what": "Call the owner", "owner": "Ann", "department": "police", "due_on": None,
                 "meeting_id": 1},
                {"action_id": 2, "what": "Board up rear door", "owner": "Crew 4", "department": "public_works",
                 "due_on": date(2026, 12, 4), "meeting_id": 2},
            ]}},
        {"property_id": "P2", "address": "300 LAKE AVE", "section": "new", "case": {
            "case_id": 12, "status": "monitoring", "lead_department": "police",
            "events": [_event(10, "opened", {"status": "monitoring", "lead_department": "police"}, 2),
                       _event(11, "reviewed", {}, 2)],
            "actions": []}},
        {"property_id": "P3", "address": "12 ELM ST", "section": "flagged", "case": None},
    ],
}


def test_build_minutes_shows_the_meeting_as_it_left_each_case():
    minutes = build_minutes(INPUT)
    assert (minutes.meeting_id, minutes.held_on, minutes.attendees) == (2, date(2026, 11, 20),
                                                                       ("Ann Lee (Police)", "Bo Ng (Fire)"))
    first, second, third = minutes.items
    assert (first.decided, first.status, first.lead_department, first.changed) == (
        True, "action_assigned", "public_works", ("status", "lead_department"))
    assert [(a.what, a.owner, a.due_on) for a in first.actions] == [("Board up rear door", "Crew 4", date(2026, 12, 4))]
    assert (first.done, first.notes) == (("Call the owner",), (INJECTION,))
    assert (second.decided, second.status, second.changed, second.actions) == (True, "monitoring", (), ())
    assert (third.decided, third.case_id, third.status) == (False, None, None)
    assert [item.position for item in minutes.items] == [1, 2, 3]


def _pdf_text(content: bytes) -> str:
    return content.decode("latin-1")


def test_pdf_holds_the_decisions_page_numbers_and_provenance():
    content = to_pdf(build_minutes(INPUT), "lead jo", at=AT, compress=False)
    assert content.startswith(b"%PDF")
    text = _pdf_text(content)
    for expected in [
        "Integration team meeting: minutes", "Friday, November 20, 2026", "Attendees: Ann Lee \\(Police\\), Bo Ng",
        "1. 1420 N MAIN ST  \\(P1\\)", "Decision: Action assigned; lead department: Public Works",
        "- Action: Board up rear door \\(Crew 4, Public Works, due 2026-12-04\\)", "- Done: Call the owner",
        "Note: =cmd|' /C calc'!A0", "Decision: Monitoring; lead department: Police \\(unchanged\\)",
        "3. 12 ELM ST", "No decision recorded at this meeting.", "Exported by lead jo at 2026-11-20 16:05", "Page 1 of",
    ]:
        assert expected in text, expected
    assert "last meeting's note" not in text
    assert to_pdf(build_minutes(INPUT), "lead jo", at=AT).startswith(b"%PDF")  # compressed by default


def test_user_text_is_plain_text_not_markup():
    data = {**INPUT, "items": [dict(INPUT["items"][1], case=dict(INPUT["items"][1]["case"], events=[
        _event(10, "opened", {"status": "new"}, 2),
        _event(11, "note", {"text": "**not bold** <b>no html</b> --strike-- \\ (paren"}, 2)]))]}
    text = _pdf_text(to_pdf(build_minutes(data), "jo", at=AT, compress=False))
    assert "Note: **not bold** <b>no html</b> --strike-- \\\\ \\(paren" in text


@pytest.mark.parametrize("written, printed", [
    ("Café — “quoted” ☃", 'Café - "quoted" ?'),
    ("Ann’s ‘list’ … 5–7 items", "Ann's 'list' ... 5-7 items"),
    ("Łódź Dvořák", "Lódz Dvorák"),  # accents outside Latin-1 dropped, the letter kept
    ("naïve façade", "naïve façade"),  # Latin-1 as it is
    ("tab\there\x00\r\nnext", "tab here\nnext"),
    ("日本", "??"),
    ("ﬁne", "fine"),
])
def test_pdf_text_keeps_what_helvetica_can_print(written, printed):
    assert pdf_text(written) == printed


def test_characters_outside_latin1_do_not_crash_the_pdf():
    data = {"meeting": {"meeting_id": 2, "held_on": date(2026, 11, 20), "attendees": ["Zoë — “chair” ☃"]},
            "items": [{"property_id": "P9", "address": "Café — “quoted” ☃", "section": "added", "case": {
                "case_id": 1, "status": "new", "lead_department": None,
                "events": [_event(1, "opened", {"status": "new"}, 2),
                           _event(2, "note", {"text": "Café — “quoted” ☃ 🏚️ " + "x" * 400}, 2)],
                "actions": [{"what": "Write to 李 — “now”", "owner": "Zoë", "department": None, "due_on": None,
                             "meeting_id": 2}]}}]}
    text = _pdf_text(to_pdf(build_minutes(data), "Zoë ☃", at=AT, compress=False))
    assert 'Note: Café - "quoted" ?' in text
    assert 'Write to ? - "now"' in text
    assert "Exported by Zoë ? at" in text


def test_a_long_meeting_runs_over_several_numbered_pages():
    items = [{"property_id": f"P{n}", "address": f"{n} MAIN ST", "section": "flagged", "case": None}
             for n in range(1, 61)]
    content = to_pdf(build_minutes({"meeting": {"meeting_id": 1, "held_on": date(2026, 11, 20)}, "items": items}),
                     "jo", at=AT, compress=False)
    text = _pdf_text(content)
    assert "Page 2 of" in text and "60. 60 MAIN ST" in text


def test_an_empty_meeting_still_has_minutes():
    minutes = build_minutes({"meeting": {"meeting_id": 1, "held_on": date(2026, 11, 20), "attendees": []},
                             "items": []})
    text = _pdf_text(to_pdf(minutes, "jo", at=AT, compress=False))
    assert "Attendees: not recorded" in text and "Nothing was on the agenda" in text
    assert minutes_frame(minutes).empty


def test_minutes_frame_one_row_per_action():
    frame = minutes_frame(build_minutes(INPUT))
    columns = ["item", "property_id", "decided", "status", "lead_department", "action", "due_on"]
    assert frame[columns].values.tolist() == [
        [1, "P1", "yes", "Action assigned", "Public Works", "Board up rear door", "2026-12-04"],
        [2, "P2", "yes", "Monitoring", "Police", "", ""],
        [3, "P3", "no", "", "", "", ""],
    ]


def test_csv_escapes_what_a_spreadsheet_would_run():
    text = to_csv(build_minutes(INPUT), "lead jo").decode("utf-8-sig")
    assert text.splitlines()[0] == "# Exported by: lead jo"
    assert "# Filter: meeting: 2026-11-20" in text.splitlines()
    back = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, comment="#")
    assert back.loc[0, "note"] == "'" + INJECTION
    assert back.loc[0, "action"] == "Board up rear door"
    assert back.loc[0, "done_at_meeting"] == "Call the owner"


def test_xlsx_holds_the_decisions_and_no_formulas():
    book = load_workbook(io.BytesIO(to_xlsx(build_minutes(INPUT), "lead jo")))
    assert book.sheetnames == ["Minutes", "About"]
    cells = [cell for row in book["Minutes"].iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    rows = list(book["Minutes"].iter_rows(values_only=True))
    header = rows[0]
    first = dict(zip(header, rows[1]))
    assert first["note"] == "'" + INJECTION
    assert (first["address"], first["status"], first["owner"]) == ("1420 N MAIN ST", "Action assigned", "Crew 4")
