"""A proposed contact and everything the rules need to judge it, read strictly from JSON.

The format is the one `amicable compliance check` reads (docs/compliance.md). Only `now`,
`debtor.jurisdictions`, `debtor.timezones` and `contact` are required. A bad value raises
ScenarioError naming the field, e.g. `history[2].at`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
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
)
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
)
ROLES = ("creditor", "debt_collector")
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
    kind: str
    sent_at: date


@dataclass(frozen=True, slots=True)
class Contact:
    channel: str
    debts: tuple[str, ...]
    purpose: str
    content: str | None


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
    )
    if contact.content is not None and not isinstance(contact.content, str):
        raise ScenarioError("contact.content", "expected a string or null")
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
            _str(_obj(raw, f"notices[{i}]").get("kind"), f"notices[{i}].kind"),
            _date(raw.get("sent_at"), f"notices[{i}].sent_at"),
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
        notices_known="notices" in data,
        raw=data,
    )
