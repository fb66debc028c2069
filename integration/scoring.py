"""Cross-department risk score per property, with the reasons behind every score.

`score(records, end)` scores every property with records in the window ending at `end`:
each record weighs its category's severity, halves with age, and counts less for each further
record of the same department; the departments' sums are raised for overlap; the police
chronic-nuisance rule adds a flag and points; institutional properties are damped or excluded.
All weights live in integration/scoring.toml.

The records are read once as integer codes with their severity (`prepare`); every window scored
from them (this one, the one before, the one at the last meeting) filters those arrays, orders its
records once, and sums with bincount: no Python work per record, and per property only for the
flagged ones' reasons.
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


def _distinct(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """np.unique(keys, return_inverse=True) of non-negative integers: from a table of the values
    present when their range is small beside their number (no sort), else by sorting."""
    if not len(keys):
        return keys[:0], keys[:0].astype(np.int64)
    top = int(keys.max()) + 1
    if top > 4 * len(keys) + 4096:
        values, inverse = np.unique(keys, return_inverse=True)
        return values, inverse.reshape(-1)
    present = np.zeros(top, dtype=bool)
    present[keys] = True
    return np.flatnonzero(present), (np.cumsum(present) - 1)[keys]


def _text(category: str, subcategory: str) -> str:
    """What severity patterns are matched against: the NFIRS code first for fire, then the category."""
    return f"{subcategory} {category}".strip().upper()


def severity(records: pd.DataFrame, config: ScoringConfig | None = None) -> pd.Series:
    """The severity weight of each record: the first rule of its department whose pattern matches.

    Patterns run once per distinct (department, category, subcategory), not once per record.
    """
    config = config or load_config()
    weights = _severity(*_codes(records["department"]), *_codes(records["category"]),
                        *_codes(records["subcategory"]), config)
    return pd.Series(weights, index=records.index, dtype=float)


def _severity(department, departments, category, categories, subcategory, subcategories,
              config: ScoringConfig) -> np.ndarray:
    keys = (department * len(categories) + category) * len(subcategories) + subcategory
    found, inverse = _distinct(keys)
    weights = np.array([_weight(departments[key // (len(categories) * len(subcategories))],
                                _text(categories[key // len(subcategories) % len(categories)],
                                      subcategories[key % len(subcategories)]), config)
                        for key in found.tolist()], dtype=float)
    return weights[inverse] if len(keys) else np.zeros(0)


def _weight(department: str, text: str, config: ScoringConfig) -> float:
    default, rules = config.severity.get(department, (1.0, ()))
    for pattern, weight in rules:
        if re.search(pattern, text, flags=re.IGNORECASE):
            return weight
    return default


@dataclass(frozen=True)
class Placed:
    """Placed records as scoring reads them: integer codes of their property, department and
    category, their severity and moment, made once and shared by every window scored (`prepare`)."""
    property: np.ndarray
    properties: np.ndarray  # the property id of each code (the last, "", for none)
    department: np.ndarray
    departments: np.ndarray
    category: np.ndarray
    categories: np.ndarray
    severity: np.ndarray
    moment: np.ndarray  # datetime64
    placed: np.ndarray  # has a property
    nuisance_type: np.ndarray  # per category: a police call of this type counts towards chronic nuisance


def prepare(records: pd.DataFrame | Placed, config: ScoringConfig | None = None) -> Placed:
    """The records as scoring reads them. records: property_id, department, category, subcategory,
    occurred_at (text or categorical columns: categories are read as codes, text is coded once)."""
    if isinstance(records, Placed):
        return records
    config = config or load_config()
    department, departments = _codes(records["department"])
    category, categories = _codes(records["category"])
    prop, properties = _codes(records["property_id"])
    return Placed(property=prop, properties=properties, department=department, departments=departments,
                  category=category, categories=categories,
                  severity=_severity(department, departments, category, categories,
                                     *_codes(records["subcategory"]), config),
                  moment=records["occurred_at"].to_numpy(), placed=records["property_id"].notna().to_numpy(),
                  nuisance_type=np.array([bool(re.search(config.nuisance_pattern, c, flags=re.IGNORECASE))
                                          for c in categories]))


@dataclass(frozen=True)
class _Window:
    """The records of one window, ordered by property, department and weight (strongest first),
    with what each adds to its property's score."""
    row: np.ndarray  # the row of their property among `present`
    present: np.ndarray  # the property codes with records in the window, in code order
    department: np.ndarray
    category: np.ndarray
    contribution: np.ndarray
    nuisance: np.ndarray


def _window(placed: Placed, end: pd.Timestamp, days: int, config: ScoringConfig) -> _Window:
    moments = placed.moment
    last = end.to_datetime64()
    rows = np.flatnonzero((moments > (end - timedelta(days=days)).to_datetime64()) & (moments <= last)
                          & placed.placed)
    prop, department = placed.property[rows], placed.department[rows]
    weight = placed.severity[rows] * 0.5 ** ((last - moments[rows]) / np.timedelta64(1, "D") / config.half_life_days)
    order = np.lexsort((-weight, department, prop))
    rows, prop, department, weight = rows[order], prop[order], department[order], weight[order]
    pair = prop * len(placed.departments) + department
    repeat = np.arange(len(pair)) - np.repeat(*_run_starts(pair))  # 0 for a department's strongest record
    category = placed.category[rows]
    police = placed.departments == "police"
    recent = moments[rows] > (end - timedelta(days=config.nuisance_days)).to_datetime64()
    new_property = np.r_[True, prop[1:] != prop[:-1]] if len(prop) else np.zeros(0, dtype=bool)
    return _Window(row=np.cumsum(new_property) - 1, present=prop[new_property], department=department,
                   category=category, contribution=weight * config.repeat_factor ** repeat,
                   nuisance=police[department] & placed.nuisance_type[category] & recent)


def score(records: pd.DataFrame | Placed, end: datetime, days: int | None = None,
          properties: pd.DataFrame | None = None, institutions: dict[str, str] | None = None,
          config: ScoringConfig | None = None, explain: bool | str = True) -> pd.DataFrame:
    """One row per property with records in the window, highest score first.

    records: property_id, department, category, subcategory, occurred_at (placed records; text or
    categorical columns), or prepare() of them.
    properties: property_id and land_use (for institutional damping), optional.
    institutions: property_id -> "damp" | "exclude", the explicit list kept by the team.
    Columns: score, departments, n_departments, records, count_<department>, nuisance_calls,
    chronic_nuisance, institutional, flagged, and (with explain) reasons: a list of lines for every
    property, or with explain="flagged" for the flagged ones only (the others get an empty tuple).
    """
    config = config or load_config()
    days = days or config.window_days
    placed = prepare(records, config)
    scores = _scores(placed, pd.Timestamp(end), days, properties, institutions, config, explain)
    return scores.frame()


@dataclass
class _Scores:
    """score() of one window, by property code, before it is put in order."""
    present: np.ndarray
    names: np.ndarray
    columns: dict

    def by_code(self, column: str, size: int, fill) -> np.ndarray:
        """`column` at every property code (`fill` where the property has no records in the window)."""
        values = np.full(size, fill, dtype=np.asarray(self.columns[column]).dtype)
        values[self.present] = self.columns[column]
        return values

    def frame(self) -> pd.DataFrame:
        if not len(self.present):
            empty = _empty_scores()
            return empty.reindex(columns=list(dict.fromkeys([*empty.columns, *self.columns])))
        flagged = np.flatnonzero(self.columns["flagged"])
        # ties in score and departments: the flagged by property id, then the others in code order
        ties = len(flagged) + np.arange(len(self.present))
        ties[flagged] = np.argsort(np.argsort(self.names[self.present[flagged]], kind="stable"), kind="stable")
        order = np.lexsort((ties, -self.columns["n_departments"], -self.columns["score"]))
        index = pd.Index(self.names[self.present[order]], name="property_id", dtype=object)
        columns = {name: np.asarray(values)[order] for name, values in self.columns.items()}
        frame = pd.DataFrame({name: values for name, values in columns.items() if values.dtype != object},
                             index=index, copy=False)
        for name, values in columns.items():  # tuples, lists of lines, None or a treatment: objects, not text
            if values.dtype == object:
                frame[name] = pd.Series(values, index=index, dtype=object, copy=False)
        return frame[list(columns)]


def _scores(placed: Placed, end: pd.Timestamp, days: int, properties: pd.DataFrame | None,
            institutions: dict[str, str] | None, config: ScoringConfig, explain: bool | str) -> _Scores:
    window = _window(placed, end, days, config)
    names, departments = placed.properties, placed.departments
    shape = (len(window.present), len(departments))
    cells = window.row * shape[1] + window.department
    counts = np.bincount(cells, minlength=shape[0] * shape[1]).reshape(shape)
    points = np.bincount(cells, weights=window.contribution, minlength=shape[0] * shape[1]).reshape(shape)
    columns: dict[str, np.ndarray] = {}
    for name in DEPARTMENT_LABELS:
        column = np.flatnonzero(departments == name)
        columns[f"count_{name}"] = counts[:, column[0]] if len(column) else np.zeros(shape[0], dtype=np.int64)
    columns["records"] = counts.sum(axis=1)
    n_departments = (counts > 0).sum(axis=1)
    columns["n_departments"] = n_departments
    # which departments, as a bit mask per property mapped to its tuple (16 combinations at most)
    mask = sum((columns[f"count_{d}"] > 0).astype(np.int64) << bit for bit, d in enumerate(DEPARTMENT_LABELS))
    combinations = np.empty(1 << len(DEPARTMENT_LABELS), dtype=object)
    for m in range(len(combinations)):
        combinations[m] = tuple(d for bit, d in enumerate(DEPARTMENT_LABELS) if m >> bit & 1)
    columns["departments"] = combinations[mask] if shape[0] else np.empty(0, dtype=object)
    nuisance_calls = np.bincount(window.row, weights=window.nuisance, minlength=shape[0]).astype(np.int64)
    chronic = nuisance_calls >= config.nuisance_min_calls
    columns["nuisance_calls"] = nuisance_calls
    columns["chronic_nuisance"] = chronic
    overlap = 1 + config.overlap_bonus * (n_departments - 1)
    raw = points.sum(axis=1) * overlap + config.nuisance_bonus * chronic
    institutional = _institutional(names[window.present], properties, institutions, config)
    columns["institutional"] = institutional
    factor = np.where(institutional == "damp", config.institutional_factor, 1.0)
    columns["score"] = (raw * factor).round(2)
    columns["flagged"] = (n_departments >= config.min_departments) & (institutional != "exclude")
    if explain:
        chosen = columns["flagged"] if explain == "flagged" else np.ones(shape[0], dtype=bool)
        columns["reasons"] = _reasons(columns, chosen, window, placed, days, config)
    return _Scores(window.present, names, columns)


def score_with_trend(records: pd.DataFrame | Placed, end: datetime, days: int | None = None,
                     since: datetime | None = None, properties: pd.DataFrame | None = None,
                     institutions: dict[str, str] | None = None, config: ScoringConfig | None = None,
                     explain: bool | str = True) -> pd.DataFrame:
    """score() of this window, beside the previous window of the same length, and `new`: flagged
    now and not in the window of the same length ending at `since` (default: the previous window)."""
    config = config or load_config()
    days = days or config.window_days
    placed = prepare(records, config)
    end = pd.Timestamp(end)

    def flagged_at(moment: pd.Timestamp) -> _Scores:
        return _scores(placed, moment, days, properties, institutions, config, explain=False)

    now = _scores(placed, end, days, properties, institutions, config, explain)
    before = flagged_at(end - timedelta(days=days))
    size = len(placed.properties)
    columns = now.columns
    previous_score = before.by_code("score", size, 0.0)[now.present]
    columns["previous_score"] = previous_score
    columns["previous_flagged"] = before.by_code("flagged", size, False)[now.present]
    columns["delta"] = (columns["score"] - previous_score).round(2)
    columns["rising"] = (columns["score"] >= previous_score * config.rising_ratio) & (columns["delta"] >= config.rising_min_delta)
    if since is None:
        then = columns["previous_flagged"]
    else:
        then = flagged_at(pd.Timestamp(since)).by_code("flagged", size, False)[now.present]
    columns["new"] = columns["flagged"] & ~then
    return now.frame()


def _institutional(names: np.ndarray, properties: pd.DataFrame | None, institutions: dict[str, str] | None,
                   config: ScoringConfig) -> np.ndarray:
    """None, "damp" or "exclude" for each property: by its land use, or as the explicit list says."""
    treatments: dict[str, str] = {}
    if properties is not None and "land_use" in properties and len(properties):
        uses = properties["land_use"].fillna("").astype(str).str.upper()
        damped = properties.loc[uses.isin(config.institutional_land_uses).to_numpy(), "property_id"]
        treatments.update(dict.fromkeys(damped.tolist(), config.institutional_treatment))
    treatments.update(institutions or {})
    treatment = np.full(len(names), None, dtype=object)
    if treatments:
        known = pd.Series(list(treatments.values()), index=pd.Index(list(treatments.keys()), dtype=object))
        hit = pd.Index(names, dtype=object).isin(known.index)
        treatment[hit] = known.reindex(names[hit]).to_numpy()
    return treatment


def _reasons(columns: dict, chosen: np.ndarray, window: _Window, placed: Placed, days: int,
             config: ScoringConfig) -> np.ndarray:
    """The lines behind each chosen property's score (an empty tuple for the others)."""
    reasons = np.empty(len(chosen), dtype=object)
    reasons.fill(())  # one shared empty tuple for the properties not explained
    which = np.flatnonzero(chosen)
    if not len(which):
        return reasons
    # the strongest (department, category) pairs of each chosen property: contributions summed,
    # strongest first, ties in the order their records are scored
    mine = chosen[window.row]
    row, department, category = window.row[mine], window.department[mine], window.category[mine]
    keys = (row * len(placed.departments) + department) * len(placed.categories) + category
    found, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    points = np.bincount(inverse.reshape(-1), weights=window.contribution[mine], minlength=len(found))
    sizes = np.bincount(inverse.reshape(-1), minlength=len(found))
    owner = found // (len(placed.departments) * len(placed.categories))
    order = np.lexsort((first, -points, owner))
    owner, found, sizes = owner[order], found[order], sizes[order]
    rank = np.arange(len(owner)) - np.repeat(*_run_starts(owner))
    top = rank < 3
    strongest: dict[int, list[str]] = {}
    labels = DEPARTMENT_LABELS
    for prop_row, key, n in zip(owner[top].tolist(), found[top].tolist(), sizes[top].tolist()):
        d = placed.departments[key // len(placed.categories) % len(placed.departments)]
        c = placed.categories[key % len(placed.categories)]
        strongest.setdefault(prop_row, []).append(f"{c} ({labels[d]}{f', {n}×' if n > 1 else ''})")
    # "Police 3, Fire 1": each department's words for the chosen properties, joined where it has records
    named = np.full(len(which), "", dtype=object)
    for d, label in labels.items():
        count = columns[f"count_{d}"][which]
        words = np.where(count > 0, label + " " + count.astype(str).astype(object), "")
        named = np.where((named != "") & (words != ""), named + ", ", named) + words
    n_departments, nuisance_calls = columns["n_departments"][which].tolist(), columns["nuisance_calls"][which].tolist()
    chronic, institutional = columns["chronic_nuisance"][which].tolist(), columns["institutional"][which].tolist()
    for i, position in enumerate(which.tolist()):
        n = n_departments[i]
        if n >= config.min_departments:
            lines = [f"{n} departments in {days} days: {named[i]}"]
        else:
            lines = [f"Only {named[i]} in {days} days: not flagged (needs {config.min_departments} departments)"]
        if position in strongest:
            lines.append("Weighs most: " + "; ".join(strongest[position]))
        if chronic[i]:
            lines.append(f"Chronic nuisance: {nuisance_calls[i]} nuisance-type police calls in "
                         f"{config.nuisance_days} days (rule: {config.nuisance_min_calls})")
        if institutional[i] == "damp":
            lines.append(f"Institutional: score damped ×{config.institutional_factor:g}")
        elif institutional[i] == "exclude":
            lines.append("Institutional: excluded from the list")
        reasons[position] = lines
    return reasons


def _run_starts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each run of equal values in a sorted array starts, and its length (for np.repeat)."""
    starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    return starts, np.diff(np.r_[starts, len(values)])


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
