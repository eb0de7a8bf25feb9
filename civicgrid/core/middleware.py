"""Middleware: request metadata for the audit log, and one place that turns errors into pages."""

import ipaddress
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DataError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from civicgrid.core import inputs
from civicgrid.core.context import RequestMeta, new_request_id, reset_request_meta, set_request_meta
from civicgrid.core.errors import CivicError, NotFound, PayloadTooLarge, ValidationError


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind ``TRUSTED_PROXIES`` reverse proxies the
    address the outermost of them saw (X-Forwarded-For, N-th from the right; what the client
    itself put further left is not trusted)."""
    proxies = settings.TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        addresses = [a.strip() for a in forwarded.split(",")]
        address = _address(addresses[-min(proxies, len(addresses))])
        if address is not None:
            return address
    return request.META.get("REMOTE_ADDR") or None


def _address(text: str) -> str | None:
    """An IP address as written by a proxy (``1.2.3.4``, ``1.2.3.4:443``, ``[::1]:443``), or
    None when it is none (the audit log's column takes addresses only)."""
    candidates = [text]
    if text.startswith("[") and "]" in text:
        candidates.append(text[1 : text.index("]")])
    elif text.count(":") == 1:
        candidates.append(text.split(":")[0])
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


HEALTH_PATH = "/healthz"


def health_response() -> JsonResponse:
    """200 with JSON when the database answers, 503 otherwise; the failure named by its
    kind only (its message may hold the database's address or user)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return JsonResponse(
            {"status": "error", "database": "unreachable", "detail": type(exc).__name__},
            status=503,
        )
    return JsonResponse({"status": "ok", "database": connection.vendor})


class HealthMiddleware:
    """``GET /healthz`` answered before anything reads the Host header: a local health check
    (``curl http://127.0.0.1:8000/healthz``) gets its answer whatever
    ``CIVICGRID_ALLOWED_HOSTS`` names, rather than the refusal of an unknown host. It runs
    right after ``SecurityMiddleware``, which leaves /healthz to plain HTTP
    (``SECURE_REDIRECT_EXEMPT``, so it never asks the host for a redirect) and still adds its
    headers; nothing of the request goes into the answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == HEALTH_PATH and request.method == "GET":
            return health_response()
        return self.get_response(request)


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request.headers.get("X-Request-ID", "")[:64] or new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        token = set_request_meta(RequestMeta(request_id=request_id, ip=client_ip(request)))
        try:
            response = self.get_response(request)
        finally:
            reset_request_meta(token)
        response["X-Request-ID"] = request_id
        return response


logger = logging.getLogger(__name__)
FORM = "application/x-www-form-urlencoded"


def body_too_large() -> PayloadTooLarge:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    return PayloadTooLarge(
        _("请求内容过大（不含文件最多 {megabytes} MB）").format(megabytes=limit // (1024 * 1024))
    )


def body_over_limit(request: HttpRequest) -> bool:
    """A body (other than file uploads, which stream) Django would refuse to read: refused
    here with a 413, since the API reads the body where nothing turns the refusal into one."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None or request.content_type == "multipart/form-data":
        return False
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > limit
    except ValueError:
        return False


def machine_facing(request: HttpRequest) -> bool:
    """The JSON API and the Open311 server: callers are programs, answers are JSON."""
    return request.path.startswith(("/api/", "/open311/"))


def reasons_beyond(exception: CivicError) -> list[str]:
    """The reasons of a refusal's ``detail`` (field → reasons) its message does not contain."""
    detail = exception.detail if isinstance(exception.detail, dict) else {}
    reasons = [str(r) for value in detail.values() if isinstance(value, list) for r in value]
    return [r for r in dict.fromkeys(reasons) if r not in exception.message]


def method_not_allowed(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """The JSON API's 405 in its own error shape, in Chinese, keeping ``Allow`` (Django Ninja
    answers a plain-text "Method not allowed")."""
    if "application/json" in response.get("Content-Type", ""):
        return response
    allowed = response.get("Allow", "")
    message = _("不支持 {method} 请求，可用：{allowed}").format(method=request.method, allowed=allowed or "—")
    body = CivicError(message, code="method_not_allowed").as_dict()
    answer = JsonResponse(body, status=405, json_dumps_params={"ensure_ascii": False})
    if allowed:
        answer["Allow"] = allowed
    return answer


class ErrorMiddleware:
    """Turns a CivicError escaping a page view into a Chinese message on a page (or JSON), and
    refuses input no view should see (``core.inputs``: NUL, lone surrogates, a path segment
    beyond 64 bits, a body over the size limit) before any view runs (an integer parameter's
    range is checked by its schema: ``core.api_types.Integer``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if inputs.path_problem(request.path):
            return self.error_response(request, NotFound(_("页面不存在")))
        if body_over_limit(request):
            return self.error_response(request, body_too_large())
        if request.content_type == FORM and (charset := inputs.declared_charset(request)) != "utf-8":
            # Django refuses to read such a form (a bare 400); say why, naming the header
            reason = _("表单须用 UTF-8 编码，不能是 {charset}").format(charset=charset.upper())
            return self.error_response(request, ValidationError(errors={"Content-Type": [reason]}))
        try:
            found = inputs.query_problem(request)
            if found is not None and inputs.view_checks_query(request):
                inputs.keep_query_problem(request, found)  # the view says it, its form kept
                found = None
            found = found or inputs.form_problem(request)
        except RequestDataTooBig:
            return self.error_response(request, body_too_large())
        if found is not None:
            field, reason = found
            return self.error_response(request, ValidationError(errors={field: [reason]}))
        response = self.get_response(request)
        if response.status_code == 405 and request.path.startswith("/api/"):
            return method_not_allowed(request, response)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OverflowError):  # a date or number beyond range in a page's input
            logger.warning("input out of range on %s", request.path, exc_info=exception)
            return self.error_response(request, ValidationError(_("日期或数值超出范围")))
        if isinstance(exception, DataError):  # a value the column cannot hold (PostgreSQL refuses it)
            logger.warning("input beyond a column on %s", request.path, exc_info=exception)
            return self.error_response(request, ValidationError(_("输入的内容超出允许的长度或范围")))
        if not isinstance(exception, CivicError):
            return None
        return self.error_response(request, exception)

    @classmethod
    def error_response(cls, request: HttpRequest, exception: CivicError) -> HttpResponse:
        response = cls._error_body(request, exception)
        if exception.retry_after is not None:
            response["Retry-After"] = str(exception.retry_after)
        return response

    @staticmethod
    def _error_body(request: HttpRequest, exception: CivicError) -> HttpResponse:
        if request.path.startswith("/open311/"):  # GeoReport v2's error list
            status = exception.http_status if exception.http_status in (403, 404, 413) else 400
            # GeoReport's rows have no field of their own: each names its parameter, as
            # ``open311.views.errors_body`` does (the reasons alone are ``message``).
            rows = [{"code": status, "description": exception.message}]
            if isinstance(exception, ValidationError) and exception.errors:
                rows = [
                    {"code": status, "description": f"{field}：{reason}"}
                    for field, reasons in exception.errors.items()
                    for reason in reasons
                ]
            return JsonResponse(
                rows,
                safe=False,
                status=status,
                json_dumps_params={"ensure_ascii": False},
            )
        if machine_facing(request) or "application/json" in request.headers.get("Accept", ""):
            return JsonResponse(exception.as_dict(), status=exception.http_status)
        # The error page shows the message itself (adding it to ``messages`` too showed it twice),
        # and any field's reason the message does not already say — never the field codes,
        # which are for programs (a resident saw "note：不能包含空字符").
        return render(
            request,
            "core/error.html",
            {"error": exception, "more": reasons_beyond(exception)},
            status=exception.http_status,
        )
