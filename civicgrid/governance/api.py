"""JSON endpoints of governance under /api/v1/governance/ (same services and scope as the pages)."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Field, Query, Router, Schema, Status

from civicgrid.accounts.models import User
from civicgrid.api_errors import ERRORS
from civicgrid.core.api_types import Integer, choices_text
from civicgrid.core.errors import ValidationError
from civicgrid.governance import listing, selectors, services
from civicgrid.governance.hot import hot_issues_compute, hot_issues_preview
from civicgrid.governance.models import (
    AlertStatus,
    HotIssue,
    HotIssueRun,
    ProposalStatus,
    Topic,
    TopicStatus,
)
from civicgrid.governance.seasonal import priority_month, priority_subdistricts
from civicgrid.governance.services import (
    PLAN_MAX,
    PROGRESS_NOTE_MAX,
    TASK_YEARS_AHEAD,
    TOPIC_YEARS_AHEAD,
    TOPIC_YEARS_BACK,
)
from civicgrid.requests.models import HandlingUnit
from civicgrid.requests.rates.access import asked_period
from civicgrid.requests.rates.cells import current_month
from civicgrid.requests.rates.figures import Period, parse_month

router = Router(tags=["主动治理"])


class HotIssueOut(Schema):
    id: int | None  # null in a preview (nothing stored)
    rank: int
    title: str
    keywords: list[str]
    node_id: int
    node_name: str
    category: str | None
    category_prefix: str
    count: int
    previous_count: int
    growth: float
    requesters: int
    rated: int
    unsatisfied: int
    votes: int
    heat: float
    lon: float | None
    lat: float | None
    first_at: datetime
    last_at: datetime

    @staticmethod
    def resolve_node_name(obj: HotIssue) -> str:
        return obj.node.name

    @staticmethod
    def resolve_category(obj: HotIssue) -> str | None:
        return obj.category.full_name if obj.category else None


class RunOut(Schema):
    id: int | None  # null in a preview
    stored: bool
    node_id: int
    period_start: date
    period_end: date
    stats: dict[str, Any]
    seconds: float
    created_at: datetime | None
    issues: list[HotIssueOut]


class HotQuery(Schema):
    node: Integer | None = None
    month: str = ""
    start: str = ""
    end: str = ""


def _period(q: HotQuery) -> Period:
    """As on the page: a month (this one by default) or a range of at most three years, begun
    by today (``asked_period``)."""
    return asked_period(q.month, q.start, q.end)


def _run_out(actor: Any, run: HotIssueRun, preview: list[HotIssue] | None = None) -> dict[str, Any]:
    return {
        "id": run.pk,
        "stored": preview is None,
        "node_id": run.node_id,
        "period_start": run.period_start,
        "period_end": run.period_end,
        "stats": run.stats,
        "seconds": run.seconds,
        "created_at": run.created_at,
        "issues": list(selectors.run_issues(actor, run)) if preview is None else preview,
    }


@router.get(
    "/hot-issues",
    response={200: RunOut, **ERRORS},
    summary="热点问题（无保存的结果时即时计算、不保存）",
    description="只读：返回最近一次保存的结果；没有时即时计算预览（stored 为 false，id 为 null），不保存。",
)
def hot_issues(request: HttpRequest, q: Query[HotQuery]) -> dict[str, Any]:
    """Read-only: the latest stored run, or else a preview (``stored: false``, ids null)."""
    node = selectors.node_for(request.user, q.node)
    period = _period(q)
    run = selectors.latest_run(node, period)
    if run is not None:
        return _run_out(request.user, run)
    preview_run, issues = hot_issues_preview(actor=request.user, node=node, period=period)
    return _run_out(request.user, preview_run, issues)


@router.post("/hot-issues/compute", response={200: RunOut, **ERRORS}, summary="计算并保存热点问题")
def hot_issues_recompute(request: HttpRequest, q: Query[HotQuery]) -> dict[str, Any]:
    node = selectors.node_for(request.user, q.node)
    run = hot_issues_compute(actor=request.user, node=node, period=_period(q))
    return _run_out(request.user, run)


class RequestBrief(Schema):
    id: int
    number: str
    title: str
    received_at: datetime
    status: str
    node_id: int
    lon: float | None
    lat: float | None


class HotIssueDetailOut(HotIssueOut):
    requests: list[RequestBrief]

    @staticmethod
    def resolve_requests(obj: HotIssue) -> list[Any]:
        return list(selectors.issue_requests(obj))


@router.get("/hot-issues/{int:pk}", response={200: HotIssueDetailOut, **ERRORS}, summary="热点问题及其诉求")
def hot_issue(request: HttpRequest, pk: Integer) -> Any:
    return selectors.hot_issue_get(request.user, pk)


# Monthly topics ------------------------------------------------------------------------------


class GovernanceTaskOut(Schema):
    id: int
    topic_id: int | None
    node_id: int
    title: str
    unit_id: int | None
    deadline: date
    progress: int
    status: str
    note: str


class TopicOut(Schema):
    id: int
    month: date
    title: str
    description: str
    node_id: int
    hot_issue_id: int | None
    leading_official_id: int
    lead_unit_id: int
    assisting_unit_ids: list[int]
    plan: str
    status: str
    category_prefix: str
    keywords: list[str]
    version: int

    @staticmethod
    def resolve_assisting_unit_ids(obj: Any) -> list[int]:
        return [u.pk for u in obj.assisting_units.all()]


class MonthCountOut(Schema):
    month: date
    count: int
    after: bool


class TopicDetailOut(TopicOut):
    tasks: list[GovernanceTaskOut]
    trend: list[MonthCountOut]

    @staticmethod
    def resolve_tasks(obj: Topic) -> list[Any]:
        return list(obj.tasks.order_by("deadline", "id"))

    @staticmethod
    def resolve_trend(obj: Topic) -> list[Any]:
        return selectors.topic_trend(obj)


class TopicIn(Schema):
    title: str = Field(
        title=gettext_noop("题目"), description="题目，最长200字；由热点转入时可留空（取热点的题目）"
    )
    month: str = Field(
        "",
        title=gettext_noop("所属月份"),
        description=f"所属月份（YYYY-MM），前{TOPIC_YEARS_BACK}年至后{TOPIC_YEARS_AHEAD}年；可选，留空为本月",
    )
    node: Integer | None = Field(
        None,
        title=gettext_noop("区域"),
        description="问题所在区域（区域节点 ID）；可选，留空为本人辖区或热点所在区域",
    )
    hot_issue: Integer | None = Field(
        None,
        title=gettext_noop("来源热点"),
        description="来源热点问题的 ID；可选，填写则题目、描述、分类和关键词默认取自热点",
    )
    leading_official: Integer = Field(
        title=gettext_noop("牵头领导"), description="牵头领导（用户 ID，须是该区域的领导）；必填"
    )
    lead_unit: Integer = Field(
        title=gettext_noop("牵头单位"), description="牵头单位（承办单位 ID，启用的）；必填"
    )
    assisting_units: list[Integer] = Field(
        [], title=gettext_noop("协办单位"), description="协办单位 ID 列表（启用的，不含牵头单位）；可选"
    )
    description: str = Field(
        "", title=gettext_noop("问题描述"), description="问题描述；可选，留空时由热点转入的取热点描述"
    )
    plan: str = Field("", title=gettext_noop("工作方案"), description=f"工作方案，最长{PLAN_MAX}字；可选")
    category_prefix: str = Field(
        "",
        title=gettext_noop("分类编码前缀"),
        description="诉求分类编码前缀（2、4或6位数字，如 01、0103），用于统计前后同类诉求；可选",
    )
    keywords: list[str] = Field(
        [],
        title=gettext_noop("关键词"),
        description="问题关键词列表，用于统计前后同类诉求；可选，留空时由热点转入的取热点关键词",
    )


class ListQuery(Schema):
    """Filters and paging of a governance list (``listing``): a bad value is 422 naming it."""

    status: str = Field("", title=gettext_noop("状态"), description="状态；可选")
    node: str = Field("", title=gettext_noop("区域"), description="区域节点 ID，含其下级；可选")
    month: str = Field(
        "", title=gettext_noop("月份"), description="月份（YYYY-MM）；可选，填写时不看 start、end"
    )
    start: str = Field("", title=gettext_noop("开始日期"), description="开始日期（YYYY-MM-DD）；可选")
    end: str = Field("", title=gettext_noop("结束日期"), description="结束日期（YYYY-MM-DD）；可选")
    limit: Integer = Field(
        50, title=gettext_noop("每页条数"), ge=1, le=listing.API_LIMIT_MAX, description="每页条数，1到200"
    )
    offset: Integer = Field(0, title=gettext_noop("偏移"), ge=0, description="跳过的条数")


def _page(actor: Any, q: ListQuery, qs: Any, statuses: Any, day: str) -> dict[str, Any]:
    found, errors = listing.read_filters(actor, q.dict(), statuses=statuses)
    listing.refuse(errors)
    qs = listing.apply(qs, found, day=day)
    return {"count": qs.count(), "results": list(qs[q.offset : q.offset + q.limit])}


class TopicPage(Schema):
    count: int
    results: list[TopicOut]


@router.get(
    "/topics",
    response={200: TopicPage, **ERRORS},
    summary="每月一题",
    description=choices_text(TopicStatus, "按状态、区域、所属月份（month 或 start/end）筛选，分页；status")
    + "。count 为筛选后的总数。",
)
def topics(request: HttpRequest, q: Query[ListQuery]) -> Any:
    qs = selectors.topics_visible(request.user).prefetch_related("assisting_units")
    return _page(request.user, q, qs, TopicStatus, "month")


def _unit(pk: int | None, field: str) -> HandlingUnit | None:
    if pk is None:
        return None
    unit = HandlingUnit.objects.filter(pk=pk).first()
    if unit is None:
        raise ValidationError(_("单位不存在"), field=field)
    return unit


@router.post("/topics", response={201: TopicOut, **ERRORS}, summary="立项每月一题（可由热点转入）")
def topic_create(request: HttpRequest, payload: TopicIn) -> Any:
    actor = request.user
    hot = selectors.hot_issue_get(actor, payload.hot_issue) if payload.hot_issue else None
    node = hot.node if hot is not None else selectors.node_for(actor, payload.node)
    base = services.topic_from_hot_issue(hot) if hot is not None else {}
    data = services.TopicData(
        title=payload.title or base.get("title", ""),
        month=parse_month(payload.month, field="month") if payload.month else current_month(),
        leading_official=User.objects.filter(pk=payload.leading_official).first(),
        lead_unit=_unit(payload.lead_unit, "lead_unit"),
        node=node,
        description=payload.description or base.get("description", ""),
        plan=payload.plan,
        assisting_units=list(HandlingUnit.objects.filter(pk__in=payload.assisting_units)),
        category_prefix=payload.category_prefix or base.get("category_prefix", ""),
        keywords=payload.keywords or base.get("keywords", []),
        hot_issue=hot,
    )
    return Status(201, services.topic_create(actor=actor, data=data))


@router.get(
    "/topics/{int:pk}", response={200: TopicDetailOut, **ERRORS}, summary="题目详情、任务与前后同类诉求"
)
def topic(request: HttpRequest, pk: Integer) -> Any:
    return selectors.topic_get(request.user, pk)


class TopicPatch(Schema):
    plan: str | None = Field(
        None, title=gettext_noop("工作方案"), description=f"工作方案，最长{PLAN_MAX}字；不填（null）则不改"
    )
    status: str | None = Field(
        None,
        title=gettext_noop("状态"),
        description=choices_text(TopicStatus, "题目状态；不填（null）则不改"),
    )
    version: Integer | None = Field(
        None, title=gettext_noop("期望版本号"), description="可选。读取时的 version；不符则 409，不做修改"
    )


@router.patch("/topics/{int:pk}", response={200: TopicOut, **ERRORS}, summary="修改方案或状态")
def topic_patch(request: HttpRequest, pk: Integer, payload: TopicPatch) -> Any:
    found = selectors.topic_get(request.user, pk)
    return services.topic_update(
        actor=request.user,
        topic=found,
        plan=payload.plan,
        status=payload.status,
        expected_version=payload.version,
    )


class GovernanceTaskIn(Schema):
    title: str = Field(title=gettext_noop("任务内容"), description="任务内容，最长200字；必填")
    deadline: date = Field(
        title=gettext_noop("完成时限"),
        description=f"完成时限（YYYY-MM-DD），不早于今天、不晚于{TASK_YEARS_AHEAD}年后；必填",
    )
    unit: Integer | None = Field(
        None,
        title=gettext_noop("责任单位"),
        description="责任单位（承办单位 ID，启用的）；可选，留空为不指定",
    )
    description: str = Field("", title=gettext_noop("说明"), description="任务说明；可选")


@router.post("/topics/{int:pk}/tasks", response={201: GovernanceTaskOut, **ERRORS}, summary="添加任务")
def task_add(request: HttpRequest, pk: Integer, payload: GovernanceTaskIn) -> Any:
    found = selectors.topic_get(request.user, pk)
    task = services.task_add(
        actor=request.user,
        topic=found,
        title=payload.title,
        deadline=payload.deadline,
        unit=_unit(payload.unit, "unit"),
        description=payload.description,
    )
    return Status(201, task)


class ProgressIn(Schema):
    progress: Integer = Field(
        title=gettext_noop("进度"), description="进度（%），0 到 100 的整数；100 为完成；必填"
    )
    note: str = Field(
        "", title=gettext_noop("进展情况"), description=f"进展说明，最长{PROGRESS_NOTE_MAX}字；可选"
    )


@router.post("/tasks/{int:pk}/progress", response={200: GovernanceTaskOut, **ERRORS}, summary="更新任务进度")
def task_progress(request: HttpRequest, pk: Integer, payload: ProgressIn) -> Any:
    task = selectors.task_get(request.user, pk)
    return services.task_progress(actor=request.user, task=task, progress=payload.progress, note=payload.note)


# Solve before asked ------------------------------------------------------------------------


class GovernanceProposalOut(Schema):
    id: int
    node_id: int
    category_id: int
    category_prefix: str
    season: str
    season_start: date
    evidence: dict[str, int]
    expected: float
    title: str
    status: str
    task_id: int | None


class AcceptIn(Schema):
    unit: Integer = Field(title=gettext_noop("责任单位"), description="责任单位（承办单位 ID，启用的）；必填")
    deadline: date | None = Field(
        None,
        title=gettext_noop("完成时限"),
        description=f"完成时限（YYYY-MM-DD），不早于今天、不晚于{TASK_YEARS_AHEAD}年后；可选，留空为季节开始前7天",
    )
    title: str = Field(
        "", title=gettext_noop("任务内容"), description="任务内容，最长200字；可选，留空为建议的标题"
    )


class ProposalPage(Schema):
    count: int
    results: list[GovernanceProposalOut]


@router.get(
    "/proposals",
    response={200: ProposalPage, **ERRORS},
    summary="未诉先办建议",
    description=choices_text(
        ProposalStatus, "按状态、区域、季节开始日期（month 或 start/end）筛选，分页；status"
    )
    + "。count 为筛选后的总数。",
)
def proposals(request: HttpRequest, q: Query[ListQuery]) -> Any:
    return _page(request.user, q, selectors.proposals_visible(request.user), ProposalStatus, "season_start")


@router.post(
    "/proposals/{int:pk}/accept", response={201: GovernanceTaskOut, **ERRORS}, summary="采纳建议，转为任务"
)
def proposal_accept(request: HttpRequest, pk: Integer, payload: AcceptIn) -> Any:
    proposal = selectors.proposal_get(request.user, pk)
    task = services.proposal_accept(
        actor=request.user,
        proposal=proposal,
        unit=_unit(payload.unit, "unit"),
        deadline=payload.deadline,
        title=payload.title,
    )
    return Status(201, task)


@router.post(
    "/proposals/{int:pk}/dismiss", response={200: GovernanceProposalOut, **ERRORS}, summary="不采纳建议"
)
def proposal_dismiss(request: HttpRequest, pk: Integer) -> Any:
    return services.proposal_dismiss(actor=request.user, proposal=selectors.proposal_get(request.user, pk))


class PriorityRowOut(Schema):
    node_id: int
    name: str
    residents: int
    received: int
    per_10k: float | None
    composite: float | None
    satisfaction: float | None
    rank_class: str
    flagged: bool
    reasons: list[str]


class PriorityQuery(Schema):
    month: str = ""


@router.get(
    "/priority", response={200: list[PriorityRowOut], **ERRORS}, summary="治理类街道（每万人诉求量与三率）"
)
def priority(request: HttpRequest, q: Query[PriorityQuery]) -> Any:
    report = priority_subdistricts(request.user, priority_month(q.month))
    return [
        {
            "node_id": r.node.pk,
            "name": r.node.name,
            "residents": r.residents,
            "received": r.counts.received,
            "per_10k": None if r.per_10k is None else round(float(r.per_10k), 2),
            "composite": r.rates.chart()["composite"],
            "satisfaction": r.rates.chart()["satisfaction"],
            "rank_class": r.rank_class,
            "flagged": r.flagged,
            "reasons": r.reasons,
        }
        for r in report.rows
    ]


# Spikes ------------------------------------------------------------------------------------


class AlertOut(Schema):
    id: int
    node_id: int
    category_prefix: str
    category_label: str
    window_minutes: int
    observed: int
    expected: float
    p_value: float
    peak: int
    status: str
    first_request_at: datetime
    raised_at: datetime
    last_seen_at: datetime
    ended_at: datetime | None
    note: str


class AckIn(Schema):
    note: str = Field(
        "", title=gettext_noop("处置说明"), description=f"处置说明，最长{PROGRESS_NOTE_MAX}字；可选"
    )


class AlertPage(Schema):
    count: int
    results: list[AlertOut]


@router.get(
    "/alerts",
    response={200: AlertPage, **ERRORS},
    summary="突发预警",
    description=choices_text(
        AlertStatus, "按状态、区域、预警日期（month 或 start/end）筛选，最新的在前，分页；status"
    )
    + "。count 为筛选后的总数。",
)
def alerts(request: HttpRequest, q: Query[ListQuery]) -> Any:
    return _page(request.user, q, selectors.alerts_visible(request.user), AlertStatus, "raised_at__date")


@router.post("/alerts/{int:pk}/acknowledge", response={200: AlertOut, **ERRORS}, summary="知悉预警")
def alert_acknowledge(request: HttpRequest, pk: Integer, payload: AckIn) -> Any:
    alert = selectors.alert_get(request.user, pk)
    return services.alert_acknowledge(actor=request.user, alert=alert, note=payload.note)
