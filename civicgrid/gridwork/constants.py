"""Named constants of grid work (网格工作): verbs, choices, defaults."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.core.uploads import IMAGE_TYPES


class Verb:
    PATROL_STARTED = "gridwork.patrol_started"
    PATROL_ENDED = "gridwork.patrol_ended"
    PATROL_AUTO_ENDED = "gridwork.patrol_auto_ended"
    PATROL_POINTS_ADDED = "gridwork.patrol_points_added"
    FINDING_RECORDED = "gridwork.finding_recorded"
    VISIT_RECORDED = "gridwork.visit_recorded"
    CARE_PLAN_CREATED = "gridwork.care_plan_created"
    CARE_PLAN_UPDATED = "gridwork.care_plan_updated"
    CARE_PLAN_ENDED = "gridwork.care_plan_ended"
    CARE_PLANS_GENERATED = "gridwork.care_plans_generated"
    CARE_WARNING_RAISED = "gridwork.care_warning_raised"
    CAMPAIGN_LAUNCHED = "gridwork.campaign_launched"
    CAMPAIGN_ASSIGNED = "gridwork.campaign_assigned"
    CAMPAIGN_CLOSED = "gridwork.campaign_closed"
    CAMPAIGN_CHECKED = "gridwork.campaign_checked"
    CAMPAIGN_EXPORTED = "gridwork.campaign_exported"
    PROPOSAL_SUBMITTED = "gridwork.proposal_submitted"
    PROPOSAL_APPROVED = "gridwork.proposal_approved"
    PROPOSAL_REJECTED = "gridwork.proposal_rejected"


class FindingCategory(models.TextChoices):
    ENVIRONMENT = "environment", _("环境卫生")
    FACILITIES = "facilities", _("公共设施")
    SAFETY = "safety", _("安全隐患")
    FIRE = "fire", _("消防安全")
    DISPUTE = "dispute", _("矛盾纠纷")
    ORDER = "order", _("治安秩序")
    CITY_MANAGEMENT = "city_management", _("市容秩序")
    LIVELIHOOD = "livelihood", _("民生诉求")
    OTHER = "other", _("其他")


class Outcome(models.TextChoices):
    """What the grid worker did with what they saw."""

    RECORDED = "recorded", _("仅记录")
    FIXED = "fixed", _("现场解决")
    REPORTED = "reported", _("上报诉求")


class VisitKind(models.TextChoices):
    HOME = "home", _("入户走访")
    DOORSTEP = "doorstep", _("门口/楼下交谈")
    PHONE = "phone", _("电话问候")


class Wellbeing(models.TextChoices):
    GOOD = "good", _("情况良好")
    ATTENTION = "attention", _("需要关注")
    URGENT = "urgent", _("需紧急帮扶")


class Light(models.TextChoices):
    GREEN = "green", _("绿灯（正常）")
    YELLOW = "yellow", _("黄灯（临期）")
    RED = "red", _("红灯（超期）")


class CampaignKind(models.TextChoices):
    EPIDEMIC = "epidemic", _("疫情排查")
    ANTI_FRAUD = "anti_fraud", _("反诈APP入户核查")
    FIRE_SAFETY = "fire_safety", _("消防安全检查")
    CENSUS = "census", _("人口信息核查")
    OTHER = "other", _("其他专项")


class CampaignTarget(models.TextChoices):
    HOUSEHOLD = "household", _("每户")
    BUILDING = "building", _("每栋楼")


class CampaignState(models.TextChoices):
    ACTIVE = "active", _("进行中")
    CLOSED = "closed", _("已结束")


class ItemState(models.TextChoices):
    PENDING = "pending", _("待完成")
    DONE = "done", _("已完成")
    UNREACHABLE = "unreachable", _("无人在家")
    REFUSED = "refused", _("拒绝配合")


class QuestionKind(models.TextChoices):
    YESNO = "yesno", _("是/否")
    NUMBER = "number", _("数字")
    TEXT = "text", _("文字")


class ProposalKind(models.TextChoices):
    MOVED_OUT = "moved_out", _("人员迁出")
    DECEASED = "deceased", _("人员死亡")
    NEW_RESIDENT = "new_resident", _("新住户/新租户")
    ADD_TAG = "add_tag", _("新增标签")
    REMOVE_TAG = "remove_tag", _("去除标签")
    DWELLING_USE = "dwelling_use", _("房屋使用情况变化")


class ProposalState(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已同意")
    REJECTED = "rejected", _("已驳回")


# How often (days) a resident of each care group is visited unless the plan says otherwise
# (the smallest interval of the resident's groups wins). Elderly living alone: weekly.
CARE_INTERVAL_DAYS: dict[str, int] = {
    "elderly_alone": 7,
    "extreme_poverty": 7,
    "serious_mental_illness": 7,
    "community_corrections": 7,
    "disabled": 14,
    "empty_nest": 14,
    "left_behind_child": 14,
    "low_income": 30,
    "needy_party_member": 30,
}
DEFAULT_CARE_INTERVAL_DAYS = 30
# A visit turns yellow this many days before it is due; red once it is overdue.
CARE_YELLOW_DAYS = 2

# Limits on what a phone may send.
MAX_PHOTOS = 6
MAX_POINTS_PER_BATCH = 500
MAX_BACKDATE_DAYS = 30  # entries kept offline longer than this are refused
# A campaign starts within a year of today (either side), ends today or later and lasts at
# most a year: 0001-01-01 or 9999-12-31 is a slip of the keyboard, not a campaign.
CAMPAIGN_WINDOW_DAYS = 366
MAX_CLOCK_SKEW_MINUTES = 10  # a phone's clock may run this far ahead of the server
PHOTO_TYPES = IMAGE_TYPES  # each checked whole (core.uploads)

# Default checklists of the campaign kinds (label, kind, required).
# i18n: data (copied into the campaign launch form as editable text, then stored with the campaign)
DEFAULT_CHECKLISTS: dict[str, list[tuple[str, str, bool]]] = {
    CampaignKind.EPIDEMIC: [
        ("家庭常住人数", QuestionKind.NUMBER, True),
        ("近14天有无发热、咳嗽等症状", QuestionKind.YESNO, True),
        ("近14天有无中高风险地区旅居史", QuestionKind.YESNO, True),
        ("已完成疫苗接种人数", QuestionKind.NUMBER, False),
    ],
    CampaignKind.ANTI_FRAUD: [
        ("已安装国家反诈中心APP", QuestionKind.YESNO, True),
        ("已开启来电预警功能", QuestionKind.YESNO, True),
        ("已讲解常见诈骗手法", QuestionKind.YESNO, True),
        ("家中老人是否接到过可疑电话", QuestionKind.YESNO, False),
    ],
    CampaignKind.FIRE_SAFETY: [
        ("配备灭火器或灭火毯", QuestionKind.YESNO, True),
        ("安装独立式烟感报警器", QuestionKind.YESNO, False),
        ("电动自行车未在室内或楼道充电", QuestionKind.YESNO, True),
        ("疏散通道、楼梯间畅通", QuestionKind.YESNO, True),
        ("发现的隐患", QuestionKind.TEXT, False),
    ],
    CampaignKind.CENSUS: [
        ("实际居住人数", QuestionKind.NUMBER, True),
        ("与登记信息一致", QuestionKind.YESNO, True),
        ("变动情况说明", QuestionKind.TEXT, False),
    ],
    CampaignKind.OTHER: [("已完成", QuestionKind.YESNO, True)],
}
