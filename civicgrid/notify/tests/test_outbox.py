"""The outbox: queued in the change's transaction, sent once after commit, one drain queued at a time."""

from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from civicgrid.notify.models import Channel, Notification, State
from civicgrid.notify.services import notify, outbox_drain

pytestmark = pytest.mark.django_db
DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _queue(key: str) -> Notification | None:
    with transaction.atomic():
        return notify(dedupe_key=key, channel=Channel.SMS, subject="新工单", body=f"工单 {key}")


def test_the_same_key_is_queued_once() -> None:
    assert _queue("dispatch:1") is not None
    assert _queue("dispatch:1") is None
    assert Notification.objects.filter(dedupe_key="dispatch:1").count() == 1


@override_settings(TASKS=DB_QUEUE)
def test_a_busy_outbox_queues_one_drain_until_it_starts(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(5):
            _queue(f"dispatch:{i}")
    assert DBTaskResult.objects.filter(task_path__endswith="drain_outbox", status="READY").count() == 1
    DBTaskResult.objects.update(status="RUNNING")  # the worker took it: the next commit queues another
    with django_capture_on_commit_callbacks(execute=True):
        _queue("dispatch:late")
    assert DBTaskResult.objects.filter(status="READY").count() == 1


def test_drain_sends_every_pending_message_once_across_batches() -> None:
    for i in range(7):
        _queue(f"k{i}")
    assert outbox_drain(limit=3) == 7
    assert set(Notification.objects.values_list("state", flat=True)) == {State.SENT}
    assert outbox_drain(limit=3) == 0
