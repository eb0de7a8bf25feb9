"""Whistle and report-in (街乡吹哨、部门报到)."""

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.errors import Conflict, PermissionDenied, ValidationError
from civicgrid.requests.constants import NOTE_MAX, Action, AssignmentRole, UnitKind
from civicgrid.requests.models import HandlingUnit, Request, Whistle, WhistleSummons, WorkOrder
from civicgrid.requests.permissions import unit_ids
from civicgrid.requests.services import engine
from civicgrid.requests.unit_notify import notify_unit

WHISTLING_KINDS = {UnitKind.SUBDISTRICT, UnitKind.COMMUNITY}
WHISTLE_DEADLINE_MAX = timedelta(days=90)  # departments report in within days, not years


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
    # Each unit once (a list naming one twice summons it once), the lead never.
    summoned = list({u.pk: u for u in units if lead is None or u.pk != lead.pk}.values())
    if not summoned:
        errors["units"] = [_("请选择被召集的部门")]
    if not reason.strip():
        errors["reason"] = [_("请填写吹哨事由")]
    elif len(reason.strip()) > NOTE_MAX:
        errors["reason"] = [_("最长{note_max}个字").format(note_max=NOTE_MAX)]
    try:
        now = timezone.now()
        if deadline <= now:
            errors["deadline"] = [_("报到期限应晚于现在")]
        elif deadline > now + WHISTLE_DEADLINE_MAX:
            errors["deadline"] = [_("报到期限不能晚于{days}天后").format(days=WHISTLE_DEADLINE_MAX.days)]
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
    for unit in summoned:
        WhistleSummons.objects.create(whistle=whistle, unit=unit)
        WorkOrder.objects.get_or_create(
            request=locked,
            unit=unit,
            role=AssignmentRole.ASSIST,
            is_active=True,
            defaults={
                "dispatched_at": now,
                "rule_label": _("吹哨召集（{name}）").format(name=lead.name),
                "dispatched_by": actor,
            },
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
                title=locked.title,
                reason=reason.strip(),
            ),
            target=locked,
            role=_("被召集单位"),
            what=_("吹哨召集"),
        )
    engine.finish(
        actor,
        locked,
        Action.WHISTLE,
        note=reason.strip(),
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
    # The whistle first, as whistle_close does: a close and a report-in are serialised on it.
    whistle = Whistle.objects.select_for_update().get(pk=summons.whistle_id)
    summons = WhistleSummons.objects.select_for_update().get(pk=summons.pk)
    summons.whistle = whistle
    locked = engine.begin(actor, whistle.request_id, Action.REPORT_IN, expected_version=expected_version)
    if summons.unit_id not in unit_ids(actor):
        raise PermissionDenied(_("只有被召集单位的人员才能报到"))
    if whistle.closed_at is not None:
        raise Conflict(
            _("该次吹哨已记录处置结果，不能再报到（本单位已记为未报到）"),
            detail={"whistle": whistle.pk, "closed_at": whistle.closed_at.isoformat()},
        )
    if summons.reported_at is not None:
        raise Conflict(_("该单位已经报到"))
    if not part.strip():
        raise ValidationError(_("请填写承担的工作"), field="part")
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
    whistle = Whistle.objects.select_for_update().get(pk=whistle.pk)
    locked = engine.begin(actor, whistle.request_id, Action.NOTE, expected_version=expected_version)
    if locked.lead_unit_id not in unit_ids(actor):
        raise PermissionDenied(_("只有吹哨单位才能记录处置结果"))
    if whistle.closed_at is not None:
        raise Conflict(_("该次吹哨已记录处置结果"))
    if not outcome.strip():
        raise ValidationError(_("请填写处置结果"), field="outcome")
    if len(outcome.strip()) > NOTE_MAX:
        raise ValidationError(_("最长{note_max}个字").format(note_max=NOTE_MAX), field="outcome")
    absent = list(
        HandlingUnit.objects.filter(summonses__whistle=whistle, summonses__reported_at__isnull=True).order_by(
            "summonses__id"
        )
    )
    whistle.outcome = outcome.strip()
    whistle.closed_at = timezone.now()
    whistle.save(update_fields=["outcome", "closed_at"])
    note = _("吹哨处置结果：{outcome}").format(outcome=outcome.strip())
    if absent:
        names = _("、").join(u.name for u in absent)
        note += _("（未报到：{names}）").format(names=names)
    engine.finish(
        actor,
        locked,
        Action.NOTE,
        note=note,
        data={"whistle": whistle.pk, "not_reported": [u.pk for u in absent]},
    )
    return whistle
