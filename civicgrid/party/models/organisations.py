"""Party organisations as a tree on the territory, their members, the 1+10+N links and visits."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicgrid.party.constants import (
    MemberCategory,
    MemberRole,
    OrgKind,
    PoliticalStatus,
    Sector,
    Trade,
)
from civicgrid.territory.models import ScopedModel


class PartyOrganisation(ScopedModel):
    """A party organisation: a joint committee, grid branch, building group, hub household,
    dedicated branch or a unit's own party organisation. ``node`` is where it sits."""

    code = models.CharField(_("党组织编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=32, choices=OrgKind.choices, db_index=True)
    sector = models.CharField(_("专属领域"), max_length=32, choices=Sector.choices, blank=True, default="")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("上级"),
    )
    unit = models.ForeignKey(
        "registry.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_organisations",
        verbose_name=_("所在单位"),
    )
    hub_resident = models.ForeignKey(
        "registry.Resident",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hub_households",
        verbose_name=_("中心户户主"),
    )
    secretary_name = models.CharField(_("书记（负责人）"), max_length=50, blank=True)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["node_path", "kind", "name"]
        indexes = [models.Index(fields=["parent", "kind"])]
        constraints = [
            # A unit has one party organisation of its own.
            models.UniqueConstraint(
                fields=["unit"], condition=Q(kind=OrgKind.UNIT), name="party_one_organisation_per_unit"
            ),
            models.UniqueConstraint(
                fields=["hub_resident"],
                condition=Q(kind=OrgKind.HUB_HOUSEHOLD, is_active=True),
                name="party_one_hub_per_resident",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PartyMember(ScopedModel):
    """A party member (or a new-employment worker who reports). ``node`` is their organisation's
    node; ``home_node`` where they live (from the registry or the locator)."""

    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    resident = models.ForeignKey(
        "registry.Resident",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_memberships",
        verbose_name=_("居民档案"),
    )
    organisation = models.ForeignKey(
        PartyOrganisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("所在党组织"),
    )
    category = models.CharField(_("类别"), max_length=20, choices=MemberCategory.choices, db_index=True)
    political_status = models.CharField(
        _("政治面貌"), max_length=20, choices=PoliticalStatus.choices, default=PoliticalStatus.FULL
    )
    role = models.CharField(
        _("党内职务"), max_length=20, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    join_date = models.DateField(_("入党日期"), null=True, blank=True)
    employer = models.ForeignKey(
        "registry.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_employees",
        verbose_name=_("工作单位"),
    )
    employer_name = models.CharField(_("工作单位名称"), max_length=100, blank=True)
    trade = models.CharField(_("从业类型"), max_length=20, choices=Trade.choices, blank=True, default="")
    phone_enc = models.TextField(blank=True, default="", editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True, default="", editable=False)
    home_node = models.ForeignKey(
        "territory.Node",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("居住地"),
    )
    home_address = models.CharField(_("居住地址"), max_length=255, blank=True)
    is_needy = models.BooleanField(_("困难党员"), default=False)
    is_active = models.BooleanField(_("在册"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        ordering = ["node_path", "name", "id"]
        indexes = [models.Index(fields=["organisation", "is_active"])]
        constraints = [
            models.UniqueConstraint(
                fields=["resident"],
                condition=Q(resident__isnull=False, is_active=True),
                name="party_one_member_per_resident",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def home_label(self) -> str:
        """Where the member lives as a person reads it: the node with its parents, as the
        registry shows a resident's area (``registry.selectors.area_label``: 3号楼 · 2单元),
        and the compound before a building's unit (锦绣苑 · 3号楼 · 2单元); "" when unknown.
        Lists select ``home_node__parent__parent``."""
        from civicgrid.registry.selectors import area_label
        from civicgrid.territory.models import NodeKind

        node = self.home_node if self.home_node_id is not None else None
        label = area_label(node)
        parent = node.parent if node is not None and node.parent_id else None
        above = parent.parent if parent is not None and parent.parent_id else None
        if above is not None and above.kind == NodeKind.COMPOUND:
            label = f"{above.name} · {label}"
        return label


class HubLink(ScopedModel):
    """1+10+N: a member linked to a hub household (about ten per hub). ``node`` is the hub's."""

    hub = models.ForeignKey(
        PartyOrganisation, on_delete=models.PROTECT, related_name="hub_links", verbose_name=_("党员中心户")
    )
    member = models.OneToOneField(
        PartyMember, on_delete=models.PROTECT, related_name="hub_link", verbose_name=_("党员")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("中心户联系党员")
        verbose_name_plural = _("中心户联系党员")
        ordering = ["hub", "id"]

    def __str__(self) -> str:
        return f"{self.hub} → {self.member}"


class ContactLink(ScopedModel):
    """1+10+N: a resident a member keeps in touch with. ``node`` is the resident's."""

    member = models.ForeignKey(
        PartyMember, on_delete=models.PROTECT, related_name="contacts", verbose_name=_("党员")
    )
    resident = models.ForeignKey(
        "registry.Resident",
        on_delete=models.PROTECT,
        related_name="party_contacts",
        verbose_name=_("联系居民"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("党员联系居民")
        verbose_name_plural = _("党员联系居民")
        ordering = ["member", "id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "resident"], name="party_one_contact_per_pair")
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.resident}"


class NeedyVisit(ScopedModel):
    """A visit to a needy member (走访困难党员). ``node`` is the member's."""

    member = models.ForeignKey(
        PartyMember, on_delete=models.PROTECT, related_name="visits", verbose_name=_("困难党员")
    )
    visited_on = models.DateField(_("走访日期"))
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    visitor_name = models.CharField(_("走访人"), max_length=50)
    content = models.TextField(_("走访情况"))
    help_given = models.CharField(_("帮扶措施"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("困难党员走访")
        verbose_name_plural = _("困难党员走访")
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.member}"
