"""Generate a realistic synthetic portfolio. Pure and deterministic: (customers, seed, as_of) fix it.

The output is what a creditor would hand over: rows in the import CSV formats, plus the facts the
import format does not carry (instalment plans, holds, contact preferences, product types).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

import phonenumbers

from . import names


@dataclass(frozen=True, slots=True)
class DemoCreditor:
    name: str
    role: str
    brand_name: str
    email: str
    phone: str
    product_type: str
    countries: tuple[str, ...]
    business: bool
    median_balance: int
    weight: float


CREDITORS = (
    DemoCreditor(
        "Northwind Energy",
        "creditor",
        "Northwind Energy",
        "billing@northwind-energy.example",
        "+18005550100",
        "utility",
        ("US",),
        False,
        180,
        0.25,
    ),
    DemoCreditor(
        "Fairway Recoveries",
        "debt_collector",
        "Fairway Recoveries",
        "help@fairway-recoveries.example",
        "+18885550142",
        "credit_card",
        ("US",),
        False,
        1400,
        0.25,
    ),
    DemoCreditor(
        "Harbour Telecom",
        "creditor",
        "Harbour Telecom",
        "accounts@harbour-telecom.example",
        "+443001234567",
        "telecom",
        ("GB",),
        False,
        120,
        0.2,
    ),
    DemoCreditor(
        "Brightside Lending",
        "creditor",
        "Brightside",
        "support@brightside-lending.example",
        "+443301234567",
        "personal_loan",
        ("GB",),
        False,
        2500,
        0.15,
    ),
    DemoCreditor(
        "Keystone Wholesale",
        "creditor",
        "Keystone Wholesale",
        "credit.control@keystone.example",
        "+13125550177",
        "invoice",
        ("US", "GB"),
        True,
        4000,
        0.15,
    ),
)

HOLD_KINDS = {
    "US": ("dispute", "dispute", "cease", "bankruptcy", "deceased", "represented", "vulnerability_review"),
    "GB": (
        "breathing_space",
        "breathing_space",
        "mental_health_crisis",
        "dispute",
        "vulnerability_review",
        "represented",
        "deceased",
    ),
}


@dataclass(slots=True)
class Portfolio:
    as_of: date
    creditors: tuple[DemoCreditor, ...]
    accounts: list[dict[str, str]] = field(default_factory=list)
    payments: list[dict[str, str]] = field(default_factory=list)
    instalments: dict[tuple[str, str], list[tuple[date, Decimal]]] = field(default_factory=dict)
    holds: list[dict[str, object]] = field(default_factory=list)
    preferences: dict[tuple[str, str], dict[str, object]] = field(default_factory=dict)


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class _Generator:
    def __init__(self, seed: int, as_of: date) -> None:
        self.rng = random.Random(seed)
        self.as_of = as_of

    def creditor(self) -> DemoCreditor:
        return self.rng.choices(CREDITORS, weights=[c.weight for c in CREDITORS])[0]

    def phone(self, country: str, kind: str, area: str) -> str:
        """A number that phonenumbers accepts; US numbers use the 555-01xx range kept for fiction."""
        for _ in range(20):
            if country == "US":
                text = f"+1{area}5550{self.rng.randint(100, 199)}"
            elif kind == "mobile":
                text = f"+447{self.rng.choice('4579')}{self.rng.randint(10_000_000, 99_999_999)}"
            else:
                digits = 10 - len(area)
                text = f"+44{area}{self.rng.randint(10 ** (digits - 1) * 2, 10**digits - 1)}"
            if phonenumbers.is_valid_number(phonenumbers.parse(text)):
                return text
        return ""

    def person(self, country: str) -> tuple[str, str, str]:
        rng = self.rng
        if country == "US" and rng.random() < 0.2:
            return (
                rng.choice(names.HISPANIC_FIRST),
                rng.choice(names.HISPANIC_LAST),
                rng.choice(["es", "es-US", "en-US"]),
            )
        if country == "US":
            return rng.choice(names.US_FIRST), rng.choice(names.US_LAST), rng.choice(["en", "en-US"])
        if rng.random() < 0.03:
            return rng.choice(names.HISPANIC_FIRST), rng.choice(names.HISPANIC_LAST), "es"
        return rng.choice(names.UK_FIRST), rng.choice(names.UK_LAST), "en-GB"

    def customer(self, number: int, creditor: DemoCreditor) -> dict[str, str]:
        rng = self.rng
        country = rng.choice(creditor.countries)
        row: dict[str, str] = {
            "creditor": creditor.name,
            "customer_ref": f"C{number:07d}",
            "country": country,
        }
        if creditor.business:
            company = f"{rng.choice(names.BUSINESS_WORDS)} {rng.choice(names.BUSINESS_KINDS)}"
            suffix = " Ltd" if country == "GB" else rng.choice([" LLC", " Inc.", ""])
            first, last, language = self.person(country)
            row |= {
                "customer_type": "business",
                "company_name": company + suffix,
                "first_name": first,
                "last_name": last,
                "language": "en-GB" if country == "GB" else "en-US",
            }
            slug = company.lower().replace(" ", "")
            email = f"accounts@{slug}.example"
        else:
            first, last, language = self.person(country)
            birth = self.as_of - timedelta(days=rng.randint(19 * 365, 85 * 365))
            row |= {
                "customer_type": "person",
                "first_name": first,
                "last_name": last,
                "language": language,
                "date_of_birth": birth.isoformat() if rng.random() < 0.7 else "",
            }
            plain = (first + "." + last).lower().replace("'", "")
            plain = plain.translate(str.maketrans("áéíóúñü", "aeiounu"))
            email = f"{plain}{rng.randint(1, 99)}@{rng.choice(['example.com', 'example.org', 'example.net'])}"
        if country == "US":
            city, region, zip_prefix, tz, area = rng.choice(names.US_PLACES)
            postcode = f"{zip_prefix}{rng.randint(10, 99)}"
        else:
            city, region, outward, area = rng.choice(names.UK_PLACES)
            tz = ""
            letters = "ABDEFGHJLNPQRSTUWXYZ"  # the letters UK inward codes use
            postcode = f"{outward} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
        row |= {
            "region": region,
            "timezone": tz,
            "city": city,
            "postcode": postcode,
            "address_line1": f"{rng.randint(1, 240)} {rng.choice(names.STREETS)}",
        }
        if rng.random() < 0.88:
            row["email"] = email
            row["email_consent"] = rng.choices(["yes", "no", ""], weights=[70, 4, 26])[0]
        if not creditor.business and rng.random() < 0.85:
            row["mobile"] = self.phone(country, "mobile", area)
            row["sms_consent"] = (
                rng.choices(["yes", "no", ""], weights=[65, 6, 29])[0] if row["mobile"] else ""
            )
        if rng.random() < (0.6 if creditor.business else 0.2):
            row["landline"] = self.phone(country, "landline", area)
        if rng.random() < 0.04:  # some customers only reachable by post
            for key in ("email", "email_consent", "mobile", "sms_consent", "landline"):
                row.pop(key, None)
        return row

    def balance(self, creditor: DemoCreditor) -> Decimal:
        sigma = 1.0 if creditor.business else 0.8
        return max(_money(self.rng.lognormvariate(math.log(creditor.median_balance), sigma)), Decimal("5.00"))


def generate(customers: int, seed: int, as_of: date) -> Portfolio:
    """A portfolio of `customers` customers owing one to three accounts each, as of `as_of`."""
    if customers < 1:
        raise ValueError("a portfolio needs at least one customer")
    gen = _Generator(seed, as_of)
    rng = gen.rng
    portfolio = Portfolio(as_of=as_of, creditors=CREDITORS)
    currency = {"US": "USD", "GB": "GBP"}
    for number in range(1, customers + 1):
        creditor = gen.creditor()
        customer = gen.customer(number, creditor)
        key = (creditor.name, customer["customer_ref"])
        n_accounts = rng.choices([1, 2, 3], weights=[78, 18, 4])[0]
        for index in range(n_accounts):
            account_ref = f"{creditor.name[:2].upper()}-{number:07d}-{index + 1}"
            owed = gen.balance(creditor)
            due = as_of + timedelta(days=rng.randint(-180, 60))
            row = dict(
                customer,
                account_ref=account_ref,
                currency=currency[customer["country"]],
                due_date=due.isoformat(),
            )
            fees = interest = Decimal(0)
            if due < as_of and rng.random() < 0.35:
                fees = _money(rng.choice([15, 25, 35, 40, 70]))
                interest = _money(float(owed) * rng.uniform(0.01, 0.08))
            paid_before = _money(float(owed) * rng.uniform(0.05, 0.4)) if rng.random() < 0.25 else Decimal(0)
            row["original_amount"] = str(owed + paid_before) if paid_before else ""
            row["fees"] = str(fees) if fees else ""
            row["interest"] = str(interest) if interest else ""
            # Payments since the file was cut: posted by the payments import, so the balance in the
            # accounts file is what was owed before them.
            later = []
            if due < as_of and rng.random() < 0.3:
                for n in range(rng.randint(1, 4)):
                    paid_on = min(as_of, due + timedelta(days=rng.randint(1, max(1, (as_of - due).days))))
                    later.append((paid_on, _money(float(owed) * rng.uniform(0.05, 0.2)), n))
            if rng.random() < 0.04:  # settled in full since the last file
                later.append(
                    (
                        as_of - timedelta(days=rng.randint(0, 20)),
                        owed + fees + interest - sum(a for _, a, _ in later),
                        9,
                    )
                )
            total = owed + fees + interest
            row["balance"] = str(total)
            for paid_on, amount, n in later:
                if amount > 0:
                    portfolio.payments.append(
                        {
                            "creditor": creditor.name,
                            "account_ref": account_ref,
                            "payment_ref": f"P-{account_ref}-{n}",
                            "amount": str(amount),
                            "currency": row["currency"],
                            "paid_on": paid_on.isoformat(),
                        }
                    )
            portfolio.accounts.append(row)
            if creditor.product_type == "personal_loan" and not later:
                count = rng.randint(3, 12)
                first_due = due - timedelta(days=30 * rng.randint(0, 3))
                each = (total / count).quantize(Decimal("0.01"))
                plan = [(first_due + timedelta(days=30 * i), each) for i in range(count)]
                plan[-1] = (plan[-1][0], total - each * (count - 1))
                portfolio.instalments[(creditor.name, account_ref)] = plan
        if rng.random() < 0.025:
            starts = datetime.combine(as_of - timedelta(days=rng.randint(1, 60)), time(10))
            kind = rng.choice(HOLD_KINDS[customer["country"]])
            ends = starts + timedelta(days=60) if kind == "breathing_space" else None
            portfolio.holds.append(
                {
                    "creditor": creditor.name,
                    "customer_ref": customer["customer_ref"],
                    "account_ref": f"{creditor.name[:2].upper()}-{number:07d}-1" if kind == "dispute" else "",
                    "kind": kind,
                    "starts": starts,
                    "ends": ends,
                }
            )
        if rng.random() < 0.3:
            channels = ["email", "sms", "call", "letter"]
            rng.shuffle(channels)
            times = [{"from": "18:00", "to": "21:00"}] if rng.random() < 0.3 else []
            if rng.random() < 0.15:
                times.append({"from": "08:00", "to": "10:00"})
            portfolio.preferences[key] = {
                "channel_order": channels[: rng.randint(1, 4)],
                "inconvenient_times": times,
            }
    return portfolio
