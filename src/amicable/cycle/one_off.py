"""A one-off message a person writes from a template (the console's compose page).

It is composed exactly as the cycle composes its contacts (cycle/compose.py: the customer's real data,
the message checks, the compliance decision for sending it now), and sent only when that decision
allows it now: one contact written to the outbox, audited, and handed to dispatch, which checks it
again at the moment of sending like any other.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from amicable.authoring.library import load_saved_templates
from amicable.ledger.actions import ActionError
from amicable.ledger.audit import audit
from amicable.ledger.models import Account, ContactPoint
from amicable.messages.checks import SmsSize, sms_size
from amicable.messages.render import Rendered, template_stems
from amicable.outbox.models import Contact, ContactStatus

from .compose import ONE_OFF, Composed, compose
from .context import message_language
from .dispatch import _still_usable, dispatch_one
from .facts import load_facts

CHANNELS = ("email", "sms", "letter")
POINT_KINDS = {"email": ("email",), "sms": ("mobile",), "letter": ("postal",)}
PURPOSE = "collection"
SEND_CHECK = "AMICABLE-SEND-CHECK"


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The message templates there are: names per channel, and every variant and language."""

    templates: dict[str, tuple[str, ...]]
    variants: tuple[str, ...]
    languages: tuple[str, ...]


def catalogue() -> Catalogue:
    names: dict[str, set[str]] = {channel: set() for channel in CHANNELS}
    variants, languages = set(), set()
    load_saved_templates()  # templates saved in the console are offered (and rendered) too
    for channel in CHANNELS:
        for stem in template_stems(channel):
            parts = stem.split(".")
            names[channel].add(parts[0])
            languages.add(parts[-1])
            if len(parts) == 3:
                variants.add(parts[1])
    return Catalogue(
        {channel: tuple(sorted(found)) for channel, found in names.items()},
        tuple(sorted(variants)),
        tuple(sorted(languages)),
    )


@dataclass(frozen=True, slots=True)
class Draft:
    account: Account
    channel: str
    template: str
    variant: str | None
    language: str  # the language asked for (the customer's unless a person chose another)
    point: ContactPoint | None
    composed: Composed
    problems: tuple[dict, ...] = field(default=())  # why it could not go, besides the rule packs

    @property
    def rendered(self) -> Rendered | None:
        return self.composed.rendered

    @property
    def reasons(self) -> list[dict]:
        return [*self.composed.reasons, *self.problems]

    @property
    def status(self) -> str:
        """queued (it may go now), deferred (not now) or blocked."""
        return "blocked" if self.problems else self.composed.status

    @property
    def allowed(self) -> bool:
        return self.status == ContactStatus.QUEUED

    @property
    def sms(self) -> SmsSize | None:
        return sms_size(self.rendered.body) if self.rendered and self.channel == "sms" else None


def _point(points: dict[int, ContactPoint], channel: str, point_id: int | None) -> ContactPoint | None:
    """The contact point asked for (it must be the customer's, of the channel's kind), or the best one:
    valid and consented to first."""
    kinds = POINT_KINDS[channel]
    if point_id is not None:
        point = points.get(point_id)
        if point is None or point.kind not in kinds:
            raise ActionError(
                f"point: {point_id} is not one of the customer's {channel} addresses", field="point"
            )
        return point
    usable = sorted(
        (p for p in points.values() if p.kind in kinds),
        key=lambda p: (p.invalid, p.consent(PURPOSE) != "granted", p.pk),
    )
    return usable[0] if usable else None


def draft(
    account: Account,
    *,
    channel: str,
    template: str,
    variant: str | None = None,
    language: str | None = None,
    point_id: int | None = None,
    now: datetime | None = None,
    reply_token: str | None = None,
) -> Draft:
    """The message as it would go now, with its checks and the decision for sending it now."""
    now = now or timezone.now()
    if channel not in CHANNELS:
        raise ActionError(f"channel {channel!r}: expected one of {', '.join(CHANNELS)}", field="channel")
    known = catalogue()
    if template not in known.templates[channel]:
        raise ActionError(f"template: there is no {channel} template {template!r}", field="template")
    if variant and variant not in known.variants:
        raise ActionError(f"variant: there is no variant {variant!r}", field="variant")
    if language and language not in known.languages:
        raise ActionError(f"language: there are no templates in {language!r}", field="language")
    facts = load_facts([account.pk], now)[account.pk]
    customer = facts.account.customer
    point = _point(facts.points, channel, point_id)
    language = language or message_language(customer.language, customer.country)
    composed = compose(
        facts,
        channel=channel,
        template=template,
        variant=variant or None,
        purpose=PURPOSE,
        today=now.astimezone(ZoneInfo(customer.timezone)).date(),
        at=now,
        reply_token=reply_token or secrets.token_urlsafe(12),
        point=point,
        language=language,
    )
    problems = []
    if point is None:
        problems.append(f"the customer has no {channel} address on file")
    else:
        # What dispatch would refuse at the moment of sending: a closed account, an unusable address,
        # no consent to this channel.
        problem = _still_usable(Contact(purpose=PURPOSE, contact_point=point, channel=channel), facts)
        if problem:
            problems.append(problem)
    return Draft(
        facts.account,
        channel,
        template,
        variant or None,
        language,
        point,
        composed,
        tuple({"rule": SEND_CHECK, "citation": "", "effect": "block", "message": p} for p in problems),
    )


def send_one_off(
    account: Account,
    *,
    channel: str,
    template: str,
    variant: str | None = None,
    language: str | None = None,
    point_id: int | None = None,
    actor: str,
    now: datetime | None = None,
) -> Contact:
    """Queue the message for sending now, if the decision for now allows it (ActionError naming
    `decision` otherwise, and nothing written). Dispatch sends it once this commits."""
    now = now or timezone.now()
    with transaction.atomic():
        account = Account.objects.select_for_update().get(pk=account.pk)
        token = secrets.token_urlsafe(12)
        found = draft(
            account,
            channel=channel,
            template=template,
            variant=variant,
            language=language,
            point_id=point_id,
            now=now,
            reply_token=token,
        )
        if not found.allowed:
            why = "; ".join(f"{r['rule']}: {r['message']}" for r in found.reasons if r["effect"] != "allow")
            raise ActionError(f"decision: this message may not be sent now ({why})", field="decision")
        account, rendered, customer = found.account, found.rendered, found.account.customer
        contact = Contact.objects.create(
            key=f"{ONE_OFF}:{account.pk}:{secrets.token_hex(8)}",
            cycle_date=now.astimezone(ZoneInfo(customer.timezone)).date(),
            creditor=account.creditor,
            customer=customer,
            account=account,
            contact_point=found.point,
            playbook=ONE_OFF,
            step=template,
            trigger_on=now.astimezone(ZoneInfo(customer.timezone)).date(),
            channel=channel,
            purpose=PURPOSE,
            template=template,
            variant=rendered.variant or "",
            language=found.language,
            status=ContactStatus.QUEUED,
            scheduled_at=now,
            subject=(rendered.subject or "")[:300],
            body=rendered.body,
            reasons=found.reasons,
            scenario=found.composed.scenario,
            reply_token=token,
        )
        audit(
            actor,
            "plan_contact",
            contact,
            f"One-off {channel} '{template}' queued to send now",
            customer=customer,
            account=account,
            changes={"key": contact.key, "status": contact.status, "reasons": contact.reasons},
        )
        transaction.on_commit(lambda: _dispatch(contact.pk))
    return contact


def _dispatch(contact_id: int) -> None:
    """As the cycle hands over what is due: to the workers with a broker, else sent in-process."""
    if settings.CELERY_BROKER_URL:
        from .tasks import dispatch_contact

        dispatch_contact.delay(contact_id)
    else:
        dispatch_one(contact_id)
