"""GET and POST /v1/accounts/{account_ref}/plan-options: ways to pay, and with an income and
expenditure statement, which of them the customer can afford (docs/arrangements.md)."""

import json

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router, Status

from amicable.arrangements.accounts import options_for, plan_json
from amicable.arrangements.affordability import read_statement
from amicable.arrangements.plans import accept_plan
from amicable.ledger.importing import fields as f

from .. import scope
from ..errors import ApiError
from ..parsing import Reader, read_day, read_text
from ..schemas import ERRORS, WRITE_ERRORS, PlanAcceptIn, PlanOptionsOut, PlanOut, StatementIn

router = Router(tags=["plans"])
DAY = Query(None, description="The day a plan would start from, YYYY-MM-DD (default today)")


@router.get("/accounts/{account_ref}/plan-options", response={200: PlanOptionsOut, **ERRORS})
def get_plan_options(request: HttpRequest, account_ref: str, date: str | None = DAY):
    """Pay in full, settle (within the creditor's discount), or instalments within its terms."""
    return options_for(scope.account(request, account_ref), read_day(date), None)


@router.post(
    "/accounts/{account_ref}/plan-options",
    response={200: PlanOptionsOut, **WRITE_ERRORS},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": StatementIn.model_json_schema()}},
        }
    },
)
def post_plan_options(request: HttpRequest, account_ref: str, date: str | None = DAY):
    """The same options judged against an income and expenditure statement (every amount a month):
    each says whether it fits, and a refusal of an affordable offer is flagged. Writes nothing."""
    account = scope.account(request, account_ref)
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "the body is not UTF-8") from None
    # read_statement reads the JSON itself: its messages name the field (income.earnings, ...).
    return options_for(account, read_day(date), read_statement(text))


@router.post("/accounts/{account_ref}/plan", response={201: PlanOut, **WRITE_ERRORS})
@transaction.atomic
def post_plan(request: HttpRequest, account_ref: str, body: PlanAcceptIn, date: str | None = DAY):
    """The customer agrees a plan: one of the plan options (`kind`), optionally at an instalment they
    chose within the creditor's terms. Its schedule becomes the account's and the account is
    in_arrangement; a plan already running is replaced."""
    account = scope.account(request, account_ref)
    values = body.model_dump()
    instalment = Reader(values).get("instalment", f.parse_amount, account.currency)
    statement = read_statement(json.dumps(body.statement)) if body.statement is not None else None
    plan = accept_plan(
        account,
        body.kind,
        instalment=instalment,
        statement=statement,
        channel=read_text(values, "channel", 10, "api"),
        source=scope.source(request),
        actor=scope.actor(request),
        today=read_day(date),
    )
    return Status(201, plan_json(plan))
