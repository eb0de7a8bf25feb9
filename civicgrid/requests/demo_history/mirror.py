"""The request services, mirrored in memory: the same fields, rows and clocks, no queries.

Each method does what the service of the same name does (``services/intake.py``,
``dispatch.py``, ``handling.py``, ``rating.py``, ``whistle.py``, ``warnings.scan_one``),
step for step, on unsaved model instances, and uses the same pure helpers for
everything that is computed (``deadlines.set_deadlines``, ``refresh_light``,
``shift_for_pause``, ``extend``, ``running_clocks``; ``intake.validate``; the transition
table). What is deliberately left out: notifications (a replayed history must never
text anybody) and the per-action audit rows (the build writes one audit row instead).
``tests/test_demo_history.py`` replays a history through the real services and checks
that the rows are identical.
"""

from datetime import date, datetime
from typing import Any

from django.utils import timezone

from civicgrid.requests import deadlines
from civicgrid.requests import transitions as t
from civicgrid.requests.constants import (
    Action,
    AssignmentRole,
    Channel,
    Light,
    RequestType,
    Resolution,
    Satisfaction,
    Status,
)
from civicgrid.requests.demo_history.detours import Detours
from civicgrid.requests.demo_history.engine import (
    Life,
    MirrorError,
    Ref,
    WarningRow,
    _user,
    ceil_minute,
    event_row,
)
from civicgrid.requests.models import Rating, WorkOrder
from civicgrid.requests.permissions import REQUESTER, SYSTEM
from civicgrid.requests.services.dispatch import Assignment, assignment_data
from civicgrid.requests.services.intake import NewRequest, number_of, request_row, validate
from civicgrid.requests.services.warnings import CLOCK_LABELS
from civicgrid.territory.locator import locator
from civicgrid.territory.models import Node

__all__ = ["Life", "Mirror", "MirrorError", "ceil_minute"]


class Mirror(Detours):
    # -- intake ----------------------------------------------------------------------

    def _locate(self, data: NewRequest) -> tuple[Node, float | None, float | None]:
        if data.building is not None:
            lon, lat = data.lon, data.lat
            if lon is None and data.building.lon is not None:
                lon, lat = data.building.lon, data.building.lat
            return data.building, lon, lat
        assert data.lon is not None and data.lat is not None
        found = locator.locate(data.lon, data.lat, crs=data.crs)
        if found is None:
            raise MirrorError(f"point outside every grid: {data.lon},{data.lat}")
        node = self.grid_nodes.get(found.grid.id) or Node.objects.get(pk=found.grid.id)
        return node, data.lon, data.lat

    def _number(self, day: date) -> str:
        last = self.world.counters.get(day, 0) + 1
        self.world.counters[day] = last
        return number_of(day, last)

    def create(
        self, life: Life, now: datetime, *, actor: Any, data: NewRequest, dispatch: bool = True
    ) -> None:
        errors = validate(data)
        if errors:
            raise MirrorError(str(errors))
        node, lon, lat = self._locate(data)
        req = request_row(
            data,
            number=self._number(timezone.localdate(now)),
            node=node,
            lon=lon,
            lat=lat,
            received_at=now,
            created_by=_user(actor),
        )
        req.created_at = req.updated_at = now
        life.req = req
        note = f"{Channel(data.channel).label}受理"
        receive = event_row(
            actor, Action.RECEIVE, "", Status.RECEIVED, now, note=note, data={"channel": data.channel}
        )
        life.events.append(receive)
        if dispatch and data.category is not None and data.type != RequestType.CONSULTATION:
            self._auto_dispatch(life, now)

    def direct_close(self, life: Life, now: datetime, *, actor: Any, answer: str) -> None:
        req = self._begin(life, Action.DIRECT_CLOSE)
        req.direct_answer = answer.strip()
        req.closed_at = now
        req.replied_at = now
        self._finish(life, actor, Action.DIRECT_CLOSE, now, note=answer.strip())

    # -- handling --------------------------------------------------------------------

    def _lead_orders(self, life: Life) -> list[WorkOrder]:
        return life.active_orders(AssignmentRole.LEAD)

    def sign(self, life: Life, now: datetime, *, actor: Any) -> None:
        req = self._begin(life, Action.SIGN)
        if req.responded_at is None:  # as the service: an escalated request's answer stays
            req.responded_at = now
        for order in self._lead_orders(life):
            order.signed_at = now
        self._finish(life, actor, Action.SIGN, now, unit=req.lead_unit)

    def start(self, life: Life, now: datetime, *, actor: Any) -> None:
        req = self._begin(life, Action.START)
        self._finish(life, actor, Action.START, now, unit=req.lead_unit)

    def reply(self, life: Life, now: datetime, *, actor: Any, reply: str) -> None:
        req = self._begin(life, Action.REPLY)
        req.replied_at = now
        if req.responded_at is None:
            req.responded_at = now
        for order in self._lead_orders(life):
            order.replied_at, order.reply = now, reply.strip()
        self._finish(life, actor, Action.REPLY, now, note=reply.strip(), unit=req.lead_unit)

    def verify(self, life: Life, now: datetime, *, actor: Any, confirmed: bool, note: str) -> None:
        req = self._begin(life, Action.VERIFY)
        if confirmed:
            self._finish(life, actor, Action.VERIFY, now, note=note.strip(), data={"confirmed": True})
            return
        req.replied_at = None
        for order in self._lead_orders(life):
            order.replied_at = None
        data = {"confirmed": False}
        self._finish(life, actor, Action.VERIFY, now, note=note.strip(), data=data, target=Status.IN_PROGRESS)

    # -- callback, rating, closing ---------------------------------------------------

    def _rating(self, life: Life, actor: Any, now: datetime, via: str, **answers: Any) -> Rating:
        req = life.req
        rating = Rating(
            request=req,
            round=req.reopen_count + 1,
            unit=req.lead_unit,
            node_path=req.node_path,
            month=timezone.localdate(now).replace(day=1),
            contacted=answers["contacted"],
            resolution=answers["resolution"],
            satisfaction=answers["satisfaction"],
            comment=answers["comment"].strip(),
            via=via,
            rated_by=_user(actor),
            created_at=now,
        )
        life.ratings.append(rating)
        return rating

    @staticmethod
    def _rating_data(rating: Rating) -> dict[str, Any]:
        return {
            "rating": Ref(rating),
            "round": rating.round,
            "contacted": rating.contacted,
            "resolution": rating.resolution,
            "satisfaction": rating.satisfaction,
        }

    def _close(self, life: Life, actor: Any, now: datetime, note: str = "") -> None:
        life.req.closed_at = now
        self._whistles_end(life, actor, now, why="诉求已办结")
        self._finish(life, actor, Action.CLOSE, now, note=note)

    def rate(self, life: Life, now: datetime, **answers: Any) -> None:
        self._begin(life, Action.RATE)
        rating = self._rating(life, REQUESTER, now, Rating.Via.LINK, **answers)
        self._finish(
            life, REQUESTER, Action.RATE, now, note=answers["comment"], data=self._rating_data(rating)
        )
        if answers["satisfaction"] == Satisfaction.UNSATISFIED and answers["resolution"] != Resolution.SOLVED:
            self.reopen(life, now, actor=SYSTEM, reason=f"诉求人评价不满意：{answers['comment'] or '未说明'}")
        else:
            self._close(life, SYSTEM, now, note="诉求人已评价")

    def callback(self, life: Life, now: datetime, *, actor: Any, reopen: bool, **answers: Any) -> None:
        self._begin(life, Action.CALLBACK)
        rating = self._rating(life, actor, now, Rating.Via.CALLBACK, **answers)
        self._finish(
            life, actor, Action.CALLBACK, now, note=answers["comment"], data=self._rating_data(rating)
        )
        if reopen:
            self.reopen(life, now, actor=actor, reason=answers["comment"] or "回访不满意，重办")
        else:
            self._close(life, actor, now)

    def close(self, life: Life, now: datetime, *, actor: Any, note: str = "") -> None:
        req = self._begin(life, Action.CLOSE)
        needs_callback = req.category is not None and req.category.needs_callback
        if req.status != Status.CALLED_BACK and needs_callback and not note.strip():
            raise MirrorError(f"{req.number}: close without callback needs a note")
        self._close(life, actor, now, note=note.strip())

    def reopen(self, life: Life, now: datetime, *, actor: Any, reason: str) -> None:
        req = self._begin(life, Action.REOPEN)
        req.reopen_count += 1
        req.closed_at = None
        assert req.lead_unit is not None
        assisting = [o.unit for o in life.active_orders(AssignmentRole.ASSIST) if o.whistle is None]
        found = Assignment(lead=req.lead_unit, assisting=assisting, label=f"重办（第{req.reopen_count}次）")
        # as ``dispatch.copies_keep``: the 抄送 units still active stay copied
        taken = {found.lead.pk, *(u.pk for u in assisting)}
        for order in sorted(life.active_orders(AssignmentRole.COPY), key=lambda o: o.unit.pk):
            if order.unit.is_active and order.unit.pk not in taken:
                taken.add(order.unit.pk)
                found.copy.append(order.unit)
        self._assign(life, actor, found, now)
        data = assignment_data(found) | {"reopen_count": req.reopen_count}
        self._finish(life, actor, Action.REOPEN, now, note=reason.strip(), unit=found.lead, data=data)

    # -- the deadline scan -----------------------------------------------------------

    def scan(self, life: Life, now: datetime) -> None:
        """``warnings.scan_one`` at ``now``: warn once per clock, colour and deadline."""
        req = life.req
        if req.status not in t.OPEN:
            return
        self._begin(life, Action.WARN)
        raised = 0
        for clock in deadlines.running_clocks(req):
            light = clock.light(now)
            if light == Light.GREEN:
                continue
            key = (clock.name, light, clock.due)
            if any((w.clock, w.light, w.due_at) == key for w in life.warnings):
                continue
            life.warnings.append(WarningRow(clock.name, light, clock.due, now))
            raised += 1
            data: dict[str, Any] = {"clock": clock.name, "light": light, "due": clock.due.isoformat()}
            if light == Light.RED and not req.supervised:
                req.supervised = True
                life.supervisions += 1  # counted as the service counts it (handling.supervisions)
                note = f"{CLOCK_LABELS[clock.name]}超期，自动督办"
                data["supervised"] = True
            else:
                note = f"{CLOCK_LABELS[clock.name]}{Light(light).label}"
            self._finish(life, SYSTEM, Action.WARN, now, note=note, data=data, target=None)
        if raised == 0:
            deadlines.refresh_light(req, now)
