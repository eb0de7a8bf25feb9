"""Excel exports of volunteers for a community office: the volunteer list (as filtered on
the page) and an activity's sign-in sheet (签到表).

Both go through ``civicgrid.exchange.exports.xlsx_response`` (the EXPORT capability,
audited as "exchange.exported" with their filters), like the service certificate's sheet;
rows are cut once more to the actor's export scope, a list past ``EXPORT_MAX`` is refused
before any row is read, ID numbers and phones are printed masked (110***********1234,
138****1234).
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can, scope_filter
from civicgrid.core.errors import PermissionDenied
from civicgrid.exchange.exports import limit_export, xlsx_response
from civicgrid.volunteers.models import Activity, Volunteer
from civicgrid.volunteers.services.activities import signups_of

CHUNK = 500


def _when(value: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    return timezone.localtime(value).strftime(pattern) if value else ""


VOLUNTEER_HEADERS = [
    gettext_lazy("志愿者编号"),
    gettext_lazy("姓名"),
    gettext_lazy("身份证号"),
    gettext_lazy("联系电话"),
    gettext_lazy("志愿者类别"),
    gettext_lazy("所属单位"),
    gettext_lazy("所属社区"),
    gettext_lazy("状态"),
    gettext_lazy("累计服务时长（小时）"),
    gettext_lazy("参加活动"),
    gettext_lazy("已评价服务单"),
    gettext_lazy("缺席次数"),
    gettext_lazy("申请时间"),
]


def volunteers_xlsx(actor: Any, qs: QuerySet[Volunteer], filters: dict[str, str]) -> HttpResponse:
    """The volunteer list as the page filtered it (``filters`` goes to the audit row)."""
    qs = scope_filter(qs, actor, Capability.EXPORT).select_related("resident", "community", "organisation")
    limit_export(qs)

    def rows() -> Iterable[tuple[Any, ...]]:
        for v in qs.iterator(chunk_size=CHUNK):
            yield (
                v.number,
                v.resident.name,
                v.resident.id_number_masked,
                v.resident.phone_masked,
                v.get_kind_display(),
                v.organisation.name if v.organisation else "",
                v.community.name,
                v.get_status_display(),
                v.hours_total,
                v.activities_done,
                v.orders_done,
                v.no_shows,
                _when(v.applied_at),
            )

    return xlsx_response(
        actor=actor,
        list_name=_("志愿者名册"),
        headers=VOLUNTEER_HEADERS,
        rows=rows(),
        filters={k: v for k, v in filters.items() if v},
    )


def signin_sheet_xlsx(actor: Any, activity: Activity) -> HttpResponse:
    """签到表 of an activity: everyone who signed up (waiting and cancelled ones too, with
    their status), when they came and left, their hours and points."""
    if not can(actor, Capability.EXPORT, activity.node_path):
        raise PermissionDenied(_("您无权导出该区域的数据"))
    signups = signups_of(activity)

    def rows() -> Iterable[tuple[Any, ...]]:
        for i, s in enumerate(signups, start=1):
            resident = s.volunteer.resident
            yield (
                i,
                s.volunteer.number,
                resident.name,
                resident.phone_masked,
                s.get_status_display(),
                _when(s.queued_at),
                _when(s.checked_in_at),
                s.get_check_in_via_display() if s.check_in_via else "",
                _when(s.checked_out_at),
                s.get_check_out_via_display() if s.check_out_via else "",
                s.hours,
                s.points if s.points is not None else "",
            )

    headers = [
        _("序号"),
        _("志愿者编号"),
        _("姓名"),
        _("联系电话"),
        _("状态"),
        _("报名时间"),
        _("签到时间"),
        _("签到方式"),
        _("签退时间"),
        _("签退方式"),
        _("服务时长（小时）"),
        _("获得积分"),
    ]
    return xlsx_response(
        actor=actor,
        list_name=_("签到表 {title} {day}").format(
            title=activity.title, day=_when(activity.starts_at, "%Y%m%d")
        ),
        headers=headers,
        rows=rows(),
        node=activity.node,
        filters={"activity": activity.pk},
    )
