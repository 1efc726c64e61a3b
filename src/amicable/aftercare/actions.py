"""What the customer does on the feedback form: one named action, one transaction, on the timeline."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from amicable.aftercare.models import Feedback
from amicable.ledger.actions import ActionError, record_consent
from amicable.ledger.audit import audit
from amicable.ledger.models import Account, ContactPoint

ACTOR = "customer:feedback-form"


@transaction.atomic
def give_feedback(
    account: Account,
    *,
    csat: int,
    nps: int | None = None,
    comment: str = "",
    newsletter: bool = False,
    at: datetime | None = None,
) -> Feedback:
    """The customer's ratings and comment (once per account; a second answer replaces the first),
    and, if they ticked it, their own sign-up to the newsletter on their email addresses."""
    if not 1 <= csat <= 5:
        raise ActionError(f"csat: {csat} is not from 1 to 5", field="csat")
    if nps is not None and not 0 <= nps <= 10:
        raise ActionError(f"nps: {nps} is not from 0 to 10", field="nps")
    comment = comment.strip()
    if len(comment) > 2000:
        raise ActionError(f"comment: {len(comment)} characters; at most 2000", field="comment")
    at = at or timezone.now()
    feedback, created = Feedback.objects.update_or_create(
        account=account, defaults={"csat": csat, "nps": nps, "comment": comment, "submitted_at": at}
    )
    audit(
        ACTOR,
        "give_feedback",
        feedback,
        f"Feedback on {account.external_ref}: {csat}/5"
        + (f", {nps}/10 to recommend" if nps is not None else ""),
        customer=account.customer,
        account=account,
        changes={"csat": csat, "nps": nps, "commented": bool(comment), "replaced": not created},
    )
    if newsletter:
        for point in ContactPoint.objects.filter(
            customer_id=account.customer_id, kind="email", invalid=False
        ):
            # Not where they (or a complaint) said stop: whoever holds the link may not be them.
            if point.consent("marketing") == "unknown" and point.consent("collection") != "revoked":
                record_consent(point, "marketing", "granted", source="feedback form", actor=ACTOR, at=at)
    return feedback
