"""What governance shows on the home page."""

from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import has_capability
from civicgrid.governance import selectors
from civicgrid.governance.models import (
    AlertStatus,
    GovernanceTask,
    ProposalStatus,
    TaskStatus,
    TopicStatus,
)
from civicgrid.web.contrib import Figure


def open_tasks(user: Any) -> QuerySet[GovernanceTask]:
    """The governance tasks in progress the user sees: open, planned ahead (no topic) or of a
    topic still in progress. The open tasks of a topic completed or cancelled are left as they
    were, but are no one's work in progress any more (nor overdue)."""
    return (
        selectors.tasks_visible(user)
        .filter(status=TaskStatus.OPEN)
        .filter(Q(topic__isnull=True) | Q(topic__status=TopicStatus.ACTIVE))
    )


def home_figures(user: Any) -> list[Figure]:
    if not has_capability(user, Capability.GOVERNANCE_VIEW):
        return []
    today = timezone.localdate()
    tasks = open_tasks(user)
    return [
        Figure(
            _("进行中的突发预警"),
            selectors.alerts_visible(user).filter(~Q(status=AlertStatus.ENDED)).count(),
            reverse("governance:alerts"),
        ),
        Figure(
            _("推进中的每月一题"),
            selectors.topics_visible(user).filter(status=TopicStatus.ACTIVE).count(),
            reverse("governance:topics"),
        ),
        Figure(
            _("超期的治理任务"),
            tasks.filter(deadline__lt=today).count(),
            reverse("governance:tasks"),
            hint=_("共 {count} 项进行中").format(count=tasks.count()),
        ),
        Figure(
            _("待决定的未诉先办建议"),
            selectors.proposals_visible(user).filter(status=ProposalStatus.PROPOSED).count(),
            reverse("governance:planned"),
        ),
    ]
