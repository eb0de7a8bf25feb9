"""Writes to the territory: nodes, moves, geometry, grid matters, positions.

Every function checks the actor's scope first, then changes inside one transaction and
writes its audit row there.
"""

import re
from datetime import date
from typing import Any

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import F, Model, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import require
from civicgrid.core import crypto
from civicgrid.core.audit import audit_write, snapshot
from civicgrid.core.errors import ValidationError
from civicgrid.core.validators import phone_problem
from civicgrid.territory import topology
from civicgrid.territory.constants import CODE_LETTERS, Verb
from civicgrid.territory.geometry import check_lon_lat, clean_polygon, stored_polygon
from civicgrid.territory.locator import LOCATED_KINDS
from civicgrid.territory.models import (
    ALLOWED_PARENTS,
    STATISTICAL_KINDS,
    GeometryVersion,
    GridMatter,
    GridType,
    Node,
    NodeKind,
    Position,
    Post,
    ScopedModel,
    path_for,
)
from civicgrid.territory.signals import nodes_changed

NODE_AUDIT_FIELDS = ["kind", "code", "name", "parent", "grid_type", "lon", "lat", "address", "is_active"]
STATISTICAL_CODE_RE = re.compile(r"^\d{12}$")
GENERATED_CODE_RE = re.compile(r"^[0-9A-Z]{1,32}$")


def scoped_models() -> list[type[ScopedModel]]:
    """Every concrete model that mirrors a node path (kept in step by ``node_move``)."""
    return [m for m in apps.get_models() if issubclass(m, ScopedModel)]


# Copies of node paths outside the ``ScopedModel`` rows: model label -> the fields that hold
# a path. ``node_move`` rewrites them exactly like ``node_path``. A rating counts where the
# request was (``node_path``) for its unit (``unit_path``, the unit's path); the rate rollups
# keep pending changes by place (``RateDelta.place``) and built months by area
# (``RateRollup.area_path``: a subdistrict, or a place above the subdistricts).
PATH_COPIES: dict[str, tuple[str, ...]] = {
    "requests.Rating": ("node_path", "unit_path"),
    "requests.RateDelta": ("place",),
    "requests.RateRollup": ("area_path",),
}
# Copies that keep the path of their time: append-only records (the database refuses to
# change them). The audit log says where an action happened when it happened; the points
# ledger where points were earned.
PATH_RECORDS: dict[str, tuple[str, ...]] = {
    "core.AuditLog": ("node_path",),
    "points.Movement": ("node_path",),
}


def path_copies() -> list[tuple[type[Model], str]]:
    """``(model, field)`` of every installed path copy in ``PATH_COPIES``."""
    found: list[tuple[type[Model], str]] = []
    for label, fields in PATH_COPIES.items():
        app_label, name = label.split(".")
        try:
            model = apps.get_model(app_label, name)
        except LookupError:
            continue
        found += [(model, field) for field in fields]
    return found


def path_rewrite(model: type[Model], field: str, old_path: str, new_path: str) -> int:
    """Replace the prefix ``old_path`` by ``new_path`` in ``field`` of every row under it."""
    return model._default_manager.filter(**{f"{field}__startswith": old_path}).update(
        **{field: Concat(Value(new_path), Substr(field, len(old_path) + 1))}
    )


def geometry_version_bump() -> None:
    updated = GeometryVersion.objects.filter(pk=1).update(version=F("version") + 1)
    if not updated:
        GeometryVersion.objects.get_or_create(pk=1, defaults={"version": 1})


def node_for_update(node: Node) -> Node:
    """The node as it is now, locked until the end of the caller's transaction.

    A service that hangs something on a node (a child, a resident, a dwelling...) reads it
    this way first. A concurrent ``node_move`` then either waits for it, or has committed
    and the service sees the new path (instead of writing rows under the old one); and two
    services on one node take turns for its next generated code.
    """
    return Node.objects.select_for_update(no_key=True).get(pk=node.pk)


def node_parent_check(kind: str, parent: Node | None) -> None:
    allowed = ALLOWED_PARENTS.get(kind)
    if allowed is None:
        raise ValidationError(_("未知的层级"), field="kind")
    parent_kind = parent.kind if parent else None
    if parent_kind not in allowed:
        names = "、".join(str(NodeKind(k).label) for k in allowed if k) or _("无（顶级）")
        raise ValidationError(
            _("{label}的上级只能是：{names}").format(label=NodeKind(kind).label, names=names), field="parent"
        )


def next_generated_code(parent: Node, kind: str) -> str:
    letter = CODE_LETTERS[kind]
    prefix = f"{parent.code}{letter}"
    existing = Node.objects.filter(code__startswith=prefix).values_list("code", flat=True)
    numbers = [int(c[len(prefix) :]) for c in existing if c[len(prefix) :].isdecimal()]
    width = 3 if kind != NodeKind.ENTRANCE else 2
    return f"{prefix}{(max(numbers, default=0) + 1):0{width}d}"


def node_code_check(kind: str, code: str) -> None:
    if kind in STATISTICAL_KINDS:
        if not STATISTICAL_CODE_RE.match(code):
            raise ValidationError(_("该层级的编码应为12位统计用区划代码"), field="code")
    elif not GENERATED_CODE_RE.match(code):
        raise ValidationError(_("编码只能由数字和大写字母组成，最长32位"), field="code")


def geometry_is_empty(geometry: Any) -> bool:
    """``null``, ``""`` or ``{}``: no polygon given."""
    return geometry is None or geometry == "" or geometry == {}


def node_geometry_clean(
    kind: str, geometry: Any, *, had_polygon: bool = False, clear: bool = False
) -> dict[str, Any] | None:
    """The GeoJSON to store (rounded to 7 decimals), checked as stored: never an empty polygon.

    An empty value (``null``, ``""``, ``{}``) stores no polygon. For a node that has one
    (``had_polygon``) that deletes it, so it is refused unless ``clear`` says so: an emptied
    field or a stray ``null`` used to delete a grid's boundary without a word. ``clear``
    with a polygon given is refused too (which one was meant?).
    """
    if clear:
        if not geometry_is_empty(geometry):
            raise ValidationError(_("要清除范围时，范围应留空；要改范围时，不要选清除范围"), field="geometry")
        return None
    if geometry_is_empty(geometry):
        if had_polygon:
            raise ValidationError(
                _(
                    "范围为空：该节点原有范围，留空会删除它。如确要清除范围，请勾选“清除范围”"
                    '（接口请传 "clear_geometry": true，不要传 null）'
                ),
                field="geometry",
            )
        return None
    return clean_polygon(geometry)[1]


def node_placement_check(
    *, node_id: int | None, kind: str, grid_type: str, parent_id: int | None, code: str, name: str, clean: Any
) -> None:
    """Refuse a polygon that leaves its parent's, overlaps grids it must not, or (for a
    community) leaves out its grids: the rules of ``topology``, as imports check them."""
    area = topology.Area(
        id=node_id,
        code=code,
        name=name,
        kind=kind,
        grid_type=grid_type,
        parent_id=parent_id,
        geom=stored_polygon(clean),
    )
    if problems := topology.polygons_check([area]):
        reasons = [p.reason for p in problems]
        raise ValidationError(reasons[0], errors={"geometry": reasons})


def node_point_check(path_ids: list[int], lon: float | None, lat: float | None) -> None:
    """Refuse a point outside the polygon of the nearest of ``path_ids`` that has one."""
    if lon is None or lat is None or not path_ids:
        return
    areas = topology.nearest_areas([path_ids])
    if reason := topology.point_problem(lon, lat, path_ids, areas):
        raise ValidationError(reason, field="lon")


ADDRESS_MAX = 255  # Node.address


def node_address_check(address: Any) -> None:
    """An address longer than the column holds (SQLite would keep it, PostgreSQL refuse it)."""
    if isinstance(address, str) and len(address) > ADDRESS_MAX:
        raise ValidationError(_("地址最长{max_length}个字").format(max_length=ADDRESS_MAX), field="address")


@transaction.atomic
def node_create(
    *,
    actor: Any,
    kind: str,
    name: str,
    parent: Node | None,
    code: str = "",
    grid_type: str = "",
    geometry: Any = None,
    lon: float | None = None,
    lat: float | None = None,
    address: str = "",
    responsible_unit: Model | None = None,
    sort_order: int = 0,
) -> Node:
    parent = node_for_update(parent) if parent else None
    require(actor, Capability.TERRITORY_EDIT, parent.path if parent else "")
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("名称不能为空"), field="name")
    if len(name) > 100:
        raise ValidationError(_("名称最长100个字"), field="name")
    node_address_check(address)
    node_parent_check(kind, parent)
    if kind == NodeKind.GRID:
        grid_type = grid_type or GridType.COMPREHENSIVE
        if grid_type not in GridType.values:
            raise ValidationError(_("网格类型只能是综合网格或专属网格"), field="grid_type")
    elif grid_type:
        raise ValidationError(_("只有网格才有网格类型"), field="grid_type")
    if kind == NodeKind.RESPONSIBILITY_AREA and responsible_unit is None:
        raise ValidationError(_("责任区域必须指定包保单位"), field="responsible_unit")
    code = (code or "").strip().upper()
    if not code:
        if kind in STATISTICAL_KINDS or parent is None:
            raise ValidationError(_("该层级必须填写12位统计用区划代码"), field="code")
        code = next_generated_code(parent, kind)
    node_code_check(kind, code)
    check_lon_lat(lon, lat)
    node_point_check(parent.path_ids if parent else [], lon, lat)
    clean = node_geometry_clean(kind, geometry)
    if clean is not None:
        node_placement_check(
            node_id=None,
            kind=kind,
            grid_type=grid_type,
            parent_id=parent.pk if parent else None,
            code=code,
            name=name,
            clean=clean,
        )
    if Node.objects.filter(code=code).exists():
        raise ValidationError(_("编码 {code} 已被使用").format(code=code), field="code")
    node = Node(
        kind=kind,
        code=code,
        name=name,
        parent=parent,
        grid_type=grid_type,
        geometry=clean,
        lon=lon,
        lat=lat,
        address=address,
        responsible_unit=responsible_unit,  # type: ignore[misc]
        sort_order=sort_order,
        depth=(parent.depth + 1) if parent else 0,
        path=f"tmp-{code}",
    )
    try:
        with transaction.atomic():
            node.save()
    except IntegrityError as exc:
        raise ValidationError(_("编码 {code} 已被使用").format(code=code), field="code") from exc
    node.path = path_for(node.pk, parent.path if parent else None)
    node.save(update_fields=["path"])
    if clean and kind in LOCATED_KINDS:
        geometry_version_bump()
    audit_write(
        actor=actor,
        verb=Verb.NODE_CREATED,
        target=node,
        node=node,
        after=snapshot(node, NODE_AUDIT_FIELDS),
    )
    return node


NODE_EDITABLE = {
    "name",
    "code",
    "grid_type",
    "geometry",
    "lon",
    "lat",
    "address",
    "sort_order",
    "responsible_unit",
}


@transaction.atomic
def node_update(*, actor: Any, node: Node, clear_geometry: bool = False, **changes: Any) -> Node:
    """Change the fields given in ``changes`` (``NODE_EDITABLE``).

    A polygon is removed only with ``clear_geometry=True`` (an empty ``geometry`` for a node
    that has one is refused). When the polygon changes, the audit row keeps the old one in
    ``before["geometry"]`` and the new one in ``after["geometry"]``, so it can be restored.
    """
    unknown = set(changes) - NODE_EDITABLE
    if unknown:
        raise ValidationError(_("不能修改这些字段：{unknown}").format(unknown="、".join(sorted(unknown))))
    node = Node.objects.select_for_update().get(pk=node.pk)
    require(actor, Capability.TERRITORY_EDIT, node.path)
    before = snapshot(node, NODE_AUDIT_FIELDS)
    geometry_changed = False
    if "name" in changes:
        name = (changes["name"] or "").strip()
        if not name or len(name) > 100:
            raise ValidationError(_("名称不能为空，最长100个字"), field="name")
        node.name = name
    if "code" in changes:
        code = (changes["code"] or "").strip().upper()
        node_code_check(node.kind, code)
        if Node.objects.filter(code=code).exclude(pk=node.pk).exists():
            raise ValidationError(_("编码 {code} 已被使用").format(code=code), field="code")
        node.code = code
    if "grid_type" in changes:
        if node.kind != NodeKind.GRID or changes["grid_type"] not in GridType.values:
            raise ValidationError(_("网格类型只能是综合网格或专属网格，且只适用于网格"), field="grid_type")
        node.grid_type = changes["grid_type"]
    old_geometry = node.geometry
    if "geometry" in changes or clear_geometry:
        node.geometry = node_geometry_clean(
            node.kind, changes.get("geometry"), had_polygon=old_geometry is not None, clear=clear_geometry
        )
        geometry_changed = not (node.geometry is None and old_geometry is None)
    if "lon" in changes or "lat" in changes:
        lon, lat = changes.get("lon", node.lon), changes.get("lat", node.lat)
        check_lon_lat(lon, lat)
        node_point_check(node.ancestor_ids, lon, lat)
        node.lon, node.lat = lon, lat
    if node.geometry is not None and (geometry_changed or "grid_type" in changes):
        node_placement_check(
            node_id=node.pk,
            kind=node.kind,
            grid_type=node.grid_type,
            parent_id=node.parent_id,
            code=node.code,
            name=node.name,
            clean=node.geometry,
        )
    if "address" in changes:
        node_address_check(changes["address"])
    for field in ("address", "sort_order", "responsible_unit"):
        if field in changes:
            setattr(node, field, changes[field])
    node.save()
    if geometry_changed and node.kind in LOCATED_KINDS:
        geometry_version_bump()
    after = snapshot(node, NODE_AUDIT_FIELDS) | {"geometry_changed": geometry_changed}
    if geometry_changed:  # the old polygon, so that it can be put back (not personal data)
        before["geometry"], after["geometry"] = old_geometry, node.geometry
    audit_write(
        actor=actor,
        verb=Verb.NODE_UPDATED,
        target=node,
        node=node,
        before=before,
        after=after,
    )
    return node


@transaction.atomic
def node_move(*, actor: Any, node: Node, new_parent: Node) -> Node:
    """Re-parent ``node`` and its whole subtree, and every scoped row under it, at once."""
    node = Node.objects.select_for_update().get(pk=node.pk)
    new_parent = Node.objects.select_for_update().get(pk=new_parent.pk)
    require(actor, Capability.TERRITORY_EDIT, node.path)
    require(actor, Capability.TERRITORY_EDIT, new_parent.path)
    if new_parent.path.startswith(node.path):
        raise ValidationError(_("不能移动到自身或其下级之下"), field="parent")
    if node.parent_id == new_parent.pk:  # nothing to move: no rewrite, no audit row
        raise ValidationError(_("已在该上级之下"), field="parent")
    node_parent_check(node.kind, new_parent)
    # Where it lands, it must fit as if created there (its own polygon or point; the subtree
    # below keeps its place relative to it).
    if node.geometry is not None:
        node_placement_check(
            node_id=node.pk,
            kind=node.kind,
            grid_type=node.grid_type,
            parent_id=new_parent.pk,
            code=node.code,
            name=node.name,
            clean=node.geometry,
        )
    node_point_check([*new_parent.path_ids], node.lon, node.lat)
    old_path, old_parent_id = node.path, node.parent_id
    old_area = enclosing_subdistrict(old_path)
    new_path = path_for(node.pk, new_parent.path)
    depth_delta = (new_parent.depth + 1) - node.depth
    cut = len(old_path) + 1
    Node.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", cut)),
        depth=F("depth") + depth_delta,
    )
    Node.objects.filter(pk=node.pk).update(parent=new_parent)
    moved_rows = 0
    copies: list[tuple[type[Model], str]] = [(model, "node_path") for model in scoped_models()]
    for model, field in [*copies, *path_copies()]:
        moved_rows += path_rewrite(model, field, old_path, new_path)
    rebuilt = rates_follow_move(new_path, old_area)
    if Node.objects.filter(
        path__startswith=new_path, kind__in=LOCATED_KINDS, geometry__isnull=False
    ).exists():
        geometry_version_bump()
    nodes_changed.send(sender=Node)
    node.refresh_from_db()
    audit_write(
        actor=actor,
        verb=Verb.NODE_MOVED,
        target=node,
        node=node,
        before={"parent": old_parent_id, "path": old_path},
        after={"parent": new_parent.pk, "path": new_path, "rows_moved": moved_rows}
        | ({"rates_rebuilt": [f"{m:%Y-%m}" for m in rebuilt]} if rebuilt else {}),
    )
    return node


def enclosing_subdistrict(path: str) -> str | None:
    """The path of the subdistrict strictly above ``path``, if any (the rate rollups count
    everything below a subdistrict under the subdistrict's own path)."""
    above = [path[: i + 1] for i, ch in enumerate(path[:-1]) if ch == "/"]
    found = Node.objects.filter(path__in=above, kind=NodeKind.SUBDISTRICT).values_list("path", flat=True)
    return next(iter(found), None)


def rates_follow_move(new_path: str, old_area: str | None) -> list[date]:
    """Keep the built months of the rate rollups exact after a move (``node_move``).

    The paths of ratings, requests and pending deltas have been rewritten by then, and so
    have the rollup rows of a moved subdistrict (or higher). Below a subdistrict the rollup
    rows hold sums per subdistrict: when the moved subtree changes subdistrict, every built
    month in which it has a counted row (a rating, a received request, a close or reopen) or
    a pending delta is rebuilt from the raw rows, in the move's transaction. Returns those
    months.
    """
    if enclosing_subdistrict(new_path) == old_area:
        return []  # the same subdistrict, or none above: the rollup rows moved as they are
    if not apps.is_installed("civicgrid.requests"):
        return []
    from civicgrid.requests.rates.cells import CLOSE_ACTIONS, REOPEN_ACTION, rollup_refresh
    from civicgrid.requests.rates.figures import month_start

    built = set(apps.get_model("requests", "RateRollupMonth").objects.values_list("month", flat=True))
    if not built:
        return []
    rating = apps.get_model("requests", "Rating")
    request = apps.get_model("requests", "Request")
    event = apps.get_model("requests", "RequestEvent")
    delta = apps.get_model("requests", "RateDelta")
    months: set[date] = set(
        rating.objects.filter(node_path__startswith=new_path).values_list("month", flat=True).distinct()
    )
    months |= set(delta.objects.filter(place__startswith=new_path).values_list("month", flat=True).distinct())
    moments = [
        request.objects.filter(node_path__startswith=new_path, received_at__isnull=False).datetimes(
            "received_at", "month"
        ),
        event.objects.filter(
            request__node_path__startswith=new_path, action__in=[*CLOSE_ACTIONS, REOPEN_ACTION]
        ).datetimes("created_at", "month"),
    ]
    for found in moments:
        months |= {moment.date() for moment in found}
    wanted = sorted({month_start(m) for m in months} & built)
    return [marker.month for marker in rollup_refresh(months=wanted)]


@transaction.atomic
def node_deactivate(*, actor: Any, node: Node) -> Node:
    node = Node.objects.select_for_update().get(pk=node.pk)
    require(actor, Capability.TERRITORY_EDIT, node.path)
    if node.parent_id is None:
        raise ValidationError(_("不能停用顶级区域"), field="node")
    Node.objects.filter(path__startswith=node.path).update(is_active=False)
    geometry_version_bump()
    nodes_changed.send(sender=Node)
    audit_write(
        actor=actor,
        verb=Verb.NODE_DEACTIVATED,
        target=node,
        node=node,
        before={"is_active": True},
        after={"is_active": False},
    )
    node.refresh_from_db()
    return node


# --- grid matters -------------------------------------------------------------------


@transaction.atomic
def grid_matter_create(
    *,
    actor: Any,
    code: str,
    name: str,
    domain: str,
    department: str,
    applies_to: list[Node],
    description: str = "",
    frequency: str = "",
) -> GridMatter:
    errors: dict[str, list[str]] = {}
    if not code.strip():
        errors["code"] = [_("事项编码不能为空")]
    elif GridMatter.objects.filter(code=code.strip()).exists():
        errors["code"] = [_("事项编码 {code} 已存在").format(code=code)]
    if not name.strip():
        errors["name"] = [_("事项名称不能为空")]
    if not department.strip():
        errors["department"] = [_("责任部门不能为空")]
    from civicgrid.territory.models import MatterDomain

    if domain not in MatterDomain.values:
        errors["domain"] = [_("条线取值无效")]
    if not applies_to:
        errors["applies_to"] = [_("至少选择一个适用区域")]
    if errors:
        raise ValidationError(errors=errors)
    for node in applies_to:
        require(actor, Capability.GRID_MATTER_EDIT, node.path)
    matter = GridMatter.objects.create(
        code=code.strip(),
        name=name.strip(),
        domain=domain,
        department=department.strip(),
        description=description,
        frequency=frequency,
    )
    matter.applies_to.set(applies_to)
    audit_write(
        actor=actor,
        verb=Verb.GRID_MATTER_CREATED,
        target=matter,
        node=applies_to[0],
        after=snapshot(matter, ["code", "name", "domain", "department"])
        | {"applies_to": [n.pk for n in applies_to]},
    )
    return matter


# --- positions ----------------------------------------------------------------------


@transaction.atomic
def position_create(
    *,
    actor: Any,
    node: Node,
    post: str,
    holder_name: str,
    start_date: date,
    end_date: date | None = None,
    user: Any = None,
    resident: Any = None,
    phone: str = "",
    organisation_name: str = "",
    note: str = "",
) -> Position:
    node = node_for_update(node)
    require(actor, Capability.POSITION_EDIT, node.path)
    errors: dict[str, list[str]] = {}
    if post not in Post.values:
        errors["post"] = [_("岗位取值无效")]
    if not holder_name.strip():
        errors["holder_name"] = [_("姓名不能为空")]
    elif len(holder_name.strip()) > 50:
        errors["holder_name"] = [_("姓名最长50个字")]
    if len(organisation_name) > 100:
        errors["organisation_name"] = [_("工作单位最长100个字")]
    if len(note) > 255:
        errors["note"] = [_("备注最长255个字")]
    if end_date and end_date < start_date:
        errors["end_date"] = [_("任职结束日期不能早于开始日期")]
    phone = phone.strip()
    if phone and (problem := phone_problem(phone)):
        errors["phone"] = [problem]
    if errors:
        raise ValidationError(errors=errors)
    position = Position.objects.create(
        node=node,
        node_path=node.path,
        post=post,
        holder_name=holder_name.strip(),
        user=user,
        resident=resident,
        phone_enc=crypto.encrypt(phone),
        phone_hash=crypto.blind_index(phone),
        organisation_name=organisation_name,
        start_date=start_date,
        end_date=end_date,
        note=note,
    )
    audit_write(
        actor=actor,
        verb=Verb.POSITION_CREATED,
        target=position,
        node=node,
        after=snapshot(position, ["post", "holder_name", "user", "resident", "start_date", "end_date"]),
    )
    return position


@transaction.atomic
def position_end(*, actor: Any, position: Position, end_date: date) -> Position:
    position = Position.objects.select_for_update().get(pk=position.pk)
    require(actor, Capability.POSITION_EDIT, position.node_path)
    if end_date < position.start_date:
        raise ValidationError(_("任职结束日期不能早于开始日期"), field="end_date")
    before = {"end_date": position.end_date}
    position.end_date = end_date
    position.save(update_fields=["end_date"])
    audit_write(
        actor=actor,
        verb=Verb.POSITION_ENDED,
        target=position,
        node=position.node,
        before=before,
        after={"end_date": end_date},
    )
    return position
