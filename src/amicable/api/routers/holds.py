"""POST /v1/accounts/{account_ref}/holds and POST /v1/holds/{id}/end: reasons not to pursue a customer."""

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from amicable.ledger.actions import end_hold, place_hold

from .. import present, scope
from ..errors import ApiError
from ..parsing import read_text
from ..schemas import WRITE_ERRORS, EndHoldIn, HoldIn, HoldOut

router = Router(tags=["holds"])


@router.post("/accounts/{account_ref}/holds", response={201: HoldOut, **WRITE_ERRORS})
@transaction.atomic
def post_hold(request: HttpRequest, account_ref: str, body: HoldIn):
    """Place a hold on the account, or with `"applies_to": "customer"` on every account of its customer.
    A dispute hold on an account marks it disputed."""
    account = scope.account(request, account_ref)
    starts_at = body.starts_at or timezone.now()
    if body.ends_at is not None and body.ends_at <= starts_at:
        raise ApiError(
            422, "a hold must end after it starts", field="ends_at", value=body.ends_at.isoformat()
        )
    values = body.model_dump()
    hold = place_hold(
        account.customer,
        body.kind.value,
        source=read_text(values, "source", 200) or scope.source(request),
        actor=scope.actor(request),
        account=account if body.applies_to == "account" else None,
        starts_at=starts_at,
        ends_at=body.ends_at,
        note=read_text(values, "note", 2000),
    )
    return Status(201, present.hold(hold))


@router.post("/holds/{hold_id}/end", response={200: HoldOut, **WRITE_ERRORS})
@transaction.atomic
def post_end_hold(request: HttpRequest, hold_id: int, body: EndHoldIn | None = None):
    """End a hold now, or at `at`. A dispute hold's account takes back the status its balance gives.
    An empty body (`{}`) ends it now."""
    hold = scope.hold(request, hold_id)
    body = body or EndHoldIn()
    at = body.at or timezone.now()
    if at <= hold.starts_at:
        raise ApiError(422, "a hold cannot end before it starts", field="at", value=at.isoformat())
    if hold.ends_at is not None and hold.ends_at <= at:
        raise ApiError(409, "this hold has already ended", field="id", value=hold_id)
    hold = end_hold(
        hold, actor=scope.actor(request), at=at, reason=read_text(body.model_dump(), "reason", 200)
    )
    return Status(200, present.hold(hold))
