"""Address normalisation: one free-typed US address string -> canonical parts and match keys.

`normalize(text)` never raises: None, NaN, numbers, bytes and junk come back as kind "empty".
Clean strings go through our own tokenizer and rules (fast); strings the rules cannot read with
confidence (a city glued to the street without a comma, a name before the house number, ...) are
tagged by usaddress, and if usaddress fails the rules' best reading is kept.

Canonical keys (upper case, single spaces, USPS Publication 28 abbreviations):

    address        "1500 N MAIN ST"            base_key, and key when there is no unit
    with a unit    "1500 N MAIN ST # 2"        APT, UNIT, STE, #, RM, SPC, LOT, ... -> "# <id>"
                   "841 W RANDOLPH ST FL 2"    FL, BLDG, DEPT, HNGR keep their designator
                   "1412 HOLMES AVE UPPR"      REAR, UPPR, LOWR, FRNT, BSMT, PH, ... alone
    range          "1500-1504 N MAIN ST"       919-21 -> "919-921"; 560-560A -> "560-560A"
    suffix         "123A MAIN ST"
    fraction       "12 1/2 MAIN ST"            537½ -> "537 1/2"
    block          "1200 BLOCK N MAIN ST"      12XX, 1234 BLOCK, 1200 BLK OF -> 1200
    intersection   "5TH AVE & MAIN ST"         the two street keys, sorted
    no number      "MAIN ST"                   kind "address" with number ""
    po_box, empty  ""

Field conventions: a range keeps its first number in `number` and the upper bound, with any
letter, in `number_high` ("560-560A" -> number "560", number_high "560A"); a "range" whose upper
bound is not above the first number ("123-2") is read as house number 123, unit "# 2". `unit_type`
keeps the designator as written in its USPS form ("APT", "STE", "#" for a bare "#3" or a bare id
after the street type). A PO box keeps its box id in `number`. "21 ST" with nothing else is the
street "21ST" (no house number); "123 21 ST" is "123 21ST ST".
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from dataclasses import dataclass, field

import usaddress

from integration.usps import (
    COMMON_SUFFIXES,
    DIRECTIONAL_PAIRS,
    DIRECTIONALS,
    STATES,
    STREET_SUFFIXES,
    SUFFIX_NAMES,
    UNIT_DESIGNATORS,
    UNIT_NEEDS_ID,
)

__all__ = ["Address", "Street", "normalize", "normalize_parts", "place_name"]


@dataclass(frozen=True, slots=True)
class Street:
    """One street in canonical upper case: "N MAIN ST" is predir N, name MAIN, type ST."""

    predir: str = ""
    name: str = ""
    type: str = ""
    postdir: str = ""
    key: str = field(init=False, repr=False, compare=False)  # computed once: the matcher reads it often

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", " ".join(p for p in (self.predir, self.name, self.type, self.postdir) if p))

    def __reduce__(self):
        # a compact pickle: batches are normalised in worker processes and sent back
        return (Street, (self.predir, self.name, self.type, self.postdir))


@dataclass(frozen=True, slots=True)
class Address:
    """A normalised location; `key` and `base_key` are the match keys (see the module doc)."""

    kind: str  # "address" | "block" | "intersection" | "po_box" | "empty"
    number: str = ""
    number_suffix: str = ""
    number_high: str = ""
    fraction: str = ""
    street: Street = Street()
    cross_street: Street = Street()
    unit_type: str = ""
    unit_id: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    raw: str = ""
    base_key: str = field(init=False, repr=False, compare=False)  # the key without the unit
    key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        base = self._base_key()
        object.__setattr__(self, "base_key", base)
        unit = _unit_key(self.unit_type, self.unit_id) if self.kind == "address" and base else ""
        object.__setattr__(self, "key", f"{base} {unit}" if unit else base)

    def __reduce__(self):
        return (Address, (self.kind, self.number, self.number_suffix, self.number_high, self.fraction, self.street,
                          self.cross_street, self.unit_type, self.unit_id, self.city, self.state, self.zip, self.raw))

    def _base_key(self) -> str:
        kind = self.kind
        if kind == "address":
            number = self.number + self.number_suffix
            if self.number_high:
                number += "-" + self.number_high
            if self.fraction:
                number = f"{number} {self.fraction}" if number else self.fraction
            street = self.street.key
            return f"{number} {street}" if number and street else street
        if kind == "block":
            street = self.street.key
            return f"{self.number} BLOCK {street}" if self.number else f"BLOCK {street}"
        if kind == "intersection":
            return " & ".join(sorted((self.street.key, self.cross_street.key)))
        return ""


# Designators that only name a dwelling or suite inside the building: one key form for all.
_UNIT_AS_NUMBER = frozenset(
    {"#", "APT", "UNIT", "STE", "RM", "SPC", "LOT", "TRLR", "SLIP", "PIER", "STOP", "KEY", "OFC"}
)


def _unit_key(unit_type: str, unit_id: str) -> str:
    if unit_type in _UNIT_AS_NUMBER:
        return f"# {unit_id}" if unit_id else ""
    if unit_id:
        return f"{unit_type} {unit_id}" if unit_type else f"# {unit_id}"
    return unit_type


# ---------------------------------------------------------------------------------------------
# Tables that are ours rather than Pub 28's
# ---------------------------------------------------------------------------------------------

_EMPTY_WORDS = frozenset(
    {
        "", "0", "00", "000", "NA", "N A", "NAN", "NAT", "NONE", "NULL", "NIL", "UNKNOWN", "UNK",
        "UNKN", "UNKOWN", "UNKNOWN ADDRESS", "ADDRESS UNKNOWN", "UNKNOWN LOCATION",
        "LOCATION UNKNOWN", "NO ADDRESS", "NO LOCATION", "NOT GIVEN", "NOT PROVIDED",
        "NOT APPLICABLE", "NONE GIVEN", "CITYWIDE", "CITY WIDE", "VARIOUS", "VARIOUS LOCATIONS",
        "MULTIPLE", "MULTIPLE LOCATIONS", "MULTIPLE ADDRESSES", "SEE NOTES", "SEE NOTE",
        "SEE NARRATIVE", "SEE COMMENTS", "SEE COMMENT", "SEE BELOW", "SEE ABOVE", "SEE ATTACHED",
        "SEE DESCRIPTION", "SEE REMARKS", "TBD", "X", "XX", "XXX", "XXXX", "TEST", "REFUSED",
        "HOMELESS", "TRANSIENT", "NO FIXED ADDRESS", "NFA", "DECLINED", "BLANK", "DUMMY", "NONE ON FILE",
    }
)

_ORDINAL_UNITS = {
    "FIRST": 1, "SECOND": 2, "THIRD": 3, "FOURTH": 4, "FIFTH": 5, "SIXTH": 6, "SEVENTH": 7,
    "EIGHTH": 8, "NINTH": 9,
}
_ORDINAL_WORDS = dict(_ORDINAL_UNITS)
_ORDINAL_WORDS.update(
    {
        "TENTH": 10, "ELEVENTH": 11, "TWELFTH": 12, "THIRTEENTH": 13, "FOURTEENTH": 14,
        "FIFTEENTH": 15, "SIXTEENTH": 16, "SEVENTEENTH": 17, "EIGHTEENTH": 18,
        "NINETEENTH": 19, "TWENTIETH": 20, "THIRTIETH": 30, "FORTIETH": 40, "FIFTIETH": 50,
        "SIXTIETH": 60, "SEVENTIETH": 70, "EIGHTIETH": 80, "NINETIETH": 90, "HUNDREDTH": 100,
    }
)
_CARDINALS = {
    w: i for i, w in enumerate(
        "ZERO ONE TWO THREE FOUR FIVE SIX SEVEN EIGHT NINE TEN ELEVEN TWELVE THIRTEEN FOURTEEN "
        "FIFTEEN SIXTEEN SEVENTEEN EIGHTEEN NINETEEN".split()
    ) if i
}
_TENS = {
    "TWENTY": 20, "THIRTY": 30, "FORTY": 40, "FOURTY": 40, "FIFTY": 50, "SIXTY": 60,
    "SEVENTY": 70, "EIGHTY": 80, "NINETY": 90,
}
_CARDINALS.update(_TENS)
_ORDINAL_SUFFIXES = frozenset({"ST", "ND", "RD", "TH"})
_FLOOR_WORDS = frozenset({"FL", "FLR", "FLOOR", "FLOR"})

# Abbreviations that begin a street or city name: "ST PAUL" is SAINT PAUL, "MT PLEASANT" is
# MOUNT PLEASANT. At the end of a street "ST" is the type (STREET).
_NAME_START = {
    "ST": "SAINT", "SNT": "SAINT", "STE": "SAINTE", "MT": "MOUNT", "MNT": "MOUNT",
    "FT": "FORT", "PT": "POINT",
}

_NAME_START_WRITTEN: dict[str, list[str]] = {}
for _short, _long in _NAME_START.items():
    _NAME_START_WRITTEN.setdefault(_long, []).append(_short)

# Street types after which a bare number is a route number ("HWY 50"), not an ordinal.
_ROUTE_TYPES = frozenset({"HWY", "RTE", "FWY", "EXPY", "TPKE", "PIKE", "BYP", "LOOP", "SPUR"})

# Designators that, right after a street type, are a unit even with no id ("ST FL CHICAGO").
_UNIT_WITHOUT_ID_AFTER_TYPE = frozenset({"APT", "BLDG", "FL", "STE", "UNIT", "RM", "DEPT"})
# Of several units on one address, the most specific is kept: a dwelling over a floor over a
# building ("BLDG 3 FL 2 APT 12" -> APT 12).
_UNIT_RANK = {
    "BLDG": 0, "DEPT": 0, "FL": 1,
    **{u: 2 for u in ("#", "APT", "UNIT", "STE", "RM", "SPC", "LOT", "TRLR", "OFC", "PH")},
}
# Words before a route number: "US 41", "STATE 20", "I 94" (the number is not a unit).
_ROUTE_WORDS = frozenset(
    {"US", "I", "SR", "CR", "FM", "STATE", "COUNTY", "CTY", "CTH", "STH", "USH", "SH", "TH",
     "INTERSTATE", "RT", "RR", "PR", "HC", "BUSINESS", "BUS", "LOOP", "SPUR"}
)
# Words before ROAD that make it a route: "COUNTY ROAD 12", "STATE ROAD 37".
_ROUTE_QUALIFIERS = frozenset(
    {"COUNTY", "COUNTRY", "STATE", "FARM", "TOWNSHIP", "TWP", "FOREST", "CO", "RANCH", "PRIVATE"}
)
_SEPARATORS = frozenset({"&", "@", "/", "AND", "AT"})
_PUNCT = frozenset({",", "&", "@", "/", "#", "-"})
_INTERSECTION_PREFIXES = (
    ("INTERSECTION", "OF"), ("INTERSECTION",), ("CORNER", "OF"), ("CORNER",), ("INT", "OF"),
)
_LEADING_NOISE = (
    ("IN", "FRONT", "OF"), ("IFO",), ("NEAR",), ("NR",), ("BEHIND",), ("ACROSS", "FROM"),
    ("OPPOSITE",), ("OPP",), ("OUTSIDE",), ("VICINITY", "OF"), ("VIC", "OF"), ("VIC",),
    ("ADDRESS",), ("LOCATION",), ("LOC",),
)
_COUNTRY = (("UNITED", "STATES", "OF", "AMERICA"), ("UNITED", "STATES"), ("USA",), ("US",))
# Two-letter state codes that are also street words (CT court, NE northeast, FL floor, ...):
# read as a state only next to a ZIP code or after a comma.
_AMBIGUOUS_STATES = frozenset({"CT", "NE", "FL", "KY", "MT", "PR", "IN", "OR", "ME", "DE", "LA"})

# ---------------------------------------------------------------------------------------------
# Regular expressions, compiled once
# ---------------------------------------------------------------------------------------------

_TOKEN_RE = re.compile(r"\d\s*/\s*\d{1,2}(?![\d/])|[A-Z0-9]+(?:-[A-Z0-9]+)*|[,;&@/#\\-]")
_PAREN_RE = re.compile(r"\(([^()]*)\)")
_LINE_BREAK_RE = re.compile(r"\r\n|\n|\r")
_WORD_RE = re.compile(r"[A-Z]+")
_INITIALS_RE = re.compile(r"(?<![A-Z0-9])([A-Z])\.(?=[A-Z](?:\.|(?![A-Z0-9])))")
_NUMBER_DASH_FRACTION_RE = re.compile(r"(\d)-(\d/\d)")
_FRACTION_RE = re.compile(r"\d/\d{1,2}")
_GLUED_FRACTION_RE = re.compile(r"(?<![\d/])(\d+)([13]/[24])(?![\d/])")  # "1231/2 MAIN ST" is 123 1/2
_NUM_RE = re.compile(r"(\d+)([A-Z]?)")
_RANGE_RE = re.compile(r"(\d+)([A-Z]?)-(\d+)([A-Z]?)")
_NUM_LETTER_RE = re.compile(r"(\d+)-([A-Z])")
_HUNDRED_RE = re.compile(r"(\d*)(X{1,3})")
_BLOCK_TOKEN_RE = re.compile(r"(\d+|\d*X+)-?(?:BLOCK|BLK)")
_GLUED_DIRECTION_RE = re.compile(r"(\d+)([NSEW])")
_GRID_RE = re.compile(r"[NSEW]\d+(?:[NSEW]\d+)?")  # Wisconsin grid numbers: "N165 W2123"
_ORDINAL_RE = re.compile(r"(\d+)(ST|ND|RD|TH)")
_GLUED_FLOOR_RE = re.compile(r"(\d+)(?:ST|ND|RD|TH)?(?:FL|FLR|FLOOR)")
_GLUED_UNIT_RE = re.compile(
    r"(APT|APARTMENT|SUITE|STE|UNIT|RM|ROOM|BLDG|LOT|SPC|SPACE|TRLR|DEPT|FLR|FLOOR)(\d+[A-Z]?)"
)
_ZIP_RE = re.compile(r"(\d{5})(?:-?\d{4})?")
_UNIT_ID_RE = re.compile(r"[A-Z]{0,2}-?\d+[A-Z]{0,2}(?:-[A-Z0-9]{1,4})?|[A-Z]-?\d*")

_PLAIN_RE = re.compile(r"[A-Za-z0-9 .&/@#-]+")
_PLAIN_CORNER_RE = re.compile(r" *([A-Z0-9 ]+?) *(&|/|@| AND | AT ) *([A-Z0-9 ]+?) *")
_BLOCK_WORDS = frozenset({"BLOCK", "BLK", "OF"})
_SHORT_DIRECTIONS = frozenset({"N", "S", "E", "W", "NE", "NW", "SE", "SW"})
_MAX_SPACE_RANGE = 200  # "2112 38 METCALF ST" spans 26 numbers; a wider "range" is something else
# Words a number may precede inside a street name ("123 5 MILE RD", "40 12 OAKS DR")
_NUMBERED_NAMES = frozenset({"MILE", "MILES", "OAKS", "PINES", "POINTS", "CORNERS", "LAKES"})
_MAX_WORD = 30
_MAX_CHARS = 200  # longer strings are junk or notes; the head is enough and keeps CRF time bounded
_FRACTION_CHARS = {
    "½": " 1/2", "¼": " 1/4", "¾": " 3/4", "⅓": " 1/3", "⅔": " 2/3", "⅛": " 1/8", "⅜": " 3/8",
    "⅝": " 5/8", "⅞": " 7/8", "⁄": "/",
}

# ---------------------------------------------------------------------------------------------
# Public verbs
# ---------------------------------------------------------------------------------------------

# Words that send a string past the plain reading to the full rules.
_NOT_PLAIN = frozenset(
    {
        *(word for word, kind in STREET_SUFFIXES.items() if kind in COMMON_SUFFIXES), *DIRECTIONALS,
        *UNIT_DESIGNATORS, "ST", "SNT", "STE", *_SEPARATORS, *_ORDINAL_WORDS, *_CARDINALS, *_ROUTE_WORDS,
        *_FLOOR_WORDS, *_NUMBERED_NAMES, *_EMPTY_WORDS, "BLOCK", "BLK", "OF", "NO", "BOX", "POB", "POBOX", "DRAWER",
        "PO", "INTERSECTION", "CORNER", "USA", "US", *(word for phrase in _LEADING_NOISE for word in phrase),
    }
)
_COUNTRY_WORDS = frozenset(word for phrase in _COUNTRY for word in phrase)
_EMPTY = Address(kind="empty")


def normalize(text: object, *, cities: frozenset[str] | None = None) -> Address:
    """Normalise one address string; never raises. `cities` names places (cities,
    neighbourhoods) that may trail the street without a comma, so they can be peeled off."""
    try:
        raw = _coerce(text)
        if raw is None:
            return _EMPTY
        return _normalize(raw, cities)
    except Exception:  # one bad string must never stop a batch
        try:
            return Address(kind="empty", raw=str(text) if isinstance(text, str) else "")
        except Exception:
            return _EMPTY


def place_name(text: object) -> str:
    """A city or neighbourhood name as `normalize` writes it in `Address.city` ("St. Clair" ->
    "SAINT CLAIR"), so names from a master compare with names read from records."""
    raw = _coerce(text)
    if not raw:
        return ""
    return _canonical_place([w for w in _tokenize(_clean(raw)) if w not in _PUNCT])


def normalize_parts(
    number: object = "",
    predir: object = "",
    name: object = "",
    type: object = "",  # noqa: A002 - the NFIRS field name
    postdir: object = "",
    unit: object = "",
) -> Address:
    """Assemble an address already split into fields (NFIRS style) and normalise it; a street
    type written inside the name, a missing type or a direction in the wrong field are fine."""
    try:
        fields = [_coerce(v) or "" for v in (number, predir, name, type, postdir, unit)]
        raw = " ".join(f.strip() for f in fields if f.strip())
        num_toks, pre_toks, name_toks, type_toks, post_toks, unit_toks = (
            _tokenize(_clean(f)) for f in fields
        )
        d = _Draft()
        street_words = [t for t in (*pre_toks, *name_toks, *type_toks, *post_toks) if t not in _PUNCT]
        if num_toks and num_toks[0] in _CARDINALS:
            num_toks = _cardinal_number(num_toks + ["X"])[:-1]
        if num_toks:
            k = _parse_number(num_toks + street_words, d)
            street_words = (num_toks + street_words)[k:] if k > len(num_toks) else street_words
            if k < len(num_toks):  # number field held more than a number ("123 REAR")
                unit_toks = num_toks[k:] + unit_toks
        d.street = _build_street(street_words)
        if unit_toks:
            _read_units(unit_toks, d, bare_id=True)
        return d.finish(raw)
    except Exception:
        return _EMPTY


# ---------------------------------------------------------------------------------------------
# Pipeline
# ---------------------------------------------------------------------------------------------


def _coerce(text: object) -> str | None:
    if text is None:
        return None
    if isinstance(text, str):
        return text
    if isinstance(text, (bytes, bytearray, memoryview)):
        return bytes(text).decode("utf-8", "replace")
    if isinstance(text, float):
        if math.isnan(text) or math.isinf(text):
            return None
        return str(int(text)) if text.is_integer() else str(text)
    if isinstance(text, bool):
        return None
    return str(text)


def _normalize(raw: str, cities: frozenset[str] | None, plain_first: bool = True) -> Address:
    if cities and not isinstance(cities, frozenset):
        cities = frozenset(cities)
    if plain_first and (plain := _plain_address(raw, cities)) is not None:
        return plain
    cleaned = _clean(raw)
    tokens = _tokenize(cleaned)
    words = [t for t in tokens if t not in _PUNCT]
    if not words or " ".join(words) in _EMPTY_WORDS:
        return Address(kind="empty", raw=raw)
    city_index = _city_index(cities) if cities else None
    _spell_out_saint(tokens, city_index)
    draft, confident = _parse(tokens, city_index)
    if not confident:
        tagged = _parse_usaddress(" ".join(tokens).replace(" ,", ","), city_index)
        if tagged is not None and _prefer_tagged(tagged, draft):
            draft = tagged
    return draft.finish(raw)


def _plain_address(raw: str, cities: frozenset[str] | None) -> Address | None:
    """The most common shapes read directly: "1500 N MAIN ST", "1500-1504 N MAIN ST", "1500 BLOCK
    OF N MAIN ST", "15XX N MAIN ST", "N MAIN ST & 5TH AVE": plain words and a common street type,
    no unit, place or ZIP code. Returns exactly what the full rules would (a test compares both on
    every real string we have), or None for anything else."""
    if len(raw) > _MAX_CHARS or not _PLAIN_RE.fullmatch(raw):
        return None
    text = raw.upper()
    if "." in text:
        if _INITIALS_RE.search(text):
            return None
        text = text.replace(".", " ")  # as _clean does once initials are joined
    if cities:
        last = text.rsplit(None, 1)[-1] if text.strip() else ""
        if last in _place_last_words(cities):
            return None  # the string may end in a place: the full rules peel it
    if "&" not in text and "/" not in text and "@" not in text and " AND " not in text and " AT " not in text:
        return _plain_numbered(raw, text, cities) if text.lstrip()[:1].isdigit() else None
    corner = _PLAIN_CORNER_RE.fullmatch(text)
    if corner is None or "#" in text:
        return None
    left, right = corner.group(1).split(), corner.group(3).split()
    if not (_plain_street(left, typeless=2) and _plain_street(right, typeless=2)):
        return None
    return Address("intersection", street=_street_of(tuple(left)), cross_street=_street_of(tuple(right)), raw=raw)


def _plain_numbered(raw: str, text: str, cities: frozenset[str] | None) -> Address | None:
    words = _tokenize(text) if "#" in text else text.split()
    n = len(words)
    if n < 2 or n > 12 or any(len(w) > _MAX_WORD for w in words):
        return None
    last = words[-1]
    if last in STATES or last in _COUNTRY_WORDS or _ZIP_RE.fullmatch(last):
        return None  # a state, country or ZIP code at the end: the full rules read the tail
    _spell_out_saint(words, _city_index(cities) if cities else None)
    first = words[0]
    if first.isdigit() and (words[1] in DIRECTIONALS or (words[1].isalpha() and words[1] not in _BLOCK_WORDS)):
        d = None  # a plain house number: _parse_number would take that word alone
        k = 1
    else:
        if _GLUED_DIRECTION_RE.fullmatch(first):
            return None  # "123N MAIN ST" is 123 N MAIN ST: the full rules split it
        d = _Draft()
        k = _parse_number(words, d)
        if not k or not d.number or any(w not in _BLOCK_WORDS and not w.isdigit() for w in words[1:k]):
            return None
    rest = words[k:]
    if _plain_street(rest, typeless=1):
        if d is None:
            return Address("address", _strip_zeros(first), street=_street_of(tuple(rest)), raw=raw)
        d.street = _build_street(rest)
        return d.finish(raw)
    # a unit after the street ("APT 6", "# 3", "LWR"), read by the same rules as the full reading
    if d is None:
        d = _Draft()
        d.number = _strip_zeros(first)
    if d.kind != "address":
        return None
    street_words, after = _split_units(rest, d)
    if after or not d.unit_type or d.fraction or not _plain_street(street_words, typeless=1):
        return None
    d.street = _build_street(street_words)
    return d.finish(raw)


def _plain_street(words: list[str], typeless: int) -> bool:
    """[direction] plain name words [common type [short direction]]; without a type, at most
    `typeless` words in all (a type-less name of several words may hold a place)."""
    n = len(words)
    if not n:
        return False
    end = n - 1 if n > 1 and words[-1] in _SHORT_DIRECTIONS else n
    kind = words[end - 1]
    if STREET_SUFFIXES.get(kind) in COMMON_SUFFIXES and kind not in STATES:
        end -= 1
    elif end != n or kind in STATES or kind in _ORDINAL_SUFFIXES:
        return False
    start = 1 if words[0] in DIRECTIONALS and end > 1 else 0
    if start >= end or (end == n and end - start > typeless) or (end == n and typeless == 1 and n > 2):
        return False
    for word in words[start:end]:
        if "-" in word or word in _NOT_PLAIN or not ((word.isalpha() and len(word) > 1) or _ORDINAL_RE.fullmatch(word)):
            return False
    return True


def _clean(s: str) -> str:
    if len(s) > _MAX_CHARS:
        s = s[:_MAX_CHARS]
    if "\n" in s or "\r" in s:
        s = _one_line(s)
    if not s.isascii():
        for ch, rep in _FRACTION_CHARS.items():
            if ch in s:
                s = s.replace(ch, rep)
        s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")
    s = s.upper()
    if "(" in s or ")" in s:
        s = _PAREN_RE.sub(_paren_content, s).replace("(", " ").replace(")", " ")
    if "." in s:
        s = _INITIALS_RE.sub(r"\1", s).replace(".", " ")
    if "'" in s or "`" in s:
        s = s.replace("'", "").replace("`", "")
    if "/" in s:
        if "-" in s:
            s = _NUMBER_DASH_FRACTION_RE.sub(r"\1 \2", s)
        s = _GLUED_FRACTION_RE.sub(r"\1 \2", s)
    return s


def _one_line(s: str) -> str:
    """Lines joined as comma-separated parts; a line that only begins the next one goes, as in
    parcel files that repeat the house number on a line of its own ("214\\n214 LANGLEY AVE")."""
    lines = [line.strip() for line in _LINE_BREAK_RE.split(s)]
    lines = [line for line in lines if line]
    kept = [line for line, after in zip(lines, [*lines[1:], ""]) if not after.upper().startswith(line.upper() + " ")]
    return ", ".join(kept)


def _paren_content(m: re.Match) -> str:
    # Notes in brackets go ("(1300W)" Chicago grid coordinates, "(M/C 525)"); a unit stays.
    inner = m.group(1)
    if any(w in UNIT_DESIGNATORS for w in _WORD_RE.findall(inner)):
        return f" {inner} "
    return " "


def _tokenize(s: str) -> list[str]:
    tokens = _TOKEN_RE.findall(s)
    if any(len(t) > _MAX_WORD for t in tokens):
        tokens = [t for t in tokens if len(t) <= _MAX_WORD]  # no street word is that long: junk
    for i, t in enumerate(tokens):
        if t == ";":
            tokens[i] = ","
        elif t == "\\":
            tokens[i] = "/"
        elif len(t) > 2 and "/" in t:
            tokens[i] = t.replace(" ", "")
    return tokens


def _spell_out_saint(tokens: list[str], cities: dict | None = None) -> None:
    # "8306 S ST LAWRENCE ...": ST right after the house number (and direction) begins a name.
    # Spelled out here so that usaddress, too, reads SAINT LAWRENCE rather than the street "S ST".
    # Not when a known place follows: "1826 SOUTH ST LAKEPORT WI" is SOUTH ST in LAKEPORT.
    for i in (1, 2):
        if (
            len(tokens) > i + 1 and tokens[i] == "ST" and _starts_with_number(tokens)
            and (i == 1 or tokens[1] in DIRECTIONALS)
            and tokens[i + 1].isalpha() and tokens[i + 1] not in STREET_SUFFIXES
            and tokens[i + 1] not in _SEPARATORS  # "5TH ST AND S OAK ST" is a corner of 5TH ST
            and tokens[i + 1] not in DIRECTIONALS and tokens[i + 1] not in UNIT_DESIGNATORS
            and tokens[i + 1] not in STATES
            and not _place_starts(tokens, i + 1, cities)
        ):
            tokens[i] = "SAINT"


def _place_starts(tokens: list[str], start: int, cities: dict | None) -> bool:
    if not cities:
        return False
    rest = tuple(t for t in tokens[start:] if t not in _PUNCT)
    return any(rest[: len(place)] == place for place in cities)


@functools.lru_cache(maxsize=16)
def _place_last_words(cities: frozenset[str]) -> frozenset[str]:
    return frozenset(words[-1] for words in _city_index(cities))


@functools.lru_cache(maxsize=16)
def _city_index(cities: frozenset[str]) -> dict[tuple[str, ...], str]:
    index = {}
    for city in cities:
        words = tuple(w for w in _tokenize(_clean(str(city))) if w not in _PUNCT)
        if words:
            canonical = _canonical_place(list(words))
            index[words] = canonical
            for short in _NAME_START_WRITTEN.get(canonical.split()[0], ()):
                index[(short, *canonical.split()[1:])] = canonical  # MOUNT OLIVER written MT OLIVER
    return index


class _Draft:
    """The mutable working copy of an Address while the parser fills it in."""

    __slots__ = (
        "kind", "number", "number_suffix", "number_high", "fraction", "street", "cross_street",
        "unit_type", "unit_id", "city", "state", "zip",
    )

    def __init__(self) -> None:
        self.kind = "address"
        self.number = self.number_suffix = self.number_high = self.fraction = ""
        self.street = self.cross_street = Street()
        self.unit_type = self.unit_id = self.city = self.state = self.zip = ""

    def finish(self, raw: str) -> Address:
        kind = self.kind
        if kind == "address" and not self.street.name:
            kind = "empty"
        elif kind == "intersection" and not (self.street.name and self.cross_street.name):
            kind = "address" if (self.street.name or self.cross_street.name) else "empty"
            if not self.street.name:
                self.street, self.cross_street = self.cross_street, Street()
        elif kind == "block" and not self.street.name:
            kind = "empty"
        if kind == "empty":
            return Address(kind="empty", raw=raw)
        return Address(
            kind=kind, number=self.number, number_suffix=self.number_suffix,
            number_high=self.number_high, fraction=self.fraction, street=self.street,
            cross_street=self.cross_street, unit_type=self.unit_type, unit_id=self.unit_id,
            city=self.city, state=self.state, zip=self.zip, raw=raw,
        )


def _parse(tokens: list[str], cities: dict | None) -> tuple[_Draft, bool]:
    """Our own reading of a token list; the flag says whether the reading is unambiguous."""
    tokens = _strip_leading(tokens)
    box = _po_box(tokens)
    if box is not None:
        return box, True
    if "INTERSECTION" in tokens[1:]:
        # "A & B INTERSECTION, CITY": the word closes the corner's streets
        tokens = [("," if t == "INTERSECTION" and i else t) for i, t in enumerate(tokens)]
    sep = _separator_index(tokens)
    if sep is not None:
        left, right = tokens[:sep], tokens[sep + 1 :]
        right_head = right[: right.index(",")] if "," in right else right
        if _match_unit(right, 0) is not None or right[0] in UNIT_DESIGNATORS:
            pass  # "... BLDG 1STFL & BSMT": two units, not two streets
        elif not _starts_with_number(left) and (_starts_with_number(right_head) or _late_number(right_head)):
            pass  # "FLOWERS & GIFTS LLC 204 GAULT AVE": a name before the address
        elif _numbered_street(left) and _starts_with_street(right_head):
            d = _Draft()
            d.kind = "intersection"
            d.street = _build_street(left)  # "5 STREET & HOYT STREET": 5TH ST at HOYT ST
            other = _Draft()
            confident = _parse_location(right, other, cities)
            d.cross_street = other.street
            d.city, d.state, d.zip = other.city, other.state, other.zip
            return d, confident
        elif _starts_with_number(left) and tokens[sep] in ("&", "AND") and _name_with_and(left, right_head):
            tokens = [*left, "AND", *right]  # "514 PEACE & PLENTY LN": one street name
        elif _starts_with_number(left):
            d, confident = _parse_address(left, cities, tail_allowed=False)
            other = _Draft()
            confident = _parse_location(right, other, cities) and confident
            d.cross_street = other.street
            d.city, d.state, d.zip = other.city, other.state, other.zip
            return d, confident
        else:
            d = _Draft()
            d.kind = "intersection"
            d.street = _build_street([t for t in left if t not in _PUNCT])
            other = _Draft()
            confident = _parse_location(right, other, cities)
            d.cross_street = other.street
            d.city, d.state, d.zip = other.city, other.state, other.zip
            if d.street.name and d.cross_street.name:
                return d, confident
            tokens = left + right
    return _parse_address(tokens, cities)


def _numbered_street(words: list[str]) -> bool:
    """A number and a street type alone: "5 STREET", "4 PLACE" (New York's 5TH STREET, 4TH PLACE)."""
    return len(words) == 2 and words[0].isdigit() and STREET_SUFFIXES.get(words[1]) in COMMON_SUFFIXES


def _starts_with_street(words: list[str]) -> bool:
    return bool(words) and not _starts_with_number(words) and words[0] not in UNIT_DESIGNATORS


def _name_with_and(left: list[str], right: list[str]) -> bool:
    """Whether "123 X & Y ST" is one street named "X AND Y" rather than a corner."""
    rest = [t for t in left[1:] if t not in _PUNCT]
    if not rest or len(rest) > 2 or rest[-1] in STREET_SUFFIXES:
        return False
    return any(t in STREET_SUFFIXES for t in right[1:])


def _starts_with_number(tokens: list[str]) -> bool:
    t = tokens[0]
    return bool(
        _NUM_RE.fullmatch(t) or _RANGE_RE.fullmatch(t) or _NUM_LETTER_RE.fullmatch(t)
        or _BLOCK_TOKEN_RE.fullmatch(t) or _GRID_RE.fullmatch(t)
        or (_HUNDRED_RE.fullmatch(t) and len(t) > 1)
    )


def _strip_leading(tokens: list[str]) -> list[str]:
    """Drop leading punctuation, "INTERSECTION OF", "CORNER OF" and notes such as "IFO"."""
    changed = True
    while changed and tokens:
        changed = False
        if tokens[0] in _PUNCT:
            tokens = tokens[1:]
            changed = True
            continue
        for phrase in _INTERSECTION_PREFIXES:
            if tuple(tokens[: len(phrase)]) == phrase and len(tokens) > len(phrase):
                tokens, changed = tokens[len(phrase) :], True
                break
        else:
            for phrase in _LEADING_NOISE:
                if tuple(tokens[: len(phrase)]) == phrase and len(tokens) > len(phrase):
                    tokens, changed = tokens[len(phrase) :], True
                    break
    return tokens


def _po_box(tokens: list[str]) -> _Draft | None:
    n = len(tokens)
    for i, t in enumerate(tokens):
        if t == ",":
            break
        if t in ("BOX", "POB", "POBOX", "DRAWER") and i + 1 < n:
            box_id = tokens[i + 1]
            if box_id == "#" and i + 2 < n:
                box_id = tokens[i + 2]
            if not any(c.isdigit() for c in box_id) and len(box_id) > 1:
                continue
            if i > 0 and _NUM_RE.fullmatch(tokens[0]) and tokens[0] != "0":
                return None  # a street address that also names a box
            d = _Draft()
            d.kind = "po_box"
            d.number = box_id
            rest = tokens[tokens.index(box_id, i + 1) + 1 :]
            _read_tail_groups(_comma_groups(rest), d)
            return d
    return None


def _separator_index(tokens: list[str]) -> int | None:
    n = len(tokens)
    for i, t in enumerate(tokens):
        if t == ",":
            return None
        if t in _SEPARATORS and 0 < i < n - 1:
            before, after = tokens[i - 1], tokens[i + 1]
            if before.isdigit() and (after.isdigit() or _NUM_RE.fullmatch(after)):
                continue  # "123 & 125 MAIN ST": two house numbers, not two streets
            if after in _PUNCT or before in _PUNCT:
                continue
            return i
    return None


def _parse_address(
    tokens: list[str], cities: dict | None, tail_allowed: bool = True
) -> tuple[_Draft, bool]:
    d = _Draft()
    confident = True
    # A unit written first: "APT 2 123 MAIN ST", "#2 123 MAIN", "2ND FL, 123 MAIN ST".
    j, units = 0, []
    while (unit := _match_unit(tokens, j)) is not None:
        units.append(unit)
        j = unit[2]
        while j < len(tokens) and tokens[j] == ",":
            j += 1
    if units and j < len(tokens) and _NUM_RE.fullmatch(tokens[j]):
        _read_units([w for u in units for w in (u[0], u[1]) if w], d, bare_id=False)
        tokens = tokens[j:]
    if len(tokens) > 1:
        m = _GLUED_DIRECTION_RE.fullmatch(tokens[0])
        if m and tokens[1].isalpha() and tokens[1] not in DIRECTIONALS:
            tokens = [m.group(1), m.group(2), *tokens[1:]]  # "123N MAIN ST" -> 123 N MAIN ST
        elif tokens[0] in _CARDINALS and tokens[1] not in _PUNCT:
            tokens = _cardinal_number(tokens)  # "ONE S DEARBORN ST" -> 1 S DEARBORN ST
    k = _parse_number(tokens, d)
    if k == 0 and d.kind == "address":
        j = _late_number(tokens)
        if j:
            confident = False
            k = j + _parse_number(tokens[j:], d)
    if not d.number and d.kind == "address":
        confident = False  # no house number: a name or a note may come first; let usaddress look
    rest = tokens[k:]
    while rest and rest[0] in (",", "-"):
        rest = rest[1:]
    # "21 ST" alone: the street 21ST, not house 21 on a street called ST.
    if (
        len(rest) == 1 and rest[0] in _ORDINAL_SUFFIXES and d.number.isdigit()
        and _ordinal(d.number) == d.number + rest[0] and not d.number_suffix
        and not d.fraction and not d.number_high and d.kind == "address"
    ):
        rest = [d.number + rest[0]]
        d.number = ""
    if not tail_allowed:
        d.street = _build_street([t for t in rest if t not in _PUNCT])
        return d, confident
    return d, _parse_location(rest, d, cities) and confident


def _cardinal_number(tokens: list[str]) -> list[str]:
    value, k = _CARDINALS[tokens[0]], 1
    if value >= 20 and value % 10 == 0 and len(tokens) > 2 and 0 < _CARDINALS.get(tokens[1], 10) < 10:
        value, k = value + _CARDINALS[tokens[1]], 2
    rest = tokens[k:]
    if not rest or rest[0] in ("MILE", "MILES", "OAKS", "PINES") or rest[0] in _PUNCT:
        return tokens  # "SEVEN MILE RD" is a street name
    if len(rest) == 1 and rest[0] in STREET_SUFFIXES:
        return tokens  # "ONE WAY"
    return [str(value), *rest]


def _late_number(tokens: list[str]) -> int:
    """Index of a house number after leading words ("WALGREENS 123 MAIN ST"), or 0."""
    for j in range(1, len(tokens) - 1):
        t = tokens[j]
        if t == ",":
            continue
        if _NUM_RE.fullmatch(t) or _RANGE_RE.fullmatch(t):
            prev = tokens[j - 1]
            if prev in STREET_SUFFIXES or prev in UNIT_DESIGNATORS or prev in _ROUTE_WORDS or prev == "#":
                continue  # "HIGHWAY 50", "SUITE 200", "US 41": not a house number
            nxt = tokens[j + 1]
            if nxt in _PUNCT:
                continue
            if nxt not in UNIT_DESIGNATORS or (j + 2 < len(tokens) and tokens[j + 2] in STREET_SUFFIXES):
                return j
    return 0


def _parse_number(tokens: list[str], d: _Draft) -> int:
    """Read the house number at the start of tokens into d; return how many tokens it used."""
    n = len(tokens)
    if not n:
        return 0
    t = tokens[0]
    k = 1
    m = _NUM_RE.fullmatch(t)
    if m:
        d.number, d.number_suffix = _strip_zeros(m.group(1)), m.group(2)
    elif (m := _RANGE_RE.fullmatch(t)) is not None:
        d.number, d.number_suffix = _strip_zeros(m.group(1)), m.group(2)
        _set_high(d, m.group(3) + m.group(4))
    elif (m := _NUM_LETTER_RE.fullmatch(t)) is not None:
        d.number, d.number_suffix = _strip_zeros(m.group(1)), m.group(2)
    elif (m := _BLOCK_TOKEN_RE.fullmatch(t)) is not None:
        d.kind = "block"
        d.number = _hundred(m.group(1))
        if n > 1 and tokens[1] == "OF":
            k = 2
        return k
    elif (m := _HUNDRED_RE.fullmatch(t)) is not None and (m.group(1) or len(m.group(2)) > 1):
        d.kind = "block"
        d.number = _hundred(t)
    elif _GRID_RE.fullmatch(t) and n > 1:
        d.number = t
        if _GRID_RE.fullmatch(tokens[1]) and len(t) <= 6:
            d.number = t + tokens[1]
            k = 2
    elif t in ("BLOCK", "BLK") and n > 1:
        d.kind = "block"
        if n > 2 and _NUM_RE.fullmatch(tokens[1]) and tokens[2] not in _PUNCT:
            d.number = _hundred(tokens[1])  # "BLOCK 600 HOLLACE ST"
            return 2
        return 2 if tokens[1] == "OF" else 1
    else:
        return 0
    # what may follow the number: a range, a fraction, BLOCK, a letter suffix
    while k < n:
        t = tokens[k]
        if t == "-" and k + 1 < n and not d.number_high and d.kind == "address":
            m = _NUM_RE.fullmatch(tokens[k + 1])
            if m is None:
                k += 1
                continue
            _set_high(d, tokens[k + 1])
            k += 2
        elif t in ("&", "AND") and k + 1 < n and tokens[k + 1].isdigit() and not d.number_high:
            _set_high(d, tokens[k + 1])
            k += 2
        elif k == 1 and t.isdigit() and _space_range_follows(tokens, d):
            _set_space_range(d, tokens[0], t)
            k += 1
        elif _FRACTION_RE.fullmatch(t) and not d.fraction:
            d.fraction = t
            k += 1
        elif t in ("BLOCK", "BLK"):
            d.kind = "block"
            d.number = _hundred(d.number)
            d.number_suffix = d.fraction = ""
            k += 1
            if k < n and tokens[k] == "OF":
                k += 1
        elif (
            len(t) == 1 and t.isalpha() and t not in DIRECTIONALS and not d.number_suffix
            and d.kind == "address" and _letter_is_suffix(tokens, k)
        ):
            d.number_suffix = t
            k += 1
        else:
            break
    return k


def _space_range_follows(tokens: list[str], d: _Draft) -> bool:
    """Whether "1249 51 VOSKAMP ST" holds a second house number (a range, or the number written
    twice) rather than a numbered street: the digits must be followed by a name, not a type."""
    if d.kind != "address" or not d.number.isdigit() or d.number_suffix or d.fraction or len(tokens) < 4:
        return False
    if len(tokens[1]) > max(len(tokens[0]), 2):
        return False
    name = tokens[2]
    if name in DIRECTIONALS and len(tokens) > 4:
        name = tokens[3]
    if _ORDINAL_RE.fullmatch(name):
        return True  # "5125 31 2ND AVE"
    if name in _ORDINAL_SUFFIXES and name == tokens[2]:
        return False  # "210 21 ST ST": the 21ST street
    if name in STREET_SUFFIXES:
        # a type word begins the name only when another type follows ("7219 5 FOREST WY"); alone
        # it is the type of a numbered street ("123 21 ST")
        at = tokens.index(name, 2)
        return at + 1 < len(tokens) and tokens[at + 1] in STREET_SUFFIXES
    return (
        name.isalpha() and name not in _ORDINAL_SUFFIXES and name not in UNIT_DESIGNATORS
        and name not in _NUMBERED_NAMES
    )


def _set_space_range(d: _Draft, written: str, second: str) -> None:
    """The second number completes the first's last digits (1249 51 -> 1249-1251; 0035 37 ->
    35-37); the same number again is written once; a lower one is read as a unit."""
    low = int(d.number)
    width = len(written)
    if len(second) >= len(str(low)):
        high = int(second)
    else:
        high = int(written[: width - len(second)] + second)
    if high > low and high - low <= _MAX_SPACE_RANGE:
        d.number_high = str(high)
    elif high != low and not d.unit_id:
        d.unit_type, d.unit_id = "#", second


def _letter_is_suffix(tokens: list[str], k: int) -> bool:
    nxt = tokens[k + 1] if k + 1 < len(tokens) else None
    if nxt is None or nxt in _PUNCT or nxt.isdigit():
        return False  # "I 10", "F 41": a letter street or route
    if len(nxt) == 1 and nxt not in DIRECTIONALS:
        return False  # "L B J FWY": initials
    if nxt in STREET_SUFFIXES:
        # "123 A PARK AVE" has a suffix; "1401 H ST NW", "123 A ST APT 2" are on H and A streets
        after = tokens[k + 2] if k + 2 < len(tokens) else None
        return (
            after is not None and after not in _PUNCT and after not in UNIT_DESIGNATORS
            and after not in DIRECTIONALS and not _ZIP_RE.fullmatch(after)
        )
    return True


def _strip_zeros(digits: str) -> str:
    return digits.lstrip("0") or "0"


def _hundred(number: str) -> str:
    digits = number.replace("X", "0")
    digits = "".join(c for c in digits if c.isdigit())
    if not digits:
        return "0"
    return str(int(digits) // 100 * 100)


def _set_high(d: _Draft, high: str) -> None:
    m = _NUM_RE.fullmatch(high)
    if m is None:
        return
    digits, letter = m.group(1), m.group(2)
    low = d.number
    if not low.isdigit():
        return  # a Wisconsin grid number has no ranges
    if len(digits) < len(low):
        digits = low[: len(low) - len(digits)] + digits
    digits = _strip_zeros(digits)
    if int(digits) > int(low) or (digits == low and letter > d.number_suffix):
        d.number_high = digits + letter
    elif not d.unit_id:
        d.unit_type, d.unit_id = "#", high


# ---------------------------------------------------------------------------------------------
# After the number: street, unit, city / state / ZIP
# ---------------------------------------------------------------------------------------------


def _comma_groups(tokens: list[str]) -> list[list[str]]:
    groups: list[list[str]] = [[]]
    for t in tokens:
        if t == ",":
            if groups[-1]:
                groups.append([])
        else:
            groups[-1].append(t)
    if not groups[-1]:
        groups.pop()
    return groups


def _parse_location(tokens: list[str], d: _Draft, cities: dict | None) -> bool:
    """Fill street, unit and tail from the tokens after the house number; True if unambiguous."""
    groups = _comma_groups(tokens)
    if not groups:
        return True
    confident = True
    words = groups[0]
    if any(t in _PUNCT and t not in ("#", "-") for t in words):
        confident = False
    words = [t for t in words if t not in _PUNCT or t == "#"]
    tail_groups = groups[1:]
    if tail_groups:
        # "1800 M ST, NW STE 700": a post-directional after the comma still belongs to the street
        first = tail_groups[0]
        k = _short_direction_len(first)
        if k and words and words[-1] not in DIRECTIONALS:
            words = words + first[:k]
            tail_groups = [first[k:], *tail_groups[1:]] if len(first) > k else tail_groups[1:]
    if tail_groups:
        _read_tail_groups(tail_groups, d, cities)
        city_expected = not d.city and bool(d.state or d.zip)
    else:
        if cities:
            words = _peel_known_tail(words, d, cities)
        words = _strip_state_zip(words, d, sure=False)
        city_expected = bool(d.state or d.zip)
    if cities and not d.city:
        words = _peel_city(words, d, cities)
        if d.city:
            city_expected = False
    street_words, after = _split_units(words, d)
    if after:
        if not d.city:
            d.city = _canonical_place(after)
        if not city_expected:
            confident = False
        city_expected = False
    elif d.unit_type and len(street_words) < len(words):
        city_expected = False  # "58 ROSTOCK ST BSMT 15218": the unit ended the words, and no place follows
    end, ok = _street_end(street_words, city_expected)
    if end < len(street_words):
        if not d.city:
            d.city = _canonical_place(street_words[end:])
        street_words = street_words[:end]
    d.street = street = _build_street([t for t in street_words if t not in _PUNCT])
    if not street.type and " " in street.name and not _is_route_name(street.name):
        ok = False  # "7 N WELLS CHICAGO": a type-less name of several words may hold a city
    return confident and ok and bool(street.name)


def _is_route_name(name: str) -> bool:
    # "AVE M", "US HWY 50", "COUNTY RD K": a route word and its number or letter
    words = name.split()
    return _is_route_id(words[-1]) and (words[-2] in STREET_SUFFIXES or words[-2] in _ROUTE_WORDS)


def _short_direction_len(group: list[str]) -> int:
    if len(group) >= 2 and (group[0], group[1]) in DIRECTIONAL_PAIRS and len(group[0]) == len(group[1]) == 1:
        return 2
    t = group[0]
    if t in DIRECTIONALS and len(t) <= 2:
        if t in STATES and len(group) > 1 and _ZIP_RE.fullmatch(group[1]):
            return 0  # ", NE 68102" is Nebraska
        return 1
    return 0


def _read_tail_groups(groups: list[list[str]], d: _Draft, cities: dict | None = None) -> None:
    """The comma groups after the street: units, then place, state, ZIP and country."""
    places: list[list[str]] = []
    for g in groups:
        g = [t for t in g if t not in _PUNCT or t == "#"]
        i = _unit_index(g)
        if i >= 0:
            g = g[:i] + _read_units(g[i:], d, bare_id=False)
        elif not places and _is_bare_unit(g):
            _read_units(g, d, bare_id=True)  # "123 MAIN ST, 2"
            continue
        if cities and not d.city and (known := _known_place(g, cities)):
            # a place the caller knows, before any state reading: "MOUNT WASHINGTON" is no WA
            d.city, g = known
        if g:
            places.append(g)
    flat = [(gi, t) for gi, g in enumerate(places) for t in g]
    rest = _strip_state_zip([t for _, t in flat], d, sure=True)
    if rest:
        # the city is the last group that still has words ("WEST SIDE, LAKEPORT, WI")
        last = flat[len(rest) - 1][0]
        d.city = _canonical_place([t for gi, t in flat[: len(rest)] if gi == last])


def _known_place(group: list[str], cities: dict) -> tuple[str, list[str]] | None:
    """A known place at the start of a comma group, with only a state or ZIP after it."""
    for k in range(min(len(group), 4), 0, -1):
        place = cities.get(tuple(group[:k]))
        if place is not None and all(w in STATES or _ZIP_RE.fullmatch(w) for w in group[k:]):
            return place, group[k:]
    return None


def _unit_index(group: list[str]) -> int:
    for i in range(len(group)):
        unit = _match_unit(group, i)
        if unit is not None and (unit[1] or (i == 0 and len(group) == 1)):
            return i
    return -1


def _is_bare_unit(group: list[str]) -> bool:
    return len(group) == 1 and bool(_UNIT_ID_RE.fullmatch(group[0])) and not _ZIP_RE.fullmatch(group[0])


def _strip_state_zip(words: list[str], d: _Draft, sure: bool) -> list[str]:
    """Take country, ZIP and state off the end of words into d; return what is left. `sure`
    (after a comma) reads any state name; without it a state must follow a complete street."""
    words = list(words)
    for phrase in _COUNTRY:
        k = len(phrase)
        if len(words) > k and tuple(words[-k:]) == phrase:
            if phrase == ("US",) and not _ZIP_RE.fullmatch(words[-2]) and not words[-2] in STATES:
                break  # "US 41" style route names keep their US
            del words[-k:]
            break
    if words and (m := _ZIP_RE.fullmatch(words[-1])) and (sure or len(words) > 1):
        d.zip = m.group(1)
        words.pop()
    elif sure and len(words) > 1 and len(words[-1]) == 4 and words[-1].isdigit() and words[-2] in STATES:
        d.zip = "0" + words.pop()  # "CAMBRIDGE, MA 1241": a spreadsheet dropped the leading zero
    state_at = _state_at_end(words, sure or bool(d.zip))
    if (
        state_at is not None and not sure and state_at == len(words) - 1 and words[-1] in STREET_SUFFIXES
        and not any(w in STREET_SUFFIXES for w in words[1:-1])
    ):
        state_at = None  # "STOEBNER WY 15214": the street's only type before a ZIP, not Wyoming
    if state_at is not None:
        d.state = STATES[" ".join(words[state_at:])]
        del words[state_at:]
    return words


def _state_at_end(words: list[str], sure: bool) -> int | None:
    n = len(words)
    for k in (3, 2, 1):
        if n < k or (not sure and n <= k):
            continue
        name = " ".join(words[-k:])
        if name not in STATES:
            continue
        if k == 1 and name in _AMBIGUOUS_STATES and n > 1 and (
            _ORDINAL_RE.fullmatch(words[-2]) or words[-2] in _ORDINAL_WORDS
        ):
            return None  # "1ST FL 15227": a floor before the ZIP, not Florida
        if not sure:
            if k == 1 and name in _AMBIGUOUS_STATES:
                return None
            # without a comma or ZIP, a state must follow a complete street: "123 MAIN ST WI"
            before = words[: n - k]
            if not any(STREET_SUFFIXES.get(w) in COMMON_SUFFIXES for w in before[1:]):
                return None
            if words[n - k] in DIRECTIONALS and len(words[n - k]) <= 2:
                return None
        return n - k
    return None


def _peel_known_tail(words: list[str], d: _Draft, cities: dict) -> list[str]:
    """A known place at the end, perhaps before a state and ZIP, taken off before any state is read
    from its words: "4 GRANVILLE ST MOUNT WASHINGTON" is in Mount Washington, not the state WA."""
    end = len(words)
    if end and _ZIP_RE.fullmatch(words[end - 1]):
        end -= 1
    if end and words[end - 1] in STATES and len(words[end - 1]) == 2:
        end -= 1
    for k in (4, 3, 2, 1):
        if end - k >= 2 and (city := cities.get(tuple(words[end - k : end]))) is not None:
            d.city = city
            _strip_state_zip(words[end:], d, sure=True)
            return words[: end - k]
    return words


def _peel_city(words: list[str], d: _Draft, cities: dict) -> list[str]:
    for k in (4, 3, 2, 1):
        if len(words) > k and (city := cities.get(tuple(words[-k:]))) is not None:
            d.city = city
            return words[:-k]
    return words


def _canonical_place(words: list[str]) -> str:
    words = [w for w in words if w not in _PUNCT]
    if len(words) >= 2 and words[0] in _NAME_START:
        words = [_NAME_START[words[0]], *words[1:]]
    return " ".join(words)


def _street_end(words: list[str], city_expected: bool) -> tuple[int, bool]:
    """Where the street ends in words with no comma after it: returns (end index, confident).
    Words past the end are a city or neighbourhood."""
    n = len(words)
    start = 1 if n > 2 and words[0] in DIRECTIONALS else 0
    cands = [i for i in range(start + 1, n) if words[i] in STREET_SUFFIXES]
    if not cands:
        if city_expected:
            # "S AVENUE M CHICAGO": a type before a route letter or number ends the street
            for i in range(start, n - 2):
                if words[i] in STREET_SUFFIXES and _is_route_id(words[i + 1]):
                    return i + 2, True
        return n, not city_expected
    last = cands[-1]
    end = _after_type(words, last)
    if end < n and words[end - 1] in DIRECTIONALS and len(words[end - 1]) > 2:
        return end, False  # "LINCOLN PARK WEST CHICAGO": WEST ends the street or begins the city
    if end >= n:
        if city_expected and STREET_SUFFIXES[words[last]] in COMMON_SUFFIXES and last == n - 1:
            return n, True  # "W STATION SQUARE DR 15232": the street ends in a common type before the ZIP
        if not city_expected:
            # "3705 N OVERLOOK BLVD OVERLOOK PARK FLATS": a street, then a building name?
            doubtful = any(
                STREET_SUFFIXES[words[c]] in COMMON_SUFFIXES and words[c + 1] not in STREET_SUFFIXES
                for c in cands[:-1]
            )
            return n, not doubtful
        strong = [i for i in cands if i < last and STREET_SUFFIXES[words[i]] in COMMON_SUFFIXES]
        if strong:
            return _after_type(words, _settle_st(words, strong[-1], cands)), True
        return n, False
    if city_expected:
        strong = [i for i in cands if STREET_SUFFIXES[words[i]] in COMMON_SUFFIXES]
        if strong:
            return _after_type(words, _settle_st(words, strong[-1], cands)), True
        return _after_type(words, last), False
    return end, False


def _is_route_type(words: list[str], c: int) -> bool:
    typ = STREET_SUFFIXES[words[c]]
    return typ in _ROUTE_TYPES or (typ == "RD" and c > 0 and words[c - 1] in _ROUTE_QUALIFIERS)


def _is_route_id(word: str) -> bool:
    return word.isdigit() or (len(word) == 1 and word not in DIRECTIONALS)


def _settle_st(words: list[str], c: int, cands: list[int]) -> int:
    # "MAIN ST ST PAUL", "39TH TER N ST PETERSBURG": that last ST begins SAINT ..., the street
    # ended at the type before it
    if words[c] == "ST" and c + 1 < len(words):
        if c - 1 in cands:
            return c - 1
        if (
            c - 2 in cands and words[c - 1] in DIRECTIONALS
            and STREET_SUFFIXES[words[c - 2]] in COMMON_SUFFIXES
        ):
            return c - 2
    return c


def _after_type(words: list[str], c: int) -> int:
    end = c + 1
    n = len(words)
    if end < n and _is_route_type(words, c) and _is_route_id(words[end]):
        end += 1  # "COUNTY ROAD 12", "STATE HIGHWAY 116": the route number belongs to the name
    if end < n and words[end] in DIRECTIONALS:
        # an abbreviated direction after the type is a post-directional; a spelled-out one is
        # too when it ends the string ("LINCOLN PARK WEST") or precedes ST ("13TH AVE NORTH ST
        # PETERSBURG"), else it may begin a place name ("WEST PALM BEACH")
        if len(words[end]) <= 2 or end == n - 1 or words[end + 1] == "ST":
            end += 1
            if end < n and (words[end - 1], words[end]) in DIRECTIONAL_PAIRS and len(words[end]) == 1:
                end += 1  # "LUCERNE DR S E GRAND RAPIDS": S E is SE
    return end


def _split_units(words: list[str], d: _Draft) -> tuple[list[str], list[str]]:
    """Split street words from unit words; return (street words, words after the units)."""
    n = len(words)
    for i in range(1, n):
        t = words[i]
        if _FRACTION_RE.fullmatch(t) and not d.fraction and d.number:
            # "123 MAIN ST 1/2": the half belongs to the house number
            d.fraction = t
            return words[:i], _read_units(words[i + 1 :], d, bare_id=False)
        if _unit_starts(words, i):
            return words[:i], _read_units(words[i:], d, bare_id=True)
    return words, []


def _unit_starts(words: list[str], i: int) -> bool:
    t = words[i]
    n = len(words)
    prev = words[i - 1]
    nxt = words[i + 1] if i + 1 < n else None
    if t == "#":
        return True
    if t == "NO" and nxt is not None and i >= 2 and prev in STREET_SUFFIXES and any(c.isdigit() for c in nxt):
        return True
    if _GLUED_FLOOR_RE.fullmatch(t) or _GLUED_UNIT_RE.fullmatch(t):
        return True
    if nxt in _FLOOR_WORDS and (_ORDINAL_RE.fullmatch(t) or t in _ORDINAL_WORDS):
        return True
    des = UNIT_DESIGNATORS.get(t)
    if des is not None:
        if all(w in DIRECTIONALS for w in words[:i]):
            return False  # "N FRONT ST": the designator word is the street name
        if des in UNIT_NEEDS_ID:
            if nxt is None or nxt == "#" or nxt in UNIT_DESIGNATORS:
                return True
            if prev in STREET_SUFFIXES and i >= 2 and des in _UNIT_WITHOUT_ID_AFTER_TYPE:
                return True  # "841 W RANDOLPH ST FL CHICAGO": a floor whose number was lost
            if _UNIT_ID_RE.fullmatch(nxt) or _ORDINAL_RE.fullmatch(nxt):
                # "KEY 5 AVE" would be odd; a type right after the id means we are in the name
                return not (i + 2 < n and words[i + 2] in STREET_SUFFIXES and i + 3 == n)
            return False
        if prev in STREET_SUFFIXES and i >= 2:
            return True
        if des == "SIDE":
            return False
        if prev in DIRECTIONALS and i >= 2 and words[i - 2] in STREET_SUFFIXES:
            return True
        return nxt is None or nxt == "#"
    if not any(c.isdigit() for c in t) or not _UNIT_ID_RE.fullmatch(t) or _ZIP_RE.fullmatch(t):
        return False
    if _ORDINAL_RE.fullmatch(t):
        return False
    # a bare unit id after a complete street: "123 MAIN ST 2B", "2320 LAKE SHORE DR 6 WACO TX"
    if prev in STREET_SUFFIXES and i >= 2:
        return not _is_route_type(words, i - 1) and (nxt is None or nxt not in STREET_SUFFIXES)
    if prev in DIRECTIONALS and i >= 3 and words[i - 2] in STREET_SUFFIXES:
        return True
    if prev == "NO" and i >= 2:
        return True  # "361 17TH ST NO 2202": NO is "number"
    # or at the end after a name word: "203 N WABASH 608", "308 ELIZABETH 1W"
    return (
        nxt is None and len(prev) > 1 and prev.isalpha() and prev not in DIRECTIONALS
        and prev not in _ROUTE_WORDS and prev not in STREET_SUFFIXES
        and any(w not in DIRECTIONALS for w in words[:i])
    )


def _match_unit(words: list[str], i: int) -> tuple[str, str, int] | None:
    """A unit starting at words[i]: (designator, id, index after it), or None."""
    n = len(words)
    if i >= n:
        return None
    t = words[i]
    nxt = words[i + 1] if i + 1 < n else None
    if t == "#" or (t == "NO" and nxt is not None and any(c.isdigit() for c in nxt)):
        if nxt in UNIT_DESIGNATORS:
            return _match_unit(words, i + 1)  # "# APT 3"
        if nxt is not None and nxt not in _PUNCT:
            return "#", _unit_id(nxt), i + 2
        return None
    if m := _GLUED_FLOOR_RE.fullmatch(t):
        return "FL", _strip_zeros(m.group(1)), i + 1
    if m := _GLUED_UNIT_RE.fullmatch(t):
        return UNIT_DESIGNATORS[m.group(1)], _unit_id(m.group(2)), i + 1
    if nxt in _FLOOR_WORDS:
        if m := _ORDINAL_RE.fullmatch(t):
            return "FL", _strip_zeros(m.group(1)), i + 2
        if t in _ORDINAL_WORDS:
            return "FL", str(_ORDINAL_WORDS[t]), i + 2
    des = UNIT_DESIGNATORS.get(t)
    if des is None:
        return None
    j = i + 1
    if j < n and words[j] == "#":
        j += 1
    if j < n and words[j] not in _PUNCT and words[j] not in UNIT_DESIGNATORS:
        w = words[j]
        if (
            _UNIT_ID_RE.fullmatch(w) or _ORDINAL_RE.fullmatch(w)
            or (des in UNIT_NEEDS_ID and w in _ORDINAL_WORDS)
        ):
            return des, _unit_id(w), j + 1
    return des, "", j


def _read_units(words: list[str], d: _Draft, bare_id: bool) -> list[str]:
    """Read one or more units from the start of words into d; return the words after them.
    Of several ("BLDG 3 APT 2") the most specific one is kept."""
    i = 0
    n = len(words)
    while i < n:
        unit = _match_unit(words, i)
        if unit is None:
            w = words[i]
            if (
                bare_id and _UNIT_ID_RE.fullmatch(w) and not _ZIP_RE.fullmatch(w)
                and (i == 0 or any(c.isdigit() for c in w))
            ):
                unit = ("#", _unit_id(w), i + 1)
            else:
                break
        des, uid, i = unit
        if not d.unit_type or _unit_score(des, uid) >= _unit_score(d.unit_type, d.unit_id):
            d.unit_type, d.unit_id = des, uid
        while i < n and words[i] in ("-", "&", "AND"):
            i += 1
    return words[i:]


def _unit_score(des: str, uid: str) -> int:
    if uid:
        return 10 + _UNIT_RANK.get(des, 1)
    return -5 if des in UNIT_NEEDS_ID else _UNIT_RANK.get(des, 1)  # "APT" with no number says little


def _unit_id(word: str) -> str:
    if m := _ORDINAL_RE.fullmatch(word):
        return _strip_zeros(m.group(1))
    if word in _ORDINAL_WORDS:
        return str(_ORDINAL_WORDS[word])
    return word.replace("-", "").replace("#", "")


# ---------------------------------------------------------------------------------------------
# One street: [predir] name [type] [postdir]
# ---------------------------------------------------------------------------------------------


def _build_street(words: list[str]) -> Street:
    return _street_of(tuple(words))


@functools.lru_cache(maxsize=65_536)
def _street_of(words: tuple[str, ...]) -> Street:
    # streets repeat across a city's records: read each spelling once
    w = [x for x in words if x not in _PUNCT]
    if any("-" in x for x in w):
        w = [p for x in w for p in x.split("-") if p]
    n = len(w)
    if not n:
        return Street()
    pre = post = typ = ""
    i, j = 0, n
    if n >= 3 and (w[0], w[1]) in DIRECTIONAL_PAIRS and _has_name(w[2:]):
        pre, i = DIRECTIONAL_PAIRS[(w[0], w[1])], 2
    elif n >= 2 and w[0] in DIRECTIONALS and _has_name(w[1:]):
        pre, i = DIRECTIONALS[w[0]], 1
    if j - i >= 2 and w[j - 1] in DIRECTIONALS and _has_name(w[i : j - 1]):
        if j - i >= 3 and (w[j - 2], w[j - 1]) in DIRECTIONAL_PAIRS and _has_name(w[i : j - 2]):
            post, j = DIRECTIONAL_PAIRS[(w[j - 2], w[j - 1])], j - 2
        else:
            post, j = DIRECTIONALS[w[j - 1]], j - 1
    if j - i >= 2 and w[j - 1] in STREET_SUFFIXES:
        typ, j = STREET_SUFFIXES[w[j - 1]], j - 1
        if not post and j - i >= 2 and w[j - 1] in DIRECTIONALS and (len(w[j - 1]) <= 2 or j - i >= 3):
            # "3419 SAINT JOHN W ST", "OTTER CREEK SOUTH RD": the direction before the type
            post, j = DIRECTIONALS[w[j - 1]], j - 1
    return Street(pre, _canonical_name(w[i:j], typ), typ, post)


def _has_name(w: list[str]) -> bool:
    """Whether words still hold a street name once a type is taken off: "NORTH AVE" has none
    left after NORTH, so NORTH is the name; "W LAKE" keeps LAKE (a weak suffix) as the name."""
    if not w:
        return False
    if len(w) == 1:
        return STREET_SUFFIXES.get(w[0]) not in COMMON_SUFFIXES
    if w[-1] in DIRECTIONALS and len(w[-1]) <= 2:
        return _has_name(w[:-1])  # "S ST NW": without NW only ST is left, so S is the name
    return True


def _canonical_name(words: list[str], typ: str) -> str:
    if not words:
        return ""
    out: list[str] = []
    for x in words:
        if out and x in _ORDINAL_SUFFIXES and out[-1].isdigit():
            out[-1] = _ordinal(out[-1])  # "21 ST ST" -> 21ST
            continue
        if m := _ORDINAL_RE.fullmatch(x):
            x = _ordinal(m.group(1))  # "21TH" -> 21ST
        out.append(x)
    if len(out) <= 2 and (num := _ordinal_words(out)) is not None:
        return _ordinal(str(num))
    if len(out) == 1:
        x = out[0]
        if x.isdigit() and typ and typ not in _ROUTE_TYPES:
            return _ordinal(x)  # "123 5 ST" -> 5TH ST
        if x in STREET_SUFFIXES and x not in SUFFIX_NAMES.values():
            return SUFFIX_NAMES[STREET_SUFFIXES[x]]  # the street called "AVE" -> AVENUE
        return x
    if out[0] in _NAME_START:
        out[0] = _NAME_START[out[0]]
    if typ == "EXT" and out[-1] in STREET_SUFFIXES:
        out[-1] = STREET_SUFFIXES[out[-1]]  # "FEDERAL STREET EXT" is FEDERAL ST EXT
    if not typ:
        last = out[-1]
        if last.isdigit() or len(last) == 1 or (len(last) <= 3 and any(c.isdigit() for c in last)):
            k = len(out) - 2
            if out[k] in STREET_SUFFIXES:
                out[k] = STREET_SUFFIXES[out[k]]  # "AVENUE H" -> AVE H, "HIGHWAY 50" -> HWY 50
    return " ".join(out)


def _ordinal_words(words: list[str]) -> int | None:
    if len(words) == 1:
        return _ORDINAL_WORDS.get(words[0])
    if words[0] in _TENS and words[1] in _ORDINAL_UNITS:
        return _TENS[words[0]] + _ORDINAL_UNITS[words[1]]
    return None


def _ordinal(digits: str) -> str:
    n = int(digits)
    if 11 <= n % 100 <= 13:
        suffix = "TH"
    else:
        suffix = {1: "ST", 2: "ND", 3: "RD"}.get(n % 10, "TH")
    return f"{n}{suffix}"


# ---------------------------------------------------------------------------------------------
# usaddress, for the strings our rules cannot read with confidence
# ---------------------------------------------------------------------------------------------

_STREET_LABELS = frozenset(
    {
        "StreetNamePreModifier", "StreetNamePreDirectional", "StreetNamePreType", "StreetName",
        "StreetNamePostType", "StreetNamePostDirectional", "StreetNamePostModifier",
    }
)
_NUMBER_LABELS = frozenset({"AddressNumberPrefix", "AddressNumber", "AddressNumberSuffix"})
_UNIT_LABELS = frozenset(
    {"OccupancyType", "OccupancyIdentifier", "SubaddressType", "SubaddressIdentifier"}
)


def _parse_usaddress(text: str, cities: dict | None) -> _Draft | None:
    """usaddress's reading of text, put through the same street, unit and tail rules."""
    try:
        tagged = usaddress.parse(text)
    except Exception:
        return None
    number: list[str] = []
    street: list[str] = []
    unit: list[str] = []
    place: list[str] = []
    state: list[str] = []
    zip_: list[str] = []
    box: list[str] = []
    has_type = False
    for token, label in tagged:
        toks = [t for t in _tokenize(token) if t not in _PUNCT or t == "#"]
        if not toks:
            continue
        if label in _STREET_LABELS:
            if street and (place or unit):
                return None  # street words on both sides of the city: a reading we cannot use
            street.extend(toks)
            has_type = has_type or label == "StreetNamePostType"
        elif label in _NUMBER_LABELS:
            number.extend(toks)
        elif label in _UNIT_LABELS:
            unit.extend(toks)
        elif label == "PlaceName":
            place.extend(toks)
        elif label == "StateName":
            state.extend(toks)
        elif label == "ZipCode":
            zip_.extend(toks)
        elif label.startswith("USPSBox"):
            box.extend(toks)
        elif label == "IntersectionSeparator" or label.startswith("SecondStreet"):
            return None
    d = _Draft()
    if not street and box:
        d.kind = "po_box"
        d.number = next((t for t in box if any(c.isdigit() for c in t)), "")
    # usaddress sometimes files the type under the city: "MAIN | ST PARK RIDGE"
    if street and not has_type and place and STREET_SUFFIXES.get(place[0]) in COMMON_SUFFIXES:
        street.append(place.pop(0))
    if number:
        k = _parse_number(number + street, d)
        if k > len(number):
            street = (number + street)[k:]
        elif k < len(number):
            unit = number[k:] + unit
    if place and len(street) == 1 and street[0] in DIRECTIONALS:
        # A street is never a lone direction: in "1070 W ST PAUL" the "place" is the street's name.
        # A known city at the end stays the city ("360 E ST PAUL, LAKEPORT").
        keep = next((k for k in range(len(place) - 1, 0, -1) if cities and tuple(place[k:]) in cities), len(place))
        street, place = street + place[:keep], place[keep:]
    if cities and place and tuple(place) in cities:
        d.city = cities[tuple(place)]
    elif place:
        d.city = _canonical_place(place)
    if state:
        d.state = STATES.get(" ".join(state), "")
    if zip_ and (m := _ZIP_RE.fullmatch(zip_[0])):
        d.zip = m.group(1)
    if street:
        d.street = _build_street(street)
    if unit:
        _read_units(unit, d, bare_id=True)
    return d


def _prefer_tagged(tagged: _Draft, ours: _Draft) -> bool:
    """Whether usaddress's reading beats our unsure one: it must at least find a street, and
    keep the house number we found."""
    if ours.kind == "intersection" and ours.street.name and ours.cross_street.name:
        return False  # two streets around a separator: usaddress reads "1ST AND MT PLEASANT" as one
    if ours.kind == "block" and ours.street.name and tagged.kind != "block":
        return False  # "BLOCK 600 HOLLACE ST": usaddress takes the block's number for a house's
    if tagged.kind == "po_box":
        return ours.kind != "address" or not ours.number
    if not tagged.street.name:
        return False
    if ours.number and not tagged.number:
        return False
    return True
