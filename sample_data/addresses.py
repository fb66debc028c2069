"""How the departments write addresses: a property's address in parts, bent by one kind of noise.

Every noise keeps the intended property recoverable from the text (a typo never turns one street
into another, a dropped suffix or direction is only dropped where no other street has that number),
except `wrong_number`, whose house number exists nowhere on the street: a matcher should send it to
review. The label of a record says which noise it carries; `truth.csv` keeps the property.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sample_data.city import City, Property, Street

SUFFIX_SPELLINGS = {
    "ST": ("STREET", "STR", "ST."), "AVE": ("AVENUE", "AV", "AVE."), "BLVD": ("BOULEVARD", "BLVD.", "BLV"),
    "DR": ("DRIVE", "DR."), "CT": ("COURT", "CRT"), "PL": ("PLACE", "PL."), "RD": ("ROAD", "RD."),
    "LN": ("LANE", "LN."), "WAY": ("WY",), "CIR": ("CIRCLE", "CIRC"), "TER": ("TERRACE", "TERR"),
    "SQ": ("SQUARE",),
}
DIRECTION_SPELLINGS = {"N": ("NORTH", "N."), "S": ("SOUTH", "S."), "E": ("EAST", "E."), "W": ("WEST", "W.")}
SAINT_SPELLINGS = {"ST": ("SAINT", "ST."), "MT": ("MOUNT", "MT.")}

_UNITS_WORDS = ("", "FIRST", "SECOND", "THIRD", "FOURTH", "FIFTH", "SIXTH", "SEVENTH", "EIGHTH", "NINTH", "TENTH",
                "ELEVENTH", "TWELFTH", "THIRTEENTH", "FOURTEENTH", "FIFTEENTH", "SIXTEENTH", "SEVENTEENTH",
                "EIGHTEENTH", "NINETEENTH")
_TENS_WORDS = {2: "TWENTY", 3: "THIRTY", 4: "FORTY", 5: "FIFTY", 6: "SIXTY", 7: "SEVENTY", 8: "EIGHTY", 9: "NINETY"}
_TENS_ORDINALS = {2: "TWENTIETH", 3: "THIRTIETH", 4: "FORTIETH", 5: "FIFTIETH", 6: "SIXTIETH", 7: "SEVENTIETH",
                  8: "EIGHTIETH", 9: "NINETIETH"}
_KEYBOARD = {
    "A": "QSZ", "B": "VNG", "C": "XVD", "D": "SFE", "E": "WRD", "F": "DGR", "G": "FHT", "H": "GJY", "I": "UOK",
    "J": "HKU", "K": "JLI", "L": "KO", "M": "NJ", "N": "BMH", "O": "IPL", "P": "OL", "Q": "WA", "R": "ETF",
    "S": "ADW", "T": "RYG", "U": "YIJ", "V": "CBF", "W": "QES", "X": "ZCS", "Y": "TUH", "Z": "XA",
}

# What a property needs for a noise to apply to it.
NEEDS = {
    "unit": lambda p: bool(p.units),
    "range_member": lambda p: bool(p.range_hi),
    "alias": lambda p: bool(p.aliases),
    "ordinal_word": lambda p: p.street.numbered and int(p.street.name[:-2]) < 100,  # words past 99 are rare
    "direction_spelling": lambda p: bool(p.street.prefix),
    "missing_direction": lambda p: bool(p.street.prefix),
    "direction_in_name": lambda p: bool(p.street.prefix),
    "abbrev": lambda p: p.street.name[:3] in ("ST ", "MT "),
    "typo": lambda p: typo_prone(p.street.name),
    "wrong_number": lambda p: not p.range_hi,
}


def applies(prop: Property, noise: str) -> bool:
    """Whether this noise can be put on this property's address at all."""
    need = NEEDS.get(noise)
    return need is None or need(prop)


def typo_prone(name: str) -> bool:
    # Short names and numbered streets are not typo'd: one edit there makes another street.
    return not name[0].isdigit() and len(name.replace(" ", "")) >= 5


def ordinal_words(n: int) -> str:
    """21 -> TWENTY-FIRST, 5 -> FIFTH, 30 -> THIRTIETH."""
    if n < 20:
        return _UNITS_WORDS[n]
    tens, ones = divmod(n, 10)
    if ones == 0:
        return _TENS_ORDINALS[tens]
    return f"{_TENS_WORDS[tens]}-{_UNITS_WORDS[ones]}"


def _within_one_edit(a: str, b: str) -> bool:
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diffs = [i for i in range(la) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        i, j = diffs[0], diffs[-1]
        return len(diffs) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]
    if la > lb:
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1:]


@dataclass(slots=True)
class Parts:
    """An address in the parts fire RMS uses; `unit` is the bare unit label (4, 2B, UPPER)."""

    number: str
    prefix: str
    name: str
    suffix: str
    unit: str = ""

    def line(self) -> str:
        return " ".join(part for part in (self.number, self.prefix, self.name, self.suffix) if part)


class AddressNoise:
    """Puts one kind of noise on a property's address, refusing noise that would hide the property."""

    def __init__(self, city: City, rng: random.Random):
        self.city = city
        self.rng = rng
        self.names = sorted(city.streets_by_name)
        self.name_set = set(self.names)
        self._typo_ok: dict[tuple[str, str], bool] = {}

    def parts(self, prop: Property, noise: str) -> Parts | None:
        """The address parts of `prop` with `noise` applied, or None if it cannot be applied safely."""
        rng = self.rng
        street, number = prop.street, prop.number
        number_text = prop.number_text
        if noise == "alias":
            street, number = rng.choice(prop.aliases)
            number_text = str(number)
        elif noise == "range_member":
            number = rng.randrange(prop.number, prop.range_hi + 1, 2)
            number_text = str(number)
        elif noise == "wrong_number":
            number = self.wrong_number(street, number)
            if number is None:
                return None
            number_text = str(number)
        parts = Parts(number_text, street.prefix, street.name, street.suffix)
        if noise == "unit":
            parts.unit = rng.choice(prop.units)
        elif noise == "suffix_spelling":
            parts.suffix = rng.choice(SUFFIX_SPELLINGS.get(street.suffix, (street.suffix,)))
        elif noise == "direction_spelling":
            parts.prefix = rng.choice(DIRECTION_SPELLINGS[street.prefix])
        elif noise == "abbrev":
            head, rest = street.name.split(" ", 1)
            parts.name = f"{rng.choice(SAINT_SPELLINGS[head])} {rest}"
        elif noise == "ordinal_word":
            parts.name = ordinal_words(int(street.name[:-2]))
            if rng.random() < 0.3:
                parts.name = parts.name.replace("-", " ")
        elif noise == "missing_suffix":
            if len([s for s in self.city.streets_with_number(street.name, number) if s.prefix == street.prefix]) != 1:
                return None
            parts.suffix = ""
        elif noise == "missing_direction":
            if len([s for s in self.city.streets_with_number(street.name, number) if s.suffix == street.suffix]) != 1:
                return None
            parts.prefix = ""
        elif noise == "typo":
            typo = self.typo(street.name)
            if typo is None:
                return None
            parts.name = typo
        return parts

    def wrong_number(self, street: Street, number: int) -> int | None:
        """A nearby number in the same hundred block that no property on the street has."""
        hundred = number - number % 100
        near = [number + step for step in (2, -2, 4, -4, 6, -6, 8, -8, 10, -10, 20, -20, 30, -30)
                if hundred < number + step < hundred + 100 and not self.city.has_number(street, number + step)]
        if not near:
            return None
        return self.rng.choice(near[:4])

    def typo(self, name: str) -> str | None:
        """One keyboard slip in a street name, never landing on (or next to) another street's name."""
        rng = self.rng
        for _ in range(6):
            letters = [i for i, c in enumerate(name) if c.isalpha()][1:]
            i = rng.choice(letters)
            roll = rng.random()
            if roll < 0.35:
                candidate = name[:i] + name[i + 1:]
            elif roll < 0.6:
                candidate = name[:i] + rng.choice(_KEYBOARD[name[i]]) + name[i + 1:]
            elif roll < 0.8 and i + 1 < len(name) and name[i + 1].isalpha() and name[i + 1] != name[i]:
                candidate = name[:i] + name[i + 1] + name[i] + name[i + 2:]
            else:
                candidate = name[:i] + name[i] + name[i:]
            if "  " in candidate or candidate.strip() != candidate:
                continue
            key = (name, candidate)
            ok = self._typo_ok.get(key)
            if ok is None:
                ok = candidate not in self.name_set and not any(
                    other != name and _within_one_edit(candidate, other) for other in self.names)
                self._typo_ok[key] = ok
            if ok:
                return candidate
        return None


def unit_text(rng: random.Random, label: str) -> str:
    """How a unit is written after a street address in CAD and code enforcement: APT 4, #4, UPPER."""
    if label in ("UPPER", "LOWER"):
        return rng.choice((label, label, label[0] + ("PR" if label == "UPPER" else "WR")))
    return rng.choice(("APT ", "APT ", "#", "UNIT ", "APT. ")) + label


def title_case(text: str) -> str:
    """Mixed case as people type it: 1523 N Main St, 5th St, (West End)."""
    return " ".join(_title_word(word) for word in text.split(" "))


def _title_word(word: str) -> str:
    lower = word.lower()
    for i, char in enumerate(lower):
        if char.isdigit():
            return lower
        if char.isalpha():
            return lower[:i] + char.upper() + lower[i + 1:]
    return lower
