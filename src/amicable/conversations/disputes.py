"""Disputes: a customer says they do not owe the debt, or not this much, by any channel (a reply, a
call, the API). Collection on the debt stops (a dispute hold) until verification is sent; then it
may resume, and the dispute is later upheld or rejected. Each step a named action on the timeline."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from amicable.compliance.validation_period import validation_period_end
from amicable.ledger.actions import ActionError, end_hold, place_hold
from amicable.ledger.audit import audit
from amicable.ledger.models import Account, Dispute, DisputeStatus
from amicable.outbox.models import Contact


@transaction.atomic
def open_dispute(
    account: Account,
    reason: str,
    *,
    source: str,
    actor: str,
    received_at: datetime | None = None,
    evidence: str = "",
) -> Dispute:
    """A dispute record and a hold on the disputed debt, and the account marked disputed."""
    reason = reason.strip()
    if not reason:
        raise ActionError("a dispute needs the customer's reason", field="reason")
    received_at = received_at or timezone.now()
    account = Account.objects.select_for_update().select_related("customer").get(pk=account.pk)
    # Inside the validation period: counted from the first message we sent about the debt (the
    # validation notice goes with it), 30 days after its assumed receipt.
    first_sent = (
        Contact.objects.filter(account=account, sent_at__isnull=False)
        .order_by("sent_at")
        .values_list("sent_at", flat=True)
        .first()
    )
    zone = ZoneInfo(account.customer.timezone)  # the period runs in the customer's days
    within = first_sent is None or received_at.astimezone(zone).date() <= validation_period_end(
        first_sent.astimezone(zone).date()
    )
    hold = place_hold(
        account.customer,
        "dispute",
        source=source,
        actor=actor,
        account=account,
        starts_at=min(received_at, timezone.now()),
        note=reason[:500],
    )
    dispute = Dispute.objects.create(
        account=account,
        reason=reason,
        received_at=received_at,
        within_validation_period=within,
        evidence=evidence,
        hold=hold,
        source=source[:200],
    )
    audit(
        actor,
        "open_dispute",
        dispute,
        f"Dispute on {account.external_ref}: collection paused until verification is sent",
        customer=account.customer,
        account=account,
        changes={"within_validation_period": within, "hold": hold.pk, "source": source},
    )
    return dispute


@transaction.atomic
def send_verification(dispute: Dispute, *, actor: str, note: str = "", at: datetime | None = None) -> Dispute:
    """Verification of the debt has gone to the customer: the hold ends and collection may resume."""
    dispute = (
        Dispute.objects.select_for_update(of=("self",))
        .select_related("account__customer", "hold")
        .get(pk=dispute.pk)
    )
    if dispute.status != DisputeStatus.OPEN:
        raise ActionError(f"this dispute is {dispute.status}, not open", field="status")
    at = at or timezone.now()
    dispute.status = DisputeStatus.VERIFICATION_SENT
    dispute.save(update_fields=["status"])
    if dispute.hold is not None and (dispute.hold.ends_at is None or dispute.hold.ends_at > at):
        end_hold(dispute.hold, actor=actor, at=at, reason="verification sent")
    account = dispute.account
    audit(
        actor,
        "send_verification",
        dispute,
        f"Verification of {account.external_ref} sent" + (f": {note}" if note else ""),
        customer=account.customer,
        account=account,
        changes={"status": [DisputeStatus.OPEN, DisputeStatus.VERIFICATION_SENT]},
    )
    return dispute


@transaction.atomic
def decide_dispute(dispute: Dispute, outcome: str, *, actor: str, note: str = "") -> Dispute:
    """upheld (the customer was right: the hold stays until a person writes the debt off or corrects
    it) or rejected (the debt stands: the hold ends)."""
    if outcome not in (DisputeStatus.UPHELD, DisputeStatus.REJECTED):
        raise ActionError(f"outcome {outcome!r}: expected upheld or rejected", field="outcome")
    dispute = (
        Dispute.objects.select_for_update(of=("self",))
        .select_related("account__customer", "hold")
        .get(pk=dispute.pk)
    )
    if dispute.status in (DisputeStatus.UPHELD, DisputeStatus.REJECTED):
        raise ActionError(f"this dispute was already {dispute.status}", field="status")
    before = dispute.status
    dispute.status = outcome
    dispute.save(update_fields=["status"])
    hold = dispute.hold
    if outcome == DisputeStatus.REJECTED and hold is not None and hold.ends_at is None:
        end_hold(hold, actor=actor, reason="dispute rejected")
    account = dispute.account
    audit(
        actor,
        f"{'uphold' if outcome == DisputeStatus.UPHELD else 'reject'}_dispute",
        dispute,
        f"Dispute on {account.external_ref} {outcome}" + (f": {note}" if note else ""),
        customer=account.customer,
        account=account,
        changes={"status": [before, outcome]},
    )
    return dispute
