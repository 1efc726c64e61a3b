"""Money: exact Decimal amounts in an ISO 4217 currency, rounded to that currency's minor units."""

from __future__ import annotations

import decimal
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amicable.ledger.money import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Money,
    MoneyError,
    check_currency,
    minor_units,
    round_amount,
    to_decimal,
)

# --- floats and other inexact or unusable inputs are refused ------------------------------------


@pytest.mark.parametrize("value", [0.1, 1.0, 0.0, float("nan")])
def test_float_amount_is_refused(value):
    with pytest.raises(MoneyError, match="float"):
        Money(value, "USD")


def test_float_amount_is_refused_by_money_of():
    with pytest.raises(MoneyError, match="float"):
        Money.of(0.1, "USD")


@pytest.mark.parametrize("value", [True, False])
def test_bool_amount_is_refused_rather_than_read_as_one_or_zero(value):
    with pytest.raises(MoneyError, match="bool"):
        to_decimal(value)


def test_multiplying_money_by_a_float_is_refused():
    with pytest.raises(MoneyError, match="float"):
        Money.of("10.00", "USD") * 1.1


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "sNaN"])
def test_non_finite_amount_is_refused(value):
    with pytest.raises(MoneyError, match="finite"):
        to_decimal(value)


def test_non_finite_decimal_is_refused():
    with pytest.raises(MoneyError, match="finite"):
        Money(Decimal("Infinity"), "USD")


@pytest.mark.parametrize("value", ["abc", "", "1,000", "12.5.0"])
def test_text_that_is_not_a_number_is_refused_naming_the_text(value):
    with pytest.raises(MoneyError) as error:
        to_decimal(value)
    assert repr(value) in str(error.value)


@pytest.mark.parametrize("value", [None, [1], object()])
def test_amount_of_unsupported_type_is_refused(value):
    with pytest.raises(MoneyError, match="cannot make an amount"):
        to_decimal(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12.50", Decimal("12.50")), (" 7 ", Decimal(7)), (3, Decimal(3)), (Decimal("0.1"), Decimal("0.1"))],
)
def test_str_int_and_decimal_amounts_are_accepted_exactly(value, expected):
    assert to_decimal(value) == expected


def test_string_amounts_add_up_exactly_where_floats_would_not():
    total = Money(Decimal("0.1"), "USD") + Money(Decimal("0.2"), "USD")
    assert total.amount == Decimal("0.3")


# --- currency codes ---------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["USD", "GBP", "EUR", "JPY", "KWD"])
def test_known_currency_is_accepted(code):
    assert check_currency(code) == code


def test_currency_code_is_upper_cased_and_trimmed():
    assert check_currency(" usd ") == "USD"
    assert Money(Decimal(1), "gbp").currency == "GBP"


@pytest.mark.parametrize("code", ["US", "USDD", "ZZZ", "", "   ", "dollars", "€"])
def test_unknown_currency_raises_money_error_naming_the_value(code):
    with pytest.raises(MoneyError) as error:
        check_currency(code)
    assert repr(code) in str(error.value)
    assert "ISO 4217" in str(error.value)


def test_money_in_an_unknown_currency_cannot_be_made():
    with pytest.raises(MoneyError, match="'ABC'"):
        Money(Decimal(1), "ABC")


def test_money_error_is_a_value_error_so_callers_can_catch_either():
    with pytest.raises(ValueError):
        check_currency("nope")


# --- minor units ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "places"),
    [("USD", 2), ("GBP", 2), ("EUR", 2), ("JPY", 0), ("KWD", 3), ("BHD", 3), ("usd", 2)],
)
def test_minor_units_are_the_currencys_decimal_places(currency, places):
    assert minor_units(currency) == places


def test_minor_units_of_unknown_currency_raises():
    with pytest.raises(MoneyError, match="'QQQ'"):
        minor_units("QQQ")


# --- rounding ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("0.005", "USD", "0.01"),
        ("0.015", "USD", "0.02"),
        ("0.025", "USD", "0.03"),  # half-up, not banker's: 0.025 would go to 0.02 half-even
        ("0.004", "USD", "0.00"),
        ("-0.005", "USD", "-0.01"),  # half away from zero: a refund rounds like a charge
        ("2.5", "JPY", "3"),
        ("3.5", "JPY", "4"),
        ("2.4999", "JPY", "2"),
        ("0.0005", "KWD", "0.001"),
        ("1.2344", "BHD", "1.234"),
        ("10", "USD", "10.00"),
    ],
)
def test_rounding_is_half_up_to_the_currencys_minor_units(amount, currency, expected):
    rounded = round_amount(Decimal(amount), currency)
    assert rounded == Decimal(expected)
    assert str(rounded) == expected


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [("0.025", "USD", "0.02"), ("0.035", "USD", "0.04"), ("2.5", "JPY", "2"), ("3.5", "JPY", "4")],
)
def test_bankers_rounding_is_used_when_asked_for(amount, currency, expected):
    assert round_amount(Decimal(amount), currency, ROUND_HALF_EVEN) == Decimal(expected)


def test_money_of_rounds_to_minor_units():
    assert Money.of("19.999", "USD") == Money(Decimal("20.00"), "USD")
    assert Money.of("1234.5", "JPY").amount == Decimal(1235)
    assert Money.of("0.0005", "KWD").amount == Decimal("0.001")


def test_money_constructor_keeps_the_exact_amount():
    assert Money(Decimal("0.333"), "USD").amount == Decimal("0.333")


def test_rounded_money_uses_the_requested_rounding():
    money = Money(Decimal("0.125"), "USD")
    assert money.rounded() == Money(Decimal("0.13"), "USD")
    assert money.rounded(ROUND_HALF_EVEN) == Money(Decimal("0.12"), "USD")


_CURRENCIES = st.sampled_from(["USD", "GBP", "EUR", "JPY", "KWD", "BHD", "CLF", "ISK"])
_AMOUNTS = st.integers(min_value=0, max_value=8).flatmap(
    lambda places: st.decimals(
        min_value=Decimal("-1e12"),
        max_value=Decimal("1e12"),
        places=places,
        allow_nan=False,
        allow_infinity=False,
    )
)


@given(amount=_AMOUNTS, currency=_CURRENCIES, rounding=st.sampled_from([ROUND_HALF_UP, ROUND_HALF_EVEN]))
def test_rounding_gives_exactly_the_minor_units_and_moves_at_most_half_a_minor_unit(
    amount, currency, rounding
):
    rounded = round_amount(amount, currency, rounding)
    assert rounded.as_tuple().exponent == -minor_units(currency)
    with decimal.localcontext(prec=60):
        half_minor_unit = Decimal(1).scaleb(-minor_units(currency)) / 2
        assert abs(rounded - amount) <= half_minor_unit


@given(minor=st.integers(min_value=-(10**12), max_value=10**12), currency=_CURRENCIES)
def test_rounding_half_up_sends_every_exact_half_away_from_zero(minor, currency):
    quantum = Decimal(1).scaleb(-minor_units(currency))
    tie = (Decimal(minor) + Decimal("0.5")) * quantum
    away_from_zero = Decimal(minor + 1 if minor >= 0 else minor) * quantum
    assert round_amount(tie, currency) == away_from_zero


@given(amount=_AMOUNTS, currency=_CURRENCIES)
def test_rounding_twice_changes_nothing(amount, currency):
    once = round_amount(amount, currency)
    assert round_amount(once, currency) == once


# --- arithmetic -------------------------------------------------------------------------------


def test_money_in_the_same_currency_adds_and_subtracts():
    a = Money.of("10.50", "USD")
    b = Money.of("0.75", "USD")
    assert a + b == Money.of("11.25", "USD")
    assert a - b == Money.of("9.75", "USD")
    assert -a == Money.of("-10.50", "USD")


def test_money_multiplies_by_exact_factors_from_either_side():
    assert Money.of("10.00", "USD") * 3 == Money.of("30.00", "USD")
    assert 3 * Money.of("10.00", "USD") == Money.of("30.00", "USD")
    assert Money.of("10.00", "USD") * Decimal("0.015") == Money(Decimal("0.15"), "USD")
    assert Money.of("10.00", "USD") * "1.5" == Money.of("15.00", "USD")


@pytest.mark.parametrize(
    "operation",
    [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a < b,
        lambda a, b: a <= b,
        lambda a, b: a > b,
        lambda a, b: a >= b,
    ],
    ids=["add", "subtract", "lt", "le", "gt", "ge"],
)
def test_arithmetic_and_comparison_across_currencies_raises(operation):
    with pytest.raises(MoneyError, match="cannot combine USD with EUR"):
        operation(Money.of("1.00", "USD"), Money.of("1.00", "EUR"))


def test_adding_a_bare_number_to_money_raises():
    with pytest.raises(MoneyError, match="cannot combine Money with Decimal"):
        Money.of("1.00", "USD") + Decimal(1)


def test_money_in_different_currencies_is_never_equal():
    assert Money.of("1.00", "USD") != Money.of("1.00", "EUR")


def test_comparisons_order_amounts_in_the_same_currency():
    small, large = Money.of("1.00", "GBP"), Money.of("2.00", "GBP")
    assert small < large
    assert small <= large
    assert large > small
    assert large >= small
    assert small <= Money.of("1", "GBP")
    assert not small > large


def test_zero_money_is_falsy_and_any_other_amount_is_truthy():
    assert not Money.zero("USD")
    assert Money.zero("usd").currency == "USD"
    assert Money.of("0.01", "USD")
    assert Money.of("-0.01", "USD")


def test_money_prints_with_currency_grouping_and_minor_units():
    assert str(Money.of("1234.5", "USD")) == "USD 1,234.50"
    assert str(Money(Decimal("1234.5"), "JPY")) == "JPY 1,235"
    assert str(Money.of("-5", "KWD")) == "KWD -5.000"


def test_money_is_immutable():
    money = Money.of("1.00", "USD")
    with pytest.raises(AttributeError):
        money.amount = Decimal(2)  # type: ignore[misc]
