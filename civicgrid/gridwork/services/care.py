"""Care for special groups: care plans (who is visited, by whom, how often) and household visits.

A plan's ``next_due_on`` moves with each visit (last visit + interval). The light is green
until ``CARE_YELLOW_DAYS`` before the due day, yellow until the due day has passed, then red;
``care_scan`` raises each yellow and red once to the grid leaders.

A visit made on the spot (入户, 门口/楼下) by a grid worker lies in their own grids, or near
one's boundary (``check_place``), like a finding; a 电话问候 is made from anywhere and is not
judged by place, nor is a visit made by community staff (not a worker of the visited grid).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext

from civicgrid.accounts.models import Role, RoleAssignment
from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can, require
from civicgrid.core import crypto
from civicgrid.core.audit import audit_write, snapshot
from civicgrid.core.errors import NotFound, PermissionDenied, ValidationError
from civicgrid.gridwork.constants import (
    CARE_INTERVAL_DAYS,
    CARE_YELLOW_DAYS,
    DEFAULT_CARE_INTERVAL_DAYS,
    Light,
    Verb,
    VisitKind,
    Wellbeing,
)
from civicgrid.gridwork.models import CarePlan, CareWarning, Patrol, Visit
from civicgrid.gridwork.permissions import grid_leaders
from civicgrid.gridwork.services.common import (
    PlaceOf,
    Saved,
    check_key,
    check_moment,
    check_photos,
    check_place,
    check_point,
    check_text,
    claim,
    own_patrol,
    replay,
    save_photos,
)
from civicgrid.notify.models import Channel as NotifyChannel
from civicgrid.notify.services import notify
from civicgrid.registry.models import Household, Resident
from civicgrid.requests.permissions import SYSTEM
from civicgrid.territory.models import Node, NodeKind

PLAN_AUDIT_FIELDS = ["resident", "interval_days", "assignee", "next_due_on", "is_active", "note"]


def light_for(due: date, today: date) -> str:
    if due < today:
        return Light.RED
    if (due - today).days <= CARE_YELLOW_DAYS:
        return Light.YELLOW
    return Light.GREEN


def interval_for(tag_codes: list[str]) -> int:
    return min((CARE_INTERVAL_DAYS.get(c, DEFAULT_CARE_INTERVAL_DAYS) for c in tag_codes), default=0)


def _special_tags(resident: Resident) -> list[tuple[str, str]]:
    return list(resident.tags.filter(is_special_group=True).order_by("code").values_list("code", "name"))


def grid_of(node: Node) -> Node | None:
    if node.kind == NodeKind.GRID:
        return node
    return Node.objects.filter(pk__in=node.ancestor_ids, kind=NodeKind.GRID).first()


def _check_interval(errors: dict[str, list[str]], days: int | None) -> None:
    if days is not None and not 1 <= days <= 365:
        errors["interval_days"] = [gettext("走访周期应在1到365天之间")]


def _check_assignee(errors: dict[str, list[str]], assignee: Any, path: str) -> None:
    if assignee is not None and not can(assignee, Capability.PATROL, path):
        errors["assignee"] = [gettext("走访人应为该居民所在网格的网格员")]


def _grid_worker_of(grid: Node | None) -> Any:
    if grid is None:
        return None
    found = RoleAssignment.objects.filter(node=grid, role=Role.GRID_WORKER, user__is_active=True)
    row = found.select_related("user").order_by("id").first()
    return row.user if row else None


@transaction.atomic
def care_plan_create(
    *,
    actor: Any,
    resident: Resident,
    interval_days: int | None = None,
    assignee: Any = None,
    note: str = "",
    started_on: date | None = None,
) -> CarePlan:
    resident = Resident.objects.select_related("node").get(pk=resident.pk)
    require(actor, Capability.GRIDWORK_MANAGE, resident.node_path)
    errors: dict[str, list[str]] = {}
    tags = _special_tags(resident)
    if not tags:
        errors["resident"] = [gettext("该居民没有重点关爱人群标签，请先在实有人口中添加")]
    if not resident.is_active:
        errors["resident"] = [gettext("该居民已不在册")]
    _check_interval(errors, interval_days)
    _check_assignee(errors, assignee, resident.node_path)
    if len(note) > 255:
        errors["note"] = [gettext("备注最长255个字")]
    if errors:
        raise ValidationError(errors=errors)
    grid = grid_of(resident.node)
    start = started_on or timezone.localdate()
    days = interval_days or interval_for([c for c, _ in tags])
    plan = CarePlan(
        node=resident.node,
        node_path=resident.node_path,
        resident=resident,
        grid=grid,
        groups="、".join(n for _, n in tags),
        interval_days=days,
        assignee=assignee if assignee is not None else _grid_worker_of(grid),
        started_on=start,
        next_due_on=start + timedelta(days=days),
        note=note.strip(),
    )
    plan.light = light_for(plan.next_due_on, timezone.localdate())
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError as exc:
        raise ValidationError(gettext("该居民已有关爱计划"), field="resident") from exc
    audit_write(
        actor=actor,
        verb=Verb.CARE_PLAN_CREATED,
        target=plan,
        node=plan.node,
        after=snapshot(plan, PLAN_AUDIT_FIELDS),
    )
    return plan


@transaction.atomic
def care_plans_generate(*, actor: Any, node: Node) -> int:
    """A plan for every resident of a special group under ``node`` who has none yet.

    The first visits are spread over each plan's interval (by resident id), so that a
    new plan list does not fall due all on one day. Returns how many plans were made.
    """
    require(actor, Capability.GRIDWORK_MANAGE, node.path)
    today = timezone.localdate()
    residents = (
        Resident.objects.filter(node_path__startswith=node.path, is_active=True, tags__is_special_group=True)
        .exclude(care_plans__is_active=True)
        .distinct()
        .select_related("node")
        .prefetch_related("tags")
    )
    grids = {n.pk: n for n in Node.objects.filter(kind=NodeKind.GRID, path__startswith=_grid_root(node).path)}
    workers: dict[int, Any] = {}
    plans: list[CarePlan] = []
    for r in residents:
        tags = sorted((t.code, t.name) for t in r.tags.all() if t.is_special_group)
        days = interval_for([c for c, _ in tags])
        grid = next((grids[int(i)] for i in r.node_path.strip("/").split("/") if int(i) in grids), None)
        if grid is not None and grid.pk not in workers:
            workers[grid.pk] = _grid_worker_of(grid)
        due = today + timedelta(days=1 + r.pk % days)
        plans.append(
            CarePlan(
                node=r.node,
                node_path=r.node_path,
                resident=r,
                grid=grid,
                groups="、".join(n for _, n in tags),
                interval_days=days,
                assignee=workers.get(grid.pk) if grid else None,
                started_on=today,
                next_due_on=due,
                light=light_for(due, today),
            )
        )
    CarePlan.objects.bulk_create(plans, batch_size=1000)
    audit_write(
        actor=actor,
        verb=Verb.CARE_PLANS_GENERATED,
        target=node,
        node=node,
        after={"created": len(plans)},
    )
    return len(plans)


def _grid_root(node: Node) -> Node:
    """The node whose subtree holds every grid a resident under ``node`` may belong to."""
    return grid_of(node) or node


def _locked_plan(actor: Any, plan: CarePlan) -> CarePlan:
    locked = CarePlan.objects.select_for_update().select_related("node").filter(pk=plan.pk).first()
    if locked is None:
        raise NotFound(gettext("关爱计划不存在"))
    require(actor, Capability.GRIDWORK_MANAGE, locked.node_path)
    return locked


def _reschedule(plan: CarePlan, today: date) -> None:
    last = timezone.localdate(plan.last_visit_at) if plan.last_visit_at else plan.started_on
    plan.next_due_on = last + timedelta(days=plan.interval_days)
    plan.light = light_for(plan.next_due_on, today)


@transaction.atomic
def care_plan_update(
    *,
    actor: Any,
    plan: CarePlan,
    interval_days: int | None = None,
    assignee: Any = None,
    note: str | None = None,
) -> CarePlan:
    locked = _locked_plan(actor, plan)
    if not locked.is_active:
        raise ValidationError(gettext("关爱计划已结束"))
    errors: dict[str, list[str]] = {}
    _check_interval(errors, interval_days)
    _check_assignee(errors, assignee, locked.node_path)
    if note is not None and len(note) > 255:
        errors["note"] = [gettext("备注最长255个字")]
    if errors:
        raise ValidationError(errors=errors)
    before = snapshot(locked, PLAN_AUDIT_FIELDS)
    if interval_days is not None:
        locked.interval_days = interval_days
    if assignee is not None:
        locked.assignee = assignee
    if note is not None:
        locked.note = note.strip()
    _reschedule(locked, timezone.localdate())
    locked.save(update_fields=["interval_days", "assignee", "note", "next_due_on", "light"])
    audit_write(
        actor=actor,
        verb=Verb.CARE_PLAN_UPDATED,
        target=locked,
        node=locked.node,
        before=before,
        after=snapshot(locked, PLAN_AUDIT_FIELDS),
    )
    return locked


@transaction.atomic
def care_plan_end(*, actor: Any, plan: CarePlan, reason: str) -> CarePlan:
    locked = _locked_plan(actor, plan)
    if not locked.is_active:
        return locked
    if not reason.strip():
        raise ValidationError(gettext("请填写结束原因"), field="reason")
    _end(actor, locked, reason.strip(), timezone.localdate())
    return locked


def _end(actor: Any, locked: CarePlan, reason: str, day: date) -> None:
    """End a locked plan on ``day`` with ``reason``, and its audit row."""
    locked.is_active = False
    locked.ended_on = day
    locked.note = reason[:255]
    locked.save(update_fields=["is_active", "ended_on", "note"])
    audit_write(
        actor=actor,
        verb=Verb.CARE_PLAN_ENDED,
        target=locked,
        node=locked.node,
        after={"ended_on": locked.ended_on, "reason": locked.note},
    )


def care_plans_end_for_left_resident(*, actor: Any, resident: Resident) -> list[str]:
    """Called by the registry, in its transaction, when ``resident`` leaves the register
    (迁出, 死亡, 其他; ``registry.services.resident_update``, authorised there): their active
    care plans end on the day they left, so no overdue visit is warned about any more.
    Returns what it did, for the registry's audit row and message."""
    plans = list(
        CarePlan.objects.select_for_update().filter(resident=resident, is_active=True).order_by("id")
    )
    reason = gettext("居民{status}").format(status=resident.left_summary)
    for plan in plans:
        _end(actor, plan, reason, resident.left_on or timezone.localdate())
    if not plans:
        return []
    return [gettext("结束关爱走访计划 {count} 项").format(count=len(plans))]


# --- visits ---------------------------------------------------------------------------------


@dataclass
class VisitIn:
    found: str
    care_plan: CarePlan | None = None
    resident: Resident | None = None
    household: Household | None = None
    kind: str = VisitKind.HOME
    wellbeing: str = Wellbeing.GOOD
    needs: str = ""
    visited_at: datetime | None = None
    lon: float | None = None
    lat: float | None = None
    patrol_key: str = ""
    photos: list[UploadedFile] = field(default_factory=list)


def _visit_target(data: VisitIn) -> tuple[Node, Resident | None, Household | None, CarePlan | None]:
    plan, resident, household = data.care_plan, data.resident, data.household
    if plan is not None:
        resident = plan.resident
    elif resident is not None:
        plan = CarePlan.objects.filter(resident=resident, is_active=True).first()
    if resident is not None:
        household = household or resident.household
        return resident.node, resident, household, plan
    if household is not None:
        return household.node, None, household, None
    raise ValidationError(gettext("请选择走访对象（居民或户）"), field="resident")


def _may_visit(actor: Any, path: str) -> None:
    if not (can(actor, Capability.PATROL, path) or can(actor, Capability.GRIDWORK_MANAGE, path)):
        raise PermissionDenied(gettext("只能走访自己负责网格内的居民"))


def _visit_errors(data: VisitIn, now: datetime) -> tuple[dict[str, list[str]], datetime]:
    errors: dict[str, list[str]] = {}
    check_text(errors, "found", data.found, gettext("走访情况"), required=True)
    check_text(errors, "needs", data.needs, gettext("困难与诉求"), required=False)
    if data.kind not in VisitKind.values:
        errors["kind"] = [gettext("走访方式取值无效")]
    if data.wellbeing not in Wellbeing.values:
        errors["wellbeing"] = [gettext("情况取值无效")]
    check_point(errors, data.lon, data.lat)
    errors.update(check_photos(data.photos))
    visited = now
    try:
        visited = check_moment(data.visited_at, "visited_at", now=now)
    except ValidationError as exc:
        errors.update(exc.errors)
    return errors, visited


def _check_visit_place(actor: Any, data: VisitIn, node: Node) -> None:
    """Where a visit on the spot was recorded, when a worker of that grid made it."""
    if data.kind == VisitKind.PHONE or not can(actor, Capability.PATROL, node.path):
        return
    check_place(actor, data.lon, data.lat, of=PlaceOf.VISIT)


def _count_visit(plan: CarePlan, visited: datetime) -> None:
    locked = CarePlan.objects.select_for_update().get(pk=plan.pk)
    CarePlan.objects.filter(pk=plan.pk).update(visit_count=F("visit_count") + 1)
    if locked.last_visit_at is None or visited > locked.last_visit_at:
        locked.last_visit_at = visited
        _reschedule(locked, timezone.localdate())
        locked.save(update_fields=["last_visit_at", "next_due_on", "light"])


def _alert_leaders(visit: Visit, grid: Node | None) -> None:
    """A visit that found someone in urgent need goes to the grid leader at once."""
    if grid is None:
        return
    who = visit.resident.name if visit.resident else str(visit.household)
    for position in grid_leaders(grid):
        notify(
            dedupe_key=f"gridwork:urgent-visit:{visit.pk}:{position.pk}",
            channel=NotifyChannel.SMS,
            recipient_user=position.user,
            recipient_label=position.holder_name,
            address=crypto.decrypt(position.phone_enc),
            subject=gettext("走访发现需紧急帮扶：{who}").format(who=crypto.mask_name(who)),
            body=f"{grid.name} {crypto.mask_name(who)}：{visit.found[:60]}",
            target=visit,
        )


@transaction.atomic
def visit_record(*, actor: Any, client_key: str, data: VisitIn) -> Saved[Visit]:
    """Record a household visit; a visit under a care plan moves the plan's next due day."""
    key = check_key(client_key)
    found = replay(Visit, key, actor)
    if found is not None:
        return Saved(found, False)
    node, resident, household, plan = _visit_target(data)
    _may_visit(actor, node.path)
    now = timezone.now()
    errors, visited = _visit_errors(data, now)
    patrol: Patrol | None = None
    try:
        patrol = own_patrol(actor, data.patrol_key)
    except ValidationError as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationError(errors=errors)
    _check_visit_place(actor, data, node)

    def create() -> Visit:
        visit = Visit.objects.create(
            node=node,
            node_path=node.path,
            worker=actor,
            patrol=patrol,
            client_key=key,
            visited_at=visited,
            day=timezone.localdate(visited),
            kind=data.kind,
            resident=resident,
            household=household,
            care_plan=plan,
            wellbeing=data.wellbeing,
            found=data.found.strip(),
            needs=data.needs.strip(),
            lon=data.lon,
            lat=data.lat,
        )
        save_photos(data.photos, actor=actor, visit=visit)
        if plan is not None and plan.is_active:
            _count_visit(plan, visited)
        if visit.wellbeing == Wellbeing.URGENT:
            _alert_leaders(visit, plan.grid if plan else grid_of(node))
        audit_write(
            actor=actor,
            verb=Verb.VISIT_RECORDED,
            target=visit,
            node=node,
            after={
                "resident": resident.pk if resident else None,
                "household": household.pk if household else None,
                "care_plan": plan.pk if plan else None,
                "wellbeing": visit.wellbeing,
                "photos": len(data.photos),
            },
        )
        return visit

    return claim(Visit, key, actor, create)


# --- the traffic-light scan ---------------------------------------------------------------


def _warn(plan: CarePlan, light: str, now: datetime) -> bool:
    """Light the plan and, the first time for this due day and light, tell the grid leaders."""
    if plan.light != light:
        plan.light = light
        plan.save(update_fields=["light"])
    try:
        with transaction.atomic():
            warning = CareWarning.objects.create(
                plan=plan, due_on=plan.next_due_on, light=light, raised_at=now
            )
    except IntegrityError:
        return False
    who = crypto.mask_name(plan.resident.name)
    late = (timezone.localdate(now) - plan.next_due_on).days
    text = (
        gettext("已超期{late}天").format(late=late)
        if light == Light.RED
        else gettext("应于{next_due_on:%m-%d}前走访").format(next_due_on=plan.next_due_on)
    )
    grid = plan.grid
    leaders = grid_leaders(grid) if grid is not None else []
    for position in leaders:
        notify(
            dedupe_key=f"gridwork:care:{warning.pk}:{position.pk}",
            channel=NotifyChannel.SMS,
            recipient_user=position.user,
            recipient_label=position.holder_name,
            address=crypto.decrypt(position.phone_enc),
            subject=(
                gettext("【走访超期】{who}") if light == Light.RED else gettext("【走访临期】{who}")
            ).format(who=who),
            # never the care category (严重精神障碍患者, 社区矫正 …): sensitive personal information
            body=gettext("{grid} 关爱对象{who}：{text}").format(
                grid=grid.name if grid else "", who=who, text=text
            ),
            target=plan,
        )
    warning.notified = len(leaders)
    warning.save(update_fields=["notified"])
    audit_write(
        actor=SYSTEM,
        verb=Verb.CARE_WARNING_RAISED,
        target=plan,
        node=plan.node,
        after={"light": light, "due_on": plan.next_due_on, "notified": len(leaders)},
    )
    return True


def _unwarned(light: str) -> Any:
    """Active plans in this light today that have no warning yet for their current due day."""
    return ~Exists(
        CareWarning.objects.filter(plan=OuterRef("pk"), due_on=OuterRef("next_due_on"), light=light)
    )


def care_scan(now: datetime | None = None, limit: int = 10_000) -> dict[str, int]:
    """Warn about every visit coming due (yellow) or overdue (red) that has not been warned about.

    Driven by state, not by time windows: a plan is picked while it is yellow or red and has
    no warning for its due day and light (however it got there: the days passing, a late
    visit synced from a phone, a longer interval), so running twice, or after a pause,
    raises each warning exactly once.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    active = CarePlan.objects.filter(is_active=True)
    red = active.filter(_unwarned(Light.RED), next_due_on__lt=today)
    yellow = active.filter(
        _unwarned(Light.YELLOW),
        next_due_on__gte=today,
        next_due_on__lte=today + timedelta(days=CARE_YELLOW_DAYS),
    )
    due = list(red.order_by("next_due_on").values_list("id", flat=True)[:limit])
    due += list(yellow.order_by("next_due_on").values_list("id", flat=True)[:limit])
    checked = raised = 0
    for pk in due:
        with transaction.atomic():
            plan = (
                CarePlan.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("resident", "grid", "node")
                .filter(pk=pk, is_active=True)
                .first()
            )
            if plan is None:
                continue
            checked += 1
            light = light_for(plan.next_due_on, today)
            if light != Light.GREEN:
                raised += _warn(plan, light, now)
    return {"checked": checked, "warnings": raised}
