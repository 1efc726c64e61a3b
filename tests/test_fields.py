"""One value of an import row: parsed exactly as written, or refused with a message saying what to write."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amicable.ledger.importing.fields import (
    FieldError,
    parse_amount,
    parse_choice,
    parse_country,
    parse_currency,
    parse_date,
    parse_decimal,
    parse_email,
    parse_language,
    parse_phone,
    parse_timezone,
    parse_yes_no,
)

# --- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2024-01-05", date(2024, 1, 5)), ("2024-02-29", date(2024, 2, 29)), ("1999-12-31", date(1999, 12, 31))],
)
def test_iso_date_is_parsed(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value", ["05/01/2024", "01/05/2024", "2023-02-29", "2024-13-01", "2024-01-32", "5 Jan 2024", "", "today"]
)
def test_date_that_is_not_iso_or_does_not_exist_is_refused(value):
    with pytest.raises(FieldError, match="YYYY-MM-DD"):
        parse_date(value)


# --- decimals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1234.56", "1234.56"),
        ("12", "12"),
        ("-12.5", "-12.5"),
        ("0.10", "0.10"),
    ],
)
def test_plain_decimal_is_parsed_exactly(value, expected):
    result = parse_decimal(value)
    assert result == Decimal(expected)
    assert str(result) == expected


@pytest.mark.parametrize(
    # "12 50" must not become 1250: a space inside an amount is refused, not dropped.
    "value",
    ["1e5", "1E5", "1.5e2", "$12", "12 USD", "+12", ".5", "5.", "", "1.2.3", "NaN", "12 50", "1 234.56"],
)
def test_decimal_with_exponent_symbol_or_odd_shape_is_refused(value):
    with pytest.raises(FieldError, match=r"such as 1234\.56"):
        parse_decimal(value)


@pytest.mark.parametrize("value", ["1,234", "12,50", "1,234.56"])
def test_decimal_with_a_comma_is_refused_and_points_to_decimal_comma(value):
    with pytest.raises(FieldError, match="--decimal-comma"):
        parse_decimal(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1.234,56", "1234.56"),
        ("12,50", "12.50"),
        ("1234,56", "1234.56"),
        ("1.234.567,8", "1234567.8"),
        ("1.234", "1234"),  # with --decimal-comma a dot only ever groups thousands
        ("-7,5", "-7.5"),
        ("15", "15"),
    ],
)
def test_decimal_comma_reads_comma_as_the_decimal_point(value, expected):
    result = parse_decimal(value, decimal_comma=True)
    assert result == Decimal(expected)
    assert str(result) == expected


@pytest.mark.parametrize("value", ["1e5", "1.23", "12.3456,7", "1,2,3", "1.234.56", "12,", ",5", "1234.56"])
def test_decimal_comma_refuses_anything_but_dot_grouped_thousands_and_one_comma(value):
    with pytest.raises(FieldError, match=r"or 1\.234,56"):
        parse_decimal(value, decimal_comma=True)


@given(
    whole=st.integers(min_value=0, max_value=10**12),
    cents=st.integers(min_value=0, max_value=99),
    negative=st.booleans(),
)
def test_the_same_amount_written_either_way_parses_to_the_same_decimal(whole, cents, negative):
    sign = "-" if negative else ""
    plain = f"{sign}{whole}.{cents:02d}"
    grouped = f"{sign}{whole:,}".replace(",", ".") + f",{cents:02d}"
    assert parse_decimal(plain) == parse_decimal(grouped, decimal_comma=True) == Decimal(plain)


# --- amounts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        ("10.50", "USD", "10.50"),
        ("10", "USD", "10"),
        ("0", "USD", "0"),
        ("1500", "JPY", "1500"),
        ("1.234", "KWD", "1.234"),
        ("1.234", "BHD", "1.234"),
        ("10.500", "USD", "10.50"),  # trailing zeros are not extra precision
        ("1.23456", None, "1.23456"),  # no currency yet: nothing to check the places against
    ],
)
def test_amount_within_the_currencys_minor_units_is_accepted(value, currency, expected):
    assert parse_amount(value, currency) == Decimal(expected)


@pytest.mark.parametrize(
    ("value", "currency", "places"),
    [("10.005", "USD", "2"), ("1.5", "JPY", "0"), ("1.2345", "KWD", "3"), ("0.001", "GBP", "2")],
)
def test_amount_with_more_decimals_than_the_currency_has_is_refused(value, currency, places):
    with pytest.raises(FieldError) as error:
        parse_amount(value, currency)
    assert f"{currency} has {places} decimal places" in str(error.value)


def test_amount_with_decimal_comma_is_checked_against_the_currency():
    assert parse_amount("1.234,56", "EUR", decimal_comma=True) == Decimal("1234.56")
    with pytest.raises(FieldError, match="EUR has 2 decimal places, this has 3"):
        parse_amount("1.234,567", "EUR", decimal_comma=True)


@pytest.mark.parametrize("value", ["-0.01", "-10"])
def test_negative_amount_is_refused(value):
    with pytest.raises(FieldError, match="negative"):
        parse_amount(value, "USD")


def test_amount_refuses_the_same_shapes_as_a_decimal():
    with pytest.raises(FieldError, match="--decimal-comma"):
        parse_amount("1,234", "USD")
    with pytest.raises(FieldError):
        parse_amount("1e5", "USD")


# --- currencies, countries, time zones, languages, choices ------------------------------------


def test_currency_code_is_upper_cased():
    assert parse_currency("eur") == "EUR"


@pytest.mark.parametrize("value", ["EURO", "XYZ", "", "$"])
def test_unknown_currency_is_refused(value):
    with pytest.raises(FieldError, match="ISO 4217"):
        parse_currency(value)


@pytest.mark.parametrize(("value", "expected"), [("gb", "GB"), ("US", "US"), ("de", "DE")])
def test_country_code_is_upper_cased(value, expected):
    assert parse_country(value) == expected


@pytest.mark.parametrize("value", ["XX", "UK", "USA", "", "1", "ZZ", "EU", "UN"])
def test_code_that_is_not_an_iso_country_is_refused(value):
    with pytest.raises(FieldError, match="ISO 3166-1"):
        parse_country(value)


def test_iana_time_zone_is_accepted_exactly_as_written():
    assert parse_timezone("America/Chicago") == "America/Chicago"


@pytest.mark.parametrize("value", ["america/chicago", "CST", "Mars/Olympus", ""])
def test_unknown_time_zone_is_refused(value):
    with pytest.raises(FieldError, match="IANA"):
        parse_timezone(value)


@pytest.mark.parametrize("value", ["en", "en-GB", "es-US"])
def test_language_tag_is_accepted(value):
    assert parse_language(value) == value


@pytest.mark.parametrize("value", ["english", "not a tag!", "xx"])
def test_bad_language_tag_is_refused(value):
    with pytest.raises(FieldError, match="BCP 47"):
        parse_language(value)


def test_choice_is_case_insensitive_and_refusal_lists_the_choices():
    assert parse_choice("Person", ("person", "business")) == "person"
    with pytest.raises(FieldError, match="expected one of person, business"):
        parse_choice("charity", ("person", "business"))


# --- emails -----------------------------------------------------------------------------------


def test_email_is_normalised():
    assert parse_email("alice@example.com") == "alice@example.com"
    assert parse_email("Alice@Example.COM") == "Alice@example.com"


@pytest.mark.parametrize(
    "value", ["not an email", "alice@", "@example.com", "alice@example", "a b@example.com"]
)
def test_invalid_email_is_refused_with_the_reason(value):
    with pytest.raises(FieldError, match=r"not a valid email address: .+"):
        parse_email(value)


# --- phones -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "country", "expected"),
    [
        ("(617) 555-0123", "US", "+16175550123"),
        ("617.555.0123", "US", "+16175550123"),
        ("07400 123456", "GB", "+447400123456"),
        ("020 7946 0018", "GB", "+442079460018"),
        ("+44 7400 123456", "US", "+447400123456"),  # an international number keeps its own country
        ("+1 617 555 0123", None, "+16175550123"),
    ],
)
def test_phone_is_normalised_to_e164_using_the_rows_country(value, country, expected):
    assert parse_phone(value, country) == expected


def test_the_same_national_number_means_different_phones_in_different_countries():
    assert parse_phone("07400 123456", "GB") != parse_phone("07400 123456", "DE")


def test_national_number_that_is_not_valid_in_the_rows_country_is_refused_naming_the_country():
    with pytest.raises(FieldError, match="not a valid phone number in US"):
        parse_phone("12345", "US")


def test_invalid_international_number_does_not_blame_the_rows_country():
    with pytest.raises(FieldError) as error:
        parse_phone("+44 12345", "US")
    assert str(error.value) == "not a valid phone number"


@pytest.mark.parametrize(("value", "country"), [("hello", "US"), ("", "GB"), ("617 555 0123", None)])
def test_text_that_is_not_a_phone_number_is_refused(value, country):
    with pytest.raises(FieldError, match="not a phone number"):
        parse_phone(value, country)


# --- yes / no ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["yes", "YES", "Y", "true", "True", "1"])
def test_yes_spellings_are_true(value):
    assert parse_yes_no(value) is True


@pytest.mark.parametrize("value", ["no", "No", "n", "FALSE", "0"])
def test_no_spellings_are_false(value):
    assert parse_yes_no(value) is False


def test_blank_yes_no_is_unknown_not_no():
    assert parse_yes_no("") is None


@pytest.mark.parametrize("value", ["maybe", "2", "si", "x"])
def test_anything_else_is_refused(value):
    with pytest.raises(FieldError, match="yes, no or blank"):
        parse_yes_no(value)
