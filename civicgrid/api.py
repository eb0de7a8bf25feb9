"""The JSON API: one NinjaAPI, routers contributed by each domain app.

Auth: a bearer token (``civicgrid apitoken create --user NAME``) for other systems, or
the signed-in session (with CSRF) for the product's own pages. Every error comes back as
``{"code", "message", "detail"}`` with Chinese messages.
"""

import importlib
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth

from civicgrid.accounts.models import ApiToken, hash_token
from civicgrid.core.errors import CivicError


def _user_for_token(raw: str) -> Any:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = _user_for_token(token)
        if user is not None:
            request.user = user
        return user


class HeaderTokenAuth(APIKeyHeader):
    param_name = "X-API-Token"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = _user_for_token(key or "")
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="civicgrid API",
    version="1",
    description="党建引领网格化基层治理平台接口。认证：Authorization: Bearer <令牌>，或已登录的会话。",
    docs_url="/docs",
    urls_namespace="api",
    auth=[BearerAuth(), HeaderTokenAuth(), SessionAuth()],
)

FIELD_NAMES = {"body": "请求体", "query": "查询参数", "path": "路径参数"}


def _loc_name(loc: list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "data")]
    return ".".join(parts) or FIELD_NAMES.get(str(loc[0]), "请求") if loc else "请求"


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    detail: dict[str, list[str]] = {}
    for error in exc.errors:
        name = _loc_name(list(error.get("loc", [])))
        kind = error.get("type", "")
        reason = {
            "missing": "必填",
            "int_parsing": "应为整数",
            "float_parsing": "应为数字",
            "bool_parsing": "应为布尔值",
            "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
            "date_parsing": "应为日期（YYYY-MM-DD）",
            "string_too_long": "太长",
            "json_invalid": "不是有效的 JSON",
        }.get(kind) or str(error.get("msg") or "取值无效")
        detail.setdefault(name, []).append(reason)
    message = "；".join(f"{k}：{'，'.join(v)}" for k, v in detail.items())
    return api.create_response(
        request, {"code": "invalid", "message": message or "请求参数无效", "detail": detail}, status=422
    )


@api.exception_handler(CivicError)
def _civic_error(request: HttpRequest, exc: CivicError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.http_status)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"code": "unauthorized", "message": "未登录或令牌无效", "detail": None}, status=401
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(
        request, {"code": "error", "message": str(exc), "detail": None}, status=exc.status_code
    )


def _register_routers() -> None:
    from civicgrid.registry.api import router as registry_router
    from civicgrid.requests.api import router as requests_router
    from civicgrid.territory.api import router as territory_router

    api.add_router("/v1/territory/", territory_router)
    api.add_router("/v1/registry/", registry_router)
    api.add_router("/v1/requests/", requests_router)
    # The apps of issues 4-7 each own one router.
    for label in ("classifier", "governance", "points", "volunteers", "party", "gridwork"):
        module = importlib.import_module(f"civicgrid.{label}.api")
        api.add_router(f"/v1/{label}/", module.router)


_register_routers()
