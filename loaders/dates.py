"""The one date parser: a column of date text to local timestamps, in the formats its values are written in.

City exports write dates many ways, often several in one column: ISO 8601 with and without a UTC
offset, US month/day with a 12- or 24-hour clock, worded months, Excel serial day numbers.
`infer` finds the formats a column uses from a sample of its distinct values; `parse_dates` reads
every value with them.
"""

import os
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from loaders.read import LoadError

DATE_ORDERS = ("month_first", "day_first")
DEFAULT_TIMEZONE = "America/Chicago"

ISO = "ISO8601"
EXCEL = "excel"

TIMES = ("", " %H:%M", " %H:%M:%S", " %H:%M:%S.%f", " %I:%M %p", " %I:%M:%S %p", " %I:%M%p", " %I:%M:%S%p")
NUMERIC_DATES = tuple(f"%m{sep}%d{sep}{year}" for sep in "/-." for year in ("%Y", "%y"))
WORDED_DATES = ("%b %d, %Y", "%b %d %Y", "%B %d, %Y", "%B %d %Y", "%d-%b-%Y", "%d-%b-%y", "%d %b %Y", "%d %B %Y")
COMPACT = "%Y%m%d"


def _day_first(month_first: str) -> str:
    return month_first.replace("%m", "\0").replace("%d", "%m").replace("\0", "%d")


MONTH_FIRST = tuple(date + time for date in NUMERIC_DATES for time in TIMES)
DAY_FIRST = tuple(_day_first(form) for form in MONTH_FIRST)
WORDED = tuple(date + time for date in WORDED_DATES for time in TIMES)

# The pattern a value of each form has once digit runs read 9 and letter runs a: "Apr 16, 2024" is "a 9, 9".
# pandas parses strictly within a form, so this only picks which forms to try.
REFERENCE = datetime(2001, 11, 22, 13, 44, 55, 123456)


def _shape(text: pd.Series) -> pd.Series:
    return text.str.replace(r"\d+", "9", regex=True).str.replace(r"[A-Za-z]+", "a", regex=True)


STRPTIME_FORMS = MONTH_FIRST + DAY_FIRST + WORDED + (COMPACT,)
FORM_SHAPES = dict(zip(STRPTIME_FORMS, _shape(pd.Series([REFERENCE.strftime(form) for form in STRPTIME_FORMS],
                                                        dtype="str"))))

# pandas' ISO8601 reader also takes "2024" and "2024-04"; a date needs year, month and day.
ISO_TEXT = (r"\d{4}(?:-\d{1,2}-\d{1,2}|/\d{1,2}/\d{1,2})"
            r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?: ?(?:Z|UTC|[+-]\d{2}(?::?\d{2})?))?)?")
OFFSET = r"\d:\d{2}(?::\d{2}(?:\.\d+)?)? ?(?:Z|UTC|[+-]\d{2}(?::?\d{2})?)$"
COMPACT_TEXT = r"\d{8}"  # pandas reads 7 digits with %Y%m%d too
# A plain number; at most 15 digits before the point, so a run of thousands of digits is no number
# (Python refuses to turn over 4,300 digits into an integer) and reads as no date.
NUMBER = r"\d{1,15}(?:\.\d+)?"
# Excel counts days from 1899-12-30 (its phantom 1900-02-29 makes that the epoch for every date after it).
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
EXCEL_SERIALS = (18264, 73051)  # 1950-01-01 .. 2100-01-01: a plain number outside is not a date

SAMPLE_PER_SHAPE = 2000
# A form found in fewer rows than this is not trusted on so few values: its rows are rejected for a person to see.
MATERIAL_SHARE = 0.001
SEED = 0


class AmbiguousDateOrder(LoadError):
    """Values like 03/04/2025 that read as month/day and as day/month; the analyst must choose."""

    column: str
    examples: tuple[str, ...]

    def __init__(self, column: str, examples: tuple[str, ...]):
        self.column = column
        self.examples = tuple(examples[:3])
        super().__init__(f"'{column}' holds dates like {_listed(self.examples)} that read as month/day or "
                         "day/month; choose the order (month first or day first)")


def _listed(items: tuple[str, ...]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def city_timezone() -> str:
    """The city's IANA time zone: the CITY_TIMEZONE environment variable, default America/Chicago."""
    return _zone((os.environ.get("CITY_TIMEZONE") or "").strip() or DEFAULT_TIMEZONE, "CITY_TIMEZONE")


def _zone(name: str, setting: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise LoadError(f"{setting} is '{name}', which is not a time zone name like America/Chicago") from None
    return name


@dataclass(frozen=True)
class DateColumn:
    formats: tuple[str, ...]   # what parse uses, in order: "ISO8601", "excel", or strptime patterns
    order: str | None          # "month_first"/"day_first" when numbers carry both day and month; None otherwise
    ambiguous: bool            # values fit both orders, and no order was given
    examples: tuple[str, ...]  # values that read both ways (for the question)
    share: float               # share of the non-blank values the formats read


@dataclass(frozen=True)
class _Distinct:
    """A column's distinct values, cleaned, with where each row's value is among them."""
    codes: np.ndarray   # per row, the position of its value in text; -1 for a missing value
    text: pd.Series     # stripped, inner whitespace collapsed; "" for blank
    shapes: pd.Series
    counts: np.ndarray  # rows holding each value


def infer(values: pd.Series, date_order: str | None = None) -> DateColumn:
    """The formats a column of date text is written in, from (a sample of) its distinct non-blank values."""
    return _infer(_distinct(values), _checked_order(date_order))


def parse_dates(values: pd.Series, column: str = "the date", date_order: str | None = None,
                timezone: str | None = None) -> pd.Series:
    """Naive local timestamps; NaT where a value is blank, impossible or in none of the column's formats.

    Raises AmbiguousDateOrder when the day/month order cannot be told and date_order is None. Values with
    a UTC offset are converted to `timezone` (default city_timezone()); values without one are local already.
    """
    zone = _zone(timezone, "The time zone") if timezone else city_timezone()
    distinct = _distinct(values)
    column_formats = _infer(distinct, _checked_order(date_order))
    if column_formats.ambiguous:
        raise AmbiguousDateOrder(column, column_formats.examples)
    read = pd.Series(pd.NaT, index=distinct.text.index, dtype="datetime64[ns]")
    unread = distinct.text != ""
    for form in column_formats.formats:
        if not unread.any():
            break
        read[unread] = _read(distinct.text[unread], distinct.shapes[unread], form, zone)
        unread &= read.isna()
    # a missing value's code is -1, which takes the NaT on the end
    rows = np.append(read.to_numpy(), np.datetime64("NaT", "ns"))[distinct.codes]
    return pd.Series(rows, index=values.index, name=values.name, dtype="datetime64[ns]")


def _checked_order(date_order: str | None) -> str | None:
    if date_order is not None and date_order not in DATE_ORDERS:
        raise ValueError(f"date_order is {date_order!r}; expected one of {DATE_ORDERS} or None")
    return date_order


def _distinct(values: pd.Series) -> _Distinct:
    # Cleaning and shaping the distinct values, not every row, keeps a 100k-row column fast.
    codes, uniques = pd.factorize(values)
    text = pd.Series(uniques, dtype="str").str.strip()
    # no \s: pandas would run that pattern in Python rather than in Arrow, ten times slower
    spaced = text.str.contains("  |[\t\n\r\f\v\xa0]", regex=True)
    if spaced.any():
        text[spaced] = text[spaced].str.replace(r"\s+", " ", regex=True)
    counts = np.bincount(codes[codes >= 0], minlength=len(text))
    return _Distinct(codes, text, _shape(text), counts)


def _infer(distinct: _Distinct, date_order: str | None) -> DateColumn:
    text, shapes, weights = _sample(distinct)
    if text.empty:
        return DateColumn(formats=(), order=None, ambiguous=False, examples=(), share=0.0)
    present = set(shapes)
    candidates = [ISO, *([EXCEL] if _serials(distinct) else []),
                  *(form for form in STRPTIME_FORMS if FORM_SHAPES[form] in present)]
    reads = {}  # form -> what it reads each sampled value as, NaT where it does not
    for form in candidates:
        read = _read(text, shapes, form, None).to_numpy()
        if not np.isnat(read).all():
            reads[form] = read
    order, ambiguous, examples = _order(text.to_numpy(), reads, date_order)
    # with no order and no doubt, every numeric value reads the same either way: month first will do
    excluded = set(MONTH_FIRST if order == "day_first" else MONTH_FIRST + DAY_FIRST if ambiguous else DAY_FIRST)

    readable = {form: ~np.isnat(read) for form, read in reads.items() if form not in excluded}
    weights = weights.to_numpy()
    total = weights.sum()
    unread = np.ones(len(text), dtype=bool)
    formats = []
    while readable:
        gains = {form: weights[fits & unread].sum() for form, fits in readable.items()}
        best = max(gains, key=gains.get)
        if gains[best] == 0 or gains[best] < MATERIAL_SHARE * total:
            break
        formats.append(best)
        unread &= ~readable.pop(best)
    return DateColumn(formats=tuple(formats), order=order, ambiguous=ambiguous, examples=examples,
                      share=float(weights[~unread].sum() / total))


def _order(text: np.ndarray, reads: dict[str, np.ndarray], date_order: str | None
           ) -> tuple[str | None, bool, tuple[str, ...]]:
    """The day/month order of the numeric dates among `text`, whether it is in doubt, and values read both ways."""
    if not any(form in reads for form in MONTH_FIRST + DAY_FIRST):
        return None, False, ()
    none = np.full(len(text), np.datetime64("NaT", "ns"))
    month_only = np.zeros(len(text), dtype=bool)
    day_only = month_only.copy()
    both_ways = month_only.copy()
    for month_first, day_first in zip(MONTH_FIRST, DAY_FIRST):
        if month_first in reads or day_first in reads:
            as_month_first, as_day_first = reads.get(month_first, none), reads.get(day_first, none)
            month_only |= ~np.isnat(as_month_first) & np.isnat(as_day_first)
            day_only |= np.isnat(as_month_first) & ~np.isnat(as_day_first)
            both_ways |= ~np.isnat(as_month_first) & ~np.isnat(as_day_first) & (as_month_first != as_day_first)
    examples = tuple(text[both_ways][:3])
    months, days = month_only.sum(), day_only.sum()
    if date_order is not None:
        return date_order, False, examples
    if months != days:
        return ("month_first" if months > days else "day_first"), False, examples
    if both_ways.any():
        return None, True, examples
    if months:  # as much evidence each way
        return None, True, (text[month_only][0], text[day_only][0])
    return None, False, ()  # every value has its day equal to its month, which tells nothing


def _sample(distinct: _Distinct) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Up to SAMPLE_PER_SHAPE distinct non-blank values of each shape, each weighted by the rows it stands for.

    Sampling per shape keeps a rare form (a few dates without a time) in view beside a common one.
    """
    nonblank = np.flatnonzero((distinct.text != "").to_numpy())
    shuffled = np.random.default_rng(SEED).permutation(nonblank)
    shapes = distinct.shapes.iloc[shuffled]
    # back in order of first appearance, so examples are the first a reader of the file would see
    picked = np.sort(shuffled[(shapes.groupby(shapes, sort=False).cumcount() < SAMPLE_PER_SHAPE).to_numpy()])
    counts = pd.Series(distinct.counts, index=distinct.text.index)
    rows_per_shape = counts.iloc[nonblank].groupby(distinct.shapes.iloc[nonblank]).sum()
    sampled_per_shape = counts.iloc[picked].groupby(distinct.shapes.iloc[picked]).sum()
    picked_shapes = distinct.shapes.iloc[picked]
    scale = (rows_per_shape / sampled_per_shape).reindex(picked_shapes).to_numpy()
    weights = counts.iloc[picked] * scale
    return distinct.text.iloc[picked], picked_shapes, weights


def _serials(distinct: _Distinct) -> bool:
    """Whether the column's plain numbers could be Excel serial days: some, and every one in range."""
    plain = distinct.text[distinct.text.str.fullmatch(NUMBER)]
    numbers = pd.to_numeric(plain)
    return not numbers.empty and bool(numbers.between(*EXCEL_SERIALS).all())


def _read(text: pd.Series, shapes: pd.Series, form: str, zone: str | None) -> pd.Series:
    """`text` read in one form as naive local timestamps (offsets converted to `zone`); NaT where it does not fit."""
    read = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    if form == ISO:
        fits = text.str.fullmatch(ISO_TEXT, case=False)
    elif form == EXCEL:
        fits = text.str.fullmatch(NUMBER)
    elif form == COMPACT:
        fits = text.str.fullmatch(COMPACT_TEXT)
    else:
        fits = shapes == FORM_SHAPES[form]
    if not fits.any():
        return read
    if form == ISO:
        iso = text[fits].str.upper().str.replace(r" ?UTC$", "Z", regex=True)
        offset = iso.str.contains(OFFSET, regex=True)
        # pandas refuses a mix of offset and local values in one call
        local, utc = iso[~offset], iso[offset]
        read[local.index] = _nanoseconds(pd.to_datetime(local, format=ISO, errors="coerce"))
        if not utc.empty:
            converted = pd.to_datetime(utc, format=ISO, errors="coerce", utc=True).dt.tz_convert(zone or "UTC")
            read[utc.index] = converted.dt.tz_localize(None).astype("datetime64[ns]")
    elif form == EXCEL:
        days = pd.to_numeric(text[fits])
        days = days[days.between(*EXCEL_SERIALS)]
        # spreadsheets keep times as fractions of a day; rounding drops float noise below the second
        read[days.index] = (EXCEL_EPOCH + pd.to_timedelta(days, unit="D")).dt.round("s")
    else:
        # pandas' strptime reads Python strings faster than Arrow ones
        read[fits] = _nanoseconds(pd.to_datetime(text[fits].astype(object), format=form, errors="coerce"))
    return read


def _nanoseconds(stamps: pd.Series) -> pd.Series:
    # pandas reads 9999-12-31 (a common "never" placeholder) at microseconds; it has no nanosecond form
    inside = stamps.between(pd.Timestamp.min, pd.Timestamp.max)
    return stamps.where(inside).astype("datetime64[ns]")
