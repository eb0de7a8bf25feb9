"""Territory endpoints under /api/v1/territory/."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Field, Router, Schema, Status

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import require_any
from civicgrid.api_errors import ERRORS
from civicgrid.core.api_types import Integer, choices_text
from civicgrid.core.errors import NotFound, ValidationError
from civicgrid.territory import selectors, services
from civicgrid.territory.geometry import check_lon_lat
from civicgrid.territory.locator import locator
from civicgrid.territory.models import (
    ALLOWED_PARENTS,
    STATISTICAL_KINDS,
    GridType,
    Node,
    NodeKind,
    Position,
    Post,
)

router = Router(tags=["territory 区域"])


class PlaceOut(Schema):
    id: int
    code: str
    name: str


class LocateOut(Schema):
    grid: PlaceOut | None
    community: PlaceOut | None
    subdistrict: PlaceOut | None
    district: PlaceOut | None
    city: PlaceOut | None
    match: str = Field(description="inside：点在网格内；nearest：点在网格外，取最近的网格")
    distance_m: float


@router.get(
    "/locate",
    response={200: LocateOut, **ERRORS},
    summary="按经纬度定位所在网格、社区、街道和区",
    description="返回包含该点的网格、社区、街道、区和市；点在网格外时取最近的网格（match 为 nearest，"
    "distance_m 为距离）。crs：wgs84（GPS、天地图，默认）或 gcj02（高德、腾讯地图）；max_distance_m："
    "网格外最远取多远（0 到 5000 米）。不在辖区范围内（附近也没有网格）时返回 404 outside_territory。",
)
def locate(
    request: HttpRequest,
    lon: float,
    lat: float,
    crs: str = "wgs84",
    max_distance_m: float | None = None,
) -> Any:
    """Which grid, community, subdistrict and district contain a point.

    ``crs``: ``wgs84`` (GPS, Tianditu; the default) or ``gcj02`` (AMap, Tencent maps).
    """
    require_any(request.user, Capability.TERRITORY_VIEW)
    check_lon_lat(lon, lat)
    if max_distance_m is not None and not 0 <= max_distance_m <= 5000:
        raise ValidationError(_("最大距离应在 0 到 5000 米之间"), field="max_distance_m")
    found = locator.locate(lon, lat, crs=crs, max_metres=max_distance_m)
    if found is None:
        raise NotFound(_("该位置不在辖区范围内（附近也没有网格）"), code="outside_territory")
    return found.as_dict()


class NodeOut(Schema):
    id: int
    kind: str
    kind_label: str
    code: str
    name: str
    parent_id: int | None
    path: str
    depth: int
    grid_type: str
    lon: float | None
    lat: float | None
    address: str
    is_active: bool

    @staticmethod
    def resolve_kind_label(obj: Node) -> str:
        return str(obj.get_kind_display())


class NodeDetailOut(NodeOut):
    geometry: dict[str, Any] | None


# --- request bodies: Chinese titles (also the names a 422 gives the fields: the handler
# translates them, ``civicgrid.api._field_title``) and descriptions for OpenAPI --------------

TOP_KINDS = "、".join(str(kind.label) for kind in NodeKind if None in ALLOWED_PARENTS[kind])
CODED_KINDS = "、".join(str(kind.label) for kind in NodeKind if kind in STATISTICAL_KINDS)
POLYGON = "GeoJSON Polygon 或 MultiPolygon（WGS-84 经纬度）"  # i18n: data (API documentation)


class NodeIn(Schema):
    kind: str = Field(
        ...,
        title=gettext_noop("层级"),
        description=choices_text(NodeKind, "必填；须符合上下级关系（如网格在社区或街道之下）"),
    )
    name: str = Field(..., title=gettext_noop("名称"), description="区域名称；必填，最长100字")
    parent_id: Integer | None = Field(
        None,
        title=gettext_noop("上级区域"),
        description=f"上级区域的 ID，须在您的管辖范围内；不填为顶级区域（只有{TOP_KINDS}可以没有上级）",
    )
    code: str = Field(
        "",
        title=gettext_noop("编码"),
        description=f"{CODED_KINDS}填12位统计用区划代码（必填）；其下各级可不填，由系统生成"
        "（自填时为数字和大写字母，最长32位）；不可与已有区域重复",
    )
    grid_type: str = Field(
        "",
        title=gettext_noop("网格类型"),
        description=choices_text(GridType, "仅网格填写，不填为 comprehensive（综合网格）；其他层级须留空"),
    )
    geometry: dict[str, Any] | None = Field(
        None,
        title=gettext_noop("范围"),
        description=f"{POLYGON}，须在上级区域的范围内；不填为无范围",
    )
    lon: float | None = Field(
        None,
        title=gettext_noop("经度"),
        description="WGS-84 经度，-180 到 180，如 120.305；须与 lat 同时填写，点须在上级区域的范围内；可不填",
    )
    lat: float | None = Field(
        None,
        title=gettext_noop("纬度"),
        description="WGS-84 纬度，-90 到 90，如 31.575；须与 lon 同时填写；可不填",
    )
    address: str = Field("", title=gettext_noop("地址"), description="最长255字；可不填")
    responsible_unit_id: Integer | None = Field(
        None,
        title=gettext_noop("包保单位"),
        description="实有单位的 ID（GET /api/v1/registry/organisations）；"
        "层级为 responsibility_area（责任区域）时必填，其他层级可不填",
    )


class NodePatch(Schema):
    name: str | None = Field(None, title=gettext_noop("名称"), description="最长100字，不能为空；不传则不改")
    code: str | None = Field(
        None,
        title=gettext_noop("编码"),
        description=f"{CODED_KINDS}为12位统计用区划代码，其他层级为数字和大写字母（最长32位）；"
        "不可与已有区域重复；不传则不改",
    )
    # A polygon; null or {} does not remove one (refused for a node that has one): send
    # "clear_geometry": true (and no geometry) to remove it.
    geometry: dict[str, Any] | None = Field(
        None,
        title=gettext_noop("范围"),
        description=f"新的{POLYGON}；null 或 {{}} 不会删除已有范围（要删除请传 clear_geometry: true）；"
        "不传则不改",
    )
    clear_geometry: bool = Field(
        False,
        title=gettext_noop("清除范围"),
        description="true 为删除已有范围（此时不要传 geometry）；默认 false",
    )
    lon: float | None = Field(
        None,
        title=gettext_noop("经度"),
        description="WGS-84 经度，-180 到 180；须与 lat 一起有值或一起为 null（null 为清除）；不传则不改",
    )
    lat: float | None = Field(
        None,
        title=gettext_noop("纬度"),
        description="WGS-84 纬度，-90 到 90；须与 lon 一起有值或一起为 null（null 为清除）；不传则不改",
    )
    address: str | None = Field(None, title=gettext_noop("地址"), description="最长255字；不传则不改")


class MoveIn(Schema):
    parent_id: Integer = Field(
        ...,
        title=gettext_noop("上级区域"),
        description="新的上级区域 ID，须在您的管辖范围内、符合上下级关系，"
        "且不是现在的上级、本区域或其下级；必填",
    )


@router.get(
    "/nodes",
    response={200: list[NodeOut], **ERRORS},
    summary="区域列表",
    description="调用者有权查看的区域，按层级路径排序；不带 parent_id、kind、q 时返回调用者的顶层区域。"
    "q 按名称模糊查询；limit 1 到 1000（默认 200）。",
)
def node_list(
    request: HttpRequest,
    parent_id: Integer | None = None,
    kind: str | None = None,
    q: str = "",
    limit: Integer = 200,
    offset: Integer = 0,
) -> Any:
    """Nodes the caller may see; by default the caller's top nodes."""
    if parent_id is None and not q and not kind:
        qs = selectors.node_roots(request.user)
    else:
        qs = selectors.nodes_visible(request.user)
        if parent_id is not None:
            qs = qs.filter(parent_id=parent_id)
        if kind:
            qs = qs.filter(kind=kind)
        if q:
            qs = qs.filter(name__contains=q)
    limit = max(1, min(limit, 1000))
    offset = max(0, offset)  # a negative slice would fail with a 500
    return list(qs.order_by("path")[offset : offset + limit])


@router.get(
    "/nodes/{int:node_id}",
    response={200: NodeDetailOut, **ERRORS},
    summary="区域详情（含边界）",
    description="无权查看或不存在时返回 404。",
)
def node_detail(request: HttpRequest, node_id: Integer) -> Any:
    return selectors.node_get(request.user, node_id)


def _node_or_404(request: HttpRequest, node_id: int | None) -> Node | None:
    if node_id is None:
        return None
    return selectors.node_get(request.user, node_id)


@router.post("/nodes", response={201: NodeDetailOut, **ERRORS}, summary="新建区域")
def node_create(request: HttpRequest, payload: NodeIn) -> Any:
    from civicgrid.registry.models import Organisation

    parent = _node_or_404(request, payload.parent_id)
    unit = None
    if payload.responsible_unit_id:
        unit = Organisation.objects.filter(pk=payload.responsible_unit_id).first()
        if unit is None:
            raise ValidationError(_("包保单位不存在"), field="responsible_unit_id")
    node = services.node_create(
        actor=request.user,
        kind=payload.kind,
        name=payload.name,
        parent=parent,
        code=payload.code,
        grid_type=payload.grid_type,
        geometry=payload.geometry,
        lon=payload.lon,
        lat=payload.lat,
        address=payload.address,
        responsible_unit=unit,
    )
    return Status(201, node)


@router.patch(
    "/nodes/{int:node_id}",
    response={200: NodeDetailOut, **ERRORS},
    summary="修改区域",
    description="只改传入的字段。geometry 为 null 或 {} 不会删除已有边界：要删除边界，"
    "传 clear_geometry: true（不传 geometry）。",
)
def node_update(request: HttpRequest, node_id: Integer, payload: NodePatch) -> Any:
    node = selectors.node_get(request.user, node_id)
    changes = payload.dict(exclude_unset=True)
    return services.node_update(actor=request.user, node=node, **changes)


@router.post(
    "/nodes/{int:node_id}/move", response={200: NodeDetailOut, **ERRORS}, summary="调整区域的上级区域"
)
def node_move(request: HttpRequest, node_id: Integer, payload: MoveIn) -> Any:
    node = selectors.node_get(request.user, node_id)
    parent = selectors.node_get(request.user, payload.parent_id)
    try:
        return services.node_move(actor=request.user, node=node, new_parent=parent)
    except ValidationError as exc:  # a refusal about the new parent names the field as sent
        if "parent" not in exc.errors:
            raise
        errors = {("parent_id" if name == "parent" else name): why for name, why in exc.errors.items()}
        raise ValidationError(exc.message, errors=errors) from exc


class PositionOut(Schema):
    id: int
    node_id: int
    post: str
    post_label: str
    holder_name: str
    user_id: int | None
    organisation_name: str
    start_date: date
    end_date: date | None

    @staticmethod
    def resolve_post_label(obj: Position) -> str:
        return str(obj.get_post_display())


class PositionIn(Schema):
    post: str = Field(..., title=gettext_noop("岗位"), description=choices_text(Post, "必填"))
    holder_name: str = Field(..., title=gettext_noop("姓名"), description="任职人姓名；必填，最长50字")
    start_date: date = Field(..., title=gettext_noop("任职开始"), description="YYYY-MM-DD；必填")
    end_date: date | None = Field(
        None, title=gettext_noop("任职结束"), description="YYYY-MM-DD，不早于任职开始；仍在任则不填"
    )
    phone: str = Field(
        "", title=gettext_noop("联系电话"), description="手机号11位，或固定电话如0510-12345678；可不填"
    )
    organisation_name: str = Field(
        "", title=gettext_noop("工作单位"), description="任职人的工作单位；最长100字；可不填"
    )
    user_id: Integer | None = Field(
        None, title=gettext_noop("系统账号"), description="任职人的系统账号 ID；不填为不关联账号"
    )


@router.get(
    "/nodes/{int:node_id}/team",
    response={200: list[PositionOut], **ERRORS},
    summary="区域班子（在岗人员）",
    description="今日（或 on 指定的日期）各岗位的在岗人员。",
)
def node_team(request: HttpRequest, node_id: Integer, on: date | None = None) -> Any:
    """The node's current team: who holds which post today (or on a given date)."""
    node = selectors.node_get(request.user, node_id)
    return list(selectors.node_team(node, on=on))


@router.post(
    "/nodes/{int:node_id}/positions", response={201: PositionOut, **ERRORS}, summary="登记区域岗位人员"
)
def position_create(request: HttpRequest, node_id: Integer, payload: PositionIn) -> Any:
    from civicgrid.accounts.models import User

    node = selectors.node_get(request.user, node_id)
    user = User.objects.filter(pk=payload.user_id).first() if payload.user_id else None
    if payload.user_id and user is None:
        raise ValidationError(_("账号不存在"), field="user_id")
    position = services.position_create(
        actor=request.user,
        node=node,
        post=payload.post,
        holder_name=payload.holder_name,
        start_date=payload.start_date,
        end_date=payload.end_date,
        phone=payload.phone,
        organisation_name=payload.organisation_name,
        user=user,
    )
    return Status(201, position)


class GridMatterOut(Schema):
    id: int
    code: str
    name: str
    domain: str
    department: str
    description: str
    frequency: str


@router.get(
    "/nodes/{int:node_id}/grid-matters",
    response={200: list[GridMatterOut], **ERRORS},
    summary="区域适用的网格事项清单",
    description="适用于该区域的网格事项：来自本区域及其各级上级区域。",
)
def node_grid_matters(request: HttpRequest, node_id: Integer) -> Any:
    """The grid matters list that applies to this node (from it and its ancestors)."""
    node = selectors.node_get(request.user, node_id)
    return list(selectors.grid_matters_for(node))
