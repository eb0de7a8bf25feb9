"""Reads: lists, detail, queues, catalogue and units — each cut to the caller's scope."""

from datetime import datetime, time, timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import EVERYWHERE, require_any, scope_paths
from civicgrid.core import crypto
from civicgrid.core.errors import NotFound, ValidationError
from civicgrid.requests import selectors
from civicgrid.requests.api.common import NOT_FOUND, category_by_id, router, with_relations
from civicgrid.requests.api.schemas import (
    ERRORS,
    LIGHTS,
    CategoryOut,
    Page,
    PageIn,
    RequestDetailOut,
    RequestFilters,
    SavedAnswerOut,
    UnitOut,
)
from civicgrid.requests.constants import Status
from civicgrid.requests.knowledge import knowledge_search
from civicgrid.requests.models import HandlingUnit, Request, RequestEvent, Whistle, WorkOrder
from civicgrid.requests.permissions import requester_seen_q, unit_ids
from civicgrid.territory.selectors import node_get


def page(qs: QuerySet[Request], limit: int, offset: int) -> dict[str, Any]:
    return {"count": qs.count(), "results": list(with_relations(qs)[offset : offset + limit])}


def _choices(raw: str, allowed: frozenset[str] | list[str], field: str, label: str) -> list[str]:
    values = [v.strip() for v in raw.split(",") if v.strip()]
    bad = [v for v in values if v not in allowed]
    if bad:
        raise ValidationError(f"{label}取值无效：{'、'.join(bad)}", field=field)
    return values


def _day_start(day: Any) -> datetime:
    return datetime.combine(day, time.min, timezone.get_current_timezone())


def filter_requests(actor: Any, f: RequestFilters) -> QuerySet[Request]:
    qs = selectors.requests_visible(actor)
    if statuses := _choices(f.status, Status.values, "status", "状态"):
        qs = qs.filter(status__in=statuses)
    if lights := _choices(f.light, LIGHTS, "light", "预警灯"):
        qs = qs.filter(light__in=lights)
    if f.category.strip():
        qs = qs.filter(category__code__startswith=f.category.strip())
    if f.unit is not None:
        orders = WorkOrder.objects.filter(request=OuterRef("pk"), unit_id=f.unit)
        qs = qs.filter(Q(lead_unit_id=f.unit) | Q(Exists(orders)))
    if f.node is not None:
        qs = qs.filter(node_path__startswith=node_get(actor, f.node).path)
    if f.received_from and f.received_to and f.received_from > f.received_to:
        raise ValidationError("受理起始日期不能晚于截止日期", field="received_from")
    if f.received_from:
        qs = qs.filter(received_at__gte=_day_start(f.received_from))
    if f.received_to:
        qs = qs.filter(received_at__lt=_day_start(f.received_to + timedelta(days=1)))
    if q := f.q.strip():
        qs = qs.filter(Q(title__contains=q) | Q(content__contains=q) | Q(number__contains=q))
    if f.number.strip():
        qs = qs.filter(number=f.number.strip())
    if f.phone.strip():
        qs = qs.filter(requester_phone_hash=crypto.blind_index(f.phone))
        if (seen := requester_seen_q(actor)) is not None:  # a phone must not find a confidential requester
            qs = qs.filter(seen)
    return qs.order_by("-received_at", "-id")


@router.get(
    "/",
    response={200: Page, **ERRORS},
    summary="诉求列表",
    description="按状态、预警灯、分类、承办单位、区域、受理日期、关键词、编号、电话筛选；"
    "只返回调用者有权查看的诉求（辖区内，或本单位参与办理的）。",
)
def request_list(request: HttpRequest, filters: Query[RequestFilters]) -> Any:
    return page(filter_requests(request.user, filters), filters.limit, filters.offset)


def _detail_queryset(actor: Any) -> QuerySet[Request]:
    return (
        selectors.requests_visible(actor)
        .select_related("category", "lead_unit", "merged_into")
        .prefetch_related(
            Prefetch("work_orders", WorkOrder.objects.select_related("unit").order_by("role", "id")),
            Prefetch("events", RequestEvent.objects.select_related("unit").order_by("created_at", "id")),
            Prefetch(
                "whistles",
                Whistle.objects.select_related("summoning_unit").prefetch_related("summonses__unit"),
            ),
            "ratings__unit",
            "approvals__unit",
            "councils",
            "attachments",
        )
    )


@router.get(
    "/{int:request_id}",
    response={200: RequestDetailOut, **ERRORS},
    summary="诉求详情",
    description="含工单、办理时间轴、吹哨报到、评价、审批、三方议事、附件；诉求人信息为脱敏值。"
    "无权查看时返回 404。",
)
def request_detail(request: HttpRequest, request_id: int) -> Any:
    found = _detail_queryset(request.user).filter(pk=request_id).first()
    if found is None:
        raise NotFound(NOT_FOUND)
    return found


@router.get(
    "/by-number/{number}",
    response={200: RequestDetailOut, **ERRORS},
    summary="按编号查询诉求",
    description="编号如 20261122-000123；无权查看时返回 404。",
)
def request_by_number(request: HttpRequest, number: str) -> Any:
    found = _detail_queryset(request.user).filter(number=number.strip()).first()
    if found is None:
        raise NotFound(NOT_FOUND)
    return found


@router.get(
    "/inbox",
    response={200: Page, **ERRORS},
    summary="承办单位待办",
    description="调用者所在承办单位主办或参与的未办结诉求，按办理期限排序（最急的在前）。",
)
def inbox(request: HttpRequest, paging: Query[PageIn]) -> Any:
    qs = selectors.inbox(request.user)
    return {"count": qs.count(), "results": list(qs[paging.offset : paging.offset + paging.limit])}


@router.get(
    "/triage",
    response={200: Page, **ERRORS},
    summary="待派单（分拣队列）",
    description="没有派单规则匹配、或退单获批后回到热线的诉求；只含调用者派单范围内的。",
)
def triage(request: HttpRequest, paging: Query[PageIn]) -> Any:
    qs = selectors.triage_queue(request.user)
    return {"count": qs.count(), "results": list(qs[paging.offset : paging.offset + paging.limit])}


@router.get(
    "/callback-queue",
    response={200: Page, **ERRORS},
    summary="待回访",
    description="已答复（或已核查）、所属分类需要回访的诉求，按答复时间排序。",
)
def callback_queue(request: HttpRequest, paging: Query[PageIn]) -> Any:
    qs = selectors.callback_queue(request.user)
    return {"count": qs.count(), "results": list(qs[paging.offset : paging.offset + paging.limit])}


@router.get(
    "/categories",
    response={200: list[CategoryOut], **ERRORS},
    summary="派单目录三级分类",
    description="当前版本派单目录的三级分类；q 可为名称、编码前缀、拼音首字母或关键词。最多 50 条。",
)
def categories(request: HttpRequest, q: str = "") -> Any:
    qs = selectors.leaf_categories().select_related("responsible_unit")
    if q := q.strip()[:50]:
        qs = qs.filter(
            Q(full_name__contains=q)
            | Q(code__startswith=q)
            | Q(initials__istartswith=q)
            | Q(keywords__contains=q)
        )
    return list(qs[:50])


@router.get(
    "/knowledge",
    response={200: list[SavedAnswerOut], **ERRORS},
    summary="知识库搜索",
    description="按关键词（自动分词）搜索知识库答复，本分类的与常用的在前；category_id 可选。"
    "直接办结时把所选答复的 id 作为 saved_answer_id 传回，计入使用次数。",
)
def knowledge(request: HttpRequest, q: str = "", category_id: int | None = None) -> Any:
    require_any(request.user, Capability.REQUEST_INTAKE)
    category = category_by_id(category_id) if category_id is not None else None
    found = knowledge_search(q[:100], category, limit=20)
    fields = ("id", "title", "content", "office", "issued_on", "use_count")
    return [{**{k: getattr(f.answer, k) for k in fields}, "score": f.score} for f in found]


def visible_units(actor: Any) -> QuerySet[HandlingUnit]:
    """Units under the caller's areas, units serving an area above them, and their own units."""
    paths: set[str] = set()
    for capability in (Capability.TERRITORY_VIEW, Capability.REQUEST_VIEW, Capability.REQUEST_DISPATCH):
        paths.update(scope_paths(actor, capability))
    qs = HandlingUnit.objects.filter(is_active=True)
    if EVERYWHERE in paths:
        return qs
    ancestors = {int(p) for path in paths for p in path.strip("/").split("/") if p}
    conditions = [Q(node_path__startswith=p) for p in paths]
    conditions += [Q(node_id__in=ancestors), Q(pk__in=unit_ids(actor))]
    return qs.filter(reduce(or_, conditions))


@router.get(
    "/units",
    response={200: list[UnitOut], **ERRORS},
    summary="承办单位",
    description="调用者辖区内及上级区域的承办单位（派单、改派、吹哨时选用）；kind 与 q 可筛选。",
)
def units(request: HttpRequest, kind: str = "", q: str = "") -> Any:
    qs = visible_units(request.user)
    if kind:
        qs = qs.filter(kind=kind)
    if q.strip():
        qs = qs.filter(name__contains=q.strip())
    return list(qs.order_by("kind", "code")[:500])
