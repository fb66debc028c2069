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
import dataclasses
import functools
import gc
import json
import math
import multiprocessing
import re
import tomllib
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
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
    if not isinstance(value, str) and pd.isna(value):
        return ""
    text = str(value).strip().upper()
    exported = _FLOAT_EXPORT.fullmatch(text)
    return _NOT_KEY.sub("", exported.group(1) if exported else text)


def digits(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return "".join(ch for ch in str(value) if ch.isdigit())


def _number(address: Address) -> int | None:
    return int(address.number) if address.number.isdigit() else None


class Matcher:
    """An index over a property master; `match()` places records on it.

    `places` are more names of the city or its neighbourhoods; `config` replaces matcher.toml (the
    city's own names, ZIP codes and states beside the master's, and the spatial rules). `workers` > 1
    normalises and places large batches in that many forked processes. Leave it at 1 inside a
    threaded server: forking a process that runs other threads is not safe.
    """

    def __init__(self, master: pd.DataFrame, places: Iterable[str] = (), workers: int = 1, *,
                 config: Settings | None = None):
        master = master.reset_index(drop=True)
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

        names = [*_texts(master, "city"), *config.city_names]
        self.city_names = frozenset(n for n in map(place_name, names) if n)
        neighbourhoods = {place_name(p) for p in [*places, *_texts(master, "neighborhood")]} - {""}
        # Names that may trail the street without a comma, so they can be peeled off; and the
        # places that are this city's own when a record names them.
        self.places = frozenset(self.city_names | neighbourhoods)
        zips = [*_digits(_column(master, "zip")), *config.city_zips]
        self.zips = frozenset(z[:5] for z in map(digits, zips) if len(z) >= 5)
        states = [*_texts(master, "state"), *config.city_states]
        self.states = frozenset(s.strip().upper() for s in states if len(s.strip()) == 2)
        self._own_place: dict[str, bool] = {}

        texts = master["address"].fillna("").astype(str).tolist()
        entries = dict(zip(*_run_parallel(_index_entries, sorted(set(texts)), self.workers, self.places)))
        parcels = _column(master, "parcel_id").map(parcel_key).tolist()
        for pid, text, parcel in zip(master["property_id"].astype(str).tolist(), texts, parcels):
            entry = entries[text]
            if entry is None:
                continue
            if pid not in self.addresses:
                self.addresses[pid] = text
                self.primary_keys.add((pid, entry[0]))
            self._index(pid, *entry)
            if parcel:
                self.parcels[parcel].add(pid)

        self.streets_with_number: dict[int, list[str]] = defaultdict(list)
        for key in sorted(self.numbers):
            for number in self.numbers[key]:
                self.streets_with_number[number].append(key)
        self.sorted_numbers = {key: sorted(on_street) for key, on_street in self.numbers.items()}
        self.skeletons = {name: _skeleton(name) for name in self.streets_by_name}
        self._coordinates(master)

    def _index(self, pid: str, key: str, base_key: str, street: Street, low: int | None, high: int | None) -> None:
        self.by_key[key].add(pid)
        self.by_base_key[base_key].add(pid)
        street = self.street_of_key.setdefault(street.key, street)
        self.streets_by_name[street.name].add(street.key)
        if low is None:
            return
        self.numbers[street.key][low].add(pid)
        if high is not None and high > low:
            self.ranges[street.key].append((low, high, pid))

    def _coordinates(self, master: pd.DataFrame) -> None:
        self.grid: dict[tuple[int, int], list[int]] = defaultdict(list)
        self.point_ids: list[str] = []
        self.location: dict[str, tuple[float, float]] = {}
        if "lat" not in master or "lon" not in master:
            self.points = np.empty((0, 2))
            return
        located = master.drop_duplicates("property_id")[["property_id", "lat", "lon"]]
        located = located[pd.to_numeric(located["lat"], errors="coerce").notna()
                          & pd.to_numeric(located["lon"], errors="coerce").notna()]
        self.points = located[["lat", "lon"]].astype(float).to_numpy()
        self.point_ids = located["property_id"].astype(str).tolist()
        for i, (lat, lon) in enumerate(self.points):
            self.grid[_cell(lat, lon)].append(i)
        self.location = {pid: tuple(point) for pid, point in zip(self.point_ids, self.points)}

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
        candidates = set().union(*(on_street[n] for n in nearest)) if nearest else set()
        return dataclasses.replace(self._review(candidates, 50.0), off_street=True)

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

    def match(self, records: pd.DataFrame) -> pd.DataFrame:
        """Placement of every record, aligned with `records`: property_id, status, method, score,
        candidates (JSON, for review) and the normalised address key."""
        if records.empty:
            return pd.DataFrame(columns=STATUS_COLUMNS, index=records.index)
        texts = _column(records, "address").fillna("").astype(str)
        codes, unique = pd.factorize(texts)
        unique, placed_texts = _run_parallel(_place_texts, unique.tolist(), self.workers, self)
        by_text = [placement for placement, _kind, _group in placed_texts]
        kinds = [kind for _placement, kind, _group in placed_texts]
        columns = {
            "property_id": np.array([p.property_id for p in by_text], dtype=object)[codes],
            "status": np.array([p.status for p in by_text], dtype=object)[codes],
            "method": np.array([p.method for p in by_text], dtype=object)[codes],
            "score": np.array([p.score for p in by_text], dtype=object)[codes],
            "candidates": np.array([_candidates_json(p.candidates) for p in by_text], dtype=object)[codes],
            "normalized": np.array([group for _p, _k, group in placed_texts], dtype=object)[codes],
        }

        # Only records with a parcel id, coordinates or a zip of their own need a look of their own.
        parcels = _column(records, "parcel_id").fillna("").astype(str).to_numpy()
        lats = pd.to_numeric(_column(records, "lat"), errors="coerce").to_numpy(dtype=float)
        lons = pd.to_numeric(_column(records, "lon"), errors="coerce").to_numpy(dtype=float)
        zips = _column(records, "zip").fillna("").astype(str).to_numpy()
        own = (np.char.strip(parcels.astype(str)) != "") | (~np.isnan(lats) & ~np.isnan(lons)) | (zips != "")
        for i in np.flatnonzero(own):
            text_placement = by_text[codes[i]]
            placement = self._place_record(kinds[codes[i]], text_placement, parcels[i], lats[i], lons[i],
                                           zips[i] or None)
            if placement is not text_placement:
                columns["property_id"][i] = placement.property_id
                columns["status"][i] = placement.status
                columns["method"][i] = placement.method
                columns["score"][i] = placement.score
                columns["candidates"][i] = _candidates_json(placement.candidates)
        placed = pd.DataFrame(columns, index=records.index)
        placed["score"] = pd.to_numeric(placed["score"])
        return placed

    def _place_record(self, kind: str, by_text: Placement, parcel, lat: float, lon: float, zip_code) -> Placement:
        parcel = parcel_key(parcel)
        if parcel and len(self.parcels.get(parcel, ())) == 1:
            return Placement("matched", "parcel_id", next(iter(self.parcels[parcel])), 1.0)
        if zip_code is not None and by_text is not OUTSIDE:
            record_zip = digits(zip_code)[:5]
            if len(record_zip) == 5 and self.zips and record_zip not in self.zips:
                return OUTSIDE
        has_point = not (math.isnan(lat) or math.isnan(lon)) and self.point_ids
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


def _column(records: pd.DataFrame, name: str) -> pd.Series:
    return records[name] if name in records else pd.Series(None, index=records.index, dtype=object)


def _texts(frame: pd.DataFrame, name: str) -> list[str]:
    return _column(frame, name).dropna().astype(str).unique().tolist()


def _digits(values: pd.Series) -> pd.Series:
    return values.fillna("").astype(str).str.replace(r"\D", "", regex=True)


def group_key(address: Address, text: str) -> str | None:
    """The string decisions are keyed by: the normalised key, or for text that is no address
    ("UNKNOWN", "see notes") the text itself, upper-cased with its spaces folded."""
    return address.key or " ".join(text.upper().split()) or None


def match(records: pd.DataFrame, master: pd.DataFrame) -> pd.DataFrame:
    """Place `records` (column `address`; optionally parcel_id, lat, lon, zip) on `master`
    (columns property_id, address; optionally parcel_id, city, zip, lat, lon)."""
    return Matcher(master).match(records)


def _index_entries(texts: list[str], places: frozenset[str]) -> list:
    """For each master address: (key, base_key, street, low number, high number), or None."""
    entries = []
    for text in texts:
        address = normalize(text, cities=places or None)
        if address.kind != "address":
            entries.append(None)
            continue
        high = digits(address.number_high)
        entries.append((address.key, address.base_key, address.street, _number(address), int(high) if high else None))
    return entries


def _place_texts(texts: list[str], matcher: "Matcher") -> list[tuple[Placement, str, str | None]]:
    """For each record address string: where its text puts it, its kind, and its group key."""
    placed = []
    for text in texts:
        address = normalize(text, cities=matcher.places or None)
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
