"""What customers say and agree, as integrations and agents' tools report it: promises, disputes (and
their verification), and call outcomes. Each calls the same action a text or an agent would."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from amicable.arrangements.promises import record_promise
from amicable.conversations.calls import Agreed, log_call
from amicable.conversations.disputes import open_dispute, send_verification
from amicable.ledger.actions import ActionError
from amicable.ledger.importing import fields as f
from amicable.ledger.models import Dispute

from .. import present, scope
from ..parsing import Reader, read_text
from ..schemas import (
    WRITE_ERRORS,
    CallIn,
    CallOut,
    DisputeIn,
    DisputeOut,
    PromiseIn,
    PromiseOut,
    VerificationIn,
)

router = Router(tags=["conversations"])


def _amount(reader: Reader, name: str, currency: str, *, required: bool) -> Decimal | None:
    amount = reader.get(name, f.parse_amount, currency, required=required)
    if amount is not None and amount <= 0:
        raise reader.fail(name, "must be more than zero")
    return amount


def _day(reader: Reader, name: str, *, required: bool) -> date | None:
    return reader.get(name, f.parse_date, required=required)


@router.post("/accounts/{account_ref}/promises", response={201: PromiseOut, **WRITE_ERRORS})
@transaction.atomic
def post_promise(request: HttpRequest, account_ref: str, body: PromiseIn):
    """A promise to pay an amount by a day. Kept or broken is decided against the payments that
    follow (with the creditor's promise_grace_days)."""
    account = scope.account(request, account_ref)
    values = body.model_dump()
    reader = Reader(values)
    amount = _amount(reader, "amount", account.currency, required=True)
    due_on = _day(reader, "due_on", required=True)
    promise = record_promise(
        account,
        amount,
        due_on,
        channel=read_text(values, "channel", 10, "api"),
        source=read_text(values, "source", 200) or scope.source(request),
        actor=scope.actor(request),
    )
    return Status(201, present.promise(promise))


@router.post("/accounts/{account_ref}/disputes", response={201: DisputeOut, **WRITE_ERRORS})
@transaction.atomic
def post_dispute(request: HttpRequest, account_ref: str, body: DisputeIn):
    """The customer disputes the debt: a dispute hold stops collection until verification is sent."""
    account = scope.account(request, account_ref)
    values = body.model_dump()
    dispute = open_dispute(
        account,
        read_text(values, "reason", 5000),
        source=read_text(values, "source", 200) or scope.source(request),
        actor=scope.actor(request),
        evidence=read_text(values, "evidence", 5000),
    )
    return Status(201, present.dispute(dispute))


@router.post("/disputes/{dispute_id}/verification", response={200: DisputeOut, **WRITE_ERRORS})
@transaction.atomic
def post_verification(request: HttpRequest, dispute_id: int, body: VerificationIn | None = None):
    """Verification of the debt has been sent: the dispute hold ends and collection may resume."""
    dispute = scope.find(request, Dispute, "id", dispute_id, related=("account",), pk=dispute_id)
    note = read_text((body or VerificationIn()).model_dump(), "note", 300)
    return Status(200, present.dispute(send_verification(dispute, actor=scope.actor(request), note=note)))


@router.post("/accounts/{account_ref}/calls", response={201: CallOut, **WRITE_ERRORS})
@transaction.atomic
def post_call(request: HttpRequest, account_ref: str, body: CallIn):
    """A call an agent made and what came of it. It counts toward the call limits from now on; one the
    rules forbade is still recorded, and its `rules_against` say which."""
    account = scope.account(request, account_ref)
    values = body.model_dump()
    reader = Reader(values)
    try:
        contact = _log_call(request, account, body, values, reader)
    except ActionError as error:
        # The actions name their own fields (due_on, reason); the request calls them otherwise.
        raise ActionError(str(error), field=CALL_FIELDS.get(error.field, error.field)) from None
    return Status(201, present.call(contact))


CALL_FIELDS = {
    "due_on": "promise_on",
    "amount": "promise_amount",
    "currency": "promise_amount",
    "promise": "promise_amount",
    "reason": "dispute",
}


def _log_call(request, account, body: CallIn, values: dict, reader: Reader):
    return log_call(
        account,
        body.outcome,
        actor=scope.actor(request),
        at=body.at or timezone.now(),
        number=read_text(values, "number", 32),
        notes=read_text(values, "notes", 5000),
        voicemail=read_text(values, "voicemail", 1000),
        agreed=Agreed(
            promise_amount=_amount(reader, "promise_amount", account.currency, required=False),
            promise_on=_day(reader, "promise_on", required=False),
            dispute=read_text(values, "dispute", 5000),
            callback_at=body.callback_at,
        ),
    )
