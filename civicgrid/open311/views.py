"""Open311 GeoReport v2 at /open311/v2/ (JSON), with FixMyStreet's update history.

Reads are public and carry no personal data. Filing a request needs ``api_key``: an API
token (``civicgrid apitoken create --user NAME``) whose account may take in requests; the
request is created by the same service as every other channel (channel ``open311``).
Errors come back as Open311 wants them: ``[{"code": 400, "description": "…"}]``.
"""

import json
from collections.abc import Callable
from datetime import datetime, time, timedelta
from functools import wraps
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from civicgrid.api import user_for_token
from civicgrid.core.errors import CivicError, NotFound, PermissionDenied, ValidationError
from civicgrid.core.inputs import json_problem
from civicgrid.open311 import present
from civicgrid.requests import services
from civicgrid.requests.api.public import PUBLIC_ACTIONS
from civicgrid.requests.constants import Channel, RequestType
from civicgrid.requests.models import Category, Request, RequestEvent
from civicgrid.requests.selectors import leaf_categories

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


def open311(view: Callable[..., Any]) -> Callable[..., HttpResponse]:
    """JSON out, CivicError → Open311 error list with 400/403/404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return respond(*view(request, *args, **kwargs))
        except CivicError as exc:
            body, status = errors_body(exc)
            return respond(body, status)

    return wrapper


# ---------------------------------------------------------------- input checks


def parse_moment(params: Any, name: str) -> datetime | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:  # well-formed but impossible (hour 25, offset +99:00) raises ValueError
        moment = parse_datetime(raw.replace(" ", "+")) if "T" in raw else None
    except ValueError:
        moment = None
    if moment is None and (day := _date_or_none(raw)) is not None:
        moment = datetime.combine(day, time.min)
    if moment is None:
        raise ValidationError(
            _("{name} 应为 ISO 8601 时间，如 2026-01-31T08:00:00+08:00").format(name=name), field=name
        )
    if not MIN_YEAR <= moment.year <= MAX_YEAR:  # the window's arithmetic would overflow
        raise ValidationError(
            _("{name} 应在 {min_year} 至 {max_year} 年之间").format(
                name=name, min_year=MIN_YEAR, max_year=MAX_YEAR
            ),
            field=name,
        )
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _date_or_none(raw: str) -> Any:
    try:
        return parse_date(raw)
    except ValueError:
        return None


def window(params: Any, default: timedelta) -> tuple[datetime, datetime]:
    start, end = parse_moment(params, "start_date"), parse_moment(params, "end_date")
    end = end or timezone.now()
    start = start or end - default
    if start > end:
        raise ValidationError(_("start_date 不能晚于 end_date"), field="start_date")
    return start, end


def comma_list(params: Any, name: str, limit: int = MAX_IDS) -> list[str]:
    values = [v.strip() for v in (params.get(name) or "").split(",") if v.strip()]
    if len(values) > limit:
        raise ValidationError(_("{name} 最多{limit}个").format(name=name, limit=limit), field=name)
    return values


def current_leaf(code: str) -> Category:
    category = leaf_categories().select_related("parent__parent").filter(code=code).first()
    if category is None:
        raise NotFound(_("服务类型不存在：{code}").format(code=code))
    return category


# ---------------------------------------------------------------- services


@require_GET
@open311
def discovery(request: HttpRequest) -> tuple[Any, int]:
    base = request.build_absolute_uri("/open311/v2/")
    endpoint = {
        "specification": "http://wiki.open311.org/GeoReport_v2",
        "url": base,
        "changeset": CHANGESET,
        "type": "production",
        "formats": ["application/json"],
    }
    return {
        "changeset": endpoint["changeset"],
        "contact": "",
        "key_service": "",
        "endpoints": [endpoint],
    }, 200


@require_GET
@open311
def service_list(request: HttpRequest) -> tuple[Any, int]:
    leaves = leaf_categories().select_related("parent__parent")
    return [present.service(c) for c in leaves], 200


@require_GET
@open311
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
    statuses = comma_list(params, "status", 2)
    if bad := [s for s in statuses if s not in ("open", "closed")]:
        raise ValidationError(
            _("status 只能是 open 或 closed：{bad}").format(bad="、".join(bad)), field="status"
        )
    if statuses == ["open"]:
        qs = qs.exclude(status__in=present.CLOSED_STATUSES)
    elif statuses == ["closed"]:
        qs = qs.filter(status__in=present.CLOSED_STATUSES)
    start, end = window(params, timedelta(days=DEFAULT_REQUEST_DAYS))
    return qs.filter(received_at__gte=start, received_at__lte=end)


def request_list(request: HttpRequest) -> tuple[Any, int]:
    qs = filtered_requests(request.GET).order_by("-received_at", "-id")[:MAX_RESULTS]
    return [present.service_request(r) for r in qs], 200


def post_params(request: HttpRequest) -> dict[str, str]:
    if request.content_type == "application/json":
        raw = request.body or b"{}"  # its size was checked by ErrorMiddleware
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):
            raise ValidationError(_("请求体不是有效的 JSON"), field="body") from None
        if not isinstance(body, dict):
            raise ValidationError(_("请求体应为 JSON 对象"), field="body")
        found = json_problem(body, raw)
        if found is not None:
            raise ValidationError(found[1], field=found[0])
        return {str(k): "" if v is None else str(v) for k, v in body.items()}
    return {k: request.POST.get(k, "") for k in request.POST}


def caller(request: HttpRequest, params: dict[str, str]) -> Any:
    key = params.get("api_key", "").strip() or request.GET.get("api_key", "").strip()
    user = user_for_token(key) if key else None
    if user is None:
        raise PermissionDenied(_("api_key 缺失或无效"))
    return user


def _float(params: dict[str, str], name: str, errors: dict[str, list[str]]) -> float | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        errors[name] = [_("{name} 应为数字").format(name=name)]
        return None


def new_request(params: dict[str, str]) -> services.NewRequest:
    errors: dict[str, list[str]] = {}
    code = params.get("service_code", "").strip()
    category = leaf_categories().filter(code=code).select_related("version").first() if code else None
    if category is None:
        errors["service_code"] = [
            _("请填写有效的服务类型（见 services.json）") if code else _("请填写服务类型")
        ]
    lat, lon = _float(params, "lat", errors), _float(params, "long", errors)
    address = params.get("address_string", "").strip()
    if (lat is None or lon is None) and not address and "lat" not in errors and "long" not in errors:
        errors["lat"] = [_("请提供位置：lat 和 long，或 address_string")]
    description = params.get("description", "").strip()
    if not description:
        errors["description"] = [_("请填写问题描述")]
    if errors:
        raise ValidationError(errors=errors)
    name = (params.get("last_name", "").strip() + params.get("first_name", "").strip())[:50]
    phone = params.get("phone", "").strip()
    return services.NewRequest(
        channel=Channel.OPEN311,
        type=RequestType.COMPLAINT,
        title=(description.splitlines()[0][:40] or (category.name if category else "")).strip(),
        content=description,
        address=address[:255],
        lon=lon if lat is not None else None,
        lat=lat if lon is not None else None,
        requester_name=name,
        requester_phone=phone,
        anonymous=not (name or phone),
        category=category,
        external_id=params.get("device_id", "").strip()[:64],
    )


def request_create(request: HttpRequest) -> tuple[Any, int]:
    params = post_params(request)
    actor = caller(request, params)
    created = services.request_create(actor=actor, data=new_request(params))
    created = _requests().get(pk=created.pk)
    if created.lead_unit is not None:
        notice = _("已受理，诉求编号 {number}，由{unit}办理").format(
            number=created.number, unit=created.lead_unit.name
        )
    else:
        notice = _("已受理，诉求编号 {number}").format(number=created.number)
    return [{"service_request_id": created.number, "service_notice": notice, "account_id": None}], 201


@csrf_exempt
@require_http_methods(["GET", "POST"])
@open311
def requests_collection(request: HttpRequest) -> tuple[Any, int]:
    if request.method == "POST":
        return request_create(request)
    return request_list(request)


def wants_extensions(request: HttpRequest) -> bool:
    return request.GET.get("extensions", "").strip().lower() in ("true", "1", "yes")


def updates_of(request: Request) -> list[dict[str, Any]]:
    events = RequestEvent.objects.filter(request=request, action__in=PUBLIC_ACTIONS)
    rows = []
    for event in events.select_related("unit").order_by("created_at", "id"):
        event.request = request
        rows.append(present.update(event))
    return rows


@require_GET
@open311
def request_detail(request: HttpRequest, number: str) -> tuple[Any, int]:
    found = _requests().filter(number=number).first()
    if found is None:
        raise NotFound(_("诉求不存在：{number}").format(number=number))
    row = present.service_request(found)
    if wants_extensions(request):
        row["updates"] = updates_of(found)
    return [row], 200


@require_GET
@open311
def request_updates(request: HttpRequest) -> tuple[Any, int]:
    start, end = window(request.GET, timedelta(hours=DEFAULT_UPDATE_HOURS))
    events = (
        RequestEvent.objects.filter(action__in=PUBLIC_ACTIONS, created_at__gte=start, created_at__lte=end)
        .select_related("request", "unit")
        .order_by("created_at", "id")[:MAX_RESULTS]
    )
    return [present.update(e) for e in events], 200


@open311
def xml_not_supported(request: HttpRequest, rest: str) -> tuple[Any, int]:
    raise ValidationError(_("本服务只提供 JSON 格式，请把 .xml 换成 .json"), field="format")
