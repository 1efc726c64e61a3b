"""Who may see what in the portal, decided here and nowhere else.

A link names one customer (links.py); the identity check signs that customer in to this browser
session for a short while; every portal page takes its customer from the session and every account
it shows from that customer's own accounts. No id in a URL can reach anyone else's data."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest
from django.shortcuts import redirect
from django.utils import timezone, translation

from amicable.ledger.audit import audit
from amicable.ledger.models import Account, ContactPoint, Customer
from amicable.ledger.models.contact import ContactKind
from amicable.web import throttle

from .identity import DATE_OF_BIRTH, POSTCODE, AnswerError, birth_date, postcode_matches

# Five wrong answers in half an hour lock that customer's link for half an hour; many from one
# address (someone trying many links) lock the address.
CUSTOMER_LIMIT = throttle.Limit(
    "portal-check", failures=5, window=timedelta(minutes=30), lockout=timedelta(minutes=30)
)
ADDRESS_LIMIT = throttle.Limit(
    "portal-address", failures=20, window=timedelta(hours=1), lockout=timedelta(hours=1)
)
IDLE = timedelta(minutes=20)  # a portal session ends after this long without a page
CUSTOMER_KEY, SEEN_KEY = "portal_customer", "portal_seen"
ACTOR = "customer:portal"


def actor(customer: Customer) -> str:
    """How portal actions are signed in the audit log: by the customer, through the portal."""
    return f"{ACTOR}:{customer.pk}"


def question_for(customer: Customer) -> str | None:
    """What the customer is asked: the configured check, or the other one when it has no answer on
    file. None: nothing to check against, so the portal cannot open (the page says whom to call)."""
    order = [DATE_OF_BIRTH, POSTCODE] if settings.PORTAL_IDENTITY_CHECK == DATE_OF_BIRTH else [POSTCODE]
    for question in order:
        if question == DATE_OF_BIRTH and customer.date_of_birth:
            return DATE_OF_BIRTH
        if question == POSTCODE and postcode_on_file(customer):
            return POSTCODE
    return None


def postcode_on_file(customer: Customer) -> str:
    for point in ContactPoint.objects.filter(customer=customer, kind=ContactKind.POSTAL, invalid=False):
        if point.address.get("postcode"):
            return str(point.address["postcode"])
    return ""


@dataclass(frozen=True, slots=True)
class Outcome:
    ok: bool
    locked_until: datetime | None = None
    tries_left: int | None = None
    error: AnswerError | None = None  # the answer could not be read at all; not counted as a try


def locked_until(request: HttpRequest, customer: Customer) -> datetime | None:
    now = timezone.now()
    return max(
        filter(
            None,
            [
                throttle.locked_until(CUSTOMER_LIMIT, [f"customer:{customer.pk}"], now),
                throttle.locked_until(ADDRESS_LIMIT, [f"address:{throttle.client_address(request)}"], now),
            ],
        ),
        default=None,
    )


def check_identity(request: HttpRequest, customer: Customer, answer: dict[str, str]) -> Outcome:
    """The named action behind the check: a right answer signs the customer in; a wrong one counts
    towards the lock-out, and the lock itself lands on the customer's timeline.

    The customer's row is locked while the answer is judged, so a burst of guesses sent at once is
    judged one after another, each seeing the failures before it."""
    question = question_for(customer)
    keys = [f"customer:{customer.pk}", f"address:{throttle.client_address(request)}"]
    with transaction.atomic():
        Customer.objects.select_for_update().filter(pk=customer.pk).first()
        now = timezone.now()
        if until := locked_until(request, customer):
            return Outcome(ok=False, locked_until=until)
        try:
            right = question is not None and _right(customer, question, answer)
        except AnswerError as error:
            return Outcome(ok=False, error=error)
        if right:
            throttle.forget(CUSTOMER_LIMIT, keys[:1])
            audit(
                actor(customer),
                "portal_sign_in",
                customer,
                "Opened the portal from their link",
                customer=customer,
            )
            sign_in(request, customer)
            return Outcome(ok=True)
        throttle.record_failure(CUSTOMER_LIMIT, keys[:1], now)
        throttle.record_failure(ADDRESS_LIMIT, keys[1:], now)
        until = throttle.locked_until(CUSTOMER_LIMIT, keys[:1], now)
        if until:
            audit(
                "system:portal",
                "portal_locked",
                customer,
                f"Portal link locked after {CUSTOMER_LIMIT.failures} wrong answers to the identity check",
                customer=customer,
                changes={"until": until.isoformat()},
            )
        return Outcome(
            ok=False, locked_until=until, tries_left=throttle.failures_left(CUSTOMER_LIMIT, keys[0], now)
        )


def _right(customer: Customer, question: str, answer: dict[str, str]) -> bool:
    if question == DATE_OF_BIRTH:
        given = birth_date(answer.get("day", ""), answer.get("month", ""), answer.get("year", ""))
        return given == customer.date_of_birth
    given = answer.get("postcode", "")
    if not given.strip():
        raise AnswerError("postcode: enter your postcode", "postcode")
    return postcode_matches(given, postcode_on_file(customer), customer.country)


def sign_in(request: HttpRequest, customer: Customer) -> None:
    request.session.cycle_key()  # a new session id, so one seen before the check is worth nothing
    request.session[CUSTOMER_KEY] = customer.pk
    request.session[SEEN_KEY] = timezone.now().timestamp()


def sign_out(request: HttpRequest) -> None:
    for key in (CUSTOMER_KEY, SEEN_KEY):
        request.session.pop(key, None)


def signed_in_customer(request: HttpRequest) -> Customer | None:
    customer_id, seen = request.session.get(CUSTOMER_KEY), request.session.get(SEEN_KEY)
    if customer_id is None or seen is None:
        return None
    if timezone.now().timestamp() - seen > IDLE.total_seconds():
        sign_out(request)
        return None
    request.session[SEEN_KEY] = timezone.now().timestamp()
    return Customer.objects.select_related("creditor").filter(pk=customer_id).first()


def customer_language(customer: Customer) -> str:
    """The portal's language for this customer: theirs when the portal speaks it, else English."""
    code = customer.language.split("-")[0].lower()
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def portal_page(view):
    """Every page behind the check: `request.customer` is the signed-in customer, or the visitor is
    sent to a page that explains how to get back in. The page speaks the customer's language unless
    they picked another one with the switcher."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        customer = signed_in_customer(request)
        if customer is None:
            return redirect("portal:signed-out")
        request.customer = customer
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        with translation.override(
            chosen if chosen in dict(settings.LANGUAGES) else customer_language(customer)
        ):
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            return response

    return wrapped


def customer_account(request: HttpRequest, account_id: int) -> Account:
    """One of the signed-in customer's own accounts, or 404: the same answer whether the account is
    someone else's or does not exist, so ids cannot be probed."""
    account = (
        Account.objects.select_related("creditor", "customer")
        .filter(pk=account_id, customer=request.customer)
        .first()
    )
    if account is None:
        raise Http404("No such account")
    return account


def customer_accounts(request: HttpRequest):
    return Account.objects.select_related("creditor").filter(customer=request.customer).order_by("pk")
