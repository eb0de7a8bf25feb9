"""Named constants of party building: kinds, statuses, audit verbs, limits and defaults."""

from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.core.uploads import IMAGE_TYPES
from civicgrid.territory.models import NodeKind


class OrgKind(models.TextChoices):
    SUBDISTRICT_COMMITTEE = "subdistrict_committee", _("街道大工委")
    COMMUNITY_COMMITTEE = "community_committee", _("社区大党委")
    GRID_BRANCH = "grid_branch", _("网格党支部")
    DEDICATED_BRANCH = "dedicated_branch", _("专属党支部")
    BUILDING_GROUP = "building_group", _("楼栋党小组")
    HUB_HOUSEHOLD = "hub_household", _("党员中心户")
    UNIT = "unit", _("单位党组织")


COMMITTEE_KINDS = frozenset({OrgKind.SUBDISTRICT_COMMITTEE, OrgKind.COMMUNITY_COMMITTEE})

# The four-level chain (and the dedicated branches beside it): which kind may stand under which.
PARENT_KINDS: dict[str, frozenset[str | None]] = {
    OrgKind.SUBDISTRICT_COMMITTEE: frozenset({None}),
    OrgKind.COMMUNITY_COMMITTEE: frozenset({None, OrgKind.SUBDISTRICT_COMMITTEE}),
    OrgKind.GRID_BRANCH: frozenset({OrgKind.COMMUNITY_COMMITTEE}),
    OrgKind.DEDICATED_BRANCH: frozenset({OrgKind.COMMUNITY_COMMITTEE, OrgKind.SUBDISTRICT_COMMITTEE}),
    OrgKind.BUILDING_GROUP: frozenset({OrgKind.GRID_BRANCH, OrgKind.DEDICATED_BRANCH}),
    OrgKind.HUB_HOUSEHOLD: frozenset({OrgKind.BUILDING_GROUP, OrgKind.GRID_BRANCH}),
    OrgKind.UNIT: frozenset({None}),
}

# Where in the territory each kind sits. A unit's party organisation sits where its unit is.
NODE_KINDS: dict[str, frozenset[str]] = {
    OrgKind.SUBDISTRICT_COMMITTEE: frozenset({NodeKind.SUBDISTRICT}),
    OrgKind.COMMUNITY_COMMITTEE: frozenset({NodeKind.COMMUNITY}),
    OrgKind.GRID_BRANCH: frozenset({NodeKind.GRID}),
    OrgKind.DEDICATED_BRANCH: frozenset({NodeKind.GRID, NodeKind.COMMUNITY, NodeKind.SUBDISTRICT}),
    OrgKind.BUILDING_GROUP: frozenset({NodeKind.BUILDING, NodeKind.COMPOUND, NodeKind.GRID}),
    OrgKind.HUB_HOUSEHOLD: frozenset(
        {NodeKind.BUILDING, NodeKind.ENTRANCE, NodeKind.COMPOUND, NodeKind.GRID}
    ),
}


class Sector(models.TextChoices):
    """What a dedicated branch covers (专属网格党支部)."""

    PARK = "park", _("园区")
    OFFICE_BUILDING = "office_building", _("商务楼宇")
    BUSINESS_DISTRICT = "business_district", _("商圈市场")
    PROPERTY_COMPANY = "property_company", _("物业服务企业")
    OWNERS_COMMITTEE = "owners_committee", _("业委会（物管会）")
    NEW_EMPLOYMENT = "new_employment", _("新业态新就业群体")


# i18n: pending (party/tests/test_imports.py, owned by the import change, tests
# `label in text`: wrap these when it compares str(label))
class MemberCategory(models.TextChoices):
    COMMUNITY = "community", "社区党员"
    IN_SERVICE = "in_service", "在职党员"
    NEW_EMPLOYMENT = "new_employment", "新就业群体"


# Those expected to report to the community where they live (双报到).
REPORTING_CATEGORIES = (MemberCategory.IN_SERVICE, MemberCategory.NEW_EMPLOYMENT)


class PoliticalStatus(models.TextChoices):
    FULL = "full", _("中共党员")
    PROBATIONARY = "probationary", _("预备党员")
    ACTIVIST = "activist", _("入党积极分子")
    MASSES = "masses", _("群众")


PARTY_STATUSES = (PoliticalStatus.FULL, PoliticalStatus.PROBATIONARY)


class MemberRole(models.TextChoices):
    SECRETARY = "secretary", _("书记")
    DEPUTY_SECRETARY = "deputy_secretary", _("副书记")
    COMMITTEE_MEMBER = "committee_member", _("委员")
    GROUP_LEADER = "group_leader", _("党小组长")
    HUB_HOLDER = "hub_holder", _("中心户户主")
    MEMBER = "member", _("党员")


class Trade(models.TextChoices):
    """New-employment trades (新就业群体)."""

    COURIER = "courier", _("快递员")
    RIDER = "rider", _("外卖骑手")
    DRIVER = "driver", _("网约车司机")
    TRUCKER = "trucker", _("货车司机")
    OTHER = "other", _("其他新业态")


# i18n: pending (party/importers.py, edited in another change, joins ServiceType.labels at
# import: wrap these when it passes str(label))
class ServiceType(models.TextChoices):
    """What a reporting member or unit offers to serve (认领的服务类型)."""

    ENVIRONMENT = "environment", "环境整治"
    ELDERLY = "elderly", "助老扶弱"
    CHILDREN = "children", "关爱少年儿童"
    LEGAL = "legal", "法律服务"
    HEALTH = "health", "医疗健康"
    SAFETY = "safety", "平安巡防"
    CULTURE = "culture", "文化体育"
    PUBLICITY = "publicity", "政策宣讲"
    EMERGENCY = "emergency", "应急防疫"
    SKILLS = "skills", "专业技能"


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("待社区确认")
    CONFIRMED = "confirmed", _("已报到")
    REJECTED = "rejected", _("已退回")
    ENDED = "ended", _("已结束")


# A member has at most one report in these states (partial unique index).
ACTIVE_REPORT_STATUSES = (ReportStatus.PENDING, ReportStatus.CONFIRMED)


class LocatedBy(models.TextChoices):
    RESIDENT = "resident", _("实有人口档案")
    BUILDING = "building", _("所选楼栋")
    LOCATOR = "locator", _("坐标定位")


class AgreementKind(models.TextChoices):
    DUAL_REPORTING = "dual_reporting", _("双报到共建协议")
    ALLIANCE = "alliance", _("联盟共建协议")


class AgreementStatus(models.TextChoices):
    ACTIVE = "active", _("生效")
    ENDED = "ended", _("已终止")
    EXPIRED = "expired", _("已到期")


# A unit has at most one agreement in these states with one place (partial unique index).
ACTIVE_AGREEMENT_STATUSES = (AgreementStatus.ACTIVE,)


class CommitteeSource(models.TextChoices):
    """Where a part-time member comes from (三必配三优先)."""

    COMMUNITY_POLICE = "community_police", _("社区民警")
    CITY_MANAGEMENT = "city_management", _("城管队员")
    PARTNER_UNIT = "partner_unit", _("共驻共建单位")
    PROPERTY_COMPANY = "property_company", _("物业服务企业")
    OWNERS_COMMITTEE = "owners_committee", _("业委会（物管会）")
    RESIDENT_MEMBER = "resident_member", _("居民党员")


class MeetingKind(models.TextChoices):
    JOINT_MEETING = "joint_meeting", _("联席会议")
    DELIBERATION = "deliberation", _("协商议事")
    HEARING = "hearing", _("评议听证")
    OPINION = "opinion", _("民意收集")
    ACTIVITY = "activity", _("共建活动")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("办理中")
    DONE = "done", _("已完成")


class AllianceLevel(models.TextChoices):
    DISTRICT = "district", _("区级")
    SUBDISTRICT = "subdistrict", _("街道级")
    COMMUNITY = "community", _("社区级")


ALLIANCE_NODE_LEVEL: dict[str, str] = {
    NodeKind.DISTRICT: AllianceLevel.DISTRICT,
    NodeKind.SUBDISTRICT: AllianceLevel.SUBDISTRICT,
    NodeKind.COMMUNITY: AllianceLevel.COMMUNITY,
}


class AllianceRole(models.TextChoices):
    LEAD = "lead", _("牵头单位")
    MEMBER = "member", _("成员单位")


class NeedCategory(models.TextChoices):
    ELDERLY = "elderly", _("养老助老")
    CHILDREN = "children", _("托育助学")
    ENVIRONMENT = "environment", _("环境卫生")
    FACILITIES = "facilities", _("设施改造")
    SAFETY = "safety", _("平安建设")
    CULTURE = "culture", _("文体活动")
    HEALTH = "health", _("医疗健康")
    EMPLOYMENT = "employment", _("就业创业")
    LEGAL = "legal", _("法律服务")
    OTHER = "other", _("其他")


class NeedSource(models.TextChoices):
    RESIDENT = "resident", _("居民提出")
    COUNCIL = "council", _("党群议事会")
    REQUEST = "request", _("诉求转入")
    GRID = "grid", _("网格走访")
    UNIT = "unit", _("单位提出")


class NeedStatus(models.TextChoices):
    OPEN = "open", _("待认领")
    MATCHED = "matched", _("已立项")
    ORDERED = "ordered", _("已派单")
    DONE = "done", _("已完成")
    CLOSED = "closed", _("已关闭")


class ResourceKind(models.TextChoices):
    VENUE = "venue", _("场地阵地")
    FUNDS = "funds", _("资金")
    SKILL = "skill", _("专业技能")
    VOLUNTEERS = "volunteers", _("志愿者")
    GOODS = "goods", _("物资")
    EQUIPMENT = "equipment", _("设备")


# Which resources a need usually calls for, when the need names none itself.
NEED_RESOURCE_HINTS: dict[str, tuple[str, ...]] = {
    NeedCategory.ELDERLY: (ResourceKind.VOLUNTEERS, ResourceKind.SKILL, ResourceKind.VENUE),
    NeedCategory.CHILDREN: (ResourceKind.VENUE, ResourceKind.VOLUNTEERS, ResourceKind.SKILL),
    NeedCategory.ENVIRONMENT: (ResourceKind.VOLUNTEERS, ResourceKind.EQUIPMENT, ResourceKind.FUNDS),
    NeedCategory.FACILITIES: (ResourceKind.FUNDS, ResourceKind.EQUIPMENT, ResourceKind.SKILL),
    NeedCategory.SAFETY: (ResourceKind.VOLUNTEERS, ResourceKind.EQUIPMENT),
    NeedCategory.CULTURE: (ResourceKind.VENUE, ResourceKind.VOLUNTEERS, ResourceKind.FUNDS),
    NeedCategory.HEALTH: (ResourceKind.SKILL, ResourceKind.VENUE, ResourceKind.GOODS),
    NeedCategory.EMPLOYMENT: (ResourceKind.SKILL, ResourceKind.VENUE),
    NeedCategory.LEGAL: (ResourceKind.SKILL,),
    NeedCategory.OTHER: (),
}


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("已立项")
    IN_PROGRESS = "in_progress", _("实施中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


PROJECT_TRANSITIONS: dict[str, frozenset[str]] = {
    ProjectStatus.PLANNED: frozenset({ProjectStatus.IN_PROGRESS, ProjectStatus.CANCELLED}),
    ProjectStatus.IN_PROGRESS: frozenset({ProjectStatus.DONE, ProjectStatus.CANCELLED}),
    ProjectStatus.DONE: frozenset(),
    ProjectStatus.CANCELLED: frozenset(),
}

# Alliance points (盟友力积分) a contribution earns by default, by kind of resource; the
# community may set another figure (0..MAX_CONTRIBUTION_POINTS) when recording it.
DEFAULT_CONTRIBUTION_POINTS: dict[str, int] = {
    ResourceKind.VENUE: 20,
    ResourceKind.FUNDS: 30,
    ResourceKind.SKILL: 20,
    ResourceKind.VOLUNTEERS: 20,
    ResourceKind.GOODS: 10,
    ResourceKind.EQUIPMENT: 10,
}
MAX_CONTRIBUTION_POINTS = 500
# No date of party life (joining, a party organisation founded, a meeting) is before the
# Party's founding: 1900-01-01 is a slip of the date picker, not a record.
PARTY_FOUNDED = date(1921, 7, 1)
# 党章第一条: one may apply to join the Party from the age of eighteen (年满十八岁).
PARTY_MIN_AGE = 18
# The people a need serves: a community has thousands, a subdistrict at most a few hundred
# thousand; anything above this is a typing slip (and 2³¹ would not fit the column).
MAX_BENEFICIARIES = 1_000_000
POINTS_SOURCE = "party.project_contribution"

# 1+10+N: a hub household links about ten members; more than this is refused.
HUB_MAX_MEMBERS = 15
# Residents one member keeps in touch with (the N of 1+10+N).
MEMBER_MAX_CONTACTS = 30
# Joint committees have usually 6 to 12 part-time members (一般为6—12人).
COMMITTEE_MIN_MEMBERS = 6
COMMITTEE_MAX_MEMBERS = 12
# Micro-projects (微实事) are small: budget at most this many yuan.
MICRO_PROJECT_MAX_BUDGET = 50_000
MAX_PLEDGES = 10
PLEDGE_MAX_LENGTH = 100
# Suggestions for a need: at most this many resources, none farther than this.
SUGGESTION_LIMIT = 10
SUGGESTION_MAX_METRES = 5_000.0

FILE_MAX_BYTES = 10 * 1024 * 1024
FILE_TYPES = ("image/jpeg", "image/png", "image/webp", "application/pdf")
PHOTO_TYPES = IMAGE_TYPES  # each checked whole (core.uploads)


class Verb:
    ORG_CREATED = "party.org_created"
    ORG_UPDATED = "party.org_updated"
    MEMBER_CREATED = "party.member_created"
    MEMBER_UPDATED = "party.member_updated"
    MEMBER_PHONE_VIEWED = "party.member_phone_viewed"
    HUB_LINKED = "party.hub_linked"
    HUB_UNLINKED = "party.hub_unlinked"
    CONTACT_LINKED = "party.contact_linked"
    CONTACT_UNLINKED = "party.contact_unlinked"
    VISIT_RECORDED = "party.visit_recorded"
    REPORT_SUBMITTED = "party.report_submitted"
    REPORT_CONFIRMED = "party.report_confirmed"
    REPORT_REJECTED = "party.report_rejected"
    REPORT_ENDED = "party.report_ended"
    AGREEMENT_SIGNED = "party.agreement_signed"
    AGREEMENT_ENDED = "party.agreement_ended"
    AGREEMENT_FILE_ADDED = "party.agreement_file_added"
    AGREEMENT_PHONE_VIEWED = "party.agreement_phone_viewed"
    COMMITTEE_MEMBER_ADDED = "party.committee_member_added"
    COMMITTEE_MEMBER_LEFT = "party.committee_member_left"
    MEETING_RECORDED = "party.meeting_recorded"
    TASK_DONE = "party.task_done"
    COMMITTEE_WARNED = "party.committee_warned"
    COMMITTEE_WARNING_RESOLVED = "party.committee_warning_resolved"
    ALLIANCE_CREATED = "party.alliance_created"
    ALLIANCE_UNIT_JOINED = "party.alliance_unit_joined"
    ALLIANCE_UNIT_LEFT = "party.alliance_unit_left"
    NEED_CREATED = "party.need_created"
    NEED_CLOSED = "party.need_closed"
    NEED_ORDERED = "party.need_ordered"
    NEED_UNORDERED = "party.need_unordered"
    NEED_DONE = "party.need_done"
    RESOURCE_CREATED = "party.resource_created"
    RESOURCE_UPDATED = "party.resource_updated"
    PROJECT_CREATED = "party.project_created"
    PROJECT_STATUS_CHANGED = "party.project_status_changed"
    PROJECT_CONTRIBUTION_ADDED = "party.project_contribution_added"
    PROJECT_PHOTO_ADDED = "party.project_photo_added"
    IMPORTED = "party.imported"
