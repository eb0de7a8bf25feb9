"""Named constants of respond-upon-receipt (接诉即办)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("12345热线")
    WALK_IN = "walk_in", _("民声总台（来访）")
    WEB = "web", _("网站/H5")
    MINI_PROGRAM = "mini_program", _("微信小程序")
    API = "api", _("其他系统")
    GRID_WORKER = "grid_worker", _("网格员上报")
    DOORPLATE = "doorplate", _("数字门牌")
    MESSAGE_BOARD = "message_board", _("领导留言板")
    ENTERPRISE_HOTLINE = "enterprise_hotline", _("企业服务热线")
    OPEN311 = "open311", "Open311"


# i18n: pending (requests/api/public.py, edited in another change, puts these labels in
# pydantic str fields: wrap them when that file passes str(label))
class RequestType(models.TextChoices):
    CONSULTATION = "consultation", "咨询"
    HELP = "help", "求助"
    COMPLAINT = "complaint", "投诉举报"
    SUGGESTION = "suggestion", "建议"
    PRAISE = "praise", "表扬"
    EMERGENCY = "emergency", "紧急"


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")
    CRITICAL = "critical", _("特急")


# i18n: pending (requests/api/public.py, edited in another change, puts these labels in
# pydantic str fields: wrap them when that file passes str(label))
class Status(models.TextChoices):
    RECEIVED = "received", "已受理"
    DISPATCHED = "dispatched", "已派单"
    SIGNED = "signed", "已签收"
    IN_PROGRESS = "in_progress", "办理中"
    REPLIED = "replied", "已答复"
    VERIFIED = "verified", "已核查"
    CALLED_BACK = "called_back", "已回访"
    CLOSED = "closed", "已办结"
    RETURN_PENDING = "return_pending", "退单待审"
    SUSPENDED = "suspended", "已挂起"
    LONG_RUNNING = "long_running", "挂账办理"
    MERGED = "merged", "已合并"


OPEN_STATUSES = frozenset(
    {
        Status.RECEIVED,
        Status.DISPATCHED,
        Status.SIGNED,
        Status.IN_PROGRESS,
        Status.RETURN_PENDING,
        Status.SUSPENDED,
        Status.LONG_RUNNING,
    }
)
# Statuses whose resolution clock is running (the handler still owes a reply).
CLOCK_RUNNING = frozenset({Status.DISPATCHED, Status.SIGNED, Status.IN_PROGRESS, Status.RETURN_PENDING})


# i18n: pending (requests/api/public.py, edited in another change, puts these labels in
# pydantic str fields: wrap them when that file passes str(label))
class Action(models.TextChoices):
    RECEIVE = "receive", "受理"
    DIRECT_CLOSE = "direct_close", "直接办结"
    DISPATCH = "dispatch", "派单"
    SIGN = "sign", "签收"
    START = "start", "开始办理"
    REPLY = "reply", "答复"
    VERIFY = "verify", "现场核查"
    CALLBACK = "callback", "回访"
    CLOSE = "close", "办结"
    RETURN_REQUEST = "return_request", "申请退单"
    NOT_OURS = "not_ours", "非本单位职责"
    RETURN_APPROVE = "return_approve", "同意退单"
    RETURN_REJECT = "return_reject", "驳回退单"
    REASSIGN = "reassign", "改派"
    EXTEND_REQUEST = "extend_request", "申请延期"
    EXTEND_APPROVE = "extend_approve", "同意延期"
    EXTEND_REJECT = "extend_reject", "驳回延期"
    SUSPEND = "suspend", "挂起"
    RESUME = "resume", "恢复办理"
    LONG_RUNNING = "long_running", "挂账"
    SUPERVISE = "supervise", "督办"
    MERGE = "merge", "合并重复件"
    REOPEN = "reopen", "重办"
    WHISTLE = "whistle", "吹哨"
    REPORT_IN = "report_in", "报到"
    ESCALATE = "escalate", "上报上级"
    COUNCIL = "council", "三方议事"
    RATE = "rate", "评价"
    NOTE = "note", "备注"
    WARN = "warn", "预警"


# An action as the verb of a sentence ("不能{action}"), for the labels that are no verb: "不能
# 非本单位职责" read as nonsense. The others read as they are ("不能签收").
ACTION_VERBS = {
    Action.NOT_OURS: _("申报「非本单位职责」"),
    Action.COUNCIL: _("发起三方议事"),
    Action.WARN: _("发出预警"),
    Action.NOTE: _("添加备注"),
}


def action_verb(action: str) -> str:
    """``action`` as it reads after 不能 or 无法 in a message."""
    verb = ACTION_VERBS.get(Action(action))
    return str(verb) if verb is not None else str(Action(action).label)


class UnitKind(models.TextChoices):
    DISTRICT = "district", _("区级")
    SUBDISTRICT = "subdistrict", _("街道（乡镇）")
    COMMUNITY = "community", _("社区")
    DEPARTMENT = "department", _("职能部门")
    ENTERPRISE = "enterprise", _("公共服务企业")
    HOTLINE = "hotline", _("热线中心")


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("主办")
    ASSIST = "assist", _("协办")
    COPY = "copy", _("抄送")


class ResponsibleKind(models.TextChoices):
    LOCATION = "location", _("属地（按位置派给街道）")
    DEPARTMENT = "department", _("职能部门")
    ENTERPRISE = "enterprise", _("公共服务企业")


class ResponseTier(models.TextChoices):
    """四级响应. The labels name the tier only: its usual limits (``defaults.builder.TIER_LIMITS``)
    are a default that each catalogue leaf may change (0.5 hours, 4 hours…), so a label
    with hours would contradict the leaf's own limits and the request's deadline."""

    TIER_1 = "tier1", _("一级响应")
    TIER_2 = "tier2", _("二级响应")
    TIER_3 = "tier3", _("三级响应")
    TIER_4 = "tier4", _("四级响应")


class HandlingLevel(models.TextChoices):
    """Fenggang's tiered handling: small matters in the compound, big ones up the tree."""

    COMPOUND = "compound", _("小区")
    COMMUNITY = "community", _("社区")
    SUBDISTRICT = "subdistrict", _("街道（乡镇）")
    DISTRICT = "district", _("区（县）")


NOTE_MAX = 5000  # a reply, reason, note or outcome written on a request
RATING_COMMENT_MAX = 2000  # the requester's 意见 with a rating (callback, SMS link, H5, API)

# The level a request is handled at follows its lead unit: a community's request is at the
# community level, a department's or enterprise's at the district's.
LEVEL_OF_UNIT: dict[str, str] = {
    UnitKind.COMMUNITY: HandlingLevel.COMMUNITY,
    UnitKind.SUBDISTRICT: HandlingLevel.SUBDISTRICT,
    UnitKind.DISTRICT: HandlingLevel.DISTRICT,
    UnitKind.DEPARTMENT: HandlingLevel.DISTRICT,
    UnitKind.ENTERPRISE: HandlingLevel.DISTRICT,
    UnitKind.HOTLINE: HandlingLevel.DISTRICT,
}


def unit_level(kind: str) -> str:
    """The handling level of a unit kind (subdistrict for a kind this table does not know)."""
    return LEVEL_OF_UNIT.get(kind, HandlingLevel.SUBDISTRICT)


class Resolution(models.TextChoices):
    SOLVED = "solved", _("已解决")
    PARTLY = "partly", _("部分解决")
    UNSOLVED = "unsolved", _("未解决")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class Light(models.TextChoices):
    GREEN = "green", _("绿灯（正常）")
    YELLOW = "yellow", _("黄灯（临期）")
    RED = "red", _("红灯（超期）")


class ApprovalKind(models.TextChoices):
    RETURN = "return", _("退单")
    EXTENSION = "extension", _("延期")


class ApprovalState(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已同意")
    REJECTED = "rejected", _("已驳回")
    WITHDRAWN = "withdrawn", _("已撤回")  # the request left the unit that asked, or closed
