"""Coordinates as city systems write them: text points, projected x/y, and degrees, to WGS84 lat/lon.

`parse_point` reads one text column ("(lat, lon)" or WKT "POINT (lon lat)"), `to_degrees` converts
state-plane or other projected x/y, `looks_projected` tells whether columns need a coordinate
system at all, and `in_degrees` cleans plain latitude/longitude. Missing or unusable points are NaN.
"""

import re
import warnings
from functools import lru_cache

import numpy as np
import pandas as pd
import pyproj

from loaders.read import LoadError

NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
# Socrata and Baltimore write "(lat, lon)"; Socrata's older location columns put the address lines
# first and the point on the last line, so only the end of the text is anchored to the point.
LAT_LON_PAIR = rf"(?:^|\n)\s*\(\s*(?P<lat>{NUMBER})\s*,\s*(?P<lon>{NUMBER})\s*\)\s*$"
# WKT puts x before y: longitude first. A third (height) ordinate is ignored.
WKT_POINT = rf"^\s*POINT\s*Z?\s*\(\s*(?P<lon>{NUMBER})\s+(?P<lat>{NUMBER})(?:\s+{NUMBER})?\s*\)\s*$"
WGS84 = "EPSG:4326"
MAX_TRANSFORMERS = 16


def parse_point(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(lat, lon) float Series (NaN where missing) from text points: "(lat, lon)" or WKT "POINT (lon lat)"."""
    text = values.astype("string")
    point = text.str.extract(LAT_LON_PAIR)
    # A column holds one format, so WKT is only tried where the pair did not fit.
    todo = (point["lat"].isna() & text.notna()).to_numpy()
    if todo.any():
        wkt = text[todo].str.extract(WKT_POINT, flags=re.IGNORECASE)
        point.loc[todo, ["lat", "lon"]] = wkt[["lat", "lon"]].to_numpy()
    return in_degrees(point["lat"], point["lon"])


def to_degrees(x: pd.Series, y: pd.Series, crs: str) -> tuple[pd.Series, pd.Series]:
    """(lat, lon) in WGS84 degrees from projected x/y text or numbers in the coordinate system `crs`
    ("EPSG:2263", "2263", or any name pyproj knows). NaN where x or y is blank/not a number/zero.
    An unknown crs raises LoadError naming it."""
    transformer = _transformer(str(crs).strip())
    # Spreadsheet exports write state-plane feet with thousands separators ("982,407").
    easting, northing = _numbers(x, thousands=True), _numbers(y, thousands=True)
    usable = easting.notna() & northing.notna() & (easting != 0) & (northing != 0)
    lon = np.full(len(easting), np.nan)
    lat = np.full(len(easting), np.nan)
    if usable.any():
        lon[usable.to_numpy()], lat[usable.to_numpy()] = transformer.transform(
            easting[usable].to_numpy(), northing[usable].to_numpy())
    return in_degrees(pd.Series(lat, index=x.index), pd.Series(lon, index=x.index))


def looks_projected(x: pd.Series, y: pd.Series) -> bool:
    """True when the non-blank values are numbers too large to be degrees (|value| > 180 for most of them):
    the columns hold projected coordinates, and need a coordinate system to be used."""
    values = pd.concat([x, y], ignore_index=True)
    numbers = _numbers(values, thousands=True)
    blank = values.isna() | (values.astype("string").str.strip() == "")
    # A 0 is a "no location" placeholder in degrees and projections alike, so it says nothing either way.
    considered = ~blank & (numbers != 0)
    if not considered.any():
        return False
    return bool((numbers[considered].abs() > 180).sum() * 2 > considered.sum())


def in_degrees(lat: pd.Series, lon: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Float lat/lon from text, NaN outside [-90, 90] / [-180, 180] and at (0, 0)."""
    latitude, longitude = _numbers(lat), _numbers(lon)
    # (0, 0) is the placeholder systems write for "not geocoded". A missing half fails both range
    # tests, so it blanks the whole point: half a point places nothing.
    usable = (latitude.abs() <= 90) & (longitude.abs() <= 180) & ~((latitude == 0) & (longitude == 0))
    return (latitude.where(usable).rename("latitude"), longitude.where(usable).rename("longitude"))


def _numbers(values: pd.Series, thousands: bool = False) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float)
    text = values.astype("string").str.strip()
    if thousands:
        text = text.str.replace(",", "", regex=False)
    return pd.to_numeric(text, errors="coerce").astype(float)


@lru_cache(maxsize=MAX_TRANSFORMERS)
def _transformer(crs: str) -> pyproj.Transformer:
    # City servers reach no grid download site; PROJ_NETWORK=ON in an environment must not make a
    # load hang on one. Without the optional grids, NAD83 state plane goes to WGS84 through the
    # published null shift (EPSG "NAD83 to WGS 84 (1)", good to about 4 m): enough to place a parcel.
    pyproj.network.set_network_enabled(active=False)
    try:
        source = pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError:
        # Esri's state-plane codes (102696 is Missouri East in US feet) are not EPSG codes.
        if not crs.isdigit():
            raise LoadError(_unknown(crs)) from None
        try:
            source = pyproj.CRS.from_user_input(f"ESRI:{crs}")
        except pyproj.exceptions.CRSError:
            raise LoadError(_unknown(crs)) from None
    with warnings.catch_warnings():
        # The warning says a more precise grid-based shift exists; it cannot be fetched offline.
        warnings.simplefilter("ignore", UserWarning)
        return pyproj.Transformer.from_crs(source, WGS84, always_xy=True)


def _unknown(crs: str) -> str:
    return (f"'{crs}' is not a coordinate system we know; give its EPSG code "
            "(for example EPSG:2263 for New York Long Island state plane in feet)")
