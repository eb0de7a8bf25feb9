"""Care plans and visits (关爱走访): the list with its traffic lights, one plan with its visits."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can, has_capability, require_any
from civicgrid.core.errors import ValidationError
from civicgrid.core.pagination import paginate, query_without_page
from civicgrid.core.views_forms import act
from civicgrid.gridwork import selectors, services
from civicgrid.gridwork.constants import Light
from civicgrid.gridwork.forms import FIELD_LABELS, CarePlanCreateForm, CarePlanUpdateForm
from civicgrid.gridwork.lookups import Lookup
from civicgrid.gridwork.models import CareWarning
from civicgrid.gridwork.permissions import view_q
from civicgrid.gridwork.views.common import Posted, refused
from civicgrid.gridwork.views.office import communities, filter_errors, tabs
from civicgrid.registry.models import Resident
from civicgrid.territory.models import NodeKind
from civicgrid.territory.selectors import nodes_visible

CARE_FILTERS = ("light", "under", "assignee")
CARE_FILTER_LABELS = {
    "light": gettext_lazy("预警灯"),
    "under": gettext_lazy("社区"),
    "assignee": gettext_lazy("走访人"),
}


@login_required
def care_list(request: HttpRequest) -> HttpResponse:
    return _care_page(request, CarePlanCreateForm())


def _care_page(request: HttpRequest, create_form: CarePlanCreateForm, status: int = 200) -> HttpResponse:
    user = request.user
    require_any(user, Capability.GRIDWORK_VIEW)
    posted = Posted(request.GET)
    look = Lookup(user)
    qs = selectors.care_plans_visible(user).filter(is_active=True)
    qs = qs.select_related("resident", "node__parent", "grid", "assignee")
    light = posted.text("light")
    if light and light not in Light.values:
        posted.errors["light"] = [_("预警灯取值无效")]
    else:
        qs = selectors.with_light(qs, light)
    under = look.node(posted.integer("under"), "under")
    if under is not None:
        qs = qs.filter(node_path__startswith=under.path)
    if (assignee := posted.integer("assignee")) is not None:
        qs = qs.filter(assignee_id=assignee)
    # A filter that does not parse is marked and named above the list, the others applied
    # (as 民情记录): the page, not a bare error, with 422.
    errors = {**look.errors, **posted.errors}
    page = paginate(request, qs.order_by("next_due_on", "id"))
    today = timezone.localdate()
    for plan in page:
        plan.light_now = services.light_for(plan.next_due_on, today)
    all_plans = selectors.care_plans_visible(user).filter(is_active=True)
    counts = {key: selectors.with_light(all_plans, key).count() for key in ("red", "yellow", "green")}
    manage = has_capability(user, Capability.GRIDWORK_MANAGE)
    warnings = (
        CareWarning.objects.filter(plan__in=selectors.care_plans_visible(user))
        .select_related("plan", "plan__resident", "plan__grid")
        .order_by("-raised_at")[:15]
    )
    context = {
        "tabs": tabs(user),
        "page": page,
        "query": query_without_page(request),
        "params": {k: request.GET.get(k, "") for k in CARE_FILTERS},
        "counts": counts,
        "communities": communities(user),
        "manage": manage,
        "areas": _manage_areas(user) if manage else [],
        "candidates": _candidates(user) if manage else [],
        "warnings": warnings,
        "create_form": create_form,
        **filter_errors(errors, CARE_FILTER_LABELS),
    }
    return render(request, "gridwork/care.html", context, status=422 if errors else status)


def _manage_areas(user: Any) -> list[Any]:
    kinds = (NodeKind.COMMUNITY, NodeKind.GRID)
    nodes = nodes_visible(user).filter(kind__in=kinds, is_active=True).order_by("path")[:500]
    return [n for n in nodes if can(user, Capability.GRIDWORK_MANAGE, n.path)]


def _candidates(user: Any) -> list[Resident]:
    """Residents of a special group without a care plan (for a plan made by hand)."""
    qs = Resident.objects.filter(view_q(user), is_active=True, tags__is_special_group=True).exclude(
        care_plans__is_active=True
    )
    return list(qs.distinct().select_related("node__parent").order_by("node_path", "name")[:300])


@login_required
@require_POST
def care_generate(request: HttpRequest) -> HttpResponse:
    user = request.user
    look = Lookup(user)
    node = look.node(Posted(request.POST).integer("node"), "node")
    look.need(node, "node", _("请选择区域"))

    def call() -> None:
        look.done()
        assert node is not None
        made = services.care_plans_generate(actor=user, node=node)
        messages.info(request, _("新建关爱计划 {made} 个").format(made=made))

    return act(request, call, _("已为重点人群生成关爱计划"), reverse("gridwork:care"), labels=FIELD_LABELS)


@login_required
@require_POST
def care_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = CarePlanCreateForm(request.POST)
    valid = form.is_valid()
    look = Lookup(user)
    resident = look.resident(form.cleaned_data.get("resident"), "resident")
    try:
        look.done()
        if valid and resident is not None:
            services.care_plan_create(
                actor=user, resident=resident, interval_days=form.cleaned_data["interval_days"]
            )
            messages.success(request, _("关爱计划已建立"))
            return redirect("gridwork:care")
    except ValidationError as exc:
        refused(request, form, exc)
    else:
        refused(request, form)
    return _care_page(request, form, status=422)


@login_required
def care_plan(request: HttpRequest, pk: int) -> HttpResponse:
    require_any(request.user, Capability.GRIDWORK_VIEW)
    plan = selectors.care_plan_get(request.user, pk)
    return _plan_page(request, plan, _update_form(plan))


def _update_form(plan: Any) -> CarePlanUpdateForm:
    initial = {"interval_days": plan.interval_days, "assignee": plan.assignee_id, "note": plan.note}
    return CarePlanUpdateForm(initial=initial)


def _plan_page(
    request: HttpRequest, plan: Any, update_form: CarePlanUpdateForm, status: int = 200
) -> HttpResponse:
    user = request.user
    visits = (
        selectors.visits_visible(user)
        .filter(care_plan=plan)
        .select_related("worker")
        .prefetch_related("photos")
        .order_by("-visited_at")[:100]
    )
    context = {
        "tabs": tabs(user),
        "plan": plan,
        "light": services.light_for(plan.next_due_on, timezone.localdate()) if plan.is_active else "",
        "visits": visits,
        "warnings": plan.warnings.order_by("-raised_at")[:20],
        "manage": can(user, Capability.GRIDWORK_MANAGE, plan.node_path),
        "workers": list(selectors.grid_workers(plan.grid)) if plan.grid else [],
        "update_form": update_form,
    }
    return render(request, "gridwork/care_plan.html", context, status=status)


@login_required
@require_POST
def care_plan_update(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    plan = selectors.care_plan_get(user, pk)
    form = CarePlanUpdateForm(request.POST)
    valid = form.is_valid()
    look = Lookup(user)
    assignee = look.user(form.cleaned_data.get("assignee"), "assignee")
    try:
        look.done()
        if valid:
            services.care_plan_update(
                actor=user,
                plan=plan,
                interval_days=form.cleaned_data["interval_days"],
                assignee=assignee,
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("关爱计划已更新"))
            return redirect("gridwork:care_plan", pk=plan.pk)
    except ValidationError as exc:
        refused(request, form, exc)
    else:
        refused(request, form)
    plan.refresh_from_db()
    return _plan_page(request, plan, form, status=422)


@login_required
@require_POST
def care_plan_end(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    plan = selectors.care_plan_get(user, pk)
    reason = request.POST.get("reason", "")
    back = request.path.removesuffix("end/")
    return act(
        request,
        lambda: services.care_plan_end(actor=user, plan=plan, reason=reason),
        _("关爱计划已结束"),
        back,
        labels=FIELD_LABELS,
    )


urlpatterns = [
    path("care/", care_list, name="care"),
    path("care/generate/", care_generate, name="care_generate"),
    path("care/create/", care_create, name="care_create"),
    path("care/<int:pk>/", care_plan, name="care_plan"),
    path("care/<int:pk>/update/", care_plan_update, name="care_plan_update"),
    path("care/<int:pk>/end/", care_plan_end, name="care_plan_end"),
]
