"""Whistle and report-in (街乡吹哨、部门报到)."""

from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import CharField, Exists, OuterRef, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.errors import Conflict, PermissionDenied, ValidationError
from civicgrid.requests.constants import NOTE_MAX, Action, AssignmentRole, Light, Status, UnitKind
from civicgrid.requests.deadlines import ClockState
from civicgrid.requests.models import (
    DeadlineWarning,
    HandlingUnit,
    Request,
    RequestEvent,
    Whistle,
    WhistleSummons,
    WorkOrder,
)
from civicgrid.requests.permissions import text_for_anyone, unit_ids
from civicgrid.requests.selectors import requests_readable
from civicgrid.requests.services import engine
from civicgrid.requests.unit_notify import notify_unit
from civicgrid.workcal.constants import LimitUnit

WHISTLING_KINDS = {UnitKind.SUBDISTRICT, UnitKind.COMMUNITY}
# Who may be summoned (部门报到): the functional departments and public-service enterprises,
# never the district government, a subdistrict or a community (the whistle goes up and across
# to the departments, not to the lead's peers or superiors).
SUMMONABLE_KINDS = (UnitKind.DEPARTMENT, UnitKind.ENTERPRISE)


def summonable_units(request: Request) -> QuerySet[HandlingUnit]:
    """The units the lead of ``request`` may summon: active departments and enterprises."""
    found = HandlingUnit.objects.filter(is_active=True, kind__in=SUMMONABLE_KINDS)
    return found.exclude(pk=request.lead_unit_id) if request.lead_unit_id else found


def _not_summonable(units: list[HandlingUnit]) -> list[str]:
    """The refusal for units that may not be summoned (named, with their kind), or none."""
    wrong = [u for u in units if u.kind not in SUMMONABLE_KINDS or not u.is_active]
    if not wrong:
        return []
    names = _("、").join(
        _("{name}（{kind}）").format(name=u.name, kind=UnitKind(u.kind).label) for u in wrong
    )
    return [_("只能召集职能部门或公共服务企业，不能召集：{names}").format(names=names)]


WHISTLE_DEADLINE_MAX = timedelta(days=90)  # departments report in within days, not years
WHISTLE_DEADLINE_MIN = timedelta(hours=1)  # time for the summoned to read the summons and come


@transaction.atomic
def request_whistle(
    *,
    actor: Any,
    request: Request,
    units: list[HandlingUnit],
    reason: str,
    deadline: datetime,
    expected_version: int | None = None,
) -> Whistle:
    """The lead subdistrict summons departments to report in by ``deadline``.

    A unit still summoned on the request (by a whistle not yet closed) is not summoned
    again: the whole whistle is refused (``Conflict`` naming it). The request's row lock
    (``engine.begin``) serialises two whistles sent at once, so the second sees the first.
    """
    locked = engine.begin(actor, request, Action.WHISTLE, expected_version=expected_version)
    lead = locked.lead_unit
    errors: dict[str, list[str]] = {}
    if lead is None or lead.kind not in WHISTLING_KINDS:
        errors["units"] = [_("只有街道（乡镇）或社区承办时才能吹哨")]
    # Each unit once (a list naming one twice summons it once), the lead never: naming it is
    # refused by name (dropping it silently answered "请选择被召集的部门" to [own unit]).
    summoned = list({u.pk: u for u in units if lead is None or u.pk != lead.pk}.values())
    own: list[str] = []
    if lead is not None and any(u.pk == lead.pk for u in units):
        own = [_("不能召集本单位「{name}」：吹哨是本单位召集其他部门报到").format(name=lead.name)]
    if not summoned and not own:
        errors["units"] = [_("请选择被召集的部门")]
    elif wrong := own + _not_summonable(summoned):
        errors["units"] = wrong
    if not reason.strip():
        errors["reason"] = [_("请填写吹哨事由")]
    elif len(reason.strip()) > NOTE_MAX:
        errors["reason"] = [_("最长{note_max}个字").format(note_max=NOTE_MAX)]
    try:
        now = timezone.now()
        due = locked.due_resolution_at
        if deadline < now + WHISTLE_DEADLINE_MIN:
            errors["deadline"] = [_("报到期限应至少在1小时之后，给被召集部门留出报到时间")]
        elif deadline > now + WHISTLE_DEADLINE_MAX:
            errors["deadline"] = [_("报到期限不能晚于{days}天后").format(days=WHISTLE_DEADLINE_MAX.days)]
        elif due is not None and due > now and deadline > due:
            # Departments summoned to help must arrive before the request itself is due
            # (an overdue request may still summon them for any time ahead).
            errors["deadline"] = [
                _("报到期限不能晚于诉求的办理期限（{due:%Y-%m-%d %H:%M}）").format(
                    due=timezone.localtime(due)
                )
            ]
    except OverflowError:  # year 9999 in a time zone west of UTC
        errors["deadline"] = [_("报到期限超出范围")]
    if errors:
        raise ValidationError(errors=errors)
    assert lead is not None
    _refuse_summoned_again(locked, summoned)
    whistle = Whistle.objects.create(
        request=locked, summoning_unit=lead, created_by=actor, reason=reason.strip(), deadline=deadline
    )
    now = timezone.now()
    assisting = set(
        WorkOrder.objects.filter(
            request=locked, unit__in=summoned, role=AssignmentRole.ASSIST, is_active=True
        ).values_list("unit_id", flat=True)
    )
    for unit in summoned:
        WhistleSummons.objects.create(whistle=whistle, unit=unit)
        if unit.pk not in assisting:  # a unit assisting by the dispatch keeps that order
            WorkOrder.objects.create(
                request=locked,
                unit=unit,
                role=AssignmentRole.ASSIST,
                whistle=whistle,
                dispatched_at=now,
                rule_label=_("吹哨召集（{name}）").format(name=lead.name),
                dispatched_by=actor,
            )
        notify_unit(
            unit,
            dedupe_key=f"whistle:{whistle.pk}:{unit.pk}",
            subject=_("吹哨召集 {number}").format(number=locked.number),
            body=_(
                "【吹哨报到】{name}召集贵单位于{deadline:%m月%d日%H:%M}前报到：{title}。事由：{reason}"
            ).format(
                name=lead.name,
                deadline=timezone.localtime(deadline),
                title=text_for_anyone(locked),
                reason=reason.strip(),
            ),
            target=locked,
            role=_("被召集单位"),
            what=_("吹哨召集"),
        )
    note = _("{reason}（召集：{names}；报到期限：{deadline:%Y-%m-%d %H:%M}）").format(
        reason=reason.strip(),
        names=_("、").join(u.name for u in summoned),
        deadline=timezone.localtime(deadline),
    )
    engine.finish(
        actor,
        locked,
        Action.WHISTLE,
        note=note,
        unit=lead,
        data={"whistle": whistle.pk, "units": [u.pk for u in summoned], "deadline": deadline.isoformat()},
    )
    return whistle


def _refuse_summoned_again(request: Request, units: list[HandlingUnit]) -> None:
    """Conflict when one of ``units`` is summoned on ``request`` by a whistle still open."""
    open_summonses = (
        WhistleSummons.objects.filter(
            whistle__request=request, whistle__closed_at__isnull=True, unit__in=units
        )
        .select_related("unit")
        .order_by("id")
    )
    already = list({s.unit_id: s for s in open_summonses}.values())
    if not already:
        return
    names = _("、").join(s.unit.name for s in already)
    raise Conflict(
        _("{names}已被召集，该次吹哨尚未记录处置结果，不能重复召集").format(names=names),
        detail={
            "units": [s.unit_id for s in already],
            "whistles": sorted({s.whistle_id for s in already}),
        },
    )


@transaction.atomic
def whistle_report_in(
    *, actor: Any, summons: WhistleSummons, part: str, expected_version: int | None = None
) -> WhistleSummons:
    """A summoned department reports in and records its part of the work, while the whistle is open."""
    # The request first, then the whistle, as whistle_close and a change of lead (whistles_end)
    # do: a close, a report-in and a 改派 are serialised without a deadlock.
    engine.lock(Whistle.objects.values_list("request_id", flat=True).get(pk=summons.whistle_id))
    whistle = Whistle.objects.select_for_update().get(pk=summons.whistle_id)
    summons = WhistleSummons.objects.select_for_update().get(pk=summons.pk)
    summons.whistle = whistle
    # The summoned unit is told its whistle is over (409) before the request's rule is asked:
    # once closed, the unit is no assisting unit any more, and would only hear "无权" (403).
    # A unit that did report in is told so first: after the outcome it is not 未报到.
    if summons.unit_id not in unit_ids(actor):
        raise PermissionDenied(_("只有被召集单位的人员才能报到"))
    if summons.reported_at is not None:
        raise Conflict(
            _("该单位已经报到（{time:%Y-%m-%d %H:%M}）").format(time=timezone.localtime(summons.reported_at)),
            detail={"whistle": whistle.pk, "reported_at": summons.reported_at.isoformat()},
        )
    if whistle.closed_at is not None:
        raise Conflict(
            _("该次吹哨已记录处置结果，不能再报到（本单位已记为未报到）"),
            detail={"whistle": whistle.pk, "closed_at": whistle.closed_at.isoformat()},
        )
    locked = engine.begin(actor, whistle.request_id, Action.REPORT_IN, expected_version=expected_version)
    if not part.strip():
        raise ValidationError(_("请填写承担的工作"), field="part")
    if len(part.strip()) > NOTE_MAX:  # named as the client sent it, not as the timeline's note
        raise ValidationError(
            _("最长{note_max}个字（现有{length}个字）").format(note_max=NOTE_MAX, length=len(part.strip())),
            field="part",
        )
    summons.reported_at = timezone.now()
    summons.reported_by = actor
    summons.part = part.strip()
    summons.save(update_fields=["reported_at", "reported_by", "part"])
    late = summons.reported_at > whistle.deadline
    engine.finish(
        actor,
        locked,
        Action.REPORT_IN,
        note=part.strip(),
        unit=summons.unit,
        data={"whistle": whistle.pk, "late": late},
    )
    return summons


@transaction.atomic
def whistle_close(
    *, actor: Any, whistle: Whistle, outcome: str, expected_version: int | None = None
) -> Whistle:
    """The summoning unit records the outcome; departments not reported in by now stay 未报到.

    Closing is not held up by a department that did not turn up: its summons keeps no report-in
    time, the history row and the audit row name it (``not_reported``), and from now on it can
    no longer report in (``whistle_report_in`` refuses a closed whistle).
    """
    # The request first, then the whistle, as everywhere. A whistle already over is said so
    # (to anyone who reads the request) before the actor's right is asked: a stale form after
    # the whistle ended by itself (改派 to another unit) would otherwise hear "无权" or
    # "只有当前承办…", though nobody may record an outcome on it any more.
    engine.lock(whistle.request_id)
    whistle = Whistle.objects.select_for_update().get(pk=whistle.pk)
    if whistle.closed_at is not None and requests_readable(actor).filter(pk=whistle.request_id).exists():
        raise Conflict(
            _whistle_over(whistle), detail={"whistle": whistle.pk, "closed_at": whistle.closed_at.isoformat()}
        )
    locked = engine.begin(actor, whistle.request_id, Action.NOTE, expected_version=expected_version)
    if whistle.closed_at is not None:
        raise Conflict(_whistle_over(whistle))
    whistle_closer_check(actor, locked)
    if not outcome.strip():
        raise ValidationError(_("请填写处置结果"), field="outcome")
    if len(outcome.strip()) > NOTE_MAX:
        raise ValidationError(_("最长{note_max}个字").format(note_max=NOTE_MAX), field="outcome")
    note, absent = _whistle_end(
        locked, whistle, outcome.strip(), timezone.now(), why=_("吹哨单位已记录处置结果")
    )
    engine.finish(
        actor,
        locked,
        Action.NOTE,
        note=note,
        unit=locked.lead_unit,
        data={"whistle": whistle.pk, "not_reported": [u.pk for u in absent]},
    )
    return whistle


def may_close_whistle(actor: Any, request: Request) -> bool:
    """Who records a whistle's outcome (处置结果): a member of the request's current lead unit.
    The one rule the service, the pages and the API go by."""
    return request.lead_unit_id is not None and request.lead_unit_id in unit_ids(actor)


def whistle_closer_check(actor: Any, request: Request) -> None:
    if not may_close_whistle(actor, request):
        raise PermissionDenied(_("只有当前承办（吹哨）单位才能记录处置结果"))


def _whistle_over(whistle: Whistle) -> str:
    """Why a closed whistle takes no more: ended by itself (its request's lead changed, it was
    done, merged…: the timeline's row says ``ended``), or its outcome recorded by the lead."""
    ended = RequestEvent.objects.filter(
        request_id=whistle.request_id, action=Action.NOTE, data__whistle=whistle.pk, data__ended=True
    ).exists()
    if ended:
        return _("该次吹哨已结束（{outcome}），不能再记录处置结果").format(outcome=whistle.outcome)
    return _("该次吹哨已记录处置结果")


def _whistle_end(
    request: Request, whistle: Whistle, outcome: str, now: datetime, *, why: str
) -> tuple[str, list[HandlingUnit]]:
    """Close ``whistle`` with ``outcome``: its summonses not reported in stay 未报到 and the
    assisting work orders it gave (吹哨召集) end; each unit not reported in is told the whistle
    is over (``why``), once (keyed by whistle and unit; queued in this transaction, sent after
    its commit). Returns the history note and the absent units."""
    absent = list(
        HandlingUnit.objects.filter(summonses__whistle=whistle, summonses__reported_at__isnull=True).order_by(
            "summonses__id"
        )
    )
    whistle.outcome = outcome
    whistle.closed_at = now
    whistle.save(update_fields=["outcome", "closed_at"])
    WorkOrder.objects.filter(whistle=whistle, is_active=True).update(is_active=False)
    note = _("吹哨处置结果：{outcome}").format(outcome=outcome)
    if absent:
        names = _("、").join(u.name for u in absent)
        note += _("（未报到：{names}）").format(names=names)
    for unit in absent:
        notify_unit(
            unit,
            dedupe_key=f"whistle-end:{whistle.pk}:{unit.pk}",
            subject=_("吹哨结束 {number}").format(number=request.number),
            body=_("【吹哨结束】{number}「{title}」{name}的吹哨召集已结束（{why}），贵单位无需再报到").format(
                number=request.number,
                title=text_for_anyone(request),
                name=whistle.summoning_unit.name,
                why=why,
            ),
            target=request,
            role=_("被召集单位"),
            what=_("吹哨结束通知"),
        )
    return note, absent


def whistles_end(
    actor: Any, request: Request, now: datetime, *, why: str, keep_lead: HandlingUnit | None = None
) -> list[int]:
    """End the request's open whistles (the lead unit changed, or the request is done): each
    is closed with the automatic outcome "{why}，吹哨结束", its 吹哨召集 work orders end, and
    the timeline says so under the summoning unit. A whistle of ``keep_lead`` stays open."""
    found = Whistle.objects.select_for_update().filter(request=request, closed_at__isnull=True)
    if keep_lead is not None:
        found = found.exclude(summoning_unit=keep_lead)
    ended = list(found.select_related("summoning_unit").order_by("id"))
    by = actor if getattr(actor, "is_authenticated", False) else None
    for whistle in ended:
        note, absent = _whistle_end(request, whistle, _("{why}，吹哨结束").format(why=why), now, why=why)
        RequestEvent.objects.create(
            request=request,
            action=Action.NOTE,
            actor=by,
            actor_name=engine.actor_name(actor),
            unit=whistle.summoning_unit,
            note=note,
            data={"whistle": whistle.pk, "ended": True, "not_reported": [u.pk for u in absent]},
            created_at=now,
        )
    return [w.pk for w in ended]


# --- report-in deadlines (报到期限) ----------------------------------------------------------------


def report_in_clock(whistle: Whistle) -> ClockState:
    """The report-in deadline as a clock: from the whistle to its deadline, in wall time. It is
    the summoned units' own and does not pause while the request is suspended (they may report
    in then too): the same yellow threshold as the request's clocks decides its light."""
    return ClockState("report_in", whistle.created_at, whistle.deadline, LimitUnit.HOURS)


def report_in_light(whistle: Whistle, now: datetime) -> str:
    return report_in_clock(whistle).light(now)


def _report_in_warning_key(whistle: Whistle) -> str:
    return f"w{whistle.pk}"  # DeadlineWarning.clock (12 characters): one report-in clock per whistle


def report_in_scan(now: datetime | None = None) -> dict[str, int]:
    """临期/超期 warnings for report-in deadlines (run by ``requests_tick`` after the request scan).

    An open whistle with units not reported in that has reached yellow (or red) raises a
    ``DeadlineWarning`` (clock ``w{whistle}``, unique per colour and deadline) and, in the same
    transaction, tells the units still awaited; on red the summoning unit is told too. Running
    twice, or again after a crash, raises and sends nothing twice (the unique key, the outbox
    keys) and, being driven by state, misses nothing. A whistle that has raised red is not
    looked at again."""
    now = now or timezone.now()
    outstanding = WhistleSummons.objects.filter(whistle=OuterRef("pk"), reported_at__isnull=True)
    red = DeadlineWarning.objects.filter(
        request_id=OuterRef("request_id"), light=Light.RED, due_at=OuterRef("deadline"), clock=OuterRef("key")
    )
    candidates = (
        Whistle.objects.filter(closed_at__isnull=True)
        .exclude(request__status__in=[Status.CLOSED, Status.MERGED])
        .filter(Exists(outstanding))
        .annotate(key=Concat(Value("w"), Cast("pk", CharField()), output_field=CharField()))
        .exclude(Exists(red))
        .order_by("deadline", "id")
    )
    checked = raised = 0
    for whistle in candidates:
        checked += 1
        light = report_in_light(whistle, now)
        if light != Light.GREEN:
            raised += _report_in_warn(whistle.pk, now)
    return {"checked": checked, "warnings": raised}


def _report_in_warn(whistle_id: int, now: datetime) -> int:
    """Raise what one whistle's report-in deadline has reached (yellow, red or both)."""
    raised = 0
    with transaction.atomic():
        whistle = (
            Whistle.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("request", "summoning_unit")
            .filter(pk=whistle_id, closed_at__isnull=True)
            .first()
        )
        if whistle is None:
            return 0
        light = report_in_light(whistle, now)
        lights = (
            [Light.YELLOW]
            if light == Light.YELLOW
            else [Light.YELLOW, Light.RED]
            if light == Light.RED
            else []
        )
        for colour in lights:
            try:
                with transaction.atomic():
                    warning = DeadlineWarning.objects.create(
                        request=whistle.request,
                        clock=_report_in_warning_key(whistle),
                        light=colour,
                        due_at=whistle.deadline,
                    )
            except IntegrityError:
                continue
            if colour == Light.YELLOW and light == Light.RED:
                continue  # reached red before any scan saw yellow: one 超期 message, not both
            raised += 1
            _report_in_notify(whistle, warning)
    return raised


def _report_in_notify(whistle: Whistle, warning: DeadlineWarning) -> None:
    request = whistle.request
    due = timezone.localtime(whistle.deadline)
    awaited = list(
        HandlingUnit.objects.filter(summonses__whistle=whistle, summonses__reported_at__isnull=True).order_by(
            "summonses__id"
        )
    )
    overdue = warning.light == Light.RED
    title = text_for_anyone(request)
    for unit in awaited:
        if overdue:
            body = _(
                "【报到超期】{number}「{title}」{name}召集的报到期限{due:%m-%d %H:%M}已过，请尽快报到"
            ).format(
                number=request.number,
                title=title,
                name=whistle.summoning_unit.name,
                due=due,
            )
        else:
            body = _(
                "【报到临期】{number}「{title}」{name}召集贵单位报到，报到期限{due:%m-%d %H:%M}即将到期"
            ).format(
                number=request.number,
                title=title,
                name=whistle.summoning_unit.name,
                due=due,
            )
        notify_unit(
            unit,
            dedupe_key=f"warning:{warning.pk}:{unit.pk}",
            subject=(_("报到超期 {number}") if overdue else _("报到临期 {number}")).format(
                number=request.number
            ),
            body=body,
            target=request,
            role=_("被召集单位"),
            what=_("报到提醒"),
        )
    if overdue and awaited:
        names = _("、").join(u.name for u in awaited)
        notify_unit(
            whistle.summoning_unit,
            dedupe_key=f"warning:{warning.pk}:{whistle.summoning_unit_id}",
            subject=_("报到超期 {number}").format(number=request.number),
            body=_("【报到超期】{number}「{title}」{names}未在报到期限{due:%m-%d %H:%M}前报到").format(
                number=request.number, title=title, names=names, due=due
            ),
            target=request,
            role=_("吹哨单位"),
            what=_("报到提醒"),
        )
