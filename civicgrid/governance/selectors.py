"""Reads of proactive governance, cut to the actor's GOVERNANCE_VIEW scope."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import EVERYWHERE, require_any, scope_filter, scope_paths, scope_q
from civicgrid.core.errors import NotFound
from civicgrid.governance import text
from civicgrid.governance.hot import _bounds
from civicgrid.governance.models import (
    GovernanceTask,
    HotIssue,
    HotIssueRun,
    RequestTerms,
    SeasonalProposal,
    SpikeAlert,
    Topic,
)
from civicgrid.governance.terms import terms_index
from civicgrid.requests.models import Request
from civicgrid.requests.permissions import unit_ids
from civicgrid.requests.rates.figures import Period, add_months, month_start
from civicgrid.territory.models import Node, NodeKind

AREA_KINDS = (NodeKind.CITY, NodeKind.DISTRICT, NodeKind.SUBDISTRICT, NodeKind.COMMUNITY, NodeKind.GRID)
V = Capability.GOVERNANCE_VIEW


def nodes_visible(actor: Any) -> QuerySet[Node]:
    qs = Node.objects.filter(kind__in=AREA_KINDS, is_active=True).order_by("path")
    return scope_filter(qs, actor, V, field="path")


def node_for(actor: Any, pk: int | None) -> Node:
    """The node asked for (in scope), or the actor's own top node."""
    require_any(actor, V)
    if pk is not None:
        node = nodes_visible(actor).filter(pk=pk).first()
        if node is None:
            raise NotFound(gettext("区域不存在或您无权查看"))
        return node
    paths = [p for p in scope_paths(actor, V) if p != EVERYWHERE]
    if paths:
        return Node.objects.get(path=paths[0])
    root = Node.objects.filter(parent__isnull=True, is_active=True).order_by("path").first()
    if root is None:
        raise NotFound(gettext("尚未建立区域"))
    return root


def latest_run(node: Node, period: Period) -> HotIssueRun | None:
    return (
        HotIssueRun.objects.filter(node=node, period_start=period.start, period_end=period.end)
        .order_by("-created_at", "-id")
        .first()
    )


def hot_issues_visible(actor: Any) -> QuerySet[HotIssue]:
    return scope_filter(HotIssue.objects.all(), actor, V)


def hot_issue_get(actor: Any, pk: int) -> HotIssue:
    found = hot_issues_visible(actor).select_related("run", "node", "category").filter(pk=pk).first()
    if found is None:
        raise NotFound(gettext("热点不存在或您无权查看"))
    return found


def run_issues(actor: Any, run: HotIssueRun) -> QuerySet[HotIssue]:
    return hot_issues_visible(actor).filter(run=run).select_related("node", "category").order_by("rank")


def issue_requests(issue: HotIssue) -> QuerySet[Request]:
    return (
        Request.objects.filter(pk__in=issue.members.values("request_id"))
        .select_related("category", "lead_unit", "node")
        .order_by("received_at")
    )


def _seen(actor: Any, qs: QuerySet[Any], by_unit: Any) -> QuerySet[Any]:
    """``qs`` cut to the actor's GOVERNANCE_VIEW scope, and besides what ``by_unit(ids)``
    (a Q of the actor's units) lets the members of a unit see wherever it lies: a task given
    to a unit of another subdistrict is still its members' to see and report on."""
    q = scope_q(actor, V)
    if q is None:
        return qs
    ids = unit_ids(actor)
    if ids:
        q = q | by_unit(ids)
    return qs.filter(q)


def _topic_units_q(ids: set[int]) -> Q:
    """Topics a unit works on: as lead unit, assisting unit or the unit of one of its tasks."""
    assisting = Topic.assisting_units.through.objects.filter(handlingunit_id__in=ids).values("topic_id")
    tasked = GovernanceTask.objects.filter(unit_id__in=ids, topic__isnull=False).values("topic_id")
    return Q(lead_unit_id__in=ids) | Q(pk__in=assisting) | Q(pk__in=tasked)


def topics_visible(actor: Any) -> QuerySet[Topic]:
    """Topics of the actor's scope, and the topics the actor's units lead, assist or hold a
    task of (read-only beyond their own tasks: managing takes TOPIC_MANAGE at the place)."""
    return _seen(actor, Topic.objects.all(), _topic_units_q).select_related(
        "node", "lead_unit", "leading_official", "hot_issue"
    )


def topic_get(actor: Any, pk: int) -> Topic:
    found = topics_visible(actor).filter(pk=pk).first()
    if found is None:
        raise NotFound(gettext("题目不存在或您无权查看"))
    return found


def tasks_visible(actor: Any) -> QuerySet[GovernanceTask]:
    """Tasks of the actor's scope, and the tasks given to the actor's units (they report
    their progress, ``services.may_report``)."""
    return _seen(actor, GovernanceTask.objects.all(), lambda ids: Q(unit_id__in=ids)).select_related(
        "unit", "topic", "node"
    )


def task_get(actor: Any, pk: int) -> GovernanceTask:
    found = tasks_visible(actor).filter(pk=pk).first()
    if found is None:
        raise NotFound(gettext("任务不存在或您无权查看"))
    return found


def proposals_visible(actor: Any) -> QuerySet[SeasonalProposal]:
    return scope_filter(SeasonalProposal.objects.all(), actor, V).select_related("node", "category", "task")


def proposal_get(actor: Any, pk: int) -> SeasonalProposal:
    found = proposals_visible(actor).filter(pk=pk).first()
    if found is None:
        raise NotFound(gettext("建议不存在或您无权查看"))
    return found


def alerts_visible(actor: Any) -> QuerySet[SpikeAlert]:
    return scope_filter(SpikeAlert.objects.all(), actor, V).select_related("node", "acknowledged_by")


def alert_get(actor: Any, pk: int) -> SpikeAlert:
    found = alerts_visible(actor).filter(pk=pk).first()
    if found is None:
        raise NotFound(gettext("预警不存在或您无权查看"))
    return found


def alert_requests(alert: SpikeAlert) -> QuerySet[Request]:
    """The requests an alert counted (``observed``): of its category group, in its place,
    received in the window ending when it was raised, ``(raised_at − W, raised_at]``, as
    ``spikes._recent`` found them."""
    since = alert.raised_at - timedelta(minutes=alert.window_minutes)
    return (
        Request.objects.filter(
            node_path__startswith=alert.node_path,
            category__code__startswith=alert.category_prefix,
            received_at__gt=since,
            received_at__lte=alert.raised_at,
        )
        .select_related("node", "lead_unit")
        .order_by("received_at", "id")
    )


# Before and after a monthly topic ------------------------------------------------------------


@dataclass(frozen=True)
class MonthCount:
    month: date
    count: int
    after: bool  # the topic's month or later


def _matches(terms: np.ndarray, wanted: set[int]) -> bool:
    need = 2 if len(wanted) > 2 else 1
    return len(wanted.intersection(terms.tolist())) >= need


def topic_trend(topic: Topic, *, before: int = 3, after: int = 3) -> list[MonthCount]:
    """Requests of the topic's problem per month: same place (under the topic's node), same
    category group, and at least two of the problem's central words (one when it has two or
    fewer); ``before`` months before the topic's month and up to ``after`` months from it."""
    first = add_months(month_start(topic.month), -before)
    last = min(add_months(month_start(topic.month), after - 1), month_start(date.today()))
    start, _ = _bounds(Period.month(first))
    _, end = _bounds(Period.month(last))
    terms_index(limit=None, received_from=start, received_to=end, path=topic.node_path)
    wanted = set(text.unpack(bytes(topic.terms)).tolist())
    qs = Request.objects.filter(
        node_path__startswith=topic.node_path, received_at__gte=start, received_at__lt=end
    )
    if topic.category_prefix:
        qs = qs.filter(category__code__startswith=topic.category_prefix)
    counts: dict[date, int] = {}
    rows = RequestTerms.objects.filter(request__in=qs).values_list("request__received_at", "terms")
    for at, blob in rows:
        if not wanted or _matches(text.unpack(bytes(blob)), wanted):
            month = month_start(timezone.localtime(at).date())
            counts[month] = counts.get(month, 0) + 1
    result, month = [], first
    while month <= last:
        result.append(MonthCount(month, counts.get(month, 0), month >= month_start(topic.month)))
        month = add_months(month, 1)
    return result
