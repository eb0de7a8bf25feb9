"""The one net (一张网): the territorial tree and what hangs on it.

Every node stores ``path``: its ancestors' ids and its own, as ``"1/7/42/"``. Everything
under a node is ``path__startswith=node.path`` (one indexed range scan); moving a node
rewrites the prefix of its subtree, and of every scoped row under it, in one transaction
(``territory.services.node_move``).
"""

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NodeKind(models.TextChoices):
    CITY = "city", _("市")
    DISTRICT = "district", _("区（县）")
    SUBDISTRICT = "subdistrict", _("街道（乡镇）")
    COMMUNITY = "community", _("社区（村）")
    RESIDENTS_GROUP = "residents_group", _("居民小组")
    GRID = "grid", _("网格")
    COMPOUND = "compound", _("小区")
    BUILDING = "building", _("楼栋")
    ENTRANCE = "entrance", _("单元")
    HOUSEHOLD_GROUP = "household_group", _("十联户")
    RESPONSIBILITY_AREA = "responsibility_area", _("责任区域")


# Which kinds may stand under which. The tree is strict so that "the grid of this
# building" and "the community of this grid" are always one walk up the path.
ALLOWED_PARENTS: dict[str, set[str | None]] = {
    NodeKind.CITY: {None},
    NodeKind.DISTRICT: {None, NodeKind.CITY},
    NodeKind.SUBDISTRICT: {NodeKind.DISTRICT},
    NodeKind.COMMUNITY: {NodeKind.SUBDISTRICT},
    NodeKind.RESIDENTS_GROUP: {NodeKind.COMMUNITY},
    NodeKind.GRID: {NodeKind.COMMUNITY, NodeKind.SUBDISTRICT},
    NodeKind.COMPOUND: {NodeKind.GRID, NodeKind.COMMUNITY},
    NodeKind.BUILDING: {NodeKind.COMPOUND, NodeKind.GRID, NodeKind.COMMUNITY},
    NodeKind.ENTRANCE: {NodeKind.BUILDING},
    NodeKind.HOUSEHOLD_GROUP: {
        NodeKind.GRID,
        NodeKind.COMPOUND,
        NodeKind.COMMUNITY,
        NodeKind.RESIDENTS_GROUP,
    },
    NodeKind.RESPONSIBILITY_AREA: {NodeKind.GRID, NodeKind.COMMUNITY, NodeKind.SUBDISTRICT},
}

# Levels that carry the 12-digit statistical division code (统计用区划代码).
STATISTICAL_KINDS = {
    NodeKind.CITY,
    NodeKind.DISTRICT,
    NodeKind.SUBDISTRICT,
    NodeKind.COMMUNITY,
}


class GridType(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("综合网格")
    DEDICATED = "dedicated", _("专属网格")


class Node(models.Model):
    kind = models.CharField(_("层级"), max_length=32, choices=NodeKind.choices, db_index=True)
    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("上级"),
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    grid_type = models.CharField(
        _("网格类型"), max_length=16, choices=GridType.choices, blank=True, default=""
    )
    # GeoJSON geometry (Polygon or MultiPolygon), WGS-84 longitude/latitude.
    geometry = models.JSONField(_("范围"), null=True, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    responsible_unit = models.ForeignKey(
        "registry.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsibility_areas",
        verbose_name=_("包保单位"),
    )
    address = models.CharField(_("地址"), max_length=255, blank=True)
    sort_order = models.IntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("区域节点")
        verbose_name_plural = _("区域节点")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["parent", "sort_order", "name"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part][:-1]

    @property
    def path_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def is_under(self, other: "Node") -> bool:
        return self.path.startswith(other.path)


def path_for(node_id: int, parent_path: str | None) -> str:
    return f"{parent_path or ''}{node_id}/"


def common_path(paths: list[str]) -> str:
    """The deepest path lying above every given path ("" when they share no node, or one of
    them is the whole tree)."""
    if not paths or "" in paths:
        return ""
    parts = [p.strip("/").split("/") for p in paths]
    shared: list[str] = []
    for segments in zip(*parts, strict=False):
        if len(set(segments)) != 1:
            break
        shared.append(segments[0])
    return "".join(f"{s}/" for s in shared)


class ScopedModel(models.Model):
    """A row that lives somewhere in the tree. ``node_path`` mirrors ``node.path``.

    ``db_index`` gives two indexes on PostgreSQL: a plain one (equality, ordering) and its
    ``varchar_pattern_ops`` twin (``_like``) that serves the scope filter ``LIKE 'a/b/%'``;
    on SQLite one. Subclasses add no index of their own on ``node_path`` alone (migrations
    ``*_drop_duplicate_path_indexes`` removed those that duplicated the ``_like`` one).
    """

    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("所属区域"))
    node_path = models.CharField(max_length=255, db_index=True, editable=False)

    class Meta:
        abstract = True


class GeometryVersion(models.Model):
    """One row; its counter moves whenever any grid's geometry changes (the locator reloads)."""

    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("几何版本")

    def __str__(self) -> str:
        return f"v{self.version}"


class MatterDomain(models.TextChoices):
    PARTY_BUILDING = "party_building", _("党建")
    PUBLIC_ORDER = "public_order", _("政法综治")
    CIVIL_AFFAIRS = "civil_affairs", _("民政")
    URBAN_MANAGEMENT = "urban_management", _("城管")
    EMERGENCY = "emergency", _("应急消防")
    MARKET = "market", _("市场监管")
    HEALTH = "health", _("卫生健康")
    OTHER = "other", _("其他")


class GridMatter(models.Model):
    """One duty of the grid matters list (网格服务管理事项清单): what enters which grids."""

    code = models.CharField(_("事项编码"), max_length=32, unique=True)
    name = models.CharField(_("事项名称"), max_length=200)
    domain = models.CharField(_("条线"), max_length=32, choices=MatterDomain.choices)
    department = models.CharField(_("责任部门"), max_length=100)
    description = models.TextField(_("工作要求"), blank=True)
    frequency = models.CharField(_("频次"), max_length=50, blank=True)
    applies_to = models.ManyToManyField(
        Node,
        related_name="grid_matters",
        verbose_name=_("适用范围"),
        help_text=_("事项进入这些区域下的全部网格"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("网格事项")
        verbose_name_plural = _("网格服务管理事项清单")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Post(models.TextChoices):
    GRID_INSTRUCTOR = "grid_instructor", _("网格指导员")
    CHIEF_GRID_LEADER = "chief_grid_leader", _("总网格长")
    GRID_LEADER = "grid_leader", _("网格长")
    GRID_WORKER_FULLTIME = "grid_worker_fulltime", _("专职网格员")
    GRID_WORKER_PARTTIME = "grid_worker_parttime", _("兼职网格员")
    BUILDING_LEADER = "building_leader", _("楼栋长")
    ENTRANCE_LEADER = "entrance_leader", _("单元长")
    HOUSEHOLD_GROUP_LEADER = "household_group_leader", _("联户长")
    HUB_HOUSEHOLD = "hub_household", _("党员中心户")
    LEGAL_JUDGE = "legal_judge", _("法官（三官一律）")
    LEGAL_PROSECUTOR = "legal_prosecutor", _("检察官（三官一律）")
    LEGAL_POLICE = "legal_police", _("警官（三官一律）")
    LEGAL_LAWYER = "legal_lawyer", _("律师（三官一律）")
    COMMUNITY_POLICE = "community_police", _("社区民警")
    COMMUNITY_SECRETARY = "community_secretary", _("社区书记")


class Position(ScopedModel):
    """A person holding a post on a node from ``start_date`` until ``end_date`` (inclusive)."""

    post = models.CharField(_("岗位"), max_length=32, choices=Post.choices)
    holder_name = models.CharField(_("姓名"), max_length=50)
    user = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="positions",
        verbose_name=_("系统账号"),
    )
    resident = models.ForeignKey(
        "registry.Resident",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="positions",
        verbose_name=_("居民档案"),
    )
    phone_enc = models.TextField(blank=True, default="", editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    organisation_name = models.CharField(_("工作单位"), max_length=100, blank=True)
    start_date = models.DateField(_("任职开始"))
    end_date = models.DateField(_("任职结束"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("岗位任职")
        verbose_name_plural = _("岗位任职")
        ordering = ["node_path", "post", "start_date"]
        indexes = [
            models.Index(fields=["node", "end_date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="position_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_post_display()} {self.holder_name}"

    def is_current(self, on: date) -> bool:
        return self.start_date <= on and (self.end_date is None or self.end_date >= on)
