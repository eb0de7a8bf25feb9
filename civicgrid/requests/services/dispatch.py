"""Dispatch (派单): rules by category and place, operator override, returns and reassignment."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from civicgrid.core.errors import ValidationError
from civicgrid.notify.models import Notification
from civicgrid.requests.constants import (
    Action,
    ApprovalKind,
    ApprovalState,
    AssignmentRole,
    RequestType,
    ResponseTier,
    UnitKind,
    unit_level,
)
from civicgrid.requests.deadlines import set_deadlines
from civicgrid.requests.defaults.builder import TIER_LIMITS
from civicgrid.requests.models import (
    Approval,
    Category,
    DispatchRule,
    HandlingUnit,
    Request,
    RequestEvent,
    WorkOrder,
)
from civicgrid.requests.permissions import SYSTEM, text_for_anyone
from civicgrid.requests.services import engine
from civicgrid.requests.services.rulebook import RuleBook, private_copy, rulebook
from civicgrid.requests.services.whistle import whistles_end
from civicgrid.requests.unit_notify import notify_unit, tell_lead_unit, unit_message_rows


@dataclass
class Assignment:
    lead: HandlingUnit
    assisting: list[HandlingUnit] = field(default_factory=list)
    copy: list[HandlingUnit] = field(default_factory=list)
    rule: DispatchRule | None = None
    label: str = ""


def _place_ids(node_path: str) -> list[int]:
    return [int(p) for p in node_path.strip("/").split("/") if p]


def unit_for_place(node_path: str, kind: str) -> HandlingUnit | None:
    """The active unit of ``kind`` whose node is on the path of the place (nearest first)."""
    ids = _place_ids(node_path)
    found = HandlingUnit.objects.filter(kind=kind, is_active=True, node_id__in=ids).order_by("-pk")
    units = {u.node_id: u for u in found}  # two of a kind at one node: the older one, as the rule book
    return _nearest(ids, units)


def _nearest(ids: list[int], units_by_node: dict[int, HandlingUnit]) -> HandlingUnit | None:
    for node_id in reversed(ids):
        if node_id in units_by_node:
            return units_by_node[node_id]
    return None


# The place kinds a rule can target, by its target.
PLACE_TARGETS = {
    DispatchRule.Target.LOCATION_SUBDISTRICT: UnitKind.SUBDISTRICT,
    DispatchRule.Target.LOCATION_COMMUNITY: UnitKind.COMMUNITY,
}


def _rule_target(rule: DispatchRule, request: Request, book: RuleBook) -> HandlingUnit | None:
    if rule.target in PLACE_TARGETS:
        return book.unit_at(PLACE_TARGETS[rule.target], _place_ids(request.node_path))  # type: ignore[index]
    if rule.target == DispatchRule.Target.CATEGORY_UNIT:
        return book.unit(request.category.responsible_unit_id if request.category else None)
    return book.unit(rule.unit_id)


def match_rule(request: Request) -> Assignment | None:
    """The first active rule (by priority) whose category prefix and area fit, with an active
    target. Reads the rules and units this process keeps (``rulebook``): no query."""
    book = rulebook.book()
    code = request.category.code if request.category else ""
    for entry in book.rules:
        if not entry.fits(code, request.node_path):
            continue
        rule = entry.rule
        lead = _rule_target(rule, request, book)
        if lead is None:
            continue
        helpers = [book.unit(i) for i in entry.assisting if i != lead.pk]
        copy_to = book.unit(rule.copy_to_id)
        return Assignment(
            lead=lead,
            assisting=[u for u in helpers if u is not None],
            copy=[copy_to] if copy_to is not None and copy_to.pk != lead.pk else [],
            rule=private_copy(rule),
            label=_("规则：{name}").format(name=rule.name),
        )
    return None


def rule_preview(category: Category, node_path: str) -> Assignment | None:
    """The assignment the rules would make for a request of ``category`` at ``node_path`` (the
    operator console shows it beside each suggested category): no query, as ``match_rule``."""
    return match_rule(Request(category=category, node_path=node_path))


def assignment_replace(
    actor: Any, request: Request, assignment: Assignment, now: datetime, *, keep_clocks: bool = False
) -> None:
    """Dispatch an existing request anew: the old work orders lapse, the new ones start, and
    what the old assignment still waited for (a return, an extension) is withdrawn. The old
    lead's open whistles end (牵头单位变更) with their summonses' work orders; a whistle of a
    lead that stays (重办) keeps its summoned units' orders. ``keep_clocks`` (上报, an internal
    hand-over to the level above): the request keeps its dispatch time, deadlines and
    sign-for; only the new work orders record ``now``."""
    whistles_end(actor, request, now, why=_("牵头单位变更"), keep_lead=assignment.lead)
    still_summoned = Q(whistle__isnull=False, whistle__closed_at__isnull=True)
    WorkOrder.objects.filter(request=request, is_active=True).exclude(still_summoned).update(is_active=False)
    approvals_withdraw(actor, request, now, why=_("主办单位已变更"))
    assignment_apply(request, assignment, now, keep_clocks=keep_clocks)
    assignment_record(actor, request, assignment, now, version=request.version + 1)


def copies_keep(request: Request, assignment: Assignment) -> None:
    """改派, 上报 and 重办 keep the request's 抄送: a copy goes to whoever must follow
    the request (the district, by the rule's ``copy_to``), whichever unit leads it. Each
    active unit with a copy order still active is added to ``assignment.copy`` (so its order
    is made anew with the others, and the history row names it), unless it now leads or
    assists, or stopped."""
    taken = {assignment.lead.pk, *(u.pk for u in assignment.assisting), *(u.pk for u in assignment.copy)}
    kept = HandlingUnit.objects.filter(
        pk__in=WorkOrder.objects.filter(request=request, is_active=True, role=AssignmentRole.COPY).values(
            "unit_id"
        ),
        is_active=True,
    ).exclude(pk__in=taken)
    assignment.copy.extend(kept.order_by("id"))


def approvals_withdraw(
    actor: Any, request: Request, now: datetime, *, why: str, kinds: list[str] | None = None
) -> list[int]:
    """Withdraw the request's pending approvals (the unit that asked no longer has it, or the
    request is done), or those of ``kinds``: each is closed as 已撤回 with the reason, and the
    timeline says so."""
    found = Approval.objects.select_for_update().filter(request=request, state=ApprovalState.PENDING)
    if kinds is not None:
        found = found.filter(kind__in=kinds)
    pending = list(found.select_related("unit").order_by("id"))
    by = actor if getattr(actor, "is_authenticated", False) else None
    for approval in pending:
        label = ApprovalKind(approval.kind).label
        approval.state = ApprovalState.WITHDRAWN
        approval.decided_by, approval.decided_at = by, now
        approval.decision_note = _("已撤回：{why}").format(why=why)
        approval.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
        RequestEvent.objects.create(
            request=request,
            action=Action.NOTE,
            actor=by,
            actor_name=engine.actor_name(actor),
            unit=approval.unit,
            note=_("{unit}的{label}申请已撤回：{why}").format(unit=approval.unit.name, label=label, why=why),
            data={"approval": approval.pk, "withdrawn": True},
            created_at=now,
        )
    return [a.pk for a in pending]


def assignment_apply(
    request: Request, assignment: Assignment, now: datetime, *, keep_clocks: bool = False
) -> None:
    """The request's side of a dispatch: lead unit and the level it handles at, dispatch time,
    fresh clocks (object only). ``keep_clocks``: the clocks run on from the request's own
    dispatch (an escalation): dispatch time, deadlines and an answered response stay."""
    request.lead_unit = assignment.lead
    request.level = unit_level(assignment.lead.kind)
    if keep_clocks:
        request.replied_at = None
        return
    request.dispatched_at = now
    request.responded_at = None
    request.replied_at = None
    limits = request.category
    if limits is None and request.type == RequestType.EMERGENCY:
        limits = emergency_limits()
    if limits is not None:
        set_deadlines(request, limits, now)


def emergency_limits() -> Category:
    """The first response tier's standard figures (0.5 h to sign for, 2 h to resolve) as an
    unsaved leaf: what a catalogue row with blank limits takes, here for an emergency that
    has no category (a doorplate alarm without ``REQUESTS_ALARM_CATEGORY``, or a call the
    operator dispatches from triage before classifying it). Its light turns yellow and red
    and ``requests_tick`` looks at it like any other."""
    response, response_unit, resolution, resolution_unit = TIER_LIMITS[ResponseTier.TIER_1]
    return Category(
        response_tier=ResponseTier.TIER_1,
        response_limit=response,
        response_unit=response_unit,
        resolution_limit=resolution,
        resolution_unit=resolution_unit,
    )


def assignment_record(
    actor: Any, request: Request, assignment: Assignment, now: datetime, *, version: int
) -> None:
    """The work orders of a dispatch (one statement) and the lead unit's messages (after commit).

    ``version`` is the request's version once dispatched: one message per dispatch and person."""
    WorkOrder.objects.bulk_create(work_order_rows(actor, request, assignment, now))
    notify_unit(
        assignment.lead,
        dedupe_key=dispatch_key(request, assignment, version),
        **_dispatch_message(request, assignment),
    )


def work_order_rows(actor: Any, request: Request, assignment: Assignment, now: datetime) -> list[WorkOrder]:
    """The unsaved work orders of a dispatch: the lead's, the assisting and copied units'."""
    return [
        WorkOrder(
            request=request,
            unit=unit,
            role=role,
            rule=assignment.rule,
            rule_label=assignment.label[:200],
            dispatched_by=actor if getattr(actor, "is_authenticated", False) else None,
            dispatched_at=now,
        )
        for unit, role in (
            [(assignment.lead, AssignmentRole.LEAD)]
            + [(u, AssignmentRole.ASSIST) for u in assignment.assisting]
            + [(u, AssignmentRole.COPY) for u in assignment.copy]
        )
    ]


def dispatch_key(request: Request, assignment: Assignment, version: int) -> str:
    """What the lead unit's messages of a dispatch are keyed by (``{key}:{user}:{channel}``)."""
    return f"dispatch:{request.pk}:{version}:{assignment.lead.pk}"


def _dispatch_message(request: Request, assignment: Assignment) -> dict[str, Any]:
    return {
        "subject": _("新工单 {number}").format(number=request.number),
        "body": _("【接诉即办】{name}：新工单 {number}「{title}」请及时签收。").format(
            name=assignment.lead.name, number=request.number, title=text_for_anyone(request)
        ),
        "target": request,
        "role": _("承办单位"),
        "what": _("新工单通知"),
    }


def assignment_messages(request: Request, assignment: Assignment, *, version: int) -> list[Notification]:
    """The unsaved messages of a dispatch to the lead unit's reachable staff (or its failed
    "nobody reachable" row), for a caller that inserts them with the new request's rows."""
    return unit_message_rows(
        assignment.lead,
        dedupe_key=dispatch_key(request, assignment, version),
        **_dispatch_message(request, assignment),
    )


def auto_dispatch(request: Request) -> bool:
    """Dispatch by the rules as the system; leave the request in triage when none matches."""
    locked = engine.lock(request)
    assignment = match_rule(locked)
    if assignment is None:
        return False
    locked = engine.begin(SYSTEM, locked, Action.DISPATCH)
    now = timezone.now()
    assignment_replace(SYSTEM, locked, assignment, now)
    engine.finish(
        SYSTEM,
        locked,
        Action.DISPATCH,
        note=assignment.label,
        now=now,
        unit=assignment.lead,
        data=assignment_data(assignment),
    )
    return True


def assignment_data(a: Assignment) -> dict[str, Any]:
    return {
        "lead": a.lead.pk,
        "assisting": [u.pk for u in a.assisting],
        "copy": [u.pk for u in a.copy],
        "rule": a.rule.pk if a.rule else None,
        "rule_label": a.label,
    }


def _manual(
    actor: Any, lead: HandlingUnit, assisting: list[HandlingUnit], copy: list[HandlingUnit]
) -> Assignment:
    if not lead.is_active:
        raise ValidationError(_("主办单位已停用"), field="lead_unit")
    name = engine.actor_name(actor)
    return Assignment(
        lead=lead,
        assisting=[u for u in assisting if u.pk != lead.pk],
        copy=[u for u in copy if u.pk != lead.pk],
        rule=None,
        label=_("人工指定（{name}）").format(name=name),
    )


@transaction.atomic
def request_dispatch(
    *,
    actor: Any,
    request: Request,
    lead_unit: HandlingUnit | None = None,
    assisting: list[HandlingUnit] | None = None,
    copy: list[HandlingUnit] | None = None,
    category: Any = None,
    note: str = "",
    expected_version: int | None = None,
) -> Request:
    """Dispatch from triage: by the rules, or to the units the operator chose (recorded as such).

    A lead unit other than the one the rules would choose needs a reason (``note``); the
    history row says whom the rules named and why they were overridden (``overridden``)."""
    locked = engine.begin(actor, request, Action.DISPATCH, expected_version=expected_version)
    if category is not None:
        if category.level != 3 or not category.version.is_current:
            raise ValidationError(_("请选择当前派单目录中的三级分类"), field="category")
        locked.category = category
    if locked.category is None and locked.type != RequestType.EMERGENCY:
        # An emergency goes out at once and is classified later; its clocks then run on the
        # first response tier (``emergency_limits``).
        raise ValidationError(_("请先选择诉求分类"), field="category")
    found = match_rule(locked)
    refused = refused_by_rule_lead(locked, found)
    data: dict[str, Any] = {}
    if lead_unit is not None:
        assignment = _manual(actor, lead_unit, assisting or [], copy or [])
        data = overridden(found, lead_unit, note, refused=refused)
    else:
        if found is None:
            raise ValidationError(_("没有匹配的派单规则，请指定主办单位"), field="lead_unit")
        if refused is not None:
            # The rules would send it straight back to the unit that just said it is not its
            # business: the operator chooses the unit (the rules are not skipped silently).
            raise ValidationError(
                _("派单规则仍指向{unit}，但该单位已申报非本单位职责（{reason}），请指定主办单位").format(
                    unit=refused.unit.name, reason=Truncator(refused.reason).chars(60)
                ),
                field="lead_unit",
            )
        assignment = found
    now = timezone.now()
    assignment_replace(actor, locked, assignment, now)
    engine.finish(
        actor,
        locked,
        Action.DISPATCH,
        note=dispatch_note(assignment, found, data, note),
        now=now,
        unit=assignment.lead,
        data=assignment_data(assignment) | ({"overridden": data} if data else {}),
    )
    return locked


def refused_by_rule_lead(request: Request, found: Assignment | None) -> Approval | None:
    """The 非本单位职责 claim that sent ``request`` back (``selectors.not_ours_return``) when
    the rules' lead unit (``found``) is the unit that made it."""
    from civicgrid.requests.selectors import not_ours_return

    claim = not_ours_return(request) if found is not None else None
    return claim if claim is not None and found is not None and claim.unit_id == found.lead.pk else None


def overridden(
    found: Assignment | None, lead_unit: HandlingUnit, note: str, *, refused: Approval | None = None
) -> dict[str, Any]:
    """A lead unit chosen over the rules' (``found``) must say why (``note``): the history's
    ``overridden`` (empty when the rules would have chosen the same unit, or none). When the
    rules' unit declared the request 非本单位职责 (``refused``), that claim is the reason."""
    if found is None or found.lead.pk == lead_unit.pk:
        return {}
    if not note.strip() and refused is not None:
        note = _("{unit}已申报非本单位职责：{reason}").format(
            unit=refused.unit.name, reason=Truncator(refused.reason).chars(200)
        )
    if not note.strip():
        raise ValidationError(
            _("所选主办单位与派单规则建议的“{unit}”不同，请在派单说明中填写理由").format(
                unit=found.lead.name
            ),
            field="note",
        )
    return {"rule_lead": found.lead.pk, "rule_label": found.label, "override_reason": note.strip()}


def dispatch_note(assignment: Assignment, found: Assignment | None, data: dict[str, Any], note: str) -> str:
    """The dispatch row's note: the operator's, else who chose; an override says both who
    was chosen instead of whom, and why."""
    if data and found is not None:
        return _("{label}，未按派单规则（{rule}）：{reason}").format(
            label=assignment.label, rule=found.lead.name, reason=data["override_reason"]
        )
    return note.strip() or assignment.label


@transaction.atomic
def request_reassign(
    *,
    actor: Any,
    request: Request,
    lead_unit: HandlingUnit,
    reason: str,
    assisting: list[HandlingUnit] | None = None,
    expected_version: int | None = None,
) -> Request:
    """改派: the dispatcher moves the request to another lead unit; clocks restart."""
    locked = engine.begin(actor, request, Action.REASSIGN, expected_version=expected_version)
    if not reason.strip():
        raise ValidationError(_("请填写改派理由"), field="reason")
    if lead_unit.pk == locked.lead_unit_id:
        raise ValidationError(_("新的主办单位与原单位相同"), field="lead_unit")
    assignment = _manual(actor, lead_unit, assisting or [], [])
    copies_keep(locked, assignment)
    now = timezone.now()
    assignment_replace(actor, locked, assignment, now)
    engine.finish(
        actor,
        locked,
        Action.REASSIGN,
        note=reason.strip(),
        now=now,
        unit=lead_unit,
        data=assignment_data(assignment),
    )
    return locked


@transaction.atomic
def request_return(
    *, actor: Any, request: Request, reason: str, not_ours: bool = False, expected_version: int | None = None
) -> Approval:
    """退单 / 非本单位职责: the lead unit hands the request back; the dispatcher decides."""
    action = Action.NOT_OURS if not_ours else Action.RETURN_REQUEST
    locked = engine.begin(actor, request, action, expected_version=expected_version)
    if not reason.strip():
        missing = _("请填写不属于本单位职责的理由") if not_ours else _("请填写退单理由")
        raise ValidationError(missing, field="reason")
    assert locked.lead_unit is not None
    approval = Approval.objects.create(
        request=locked,
        kind=ApprovalKind.RETURN,
        unit=locked.lead_unit,
        requested_by=actor,
        reason=reason.strip(),
        not_ours=not_ours,
    )
    engine.finish(
        actor, locked, action, note=reason.strip(), unit=locked.lead_unit, data={"approval": approval.pk}
    )
    return approval


@transaction.atomic
def request_return_decide(
    *, actor: Any, request: Request, approve: bool, note: str = "", expected_version: int | None = None
) -> Request:
    """The dispatcher approves a return (back to triage) or rejects it (back to the unit)."""
    action = Action.RETURN_APPROVE if approve else Action.RETURN_REJECT
    locked = engine.begin(actor, request, action, expected_version=expected_version)
    if not approve and not note.strip():
        raise ValidationError(_("驳回退单须说明理由"), field="note")
    approval = engine.approval_decide(actor, locked, ApprovalKind.RETURN, approve=approve, note=note)
    unit = locked.lead_unit
    if approve:
        now = timezone.now()
        whistles_end(actor, locked, now, why=_("已同意退单"))
        WorkOrder.objects.filter(request=locked, is_active=True).update(is_active=False)
        approvals_withdraw(actor, locked, now, why=_("已同意退单"))
        locked.lead_unit = None
        locked.level = ""  # no unit handles it: no level until the next dispatch sets one
        locked.dispatched_at = None
        locked.responded_at = None
        locked.due_response_at = None
        locked.due_resolution_at = None
    event = engine.finish(actor, locked, action, note=note, unit=unit, data={"approval": approval.pk})
    if approve:
        text = _("的退单申请已同意，工单已收回，无需继续办理。")
    else:
        text = _("的退单申请被驳回，请继续办理：{note}").format(note=note.strip()[:200])
    tell_lead_unit(
        locked,
        unit,
        key=f"decision:{event.pk}",
        subject=_("同意退单") if approve else _("驳回退单"),
        text=text,
        what=_("退单审批结果"),
    )
    return locked
