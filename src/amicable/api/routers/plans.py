"""GET and POST /v1/accounts/{account_ref}/plan-options: ways to pay, and with an income and
expenditure statement, which of them the customer can afford (docs/arrangements.md)."""

from django.http import HttpRequest
from ninja import Query, Router

from amicable.arrangements.accounts import options_for
from amicable.arrangements.affordability import read_statement

from .. import scope
from ..errors import ApiError
from ..parsing import read_day
from ..schemas import ERRORS, WRITE_ERRORS, PlanOptionsOut, StatementIn

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
