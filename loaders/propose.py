"""A column mapping proposed for an extract that neither a spec's column names nor a saved mapping fit.

`propose(frame)` reads the headers and a sample of the values and says which column should feed
each canonical field, and why, for the analyst to confirm or correct. It never loads anything.
"""

import re
import shlex
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from integration.address import normalize
from loaders.dates import infer
from loaders.specs import CANONICAL_FIELDS, DepartmentSpec, header_token, spec, specs

# Fields newer than the first specs. Like every field, each is proposed only while CANONICAL_FIELDS
# has it: the loaders refuse a mapping that names a field they do not know.
POINT = "point"
X = "x"
Y = "y"
ADDRESS_BLOCK = "address_block"
CITY = "city"
ZIP = "zip"

# The order guesses are listed in, and the order the command line names them.
FIELD_ORDER = ("source_record_id", "occurred_at", "occurred_date", "occurred_time", "closed_at", "category",
               "subcategory", "status", "address", ADDRESS_BLOCK, "address_number", "address_predir",
               "address_street", "address_type", "address_postdir", "address_unit", CITY, ZIP, "lat", "lon",
               POINT, X, Y, "parcel_id", "description")

SEED = 0  # the same file always gets the same proposal
ADDRESS_VALUES = 1000  # distinct values normalised per column: enough to tell, cheap on a wide file

# --- words in headers ---------------------------------------------------------------------------
# Long words match inside a header ("PROBADDRESS", "DATETIMEINIT"); short ones only as a word of it,
# or "no" would match "NOTICE" and "loc" "BLOCK".
SHORT = 3

ID_WORDS = ("id", "number", "no", "num", "nbr", "key", "ref")
RECORD_WORDS = ("incident", "case", "request", "ticket", "event", "call", "service", "complaint", "reference",
                "record", "report", "violation", "notice", "inspection", "cfs", "sr", "unique")
# An id-like column that identifies something other than the record: a unit, a parcel, a place.
NOT_RECORD_WORDS = ("unit", "parcel", "pin", "tax", "phone", "zip", "tract", "beat", "district", "ward",
                    "inspector", "property", "school", "block", "lot", "priority", "group", "census", "area",
                    "neighborhood", "council", "zone", "officer", "badge", "employee", "staff", "user", "agent",
                    "route", "crew", "vehicle", "station", "apparatus")
ROW_COUNTER_TOKENS = ("objectid", "fid", "rowid", "row", "index", "oid", "gid", "ogcfid", "sequence", "seq")

START_WORDS = ("created", "create", "opened", "open", "received", "rcvd", "recv", "init", "start", "begin",
               "reported", "report", "call", "alarm", "event", "incident", "occur", "notice", "violation",
               "dispatch", "entered", "submitted", "request", "filed", "logged", "inspection")
DATE_WORDS = ("date", "time", "dt", "when", "day")
END_WORDS = ("closed", "close", "resolved", "resolution", "completed", "complete", "done", "due", "updated",
             "update", "modified", "last", "cancel", "finished", "cleared", "ended", "arrival", "arrived",
             "expire", "expiry", "birth", "dob", "acquisition", "sale")
CLOSED_WORDS = (("closed", 3), ("close", 3), ("resolved", 2), ("completed", 1), ("complete", 1), ("done", 1),
                ("finished", 1), ("cleared", 1))

ADDRESS_WORDS = ("address", "addr", "location", "loc", "street", "site", "premise", "place")
NOT_ADDRESS_WORDS = ("cross", "intersection", "city", "zip", "state", "owner", "billing", "mailing", "school",
                     "park", "landmark", "taxi", "bridge", "ferry", "garage", "type")
NUMBER_WORDS = ("number", "no", "num", "nbr", "house", "block", "blk", "hundred", "stno")
BLOCK_WORDS = ("block", "blk", "hundred")

# Each with how the why names it, most telling first.
CATEGORY_WORDS = {"calltype": "a call type", "nature": "a call type", "complaint": "a complaint type",
                  "problem": "a problem type", "violation": "a violation", "offense": "an offense",
                  "offence": "an offence", "category": "a category", "classification": "a classification",
                  "type": "a type"}
CATEGORY_HINTS = ("descr", "code", "group", "class", "kind", "reason", "subject", "topic", "incident", "call",
                  "request", "service", "case")
NOT_CATEGORY_WORDS = ("neighborhood", "neighbourhood", "district", "ward", "zone", "beat", "division", "area",
                      "tract", "city", "state", "zip", "borough", "agency", "department", "unit", "priority",
                      "owner", "inspector", "school", "park", "facility", "community", "council", "census",
                      "street", "block", "lot", "method", "caller", "channel", "source", "origin", "submit",
                      "landmark", "location", "address", "status", "result", "waived", "bureau", "acquisition",
                      "zoned", "inventory", "vehicle", "taxi", "bridge", "ferry", "garage", "road", "routed",
                      "assigned", "staff", "officer", "shift")
STATUS_WORDS = ("status", "dispo", "disposition", "stage")  # not "state": that is as often the US state
NOT_STATUS_WORDS = ("inspection", "school", "park", "billing", "mailing", "owner", "zip")
STATUS_VALUES = frozenset({
    "open", "opened", "closed", "close", "active", "inactive", "pending", "in progress", "inprogress",
    "cancelled", "canceled", "cancel", "resolved", "completed", "complete", "new", "assigned", "unassigned",
    "at scene", "on scene", "dispatched", "disptch", "dispatch", "enroute", "en route", "cleared", "on hold",
    "hold", "referred", "void", "duplicate", "received", "acknowledged", "under review", "in review",
    "submitted", "done", "finished", "waiting", "arrived", "working", "not started", "scheduled", "started",
    "reopened", "transferred", "approved", "denied", "rejected", "expired", "abated", "compliance",
    "in compliance", "unfounded", "closed - duplicate",
})

PARCEL_WORDS = ("parcel", "taxkey", "pin", "apn", "pid", "taxid", "parcelnumber", "folio", "mapblocklot")
CITY_WORDS = ("city", "municipality", "town", "place")
ZIP_WORDS = ("zip", "postal", "postcode")
NOT_PLACE_WORDS = ("billing", "mailing", "owner", "school", "park", "taxi", "boundaries", "vendor", "contact")
DESCRIPTION_WORDS = ("description", "narrative", "comment", "remark", "note", "detail", "explanation", "summary",
                     "synopsis")
NOT_DESCRIPTION_WORDS = ("resolution", "type", "code", "ordinance", "location", "address", "school", "park")
LAT_WORDS = ("lat", "latitude")
LON_WORDS = ("lon", "long", "lng", "longitude")
X_WORDS = ("x", "srx", "xcoord", "xcoordinate", "easting", "pointx", "coordx")
Y_WORDS = ("y", "sry", "ycoord", "ycoordinate", "northing", "pointy", "coordy")

# Headers naming a place the record is in (a fire zone, a police district) say nothing about which
# department wrote the file: Pittsburgh's fire incidents carry a police zone, Baltimore's notices a
# police district.
GEOGRAPHY_WORDS = ("zone", "district", "division", "area", "ward", "precinct", "station", "tract",
                   "neighborhood", "council", "boundaries", "community", "borough", "region", "sector", "quadrant")

# --- what each department's files hold ---------------------------------------------------------

DEPARTMENT_HEADER_WORDS = {
    "police": {"nature": 2, "beat": 2, "dispo": 2, "cad": 2, "cfs": 2, "officer": 2, "offense": 2, "ucr": 2,
               "calltype": 2, "priority": 1, "callforservice": 2, "callsforservice": 2, "responding": 1},
    "fire": {"alarm": 2, "nfirs": 3, "apparatus": 2, "firstdue": 2, "fireincident": 2, "ems": 1, "primaryunit": 1},
    "public_works": {"violation": 2, "inspection": 1, "inspector": 1, "condemned": 3, "vacant": 3, "notice": 1,
                     "case": 1, "ordinance": 2, "permit": 1, "building": 1, "deadend": 2, "taxkey": 1, "parcel": 1,
                     "owner": 1, "codeenforcement": 2, "abatement": 2},
    "crm": {"request": 2, "complaint": 2, "311": 3, "servicerequest": 2, "agency": 1, "caller": 1, "descriptor": 1,
            "resolution": 1, "problem": 1, "topic": 1, "routed": 2, "submit": 1, "inquiry": 2},
}
DEPARTMENT_VALUE_WORDS = {
    "police": ("disturbance", "suspicious", "burglary", "burg", "theft", "robbery", "assault", "shots", "shooting",
               "domestic", "welfare", "trespass", "criminal mischief", "criminal damage", "meet complainant",
               "traffic stop", "investigate", "open door", "prowler", "fight", "battery", "larceny", "vandalism",
               "stolen", "harassment", "warrant", "intoxicated", "weapon", "missing person", "911", "hang up",
               "hangup", "drug", "narcotics", "shoplifting", "retail theft", "reckless driving", "major dist",
               "panic", "person down", "check the welfare", "shots fired", "stabbing", "carjacking"),
    "fire": ("fire", "smoke", "nfirs", "ems", "medical assist", "gas leak", "carbon monoxide", "hazmat",
             "extrication", "rescue", "false alarm", "alarm system", "smoke detector", "arcing", "power line",
             "brush", "dispatched & canceled", "lock-out", "lockout", "steam leak", "odor of smoke",
             "cover assignment"),
    "public_works": ("violation", "vacant", "condemned", "dead end", "unsafe", "tall grass", "weeds", "junk",
                     "property maintenance", "inspection", "re-inspection", "repair", "replace", "exterior",
                     "interior", "structure", "building code", "zoning", "screens", "window", "roof", "porch",
                     "gutter", "nuisance", "boarded", "demolition", "unfit", "housing code"),
    "crm": ("request", "inquiry", "complaint", "transfer", "pothole", "graffiti", "street light", "streetlight",
            "missed", "pickup", "pick up", "trash", "refuse", "bulk", "recycling", "dumping", "noise", "sewer",
            "tree", "trees", "sidewalk", "abandoned vehicle", "rodent", "rats", "snow", "litter", "information",
            "water main", "leaf", "leaves", "debris", "animal", "parking", "noise - residential"),
}
VOCABULARY = {department: re.compile(r"\b(" + "|".join(re.escape(word) for word in words) + r")\b", re.IGNORECASE)
              for department, words in DEPARTMENT_VALUE_WORDS.items()}
# A column name only one department's spec uses is evidence for that department; a description is not.
EVIDENCE_FIELDS_SKIPPED = ("description",)

# --- value shapes -------------------------------------------------------------------------------

DATE_SHAPE = re.compile(
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}"
    r"|[A-Za-z]{3,9}\.? \d{1,2},? \d{4}|\d{1,2}[- ][A-Za-z]{3}[- ]\d{2,4}")
TIME_SHAPE = re.compile(r"\d{1,2}:\d{2}")
TIME_ONLY = re.compile(r"^\d{1,2}:\d{2}(:\d{2})?(\.\d+)?\s*([AaPp]\.?[Mm]\.?)?$")
PAREN_POINT = re.compile(r"^\(\s*-?\d+(\.\d+)?\s*,\s*-?\d+(\.\d+)?\s*\)$")
WKT_POINT = re.compile(r"^POINT\s*\(\s*-?\d+(\.\d+)?\s+-?\d+(\.\d+)?\s*\)$", re.IGNORECASE)
CODE_SHAPE = re.compile(r"^(?=.*\d)[A-Za-z0-9]{1,10}$")
NFIRS_SHAPE = re.compile(r"^[1-9]\d{2}$")
PARCEL_SHAPE = re.compile(r"^(?=(?:.*[A-Za-z0-9]){6})(?=.*\d)[A-Za-z0-9][A-Za-z0-9\-. ]{5,}$")
ZIP_SHAPE = re.compile(r"^\d{5}(-\d{4})?$")
INTEGER_SHAPE = re.compile(r"^\d{1,6}$")
DECIMAL_DEGREES = re.compile(r"^-?\d{1,3}\.\d{3,}$")


@dataclass(frozen=True)
class FieldGuess:
    field: str  # canonical field
    column: str  # the file's column
    why: str  # for a person: "every value is unique (3,915 of 3,915)"


@dataclass(frozen=True)
class Proposal:
    department: str | None  # the department whose required fields it fills best (None: cannot tell)
    columns: dict[str, str]  # canonical field -> column (what to pass as a mapping)
    guesses: tuple[FieldGuess, ...]
    missing: tuple[str, ...]  # required fields of `department` it could not fill
    department_why: str = ""  # for a person: "call types like Disturbance, Suspicious Person"

    def save_command(self, file_name: str, name: str = "NAME") -> str:
        """The command that saves this mapping, shell-quoted:
        python -m loaders save-mapping --department D --name NAME --file FILE --map field=Column ..."""
        words = ["python", "-m", "loaders", "save-mapping", "--department", self.department or "DEPARTMENT",
                 "--name", name, "--file", file_name]
        if self.columns:
            words += ["--map", *(f"{field}={column}" for field, column in _in_order(self.columns))]
        return " ".join(shlex.quote(word) for word in words)


def propose(frame: pd.DataFrame, department: str | None = None, sample_rows: int = 5000) -> Proposal:
    """A mapping for `frame` (every cell text, as loaders.read.read_table gives it), from its headers and values."""
    if department is not None:
        spec(department)  # an unknown department fails here, naming the known ones
    sample = _sample(frame, sample_rows)
    profiles = [_Column(str(name), sample.iloc[:, position], len(frame))
                for position, name in enumerate(frame.columns)]
    if department is not None:
        columns, guesses = _mapping(profiles, spec(department))
        return _proposal(department, columns, guesses, "the department was given")
    candidates = []
    for name, department_spec in specs().items():
        columns, guesses = _mapping(profiles, department_spec)
        weight, reasons = _evidence(profiles, department_spec, columns)
        missing = department_spec.missing(columns)
        candidates.append((weight - len(missing), weight, name, columns, guesses, reasons))
    told = [candidate for candidate in candidates if candidate[1] > 0]
    if not told:
        columns, guesses = _mapping(profiles, None)
        return _proposal(None, columns, guesses, "nothing in its headers or values names a department")
    _, _, name, columns, guesses, reasons = max(told, key=lambda candidate: (candidate[0], candidate[1]))
    return _proposal(name, columns, guesses, "; ".join(reasons))


def _proposal(department: str | None, columns: dict[str, str], guesses: list[FieldGuess], why: str) -> Proposal:
    ordered = tuple(sorted(guesses, key=lambda guess: _field_rank(guess.field)))
    missing = tuple(spec(department).missing(columns)) if department else ()
    return Proposal(department=department, columns=dict(_in_order(columns)), guesses=ordered, missing=missing,
                    department_why=why)


def _field_rank(field: str) -> int:
    return FIELD_ORDER.index(field) if field in FIELD_ORDER else len(FIELD_ORDER)


def _in_order(columns: dict[str, str]) -> list[tuple[str, str]]:
    return sorted(columns.items(), key=lambda item: _field_rank(item[0]))


def _sample(frame: pd.DataFrame, sample_rows: int) -> pd.DataFrame:
    # Rows from all over the file, kept in file order: the first rows of a file sorted by date
    # would hide its later formats, and evenly spaced rows can fall in step with a repeating pattern.
    if len(frame) <= sample_rows:
        return frame
    return frame.sample(n=max(sample_rows, 1), random_state=SEED).sort_index()


# --- one column, described once ------------------------------------------------------------------

class _Column:
    """What a column's header and sampled values say, each worked out once, when a guess first asks."""

    def __init__(self, name: str, values: pd.Series, file_rows: int):
        self.name = name
        self.token = header_token(name)
        self.words = {word.lower() for word in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", name)}
        self.file_rows = file_rows
        text = values.fillna("").astype(str).str.strip()
        self.rows = len(text)
        self.sampled = file_rows > self.rows
        self.values = text[text != ""]
        self.filled_count = len(self.values)
        self.filled = self.filled_count / self.rows if self.rows else 0.0
        self.counts = self.values.value_counts()
        self.distinct = len(self.counts)
        self.unique_share = self.distinct / self.filled_count if self.filled_count else 0.0
        self._vocabulary: dict[str, float] = {}

    def named(self, words=(), whole=()) -> bool:
        """Whether the header holds one of `words` (inside it) or `whole` (as a word of its own)."""
        return any(word in self.token for word in words) or any(word in self.words for word in whole)

    def says(self, words) -> bool:
        """Whether the header holds one of `words`: a long word anywhere in it, a short one as a word of its own."""
        return self.named(words=[word for word in words if len(word) > SHORT],
                          whole=[word for word in words if len(word) <= SHORT])

    def share(self, test) -> float:
        """Share of the filled values passing `test`, testing each distinct value once."""
        if not self.distinct:
            return 0.0
        passing = self.counts[[bool(test(value)) for value in self.counts.index]]
        return float(passing.sum()) / self.filled_count

    def matching(self, pattern: re.Pattern) -> float:
        return self.share(lambda value: pattern.search(value) is not None)

    def counted(self, what: str = "values") -> str:
        rows = f"{self.rows:,} rows looked at" if self.sampled else f"{self.rows:,} rows"
        return f"{self.distinct:,} distinct {what} in {rows}"

    @cached_property
    def mean_words(self) -> float:
        return _weighted_mean(self.counts, lambda value: len(value.split()))

    @cached_property
    def mean_length(self) -> float:
        return _weighted_mean(self.counts, len)

    @cached_property
    def _dates(self) -> tuple[float, tuple[str, ...]]:
        # Numbers alone ("3000", "1-5", a ZIP read as an Excel day number) are not dates; a date has its separators.
        if self.matching(DATE_SHAPE) < 0.3:
            return 0.0, ()
        return _read_as_dates(self.values)

    @property
    def date_share(self) -> float:
        return self._dates[0]

    @property
    def either_way(self) -> tuple[str, ...]:
        """Dates that read as month/day and as day/month."""
        return self._dates[1]

    @cached_property
    def time_share(self) -> float:
        return self.matching(TIME_SHAPE)

    @cached_property
    def time_only_share(self) -> float:
        return self.matching(TIME_ONLY)

    @cached_property
    def numbers(self) -> pd.Series:
        return pd.to_numeric(self.values, errors="coerce").dropna()

    @property
    def number_share(self) -> float:
        return len(self.numbers) / self.filled_count if self.filled_count else 0.0

    @cached_property
    def degree_share(self) -> float:
        return self.matching(DECIMAL_DEGREES)

    @cached_property
    def point_share(self) -> float:
        return self.share(lambda value: PAREN_POINT.match(value) is not None or WKT_POINT.match(value) is not None)

    @cached_property
    def code_share(self) -> float:
        return self.matching(CODE_SHAPE)

    @cached_property
    def nfirs_share(self) -> float:
        return self.matching(NFIRS_SHAPE)

    @cached_property
    def parcel_share(self) -> float:
        return self.matching(PARCEL_SHAPE)

    @cached_property
    def zip_share(self) -> float:
        return self.matching(ZIP_SHAPE)

    @cached_property
    def integer_share(self) -> float:
        return self.matching(INTEGER_SHAPE)

    @cached_property
    def status_share(self) -> float:
        return self.share(lambda value: value.lower() in STATUS_VALUES)

    @cached_property
    def _addresses(self) -> tuple[float, float]:
        # Free text, numbers and dates are not addresses; normalising them only costs time.
        if (not self.distinct or self.mean_words > 10 or self.number_share > 0.8 or self.date_share > 0.5
                or self.point_share > 0.5):
            return 0.0, 0.0
        looked = self.counts.iloc[:ADDRESS_VALUES]
        kinds = pd.Series([_address_kind(value) for value in looked.index], index=looked.index)
        total = float(looked.sum())
        return float(looked[kinds == "address"].sum()) / total, float(looked[kinds == "street"].sum()) / total

    @property
    def address_share(self) -> float:
        """Share of values that are street addresses, blocks or intersections."""
        return self._addresses[0]

    @property
    def street_share(self) -> float:
        """Share of values that are a street name alone ("E Illinois Ave"), for an address split in two."""
        return self._addresses[1]

    @cached_property
    def is_row_counter(self) -> bool:
        """A portal's row number (OBJECTID, _id) or unnamed whole numbers numbering the rows densely."""
        if self.token in ROW_COUNTER_TOKENS or self.name.startswith("_"):
            return True
        if self.unique_share < 1 or self.distinct <= 2 or self.share(str.isdigit) < 1:
            return False
        numbers = self.values.astype("int64")
        return numbers.max() - numbers.min() + 1 <= 1.1 * self.file_rows

    @cached_property
    def category_like(self) -> bool:
        """Short values, several of them, repeating: what a call type or case type looks like."""
        return (self.distinct >= 2 and self.mean_words <= 8 and self.date_share < 0.5 and self.point_share < 0.5
                and (self.distinct <= 500 or self.unique_share <= 0.05))

    def vocabulary_share(self, department: str) -> float:
        """Share of values holding a word this department's records use (a call type, an NFIRS description)."""
        if department not in self._vocabulary:
            self._vocabulary[department] = self.matching(VOCABULARY[department]) if self.category_like else 0.0
        return self._vocabulary[department]


def _weighted_mean(counts: pd.Series, measure) -> float:
    if not len(counts):
        return 0.0
    measured = pd.Series([measure(value) for value in counts.index], index=counts.index)
    return float((measured * counts).sum() / counts.sum())


def _address_kind(value: str) -> str:
    """What one value is: "address" (a street address, block or intersection), "street" (a street alone) or ""."""
    address = normalize(value)
    street = address.street
    if address.kind == "block" and street.name:
        return "address"
    if address.kind == "intersection":
        # "Loud Music/Party" reads as two streets; real ones carry a street type or a direction.
        cross = address.cross_street
        return "address" if (street.type or street.predir or cross.type or cross.predir) else ""
    if address.kind != "address" or not re.search(r"[A-Z]", street.name):
        return ""
    marked = bool(street.type or street.predir or street.postdir)
    if address.number:
        # "38 - Meet Complainant" has a number and words; a street has a type or a direction too.
        return "address" if marked or address.unit_id or address.zip else ""
    return "street" if street.type else ""


def _read_as_dates(values: pd.Series) -> tuple[float, tuple[str, ...]]:
    """Share of the values that read as dates, and values whose day and month could be either way round."""
    dates = infer(values)
    if dates.ambiguous:
        # Either order reads as many of them; which one is the analyst's question, not whether they are dates.
        return float(infer(values, date_order="month_first").share), dates.examples
    return float(dates.share), ()


# --- one department's mapping -------------------------------------------------------------------

class _Draft:
    """The mapping as it grows: each column feeds at most one field."""

    def __init__(self):
        self.columns: dict[str, str] = {}
        self.guesses: dict[str, FieldGuess] = {}
        self.used: set[str] = set()

    def add(self, field: str, column: "_Column", why: str) -> None:
        self.columns[field] = column.name
        self.guesses[field] = FieldGuess(field, column.name, why)
        self.used.add(column.name)

    def drop(self, field: str) -> None:
        column = self.columns.pop(field)
        self.guesses.pop(field)
        self.used.discard(column)

    def has(self, *fields: str) -> bool:
        return any(field in self.columns for field in fields)


def _mapping(profiles: list[_Column], department_spec: DepartmentSpec | None) -> tuple[dict, list[FieldGuess]]:
    by_name = {column.name: column for column in profiles}
    draft = _Draft()
    by_spec: set[str] = set()
    if department_spec is not None:
        for field, header in department_spec.resolve(list(by_name)).items():
            column = by_name[header]
            if _fits(field, column):
                by_spec.add(field)
                draft.add(field, column, f"'{header}' is a {department_spec.label} name for "
                                         f"{CANONICAL_FIELDS.get(field, field)}")
        _time_holding_dates(draft, by_name, department_spec)
    department = department_spec.department if department_spec else None

    def free():
        return [column for column in profiles if column.name not in draft.used and column.filled_count]

    _guess(draft, "source_record_id", free(), _record_id)
    if not draft.has("occurred_at", "occurred_date"):
        _guess(draft, "occurred_at", free(), _occurred)
    _split_date_and_time(draft, by_name, free())
    _guess(draft, "closed_at", free(), _closed)
    _guess(draft, "address", free(), _address)
    _split_address(draft, by_name, free())
    _guess(draft, "status", free(), _status)
    _guess(draft, "category", free(), lambda column: _category(column, department))
    _guess(draft, "subcategory", [column for column in free() if _adds_to(draft, by_name, column)],
           lambda column: _category(column, department))
    _arrange_categories(draft, by_name, by_spec)
    _coordinates(draft, free)
    _guess(draft, "parcel_id", free(), _parcel)
    _guess(draft, CITY, free(), _city)
    _guess(draft, ZIP, free(), _zip)
    _guess(draft, "description", free(), _description)
    return draft.columns, list(draft.guesses.values())


def _guess(draft: _Draft, field: str, columns: list[_Column], score) -> None:
    """Give `field` the best-scoring column, when the field is open, known, and some column scores."""
    if field in draft.columns or field not in CANONICAL_FIELDS:
        return
    best = None
    for column in columns:
        scored = score(column)
        if scored is not None and (best is None or scored[0] > best[0]):
            best = (scored[0], column, scored[1])
    if best is not None:
        draft.add(field, best[1], best[2])


def _fits(field: str, column: _Column) -> bool:
    """Whether the values of a column a spec names for `field` can feed it."""
    if not column.filled_count:
        return False
    if field in ("occurred_at", "occurred_date", "closed_at"):
        return column.date_share >= 0.5
    if field == "address":
        return column.address_share >= 0.3 or column.street_share >= 0.3  # not a "Location" of "(lat, lon)"
    if field in (X, Y):
        # An "X" of -87.78 is a longitude, not a projected coordinate.
        return not (column.number_share >= 0.8 and column.numbers.abs().max() <= 180)
    if field in ("lat", "lon"):
        low, high = (-90, 90) if field == "lat" else (-180, 180)
        return column.number_share >= 0.8 and column.numbers.between(low, high).mean() >= 0.9
    if field in ("category", "subcategory"):
        return column.date_share < 0.5 and column.address_share < 0.5
    if field == "address_unit":
        # Most addresses have no apartment; a unit on nearly every row is a responding unit ("B791").
        return column.filled < 0.9
    if field == "description":
        # A short list of repeating values is a category, whatever its header says.
        return not (column.category_like and column.mean_words <= 4 and column.unique_share <= 0.1)
    return True


def _time_holding_dates(draft: _Draft, by_name: dict[str, _Column], department_spec: DepartmentSpec) -> None:
    # A spec's "Alarm Time" may hold whole date-times ("2016-04-21T05:01:04"): the date is there too.
    header = draft.columns.get("occurred_time")
    if header is None or draft.has("occurred_at", "occurred_date"):
        return
    column = by_name[header]
    if column.date_share >= 0.5 and column.time_only_share < 0.5:
        draft.drop("occurred_time")
        draft.add("occurred_at", column, f"'{header}' is a {department_spec.label} name for the time of day, "
                                         f"and {_percent(column.date_share)} of its values are whole dates and times")


def _record_id(column: _Column):
    if column.filled < 0.9 or column.date_share >= 0.5 or column.point_share >= 0.5 or column.degree_share >= 0.5:
        return None
    if column.address_share >= 0.3 or column.mean_words > 4:
        return None
    named = column.named(whole=ID_WORDS) or (column.token.endswith("id") and len(column.token) > 2) \
        or column.token.endswith(("number", "num", "nbr")) or "#" in column.name
    about_record = column.says(RECORD_WORDS)
    elsewhere = column.says(NOT_RECORD_WORDS)
    unique = column.unique_share >= 0.98
    if not unique and not (named and column.unique_share >= 0.3):
        return None
    score = (2 if named else 0) + (1 if about_record else 0) - (3 if elsewhere else 0)
    score += 2 if unique else 1
    score += column.unique_share / 10  # between equals, the one that repeats least
    if column.is_row_counter and not (named and about_record):
        score -= 2
    if unique:
        looked = " rows looked at" if column.sampled else ""
        why = f"every value is unique ({column.distinct:,} of {column.filled_count:,}{looked})"
        if column.is_row_counter and not (named and about_record):
            why += "; it looks like a row counter, so a named case or incident number would be better"
    else:
        why = (f"named like an id; {column.counted()} (several rows per record)")
    return score, why


def _occurred(column: _Column):
    share = column.date_share
    if share < 0.5 or column.filled < 0.5 or column.time_only_share >= 0.5:
        return None
    start = column.says(START_WORDS)
    dated = column.says(DATE_WORDS)
    ended = column.says(END_WORDS)
    score = 2 * share * column.filled + (2 if start else 1 if dated else 0) - (3 if ended else 0)
    if start and not ended:
        how = "; named like when it began"
    elif ended:
        how = "; though named like when it ended, it is the best date there is"
    else:
        how = ""
    if column.either_way:
        how += f"; whether {column.either_way[0]} is month/day or day/month is for you to say"
    return score, f"{_percent(share)} read as dates{how}"


def _closed(column: _Column):
    if column.date_share < 0.5 or column.time_only_share >= 0.5:
        return None
    weight = max((weight for word, weight in CLOSED_WORDS if word in column.token), default=0)
    if not weight:
        return None
    return weight + column.date_share, f"{_percent(column.date_share)} read as dates; named like when it was closed"


def _address(column: _Column):
    share = column.address_share
    if share < 0.3:
        return None
    named = column.says(ADDRESS_WORDS)
    elsewhere = column.says(NOT_ADDRESS_WORDS)
    score = 3 * share * column.filled + (1 if named else 0) - (3 if elsewhere else 0)
    return score, f"{_percent(share)} look like street addresses, blocks or intersections"


def _split_address(draft: _Draft, by_name: dict[str, _Column], free: list[_Column]) -> None:
    """A house or block number in one column and the street in another (Dallas: `block` + `location`)."""
    if draft.has(ADDRESS_BLOCK, "address_number"):
        return
    street_field = next((field for field in ("address", "address_street") if field in draft.columns), None)
    if street_field is None:
        streets = [column for column in free if column.street_share >= 0.5
                   and not column.named(words=("cross", "intersection", "school", "park"))]
        if not streets:
            return
        street = max(streets, key=lambda column: column.street_share * column.filled
                     + column.says(ADDRESS_WORDS))
    else:
        street = by_name[draft.columns[street_field]]
        if street.address_share >= 0.3 or street.street_share < 0.5:
            return
    numbers = [column for column in free if column.name != street.name and column.integer_share >= 0.8
               and column.says(NUMBER_WORDS)
               and not column.named(words=("phone", "zip", "unit", "incident", "case", "call", "apt"))]
    number = max(numbers, key=lambda column: column.filled, default=None)
    if number is None:
        if street_field is None:
            draft.add("address", street, f"{_percent(street.street_share)} are street names without house numbers")
        return
    if street_field is not None:
        draft.drop(street_field)
    hundreds = float(number.numbers.astype("int64").mod(100).eq(0).mean()) if len(number.numbers) else 0.0
    if number.says(BLOCK_WORDS) or hundreds >= 0.9:
        if ADDRESS_BLOCK in CANONICAL_FIELDS:
            draft.add(ADDRESS_BLOCK, number, f"hundred-block numbers ({_percent(hundreds)} end in 00) "
                                             f"for the street in '{street.name}'")
            draft.add("address", street, f"{_percent(street.street_share)} are street names; "
                                         f"the block number is in '{number.name}'")
        else:
            # A hundred-block number joined to the street would read as one house; the street alone is safer.
            draft.add("address", street, f"{_percent(street.street_share)} are street names; '{number.name}' holds "
                                         f"hundred-block numbers, which this dashboard cannot take as a field yet")
        return
    draft.add("address_number", number, f"house numbers for the street in '{street.name}'")
    draft.add("address_street", street, f"{_percent(street.street_share)} are street names; "
                                         f"the house number is in '{number.name}'")


def _status(column: _Column):
    if column.date_share >= 0.5 or column.mean_words > 5 or column.address_share >= 0.3:
        return None
    named = column.named(words=STATUS_WORDS) and not column.named(words=NOT_STATUS_WORDS)
    share = column.status_share
    if share >= 0.6:
        examples = ", ".join(column.counts.index[:3])
        return 2 * share + (2 if named else 0), f"values like {examples}"
    if named and column.distinct <= 50 and column.number_share < 0.5:
        return 1.5, f"named like a status; {column.counted()}"
    return None


def _category(column: _Column, department: str | None):
    if column.filled < 0.3 or not column.category_like or column.address_share >= 0.3:
        return None
    if column.status_share >= 0.6 or column.mean_length > 60:
        return None
    coded = column.nfirs_share >= 0.8 and column.named(words=("type", "code", "nfirs", "incident"))
    if (column.number_share > 0.9 or column.mean_length < 2.5) and not coded:
        return None  # counts, priorities and one-letter flags
    if column.rows >= 50 and column.unique_share > 0.5:
        return None
    strong = [word for word in CATEGORY_WORDS if word in column.token]
    hints = [word for word in CATEGORY_HINTS if word in column.token]
    elsewhere = column.says(NOT_CATEGORY_WORDS)
    score = min(3 * len(strong) + len(hints), 6) - (4 if elsewhere else 0)
    if department is not None:
        vocabulary = column.vocabulary_share(department)
    else:
        vocabulary = max(column.vocabulary_share(name) for name in DEPARTMENT_VALUE_WORDS)
    score += 3 * vocabulary
    if column.code_share >= 0.8 and not coded:
        score -= 1
    if column.distinct <= 2:
        score -= 2  # a yes/no flag, not a kind of call or case
    if column.unique_share <= 0.05 or column.distinct <= 30:
        score += 0.5
    score += column.filled / 2
    if score < 1.5:
        return None
    if strong:
        named = f"named like {CATEGORY_WORDS[strong[0]]}; "
    elif vocabulary >= 0.3:
        named = f"{_percent(vocabulary)} of its values are like {_examples(column)}; "
    else:
        named = ""
    return score, f"{named}{column.counted()}"


def _adds_to(draft: _Draft, by_name: dict[str, _Column], column: _Column) -> bool:
    """Whether a second category column says more than the first, rather than the same thing renamed."""
    header = draft.columns.get("category")
    if header is None:
        return False
    first = by_name[header]
    if _one_to_one(first, column):
        return first.code_share >= 0.8 and column.code_share < 0.5 or column.code_share >= 0.8 > first.code_share
    return True


def _one_to_one(first: _Column, second: _Column) -> bool:
    pairs = pd.DataFrame({"a": first.values, "b": second.values}).dropna()
    if pairs.empty:
        return False
    a, b, both = pairs["a"].nunique(), pairs["b"].nunique(), len(pairs.drop_duplicates())
    return both <= 1.05 * max(a, b) and min(a, b) >= 0.9 * max(a, b)


def _determines(fine: _Column, coarse: _Column) -> bool:
    """Whether each value of `fine` goes with one value of `coarse` (a topic within its category)."""
    pairs = pd.DataFrame({"fine": fine.values, "coarse": coarse.values}).dropna()
    if pairs.empty:
        return False
    commonest = pairs.groupby(["fine", "coarse"]).size().groupby(level=0).max()
    return commonest.sum() >= 0.95 * len(pairs)


def _arrange_categories(draft: _Draft, by_name: dict[str, _Column], by_spec: set[str]) -> None:
    """The description of a code as the category and the code as its sub-type; the coarser of two as the category."""
    if not draft.has("category") or not draft.has("subcategory"):
        return
    if by_spec.issuperset(("category", "subcategory")):
        return  # the spec's names say which is which
    category, subcategory = by_name[draft.columns["category"]], by_name[draft.columns["subcategory"]]
    code_first = category.code_share >= 0.8 and subcategory.code_share < 0.5
    coarser_second = subcategory.distinct < category.distinct and _determines(category, subcategory) \
        and not subcategory.code_share >= 0.8
    if code_first or coarser_second:
        category_why, subcategory_why = draft.guesses["category"].why, draft.guesses["subcategory"].why
        draft.drop("category")
        draft.drop("subcategory")
        reason = "the words for the codes" if code_first else "the coarser grouping"
        draft.add("category", subcategory, f"{subcategory_why}; {reason} in '{category.name}'")
        draft.add("subcategory", category, category_why)


def _split_date_and_time(draft: _Draft, by_name: dict[str, _Column], free: list[_Column]) -> None:
    # Dates without times beside a column of times of day: the two halves of one moment.
    header = draft.columns.get("occurred_at")
    if header is None or by_name[header].time_share >= 0.5:
        return
    times = [column for column in free if column.time_only_share >= 0.8 and column.named(words=("time", "hour"))]
    if times:
        date = by_name[header]
        why = draft.guesses["occurred_at"].why
        draft.drop("occurred_at")
        draft.add("occurred_date", date, why)
        draft.add("occurred_time", times[0], f"{_percent(times[0].time_only_share)} are times of day")


def _coordinates(draft: _Draft, free) -> None:
    _guess(draft, "lat", free(), lambda column: _degrees(column, LAT_WORDS, -90, 90, 15, 72, "latitude"))
    _guess(draft, "lon", free(), lambda column: _degrees(column, LON_WORDS, -180, 180, -180, -60, "longitude"))
    if not (draft.has("lat") and draft.has("lon")):
        _guess(draft, POINT, free(), _point)
    if not (draft.has("lat") and draft.has("lon")) and not draft.has(POINT):
        _guess(draft, X, free(), lambda column: _projected(column, X_WORDS, "x", "easting"))
        _guess(draft, Y, free(), lambda column: _projected(column, Y_WORDS, "y", "northing"))


def _degrees(column: _Column, words, low: float, high: float, usual_low: float, usual_high: float, what: str):
    if column.number_share < 0.9 or column.filled < 0.3:
        return None
    numbers = column.numbers[column.numbers != 0]
    if numbers.empty or not numbers.between(low, high).all():
        return None
    named = column.says(words)
    named = named or (what == "latitude" and column.named(whole=("y",))) or \
        (what == "longitude" and column.named(whole=("x",)))
    if named:
        return 3 + column.filled, f"numbers within {what} range, named like a {what}"
    # Unnamed: decimal degrees where a US city lies (north latitude, west longitude).
    if column.degree_share >= 0.9 and numbers.between(usual_low, usual_high).all():
        span = f"{numbers.min():g} to {numbers.max():g}"
        return 1 + column.filled, f"decimal degrees in the range of a US {what} ({span})"
    return None


def _point(column: _Column):
    if column.point_share < 0.8:
        return None
    example = column.counts.index[0]
    return column.point_share, f"{_percent(column.point_share)} hold coordinates as text, like {example}"


def _projected(column: _Column, words, axis: str, direction: str):
    if column.number_share < 0.9 or column.filled < 0.3:
        return None
    named = column.says(words)
    if not named or column.numbers.abs().median() <= 1000:
        return None
    low, high = column.numbers.min(), column.numbers.max()
    return 1 + column.filled, (f"numbers far larger than degrees ({low:,.0f} to {high:,.0f}): projected {axis} "
                               f"({direction}); the mapping needs their coordinate system")


def _parcel(column: _Column):
    if not column.says(PARCEL_WORDS):
        return None
    if column.parcel_share < 0.6:
        return None
    share = column.parcel_share
    return share, f"named like a parcel id; {_percent(share)} are 6 or more letters and digits"


def _city(column: _Column):
    if not column.named(whole=CITY_WORDS) or column.named(words=NOT_PLACE_WORDS) or column.filled < 0.3:
        return None
    if column.number_share > 0.2 or column.address_share >= 0.3 or not (column.distinct <= 50 or
                                                                          column.unique_share <= 0.05):
        return None
    return column.filled, f"named like a city; {column.counted('places')}"


def _zip(column: _Column):
    if not column.named(words=ZIP_WORDS) or column.named(words=NOT_PLACE_WORDS):
        return None
    last = sorted(column.words, key=column.name.lower().rfind)[-1] if column.words else ""
    if last.endswith("s") and last != "postcodes":
        # "Zip Codes" in a portal export is a region number the portal added, not the ZIP.
        return None
    if column.zip_share < 0.8:
        return None
    return column.zip_share * column.filled, f"named like a ZIP; {_percent(column.zip_share)} are five-digit ZIPs"


def _description(column: _Column):
    if not column.named(words=DESCRIPTION_WORDS) or column.named(words=NOT_DESCRIPTION_WORDS):
        return None
    if column.mean_words < 3 and column.unique_share < 0.5:
        return None
    return column.mean_words, f"free text ({column.mean_words:.0f} words on average)"


# --- which department -----------------------------------------------------------------------------

def _evidence(profiles: list[_Column], department_spec: DepartmentSpec, columns: dict[str, str]):
    """How strongly the file looks like this department's, with the reasons a person would give."""
    department = department_spec.department
    weight, reasons = 0.0, []
    header_words = DEPARTMENT_HEADER_WORDS[department]
    found = {}
    for column in profiles:
        if column.named(words=GEOGRAPHY_WORDS):
            continue
        for word, value in header_words.items():
            if word in column.token and word not in found:
                found[word] = (value, column.name)
    if found:
        weight += sum(value for value, _ in found.values())
        named = sorted({column for _, column in found.values()})
        reasons.append(f"columns named like a {department_spec.label} extract: {', '.join(named[:4])}")
    best = max(profiles, key=lambda column: column.vocabulary_share(department), default=None)
    if best is not None and best.vocabulary_share(department) >= 0.2:
        share = best.vocabulary_share(department)
        weight += 4 * share
        reasons.append(f"'{best.name}' holds values like {_examples(best, department)} ({_percent(share)})")
    if department == "fire":
        coded = [column for column in profiles if column.nfirs_share >= 0.8
                 and column.named(words=("type", "code", "nfirs", "incident"))]
        if coded:
            weight += 3
            reasons.append(f"'{coded[0].name}' holds NFIRS incident type codes")
    own = [header for field, header in columns.items() if _only_this_spec_names(department_spec, field, header)]
    if own:
        weight += len(own)
        reasons.append(f"names only the {department_spec.label} spec uses: {', '.join(own[:3])}")
    return weight, reasons


def _only_this_spec_names(department_spec: DepartmentSpec, field: str, header: str) -> bool:
    """Whether the header is this spec's name for `field` and no other spec's name for anything."""
    if field in EVIDENCE_FIELDS_SKIPPED:
        return False
    token = header_token(header)
    if token not in {header_token(synonym) for synonym in department_spec.fields.get(field, ())}:
        return False
    return not any(token == header_token(synonym) for other in specs().values() if other is not department_spec
                   for synonyms in other.fields.values() for synonym in synonyms)


def _examples(column: _Column, department: str | None = None) -> str:
    if department is None:
        department = max(VOCABULARY, key=column.vocabulary_share)
    fitting = [value for value in column.counts.index if VOCABULARY[department].search(value)]
    return ", ".join((fitting or list(column.counts.index))[:2])


def _percent(share: float) -> str:
    percent = share * 100
    if 99 < percent < 100:
        return "99%"
    return f"{percent:.0f}%"
