"""Endpoints of the organisation tree, members, 1+10+N links and visits."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Field, Schema, Status

from civicgrid.core.api_types import Integer, choices_text
from civicgrid.core.errors import NotFound
from civicgrid.party import selectors, services
from civicgrid.party.api.common import FOUNDED, credit_code_field, errors, require_view, router, window
from civicgrid.party.constants import (
    HUB_MAX_MEMBERS,
    MEMBER_MAX_CONTACTS,
    PARTY_MIN_AGE,
    MemberCategory,
    MemberRole,
    OrgKind,
    PoliticalStatus,
    ReportStatus,
    Sector,
    Trade,
)
from civicgrid.party.models import HubLink, MemberReport
from civicgrid.party.permissions import member_for_user
from civicgrid.registry.selectors import resident_get
from civicgrid.territory.selectors import node_get


class OrgOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    sector: str
    parent_id: int | None
    node_id: int
    unit_id: int | None
    hub_resident_id: int | None
    secretary_name: str
    founded_on: date | None
    is_active: bool


class OrgIn(Schema):
    kind: str = Field(title=gettext_noop("类型"), description=choices_text(OrgKind, "党组织类型，必填"))
    name: str = Field(
        "",
        title=gettext_noop("名称"),
        description="党组织名称，最长100字；党员中心户、单位党组织不填时按户主或单位名称生成，其他类型必填",
    )
    node_id: Integer | None = Field(
        None,
        title=gettext_noop("所在区域"),
        description="所在区域节点的 ID，须与类型相符（如网格党支部建在网格）并在上级党组织的区域内；"
        "单位党组织取单位所在地，不填",
    )
    parent_id: Integer | None = Field(
        None,
        title=gettext_noop("上级"),
        description="上级党组织的 ID，可选的上级由类型而定（如网格党支部的上级是社区大党委）；"
        "街道大工委、单位党组织不填",
    )
    sector: str = Field(
        "",
        title=gettext_noop("专属领域"),
        description=choices_text(Sector, "专属党支部必填，其他类型不填"),
    )
    unit_id: Integer | None = Field(
        None,
        title=gettext_noop("所在单位"),
        description="党组织所在单位（单位档案）的 ID；单位党组织必填（或填 unit_credit_code），"
        "专属党支部可填",
    )
    unit_credit_code: str = credit_code_field()
    hub_resident_id: Integer | None = Field(
        None,
        title=gettext_noop("中心户户主"),
        description="户主的居民档案 ID；党员中心户必填，须是本社区居民；其他类型不填",
    )
    secretary_name: str = Field(
        "", title=gettext_noop("书记（负责人）"), description="书记或负责人姓名，最长50字；可不填"
    )
    founded_on: date | None = Field(
        None,
        title=gettext_noop("成立日期"),
        description=f"成立日期，YYYY-MM-DD，不早于 {FOUNDED}，不晚于今天；可不填",
    )


@router.get(
    "/organisations",
    response={200: list[OrgOut], **errors(404, 422)},
    summary="党组织列表",
    description="kind：按类型筛选；under：只看该区域内的党组织。",
)
def organisation_list(
    request: HttpRequest,
    kind: str = "",
    under: Integer | None = None,
    limit: Integer = 200,
    offset: Integer = 0,
) -> Any:
    require_view(request)
    qs = selectors.orgs_visible(request.user).filter(is_active=True)
    if kind:
        qs = qs.filter(kind=kind)
    if under:
        qs = qs.filter(node_path__startswith=node_get(request.user, under).path)
    start, end = window(limit, offset)
    return list(qs.order_by("node_path", "kind", "name")[start:end])


@router.get(
    "/organisations/{int:org_id}",
    response={200: OrgOut, **errors(404, 422)},
    summary="党组织详情",
)
def organisation_detail(request: HttpRequest, org_id: Integer) -> Any:
    require_view(request)
    return selectors.org_get(request.user, org_id)


@router.post(
    "/organisations",
    response={201: OrgOut, **errors(404, 422)},
    summary="新建党组织",
)
def organisation_create(request: HttpRequest, payload: OrgIn) -> Any:
    actor = request.user
    unit = None
    if payload.unit_id or payload.unit_credit_code:
        unit = selectors.unit_lookup(actor, pk=payload.unit_id, credit_code=payload.unit_credit_code)
    org = services.party_org_create(
        actor=actor,
        kind=payload.kind,
        name=payload.name,
        node=node_get(actor, payload.node_id) if payload.node_id else None,
        parent=selectors.org_get(actor, payload.parent_id) if payload.parent_id else None,
        sector=payload.sector,
        unit=unit,
        hub_resident=resident_get(actor, payload.hub_resident_id) if payload.hub_resident_id else None,
        secretary_name=payload.secretary_name,
        founded_on=payload.founded_on,
    )
    return Status(201, org)


class MemberOut(Schema):
    id: int
    name: str
    category: str
    political_status: str
    role: str
    organisation_id: int | None
    resident_id: int | None
    join_date: date | None
    employer_name: str
    trade: str
    phone_masked: str
    home_node_id: int | None
    is_needy: bool
    is_active: bool
    reported: bool | None = None


class MemberPage(Schema):
    count: int
    results: list[MemberOut]


class PartyMemberIn(Schema):
    name: str = Field(
        "",
        title=gettext_noop("姓名"),
        description="党员姓名，最长50字；关联居民档案时不填取档案中的姓名，否则必填；"
        "未关联居民档案的，同一党组织（无党组织的同一居住地）已有同名在册党员时返回 422",
    )
    category: str = Field(
        title=gettext_noop("类别"), description=choices_text(MemberCategory, "党员类别，必填")
    )
    organisation_id: Integer | None = Field(
        None,
        title=gettext_noop("所在党组织"),
        description="所在党组织的 ID：社区党员必填（社区的党组织），在职党员必填（工作单位的党组织），"
        "新就业群体可不填",
    )
    resident_id: Integer | None = Field(
        None,
        title=gettext_noop("居民档案"),
        description="关联的居民档案 ID（一位居民只登记一次）；可不填",
    )
    political_status: str = Field(
        PoliticalStatus.FULL,
        title=gettext_noop("政治面貌"),
        description=choices_text(PoliticalStatus, "不填为 full；只有新就业群体可登记 activist、masses"),
    )
    role: str = Field(
        MemberRole.MEMBER,
        title=gettext_noop("党内职务"),
        description=choices_text(MemberRole, "不填为 member"),
    )
    join_date: date | None = Field(
        None,
        title=gettext_noop("入党日期"),
        description=f"入党日期，YYYY-MM-DD，不早于 {FOUNDED}，不晚于今天，"
        f"关联档案时须已年满 {PARTY_MIN_AGE} 岁；可不填",
    )
    employer_name: str = Field(
        "",
        title=gettext_noop("工作单位"),
        description="工作单位名称，最长100字；不填时取所在单位党组织的单位名称",
    )
    trade: str = Field(
        "",
        title=gettext_noop("从业类型"),
        description=choices_text(Trade, "新就业群体必填，其他类别不填"),
    )
    phone: str = Field(
        "",
        title=gettext_noop("联系电话"),
        description="手机号（11位）或固定电话（如 0510-12345678），加密存储，只显示脱敏值；可不填",
    )
    home_node_id: Integer | None = Field(
        None,
        title=gettext_noop("居住地"),
        description="居住区域节点的 ID（网格、楼栋或社区）；不填所在党组织时必填，关联档案时不填取档案所在地",
    )
    home_address: str = Field("", title=gettext_noop("居住地址"), description="居住地址，最长255字；可不填")
    is_needy: bool = Field(False, title=gettext_noop("困难党员"), description="true：困难党员；默认 false")


@router.get(
    "/members",
    response={200: MemberPage, **errors(422)},
    summary="党员列表",
    description="辖区内的党员（所在党组织或居住地在辖区内）；reported：yes 已报到，no 未报到。",
)
def member_list(
    request: HttpRequest,
    q: str = "",
    category: str = "",
    organisation: Integer | None = None,
    needy: bool = False,
    reported: str = "",
    limit: Integer = 50,
    offset: Integer = 0,
) -> Any:
    """Members in scope (where their organisation is, or where they live). ``reported``: yes / no."""
    require_view(request)
    qs = selectors.member_search(
        request.user, q=q, category=category, organisation=organisation, needy=needy, reported=reported
    )
    start, end = window(limit, offset)
    return {"count": qs.count(), "results": list(qs[start:end])}


@router.get(
    "/members/{int:member_id}",
    response={200: MemberOut, **errors(404, 422)},
    summary="党员详情",
    description="辖区内的党员，或调用者本人的党员档案。",
)
def member_detail(request: HttpRequest, member_id: Integer) -> Any:
    if member_for_user(request.user) is None:  # a member reads their own record
        require_view(request)
    member = selectors.member_get(request.user, member_id)
    # as the list says it: a confirmed report (已报到) or not
    member.reported = MemberReport.objects.filter(  # type: ignore[attr-defined]
        member=member, status=ReportStatus.CONFIRMED
    ).exists()
    return member


@router.post(
    "/members",
    response={201: MemberOut, **errors(404, 422)},
    summary="登记党员",
)
def member_create(request: HttpRequest, payload: PartyMemberIn) -> Any:
    actor = request.user
    member = services.member_create(
        actor=actor,
        name=payload.name,
        category=payload.category,
        organisation=selectors.org_get(actor, payload.organisation_id) if payload.organisation_id else None,
        resident=resident_get(actor, payload.resident_id) if payload.resident_id else None,
        political_status=payload.political_status,
        role=payload.role,
        join_date=payload.join_date,
        employer_name=payload.employer_name,
        trade=payload.trade,
        phone_number=payload.phone,
        home_node=node_get(actor, payload.home_node_id) if payload.home_node_id else None,
        home_address=payload.home_address,
        is_needy=payload.is_needy,
    )
    return Status(201, member)


class VisitIn(Schema):
    visited_on: date = Field(
        title=gettext_noop("走访日期"),
        description=f"走访日期，YYYY-MM-DD，必填；不早于 {FOUNDED}（已登记入党日期的，不早于入党日期），"
        "不晚于今天",
    )
    content: str = Field(title=gettext_noop("走访情况"), description="走访情况，必填，最长2000字")
    help_given: str = Field("", title=gettext_noop("帮扶措施"), description="帮扶措施，最长255字；可不填")


class PartyVisitOut(Schema):
    id: int
    member_id: int
    visited_on: date
    visitor_name: str
    content: str
    help_given: str


@router.post(
    "/members/{int:member_id}/visits",
    response={201: PartyVisitOut, **errors(404, 422)},
    summary="记录困难党员走访",
)
def visit_record(request: HttpRequest, member_id: Integer, payload: VisitIn) -> Any:
    member = selectors.member_get(request.user, member_id)
    visit = services.needy_visit_record(
        actor=request.user,
        member=member,
        visited_on=payload.visited_on,
        content=payload.content,
        help_given=payload.help_given,
    )
    return Status(201, visit)


class ContactIn(Schema):
    resident_id: Integer = Field(
        title=gettext_noop("联系居民"),
        description=f"党员联系的居民档案 ID，必填，不能重复联系；"
        f"每名党员最多联系 {MEMBER_MAX_CONTACTS} 位居民",
    )


class LinkOut(Schema):
    id: int
    member_id: int


@router.post(
    "/members/{int:member_id}/contacts",
    response={201: LinkOut, **errors(404, 422)},
    summary="党员联系群众（1+10+N）",
)
def contact_link(request: HttpRequest, member_id: Integer, payload: ContactIn) -> Any:
    member = selectors.member_get(request.user, member_id)
    resident = resident_get(request.user, payload.resident_id)
    return Status(201, services.contact_link(actor=request.user, member=member, resident=resident))


class HubLinkIn(Schema):
    member_id: Integer = Field(
        title=gettext_noop("党员"),
        description=f"中心户联系的在册党员 ID，必填；一名党员只由一个中心户联系，"
        f"每户最多 {HUB_MAX_MEMBERS} 名",
    )


@router.post(
    "/hubs/{int:hub_id}/links",
    response={201: LinkOut, **errors(404, 422)},
    summary="党员中心户联系党员",
)
def hub_link(request: HttpRequest, hub_id: Integer, payload: HubLinkIn) -> Any:
    hub = selectors.org_get(request.user, hub_id)
    member = selectors.member_get(request.user, payload.member_id)
    return Status(201, services.hub_link(actor=request.user, hub=hub, member=member))


@router.get(
    "/hubs/{int:hub_id}/links",
    response={200: list[LinkOut], **errors(404, 422)},
    summary="党员中心户联系的党员",
)
def hub_links(request: HttpRequest, hub_id: Integer) -> Any:
    require_view(request)
    hub = selectors.org_get(request.user, hub_id)
    if hub.kind != "hub_household":
        raise NotFound(_("党员中心户不存在"))
    return list(HubLink.objects.filter(hub=hub).order_by("id"))
