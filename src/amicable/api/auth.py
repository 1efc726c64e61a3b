"""`Authorization: Bearer <token>`: the token decides which creditor a request acts for."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from .errors import ApiError
from .models import ApiToken
from .tokens import TokenRefused, authenticate


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        try:
            return authenticate(token)
        except TokenRefused as refused:
            raise ApiError(401, str(refused), field="Authorization") from None
