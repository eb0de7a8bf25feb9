"""Import pages: the job list with templates and the upload form, a job's progress and errors;
downloads of templates; exports of a territory subtree and its positions; the download
centre of background exports (下载中心, ``background``)."""

from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import has_capability, require_any
from civicgrid.core.errors import CivicError, ValidationError
from civicgrid.core.pagination import paginate
from civicgrid.exchange import background, exports, selectors, services, sheets
from civicgrid.exchange.columns import COLUMNS, TABULAR_KINDS
from civicgrid.exchange.constants import BACKGROUND_FROM, EXPORT_KEEP_DAYS, MAX_UPLOAD_BYTES
from civicgrid.exchange.models import ImportKind
from civicgrid.territory.selectors import node_get, positions_visible

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _kinds(request: HttpRequest) -> list[dict[str, object]]:
    """The kinds of data this actor may import, with their columns (for the page)."""
    return [
        {
            "value": kind.value,
            "label": kind.label,
            "tabular": kind in TABULAR_KINDS,
            "columns": "、".join(c.header for c in COLUMNS[kind]),
        }
        for kind in ImportKind
        if has_capability(request.user, services.EDIT_CAPABILITY[kind])
    ]


def _list_page(request: HttpRequest, status: int = 200) -> HttpResponse:
    jobs = selectors.import_jobs_visible(request.user).order_by("-created_at", "-id")
    context = {
        "kinds": _kinds(request),
        "page": paginate(request, jobs),
        "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
        "chosen": request.POST.get("kind") or request.GET.get("kind", ""),  # ?kind=nodes from 区域网格
    }
    return render(request, "exchange/imports.html", context, status=status)


@login_required
@require_GET
def import_list(request: HttpRequest) -> HttpResponse:
    require_any(request.user, Capability.IMPORT)
    return _list_page(request)


@login_required
@require_POST
def import_upload(request: HttpRequest) -> HttpResponse:
    require_any(request.user, Capability.IMPORT)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationError(_("请选择要上传的文件"), field="file")
        job = services.import_job_create(actor=request.user, kind=request.POST.get("kind", ""), upload=upload)
    except ValidationError as exc:
        messages.error(request, exc.message)
        return _list_page(request, status=422)
    messages.success(request, _("已上传 {file_name}，正在校验……").format(file_name=job.file_name))
    return redirect("exchange:import", pk=job.pk)


@login_required
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.import_job_get(request.user, pk)
    return render(request, "exchange/import.html", {"job": job})


@login_required
@require_GET
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.import_job_get(request.user, pk)
    return render(request, "exchange/_progress.html", {"job": job})


@login_required
@require_GET
def import_errors(request: HttpRequest, pk: int) -> FileResponse:
    """Every problem of a failed job as an .xlsx (the page lists the first thousand)."""
    job = selectors.import_job_get(request.user, pk)
    if not job.error_file:
        raise Http404
    stem = PurePath(job.file_name).stem or job.file_name
    name = exports.download_name(_("导入错误明细_{file_name}.xlsx").format(file_name=stem))
    return FileResponse(
        job.error_file.open("rb"), as_attachment=True, filename=name, content_type=exports.XLSX_CONTENT_TYPE
    )


@login_required
@require_GET
def template_download(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    require_any(request.user, Capability.IMPORT)
    if kind not in ImportKind.values:
        raise Http404
    label = ImportKind(kind).label
    if kind == ImportKind.GEOMETRY and fmt == "geojson":
        body, content_type = sheets.template_geojson(request.user), "application/geo+json"
    elif kind != ImportKind.GEOMETRY and fmt == "xlsx":
        body, content_type = sheets.template_xlsx(kind, request.user), XLSX
    elif kind != ImportKind.GEOMETRY and fmt == "csv":
        body, content_type = sheets.template_csv(kind, request.user), "text/csv; charset=utf-8"
    else:
        raise Http404
    filename = _("导入模板_{label}.{fmt}").format(label=label, fmt=fmt).replace("（", "_").replace("）", "")
    return exports.attachment(body, content_type=content_type, filename=filename)


@login_required
@require_GET
def export_nodes(request: HttpRequest, pk: int) -> HttpResponse:
    node = node_get(request.user, pk)
    return exports.nodes_xlsx(request.user, node)


@login_required
@require_GET
def export_positions(request: HttpRequest, pk: int) -> HttpResponse:
    node = node_get(request.user, pk)
    return exports.positions_xlsx(request.user, node, positions_visible(request.user))


@login_required
@require_GET
def export_list(request: HttpRequest) -> HttpResponse:
    """下载中心: the user's own background exports, newest first; polled while one runs."""
    require_any(request.user, Capability.EXPORT)
    background.exports_expire()
    page = paginate(request, background.export_jobs_mine(request.user))
    context = {
        "page": page,
        "running": any(job.is_running for job in page),
        "keep_days": EXPORT_KEEP_DAYS,
        "background_from": f"{BACKGROUND_FROM:,}",
    }
    if request.headers.get("HX-Request"):
        return render(request, "exchange/_exports_table.html", context)
    return render(request, "exchange/exports.html", context)


@login_required
@require_GET
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    job = background.export_download(actor=request.user, pk=pk)
    name = exports.download_name(f"{job.list_name}_{timezone.localtime(job.finished_at):%Y%m%d}.xlsx")
    return FileResponse(
        job.file.open("rb"), as_attachment=True, filename=name, content_type=exports.XLSX_CONTENT_TYPE
    )


@login_required
@require_POST
def export_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        job = background.export_job_cancel(actor=request.user, pk=pk)
    except ValidationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已取消导出：{name}").format(name=job.list_name))
    return redirect("exchange:exports")


@login_required
@require_POST
def export_again(request: HttpRequest, pk: int) -> HttpResponse:
    """重新导出: the list of a failed or expired job asked again, counted now."""
    try:
        job, new = background.export_job_again(actor=request.user, pk=pk)
    except CivicError as exc:  # not the actor's to ask, too many running, the list now too long
        messages.error(request, exc.message)
    else:
        if new:
            messages.success(request, _("已重新提交导出：{name}").format(name=job.list_name))
        else:
            messages.info(request, _("同样的导出已在生成中，请稍候"))
    return redirect("exchange:exports")
