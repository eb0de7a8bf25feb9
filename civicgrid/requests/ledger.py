"""The request ledger (诉求台账): every request the actor may see, filtered, counted and
exported. One filter serves the ledger page and ``GET /api/v1/requests/``.

A search by phone (the blind-index lookup, ``phone_search_checked``) says whether a number
filed anything: it never finds an anonymous request (匿名: nobody may learn who filed it)
nor a confidential one outside the actor's handling, and it is treated like the registry's
search by phone (``registry.pii``): every one is an audit row (``requests.phone_searched``:
the masked phone and the number of hits), and a user gets the registry's budget of them
(``CIVICGRID_PII_SEARCH_LIMIT`` within ``CIVICGRID_PII_SEARCH_WINDOW_MINUTES``, counted
separately from the registry's searches); past it the search is refused (429) before
anything is looked up or written.

The operator console's caller history (``caller_history_checked``) is the same lookup: each
one is an audit row too (``requests.caller_history_viewed``: masked phone and hits), with its
own, larger budget for a call-taker (``CIVICGRID_CALLER_HISTORY_LIMIT``, 60 within the same
window: a call every ten seconds, far above a working call-taker's pace), counted apart from
the ledger's searches. The same user's same number again within a minute is the same lookup:
audited and charged once (the row keeps a keyed fingerprint of the number to tell)."""

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import EVERYWHERE, scope_paths
from civicgrid.core import crypto
from civicgrid.core.audit import audit_write
from civicgrid.core.errors import NotFound, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.core.validators import normalise_phone
from civicgrid.registry import pii
from civicgrid.requests import selectors
from civicgrid.requests.constants import CLOCK_RUNNING, OPEN_STATUSES, Channel, Light, RequestType, Status
from civicgrid.requests.models import HandlingUnit, Request, WorkOrder
from civicgrid.requests.permissions import requester_seen_q, unit_ids
from civicgrid.requests.rates.report import overdue_at
from civicgrid.territory.selectors import node_get

PHONE_SEARCHED = "requests.phone_searched"  # audit verb: masked phone and hits, per search
CALLER_HISTORY_VIEWED = "requests.caller_history_viewed"  # audit verb: the console's caller history


@dataclass(frozen=True)
class LedgerFilters:
    """What to show; every field optional. Lists hold choice values (``Status`` etc.)."""

    status: list[str] = field(default_factory=list)
    light: list[str] = field(default_factory=list)
    type: list[str] = field(default_factory=list)
    channel: list[str] = field(default_factory=list)
    category: str = ""  # catalogue code prefix (stable across catalogue versions)
    unit: int | None = None  # lead or assisting unit
    lead_unit: int | None = None  # the lead unit only (the rates count a request's receipt by it)
    node: int | None = None  # everything under this territory node
    received_from: date | None = None
    received_to: date | None = None  # inclusive
    q: str = ""  # in the title, the content or the number
    number: str = ""
    phone: str = ""  # exact, through the blind index
    overdue: bool = False  # open and past the resolution deadline
    overdue_at: date | None = None  # overdue at the end of this day (or now): the weekly report's
    supervised: bool = False
    reopened: bool = False


def split(raw: str) -> list[str]:
    """Comma-separated values (the API's form of a multi-choice); ``filter_requests`` checks them."""
    return [v.strip() for v in raw.split(",") if v.strip()]


def day_start(day: date) -> datetime:
    """Midnight of ``day`` in the local time zone."""
    return datetime.combine(day, time.min, timezone.get_current_timezone())


def _checked(f: LedgerFilters) -> None:
    for name, values, allowed, label in (
        ("status", f.status, Status.values, _("状态")),
        ("light", f.light, Light.values, _("预警灯")),
        ("type", f.type, RequestType.values, _("诉求类型")),
        ("channel", f.channel, Channel.values, _("渠道")),
    ):
        if bad := [v for v in values if v not in allowed]:
            raise ValidationError(
                _("{label}取值无效：{values}").format(label=label, values="、".join(bad)), field=name
            )
    if f.received_from and f.received_to and f.received_from > f.received_to:
        raise ValidationError(_("受理起始日期不能晚于截止日期"), field="received_from")


def filter_requests(actor: Any, f: LedgerFilters) -> QuerySet[Request]:
    """The requests ``actor`` may see that match ``f``, newest first."""
    _checked(f)
    qs = selectors.requests_visible(actor)
    if f.status:
        qs = qs.filter(status__in=f.status)
    if f.light:
        qs = qs.filter(light__in=f.light)
    if f.type:
        qs = qs.filter(type__in=f.type)
    if f.channel:
        qs = qs.filter(channel__in=f.channel)
    if f.category.strip():
        qs = qs.filter(category__code__startswith=f.category.strip())
    if f.unit is not None:
        if not visible_units(actor).filter(pk=f.unit).exists():
            raise ValidationError(_("承办单位不存在或您无权查看"), field="unit")
        orders = WorkOrder.objects.filter(request=OuterRef("pk"), unit_id=f.unit)
        qs = qs.filter(Q(lead_unit_id=f.unit) | Q(Exists(orders)))
    if f.lead_unit is not None:
        if not visible_units(actor).filter(pk=f.lead_unit).exists():
            raise ValidationError(_("主办单位不存在或您无权查看"), field="lead_unit")
        qs = qs.filter(lead_unit_id=f.lead_unit)
    if f.node is not None:
        try:
            node = node_get(actor, f.node)
        except NotFound as exc:
            raise ValidationError(exc.message, field="node") from None
        qs = qs.filter(node_path__startswith=node.path)
    if f.received_from:
        qs = qs.filter(received_at__gte=day_start(f.received_from))
    if f.received_to:
        qs = qs.filter(received_at__lt=day_start(f.received_to + timedelta(days=1)))
    if q := f.q.strip():
        qs = qs.filter(Q(title__contains=q) | Q(content__contains=q) | Q(number__contains=q))
    if f.number.strip():
        qs = qs.filter(number=f.number.strip())
    if f.phone.strip():
        phone = normalise_phone(f.phone.strip())
        if phone is None:
            raise ValidationError(_("电话号码格式不正确"), field="phone")
        qs = qs.filter(requester_phone_hash=crypto.blind_index(phone)).filter(anonymous=False)
        if (seen := requester_seen_q(actor)) is not None:  # a phone must not find a confidential requester
            qs = qs.filter(seen)
        phone_search_checked(actor=actor, phone=phone, qs=qs)
    if f.overdue:
        qs = qs.filter(overdue_q(timezone.now()))
    if f.overdue_at is not None:
        qs = qs.filter(overdue_at(min(day_start(f.overdue_at + timedelta(days=1)), timezone.now())))
    if f.supervised:
        qs = qs.filter(supervised=True)
    if f.reopened:
        qs = qs.filter(reopen_count__gt=0)
    return qs.order_by("-received_at", "-id")


def phone_searches_in_window(actor: Any) -> int:
    start = timezone.now() - timedelta(minutes=pii.search_window_minutes())
    rows = AuditLog.objects.filter(verb=PHONE_SEARCHED, created_at__gte=start)
    return rows.filter(actor_id=getattr(actor, "pk", None)).count()


def _serialise(actor: Any, kind: str = "request-phone-search") -> None:
    """One phone search at a time per user (PostgreSQL advisory lock), so that searches sent
    at once cannot all pass the count before any is written."""
    if connection.vendor != "postgresql":
        return
    key = f"civicgrid.{kind}:{getattr(actor, 'pk', '') or ''}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])


def phone_search_checked(*, actor: Any, phone: str, qs: QuerySet[Request]) -> int:
    """Refuse when the actor's budget of phone searches is spent (``pii.PiiSearchLimited``,
    429); else count the hits (``qs``: already cut to the actor's scope and filters) and
    audit the search with the masked phone. Returns the number of hits."""
    with transaction.atomic():
        _serialise(actor)
        if phone_searches_in_window(actor) >= pii.search_limit():
            raise pii.PiiSearchLimited(pii.limited_message(), retry_after=pii.search_window_minutes() * 60)
        hits = qs.count()
        audit_write(
            actor=actor,
            verb=PHONE_SEARCHED,
            target_type="requests.request",
            after={"phone": crypto.mask_phone(phone), "hits": hits},
        )
    return hits


def caller_history_limit() -> int:
    return int(settings.REQUESTS_CALLER_HISTORY_LIMIT)


def caller_lookups_in_window(actor: Any) -> int:
    start = timezone.now() - timedelta(minutes=pii.search_window_minutes())
    rows = AuditLog.objects.filter(verb=CALLER_HISTORY_VIEWED, created_at__gte=start)
    return rows.filter(actor_id=getattr(actor, "pk", None)).count()


CALLER_REPEAT_SECONDS = 60  # the same number again within this: one lookup, audited and charged once


def _caller_key(phone: str) -> str:
    """A short keyed fingerprint of the number (the blind index's first 16 hex digits): tells a
    repeat of the same number from another with the same mask, and is no phone number."""
    return crypto.blind_index(normalise_phone(phone) or phone.strip())[:16]


def caller_history_checked(*, actor: Any, phone: str, rows: Callable[[], list[Request]]) -> list[Request]:
    """The console's caller history by phone: refused (``pii.PiiSearchLimited``, 429) past the
    call-taker's budget, before anything is looked up or written; else ``rows()`` and one audit
    row with the masked phone, the number's fingerprint and the number of rows shown. The same
    user looking the same number up again within ``CALLER_REPEAT_SECONDS`` (the console's
    typing and leaving the field) is the same lookup: not audited nor charged again."""
    key = _caller_key(phone)
    with transaction.atomic():
        _serialise(actor, "caller-history")
        since = timezone.now() - timedelta(seconds=CALLER_REPEAT_SECONDS)
        recent = AuditLog.objects.filter(verb=CALLER_HISTORY_VIEWED, created_at__gte=since)
        if recent.filter(actor_id=getattr(actor, "pk", None), after__phone_key=key).exists():
            return rows()
        if caller_lookups_in_window(actor) >= caller_history_limit():
            message = _("来电历史查询过于频繁（{minutes}分钟内最多{limit}次），请稍后再试。").format(
                minutes=pii.search_window_minutes(), limit=caller_history_limit()
            )
            raise pii.PiiSearchLimited(message, retry_after=pii.search_window_minutes() * 60)
        found = rows()
        audit_write(
            actor=actor,
            verb=CALLER_HISTORY_VIEWED,
            target_type="requests.request",
            after={
                "phone": crypto.mask_phone(normalise_phone(phone) or phone),
                "phone_key": key,
                "hits": len(found),
            },
        )
    return found


def visible_units(actor: Any) -> QuerySet[HandlingUnit]:
    """Units under the caller's areas, units serving an area above them, and their own units."""
    paths: set[str] = set()
    for capability in (Capability.TERRITORY_VIEW, Capability.REQUEST_VIEW, Capability.REQUEST_DISPATCH):
        paths.update(scope_paths(actor, capability))
    qs = HandlingUnit.objects.filter(is_active=True)
    if EVERYWHERE in paths:
        return qs
    ancestors = {int(p) for path in paths for p in path.strip("/").split("/") if p}
    conditions = [Q(node_path__startswith=p) for p in paths]
    conditions += [Q(node_id__in=ancestors), Q(pk__in=unit_ids(actor))]
    return qs.filter(reduce(or_, conditions))


def overdue_q(now: datetime) -> Q:
    """Open and past the resolution deadline while its clock runs: not a suspended request
    (its deadline moves on when it resumes) nor a long-running one with its plan — the
    weekly report's count (``CLOCK_RUNNING``)."""
    return Q(status__in=CLOCK_RUNNING, due_resolution_at__lt=now)


@dataclass(frozen=True)
class LedgerSummary:
    total: int
    open: int
    replied: int  # replied or verified, waiting for the callback
    closed: int
    merged: int  # merged into another request: neither open nor closed
    overdue: int
    red: int
    yellow: int


def summary(qs: QuerySet[Request]) -> LedgerSummary:
    """Counts of the filtered requests, in one query. 在办 + 已答复待办结 + 已办结 + 已合并 =
    共计: every status is in exactly one of the four."""
    now = timezone.now()
    open_q = Q(status__in=OPEN_STATUSES)
    found = qs.order_by().aggregate(
        total=Count("id"),
        open=Count("id", filter=open_q),
        replied=Count("id", filter=Q(status__in=[Status.REPLIED, Status.VERIFIED, Status.CALLED_BACK])),
        closed=Count("id", filter=Q(status=Status.CLOSED)),
        merged=Count("id", filter=Q(status=Status.MERGED)),
        overdue=Count("id", filter=overdue_q(now)),
        red=Count("id", filter=open_q & Q(light=Light.RED)),
        yellow=Count("id", filter=open_q & Q(light=Light.YELLOW)),
    )
    return LedgerSummary(**found)


def export_headers() -> list[str]:
    return [
        _("诉求编号"),
        _("受理时间"),
        _("渠道"),
        _("类型"),
        _("标题"),
        _("诉求内容"),
        _("分类"),
        _("区域"),
        _("地址"),
        _("诉求人"),
        _("联系电话"),
        _("主办单位"),
        _("状态"),
        _("预警灯"),
        _("办理期限"),
        _("答复时间"),
        _("办结时间"),
        _("督办"),
        _("重办次数"),
    ]


def export_rows(actor: Any, qs: QuerySet[Request]) -> Iterable[tuple[Any, ...]]:
    """The ledger's rows for Excel. Requesters are masked, and left out of an anonymous
    request (as on the page and in the API) and where the actor may not see them
    (``permissions.sees_requester``: confidential requests outside the actor's handling),
    decided in the query for all rows at once."""
    yes = _("是")
    if (seen := requester_seen_q(actor)) is not None:  # sees_requester, for all rows in one query
        qs = qs.annotate(requester_shown=ExpressionWrapper(seen, output_field=BooleanField()))
    for r in qs.select_related("category", "lead_unit", "node").iterator(chunk_size=2000):
        shown = not r.anonymous and getattr(r, "requester_shown", True)
        # Where the requester is hidden, so are the numbers typed into the text (requester_shown).
        text = (lambda value: value) if shown else crypto.mask_numbers_in_text
        yield (
            r.number,
            r.received_at,
            r.get_channel_display(),
            r.get_type_display(),
            text(r.title),
            text(r.content),
            r.category.full_name if r.category else "",
            r.node.name if r.node else "",
            text(r.address),
            r.requester_name_masked if shown else "",
            r.requester_phone_masked if shown else "",
            r.lead_unit.name if r.lead_unit else "",
            r.get_status_display(),
            r.get_light_display(),
            r.due_resolution_at,
            r.replied_at,
            r.closed_at,
            yes if r.supervised else "",
            r.reopen_count,
        )


def export(
    actor: Any, qs: QuerySet[Request], *, filters: dict[str, Any] | None = None, count: int | None = None
) -> HttpResponse:
    """The filtered ledger as .xlsx, audited (``exchange.exported``); refused above
    ``exchange.constants.EXPORT_MAX`` rows so that nobody downloads a whole city by mistake. ``filters`` (what
    was asked for, a phone masked) go into the audit row; ``count``, when the caller has
    counted the list already. A longer list is exported in the background instead
    (``exchange.views_export.export_now_or_later`` with ``EXPORT_SOURCE``)."""
    from civicgrid.exchange.exports import limit_export, xlsx_response

    limit_export(qs, _("共 {count} 件，超过单次导出上限 {limit} 件，请缩小筛选范围"), count=count)
    return xlsx_response(
        actor=actor,
        list_name=str(_("诉求台账")),
        headers=export_headers(),
        rows=export_rows(actor, qs),
        filters=filters,
    )


EXPORT_SOURCE = "requests.ledger"  # its key in ``exchange.background.SOURCES``
_LIST_FIELDS = ("status", "light", "type", "channel")
_DATE_FIELDS = ("received_from", "received_to", "overdue_at")


def filters_params(f: LedgerFilters) -> dict[str, Any]:
    """``f`` as JSON for a background export's job (``filters_from_params`` reads it back);
    a phone only encrypted, as every phone at rest."""
    params: dict[str, Any] = {}
    for name, value in asdict(f).items():
        if value in (None, "", False, []):
            continue
        if name in _DATE_FIELDS:
            value = value.isoformat()
        elif name == "phone":
            params["phone_key"] = crypto.blind_index(value)[:16]  # tells two phones apart
            name, value = "phone_enc", crypto.encrypt(value)
        params[name] = value
    return params


def filters_from_params(params: dict[str, Any]) -> LedgerFilters:
    values = dict(params)
    values.pop("phone_key", None)
    if "phone_enc" in values:
        values["phone"] = crypto.decrypt(values.pop("phone_enc"))
    for name in _DATE_FIELDS:
        if values.get(name):
            values[name] = date.fromisoformat(values[name])
    for name in _LIST_FIELDS:
        values[name] = list(values.get(name) or [])
    known = {f.name for f in fields(LedgerFilters)}
    return LedgerFilters(**{k: v for k, v in values.items() if k in known})


def export_source(actor: Any, params: dict[str, Any]) -> Any:
    """The background export's rows: the filters applied again, as the actor, now."""
    from civicgrid.exchange.exports import ExportSource

    qs = filter_requests(actor, filters_from_params(params))
    return ExportSource(str(_("诉求台账")), export_headers(), export_rows(actor, qs), qs.count)
