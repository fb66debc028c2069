"""Word lists and category tables of the synthetic city: street names, people, businesses and
each department's categories with their weights and seasons.

Everything here is fictional. Phone numbers use the 555-01xx block reserved for fiction and
e-mail addresses use the example.* domains reserved for documentation.
"""

# Streets running north-south, east to west from MAIN ST. The first ones cross the N/S baseline
# (STATE ST) and so carry N/S pre-directionals; the later ones exist only north of it.
NORTH_SOUTH_STREETS = (
    ("WISCONSIN", "AVE"), ("CHATHAM", "ST"), ("MARQUETTE", "ST"), ("HOLMES", "AVE"), ("OAK", "ST"),
    ("MT PLEASANT", "ST"), ("PACKARD", "AVE"), ("DOUGLAS", "AVE"), ("HIGHLAND", "AVE"), ("VILLA", "ST"),
    ("SILVER", "ST"), ("ASHLAND", "AVE"), ("LATHROP", "AVE"), ("HARRISON", "ST"), ("CLEVELAND", "AVE"),
    ("JACKSON", "ST"), ("JEFFERSON", "ST"), ("MADISON", "ST"), ("MONROE", "AVE"), ("ADAMS", "ST"),
    ("LINCOLN", "ST"), ("GRANT", "ST"), ("GARFIELD", "ST"), ("MCKINLEY", "AVE"), ("TAYLOR", "AVE"),
    ("POLK", "ST"), ("PIERCE", "BLVD"), ("FILLMORE", "AVE"), ("BUCHANAN", "ST"), ("HAYES", "AVE"),
    ("ARTHUR", "AVE"), ("WILSON", "ST"), ("HARDING", "AVE"), ("COOLIDGE", "AVE"), ("HOOVER", "ST"),
    ("ROOSEVELT", "AVE"), ("KENNEDY", "DR"), ("OHIO", "ST"), ("INDIANA", "ST"), ("ILLINOIS", "ST"),
    ("IOWA", "ST"), ("MINNESOTA", "AVE"), ("MICHIGAN", "BLVD"), ("KENTUCKY", "ST"), ("VERMONT", "AVE"),
    ("GEORGIA", "AVE"), ("VIRGINIA", "ST"), ("CAROLINA", "AVE"), ("MAPLE", "ST"), ("ELM", "ST"),
    ("WALNUT", "ST"), ("CHESTNUT", "ST"), ("HICKORY", "ST"), ("CEDAR", "ST"), ("SPRUCE", "ST"),
    ("BIRCH", "AVE"), ("LOCUST", "ST"), ("POPLAR", "AVE"), ("SYCAMORE", "AVE"), ("WILLOW", "ST"),
    ("LINDEN", "AVE"), ("BEECH", "ST"), ("CHERRY", "ST"), ("ERIE", "ST"), ("SUPERIOR", "ST"),
    ("HURON", "ST"), ("ONTARIO", "ST"), ("SPRING", "ST"), ("COLLEGE", "AVE"), ("CENTER", "ST"),
    ("RACE", "ST"), ("GREEN BAY", "RD"), ("OAKES", "RD"), ("NEWMAN", "RD"), ("EMMERTSEN", "RD"),
    ("REGENCY", "WAY"), ("STUART", "RD"), ("CASE", "AVE"), ("HANSEN", "AVE"), ("LOMBARD", "AVE"),
    ("KINZIE", "AVE"), ("LAWN", "ST"), ("GROVE", "AVE"), ("PROSPECT", "ST"), ("HAMILTON", "ST"),
    ("BLAINE", "AVE"), ("KEARNEY", "AVE"), ("LUEDTKE", "AVE"), ("OLIVE", "ST"), ("QUINCY", "AVE"),
    ("RUPERT", "BLVD"), ("SHERIDAN", "RD"), ("THURSTON", "AVE"), ("WEBSTER", "ST"), ("YOUNG", "ST"),
    ("ALBERT", "ST"), ("BLAKE", "AVE"), ("CARLISLE", "AVE"), ("DEANE", "BLVD"), ("FRANKLIN", "ST"),
    ("GILSON", "ST"), ("HOWE", "ST"), ("IRVING", "AVE"), ("JUNCTION", "AVE"), ("KNAPP", "ST"),
    ("MEACHEM", "RD"), ("NORWOOD", "DR"), ("PERRY", "AVE"), ("RUBY", "AVE"), ("SUMMIT", "AVE"),
    ("UNION", "ST"), ("VICTORY", "AVE"), ("WAVERLY", "DR"), ("WOODLAWN", "AVE"), ("BRADLEY", "AVE"),
    ("CARMEL", "AVE"), ("DEKOVEN", "AVE"), ("EDGEWOOD", "AVE"), ("FAIRFIELD", "AVE"), ("GLENWOOD", "AVE"),
    ("HARVARD", "ST"), ("KINGSTON", "AVE"), ("LEXINGTON", "DR"), ("MAYFAIR", "DR"), ("OREGON", "ST"),
    ("RICHMOND", "ST"), ("SALEM", "ST"), ("UTICA", "ST"), ("VALLEY", "DR"), ("WINDSOR", "DR"),
    ("ARLINGTON", "AVE"), ("BALDWIN", "ST"), ("CHARLES", "ST"), ("DEVON", "AVE"), ("ELLIS", "AVE"),
    ("FOREST", "ST"), ("GEORGE", "ST"), ("HENRY", "ST"),
)

# Streets along the lake shore, east of MAIN ST (north of the baseline only).
LAKESHORE_STREETS = (
    ("LAKESHORE", "DR"), ("HARBOR", "ST"), ("BEACH", "AVE"), ("MARINA", "DR"), ("LIGHTHOUSE", "DR"),
    ("BAYVIEW", "AVE"), ("SHORELINE", "DR"), ("BREAKWATER", "DR"), ("PIER", "ST"), ("DUNE", "ST"),
    ("SAILBOAT", "LN"), ("COVE", "ST"),
)

# Streets running east-west north of the baseline, south to north. The first ones reach the lake
# shore and so carry E/W pre-directionals.
EAST_WEST_STREETS = (
    ("HIGH", "ST"), ("LAFAYETTE", "AVE"), ("KEWAUNEE", "ST"), ("ST PAUL", "AVE"), ("GOOLD", "ST"),
    ("ST CLAIR", "ST"), ("MELVIN", "AVE"), ("BLUFF", "AVE"), ("REID", "ST"), ("YOUT", "ST"),
    ("MT VERNON", "AVE"), ("SUNSET", "DR"), ("LOWELL", "AVE"), ("BRENTWOOD", "DR"), ("CHARLOTTE", "ST"),
    ("DUNKIRK", "DR"), ("ELMWOOD", "AVE"), ("FAIRWAY", "DR"), ("GARDEN", "ST"), ("HILLCREST", "DR"),
    ("INDEPENDENCE", "AVE"), ("JUNIPER", "ST"), ("KENWOOD", "DR"), ("LAKEWOOD", "AVE"), ("MONUMENT", "SQ"),
    ("NEWPORT", "AVE"), ("OXFORD", "ST"), ("PLYMOUTH", "AVE"), ("QUEENS", "ST"), ("RIDGEWAY", "AVE"),
    ("SHOREWOOD", "DR"), ("TREMONT", "ST"), ("VINE", "ST"), ("WARWICK", "WAY"), ("AUGUSTA", "ST"),
    ("BELMONT", "AVE"), ("CLARENDON", "AVE"), ("DAYTON", "ST"), ("EMERSON", "AVE"), ("FULTON", "ST"),
    ("GOVERNOR", "ST"), ("HOLBORN", "AVE"), ("IVANHOE", "DR"), ("JUDSON", "ST"), ("KIMBALL", "AVE"),
    ("LANGLADE", "AVE"), ("MERRILL", "AVE"), ("NICOLET", "AVE"), ("OSBORNE", "BLVD"), ("PALMER", "ST"),
    ("RANDOLPH", "ST"), ("SEMINOLE", "AVE"), ("TOWNLINE", "RD"), ("UPHAM", "AVE"), ("VAN BUREN", "ST"),
    ("WHITTIER", "AVE"), ("ALGONQUIN", "AVE"), ("BROOKLYN", "AVE"), ("CONCORD", "DR"), ("DELAWARE", "AVE"),
    ("EVERGREEN", "DR"), ("FLORENCE", "AVE"), ("GRANGE", "AVE"), ("HARMONY", "DR"), ("ISLAND", "AVE"),
    ("KENSINGTON", "DR"), ("LIBERTY", "ST"), ("MOHAWK", "AVE"), ("NORMANDY", "DR"), ("ORCHARD", "ST"),
    ("PRAIRIE", "AVE"), ("ROYAL OAK", "DR"), ("SHERWOOD", "DR"), ("TERRACE", "AVE"), ("WASHBURN", "ST"),
)

# Short dead-end streets (courts, places, circles, lanes) tucked between two blocks.
COURT_STREETS = (
    ("OAK", "CT"), ("ASTER", "CT"), ("BLUEBELL", "LN"), ("CARDINAL", "CT"), ("DOGWOOD", "PL"),
    ("EAGLE", "CT"), ("FALCON", "CIR"), ("FINCH", "LN"), ("HERON", "CT"), ("IRIS", "PL"),
    ("KESTREL", "CT"), ("LARK", "LN"), ("LILAC", "CT"), ("MAGNOLIA", "PL"), ("MEADOW", "CT"),
    ("ORIOLE", "CT"), ("PEONY", "PL"), ("ROBIN", "LN"), ("SPARROW", "CT"), ("SWALLOW", "CIR"),
    ("TULIP", "LN"), ("VIOLET", "PL"), ("WREN", "CT"), ("ZINNIA", "CT"), ("BLUEJAY", "CT"),
    ("CRANE", "CT"), ("DAISY", "LN"), ("FERN", "PL"), ("GOLDFINCH", "CT"), ("HAWK", "CIR"),
    ("HAWTHORN", "PL"), ("IVY", "CT"), ("JASMINE", "LN"), ("LAUREL", "CT"), ("LAVENDER", "LN"),
    ("LOTUS", "CT"), ("MARIGOLD", "LN"), ("MYRTLE", "CT"), ("OSPREY", "CT"), ("PELICAN", "PL"),
    ("PHEASANT", "CT"), ("PRIMROSE", "LN"), ("QUAIL", "CT"), ("RAVEN", "CT"), ("SAGE", "PL"),
    ("SNOWDROP", "CT"), ("SUNFLOWER", "CT"), ("THISTLE", "LN"), ("THRUSH", "CT"), ("VERBENA", "PL"),
    ("WARBLER", "CT"), ("WOODDUCK", "CT"), ("AZALEA", "TER"), ("BEGONIA", "TER"), ("CAMELLIA", "CT"),
    ("CLOVER", "CT"), ("CROCUS", "PL"), ("DAHLIA", "CT"), ("GARDENIA", "CT"), ("HEATHER", "LN"),
    ("HOLLYHOCK", "CT"), ("LARKSPUR", "CT"), ("MORNING GLORY", "LN"), ("ORCHID", "PL"), ("PANSY", "CT"),
    ("POPPY", "LN"), ("ROSEWOOD", "CT"), ("SAFFRON", "CT"), ("TANAGER", "CT"), ("TEAL", "CT"),
    ("VIREO", "CT"), ("WILLET", "CT"), ("ALDER", "CT"), ("BAYBERRY", "CT"), ("COTTONWOOD", "CT"),
    ("ELDERBERRY", "LN"), ("HAZELNUT", "CT"), ("MULBERRY", "CT"), ("REDBUD", "CT"), ("TAMARACK", "CT"),
    ("WHITE PINE", "CT"), ("BUCKEYE", "CT"), ("CATALPA", "CT"), ("HACKBERRY", "CT"), ("IRONWOOD", "CT"),
    ("BLUESTEM", "CT"), ("BUTTERNUT", "CT"), ("CHICKADEE", "LN"), ("COLUMBINE", "PL"), ("CORAL BELL", "CT"),
    ("DOVE", "CT"), ("FOXGLOVE", "LN"), ("GERANIUM", "CT"), ("HUMMINGBIRD", "CT"), ("JUNCO", "CT"),
    ("KINGFISHER", "CT"), ("LUPINE", "PL"), ("MALLARD", "CT"), ("MEADOWLARK", "LN"), ("NUTHATCH", "CT"),
    ("PARTRIDGE", "CT"), ("PLOVER", "CT"), ("PRAIRIE ROSE", "CT"), ("SANDPIPER", "LN"), ("SCARLET OAK", "CT"),
    ("SNOWBERRY", "CT"), ("SPARROWHAWK", "CT"), ("SUMAC", "CT"), ("TRILLIUM", "PL"), ("WILLOWBROOK", "CT"),
    ("WINTERGREEN", "LN"), ("WOODTHRUSH", "CT"), ("YARROW", "CT"), ("BLACKHAWK", "CT"), ("CHERRYWOOD", "CT"),
)

# Words to build more street names from when a very large scale exhausts the lists above.
NAME_STEMS = ("ASH", "BRIAR", "DEER", "FOX", "GLEN", "HAZEL", "IRON", "KINGS", "MAPLE", "PINE", "RED",
              "SHADY", "STONE", "SILVER", "AMBER", "COPPER", "HUNTER", "MILL", "ROSE", "BIRCH")
NAME_ENDINGS = ("WOOD", "FIELD", "CREST", "DALE", "BROOK", "HAVEN", "RIDGE", "MONT", "VIEW", "GATE", "LEIGH")

# Arterials: busier streets, more businesses and more traffic calls.
ARTERIALS = frozenset({
    ("MAIN", "ST"), ("WASHINGTON", "AVE"), ("DURAND", "AVE"), ("STATE", "ST"), ("DOUGLAS", "AVE"),
    ("GRAND", "AVE"), ("RAPIDS", "DR"), ("16TH", "ST"), ("GREEN BAY", "RD"), ("WISCONSIN", "AVE"),
    ("HIGH", "ST"), ("LATHROP", "AVE"), ("NORTH", "AVE"), ("MT PLEASANT", "ST"),
})

# Cities around Lakeport, for addresses that are not in the city at all.
OTHER_CITIES = (("KENOSHA", "53140"), ("KENOSHA", "53144"), ("MILWAUKEE", "53204"), ("CALEDONIA", "53108"),
                ("STURTEVANT", "53177"), ("OAK CREEK", "53154"), ("FRANKSVILLE", "53126"), ("UNION GROVE", "53182"))

FIRST_NAMES = (
    "JOHN", "MARY", "ROBERT", "PATRICIA", "MICHAEL", "JENNIFER", "WILLIAM", "LINDA", "DAVID", "ELIZABETH",
    "JAMES", "BARBARA", "RICHARD", "SUSAN", "JOSEPH", "JESSICA", "THOMAS", "SARAH", "CHARLES", "KAREN",
    "DANIEL", "NANCY", "MATTHEW", "LISA", "ANTHONY", "BETTY", "MARK", "MARGARET", "DONALD", "SANDRA",
    "STEVEN", "ASHLEY", "PAUL", "DOROTHY", "ANDREW", "KIMBERLY", "JOSHUA", "EMILY", "KEVIN", "DONNA",
    "BRIAN", "MICHELLE", "GEORGE", "CAROL", "EDWARD", "AMANDA", "RONALD", "MELISSA", "TIMOTHY", "DEBORAH",
    "JOSE", "MARIA", "LUIS", "ROSA", "CARLOS", "ANA", "DARNELL", "LATOYA", "TYRONE", "KEISHA",
    "DEREK", "TASHA", "MARCUS", "ANGELA", "ERIK", "INGRID", "LARS", "GRETA", "DEAN", "JOYCE",
)
LAST_NAMES = (
    "SMITH", "JOHNSON", "WILLIAMS", "BROWN", "JONES", "GARCIA", "MILLER", "DAVIS", "RODRIGUEZ", "MARTINEZ",
    "HERNANDEZ", "LOPEZ", "GONZALEZ", "WILSON", "ANDERSON", "THOMAS", "TAYLOR", "MOORE", "JACKSON", "MARTIN",
    "LEE", "PEREZ", "THOMPSON", "WHITE", "HARRIS", "SANCHEZ", "CLARK", "RAMIREZ", "LEWIS", "ROBINSON",
    "WALKER", "YOUNG", "ALLEN", "KING", "WRIGHT", "SCOTT", "TORRES", "NGUYEN", "HILL", "FLORES",
    "GREEN", "ADAMS", "NELSON", "BAKER", "HALL", "RIVERA", "CAMPBELL", "MITCHELL", "CARTER", "ROBERTS",
    "JENSEN", "NIELSEN", "HANSEN", "LARSEN", "OLSON", "PETERSEN", "SCHMIDT", "MUELLER", "WAGNER", "BECKER",
    "KOWALSKI", "NOWAK", "WOJCIK", "SORENSEN", "CHRISTENSEN", "KRUEGER", "SCHULTZ", "HOFFMANN", "FISCHER", "WEBER",
)
COMPANY_WORDS = ("LAKEPORT", "HARBOR", "NORTHSHORE", "BADGER", "LAKESIDE", "PRAIRIE", "GREAT LAKES",
                 "CORNERSTONE", "KEYSTONE", "MERIDIAN", "BLUE WATER", "PINNACLE", "HERITAGE", "SUMMIT")
RENTAL_OWNER_KINDS = ("HOUSING LLC", "PROPERTIES LLC", "RENTALS LLC", "HOLDINGS LLC", "REAL ESTATE LLC",
                      "INVESTMENTS LLC", "HOMES LLC")
BUSINESS_OWNER_KINDS = ("LLC", "INC", "CORP", "ENTERPRISES LLC", "PARTNERS LP", "DEVELOPMENT LLC")
INDUSTRIAL_OWNER_KINDS = ("MANUFACTURING CO", "INDUSTRIES INC", "TOOL & DIE INC", "FOUNDRY CORP",
                          "LOGISTICS LLC", "PLASTICS INC")
INSTITUTIONAL_OWNERS = ("CITY OF LAKEPORT", "LAKEPORT UNIFIED SCHOOL DISTRICT", "ST MARY PARISH",
                        "FIRST LUTHERAN CHURCH", "GRACE BAPTIST CHURCH", "LAKEPORT COUNTY", "YMCA OF LAKEPORT",
                        "ST JOSEPH CATHOLIC CHURCH", "LAKEPORT PUBLIC LIBRARY")

# Departments: seasons name a month profile in extracts.SEASONS.

# call type, season, weight at a block, at an intersection, at a residence, at a business
POLICE_CALL_TYPES = (
    ("DISTURBANCE", "summer", 9, 3, 9, 5),
    ("NOISE COMPLAINT", "summer", 8, 1, 9, 3),
    ("SHOTS FIRED", "summer", 2.5, 1.5, 0.8, 0.3),
    ("DRUG ACTIVITY", "flat", 3, 1.5, 1.5, 1),
    ("TRESPASS", "flat", 2, 0, 2, 4),
    ("THEFT", "flat", 6, 0.5, 5, 7),
    ("RETAIL THEFT", "flat", 0, 0, 0, 10),
    ("BURGLARY", "flat", 2, 0, 3, 3),
    ("WELFARE CHECK", "winter", 5, 2, 8, 2),
    ("TRAFFIC STOP", "flat", 14, 30, 0, 0),
    ("SUSPICIOUS PERSON", "summer", 6, 4, 4, 5),
    ("SUSPICIOUS VEHICLE", "flat", 5, 3, 3, 3),
    ("DOMESTIC", "flat", 4, 0, 9, 1),
    ("FIGHT", "summer", 3, 2, 1.5, 3),
    ("ALARM", "flat", 1, 0, 3, 10),
    ("ACCIDENT PROPERTY DAMAGE", "winter", 4, 20, 0.5, 2),
    ("ACCIDENT WITH INJURY", "winter", 1, 6, 0, 0.3),
    ("PARKING COMPLAINT", "winter", 5, 1, 2, 2),
    ("ASSIST CITIZEN", "flat", 3, 1, 4, 3),
    ("911 HANGUP", "flat", 2, 0, 5, 3),
    ("CRIMINAL DAMAGE", "summer", 3, 0.5, 3, 3),
    ("FRAUD", "flat", 0.5, 0, 2, 2),
    ("ANIMAL COMPLAINT", "summer", 3, 0.5, 2, 0.5),
    ("JUVENILE COMPLAINT", "summer", 3, 1, 1.5, 2),
    ("MENTAL HEALTH", "flat", 1, 0.5, 3, 1),
    ("ASSIST EMS", "flat", 1, 1, 4, 2),
    ("RECKLESS DRIVING", "summer", 3, 5, 0, 0),
)
TRAFFIC_CALL_TYPES = frozenset({"TRAFFIC STOP", "RECKLESS DRIVING", "PARKING COMPLAINT",
                                "ACCIDENT PROPERTY DAMAGE", "ACCIDENT WITH INJURY"})
POLICE_DISPOSITIONS = (("REPORT TAKEN", 20), ("ADVISED", 25), ("GONE ON ARRIVAL", 12), ("UNFOUNDED", 10),
                       ("ARREST", 5), ("REFERRED", 5), ("CANCELLED", 5), ("NO REPORT", 8), ("PEACE RESTORED", 6))
TRAFFIC_DISPOSITIONS = (("CITATION ISSUED", 40), ("WARNING ISSUED", 35), ("ADVISED", 10), ("REPORT TAKEN", 10),
                        ("ARREST", 2), ("GONE ON ARRIVAL", 3))

POLICE_NARRATIVES = {
    "DISTURBANCE": ("RP ADVISES SUBJECTS YELLING IN FRONT OF RESIDENCE", "LOUD ARGUMENT HEARD THROUGH WALL",
                    "GROUP GATHERED OUTSIDE, REFUSING TO LEAVE"),
    "NOISE COMPLAINT": ("LOUD MUSIC FROM RESIDENCE", "PARTY WITH LOUD MUSIC, SEVERAL CARS",
                        "BASS FROM VEHICLE PARKED IN DRIVEWAY"),
    "SHOTS FIRED": ("RP HEARD 3-4 SHOTS, UNK DIRECTION", "POSSIBLE SHOTS, CASINGS FOUND IN STREET"),
    "DRUG ACTIVITY": ("HEAVY FOOT TRAFFIC, SHORT STAYS", "RP SUSPECTS SALES FROM VEHICLE OUT FRONT"),
    "TRESPASS": ("SUBJECTS ENTERING BOARDED HOUSE", "UNWANTED SUBJECT REFUSING TO LEAVE"),
    "THEFT": ("BIKE TAKEN FROM PORCH", "PACKAGE TAKEN FROM FRONT STEP", "CATALYTIC CONVERTER CUT FROM CAR"),
    "RETAIL THEFT": ("LP HOLDING ONE FOR RETAIL THEFT", "SUBJECT LEFT WITH CART OF UNPAID ITEMS"),
    "BURGLARY": ("RESIDENCE ENTERED THROUGH REAR WINDOW", "GARAGE DOOR FORCED, TOOLS MISSING"),
    "WELFARE CHECK": ("FAMILY UNABLE TO REACH ELDERLY RESIDENT", "MAIL PILED UP, NO ANSWER AT DOOR"),
    "TRAFFIC STOP": ("SPEED", "EQUIPMENT VIOLATION", "EXPIRED REGISTRATION", "STOP SIGN VIOLATION"),
    "SUSPICIOUS PERSON": ("SUBJECT LOOKING INTO CAR WINDOWS", "SUBJECT WALKING BETWEEN HOUSES"),
    "SUSPICIOUS VEHICLE": ("VEHICLE RUNNING UNOCCUPIED FOR HOURS", "VEHICLE PARKED WITH LIGHTS OFF, OCCUPIED"),
    "DOMESTIC": ("VERBAL ARGUMENT BETWEEN PARTNERS", "RP REPORTS EX WILL NOT LEAVE"),
    "FIGHT": ("SEVERAL SUBJECTS FIGHTING", "FIGHT IN PROGRESS, ONE SUBJECT DOWN"),
    "ALARM": ("BURGLAR ALARM, FRONT DOOR ZONE", "PANIC ALARM, KEYHOLDER ENROUTE"),
    "ACCIDENT PROPERTY DAMAGE": ("TWO VEHICLE, NO INJURIES", "VEHICLE VS POLE"),
    "ACCIDENT WITH INJURY": ("TWO VEHICLE, ONE COMPLAINING OF NECK PAIN", "PEDESTRIAN STRUCK"),
    "PARKING COMPLAINT": ("VEHICLE BLOCKING DRIVEWAY", "CAR PARKED ON SIDEWALK"),
    "ASSIST CITIZEN": ("RP REQUESTS CIVIL STANDBY", "LOCKED OUT OF VEHICLE"),
    "911 HANGUP": ("OPEN LINE, NO VOICE CONTACT", "CALLBACK NO ANSWER"),
    "CRIMINAL DAMAGE": ("WINDOW BROKEN OVERNIGHT", "GRAFFITI ON GARAGE"),
    "FRAUD": ("RP SCAMMED BY GIFT CARD CALLER", "CHECK FRAUD REPORT"),
    "ANIMAL COMPLAINT": ("DOG BARKING FOR HOURS", "DOG RUNNING LOOSE"),
    "JUVENILE COMPLAINT": ("JUVENILES ON ROOF OF BUILDING", "JUVENILES THROWING ROCKS"),
    "MENTAL HEALTH": ("SUBJECT EXPRESSING SUICIDAL THOUGHTS", "CONFUSED SUBJECT WANDERING"),
    "ASSIST EMS": ("ASSIST FD WITH COMBATIVE PATIENT", "ASSIST EMS, LIFT ASSIST"),
    "RECKLESS DRIVING": ("VEHICLE SWERVING ACROSS LANES", "DRAG RACING REPORTED"),
    "WALK-IN REPORT": ("WALK-IN AT FRONT DESK", "SUBJECT AT LOBBY TO FILE REPORT"),
    "FOUND PROPERTY": ("WALLET TURNED IN AT FRONT DESK", "FOUND BICYCLE DROPPED OFF"),
    "FOLLOW UP": ("FOLLOW UP INTERVIEW AT STATION", "DETECTIVE FOLLOW UP"),
    "CIVIL MATTER": ("CUSTODY EXCHANGE AT LOBBY", "LANDLORD TENANT DISPUTE, ADVISED CIVIL"),
    "WARRANT SERVICE": ("SUBJECT TURNED SELF IN ON WARRANT", "WARRANT CONFIRMED"),
}

# code, description, season, weight at a property, at an intersection, with no address
FIRE_INCIDENT_TYPES = (
    ("111", "Building fire", "winter", 2, 0, 0),
    ("113", "Cooking fire, confined to container", "flat", 3, 0, 0),
    ("114", "Chimney or flue fire, confined to chimney or flue", "winter", 0.5, 0, 0),
    ("118", "Trash or rubbish fire, contained", "flat", 0.5, 0, 0),
    ("131", "Passenger vehicle fire", "flat", 0.6, 4, 2),
    ("142", "Brush or brush-and-grass mixture fire", "summer", 0.3, 1, 3),
    ("151", "Outside rubbish, trash or waste fire", "summer", 1.5, 1, 0.5),
    ("311", "Medical assist, assist EMS crew", "flat", 12, 1, 0),
    ("321", "EMS call, excluding vehicle accident with injury", "flat", 35, 3, 1),
    ("322", "Motor vehicle accident with injuries", "winter", 0.5, 30, 8),
    ("324", "Motor vehicle accident with no injuries", "winter", 0.3, 20, 5),
    ("412", "Gas leak (natural gas or LPG)", "winter", 2, 2, 0),
    ("424", "Carbon monoxide incident", "winter", 1, 0, 0),
    ("444", "Power line down", "flat", 0.5, 5, 0),
    ("445", "Arcing, shorted electrical equipment", "flat", 0.5, 1, 0),
    ("500", "Service call, other", "flat", 2, 1, 1),
    ("511", "Lock-out", "flat", 2, 0, 0),
    ("522", "Water or steam leak", "winter", 1, 0, 0),
    ("553", "Public service", "flat", 1.5, 1, 1),
    ("554", "Assist invalid", "flat", 3, 0, 0),
    ("561", "Unauthorized burning", "summer", 1, 0, 0),
    ("571", "Cover assignment, standby, moveup", "flat", 0, 0, 6),
    ("611", "Dispatched & canceled en route", "flat", 5, 3, 5),
    ("622", "No incident found on arrival at dispatch address", "flat", 2, 1, 1),
    ("651", "Smoke scare, odor of smoke", "winter", 1.5, 0.5, 0),
    ("700", "False alarm or false call, other", "flat", 1, 0, 0),
    ("711", "Municipal alarm system, malicious false alarm", "flat", 0.3, 0, 0),
    ("733", "Smoke detector activation due to malfunction", "flat", 3, 0, 0),
    ("735", "Alarm system sounded due to malfunction", "flat", 2, 0, 0),
    ("743", "Smoke detector activation, no fire - unintentional", "flat", 3, 0, 0),
    ("745", "Alarm system activation, no fire - unintentional", "flat", 4, 0, 0),
)
# Narratives by incident type code, or by its first two digits, or by its first digit.
FIRE_NARRATIVES = {
    "11": ("E{unit} ON SCENE, SMOKE SHOWING. FIRE KNOCKED DOWN, OVERHAUL COMPLETE.",
           "FIRE CONFINED TO ROOM OF ORIGIN. OCCUPANT {name} DISPLACED, RED CROSS NOTIFIED."),
    "113": ("FOOD ON STOVE. RESIDENT {name} REMOVED PAN BEFORE ARRIVAL. VENTILATED.",
            "GREASE FIRE CONFINED TO PAN, EXTINGUISHED WITH LID. VENTILATED."),
    "114": ("CHIMNEY FIRE, NO EXTENSION. ADVISED OWNER TO HAVE FLUE INSPECTED.",),
    "118": ("TRASH CAN FIRE IN KITCHEN, EXTINGUISHED.",),
    "13": ("VEHICLE FIRE, ENGINE COMPARTMENT. EXTINGUISHED WITH 1 3/4 LINE.",),
    "14": ("GRASS FIRE APPROX 20 X 30 FT, EXTINGUISHED.",),
    "15": ("PILE OF RUBBISH BURNING BEHIND GARAGE, EXTINGUISHED.", "DUMPSTER FIRE, EXTINGUISHED."),
    "3": ("PT ASSESSED AND TRANSPORTED BY M{unit}.", "LIFT ASSIST, NO INJURIES.",
          "PT {name} REFUSED TRANSPORT, SIGNED RELEASE."),
    "32": ("TWO VEHICLE MVA, ONE PT TRANSPORTED BY M{unit}.", "MVA, FLUIDS CLEANED UP, NO TRANSPORT."),
    "4": ("GAS ODOR, UTILITY NOTIFIED. READINGS AT 0 AFTER VENTILATION.",
          "CO ALARM SOUNDING, READINGS 35 PPM IN BASEMENT. FURNACE RED TAGGED."),
    "44": ("WIRES DOWN ACROSS ROAD, UTILITY NOTIFIED, AREA SECURED.",),
    "5": ("ASSISTED RESIDENT, NO FURTHER ACTION.", "WATER SHUT OFF, OWNER NOTIFIED."),
    "561": ("UNATTENDED RECREATIONAL FIRE, OWNER {name} ADVISED OF ORDINANCE.", "BURNING TRASH IN YARD, EXTINGUISHED."),
    "6": ("CANCELLED BY DISPATCH.", "NOTHING FOUND ON ARRIVAL, CLEARED."),
    "65": ("ODOR OF SMOKE, NOTHING FOUND WITH THERMAL CAMERA.",),
    "7": ("ALARM ACTIVATION, NO SMOKE OR FIRE. RESET SYSTEM.",
          "DETECTOR MALFUNCTION, ADVISED OWNER TO REPLACE.", "BURNT FOOD SET OFF DETECTOR, NO FIRE."),
}

# case type, season, weight, typical days open
PUBLIC_WORKS_CASE_TYPES = (
    ("TALL GRASS", "grass", 20, 10),
    ("JUNK AND DEBRIS", "summer", 15, 21),
    ("PROPERTY MAINTENANCE", "flat", 15, 45),
    ("SNOW REMOVAL", "snow", 10, 4),
    ("GARBAGE CARTS", "flat", 8, 7),
    ("NUISANCE", "flat", 6, 30),
    ("INOPERABLE VEHICLE", "flat", 6, 21),
    ("ZONING", "flat", 5, 40),
    ("UNSAFE STRUCTURE", "flat", 3, 90),
    ("VACANT BUILDING", "flat", 3, 120),
    ("RENTAL INSPECTION", "flat", 4, 30),
    ("SIDEWALK REPAIR", "summer", 3, 60),
)

# topic, category, department routed, season, weight at a property, at a block or intersection
CRM_TOPICS = (
    ("Tall Grass", "Complaint", "Public Works", "grass", 9, 0),
    ("Snow Removal", "Complaint", "Public Works", "snowfall", 7, 1),
    ("Pothole", "Complaint", "Public Works", "winter", 4, 9),
    ("Garbage Pickup", "Inquiry", "Public Works", "flat", 10, 0),
    ("Bulk Item Pickup", "Inquiry", "Public Works", "summer", 5, 0),
    ("Missed Recycling", "Complaint", "Public Works", "flat", 4, 0),
    ("Junk and Debris", "Complaint", "Public Works", "summer", 5, 1),
    ("Street Light Out", "Complaint", "Public Works", "winter", 2, 6),
    ("Tree Trimming", "Inquiry", "Public Works", "summer", 3, 2),
    ("Illegal Dumping", "Complaint", "Public Works", "summer", 1.5, 4),
    ("Graffiti", "Complaint", "Public Works", "summer", 1, 3),
    ("Noise", "Complaint", "Police", "summer", 4, 1),
    ("Abandoned Vehicle", "Complaint", "Police", "flat", 3, 4),
    ("Parking", "Complaint", "Police", "winter", 2, 3),
    ("Drug Activity Tip", "Transfer", "Police", "flat", 1, 0.5),
    ("Transfer to Police", "Transfer", "Police", "flat", 2, 1),
    ("Smoke Detector Request", "Inquiry", "Fire", "winter", 2, 0),
    ("Fire Inspection Request", "Inquiry", "Fire", "flat", 1, 0),
    ("Transfer to Fire", "Transfer", "Fire", "flat", 0.5, 0),
    ("Building Permit", "Permit", "Building", "summer", 5, 0),
    ("Fence Permit", "Permit", "Building", "summer", 2, 0),
    ("Electrical Permit", "Permit", "Building", "flat", 1.5, 0),
    ("Property Maintenance", "Complaint", "Building", "flat", 3, 0),
    ("Vacant Building", "Complaint", "Building", "flat", 1, 0),
    ("Rodents", "Complaint", "Health", "summer", 2, 0.5),
    ("No Heat", "Complaint", "Health", "winter", 1.2, 0),
    ("Water Bill", "Inquiry", "Customer Service", "flat", 5, 0),
    ("Tax Bill Question", "Inquiry", "Customer Service", "winter", 3, 0),
)
CRM_DESCRIPTIONS = {
    "Tall Grass": ("Grass over 12 inches, has not been cut all summer", "Yard overgrown, weeds up to the windows"),
    "Snow Removal": ("Sidewalk not shoveled for days, kids walking in street",
                     "Icy walk not cleared in front of house"),
    "Pothole": ("Large pothole in front of house, damaged tire", "Pothole getting bigger near the curb"),
    "Garbage Pickup": ("Cart not emptied on Tuesday", "Asking about holiday pickup schedule"),
    "Bulk Item Pickup": ("Wants couch and mattress picked up", "Schedule bulk pickup for old appliances"),
    "Missed Recycling": ("Recycling missed again this week", "Recycle bin skipped"),
    "Junk and Debris": ("Piles of junk in back yard and on porch", "Tires and furniture dumped in yard"),
    "Street Light Out": ("Street light out, very dark at night", "Light flickering on and off"),
    "Tree Trimming": ("Branches hanging over sidewalk", "Dead tree on terrace may fall"),
    "Illegal Dumping": ("Someone dumped mattresses in alley", "Construction debris dumped by curb"),
    "Graffiti": ("Graffiti on garage facing alley", "Tagging on fence"),
    "Noise": ("Loud parties every weekend until 3am", "Dog barking all day and night"),
    "Abandoned Vehicle": ("Car with flat tires not moved in weeks", "Vehicle with no plates parked on street"),
    "Parking": ("Cars parked on the lawn", "Truck blocking alley"),
    "Drug Activity Tip": ("Caller reports cars stopping for a few minutes all night", "Suspected drug sales"),
    "Transfer to Police": ("Caller transferred to police non-emergency", "Neighbor dispute, transferred to PD"),
    "Smoke Detector Request": ("Requesting free smoke detector install", "Needs CO detector, elderly resident"),
    "Fire Inspection Request": ("Tenant asking for fire inspection", "Landlord requests inspection for license"),
    "Transfer to Fire": ("Transferred to fire prevention", "Question about burn permit, transferred"),
    "Building Permit": ("Question on permit for deck", "Permit for roof replacement"),
    "Fence Permit": ("Fence permit application question", "Wants to put up 6 ft privacy fence"),
    "Electrical Permit": ("Permit for panel upgrade", "Electrician permit status"),
    "Property Maintenance": ("Broken windows and siding falling off", "Porch collapsing, stairs unsafe"),
    "Vacant Building": ("House empty for months, doors open", "Vacant house, people going in at night"),
    "Rodents": ("Rats seen in yard and alley", "Mice and rats coming from house next door"),
    "No Heat": ("Tenant has no heat, landlord not responding", "Furnace out for three days"),
    "Water Bill": ("Bill much higher than usual", "Question about payment plan"),
    "Tax Bill Question": ("Question about second installment", "Asking for copy of tax bill"),
}

# Customer service staff (short name, team) in the order a growing city hires them: any first six
# cover every team and two phone lines. Most answer the phones. D. Brandt is the one the phones
# lean on (extracts.OVERLOADED_STAFF).
CRM_STAFF = (
    ("D. Brandt", "Phones"), ("M. Alvarez", "Phones"), ("P. Moreno", "Walk-in"), ("E. Sandoval", "Web and Email"),
    ("S. Okafor", "Phones"), ("L. Nguyen", "Phones"), ("T. Lindqvist", "Phones"), ("K. Thorsen", "Web and Email"),
    ("R. Castillo", "Phones"), ("G. Adeyemi", "Walk-in"), ("A. Pietrowski", "Phones"), ("J. Halvorsen", "Phones"),
    ("B. Mancuso", "Web and Email"), ("C. Whitfield", "Phones"), ("N. Brzezinski", "Phones"), ("F. Ramos", "Phones"),
    ("H. Vang", "Walk-in"), ("W. Ostrowski", "Phones"), ("Y. Delgado", "Web and Email"), ("V. Engstrom", "Phones"),
    ("O. Kaminski", "Phones"), ("I. Fairbanks", "Phones"), ("Q. Lor", "Walk-in"), ("Z. Hartmann", "Phones"),
    ("U. Mbeki", "Web and Email"), ("X. Rasmussen", "Phones"), ("D. Salinas", "Phones"), ("M. Vollmer", "Phones"),
    ("P. Yang", "Walk-in"), ("E. Gutierrez", "Phones"), ("S. Bjork", "Web and Email"), ("L. Dombrowski", "Phones"),
    ("T. Achebe", "Phones"), ("K. Espinoza", "Phones"), ("R. Lindgren", "Walk-in"), ("G. Thao", "Phones"),
    ("A. Kessler", "Web and Email"), ("J. Navarro", "Phones"), ("B. Strand", "Phones"), ("C. Oyelaran", "Phones"),
)
# Team, weight during office hours (weekdays 8:00-17:00); after hours only web and e-mail is open.
CRM_TEAMS = (("Phones", 70), ("Walk-in", 12), ("Web and Email", 18))
AFTER_HOURS_TEAM = "Web and Email"

# Complaints and inquiries first routed to the wrong department: topic -> how prone the topic is to
# it (1 is average) and its moves (first routed, finally routed, weight). The finally routed
# department owns the request; it is usually the topic's own department, but an abandoned vehicle
# on private property is code enforcement's, so police hand it to public works.
CRM_TRANSFERS = {
    "Tall Grass": (1, (("Customer Service", "Public Works", 2), ("Building", "Public Works", 1))),
    "Snow Removal": (1, (("Customer Service", "Public Works", 2), ("Police", "Public Works", 1))),
    "Pothole": (0.5, (("Customer Service", "Public Works", 1),)),
    "Garbage Pickup": (0.5, (("Customer Service", "Public Works", 1),)),
    "Bulk Item Pickup": (0.5, (("Customer Service", "Public Works", 1),)),
    "Missed Recycling": (0.5, (("Customer Service", "Public Works", 1),)),
    "Junk and Debris": (1.5, (("Building", "Public Works", 2), ("Health", "Public Works", 1),
                              ("Customer Service", "Public Works", 1))),
    "Street Light Out": (1, (("Customer Service", "Public Works", 1), ("Police", "Public Works", 1))),
    "Tree Trimming": (1, (("Customer Service", "Public Works", 1),)),
    "Illegal Dumping": (1.5, (("Police", "Public Works", 2), ("Customer Service", "Public Works", 1))),
    "Graffiti": (1.5, (("Police", "Public Works", 2),)),
    "Noise": (1, (("Public Works", "Police", 1), ("Health", "Police", 1))),
    "Abandoned Vehicle": (3, (("Police", "Public Works", 3), ("Public Works", "Police", 1))),
    "Parking": (1, (("Public Works", "Police", 1),)),
    "Smoke Detector Request": (1, (("Building", "Fire", 1), ("Customer Service", "Fire", 1))),
    "Fire Inspection Request": (2, (("Building", "Fire", 2),)),
    "Property Maintenance": (3, (("Public Works", "Building", 6), ("Health", "Building", 2),
                                 ("Customer Service", "Building", 1))),
    "Vacant Building": (2.5, (("Public Works", "Building", 3), ("Police", "Building", 1))),
    "Rodents": (2, (("Public Works", "Health", 3), ("Building", "Health", 1))),
    "No Heat": (2, (("Health", "Building", 2), ("Customer Service", "Health", 1))),
    "Water Bill": (1, (("Public Works", "Customer Service", 2),)),
    "Tax Bill Question": (0.5, (("Building", "Customer Service", 1),)),
}
