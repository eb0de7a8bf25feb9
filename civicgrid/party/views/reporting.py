"""Pages of dual reporting: the rates, who has not reported, reports to confirm, agreements."""

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.core.errors import CivicError, NotFound, ValidationError
from civicgrid.core.pagination import paginate, query_without_page
from civicgrid.core.redirects import within_site
from civicgrid.core.views_forms import act, date_or_none, unlabelled, value
from civicgrid.party import figures, selectors, services
from civicgrid.party.constants import (
    AgreementKind,
    AgreementStatus,
    MemberCategory,
    ReportStatus,
    ServiceType,
)
from civicgrid.party.exports import agreements_xlsx
from civicgrid.party.models import AgreementFile
from civicgrid.party.services import phones
from civicgrid.party.views.common import (
    areas,
    can_edit,
    node_choice,
    picked,
    require_view,
    required_date,
    under_param,
    unit_from_form,
    values,
)
from civicgrid.territory.models import NodeKind
from civicgrid.territory.selectors import node_get


@login_required
def reporting(request: HttpRequest) -> HttpResponse:
    """Rates per community (where members live) and per unit, and who has not reported."""
    require_view(request)
    under = under_param(request)
    actor = request.user
    community_id = request.GET.get("community", "")
    unit_id = request.GET.get("unit", "")
    community = picked(actor, community_id, node_get)
    unit = picked(actor, unit_id, selectors.org_get)
    not_reported = figures.members_not_reported(actor, community=community, organisation=unit)
    context = {
        "under": under,
        "area": figures.area_rate(actor, under=under),
        "home": figures.home_rate(actor, under=under),
        "new_employment": figures.area_rate(actor, under=under, category=MemberCategory.NEW_EMPLOYMENT),
        "unit_rate": figures.unit_rate(actor, under=under),
        "communities": figures.rates_by_community(actor, under=under),
        "units": figures.rates_by_unit(actor, under=under),
        "units_not_reported": figures.units_not_reported(actor, under=under)[:200],
        "community": community,
        "unit": unit,
        "not_reported": _with_reveal(actor, paginate(request, not_reported)),
        "query": query_without_page(request),
    } | _hours_context(request, under)
    return render(request, "party/reporting.html", context)


def _with_reveal(actor: Any, page: Any) -> Any:
    for member in page:
        member.can_reveal_phone = phones.may_reveal_member_phone(actor, member)
    return page


# The period of the hours table: any day a person might mean; past these ends the filter is
# refused by field (date.max + 1 day would overflow).
HOURS_FIRST_DAY = date(1900, 1, 1)
HOURS_LAST_DAY = date(2999, 12, 31)


def _hours_day(request: HttpRequest, field: str, label: str, errors: dict[str, str]) -> date | None:
    try:
        day = date_or_none(request.GET.get(field, ""), field, label)
    except ValidationError as exc:
        errors[field] = unlabelled(exc)
        return None
    if day is not None and not HOURS_FIRST_DAY <= day <= HOURS_LAST_DAY:
        errors[field] = _("{label}超出可查询的日期范围（{first}至{last}）").format(
            label=label, first=HOURS_FIRST_DAY.isoformat(), last=HOURS_LAST_DAY.isoformat()
        )
        return None
    return day


def _hours_context(request: HttpRequest, under: Any) -> dict[str, Any]:
    """Members by service hours confirmed in a period (this year by default). A day that
    cannot be read or is out of range is refused by its field; the table shows this year."""
    today = timezone.localdate()
    errors: dict[str, str] = {}
    since = _hours_day(request, "since", _("起始日期"), errors)
    until = _hours_day(request, "until", _("截止日期"), errors)
    if errors:
        since, until = today.replace(month=1, day=1), today
    since = since or today.replace(month=1, day=1)
    until = until or today
    if since > until:
        errors["since"] = _("起始日期不能晚于截止日期")
        since, until = until, since
    return {
        "hours_since": since,
        "hours_until": until,
        "hours_errors": errors,
        "hours_typed": {f: request.GET.get(f, "") for f in errors},
        "hours_rows": figures.members_by_hours(request.user, since=since, until=until, under=under),
    }


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    require_view(request)
    status = request.GET.get("status", ReportStatus.PENDING)
    qs = selectors.reports_visible(request.user).select_related(
        "member", "node", "grid", "member__organisation"
    )
    if status:
        qs = qs.filter(status=status)
    labels = dict(ServiceType.choices)
    page = paginate(request, qs.order_by("-submitted_at", "-id"))
    for row in page:
        row.type_labels = [labels.get(t, t) for t in row.service_types]
        row.editable = can_edit(request, row.node_path)
    context = {
        "page": page,
        "status": status,
        "statuses": ReportStatus.choices,
        "query": query_without_page(request),
    }
    return render(request, "party/reports.html", context)


@login_required
@require_POST
def report_act(request: HttpRequest, pk: int) -> HttpResponse:
    row = selectors.report_get(request.user, pk)
    back = within_site(request, request.POST.get("next"), reverse("party:reports"))
    action = value(request, "action")
    actor = request.user
    if action == "confirm":
        return act(
            request, lambda: services.member_report_confirm(actor=actor, report=row), _("已确认报到"), back
        )
    if action == "reject":
        return act(
            request,
            lambda: services.member_report_reject(actor=actor, report=row, reason=value(request, "reason")),
            _("已退回"),
            back,
        )
    if action == "end":
        return act(
            request,
            lambda: services.member_report_end(actor=actor, report=row, reason=value(request, "reason")),
            _("报到已结束"),
            back,
        )
    messages.error(request, _("未知的操作"))
    return redirect(back)


# --- agreements ----------------------------------------------------------------------------


@login_required
def agreements(request: HttpRequest) -> HttpResponse:
    require_view(request)
    params = request.GET
    qs = selectors.agreements_visible(request.user).select_related("unit", "node", "alliance")
    if params.get("status"):
        qs = selectors.agreements_in_status(qs, params["status"])
    if params.get("kind"):
        qs = qs.filter(kind=params["kind"])
    if params.get("q", "").strip():
        qs = qs.filter(unit__name__contains=params["q"].strip())
    if params.get("export") == "xlsx":
        return agreements_xlsx(request.user, qs)
    context = {
        "page": paginate(request, qs.order_by("-signed_on", "-id")),
        "query": query_without_page(request),
        "params": params,
        "statuses": AgreementStatus.choices,
        "kinds": AgreementKind.choices,
    }
    return render(request, "party/agreements.html", context)


def _agreement_form(request: HttpRequest) -> dict[str, Any]:
    return {
        "communities": areas(request.user, (NodeKind.COMMUNITY,)),
        "alliances": selectors.alliances_visible(request.user).filter(is_active=True).order_by("name")[:200],
        "units": selectors.units_visible(request.user).order_by("name")[:500],
        "service_types": ServiceType.choices,
        "kinds": AgreementKind.choices,
        "form": request.POST,
    }


@login_required
def agreement_new(request: HttpRequest) -> HttpResponse:
    require_view(request)
    if request.method != "POST":
        return render(request, "party/agreement_new.html", _agreement_form(request))
    actor = request.user
    try:
        kind = value(request, "kind") or AgreementKind.DUAL_REPORTING
        alliance_id = value(request, "alliance")
        community = value(request, "community")
        agreement = services.agreement_sign(
            actor=actor,
            unit=unit_from_form(request),
            kind=kind,
            node=node_choice(actor, community, "node")
            if community and kind == AgreementKind.DUAL_REPORTING
            else None,
            alliance=picked(actor, alliance_id, selectors.alliance_get)
            if kind == AgreementKind.ALLIANCE
            else None,
            title=value(request, "title"),
            pledges_text=value(request, "pledges"),
            service_type_list=values(request, "service_types"),
            contact_name=value(request, "contact_name"),
            contact_phone=value(request, "contact_phone"),
            signed_on=required_date(value(request, "signed_on"), "signed_on", _("签订日期")),
            starts_on=date_or_none(value(request, "starts_on"), "starts_on", _("开始日期")),
            ends_on=date_or_none(value(request, "ends_on"), "ends_on", _("结束日期")),
        )
    except CivicError as exc:
        context = _agreement_form(request) | {"error": unlabelled(exc)}
        return render(request, "party/agreement_new.html", context, status=exc.http_status)
    messages.success(request, _("共建协议已登记"))
    return redirect("party:agreement", agreement.pk)


@login_required
def agreement(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.agreement_get(request.user, pk)
    labels = dict(ServiceType.choices)
    context = {
        "agreement": found,
        "type_labels": [labels.get(t, t) for t in found.service_types],
        "files": found.files.all(),
        "can_edit": can_edit(request, found.node_path),
        "can_reveal_phone": phones.may_reveal_agreement_phone(request.user, found),
    }
    return render(request, "party/agreement.html", context)


@login_required
@require_POST
def agreement_phone(request: HttpRequest, pk: int) -> HttpResponse:
    """The agreement contact's phone in full (查看), for staff who may see personal data; audited."""
    found = selectors.agreement_get(request.user, pk)
    clear = phones.agreement_phone_reveal(actor=request.user, agreement=found)
    return render(request, "registry/_revealed.html", {"clear": {"contact_phone": clear}})


@login_required
@require_POST
def agreement_act(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.agreement_get(request.user, pk)
    back = reverse("party:agreement", args=[pk])
    action = value(request, "action")
    if action == "end":
        return act(
            request,
            lambda: services.agreement_end(
                actor=request.user, agreement=found, reason=value(request, "reason")
            ),
            _("协议已终止"),
            back,
        )
    if action == "file":
        upload = request.FILES.get("file")
        return act(
            request,
            lambda: services.agreement_file_add(actor=request.user, agreement=found, upload=upload),  # type: ignore[arg-type]
            _("文件已上传"),
            back,
        )
    messages.error(request, _("未知的操作"))
    return redirect(back)


@login_required
def agreement_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    row = AgreementFile.objects.select_related("agreement").filter(pk=pk).first()
    if row is None:
        raise NotFound(_("文件不存在"))
    selectors.agreement_get(request.user, row.agreement_id)
    response = FileResponse(row.file.open("rb"), content_type=row.content_type, filename=row.name)
    response["Cache-Control"] = "private, max-age=600"
    return response
