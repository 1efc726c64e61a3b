"""Production dispatch: Celery tasks through the machine's Redis, run by a real worker."""

from __future__ import annotations

import time as clock
from datetime import UTC, datetime, time

import pytest
import redis
import time_machine
from celery.contrib.testing.worker import start_worker
from celery.result import EagerResult

from amicable.celery import app
from amicable.cycle.tasks import dispatch_due_task
from amicable.outbox.models import Contact, SandboxSms
from test_cycle import MORNING, run
from test_plan_command import DAY, import_portfolio

BROKER = "redis://127.0.0.1:6379/15"


@pytest.fixture
def worker(settings, tmp_path):
    settings.EMAIL_BACKEND = "amicable.channels.email.EmlFileBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "email"
    redis.Redis.from_url(BROKER).flushdb()
    app.conf.update(broker_url=BROKER, result_backend=None, task_always_eager=False)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield
    app.conf.update(task_always_eager=True)


@pytest.mark.django_db(transaction=True)
def test_a_worker_dispatches_the_due_contacts_from_the_broker(cli, northwind, tmp_path, worker):
    with time_machine.travel(datetime.combine(DAY, time(0, 30), tzinfo=UTC), tick=False):
        import_portfolio(cli, tmp_path)
    with time_machine.travel(MORNING, tick=False):
        run(cli)
    assert Contact.objects.filter(status="queued").count() == 3
    # Everything planned for the day is due by now (today is long after DAY), so the fan-out task
    # queues one task per contact and the worker sends each once.
    queued = dispatch_due_task.delay()
    deadline = clock.monotonic() + 30
    while clock.monotonic() < deadline and Contact.objects.filter(status="queued").exists():
        clock.sleep(0.2)
    assert not isinstance(queued, EagerResult)  # it went through Redis, not a shortcut in-process
    assert sorted(Contact.objects.values_list("status", flat=True)) == ["delivered"] * 3
    assert SandboxSms.objects.count() == 1
    assert len(list((tmp_path / "email").rglob("*.eml"))) == 2
