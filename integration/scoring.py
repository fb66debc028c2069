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

from vocabulary import DEPARTMENT_LABELS, TREATMENTS

CONFIG_FILE = Path(__file__).resolve().parent / "scoring.toml"


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
    if institutional["treatment"] not in TREATMENTS:
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


def _codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of a column and the text of each code (an object array); missing values get
    the last code, ""."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes, values = column.cat.codes.to_numpy(), column.cat.categories.to_numpy(dtype=object)
    else:
        codes, values = pd.factorize(column, sort=True)
        values = np.asarray(values, dtype=object)
    return np.where(codes < 0, len(values), codes).astype(np.int64), np.append(values, "")


def _text(category: str, subcategory: str) -> str:
    """What severity patterns are matched against: the NFIRS code first for fire, then the category."""
    return f"{subcategory} {category}".strip().upper()


def severity(records: pd.DataFrame, config: ScoringConfig | None = None) -> pd.Series:
    """The severity weight of each record: the first rule of its department whose pattern matches.

    Patterns run once per distinct (department, category, subcategory), not once per record.
    """
    config = config or load_config()
    department, departments = _codes(records["department"])
    category, categories = _codes(records["category"])
    subcategory, subcategories = _codes(records["subcategory"])
    keys = (department * len(categories) + category) * len(subcategories) + subcategory
    distinct, inverse = np.unique(keys, return_inverse=True)
    weights = np.array([_weight(departments[key // (len(categories) * len(subcategories))],
                                _text(categories[key // len(subcategories) % len(categories)],
                                      subcategories[key % len(subcategories)]), config)
                        for key in distinct.tolist()], dtype=float)
    return pd.Series(weights[inverse.reshape(-1)] if len(keys) else [], index=records.index, dtype=float)


def _weight(department: str, text: str, config: ScoringConfig) -> float:
    default, rules = config.severity.get(department, (1.0, ()))
    for pattern, weight in rules:
        if re.search(pattern, text, flags=re.IGNORECASE):
            return weight
    return default


def contributions(records: pd.DataFrame, end: datetime, days: int | None = None,
                  config: ScoringConfig | None = None) -> pd.DataFrame:
    """The records of the window (end - days, end] with what each adds to its property's score,
    ordered by property, department and weight (strongest first)."""
    config = config or load_config()
    days = days or config.window_days
    end = pd.Timestamp(end)
    moments = records["occurred_at"].to_numpy()
    keep = ((moments > (end - timedelta(days=days)).to_datetime64()) & (moments <= end.to_datetime64())
            & records["property_id"].notna().to_numpy())
    in_window = records[keep].copy()
    in_window["severity"] = severity(in_window, config)
    age_days = (end.to_datetime64() - in_window["occurred_at"].to_numpy()) / np.timedelta64(1, "D")
    in_window["weight"] = in_window["severity"].to_numpy() * 0.5 ** (age_days / config.half_life_days)
    prop, _ = _codes(in_window["property_id"])
    department, departments = _codes(in_window["department"])
    order = np.lexsort((-in_window["weight"].to_numpy(), department, prop))
    in_window = in_window.iloc[order]
    pair = prop[order] * len(departments) + department[order]
    starts = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]]) if len(pair) else np.zeros(0, dtype=np.int64)
    sizes = np.diff(np.r_[starts, len(pair)])
    in_window["repeat"] = np.arange(len(pair)) - np.repeat(starts, sizes)
    in_window["contribution"] = in_window["weight"].to_numpy() * config.repeat_factor ** in_window["repeat"].to_numpy()
    category, categories = _codes(in_window["category"])
    nuisance_type = np.array([bool(re.search(config.nuisance_pattern, c, flags=re.IGNORECASE)) for c in categories])
    police = departments == "police"
    recent = in_window["occurred_at"].to_numpy() > (end - timedelta(days=config.nuisance_days)).to_datetime64()
    in_window["nuisance"] = police[department[order]] & nuisance_type[category] & recent
    return in_window


def score(records: pd.DataFrame, end: datetime, days: int | None = None, properties: pd.DataFrame | None = None,
          institutions: dict[str, str] | None = None, config: ScoringConfig | None = None,
          explain: bool | str = True) -> pd.DataFrame:
    """One row per property with records in the window, highest score first.

    records: property_id, department, category, subcategory, occurred_at (placed records; text or
    categorical columns).
    properties: property_id and land_use (for institutional damping), optional.
    institutions: property_id -> "damp" | "exclude", the explicit list kept by the team.
    Columns: score, departments, n_departments, records, count_<department>, nuisance_calls,
    chronic_nuisance, institutional, flagged, and (with explain) reasons: a list of lines for every
    property, or with explain="flagged" for the flagged ones only (the others get an empty tuple).
    """
    config = config or load_config()
    days = days or config.window_days
    placed = contributions(records, end, days, config)
    if placed.empty:
        return _empty_scores()
    codes, names = _codes(placed["property_id"])
    present, row = np.unique(codes, return_inverse=True)
    department, departments = _codes(placed["department"])
    cells = row.reshape(-1) * len(departments) + department
    shape = (len(present), len(departments))
    counts = np.bincount(cells, minlength=shape[0] * shape[1]).reshape(shape)
    points = np.bincount(cells, weights=placed["contribution"].to_numpy(), minlength=shape[0] * shape[1]).reshape(shape)
    frame = pd.DataFrame(index=pd.Index(names[present], name="property_id", dtype=object))
    for name in DEPARTMENT_LABELS:
        column = np.flatnonzero(departments == name)
        frame[f"count_{name}"] = counts[:, column[0]] if len(column) else 0
    frame["records"] = counts.sum(axis=1)
    frame["n_departments"] = (counts > 0).sum(axis=1)
    # which departments, as a bit mask per property mapped to its tuple (16 combinations at most)
    mask = sum((frame[f"count_{d}"].to_numpy() > 0).astype(int) << bit for bit, d in enumerate(DEPARTMENT_LABELS))
    combinations = {m: tuple(d for bit, d in enumerate(DEPARTMENT_LABELS) if m >> bit & 1) for m in np.unique(mask)}
    frame["departments"] = pd.Series(mask, index=frame.index).map(combinations)
    frame["nuisance_calls"] = np.bincount(row.reshape(-1), weights=placed["nuisance"].to_numpy(),
                                          minlength=shape[0]).astype(int)
    frame["chronic_nuisance"] = frame["nuisance_calls"] >= config.nuisance_min_calls
    overlap = 1 + config.overlap_bonus * (frame["n_departments"] - 1)
    raw = points.sum(axis=1) * overlap + config.nuisance_bonus * frame["chronic_nuisance"]

    frame["institutional"] = _institutional(frame.index, properties, institutions, config)
    factor = np.where(frame["institutional"] == "damp", config.institutional_factor, 1.0)
    frame["score"] = (raw * factor).round(2)
    excluded = frame["institutional"] == "exclude"
    frame["flagged"] = (frame["n_departments"] >= config.min_departments) & ~excluded
    if explain:
        chosen = frame["flagged"].to_numpy() if explain == "flagged" else np.ones(len(frame), dtype=bool)
        explained = frame[chosen]
        reasons = np.empty(len(frame), dtype=object)
        reasons.fill(())  # one shared empty tuple for the properties not explained
        for position, lines in zip(np.flatnonzero(chosen), _reasons(
                explained, placed[np.isin(row.reshape(-1), np.flatnonzero(chosen))], days, config)):
            reasons[position] = lines
        frame["reasons"] = reasons
    frame = frame.sort_values(["score", "n_departments"], ascending=False, kind="stable")
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
        named = ", ".join(f"{DEPARTMENT_LABELS[d]} {getattr(row, f'count_{d}')}" for d in row.departments)
        if row.n_departments >= config.min_departments:
            lines.append(f"{row.n_departments} departments in {days} days: {named}")
        else:
            lines.append(f"Only {named} in {days} days: not flagged (needs {config.min_departments} departments)")
        strongest = [f"{category} ({DEPARTMENT_LABELS[d]}{f', {n}×' if n > 1 else ''})"
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
    columns = ["score", "departments", "n_departments", "records", *[f"count_{d}" for d in DEPARTMENT_LABELS],
               "nuisance_calls", "chronic_nuisance", "institutional", "flagged", "reasons"]
    frame = pd.DataFrame(columns=columns)
    frame.index.name = "property_id"
    return frame


WEEKS_PER_MASK = 63  # weeks held as the bits of one uint64 (the top bit spare, so 1 << 63 - 1 fits)


def weekly_overlap(records: pd.DataFrame, end: datetime, weeks: int = 26, days: int | None = None,
                   min_departments: int | None = None, config: ScoringConfig | None = None) -> pd.DataFrame:
    """For each of the last `weeks` week ends: how many properties had records from at least
    `min_departments` departments in the window of `days` before it. Columns: week_end, properties.

    Each record sees a run of week ends, held as bits of an integer; a department is present at a
    property in the weeks of the OR of its records' bits, and the departments present are counted
    bit by bit (one pass over the records, no sort)."""
    config = config or load_config()
    days = days or config.window_days
    min_departments = min_departments or config.min_departments
    end = pd.Timestamp(end)
    properties, _ = _codes(records["property_id"])
    departments, names = _codes(records["department"])
    # Week end k (0 = the first) sees a record of day t when t is in (end_k - days, end_k], that is
    # for k from the first week end on or after t to the last one before t + days.
    first_end = (end - timedelta(weeks=weeks - 1)).to_datetime64()
    since = (records["occurred_at"].to_numpy() - first_end) / np.timedelta64(1, "W")
    first = np.clip(np.ceil(since), 0, weeks).astype(np.int64)
    last = np.clip(np.ceil(since + days / 7) - 1, -1, weeks - 1).astype(np.int64)
    seen = records["property_id"].notna().to_numpy() & (first <= last)
    pair = properties[seen] * len(names) + departments[seen]
    first, last = first[seen], last[seen]
    rows = int(properties[seen].max()) + 1 if len(pair) else 0
    counts = np.zeros(weeks, dtype=np.int64)
    for low in range(0, weeks, WEEKS_PER_MASK):
        span = min(WEEKS_PER_MASK, weeks - low)
        bits = _low_bits(np.clip(last - low + 1, 0, span)) ^ _low_bits(np.clip(first - low, 0, span))
        present = np.zeros((rows, len(names)), dtype=np.uint64)
        np.bitwise_or.at(present.reshape(-1), pair, bits)
        over = _at_least(present, min_departments)
        over = over[over != 0]
        counts[low:low + span] = np.unpackbits(over.view(np.uint8).reshape(-1, 8), axis=1,
                                               bitorder="little").sum(axis=0)[:span]
    week_ends = [(end - timedelta(weeks=back)).normalize() for back in range(weeks - 1, -1, -1)]
    return pd.DataFrame({"week_end": week_ends, "properties": counts})


def _low_bits(n: np.ndarray) -> np.ndarray:
    """(1 << n) - 1 for each n (0 to 63), as uint64."""
    return np.left_shift(np.uint64(1), n.astype(np.uint64)) - np.uint64(1)


def _at_least(present: np.ndarray, k: int) -> np.ndarray:
    """Per row of `present` (one bit mask per column): the bits set in at least k of its columns.

    The columns are added bit by bit into binary counters (planes[j] holds bit j of every count),
    which are then compared with k from the top bit down."""
    planes: list[np.ndarray] = []
    for column in present.T:
        carry = column
        for j, plane in enumerate(planes):
            planes[j], carry = plane ^ carry, plane & carry
        if carry.any():
            planes.append(carry)
    zero = np.zeros(len(present), dtype=np.uint64)
    above, equal = zero, ~zero
    for j in range(max(len(planes), int(k).bit_length()) - 1, -1, -1):
        plane = planes[j] if j < len(planes) else zero
        if k >> j & 1:
            equal = equal & plane
        else:
            above, equal = above | (equal & plane), equal & ~plane
    return above | equal


def department_mix(scored: pd.DataFrame) -> pd.DataFrame:
    """How many flagged properties each department has records at: department, properties."""
    flagged = scored[scored["flagged"]]
    return pd.DataFrame(
        [{"department": DEPARTMENT_LABELS[d], "properties": int((flagged[f"count_{d}"] > 0).sum())}
         for d in DEPARTMENT_LABELS]
    )
