"""Plans and promises: the ways to pay an account (the arrangements engine's options), a budget check
that shows which of them fit, a plan the customer shapes and sees before agreeing to it, and a promise
to pay by a date. The views read the forms; arrangements/plans.py and promises.py decide and write."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

from babel.numbers import NumberFormatError, parse_decimal
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from amicable.arrangements.accounts import account_options
from amicable.arrangements.affordability import (
    FIXED_COSTS,
    FLEXIBLE_COSTS,
    INCOME,
    PER_MONTH,
    PRIORITY_DEBTS,
    Statement,
    StatementError,
)
from amicable.arrangements.options import Option
from amicable.arrangements.plans import accept_plan, preview_plan
from amicable.arrangements.promises import LONGEST, record_promise
from amicable.arrangements.terms import FREQUENCIES, TermsError, parse_terms
from amicable.ledger.actions import ActionError
from amicable.ledger.importing import fields as f
from amicable.ledger.models import Account
from amicable.ledger.models.arrangement import ArrangementStatus
from amicable.ledger.models.promise import PromiseStatus
from amicable.messages.render import babel_locale
from amicable.web.templatetags.amicable import long_date, money

from .. import access
from ..access import customer_account, portal_page
from ..summary import customer_today

CHANNEL, SOURCE = "portal", "portal"

# The budget form: the Standard Financial Statement's categories, as the affordability module reads
# them (every amount a month), with plain labels and hints.
LABELS = {
    "earnings": (gettext_lazy("Take-home pay from work"), gettext_lazy("After tax and deductions.")),
    "benefits": (gettext_lazy("Benefits and tax credits"), ""),
    "pensions": (gettext_lazy("Pensions"), ""),
    "other_income": (
        gettext_lazy("Other money coming in"),
        gettext_lazy("For example child support you receive, rent from a lodger, or help from family."),
    ),
    "housing": (gettext_lazy("Rent or mortgage"), ""),
    "council_tax": (gettext_lazy("Council tax or property tax"), ""),
    "water": (gettext_lazy("Water"), ""),
    "energy": (gettext_lazy("Gas, electricity and heating"), ""),
    "tv_licence": (gettext_lazy("TV licence"), ""),
    "insurance": (gettext_lazy("Insurance"), gettext_lazy("Home, car, life or health.")),
    "childcare": (gettext_lazy("Childcare"), ""),
    "child_maintenance": (gettext_lazy("Child maintenance or support you pay"), ""),
    "court_fines": (gettext_lazy("Court fines"), ""),
    "hire_purchase": (gettext_lazy("Hire purchase or car finance"), ""),
    "other_fixed": (gettext_lazy("Other regular bills"), ""),
    "food_and_housekeeping": (
        gettext_lazy("Food and housekeeping"),
        gettext_lazy("Groceries, toiletries, cleaning, school meals."),
    ),
    "personal_costs": (gettext_lazy("Personal costs"), gettext_lazy("Clothes, haircuts, prescriptions.")),
    "communications_and_leisure": (
        gettext_lazy("Phone, internet and leisure"),
        gettext_lazy("Mobile, broadband, TV packages, hobbies."),
    ),
    "travel": (gettext_lazy("Travel"), gettext_lazy("Fuel, parking, bus and train fares.")),
    "savings": (gettext_lazy("Savings"), gettext_lazy("A little put aside for emergencies.")),
    "priority_debts": (
        gettext_lazy("Payments towards priority debts"),
        gettext_lazy("Arrears on rent, mortgage, council tax, energy or tax: these come first."),
    ),
    "other_debts": (
        gettext_lazy("What you owe other lenders, in total"),
        gettext_lazy(
            "Cards, loans, catalogues, overdrafts: the amount owed, not the monthly payment. What you can "
            "afford is shared fairly between everyone you owe."
        ),
    ),
}
SECTIONS = (
    (gettext_lazy("Money coming in"), INCOME),
    (gettext_lazy("Household bills"), FIXED_COSTS),
    (gettext_lazy("Everyday spending"), FLEXIBLE_COSTS),
    (gettext_lazy("Priority debts"), PRIORITY_DEBTS),
    (gettext_lazy("Other debts"), ("other_debts",)),
)
assert set(LABELS) == {name for _, names in SECTIONS for name in names}


@dataclass
class Field:
    name: str
    label: str
    hint: str = ""
    value: str = ""
    error: str = ""


@dataclass
class Section:
    legend: str
    fields: list[Field]


@dataclass
class Limit:
    """What the creditor's terms allow for one frequency, from the engine's lowest-instalment option."""

    lowest: Decimal
    most: int


@dataclass
class Problems:
    """Errors of one submitted form, by field name (the field's id on the page)."""

    fields: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    general: str = ""

    def add(self, name: str, label: str, message: str) -> None:
        self.fields.setdefault(name, message)
        self.labels.setdefault(name, label)

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)

    @property
    def summary(self) -> list[tuple[str, str, str]]:
        return [(name, self.labels[name], message) for name, message in self.fields.items()]


# Reading what people type --------------------------------------------------------------------------


def _amount(text: str, currency: str) -> Decimal:
    """An amount as typed in the page's language (1,250.50 / 1.250,50 / 1250.50), or ValueError."""
    text = text.strip().strip("$£€").strip()
    try:
        value = parse_decimal(text, locale=babel_locale(translation.get_language() or "en"), strict=True)
    except NumberFormatError:
        value = f.parse_decimal(text)  # plain 1250.50 in any language; FieldError is a ValueError
    if not value.is_finite() or value < 0:
        raise ValueError(f"not an amount of 0 or more: {text!r}")
    return f.parse_amount(str(value), currency)  # no more places than the currency has; not too large


def _budget(account: Account, data) -> tuple[list[Section], Statement | None, Problems]:
    sections, problems = [], Problems()
    values: dict[str, Decimal] = {}
    for legend, names in SECTIONS:
        fields = []
        for name in names:
            label, hint = LABELS[name]
            item = Field(name, str(label), str(hint), (data or {}).get(name, "").strip())
            if item.value:
                try:
                    values[name] = _amount(item.value, account.currency)
                except ValueError:
                    item.error = _("Enter an amount of 0 or more in numbers, for example 250 or 250.50.")
                    problems.add(f"ie-{name}", item.label, item.error)
            fields.append(item)
        sections.append(Section(str(legend), fields))
    if data is None or problems:
        return sections, None, problems
    other = values.pop("other_debts", Decimal(0))
    statement = Statement(
        currency=account.currency,
        income={name: values[name] for name in INCOME if name in values},
        expenditure={name: amount for name, amount in values.items() if name not in INCOME},
        other_debts=(("other lenders", other),) if other else (),
    )
    return sections, statement, problems


# The plans page --------------------------------------------------------------------------------------


def _limits(found) -> dict[str, Limit]:
    return {o.kind: Limit(o.instalment, len(o.schedule)) for o in found.options if o.kind in FREQUENCIES}


def _preview_url(account: Account, option: Option) -> str:
    query = {"kind": option.kind}
    if option.kind in FREQUENCIES:
        query["instalment"] = str(option.instalment)
    return f"{reverse('portal:plan-preview', args=[account.pk])}?{urlencode(query)}"


def _engine_message(error: ActionError, account: Account, kind: str, limits: dict[str, Limit]) -> str:
    """The arrangements engine's refusal in the customer's words and language."""
    creditor, limit = account.creditor.display_name, limits.get(kind)
    if error.field == "payments" and limit:
        return _(
            "Enter a number from 1 to %(most)s: the most payments %(creditor)s can offer for this plan."
        ) % {"most": limit.most, "creditor": creditor}
    if error.field == "instalment" and limit:
        return _(
            "Enter an amount from %(lowest)s to %(balance)s: the least %(creditor)s can accept each time "
            "for this plan, up to the whole balance."
        ) % {
            "lowest": money(limit.lowest, account.currency),
            "balance": money(account.balance, account.currency),
            "creditor": creditor,
        }
    if error.field in ("kind", "payments", "instalment"):
        return _("That plan is not one %(creditor)s can offer. Please choose again.") % {"creditor": creditor}
    if account.status == "disputed":
        return _("You told us you dispute this debt. A plan can be agreed once that is settled.")
    return _("A plan can't be agreed on this account just now. Please ask us for help.")


def _plans_page(
    request: HttpRequest,
    account: Account,
    *,
    budget: tuple[list[Section], Statement | None, Problems] | None = None,
    shape: dict[str, str] | None = None,
    shape_problems: Problems | None = None,
    status: int = 200,
) -> HttpResponse:
    today = customer_today(request.customer)
    sections, statement, budget_problems = budget or _budget(account, None)
    plan = account.arrangements.filter(status=ArrangementStatus.ACTIVE).first()
    context = {
        "customer": request.customer,
        "creditor": account.creditor,
        "account": account,
        "today": today,
        "plan": plan,
        "plan_rows": list(plan.instalments.all()) if plan else [],
        "promises": account.promises.filter(status=PromiseStatus.OPEN).order_by("due_on"),
        "sections": sections,
        "budget_problems": budget_problems,
        "budget_sent": budget is not None,
        "shape": shape or {},
        "shape_problems": shape_problems or Problems(),
        "arrangeable": account.status not in ("disputed", "resolved", "written_off"),
    }
    try:
        terms = parse_terms(account.creditor.arrangement_terms)
        balance, affordability, found = account_options(account, today, statement)
    except (TermsError, StatementError):
        # The creditor's terms are wrong (checked when saved, so rare): nothing to offer but a person.
        context["unavailable"] = True
        return render(request, "portal/plans.html", context, status=status)
    plain = found if statement is None else account_options(account, today)[2]
    context |= {
        "balance": balance,
        "affordability": affordability,
        "per_period": {kind: affordability.per_period(kind) for kind in PER_MONTH} if affordability else {},
        "over_guideline": [
            (LABELS[name][0], spent, limit) for name, spent, limit in affordability.over_guideline
        ]
        if affordability
        else [],
        "flagged": bool(found.flags),
        "options": [
            {
                "option": option,
                "payments": len(option.schedule),
                "first": option.schedule[0][0],
                "last_amount": option.schedule[-1][1],
                "url": _preview_url(account, option),
                "saving": balance - option.total if option.kind == "settlement" else None,
            }
            for option in found.options
        ],
        "frequencies": [kind for kind in FREQUENCIES if kind in terms.frequencies],
    }
    limits = _limits(plain)
    context["limits"] = [(kind, limits[kind]) for kind in context["frequencies"] if kind in limits]
    if not context["shape"].get("kind"):
        context["shape"] = {"kind": "monthly" if "monthly" in terms.frequencies else terms.frequencies[0]}
    return render(request, "portal/plans.html", context, status=status)


@portal_page
def plans(request: HttpRequest, account_id: int) -> HttpResponse:
    """GET: the ways to pay. POST: the same, judged against the budget sent (nothing is stored; POST
    keeps income and spending out of addresses and logs)."""
    account = customer_account(request, account_id)
    if request.method != "POST":
        return _plans_page(request, account)
    budget = _budget(account, request.POST)
    return _plans_page(request, account, budget=budget, status=400 if budget[2] else 200)


# Preview and accept ----------------------------------------------------------------------------------


def _fingerprint(option: Option) -> str:
    """The schedule the customer saw, so that what they agree to is exactly that."""
    return ";".join(f"{day.isoformat()}={amount}" for day, amount in option.schedule)


def _preview_page(
    request: HttpRequest,
    account: Account,
    option: Option,
    *,
    payments: int | None = None,
    changed: bool = False,
    status: int = 200,
) -> HttpResponse:
    """payments: the number of payments the customer chose, kept if the plan has to be worked out again."""
    try:
        grace = parse_terms(account.creditor.arrangement_terms).instalment_grace_days
    except TermsError:
        grace = None
    return render(
        request,
        "portal/plans_preview.html",
        {
            "customer": request.customer,
            "creditor": account.creditor,
            "account": account,
            "option": option,
            "payments": len(option.schedule),
            "rows": [(number, day, amount) for number, (day, amount) in enumerate(option.schedule, start=1)],
            "first": option.schedule[0][0],
            "instalment": str(option.instalment) if option.kind in FREQUENCIES and payments is None else "",
            "chosen_payments": payments or "",
            "fingerprint": _fingerprint(option),
            "grace": grace,
            "changed": changed,
            "replaces": account.arrangements.filter(status=ArrangementStatus.ACTIVE).exists(),
        },
        status=status,
    )


@require_GET
@portal_page
def preview(request: HttpRequest, account_id: int) -> HttpResponse:
    """The schedule of the plan chosen (an option, or a frequency with a number of payments or an
    amount each time), with what happens if a payment is missed, and the button to agree to it."""
    account = customer_account(request, account_id)
    shape = {name: request.GET.get(name, "").strip() for name in ("kind", "payments", "instalment")}
    kind, problems = shape["kind"], Problems()
    payments = instalment = None
    how_many, how_much = _("How many payments"), _("Or, how much each time")
    if kind in FREQUENCIES:
        if shape["payments"] and shape["instalment"]:
            problems.add("payments", how_many, _("Fill in one of these, not both."))
        elif shape["payments"]:
            if shape["payments"].isdigit():
                payments = int(shape["payments"])
            else:
                problems.add("payments", how_many, _("Enter a whole number, for example 3."))
        elif shape["instalment"]:
            try:
                instalment = _amount(shape["instalment"], account.currency)
            except ValueError:
                problems.add(
                    "instalment", how_much, _("Enter an amount in numbers, for example 50 or 50.00.")
                )
        else:
            problems.add(
                "payments",
                how_many,
                _("Enter how many payments you would like, or how much you can pay each time."),
            )
    elif kind not in ("full", "settlement"):
        problems.add("kind", _("How often"), _("Choose how often you would like to pay."))
    if not problems:
        try:
            option = preview_plan(account, kind, instalment=instalment, payments=payments)
        except ActionError as error:
            today = customer_today(request.customer)
            try:
                limits = _limits(account_options(account, today)[2])
            except (TermsError, StatementError):
                limits = {}
            message = _engine_message(error, account, kind, limits)
            if error.field == "instalment":
                problems.add("instalment", how_much, message)
            elif error.field in ("payments", "kind") and kind in FREQUENCIES:
                problems.add("payments", how_many, message)
            else:
                problems.general = message
        else:
            return _preview_page(request, account, option, payments=payments)
    return _plans_page(request, account, shape=shape, shape_problems=problems, status=400)


@require_POST
@portal_page
def accept(request: HttpRequest, account_id: int) -> HttpResponse:
    """The customer agrees to the plan they were shown: accept_plan writes it, on their timeline."""
    account = customer_account(request, account_id)
    kind, seen = request.POST.get("kind", ""), request.POST.get("schedule", "")
    try:
        text, count = request.POST.get("instalment", "").strip(), request.POST.get("payments", "").strip()
        payments = int(count) if count.isdigit() else None
        instalment = f.parse_amount(text, account.currency) if text and payments is None else None
        option = preview_plan(account, kind, instalment=instalment, payments=payments)
        if _fingerprint(option) != seen:
            # The balance or the day changed since the preview: show the plan as it would be now.
            return _preview_page(request, account, option, payments=payments, changed=True, status=409)
        plan = accept_plan(
            account,
            kind,
            instalment=option.instalment if kind in FREQUENCIES else None,
            channel=CHANNEL,
            source=SOURCE,
            actor=access.actor(request.customer),
        )
    except (ActionError, f.FieldError) as error:
        problems = Problems()
        if isinstance(error, ActionError):
            problems.general = _engine_message(error, account, kind, {})
        else:
            problems.general = _("That plan can't be agreed. Please choose it again.")
        return _plans_page(request, account, shape_problems=problems, status=400)
    first = plan.instalments.order_by("number").first()
    messages.success(
        request,
        _("Thank you: your plan is agreed. Your first payment of %(amount)s is due on %(date)s.")
        % {"amount": money(first.amount, plan.currency), "date": long_date(first.due_on)},
    )
    return redirect("portal:plans", account.pk)


# Promises --------------------------------------------------------------------------------------------


@portal_page
def promise(request: HttpRequest, account_id: int) -> HttpResponse:
    """A promise to pay an amount by a date; record_promise checks it and puts it on the timeline."""
    account = customer_account(request, account_id)
    today = customer_today(request.customer)
    last = today + timedelta(days=LONGEST)
    values = {name: request.POST.get(name, "").strip() for name in ("amount", "due_on")}
    problems = Problems()
    amount_label, date_label = _("How much you can pay"), _("The date you can pay by")
    if request.method == "POST":
        amount = due_on = None
        if not values["amount"]:
            problems.add("amount", amount_label, _("Enter the amount you can pay."))
        else:
            try:
                amount = _amount(values["amount"], account.currency)
            except ValueError:
                problems.add(
                    "amount",
                    amount_label,
                    _("Enter an amount above zero in numbers, for example 50 or 50.00."),
                )
        if not values["due_on"]:
            problems.add("due_on", date_label, _("Enter the date you can pay by."))
        else:
            try:
                due_on = f.parse_date(values["due_on"])
            except f.FieldError:
                problems.add(
                    "due_on", date_label, _("Enter the date as year-month-day, for example 2026-05-30.")
                )
        if not problems:
            try:
                made = record_promise(
                    account,
                    amount,
                    due_on,
                    channel=CHANNEL,
                    source=SOURCE,
                    actor=access.actor(request.customer),
                )
            except ActionError as error:
                if error.field == "due_on":
                    problems.add(
                        "due_on",
                        date_label,
                        _("Choose a date from today, %(first)s, to %(last)s.")
                        % {"first": long_date(today), "last": long_date(last)},
                    )
                elif error.field == "amount" and amount > 0:
                    problems.add(
                        "amount",
                        amount_label,
                        _("Enter an amount up to your balance of %(balance)s.")
                        % {"balance": money(account.balance, account.currency)},
                    )
                elif error.field == "amount":
                    problems.add("amount", amount_label, _("Enter an amount above zero."))
                else:
                    problems.general = _(
                        "A promise can't be recorded on this account. Please ask us for help."
                    )
            else:
                messages.success(
                    request,
                    _("Thank you. We have noted that you will pay %(amount)s by %(date)s.")
                    % {"amount": money(made.amount, made.currency), "date": long_date(made.due_on)},
                )
                return redirect("portal:promise", account.pk)
    try:
        grace = parse_terms(account.creditor.arrangement_terms).promise_grace_days
    except TermsError:
        grace = None
    return render(
        request,
        "portal/promise.html",
        {
            "customer": request.customer,
            "creditor": account.creditor,
            "account": account,
            "values": values,
            "problems": problems,
            "today": today,
            "last": last,
            "grace": grace,
            "promises": account.promises.filter(status=PromiseStatus.OPEN).order_by("due_on"),
            "closed": account.status in ("resolved", "written_off"),
        },
        status=400 if problems else 200,
    )


urlpatterns = [
    path("portal/a/<int:account_id>/plans", plans, name="plans"),
    path("portal/a/<int:account_id>/plans/preview", preview, name="plan-preview"),
    path("portal/a/<int:account_id>/plans/accept", accept, name="plan-accept"),
    path("portal/a/<int:account_id>/promise", promise, name="promise"),
]
