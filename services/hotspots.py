"""Hotspots: the properties where several departments' records overlap, scored for a window and its
filters, what is new since the last meeting, the weekly overlap, and the team's institution list.

Entry points: `hotspots`, `weekly`, `set_institution`, `remove_institution`; the reads the page's
filters need (`date_range`, `wards`, `listed_institutions`, `last_meeting_before`, `placed_window`).
A caller that caches may pass what it read (`placed`, `damped`) to the scoring; every input that
changes what is scored is an argument, so a cache keyed by the arguments is never stale.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from integration import scoring
from storage import audit_trail, casework, department_records, property_data
from storage.engine import reading, writing
from vocabulary import DEPARTMENT_LABELS, TREATMENTS

WEEKS = 26  # the weekly chart's span
SPAN_STEP = 91  # reads are rounded up to whole quarters, so views of nearby lengths share one read
READ = object()  # "read it from the database": the default of an input a cached caller passes


@dataclass(frozen=True)
class Filters:
    end: date
    days: int
    departments: tuple[str, ...]
    min_departments: int
    categories: tuple[str, ...]
    wards: tuple[str, ...]

    def as_text(self) -> dict[str, object]:
        """The filters as written into exports."""
        return {
            "window": f"{self.days} days to {self.end:%Y-%m-%d}",
            "departments": [DEPARTMENT_LABELS[d] for d in self.departments],
            "minimum departments": self.min_departments,
            "categories": list(self.categories) or "all",
            "wards": list(self.wards) or "all",
        }


def default_filters(end: date) -> Filters:
    """The list as the scoring rules define it by default (every department, category and ward),
    for the window ending at `end`."""
    config = scoring.load_config()
    return Filters(end=end, days=config.window_days, departments=tuple(DEPARTMENT_LABELS),
                   min_departments=config.min_departments, categories=(), wards=())


def window_end(day: date) -> datetime:
    return datetime.combine(day, time.max).replace(microsecond=0)


def date_range(engine: Engine) -> tuple[date | None, date | None]:
    """The days of the first and the last record loaded."""
    with reading(engine) as conn:
        first, last = department_records.record_date_range(conn)
    return (pd.Timestamp(first).date() if first else None, pd.Timestamp(last).date() if last else None)


def wards(engine: Engine) -> list[str]:
    with reading(engine) as conn:
        return property_data.wards(conn)


def last_meeting_before(engine: Engine, day: date) -> date | None:
    """The day of the latest meeting held before `day`: what "new" is measured against."""
    with reading(engine) as conn:
        return casework.last_meeting_before(conn, day)


def listed_institutions(engine: Engine) -> tuple[tuple[str, str], ...]:
    """The explicit institution list as (property_id, treatment) pairs: the scoring's input."""
    with reading(engine) as conn:
        return tuple(property_data.institution_treatments(conn))


def institution_list(engine: Engine) -> pd.DataFrame:
    """The explicit institution list with each property's address, treatment and who added it."""
    with reading(engine) as conn:
        return property_data.institution_list(conn)


def set_institution(engine: Engine, property_id: str, treatment: str, reason: str | None, user: str) -> bool:
    """Put a property on the institution list (or change its treatment); False when there is no such property."""
    if treatment not in TREATMENTS:
        raise ValueError(f"treatment is one of: {', '.join(TREATMENTS)}")
    property_id = property_id.strip()
    with writing(engine) as conn:
        if property_data.get_property(conn, property_id) is None:
            return False
        property_data.set_institution(conn, property_id, treatment, reason or None, user)
        audit_trail.audit(conn, user, "institution_set", property_id, treatment)
    return True


def remove_institution(engine: Engine, property_id: str, user: str) -> bool:
    """Take a property off the institution list; False when there is no such property."""
    property_id = property_id.strip()
    with writing(engine) as conn:
        if property_data.get_property(conn, property_id) is None:
            return False
        property_data.remove_institution(conn, property_id)
        audit_trail.audit(conn, user, "institution_removed", property_id)
    return True


def placed_window(engine: Engine, end: date, span_days: int) -> pd.DataFrame:
    """Placed records of the `span_days` up to the end of `end` (from the monthly blocks kept at load time)."""
    last = window_end(end)
    with reading(engine) as conn:
        return department_records.placed_records(conn, last - timedelta(days=span_days), last)


def damped_land_uses(engine: Engine) -> pd.DataFrame:
    """The properties whose land use is damped as institutional."""
    with reading(engine) as conn:
        return property_data.land_uses(conn, sorted(scoring.load_config().institutional_land_uses))


def rounded(days: int) -> int:
    return -(-days // SPAN_STEP) * SPAN_STEP


def span_days(filters: Filters, since: date | None) -> int:
    """Days of records a view needs: its window and the one before (the trend), the weekly
    chart's weeks, and the window before the last meeting (new since then)."""
    span = max(2 * filters.days, 7 * WEEKS + filters.days)
    if since is not None:
        span = max(span, (filters.end - since).days + filters.days + 1)
    return rounded(span)


def _chosen(placed: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    keep = placed["department"].isin(filters.departments)
    if filters.categories:
        keep &= placed["category"].isin(filters.categories)
    return placed if keep.all() else placed[keep]  # the default view: every record, not a copy of them


def hotspots(engine: Engine, filters: Filters, institutions: Mapping[str, str] | None = None,
             last_meeting=READ, *, placed: pd.DataFrame | None = None,
             damped: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every property with records in the window, scored (reasons for the flagged ones), with the
    facts of the flagged ones and whether each is new since the last meeting before the window's end.

    `institutions` (property_id -> treatment), `last_meeting`, `placed` (placed_window(...) of at
    least span_days(filters, last_meeting)) and `damped` are read when not given.
    """
    if last_meeting is READ:
        last_meeting = last_meeting_before(engine, filters.end)
    listed = dict(listed_institutions(engine) if institutions is None else institutions)
    if placed is None:
        placed = placed_window(engine, filters.end, span_days(filters, last_meeting))
    if damped is None:
        damped = damped_land_uses(engine)
    config = scoring.load_config()
    if filters.min_departments != config.min_departments:
        config = replace(config, min_departments=filters.min_departments)
    scored = scoring.score_with_trend(_chosen(placed, filters), window_end(filters.end), filters.days,
                                      since=window_end(last_meeting) if last_meeting else None, properties=damped,
                                      institutions=listed, config=config, explain="flagged")
    flagged = np.flatnonzero(scored["flagged"].to_numpy())
    ids = scored.index.to_numpy()[flagged]
    with reading(engine) as conn:
        facts = property_data.property_facts(conn, ids.tolist()).drop_duplicates("property_id").set_index("property_id")
    # the facts of the flagged, by position: the others (most of a county's) get none, without a join on every id
    where = np.full(len(scored), -1)
    where[flagged] = facts.index.get_indexer(ids)
    scored = scored.assign(**{name: pd.Series(facts[name].array.take(where, allow_fill=True), index=scored.index)
                              for name in facts.columns})
    if filters.wards:
        scored = scored[scored["ward"].astype(str).isin(filters.wards)]
    scored.attrs["compared_with"] = f"the meeting of {last_meeting:%B %-d, %Y}" if last_meeting else "the previous window"
    return scored


def weekly(engine: Engine, filters: Filters, last_meeting=READ, *,
           placed: pd.DataFrame | None = None) -> pd.DataFrame:
    """Week by week over the last WEEKS weeks: the properties with records from at least the
    filters' minimum of departments in the window to the week's end."""
    if placed is None:
        if last_meeting is READ:
            last_meeting = last_meeting_before(engine, filters.end)
        placed = placed_window(engine, filters.end, span_days(filters, last_meeting))
    return scoring.weekly_overlap(_chosen(placed, filters), window_end(filters.end), weeks=WEEKS, days=filters.days,
                                  min_departments=filters.min_departments)
