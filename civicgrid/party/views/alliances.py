"""Pages of alliances and the three lists: needs (with suggestions and orders), resources, projects."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can
from civicgrid.core import once
from civicgrid.core.errors import CivicError, NotFound, ValidationError
from civicgrid.core.pagination import paginate, query_without_page
from civicgrid.core.views_forms import (
    act,
    date_or_none,
    decimal_or_none,
    int_or_none,
    pk_or_none,
    unlabelled,
    value,
)
from civicgrid.party import selectors, services
from civicgrid.party.constants import (
    MAX_BENEFICIARIES,
    MAX_CONTRIBUTION_POINTS,
    PROJECT_TRANSITIONS,
    AllianceRole,
    NeedCategory,
    NeedSource,
    NeedStatus,
    ProjectStatus,
    ResourceKind,
)
from civicgrid.party.models import Project, ProjectContribution, ProjectPhoto, Resource
from civicgrid.party.services.orders import LIVE, SERVICE_OF_CATEGORY, need_may_finish, origin_of
from civicgrid.party.views.common import (
    AREA_KINDS,
    areas,
    can_edit,
    find_unit,
    float_or_none,
    node_choice,
    picked,
    require_filled,
    require_view,
    required_date,
    unit_from_form,
    unit_or_none,
    values,
)
from civicgrid.territory.models import Node, NodeKind
from civicgrid.volunteers.constants import ServiceType as OrderServiceType
from civicgrid.volunteers.models import ServiceOrder

LIST_AREAS = (NodeKind.COMMUNITY, NodeKind.GRID)
# The columns typed numbers go into: a number beyond one is refused as the service refuses it.
BUDGET = Project._meta.get_field("budget")
QUANTITY = Resource._meta.get_field("quantity")
AMOUNT = ProjectContribution._meta.get_field("amount")


@login_required
def alliances(request: HttpRequest) -> HttpResponse:
    require_view(request)
    qs = (
        selectors.alliances_visible(request.user)
        .select_related("node")
        .annotate(units=Count("memberships", filter=Q(memberships__left_on__isnull=True), distinct=True))
        .order_by("node_path", "name")
    )
    context = {
        "alliances": qs,
        "areas": areas(request.user, (NodeKind.DISTRICT, NodeKind.SUBDISTRICT, NodeKind.COMMUNITY)),
    }
    return render(request, "party/alliances.html", context)


@login_required
@require_POST
def alliance_new(request: HttpRequest) -> HttpResponse:
    def create() -> object:
        return services.alliance_create(
            actor=request.user,
            node=node_choice(request.user, value(request, "node")),
            name=value(request, "name"),
            description=value(request, "description"),
            founded_on=date_or_none(value(request, "founded_on"), "founded_on", _("成立日期")),
        )

    return act(request, create, _("党建联盟已成立"), reverse("party:alliances"))


@login_required
def alliance(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.alliance_get(request.user, pk)
    context = {
        "alliance": found,
        "memberships": found.memberships.select_related("unit").order_by("left_on", "role", "joined_on"),
        "agreements": found.agreements.select_related("unit").order_by("-signed_on"),
        "projects": found.projects.order_by("-created_at")[:50],
        "can_edit": can_edit(request, found.node_path),
        "units": selectors.units_visible(request.user).order_by("name")[:500],
        "roles": AllianceRole.choices,
        "today": date.today().isoformat(),
    }
    return render(request, "party/alliance.html", context)


@login_required
@require_POST
def alliance_act(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.alliance_get(request.user, pk)
    back = reverse("party:alliance", args=[pk])
    action = value(request, "action")
    if action == "join":
        return act(
            request,
            lambda: services.alliance_unit_join(
                actor=request.user,
                alliance=found,
                unit=unit_from_form(request),
                joined_on=required_date(value(request, "joined_on"), "joined_on", _("加入日期")),
                role=value(request, "role") or AllianceRole.MEMBER,
            ),
            _("成员单位已加入"),
            back,
        )
    if action == "leave":
        row = found.memberships.filter(pk=pk_or_none(value(request, "row")) or 0).first()
        if row is None:
            raise NotFound(_("成员单位不存在"))
        return act(
            request,
            lambda: services.alliance_unit_leave(actor=request.user, membership=row, left_on=date.today()),
            _("已退出联盟"),
            back,
        )
    messages.error(request, _("未知的操作"))
    return redirect(back)


# --- needs ------------------------------------------------------------------------------------


@login_required
def needs(request: HttpRequest) -> HttpResponse:
    require_view(request)
    return render(request, "party/needs.html", _needs_context(request))


def _needs_context(request: HttpRequest) -> dict[str, Any]:
    params = request.GET
    qs = selectors.needs_visible(request.user).select_related("node")
    for name in ("status", "category", "source"):
        if params.get(name):
            qs = qs.filter(**{name: params[name]})
    if params.get("micro") == "1":
        qs = qs.filter(is_micro=True)
    return {
        "page": paginate(request, qs.order_by("-created_at", "-id")),
        "query": query_without_page(request),
        "params": params,
        "statuses": NeedStatus.choices,
        "categories": NeedCategory.choices,
        "sources": NeedSource.choices,
        "kinds": ResourceKind.choices,
        "areas": areas(request.user, LIST_AREAS),
        "form": {},
    }


def _listed(
    request: HttpRequest,
    create: Callable[[], object],
    template: str,
    context: Callable[[HttpRequest], dict[str, Any]],
    done: str,
    back: str,
) -> HttpResponse:
    """Run a list's 登记 form: back to the list with ``done``; refused input shows the list
    again with the form open, the reason and what was typed (422); any other refusal goes
    back to the list with its message. The form's one-time token makes a double post (a
    double click, a resent form) write one row; the repeat goes back to the list."""
    try:
        with once.guard(request):
            create()
    except once.Repeated:
        return once.repeated(request, back)
    except ValidationError as exc:
        kept = context(request) | {"form": request.POST, "form_kinds": request.POST.getlist("wanted_kinds")}
        return render(request, template, kept | {"error": unlabelled(exc)}, status=exc.http_status)
    except CivicError as exc:
        messages.error(request, unlabelled(exc))
        return redirect(back)
    messages.success(request, done)
    return redirect(back)


def _form_node(request: HttpRequest) -> Node:
    """The area a 登记 form names; one unknown or out of the user's view (a tampered id) is
    refused as the field's error, the form kept as for any other (422), not a bare redirect."""
    try:
        node = node_choice(request.user, value(request, "node"))
    except NotFound as exc:
        raise ValidationError(unlabelled(exc), field="node") from exc
    if not can(request.user, Capability.PARTY_EDIT, node.path):
        raise ValidationError(_("您无权在该区域登记"), field="node")
    return node


@login_required
@require_POST
def need_new(request: HttpRequest) -> HttpResponse:
    def create() -> object:
        require_filled(request, {"title": _("需求"), "node": _("所在区域")})
        data = services.NeedIn(
            title=value(request, "title"),
            category=value(request, "category"),
            source=value(request, "source"),
            description=value(request, "description"),
            source_ref=value(request, "source_ref"),
            wanted_kinds=values(request, "wanted_kinds"),
            address=value(request, "address"),
            lon=float_or_none(value(request, "lon"), "lon", _("经度")),
            lat=float_or_none(value(request, "lat"), "lat", _("纬度")),
            beneficiaries=int_or_none(
                value(request, "beneficiaries"), "beneficiaries", _("受益人数"), maximum=MAX_BENEFICIARIES
            ),
            is_micro=value(request, "is_micro") == "1",
        )
        return services.need_create(actor=request.user, node=_form_node(request), data=data)

    return _listed(request, create, "party/needs.html", _needs_context, _("需求已列入清单"), "party:needs")


@login_required
def need(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.need_get(request.user, pk)
    return render(request, "party/need.html", _need_context(request, found))


def _need_context(request: HttpRequest, found: Any) -> dict[str, Any]:
    editable = can_edit(request, found.node_path)
    return {
        "need": found,
        "suggestions": selectors.resources_suggest(request.user, found),
        "projects": found.projects.order_by("-created_at"),
        # The need is in the actor's scope, so are the orders made for it (their pages check again).
        "orders": ServiceOrder.objects.filter(origin=origin_of(found)).order_by("-created_at", "-id"),
        "live_orders": LIVE,
        "may_finish": editable and need_may_finish(found),
        "can_edit": editable,
        "alliances": selectors.alliances_visible(request.user).filter(is_active=True).order_by("name")[:100],
        "units": selectors.units_visible(request.user).order_by("name")[:500],
        "members": selectors.members_visible(request.user)
        .filter(is_active=True, resident__isnull=False)
        .order_by("name")[:500],
        "order_types": OrderServiceType.choices,
        "default_type": SERVICE_OF_CATEGORY.get(found.category, ""),
        "today": date.today().isoformat(),
        "form": {},
    }


@login_required
@require_POST
def need_act(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.need_get(request.user, pk)
    back = reverse("party:need", args=[pk])
    action = value(request, "action")
    actor = request.user
    if action == "project":
        alliance_id = value(request, "alliance")
        unit = value(request, "owner_unit")
        try:
            with once.guard(request):  # a double post of the form makes one project
                require_filled(
                    request,
                    {"owner_name": _("负责人"), "starts_on": _("计划开始"), "ends_on": _("计划完成")},
                )
                project = services.project_create(
                    actor=actor,
                    need=found,
                    alliance=picked(actor, alliance_id, selectors.alliance_get),
                    owner_unit=find_unit(actor, unit, "owner_unit") if unit else None,
                    data=services.ProjectIn(
                        title=value(request, "title") or found.title,
                        owner_name=value(request, "owner_name"),
                        starts_on=required_date(value(request, "starts_on"), "starts_on", _("计划开始")),
                        ends_on=required_date(value(request, "ends_on"), "ends_on", _("计划完成")),
                        budget=decimal_or_none(value(request, "budget"), "budget", _("预算"), column=BUDGET)
                        or Decimal("0"),
                        is_micro=value(request, "is_micro") == "1",
                    ),
                )
        except once.Repeated:
            first = once.recall(request, "party:project")
            return once.repeated(request, *(("party:project", first) if first else (back,)))
        except CivicError as exc:  # the form keeps what was typed
            context = _need_context(request, found) | {"form": request.POST, "error": unlabelled(exc)}
            return render(request, "party/need.html", context, status=exc.http_status)
        once.remember(request, "party:project", project.pk)
        messages.success(request, _("项目已立项"))
        return redirect(back)
    if action == "order":
        member = value(request, "member")
        try:
            services.need_order(
                actor=actor,
                need=found,
                service_type=value(request, "service_type"),
                content=value(request, "content"),
                unit=unit_or_none(request),
                member=picked(actor, member, selectors.member_get),
                publish=value(request, "publish") == "1",
            )
        except CivicError as exc:  # the form keeps what was typed, as 立项 does
            context = _need_context(request, found) | {"form": request.POST, "error": unlabelled(exc)}
            return render(request, "party/need.html", context, status=exc.http_status)
        messages.success(request, _("服务单已生成"))
        return redirect(back)
    if action == "close":
        return act(
            request,
            lambda: services.need_close(
                actor=actor,
                need=found,
                reason=value(request, "reason"),
                cancel_taken=value(request, "cancel_taken") == "1",
            ),
            _("需求已关闭"),
            back,
        )
    if action == "finish":
        return act(
            request,
            lambda: services.need_finish(actor=actor, need=found, note=value(request, "note")),
            _("需求已办结"),
            back,
        )
    if action == "order_cancel":
        order_id = pk_or_none(value(request, "order"))
        order = ServiceOrder.objects.filter(origin=origin_of(found), pk=order_id or 0).first()
        if order is None:
            raise NotFound(_("该服务单不属于此需求"))
        return act(
            request,
            lambda: services.need_order_cancel(
                actor=actor, need=found, order=order, reason=value(request, "reason")
            ),
            _("服务单已取消"),
            back,
        )
    messages.error(request, _("未知的操作"))
    return redirect(back)


@login_required
@require_POST
def need_from_request(request: HttpRequest) -> HttpResponse:
    """Put a resident's request (诉求, by its number) on the needs list."""
    from civicgrid.requests.selectors import request_by_number

    def create() -> object:
        found = request_by_number(request.user, value(request, "number"))
        return services.need_from_request(
            actor=request.user,
            request=found,
            category=value(request, "category"),
            is_micro=value(request, "is_micro") == "1",
        )

    return act(request, create, _("诉求已转入需求清单"), reverse("party:needs"))


# --- resources --------------------------------------------------------------------------------


@login_required
def resources(request: HttpRequest) -> HttpResponse:
    require_view(request)
    return render(request, "party/resources.html", _resources_context(request))


def _resources_context(request: HttpRequest) -> dict[str, Any]:
    params = request.GET
    qs = selectors.resources_visible(request.user).select_related("unit", "member", "node")
    if params.get("kind"):
        qs = qs.filter(kind=params["kind"])
    if params.get("active", "1") == "1":
        qs = qs.filter(is_active=True)
    page = paginate(request, qs.order_by("node_path", "kind", "id"))
    return {
        "page": page,
        # Resources of the alliance's units elsewhere are listed (to match needs) but are
        # withdrawn where they were registered.
        "editable": {r.pk for r in page if can_edit(request, r.node_path)},
        "query": query_without_page(request),
        "params": params,
        "kinds": ResourceKind.choices,
        "areas": areas(request.user, AREA_KINDS),
        "units": selectors.units_visible(request.user).order_by("name")[:500],
        "today": timezone.localdate(),
        "form": {},
    }


@login_required
@require_POST
def resource_new(request: HttpRequest) -> HttpResponse:
    def create() -> object:
        data = services.ResourceIn(
            kind=value(request, "kind"),
            title=value(request, "title"),
            description=value(request, "description"),
            quantity=decimal_or_none(value(request, "quantity"), "quantity", _("数量"), column=QUANTITY),
            quantity_unit=value(request, "quantity_unit"),
            address=value(request, "address"),
            lon=float_or_none(value(request, "lon"), "lon", _("经度")),
            lat=float_or_none(value(request, "lat"), "lat", _("纬度")),
            available_until=date_or_none(value(request, "available_until"), "available_until", _("有效期")),
        )
        return services.resource_create(
            actor=request.user,
            node=_form_node(request),
            unit=unit_or_none(request),
            data=data,
        )

    return _listed(
        request, create, "party/resources.html", _resources_context, _("资源已列入清单"), "party:resources"
    )


@login_required
@require_POST
def resource_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.resource_get(request.user, pk)
    return act(
        request,
        lambda: services.resource_withdraw(actor=request.user, resource=found),
        _("资源已下架"),
        reverse("party:resources"),
    )


# --- projects ---------------------------------------------------------------------------------


@login_required
def projects(request: HttpRequest) -> HttpResponse:
    require_view(request)
    params = request.GET
    qs = selectors.projects_visible(request.user).select_related("node", "owner_unit", "need")
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    if params.get("micro") == "1":
        qs = qs.filter(is_micro=True)
    context = {
        "page": paginate(request, qs.order_by("-created_at", "-id")),
        "query": query_without_page(request),
        "params": params,
        "statuses": ProjectStatus.choices,
    }
    return render(request, "party/projects.html", context)


@login_required
def project(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.project_get(request.user, pk)
    nexts = PROJECT_TRANSITIONS.get(found.status, frozenset())
    context = {
        "project": found,
        "contributions": found.contributions.select_related("unit", "resource"),
        "photos": found.photos.all(),
        "history": found.status_changes.select_related("actor"),
        "can_edit": can_edit(request, found.node_path),
        "next_statuses": [(s, ProjectStatus(s).label) for s in ProjectStatus.values if s in nexts],
        "resources": selectors.resources_visible(request.user)
        .filter(is_active=True)
        .select_related("unit")[:300],
        "done": ProjectStatus.DONE,
    }
    return render(request, "party/project.html", context)


@login_required
@require_POST
def project_act(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.project_get(request.user, pk)
    back = reverse("party:project", args=[pk])
    action = value(request, "action")
    actor = request.user
    if action == "status":
        return act(
            request,
            lambda: services.project_status_change(
                actor=actor,
                project=found,
                to_status=value(request, "to_status"),
                note=value(request, "note"),
                results=value(request, "results"),
                done_on=date_or_none(value(request, "done_on"), "done_on", _("完成日期")),
            ),
            _("项目状态已更新"),
            back,
        )
    if action == "contribution":
        resource_id = value(request, "resource")
        unit = value(request, "unit_code")
        return act(
            request,
            lambda: services.project_contribution_add(
                actor=actor,
                project=found,
                resource=picked(actor, resource_id, selectors.resource_get),
                unit=find_unit(actor, unit, "unit_code") if unit else None,
                description=value(request, "description"),
                amount=decimal_or_none(value(request, "amount"), "amount", _("折合金额"), column=AMOUNT),
                points=int_or_none(
                    value(request, "points"), "points", _("盟友力积分"), maximum=MAX_CONTRIBUTION_POINTS
                ),
            ),
            _("投入已记录"),
            back,
        )
    if action == "photo":
        return act(
            request,
            lambda: services.project_photo_add(
                actor=actor,
                project=found,
                upload=request.FILES.get("file"),  # type: ignore[arg-type]
                caption=value(request, "caption"),
            ),
            _("照片已上传"),
            back,
        )
    messages.error(request, _("未知的操作"))
    return redirect(back)


@login_required
def project_photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    row = ProjectPhoto.objects.filter(pk=pk).first()
    if row is None:
        raise NotFound(_("照片不存在"))
    selectors.project_get(request.user, row.project_id)
    response = FileResponse(row.file.open("rb"), content_type=row.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response
