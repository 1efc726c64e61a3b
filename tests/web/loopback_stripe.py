"""A loopback HTTP server that speaks the part of Stripe's API amicable uses, for the payment tests.

FakeStripe answers (https://docs.stripe.com/api/checkout/sessions):

    POST /v1/checkout/sessions          form-encoded (line_items[0][price_data][currency]=usd ...)
    GET  /v1/checkout/sessions/{id}

with Bearer auth on every request. It refuses what Stripe refuses (a currency not in lower case, an
amount that is not a whole number of minor units, a missing success_url), answers a repeated
Idempotency-Key with the session it already made, and keeps every request so a test can check the
fields sent. A test marks a session paid (`pay`) as the customer would on Stripe's page, and signs
events for the webhook (`event`) the way Stripe does. Listens on 127.0.0.1 only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

from loopback_twilio import LoopbackHTTP, _Handler

_SESSION = re.compile(r"^/v1/checkout/sessions/(?P<id>[^/?]+)$")


def stripe_signature(payload: str, secret: str, timestamp: int | None = None) -> str:
    """The Stripe-Signature header for a payload, written here from Stripe's documentation
    (https://docs.stripe.com/webhooks#verify-manually), independently of amicable's code."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def unflatten(pairs: list[tuple[str, str]]) -> dict:
    """Stripe's form encoding back into a structure: a[b][0][c]=1 -> {"a": {"b": [{"c": "1"}]}}."""
    root: dict = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+", key)
        node: dict = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _lists(root)


def _lists(node):
    if isinstance(node, dict):
        if node and all(k.isdigit() for k in node):
            return [_lists(node[k]) for k in sorted(node, key=int)]
        return {k: _lists(v) for k, v in node.items()}
    return node


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    form: dict


@dataclass
class FakeStripe:
    secret_key: str = "sk_test_loopback"
    webhook_secret: str = "whsec_loopback"
    checkout_origin: str = "https://checkout.stripe.test"
    sessions: dict[str, dict] = field(default_factory=dict)
    requests: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._by_key: dict[str, tuple[dict, dict]] = {}
        self._http = LoopbackHTTP(_StripeHandler, self)

    @property
    def url(self) -> str:
        return self._http.url

    def start(self) -> FakeStripe:
        self._http.start()
        return self

    def stop(self) -> None:
        self._http.stop()

    @property
    def creates(self) -> list[Received]:
        return [r for r in self.requests if r.method == "POST" and r.path == "/v1/checkout/sessions"]

    # What the customer does on Stripe's page.
    def pay(self, session_id: str) -> dict:
        with self._lock:
            session = self.sessions[session_id]
            session.update(
                status="complete", payment_status="paid", payment_intent="pi_" + secrets.token_hex(12)
            )
            return dict(session)

    def event(self, session_id: str, kind: str = "checkout.session.completed") -> tuple[bytes, str]:
        """A webhook body for a session and its Stripe-Signature header."""
        with self._lock:
            session = dict(self.sessions[session_id])
        payload = json.dumps(
            {
                "id": "evt_" + secrets.token_hex(12),
                "object": "event",
                "api_version": "2025-01-01",
                "created": int(time.time()),
                "type": kind,
                "livemode": False,
                "pending_webhooks": 1,
                "request": {"id": None, "idempotency_key": None},
                "data": {"object": session},
            }
        )
        return payload.encode(), stripe_signature(payload, self.webhook_secret)

    # Called by the handler.
    def create(self, headers: dict[str, str], form: dict) -> tuple[int, dict]:
        key = headers.get("Idempotency-Key", "")
        if key in self._by_key:
            earlier_form, session = self._by_key[key]
            if earlier_form != form:
                return 400, _error(
                    "idempotency_error",
                    "Keys for idempotent requests can only be used with the same parameters they were "
                    "first used with.",
                )
            return 200, session
        if form.get("mode") not in ("payment", "setup", "subscription"):
            return 400, _error("invalid_request_error", "Missing required param: mode.", "mode")
        if not form.get("success_url"):
            return 400, _error("invalid_request_error", "Missing required param: success_url.", "success_url")
        items = form.get("line_items")
        if not isinstance(items, list) or not items:
            return 400, _error("invalid_request_error", "Missing required param: line_items.", "line_items")
        total, currency = 0, ""
        for n, item in enumerate(items):
            price = item.get("price_data") or {}
            currency = price.get("currency", "")
            if not re.fullmatch(r"[a-z]{3}", currency):
                return 400, _error(
                    "invalid_request_error",
                    f"Invalid currency: {currency}. Stripe currently supports these currencies: usd, ...",
                    f"line_items[{n}][price_data][currency]",
                )
            amount = price.get("unit_amount", "")
            if not re.fullmatch(r"\d+", amount):
                return 400, _error(
                    "invalid_request_error",
                    "Invalid integer: " + amount,
                    f"line_items[{n}][price_data][unit_amount]",
                )
            total += int(amount) * int(item.get("quantity", "1"))
        session_id = "cs_test_" + secrets.token_hex(24)
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": form["mode"],
            "status": "open",
            "payment_status": "unpaid",
            "amount_subtotal": total,
            "amount_total": total,
            "currency": currency,
            "client_reference_id": form.get("client_reference_id"),
            "metadata": form.get("metadata") or {},
            "success_url": form["success_url"],
            "cancel_url": form.get("cancel_url"),
            "locale": form.get("locale"),
            "livemode": False,
            "created": int(time.time()),
            "expires_at": int(time.time()) + 24 * 3600,
            "payment_intent": None,
            "url": f"{self.checkout_origin}/c/pay/{session_id}",
        }
        self.sessions[session_id] = session
        if key:
            self._by_key[key] = (form, session)
        return 200, session


def _error(kind: str, message: str, param: str | None = None) -> dict:
    return {"error": {"type": kind, "message": message, **({"param": param} if param else {})}}


class _StripeHandler(_Handler):
    def _authorised(self, fake: FakeStripe) -> bool:
        if self.headers.get("Authorization") == f"Bearer {fake.secret_key}":
            return True
        self.answer_json(401, _error("invalid_request_error", "Invalid API Key provided."))
        return False

    def do_POST(self) -> None:
        fake: FakeStripe = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8")
        form = unflatten(urllib.parse.parse_qsl(raw, keep_blank_values=True))
        headers = dict(self.headers.items())
        with fake._lock:
            fake.requests.append(Received("POST", self.path, headers, form))
        if not self._authorised(fake):
            return
        if self.path != "/v1/checkout/sessions":
            self.answer_json(
                404, _error("invalid_request_error", f"Unrecognized request URL (POST: {self.path}).")
            )
            return
        with fake._lock:
            status, payload = fake.create(headers, form)
        self.answer_json(status, payload)

    def do_GET(self) -> None:
        fake: FakeStripe = self.server.owner
        path = self.path.split("?", 1)[0]
        with fake._lock:
            fake.requests.append(Received("GET", path, dict(self.headers.items()), {}))
        if not self._authorised(fake):
            return
        match = _SESSION.match(path)
        with fake._lock:
            session = dict(fake.sessions[match["id"]]) if match and match["id"] in fake.sessions else None
        if session is None:
            self.answer_json(404, _error("invalid_request_error", "No such checkout.session", "session"))
            return
        self.answer_json(200, session)
