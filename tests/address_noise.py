"""A noise model for the matcher's independent evaluation, written apart from sample_data/.

`records(master, seed)` writes department-style address strings for the properties of any master
(built here from Pittsburgh's parcel files, not the sample city), each labelled with its truth and
its kind of noise. The model reads the master with its own small parser and its own vocabulary, so
a normaliser bug does not bend the labels the same way it bends the matcher.

Truth labels: a property id; BLOCK; INTERSECTION; OUTSIDE (another municipality: unmatched);
NONE (no property has this address: review or unmatched); AMBIGUOUS (the text or the point fits
several properties equally: review). A string that would name another real address (a typo that
spells another street that has the number) is not written at all: no matcher could tell.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

import pandas as pd
from rapidfuzz.distance import Levenshtein

# The street types this model reads in a master, and how a clerk may write each one.
TYPE_WRITTEN = {
    "ST": ("ST", "STREET", "St.", "Str", "STR", "st"),
    "AVE": ("AVE", "AV", "AVENUE", "Ave.", "Av", "AVE."),
    "RD": ("RD", "ROAD", "Rd.", "Rd"),
    "WAY": ("WAY", "WY", "Way"),
    "PL": ("PL", "PLACE", "Pl."),
    "BLVD": ("BLVD", "BOULEVARD", "Blvd.", "BLV", "BL"),
    "DR": ("DR", "DRIVE", "Dr."),
    "CT": ("CT", "COURT", "Ct"),
    "LN": ("LN", "LANE", "Ln."),
    "TER": ("TER", "TERRACE", "TERR"),
    "SQ": ("SQ", "SQUARE"),
    "CIR": ("CIR", "CIRCLE"),
    "ALY": ("ALY", "ALLEY"),
}
MASTER_TYPES = {"ST": "ST", "STREET": "ST", "AVE": "AVE", "AV": "AVE", "AVENUE": "AVE", "RD": "RD", "ROAD": "RD",
                "WAY": "WAY", "WY": "WAY", "PL": "PL", "BLVD": "BLVD", "BOULEVARD": "BLVD", "DR": "DR",
                "CT": "CT", "LN": "LN", "TER": "TER", "SQ": "SQ", "CIR": "CIR", "ALY": "ALY"}
DIRECTION_WRITTEN = {"N": ("N", "NORTH", "N.", "North"), "S": ("S", "SOUTH", "S.", "South"),
                     "E": ("E", "EAST", "E.", "East"), "W": ("W", "WEST", "W.", "West")}
ORDINAL_NAMES = {"1ST": "FIRST", "2ND": "SECOND", "3RD": "THIRD", "4TH": "FOURTH", "5TH": "FIFTH", "6TH": "SIXTH",
                 "7TH": "SEVENTH", "8TH": "EIGHTH", "9TH": "NINTH", "10TH": "TENTH", "11TH": "ELEVENTH",
                 "12TH": "TWELFTH"}
NAME_WORDS = {"MOUNT": ("MT", "MT.", "MOUNT"), "SAINT": ("ST", "ST.", "SAINT"), "FORT": ("FT", "FORT")}
UNIT_WRITTEN = ("APT {n}", "Apt. {n}", "UNIT {l}", "# {n}", "#{n}", "APT {n}{l}", "FL {n}", "{o} FLOOR", "REAR",
                "Unit {n}", "STE {n}0{n}", ", APT {n}", " - UNIT {n}", "1ST FL", "BSMT", "REAR UNIT")
FRACTION_WRITTEN = ("{n} 1/2 {s}", "{n}1/2 {s}", "{n} ½ {s}", "{n}½ {s}", "{n}-1/2 {s}")
BLOCK_WRITTEN = ("{h} BLOCK OF {s}", "{h} BLOCK {s}", "{x} {s}", "{h} BLK {s}", "{h} Block of {s}",
                 "{h}-BLOCK {s}", "BLOCK {h} {s}")
INTERSECTION_WRITTEN = ("{a} & {b}", "{a} AND {b}", "{a} and {b}", "{a} AT {b}", "{a} at {b}", "{a} / {b}",
                        "{a}/{b}", "{a} @ {b}", "INTERSECTION OF {a} & {b}", "INTERSECTION of {a} and {b}",
                        "Intersection of {a} / {b}", "CORNER OF {a} AND {b}", "{a} & {b} INTERSECTION")
EMPTY_WRITTEN = ("", "UNKNOWN", "N/A", "NO ADDRESS", "SEE NARRATIVE", "LOCATION NOT PROVIDED", "0", "GPS ONLY")
# Boroughs and townships around Pittsburgh with ZIP codes of their own, and a few farther away.
# Mount Oliver is left out: it is both a borough and a Pittsburgh neighbourhood.
NEIGHBOURS = (("WILKINSBURG", "PA", "15221"), ("MCKEES ROCKS", "PA", "15136"), ("MT LEBANON", "PA", "15228"),
              ("DORMONT", "PA", "15216"), ("HOMESTEAD", "PA", "15120"), ("MUNHALL", "PA", "15120"),
              ("BETHEL PARK", "PA", "15102"), ("CARNEGIE", "PA", "15106"), ("MILLVALE", "PA", "15209"),
              ("BELLEVUE", "PA", "15202"), ("ETNA", "PA", "15223"), ("SWISSVALE", "PA", "15218"),
              ("PENN HILLS", "PA", "15235"), ("ROSS TOWNSHIP", "PA", "15237"), ("BRADDOCK", "PA", "15104"),
              ("CASTLE SHANNON", "PA", "15234"), ("MCKEESPORT", "PA", "15132"), ("CORAOPOLIS", "PA", "15108"),
              ("SHALER", "PA", "15116"), ("STEUBENVILLE", "OH", "43952"), ("WHEELING", "WV", "26003"))
CITY_WRITTEN = ("PITTSBURGH", "Pittsburgh", "PGH")
KEYBOARD = {"A": "QWSZ", "B": "VGHN", "C": "XDFV", "D": "SERFCX", "E": "WSDR", "F": "DRTGVC", "G": "FTYHBV",
            "H": "GYUJNB", "I": "UJKO", "J": "HUIKMN", "K": "JIOLM", "L": "KOP", "M": "NJK", "N": "BHJM",
            "O": "IKLP", "P": "OL", "Q": "WA", "R": "EDFT", "S": "AWEDXZ", "T": "RFGY", "U": "YHJI", "V": "CFGB",
            "W": "QASE", "X": "ZSDC", "Y": "TGHU", "Z": "ASX"}
SOUNDS_ALIKE = (("EI", "IE"), ("PH", "F"), ("CK", "K"), ("LL", "L"), ("TT", "T"), ("SS", "S"), ("AY", "EY"),
                ("OO", "U"), ("C", "K"), ("Y", "IE"))

KINDS = ("restyled", "type_spelling", "missing_type", "typo", "direction", "unit", "fraction", "range_member",
         "ordinal_and_saint", "other_city", "wrong_number", "coordinate_only", "coordinate_far",
         "with_coordinates", "coordinates_disagree", "block", "intersection")

_MASTER_RE = re.compile(r"0*(\d+)(?:\s+(\d{1,4}))?\s+(?:([NSEW])\s+)?([A-Z][A-Z' ]*?[A-Z]|\d+(?:ST|ND|RD|TH))\s+"
                        r"([A-Z]+)")
_HALF_RE = re.compile(r"(\d+) 1/2 (.+)")
_RANGE_RE = re.compile(r"0*(\d+)\s*-\s*0*(\d+)\s+(?:([NSEW])\s+)?([A-Z][A-Z' ]*?[A-Z]|\d+(?:ST|ND|RD|TH))\s+([A-Z]+)")
ORDINAL_WORDS = {v: k for k, v in ORDINAL_NAMES.items()}
# Types the master writes that this model does not write itself (read only to find a row's name).
LOOSE_TYPES = frozenset({"EXT", "WA", "BO", "BV", "BL", "RDWY", "PIKE", "ROW", "PATH", "COMMONS", "STEPS"})


@dataclass(frozen=True)
class Street:
    direction: str
    name: str
    type: str


@dataclass(frozen=True)
class Site:
    property_id: str
    number: int
    high: int | None
    street: Street
    lat: float
    lon: float


def read_master(master: pd.DataFrame) -> tuple[list[Site], dict[tuple[int, Street], str]]:
    """The master rows this model can read (a number or a range, an optional direction, a name, a
    type), and the parcels of the "123 1/2" addresses it lists."""
    located = master.assign(lat=pd.to_numeric(master["lat"], errors="coerce"),
                            lon=pd.to_numeric(master["lon"], errors="coerce"))
    sites, halves = [], {}
    for pid, text, lat, lon in zip(located["property_id"], located["address"], located["lat"], located["lon"]):
        text = " ".join(str(text).upper().split())
        half = _HALF_RE.fullmatch(text)
        if half:
            text = f"{half.group(1)} {half.group(2)}"
        if m := _RANGE_RE.fullmatch(text):
            number, high = int(m.group(1)), int(m.group(2))
            if high <= number:
                continue
        elif m := _MASTER_RE.fullmatch(text):
            number, high = int(m.group(1)), None
            if second := m.group(2):  # "1249 51 VOSKAMP ST": a range written with a space
                low = str(number)
                if len(second) > len(low):
                    continue
                high = int(low[: len(low) - len(second)] + second)
                if high == number:
                    high = None  # "214 214 LANGLEY AVE": the number written twice
                elif high < number:
                    continue
        else:
            continue
        direction, name, kind = m.group(3) or "", m.group(4), m.group(5)
        if kind not in MASTER_TYPES or number == 0:
            continue
        street = Street(direction, ORDINAL_WORDS.get(name, name), MASTER_TYPES[kind])
        if half:
            halves[number, street] = str(pid)
            continue
        sites.append(Site(str(pid), number, high, street, lat, lon))
    return sites, halves


class Model:
    """The master as this model sees it, and the writers of each kind of noise."""

    def __init__(self, master: pd.DataFrame, rng: random.Random):
        self.rng = rng
        self.sites, self.halves = read_master(master)
        self.at: dict[tuple[int, Street], set[str]] = defaultdict(set)
        self.ranges: dict[Street, list[tuple[int, int, str]]] = defaultdict(list)
        self.by_name: dict[str, set[Street]] = defaultdict(set)
        self.numbers: dict[Street, set[int]] = defaultdict(set)
        for site in self.sites:
            self.at[site.number, site.street].add(site.property_id)
            self.numbers[site.street].add(site.number)
            self.by_name[site.street.name].add(site.street)
            if site.high:
                self.ranges[site.street].append((site.number, site.high, site.property_id))
                for inside in range(site.number + 2, site.high + 1, 2):
                    self.numbers[site.street].add(inside)
        # (house number, word) of every master row, read loosely (a "wrong" number must be on none),
        # and (house number, word, direction written after the number)
        self.loose = Counter()
        self.named = Counter()  # (number, name, direction) of every numbered master row, read loosely
        for text in master["address"].astype(str).str.upper():
            words = text.replace(",", " ").split()
            if not words or not words[0].isdigit():
                continue
            number, words = int(words[0]), words[1:]
            for word in set(words):
                self.loose[number, word] += 1
            if words and words[0].isdigit():
                words = words[1:]
            direction = words[0] if len(words) > 1 and words[0] in DIRECTION_WRITTEN else ""
            words = words[1:] if direction else words
            if len(words) > 1 and (words[-1] in MASTER_TYPES or words[-1] in LOOSE_TYPES):
                words = words[:-1]
            name = " ".join(words)
            self.named[number, ORDINAL_WORDS.get(name, name), direction] += 1
        self.names = sorted(self.by_name)
        pids = master.drop_duplicates("property_id")
        pids = pids.assign(lat=pd.to_numeric(pids["lat"], errors="coerce"), lon=pd.to_numeric(pids["lon"], errors="coerce"))
        pids = pids.dropna(subset=["lat", "lon"])
        self.points = list(zip(pids["property_id"].astype(str), pids["lat"], pids["lon"]))
        self.grid: dict[tuple[int, int], list[int]] = defaultdict(list)
        for i, (_pid, lat, lon) in enumerate(self.points):
            self.grid[_cell(lat, lon)].append(i)
        self.neighbourhoods = sorted({str(n).upper() for n in master.get("neighborhood", pd.Series(dtype=str)).dropna()
                                      if str(n).strip() and str(n).upper() != "NAN"})
        self.unique = [s for s in self.sites if len(self.at[s.number, s.street]) == 1 and not s.high]

    # --- the parts of a written address ---------------------------------------------------

    def written_type(self, street: Street) -> str:
        return self.rng.choice(TYPE_WRITTEN[street.type][:2])

    def tail(self) -> str:
        """What may follow an address in our own city: nothing, the city, a ZIP, a neighbourhood."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.45:
            return ""
        zip_code = rng.choice(PITTSBURGH_ZIPS)
        city = rng.choice(CITY_WRITTEN)
        if roll < 0.6:
            return f", {city}, PA {zip_code}"
        if roll < 0.7:
            return f" {city} PA {zip_code}"
        if roll < 0.78:
            return f", {city}"
        if roll < 0.84:
            return f" {zip_code}"
        if roll < 0.92 and self.neighbourhoods:
            return f", {rng.choice(self.neighbourhoods)}"
        if self.neighbourhoods:
            return f" {rng.choice(self.neighbourhoods)}"
        return ""

    def style(self, text: str) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.2:
            text = text.title()
        elif roll < 0.3:
            text = text.lower()
        if rng.random() < 0.1:
            text = text.replace(" ", "  ", 1)
        if rng.random() < 0.05:
            text = " " + text + " "
        return text

    def line(self, number: str, street: Street, *, direction: str | None = None, type_written: str | None = None,
             name: str | None = None) -> str:
        words = [number]
        d = street.direction if direction is None else direction
        if d:
            words.append(self.rng.choice(DIRECTION_WRITTEN[d][:2]) if direction is None else d)
        words.append(name if name is not None else street.name)
        t = self.written_type(street) if type_written is None else type_written
        if t:
            words.append(t)
        return " ".join(words)

    def has_number(self, street: Street, number: int) -> bool:
        return number in self.numbers.get(street, ())

    # --- the kinds ------------------------------------------------------------------------

    def restyled(self, site: Site) -> tuple[str, str]:
        number = str(site.number)
        if self.rng.random() < 0.15:
            number = number.zfill(4)  # "0527 ARLINGTON AVE", as the county writes it
        line = self.line(number, site.street)
        if self.rng.random() < 0.1:
            line = f"{number}\n{line}"  # a number repeated on a line of its own
        return self.style(line + self.tail()), site.property_id

    def type_spelling(self, site: Site) -> tuple[str, str]:
        written = self.rng.choice(TYPE_WRITTEN[site.street.type][2:] or TYPE_WRITTEN[site.street.type])
        return self.style(self.line(str(site.number), site.street, type_written=written) + self.tail()), site.property_id

    def missing_type(self, site: Site) -> tuple[str, str]:
        line = self.line(str(site.number), site.street, type_written="")
        truth = "AMBIGUOUS" if self.others_with_number(site, direction_kept=True) else site.property_id
        return self.style(line + self.tail()), truth

    def typo(self, site: Site) -> tuple[str, str] | None:
        name = site.street.name
        if len(name) < 4 or any(c.isdigit() for c in name):
            return None
        spelt = misspell(name, self.rng)
        if spelt is None or spelt in self.by_name:
            return None  # a typo that spells another street is another street
        # another street of the written type with this number, as near to what was written: a
        # reader could not choose (one of another type would need a second slip)
        rivals = [s for other in self.names if other != name and Levenshtein.distance(other, spelt) <= 1
                  for s in self.by_name[other] if s.type == site.street.type and self.has_number(s, site.number)]
        truth = "AMBIGUOUS" if rivals else site.property_id
        return self.style(self.line(str(site.number), site.street, name=spelt) + self.tail()), truth

    def direction(self, site: Site) -> tuple[str, str] | None:
        street = site.street
        if not street.direction:
            return None
        if self.rng.random() < 0.5:
            if self.has_number(Street("", street.name, street.type), site.number):
                return None  # without its direction the text names another address
            line = self.line(str(site.number), street, direction="")
            truth = "AMBIGUOUS" if self.others_with_number(site) else site.property_id
        else:
            spelled = self.rng.choice(DIRECTION_WRITTEN[street.direction][1:])
            line = self.line(str(site.number), street, direction=spelled)
            truth = site.property_id
        return self.style(line + self.tail()), truth

    def others_with_number(self, site: Site, direction_kept: bool = False) -> bool:
        """Whether another master row with this house number names this street (with the same
        direction or none, when the written address keeps its direction)."""
        directions = ("", "N", "S", "E", "W")
        if direction_kept and site.street.direction:
            directions = ("", site.street.direction)
        elif direction_kept:
            directions = ("",)
        return sum(self.named[site.number, site.street.name, d] for d in directions) > 1

    def unit(self, site: Site) -> tuple[str, str] | None:
        rng = self.rng
        if self.loose[site.number, site.street.name.split()[-1]] > 1:
            return None  # the master may list units of this building
        unit = rng.choice(UNIT_WRITTEN).format(n=rng.randint(1, 9), l=rng.choice("ABCDR"),
                                              o=rng.choice(("1ST", "2ND", "3RD", "SECOND")))
        line = self.line(str(site.number), site.street)
        joiner = "" if unit.startswith((",", " ")) else " "
        return self.style(line + joiner + unit + self.tail()), site.property_id

    def fraction(self, site: Site) -> tuple[str, str]:
        street_text = self.line("", site.street).strip()
        text = self.rng.choice(FRACTION_WRITTEN).format(n=site.number, s=street_text)
        return self.style(text + self.tail()), self.halves.get((site.number, site.street), site.property_id)

    def range_member(self, site: Site) -> tuple[str, str] | None:
        if not site.high or site.high - site.number > 40:
            return None
        numbers = list(range(site.number, site.high + 1, 2))
        number = self.rng.choice(numbers)
        if self.at.get((number, site.street), set()) - {site.property_id} or (
                number != site.number and self.loose[number, site.street.name.split()[-1]]):
            return None  # the member has a parcel of its own
        covering = [pid for low, high, pid in self.ranges[site.street] if low <= number <= high and (number - low) % 2 == 0]
        if len(set(covering)) != 1:
            return None
        roll = self.rng.random()
        if roll < 0.2:
            written = f"{site.number}-{site.high}"
        elif roll < 0.3:
            written = f"{site.number}-{str(site.high)[-2:]}"
        else:
            written = str(number)
        return self.style(self.line(written, site.street) + self.tail()), site.property_id

    def ordinal_and_saint(self, site: Site) -> tuple[str, str] | None:
        name = site.street.name
        words = name.split()
        if name in ORDINAL_NAMES:
            spelt = ORDINAL_NAMES[name] if self.rng.random() < 0.7 else name.title()
        elif name in ORDINAL_WORDS:
            spelt = ORDINAL_WORDS[name]
        elif words[0] in NAME_WORDS and len(words) > 1:
            spelt = " ".join([self.rng.choice(NAME_WORDS[words[0]]), *words[1:]])
        else:
            return None
        return self.style(self.line(str(site.number), site.street, name=spelt) + self.tail()), site.property_id

    def other_city(self, site: Site) -> tuple[str, str]:
        city, state, zip_code = self.rng.choice(NEIGHBOURS)
        roll = self.rng.random()
        if roll >= 0.8 and zip_code in PITTSBURGH_ZIPS:
            roll = 0  # a ZIP code the city shares says nothing alone: name the place
        if roll < 0.4:
            tail = f", {city}, {state} {zip_code}"
        elif roll < 0.6:
            tail = f" {city} {state} {zip_code}"
        elif roll < 0.8:
            tail = f", {city.title()}"
        else:
            tail = f", {state} {zip_code}"
        return self.style(self.line(str(site.number), site.street) + tail), "OUTSIDE"

    def wrong_number(self, site: Site) -> tuple[str, str] | None:
        street = site.street
        for step in self.rng.sample((2, -2, 4, -4, 6, 10, -10, 1, 100), 9):
            number = site.number + step
            if number <= 0 or self.has_number(street, number):
                continue
            if any(low <= number <= high for low, high, _ in self.ranges[street]):
                continue
            if (number, street.name.split()[-1]) in self.loose:
                continue  # a master row this model cannot read may hold it
            return self.style(self.line(str(number), street) + self.tail()), "NONE"
        return None

    def coordinate_only(self, site: Site) -> tuple[str, str, float, float] | None:
        """A point a few metres off the parcel's point, no address. Its kind says whether the point
        is clearly this parcel's (within 10 m, the next parcel point twice as far and 8 m farther):
        coordinate_only if so, coordinate_only_crowded (review expected) if not."""
        if math.isnan(site.lat):
            return None
        lat, lon = _moved(site.lat, site.lon, self.rng.uniform(0, 6), self.rng.uniform(0, 360))
        near = self.nearest(lat, lon)
        clear = (near[0][1] == site.property_id and near[0][0] <= 10
                 and (len(near) == 1 or (near[1][0] >= 2 * near[0][0] and near[1][0] - near[0][0] >= 8)))
        return self.rng.choice(EMPTY_WRITTEN), site.property_id, lat, lon, "" if clear else "coordinate_only_crowded"

    def coordinate_far(self, site: Site) -> tuple[str, str, float, float] | None:
        if math.isnan(site.lat):
            return None
        for _ in range(10):
            lat, lon = _moved(site.lat, site.lon, self.rng.uniform(40, 150), self.rng.uniform(0, 360))
            near = self.nearest(lat, lon)
            if not near or near[0][0] > 30:
                return self.rng.choice(EMPTY_WRITTEN), "NONE", lat, lon
        return None

    def with_coordinates(self, site: Site) -> tuple[str, str, float, float] | None:
        if math.isnan(site.lat):
            return None
        lat, lon = _moved(site.lat, site.lon, self.rng.uniform(0, 40), self.rng.uniform(0, 360))
        return self.style(self.line(str(site.number), site.street) + self.tail()), site.property_id, lat, lon

    def coordinates_disagree(self, site: Site) -> tuple[str, str, float, float] | None:
        if math.isnan(site.lat):
            return None
        lat, lon = _moved(site.lat, site.lon, self.rng.uniform(400, 3000), self.rng.uniform(0, 360))
        return self.style(self.line(str(site.number), site.street) + self.tail()), "AMBIGUOUS", lat, lon

    def block(self, site: Site) -> tuple[str, str]:
        hundred = site.number // 100 * 100
        xs = f"{hundred // 100}XX" if hundred else "XX"
        form = self.rng.choice(BLOCK_WRITTEN)
        text = form.format(h=hundred, x=xs, s=self.line("", site.street).strip())
        return self.style(text + self.tail()), "BLOCK"

    def intersection(self, site: Site, other: Site) -> tuple[str, str] | None:
        if other.street.name == site.street.name:
            return None
        a = self.crossing_name(site.street)
        b = self.crossing_name(other.street)
        text = self.rng.choice(INTERSECTION_WRITTEN).format(a=a, b=b)
        return self.style(text + self.tail()), "INTERSECTION"

    def crossing_name(self, street: Street) -> str:
        rng = self.rng
        words = []
        if street.direction and rng.random() < 0.8:
            words.append(street.direction)
        name = street.name
        if name.split()[0] in NAME_WORDS and rng.random() < 0.5:
            name = " ".join([rng.choice(NAME_WORDS[name.split()[0]][:2]), *name.split()[1:]])
        words.append(name)
        if rng.random() < 0.75:
            words.append(self.written_type(street))
        return " ".join(words)

    def nearest(self, lat: float, lon: float) -> list[tuple[float, str]]:
        row, col = _cell(lat, lon)
        found = sorted((_metres(lat, lon, plat, plon), pid)
                       for dr in (-1, 0, 1) for dc in (-1, 0, 1)
                       for i in self.grid.get((row + dr, col + dc), ())
                       for pid, plat, plon in (self.points[i],))
        return found


def misspell(name: str, rng: random.Random) -> str | None:
    """One slip of the keyboard or the ear in a street name."""
    letters = [i for i, c in enumerate(name) if c.isalpha()]
    if len(letters) < 4:
        return None
    how = rng.choice(("near_key", "drop", "double", "swap", "sound", "insert"))
    i = rng.choice(letters[1:])  # the first letter is rarely wrong
    if how == "near_key":
        return name[:i] + rng.choice(KEYBOARD[name[i]]) + name[i + 1 :]
    if how == "drop":
        return name[:i] + name[i + 1 :]
    if how == "double":
        return name[:i] + name[i] + name[i:]
    if how == "swap":
        if i + 1 >= len(name) or not name[i + 1].isalpha() or name[i] == name[i + 1]:
            return None
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    if how == "insert":
        return name[:i] + rng.choice(KEYBOARD[name[i]]) + name[i:]
    for a, b in rng.sample(SOUNDS_ALIKE, len(SOUNDS_ALIKE)):
        if a in name[1:]:
            at = name.index(a, 1)
            spelt = name[:at] + b + name[at + len(a) :]
            return spelt if Levenshtein.distance(spelt, name) <= 2 else None
    return None


# The city's own ZIP codes, the setting a Pittsburgh install would carry: every USPS ZIP code that
# reaches into the city. Several are shared with a neighbour (15216 Dormont, 15218 Swissvale, 15221
# Wilkinsburg, 15234 Castle Shannon, 15235 Penn Hills, 15120 Homestead and Munhall): there only a
# written place tells them apart.
PITTSBURGH_ZIPS = ("15120", "15201", "15203", "15204", "15205", "15206", "15207", "15208", "15210", "15211", "15212",
                   "15213", "15214", "15216", "15217", "15218", "15219", "15220", "15221", "15222", "15224",
                   "15226", "15227", "15232", "15233", "15234", "15235", "15236", "15260", "15261", "15282")
PER_KIND = 1200


def records(master: pd.DataFrame, seed: int = 15, per_kind: int = PER_KIND) -> pd.DataFrame:
    """Noisy records on `master`: address, lat, lon, truth, kind, and street (the group the split uses)."""
    rng = random.Random(seed)
    model = Model(master, rng)
    rows = []
    pools = {"range_member": [s for s in model.sites if s.high],
             "fraction": model.unique + [s for s in model.unique if (s.number, s.street) in model.halves] * 50}
    for kind in KINDS:
        sites = pools.get(kind, model.unique)
        made = tries = 0
        while made < per_kind and tries < per_kind * 20:
            tries += 1
            site = rng.choice(sites)
            if kind == "intersection":
                written = model.intersection(site, rng.choice(sites))
            else:
                written = getattr(model, kind)(site)
            if written is None:
                continue
            text, truth, *point = written
            lat, lon, *named = point if point else (math.nan, math.nan)
            rows.append((text, lat, lon, truth, named[0] if named and named[0] else kind, site.street.name))
            made += 1
    return pd.DataFrame(rows, columns=["address", "lat", "lon", "truth", "kind", "street"])


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return int(math.floor(lat / 0.0005)), int(math.floor(lon / 0.0005))


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    # haversine, so the model does not share the matcher's approximation
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008 * math.asin(math.sqrt(h))


def _moved(lat: float, lon: float, metres: float, bearing: float) -> tuple[float, float]:
    b = math.radians(bearing)
    dlat = metres * math.cos(b) / 111_320
    dlon = metres * math.sin(b) / (111_320 * math.cos(math.radians(lat)))
    return lat + dlat, lon + dlon
