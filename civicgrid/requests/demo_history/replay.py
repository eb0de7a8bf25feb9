"""Replaying a simulated history through the real services, with the clock set back.

The services stamp ``timezone.now()``; a history is a past that has to be replayed at
its own moments, so ``frozen_now`` patches ``django.utils.timezone.now`` for the length
of one step. It is meant for this replay only (single-threaded, inside one command or
test): it changes the clock of the whole process while it is active, which would be
wrong for a running site. The bulk writer is what builds the demo; this replay is the
proof that the bulk rows are the rows the services write
(``tests/test_demo_history.py``), and it is slow (every step is a locked transaction
with its audit row and notifications).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from unittest import mock

from civicgrid.requests import services
from civicgrid.requests.demo_history.stories import Entry
from civicgrid.requests.models import Request, WhistleSummons
from civicgrid.requests.services.warnings import scan_one


@contextmanager
def frozen_now(moment: datetime) -> Iterator[datetime]:
    """``timezone.now()`` (and ``localdate()``, ``auto_now`` fields…) return ``moment``."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield moment


def _request(entry: Entry, created: dict[int, Request]) -> Request:
    return Request.objects.get(pk=created[entry.life.index].pk)


def _call(entry: Entry, created: dict[int, Request]) -> None:
    kind, params = entry.step.kind, dict(entry.step.params)
    if kind == "create":
        created[entry.life.index] = services.request_create(**params)
        return
    request = _request(entry, created)
    if kind == "scan":
        scan_one(request.pk, entry.step.at)
    elif kind == "rate":
        services.request_rate_by_link(token=request.rating_token, **params)
    elif kind == "merge":
        into = Request.objects.get(pk=created[params.pop("into").index].pk)
        services.request_merge(request=request, into=into, **params)
    elif kind == "report_in":
        unit = params.pop("unit")
        summons = WhistleSummons.objects.get(whistle__request=request, unit=unit, reported_at__isnull=True)
        services.whistle_report_in(summons=summons, **params)
    elif kind == "whistle_close":
        services.whistle_close(whistle=request.whistles.order_by("-id")[0], **params)
    else:
        SERVICES[kind](request=request, **params)


SERVICES: dict[str, Any] = {
    "direct_close": services.request_direct_close,
    "dispatch": services.request_dispatch,
    "sign": services.request_sign,
    "start": services.request_start,
    "reply": services.request_reply,
    "verify": services.request_verify,
    "return_": services.request_return,
    "return_decide": services.request_return_decide,
    "extend": services.request_extend,
    "extend_decide": services.request_extend_decide,
    "suspend": services.request_suspend,
    "resume": services.request_resume,
    "long_running": services.request_long_running,
    "supervise": services.request_supervise,
    "whistle": services.request_whistle,
    "council": services.request_council,
    "callback": services.request_callback,
    "close": services.request_close,
}


def history_replay(log: list[Entry]) -> int:
    """Apply each logged step through its service at its own moment. Returns the steps."""
    created: dict[int, Request] = {}
    for entry in log:
        with frozen_now(entry.step.at):
            _call(entry, created)
    return len(log)
