"""The engine of the mirror: rows as the services leave them, history rows, dispatch.

A service starts by locking the row, i.e. reading it back from the database, where
datetimes come back in UTC; ``_begin`` converts them the same way, because some of
them end up as ISO strings in the history rows.
"""

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from civicgrid.requests import deadlines
from civicgrid.requests import transitions as t
from civicgrid.requests.constants import Action, AssignmentRole, Status, UnitKind, unit_level
from civicgrid.requests.demo_history.world import World
from civicgrid.requests.models import (
    Approval,
    CouncilOutcome,
    DispatchRule,
    HandlingUnit,
    Rating,
    Request,
    Whistle,
    WhistleSummons,
    WorkOrder,
)
from civicgrid.requests.permissions import SYSTEM
from civicgrid.requests.services.dispatch import Assignment, assignment_data, dispatch_note
from civicgrid.requests.services.dispatch import overridden as dispatch_overridden
from civicgrid.requests.services.engine import actor_name

DATETIME_FIELDS = (
    "received_at",
    "dispatched_at",
    "responded_at",
    "replied_at",
    "closed_at",
    "due_response_at",
    "due_resolution_at",
    "suspended_at",
    "next_check_at",
    "created_at",
    "updated_at",
)


class MirrorError(RuntimeError):
    """The history asked for something the services would refuse (a bug in the stories)."""


class Ref:
    """A row whose primary key exists only once it is written (resolved by the writer)."""

    __slots__ = ("obj",)

    def __init__(self, obj: Any) -> None:
        self.obj = obj


@dataclass(slots=True)
class EventRow:
    """A ``RequestEvent`` to be written (plain values: cheaper than 20,000 model instances)."""

    action: str
    from_status: str
    to_status: str
    actor_id: int | None
    actor_name: str
    unit_id: int | None
    note: str
    data: dict[str, Any]
    created_at: datetime


@dataclass(slots=True)
class WarningRow:
    """A ``DeadlineWarning`` to be written."""

    clock: str
    light: str
    due_at: datetime
    created_at: datetime


@dataclass(eq=False)
class Life:
    """One request and every row that its history writes."""

    index: int
    rng: random.Random
    req: Request = field(default=None)  # type: ignore[assignment]
    orders: list[WorkOrder] = field(default_factory=list)
    events: list[EventRow] = field(default_factory=list)
    ratings: list[Rating] = field(default_factory=list)
    approvals: list[Approval] = field(default_factory=list)
    whistles: list[Whistle] = field(default_factory=list)
    summonses: list[WhistleSummons] = field(default_factory=list)
    councils: list[CouncilOutcome] = field(default_factory=list)
    warnings: list[WarningRow] = field(default_factory=list)
    merged_into: "Life | None" = None
    supervisions: int = 0  # 督办 so far (each history row is numbered, as the service does)

    def active_orders(self, role: str | None = None) -> list[WorkOrder]:
        return [o for o in self.orders if o.is_active and (role is None or o.role == role)]


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def event_row(
    actor: Any, action: str, from_status: str, to_status: str, now: datetime, **kw: Any
) -> EventRow:
    """What ``engine.finish`` (or intake) writes as the history row."""
    user = _user(actor)
    unit = kw.get("unit")
    return EventRow(
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor_id=user.pk if user is not None else None,
        actor_name=actor_name(actor),
        unit_id=unit.pk if unit is not None else None,
        note=kw.get("note", ""),
        data=kw.get("data") or {},
        created_at=now,
    )


def ceil_minute(moment: datetime) -> datetime:
    """When the every-minute deadline scan first sees ``moment``."""
    moment = moment.astimezone(UTC)
    floor = moment.replace(second=0, microsecond=0)
    return floor if floor == moment else floor + timedelta(minutes=1)


class Engine:
    def __init__(self, world: World) -> None:
        self.world = world
        self.grid_nodes = {g.node.pk: g.node for g in world.grids}

    # -- engine ----------------------------------------------------------------------

    def _begin(self, life: Life, action: str) -> Request:
        req = life.req
        for name in DATETIME_FIELDS:
            value = getattr(req, name)
            if value is not None:
                setattr(req, name, value.astimezone(UTC))
        if req.status not in t.TRANSITIONS[action].sources:
            raise MirrorError(f"{req.number}: {action} from {req.status}")
        return req

    def _finish(
        self,
        life: Life,
        actor: Any,
        action: str,
        now: datetime,
        *,
        note: str = "",
        data: dict[str, Any] | None = None,
        unit: HandlingUnit | None = None,
        target: str | None = "",
    ) -> None:
        req = life.req
        rule = t.TRANSITIONS[action]
        from_status = req.status
        to_status = rule.target if target == "" else target
        if to_status == t.PREVIOUS:
            to_status = req.status_before or Status.IN_PROGRESS
        if to_status and to_status != from_status:
            if to_status in (Status.RETURN_PENDING, Status.SUSPENDED):
                req.status_before = from_status
            req.status = to_status
        req.version += 1
        deadlines.refresh_light(req, now)
        req.updated_at = now
        life.events.append(
            event_row(actor, action, from_status, req.status, now, unit=unit, note=note, data=data)
        )

    # -- dispatch --------------------------------------------------------------------

    def match_rule(self, req: Request) -> Assignment | None:
        code = req.category.code if req.category else ""
        for rule in self.world.rules:
            if rule.category_prefix and not code.startswith(rule.category_prefix):
                continue
            if rule.area is not None and not req.node_path.startswith(rule.area.path):
                continue
            lead = self._rule_target(rule, req)
            if lead is None or not lead.is_active:
                continue
            assisting = [u for u in self.world.rule_assisting[rule.pk] if u.pk != lead.pk]
            copies = [rule.copy_to] if rule.copy_to and rule.copy_to.pk != lead.pk else []
            return Assignment(
                lead=lead, assisting=assisting, copy=copies, rule=rule, label=f"规则：{rule.name}"
            )
        return None

    def _rule_target(self, rule: Any, req: Request) -> HandlingUnit | None:

        target = DispatchRule.Target
        if rule.target == target.LOCATION_SUBDISTRICT:
            return self.world.unit_for_place(req.node_path, UnitKind.SUBDISTRICT)
        if rule.target == target.LOCATION_COMMUNITY:
            return self.world.unit_for_place(req.node_path, UnitKind.COMMUNITY)
        if rule.target == target.CATEGORY_UNIT:
            return req.category.responsible_unit if req.category else None
        return rule.unit

    def _whistle_end(
        self, life: Life, whistle: Whistle, outcome: str, now: datetime
    ) -> tuple[str, list[HandlingUnit]]:
        """As ``whistle._whistle_end``: closed, its 吹哨召集 orders end; the note and the absent."""
        whistle.outcome, whistle.closed_at = outcome, now
        for order in life.active_orders():
            if order.whistle is whistle:
                order.is_active = False
        absent = [s.unit for s in life.summonses if s.whistle is whistle and s.reported_at is None]
        note = f"吹哨处置结果：{outcome}"
        if absent:
            note += "（未报到：{}）".format("、".join(u.name for u in absent))
        return note, absent

    def _whistles_end(
        self, life: Life, actor: Any, now: datetime, *, why: str, keep_lead: HandlingUnit | None = None
    ) -> None:
        """As ``whistle.whistles_end``: the open whistles (but ``keep_lead``'s) end, each on the timeline."""
        for whistle in life.whistles:
            if whistle.closed_at is not None or (
                keep_lead is not None and whistle.summoning_unit is keep_lead
            ):
                continue
            note, absent = self._whistle_end(life, whistle, f"{why}，吹哨结束", now)
            data = {"whistle": Ref(whistle), "ended": True, "not_reported": [u.pk for u in absent]}
            row = event_row(
                actor, Action.NOTE, "", "", now, unit=whistle.summoning_unit, note=note, data=data
            )
            life.events.append(row)

    def _assign(self, life: Life, actor: Any, a: Assignment, now: datetime) -> None:
        self._whistles_end(life, actor, now, why="牵头单位变更", keep_lead=a.lead)
        for order in life.active_orders():
            if order.whistle is None or order.whistle.closed_at is not None:
                order.is_active = False
        roles = (
            [(a.lead, AssignmentRole.LEAD)]
            + [(u, AssignmentRole.ASSIST) for u in a.assisting]
            + [(u, AssignmentRole.COPY) for u in a.copy]
        )
        for unit, role in roles:
            life.orders.append(
                WorkOrder(
                    request=life.req,
                    unit=unit,
                    role=role,
                    is_active=True,
                    rule=a.rule,
                    rule_label=a.label[:200],
                    dispatched_by=_user(actor),
                    dispatched_at=now,
                )
            )
        req = life.req
        req.lead_unit = a.lead
        req.level = unit_level(a.lead.kind)
        req.dispatched_at = now
        req.responded_at = None
        req.replied_at = None
        if req.category is not None:
            deadlines.set_deadlines(req, req.category, now, self.world.cal)

    def _auto_dispatch(self, life: Life, now: datetime) -> None:
        self._begin(life, Action.DISPATCH)
        found = self.match_rule(life.req)
        if found is None:
            return
        self._assign(life, SYSTEM, found, now)
        data = assignment_data(found)
        self._finish(life, SYSTEM, Action.DISPATCH, now, note=found.label, unit=found.lead, data=data)

    def dispatch(
        self,
        life: Life,
        now: datetime,
        *,
        actor: Any,
        category: Any = None,
        lead_unit: HandlingUnit | None = None,
        note: str = "",
    ) -> None:
        req = self._begin(life, Action.DISPATCH)
        if category is not None:
            req.category = category
        rule = self.match_rule(req)
        overridden: dict[str, Any] = {}
        if lead_unit is not None:
            found: Assignment | None = Assignment(lead=lead_unit, label=f"人工指定（{actor_name(actor)}）")
            overridden = dispatch_overridden(rule, lead_unit, note)
        else:
            found = rule
        if found is None:
            raise MirrorError(f"{req.number}: no rule")
        self._assign(life, actor, found, now)
        data = assignment_data(found) | ({"overridden": overridden} if overridden else {})
        note = dispatch_note(found, rule, overridden, note)
        self._finish(life, actor, Action.DISPATCH, now, note=note, unit=found.lead, data=data)
