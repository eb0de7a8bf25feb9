"""The registry (实有人口 · 实有房屋 · 实有单位): residents, households, dwellings, organisations.

ID numbers and phones are never stored in clear: ``*_enc`` holds AES-GCM ciphertext,
``*_hash`` a keyed HMAC for exact lookup, ``*_masked`` what lists show. Only
``registry.services.resident_reveal_pii`` decrypts for staff, and it writes an audit row.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.territory.models import ScopedModel


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")
    UNKNOWN = "unknown", _("未知")


class ResidenceType(models.TextChoices):
    REGISTERED = "registered", _("户籍人口")
    FLOATING = "floating", _("流动人口")


class LeftReason(models.TextChoices):
    """Why a resident left the register (不在册)."""

    MOVED_OUT = "moved_out", _("迁出")
    DECEASED = "deceased", _("死亡")
    OTHER = "other", _("其他")


class DwellingUse(models.TextChoices):
    OWNER_OCCUPIED = "owner_occupied", _("自住")
    RENTED = "rented", _("出租")
    VACANT = "vacant", _("空置")


class OrganisationKind(models.TextChoices):
    ORGAN = "organ", _("机关")
    ENTERPRISE = "enterprise", _("企业")
    PUBLIC_INSTITUTION = "public_institution", _("事业单位")
    SOCIAL = "social", _("社会组织")
    TWO_NEW = "two_new", _("两新组织")
    SHOP = "shop", _("个体商户")
    PROPERTY_COMPANY = "property_company", _("物业服务企业")
    OTHER = "other", _("其他")


class ResidentTag(models.Model):
    """A care or status tag (独居老人, 残疾人, 低保, 困难党员…); editable list."""

    code = models.CharField(_("标签编码"), max_length=32, unique=True)
    name = models.CharField(_("标签名称"), max_length=50)
    is_special_group = models.BooleanField(_("重点关爱人群"), default=False)

    class Meta:
        verbose_name = _("人员标签")
        verbose_name_plural = _("人员标签")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Dwelling(ScopedModel):
    """A dwelling (房屋). ``node`` is its building or entrance."""

    code = models.CharField(_("房屋编码"), max_length=40, unique=True)
    room = models.CharField(_("房号"), max_length=50)
    use = models.CharField(_("使用情况"), max_length=20, choices=DwellingUse.choices)
    area = models.DecimalField(_("面积（㎡）"), max_digits=8, decimal_places=2, null=True, blank=True)
    owner_name = models.CharField(_("产权人"), max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("房屋")
        verbose_name_plural = _("房屋")
        ordering = ["node_path", "room"]

    def __str__(self) -> str:
        return f"{self.room}"


class Household(ScopedModel):
    """A household (户). ``node`` mirrors its dwelling's node (or a grid for those without)."""

    code = models.CharField(_("户编码"), max_length=40, unique=True)
    dwelling = models.ForeignKey(
        Dwelling,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="households",
        verbose_name=_("房屋"),
    )
    head_name = models.CharField(_("户主姓名"), max_length=50, blank=True)
    household_group = models.ForeignKey(
        "territory.Node",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member_households",
        verbose_name=_("十联户"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")
        ordering = ["node_path", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.head_name}".strip()


class Resident(ScopedModel):
    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    gender = models.CharField(_("性别"), max_length=10, choices=Gender.choices, default=Gender.UNKNOWN)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    id_number_enc = models.TextField(blank=True, default="", editable=False)
    id_number_hash = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    id_number_masked = models.CharField(_("身份证号"), max_length=32, blank=True, default="", editable=False)
    phone_enc = models.TextField(blank=True, default="", editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True, default="", editable=False)
    residence_type = models.CharField(
        _("人口类型"), max_length=20, choices=ResidenceType.choices, default=ResidenceType.REGISTERED
    )
    household = models.ForeignKey(
        Household,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        verbose_name=_("户"),
    )
    relation_to_head = models.CharField(_("与户主关系"), max_length=20, blank=True)
    tags = models.ManyToManyField(ResidentTag, blank=True, related_name="residents", verbose_name=_("标签"))
    note = models.CharField(_("备注"), max_length=255, blank=True)
    is_active = models.BooleanField(_("在册"), default=True)
    # Set when the resident leaves the register (is_active False), cleared on 恢复在册.
    left_reason = models.CharField(_("注销原因"), max_length=20, choices=LeftReason.choices, blank=True)
    left_on = models.DateField(_("注销日期"), null=True, blank=True)
    left_note = models.CharField(_("去向或说明"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    @property
    def status_label(self) -> str:
        """在册, or why not: 已迁出 / 已故 / 已注销 (left before the reason was recorded: 已迁出)."""
        if self.is_active:
            return str(_("在册"))
        if self.left_reason == LeftReason.DECEASED:
            return str(_("已故"))
        if self.left_reason == LeftReason.OTHER:
            return str(_("已注销"))
        return str(_("已迁出"))

    # Not stored: set by ``services.resident_update`` on the instance it returns when that
    # change took the resident out of the register: what stopped with it, in words.
    left_consequences: tuple[str, ...] = ()

    @property
    def left_summary(self) -> str:
        """已故（2026-11-20）: the register status with the day of leaving, the reason given
        on the records other apps stop with it (care plans, volunteer record)."""
        if self.is_active or self.left_on is None:
            return self.status_label
        return str(_("{status}（{day}）")).format(status=self.status_label, day=self.left_on.isoformat())

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("实有人口")
        ordering = ["node_path", "id"]
        indexes = [
            # Counting the registered people under a node reads only this index (bench/resident_count.py).
            models.Index(
                fields=["node_path"],
                name="registry_resident_active_path",
                opclasses=["varchar_pattern_ops"],
                condition=models.Q(is_active=True),
            ),
        ]
        constraints = [
            # One registry entry per ID number (empty allowed for those without one).
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=~models.Q(id_number_hash=""),
                name="resident_id_number_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Organisation(ScopedModel):
    name = models.CharField(_("单位名称"), max_length=200, db_index=True)
    kind = models.CharField(_("单位类型"), max_length=32, choices=OrganisationKind.choices)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, default="")
    address = models.CharField(_("地址"), max_length=255, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone_enc = models.TextField(blank=True, default="", editable=False)
    contact_phone_hash = models.CharField(
        max_length=64, blank=True, default="", db_index=True, editable=False
    )
    contact_phone_masked = models.CharField(
        _("联系电话"), max_length=20, blank=True, default="", editable=False
    )
    employees = models.PositiveIntegerField(_("从业人数"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("实有单位")
        ordering = ["node_path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~models.Q(credit_code=""),
                name="organisation_credit_code_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ResidentAccount(models.Model):
    """A resident's own sign-in (H5: volunteers, points shop, service orders, dual reporting).

    Staff accounts hold roles; a resident account holds none and acts only as this resident.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="resident_account"
    )
    resident = models.OneToOneField(Resident, on_delete=models.PROTECT, related_name="account")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("居民账号")
        verbose_name_plural = _("居民账号")

    def __str__(self) -> str:
        return f"{self.user} → {self.resident}"
