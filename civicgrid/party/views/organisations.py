"""Pages of the organisation tree and its members (1+10+N, visits, reports)."""

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.core.errors import CivicError, NotFound
from civicgrid.core.pagination import paginate, query_without_page
from civicgrid.core.views_forms import act, date_or_none, pk_or_none, unlabelled, value
from civicgrid.party import selectors, services
from civicgrid.party.constants import (
    COMMITTEE_KINDS,
    MemberCategory,
    MemberRole,
    OrgKind,
    PoliticalStatus,
    Sector,
    ServiceType,
    Trade,
)
from civicgrid.party.exports import members_xlsx, units_xlsx
from civicgrid.party.models import ContactLink, HubLink, PartyMember
from civicgrid.party.permissions import can_visit
from civicgrid.party.services import phones
from civicgrid.party.views.common import (
    can_edit,
    find_resident,
    find_unit,
    float_or_none,
    node_choice,
    picked,
    require_view,
    under_param,
    values,
)
from civicgrid.territory.models import NodeKind


@login_required
def organisations(request: HttpRequest) -> HttpResponse:
    require_view(request)
    under = under_param(request)
    if request.GET.get("export") == "xlsx":
        return units_xlsx(request.user, selectors.orgs_visible(request.user).filter(kind=OrgKind.UNIT))
    rows = selectors.org_tree(request.user, under=under)
    units = selectors.orgs_visible(request.user).filter(kind=OrgKind.UNIT, is_active=True)
    if under is not None:
        units = units.filter(node_path__startswith=under.path)
    context = {
        "rows": rows,
        "under": under,
        "units": units.select_related("unit", "node").order_by("node_path", "name")[:300],
        "kinds": OrgKind.choices,
        "sectors": Sector.choices,
        "parents": [r.org for r in rows if r.org.kind != OrgKind.HUB_HOUSEHOLD],
    }
    return render(request, "party/organisations.html", context)


@login_required
@require_POST
def organisation_new(request: HttpRequest) -> HttpResponse:
    back = reverse("party:organisations")

    def create() -> Any:
        kind = value(request, "kind")
        parent_id = value(request, "parent")
        parent = picked(request.user, parent_id, selectors.org_get)
        unit = find_unit(request.user, value(request, "unit")) if kind == OrgKind.UNIT else None
        node = node_choice(request.user, value(request, "node")) if kind != OrgKind.UNIT else None
        resident = (
            find_resident(request.user, value(request, "hub_resident"), "hub_resident")
            if kind == OrgKind.HUB_HOUSEHOLD
            else None
        )
        return services.party_org_create(
            actor=request.user,
            kind=kind,
            name=value(request, "name"),
            node=node,
            parent=parent,
            sector=value(request, "sector") if kind == OrgKind.DEDICATED_BRANCH else "",
            unit=unit,
            hub_resident=resident,
            secretary_name=value(request, "secretary_name"),
            founded_on=date_or_none(value(request, "founded_on"), "founded_on", _("成立日期")),
        )

    return act(request, create, _("党组织已建立"), back)


def _shown(actor: Any, pks: list[int | None]) -> set[int]:
    """Those of the party organisations ``pks`` the actor may open."""
    visible = selectors.orgs_visible(actor).filter(pk__in=[p for p in pks if p])
    return set(visible.values_list("pk", flat=True))


@login_required
def organisation(request: HttpRequest, pk: int) -> HttpResponse:
    org = selectors.org_get(request.user, pk)
    members_link = reverse("party:committee", args=[org.pk]) if org.kind in COMMITTEE_KINDS else ""
    members = (
        selectors.members_visible(request.user)
        .filter(organisation=org, is_active=True)
        .select_related("home_node__parent__parent")
        .order_by("role", "name")
    )
    children = org.children.filter(is_active=True).select_related("node").order_by("kind", "name")
    context = {
        "org": org,
        "children": children,
        # The organisations this page names that the user may open (a link to another is a 404).
        "orgs_shown": _shown(request.user, [org.parent_id, *(c.pk for c in children)]),
        "members": members,
        "hub_links": HubLink.objects.filter(hub=org).select_related("member")
        if org.kind == OrgKind.HUB_HOUSEHOLD
        else [],
        "can_edit": can_edit(request, org.node_path),
        "committee_link": members_link,
        "candidates": (
            selectors.members_visible(request.user)
            .filter(is_active=True, hub_link__isnull=True, political_status__in=("full", "probationary"))
            .filter(node_path__startswith=org.node_path.rsplit("/", 2)[0] + "/")
            .order_by("name")[:200]
            if org.kind == OrgKind.HUB_HOUSEHOLD
            else []
        ),
    }
    return render(request, "party/organisation.html", context)


@login_required
@require_POST
def organisation_act(request: HttpRequest, pk: int) -> HttpResponse:
    org = selectors.org_get(request.user, pk)
    back = reverse("party:organisation", args=[pk])
    action = value(request, "action")
    if action == "hub_link":
        member = selectors.member_get(request.user, pk_or_none(value(request, "member")) or 0)
        return act(
            request,
            lambda: services.hub_link(actor=request.user, hub=org, member=member),
            _("已联系该党员"),
            back,
        )
    if action == "hub_unlink":
        link = HubLink.objects.filter(pk=pk_or_none(value(request, "link")) or 0, hub=org).first()
        if link is None:
            raise NotFound(_("联系记录不存在"))
        return act(request, lambda: services.hub_unlink(actor=request.user, link=link), _("已解除联系"), back)
    if action == "update":
        return act(
            request,
            lambda: services.party_org_update(
                actor=request.user,
                organisation=org,
                name=value(request, "name"),
                secretary_name=value(request, "secretary_name"),
            ),
            _("已保存"),
            back,
        )
    if action == "dissolve":
        return act(
            request,
            lambda: services.party_org_update(actor=request.user, organisation=org, is_active=False),
            _("已撤销"),
            back,
        )
    messages.error(request, _("未知的操作"))
    return redirect(back)


# --- members -------------------------------------------------------------------------------


@login_required
def members(request: HttpRequest) -> HttpResponse:
    require_view(request)
    params = request.GET
    org = params.get("organisation", "")
    qs = selectors.member_search(
        request.user,
        q=params.get("q", ""),
        category=params.get("category", ""),
        organisation=pk_or_none(org),
        needy=params.get("needy") == "1",
        reported=params.get("reported", ""),
        under=under_param(request),
    )
    if params.get("export") == "xlsx":
        return members_xlsx(request.user, qs)
    context = {
        "page": paginate(request, qs),
        "query": query_without_page(request),
        "params": params,
        "categories": MemberCategory.choices,
    }
    return render(request, "party/members.html", context)


def _member_form_context(request: HttpRequest) -> dict[str, Any]:
    orgs = selectors.orgs_visible(request.user).filter(is_active=True).exclude(kind=OrgKind.HUB_HOUSEHOLD)
    return {
        "orgs": orgs.order_by("kind", "node_path", "name")[:500],
        "categories": MemberCategory.choices,
        "statuses": PoliticalStatus.choices,
        "roles": MemberRole.choices,
        "trades": Trade.choices,
        "form": request.POST,
    }


@login_required
def member_new(request: HttpRequest) -> HttpResponse:
    require_view(request)
    if request.method != "POST":
        return render(request, "party/member_new.html", _member_form_context(request))
    try:
        org_id = value(request, "organisation")
        resident_q = value(request, "resident")
        home = value(request, "home")
        member = services.member_create(
            actor=request.user,
            name=value(request, "name"),
            category=value(request, "category"),
            organisation=picked(request.user, org_id, selectors.org_get),
            resident=find_resident(request.user, resident_q, "resident") if resident_q else None,
            political_status=value(request, "political_status") or PoliticalStatus.FULL,
            role=value(request, "role") or MemberRole.MEMBER,
            join_date=date_or_none(value(request, "join_date"), "join_date", _("入党日期")),
            employer_name=value(request, "employer_name"),
            trade=value(request, "trade"),
            phone_number=value(request, "phone"),
            home_node=node_choice(request.user, home, "home_node") if home else None,
            home_address=value(request, "home_address"),
            is_needy=value(request, "is_needy") == "1",
        )
    except CivicError as exc:
        context = _member_form_context(request) | {"error": unlabelled(exc)}
        return render(request, "party/member_new.html", context, status=exc.http_status)
    messages.success(request, _("党员已登记"))
    return redirect("party:member", member.pk)


@login_required
def member(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.member_get(request.user, pk)
    hub = HubLink.objects.filter(member=found).select_related("hub").first()
    context = {
        "member": found,
        "reports": found.reports.select_related("node", "grid").order_by("-submitted_at"),
        "visits": found.visits.order_by("-visited_on")[:50],
        "contacts": ContactLink.objects.filter(member=found).select_related("resident__node"),
        "hub": hub,
        "orgs_shown": _shown(request.user, [found.organisation_id, hub.hub_id if hub else None]),
        "can_edit": can_edit(request, found.node_path),
        "can_visit": can_visit(request.user, found),
        "may_report": found.category in (MemberCategory.IN_SERVICE, MemberCategory.NEW_EMPLOYMENT),
        "service_types": ServiceType.choices,
        "today": date.today().isoformat(),
        "grid_kinds": [NodeKind.BUILDING],
        "service": selectors.member_service(found),
        "can_reveal_phone": phones.may_reveal_member_phone(request.user, found),
    }
    return render(request, "party/member.html", context)


@login_required
@require_POST
def member_phone(request: HttpRequest, pk: int) -> HttpResponse:
    """The member's phone in full (查看), for staff who may see personal data; audited."""
    found = selectors.member_get(request.user, pk)
    clear = phones.member_phone_reveal(actor=request.user, member=found)
    return render(request, "registry/_revealed.html", {"clear": {"phone": clear}})


@login_required
@require_POST
def member_act(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.member_get(request.user, pk)
    back = reverse("party:member", args=[pk])
    action = value(request, "action")
    actor = request.user
    if action == "visit":
        return act(
            request,
            lambda: services.needy_visit_record(
                actor=actor,
                member=found,
                visited_on=date_or_none(value(request, "visited_on"), "visited_on", _("走访日期"))
                or date.today(),
                content=value(request, "content"),
                help_given=value(request, "help_given"),
            ),
            _("走访已记录"),
            back,
        )
    if action == "contact":
        return act(
            request,
            lambda: services.contact_link(
                actor=actor,
                member=found,
                resident=find_resident(actor, value(request, "resident"), "resident"),
            ),
            _("已加入联系名单"),
            back,
        )
    if action == "uncontact":
        link = ContactLink.objects.filter(pk=pk_or_none(value(request, "link")) or 0, member=found).first()
        if link is None:
            raise NotFound(_("联系记录不存在"))
        return act(
            request, lambda: services.contact_unlink(actor=actor, link=link), _("已移出联系名单"), back
        )
    if action == "report":
        return act(request, lambda: _report(request, found), _("报到已登记，待社区确认"), back)
    if action == "needy":
        return act(
            request,
            lambda: services.member_update(
                actor=actor, member=found, is_needy=value(request, "is_needy") == "1"
            ),
            _("已保存"),
            back,
        )
    messages.error(request, _("未知的操作"))
    return redirect(back)


def _report(request: HttpRequest, found: PartyMember) -> Any:
    building = value(request, "building")
    return services.member_report_submit(
        actor=request.user,
        member=found,
        pledge_list=[line for line in value(request, "pledges").splitlines() if line.strip()],
        service_type_list=values(request, "service_types"),
        lon=float_or_none(value(request, "lon"), "lon", _("经度")),
        lat=float_or_none(value(request, "lat"), "lat", _("纬度")),
        building=node_choice(request.user, building, "building") if building else None,
        address=value(request, "address"),
    )
