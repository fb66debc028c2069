"""What the dashboard holds and how good it is: the overview figures (`overview`), per department
and month how much found its property (`quality`), the addresses most often not placed
(`frequent_unplaced`), and which department's extract is overdue (`freshness`).

`data_version` identifies what is loaded, for caches.

The stale-source rule: a department is stale when it was never loaded, or when its last load is
older than its extract's cadence (`cadence_days` in loaders/departments.toml).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy.engine import Engine

from loaders.specs import spec
from storage import data_quality, property_data
from storage.engine import reading
from vocabulary import DEPARTMENT_LABELS


@dataclass(frozen=True)
class Freshness:
    department: str
    cadence_days: int
    last_load: pd.Timestamp | None
    days: int | None  # whole days since the last load
    stale: bool


def data_version(engine: Engine) -> tuple[str, int, int]:
    """Changes whenever an ingest finishes or an analyst stores a decision."""
    with reading(engine) as conn:
        return data_quality.data_version(conn)


def overview(engine: Engine) -> tuple[pd.DataFrame, int]:
    """Per department: records, first and last date, records per match status, share matched and
    last load; and the number of properties in the master."""
    with reading(engine) as conn:
        return data_quality.overview(conn), property_data.count_properties(conn)


def quality(engine: Engine) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Records per department, month and match status; rejects per department and kind."""
    with reading(engine) as conn:
        return data_quality.status_by_month(conn), data_quality.rejects_by_kind(conn)


def frequent_unplaced(engine: Engine, department: str | None) -> pd.DataFrame:
    """The address strings most often left unmatched or for review."""
    with reading(engine) as conn:
        return data_quality.frequent_unplaced(conn, department)


def stale_rule(department: str, last_load, now: datetime) -> Freshness:
    """One department's freshness, from its last load (None when never loaded) at `now`."""
    cadence = spec(department).cadence_days
    if last_load is None or pd.isna(last_load):
        return Freshness(department, cadence, None, None, True)
    age = now - pd.Timestamp(last_load).to_pydatetime()
    return Freshness(department, cadence, pd.Timestamp(last_load), age.days, age > timedelta(days=cadence))


def freshness(engine: Engine, now: datetime | None = None, departments: pd.DataFrame | None = None) -> dict[str, Freshness]:
    """Every department's freshness at `now` (default: the present), in the vocabulary's order;
    `departments` is overview(engine)[0], read when not given."""
    now = now or datetime.now()
    if departments is None:
        departments = overview(engine)[0]
    last_loads = departments.set_index("department")["last_load"] if not departments.empty else pd.Series(dtype=object)
    return {department: stale_rule(department, last_loads.get(department), now) for department in DEPARTMENT_LABELS}
