"""Catalogue pages: the tree of a version with search and history; Excel export and import
for the system administrator; the category search fragment of the operator console."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import has_capability
from civicgrid.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from civicgrid.requests import catalogue
from civicgrid.requests.models import CatalogueVersion
from civicgrid.requests.permissions import unit_ids

VIEW_CAPABILITIES = (
    Capability.REQUEST_INTAKE,
    Capability.REQUEST_DISPATCH,
    Capability.REQUEST_VIEW,
    Capability.REQUEST_SUPERVISE,
    Capability.REQUEST_CONFIGURE,
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Field codes of an import's refusal that a person reads without a prefix (the reason says it
# all: "文件超过5MB"); the others are rows ("第3行") and keep theirs.
UNNAMED = frozenset({"file", "rows", "__all__"})


def _require_view(user: Any) -> None:
    """Staff who take, dispatch, handle, supervise or configure requests may read the catalogue."""
    if not (any(has_capability(user, c) for c in VIEW_CAPABILITIES) or unit_ids(user)):
        raise PermissionDenied(_("您无权查看派单目录"))


def _can_configure(user: Any) -> bool:
    return has_capability(user, Capability.REQUEST_CONFIGURE)


def _require_configure(user: Any) -> None:
    if not _can_configure(user):
        raise PermissionDenied(_("只有系统管理员可以导入导出派单目录"))


def _version(request: HttpRequest) -> CatalogueVersion | None:
    raw = request.GET.get("version", "").strip()
    if not raw:
        return catalogue.catalogue_version_get(None)
    if not raw.isdecimal():
        raise NotFound(_("没有这个版本的派单目录"))
    version = catalogue.catalogue_version_get(int(raw))
    if version is None:
        raise NotFound(_("没有这个版本的派单目录"))
    return version


def _problems(errors: dict[str, list[str]]) -> list[tuple[str, list[str]]]:
    """The import's reasons, each under where it is: a row ("第3行"), 版本说明, or nothing
    for the file as a whole (never the field code "file")."""
    named = {"note": _("版本说明")}
    return [
        ("" if where in UNNAMED else named.get(where, where), reasons) for where, reasons in errors.items()
    ]


def _page(
    request: HttpRequest,
    import_errors: dict[str, list[str]] | None = None,
    status: int = 200,
    stale_import: bool = False,
) -> Any:
    typed = request.POST if request.method == "POST" else {}
    version = _version(request)
    tree = catalogue.catalogue_tree(version) if version else []
    context = {
        "version": version,
        "tree": tree,
        "leaves": sum(root["leaves"] for root in tree),
        "versions": list(catalogue.catalogue_versions()),
        "can_configure": _can_configure(request.user),
        "import_errors": _problems(import_errors or {}),
        "stale_import": stale_import,
        # What a refused import had typed, kept for the next try (the file cannot be).
        "import_note": typed.get("note", ""),
        "import_force": typed.get("force") == "1",
    }
    return render(request, "requests/catalogue/index.html", context, status=status)


@login_required
@require_GET
def catalogue_index(request: HttpRequest) -> HttpResponse:
    _require_view(request.user)
    return _page(request)


@login_required
@require_GET
def category_search(request: HttpRequest) -> HttpResponse:
    """``?q=`` → ``<li data-id data-name data-code>`` for matching leaves of the current version."""
    _require_view(request.user)
    q = request.GET.get("q", "").strip()[:50]
    found = catalogue.catalogue_search(q) if q else []
    return render(request, "requests/catalogue/_search.html", {"q": q, "results": found})


@login_required
@require_GET
def catalogue_export(request: HttpRequest) -> HttpResponse:
    _require_configure(request.user)
    version = _version(request)
    if version is None:
        raise NotFound(_("还没有发布派单目录"))
    response = HttpResponse(catalogue.catalogue_xlsx(version), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="catalogue-v{version.number}.xlsx"'
    return response


@login_required
@require_GET
def catalogue_template(request: HttpRequest) -> HttpResponse:
    _require_configure(request.user)
    response = HttpResponse(catalogue.catalogue_xlsx(None, template=True), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="catalogue-template.xlsx"'
    return response


@login_required
@require_POST
def catalogue_import(request: HttpRequest) -> HttpResponse:
    _require_configure(request.user)
    upload = request.FILES.get("file")
    note = request.POST.get("note", "")
    try:
        if upload is None:
            raise ValidationError(_("请选择要导入的 Excel 文件"), field="file")
        if (upload.size or 0) > catalogue.XLSX_MAX_BYTES:
            raise ValidationError(_("文件超过5MB"), field="file")
        force = request.POST.get("force") == "1"  # 基于旧版本导入: overwrite what was published since
        version = catalogue.catalogue_import(actor=request.user, data=upload.read(), note=note, force=force)
    except catalogue.CatalogueUnchanged as exc:
        messages.info(request, exc.message)
        return redirect("requests:catalogue")
    except Conflict as exc:  # exported from an older version: the page, with the way to override
        messages.error(request, exc.message)
        return _page(request, status=409, stale_import=True)
    except ValidationError as exc:
        messages.error(request, exc.message)
        return _page(request, import_errors=exc.errors, status=422)
    leaves = version.categories.filter(level=3).count()
    messages.success(
        request,
        _("已发布派单目录第{number}版，共 {leaves} 个三级分类").format(number=version.number, leaves=leaves),
    )
    if unmatched := catalogue.unmatched_rules(version):
        messages.warning(request, catalogue.unmatched_rules_text(unmatched))
    return redirect("requests:catalogue")


urlpatterns = [
    path("catalogue/", catalogue_index, name="catalogue"),
    path("catalogue/search/", category_search, name="category_search"),
    path("catalogue/export.xlsx", catalogue_export, name="catalogue_export"),
    path("catalogue/template.xlsx", catalogue_template, name="catalogue_template"),
    path("catalogue/import/", catalogue_import, name="catalogue_import"),
]
