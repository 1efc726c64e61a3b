"""Names, places and products for the synthetic portfolio. Invented or common; no real customer data."""

US_FIRST = """
James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard
Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty
Anthony Sandra Mark Ashley Donald Kimberly Steven Emily Andrew Donna Joshua Michelle Kevin Carol
Brian Amanda Tyrone Latoya DeShawn Aaliyah Wei Mei Raj Priya Tuan Linh
""".split()
US_LAST = """
Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Jackson
Martin Lee Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott Green
Baker Adams Nelson Hill Campbell Mitchell Roberts Carter Phillips Evans Turner Washington Nguyen
Chen Patel Kim
""".split()
HISPANIC_FIRST = """
José María Juan Guadalupe Luis Carmen Carlos Rosa Jorge Ana Miguel Sofía Alejandro Lucía
Francisco Isabel Javier Elena Ricardo Gabriela Fernando Verónica Diego Mariana Andrés Paola
""".split()
HISPANIC_LAST = """
García Rodríguez Martínez Hernández López González Pérez Sánchez Ramírez Torres Flores Rivera
Gómez Díaz Cruz Morales Reyes Gutiérrez Ortiz Ramos Castillo Jiménez Vargas Romero
""".split()
UK_FIRST = """
Oliver Amelia George Olivia Harry Isla Jack Ava Noah Emily Charlie Sophie Thomas Grace Oscar
Lily William Freya James Ella Alfie Mia Arthur Evie Leo Poppy Fiona Hamish Rhys Cerys Siobhan
Ciaran Aisha Mohammed Priya Arjun
""".split()
UK_LAST = """
Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans Walker
White Roberts Green Hall Wood Jackson Clarke Patel Khan Hughes Edwards Murphy Campbell Stewart
MacDonald Morgan Price Kelly O'Neill Begum Ahmed
""".split()
BUSINESS_WORDS = """
Acorn Beacon Cedar Delta Elm Falcon Granite Harbour Iris Juniper Kestrel Lantern Maple Northgate
Oakridge Pioneer Quarry Riverside Summit Thistle Upland Vantage Willow Yardley
""".split()
BUSINESS_KINDS = """
Bakery Builders Catering Dental Electrical Florists Garage Haulage Joinery Landscaping Motors
Plumbing Print Studio Tiling Upholstery
""".split()
STREETS = (
    "Main Street",
    "Oak Avenue",
    "Maple Drive",
    "Cedar Lane",
    "Elm Street",
    "Park Road",
    "Washington Avenue",
    "Lake Road",
    "Hill Street",
    "Church Lane",
    "Station Road",
    "High Street",
    "Victoria Road",
    "Mill Lane",
    "Queen Street",
    "King's Road",
)

# (city, region, postcode prefix, explicit timezone or "" to derive from the region, landline area code)
US_PLACES = (
    ("New York", "NY", "100", "", "212"),
    ("Boston", "MA", "021", "", "617"),
    ("Philadelphia", "PA", "191", "", "215"),
    ("Atlanta", "GA", "303", "", "404"),
    ("Miami", "FL", "331", "America/New_York", "305"),
    ("Chicago", "IL", "606", "", "312"),
    ("Houston", "TX", "770", "America/Chicago", "713"),
    ("Minneapolis", "MN", "554", "", "612"),
    ("Denver", "CO", "802", "", "303"),
    ("Phoenix", "AZ", "850", "America/Phoenix", "602"),
    ("Albuquerque", "NM", "871", "", "505"),
    ("Los Angeles", "CA", "900", "", "213"),
    ("San Diego", "CA", "921", "", "619"),
    ("Seattle", "WA", "981", "", "206"),
    ("Honolulu", "HI", "968", "", "808"),
)
UK_PLACES = (
    ("London", "ENG", "SW1A", "20"),
    ("Manchester", "ENG", "M1", "161"),
    ("Leeds", "ENG", "LS1", "113"),
    ("Birmingham", "ENG", "B1", "121"),
    ("Bristol", "ENG", "BS1", "117"),
    ("Glasgow", "SCT", "G1", "141"),
    ("Edinburgh", "SCT", "EH1", "131"),
    ("Cardiff", "WLS", "CF10", "29"),
    ("Belfast", "NIR", "BT1", "28"),
)
