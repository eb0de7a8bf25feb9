"""Campaigns (专项任务): launch on an area, progress per community and grid, assignment, export."""

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can, has_capability, require_any
from civicgrid.core.errors import ValidationError
from civicgrid.core.figures import share_percent
from civicgrid.core.pagination import paginate, query_without_page
from civicgrid.core.views_forms import act
from civicgrid.gridwork import logbook, selectors, services
from civicgrid.gridwork.constants import CampaignKind, CampaignState, CampaignTarget, ItemState, QuestionKind
from civicgrid.gridwork.exports import campaign_xlsx
from civicgrid.gridwork.forms import FIELD_LABELS, CampaignLaunchForm
from civicgrid.gridwork.lookups import Lookup
from civicgrid.gridwork.models import CampaignItem
from civicgrid.gridwork.permissions import view_q
from civicgrid.gridwork.views.common import Posted, refused
from civicgrid.gridwork.views.office import tabs
from civicgrid.territory.models import Node, NodeKind
from civicgrid.territory.selectors import nodes_visible

# i18n: data (the words of the checklist script people type: "label|是否|必填", here and below)
KIND_CODES = {"是否": QuestionKind.YESNO, "数字": QuestionKind.NUMBER, "文字": QuestionKind.TEXT}


def parse_checklist(text: str) -> list[dict[str, Any]] | None:
    """One question a line: ``名称`` or ``名称|是否|必填`` (类型：是否、数字、文字)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return None
    questions = []
    for n, line in enumerate(lines, start=1):
        parts = [p.strip() for p in line.replace("｜", "|").split("|")]
        kind = KIND_CODES.get(parts[1], "") if len(parts) > 1 else QuestionKind.YESNO
        if not kind:
            raise ValidationError(_("第{n}行：类型只能是 是否、数字 或 文字").format(n=n), field="checklist")
        questions.append({"label": parts[0], "kind": kind, "required": len(parts) > 2 and parts[2] == "必填"})
    return questions


def checklist_text(kind: str) -> str:
    names = {v: k for k, v in KIND_CODES.items()}
    rows = services.default_checklist(kind)
    return "\n".join(  # i18n: data (the script's words, as above)
        f"{q['label']}|{names[q['kind']]}{'|必填' if q['required'] else ''}" for q in rows
    )


def _areas(user: Any) -> list[Node]:
    kinds = (NodeKind.SUBDISTRICT, NodeKind.COMMUNITY, NodeKind.GRID)
    nodes = nodes_visible(user).filter(kind__in=kinds, is_active=True).order_by("path")[:500]
    return [n for n in nodes if can(user, Capability.GRIDWORK_MANAGE, n.path)]


def _launch_form() -> CampaignLaunchForm:
    today = timezone.localdate()
    kind = CampaignKind.EPIDEMIC.value
    initial = {
        "kind": kind,
        "target": CampaignTarget.HOUSEHOLD.value,
        "starts_on": today.isoformat(),  # as typed, so the page shows bound and unbound alike
        "ends_on": (today + timedelta(days=14)).isoformat(),
        "checklist": checklist_text(kind),
    }
    return CampaignLaunchForm(initial=initial)


@login_required
def campaigns(request: HttpRequest) -> HttpResponse:
    return _campaigns_page(request, _launch_form())


def _campaigns_page(request: HttpRequest, launch_form: CampaignLaunchForm, status: int = 200) -> HttpResponse:
    user = request.user
    require_any(user, Capability.GRIDWORK_VIEW)
    found = list(selectors.campaigns_visible(user).select_related("node").order_by("-starts_on", "-id")[:100])
    counts = {
        r["campaign"]: r
        for r in CampaignItem.objects.filter(view_q(user), campaign__in=found)
        .values("campaign")
        .annotate(total=Count("id"), done=Count("id", filter=Q(state=ItemState.DONE)))
    }
    for c in found:
        row = counts.get(c.pk, {"total": 0, "done": 0})
        c.total, c.done = row["total"], row["done"]  # type: ignore[attr-defined]
        c.percent = float(share_percent(row["done"], row["total"]) or 0)  # type: ignore[attr-defined]
    manage = has_capability(user, Capability.GRIDWORK_MANAGE)
    today = timezone.localdate()
    context = {
        "tabs": tabs(user),
        "campaigns": found,
        "manage": manage,
        "areas": _areas(user) if manage else [],
        "kinds": [(k.value, k.label) for k in CampaignKind],
        "targets": [(t.value, t.label) for t in CampaignTarget],
        "defaults": {k.value: checklist_text(k.value) for k in CampaignKind},
        "today": today,
        "ends": today + timedelta(days=14),
        "launch_form": launch_form,
    }
    return render(request, "gridwork/campaigns.html", context, status=status)


@login_required
@require_POST
def campaign_launch(request: HttpRequest) -> HttpResponse:
    """On a refusal the page comes back with what was typed and each reason at its field."""
    user = request.user
    form = CampaignLaunchForm(request.POST)
    valid = form.is_valid()
    data = form.cleaned_data
    look = Lookup(user)
    area = look.node(data.get("area"), "area")
    try:
        try:
            checklist = parse_checklist(data.get("checklist") or "")
        except ValidationError as exc:
            look.errors.update(exc.errors)  # said together with the unknown area
        look.done()
        if valid:
            if area is None:
                raise ValidationError(_("请选择任务范围"), field="area")
            services.campaign_launch(
                actor=user,
                area=area,
                name=data["name"],
                kind=data["kind"],
                target=data["target"] or CampaignTarget.HOUSEHOLD,
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                checklist=checklist,
                description=data["description"],
            )
            messages.success(request, _("专项任务已发起，已按网格分配给网格员"))
            return redirect("gridwork:campaigns")
    except ValidationError as exc:
        refused(request, form, exc)
    else:
        refused(request, form)
    return _campaigns_page(request, form, status=422)


ITEM_FILTERS = ("state", "grid")


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_any(user, Capability.GRIDWORK_VIEW)
    campaign = selectors.campaign_get(user, pk)
    grids, communities, overall = logbook.campaign_progress(user, campaign)
    posted = Posted(request.GET)
    items = CampaignItem.objects.filter(view_q(user), campaign=campaign).select_related(
        "grid", "assignee", "checked_by", "household"
    )
    state = posted.text("state")
    if state and state not in ItemState.values:
        posted.errors["state"] = [_("状态取值无效")]
    elif state:
        items = items.filter(state=state)
    if (grid := posted.integer("grid")) is not None:
        items = items.filter(grid_id=grid)
    posted.check()
    manage = can(user, Capability.GRIDWORK_MANAGE, campaign.node_path)
    if manage and campaign.state == CampaignState.ACTIVE:
        for g in grids:
            g.workers = list(selectors.grid_workers(g.node_id)) if g.node_id is not None else []
    context = {
        "tabs": tabs(user),
        "campaign": campaign,
        "grids": grids,
        "communities": communities,
        "overall": overall,
        "page": paginate(request, items.order_by("-state", "node_path", "label")),
        "query": query_without_page(request),
        "params": {k: request.GET.get(k, "") for k in ITEM_FILTERS},
        "states": [(s.value, s.label) for s in ItemState],
        "manage": manage,
        "active": campaign.state == CampaignState.ACTIVE,
        "can_export": has_capability(user, Capability.EXPORT),
    }
    return render(request, "gridwork/campaign.html", context)


@login_required
@require_POST
def campaign_assign(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    campaign = selectors.campaign_get(user, pk)
    posted = Posted(request.POST)
    look = Lookup(user)
    grid = look.grid(posted.integer("grid"), "grid")
    look.need(grid, "grid", _("请选择网格"))
    worker = look.user(posted.integer("worker"), "worker")

    def call() -> None:
        posted.check()
        look.done()
        assert grid is not None
        services.campaign_assign(actor=user, campaign=campaign, grid=grid, worker=worker)

    return act(request, call, _("已重新分配"), reverse("gridwork:campaign", args=[pk]), labels=FIELD_LABELS)


@login_required
@require_POST
def campaign_close(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    campaign = selectors.campaign_get(user, pk)
    back = reverse("gridwork:campaign", args=[pk])
    return act(
        request,
        lambda: services.campaign_close(actor=user, campaign=campaign),
        _("专项任务已结束"),
        back,
        labels=FIELD_LABELS,
    )


@login_required
def campaign_export(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_any(user, Capability.GRIDWORK_VIEW)
    return campaign_xlsx(user, selectors.campaign_get(user, pk))


urlpatterns = [
    path("campaigns/", campaigns, name="campaigns"),
    path("campaigns/launch/", campaign_launch, name="campaign_launch"),
    path("campaigns/<int:pk>/", campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/assign/", campaign_assign, name="campaign_assign"),
    path("campaigns/<int:pk>/close/", campaign_close, name="campaign_close"),
    path("campaigns/<int:pk>/export/", campaign_export, name="campaign_export"),
]
