"""The request ledger page (诉求台账): find any request in one's view, filter, count, export.

The area and unit lists stay small at any scope (a city's leader does not get every
community and unit of the city as options): ``area_options`` offers the reader's own areas
and the levels just below, plus the line down to a chosen deeper area and its children (one
more submit goes a level down, no script needed); ``unit_options`` the units nearest the
reader, capped, beside a text box for a unit's code. Any area or unit the reader may see is
still taken from the address (``?node=``, ``?unit=``) and shown chosen. The rates page
(``views/rates.py``) builds its lists with the same two functions."""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import EVERYWHERE, has_capability, scope_paths
from civicgrid.core import crypto
from civicgrid.core.errors import CivicError, PermissionDenied
from civicgrid.core.pagination import query_without_page
from civicgrid.core.validators import fold
from civicgrid.exchange.constants import BACKGROUND_FROM
from civicgrid.exchange.views_export import export_now_or_later
from civicgrid.requests import ledger
from civicgrid.requests import web_helpers as web
from civicgrid.requests.constants import OPEN_STATUSES, Channel, Light, RequestType, Status
from civicgrid.requests.forms import add_service_errors
from civicgrid.requests.models import Category, HandlingUnit, Request
from civicgrid.requests.permissions import sees_requests, unit_ids
from civicgrid.requests.selectors import current_catalogue
from civicgrid.territory.models import Node, NodeKind
from civicgrid.territory.selectors import nodes_visible

OPEN = "open"  # the status filter's "every open status"
AREA_KINDS = (NodeKind.CITY, NodeKind.DISTRICT, NodeKind.SUBDISTRICT, NodeKind.COMMUNITY, NodeKind.GRID)
AREA_OPTIONS_MAX = 200  # areas listed at once (the reader's own, children, grandchildren if they fit)
UNIT_OPTIONS_MAX = 200  # units listed at once; any other is typed by its code
INDENT = "\u3000"


def area_options(
    offered: QuerySet[Node], paths: Iterable[str], selected: Node | None = None
) -> list[tuple[Node, int]]:
    """The areas a filter lists, each with its level in the list (for indenting), as a tree:
    siblings by sort order and code. The reader's own areas (the nodes at ``paths``, the
    tree's roots for everywhere), their children, and their grandchildren when all fit in
    ``AREA_OPTIONS_MAX``; with ``selected`` (an area the reader may see, of any depth) also
    its line from the top and its children, so it shows chosen and one more submit goes a
    level down. ``offered`` is what may be listed (scope, kinds, active); a few queries
    whatever the size of the tree."""
    paths = set(paths)
    order = ("sort_order", "code")
    top = offered.filter(parent__isnull=True) if EVERYWHERE in paths else offered.filter(path__in=paths)
    found: dict[int, Node] = {n.pk: n for n in top.order_by(*order)[:AREA_OPTIONS_MAX]}
    room = AREA_OPTIONS_MAX - len(found)
    children = (
        list(offered.filter(parent__in=list(found)).order_by(*order)[:room]) if found and room > 0 else []
    )
    found.update((n.pk, n) for n in children)
    room = AREA_OPTIONS_MAX - len(found)
    if children and room > 0:
        grandchildren = list(offered.filter(parent__in=[n.pk for n in children]).order_by(*order)[: room + 1])
        if len(grandchildren) <= room:  # all of the level or none of it: no half a level
            found.update((n.pk, n) for n in grandchildren)
    if selected is not None:
        line = offered.filter(pk__in=selected.ancestor_ids).exclude(pk__in=list(found))
        below = offered.filter(parent=selected).exclude(pk__in=list(found)).order_by(*order)
        found.update((n.pk, n) for n in [*line, selected, *below[:AREA_OPTIONS_MAX]])
    return _as_tree(found)


def _as_tree(found: dict[int, Node]) -> list[tuple[Node, int]]:
    """``found`` in tree order, each under its nearest listed ancestor, with its level."""
    under: dict[int | None, list[Node]] = defaultdict(list)
    for node in found.values():
        up = next((pk for pk in reversed(node.ancestor_ids) if pk in found), None)
        under[up].append(node)
    listed: list[tuple[Node, int]] = []

    def walk(parent: int | None, level: int) -> None:
        for node in sorted(under[parent], key=lambda n: (n.sort_order, n.code)):
            listed.append((node, level))
            walk(node.pk, level + 1)

    walk(None, 0)
    return listed


def unit_options(
    units: QuerySet[HandlingUnit], *, own: Iterable[int] = (), selected: Iterable[int | None] = ()
) -> list[HandlingUnit]:
    """At most ``UNIT_OPTIONS_MAX`` of ``units`` (those in the reader's view): the reader's
    own units first, then those serving the widest areas (the reader's own area and above
    before the levels below it), by kind and code; the ``selected`` ones among ``units``
    always, first when they are not among those."""
    first = Case(When(pk__in=list(own), then=Value(0)), default=Value(1), output_field=IntegerField())
    listed = list(units.order_by(first, "node__depth", "kind", "code")[:UNIT_OPTIONS_MAX])
    missing = {pk for pk in selected if pk is not None} - {u.pk for u in listed}
    if missing:
        listed[:0] = units.filter(pk__in=missing).order_by("kind", "code")
    return listed


def unit_by_code(units: QuerySet[HandlingUnit], raw: str) -> HandlingUnit | None:
    """The unit of ``units`` whose code was typed (full-width forms folded, any case)."""
    code = fold(raw).replace(" ", "")
    return units.filter(code__in={code, code.upper()}).first() if code else None


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
    lead_unit = forms.TypedChoiceField(
        label=gettext_lazy("主办单位"), required=False, coerce=int, empty_value=None
    )
    # A unit beyond the list (capped at UNIT_OPTIONS_MAX): typed by its code, it becomes the
    # ``unit`` filter (the typed code wins over the list) and shows chosen in the list.
    unit_code = forms.CharField(
        label=gettext_lazy("或单位编码"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("列表中没有的单位"), "size": 10}),
    )
    node = forms.TypedChoiceField(label=gettext_lazy("区域"), required=False, coerce=int, empty_value=None)
    received_from = forms.DateField(
        label=gettext_lazy("受理日期自"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label=gettext_lazy("至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    overdue_at = forms.DateField(
        label=gettext_lazy("截至该日超期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    overdue = forms.BooleanField(label=gettext_lazy("仅超期"), required=False)
    supervised = forms.BooleanField(label=gettext_lazy("仅督办件"), required=False)
    reopened = forms.BooleanField(label=gettext_lazy("仅重办过的"), required=False)

    def __init__(self, data: Any, *, actor: Any) -> None:
        super().__init__(data)
        self.actor = actor
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
        visible = ledger.visible_units(actor)
        self.coded = unit_by_code(visible, str(self.data.get("unit_code") or ""))
        chosen = (
            _asked_id(self.data.get("unit")),
            _asked_id(self.data.get("lead_unit")),
            self.coded.pk if self.coded else None,
        )
        units = unit_options(visible, own=unit_ids(actor), selected=chosen)
        fields["unit"].choices = [*_blank(every), *[(u.pk, u.name) for u in units]]  # type: ignore[attr-defined]
        fields["lead_unit"].choices = fields["unit"].choices  # type: ignore[attr-defined]
        # Any area in view may be asked for (a link's ``?node=``, a grid too), not only listed ones.
        asked = _asked_id(self.data.get("node"))
        selected = nodes_visible(actor).filter(pk=asked).first() if asked is not None else None
        offered = nodes_visible(actor).filter(kind__in=AREA_KINDS, is_active=True)
        areas = area_options(offered, scope_paths(actor, Capability.TERRITORY_VIEW), selected)
        fields["node"].choices = [*_blank(every), *[(n.pk, INDENT * level + n.name) for n, level in areas]]  # type: ignore[attr-defined]

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
        if data.get("unit_code"):
            if self.coded is None:
                self.add_error("unit_code", _("承办单位不存在或您无权查看"))
            else:
                data["unit"] = self.coded.pk
                # Shown as the list's choice, the box emptied: a later pick from the list is
                # not overridden by a code left in the box.
                shown = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict, immutable
                shown["unit"], shown["unit_code"] = str(self.coded.pk), ""
                self.data = shown
        return data

    def described(self) -> str:
        """The filters as a reader says them: 状态：已办结；受理日期自：2026-01-01 (a phone masked)."""
        parts = []
        for name, value in self.audit_filters().items():
            field = self.fields.get(name)
            if field is None or name == "unit_code":  # a typed code became ``unit``
                continue
            label = str(field.label)
            if isinstance(field, forms.BooleanField):
                parts.append(label)
                continue
            choices = dict(getattr(field, "choices", ()))
            shown = choices.get(value, choices.get(str(value), value))
            parts.append(_("{label}：{value}").format(label=label, value=str(shown).strip("\u3000")))
        return _("；").join(parts)

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
            lead_unit=d.get("lead_unit"),
            node=d.get("node"),
            received_from=d.get("received_from"),
            received_to=d.get("received_to"),
            q=d.get("q") or "",
            phone=d.get("phone") or "",
            overdue=bool(d.get("overdue")),
            overdue_at=d.get("overdue_at"),
            supervised=bool(d.get("supervised")),
            reopened=bool(d.get("reopened")),
        )


def _asked_id(raw: Any) -> int | None:
    """An id as a filter's parameter gives it, or None (the field itself names a bad one)."""
    raw = str(raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdecimal() and len(raw) <= 18 else None


def _export(request: HttpRequest, form: LedgerForm, qs: QuerySet[Request]) -> HttpResponse:
    """The file at once, or for a list longer than ``BACKGROUND_FROM`` a background export
    (下载中心) and the way there; ``export_now_or_later`` refuses those without ``EXPORT``."""
    count = qs.count()
    return export_now_or_later(
        request,
        count=count,
        now=lambda: ledger.export(request.user, qs, filters=form.audit_filters(), count=count),
        source=ledger.EXPORT_SOURCE,
        list_name=str(_("诉求台账")),
        params=ledger.filters_params(form.filters()),
        filters=form.audit_filters(),
        description=form.described(),
        queued=_("共 {count} 件，已转为后台导出；文件生成后可在“下载中心”下载"),
    )


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
            return _export(request, form, qs)
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
            "background_from": BACKGROUND_FROM,
            "background_from_shown": f"{BACKGROUND_FROM:,}",
        },
        status=status,
    )


urlpatterns = [
    path("ledger/", ledger_page, name="ledger"),
]
