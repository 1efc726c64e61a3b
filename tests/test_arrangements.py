"""Plan options and affordability: the creditor's terms, a Standard Financial Statement, the options
that fit, the CONC 7.3.4R flag, and `amicable plans options` on an imported account."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from amicable.arrangements.affordability import StatementError, assess, read_statement
from amicable.arrangements.options import UK_RULE, plan_options
from amicable.arrangements.terms import TermsError, parse_terms

TODAY = date(2026, 11, 24)
STATEMENT = {
    "currency": "GBP",
    "income": {"earnings": "1450.00", "benefits": "120"},
    "expenditure": {
        "housing": "650",
        "energy": "120",
        "council_tax": "110",
        "food_and_housekeeping": "380",
        "travel": "90",
    },
    "other_debts": [{"creditor": "Card Co", "balance": "1800.00"}],
}


def statement(**changes):
    return read_statement(json.dumps({**STATEMENT, **changes}))


def test_disposable_income_is_shared_pro_rata_and_spending_above_a_guideline_is_pointed_out():
    found = assess(
        statement(), balance=Decimal("600.00"), guidelines={"food_and_housekeeping": Decimal("350")}
    )
    assert (found.income, found.expenditure, found.disposable) == (
        Decimal("1570.00"),
        Decimal(1350),
        Decimal("220.00"),
    )
    # 600 of the 2,400 owed in all: a quarter of the 220 left over.
    assert found.share == Decimal("55.00")
    assert (found.per_period("weekly"), found.per_period("fortnightly")) == (
        Decimal("12.69"),
        Decimal("25.38"),
    )
    assert found.over_guideline == (("food_and_housekeeping", Decimal(380), Decimal(350)),)


def test_nothing_left_over_means_a_share_of_nothing():
    found = assess(statement(income={"benefits": "900"}), balance=Decimal("600"))
    assert found.disposable == Decimal(-450) and found.share == 0


def test_instalments_follow_the_affordable_share_within_the_creditors_terms():
    terms = parse_terms({"min_instalment": "10", "max_term_months": 12, "settlement_max_discount": "0.1"})
    affordable = assess(statement(), balance=Decimal("600.00"))
    found = plan_options(Decimal("600.00"), "GBP", TODAY, terms, affordable)
    by_kind = {option.kind: option for option in found.options}
    assert list(by_kind) == ["full", "settlement", "weekly", "fortnightly", "monthly"]
    assert by_kind["full"].fits is False and by_kind["settlement"].total == Decimal("540.00")
    monthly = by_kind["monthly"]
    assert (monthly.instalment, len(monthly.schedule), monthly.fits) == (Decimal("55.00"), 11, True)
    assert monthly.schedule[0] == (date(2026, 12, 1), Decimal("55.00"))
    assert monthly.schedule[-1] == (date(2027, 10, 1), Decimal("50.00"))  # the remainder
    assert sum(amount for _, amount in monthly.schedule) == Decimal("600.00") == monthly.total
    assert found.flags == ()


def test_an_affordable_offer_the_terms_refuse_is_flagged():
    terms = parse_terms({"min_instalment": "100"})
    affordable = assess(statement(), balance=Decimal("600.00"))  # 55 a month
    found = plan_options(Decimal("600.00"), "GBP", TODAY, terms, affordable, rule=UK_RULE)
    monthly = next(option for option in found.options if option.kind == "monthly")
    assert monthly.instalment == Decimal("100") and monthly.fits is False
    flag = next(flag for flag in found.flags if flag["frequency"] == "monthly")
    assert flag["rule"] == "UK-CONC-FORBEARANCE" and flag["citation"] == "CONC 7.3.4R"
    assert "an affordable offer of 55.00 GBP a month would be refused" in flag["message"]


def test_without_a_statement_the_options_are_the_lowest_the_terms_allow():
    found = plan_options(Decimal("120.50"), "USD", TODAY, parse_terms({}))
    weekly = next(option for option in found.options if option.kind == "weekly")
    assert weekly.instalment == Decimal("5") and len(weekly.schedule) == 25 and weekly.fits is None
    assert [option.kind for option in found.options] == [
        "full",
        "weekly",
        "fortnightly",
        "monthly",
    ]  # no discount


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "expected a JSON object"),
        ("{", "not JSON"),
        ('{"currency": "XXY", "income": {}}', "currency:"),
        ('{"currency": "GBP", "income": {"wages": 10}}', "income.wages: not a category"),
        ('{"currency": "GBP", "income": {"earnings": -5}}', "income.earnings: -5 is less than 0"),
        ('{"currency": "GBP", "income": {"earnings": "lots"}}', "income.earnings: 'lots' is not an amount"),
        ('{"currency": "GBP", "income": {}, "other_debts": [{"balance": "x"}]}', "other_debts[0].balance"),
    ],
)
def test_a_bad_statement_names_the_field(text, message):
    with pytest.raises(StatementError, match=message.replace("[", r"\[").replace("]", r"\]")):
        read_statement(text)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"min_instalment": "0"}, "min_instalment: '0' must be more than 0"),
        ({"max_term_months": 0}, "max_term_months: 0 is not a whole number"),
        ({"settlement_max_discount": "1.5"}, "settlement_max_discount: 1.5 is not a share"),
        ({"frequencies": ["daily"]}, "frequencies: 'daily'"),
        ({"maximum": 3}, "unknown setting 'maximum'"),
    ],
)
def test_bad_terms_name_the_setting(settings, message):
    with pytest.raises(TermsError, match=message):
        parse_terms(settings)


def test_plans_options_on_an_imported_account(db, cli, northwind, tmp_path):
    from test_plan_command import import_portfolio

    import_portfolio(cli, tmp_path)
    path = tmp_path / "statement.json"
    path.write_text(json.dumps({**STATEMENT, "currency": "USD", "other_debts": []}))
    result = cli("plans", "options", "A-7", "--statement", path, "--date", "2026-11-24", "--json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["account_ref"] == "A-7" and answer["currency"] == "USD"
    assert answer["affordability"]["share"] == answer["affordability"]["disposable"]  # the only debt
    assert {option["kind"] for option in answer["options"]} == {"full", "weekly", "fortnightly", "monthly"}
    assert all(option["fits"] for option in answer["options"])  # 220 a month covers it


def test_plans_options_names_a_bad_statement_or_account(db, cli, northwind, tmp_path):
    from test_plan_command import import_portfolio

    import_portfolio(cli, tmp_path)
    path = tmp_path / "statement.json"
    path.write_text(json.dumps(STATEMENT))  # GBP, the account is in USD
    result = cli("plans", "options", "A-7", "--statement", path)
    assert result.exit_code == 2 and "the statement is in GBP, the account in USD" in result.output
    result = cli("plans", "options", "NOPE")
    assert result.exit_code == 1 and "no account 'NOPE'" in result.output


def test_a_creditors_bad_terms_are_refused_naming_the_setting(db, northwind):
    from django.core.exceptions import ValidationError

    northwind.arrangement_terms = {"min_instalment": "0"}
    with pytest.raises(ValidationError) as refused:
        northwind.full_clean()
    assert refused.value.message_dict == {"arrangement_terms": ["min_instalment: '0' must be more than 0"]}
    northwind.refresh_from_db()
    assert northwind.arrangement_terms == {}  # nothing was saved
