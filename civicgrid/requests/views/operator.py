"""Operator pages: the console (一键受理), the triage queue (分拣派单) and the callback queue (回访)."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import has_capability, require_any, scope_filter
from civicgrid.core import crypto, once
from civicgrid.core.errors import CivicError, NotFound, ValidationError
from civicgrid.core.pagination import paginate, query_without_page
from civicgrid.core.validators import normalise_phone, phone_input_problem
from civicgrid.registry.pii import PiiSearchLimited
from civicgrid.requests import ledger, selectors, services
from civicgrid.requests import web_helpers as web
from civicgrid.requests.constants import (
    Action,
    ApprovalKind,
    ApprovalState,
    AssignmentRole,
    Channel,
    RequestType,
    Status,
    Urgency,
)
from civicgrid.requests.forms import TYPE_KEYS, ConsoleForm, add_service_errors
from civicgrid.requests.knowledge import knowledge_search
from civicgrid.requests.models import Approval, Category, Request, WorkOrder
from civicgrid.requests.permissions import requester_seen_q
from civicgrid.requests.services import handling, intake
from civicgrid.requests.transitions import OPEN, TRANSITIONS
from civicgrid.territory.geometry import metres_between
from civicgrid.territory.locator import locator
from civicgrid.territory.selectors import node_roots

# --- the console --------------------------------------------------------------------------


def _new_request(d: dict[str, Any]) -> services.NewRequest:
    return services.NewRequest(
        channel=d.get("channel", Channel.HOTLINE),
        type=d.get("type", RequestType.COMPLAINT),
        title=d.get("title", ""),
        content=d.get("content", ""),
        address=d.get("address", ""),
        lon=d.get("lon"),
        lat=d.get("lat"),
        building=d.get("building"),
        requester_name=d.get("requester_name", ""),
        requester_phone=d.get("requester_phone", ""),
        anonymous=d.get("anonymous", False),
        confidential=d.get("confidential", False),
        category=d.get("category"),
        urgency=d.get("urgency", Urgency.NORMAL),
    )


def _show_errors(form: ConsoleForm, exc: CivicError) -> None:
    """A service's refusal on the form; one reason given for the point as a whole (the same
    words for 经度 and 纬度, e.g. too far from every grid) is shown once, under 经度."""
    if (
        isinstance(exc, ValidationError)
        and exc.errors.get("lon")
        and exc.errors.get("lat") == exc.errors["lon"]
    ):
        exc = ValidationError(errors={k: v for k, v in exc.errors.items() if k != "lat"}, code=exc.code)
    add_service_errors(form, exc)


def _add_intake_errors(form: ConsoleForm) -> None:
    """When some fields did not parse, also show what intake would refuse in the others."""
    parsed = {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
    if "lon" in form.errors or "lat" in form.errors:
        parsed["lon"] = parsed["lat"] = None
    errors = {k: v for k, v in intake.validate(_new_request(parsed)).items() if k not in form.errors}
    if errors:
        _show_errors(form, ValidationError(errors=errors))


def _follow_note(d: dict[str, Any], target: Request) -> str:
    """What the follow-up call said, with the caller shown masked. The note is on the
    timeline the handling unit reads: a caller who asks for confidentiality (要求保密 ticked),
    or who calls about a confidential request (most likely its requester, whom the unit may
    not see), is named there by no name or phone, not even masked."""
    name, phone = d["requester_name"].strip(), d["requester_phone"].strip()
    caller = "".join(
        part for part in (crypto.mask_name(name) if name else "", crypto.mask_phone(phone) if phone else "")
    )
    if d["confidential"] or target.confidential:
        caller = _("来电人要求保密")
    elif d["anonymous"] or not caller:
        caller = _("匿名来电")
    text = "\n".join(part for part in (d["title"].strip(), d["content"].strip()) if part)
    return _("再次来电（{channel}，{caller}）：{text}").format(
        channel=Channel(d["channel"]).label, caller=caller, text=text or _("催办")
    )


def _create_and_close(
    actor: Any, data: services.NewRequest, files: list[Any], answer: str, saved_answer: str = ""
) -> Request:
    """直接办结: record the consultation and answer it at once, all or nothing."""
    if data.type != RequestType.CONSULTATION:
        raise ValidationError(_("只有咨询类诉求可以直接办结"), field="type")
    if not answer.strip():
        raise ValidationError(_("请填写答复内容（可从知识库选用）"), field="answer")
    with transaction.atomic():
        created = services.request_create(actor=actor, data=data, attachments=files, dispatch=False)
        return services.request_direct_close(
            actor=actor,
            request=created,
            answer=answer,
            saved_answer_id=int(saved_answer) if saved_answer.isdecimal() else None,
        )


def _check_follow(actor: Any, d: dict[str, Any]) -> None:
    """跟进此件 checks the caller as intake does (the phone, required unless anonymous on the
    hotline; the name's length) and wants something said: the call's title or content."""
    data = _new_request(d)
    errors = {
        k: v
        for k, v in (intake.validate(data) | intake.actor_problems(actor, data)).items()
        if k in ("channel", "requester_phone", "requester_name")
    }
    if intake.is_blank(data.title) and intake.is_blank(data.content):
        errors["content"] = [_("请填写本次来电反映的内容（如：催办，询问进度）")]
    elif problem := intake.too_long(_("诉求内容"), data.content.strip(), intake.CONTENT_MAX):
        errors["content"] = [problem]
    if errors:
        raise ValidationError(errors=errors)


# 一件多登: the same caller's call about the same place filed again this soon, with words
# this alike, is most likely a second operator (or a second tab) filing the same call.
REPEAT_MINUTES = 10
REPEAT_METRES = 100
REPEAT_SCORE = 0.6


class _LooksRepeated(Exception):
    """The call looks like one filed minutes ago: ask before filing it again."""

    def __init__(self, first: Request) -> None:
        super().__init__(first.number)
        self.first = first


def _same_place(found: Request, data: services.NewRequest) -> bool:
    if data.building is not None or found.building_id is not None:
        return data.building is not None and found.building_id == data.building.pk
    if data.lon is not None and data.lat is not None:
        if found.lon is None or found.lat is None:
            return False
        return metres_between(data.lon, data.lat, found.lon, found.lat) <= REPEAT_METRES
    if data.address.strip() or found.address:
        return found.address == data.address.strip()
    return found.lon is None  # neither has a place


def _recent_same_call(actor: Any, data: services.NewRequest) -> Request | None:
    """An open request of the same caller (phone, through its blind index) at the same place,
    received in the last ``REPEAT_MINUTES`` with very similar words; one indexed query. Never
    an anonymous one: a phone must not tell who filed it (the similar-requests panel, by
    place and words, still lists it)."""
    phone = normalise_phone(data.requester_phone.strip())
    if phone is None:
        return None
    since = timezone.now() - timedelta(minutes=REPEAT_MINUTES)
    rows = (
        selectors.requests_visible(actor)
        .filter(requester_phone_hash=crypto.blind_index(phone), received_at__gte=since, anonymous=False)
        .filter(status__in=sorted(OPEN))
        .order_by("-received_at")[:5]
    )
    wanted = web.bigrams(f"{data.title} {data.content}")
    for found in rows:
        score, shared = web.similarity(wanted, web.bigrams(f"{found.title} {found.content}"))
        if score >= REPEAT_SCORE and shared >= 2 and _same_place(found, data):
            return found
    return None


ONCE_KIND = "console"


def _console_write(request: HttpRequest, form: ConsoleForm) -> str:
    """The write of one submit: the query string of the page that shows its result."""
    user, d = request.user, form.cleaned_data
    files = request.FILES.getlist("attachments")
    follow = request.POST.get("follow", "")
    if follow.isdecimal():
        target = selectors.request_get(user, int(follow))
        _check_follow(user, d)
        services.request_note(
            actor=user,
            request=target,
            note=_follow_note(d, target),
            attachments=files,
            caller_phone=d["requester_phone"],
        )
        messages.success(
            request, _("已作为再次来电记入诉求 {number}，未新建诉求").format(number=target.number)
        )
        return f"followed={target.pk}"
    data = _new_request(d)
    if request.POST.get("confirm_new") != "1" and (first := _recent_same_call(user, data)) is not None:
        raise _LooksRepeated(first)
    if "direct_close" in request.POST:
        created = _create_and_close(user, data, files, d["answer"], request.POST.get("saved_answer", ""))
    else:
        created = services.request_create(actor=user, data=data, attachments=files)
    return f"created={created.pk}"


def _first_written(request: HttpRequest, form: ConsoleForm) -> str:
    """What the first POST of this form's token wrote (a resent form, a double submit): kept
    under the token for a day; else found again by what was sent; "" when not found."""
    kept = once.recall(request, ONCE_KIND)
    if kept:
        return str(kept)
    follow = request.POST.get("follow", "")
    if follow.isdecimal():
        return f"followed={follow}"
    d, user = form.cleaned_data, request.user
    found = (
        Request.objects.filter(
            created_by=user.pk,
            title=d.get("title", "").strip(),
            content=d.get("content", "").strip(),
            received_at__gte=timezone.now() - timedelta(seconds=once.REMEMBER_SECONDS),
        )
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return f"created={found}" if found else ""


def _console_submit(request: HttpRequest, form: ConsoleForm) -> HttpResponse:
    """One submit, once per form token: a resent form shows what the first one filed."""
    console_url = reverse("requests:console")
    try:
        with once.guard(request):
            done = _console_write(request, form)
    except once.Repeated:
        first = _first_written(request, form)
        if not first:
            return once.repeated(request, "requests:console")
        messages.info(request, _("该表单已提交过，未重复登记；以下是第一次提交的结果"))
        return redirect(f"{console_url}?{first}")
    once.remember(request, ONCE_KIND, done)
    return redirect(f"{console_url}?{done}")


def _result(actor: Any, raw: str) -> dict[str, Any] | None:
    """The panel shown after a submit: the number, and where it went."""
    if not raw.isdecimal():
        return None
    try:
        found = selectors.request_get(actor, int(raw))
    except NotFound:
        return None
    lead = (
        WorkOrder.objects.filter(request=found, is_active=True, role=AssignmentRole.LEAD)
        .select_related("unit")
        .first()
    )
    # A point in no grid (nor near one) is filed without a grid, in the filer's area: say so.
    outside = (
        found.building_id is None
        and found.lon is not None
        and found.lat is not None
        and locator.locate(found.lon, found.lat) is None
    )
    # No point nor building (an address alone is not located): the rules that dispatch by
    # place (属地) had nothing to go by.
    unplaced = found.building_id is None and (found.lon is None or found.lat is None)
    return {"request": found, "lead": lead, "outside": outside, "unplaced": unplaced}


def _chosen(form: ConsoleForm, name: str, qs: QuerySet[Any]) -> Any:
    """The category or building picked before a refused submit, to show it again."""
    raw = str(form[name].value() or "") if form.is_bound else ""
    return qs.filter(pk=int(raw)).first() if raw.isascii() and raw.isdecimal() else None  # not '²'


@login_required
def console(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_any(user, Capability.REQUEST_INTAKE)
    status = 200
    repeat_of = None
    files_dropped = 0
    if request.method == "POST":
        form = ConsoleForm(request.POST, buildings=intake.intake_buildings(user), user=user)
        if form.is_valid():
            try:
                return _console_submit(request, form)
            except CivicError as exc:
                _show_errors(form, exc)
            except _LooksRepeated as exc:
                repeat_of = exc.first
                form.add_error(
                    None,
                    _(
                        "该来电人 {minutes} 分钟内已就同一地点反映过相似的诉求（{number}），"
                        "请选择“跟进此件”，或勾选“确认仍要新建”后再登记"
                    ).format(minutes=REPEAT_MINUTES, number=exc.first.number),
                )
        else:
            _add_intake_errors(form)
        status = 422
        files_dropped = len(request.FILES.getlist("attachments"))
    else:
        form = ConsoleForm(buildings=intake.intake_buildings(user), user=user)
    root = node_roots(user).first()
    context = {
        "form": form,
        "type_options": [(value, label, TYPE_KEYS[value]) for value, label in RequestType.choices],
        "created": _result(user, request.GET.get("created", "")),
        "followed": _result(user, request.GET.get("followed", "")),
        "category_search_url": web.category_search_url(),
        "map_root": root,
        "chosen_category": _chosen(form, "category", selectors.leaf_categories()),
        "chosen_building": _chosen(form, "building", intake.intake_buildings(user)),
        # 直接办结 and 派单 are the dispatchers' (DIRECT_CLOSE's rule): others are not offered them
        "dispatches": has_capability(user, Capability.REQUEST_DISPATCH),
        "repeat_of": repeat_of,
        "files_dropped": files_dropped,
        "attachments_max": intake.ATTACHMENTS_MAX,
        "attachment_megabytes": settings.REQUESTS_ATTACHMENT_MAX_BYTES // (1024 * 1024),
    }
    return render(request, "requests/console.html", context, status=status)


@login_required
def console_history(request: HttpRequest) -> HttpResponse:
    """Earlier requests of the caller's phone (masked), as the operator types it."""
    require_any(request.user, Capability.REQUEST_INTAKE)
    phone = request.GET.get("requester_phone", "").strip()
    rows: list[Request] = []
    if phone and normalise_phone(phone) is None:  # not "no history": no number to look up
        invalid = phone_input_problem(phone)
        return render(
            request, "requests/_caller_history.html", {"rows": [], "phone": phone, "invalid": invalid}
        )
    if phone:  # +86, dashes, full width: as intake keeps it
        user = request.user
        try:  # audited and budgeted like the ledger's search by phone
            rows = ledger.caller_history_checked(
                actor=user, phone=phone, rows=lambda: _caller_rows(user, phone)
            )
        except PiiSearchLimited as exc:
            # htmx swaps only a 2xx answer: the console gets the reason in place, others a 429
            status = 200 if request.headers.get("HX-Request") else exc.http_status
            context = {"rows": [], "phone": phone, "limited": exc.message}
            response = render(request, "requests/_caller_history.html", context, status=status)
            response["Retry-After"] = str(exc.retry_after or "")
            return response
    return render(request, "requests/_caller_history.html", {"rows": rows, "phone": phone})


def _caller_rows(actor: Any, phone: str, limit: int = 10) -> list[Request]:
    """The caller's own requests and those they called about again (跟进此件), latest first;
    a followed one is marked ``followed`` (its requester is someone else: not shown). An
    anonymous request is never the caller's own here (``selectors.caller_history`` leaves it
    out): one they called about again shows as followed, with no requester, whoever filed it."""
    own = selectors.caller_history(actor, phone)
    followed = selectors.requests_visible(actor).filter(
        Exists(handling.followed_by_phone(phone).filter(request=OuterRef("pk")))
    )
    if (seen := requester_seen_q(actor)) is not None:  # as the caller's history: no confidential one
        followed = followed.filter(seen)
    found = Request.objects.filter(Q(pk__in=own.values("pk")) | Q(pk__in=followed.values("pk")))
    rows = list(found.select_related("lead_unit").order_by("-received_at", "-pk")[:limit])
    hashed = handling.caller_phone_hash(phone)
    for row in rows:
        row.followed = row.anonymous or row.requester_phone_hash != hashed  # type: ignore[attr-defined]
    return rows


@login_required
def console_categories(request: HttpRequest) -> HttpResponse:
    """Fallback category search (by name, keyword, code or pinyin initials) as <li> options."""
    require_any(request.user, Capability.REQUEST_INTAKE)
    found = web.category_matches(request.GET.get("q", ""))
    return render(request, "requests/_category_options.html", {"categories": found})


@login_required
def console_buildings(request: HttpRequest) -> HttpResponse:
    require_any(request.user, Capability.REQUEST_INTAKE)
    found = web.building_matches(request.user, request.GET.get("q", ""))
    return render(request, "requests/_building_options.html", {"buildings": found})


def _point(request: HttpRequest) -> tuple[float, float] | None:
    node = web.building_param(request.user, request.GET)
    if node is not None and node.lon is not None and node.lat is not None:
        return node.lon, node.lat
    return web.point_param(request.GET)


@login_required
def console_similar(request: HttpRequest) -> HttpResponse:
    """Recent open requests nearby whose text is like this call's: follow one instead of a duplicate."""
    require_any(request.user, Capability.REQUEST_INTAKE)
    point = _point(request)
    text = f"{request.GET.get('title', '')} {request.GET.get('content', '')}"
    rows: list[web.Nearby] = []
    if point is not None and text.strip():
        rows = web.similar_nearby(request.user, lon=point[0], lat=point[1], text=text)
    context = {
        "rows": rows,
        "has_point": point is not None,
        "has_text": bool(text.strip()),
        "metres": settings.REQUESTS_DUPLICATE_METRES,
        "days": settings.REQUESTS_DUPLICATE_DAYS,
        "notice": True,  # also the count above the submit button (out of band)
    }
    return render(request, "requests/_similar.html", context)


@login_required
def console_answers(request: HttpRequest) -> HttpResponse:
    require_any(request.user, Capability.REQUEST_INTAKE)
    raw = request.GET.get("category", "")
    category = Category.objects.filter(pk=int(raw)).first() if raw.isdecimal() else None
    answers = knowledge_search(request.GET.get("answer_q", ""), category)
    return render(request, "requests/_answers.html", {"answers": answers})


# --- triage: what no rule dispatched, returns, extensions, suspensions --------------------


def _dispatch_scope(actor: Any, status: str) -> QuerySet[Request]:
    qs = Request.objects.filter(status=status)
    return scope_filter(qs, actor, Capability.REQUEST_DISPATCH).select_related("category", "lead_unit")


@login_required
def triage(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_any(user, Capability.REQUEST_DISPATCH)
    pending = Approval.objects.filter(state=ApprovalState.PENDING).select_related("unit", "requested_by")
    returns = _dispatch_scope(user, Status.RETURN_PENDING).prefetch_related(
        Prefetch("approvals", queryset=pending.filter(kind=ApprovalKind.RETURN), to_attr="pending")
    )
    extensions = (
        pending.filter(kind=ApprovalKind.EXTENSION)
        .filter(request__in=scope_filter(Request.objects.all(), user, Capability.REQUEST_DISPATCH))
        # only where 同意延期/驳回 can be taken (a row stranded before replies withdrew it: not)
        .filter(request__status__in=sorted(TRANSITIONS[Action.EXTEND_APPROVE].sources))
        .select_related("request", "request__lead_unit")
        .order_by("created_at")
    )
    page = paginate(request, selectors.triage_queue(user))
    for row in page:  # the 非本单位职责 claim that sent it back, shown on its row
        row.not_ours_claim = selectors.not_ours_return(row)
    context = {
        "page": page,
        "query": query_without_page(request),
        "returns": returns.order_by("updated_at")[:100],
        "extensions": extensions[:100],
        "suspended": _dispatch_scope(user, Status.SUSPENDED).order_by("suspended_at")[:100],
        "here": reverse("requests:triage"),
        "A": Action,
    }
    return render(request, "requests/triage.html", context)


# --- callbacks ------------------------------------------------------------------------------


ANONYMOUS_SHOWN = 100  # anonymous requests listed under the callbacks, oldest reply first


@login_required
def callbacks(request: HttpRequest) -> HttpResponse:
    """The callback queue, and under it the anonymous requests waiting to be closed: 匿名诉求
    不回访, so they have only 办结 (noted 匿名诉求，不回访 by ``rating.request_close``)."""
    user = request.user
    require_any(user, Capability.REQUEST_DISPATCH)
    replies = WorkOrder.objects.filter(is_active=True, role=AssignmentRole.LEAD).select_related("unit")
    qs = selectors.callback_queue(user).prefetch_related(
        Prefetch("work_orders", queryset=replies, to_attr="lead_orders")
    )
    anonymous = selectors.anonymous_to_close(user).prefetch_related(
        Prefetch("work_orders", queryset=replies, to_attr="lead_orders")
    )
    context = {
        "page": paginate(request, qs),
        "anonymous": anonymous[:ANONYMOUS_SHOWN],
        "anonymous_count": anonymous.count(),
        "query": query_without_page(request),
        "here": reverse("requests:callbacks"),
        "A": Action,
    }
    return render(request, "requests/callbacks.html", context)


urlpatterns = [
    path("console/", console, name="console"),
    path("console/history/", console_history, name="console_history"),
    path("console/categories/", console_categories, name="console_categories"),
    path("console/buildings/", console_buildings, name="console_buildings"),
    path("console/similar/", console_similar, name="console_similar"),
    path("console/answers/", console_answers, name="console_answers"),
    path("triage/", triage, name="triage"),
    path("callbacks/", callbacks, name="callbacks"),
]
