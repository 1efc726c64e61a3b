"""POST /v1/payments: a payment, posted once per payment_ref."""

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Status

from amicable.ledger.actions import ActionError, record_payment
from amicable.ledger.models import JournalEntry
from amicable.ledger.money import Money

from .. import present, scope
from ..errors import ApiError
from ..parsing import read_payment
from ..schemas import WRITE_ERRORS, PaymentIn, PaymentPostedOut

router = Router(tags=["payments"])


@router.post("/payments", response={200: PaymentPostedOut, 201: PaymentPostedOut, **WRITE_ERRORS})
@transaction.atomic
def post_payment(request: HttpRequest, body: PaymentIn):
    """Post a payment (201). Sending the same payment_ref again with the same account and amount changes
    nothing and answers 200 with the payment first posted and `"created": false`, so a retry is safe;
    the same payment_ref with another account or amount is refused (409)."""
    details = read_payment(body.model_dump())
    account = scope.account(request, details.account_ref)
    if details.currency != account.currency:
        raise ApiError(
            422,
            f"account {account.external_ref} is kept in {account.currency}",
            field="currency",
            value=details.currency,
        )
    posted = (
        scope.scoped(request, JournalEntry)
        .filter(external_ref=details.payment_ref)
        .select_related("account")
        .first()
    )
    if posted is not None and (posted.account_id != account.pk or posted.amount != details.amount):
        raise ApiError(
            409,
            f"already posted as {Money(posted.amount, posted.account.currency).rounded()} "
            f"to account {posted.account.external_ref}",
            field="payment_ref",
            value=details.payment_ref,
        )
    try:
        entry, created = record_payment(
            account,
            details.amount,
            details.paid_on,
            currency=details.currency,
            payment_ref=details.payment_ref,
            source=scope.source(request),
            actor=scope.actor(request),
        )
    except ActionError as error:  # the same reference posted by a concurrent request
        raise ApiError(409, str(error), field="payment_ref", value=details.payment_ref) from None
    account = scope.account(request, details.account_ref)  # its balance and status, after the payment
    return Status(
        201 if created else 200,
        {
            "created": created,
            "payment": present.payment(entry, account),
            "account": present.account_summary(account),
        },
    )
