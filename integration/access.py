"""Who may see and do what: roles, the permission table, sensitive fields and their redaction.

Five roles: admin, integration_team, department_staff (tied to one department), analyst, viewer.
The integration team lead is an integration_team user with `lead=True`, not a role of its own: the
lead sits in the same meetings and does everything a member does, and more. The permission table
therefore has one column per *seat* (`seat(user)`), where the lead is the column "integration_lead".

Sensitive fields (police narratives and dispositions, fire narratives with patient details, CRM
descriptions with caller names and phone numbers) are seen only by that department's own staff and
integration team member, and by the integration team lead; everyone else, admin included, sees the
record's date, department and category but not those fields. `SENSITIVE_FIELDS` must agree with the
`sensitive` lists in loaders/departments.toml (a test compares them).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd

from integration.scoring import DEPARTMENT_NAMES

ROLE_LABELS = {
    "admin": "Administrator",
    "integration_team": "Integration team",
    "department_staff": "Department staff",
    "analyst": "Analyst",
    "viewer": "Viewer",
}
ROLES = tuple(ROLE_LABELS)
LEAD_SEAT = "integration_lead"
SEATS = ("admin", LEAD_SEAT, "integration_team", "department_staff", "analyst", "viewer")
SEAT_LABELS = {**ROLE_LABELS, LEAD_SEAT: "Integration team lead", "integration_team": "Integration team member"}

DEPARTMENTS = tuple(DEPARTMENT_NAMES)

PERMISSION_HELP = {
    "view_hotspots": "see the ranked hotspot list and map",
    "view_property": "open a property and its cross-department history",
    "view_meeting": "see meeting agendas, decisions and actions",
    "edit_cases": "record case decisions, notes and actions",
    "run_meeting": "build, reorder and close a meeting's agenda",
    "upload": "load department extracts and save column mappings",
    "review_matches": "place records the matcher could not, and undo decisions",
    "view_data_quality": "see rejects, match rates and data freshness",
    "view_service": "see customer-service analytics: requests, time to close, transfers, equity",
    "view_staff_workload": "see customer-service requests and time to close per staff member and team",
    "manage_users": "create accounts, change roles, reset passwords, disable accounts",
    "view_audit": "read and export the audit log",
    "export": "download tables as CSV, XLSX or PDF",
}
PERMISSIONS = tuple(PERMISSION_HELP)

# The one table of what each seat may do. Columns follow SEATS.
PERMISSION_TABLE = {
    #                     admin  lead   team   staff  analyst viewer
    "view_hotspots":     (True,  True,  True,  True,  True,  True),
    "view_property":     (True,  True,  True,  True,  True,  True),
    "view_meeting":      (True,  True,  True,  True,  True,  True),
    "edit_cases":        (True,  True,  True,  False, False, False),
    "run_meeting":       (True,  True,  False, False, False, False),
    "upload":            (True,  False, False, False, True,  False),
    "review_matches":    (True,  False, False, False, True,  False),
    "view_data_quality": (True,  True,  True,  False, True,  False),
    "view_service":      (True,  True,  True,  True,  True,  True),
    "view_staff_workload": (True, True,  False, False, False, False),
    "manage_users":      (True,  False, False, False, False, False),
    "view_audit":        (True,  False, False, False, False, False),
    "export":            (True,  True,  True,  True,  True,  False),
}

# Canonical record fields only a department's own people (and the lead) may read.
# Keep in step with `sensitive` in loaders/departments.toml.
SENSITIVE_FIELDS = {
    "police": ("description", "status"),  # narrative, disposition
    "fire": ("description",),  # narrative: patient details
    "public_works": (),
    "crm": ("description",),  # free text: caller names, phone numbers, e-mails
}
ALL_SENSITIVE_FIELDS = tuple(sorted({name for fields in SENSITIVE_FIELDS.values() for name in fields}))

# Roles whose department ties them to that department's sensitive fields.
DEPARTMENT_ROLES = ("department_staff", "integration_team")
DEFAULT_SESSION_MINUTES = 60


class AccessError(ValueError):
    """A role, department or lead flag that do not fit together; the message says why."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    department: str | None = None
    lead: bool = False
    display_name: str = ""
    must_change_password: bool = False

    def __post_init__(self):
        check_role(self.role, self.department, self.lead)

    @property
    def label(self) -> str:
        return self.display_name or self.name


def check_role(role: str, department: str | None = None, lead: bool = False) -> None:
    """Raise AccessError unless role, department and lead flag make a valid account."""
    if role not in ROLES:
        raise AccessError(f"unknown role '{role}'; roles: {', '.join(ROLES)}")
    if department is not None and department not in DEPARTMENTS:
        raise AccessError(f"unknown department '{department}'; departments: {', '.join(DEPARTMENTS)}")
    if role == "department_staff" and department is None:
        raise AccessError("department staff need a department")
    if department is not None and role not in DEPARTMENT_ROLES:
        raise AccessError(f"only department staff and integration team members have a department, not {role}")
    if lead and role != "integration_team":
        raise AccessError("only an integration team member can be the lead")


def seat(user: User) -> str:
    """The user's column in PERMISSION_TABLE: the role, or integration_lead for the lead."""
    return LEAD_SEAT if user.role == "integration_team" and user.lead else user.role


def can(user: User | None, permission: str) -> bool:
    """Whether `user` may do `permission`; nobody signed in may do nothing."""
    allowed = PERMISSION_TABLE[permission]  # KeyError on a misspelt permission, never a silent False
    return user is not None and allowed[SEATS.index(seat(user))]


def permissions(user: User | None) -> tuple[str, ...]:
    return tuple(p for p in PERMISSIONS if can(user, p))


def sees_sensitive(user: User | None, department: str | None) -> bool:
    """Whether `user` may read the sensitive fields of `department`'s records."""
    if user is None:
        return False
    if user.role == "integration_team" and user.lead:
        return True
    return user.role in DEPARTMENT_ROLES and department is not None and user.department == department


def hidden_fields(user: User | None, department: str | None) -> tuple[str, ...]:
    """The fields of `department`'s records that `user` may not read (all known ones for an unknown department)."""
    if sees_sensitive(user, department):
        return ()
    return SENSITIVE_FIELDS.get(department, ALL_SENSITIVE_FIELDS) if department else ALL_SENSITIVE_FIELDS


def redact(records_frame: pd.DataFrame, user: User | None, department: str | None = None) -> pd.DataFrame:
    """A copy of `records_frame` with the sensitive fields `user` may not read blanked (None).

    Rows are judged by their `department` column, or by `department` when the frame has none;
    with neither, every sensitive column is blanked unless the user sees every department's.
    Redact canonical columns before renaming them for display.
    """
    redacted = records_frame.copy()
    if "department" in redacted.columns:
        row_departments = redacted["department"]
    else:
        row_departments = pd.Series(department, index=redacted.index, dtype=object)
    for row_department in pd.unique(row_departments):
        department_key = row_department if isinstance(row_department, str) else None
        columns = [c for c in hidden_fields(user, department_key) if c in redacted.columns]
        if not columns:
            continue
        rows = row_departments.isna() if department_key is None else row_departments == department_key
        for column in columns:
            if redacted[column].dtype != object:
                redacted[column] = redacted[column].astype(object)
            redacted.loc[rows, column] = None
    return redacted


def session_expired(signed_in_at: datetime | None, now: datetime | None = None,
                    timeout_minutes: int = DEFAULT_SESSION_MINUTES) -> bool:
    """Whether a session that began (or was last active) at `signed_in_at` has run out by `now`."""
    if timeout_minutes <= 0:
        raise ValueError("a session timeout is a positive number of minutes")
    if signed_in_at is None:
        return True
    now = now or datetime.now()
    # A sign-in time in the future means a changed clock or a forged session: start again.
    return now - signed_in_at >= timedelta(minutes=timeout_minutes) or signed_in_at > now + timedelta(minutes=1)


def permission_table_markdown() -> str:
    """The permission table as Markdown, for the README and the admin page."""
    header = "| permission | " + " | ".join(SEAT_LABELS[s] for s in SEATS) + " |"
    lines = [header, "|---" * (len(SEATS) + 1) + "|"]
    for permission, allowed in PERMISSION_TABLE.items():
        lines.append(f"| {permission} ({PERMISSION_HELP[permission]}) | "
                     + " | ".join("yes" if a else "-" for a in allowed) + " |")
    sensitive = ["own department" if s in DEPARTMENT_ROLES else ("all" if s == LEAD_SEAT else "-") for s in SEATS]
    lines.append("| sensitive fields (narratives, dispositions, caller details) | " + " | ".join(sensitive) + " |")
    return "\n".join(lines)
