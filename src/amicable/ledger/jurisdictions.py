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
    **dict.fromkeys(
        [
            "CT",
            "DC",
            "DE",
            "GA",
            "MA",
            "MD",
            "ME",
            "NC",
            "NH",
            "NJ",
            "NY",
            "OH",
            "PA",
            "RI",
            "SC",
            "VA",
            "VT",
            "WV",
        ],
        "America/New_York",
    ),
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


@cache
def zones_by_country() -> dict[str, tuple[str, ...]]:
    """Country code to the zones zone.tab lists for it."""
    text = files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    result: dict[str, list[str]] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        country, _coordinates, zone, *_comment = line.split("\t")
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
