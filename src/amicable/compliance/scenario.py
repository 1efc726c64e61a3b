"""A proposed contact and everything the rules need to judge it, read strictly from JSON.

The format is the one `amicable compliance check` reads (docs/compliance.md). Only `now`,
`debtor.jurisdictions`, `debtor.timezones` and `contact` are required. A bad value raises
ScenarioError naming the field, e.g. `history[2].at`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from amicable.ledger.jurisdictions import check_region, iso_countries

from .time_window import Interval

CHANNELS = ("call", "sms", "email", "letter", "voicemail")
PURPOSES = (
    "collection",
    "opt_out_confirmation",
    "reply_to_debtor",
    "validation_notice",
    "adviser_contact",
    "required_by_law",
    "legal_action",  # issuing a court claim (channel: letter)
    "credit_reporting",  # furnishing the debt to a credit bureau (channel: letter)
)
# Acts about the debt that are not messages to the debtor: opt-outs and cease requests do not stop them.
ACTS = frozenset({"legal_action", "credit_reporting"})
MESSAGE_PURPOSES = frozenset(PURPOSES) - ACTS
DIRECTIONS = ("outbound", "inbound")
CALL_OUTCOMES = ("conversation", "no_answer", "voicemail", "busy", "not_in_service", "dropped")
MESSAGE_OUTCOMES = ("sent", "delivered", "failed")
HOLD_KINDS = (
    "dispute",
    "cease",
    "bankruptcy",
    "deceased",
    "breathing_space",
    "mental_health_crisis",
    "represented",
    "vulnerability_review",
    "paused",
)
ROLES = ("creditor", "debt_collector")
DEBTOR_KINDS = ("individual", "sole_trader", "company")
LINE_TYPES = ("mobile", "landline", "unknown")
NOTICE_KINDS = ("validation", "letter_of_claim", "reply_form", "documents")
PROPOSAL_STATUSES = ("pending", "accepted", "refused")
BREATHING_SPACE_DAYS = 60


class ScenarioError(ValueError):
    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name


@dataclass(frozen=True, slots=True)
class Event:
    at: datetime
    channel: str
    direction: str
    debts: tuple[str, ...]
    outcome: str | None = None
    content: str | None = None


@dataclass(frozen=True, slots=True)
class Hold:
    kind: str
    debts: tuple[str, ...] | None  # None: every debt
    since: date
    until: date | None  # the last day of the hold; None: open

    @property
    def last_day(self) -> date | None:
        """The hold's last day. A standard breathing space with no end given lasts 60 days
        (SI 2020/1311); a mental health crisis one lasts until it is ended."""
        if self.until is None and self.kind == "breathing_space":
            return self.since + timedelta(days=BREATHING_SPACE_DAYS - 1)
        return self.until

    def active_on(self, day: date) -> bool:
        last = self.last_day
        return self.since <= day and (last is None or day <= last)

    def covers(self, debts: tuple[str, ...]) -> bool:
        return self.debts is None or any(d in self.debts for d in debts)


@dataclass(frozen=True, slots=True)
class Consent:
    channel: str
    given_at: datetime
    for_time: datetime | None


@dataclass(frozen=True, slots=True)
class Notice:
    kind: str  # validation, letter_of_claim, reply_form (from the debtor), documents (we sent)
    sent_at: date
    seeking_advice: bool = False  # a reply form saying the debtor is getting debt advice


@dataclass(frozen=True, slots=True)
class Recipient:
    """What is known of the number or address the contact goes to. Fields left out are unknown, and
    rules that need them do not judge."""

    line_type: str | None = None  # mobile, landline, unknown
    automated: bool | None = None  # an autodialled or prerecorded call, or a text from a platform
    debtor_provided: bool | None = None  # the debtor gave this number or address for the debt
    consented_at: datetime | None = None  # direct consent to be contacted here
    debtor_used_at: datetime | None = None  # the debtor last wrote to us from here
    reassigned_checked_at: datetime | None = None  # last reassigned-numbers database check
    notice_and_opt_out: bool | None = None  # the 1006.6(d)(4)(ii) email procedure was followed
    workplace: bool = False
    employer_prohibits: bool = False


@dataclass(frozen=True, slots=True)
class Contact:
    channel: str
    debts: tuple[str, ...]
    purpose: str
    content: str | None
    to: Recipient | None = None
    postcard: bool = False
    envelope: str | None = None  # what is printed on the outside of a letter


@dataclass(frozen=True, slots=True)
class DebtFacts:
    time_barred: bool = False


@dataclass(frozen=True, slots=True)
class Proposal:
    """A repayment offer the debtor made."""

    made_at: datetime
    status: str  # pending, accepted, refused
    monthly_amount: Decimal | None = None
    affordable: bool | None = None  # None: judge from the financial statement when there is one


@dataclass(frozen=True, slots=True)
class FinancialStatement:
    """The debtor's Standard Financial Statement, monthly, in the debt's currency."""

    income: Decimal
    expenditure: Decimal

    @property
    def surplus(self) -> Decimal:
        return self.income - self.expenditure


@dataclass(frozen=True, slots=True)
class Scenario:
    now: datetime
    jurisdictions: tuple[str, ...]
    timezones: tuple[str, ...]
    inconvenient_times: tuple[Interval, ...]
    role: str
    settings: Mapping[str, Any]
    contact: Contact
    history: tuple[Event, ...] = ()
    holds: tuple[Hold, ...] = ()
    consents: tuple[Consent, ...] = ()
    notices: tuple[Notice, ...] = ()
    debts: Mapping[str, DebtFacts] = field(default_factory=dict)
    debtor_kind: str = "individual"
    proposals: tuple[Proposal, ...] = ()
    financial_statement: FinancialStatement | None = None
    notices_known: bool = False  # the scenario listed notices (even none); rules about them need this
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def home_zone(self) -> ZoneInfo:
        """The zone days are counted in (the first the debtor gave)."""
        return ZoneInfo(self.timezones[0])

    def local_day(self, at: datetime) -> date:
        return at.astimezone(self.home_zone).date()


# ----------------------------------------------------------------------------------------- parsing


def _obj(value: Any, name: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ScenarioError(name, "expected an object")
    return value


def _list(value: Any, name: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ScenarioError(name, "expected a list")
    return value


def _str(value: Any, name: str, choices: tuple[str, ...] | None = None) -> str:
    if not isinstance(value, str) or not value:
        raise ScenarioError(name, "expected a non-empty string")
    if choices is not None and value not in choices:
        raise ScenarioError(name, f"{value!r} is not one of {', '.join(choices)}")
    return value


def _datetime(value: Any, name: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(_str(value, name))
    except ValueError:
        raise ScenarioError(name, f"{value!r} is not an ISO 8601 date-time") from None
    if parsed.tzinfo is None:
        raise ScenarioError(name, f"{value!r} has no UTC offset (write e.g. 2025-03-10T10:00:00-08:00)")
    return parsed


def _date(value: Any, name: str) -> date:
    try:
        return date.fromisoformat(_str(value, name)[:10])
    except ValueError:
        raise ScenarioError(name, f"{value!r} is not an ISO date") from None


def _debts(value: Any, name: str) -> tuple[str, ...]:
    debts = tuple(_str(d, f"{name}[{i}]") for i, d in enumerate(_list(value, name)))
    if not debts:
        raise ScenarioError(name, "name at least one debt")
    return debts


def _hhmm(value: Any, name: str) -> time:
    try:
        return time.fromisoformat(_str(value, name))
    except ValueError:
        raise ScenarioError(name, f"{value!r} is not a time such as 18:00") from None


def _bool(value: Any, name: str, default: bool | None = None) -> bool | None:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ScenarioError(name, f"{value!r} is not true or false")
    return value


def _optional_datetime(value: Any, name: str) -> datetime | None:
    return None if value is None else _datetime(value, name)


def _decimal(value: Any, name: str) -> Decimal:
    # Amounts are strings or integers: a float such as 0.1 is not the amount it looks like.
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ScenarioError(name, f'{value!r}: write an amount as a string, e.g. "120.50"')
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ScenarioError(name, f"{value!r} is not an amount") from None
    if not amount.is_finite() or amount < 0:
        raise ScenarioError(name, f"{value!r} is not an amount of zero or more")
    return amount


def _recipient(value: Any, name: str) -> Recipient | None:
    if value is None:
        return None
    raw = _obj(value, name)
    known = {f for f in Recipient.__dataclass_fields__}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ScenarioError(
            f"{name}.{unknown[0]}", f"unknown field; the fields are {', '.join(sorted(known))}"
        )
    line_type = raw.get("line_type")
    return Recipient(
        line_type=None if line_type is None else _str(line_type, f"{name}.line_type", LINE_TYPES),
        automated=_bool(raw.get("automated"), f"{name}.automated"),
        debtor_provided=_bool(raw.get("debtor_provided"), f"{name}.debtor_provided"),
        consented_at=_optional_datetime(raw.get("consented_at"), f"{name}.consented_at"),
        debtor_used_at=_optional_datetime(raw.get("debtor_used_at"), f"{name}.debtor_used_at"),
        reassigned_checked_at=_optional_datetime(
            raw.get("reassigned_checked_at"), f"{name}.reassigned_checked_at"
        ),
        notice_and_opt_out=_bool(raw.get("notice_and_opt_out"), f"{name}.notice_and_opt_out"),
        workplace=_bool(raw.get("workplace"), f"{name}.workplace", False),
        employer_prohibits=_bool(raw.get("employer_prohibits"), f"{name}.employer_prohibits", False),
    )


def _debt_facts(value: Any) -> dict[str, DebtFacts]:
    facts = {}
    for debt, raw in _obj(value or {}, "debts").items():
        raw = _obj(raw, f"debts.{debt}")
        for key in raw:
            if key != "time_barred":
                raise ScenarioError(f"debts.{debt}.{key}", "unknown field; the field is time_barred")
        facts[debt] = DebtFacts(time_barred=_bool(raw.get("time_barred"), f"debts.{debt}.time_barred", False))
    return facts


def _proposals(value: Any) -> tuple[Proposal, ...]:
    proposals = []
    for i, raw in enumerate(_list(value, "proposals")):
        name = f"proposals[{i}]"
        raw = _obj(raw, name)
        amount = raw.get("monthly_amount")
        proposals.append(
            Proposal(
                made_at=_datetime(raw.get("made_at"), f"{name}.made_at"),
                status=_str(raw.get("status"), f"{name}.status", PROPOSAL_STATUSES),
                monthly_amount=None if amount is None else _decimal(amount, f"{name}.monthly_amount"),
                affordable=_bool(raw.get("affordable"), f"{name}.affordable"),
            )
        )
    return tuple(sorted(proposals, key=lambda p: p.made_at))


def _financial_statement(value: Any) -> FinancialStatement | None:
    if value is None:
        return None
    raw = _obj(value, "debtor.financial_statement")
    return FinancialStatement(
        income=_decimal(raw.get("income"), "debtor.financial_statement.income"),
        expenditure=_decimal(raw.get("expenditure"), "debtor.financial_statement.expenditure"),
    )


# Jurisdictions that are not ISO 3166-2 subdivisions but have rules of their own.
CITIES = {"US-NYC"}


def _check_jurisdiction(code: str, name: str) -> None:
    """A country (ISO 3166-1 alpha-2, e.g. GB not UK) or country-region (US-MA, GB-ENG), or a city we
    know: an unknown code would silently switch packs off."""
    country, _, region = code.partition("-")
    if country not in iso_countries():
        hint = " (the United Kingdom is GB)" if country == "UK" else ""
        raise ScenarioError(name, f"{code!r}: {country!r} is not an ISO 3166-1 country code{hint}")
    if region and code not in CITIES:
        try:
            check_region(country, region)
        except ValueError as error:
            raise ScenarioError(name, f"{code!r}: {error}") from None


def parse_scenario(data: Any) -> Scenario:
    """A Scenario from decoded JSON, or ScenarioError naming the first bad field."""
    data = _obj(data, "scenario")
    if "now" not in data:
        raise ScenarioError("now", "required")
    now = _datetime(data["now"], "now")
    debtor = _obj(data.get("debtor"), "debtor")
    jurisdictions = tuple(
        _str(j, f"debtor.jurisdictions[{i}]").upper()
        for i, j in enumerate(_list(debtor.get("jurisdictions"), "debtor.jurisdictions"))
    )
    if not jurisdictions:
        raise ScenarioError("debtor.jurisdictions", 'required: e.g. ["US", "US-CA"]')
    for i, code in enumerate(jurisdictions):
        _check_jurisdiction(code, f"debtor.jurisdictions[{i}]")
    timezones = []
    for i, zone in enumerate(_list(debtor.get("timezones"), "debtor.timezones")):
        name = f"debtor.timezones[{i}]"
        try:
            ZoneInfo(_str(zone, name))
        except (ZoneInfoNotFoundError, ValueError):
            raise ScenarioError(name, f"{zone!r} is not an IANA time zone") from None
        timezones.append(zone)
    if not timezones:
        raise ScenarioError("debtor.timezones", 'required: e.g. ["America/Los_Angeles"]')
    inconvenient = tuple(
        Interval(
            _hhmm(
                _obj(t, f"debtor.inconvenient_times[{i}]").get("from"), f"debtor.inconvenient_times[{i}].from"
            ),
            _hhmm(t.get("to"), f"debtor.inconvenient_times[{i}].to"),
        )
        for i, t in enumerate(_list(debtor.get("inconvenient_times"), "debtor.inconvenient_times"))
    )
    creditor = _obj(data.get("creditor") or {"role": "debt_collector"}, "creditor")
    role = _str(creditor.get("role", "debt_collector"), "creditor.role", ROLES)
    settings = _obj(creditor.get("settings") or {}, "creditor.settings")
    raw_contact = _obj(data.get("contact"), "contact")
    contact = Contact(
        channel=_str(raw_contact.get("channel"), "contact.channel", CHANNELS),
        debts=_debts(raw_contact.get("debts"), "contact.debts"),
        purpose=_str(raw_contact.get("purpose", "collection"), "contact.purpose", PURPOSES),
        content=raw_contact.get("content"),
        to=_recipient(raw_contact.get("to"), "contact.to"),
        postcard=_bool(raw_contact.get("postcard"), "contact.postcard", False),
        envelope=raw_contact.get("envelope"),
    )
    for text in ("content", "envelope"):
        if getattr(contact, text) is not None and not isinstance(getattr(contact, text), str):
            raise ScenarioError(f"contact.{text}", "expected a string or null")
    history = []
    for i, raw in enumerate(_list(data.get("history"), "history")):
        name = f"history[{i}]"
        raw = _obj(raw, name)
        channel = _str(raw.get("channel"), f"{name}.channel", CHANNELS)
        outcomes = CALL_OUTCOMES if channel in {"call", "voicemail"} else MESSAGE_OUTCOMES
        outcome = raw.get("outcome")
        if outcome is not None:
            outcome = _str(outcome, f"{name}.outcome", outcomes)
        history.append(
            Event(
                at=_datetime(raw.get("at"), f"{name}.at"),
                channel=channel,
                direction=_str(raw.get("direction", "outbound"), f"{name}.direction", DIRECTIONS),
                debts=_debts(raw.get("debts"), f"{name}.debts"),
                outcome=outcome,
                content=raw.get("content"),
            )
        )
    holds = []
    for i, raw in enumerate(_list(data.get("holds"), "holds")):
        name = f"holds[{i}]"
        raw = _obj(raw, name)
        debts = raw.get("debts")
        holds.append(
            Hold(
                kind=_str(raw.get("kind"), f"{name}.kind", HOLD_KINDS),
                debts=None if debts is None else _debts(debts, f"{name}.debts"),
                since=_date(raw.get("since"), f"{name}.since"),
                until=None if raw.get("until") is None else _date(raw.get("until"), f"{name}.until"),
            )
        )
    consents = []
    for i, raw in enumerate(_list(data.get("consents"), "consents")):
        name = f"consents[{i}]"
        raw = _obj(raw, name)
        consents.append(
            Consent(
                channel=_str(raw.get("channel"), f"{name}.channel", CHANNELS),
                given_at=_datetime(raw.get("given_at"), f"{name}.given_at"),
                for_time=None
                if raw.get("for_time") is None
                else _datetime(raw["for_time"], f"{name}.for_time"),
            )
        )
    notices = [
        Notice(
            _str(_obj(raw, f"notices[{i}]").get("kind"), f"notices[{i}].kind", NOTICE_KINDS),
            _date(raw.get("sent_at"), f"notices[{i}].sent_at"),
            _bool(raw.get("seeking_advice"), f"notices[{i}].seeking_advice", False),
        )
        for i, raw in enumerate(_list(data.get("notices"), "notices"))
    ]
    return Scenario(
        now=now,
        jurisdictions=jurisdictions,
        timezones=tuple(timezones),
        inconvenient_times=inconvenient,
        role=role,
        settings=settings,
        contact=contact,
        history=tuple(sorted(history, key=lambda e: e.at)),
        holds=tuple(holds),
        consents=tuple(consents),
        notices=tuple(notices),
        debts=_debt_facts(data.get("debts")),
        debtor_kind=_str(debtor.get("kind", "individual"), "debtor.kind", DEBTOR_KINDS),
        proposals=_proposals(data.get("proposals")),
        financial_statement=_financial_statement(debtor.get("financial_statement")),
        notices_known="notices" in data,
        raw=data,
    )
