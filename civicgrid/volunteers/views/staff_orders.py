"""Staff pages of service orders: the list, ordering for someone, dispatch, verify, board."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from civicgrid.accounts.selectors import has_capability, scope_filter
from civicgrid.core import once
from civicgrid.core.errors import CivicError, PermissionDenied, ValidationError
from civicgrid.core.pagination import paginate, query_without_page
from civicgrid.core.views_forms import UNKNOWN_FIELD, int_or_none
from civicgrid.registry.models import Organisation, Resident
from civicgrid.registry.selectors import organisations_visible, resident_search
from civicgrid.requests.selectors import requests_visible
from civicgrid.territory.models import Node
from civicgrid.volunteers import selectors, services
from civicgrid.volunteers.access import party_member
from civicgrid.volunteers.constants import OrderAction, OrderStatus, TakerKind, VolunteerStatus
from civicgrid.volunteers.forms import CompleteForm, ConfirmForm, DispatchForm, OrderForm, ReasonForm
from civicgrid.volunteers.models import ServiceOrder, Volunteer
from civicgrid.volunteers.origins import describe_origin, request_origin
from civicgrid.volunteers.permissions import ORDER_STAFF_CAPABILITIES
from civicgrid.volunteers.services import Taker
from civicgrid.volunteers.services.orders import may
from civicgrid.volunteers.views.common import form_errors, form_status, posted_rating
from civicgrid.volunteers.views.staff import AREA_KINDS

# The order page's fields by their labels, to name them in a refused step's message.
ORDER_LABELS = {
    **{name: field.label or name for name, field in DispatchForm.base_fields.items()},
    **{name: field.label or name for name, field in CompleteForm.base_fields.items()},
    **{name: field.label or name for name, field in ConfirmForm.base_fields.items()},
    "reason": gettext_lazy("原因"),
    "photos": gettext_lazy("服务照片"),
    "version": gettext_lazy("版本号"),
    "taker": gettext_lazy("接单方"),
}


# The one-time token's kind of 代居民点单 (a repeat goes to the order the first POST made).
ONCE_ORDER_NEW = "volunteers.order_new"


def require_order_staff(actor: Any) -> None:
    if not any(has_capability(actor, c) for c in ORDER_STAFF_CAPABILITIES):
        raise PermissionDenied(_("您无权管理服务单"))


def order_areas(actor: Any) -> QuerySet[Node]:
    qs = Node.objects.filter(kind__in=AREA_KINDS, is_active=True)
    parts = [scope_filter(qs, actor, c, field="path") for c in ORDER_STAFF_CAPABILITIES]
    return (parts[0] | parts[1]).order_by("path")


def find_resident(actor: Any, query: str, field: str, *, tag: str = "") -> Resident:
    """One resident the actor sees, by name, full phone or ID number; a clear error otherwise."""
    query = query.strip()
    if not query:
        raise ValidationError(_("请填写居民姓名、手机号或身份证号"), field=field)
    found = list(resident_search(actor, q=query, tag=tag)[:3])
    if not found:
        raise ValidationError(_("辖区内未找到居民「{query}」").format(query=query), field=field)
    exact = [r for r in found if r.name == query]
    if len(found) > 1 and len(exact) != 1:
        raise ValidationError(
            _("找到多名居民「{query}」，请输入完整手机号或身份证号").format(query=query), field=field
        )
    return exact[0] if len(found) > 1 else found[0]


@login_required
def orders(request: HttpRequest) -> HttpResponse:
    require_order_staff(request.user)
    params = request.GET
    qs = selectors.order_list(
        request.user,
        status=params.get("status", ""),
        q=params.get("q", ""),
        taker_kind=params.get("taker", ""),
    )
    return render(
        request,
        "volunteers/orders.html",
        {
            "page": paginate(request, qs),
            "params": params,
            "query": query_without_page(request),
            "statuses": [(selectors.ORDERS_DONE, _("已完成（待确认和已评价）")), *OrderStatus.choices],
            "taker_kinds": TakerKind.choices,
            "pending": selectors.pending_counts(request.user),
        },
    )


def _request_origin(actor: Any, number: str) -> str:
    """The order's origin from the request number typed on the form ("" when none)."""
    number = (number or "").strip()
    if not number:
        return ""
    found = requests_visible(actor).filter(number=number).first()
    if found is None:
        raise ValidationError(_("未找到该诉求编号，或您无权查看该诉求"), field="origin")
    return request_origin(found)


@login_required
def order_new(request: HttpRequest) -> HttpResponse:
    require_order_staff(request.user)
    form = OrderForm(
        request.POST if request.method == "POST" else None,
        nodes=order_areas(request.user),
        organisations=organisations_visible(request.user).order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with once.guard(request):
                origin = _request_origin(request.user, data["origin"])
                beneficiary = (
                    find_resident(request.user, data["beneficiary"], "beneficiary")
                    if data["beneficiary"]
                    else None
                )
                kind = data["orderer_kind"]
                order = services.service_order_create(
                    actor=request.user,
                    data=services.NewOrder(
                        title=data["title"],
                        content=data["content"],
                        service_type=data["service_type"],
                        orderer_kind=kind,
                        node=data["node"],
                        difficulty=data["difficulty"],
                        orderer_resident=beneficiary if kind == "resident" else None,
                        orderer_organisation=data["orderer_organisation"],
                        orderer_label=data["orderer_label"],
                        origin=origin,
                        beneficiary=beneficiary,
                        address=data["address"],
                        wanted_from=data["wanted_from"],
                        wanted_until=data["wanted_until"],
                        skills=tuple(s.code for s in data["skills"]),
                    ),
                    publish=data["publish"],
                )
                once.remember(request, ONCE_ORDER_NEW, order.pk)
        except once.Repeated:
            first = once.recall(request, ONCE_ORDER_NEW)
            if first is not None:
                return once.repeated(request, "volunteers:order", first)
            return once.repeated(request, "volunteers:orders")
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已点单 {number}").format(number=order.number))
            return redirect("volunteers:order", order.pk)
    return render(request, "volunteers/order_new.html", {"form": form}, status=form_status(form))


def _dispatch_form(request: HttpRequest, order: ServiceOrder, data: Any = None) -> DispatchForm:
    volunteers = (
        Volunteer.objects.filter(community=order.community, status=VolunteerStatus.APPROVED)
        .select_related("resident")
        .prefetch_related("skills")
        .order_by("-hours_total", "id")
    )
    organisations = organisations_visible(request.user).filter(node_path__startswith=order.community.path)
    return DispatchForm(
        data,
        volunteers=volunteers,
        organisations=organisations.order_by("name"),
    )


@login_required
def order(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_page(request, selectors.order_get(request.user, pk))


def _order_page(request: HttpRequest, found: ServiceOrder, status: int = 200) -> HttpResponse:
    actor = request.user
    return render(
        request,
        "volunteers/order.html",
        {
            "order": found,
            "origin": describe_origin(found.origin),
            "events": selectors.order_events(found),
            "photos": found.photos.all(),
            "skills": found.skills.all(),
            "dispatch_form": _dispatch_form(request, found)
            if may(actor, found, OrderAction.DISPATCH)
            else None,
            "complete_form": CompleteForm() if may(actor, found, OrderAction.COMPLETE) else None,
            "confirm_form": ConfirmForm() if may(actor, found, OrderAction.CONFIRM) else None,
            "reason_form": ReasonForm(),
            "can": {a: may(actor, found, a) for a in OrderAction.values if a != OrderAction.CREATE},
        },
        status=status,
    )


def _refused(request: HttpRequest, pk: int, exc: CivicError) -> HttpResponse:
    """A refused step: the order's page as it is now, the reason above it, with the refusal's
    status (409 when the order changed meanwhile, 422 for bad input, 403), nothing changed."""
    messages.error(request, _worded(exc))
    return _order_page(request, selectors.order_get(request.user, pk), status=exc.http_status)


def _worded(exc: CivicError) -> str:
    """The refusal in one line, each reason named by its field's label unless it already
    begins with the field's name (服务时长应为数字（小时）)."""
    if not (isinstance(exc, ValidationError) and exc.errors):
        return exc.message
    parts = []
    for name, reasons in exc.errors.items():
        label = str(ORDER_LABELS.get(name, UNKNOWN_FIELD))
        stem = label.split("（")[0]  # i18n: data (a reason that begins with the field's name names it)
        for reason in reasons:
            parts.append(
                reason
                if reason.startswith(stem)
                else _("{label}：{reason}").format(label=label, reason=reason)
            )
    return "；".join(parts)  # i18n: data (the separator of the reasons, as views_forms.labelled)


def _run(request: HttpRequest, pk: int, call: Any, done: str) -> HttpResponse:
    try:
        call()
    except CivicError as exc:
        return _refused(request, pk, exc)
    messages.success(request, done)
    return redirect("volunteers:order", pk)


def _taker(request: HttpRequest, order: ServiceOrder) -> Taker:
    form = _dispatch_form(request, order, request.POST)
    if not form.is_valid():
        raise ValidationError(errors={k: [str(e) for e in v] for k, v in form.errors.items()})
    data = form.cleaned_data
    kind = data["taker_kind"]
    if kind == TakerKind.VOLUNTEER:
        if data["volunteer"] is None:
            raise ValidationError(_("请选择志愿者"), field="volunteer")
        return Taker.of_volunteer(data["volunteer"])
    if kind == TakerKind.PARTY_MEMBER:
        resident = find_resident(request.user, data["party_member"], "party_member")
        return Taker.of_party_member(party_member(resident, "party_member"))
    organisation: Organisation | None = data["organisation"]
    if organisation is None:
        raise ValidationError(_("请选择共建单位"), field="organisation")
    return Taker.of_unit(organisation)


@login_required
@require_POST
def order_act(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.order_get(request.user, pk)
    actor, post = request.user, request.POST
    what = post.get("action", "")
    # "²" passes isdigit() but is no number: refused as a bad version, not a server error. The
    # version is the page's hidden field, never typed: the remedy is a fresh page, not a range.
    try:
        version = int_or_none(post.get("version", "").strip(), "version", _("版本号"))
    except ValidationError:
        return _refused(request, pk, ValidationError(_("版本号无效，请刷新页面后重试"), field="version"))
    if what == OrderAction.DISPATCH:
        try:
            taker = _taker(request, found)
        except CivicError as exc:
            return _refused(request, pk, exc)
        return _run(
            request,
            pk,
            lambda: services.service_order_dispatch(
                actor=actor, order=found, taker=taker, note=post.get("note", ""), expected_version=version
            ),
            _("已派单给{label}").format(label=taker.label),
        )
    reason = post.get("reason", "")
    calls: dict[str, tuple[Any, str]] = {
        OrderAction.PUBLISH: (
            lambda: services.service_order_publish(actor=actor, order=found, expected_version=version),
            _("已发布，等待志愿者接单"),
        ),
        OrderAction.CANCEL: (
            lambda: services.service_order_cancel(
                actor=actor, order=found, reason=reason, expected_version=version
            ),
            _("服务单已取消"),
        ),
        OrderAction.RELEASE: (
            lambda: services.service_order_release(
                actor=actor, order=found, reason=reason, expected_version=version
            ),
            _("已收回服务单"),
        ),
        OrderAction.REOPEN: (
            lambda: services.service_order_reopen(
                actor=actor, order=found, reason=reason, expected_version=version
            ),
            _("已退回重办"),
        ),
        OrderAction.COMPLETE: (
            lambda: services.service_order_complete(
                actor=actor,
                order=found,
                note=post.get("note", ""),
                hours=post.get("hours", "") or "0",
                photos=request.FILES.getlist("photos"),
                expected_version=version,
            ),
            _("已登记服务完成"),
        ),
        OrderAction.CONFIRM: (
            lambda: services.service_order_confirm(
                actor=actor,
                order=found,
                rating=posted_rating(post),
                comment=post.get("comment", ""),
                expected_version=version,
            ),
            _("已回访确认，积分已发放"),
        ),
        OrderAction.BOARD: (
            lambda: services.service_order_board_set(
                actor=actor, order=found, on_board=post.get("on_board") == "1", expected_version=version
            ),
            _("晒单设置已更新"),
        ),
    }
    if what not in calls:
        messages.error(request, _("未知的操作"))
        return redirect("volunteers:order", pk)
    call, done = calls[what]
    return _run(request, pk, call, done)
