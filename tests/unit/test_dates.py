"""parse_dates() and infer(): one line per real-world spelling of a date, then whole columns."""

import time

import numpy as np
import pandas as pd
import pytest

from loaders.dates import (DATE_ORDERS, DEFAULT_TIMEZONE, AmbiguousDateOrder, DateColumn, city_timezone, infer,
                           parse_dates)
from loaders.read import LoadError

CHICAGO = "America/Chicago"


def stamp(text):
    return pd.NaT if text is None else pd.Timestamp(text)


def parsed(values, **options):
    options.setdefault("timezone", CHICAGO)
    return parse_dates(pd.Series(values, dtype=object), **options)


def case(text, expected, order=None):
    return pytest.param(text, expected, order, id=repr(text))


# One value per column; `order` is given where the value alone reads both as month/day and day/month.
SPELLINGS = [
    # --- ISO 8601 -------------------------------------------------------------------------------
    case("2018-01-09T09:26:00.000", "2018-01-09 09:26:00"),
    case("2024-04-16T03:03:15.000", "2024-04-16 03:03:15"),
    case("2020-05-19T00:00:00", "2020-05-19 00:00:00"),  # a date carried as midnight
    case("2016-04-21T05:01:04", "2016-04-21 05:01:04"),
    case("2012-01-01 15:41:22.0", "2012-01-01 15:41:22"),  # Java's one-digit fraction
    case("2021-01-28 20:24:14", "2021-01-28 20:24:14"),
    case("2024-04-16", "2024-04-16 00:00:00"),
    case("2024-4-6", "2024-04-06 00:00:00"),
    case("2024/04/16", "2024-04-16 00:00:00"),
    case("2024-04-16 3:05", "2024-04-16 03:05:00"),
    case("2025-01-17 15:04:00.123456", "2025-01-17 15:04:00.123456"),
    # --- ISO 8601 with a UTC offset: converted to Chicago wall-clock time -----------------------
    case("2025-01-17 15:04:00+00", "2025-01-17 09:04:00"),  # bare-hour offset (PostgreSQL)
    case("2025-01-17T15:04:00Z", "2025-01-17 09:04:00"),
    case("2025-01-17T15:04:00z", "2025-01-17 09:04:00"),
    case("2025-01-17T10:04:00-05:00", "2025-01-17 09:04:00"),
    case("2025-01-17 15:04:00.123456+0000", "2025-01-17 09:04:00.123456"),
    case("2025-01-17 15:04:00 +00:00", "2025-01-17 09:04:00"),
    case("2025-01-17 15:04:00 UTC", "2025-01-17 09:04:00"),
    case("2025-01-17T20:34:00+05:30", "2025-01-17 09:04:00"),
    case("2024/04/16 03:03:15+00", "2024-04-15 22:03:15"),  # ArcGIS Hub; April is daylight time, UTC-5
    case("2025-07-17 15:04:00+00", "2025-07-17 10:04:00"),  # July: UTC-5
    case("2025-03-09 07:59:00Z", "2025-03-09 01:59:00"),  # the last minute of standard time
    case("2025-03-09 08:00:00Z", "2025-03-09 03:00:00"),  # clocks jump from 2:00 to 3:00
    case("2025-11-02 06:30:00Z", "2025-11-02 01:30:00"),  # the first 1:30 (CDT) ...
    case("2025-11-02 07:30:00Z", "2025-11-02 01:30:00"),  # ... and the second (CST)
    # --- US month/day ---------------------------------------------------------------------------
    case("06/20/2016 10:04:21 PM", "2016-06-20 22:04:21"),
    case("01/22/2015 10:59:28 AM", "2015-01-22 10:59:28"),
    case("1/5/2024 9:03 AM", "2024-01-05 09:03:00", order="month_first"),
    case("1/5/2024 9:03 pm", "2024-01-05 21:03:00", order="month_first"),
    case("1/5/2024 9:03PM", "2024-01-05 21:03:00", order="month_first"),
    case("12/31/2024 12:00 AM", "2024-12-31 00:00:00"),
    case("12/31/2024 12:00 PM", "2024-12-31 12:00:00"),
    case("02/28/2014", "2014-02-28 00:00:00"),
    case("9/16/23", "2023-09-16 00:00:00"),  # two-digit year
    case("9/16/69", "1969-09-16 00:00:00"),  # Python's pivot: 69..99 are 1900s
    case("03/15/2025 14:30", "2025-03-15 14:30:00"),
    case("3/15/2025 14:30:05", "2025-03-15 14:30:05"),
    case("3/15/2025 14:30:05.250", "2025-03-15 14:30:05.250"),
    case("12-31-2024", "2024-12-31 00:00:00"),
    case("12.31.2024", "2024-12-31 00:00:00"),
    case("  06/20/2016   10:04:21 PM ", "2016-06-20 22:04:21"),
    case("06/20/2016\t10:04:21 PM", "2016-06-20 22:04:21"),
    case("06/20/2016\xa010:04:21 PM", "2016-06-20 22:04:21"),  # a non-breaking space from a web page
    # --- day/month, once the column says so ------------------------------------------------------
    case("25/03/2025", "2025-03-25 00:00:00"),
    case("25.03.2025 14:30", "2025-03-25 14:30:00"),
    case("03/04/2025", "2025-04-03 00:00:00", order="day_first"),
    case("03/04/2025", "2025-03-04 00:00:00", order="month_first"),
    case("03/03/2025", "2025-03-03 00:00:00"),  # reads the same either way
    # --- worded months and compact digits --------------------------------------------------------
    case("16-Apr-2024", "2024-04-16 00:00:00"),
    case("16-APR-24", "2024-04-16 00:00:00"),
    case("16 Apr 2024", "2024-04-16 00:00:00"),
    case("Apr 16, 2024", "2024-04-16 00:00:00"),
    case("Apr 16 2024", "2024-04-16 00:00:00"),
    case("April 16, 2024", "2024-04-16 00:00:00"),
    case("April 16 2024 3:05 PM", "2024-04-16 15:05:00"),
    case("Apr  6 2024", "2024-04-06 00:00:00"),  # padded like C's ctime
    case("20240416", "2024-04-16 00:00:00"),
    # --- Excel serial day numbers ----------------------------------------------------------------
    case("45292", "2024-01-01 00:00:00"),
    case("45292.5", "2024-01-01 12:00:00"),
    case("45292.604166666664", "2024-01-01 14:30:00"),  # float noise rounds to the second
    case("18264", "1950-01-01 00:00:00"),
    case("73051", "2100-01-01 00:00:00"),
]


@pytest.mark.parametrize("text,expected,order", SPELLINGS)
def test_spelling(text, expected, order):
    assert parsed([text], date_order=order).tolist() == [stamp(expected)]


NOT_DATES = [
    None, "", "   ", "N/A", "not a date", "TBD", "0", "-",
    "02/31/2024", "02/30/2024", "13/13/2024", "2024-02-30", "2024-13-01", "00/00/0000",
    "2024",  # a year alone
    "2024-04",  # a month alone
    "2024041",  # seven digits
    "18263", "73052",  # serials outside 1950..2100
    "12345678",
    "9999-12-31",  # "never": beyond what a nanosecond timestamp holds
    "16-Apri-2024", "Sept 16 2024",
    "2024-04-16-05",  # an offset needs a time
    "1/5/2024 13:03 PM",
]


@pytest.mark.parametrize("text", NOT_DATES, ids=repr)
def test_not_a_date(text):
    assert parsed([text], date_order="month_first").isna().all()


def column(values, expected, order=None, id=None):
    return pytest.param(values, expected, order, id=id or repr(values[:3]))


COLUMNS = [
    column(["03/04/2025", "25/03/2025"], ["2025-04-03", "2025-03-25"], id="a first field over 12: day first"),
    column(["03/04/2025", "03/25/2025"], ["2025-03-04", "2025-03-25"], id="a second field over 12: month first"),
    column(["03/04/2025"] * 5 + ["12/31/2024"], ["2025-03-04"] * 5 + ["2024-12-31"],
           id="the evidence can be the last row"),
    column(["25/03/2025", "26/03/2025", "03/27/2025"], ["2025-03-25", "2025-03-26", None],
           id="mixed orders: the larger count wins, the rest NaT"),
    column(["03/04/2025", "05/06/2025"], ["2025-04-03", "2025-06-05"], order="day_first",
           id="ambiguous, order given"),
    column(["03/27/2025", "25/03/2025"], ["2025-03-27", None], order="month_first", id="order given beats evidence"),
    column(["06/21/2016", "06/21/2016 02:14:50 PM", "06/22/2016 09:00:01 AM"],
           ["2016-06-21", "2016-06-21 14:14:50", "2016-06-22 09:00:01"], id="dates with and without times"),
    column(["2024-04-16", "2024-04-16T03:03:15.000", "2024-04-16 03:03:15+00"],
           ["2024-04-16", "2024-04-16 03:03:15", "2024-04-15 22:03:15"], id="ISO with and without times and offsets"),
    column(["2024-04-16T03:03:15", "04/17/2024 10:04:21 PM", "Apr 18, 2024", "20240419", ""],
           ["2024-04-16 03:03:15", "2024-04-17 22:04:21", "2024-04-18", "2024-04-19", None], id="several forms"),
    column(["45292", "45292.5", "", "N/A"], ["2024-01-01", "2024-01-01 12:00", None, None], id="serials"),
    column(["45292", "12", "7"], [None, None, None], id="arbitrary integers are not serials"),
    column(["45292", "20240416"], [None, "2024-04-16"], id="compact digits are not serials"),
    column(["9/16/23", "9/16/2023"], ["2023-09-16", "2023-09-16"], id="two- and four-digit years"),
    column(["", "  ", None, np.nan], [None, None, None, None], id="all blank"),
    column(["not a date", "N/A", "unknown"], [None, None, None], id="all garbage"),
]


@pytest.mark.parametrize("values,expected,order", COLUMNS)
def test_column(values, expected, order):
    assert parsed(values, date_order=order).tolist() == [stamp(text) for text in expected]


INFERRED = [
    # values, formats, order
    (["06/20/2016 10:04:21 PM"] * 3 + ["06/21/2016"], ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y"), "month_first"),
    (["25/03/2025", "01/02/2025"], ("%d/%m/%Y",), "day_first"),
    (["9/16/23"], ("%m/%d/%y",), "month_first"),
    (["9/16/2023"], ("%m/%d/%Y",), "month_first"),
    (["01/01/2024", "02/02/2024"], ("%m/%d/%Y",), None),  # either order reads these the same; they tell nothing
    (["2025-01-17T15:04:00Z", "2024-04-16"], ("ISO8601",), None),
    (["45292", "45292.5"], ("excel",), None),
    (["Apr 16, 2024", "2024-04-16", "2024-04-17"], ("ISO8601", "%b %d, %Y"), None),
    (["20240416"], ("%Y%m%d",), None),
    (["", None], (), None),
]


@pytest.mark.parametrize("values,formats,order", INFERRED, ids=lambda v: repr(v)[:40])
def test_infer(values, formats, order):
    found = infer(pd.Series(values, dtype=object))
    assert (found.formats, found.order, found.ambiguous) == (formats, order, False)


def test_infer_reports_the_share_it_reads():
    found = infer(pd.Series(["2024-04-16"] * 3 + ["not a date", ""]))
    assert found == DateColumn(formats=("ISO8601",), order=None, ambiguous=False, examples=(), share=0.75)


def test_an_empty_column_reads_nothing():
    assert infer(pd.Series([], dtype=object)) == DateColumn((), None, False, (), 0.0)
    assert parse_dates(pd.Series([], dtype=object)).dtype == "datetime64[ns]"


def test_a_rare_form_is_still_found_beside_a_common_one():
    # dates without a time are a sliver of a big export; sampling must not lose them
    stamps = pd.date_range("2016-01-01", periods=20_000, freq="37min")
    values = list(stamps.strftime("%m/%d/%Y %I:%M:%S %p")) + ["06/21/2016"] * 50
    found = infer(pd.Series(values))
    assert found.formats == ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y") and found.share == 1.0


def test_a_form_in_a_handful_of_rows_is_not_trusted():
    stamps = pd.date_range("2016-01-01", periods=20_000, freq="37min")
    values = pd.Series(list(stamps.strftime("%m/%d/%Y %I:%M:%S %p")) + ["06/21/2016"] * 5)
    assert infer(values).formats == ("%m/%d/%Y %I:%M:%S %p",)
    assert parse_dates(values, timezone=CHICAGO).tail(5).isna().all()


def test_ambiguous_order_asks_the_analyst():
    values = pd.Series(["03/04/2025", "05/06/2025", "03/04/2025", "07/08/2025", "09/10/2025"])
    found = infer(values)
    assert (found.ambiguous, found.order, found.examples) == (True, None, ("03/04/2025", "05/06/2025", "07/08/2025"))
    with pytest.raises(AmbiguousDateOrder) as raised:
        parse_dates(values, "Created Date", timezone=CHICAGO)
    assert isinstance(raised.value, LoadError)
    assert (raised.value.column, raised.value.examples) == ("Created Date", ("03/04/2025", "05/06/2025", "07/08/2025"))
    assert str(raised.value) == ("'Created Date' holds dates like 03/04/2025, 05/06/2025 and 07/08/2025 that read as "
                                 "month/day or day/month; choose the order (month first or day first)")


def test_ambiguous_message_with_two_examples():
    with pytest.raises(AmbiguousDateOrder, match=r"^'Created Date' holds dates like 03/04/2025 and 05/06/2025 that"):
        parse_dates(pd.Series(["03/04/2025", "05/06/2025"]), "Created Date", timezone=CHICAGO)


@pytest.mark.parametrize("date_order", DATE_ORDERS)
def test_a_given_order_settles_an_ambiguous_column(date_order):
    found = infer(pd.Series(["03/04/2025", "05/06/2025"]), date_order=date_order)
    assert (found.order, found.ambiguous, found.share) == (date_order, False, 1.0)


def test_an_unknown_order_is_a_programming_error():
    with pytest.raises(ValueError, match="date_order"):
        parse_dates(pd.Series(["2024-04-16"]), date_order="year_first")


def test_keeps_the_index_and_returns_nanoseconds():
    values = pd.Series(["2024-04-16", "", "2024-04-17"], index=[10, 20, 30], name="Created")
    result = parse_dates(values, timezone=CHICAGO)
    assert result.dtype == "datetime64[ns]" and list(result.index) == [10, 20, 30] and result.name == "Created"


def test_reads_values_that_are_not_text():
    # a numeric column from a spreadsheet, or the string dtype pandas gives by default
    assert parse_dates(pd.Series([45292.0, np.nan]), timezone=CHICAGO).tolist() == [stamp("2024-01-01"), pd.NaT]
    assert parse_dates(pd.Series(["2024-04-16", None], dtype="str"), timezone=CHICAGO).tolist() == [
        stamp("2024-04-16"), pd.NaT]


def test_offsets_convert_to_the_city_time_zone(monkeypatch):
    monkeypatch.setenv("CITY_TIMEZONE", "America/Los_Angeles")
    values = pd.Series(["2025-01-17 15:04:00+00", "2025-01-17 15:04:00"])
    assert parse_dates(values).tolist() == [stamp("2025-01-17 07:04:00"), stamp("2025-01-17 15:04:00")]
    assert parse_dates(values, timezone="UTC").tolist() == [stamp("2025-01-17 15:04:00")] * 2


@pytest.mark.parametrize("setting,expected", [(None, DEFAULT_TIMEZONE), ("", DEFAULT_TIMEZONE),
                                              (" America/Denver ", "America/Denver"), ("UTC", "UTC")])
def test_city_timezone(monkeypatch, setting, expected):
    if setting is None:
        monkeypatch.delenv("CITY_TIMEZONE", raising=False)
    else:
        monkeypatch.setenv("CITY_TIMEZONE", setting)
    assert city_timezone() == expected


@pytest.mark.parametrize("name", ["America/Chicgo", "CST6", "america/chicago", "America", "../etc/passwd"])
def test_an_unknown_time_zone_is_named(monkeypatch, name):
    monkeypatch.setenv("CITY_TIMEZONE", name)
    with pytest.raises(LoadError, match=f"CITY_TIMEZONE is '{name}', which is not a time zone name"):
        city_timezone()
    with pytest.raises(LoadError, match="not a time zone name"):
        parse_dates(pd.Series(["2024-04-16"]), timezone=name)


def test_speed_of_a_large_column():
    rows = 100_000
    seconds = np.random.default_rng(0).integers(0, 10 * 365 * 86400, rows)
    stamps = pd.Timestamp("2015-01-01") + pd.to_timedelta(seconds, unit="s")
    for form in ("%m/%d/%Y %I:%M:%S %p", "%Y-%m-%dT%H:%M:%S.000", "%Y-%m-%d %H:%M:%S+00"):
        values = pd.Series(stamps.strftime(form), dtype=object)
        started = time.perf_counter()
        result = parse_dates(values, timezone=CHICAGO)
        print(f"\n{rows} distinct values like {values[0]!r}: {time.perf_counter() - started:.3f}s")
        assert result.notna().all()
