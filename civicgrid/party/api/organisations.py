"""Endpoints of the organisation tree, members, 1+10+N links and visits."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Schema, Status

from civicgrid.core.api_types import Integer
from civicgrid.core.errors import NotFound
from civicgrid.party import selectors, services
from civicgrid.party.api.common import errors, require_view, router, window
from civicgrid.party.constants import MemberRole, PoliticalStatus, ReportStatus
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
    kind: str
    name: str = ""
    node_id: Integer | None = None
    parent_id: Integer | None = None
    sector: str = ""
    unit_id: Integer | None = None
    unit_credit_code: str = ""
    hub_resident_id: Integer | None = None
    secretary_name: str = ""
    founded_on: date | None = None


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
    name: str = ""
    category: str
    organisation_id: Integer | None = None
    resident_id: Integer | None = None
    political_status: str = PoliticalStatus.FULL
    role: str = MemberRole.MEMBER
    join_date: date | None = None
    employer_name: str = ""
    trade: str = ""
    phone: str = ""
    home_node_id: Integer | None = None
    home_address: str = ""
    is_needy: bool = False


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
    visited_on: date
    content: str
    help_given: str = ""


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
    resident_id: Integer


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
    member_id: Integer


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
