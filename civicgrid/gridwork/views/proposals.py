"""Field updates of the registry (信息变更) waiting for the community's approval."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can, require_any
from civicgrid.core.errors import CivicError, ValidationError
from civicgrid.core.pagination import paginate, query_without_page
from civicgrid.core.views_forms import labelled, unlabelled
from civicgrid.gridwork import selectors, services
from civicgrid.gridwork.constants import ProposalState
from civicgrid.gridwork.forms import PROPOSAL_LABELS
from civicgrid.gridwork.views.office import filter_errors, tabs


def _page(request: HttpRequest, failed: dict[str, Any] | None = None) -> HttpResponse:
    """The list (its state and page from the address, which the review forms keep); with
    ``failed``, a review refused: its typed note kept in its box, the reason beside it, 422."""
    user = request.user
    require_any(user, Capability.GRIDWORK_VIEW)
    state = request.GET.get("state", ProposalState.PENDING)
    # A state that is none of them: every state listed, the reason above the list and the
    # box marked (422), as 民情记录 shows a filter that does not parse.
    errors = {"state": [_("状态取值无效")]} if state and state not in ProposalState.values else {}
    qs = selectors.proposals_visible(user).select_related("proposer", "decided_by", "node__parent", "tag")
    if state and not errors:
        qs = qs.filter(state=state)
    page = paginate(request, qs.order_by("-created_at", "-id"))
    for p in page:
        p.may_decide = p.state == ProposalState.PENDING and can(user, Capability.GRIDWORK_MANAGE, p.node_path)
    context = {
        "tabs": tabs(user),
        "page": page,
        "query": query_without_page(request),
        "here": request.GET.urlencode(),
        "state": state,
        "states": [(s.value, s.label) for s in ProposalState],
        "failed": failed,
        **filter_errors(errors, {"state": _("状态")}),
    }
    return render(request, "gridwork/proposals.html", context, status=422 if failed or errors else 200)


@login_required
def proposals(request: HttpRequest) -> HttpResponse:
    return _page(request)


def _review(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """同意 or 驳回 one proposal. A refused note (驳回 without a reason, an over-long 意见) is
    shown on the list again, the note kept; any other refusal (decided meanwhile) goes back
    to the list with the message."""
    user = request.user
    found = selectors.proposal_get(user, pk)
    note = request.POST.get("note", "")
    back = reverse("gridwork:proposals") + (f"?{request.GET.urlencode()}" if request.GET else "")
    try:
        if action == "approve":
            done = services.proposal_approve(actor=user, proposal=found, note=note)
        else:
            services.proposal_reject(actor=user, proposal=found, note=note)
    except ValidationError as exc:
        if "note" not in exc.errors:
            messages.error(request, labelled(exc, PROPOSAL_LABELS))
            return HttpResponseRedirect(back)
        failed = {"pk": found.pk, "action": action, "note": note, "message": unlabelled(exc)}
        return _page(request, failed)
    except CivicError as exc:
        messages.error(request, labelled(exc, PROPOSAL_LABELS))
        return HttpResponseRedirect(back)
    if action == "approve":
        text = "；".join(
            [_("已同意并更新：{summary}").format(summary=found.summary), *done.result.get("stopped", [])]
        )
    else:
        text = _("已驳回：{summary}").format(summary=found.summary)
    messages.success(request, text)
    return HttpResponseRedirect(back)


@login_required
@require_POST
def proposal_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _review(request, pk, "approve")


@login_required
@require_POST
def proposal_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _review(request, pk, "reject")


urlpatterns = [
    path("proposals/", proposals, name="proposals"),
    path("proposals/<int:pk>/approve/", proposal_approve, name="proposal_approve"),
    path("proposals/<int:pk>/reject/", proposal_reject, name="proposal_reject"),
]
