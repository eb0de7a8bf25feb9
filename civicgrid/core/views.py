from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from civicgrid.core.errors import CivicError, NotFound, PermissionDenied
from civicgrid.core.middleware import ErrorMiddleware, health_response, machine_facing


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with JSON when the database answers, 503 otherwise. ``HealthMiddleware`` answers
    ``GET /healthz`` before any host check; this view keeps the URL's name and its 405."""
    return health_response()


# Error pages with DEBUG off (civicgrid/urls.py handler404/403/400/500, CSRF_FAILURE_VIEW):
# Chinese, JSON for programs (the API and Open311), the site's layout for people.

SECRET_FIELDS = ("password", "token", "csrf")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return ErrorMiddleware.error_response(request, NotFound(_("页面不存在，请检查地址")))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if isinstance(exception, CivicError) else _("您无权访问此页面")
    return ErrorMiddleware.error_response(request, PermissionDenied(message))


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A 400 (not the 422 of a form's bad input). An unknown host says what the administrator
    has to do, never the host itself (the sender chose it); the log line names the setting
    too (``core.logfilters.AllowedHostsHint``)."""
    if isinstance(exception, DisallowedHost):
        message = _("该访问地址（域名）未在 CIVICGRID_ALLOWED_HOSTS 中登记，请联系系统管理员")
        return ErrorMiddleware.error_response(request, CivicError(message, code="disallowed_host"))
    message = _("请求无效，请检查后重试")
    return ErrorMiddleware.error_response(request, CivicError(message, code="bad_request"))


def server_error(request: HttpRequest) -> HttpResponse:
    """A page that needs nothing that may have failed: no database, no menu, no session."""
    message = _("系统内部错误，已记录，请稍后再试；如仍出现请联系系统管理员。")
    if request.path.startswith("/open311/"):  # GeoReport v2's error list
        return JsonResponse(
            [{"code": 500, "description": message}],
            safe=False,
            status=500,
            json_dumps_params={"ensure_ascii": False},
        )
    if machine_facing(request):
        return JsonResponse({"code": "error", "message": message, "detail": None}, status=500)
    return HttpResponse(
        loader.get_template("core/server_error.html").render({"message": message}), status=500
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent from a page that is no longer valid (signed in again in another tab, or
    left open past the session): say so in Chinese, and show what was typed so that it is
    not lost. Not when the request came from another site (its Origin or Referer failed):
    such a page must not get to put its text on ours."""
    message = _(
        "页面已过期（可能已在其他窗口重新登录或登录已超时），本次提交未生效。请返回上一页、刷新后重新提交。"
    )
    from_elsewhere = reason.startswith(("Origin checking failed", "Referer checking failed"))
    return stale_form_page(request, message, status=403, echo=not from_elsewhere)


def stale_form_page(request: HttpRequest, message: str, *, status: int, echo: bool = True) -> HttpResponse:
    """The page for a form that could not be taken (CSRF failure, idle sign-out): the reason,
    and what was typed listed as text to copy, nothing sent again (JSON for programs)."""
    if machine_facing(request) or "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"code": "forbidden", "message": message, "detail": None}, status=status)
    typed = [
        value
        for name, values in request.POST.lists()
        if not any(word in name.lower() for word in SECRET_FIELDS)
        for value in values
        if isinstance(value, str) and value.strip() and not value.strip().isdecimal()  # ids of choices
    ]
    context = {"message": message, "typed": typed if echo else []}
    return render(request, "core/csrf_failure.html", context, status=status)
