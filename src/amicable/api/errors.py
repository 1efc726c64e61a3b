"""The API's one error shape, and the handlers that put every failure into it.

    {"error": {"field": "amount", "message": "...", "value": "12,50"}}

`field` names what is at fault (a body field such as `schedule[1].amount`, a path or query parameter,
or `Authorization`), or is null when nothing in the request is (a conflict with the ledger's state).
400: the body is not JSON; 401: no valid token; 404: nothing of that reference for this creditor;
409: the ledger's state refuses it; 422: a value is invalid.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.db import IntegrityError
from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from amicable.arrangements.affordability import StatementError
from amicable.arrangements.terms import TermsError
from amicable.ledger.actions import ActionError


class ApiError(Exception):
    def __init__(self, status: int, message: str, *, field: str | None = None, value: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.value = value


def not_found(field: str, value: Any, what: str) -> ApiError:
    # The same words whether the reference is unknown or another creditor's, so a token cannot learn
    # what other creditors hold.
    return ApiError(404, f"no {what} with {field} {value!r}", field=field, value=value)


def error_body(field: str | None, message: str, value: Any = None) -> dict[str, Any]:
    return {"error": {"field": field, "message": message, "value": value}}


def _respond(api: NinjaAPI, request: HttpRequest, status: int, field, message: str, value=None):
    response = api.create_response(request, error_body(field, message, value), status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="amicable"'
    return response


def install(api: NinjaAPI) -> None:
    """Register the handlers on `api`; the most specific exception class wins."""

    def handle(exc_class, to_response):
        api.add_exception_handler(exc_class, lambda request, exc: to_response(request, exc))

    handle(ApiError, lambda r, e: _respond(api, r, e.status, e.field, e.message, e.value))
    handle(ValidationError, lambda r, e: _respond(api, r, 422, *reshape(e.errors[0])))
    handle(AuthenticationError, lambda r, e: _respond(api, r, 401, "Authorization", _auth_message(r)))
    handle(HttpError, lambda r, e: _respond(api, r, e.status_code, None, _http_message(e)))
    handle(Http404, lambda r, e: _respond(api, r, 404, None, "not found"))
    # Actions refuse what the ledger's state does not allow; some name the field (UpsertError).
    handle(
        ActionError,
        lambda r, e: _respond(api, r, 409, getattr(e, "field", None), str(e), getattr(e, "value", None)),
    )
    handle(
        StatementError,
        lambda r, e: _respond(api, r, 400 if str(e).startswith("not JSON") else 422, *statement_error(r, e)),
    )
    handle(TermsError, lambda r, e: _respond(api, r, 409, "arrangement_terms", f"the creditor's terms: {e}"))
    # A unique constraint met by a concurrent request for the same reference: the transaction was
    # rolled back, and sending the request again will see the other one's result.
    handle(
        IntegrityError,
        lambda r, e: _respond(api, r, 409, None, "changed by another request at the same moment; try again"),
    )


def _auth_message(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    if not header:
        return "send the token as `Authorization: Bearer <token>`"
    return "expected `Authorization: Bearer <token>`"


def _http_message(exc: HttpError) -> str:
    cause = exc.__cause__
    if isinstance(cause, json.JSONDecodeError):
        return f"the body is not JSON: {cause.msg} at line {cause.lineno}, column {cause.colno}"
    if isinstance(cause, UnicodeDecodeError):
        return "the body is not UTF-8"
    return str(exc)


def field_name(loc: tuple) -> str | None:
    """("body", "payload", "schedule", 1, "amount") -> "schedule[1].amount"; the body itself -> None."""
    parts = list(loc)
    if parts and parts[0] == "body":
        parts = parts[2:]  # the source, then the view's parameter name
    elif parts:
        parts = parts[1:]  # path or query: the parameter's own name follows
    name = ""
    for part in parts:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or None


def reshape(error: dict[str, Any]) -> tuple[str | None, str, Any]:
    """A pydantic error from ninja as (field, message, value)."""
    kind, value = error.get("type", ""), error.get("input")
    if kind == "missing" or (kind.endswith("_type") and value is None):
        return field_name(error["loc"]), "required", None  # null is a blank cell, as in an import
    if kind == "extra_forbidden":
        known = error.get("known")
        return (
            field_name(error["loc"]),
            "unknown field" + (f" (expected some of {', '.join(known)})" if known else ""),
            value,
        )
    if kind == "string_type" and isinstance(value, int | float) and not isinstance(value, bool):
        return (
            field_name(error["loc"]),
            'expected a string: amounts are written "120.50", so they stay exact (JSON numbers are floats)',
            value,
        )
    if field_name(error["loc"]) is None and kind in ("model_attributes_type", "dict_type", "model_type"):
        return None, "expected a JSON object", value
    return field_name(error["loc"]), error.get("msg", "invalid"), value


_WHERE = re.compile(r"(?P<field>[a-z_]+(\[\d+\])?(\.[a-z_]+)?): (?P<message>.*)", re.DOTALL)
_UNKNOWN = re.compile(r"unknown field '(?P<field>[^']*)'")


def statement_error(request: HttpRequest, error: StatementError) -> tuple[str | None, str, Any]:
    """A StatementError names the field at the start of its message ("income.earnings: ..."); its
    value is looked up in the body."""
    text = str(error)
    if match := _UNKNOWN.fullmatch(text):
        return match["field"], "unknown field", None
    match = _WHERE.fullmatch(text)
    if match is None or match["field"] == "not JSON":
        return None, text, None
    field = match["field"]
    return field, match["message"], _lookup(request, field)


def _lookup(request: HttpRequest, field: str) -> Any:
    try:
        value: Any = json.loads(request.body)
    except ValueError:
        return None
    for part in re.findall(r"[a-z_]+|\[\d+\]", field):
        if part.startswith("["):
            index = int(part[1:-1])
            value = value[index] if isinstance(value, list) and index < len(value) else None
        else:
            value = value.get(part) if isinstance(value, dict) else None
    return value if isinstance(value, str | int | float | bool) else None


__all__ = ["ApiError", "error_body", "install", "not_found"]
