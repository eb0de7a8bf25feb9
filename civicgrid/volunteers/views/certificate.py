"""志愿服务记录证明 pages: staff issue it for a volunteer of their area (page to print, or the
record as an Excel sheet); a volunteer prints their own from the H5 card. See
``civicgrid.volunteers.certificate``."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from civicgrid.core.errors import ValidationError
from civicgrid.core.views_forms import date_or_none
from civicgrid.exchange.exports import xlsx_response
from civicgrid.registry.models import Resident
from civicgrid.volunteers import selectors
from civicgrid.volunteers.certificate import ServiceRecord, certificate_issue
from civicgrid.volunteers.models import Volunteer
from civicgrid.volunteers.views.h5 import resident_only


def _period(request: HttpRequest) -> tuple[date | None, date | None]:
    since = date_or_none(request.GET.get("since", ""), "since", _("起始日期"))
    until = date_or_none(request.GET.get("until", ""), "until", _("截止日期"))
    return since, until


STAFF_TEMPLATE = "volunteers/certificate.html"
H5_TEMPLATE = "volunteers/h5/certificate.html"  # the volunteer's own, in the phone's layout


def _page(
    request: HttpRequest,
    volunteer: Volunteer,
    back: str,
    *,
    sheet: bool = False,
    template: str = STAFF_TEMPLATE,
) -> HttpResponse:
    try:
        since, until = _period(request)
        form = "xlsx" if sheet and request.GET.get("format") == "xlsx" else "page"  # the sheet: staff only
        record = certificate_issue(
            actor=request.user, volunteer=volunteer, since=since, until=until, form=form
        )
    except ValidationError as exc:
        context = {
            "volunteer": volunteer,
            "error": exc.message,
            "params": request.GET,
            "back": back,
            "sheet": sheet,
        }
        return render(request, template, context, status=exc.http_status)
    if form == "xlsx":
        return _sheet(request, record)
    resident = volunteer.resident
    context = {
        "record": record,
        "volunteer": volunteer,
        "name": resident.name,
        "id_masked": resident.id_number_masked,
        "params": request.GET,
        "back": back,
        "sheet": sheet,
    }
    return render(request, template, context)


def _sheet(request: HttpRequest, record: ServiceRecord) -> HttpResponse:
    rows = [
        (line.day.isoformat(), line.kind, line.title, line.organiser, line.hours) for line in record.lines
    ]
    rows.append(("", "", "", _("合计"), record.hours))
    return xlsx_response(
        actor=request.user,
        list_name=_("志愿服务记录 {name}").format(name=record.volunteer.resident.name),
        headers=[_("服务日期"), _("类别"), _("服务内容"), _("组织单位"), _("服务时长（小时）")],
        rows=rows,
        node=record.volunteer.node,
        filters={
            "volunteer": record.volunteer.number,
            "since": record.since.isoformat() if record.since else "",
            "until": record.until.isoformat() if record.until else "",
        },
    )


@login_required
def staff_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = selectors.volunteer_get(request.user, pk)
    return _page(request, volunteer, back=reverse("volunteers:person", args=[volunteer.pk]), sheet=True)


@resident_only
def h5_certificate(request: HttpRequest, resident: Resident) -> HttpResponse:
    volunteer = (
        Volunteer.objects.select_related("community", "node", "resident").filter(resident=resident).first()
    )
    if volunteer is None:
        return redirect("volunteers:h5_register")
    return _page(request, volunteer, back=reverse("volunteers:h5_card"), template=H5_TEMPLATE)
