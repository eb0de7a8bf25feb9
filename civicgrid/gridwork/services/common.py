"""What every write of grid work shares: idempotency keys, phone clocks, the grid of an
entry, field photos."""

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from shapely.geometry import Point, shape
from shapely.ops import nearest_points

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import EVERYWHERE, can, scope_paths
from civicgrid.core.errors import Conflict, PermissionDenied, ValidationError
from civicgrid.core.uploads import upload_is_whole
from civicgrid.gridwork.constants import MAX_BACKDATE_DAYS, MAX_CLOCK_SKEW_MINUTES, MAX_PHOTOS, PHOTO_TYPES
from civicgrid.gridwork.models import Finding, Patrol, Photo, Visit
from civicgrid.gridwork.permissions import paths_q
from civicgrid.territory.geometry import check_lon_lat, metres_between
from civicgrid.territory.locator import Location, locator
from civicgrid.territory.models import Node, NodeKind

M = TypeVar("M", bound=Model)
KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
TEXT_MAX = 2000


@dataclass(frozen=True)
class Saved(Generic[M]):
    """An entry and whether this call stored it (False: the same key was sent before)."""

    entry: M
    created: bool


def check_key(value: str) -> str:
    key = (value or "").strip()
    if not KEY_RE.match(key):
        raise ValidationError(_("条目编号无效（应为8到64位字母、数字、- 或 _）"), field="client_key")
    return key


def owner_of(entry: Model) -> int | None:
    for name in ("worker_id", "proposer_id"):
        if hasattr(entry, name):
            value: int | None = getattr(entry, name)
            return value
    return None


def replay(model: type[M], key: str, actor: Any) -> M | None:
    """The entry already stored under this key (sent before), or None."""
    found = model._default_manager.filter(client_key=key).first()
    if found is not None and owner_of(found) != actor.pk:
        raise Conflict(_("该条目编号已被他人使用，请重新填写"), code="key_taken")
    return found


def claim(model: type[M], key: str, actor: Any, create: Callable[[], M]) -> Saved[M]:
    """Run ``create`` (which inserts the keyed row first); if the same key won meanwhile, return it.

    Two phones (or three retries) sending one entry at once: one insert wins, the others
    wait on the unique index, fail, roll back everything they did, and answer with the
    winner's entry.
    """
    try:
        with transaction.atomic():
            return Saved(create(), True)
    except IntegrityError:
        found = replay(model, key, actor)
        if found is None:
            raise
        return Saved(found, False)


def check_moment(value: datetime | None, field: str, *, now: datetime) -> datetime:
    """When an entry was made on the phone: not in the future, not older than the limit."""
    if value is None:
        return now
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now + timedelta(minutes=MAX_CLOCK_SKEW_MINUTES):
        raise ValidationError(_("时间晚于当前时间，请检查手机时间设置"), field=field)
    if value < now - timedelta(days=MAX_BACKDATE_DAYS):
        raise ValidationError(
            _("记录时间早于{max_backdate_days}天前，无法补传").format(max_backdate_days=MAX_BACKDATE_DAYS),
            field=field,
        )
    return value


def check_text(errors: dict[str, list[str]], field: str, value: str, label: str, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        errors[field] = [_("请填写{label}").format(label=label)]
    elif len(text) > TEXT_MAX:
        errors[field] = [_("{label}最长{text_max}个字").format(label=label, text_max=TEXT_MAX)]
    return text


def check_point(errors: dict[str, list[str]], lon: float | None, lat: float | None) -> None:
    try:
        check_lon_lat(lon, lat)
    except ValidationError as exc:
        errors.update(exc.errors)


def require_worker(actor: Any) -> list[str]:
    paths = scope_paths(actor, Capability.PATROL)
    if not paths:
        raise PermissionDenied(_("只有网格员可以记录巡查和民情"))
    return paths


def my_grids(actor: Any) -> list[Node]:
    """The active grids under the actor's patrol scope."""
    paths = scope_paths(actor, Capability.PATROL)
    if not paths:
        return []
    grids = Node.objects.filter(kind=NodeKind.GRID, is_active=True)
    if "" not in paths:
        grids = grids.filter(paths_q(paths, "path"))
    return list(grids.order_by("path"))


def _border_metres(grid: Node, lon: float, lat: float) -> float | None:
    """How far the point lies outside the grid's boundary (0 inside); None: no boundary."""
    geom = shape(grid.geometry) if grid.geometry else None
    if geom is None or geom.is_empty:
        return None
    point = Point(lon, lat)
    if geom.covers(point):
        return 0.0
    near = nearest_points(geom, point)[0]
    return metres_between(lon, lat, near.x, near.y)


def _nearest_own(grids: list[Node], lon: float, lat: float) -> tuple[Node | None, float]:
    """Of ``grids``, the one nearest the point and its distance (0 inside); (None, inf) when
    none has a boundary."""
    best: tuple[Node | None, float] = (None, math.inf)
    for grid in grids:
        metres = _border_metres(grid, lon, lat)
        if metres is not None and metres < best[1]:
            best = (grid, metres)
    return best


def _own_located(actor: Any, lon: float, lat: float) -> Node | None:
    """The grid the locator finds at the point, when it is one of the actor's."""
    found = locator.locate(lon, lat)
    if found is None or not found.in_grid:  # a community or subdistrict is no one's grid
        return None
    node = Node.objects.filter(pk=found.grid.id).first()
    return node if node is not None and can(actor, Capability.PATROL, node.path) else None


def _place_name(found: Location | None) -> str:
    if found is None:
        return _("本辖区各网格以外")
    kinds = (NodeKind.SUBDISTRICT, NodeKind.COMMUNITY, NodeKind.GRID)
    return "".join(found.levels[k].name for k in kinds if k in found.levels)


def _distance_text(metres: float) -> str:
    if metres < 1000:
        return _("{metres}米").format(metres=round(metres))
    return _("{kilometres}公里").format(kilometres=f"{metres / 1000:.1f}")


class PlaceOf(StrEnum):
    """Which point of which entry ``check_place`` judges: the refusal names it."""

    FINDING = "finding"
    PATROL_START = "patrol_start"
    VISIT = "visit"


OUTSIDE_GRID = {
    PlaceOf.FINDING: gettext_lazy(
        "位置不在您负责的网格内：该点位于{place}，距{grid}边界约{distance}"
        "（边界外{tolerance}米以内可以记录）。请在现场重新定位；"
        "不属于您网格的问题，请告知所在地的网格员或社区。"
    ),
    PlaceOf.PATROL_START: gettext_lazy(
        "巡查起点不在您负责的网格内：该点位于{place}，距{grid}边界约{distance}"
        "（边界外{tolerance}米以内可以开始巡查）。请到您的网格内重新开始巡查。"
    ),
    PlaceOf.VISIT: gettext_lazy(
        "走访位置不在您负责的网格内：该点位于{place}，距{grid}边界约{distance}"
        "（边界外{tolerance}米以内可以记录）。请在走访对象住处重新定位后保存；"
        "电话问候请选择走访方式“电话问候”。"
    ),
}


def check_place(actor: Any, lon: float | None, lat: float | None, *, of: PlaceOf = PlaceOf.FINDING) -> None:
    """The point of an entry (``of``: a finding's, a patrol's start, a visit's) lies in one
    of the worker's grids, or no farther outside one than ``LOCATOR_NEAREST_METRES`` (phone
    GPS near a boundary); else ValidationError on ``lon`` naming the point. Not checked: no
    point, a worker of the whole tree, or a worker with a grid that has no boundary (the
    point may lie in it)."""
    if lon is None or lat is None or EVERYWHERE in require_worker(actor):
        return
    if _own_located(actor, lon, lat) is not None:
        return
    outside = [(g, _border_metres(g, lon, lat)) for g in my_grids(actor)]
    if not outside or any(metres is None for _g, metres in outside):
        return
    nearest, metres = min(outside, key=lambda pair: pair[1] or 0.0)
    tolerance = settings.LOCATOR_NEAREST_METRES
    if metres is None or metres <= tolerance:
        return
    message = OUTSIDE_GRID[of].format(
        place=_place_name(locator.locate(lon, lat)),
        grid=nearest.name,
        distance=_distance_text(metres),
        tolerance=round(tolerance),
    )
    raise ValidationError(message, field="lon", code="outside_grid")


def require_own_grid(actor: Any, grid: Node) -> Node:
    """A grid the worker chose: an active grid of theirs."""
    if grid.kind != NodeKind.GRID or not grid.is_active:
        raise ValidationError(_("请选择一个网格"), field="grid")
    if not can(actor, Capability.PATROL, grid.path):
        raise PermissionDenied(_("只能在自己负责的网格内记录"))
    return grid


def grid_for(
    actor: Any, *, grid: Node | None, lon: float | None, lat: float | None, patrol: Patrol | None
) -> Node:
    """The grid an entry belongs to: the one chosen, else the one at the point (when it is
    the worker's), else the worker's grid nearest the point (within
    ``LOCATOR_NEAREST_METRES``), else the patrol's, else the worker's only grid."""
    require_worker(actor)
    if grid is not None:
        return require_own_grid(actor, grid)
    grids: list[Node] | None = None
    if lon is not None and lat is not None:
        located = _own_located(actor, lon, lat)
        if located is not None:
            return located
        grids = my_grids(actor)
        nearest, metres = _nearest_own(grids, lon, lat)
        if nearest is not None and metres <= settings.LOCATOR_NEAREST_METRES:
            return nearest
    if patrol is not None:
        return patrol.node
    grids = my_grids(actor) if grids is None else grids
    if len(grids) == 1:
        return grids[0]
    raise ValidationError(_("无法确定所在网格，请选择网格"), field="grid")


def own_patrol(actor: Any, key: str, field: str = "patrol_key") -> Patrol | None:
    if not key:
        return None
    patrol = Patrol.objects.filter(client_key=key.strip(), worker=actor).select_related("node").first()
    if patrol is None:
        raise ValidationError(_("关联的巡查记录不存在"), field=field)
    return patrol


def check_photos(files: list[UploadedFile]) -> dict[str, list[str]]:
    """At most ``MAX_PHOTOS``, each within the size limit and a whole JPG, PNG or WEBP image
    (``core.uploads``, not only an image's first bytes)."""
    problems: list[str] = []
    if len(files) > MAX_PHOTOS:
        problems.append(_("照片最多{max_photos}张").format(max_photos=MAX_PHOTOS))
    limit = settings.REQUESTS_ATTACHMENT_MAX_BYTES
    for f in files:
        if f.size is None or f.size > limit:
            problems.append(
                _("{name}：照片超过{megabytes}MB").format(name=f.name, megabytes=limit // (1024 * 1024))
            )
        elif (f.content_type or "") not in PHOTO_TYPES or not upload_is_whole(f, max_bytes=limit):
            problems.append(_("{name}：只接受 JPG、PNG 或 WEBP 照片").format(name=f.name))
    return {"photos": problems} if problems else {}


def save_photos(
    files: list[UploadedFile], *, actor: Any, finding: Finding | None = None, visit: Visit | None = None
) -> None:
    for f in files:
        Photo.objects.create(
            finding=finding,
            visit=visit,
            file=f,
            content_type=f.content_type or "",
            size=f.size or 0,
            uploaded_by=actor,
        )
        f.seek(0)
