"""Customer-service (CRM / 311) analytics: what residents ask for, how fast the city answers, who
carries the work, and whether some wards are heard more than others.

Every function takes the requests as `storage.department_records.service_requests` returns them (created,
closed, status, category, topic, routed_department, handled_by, team, transferred_from,
transferred_to, transferred_at, property_id, ward) after `prepare()`, and returns a plain frame a
chart or a download can use. Times to close are in days; percentiles interpolate linearly between
the closest ranks (numpy's default), so a median of 1 and 2 days is 1.5.
The rules live in integration/service.toml.
"""

import re
import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

CONFIG_FILE = Path(__file__).resolve().parent / "service.toml"
OPTIONAL_FIELDS = ("routed_department", "handled_by", "team", "transferred_from", "transferred_to", "transferred_at")


@dataclass(frozen=True)
class ServiceConfig:
    kinds: tuple[str, ...]
    category_names: dict[str, str]  # lower-case CRM category -> kind
    topic_patterns: tuple[tuple[str, str], ...]  # (kind, pattern), in the file's order: the order tried
    open_age_days: tuple[int, ...]
    rising_min_requests: int
    ahead_ratio: float
    need_ratio: float
    quiet_ratio: float


@cache
def load_config(path: Path = CONFIG_FILE) -> ServiceConfig:
    """The customer-service rules, read once."""
    with Path(path).open("rb") as handle:
        raw = tomllib.load(handle)
    kinds = tuple(raw["kinds"]["order"])
    unknown = (set(raw["kinds"]["categories"]) | set(raw["kinds"]["topics"])) - set(kinds)
    if unknown:
        raise ValueError(f"{path}: kinds {', '.join(sorted(unknown))} are not in kinds.order")
    service = raw["service"]
    return ServiceConfig(
        kinds=kinds,
        category_names={name.lower(): kind for kind, names in raw["kinds"]["categories"].items() for name in names},
        topic_patterns=tuple((kind, pattern)
                             for kind, patterns in raw["kinds"]["topics"].items() for pattern in patterns),
        open_age_days=tuple(int(day) for day in service["open_age_days"]),
        rising_min_requests=int(service["rising_min_requests"]),
        ahead_ratio=float(service["ahead_ratio"]),
        need_ratio=float(service["need_ratio"]),
        quiet_ratio=float(service["quiet_ratio"]),
    )


@dataclass(frozen=True)
class PlanningConfig:
    weeks: int
    backtest_weeks: int
    backtest_horizon: int
    backtest_refit_weeks: int
    largest_topics: int
    min_weeks: int
    sparse_mean: float
    seasonal_switch: float
    throughput_weeks: int
    staff_now_weeks: int


@cache
def load_planning_config(path: Path = CONFIG_FILE) -> PlanningConfig:
    """The planning settings ([planning] in service.toml), read once."""
    with Path(path).open("rb") as handle:
        raw = tomllib.load(handle)["planning"]
    numbers = {name: (float if kind in (float, "float") else int)(raw[name])
               for name, kind in PlanningConfig.__annotations__.items()}
    config = PlanningConfig(**numbers)
    if min(config.weeks, config.backtest_horizon, config.backtest_weeks, config.backtest_refit_weeks) < 1 \
            or config.min_weeks < 8:
        raise ValueError(f"{path}: [planning] weeks, backtest_weeks, backtest_horizon and backtest_refit_weeks must "
                         "be at least 1, "
                         "min_weeks at least 8")
    return config


def kind_of(category: str | None, topic: str | None, config: ServiceConfig | None = None) -> str:
    """The kind of one request: its CRM category when that names a kind, else its topic's first match."""
    config = config or load_config()
    named = config.category_names.get(str(category or "").strip().lower())
    if named:
        return named
    text = str(topic or category or "")
    for kind, pattern in config.topic_patterns:
        if re.search(pattern, text, flags=re.IGNORECASE):
            return kind
    return config.kinds[0]


NOT_RECORDED = "(not recorded)"


def prepare(requests: pd.DataFrame, as_of: datetime, config: ServiceConfig | None = None, *,
            copy: bool = True) -> pd.DataFrame:
    """The requests with kind, days_to_close (closed ones), open (no close time), age_days (open
    ones, at `as_of`), week (its Monday), transferred and days_to_transfer. Text columns that
    group (kind, topic, routed_department, handled_by, team, transferred_from, transferred_to,
    ward) become categories, a missing value "(not recorded)" (topic: its category). `copy` False:
    `requests` is the caller's to give away, and its columns are replaced in place."""
    config = config or load_config()
    frame = requests.copy() if copy else requests
    for name in OPTIONAL_FIELDS:
        if name not in frame:
            frame[name] = None
    # kind and topic worked out once per distinct (category, topic) pair
    category_codes, categories = _coded(frame["category"], "")
    topic_codes, topics = _coded(frame["topic"], "")
    distinct, pairs = np.unique(category_codes * len(topics) + topic_codes, return_inverse=True)
    pair_category = categories[distinct // len(topics)]
    pair_topic = topics[distinct % len(topics)]
    pair_topic = np.array([topic or category or "(no topic)" for category, topic in zip(pair_category, pair_topic)],
                          dtype=object)
    kinds = np.array([kind_of(c, t, config) for c, t in zip(pair_category, pair_topic)], dtype=object)
    pairs = pairs.reshape(-1)
    frame["kind"] = pd.Categorical(kinds[pairs] if len(kinds) else [], categories=list(config.kinds))
    topic_names = np.array(sorted(set(pair_topic)), dtype=object)
    frame["topic"] = pd.Categorical.from_codes(np.searchsorted(topic_names, pair_topic)[pairs] if len(pairs) else
                                               np.zeros(0, dtype=int), categories=topic_names)
    frame["days_to_close"] = (frame["closed"] - frame["created"]).dt.total_seconds() / 86_400
    frame.loc[frame["days_to_close"] < 0, "days_to_close"] = np.nan  # closed before created: not a time
    frame["open"] = frame["closed"].isna()
    frame["age_days"] = ((pd.Timestamp(as_of) - frame["created"]).dt.total_seconds() / 86_400).where(frame["open"])
    frame["week"] = _mondays(frame["created"])
    moved = _text(frame["transferred_to"], "") != ""
    frame["transferred"] = moved.to_numpy()
    frame["transferred_at"] = pd.to_datetime(frame["transferred_at"].where(moved), errors="coerce")
    frame["days_to_transfer"] = (frame["transferred_at"] - frame["created"]).dt.total_seconds() / 86_400
    for name in ("routed_department", "handled_by", "team", "transferred_from", "transferred_to", "ward"):
        frame[name] = _category(frame[name], NOT_RECORDED)
    return frame


def _text(column: pd.Series, missing: str) -> pd.Series:
    """A column as stripped text, `missing` where empty; worked out once per distinct value."""
    codes, values = _coded(column, missing)
    return pd.Series(values[codes], index=column.index, dtype=object)


def _category(column: pd.Series, missing: str) -> pd.Categorical:
    """_text(column, missing).astype("category"), without a pass over every row's text."""
    codes, values = _coded(column, missing)
    present = np.flatnonzero(np.bincount(codes, minlength=len(values)))
    names, position = np.unique(values[present], return_inverse=True)
    lookup = np.full(len(values), -1)
    lookup[present] = position.reshape(-1)
    return pd.Categorical.from_codes(lookup[codes], categories=names)


def _coded(column: pd.Series, missing: str) -> tuple[np.ndarray, np.ndarray]:
    """(codes, values): the column as stripped text is values[codes], `missing` where empty or missing;
    values may repeat (" A" and "A")."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes, values = column.cat.codes.to_numpy(), column.cat.categories.to_numpy(dtype=object)
    else:
        codes, values = pd.factorize(column.astype(object))
    cleaned = np.array([str(value).strip() or missing for value in values] + [missing], dtype=object)
    return np.where(codes < 0, len(values), codes), cleaned


# --- trends ---------------------------------------------------------------------------------------


def weekly(requests: pd.DataFrame, start: datetime, end: datetime, by: str = "kind",
           history: pd.DataFrame | None = None) -> pd.DataFrame:
    """Requests per week and `by` (kind or topic) in start < created <= end, beside the same weeks a
    year (52 weeks) before when `history` covers them, else the whole weeks just before.

    Columns: week, <by>, requests, compared (the comparison week's count); attrs["compared_with"]."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    history = requests if history is None else history
    year_ago = start - pd.Timedelta(weeks=52)
    if not history.empty and history["created"].min() <= year_ago + pd.Timedelta(days=7):
        shift, label = pd.Timedelta(weeks=52), "the same weeks a year before"
    else:  # whole weeks, so each week is compared with a Monday-to-Sunday week too
        weeks = (_monday(end) - _monday(start)).days // 7 + 1
        shift, label = pd.Timedelta(weeks=weeks), "the weeks just before"
    now = _per_week(requests, start, end, by)
    before = _per_week(history, start - shift, end - shift, by)
    before["week"] = before["week"] + shift  # onto the week it is compared with
    joined = now.merge(before.rename(columns={"requests": "compared"}), on=["week", by], how="outer")
    joined = joined[(joined["week"] >= _monday(start)) & (joined["week"] <= _monday(end))]
    joined = joined.fillna({"requests": 0, "compared": 0})
    joined[["requests", "compared"]] = joined[["requests", "compared"]].astype(int)
    joined = joined.sort_values(["week", by]).reset_index(drop=True)
    joined.attrs["compared_with"] = label
    return joined


def _monday(day) -> pd.Timestamp:
    day = pd.Timestamp(day).normalize()
    return day - pd.Timedelta(days=day.weekday())


def _mondays(moments: pd.Series) -> pd.Series:
    return moments.dt.normalize() - pd.to_timedelta(moments.dt.day_of_week, unit="D")


def _per_week(requests: pd.DataFrame, start, end, by: str) -> pd.DataFrame:
    inside = requests[(requests["created"] > start) & (requests["created"] <= end)]
    return (inside.assign(week=_mondays(inside["created"])).groupby(["week", by], observed=True).size()
            .rename("requests").reset_index())


def rising_topics(requests: pd.DataFrame, end: datetime, days: int = 28,
                  config: ServiceConfig | None = None) -> pd.DataFrame:
    """Topics by how much they grew: requests in the `days` to `end` against the `days` before.

    Columns: topic, kind, requests, before, change, growth (requests / before; inf when new).
    Only topics with at least rising_min_requests in the window; fastest-rising first."""
    config = config or load_config()
    end = pd.Timestamp(end)
    window = timedelta(days=days)
    now = requests[(requests["created"] > end - window) & (requests["created"] <= end)]
    before = requests[(requests["created"] > end - 2 * window) & (requests["created"] <= end - window)]
    counts = pd.DataFrame({"requests": now.groupby("topic").size(), "before": before.groupby("topic").size()})
    counts = counts.fillna(0).astype(int)
    counts = counts[counts["requests"] >= config.rising_min_requests]
    kinds = requests.drop_duplicates("topic").set_index("topic")["kind"]
    counts["kind"] = kinds.reindex(counts.index)
    counts["change"] = counts["requests"] - counts["before"]
    counts["growth"] = np.where(counts["before"] > 0, counts["requests"] / counts["before"].clip(lower=1), np.inf)
    counts = counts.sort_values(["change", "growth"], ascending=False)
    return counts.rename_axis("topic").reset_index()[["topic", "kind", "requests", "before", "change", "growth"]]


# --- service --------------------------------------------------------------------------------------


def time_to_close(requests: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per `by` (kind, topic, routed_department, handled_by, team): requests, closed, still open,
    median and 90th-percentile days to close (closed requests). Slowest median first."""
    groups = requests.groupby(by, observed=True)
    table = pd.DataFrame({
        "requests": groups.size(),
        "closed": groups["days_to_close"].count(),
        "open": groups["open"].sum().astype(int),
        "median_days": groups["days_to_close"].median(),
        "p90_days": groups["days_to_close"].quantile(0.9),
    })
    return table.sort_values("median_days", ascending=False, na_position="last").reset_index()


def open_by_age(requests: pd.DataFrame, config: ServiceConfig | None = None) -> pd.DataFrame:
    """Open requests per kind and age band. Columns: kind, age (a label), order, requests."""
    config = config or load_config()
    edges = [0, *config.open_age_days, np.inf]
    labels = [f"{low}–{high} days" for low, high in zip(edges[:-2], edges[1:-1])] + [f"over {edges[-2]} days"]
    still = requests[requests["open"]]
    bands = pd.cut(still["age_days"], bins=edges, labels=labels, right=True, include_lowest=True)
    table = still.assign(age=bands).groupby(["kind", "age"], observed=False).size().rename("requests").reset_index()
    table["order"] = table["age"].cat.codes
    table["age"] = table["age"].astype(str)
    return table[table["kind"].isin(still["kind"].unique())].reset_index(drop=True)


def transfers(requests: pd.DataFrame) -> pd.DataFrame:
    """Requests moved between departments, per (transferred_from, transferred_to): requests, median
    days until the transfer, median days to close, and the median days to close of the same
    topics' untransferred requests; `added_days` is the difference, what a transfer costs."""
    moved = requests[requests["transferred"]]
    if moved.empty:
        return pd.DataFrame(columns=["transferred_from", "transferred_to", "requests", "median_days_to_transfer",
                                     "median_days_to_close", "untransferred_median_days", "added_days"])
    direct = requests[~requests["transferred"]].groupby("topic")["days_to_close"].median()
    moved = moved.assign(direct=moved["topic"].map(direct).astype(float))
    groups = moved.groupby(["transferred_from", "transferred_to"])
    table = pd.DataFrame({
        "requests": groups.size(),
        "median_days_to_transfer": groups["days_to_transfer"].median(),
        "median_days_to_close": groups["days_to_close"].median(),
        # the untransferred requests of the same mix of topics
        "untransferred_median_days": groups["direct"].median(),
    })
    table["added_days"] = table["median_days_to_close"] - table["untransferred_median_days"]
    return table.sort_values("requests", ascending=False).reset_index()


def transfer_delay(requests: pd.DataFrame) -> float | None:
    """The median, over transferred requests, of their days to close minus the median of their
    topic's untransferred requests: what a transfer costs a resident, in days (None: no transfers)."""
    moved = requests[requests["transferred"]]
    if moved.empty:
        return None
    direct = requests[~requests["transferred"]].groupby("topic")["days_to_close"].median()
    extra = (moved["days_to_close"] - moved["topic"].map(direct).astype(float)).dropna()
    return float(extra.median()) if len(extra) else None


# --- workload -------------------------------------------------------------------------------------


def workload(requests: pd.DataFrame, by: str = "handled_by") -> pd.DataFrame:
    """Requests per week and staff member (by="handled_by") or team (by="team"), with the median
    days to close of those requests. Columns: week, <by>, requests, median_days."""
    groups = requests.groupby(["week", by], observed=True)
    return (pd.DataFrame({"requests": groups.size(), "median_days": groups["days_to_close"].median()})
            .reset_index().sort_values(["week", by]).reset_index(drop=True))


def workload_summary(requests: pd.DataFrame, by: str = "handled_by") -> pd.DataFrame:
    """Per staff member or team over the whole period: team (for staff), requests, share of all,
    requests per active week, median and p90 days to close, still open. Busiest first."""
    table = time_to_close(requests, by).set_index(by)
    table["share"] = table["requests"] / table["requests"].sum()
    table["per_week"] = requests.groupby(by)["week"].nunique().pipe(lambda weeks: table["requests"] / weeks)
    if by == "handled_by":
        table.insert(0, "team", requests.groupby(by)["team"].agg(lambda teams: teams.mode().iat[0]))
    return table.sort_values("requests", ascending=False).reset_index()


# --- equity ---------------------------------------------------------------------------------------


def equity(requests: pd.DataFrame, populations: pd.DataFrame, other_records: pd.DataFrame,
           flagged_wards: pd.Series, config: ServiceConfig | None = None) -> pd.DataFrame:
    """Per ward: residents, requests and requests per 1,000 residents, police and fire records per
    1,000, the ward's share of flagged properties, and how requests compare with the other evidence.

    requests: prepared requests (only those placed on a property have a ward).
    populations: ward, population. other_records: ward, department, records (records_per_ward).
    flagged_wards: the ward of each flagged property (one value per property).
    `index` is (requests per 1,000 / city rate) / (police and fire per 1,000 / city rate): above
    ahead_ratio the ward's complaints run ahead of the other evidence ("heard more"); "need high,
    few requests" when police and fire run need_ratio above the city rate and requests below
    quiet_ratio of it. Wards without a population get no rates.
    """
    config = config or load_config()
    wards = populations.assign(ward=populations["ward"].astype(str)).set_index("ward")["population"].astype(float)
    placed = requests[requests["ward"] != NOT_RECORDED]
    counts = placed.groupby("ward").size()
    evidence = (other_records[other_records["department"].isin(["police", "fire"])]
                .assign(ward=lambda f: f["ward"].astype(str)).groupby("ward")["records"].sum())
    flagged = flagged_wards.astype(str).value_counts()
    index = sorted(set(wards.index) | set(counts.index) | set(evidence.index), key=lambda w: (len(w), w))
    table = pd.DataFrame(index=pd.Index(index, name="ward"))
    table["population"] = wards.reindex(table.index)
    table["requests"] = counts.reindex(table.index, fill_value=0)
    table["police_fire_records"] = evidence.reindex(table.index, fill_value=0)
    table["flagged_properties"] = flagged.reindex(table.index, fill_value=0)
    table["requests_per_1000"] = 1000 * table["requests"] / table["population"]
    table["police_fire_per_1000"] = 1000 * table["police_fire_records"] / table["population"]
    table["flagged_share"] = table["flagged_properties"] / max(int(table["flagged_properties"].sum()), 1)
    known = table["population"].notna()
    city_requests = 1000 * table.loc[known, "requests"].sum() / table.loc[known, "population"].sum()
    city_evidence = 1000 * table.loc[known, "police_fire_records"].sum() / table.loc[known, "population"].sum()
    request_ratio = table["requests_per_1000"] / city_requests
    evidence_ratio = table["police_fire_per_1000"] / city_evidence
    table["index"] = request_ratio / evidence_ratio.where(evidence_ratio > 0)
    table["reading"] = np.select(
        [table["index"] >= config.ahead_ratio,
         (evidence_ratio >= config.need_ratio) & (request_ratio <= config.quiet_ratio)],
        ["requests run ahead of other evidence", "need high, few requests"], default="")
    table.attrs["city_requests_per_1000"] = city_requests
    table.attrs["city_police_fire_per_1000"] = city_evidence
    return table.reset_index()
