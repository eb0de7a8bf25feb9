"""Catalogue pages: the tree of a version with search and history; Excel export and import
for the system administrator; the category search fragment of the operator console."""

import hashlib
import re
from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import has_capability
from civicgrid.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from civicgrid.exchange.exports import attachment
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
# An uploaded file waits here, named by its uploader and its SHA-256, between the preview and
# "确认发布" (the confirming form sends the hash back; the file is read again and checked).
STASH_DIR = "imports/catalogue"
TOKEN_RE = re.compile(r"^[0-9a-f]{64}$")
PREVIEW_ITEMS = 20  # leaves listed of each kind of change


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
    preview: dict[str, Any] | None = None,
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
        "import_merge": typed.get("merge") == "1",
        "preview": preview,
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
    return attachment(
        catalogue.catalogue_xlsx(version),
        content_type=XLSX,
        filename=_("派单目录_第{number}版.xlsx").format(number=version.number),
    )


@login_required
@require_GET
def catalogue_template(request: HttpRequest) -> HttpResponse:
    _require_configure(request.user)
    return attachment(
        catalogue.catalogue_xlsx(None, template=True), content_type=XLSX, filename=_("导入模板_派单目录.xlsx")
    )


def _stash_path(user: Any, token: str) -> str:
    return f"{STASH_DIR}/{user.pk}-{token}.xlsx"


def _stash(user: Any, data: bytes) -> str:
    """Keep ``data`` for the confirming step; the user's earlier uploads go."""
    token = hashlib.sha256(data).hexdigest()
    _unstash(user)
    default_storage.save(_stash_path(user, token), ContentFile(data))
    return token


def _unstash(user: Any) -> None:
    try:
        _dirs, files = default_storage.listdir(STASH_DIR)
    except FileNotFoundError:
        return
    for name in files:
        if name.startswith(f"{user.pk}-"):
            default_storage.delete(f"{STASH_DIR}/{name}")


def _stashed(user: Any, token: str) -> bytes | None:
    """The file previewed under ``token``, if it is still there and unchanged."""
    if not TOKEN_RE.match(token) or not default_storage.exists(_stash_path(user, token)):
        return None
    with default_storage.open(_stash_path(user, token), "rb") as handle:
        data: bytes = handle.read()
    return data if hashlib.sha256(data).hexdigest() == token else None


def _preview(changes: catalogue.Changes, token: str, error: str = "") -> dict[str, Any]:
    def first(items: list[str]) -> dict[str, Any]:
        return {
            "count": len(items),
            "items": items[:PREVIEW_ITEMS],
            "more": max(0, len(items) - PREVIEW_ITEMS),
        }

    return {
        "token": token,
        "previous": changes.previous,
        "leaves": changes.leaves,
        "added": first(changes.added),
        "removed": first(changes.removed),
        "changed": first(changes.changed),
        "error": error,
    }


def _options(request: HttpRequest) -> dict[str, Any]:
    # 基于旧版本导入: overwrite what was published since; 追加/修改: merge into the current version.
    return {"force": request.POST.get("force") == "1", "merge": request.POST.get("merge") == "1"}


def _refused(request: HttpRequest, exc: Exception) -> HttpResponse:
    """The page after a refused preview or publish (``exc``: what the import raised)."""
    if isinstance(exc, catalogue.CatalogueUnchanged):
        messages.info(request, exc.message)
        return redirect("requests:catalogue")
    if isinstance(exc, Conflict):  # exported from an older version: the page, with the way to override
        messages.error(request, exc.message)
        return _page(request, status=409, stale_import=True)
    assert isinstance(exc, ValidationError)
    messages.error(request, exc.message)
    return _page(request, import_errors=exc.errors, status=422)


@login_required
@require_POST
def catalogue_import(request: HttpRequest) -> HttpResponse:
    """Step one: check the file and show what it would change; nothing is published yet."""
    _require_configure(request.user)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationError(_("请选择要导入的 Excel 文件"), field="file")
        if (upload.size or 0) > catalogue.XLSX_MAX_BYTES:
            raise ValidationError(_("文件超过5MB"), field="file")
        data = upload.read()
        changes = catalogue.catalogue_import_preview(actor=request.user, data=data, **_options(request))
    except (catalogue.CatalogueUnchanged, Conflict, ValidationError) as exc:
        return _refused(request, exc)
    return _page(request, preview=_preview(changes, _stash(request.user, data)))


def _warn_unmatched(
    request: HttpRequest, rows: Sequence[Any], text: str, changelist: str, label: str
) -> None:
    """A warning about rows the new version leaves unmatched, linked to exactly them in the admin."""
    url = reverse(changelist) + "?id__in=" + ",".join(str(row.pk) for row in rows)
    messages.warning(request, format_html('{} <a href="{}">{}</a>', text, url, label))


def _published_warnings(request: HttpRequest, version: CatalogueVersion) -> None:
    if rules := catalogue.unmatched_rules(version):
        text = catalogue.unmatched_rules_text(rules)
        _warn_unmatched(request, rules, text, "admin:requests_dispatchrule_changelist", _("打开派单规则"))
    if answers := catalogue.unmatched_answers(version):
        text = catalogue.unmatched_answers_text(answers)
        _warn_unmatched(request, answers, text, "admin:requests_savedanswer_changelist", _("打开知识库"))


@login_required
@require_POST
def catalogue_import_confirm(request: HttpRequest) -> HttpResponse:
    """Step two ("确认发布"): publish the previewed file. Deleting leaves needs the "确认删除"
    box; when the current version changed since the preview, the new preview is shown."""
    _require_configure(request.user)
    token = request.POST.get("token", "")
    data = _stashed(request.user, token)
    if data is None:
        messages.error(request, _("预览的文件已失效（可能已发布或被新的上传替换），请重新选择文件导入"))
        return _page(request, status=409)
    options = _options(request)
    try:
        previewed = request.POST.get("previous", "")
        current = catalogue.catalogue_version_get(None)
        if previewed != str(current.number if current else ""):
            changes = catalogue.catalogue_import_preview(actor=request.user, data=data, **options)
            error = _("预览之后有人发布了新版本（当前第{number}版），请核对以下变化后再确认发布").format(
                number=current.number if current else 0
            )
            return _page(request, status=409, preview=_preview(changes, token, error))
        version = catalogue.catalogue_import(
            actor=request.user,
            data=data,
            note=request.POST.get("note", ""),
            removals_confirmed=request.POST.get("confirm_removals") == "1",
            **options,
        )
    except catalogue.RemovalsUnconfirmed as exc:
        return _page(request, status=409, preview=_preview(exc.changes, token, exc.message))
    except (catalogue.CatalogueUnchanged, Conflict, ValidationError) as exc:
        return _refused(request, exc)
    _unstash(request.user)
    changes = catalogue.version_changes(version)
    messages.success(
        request,
        _("已发布派单目录第{number}版，共 {leaves} 个三级分类（{changes}）").format(
            number=version.number, leaves=changes.leaves, changes=changes.summary()
        ),
    )
    _published_warnings(request, version)
    return redirect("requests:catalogue")


urlpatterns = [
    path("catalogue/", catalogue_index, name="catalogue"),
    path("catalogue/search/", category_search, name="category_search"),
    path("catalogue/export.xlsx", catalogue_export, name="catalogue_export"),
    path("catalogue/template.xlsx", catalogue_template, name="catalogue_template"),
    path("catalogue/import/", catalogue_import, name="catalogue_import"),
    path("catalogue/import/confirm/", catalogue_import_confirm, name="catalogue_import_confirm"),
]
