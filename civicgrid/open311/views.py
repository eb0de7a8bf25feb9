"""Open311 GeoReport v2 at /open311/v2/ (JSON, or XML at the same addresses ending in
``.xml``), with FixMyStreet's update history.

Reads carry no personal data: without ``api_key`` a caller gets the public view of the
requests about public places, if the deployment turned it on (else 403); with one (an
``Authorization: Bearer`` header), also the requests its account may read, in full
(``audience``). Filing a request needs
``api_key`` in the POST body (or that header): an API token (``civicgrid apitoken create
--user NAME``) whose account may take in requests; an ``api_key`` in the query string is
refused (400) and never read (an empty one is ignored); the request is created
by the same service as every other channel (channel ``open311``). Every answer, errors
included, is Open311's: ``[{"code": 400, "description": "…"}]`` (XML: ``<errors>``); nothing here relies on a
session, so there is no CSRF check.
"""

from collections.abc import Callable
from datetime import datetime, time, timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from civicgrid.core.errors import CivicError, NotFound, ValidationError
from civicgrid.open311 import audience, filing, present, xmlformat
from civicgrid.requests import services
from civicgrid.requests.api.public import PUBLIC_ACTIONS
from civicgrid.requests.models import Category, Request, RequestEvent
from civicgrid.requests.selectors import leaf_categories
from civicgrid.requests.transitions import TRANSITIONS
from civicgrid.territory.models import Node, NodeKind

# The history rows that are updates: the public actions, and every action that changes the
# request's status (a return asked for, approved or refused changes what requests.json says;
# its note stays inside), so the feed and ``?extensions=true`` end on requests.json's status.
STATUS_ACTIONS = frozenset(action for action, rule in TRANSITIONS.items() if rule.target is not None)
UPDATE_ACTIONS = PUBLIC_ACTIONS | STATUS_ACTIONS
MAX_RESULTS = 1000
DEFAULT_REQUEST_DAYS = 90
DEFAULT_UPDATE_HOURS = 24
MAX_IDS = 100
MIN_YEAR, MAX_YEAR = 1900, 2999  # start_date / end_date
CHANGESET = "2026-11-23"  # the last change of this server's interface (discovery.json)

# Our field names (services' errors) → the Open311 parameter a client sent.
FIELD_NAMES = {
    "title": "description",
    "content": "description",
    "category": "service_code",
    "requester_phone": "phone",
    "requester_email": "email",
    "requester_name": "last_name",
    "lon": "long",
    "lat": "lat",
    "address": "address_string",
    "attachments": "media_url",
}


def respond(data: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(data, safe=False, status=status, json_dumps_params={"ensure_ascii": False})


def errors_body(exc: CivicError) -> tuple[list[dict[str, Any]], int]:
    status = exc.http_status if exc.http_status in (403, 404, 413) else 400
    if isinstance(exc, ValidationError) and exc.errors:
        rows = [
            {"code": status, "description": f"{FIELD_NAMES.get(field, field)}：{reason}"}
            for field, reasons in exc.errors.items()
            for reason in reasons
        ]
        return rows, status
    return [{"code": status, "description": exc.message}], status


def answer(data: Any, status: int, fmt: str, root: str, item: str) -> HttpResponse:
    """``data`` as JSON, or with ``fmt`` "xml" as GeoReport v2's XML (``root`` of ``item``s)."""
    if fmt == "xml":
        return xmlformat.respond(data, root, item, status)
    return respond(data, status)


def open311(
    *methods: str, root: str, item: str = ""
) -> Callable[[Callable[..., Any]], Callable[..., HttpResponse]]:
    """JSON or XML out (the address's ``.json`` or ``.xml``: ``fmt``; XML's ``root`` element
    holds an ``item`` per row) for ``methods`` (HEAD too where GET is), any other method 405,
    CivicError → Open311's error list with 400/403/404/413 (XML: ``<errors>`` of ``<error>``);
    exempt from CSRF (no session is used)."""
    allowed = {*methods, *(("HEAD",) if "GET" in methods else ())}

    def decorate(view: Callable[..., Any]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, fmt: str = "json", **kwargs: Any) -> HttpResponse:
            if request.method not in allowed:
                return not_allowed(request, methods, allowed, fmt)
            try:
                check_jurisdiction(request.GET)
                data, status = view(request, *args, **kwargs)
                return answer(data, status, fmt, root, item)
            except CivicError as exc:
                body, status = errors_body(exc)
                return answer(body, status, fmt, "errors", "error")

        return wrapper

    return decorate


def not_allowed(request: HttpRequest, methods: tuple[str, ...], allowed: set[str], fmt: str) -> HttpResponse:
    message = _("此地址不支持 {method} 请求，请用 {allowed}").format(
        method=request.method, allowed="、".join(methods)
    )
    response = answer([{"code": 405, "description": message}], 405, fmt, "errors", "error")
    response["Allow"] = ", ".join(sorted(allowed))
    return response


# ---------------------------------------------------------------- input checks


def jurisdictions() -> list[str]:
    """The ``jurisdiction_id`` values this server answers to: ``OPEN311_JURISDICTION_IDS``, or
    by default the codes of the active districts."""
    if settings.OPEN311_JURISDICTION_IDS:
        return list(settings.OPEN311_JURISDICTION_IDS)
    districts = Node.objects.filter(kind=NodeKind.DISTRICT, is_active=True).order_by("code")
    return list(districts.values_list("code", flat=True))


def check_jurisdiction(params: Any) -> None:
    """GeoReport v2's 404 "jurisdiction_id not found" for a ``jurisdiction_id`` this server
    does not serve (it was accepted and ignored: a client pointed at the wrong server, or
    with the wrong id, filed and read here unawares). None sent is this server's own."""
    sent = (params.get("jurisdiction_id") or "").strip()
    if not sent:
        return
    known = jurisdictions()
    if sent not in known:
        raise NotFound(
            _("jurisdiction_id：本服务不受理辖区 {sent}（可用：{known}）").format(
                sent=sent, known="、".join(known) or "—"
            )
        )


def parse_moment(params: Any, name: str, *, end_of_day: bool = False) -> datetime | None:
    """A W3C date-time, or a date: its first moment, or its last with ``end_of_day`` (an
    ``end_date`` of a day covers the whole of it), in local time (Asia/Shanghai)."""
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:  # well-formed but impossible (hour 25, offset +99:00) raises ValueError
        moment = parse_datetime(raw.replace(" ", "+")) if "T" in raw else None
    except ValueError:
        moment = None
    if moment is None and (day := _date_or_none(raw)) is not None:
        moment = datetime.combine(day, time.max if end_of_day else time.min)
    if moment is None:
        raise ValidationError(_("应为 ISO 8601 时间，如 2026-01-31T08:00:00+08:00"), field=name)
    if not MIN_YEAR <= moment.year <= MAX_YEAR:  # the window's arithmetic would overflow
        raise ValidationError(
            _("应在 {min_year} 至 {max_year} 年之间").format(min_year=MIN_YEAR, max_year=MAX_YEAR),
            field=name,
        )
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _date_or_none(raw: str) -> Any:
    try:
        return parse_date(raw)
    except ValueError:
        return None


def window(params: Any, default: timedelta) -> tuple[datetime, datetime]:
    start, end = parse_moment(params, "start_date"), parse_moment(params, "end_date", end_of_day=True)
    end = end or timezone.now()
    start = start or end - default
    if start > end:
        raise ValidationError(_("不能晚于 end_date"), field="start_date")
    return start, end


def comma_list(params: Any, name: str, limit: int = MAX_IDS) -> list[str]:
    values = [v.strip() for v in (params.get(name) or "").split(",") if v.strip()]
    if len(values) > limit:
        raise ValidationError(_("最多{limit}个").format(limit=limit), field=name)
    return values


def current_leaf(code: str) -> Category:
    category = leaf_categories().select_related("parent__parent").filter(code=code).first()
    if category is None:
        raise NotFound(_("服务类型不存在：{code}").format(code=code))
    return category


# ---------------------------------------------------------------- services


@open311("GET", root="discovery")
def discovery(request: HttpRequest) -> tuple[Any, int]:
    base = request.build_absolute_uri("/open311/v2/")
    endpoint = {
        "specification": "http://wiki.open311.org/GeoReport_v2",
        "url": base,
        "changeset": CHANGESET,
        "type": "production",
        "formats": ["application/json", "text/xml"],
    }
    return {
        "changeset": endpoint["changeset"],
        "contact": "",
        "key_service": "",
        "endpoints": [endpoint],
    }, 200


@open311("GET", root="services", item="service")
def service_list(request: HttpRequest) -> tuple[Any, int]:
    leaves = leaf_categories().select_related("parent__parent")
    return [present.service(c) for c in leaves], 200


@open311("GET", root="service_definition")
def service_definition(request: HttpRequest, code: str) -> tuple[Any, int]:
    return present.service_definition(current_leaf(code)), 200


# ---------------------------------------------------------------- requests


def _requests() -> QuerySet[Request]:
    return Request.objects.select_related("category", "lead_unit", "merged_into")


def filtered_requests(params: Any) -> QuerySet[Request]:
    ids = comma_list(params, "service_request_id")
    if ids:
        return _requests().filter(number__in=ids)
    qs = _requests()
    if codes := comma_list(params, "service_code"):
        qs = qs.filter(category__code__in=codes)
    statuses = [s.lower() for s in comma_list(params, "status", 2)]  # OPEN as open
    if bad := [s for s in statuses if s not in ("open", "closed")]:
        raise ValidationError(
            _("只能是 open 或 closed，不能是 {bad}").format(bad="、".join(bad)), field="status"
        )
    if statuses == ["open"]:
        qs = qs.exclude(status__in=present.CLOSED_STATUSES)
    elif statuses == ["closed"]:
        qs = qs.filter(status__in=present.CLOSED_STATUSES)
    start, end = window(params, timedelta(days=DEFAULT_REQUEST_DAYS))
    return qs.filter(received_at__gte=start, received_at__lte=end)


def request_list(request: HttpRequest) -> tuple[Any, int]:
    user = audience.reader(request)
    qs = audience.requests_for(filtered_requests(request.GET), user)
    found = list(qs.order_by("-received_at", "-id")[:MAX_RESULTS])
    places = present.places([r for r in found if not audience.full(r)])
    return [present.service_request(r, audience.full(r), places) for r in found], 200


def request_create(request: HttpRequest) -> tuple[Any, int]:
    params = filing.post_params(request)
    check_jurisdiction(params)  # the query string's: checked by ``open311`` as for a GET
    actor = filing.caller(request, params)
    created = services.request_create(actor=actor, data=filing.new_request(params))
    created = _requests().get(pk=created.pk)
    if created.lead_unit is not None:
        notice = _("已受理，诉求编号 {number}，由{unit}办理").format(
            number=created.number, unit=created.lead_unit.name
        )
    else:
        notice = _("已受理，诉求编号 {number}").format(number=created.number)
    return [{"service_request_id": created.number, "service_notice": notice, "account_id": None}], 201


@open311("GET", "POST", root="service_requests", item="request")
def requests_collection(request: HttpRequest) -> tuple[Any, int]:
    if request.method == "POST":
        return request_create(request)
    return request_list(request)


def wants_extensions(request: HttpRequest) -> bool:
    return request.GET.get("extensions", "").strip().lower() in ("true", "1", "yes")


def updates_of(request: Request, full: bool) -> list[dict[str, Any]]:
    events = RequestEvent.objects.filter(request=request, action__in=UPDATE_ACTIONS)
    rows = []
    for event in events.select_related("unit").order_by("created_at", "id"):
        event.request = request
        rows.append(present.update(event, full))
    return rows


@open311("GET", root="service_requests", item="request")
def request_detail(request: HttpRequest, number: str) -> tuple[Any, int]:
    user = audience.reader(request)
    found = audience.requests_for(_requests().filter(number=number), user).first()
    if found is None:  # the same answer for a request that exists but is not for this caller
        raise NotFound(_("诉求不存在：{number}").format(number=number))
    full = audience.full(found)
    row = present.service_request(found, full, present.places([] if full else [found]))
    if wants_extensions(request):
        row["updates"] = updates_of(found, full)
    return [row], 200


@open311("GET", root="service_requests_updates", item="request_update")
def request_updates(request: HttpRequest) -> tuple[Any, int]:
    user = audience.reader(request)
    start, end = window(request.GET, timedelta(hours=DEFAULT_UPDATE_HOURS))
    events = RequestEvent.objects.filter(
        action__in=UPDATE_ACTIONS, created_at__gte=start, created_at__lte=end
    ).select_related("request", "unit")
    found = list(audience.events_for(events, user).order_by("created_at", "id")[: MAX_RESULTS + 1])
    if len(found) > MAX_RESULTS:
        # FixMyStreet takes the answer as every update of the window: the oldest 1,000 alone
        # would drop the rest unseen. The caller narrows the window (pages by time) instead.
        raise ValidationError(
            _("该时段内的更新超过{limit}条，请缩小时段（start_date 至 end_date）分段获取").format(
                limit=MAX_RESULTS
            )
        )
    return [present.update(e, audience.full(e)) for e in found], 200
