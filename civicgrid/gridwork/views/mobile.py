"""The grid worker's H5 (网格员工作台), for one hand on a phone in the street.

With JavaScript the forms post to /api/v1/gridwork/ through the phone's outbox
(``static/gridwork/gridwork.js``: kept offline, sent once). Without it, the same forms
post here (CSRF) with a key rendered by the server, and call the same services.
"""

import calendar
import hashlib
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import require_any, scope_q
from civicgrid.core import crypto
from civicgrid.core.errors import CivicError, Conflict, NotFound, ValidationError
from civicgrid.gridwork import logbook, selectors, services
from civicgrid.gridwork.constants import (
    CampaignState,
    FindingCategory,
    ItemState,
    Outcome,
    ProposalKind,
    QuestionKind,
    VisitKind,
    Wellbeing,
)
from civicgrid.gridwork.forms import labelled
from civicgrid.gridwork.lookups import Lookup
from civicgrid.gridwork.models import CampaignItem, CarePlan, Finding
from civicgrid.gridwork.services.common import my_grids
from civicgrid.gridwork.services.findings import REPORT_TYPES, follow_request, follow_token, similar_requests
from civicgrid.gridwork.views.common import Posted, merged, new_key, page_values
from civicgrid.registry.models import (
    Dwelling,
    DwellingUse,
    Gender,
    Household,
    ResidenceType,
    Resident,
    ResidentTag,
)
from civicgrid.requests.constants import Action, AssignmentRole, RequestType, Urgency
from civicgrid.requests.forms import VerifyForm, add_service_errors
from civicgrid.requests.models import Request, RequestEvent, WorkOrder
from civicgrid.requests.selectors import requests_visible
from civicgrid.requests.services.handling import event_label
from civicgrid.requests.services.intake import ATTACHMENTS_MAX
from civicgrid.requests.web_helpers import ACTION_RUNNERS, mask_text_for
from civicgrid.territory.models import Node

MAX_CHOICES = 2000
MAX_ITEMS = 300
# The diary's first day: an older one (0001-01-01) is refused on its field, not looked up.
LOG_EARLIEST = date(2000, 1, 1)


def _worker(request: HttpRequest) -> Any:
    require_any(request.user, Capability.PATROL)
    return request.user


def _choices(choices: Any) -> list[tuple[str, str]]:
    return [(c.value, c.label) for c in choices]


# --- today -------------------------------------------------------------------------------------


@login_required
def today(request: HttpRequest, ended: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    """The worker's home; ``ended``: a refused 结束巡查 (what was typed, the reasons by field)."""
    user = _worker(request)
    day = timezone.localdate()
    log = logbook.day_log(user, user, day)
    due = list(selectors.care_due(user, day)[:30])
    for plan in due:
        plan.light_now = services.light_for(plan.next_due_on, day)  # type: ignore[attr-defined]
        plan.masked = crypto.mask_name(plan.resident.name)  # type: ignore[attr-defined]
    context = {
        "open_patrol": selectors.open_patrol(user),
        "grids": my_grids(user),
        "log": log,
        "care_due": due,
        "campaigns": selectors.campaign_tasks(user),
        # With its building: a request without an address is named by it (no query per row).
        "to_verify": list(selectors.requests_to_verify(user).select_related("building")[:20]),
        "reported_open": selectors.reported_findings(user, "open").count(),
        "key": new_key(),
        "tab": "today",
        "ended": ended,
    }
    return render(request, "gridwork/m/today.html", context, status=status)


@login_required
@require_POST
def patrol_start(request: HttpRequest) -> HttpResponse:
    """Without JavaScript: start a patrol from the button (no track is recorded)."""
    user = _worker(request)
    posted = Posted(request.POST)
    look = Lookup(user)
    grid = look.grid(posted.integer("grid_id"))
    try:
        posted.check()
        look.done()
        services.patrol_start(actor=user, client_key=posted.text("client_key") or new_key(), grid=grid)
        messages.success(request, _("巡查已开始"))
    except ValidationError as exc:
        messages.error(request, labelled(exc))
    except Conflict as exc:  # another tab started one meanwhile: it is the open patrol shown
        messages.warning(request, exc.message)
    return redirect("gridwork:m_today")


@login_required
@require_POST
def patrol_end(request: HttpRequest) -> HttpResponse:
    user = _worker(request)
    open_patrol = selectors.open_patrol(user)
    if open_patrol is None:
        messages.error(request, _("没有进行中的巡查"))
        return redirect("gridwork:m_today")
    posted = Posted(request.POST)
    people = posted.integer("people_met") or 0
    try:
        posted.check()
        services.patrol_end(
            actor=user,
            patrol_key=open_patrol.client_key,
            places=posted.text("places"),
            people_met=people,
            note=posted.text("note"),
        )
    except ValidationError as exc:
        # The home page again, the end form open with what was typed and the reason on its field.
        messages.error(request, labelled(exc))
        ended = {"values": page_values(request.POST), "errors": merged(exc, posted.errors)}
        return today(request, ended=ended, status=422)
    messages.success(request, _("巡查已结束，已记入民情日志"))
    return redirect("gridwork:m_today")


# --- findings ----------------------------------------------------------------------------------


def _finding_context(user: Any, values: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    return {
        "categories": _choices(FindingCategory),
        "outcomes": _choices(Outcome),
        "request_types": [(t, RequestType(t).label) for t in REPORT_TYPES],
        "urgencies": _choices(Urgency),
        "grids": my_grids(user),
        "values": values,
        "errors": errors,
        "key": new_key(),
        "tab": "finding",
    }


@login_required
def finding(request: HttpRequest) -> HttpResponse:
    user = _worker(request)
    if request.method != "POST":
        return render(request, "gridwork/m/finding.html", _finding_context(user, {"outcome": "recorded"}, {}))
    posted = Posted(request.POST)
    look = Lookup(user)
    data = services.FindingIn(
        category=posted.text("category"),
        description=posted.text("description"),
        outcome=posted.text("outcome") or Outcome.RECORDED,
        handled_note=posted.text("handled_note"),
        address=posted.text("address"),
        lon=posted.number("lon", _("经度")),
        lat=posted.number("lat", _("纬度")),
        grid=look.grid(posted.integer("grid_id")),
        # No default type: a street problem a worker reports is not by itself a complaint.
        request_type=posted.text("request_type"),
        urgency=posted.text("urgency") or Urgency.NORMAL,
        photos=request.FILES.getlist("photos"),
    )
    try:
        if data.outcome == Outcome.REPORTED:
            data.follow = follow_request(posted.text("follow"))
        posted.check()
        look.done()
        saved = services.finding_record(actor=user, client_key=posted.text("client_key"), data=data)
    except ValidationError as exc:
        context = _finding_context(user, page_values(request.POST), merged(exc, posted.errors, look.errors))
        return render(request, "gridwork/m/finding.html", context, status=422)
    number = saved.entry.request.number if saved.entry.request else ""
    messages.success(
        request, _("已记录，并上报诉求 {number}").format(number=number) if number else _("已记录")
    )
    return redirect("gridwork:m_today")


@login_required
def finding_similar(request: HttpRequest) -> HttpResponse:
    """Before 上报诉求 (online): open requests near the point, or in the chosen grid, with
    words like the description, to follow one (跟进这件) instead of filing it again. Each
    row says what the request is (title, category or else type) so the worker can judge;
    never the requester's name or phone."""
    user = _worker(request)
    posted = Posted(request.GET)
    lon, lat = posted.number("lon", _("经度")), posted.number("lat", _("纬度"))
    look = Lookup(user)
    grid = look.grid(posted.integer("grid_id"))
    if grid is None and (lon is None or lat is None):
        grids = list(my_grids(user))
        grid = grids[0] if len(grids) == 1 else None
    rows = []
    if not posted.errors and not look.errors:
        text = posted.text("description")
        for near in similar_requests(user, text=text, lon=lon, lat=lat, grid=grid):
            r = near.request
            rows.append(
                {
                    "follow": follow_token(r.pk),
                    "number": r.number,
                    # the title, as the home page's 待现场核查 list shows it (never who filed it)
                    "title": r.title,
                    "what": r.category.name if r.category else str(RequestType(r.type).label),
                    "status": str(r.get_status_display()),
                    "received": f"{timezone.localtime(r.received_at):%m-%d %H:%M}",
                    "metres": round(near.metres) if near.metres is not None else None,
                }
            )
    return JsonResponse({"rows": rows})


# --- visits ------------------------------------------------------------------------------------


def _residents(user: Any) -> list[Resident]:
    qs = Resident.objects.filter(selectors.patrol_scope(user), is_active=True).select_related("node__parent")
    residents = list(qs.order_by("node_path", "name")[:MAX_CHOICES])
    for r in residents:
        r.masked = crypto.mask_name(r.name)  # type: ignore[attr-defined]
    return residents


def _visit_context(user: Any, values: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    plans = list(
        CarePlan.objects.filter(selectors.patrol_scope(user), is_active=True)
        .select_related("resident", "node__parent")
        .order_by("next_due_on")[:MAX_CHOICES]
    )
    day = timezone.localdate()
    for plan in plans:
        plan.light_now = services.light_for(plan.next_due_on, day)  # type: ignore[attr-defined]
        plan.masked = crypto.mask_name(plan.resident.name)  # type: ignore[attr-defined]
    return {
        "plans": plans,
        "residents": _residents(user),
        "kinds": _choices(VisitKind),
        "wellbeings": _choices(Wellbeing),
        "values": values,
        "errors": errors,
        "key": new_key(),
        "tab": "visit",
    }


@login_required
def visit(request: HttpRequest) -> HttpResponse:
    user = _worker(request)
    if request.method != "POST":
        values = {"care_plan_id": request.GET.get("plan", ""), "resident_id": request.GET.get("resident", "")}
        values |= {"kind": VisitKind.HOME, "wellbeing": Wellbeing.GOOD}
        return render(request, "gridwork/m/visit.html", _visit_context(user, values, {}))
    posted = Posted(request.POST)
    look = Lookup(user)
    data = services.VisitIn(
        found=posted.text("found"),
        care_plan=look.care_plan(posted.integer("care_plan_id")),
        resident=look.resident(posted.integer("resident_id")),
        kind=posted.text("kind") or VisitKind.HOME,
        wellbeing=posted.text("wellbeing") or Wellbeing.GOOD,
        needs=posted.text("needs"),
        lon=posted.number("lon", _("经度")),
        lat=posted.number("lat", _("纬度")),
        photos=request.FILES.getlist("photos"),
    )
    try:
        posted.check()
        look.done()
        services.visit_record(actor=user, client_key=posted.text("client_key"), data=data)
    except ValidationError as exc:
        context = _visit_context(user, page_values(request.POST), merged(exc, posted.errors, look.errors))
        return render(request, "gridwork/m/visit.html", context, status=422)
    messages.success(request, _("走访已记录"))
    return redirect("gridwork:m_today")


# --- campaigns ---------------------------------------------------------------------------------


def _items(user: Any, campaign_id: int, q: str) -> tuple[Any, list[CampaignItem], int]:
    campaign = selectors.campaign_get(user, campaign_id)
    qs = CampaignItem.objects.filter(selectors.patrol_scope(user), campaign=campaign).select_related(
        "household"
    )
    if q:
        qs = qs.filter(label__contains=q)
    open_items = qs.filter(state__in=selectors.OPEN_ITEM_STATES).order_by("node_path", "label")
    items = list(open_items[:MAX_ITEMS])
    for item in items:
        head = item.household.head_name if item.household else ""
        item.head = crypto.mask_name(head) if head else ""  # type: ignore[attr-defined]
    return campaign, items, qs.filter(state=ItemState.DONE).count()


@login_required
def campaign(request: HttpRequest, pk: int) -> HttpResponse:
    user = _worker(request)
    q = request.GET.get("q", "").strip()
    found, items, done = _items(user, pk, q)
    context = {
        "campaign": found,
        "items": items,
        "done": done,
        "q": q,
        "states": [
            (s, ItemState(s).label) for s in (ItemState.DONE, ItemState.UNREACHABLE, ItemState.REFUSED)
        ],
        "yesno": QuestionKind.YESNO,
        "number": QuestionKind.NUMBER,
        "active": found.state == CampaignState.ACTIVE and not found.not_started,
        "tab": "today",
    }
    return render(request, "gridwork/m/campaign.html", context)


@login_required
@require_POST
def campaign_check(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    """Without JavaScript: one item's result."""
    user = _worker(request)
    found = selectors.campaign_get(user, pk)
    # Only an item of the worker's own grids: another grid's is not found, never named.
    item = CampaignItem.objects.filter(selectors.patrol_scope(user), pk=item_id, campaign=found).first()
    if item is None:
        raise NotFound(_("任务对象不存在或不在您负责的网格内"))
    answers = {k.removeprefix("answers."): v for k, v in request.POST.items() if k.startswith("answers.")}
    try:
        services.campaign_check(
            actor=user,
            client_key=request.POST.get("client_key", ""),
            item=item,
            state=request.POST.get("state", ""),
            answers=answers,
            note=request.POST.get("note", ""),
        )
        messages.success(request, _("{label}：已提交").format(label=item.label))
    except ValidationError as exc:
        messages.error(request, f"{item.label}：{labelled(exc)}")
    except Conflict as exc:  # finished meanwhile (by another worker): who and when
        messages.error(request, f"{item.label}：{exc.message}")
    return redirect("gridwork:m_campaign", pk=pk)


# --- proposals ---------------------------------------------------------------------------------


def _proposal_context(user: Any, values: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    scope = selectors.patrol_scope(user)
    households = list(
        Household.objects.filter(scope)
        .select_related("node__parent", "dwelling")
        .order_by("node_path", "code")[:MAX_CHOICES]
    )
    dwellings = list(
        Dwelling.objects.filter(scope)
        .select_related("node__parent")
        .order_by("node_path", "room")[:MAX_CHOICES]
    )
    return {
        "kinds": _choices(ProposalKind),
        "residents": _residents(user),
        "households": households,
        "dwellings": dwellings,
        "tags": ResidentTag.objects.order_by("code"),
        "genders": _choices(Gender),
        "residence_types": _choices(ResidenceType),
        "uses": _choices(DwellingUse),
        "mine": list(selectors.proposals_visible(user).filter(proposer=user)[:10]),
        "values": values,
        "errors": errors,
        "key": new_key(),
        "tab": "today",
    }


def _one_dwelling(data: QueryDict) -> QueryDict:
    """The form has two 房屋 selects named dwelling_id: the new resident's (first) and the
    dwelling use's (second); with JavaScript only the shown one is sent, without it both
    are, and the other is empty. Keep the one of the chosen kind (else the one filled in)."""
    sent = [v.strip() for v in data.getlist("dwelling_id")]
    if len(sent) < 2:
        return data
    kind = str(data.get("kind", "")).strip()
    if kind == ProposalKind.NEW_RESIDENT:
        picked = sent[0]
    elif kind == ProposalKind.DWELLING_USE:
        picked = sent[-1]
    else:
        picked = next((v for v in sent if v), "")
    one = data.copy()
    one["dwelling_id"] = picked
    return one


@login_required
def proposal(request: HttpRequest) -> HttpResponse:
    user = _worker(request)
    if request.method != "POST":
        return render(request, "gridwork/m/proposal.html", _proposal_context(user, {"kind": "moved_out"}, {}))
    form = _one_dwelling(request.POST)
    posted = Posted(form)
    look = Lookup(user)
    data = services.ProposalIn(
        kind=posted.text("kind"),
        reason=posted.text("reason"),
        resident=look.resident(posted.integer("resident_id")),
        household=look.household(posted.integer("household_id")),
        dwelling=look.dwelling(posted.integer("dwelling_id")),
        tag=look.tag(posted.text("tag")),
        name=posted.text("name"),
        gender=posted.text("gender"),
        id_number=posted.text("id_number"),
        phone=posted.text("phone"),
        residence_type=posted.text("residence_type") or ResidenceType.FLOATING,
        relation_to_head=posted.text("relation_to_head"),
        use=posted.text("use"),
    )
    try:
        posted.check()
        look.done()
        services.proposal_submit(actor=user, client_key=posted.text("client_key"), data=data)
    except ValidationError as exc:
        values = page_values(form)
        values.pop("id_number", None)
        context = _proposal_context(user, values, merged(exc, posted.errors, look.errors))
        return render(request, "gridwork/m/proposal.html", context, status=422)
    messages.success(request, _("已提交社区审核"))
    return redirect("gridwork:m_today")


# --- on-site verification (现场核查) ------------------------------------------------------------


def _to_verify(user: Any, pk: int) -> Request:
    """A reply waiting for this worker's check in their grids; any other request is not found."""
    found = selectors.requests_to_verify(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("诉求不存在，或已核查、不在您负责的网格内"))
    return found


def _checked_meanwhile(user: Any, pk: int) -> tuple[Request, str] | None:
    """A request of the worker's grids that left 待核查 while their page was open (checked in
    another tab or by another worker): it, and what to tell them on the form."""
    where = scope_q(user, Capability.REQUEST_VERIFY)
    qs = requests_visible(user).filter(pk=pk, category__needs_verification=True)
    found = (qs.filter(where) if where is not None else qs).first()
    if found is None:
        return None
    event = (
        RequestEvent.objects.filter(request=found, action=Action.VERIFY)
        .order_by("-created_at", "-id")
        .first()
    )
    if event is None:
        text = _("该诉求当前状态为“{status}”，已不在待核查中，不能再提交核查。您填写的内容仍保留在下方。")
        return found, text.format(status=found.get_status_display())
    confirmed = (event.data or {}).get("confirmed")
    text = _("该诉求已由{name}于{time}核查（{result}），无需再次提交。您填写的内容仍保留在下方。")
    return found, text.format(
        name=event.actor_name or (event.actor.display_name if event.actor else _("他人")),
        time=f"{timezone.localtime(event.created_at):%m-%d %H:%M}",
        result=_("属实") if confirmed else _("不属实，已退回"),
    )


def _verify_context(user: Any, found: Request, form: VerifyForm) -> dict[str, Any]:
    """What the worker judges by: the report and its photos, the unit that handled it and its
    reply with photos, the earlier failed checks, the place on the map within their grid."""
    found = mask_text_for(user, found)  # a number typed into the text must not give a hidden requester away
    point = found.lon is not None and found.lat is not None
    label = f"{found.number} {found.title}"
    marker = {"lon": found.lon, "lat": found.lat, "kind": "reported", "label": label}
    lead = (
        WorkOrder.objects.filter(request=found, is_active=True, role=AssignmentRole.LEAD)
        .select_related("unit")
        .first()
    )
    events = list(
        RequestEvent.objects.filter(request=found, action__in=[Action.RECEIVE, Action.REPLY, Action.VERIFY])
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
    received = [e for e in events if e.action == Action.RECEIVE]
    replies = [e for e in events if e.action == Action.REPLY]
    failed = [e for e in events if e.action == Action.VERIFY and not (e.data or {}).get("confirmed")]
    report_photos = [a for e in received for a in e.attachments.all()]
    report_photos += list(found.attachments.filter(event__isnull=True))
    on_path = {int(p) for p in found.node_path.strip("/").split("/") if p}
    grids = [g for g in my_grids(user) if g.pk in on_path] or my_grids(user)
    return {
        "r": found,
        "reply": lead.reply if lead else "",
        "unit": lead.unit if lead else found.lead_unit,
        "report_photos": [a for a in report_photos if a.content_type.startswith("image/")],
        "reply_photos": [a for a in replies[-1].attachments.all() if a.content_type.startswith("image/")]
        if replies
        else [],
        "failed_checks": failed,
        "form": form,
        "map_data": {
            "grids": [{"name": g.name, "geometry": g.geometry} for g in grids if g.geometry],
            "routes": [],
            "markers": [marker] if point else [],
        },
        "photos_max": ATTACHMENTS_MAX,
        "tab": "today",
    }


@login_required
def verify(request: HttpRequest, pk: int) -> HttpResponse:
    """现场核查 on the phone: the desktop action's form (VerifyForm: conclusion, note, photos,
    the page's version) run by the same runner, then back to 工作台."""
    user = _worker(request)
    if request.method == "POST" and not selectors.requests_to_verify(user).filter(pk=pk).exists():
        # A page left open while the check was done elsewhere: refused on the form, the note kept.
        meanwhile = _checked_meanwhile(user, pk)
        if meanwhile is not None:
            gone, reason = meanwhile
            form = VerifyForm(request.POST, actor=user, target=gone, auto_id="vf_%s")
            form.add_error(None, reason)
            context = _verify_context(user, gone, form) | {"closed": True}
            return render(request, "gridwork/m/verify.html", context, status=409)
    found = _to_verify(user, pk)
    if request.method != "POST":
        form = VerifyForm(actor=user, target=found, auto_id="vf_%s")
        return render(request, "gridwork/m/verify.html", _verify_context(user, found, form))
    form = VerifyForm(request.POST, request.FILES, actor=user, target=found, auto_id="vf_%s")
    if form.is_valid():
        run = ACTION_RUNNERS["verify"]
        files = request.FILES.getlist("attachments")
        try:
            done = run(user, found, form.cleaned_data, files, form.cleaned_data.get("version"))
        except CivicError as exc:  # a stale version, a missing note, a refused photo
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{found.number}：{done}")
            return redirect("gridwork:m_today")
    found.refresh_from_db()  # the current version and state, for the next attempt
    return render(request, "gridwork/m/verify.html", _verify_context(user, found, form), status=422)


# --- log, map, queue ---------------------------------------------------------------------------


@login_required
def log(request: HttpRequest) -> HttpResponse:
    user = _worker(request)
    posted = Posted(request.GET)
    today = timezone.localdate()
    day = posted.day("day") or today
    if day < LOG_EARLIEST:
        posted.errors["day"] = [_("日期不能早于{earliest}").format(earliest=LOG_EARLIEST.isoformat())]
    if posted.errors:  # today's diary again, the typed day in its box, the reason beside it
        errors = {"day": [_("日期：{reason}").format(reason="，".join(posted.errors["day"]))]}
        day = today
    else:
        errors = {}
    if day > today:  # no diary of days to come: today's, under its own address
        return redirect("gridwork:m_log")
    month = logbook.worker_month(user, user, day.year, day.month)
    this_month = (day.year, day.month) == (today.year, today.month)
    context = {
        "log": logbook.day_log(user, user, day),
        "day": day,
        "other_year": day.year != today.year,
        # Newest day first, as the worker reads back from today.
        "month": [m for m in reversed(month) if m.patrols or m.findings or m.visits],
        "prev": day - timedelta(days=1) if day > LOG_EARLIEST else None,
        "next": day + timedelta(days=1) if day < today else None,
        # The month so far: on the 24th, 21 days of patrol out of 24, not out of 30.
        "month_days": today.day if this_month else calendar.monthrange(day.year, day.month)[1],
        "patrol_days": sum(1 for m in month if m.patrols and m.day <= today),
        "tab": "log",
        "errors": errors,
        "typed_day": posted.text("day"),
    }
    return render(request, "gridwork/m/log.html", context, status=422 if errors else 200)


def _markers(findings: list[Finding], plans: list[CarePlan]) -> list[dict[str, Any]]:
    markers = [
        {
            "lon": f.lon,
            "lat": f.lat,
            "kind": f.outcome,
            "label": f"{f.get_outcome_display()}：{f.description[:30]}",
        }
        for f in findings
        if f.lon is not None and f.lat is not None
    ]
    for plan in plans:
        node: Node = plan.node
        if node.lon is not None and node.lat is not None:
            label = _("待走访：{name}（{groups}）").format(
                name=crypto.mask_name(plan.resident.name), groups=plan.groups
            )
            markers.append({"lon": node.lon, "lat": node.lat, "kind": "care", "label": label})
    return markers


@login_required
def grid_map(request: HttpRequest) -> HttpResponse:
    user = _worker(request)
    day = timezone.localdate()
    log_today = logbook.day_log(user, user, day)
    plans = list(selectors.care_due(user, day)[:200])
    data = {
        "grids": [{"name": g.name, "geometry": g.geometry} for g in my_grids(user)],
        "routes": log_today.routes,
        "markers": _markers(log_today.findings, plans),
    }
    return render(request, "gridwork/m/map.html", {"map_data": data, "tab": "map"})


REPORTED_PAGE = 30


@login_required
def reported(request: HttpRequest) -> HttpResponse:
    """我上报的诉求: what the worker reported or followed, and where each request stands now
    (state, light, lead unit, latest step), so a report is followed up from the phone."""
    user = _worker(request)
    posted = Posted(request.GET)
    state = posted.text("state") or "open"
    if state not in selectors.REPORT_STATES:
        posted.errors["state"] = [_("状态：只能是办理中、已办结或全部")]
        state = "open"
    page = posted.integer("page")
    if "page" in posted.errors or (page is not None and page < 1):
        posted.errors["page"] = [_("页码：应为正整数")]
        page = None
    page = page or 1
    found = selectors.reported_findings(user, state)
    total = found.count()
    pages = max(1, -(-total // REPORTED_PAGE))
    page = min(page, pages)
    rows = list(found[(page - 1) * REPORTED_PAGE : page * REPORTED_PAGE])
    events = RequestEvent.objects.in_bulk([row.last_event_id for row in rows])  # type: ignore[attr-defined]
    for row in rows:
        event = events.get(row.last_event_id)  # type: ignore[attr-defined]
        row.last_step = (event_label(event), event.created_at) if event else None  # type: ignore[attr-defined]
    context = {
        "rows": rows,
        "state": state,
        "states": [("open", _("办理中")), ("done", _("已办结")), ("all", _("全部"))],
        "total": total,
        "page": page,
        "pages": pages,
        "errors": [reason for reasons in posted.errors.values() for reason in reasons],
        "tab": "today",
    }
    return render(request, "gridwork/m/reported.html", context, status=422 if posted.errors else 200)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    _worker(request)
    return render(request, "gridwork/m/queue.html", {"tab": "queue"})


# The pages the service worker fetches when it is installed (the tabs and the entry forms).
# Any other page of the H5 the worker opens online (a campaign's list, a day of the diary)
# is kept as it is opened, up to OFFLINE_MAX_PAGES of them (templates/gridwork/m/sw.js).
OFFLINE_PAGES = ("m_today", "m_finding", "m_visit", "m_proposal", "m_queue", "m_map", "m_log")
# Among them the entry forms: opened offline with a preset (?plan=…) they answer as the bare
# form. Any other page under a query (the diary's ?day=…) is another page, kept or not.
PRESET_FORMS = ("m_finding", "m_visit", "m_proposal")
OFFLINE_MAX_PAGES = 60
# Bumped when sw.js changes how it keeps pages: a new cache name drops the old cache.
SW_REVISION = "3"


def offline_pages() -> list[str]:
    return [reverse(f"gridwork:{n}") for n in OFFLINE_PAGES]


def worker_assets() -> list[str]:
    files = ["civicgrid/h5.css", "gridwork/gridwork.css", "gridwork/gridwork.js", "civicgrid/maplabels.js"]
    files += ["vendor/leaflet/leaflet.css", "vendor/leaflet/leaflet.js"]
    return [static(f) for f in files]


def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker that keeps the H5 pages and their assets for use without a signal."""
    assets, pages = worker_assets(), offline_pages()
    forms = [reverse(f"gridwork:{n}") for n in PRESET_FORMS]
    parts = [*assets, *pages, *forms, SW_REVISION, str(OFFLINE_MAX_PAGES)]
    version = hashlib.sha256("|".join(parts).encode()).hexdigest()[:10]
    context = {
        "assets": assets,
        "pages": pages,
        "forms": forms,
        "version": version,
        "scope": reverse("gridwork:m_today"),
        "self": reverse("gridwork:m_sw"),
        "max_pages": OFFLINE_MAX_PAGES,
    }
    response = render(
        request, "gridwork/m/sw.js", context, content_type="application/javascript; charset=utf-8"
    )
    response["Service-Worker-Allowed"] = reverse("gridwork:m_today")
    response["Cache-Control"] = "no-cache"
    return response


urlpatterns = [
    path("m/", today, name="m_today"),
    path("m/patrol/start/", patrol_start, name="m_patrol_start"),
    path("m/patrol/end/", patrol_end, name="m_patrol_end"),
    path("m/finding/", finding, name="m_finding"),
    path("m/finding/similar/", finding_similar, name="m_finding_similar"),
    path("m/visit/", visit, name="m_visit"),
    path("m/campaign/<int:pk>/", campaign, name="m_campaign"),
    path("m/campaign/<int:pk>/item/<int:item_id>/", campaign_check, name="m_campaign_check"),
    path("m/proposal/", proposal, name="m_proposal"),
    path("m/verify/<int:pk>/", verify, name="m_verify"),
    path("m/log/", log, name="m_log"),
    path("m/map/", grid_map, name="m_map"),
    path("m/queue/", queue, name="m_queue"),
    path("m/reported/", reported, name="m_reported"),
    path("m/sw.js", service_worker, name="m_sw"),
]
