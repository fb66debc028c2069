"""Hotspots: the properties where several departments' records overlap, scored for a window and its
filters, what is new since the last meeting, the weekly overlap, and the team's institution list.

Entry points: `hotspots`, `weekly`, `set_institution`, `remove_institution`; the reads the page's
filters need (`date_range`, `wards`, `listed_institutions`, `last_meeting_before`, `placed_window`).
A caller that caches may pass what it read (`placed`, `damped`) to the scoring; every input that
changes what is scored is an argument, so a cache keyed by the arguments is never stale.

The page reads its views through `flagged`, `weekly_view` and `categories`: each is kept in the
database (storage.kept_views) under a digest of everything it depends on (the data version, the
filters, the institution list, the last meeting, the scoring rules and the code that draws it), so
a view scored once is read by every app server until one of those changes. `keep_default_view`
draws the default view after a load, so the first person to open the page after one does not wait
for the scoring.
"""

import hashlib
import json
import time as clock
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from integration import scoring
from storage import audit_trail, casework, data_quality, department_records, kept_views, property_data, summaries
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


# --- views kept in the database ------------------------------------------------------------------

Window = Callable[[int], pd.DataFrame]  # placed_window(engine, end, span) of a span of days, maybe cached


def category_span(config: scoring.ScoringConfig | None = None) -> int:
    """The span the category filter lists the categories of: the default view's read."""
    return rounded(7 * WEEKS + (config or scoring.load_config()).window_days)


@cache
def _code() -> str:
    """The source of what draws a kept view: a new release of it is a new key."""
    sources = [scoring.__file__, __file__, property_data.__file__, summaries.__file__, kept_views.__file__]
    return hashlib.sha256(b"".join(Path(path).read_bytes() for path in sources)).hexdigest()


def _rules() -> dict:
    return {name: sorted(value) if isinstance(value, frozenset) else value
            for name, value in asdict(scoring.load_config()).items()}


def _key(kind: str, version: tuple, **inputs) -> str:
    """The digest of everything a view of `kind` depends on."""
    text = json.dumps({"kind": kind, "code": _code(), "rules": _rules(), "version": list(version), **inputs},
                      default=str, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def data_version(engine: Engine) -> tuple:
    """What a view of the records is made from: changes with every load, decision and rebuild."""
    with reading(engine) as conn:
        return data_quality.data_version(conn)


def _kept(engine: Engine, kind: str, key: str, draw: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """The view kept under `key`; else drawn, kept, and returned. Keeping is skipped, not waited
    for, while a load holds the embedded database, or when another server keeps the same view."""
    with reading(engine) as conn:
        kept = kept_views.read(conn, kind, key)
    if kept is not None:
        return kept
    frame = draw()
    try:
        with writing(engine, wait=False) as conn:
            kept_views.write(conn, kind, key, frame)
    except (sa.exc.OperationalError, sa.exc.IntegrityError):
        pass
    return frame


def _window(engine: Engine, end: date, window: Window | None) -> Window:
    return window or (lambda span: placed_window(engine, end, span))


def flagged(engine: Engine, filters: Filters, institutions: Mapping[str, str] | None = None,
            last_meeting=READ, *, version: tuple | None = None, window: Window | None = None) -> pd.DataFrame:
    """The flagged properties of the view, as `hotspots` lists them (with their facts, and `attrs`),
    from the view kept for these inputs, or scored and kept. A caller passing `window` (read only
    when the view is not kept) passes the data `version` it reads at."""
    version = version or data_version(engine)  # read before the records: a load after it is a new key
    if last_meeting is READ:
        last_meeting = last_meeting_before(engine, filters.end)
    listed = dict(listed_institutions(engine) if institutions is None else institutions)
    key = _key("hotspots", version, filters=asdict(filters), institutions=sorted(listed.items()),
               last_meeting=last_meeting)

    def draw() -> pd.DataFrame:
        placed = _window(engine, filters.end, window)(span_days(filters, last_meeting))
        scored = hotspots(engine, filters, listed, last_meeting, placed=placed)
        return scored[scored["flagged"].to_numpy()]

    return _kept(engine, "hotspots", key, draw)


def weekly_view(engine: Engine, filters: Filters, last_meeting=READ, *, version: tuple | None = None,
                window: Window | None = None) -> pd.DataFrame:
    """`weekly`, from the view kept for these filters and data, or drawn and kept."""
    version = version or data_version(engine)
    key = _key("weekly", version, filters=asdict(replace(filters, wards=())))

    def draw() -> pd.DataFrame:
        since = last_meeting_before(engine, filters.end) if last_meeting is READ else last_meeting
        return weekly(engine, filters, placed=_window(engine, filters.end, window)(span_days(filters, since)))

    return _kept(engine, "weekly", key, draw)


def categories(engine: Engine, last_day: date, *, version: tuple | None = None,
               window: Window | None = None) -> list[str]:
    """The categories with records in the `category_span` days to `last_day`: what the filters offer."""
    version = version or data_version(engine)
    span = category_span()

    def draw() -> pd.DataFrame:
        placed = _window(engine, last_day, window)(span)
        return pd.DataFrame({"category": sorted(c for c in placed["category"].dropna().unique() if c)}, dtype=object)

    return _kept(engine, "categories", _key("categories", version, end=last_day, span=span), draw)["category"].tolist()


def keep_default_view(engine: Engine) -> str | None:
    """Draw and keep the default view of the last day loaded (its list, weekly chart and categories),
    as the page first opens: after a load, so that no one waits for it. What was kept, or None when
    nothing is loaded."""
    started = clock.perf_counter()
    last_day = date_range(engine)[1]
    if last_day is None:
        return None
    version = data_version(engine)
    filters = default_filters(last_day)
    window = cache(lambda span: placed_window(engine, last_day, span))
    categories(engine, last_day, version=version, window=window)
    listed = flagged(engine, filters, version=version, window=window)
    weekly_view(engine, filters, version=version, window=window)
    return (f"Kept the hotspots page's default view of {last_day:%Y-%m-%d} ({len(listed):,} flagged) in "
            f"{clock.perf_counter() - started:.1f} s.")
