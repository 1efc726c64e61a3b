"""PUT /v1/customers/{customer_ref}: a customer with their contact points and consents."""

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Status

from amicable.ledger.upserts import upsert_customer

from .. import present, scope
from ..parsing import read_customer, read_ref
from ..schemas import WRITE_ERRORS, CustomerIn, CustomerOut

router = Router(tags=["customers"])


@router.put("/customers/{customer_ref}", response={200: CustomerOut, 201: CustomerOut, **WRITE_ERRORS})
@transaction.atomic
def put_customer(request: HttpRequest, customer_ref: str, body: CustomerIn):
    """Add the customer (201) or bring them up to date (200), as a row of an accounts import would.

    The body states the customer's details: a field left out is blank, as an empty CSV cell is.
    Contact points are added when new and never removed; a consent is recorded only when it changes.
    """
    ref = read_ref(customer_ref, "customer_ref")
    details = read_customer(body.model_dump())
    record, created = upsert_customer(
        scope.creditor(request), ref, details, source=scope.source(request), actor=scope.actor(request)
    )
    return Status(201 if created else 200, present.customer(record, created=created))
