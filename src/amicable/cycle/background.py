"""The embedded default's dispatcher: a thread that sends what falls due, once a minute."""

from __future__ import annotations

import logging
import threading

from django.db import connection

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 60


def _loop(stop: threading.Event) -> None:
    from .dispatch import dispatch_due

    while not stop.wait(INTERVAL_SECONDS):
        try:
            dispatch_due()
        except Exception:  # keep going: the next minute may work, and the outbox loses nothing
            log.exception("dispatch failed; trying again in a minute")
        finally:
            connection.close()


def start_dispatcher() -> threading.Event:
    """Start the thread; set the returned event to stop it."""
    stop = threading.Event()
    threading.Thread(target=_loop, args=(stop,), name="amicable-dispatch", daemon=True).start()
    return stop
