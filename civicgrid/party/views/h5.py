"""The member's own pages (H5): report to the community where one lives, take its orders."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.core.errors import CivicError, NotFound, PermissionDenied
from civicgrid.core.views_forms import unlabelled, value
from civicgrid.party import services
from civicgrid.party.constants import (
    ACTIVE_REPORT_STATUSES,
    PLEDGE_MAX_LENGTH,
    REPORTING_CATEGORIES,
    ReportStatus,
    ServiceType,
)
from civicgrid.party.models import PartyMember
from civicgrid.party.permissions import member_for_user
from civicgrid.party.services import orders_taken_by_member
from civicgrid.party.services.reporting import member_place
from civicgrid.party.views.common import float_or_none, values
from civicgrid.territory.models import Node
from civicgrid.volunteers.models import ServiceOrder


def _me(request: HttpRequest) -> PartyMember:
    member = member_for_user(request.user)
    if member is None:
        raise PermissionDenied(_("您的账号尚未登记为党员，请联系社区"))
    return member


def _target_community(member: PartyMember) -> Node | None:
    """The community a report goes to by the member's registry entry (or home), said on the
    form before it is sent; None when it cannot be told without a location."""
    if member.category not in REPORTING_CATEGORIES:
        return None
    try:
        return member_place(member).community
    except CivicError:
        return None


@login_required
def home(request: HttpRequest) -> HttpResponse:
    member = _me(request)
    context: dict[str, Any] = {
        "member": member,
        "live": member.reports.filter(status__in=ACTIVE_REPORT_STATUSES).select_related("node").first(),
        "history": member.reports.select_related("node").order_by("-submitted_at")[:10],
        "may_report": member.category in REPORTING_CATEGORIES,
        "service_types": ServiceType.choices,
        "orders": services.orders_open_to_member(member)[:30],
        "taken": orders_taken_by_member(member)[:30],
        "form": request.POST,  # what was typed, shown again when the report is refused
        "picked_service_types": request.POST.getlist("service_types"),
        "pledge_max_length": PLEDGE_MAX_LENGTH,
        "target": _target_community(member),
    }
    if request.method == "POST":
        try:
            services.member_report_submit(
                actor=request.user,
                member=member,
                pledge_list=[line for line in value(request, "pledges").splitlines() if line.strip()],
                service_type_list=values(request, "service_types"),
                lon=float_or_none(value(request, "lon"), "lon", _("经度")),
                lat=float_or_none(value(request, "lat"), "lat", _("纬度")),
                address=value(request, "address"),
            )
        except CivicError as exc:
            context["error"] = unlabelled(exc)
            return render(request, "party/h5/home.html", context, status=exc.http_status)
        messages.success(request, _("报到已提交，待社区确认"))
        return redirect("party:h5_home")
    return render(request, "party/h5/home.html", context)


@login_required
@require_POST
def end(request: HttpRequest) -> HttpResponse:
    """The member withdraws a report the community has not confirmed yet, or ends a confirmed
    one (moved house); then they may report elsewhere."""
    member = _me(request)
    live = member.reports.filter(status__in=ACTIVE_REPORT_STATUSES).first()
    if live is None:
        messages.error(request, _("您没有进行中的报到"))
        return redirect("party:h5_home")
    pending = live.status == ReportStatus.PENDING
    try:
        services.member_report_end(actor=request.user, report=live, reason=value(request, "reason"))
    except CivicError as exc:
        messages.error(request, unlabelled(exc))
    else:
        messages.success(request, _("报到已撤回") if pending else _("报到已结束，可向新的居住地社区报到"))
    return redirect("party:h5_home")


@login_required
@require_POST
def take(request: HttpRequest, pk: int) -> HttpResponse:
    _me(request)
    order = ServiceOrder.objects.filter(pk=pk).first()
    if order is None:
        raise NotFound(_("服务单不存在"))
    try:
        services.member_order_take(actor=request.user, order=order)
    except CivicError as exc:
        messages.error(request, unlabelled(exc))
    else:
        messages.success(request, _("已接单：{title}").format(title=order.title))
    return redirect("party:h5_home")
