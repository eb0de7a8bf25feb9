"""Pages of proactive governance: hot issues (with a map), monthly topics, solve before asked,
governance-priority subdistricts and spike alerts. Every list is cut to GOVERNANCE_VIEW."""

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, F, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.accounts.models import Role, RoleAssignment, User
from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can, has_capability, require, require_any
from civicgrid.core.errors import Conflict, PermissionDenied, ValidationError
from civicgrid.core.i18n import StrOrPromise
from civicgrid.core.pagination import paginate, query_without_page
from civicgrid.core.validators import typed_day
from civicgrid.core.views_forms import act, labelled, unlabelled
from civicgrid.exchange.exports import attachment
from civicgrid.governance import figures, listing, selectors, services
from civicgrid.governance.forms import FIELD_LABELS, TaskForm
from civicgrid.governance.hot import _bounds, compared, hot_issues_compute, hot_issues_preview
from civicgrid.governance.models import AlertStatus, ProposalStatus, TaskStatus, Topic, TopicStatus
from civicgrid.governance.seasonal import priority_month, priority_subdistricts
from civicgrid.property.services.common import whole
from civicgrid.requests.forms import add_service_errors
from civicgrid.requests.models import HandlingUnit, Request
from civicgrid.requests.permissions import shown_text, unit_ids
from civicgrid.requests.rates.access import asked_period
from civicgrid.requests.rates.cells import current_month
from civicgrid.requests.rates.exports import XLSX, priority_xlsx
from civicgrid.requests.rates.figures import Period, add_months, parse_month, parse_range
from civicgrid.requests.selectors import requests_visible
from civicgrid.territory.models import Node

# Fields of the topic form that show their own errors (others are listed above the form).
TOPIC_FORM_FIELDS = ("title", "month", "leading_official", "lead_unit", "assisting_units", "category_prefix")
LIVE_LIMIT = 50_000  # above this many requests the page computes in the background
V = Capability.GOVERNANCE_VIEW
M = Capability.TOPIC_MANAGE


def _int(raw: str | None, field: str, label: str) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not raw.isdecimal():
        raise ValidationError(_("{label}参数无效").format(label=label), field=field)
    return int(raw)


def _period(request: HttpRequest) -> Period:
    """The month (this one by default) or range of days asked for, as on the rates pages:
    a range of at most three years, a month or range begun by today (``asked_period``)."""
    return asked_period(
        request.GET.get("month", ""), request.GET.get("start", ""), request.GET.get("end", "")
    )


def _recompute_period(request: HttpRequest) -> Period:
    """The range the 计算并保存 button posts: both days required, checked as on the page."""
    start, end = request.POST.get("start", "").strip(), request.POST.get("end", "").strip()
    if not (start and end):
        parse_range(start, end)  # names the missing day
    return asked_period("", start, end)


def _map_points(issues: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "lon": i.lon,
            "lat": i.lat,
            "count": i.count,
            "label": _("#{rank} {name} {title}（{count}件）").format(
                rank=i.rank, name=i.node.name, title=i.title, count=i.count
            ),
            "url": reverse("governance:hot_issue", args=[i.pk]) if i.pk else "",
        }
        for i in issues
        if i.lon is not None and i.lat is not None
    ]


def _outline(user: Any, node: Node) -> str:
    """The grid outlines under ``node`` (the map needs no tiles to show where things are)."""
    if not can(user, Capability.TERRITORY_VIEW, node.path):
        return ""
    return reverse("territory:geojson", args=[node.pk])


def _in_scope_count(node: Node, period: Period) -> int:
    start, end = _bounds(period)
    return Request.objects.filter(
        node_path__startswith=node.path, received_at__gte=start, received_at__lt=end
    ).count()


@login_required
def hot_page(request: HttpRequest) -> HttpResponse:
    """Read-only: the latest stored run of the node and period, or else a preview computed
    on the spot and stored nowhere (a crawler, a prefetch or a refresh writes nothing).
    Saving a run for the record is the POST of ``hot_recompute``. A bad filter is said above
    the form (422) and the page shows the default node or month instead, as the rates page
    does; a node the reader may not see is a 404."""
    user = request.user
    refused: list[str] = []
    try:
        node_pk = _int(request.GET.get("node"), "node", _("区域"))
    except ValidationError as exc:
        refused.append(unlabelled(exc))
        node_pk = None
    node = selectors.node_for(user, node_pk)
    try:
        period = _period(request)
    except ValidationError as exc:
        refused.append(unlabelled(exc))
        period = Period.month(current_month())
    return _hot_page(request, node, period, "；".join(refused))


def _received_since(node: Node, period: Period, since: Any) -> int:
    """Requests under ``node`` received in ``period`` after ``since`` (a stored run's time):
    what the run has not counted."""
    start, end = _bounds(period)
    return Request.objects.filter(
        node_path__startswith=node.path, received_at__gte=max(start, since), received_at__lt=end
    ).count()


def _hot_page(request: HttpRequest, node: Node, period: Period, refused: str = "") -> HttpResponse:
    user = request.user
    run = selectors.latest_run(node, period)
    too_large = preview = False
    issues: list[Any] = []
    if run is not None:
        issues = list(selectors.run_issues(user, run))
    elif _in_scope_count(node, period) <= LIVE_LIMIT:
        run, issues = hot_issues_preview(actor=user, node=node, period=period)
        preview = True
    else:
        too_large = True
    params = request.GET if request.method == "GET" else request.POST
    raw_month = params.get("month", "").strip()
    elapsed, previous = compared(run, period)
    context = {
        "node": node,
        "period": period,
        "elapsed": elapsed,
        "elapsed_days": (elapsed.end - elapsed.start).days + 1,
        "previous": previous,
        "run": run,
        "preview": preview,
        "received_since": _received_since(node, period, run.created_at) if run and not preview else 0,
        "issues": issues,
        "points": _map_points(issues),
        "too_large": too_large,
        "nodes": selectors.nodes_visible(user)[:2000],
        # What was typed stays in the form when it was refused, to be put right.
        "month_value": raw_month
        if refused and raw_month
        else (f"{period.start:%Y-%m}" if period.whole_month else ""),
        "params": params,
        "can_manage": can(user, M, node.path),
        "geojson_url": _outline(user, node),
        "refused": refused,
    }
    return render(request, "governance/hot.html", context, status=422 if refused else 200)


@login_required
@require_POST
def hot_recompute(request: HttpRequest) -> HttpResponse:
    """Compute and store a run (audited); an area above ``LIVE_LIMIT`` requests in the period
    is computed by the ``hot_issues`` task instead. A range the page would refuse (over three
    years, not begun, end before start) is refused before anything is computed or stored:
    the hot page of the node comes back with the reason above its form (422). Saving takes
    ``TOPIC_MANAGE`` at the node (as ``hot_issues_compute``), checked before anything is
    computed or queued: readers with ``GOVERNANCE_VIEW`` only (a department's or an
    enterprise's handler on the district) are refused (403)."""
    node = selectors.node_for(request.user, _int(request.POST.get("node"), "node", _("区域")))
    require(request.user, M, node.path)
    try:
        period = _recompute_period(request)
    except ValidationError as exc:
        return _hot_page(request, node, Period.month(current_month()), unlabelled(exc))
    if _in_scope_count(node, period) > LIVE_LIMIT:
        from civicgrid.governance.tasks import hot_issues

        hot_issues.enqueue(node.pk, str(period.start), str(period.end))
        messages.success(request, _("该区域本期诉求量大，热点已转入后台计算，请稍后刷新本页。"))
    else:
        hot_issues_compute(actor=request.user, node=node, period=period)
        messages.success(request, _("已计算并保存热点"))
    return redirect(f"{reverse('governance:hot')}?node={node.pk}&start={period.start}&end={period.end}")


@login_required
def hot_issue_page(request: HttpRequest, pk: int) -> HttpResponse:
    issue = selectors.hot_issue_get(request.user, pk)
    rows = list(selectors.issue_requests(issue))
    points = [
        # The map's labels mask as the table does (permissions.shown_text).
        {
            "lon": r.lon,
            "lat": r.lat,
            "count": 1,
            "label": f"{r.number} {shown_text(request.user, r, 'title')}",
            "url": "",
        }
        for r in rows
        if r.lon is not None and r.lat is not None
    ]
    context = {
        "issue": issue,
        "requests": rows,
        "points": points,
        "topics": issue.topics.all(),
        "geojson_url": _outline(request.user, services.place_of(issue.node)),
        "can_manage": can(request.user, M, issue.node_path),
        # A handler sees the hot issue, not each request in it: link only those they may open.
        "openable": set(
            requests_visible(request.user).filter(pk__in=[r.pk for r in rows]).values_list("pk", flat=True)
        ),
    }
    return render(request, "governance/hot_issue.html", context)


# Monthly topics ------------------------------------------------------------------------------


def _require_reader(user: Any) -> None:
    """GOVERNANCE_VIEW somewhere, or membership of a unit (which sees its tasks and topics
    wherever they lie, ``selectors.tasks_visible``)."""
    if not unit_ids(user):
        require_any(user, V)


def _filters(
    request: HttpRequest, statuses: type[Any], *, with_unit: bool = False
) -> tuple[listing.Filters, dict[str, Any]]:
    """The list's filters from the query string and what its form needs: the values as typed
    (kept when refused), the refused fields and their reasons, the pager's query."""
    found, errors = listing.read_filters(request.user, request.GET, statuses=statuses, with_unit=with_unit)
    context = {
        "params": request.GET,
        "statuses": statuses.choices,
        "nodes": selectors.nodes_visible(request.user)[:2000],
        "filter_units": _units() if with_unit else [],
        "filter_errors": errors,
        "refused": "；".join(r for reasons in errors.values() for r in reasons),
        "query": query_without_page(request),
    }
    return found, context


def _status(context: dict[str, Any]) -> int:
    return 422 if context["filter_errors"] else 200


@login_required
def topics_page(request: HttpRequest) -> HttpResponse:
    _require_reader(request.user)
    found, context = _filters(request, TopicStatus)
    topics = listing.apply(selectors.topics_visible(request.user), found, day="month")
    page = paginate(request, topics.prefetch_related("tasks", "assisting_units"))
    context |= {"page": page, "topics": page.object_list, "day_label": _("所属")}
    return render(request, "governance/topics.html", context, status=_status(context))


def leaders_for(node: Node) -> list[User]:
    """Users whose leader role covers the node (candidates for the leading official)."""
    found = RoleAssignment.objects.filter(role=Role.LEADER, node__is_active=True, user__is_active=True)
    users = {a.user for a in found.select_related("user", "node") if node.path.startswith(a.node.path)}
    return sorted(users, key=lambda u: u.username)


def _units() -> list[HandlingUnit]:
    return list(HandlingUnit.objects.filter(is_active=True).order_by("kind", "code"))


def _topic_data(request: HttpRequest, node: Node, hot: Any) -> services.TopicData:
    post = request.POST
    lead_id = _int(post.get("lead_unit"), "lead_unit", _("牵头单位"))
    official_id = _int(post.get("leading_official"), "leading_official", _("牵头领导"))
    assisting_ids = [int(x) for x in post.getlist("assisting_units") if x.isdecimal()]
    raw_month = post.get("month", "").strip()
    return services.TopicData(
        title=post.get("title", ""),
        month=parse_month(raw_month, field="month") if raw_month else current_month(),
        leading_official=User.objects.filter(pk=official_id).first() if official_id else None,
        lead_unit=HandlingUnit.objects.filter(pk=lead_id).first() if lead_id else None,
        node=node,
        description=post.get("description", ""),
        plan=post.get("plan", ""),
        assisting_units=list(HandlingUnit.objects.filter(pk__in=assisting_ids)),
        category_prefix=post.get("category_prefix", ""),
        keywords=[k for k in post.get("keywords", "").replace("，", ",").split(",") if k.strip()],
        hot_issue=hot,
    )


@login_required
def topic_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_any(user, M)
    hot_id = _int(request.GET.get("hot") or request.POST.get("hot"), "hot", _("热点"))
    hot = selectors.hot_issue_get(user, hot_id) if hot_id else None
    if hot is not None:
        initial = services.topic_from_hot_issue(hot)
        node = hot.node
    else:
        node = selectors.node_for(
            user, _int(request.GET.get("node") or request.POST.get("node"), "node", _("区域"))
        )
        initial = {"title": "", "month": current_month(), "node": node, "keywords": [], "category_prefix": ""}
    errors: dict[str, list[str]] = {}
    assisting: list[int] = []
    if request.method == "POST":
        try:
            topic = services.topic_create(actor=user, data=_topic_data(request, node, hot))
        except ValidationError as exc:
            errors = exc.errors or {"": [exc.message]}
            keywords = request.POST.get("keywords", "").replace("，", ",").split(",")
            initial = {**initial, **request.POST.dict(), "keywords": [k for k in keywords if k.strip()]}
            assisting = [int(x) for x in request.POST.getlist("assisting_units") if x.isdecimal()]
        else:
            messages.success(request, _("已立项为每月一题"))
            return redirect("governance:topic", pk=topic.pk)
    context = {
        "hot": hot,
        "node": node,
        "initial": initial,
        "errors": errors,
        "other_errors": [
            f"{FIELD_LABELS[name]}：{r}" if name in FIELD_LABELS else r
            for name, reasons in errors.items()
            if name not in TOPIC_FORM_FIELDS
            for r in reasons
        ],
        "assisting": assisting,
        "units": _units(),
        "leaders": leaders_for(node),
        "month_value": f"{initial['month']:%Y-%m}"
        if isinstance(initial.get("month"), date)
        else initial.get("month"),
    }
    return render(request, "governance/topic_new.html", context, status=422 if errors else 200)


def _trend_chart(trend: list[selectors.MonthCount]) -> dict[str, Any]:
    return {
        "months": [f"{m.month:%Y-%m}" for m in trend],
        "counts": [m.count for m in trend],
        "after": [m.after for m in trend],
    }


@login_required
def topic_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _topic_page(request, selectors.topic_get(request.user, pk), TaskForm())


def _topic_page(
    request: HttpRequest,
    topic: Topic,
    task_form: TaskForm,
    status: int = 200,
    *,
    plan_refused: str = "",
) -> HttpResponse:
    """The topic; after a refused save of its plan (a stale version, too long) the plan and
    status as typed, with the reason above them."""
    trend = selectors.topic_trend(topic)
    before = [m.count for m in trend if not m.after]
    after = [m.count for m in trend if m.after]
    typed = request.method == "POST" and bool(plan_refused)
    context = {
        "topic": topic,
        "tasks": [
            (t, services.may_report(request.user, t))
            for t in topic.tasks.select_related("unit").order_by("deadline", "id")
        ],
        "trend": trend,
        "chart": _trend_chart(trend),
        "before_avg": sum(before) / len(before) if before else None,
        "after_avg": sum(after) / len(after) if after else None,
        "can_manage": can(request.user, M, topic.node_path),
        "closed": topic.status in services.CLOSED_TOPIC_STATUSES,
        "units": _units(),
        "statuses": TopicStatus.choices,
        "today": timezone.localdate(),
        "task_form": task_form,
        "plan_max": services.PLAN_MAX,
        "plan_value": request.POST.get("plan", "") if typed else topic.plan,
        "status_value": (request.POST.get("status") or topic.status) if typed else topic.status,
        "plan_refused": plan_refused,
    }
    return render(request, "governance/topic.html", context, status=status)


@login_required
@require_POST
def topic_update(request: HttpRequest, pk: int) -> HttpResponse:
    """A refused save (someone saved the topic since it was opened: 409; a plan too long, a
    bad status: 422) comes back on the topic's page with the plan as typed and the reason;
    the version stays the one read, so saving again needs the page reloaded on a conflict."""
    topic = selectors.topic_get(request.user, pk)
    try:
        services.topic_update(
            actor=request.user,
            topic=topic,
            plan=request.POST.get("plan"),
            status=request.POST.get("status") or None,
            expected_version=_int(request.POST.get("version"), "version", _("版本")),
        )
    except (Conflict, ValidationError) as exc:
        reason = labelled(exc, FIELD_LABELS) if isinstance(exc, ValidationError) else exc.message
        if isinstance(exc, Conflict):
            reason = _("{reason}。您填写的内容保留在下方，可复制后刷新页面再保存。").format(reason=reason)
        return _topic_page(request, topic, TaskForm(), status=exc.http_status, plan_refused=reason)
    messages.success(request, _("已保存"))
    return redirect("governance:topic", pk=pk)


def _date(raw: str, field: str, label: StrOrPromise) -> date | None:
    return typed_day(raw, field=field, label=label) if raw.strip() else None


@login_required
@require_POST
def task_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A refused task comes back on the topic's page with what was typed and the reasons."""
    topic = selectors.topic_get(request.user, pk)
    form = TaskForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            unit = None
            if data["unit"] is not None:
                unit = HandlingUnit.objects.filter(pk=data["unit"]).first()
                if unit is None:
                    raise ValidationError(_("责任单位不存在"), field="unit")
            services.task_add(
                actor=request.user,
                topic=topic,
                title=data["title"],
                deadline=data["deadline"],
                unit=unit,
                description=data["description"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已添加任务"))
            return redirect("governance:topic", pk=pk)
    return _topic_page(request, topic, form, status=422)


@login_required
@require_POST
def task_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """Progress as the property forms read numbers (full-width digits too, ``whole``); a
    refusal goes back to the page with the progress and note as typed (``act``, kept form).
    Someone who may not report is refused with the 403 page, as the service says."""
    task = selectors.task_get(request.user, pk)
    if not services.may_report(request.user, task):
        raise PermissionDenied(_("您无权更新该任务的进度"))
    raw = request.POST.get("progress") or ""
    # "-1", "50.5", "abc" and "" alike go to the service as out of range, which words it.
    errors: dict[str, list[str]] = {}
    number = whole(errors, "progress", raw, FIELD_LABELS["progress"], minimum=0, maximum=100)
    progress = -1 if errors or not raw.strip() else number
    fallback = (
        reverse("governance:topic", args=[task.topic_id]) if task.topic_id else reverse("governance:planned")
    )
    target = request.POST.get("next", "")
    back = target if target.startswith("/governance/") else fallback
    return act(
        request,
        lambda: services.task_progress(
            actor=request.user, task=task, progress=progress, note=request.POST.get("note", "")
        ),
        _("已更新进度"),
        back,
        labels=FIELD_LABELS,
    )


@login_required
def tasks_page(request: HttpRequest) -> HttpResponse:
    """The tasks in progress the home page counts (超期的治理任务): of topics in progress and
    planned ahead, overdue first; or, filtered by status 已完成, the tasks done. Paged, with
    the area, unit, and month or days of the deadline as filters."""
    user = request.user
    _require_reader(user)
    today = timezone.localdate()
    found, context = _filters(request, TaskStatus, with_unit=True)
    if found.status == TaskStatus.DONE:
        tasks = selectors.tasks_visible(user).filter(status=TaskStatus.DONE)
    else:
        tasks = figures.open_tasks(user)
    tasks = listing.apply(tasks, found, day="deadline").order_by("deadline", "id")
    page = paginate(request, tasks)
    context |= {
        "page": page,
        "tasks": [(t, services.may_report(user, t)) for t in page.object_list],
        "count": page.paginator.count,
        "overdue": tasks.filter(status=TaskStatus.OPEN, deadline__lt=today).count(),
        "today": today,
        "day_label": _("完成时限"),
    }
    return render(request, "governance/tasks.html", context, status=_status(context))


# Solve before asked ---------------------------------------------------------------------------


TASKS_PAGE = "tasks_page"  # the planned page's second pager: its tasks


@login_required
def planned_page(request: HttpRequest) -> HttpResponse:
    """Proposals to decide, planned tasks, and the proposals decided (paged); the area and
    the month or days of the season's start (a task's deadline) filter all three, the status
    the proposals."""
    user = request.user
    require_any(user, V)
    found, context = _filters(request, ProposalStatus)
    proposals = listing.apply(selectors.proposals_visible(user), found, day="season_start")
    tasks = selectors.tasks_visible(user).filter(topic__isnull=True)
    tasks = listing.apply(
        tasks, listing.Filters(node=found.node, start=found.start, end=found.end), day="deadline"
    )
    page = paginate(request, proposals.exclude(status=ProposalStatus.PROPOSED).order_by("-decided_at", "-id"))
    # the tasks paged on their own (?tasks_page=): the open ones first, by deadline, then the
    # done ones, the latest first (they pile up season after season)
    done = Case(When(status=TaskStatus.DONE, then=1), default=0)
    tasks = tasks.select_related("node", "unit").annotate(done=done)
    open_by_deadline = Case(When(done=0, then=F("deadline"))).asc(nulls_last=True)
    ordered = tasks.order_by("done", open_by_deadline, "-deadline", "-id")
    task_page = paginate(request, ordered, param=TASKS_PAGE)
    context |= {
        "proposed": proposals.filter(status=ProposalStatus.PROPOSED),
        "page": page,
        "decided": page.object_list,
        "task_page": task_page,
        "task_param": TASKS_PAGE,
        "task_query": query_without_page(request, param=TASKS_PAGE),
        "tasks": [(t, services.may_report(user, t)) for t in task_page.object_list],
        "units": _units(),
        "can_manage": has_capability(user, M),
        "today": timezone.localdate(),
        "day_label": _("季节开始"),
    }
    return render(request, "governance/planned.html", context, status=_status(context))


@login_required
@require_POST
def proposal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get(request.user, pk)
    try:
        if request.POST.get("decision") == "dismiss":
            services.proposal_dismiss(actor=request.user, proposal=proposal)
            messages.success(request, _("已不采纳"))
        else:
            unit_id = _int(request.POST.get("unit"), "unit", _("责任单位"))
            services.proposal_accept(
                actor=request.user,
                proposal=proposal,
                unit=HandlingUnit.objects.filter(pk=unit_id).first() if unit_id else None,
                deadline=_date(request.POST.get("deadline", ""), "deadline", _("完成时限")),
                title=request.POST.get("title", ""),
            )
            messages.success(request, _("已转为任务"))
    except ValidationError as exc:
        messages.error(request, labelled(exc, FIELD_LABELS))
    return redirect("governance:planned")


@login_required
def priority_page(request: HttpRequest) -> HttpResponse:
    require_any(request.user, V)
    raw = request.GET.get("month", "").strip()
    refused = ""
    try:
        month = priority_month(raw)
    except ValidationError as exc:
        refused, month = unlabelled(exc), add_months(current_month(), -1)
    report = priority_subdistricts(request.user, month)
    if request.GET.get("format") == "xlsx" and not refused:
        name = _("治理类街道_{month:%Y-%m}.xlsx").format(month=month)
        return attachment(priority_xlsx(report), content_type=XLSX, filename=name)
    context = {
        "report": report,
        "month_value": raw if refused and raw else f"{month:%Y-%m}",
        "refused": refused,
    }
    return render(request, "governance/priority.html", context, status=422 if refused else 200)


# Spikes -------------------------------------------------------------------------------------


@login_required
def alerts_page(request: HttpRequest) -> HttpResponse:
    """Alerts going on, then those ended (paged); status, area, and the month or days they
    were raised filter both."""
    require_any(request.user, V)
    found, context = _filters(request, AlertStatus)
    alerts = listing.apply(selectors.alerts_visible(request.user), found, day="raised_at__date")
    live = list(alerts.exclude(status=AlertStatus.ENDED))
    page = paginate(request, alerts.filter(status=AlertStatus.ENDED))
    context |= {
        "open": live,
        "may_acknowledge": {
            a.pk for a in live if a.status == AlertStatus.ACTIVE and services.may_acknowledge(request.user, a)
        },
        "page": page,
        "ended": page.object_list,
        "day_label": _("预警"),
    }
    return render(request, "governance/alerts.html", context, status=_status(context))


@login_required
def alert_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The requests an alert counted: as many as its figure (``observed``), each linked where
    the reader may open it, as on a hot issue's page."""
    alert = selectors.alert_get(request.user, pk)
    rows = list(selectors.alert_requests(alert))
    context = {
        "alert": alert,
        "requests": rows,
        "openable": set(
            requests_visible(request.user).filter(pk__in=[r.pk for r in rows]).values_list("pk", flat=True)
        ),
    }
    return render(request, "governance/alert.html", context)


@login_required
@require_POST
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    """A refusal for who asks is the 403 page; a note too long, or an alert already known,
    goes back to the list with the note as typed (``act``, kept form)."""
    alert = selectors.alert_get(request.user, pk)
    if not services.may_acknowledge(request.user, alert):
        raise PermissionDenied(_("只有该地的领导、社区工作人员和预警通知的责任单位可以知悉预警"))
    return act(
        request,
        lambda: services.alert_acknowledge(
            actor=request.user, alert=alert, note=request.POST.get("note", "")
        ),
        _("已知悉"),
        reverse("governance:alerts"),
    )  # the reason names 处置说明 itself


urlpatterns: list[URLPattern] = [
    path("", hot_page, name="hot"),
    path("hot/recompute/", hot_recompute, name="hot_recompute"),
    path("hot/<int:pk>/", hot_issue_page, name="hot_issue"),
    path("topics/", topics_page, name="topics"),
    path("topics/new/", topic_new, name="topic_new"),
    path("topics/<int:pk>/", topic_page, name="topic"),
    path("topics/<int:pk>/update/", topic_update, name="topic_update"),
    path("topics/<int:pk>/tasks/", task_add, name="task_add"),
    path("tasks/<int:pk>/progress/", task_progress, name="task_progress"),
    path("tasks/", tasks_page, name="tasks"),
    path("planned/", planned_page, name="planned"),
    path("proposals/<int:pk>/decide/", proposal_decide, name="proposal_decide"),
    path("priority/", priority_page, name="priority"),
    path("alerts/", alerts_page, name="alerts"),
    path("alerts/<int:pk>/", alert_page, name="alert"),
    path("alerts/<int:pk>/acknowledge/", alert_acknowledge, name="alert_acknowledge"),
]
