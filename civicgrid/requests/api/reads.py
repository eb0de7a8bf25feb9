"""Reads: lists, detail, queues, catalogue and units — each cut to the caller's scope."""

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import FileResponse, HttpRequest
from ninja import Query

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import require_any
from civicgrid.core.api_types import Integer
from civicgrid.core.errors import NotFound
from civicgrid.requests import ledger, selectors
from civicgrid.requests.api.common import NOT_FOUND, category_by_id, router, with_relations
from civicgrid.requests.api.schemas import (
    ERRORS,
    CategoryOut,
    OverviewOut,
    PageIn,
    RequestDetailOut,
    RequestFilters,
    RequestPage,
    SavedAnswerOut,
    TriagePage,
    UnitOut,
)
from civicgrid.requests.knowledge import knowledge_search
from civicgrid.requests.models import Request, RequestEvent, Whistle, WorkOrder
from civicgrid.requests.overview import overview
from civicgrid.requests.rates.access import node_target, rate_paths
from civicgrid.requests.web_helpers import attachment_response


def page(qs: QuerySet[Request], limit: int, offset: int) -> dict[str, Any]:
    return {"count": qs.count(), "results": list(with_relations(qs)[offset : offset + limit])}


def filter_requests(actor: Any, f: RequestFilters) -> QuerySet[Request]:
    """The list's filters as the ledger's (``requests.ledger``), which checks and applies them."""
    return ledger.filter_requests(
        actor,
        ledger.LedgerFilters(
            status=ledger.split(f.status),
            light=ledger.split(f.light),
            type=ledger.split(f.type),
            channel=ledger.split(f.channel),
            category=f.category,
            unit=f.unit,
            node=f.node,
            received_from=f.received_from,
            received_to=f.received_to,
            q=f.q,
            number=f.number,
            phone=f.phone,
            overdue=f.overdue,
            supervised=f.supervised,
            reopened=f.reopened,
        ),
    )


@router.get(
    "/",
    response={200: RequestPage, **ERRORS},
    summary="诉求列表",
    description="按状态、预警灯、分类、承办单位、区域、受理日期、关键词、编号、电话筛选；"
    "只返回调用者有权查看的诉求（辖区内，或本单位参与办理的）。",
)
def request_list(request: HttpRequest, filters: Query[RequestFilters]) -> Any:
    return page(filter_requests(request.user, filters), filters.limit, filters.offset)


def _detail_queryset(actor: Any) -> QuerySet[Request]:
    return (
        selectors.requests_readable(actor)
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
    "/overview",
    response={200: OverviewOut, **ERRORS},
    summary="接诉即办总览",
    description="今日与本月受理、在办、超期、红黄灯、督办、本月吹哨，近 30 天每日受理，本月热点分类，"
    "辖区下一级各区域的在办与超期，超期最多的承办单位；均只计调用者有权查看的诉求。"
    "需要三率查看权限，否则 403。给出 node 时只计该区域（须在调用者范围内，否则 404）。",
)
def request_overview(request: HttpRequest, node: Integer | None = None) -> Any:
    rate_paths(request.user)
    found = overview(request.user, area=node_target(request.user, node) if node is not None else None)
    return {
        "today": found.today,
        "received_today": found.received_today,
        "received_month": found.received_month,
        "open": found.open,
        "overdue": found.overdue,
        "red": found.red,
        "yellow": found.yellow,
        "supervised": found.supervised,
        "whistles_month": found.whistles_month,
        "daily": [{"day": day, "received": n} for day, n in found.daily],
        "categories": [{"code": c, "name": name, "received": n} for c, name, n in found.categories],
        "areas": [
            {"id": a.node.pk, "name": a.node.name, "open": a.open, "overdue": a.overdue} for a in found.areas
        ],
        "areas_rest": (
            {"name": found.rest.name, "open": found.rest.open, "overdue": found.rest.overdue}
            if found.rest is not None
            else None
        ),
        "units": [
            {"id": u.unit_id, "name": u.name, "open": u.open, "overdue": u.overdue} for u in found.units
        ],
    }


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
    "/{int:request_id}/attachments/{int:attachment_id}",
    response={200: None, **ERRORS},
    url_name="request_attachment",
    summary="下载附件",
    description="附件文件本身（图片与 PDF 以 inline 方式返回，其余为下载）。与诉求页面的附件链接相同的"
    "权限：能查看该诉求（辖区内、本单位参与办理，或由您受理）；否则或附件不属于该诉求时返回 404。",
    openapi_extra={
        "responses": {200: {"description": "文件内容", "content": {"application/octet-stream": {}}}}
    },
)
def attachment_download(request: HttpRequest, request_id: int, attachment_id: int) -> FileResponse:
    """The page's download (``views.handler.attachment``): the same read check, the same answer."""
    return attachment_response(request.user, request_id, attachment_id)


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
    response={200: RequestPage, **ERRORS},
    summary="承办单位待办",
    description="调用者所在承办单位主办或参与的未办结诉求，按办理期限排序（最急的在前）。",
)
def inbox(request: HttpRequest, paging: Query[PageIn]) -> Any:
    qs = selectors.inbox(request.user)
    return {"count": qs.count(), "results": list(qs[paging.offset : paging.offset + paging.limit])}


@router.get(
    "/triage",
    response={200: TriagePage, **ERRORS},
    summary="待派单（分拣队列）",
    description="没有派单规则匹配、或退单获批后回到热线的诉求；只含调用者派单范围内的。"
    "以“非本单位职责”退回的，not_ours 给出申报单位、申报人和理由。"
    "需要派单权限，否则 403，与分拣派单页面相同。",
)
def triage(request: HttpRequest, paging: Query[PageIn]) -> Any:
    require_any(request.user, Capability.REQUEST_DISPATCH)  # as the triage page
    qs = selectors.triage_queue(request.user)
    return {"count": qs.count(), "results": list(qs[paging.offset : paging.offset + paging.limit])}


@router.get(
    "/callback-queue",
    response={200: RequestPage, **ERRORS},
    summary="待回访",
    description="已答复（或已核查）、所属分类需要回访的诉求，按答复时间排序；不含匿名或未留电话"
    "（无人可回访）的诉求。需要派单（回访）权限，否则 403，与回访页面相同。",
)
def callback_queue(request: HttpRequest, paging: Query[PageIn]) -> Any:
    require_any(request.user, Capability.REQUEST_DISPATCH)  # as the callbacks page
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
def knowledge(request: HttpRequest, q: str = "", category_id: Integer | None = None) -> Any:
    require_any(request.user, Capability.REQUEST_INTAKE)
    category = category_by_id(category_id) if category_id is not None else None
    found = knowledge_search(q[:100], category, limit=20)
    fields = ("id", "title", "content", "office", "issued_on", "use_count")
    return [{**{k: getattr(f.answer, k) for k in fields}, "score": f.score} for f in found]


@router.get(
    "/units",
    response={200: list[UnitOut], **ERRORS},
    summary="承办单位",
    description="调用者辖区内及上级区域的承办单位（派单、改派、吹哨时选用）；kind 与 q 可筛选。",
)
def units(request: HttpRequest, kind: str = "", q: str = "") -> Any:
    qs = ledger.visible_units(request.user)
    if kind:
        qs = qs.filter(kind=kind)
    if q.strip():
        qs = qs.filter(name__contains=q.strip())
    return list(qs.order_by("kind", "code")[:500])
