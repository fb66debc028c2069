"""Early warning: the properties not on the hotspots list today, ranked by their chance of being on it
within 90 days, with the backtest that says how often the ranking was right before.

Entry points: `retrain` (the model trained, backtested and today's list stored: the command line and
a load call it, never a page), `latest` and `heading_for_the_list` (what the page reads: stored
scores only), `agenda_entries` (the meeting's section), `main` (python -m integration early-warning).
"""

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from integration import early_warning as model
from services import accounts
from storage import audit_trail, property_data
from storage import early_warning as store
from storage.engine import create_engine, reading, writing

MODEL_NAME = "early-warning gradient-boosted trees, revision 1"
KEEP = 500  # the first properties of each ranking stored per run


@dataclass(frozen=True)
class Latest:
    run: dict                  # the stored run: run_id, created_at, model_version, as_of, training window, ranking...
    windows: pd.DataFrame      # its backtest, one row per window and ranking
    summary: pd.DataFrame      # per ranking: median, low and high of each measure
    verdict: str               # the backtest in one plain sentence, and which list is shown

    @property
    def ranking(self) -> str:
        return self.run["ranking"]


class NoData(Exception):
    """There is nothing to learn from: no placed records, or too short a history."""


def model_version() -> str:
    import sklearn

    return f"{MODEL_NAME} (scikit-learn {sklearn.__version__})"


def retrain(engine: Engine, user: str = "system", windows: int = 8, keep: int = KEEP) -> int:
    """Read every placed record, backtest over `windows` windows, train on every cut-off whose 90
    days are over, rank today's candidates and store it all as a new run, with its audit row.
    Returns the run's id. Raises NoData when there are no placed records."""
    started = time.perf_counter()
    with reading(engine) as conn:
        records = store.placed_history(conn)
        properties = store.property_inputs(conn)
        institutions = dict(property_data.institution_treatments(conn))
    if records.empty:
        raise NoData("no records are placed on a property yet: load department extracts first")
    city = model.prepare(records, properties, institutions)
    result = model.run(city, windows=windows, top=keep)
    seconds = time.perf_counter() - started
    run_row = {
        "created_at": pd.Timestamp.now().floor("s").to_pydatetime(), "created_by": user,
        "model_version": model_version() if result.model is not None else "no model (no hotspots to learn from)",
        "as_of": result.today, "training_first": result.training_first, "training_last": result.training_last,
        "training_rows": result.model.rows if result.model is not None else 0, "horizon_days": model.HORIZON_DAYS,
        "ranking": result.ranking, "candidates": result.candidates, "seconds": round(seconds, 1),
        "fairness": _rows(result.fairness), "model_fairness": _rows(result.model_fairness),
    }
    window_rows = [
        {"window_end": row.window_end, "ranking": row.ranking, "candidates": int(row.candidates),
         "positives": int(row.positives), "hits_25": int(row.hits_25), "hits_100": int(row.hits_100),
         "precision_25": float(row.precision_25), "precision_100": float(row.precision_100),
         "recall_100": _number(row.recall_100), "auc": _number(row.auc)}
        for row in result.windows.itertuples(index=False)]
    score_rows = [
        {"property_id": row.property_id, "probability": _number(row.probability), "score": float(row.score),
         "nuisance_calls": int(row.nuisance_calls), "rank_model": _rank(row.rank_model),
         "rank_score": _rank(row.rank_score), "rank_rule": _rank(row.rank_rule), "reasons": list(row.reasons)}
        for row in result.scores.itertuples(index=False)]
    with writing(engine) as conn:
        run_id = store.save_run(conn, run_row, window_rows, score_rows)
        audit_trail.audit(conn, user, "early_warning_retrained", f"run {run_id}",
                          f"as of {result.today}, shows {result.ranking}, {len(score_rows)} properties stored")
    return run_id


def _rows(frame: pd.DataFrame) -> list[dict]:
    return [{key: (None if isinstance(value, float) and not np.isfinite(value) else
                   value.item() if hasattr(value, "item") else value) for key, value in row.items()}
            for row in frame.to_dict("records")]


def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _rank(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def latest(engine: Engine) -> Latest | None:
    """The newest stored run with its backtest; None before the first retraining."""
    with reading(engine) as conn:
        run = store.latest_run(conn)
        if run is None:
            return None
        windows = store.run_windows(conn, run["run_id"])
    return Latest(run, windows, model.summary(windows), verdict(run["ranking"], windows))


def verdict(ranking: str, windows: pd.DataFrame) -> str:
    """The backtest stated plainly, and which list the page shows because of it."""
    sentence = model.plain_backtest(windows)
    table = model.summary(windows)
    if table.empty:
        return sentence + " The list below is ranked by the current score until then."
    if ranking == "model":
        return sentence + " The model's list is shown: its top 25 was right more often than both rules of thumb."
    if "model" not in table.index:
        return sentence + (f" There was no earlier hotspot to learn from, so the list below is ranked by "
                           f"{model.RANKING_LABELS[ranking]}.")
    return sentence + (f" On this city's data the model did not beat the rules of thumb, so the list below is "
                       f"ranked by {model.RANKING_LABELS[ranking]}, the better of the two.")


def heading_for_the_list(engine: Engine, top: int = 100, ranking: str | None = None) -> pd.DataFrame:
    """The first `top` properties of the latest run by the ranking it shows (or `ranking`): rank,
    property_id, address, ward, land_use, probability, score, nuisance_calls, reasons (a list of
    lines). Stored scores only: nothing is trained or scored here."""
    with reading(engine) as conn:
        run = store.latest_run(conn)
        if run is None:
            return pd.DataFrame(columns=["rank", "property_id", "address", "ward", "land_use", "probability", "score",
                                         "nuisance_calls", "reasons"])
        return store.run_scores(conn, run["run_id"], ranking or run["ranking"], top)


def agenda_entries(engine: Engine, top: int) -> pd.DataFrame:
    """The meeting's "heading for the list" section: the first `top` properties of the latest run's
    shown ranking as property_id, address, probability (None when a baseline is shown) and reasons
    (one line, the reasons joined with "; ")."""
    listed = heading_for_the_list(engine, top)
    return pd.DataFrame({
        "property_id": listed["property_id"].astype(object),
        "address": listed["address"].astype(object),
        "probability": listed["probability"].astype(float),
        "reasons": ["; ".join(lines) for lines in listed["reasons"]],
    })


# --- command line -------------------------------------------------------------------------------



def backtest_csv(windows: pd.DataFrame, path: Path) -> None:
    """One row per backtest window: window_end, model_precision_25, score_precision_25, rule_precision_25,
    model_auc, then the other measures."""
    model.wide(windows).to_csv(path, index=False, float_format="%.4f")


def _percent(value) -> str:
    return "-" if value is None or pd.isna(value) else f"{value:.0%}"


def report(latest_run: Latest, listed: pd.DataFrame) -> str:
    """What the command prints: the run, the list, the backtest per window and in sum, the fairness flags."""
    run = latest_run.run
    lines = [f"Early warning as of {run['as_of']:%Y-%m-%d} (run {run['run_id']}, {run['model_version']})",
             f"Trained on {model.training_window_text(run['training_first'], run['training_last'])}; "
             f"{run['candidates']:,} properties not on the list today were ranked.",
             latest_run.verdict, "",
             f"{'rank':>4}  {'property':10s} {'address':32s} {'chance':>6}  reasons"]
    for row in listed.itertuples(index=False):
        lines.append(f"{row.rank:>4}  {row.property_id:10s} {str(row.address)[:32]:32s} {_percent(row.probability):>6}  "
                     + "; ".join(row.reasons))
    lines += ["", "Backtest (precision at 25 per window):",
              f"{'window_end':10s} {'model':>6} {'score':>6} {'rule':>6} {'model AUC':>9} {'became hotspots':>15}"]
    for row in model.wide(latest_run.windows).itertuples(index=False):
        positives = getattr(row, "score_positives", float("nan"))
        lines.append(f"{row.window_end!s:10s} {_percent(row.model_precision_25):>6} {_percent(row.score_precision_25):>6} "
                     f"{_percent(row.rule_precision_25):>6} {row.model_auc:>9.3f} {positives:>15,.0f}")
    table = latest_run.summary
    if not table.empty:
        lines += ["", f"{'ranking':8s} {'P@25 median (range)':>22s} {'P@100 median':>13s} {'R@100 median':>13s} "
                      f"{'AUC median':>11s}"]
        for name in table.index:
            lines.append(f"{name:8s} {_percent(table.loc[name, ('median', 'precision_25')]):>8s} "
                         f"({_percent(table.loc[name, ('low', 'precision_25')])}-"
                         f"{_percent(table.loc[name, ('high', 'precision_25')])})".ljust(32)
                         + f"{_percent(table.loc[name, ('median', 'precision_100')]):>13s} "
                         f"{_percent(table.loc[name, ('median', 'recall_100')]):>13s} "
                         f"{table.loc[name, ('median', 'auc')]:>11.3f}")
    flagged = [row for row in run["fairness"] if row.get("flag")]
    lines += ["", "Fairness (top 100 share by ward against its share of the properties that became hotspots): "
              + ("; ".join(f"ward {row['ward']} {row['flag']} ({row['ratio']:.2f}x)" if row["ratio"] is not None
                           else f"ward {row['ward']} {row['flag']}" for row in flagged) or "no ward outside 0.8-1.25")]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """python -m integration early-warning [--top 25] [--backtest 8] [--out FILE]"""
    parser = argparse.ArgumentParser(
        prog="python -m integration early-warning",
        description="Retrain the early-warning model on the database in DATABASE_URL, store today's list and "
                    "its backtest, and print them.")
    parser.add_argument("--top", type=int, default=25, help="how many properties to print (default 25)")
    parser.add_argument("--backtest", type=int, default=8, help="how many weekly backtest windows (default 8)")
    parser.add_argument("--out", type=Path, help="write the backtest, one row per window, to this CSV file")
    args = parser.parse_args(argv)
    if args.top < 1 or args.backtest < 1:
        parser.error("--top and --backtest must be at least 1")
    engine = create_engine()
    try:
        from storage import migrate

        migrate.upgrade(engine)
        retrain(engine, accounts.command_line_user(), windows=args.backtest)
        print(report(latest(engine), heading_for_the_list(engine, args.top)))
        if args.out:
            try:
                backtest_csv(latest(engine).windows, args.out)
            except OSError as error:
                print(f"error: cannot write {args.out}: {error.strerror}", file=sys.stderr)
                return 1
            print(f"\nbacktest written to {args.out}", file=sys.stderr)
    except NoData as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    return 0

