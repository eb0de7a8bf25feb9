"""The request ledger page (诉求台账): find any request in one's view, filter, count, export."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import has_capability
from civicgrid.core import crypto
from civicgrid.core.errors import CivicError, PermissionDenied
from civicgrid.core.pagination import query_without_page
from civicgrid.requests import ledger
from civicgrid.requests import web_helpers as web
from civicgrid.requests.constants import OPEN_STATUSES, Channel, Light, RequestType, Status
from civicgrid.requests.forms import add_service_errors
from civicgrid.requests.models import Category
from civicgrid.requests.permissions import sees_requests
from civicgrid.requests.selectors import current_catalogue
from civicgrid.territory.models import Node, NodeKind
from civicgrid.territory.selectors import nodes_visible

OPEN = "open"  # the status filter's "every open status"
AREA_KINDS = (NodeKind.DISTRICT, NodeKind.SUBDISTRICT, NodeKind.COMMUNITY)


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


class LedgerForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("关键词"), required=False, max_length=100)
    phone = forms.CharField(label=gettext_lazy("诉求人电话"), required=False, max_length=20)
    status = forms.ChoiceField(label=gettext_lazy("状态"), required=False)
    light = forms.ChoiceField(label=gettext_lazy("预警灯"), required=False)
    type = forms.ChoiceField(label=gettext_lazy("类型"), required=False)
    channel = forms.ChoiceField(label=gettext_lazy("渠道"), required=False)
    category = forms.ChoiceField(label=gettext_lazy("分类"), required=False)
    unit = forms.TypedChoiceField(
        label=gettext_lazy("承办单位"), required=False, coerce=int, empty_value=None
    )
    node = forms.TypedChoiceField(label=gettext_lazy("区域"), required=False, coerce=int, empty_value=None)
    received_from = forms.DateField(
        label=gettext_lazy("受理日期自"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label=gettext_lazy("至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    overdue = forms.BooleanField(label=gettext_lazy("仅超期"), required=False)
    supervised = forms.BooleanField(label=gettext_lazy("仅督办件"), required=False)
    reopened = forms.BooleanField(label=gettext_lazy("仅重办过的"), required=False)

    def __init__(self, data: Any, *, actor: Any) -> None:
        super().__init__(data)
        every = _("全部")
        fields = self.fields
        fields["status"].choices = [*_blank(every), (OPEN, _("未办结（全部在办）")), *Status.choices]  # type: ignore[attr-defined]
        fields["light"].choices = [*_blank(every), *Light.choices]  # type: ignore[attr-defined]
        fields["type"].choices = [*_blank(every), *RequestType.choices]  # type: ignore[attr-defined]
        fields["channel"].choices = [*_blank(every), *Channel.choices]  # type: ignore[attr-defined]
        version = current_catalogue()
        top = Category.objects.filter(version=version, level__lte=2).order_by("code") if version else []
        fields["category"].choices = [  # type: ignore[attr-defined]
            *_blank(every),
            *[(c.code, ("\u3000" * (c.level - 1)) + c.name) for c in top],
        ]
        units = ledger.visible_units(actor).order_by("kind", "code")
        fields["unit"].choices = [*_blank(every), *[(u.pk, u.name) for u in units]]  # type: ignore[attr-defined]
        areas = nodes_visible(actor).filter(kind__in=AREA_KINDS, is_active=True).order_by("path")
        fields["node"].choices = [*_blank(every), *[(n.pk, _indented(n)) for n in areas]]  # type: ignore[attr-defined]

    CHECKS = ("overdue", "supervised", "reopened")

    def choosers(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in self.CHECKS]

    def checks(self) -> list[forms.BoundField]:
        return [self[name] for name in self.CHECKS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_from", _("受理起始日期不能晚于截止日期"))
        return data

    def audit_filters(self) -> dict[str, Any]:
        """The filters as the export's audit row keeps them (a phone only masked)."""
        kept = {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}
        if kept.get("phone"):
            kept["phone"] = crypto.mask_phone(str(kept["phone"]))
        return kept

    def filters(self) -> ledger.LedgerFilters:
        d = self.cleaned_data
        status = d.get("status") or ""
        return ledger.LedgerFilters(
            status=sorted(OPEN_STATUSES) if status == OPEN else [status] if status else [],
            light=[d["light"]] if d.get("light") else [],
            type=[d["type"]] if d.get("type") else [],
            channel=[d["channel"]] if d.get("channel") else [],
            category=d.get("category") or "",
            unit=d.get("unit"),
            node=d.get("node"),
            received_from=d.get("received_from"),
            received_to=d.get("received_to"),
            q=d.get("q") or "",
            phone=d.get("phone") or "",
            overdue=bool(d.get("overdue")),
            supervised=bool(d.get("supervised")),
            reopened=bool(d.get("reopened")),
        )


def _indented(node: Node) -> str:
    depth = AREA_KINDS.index(node.kind) if node.kind in AREA_KINDS else 0
    return ("\u3000" * depth) + node.name


@login_required
def ledger_page(request: HttpRequest) -> HttpResponse:
    if not sees_requests(request.user):
        raise PermissionDenied(_("您无权查看诉求台账"))
    form = LedgerForm(request.GET, actor=request.user)
    qs = None
    if form.is_valid():
        try:
            qs = ledger.filter_requests(request.user, form.filters())
        except CivicError as exc:
            add_service_errors(form, exc)
    status = 200 if qs is not None else 422
    if qs is not None and request.GET.get("export") == "xlsx":
        try:
            return ledger.export(request.user, qs, filters=form.audit_filters())
        except CivicError as exc:
            messages.error(request, exc.message)  # the list stays, with why there is no file
            status = 422
    summary = ledger.summary(qs) if qs is not None else None
    page = None
    if qs is not None and summary is not None:
        paginator = Paginator(qs.select_related("category", "lead_unit", "node"), settings.PAGE_SIZE)
        paginator.count = summary.total  # counted with the summary: one pass over the set, not two
        page = paginator.get_page(request.GET.get("page"))
    now = timezone.now()
    return render(
        request,
        "requests/ledger.html",
        {
            "form": form,
            "page": page,
            "rows": [(r, web.clock_view(r, now)) for r in page] if page is not None else [],
            "summary": summary,
            "query": query_without_page(request, "export"),
            "may_export": has_capability(request.user, Capability.EXPORT),
        },
        status=status,
    )


urlpatterns = [
    path("ledger/", ledger_page, name="ledger"),
]
