"""The streets under a map: the basemap's tile source (`tile_source`, `tiles_answer`) and, for when
its tiles cannot be reached, streets drawn from the property master itself (`street_lines`,
`streets`).

A street is drawn through its own address points in house-number order: the located addresses of
one street are grouped by half block (50 house numbers), each group stands for one point of the
line (the mean of its addresses near their median, so both sides of the street meet in its middle), the line breaks
where two groups in a row lie further apart than GAP_METRES (a park, a river, a street name used
twice in a city), and points that bend it less than SIMPLIFY_METRES are left out.

The tile source is the MAP_TILES setting: a tile URL with {z}, {x} and {y} (the city's own tile
server), `off` for no basemap, or unset for OpenStreetMap's tiles.
"""

import math
import os
import urllib.error
import urllib.request
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.engine import Engine

from integration.address import normalize
from storage import property_data
from storage.engine import reading

OPENSTREETMAP = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OPENSTREETMAP_ATTRIBUTION = "© OpenStreetMap contributors"
OFF = {"off", "none", "no", "false", "0"}
HALF_BLOCK = 50  # house numbers per point of a line
GAP_METRES = 450.0
NEAR_MIDDLE_METRES = 80.0
SIMPLIFY_METRES = 8.0  # about a third of a street's width: the wobble between its sides goes, the bends stay
# where along a line its name may go, in order: the middle first
NAME_FRACTIONS = (0.5, 0.3, 0.7, 0.15, 0.85, *(i / 20 for i in range(1, 20)))
ANGLE_SPAN = 3  # points each side of a name that set its angle: one half block zigzags between the sides
METRES_PER_DEGREE = 111_320.0
PROBE_TIMEOUT_SECONDS = 2.0
PROBE_ZOOM = 12
USER_AGENT = "property-risk-dashboard (basemap check)"  # tile servers ask callers to say who they are

# A leading house number, with an optional letter or range ("1820-1848"), then the street; the short
# range some masters write as two numbers ("1249 51 VOSKAMP ST") is read as a range too. RE2 syntax:
# pyarrow runs it over the whole column at once (280,000 addresses in a fraction of a second).
_NUMBERED = (r"^\s*(?P<number>\d{1,9})[A-Za-z]?(?:\s*-\s*\d+[A-Za-z]?)?[\s,]+"
             r"(?:\d+\s+(?P<after_range>[A-Za-z]{2}.*)|(?P<street>\S.*))$")
STREET_COLUMNS = ["street", "path", "low", "high", "length_m", "label_lon", "label_lat", "angle",
                  "west", "south", "east", "north"]


class SettingError(ValueError):
    """A setting with a value the product cannot use; the message names the setting and the value."""


@dataclass(frozen=True)
class TileSource:
    url: str  # with {z}, {x} and {y}
    attribution: str


def tile_source(environ=None) -> TileSource | None:
    """The basemap's tile source from MAP_TILES (and MAP_TILES_ATTRIBUTION); None when it is off."""
    environ = os.environ if environ is None else environ
    written = (environ.get("MAP_TILES") or "").strip()
    if written.lower() in OFF:
        return None
    url = written or OPENSTREETMAP
    missing = [part for part in ("{z}", "{x}", "{y}") if part not in url]
    if missing or not url.lower().startswith(("http://", "https://")):
        raise SettingError(f"MAP_TILES is '{written}', which is not a tile address: it must start with http:// or "
                           "https:// and hold {z}, {x} and {y}, e.g. " + OPENSTREETMAP + " (or set it to off)")
    attribution = (environ.get("MAP_TILES_ATTRIBUTION") or "").strip()
    return TileSource(url, attribution or (OPENSTREETMAP_ATTRIBUTION if url == OPENSTREETMAP else ""))


def tile_at(url: str, lat: float, lon: float, zoom: int = PROBE_ZOOM) -> str:
    """The address of the tile holding (lat, lon) at `zoom` (web mercator, as every tile server)."""
    scale = 2 ** zoom
    x = int((lon + 180) / 360 * scale)
    lat = max(min(lat, 85.0511), -85.0511)  # where web mercator ends
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * scale)
    return url.replace("{z}", str(zoom)).replace("{x}", str(min(max(x, 0), scale - 1))).replace(
        "{y}", str(min(max(y, 0), scale - 1)))


def tiles_answer(source: TileSource, lat: float, lon: float, timeout: float = PROBE_TIMEOUT_SECONDS) -> bool:
    """Whether the tile source answers with an image for the tile at (lat, lon); False offline."""
    request = urllib.request.Request(tile_at(source.url, lat, lon), headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            kind = response.headers.get("Content-Type", "")
            return response.status == 200 and (kind.startswith("image/") or kind == "application/octet-stream")
    except (OSError, ValueError, urllib.error.URLError):
        return False


def street_of(text: str) -> str:
    """A street as written after its house number, in the one spelling the matcher uses."""
    street = normalize("1 " + text).street.key
    return street or " ".join(text.split())


def house_numbers(addresses: pd.Series) -> pd.DataFrame:
    """The house number and street (in the matcher's spelling) of each address that has both, indexed
    like `addresses`; "0 MAIN ST" (a lot with no number) and "MAIN ST" are left out: nowhere along it."""
    parts = pc.extract_regex(pa.array(addresses, type=pa.string(), from_pandas=True), _NUMBERED)
    number = pc.cast(pc.if_else(pc.is_valid(parts), pc.struct_field(parts, "number"), "0"), pa.int64())
    keep = pc.greater(number, 0)
    parts, number = parts.filter(keep), number.filter(keep)
    after_range = pc.struct_field(parts, "after_range")
    written = pc.if_else(pc.equal(after_range, ""), pc.struct_field(parts, "street"), after_range)
    # each spelling once: a city has a few thousand streets and hundreds of thousands of addresses
    unique = pc.unique(written)
    spelled = pa.array([street_of(raw) for raw in unique.to_pylist()], type=pa.string())
    return pd.DataFrame({"number": number.to_numpy(),
                         "street": pc.take(spelled, pc.index_in(written, unique)).to_numpy(zero_copy_only=False)},
                        index=addresses.index[keep.to_numpy(zero_copy_only=False)])


def street_lines(points: pd.DataFrame) -> pd.DataFrame:
    """One row per line of a street (STREET_COLUMNS): `path` is a list of [lon, lat] in house-number
    order; `low`/`high` the house numbers it spans; `label_*` and `angle` (degrees, counter-clockwise,
    upright) where its name is written; `west`..`north` its box. `points` has address, lat, lon."""
    located = points.dropna(subset=["lat", "lon"]).reset_index(drop=True)
    numbered = house_numbers(located["address"])
    if numbered.empty:
        return pd.DataFrame(columns=STREET_COLUMNS)
    frame = numbered.assign(part=numbered["number"] // HALF_BLOCK,
                            lat=located.loc[numbered.index, "lat"].astype(float),
                            lon=located.loc[numbered.index, "lon"].astype(float))
    # A half block's point: the mean of its addresses near their median. The median alone leans to
    # the side of the street with more addresses; the mean alone falls between two roads when a
    # name is used twice in a city, or follows a misplaced address.
    by_part = frame.groupby(["street", "part"], sort=True)
    middle = by_part[["lat", "lon"]].median().to_numpy()[by_part.ngroup().to_numpy()]
    near = _metres(middle[:, 0], middle[:, 1], frame["lat"].to_numpy(), frame["lon"].to_numpy()) <= NEAR_MIDDLE_METRES
    points = frame[near].groupby(["street", "part"], sort=True).agg(lat=("lat", "mean"), lon=("lon", "mean"))
    numbers = by_part.agg(low=("number", "min"), high=("number", "max"))
    groups = points.join(numbers, how="inner").reset_index()
    street = groups["street"].to_numpy()
    lat, lon = groups["lat"].to_numpy(), groups["lon"].to_numpy()
    step = _metres(lat[:-1], lon[:-1], lat[1:], lon[1:])
    breaks = np.concatenate([[True], (street[1:] != street[:-1]) | (step > GAP_METRES)])
    line = np.cumsum(breaks) - 1
    starts = np.flatnonzero(breaks)
    ends = np.append(starts[1:], len(groups))
    sizes = ends - starts
    step = np.concatenate([[0.0], np.where(breaks[1:], 0.0, step)])
    along = np.cumsum(step)
    length = along[ends - 1] - along[starts]
    rows = []
    for start, end, size, metres in zip(starts, ends, sizes, length):
        if size < 2:
            continue  # one half block: no line to draw
        # the name goes at the point nearest the middle of the line, along the piece it sits on
        middle = start + int(np.searchsorted(along[start:end], along[start] + metres / 2))
        middle = min(max(middle, start + 1), end - 1)
        before, after = max(start, middle - ANGLE_SPAN), min(end - 1, middle + ANGLE_SPAN - 1)
        path = _simplified(np.column_stack([lon[start:end], lat[start:end]]), lat[start])
        rows.append((street[start], path.round(5).tolist(),
                     int(groups["low"].iat[start]), int(groups["high"].iat[end - 1]), round(float(metres), 1),
                     float((lon[middle - 1] + lon[middle]) / 2), float((lat[middle - 1] + lat[middle]) / 2),
                     _upright_angle(lat[before], lon[before], lat[after], lon[after]),
                     float(lon[start:end].min()), float(lat[start:end].min()),
                     float(lon[start:end].max()), float(lat[start:end].max())))
    return pd.DataFrame(rows, columns=STREET_COLUMNS)


def within(lines: pd.DataFrame, south: float, west: float, north: float, east: float) -> pd.DataFrame:
    """The lines that cross a box (south, west, north, east)."""
    inside = (lines["west"] <= east) & (lines["east"] >= west) & (lines["south"] <= north) & (lines["north"] >= south)
    return lines[inside]


def streets(engine: Engine) -> pd.DataFrame:
    """The street lines of the property master as stored (see street_lines), from each property's
    own address: reading every alias too takes twice as long and adds few lines."""
    with reading(engine) as conn:
        located = property_data.properties_within(conn, -90, -180, 90, 180, limit=None)
    return street_lines(located[["address", "lat", "lon"]])


def _simplified(path: np.ndarray, latitude: float, tolerance: float = SIMPLIFY_METRES) -> np.ndarray:
    """The line with the points that bend it less than `tolerance` metres left out (Douglas-Peucker):
    a straight street keeps its two ends, and the map has less to carry."""
    scale = np.array([METRES_PER_DEGREE * math.cos(math.radians(latitude)), METRES_PER_DEGREE])
    metres = path * scale
    keep = np.zeros(len(path), dtype=bool)
    keep[[0, -1]] = True
    spans = [(0, len(path) - 1)]
    while spans:
        first, last = spans.pop()
        if last - first < 2:
            continue
        start, direction = metres[first], metres[last] - metres[first]
        inner = metres[first + 1:last] - start
        length = np.hypot(*direction)
        if length == 0:
            away = np.hypot(inner[:, 0], inner[:, 1])
        else:
            away = np.abs(direction[0] * inner[:, 1] - direction[1] * inner[:, 0]) / length
        furthest = int(np.argmax(away))
        if away[furthest] > tolerance:
            middle = first + 1 + furthest
            keep[middle] = True
            spans += [(first, middle), (middle, last)]
    return path[keep]


def name_places(lines: pd.DataFrame, zoom: float, font_px: float = 12,
                box: tuple[float, float, float, float] | None = None) -> pd.DataFrame:
    """Where street names go on a map opened at `zoom` (street, lon, lat, angle): along each line,
    longest first, at its middle (or, with `box`, the (south, west, north, east) the map shows: the
    point nearest the middle of the map), or further along when that would cover a name already
    placed or leave the box; a name that fits nowhere, or is longer than its line, is left out."""
    if lines.empty:
        return pd.DataFrame(columns=["street", "lon", "lat", "angle"])
    latitude = float(np.median([path[0][1] for path in lines["path"]]))
    east_per_degree = METRES_PER_DEGREE * math.cos(math.radians(latitude))
    metres_per_px = 156_543.03 * math.cos(math.radians(latitude)) / 2 ** zoom
    if box is not None:  # in metres east and north of (0, 0), like every position below
        south, west, north, east = box
        box = (west * east_per_degree, south * METRES_PER_DEGREE, east * east_per_degree, north * METRES_PER_DEGREE)
        centre = np.array([(box[0] + box[2]) / 2, (box[1] + box[3]) / 2])
    placed: list[tuple[float, float, float, float]] = []
    rows = []
    for line in lines.sort_values("length_m", ascending=False, kind="stable").itertuples():
        width = len(line.street) * font_px * 0.72 * metres_per_px  # the name's length on the ground (bold capitals)
        height = font_px * 1.4 * metres_per_px
        if width > line.length_m:
            continue
        path = np.asarray(line.path)
        xs, ys = path[:, 0] * east_per_degree, path[:, 1] * METRES_PER_DEGREE
        along = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(xs), np.diff(ys)))])
        if box is None:
            middle = along[-1] / 2
        else:
            middle = along[int(np.argmin(np.hypot(xs - centre[0], ys - centre[1])))]
        steps = [middle + width * k for k in (0, -1, 1, -2, 2, -3, 3)] if box is not None else [
            along[-1] * fraction for fraction in NAME_FRACTIONS]
        for at in steps:
            if not width / 2 <= at <= along[-1] - width / 2:
                continue
            piece = min(max(int(np.searchsorted(along, at)), 1), len(path) - 1)
            before, after = max(piece - ANGLE_SPAN, 0), min(piece + ANGLE_SPAN - 1, len(path) - 1)
            angle = math.atan2(ys[after] - ys[before], xs[after] - xs[before])
            share = (at - along[piece - 1]) / max(along[piece] - along[piece - 1], 1e-9)
            x = xs[piece - 1] + share * (xs[piece] - xs[piece - 1])
            y = ys[piece - 1] + share * (ys[piece] - ys[piece - 1])
            half_x = (abs(math.cos(angle)) * width + abs(math.sin(angle)) * height) / 2
            half_y = (abs(math.sin(angle)) * width + abs(math.cos(angle)) * height) / 2
            cover = (x - half_x, y - half_y, x + half_x, y + half_y)
            if box is not None and not (box[0] <= cover[0] and cover[2] <= box[2] and box[1] <= cover[1]
                                        and cover[3] <= box[3]):
                continue
            if any(cover[0] < other[2] and other[0] < cover[2] and cover[1] < other[3] and other[1] < cover[3]
                   for other in placed):
                continue
            placed.append(cover)
            rows.append((line.street, x / east_per_degree, y / METRES_PER_DEGREE, _upright(math.degrees(angle))))
            break
    return pd.DataFrame(rows, columns=["street", "lon", "lat", "angle"])


def _metres(lat1, lon1, lat2, lon2):
    """Distance in metres between points (arrays), flat-earth: exact enough inside a city."""
    north = (np.asarray(lat2) - np.asarray(lat1)) * METRES_PER_DEGREE
    east = (np.asarray(lon2) - np.asarray(lon1)) * METRES_PER_DEGREE * np.cos(np.radians(np.asarray(lat1)))
    return np.hypot(north, east)


def _upright_angle(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The angle of the piece from point 1 to point 2 on screen, turned so the text never reads upside down."""
    return _upright(math.degrees(math.atan2(lat2 - lat1, (lon2 - lon1) * math.cos(math.radians(lat1)))))


def _upright(angle: float) -> float:
    angle = round(angle, 1)
    if angle > 90:
        angle -= 180
    elif angle <= -90:
        angle += 180
    return round(angle, 1)
