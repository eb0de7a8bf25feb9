"""Whistle and report-in (街乡吹哨、部门报到)."""

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.errors import Conflict, ValidationError
from civicgrid.notify.models import Channel as NotifyChannel
from civicgrid.notify.services import notify
from civicgrid.requests.constants import Action, AssignmentRole, UnitKind
from civicgrid.requests.models import HandlingUnit, Request, Whistle, WhistleSummons, WorkOrder
from civicgrid.requests.permissions import unit_ids
from civicgrid.requests.services import engine
from civicgrid.requests.services.intake import NOTE_MAX

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
    """The lead subdistrict summons departments to report in by ``deadline``."""
    locked = engine.begin(actor, request, Action.WHISTLE, expected_version=expected_version)
    lead = locked.lead_unit
    errors: dict[str, list[str]] = {}
    if lead is None or lead.kind not in WHISTLING_KINDS:
        errors["units"] = [_("只有街道（乡镇）或社区承办时才能吹哨")]
    summoned = [u for u in units if lead is None or u.pk != lead.pk]
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
        notify(
            dedupe_key=f"whistle:{whistle.pk}:{unit.pk}",
            channel=NotifyChannel.SMS,
            recipient_label=unit.name,
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


@transaction.atomic
def whistle_report_in(
    *, actor: Any, summons: WhistleSummons, part: str, expected_version: int | None = None
) -> WhistleSummons:
    """A summoned department reports in and records its part of the work."""
    summons = WhistleSummons.objects.select_for_update().select_related("whistle").get(pk=summons.pk)
    locked = engine.begin(
        actor, summons.whistle.request_id, Action.REPORT_IN, expected_version=expected_version
    )
    if summons.unit_id not in unit_ids(actor):
        from civicgrid.core.errors import PermissionDenied

        raise PermissionDenied(_("只有被召集单位的人员才能报到"))
    if summons.reported_at is not None:
        from civicgrid.core.errors import Conflict

        raise Conflict(_("该单位已经报到"))
    if not part.strip():
        raise ValidationError(_("请填写承担的工作"), field="part")
    summons.reported_at = timezone.now()
    summons.reported_by = actor
    summons.part = part.strip()
    summons.save()
    late = summons.reported_at > summons.whistle.deadline
    engine.finish(
        actor,
        locked,
        Action.REPORT_IN,
        note=part.strip(),
        unit=summons.unit,
        data={"whistle": summons.whistle_id, "late": late},
    )
    return summons


@transaction.atomic
def whistle_close(
    *, actor: Any, whistle: Whistle, outcome: str, expected_version: int | None = None
) -> Whistle:
    whistle = Whistle.objects.select_for_update().get(pk=whistle.pk)
    locked = engine.begin(actor, whistle.request_id, Action.NOTE, expected_version=expected_version)
    if locked.lead_unit_id not in unit_ids(actor):
        from civicgrid.core.errors import PermissionDenied

        raise PermissionDenied(_("只有吹哨单位才能记录处置结果"))
    if whistle.closed_at is not None:
        raise Conflict(_("该次吹哨已记录处置结果"))
    if not outcome.strip():
        raise ValidationError(_("请填写处置结果"), field="outcome")
    if len(outcome.strip()) > NOTE_MAX:
        raise ValidationError(_("最长{note_max}个字").format(note_max=NOTE_MAX), field="outcome")
    whistle.outcome = outcome.strip()
    whistle.closed_at = timezone.now()
    whistle.save()
    engine.finish(
        actor,
        locked,
        Action.NOTE,
        note=_("吹哨处置结果：{outcome}").format(outcome=outcome.strip()),
        data={"whistle": whistle.pk},
    )
    return whistle
