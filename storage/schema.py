"""The database schema: every table the dashboard stores, in one place.

SQLAlchemy Core, portable between SQLite and PostgreSQL. Changes to this module go with a
migration in storage/migrations/versions (a test compares the two).
"""

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

# Named constraints so migrations can refer to them on every engine.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)


properties = Table(
    "properties",
    metadata,
    Column("property_id", String(40), primary_key=True),
    Column("parcel_id", String(40), index=True),
    Column("address", Text, nullable=False),
    Column("city", String(80)),
    Column("state", String(2)),
    Column("zip", String(10)),
    Column("lat", Float),
    Column("lon", Float),
    Column("land_use", String(40), index=True),
    Column("ward", String(20), index=True),
    Column("neighborhood", String(80)),
    Column("owner", Text),
    Column("updated_at", DateTime, nullable=False),
)

# A property may have several addresses: corner lots, duplex halves, ranges, old numbers.
property_addresses = Table(
    "property_addresses",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("property_id", String(40), ForeignKey("properties.property_id", ondelete="CASCADE"),
           nullable=False, index=True),
    Column("address", Text, nullable=False),
    Column("key", Text, nullable=False, index=True),
    Column("is_primary", Boolean, nullable=False, default=False),
    UniqueConstraint("property_id", "address"),
)

ingests = Table(
    "ingests",
    metadata,
    Column("ingest_id", Integer, primary_key=True, autoincrement=True),
    Column("department", String(40), nullable=False),
    Column("file_name", Text, nullable=False),
    Column("file_hash", String(64), nullable=False, index=True),
    Column("mapping", Text),
    Column("loaded_by", String(120), nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("rows_read", Integer, nullable=False, default=0),
    Column("rows_new", Integer, nullable=False, default=0),
    Column("rows_updated", Integer, nullable=False, default=0),
    Column("rows_unchanged", Integer, nullable=False, default=0),
    Column("rows_rejected", Integer, nullable=False, default=0),
    # Rows that joined an earlier row's record (same id), and rows that repeated an earlier row exactly.
    Column("rows_folded", Integer, nullable=False, server_default="0", default=0),
    Column("rows_duplicate", Integer, nullable=False, server_default="0", default=0),
    Index(None, "department", "started_at"),
)

records = Table(
    "records",
    metadata,
    Column("record_id", Integer, primary_key=True, autoincrement=True),
    Column("department", String(40), nullable=False),
    Column("source_record_id", String(120), nullable=False),
    Column("occurred_at", DateTime, nullable=False),
    Column("category", Text, nullable=False),
    Column("subcategory", Text),
    Column("status", String(60)),
    Column("closed_at", DateTime),
    Column("address", Text),
    Column("lat", Float),
    Column("lon", Float),
    Column("parcel_id", String(40)),
    Column("description", Text),
    Column("extra", Text),  # JSON of the kept source columns the canonical fields do not cover
    Column("content_hash", String(64), nullable=False),  # tells a changed row from an unchanged one
    Column("ingest_id", Integer, ForeignKey("ingests.ingest_id"), nullable=False),
    Column("updated_ingest_id", Integer, ForeignKey("ingests.ingest_id")),
    UniqueConstraint("department", "source_record_id"),
    Index(None, "department", "occurred_at"),
    Index(None, "occurred_at"),
)

# One row per record: where the matcher (or an analyst's decision) placed it.
matches = Table(
    "matches",
    metadata,
    Column("record_id", Integer, ForeignKey("records.record_id", ondelete="CASCADE"), primary_key=True),
    Column("property_id", String(40), ForeignKey("properties.property_id")),
    Column("status", String(20), nullable=False),
    Column("method", String(20)),
    Column("score", Float),
    Column("candidates", Text),  # JSON list of {property_id, address, score}
    Column("normalized", Text),
    Column("matched_at", DateTime, nullable=False),
    Index(None, "property_id", "record_id"),
    Index(None, "status"),
)

# An analyst's decision for one normalised address string; it outlives re-ingest and re-match.
match_decisions = Table(
    "match_decisions",
    metadata,
    Column("decision_id", Integer, primary_key=True, autoincrement=True),
    Column("department", String(40), nullable=False),
    Column("normalized", Text, nullable=False),
    Column("decision", String(20), nullable=False),
    Column("property_id", String(40), ForeignKey("properties.property_id")),
    Column("note", Text),
    Column("decided_by", String(120), nullable=False),
    Column("decided_at", DateTime, nullable=False),
    UniqueConstraint("department", "normalized"),
)

rejects = Table(
    "rejects",
    metadata,
    Column("reject_id", Integer, primary_key=True, autoincrement=True),
    Column("ingest_id", Integer, ForeignKey("ingests.ingest_id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("row_number", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("kind", String(40), nullable=False, server_default="other"),  # groups reasons: "not a date", ...
    Column("raw", Text, nullable=False),
)

# What each newer extract changed in a record, and which load changed it.
record_changes = Table(
    "record_changes",
    metadata,
    Column("change_id", Integer, primary_key=True, autoincrement=True),
    Column("record_id", Integer, ForeignKey("records.record_id", ondelete="CASCADE"), nullable=False, index=True),
    Column("ingest_id", Integer, ForeignKey("ingests.ingest_id"), nullable=False),
    Column("changed_at", DateTime, nullable=False),
    Column("before", Text, nullable=False),  # JSON of the changed fields' old values
    Column("after", Text, nullable=False),
)

# A column mapping an analyst saved for a file shape that fits no spec as it stands.
column_mappings = Table(
    "column_mappings",
    metadata,
    Column("mapping_id", Integer, primary_key=True, autoincrement=True),
    Column("department", String(40), nullable=False),
    Column("name", String(120), nullable=False),
    Column("header_signature", String(64), nullable=False),
    Column("columns", Text, nullable=False),  # JSON: canonical field -> source column
    Column("created_by", String(120), nullable=False),
    Column("created_at", DateTime, nullable=False),
    UniqueConstraint("department", "name"),
    Index(None, "department", "header_signature"),
)

meetings = Table(
    "meetings",
    metadata,
    Column("meeting_id", Integer, primary_key=True, autoincrement=True),
    Column("held_on", Date, nullable=False, unique=True),
    Column("status", String(20), nullable=False, default="planned"),  # vocabulary.MEETING_STATUSES
    Column("created_by", String(120), nullable=False),
    Column("created_at", DateTime, nullable=False),
)

# Who attended a meeting, in the order recorded: a person (with the department they came for), or a
# department represented without a name.
meeting_attendees = Table(
    "meeting_attendees",
    metadata,
    Column("attendee_id", Integer, primary_key=True, autoincrement=True),
    Column("meeting_id", Integer, ForeignKey("meetings.meeting_id", ondelete="CASCADE"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("name", String(120)),
    Column("department", String(40)),
)


cases = Table(
    "cases",
    metadata,
    Column("case_id", Integer, primary_key=True, autoincrement=True),
    Column("property_id", String(40), ForeignKey("properties.property_id"), nullable=False, index=True),
    Column("status", String(30), nullable=False, default="new"),
    Column("lead_department", String(40)),
    Column("opened_at", DateTime, nullable=False),
    Column("closed_at", DateTime),
    Column("version", Integer, nullable=False, default=1),  # optimistic lock for concurrent edits
    Column("updated_at", DateTime, nullable=False),
)

# One open case per property at a time, even when two people open it at once.
Index("uq_cases_open_property", cases.c.property_id, unique=True,
      sqlite_where=cases.c.status != "resolved", postgresql_where=cases.c.status != "resolved")

case_events = Table(
    "case_events",
    metadata,
    Column("event_id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.case_id", ondelete="CASCADE"), nullable=False, index=True),
    Column("meeting_id", Integer, ForeignKey("meetings.meeting_id")),
    Column("kind", String(30), nullable=False),
    Column("body", Text, nullable=False),  # JSON: the decision, action or note as recorded
    Column("author", String(120), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("version", Integer),  # the case version this event produced (events since v = version > v)
)

# What someone agreed to do about a case, and whether it was done.
case_actions = Table(
    "case_actions",
    metadata,
    Column("action_id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.case_id", ondelete="CASCADE"), nullable=False, index=True),
    Column("what", Text, nullable=False),
    Column("owner", String(120)),
    Column("department", String(40)),
    Column("due_on", Date),
    Column("done_at", DateTime),
    Column("done_by", String(120)),
    Column("meeting_id", Integer, ForeignKey("meetings.meeting_id")),  # the meeting that agreed it
    Column("created_by", String(120), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Index(None, "done_at", "due_on"),
)

# A meeting's agenda in order: built from the data, then reordered, dropped from or added to by hand.
agenda_items = Table(
    "agenda_items",
    metadata,
    Column("item_id", Integer, primary_key=True, autoincrement=True),
    Column("meeting_id", Integer, ForeignKey("meetings.meeting_id", ondelete="CASCADE"), nullable=False),
    Column("property_id", String(40), ForeignKey("properties.property_id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("section", String(20), nullable=False),  # one of AGENDA_SECTIONS
    Column("score", Float),  # the score when the agenda was built
    Column("why", Text),  # the one line that put it on the agenda
    Column("added_by_hand", Boolean, nullable=False, default=False),
    Column("dropped", Boolean, nullable=False, default=False),
    UniqueConstraint("meeting_id", "property_id"),
)

# The team's explicit list of institutional properties (police station, hospital, big-box store)
# whose records come for other reasons: damped or excluded from the hotspot list.
institutions = Table(
    "institutions",
    metadata,
    Column("property_id", String(40), ForeignKey("properties.property_id", ondelete="CASCADE"), primary_key=True),
    Column("treatment", String(10), nullable=False),  # "damp" or "exclude"
    Column("reason", Text),
    Column("added_by", String(120), nullable=False),
    Column("added_at", DateTime, nullable=False),
)

# What the pages read instead of the raw records (storage.summaries), rebuilt in the transaction
# that changes the records: per kind ("placed": a department's placed records; "requests": the CRM's
# requests), department and calendar month, the rows as one compressed Arrow column block.
record_months = Table(
    "record_months",
    metadata,
    Column("kind", String(20), primary_key=True),
    Column("department", String(40), primary_key=True),
    Column("month", Date, primary_key=True),  # its first day
    Column("rows", Integer, nullable=False),
    Column("columns", LargeBinary, nullable=False),
    Column("built_at", DateTime, nullable=False),
)

# Views the pages drew, kept so that a view drawn once is read, not scored again, by every app
# server until what it was made from changes (services.hotspots): per kind of view ("hotspots",
# "weekly", "categories") and key (a digest of everything the view depends on), the view as a
# compressed Arrow table. A cache: losing a row costs one scoring, never a figure.
kept_views = Table(
    "kept_views",
    metadata,
    Column("kind", String(40), primary_key=True),
    Column("key", String(64), primary_key=True),
    Column("payload", LargeBinary, nullable=False),
    Column("built_at", DateTime, nullable=False),
)

# CRM requests per week (its Monday), CRM category, topic and routed department: how many, how many
# closed, and the sum of their days to close (a request's kind follows from category and topic).
request_weeks = Table(
    "request_weeks",
    metadata,
    Column("week", Date, primary_key=True),
    Column("category", Text, primary_key=True),  # "" where the extract had none
    Column("topic", Text, primary_key=True),
    Column("routed_department", Text, primary_key=True),
    Column("requests", Integer, nullable=False),
    Column("closed", Integer, nullable=False),
    Column("close_days", Float, nullable=False),
)

# Residents per ward, for rates per 1,000 residents (customer-service equity). Loaded from the
# city's own table (ward, population); a ward the master names but this table lacks has no rate.
ward_populations = Table(
    "ward_populations",
    metadata,
    Column("ward", String(20), primary_key=True),
    Column("population", Integer, nullable=False),
    Column("loaded_by", String(120), nullable=False),
    Column("loaded_at", DateTime, nullable=False),
)

# Local accounts (services.accounts): the embedded default when no single sign-on is configured,
# and the role an admin assigns to a single sign-on identity.
users = Table(
    "users",
    metadata,
    Column("user_id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(120), nullable=False, unique=True),  # stored lower-case: unique case-insensitively
    Column("display_name", String(200), nullable=False),
    Column("role", String(30), nullable=False),
    Column("department", String(40)),
    Column("lead", Boolean, nullable=False, default=False),
    Column("password_hash", String(255)),  # "scrypt$n$r$p$salt$hash"; none: signs in by single sign-on only
    Column("must_change_password", Boolean, nullable=False, default=False),
    Column("password_changed_at", DateTime),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("failed_attempts", Integer, nullable=False, default=0),
    Column("locked_until", DateTime),
    Column("last_sign_in", DateTime),
    Column("created_by", String(120), nullable=False),
    Column("created_at", DateTime, nullable=False),
)

# Signed-in sessions (services.accounts), shared by every app server on the database. The browser
# holds a random token in an HttpOnly cookie; only its SHA-256 is kept here, so a copy of this
# table opens nothing. A session ends once (ended_at, end_reason) and is never reopened.
sessions = Table(
    "sessions",
    metadata,
    Column("session_id", Integer, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", Integer, ForeignKey("users.user_id"), nullable=False, index=True),
    Column("method", String(20), nullable=False),  # password | single sign-on
    Column("created_at", DateTime, nullable=False),
    Column("last_seen_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),  # the absolute limit; idle time counts from last_seen_at
    Column("ended_at", DateTime, index=True),
    Column("end_reason", String(30)),
    Column("browser", String(300)),  # the User-Agent it was started from
    Column("address", String(64)),  # the client address it was started from
)

# Early warning (services.early_warning): each retraining is a run, with the model's version, its
# training window and which ranking the page shows; its backtest one row per window and ranking;
# and today's ranked properties, so every app server reads the same stored list.
early_warning_runs = Table(
    "early_warning_runs",
    metadata,
    Column("run_id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", DateTime, nullable=False, index=True),
    Column("created_by", String(120), nullable=False),
    Column("model_version", String(120), nullable=False),
    Column("as_of", Date, nullable=False),  # the last day of records the list sees
    Column("training_first", Date),  # the first and last cut-off the model learned from
    Column("training_last", Date),
    Column("training_rows", Integer, nullable=False, default=0),
    Column("horizon_days", Integer, nullable=False),
    Column("ranking", String(10), nullable=False),  # model | score | rule: the one the page shows
    Column("candidates", Integer, nullable=False, default=0),
    Column("fairness", Text),  # JSON: per ward, the shown ranking's top-100 share against its hotspots' share
    Column("model_fairness", Text),
    Column("seconds", Float),
)

early_warning_windows = Table(
    "early_warning_windows",
    metadata,
    Column("run_id", Integer, ForeignKey("early_warning_runs.run_id", ondelete="CASCADE"), primary_key=True),
    Column("window_end", Date, primary_key=True),
    Column("ranking", String(10), primary_key=True),
    Column("candidates", Integer, nullable=False),
    Column("positives", Integer, nullable=False),
    Column("hits_25", Integer, nullable=False),
    Column("hits_100", Integer, nullable=False),
    Column("precision_25", Float, nullable=False),
    Column("precision_100", Float, nullable=False),
    Column("recall_100", Float),
    Column("auc", Float),
)

early_warning_scores = Table(
    "early_warning_scores",
    metadata,
    Column("run_id", Integer, ForeignKey("early_warning_runs.run_id", ondelete="CASCADE"), primary_key=True),
    Column("property_id", String(40), ForeignKey("properties.property_id", ondelete="CASCADE"), primary_key=True),
    Column("probability", Float),
    Column("score", Float, nullable=False),
    Column("nuisance_calls", Integer, nullable=False),
    Column("rank_model", Integer),
    Column("rank_score", Integer, nullable=False),
    Column("rank_rule", Integer, nullable=False),
    Column("reasons", Text, nullable=False),  # JSON list of lines
    Index(None, "run_id", "rank_model"),
    Index(None, "run_id", "rank_score"),
    Index(None, "run_id", "rank_rule"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("audit_id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False, index=True),
    Column("user_name", String(120), nullable=False),
    Column("action", String(40), nullable=False),
    Column("target", Text),
    Column("detail", Text),
)
