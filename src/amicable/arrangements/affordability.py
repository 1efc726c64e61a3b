"""What a customer can afford, from an income and expenditure statement laid out as the Standard
Financial Statement is (income; fixed costs; flexible costs; priority debts), all monthly.

Disposable income is income less expenditure. It is shared between the customer's non-priority
debts in proportion to what each is owed (pro rata), so no creditor takes more than its share; the
share for this account is the most a plan for it should ask. Flexible spending above the creditor's
guideline for a category is pointed out, not taken away: the statement is the customer's own.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from amicable.ledger.money import MoneyError, check_currency, round_amount, to_decimal

INCOME = ("earnings", "benefits", "pensions", "other_income")
FIXED_COSTS = (
    "housing", "council_tax", "water", "energy", "tv_licence", "insurance", "childcare",
    "child_maintenance", "court_fines", "hire_purchase", "other_fixed",
)  # fmt: skip
FLEXIBLE_COSTS = (
    "food_and_housekeeping",
    "personal_costs",
    "communications_and_leisure",
    "travel",
    "savings",
)
PRIORITY_DEBTS = ("priority_debts",)  # payments towards rent, council tax, energy or tax arrears
EXPENDITURE = FIXED_COSTS + FLEXIBLE_COSTS + PRIORITY_DEBTS
PER_MONTH = {"monthly": Decimal(1), "weekly": Decimal(52) / 12, "fortnightly": Decimal(26) / 12}


class StatementError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Statement:
    currency: str
    income: Mapping[str, Decimal]
    expenditure: Mapping[str, Decimal]
    other_debts: tuple[tuple[str, Decimal], ...]  # (who, balance) owed to other creditors


@dataclass(frozen=True, slots=True)
class Affordability:
    currency: str
    income: Decimal
    expenditure: Decimal
    disposable: Decimal  # a month; negative when spending is more than income
    debts_total: Decimal  # every non-priority debt, this one included
    share: Decimal  # this account's share of the disposable income, a month (0 when none is left)
    over_guideline: tuple[tuple[str, Decimal, Decimal], ...]  # (category, spent, guideline)

    def per_period(self, frequency: str) -> Decimal:
        """The share as an instalment every week, fortnight or month, rounded down to the cent."""
        return (self.share / PER_MONTH[frequency]).quantize(Decimal("0.01"), rounding=ROUND_DOWN)

    def as_json(self) -> dict:
        return {
            "currency": self.currency,
            "income": str(self.income),
            "expenditure": str(self.expenditure),
            "disposable": str(self.disposable),
            "debts_total": str(self.debts_total),
            "share": str(self.share),
            "per_period": {frequency: str(self.per_period(frequency)) for frequency in PER_MONTH},
            "over_guideline": [
                {"category": name, "spent": str(spent), "guideline": str(limit)}
                for name, spent, limit in self.over_guideline
            ],
        }


def read_statement(text: str) -> Statement:
    """A statement from JSON text: {"currency", "income": {...}, "expenditure": {...},
    "other_debts": [{"creditor", "balance"}]}, amounts a month. Errors name the field."""
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise StatementError(f"not JSON: {error.msg} at line {error.lineno}, column {error.colno}") from None
    if not isinstance(data, dict):
        raise StatementError("expected a JSON object with income and expenditure")
    unknown = set(data) - {"currency", "income", "expenditure", "other_debts"}
    if unknown:
        raise StatementError(f"unknown field {sorted(unknown)[0]!r}")
    try:
        currency = check_currency(str(data.get("currency", "")))
    except MoneyError as error:
        raise StatementError(f"currency: {error}") from None
    income = _amounts(data.get("income"), "income", INCOME)
    expenditure = _amounts(data.get("expenditure", {}), "expenditure", EXPENDITURE)
    debts = []
    for index, debt in enumerate(data.get("other_debts") or []):
        where = f"other_debts[{index}]"
        if not isinstance(debt, dict) or set(debt) - {"creditor", "balance"}:
            raise StatementError(f'{where}: expected {{"creditor", "balance"}}')
        debts.append((str(debt.get("creditor", "")), _amount(debt.get("balance"), f"{where}.balance")))
    return Statement(currency, income, expenditure, tuple(debts))


def _amounts(section: object, name: str, known: tuple[str, ...]) -> dict[str, Decimal]:
    if not isinstance(section, dict):
        raise StatementError(f"{name}: expected an object of category: amount a month")
    for category in section:
        if category not in known:
            raise StatementError(f"{name}.{category}: not a category (expected one of {', '.join(known)})")
    return {category: _amount(value, f"{name}.{category}") for category, value in section.items()}


def _amount(value: object, where: str) -> Decimal:
    try:
        amount = to_decimal(str(value) if isinstance(value, int | Decimal) else value)
    except (MoneyError, TypeError):
        raise StatementError(f"{where}: {value!r} is not an amount") from None
    if amount < 0:
        raise StatementError(f"{where}: {value} is less than 0")
    return amount


def assess(
    statement: Statement,
    *,
    balance: Decimal,
    other_balances_here: Decimal = Decimal(0),
    guidelines: Mapping[str, Decimal] | None = None,
) -> Affordability:
    """This account's share of what the statement leaves over. other_balances_here: the customer's
    other debts with the same creditor, which are shared with too."""
    income = sum(statement.income.values(), Decimal(0))
    expenditure = sum(statement.expenditure.values(), Decimal(0))
    disposable = income - expenditure
    debts_total = balance + other_balances_here + sum((b for _, b in statement.other_debts), Decimal(0))
    share = Decimal(0)
    if disposable > 0 and debts_total > 0:
        share = round_amount(disposable * balance / debts_total, statement.currency, rounding=ROUND_DOWN)
    over = tuple(
        (name, spent, limit)
        for name, limit in (guidelines or {}).items()
        if (spent := statement.expenditure.get(name, Decimal(0))) > limit
    )
    return Affordability(statement.currency, income, expenditure, disposable, debts_total, share, over)
