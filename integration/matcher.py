"""The matcher: every record joined to the right property, or honestly not.

`match(records, master)` places a DataFrame of records on the properties of a master, and
`Matcher(master)` builds the index once for several batches. Each unique address string is
normalised once. The rules, in order, stopping at the first confident answer:

1. parcel id, compared by `parcel_key` (letters and digits, upper case: dashes and spaces aside);
2. outside the city: a place or ZIP code that is not the city's (the master's city and zip
   columns, its neighbourhoods, and the names and ZIP codes in matcher.toml) leaves the record
   unmatched with method "outside";
3. exact key, then the key without the unit (a unit the master lacks falls back to its building;
   "123 1/2" falls back to 123 when the master has no half);
4. another address of the same property (alias), and ranges (1502 inside a 1500-1504 parcel);
5. the same street name with a direction or type missing on either side ("920 TYSON ST" for
   920 N TYSON ST), or a misspelt name, among the streets that have the house number, accepted
   only when one street fits clearly better than every other;
6. coordinates: the nearest parcel point within `spatial.radius_m` when it is clearly nearer than
   the next, for a record whose text places nothing; otherwise the nearest go to review. A text
   match farther than `spatial.disagree_m` from the record's own point goes to review.

A wrong automatic match is worse than a review item: ties, numbers that do not exist on the
street and fuzzy matches without margin go to `review` with their candidates.
"""

import bisect
import contextlib
import dataclasses
import functools
import gc
import json
import math
import multiprocessing
import re
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from rapidfuzz.distance import OSA

from integration.address import Address, Street, normalize, place_name
from integration.usps import SUFFIX_NAMES

FUZZY_MAX_EDITS = 2  # a misspelt street name is joined within one edit, two for long names
FUZZY_LONG_NAME = 9  # letters from which a name may take two edits
FUZZY_SHORT_NAME = 4  # shorter names, and names with digits (5TH, 6TH), must be spelt right
MAX_CANDIDATES = 5
PARALLEL_FROM = 40_000  # unique strings; below this, starting processes costs more than it saves

STATUS_COLUMNS = ["property_id", "status", "method", "score", "candidates", "normalized"]
SETTINGS_FILE = Path(__file__).resolve().parent / "matcher.toml"


@dataclasses.dataclass(frozen=True)
class Settings:
    """matcher.toml, read once: the city's own names and ZIP codes, and the spatial rules."""

    city_names: tuple[str, ...] = ()
    city_zips: tuple[str, ...] = ()
    city_states: tuple[str, ...] = ()
    radius_m: float = 15.0
    clear_ratio: float = 2.0
    clear_margin_m: float = 8.0
    review_radius_m: float = 60.0
    disagree_m: float = 200.0


@functools.lru_cache(maxsize=1)
def settings() -> Settings:
    with SETTINGS_FILE.open("rb") as handle:
        raw = tomllib.load(handle)
    city, spatial = raw.get("city", {}), raw.get("spatial", {})
    return Settings(
        city_names=tuple(str(n) for n in city.get("names", ())),
        city_zips=tuple(str(z) for z in city.get("zips", ())),
        city_states=tuple(str(z) for z in city.get("states", ())),
        **{name: float(spatial[name]) for name in ("radius_m", "clear_ratio", "clear_margin_m", "review_radius_m",
                                                    "disagree_m") if name in spatial},
    )


@dataclasses.dataclass(frozen=True, slots=True)
class Placement:
    status: str
    method: str | None = None
    property_id: str | None = None
    score: float | None = None
    candidates: tuple = ()
    off_street: bool = False  # review because the house number is not on the street


_FLOAT_EXPORT = re.compile(r"(\d+)\.0+")
_NOT_KEY = re.compile(r"[^0-9A-Z]")


def parcel_key(value) -> str:
    """A parcel id as parcels are compared: its letters and digits, upper case.

    Letters stay because county PINs carry them (0024G00060000000 is not 002400060000000);
    an id a spreadsheet exported as a float (202515001499.0) reads as the whole number.
    """
    if value.__class__ is str and value.isascii() and value.isalnum():
        return value.upper()  # the common case, without the regular expressions
    text = _text(value).strip().upper()
    if not text:
        return ""
    exported = _FLOAT_EXPORT.fullmatch(text)
    return _NOT_KEY.sub("", exported.group(1) if exported else text)


def digits(value) -> str:
    return "".join(ch for ch in _text(value) if ch.isdigit())


def _text(value) -> str:
    """A cell as text: "" for a missing one (None, NaN, pandas' NA)."""
    if value.__class__ is str:
        return value
    if value is None or value.__class__.__name__ in ("NAType", "NaTType"):
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    return value if isinstance(value, str) else str(value)


def _float(value) -> float | None:
    """A coordinate as a float, or None when it is missing or not a number."""
    if isinstance(value, float):
        return None if math.isnan(value) else value
    text = _text(value).strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def _number(address: Address) -> int | None:
    return int(address.number) if address.number.isdigit() else None


class Matcher:
    """An index over a property master; `match()` places records on it.

    `places` are more names of the city or its neighbourhoods; `config` replaces matcher.toml (the
    city's own names, ZIP codes and states beside the master's, and the spatial rules). `workers` > 1
    normalises and places large batches in that many forked processes. Leave it at 1 inside a
    threaded server: forking a process that runs other threads is not safe.
    """

    def __init__(self, master, places: Iterable[str] = (), workers: int = 1, *, config: Settings | None = None):
        with _no_collection():
            self._build(_as_columns(master), places, workers, config)

    def _build(self, master: dict[str, list], places: Iterable[str], workers: int, config: Settings | None) -> None:
        self.config = config = config or settings()
        self.workers = max(1, workers)
        self.addresses: dict[str, str] = {}  # property_id -> primary address
        self.by_key: dict[str, set[str]] = defaultdict(set)
        self.by_base_key: dict[str, set[str]] = defaultdict(set)
        self.primary_keys: set[tuple[str, str]] = set()  # (property_id, key) of primary addresses
        # street key -> house number -> property ids; and ranges per street
        self.numbers: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.ranges: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
        # name -> street keys, for a direction or type written on one side only
        self.streets_by_name: dict[str, set[str]] = defaultdict(set)
        self.street_of_key: dict[str, Street] = {}
        self.parcels: dict[str, set[str]] = defaultdict(set)

        names = [*_distinct(master, "city"), *config.city_names]
        self.city_names = frozenset(n for n in map(place_name, names) if n)
        neighbourhoods = {place_name(p) for p in [*places, *_distinct(master, "neighborhood")]} - {""}
        # Names that may trail the street without a comma, so they can be peeled off; and the
        # places that are this city's own when a record names them.
        self.places = frozenset(self.city_names | neighbourhoods)
        zips = [*_distinct(master, "zip"), *config.city_zips]
        self.zips = frozenset(z[:5] for z in map(digits, zips) if len(z) >= 5)
        states = [*_distinct(master, "state"), *config.city_states]
        self.states = frozenset(s.strip().upper() for s in states if len(s.strip()) == 2)
        self._own_place: dict[str, bool] = {}

        texts = [_text(text) for text in master["address"]]
        pids = [_text(pid) for pid in master["property_id"]]
        # Each master string read once; a record written exactly as the master writes it reuses it.
        self._parsed: dict[str, Address] = dict(zip(*_run_parallel(_normalize_all, list(dict.fromkeys(texts)),
                                                                   self.workers, self.places)))
        parcels = [parcel_key(parcel) for parcel in master.get("parcel_id", ())] or [""] * len(pids)
        addresses, primary_keys, by_key, by_base_key = self.addresses, self.primary_keys, self.by_key, self.by_base_key
        street_of_key, streets_by_name, numbers, ranges = (self.street_of_key, self.streets_by_name, self.numbers,
                                                           self.ranges)
        for pid, text, parcel in zip(pids, texts, parcels):
            address = self._parsed[text]
            if address.kind != "address":
                continue
            key = address.key
            if pid not in addresses:
                addresses[pid] = text
                primary_keys.add((pid, key))
            by_key[key].add(pid)
            by_base_key[address.base_key].add(pid)
            street = street_of_key.setdefault(address.street.key, address.street)
            streets_by_name[street.name].add(street.key)
            if address.number.isdigit():
                low = int(address.number)
                numbers[street.key][low].add(pid)
                if address.number_high and (high := int(digits(address.number_high) or 0)) > low:
                    ranges[street.key].append((low, high, pid))
            if parcel:
                self.parcels[parcel].add(pid)

        self.streets_with_number: dict[int, list[str]] = defaultdict(list)
        for key in sorted(self.numbers):
            for number in self.numbers[key]:
                self.streets_with_number[number].append(key)
        self.sorted_numbers = {key: sorted(on_street) for key, on_street in self.numbers.items()}
        self.skeletons = {name: _skeleton(name) for name in self.streets_by_name}
        self._coordinates(pids, master.get("lat"), master.get("lon"))

    def _coordinates(self, pids: list[str], lats, lons) -> None:
        """Each property's point (its first row's), and a grid of cells for the nearest search."""
        self.grid: dict[tuple[int, int], list[int]] = defaultdict(list)
        self.point_ids: list[str] = []
        self.points: list[tuple[float, float]] = []
        self.location: dict[str, tuple[float, float]] = {}
        if lats is None or lons is None:
            return
        seen = set()
        for pid, lat, lon in zip(pids, lats, lons):
            if pid in seen:
                continue
            seen.add(pid)
            lat, lon = _float(lat), _float(lon)
            if lat is None or lon is None:
                continue
            self.grid[_cell(lat, lon)].append(len(self.points))
            self.points.append((lat, lon))
            self.point_ids.append(pid)
            self.location[pid] = (lat, lon)

    # --- placing one normalised address ---------------------------------------------------

    def place_text(self, address: Address) -> Placement:
        """Where the address text alone puts a record."""
        kind = address.kind
        if kind in ("address", "block", "intersection") and self.outside(address):
            return OUTSIDE
        if kind == "block":
            return Placement("block")
        if kind == "intersection":
            return Placement("intersection")
        if kind != "address" or not address.street.name or address.number == "":
            return Placement("unmatched")

        exact = self.by_key.get(address.key)
        if exact:
            return self._decide(exact, address.key, "exact")
        if address.unit_id or address.unit_type:
            base = self.by_base_key.get(address.base_key)
            if base:
                return self._decide(base, address.base_key, "unit_base")
        elif address.base_key in self.by_base_key:
            # no unit written, but the master knows the building only by its units (duplex halves)
            return self._decide(self.by_base_key[address.base_key], address.base_key, "unit_base")

        number = _number(address)
        if number is None:
            return Placement("unmatched")
        return self._on_street(address, address.street, number, relaxed=True)

    def outside(self, address: Address) -> bool:
        """Whether the address names a ZIP code, state or place that is not this city's."""
        if address.zip and self.zips and address.zip[:5] not in self.zips:
            return True
        if address.state and self.states and address.state not in self.states:
            return True
        return bool(address.city and self.city_names and not self._is_own_place(address.city))

    def _is_own_place(self, city: str) -> bool:
        known = self._own_place.get(city)
        if known is None:
            known = self._own_place[city] = _names_a_place(city, self.places)
        return known

    def _decide(self, pids: set[str], key: str, method: str, score: float = 100.0) -> Placement:
        if len(pids) > 1:
            return self._review(pids, score)
        pid = next(iter(pids))
        if method == "exact" and (pid, key) not in self.primary_keys:
            method = "alias"
        return Placement("matched", method, pid, score / 100.0)

    def _review(self, pids: Iterable[str], score: float) -> Placement:
        return Placement("review", None, None, score / 100.0,
                         tuple((pid, self.addresses.get(pid, ""), score / 100.0) for pid in sorted(pids))[:MAX_CANDIDATES])

    def _at(self, street_key: str, number: int) -> tuple[set[str], str]:
        """The properties at a house number on a street: its own parcels, else the ranges that hold it."""
        pids = self.numbers[street_key].get(number) if street_key in self.numbers else None
        if pids:
            return pids, "exact"
        return {pid for low, high, pid in self.ranges.get(street_key, ()) if low <= number <= high
                and (low - number) % 2 == 0}, "range"

    def _on_street(self, address: Address, street: Street, number: int, relaxed: bool) -> Placement:
        """A numbered address that has no exact key: on its own street, on a street of the same
        name with a direction or type written on one side only, or on a misspelt street."""
        own = street.key if street.key in self.numbers else None
        if own is not None:
            pids, method = self._at(own, number)
            if pids:
                return self._placed(address, own, pids, method, 100.0)
        having = {}
        for key in self._siblings(street):
            pids, method = self._at(key, number)
            if pids:
                having[key] = (pids, method)
        if len(having) == 1:
            (key, (pids, method)), = having.items()
            return self._placed(address, key, pids, "fuzzy" if method == "exact" else method, 95.0)
        if having:
            return self._review(set().union(*(pids for pids, _ in having.values())), 80.0)
        if relaxed and own is None and street.type:
            # "1004 SPRING GARDEN", "MURRAY HILL": read as a type, the last word may be the name's
            whole = Street(street.predir, f"{street.name} {SUFFIX_NAMES.get(street.type, street.type)}", "",
                           street.postdir)
            if self.streets_by_name.get(whole.name):
                return self._on_street(address, whole, number, relaxed=False)
        if own is not None or self.streets_by_name.get(street.name):
            return self._not_on_street(own or sorted(self.streets_by_name[street.name])[0], number)
        return self._fuzzy(address, number)

    def _siblings(self, street: Street) -> list[str]:
        """Master streets of the same name whose direction and type agree where both are written."""
        found = []
        for key in sorted(self.streets_by_name.get(street.name, ())):
            other = self.street_of_key[key]
            if key == street.key:
                continue
            if street.predir and other.predir and street.predir != other.predir:
                continue
            if street.postdir and other.postdir and street.postdir != other.postdir:
                continue
            if street.type and other.type and street.type != other.type:
                continue
            found.append(key)
        return found

    def _placed(self, address: Address, street_key: str, pids: set[str], method: str, score: float) -> Placement:
        if len(pids) > 1:
            return self._review(pids, score)
        if address.number_suffix:
            return self._review(pids, score * 0.9)  # 123A when the master has only 123
        if address.number_high and self._splits_range(address, street_key, pids):
            return self._review(pids | self._at(street_key, int(digits(address.number_high)))[0], score * 0.9)
        if address.fraction:
            method = "unit_base"  # "123 1/2" on 123's parcel: the master has no half of its own
        return Placement("matched", method, next(iter(pids)), score / 100.0)

    def _splits_range(self, address: Address, street_key: str, pids: set[str]) -> bool:
        """Whether a written range ("1249-1251") ends on another property than it starts."""
        high = digits(address.number_high)
        return bool(high) and bool(self._at(street_key, int(high))[0] - pids)

    def _not_on_street(self, street_key: str, number: int) -> Placement:
        """The number does not exist on the street: review, with the nearest numbers as candidates."""
        numbers = self.sorted_numbers.get(street_key, [])  # a street the master knows only without numbers
        at = bisect.bisect_left(numbers, number)
        nearest = sorted(numbers[max(0, at - MAX_CANDIDATES): at + MAX_CANDIDATES],
                         key=lambda n: (abs(n - number), n))[:MAX_CANDIDATES]
        on_street = self.numbers.get(street_key, {})
        ranked = sorted((-number_nearness(number, n), n, pid) for n in nearest for pid in on_street[n])
        candidates = [(pid, self.addresses.get(pid, ""), -score) for score, _n, pid in ranked[:MAX_CANDIDATES]]
        return Placement("review", None, None, candidates[0][2] if candidates else NEAREST_NUMBER_SCORE,
                         tuple(candidates), off_street=True)

    def _fuzzy(self, address: Address, number: int) -> Placement:
        """A misspelt street name, among the streets that have this house number.

        Joined only when the name is within its edit budget and every other such street is at
        least two edits farther (a different written type or direction counts as edits too). A
        misspelling that sounds the same (MONTUTH for MONTOOTH: the same consonants) costs one
        edit less.
        """
        written = address.street
        skeleton = _skeleton(written.name)
        ranked = []
        for key in self.streets_with_number.get(number, ()):
            street = self.street_of_key[key]
            if written.predir and street.predir and street.predir != written.predir:
                continue  # the other side of town
            edits = OSA.distance(written.name, street.name, score_cutoff=FUZZY_MAX_EDITS + 2)
            if edits > FUZZY_MAX_EDITS + 1:
                continue
            cost = edits - (edits > 1 and self.skeletons[street.name] == skeleton)
            cost += 2 * (bool(written.type) and bool(street.type) and street.type != written.type)
            cost += bool(written.predir) != bool(street.predir)
            ranked.append((cost, edits, key))
        if not ranked:
            return Placement("review", candidates=())
        ranked.sort()
        best, best_edits, best_key = ranked[0]
        clear = len(ranked) == 1 or ranked[1][0] >= best + 2
        pids = self.numbers[best_key][number]
        if best <= _edit_budget(written.name) and clear and len(pids) == 1 and not address.number_suffix:
            method = "unit_base" if address.fraction else "fuzzy"
            return Placement("matched", method, next(iter(pids)), _similarity(written.name, best_edits))
        candidates = [(pid, self.addresses.get(pid, ""), _similarity(written.name, edits))
                      for _, edits, key in ranked for pid in sorted(self.numbers[key][number])]
        return Placement("review", None, None, candidates[0][2], tuple(candidates[:MAX_CANDIDATES]))

    # --- coordinates ----------------------------------------------------------------------

    def nearest(self, lat: float, lon: float) -> list[tuple[float, str]]:
        """Properties within a few cells of a point, nearest first, as (metres, property_id)."""
        row, col = _cell(lat, lon)
        found = []
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                for i in self.grid.get((row + dr, col + dc), ()):
                    found.append((_metres(lat, lon, *self.points[i]), self.point_ids[i]))
        found.sort()
        return found

    def place_spatial(self, lat: float, lon: float) -> Placement | None:
        """The parcel whose point is nearest, when it is within the radius and clearly nearer than
        the next; else review with the points nearby; None when no parcel point is near."""
        config = self.config
        near = [n for n in self.nearest(lat, lon) if n[0] <= config.review_radius_m]
        if not near:
            return None
        first = near[0][0]
        clear = len(near) == 1 or (near[1][0] >= config.clear_ratio * first
                                   and near[1][0] - first >= config.clear_margin_m)
        if first <= config.radius_m and clear:
            return Placement("matched", "spatial", near[0][1], round(1 - first / config.radius_m / 2, 3))
        candidates = tuple((pid, self.addresses.get(pid, ""), round(max(0.0, 1 - metres / config.review_radius_m), 3))
                           for metres, pid in near[:MAX_CANDIDATES])
        return Placement("review", None, None, candidates[0][2], candidates)

    # --- whole frames ---------------------------------------------------------------------

    def match(self, records):
        """Placement of every record, aligned with `records` (a DataFrame): property_id, status,
        method, score, candidates (JSON, for review) and the normalised address key."""
        import pandas as pd

        if records.empty:
            return pd.DataFrame(columns=STATUS_COLUMNS, index=records.index)
        read = [name for name in RECORD_INPUTS if name in records.columns] or list(records.columns)
        columns = self.match_columns(_as_columns(records[read]))
        placed = pd.DataFrame({name: pd.Series(values, index=records.index, dtype=object)
                               for name, values in columns.items()})
        placed["score"] = pd.to_numeric(placed["score"])
        return placed

    def match_columns(self, records: Mapping[str, Sequence]) -> dict[str, list]:
        """`match` on plain columns (name -> values, one per record): the placement columns as lists."""
        with _no_collection():
            return self._match_columns(records)

    def _match_columns(self, records: Mapping[str, Sequence]) -> dict[str, list]:
        n = _length(records)
        texts = [_text(text) for text in records.get("address") or [""] * n]
        first: dict[str, int] = {}
        codes = [first.setdefault(text, len(first)) for text in texts]
        _unique, placed_texts = _run_parallel(_place_texts, list(first), self.workers, self)
        by_text = [placement for placement, _kind, _group in placed_texts]
        candidates = [_candidates_json(p.candidates) for p in by_text]
        columns = {
            "property_id": [by_text[code].property_id for code in codes],
            "status": [by_text[code].status for code in codes],
            "method": [by_text[code].method for code in codes],
            "score": [by_text[code].score for code in codes],
            "candidates": [candidates[code] for code in codes],
            "normalized": [placed_texts[code][2] for code in codes],
        }

        # Only records with a parcel id, coordinates or a zip of their own need a look of their own.
        parcels, lats, lons, zips = (records.get(name) for name in ("parcel_id", "lat", "lon", "zip"))
        # rows with anything in those columns ("" is nothing; a missing value that is not a string,
        # such as NaN, is looked at and found to be nothing)
        own = sorted({i for values in (parcels, lats, zips) if values for i, value in enumerate(values) if value})
        for i in own:
            parcel = _text(parcels[i]).strip() if parcels else ""
            lat = _float(lats[i]) if lats else None
            lon = _float(lons[i]) if lons and lat is not None else None
            zip_code = _text(zips[i]) if zips else ""
            if not (parcel or lon is not None or zip_code):
                continue
            code = codes[i]
            text_placement = by_text[code]
            placement = self._place_record(placed_texts[code][1], text_placement, parcel, lat, lon, zip_code or None)
            if placement is not text_placement:
                columns["property_id"][i] = placement.property_id
                columns["status"][i] = placement.status
                columns["method"][i] = placement.method
                columns["score"][i] = placement.score
                columns["candidates"][i] = _candidates_json(placement.candidates)
        return columns

    def _place_record(self, kind: str, by_text: Placement, parcel, lat: float | None, lon: float | None,
                      zip_code) -> Placement:
        parcel = parcel_key(parcel)
        if parcel and len(self.parcels.get(parcel, ())) == 1:
            return Placement("matched", "parcel_id", next(iter(self.parcels[parcel])), 1.0)
        if zip_code is not None and by_text is not OUTSIDE:
            record_zip = digits(zip_code)[:5]
            if len(record_zip) == 5 and self.zips and record_zip not in self.zips:
                return OUTSIDE
        has_point = lat is not None and lon is not None and self.point_ids
        if not has_point or by_text is OUTSIDE:
            return by_text
        if by_text.status == "matched":
            home = self.location.get(by_text.property_id)
            if home and _metres(lat, lon, *home) > self.config.disagree_m:
                spatial = self.place_spatial(lat, lon)
                candidates = [(by_text.property_id, self.addresses.get(by_text.property_id, ""), by_text.score)]
                if spatial:
                    candidates.extend(c for c in (spatial.candidates or ((spatial.property_id, self.addresses.get(
                        spatial.property_id, ""), spatial.score),)) if c[0] != by_text.property_id)
                return Placement("review", None, None, by_text.score, tuple(candidates[:MAX_CANDIDATES]))
            return by_text
        if by_text.status in ("review", "unmatched") and kind in ("address", "empty") and not by_text.off_street:
            # coordinates settle a tie or place a record with no usable text; a number that is not
            # on the street stays in review however near a neighbour the point is
            spatial = self.place_spatial(lat, lon)
            if spatial is None:
                return by_text
            if spatial.status == "matched" and (by_text.status == "unmatched"
                                                or spatial.property_id in {c[0] for c in by_text.candidates}):
                return spatial
            if by_text.status == "unmatched":
                return spatial if spatial.status == "review" else Placement(
                    "review", None, None, spatial.score,
                    ((spatial.property_id, self.addresses.get(spatial.property_id, ""), spatial.score),))
        return by_text


OUTSIDE = Placement("unmatched", "outside")


# Words that may follow a neighbourhood's everyday name in its official one (SQUIRREL HILL NORTH).
_PLACE_QUALIFIERS = frozenset({"NORTH", "SOUTH", "EAST", "WEST", "UPPER", "LOWER", "CENTRAL", "FLATS", "SLOPES"})


def _names_a_place(city: str, places: frozenset[str]) -> bool:
    """Whether a written place is one of `places`, or one without the qualifier its official name
    ends in ("SQUIRREL HILL" for SQUIRREL HILL NORTH), or holds one ("EAST LIBERTY PITTSBURGH").
    A qualifier in front makes another place: CARNEGIE is not EAST CARNEGIE."""
    if city in places:
        return True
    words = city.split()
    for place in places:
        known = place.split()
        if known[: len(words)] == words and all(w in _PLACE_QUALIFIERS for w in known[len(words) :]):
            return True
        if _contains(words, known):
            return True
    return False


def _contains(words: list[str], part: list[str]) -> bool:
    n = len(part)
    return 0 < n <= len(words) and any(words[i : i + n] == part for i in range(len(words) - n + 1))


_VOWELS = re.compile(r"(?<=.)[AEIOUYHW]+")
_REPEATS = re.compile(r"(.)\1+")


def _skeleton(name: str) -> str:
    """A street name's consonants in order, doubles once: MONTOOTH and MONTUTH are MNT-TH alike."""
    return _REPEATS.sub(r"\1", _VOWELS.sub("", name.replace(" ", "").replace("PH", "F").replace("CK", "K")))


@contextlib.contextmanager
def _no_collection():
    """The cyclic garbage collector paused while an index or a batch is built: those build
    millions of small objects and no cycles, and each collection would walk them all again."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


RECORD_INPUTS = ("address", "parcel_id", "lat", "lon", "zip")  # what placing a record reads of it


def _as_columns(table) -> dict[str, list]:
    """A DataFrame, or a mapping of column name -> values, as a dict of lists."""
    if hasattr(table, "columns") and hasattr(table, "index"):
        return {str(name): table[name].tolist() for name in table.columns}
    return {str(name): list(values) for name, values in table.items()}


def _length(columns: Mapping[str, Sequence]) -> int:
    return len(next(iter(columns.values()))) if columns else 0


def _distinct(columns: Mapping[str, Sequence], name: str) -> list[str]:
    values = columns.get(name, ())
    return list(dict.fromkeys(text for text in map(_text, set(values) if values else ()) if text))


def group_key(address: Address, text: str) -> str | None:
    """The string decisions are keyed by: the normalised key, or for text that is no address
    ("UNKNOWN", "see notes") the text itself, upper-cased with its spaces folded."""
    return address.key or " ".join(text.upper().split()) or None


def match(records, master):
    """Place `records` (column `address`; optionally parcel_id, lat, lon, zip) on `master`
    (columns property_id, address; optionally parcel_id, city, zip, lat, lon)."""
    return Matcher(master).match(records)


def _normalize_all(texts: list[str], places: frozenset[str]) -> list[Address]:
    return [normalize(text, cities=places or None) for text in texts]


def _place_texts(texts: list[str], matcher: "Matcher") -> list[tuple[Placement, str, str | None]]:
    """For each record address string: where its text puts it, its kind, and its group key."""
    placed = []
    parsed, places = matcher._parsed, matcher.places or None
    for text in texts:
        address = parsed.get(text) or normalize(text, cities=places)
        placed.append((matcher.place_text(address), address.kind, group_key(address, text)))
    return placed


_FORKED: tuple = ()  # (function, argument) handed to forked workers without pickling


def _forked_chunk(chunk: list[str]) -> list:
    function, argument = _FORKED
    return function(chunk, argument)


def _run_parallel(function, texts: list[str], workers: int, argument) -> tuple[list[str], list]:
    """`function(texts, argument)`, split over `workers` forked processes when the batch is large.

    The workers inherit `argument` (the matcher's index) by fork rather than by pickling it.
    """
    global _FORKED
    if workers < 2 or len(texts) < PARALLEL_FROM:
        return texts, function(texts, argument)
    size = -(-len(texts) // (workers * 4))
    chunks = [texts[start : start + size] for start in range(0, len(texts), size)]
    theirs = len(chunks) * (workers - 1) // workers
    _FORKED = (function, argument)
    # Children share the index with this process until they write to its pages; keeping the
    # collector from touching every object, and working here too instead of idling beside as many
    # children as cores, keeps the copies (and the memory) down.
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(workers - 1) as pool:
            pending = pool.map_async(_forked_chunk, chunks[:theirs], chunksize=1)
            mine = [function(chunk, argument) for chunk in chunks[theirs:]]
            results = pending.get() + mine
    finally:
        gc.unfreeze()
        _FORKED = ()
    return texts, [item for part in results for item in part]


def _edit_budget(name: str) -> int:
    if len(name) < FUZZY_SHORT_NAME or any(ch.isdigit() for ch in name):
        return 0
    return FUZZY_MAX_EDITS if len(name) >= FUZZY_LONG_NAME else 1


def _similarity(name: str, edits: int) -> float:
    return round(max(0.0, 1 - edits / max(len(name), 1)), 3)


NEAREST_NUMBER_SCORE = 0.5  # a number not on its street is never better than a coin toss


def number_nearness(written: int, candidate: int) -> float:
    """The score of a house number on the written street for a number the street does not have:
    below 0.5, lower the farther it is; at the same distance, the number that keeps more of the
    written digits from the left (725 for 721, before 717) scores higher."""
    if written == candidate:
        return 1.0
    first, second = str(written), str(candidate)
    unlike = max(len(first), len(second)) - len(_shared_prefix(first, second))
    return round(NEAREST_NUMBER_SCORE * 10 / (10 + abs(written - candidate) + unlike / 10), 3)


def rank_candidates(written: str, candidates: Sequence[Mapping]) -> list[dict]:
    """Candidates (property_id, address, score) ordered nearest first for the address `written`.

    A candidate on the written street with another house number is scored by `number_nearness`
    (when that is lower than its stored score), so lists stored before the scores told numbers
    apart are ordered and scored as the matcher now orders them."""
    address = normalize(written)
    number = _number(address)
    ranked = []
    for candidate in candidates:
        candidate = dict(candidate)
        other = normalize(candidate.get("address") or "")
        theirs = _number(other)
        if (number is not None and theirs is not None and theirs != number and other.kind == "address"
                and other.street.name == address.street.name):
            candidate["score"] = min(float(candidate.get("score") or 0.0), number_nearness(number, theirs))
        ranked.append(candidate)
    return sorted(ranked, key=lambda c: -float(c.get("score") or 0.0))


def _shared_prefix(first: str, second: str) -> str:
    shared = 0
    while shared < min(len(first), len(second)) and first[shared] == second[shared]:
        shared += 1
    return first[:shared]


def _candidates_json(candidates: tuple) -> str | None:
    if not candidates:
        return None
    return json.dumps([{"property_id": pid, "address": address, "score": round(score, 3)}
                       for pid, address, score in candidates])


CELL_DEGREES = 0.001  # about 110 m of latitude; neighbouring cells cover the search radius


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return int(math.floor(lat / CELL_DEGREES)), int(math.floor(lon / CELL_DEGREES))


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    # equirectangular: exact enough within a city
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6_371_000 * math.hypot(x, y)
