"""A customer's time zone is derived from country and region only when there is exactly one answer."""

from __future__ import annotations

from zoneinfo import available_timezones

import pytest

from amicable.ledger.jurisdictions import (
    US_STATE_ZONES,
    AmbiguousTimezone,
    derive_timezone,
    zones_by_country,
)


@pytest.mark.parametrize(
    ("country", "region", "expected"),
    [
        ("US", "MA", "America/New_York"),
        ("US", "NY", "America/New_York"),
        ("US", "IL", "America/Chicago"),
        ("US", "CO", "America/Denver"),
        ("US", "CA", "America/Los_Angeles"),
        ("US", "HI", "Pacific/Honolulu"),
        ("GB", "ENG", "Europe/London"),
        ("GB", "SCT", "Europe/London"),
        ("GB", "", "Europe/London"),
        ("JP", "", "Asia/Tokyo"),
        ("IE", "D", "Europe/Dublin"),
    ],
)
def test_unambiguous_country_and_region_give_one_zone(country, region, expected):
    assert derive_timezone(country, region) == expected


def test_country_and_region_are_case_insensitive():
    assert derive_timezone("us", "ma") == "America/New_York"
    assert derive_timezone("gb", "eng") == "Europe/London"


@pytest.mark.parametrize("region", ["TX", "FL", "IN", "KY", "AZ", "AK", "OR"])
def test_us_state_split_between_zones_is_ambiguous_and_asks_for_the_timezone_column(region):
    with pytest.raises(AmbiguousTimezone) as error:
        derive_timezone("US", region)
    message = str(error.value)
    assert f"US-{region}" in message
    assert "not wholly in one time zone" in message
    assert "give the timezone column" in message


def test_bare_us_is_ambiguous_and_asks_for_the_region_or_the_timezone_column():
    with pytest.raises(AmbiguousTimezone) as error:
        derive_timezone("US")
    message = str(error.value)
    assert f"US spans {len(zones_by_country()['US'])} time zones" in message
    assert "give the region or the timezone column" in message


@pytest.mark.parametrize("country", ["CA", "AU", "BR", "RU", "MX"])
def test_other_countries_with_several_zones_are_ambiguous(country):
    with pytest.raises(AmbiguousTimezone, match=f"{country} spans"):
        derive_timezone(country)


def test_country_with_no_known_zone_says_so():
    with pytest.raises(AmbiguousTimezone, match="no time zone is known for country XX"):
        derive_timezone("XX")


def test_ambiguous_time_zone_is_a_value_error():
    with pytest.raises(ValueError):
        derive_timezone("US", "TX")


def test_every_us_state_zone_is_a_real_iana_zone():
    assert set(US_STATE_ZONES.values()) <= available_timezones()


def test_zones_by_country_lists_every_zone_once_and_only_real_zones():
    zones = zones_by_country()
    assert zones["GB"] == ("Europe/London",)
    assert "America/New_York" in zones["US"]
    every_zone = [zone for country_zones in zones.values() for zone in country_zones]
    assert set(every_zone) <= available_timezones()


def _derived_or_ambiguous(country: str, region: str) -> str | None:
    try:
        return derive_timezone(country, region)
    except AmbiguousTimezone:
        return None


@pytest.mark.parametrize(
    ("region", "actual_zone"),
    [
        ("974", "Indian/Reunion"),  # FR-974, La Réunion, UTC+4
        ("973", "America/Cayenne"),  # FR-973, French Guiana, UTC-3
        ("NC", "Pacific/Noumea"),  # FR-NC, New Caledonia, UTC+11
    ],
)
def test_overseas_region_of_a_one_zone_country_is_never_given_the_mainland_zone(region, actual_zone):
    # zone.tab lists only Europe/Paris for FR, but ISO 3166-2:FR regions include overseas ones.
    # A wrong guess here would put calls hours outside the debtor's legal calling window.
    assert _derived_or_ambiguous("FR", region) in (None, actual_zone)
