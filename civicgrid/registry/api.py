"""Registry endpoints under /api/v1/registry/. ID numbers and phones come back masked."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from ninja import Field, Router, Schema, Status

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import require_any
from civicgrid.api_errors import ERRORS
from civicgrid.core.api_types import Integer, choices_text
from civicgrid.core.errors import NotFound, ValidationError
from civicgrid.registry import selectors, services
from civicgrid.registry.constants import DEFAULT_TAGS
from civicgrid.registry.models import Gender, Household, LeftReason, OrganisationKind, ResidenceType, Resident
from civicgrid.registry.pii import reduce_birth, shown_tags
from civicgrid.territory.models import Node, NodeKind
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


# --- request bodies: Chinese titles (also the names a 422 gives the fields: the handler
# translates them, ``civicgrid.api._field_title``) and descriptions for OpenAPI --------------

PHONE_FORMAT = "手机号11位，或固定电话如0510-12345678"  # i18n: data (API documentation)
RESIDENT_PLACES = "、".join(str(kind.label) for kind in NodeKind if kind in services.RESIDENT_NODE_KINDS)
FIRST_TAGS = "、".join(f"{code}（{name}）" for code, name, _special in DEFAULT_TAGS)


class ResidentIn(Schema):
    node_id: Integer = Field(
        ...,
        title=gettext_noop("所属区域"),
        description=f"居民所属区域的 ID（{RESIDENT_PLACES}），须在您的管辖范围内；必填",
    )
    name: str = Field(..., title=gettext_noop("姓名"), description="居民姓名；必填，最长50字")
    id_number: str = Field(
        "",
        title=gettext_noop("身份证号"),
        description="18位公民身份号码（末位可为X）；填写后性别和出生日期以身份证号为准，不可与已登记的重复；"
        "加密存储，返回脱敏值；不填为未登记",
    )
    phone: str = Field(
        "",
        title=gettext_noop("联系电话"),
        description=f"{PHONE_FORMAT}；加密存储，返回脱敏值；不填为未登记",
    )
    gender: str = Field(
        "",
        title=gettext_noop("性别"),
        description=choices_text(Gender, "未填身份证号时使用；不填为 unknown（未知）"),
    )
    birth_date: date | None = Field(
        None,
        title=gettext_noop("出生日期"),
        description="YYYY-MM-DD，1900-01-01 至今天；未填身份证号时使用（填了以身份证号为准）；可不填",
    )
    residence_type: str = Field(
        "registered",
        title=gettext_noop("人口类型"),
        description=choices_text(ResidenceType, "不填为 registered（户籍人口）"),
    )
    household_id: Integer | None = Field(
        None,
        title=gettext_noop("户"),
        description="所属户的 ID，户须与居民在同一区域；不填为不归入任何户",
    )
    relation_to_head: str = Field(
        "", title=gettext_noop("与户主关系"), description="如 户主、配偶、子女；最长20字；可不填"
    )
    tags: list[str] = Field(
        [],
        title=gettext_noop("标签"),
        description=f"人员标签的编码或名称列表（在后台「人员标签」维护，初始有 {FIRST_TAGS}）；"
        "未知的标签返回 422；不填为无标签",
    )
    note: str = Field("", title=gettext_noop("备注"), description="最长255字；可不填")


class ResidentPatch(Schema):
    """The fields to change (absent ones stay); ``version`` as read (409 when it moved on).
    ``id_number`` and ``phone`` take the full new value ("" clears it), never a masked one."""

    # required; checked after the resident is found (404 first)
    version: str | None = Field(
        None,
        title=gettext_noop("版本"),
        description="必填：读取居民时返回的 version（ISO 8601 时间，带时区）；此后居民已被修改则返回 409",
    )
    name: str | None = Field(
        None, title=gettext_noop("姓名"), description="最长50字，不能为空或 null；不传则不改"
    )
    id_number: str | None = Field(
        None,
        title=gettext_noop("身份证号"),
        description='完整的新身份证号（18位），不可传脱敏值；"" 或 null 为清空；不传则不改',
    )
    phone: str | None = Field(
        None,
        title=gettext_noop("联系电话"),
        description=f'完整的新号码（{PHONE_FORMAT}），不可传脱敏值；"" 或 null 为清空；不传则不改',
    )
    gender: str | None = Field(
        None,
        title=gettext_noop("性别"),
        description=choices_text(
            Gender, "已登记身份证号时由其确定，不能改为别的值；同时传新的身份证号时须与之一致；不传则不改"
        ),
    )
    birth_date: date | None = Field(
        None,
        title=gettext_noop("出生日期"),
        description="YYYY-MM-DD，1900-01-01 至今天；null 为清除；不传则不改。已登记身份证号时由其确定，"
        "传任何值（含 null）都返回 422「出生日期由身份证号确定，不能单独修改」；"
        "同时传新的身份证号时须与之一致",
    )
    residence_type: str | None = Field(
        None,
        title=gettext_noop("人口类型"),
        description=choices_text(ResidenceType, "不能为 null；不传则不改"),
    )
    node_id: Integer | None = Field(
        None,
        title=gettext_noop("所属区域"),
        description=f"新的所属区域 ID（{RESIDENT_PLACES}），须在您的管辖范围内；不能为 null；不传则不改",
    )
    household_id: Integer | None = Field(
        None,
        title=gettext_noop("户"),
        description="所属户的 ID，户须与居民在同一区域；null 为移出户；不传则不改",
    )
    relation_to_head: str | None = Field(
        None,
        title=gettext_noop("与户主关系"),
        description='如 户主、配偶、子女；最长20字；"" 或 null 为清空；不传则不改',
    )
    tags: list[str] | None = Field(
        None,
        title=gettext_noop("标签"),
        description="人员标签的编码或名称的完整列表，替换原有标签（[] 为清空）；不能为 null；不传则不改",
    )
    note: str | None = Field(
        None, title=gettext_noop("备注"), description='最长255字；"" 或 null 为清空；不传则不改'
    )
    is_active: bool | None = Field(
        None,
        title=gettext_noop("在册"),
        description="false 为办理迁出（不在册），true 为恢复在册（清除注销原因、日期和去向）；不传则不改",
    )
    left_reason: str | None = Field(
        None,
        title=gettext_noop("注销原因"),
        description=choices_text(LeftReason, "仅不在册的居民填写；迁出时不填为 moved_out（迁出）"),
    )
    left_on: date | None = Field(
        None,
        title=gettext_noop("注销日期"),
        description="YYYY-MM-DD，不晚于今天、不早于出生日期；仅不在册的居民填写；迁出时不填为今天",
    )
    left_note: str | None = Field(
        None,
        title=gettext_noop("去向或说明"),
        description="最长255字；注销原因为 other（其他）时必填；仅不在册的居民填写",
    )


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
    "422 指明每个有误的字段。没有任何改动时返回 200 与原记录，不写审计、version 不变"
    "（传了 id_number 或 phone 的非空值总算作改动）。",
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
    node_id: Integer = Field(
        ..., title=gettext_noop("所属区域"), description="单位所属区域的 ID，须在您的管辖范围内；必填"
    )
    name: str = Field(..., title=gettext_noop("单位名称"), description="必填，最长200字")
    kind: str = Field(..., title=gettext_noop("单位类型"), description=choices_text(OrganisationKind, "必填"))
    credit_code: str = Field(
        "",
        title=gettext_noop("统一社会信用代码"),
        description="18位（含校验位，不使用 I、O、Z、S、V），不可与已登记的重复；可不填，"
        "不填时同一区域内名称和地址都相同的单位视为重复（409）",
    )
    address: str = Field("", title=gettext_noop("地址"), description="最长255字；可不填")
    contact_name: str = Field("", title=gettext_noop("联系人"), description="最长50字；可不填")
    contact_phone: str = Field(
        "",
        title=gettext_noop("联系电话"),
        description=f"{PHONE_FORMAT}；加密存储，返回脱敏值；可不填",
    )
    employees: Integer | None = Field(
        None,
        title=gettext_noop("从业人数"),
        description=f"非负整数，最大 {services.EMPLOYEES_MAX}；不填或 0 为未登记",
    )


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
