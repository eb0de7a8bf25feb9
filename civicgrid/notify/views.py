"""The outbox page (通知发送记录): every SMS, WeChat message and e-mail the system queued, with
its state, tries and last error, for the system administrator (who may send a failed one
again) and the audit administrator (read only). Addresses are shown masked."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from civicgrid.core.errors import ValidationError
from civicgrid.core.i18n import StrOrPromise
from civicgrid.core.validators import typed_day
from civicgrid.notify import selectors
from civicgrid.notify.models import Channel, State
from civicgrid.notify.permissions import require_reader, retries_messages
from civicgrid.notify.services import notification_retry

FILTERS = ("state", "channel", "date_from", "date_to", "q")
LABELS: dict[str, StrOrPromise] = {
    "state": gettext_lazy("状态"),
    "channel": gettext_lazy("渠道"),
    "date_from": gettext_lazy("开始日期"),
    "date_to": gettext_lazy("结束日期"),
    "q": gettext_lazy("接收方"),
}
Q_MAX = 50


def _filters(typed: dict[str, str]) -> tuple[selectors.OutboxFilters, dict[str, list[str]]]:
    """The filters as the query means them, and what is wrong with them (all at once)."""
    errors: dict[str, list[str]] = {}
    if typed["state"] and typed["state"] not in State.values:
        errors["state"] = [_("状态只能从列表中选择")]
    if typed["channel"] and typed["channel"] not in Channel.values:
        errors["channel"] = [_("渠道只能从列表中选择")]
    if len(typed["q"]) > Q_MAX:
        errors["q"] = [_("接收方最长{count}个字").format(count=Q_MAX)]
    days: dict[str, Any] = {}
    for key in ("date_from", "date_to"):
        if typed[key]:
            try:
                days[key] = typed_day(typed[key], field=key, label=LABELS[key])
            except ValidationError as exc:
                errors[key] = [exc.message]
    if days.get("date_from") and days.get("date_to") and days["date_from"] > days["date_to"]:
        errors["date_to"] = [_("结束日期不能早于开始日期")]
    filters = selectors.OutboxFilters(
        state=typed["state"],
        channel=typed["channel"],
        date_from=days.get("date_from"),
        date_to=days.get("date_to"),
        q=typed["q"],
    )
    return filters, errors


@login_required
@require_safe
def outbox(request: HttpRequest) -> HttpResponse:
    require_reader(request.user)
    return _page(request, request.GET)


def _page(request: HttpRequest, params: QueryDict, refusal: str = "") -> HttpResponse:
    """The list for ``params`` (the query, or the filters a refused 重发 came from)."""
    typed = {k: params.get(k, "").strip() for k in FILTERS}
    filters, errors = _filters(typed)
    page = cut = None
    if not errors:  # bad filters: the form again, marked, and no rows (they would not be the ones asked)
        qs, cut = selectors.outbox_rows(filters)
        page = Paginator(qs, settings.PAGE_SIZE).get_page(params.get("page"))
    shown = params.copy()
    shown.pop("page", None)
    context = {
        "typed": typed,
        "errors": errors,
        "refusal": refusal,
        "page": page,
        "items": [selectors.row_view(row) for row in page] if page is not None else [],
        "cut": cut,
        "scan": selectors.SEARCH_SCAN,
        "counts": selectors.outbox_counts(),
        "states": State.choices,
        "channels": Channel.choices,
        "can_retry": retries_messages(request.user),
        "failed": State.FAILED.value,
        "query": shown.urlencode(),
        "back": [(k, typed[k]) for k in FILTERS if typed[k]]
        + ([("page", str(page.number))] if page is not None and page.number > 1 else []),
    }
    return render(request, "notify/outbox.html", context, status=422 if errors or refusal else 200)


def _back(request: HttpRequest) -> QueryDict:
    """The list's filters and page a 重发 came from (the form's ``back_*`` fields)."""
    params = QueryDict(mutable=True)
    for key in (*FILTERS, "page"):
        if value := request.POST.get(f"back_{key}", ""):
            params[key] = value
    return params


@login_required
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    """重发: a failed message back to the queue (idempotent; audited). Refused (no address):
    the list again, as it was, with the reason (422)."""
    require_reader(request.user)
    back = _back(request)
    try:
        queued = notification_retry(actor=request.user, pk=pk)
    except ValidationError as exc:
        return _page(request, back, refusal=exc.message)
    if queued:
        messages.success(request, _("已重新排队发送，稍后刷新查看结果"))
    else:
        messages.info(request, _("该通知已不是“发送失败”状态（可能已重发），未再次发送"))
    url = reverse("notify:outbox")
    return redirect(f"{url}?{back.urlencode()}" if back else url)
