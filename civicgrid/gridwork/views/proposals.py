"""Field updates of the registry (信息变更) waiting for the community's approval."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can, require_any
from civicgrid.core.errors import ValidationError
from civicgrid.core.pagination import paginate, query_without_page
from civicgrid.core.views_forms import act
from civicgrid.gridwork import selectors, services
from civicgrid.gridwork.constants import ProposalState
from civicgrid.gridwork.forms import PROPOSAL_LABELS
from civicgrid.gridwork.views.office import tabs


@login_required
def proposals(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_any(user, Capability.GRIDWORK_VIEW)
    state = request.GET.get("state", ProposalState.PENDING)
    if state and state not in ProposalState.values:
        raise ValidationError(_("状态取值无效"), field="state")
    qs = selectors.proposals_visible(user).select_related("proposer", "decided_by", "node__parent", "tag")
    if state:
        qs = qs.filter(state=state)
    page = paginate(request, qs.order_by("-created_at", "-id"))
    for p in page:
        p.may_decide = p.state == ProposalState.PENDING and can(user, Capability.GRIDWORK_MANAGE, p.node_path)
    context = {
        "tabs": tabs(user),
        "page": page,
        "query": query_without_page(request),
        "state": state,
        "states": [(s.value, s.label) for s in ProposalState],
    }
    return render(request, "gridwork/proposals.html", context)


@login_required
@require_POST
def proposal_approve(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    found = selectors.proposal_get(user, pk)
    note = request.POST.get("note", "")
    return act(
        request,
        lambda: services.proposal_approve(actor=user, proposal=found, note=note),
        lambda done: "；".join(
            [_("已同意并更新：{summary}").format(summary=found.summary), *done.result.get("stopped", [])]
        ),
        reverse("gridwork:proposals"),
        labels=PROPOSAL_LABELS,
    )


@login_required
@require_POST
def proposal_reject(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    found = selectors.proposal_get(user, pk)
    note = request.POST.get("note", "")
    return act(
        request,
        lambda: services.proposal_reject(actor=user, proposal=found, note=note),
        _("已驳回：{summary}").format(summary=found.summary),
        reverse("gridwork:proposals"),
        labels=PROPOSAL_LABELS,
    )


urlpatterns = [
    path("proposals/", proposals, name="proposals"),
    path("proposals/<int:pk>/approve/", proposal_approve, name="proposal_approve"),
    path("proposals/<int:pk>/reject/", proposal_reject, name="proposal_reject"),
]
