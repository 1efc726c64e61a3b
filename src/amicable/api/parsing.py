"""Reading request bodies with the CSV import's parsers (amicable.ledger.importing.fields), so a bad
value gets the same message through the API as in an import file, under the same name.

The schemas (schemas.py) only say which fields exist and that they are strings; the values are read
here, in the order the import reads a row's columns, stopping at the first that is wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from amicable.ledger.importing import fields as f
from amicable.ledger.jurisdictions import AmbiguousTimezone, derive_timezone
from amicable.ledger.models import CustomerKind
from amicable.ledger.money import ZERO
from amicable.ledger.opening import amounts_problem
from amicable.ledger.upserts import AccountDetails, CustomerDetails

from .errors import ApiError


class Reader:
    """One body's values, read one field at a time; the first bad one raises ApiError (422)."""

    def __init__(self, values: dict[str, Any], prefix: str = "") -> None:
        self.values = values
        self.prefix = prefix  # e.g. "schedule[2]." for an item of a list

    def raw(self, name: str) -> str:
        value = self.values.get(name)
        return "" if value is None else str(value).strip()  # CSV cells are stripped too

    def fail(self, name: str, message: str, value: Any = None) -> ApiError:
        """The error for field `name`, showing what was sent unless `value` says otherwise."""
        return ApiError(
            422, message, field=self.prefix + name, value=self.values.get(name) if value is None else value
        )

    def get(self, name: str, parse: Callable, *args, required: bool = False, default: Any = None) -> Any:
        value = self.raw(name)
        if value == "":
            if required:
                raise ApiError(422, "required", field=self.prefix + name, value=None)
            return default
        try:
            return parse(value, *args)
        except f.FieldError as error:
            # The import's own words, except its hint at a command-line option the API does not have.
            message = str(error).replace("use --decimal-comma", "write 1234.56")
            raise self.fail(name, message) from None


def read_customer(values: dict[str, Any]) -> CustomerDetails:
    """The customer columns of an accounts import, with the import's rules
    (amicable.ledger.importing.accounts.parse_account_row)."""
    r = Reader(values)
    kind = r.get("customer_type", f.parse_choice, tuple(CustomerKind.values), default=CustomerKind.PERSON)
    first_name = r.get("first_name", f.text(100), default="")
    last_name = r.get("last_name", f.text(100), default="")
    company_name = r.get("company_name", f.text(200), default="")
    if kind == CustomerKind.PERSON and not (first_name or last_name):
        raise r.fail("last_name", "a person needs a first_name or last_name")
    if kind == CustomerKind.BUSINESS and not company_name:
        raise r.fail("company_name", "a business needs a company_name")
    date_of_birth = r.get("date_of_birth", f.parse_date)
    if date_of_birth is not None and date_of_birth >= timezone.localdate():
        raise r.fail("date_of_birth", "must be in the past")
    country = r.get("country", f.parse_country, required=True)
    region = r.get("region", f.parse_region, country, default="")
    zone = r.get("timezone", f.parse_timezone)
    if zone is None:
        try:
            zone = derive_timezone(country, region)
        except AmbiguousTimezone as error:
            raise r.fail("timezone", str(error)) from None
    language = r.get("language", f.parse_language, default=settings.DEFAULT_LANGUAGE)
    email = r.get("email", f.parse_email, default="")
    mobile = r.get("mobile", f.parse_phone, country, default="")
    landline = r.get("landline", f.parse_phone, country, default="")
    address = None
    if any(r.raw(name) for name in ("address_line1", "address_line2", "city", "postcode")):
        if not r.raw("address_line1"):
            raise r.fail("address_line1", "required when any other part of the address is given")
        address = {
            "line1": r.get("address_line1", f.text(200), default=""),
            "line2": r.get("address_line2", f.text(200), default=""),
            "city": r.get("city", f.text(100), default=""),
            "region": region,
            "postcode": r.get("postcode", f.text(20), default=""),
            "country": country,
        }
    email_consent, sms_consent = values.get("email_consent"), values.get("sms_consent")
    if email_consent is not None and not email:
        raise r.fail("email_consent", "given with no email")
    if sms_consent is not None and not mobile:
        raise r.fail("sms_consent", "given with no mobile")
    return CustomerDetails(
        kind=kind,
        first_name=first_name,
        last_name=last_name,
        company_name=company_name,
        date_of_birth=date_of_birth,
        country=country,
        region=region,
        timezone=zone,
        language=language,
        email=email,
        mobile=mobile,
        landline=landline,
        address=address,
        email_consent=email_consent,
        sms_consent=sms_consent,
    )


def read_account(values: dict[str, Any]) -> tuple[str, AccountDetails]:
    """(customer_ref, the account) from the account columns of an accounts import, with its rules;
    `schedule` (instalments) may stand in for `due_date`."""
    r = Reader(values)
    customer_ref = r.get("customer_ref", f.text(100), required=True)
    currency = r.get("currency", f.parse_currency, required=True)
    balance = r.get("balance", f.parse_amount, currency, required=True)
    due_date = r.get("due_date", f.parse_date)
    instalments = None
    if values.get("schedule") is not None:
        if due_date is not None:
            raise r.fail("schedule", "give a due_date or a schedule, not both")
        instalments = _instalments(values["schedule"], currency)
        total = sum((amount for _, amount in instalments), ZERO)
        if total != balance:
            raise r.fail("schedule", f"the instalments total {total}, the balance is {balance}", str(total))
    elif due_date is None:
        raise ApiError(422, "required (or a schedule of instalments)", field="due_date")
    original = r.get("original_amount", f.parse_amount, currency)
    fees = r.get("fees", f.parse_amount, currency, default=ZERO)
    interest = r.get("interest", f.parse_amount, currency, default=ZERO)
    problem = amounts_problem(balance, fees, interest, original)
    if problem:
        raise r.fail(*problem)
    details = AccountDetails(
        currency=currency,
        balance=balance,
        due_date=due_date,
        instalments=instalments,
        original_amount=original,
        fees=fees,
        interest=interest,
        product_type=r.get("product_type", f.text(50), default=""),
        opened_on=r.get("opened_on", f.parse_date),
        charged_off_on=r.get("charged_off_on", f.parse_date),
        statute_of_limitations_on=r.get("statute_of_limitations_on", f.parse_date),
    )
    return customer_ref, details


def _instalments(items: list[dict[str, Any]], currency: str) -> tuple[tuple[date, Decimal], ...]:
    seen: dict[date, int] = {}
    instalments = []
    for index, item in enumerate(items):
        r = Reader(item, prefix=f"schedule[{index}].")
        due_on = r.get("due_on", f.parse_date, required=True)
        amount = r.get("amount", f.parse_amount, currency, required=True)
        if amount == 0:
            raise r.fail("amount", "every instalment must be more than zero")
        if due_on in seen:
            raise r.fail("due_on", f"schedule[{seen[due_on]}] falls on the same day")
        seen[due_on] = index
        instalments.append((due_on, amount))
    return tuple(instalments)


@dataclass(frozen=True, slots=True)
class PaymentDetails:
    account_ref: str
    payment_ref: str
    amount: Decimal
    currency: str
    paid_on: date


def read_payment(values: dict[str, Any]) -> PaymentDetails:
    """The columns of a payments import, with its rules (importing/payments.parse_payment_row)."""
    r = Reader(values)
    account_ref = r.get("account_ref", f.text(100), required=True)
    payment_ref = r.get("payment_ref", f.text(100), required=True)
    currency = r.get("currency", f.parse_currency, required=True)
    amount = r.get("amount", f.parse_amount, currency, required=True)
    if amount == 0:
        raise r.fail("amount", "a payment must be more than zero")
    paid_on = r.get("paid_on", f.parse_date, required=True)
    if paid_on > timezone.localdate():
        raise r.fail("paid_on", "is in the future")
    return PaymentDetails(account_ref, payment_ref, amount, currency, paid_on)


def read_text(values: dict[str, Any], name: str, max_length: int, default: str = "") -> str:
    return Reader(values).get(name, f.text(max_length), default=default)


def read_day(value: str | None, name: str = "date") -> date:
    """A day given as a query parameter; today when absent."""
    return Reader({name: value}).get(name, f.parse_date, default=None) or timezone.localdate()


def read_ref(value: str, name: str) -> str:
    """A creditor's reference given in the path: at most 100 characters, as in an import."""
    return Reader({name: value}).get(name, f.text(100), required=True)
