"""Named constants of red property (红色物业): verbs, checklists, choices, limits."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Verb:
    CONTRACT_STARTED = "property.contract_started"
    CONTRACT_ENDED = "property.contract_ended"
    PROFILE_SET = "property.profile_set"
    INSPECTION_RECORDED = "property.inspection_recorded"
    CREDIT_AWARDED = "property.credit_awarded"
    CREDIT_DEDUCTED = "property.credit_deducted"
    COMMITTEE_CREATED = "property.committee_created"
    MEMBER_ADDED = "property.member_added"
    MEMBER_ENDED = "property.member_ended"
    CREDIT_REVERSED = "property.credit_reversed"
    INSPECTION_VOIDED = "property.inspection_voided"
    CONTRACT_VOIDED = "property.contract_voided"
    MEMBER_LINKED = "property.member_linked"
    COMMITTEE_TERM_CORRECTED = "property.committee_term_corrected"


class ExitReason(models.TextChoices):
    """Why a property company left a compound (物业退出)."""

    EXPIRED = "expired", _("合同到期不再续签")
    DISMISSED = "dismissed", _("业主大会决定解聘")
    WITHDREW = "withdrew", _("企业主动退出")
    CLEARED = "cleared", _("主管部门清退")
    OTHER = "other", _("其他")


class CheckItem(models.TextChoices):
    """The standard checklist of a property inspection (物业服务巡查)."""

    ENVIRONMENT = "environment", _("环境卫生")
    GREENERY = "greenery", _("绿化养护")
    FACILITIES = "facilities", _("设施设备")
    SAFETY = "safety", _("安全管理")
    ORDER = "order", _("秩序维护")
    FEES = "fees", _("收费公示")
    COMPLAINTS = "complaints", _("投诉处理")
    PARTY = "party", _("党建引领")


# The most an inspection may deduct for each item (together 20 points).
CHECK_ITEM_MAX: dict[str, int] = {
    CheckItem.ENVIRONMENT: 3,
    CheckItem.GREENERY: 2,
    CheckItem.FACILITIES: 3,
    CheckItem.SAFETY: 3,
    CheckItem.ORDER: 2,
    CheckItem.FEES: 2,
    CheckItem.COMPLAINTS: 3,
    CheckItem.PARTY: 2,
}

# The credit score of a company for a year starts here (formula in docs/formulas.md).
BASE_SCORE = 100
# Red and black board defaults (settings PROPERTY_RED_MIN / PROPERTY_BLACK_BELOW).
DEFAULT_RED_MIN = 95
DEFAULT_BLACK_BELOW = 80
# An award or manual deduction moves the score by at most this many points at once.
ADJUST_MAX = 20
# The awards of one company in one year add up to at most this many points (so a score is
# at most BASE_SCORE + AWARD_YEAR_MAX); deductions have no such cap.
AWARD_YEAR_MAX = 20
# The default rectification time after an inspection that deducted points.
RECTIFY_DAYS = 15
# The latest rectification deadline after the inspection day.
RECTIFY_MAX_DAYS = 180
# How far back an inspection may be recorded: at most this many years (one year to the day).
INSPECTION_MAX_AGE_YEARS = 1
# Earliest date of a contract or a committee term (the property regulation of 2003).
FIRST_DAY_YEAR = 1990


class CreditSource(models.TextChoices):
    INSPECTION = "inspection", _("物业检查")
    AWARD = "award", _("加分奖励")
    DEDUCTION = "deduction", _("诚信扣分")
    REVERSAL = "reversal", _("冲正")


# The ledger rows a person made by hand (an award or a deduction), which a reversal may cancel.
MANUAL_SOURCES = (CreditSource.AWARD, CreditSource.DEDUCTION)


class BoardList(models.TextChoices):
    RED = "red", _("红榜")
    BLACK = "black", _("黑榜")
    NONE = "", _("—")


class CommitteePost(models.TextChoices):
    CHAIR = "chair", _("主任")
    VICE_CHAIR = "vice_chair", _("副主任")
    MEMBER = "member", _("委员")


class NegativeItem(models.TextChoices):
    """The negative list (负面清单) for owners' committee candidates: any one bars a candidate."""

    ARREARS = "arrears", _("欠缴物业费")
    ILLEGAL_BUILDING = "illegal_building", _("违章搭建未整改")
    CRIMINAL = "criminal", _("受过刑事处罚")
    DISHONEST = "dishonest", _("失信被执行人")
    CONFLICT = "conflict", _("在本小区物业公司任职或有利害关系")


class MemberEndReason(models.TextChoices):
    """Why a member left an owners' committee (业委会成员离任); the row is kept as history."""

    RESIGNED = "resigned", _("本人辞职")
    TERM_ENDED = "term_ended", _("任期届满")
    NEGATIVE_LIST = "negative_list", _("出现负面清单情形被终止")
    REMOVED = "removed", _("业主大会罢免")
    OTHER = "other", _("其他")


# End reasons that need a note saying what happened (which negative-list item, what else).
MEMBER_END_NOTE_REQUIRED = (MemberEndReason.NEGATIVE_LIST, MemberEndReason.OTHER)

# A committee's term: at most five years (the model regulation), members at most this many.
TERM_MAX_YEARS = 5
COMMITTEE_MAX_MEMBERS = 15
# A member must be of full age (完全民事行为能力) on the day they join.
MEMBER_MIN_AGE = 18
