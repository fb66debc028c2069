"""normalize(): one line per real-world spelling, plus the promises the matcher relies on."""

import dataclasses
import decimal

import pytest

from integration import normalize as package_normalize
from integration.address import Address, Street, normalize, normalize_parts

STREET_FIELDS = {"predir", "name", "type", "postdir"}


def case(text, kind, key, **fields):
    return pytest.param(text, kind, key, fields, id=repr(text))


def check(address, kind, key, fields):
    assert (address.kind, address.key) == (kind, key)
    for field, expected in fields.items():
        if field in STREET_FIELDS:
            actual = getattr(address.street, field)
        elif field == "cross":
            actual = address.cross_street.key
        else:
            actual = getattr(address, field)
        assert actual == expected, f"{field}: {actual!r} != {expected!r}"


CASES = [
    # --- suffix spellings -------------------------------------------------------------------
    case("1500 N MAIN ST", "address", "1500 N MAIN ST", number="1500", predir="N", name="MAIN", type="ST"),
    case("1500 N Main Street", "address", "1500 N MAIN ST", type="ST"),
    case("1500 N Main Str.", "address", "1500 N MAIN ST", type="ST"),
    case("1500 N Main St.", "address", "1500 N MAIN ST", type="ST"),
    case("1500 N Main St", "address", "1500 N MAIN ST", type="ST"),
    case("1500 N MAIN STRT", "address", "1500 N MAIN ST", type="ST"),
    case("1500 n. main st.", "address", "1500 N MAIN ST"),
    case("  1500   N   MAIN    ST  ", "address", "1500 N MAIN ST"),
    case("1500 N MAIN ST.,", "address", "1500 N MAIN ST"),
    case("220 COLLEGE AVENUE", "address", "220 COLLEGE AVE", type="AVE"),
    case("220 College Ave", "address", "220 COLLEGE AVE", type="AVE"),
    case("220 College Av", "address", "220 COLLEGE AVE", type="AVE"),
    case("220 COLLEGE AVN", "address", "220 COLLEGE AVE", type="AVE"),
    case("220 College Ave.", "address", "220 COLLEGE AVE", type="AVE"),
    case("900 WASHINGTON BOULEVARD", "address", "900 WASHINGTON BLVD", type="BLVD"),
    case("900 Washington Blvd.", "address", "900 WASHINGTON BLVD", type="BLVD"),
    case("900 WASHINGTON BOUL", "address", "900 WASHINGTON BLVD", type="BLVD"),
    case("45 OAK DRIVE", "address", "45 OAK DR", type="DR"),
    case("45 Oak Dr.", "address", "45 OAK DR", type="DR"),
    case("12 ELM COURT", "address", "12 ELM CT", type="CT"),
    case("12 Elm Ct", "address", "12 ELM CT", type="CT"),
    case("8 PINE PLACE", "address", "8 PINE PL", type="PL"),
    case("3100 SPRING ROAD", "address", "3100 SPRING RD", type="RD"),
    case("77 CHERRY LANE", "address", "77 CHERRY LN", type="LN"),
    case("1 LAKESIDE PARKWAY", "address", "1 LAKESIDE PKWY", type="PKWY"),
    case("1 Lakeside Pkwy", "address", "1 LAKESIDE PKWY", type="PKWY"),
    case("5 MAPLE CIRCLE", "address", "5 MAPLE CIR", type="CIR"),
    case("5 Maple Cir.", "address", "5 MAPLE CIR", type="CIR"),
    case("9 HILL TERRACE", "address", "9 HILL TER", type="TER"),
    case("9 Hill Terr", "address", "9 HILL TER", type="TER"),
    case("40 PARK WAY", "address", "40 PARK WAY", name="PARK", type="WAY"),
    case("2200 NORTHWESTERN HIGHWAY", "address", "2200 NORTHWESTERN HWY", type="HWY"),
    case("6 FOX TRAIL", "address", "6 FOX TRL", type="TRL"),
    case("10 RIVER PLAZA", "address", "10 RIVER PLZ", type="PLZ"),
    case("10 Harbor Square", "address", "10 HARBOR SQ", type="SQ"),
    case("10 Kingsway Crossing", "address", "10 KINGSWAY XING", type="XING"),
    # --- directions, and direction words that are the street name -----------------------------
    case("1500 NORTH MAIN STREET", "address", "1500 N MAIN ST", predir="N"),
    case("1500 No Main St", "address", "1500 N MAIN ST", predir="N"),
    case("1500 N. Main St", "address", "1500 N MAIN ST", predir="N"),
    case("15 NE 4TH ST", "address", "15 NE 4TH ST", predir="NE", name="4TH"),
    case("15 Northeast 4th Street", "address", "15 NE 4TH ST", predir="NE"),
    case("15 N.E. 4th St.", "address", "15 NE 4TH ST", predir="NE"),
    case("15 SOUTHWEST 4TH ST", "address", "15 SW 4TH ST", predir="SW"),
    case("431 MARIETTA ST NW", "address", "431 MARIETTA ST NW", postdir="NW"),
    case("431 Marietta Street Northwest", "address", "431 MARIETTA ST NW", postdir="NW"),
    case("123 MAIN ST NORTH", "address", "123 MAIN ST N", postdir="N"),
    case("123 SOUTH ST", "address", "123 SOUTH ST", predir="", name="SOUTH", type="ST"),
    case("123 E ST", "address", "123 E ST", predir="", name="E", type="ST"),
    case("123 NORTH AVE", "address", "123 NORTH AVE", predir="", name="NORTH", type="AVE"),
    case("123 N NORTH AVE", "address", "123 N NORTH AVE", predir="N", name="NORTH", type="AVE"),
    case("1852 W NORTH AVE", "address", "1852 W NORTH AVE", predir="W", name="NORTH"),
    case("123 W WEST ST", "address", "123 W WEST ST", predir="W", name="WEST"),
    case("813 W LAKE", "address", "813 W LAKE", predir="W", name="LAKE", type=""),
    case("641 S ST NW", "address", "641 S ST NW", predir="", name="S", type="ST", postdir="NW"),
    case("4925 N BROADWAY", "address", "4925 N BROADWAY", predir="N", name="BROADWAY", type=""),
    case("2300 N LINCOLN PARK WEST", "address", "2300 N LINCOLN PARK W", postdir="W"),
    case("3419 SAINT JOHN W ST", "address", "3419 SAINT JOHN ST W", name="SAINT JOHN", postdir="W"),
    case("9273 S SOUTH CHICAGO AVE", "address", "9273 S SOUTH CHICAGO AVE", predir="S", name="SOUTH CHICAGO"),
    # --- SAINT / MOUNT / FORT in names ------------------------------------------------------------
    case("100 ST PAUL AVE", "address", "100 SAINT PAUL AVE", name="SAINT PAUL", type="AVE"),
    case("100 Saint Paul Ave", "address", "100 SAINT PAUL AVE", name="SAINT PAUL"),
    case("100 St. Paul Avenue", "address", "100 SAINT PAUL AVE", name="SAINT PAUL"),
    case("100 ST PAUL ST", "address", "100 SAINT PAUL ST", name="SAINT PAUL", type="ST"),
    case("100 N ST PAUL AVE", "address", "100 N SAINT PAUL AVE", predir="N", name="SAINT PAUL"),
    # a street is never a lone direction: the "city" usaddress sees after it is the street's name
    case("1070 W St Paul", "address", "1070 W SAINT PAUL", predir="W", name="SAINT PAUL", city=""),
    case("116-118 E ST PAUL", "address", "116-118 E SAINT PAUL", number="116", number_high="118"),
    case("123 MAIN ST ST PAUL MN", "address", "123 MAIN ST", city="SAINT PAUL", state="MN"),
    case("100 MT PLEASANT ST", "address", "100 MOUNT PLEASANT ST", name="MOUNT PLEASANT"),
    case("100 Mt. Pleasant St", "address", "100 MOUNT PLEASANT ST", name="MOUNT PLEASANT"),
    case("100 MOUNT PLEASANT STREET", "address", "100 MOUNT PLEASANT ST", name="MOUNT PLEASANT"),
    case("100 FT WAYNE AVE", "address", "100 FORT WAYNE AVE", name="FORT WAYNE"),
    # --- ordinals ---------------------------------------------------------------------------------
    case("123 FIFTH AVE", "address", "123 5TH AVE", name="5TH"),
    case("123 Fifth Avenue", "address", "123 5TH AVE", name="5TH"),
    case("123 5TH AVE", "address", "123 5TH AVE", name="5TH"),
    case("123 5th Ave", "address", "123 5TH AVE", name="5TH"),
    case("123 5 AVE", "address", "123 5TH AVE", name="5TH"),
    case("123 5 ST", "address", "123 5TH ST", name="5TH", type="ST"),
    case("210 TWENTY-FIRST ST", "address", "210 21ST ST", name="21ST"),
    case("210 TWENTY FIRST STREET", "address", "210 21ST ST", name="21ST"),
    case("210 21ST ST", "address", "210 21ST ST", name="21ST"),
    case("210 21 ST", "address", "210 21ST ST", name="21ST", type="ST"),
    case("210 21 ST ST", "address", "210 21ST ST", name="21ST", type="ST"),
    case("210 21th St", "address", "210 21ST ST", name="21ST"),
    case("21 ST", "address", "21ST", number="", name="21ST", type=""),
    case("100 W 5 ST", "address", "100 W 5TH ST", predir="W", name="5TH"),
    case("50 ELEVENTH ST", "address", "50 11TH ST", name="11TH"),
    case("50 ONE HUNDREDTH ST", "address", "50 ONE HUNDREDTH ST"),
    case("2211 W 18th PL", "address", "2211 W 18TH PL", name="18TH", type="PL"),
    # --- house numbers: ranges, fractions, letters --------------------------------------------------
    case("1500-1504 N MAIN ST", "address", "1500-1504 N MAIN ST", number="1500", number_high="1504"),
    case("919-21 MAIN ST", "address", "919-921 MAIN ST", number="919", number_high="921"),
    case("919 - 921 MAIN ST", "address", "919-921 MAIN ST", number="919", number_high="921"),
    case("560-560A MAIN ST", "address", "560-560A MAIN ST", number="560", number_suffix="", number_high="560A"),
    case("5242 -5250 N NORTHWEST HWY", "address", "5242-5250 N NORTHWEST HWY", number="5242", number_high="5250"),
    case("753- 755 W 32ND ST", "address", "753-755 W 32ND ST", number="753", number_high="755"),
    case("2601-2603 N MILWAUKEE", "address", "2601-2603 N MILWAUKEE", number="2601", number_high="2603", name="MILWAUKEE"),
    case("1200-02 W WEBSTER AVE", "address", "1200-1202 W WEBSTER AVE", number_high="1202"),
    case("123 & 125 MAIN ST", "address", "123-125 MAIN ST", number="123", number_high="125"),
    case("123-2 MAIN ST", "address", "123 MAIN ST # 2", number="123", number_high="", unit_type="#", unit_id="2"),
    case("12 1/2 MAIN ST", "address", "12 1/2 MAIN ST", number="12", fraction="1/2"),
    case("537½ MAIN ST", "address", "537 1/2 MAIN ST", number="537", fraction="1/2"),
    case("537 ½ MAIN ST", "address", "537 1/2 MAIN ST", number="537", fraction="1/2"),
    case("12-1/2 MAIN ST", "address", "12 1/2 MAIN ST", number="12", fraction="1/2"),
    case("1008 1/2 W IRVING PARK RD", "address", "1008 1/2 W IRVING PARK RD", fraction="1/2", name="IRVING PARK"),
    case("123A MAIN ST", "address", "123A MAIN ST", number="123", number_suffix="A"),
    case("123 A MAIN ST", "address", "123A MAIN ST", number="123", number_suffix="A"),
    case("123-A MAIN ST", "address", "123A MAIN ST", number="123", number_suffix="A"),
    case("2247B N MILWAUKEE AVE", "address", "2247B N MILWAUKEE AVE", number_suffix="B", predir="N"),
    case("123 A ST", "address", "123 A ST", number="123", number_suffix="", name="A"),
    case("1401 H ST NW", "address", "1401 H ST NW", number_suffix="", name="H", postdir="NW"),
    case("123 N MAIN", "address", "123 N MAIN", number_suffix="", predir="N", name="MAIN"),
    case("123N MAIN ST", "address", "123 N MAIN ST", number="123", predir="N"),
    case("0123 MAIN ST", "address", "123 MAIN ST", number="123"),
    case("N165 W2123 TARTAN CT", "address", "N165W2123 TARTAN CT", number="N165W2123", name="TARTAN"),
    case("One S Dearborn St", "address", "1 S DEARBORN ST", number="1"),
    case("100 SEVEN MILE RD", "address", "100 SEVEN MILE RD", name="SEVEN MILE"),
    # --- routes -------------------------------------------------------------------------------------
    case("10500 S AVENUE M", "address", "10500 S AVE M", predir="S", name="AVE M", type=""),
    case("1234 US HIGHWAY 50", "address", "1234 US HWY 50", name="US HWY 50"),
    case("100 HWY 20 E", "address", "100 HWY 20 E", name="HWY 20", postdir="E"),
    case("100 STATE ROUTE 20", "address", "100 STATE RTE 20", name="STATE RTE 20"),
    case("100 COUNTY ROAD K", "address", "100 COUNTY RD K", name="COUNTY RD K"),
    # --- units --------------------------------------------------------------------------------------
    case("123 MAIN ST APT 2", "address", "123 MAIN ST # 2", unit_type="APT", unit_id="2"),
    case("123 MAIN ST APT. 2B", "address", "123 MAIN ST # 2B", unit_type="APT", unit_id="2B"),
    case("123 MAIN ST APARTMENT 2", "address", "123 MAIN ST # 2", unit_type="APT", unit_id="2"),
    case("123 MAIN ST #3", "address", "123 MAIN ST # 3", unit_type="#", unit_id="3"),
    case("123 MAIN ST # 3", "address", "123 MAIN ST # 3", unit_type="#", unit_id="3"),
    case("123 MAIN ST APT #3", "address", "123 MAIN ST # 3", unit_type="APT", unit_id="3"),
    case("123 MAIN ST UNIT B", "address", "123 MAIN ST # B", unit_type="UNIT", unit_id="B"),
    case("123 MAIN ST STE 200", "address", "123 MAIN ST # 200", unit_type="STE", unit_id="200"),
    case("123 MAIN ST SUITE 200", "address", "123 MAIN ST # 200", unit_type="STE", unit_id="200"),
    case("123 MAIN ST SUITE100", "address", "123 MAIN ST # 100", unit_type="STE", unit_id="100"),
    case("123 MAIN ST RM 12", "address", "123 MAIN ST # 12", unit_type="RM", unit_id="12"),
    case("123 MAIN ST 2ND FL", "address", "123 MAIN ST FL 2", unit_type="FL", unit_id="2"),
    case("123 MAIN ST 2ND FLOOR", "address", "123 MAIN ST FL 2", unit_type="FL", unit_id="2"),
    case("123 MAIN ST FL 2", "address", "123 MAIN ST FL 2", unit_type="FL", unit_id="2"),
    case("123 MAIN ST FLOOR 2", "address", "123 MAIN ST FL 2", unit_type="FL", unit_id="2"),
    case("123 MAIN ST SECOND FLOOR", "address", "123 MAIN ST FL 2", unit_type="FL", unit_id="2"),
    case("123 MAIN ST, 2ND FLOOR", "address", "123 MAIN ST FL 2", unit_type="FL", unit_id="2"),
    case("123 MAIN ST 1STFL", "address", "123 MAIN ST FL 1", unit_type="FL", unit_id="1"),
    case("123 MAIN ST REAR", "address", "123 MAIN ST REAR", unit_type="REAR", unit_id=""),
    case("1412 HOLMES AVE UPPER", "address", "1412 HOLMES AVE UPPR", name="HOLMES", unit_type="UPPR"),
    case("1412 HOLMES AVE UPPR", "address", "1412 HOLMES AVE UPPR", unit_type="UPPR"),
    case("1412 HOLMES AVE LOWER", "address", "1412 HOLMES AVE LOWR", unit_type="LOWR"),
    case("1412 HOLMES AVE LOWR", "address", "1412 HOLMES AVE LOWR", unit_type="LOWR"),
    case("1412 Holmes Ave., Upper", "address", "1412 HOLMES AVE UPPR", unit_type="UPPR"),
    case("123 MAIN ST BSMT", "address", "123 MAIN ST BSMT", unit_type="BSMT"),
    case("123 MAIN ST FRONT", "address", "123 MAIN ST FRNT", unit_type="FRNT"),
    case("123 MAIN ST BLDG 3", "address", "123 MAIN ST BLDG 3", unit_type="BLDG", unit_id="3"),
    case("123 MAIN ST BLDG 3 APT 12", "address", "123 MAIN ST # 12", unit_type="APT", unit_id="12"),
    case("123 MAIN ST LOT 14", "address", "123 MAIN ST # 14", unit_type="LOT", unit_id="14"),
    case("123 MAIN ST TRLR 5", "address", "123 MAIN ST # 5", unit_type="TRLR", unit_id="5"),
    case("123 MAIN ST SPC 7", "address", "123 MAIN ST # 7", unit_type="SPC", unit_id="7"),
    case("123 MAIN ST PH", "address", "123 MAIN ST PH", unit_type="PH"),
    case("123 MAIN ST 2B", "address", "123 MAIN ST # 2B", unit_type="#", unit_id="2B"),
    case("123 MAIN ST, 2", "address", "123 MAIN ST # 2", unit_type="#", unit_id="2"),
    case("100 W RANDOLPH ST STE C-19", "address", "100 W RANDOLPH ST # C19", unit_id="C19"),
    case("841 W RANDOLPH ST FL", "address", "841 W RANDOLPH ST FL", unit_type="FL", unit_id=""),
    case("APT 2 123 MAIN ST", "address", "123 MAIN ST # 2", number="123", unit_type="APT", unit_id="2"),
    case("123 FRONT ST", "address", "123 FRONT ST", name="FRONT", unit_type=""),
    case("123 W FRONT ST", "address", "123 W FRONT ST", name="FRONT", unit_type=""),
    case("123 UPPER RIDGE RD", "address", "123 UPPER RIDGE RD", name="UPPER RIDGE", unit_type=""),
    case("123 MAIN ST 1/2", "address", "123 1/2 MAIN ST", fraction="1/2"),
    # --- block forms --------------------------------------------------------------------------------
    case("1200 BLOCK OF MAIN ST", "block", "1200 BLOCK MAIN ST", number="1200", name="MAIN"),
    case("1200 BLOCK MAIN ST", "block", "1200 BLOCK MAIN ST", number="1200"),
    case("1200 BLK MAIN ST", "block", "1200 BLOCK MAIN ST", number="1200"),
    case("1200 BLK OF MAIN ST", "block", "1200 BLOCK MAIN ST", number="1200"),
    case("12XX MAIN ST", "block", "1200 BLOCK MAIN ST", number="1200"),
    case("1XX MAIN ST", "block", "100 BLOCK MAIN ST", number="100"),
    case("1200-BLOCK MAIN ST", "block", "1200 BLOCK MAIN ST", number="1200"),
    case("1200 BLOCK N MAIN", "block", "1200 BLOCK N MAIN", number="1200", predir="N", name="MAIN"),
    case("1234 BLOCK MAIN ST", "block", "1200 BLOCK MAIN ST", number="1200"),
    case("1200 blk of North Main Street", "block", "1200 BLOCK N MAIN ST", number="1200"),
    case("00 BLOCK W 6TH ST", "block", "0 BLOCK W 6TH ST", number="0"),
    # --- ranges written with a space, and a number written twice (Pittsburgh parcel files) ---------
    case("1249 51 VOSKAMP ST", "address", "1249-1251 VOSKAMP ST", number="1249", number_high="1251"),
    case("0035 37 ORMOND WAY", "address", "35-37 ORMOND WAY", number="35", number_high="37"),
    case("0334 38 E MEYERS AVE", "address", "334-338 E MEYERS AVE", predir="E"),
    case("2112 38 METCALF ST", "address", "2112-2138 METCALF ST"),
    case("5125 31 2ND AVE", "address", "5125-5131 2ND AVE"),
    case("7219 5 FOREST WY", "address", "7219 FOREST WAY # 5"),
    case("86 88 PARK AVE", "address", "86-88 PARK AVE", name="PARK"),
    case("214 214 LANGLEY AVE", "address", "214 LANGLEY AVE"),
    case("214\n214 LANGLEY AVE", "address", "214 LANGLEY AVE"),
    case("1805 CLIFF ST\nPITTSBURGH PA 15219", "address", "1805 CLIFF ST", city="PITTSBURGH", zip="15219"),
    case("123 21 ST PITTSBURGH PA", "address", "123 21ST ST", city="PITTSBURGH"),
    case("100 5 MILE RD", "address", "100 5 MILE RD"),
    case("19121/2 LITHGOW AVE", "address", "1912 1/2 LITHGOW AVE", fraction="1/2"),
    case("2235 FEDERAL STREET EXT", "address", "2235 FEDERAL ST EXT"),
    # --- intersections ------------------------------------------------------------------------------
    case("MAIN ST & 5TH AVE", "intersection", "5TH AVE & MAIN ST", name="MAIN", cross="5TH AVE"),
    case("5TH AVE / MAIN ST", "intersection", "5TH AVE & MAIN ST", name="5TH", cross="MAIN ST"),
    case("MAIN / 5TH", "intersection", "5TH & MAIN"),
    case("MAIN AND 5TH", "intersection", "5TH & MAIN"),
    case("MAIN AT 5TH", "intersection", "5TH & MAIN"),
    case("MAIN @ 5TH", "intersection", "5TH & MAIN"),
    case("INTERSECTION OF MAIN ST & 5TH AVE", "intersection", "5TH AVE & MAIN ST"),
    case("Intersection of Main St and Fifth Ave", "intersection", "5TH AVE & MAIN ST"),
    case("CORNER OF MAIN AND 5TH", "intersection", "5TH & MAIN"),
    case("A ST/B AVE", "intersection", "A ST & B AVE", name="A", type="ST", cross="B AVE"),
    case("N MAIN ST & E 5TH AVE", "intersection", "E 5TH AVE & N MAIN ST"),
    case("MAIN ST & 5TH AVE, RACINE, WI 53403", "intersection", "5TH AVE & MAIN ST", city="RACINE", state="WI", zip="53403"),
    case("DOUGLAS AVE & ST PATRICK ST", "intersection", "DOUGLAS AVE & SAINT PATRICK ST"),
    case("123 MAIN ST & 5TH AVE", "address", "123 MAIN ST", number="123", cross="5TH AVE"),
    case("1200 BLOCK MAIN ST / 5TH AVE", "block", "1200 BLOCK MAIN ST", cross="5TH AVE"),
    case("514 PEACE & PLENTY LANE", "address", "514 PEACE AND PLENTY LN", name="PEACE AND PLENTY"),
    case("1ST AND MT PLEASANT", "intersection", "1ST & MOUNT PLEASANT"),  # not "AND MT # 1"
    case("5TH ST AND S OAK ST", "intersection", "5TH ST & S OAK ST"),  # not 5TH SAINT
    case("1ST AVE AND MT PLEASANT RD", "intersection", "1ST AVE & MOUNT PLEASANT RD"),
    case("KINCAID at HOWLEY STREET 15214", "intersection", "HOWLEY ST & KINCAID", zip="15214"),
    case("ELBA ST / BRADDOCK N 15208", "intersection", "BRADDOCK N & ELBA ST", zip="15208"),
    case("Rising Main Av @ Davenport St 15208", "intersection", "DAVENPORT ST & RISING MAIN AVE"),
    case("PERRYSVILLE & PENN AVE INTERSECTION OVERBROOK", "intersection", "PENN AVE & PERRYSVILLE",
         city="OVERBROOK"),
    case("RESERVOIR DR & N HIGHLAND A, PITTSBURGH PA 15206", "intersection", "N HIGHLAND A & RESERVOIR DR",
         city="PITTSBURGH", zip="15206"),
    case("5 STREET & HOYT STREET", "intersection", "5TH ST & HOYT ST"),
    case("4 PLACE & COURT STREET", "intersection", "4TH PL & COURT ST"),
    case("BLOCK 600 HOLLACE STREET 15233", "block", "600 BLOCK HOLLACE ST"),
    # --- city / state / ZIP tails --------------------------------------------------------------------
    case("123 Main St, Lakeport, WI 53403", "address", "123 MAIN ST", city="LAKEPORT", state="WI", zip="53403"),
    case("123 MAIN ST LAKEPORT WI", "address", "123 MAIN ST", city="LAKEPORT", state="WI"),
    case("123 MAIN ST LAKEPORT WI 53403", "address", "123 MAIN ST", city="LAKEPORT", state="WI", zip="53403"),
    case("123 Main St., Lakeport Wisconsin 53403-1234", "address", "123 MAIN ST", city="LAKEPORT", state="WI", zip="53403"),
    case("123 MAIN ST 53403", "address", "123 MAIN ST", city="", zip="53403"),
    case("58 Rostock St Bsmt 15218", "address", "58 ROSTOCK ST BSMT", city="", zip="15218"),
    case("1915 LITHGOW AVE 1ST FL 15227", "address", "1915 LITHGOW AVE FL 1", state="", zip="15227"),
    case("510 W STATION SQUARE Dr. 15232", "address", "510 W STATION SQUARE DR", city="", zip="15232"),
    case("6300-block stoebner wy 15214", "block", "6300 BLOCK STOEBNER WAY", state="", zip="15214"),
    case("25 First Street, 4th Floor, Cambridge, MA 1241", "address", "25 1ST ST FL 4", city="CAMBRIDGE",
         zip="01241"),
    case("1021 MAIN ST, STURTEVANT WI 53177", "address", "1021 MAIN ST", city="STURTEVANT", zip="53177"),
    case("123 MAIN ST, WEST SIDE", "address", "123 MAIN ST", city="WEST SIDE"),
    case("123 MAIN ST, WEST SIDE, RACINE, WI", "address", "123 MAIN ST", city="RACINE", state="WI"),
    case("123 MAIN ST, RACINE, WISCONSIN", "address", "123 MAIN ST", city="RACINE", state="WI"),
    case("123 Main St, Racine, WI, USA", "address", "123 MAIN ST", city="RACINE", state="WI"),
    case("123 MAIN ST PARK RIDGE IL", "address", "123 MAIN ST", city="PARK RIDGE", state="IL"),
    case("1044 LAKE SHORE BLVD EVANSTON IL", "address", "1044 LAKE SHORE BLVD", name="LAKE SHORE", city="EVANSTON"),
    case("200 MAIN ST ST PAUL MN 55101", "address", "200 MAIN ST", city="SAINT PAUL", state="MN"),
    case("200 MAIN ST, ST PAUL, MN 55101", "address", "200 MAIN ST", city="SAINT PAUL", state="MN"),
    case("123 MAIN ST MT PLEASANT WI 53403", "address", "123 MAIN ST", city="MOUNT PLEASANT", state="WI"),
    case("1234 Main Street Apt 5, Racine, WI 53403", "address", "1234 MAIN ST # 5", unit_id="5", city="RACINE"),
    case("123 MAIN ST STE 200 RACINE WI 53403", "address", "123 MAIN ST # 200", city="RACINE", zip="53403"),
    case("123 MAIN ST, APT 2, RACINE, WI 53403", "address", "123 MAIN ST # 2", city="RACINE"),
    case("1800 M St., NW Ste. 700, Washington, DC 20036", "address", "1800 M ST NW # 700", postdir="NW", unit_id="700", state="DC"),
    case("2010 N DAMEN AVE CHICAGO, IL 60647", "address", "2010 N DAMEN AVE", city="CHICAGO", state="IL", zip="60647"),
    case("905 W BELMONT CHICAGO, IL 60657", "address", "905 W BELMONT", name="BELMONT", city="CHICAGO"),
    case("9025 S Throop (1300W) CHICAGO, IL 60620", "address", "9025 S THROOP", name="THROOP", city="CHICAGO"),
    case("841 W RANDOLPH ST FL CHICAGO, IL 60607", "address", "841 W RANDOLPH ST FL", unit_type="FL", city="CHICAGO"),
    case("10500 S AVENUE M CHICAGO, IL 60617", "address", "10500 S AVE M", city="CHICAGO"),
    case("133 N WELLS ST IL", "address", "133 N WELLS ST", state="IL"),
    case("123 MAIN CT", "address", "123 MAIN CT", type="CT", state=""),
    case("123 MAIN ST NE", "address", "123 MAIN ST NE", postdir="NE", state=""),
    # --- multi-line, notes, names before the address ---------------------------------------------------
    case("ACME CORP\n123 MAIN ST\nRACINE WI 53403", "address", "123 MAIN ST", number="123", city="RACINE"),
    case("IFO 123 MAIN ST", "address", "123 MAIN ST"),
    case("NEAR 1200 BLOCK OF MAIN ST", "block", "1200 BLOCK MAIN ST"),
    case("1919 W TAYLOR ST (M/C 525) RM 128", "address", "1919 W TAYLOR ST # 128", unit_id="128"),
    # --- PO boxes and garbage ------------------------------------------------------------------------
    case("PO BOX 12", "po_box", "", number="12"),
    case("P.O. Box 12", "po_box", "", number="12"),
    case("P O BOX 12", "po_box", "", number="12"),
    case("POB 12", "po_box", "", number="12"),
    case("Post Office Box 12", "po_box", "", number="12"),
    case("PO BOX 12, RACINE, WI 53401", "po_box", "", city="RACINE", zip="53401"),
    case("", "empty", ""),
    case("   ", "empty", ""),
    case("UNKNOWN", "empty", ""),
    case("unknown", "empty", ""),
    case("N/A", "empty", ""),
    case("NA", "empty", ""),
    case("NULL", "empty", ""),
    case("CITYWIDE", "empty", ""),
    case("CITY WIDE", "empty", ""),
    case("VARIOUS", "empty", ""),
    case("VARIOUS LOCATIONS", "empty", ""),
    case("see notes", "empty", ""),
    case("SEE NARRATIVE", "empty", ""),
    case("-", "empty", ""),
    case("0", "empty", ""),
    case("???", "empty", ""),
    case("TBD", "empty", ""),
    case("123", "empty", ""),
]


@pytest.mark.parametrize(("text", "kind", "key", "fields"), CASES)
def test_normalize_table(text, kind, key, fields):
    check(normalize(text), kind, key, fields)


def test_the_table_is_large():
    assert len(CASES) >= 150


@pytest.mark.parametrize(
    ("text", "base_key", "key"),
    [
        ("1500 N MAIN ST APT 2", "1500 N MAIN ST", "1500 N MAIN ST # 2"),
        ("123A MAIN ST #4", "123A MAIN ST", "123A MAIN ST # 4"),
        ("12 1/2 MAIN ST UPPER", "12 1/2 MAIN ST", "12 1/2 MAIN ST UPPR"),
        ("1500-1504 N MAIN ST STE 3", "1500-1504 N MAIN ST", "1500-1504 N MAIN ST # 3"),
        ("841 W RANDOLPH ST 2ND FL", "841 W RANDOLPH ST", "841 W RANDOLPH ST FL 2"),
        ("1200 BLOCK N MAIN ST APT 2", "1200 BLOCK N MAIN ST", "1200 BLOCK N MAIN ST"),
        ("MAIN ST & 5TH AVE", "5TH AVE & MAIN ST", "5TH AVE & MAIN ST"),
        ("PO BOX 12", "", ""),
    ],
)
def test_base_key_drops_only_the_unit(text, base_key, key):
    address = normalize(text)
    assert (address.base_key, address.key) == (base_key, key)


# Every spelling in a group must give the same key.
SAME_KEY = [
    ["1500 N MAIN ST", "1500 North Main Street", "1500 n. main st.", "1500 N Main Str",
     " 1500  N  MAIN  ST ", "1500 N MAIN ST, RACINE, WI 53403", "1500 N MAIN STRT", "1500 NO MAIN ST"],
    ["1500 N MAIN ST APT 2", "1500 N MAIN ST #2", "1500 N MAIN ST # 2", "1500 N MAIN ST UNIT 2",
     "1500 N MAIN ST, APT. 2", "1500 N MAIN ST APARTMENT 2", "APT 2 1500 N MAIN ST", "1500 N MAIN ST STE 2"],
    ["100 ST PAUL AVE", "100 SAINT PAUL AVE", "100 St. Paul Avenue", "100 ST. PAUL AV"],
    ["123 5TH AVE", "123 FIFTH AVE", "123 5 AVE", "123 Fifth Avenue", "123 5th Av."],
    ["210 TWENTY-FIRST ST", "210 TWENTY FIRST STREET", "210 21ST ST", "210 21 ST", "210 21st St."],
    ["MAIN ST & 5TH AVE", "5TH AVE / MAIN ST", "MAIN ST AND 5TH AVE", "MAIN ST AT 5TH AVE",
     "MAIN ST @ 5TH AVE", "INTERSECTION OF MAIN ST & 5TH AVE", "CORNER OF MAIN STREET AND FIFTH AVENUE",
     "Main St/5th Ave", "5th Ave & Main St"],
    ["1200 BLOCK OF N MAIN ST", "1200 BLK N MAIN ST", "12XX N MAIN ST", "1200-BLOCK N MAIN ST",
     "1234 BLOCK N MAIN ST", "1200 blk of North Main Street"],
    ["841 W RANDOLPH ST 2ND FL", "841 W RANDOLPH ST FL 2", "841 W RANDOLPH ST FLOOR 2",
     "841 W RANDOLPH ST SECOND FLOOR", "841 W RANDOLPH ST, 2ND FLOOR"],
    ["1412 HOLMES AVE UPPER", "1412 HOLMES AVE UPPR", "1412 Holmes Ave., Upper", "1412 HOLMES AVENUE UPPER"],
    ["12 1/2 MAIN ST", "12½ MAIN ST", "12 ½ MAIN ST", "12-1/2 MAIN ST"],
    ["10 MT PLEASANT ST", "10 MOUNT PLEASANT STREET", "10 Mt. Pleasant St"],
    ["919-21 MAIN ST", "919-921 MAIN ST", "919 - 921 MAIN ST", "919 -921 MAIN ST"],
    ["15 NE 4TH ST", "15 N.E. 4TH ST", "15 NORTHEAST FOURTH STREET", "15 North East 4th St"],
]


@pytest.mark.parametrize("spellings", SAME_KEY, ids=lambda group: group[0])
def test_equivalent_spellings_share_a_key(spellings):
    keys = {text: normalize(text).key for text in spellings}
    assert len(set(keys.values())) == 1, keys
    assert next(iter(keys.values()))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("MAIN ST", "5TH AVE"),
        ("N MAIN ST", "E 5TH AVE"),
        ("DOUGLAS AVE", "ST PATRICK ST"),
        ("A ST", "B AVE"),
        ("HIGHWAY 20", "GREEN BAY RD"),
    ],
)
@pytest.mark.parametrize("separator", [" & ", " / ", " AND ", " AT ", " @ ", "/"])
def test_intersection_key_ignores_order(first, second, separator):
    one = normalize(first + separator + second)
    other = normalize(second + separator + first)
    assert one.kind == other.kind == "intersection"
    assert one.key == other.key
    streets = sorted(normalize("1 " + street).street.key for street in (first, second))
    assert one.key == " & ".join(streets)


HOSTILE = [
    None, 5, 5.0, 0, -1, float("nan"), float("inf"), decimal.Decimal("12.5"), True,
    "\x00", "\x00" * 50, "a" * 10_000, "1" * 10_000, "1 " * 5_000, "& " * 5_000, "😀🏠 123 Main St 🚒",
    "🏠", "!!!", "...", ",,,", "&&&", "///", "###", "---", "(((", ")))", "((()))", "\t\n\r",
    b"123 MAIN ST", b"\xff\xfe\x00", bytearray(b"12 ELM CT"), ["123 MAIN ST"], {"a": 1}, object(),
    "123 MAIN ST" + "\u0301" * 100, "１２３ ＭＡＩＮ ＳＴ", "1/2", "½", "# #", "APT", "BLOCK", "&",
    "PO BOX", "123-", "-123", "12XX", "XX", "1 - - 2 MAIN", "E4-5 MAIN", "N1 N2 N3", "1/2/3 MAIN",
    "123 MAIN ST " + "APT " * 200, "INTERSECTION OF", "CORNER OF &", "@ @ @", "0 0 0",
    "123 MAIN ST, , , ,", ", 123 MAIN ST", "123, MAIN ST", "AND", "AT AT", "ST ST ST ST",
]


@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: repr(v)[:40])
def test_never_raises(value):
    address = normalize(value)
    assert isinstance(address, Address)
    assert address.kind in {"address", "block", "intersection", "po_box", "empty"}
    assert isinstance(address.key, str) and isinstance(address.base_key, str)


@pytest.mark.parametrize("value", [None, float("nan"), "", "  ", "N/A", "<NA>"])
def test_blank_values_are_empty(value):
    address = normalize(value)
    assert (address.kind, address.key, address.street) == ("empty", "", Street())


def test_a_batch_with_bad_strings_runs_through():
    batch = ["123 MAIN ST", None, float("nan"), "\x00", "a" * 10_000, 7, "MAIN ST & 5TH AVE", b"\xff"]
    results = [normalize(value) for value in batch]
    assert [r.kind for r in results] == [
        "address", "empty", "empty", "empty", "empty", "empty", "intersection", "empty",
    ]


def test_raw_keeps_the_input():
    assert normalize("  123 Main St ").raw == "  123 Main St "
    assert normalize(b"12 ELM CT").raw == "12 ELM CT"


def test_addresses_are_frozen_hashable_values():
    address = normalize("123 MAIN ST APT 2")
    with pytest.raises(dataclasses.FrozenInstanceError):
        address.number = "124"  # type: ignore[misc]
    assert normalize("123 MAIN ST APT 2") == address
    assert len({address, normalize("123 MAIN ST APT 2")}) == 1
    assert not hasattr(address, "__dict__")
    assert Street(predir="N", name="MAIN", type="ST").key == "N MAIN ST"
    assert Street().key == ""


def test_package_reexports_normalize():
    assert package_normalize is normalize


def test_cities_hint_peels_a_place_without_a_comma():
    places = frozenset({"WEST SIDE", "Lakeport", "MOUNT PLEASANT"})
    assert normalize("123 MAIN ST WEST SIDE", cities=places).city == "WEST SIDE"
    assert normalize("123 MAIN ST WEST SIDE", cities=places).key == "123 MAIN ST"
    assert normalize("905 W BELMONT LAKEPORT", cities=places).street.key == "W BELMONT"
    assert normalize("905 W BELMONT LAKEPORT", cities=places).city == "LAKEPORT"
    assert normalize("123 MAIN ST APT 2 MOUNT PLEASANT", cities=places).key == "123 MAIN ST # 2"
    # a street that is only a city name keeps it
    assert normalize("12 LAKEPORT", cities=places).street.name == "LAKEPORT"


@pytest.mark.parametrize(("text", "city", "key"), [
    ("0521 DALTON AVE, MOUNT WASHINGTON", "MOUNT WASHINGTON", "521 DALTON AVE"),  # not the state WA
    ("4 GRANVILLE STREET MOUNT WASHINGTON", "MOUNT WASHINGTON", "4 GRANVILLE ST"),
    ("0521 DALTON AVE, MOUNT WASHINGTON PA 15211", "MOUNT WASHINGTON", "521 DALTON AVE"),
    ("3031 VENSEL MT. OLIVER", "MOUNT OLIVER", "3031 VENSEL"),
    ("2615 TOBERG STREET, ST. CLAIR", "SAINT CLAIR", "2615 TOBERG ST"),
    ("MAIN ST AND 5TH AVE SQUIRREL HILL NORTH", "SQUIRREL HILL NORTH", "5TH AVE & MAIN ST"),
])
def test_known_places_with_saint_and_mount_peel_off(text, city, key):
    places = frozenset({"Mount Washington", "Mt. Oliver", "St. Clair", "Squirrel Hill North", "PITTSBURGH"})
    address = normalize(text, cities=places)
    assert (address.city, address.key) == (city, key)


@pytest.mark.parametrize(("text", "name"), [("St. Clair", "SAINT CLAIR"), ("Mt. Oliver", "MOUNT OLIVER"),
                                            ("  pittsburgh ", "PITTSBURGH"), (None, "")])
def test_place_name_is_written_as_normalize_writes_a_city(text, name):
    from integration.address import place_name

    assert place_name(text) == name


@pytest.mark.parametrize(
    ("parts", "key"),
    [
        (("1500", "N", "MAIN", "ST", "", ""), "1500 N MAIN ST"),
        (("1500", "NORTH", "Main", "Street", "", "2"), "1500 N MAIN ST # 2"),
        (("1500", "", "MAIN ST", "", "", ""), "1500 MAIN ST"),
        (("1500", "", "N MAIN ST", "", "", "APT 4"), "1500 N MAIN ST # 4"),
        (("123", "", "NORTH", "AVE", "", ""), "123 NORTH AVE"),
        (("123", "N", "NORTH", "AVE", "", ""), "123 N NORTH AVE"),
        (("123", "", "5", "ST", "", ""), "123 5TH ST"),
        (("123", "", "FIFTH", "AVE", "", ""), "123 5TH AVE"),
        (("123", "", "ST PAUL", "AVE", "", ""), "123 SAINT PAUL AVE"),
        (("123", "", "MAIN", "", "", ""), "123 MAIN"),
        (("123", "", "MARIETTA", "ST", "NW", ""), "123 MARIETTA ST NW"),
        (("123A", "", "MAIN", "ST", "", ""), "123A MAIN ST"),
        (("12 1/2", "", "MAIN", "ST", "", ""), "12 1/2 MAIN ST"),
        (("1500-1504", "", "MAIN", "ST", "", ""), "1500-1504 MAIN ST"),
        ((1500, None, "MAIN", "ST", float("nan"), None), "1500 MAIN ST"),
        (("1500", "", "MAIN", "ST", "", "REAR"), "1500 MAIN ST REAR"),
        (("1500", "", "MAIN", "ST", "", "#3"), "1500 MAIN ST # 3"),
        (("1500", "", "MAIN", "ST", "", "2ND FL"), "1500 MAIN ST FL 2"),
        (("12XX", "", "MAIN", "ST", "", ""), "1200 BLOCK MAIN ST"),
        (("", "", "", "", "", ""), ""),
        ((None, None, None, None, None, None), ""),
    ],
)
def test_normalize_parts(parts, key):
    assert normalize_parts(*parts).key == key


def test_normalize_parts_agrees_with_normalize():
    assert normalize_parts("1500", "N", "MAIN", "ST", "", "APT 2") == dataclasses.replace(
        normalize("1500 N MAIN ST APT 2"), raw="1500 N MAIN ST APT 2"
    )


def test_normalize_parts_never_raises():
    for junk in (None, float("nan"), "\x00", "a" * 10_000, object(), b"\xff", "&&&"):
        assert isinstance(normalize_parts(junk, junk, junk, junk, junk, junk), Address)
