"""Pages of classifier: the model versions with their evaluation (system administrator) and
the suggestion fragment of the operator console."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import has_capability, require_any
from civicgrid.classifier import history, selectors, services
from civicgrid.core.errors import CivicError
from civicgrid.requests.web_helpers import console_place, routes_preview

# The heatmap stays readable up to this many classes (the largest by support are shown).
HEATMAP_CLASSES = 25
SUGGEST_TEXT_LIMIT = 2000


@login_required
@require_GET
def versions(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.versions_visible(request.user))
    active = next((v for v in rows if v.is_active), None)
    context = {
        "versions": rows,
        "active": active,
        "can_rollback": bool(active and active.replaced_id),
        "threshold": selectors.auto_dispatch_threshold(),
    }
    return render(request, "classifier/versions.html", context)


def _heatmap(evaluation: dict[str, Any]) -> dict[str, Any]:
    """The confusion matrix of the largest classes as ECharts heatmap data."""
    labels: list[str] = evaluation.get("labels", [])
    support: list[int] = evaluation.get("support", [])
    keep = sorted(range(len(labels)), key=lambda i: -support[i])[:HEATMAP_CLASSES]
    keep.sort()
    matrix = evaluation.get("confusion", [])
    cells = [[x, y, matrix[t][p]] for y, t in enumerate(keep) for x, p in enumerate(keep) if matrix[t][p]]
    return {
        "labels": [labels[i] for i in keep],
        "cells": cells,
        "max": max((c[2] for c in cells), default=1),
        "shown": len(keep),
        "total": len(labels),
    }


def _per_class(evaluation: dict[str, Any]) -> list[dict[str, Any]]:
    rows = zip(
        evaluation.get("labels", []),
        evaluation.get("precision", []),
        evaluation.get("recall", []),
        evaluation.get("f1", []),
        evaluation.get("support", []),
        strict=False,
    )
    return [
        {"label": label, "precision": p, "recall": r, "f1": f, "support": s}
        for label, p, r, f, s in sorted(rows, key=lambda row: -row[4])
    ]


def _readable(head: str, evaluation: dict[str, Any]) -> dict[str, Any]:
    """The evaluation with category codes and unit ids replaced by their names."""
    labels: list[str] = evaluation.get("labels", [])
    if head == "category":
        catalogue = history.current_catalogue()
        names = [catalogue[c].path[-1] + f"（{c}）" if c in catalogue else c for c in labels]
    elif head == "unit":
        units = history.unit_names({int(u) for u in labels if u.isdecimal()})
        names = [units.get(int(u), u) if u.isdecimal() else _("（未派单）") for u in labels]
    else:
        return evaluation
    return {**evaluation, "labels": names}


@login_required
@require_GET
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.version_get(request.user, pk)
    heads = []
    for n, (head, raw) in enumerate((version.metrics or {}).items(), start=1):
        evaluation = _readable(head, raw)
        heads.append(
            {
                "name": head,
                "chart_id": f"heatmap-{n}",
                "data_id": f"heatmap-data-{n}",
                "title": {"label": _("标签"), "category": _("派单目录分类"), "unit": _("承办单位")}.get(
                    head, head
                ),
                "evaluation": evaluation,
                "per_class": _per_class(evaluation),
                "heatmap": _heatmap(evaluation),
            }
        )
    return render(request, "classifier/version.html", {"version": version, "heads": heads})


@login_required
@require_POST
def version_activate(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        version = services.version_activate(actor=request.user, version_id=pk)
        messages.success(request, _("已启用 {version}").format(version=version))
    except CivicError as exc:
        if exc.http_status == 403:
            raise
        messages.error(request, exc.message)
    return redirect("classifier:versions")


@login_required
@require_POST
def rollback(request: HttpRequest) -> HttpResponse:
    try:
        version = services.version_rollback(actor=request.user)
        messages.success(request, _("已回退到 {version}").format(version=version))
    except CivicError as exc:
        if exc.http_status == 403:
            raise
        messages.error(request, exc.message)
    return redirect("classifier:versions")


@login_required
@require_POST
def train(request: HttpRequest) -> HttpResponse:
    services.classifier_train_enqueue(actor=request.user)
    messages.success(request, _("已开始用诉求历史训练新版本，完成后出现在下表中（训练不会自动启用新版本）"))
    return redirect("classifier:versions")


@login_required
@require_GET
def console_suggest(request: HttpRequest) -> HttpResponse:
    """Top-3 categories for what the operator has typed so far (htmx fragment)."""
    require_any(request.user, Capability.REQUEST_INTAKE)
    text = f"{request.GET.get('title', '')} {request.GET.get('content', '')}".strip()[:SUGGEST_TEXT_LIMIT]
    suggestions = selectors.suggest(text, top=3) if text else []
    # Beside each category: where the dispatch rules would send it at this place (not the
    # model's guess of a unit, which is one unit for the text whatever the category).
    if suggestions:
        place = console_place(request.user, request.GET)
        routes = routes_preview(place, [s.category_id for s in suggestions])
    else:
        place, routes = None, {}
    rows = [(s, routes.get(s.category_id, "")) for s in suggestions]
    context = {"suggestions": rows, "has_text": bool(text), "place": place}
    return render(request, "classifier/_suggestions.html", context)


def can_manage(user: Any) -> bool:
    return has_capability(user, Capability.CLASSIFIER_MANAGE)
