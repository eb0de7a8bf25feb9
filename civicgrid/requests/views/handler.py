"""Handler pages: the inbox (待办工单), the request page with its actions, and whistles (吹哨报到)."""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import has_capability, scope_q
from civicgrid.core.errors import CivicError, NotFound, PermissionDenied, ValidationError
from civicgrid.core.pagination import paginate, query_without_page
from civicgrid.core.views_forms import error_summary
from civicgrid.requests import report_duty, selectors, services
from civicgrid.requests import web_helpers as web
from civicgrid.requests.constants import Action, AssignmentRole, HandlingLevel, Light, Status, unit_level
from civicgrid.requests.forms import ACTION_FORMS, ReportInPageForm, WhistleCloseForm, add_service_errors
from civicgrid.requests.models import (
    Category,
    CouncilOutcome,
    HandlingUnit,
    Request,
    RequestEvent,
    Whistle,
    WhistleSummons,
    WorkOrder,
    amount_with_unit,
)
from civicgrid.requests.permissions import actor_kinds, sees_requester, unit_ids
from civicgrid.requests.services.handling import event_label
from civicgrid.requests.services.whistle import may_close_whistle
from civicgrid.requests.transitions import TRANSITIONS
from civicgrid.territory.models import Node, NodeKind

INBOX_STATUSES = [Status.DISPATCHED, Status.SIGNED, Status.IN_PROGRESS, Status.RETURN_PENDING]
INBOX_STATUSES += [Status.SUSPENDED, Status.LONG_RUNNING]

# --- the inbox --------------------------------------------------------------------------------


def _require_units(actor: Any) -> set[int]:
    units = unit_ids(actor)
    if not units:
        raise PermissionDenied(_("您不属于任何承办单位，没有待办工单"))
    return units


def _filtered(request: HttpRequest, qs: QuerySet[Request], units: set[int], now: Any) -> QuerySet[Request]:
    status, light, category = (request.GET.get(k, "") for k in ("status", "light", "category"))
    if status in INBOX_STATUSES:
        qs = qs.filter(status=status)
    if light in Light.values:  # a suspended request has no light (its clocks stop); a summons has its own
        qs = qs.filter(report_duty.ids_with_light(units, qs, light, now))
    if category.isdecimal():
        qs = qs.filter(category_id=int(category))
    return qs


@dataclass(frozen=True)
class SignResult:
    number: str
    pk: int | None
    ok: bool
    message: str


def _bulk_sign(request: HttpRequest) -> list[SignResult]:
    """Sign each ticked request; what cannot be signed is reported row by row."""
    ids = list(dict.fromkeys(int(x) for x in request.POST.getlist("ids") if x.isdecimal()))
    if not ids:
        messages.error(request, _("请先勾选要签收的工单"))
        return []
    found = {r.pk: r for r in selectors.inbox(request.user).filter(pk__in=ids)}
    done, failed = services.requests_sign_bulk(
        actor=request.user, requests=[found[i] for i in ids if i in found]
    )
    results = [SignResult(r.number, r.pk, True, _("已签收")) for r in done]
    results += [SignResult(r.number, r.pk, False, message) for r, message in failed]
    results += [SignResult(f"#{i}", None, False, _("不在您的待办工单中")) for i in ids if i not in found]
    signed = len(done)
    messages.success(
        request,
        _("签收完成：成功 {signed} 件，未签收 {unsigned} 件").format(
            signed=signed, unsigned=len(results) - signed
        ),
    )
    return results


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    units = _require_units(request.user)
    results = _bulk_sign(request) if request.method == "POST" else None
    base = selectors.inbox(request.user)
    now = timezone.now()
    page = paginate(request, _filtered(request, base, units, now))
    lights = report_duty.light_counts(units, base, now)  # a summoned unit: its report-in deadline
    duties = report_duty.duties(units, [r.pk for r in page], now)
    context = {
        "page": page,
        "rows": [(r, duties.get(r.pk) or web.clock_view(r, now)) for r in page],
        "query": query_without_page(request),
        "params": request.GET,
        "results": results,
        "statuses": [(s, Status(s).label) for s in INBOX_STATUSES],
        "lights": Light.choices,
        "light_cards": [(value, label, lights.get(value, 0)) for value, label in Light.choices],
        "categories": Category.objects.filter(pk__in=base.order_by().values("category_id")).order_by("code"),
    }
    return render(request, "requests/inbox.html", context)


# --- the request page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineRow:
    event: RequestEvent
    label: str
    from_label: str
    to_label: str
    detail: str = ""  # what the note does not say (the extension asked for, with its unit)


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _timeline(request: Request) -> list[TimelineRow]:
    events = (
        request.events.select_related("unit").prefetch_related("attachments").order_by("created_at", "id")
    )
    return [
        TimelineRow(
            e,
            event_label(e),
            _label(Status, e.from_status) if e.from_status else "",
            _label(Status, e.to_status) if e.to_status and e.to_status != e.from_status else "",
            _detail(request, e),
        )
        for e in events
    ]


def _detail(request: Request, event: RequestEvent) -> str:
    if event.action == Action.VERIFY and isinstance(event.data.get("confirmed"), bool):
        if event.data["confirmed"]:
            return _("核查结论：属实")
        return _("核查结论：不属实，答复未通过，退回承办单位继续办理")
    if event.action == Action.ESCALATE:
        return _escalation(event)
    if event.action == Action.SUPERVISE and isinstance(event.data.get("round"), int):
        return _("第{round}次督办").format(round=event.data["round"])
    amount = event.data.get("amount") if event.action == Action.EXTEND_REQUEST else None
    if not isinstance(amount, int | float) or isinstance(amount, bool):
        return ""
    unit = event.data.get("unit") or request.extension_unit  # older rows did not record it
    return _("延长 {amount}").format(amount=amount_with_unit(amount, unit))


def _escalation(event: RequestEvent) -> str:
    """上报's row: the level change and the unit it went to (the row's unit is the sender's)."""
    levels = [_label(HandlingLevel, event.data.get(key) or "") for key in ("level_from", "level_to")]
    to = HandlingUnit.objects.filter(pk=event.data.get("lead")).values_list("name", flat=True).first()
    text = f"{levels[0] or '—'} → {levels[1] or '—'}"
    return _("{levels}，上报至{unit}").format(levels=text, unit=to) if to else text


def _councils(request: Request) -> list[CouncilOutcome]:
    """三方议事, each with the unit that held it and its level (``held_by``, ``held_level``):
    the unit of its history row, the lead unit at the time."""
    councils = list(request.councils.select_related("recorded_by").order_by("held_on"))
    rows = request.events.filter(action=Action.COUNCIL).select_related("unit")
    units = {e.data.get("council"): e.unit for e in rows}
    for c in councils:
        unit = units.get(c.pk)
        c.held_by = unit  # type: ignore[attr-defined]
        c.held_level = _label(HandlingLevel, unit_level(unit.kind)) if unit else ""  # type: ignore[attr-defined]
    return councils


ROLE_ORDER: dict[str, int] = {AssignmentRole.LEAD: 0, AssignmentRole.ASSIST: 1, AssignmentRole.COPY: 2}


def _work_orders(request: Request) -> list[WorkOrder]:
    """Active orders first, the lead before assisting units and copies, then by time."""
    orders = list(request.work_orders.select_related("unit"))
    return sorted(orders, key=lambda wo: (not wo.is_active, ROLE_ORDER.get(wo.role, 9), wo.dispatched_at))


def _grid_of(request: Request) -> Node | None:
    """The grid the request lies in (for its polygon on the map)."""
    ids = [int(p) for p in request.node_path.strip("/").split("/") if p]
    return Node.objects.filter(pk__in=ids, kind=NodeKind.GRID).first()


def _whistles(request: Request) -> QuerySet[Whistle]:
    summonses = WhistleSummons.objects.select_related("unit", "reported_by").order_by("id")
    return request.whistles.select_related("summoning_unit").prefetch_related(
        Prefetch("summonses", queryset=summonses)
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    found = selectors.request_read(user, pk)
    kinds = actor_kinds(user, found)
    actions = web.available_actions(user, found, kinds)
    context = {
        "r": found,
        "clock": web.clock_view(found),
        "kinds": kinds,
        "actions": [(a, Action(a).label) for a in actions],
        "possible_duplicates": web.possible_duplicates(user, found) if Action.MERGE in actions else [],
        "timeline": _timeline(found),
        "work_orders": _work_orders(found),
        "approvals": found.approvals.select_related("unit", "requested_by", "decided_by").order_by(
            "created_at"
        ),
        "whistles": _whistles(found),
        "may_close_whistle": may_close_whistle(user, found),
        "now": timezone.now(),
        "councils": _councils(found),
        "ratings": found.ratings.select_related("unit").order_by("round"),
        "loose_attachments": found.attachments.filter(event__isnull=True),
        "duplicates": found.duplicates.only("id", "number", "title"),
        "grid": _grid_of(found),
        "shows_requester": sees_requester(user, found),
        "can_reveal": web.can_reveal(user, found),
        "in_unit": bool(unit_ids(user)),
    }
    web.mask_text_for(user, found)  # a number typed into the text must not give a hidden requester away
    return render(request, "requests/detail.html", context)


@login_required
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """GET: the small form of one action; POST: run it with the page's version."""
    user = request.user
    found = selectors.request_get(user, pk)
    if action not in ACTION_FORMS:
        raise NotFound(_("没有这个操作"))
    form_class, status = ACTION_FORMS[action], 200
    next_url = web.safe_next(request, reverse("requests:detail", args=[pk]))
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, actor=user, target=found, auto_id=f"a{pk}_%s")
        status = 422
        if form.is_valid():
            run = web.ACTION_RUNNERS[action]
            files = request.FILES.getlist("attachments")
            try:
                done = run(user, found, form.cleaned_data, files, form.cleaned_data.get("version"))
            except CivicError as exc:
                add_service_errors(form, exc)
                status = exc.http_status
            else:
                messages.success(request, f"{found.number}：{done}")
                return web.go(request, next_url)
    else:
        if action not in web.available_actions(user, found):
            refusal = _("您当前不能对该诉求执行「{label}」（状态可能已变化，请刷新页面）").format(
                label=Action(action).label
            )
            return _refused(request, found, refusal)
        form = form_class(actor=user, target=found, auto_id=f"a{pk}_%s")
    context = {
        "r": found,
        "form": form,
        "action": action,
        "label": Action(action).label,
        "next": next_url,
        "category_search_url": web.category_search_url(),
    }
    if web.is_htmx(request):
        return render(request, "requests/_action_form.html", context)
    return render(request, "requests/action.html", context, status=status)


def _refused(request: HttpRequest, found: Request, message: str) -> HttpResponse:
    if web.is_htmx(request):
        return render(request, "requests/_inline_error.html", {"message": message})
    messages.error(request, message)
    return render(request, "requests/action.html", {"r": found, "form": None, "label": _("操作")}, status=409)


@never_cache  # the requester's clear name and phone: no copy kept by a browser or proxy
@login_required
@require_POST
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    found: Request | None = None
    try:
        found = selectors.request_get(request.user, pk)
        clear = web.requester_pii_reveal(actor=request.user, request=found)
    except (NotFound, PermissionDenied) as exc:  # a refused attempt is audited too
        web.requester_pii_refused(
            actor=request.user, pk=pk, found=found, status=exc.http_status, reason=exc.message
        )
        raise
    return render(request, "requests/_revealed.html", {"clear": clear})


@login_required
def attachment(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    return web.attachment_response(request.user, pk, attachment_id)


# --- whistles -----------------------------------------------------------------------------------


def _whistles_visible(actor: Any, units: set[int]) -> QuerySet[Whistle]:
    """Whistles blown by the actor's units, or on requests in the actor's territory."""
    territory = scope_q(actor, Capability.REQUEST_VIEW, field="request__node_path")
    summoned = Exists(WhistleSummons.objects.filter(whistle=OuterRef("pk"), unit_id__in=units))
    mine = Q(summoning_unit_id__in=units) | Q(summoned)
    qs = Whistle.objects.all() if territory is None else Whistle.objects.filter(mine | territory)
    summonses = WhistleSummons.objects.select_related("unit").order_by("id")
    return (
        qs.select_related("request", "summoning_unit")
        .prefetch_related(Prefetch("summonses", queryset=summonses))
        .order_by("-created_at")
    )


def _whistle_context(request: HttpRequest, units: set[int]) -> dict[str, Any]:
    summons = WhistleSummons.objects.filter(unit_id__in=units).select_related(
        "unit", "whistle", "whistle__request", "whistle__summoning_unit"
    )
    state = request.GET.get("state", "")
    blown = _whistles_visible(request.user, units)
    if state == "open":
        blown = blown.filter(closed_at__isnull=True)
    elif state == "closed":
        blown = blown.filter(closed_at__isnull=False)
    return {
        # a closed whistle takes no more report-ins: its outstanding summonses are 未报到
        # and one on a request past handling (replied, closed, returned, merged) neither
        "to_report": summons.filter(
            reported_at__isnull=True,
            whistle__closed_at__isnull=True,
            whistle__request__status__in=sorted(TRANSITIONS[Action.REPORT_IN].sources),
        ).order_by("whistle__deadline"),
        "reported": summons.filter(reported_at__isnull=False).order_by("-reported_at")[:20],
        "page": paginate(request, blown),
        "query": query_without_page(request),
        "state": state,
        "units": units,
        "now": timezone.now(),
    }


def _whistle_actor(actor: Any) -> set[int]:
    units = unit_ids(actor)
    if not units and not has_capability(actor, Capability.REQUEST_VIEW):
        raise PermissionDenied(_("您无权查看吹哨报到"))
    return units


@login_required
def whistles(request: HttpRequest) -> HttpResponse:
    units = _whistle_actor(request.user)
    return render(request, "requests/whistles.html", _whistle_context(request, units))


def _whistle_error(request: HttpRequest, exc: CivicError) -> HttpResponse:
    if web.is_htmx(request):
        return render(request, "requests/_inline_error.html", {"message": exc.message})
    messages.error(request, exc.message)
    units = _whistle_actor(request.user)
    return render(request, "requests/whistles.html", _whistle_context(request, units), status=exc.http_status)


def _form_refusal(form: Any) -> ValidationError:
    """A bound form's own errors (a text too long) as the refusal, each named by its field."""
    errors = {name: [str(r) for r in reasons] for name, reasons in form.errors.items()}
    return ValidationError(error_summary(form), errors=errors)


@login_required
@require_POST
def whistle_report(request: HttpRequest, pk: int) -> HttpResponse:
    """A summoned unit reports in (报到) and records its part."""
    summons = WhistleSummons.objects.filter(pk=pk, unit_id__in=unit_ids(request.user)).first()
    if summons is None:
        raise NotFound(_("召集不存在，或不是召集您的单位"))
    form = ReportInPageForm(request.POST)
    if not form.is_valid():
        return _whistle_error(request, _form_refusal(form))
    try:
        services.whistle_report_in(
            actor=request.user, summons=summons, part=form.cleaned_data.get("part", "")
        )
    except CivicError as exc:
        return _whistle_error(request, exc)
    messages.success(request, _("{unit}已报到").format(unit=summons.unit))
    return web.go(request, reverse("requests:whistles"))


@login_required
@require_POST
def whistle_close(request: HttpRequest, pk: int) -> HttpResponse:
    """The request's lead unit records the outcome of the joint handling. Who may is the
    service's rule (``may_close_whistle``), as for the API: a whistle on a request the actor
    cannot read is not found, on one they read but do not lead is refused (403)."""
    found = Whistle.objects.filter(pk=pk, request__in=selectors.requests_readable(request.user)).first()
    if found is None:
        raise NotFound(_("吹哨记录不存在"))
    form = WhistleCloseForm(request.POST)
    if not form.is_valid():
        return _whistle_error(request, _form_refusal(form))
    try:
        services.whistle_close(
            actor=request.user, whistle=found, outcome=form.cleaned_data.get("outcome", "")
        )
    except CivicError as exc:
        return _whistle_error(request, exc)
    messages.success(request, _("吹哨处置结果已记录"))
    return web.go(request, web.safe_next(request, reverse("requests:whistles")))


urlpatterns = [
    path("inbox/", inbox, name="inbox"),
    path("<int:pk>/", detail, name="detail"),
    path("<int:pk>/act/<slug:action>/", act, name="act"),
    path("<int:pk>/reveal/", reveal, name="reveal"),
    path("<int:pk>/attachments/<int:attachment_id>/", attachment, name="attachment"),
    path("whistles/", whistles, name="whistles"),
    path("whistles/summons/<int:pk>/report/", whistle_report, name="whistle_report"),
    path("whistles/<int:pk>/close/", whistle_close, name="whistle_close"),
]
