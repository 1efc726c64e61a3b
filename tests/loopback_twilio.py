"""Loopback HTTP servers for the SMS tests: a fake of Twilio's Messages API and a catcher for callbacks.

FakeTwilio speaks the part of the API amicable uses (https://www.twilio.com/docs/messaging/api/message-resource):

    POST /2010-04-01/Accounts/{AccountSid}/Messages.json   form: To, From, Body, StatusCallback

It checks HTTP Basic auth, answers 201 with the message as JSON, answers a repeated
I-Twilio-Idempotency-Token with the message it already made, refuses the magic invalid number
+15005550001 with error 21211, and can be switched into an outage (503) or rate limiting (429). After
creating a message it POSTs a signed status callback to the message's StatusCallback URL, the way
Twilio reports delivery. Everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import queue
import re
import secrets
import threading
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

INVALID_NUMBER = "+15005550001"  # Twilio's test number for "not a valid phone number"
_CREATE = re.compile(r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Messages\.json$")


class _Server(ThreadingHTTPServer):
    daemon_threads = True


class LoopbackHTTP:
    """A threaded http.server on 127.0.0.1 and a free port, started and stopped cleanly."""

    def __init__(self, handler_class: type[BaseHTTPRequestHandler], owner: object) -> None:
        self.server = _Server(("127.0.0.1", 0), handler_class)
        self.server.owner = owner  # handlers reach their state through self.server.owner
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self):
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format, *args) -> None:  # keep test output quiet
        pass

    def read_form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8")
        return dict(urllib.parse.parse_qsl(raw, keep_blank_values=True))

    def answer(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def answer_json(self, status: int, payload: dict) -> None:
        self.answer(status, json.dumps(payload).encode())


def twilio_signature(url: str, form: dict[str, str], auth_token: str) -> str:
    """How Twilio signs a webhook (X-Twilio-Signature), written here independently of amicable's code."""
    signed = url + "".join(key + form[key] for key in sorted(form))
    return base64.b64encode(hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()).decode()


@dataclass
class Received:
    """One request as the fake saw it."""

    path: str
    headers: dict[str, str]
    form: dict[str, str]


@dataclass
class FakeTwilio:
    account_sid: str = "AC" + "1" * 32
    auth_token: str = "loopback-auth-token"
    outage: int | None = None  # 503 or 429: every create is answered with it
    callback_status: str = "delivered"  # what the status callback reports: delivered or undelivered
    callback_error: str = ""  # the ErrorCode sent with an undelivered status
    messages: list[dict] = field(default_factory=list)  # messages created, in order
    requests: list[Received] = field(default_factory=list)  # every request received

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._by_token: dict[str, dict] = {}
        self._callbacks: list[threading.Thread] = []
        self._http = LoopbackHTTP(_TwilioHandler, self)

    @property
    def url(self) -> str:
        return self._http.url

    def start(self) -> FakeTwilio:
        self._http.start()
        return self

    def stop(self) -> None:
        self._http.stop()
        for thread in self._callbacks:
            thread.join(timeout=5)

    # Called by the handler, under the lock.
    def create(self, headers: dict[str, str], form: dict[str, str]) -> tuple[int, dict, bool]:
        token = headers.get("I-Twilio-Idempotency-Token", "")
        if token and token in self._by_token:
            return 201, self._by_token[token], False
        if form.get("To") == INVALID_NUMBER:
            return 400, _error(21211, "The 'To' number is not a valid phone number.", 400), False
        missing = [name for name in ("To", "From", "Body") if not form.get(name)]
        if missing:
            return 400, _error(21604, f"A '{missing[0]}' parameter is required.", 400), False
        message = {
            "sid": "SM" + secrets.token_hex(16),
            "account_sid": self.account_sid,
            "to": form["To"],
            "from": form["From"],
            "body": form["Body"],
            "status": "queued",
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "error_code": None,
            "error_message": None,
        }
        message["uri"] = f"/2010-04-01/Accounts/{self.account_sid}/Messages/{message['sid']}.json"
        self.messages.append(message | {"status_callback": form.get("StatusCallback", "")})
        if token:
            self._by_token[token] = message
        return 201, message, True

    def report(self, message: dict, callback_url: str) -> None:
        """POST the status callback for a message, signed, from a thread (as Twilio does, later)."""
        form = {
            "AccountSid": self.account_sid,
            "ApiVersion": "2010-04-01",
            "MessageSid": message["sid"],
            "SmsSid": message["sid"],
            "MessageStatus": self.callback_status,
            "SmsStatus": self.callback_status,
            "From": message["from"],
            "To": message["to"],
        }
        if self.callback_error:
            form["ErrorCode"] = self.callback_error
        request = urllib.request.Request(
            callback_url,
            data=urllib.parse.urlencode(form).encode(),
            method="POST",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": twilio_signature(callback_url, form, self.auth_token),
            },
        )

        def post() -> None:
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    response.read()
            except OSError:
                pass  # like Twilio: a callback nobody takes is lost, the message is not affected

        thread = threading.Thread(target=post, daemon=True)
        self._callbacks.append(thread)
        thread.start()


def _error(code: int, message: str, status: int) -> dict:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


class _TwilioHandler(_Handler):
    def do_POST(self) -> None:
        fake: FakeTwilio = self.server.owner
        form = self.read_form()
        headers = dict(self.headers.items())
        with fake._lock:
            fake.requests.append(Received(self.path, headers, form))
        match = _CREATE.match(self.path)
        if not match:
            self.answer_json(404, _error(20404, "The requested resource was not found", 404))
            return
        expected = base64.b64encode(f"{fake.account_sid}:{fake.auth_token}".encode()).decode()
        if match["account"] != fake.account_sid or headers.get("Authorization") != f"Basic {expected}":
            self.answer_json(401, _error(20003, "Authenticate", 401))
            return
        if fake.outage == 503:
            self.answer(503, b"<html><body>Service Unavailable</body></html>", "text/html")
            return
        if fake.outage == 429:
            self.answer_json(429, _error(20429, "Too Many Requests", 429))
            return
        with fake._lock:
            status, payload, created = fake.create(headers, form)
        self.answer_json(status, payload)
        if created and form.get("StatusCallback"):
            fake.report(payload, form["StatusCallback"])


@dataclass
class Callback:
    path: str
    headers: dict[str, str]
    form: dict[str, str]


class CallbackCatcher:
    """Stands in for amicable's webhook endpoint: keeps every POST it gets and answers 204."""

    def __init__(self) -> None:
        self.received: queue.Queue[Callback] = queue.Queue()
        self._http = LoopbackHTTP(_CatcherHandler, self)

    @property
    def url(self) -> str:
        return self._http.url

    def start(self) -> CallbackCatcher:
        self._http.start()
        return self

    def stop(self) -> None:
        self._http.stop()

    def next(self, timeout: float = 5) -> Callback:
        return self.received.get(timeout=timeout)


class _CatcherHandler(_Handler):
    def do_POST(self) -> None:
        catcher: CallbackCatcher = self.server.owner
        form = self.read_form()
        catcher.received.put(Callback(self.path, dict(self.headers.items()), form))
        self.send_response(204)
        self.end_headers()
