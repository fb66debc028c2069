"""Early warning: what a retraining reads (every placed record with its close, the master's land use,
ward, location and size) and what it stores (the run, its backtest, today's ranked properties), and
the reads of the latest run the page, the meeting and the command line share.

Entry points (each takes a connection first): placed_history, property_inputs, save_run, latest_run,
run_windows, run_scores.
"""

import json
from collections.abc import Sequence

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from storage.schema import (
    early_warning_runs,
    early_warning_scores,
    early_warning_windows,
    matches,
    properties,
    property_addresses,
    records,
)
from storage.store import insert_many, read_frame

KEEP_SCORES_OF_RUNS = 3  # older runs keep their backtest, not their list
RANK_COLUMNS = {"model": "rank_model", "score": "rank_score", "rule": "rank_rule"}


def placed_history(conn: Connection) -> pd.DataFrame:
    """Every record placed on a property: property_id, department, category, subcategory, occurred_at,
    closed_at (timestamps parsed, text columns as categories)."""
    query = (
        sa.select(matches.c.property_id, records.c.department, records.c.category, records.c.subcategory,
                  sa.cast(records.c.occurred_at, sa.String).label("occurred_at"),
                  sa.cast(records.c.closed_at, sa.String).label("closed_at"))
        .join(matches, matches.c.record_id == records.c.record_id)
        .where(matches.c.status == "matched")
        .order_by(records.c.record_id)  # the same order on every engine: the same model from the same records
    )
    result = conn.execute(query)
    columns = ["property_id", "department", "category", "subcategory", "occurred_at", "closed_at"]
    frame = pd.DataFrame(result.cursor.fetchall(), columns=columns, dtype=object)
    for column in columns[:4]:
        codes, values = pd.factorize(frame[column].to_numpy())
        frame[column] = pd.Categorical.from_codes(codes, values, validate=False)
    for column in columns[4:]:
        frame[column] = pd.to_datetime(frame[column], format="ISO8601")
    return frame


def property_inputs(conn: Connection) -> pd.DataFrame:
    """property_id, land_use, ward, lat, lon and how many addresses each property has."""
    counted = (sa.select(property_addresses.c.property_id, sa.func.count().label("addresses"))
               .group_by(property_addresses.c.property_id).subquery())
    query = (sa.select(properties.c.property_id, properties.c.land_use, properties.c.ward, properties.c.lat,
                       properties.c.lon, sa.func.coalesce(counted.c.addresses, 1).label("addresses"))
             .outerjoin(counted, counted.c.property_id == properties.c.property_id)
             .order_by(properties.c.property_id))
    return read_frame(conn, query)


def save_run(conn: Connection, run: dict, windows: Sequence[dict], scores: Sequence[dict]) -> int:
    """Store a run, its backtest windows and its ranked properties; keep the lists of the latest
    KEEP_SCORES_OF_RUNS runs only. Returns the run's id."""
    run = {**run, "fairness": json.dumps(run.get("fairness") or []),
           "model_fairness": json.dumps(run.get("model_fairness") or [])}
    run_id = conn.execute(early_warning_runs.insert().values(**run)).inserted_primary_key[0]
    insert_many(conn, early_warning_windows, [{**row, "run_id": run_id} for row in windows])
    insert_many(conn, early_warning_scores, [{**row, "run_id": run_id, "reasons": json.dumps(list(row["reasons"]))}
                                             for row in scores])
    kept = (sa.select(early_warning_runs.c.run_id).order_by(early_warning_runs.c.run_id.desc())
            .limit(KEEP_SCORES_OF_RUNS).scalar_subquery())
    conn.execute(early_warning_scores.delete().where(early_warning_scores.c.run_id.not_in(kept)))
    return run_id


def latest_run(conn: Connection) -> dict | None:
    """The newest run, its fairness tables as lists of rows; None before the first."""
    row = conn.execute(sa.select(early_warning_runs).order_by(early_warning_runs.c.run_id.desc()).limit(1)
                       ).mappings().first()
    if row is None:
        return None
    found = dict(row)
    found["fairness"] = json.loads(found["fairness"] or "[]")
    found["model_fairness"] = json.loads(found["model_fairness"] or "[]")
    return found


def run_windows(conn: Connection, run_id: int) -> pd.DataFrame:
    """The run's backtest: one row per window and ranking."""
    query = (sa.select(early_warning_windows).where(early_warning_windows.c.run_id == run_id)
             .order_by(early_warning_windows.c.window_end, early_warning_windows.c.ranking))
    return read_frame(conn, query)


def run_scores(conn: Connection, run_id: int, ranking: str, limit: int) -> pd.DataFrame:
    """The first `limit` properties of the run by `ranking` (model | score | rule), with address and ward;
    reasons as lists of lines."""
    rank = early_warning_scores.c[RANK_COLUMNS[ranking]]
    query = (sa.select(rank.label("rank"), early_warning_scores.c.property_id, properties.c.address,
                       properties.c.ward, properties.c.land_use, early_warning_scores.c.probability,
                       early_warning_scores.c.score, early_warning_scores.c.nuisance_calls,
                       early_warning_scores.c.reasons)
             .join(properties, properties.c.property_id == early_warning_scores.c.property_id)
             .where(early_warning_scores.c.run_id == run_id, rank.is_not(None), rank <= limit)
             .order_by(rank))
    frame = read_frame(conn, query)
    frame["reasons"] = [json.loads(text) for text in frame["reasons"]]
    return frame
