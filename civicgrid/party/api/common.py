"""The router all the party's endpoint modules add to, and small helpers."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_noop
from ninja import Field, Router, Schema

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import require_any
from civicgrid.api_errors import ErrorOut
from civicgrid.party.constants import PARTY_FOUNDED
from civicgrid.territory.geometry import CRS_GCJ02, CRS_WGS84

router = Router(tags=["party 党建引领"])


def errors(*codes: int) -> dict[int, Any]:
    """The error answers (``ErrorOut``) an endpoint documents: 401 (no or a refused token) and
    403 (no right to the call, or a failed CSRF check) for every one, and the ``codes`` it can
    really give: 404 (a record not found or outside the scope), 409 (its state no longer allows
    the step), 422 (refused input)."""
    return {code: ErrorOut for code in (401, 403, *codes)}


def require_view(request: HttpRequest) -> None:
    """A read refuses (403) a caller without the party's view right anywhere, as the pages do
    (``party.views.common.require_view``): it used to answer an empty list."""
    require_any(request.user, Capability.PARTY_VIEW)


MAX_LIMIT = 500


def window(limit: int, offset: int) -> tuple[int, int]:
    """A safe slice (a negative one would fail with a 500)."""
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    return offset, offset + limit


class Ok(Schema):
    ok: bool = True


class PageOf(Schema):
    count: int
    results: list[Any]


def iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


# --- fields shared by the request bodies (OpenAPI titles and descriptions) -----------------------
# Titles are marked with gettext_noop (pydantic needs a str): the 422 handler translates them
# to name the field (``civicgrid.api._field_title``).

FOUNDED = PARTY_FOUNDED.isoformat()


def credit_code_field() -> Any:
    return Field(
        "",
        title=gettext_noop("统一社会信用代码"),
        description="单位的统一社会信用代码（18位）；填写时优先于 unit_id 查找单位"
        "（辖区外的单位也能找到）；可不填",
    )


def address_field() -> Any:
    return Field("", title=gettext_noop("地点"), description="地点，最长255字；可不填")


def lon_field() -> Any:
    return Field(
        None,
        title=gettext_noop("经度"),
        description="WGS-84 经度，与 lat 一起填写，位置应在所选区域内或附近；可不填",
    )


def lat_field() -> Any:
    return Field(None, title=gettext_noop("纬度"), description="WGS-84 纬度，与 lon 一起填写；可不填")


def crs_field() -> Any:
    return Field(
        CRS_WGS84,
        title=gettext_noop("坐标系"),
        description=f"lon/lat 的坐标系：{CRS_WGS84}（GPS、天地图）或 {CRS_GCJ02}（高德、腾讯、微信）；"
        f"不填为 {CRS_WGS84}",
    )
