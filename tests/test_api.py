"""The REST API (docs/api.md), through Django's test client as an integration would call it: tokens,
the error shape, every endpoint, idempotent payments, and that a token for one creditor can read and
change nothing of another's."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from amicable.api.api import api
from amicable.api.models import ApiToken
from amicable.api.tokens import issue_api_token, revoke_api_token
from amicable.ledger.importing import fields
from amicable.ledger.models import (
    Account,
    AuditLog,
    ContactPoint,
    Customer,
    Dispute,
    Hold,
    JournalEntry,
    Promise,
    ScheduleItem,
)
from test_import_accounts import COLUMNS, row, to_csv

TODAY = timezone.localdate


def day(offset: int) -> str:
    return (TODAY() + timedelta(days=offset)).isoformat()


CUSTOMER = {
    "first_name": "Ana",
    "last_name": "García",
    "date_of_birth": "1980-04-02",
    "email": "ana@example.com",
    "mobile": "(617) 555-0123",
    "address_line1": "1 Main St",
    "city": "Boston",
    "postcode": "02108",
    "country": "US",
    "region": "MA",
    "language": "es-US",
    "email_consent": True,
    "sms_consent": True,
}


def account_body(**overrides) -> dict:
    body = {
        "customer_ref": "C-1",
        "currency": "USD",
        "balance": "120.50",
        "due_date": day(30),
        "original_amount": "150.00",
        "fees": "10.00",
        "interest": "5.50",
        "product_type": "utility",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


STATEMENT = {
    "currency": "USD",
    "income": {"earnings": "1450.00"},
    "expenditure": {"housing": "650", "energy": "120", "food_and_housekeeping": "380"},
}


class Api:
    """Calls the API with one token; returns (status, parsed JSON)."""

    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.token = token

    def __call__(self, method: str, path: str, body=None, *, raw: bytes | None = None, headers=None):
        headers = dict(headers or {})
        if self.token is not None and "Authorization" not in headers:
            headers["Authorization"] = f"Bearer {self.token}"
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        kwargs = {"content_type": "application/json"} if data is not None else {}
        response = getattr(self.client, method.lower())(
            path, **({"data": data} if data is not None else {}), headers=headers, **kwargs
        )
        self.response = response
        content = response.content.decode()
        return response.status_code, (json.loads(content) if content else None)


@pytest.fixture
def a_api(northwind) -> Api:
    _, secret = issue_api_token(northwind, "crm-sync", actor="test:fixture")
    return Api(secret)


@pytest.fixture
def a_portfolio(a_api) -> dict:
    """Northwind's customer C-1 (Boston) with two accounts, put through the API."""
    status, customer = a_api("PUT", "/api/v1/customers/C-1", CUSTOMER)
    assert status == 201, customer
    status, first = a_api("PUT", "/api/v1/accounts/A-1", account_body())
    assert status == 201, first
    status, second = a_api(
        "PUT",
        "/api/v1/accounts/A-2",
        account_body(balance="40.00", due_date=day(-10), original_amount=None, fees=None, interest=None),
    )
    assert status == 201, second
    return {"customer": customer, "A-1": first, "A-2": second}


@pytest.fixture
def b_portfolio(db, cli, fairway, tmp_path) -> dict:
    """Fairway's own customer and account, imported from CSV, with a hold, a promise and a dispute."""
    path = tmp_path / "fairway.csv"
    path.write_bytes(
        to_csv(
            [row(creditor=fairway.name, account_ref="F-1", customer_ref="F-C1", email="fay@example.com")],
            COLUMNS,
        )
    )
    result = cli("import", "accounts", path)
    assert result.exit_code == 0, result.output
    account = Account.objects.get(creditor=fairway, external_ref="F-1")
    hold = Hold.objects.create(
        customer=account.customer, account=account, kind="cease", starts_at=timezone.now(), source="letter"
    )
    Promise.objects.create(
        account=account,
        amount=Decimal("20"),
        currency="USD",
        due_on=TODAY(),
        channel="sms",
        source="test",
        made_at=timezone.now(),
    )
    dispute = Dispute.objects.create(
        account=account,
        reason="not mine",
        received_at=timezone.now(),
        within_validation_period=True,
        source="t",
    )
    return {
        "creditor": fairway,
        "account": account,
        "customer": account.customer,
        "hold": hold,
        "dispute": dispute,
    }


def error(field, message, body) -> dict:
    """The error in `body`, checked to be the API's one shape, naming `field` (and saying `message`)."""
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"field", "message", "value"}, body
    assert body["error"]["field"] == field, body
    if message is not None:
        assert body["error"]["message"] == message, body
    return body["error"]


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Customer, ContactPoint, Account, JournalEntry, ScheduleItem, Hold, AuditLog)
    }


# Authentication -----------------------------------------------------------------------------------

# Every endpoint, with what a call needs; `ENDPOINTS_ARE_ALL` checks nothing is missing from here.
ENDPOINTS = [
    ("PUT", "/api/v1/customers/{customer}", lambda b: CUSTOMER),
    ("PUT", "/api/v1/accounts/{account}", lambda b: account_body(customer_ref=b["customer_ref"])),
    ("GET", "/api/v1/accounts/{account}", lambda b: None),
    (
        "POST",
        "/api/v1/payments",
        lambda b: {
            "account_ref": b["account"],
            "payment_ref": "PAY-X",
            "amount": "10.00",
            "currency": "USD",
            "paid_on": day(0),
        },
    ),
    ("POST", "/api/v1/accounts/{account}/holds", lambda b: {"kind": "bankruptcy"}),
    ("POST", "/api/v1/holds/{hold}/end", lambda b: {}),
    ("GET", "/api/v1/accounts/{account}/plan-options", lambda b: None),
    ("POST", "/api/v1/accounts/{account}/plan-options", lambda b: STATEMENT),
    ("POST", "/api/v1/accounts/{account}/plan", lambda b: {"kind": "monthly"}),
    ("POST", "/api/v1/accounts/{account}/promises", lambda b: {"amount": "10.00", "due_on": day(3)}),
    ("POST", "/api/v1/accounts/{account}/disputes", lambda b: {"reason": "the amount is wrong"}),
    ("POST", "/api/v1/disputes/{dispute}/verification", lambda b: {}),
    ("POST", "/api/v1/accounts/{account}/calls", lambda b: {"outcome": "no_answer"}),
]
ENDPOINT_IDS = [f"{method} {path}" for method, path, _ in ENDPOINTS]


def test_the_endpoint_list_covers_every_endpoint_of_the_api():
    schema = api.get_openapi_schema()
    served = {
        (method.upper(), re.sub(r"\{[^}]+\}", "{}", path))
        for path, operations in schema["paths"].items()
        for method in operations
    }
    listed = {(method, re.sub(r"\{[^}]+\}", "{}", path)) for method, path, _ in ENDPOINTS}
    assert served == listed


def _target(path: str, refs: dict) -> str:
    return path.format(
        customer=refs["customer"], account=refs["account"], hold=refs["hold"], dispute=refs["dispute"]
    )


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=ENDPOINT_IDS)
@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "send the token as `Authorization: Bearer <token>`"),
        ("Basic dXNlcjpwYXNz", "expected `Authorization: Bearer <token>`"),
        ("Bearer amk_00000000_not-a-token", "the bearer token is not one amicable issued"),
        ("Bearer something-else", "the bearer token is not one amicable issued"),
    ],
    ids=["missing", "basic", "wrong", "foreign"],
)
def test_no_valid_token_is_401_and_changes_nothing(northwind, method, path, body, header, message):
    before = counts()
    call = Api(None)
    refs = {"customer": "C-1", "account": "A-1", "hold": 1, "dispute": 1, "customer_ref": "C-1"}
    status, answer = call(
        method, _target(path, refs), body(refs), headers={"Authorization": header} if header else {}
    )
    assert status == 401
    error("Authorization", message, answer)
    assert call.response["WWW-Authenticate"].startswith("Bearer")
    assert counts() == before


def test_a_revoked_token_is_refused(northwind, a_api):
    token = ApiToken.objects.get()
    assert a_api("GET", "/api/v1/accounts/A-1")[0] == 404  # works: nothing found, but authenticated
    revoke_api_token(token, actor="test:fixture", reason="leaked")
    status, answer = a_api("GET", "/api/v1/accounts/A-1")
    assert status == 401
    error("Authorization", "the bearer token was revoked", answer)


def test_tokens_are_issued_listed_and_revoked_from_the_command_line_and_audited(cli, northwind):
    result = cli("api", "token", "issue", "--creditor", "Northwind Energy", "--name", "crm-sync", "--json")
    assert result.exit_code == 0, result.output
    issued = json.loads(result.stdout)
    secret = issued["token"]
    assert secret.startswith(issued["prefix"] + "_")
    token = ApiToken.objects.get()
    # Only the hash is stored: the secret is nowhere in the row.
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert Api(secret)("GET", "/api/v1/accounts/nothing")[0] == 404
    assert ApiToken.objects.get().last_used_at is not None

    listed = cli("api", "token", "list", "--json")
    assert listed.exit_code == 0
    (shown,) = json.loads(listed.stdout)
    assert (shown["prefix"], shown["creditor"], shown["name"]) == (
        token.prefix,
        "Northwind Energy",
        "crm-sync",
    )
    assert secret not in listed.stdout and secret.split("_")[-1] not in cli("api", "token", "list").stdout

    revoked = cli("api", "token", "revoke", token.prefix, "--reason", "rotated")
    assert revoked.exit_code == 0, revoked.output
    assert Api(secret)("GET", "/api/v1/accounts/nothing")[0] == 401
    again = cli("api", "token", "revoke", token.prefix)
    assert again.exit_code != 0 and "already revoked" in again.output
    rows = AuditLog.objects.filter(object_type="api.apitoken").order_by("id")
    assert [r.action for r in rows] == ["issue_api_token", "revoke_api_token"]
    assert all(secret not in json.dumps(r.changes) + r.summary for r in rows)
    assert rows[1].changes["reason"] == "rotated"

    human = cli("api", "token", "issue", "--creditor", "Northwind Energy", "--name", "other")
    assert human.exit_code == 0 and "only time it is shown" in human.output
    unknown = cli("api", "token", "issue", "--creditor", "Nobody", "--name", "x")
    assert unknown.exit_code == 2 and "no such creditor" in unknown.output


# Customers ----------------------------------------------------------------------------------------


def test_put_customer_creates_then_updates_with_contact_points_and_consents(a_api):
    status, body = a_api("PUT", "/api/v1/customers/C-1", CUSTOMER)
    assert status == 201 and body["created"] is True
    assert body["timezone"] == "America/New_York"  # derived from US-MA, as the import does
    assert (body["first_name"], body["language"], body["date_of_birth"]) == ("Ana", "es-US", "1980-04-02")
    points = {p["kind"]: p for p in body["contact_points"]}
    assert points["mobile"]["value"] == "+16175550123"
    assert points["email"]["consents"]["collection"]["state"] == "granted"
    assert points["postal"]["value"] == "1 Main St, Boston, MA, 02108, US"
    customer = Customer.objects.get(external_ref="C-1")
    actions = list(AuditLog.objects.filter(customer=customer).values_list("action", flat=True))
    assert sorted(actions) == ["record_consent", "record_consent", "upsert_customer"]

    # The same again: nothing changes, and nothing is written to the timeline.
    before = counts()
    status, again = a_api("PUT", "/api/v1/customers/C-1", CUSTOMER)
    assert status == 200 and again["created"] is False
    assert counts() == before

    # A new surname, a landline and a withdrawn SMS consent: each audited.
    changed = {**CUSTOMER, "last_name": "Lee", "landline": "617 555 0199", "sms_consent": False}
    status, body = a_api("PUT", "/api/v1/customers/C-1", changed)
    assert status == 200 and body["last_name"] == "Lee"
    update = AuditLog.objects.filter(customer=customer, action="upsert_customer").order_by("-id").first()
    assert update.changes["fields"] == {"last_name": ["García", "Lee"]}
    assert update.changes["contact_points_added"] == ["landline +16175550199"]
    assert update.actor.startswith("api:amk_")
    mobile = ContactPoint.objects.get(customer=customer, kind="mobile")
    assert mobile.consent() == "revoked"
    assert mobile.consents["collection"]["source"] == "api:PUT /api/v1/customers/C-1"


@pytest.mark.parametrize(
    ("change", "field", "parse"),
    [
        ({"email": "not-an-email"}, "email", lambda: fields.parse_email("not-an-email")),
        ({"mobile": "12"}, "mobile", lambda: fields.parse_phone("12", "US")),
        ({"country": "USA"}, "country", lambda: fields.parse_country("USA")),
        ({"region": "ZZ"}, "region", lambda: fields.parse_region("ZZ", "US")),
        ({"language": "xx-!!"}, "language", lambda: fields.parse_language("xx-!!")),
        ({"date_of_birth": "02/04/1980"}, "date_of_birth", lambda: fields.parse_date("02/04/1980")),
        ({"timezone": "Mars/Olympus"}, "timezone", lambda: fields.parse_timezone("Mars/Olympus")),
        ({"first_name": "A" * 101}, "first_name", lambda: fields.text(100)("A" * 101)),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_a_bad_customer_value_gets_the_imports_message_and_nothing_is_written(a_api, change, field, parse):
    with pytest.raises(fields.FieldError) as expected:
        parse()
    before = counts()
    status, body = a_api("PUT", "/api/v1/customers/C-1", {**CUSTOMER, **change})
    assert status == 422
    detail = error(field, str(expected.value), body)
    assert detail["value"] == change[field]
    assert counts() == before


def test_customer_rules_across_fields_name_the_field(a_api):
    cases = [
        ({"region": "TX", "mobile": None, "landline": None}, "timezone", "not wholly in one time zone"),
        ({"first_name": None, "last_name": None}, "last_name", "a person needs a first_name or last_name"),
        ({"customer_type": "business"}, "company_name", "a business needs a company_name"),
        ({"address_line1": None}, "address_line1", "required when any other part of the address is given"),
        ({"email": None}, "email_consent", "given with no email"),
        ({"country": None}, "country", "required"),
        ({"customer_type": "robot"}, "customer_type", None),
        ({"favourite_colour": "blue"}, "favourite_colour", None),
        ({"first_name": 7}, "first_name", None),
    ]
    for change, field, message in cases:
        status, body = a_api("PUT", "/api/v1/customers/C-9", {**CUSTOMER, **change})
        assert status == 422, (change, body)
        detail = error(field, None, body)
        assert message is None or message in detail["message"], (change, detail)
    _, unknown = a_api("PUT", "/api/v1/customers/C-9", {**CUSTOMER, "favourite_colour": "blue"})
    assert unknown["error"]["message"].startswith("unknown field (expected some of customer_type, first_name")
    assert unknown["error"]["value"] == "blue"
    assert not Customer.objects.exists()


def test_a_customer_put_is_the_same_as_one_imported(cli, a_api, northwind, fairway, tmp_path):
    """The same details through the API and through a CSV import give the same customer and journal."""
    path = tmp_path / "one.csv"
    path.write_bytes(to_csv([row(creditor=fairway.name, account_ref="A-1", customer_ref="C-1")], COLUMNS))
    assert cli("import", "accounts", path).exit_code == 0
    csv = row()
    customer = {
        k: csv[k]
        for k in (
            "first_name",
            "last_name",
            "date_of_birth",
            "email",
            "mobile",
            "address_line1",
            "city",
            "region",
            "postcode",
            "country",
            "language",
        )
    }
    customer.update(email_consent=True, sms_consent=False)
    assert a_api("PUT", "/api/v1/customers/C-1", customer)[0] == 201
    body = account_body(balance=csv["balance"], due_date=csv["due_date"], product_type=None)
    assert a_api("PUT", "/api/v1/accounts/A-1", body)[0] == 201

    def described(creditor):
        c = Customer.objects.get(creditor=creditor)
        a = Account.objects.get(creditor=creditor)
        return (
            [
                getattr(c, f)
                for f in ("kind", "first_name", "last_name", "date_of_birth", "timezone", "region")
            ],
            sorted((p.kind, p.value, p.consent()) for p in c.contact_points.all()),
            sorted((e.kind, e.amount, e.effective_on) for e in a.journal.all()),
            (a.balance, a.status, list(a.schedule.values_list("due_on", "amount"))),
        )

    assert described(northwind) == described(fairway)


# Accounts -----------------------------------------------------------------------------------------


def test_put_account_creates_its_journal_and_schedule(a_portfolio):
    body = a_portfolio["A-1"]
    assert body["created"] is True
    assert body["balance"] == {"amount": "120.50", "currency": "USD"}
    assert body["status"] == "current"
    assert body["schedule"] == [{"due_on": day(30), "amount": {"amount": "120.50", "currency": "USD"}}]
    account = Account.objects.get(external_ref="A-1")
    journal = sorted((e.kind, e.amount) for e in account.journal.all())
    assert journal == [
        ("charge", Decimal("150")),
        ("fee", Decimal("10")),
        ("interest", Decimal("5.5")),
        ("payment", Decimal("45")),
    ]
    assert a_portfolio["A-2"]["status"] == "overdue"
    audit = AuditLog.objects.get(account=account)
    assert audit.action == "upsert_account" and audit.changes["created"] is True


def test_a_changed_balance_is_journalled_never_overwritten(a_api, a_portfolio):
    before = counts()
    status, body = a_api("PUT", "/api/v1/accounts/A-1", account_body())
    assert (status, body["created"]) == (200, False)
    assert counts() == before  # the same statement again: nothing written

    status, body = a_api("PUT", "/api/v1/accounts/A-1", account_body(balance="100.50"))
    assert status == 200 and body["balance"]["amount"] == "100.50"
    account = Account.objects.get(external_ref="A-1")
    adjustment = account.journal.get(kind="adjustment")
    assert adjustment.amount == Decimal("-20")
    row_ = AuditLog.objects.filter(account=account, action="upsert_account").order_by("-id").first()
    assert row_.changes["balance"] == ["120.50", "100.50"]

    # A payment posted here; re-sending the creditor's last figure does not undo it.
    payment = {
        "account_ref": "A-1",
        "payment_ref": "P-1",
        "amount": "30.00",
        "currency": "USD",
        "paid_on": day(0),
    }
    assert a_api("POST", "/api/v1/payments", payment)[0] == 201
    status, body = a_api("PUT", "/api/v1/accounts/A-1", account_body(balance="100.50"))
    assert body["balance"]["amount"] == "70.50"
    assert account.journal.filter(kind="adjustment").count() == 1


def test_put_account_with_a_schedule_and_changed_details(a_api, a_portfolio):
    schedule = [{"due_on": day(10), "amount": "60.25"}, {"due_on": day(40), "amount": "60.25"}]
    status, body = a_api(
        "PUT", "/api/v1/accounts/A-1", account_body(due_date=None, schedule=schedule, opened_on="2024-01-31")
    )
    assert status == 200, body
    assert [(i["due_on"], i["amount"]["amount"]) for i in body["schedule"]] == [
        (day(10), "60.25"),
        (day(40), "60.25"),
    ]
    assert body["opened_on"] == "2024-01-31"
    # A due date does not replace an instalment plan (as in an import).
    status, body = a_api("PUT", "/api/v1/accounts/A-1", account_body(due_date=day(5)))
    assert len(body["schedule"]) == 2


@pytest.mark.parametrize(
    ("change", "status", "field", "message"),
    [
        (
            {"balance": "12,50"},
            422,
            "balance",
            "expected a decimal number such as 1234.56 (for 1234,56 write 1234.56)",
        ),
        ({"balance": 12.5}, 422, "balance", None),
        ({"balance": "1.234"}, 422, "balance", "USD has 2 decimal places, this has 3"),
        ({"currency": "XAU"}, 422, "currency", "expected an ISO 4217 currency code such as USD, GBP or EUR"),
        ({"due_date": "tomorrow"}, 422, "due_date", "expected an ISO date, YYYY-MM-DD"),
        ({"due_date": None}, 422, "due_date", None),
        ({"fees": "200.00"}, 422, "fees", "fees 200.00 + interest 5.50 exceed the balance 120.50"),
        ({"original_amount": "1.00"}, 422, "original_amount", None),
        (
            {"schedule": [{"due_on": day(3), "amount": "1"}]},
            422,
            "schedule",
            "give a due_date or a schedule, not both",
        ),
        (
            {"due_date": None, "schedule": [{"due_on": day(3), "amount": "100"}]},
            422,
            "schedule",
            "the instalments total 100.00, the balance is 120.50",
        ),
        (
            {"due_date": None, "schedule": [{"due_on": day(3), "amount": "x"}]},
            422,
            "schedule[0].amount",
            "expected a decimal number such as 1234.56",
        ),
        ({"due_date": None, "schedule": [{"due_on": day(3)}]}, 422, "schedule[0].amount", "required"),
        ({"customer_ref": "C-404"}, 404, "customer_ref", "no customer with customer_ref 'C-404'"),
        ({"currency": "EUR"}, 409, "currency", "account A-1 is kept in USD"),
    ],
)
def test_bad_account_values_name_the_field_and_write_nothing(
    a_api, a_portfolio, change, status, field, message
):
    before = counts()
    got, body = a_api("PUT", "/api/v1/accounts/A-1", _with(change))
    assert got == status, body
    error(field, message, body)
    assert counts() == before


def _with(change: dict) -> dict:
    body = account_body()
    for key, value in change.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def test_an_account_keeps_its_customer(a_api, a_portfolio):
    assert a_api("PUT", "/api/v1/customers/C-2", {**CUSTOMER, "email": "other@example.com"})[0] == 201
    status, body = a_api("PUT", "/api/v1/accounts/A-1", account_body(customer_ref="C-2"))
    assert status == 409
    error("customer_ref", "account A-1 belongs to customer C-1", body)


def test_get_account_shows_itemisation_holds_promises_disputes_and_a_paged_timeline(a_api, a_portfolio):
    account = Account.objects.get(external_ref="A-1")
    other = Account.objects.get(external_ref="A-2")
    Promise.objects.create(
        account=account,
        amount=Decimal("50"),
        currency="USD",
        due_on=TODAY(),
        channel="sms",
        source="t",
        made_at=timezone.now(),
    )
    Dispute.objects.create(
        account=account,
        reason="too much",
        received_at=timezone.now(),
        within_validation_period=True,
        source="t",
    )
    assert a_api("POST", "/api/v1/accounts/A-2/holds", {"kind": "represented"})[0] == 201  # the other account
    assert (
        a_api("POST", "/api/v1/accounts/A-1/holds", {"kind": "bankruptcy", "applies_to": "customer"})[0]
        == 201
    )

    status, body = a_api("GET", "/api/v1/accounts/A-1")
    assert status == 200
    items = body["itemisation"]
    assert items["balance"] == {"amount": "120.50", "currency": "USD"}
    assert (items["principal"]["amount"], items["fees"]["amount"], items["interest"]["amount"]) == (
        "105.00",
        "10.00",
        "5.50",
    )
    assert items["total_paid"]["amount"] == "45.00"  # paid off the 150.00 before it came to us
    assert [(h["kind"], h["applies_to"], h["active"]) for h in body["holds"]] == [
        ("bankruptcy", "customer", True)
    ]
    assert [p["amount"] for p in body["open_promises"]] == [{"amount": "50.00", "currency": "USD"}]
    assert [d["reason"] for d in body["open_disputes"]] == ["too much"]

    timeline = body["timeline"]
    actions = [i["action"] for i in timeline["items"]]
    # The account's rows and the customer's own; not the hold on A-2.
    assert actions[0] == "place_hold" and timeline["items"][0]["account_ref"] is None
    assert "upsert_account" in actions and "upsert_customer" in actions
    assert all(i["account_ref"] in (None, "A-1") for i in timeline["items"])
    assert AuditLog.objects.filter(account=other, action="place_hold").exists()
    ats = [i["at"] for i in timeline["items"]]
    assert ats == sorted(ats, reverse=True)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00", at) for at in ats)
    count = timeline["count"]
    assert count == len(actions) == 5  # customer, 2 consents, account, customer hold

    status, page = a_api("GET", "/api/v1/accounts/A-1?limit=2&offset=2")
    assert [i["action"] for i in page["timeline"]["items"]] == actions[2:4]
    assert (page["timeline"]["next_offset"], page["timeline"]["limit"]) == (4, 2)
    status, last = a_api("GET", "/api/v1/accounts/A-1?limit=2&offset=4")
    assert last["timeline"]["next_offset"] is None and len(last["timeline"]["items"]) == 1

    status, bad = a_api("GET", "/api/v1/accounts/A-1?limit=0")
    assert status == 422
    error("limit", None, bad)


# Payments -----------------------------------------------------------------------------------------

PAYMENT = {"account_ref": "A-1", "payment_ref": "PAY-1", "amount": "40.00", "currency": "USD"}


def test_payments_are_idempotent_by_payment_ref(a_api, a_portfolio):
    payment = {**PAYMENT, "paid_on": day(-1)}
    status, first = a_api("POST", "/api/v1/payments", payment)
    assert status == 201 and first["created"] is True
    assert first["payment"]["amount"] == {"amount": "40.00", "currency": "USD"}
    assert first["account"]["balance"] == {"amount": "80.50", "currency": "USD"}
    before = counts()

    status, again = a_api("POST", "/api/v1/payments", payment)
    assert status == 200 and again["created"] is False
    assert again["payment"] == first["payment"]
    assert again["account"]["balance"]["amount"] == "80.50"
    assert counts() == before

    for change in ({"amount": "41.00"}, {"account_ref": "A-2"}):
        status, body = a_api("POST", "/api/v1/payments", {**payment, **change})
        assert status == 409
        detail = error("payment_ref", None, body)
        assert (
            detail["value"] == "PAY-1" and "already posted as USD 40.00 to account A-1" in detail["message"]
        )
    assert counts() == before
    entry = JournalEntry.objects.get(external_ref="PAY-1")
    assert entry.recorded_by.startswith("api:amk_") and entry.source == "api:POST /api/v1/payments"


@pytest.mark.parametrize(
    ("change", "status", "field", "message"),
    [
        ({"amount": "0"}, 422, "amount", "a payment must be more than zero"),
        ({"amount": "-5"}, 422, "amount", "must not be negative"),
        ({"amount": 40}, 422, "amount", None),
        ({"paid_on": "2999-01-01"}, 422, "paid_on", "is in the future"),
        ({"currency": "GBP"}, 422, "currency", "account A-1 is kept in USD"),
        ({"account_ref": "A-404"}, 404, "account_ref", "no account with account_ref 'A-404'"),
        ({"payment_ref": ""}, 422, "payment_ref", "required"),
    ],
)
def test_bad_payments_name_the_field(a_api, a_portfolio, change, status, field, message):
    before = counts()
    got, body = a_api("POST", "/api/v1/payments", {**PAYMENT, "paid_on": day(0), **change})
    assert got == status, body
    error(field, message, body)
    assert counts() == before


def test_a_body_that_is_not_json_is_400(a_api, a_portfolio):
    status, body = a_api("POST", "/api/v1/payments", raw=b'{"amount": ')
    assert status == 400
    assert error(None, None, body)["message"].startswith("the body is not JSON")
    status, body = a_api("POST", "/api/v1/payments", [1, 2])
    assert status == 422
    error(None, "expected a JSON object", body)


# Holds --------------------------------------------------------------------------------------------


def test_place_and_end_a_dispute_hold(a_api, a_portfolio):
    status, hold = a_api("POST", "/api/v1/accounts/A-1/holds", {"kind": "dispute", "note": "says it is paid"})
    assert status == 201
    assert (hold["kind"], hold["applies_to"], hold["account_ref"], hold["active"]) == (
        "dispute",
        "account",
        "A-1",
        True,
    )
    assert re.search(r"[+-]\d\d:\d\d$", hold["starts_at"])
    assert a_api("GET", "/api/v1/accounts/A-1")[1]["status"] == "disputed"

    status, ended = a_api("POST", f"/api/v1/holds/{hold['id']}/end", {"reason": "verified"})
    assert status == 200 and ended["active"] is False and ended["ends_at"]
    assert a_api("GET", "/api/v1/accounts/A-1")[1]["status"] == "current"
    status, body = a_api("POST", f"/api/v1/holds/{hold['id']}/end", raw=b"")  # no body at all: now
    assert status == 409
    error("id", "this hold has already ended", body)
    actions = AuditLog.objects.filter(object_type="ledger.hold").values_list("action", flat=True)
    assert sorted(actions) == ["end_hold", "place_hold"]


def test_bad_holds_name_the_field(a_api, a_portfolio):
    now = timezone.now()
    cases = [
        ({"kind": "holiday"}, "kind"),
        ({"kind": "cease", "applies_to": "everyone"}, "applies_to"),
        ({"kind": "cease", "starts_at": "2026-01-01T09:00:00"}, "starts_at"),  # no UTC offset
        ({"kind": "cease", "ends_at": (now - timedelta(days=1)).isoformat()}, "ends_at"),
        ({"kind": "cease", "note": "bad\x00byte"}, "note"),
        ({}, "kind"),
    ]
    before = counts()
    for body, field in cases:
        status, answer = a_api("POST", "/api/v1/accounts/A-1/holds", body)
        assert status == 422, (body, answer)
        error(field, None, answer)
    assert counts() == before
    status, answer = a_api("POST", "/api/v1/holds/999999/end", {})
    assert status == 404
    error("id", "no hold with id 999999", answer)


# Plan options -------------------------------------------------------------------------------------


def test_plan_options_with_and_without_a_statement(a_api, a_portfolio):
    status, plain = a_api("GET", f"/api/v1/accounts/A-1/plan-options?date={day(0)}")
    assert status == 200
    assert (plain["account_ref"], plain["balance"], plain["currency"]) == ("A-1", "120.50", "USD")
    assert plain["affordability"] is None and plain["options"][0]["kind"] == "full"

    status, judged = a_api("POST", "/api/v1/accounts/A-1/plan-options", STATEMENT)
    assert status == 200, judged
    assert judged["affordability"]["disposable"] == "300.00"
    assert all(option["fits"] in (True, False) for option in judged["options"])


@pytest.mark.parametrize(
    ("statement", "status", "field", "message"),
    [
        ({**STATEMENT, "income": {"earnings": "-5"}}, 422, "income.earnings", "-5 is less than 0"),
        ({**STATEMENT, "income": {"lottery": "5"}}, 422, "income.lottery", None),
        ({**STATEMENT, "currency": "GBP"}, 422, "currency", "the statement is in GBP, the account in USD"),
        ({**STATEMENT, "pets": 1}, 422, "pets", "unknown field"),
        (
            {**STATEMENT, "other_debts": [{"creditor": "X", "balance": "lots"}]},
            422,
            "other_debts[0].balance",
            None,
        ),
    ],
)
def test_a_bad_statement_names_the_field(a_api, a_portfolio, statement, status, field, message):
    got, body = a_api("POST", "/api/v1/accounts/A-1/plan-options", statement)
    assert got == status, body
    error(field, message, body)


def test_a_statement_that_is_not_json_is_400(a_api, a_portfolio):
    status, body = a_api("POST", "/api/v1/accounts/A-1/plan-options", raw=b"income: lots")
    assert status == 400
    assert error(None, None, body)["message"].startswith("not JSON")


# One creditor cannot see or touch another's ------------------------------------------------------


def snapshot(creditor) -> dict:
    """Everything of the creditor's, as stored: any write would change it."""
    return {
        "customers": list(Customer.objects.filter(creditor=creditor).order_by("pk").values()),
        "contact_points": list(
            ContactPoint.objects.filter(customer__creditor=creditor).order_by("pk").values()
        ),
        "accounts": list(Account.objects.filter(creditor=creditor).order_by("pk").values()),
        "journal": list(JournalEntry.objects.filter(creditor=creditor).order_by("pk").values()),
        "schedule": list(ScheduleItem.objects.filter(account__creditor=creditor).order_by("pk").values()),
        "holds": list(Hold.objects.filter(customer__creditor=creditor).order_by("pk").values()),
        "promises": list(Promise.objects.filter(account__creditor=creditor).order_by("pk").values()),
        "disputes": list(Dispute.objects.filter(account__creditor=creditor).order_by("pk").values()),
        "audit": list(AuditLog.objects.filter(customer__creditor=creditor).order_by("pk").values()),
    }


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=ENDPOINT_IDS)
def test_a_token_for_one_creditor_reads_and_changes_nothing_of_anothers(
    a_api, a_portfolio, b_portfolio, method, path, body
):
    b = b_portfolio
    theirs = {
        "customer": "F-C1",
        "account": "F-1",
        "hold": b["hold"].pk,
        "dispute": b["dispute"].pk,
        "customer_ref": "F-C1",
    }
    before = snapshot(b["creditor"])
    status, answer = a_api(method, _target(path, theirs), body(theirs))
    assert snapshot(b["creditor"]) == before
    text = json.dumps(answer)
    for secret in ("fay@example.com", "Ann", "Lee", "not mine"):
        assert secret not in text, (secret, answer)
    if path == "/api/v1/customers/{customer}":
        # Customer references are per creditor: this makes Northwind's own F-C1, and leaves Fairway's be.
        assert status == 201
        assert Customer.objects.filter(external_ref="F-C1").count() == 2
        return
    assert status == 404, answer
    # Answered exactly as for a reference nobody has, so the token learns nothing.
    nobody = {
        "customer": "NOBODY",
        "account": "NOBODY",
        "hold": 987654321,
        "dispute": 987654321,
        "customer_ref": "NOBODY",
    }
    _, unknown = a_api(method, _target(path, nobody), body(nobody))
    field = answer["error"]["field"]
    assert unknown["error"]["field"] == field
    assert answer["error"]["message"].replace(str(answer["error"]["value"]), "?") == unknown["error"][
        "message"
    ].replace(str(unknown["error"]["value"]), "?")


def test_references_are_per_creditor_so_the_same_ref_makes_ones_own(a_api, a_portfolio, b_portfolio):
    """Fairway's account ref F-1, put by Northwind for its own customer, is a new Northwind account."""
    before = snapshot(b_portfolio["creditor"])
    status, body = a_api("PUT", "/api/v1/accounts/F-1", account_body(customer_ref="C-1"))
    assert (status, body["customer_ref"], body["balance"]["amount"]) == (201, "C-1", "120.50")
    assert snapshot(b_portfolio["creditor"]) == before
    assert Account.objects.filter(external_ref="F-1").count() == 2
    assert a_api("GET", "/api/v1/accounts/F-1")[1]["customer_ref"] == "C-1"


# Transactions -------------------------------------------------------------------------------------


def test_an_error_half_way_through_an_action_leaves_nothing_behind(a_api, a_portfolio, monkeypatch):
    """The journal entry and the schedule are written before the audit row; when that fails, the whole
    request is rolled back."""
    import amicable.ledger.upserts as upserts

    def broken_audit(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(upserts, "audit", broken_audit)
    before, account = counts(), Account.objects.values().get(external_ref="A-1")
    a_api.client.raise_request_exception = True
    with pytest.raises(RuntimeError):
        a_api("PUT", "/api/v1/accounts/A-1", account_body(balance="99.00", due_date=day(3)))
    with pytest.raises(RuntimeError):
        a_api("PUT", "/api/v1/accounts/A-9", account_body())
    with pytest.raises(RuntimeError):
        a_api("PUT", "/api/v1/customers/C-5", CUSTOMER)
    assert counts() == before
    assert Account.objects.values().get(external_ref="A-1") == account


# The schema and the docs --------------------------------------------------------------------------


def test_the_openapi_schema_is_served_without_a_token(db):
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/payments" in schema["paths"]
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    payment = schema["components"]["schemas"]["PaymentIn"]["properties"]["amount"]
    assert payment["type"] == "string"
    text = json.dumps(schema)
    refs = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', text))
    assert refs and refs <= set(schema["components"]["schemas"]) and "$defs" not in text


def test_the_docs_page_loads_nothing_from_outside_the_server(db):
    response = Client().get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, re.IGNORECASE), html
    settings_json = re.search(r'id="swagger-settings">(.*?)</script>', html, re.DOTALL).group(1)
    assert json.loads(settings_json)["validatorUrl"] is None  # no badge fetched from swagger.io
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        assert asset.startswith("/"), asset
        served = Client().get(asset)
        assert served.status_code == 200, asset


def test_the_admin_lists_tokens_read_only_and_never_their_hash(db, northwind, admin_client):
    token, secret = issue_api_token(northwind, "crm-sync", actor="test:fixture")
    listing = admin_client.get("/admin/api/apitoken/")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert token.prefix in page and token.key_hash not in page and secret not in page
    detail = admin_client.get(f"/admin/api/apitoken/{token.pk}/change/").content.decode()
    assert token.key_hash not in detail and "Save" not in detail
    assert admin_client.get("/admin/api/apitoken/add/").status_code == 403


# Promises, disputes, calls and plans ---------------------------------------------------------------


def test_a_promise_is_recorded_and_shows_on_the_account(a_api, a_portfolio):
    status, body = a_api("POST", "/api/v1/accounts/A-1/promises", {"amount": "30", "due_on": day(4)})
    assert status == 201 and body["amount"] == {"amount": "30.00", "currency": "USD"}
    assert a_api("GET", "/api/v1/accounts/A-1")[1]["open_promises"][0]["id"] == body["id"]
    before = counts() | {"promises": Promise.objects.count()}
    status, body = a_api("POST", "/api/v1/accounts/A-1/promises", {"amount": "30", "due_on": day(-2)})
    assert counts() | {"promises": Promise.objects.count()} == before
    assert status == 409
    assert "is before the promise was made" in error("due_on", None, body)["message"]


def test_a_dispute_holds_collection_until_verification_is_sent(a_api, a_portfolio):
    status, body = a_api("POST", "/api/v1/accounts/A-1/disputes", {"reason": "I paid in January"})
    assert (status, body["status"]) == (201, "open")
    account = a_api("GET", "/api/v1/accounts/A-1")[1]
    assert account["status"] == "disputed" and [h["kind"] for h in account["holds"]] == ["dispute"]
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        status, verified = a_api("POST", f"/api/v1/disputes/{body['id']}/verification", {"note": "posted"})
        assert (status, verified["status"]) == (200, "verification_sent")
        assert a_api("GET", "/api/v1/accounts/A-1")[1]["holds"] == []
    status, again = a_api("POST", f"/api/v1/disputes/{body['id']}/verification", {})
    assert status == 409
    assert "not open" in error("status", None, again)["message"]


def test_a_call_with_a_promise_is_logged_and_both_are_on_the_timeline(a_api, a_portfolio):
    status, body = a_api(
        "POST",
        "/api/v1/accounts/A-1/calls",
        {"outcome": "right_party", "notes": "will pay Friday", "promise_amount": "20", "promise_on": day(3)},
    )
    assert status == 201 and body["outcome"] == "conversation"
    actions = [entry["action"] for entry in a_api("GET", "/api/v1/accounts/A-1")[1]["timeline"]["items"]]
    assert {"log_call", "record_promise"} <= set(actions)
    status, body = a_api(
        "POST", "/api/v1/accounts/A-1/calls", {"outcome": "no_answer", "dispute": "not mine"}
    )
    assert status == 409
    assert "only a conversation with the customer can agree it" in error("dispute", None, body)["message"]


def test_a_plan_is_accepted_within_the_creditors_terms(a_api, a_portfolio):
    before = counts()
    status, body = a_api("POST", "/api/v1/accounts/A-1/plan", {"kind": "monthly", "instalment": "1"})
    assert counts() == before
    assert status == 409
    assert "below the least the creditor's terms allow" in error("instalment", None, body)["message"]
    status, body = a_api("POST", "/api/v1/accounts/A-1/plan", {"kind": "monthly", "instalment": "40"})
    assert status == 201, body
    assert (status, body["status"], body["payments"], body["total"]) == (201, "active", 4, "120.50")
    assert a_api("GET", "/api/v1/accounts/A-1")[1]["status"] == "in_arrangement"
