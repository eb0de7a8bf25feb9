"""A request filed through Open311 (``POST requests.json``): its fields, read and checked.

Every field is checked against the column it goes into (``requests.models.Request``) and
refused, never cut: a name, address or device id too long is a 400 naming the field, as
the JSON API's 422 does. Coordinates are plain decimals of a sane length (no ``inf``,
``nan``, ``1e400`` or thousands of digits).

No field is taken and dropped: what GeoReport v2 can send is kept (``media_url`` as a labelled
link at the end of the content, never fetched; ``device_id`` as the external id; ``email``
encrypted and masked like the phone, ``Request.requester_email_*``, a bad address refused) or
refused with a 400 naming it (``address_id``: no address register to look it up in;
``attribute[code]``: the service definitions declare no attributes). ``account_id`` is
documented as ignored (docs/api.md); ``jurisdiction_id`` is checked by ``views``.
"""

import json
import math
import re
from typing import Any
from urllib.parse import parse_qsl

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.http import HttpRequest
from django.utils.translation import gettext as _

from civicgrid.api import token_user
from civicgrid.core.errors import PermissionDenied, ValidationError
from civicgrid.core.inputs import json_body_text, json_problem
from civicgrid.open311 import audience
from civicgrid.requests import services
from civicgrid.requests.constants import Channel, RequestType
from civicgrid.requests.models import Request
from civicgrid.requests.selectors import leaf_categories
from civicgrid.requests.services.intake import CONTENT_MAX

ADDRESS_MAX = Request._meta.get_field("address").max_length or 255
NAME_MAX = 50  # requester_name: what intake accepts (its masked copy's column)
DEVICE_ID_MAX = Request._meta.get_field("external_id").max_length or 64
NUMBER_MAX = 32  # characters of a lat or long: more is no coordinate
TITLE_LENGTH = 40  # the title is the description's first line, shortened (it is derived, not sent)
MEDIA_URL_MAX = 500  # a link to a photo, kept in the content (never fetched)
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uac00-\ud7af]")  # Chinese, Japanese, Korean script
_ATTRIBUTE = re.compile(r"attribute\[(.*)\]", re.DOTALL)
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def undecodable_field(raw: bytes) -> str | None:
    """The first field of a URL-encoded form whose name or value is no UTF-8 text (a GBK
    form sent as is: Django would read it with U+FFFD in place of every character), or
    None; ``"body"`` when the name itself is unreadable."""
    for name, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True, encoding="latin-1"):
        try:
            field = name.encode("latin-1").decode("utf-8")
        except UnicodeDecodeError:
            return "body"
        try:
            value.encode("latin-1").decode("utf-8")
        except UnicodeDecodeError:
            return field
    return None


def post_params(request: HttpRequest) -> dict[str, str]:
    """The fields of a form or a JSON object, as text (a list, an object, true or false is
    refused)."""
    form = request.content_type == "application/x-www-form-urlencoded"
    if form and (field := undecodable_field(request.body)) is not None:
        raise ValidationError(_("不是有效的 UTF-8 文本（表单须用 UTF-8 编码，GBK 等请先转换）"), field=field)
    if request.content_type != "application/json":
        return {k: request.POST.get(k, "") for k in request.POST}
    raw = request.body or b"{}"  # its size was checked by ErrorMiddleware
    try:
        body = json.loads(json_body_text(request, raw))
    except (ValueError, RecursionError):
        raise ValidationError(_("请求体不是有效的 JSON"), field="body") from None
    if not isinstance(body, dict):
        raise ValidationError(_("请求体应为 JSON 对象"), field="body")
    found = json_problem(body, raw, numbers=False)  # every field is text: a long id is no number
    if found is not None:
        raise ValidationError(found[1], field=found[0])
    # Text and numbers only: a list or an object, and true or false (which would be kept as
    # the text "True"), are refused naming the field. null is an empty field.
    if wrong := [str(k) for k, v in body.items() if v is not None and not _scalar(v)]:
        raise ValidationError(errors={k: [_("应为文本或数字")] for k in wrong})
    return {str(k): "" if v is None else str(v) for k, v in body.items()}


def _scalar(value: Any) -> bool:
    """Text or a number, as a form would send it (a bool is no number here)."""
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def caller(request: HttpRequest, params: dict[str, str]) -> Any:
    """The account of the ``api_key`` in the body or the Authorization header (one in the
    query string is refused: ``audience.sent_key``)."""
    key = audience.sent_key(request, params)
    user, refused = token_user(key) if key else (None, "")
    if user is None:  # an expired key, a disabled account…: say which, as the JSON API does
        raise PermissionDenied(refused or _("api_key 缺失或无效"))
    return user


def coordinate(params: dict[str, str], name: str, errors: dict[str, list[str]]) -> float | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    value = float(raw) if len(raw) <= NUMBER_MAX and _DECIMAL.fullmatch(raw) else math.nan
    if not math.isfinite(value):  # also 1e400, which reads as infinity
        errors[name] = [_("应为数字")]
        return None
    return value


def too_long(params: dict[str, str], name: str, limit: int, errors: dict[str, list[str]]) -> str:
    value = params.get(name, "").strip()
    if len(value) > limit:
        errors[name] = [_("最长{limit}个字").format(limit=limit)]
    return value


def full_name(first: str, last: str) -> str:
    """A Chinese name as Chinese writes it, family name first and no space (张三); any other
    in the usual Latin order, given name first with a space (John Smith)."""
    if _CJK.search(first + last):
        return last + first
    return " ".join(part for part in (first, last) if part)


def requester_name(params: dict[str, str], errors: dict[str, list[str]]) -> str:
    """``full_name`` of ``first_name`` and ``last_name``: at most ``NAME_MAX`` characters."""
    last, first = params.get("last_name", "").strip(), params.get("first_name", "").strip()
    name = full_name(first, last)
    if len(name) > NAME_MAX:
        field = "last_name" if len(last) > NAME_MAX else "first_name"
        errors[field] = [_("last_name 与 first_name 合计最长{limit}个字").format(limit=NAME_MAX)]
    return name


def media_link(params: dict[str, str], errors: dict[str, list[str]]) -> str:
    """The ``media_url`` sent (a web address of a photo, http or https), or ""."""
    url = params.get("media_url", "").strip()
    if not url:
        return ""
    if len(url) > MEDIA_URL_MAX:
        errors["media_url"] = [_("最长{limit}个字").format(limit=MEDIA_URL_MAX)]
        return ""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except DjangoValidationError:
        errors["media_url"] = [_("应为以 http:// 或 https:// 开头的网址")]
        return ""
    return url


def with_media(description: str, url: str, errors: dict[str, list[str]]) -> str:
    """The content: the description, then the photo's link on a line of its own."""
    if not url:
        return description
    content = description + "\n\n" + _("图片链接：{url}").format(url=url)
    if len(content) > CONTENT_MAX and "description" not in errors:
        errors["description"] = [_("description 与 media_url 合计最长{limit}个字").format(limit=CONTENT_MAX)]
    return content


def unkept_fields(params: dict[str, str], errors: dict[str, list[str]]) -> None:
    """Refuse, naming them, the fields GeoReport v2 allows that a request cannot keep."""
    if params.get("address_id", "").strip():
        errors["address_id"] = [_("不支持地址编号，请用 lat 和 long，或 address_string")]
    for name in params:
        if match := _ATTRIBUTE.fullmatch(name):
            errors[name] = [
                _("服务类型没有属性 {code}（服务定义 services/代码.json 中没有任何属性）").format(
                    code=match.group(1)
                )
            ]


def new_request(params: dict[str, str]) -> services.NewRequest:
    errors: dict[str, list[str]] = {}
    code = params.get("service_code", "").strip()
    category = leaf_categories().filter(code=code).select_related("version").first() if code else None
    if category is None:
        errors["service_code"] = [
            _("请填写有效的服务类型（见 services.json）") if code else _("请填写服务类型")
        ]
    lat, lon = coordinate(params, "lat", errors), coordinate(params, "long", errors)
    address = too_long(params, "address_string", ADDRESS_MAX, errors)
    if "lat" not in errors and "long" not in errors:
        if lat is not None and lon is None:  # half a point is no place: say which half is missing
            errors["long"] = [_("缺少经度（lat 与 long 需同时提供）")]
        elif lon is not None and lat is None:
            errors["lat"] = [_("缺少纬度（lat 与 long 需同时提供）")]
        elif lat is None and not address:
            errors["lat"] = [_("请提供位置：lat 和 long，或 address_string")]
    description = params.get("description", "").strip()
    if not description:
        errors["description"] = [_("请填写问题描述")]
    content = with_media(description, media_link(params, errors), errors)
    name = requester_name(params, errors)
    device_id = too_long(params, "device_id", DEVICE_ID_MAX, errors)
    unkept_fields(params, errors)
    if errors:
        raise ValidationError(errors=errors)
    phone = params.get("phone", "").strip()
    return services.NewRequest(
        channel=Channel.OPEN311,
        type=RequestType.COMPLAINT,
        title=(description.splitlines()[0][:TITLE_LENGTH] or (category.name if category else "")).strip(),
        content=content,
        address=address,
        lon=lon,
        lat=lat,
        requester_name=name,
        requester_phone=phone,
        requester_email=params.get("email", "").strip(),
        anonymous=not (name or phone),
        category=category,
        external_id=device_id,
    )
