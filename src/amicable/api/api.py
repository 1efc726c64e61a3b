"""The NinjaAPI: /api/v1/... endpoints, the OpenAPI schema at /api/openapi.json and the interactive
docs at /api/docs.

The docs page is Swagger UI from django-ninja's own static files ("ninja" is in INSTALLED_APPS, which
is what makes ninja render its local template instead of the one loading Swagger UI from a CDN), and
the online validator badge is turned off: the page fetches nothing from outside the server.
"""

from __future__ import annotations

import json
import typing
from datetime import datetime
from typing import Any

from ninja import NinjaAPI
from ninja.errors import ValidationError
from ninja.openapi.docs import Swagger
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from pydantic import BaseModel

from .auth import TokenAuth
from .errors import install
from .routers import accounts, conversations, customers, holds, payments, plans

DESCRIPTION = """\
amicable's API for integrations: customers, accounts, payments, holds and plan options, each for
the creditor the token belongs to. Send `Authorization: Bearer <token>` (`amicable api token issue`).

Money is `{"amount": "120.50", "currency": "USD"}`, amounts always strings; datetimes are ISO 8601
with their offset. Every error is `{"error": {"field", "message", "value"}}`. See docs/api.md.
"""


class Encoder(NinjaJSONEncoder):
    def default(self, o: Any) -> Any:
        # Django's encoder writes UTC as "Z" and cuts microseconds; the full offset is unambiguous.
        if isinstance(o, datetime):
            return o.isoformat()
        return super().default(o)


class Renderer(JSONRenderer):
    encoder_class = Encoder


class AmicableAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        return operation.view_func.__name__  # put_customer, not amicable_api_routers_customers_put_customer

    def validation_error_from_error_contexts(self, error_contexts) -> ValidationError:
        """Ninja's errors, keeping the value that was sent (ninja drops it) for the error's `value`, and
        for an unknown field the fields that are known."""
        error = super().validation_error_from_error_contexts(error_contexts)
        details = [
            (context.model, item)
            for context in error_contexts
            for item in context.pydantic_validation_error.errors(include_url=False)
        ]
        for shaped, (model, item) in zip(error.errors, details, strict=True):
            shaped["input"] = _jsonable(item.get("input"))
            if item["type"] == "extra_forbidden":
                shaped["known"] = _fields_at(model, item["loc"][:-1])
        return error


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return None
    return value


def _fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """The field names of the schema at `loc` inside `model`, following nested schemas and lists."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if (
            not (isinstance(current, type) and issubclass(current, BaseModel))
            or part not in current.model_fields
        ):
            return []
        current = _schema_of(current.model_fields[part].annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _schema_of(annotation: Any) -> Any:
    """The BaseModel inside Optional[...] or list[...], if there is one."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        if (found := _schema_of(arg)) is not None:
            return found
    return None


api = AmicableAPI(
    title="amicable",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=TokenAuth(),
    renderer=Renderer(),
    docs=Swagger(settings={"validatorUrl": None}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install(api)
for module in (customers, accounts, payments, holds, plans, conversations):
    api.add_router("/v1/", module.router)

urls = api.urls
