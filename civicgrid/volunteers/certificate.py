"""志愿服务记录证明: a volunteer's record of service, as a printable certificate and a sheet.

志愿服务条例 (Art. 20) asks volunteer organisations to issue, on request, proof of the
service a volunteer recorded with them free of charge; 民政部《志愿服务记录与证明出具办法》
lists what it holds: the volunteer's name and ID number, the services (date, content,
organiser, hours), the total hours, the issuer and the day of issue.

The lines are the records the hours came from, never a copy: each activity the volunteer
checked out of with hours (``Signup`` 已签退, hours > 0) and each service order they served
that was confirmed (``ServiceOrder`` 已评价, taken as the volunteer, hours > 0). Without a
period their sum is the volunteer's ``hours_total`` (the card's 服务时长). The ID number is
printed masked (110***********1234); every issue, page or sheet, is audited
(``volunteers.certificate_issued``, with the period and total).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_write
from civicgrid.core.errors import ValidationError
from civicgrid.volunteers.constants import OrderStatus, SignupStatus
from civicgrid.volunteers.models import ServiceOrder, Signup, Volunteer

CERTIFICATE_ISSUED = "volunteers.certificate_issued"


@dataclass(frozen=True)
class ServiceLine:
    day: date
    kind: str  # 志愿活动 / 服务单
    title: str
    organiser: str
    hours: Decimal


@dataclass(frozen=True)
class ServiceRecord:
    volunteer: Volunteer
    lines: list[ServiceLine]
    hours: Decimal
    since: date | None
    until: date | None
    issued_on: date

    @property
    def number(self) -> str:
        """The certificate's number: the volunteer card's number and the day of issue."""
        return f"{self.volunteer.number}-{self.issued_on:%Y%m%d}"

    @property
    def issuer(self) -> str:
        return _("{community}志愿服务站").format(community=self.volunteer.community.name)


def period_checked(since: date | None, until: date | None) -> None:
    if since is not None and until is not None and until < since:
        raise ValidationError(_("截止日期早于起始日期"), field="until")


def service_record(
    volunteer: Volunteer, *, since: date | None = None, until: date | None = None, today: date | None = None
) -> ServiceRecord:
    """The volunteer's service with hours, oldest first, within ``since``–``until`` (days, both
    included; either may be None)."""
    period_checked(since, until)
    lines: list[ServiceLine] = []
    signups = Signup.objects.filter(
        volunteer=volunteer, status=SignupStatus.COMPLETED, hours__gt=0
    ).select_related("activity__community", "activity__team")
    for signup in signups:
        activity = signup.activity
        team = activity.team
        organiser = activity.community.name + (f" · {team.name}" if team is not None else "")
        day = timezone.localtime(activity.starts_at).date()
        lines.append(ServiceLine(day, _("志愿活动"), activity.title, organiser, signup.hours))
    orders = ServiceOrder.objects.filter(
        taker_volunteer=volunteer, status=OrderStatus.CONFIRMED, hours__gt=0
    ).select_related("community")
    for order in orders:
        moment = order.completed_at or order.confirmed_at or order.created_at
        day = timezone.localtime(moment).date()
        lines.append(ServiceLine(day, _("服务单"), order.title, order.community.name, order.hours))
    kept = [
        line
        for line in lines
        if (since is None or line.day >= since) and (until is None or line.day <= until)
    ]
    kept.sort(key=lambda line: (line.day, line.kind, line.title))
    return ServiceRecord(
        volunteer=volunteer,
        lines=kept,
        hours=sum((line.hours for line in kept), Decimal("0")),
        since=since,
        until=until,
        issued_on=today or timezone.localdate(),
    )


@transaction.atomic
def certificate_issue(
    *, actor: Any, volunteer: Volunteer, since: date | None = None, until: date | None = None, form: str
) -> ServiceRecord:
    """The record, audited as issued (``form``: "page" or "xlsx") by ``actor``."""
    record = service_record(volunteer, since=since, until=until)
    audit_write(
        actor=actor,
        verb=CERTIFICATE_ISSUED,
        target=volunteer,
        node=volunteer.node,
        after={
            "number": record.number,
            "since": since.isoformat() if since else None,
            "until": until.isoformat() if until else None,
            "lines": len(record.lines),
            "hours": str(record.hours),
            "form": form,
        },
    )
    return record
