"""PUT and GET /v1/accounts/{account_ref}: an account as the creditor states it, and as the ledger has it."""

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router, Status

from amicable.ledger.upserts import upsert_account

from .. import present, scope
from ..parsing import read_account, read_ref
from ..schemas import ERRORS, WRITE_ERRORS, AccountIn, AccountOut, AccountWrittenOut

router = Router(tags=["accounts"])


@router.put(
    "/accounts/{account_ref}", response={200: AccountWrittenOut, 201: AccountWrittenOut, **WRITE_ERRORS}
)
@transaction.atomic
def put_account(request: HttpRequest, account_ref: str, body: AccountIn):
    """Add the account (201) or bring it up to date (200), as a row of an accounts import would.

    A new account's journal reproduces balance, original_amount, fees and interest. Afterwards a
    balance different from the one last stated is journalled as one adjustment (payments posted here
    meanwhile stand); a changed due_date replaces a single-date schedule, not an instalment plan.
    """
    ref = read_ref(account_ref, "account_ref")
    customer_ref, details = read_account(body.model_dump())
    owner = scope.customer(request, customer_ref)
    record, created = upsert_account(
        owner, ref, details, source=scope.source(request), actor=scope.actor(request)
    )
    return Status(201 if created else 200, {**present.account_summary(record), "created": created})


@router.get("/accounts/{account_ref}", response={200: AccountOut, **ERRORS})
def get_account(
    request: HttpRequest,
    account_ref: str,
    limit: int = Query(50, ge=1, le=500, description="Timeline entries per page"),
    offset: int = Query(0, ge=0, description="Timeline entries to skip"),
):
    """The account: balance and itemisation, schedule, status, holds, open promises and disputes, and
    a page of its timeline (newest first)."""
    return present.account(request, scope.account(request, account_ref), limit=limit, offset=offset)
