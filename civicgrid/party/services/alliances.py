"""Alliances and the three lists (需求 · 资源 · 项目), micro-projects and alliance points."""

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import shapely
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can, require
from civicgrid.core.audit import audit_write, snapshot
from civicgrid.core.errors import Conflict, ValidationError
from civicgrid.core.validators import decimal_value, whole_value
from civicgrid.party.constants import (
    ALLIANCE_NODE_LEVEL,
    DEFAULT_CONTRIBUTION_POINTS,
    MAX_BENEFICIARIES,
    MAX_CONTRIBUTION_POINTS,
    MICRO_PROJECT_MAX_BUDGET,
    PHOTO_TYPES,
    POINTS_SOURCE,
    PROJECT_TRANSITIONS,
    AllianceRole,
    NeedCategory,
    NeedSource,
    NeedStatus,
    ProjectStatus,
    ResourceKind,
    Verb,
)
from civicgrid.party.models import (
    Alliance,
    AllianceMember,
    Need,
    PartyMember,
    Project,
    ProjectContribution,
    ProjectPhoto,
    ProjectStatusChange,
    Resource,
)
from civicgrid.party.services.common import (
    Errors,
    add,
    check_upload,
    choice,
    choice_list,
    party_day,
    raise_if,
    text,
)
from civicgrid.party.services.orders import need_orders_withdraw
from civicgrid.registry.models import Organisation
from civicgrid.requests.permissions import text_for_anyone
from civicgrid.territory import topology
from civicgrid.territory.geometry import check_lon_lat, metres_apart
from civicgrid.territory.locator import locator
from civicgrid.territory.models import Node, NodeKind
from civicgrid.territory.services import node_for_update

logger = logging.getLogger(__name__)

# A project planned (started or finished) further ahead than this is a typing mistake.
PROJECT_YEARS_AHEAD = 5

NEED_AUDIT_FIELDS = ["title", "category", "source", "source_ref", "request", "node", "is_micro", "status"]
RESOURCE_AUDIT_FIELDS = ["unit", "member", "kind", "title", "quantity", "quantity_unit", "node", "is_active"]
PROJECT_AUDIT_FIELDS = [
    "title",
    "need",
    "alliance",
    "owner_name",
    "owner_unit",
    "budget",
    "starts_on",
    "ends_on",
    "is_micro",
    "status",
    "node",
]
LIST_NODE_KINDS = (
    NodeKind.COMMUNITY,
    NodeKind.GRID,
    NodeKind.COMPOUND,
    NodeKind.BUILDING,
    NodeKind.SUBDISTRICT,
)


def _by(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _point(errors: Errors, node: Node, lon: float | None, lat: float | None) -> None:
    """A need's or resource's point: valid WGS-84 and in or near the area chosen for it
    (a field error on 经度 otherwise)."""
    if lon is None and lat is None:
        return
    try:
        check_lon_lat(lon, lat)
    except ValidationError as exc:
        for name, reasons in exc.errors.items():
            for reason in reasons:
                add(errors, name, reason)
        return
    assert lon is not None and lat is not None
    if reason := _place_problem(node, lon, lat):
        add(errors, "lon", reason)


def _place_problem(node: Node, lon: float, lat: float) -> str:
    """Why the point cannot be where ``node`` is; "" when it can. The point is to lie in the
    polygon of ``node`` or of its nearest ancestor that has one, or near it as "near" is for
    the members' H5 page and the locator (``LOCATOR_NEAREST_METRES``). With no polygon on
    the way up, the grids still tell the territory: a point in no grid nor near one (which
    the H5 page refuses) is outside it."""
    path_ids = [*node.path_ids]
    areas = topology.nearest_areas([path_ids])
    area = next((areas[i] for i in reversed(path_ids) if i in areas), None)
    if area is None:
        if locator.index().tree is not None and locator.locate(lon, lat) is None:
            return _("该位置不在辖区内（附近也没有网格），请核对经纬度")
        return ""
    if shapely.intersects_xy(area.geom, lon, lat):
        return ""
    metres = metres_apart(shapely.Point(lon, lat), area.geom)
    if metres <= max(topology.POINT_TOLERANCE_M, settings.LOCATOR_NEAREST_METRES):
        return ""
    return _("该位置不在所选区域{label}的范围内（相距约{km:.1f}公里），请核对经纬度或所在区域").format(
        label=area.label, km=metres / 1000
    )


# --- alliances ------------------------------------------------------------------------------


@transaction.atomic
def alliance_create(
    *, actor: Any, node: Node, name: str, description: str = "", founded_on: date | None = None
) -> Alliance:
    """An alliance at the district, subdistrict or community (``node``); one active alliance
    of a name at a place (two at once: the lock on the node makes the second see the first)."""
    require(actor, Capability.PARTY_EDIT, node.path)
    node = node_for_update(node)
    errors: Errors = {}
    level = ALLIANCE_NODE_LEVEL.get(node.kind)
    if level is None:
        add(errors, "node", _("党建联盟建在区、街道或社区"))
    name = text(errors, "name", name, _("联盟名称"), 100, required=True)
    if name and Alliance.objects.filter(node=node, name=name, is_active=True).exists():
        add(errors, "name", _("{place}已有党建联盟“{name}”").format(place=node.name, name=name))
    description = text(errors, "description", description, _("简介"), 2000, required=False)
    party_day(errors, "founded_on", founded_on, _("成立日期"), today=timezone.localdate())
    raise_if(errors)
    assert level is not None
    alliance = Alliance.objects.create(
        node=node, node_path=node.path, name=name, level=level, description=description, founded_on=founded_on
    )
    audit_write(
        actor=actor,
        verb=Verb.ALLIANCE_CREATED,
        target=alliance,
        node=node,
        after=snapshot(alliance, ["name", "level", "node", "founded_on"]),
    )
    return alliance


@transaction.atomic
def alliance_unit_join(
    *, actor: Any, alliance: Alliance, unit: Organisation, joined_on: date, role: str = AllianceRole.MEMBER
) -> AllianceMember:
    alliance = Alliance.objects.select_for_update().get(pk=alliance.pk)
    require(actor, Capability.PARTY_EDIT, alliance.node_path)
    errors: Errors = {}
    if not alliance.is_active:
        add(errors, "alliance", _("该联盟已撤销"))
    choice(errors, "role", role, AllianceRole, _("成员角色"))
    party_day(errors, "joined_on", joined_on, _("加入日期"), today=timezone.localdate())
    if alliance.founded_on is not None and joined_on is not None and joined_on < alliance.founded_on:
        add(
            errors,
            "joined_on",
            _("加入日期不能早于联盟成立日期（{day}）").format(day=alliance.founded_on.isoformat()),
        )
    if AllianceMember.objects.filter(alliance=alliance, unit=unit, left_on__isnull=True).exists():
        add(errors, "unit", _("{name}已是该联盟成员单位").format(name=unit.name))
    if role == AllianceRole.LEAD:
        # One lead at a time; the alliance's lock above serialises two joins as lead.
        lead = (
            AllianceMember.objects.filter(alliance=alliance, role=AllianceRole.LEAD, left_on__isnull=True)
            .select_related("unit")
            .first()
        )
        if lead is not None:
            add(
                errors,
                "role",
                _("该联盟已有牵头单位（{name}）；请以成员单位加入，或待其退出后再设牵头单位").format(
                    name=lead.unit.name
                ),
            )
    raise_if(errors)
    try:
        with transaction.atomic():
            row = AllianceMember.objects.create(
                alliance=alliance,
                unit=unit,
                role=role,
                joined_on=joined_on,
                node=alliance.node,
                node_path=alliance.node_path,
            )
    except IntegrityError as exc:
        raise ValidationError(_("{name}已是该联盟成员单位").format(name=unit.name), field="unit") from exc
    audit_write(
        actor=actor,
        verb=Verb.ALLIANCE_UNIT_JOINED,
        target=row,
        node=alliance.node,
        after={"alliance": alliance.pk, "unit": unit.pk, "role": role, "joined_on": joined_on.isoformat()},
    )
    return row


@transaction.atomic
def alliance_unit_leave(*, actor: Any, membership: AllianceMember, left_on: date) -> AllianceMember:
    row = AllianceMember.objects.select_for_update().get(pk=membership.pk)
    require(actor, Capability.PARTY_EDIT, row.node_path)
    if row.left_on is not None:
        raise Conflict(_("该单位已退出联盟"))
    if left_on < row.joined_on:
        raise ValidationError(_("退出日期不能早于加入日期"), field="left_on")
    row.left_on = left_on
    row.save(update_fields=["left_on"])
    audit_write(
        actor=actor,
        verb=Verb.ALLIANCE_UNIT_LEFT,
        target=row,
        node=row.node,
        after={"alliance": row.alliance_id, "unit": row.unit_id, "left_on": left_on.isoformat()},
    )
    return row


# --- needs -------------------------------------------------------------------------------------


@dataclass
class NeedIn:
    title: str
    category: str
    source: str
    description: str = ""
    source_ref: str = ""
    wanted_kinds: list[str] | None = None
    address: str = ""
    lon: float | None = None
    lat: float | None = None
    beneficiaries: int | None = None
    is_micro: bool = False


def _check_need(errors: Errors, node: Node, data: NeedIn) -> list[str]:
    if node.kind not in LIST_NODE_KINDS:
        add(errors, "node", _("需求所在区域应为街道、社区、网格、小区或楼栋"))
    data.title = text(errors, "title", data.title, _("需求"), 200, required=True)
    data.description = text(errors, "description", data.description, _("具体情况"), 5000, required=False)
    choice(errors, "category", data.category, NeedCategory, _("需求类别"))
    choice(errors, "source", data.source, NeedSource, _("需求来源"))
    data.source_ref = text(errors, "source_ref", data.source_ref, _("来源说明"), 100, required=False)
    data.address = text(errors, "address", data.address, _("地点"), 255, required=False)
    data.beneficiaries = whole_value(
        data.beneficiaries,
        errors=errors,
        field="beneficiaries",
        label=_("受益人数"),
        maximum=MAX_BENEFICIARIES,
        required=False,
    )
    _point(errors, node, data.lon, data.lat)
    return choice_list(errors, "wanted_kinds", data.wanted_kinds or [], ResourceKind, _("资源类型"))


@transaction.atomic
def need_create(*, actor: Any, node: Node, data: NeedIn, request: Any = None, resident: Any = None) -> Need:
    """An entry of the needs list, from residents, councils, requests, grid visits or units."""
    require(actor, Capability.PARTY_EDIT, node.path)
    errors: Errors = {}
    kinds = _check_need(errors, node, data)
    raise_if(errors)
    need = Need.objects.create(
        node=node,
        node_path=node.path,
        title=data.title,
        description=data.description,
        category=data.category,
        source=data.source,
        source_ref=data.source_ref,
        request=request,
        wanted_kinds=kinds,
        address=data.address,
        lon=data.lon,
        lat=data.lat,
        beneficiaries=data.beneficiaries,
        is_micro=data.is_micro,
        created_by=_by(actor),
    )
    audit_write(
        actor=actor, verb=Verb.NEED_CREATED, target=need, node=node, after=snapshot(need, NEED_AUDIT_FIELDS)
    )
    return need


def need_from_request(*, actor: Any, request: Any, category: str, is_micro: bool = False) -> Need:
    """Put a resident's request (诉求) on the needs list, where it happened. Its text as it
    goes where the reader is not known (``text_for_anyone``): a request hiding its requester
    has the phones and ID numbers typed into it masked, for the need, its page and the
    service orders made from it are read by people not shown who filed it."""
    require(actor, Capability.PARTY_EDIT, request.node_path)
    if _listed(request):
        raise _already_listed()
    data = NeedIn(
        title=text_for_anyone(request)[:200],
        category=category,
        source=NeedSource.REQUEST,
        description=text_for_anyone(request, "content"),
        source_ref=request.number,
        address=text_for_anyone(request, "address"),
        lon=request.lon,
        lat=request.lat,
        is_micro=is_micro,
    )
    try:
        with transaction.atomic():
            return need_create(actor=actor, node=request.node, data=data, request=request)
    except IntegrityError as exc:
        # Two at once both passed the check above: the partial unique index
        # (party_one_open_need_per_request) kept one, the other is told the same.
        if _listed(request):
            raise _already_listed() from exc
        raise


def _listed(request: Any) -> bool:
    """The request is on the needs list, in an entry not closed."""
    return Need.objects.filter(request=request).exclude(status=NeedStatus.CLOSED).exists()


def _already_listed() -> ValidationError:
    return ValidationError(_("该诉求已在需求清单中"), field="request")


@transaction.atomic
def need_close(*, actor: Any, need: Need, reason: str, cancel_taken: bool = False) -> Need:
    """Close a need; its orders nobody took are cancelled with the reason (no longer offered
    in the halls). One already being served stops the closing unless ``cancel_taken``
    (then it is cancelled too and its taker told): see ``orders.need_orders_withdraw``."""
    need = Need.objects.select_for_update().get(pk=need.pk)
    require(actor, Capability.PARTY_EDIT, need.node_path)
    if need.status in (NeedStatus.DONE, NeedStatus.CLOSED):
        raise Conflict(_("该需求已是「{status}」").format(status=need.get_status_display()))
    errors: Errors = {}
    reason = text(errors, "reason", reason, _("关闭原因"), 255, required=True)
    raise_if(errors)
    before = need.status
    need.status = NeedStatus.CLOSED  # saved first: the orders' cancelling then leaves it alone
    need.save(update_fields=["status"])
    cancelled = need_orders_withdraw(actor=actor, need=need, reason=reason, taken_too=cancel_taken)
    audit_write(
        actor=actor,
        verb=Verb.NEED_CLOSED,
        target=need,
        node=need.node,
        before={"status": before},
        after={"status": need.status, "reason": reason, "orders_cancelled": [o.pk for o in cancelled]},
    )
    return need


# --- resources ----------------------------------------------------------------------------------


@dataclass
class ResourceIn:
    kind: str
    title: str
    description: str = ""
    quantity: Decimal | None = None
    quantity_unit: str = ""
    address: str = ""
    lon: float | None = None
    lat: float | None = None
    available_until: date | None = None


@transaction.atomic
def resource_create(
    *,
    actor: Any,
    node: Node,
    data: ResourceIn,
    unit: Organisation | None = None,
    member: PartyMember | None = None,
) -> Resource:
    """An entry of the resources list: a venue, funds, skills, volunteers... a unit or member offers."""
    require(actor, Capability.PARTY_EDIT, node.path)
    errors: Errors = {}
    choice(errors, "kind", data.kind, ResourceKind, _("资源类型"))
    if unit is None and member is None:
        add(errors, "unit", _("请选择提供资源的单位或党员"))
    data.title = text(errors, "title", data.title, _("资源"), 200, required=True)
    data.description = text(errors, "description", data.description, _("说明"), 2000, required=False)
    data.quantity_unit = text(errors, "quantity_unit", data.quantity_unit, _("计量单位"), 20, required=False)
    data.address = text(errors, "address", data.address, _("地点"), 255, required=False)
    data.quantity = decimal_value(
        data.quantity,
        errors=errors,
        field="quantity",
        label=_("数量"),
        column=Resource._meta.get_field("quantity"),
        required=False,
    )
    _point(errors, node, data.lon, data.lat)
    if data.available_until is not None and data.available_until < timezone.localdate():
        add(errors, "available_until", _("有效期至不能早于今天（已过期的资源无需登记）"))
    raise_if(errors)
    resource = Resource.objects.create(
        node=node,
        node_path=node.path,
        unit=unit,
        member=member,
        kind=data.kind,
        title=data.title,
        description=data.description,
        quantity=data.quantity,
        quantity_unit=data.quantity_unit,
        address=data.address,
        lon=data.lon,
        lat=data.lat,
        available_until=data.available_until,
        created_by=_by(actor),
    )
    audit_write(
        actor=actor,
        verb=Verb.RESOURCE_CREATED,
        target=resource,
        node=node,
        after=snapshot(resource, RESOURCE_AUDIT_FIELDS),
    )
    return resource


@transaction.atomic
def resource_withdraw(*, actor: Any, resource: Resource) -> Resource:
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    require(actor, Capability.PARTY_EDIT, resource.node_path)
    if not resource.is_active:
        raise Conflict(_("该资源已下架"))
    resource.is_active = False
    resource.save(update_fields=["is_active"])
    audit_write(
        actor=actor,
        verb=Verb.RESOURCE_UPDATED,
        target=resource,
        node=resource.node,
        before={"is_active": True},
        after={"is_active": False},
    )
    return resource


# --- projects -------------------------------------------------------------------------------


@dataclass
class ProjectIn:
    title: str
    owner_name: str
    starts_on: date
    ends_on: date
    budget: Decimal = Decimal("0")
    is_micro: bool = False


def _check_project(errors: Errors, data: ProjectIn) -> None:
    data.title = text(errors, "title", data.title, _("项目名称"), 200, required=True)
    data.owner_name = text(errors, "owner_name", data.owner_name, _("负责人"), 50, required=True)
    if data.starts_on is None or data.ends_on is None:
        add(errors, "starts_on", _("请填写计划开始和完成日期"))
    else:
        latest = _years_after(timezone.localdate(), PROJECT_YEARS_AHEAD)
        party_day(errors, "starts_on", data.starts_on, _("计划开始日期"), today=None)
        for field, day, label in (
            ("starts_on", data.starts_on, _("计划开始日期")),
            ("ends_on", data.ends_on, _("计划完成日期")),
        ):
            if day > latest:
                add(
                    errors,
                    field,
                    _("{label}不能晚于{latest}（{years}年内）").format(
                        label=label, latest=latest.isoformat(), years=PROJECT_YEARS_AHEAD
                    ),
                )
        if data.ends_on < data.starts_on:
            add(errors, "ends_on", _("计划完成日期不能早于开始日期"))
    budget = decimal_value(
        data.budget, errors=errors, field="budget", label=_("预算"), column=Project._meta.get_field("budget")
    )
    if budget is None:
        return
    data.budget = budget
    if data.is_micro and budget > MICRO_PROJECT_MAX_BUDGET:
        add(
            errors,
            "budget",
            _("微实事项目预算不超过{micro_project_max_budget}元").format(
                micro_project_max_budget=MICRO_PROJECT_MAX_BUDGET
            ),
        )


@transaction.atomic
def project_create(
    *,
    actor: Any,
    data: ProjectIn,
    need: Need | None = None,
    node: Node | None = None,
    alliance: Any = None,
    owner_unit: Organisation | None = None,
) -> Project:
    """A project: a need matched with resources, an owner, a budget and a schedule."""
    if need is not None:
        need = Need.objects.select_for_update().get(pk=need.pk)
        node = need.node
    if node is None:
        raise ValidationError(_("请选择需求或项目所在区域"), field="node")
    require(actor, Capability.PARTY_EDIT, node.path)
    errors: Errors = {}
    if need is not None and need.status in (NeedStatus.DONE, NeedStatus.CLOSED):
        add(
            errors,
            "need",
            _("该需求已是「{status}」").format(status=need.get_status_display()),
        )
    if need is not None:  # under the need's row lock: two posts at once make one project
        live = need.projects.filter(status__in=(ProjectStatus.PLANNED, ProjectStatus.IN_PROGRESS)).first()
        if live is not None:
            add(
                errors,
                "need",
                _("该需求已有项目「{title}」（{status}），不能重复立项").format(
                    title=live.title, status=live.get_status_display()
                ),
            )
    data.is_micro = data.is_micro or bool(need and need.is_micro)
    if alliance is not None and not can(actor, Capability.PARTY_VIEW, alliance.node_path):
        add(errors, "alliance", _("所选联盟不在您的管辖范围内"))
    _check_project(errors, data)
    raise_if(errors)
    project = Project.objects.create(
        node=node,
        node_path=node.path,
        title=data.title,
        need=need,
        alliance=alliance,
        owner_name=data.owner_name,
        owner_unit=owner_unit,
        budget=data.budget,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        is_micro=data.is_micro,
        created_by=_by(actor),
    )
    ProjectStatusChange.objects.create(
        project=project, to_status=project.status, actor=_by(actor), note=_("立项")
    )
    if need is not None and need.status in (NeedStatus.OPEN, NeedStatus.ORDERED):
        need.status = NeedStatus.MATCHED
        need.save(update_fields=["status"])
    audit_write(
        actor=actor,
        verb=Verb.PROJECT_CREATED,
        target=project,
        node=node,
        after=snapshot(project, PROJECT_AUDIT_FIELDS),
    )
    return project


@transaction.atomic
def project_status_change(
    *,
    actor: Any,
    project: Project,
    to_status: str,
    note: str = "",
    results: str = "",
    done_on: date | None = None,
) -> Project:
    """Move a project along planned → in progress → done (or cancelled); done needs results."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    require(actor, Capability.PARTY_EDIT, project.node_path)
    if to_status not in PROJECT_TRANSITIONS.get(project.status, frozenset()):
        label = ProjectStatus(to_status).label if to_status in ProjectStatus.values else to_status
        raise Conflict(
            _("项目当前是「{status}」，不能改为「{label}」").format(
                status=project.get_status_display(), label=label
            )
        )
    errors: Errors = {}
    note = text(errors, "note", note, _("说明"), 255, required=to_status == ProjectStatus.CANCELLED)
    if to_status == ProjectStatus.DONE:
        results = text(errors, "results", results, _("实施成效"), 5000, required=True)
        done_on = done_on or timezone.localdate()
        started = _started_on(project)
        if done_on > timezone.localdate():
            add(errors, "done_on", _("完成日期不能晚于今天"))
        elif done_on < started:
            add(
                errors,
                "done_on",
                _("完成日期不能早于项目开始日期（{day}）").format(day=started.isoformat()),
            )
    raise_if(errors)
    before = project.status
    project.status = to_status
    fields = ["status", "updated_at"]
    if to_status == ProjectStatus.DONE:
        project.results, project.done_on = results, done_on
        fields += ["results", "done_on"]
    project.save(update_fields=fields)
    ProjectStatusChange.objects.create(
        project=project, from_status=before, to_status=to_status, actor=_by(actor), note=note
    )
    _need_follows(project)
    audit_write(
        actor=actor,
        verb=Verb.PROJECT_STATUS_CHANGED,
        target=project,
        node=project.node,
        before={"status": before},
        after={"status": to_status, "note": note},
    )
    if to_status == ProjectStatus.DONE:
        project_points_award(actor=actor, project=project)
    return project


def _started_on(project: Project) -> date:
    """When a project began: its planned start, or the day it went in progress if earlier
    (work may begin ahead of the plan)."""
    moved = (
        project.status_changes.filter(to_status=ProjectStatus.IN_PROGRESS)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if moved is None:
        return project.starts_on
    return min(project.starts_on, timezone.localdate(moved))


def _need_follows(project: Project) -> None:
    if project.need_id is None:
        return
    need = Need.objects.select_for_update().get(pk=project.need_id)
    if project.status == ProjectStatus.DONE:
        need.status = NeedStatus.DONE
    elif project.status == ProjectStatus.CANCELLED:
        live = need.projects.exclude(status=ProjectStatus.CANCELLED).exists()
        if not live and need.status == NeedStatus.MATCHED:
            need.status = NeedStatus.OPEN
    need.save(update_fields=["status"])


@transaction.atomic
def project_contribution_add(
    *,
    actor: Any,
    project: Project,
    description: str,
    resource: Resource | None = None,
    unit: Organisation | None = None,
    amount: Decimal | None = None,
    points: int | None = None,
) -> ProjectContribution:
    """What a unit (from the resources list, or directly) put into a project."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    require(actor, Capability.PARTY_EDIT, project.node_path)
    errors: Errors = {}
    if project.status == ProjectStatus.CANCELLED:
        add(errors, "project", _("项目已取消"))
    if resource is not None:
        unit = resource.unit or unit
        if not resource.is_active:
            add(errors, "resource", _("该资源已下架"))
    if unit is None and (resource is None or resource.member_id is None):
        add(errors, "unit", _("请选择投入资源的单位"))
    description = text(errors, "description", description, _("投入内容"), 255, required=True)
    amount = decimal_value(
        amount,
        errors=errors,
        field="amount",
        label=_("折合金额"),
        column=ProjectContribution._meta.get_field("amount"),
        required=False,
    )
    if points is None:
        points = DEFAULT_CONTRIBUTION_POINTS.get(resource.kind, 10) if resource else 10
    if not 0 <= points <= MAX_CONTRIBUTION_POINTS:
        add(
            errors,
            "points",
            _("盟友力积分应在0到{max_contribution_points}之间").format(
                max_contribution_points=MAX_CONTRIBUTION_POINTS
            ),
        )
    raise_if(errors)
    row = ProjectContribution.objects.create(
        project=project,
        resource=resource,
        unit=unit,
        member=resource.member if resource is not None else None,
        description=description,
        amount=amount,
        points=points if unit is not None else 0,
    )
    audit_write(
        actor=actor,
        verb=Verb.PROJECT_CONTRIBUTION_ADDED,
        target=project,
        node=project.node,
        after={"contribution": row.pk, "unit": unit.pk if unit else None, "points": row.points},
    )
    if project.status == ProjectStatus.DONE:
        project_points_award(actor=actor, project=project)
        row.refresh_from_db(fields=["points_awarded_at"])  # set there on its own copy of the row
    return row


def _points_earn() -> Any:
    """``civicgrid.points.services.points_earn`` (the ledger of the volunteers issue), if present."""
    try:
        from civicgrid.points import services as points_services
    except ImportError:
        return None
    return getattr(points_services, "points_earn", None)


def project_points_award(*, actor: Any, project: Project) -> int:
    """Credit each contributing unit's alliance points (盟友力积分) on the points ledger, once.

    Runs when a project is done (and for contributions recorded after that); a contribution
    is credited once (``points_awarded_at``; the ledger also sees the same ``source_ref``).
    When the ledger is not installed, nothing is credited and a later call catches up.
    """
    earn = _points_earn()
    if earn is None:
        logger.warning("points ledger not available; alliance points of project %s wait", project.pk)
        return 0
    with transaction.atomic():
        due = (
            ProjectContribution.objects.select_for_update(of=("self",))
            .select_related("unit")
            .filter(project=project, points_awarded_at__isnull=True, unit__isnull=False, points__gt=0)
        )
        credited = 0
        for row in due:
            # The ledger's "system" actor: this service has authorised the action (PARTY_EDIT).
            earn(
                actor=None,
                holder=row.unit,
                amount=row.points,
                source=POINTS_SOURCE,
                source_ref=f"project:{project.pk}:contribution:{row.pk}",
                node=project.node,
                note=_("盟友力积分：{title}（{description}）").format(
                    title=project.title, description=row.description
                )[:200],
            )
            row.points_awarded_at = timezone.now()
            row.save(update_fields=["points_awarded_at"])
            credited += row.points
    return credited


@transaction.atomic
def project_photo_add(
    *, actor: Any, project: Project, upload: UploadedFile, caption: str = ""
) -> ProjectPhoto:
    """A photo of the results (晒单)."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    require(actor, Capability.PARTY_EDIT, project.node_path)
    errors: Errors = {}
    check_upload(errors, "file", upload, PHOTO_TYPES, _("JPG、PNG 或 WEBP 图片"))
    caption = text(errors, "caption", caption, _("说明"), 200, required=False)
    raise_if(errors)
    photo = ProjectPhoto.objects.create(
        project=project,
        file=upload,
        caption=caption,
        content_type=upload.content_type or "",
        size=upload.size or 0,
        uploaded_by=_by(actor),
    )
    audit_write(
        actor=actor,
        verb=Verb.PROJECT_PHOTO_ADDED,
        target=project,
        node=project.node,
        after={"photo": photo.pk, "caption": caption},
    )
    return photo
