"""Cross-department risk score per property, with the reasons behind every score.

`score(records, end)` scores every property with records in the window ending at `end`:
each record weighs its category's severity, halves with age, and counts less for each further
record of the same department; the departments' sums are raised for overlap; the police
chronic-nuisance rule adds a flag and points; institutional properties are damped or excluded.
All weights live in integration/scoring.toml.
"""

import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

CONFIG_FILE = Path(__file__).resolve().parent / "scoring.toml"
DEPARTMENT_NAMES = {"police": "Police", "fire": "Fire", "public_works": "Public Works", "crm": "Customer Service"}
RECORD_COLUMNS = ["property_id", "department", "category", "subcategory", "occurred_at"]


@dataclass(frozen=True)
class ScoringConfig:
    window_days: int
    min_departments: int
    half_life_days: float
    repeat_factor: float
    overlap_bonus: float
    rising_ratio: float
    rising_min_delta: float
    nuisance_min_calls: int
    nuisance_days: int
    nuisance_bonus: float
    nuisance_pattern: str
    institutional_treatment: str
    institutional_factor: float
    institutional_land_uses: frozenset[str]
    severity: dict[str, tuple[float, tuple[tuple[str, float], ...]]] = field(default_factory=dict)


@cache
def load_config(path: Path = CONFIG_FILE) -> ScoringConfig:
    """The scoring rules, read once."""
    with Path(path).open("rb") as handle:
        raw = tomllib.load(handle)
    institutional = raw["institutional"]
    if institutional["treatment"] not in ("damp", "exclude"):
        raise ValueError(f"{path}: institutional.treatment must be 'damp' or 'exclude'")
    return ScoringConfig(
        window_days=int(raw["window"]["days"]),
        min_departments=int(raw["window"]["min_departments"]),
        half_life_days=float(raw["score"]["half_life_days"]),
        repeat_factor=float(raw["score"]["repeat_factor"]),
        overlap_bonus=float(raw["score"]["overlap_bonus"]),
        rising_ratio=float(raw["score"]["rising_ratio"]),
        rising_min_delta=float(raw["score"]["rising_min_delta"]),
        nuisance_min_calls=int(raw["nuisance"]["min_calls"]),
        nuisance_days=int(raw["nuisance"]["days"]),
        nuisance_bonus=float(raw["nuisance"]["bonus"]),
        nuisance_pattern="|".join(raw["nuisance"]["call_types"]),
        institutional_treatment=institutional["treatment"],
        institutional_factor=float(institutional["factor"]),
        institutional_land_uses=frozenset(u.upper() for u in institutional["land_uses"]),
        severity={
            department: (float(rules["default"]), tuple((pattern, float(weight)) for pattern, weight in rules["rules"]))
            for department, rules in raw["severity"].items()
        },
    )


def _text(records: pd.DataFrame) -> pd.Series:
    """What severity patterns are matched against: the NFIRS code first for fire, then the category."""
    category = records["category"].fillna("").astype(str)
    subcategory = records["subcategory"].fillna("").astype(str)
    return (subcategory + " " + category).str.strip().str.upper()


def severity(records: pd.DataFrame, config: ScoringConfig | None = None) -> pd.Series:
    """The severity weight of each record: the first rule of its department whose pattern matches.

    Patterns run once per distinct (department, category) text, not once per record.
    """
    config = config or load_config()
    keys = records["department"].astype(str) + "\x1f" + _text(records)
    codes, distinct = pd.factorize(keys)
    weights = np.array([_weight(key, config) for key in distinct], dtype=float)
    return pd.Series(weights[codes] if len(codes) else [], index=records.index, dtype=float)


def _weight(key: str, config: ScoringConfig) -> float:
    department, text = key.split("\x1f", 1)
    default, rules = config.severity.get(department, (1.0, ()))
    for pattern, weight in rules:
        if re.search(pattern, text, flags=re.IGNORECASE):
            return weight
    return default


def contributions(records: pd.DataFrame, end: datetime, days: int | None = None,
                  config: ScoringConfig | None = None) -> pd.DataFrame:
    """The records of the window (end - days, end] with what each adds to its property's score."""
    config = config or load_config()
    days = days or config.window_days
    end = pd.Timestamp(end)
    in_window = records[(records["occurred_at"] > end - timedelta(days=days)) & (records["occurred_at"] <= end)
                        & records["property_id"].notna()].copy()
    in_window["severity"] = severity(in_window, config)
    age_days = (end - in_window["occurred_at"]).dt.total_seconds() / 86_400
    in_window["weight"] = in_window["severity"] * 0.5 ** (age_days / config.half_life_days)
    in_window = in_window.sort_values(["property_id", "department", "weight"], ascending=[True, True, False])
    in_window["repeat"] = in_window.groupby(["property_id", "department"]).cumcount()
    in_window["contribution"] = in_window["weight"] * config.repeat_factor ** in_window["repeat"]
    categories, distinct = pd.factorize(in_window["category"].fillna("").astype(str))
    nuisance_type = np.array([bool(re.search(config.nuisance_pattern, c, flags=re.IGNORECASE)) for c in distinct],
                             dtype=bool)
    in_window["nuisance"] = ((in_window["department"] == "police").to_numpy()
                             & (nuisance_type[categories] if len(categories) else np.zeros(0, dtype=bool))
                             & (in_window["occurred_at"] > end - timedelta(days=config.nuisance_days)).to_numpy())
    return in_window


def score(records: pd.DataFrame, end: datetime, days: int | None = None, properties: pd.DataFrame | None = None,
          institutions: dict[str, str] | None = None, config: ScoringConfig | None = None,
          explain: bool | str = True) -> pd.DataFrame:
    """One row per property with records in the window, highest score first.

    records: property_id, department, category, subcategory, occurred_at (placed records).
    properties: property_id and land_use (for institutional damping), optional.
    institutions: property_id -> "damp" | "exclude", the explicit list kept by the team.
    Columns: score, departments, n_departments, records, count_<department>, nuisance_calls,
    chronic_nuisance, institutional, flagged, and (with explain) reasons: for every property, or
    with explain="flagged" for the flagged ones only (the others get an empty list).
    """
    config = config or load_config()
    days = days or config.window_days
    placed = contributions(records, end, days, config)
    if placed.empty:
        return _empty_scores()
    per_department = placed.groupby(["property_id", "department"], sort=True).agg(
        points=("contribution", "sum"), records=("contribution", "size"))
    counts = per_department["records"].unstack(fill_value=0)
    points = per_department["points"].unstack(fill_value=0.0)
    frame = pd.DataFrame(index=counts.index)
    for department in DEPARTMENT_NAMES:
        frame[f"count_{department}"] = counts[department] if department in counts else 0
    frame["records"] = counts.sum(axis=1)
    frame["n_departments"] = (counts > 0).sum(axis=1)
    # which departments, as a bit mask per property mapped to its tuple (16 combinations at most)
    mask = sum((frame[f"count_{d}"].to_numpy() > 0).astype(int) << bit for bit, d in enumerate(DEPARTMENT_NAMES))
    combinations = {m: tuple(d for bit, d in enumerate(DEPARTMENT_NAMES) if m >> bit & 1) for m in np.unique(mask)}
    frame["departments"] = pd.Series(mask, index=frame.index).map(combinations)
    frame["nuisance_calls"] = placed.groupby("property_id")["nuisance"].sum().reindex(frame.index, fill_value=0)
    frame["chronic_nuisance"] = frame["nuisance_calls"] >= config.nuisance_min_calls
    overlap = 1 + config.overlap_bonus * (frame["n_departments"] - 1)
    raw = points.sum(axis=1) * overlap + config.nuisance_bonus * frame["chronic_nuisance"]

    frame["institutional"] = _institutional(frame.index, properties, institutions, config)
    factor = np.where(frame["institutional"] == "damp", config.institutional_factor, 1.0)
    frame["score"] = (raw * factor).round(2)
    excluded = frame["institutional"] == "exclude"
    frame["flagged"] = (frame["n_departments"] >= config.min_departments) & ~excluded
    if explain:
        explained = frame[frame["flagged"]] if explain == "flagged" else frame
        reasons = dict(zip(explained.index, _reasons(explained, placed[placed["property_id"].isin(explained.index)],
                                                     days, config)))
        frame["reasons"] = [reasons.get(pid, []) for pid in frame.index]
    frame = frame.sort_values(["score", "n_departments"], ascending=False)
    frame.index.name = "property_id"
    return frame


def score_with_trend(records: pd.DataFrame, end: datetime, days: int | None = None, **options) -> pd.DataFrame:
    """score() of this window, beside the previous window of the same length."""
    config = options.get("config") or load_config()
    days = days or config.window_days
    now = score(records, end, days, **options)
    before = score(records, pd.Timestamp(end) - timedelta(days=days), days, **{**options, "explain": False})
    now["previous_score"] = before["score"].reindex(now.index).fillna(0.0)
    now["previous_flagged"] = before["flagged"].reindex(now.index).fillna(False).astype(bool)
    now["delta"] = (now["score"] - now["previous_score"]).round(2)
    now["rising"] = (now["score"] >= now["previous_score"] * config.rising_ratio) & (now["delta"] >= config.rising_min_delta)
    return now


def _institutional(index: pd.Index, properties: pd.DataFrame | None, institutions: dict[str, str] | None,
                   config: ScoringConfig) -> pd.Series:
    treatment = pd.Series(None, index=index, dtype=object)
    if properties is not None and "land_use" in properties:
        land_use = properties.set_index("property_id")["land_use"].reindex(index).fillna("").astype(str).str.upper()
        treatment[land_use.isin(config.institutional_land_uses).to_numpy()] = config.institutional_treatment
    for property_id, how in (institutions or {}).items():
        if property_id in treatment.index:
            treatment[property_id] = how
    return treatment


def _reasons(frame: pd.DataFrame, placed: pd.DataFrame, days: int, config: ScoringConfig) -> list[list[str]]:
    top = (placed.groupby(["property_id", "department", "category"], sort=False)["contribution"]
           .agg(["sum", "size"]).reset_index().sort_values("sum", ascending=False))
    by_property: dict[str, list[tuple[str, str, int]]] = {}
    for pid, department, category, _points, n in top.itertuples(index=False):
        by_property.setdefault(pid, []).append((department, category, n))
    reasons = []
    for pid, row in zip(frame.index, frame.itertuples()):
        lines = []
        named = ", ".join(f"{DEPARTMENT_NAMES[d]} {getattr(row, f'count_{d}')}" for d in row.departments)
        if row.n_departments >= config.min_departments:
            lines.append(f"{row.n_departments} departments in {days} days: {named}")
        else:
            lines.append(f"Only {named} in {days} days: not flagged (needs {config.min_departments} departments)")
        strongest = [f"{category} ({DEPARTMENT_NAMES[d]}{f', {n}×' if n > 1 else ''})"
                     for d, category, n in by_property.get(pid, [])[:3]]
        if strongest:
            lines.append("Weighs most: " + "; ".join(strongest))
        if row.chronic_nuisance:
            lines.append(f"Chronic nuisance: {row.nuisance_calls} nuisance-type police calls in {config.nuisance_days} "
                         f"days (rule: {config.nuisance_min_calls})")
        if row.institutional == "damp":
            lines.append(f"Institutional: score damped ×{config.institutional_factor:g}")
        elif row.institutional == "exclude":
            lines.append("Institutional: excluded from the list")
        reasons.append(lines)
    return reasons


def _empty_scores() -> pd.DataFrame:
    columns = ["score", "departments", "n_departments", "records", *[f"count_{d}" for d in DEPARTMENT_NAMES],
               "nuisance_calls", "chronic_nuisance", "institutional", "flagged", "reasons"]
    frame = pd.DataFrame(columns=columns)
    frame.index.name = "property_id"
    return frame


def weekly_overlap(records: pd.DataFrame, end: datetime, weeks: int = 26, days: int | None = None,
                   min_departments: int | None = None, config: ScoringConfig | None = None) -> pd.DataFrame:
    """For each of the last `weeks` week ends: how many properties had records from at least
    `min_departments` departments in the window of `days` before it. Columns: week_end, properties."""
    config = config or load_config()
    days = days or config.window_days
    min_departments = min_departments or config.min_departments
    end = pd.Timestamp(end)
    located = records[records["property_id"].notna()].sort_values("occurred_at", kind="stable")
    properties, _ = pd.factorize(located["property_id"])
    departments, _ = pd.factorize(located["department"])
    width = int(departments.max()) + 1 if len(departments) else 1
    pairs = properties.astype(np.int64) * width + departments  # one integer per (property, department)
    moments = located["occurred_at"].to_numpy()
    rows = []
    for back in range(weeks - 1, -1, -1):
        week_end = end - timedelta(weeks=back)
        low = np.searchsorted(moments, np.datetime64(week_end - timedelta(days=days)), side="right")
        high = np.searchsorted(moments, np.datetime64(week_end), side="right")
        present = np.unique(pairs[low:high]) // width
        counts = np.bincount(present) if len(present) else np.zeros(0, dtype=int)
        rows.append({"week_end": week_end.normalize(), "properties": int((counts >= min_departments).sum())})
    return pd.DataFrame(rows)


def department_mix(scored: pd.DataFrame) -> pd.DataFrame:
    """How many flagged properties each department has records at: department, properties."""
    flagged = scored[scored["flagged"]]
    return pd.DataFrame(
        [{"department": DEPARTMENT_NAMES[d], "properties": int((flagged[f"count_{d}"] > 0).sum())}
         for d in DEPARTMENT_NAMES]
    )
