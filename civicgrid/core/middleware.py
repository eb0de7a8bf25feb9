"""Middleware: request metadata for the audit log, and one place that turns errors into pages."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from civicgrid.core.context import RequestMeta, new_request_id, reset_request_meta, set_request_meta
from civicgrid.core.errors import CivicError, ValidationError


def client_ip(request: HttpRequest) -> str | None:
    # Behind a reverse proxy the deployment sets SECURE_PROXY/forwarded handling there;
    # we trust REMOTE_ADDR, which the proxy's WSGI server sets from X-Forwarded-For.
    return request.META.get("REMOTE_ADDR") or None


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


def nul_field(request: HttpRequest) -> str | None:
    """The first query or form field whose value holds a NUL character, or None.

    PostgreSQL cannot store NUL in text, and a page handler that passed one on would fail
    with a server error; so no view sees one. Form bodies only: JSON bodies are checked by
    the API's parser, files are not text."""
    for data in (request.GET, request.POST):
        for key, values in data.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return key.replace("\x00", "") or "?"
    return None


class ErrorMiddleware:
    """Turns a CivicError escaping a page view into a Chinese message on a page (or JSON),
    and refuses query or form fields holding a NUL character before any view runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = nul_field(request)
        if field is not None:
            return self.error_response(request, ValidationError("不能包含空字符（\\u0000）", field=field))
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, CivicError):
            return None
        return self.error_response(request, exception)

    @staticmethod
    def error_response(request: HttpRequest, exception: CivicError) -> HttpResponse:
        wants_json = request.path.startswith("/api/") or "application/json" in request.headers.get(
            "Accept", ""
        )
        if wants_json:
            return JsonResponse(exception.as_dict(), status=exception.http_status)
        # The error page shows the message itself (adding it to ``messages`` too showed it twice).
        return render(
            request,
            "core/error.html",
            {"error": exception},
            status=exception.http_status,
        )
