"""Customer-service planning: how many requests are coming, how far to trust that, and who is needed.

Entry points: `plan(requests, by)` (the forecast per week of the city-wide series and of one grouping,
with its backtest beside two baselines), `staffing_basis(requests, by, last_week)` and
`staffing(forecast, basis)` (the staff-weeks the forecast needs), and `main(argv)`, the command line
`python -m integration forecast`.

Weeks run Monday to Sunday on the created time, which the loaders store in the city's time zone
(CITY_TIMEZONE). The model is statsmodels' exponential smoothing (ETS, additive errors; no trend or a
damped trend, whichever has the lower AICc) on the weekly counts with US federal holiday weeks, and
the weeks after them, adjusted by the effect the city's own weeks show; with two years or more, the series is first
seasonally adjusted (STL, 52 weeks). Settings: [planning] in integration/service.toml.
"""

import argparse
import csv
import sys
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from pandas.tseries.holiday import USFederalHolidayCalendar
from threadpoolctl import threadpool_limits

from integration.service import NOT_RECORDED, PlanningConfig, load_planning_config

CITY = "all"  # the city-wide series, named as the command line's CSV names it
OTHER_TOPICS = "(other topics)"
GROUPINGS = {"kind": "Kind", "topic": "Topic", "routed_department": "Department routed"}
STAFF_GROUPINGS = {"team": "Team", "routed_department": "Department routed"}
MODEL, SEASONAL_NAIVE, LAST4 = "model", "same weeks a year before", "mean of the last 4 weeks"
YEAR = 52
Z80, Z95 = 1.2815515655446004, 1.959963984540054


class NothingToForecast(ValueError):
    """The requests hold no whole week to forecast from; the message says why."""


# --- weeks ---------------------------------------------------------------------------------------


def city_now() -> datetime:
    """Now on the city's clock, without a zone, as the loaders store created times."""
    from loaders.dates import city_timezone  # the one place the city's zone is read

    return datetime.now(ZoneInfo(city_timezone())).replace(tzinfo=None)


def monday(day) -> pd.Timestamp:
    day = pd.Timestamp(day).normalize()
    return day - pd.Timedelta(days=day.weekday())


@dataclass(frozen=True)
class Weeks:
    counts: pd.DataFrame           # index: the Monday of each whole week loaded; columns: "all", then each series
    factors: pd.Series             # per week, past and ahead: expected requests against an ordinary week
    notes: tuple[str, ...]         # what a planner should know about the data (left out, gaps, too short)
    ahead: pd.DatetimeIndex        # the weeks forecast
    first_seen: dict[str, pd.Timestamp] = field(default_factory=dict)  # each series' first request


def weekly_counts(requests: pd.DataFrame, by: str, weeks: int, today: datetime | None = None,
                  largest_topics: int = 0) -> Weeks:
    """Requests per whole week, city-wide and per `by`, with the holiday factors and the notes.

    Requests dated after `today` are left out (and said so); a first or last week the requests only
    partly cover is left out of the history and the last one is forecast. Raises NothingToForecast."""
    today = pd.Timestamp(today or city_now())
    created = requests["created"]
    dated = created.notna()
    notes = []
    future = dated & (created > today)
    if future.any():
        latest = created[future].max()
        notes.append(f"{int(future.sum()):,} request{'s are' if future.sum() > 1 else ' is'} dated after today "
                     f"(the latest {latest:%Y-%m-%d}): left out of the forecast. Check the CRM extract's created "
                     "dates.")
    kept = requests[dated & ~future]
    if kept.empty:
        raise NothingToForecast("No customer-service requests are loaded" + (" with a created date up to today"
                                                                              if len(requests) else "")
                                + ": load a CRM extract on the Upload page (or `python -m loaders`), then forecast.")
    created = kept["created"]
    weekday_share = created.dt.day_of_week.value_counts(normalize=True)
    usual = weekday_share[weekday_share >= 0.01].index
    first_week, last_week = monday(created.min()), monday(created.max())
    if created.min().weekday() > usual.min():
        first_week += pd.Timedelta(weeks=1)  # a first week the data begin in the middle of
    if created.max().weekday() < usual.max():
        last_week -= pd.Timedelta(weeks=1)  # the week still coming in: forecast with the weeks ahead
        notes.append(f"The week of {last_week + pd.Timedelta(weeks=1):%Y-%m-%d} is not complete (the requests end "
                     f"on {created.max():%Y-%m-%d}): it is the first week forecast.")
    if last_week < first_week:
        raise NothingToForecast(f"The requests cover {created.min():%Y-%m-%d} to {created.max():%Y-%m-%d}, not one "
                                "whole week: load more before forecasting.")
    index = pd.date_range(first_week, last_week, freq="7D")
    inside = kept[(created >= first_week) & (created < last_week + pd.Timedelta(weeks=1))]
    # counted per distinct (week, name) pair: the text and dates of 200,000 requests are not touched one by one
    moments = inside["created"]
    week = moments.dt.normalize() - pd.to_timedelta(moments.dt.day_of_week, unit="D")
    names = (inside[by] if by in inside else pd.Series(NOT_RECORDED, index=inside.index)).astype("category")
    pairs = pd.DataFrame({"week": week, "name": names}).groupby(["week", "name"], observed=True).size()
    totals = pairs.groupby(level="name", observed=True).sum().sort_values(ascending=False, kind="stable")
    if by == "topic" and largest_topics and len(totals) > largest_topics:
        rest = totals.index[largest_topics:]
        named = pairs.rename(index={name: OTHER_TOPICS for name in rest}, level="name")
        pairs = named.groupby(level=["week", "name"]).sum()
        order = [*map(str, totals.index[:largest_topics]), OTHER_TOPICS]
    else:
        order = [str(name) for name in totals.index]
    table = pairs.unstack("name", fill_value=0)
    table.columns = [str(name) for name in table.columns]
    table = table.reindex(index=index, columns=order, fill_value=0)
    counts = pd.concat([table.sum(axis=1).rename(CITY), table], axis=1).astype(float)
    counts.index.name = "week"
    first = pairs.reset_index().groupby("name", observed=True)["week"].min()
    first_seen = {CITY: index[0], **{str(name): day for name, day in first.items()}}

    empty = counts.index[counts[CITY] == 0]
    if len(empty):
        notes.append(f"{len(empty)} week{'s have' if len(empty) > 1 else ' has'} no requests at all (the first "
                     f"{empty[0]:%Y-%m-%d}): counted as none. If the extracts miss those weeks, load them.")
    if len(index) < YEAR:
        notes.append(f"The requests cover {len(index)} whole weeks, under a year: there are no same weeks a year "
                     "before, so no seasonal baseline; forecasts are compared with the mean of the last four weeks.")
    elif len(index) < YEAR + 26:
        notes.append(f"The requests cover {len(index)} whole weeks: the backtest weeks have no same weeks a year "
                     "before, so the seasonal baseline cannot be scored, and a season is learnt from one year only.")
    ahead = pd.date_range(last_week + pd.Timedelta(weeks=1), periods=weeks, freq="7D")
    factors = holiday_factors(counts[CITY], index.append(ahead))
    return Weeks(counts=counts, factors=factors, notes=tuple(notes), ahead=ahead, first_seen=first_seen)


def holiday_weeks(index: pd.DatetimeIndex) -> pd.Series:
    """Per week, the US federal holidays (as observed) falling on a weekday in it."""
    days = USFederalHolidayCalendar().holidays(index.min(), index.max() + pd.Timedelta(days=6))
    days = days[days.day_of_week < 5]
    return pd.Series(days - pd.to_timedelta(days.day_of_week, unit="D")).value_counts().reindex(index, fill_value=0)


def holiday_factors(city: pd.Series, index: pd.DatetimeIndex) -> pd.Series:
    """Per week of `index`: 1 for an ordinary week; for a week with a federal holiday, and for the
    week after one (when requests put off catch up), the median ratio, over such weeks loaded, of
    its requests to the mean of the nearest ordinary weeks before and after it. 1 until three such
    weeks are loaded, or while the effect is within twice its standard error as ordinary weeks
    stray from theirs (chance); kept within 0.5 and 1.5."""
    holidays = holiday_weeks(index.union([index[0] - pd.Timedelta(weeks=1)]))
    kind = pd.Series("ordinary", index=holidays.index)
    kind[(holidays.shift(1, fill_value=0) > 0).to_numpy() & (holidays == 0).to_numpy()] = "after"
    kind[(holidays > 0).to_numpy()] = "holiday"
    kind = kind.reindex(index)
    past = kind.reindex(city.index)
    ordinary = city[past == "ordinary"]

    def ratios(weeks) -> np.ndarray:
        found = []
        for week in weeks:
            before = ordinary[:week - pd.Timedelta(days=1)].tail(1)
            after = ordinary[week + pd.Timedelta(days=1):].head(1)
            if len(before) and len(after) and (after.index[0] - before.index[0]).days <= 35:
                beside = (before.iloc[0] + after.iloc[0]) / 2
                if beside > 0:
                    found.append(city[week] / beside)
        return np.array(found)

    # how far an ordinary week strays from the weeks beside it: an effect smaller than that could be chance
    spread = float(np.std(ratios(ordinary.index))) if len(ordinary) > 8 else 0.0
    effects = {"ordinary": 1.0}
    for which in ("holiday", "after"):
        seen = ratios(city.index[(past == which).to_numpy()])
        effect = float(np.median(seen)) if len(seen) >= 3 else 1.0
        if abs(effect - 1) <= 2 * spread / np.sqrt(max(len(seen), 1)):
            effect = 1.0
        effects[which] = float(np.clip(effect, 0.5, 1.5))
    return kind.map(effects).astype(float)


# --- one series ----------------------------------------------------------------------------------


@dataclass
class Forecast:
    method: str
    mean: np.ndarray
    sd: np.ndarray
    note: str = ""


FORMS = {"level": {}, "damped": {"trend": "add", "damped_trend": True}}


def _fit_ets(values: np.ndarray, starts: dict | None, refit: bool = True):
    """The ETS fit with the lower AICc: additive errors, no trend or a damped additive trend.
    `starts` carries each form's parameters from the previous fit of nearly the same data; with
    refit False, the form and parameters chosen last are kept and only run over the new data."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    if not refit and starts and "chosen" in starts:
        form, params = starts["chosen"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ETSModel(values, error="add", **FORMS[form]).smooth(params)
    best, best_form = None, None
    for form, options in FORMS.items():
        if form == "damped" and len(values) < 20:
            continue
        start = (starts or {}).get(form)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                fitted = ETSModel(values, error="add", **options).fit(disp=False, start_params=start)
            except (ValueError, np.linalg.LinAlgError):
                continue
        if not np.isfinite(fitted.aicc) or not np.all(np.isfinite(fitted.params)):
            continue
        if starts is not None:
            starts[form] = fitted.params
        if best is None or fitted.aicc < best.aicc:
            best, best_form = fitted, form
    if best is not None and starts is not None:
        starts["chosen"] = (best_form, best.params)
    return best


def forecast_series(history: np.ndarray, factors: np.ndarray, steps: int, config: PlanningConfig,
                    starts: dict | None = None, with_spread: bool = True, refit: bool = True) -> Forecast:
    """The forecast of one weekly series `steps` weeks ahead: the model, or a baseline when the
    series is too short or too sparse (said in the note). `factors`: the holiday factors of the
    history's weeks, then of the weeks ahead."""
    weeks = len(history)
    past, ahead = factors[:weeks], factors[weeks:weeks + steps]
    last4 = float(history[-4:].mean()) if weeks else 0.0
    # the same weeks a year before, where the history holds them (NaN where it does not)
    same_weeks = np.array([history[weeks - YEAR + step] if 0 <= weeks - YEAR + step < weeks else np.nan
                           for step in range(steps)])
    seen = np.flatnonzero(history)
    if not len(seen):
        return Forecast(LAST4, np.zeros(steps), np.zeros(steps), "no requests in any week loaded")
    active = history[seen[0]:]
    recent = active[-26:]

    def spread_of_last4() -> np.ndarray:
        errors = [active[t] - active[t - 4:t].mean() for t in range(4, len(active))]
        return np.full(steps, float(np.std(errors)) if len(errors) >= 4 else float(np.std(active)) * 1.12)

    if len(active) < config.min_weeks:
        return Forecast(LAST4, np.full(steps, last4), spread_of_last4() if with_spread else np.zeros(steps),
                        f"too short for a model: {len(active)} weeks since its first request")
    if recent.mean() < config.sparse_mean:
        method, mean, note = LAST4, np.full(steps, last4), (f"too sparse for a model: {recent.mean():.1f} requests a "
                                                              f"week over the last {len(recent)}")
        sd = spread_of_last4() if with_spread else np.zeros(steps)
    else:
        method, note = MODEL, ""
        adjusted = active / past[seen[0]:]
        seasonal_ahead = np.zeros(steps)
        if len(active) >= 2 * YEAR:
            from statsmodels.tsa.seasonal import STL

            seasonal = STL(adjusted, period=YEAR, robust=True).fit().seasonal
            adjusted = adjusted - seasonal
            seasonal_ahead = np.array([seasonal[len(seasonal) - YEAR + step % YEAR] for step in range(steps)])
        fitted = _fit_ets(adjusted, starts, refit)
        if fitted is None:
            return Forecast(LAST4, np.full(steps, last4), spread_of_last4() if with_spread else np.zeros(steps),
                            "the model could not be fitted")
        mean = np.clip((np.asarray(fitted.forecast(steps)) + seasonal_ahead) * ahead, 0, None)
        sd = np.zeros(steps)
        if with_spread:
            # statsmodels' analytic forecast variance of the fitted ETS at each step ahead (what its
            # get_prediction reports for a pandas series)
            relative = np.array([fitted._relative_forecast_variance(step) for step in range(1, steps + 1)])
            sd = np.sqrt(fitted.mse * relative.ravel()) * ahead
    held = ~np.isnan(same_weeks)
    if len(active) < 2 * YEAR and held.sum() * 2 >= steps:
        # Under two years no model sees a season; where the same weeks a year before (with requests
        # loaded for the city then) tell a very different story, they are the better guess.
        ours, theirs = mean[held].sum(), same_weeks[held].sum()
        if abs(ours - theirs) > config.seasonal_switch * max(ours, theirs, 1e-9):
            return Forecast(SEASONAL_NAIVE, np.where(held, same_weeks, mean), sd,
                            f"seasonal: the same weeks a year before had {theirs:,.0f} requests against the "
                            f"{ours:,.0f} of the {method}, and one year is too little for a model to learn a season")
    return Forecast(method, mean, sd, note)


def backtest(history: np.ndarray, factors: np.ndarray, config: PlanningConfig, horizon: int,
             weeks: int | None = None, starts: dict | None = None) -> dict:
    """Rolling-origin backtest over the last `weeks` weeks: from every origin before them, the
    forecast 1..`horizon` weeks ahead (the same procedure as `forecast_series`), scored as WAPE
    (sum of absolute errors / sum of requests) beside the same weeks a year before and the mean of
    the last four weeks, on the same weeks. None for a baseline that cannot be computed."""
    weeks = min(weeks or config.backtest_weeks, len(history) - 8)
    result = {"weeks": max(weeks, 0), "model_wape": None, "seasonal_naive_wape": None, "last4_wape": None}
    if weeks < 1:
        return result
    total = len(history)
    errors = {"model": 0.0, "seasonal": 0.0, "last4": 0.0}
    actual, seasonal_ok = 0.0, True
    starts = {} if starts is None else starts  # each origin's fit starts from the one before
    for origin in range(total - weeks, total):
        steps = min(horizon, total - origin)
        past = history[:origin]
        truth = history[origin:origin + steps]
        # the model is chosen and estimated afresh every backtest_refit_weeks origins, as a planner would
        # re-run it, and in between only runs over the weeks that came in
        refit = (origin - (total - weeks)) % config.backtest_refit_weeks == 0
        predicted = forecast_series(past, factors[:origin + steps], steps, config, starts, with_spread=False,
                                    refit=refit)
        errors["model"] += float(np.abs(truth - predicted.mean).sum())
        errors["last4"] += float(np.abs(truth - past[-4:].mean()).sum())
        if origin - YEAR >= 0:
            errors["seasonal"] += float(np.abs(truth - history[origin - YEAR:origin - YEAR + steps]).sum())
        else:
            seasonal_ok = False
        actual += float(truth.sum())
    if actual > 0:
        result["model_wape"] = errors["model"] / actual
        result["last4_wape"] = errors["last4"] / actual
        result["seasonal_naive_wape"] = errors["seasonal"] / actual if seasonal_ok else None
    return result


# --- the plan ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    by: str
    history: pd.DataFrame    # week, series, requests: every whole week loaded
    forecast: pd.DataFrame   # week, series, forecast, low_80, high_80, low_95, high_95, method
    accuracy: pd.DataFrame   # series, method, weeks, model_wape, seasonal_naive_wape, last4_wape, note
    notes: tuple[str, ...]
    settings: dict

    @property
    def last_week(self) -> pd.Timestamp:
        return self.history["week"].max()


def plan(requests: pd.DataFrame, by: str = "kind", weeks: int | None = None, horizon: int | None = None,
         today: datetime | None = None, largest_topics: int | None = None, backtest_weeks: int | None = None,
         scored: bool = True, config: PlanningConfig | None = None) -> Plan:
    """Requests per week for the `weeks` ahead, city-wide ("all") and per `by` (kind, topic,
    routed_department or team), with 80% and 95% intervals, and (scored) each series' backtest
    beside the baselines. Topics beyond the `largest_topics` are forecast together (0: each alone).
    Raises NothingToForecast when nothing can be."""
    config = config or load_planning_config()
    weeks = weeks or config.weeks
    horizon = horizon or config.backtest_horizon
    largest_topics = config.largest_topics if largest_topics is None else largest_topics
    counted = weekly_counts(requests, by, weeks, today, largest_topics)
    with threadpool_limits(limits=1):  # tiny fits: a BLAS thread pool only contends for the cores
        rows, scores = [], []
        for name in counted.counts.columns:
            forecast, score = _one_series(counted, name, weeks, horizon, backtest_weeks, scored, config)
            rows.append(forecast)
            scores.append(score)
    history = counted.counts.rename_axis("week").reset_index().melt(id_vars="week", var_name="series",
                                                                     value_name="requests")
    accuracy = pd.DataFrame(scores, columns=["series", "method", "weeks", "model_wape", "seasonal_naive_wape",
                                             "last4_wape", "note"])
    settings = {"forecast by": GROUPINGS.get(by, STAFF_GROUPINGS.get(by, by)), "weeks ahead": weeks,
                "backtest": f"the last {config.backtest_weeks} weeks, 1 to {horizon} weeks ahead",
                "history": f"{counted.counts.index[0]:%Y-%m-%d} to "
                           f"{counted.counts.index[-1] + pd.Timedelta(days=6):%Y-%m-%d}"}
    if by == "topic" and largest_topics:
        settings["topics"] = f"the {largest_topics} largest, the rest as {OTHER_TOPICS}"
    return Plan(by=by, history=history, forecast=pd.concat(rows, ignore_index=True), accuracy=accuracy,
                notes=counted.notes, settings=settings)


def _one_series(counted: Weeks, name: str, weeks: int, horizon: int, backtest_weeks: int | None, scored: bool,
                config: PlanningConfig) -> tuple[pd.DataFrame, dict]:
    values, factors = counted.counts[name].to_numpy(), counted.factors.to_numpy()
    starts: dict = {}  # the backtest's last fit, on one week less, starts the final one
    score = backtest(values, factors, config, horizon, backtest_weeks, starts) if scored else {}
    result = forecast_series(values, factors, weeks, config, starts)
    rows = pd.DataFrame({
        "week": counted.ahead, "series": name, "forecast": result.mean,
        "low_80": np.clip(result.mean - Z80 * result.sd, 0, None), "high_80": result.mean + Z80 * result.sd,
        "low_95": np.clip(result.mean - Z95 * result.sd, 0, None), "high_95": result.mean + Z95 * result.sd,
        "method": result.method})
    note = result.note
    if scored and score["weeks"] and score["model_wape"] is None:
        note = "; ".join(filter(None, [note, "no requests in the backtest weeks to score it on"]))
    first = counted.first_seen.get(name)
    if first is not None and first > counted.counts.index[0] and "too short" in note:
        note = f"first requested in the week of {first:%Y-%m-%d}: {note}"
    return rows, {"series": name, "method": result.method, **score, "note": note}


# --- staffing ------------------------------------------------------------------------------------


def staffing_basis(requests: pd.DataFrame, by: str, last_week: pd.Timestamp,
                   config: PlanningConfig | None = None) -> pd.DataFrame:
    """Per team or department routed (`by`): the staff working now (distinct staff members with a
    request in the last staff_now_weeks whole weeks) and what one person handles a week (the median,
    over the last throughput_weeks weeks, of the week's requests over its distinct staff members).
    Empty when the requests say nothing of who handled them."""
    config = config or load_planning_config()
    columns = ["group", "staff_now", "per_person", "weeks_seen"]
    end = last_week + pd.Timedelta(weeks=1)
    recent = requests[(requests["created"] >= end - pd.Timedelta(weeks=config.throughput_weeks))
                      & (requests["created"] < end)]
    handled = recent[(recent["handled_by"].astype(str) != NOT_RECORDED) & (recent[by].astype(str) != NOT_RECORDED)]
    if handled.empty:
        return pd.DataFrame(columns=columns)
    week = handled["created"].dt.normalize() - pd.to_timedelta(handled["created"].dt.day_of_week, unit="D")
    frame = pd.DataFrame({"group": handled[by].astype(str), "week": week, "who": handled["handled_by"].astype(str)})
    weekly = frame.groupby(["group", "week"]).agg(requests=("who", "size"), staff=("who", "nunique"))
    weekly["per_person"] = weekly["requests"] / weekly["staff"]
    now = frame[frame["week"] >= end - pd.Timedelta(weeks=config.staff_now_weeks)]
    table = pd.DataFrame({"staff_now": now.groupby("group")["who"].nunique(),
                          "per_person": weekly.groupby(level="group")["per_person"].median(),
                          "weeks_seen": weekly.groupby(level="group").size()})
    table["staff_now"] = table["staff_now"].fillna(0).astype(int)
    return table.rename_axis("group").reset_index()[columns].sort_values("group").reset_index(drop=True)


def staffing(forecast: pd.DataFrame, basis: pd.DataFrame) -> pd.DataFrame:
    """Per week and group: the forecast requests (and the 80% interval's top), the staff-weeks they
    need at the basis's requests per person, the staff now, and the shortfall (need above staff).

    forecast: Plan.forecast rows of the groups; basis: group, staff_now, per_person (edited or not)."""
    joined = forecast.merge(basis[["group", "staff_now", "per_person"]], left_on="series", right_on="group")
    rate = joined["per_person"].where(joined["per_person"] > 0)
    joined["staff_needed"] = joined["forecast"] / rate
    joined["staff_needed_high"] = joined["high_80"] / rate
    joined["shortfall"] = (joined["staff_needed"] - joined["staff_now"]).clip(lower=0)
    return joined[["week", "group", "forecast", "high_80", "per_person", "staff_needed", "staff_needed_high",
                   "staff_now", "shortfall"]].reset_index(drop=True)


# --- the command line ----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """python -m integration forecast: the forecast on the database in DATABASE_URL, printed; with
    --backtest N the backtest WAPE of the model and both baselines, and with --out FILE those as CSV."""
    config = load_planning_config()
    parser = argparse.ArgumentParser(
        prog="python -m integration forecast",
        description="Customer-service requests per week ahead, on the database in DATABASE_URL.")
    parser.add_argument("--department", required=True, help="the department whose requests to forecast: crm")
    parser.add_argument("--by", choices=list(GROUPINGS), help="also forecast each kind, topic or department routed")
    parser.add_argument("--weeks", type=int, default=config.weeks, help=f"weeks ahead (default {config.weeks})")
    parser.add_argument("--backtest", type=int, metavar="N",
                        help=f"score the forecasts of the last {config.backtest_weeks} weeks made 1 to N weeks ahead")
    parser.add_argument("--out", type=Path, help="with --backtest: write the scores as CSV (series, weeks, "
                        "model_wape, seasonal_naive_wape, last4_wape; weeks: the weeks scored)")
    args = parser.parse_args(argv)
    if args.department.strip().lower() != "crm":
        parser.error(f"--department {args.department}: only crm (the customer-service requests) is forecast")
    if not 1 <= args.weeks <= YEAR:
        parser.error(f"--weeks {args.weeks}: give 1 to {YEAR} weeks")
    if args.backtest is not None and not 1 <= args.backtest <= config.backtest_weeks:
        parser.error(f"--backtest {args.backtest}: give 1 to {config.backtest_weeks} weeks ahead")
    if args.out and args.backtest is None:
        parser.error("--out writes the backtest: give --backtest N too")

    from services.requests import requests as stored_requests
    from storage.engine import create_engine

    try:
        engine = create_engine()
        requests = stored_requests(engine, None)
    except Exception as error:  # an unreachable or unmigrated database: say which, not a traceback
        print(f"forecast: cannot read the requests from DATABASE_URL's database: {error}".splitlines()[0],
              file=sys.stderr)
        return 1
    try:
        result = plan(requests, by=args.by or "kind", weeks=args.weeks, horizon=args.backtest, largest_topics=0,
                      scored=args.backtest is not None)
    except NothingToForecast as error:
        print(f"forecast: {error}", file=sys.stderr)
        return 1
    shown = result.forecast if args.by else result.forecast[result.forecast["series"] == CITY]
    for note in result.notes:
        print(f"note: {note}")
    print(f"Requests per week ahead ({', '.join(f'{k}: {v}' for k, v in result.settings.items())})")
    print(_text_table(shown.assign(week=shown["week"].dt.strftime("%Y-%m-%d")),
                      {"forecast": "{:.0f}", "low_80": "{:.0f}", "high_80": "{:.0f}", "low_95": "{:.0f}",
                       "high_95": "{:.0f}"}))
    if args.backtest is not None:
        scores = result.accuracy if args.by else result.accuracy[result.accuracy["series"] == CITY]
        print(f"\nBacktest WAPE: the last {config.backtest_weeks} weeks, each forecast 1 to {args.backtest} weeks "
              "ahead (blank: cannot be computed)")
        print(_text_table(scores, {name: "{:.1%}" for name in ("model_wape", "seasonal_naive_wape", "last4_wape")}))
        if args.out:
            with args.out.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(["series", "weeks", "model_wape", "seasonal_naive_wape", "last4_wape"])
                for row in scores.itertuples():
                    writer.writerow([row.series, row.weeks, *("" if value is None or pd.isna(value)
                                                              else f"{value:.4f}" for value in
                                                              (row.model_wape, row.seasonal_naive_wape,
                                                               row.last4_wape))])
            print(f"\nwrote {len(scores)} series to {args.out}", file=sys.stderr)
    return 0


def _text_table(frame: pd.DataFrame, formats: dict[str, str]) -> str:
    shown = frame.copy()
    for name, style in formats.items():
        if name in shown:
            shown[name] = [("" if value is None or pd.isna(value) else style.format(value)) for value in shown[name]]
    return shown.to_string(index=False)
