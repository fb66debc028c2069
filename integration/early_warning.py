"""Early warning: which properties not on the hotspots list today are likely to be on it within 90 days.

Pure: frames in, frames out, no database. The entry points, in the order a run uses them:

- `prepare(records, properties, institutions)`: the city's placed records coded once (a `City`);
- `cutoffs(city, windows)`: the cut-off days of the backtest and of today's list;
- `features(city, cutoff)`: one row per candidate property (on the radar, not flagged) from what was
  known before the cut-off only: counts and severities per department over several look-back
  windows, trends, recency, open and closed code cases, days on the list before, the current score,
  the chronic-nuisance count, land use and size, neighbouring properties;
- `became_flagged(city, cutoff)`: the label, flagged by the product's own hotspot rule
  (integration.scoring: records of at least `min_departments` departments in its window, institutions
  on the exclude list never) on any day of the 90 after the cut-off;
- `backtest(city, windows)`: rolling origin (train on earlier cut-offs whose 90 days are over, test on
  the later one), the model beside the current score's ranking and the chronic-nuisance rule;
- `train(city, cutoffs)`, `rank(model, city, cutoff)`, `explain(...)`: the model of today's list and
  its reasons in words;
- `fairness(...)`: each ward's share of the top 100 against its share of the properties that did
  become hotspots.

A cut-off is a whole day number counted from the city's first record day: features read records
before midnight of that day, the label looks at the 90 list days that end on the days after it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from integration import scoring
from vocabulary import DEPARTMENT_LABELS, DEPARTMENTS

HORIZON_DAYS = 90          # the label: flagged on any day of the 90 after the cut-off
LOOKBACKS = (30, 90, 180, 365)
RADAR_DAYS = 365           # a candidate has at least one record in this many days before the cut-off
MIN_HISTORY_DAYS = 90      # the first cut-off a model trains on has this much history behind it
STEP_DAYS = 7              # the backtest's cut-offs one week apart...
TRAINING_STEP_DAYS = 14    # ...and the ones a model learns from two weeks apart (neighbouring weeks repeat each other)
NEIGHBOUR_CELL_METRES = 100  # neighbours: the properties in the same 100 m square and the eight around it
TOP = (25, 100)
FAIRNESS_BAND = (0.8, 1.25)
MAX_TRAINING_NEGATIVES = 60_000  # negatives beyond this are sampled (and weighted back up)
# One thread: on a machine whose cores the app servers share, two OpenMP threads waiting on each
# other trained five times slower than one.
THREADS = 1
SEED = 7
RANKINGS = ("model", "score", "rule")
RANKING_LABELS = {"model": "the early-warning model", "score": "the current score", "rule": "the chronic-nuisance rule"}


@dataclass
class City:
    """Placed records coded as integers, sorted by time, and the property master they sit on."""

    property_ids: np.ndarray           # object array: property i's id
    origin: pd.Timestamp               # midnight of day 0
    last_day: int                      # the day number of the last record
    prop: np.ndarray                   # per record, sorted by time
    dept: np.ndarray
    time: np.ndarray                   # days since origin (float)
    closed: np.ndarray                 # days since origin the case closed (nan: open or not known)
    severity: np.ndarray
    nuisance: np.ndarray               # a nuisance-type police call (the chronic-nuisance rule's)
    records: pd.DataFrame              # the placed records as given, in the same order (for the score)
    excluded: np.ndarray               # per property: never flagged (institution list: exclude)
    land_use: np.ndarray               # per property: code of its land use (-1 unknown)
    land_uses: tuple[str, ...]
    addresses: np.ndarray              # per property: how many addresses it has (its size)
    ward: np.ndarray                   # per property: ward text ("" unknown)
    neighbours: Neighbourhood          # which properties are near each other
    properties: pd.DataFrame           # property_id, land_use of the damped land uses (the score's damping)
    index: pd.Index                    # property id -> position
    institutions: dict[str, str] = field(default_factory=dict)
    config: scoring.ScoringConfig = field(default_factory=scoring.load_config)

    def day(self, cutoff: int) -> date:
        """The last day whose records a cut-off sees."""
        return (self.origin + pd.Timedelta(days=cutoff - 1)).date()

    def before(self, cutoff: int) -> int:
        """How many records (from the first, by time) were made before the cut-off."""
        return int(np.searchsorted(self.time, cutoff, side="left"))


def prepare(records: pd.DataFrame, properties: pd.DataFrame, institutions: dict[str, str] | None = None,
            config: scoring.ScoringConfig | None = None) -> City:
    """The placed records and the property master, coded once.

    records: property_id, department, category, subcategory, occurred_at, optional closed_at.
    properties: property_id, land_use, ward, lat, lon, optional addresses (how many the property has).
    Records on a property not in the master are left out.
    """
    config = config or scoring.load_config()
    institutions = dict(institutions or {})
    master = properties.drop_duplicates("property_id").reset_index(drop=True)
    ids = master["property_id"].astype(str).to_numpy(dtype=object)
    position = pd.Index(ids)
    known = records["property_id"].notna()
    prop_of = position.get_indexer(records.loc[known, "property_id"].astype(str))
    placed = records[known][prop_of >= 0].copy()
    prop_of = prop_of[prop_of >= 0]
    moments = pd.to_datetime(placed["occurred_at"])
    origin = (moments.min() if len(placed) else pd.Timestamp("2000-01-01")).normalize()
    time = ((moments - origin) / pd.Timedelta(days=1)).to_numpy(dtype=float)
    order = np.argsort(time, kind="stable")
    placed = placed.iloc[order].reset_index(drop=True)
    time = time[order]
    prop_of = prop_of[order]
    if "closed_at" in placed:
        closed = ((pd.to_datetime(placed["closed_at"]) - origin) / pd.Timedelta(days=1)).to_numpy(dtype=float)
    else:
        closed = np.full(len(placed), np.nan)
    dept = pd.Categorical(placed["department"].astype(str), categories=list(DEPARTMENTS)).codes.astype(np.int64)
    severity = scoring.severity(placed.assign(subcategory=placed["subcategory"].astype(object).fillna(""))
                                [["department", "category", "subcategory"]], config).to_numpy()
    category_codes, category_names = pd.factorize(placed["category"].astype(object).fillna(""))
    nuisance_name = pd.Series(category_names, dtype=object).str.contains(config.nuisance_pattern, case=False,
                                                                         regex=True).to_numpy(dtype=bool)
    nuisance = (dept == DEPARTMENTS.index("police")) & nuisance_name[category_codes]
    excluded = np.zeros(len(ids), dtype=bool)
    land = master.get("land_use", pd.Series("", index=master.index)).fillna("").astype(str).str.upper()
    if config.institutional_treatment == "exclude":
        excluded |= land.isin(config.institutional_land_uses).to_numpy()
    for property_id, how in institutions.items():
        where = position.get_indexer([property_id])[0]
        if where >= 0 and how == "exclude":
            excluded[where] = True
    land_codes, land_names = pd.factorize(land.where(land != "", None), sort=True)
    addresses = (master["addresses"].fillna(1).to_numpy(dtype=float) if "addresses" in master
                 else np.ones(len(ids)))
    ward = master.get("ward", pd.Series("", index=master.index)).fillna("").astype(str).to_numpy(dtype=object)
    return City(
        property_ids=ids, origin=origin, last_day=int(time.max()) if len(time) else 0, prop=prop_of.astype(np.int64),
        dept=dept, time=time, closed=closed, severity=severity, nuisance=nuisance,
        records=placed[["property_id", "department", "category", "subcategory", "occurred_at"]],
        excluded=excluded, land_use=land_codes.astype(np.int64), land_uses=tuple(land_names),
        addresses=addresses, ward=ward, neighbours=neighbourhood(master),
        properties=master[["property_id"]].assign(land_use=land.to_numpy())[
            land.isin(config.institutional_land_uses).to_numpy()].reset_index(drop=True),
        index=position, institutions=institutions, config=config)


@dataclass(frozen=True)
class Neighbourhood:
    """Properties binned in square cells of NEIGHBOUR_CELL_METRES: a property's neighbours are the others
    in its cell and the eight around it (no list of pairs, so memory grows with properties only)."""

    keys: np.ndarray   # per property: its cell's key (-1 without coordinates)
    width: int         # keys are column * width + row

    def total(self, values: np.ndarray) -> np.ndarray:
        """Per property, the sum of `values` over its neighbours (itself left out)."""
        located = self.keys >= 0
        result = np.zeros(len(values))
        if not located.any():
            return result
        cells, inverse = np.unique(self.keys[located], return_inverse=True)
        sums = np.bincount(inverse.reshape(-1), weights=values[located].astype(float), minlength=len(cells))
        own = self.keys[located]
        around = np.zeros(len(own))
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                wanted = own + dx * self.width + dy
                at = np.clip(np.searchsorted(cells, wanted), 0, len(cells) - 1)
                around += np.where(cells[at] == wanted, sums[at], 0.0)
        result[located] = around - values[located]
        return result


def neighbourhood(master: pd.DataFrame) -> Neighbourhood:
    n = len(master)
    if not {"lat", "lon"} <= set(master.columns):
        return Neighbourhood(np.full(n, -1, dtype=np.int64), 1)
    lat = pd.to_numeric(master["lat"], errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(master["lon"], errors="coerce").to_numpy(dtype=float)
    located = np.isfinite(lat) & np.isfinite(lon)
    keys = np.full(n, -1, dtype=np.int64)
    if not located.any():
        return Neighbourhood(keys, 1)
    middle = math.radians(float(np.median(lat[located])))
    column = np.floor(lon[located] * 111_320.0 * math.cos(middle) / NEIGHBOUR_CELL_METRES).astype(np.int64)
    row = np.floor(lat[located] * 111_320.0 / NEIGHBOUR_CELL_METRES).astype(np.int64)
    column, row = column - column.min() + 1, row - row.min() + 1  # a margin of one cell on every side
    width = int(row.max()) + 2
    keys[located] = column * width + row
    return Neighbourhood(keys, width)


# --- the product's hotspot rule, day by day ---------------------------------------------------


def flagged_days(city: City, start: int, days: int) -> np.ndarray:
    """Per property, on how many of the list days start+1 .. start+days it was flagged: records of at
    least min_departments departments in the window of window_days that ends with that day's eve.

    A list "day" c sees the records before midnight of day c (those of days c - window .. c - 1), so
    it reads no record from day start + days or later.
    """
    window = city.config.window_days
    lo = city.before(start - window + 1)
    hi = city.before(start + days)
    prop, dept, day = city.prop[lo:hi], city.dept[lo:hi], np.floor(city.time[lo:hi]).astype(np.int64)
    result = np.zeros(len(city.property_ids), dtype=np.int64)
    if not len(prop):
        return result
    # only properties with records of enough departments in the span can be flagged at all
    # the (property, department) pairs present, from a table of them: numpy's unique() hashes a
    # million integers a hundred times slower than this
    pair = np.flatnonzero(np.bincount(prop * len(DEPARTMENTS) + dept))
    per_property = np.bincount(pair // len(DEPARTMENTS), minlength=len(result))
    keep = per_property[prop] >= city.config.min_departments
    prop, dept, day = prop[keep], dept[keep], day[keep]
    if not len(prop):
        return result
    pairs, inverse = np.unique(prop * len(DEPARTMENTS) + dept, return_inverse=True)
    # a record of day D is in the windows of list days D + 1 .. D + window; k counts list days from start + 1
    first = np.clip(day + 1 - (start + 1), 0, days)
    last = np.clip(day + window - (start + 1), -1, days - 1)
    seen = first <= last
    width = days + 1
    flat = inverse.reshape(-1)[seen] * width
    diff = (np.bincount(flat + first[seen], minlength=len(pairs) * width)
            - np.bincount(flat + last[seen] + 1, minlength=len(pairs) * width)).reshape(len(pairs), width)
    active = np.cumsum(diff, axis=1)[:, :days] > 0
    owner = pairs // len(DEPARTMENTS)
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    departments_active = np.add.reduceat(active.astype(np.int16), starts, axis=0)
    counted = (departments_active >= city.config.min_departments).sum(axis=1)
    result[owner[starts]] = counted
    result[city.excluded] = 0
    return result


def flagged_at(city: City, cutoff: int) -> np.ndarray:
    """Per property: on the list on the cut-off's day (from the records before it)."""
    return flagged_days(city, cutoff - 1, 1) > 0


def became_flagged(city: City, cutoff: int, horizon: int = HORIZON_DAYS) -> np.ndarray:
    """The label, per property: on the list on any of the `horizon` days after the cut-off."""
    return flagged_days(city, cutoff, horizon) > 0


# --- features ---------------------------------------------------------------------------------


FEATURE_GROUPS: dict[str, tuple[str, ...]] = {
    **{d: tuple(f"{d}_{what}" for what in (*(f"n{w}" for w in LOOKBACKS), "severity90", "days_since"))
       for d in DEPARTMENTS},
    "trend": ("total_n30", "total_n90", "total_n365", "departments90", "departments365", "growth30"),
    "nuisance": ("nuisance90",),
    "history": ("days_flagged180", "score"),
    "code_cases": ("code_open", "code_closed365"),
    "neighbours": ("neighbour_records90", "neighbours_flagged"),
    "property": ("land_use", "addresses"),
}
FEATURES = [name for group in FEATURE_GROUPS.values() for name in group]


def features(city: City, cutoff: int) -> pd.DataFrame:
    """One row per candidate (a record in the RADAR_DAYS before the cut-off, not on the list on the
    cut-off's day), indexed by property position; every value from records made before the cut-off."""
    n = len(city.property_ids)
    hi = city.before(cutoff)
    lo = city.before(cutoff - max(LOOKBACKS))
    prop, dept, time = city.prop[lo:hi], city.dept[lo:hi], city.time[lo:hi]
    severity, nuisance, closed = city.severity[lo:hi], city.nuisance[lo:hi], city.closed[lo:hi]
    age = cutoff - time  # > 0
    cells = prop * len(DEPARTMENTS) + dept
    size = n * len(DEPARTMENTS)

    def per_department(weights=None, mask=None) -> np.ndarray:
        chosen = slice(None) if mask is None else mask
        w = None if weights is None else weights[chosen]
        return np.bincount(cells[chosen], weights=w, minlength=size).reshape(n, len(DEPARTMENTS))

    columns: dict[str, np.ndarray] = {}
    counts = {w: per_department(mask=age <= w) for w in LOOKBACKS}
    severity90 = per_department(weights=severity, mask=age <= 90)
    # the latest record per (property, department): records are in time order, so the last one wins
    latest = np.full(size, np.inf)
    latest[cells] = age
    latest = latest.reshape(n, len(DEPARTMENTS))
    for j, d in enumerate(DEPARTMENTS):
        for w in LOOKBACKS:
            columns[f"{d}_n{w}"] = counts[w][:, j]
        columns[f"{d}_severity90"] = severity90[:, j]
        columns[f"{d}_days_since"] = np.minimum(latest[:, j], RADAR_DAYS + 1)
    columns["total_n30"] = counts[30].sum(axis=1)
    columns["total_n90"] = counts[90].sum(axis=1)
    columns["total_n365"] = counts[365].sum(axis=1)
    columns["departments90"] = (counts[90] > 0).sum(axis=1)
    columns["departments365"] = (counts[365] > 0).sum(axis=1)
    # last 30 days against the average 30 days of the 60 before
    columns["growth30"] = columns["total_n30"] - (columns["total_n90"] - columns["total_n30"]) / 2
    columns["nuisance90"] = np.bincount(prop[nuisance & (age <= city.config.nuisance_days)], minlength=n)
    columns["days_flagged180"] = flagged_days(city, cutoff - 180, 180)
    columns["score"] = current_score(city, cutoff)
    code = dept == DEPARTMENTS.index("public_works")
    # a case's close is only known once it happened: closed after the cut-off is still open at it
    open_at_cutoff = code & ~(closed < cutoff)
    columns["code_open"] = np.bincount(prop[open_at_cutoff], minlength=n)
    columns["code_closed365"] = np.bincount(prop[code & (closed < cutoff)], minlength=n)
    on_list = flagged_at(city, cutoff)
    columns["neighbour_records90"] = city.neighbours.total(columns["total_n90"])
    columns["neighbours_flagged"] = city.neighbours.total(on_list)
    columns["land_use"] = city.land_use.astype(float)
    columns["addresses"] = city.addresses
    candidate = (columns["total_n365"] > 0) & ~on_list & ~city.excluded
    frame = pd.DataFrame({name: np.asarray(columns[name], dtype=float)[candidate] for name in FEATURES},
                         index=pd.Index(np.flatnonzero(candidate), name="position"))
    frame["land_use"] = frame["land_use"].where(frame["land_use"] >= 0, np.nan)
    return frame


def current_score(city: City, cutoff: int) -> np.ndarray:
    """Per property, the product's score (integration.scoring) of the window that ends with the
    cut-off's eve, from the records before the cut-off."""
    window = city.config.window_days
    lo, hi = city.before(cutoff - window - 1), city.before(cutoff)
    end = city.origin + pd.Timedelta(days=cutoff) - pd.Timedelta(seconds=1)
    scored = scoring.score(city.records.iloc[lo:hi], end.to_pydatetime(), window, properties=city.properties,
                           institutions=city.institutions, config=city.config, explain=False)
    values = np.zeros(len(city.property_ids))
    values[city.index.get_indexer(scored.index.astype(str))] = scored["score"].to_numpy(dtype=float)
    return values


# --- cut-offs, the model, the rankings --------------------------------------------------------


def cutoffs(city: City, windows: int, step: int = STEP_DAYS, horizon: int = HORIZON_DAYS) -> tuple[list[int], int]:
    """(the backtest's test cut-offs, oldest first; today's cut-off). Today's cut-off is the day after
    the last record; cut-offs run back from it every `step` days; a test cut-off's 90 days are over,
    and at least two cut-offs whose 90 days ended before it are there to train on."""
    today = city.last_day + 1
    learned = grid(city, TRAINING_STEP_DAYS)
    complete = [c for c in grid(city, step) if c + horizon <= today]
    testable = [c for c in complete if len(training_cutoffs(learned, c, horizon)) >= 2]
    return sorted(testable[:windows]), today


def grid(city: City, step: int = STEP_DAYS) -> list[int]:
    """Every cut-off, newest first: today's and one every `step` days back to MIN_HISTORY_DAYS."""
    return list(range(city.last_day + 1, MIN_HISTORY_DAYS - 1, -step))


def training_cutoffs(all_cutoffs: list[int], cutoff: int, horizon: int = HORIZON_DAYS) -> list[int]:
    """The cut-offs a model for `cutoff` may learn from: their 90 days were over by then."""
    return sorted(c for c in all_cutoffs if c + horizon <= cutoff)


@dataclass
class Model:
    estimator: object
    trained_on: tuple[int, ...]  # cut-offs
    rows: int
    positives: int
    reference: pd.Series  # the typical candidate: what a feature is compared against in the reasons


class Cache:
    """Features and labels per cut-off, computed once per run."""

    def __init__(self, city: City):
        self.city = city
        self._features: dict[int, pd.DataFrame] = {}
        self._labels: dict[int, np.ndarray] = {}

    def features(self, cutoff: int) -> pd.DataFrame:
        if cutoff not in self._features:
            self._features[cutoff] = features(self.city, cutoff)
        return self._features[cutoff]

    def label(self, cutoff: int) -> np.ndarray:
        if cutoff not in self._labels:
            self._labels[cutoff] = became_flagged(self.city, cutoff)
        return self._labels[cutoff]


def train(cache: Cache, training: list[int]) -> Model | None:
    """A gradient-boosted tree model (scikit-learn) on the candidates of the training cut-offs; None
    when they hold no property that became a hotspot."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    frames, labels = [], []
    for c in training:
        frame = cache.features(c)
        frames.append(frame)
        labels.append(cache.label(c)[frame.index.to_numpy()])
    if not frames:
        return None
    x = pd.concat(frames, ignore_index=True)
    y = np.concatenate(labels)
    if y.sum() == 0 or y.all():
        return None
    weight = np.ones(len(y))
    negatives = np.flatnonzero(~y)
    if len(negatives) > MAX_TRAINING_NEGATIVES:  # bounded time on a large city; weighted back up
        keep = np.random.default_rng(SEED).choice(negatives, MAX_TRAINING_NEGATIVES, replace=False)
        chosen = np.sort(np.r_[np.flatnonzero(y), keep])
        weight = np.where(y[chosen], 1.0, len(negatives) / MAX_TRAINING_NEGATIVES)
        x, y = x.iloc[chosen].reset_index(drop=True), y[chosen]
    estimator = HistGradientBoostingClassifier(
        max_iter=100, learning_rate=0.08, max_leaf_nodes=15, min_samples_leaf=40, l2_regularization=1.0,
        categorical_features=[FEATURES.index("land_use")], early_stopping=False, random_state=SEED)
    with threadpool_limits(THREADS):
        estimator.fit(x[FEATURES], y, sample_weight=weight)
    return Model(estimator, tuple(training), len(y), int(y.sum()), x[FEATURES].median())


def probabilities(model: Model, frame: pd.DataFrame) -> np.ndarray:
    if frame.empty:
        return np.zeros(0)
    with threadpool_limits(THREADS):
        return model.estimator.predict_proba(frame[FEATURES])[:, 1]


def ranking_values(city: City, frame: pd.DataFrame, model: Model | None) -> dict[str, np.ndarray]:
    """Per property (all of the master; -1 for a property that is not a candidate), each ranking's value:
    the model's probability, the current score, and the chronic-nuisance count (police calls in 90 days
    break its ties)."""
    n = len(city.property_ids)
    positions = frame.index.to_numpy()
    values = {name: np.full(n, -1.0) for name in RANKINGS}
    if model is not None:
        values["model"][positions] = probabilities(model, frame)
    values["score"][positions] = frame["score"].to_numpy()
    values["rule"][positions] = frame["nuisance90"].to_numpy() + frame["police_n90"].to_numpy() / 1000.0
    return values


def order(values: np.ndarray) -> np.ndarray:
    """Property positions, highest value first; ties in master order."""
    return np.lexsort((np.arange(len(values)), -values))


# --- how often a ranking was right --------------------------------------------------------------


def measures(values: np.ndarray, label: np.ndarray, eligible: np.ndarray) -> dict[str, float]:
    """Precision at 25 and 100, recall at 100 and AUC of one ranking over the properties not on the
    list at the cut-off (`eligible`); those that are not candidates rank last."""
    from sklearn.metrics import roc_auc_score

    v, y = values[eligible], label[eligible]
    ranked = order(v)
    positives = int(y.sum())
    result: dict[str, float] = {"positives": positives}
    for k in TOP:
        hits = int(y[ranked[:k]].sum())
        result[f"hits_{k}"] = hits
        result[f"precision_{k}"] = hits / k
    result["recall_100"] = result["hits_100"] / positives if positives else float("nan")
    result["auc"] = float(roc_auc_score(y, v)) if 0 < positives < len(y) else float("nan")
    return result


@dataclass
class Backtest:
    windows: pd.DataFrame      # one row per (window_end, ranking): the measures
    tops: dict[int, dict[str, np.ndarray]]  # per test cut-off and ranking: the top 100 positions
    labels: dict[int, np.ndarray]
    eligible: dict[int, np.ndarray]


def backtest(cache: Cache, windows: int, step: int = STEP_DAYS) -> Backtest:
    """Rolling origin: for each of the last `windows` cut-offs whose 90 days are over, a model trained
    only on cut-offs whose own 90 days were over by then, ranked beside the two baselines."""
    city = cache.city
    all_cutoffs = grid(city, TRAINING_STEP_DAYS)
    tests, _today = cutoffs(city, windows, step)
    rows, tops, labels, eligible = [], {}, {}, {}
    for c in tests:
        model = train(cache, training_cutoffs(all_cutoffs, c))
        frame = cache.features(c)
        values = ranking_values(city, frame, model)
        label = cache.label(c)
        allowed = ~flagged_at(city, c) & ~city.excluded
        labels[c], eligible[c], tops[c] = label, allowed, {}
        for name in RANKINGS:
            if name == "model" and model is None:
                continue
            scored = measures(values[name], label, allowed)
            rows.append({"window_end": city.day(c), "ranking": name, "candidates": len(frame), **scored})
            tops[c][name] = np.flatnonzero(allowed)[order(values[name][allowed])[:max(TOP)]]
    return Backtest(pd.DataFrame(rows), tops, labels, eligible)


def summary(windows: pd.DataFrame) -> pd.DataFrame:
    """Per ranking: the median, lowest and highest of each measure over the windows."""
    if windows.empty:
        return pd.DataFrame()
    measured = ["precision_25", "precision_100", "recall_100", "auc", "hits_25"]
    grouped = windows.groupby("ranking")[measured]
    table = pd.concat({"median": grouped.median(), "low": grouped.min(), "high": grouped.max()}, axis=1)
    return table.reindex([r for r in RANKINGS if r in table.index])


def best_ranking(windows: pd.DataFrame) -> str:
    """The ranking the page shows: the model when its median precision at 25 is above both baselines'
    (AUC breaking a tie is not enough: the top of the list is what the team acts on); otherwise the
    better baseline."""
    table = summary(windows)
    if table.empty:
        return "score"
    median = table[("median", "precision_25")]
    baselines = median.reindex(["score", "rule"]).fillna(-1)
    better = "score" if baselines["score"] >= baselines["rule"] else "rule"
    if "model" in median and median["model"] > baselines.max():
        return "model"
    return better


def wide(windows: pd.DataFrame) -> pd.DataFrame:
    """One row per window: window_end, model_precision_25, score_precision_25, rule_precision_25, model_auc
    (and the other measures after them)."""
    if windows.empty:
        return pd.DataFrame(columns=["window_end", "model_precision_25", "score_precision_25", "rule_precision_25",
                                     "model_auc"])
    table = windows.pivot(index="window_end", columns="ranking",
                          values=["precision_25", "precision_100", "recall_100", "auc", "hits_25", "positives"])
    table.columns = [f"{ranking}_{measure}" for measure, ranking in table.columns]
    first = ["model_precision_25", "score_precision_25", "rule_precision_25", "model_auc"]
    for column in first:
        if column not in table:
            table[column] = np.nan
    rest = sorted(c for c in table.columns if c not in first)
    table = table[first + rest].reset_index()
    for column in table.columns:
        if column.endswith(("_hits_25", "_positives")):
            table[column] = table[column].astype("Int64")
    return table


# --- fairness -----------------------------------------------------------------------------------


def fairness(city: City, result: Backtest, ranking: str) -> pd.DataFrame:
    """Per ward, pooled over the backtest's windows: its share of the top 100 of `ranking`, its share of
    the properties that did become hotspots, their ratio, and a flag when the ratio is outside
    FAIRNESS_BAND (over- or under-represented)."""
    top_wards, hit_wards = [], []
    for c, tops in result.tops.items():
        if ranking not in tops:
            continue
        top_wards.append(city.ward[tops[ranking]])
        hit_wards.append(city.ward[result.labels[c] & result.eligible[c]])
    if not top_wards:
        return pd.DataFrame(columns=["ward", "top_100", "top_share", "hotspots", "hotspot_share", "ratio", "flag"])
    top = pd.Series(np.concatenate(top_wards)).value_counts()
    hits = pd.Series(np.concatenate(hit_wards)).value_counts()
    if hits.empty:  # no property became a hotspot: there is no share to compare with
        return pd.DataFrame(columns=["ward", "top_100", "top_share", "hotspots", "hotspot_share", "ratio", "flag"])
    wards = sorted(set(top.index) | set(hits.index), key=lambda w: (len(str(w)), str(w)))
    table = pd.DataFrame({"ward": wards})
    table["top_100"] = top.reindex(wards).fillna(0).astype(int).to_numpy()
    table["top_share"] = table["top_100"] / max(int(top.sum()), 1)
    table["hotspots"] = hits.reindex(wards).fillna(0).astype(int).to_numpy()
    table["hotspot_share"] = table["hotspots"] / max(int(hits.sum()), 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["ratio"] = np.where(table["hotspot_share"] > 0, table["top_share"] / table["hotspot_share"],
                                  np.where(table["top_share"] > 0, np.inf, 1.0))
    low, high = FAIRNESS_BAND
    table["flag"] = np.select([table["ratio"] > high, table["ratio"] < low], ["over-represented", "under-represented"],
                              "")
    table["ward"] = table["ward"].replace("", "(no ward)")
    return table


# --- reasons in words ---------------------------------------------------------------------------


def explain(model: Model, frame: pd.DataFrame, city: City, how_many: int = 3) -> list[list[str]]:
    """For each row of `frame`, up to `how_many` reasons in words: the feature groups whose values,
    put back to the typical candidate's, lower the model's probability the most."""
    if frame.empty:
        return []
    base = probabilities(model, frame)
    effects = {}
    for group, names in FEATURE_GROUPS.items():
        typical = frame.copy()
        for name in names:
            typical[name] = model.reference[name]
        effects[group] = base - probabilities(model, typical)
    effect = pd.DataFrame(effects, index=frame.index)
    reasons = []
    for position, row in zip(frame.index, frame.itertuples(index=False)):
        strongest = effect.loc[position].sort_values(ascending=False)
        values = dict(zip(frame.columns, row))
        lines = [reason(group, values, city) for group, lift in strongest.items() if lift > 0.0005]
        reasons.append([line for line in lines if line][:how_many] or [reason("trend", values, city)])
    return reasons


def _n(count: float, one: str, many: str | None = None) -> str:
    count = int(round(count))
    return f"{count} {one if count == 1 else (many or one + 's')}"


def reason(group: str, v: dict, city: City) -> str:
    """One reason in words, from the property's own figures."""
    if group in DEPARTMENT_LABELS:
        label = DEPARTMENT_LABELS[group]
        n30, n90, n365 = v[f"{group}_n30"], v[f"{group}_n90"], v[f"{group}_n365"]
        earlier = (n90 - n30) / 2
        if n365 and n365 == n90 and n90 == n30:
            return f"first {label} record{'s' if n30 > 1 else ''} in a year ({int(n30)} in the last 30 days)"
        if n30 >= 2 and n30 >= 2 * max(earlier, 0.5):
            return f"{label} records doubled: {int(n30)} in the last 30 days against about {earlier:.0f} a month before"
        if n90:
            return f"{_n(n90, label + ' record')} in 90 days ({int(n30)} in the last 30)"
        days = v[f"{group}_days_since"]
        if days <= RADAR_DAYS:
            return f"{_n(n365, label + ' record')} in the past year, the last {int(days)} days ago"
        return f"no {label} record in the past year"
    if group == "nuisance":
        return (f"{_n(v['nuisance90'], 'nuisance-type police call')} in {city.config.nuisance_days} days "
                f"(the chronic-nuisance rule counts from {city.config.nuisance_min_calls})")
    if group == "history":
        if v["days_flagged180"]:
            return f"on the hotspots list {_n(v['days_flagged180'], 'day')} of the last 180"
        return f"current score {v['score']:.1f}"
    if group == "code_cases":
        if v["code_open"]:
            return f"{_n(v['code_open'], 'code case')} still open"
        if v["code_closed365"]:
            return f"{_n(v['code_closed365'], 'code case')} closed in the past year"
        return "no code case in the past year"
    if group == "neighbours":
        nearby = f"{_n(v['neighbour_records90'], 'record')} at the properties around it in 90 days"
        if v["neighbours_flagged"]:
            return nearby + f"; {_n(v['neighbours_flagged'], 'neighbour')} on the list"
        return nearby
    if group == "property":
        use = city.land_uses[int(v["land_use"])].lower() if v["land_use"] == v["land_use"] else "land use unknown"
        return f"{use}, {_n(v['addresses'], 'address', 'addresses')}"
    if group == "trend":
        named = ", ".join(f"{DEPARTMENT_LABELS[d]} {int(v[f'{d}_n90'])}" for d in DEPARTMENTS if v[f"{d}_n90"])
        return (f"{_n(v['total_n90'], 'record')} in 90 days" + (f" ({named})" if named else "")
                + f", {int(v['total_n30'])} of them in the last 30")
    return ""


# --- one run: the backtest and today's list ------------------------------------------------------


@dataclass
class Run:
    today: date                 # the last day the list's cut-off sees
    ranking: str                # what the page shows: model | score | rule
    model: Model | None
    training_first: date | None
    training_last: date | None
    windows: pd.DataFrame       # the backtest, long (one row per window and ranking)
    fairness: pd.DataFrame      # of the shown ranking
    model_fairness: pd.DataFrame
    scores: pd.DataFrame        # today's candidates: property_id, probability, score, nuisance_calls, ranks, reasons
    candidates: int


def run(city: City, windows: int = 8, top: int = 500, step: int = STEP_DAYS) -> Run:
    """The backtest over `windows` windows, the model trained on every cut-off whose 90 days are over,
    and today's ranking of the properties not on the list (the first `top` of each ranking kept)."""
    cache = Cache(city)
    tested = backtest(cache, windows, step)
    ranking = best_ranking(tested.windows)
    all_cutoffs = grid(city, TRAINING_STEP_DAYS)
    _tests, today = cutoffs(city, windows, step)
    training = training_cutoffs(all_cutoffs, today)
    model = train(cache, training)
    frame = cache.features(today)
    values = ranking_values(city, frame, model)
    if model is None and ranking == "model":
        ranking = "score"
    kept: set[int] = set()
    ranks = {}
    for name in RANKINGS:
        if name == "model" and model is None:
            continue
        candidates_order = order(values[name][frame.index.to_numpy()])
        positions = frame.index.to_numpy()[candidates_order]
        ranks[name] = pd.Series(np.arange(1, len(positions) + 1), index=positions)
        kept.update(positions[:top].tolist())
    chosen = frame.loc[sorted(kept)]
    scores = pd.DataFrame({
        "property_id": city.property_ids[chosen.index.to_numpy()],
        "probability": values["model"][chosen.index.to_numpy()] if model is not None else np.nan,
        "score": chosen["score"].to_numpy(),
        "nuisance_calls": chosen["nuisance90"].to_numpy().astype(int),
        **{f"rank_{name}": ranks[name].reindex(chosen.index).to_numpy() if name in ranks else np.nan
           for name in RANKINGS},
    })
    explained = explain(model, chosen, city) if model is not None else [[reason("trend", dict(zip(chosen.columns, r)),
                                                                                city)] for r in chosen.itertuples(index=False)]
    scores["reasons"] = explained
    scores = scores.sort_values(f"rank_{ranking}", kind="stable").reset_index(drop=True)
    return Run(today=city.day(today), ranking=ranking, model=model,
               training_first=city.day(min(training)) if training else None,
               training_last=city.day(max(training)) if training else None,
               windows=tested.windows, fairness=fairness(city, tested, ranking),
               model_fairness=fairness(city, tested, "model"), scores=scores, candidates=len(frame))


def plain_backtest(windows: pd.DataFrame, top: int = 25) -> str:
    """The backtest in plain words, as the page and the command state it."""
    table = summary(windows)
    if table.empty:
        return "There is not enough history for a backtest yet: it needs cut-offs whose 90 days are over."
    n = int(windows["window_end"].nunique())

    def figures(name: str) -> str:
        median, low, high = (table.loc[name, (kind, "hits_25")] for kind in ("median", "low", "high"))
        return f"{median:g} ({low:g} to {high:g})"

    parts = []
    if "model" in table.index:
        parts.append(f"Over the last {n} weekly windows, {figures('model')} of the {top} properties at the top of "
                     f"the early-warning list became hotspots within {HORIZON_DAYS} days (the middle window, and "
                     f"the lowest to the highest).")
        parts.append(f"Of the current score's top {top}: {figures('score')}; of the chronic-nuisance rule's: "
                     f"{figures('rule')}.")
    else:
        parts.append(f"Over the last {n} weekly windows, {figures('score')} of the current score's top {top} became "
                     f"hotspots within {HORIZON_DAYS} days; of the chronic-nuisance rule's: {figures('rule')}.")
    return " ".join(parts)


def training_window_text(first: date | None, last: date | None) -> str:
    if first is None:
        return "no training window"
    return f"cut-offs from {first:%B %-d, %Y} to {last:%B %-d, %Y} (each with its following {HORIZON_DAYS} days)"

