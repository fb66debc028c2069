"""Customer service: the CRM requests and the figures beside them, as a viewer may read them.

Entry points: `requests(engine, viewer)`, `ward_populations(engine)`, `other_evidence(engine, start, end)`.
"""

from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy.engine import Engine

from integration import access, service
from storage import department_records, property_data
from storage.engine import reading

STAFF_FIELDS = ("handled_by", "team")  # who handled a request: figures per person, for some roles only


def requests(engine: Engine, viewer: access.User | None) -> pd.DataFrame:
    """Every CRM request, prepared (kind, days to close, age of the open ones at the last request), with
    the sensitive fields and, for a viewer without "view_staff_workload", the staff member and team
    blanked as not recorded."""
    with reading(engine) as conn:
        first, last = department_records.record_date_range(conn)
        if last is None:
            return service.prepare(_no_requests(), datetime.now())
        frame = department_records.service_requests(conn, pd.Timestamp(first).to_pydatetime() - timedelta(days=1),
                                                    pd.Timestamp(last).to_pydatetime(), kept=service.OPTIONAL_FIELDS)
    as_of = frame["created"].max() if len(frame) else pd.Timestamp(last)
    prepared = service.prepare(access.redact(frame, viewer, "crm"), as_of, copy=False)  # redact made a copy
    if not access.can(viewer, "view_staff_workload"):
        prepared = prepared.assign(**{name: service.NOT_RECORDED for name in STAFF_FIELDS if name in prepared})
    return prepared


def _no_requests() -> pd.DataFrame:
    columns = ["request_id", "created", "closed", "status", "category", "topic", "property_id", "ward"]
    frame = pd.DataFrame(columns=columns)
    frame[["created", "closed"]] = frame[["created", "closed"]].astype("datetime64[us]")
    return frame


def ward_populations(engine: Engine) -> pd.DataFrame:
    """Residents per ward, as last loaded (empty when none are)."""
    with reading(engine) as conn:
        return property_data.ward_population_table(conn)


def other_evidence(engine: Engine, start: datetime, end: datetime) -> pd.DataFrame:
    """Police and fire records per ward in the period, beside which the requests are read."""
    with reading(engine) as conn:
        return department_records.records_per_ward(conn, start, end)
