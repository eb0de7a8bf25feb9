"""The periodic deadline scan: traffic lights, warnings, notifications, supervision.

Run by ``civicgrid requests_tick`` (every minute from cron or a systemd timer) or by the
``scan_deadlines`` task. It looks only at requests whose ``next_check_at`` has come
(an indexed column), and each warning is a row with a unique key (request, clock, light,
deadline): running twice, or again after a crash, raises nothing twice and, because
the scan is driven by state rather than by time windows, misses nothing.

A warning goes to the lead unit's active staff (``UnitMembership``), one outbox row per
person and channel they can be reached on (``warning:{warning}:{user}:{channel}``), in the
warning's own transaction; a unit nobody in which can be reached gets one row recorded as
failed with the reason (``warning:{warning}:nobody``).

The yellow threshold (``CIVICGRID_YELLOW_FRACTION``) decides when yellow comes, so it is in
every stored ``next_check_at``. The scan remembers the threshold it scheduled with
(``ThresholdState``); when the setting differs (or was never recorded), the open requests due
for a check later are all made due now, in one statement and in the same transaction as the
new threshold is recorded, and the scan then re-lights them by the new rule. Doing it again
changes nothing; a crash leaves either both or neither; a warning already raised is not
raised again (its unique key).
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.notify.services import Contact, notify_each
from civicgrid.requests.constants import Action, Light
from civicgrid.requests.deadlines import running_clocks
from civicgrid.requests.models import DeadlineWarning, HandlingUnit, Request
from civicgrid.requests.permissions import SYSTEM, text_for_anyone
from civicgrid.requests.services import engine
from civicgrid.requests.transitions import OPEN
from civicgrid.requests.unit_notify import nobody_reason, unit_contacts
from civicgrid.workcal.models import ThresholdState

CLOCK_LABELS = {"response": gettext_lazy("响应（签收）"), "resolution": gettext_lazy("办理")}
BATCH = 500


def _raise_warning(request: Request, clock: str, light: str, due: datetime) -> DeadlineWarning | None:
    try:
        with transaction.atomic():
            return DeadlineWarning.objects.create(request=request, clock=clock, light=light, due_at=due)
    except IntegrityError:
        return None


def _nobody_reason(unit: HandlingUnit | None, contacts: list[Contact]) -> str:
    if unit is None:
        return _("诉求尚无主办单位，提醒无人接收")
    return nobody_reason(unit, contacts, role=_("承办单位"), what=_("提醒"))


def _notify_unit(request: Request, warning: DeadlineWarning, *, supervising: bool = False) -> None:
    """Tell the lead unit's staff, each on every channel they can be reached on; ``supervising``:
    this red light puts the request under supervision (自动督办), and the message says so."""
    label = CLOCK_LABELS[warning.clock]
    due = f"{timezone.localtime(warning.due_at):%m-%d %H:%M}"
    if warning.light == Light.RED and supervising:
        text = _("【超期督办】{number}「{title}」{label}已超期（期限{due}），已自动督办，请尽快办理").format(
            number=request.number, title=text_for_anyone(request), label=label, due=due
        )
    elif warning.light == Light.RED:
        text = _("【超期】{number}「{title}」{label}已超期（期限{due}）").format(
            number=request.number, title=text_for_anyone(request), label=label, due=due
        )
    else:
        text = _("【临期】{number}「{title}」{label}即将到期（{due}）").format(
            number=request.number, title=text_for_anyone(request), label=label, due=due
        )
    unit = request.lead_unit
    contacts = unit_contacts(unit) if unit is not None else []
    notify_each(
        dedupe_key=f"warning:{warning.pk}",
        contacts=contacts,
        subject=_("{light}提醒 {number}").format(
            light=_("超期") if warning.light == Light.RED else _("临期"), number=request.number
        ),
        body=text,
        target=request,
        nobody_label=unit.name if unit is not None else _("热线中心"),
        nobody_reason=_nobody_reason(unit, contacts),
    )


def scan_one(request_id: int, now: datetime) -> int:
    """Re-light one request and raise what it has reached. Returns the warnings raised."""
    raised = 0
    with transaction.atomic():
        request = Request.objects.select_for_update(skip_locked=True).filter(pk=request_id).first()
        if request is None or request.status not in OPEN:
            return 0
        for clock in running_clocks(request):
            light = clock.light(now)
            if light == Light.GREEN:
                continue
            warning = _raise_warning(request, clock.name, light, clock.due)
            if warning is None:
                continue
            raised += 1
            supervising = light == Light.RED and not request.supervised
            _notify_unit(request, warning, supervising=supervising)
            if supervising:
                request.supervised = True
                data = {"clock": clock.name, "light": light, "due": clock.due.isoformat(), "supervised": True}
                engine.finish(
                    SYSTEM,
                    request,
                    Action.WARN,
                    note=_("{clock}超期，自动督办").format(clock=CLOCK_LABELS[clock.name]),
                    data=data,
                    now=now,
                    target=None,
                )
            else:
                engine.finish(
                    SYSTEM,
                    request,
                    Action.WARN,
                    note=f"{CLOCK_LABELS[clock.name]}{Light(light).label}",
                    data={"clock": clock.name, "light": light, "due": clock.due.isoformat()},
                    now=now,
                    target=None,
                )
        if raised == 0:
            from civicgrid.requests.deadlines import refresh_light

            refresh_light(request, now)
            request.save(update_fields=["light", "next_check_at"])
    return raised


def scheduled_fraction() -> float | None:
    """The yellow threshold the open requests' next checks were last scheduled with."""
    return ThresholdState.objects.filter(pk=1).values_list("yellow_fraction", flat=True).first()


def reschedule_for_threshold(now: datetime) -> int | None:
    """When ``CIVICGRID_YELLOW_FRACTION`` is not the threshold last scheduled with, make every
    open request due for a later check due now and record the threshold. Returns how many
    were made due, or None when the threshold had not changed."""
    fraction = float(settings.REQUESTS_YELLOW_FRACTION)
    if scheduled_fraction() == fraction:
        return None
    with transaction.atomic():
        row = ThresholdState.objects.select_for_update().filter(pk=1).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = ThresholdState.objects.create(pk=1)
            except IntegrityError:
                return None  # another scan is recording it right now
        if row.yellow_fraction == fraction:
            return None
        moved = Request.objects.filter(status__in=list(OPEN), next_check_at__gt=now).update(next_check_at=now)
        row.yellow_fraction, row.changed_at = fraction, now
        row.save(update_fields=["yellow_fraction", "changed_at"])
    return moved


def deadline_scan(now: datetime | None = None, limit: int = 10_000) -> dict[str, Any]:
    """Find what turned yellow or red since the last scan; each request in its own transaction.
    A changed yellow threshold first makes all open requests due (``reschedule_for_threshold``)."""
    now = now or timezone.now()
    rescheduled = reschedule_for_threshold(now)
    due_ids = list(
        Request.objects.filter(next_check_at__lte=now, status__in=list(OPEN))
        .order_by("next_check_at")
        .values_list("id", flat=True)[:limit]
    )
    raised = sum(scan_one(pk, now) for pk in due_ids)
    return {"checked": len(due_ids), "warnings": raised, "rescheduled": rescheduled}
