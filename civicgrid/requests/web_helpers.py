"""Helpers of the staff pages of respond-upon-receipt (接诉即办).

Reads for the operator console (caller history, category and building search, open
requests nearby with similar text, saved answers), the audited reveal of the requester's
name and phone, clock figures for lists (live traffic light, time left) and the buttons
an actor may press on a request now, with what each button does (``ACTION_RUNNERS``: one
service call each; the forms that collect the input are ``forms.ACTION_FORMS``).
"""

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can, has_capability, require
from civicgrid.core import crypto
from civicgrid.core.audit import audit_write
from civicgrid.core.errors import NotFound, PermissionDenied, ValidationError
from civicgrid.core.i18n import StrOrPromise
from civicgrid.core.redirects import within_site
from civicgrid.core.validators import fold
from civicgrid.requests import selectors, services, transitions
from civicgrid.requests.constants import Action, ApprovalKind, ApprovalState, Light, Status
from civicgrid.requests.deadlines import light_now, running_clocks
from civicgrid.requests.models import Approval, Attachment, Category, Request, WhistleSummons
from civicgrid.requests.permissions import (
    REQUEST_TEXT_FIELDS,
    actor_kinds,
    sees_requester,
    shown_text,
    unit_ids,
)
from civicgrid.requests.services.dispatch import rule_preview
from civicgrid.requests.services.handling import LEVEL_UP, level_now
from civicgrid.requests.services.intake import intake_buildings, place_preview
from civicgrid.requests.services.whistle import WHISTLING_KINDS
from civicgrid.territory.geometry import metres_between
from civicgrid.territory.models import Node, NodeKind
from civicgrid.workcal import clock
from civicgrid.workcal.constants import LimitUnit

REQUESTER_PII_VIEWED = "requests.requester_pii_viewed"
REQUESTER_PII_REFUSED = "requests.requester_pii_refused"  # a reveal refused (403 or 404)

SIMILAR_MIN_SCORE = 0.2
SIMILAR_MIN_SHARED = 2
NEARBY_CANDIDATES = 300
SEARCH_LIMIT = 15

# --- the requester's name and phone -----------------------------------------------------


@transaction.atomic
def requester_pii_reveal(*, actor: Any, request: Request) -> dict[str, str]:
    """The clear name and phone of the requester, for roles allowed to see them; always audited.
    A refusal says why: the role lacks ``REQUESTER_PII_VIEW`` (a handler, a leader), or holds
    it but not over this place."""
    if not has_capability(actor, Capability.REQUESTER_PII_VIEW):
        raise PermissionDenied(_("您的角色无权查看诉求人完整信息"))
    require(actor, Capability.REQUESTER_PII_VIEW, request.node_path)
    if request.anonymous:
        raise PermissionDenied(_("匿名诉求不显示诉求人信息"))
    if not sees_requester(actor, request):
        raise PermissionDenied(_("诉求人要求保密，不向承办单位显示"))
    audit_write(
        actor=actor,
        verb=REQUESTER_PII_VIEWED,
        target=request,
        node=request.node,
        after={
            "fields": ["requester_name", "requester_phone"]
            + (["requester_email"] if request.requester_email_enc else [])
        },
    )
    return {
        "name": crypto.decrypt(request.requester_name_enc),
        "phone": crypto.decrypt(request.requester_phone_enc),
        "email": crypto.decrypt(request.requester_email_enc) if request.requester_email_enc else "",
    }


def requester_pii_refused(*, actor: Any, pk: int, found: Request | None, status: int, reason: str) -> None:
    """Audit a refused reveal of the requester (403, or 404 for a request the actor cannot
    see or that does not exist: then only its id is kept, no area), in its own transaction,
    since the refusal rolls back the reveal's."""
    with transaction.atomic():
        audit_write(
            actor=actor,
            verb=REQUESTER_PII_REFUSED,
            target=found,
            target_type="" if found is not None else "requests.request",
            target_id="" if found is not None else str(pk),
            node=found.node if found is not None else None,
            after={"status": status, "reason": reason},
        )


def can_reveal(actor: Any, request: Request) -> bool:
    has_pii = not request.anonymous and bool(
        request.requester_name_enc or request.requester_phone_enc or request.requester_email_enc
    )
    return (
        has_pii
        and can(actor, Capability.REQUESTER_PII_VIEW, request.node_path)
        and sees_requester(actor, request)
    )


def mask_text_for(actor: Any, request: Request) -> Request:
    """``request`` as a page shows it to ``actor``: where its requester is hidden from them
    (``permissions.requester_shown``), the ID numbers and phones typed into its title, content
    and address are masked on this instance (never saved: a page's copy, after every read
    that needs the text)."""
    for name in REQUEST_TEXT_FIELDS:
        setattr(request, name, shown_text(actor, request, name))
    return request


# --- text similarity ----------------------------------------------------------------------

_WORD = re.compile(r"[\w\u4e00-\u9fff]+")


def bigrams(text: str) -> set[str]:
    """Character bigrams of the words of ``text`` (punctuation and spaces split words)."""
    grams: set[str] = set()
    for word in _WORD.findall(text.lower()):
        grams.update(word[i : i + 2] for i in range(len(word) - 1))
    return grams


def similarity(a: set[str], b: set[str]) -> tuple[float, int]:
    """Overlap coefficient of two bigram sets, and how many bigrams they share."""
    if not a or not b:
        return 0.0, 0
    shared = len(a & b)
    return shared / min(len(a), len(b)), shared


@dataclass(frozen=True)
class Nearby:
    request: Request
    metres: float | None  # None: same grid, no point to measure from
    score: float


def _box(lon: float, lat: float, metres: float) -> Q:
    dlat = metres / 111_000.0
    dlon = metres / max(111_000.0 * abs(math.cos(math.radians(lat))), 1.0)
    return Q(lat__range=(lat - dlat, lat + dlat), lon__range=(lon - dlon, lon + dlon))


def similar_nearby(
    actor: Any,
    *,
    lon: float | None,
    lat: float | None,
    text: str,
    grid_path: str = "",
    exclude: int | None = None,
    metres: float | None = None,
    days: int | None = None,
    limit: int = 5,
    among: QuerySet[Request] | None = None,
) -> list[Nearby]:
    """Open requests received in the last ``days`` within ``metres`` of the point or in the
    same grid, whose title and content share words with ``text``; most similar first.
    ``among`` replaces what the actor may see (the public H5 pages: every request)."""
    wanted = bigrams(text)
    has_point = lon is not None and lat is not None
    if not wanted or not (has_point or grid_path):
        return []
    metres = settings.REQUESTS_DUPLICATE_METRES if metres is None else metres
    days = settings.REQUESTS_DUPLICATE_DAYS if days is None else days
    place = Q(node_path=grid_path) if grid_path else Q()
    if has_point:
        assert lon is not None and lat is not None
        place = place | _box(lon, lat, metres) if grid_path else _box(lon, lat, metres)
    candidates = (
        (selectors.requests_visible(actor) if among is None else among)
        .filter(place, status__in=list(transitions.OPEN))
        .filter(received_at__gte=timezone.now() - timedelta(days=days))
        .exclude(pk=exclude or 0)
        .select_related("lead_unit", "category")
        .order_by("-received_at")[:NEARBY_CANDIDATES]
    )
    found = []
    for r in candidates:
        near = has_point and r.lon is not None and r.lat is not None
        distance = metres_between(lon, lat, r.lon, r.lat) if near else None  # type: ignore[arg-type]
        in_place = (distance is not None and distance <= metres) or (grid_path and r.node_path == grid_path)
        score, shared = similarity(wanted, bigrams(f"{r.title} {r.content}"))
        if in_place and score >= SIMILAR_MIN_SCORE and shared >= SIMILAR_MIN_SHARED:
            found.append(Nearby(r, distance, score))
    found.sort(key=lambda n: (-n.score, n.metres if n.metres is not None else metres))
    return found[:limit]


def possible_duplicates(actor: Any, request: Request) -> list[Nearby]:
    """Open requests like this one (same grid or nearby, recent, similar text) to merge it into."""
    if request.status not in transitions.OPEN:
        return []
    grid = request.node_path if request.node.kind == NodeKind.GRID else ""
    return similar_nearby(
        actor,
        lon=request.lon,
        lat=request.lat,
        text=f"{request.title} {request.content}",
        grid_path=grid,
        exclude=request.pk,
    )


# --- searches of the console --------------------------------------------------------------


def buildings_visible(actor: Any) -> QuerySet[Node]:
    """The active buildings the actor may see: the console's building picker and place, by
    the rule intake itself applies (``intake.intake_buildings``)."""
    return intake_buildings(actor)


def building_param(actor: Any, params: Any) -> Node | None:
    """The building a console parameter names, if the actor may see it."""
    raw = str(params.get("building", "")).strip()
    return buildings_visible(actor).filter(pk=int(raw)).first() if raw.isdecimal() else None


def point_param(params: Any) -> tuple[float, float] | None:
    """``lon``/``lat`` parameters as a point on the globe, or None (missing, not numbers,
    out of range — NaN fails the range too)."""
    try:
        lon, lat = float(params.get("lon", "")), float(params.get("lat", ""))
    except ValueError:
        return None
    return (lon, lat) if -180 <= lon <= 180 and -90 <= lat <= 90 else None


def console_place(actor: Any, params: Any) -> Node | None:
    """Where the call being typed would be filed, from the console's building or point (as
    intake locates it; the operator's own area when neither is given yet)."""
    point = point_param(params)
    lon, lat = point if point is not None else (None, None)
    return place_preview(actor, building=building_param(actor, params), lon=lon, lat=lat)


def routes_preview(place: Node | None, category_ids: list[int]) -> dict[int, str]:
    """For each category, where the dispatch rules would send a request of it at ``place``:
    the lead unit and the rule, or that no rule fits and it would wait in triage."""
    categories = Category.objects.in_bulk(category_ids)
    routes = {}
    for pk, category in categories.items():
        assignment = rule_preview(category, place.path if place is not None else "")
        if assignment is None:
            routes[pk] = _("无匹配的派单规则，提交后进入待分派")
        else:
            routes[pk] = _("派至{unit}（{rule}）").format(unit=assignment.lead.name, rule=assignment.label)
    return routes


@lru_cache(maxsize=8192)
def initials_of(name: str) -> str:
    """Pinyin initials of a name (电梯故障 → dtgz), for catalogues imported without them."""
    from pypinyin import Style, lazy_pinyin

    return "".join(p[0] for p in lazy_pinyin(name, style=Style.FIRST_LETTER) if p).lower()


def category_matches(q: str, limit: int = SEARCH_LIMIT) -> list[Category]:
    """Leaves of the current catalogue by name, keyword or pinyin initials (the fallback search);
    full-width letters and digits as ASCII."""
    q = fold(q).lower()
    if not q:
        return []
    leaves = selectors.leaf_categories().only("id", "code", "name", "full_name", "initials", "keywords")
    if not q.isascii():
        return list(leaves.filter(Q(full_name__icontains=q) | Q(keywords__icontains=q))[:limit])
    if q.isdecimal():
        return list(leaves.filter(code__startswith=q)[:limit])
    found = []
    for c in leaves:
        initials = (c.initials or initials_of(c.name)).lower()
        if initials.startswith(q) or (len(q) > 1 and q in initials):
            found.append(c)
            if len(found) >= limit:
                break
    return found


def building_matches(actor: Any, q: str, limit: int = SEARCH_LIMIT) -> QuerySet[Node]:
    q = q.strip()
    if not q:
        return Node.objects.none()
    return (
        buildings_visible(actor)
        .filter(Q(name__icontains=q) | Q(address__icontains=q) | Q(code__istartswith=q))
        .order_by("code")[:limit]
    )


# --- clocks for lists ---------------------------------------------------------------------


def duration_text(delta: timedelta) -> str:
    seconds = int(abs(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return _("{days}天{hours}小时").format(days=days, hours=hours)
    if hours:
        return _("{hours}小时{minutes}分").format(hours=hours, minutes=minutes)
    return _("{minutes}分钟").format(minutes=minutes)


@dataclass(frozen=True)
class ClockView:
    live: str  # the light computed now
    clock: str  # "签收" or "办理" (the clock that ends first), "" when none runs
    due: datetime | None
    left: str  # "剩余 3天2小时" / "超期 5小时" / "剩余 3.5 个工作日" / "已超期 2 个工作小时"
    overdue: bool


WORKING_UNITS = (LimitUnit.WORKING_DAYS, LimitUnit.WORKING_HOURS)


def clock_unit_of(request: Request, name: str) -> str:
    """The unit the clock ``name`` counts in: the resolution clock's is stored on the request
    (``clock_unit``), the response clock's is its category's (the lists load the category)."""
    if name == "resolution":
        if request.status == Status.LONG_RUNNING:
            return LimitUnit.HOURS  # a plan date (挂账) is a calendar date, not a limit
        return request.clock_unit or LimitUnit.HOURS
    category = request.category if request.category_id else None
    return (category.response_unit if category else "") or LimitUnit.HOURS


def working_amount_text(amount: float, unit: str) -> str:
    """``3.5 个工作日`` / ``6 个工作小时``: one decimal, never a bare 0 for time that is left."""
    rounded = round(amount, 1)
    if unit == LimitUnit.WORKING_DAYS:
        if rounded <= 0:
            return _("不足 0.1 个工作日")
        return _("{amount} 个工作日").format(amount=f"{rounded:g}")
    if rounded <= 0:
        return _("不足 0.1 个工作小时")
    return _("{amount} 个工作小时").format(amount=f"{rounded:g}")


def clock_view(request: Request, now: datetime | None = None, cal: clock.Calendar | None = None) -> ClockView:
    """The live light and the time left on the first running clock.

    A natural-hour clock shows wall-clock time (``剩余 3天2小时``); a working-day or
    working-hour clock its own unit counted on the work calendar (``剩余 3.5 个工作日``,
    ``已超期 2 个工作小时``), the calendar being the process's cached one (no queries
    while it is fresh)."""
    now = now or timezone.now()
    clocks = sorted(running_clocks(request), key=lambda c: c.due)
    if not clocks:
        return ClockView(Light.GREEN, "", None, "", False)
    first = clocks[0]
    overdue = first.due <= now
    # The clock's own unit where deadlines.ClockState carries it, else read the same way.
    unit = getattr(first, "unit", None) or clock_unit_of(request, first.name)
    if unit in WORKING_UNITS:
        cal = cal or clock.current_calendar()
        if overdue:
            left = _("已超期 {amount}").format(
                amount=working_amount_text(clock.elapsed(cal, first.due, now, unit), unit)
            )
        else:
            left = _("剩余 {amount}").format(
                amount=working_amount_text(clock.elapsed(cal, now, first.due, unit), unit)
            )
    else:
        duration = duration_text(first.due - now)
        left = _("超期 {duration}") if overdue else _("剩余 {duration}")
        left = left.format(duration=duration)
    label = _("签收") if first.name == "response" else _("办理")
    return ClockView(light_now(request, now), label, first.due, left, overdue)


def deadline_change(data: Any) -> tuple[str, str] | None:
    """The resolution deadline before and after an event that stored them (``due_before``,
    ``due_after``: an approved extension), in local time as the page shows times; None if
    the event stored neither."""
    if not isinstance(data, dict) or not ({"due_before", "due_after"} & data.keys()):
        return None
    shown: list[str] = []
    for key in ("due_before", "due_after"):
        value = data.get(key)
        moment = None
        if isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                moment = None
        if moment is not None and timezone.is_naive(moment):
            moment = timezone.make_aware(moment, timezone.get_default_timezone())
        shown.append(date_format(timezone.localtime(moment), "Y-m-d H:i") if moment else "—")
    return shown[0], shown[1]


LIGHT_LABEL = {
    Light.GREEN: gettext_lazy("绿"),
    Light.YELLOW: gettext_lazy("黄"),
    Light.RED: gettext_lazy("红"),
}


# --- which buttons to show ----------------------------------------------------------------

# Actions never offered as buttons to staff: intake, the requester's own rating, the system's.
NOT_BUTTONS = {Action.RECEIVE, Action.RATE, Action.WARN}


def pending_approval(request: Request, kind: str) -> Approval | None:
    return (
        Approval.objects.filter(request=request, kind=kind, state=ApprovalState.PENDING)
        .select_related("unit", "requested_by")
        .first()
    )


def open_summonses(actor: Any, request: Request) -> QuerySet[WhistleSummons]:
    """The actor's summonses on ``request`` that may still report in (not reported, whistle open)."""
    return WhistleSummons.objects.filter(
        whistle__request=request,
        whistle__closed_at__isnull=True,
        unit_id__in=unit_ids(actor),
        reported_at__isnull=True,
    ).select_related("unit", "whistle")


def available_actions(actor: Any, request: Request, kinds: set[str] | None = None) -> list[str]:
    """The actions ``actor`` may take on ``request`` now: the transition table, then the context."""
    kinds = actor_kinds(actor, request) if kinds is None else kinds
    actions = [a for a in transitions.allowed_actions(request.status, kinds) if a not in NOT_BUTTONS]
    awaiting = request.status == Status.REPLIED and selectors.awaiting_verification(request)
    context_checks: dict[str, Callable[[], bool]] = {
        Action.DIRECT_CLOSE: lambda: request.type == "consultation",
        Action.EXTEND_REQUEST: lambda: pending_approval(request, ApprovalKind.EXTENSION) is None,
        Action.EXTEND_APPROVE: lambda: pending_approval(request, ApprovalKind.EXTENSION) is not None,
        Action.EXTEND_REJECT: lambda: pending_approval(request, ApprovalKind.EXTENSION) is not None,
        Action.WHISTLE: lambda: request.lead_unit is not None and request.lead_unit.kind in WHISTLING_KINDS,
        Action.REPORT_IN: lambda: open_summonses(actor, request).exists(),
        Action.ESCALATE: lambda: level_now(request) in LEVEL_UP,
        Action.REASSIGN: lambda: request.status != Status.RECEIVED,
        Action.CALLBACK: lambda: not awaiting,
        Action.CLOSE: lambda: not awaiting,
    }
    return [a for a in actions if a not in context_checks or context_checks[a]()]


# --- what each button does: one service call each ---------------------------------------

Runner = Callable[[Any, Request, dict[str, Any], list[UploadedFile], int | None], str]


def _yes(value: Any) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _unit_names(units: Any) -> str:
    return "、".join(u.name for u in units)


def _dispatch(actor: Any, r: Request, d: dict[str, Any], files: list[UploadedFile], v: int | None) -> str:
    done = services.request_dispatch(
        actor=actor,
        request=r,
        category=d.get("category"),
        lead_unit=d.get("lead_unit"),
        assisting=list(d.get("assisting") or []),
        copy=list(d.get("copy") or []),
        note=d.get("note", ""),
        expected_version=v,
    )
    return _("已派单至{lead_unit}").format(lead_unit=done.lead_unit)


def _merge(actor: Any, r: Request, d: dict[str, Any], files: list[UploadedFile], v: int | None) -> str:
    try:
        into = selectors.request_by_number(actor, d["into"])
    except NotFound as exc:
        raise ValidationError(_("找不到该编号的诉求（或您无权查看）"), field="into") from exc
    services.request_merge(
        actor=actor, request=r, into=into, expected_version=v, paused_ok=bool(d.get("paused_ok"))
    )
    return _("已合并至 {number}").format(number=into.number)


def _callback(actor: Any, r: Request, d: dict[str, Any], files: list[UploadedFile], v: int | None) -> str:
    services.request_callback(
        actor=actor,
        request=r,
        contacted=_yes(d.get("contacted")),  # type: ignore[arg-type]  # None is refused by the service
        resolution=d.get("resolution", ""),
        satisfaction=d.get("satisfaction", ""),
        comment=d.get("comment", ""),
        reopen=bool(d.get("reopen")),
        expected_version=v,
    )
    return _("回访已记录，已转重办") if d.get("reopen") else _("回访已记录，诉求已办结")


def _verify(actor: Any, r: Request, d: dict[str, Any], files: list[UploadedFile], v: int | None) -> str:
    confirmed = d["confirmed"] == "yes"
    services.request_verify(
        actor=actor, request=r, confirmed=confirmed, note=d["note"], attachments=files, expected_version=v
    )
    return _("核查已记录") if confirmed else _("核查不属实，已退回承办单位重新办理")


def _whistle(actor: Any, r: Request, d: dict[str, Any], files: list[UploadedFile], v: int | None) -> str:
    units = list(d.get("units") or [])
    services.request_whistle(
        actor=actor, request=r, units=units, reason=d["reason"], deadline=d["deadline"], expected_version=v
    )
    return _("已吹哨召集：{units}").format(units=_unit_names(units))


def _council(actor: Any, r: Request, d: dict[str, Any], files: list[UploadedFile], v: int | None) -> str:
    fields = (
        "held_on",
        "party_branch",
        "owners_committee",
        "property_company",
        "outcome",
        "agreed",
        "others",
    )
    services.request_council(actor=actor, request=r, expected_version=v, **{k: d[k] for k in fields})
    return _("三方议事结果已记录")


def _simple(service: Callable[..., Any], message: StrOrPromise, *names: str, **fixed: Any) -> Runner:
    """A runner that passes the named form fields (and fixed arguments) to ``service``."""

    def run(actor: Any, r: Request, d: dict[str, Any], files: list[UploadedFile], v: int | None) -> str:
        service(actor=actor, request=r, expected_version=v, **{n: d.get(n, "") for n in names}, **fixed)
        return str(message)

    return run


def _with_files(
    service: Callable[..., Any], message: StrOrPromise, name: str, *, version: bool = True
) -> Runner:
    def run(actor: Any, r: Request, d: dict[str, Any], files: list[UploadedFile], v: int | None) -> str:
        extra = {"expected_version": v} if version else {}
        service(actor=actor, request=r, attachments=files, **{name: d.get(name, "")}, **extra)
        return str(message)

    return run


def _report_in(actor: Any, r: Request, d: dict[str, Any], files: list[UploadedFile], v: int | None) -> str:
    summons = d["summons"]
    services.whistle_report_in(actor=actor, summons=summons, part=d["part"], expected_version=v)
    return _("{unit}已报到").format(unit=summons.unit)


def _direct_close(actor: Any, r: Request, d: dict[str, Any], files: list[UploadedFile], v: int | None) -> str:
    services.request_direct_close(actor=actor, request=r, answer=d["answer"], expected_version=v)
    return _("已直接办结")


A = Action
ACTION_RUNNERS: dict[str, Runner] = {
    A.DIRECT_CLOSE: _direct_close,
    A.DISPATCH: _dispatch,
    A.SIGN: _simple(services.request_sign, gettext_lazy("已签收")),
    A.START: _simple(services.request_start, gettext_lazy("已开始办理"), "note"),
    A.REPLY: _with_files(services.request_reply, gettext_lazy("已答复"), "reply"),
    A.VERIFY: _verify,
    A.CALLBACK: _callback,
    A.CLOSE: _simple(services.request_close, gettext_lazy("诉求已办结"), "note"),
    A.RETURN_REQUEST: _simple(services.request_return, gettext_lazy("已申请退单，等待审核"), "reason"),
    A.NOT_OURS: _simple(
        services.request_return, gettext_lazy("已提交非本单位职责，等待审核"), "reason", not_ours=True
    ),
    A.RETURN_APPROVE: _simple(
        services.request_return_decide, gettext_lazy("已同意退单，诉求回到待派单"), "note", approve=True
    ),
    A.RETURN_REJECT: _simple(
        services.request_return_decide, gettext_lazy("已驳回退单"), "note", approve=False
    ),
    A.REASSIGN: _simple(
        services.request_reassign, gettext_lazy("已改派"), "lead_unit", "reason", "assisting"
    ),
    A.EXTEND_REQUEST: _simple(
        services.request_extend, gettext_lazy("已申请延期，等待审批"), "amount", "reason"
    ),
    A.EXTEND_APPROVE: _simple(
        services.request_extend_decide, gettext_lazy("已同意延期"), "note", approve=True
    ),
    A.EXTEND_REJECT: _simple(
        services.request_extend_decide, gettext_lazy("已驳回延期"), "note", approve=False
    ),
    A.SUSPEND: _simple(services.request_suspend, gettext_lazy("已挂起，期限暂停计算"), "reason"),
    A.RESUME: _simple(services.request_resume, gettext_lazy("已恢复办理"), "note"),
    A.LONG_RUNNING: _simple(
        services.request_long_running, gettext_lazy("已转为挂账办理"), "plan", "plan_until"
    ),
    A.SUPERVISE: _simple(services.request_supervise, gettext_lazy("已督办"), "note"),
    A.MERGE: _merge,
    A.REOPEN: _simple(services.request_reopen, gettext_lazy("已重办"), "reason"),
    A.WHISTLE: _whistle,
    A.REPORT_IN: _report_in,
    A.ESCALATE: _simple(services.request_escalate, gettext_lazy("已上报上一级"), "reason"),
    A.COUNCIL: _council,
    A.NOTE: _with_files(services.request_note, gettext_lazy("备注已添加"), "note", version=False),
}


def category_search_url() -> str:
    """The catalogue's search (``requests:category_search``), or the console's own fallback."""
    try:
        return reverse("requests:category_search")
    except NoReverseMatch:
        return reverse("requests:console_categories")


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def go(request: HttpRequest, url: str) -> HttpResponse:
    """After a successful write: a redirect (htmx follows ``HX-Redirect``)."""
    if is_htmx(request):
        return HttpResponse(headers={"HX-Redirect": url})
    return HttpResponseRedirect(url)


def safe_next(request: HttpRequest, default: str) -> str:
    """The ``next`` parameter when it points into this site, else ``default``."""
    return within_site(request, request.POST.get("next") or request.GET.get("next"), default)


def attachment_response(actor: Any, request_id: int, attachment_id: int) -> FileResponse:
    """One attachment of a request the actor may read (``selectors.request_read``), for the
    page's link and the API alike: images and PDF inline, the rest as a download."""
    found = selectors.request_read(actor, request_id)
    item = Attachment.objects.filter(request=found, pk=attachment_id).first()
    if item is None:
        raise NotFound(_("附件不存在"))
    inline = item.content_type.startswith("image/") or item.content_type == "application/pdf"
    return FileResponse(
        item.file.open("rb"), content_type=item.content_type, filename=item.name, as_attachment=not inline
    )
