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

Sessions: how long one lasts (`SessionLimits`, from SESSION_IDLE_MINUTES and SESSION_MAX_HOURS),
why one is over (`session_end`), where a sign-in may send the browser (`landing_path`), and which
role a single sign-on identity's groups give (`role_for_groups`). Storing them is services.accounts'.
"""

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pandas as pd

from vocabulary import DEPARTMENT_LABELS, ROLES, ROLE_LABELS

LEAD_SEAT = "integration_lead"
SEATS = ("admin", LEAD_SEAT, "integration_team", "department_staff", "analyst", "viewer")
SEAT_LABELS = {**ROLE_LABELS, LEAD_SEAT: "Integration team lead", "integration_team": "Integration team member"}

DEPARTMENTS = tuple(DEPARTMENT_LABELS)

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
DEFAULT_SESSION_MINUTES = 60  # idle timeout
DEFAULT_SESSION_HOURS = 12  # absolute limit: a working day
SESSION_SETTINGS = {
    "SESSION_IDLE_MINUTES": "minutes without activity after which a session ends",
    "SESSION_MAX_HOURS": "hours after signing in after which a session ends, active or not",
}


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


# --- sessions ---------------------------------------------------------------------------------

# Why a session ended, as stored with it; the frame turns each into what the person reads.
END_REASONS = {
    "signed_out": "signed out",
    "idle": "no activity for longer than the idle timeout",
    "time_limit": "reached the session's time limit",
    "clock": "its times lie in the future (a changed clock or a forged session)",
    "ended_by_admin": "ended by an administrator",
    "account_disabled": "the account was disabled",
    "password_reset": "an administrator set a new password",
}


@dataclass(frozen=True)
class SessionLimits:
    """How long a session lasts: `idle` without activity, and `absolute` after signing in at most."""
    idle: timedelta = timedelta(minutes=DEFAULT_SESSION_MINUTES)
    absolute: timedelta = timedelta(hours=DEFAULT_SESSION_HOURS)

    def __post_init__(self):
        if self.idle <= timedelta(0) or self.absolute <= timedelta(0):
            raise AccessError("a session's idle timeout and time limit are positive")


def _positive_number(environ: Mapping[str, str], name: str, default: float) -> float:
    text = (environ.get(name) or "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0:
        raise AccessError(f"{name} is '{text}': it should be a positive number of "
                          f"{'minutes' if 'MINUTES' in name else 'hours'}")
    return value


def session_limits(environ: Mapping[str, str] | None = None) -> SessionLimits:
    """The limits set by SESSION_IDLE_MINUTES (default 60) and SESSION_MAX_HOURS (default 12)."""
    environ = os.environ if environ is None else environ
    return SessionLimits(
        idle=timedelta(minutes=_positive_number(environ, "SESSION_IDLE_MINUTES", DEFAULT_SESSION_MINUTES)),
        absolute=timedelta(hours=_positive_number(environ, "SESSION_MAX_HOURS", DEFAULT_SESSION_HOURS)),
    )


def session_end(created_at: datetime, last_seen_at: datetime, expires_at: datetime, now: datetime,
                limits: SessionLimits) -> str | None:
    """Why a session is over by `now` ('time_limit', 'idle' or 'clock'), or None while it lasts.

    The absolute limit is the earlier of the one stored at sign-in and the one set now, so a city
    that shortens SESSION_MAX_HOURS shortens the sessions already open too.
    """
    if created_at > now + timedelta(minutes=1) or last_seen_at > now + timedelta(minutes=1):
        return "clock"
    if now >= min(expires_at, created_at + limits.absolute):
        return "time_limit"
    if now - last_seen_at >= limits.idle:
        return "idle"
    return None


_CONTROL = re.compile(r"[\x00-\x1f\x7f\\]")
MAX_LANDING_LENGTH = 2048


def landing_path(candidate: object, base_path: str = "") -> str:
    """The page of this app a sign-in returns to: `candidate` when it is a path of the app (query
    included), else the app's home. Never another site: no scheme, host, '//' or backslash."""
    base = "/" + base_path.strip("/") if base_path.strip("/") else ""
    home = base + "/"
    if not isinstance(candidate, str) or not candidate or len(candidate) > MAX_LANDING_LENGTH:
        return home
    if _CONTROL.search(candidate) or not candidate.startswith("/") or candidate.startswith("//"):
        return home
    parts = urlsplit(candidate)
    if parts.scheme or parts.netloc:
        return home
    path = parts.path
    if base and not (path == base or path.startswith(base + "/")):
        return home
    return candidate


_BROWSERS = (("Edge", r"Edg/(\d+)"), ("Opera", r"OPR/(\d+)"), ("Firefox", r"Firefox/(\d+)"),
             ("Chrome", r"(?:Chrome|Chromium)/(\d+)"), ("Safari", r"Version/(\d+)[.\d]* .*Safari/"))
_SYSTEMS = (("Windows", "Windows"), ("Android", "Android"), ("iOS", "iPhone"), ("iOS", "iPad"),
            ("macOS", "Mac OS X"), ("ChromeOS", "CrOS"), ("Linux", "Linux"))


def browser_label(user_agent: str | None) -> str:
    """A short name for the browser a User-Agent header describes: "Chrome 140 on Linux"."""
    agent = user_agent if isinstance(user_agent, str) else ""
    browser = next((f"{name} {match.group(1)}" for name, pattern in _BROWSERS
                    if (match := re.search(pattern, agent))), None)
    system = next((name for name, token in _SYSTEMS if token in agent), None)
    if browser is None:
        return "unknown browser" + (f" on {system}" if system else "")
    if "HeadlessChrome" in agent:
        browser = "Headless " + browser
    return browser + (f" on {system}" if system else "")


# --- single sign-on groups --------------------------------------------------------------------

RoleGrant = tuple  # (role, department, lead)


def parse_role_grant(text: str) -> RoleGrant:
    """(role, department, lead) from "admin", "integration_lead", "integration_team:police",
    "department_staff:fire" ...; AccessError when it names no valid role."""
    role, _, department = str(text).strip().partition(":")
    lead = role == LEAD_SEAT
    role = "integration_team" if lead else role
    grant = (role, department.strip() or None, lead)
    check_role(*grant)
    return grant


def parse_group_roles(table: Mapping[str, object] | None) -> dict[str, RoleGrant]:
    """The settings' group -> role table, each role checked; AccessError names a wrong line."""
    grants = {}
    for group, text in (table or {}).items():
        try:
            grants[str(group)] = parse_role_grant(str(text))
        except AccessError as error:
            raise AccessError(f"group '{group}' in the group -> role table: {error}") from None
    return grants


def role_for_groups(groups: Iterable[str] | str | None, grants: Mapping[str, RoleGrant]) -> RoleGrant | None:
    """The role a person's identity-provider groups give: the first seat of SEATS (the most
    trusted) among the groups the table names; None when it names none of them."""
    if isinstance(groups, str):
        groups = [groups]
    found = [grants[group] for group in (groups or ()) if isinstance(group, str) and group in grants]
    if not found:
        return None

    def rank(grant: RoleGrant) -> tuple:
        role, department, lead = grant
        return SEATS.index(LEAD_SEAT if lead else role), department or ""

    return min(found, key=rank)
