"""Registry endpoints under /api/v1/registry/. ID numbers and phones come back masked."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Router, Schema, Status

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import require_any
from civicgrid.api_errors import ERRORS
from civicgrid.core.api_types import Integer
from civicgrid.core.errors import NotFound, ValidationError
from civicgrid.registry import selectors, services
from civicgrid.registry.models import Household, Resident
from civicgrid.registry.pii import reduce_birth, shown_tags
from civicgrid.territory.models import Node
from civicgrid.territory.selectors import node_get

router = Router(tags=["registry 实有人口房屋单位"])


class ResidentOut(Schema):
    id: int
    name: str
    gender: str
    birth_date: date | None  # always null: the full date is part of the audited reveal
    birth_year: int | None
    id_number_masked: str
    phone_masked: str
    residence_type: str
    node_id: int
    household_id: int | None
    relation_to_head: str
    note: str
    is_active: bool
    left_reason: str
    left_on: date | None
    left_note: str
    version: str
    tags: list[str]

    @staticmethod
    def resolve_version(obj: Resident) -> str:
        """The row's ``updated_at`` to the microsecond: what a PATCH sends back as ``version``."""
        return obj.updated_at.isoformat()

    @staticmethod
    def resolve_birth_year(obj: Resident) -> int | None:
        return getattr(obj, "birth_year", None)

    @staticmethod
    def resolve_tags(obj: Resident) -> list[str]:
        """Without the sensitive tags where the reader may not reveal PII (``pii.shown_tags``)."""
        return [t.code for t in shown_tags(obj)]


class ResidentIn(Schema):
    node_id: Integer
    name: str
    id_number: str = ""
    phone: str = ""
    gender: str = ""
    birth_date: date | None = None
    residence_type: str = "registered"
    household_id: Integer | None = None
    relation_to_head: str = ""
    tags: list[str] = []
    note: str = ""


class ResidentPatch(Schema):
    """The fields to change (absent ones stay); ``version`` as read (409 when it moved on).
    ``id_number`` and ``phone`` take the full new value ("" clears it), never a masked one."""

    version: str | None = None  # required; checked after the resident is found (404 first)
    name: str | None = None
    id_number: str | None = None
    phone: str | None = None
    gender: str | None = None
    birth_date: date | None = None
    residence_type: str | None = None
    node_id: Integer | None = None
    household_id: Integer | None = None
    relation_to_head: str | None = None
    tags: list[str] | None = None
    note: str | None = None
    is_active: bool | None = None
    left_reason: str | None = None  # moved_out 迁出 (default on leaving), deceased 死亡, other 其他
    left_on: date | None = None  # default today
    left_note: str | None = None  # needed for other


class ResidentPage(Schema):
    count: int
    results: list[ResidentOut]


@router.get(
    "/residents",
    response={200: ResidentPage, **ERRORS},
    summary="实有人口列表（查询居民）",
    description="按姓名模糊查询，或按身份证号、电话精确查询（经加密哈希匹配）；身份证号与电话为脱敏值。"
    "status：active（在册，默认）、moved_out（已迁出）或 all（全部）；limit 1 到 500。",
)
def resident_list(
    request: HttpRequest,
    q: str = "",
    under: Integer | None = None,
    tag: str = "",
    residence_type: str = "",
    gender: str = "",
    status: str = selectors.STATUS_ACTIVE,
    limit: Integer = 50,
    offset: Integer = 0,
) -> Any:
    """Search by name, or exactly by ID number or phone (matched through the keyed hash).
    ``status``: ``active`` (在册, the default), ``moved_out`` (已迁出) or ``all``."""
    require_any(request.user, Capability.REGISTRY_VIEW)  # as the page: 403, not an empty list
    statuses = (selectors.STATUS_ACTIVE, selectors.STATUS_MOVED_OUT, selectors.STATUS_ALL)
    if status not in statuses:
        raise ValidationError(_("状态应为 active（在册）、moved_out（已迁出）或 all（全部）"), field="status")
    node = node_get(request.user, under) if under else None
    qs = selectors.resident_search(
        request.user, q=q, under=node, tag=tag, residence_type=residence_type, gender=gender, status=status
    )
    limit = max(1, min(limit, 500))
    offset = max(0, offset)  # a negative slice would fail with a 500
    return {"count": qs.count(), "results": list(qs[offset : offset + limit])}


@router.get(
    "/residents/{int:resident_id}",
    response={200: ResidentOut, **ERRORS},
    summary="居民详情",
    description="身份证号与电话为脱敏值，birth_date 恒为 null（完整出生日期须经「查看居民敏感信息」读取）；"
    "无权查看时返回 404。",
)
def resident_detail(request: HttpRequest, resident_id: Integer) -> Any:
    return selectors.resident_get(request.user, resident_id)


def _household(request: HttpRequest, household_id: int | None) -> Household | None:
    if not household_id:
        return None
    household = selectors.households_visible(request.user).filter(pk=household_id).first()
    if household is None:
        message = _("户不存在或您无权查看")
        raise NotFound(message, detail={"household_id": [message]})
    return household


def _node(request: HttpRequest, node_id: int, field: str = "node_id") -> Node:
    """``node_get``, its 404 naming the field that gave the node."""
    try:
        return node_get(request.user, node_id)
    except NotFound as exc:
        raise NotFound(exc.message, detail={field: [exc.message]}) from exc


@router.post("/residents", response={201: ResidentOut, **ERRORS}, summary="登记居民")
def resident_create(request: HttpRequest, payload: ResidentIn) -> Any:
    node = _node(request, payload.node_id)
    household = _household(request, payload.household_id)
    resident = services.resident_create(
        actor=request.user,
        node=node,
        name=payload.name,
        id_number=payload.id_number,
        phone=payload.phone,
        gender=payload.gender,
        birth_date=payload.birth_date,
        residence_type=payload.residence_type,
        household=household,
        relation_to_head=payload.relation_to_head,
        tags=payload.tags,
        note=payload.note,
    )
    return Status(201, reduce_birth(request.user, resident))


def _version(raw: str) -> datetime:
    stamp = parse_datetime(raw.strip())
    if stamp is None or stamp.tzinfo is None:
        raise ValidationError(_("版本无效：请先读取该居民，再提交其 version"), field="version")
    return stamp


# Fields a PATCH may not send as null, with the reason (others: null clears them).
NOT_NULL = {
    "name": gettext_lazy("姓名不能为空"),
    "tags": gettext_lazy("标签应为列表（可为空列表）"),
    "residence_type": gettext_lazy("人口类型只能是户籍人口或流动人口"),
    "is_active": gettext_lazy("在册应为 true 或 false"),
}


@router.patch(
    "/residents/{int:resident_id}",
    response={200: ResidentOut, **ERRORS},
    summary="更正居民信息",
    description="只改传入的字段，审计记录中的个人信息为脱敏值。version 传读取时的值："
    '此后居民已被修改则返回 409。id_number、phone 传完整的新值（"" 为清空），不可传脱敏值；'
    "422 指明每个有误的字段。",
)
def resident_update(request: HttpRequest, resident_id: Integer, payload: ResidentPatch) -> Any:
    """Correct a resident: only the fields sent change; one audit row with masked PII.
    422 names each bad field; 409 when the resident changed after ``updated_at``."""
    resident = selectors.resident_get(request.user, resident_id)
    sent = payload.model_dump(exclude_unset=True)
    if not sent.get("version"):  # after the scope check: a resident out of scope is a 404
        raise ValidationError(_("版本：必填"), errors={"version": [_("必填")]})
    expected = _version(sent.pop("version"))
    changes: dict[str, Any] = {}
    for field, value in sent.items():
        if field == "node_id":
            if value is None:
                raise ValidationError(_("所属区域不能为空"), field="node_id")
            changes["node"] = _node(request, value)
        elif field == "household_id":
            changes["household"] = _household(request, value)
        elif value is None and field in NOT_NULL:
            raise ValidationError(NOT_NULL[field], field=field)
        else:
            changes[field] = "" if value is None and field not in ("birth_date", "left_on") else value
    services.resident_update(actor=request.user, resident=resident, expected_updated_at=expected, **changes)
    return selectors.resident_get(request.user, resident_id)


class PiiOut(Schema):
    id_number: str
    phone: str
    birth_date: str  # YYYY-MM-DD, or "" when none is registered


@router.post(
    "/residents/{int:resident_id}/reveal",
    response={200: PiiOut, **ERRORS},
    summary="查看居民敏感信息（明文身份证号、电话、出生日期）",
    description="返回明文身份证号、电话和完整出生日期。仅限有权角色，否则返回 403；每次调用均记入审计，"
    "被拒绝的也记。",
)
def resident_reveal(request: HttpRequest, resident_id: Integer) -> Any:
    """The clear ID number, phone and full birth date. Allowed roles only; every call is
    audited, a refused one too."""
    return services.resident_reveal(actor=request.user, resident_id=resident_id)


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    credit_code: str
    address: str
    contact_name: str
    contact_phone_masked: str
    node_id: int


class OrganisationIn(Schema):
    node_id: Integer
    name: str
    kind: str
    credit_code: str = ""
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    employees: Integer | None = None


@router.get(
    "/organisations",
    response={200: list[OrganisationOut], **ERRORS},
    summary="实有单位列表",
    description="q 按单位名称模糊查询；联系电话为脱敏值；limit 1 到 500。",
)
def organisation_list(request: HttpRequest, q: str = "", limit: Integer = 50, offset: Integer = 0) -> Any:
    require_any(request.user, Capability.REGISTRY_VIEW)  # as the page: 403, not an empty list
    qs = selectors.organisations_visible(request.user)
    if q:
        qs = qs.filter(name__contains=q)
    limit = max(1, min(limit, 500))
    offset = max(0, offset)  # a negative slice would fail with a 500
    return list(qs.order_by("node_path", "name")[offset : offset + limit])


@router.post("/organisations", response={201: OrganisationOut, **ERRORS}, summary="登记单位")
def organisation_create(request: HttpRequest, payload: OrganisationIn) -> Any:
    node = _node(request, payload.node_id)
    org = services.organisation_create(
        actor=request.user,
        node=node,
        name=payload.name,
        kind=payload.kind,
        credit_code=payload.credit_code,
        address=payload.address,
        contact_name=payload.contact_name,
        contact_phone=payload.contact_phone,
        employees=payload.employees,
    )
    return Status(201, org)
