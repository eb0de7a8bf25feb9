"""Handling a dispatched request: sign for, reply, verify, extend, suspend, supervise, merge…"""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_write
from civicgrid.core.errors import Conflict, ValidationError
from civicgrid.notify.models import Channel as NotifyChannel
from civicgrid.notify.services import notify
from civicgrid.requests import deadlines
from civicgrid.requests.constants import (
    NOTE_MAX,
    Action,
    ApprovalKind,
    ApprovalState,
    AssignmentRole,
    HandlingLevel,
    Status,
    UnitKind,
    unit_level,
)
from civicgrid.requests.models import (
    Approval,
    CouncilOutcome,
    HandlingUnit,
    Request,
    RequestEvent,
    WorkOrder,
)
from civicgrid.requests.permissions import text_for_anyone
from civicgrid.requests.services import engine
from civicgrid.requests.services.dispatch import (
    Assignment,
    approvals_withdraw,
    assignment_data,
    assignment_replace,
    copies_keep,
    unit_for_place,
)
from civicgrid.requests.services.intake import save_attachments, validate_attachments
from civicgrid.requests.services.whistle import whistles_end
from civicgrid.requests.unit_notify import notify_unit, tell_lead_unit
from civicgrid.workcal.constants import LimitUnit

LONG_RUNNING_MAX_DAYS = 5 * 365  # 挂账: a plan of years is possible, of centuries not
# 延期 counts in the request's clock unit: at least one of it (an hour, a working day), at most 90.
EXTEND_MIN, EXTEND_MAX = 1, 90


def _text_and_files(
    field: str, text: str, missing: str, attachments: list[UploadedFile] | None
) -> list[UploadedFile]:
    """Check a required text and the attachments together, so every problem is reported at once."""
    files = list(attachments or [])
    errors = validate_attachments(files)
    if not text.strip():
        errors[field] = [missing]
    elif len(text.strip()) > NOTE_MAX:
        errors[field] = [_("最长{note_max}个字").format(note_max=NOTE_MAX)]
    if errors:
        raise ValidationError(errors=errors)
    return files


@transaction.atomic
def request_sign(*, actor: Any, request: Request, expected_version: int | None = None) -> Request:
    """签收: the lead unit takes the request; the response clock stops. After an escalation the
    request's response was answered already (by the level below): that time stays."""
    locked = engine.begin(actor, request, Action.SIGN, expected_version=expected_version)
    now = timezone.now()
    if locked.responded_at is None:
        locked.responded_at = now
    WorkOrder.objects.filter(request=locked, is_active=True, role=AssignmentRole.LEAD).update(signed_at=now)
    engine.finish(actor, locked, Action.SIGN, now=now, unit=locked.lead_unit)
    return locked


def requests_sign_bulk(
    *, actor: Any, requests: list[Request]
) -> tuple[list[Request], list[tuple[Request, str]]]:
    """Sign several at once; each in its own transaction, failures reported one by one."""
    from civicgrid.core.errors import CivicError

    done, failed = [], []
    for request in requests:
        try:
            done.append(request_sign(actor=actor, request=request))
        except CivicError as exc:
            failed.append((request, exc.message))
    return done, failed


@transaction.atomic
def request_start(
    *, actor: Any, request: Request, note: str = "", expected_version: int | None = None
) -> Request:
    locked = engine.begin(actor, request, Action.START, expected_version=expected_version)
    engine.finish(actor, locked, Action.START, note=note, unit=locked.lead_unit)
    return locked


@transaction.atomic
def request_reply(
    *,
    actor: Any,
    request: Request,
    reply: str,
    attachments: list[UploadedFile] | None = None,
    expected_version: int | None = None,
) -> Request:
    """答复: what was done. Goes to on-site verification when the category asks for it."""
    locked = engine.begin(actor, request, Action.REPLY, expected_version=expected_version)
    files = _text_and_files("reply", reply, _("请填写办理情况"), attachments)
    now = timezone.now()
    locked.replied_at = now
    if locked.responded_at is None:
        locked.responded_at = now
    WorkOrder.objects.filter(request=locked, is_active=True, role=AssignmentRole.LEAD).update(
        replied_at=now, reply=reply.strip()
    )
    # Replied: more time to handle it is moot, and no one could decide on it any more.
    approvals_withdraw(actor, locked, now, why=_("承办单位已答复"), kinds=[ApprovalKind.EXTENSION])
    event = engine.finish(actor, locked, Action.REPLY, note=reply.strip(), now=now, unit=locked.lead_unit)
    save_attachments(locked, files, actor, event)
    _ask_for_rating(locked)
    return locked


def _ask_for_rating(request: Request, *, verified: bool = False) -> None:
    """Send the requester the rating link, once the reply (and any verification) is in."""
    from civicgrid.core import crypto
    from civicgrid.requests.doorplate import public_base_url
    from civicgrid.requests.selectors import awaiting_verification

    phone = crypto.decrypt(request.requester_phone_enc)
    if request.anonymous or not phone or (not verified and awaiting_verification(request)):
        return
    notify(
        dedupe_key=f"rate:{request.pk}:{request.reopen_count}",
        channel=NotifyChannel.SMS,
        address=phone,
        recipient_label=request.requester_name_masked or _("诉求人"),
        subject=_("请评价诉求 {number}").format(number=request.number),
        body=_("您反映的「{title}」已办理答复，请评价：{public_base_url}/r/{rating_token}").format(
            title=request.title, public_base_url=public_base_url(), rating_token=request.rating_token
        ),
        target=request,
    )


@transaction.atomic
def request_verify(
    *,
    actor: Any,
    request: Request,
    confirmed: bool,
    note: str,
    attachments: list[UploadedFile] | None = None,
    expected_version: int | None = None,
) -> Request:
    """现场核查 by the grid worker: does what the unit replied stand on the ground?"""
    locked = engine.begin(actor, request, Action.VERIFY, expected_version=expected_version)
    files = _text_and_files("note", note, _("请填写核查情况"), attachments)
    if confirmed:
        event = engine.finish(actor, locked, Action.VERIFY, note=note.strip(), data={"confirmed": True})
        save_attachments(locked, files, actor, event)
        _ask_for_rating(locked, verified=True)
    else:
        locked.replied_at = None
        WorkOrder.objects.filter(request=locked, is_active=True, role=AssignmentRole.LEAD).update(
            replied_at=None
        )
        event = engine.finish(
            actor,
            locked,
            Action.VERIFY,
            note=note.strip(),
            data={"confirmed": False},
            target=Status.IN_PROGRESS,
        )
        save_attachments(locked, files, actor, event)
        _tell_verify_failed(locked, note.strip())
    return locked


def _tell_verify_failed(request: Request, note: str) -> None:
    """不属实: the lead unit is told the reply was sent back (queued now, sent after commit)."""
    tell_lead_unit(
        request,
        request.lead_unit,
        key=f"verify-failed:{request.pk}:{request.version}",
        subject=_("核查未通过"),
        text=_("现场核查不属实，已退回继续办理。核查情况：{note}").format(note=note[:200]),
        what=_("核查未通过通知"),
    )


def extend_amount_error(amount: Any, unit: str) -> str:
    """Why ``amount`` of ``unit`` is no extension one may ask for, or "": a whole number of the
    clock's unit (a working day, an hour), at least 1 and at most 90. Half a working day is not
    a unit the clock counts in (it became 12 wall-clock hours, a deadline late at night)."""
    label = LimitUnit(unit).label
    if (
        not isinstance(amount, int | float)
        or isinstance(amount, bool)
        or not EXTEND_MIN <= amount <= EXTEND_MAX
    ):
        # NaN fails the range too
        return _("延长时长应为{low}至{high}{unit}").format(low=EXTEND_MIN, high=EXTEND_MAX, unit=label)
    if amount != int(amount):
        return _("延长时长应为整数（{unit}），不能带小数").format(unit=label)
    return ""


@transaction.atomic
def request_extend(
    *, actor: Any, request: Request, amount: float, reason: str, expected_version: int | None = None
) -> Approval:
    """申请延期: asks for ``amount`` more of the resolution clock, in its unit (e.g. 5 working days)."""
    locked = engine.begin(actor, request, Action.EXTEND_REQUEST, expected_version=expected_version)
    unit = locked.extension_unit
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = [_("请填写延期理由")]
    wrong = extend_amount_error(amount, unit)
    if wrong:
        errors["amount"] = [wrong]
    if errors:
        raise ValidationError(errors=errors)
    pending = Approval.objects.filter(request=locked, kind=ApprovalKind.EXTENSION)
    if pending.filter(state=ApprovalState.PENDING).exists():
        raise Conflict(_("已有待审批的延期申请"))
    assert locked.lead_unit is not None
    approval = Approval.objects.create(
        request=locked,
        kind=ApprovalKind.EXTENSION,
        unit=locked.lead_unit,
        requested_by=actor,
        reason=reason.strip(),
        extend_amount=amount,
        extend_unit=unit,
    )
    engine.finish(
        actor,
        locked,
        Action.EXTEND_REQUEST,
        note=reason.strip(),
        unit=locked.lead_unit,
        data={"approval": approval.pk, "amount": amount, "unit": unit},
    )
    return approval


@transaction.atomic
def request_extend_decide(
    *, actor: Any, request: Request, approve: bool, note: str = "", expected_version: int | None = None
) -> Request:
    """The dispatcher approves an extension (the resolution deadline moves) or rejects it: a
    rejection says why, so the unit learns what it must do instead."""
    action = Action.EXTEND_APPROVE if approve else Action.EXTEND_REJECT
    locked = engine.begin(actor, request, action, expected_version=expected_version)
    if not approve and not note.strip():
        raise ValidationError(_("驳回延期须说明理由"), field="note")
    note = note.strip()
    approval = engine.approval_decide(actor, locked, ApprovalKind.EXTENSION, approve=approve, note=note)
    before = locked.due_resolution_at
    if approve and approval.extend_amount:
        # In the unit it was asked in, though the category (and its clock) changed since.
        deadlines.extend(locked, approval.extend_amount, unit=approval.extend_unit or None)
    event = engine.finish(
        actor,
        locked,
        action,
        note=note,
        data={
            "approval": approval.pk,
            "due_before": before.isoformat() if before else None,
            "due_after": locked.due_resolution_at.isoformat() if locked.due_resolution_at else None,
        },
    )
    if not approve:
        text = _("的延期申请被驳回，请按原期限办结：{note}").format(note=note[:200])
    else:
        text = _("的延期申请已同意，办理期限{due}。").format(due=_due_text(locked.due_resolution_at))
        text += _aside(note)
    tell_lead_unit(
        locked,
        locked.lead_unit,
        key=f"decision:{event.pk}",
        subject=_("同意延期") if approve else _("驳回延期"),
        text=text,
        what=_("延期审批结果"),
    )
    return locked


def _aside(note: str) -> str:
    """A decision's note after its message: "（note）", or nothing."""
    return _("（{note}）").format(note=note[:200]) if note else ""


def _due_text(due: datetime | None) -> str:
    """A deadline in a message: 至 11-28 17:30, or 不计时 (a request with no deadline)."""
    if due is None:
        return _("不计时")
    return _("至{due}").format(due=f"{timezone.localtime(due):%m-%d %H:%M}")


@transaction.atomic
def request_suspend(
    *, actor: Any, request: Request, reason: str, expected_version: int | None = None
) -> Request:
    """挂起: the clocks stop (e.g. waiting for the requester, court, weather)."""
    locked = engine.begin(actor, request, Action.SUSPEND, expected_version=expected_version)
    if not reason.strip():
        raise ValidationError(_("请填写挂起理由"), field="reason")
    now = timezone.now()
    locked.suspended_at = now
    event = engine.finish(actor, locked, Action.SUSPEND, note=reason.strip(), now=now)
    tell_lead_unit(
        locked,
        locked.lead_unit,
        key=f"decision:{event.pk}",
        subject=_("挂起"),
        text=_("已挂起，期限暂停计时：{reason}").format(reason=reason.strip()[:200]),
        what=_("挂起通知"),
    )
    return locked


@transaction.atomic
def request_resume(
    *, actor: Any, request: Request, note: str = "", expected_version: int | None = None
) -> Request:
    locked = engine.begin(actor, request, Action.RESUME, expected_version=expected_version)
    now = timezone.now()
    paused_from = locked.suspended_at or now
    before = locked.due_resolution_at
    deadlines.shift_for_pause(locked, paused_from, now)
    locked.suspended_at = None
    after = locked.due_resolution_at
    data = {
        "paused_from": paused_from.isoformat(),
        "due_before": before.isoformat() if before else None,
        "due_after": after.isoformat() if after else None,
    }
    event = engine.finish(actor, locked, Action.RESUME, note=note, now=now, data=data)
    tell_lead_unit(
        locked,
        locked.lead_unit,
        key=f"decision:{event.pk}",
        subject=_("恢复办理"),
        text=_("已恢复办理，办理期限{due}。").format(due=_due_text(after)) + _aside(note.strip()),
        what=_("恢复办理通知"),
    )
    return locked


@transaction.atomic
def request_long_running(
    *, actor: Any, request: Request, plan: str, plan_until: date, expected_version: int | None = None
) -> Request:
    """挂账: a matter that cannot be solved in the limit, handled to a plan with its own date."""
    locked = engine.begin(actor, request, Action.LONG_RUNNING, expected_version=expected_version)
    errors: dict[str, list[str]] = {}
    if not plan.strip():
        errors["plan"] = [_("请填写办理计划")]
    elif len(plan.strip()) > NOTE_MAX:
        errors["plan"] = [_("最长{note_max}个字").format(note_max=NOTE_MAX)]
    today = timezone.localdate()
    if plan_until <= today:
        errors["plan_until"] = [_("计划完成日期应晚于今天")]
    elif (plan_until - today).days > LONG_RUNNING_MAX_DAYS:
        errors["plan_until"] = [
            _("计划完成日期不能晚于{years}年后").format(years=LONG_RUNNING_MAX_DAYS // 365)
        ]
    if errors:
        raise ValidationError(errors=errors)
    before = locked.due_resolution_at
    locked.due_resolution_at = datetime.combine(plan_until, time(23, 59, 59), timezone.get_current_timezone())
    # The plan date replaces the resolution clock: an extension still pending would move it.
    approvals_withdraw(
        actor, locked, timezone.now(), why=_("已挂账，按办理计划办理"), kinds=[ApprovalKind.EXTENSION]
    )
    event = engine.finish(
        actor,
        locked,
        Action.LONG_RUNNING,
        note=plan.strip(),
        data={
            "plan_until": plan_until.isoformat(),
            # the timeline shows 办理期限 before → after, as for an approved extension
            "due_before": before.isoformat() if before else None,
            "due_after": locked.due_resolution_at.isoformat(),
        },
    )
    tell_lead_unit(
        locked,
        locked.lead_unit,
        key=f"decision:{event.pk}",
        subject=_("挂账"),
        text=_("已挂账，按办理计划办理，计划完成日期{date}：{plan}").format(
            date=plan_until.isoformat(), plan=plan.strip()[:200]
        ),
        what=_("挂账通知"),
    )
    return locked


@transaction.atomic
def request_supervise(
    *, actor: Any, request: Request, note: str, expected_version: int | None = None
) -> Request:
    """督办 by a higher level: flagged, and the lead unit is told. It may be repeated (二次督办
    and on, as pressure rises): each is numbered in its history row's ``data["round"]`` and in
    the message, so the unit sees it is not the first. The same leader's same text again
    within ``REQUESTS_REPEAT_SECONDS`` (a double click, a client's retry) is refused (409,
    naming the earlier round) and writes nothing: no second round, row or SMS."""
    locked = engine.begin(actor, request, Action.SUPERVISE, expected_version=expected_version)
    if not note.strip():
        raise ValidationError(_("请填写督办意见"), field="note")
    earlier = _just_sent(actor, locked, Action.SUPERVISE, note.strip())
    if earlier is not None:
        raise Conflict(
            _("刚刚已督办（第{round}次，{time}），请勿重复提交").format(
                round=earlier.data.get("round", 1), time=_clock(earlier)
            ),
            detail=_repeat_detail(locked, earlier),
        )
    locked.supervised = True
    round_ = supervisions(locked).count() + 1
    event = engine.finish(actor, locked, Action.SUPERVISE, note=note.strip(), data={"round": round_})
    if locked.lead_unit is not None:
        if round_ == 1:
            subject = _("督办 {number}").format(number=locked.number)
            tag = _("【督办】")
        else:
            subject = _("第{round}次督办 {number}").format(round=round_, number=locked.number)
            tag = _("【第{round}次督办】").format(round=round_)
        notify_unit(
            locked.lead_unit,
            dedupe_key=f"supervise:{event.pk}",
            subject=subject,
            body=_("{tag}{number}「{title}」：{note}").format(
                tag=tag, number=locked.number, title=text_for_anyone(locked), note=note.strip()
            ),
            target=locked,
            role=_("承办单位"),
            what=_("督办通知"),
        )
    return locked


def _just_sent(actor: Any, locked: Request, action: str, note: str) -> RequestEvent | None:
    """The same person's same action with the same text on this request within
    ``REQUESTS_REPEAT_SECONDS``: a double click or a client's retry, not a new 督办 or note.

    The caller holds the request's row lock (``engine.begin``), so of two such submits at
    once the second waits for the first to commit and then finds its row here."""
    seconds = settings.REQUESTS_REPEAT_SECONDS
    if seconds <= 0 or not getattr(actor, "is_authenticated", False):
        return None
    since = timezone.now() - timedelta(seconds=seconds)
    return (
        RequestEvent.objects.filter(
            request=locked, action=action, actor=actor, note=note, created_at__gte=since
        )
        .order_by("-created_at", "-pk")
        .first()
    )


def _clock(event: RequestEvent) -> str:
    return timezone.localtime(event.created_at).strftime("%H:%M:%S")


def _repeat_detail(locked: Request, earlier: RequestEvent) -> dict[str, Any]:
    return {"status": locked.status, "version": locked.version, "event": earlier.pk}


def supervisions(request: Request) -> QuerySet[RequestEvent]:
    """The 督办 of a request so far, latest first: a leader's, and the overdue scan's automatic
    one (a 预警 row with ``data["supervised"]``, "办理超期，自动督办")."""
    found = RequestEvent.objects.filter(
        Q(action=Action.SUPERVISE) | Q(action=Action.WARN, data__supervised=True), request=request
    )
    return found.order_by("-created_at", "-pk")


@transaction.atomic
def request_merge(
    *,
    actor: Any,
    request: Request,
    into: Request,
    expected_version: int | None = None,
    paused_ok: bool = False,
) -> Request:
    """合并重复件: this request follows ``into`` from now on. Into one that is paused
    (suspended, or long-running on a plan) only when the actor says so (``paused_ok``): the
    caller's request would then wait with it."""
    if into.pk == request.pk:
        raise ValidationError(_("不能与自身合并"), field="into")
    # The two rows in id order: A into B and B into A at once wait for each other, not deadlock
    # (the second then finds its target merged).
    if request.pk < into.pk:
        engine.lock(request)
    target = engine.lock(into)
    if target.status in (Status.MERGED, Status.CLOSED):
        raise ValidationError(_("只能合并到未办结的诉求"), field="into")
    if target.status in (Status.SUSPENDED, Status.LONG_RUNNING) and not paused_ok:
        raise ValidationError(
            _("诉求 {number} {status}，合并后本诉求将随其暂停办理；确需合并请勾选“目标已暂停仍合并”").format(
                number=target.number, status=target.get_status_display()
            ),
            field="into",
            code="into_paused",
        )
    locked = engine.begin(actor, request, Action.MERGE, expected_version=expected_version)
    locked.merged_into = target
    locked.closed_at = timezone.now()
    why = _("诉求已合并至 {number}").format(number=target.number)
    whistles_end(actor, locked, locked.closed_at, why=why)
    WorkOrder.objects.filter(request=locked, is_active=True).update(is_active=False)
    approvals_withdraw(actor, locked, locked.closed_at, why=why)
    engine.finish(
        actor,
        locked,
        Action.MERGE,
        note=_("合并至 {number}").format(number=target.number),
        data={"into": target.pk},
        now=locked.closed_at,
    )
    # The target's timeline says who merged what into it, and when. A 备注 row (as a withdrawn
    # approval's): no status change, not a second 合并 in counts by action, not shown to residents.
    RequestEvent.objects.create(
        request=target,
        action=Action.NOTE,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_name=engine.actor_name(actor),
        note=_("诉求 {number}「{title}」作为重复件合并至本件").format(
            number=locked.number, title=text_for_anyone(locked)
        ),
        data={MERGED_FROM_KEY: locked.pk},
        created_at=locked.closed_at,
    )
    _repoint_duplicates(actor, locked, target, locked.closed_at)
    return locked


def _repoint_duplicates(actor: Any, merged: Request, target: Request, now: datetime) -> None:
    """The duplicates merged into ``merged`` before follow it into ``target``: a merge stays one
    level (a duplicate never points at a request itself merged), so ``target``'s page lists them.
    Under their row locks; each one's timeline and the target's say so, and an audit row
    (``requests.merge_followed``) records each change of ``merged_into``."""
    by = actor if getattr(actor, "is_authenticated", False) else None
    name = engine.actor_name(actor)
    duplicates = Request.objects.select_for_update(of=("self",)).filter(merged_into=merged).order_by("pk")
    for duplicate in duplicates:
        duplicate.merged_into = target
        duplicate.version += 1
        duplicate.save(update_fields=["merged_into", "version"])
        RequestEvent.objects.create(
            request=duplicate,
            action=Action.NOTE,
            actor=by,
            actor_name=name,
            note=_("主件 {number} 已合并至 {target}，本件随之改为合并至 {target}").format(
                number=merged.number, target=target.number
            ),
            data={"into": target.pk, "was_into": merged.pk},
            created_at=now,
        )
        audit_write(
            actor=actor,
            verb="requests.merge_followed",
            target=duplicate,
            node=duplicate.node,
            before={"merged_into": merged.pk},
            after={"merged_into": target.pk, "version": duplicate.version},
        )
        RequestEvent.objects.create(
            request=target,
            action=Action.NOTE,
            actor=by,
            actor_name=name,
            note=_("诉求 {number}「{title}」作为重复件合并至本件（随原主件 {merged} 转入）").format(
                number=duplicate.number, title=text_for_anyone(duplicate), merged=merged.number
            ),
            data={MERGED_FROM_KEY: duplicate.pk, "via": merged.pk},
            created_at=now,
        )


MERGED_FROM_KEY = "merged_from"  # on the target's 备注 row of a merge: the merged request's id


def event_label(event: RequestEvent) -> str:
    """A history row's heading: its action; but two kinds of 备注 row say what they record, the
    target's row of a merge (合并重复件) and a whistle's outcome, recorded or ended (吹哨处置)."""
    data = event.data if isinstance(event.data, dict) else {}
    if event.action == Action.NOTE and MERGED_FROM_KEY in data:
        return str(Action.MERGE.label)
    if event.action == Action.NOTE and "whistle" in data:
        return _("吹哨处置")
    try:
        return str(Action(event.action).label)
    except ValueError:
        return event.action


@transaction.atomic
def request_reopen(
    *, actor: Any, request: Request, reason: str, expected_version: int | None = None
) -> Request:
    """重办: after an unsatisfied rating the same lead unit handles it again, with new clocks."""
    locked = engine.begin(actor, request, Action.REOPEN, expected_version=expected_version)
    if not reason.strip():
        raise ValidationError(_("请填写重办理由"), field="reason")
    if locked.lead_unit is None:
        raise ValidationError(_("该诉求没有主办单位，不能重办"), field="reason")
    locked.reopen_count += 1
    locked.closed_at = None
    lead = locked.lead_unit
    assisting = [
        wo.unit
        for wo in WorkOrder.objects.filter(
            request=locked, is_active=True, role=AssignmentRole.ASSIST, whistle__isnull=True
        )
    ]  # a whistle's summons (吹哨召集) ended with the whistle: the department is no co-handler
    assignment = Assignment(
        lead=lead,
        assisting=assisting,
        label=_("重办（第{reopen_count}次）").format(reopen_count=locked.reopen_count),
    )
    copies_keep(locked, assignment)
    now = timezone.now()
    assignment_replace(actor, locked, assignment, now)
    engine.finish(
        actor,
        locked,
        Action.REOPEN,
        note=reason.strip(),
        now=now,
        unit=lead,
        data=assignment_data(assignment) | {"reopen_count": locked.reopen_count},
    )
    return locked


LEVEL_UP = {
    HandlingLevel.COMPOUND: (HandlingLevel.COMMUNITY, UnitKind.COMMUNITY),
    HandlingLevel.COMMUNITY: (HandlingLevel.SUBDISTRICT, UnitKind.SUBDISTRICT),
    HandlingLevel.SUBDISTRICT: (HandlingLevel.DISTRICT, UnitKind.DISTRICT),
}


def level_now(request: Request) -> HandlingLevel | None:
    """The level a request is handled at: its lead unit's (a request dispatched before the
    level followed the lead unit may say otherwise), unless it is held in the compound.
    None while no unit handles it (a return approved clears the level)."""
    lead = request.lead_unit
    if request.level == HandlingLevel.COMPOUND or lead is None:
        return HandlingLevel(request.level) if request.level else None
    return HandlingLevel(unit_level(lead.kind))


def escalation_target(request: Request) -> tuple[HandlingLevel, HandlingUnit]:
    """Where 上报 sends a request: the level above the one it is handled at, and that level's
    unit for its place (the service, and the form saying where before anyone confirms).
    Refused (on ``reason``) at the district level, or with no unit there."""
    before = level_now(request)
    step = LEVEL_UP.get(before) if before is not None else None
    if step is None:
        raise ValidationError(_("已在区（县）级办理，不能再上报"), field="reason")
    new_level, kind = step
    unit = unit_for_place(request.node_path, kind)
    if unit is None:
        raise ValidationError(
            _("找不到上一级（{label}）的承办单位").format(label=HandlingLevel(new_level).label),
            field="reason",
        )
    return new_level, unit


@transaction.atomic
def request_escalate(
    *, actor: Any, request: Request, reason: str, expected_version: int | None = None
) -> Request:
    """上报: small matters stay in the compound, hard ones go to the community, big ones up."""
    locked = engine.begin(actor, request, Action.ESCALATE, expected_version=expected_version)
    if not reason.strip():
        raise ValidationError(_("请填写上报理由"), field="reason")
    before = level_now(locked)
    new_level, unit = escalation_target(locked)
    locked.level = new_level
    assignment = Assignment(lead=unit, label=_("上报至{label}").format(label=HandlingLevel(new_level).label))
    copies_keep(locked, assignment)
    now = timezone.now()
    from_unit = locked.lead_unit  # the unit that escalates: the row's unit, as the actor's
    assignment_replace(actor, locked, assignment, now, keep_clocks=True)
    engine.finish(
        actor,
        locked,
        Action.ESCALATE,
        note=reason.strip(),
        now=now,
        unit=from_unit,
        data=assignment_data(assignment)
        | {
            "level_from": str(before),
            "level_to": str(new_level),
            "from_unit": from_unit.pk if from_unit else None,
        },
    )
    return locked


@transaction.atomic
def request_council(
    *,
    actor: Any,
    request: Request,
    held_on: date,
    party_branch: str,
    owners_committee: str,
    property_company: str,
    outcome: str,
    agreed: bool = True,
    others: str = "",
    expected_version: int | None = None,
) -> CouncilOutcome:
    """三方议事: the compound's party branch, owners' committee and property company agree."""
    locked = engine.begin(actor, request, Action.COUNCIL, expected_version=expected_version)
    errors: dict[str, list[str]] = {}
    for name, value, label, limit in (
        ("party_branch", party_branch, _("党支部代表"), 100),
        ("owners_committee", owners_committee, _("业委会代表"), 100),
        ("property_company", property_company, _("物业公司代表"), 100),
        ("others", others, _("其他参加人"), 255),
        ("outcome", outcome, _("议定事项"), NOTE_MAX),
    ):
        if name != "others" and not value.strip():
            errors[name] = [_("请填写{label}").format(label=label)]
        elif len(value.strip()) > limit:  # the field named, as an API client reads it
            errors[name] = [_("{label}最长{limit}个字").format(label=label, limit=limit)]
    if held_on > timezone.localdate():
        errors["held_on"] = [_("议事日期不能晚于今天")]
    elif held_on < timezone.localdate(locked.received_at):
        errors["held_on"] = [_("议事日期不能早于诉求受理日期")]
    if errors:
        raise ValidationError(errors=errors)
    council = CouncilOutcome.objects.create(
        request=locked,
        held_on=held_on,
        party_branch=party_branch.strip(),
        owners_committee=owners_committee.strip(),
        property_company=property_company.strip(),
        others=others.strip(),
        outcome=outcome.strip(),
        agreed=agreed,
        recorded_by=actor,
    )
    engine.finish(
        actor,
        locked,
        Action.COUNCIL,
        note=outcome.strip(),
        unit=locked.lead_unit,
        data={"council": council.pk, "agreed": agreed},
    )
    return council


@transaction.atomic
def request_note(
    *,
    actor: Any,
    request: Request,
    note: str,
    attachments: list[UploadedFile] | None = None,
    expected_version: int | None = None,
    caller_phone: str = "",
) -> Request:
    """备注. ``caller_phone``: the note records a caller's call about this request (the console's
    跟进此件); their phone is kept on the history row as its blind index only
    (``data["caller_phone_hash"]``, not in the audit row), so the caller's history by phone
    finds the request they followed. The same person's same note (text, caller and
    attachments) again within ``REQUESTS_REPEAT_SECONDS`` is refused (409) and not written."""
    locked = engine.begin(actor, request, Action.NOTE, expected_version=expected_version)
    files = _text_and_files("note", note, _("请填写内容"), attachments)
    earlier = _just_sent(actor, locked, Action.NOTE, note.strip())
    phone = caller_phone_hash(caller_phone) if caller_phone.strip() else None
    if (
        earlier is not None
        and earlier.data.get(FOLLOW_PHONE_KEY) == phone
        and sorted(earlier.attachments.values_list("name", "size")) == sorted(_files_key(files))
    ):
        raise Conflict(
            _("刚刚已添加过相同的备注（{time}），请勿重复提交").format(time=_clock(earlier)),
            detail=_repeat_detail(locked, earlier),
        )
    event = engine.finish(actor, locked, Action.NOTE, note=note.strip())
    if phone is not None:
        event.data = {**event.data, FOLLOW_PHONE_KEY: phone}
        event.save(update_fields=["data"])
    save_attachments(locked, files, actor, event)
    return locked


FOLLOW_PHONE_KEY = "caller_phone_hash"


def _files_key(files: list[UploadedFile]) -> list[tuple[str, int]]:
    """The attachments as ``save_attachments`` keeps them (name, size), to compare a note's."""
    return [((f.name or _("附件"))[:200], f.size or 0) for f in files]


def caller_phone_hash(phone: str) -> str:
    """The blind index of a phone as the request's ``requester_phone_hash`` keeps it."""
    from civicgrid.core import crypto
    from civicgrid.core.validators import normalise_phone

    phone = phone.strip()
    return crypto.blind_index(normalise_phone(phone) or phone)


def followed_by_phone(phone: str) -> QuerySet[RequestEvent]:
    """The 备注 rows recording a call from ``phone`` about a request it followed."""
    if not phone.strip():
        return RequestEvent.objects.none()
    return RequestEvent.objects.filter(
        action=Action.NOTE, **{f"data__{FOLLOW_PHONE_KEY}": caller_phone_hash(phone)}
    )
