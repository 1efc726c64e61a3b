"""The portal's "how much would you like to pay?" form: the full balance, the amount due next, or
another amount, read by amounts.read_amount. Errors name the amount the customer typed."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, format_decimal, get_currency_name
from django import forms
from django.utils.translation import get_language, gettext, gettext_lazy

from amicable.ledger.money import minor_units
from amicable.messages.render import babel_locale

from .amounts import AmountProblem, read_amount

FULL, NEXT, OTHER = "full", "next", "other"


def example_amount(currency: str, language: str) -> str:
    """50.00 (USD), 50,00 (EUR in Spanish), 50 (JPY): how to type an amount in this currency."""
    units = minor_units(currency)
    pattern = "0" + ("." + "0" * units if units else "")
    return format_decimal(Decimal(50), format=pattern, locale=babel_locale(language))


class PayForm(forms.Form):
    choice = forms.ChoiceField(
        choices=[(FULL, FULL), (NEXT, NEXT), (OTHER, OTHER)],
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose how much you would like to pay.")},
    )
    amount = forms.CharField(required=False, max_length=40, strip=True)

    def __init__(self, data=None, *, balance: Decimal, currency: str, next_due: Decimal | None) -> None:
        super().__init__(data)
        self.balance, self.currency = balance, currency
        # The amount due next is offered only when it is less than the whole balance.
        self.next_due = next_due if next_due is not None and 0 < next_due < balance else None
        self.to_pay: Decimal | None = None

    def _show(self, amount: Decimal) -> str:
        language = get_language() or "en"
        return format_currency(amount, self.currency, locale=babel_locale(language))

    @property
    def example(self) -> str:
        return example_amount(self.currency, get_language() or "en")

    @property
    def currency_name(self) -> str:
        return get_currency_name(self.currency, count=2, locale=babel_locale(get_language() or "en"))

    def clean(self):
        data = super().clean()
        if self.balance <= 0:
            raise forms.ValidationError(gettext("There is nothing to pay on this account."))
        if self.errors:
            return data
        typed = data.get("amount", "")
        choice = data.get("choice") or (OTHER if typed else "")
        if not choice:
            self.add_error("choice", gettext("Choose how much you would like to pay."))
        elif choice == FULL:
            self.to_pay = self.balance
        elif choice == NEXT and self.next_due is not None:
            self.to_pay = self.next_due
        elif choice == NEXT:
            self.add_error("choice", gettext("Nothing is due next on its own: choose another option."))
        else:
            try:
                self.to_pay = read_amount(typed, self.currency, self.balance, get_language() or "en")
            except AmountProblem as problem:
                self.add_error("amount", self._explain(problem))
        return data

    def _explain(self, problem: AmountProblem) -> str:
        values = {"typed": problem.typed, "example": self.example, "balance": self._show(self.balance)}
        if problem.code == "missing":
            return gettext("Enter the amount you would like to pay, for example %(example)s.") % values
        if problem.code == "unreadable":
            return gettext(
                "“%(typed)s” is not an amount we can read. Use numbers only, for example %(example)s."
            ) % (values)
        if problem.code == "not_positive":
            return gettext("The amount must be more than zero. You entered %(typed)s.") % values
        if problem.code == "too_precise":
            if minor_units(self.currency) == 0:
                return gettext(
                    "%(typed)s is not a whole amount. Enter it without decimals, for example %(example)s."
                ) % (values)
            return (
                gettext("%(typed)s has too many digits after the decimal point. Enter it like %(example)s.")
                % values
            )
        if problem.amount is not None:
            values["typed"] = self._show(problem.amount)
        return (
            gettext("%(typed)s is more than your balance of %(balance)s. Enter %(balance)s or less.") % values
        )
