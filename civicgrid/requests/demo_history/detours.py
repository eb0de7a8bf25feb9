"""Detours of the mirror: returns, extensions, suspension, long-running, supervision,
merging, whistles and the three-party council (as ``services/handling.py``,
``dispatch.py`` and ``whistle.py`` do them)."""

from datetime import date, datetime, time
from typing import Any

from django.utils import timezone

from civicgrid.requests import deadlines
from civicgrid.requests import transitions as t
from civicgrid.requests.constants import Action, ApprovalKind, ApprovalState, AssignmentRole, Status
from civicgrid.requests.demo_history.engine import Engine, Life, Ref, _user, event_row
from civicgrid.requests.models import (
    Approval,
    CouncilOutcome,
    HandlingUnit,
    Whistle,
    WhistleSummons,
    WorkOrder,
)
from civicgrid.requests.permissions import text_for_anyone
from civicgrid.requests.services.handling import MERGED_FROM_KEY


class Detours(Engine):
    def return_(self, life: Life, now: datetime, *, actor: Any, reason: str, not_ours: bool) -> None:
        action = Action.NOT_OURS if not_ours else Action.RETURN_REQUEST
        req = self._begin(life, action)
        approval = Approval(
            request=req,
            kind=ApprovalKind.RETURN,
            unit=req.lead_unit,
            requested_by=actor,
            reason=reason.strip(),
            not_ours=not_ours,
        )
        approval.created_at = now
        life.approvals.append(approval)
        data = {"approval": Ref(approval)}
        self._finish(life, actor, action, now, note=reason.strip(), unit=req.lead_unit, data=data)

    def _pending(self, life: Life, kind: str) -> Approval:
        return next(a for a in life.approvals if a.kind == kind and a.state == ApprovalState.PENDING)

    def _decide(self, approval: Approval, actor: Any, approve: bool, note: str, now: datetime) -> None:
        approval.state = ApprovalState.APPROVED if approve else ApprovalState.REJECTED
        approval.decided_by, approval.decided_at, approval.decision_note = actor, now, note

    def return_decide(self, life: Life, now: datetime, *, actor: Any, approve: bool, note: str = "") -> None:
        action = Action.RETURN_APPROVE if approve else Action.RETURN_REJECT
        req = self._begin(life, action)
        approval = self._pending(life, ApprovalKind.RETURN)
        self._decide(approval, actor, approve, note, now)
        unit = req.lead_unit
        if approve:
            self._whistles_end(life, actor, now, why="已同意退单")
            for order in life.active_orders():
                order.is_active = False
            req.lead_unit = None
            req.level = ""
            req.dispatched_at = req.responded_at = None
            req.due_response_at = req.due_resolution_at = None
        self._finish(life, actor, action, now, note=note, unit=unit, data={"approval": Ref(approval)})

    def extend(self, life: Life, now: datetime, *, actor: Any, amount: float, reason: str) -> None:
        req = self._begin(life, Action.EXTEND_REQUEST)
        approval = Approval(
            request=req,
            kind=ApprovalKind.EXTENSION,
            unit=req.lead_unit,
            requested_by=actor,
            reason=reason.strip(),
            extend_amount=amount,
        )
        approval.created_at = now
        life.approvals.append(approval)
        data = {"approval": Ref(approval), "amount": amount, "unit": req.extension_unit}
        self._finish(
            life, actor, Action.EXTEND_REQUEST, now, note=reason.strip(), unit=req.lead_unit, data=data
        )

    def extend_decide(self, life: Life, now: datetime, *, actor: Any, approve: bool, note: str = "") -> None:
        action = Action.EXTEND_APPROVE if approve else Action.EXTEND_REJECT
        req = self._begin(life, action)
        approval = self._pending(life, ApprovalKind.EXTENSION)
        self._decide(approval, actor, approve, note, now)
        before = req.due_resolution_at
        if approve and approval.extend_amount:
            deadlines.extend(req, approval.extend_amount, self.world.cal)
        after = req.due_resolution_at
        data = {
            "approval": Ref(approval),
            "due_before": before.isoformat() if before else None,
            "due_after": after.isoformat() if after else None,
        }
        self._finish(life, actor, action, now, note=note, data=data)

    def suspend(self, life: Life, now: datetime, *, actor: Any, reason: str) -> None:
        req = self._begin(life, Action.SUSPEND)
        req.suspended_at = now
        self._finish(life, actor, Action.SUSPEND, now, note=reason.strip())

    def resume(self, life: Life, now: datetime, *, actor: Any, note: str = "") -> None:
        req = self._begin(life, Action.RESUME)
        paused_from = req.suspended_at or now
        before = req.due_resolution_at
        deadlines.shift_for_pause(req, paused_from, now, self.world.cal)
        req.suspended_at = None
        after = req.due_resolution_at
        data = {
            "paused_from": paused_from.isoformat(),
            "due_before": before.isoformat() if before else None,
            "due_after": after.isoformat() if after else None,
        }
        self._finish(life, actor, Action.RESUME, now, note=note, data=data)

    def long_running(self, life: Life, now: datetime, *, actor: Any, plan: str, plan_until: date) -> None:
        req = self._begin(life, Action.LONG_RUNNING)
        before = req.due_resolution_at
        req.due_resolution_at = datetime.combine(
            plan_until, time(23, 59, 59), timezone.get_current_timezone()
        )
        data = {
            "plan_until": plan_until.isoformat(),
            "due_before": before.isoformat() if before else None,
            "due_after": req.due_resolution_at.isoformat(),
        }
        self._finish(life, actor, Action.LONG_RUNNING, now, note=plan.strip(), data=data)

    def supervise(self, life: Life, now: datetime, *, actor: Any, note: str) -> None:
        req = self._begin(life, Action.SUPERVISE)
        req.supervised = True
        life.supervisions += 1
        data = {"round": life.supervisions}
        self._finish(life, actor, Action.SUPERVISE, now, note=note.strip(), data=data)

    def merge(self, life: Life, now: datetime, *, actor: Any, into: Life, paused_ok: bool = False) -> bool:
        """Merged only when both are still open at that moment (else nothing happens); the
        operator of the demo confirms a merge into a paused one (``paused_ok``), as a page would ask."""
        target = into.req
        if target.status in (Status.MERGED, Status.CLOSED):
            return False
        if life.req.status not in t.TRANSITIONS[Action.MERGE].sources:
            return False
        req = self._begin(life, Action.MERGE)
        life.merged_into = into
        req.closed_at = now
        self._whistles_end(life, actor, now, why=f"诉求已合并至 {target.number}")
        for order in life.active_orders():
            order.is_active = False
        data = {"into": Ref(target)}
        self._finish(life, actor, Action.MERGE, now, note=f"合并至 {target.number}", data=data)
        # As ``request_merge``: the target's timeline says who merged which request into it.
        note = f"诉求 {req.number}「{text_for_anyone(req)}」作为重复件合并至本件"
        into.events.append(
            event_row(actor, Action.NOTE, "", "", now, note=note, data={MERGED_FROM_KEY: Ref(req)})
        )
        return True

    def whistle(
        self,
        life: Life,
        now: datetime,
        *,
        actor: Any,
        units: list[HandlingUnit],
        reason: str,
        deadline: datetime,
    ) -> None:
        req = self._begin(life, Action.WHISTLE)
        lead = req.lead_unit
        assert lead is not None
        summoned = [u for u in units if u.pk != lead.pk]
        whistle = Whistle(
            request=req, summoning_unit=lead, created_by=actor, reason=reason.strip(), deadline=deadline
        )
        whistle.created_at = now
        life.whistles.append(whistle)
        for unit in summoned:
            life.summonses.append(WhistleSummons(whistle=whistle, unit=unit))
            if not any(o.unit.pk == unit.pk for o in life.active_orders(AssignmentRole.ASSIST)):
                life.orders.append(
                    WorkOrder(
                        request=req,
                        unit=unit,
                        role=AssignmentRole.ASSIST,
                        whistle=whistle,
                        is_active=True,
                        dispatched_at=now,
                        rule_label=f"吹哨召集（{lead.name}）",
                        dispatched_by=_user(actor),
                    )
                )
        data = {"whistle": Ref(whistle), "units": [u.pk for u in summoned], "deadline": deadline.isoformat()}
        names = "、".join(u.name for u in summoned)
        at = timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")
        note = f"{reason.strip()}（召集：{names}；报到期限：{at}）"
        self._finish(life, actor, Action.WHISTLE, now, note=note, unit=lead, data=data)

    def report_in(self, life: Life, now: datetime, *, actor: Any, unit: HandlingUnit, part: str) -> None:
        summons = next(s for s in life.summonses if s.unit.pk == unit.pk and s.reported_at is None)
        self._begin(life, Action.REPORT_IN)
        summons.reported_at, summons.reported_by, summons.part = now, actor, part.strip()
        data = {"whistle": Ref(summons.whistle), "late": now > summons.whistle.deadline}
        self._finish(life, actor, Action.REPORT_IN, now, note=part.strip(), unit=unit, data=data)

    def whistle_close(self, life: Life, now: datetime, *, actor: Any, outcome: str) -> None:
        whistle = life.whistles[-1]
        req = self._begin(life, Action.NOTE)
        note, absent = self._whistle_end(life, whistle, outcome.strip(), now)
        data = {"whistle": Ref(whistle), "not_reported": [u.pk for u in absent]}
        self._finish(life, actor, Action.NOTE, now, note=note, unit=req.lead_unit, data=data)

    def council(
        self, life: Life, now: datetime, *, actor: Any, held_on: date, outcome: str, **names: str
    ) -> None:
        req = self._begin(life, Action.COUNCIL)
        council = CouncilOutcome(
            request=req, held_on=held_on, outcome=outcome.strip(), agreed=True, recorded_by=actor, others=""
        )
        for key, value in names.items():
            setattr(council, key, value.strip())
        council.created_at = now
        life.councils.append(council)
        data = {"council": Ref(council), "agreed": True}
        self._finish(life, actor, Action.COUNCIL, now, note=outcome.strip(), unit=req.lead_unit, data=data)
