"""A fresh demo (city, requests, every app's extras) holds no moment after now.

The demo counts its history back from now; a row dated in the future shows up in this
month's figures (points granted, hours served, the newest ledger line) before it happened.
Every DateTimeField of every model is checked, except those that hold a plan or a deadline
(a moment that is meant to come).
"""

from collections.abc import Iterator
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models, transaction
from django.utils import timezone

from civicgrid.demo.builder import build
from civicgrid.territory.locator import locator

# (app label, model, field): moments that are meant to lie ahead — plans, deadlines, expiries.
PLANNED = {
    ("points", "lot", "expires_at"),
    ("points", "redemption", "code_expires_at"),
    ("requests", "request", "due_response_at"),
    ("requests", "request", "due_resolution_at"),
    ("requests", "request", "next_check_at"),
    ("requests", "deadlinewarning", "due_at"),  # the deadline a yellow warning warns of
    ("volunteers", "activity", "starts_at"),  # activities to come
    ("volunteers", "activity", "ends_at"),
    ("volunteers", "serviceorder", "wanted_from"),  # when the resident wants the service
}


@pytest.fixture(scope="module")
def full_demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Any]:
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            build("small", seed=1, out=lambda _: None)
            call_command("requests_demo", "--months", "2", "--per-month", "40", stdout=StringIO())
            call_command("demo_extras", stdout=StringIO())
            yield timezone.now()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            locator.invalidate()


def future_rows(now: Any) -> dict[str, int]:
    found: dict[str, int] = {}
    for model in apps.get_models():
        meta = model._meta
        for f in meta.concrete_fields:
            if not isinstance(f, models.DateTimeField):
                continue
            key = (meta.app_label, str(meta.model_name), f.name)
            if key in PLANNED:
                continue
            n = model._default_manager.filter(**{f"{f.name}__gt": now}).count()
            if n:
                found[".".join(key)] = n
    return found


@pytest.mark.django_db
def test_no_demo_row_is_dated_after_now(full_demo: Any) -> None:
    assert future_rows(full_demo + timedelta(seconds=1)) == {}


@pytest.mark.django_db
def test_every_demo_request_is_received_when_its_timeline_begins(full_demo: Any) -> None:
    """受理于 and the timeline's first row agree: a request the demo files for a past moment
    (the governance stories' series) is filed at that moment, not when the demo was built."""
    from django.db.models import F, Min

    from civicgrid.requests.models import Request

    late = (
        Request.objects.annotate(first=Min("events__created_at"))
        .filter(first__gt=F("received_at") + timedelta(minutes=1))
        .values_list("number", flat=True)
    )
    assert Request.objects.filter(received_at__lt=full_demo - timedelta(days=2)).exists()
    assert list(late[:10]) == []
