"""The transition engine every handling service goes through.

``begin(actor, request, action)`` locks the request row, checks that the actor may take
the action (``transitions.TRANSITIONS``) and that the request is in a status the action
starts from; ``finish(...)`` moves the status, bumps the version, refreshes the traffic
light, writes the history row and the audit row. Both run inside the caller's
transaction, so two people acting at once are serialised by the row lock: the second
sees the new status and gets a clear ``Conflict`` instead of a lost update.
"""

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_write
from civicgrid.core.errors import Conflict, PermissionDenied, ValidationError
from civicgrid.requests import transitions as t
from civicgrid.requests.constants import NOTE_MAX, Action, AssignmentRole, Status, action_verb
from civicgrid.requests.deadlines import refresh_light
from civicgrid.requests.models import Approval, HandlingUnit, Request, RequestEvent, WorkOrder
from civicgrid.requests.permissions import actor_kinds, unit_ids
from civicgrid.requests.selectors import requests_readable


def lock(request: Request | int) -> Request:
    pk = request if isinstance(request, int) else request.pk
    return Request.objects.select_for_update(of=("self",)).select_related("category", "lead_unit").get(pk=pk)


def stale_message(
    actor: Any, locked: Request, action: str | None = None, expected_version: int | None = None
) -> str:
    """Why a page's version is stale, naming what happened since it was loaded when the
    history tells: the actor themself in another tab or window (督办 sent from two tabs),
    which "已被他人处理" misstates; someone else's action, by name ("该诉求刚刚已由张三督办"),
    with the current status only when it changed (a 督办 or a note leaves it as the page
    showed it, so "当前状态：已签收" would say nothing); a second 申请延期 meeting the
    pending one; an extension already decided by another.

    Each action bumps the version once and writes one history row, so the rows since the
    page's version are the latest ``version - expected_version`` (a few at most are read)."""
    label = Status(locked.status).label
    since = 1
    if expected_version is not None and 0 <= expected_version < locked.version:
        since = min(locked.version - expected_version, 5)
    rows = list(RequestEvent.objects.filter(request=locked).order_by("-created_at", "-id")[:since])
    moved = any(row.from_status != row.to_status for row in rows)
    # the latest row by a person (a warning of the deadline scan names none)
    last = next((row for row in rows if row.actor_id is not None), None)
    if last is not None and last.actor_id == getattr(actor, "pk", None):
        return _("该诉求已在您的另一个页面或窗口中处理过（当前状态：{label}），请刷新后再试").format(
            label=label
        )
    who = last.actor_name if last is not None else ""
    if last is not None and who and action == Action.EXTEND_REQUEST and last.action == Action.EXTEND_REQUEST:
        return _("已有待审批的延期申请（{who}刚刚提交），请刷新页面查看后再操作").format(who=who)
    decisions = (Action.EXTEND_APPROVE, Action.EXTEND_REJECT)
    if last is not None and who and action in decisions and last.action in decisions:
        outcome = _("同意") if last.action == Action.EXTEND_APPROVE else _("驳回")
        return _("该延期申请已由{who}审批（{outcome}），请刷新页面查看后再操作").format(
            who=who, outcome=outcome
        )
    if last is not None and who:
        done = _done(last.action)
        if moved:
            return _("该诉求已被他人处理（{who}刚刚{done}，当前状态：{label}），请刷新后再试").format(
                who=who, done=done, label=label
            )
        return _("该诉求刚刚已由{who}{done}，请刷新页面查看后再操作").format(who=who, done=done)
    if moved:
        return _("该诉求已被他人处理（当前状态：{label}），请刷新后再试").format(label=label)
    return _("该诉求刚刚已被他人更新，请刷新页面查看后再操作")


def _done(action: str) -> str:
    """A history row's action as the verb of "已由张三…" (an unknown one, e.g. imported: 处理)."""
    try:
        return action_verb(action)
    except ValueError:
        return _("处理")


def begin(actor: Any, request: Request | int, action: str, *, expected_version: int | None = None) -> Request:
    """Lock and check. Raises PermissionDenied or Conflict; changes nothing.

    A stale ``expected_version`` is a Conflict before the actor's right is checked, for an
    actor who may read the request; one who may not is refused whatever the version."""
    locked = lock(request)
    rule = t.TRANSITIONS[action]
    kinds = actor_kinds(actor, locked)
    label = Action(action).label
    allowed = bool(kinds & rule.actors)
    # A stale page (someone acted since it was loaded) is a conflict even when that action
    # took the actor's right away (改派 to another unit): they are told to reload, as two
    # tabs of the same handler are. Only to someone who still reads the request, though: to
    # anyone else a refusal, which tells nothing about it.
    if (
        expected_version is not None
        and locked.version != expected_version
        and (allowed or _reads(actor, locked))
    ):
        # A version the request never had (ahead of it, or negative) is no stale page: no one
        # acted since, the client sent a wrong number.
        invalid = expected_version < 0 or expected_version > locked.version
        raise Conflict(
            _("版本号无效（expected_version 为 {sent}，该诉求当前版本为 {version}），请刷新后再试").format(
                sent=expected_version, version=locked.version
            )
            if invalid
            else stale_message(actor, locked, action, expected_version),
            detail={"status": locked.status, "version": locked.version},
        )
    if not allowed:
        raise PermissionDenied(
            lead_changed(actor, locked, action) or _("您无权对该诉求执行「{label}」").format(label=label)
        )
    if locked.status not in rule.sources:
        raise Conflict(
            _("该诉求当前状态为「{status}」，不能{action}").format(
                status=Status(locked.status).label, action=action_verb(action)
            ),
            detail={"status": locked.status, "version": locked.version},
        )
    return locked


LEAD_CHANGES = (Action.REASSIGN, Action.ESCALATE, Action.RETURN_APPROVE)


def lead_changed(actor: Any, locked: Request, action: str) -> str:
    """Why an actor of the former lead unit may no longer act, when the request's latest step
    took it from them (改派, 上报, 同意退单) and no ``expected_version`` told of it: named,
    instead of "您无权…" (here, and in the API's check before the service, ``api.common.guard``).
    Empty when that is not the case."""
    units = unit_ids(actor)
    if not units:
        return ""
    last = RequestEvent.objects.filter(request=locked).order_by("-created_at", "-id").first()
    if last is None or last.action not in LEAD_CHANGES or not last.actor_name:
        return ""
    former = WorkOrder.objects.filter(
        request=locked, role=AssignmentRole.LEAD, is_active=False, unit_id__in=units
    ).exclude(unit_id=locked.lead_unit_id)
    if not former.exists() or not _reads(actor, locked):
        return ""
    done, verb = _done(last.action), action_verb(action)
    if locked.lead_unit is not None:
        return _("该诉求已由{who}{done}，现由{lead}承办，您不能再{action}，请刷新页面查看").format(
            who=last.actor_name, done=done, lead=locked.lead_unit.name, action=verb
        )
    return _("该诉求已由{who}{done}（当前状态：{label}），您不能再{action}，请刷新页面查看").format(
        who=last.actor_name, done=done, label=Status(locked.status).label, action=verb
    )


def _reads(actor: Any, request: Request) -> bool:
    """Whether a signed-in actor may read the request (its page: ``requests_readable``)."""
    if not getattr(actor, "is_authenticated", False):
        return False
    return requests_readable(actor).filter(pk=request.pk).exists()


def actor_name(actor: Any) -> str:
    if getattr(actor, "is_authenticated", False):
        return str(getattr(actor, "display_name", None) or actor.get_username())[:150]
    return str(actor)[:150]


def finish(
    actor: Any,
    request: Request,
    action: str,
    *,
    note: str = "",
    data: dict[str, Any] | None = None,
    unit: HandlingUnit | None = None,
    now: datetime | None = None,
    target: str | None = "",
) -> RequestEvent:
    """Apply the action's target status and record it. ``target=""`` means: from the table.

    The text written on the timeline (a reason, reply, note or outcome) is at most
    ``NOTE_MAX`` characters, whichever action writes it: a longer one is refused here, inside
    the action's transaction, so nothing of the action stays."""
    if len(note) > NOTE_MAX:
        raise ValidationError(
            _("说明最长{note_max}个字（现有{length}个字）").format(note_max=NOTE_MAX, length=len(note)),
            field="note",
        )
    now = now or timezone.now()
    rule = t.TRANSITIONS[action]
    from_status = request.status
    to_status = rule.target if target == "" else target
    if to_status == t.PREVIOUS:
        to_status = request.status_before or Status.IN_PROGRESS
    if to_status and to_status != from_status:
        if to_status in (Status.RETURN_PENDING, Status.SUSPENDED):
            request.status_before = from_status
        request.status = to_status
    request.version += 1
    refresh_light(request, now)
    request.save()
    event = RequestEvent.objects.create(
        request=request,
        action=action,
        from_status=from_status,
        to_status=request.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_name=actor_name(actor),
        unit=unit,
        note=note,
        data=data or {},
        created_at=now,
    )
    audit_write(
        actor=actor,
        verb=f"requests.{action}",
        target=request,
        node=request.node,
        before={"status": from_status},
        after={"status": request.status, "version": request.version, **(data or {})},
    )
    return event


def _decided() -> dict[str, str]:
    from civicgrid.requests.constants import ApprovalState

    return {ApprovalState.APPROVED: _("同意"), ApprovalState.REJECTED: _("驳回")}


def approval_decide(actor: Any, request: Request, kind: str, *, approve: bool, note: str) -> Approval:
    """Record the decision on the request's pending approval of ``kind`` (row locked)."""
    from civicgrid.requests.constants import ApprovalKind, ApprovalState

    approval = (
        Approval.objects.select_for_update()
        .filter(request=request, kind=kind, state=ApprovalState.PENDING)
        .first()
    )
    if approval is None:
        label = ApprovalKind(kind).label
        # Two deciding at once: the loser is told who decided and how, not "可能已由他人审批".
        decided = _decided()
        last = (
            Approval.objects.filter(request=request, kind=kind)
            .select_related("decided_by")
            .order_by("-pk")
            .first()
        )
        if last is not None and last.decided_by is not None and last.state in decided:
            raise Conflict(
                _("该{label}申请已由{who}审批（{outcome}），请刷新页面查看后再操作").format(
                    label=label, who=actor_name(last.decided_by), outcome=decided[last.state]
                ),
                detail={"status": request.status, "version": request.version},
            )
        raise Conflict(_("没有待审批的{label}申请（可能已由他人审批）").format(label=label))
    approval.state = ApprovalState.APPROVED if approve else ApprovalState.REJECTED
    approval.decided_by, approval.decided_at, approval.decision_note = actor, timezone.now(), note
    approval.save()
    return approval


def acting_unit(actor: Any, request: Request, *, lead: bool = True) -> HandlingUnit | None:
    """The unit on whose behalf the actor acts (the lead unit when they belong to it)."""
    units = unit_ids(actor)
    if lead and request.lead_unit_id in units:
        return request.lead_unit
    if units:
        return HandlingUnit.objects.filter(pk__in=units).order_by("id").first()
    return None
