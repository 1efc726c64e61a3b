"""Which time zone a customer lives in, when only their country and region are known.

Pure: reads the IANA zone.tab shipped with the tzdata package. A zone is derived only when it is
unambiguous; a wrong guess could put a call outside the legal hours, so anything else is an error
and the row must give its own timezone.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

# US states and territories that lie wholly in one zone. States split between zones (for example
# TX, FL, TN, KY, IN, MI, KS, NE, ND, SD, ID, OR, NV, AK) and Arizona (the Navajo Nation observes
# daylight saving time, the rest of the state does not) are deliberately absent.
US_STATE_ZONES = {
    **dict.fromkeys("CT DC DE GA MA MD ME NC NH NJ NY OH PA RI SC VA VT WV".split(), "America/New_York"),
    **dict.fromkeys(["AL", "AR", "IA", "IL", "LA", "MN", "MO", "MS", "OK", "WI"], "America/Chicago"),
    **dict.fromkeys(["CO", "MT", "NM", "UT", "WY"], "America/Denver"),
    **dict.fromkeys(["CA", "WA"], "America/Los_Angeles"),
    "HI": "Pacific/Honolulu",
    "PR": "America/Puerto_Rico",
    "VI": "America/St_Thomas",
    "GU": "Pacific/Guam",
    "MP": "Pacific/Saipan",
    "AS": "Pacific/Pago_Pago",
}


US_STATES = frozenset(
    """AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY
    NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR VI GU MP AS UM""".split()
)
# ISO 3166-2:GB's nations, the level the UK's rules differ at (e.g. Scottish debt procedure).
GB_NATIONS = frozenset({"ENG", "SCT", "WLS", "NIR"})
KNOWN_REGIONS = {"US": US_STATES, "GB": GB_NATIONS}


def check_region(country: str, region: str) -> None:
    """Raise ValueError for a region code that cannot be one of the country's, where we know them."""
    known = KNOWN_REGIONS.get(country.upper())
    if known is not None and region.upper() not in known:
        example = "MA or CA" if country.upper() == "US" else "ENG, SCT, WLS or NIR"
        raise ValueError(f"not a region of {country.upper()} (expected a code such as {example})")


# Overseas parts of countries that zone.tab lists as one zone: their ISO 3166-2 subdivision codes
# name territories with their own ISO 3166-1 code and their own clock (La Réunion is FR-974, RE).
OVERSEAS_REGIONS = {
    "FR": {
        **{"971": "GP", "972": "MQ", "973": "GF", "974": "RE", "975": "PM", "976": "YT", "977": "BL"},
        **{"978": "MF", "984": "TF", "986": "WF", "987": "PF", "988": "NC"},
        **{code: code for code in ("BL", "MF", "NC", "PF", "PM", "TF", "WF")},
    },
    "NL": {"BQ1": "BQ", "BQ2": "BQ", "BQ3": "BQ", "AW": "AW", "CW": "CW", "SX": "SX"},
}

# zone.tab lists a second zone for these countries that keeps the same clock as the first today.
SAME_CLOCK = {"DE": "Europe/Berlin"}  # Büsingen follows Zurich, which matches Berlin since 1981


def _tab(name: str) -> list[list[str]]:
    text = files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@cache
def iso_countries() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes in use (from iso3166.tab): no ZZ, EU or UN."""
    return frozenset(fields[0] for fields in _tab("iso3166.tab"))


@cache
def zones_by_country() -> dict[str, tuple[str, ...]]:
    """Country code to the zones zone.tab lists for it."""
    result: dict[str, list[str]] = {}
    for country, _coordinates, zone, *_comment in _tab("zone.tab"):
        result.setdefault(country, []).append(zone)
    return {country: tuple(zones) for country, zones in result.items()}


class AmbiguousTimezone(ValueError):
    pass


def derive_timezone(country: str, region: str = "") -> str:
    """The one IANA zone for a country (and region), or AmbiguousTimezone saying why not."""
    country = country.upper()
    region = region.upper()
    if country == "US" and region in US_STATE_ZONES:
        return US_STATE_ZONES[region]
    if region and region in OVERSEAS_REGIONS.get(country, {}):
        territory = OVERSEAS_REGIONS[country][region]
        zones = zones_by_country().get(territory, ())
        if len(zones) == 1:
            return zones[0]
        raise AmbiguousTimezone(
            f"{country}-{region} is not wholly in one time zone; give the timezone column"
        )
    if country in SAME_CLOCK:
        return SAME_CLOCK[country]
    zones = zones_by_country().get(country, ())
    if len(zones) == 1:
        return zones[0]
    if not zones:
        raise AmbiguousTimezone(f"no time zone is known for country {country}")
    if region:
        raise AmbiguousTimezone(
            f"{country}-{region} is not wholly in one time zone; give the timezone column"
        )
    raise AmbiguousTimezone(
        f"{country} spans {len(zones)} time zones; give the region or the timezone column"
    )
