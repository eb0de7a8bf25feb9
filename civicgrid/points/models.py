"""Points (积分): a double-entry, append-only ledger, its rules, lots for expiry, and the shop.

The ledger
    Every change of points is one ``Movement`` of a positive ``amount`` from one ``Account``
    to another. A movement is never changed or deleted (the database refuses it, migration
    0002), so the balance of an account is Σ amount in − Σ amount out, and the sum over all
    accounts is zero by construction. Holder accounts (a person or a unit) also keep their
    balance in ``Account.balance``, changed only with ``F()`` in the transaction that writes
    the movement, with a CHECK that it never goes below zero; system accounts (issuance,
    expiry, shop...) are derived only (no hot row for every earning in a community).

Lots
    Every earning opens a ``Lot`` with its expiry date; spending and expiry consume lots
    oldest first (``LotUse`` rows, append-only), so ``Σ lot.remaining == Account.balance``.

The shop
    ``Goods`` with stock (a CHECK keeps it ≥ 0; every change is a ``StockEntry``), donated by a
    partner unit; a ``Redemption`` reserves stock and points (to the community's reserve
    account) and carries a pickup code; hand-over moves the points on to the shop account,
    cancellation or expiry returns both.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.territory.models import ScopedModel


class ActivityType(models.TextChoices):
    """Kinds of service a rule is written for (``points_award(activity_type=...)``)."""

    MUTUAL_AID = "mutual_aid", gettext_lazy("邻里互助")
    ELDERLY_CARE = "elderly_care", gettext_lazy("助老助残")
    ENVIRONMENT = "environment", gettext_lazy("环境整治")
    SAFETY = "safety", gettext_lazy("平安巡防")
    LAW = "law", gettext_lazy("法律服务")
    CULTURE = "culture", gettext_lazy("文化活动")
    EPIDEMIC = "epidemic", gettext_lazy("疫情防控")
    MEDIATION = "mediation", gettext_lazy("矛盾调解")
    HEALTH = "health", gettext_lazy("健康服务")
    EDUCATION = "education", gettext_lazy("教育辅导")
    SERVICE_ORDER = "service_order", gettext_lazy("点单服务")
    OTHER = "other", gettext_lazy("其他")


class AccountKind(models.TextChoices):
    PERSON = "person", gettext_lazy("个人")
    UNIT = "unit", gettext_lazy("单位")
    # System accounts, one per community (or higher node), balances derived.
    ISSUANCE = "issuance", gettext_lazy("积分发放")
    EXPIRY = "expiry", gettext_lazy("积分过期")
    RESERVED = "reserved", gettext_lazy("兑换冻结")
    SHOP = "shop", gettext_lazy("积分超市")
    ADJUSTMENT = "adjustment", gettext_lazy("积分调整")


HOLDER_KINDS = (AccountKind.PERSON, AccountKind.UNIT)
SYSTEM_KINDS = (
    AccountKind.ISSUANCE,
    AccountKind.EXPIRY,
    AccountKind.RESERVED,
    AccountKind.SHOP,
    AccountKind.ADJUSTMENT,
)


class MovementKind(models.TextChoices):
    EARN = "earn", gettext_lazy("获得")
    REDEEM = "redeem", gettext_lazy("兑换冻结")
    HAND_OVER = "hand_over", gettext_lazy("兑换完成")
    REFUND = "refund", gettext_lazy("兑换退回")
    EXPIRE = "expire", gettext_lazy("过期")
    ADJUST_IN = "adjust_in", gettext_lazy("调增")
    ADJUST_OUT = "adjust_out", gettext_lazy("调减")


class Account(ScopedModel):
    """Whose points: a person, a unit, or a system account of a community.

    ``node`` is where the holder is registered (for scope) or the community of a system account.
    """

    kind = models.CharField(gettext_lazy("账户类型"), max_length=16, choices=AccountKind.choices)
    resident = models.OneToOneField(
        "registry.Resident",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="points_account",
        verbose_name=gettext_lazy("居民"),
    )
    organisation = models.OneToOneField(
        "registry.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="points_account",
        verbose_name=gettext_lazy("单位"),
    )
    # Kept for holder accounts only (F() in the movement's transaction); 0 for system accounts.
    balance = models.BigIntegerField(gettext_lazy("积分余额"), default=0)
    # Time-bank hours (时间银行): banked service time, apart from spendable points.
    hours = models.DecimalField(gettext_lazy("时间银行（小时）"), max_digits=10, decimal_places=2, default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("积分账户")
        verbose_name_plural = gettext_lazy("积分账户")
        ordering = ["node_path", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind=AccountKind.PERSON, resident__isnull=False, organisation__isnull=True)
                    | Q(kind=AccountKind.UNIT, organisation__isnull=False, resident__isnull=True)
                    | Q(kind__in=SYSTEM_KINDS, resident__isnull=True, organisation__isnull=True)
                ),
                name="points_account_holder_matches_kind",
            ),
            models.CheckConstraint(condition=Q(balance__gte=0), name="points_account_balance_not_negative"),
            models.CheckConstraint(condition=Q(hours__gte=0), name="points_account_hours_not_negative"),
            models.UniqueConstraint(
                fields=["kind", "node"],
                condition=Q(kind__in=SYSTEM_KINDS),
                name="points_system_account_unique",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == AccountKind.PERSON and self.resident_id:
            return f"{self.resident}"
        if self.kind == AccountKind.UNIT and self.organisation_id:
            return f"{self.organisation}"
        return f"{self.get_kind_display()}（{self.node}）"

    @property
    def is_holder(self) -> bool:
        return self.kind in HOLDER_KINDS


class Movement(models.Model):
    """One posting: ``amount`` points from ``from_account`` to ``to_account``. Append-only."""

    kind = models.CharField(gettext_lazy("类型"), max_length=16, choices=MovementKind.choices)
    from_account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="movements_out", verbose_name=gettext_lazy("转出账户")
    )
    to_account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="movements_in", verbose_name=gettext_lazy("转入账户")
    )
    amount = models.BigIntegerField(gettext_lazy("积分"))
    # What caused it, unique: a second call with the same pair is the same movement.
    source = models.CharField(gettext_lazy("来源"), max_length=48)
    source_ref = models.CharField(gettext_lazy("来源编号"), max_length=96)
    # Where it happened (leaderboards per community) and for which team (team leaderboards).
    node = models.ForeignKey(
        "territory.Node", on_delete=models.PROTECT, related_name="+", verbose_name=gettext_lazy("发生区域")
    )
    node_path = models.CharField(max_length=255, editable=False)
    team = models.CharField(gettext_lazy("服务队"), max_length=64, blank=True, default="")
    activity_type = models.CharField(gettext_lazy("服务类型"), max_length=32, blank=True, default="")
    hours = models.DecimalField(gettext_lazy("服务时长（小时）"), max_digits=8, decimal_places=2, default=0)
    # How the points were computed (rule, formula inputs), for the holder to see.
    detail = models.JSONField(gettext_lazy("计算依据"), default=dict, blank=True)
    note = models.CharField(gettext_lazy("说明"), max_length=255, blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("操作人"),
    )
    created_at = models.DateTimeField(gettext_lazy("时间"), db_index=True)

    class Meta:
        verbose_name = gettext_lazy("积分流水")
        verbose_name_plural = gettext_lazy("积分流水")
        ordering = ["-created_at", "-id"]
        indexes = [
            # Derived balances read only these (index-only scans on PostgreSQL).
            models.Index(fields=["to_account", "created_at"], include=["amount"], name="points_mv_to"),
            models.Index(fields=["from_account", "created_at"], include=["amount"], name="points_mv_from"),
            # Leaderboards: earnings under a node in a period.
            models.Index(
                fields=["node_path", "created_at"],
                name="points_mv_earn_path",
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
                condition=Q(kind="earn"),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="points_movement_amount_positive"),
            models.CheckConstraint(
                condition=~Q(from_account=models.F("to_account")), name="points_movement_two_accounts"
            ),
            models.UniqueConstraint(fields=["source", "source_ref"], name="points_movement_source_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class Lot(models.Model):
    """What is left of one earning; consumed oldest first, expires whole at ``expires_at``."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lots")
    movement = models.OneToOneField(Movement, on_delete=models.PROTECT, related_name="lot")
    amount = models.BigIntegerField(gettext_lazy("积分"))
    remaining = models.BigIntegerField(gettext_lazy("剩余"))
    earned_at = models.DateTimeField(gettext_lazy("获得时间"))
    expires_at = models.DateTimeField(gettext_lazy("到期时间"), null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("积分批次")
        verbose_name_plural = gettext_lazy("积分批次")
        ordering = ["expires_at", "id"]
        indexes = [
            models.Index(
                fields=["account", "earned_at", "id"], name="points_lot_open", condition=Q(remaining__gt=0)
            ),
            models.Index(fields=["expires_at"], name="points_lot_due", condition=Q(remaining__gt=0)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(remaining__gte=0) & Q(remaining__lte=models.F("amount")),
                name="points_lot_remaining_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.remaining}/{self.amount}"


class LotUse(models.Model):
    """``amount`` of a lot taken (positive) or given back (negative) by a movement. Append-only."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="uses")
    movement = models.ForeignKey(Movement, on_delete=models.PROTECT, related_name="lot_uses")
    amount = models.BigIntegerField()

    class Meta:
        verbose_name = gettext_lazy("积分批次使用")
        verbose_name_plural = gettext_lazy("积分批次使用")

    def __str__(self) -> str:
        return f"{self.lot_id}: {self.amount}"


class TimeBankEntry(models.Model):
    """Hours banked for a holder (时间银行). Append-only; idempotent like movements."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="time_bank")
    hours = models.DecimalField(gettext_lazy("小时"), max_digits=8, decimal_places=2)
    source = models.CharField(gettext_lazy("来源"), max_length=48)
    source_ref = models.CharField(gettext_lazy("来源编号"), max_length=96)
    node = models.ForeignKey("territory.Node", on_delete=models.PROTECT, related_name="+")
    note = models.CharField(gettext_lazy("说明"), max_length=255, blank=True, default="")
    created_at = models.DateTimeField(gettext_lazy("时间"))

    class Meta:
        verbose_name = gettext_lazy("时间银行记录")
        verbose_name_plural = gettext_lazy("时间银行记录")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="points_timebank_hours_positive"),
            models.UniqueConstraint(fields=["source", "source_ref"], name="points_timebank_source_unique"),
        ]

    def __str__(self) -> str:
        return _("{hours} 小时").format(hours=self.hours)


class PointsRule(ScopedModel):
    """How many points a kind of service earns under ``node`` (the nearest rule wins).

    points = round((base_points + points_per_hour × hours) × (1 + (difficulty − 1) × difficulty_step)),
    capped at ``max_points`` when it is above 0. ``activity_type`` "" is the default of the node.
    """

    activity_type = models.CharField(gettext_lazy("服务类型"), max_length=32, blank=True, default="")
    name = models.CharField(gettext_lazy("规则名称"), max_length=100)
    base_points = models.PositiveIntegerField(gettext_lazy("基础积分"), default=0)
    points_per_hour = models.DecimalField(
        gettext_lazy("每小时积分"), max_digits=8, decimal_places=2, default=10
    )
    difficulty_step = models.DecimalField(
        gettext_lazy("难度系数步长"), max_digits=4, decimal_places=2, default="0.25"
    )
    max_points = models.PositiveIntegerField(gettext_lazy("单次上限"), default=0)
    is_active = models.BooleanField(gettext_lazy("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("积分规则")
        verbose_name_plural = gettext_lazy("积分规则")
        ordering = ["node_path", "activity_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["node", "activity_type"], condition=Q(is_active=True), name="points_rule_one_active"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def activity_type_label(self) -> str:
        """The activity type in Chinese ("默认规则" for the node's default, the code if unknown)."""
        if not self.activity_type:
            return _("默认规则")
        return str(dict(ActivityType.choices).get(self.activity_type, self.activity_type))


class PointsPolicy(ScopedModel):
    """Per community (or higher): how long points live. The nearest policy wins."""

    expiry_days = models.PositiveIntegerField(
        gettext_lazy("有效期（天）"), default=730, help_text=gettext_lazy("0 表示永不过期")
    )
    pickup_days = models.PositiveIntegerField(gettext_lazy("取货码有效期（天）"), default=7)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("积分有效期")
        verbose_name_plural = gettext_lazy("积分有效期")
        constraints = [models.UniqueConstraint(fields=["node"], name="points_policy_one_per_node")]


class AdjustmentStatus(models.TextChoices):
    PENDING = "pending", gettext_lazy("待审批")
    APPROVED = "approved", gettext_lazy("已批准")
    REJECTED = "rejected", gettext_lazy("已驳回")


class Adjustment(ScopedModel):
    """A manual correction (调整): requested with a reason, posted only once a leader approves."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="adjustments")
    amount = models.BigIntegerField(gettext_lazy("调整积分"), help_text=gettext_lazy("正数调增，负数调减"))
    reason = models.CharField(gettext_lazy("理由"), max_length=255)
    status = models.CharField(
        gettext_lazy("状态"),
        max_length=16,
        choices=AdjustmentStatus.choices,
        default=AdjustmentStatus.PENDING,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("申请人"),
    )
    requested_at = models.DateTimeField(gettext_lazy("申请时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("审批人"),
    )
    decided_at = models.DateTimeField(gettext_lazy("审批时间"), null=True, blank=True)
    decision_note = models.CharField(gettext_lazy("审批意见"), max_length=255, blank=True, default="")
    movement = models.OneToOneField(
        Movement, null=True, blank=True, on_delete=models.PROTECT, related_name="adjustment"
    )
    # The API caller's Idempotency-Key: the same requester sending it again gets this
    # adjustment back instead of a second one ("" when none was sent).
    request_key = models.CharField(gettext_lazy("幂等键"), max_length=96, blank=True, default="")

    class Meta:
        verbose_name = gettext_lazy("积分调整")
        verbose_name_plural = gettext_lazy("积分调整")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="points_adjustment_not_zero"),
            models.UniqueConstraint(
                fields=["requested_by", "request_key"],
                condition=~Q(request_key=""),
                name="points_adjustment_request_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.amount:+d}"


class Goods(ScopedModel):
    """An item of the points shop of a community (``node``), often donated by a partner unit."""

    name = models.CharField(gettext_lazy("商品名称"), max_length=100)
    description = models.CharField(gettext_lazy("说明"), max_length=255, blank=True, default="")
    price = models.PositiveIntegerField(gettext_lazy("所需积分"))
    stock = models.IntegerField(gettext_lazy("库存"), default=0)
    unit_label = models.CharField(gettext_lazy("单位"), max_length=10, default=gettext_lazy("件"))
    donor = models.ForeignKey(
        "registry.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="donated_goods",
        verbose_name=gettext_lazy("捐赠单位"),
    )
    per_person_limit = models.PositiveIntegerField(
        gettext_lazy("每人限兑"), default=0, help_text=gettext_lazy("0 表示不限")
    )
    is_active = models.BooleanField(gettext_lazy("上架"), default=True)
    # The listing's version: each edit (goods_update) adds one; an edit made from an older
    # version is refused (optimistic concurrency). Stock changes do not count.
    version = models.PositiveIntegerField(gettext_lazy("版本"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("商品")
        verbose_name_plural = gettext_lazy("积分超市商品")
        ordering = ["node_path", "price", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="points_goods_stock_not_negative"),
            models.CheckConstraint(condition=Q(price__gt=0), name="points_goods_price_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class StockEntry(models.Model):
    """One change of a goods' stock (restock, redemption, return). Append-only."""

    class Reason(models.TextChoices):
        RESTOCK = "restock", gettext_lazy("入库")
        REDEEM = "redeem", gettext_lazy("兑换")
        RETURN = "return", gettext_lazy("退回")
        CORRECT = "correct", gettext_lazy("盘点调整")

    goods = models.ForeignKey(Goods, on_delete=models.PROTECT, related_name="stock_entries")
    delta = models.IntegerField(gettext_lazy("数量变化"))
    reason = models.CharField(gettext_lazy("原因"), max_length=16, choices=Reason.choices)
    ref = models.CharField(gettext_lazy("关联"), max_length=64, blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(gettext_lazy("时间"))

    class Meta:
        verbose_name = gettext_lazy("库存记录")
        verbose_name_plural = gettext_lazy("库存记录")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(delta=0), name="points_stock_entry_not_zero")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.delta:+d}"


class RedemptionStatus(models.TextChoices):
    RESERVED = "reserved", gettext_lazy("待领取")
    HANDED_OVER = "handed_over", gettext_lazy("已领取")
    CANCELLED = "cancelled", gettext_lazy("已取消")
    EXPIRED = "expired", gettext_lazy("已过期")


class Redemption(ScopedModel):
    """A redemption (兑换): stock and points reserved until the pickup code is handed over."""

    goods = models.ForeignKey(Goods, on_delete=models.PROTECT, related_name="redemptions")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="redemptions")
    quantity = models.PositiveIntegerField(gettext_lazy("数量"), default=1)
    points = models.BigIntegerField(gettext_lazy("积分"))
    status = models.CharField(
        gettext_lazy("状态"),
        max_length=16,
        choices=RedemptionStatus.choices,
        default=RedemptionStatus.RESERVED,
    )
    code = models.CharField(gettext_lazy("取货码"), max_length=16, unique=True)
    code_expires_at = models.DateTimeField(gettext_lazy("取货截止"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(gettext_lazy("兑换时间"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(gettext_lazy("办结时间"), null=True, blank=True)
    close_note = models.CharField(gettext_lazy("说明"), max_length=255, blank=True, default="")

    class Meta:
        verbose_name = gettext_lazy("兑换")
        verbose_name_plural = gettext_lazy("兑换记录")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["code_expires_at"], name="points_redemption_due", condition=Q(status="reserved")
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="points_redemption_quantity_positive"),
            models.CheckConstraint(condition=Q(points__gt=0), name="points_redemption_points_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.goods} × {self.quantity}（{self.code}）"


class RedemptionEvent(models.Model):
    """History of a redemption's status (from → to). Append-only."""

    redemption = models.ForeignKey(Redemption, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=16, blank=True, default="")
    to_status = models.CharField(max_length=16, choices=RedemptionStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"
