"""The shapes of requests and responses, as the OpenAPI schema shows them.

Request bodies name the columns of the CSV import (docs/import.md) and take them as strings: amounts
too ("120.50"), so no amount ever passes through a float. Unknown fields are refused, as unknown
columns are, because a misspelt field would otherwise be dropped without a word. The values are
checked by parsing.py with the import's own parsers.

In responses money is {"amount": "120.50", "currency": "USD"} and datetimes are ISO 8601 with
their UTC offset.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import AwareDatetime, ConfigDict, Field

from amicable.arrangements.affordability import EXPENDITURE, INCOME
from amicable.ledger.models import HoldKind


class Body(Schema):
    model_config = ConfigDict(extra="forbid")


def _field(description: str, example: Any = None) -> Any:
    return Field(None, description=description, examples=[example] if example is not None else None)


# Requests -------------------------------------------------------------------------------------


class CustomerIn(Body):
    customer_type: Literal["person", "business"] | None = _field("person (default) or business", "person")
    first_name: str | None = _field("At most 100 characters; a person needs a first or last name", "Ana")
    last_name: str | None = _field("At most 100 characters", "García")
    company_name: str | None = _field("A business needs it; at most 200 characters")
    date_of_birth: str | None = _field("ISO date, in the past", "1980-04-02")
    email: str | None = _field("Checked and normalised", "ana@example.com")
    mobile: str | None = _field(
        "Normalised to E.164; national numbers are read as `country`'s", "(617) 555-0123"
    )
    landline: str | None = _field("As mobile")
    address_line1: str | None = _field("Required when any part of an address is given", "1 Main St")
    address_line2: str | None = _field("Second address line")
    city: str | None = _field("City", "Boston")
    postcode: str | None = _field("Postcode or ZIP code", "02108")
    country: str = Field(..., description="ISO 3166-1 alpha-2", examples=["US"])
    region: str | None = _field("Subdivision code: MA for US-MA, ENG for GB-ENG", "MA")
    timezone: str | None = _field(
        "IANA name; derived from country and region when they lie wholly in one zone", "America/New_York"
    )
    language: str | None = _field("BCP 47 tag; default DEFAULT_LANGUAGE", "es-US")
    email_consent: bool | None = _field(
        "Consent to messages about the debt at `email`: true, false (a revocation) or null (leave as is)",
        True,
    )
    sms_consent: bool | None = _field("The same for texts to `mobile`", True)


class InstalmentIn(Body):
    due_on: str = Field(..., description="ISO date", examples=["2026-05-01"])
    amount: str = Field(..., description="More than zero, in the account's currency", examples=["60.25"])


class AccountIn(Body):
    customer_ref: str = Field(
        ..., description="A customer already put with PUT /customers/{ref}", examples=["C-77"]
    )
    currency: str = Field(..., description="ISO 4217", examples=["USD"])
    balance: str = Field(..., description="What is owed now, >= 0", examples=["120.50"])
    due_date: str | None = _field("ISO date the balance is (or was) due; or give `schedule`", "2026-12-01")
    schedule: list[InstalmentIn] | None = _field(
        "Instalments instead of `due_date`, totalling the balance; an account in an arrangement keeps its own"
    )
    original_amount: str | None = _field("The principal originally owed (new accounts)", "150.00")
    fees: str | None = _field("The part of `balance` that is fees (new accounts)", "10.00")
    interest: str | None = _field("The part of `balance` that is interest (new accounts)", "5.50")
    product_type: str | None = _field("E.g. credit_card, utility, invoice", "utility")
    opened_on: str | None = _field("ISO date")
    charged_off_on: str | None = _field("ISO date")
    statute_of_limitations_on: str | None = _field("ISO date after which the debt is time-barred")


class PaymentIn(Body):
    account_ref: str = Field(..., examples=["NW-1001"])
    payment_ref: str = Field(
        ..., description="Your reference; a payment is posted once per reference", examples=["PAY-9001"]
    )
    amount: str = Field(..., description="More than zero", examples=["40.00"])
    currency: str = Field(..., description="The account's currency", examples=["USD"])
    paid_on: str = Field(..., description="ISO date, not in the future", examples=["2026-03-09"])


class HoldIn(Body):
    kind: HoldKind = Field(..., examples=["bankruptcy"])
    applies_to: Literal["account", "customer"] = Field(
        "account", description="This account only, or every account of its customer"
    )
    starts_at: AwareDatetime | None = _field("Default now; with a UTC offset")
    ends_at: AwareDatetime | None = _field("Default: until ended")
    source: str | None = _field("Who or what asked for it: a letter, a call, a court", "letter from attorney")
    note: str | None = _field("Anything a person reading the timeline needs to know")


class EndHoldIn(Body):
    at: AwareDatetime | None = _field("Default now; with a UTC offset")
    reason: str | None = _field("Why it ends", "bankruptcy discharged")


class StatementIn(Body):
    """An income and expenditure statement in the Standard Financial Statement's layout, every amount
    a month (docs/arrangements.md). Amounts are strings, or JSON numbers read exactly as decimals."""

    currency: str = Field(..., description="The account's currency", examples=["GBP"])
    income: dict[Literal[INCOME], str] = Field(..., examples=[{"earnings": "1450.00", "benefits": "120"}])
    expenditure: dict[Literal[EXPENDITURE], str] = Field(
        default_factory=dict, examples=[{"housing": "650", "energy": "120", "food_and_housekeeping": "380"}]
    )
    # Plain objects, not a nested schema: this schema is inlined in the OpenAPI document (plans.py),
    # where a nested schema's reference would point nowhere.
    other_debts: list[dict[Literal["creditor", "balance"], str]] = Field(
        default_factory=list,
        description="What the customer owes other creditors",
        examples=[[{"creditor": "Card Co", "balance": "1800.00"}]],
    )


# Responses ------------------------------------------------------------------------------------


class MoneyOut(Schema):
    amount: str = Field(..., examples=["120.50"])
    currency: str = Field(..., examples=["USD"])


class ConsentOut(Schema):
    state: Literal["granted", "revoked", "unknown"]
    source: str | None = None
    at: str | None = None


class ContactPointOut(Schema):
    kind: Literal["email", "mobile", "landline", "postal"]
    value: str
    address: dict[str, str] | None
    consents: dict[str, ConsentOut]
    verified: bool
    invalid: bool


class CustomerOut(Schema):
    customer_ref: str
    created: bool = Field(..., description="True when this request added the customer")
    customer_type: str
    first_name: str
    last_name: str
    company_name: str
    date_of_birth: date | None
    country: str
    region: str
    timezone: str
    language: str
    contact_points: list[ContactPointOut]


class InstalmentOut(Schema):
    due_on: date
    amount: MoneyOut


class ItemisationOut(Schema):
    balance: MoneyOut
    principal: MoneyOut
    interest: MoneyOut
    fees: MoneyOut
    unallocated_credit: MoneyOut
    total_charged: MoneyOut
    total_interest: MoneyOut
    total_fees: MoneyOut
    total_paid: MoneyOut
    total_credited: MoneyOut
    total_written_off: MoneyOut
    net_adjustments: MoneyOut


class AccountSummaryOut(Schema):
    account_ref: str
    customer_ref: str
    currency: str
    balance: MoneyOut
    status: str
    product_type: str
    opened_on: date | None
    charged_off_on: date | None
    statute_of_limitations_on: date | None
    schedule: list[InstalmentOut]


class AccountWrittenOut(AccountSummaryOut):
    created: bool = Field(..., description="True when this request added the account")


class HoldOut(Schema):
    id: int
    kind: str
    applies_to: Literal["account", "customer"]
    account_ref: str | None
    customer_ref: str
    starts_at: datetime
    ends_at: datetime | None
    active: bool
    source: str
    note: str


class PromiseOut(Schema):
    id: int
    amount: MoneyOut
    due_on: date
    channel: str
    made_at: datetime


class DisputeOut(Schema):
    id: int
    status: str
    reason: str
    received_at: datetime
    within_validation_period: bool


class TimelineEntryOut(Schema):
    at: datetime
    actor: str
    action: str
    summary: str
    account_ref: str | None = Field(..., description="Null for what concerns the customer as a whole")
    changes: dict[str, Any]


class TimelineOut(Schema):
    count: int
    limit: int
    offset: int
    next_offset: int | None = Field(..., description="The offset of the next page; null on the last")
    items: list[TimelineEntryOut]


class AccountOut(AccountSummaryOut):
    itemisation: ItemisationOut
    holds: list[HoldOut] = Field(..., description="Holds in force or to come, on the account or its customer")
    open_promises: list[PromiseOut]
    open_disputes: list[DisputeOut]
    timeline: TimelineOut = Field(
        ..., description="The account's audit rows and its customer's, newest first"
    )


class PaymentOut(Schema):
    id: int
    account_ref: str
    payment_ref: str
    amount: MoneyOut
    paid_on: date
    recorded_at: datetime


class PaymentPostedOut(Schema):
    created: bool = Field(..., description="False when the payment_ref was already posted: nothing changed")
    payment: PaymentOut
    account: AccountSummaryOut


class Passed(Schema):
    # Plan options are amicable.arrangements' own JSON, passed through: fields it gains are shown too.
    model_config = ConfigDict(extra="allow")


class ScheduledPaymentOut(Passed):
    due_on: str = Field(..., examples=["2026-03-17"])
    amount: str = Field(..., examples=["25.00"])


class PlanOptionOut(Passed):
    kind: str = Field(..., description="full, settlement, weekly, fortnightly or monthly")
    currency: str
    instalment: str
    payments: int
    total: str
    end_date: str
    fits: bool | None = Field(..., description="Whether the statement affords it; null without one")
    note: str
    schedule: list[ScheduledPaymentOut]


class AffordabilityOut(Passed):
    currency: str
    income: str
    expenditure: str
    disposable: str
    debts_total: str
    share: str = Field(..., description="This account's share of the disposable income, a month")
    per_period: dict[str, str]
    over_guideline: list[dict[str, str]]


class FlagOut(Passed):
    rule: str
    citation: str
    frequency: str
    message: str


class PlanOptionsOut(Passed):
    account_ref: str
    creditor: str
    currency: str
    balance: str = Field(..., description="In `currency`, as every amount below")
    affordability: AffordabilityOut | None
    options: list[PlanOptionOut]
    flags: list[FlagOut]


class ErrorDetail(Schema):
    field: str | None = Field(..., examples=["amount"])
    message: str = Field(..., examples=["expected a decimal number such as 1234.56"])
    value: Any = Field(None, examples=["12,50"])


class ErrorOut(Schema):
    error: ErrorDetail


# The errors every authenticated endpoint can answer with, for the OpenAPI schema.
ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {400: ErrorOut, **ERRORS, 409: ErrorOut}


# Conversations and arrangements -----------------------------------------------------------------


class PromiseIn(Body):
    amount: str = Field(..., description="More than zero, in the account's currency", examples=["50.00"])
    due_on: str = Field(..., description="ISO date the customer will pay by", examples=["2026-03-13"])
    channel: str = Field("api", description="How it was made: call, portal, letter, api", examples=["call"])
    source: str | None = _field("Who took it", "agent Sam, call 9 March")


class DisputeIn(Body):
    reason: str = Field(..., description="In the customer's words", examples=["I paid this in January"])
    evidence: str | None = _field("What they sent with it", "bank statement, 12 Jan")
    source: str | None = _field("Where it came from", "letter of 9 March")


class VerificationIn(Body):
    note: str | None = _field("What was sent", "statement of account and original agreement posted")


class CallIn(Body):
    outcome: Literal[
        "right_party", "third_party", "no_answer", "voicemail", "busy", "not_in_service", "dropped"
    ] = Field(..., examples=["right_party"])
    at: AwareDatetime | None = _field("When the call was made; default now")
    number: str | None = _field("The number called", "+16175550123")
    notes: str | None = _field("The agent's summary", "Lost hours at work; will pay Friday")
    voicemail: str | None = _field("What was left, for a voicemail (a limited-content message)")
    promise_amount: str | None = _field("A promise made on the call", "60.00")
    promise_on: str | None = _field("The day promised", "2026-03-13")
    dispute: str | None = _field("A dispute raised on the call, in their words")
    callback_at: AwareDatetime | None = _field("A call back they asked for (within 7 days)")


class PlanAcceptIn(Body):
    kind: Literal["full", "settlement", "weekly", "fortnightly", "monthly"] = Field(..., examples=["monthly"])
    instalment: str | None = _field("An instalment the customer chose, within the creditor's terms", "40.00")
    channel: str = Field("api", description="How it was agreed", examples=["portal"])
    statement: dict | None = _field("Their income and expenditure statement, as for plan-options")


class CallOut(Schema):
    id: int
    outcome: str
    at: datetime
    rules_against: list[str]
    reasons: list[dict]


class PlanInstalmentOut(Schema):
    number: int
    due_on: date
    amount: str
    paid: str
    status: str = Field(..., description="upcoming, overdue (inside the grace period), paid, late, missed")
    settled_on: date | None


class PlanOut(Schema):
    """A plan as amicable.arrangements.accounts.plan_json writes it (amounts in `currency`)."""

    id: int
    account_ref: str
    kind: str
    status: str = Field(..., description="active, completed, broken, replaced")
    currency: str
    instalment: str
    payments: int
    total: str
    accepted_at: datetime
    accepted_on: date
    channel: str
    grace_days: int
    ended_on: date | None
    instalments: list[PlanInstalmentOut]
