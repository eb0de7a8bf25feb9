"""Joint committees (街道大工委 · 社区大党委): part-time members, meetings, decisions, tasks, warnings.

A joint committee is a ``PartyOrganisation`` of a committee kind; these rows hang on it.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from civicgrid.party.constants import CommitteeSource, MeetingKind, TaskStatus
from civicgrid.party.models.organisations import PartyMember, PartyOrganisation
from civicgrid.territory.models import ScopedModel

USER = settings.AUTH_USER_MODEL


class CommitteeMember(ScopedModel):
    """A part-time member (兼职委员) of a joint committee for a term."""

    committee = models.ForeignKey(
        PartyOrganisation,
        on_delete=models.PROTECT,
        related_name="part_time_members",
        verbose_name=_("大党委"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    title = models.CharField(_("职务"), max_length=50, default=_("兼职委员"))
    source = models.CharField(_("来源"), max_length=32, choices=CommitteeSource.choices)
    unit = models.ForeignKey(
        "registry.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所在单位"),
    )
    unit_name = models.CharField(_("单位名称"), max_length=100, blank=True)
    member = models.ForeignKey(
        PartyMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("党员")
    )
    term_start = models.DateField(_("任期开始"))
    term_end = models.DateField(_("任期结束"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("兼职委员")
        verbose_name_plural = _("兼职委员")
        ordering = ["committee", "term_start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gte=F("term_start")),
                name="party_term_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit_name or self.get_source_display()}）"


class Meeting(ScopedModel):
    """A meeting or activity of a joint committee, with agenda and minutes."""

    committee = models.ForeignKey(
        PartyOrganisation, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("大党委")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("主题"), max_length=200)
    held_at = models.DateTimeField(_("时间"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    agenda = models.TextField(_("议程"))
    minutes = models.TextField(_("会议纪要"), blank=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("大党委会议活动")
        verbose_name_plural = _("大党委会议活动")
        ordering = ["-held_at", "-id"]
        indexes = [models.Index(fields=["committee", "held_at"])]

    def __str__(self) -> str:
        return self.title


class MeetingAttendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    committee_member = models.ForeignKey(CommitteeMember, on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField(_("出席"), default=True)
    note = models.CharField(_("请假事由"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("出席情况")
        verbose_name_plural = _("出席情况")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "committee_member"], name="party_one_attendance_row")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.committee_member_id}"


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.CharField(_("决定事项"), max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("会议决定")
        verbose_name_plural = _("会议决定")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text


class FollowUpTask(ScopedModel):
    """What a meeting asked someone to do, and whether it is done."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="tasks")
    decision = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    title = models.CharField(_("任务"), max_length=200)
    owner_name = models.CharField(_("责任人（单位）"), max_length=100)
    due_on = models.DateField(_("完成期限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    result = models.TextField(_("办理结果"), blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("跟进任务")
        verbose_name_plural = _("跟进任务")
        ordering = ["status", "due_on", "id"]

    def __str__(self) -> str:
        return self.title


class CommitteeWarning(ScopedModel):
    """A committee held no meeting or activity in a quarter (每季度至少开展1次活动)."""

    committee = models.ForeignKey(PartyOrganisation, on_delete=models.PROTECT, related_name="warnings")
    year = models.PositiveSmallIntegerField(_("年"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("大党委活动预警")
        verbose_name_plural = _("大党委活动预警")
        ordering = ["-year", "-quarter", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "year", "quarter"], name="party_one_warning_per_quarter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.committee} {self.year}Q{self.quarter}"
