"""The product's words, defined once: departments, match statuses and methods, case statuses, agenda
sections, institution treatments. Each maps its stored value to the label a person reads.

Everything imports these from here (storage, the domain, services, pages); this module imports nothing.
"""

DEPARTMENT_LABELS = {
    "police": "Police",
    "fire": "Fire",
    "public_works": "Public Works",
    "crm": "Customer Service",
}
DEPARTMENTS = tuple(DEPARTMENT_LABELS)

MATCH_STATUS_LABELS = {
    "matched": "On a property",
    "review": "For review",
    "block": "At a block",
    "intersection": "At an intersection",
    "unmatched": "Unmatched",
}
MATCH_STATUS_HELP = {
    "matched": "Joined to one property (parcel)",
    "review": "Plausible properties, but not safe to join automatically: an analyst decides in Match review",
    "block": "A block-level location, kept at the block and never forced onto one parcel",
    "intersection": "A street corner, kept at the intersection",
    "unmatched": "Nothing usable: blank, unknown, PO box, outside the city",
}
MATCH_STATUSES = tuple(MATCH_STATUS_LABELS)
MATCH_METHODS = ("parcel_id", "exact", "alias", "range", "unit_base", "fuzzy", "spatial", "outside", "decision")

CASE_STATUS_LABELS = {
    "new": "New",
    "monitoring": "Monitoring",
    "action_assigned": "Action assigned",
    "referred": "Referred",
    "resolved": "Resolved",
}
CASE_STATUSES = tuple(CASE_STATUS_LABELS)

AGENDA_SECTION_LABELS = {
    "new": "New on the list",
    "rising": "Score rising",
    "actions_due": "Actions due or overdue",
    "flagged": "Still flagged",
    "heading": "Heading for the list",  # not flagged: the early warning's top entries
    "added": "Added by hand",
}
AGENDA_SECTIONS = tuple(AGENDA_SECTION_LABELS)

MEETING_STATUS_LABELS = {
    "planned": "In progress",  # started: the agenda, decisions and attendees can still change
    "closed": "Closed",
}
MEETING_STATUSES = tuple(MEETING_STATUS_LABELS)

# How the hotspot score treats an institutional address (police station, hospital, city hall).
TREATMENT_LABELS = {
    "damp": "Damped: its score counts for less",
    "exclude": "Excluded from the list",
}
TREATMENTS = tuple(TREATMENT_LABELS)

# Who an account is: what it may do follows from the role (integration.access holds the permission table).
ROLE_LABELS = {
    "admin": "Administrator",
    "integration_team": "Integration team",
    "department_staff": "Department staff",
    "analyst": "Analyst",
    "viewer": "Viewer",
}
ROLES = tuple(ROLE_LABELS)


def department_label(department: str | None) -> str:
    return DEPARTMENT_LABELS.get(department or "", department or "")
