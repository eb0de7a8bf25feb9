"""Proactive governance (主动治理): hot issues, monthly topics, solve before asked, spikes.

* ``RequestTerms`` — the words of each request (jieba, hashed), computed once when the
  request arrives (by ``governance_tick``) so that hot issues of a month read them instead
  of cutting two million texts again;
* ``HotIssueRun`` / ``HotIssue`` / ``HotIssueMember`` — one computation of the hot issues of
  a territory node and period, its ranked clusters and their requests;
* ``Topic`` and ``GovernanceTask`` — a monthly topic (每月一题) with its leading official,
  lead and assisting units, plan and tasks; tasks also come from accepted proposals;
* ``SeasonalProposal`` — a recurring seasonal problem proposed as a planned task (未诉先办);
* ``SpikeAlert`` — a sudden rise of one category in one place.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.territory.models import ScopedModel

USER = settings.AUTH_USER_MODEL


class RequestTerms(models.Model):
    """Hashed words of one request (``text.request_terms``): uint32 little-endian, packed."""

    request = models.OneToOneField(
        "requests.Request", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    terms = models.BinaryField()
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("诉求分词")
        verbose_name_plural = gettext_lazy("诉求分词")

    def __str__(self) -> str:
        return f"#{self.request_id}"


class HotIssueRun(ScopedModel):
    """One computation of the hot issues under ``node`` for ``period_start``–``period_end``."""

    period_start = models.DateField(gettext_lazy("开始日期"))
    period_end = models.DateField(gettext_lazy("结束日期"))
    params = models.JSONField(gettext_lazy("参数"), default=dict)
    stats = models.JSONField(gettext_lazy("统计"), default=dict)
    seconds = models.FloatField(gettext_lazy("耗时（秒）"), default=0)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("热点计算")
        verbose_name_plural = gettext_lazy("热点计算")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["node", "period_start", "period_end", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.node_id} {self.period_start}~{self.period_end}"


class HotIssue(ScopedModel):
    """A cluster of similar requests in one place; ``node`` is the smallest node holding them all."""

    run = models.ForeignKey(HotIssueRun, on_delete=models.CASCADE, related_name="issues")
    rank = models.PositiveIntegerField(gettext_lazy("排名"))
    title = models.CharField(gettext_lazy("代表标题"), max_length=200)
    keywords = models.JSONField(gettext_lazy("关键词"), default=list)
    category = models.ForeignKey(
        "requests.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    category_prefix = models.CharField(gettext_lazy("分类编码前缀"), max_length=20, blank=True)
    count = models.PositiveIntegerField(gettext_lazy("诉求数"))
    previous_count = models.PositiveIntegerField(gettext_lazy("上期同类诉求数"), default=0)
    growth = models.FloatField(gettext_lazy("增长"), default=0)
    requesters = models.PositiveIntegerField(gettext_lazy("诉求人数"), default=0)
    rated = models.PositiveIntegerField(gettext_lazy("已评价"), default=0)
    unsatisfied = models.PositiveIntegerField(gettext_lazy("不满意"), default=0)
    votes = models.PositiveIntegerField(gettext_lazy("点赞"), default=0)
    heat = models.FloatField(gettext_lazy("热度"))
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    first_at = models.DateTimeField(gettext_lazy("最早"))
    last_at = models.DateTimeField(gettext_lazy("最近"))
    terms = models.BinaryField(
        gettext_lazy("中心词"), default=b""
    )  # top term ids (uint32), to find the problem again

    class Meta:
        verbose_name = gettext_lazy("热点问题")
        verbose_name_plural = gettext_lazy("热点问题")
        ordering = ["run", "rank"]
        constraints = [models.UniqueConstraint(fields=["run", "rank"], name="hot_issue_rank_unique")]

    def __str__(self) -> str:
        return self.title

    @property
    def growth_label(self) -> str:
        """ "+150%" against the previous period; "新出现" when it had none."""
        if not self.previous_count:
            return _("新出现")
        return f"{self.growth * 100:+.0f}%"

    @property
    def unsatisfied_share(self) -> float:
        return self.unsatisfied / self.rated if self.rated else 0.0


class HotIssueMember(models.Model):
    issue = models.ForeignKey(HotIssue, on_delete=models.CASCADE, related_name="members")
    request = models.ForeignKey("requests.Request", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)  # 0 = the most central request

    class Meta:
        verbose_name = gettext_lazy("热点诉求")
        verbose_name_plural = gettext_lazy("热点诉求")
        ordering = ["issue", "position"]
        constraints = [models.UniqueConstraint(fields=["issue", "request"], name="hot_member_unique")]

    def __str__(self) -> str:
        return f"{self.issue_id}:{self.request_id}"


class TopicStatus(models.TextChoices):
    ACTIVE = "active", gettext_lazy("推进中")
    DONE = "done", gettext_lazy("已完成")
    CANCELLED = "cancelled", gettext_lazy("已撤销")


class Topic(ScopedModel):
    """A monthly topic (每月一题): one problem, one leading official, one lead unit."""

    month = models.DateField(gettext_lazy("所属月份"))
    title = models.CharField(gettext_lazy("题目"), max_length=200)
    description = models.TextField(gettext_lazy("问题描述"), blank=True)
    hot_issue = models.ForeignKey(
        HotIssue,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="topics",
        verbose_name=gettext_lazy("来源热点"),
    )
    leading_official = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=gettext_lazy("牵头领导")
    )
    lead_unit = models.ForeignKey(
        "requests.HandlingUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("牵头单位"),
    )
    assisting_units = models.ManyToManyField(
        "requests.HandlingUnit", blank=True, related_name="+", verbose_name=gettext_lazy("协办单位")
    )
    plan = models.TextField(gettext_lazy("工作方案"), blank=True)
    status = models.CharField(
        gettext_lazy("状态"), max_length=12, choices=TopicStatus.choices, default=TopicStatus.ACTIVE
    )
    # What "this problem" is, for the before/after counts: category prefix and the words.
    category_prefix = models.CharField(gettext_lazy("分类编码前缀"), max_length=20, blank=True)
    terms = models.BinaryField(gettext_lazy("问题词"), default=b"")
    keywords = models.JSONField(gettext_lazy("关键词"), default=list)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = gettext_lazy("每月一题")
        verbose_name_plural = gettext_lazy("每月一题")
        ordering = ["-month", "-id"]

    def __str__(self) -> str:
        return self.title


class TaskStatus(models.TextChoices):
    OPEN = "open", gettext_lazy("进行中")
    DONE = "done", gettext_lazy("已完成")


class GovernanceTask(ScopedModel):
    """A task with a deadline and progress: of a monthly topic, or planned ahead (未诉先办)."""

    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(gettext_lazy("任务"), max_length=200)
    description = models.TextField(gettext_lazy("说明"), blank=True)
    unit = models.ForeignKey(
        "requests.HandlingUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("责任单位"),
    )
    deadline = models.DateField(gettext_lazy("完成时限"))
    progress = models.PositiveSmallIntegerField(gettext_lazy("进度（%）"), default=0)
    status = models.CharField(
        gettext_lazy("状态"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    note = models.TextField(gettext_lazy("进展情况"), blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("治理任务")
        verbose_name_plural = gettext_lazy("治理任务")
        ordering = ["deadline", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="task_progress_at_most_100"),
        ]

    def __str__(self) -> str:
        return self.title


class Season(models.TextChoices):
    WINTER = "winter", gettext_lazy("冬季（11月—次年2月）")
    SPRING = "spring", gettext_lazy("春季（3—5月）")
    SUMMER = "summer", gettext_lazy("夏季（6—8月）")
    AUTUMN = "autumn", gettext_lazy("秋季（9—10月）")


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", gettext_lazy("待决定")
    ACCEPTED = "accepted", gettext_lazy("已转为任务")
    DISMISSED = "dismissed", gettext_lazy("不采纳")


class SeasonalProposal(ScopedModel):
    """A recurring seasonal problem of one place, proposed as a planned task before its season."""

    category = models.ForeignKey("requests.Category", on_delete=models.PROTECT, related_name="+")
    category_prefix = models.CharField(gettext_lazy("分类编码前缀"), max_length=20)
    season = models.CharField(gettext_lazy("季节"), max_length=10, choices=Season.choices)
    season_start = models.DateField(gettext_lazy("季节开始"))
    evidence = models.JSONField(gettext_lazy("往年同期诉求"), default=dict)  # {"2024": 7, "2025": 9}
    expected = models.FloatField(gettext_lazy("预计诉求数"), default=0)
    title = models.CharField(gettext_lazy("建议任务"), max_length=200)
    status = models.CharField(
        gettext_lazy("状态"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    task = models.OneToOneField(
        GovernanceTask, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposal"
    )
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("未诉先办建议")
        verbose_name_plural = gettext_lazy("未诉先办建议")
        ordering = ["season_start", "-expected", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["node", "category_prefix", "season_start"], name="one_proposal_per_place_season"
            )
        ]

    def __str__(self) -> str:
        return self.title


class AlertStatus(models.TextChoices):
    ACTIVE = "active", gettext_lazy("持续中")
    ACKNOWLEDGED = "acknowledged", gettext_lazy("已知悉")
    ENDED = "ended", gettext_lazy("已结束")


class SpikeAlert(ScopedModel):
    """A sudden rise of one category group in one place (``node``: the community, or the node itself)."""

    category_prefix = models.CharField(gettext_lazy("分类编码前缀"), max_length=20)
    category_label = models.CharField(gettext_lazy("分类"), max_length=255)
    window_minutes = models.PositiveIntegerField(gettext_lazy("窗口（分钟）"))
    observed = models.PositiveIntegerField(gettext_lazy("窗口内诉求数"))
    expected = models.FloatField(gettext_lazy("基线期望数"))
    p_value = models.FloatField(gettext_lazy("P值"))
    peak = models.PositiveIntegerField(gettext_lazy("峰值"), default=0)
    status = models.CharField(
        gettext_lazy("状态"), max_length=14, choices=AlertStatus.choices, default=AlertStatus.ACTIVE
    )
    first_request_at = models.DateTimeField(gettext_lazy("首件时间"))
    raised_at = models.DateTimeField(gettext_lazy("预警时间"))
    last_seen_at = models.DateTimeField(gettext_lazy("最近异常时间"))
    ended_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(gettext_lazy("处置说明"), blank=True)

    class Meta:
        verbose_name = gettext_lazy("突发预警")
        verbose_name_plural = gettext_lazy("突发预警")
        ordering = ["-raised_at", "-id"]
        constraints = [
            # One alert per place and category while it lasts: a second tick cannot raise another.
            models.UniqueConstraint(
                fields=["node", "category_prefix"],
                condition=~Q(status="ended"),
                name="one_open_spike_per_place_category",
            )
        ]

    def __str__(self) -> str:
        return f"{self.node_id} {self.category_label}"
