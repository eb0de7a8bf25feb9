"""Named constants of volunteer service (志愿服务): kinds, statuses, colours, audit verbs."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class VolunteerKind(models.TextChoices):
    RESIDENT = "resident", _("社区居民")
    IN_SERVICE_MEMBER = "in_service_member", _("在职党员")
    UNIT_STAFF = "unit_staff", _("共建单位职工")


class VolunteerStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("未通过")
    SUSPENDED = "suspended", _("已暂停")


class Availability(models.TextChoices):
    WEEKDAY_DAYTIME = "weekday_daytime", _("工作日白天")
    WEEKDAY_EVENING = "weekday_evening", _("工作日晚上")
    WEEKEND = "weekend", _("周末")
    HOLIDAY = "holiday", _("节假日")
    ON_CALL = "on_call", _("随叫随到")


class TeamColour(models.TextChoices):
    """The five colour teams (五色志愿服务队) and any other team."""

    RED = "red", _("红色·邻里互助")
    GREEN = "green", _("绿色·环境保护")
    BLUE = "blue", _("蓝色·平安守护")
    YELLOW = "yellow", _("黄色·法律服务")
    PURPLE = "purple", _("紫色·文化服务")
    OTHER = "other", _("其他")


# The standard name of each colour team in a community.
# i18n: data (names and duties of the teams created for a community: database rows)
COLOUR_TEAM_NAMES: dict[str, str] = {
    TeamColour.RED: "红色互助志愿服务队",
    TeamColour.GREEN: "绿色环保志愿服务队",
    TeamColour.BLUE: "蓝色平安志愿服务队",
    TeamColour.YELLOW: "黄色法律志愿服务队",
    TeamColour.PURPLE: "紫色文化志愿服务队",
}
# i18n: data (as above)
COLOUR_TEAM_DUTIES: dict[str, str] = {
    TeamColour.RED: "助老助残、邻里互助、代买代办、结对帮扶",
    TeamColour.GREEN: "垃圾分类、环境整治、绿化养护、文明劝导",
    TeamColour.BLUE: "治安巡逻、消防安全、防汛应急、反诈宣传",
    TeamColour.YELLOW: "法律咨询、矛盾调解、普法宣传",
    TeamColour.PURPLE: "文艺演出、读书分享、文明实践、节日活动",
}


class ServiceType(models.TextChoices):
    """What a service or activity is about; also the ``activity_type`` given to the points rules
    (the codes are those of ``civicgrid.points.models.ActivityType`` where one fits)."""

    MUTUAL_AID = "mutual_aid", _("邻里互助")
    ELDERLY_CARE = "elderly_care", _("助老助残")
    ENVIRONMENT = "environment", _("环境整治")
    SAFETY = "safety", _("平安巡防")
    LAW = "law", _("法律服务")
    MEDIATION = "mediation", _("矛盾调解")
    CULTURE = "culture", _("文化活动")
    HEALTH = "health", _("健康服务")
    EDUCATION = "education", _("教育辅导")
    OTHER = "other", _("其他")


# The service type that fits the duty of each colour team (default of a team's activities).
COLOUR_SERVICE_TYPE: dict[str, str] = {
    TeamColour.RED: ServiceType.MUTUAL_AID,
    TeamColour.GREEN: ServiceType.ENVIRONMENT,
    TeamColour.BLUE: ServiceType.SAFETY,
    TeamColour.YELLOW: ServiceType.LAW,
    TeamColour.PURPLE: ServiceType.CULTURE,
}


class Difficulty(models.IntegerChoices):
    """1 (easy) to 5 (hard), the scale of the points rules."""

    LIGHT = 1, _("轻松")
    NORMAL = 2, _("一般")
    DEMANDING = 3, _("较难")
    HARD = 4, _("困难")
    VERY_HARD = 5, _("艰巨")


class ActivityStatus(models.TextChoices):
    PUBLISHED = "published", _("报名中")
    CANCELLED = "cancelled", _("已取消")
    CLOSED = "closed", _("已结束")


class SignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("已报名")
    WAITLISTED = "waitlisted", _("候补中")
    CANCELLED = "cancelled", _("已取消")
    CHECKED_IN = "checked_in", _("已签到")
    COMPLETED = "completed", _("已签退")
    NO_SHOW = "no_show", _("缺席")
    NOT_SELECTED = "not_selected", _("未入选")  # still waitlisted when the activity ended


# Sign-ups that hold a place of the quota.
HOLDING_PLACE = frozenset({SignupStatus.CONFIRMED, SignupStatus.CHECKED_IN, SignupStatus.COMPLETED})


class CheckVia(models.TextChoices):
    QR = "qr", _("扫码")
    ORGANISER = "organiser", _("组织者登记")
    AUTO = "auto", _("活动结束自动签退")


class OrdererKind(models.TextChoices):
    """Who ordered a service (点单)."""

    RESIDENT = "resident", _("居民")
    COUNCIL = "council", _("议事会")
    UNIT = "unit", _("单位")
    STAFF = "staff", _("社区代居民点单")


class TakerKind(models.TextChoices):
    """Who takes a service order (接单)."""

    VOLUNTEER = "volunteer", _("志愿者")
    PARTY_MEMBER = "party_member", _("党员")
    UNIT = "unit", _("共建单位")


class OrderStatus(models.TextChoices):
    ORDERED = "ordered", _("待派单")
    PUBLISHED = "published", _("待接单")
    ASSIGNED = "assigned", _("服务中")
    COMPLETED = "completed", _("待确认")
    CONFIRMED = "confirmed", _("已评价")
    CANCELLED = "cancelled", _("已取消")


class AssignmentMode(models.TextChoices):
    DISPATCHED = "dispatched", _("社区派单")
    TAKEN = "taken", _("自主接单")


class OrderAction(models.TextChoices):
    CREATE = "create", _("点单")
    PUBLISH = "publish", _("发布接单")
    DISPATCH = "dispatch", _("派单")
    TAKE = "take", _("接单")
    RELEASE = "release", _("退回")
    COMPLETE = "complete", _("完成服务")
    CONFIRM = "confirm", _("确认评价")
    REOPEN = "reopen", _("退回重办")
    CANCEL = "cancel", _("取消")
    BOARD = "board", _("晒单设置")


class ConfirmVia(models.TextChoices):
    SELF = "self", _("居民确认")
    STAFF = "staff", _("社区回访确认")


# Orders shown on the public board (晒单).
ON_BOARD = frozenset({OrderStatus.COMPLETED, OrderStatus.CONFIRMED})
OPEN_ORDER = frozenset({OrderStatus.ORDERED, OrderStatus.PUBLISHED, OrderStatus.ASSIGNED})

# Points: where a movement comes from (``source`` given to ``points_award``).
POINTS_SOURCE_ACTIVITY = "volunteers.activity"
POINTS_SOURCE_ORDER = "volunteers.order"


class Verb:
    VOLUNTEER_REGISTERED = "volunteers.registered"
    VOLUNTEER_UPDATED = "volunteers.updated"
    VOLUNTEER_APPROVED = "volunteers.approved"
    VOLUNTEER_REJECTED = "volunteers.rejected"
    VOLUNTEER_SUSPENDED = "volunteers.suspended"
    TEAM_CREATED = "volunteers.team_created"
    TEAM_MEMBER_ADDED = "volunteers.team_member_added"
    TEAM_MEMBER_REMOVED = "volunteers.team_member_removed"
    ACTIVITY_PUBLISHED = "volunteers.activity_published"
    ACTIVITY_UPDATED = "volunteers.activity_updated"
    ACTIVITY_CANCELLED = "volunteers.activity_cancelled"
    ACTIVITY_CLOSED = "volunteers.activity_closed"
    SIGNED_UP = "volunteers.signed_up"
    SIGNUP_CANCELLED = "volunteers.signup_cancelled"
    SIGNUP_PROMOTED = "volunteers.signup_promoted"
    CHECKED_IN = "volunteers.checked_in"
    CHECKED_OUT = "volunteers.checked_out"
    ORDER_CREATED = "volunteers.order_created"
    ORDER_PUBLISHED = "volunteers.order_published"
    ORDER_DISPATCHED = "volunteers.order_dispatched"
    ORDER_TAKEN = "volunteers.order_taken"
    ORDER_RELEASED = "volunteers.order_released"
    ORDER_COMPLETED = "volunteers.order_completed"
    ORDER_CONFIRMED = "volunteers.order_confirmed"
    ORDER_REOPENED = "volunteers.order_reopened"
    ORDER_CANCELLED = "volunteers.order_cancelled"
    ORDER_BOARD_SET = "volunteers.order_board_set"


# Skills every installation starts with (editable in the admin): code, name.
# i18n: data (rows written by migration 0002, edited in the admin)
DEFAULT_SKILLS: list[tuple[str, str]] = [
    ("elderly_care", "助老陪护"),
    ("errands", "代买代办"),
    ("repair", "家电水电维修"),
    ("medical", "医疗护理"),
    ("first_aid", "应急救护"),
    ("counselling", "心理疏导"),
    ("legal", "法律咨询"),
    ("mediation", "矛盾调解"),
    ("tutoring", "课业辅导"),
    ("performance", "文艺演出"),
    ("photography", "摄影宣传"),
    ("it", "信息技术"),
    ("driving", "驾驶接送"),
    ("haircut", "理发"),
    ("cleaning", "环境整治"),
    ("patrol", "治安巡逻"),
    ("fire_safety", "消防安全"),
    ("sign_language", "手语"),
]
