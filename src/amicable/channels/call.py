"""Phone calls: a task in the agents' queue with the script and the limited-content voicemail.

Nothing is sent automatically: the contact stays queued until an agent logs what happened
(outbox.actions.log_call_outcome)."""

from __future__ import annotations

from typing import Any

from .base import Outgoing, Sent


class CallTasks:
    name = "call"
    automatic = False

    def send(self, message: Outgoing) -> Sent:
        raise RuntimeError("call tasks are made by agents, not sent")

    def parse_events(self, payload: Any) -> list:
        return []
