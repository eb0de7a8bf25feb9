"""Background tasks (django-tasks) of proactive governance.

Schedule (cron or a systemd timer runs the commands; a worker may run the tasks instead):

* every minute: ``civicgrid governance_tick`` (or the ``governance_tick`` task) — index the
  words of new requests, raise and end spike alerts, send pending notifications;
* every day (e.g. 02:00): ``civicgrid governance_propose`` — seasonal proposals;
* on demand or nightly: ``civicgrid governance_hot --node CODE --month YYYY-MM`` (or the
  ``hot_issues`` task, which the hot-issue page enqueues for large areas).
"""

from datetime import date
from typing import Any

from django_tasks import task

from civicgrid.governance.hot import hot_issues_compute
from civicgrid.governance.seasonal import proposals_generate
from civicgrid.governance.spikes import spike_scan
from civicgrid.governance.terms import terms_index
from civicgrid.requests.permissions import SYSTEM
from civicgrid.requests.rates.figures import Period
from civicgrid.territory.models import Node


def tick() -> dict[str, Any]:
    indexed = terms_index(limit=20_000)
    return {"indexed": indexed, **spike_scan()}


@task()
def governance_tick() -> dict[str, Any]:
    return tick()


@task()
def propose_seasonal() -> int:
    return len(proposals_generate())


@task()
def hot_issues(node_id: int, start: str, end: str) -> int:
    node = Node.objects.get(pk=node_id)
    run = hot_issues_compute(
        actor=SYSTEM,
        node=node,
        period=Period(date.fromisoformat(start), date.fromisoformat(end)),
        system=True,
    )
    return run.pk
