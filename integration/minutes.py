"""Minutes of a meeting: its decisions as a printable PDF and as CSV/XLSX, for those who were not there.

`build_minutes(storage.casework.minutes_input(conn, meeting_id))` gives the minutes; `to_pdf`,
`to_csv` and `to_xlsx` render them. Everything people typed is printed as plain text, never as
markup. The PDF uses the standard Helvetica font, which covers Latin-1 only: other characters
are replaced by their nearest Latin-1 spelling ("—" -> "-", "“" -> '"', "ł" -> "l", "ř" -> "r"),
or by "?" when there is none (☃).
"""

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from integration import exports
from integration.cases import SECTION_LABELS, attendee_label, department_label, state_after, status_label
from vocabulary import DEPARTMENTS


@dataclass(frozen=True)
class MinutesAction:
    what: str
    owner: str | None = None
    department: str | None = None
    due_on: date | None = None


@dataclass(frozen=True)
class MinutesItem:
    position: int
    property_id: str
    address: str
    section: str
    case_id: int | None = None
    decided: bool = False  # anything recorded on the case at this meeting
    status: str | None = None  # the case's status and lead department as the meeting left them
    lead_department: str | None = None
    changed: tuple[str, ...] = ()  # what the meeting changed: "status", "lead_department"
    actions: tuple[MinutesAction, ...] = ()  # agreed at this meeting
    done: tuple[str, ...] = ()  # actions marked done at this meeting
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Minutes:
    meeting_id: int
    held_on: date
    attendees: tuple[str, ...]  # as they read: "Ann Lee (Police)", or a department without a name
    items: tuple[MinutesItem, ...]
    departments: tuple[str, ...] = ()  # the departments someone attended for, in vocabulary order


def build_minutes(data: Mapping) -> Minutes:
    """The minutes from storage.casework.minutes_input(): per agenda item, what this meeting decided."""
    meeting = data["meeting"]
    meeting_id = meeting["meeting_id"]
    items = []
    for position, item in enumerate(data["items"], 1):
        case = item.get("case")
        events = list(case["events"]) if case else []
        here = [event for event in events if event.get("meeting_id") == meeting_id]
        state = {"status": None, "lead_department": None}
        if case:
            last = max((event["event_id"] for event in here), default=None)
            state = state_after([e for e in events if last is None or e["event_id"] <= last]) if last is not None \
                else {"status": case.get("status"), "lead_department": case.get("lead_department")}
        actions = tuple(
            MinutesAction(what=a["what"], owner=a.get("owner"), department=a.get("department"), due_on=a.get("due_on"))
            for a in (case["actions"] if case else []) if a.get("meeting_id") == meeting_id)
        items.append(MinutesItem(
            position=position, property_id=item["property_id"], address=item.get("address") or item["property_id"],
            section=item.get("section") or "added", case_id=case["case_id"] if case else None, decided=bool(here),
            status=state["status"], lead_department=state["lead_department"],
            changed=tuple(dict.fromkeys(e["kind"] for e in here if e["kind"] in ("status", "lead_department"))),
            actions=actions,
            done=tuple(str(e["body"].get("what", "")) for e in here if e["kind"] == "action_done"),
            notes=tuple(str(e["body"].get("text", "")) for e in here if e["kind"] == "note"),
        ))
    attendees = [{"name": a} if isinstance(a, str) else a for a in meeting.get("attendees") or ()]
    present = {a.get("department") for a in attendees}
    return Minutes(meeting_id=meeting_id, held_on=_as_date(meeting["held_on"]),
                   attendees=tuple(attendee_label(a) for a in attendees), items=tuple(items),
                   departments=tuple(d for d in DEPARTMENTS if d in present))


def attendance_lines(minutes: Minutes) -> list[str]:
    """Who attended, as the minutes print it: the people, then the departments present and absent."""
    lines = ["Attendees: " + (", ".join(minutes.attendees) if minutes.attendees else "not recorded")]
    if minutes.departments:
        absent = [department_label(d) for d in DEPARTMENTS if d not in minutes.departments]
        lines.append("Departments present: " + ", ".join(department_label(d) for d in minutes.departments)
                     + (f"; not present: {', '.join(absent)}" if absent else ""))
    return lines


# --- CSV and XLSX ---------------------------------------------------------------------------

COLUMNS = ["item", "address", "property_id", "agenda_section", "decided", "status", "lead_department",
           "action", "owner", "action_department", "due_on", "done_at_meeting", "note"]


def minutes_frame(minutes: Minutes) -> pd.DataFrame:
    """One row per action agreed (one row for an item without actions), the item's decision on each."""
    rows = []
    for item in minutes.items:
        common = {
            "item": item.position, "address": item.address, "property_id": item.property_id,
            "agenda_section": SECTION_LABELS.get(item.section, item.section),
            "decided": "yes" if item.decided else "no",
            "status": status_label(item.status), "lead_department": department_label(item.lead_department),
            "done_at_meeting": "; ".join(item.done), "note": " / ".join(item.notes),
        }
        for action in item.actions or (None,):
            rows.append({**common, "action": action.what if action else "",
                         "owner": (action.owner or "") if action else "",
                         "action_department": department_label(action.department) if action else "",
                         "due_on": action.due_on.isoformat() if action and action.due_on else ""})
    return pd.DataFrame(rows, columns=COLUMNS)


def _filters(minutes: Minutes) -> dict:
    return {"meeting": minutes.held_on.isoformat(), "attendees": list(minutes.attendees),
            "departments present": [department_label(d) for d in minutes.departments]}


def to_csv(minutes: Minutes, exported_by: str) -> bytes:
    return exports.to_csv(minutes_frame(minutes), exported_by, _filters(minutes))


def to_xlsx(minutes: Minutes, exported_by: str) -> bytes:
    return exports.to_xlsx(minutes_frame(minutes), exported_by, _filters(minutes), sheet="Minutes")


# --- PDF ------------------------------------------------------------------------------------

# Common characters outside Latin-1, spelled with what Helvetica has.
PDF_REPLACEMENTS = {
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2026": "...", "\u2022": "*", "\u2023": "*", "\u2043": "-", "\u20ac": "EUR", "\u2122": "TM",
    "\u2192": "->", "\u2190": "<-", "\u2264": "<=", "\u2265": ">=", "\u2260": "!=", "\u2248": "~",
    "\u00a0": " ", "\u2007": " ", "\u2009": " ", "\u200a": " ", "\u202f": " ", "\u200b": "", "\ufeff": "",
    "\u0141": "L", "\u0142": "l", "\u0110": "D", "\u0111": "d", "\u0152": "OE", "\u0153": "oe", "\u0131": "i",
    "\t": " ",
}


def pdf_text(text: object) -> str:
    """`text` in characters Helvetica can print: Latin-1 kept, common punctuation spelled out,
    accented letters outside Latin-1 without their accent, anything else "?"."""
    out = []
    for char in str(text):
        char = PDF_REPLACEMENTS.get(char, char)
        if char == "\n" or (char.isprintable() and _latin1(char)):
            out.append(char)
            continue
        if not char.isprintable() and len(char) == 1:
            continue  # control characters carry nothing to print
        plain = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        out.append(plain if plain and _latin1(plain) and plain.isprintable() else "?")
    return "".join(out)


def _latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


class _MinutesPDF(FPDF):
    def __init__(self, footer_text: str):
        super().__init__(orientation="portrait", unit="mm", format="Letter")
        self.footer_text = footer_text

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("helvetica", size=8)
        self.set_text_color(90)
        self.cell(0, 5, self.footer_text, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")


def to_pdf(minutes: Minutes, exported_by: str, at: datetime | None = None, compress: bool = True) -> bytes:
    """The minutes as a printable PDF (US Letter): title, attendees, then every agenda item with
    its decision, actions and notes; page numbers and who exported it when on every page."""
    at = at or datetime.now().replace(microsecond=0)
    pdf = _MinutesPDF(pdf_text(f"Exported by {exported_by} at {at:%Y-%m-%d %H:%M}"))
    pdf.set_compression(compress)
    pdf.set_title(pdf_text(f"Minutes of the integration team meeting, {_long_date(minutes.held_on)}"))
    pdf.set_author(pdf_text(exported_by))
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()

    def line(text: str, size: float = 10, style: str = "", height: float = 5, indent: float = 0) -> None:
        pdf.set_font("helvetica", style=style, size=size)
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(0, height, pdf_text(text), align="L", markdown=False, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    line("Integration team meeting: minutes", size=16, style="B", height=8)
    line(_long_date(minutes.held_on), size=12, height=7)
    for text in attendance_lines(minutes):
        line(text)
    decided = sum(item.decided for item in minutes.items)
    count = len(minutes.items)
    line(f"{count} {'property' if count == 1 else 'properties'} on the agenda, {decided} with a decision recorded.")
    pdf.ln(3)
    if not minutes.items:
        line("Nothing was on the agenda and no decision was recorded.")
    for item in minutes.items:
        pdf.ln(2)
        line(f"{item.position}. {item.address}  ({item.property_id})", size=11, style="B", height=6)
        line(SECTION_LABELS.get(item.section, item.section) + (f"; case {item.case_id}" if item.case_id else ""),
             size=9, style="I", indent=4)
        if not item.decided:
            status = f" Case status: {status_label(item.status)}." if item.status else ""
            line(f"No decision recorded at this meeting.{status}", indent=4)
            continue
        lead = department_label(item.lead_department) or "none"
        unchanged = "" if item.changed else " (unchanged)"
        line(f"Decision: {status_label(item.status)}; lead department: {lead}{unchanged}", indent=4)
        for action in item.actions:
            who = ", ".join(p for p in (action.owner, department_label(action.department)) if p) or "no owner"
            due = f", due {action.due_on:%Y-%m-%d}" if action.due_on else ""
            line(f"- Action: {action.what} ({who}{due})", indent=8)
        for what in item.done:
            line(f"- Done: {what}", indent=8)
        for note in item.notes:
            line(f"Note: {note}", indent=4)
    return bytes(pdf.output())


def _long_date(day: date) -> str:
    return f"{day:%A, %B} {day.day}, {day:%Y}"


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()
