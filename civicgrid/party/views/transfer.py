"""The import page of members, units and agreements (every row checked, all or nothing)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import require_any
from civicgrid.core.errors import CivicError, ValidationError
from civicgrid.core.views_forms import unlabelled
from civicgrid.party.exports import template_xlsx
from civicgrid.party.importers import COLUMNS, PartyImportKind
from civicgrid.party.services.imports import party_import

# What an import's counts (``PartyImporter.save``) are shown as.
COUNT_LABELS = {
    "members": gettext_lazy("党员"),
    "organisations": gettext_lazy("单位党组织"),
    "agreements": gettext_lazy("共建协议"),
    "expired": gettext_lazy("到期结束的原协议"),
}


def _counts_display(counts: dict[str, int]) -> list[tuple[str, int]]:
    return [(str(COUNT_LABELS.get(name, name)), n) for name, n in counts.items()]


def _kinds() -> list[dict[str, str]]:
    return [
        {"value": value, "label": str(label), "columns": "、".join(c.header for c in COLUMNS[value])}
        for value, label in PartyImportKind.choices
    ]


@login_required
def data(request: HttpRequest) -> HttpResponse:
    require_any(request.user, Capability.PARTY_EDIT)
    require_any(request.user, Capability.IMPORT)
    context: dict[str, object] = {"kinds": _kinds(), "kind": request.POST.get("kind", "")}
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationError(_("请选择要导入的文件"), field="file")
            outcome = party_import(actor=request.user, kind=request.POST.get("kind", ""), upload=upload)
        except CivicError as exc:
            context["error"] = unlabelled(exc)
            return render(request, "party/data.html", context, status=exc.http_status)
        context["outcome"] = outcome
        context["counts"] = _counts_display(outcome.counts)
        status = 200 if outcome.ok else 422
        return render(request, "party/data.html", context, status=status)
    return render(request, "party/data.html", context)


@login_required
def template(request: HttpRequest, kind: str) -> HttpResponse:
    require_any(request.user, Capability.PARTY_EDIT)
    if kind not in PartyImportKind.values:
        raise ValidationError(_("未知的导入类型"), field="kind")
    return template_xlsx(kind)
