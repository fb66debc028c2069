"""Placing stored records again: after a new property master, and when analysts decide or undo.

An analyst's decision is keyed by department and normalised address string, so one decision
places every record with that string, now and in every later load.
"""

import pandas as pd
from sqlalchemy.engine import Engine

from integration.matcher import Matcher
from loaders.ingest import DECISION_STATUS, apply_decisions, plain_rows
from storage import audit_trail, department_records, property_data, review_queue, store, summaries
from storage.engine import reading, writing

DECISIONS = tuple(DECISION_STATUS)


def rematch(engine: Engine, record_ids: list[int] | None = None, matcher: Matcher | None = None) -> int:
    """Place stored records again (all, or the given ids); analysts' decisions still win."""
    with reading(engine) as conn:
        stored = department_records.records_for_rematch(conn, record_ids)
        if stored.empty:
            return 0
        if matcher is None:
            matcher = Matcher(property_data.property_master(conn))
    parts = []
    for department, part in stored.groupby("department", sort=True):
        placed = apply_decisions(engine, department, matcher.match(part.reset_index(drop=True)))
        parts.append(placed.assign(record_id=part["record_id"].to_numpy()))
    placed = pd.concat(parts, ignore_index=True)
    rows = plain_rows(placed[["record_id", "property_id", "status", "method", "score", "candidates", "normalized"]]
                      .assign(matched_at=store.now()))
    with writing(engine) as conn:
        department_records.replace_matches(conn, rows)
    return len(rows)


def decide(engine: Engine, department: str, normalized: str, decision: str, decided_by: str,
           property_id: str | None = None, note: str | None = None) -> int:
    """Record an analyst's decision for an address string and place its records; returns how many."""
    if decision not in DECISION_STATUS:
        raise ValueError(f"unknown decision '{decision}'; one of: {', '.join(DECISIONS)}")
    if (decision == "property") != bool(property_id):
        raise ValueError("a 'property' decision names exactly one property; the others name none")
    with writing(engine) as conn:
        if property_id and property_data.get_property(conn, property_id) is None:
            raise ValueError(f"there is no property with id '{property_id}'")
        review_queue.save_decision(conn, department, normalized, decision, property_id, decided_by, note)
        moved = review_queue.apply_decision(conn, department, normalized, DECISION_STATUS[decision], property_id)
        summaries.touch_records(conn, review_queue.select_record_ids(conn, department, normalized))
        audit_trail.audit(conn, decided_by, "match_decision", f"{department}: {normalized}",
                         f"{decision} {property_id or ''}".strip())
    return moved


def undo(engine: Engine, department: str, normalized: str, undone_by: str) -> int:
    """Remove the decision for an address string and let the matcher place its records again."""
    with writing(engine) as conn:
        removed = review_queue.delete_decision(conn, department, normalized)
        if removed is None:
            return 0
        ids = review_queue.select_record_ids(conn, department, normalized)
        audit_trail.audit(conn, undone_by, "match_decision_undone", f"{department}: {normalized}", removed["decision"])
    return rematch(engine, ids)
