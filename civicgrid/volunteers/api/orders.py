"""Service orders: order, publish, dispatch, take, release, complete (photos), confirm, board."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile as DjangoUploadedFile
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import File, Form, Status, UploadedFile

from civicgrid.core.api_types import Integer
from civicgrid.core.errors import NotFound
from civicgrid.registry.models import Organisation, Resident
from civicgrid.registry.selectors import residents_visible
from civicgrid.volunteers import selectors, services
from civicgrid.volunteers.access import order_for, own_volunteer, taker_from
from civicgrid.volunteers.api.common import node_or_none, page, request_fields, router
from civicgrid.volunteers.api.schemas import (
    ERRORS,
    BoardIn,
    BoardItemOut,
    ConfirmIn,
    OrderPage,
    OrderReasonIn,
    TakeIn,
    TakerIn,
    VolunteerOrderIn,
    VolunteerOrderOut,
    VolunteerVersionIn,
)
from civicgrid.volunteers.constants import TakerKind
from civicgrid.volunteers.models import ServiceOrder
from civicgrid.volunteers.permissions import acting_resident
from civicgrid.volunteers.views.board import board_items

OK = {200: VolunteerOrderOut, **ERRORS}

# The services' names of an order's records, as the body of POST /orders names them.
ORDER_FIELDS = {
    "orderer_resident": "orderer_resident_id",
    "orderer_organisation": "orderer_organisation_id",
    "beneficiary": "beneficiary_id",
    "node": "node_id",
}
# The taker of a dispatch is the id its kind reads (``access.taker_from``).
TAKER_FIELDS: dict[str, str] = {
    TakerKind.VOLUNTEER: "volunteer_id",
    TakerKind.PARTY_MEMBER: "resident_id",
    TakerKind.UNIT: "organisation_id",
}


def _fresh(order_id: int) -> ServiceOrder:
    return ServiceOrder.objects.prefetch_related("photos").get(pk=order_id)


def _act(request: HttpRequest, order_id: int, call: Callable[[ServiceOrder], object]) -> ServiceOrder:
    call(order_for(request.user, order_id))
    return _fresh(order_id)


@router.get("/orders", response={200: OrderPage, **ERRORS}, summary="服务单列表（社区工作者）")
def order_list(
    request: HttpRequest,
    status: str = "",
    q: str = "",
    taker_kind: str = "",
    limit: Integer = 50,
    offset: Integer = 0,
) -> Any:
    qs = selectors.order_list(request.user, status=status, q=q, taker_kind=taker_kind).prefetch_related(
        "photos"
    )
    return page(qs, limit, offset)


@router.get("/me/orders", response={200: list[VolunteerOrderOut], **ERRORS}, summary="我点的服务单（居民）")
def my_orders(request: HttpRequest) -> Any:
    resident = acting_resident(request.user)
    if resident is None:
        raise NotFound(_("仅居民账号可用"))
    return list(selectors.orders_of_resident(resident).prefetch_related("photos")[:100])


@router.get("/me/taken", response={200: list[VolunteerOrderOut], **ERRORS}, summary="我接的服务单")
def my_taken(request: HttpRequest) -> Any:
    resident = acting_resident(request.user)
    if resident is None:
        raise NotFound(_("仅居民账号可用"))
    return list(selectors.orders_taken_by(resident).prefetch_related("photos")[:100])


@router.get("/me/hall", response={200: list[VolunteerOrderOut], **ERRORS}, summary="接单大厅（本社区待接单）")
def order_hall(request: HttpRequest) -> Any:
    return list(selectors.orders_open_to(own_volunteer(request.user)).prefetch_related("photos"))


@router.get("/orders/{int:order_id}", response=OK, summary="服务单详情")
def order_detail(request: HttpRequest, order_id: Integer) -> Any:
    return _fresh(order_for(request.user, order_id).pk)


def _resident(actor: Any, pk: int | None, field: str) -> Resident | None:
    if pk is None:
        return None
    mine = acting_resident(actor)
    if mine is not None and mine.pk == pk:
        return mine
    found = residents_visible(actor).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("{field}不存在或您无权查看").format(field=field))
    return found


@router.post(
    "/orders",
    response={201: VolunteerOrderOut, **ERRORS},
    summary="点单",
    description="居民本人点单（orderer_kind=resident，不填 orderer_resident_id），或社区工作者代居民、"
    "议事会、单位点单；origin 记录来源（如 party.council:12）。publish=true 时直接发布接单。",
)
def order_create(request: HttpRequest, payload: VolunteerOrderIn) -> Any:
    actor = request.user
    orderer = _resident(actor, payload.orderer_resident_id, _("点单居民"))
    if orderer is None and payload.orderer_kind == "resident":
        orderer = acting_resident(actor)
    organisation = None
    if payload.orderer_organisation_id is not None:
        organisation = Organisation.objects.filter(pk=payload.orderer_organisation_id).first()
        if organisation is None:
            raise NotFound(_("单位不存在"))
    with request_fields(ORDER_FIELDS):
        order = _order_create(actor, payload, orderer, organisation)
    return Status(201, _fresh(order.pk))


def _order_create(
    actor: Any, payload: VolunteerOrderIn, orderer: Resident | None, organisation: Organisation | None
) -> ServiceOrder:
    return services.service_order_create(
        actor=actor,
        data=services.NewOrder(
            title=payload.title,
            content=payload.content,
            service_type=payload.service_type,
            orderer_kind=payload.orderer_kind,
            node=node_or_none(actor, payload.node_id),
            difficulty=payload.difficulty,
            orderer_resident=orderer,
            orderer_organisation=organisation,
            orderer_label=payload.orderer_label,
            origin=payload.origin,
            beneficiary=_resident(actor, payload.beneficiary_id, _("服务对象")),
            address=payload.address,
            wanted_from=payload.wanted_from,
            wanted_until=payload.wanted_until,
            skills=tuple(payload.skills),
        ),
        publish=payload.publish,
    )


@router.post("/orders/{int:order_id}/publish", response=OK, summary="发布接单")
def order_publish(request: HttpRequest, order_id: Integer, payload: VolunteerVersionIn) -> Any:
    return _act(
        request,
        order_id,
        lambda o: services.service_order_publish(
            actor=request.user, order=o, expected_version=payload.expected_version
        ),
    )


@router.post(
    "/orders/{int:order_id}/dispatch",
    response=OK,
    summary="派单",
    description="派给志愿者（volunteer_id）、党员（resident_id）或共建单位（organisation_id）。",
)
def order_dispatch(request: HttpRequest, order_id: Integer, payload: TakerIn) -> Any:
    order = order_for(request.user, order_id)
    services.orders.guard(request.user, order, "dispatch")
    taker = taker_from(
        request.user,
        payload.taker_kind,
        volunteer_id=payload.volunteer_id,
        resident_id=payload.resident_id,
        organisation_id=payload.organisation_id,
    )
    with request_fields({"taker": TAKER_FIELDS.get(payload.taker_kind, "taker_kind")}):
        services.service_order_dispatch(
            actor=request.user,
            order=order,
            taker=taker,
            note=payload.note,
            expected_version=payload.expected_version,
        )
    return _fresh(order_id)


@router.post(
    "/orders/{int:order_id}/take",
    response=OK,
    summary="接单（志愿者本人）",
    description="先到先得：同一服务单同时有多人接单时只有一人成功，其余返回 409「该服务单已被他人接单」。",
)
def order_take(request: HttpRequest, order_id: Integer, payload: TakeIn) -> Any:
    return _act(
        request,
        order_id,
        lambda o: services.service_order_take(
            actor=request.user, order=o, expected_version=payload.expected_version
        ),
    )


@router.post("/orders/{int:order_id}/release", response=OK, summary="退回服务单")
def order_release(request: HttpRequest, order_id: Integer, payload: OrderReasonIn) -> Any:
    return _act(
        request,
        order_id,
        lambda o: services.service_order_release(
            actor=request.user, order=o, reason=payload.reason, expected_version=payload.expected_version
        ),
    )


# The multipart form of 完成服务, documented for OpenAPI (module level: ruff B008).
COMPLETE_NOTE = Form("", title=gettext_noop("服务情况"), description="服务情况的说明，必填，最长1000字")
COMPLETE_HOURS = Form(
    "", title=gettext_noop("服务时长（小时）"), description="服务时长，单位小时，0.5到24，如 1.5；必填"
)
COMPLETE_VERSION = Form(
    None,
    title=gettext_noop("期望版本号"),
    description="读取服务单时的 version；可选，版本不符返回 409 且不做任何修改",
)
COMPLETE_PHOTOS = File(
    None, title=gettext_noop("服务照片"), description="服务照片，一到九张 JPG、PNG 或 WEBP 图片（完整文件）"
)


@router.post(
    "/orders/{int:order_id}/complete",
    response=OK,
    summary="完成服务（上传照片）",
    description="multipart/form-data：note 服务情况，hours 服务时长（0.5–24），"
    "photos 一到九张 JPG/PNG/WEBP 照片。",
)
def order_complete(
    request: HttpRequest,
    order_id: Integer,
    note: str = COMPLETE_NOTE,
    hours: str = COMPLETE_HOURS,
    expected_version: Integer | None = COMPLETE_VERSION,
    photos: list[UploadedFile] = COMPLETE_PHOTOS,
) -> Any:
    uploads: list[DjangoUploadedFile] = list(photos or [])
    return _act(
        request,
        order_id,
        lambda o: services.service_order_complete(
            actor=request.user,
            order=o,
            note=note,
            hours=hours or Decimal(0),
            photos=uploads,
            expected_version=expected_version,
        ),
    )


@router.post(
    "/orders/{int:order_id}/confirm",
    response=OK,
    summary="确认并评价",
    description="居民本人确认，或社区工作者回访后代为确认；确认后按积分规则给接单方发放积分。",
)
def order_confirm(request: HttpRequest, order_id: Integer, payload: ConfirmIn) -> Any:
    return _act(
        request,
        order_id,
        lambda o: services.service_order_confirm(
            actor=request.user,
            order=o,
            rating=payload.rating,
            comment=payload.comment,
            expected_version=payload.expected_version,
        ),
    )


@router.post("/orders/{int:order_id}/reopen", response=OK, summary="退回重办")
def order_reopen(request: HttpRequest, order_id: Integer, payload: OrderReasonIn) -> Any:
    return _act(
        request,
        order_id,
        lambda o: services.service_order_reopen(
            actor=request.user, order=o, reason=payload.reason, expected_version=payload.expected_version
        ),
    )


@router.post("/orders/{int:order_id}/cancel", response=OK, summary="取消服务单")
def order_cancel(request: HttpRequest, order_id: Integer, payload: OrderReasonIn) -> Any:
    return _act(
        request,
        order_id,
        lambda o: services.service_order_cancel(
            actor=request.user, order=o, reason=payload.reason, expected_version=payload.expected_version
        ),
    )


@router.post("/orders/{int:order_id}/board", response=OK, summary="晒单公开或隐藏")
def order_board(request: HttpRequest, order_id: Integer, payload: BoardIn) -> Any:
    return _act(
        request,
        order_id,
        lambda o: services.service_order_board_set(
            actor=request.user, order=o, on_board=payload.on_board, expected_version=payload.expected_version
        ),
    )


@router.get(
    "/board/{int:community_id}",
    response={200: list[BoardItemOut], 404: ERRORS[404], 422: ERRORS[422]},
    auth=None,
    summary="晒单（公开）",
    description="社区已完成的服务：接单方姓名脱敏，不含服务对象和地址。",
)
def board(request: HttpRequest, community_id: Integer, limit: Integer = 30) -> Any:
    community = selectors.board_community(community_id)
    return board_items(community, limit=max(1, min(limit, 100)))
