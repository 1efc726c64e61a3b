"""The Celery app for production: `celery -A amicable worker` on as many machines as you like, and
`celery -A amicable beat` once, which runs the cycle each morning and dispatch every minute.

Workers claim contacts with SELECT ... FOR UPDATE SKIP LOCKED, so they never send one twice. Without
CELERY_BROKER_URL the embedded default calls the same functions in-process.
"""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amicable.settings")

app = Celery("amicable")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.beat_schedule = {
    "plan-the-day": {"task": "amicable.run_cycle", "schedule": crontab(hour=5, minute=0)},
    "dispatch-what-is-due": {"task": "amicable.dispatch_due", "schedule": 60.0},
}
app.autodiscover_tasks(["amicable.cycle"])
