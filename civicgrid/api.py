"""The JSON API: one NinjaAPI, routers contributed by each domain app.

Auth: a bearer token (``civicgrid apitoken create --user NAME``, or 新增接口令牌 in the
security administrator's pages) of an active business account for other systems (an
administrator's token is refused: 三员分立), or
the signed-in session (with CSRF) for the product's own pages. Every error comes back as
``{"code", "message", "detail"}`` with Chinese messages.
"""

import importlib
import json
import logging
from datetime import timedelta
from functools import cache, partial
from typing import Any

from django.db import DataError, connection
from django.http import HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.urls import path
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationErrorContext
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.openapi.views import openapi_json
from ninja.parser import Parser
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth
from ninja.utils import check_csrf

from civicgrid.accounts.models import ApiToken, RoleAssignment, User, hash_token
from civicgrid.accounts.selectors import remember_assignments
from civicgrid.api_errors import FIELD_LABELS
from civicgrid.core.context import note_via
from civicgrid.core.errors import CivicError, ValidationError
from civicgrid.core.inputs import json_body_text, json_problem
from civicgrid.territory.models import Node

logger = logging.getLogger(__name__)

TOKEN_TOUCH_SECONDS = 60  # how often a token's last use is written


def user_for_token(raw: str) -> Any:
    """The user of a token that may be used now, or None (``token_user`` says why not)."""
    return token_user(raw)[0]


def token_user(raw: str) -> tuple[Any, str]:
    """The user of an unrevoked token and "", or None and why the token is refused ("" when
    it is unknown): expired, its account disabled, or the account's password set by an
    administrator and not yet changed by its user (the forced change is not bypassed by a
    token: 三员分立). Their roles come in the same query (what ``accounts.selectors`` would
    read next), so that the call's scope costs no more."""
    now = timezone.now()
    touched_before = connection.ops.adapt_datetimefield_value(now - timedelta(seconds=TOKEN_TOUCH_SECONDS))
    with connection.cursor() as cursor:
        cursor.execute(
            _token_sql(), [touched_before, connection.ops.adapt_datetimefield_value(now), hash_token(raw)]
        )
        rows = cursor.fetchall()
    if not rows:
        return None, ""
    # A plain cursor and ``from_db``: a raw queryset would map its columns anew on every call.
    width = len(_user_fields())
    first = rows[0]
    user = User.from_db(connection.alias, _user_fields(), _to_python(first[:width]))
    token_id, token_stale, token_name, token_prefix, token_expired = first[width : width + 5]
    if token_expired:
        return None, _("令牌已过期，请联系安全管理员重新创建")
    if not user.is_active:
        return None, _("令牌所属账号已停用")
    if user.must_change_password:
        return None, _("令牌所属账号的密码由管理员设置，须先由本人登录修改密码，令牌才能使用")
    note_via(_("令牌 {name}（{prefix}…）").format(name=token_name, prefix=token_prefix))
    remember_assignments(user, [(row[-2], row[-1]) for row in rows if row[-2] is not None])
    if token_stale:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    return user, ""


@cache
def _user_fields() -> list[str]:
    return [f.attname for f in User._meta.concrete_fields]


def _to_python(values: tuple[Any, ...]) -> list[Any]:
    """The user's column values as Django reads them (the backend's converters: SQLite's
    datetimes and booleans; none on PostgreSQL)."""
    converters = _user_converters(connection.vendor)
    if not converters:
        return list(values)
    row = list(values)
    for i, expression, convert in converters:
        row[i] = convert(row[i], expression, connection)
    return row


@cache
def _user_converters(vendor: str) -> list[tuple[int, Any, Any]]:
    table = User._meta.db_table
    found = []
    for i, field in enumerate(User._meta.concrete_fields):
        column = field.get_col(table)
        for convert in connection.ops.get_db_converters(column) + column.get_db_converters(connection):
            found.append((i, column, convert))
    return found


@cache
def _token_sql() -> str:
    """The user's columns, then the token's id, whether it is stale (last use not recorded
    within ``TOKEN_TOUCH_SECONDS``), its name and prefix (for the audit rows of the call),
    whether it has expired, and
    the role and its node's path: a row per role on an active node (one row with none when
    the user has no role)."""
    qn = connection.ops.quote_name
    columns = ", ".join(f"u.{qn(f.column)}" for f in User._meta.concrete_fields)
    return (
        f"SELECT {columns}, t.id AS token_id, "  # noqa: S608 (names from the models' metadata)
        "(t.last_used_at IS NULL OR t.last_used_at < %s) AS token_stale, t.name, t.prefix, "
        "(t.expires_at IS NOT NULL AND t.expires_at <= %s) AS token_expired, "
        "r.role AS role_name, r.path AS role_path "
        f"FROM {qn(ApiToken._meta.db_table)} t JOIN {qn(User._meta.db_table)} u ON u.id = t.user_id "
        f"LEFT JOIN (SELECT a.user_id, a.role, n.path FROM {qn(RoleAssignment._meta.db_table)} a "
        f"JOIN {qn(Node._meta.db_table)} n ON n.id = a.node_id AND n.is_active) r ON r.user_id = u.id "
        "WHERE t.key_hash = %s AND t.revoked_at IS NULL AND u.admin_role = ''"
    )


def _token_auth(request: HttpRequest, raw: str) -> Any:
    """The token's user, or a 401 that says why a known token is refused."""
    user, refused = token_user(raw)
    if refused:
        raise HttpError(401, refused)
    if user is not None:
        request.user = user
    return user


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return _token_auth(request, token)


class HeaderTokenAuth(APIKeyHeader):
    param_name = "X-API-Token"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return _token_auth(request, key or "")


class SignedInSession(SessionAuth):
    """The signed-in session of the pages' own calls, CSRF-checked. Without a signed-in
    session there is nothing a forged request could ride on, so the caller gets the 401 of
    no authentication (ninja's own checked CSRF first: a program whose token was wrong or
    revoked got "CSRF check Failed")."""

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise HttpError(403, _("请求校验失败（CSRF），请刷新页面后重试"))
        return request.user


class BodyParser(Parser):
    """JSON bodies with Chinese errors; text holding NUL (which PostgreSQL cannot store) or a
    lone surrogate, and whole numbers beyond 64 bits, are refused with the field named before
    anything runs (``core.inputs``)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        raw = request.body  # its size was checked by ErrorMiddleware
        try:
            data = json.loads(json_body_text(request, raw))
        except (ValueError, UnicodeDecodeError, RecursionError, RawPostDataException):
            # RawPostDataException: a form body sent here; RecursionError: nesting beyond reason
            raise ValidationError(_("不是有效的 JSON"), field=_("请求体")) from None
        if not isinstance(data, dict):  # every body of this API is an object; no schema runs
            raise ValidationError(_("请求体应为 JSON 对象"), field=_("请求体"))
        found = json_problem(data, raw)
        if found is not None:
            field, reason = found
            raise ValidationError(reason, field=field or _("请求体"))
        return data


def _field_title(model: Any, loc: tuple[Any, ...]) -> str:
    """The Chinese title (``Field(title=…)``) of the schema field at pydantic's ``loc``
    inside Ninja's parameter model, or "" (an unknown part, a field without a title)."""
    title = ""
    for part in loc:
        if isinstance(part, int):
            continue  # an item of a list: the list's own title still names it
        fields = getattr(model, "model_fields", None)
        info = fields.get(part) if isinstance(fields, dict) else None
        if info is None:
            return ""
        title = _(info.title) if info.title else ""
        model = info.annotation
        for arg in getattr(model, "__args__", ()):  # Optional[Schema], list[Schema]
            if hasattr(arg, "model_fields"):
                model = arg
    return title


# (address prefix, language) -> the OpenAPI document (``CivicNinjaAPI.get_openapi_schema``)
_OPENAPI_DOCUMENTS: dict[tuple[str, str | None], OpenAPISchema] = {}


class CivicNinjaAPI(NinjaAPI):
    """Keeps, next to each of pydantic's errors, the Chinese title of the field it is about,
    so that the message names the field as a person knows it (``_validation_error``); builds
    the OpenAPI document once per process."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        """The document, built once per address prefix and language: the routes and schemas do
        not change while the process runs, and building it walks every schema (about a second
        of CPU, which each opening of /api/docs waited for)."""
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        key = (path_prefix, get_language())
        schema = _OPENAPI_DOCUMENTS.get(key)
        if schema is None:
            schema = super().get_openapi_schema(path_prefix=path_prefix)
            _OPENAPI_DOCUMENTS[key] = schema
        return schema

    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext[Any]]
    ) -> NinjaValidationError:
        titles = [
            _field_title(context.model, tuple(error["loc"]))
            for context in error_contexts
            for error in context.pydantic_validation_error.errors(include_url=False)
        ]
        exc = super().validation_error_from_error_contexts(error_contexts)
        if len(titles) == len(exc.errors):
            for error, title in zip(exc.errors, titles, strict=True):
                error["title"] = title
        return exc

    def _get_urls(self) -> list[Any]:
        """Ninja's paths, and the document also at ``/api/v1/openapi.json``: every call lives
        under ``/api/v1/``, so that is where integrators look for it (the same view: one
        document, two addresses)."""
        urls: list[Any] = super()._get_urls()
        if self.openapi_url:
            view = partial(openapi_json, api=self)
            urls.insert(0, path("v1" + self.openapi_url, view, name="openapi-json-v1"))
        return urls


api = CivicNinjaAPI(
    title="civicgrid API",
    version="1",
    description="党建引领网格化基层治理平台接口。认证：Authorization: Bearer <令牌>，或已登录的会话。",
    docs_url="/docs",
    urls_namespace="api",
    auth=[BearerAuth(), HeaderTokenAuth(), SignedInSession()],
    parser=BodyParser(),
)

FIELD_NAMES = {
    "body": gettext_lazy("请求体"),
    "query": gettext_lazy("查询参数"),
    "path": gettext_lazy("路径参数"),
}


PARAM_SOURCES = ("body", "query", "path", "form", "file", "header", "cookie")


def _loc_name(loc: list[Any]) -> str:
    """pydantic's location as the services name fields: ``lines[0].amount`` (not
    ``form.lon``: where the parameter came from is not part of its name)."""
    name = ""
    for index, part in enumerate(loc):
        if part in ("body", "query", "path", "payload", "data") or (index == 0 and part in PARAM_SOURCES):
            continue
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name or (str(FIELD_NAMES.get(str(loc[0]), _("请求"))) if loc else _("请求"))


# pydantic's error types in Chinese; ``{…}`` takes the error's context (limits, choices).
PYDANTIC_REASONS = {
    "missing": gettext_lazy("必填"),
    "int_parsing": gettext_lazy("应为整数"),
    "int_type": gettext_lazy("应为整数"),
    "int_from_float": gettext_lazy("应为整数"),
    "float_parsing": gettext_lazy("应为数字"),
    "float_type": gettext_lazy("应为数字"),
    "bool_parsing": gettext_lazy("应为布尔值（true 或 false）"),
    "bool_type": gettext_lazy("应为布尔值（true 或 false）"),
    "string_type": gettext_lazy("应为文本"),
    "list_type": gettext_lazy("应为列表"),
    "dict_type": gettext_lazy("应为对象"),
    "model_type": gettext_lazy("应为对象"),
    "model_attributes_type": gettext_lazy("应为对象"),
    "date_from_datetime_parsing": gettext_lazy("应为日期（YYYY-MM-DD）"),
    "date_parsing": gettext_lazy("应为日期（YYYY-MM-DD）"),
    "date_type": gettext_lazy("应为日期（YYYY-MM-DD）"),
    "datetime_parsing": gettext_lazy("应为日期时间（如 2026-11-22T09:30:00+08:00）"),
    "datetime_from_date_parsing": gettext_lazy("应为日期时间（如 2026-11-22T09:30:00+08:00）"),
    "datetime_type": gettext_lazy("应为日期时间（如 2026-11-22T09:30:00+08:00）"),
    "string_too_long": gettext_lazy("最多{max_length}个字"),
    "string_too_short": gettext_lazy("至少{min_length}个字"),
    "too_long": gettext_lazy("最多{max_length}项"),
    "too_short": gettext_lazy("至少{min_length}项"),
    "greater_than": gettext_lazy("应大于{gt}"),
    "greater_than_equal": gettext_lazy("应不小于{ge}"),
    "less_than": gettext_lazy("应小于{lt}"),
    "less_than_equal": gettext_lazy("应不大于{le}"),
    "literal_error": gettext_lazy("取值应为：{expected}"),
    "enum": gettext_lazy("取值应为：{expected}"),
    "string_pattern_mismatch": gettext_lazy("格式不正确"),
    "uuid_parsing": gettext_lazy("应为 UUID"),
    "json_invalid": gettext_lazy("不是有效的 JSON"),
    "json_type": gettext_lazy("不是有效的 JSON"),
    "extra_forbidden": gettext_lazy("不是可接受的字段"),
}


def _reason(error: dict[str, Any]) -> str:
    """One pydantic error in Chinese: known types by the table, our own messages as written."""
    template = PYDANTIC_REASONS.get(str(error.get("type", "")))
    if template is not None:
        try:
            return template.format(**{k: str(v) for k, v in (error.get("ctx") or {}).items()})
        except (KeyError, IndexError):
            return template.split("{")[0] or _("取值无效")
    message = str(error.get("msg") or "").removeprefix("Value error, ")
    return message if any("\u4e00" <= c <= "\u9fff" for c in message) else _("取值无效")


def _label(name: str, title: str) -> str:
    """A field as a person knows it: its schema title, else the API's table of labels (by the
    whole name, then its last part: ``lines[0].amount`` as ``amount``), else "" — never the code."""
    if title:
        return title
    last = name.rsplit(".", 1)[-1].split("[", 1)[0]
    label = FIELD_LABELS.get(name) or FIELD_LABELS.get(last)
    return str(label) if label else ""


def worded(reasons_by_label: list[tuple[str, list[str]]]) -> str:
    """ "经度：应为数字；标题：必填" — a reason that names its field already ("分类应为整数"),
    or whose field has no known label, stands alone."""
    parts = []
    for label, reasons in reasons_by_label:
        bare = [r for r in reasons if not label or label not in r]
        named = [r for r in reasons if label and label in r]
        parts += named
        if bare:
            parts.append(f"{label}：{'，'.join(bare)}" if label else "，".join(bare))
    return "；".join(parts)


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    """422 with the field codes in ``detail`` (programs need them) and a message that names
    each field by its Chinese label, or gives the reason alone."""
    detail: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    for error in exc.errors:
        name = _loc_name(list(error.get("loc", [])))
        detail.setdefault(name, []).append(_reason(error))
        labels.setdefault(name, _label(name, str(error.get("title") or "")))
    message = worded([(labels[k], v) for k, v in detail.items()])
    return api.create_response(
        request, {"code": "invalid", "message": message or _("请求参数无效"), "detail": detail}, status=422
    )


@api.exception_handler(OverflowError)
def _overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    """A date or number the checks let through that the arithmetic or the database driver
    cannot hold (year 9999 plus a day): bad input, not a server error; logged to find the
    field that needs a check of its own."""
    logger.warning("input out of range on %s", request.path, exc_info=exc)
    return _civic_error(request, ValidationError(_("日期或数值超出范围")))


@api.exception_handler(DataError)
def _data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
    """A value a column cannot hold that the checks let through (PostgreSQL refuses a text
    longer than its column, an integer beyond 32 bits; the statement, and the service's
    transaction with it, is rolled back): bad input, not a server error; logged to find the
    field that needs a check of its own."""
    logger.warning("input beyond a column on %s", request.path, exc_info=exc)
    return _civic_error(request, ValidationError(_("输入的内容超出允许的长度或范围")))


@api.exception_handler(CivicError)
def _civic_error(request: HttpRequest, exc: CivicError) -> HttpResponse:
    response = api.create_response(request, exc.as_dict(), status=exc.http_status)
    if exc.retry_after is not None:
        response["Retry-After"] = str(exc.retry_after)
    return response


# The challenge of a 401 (RFC 9110 requires one): the token goes in ``Authorization: Bearer``.
CHALLENGE = 'Bearer realm="civicgrid"'


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request, {"code": "unauthorized", "message": _("未登录或令牌无效"), "detail": None}, status=401
    )
    response["WWW-Authenticate"] = CHALLENGE
    return response


# The codes of CivicError (core.errors) for the statuses an HttpError carries.
HTTP_ERROR_CODES = {401: "unauthorized", 403: "forbidden", 404: "not_found", 409: "conflict"}


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, CivicError):  # raised by BodyParser, wrapped by ninja
        return _civic_error(request, exc.__cause__)
    code = HTTP_ERROR_CODES.get(exc.status_code, "error")  # a CSRF refusal is "forbidden"
    body = {"code": code, "message": str(exc), "detail": None}
    response = api.create_response(request, body, status=exc.status_code)
    if exc.status_code == 401:
        response["WWW-Authenticate"] = CHALLENGE
    return response


def _register_routers() -> None:
    from civicgrid.registry.api import router as registry_router
    from civicgrid.requests.api import router as requests_router
    from civicgrid.requests.api.rates import router as rates_router
    from civicgrid.territory.api import router as territory_router

    # Requests first: Django tries the API's paths in this order, and intake is the call
    # made most often (the docs list the routers in this order too).
    api.add_router("/v1/requests/", requests_router)
    api.add_router("/v1/rates/", rates_router)
    api.add_router("/v1/territory/", territory_router)
    api.add_router("/v1/registry/", registry_router)
    # The apps of issues 4-7 each own one router.
    for label in ("classifier", "governance", "points", "volunteers", "party", "gridwork", "property"):
        module = importlib.import_module(f"civicgrid.{label}.api")
        api.add_router(f"/v1/{label}/", module.router)


_register_routers()
