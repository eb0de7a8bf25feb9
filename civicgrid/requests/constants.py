"""Named constants of respond-upon-receipt (接诉即办)."""

from django.db import models


class Channel(models.TextChoices):
    HOTLINE = "hotline", "12345热线"
    WALK_IN = "walk_in", "民声总台（来访）"
    WEB = "web", "网站/H5"
    MINI_PROGRAM = "mini_program", "微信小程序"
    API = "api", "其他系统"
    GRID_WORKER = "grid_worker", "网格员上报"
    DOORPLATE = "doorplate", "数字门牌"
    MESSAGE_BOARD = "message_board", "领导留言板"
    ENTERPRISE_HOTLINE = "enterprise_hotline", "企业服务热线"
    OPEN311 = "open311", "Open311"


class RequestType(models.TextChoices):
    CONSULTATION = "consultation", "咨询"
    HELP = "help", "求助"
    COMPLAINT = "complaint", "投诉举报"
    SUGGESTION = "suggestion", "建议"
    PRAISE = "praise", "表扬"
    EMERGENCY = "emergency", "紧急"


class Urgency(models.TextChoices):
    NORMAL = "normal", "一般"
    URGENT = "urgent", "紧急"
    CRITICAL = "critical", "特急"


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


class UnitKind(models.TextChoices):
    DISTRICT = "district", "区级"
    SUBDISTRICT = "subdistrict", "街道（乡镇）"
    COMMUNITY = "community", "社区"
    DEPARTMENT = "department", "职能部门"
    ENTERPRISE = "enterprise", "公共服务企业"
    HOTLINE = "hotline", "热线中心"


class AssignmentRole(models.TextChoices):
    LEAD = "lead", "主办"
    ASSIST = "assist", "协办"
    COPY = "copy", "抄送"


class ResponsibleKind(models.TextChoices):
    LOCATION = "location", "属地（按位置派给街道）"
    DEPARTMENT = "department", "职能部门"
    ENTERPRISE = "enterprise", "公共服务企业"


class ResponseTier(models.TextChoices):
    """四级响应: the usual figures; each catalogue leaf may set its own limits."""

    TIER_1 = "tier1", "一级（2小时）"
    TIER_2 = "tier2", "二级（24小时）"
    TIER_3 = "tier3", "三级（7个工作日）"
    TIER_4 = "tier4", "四级（15个工作日）"


class HandlingLevel(models.TextChoices):
    """Fenggang's tiered handling: small matters in the compound, big ones up the tree."""

    COMPOUND = "compound", "小区"
    COMMUNITY = "community", "社区"
    SUBDISTRICT = "subdistrict", "街道（乡镇）"
    DISTRICT = "district", "区（县）"


class Resolution(models.TextChoices):
    SOLVED = "solved", "已解决"
    PARTLY = "partly", "部分解决"
    UNSOLVED = "unsolved", "未解决"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class Light(models.TextChoices):
    GREEN = "green", "绿灯（正常）"
    YELLOW = "yellow", "黄灯（临期）"
    RED = "red", "红灯（超期）"


class ApprovalKind(models.TextChoices):
    RETURN = "return", "退单"
    EXTENSION = "extension", "延期"


class ApprovalState(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已同意"
    REJECTED = "rejected", "已驳回"
