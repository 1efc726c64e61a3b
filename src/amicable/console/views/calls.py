"""The call guide beside a short account summary, and the form that logs how the call went.

The guide's content is decided by the pure `amicable.guide` package from the account's facts; the
outcome is logged by the same action the API calls (conversations/calls.py log_call, with Agreed)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amicable.arrangements.accounts import account_options
from amicable.arrangements.terms import TermsError, parse_terms
from amicable.compliance.engine import applicable_packs
from amicable.compliance.packs.us_regf_content import first_communication
from amicable.compliance.scenario import parse_scenario
from amicable.conversations.calls import Agreed, log_call
from amicable.conversations.intents import debt_advice
from amicable.conversations.models import Task, TaskKind
from amicable.conversations.tasks import complete_task
from amicable.cycle.compose import compose
from amicable.cycle.context import message_language
from amicable.guide.call import CallFacts, CallGuide, Point, call_guide
from amicable.ledger.actions import ActionError
from amicable.ledger.importing import fields as f
from amicable.ledger.models import Account, Customer
from amicable.outbox.models import PENDING, CallTask, Contact
from amicable.portal.summary import AccountSummary, customer_today, summaries
from amicable.web.templatetags.amicable import long_date, money

from .. import scope, work
from ..models import Role

OPEN = ("current", "overdue", "in_arrangement", "disputed", "on_hold")
PHONE_KINDS = ("mobile", "landline")

# The outcomes an agent picks from, and what each is called for log_call.
OUTCOMES = {
    "conversation": gettext_lazy("Spoke with the customer"),
    "third_party": gettext_lazy("Spoke with someone else"),
    "wrong_person": gettext_lazy("Wrong person: this is not the customer's number"),
    "no_answer": gettext_lazy("No answer"),
    "voicemail": gettext_lazy("Left a voicemail"),
    "busy": gettext_lazy("Busy"),
    "not_in_service": gettext_lazy("Number not in service"),
}
LABELS = {
    "outcome": gettext_lazy("How the call went"),
    "number": gettext_lazy("Number called"),
    "voicemail": gettext_lazy("The voicemail you left"),
    "promise_amount": gettext_lazy("Amount promised"),
    "promise_on": gettext_lazy("Date promised"),
    "dispute": gettext_lazy("Why they dispute the debt"),
    "callback_at": gettext_lazy("Call back at"),
    "hardship": gettext_lazy("They told you of hardship"),
    "vulnerability": gettext_lazy("What they told you of a vulnerability"),
    "notes": gettext_lazy("Notes"),
}
# log_call's own names for what it refuses, as the form calls them.
ACTION_FIELDS = {
    "promise": "promise_amount",
    "amount": "promise_amount",
    "currency": "promise_amount",
    "account": "promise_amount",
    "due_on": "promise_on",
    "reason": "dispute",
    "at": "outcome",
    "task": "outcome",
}

WORDS = {
    # Identity
    "ask_for_customer": gettext_lazy(
        "Ask for the customer by their full name. Until you know it is them, give only your own name."
    ),
    "ask_for_customer_business": gettext_lazy(
        "Ask for the person who looks after this account, and check the company's name with them."
    ),
    "confirm_date_of_birth": gettext_lazy(
        "Ask them for their date of birth and check it against the record."
    ),
    "confirm_postcode": gettext_lazy(
        "Ask them for the postcode or ZIP code of their address and check it against the record."
    ),
    "confirm_address": gettext_lazy(
        "Nothing else is on file to check: ask them for their address and check it against the record."
    ),
    "someone_else": gettext_lazy(
        "If someone else answers, ask when the customer is free and say nothing about why you are calling. "
        "If it is not the customer's number, apologise, end the call and log it as the wrong person."
    ),
    "hide_debt": gettext_lazy("that there is a debt, or anything about the account"),
    "hide_amount": gettext_lazy("the amount owed, or any payment"),
    "hide_collector": gettext_lazy("that we collect debts (if our company's name says so, give only yours)"),
    # Disclosures
    "mini_miranda_first": gettext_lazy(
        "This is the first contact about this debt: say this in full once they have passed the check."
    ),
    "mini_miranda": gettext_lazy("Say that the call is from a debt collector."),
    "validation_notice": gettext_lazy(
        "A validation notice must reach them within five days of this first contact, unless they pay in "
        "full before then: check that one is on its way."
    ),
    "who_we_are": gettext_lazy("Say who you are and why you are calling."),
    # Cautions
    "hold_cease": gettext_lazy(
        "They asked us to stop contacting them: do not call. If they call us, you may only say that "
        "collection has stopped or what will happen next."
    ),
    "hold_represented": gettext_lazy(
        "Someone represents them (an attorney or a debt adviser): speak with the representative instead."
    ),
    "hold_bankruptcy": gettext_lazy("They are in bankruptcy: no collection."),
    "hold_deceased": gettext_lazy(
        "The customer has died: do not ask for payment. A specialist handles this."
    ),
    "hold_breathing_space": gettext_lazy(
        "Breathing Space: do not ask for payment. You may answer their questions."
    ),
    "hold_mental_health_crisis": gettext_lazy(
        "Mental health crisis Breathing Space: do not ask for payment. You may answer their questions."
    ),
    "hold_dispute": gettext_lazy(
        "This debt is disputed: do not ask for payment on it until verification has been sent."
    ),
    "hold_vulnerability_review": gettext_lazy(
        "A specialist is reviewing their situation: no collection. Listen, and help if you can."
    ),
    "hold_paused": gettext_lazy(
        "Collection is paused (hardship or a difficult situation): listen and help; do not press for payment."
    ),
    "no_overshadowing": gettext_lazy(
        "Do not give deadlines or urge them to pay in a way that overshadows their right to dispute the debt."
    ),
    "no_pressure": gettext_lazy(
        "Do not press them to pay in one go, in large amounts, quickly, or by borrowing or selling things."
    ),
    # Open questions
    "business_hold_up": gettext_lazy(
        "Is there anything holding up this invoice on your side, such as a query or an approval?"
    ),
    "challenges": gettext_lazy(
        "What challenges are you currently facing that might affect your ability to pay?"
    ),
    "how_are_things": gettext_lazy("How are things going for you at the moment?"),
    "manageable": gettext_lazy("What amount, and what dates, would feel manageable for you?"),
    "what_would_help": gettext_lazy("What would help you most right now?"),
    "anything_else": gettext_lazy("Is there anything else you would like me to know?"),
    # Listening
    "let_them_finish": gettext_lazy("Let them finish. Do not interrupt or rush to a solution."),
    "say_back": gettext_lazy("Say back what you heard in your own words: “So what I am hearing is…”"),
    "validate": gettext_lazy(
        "Acknowledge how they feel: “That sounds really hard. Thank you for telling me.”"
    ),
    "pauses": gettext_lazy("Silence is fine: give them time to think."),
    "no_judgement": gettext_lazy("Keep your voice calm; never blame or judge."),
    # Help
    "advice": gettext_lazy("Free, confidential debt advice: %(name)s (%(site)s)."),
    "hardship_pause": gettext_lazy(
        "In hardship, the firmer steps can pause for %(days)s days while we look at what is affordable: "
        "tick “They told you of hardship” when you log the call."
    ),
    "breathing_space": gettext_lazy(
        "A debt adviser can apply for Breathing Space, which pauses collection, interest and fees."
    ),
    # TEXAS
    "thank": gettext_lazy("Thank them for telling you."),
    "explain": gettext_lazy(
        "Explain how we will use what they told us: to support them, seen only by the people who need to."
    ),
    "consent": gettext_lazy("Ask for their explicit consent to record it."),
    "ask": gettext_lazy(
        "Ask questions to understand their situation: “How does this affect the way you manage your money?”"
    ),
    "signpost": gettext_lazy(
        "Signpost the help available, and tell them a specialist will follow up. Log what they told you "
        "in their words, under “What they told you of a vulnerability”."
    ),
    "no_phone": gettext_lazy(
        "There is no number on file for them to call back: the creditor's phone number must be set first."
    ),
    # Voicemail elements (12 CFR 1006.2(j))
    "business_name": gettext_lazy("a business name that does not say we collect debts"),
    "request_reply": gettext_lazy("a request to call back"),
    "person": gettext_lazy("the name of a person to ask for"),
    "phone": gettext_lazy("a number to call"),
    "salutation": gettext_lazy("a greeting"),
    "date_time": gettext_lazy("the date and time"),
    "suggested_times": gettext_lazy("times to call back"),
    "any_representative": gettext_lazy("that anyone on the team can help"),
}
TEXAS = {
    "thank": ("T", gettext_lazy("Thank")),
    "explain": ("E", gettext_lazy("Explain")),
    "consent": ("X", gettext_lazy("Explicit consent")),
    "ask": ("A", gettext_lazy("Ask")),
    "signpost": ("S", gettext_lazy("Signpost")),
}
OFFERS = {
    "full": gettext_lazy("Pay in full: %(total)s by %(last)s"),
    "settlement": gettext_lazy("Settle for %(total)s, paid by %(last)s"),
    "weekly": gettext_lazy("%(payments)s weekly payments of %(instalment)s, %(first)s to %(last)s"),
    "fortnightly": gettext_lazy(
        "%(payments)s payments of %(instalment)s every two weeks, %(first)s to %(last)s"
    ),
    "monthly": gettext_lazy("%(payments)s monthly payments of %(instalment)s, %(first)s to %(last)s"),
}


@dataclass(frozen=True)
class Line:
    """A point of the guide as the page shows it."""

    text: str
    rule: str = ""
    citation: str = ""
    says: str = ""


def _line(point: Point) -> Line:
    words = str(WORDS[point.key])
    return Line(words % dict(point.params) if point.params else words, point.rule, point.citation, point.says)


def _lines(points) -> list[Line]:
    return [_line(point) for point in points]


def _offers(guide: CallGuide) -> list[dict]:
    return [
        {
            "text": str(OFFERS[offer.kind])
            % {
                "total": money(offer.total, offer.currency),
                "instalment": money(offer.instalment, offer.currency),
                "payments": offer.payments,
                "first": long_date(offer.first_due),
                "last": long_date(offer.last_due),
            },
            "fits": offer.fits,
        }
        for offer in guide.offers
    ]


def _accounts(user, customer: Customer) -> list[Account]:
    """The customer's accounts this user may see, open ones first."""
    return list(
        scope.accounts(user)
        .filter(customer=customer)
        .select_related("creditor", "customer")
        .annotate(
            closed=Case(When(status__in=OPEN, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("closed", "external_ref")
    )


def chosen_account(user, customer: Customer, account_id: str | None) -> tuple[Account, list[Account]]:
    """The account asked for (404 unless it is this customer's and in the user's scope), or the
    customer's first open one."""
    accounts = _accounts(user, customer)
    if not accounts:
        raise Http404("No account")
    if not account_id:
        return accounts[0], accounts
    account = scope.account(user, account_id)
    if account.customer_id != customer.pk:
        raise Http404("Not found")
    return account, accounts


def _guide(request: HttpRequest, summary: AccountSummary, now: datetime) -> tuple[CallGuide, object]:
    """The plain facts the guide is decided from, read from the account's facts and the rule engine."""
    facts = summary.facts
    account, customer = facts.account, facts.account.customer
    phones = [p for p in facts.points.values() if p.kind in PHONE_KINDS and not p.invalid]
    today = customer_today(customer, now)
    # The call as the cycle composes a call task: its script and voicemail, judged for now.
    composed = compose(
        facts,
        channel="call",
        template="call_guide",
        variant=None,
        purpose="collection",
        today=today,
        at=now,
        reply_token=secrets.token_urlsafe(12),
        point=phones[0] if phones else None,
    )
    scenario = parse_scenario(composed.scenario)
    try:
        _, _, found = account_options(account, today)
        options = found.options
    except TermsError:
        options = ()
    postcode = any((p.address or {}).get("postcode") for p in facts.points.values() if p.kind == "postal")
    rendered = composed.rendered
    guide = call_guide(
        CallFacts(
            packs=frozenset(applicable_packs(scenario)),
            first_communication=first_communication(scenario),
            debt_collector=account.creditor.role == "debt_collector",
            language=message_language(customer.language, customer.country),
            creditor=account.creditor.display_name,
            agent=request.user.get_full_name() or request.user.get_username(),
            phone=account.creditor.phone,
            is_business=customer.kind == "business",
            holds=frozenset(
                h.kind
                for h in facts.holds
                if h.starts_at <= now
                and (h.ends_at is None or h.ends_at > now)
                and h.account_id in (None, account.pk)
            ),
            identity_on_file=(("date_of_birth",) if customer.date_of_birth else ())
            + (("postcode",) if postcode else ()),
            options=tuple(options),
            advice=tuple(debt_advice(customer.country)),
            hardship_pause_days=_pause_days(account),
            voicemail=(rendered.voicemail or "") if rendered else "",
            voicemail_problems=tuple(
                r["message"].removeprefix("voicemail: ")
                for r in composed.reasons
                if r["rule"] in ("US-REGF-LCM", "AMICABLE-MESSAGE-CHECK") and r["effect"] != "allow"
            ),
        )
    )
    return guide, composed


def _pause_days(account: Account) -> int:
    try:
        return parse_terms(account.creditor.arrangement_terms).hardship_pause_days
    except TermsError:
        return parse_terms({}).hardship_pause_days


# ---------------------------------------------------------------------------------------------------
# The outcome form


def _read(values, account: Account) -> tuple[dict, dict[str, str]]:
    """The form's values, as log_call takes them, and errors by field (nothing is written if any)."""
    errors: dict[str, str] = {}
    text = lambda name, limit: (values.get(name) or "").strip()[:limit]  # noqa: E731
    outcome = values.get("outcome") or ""
    if outcome not in OUTCOMES:
        errors["outcome"] = _("Choose how the call went.")
    amount = promised_on = callback_at = None
    if text("promise_amount", 30):
        try:
            amount = f.parse_amount(text("promise_amount", 30), account.currency)
            if amount <= 0:
                raise f.FieldError(_("must be more than zero"))
        except f.FieldError as error:
            errors["promise_amount"] = _("Amount promised: %(error)s.") % {"error": error}
    if text("promise_on", 30):
        try:
            promised_on = f.parse_date(text("promise_on", 30))
        except f.FieldError:
            errors["promise_on"] = _("Date promised: enter a date such as 2026-03-13.")
    if text("callback_at", 30):
        try:
            callback_at = datetime.fromisoformat(text("callback_at", 30))
            if callback_at.tzinfo is None:  # the customer's own time, as the form says
                callback_at = callback_at.replace(tzinfo=ZoneInfo(account.customer.timezone))
        except ValueError:
            errors["callback_at"] = _("Call back at: enter a date and time such as 2026-03-13 14:30.")
    agreed = Agreed(
        promise_amount=amount,
        promise_on=promised_on,
        dispute=text("dispute", 5000),
        callback_at=callback_at,
        hardship=values.get("hardship") == "on",
        vulnerability=text("vulnerability", 5000),
    )
    return {
        "outcome": outcome,
        "number": text("number", 32),
        "notes": text("notes", 5000),
        "voicemail": text("voicemail", 1000),
        "agreed": agreed,
    }, errors


def planned_work(
    user, customer: Customer, values
) -> tuple[Contact | None, Task | None, str | None, list[str]]:
    """The call the cycle planned (`contact`) or the callback task (`task`) this call is for, as the
    queue links them: each looked up in the user's scope and the customer's own (404 otherwise). One
    already logged or done is set aside with a word why: the call being made now is a call of its own.
    Returns them, the account they are about (None if neither), and the words for the page."""
    contact = task = None
    said: list[str] = []
    if values.get("contact"):
        found = scope.one(
            CallTask.objects.filter(
                customer=customer, channel="call", account__in=scope.accounts(user)
            ).select_related("contact_point"),
            values.get("contact"),
        )
        if found.status in PENDING:
            contact = found
        else:
            said.append(_("That planned call has already been logged: this call is logged as a new one."))
    if values.get("task"):
        found = scope.one(
            scope.tasks(user).filter(customer=customer, kind=TaskKind.CALLBACK, account__isnull=False),
            values.get("task"),
        )
        if found.done_at is None:
            task = found
        else:
            said.append(_("That callback is already done: this call is logged on its own."))
    about = {item.account_id for item in (contact, task) if item is not None}
    if len(about) > 1:
        raise Http404("The planned call and the callback are about different accounts")
    return contact, task, (str(about.pop()) if about else None), said


def customer_page(customer: Customer, account: Account) -> str:
    try:
        return reverse("console:customer", args=[customer.pk])
    except NoReverseMatch:
        return f"{reverse('console:call', args=[customer.pk])}?account={account.pk}"


@scope.staff_page(Role.AGENT)
def call(request: HttpRequest, pk: int) -> HttpResponse:
    customer = scope.customer(request.user, pk)
    values = request.POST if request.method == "POST" else request.GET
    planned, callback, planned_account, set_aside = planned_work(request.user, customer, values)
    account_id = values.get("account") or planned_account
    if planned_account and account_id != planned_account:
        raise Http404("The call is about another account")
    account, accounts = chosen_account(request.user, customer, account_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        read, errors = _read(request.POST, account)
        if not errors:
            actor = scope.actor(request.user)
            try:
                # The call, the planned call it was (closed rather than made twice), and the callback
                # it answers (done once they have talked): all recorded, or none.
                with transaction.atomic():
                    made = log_call(
                        account,
                        read["outcome"],
                        actor=actor,
                        number=read["number"],
                        task=planned,
                        notes=read["notes"],
                        voicemail=read["voicemail"] if read["outcome"] == "voicemail" else "",
                        agreed=read["agreed"],
                    )
                    if callback is not None and read["outcome"] == "conversation":
                        complete_task(callback, actor=actor, note=f"answered by call {made.pk}")
            except ActionError as error:
                field = ACTION_FIELDS.get(error.field, error.field) if error.field else ""
                field = field if field in LABELS else ""
                # The action names its own input first ("due_on: ..."): the form's label replaces it.
                said = str(error).split(": ", 1)[-1] if error.field else str(error)
                errors[field] = f"{LABELS[field]}: {said}" if field else said
            else:
                messages.success(
                    request,
                    _("The call is logged: %(outcome)s.") % {"outcome": OUTCOMES[read["outcome"]]},
                )
                for words in set_aside:
                    messages.info(request, words)
                if callback is not None and read["outcome"] != "conversation":
                    messages.info(
                        request,
                        _("The callback stays in the work queue until you speak with them, or mark it done."),
                    )
                return redirect(customer_page(customer, account))
    now = timezone.now()
    # Opened without the call the cycle planned (from the customer's page, say): offer it, so the
    # call is logged as that one rather than made twice.
    pending = None
    if planned is None:
        pending = (
            CallTask.objects.filter(account=account, channel="call", status__in=PENDING)
            .order_by("scheduled_at", "pk")
            .first()
        )
    summary = summaries([account], customer_today(customer, now), now, with_outlook=False)[0]
    guide, composed = _guide(request, summary, now)
    return render(
        request,
        "console/call.html",
        {
            "customer": customer,
            "account": account,
            "accounts": accounts,
            "summary": summary,
            "guide": guide,
            "lines": {
                name: _lines(getattr(guide, name))
                for name in (
                    "identity",
                    "not_before_identity",
                    "disclosures",
                    "cautions",
                    "questions",
                    "listening",
                    "help",
                )
            },
            "texas": [
                {"letter": TEXAS[p.key][0], "name": TEXAS[p.key][1], "text": WORDS[p.key]}
                for p in guide.texas
            ],
            "voicemail_why_not": _lines(guide.voicemail.why_not),
            "voicemail_required": [WORDS[key] for key in guide.voicemail.required],
            "voicemail_optional": [WORDS[key] for key in guide.voicemail.optional],
            "offers": _offers(guide),
            "call_now": composed,
            "call_blocks": [r for r in composed.reasons if r["effect"] in ("block", "defer")],
            "script": composed.rendered.body if composed.rendered else "",
            "phones": [p for p in summary.facts.points.values() if p.kind in ("mobile", "landline")],
            "outcomes": OUTCOMES,
            "labels": LABELS,
            "errors": errors,
            "values": request.POST if request.method == "POST" else {},
            "zone": customer.timezone,
            "now": now,
            "planned": planned,
            "pending": pending,
            "callback": callback,
            "set_aside": set_aside if request.method == "GET" else [],
            # The guide sits beside the customer's timeline: what happened before, while on the call.
            "timeline": work.timeline(customer, 1, accounts={a.pk: a for a in accounts}),
            "may_see_sensitive": scope.may_see_sensitive(request.user),
        },
        status=400 if errors else 200,
    )


urlpatterns = [
    path("customers/<int:pk>/call", call, name="call"),
]
