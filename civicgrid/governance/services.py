"""Writes of proactive governance: monthly topics, their tasks, proposals, alerts.

Each service checks (capability at the place, validation), then acts in one transaction
with an audit row. Hot-issue runs are written by ``hot.hot_issues_compute``, alerts by
``spikes.spike_scan`` and proposals by ``seasonal.proposals_generate``.
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.models import Role
from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import actor_roles, can, require
from civicgrid.core.audit import audit_write, snapshot
from civicgrid.core.errors import Conflict, PermissionDenied, ValidationError
from civicgrid.governance import text
from civicgrid.governance.models import (
    AlertStatus,
    GovernanceTask,
    HotIssue,
    ProposalStatus,
    SeasonalProposal,
    SpikeAlert,
    TaskStatus,
    Topic,
    TopicStatus,
)
from civicgrid.governance.spikes import alert_units
from civicgrid.requests.models import Category, HandlingUnit
from civicgrid.requests.permissions import unit_ids
from civicgrid.requests.rates.figures import month_start
from civicgrid.requests.selectors import current_catalogue
from civicgrid.territory.models import Node, NodeKind

PREFIX_RE = re.compile(r"(?:[0-9]{2}){1,3}")
TOPIC_FIELDS = ["title", "status", "plan", "lead_unit", "leading_official", "month"]
TASK_FIELDS = ["title", "unit", "deadline", "progress", "status", "note"]


@dataclass
class TopicData:
    title: str
    month: date
    leading_official: Any
    lead_unit: HandlingUnit | None
    node: Node | None = None
    description: str = ""
    plan: str = ""
    assisting_units: list[HandlingUnit] = field(default_factory=list)
    category_prefix: str = ""
    keywords: list[str] = field(default_factory=list)
    hot_issue: HotIssue | None = None


# A topic's month lies from January two years back (topics of this and last year's review
# typed in afterwards) to December of next year (next year's plan, drawn up in the autumn).
TOPIC_YEARS_BACK = 2
TOPIC_YEARS_AHEAD = 1
# A task is due no earlier than the day it is set and within three years of it.
TASK_YEARS_AHEAD = 3
# A progress note is a line of the task's log, not a report: longer ones are refused.
PROGRESS_NOTE_MAX = 500
# A topic's plan (工作方案) is a few paragraphs: as long as a request's content (intake.CONTENT_MAX).
PLAN_MAX = 5000
# A topic in these states is closed: it takes no new tasks and no progress, and its open
# tasks are left as they were but counted nowhere as work in progress (figures, lists).
CLOSED_TOPIC_STATUSES = (TopicStatus.DONE, TopicStatus.CANCELLED)


def topic_month_window(today: date | None = None) -> tuple[date, date]:
    """The first and the last month a topic may belong to."""
    year = (today or timezone.localdate()).year
    return date(year - TOPIC_YEARS_BACK, 1, 1), date(year + TOPIC_YEARS_AHEAD, 12, 1)


def month_errors(month: date) -> list[str]:
    first, last = topic_month_window()
    if first <= month_start(month) <= last:
        return []
    return [
        _("所属月份应在{first}年{first_month}月至{last}年{last_month}月之间").format(
            first=first.year, first_month=first.month, last=last.year, last_month=last.month
        )
    ]


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def deadline_errors(deadline: date) -> list[str]:
    """A deadline before the day the task is set, or years ahead, is a typing mistake."""
    today = timezone.localdate()
    if deadline < today:
        return [_("完成时限不能早于今天（{today}）").format(today=today.isoformat())]
    latest = _years_after(today, TASK_YEARS_AHEAD)
    if deadline > latest:
        return [
            _("完成时限不能晚于{latest}（{years}年内）").format(
                latest=latest.isoformat(), years=TASK_YEARS_AHEAD
            )
        ]
    return []


def _check_topic(data: TopicData) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if problems := month_errors(data.month):
        errors["month"] = problems
    if not data.title.strip():
        errors["title"] = [_("请填写题目")]
    elif len(data.title) > 200:
        errors["title"] = [_("题目最长200个字")]
    if data.node is None:
        errors["node"] = [_("请选择问题所在区域")]
    if data.lead_unit is None or not data.lead_unit.is_active:
        errors["lead_unit"] = [_("请选择启用的牵头单位")]
    official = data.leading_official
    if official is None or not getattr(official, "is_active", False):
        errors["leading_official"] = [_("请选择牵头领导")]
    elif data.node is not None and not can(official, Capability.TOPIC_MANAGE, data.node.path):
        errors["leading_official"] = [_("牵头领导须是该区域的领导")]
    if data.lead_unit is not None and any(u.pk == data.lead_unit.pk for u in data.assisting_units):
        errors["assisting_units"] = [_("协办单位不能与牵头单位相同")]
    if any(not u.is_active for u in data.assisting_units):
        errors["assisting_units"] = [_("协办单位须为启用的单位")]
    if problems := prefix_errors(data.category_prefix.strip()):
        errors["category_prefix"] = problems
    if problems := plan_errors(data.plan):
        errors["plan"] = problems
    return errors


def plan_errors(plan: str) -> list[str]:
    length = len(plan.strip())
    if length > PLAN_MAX:
        return [_("工作方案最长{limit}个字（现为{length}个字）").format(limit=PLAN_MAX, length=length)]
    return []


def prefix_errors(prefix: str) -> list[str]:
    """A topic counts requests whose category code starts with ``prefix``: it must be the code
    of a category (2, 4 or 6 digits) in the current catalogue, else the topic would count
    nothing and nobody would notice."""
    if not prefix:
        return []
    if not PREFIX_RE.fullmatch(prefix):
        return [_("分类编码前缀应为2、4或6位数字，如 01、0103")]
    current = current_catalogue()
    if current is None:
        return [_("当前没有生效的派单目录，请不填分类编码前缀")]
    if not Category.objects.filter(version=current, code__startswith=prefix).exists():
        return [_("当前派单目录中没有编码以 {prefix} 开头的分类").format(prefix=prefix)]
    return []


def _duplicate(data: TopicData) -> Topic | None:
    """A topic of the same place and month about the same hot issue, or with the same title."""
    assert data.node is not None
    same = Topic.objects.filter(node=data.node, month=month_start(data.month))
    if data.hot_issue is not None:
        found = same.filter(hot_issue=data.hot_issue).first()
        if found is not None:
            return found
    return same.filter(title=data.title.strip()).first()


def _problem_terms(data: TopicData) -> tuple[bytes, list[str]]:
    """What "this problem" is: the hot issue's central words, or the words typed in."""
    if data.hot_issue is not None and data.hot_issue.terms:
        return bytes(data.hot_issue.terms), list(data.hot_issue.keywords)
    words = [w for k in data.keywords for w in (text.words(k) or [k.strip()]) if w]
    return text.pack(text.term_id(w) for w in words), words


def place_of(node: Node) -> Node:
    """The community of a place below it (a topic is about a community's problem, not one building)."""
    if node.kind in (NodeKind.CITY, NodeKind.DISTRICT, NodeKind.SUBDISTRICT, NodeKind.COMMUNITY):
        return node
    found = Node.objects.filter(pk__in=node.ancestor_ids, kind=NodeKind.COMMUNITY).first()
    return found or node


def topic_from_hot_issue(issue: HotIssue) -> dict[str, Any]:
    """Initial values of the form that turns a hot issue into a topic."""
    return {
        "title": f"{issue.node.name}{issue.title}"[:200],
        "month": month_start(timezone.localdate()),
        "node": place_of(issue.node),
        "description": (
            _(
                "{period_start}至{period_end}，{name}同类诉求{count}件（{requesters}人）"
                "，热度{heat:.1f}。关键词：{keywords}"
            ).format(
                period_start=issue.run.period_start,
                period_end=issue.run.period_end,
                name=issue.node.name,
                count=issue.count,
                requesters=issue.requesters,
                heat=issue.heat,
                keywords="、".join(issue.keywords),
            )
        ),
        "category_prefix": issue.category_prefix,
        "keywords": list(issue.keywords),
        "hot_issue": issue,
    }


@transaction.atomic
def topic_create(*, actor: Any, data: TopicData) -> Topic:
    if data.node is not None:
        require(actor, Capability.TOPIC_MANAGE, data.node.path)
    else:
        raise ValidationError(_("请选择问题所在区域"), field="node")
    if data.hot_issue is not None and not data.hot_issue.node_path.startswith(data.node.path):
        raise ValidationError(_("热点不在所选区域内"), field="hot_issue")
    errors = _check_topic(data)
    if errors:
        raise ValidationError(errors=errors)
    assert data.lead_unit is not None
    # One topic per problem, place and month: the place's row is locked so that two leaders
    # (or one double submit) cannot both find no topic and both add one (SQLite's
    # transactions take the write lock at BEGIN and so are serial anyway).
    Node.objects.select_for_update().filter(pk=data.node.pk).first()
    if (twin := _duplicate(data)) is not None:
        same_hot = data.hot_issue is not None and twin.hot_issue_id == data.hot_issue.pk
        month = month_start(data.month)
        raise ValidationError(
            _("{name}{year}年{month}月已就{what}立项（《{title}》），请勿重复立项").format(
                name=data.node.name,
                year=month.year,
                month=month.month,
                what=_("该热点") if same_hot else _("同名题目"),
                title=twin.title,
            ),
            field="title",
            code="duplicate",
        )
    terms, keywords = _problem_terms(data)
    topic = Topic.objects.create(
        node=data.node,
        node_path=data.node.path,
        month=month_start(data.month),
        title=data.title.strip(),
        description=data.description.strip(),
        hot_issue=data.hot_issue,
        leading_official=data.leading_official,
        lead_unit=data.lead_unit,
        plan=data.plan.strip(),
        category_prefix=data.category_prefix.strip(),
        terms=terms,
        keywords=keywords,
        created_by=actor,
    )
    topic.assisting_units.set(data.assisting_units)
    audit_write(
        actor=actor,
        verb="governance.topic_created",
        target=topic,
        node=data.node,
        after=snapshot(topic, TOPIC_FIELDS) | {"assisting_units": [u.pk for u in data.assisting_units]},
    )
    return topic


def _locked_topic(actor: Any, topic: Topic, expected_version: int | None) -> Topic:
    require(actor, Capability.TOPIC_MANAGE, topic.node_path)
    locked = Topic.objects.select_for_update().get(pk=topic.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(_("该题目已被他人修改，请刷新后再试"))
    return locked


def _refuse_closed(topic: Topic) -> None:
    """A closed topic (完成 or 撤销) takes no more work; called with the topic's row locked,
    so that work cannot slip in beside the change of its status."""
    if topic.status in CLOSED_TOPIC_STATUSES:
        raise ValidationError(
            _("该题目{status}，不能再添加任务或更新进度；如需继续推进，请先将状态改回“推进中”").format(
                status=topic.get_status_display()
            ),
            code="topic_closed",
        )


@transaction.atomic
def topic_update(
    *,
    actor: Any,
    topic: Topic,
    plan: str | None = None,
    status: str | None = None,
    expected_version: int | None = None,
) -> Topic:
    locked = _locked_topic(actor, topic, expected_version)
    before = snapshot(locked, TOPIC_FIELDS)
    errors: dict[str, list[str]] = {}
    if status is not None and status not in TopicStatus.values:
        errors["status"] = [_("状态取值无效")]
    if plan is not None and (problems := plan_errors(plan)):
        errors["plan"] = problems
    if errors:
        raise ValidationError(errors=errors)
    if plan is not None:
        locked.plan = plan.strip()
    if status is not None:
        locked.status = status
    locked.version += 1
    locked.save(update_fields=["plan", "status", "version", "updated_at"])
    audit_write(
        actor=actor,
        verb="governance.topic_updated",
        target=locked,
        node=locked.node,
        before=before,
        after=snapshot(locked, TOPIC_FIELDS),
    )
    return locked


def _check_task(title: str, deadline: date | None) -> None:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("请填写任务内容")]
    elif len(title) > 200:
        errors["title"] = [_("任务最长200个字")]
    if deadline is None:
        errors["deadline"] = [_("请填写完成时限")]
    elif problems := deadline_errors(deadline):
        errors["deadline"] = problems
    if errors:
        raise ValidationError(errors=errors)


@transaction.atomic
def task_add(
    *,
    actor: Any,
    topic: Topic,
    title: str,
    deadline: date | None,
    unit: HandlingUnit | None = None,
    description: str = "",
) -> GovernanceTask:
    locked = _locked_topic(actor, topic, None)
    _refuse_closed(locked)
    _check_task(title, deadline)
    assert deadline is not None
    if unit is not None and not unit.is_active:
        raise ValidationError(_("责任单位须为启用的单位"), field="unit")
    task = GovernanceTask.objects.create(
        topic=locked,
        node=locked.node,
        node_path=locked.node_path,
        title=title.strip(),
        description=description.strip(),
        unit=unit or locked.lead_unit,
        deadline=deadline,
        created_by=actor,
    )
    audit_write(
        actor=actor,
        verb="governance.task_added",
        target=task,
        node=locked.node,
        after=snapshot(task, TASK_FIELDS) | {"topic": locked.pk},
    )
    return task


def may_report(actor: Any, task: GovernanceTask) -> bool:
    """Leaders of the place, and members of the task's unit, report progress."""
    if can(actor, Capability.TOPIC_MANAGE, task.node_path):
        return True
    return task.unit_id is not None and task.unit_id in unit_ids(actor)


@transaction.atomic
def task_progress(*, actor: Any, task: GovernanceTask, progress: int, note: str = "") -> GovernanceTask:
    if not may_report(actor, task):
        raise PermissionDenied(_("您无权更新该任务的进度"))
    if not 0 <= progress <= 100:
        raise ValidationError(_("进度应为0到100之间的整数"), field="progress")
    if len(note.strip()) > PROGRESS_NOTE_MAX:
        raise ValidationError(
            _("进展说明最长{limit}个字（现为{length}个字）").format(
                limit=PROGRESS_NOTE_MAX, length=len(note.strip())
            ),
            field="note",
        )
    if task.topic_id is not None:
        # The topic's row first (as topic_update takes it), then the task's: a progress and a
        # cancellation of the topic at once cannot both pass.
        _refuse_closed(Topic.objects.select_for_update().get(pk=task.topic_id))
    locked = GovernanceTask.objects.select_for_update().get(pk=task.pk)
    before = snapshot(locked, TASK_FIELDS)
    locked.progress = progress
    if note.strip():
        stamp = timezone.localtime().strftime("%Y-%m-%d")
        locked.note = f"{locked.note}\n{stamp} {note.strip()}".strip()
    done = progress == 100
    locked.status = TaskStatus.DONE if done else TaskStatus.OPEN
    locked.done_at = locked.done_at or timezone.now() if done else None
    locked.save(update_fields=["progress", "note", "status", "done_at", "updated_at"])
    audit_write(
        actor=actor,
        verb="governance.task_progress",
        target=locked,
        node=locked.node,
        before=before,
        after=snapshot(locked, TASK_FIELDS),
    )
    return locked


# Solve before asked ------------------------------------------------------------------------


def _locked_proposal(actor: Any, proposal: SeasonalProposal) -> SeasonalProposal:
    require(actor, Capability.TOPIC_MANAGE, proposal.node_path)
    locked = SeasonalProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status != ProposalStatus.PROPOSED:
        raise Conflict(_("该建议已处理"))
    return locked


@transaction.atomic
def proposal_accept(
    *,
    actor: Any,
    proposal: SeasonalProposal,
    unit: HandlingUnit | None,
    deadline: date | None = None,
    title: str = "",
) -> GovernanceTask:
    """A leader turns a proposal into a planned task (default deadline: a week before the season)."""
    locked = _locked_proposal(actor, proposal)
    if unit is None or not unit.is_active:
        raise ValidationError(_("请选择启用的责任单位"), field="unit")
    # The default is a week before the season, but never before today (a season that starts
    # within the week, or a proposal decided late).
    deadline = deadline or max(locked.season_start - timedelta(days=7), timezone.localdate())
    title = title.strip() or locked.title
    _check_task(title, deadline)
    task = GovernanceTask.objects.create(
        node=locked.node,
        node_path=locked.node_path,
        title=title,
        description=_("未诉先办：往年同期诉求 {evidence}，预计{expected:.0f}件。").format(
            evidence=locked.evidence, expected=locked.expected
        ),
        unit=unit,
        deadline=deadline,
        created_by=actor,
    )
    locked.status = ProposalStatus.ACCEPTED
    locked.task = task
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "task", "decided_by", "decided_at"])
    audit_write(
        actor=actor,
        verb="governance.proposal_accepted",
        target=locked,
        node=locked.node,
        after={"task": task.pk, "unit": unit.pk, "deadline": str(deadline)},
    )
    return task


@transaction.atomic
def proposal_dismiss(*, actor: Any, proposal: SeasonalProposal) -> SeasonalProposal:
    locked = _locked_proposal(actor, proposal)
    locked.status = ProposalStatus.DISMISSED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    audit_write(actor=actor, verb="governance.proposal_dismissed", target=locked, node=locked.node)
    return locked


# Spikes ------------------------------------------------------------------------------------


def may_acknowledge(actor: Any, alert: SpikeAlert) -> bool:
    """Those who act on a spike where it happens say they know of it (知悉): the leaders over
    the place (TOPIC_MANAGE), the community workers of the place, and members of the units
    the alert was sent to (the subdistrict's unit, the category's responsible unit). Others
    who see alerts (the hotline's operators, other handlers) only read them."""
    if not can(actor, Capability.GOVERNANCE_VIEW, alert.node_path):
        return False
    if can(actor, Capability.TOPIC_MANAGE, alert.node_path):
        return True
    if any(
        role == Role.COMMUNITY_WORKER and alert.node_path.startswith(path)
        for role, path in actor_roles(actor)
    ):
        return True
    return not unit_ids(actor).isdisjoint(unit.pk for unit in alert_units(alert))


@transaction.atomic
def alert_acknowledge(*, actor: Any, alert: SpikeAlert, note: str = "") -> SpikeAlert:
    if not may_acknowledge(actor, alert):
        raise PermissionDenied(_("只有该地的领导、社区工作人员和预警通知的责任单位可以知悉预警"))
    note = note.strip()
    if len(note) > PROGRESS_NOTE_MAX:
        raise ValidationError(
            _("处置说明最长{limit}个字（现为{length}个字）").format(
                limit=PROGRESS_NOTE_MAX, length=len(note)
            ),
            field="note",
        )
    locked = SpikeAlert.objects.select_for_update().get(pk=alert.pk)
    if locked.status != AlertStatus.ACTIVE:
        raise Conflict(_("该预警已知悉或已结束"))
    locked.status = AlertStatus.ACKNOWLEDGED
    locked.acknowledged_by = actor
    locked.acknowledged_at = timezone.now()
    locked.note = note
    locked.save(update_fields=["status", "acknowledged_by", "acknowledged_at", "note"])
    audit_write(
        actor=actor,
        verb="governance.alert_acknowledged",
        target=locked,
        node=locked.node,
        after={"note": locked.note},
    )
    return locked
