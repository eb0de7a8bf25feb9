"""Endpoints of dual reporting: reports, rates and who has not reported, agreements, the member's own."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Field, Schema, Status

from civicgrid.core.api_types import Integer, choices_text
from civicgrid.core.errors import NotFound, PermissionDenied
from civicgrid.party import figures, selectors, services
from civicgrid.party.api.common import (
    FOUNDED,
    credit_code_field,
    crs_field,
    errors,
    require_view,
    router,
    window,
)
from civicgrid.party.constants import MAX_PLEDGES, PLEDGE_MAX_LENGTH, AgreementKind, ServiceType
from civicgrid.party.permissions import member_for_user
from civicgrid.territory.selectors import node_get
from civicgrid.volunteers.models import ServiceOrder


class ReportOut(Schema):
    id: int
    member_id: int
    member_name: str
    community_id: int
    community_name: str
    grid_id: int | None
    located_by: str
    pledges: list[str]
    service_types: list[str]
    status: str
    submitted_at: datetime
    decided_at: datetime | None
    decision_note: str

    @staticmethod
    def resolve_member_name(obj: Any) -> str:
        return str(obj.member.name)

    @staticmethod
    def resolve_community_id(obj: Any) -> int:
        return int(obj.node_id)

    @staticmethod
    def resolve_community_name(obj: Any) -> str:
        return str(obj.node.name)


class ReportPage(Schema):
    count: int
    results: list[ReportOut]


def _pledges() -> Any:
    return Field(
        [],
        title=gettext_noop("承诺事项"),
        description=f"承诺事项，每条一项，最多 {MAX_PLEDGES} 条，每条最长 {PLEDGE_MAX_LENGTH} 字；"
        f"与 service_types 至少填一项",
    )


def _service_types() -> Any:
    return Field(
        [],
        title=gettext_noop("服务类型"),
        description=choices_text(ServiceType, "认领的服务类型，可多选；与 pledges 至少填一项"),
    )


def _lon() -> Any:
    return Field(
        None,
        title=gettext_noop("经度"),
        description="居住地经度（坐标系见 crs），与 lat 一起填写，按位置确定所在社区；可不填",
    )


def _lat() -> Any:
    return Field(
        None, title=gettext_noop("纬度"), description="居住地纬度（坐标系见 crs），与 lon 一起填写；可不填"
    )


def _address() -> Any:
    return Field("", title=gettext_noop("居住地址"), description="居住地址，最长255字；可不填")


class ReportIn(Schema):
    member_id: Integer = Field(
        title=gettext_noop("党员"),
        description="报到的党员 ID（在册的在职党员或新就业群体，当前没有待确认或已报到的报到），必填",
    )
    pledges: list[str] = _pledges()
    service_types: list[str] = _service_types()
    lon: float | None = _lon()
    lat: float | None = _lat()
    crs: str = crs_field()
    building_id: Integer | None = Field(
        None,
        title=gettext_noop("楼栋"),
        description="居住楼栋或单元节点的 ID；填写时按它确定社区（优先于坐标）；"
        "楼栋和坐标都不填时按居民档案所在地",
    )
    address: str = _address()


class PartyReasonIn(Schema):
    reason: str = Field(
        "",
        title=gettext_noop("原因"),
        description="原因，最长255字；退回报到、终止协议时必填，结束报到时可不填",
    )


@router.get(
    "/reports",
    response={200: ReportPage, **errors(422)},
    summary="党员报到列表",
)
def report_list(request: HttpRequest, status: str = "", limit: Integer = 50, offset: Integer = 0) -> Any:
    require_view(request)
    qs = selectors.reports_visible(request.user).select_related("member", "node")
    if status:
        qs = qs.filter(status=status)
    start, end = window(limit, offset)
    return {"count": qs.count(), "results": list(qs.order_by("-submitted_at", "-id")[start:end])}


@router.post(
    "/reports",
    response={201: ReportOut, **errors(404, 422)},
    summary="党员到居住地社区报到",
    description="按坐标（crs：wgs84 或 gcj02）、楼栋或居民档案确定居住地社区；已在报到中的党员返回 422。",
)
def report_submit(request: HttpRequest, payload: ReportIn) -> Any:
    """A member reports to the community where they live (found by the locator from the
    point, or from the building, or from the registry)."""
    actor = request.user
    member = selectors.member_get(actor, payload.member_id)
    report = services.member_report_submit(
        actor=actor,
        member=member,
        pledge_list=payload.pledges,
        service_type_list=payload.service_types,
        lon=payload.lon,
        lat=payload.lat,
        crs=payload.crs,
        building=node_get(actor, payload.building_id) if payload.building_id else None,
        address=payload.address,
    )
    return Status(201, report)


@router.post(
    "/reports/{int:report_id}/confirm",
    response={200: ReportOut, **errors(404, 409, 422)},
    summary="确认报到",
    description="报到已不是待确认时返回 409。",
)
def report_confirm(request: HttpRequest, report_id: Integer) -> Any:
    report = selectors.report_get(request.user, report_id)
    return services.member_report_confirm(actor=request.user, report=report)


@router.post(
    "/reports/{int:report_id}/reject",
    response={200: ReportOut, **errors(404, 409, 422)},
    summary="退回报到",
    description="报到已不是待确认时返回 409。",
)
def report_reject(request: HttpRequest, report_id: Integer, payload: PartyReasonIn) -> Any:
    report = selectors.report_get(request.user, report_id)
    return services.member_report_reject(actor=request.user, report=report, reason=payload.reason)


@router.post(
    "/reports/{int:report_id}/end",
    response={200: ReportOut, **errors(404, 409, 422)},
    summary="结束或撤回报到",
    description="报到社区的工作人员或党员本人可以结束报到（待确认的报到为撤回）；报到已结束时返回 409。",
)
def report_end(request: HttpRequest, report_id: Integer, payload: PartyReasonIn) -> Any:
    report = selectors.report_get(request.user, report_id, own=True)
    return services.member_report_end(actor=request.user, report=report, reason=payload.reason)


class RateOut(Schema):
    total: int
    reported: int
    pending: int
    percent: float | None


class RateRowOut(Schema):
    id: int
    name: str
    rate: RateOut


class RatesOut(Schema):
    in_service: RateOut
    new_employment: RateOut
    units: RateOut
    by_community: list[RateRowOut]
    by_unit: list[RateRowOut]


def _rate(rate: figures.Rate) -> dict[str, Any]:
    return {"total": rate.total, "reported": rate.reported, "pending": rate.pending, "percent": rate.percent}


def _rows(rows: list[figures.RateRow]) -> list[dict[str, Any]]:
    return [{"id": r.pk, "name": r.label, "rate": _rate(r.rate)} for r in rows]


@router.get(
    "/rates",
    response={200: RatesOut, **errors(404, 422)},
    summary="报到率",
    description="在职党员和单位（按工作地）的报到率，按社区（党员居住地）和按单位列出"
    "（计算方法见 docs/modules/party.md）；under：只看该区域。",
)
def rates(request: HttpRequest, under: Integer | None = None) -> Any:
    """Reporting rates: in-service members and units (where they work), per community
    (where members live) and per unit. Formulas: docs/modules/party.md."""
    require_view(request)
    actor = request.user
    node = node_get(actor, under) if under else None
    return {
        "in_service": _rate(figures.area_rate(actor, under=node)),
        "new_employment": _rate(figures.area_rate(actor, under=node, category="new_employment")),
        "units": _rate(figures.unit_rate(actor, under=node)),
        "by_community": _rows(figures.rates_by_community(actor, under=node)),
        "by_unit": _rows(figures.rates_by_unit(actor, under=node)),
    }


class NotReportedOut(Schema):
    id: int
    name: str
    category: str
    organisation_id: int | None
    home_node_id: int | None
    pending: bool  # a report awaits the community's confirmation (待确认)


@router.get(
    "/rates/not-reported",
    response={200: list[NotReportedOut], **errors(404, 422)},
    summary="未报到的在职党员",
)
def not_reported(
    request: HttpRequest,
    community: Integer | None = None,
    unit: Integer | None = None,
    limit: Integer = 200,
    offset: Integer = 0,
) -> Any:
    require_view(request)
    actor = request.user
    qs = figures.members_not_reported(
        actor,
        community=node_get(actor, community) if community else None,
        organisation=selectors.org_get(actor, unit) if unit else None,
    )
    start, end = window(limit, offset)
    return list(qs[start:end])


class AgreementOut(Schema):
    id: int
    kind: str
    unit_id: int
    unit_name: str
    node_id: int
    alliance_id: int | None
    title: str
    pledges: str
    service_types: list[str]
    contact_name: str
    contact_phone_masked: str
    signed_on: date
    starts_on: date
    ends_on: date | None
    status: str

    @staticmethod
    def resolve_status(obj: Any) -> str:
        return str(obj.shown_status)  # a live agreement past its end date is "expired"

    @staticmethod
    def resolve_unit_name(obj: Any) -> str:
        return str(obj.unit.name)


class AgreementIn(Schema):
    unit_id: Integer | None = Field(
        None,
        title=gettext_noop("单位"),
        description="签约单位（单位档案）的 ID，须在调用者辖区内；与 unit_credit_code 二选一",
    )
    unit_credit_code: str = credit_code_field()
    kind: str = Field(
        AgreementKind.DUAL_REPORTING,
        title=gettext_noop("协议类型"),
        description=choices_text(AgreementKind, "不填为 dual_reporting"),
    )
    community_id: Integer | None = Field(
        None,
        title=gettext_noop("社区"),
        description="签约社区节点的 ID；双报到共建协议（dual_reporting）必填",
    )
    alliance_id: Integer | None = Field(
        None,
        title=gettext_noop("党建联盟"),
        description="签约联盟的 ID，单位须是其成员单位；联盟共建协议（alliance）必填",
    )
    title: str = Field(
        "",
        title=gettext_noop("协议名称"),
        description="协议名称，最长200字；不填为“单位与社区（联盟）共建协议”",
    )
    pledges: str = Field(
        "",
        title=gettext_noop("共建内容与承诺"),
        description="共建内容与承诺，最长2000字；与 service_types 至少填一项",
    )
    service_types: list[str] = _service_types()
    contact_name: str = Field("", title=gettext_noop("联系人"), description="单位联系人，最长50字；可不填")
    contact_phone: str = Field(
        "",
        title=gettext_noop("联系电话"),
        description="联系人电话：手机号（11位）或固定电话（如 0510-12345678），"
        "加密存储，只显示脱敏值；可不填",
    )
    signed_on: date = Field(
        title=gettext_noop("签订日期"),
        description=f"签订日期，YYYY-MM-DD，必填；不早于 {FOUNDED}，不晚于今天",
    )
    starts_on: date | None = Field(
        None,
        title=gettext_noop("开始日期"),
        description=f"协议开始日期，YYYY-MM-DD，不早于 {FOUNDED}；不填同签订日期",
    )
    ends_on: date | None = Field(
        None,
        title=gettext_noop("结束日期"),
        description="协议结束日期，YYYY-MM-DD，不早于开始日期；不填表示长期有效",
    )


@router.get(
    "/agreements",
    response={200: list[AgreementOut], **errors(422)},
    summary="共建协议列表",
)
def agreement_list(request: HttpRequest, status: str = "", limit: Integer = 100, offset: Integer = 0) -> Any:
    require_view(request)
    qs = selectors.agreements_visible(request.user).select_related("unit")
    if status:
        qs = selectors.agreements_in_status(qs, status)
    start, end = window(limit, offset)
    return list(qs.order_by("-signed_on", "-id")[start:end])


@router.post(
    "/agreements",
    response={201: AgreementOut, **errors(404, 422)},
    summary="签订共建协议",
)
def agreement_sign(request: HttpRequest, payload: AgreementIn) -> Any:
    actor = request.user
    agreement = services.agreement_sign(
        actor=actor,
        unit=selectors.unit_lookup(actor, pk=payload.unit_id, credit_code=payload.unit_credit_code),
        kind=payload.kind,
        node=node_get(actor, payload.community_id) if payload.community_id else None,
        alliance=selectors.alliance_get(actor, payload.alliance_id) if payload.alliance_id else None,
        title=payload.title,
        pledges_text=payload.pledges,
        service_type_list=payload.service_types,
        contact_name=payload.contact_name,
        contact_phone=payload.contact_phone,
        signed_on=payload.signed_on,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
    )
    return Status(201, agreement)


@router.post(
    "/agreements/{int:agreement_id}/end",
    response={200: AgreementOut, **errors(404, 409, 422)},
    summary="终止共建协议",
    description="协议已终止时返回 409。",
)
def agreement_end(request: HttpRequest, agreement_id: Integer, payload: PartyReasonIn) -> Any:
    agreement = selectors.agreement_get(request.user, agreement_id)
    return services.agreement_end(actor=request.user, agreement=agreement, reason=payload.reason)


# --- the member's own (resident account) ------------------------------------------------------


class MeOut(Schema):
    member_id: int
    name: str
    category: str
    reports: list[ReportOut]


class MyReportIn(Schema):
    pledges: list[str] = _pledges()
    service_types: list[str] = _service_types()
    lon: float | None = _lon()
    lat: float | None = _lat()
    crs: str = crs_field()
    address: str = _address()


def _me(request: HttpRequest) -> Any:
    member = member_for_user(request.user)
    if member is None:
        raise PermissionDenied(_("您的账号尚未登记为党员"))
    return member


@router.get(
    "/me",
    response={200: MeOut, **errors()},
    summary="我的党员信息和报到（党员本人）",
    description="未登记为党员的账号返回 403。",
)
def me(request: HttpRequest) -> Any:
    member = _me(request)
    reports = list(member.reports.select_related("member", "node").order_by("-submitted_at"))
    return {"member_id": member.pk, "name": member.name, "category": member.category, "reports": reports}


@router.post(
    "/me/report",
    response={201: ReportOut, **errors(422)},
    summary="本人到居住地社区报到（党员本人）",
    description="未登记为党员的账号返回 403；已在报到中返回 422。",
)
def my_report(request: HttpRequest, payload: MyReportIn) -> Any:
    member = _me(request)
    report = services.member_report_submit(
        actor=request.user,
        member=member,
        pledge_list=payload.pledges,
        service_type_list=payload.service_types,
        lon=payload.lon,
        lat=payload.lat,
        crs=payload.crs,
        address=payload.address,
    )
    return Status(201, report)


class PartyMyOrderOut(Schema):
    id: int
    number: str
    title: str
    status: str
    service_type: str
    community_id: int | None
    taker_kind: str
    taker_label: str


@router.get(
    "/me/orders",
    response={200: list[PartyMyOrderOut], **errors()},
    summary="可接的服务单（党员本人）",
    description="本人报到社区发布的服务单（接单大厅）；未登记为党员的账号返回 403。",
)
def my_orders(request: HttpRequest) -> Any:
    """Published orders of the community the member reported to (接单大厅)."""
    return list(services.orders_open_to_member(_me(request))[:100])


@router.post(
    "/me/orders/{int:order_id}/take",
    response={200: PartyMyOrderOut, **errors(404, 409, 422)},
    summary="接单（党员本人）",
    description="只能接本人报到社区的服务单；已被他人接单时返回 409。",
)
def my_take(request: HttpRequest, order_id: Integer) -> Any:
    _me(request)
    order = ServiceOrder.objects.filter(pk=order_id).first()
    if order is None:
        raise NotFound(_("服务单不存在"))
    return services.member_order_take(actor=request.user, order=order)
