"""The export button of a list page: the file at once, or a background export (下载中心).

A list of at most ``BACKGROUND_FROM`` rows is written while the page waits (``now``); a
longer one becomes an ``ExportJob`` (``background.export_job_create``) and the user is sent
to ``/exchange/exports/`` to wait for it. The request ledger and the registry's lists use it.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import require_any
from civicgrid.core.i18n import StrOrPromise
from civicgrid.exchange.background import export_job_create
from civicgrid.exchange.constants import BACKGROUND_FROM


def export_now_or_later(
    request: HttpRequest,
    *,
    count: int,
    now: Callable[[], HttpResponse],
    source: str,
    list_name: str,
    params: dict[str, Any],
    filters: dict[str, Any] | None = None,
    description: str = "",
    queued: StrOrPromise | None = None,
) -> HttpResponse:
    """``now()`` for ``count`` ≤ ``BACKGROUND_FROM`` rows; else the background job of
    ``source`` with ``params`` and a redirect to the 下载中心 (``queued`` words the notice,
    {count}; "条" by default). Errors (``CivicError``) reach the caller, which keeps its
    list with the reason."""
    require_any(request.user, Capability.EXPORT)
    if count <= BACKGROUND_FROM:
        return now()
    job, new = export_job_create(
        actor=request.user,
        source=source,
        list_name=list_name,
        params=params,
        filters=filters,
        description=description,
        expected_rows=count,
    )
    if new:
        template = queued or _("共 {count} 条，已转为后台导出；文件生成后可在“下载中心”下载")
        messages.success(request, str(template).format(count=job.expected_shown))
    else:
        messages.info(request, _("同样的导出已在生成中，请稍候"))
    return redirect("exchange:exports")
