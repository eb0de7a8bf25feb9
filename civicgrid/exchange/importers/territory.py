"""Importers of the territory: nodes (a subtree), positions, and grid polygons from GeoJSON.

Checks are the ones ``territory.services`` runs in ``node_create``, ``position_create`` and
``node_update`` (where polygons and points may lie: ``territory.topology``, for the whole
file at once); rows are then written in bulk with the same field preparation.
"""

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from civicgrid.accounts.permissions import Capability
from civicgrid.core import bulk, crypto
from civicgrid.core.errors import ValidationError
from civicgrid.exchange.cells import comparable
from civicgrid.exchange.constants import BATCH_SIZE
from civicgrid.exchange.importers.base import LOOKUP_CHUNK, Importer, Progress, RowError, chunked
from civicgrid.exchange.importers.updates import (
    Update,
    apply_updates,
    counted,
    differences,
    given,
    planned_update,
)
from civicgrid.exchange.models import ImportKind
from civicgrid.exchange.readers import Row
from civicgrid.territory import topology
from civicgrid.territory.constants import CODE_LETTERS, Verb
from civicgrid.territory.geometry import (
    CRS_GCJ02,
    CRS_WGS84,
    check_lon_lat,
    clean_polygon,
    crs_kind,
    crs_problem,
    declared_crs,
    stored_polygon,
)
from civicgrid.territory.locator import LOCATED_KINDS
from civicgrid.territory.models import (
    STATISTICAL_KINDS,
    GridType,
    Node,
    NodeKind,
    Position,
    Post,
    path_for,
)
from civicgrid.territory.services import (
    geometry_version_bump,
    node_code_check,
    node_parent_check,
    node_placement_check,
    node_point_check,
)

NODE_FIELDS = {"kind": "kind", "parent": "parent_code", "code": "code", "grid_type": "grid_type"}


@dataclass
class PlannedNode:
    row: Row
    node: Node
    parent_db: Node | None
    parent_planned: "PlannedNode | None"
    level: int = 0

    @property
    def parent(self) -> Node | None:
        return self.parent_db or (self.parent_planned.node if self.parent_planned else None)


class NodeImporter(Importer):
    kind = ImportKind.NODES
    edit_capability = Capability.TERRITORY_EDIT

    def validate(self, rows: list[Row], progress: Progress) -> list[RowError]:
        self.first_row: dict[str, int] = {}
        for row in rows:
            if code := self.code(row, "code"):
                self.first_row.setdefault(code, row.number)
        parents = {self.code(row, "parent_code") for row in rows}
        self.load_nodes(set(self.first_row) | parents)
        self.existing: dict[str, Node] = {}
        for batch in chunked(sorted(c for c in self.first_row if c in self.nodes)):
            for node in Node.objects.filter(code__in=batch).select_related("parent"):
                self.existing[node.code] = node
        self.updates: list[Update] = []
        self.unchanged = 0
        self.planned: list[PlannedNode] = []
        self.by_code: dict[str, PlannedNode] = {}
        self.name_rows: dict[tuple[str, str], int] = {}
        self.update_rows: set[int] = set()
        for row in self.each(rows, progress):
            self._validate_row(row)
        self._check_registered_names()
        self._generate_codes()
        self._check_points()
        return self.sorted_errors()

    def _parent(self, row: Row) -> tuple[bool, Node | None, PlannedNode | None]:
        """(resolved, parent in the database, parent earlier in the file)."""
        code = self.code(row, "parent_code")
        if not code:
            return True, None, None
        if code in self.nodes:
            return True, self.nodes[code], None
        if code in self.by_code:
            return True, None, self.by_code[code]
        first = self.first_row.get(code)
        if first == row.number:
            self.error(row, "parent_code", _("上级编码不能是本行自己的编码"))
        elif first is not None and first > row.number:
            self.error(
                row,
                "parent_code",
                _("上级编码 {code} 在本文件第{first}行，请把上级放在下级前面").format(code=code, first=first),
            )
        elif first is not None:
            self.error(
                row,
                "parent_code",
                _("上级编码 {code} 所在的第{first}行有错误").format(code=code, first=first),
            )
        else:
            self.error(row, "parent_code", _("上级编码 {code} 不存在").format(code=code))
        return False, None, None

    def _check_scope(self, row: Row, parent_db: Node | None, parent_planned: PlannedNode | None) -> None:
        if parent_db is not None:
            anchor, label = parent_db.path, parent_db.code
        elif parent_planned is not None:
            anchor, label = self._anchor(parent_planned), parent_planned.node.code
        else:
            anchor, label = "", ""
        if not self.may_write(anchor):
            if label:
                self.error(
                    row, "parent_code", _("上级区域 {label} 不在您可导入的管辖范围内").format(label=label)
                )
            else:
                self.error(row, "parent_code", _("只有系统管理员可以导入顶级区域，请填写上级编码"))
        elif parent_db is not None and not parent_db.is_active:
            self.error(row, "parent_code", _("上级区域 {label} 已停用").format(label=label))

    @staticmethod
    def _anchor(planned: PlannedNode) -> str:
        """The path of the nearest ancestor already in the database."""
        while planned.parent_planned is not None:
            planned = planned.parent_planned
        return planned.parent_db.path if planned.parent_db else ""

    def _kind(self, row: Row) -> str:
        kind = self.choice(row, "kind")
        if not kind:
            self.error(row, "kind", _("层级不能为空"))
        elif kind not in NodeKind.values:
            self.error(
                row,
                "kind",
                _("层级取值无效，可选：{labels}").format(labels="、".join(self.columns["kind"].labels)),
            )
            return ""
        elif kind == NodeKind.RESPONSIBILITY_AREA:
            self.error(row, "kind", _("责任区域必须指定包保单位，请在区域页面逐个添加"))
        return kind

    def _grid_type(self, row: Row, kind: str) -> str:
        grid_type = self.choice(row, "grid_type")
        if kind == NodeKind.GRID:
            grid_type = grid_type or GridType.COMPREHENSIVE
            if grid_type not in GridType.values:
                self.error(row, "grid_type", _("网格类型只能是综合网格或专属网格"))
        elif grid_type:
            self.error(row, "grid_type", _("只有网格才有网格类型"))
        return grid_type

    def _code(self, row: Row, kind: str, has_parent: bool) -> str:
        code = self.code(row, "code")
        if not code:
            if kind and (kind in STATISTICAL_KINDS or not has_parent):
                self.error(row, "code", _("该层级必须填写12位统计用区划代码"))
            return ""
        if kind:
            try:
                node_code_check(kind, code)
            except ValidationError as exc:
                self.validation_error(row, exc, NODE_FIELDS)
        if self.first_row.get(code, row.number) != row.number:
            self.error(
                row, "code", _("编码 {code} 与第{row}行重复").format(code=code, row=self.first_row[code])
            )
        elif code in self.nodes:
            self.error(row, "code", _("编码 {code} 已被使用").format(code=code))
        return code

    def _lon_lat(self, row: Row) -> tuple[float | None, float | None]:
        values: list[float | None] = []
        for key in ("lon", "lat"):
            number = self.number(row, key)
            values.append(float(number) if number is not None else None)
        lon, lat = values
        try:
            check_lon_lat(lon, lat)
        except ValidationError as exc:
            self.validation_error(row, exc, {"lon": "lon", "lat": "lat"})
        return lon, lat

    def _validate_row(self, row: Row) -> None:
        code = self.code(row, "code")
        existing = self.existing.get(code) if self.first_row.get(code) == row.number else None
        if existing is not None:
            self.update_rows.add(row.number)
            self._validate_update(row, existing)
            return
        kind = self._kind(row)
        name = self.required_text(row, "name", 100)
        resolved, parent_db, parent_planned = self._parent(row)
        if resolved:
            self._check_scope(row, parent_db, parent_planned)
            parent = parent_db or (parent_planned.node if parent_planned else None)
            if kind:
                try:
                    node_parent_check(kind, parent)
                except ValidationError as exc:
                    self.validation_error(row, exc, NODE_FIELDS)
        grid_type = self._grid_type(row, kind)
        code = self._code(row, kind, has_parent=bool(self.code(row, "parent_code")))
        if name:
            self._same_name(row, self.code(row, "parent_code"), name)
        lon, lat = self._lon_lat(row)
        address = self.optional_text(row, "address", 255)
        if self.is_bad(row):
            return
        node = Node(kind=kind, code=code, name=name, grid_type=grid_type, lon=lon, lat=lat, address=address)
        planned = PlannedNode(row, node, parent_db, parent_planned)
        if parent_planned is not None:
            planned.level = parent_planned.level + 1
        self.planned.append(planned)
        if code:
            self.by_code[code] = planned

    def _same_name(self, row: Row, parent_code: str, name: str) -> None:
        """Two areas of one name under one parent cannot be told apart on any page."""
        first = self.name_rows.setdefault((parent_code, comparable(name)), row.number)
        if first != row.number:
            self.error(row, "name", _("与第{row}行重复（同一上级下的同名区域）").format(row=first))

    def _check_registered_names(self) -> None:
        """Nor can a new area and a registered one of the same name under the same parent:
        a row creating one is refused (a file imported twice would make every area again).
        A row whose 编码 is that area's updates it (``_validate_update``) and is not new.
        The parents of the file are read at once."""
        wanted: dict[tuple[str, str], int] = {
            key: number
            for key, number in self.name_rows.items()
            if number not in self.update_rows and key[0] in self.nodes
        }
        parents = {self.nodes[code].pk: code for code, _name in wanted}
        ids = sorted(parents)
        for start in range(0, len(ids), LOOKUP_CHUNK):
            registered = Node.objects.filter(
                parent_id__in=ids[start : start + LOOKUP_CHUNK], is_active=True
            ).values_list("parent_id", "name", "code")
            for parent_pk, name, code in registered:
                number = wanted.get((parents[parent_pk], comparable(name)))
                if number is not None:
                    self.error(
                        number,
                        "name",
                        _(
                            "上级区域下已有同名区域 {name}（编码 {code}）；"
                            "如要修改它，请在编码列填写 {code}，否则请改名或从文件中删去此行"
                        ).format(name=name, code=code),
                    )

    # --- rows naming a registered code: updates ------------------------------------------

    def _validate_update(self, row: Row, existing: Node) -> None:
        """A row whose 编码 is registered updates that node (``territory.services.node_update``'s
        checks): its name, grid type, point and address; only within the actor's edit scope
        (nothing of a node outside it is told), and where it is: its 层级 and 上级编码 stay
        (moving is done on the 区域 pages)."""
        code = existing.code
        if not self.may_write(existing.path):
            self.error(
                row, "code", _("编码 {code} 已被您管辖范围以外的区域使用，不能导入修改").format(code=code)
            )
            return
        kind = self.choice(row, "kind")
        if kind != existing.kind:
            self.error(
                row,
                "kind",
                _("导入不能修改层级（{code} 是{kind}）").format(code=code, kind=existing.get_kind_display()),
            )
        name = self.required_text(row, "name", 100)
        parent_code = self.code(row, "parent_code")
        current = existing.parent.code if existing.parent else ""
        if parent_code != current:
            self.error(
                row,
                "parent_code",
                _("编码 {code} 的上级编码是 {current}，导入不能移动区域；如需移动，请在区域页面操作").format(
                    code=code, current=current or _("（无，顶级区域）")
                ),
            )
        grid_type = self.choice(row, "grid_type")
        if existing.kind == NodeKind.GRID:
            grid_type = grid_type or existing.grid_type
            if grid_type not in GridType.values:
                self.error(row, "grid_type", _("网格类型只能是综合网格或专属网格"))
        elif grid_type:
            self.error(row, "grid_type", _("只有网格才有网格类型"))
        if name:
            self._same_name(row, parent_code, name)
        lon, lat = self._lon_lat(row)
        address = self.optional_text(row, "address", 255)
        if self.is_bad(row):
            return
        values = {"name": name, "grid_type": grid_type, "lon": lon, "lat": lat, "address": address}
        changes = differences(existing, given(row, values))
        try:
            if "lon" in changes or "lat" in changes:
                node_point_check(existing.ancestor_ids, lon, lat)
            if "grid_type" in changes and existing.geometry is not None:
                node_placement_check(
                    node_id=existing.pk,
                    kind=existing.kind,
                    grid_type=grid_type,
                    parent_id=existing.parent_id,
                    code=existing.code,
                    name=name,
                    clean=existing.geometry,
                )
        except ValidationError as exc:
            self.validation_error(row, exc, {"lon": "lon", "grid_type": "grid_type", "geometry": "grid_type"})
            return
        if not changes:
            self.unchanged += 1
            return
        self.updates.append(planned_update(row.number, existing, changes))

    def _check_points(self) -> None:
        """Each point within the polygon of its nearest ancestor in the database that has one."""
        located = [p for p in self.planned if p.node.lon is not None and p.node.lat is not None]
        paths = {id(p): [int(part) for part in self._anchor(p).split("/") if part] for p in located}
        areas = topology.nearest_areas(path for path in paths.values() if path)
        for planned in located:
            node = planned.node
            assert node.lon is not None and node.lat is not None
            if reason := topology.point_problem(node.lon, node.lat, paths[id(planned)], areas):
                self.error(planned.row, "lon", reason)

    def _generate_codes(self) -> None:
        """Codes for rows that left them empty, like ``territory.services.next_generated_code``."""
        counters: dict[str, int] = {}
        for planned in self.planned:
            node = planned.node
            if node.code:
                continue
            parent = planned.parent
            assert parent is not None
            prefix = f"{parent.code}{CODE_LETTERS[node.kind]}"
            if prefix not in counters:
                counters[prefix] = self._highest_number(prefix)
            counters[prefix] += 1
            width = 3 if node.kind != NodeKind.ENTRANCE else 2
            node.code = f"{prefix}{counters[prefix]:0{width}d}"
            try:
                node_code_check(node.kind, node.code)
            except ValidationError as exc:
                self.validation_error(planned.row, exc, NODE_FIELDS)

    def _highest_number(self, prefix: str) -> int:
        existing = list(Node.objects.filter(code__startswith=prefix).values_list("code", flat=True))
        existing += [c for c in self.first_row if c.startswith(prefix)]
        numbers = [int(c[len(prefix) :]) for c in existing if c[len(prefix) :].isdecimal()]
        return max(numbers, default=0)

    def save(self) -> dict[str, int]:
        apply_updates(self.actor, Node, self.updates, Verb.NODE_UPDATED, place="path")
        levels: dict[int, list[PlannedNode]] = {}
        for planned in self.planned:
            levels.setdefault(planned.level, []).append(planned)
        for level in sorted(levels):
            group = levels[level]
            for planned in group:
                parent = planned.parent
                planned.node.parent = parent
                planned.node.depth = (parent.depth + 1) if parent else 0
                planned.node.path = f"tmp-{planned.node.code}"
            nodes = [p.node for p in group]
            Node.objects.bulk_create(nodes, batch_size=BATCH_SIZE)
            for planned in group:
                parent = planned.parent
                planned.node.path = path_for(planned.node.pk, parent.path if parent else None)
            Node.objects.bulk_update(nodes, ["path"], batch_size=BATCH_SIZE)
        return counted({"nodes": len(self.planned)}, self.updates, self.unchanged)


POSITION_FIELDS = {
    "post": "post",
    "holder_name": "holder_name",
    "end_date": "end_date",
    "phone": "phone",
}


class PositionImporter(Importer):
    kind = ImportKind.POSITIONS
    edit_capability = Capability.POSITION_EDIT

    def validate(self, rows: list[Row], progress: Progress) -> list[RowError]:
        self.load_nodes(self.code(row, "node_code") for row in rows)
        self.positions: list[Position] = []
        self.terms: dict[tuple[int, str, str], list[tuple[int, date, date | None]]] = {}
        for row in self.each(rows, progress):
            self._validate_row(row)
        self._check_registered()
        return self.sorted_errors()

    def _check_registered(self) -> None:
        """A row repeating a registered position (same area, post and person over an
        overlapping term) is the same position imported again: refused, so a file imported
        twice does not double everyone's posts. The file's areas are read at once."""
        nodes = sorted({node_pk for node_pk, _post, _name in self.terms})
        refused: set[int] = set()
        for start in range(0, len(nodes), LOOKUP_CHUNK):
            registered = Position.objects.filter(node_id__in=nodes[start : start + LOOKUP_CHUNK]).values_list(
                "node_id", "post", "holder_name", "start_date", "end_date"
            )
            for node_pk, post, holder_name, other_start, other_end in registered:
                for number, begins, ends in self.terms.get((node_pk, post, comparable(holder_name)), []):
                    overlaps = begins <= (other_end or date.max) and other_start <= (ends or date.max)
                    if overlaps and number not in refused:
                        refused.add(number)
                        self._refuse_registered(number, other_start, other_end)

    def _refuse_registered(self, number: int, other_start: date, other_end: date | None) -> None:
        self.error(
            number,
            "holder_name",
            _(
                "与已登记的任职重复（同一区域、同一岗位、同一人，任职时间重叠：{start} 至 {end}）；"
                "请从文件中删去此行，如需修改请在区域页面操作"
            ).format(start=other_start.isoformat(), end=other_end.isoformat() if other_end else _("今")),
        )

    def _check_twice(
        self, row: Row, node: Node, post: str, holder_name: str, start: date, end: date | None
    ) -> None:
        """One person in one post of one area twice over overlapping terms is the same
        position typed twice (the same person may hold two posts, or one post again later)."""
        terms = self.terms.setdefault((node.pk, post, comparable(holder_name)), [])
        for first, other_start, other_end in terms:
            if start <= (other_end or date.max) and other_start <= (end or date.max):
                self.error(
                    row,
                    "holder_name",
                    _("与第{row}行重复（同一区域、同一岗位、同一人，任职时间重叠）").format(row=first),
                )
                return
        terms.append((row.number, start, end))

    def _validate_row(self, row: Row) -> None:
        node = self.target_node(row)
        post = self.choice(row, "post")
        if not post:
            self.error(row, "post", _("岗位不能为空"))
        elif post not in Post.values:
            self.error(row, "post", _("岗位取值无效"))
        holder_name = self.required_text(row, "holder_name", 50, name=True)
        start_date = self.date(row, "start_date")
        if start_date is None and not self.text(row, "start_date"):
            self.error(row, "start_date", _("任职开始日期不能为空"))
        end_date = self.date(row, "end_date")
        if start_date and end_date and end_date < start_date:
            self.error(row, "end_date", _("任职结束日期不能早于开始日期"))
        phone = self.phone(row)
        organisation_name = self.optional_text(row, "organisation_name", 100)
        if node is not None and start_date is not None and post and holder_name:
            self._check_twice(row, node, post, holder_name, start_date, end_date)
        if self.is_bad(row) or node is None or start_date is None:
            return
        self.positions.append(
            self._position(node, post, holder_name, phone, organisation_name, start_date, end_date)
        )

    @staticmethod
    def _position(
        node: Node,
        post: str,
        holder_name: str,
        phone: str,
        organisation_name: str,
        start_date: date,
        end_date: date | None,
    ) -> Position:
        """Fields exactly as ``territory.services.position_create`` prepares them."""
        return Position(
            node=node,
            node_path=node.path,
            post=post,
            holder_name=holder_name.strip(),
            phone_enc=crypto.encrypt(phone),
            phone_hash=crypto.blind_index(phone),
            organisation_name=organisation_name,
            start_date=start_date,
            end_date=end_date,
            note="",
        )

    def save(self) -> dict[str, int]:
        bulk.insert(Position, self.positions, batch_size=BATCH_SIZE)
        return {"positions": len(self.positions)}


class GeometryImporter(Importer):
    """Sets the polygon of existing nodes from a GeoJSON FeatureCollection (property ``code``).

    Polygons are stored in WGS-84; a feature (or its collection, as the reader passes it in
    ``crs``) that declares GCJ-02 is converted, and the result counts the features converted.
    """

    kind = ImportKind.GEOMETRY
    edit_capability = Capability.TERRITORY_EDIT

    def validate(self, rows: list[Row], progress: Progress) -> list[RowError]:
        self.load_nodes(self.code(row, "code") for row in rows)
        self.changes: list[tuple[Node, dict[str, Any]]] = []
        self.converted = 0
        placed: dict[int, tuple[int, BaseGeometry]] = {}
        first_row: dict[str, int] = {}
        for row in self.each(rows, progress):
            node = self.target_node(row, key="code")
            code = self.code(row, "code")
            if node is not None and first_row.setdefault(code, row.number) != row.number:
                self.error(
                    row,
                    "code",
                    _("编码 {code} 与第{feature}个要素重复").format(code=code, feature=first_row[code]),
                )
            crs = self._crs(row)
            if crs is None:
                continue
            try:
                geom, clean = clean_polygon(row.values.get("geometry"), field="geometry", crs=crs)
            except ValidationError as exc:
                self.validation_error(row, exc, {"geometry": "geometry"})
                continue
            if node is not None and not self.is_bad(row):
                self.changes.append((node, clean))
                placed[node.pk] = (row.number, geom)
                if crs == CRS_GCJ02:
                    self.converted += 1
        self._check_placement(placed)
        # "第 2 个" alone does not say which feature: name each by its own code (or name).
        labels = {row.number: self.text(row, "code") or self.text(row, "name") for row in rows}
        return [replace(e, label=labels.get(e.row, "")) for e in self.sorted_errors()]

    def _crs(self, row: Row) -> str | None:
        """The coordinate system the feature declares (WGS-84 when none); None if unusable."""
        declared = row.values.get("crs") or declared_crs(row.values.get("geometry"))
        declared = declared if isinstance(declared, str) else ""
        if problem := crs_problem(declared):
            self.error(row, "geometry", problem)
            return None
        return crs_kind(declared) if declared else CRS_WGS84

    def _check_placement(self, placed: dict[int, tuple[int, BaseGeometry]]) -> None:
        """Grids within their parents, same-type siblings apart: the file and the database together."""
        for problem in topology.polygons_check(topology.planned_areas(placed)):
            where = (
                _("（见第{other}个要素）").format(other=problem.other) if problem.other is not None else ""
            )
            self.error(problem.key, "geometry", problem.reason + where)

    def save(self) -> dict[str, int]:
        now = timezone.now()
        nodes = []
        for node, clean in self.changes:
            stored_polygon(clean)  # never an empty or degenerate polygon, whatever validated it
            node.geometry, node.updated_at = clean, now
            nodes.append(node)
        Node.objects.bulk_update(nodes, ["geometry", "updated_at"], batch_size=BATCH_SIZE)
        if any(node.kind in LOCATED_KINDS for node in nodes):
            geometry_version_bump()
        counts = {"geometries": len(nodes)}
        if self.converted:
            counts["geometries_from_gcj02"] = self.converted
        return counts
