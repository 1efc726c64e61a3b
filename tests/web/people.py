"""People for the portal and console tests, made through the ledger's own actions (upserts), as the
API would make them: a debtor with an account, and staff in each role."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group, User
from django.utils import timezone

from amicable.console.models import Assignment
from amicable.ledger.models import Account, Creditor
from amicable.ledger.upserts import AccountDetails, CustomerDetails, upsert_account, upsert_customer

BIRTHDAY = date(1984, 3, 27)


def debtor(
    creditor: Creditor,
    ref: str = "C-1",
    *,
    first_name: str = "Maria",
    last_name: str = "Lopez",
    language: str = "en",
    country: str = "US",
    region: str = "MA",
    zone: str = "America/New_York",
    postcode: str = "02139",
    balance: str = "600.00",
    fees: str = "25.00",
    interest: str = "15.00",
    due_in_days: int = -10,
    currency: str = "USD",
    date_of_birth: date | None = BIRTHDAY,
) -> Account:
    """A customer with one account whose balance is partly principal, interest and fees, due
    `due_in_days` from today (negative: overdue)."""
    customer, _ = upsert_customer(
        creditor,
        ref,
        CustomerDetails(
            kind="person",
            first_name=first_name,
            last_name=last_name,
            company_name="",
            date_of_birth=date_of_birth,
            country=country,
            region=region,
            timezone=zone,
            language=language,
            email=f"{first_name.lower()}.{ref.lower()}@example.com",
            mobile="+16175550123" if country == "US" else "+447700900123",
            address={"line1": "12 Elm Street", "city": "Cambridge", "postcode": postcode, "country": country},
            email_consent=True,
            sms_consent=True,
        ),
        source="test",
        actor="test:fixture",
    )
    account, _ = upsert_account(
        customer,
        f"A-{ref}",
        AccountDetails(
            currency=currency,
            balance=Decimal(balance),
            due_date=timezone.localdate() + timedelta(days=due_in_days),
            original_amount=Decimal(balance) - Decimal(fees) - Decimal(interest),
            fees=Decimal(fees),
            interest=Decimal(interest),
        ),
        source="test",
        actor="test:fixture",
    )
    return account


def staff(username: str, role: str, *creditors: Creditor) -> User:
    """A member of staff in `role` (agent, supervisor, admin) assigned to `creditors`."""
    user = User.objects.create_user(username, password="correct horse battery staple")
    user.groups.add(Group.objects.get(name=role))
    for creditor in creditors:
        Assignment.objects.create(user=user, creditor=creditor)
    return user


PASSWORD = "correct horse battery staple"
