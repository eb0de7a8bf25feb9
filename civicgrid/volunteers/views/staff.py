"""Staff pages: overview, volunteers (register, approve), teams, activities, report."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import has_capability, require_any, scope_filter
from civicgrid.core import once
from civicgrid.core.errors import CivicError, Conflict, NotFound, PermissionDenied, ValidationError
from civicgrid.core.pagination import paginate, query_without_page
from civicgrid.core.redirects import within_site
from civicgrid.core.views_forms import act, pk_or_none
from civicgrid.registry.pii import may_reveal
from civicgrid.registry.selectors import organisations_visible, resident_get, resident_search
from civicgrid.requests.doorplate import public_base_url, qr_svg
from civicgrid.territory.models import Node, NodeKind
from civicgrid.territory.selectors import node_get
from civicgrid.volunteers import exports, points_link, selectors, services
from civicgrid.volunteers.access import leader_areas, led_teams, staff_team, staff_volunteer
from civicgrid.volunteers.constants import (
    ActivityStatus,
    SignupStatus,
    TeamColour,
    VolunteerKind,
    VolunteerStatus,
)
from civicgrid.volunteers.forms import ActivityEditForm, ActivityForm, RegisterForm, TeamForm
from civicgrid.volunteers.models import Activity, Skill, Team, Volunteer
from civicgrid.volunteers.services.activities import is_organiser, signups_of
from civicgrid.volunteers.services.volunteers import age_on, consent_masked, is_minor
from civicgrid.volunteers.views.common import form_errors, form_status

MANAGE = Capability.VOLUNTEER_MANAGE
# Places to pick for a service area, an activity or an order (form choices: no slicing,
# a sliced queryset cannot validate the choice).
AREA_KINDS = [NodeKind.COMMUNITY, NodeKind.GRID]


def communities(actor: Any) -> QuerySet[Node]:
    return scope_filter(
        Node.objects.filter(kind=NodeKind.COMMUNITY, is_active=True), actor, MANAGE, field="path"
    ).order_by("path")


def areas(actor: Any, under: Node | None = None) -> QuerySet[Node]:
    qs = scope_filter(Node.objects.filter(kind__in=AREA_KINDS, is_active=True), actor, MANAGE, field="path")
    if under is not None:
        qs = qs.filter(path__startswith=under.path)
    return qs.order_by("path")


def is_staff_somewhere(actor: Any) -> bool:
    return has_capability(actor, MANAGE)


# --- overview ------------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    require_any(request.user, MANAGE)
    now = timezone.now()
    return render(
        request,
        "volunteers/index.html",
        {
            "figures": selectors.figures_for(request.user),
            "pending": selectors.pending_counts(request.user),
            "upcoming": selectors.activity_list(
                request.user, status=ActivityStatus.PUBLISHED, when="upcoming"
            )[:8],
            "running": selectors.activity_list(request.user, status=ActivityStatus.PUBLISHED).filter(
                starts_at__lte=now
            )[:8],
            "to_dispatch": selectors.order_list(request.user, status="ordered")[:8],
            "to_verify": selectors.order_list(request.user, status="completed")[:8],
            "communities": communities(request.user),
        },
    )


# --- volunteers ------------------------------------------------------------------------------------


def _sheet_or_back(request: HttpRequest, make: Callable[[], HttpResponse]) -> HttpResponse:
    """The Excel file ``make`` writes; a refusal (too many rows, no export right) goes back
    to the page without ``format`` with the reason."""
    try:
        return make()
    except CivicError as exc:
        messages.error(request, exc.message)
        query = request.GET.copy()
        query.pop("format", None)
        return redirect(f"{request.path}?{query.urlencode()}" if query else request.path)


@login_required
def people(request: HttpRequest) -> HttpResponse:
    require_any(request.user, MANAGE)
    params = request.GET
    team = params.get("team", "")
    qs = selectors.volunteer_search(
        request.user,
        q=params.get("q", ""),
        status=params.get("status", ""),
        kind=params.get("kind", ""),
        team=pk_or_none(team),
        skill=params.get("skill", ""),
    )
    if params.get("format") == "xlsx":
        filters = {k: params.get(k, "") for k in ("q", "status", "kind", "team", "skill")}
        return _sheet_or_back(request, lambda: exports.volunteers_xlsx(request.user, qs, filters))
    return render(
        request,
        "volunteers/people.html",
        {
            "page": paginate(request, qs),
            "params": params,
            "query": query_without_page(request),
            "statuses": VolunteerStatus.choices,
            "kinds": VolunteerKind.choices,
            "teams": selectors.teams_visible(request.user).order_by("node_path", "colour"),
            "skills": Skill.objects.all(),
        },
    )


@login_required
def person(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = selectors.volunteer_get(request.user, pk)
    context = card_context(volunteer) | {
        "can_reveal": may_reveal(request.user, volunteer.resident),
        "movements_url": points_link.account_url(request.user, volunteer.resident),
    }
    return render(request, "volunteers/person.html", context)


CARD_MOVEMENTS = 15  # the card's latest movements; the full list is a link away


def card_context(volunteer: Volunteer) -> dict[str, Any]:
    """What the volunteer card shows (staff page and H5): profile, hours, points, history."""
    resident = volunteer.resident
    return {
        "volunteer": volunteer,
        "memberships": volunteer.memberships.select_related("team"),
        "skills": volunteer.skills.all(),
        "points": points_link.balance(resident),
        "time_bank": points_link.time_bank_hours(resident),
        "movements": points_link.movements(resident, limit=CARD_MOVEMENTS),
        "movements_total": points_link.movement_count(resident),
        "signups": selectors.my_signups(volunteer)[:20],
        "orders": selectors.orders_taken_by(resident).select_related("community")[:20],
        "age": age_on(resident, timezone.localdate()),
        "minor": is_minor(resident),
        "consent": consent_masked(volunteer.guardian_consent),
    }


@login_required
def register(request: HttpRequest) -> HttpResponse:
    """Find the resident in the registry, then fill in the volunteer's details."""
    require_any(request.user, MANAGE)
    resident_id = request.GET.get("resident") or request.POST.get("resident")
    resident_pk = pk_or_none(str(resident_id or ""))
    if resident_pk is None:
        q = request.GET.get("q", "").strip()
        found = resident_search(request.user, q=q).filter(volunteer__isnull=True)[:30] if q else []
        return render(request, "volunteers/register_search.html", {"q": q, "found": found})
    resident = resident_get(request.user, resident_pk)
    home = services.volunteers.community_of(resident.node, "resident")
    form = RegisterForm(
        request.POST if request.method == "POST" else None,
        areas=areas(request.user, home).exclude(pk=home.pk),  # the community is 整个社区
        teams=Team.objects.filter(node=home, is_active=True),
        organisations=organisations_visible(request.user).order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            volunteer = services.volunteer_register(
                actor=request.user,
                resident=resident,
                kind=data["kind"],
                service_area=data["service_area"],
                organisation=data["organisation"],
                skills=[s.code for s in data["skills"]],
                availability=data["availability"],
                intro=data["intro"],
                teams=list(data["teams"]),
                guardian_consent=data["guardian_consent"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已登记志愿者 {name}").format(name=resident.name))
            return redirect("volunteers:person", volunteer.pk)
    return render(
        request,
        "volunteers/register.html",
        {"form": form, "resident": resident, "home": home},
        status=form_status(form),
    )


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = selectors.volunteer_get(request.user, pk)
    what = request.POST.get("decision", "")
    note = request.POST.get("note", "")
    back = within_site(
        request,
        request.POST.get("back") or request.META.get("HTTP_REFERER"),
        reverse("volunteers:person", args=[pk]),
    )
    if what == "suspend":
        return act(
            request,
            lambda: services.volunteer_suspend(actor=request.user, volunteer=volunteer, note=note),
            _("已暂停 {volunteer}").format(volunteer=volunteer),
            back,
        )
    approve = what == "approve"
    return act(
        request,
        lambda: services.volunteer_decide(
            actor=request.user, volunteer=volunteer, approve=approve, note=note
        ),
        (_("{volunteer}：已通过") if approve else _("{volunteer}：未通过")).format(volunteer=volunteer),
        back,
    )


@login_required
@require_POST
def consent(request: HttpRequest, pk: int) -> HttpResponse:
    """The community records a minor volunteer's guardian's consent (who agreed and how)."""
    volunteer = selectors.volunteer_get(request.user, pk)
    return act(
        request,
        lambda: services.volunteer_update(
            actor=request.user,
            volunteer=volunteer,
            guardian_consent=request.POST.get("guardian_consent", ""),
        ),
        _("{volunteer}：已登记监护人同意").format(volunteer=volunteer),
        reverse("volunteers:person", args=[pk]),
    )


@login_required
@require_POST
def consent_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The full consent with the guardian's phone, for staff who may see PII; audited."""
    volunteer = selectors.volunteer_get(request.user, pk)
    clear = services.volunteer_consent_reveal(actor=request.user, volunteer=volunteer)
    return render(request, "registry/_revealed.html", {"clear": {"guardian_consent": clear}})


# --- teams ----------------------------------------------------------------------------------------


@login_required
def teams(request: HttpRequest) -> HttpResponse:
    require_any(request.user, MANAGE)
    mine = communities(request.user)
    form = TeamForm(request.POST if request.method == "POST" else None, communities=mine)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            team = services.team_create(
                actor=request.user,
                community=data["community"],
                name=data["name"],
                colour=data["colour"],
                duties=data["duties"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已建立 {name}").format(name=team.name))
            return redirect("volunteers:team", team.pk)
    rows = list(selectors.teams_with_counts(request.user)[:300])
    with_colours = {t.node_id for t in rows if t.colour != TeamColour.OTHER}
    return render(
        request,
        "volunteers/teams.html",
        {
            "teams": rows,
            "form": form,
            "missing_colours": [c for c in mine[:100] if c.pk not in with_colours],
        },
        status=form_status(form),
    )


@login_required
@require_POST
def team_colours(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("community", "")
    community_pk = pk_or_none(raw)
    community = node_get(request.user, community_pk) if community_pk is not None else None
    if community is None:
        raise NotFound(_("请选择社区"))
    return act(
        request,
        lambda: services.teams_create_colours(actor=request.user, community=community),
        _("已为{name}建立五色志愿服务队").format(name=community.name),
        "/volunteers/teams/",
    )


@login_required
def team(request: HttpRequest, pk: int) -> HttpResponse:
    found = staff_team(request.user, pk)
    back = f"/volunteers/teams/{pk}/"
    if request.method == "POST":
        raw = request.POST.get("volunteer", "")
        volunteer_pk = pk_or_none(raw)
        if volunteer_pk is None:
            messages.error(request, _("请选择志愿者"))
            return redirect("volunteers:team", pk)
        volunteer = staff_volunteer(request.user, volunteer_pk)
        if request.POST.get("remove"):
            return act(
                request,
                lambda: services.team_member_remove(actor=request.user, team=found, volunteer=volunteer),
                _("已将{volunteer}移出").format(volunteer=volunteer),
                back,
            )
        leader = bool(request.POST.get("is_leader"))
        return act(
            request,
            lambda: services.team_member_add(
                actor=request.user, team=found, volunteer=volunteer, is_leader=leader
            ),
            _("已将{volunteer}加入{name}").format(volunteer=volunteer, name=found.name),
            back,
        )
    members = found.members.select_related("volunteer__resident").order_by("-is_leader", "joined_at")
    candidates = (
        Volunteer.objects.filter(community=found.node, status=VolunteerStatus.APPROVED)
        .exclude(memberships__team=found)
        .select_related("resident")
        .order_by("resident__name")[:300]
    )
    return render(
        request, "volunteers/team.html", {"team": found, "members": members, "candidates": candidates}
    )


# --- activities -----------------------------------------------------------------------------------


@login_required
def activities(request: HttpRequest) -> HttpResponse:
    require_any(request.user, MANAGE)
    status = request.GET.get("status", "")
    when = request.GET.get("when", "")
    qs = selectors.activity_list(request.user, status=status, when=when)
    return render(
        request,
        "volunteers/activities.html",
        {
            "page": paginate(request, qs),
            "params": request.GET,
            "query": query_without_page(request),
            "statuses": ActivityStatus.choices,
        },
    )


@login_required
def activity_new(request: HttpRequest) -> HttpResponse:
    """Publish an activity: staff for their places, a team leader for their team (in the
    team's community or below); the service checks again who may publish what."""
    led = led_teams(request.user)
    if not led.exists():
        require_any(request.user, MANAGE)
    start = (timezone.localtime() + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    nodes = Node.objects.filter(
        Q(pk__in=areas(request.user).values("pk"))
        | Q(pk__in=leader_areas(request.user).filter(kind__in=AREA_KINDS).values("pk"))
    )
    teams = Team.objects.filter(
        Q(pk__in=selectors.teams_visible(request.user).filter(is_active=True).values("pk"))
        | Q(pk__in=led.values("pk"))
    )
    form = ActivityForm(
        request.POST if request.method == "POST" else None,
        nodes=nodes.order_by("path"),
        teams=teams.select_related("node").order_by("node_path", "colour"),
        initial={
            "starts_at": start,
            "ends_at": start + timedelta(hours=3),
            **({"team": led.first()} if not is_staff_somewhere(request.user) else {}),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with once.guard(request):
                activity = services.activity_publish(
                    actor=request.user,
                    data=services.NewActivity(
                        node=data["node"],
                        title=data["title"],
                        place=data["place"],
                        starts_at=data["starts_at"],
                        ends_at=data["ends_at"],
                        quota=data["quota"],
                        service_type=data["service_type"],
                        difficulty=data["difficulty"],
                        description=data["description"],
                        skills=tuple(s.code for s in data["skills"]),
                        team=data["team"],
                    ),
                )
        except once.Repeated:
            return once.repeated(request, "volunteers:activities")
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已发布活动「{title}」").format(title=activity.title))
            return redirect("volunteers:activity", activity.pk)
    return render(request, "volunteers/activity_new.html", {"form": form}, status=form_status(form))


def _minute_or_stored(posted: Any, stored: Any) -> Any:
    """The form keeps minutes only: a time posted as it was shown is the stored one (with its
    seconds), not a change that would tell every volunteer of a new time."""
    if posted is not None and posted == stored.replace(second=0, microsecond=0):
        return stored
    return posted


@login_required
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """编辑 a published activity (the organiser): the form carries the version it was read
    at, so a change made meanwhile by someone else is refused (409) instead of overwritten."""
    found = selectors.activity_get(request.user, pk)  # staff of the place or the team's leader
    if not is_organiser(request.user, found):
        raise PermissionDenied(_("您无权修改该活动"))
    if found.status != ActivityStatus.PUBLISHED:
        messages.error(request, _("活动{label}，不能修改").format(label=ActivityStatus(found.status).label))
        return redirect("volunteers:activity", pk)
    version = found.version
    form = ActivityEditForm(
        request.POST if request.method == "POST" else None, initial=ActivityEditForm.initial_of(found)
    )
    status = 200
    if request.method == "POST":
        posted = pk_or_none(request.POST.get("version", "").strip())
        version = posted or found.version
        if posted is None:
            form.add_error(None, _("版本号无效，请刷新页面后再试"))
            status = 422
        elif form.is_valid():
            data = form.cleaned_data
            try:
                services.activity_update(
                    actor=request.user,
                    activity_id=found.pk,
                    version=posted,
                    title=data["title"],
                    place=data["place"],
                    starts_at=_minute_or_stored(data["starts_at"], found.starts_at),
                    ends_at=_minute_or_stored(data["ends_at"], found.ends_at),
                    quota=data["quota"],
                    service_type=data["service_type"],
                    difficulty=data["difficulty"],
                    skills=[s.code for s in data["skills"]],
                    description=data["description"],
                )
            except Conflict as exc:
                form.add_error(None, exc.message)
                status = 409
            except ValidationError as exc:
                form_errors(form, exc)
                status = 422
            else:
                messages.success(request, _("已保存活动「{title}」的修改").format(title=data["title"]))
                return redirect("volunteers:activity", pk)
        else:
            status = 422
    return render(
        request,
        "volunteers/activity_edit.html",
        {"activity": found, "form": form, "version": version},
        status=status,
    )


def scan_url(request: HttpRequest, activity: Activity) -> str:
    from django.urls import reverse

    return public_base_url(request) + reverse("volunteers:h5_scan", args=[activity.pk, activity.check_code])


@login_required
def activity(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.activity_get(request.user, pk)
    if request.GET.get("format") == "xlsx":
        return _sheet_or_back(request, lambda: exports.signin_sheet_xlsx(request.user, found))
    rows = signups_of(found)
    by_status: dict[str, list[Any]] = {}
    for s in rows:
        by_status.setdefault(s.status, []).append(s)
    present = {s.volunteer_id for s in rows}
    walk_ins = (
        Volunteer.objects.filter(community=found.community, status=VolunteerStatus.APPROVED)
        .exclude(pk__in=present)
        .select_related("resident")
        .order_by("resident__name")[:300]
    )
    return render(
        request,
        "volunteers/activity.html",
        {
            "activity": found,
            "signups": rows,
            "holding": [s for s in rows if s.status not in (SignupStatus.WAITLISTED, SignupStatus.CANCELLED)],
            "waiting": by_status.get(SignupStatus.WAITLISTED, []),
            "cancelled": by_status.get(SignupStatus.CANCELLED, []),
            "walk_ins": walk_ins,
            "qr": qr_svg(scan_url(request, found), label=_("扫码签到签退")),
            "scan_url": scan_url(request, found),
            "skills": found.skills.all(),
            "now": timezone.now(),
            "edit_form": (
                ActivityEditForm(initial=ActivityEditForm.initial_of(found))
                if found.status == ActivityStatus.PUBLISHED and is_organiser(request.user, found)
                else None
            ),
        },
    )


@login_required
def activity_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The poster for the venue: a big QR code to scan for check-in and check-out."""
    found = selectors.activity_get(request.user, pk)
    return render(
        request,
        "volunteers/activity_qr.html",
        {"activity": found, "qr": qr_svg(scan_url(request, found), label=_("扫码签到签退"))},
    )


@login_required
@require_POST
def activity_act(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.activity_get(request.user, pk)
    what = request.POST.get("action", "")
    back = f"/volunteers/activities/{pk}/"
    raw = request.POST.get("volunteer", "")
    volunteer = None
    volunteer_pk = pk_or_none(raw)
    if volunteer_pk is not None:
        volunteer = (
            Volunteer.objects.select_related("resident")
            .filter(pk=volunteer_pk)
            .filter(Q(signups__activity=found) | Q(community=found.community))
            .distinct()
            .first()
        )
        if volunteer is None:
            messages.error(request, _("志愿者不存在或不属于本社区"))
            return redirect("volunteers:activity", pk)
    actor = request.user
    calls: dict[str, tuple[Callable[[], Any], str | Callable[[Any], str]]] = {
        "check_in": (
            lambda: services.activity_check_in(actor=actor, activity=found, volunteer=volunteer),
            _("{volunteer} 已签到").format(volunteer=volunteer),
        ),
        "check_out": (
            lambda: services.activity_check_out(actor=actor, activity=found, volunteer=volunteer),
            _("{volunteer} 已签退").format(volunteer=volunteer),
        ),
        "signup": (
            lambda: services.activity_signup(actor=actor, activity=found, volunteer=volunteer),
            lambda signup: (
                _("名额已满，{volunteer}已进入候补，有人取消时自动递补")
                if signup.status == SignupStatus.WAITLISTED
                else _("已为{volunteer}报名")
            ).format(volunteer=volunteer),
        ),
        "cancel_signup": (
            lambda: services.activity_signup_cancel(actor=actor, activity=found, volunteer=volunteer),
            _("已取消{volunteer}的报名").format(volunteer=volunteer),
        ),
        "close": (lambda: services.activity_close(actor=actor, activity=found), _("活动已结束，缺席已记录")),
        "cancel": (
            lambda: services.activity_cancel(
                actor=actor, activity=found, reason=request.POST.get("reason", "")
            ),
            _("活动已取消，已通知报名的志愿者"),
        ),
    }
    if what not in calls or (what not in ("close", "cancel") and volunteer is None):
        messages.error(request, _("请选择操作和志愿者"))
        return redirect("volunteers:activity", pk)
    call, done = calls[what]
    return act(request, call, done, back)


# --- report ---------------------------------------------------------------------------------------


@login_required
def report(request: HttpRequest) -> HttpResponse:
    require_any(request.user, Capability.TERRITORY_VIEW)
    raw = request.GET.get("under", "")
    under_pk = pk_or_none(raw)
    under = node_get(request.user, under_pk) if under_pk is not None else None
    period = request.GET.get("period", "all")
    if period not in selectors.REPORT_PERIOD_DAYS:
        period = "all"  # an unknown period in the address: 累计, as the points leaderboard does
    now = timezone.now()
    # one period for every figure of the page: the rolling days chosen (not a calendar month)
    since = selectors.report_since(period, now)
    rows = selectors.report_rows(request.user, under=under, since=since)
    total = selectors.figures_for(request.user, under=under, since=since)
    board_node = under or (rows[0].community if len(rows) == 1 else None)
    leaders = points_link.leaderboard(
        board_node or _top(request.user), (since, now + timedelta(minutes=1)) if since else "all"
    )
    labels = {"all": _("累计"), "month": _("近30天"), "quarter": _("近一季度"), "year": _("近一年")}
    return render(
        request,
        "volunteers/report.html",
        {
            "rows": rows,
            "under": under,
            "period": period,
            "period_label": labels[period],
            "since": timezone.localtime(since) if since else None,
            "total": total,
            "leaders": leaders,
        },
    )


def _top(actor: Any) -> Node:
    from civicgrid.territory.selectors import node_roots

    root = node_roots(actor).first()
    if root is None:
        raise NotFound(_("没有可统计的区域"))
    return root
