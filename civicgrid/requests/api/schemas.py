"""Typed bodies and answers of the request API, with Chinese titles for OpenAPI and errors.

Every input schema derives from ``Input``: when pydantic refuses a value (missing, not a
number, not a date…), the reason comes back in Chinese and names the field by its title,
e.g. ``expected_version：期望版本号应为整数``.
"""

from collections import Counter
from datetime import date, datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from ninja import Field, Schema
from pydantic import BeforeValidator, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from civicgrid.api_errors import ERRORS, ErrorOut  # noqa: F401 (the routers' import)
from civicgrid.core import crypto
from civicgrid.core.api_types import Integer, LocalDateTime, choices_text
from civicgrid.core.i18n import StrOrPromise
from civicgrid.core.validators import fold
from civicgrid.requests.constants import (
    NOTE_MAX,
    RATING_COMMENT_MAX,
    AssignmentRole,
    Channel,
    Light,
    RequestType,
    Resolution,
    Satisfaction,
    Status,
    UnitKind,
    Urgency,
)
from civicgrid.requests.models import (
    Approval,
    Attachment,
    Category,
    CouncilOutcome,
    HandlingUnit,
    Rating,
    Request,
    RequestEvent,
    Whistle,
    WhistleSummons,
    WorkOrder,
)
from civicgrid.requests.permissions import requester_shown
from civicgrid.requests.selectors import not_ours_return
from civicgrid.requests.services.handling import LONG_RUNNING_MAX_DAYS
from civicgrid.requests.services.whistle import WHISTLE_DEADLINE_MAX

# ---------------------------------------------------------------- errors in Chinese

_REASONS: dict[str, StrOrPromise] = {
    "missing": gettext_lazy("请填写{t}"),
    "int_parsing": gettext_lazy("{t}应为整数"),
    "int_type": gettext_lazy("{t}应为整数"),
    "int_from_float": gettext_lazy("{t}应为整数"),
    "int_too_large": gettext_lazy("{t}数值超出范围（绝对值不能超过 {int_max}）"),
    "float_parsing": gettext_lazy("{t}应为数字"),
    "float_type": gettext_lazy("{t}应为数字"),
    "finite_number": gettext_lazy("{t}应为有限的数字"),
    "bool_parsing": gettext_lazy("{t}应为 true 或 false"),
    "bool_type": gettext_lazy("{t}应为 true 或 false"),
    "string_type": gettext_lazy("{t}应为文本"),
    "string_too_long": gettext_lazy("{t}最长{max_length}个字"),
    "string_too_short": gettext_lazy("{t}至少{min_length}个字"),
    "list_type": gettext_lazy("{t}应为列表"),
    "too_long": gettext_lazy("{t}最多{max_length}项"),
    "too_short": gettext_lazy("{t}至少{min_length}项"),
    "date_parsing": gettext_lazy("{t}应为日期（YYYY-MM-DD）"),
    "date_from_datetime_parsing": gettext_lazy("{t}应为日期（YYYY-MM-DD）"),
    "date_type": gettext_lazy("{t}应为日期（YYYY-MM-DD）"),
    "datetime_parsing": gettext_lazy("{t}应为时间（如 2026-01-31T08:00:00+08:00）"),
    "datetime_from_date_parsing": gettext_lazy("{t}应为时间（如 2026-01-31T08:00:00+08:00）"),
    "datetime_type": gettext_lazy("{t}应为时间（如 2026-01-31T08:00:00+08:00）"),
    "greater_than": gettext_lazy("{t}应大于{gt}"),
    "greater_than_equal": gettext_lazy("{t}应不小于{ge}"),
    "less_than": gettext_lazy("{t}应小于{lt}"),
    "less_than_equal": gettext_lazy("{t}应不大于{le}"),
    "model_type": gettext_lazy("{t}格式无效"),
    "dict_type": gettext_lazy("{t}格式无效"),
    "repeated": gettext_lazy("{t}中有重复的 ID：{repeated}"),
}


def chinese_reason(title: str, error: Any) -> str:
    template = str(_REASONS.get(error["type"], _("{t}取值无效")))
    try:
        return template.format(t=title, **(error.get("ctx") or {}))
    except (KeyError, IndexError):
        return _("{title}取值无效").format(title=title)


def _not_bool(value: Any) -> Any:
    """JSON true is not the number 1 (pydantic's lax mode would take it as 1.0); a number
    typed with full-width digits ("１２０.２９") is read as the console's form reads it."""
    if isinstance(value, bool):
        raise PydanticCustomError("float_type", _("应为数字"))
    return fold(value) if isinstance(value, str) else value


Number = Annotated[float, BeforeValidator(_not_bool)]


# Bounds of a date filter: beyond them the day arithmetic of the filter would overflow.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


class Input(Schema):
    """Base of every body and query schema of this API (Chinese validation messages)."""

    @model_validator(mode="wrap")
    @classmethod
    def _chinese_errors(cls, data: Any, handler: Any) -> Any:
        try:
            return handler(data)
        except ValidationError as exc:
            details: list[InitErrorDetails] = []
            for error in exc.errors():
                name = str(error["loc"][0]) if error["loc"] else ""
                field = cls.model_fields.get(name)
                # Titles are marked with gettext_noop (pydantic needs a str); translated here.
                title = _(field.title) if field is not None and field.title else name or _("请求")
                reason = PydanticCustomError("invalid", "{reason}", {"reason": chinese_reason(title, error)})
                details.append(InitErrorDetails(type=reason, loc=error["loc"], input=error.get("input")))
            raise ValidationError.from_exception_data(cls.__name__, details) from None


def text(title: str, description: str = "", *, default: Any = ..., max_length: int | None = None) -> Any:
    return Field(default, title=title, description=description or title, max_length=max_length)


VERSION = Field(
    None,
    title=gettext_noop("期望版本号"),
    description="可选。填写读取时的 version；若诉求已被他人处理（版本不符），返回 409 且不做任何修改。",
)


# ---------------------------------------------------------------- inputs


class RequestIn(Input):
    channel: str = text(
        gettext_noop("渠道"), choices_text(Channel, "受理渠道，默认 api"), default=Channel.API
    )
    type: str = text(gettext_noop("诉求类型"), choices_text(RequestType, "诉求类型；必填"))
    title: str = text(gettext_noop("标题"), gettext_noop("诉求标题，最长200字"))
    content: str = text(gettext_noop("诉求内容"), gettext_noop("诉求的详细内容，最长5000字"))
    address: str = text(
        gettext_noop("地址"), "诉求发生地的地址（文字），最长255字；可选", default="", max_length=255
    )
    lon: Number | None = Field(
        None, title=gettext_noop("经度"), description="经度（坐标系见 crs）；与 lat 一起用于定位网格；可选"
    )
    lat: Number | None = Field(None, title=gettext_noop("纬度"), description="纬度（坐标系见 crs）；可选")
    crs: str = text(
        gettext_noop("坐标系"),
        gettext_noop("wgs84（GPS、天地图）或 gcj02（高德、腾讯、微信）"),
        default="wgs84",
    )
    building_id: Integer | None = Field(
        None, title=gettext_noop("楼栋"), description="数字门牌对应的楼栋节点 ID"
    )
    requester_name: str = text(gettext_noop("诉求人姓名"), gettext_noop("加密存储，只显示脱敏值"), default="")
    requester_phone: str = text(
        gettext_noop("联系电话"), gettext_noop("加密存储，只显示脱敏值；可按号码精确查询"), default=""
    )
    anonymous: bool = Field(False, title=gettext_noop("匿名"), description="匿名诉求不回访、不发评价短信")
    confidential: bool = Field(False, title=gettext_noop("要求保密"), description="保密诉求的内容不对外公开")
    category_id: Integer | None = Field(
        None, title=gettext_noop("分类"), description="当前派单目录中的三级分类 ID；有分类即自动派单"
    )
    urgency: str = text(
        gettext_noop("紧急程度"), choices_text(Urgency, "紧急程度，默认 normal"), default="normal"
    )
    external_id: str = text(
        gettext_noop("外部编号"), gettext_noop("来源系统中的编号，便于对账"), default="", max_length=64
    )


class RequestVersionIn(Input):
    expected_version: Integer | None = VERSION


class RequestNoteIn(Input):
    note: str = text(gettext_noop("说明"), f"说明，最长{NOTE_MAX}字；可选", default="")
    expected_version: Integer | None = VERSION


class RequiredNoteIn(Input):
    note: str = text(gettext_noop("意见"), gettext_noop("必填"))
    expected_version: Integer | None = VERSION


class RequestReasonIn(Input):
    reason: str = text(gettext_noop("理由"), gettext_noop("必填"))
    expected_version: Integer | None = VERSION


class DispatchIn(Input):
    category_id: Integer | None = Field(
        None, title=gettext_noop("分类"), description="不填则沿用诉求已有的分类"
    )
    lead_unit_id: Integer | None = Field(
        None, title=gettext_noop("主办单位"), description="不填则按派单规则派单"
    )
    assisting_unit_ids: list[Integer] = Field(
        [], title=gettext_noop("协办单位"), description="协办单位（承办单位 ID）列表；可选"
    )
    copy_unit_ids: list[Integer] = Field(
        [], title=gettext_noop("抄送单位"), description="抄送单位（承办单位 ID）列表；可选"
    )
    note: str = text(gettext_noop("说明"), f"派单说明，最长{NOTE_MAX}字；可选", default="")
    expected_version: Integer | None = VERSION


class ReplyIn(Input):
    reply: str = text(gettext_noop("办理情况"), gettext_noop("答复内容：做了什么、结果如何；附件另行上传"))
    expected_version: Integer | None = VERSION


class VerifyIn(Input):
    confirmed: bool = Field(
        title=gettext_noop("核查属实"), description="true：现场与答复相符；false：退回承办单位继续办理"
    )
    note: str = text(gettext_noop("核查情况"), f"现场核查情况，最长{NOTE_MAX}字；必填")
    expected_version: Integer | None = VERSION


class RatingFields(Input):
    contacted: bool = Field(title=gettext_noop("是否联系"), description="承办单位是否与诉求人联系过（响应）")
    resolution: str = text(gettext_noop("解决情况"), choices_text(Resolution, "诉求是否解决；必填"))
    satisfaction: str = text(gettext_noop("满意度"), choices_text(Satisfaction, "满意程度；必填"))
    comment: str = text(
        gettext_noop("意见"),
        f"诉求人的意见，最长{RATING_COMMENT_MAX}字；可选",
        default="",
        max_length=RATING_COMMENT_MAX,
    )


class CallbackIn(RatingFields):
    reopen: bool = Field(
        False, title=gettext_noop("重办"), description="不满意时是否重办（退回主办单位重新办理）"
    )
    expected_version: Integer | None = VERSION


class RateIn(RatingFields):
    token: str = text(gettext_noop("评价令牌"), gettext_noop("评价短信链接中的令牌"), max_length=64)


class ReturnIn(Input):
    reason: str = text(gettext_noop("退单理由"), f"退单理由，最长{NOTE_MAX}字；必填")
    not_ours: bool = Field(
        False, title=gettext_noop("非本单位职责"), description="true：非本单位职责；false：一般退单"
    )
    expected_version: Integer | None = VERSION


class RequestDecisionIn(Input):
    approve: bool = Field(title=gettext_noop("是否同意"), description="true：同意申请；false：驳回；必填")
    note: str = text(gettext_noop("审批意见"), gettext_noop("驳回时必填"), default="")
    expected_version: Integer | None = VERSION


class ReassignIn(Input):
    lead_unit_id: Integer = Field(
        title=gettext_noop("新主办单位"), description="改派后的主办单位（承办单位 ID）；必填"
    )
    assisting_unit_ids: list[Integer] = Field(
        [], title=gettext_noop("协办单位"), description="协办单位（承办单位 ID）列表；可选"
    )
    reason: str = text(gettext_noop("改派理由"), f"改派理由，最长{NOTE_MAX}字；必填")
    expected_version: Integer | None = VERSION


class ExtendIn(Input):
    amount: Number = Field(
        title=gettext_noop("延长时长"),
        description="按该诉求的办理时限单位计（如 5 个工作日），至少 1、至多 90 个单位",
    )
    reason: str = text(gettext_noop("延期理由"), f"延期理由，最长{NOTE_MAX}字；必填")
    expected_version: Integer | None = VERSION


class LongRunningIn(Input):
    plan: str = text(gettext_noop("办理计划"), f"挂账办理的计划，最长{NOTE_MAX}字；必填")
    plan_until: date = Field(
        title=gettext_noop("计划完成日期"),
        description=f"计划完成日期（YYYY-MM-DD），晚于今天、至多{LONG_RUNNING_MAX_DAYS}天后；必填",
    )
    expected_version: Integer | None = VERSION


class MergeIn(Input):
    into_id: Integer | None = Field(
        None, title=gettext_noop("合并至诉求"), description="主件的诉求 ID（与 into_number 二选一）"
    )
    into_number: str = text(gettext_noop("合并至诉求编号"), "主件的诉求编号（与 into_id 二选一）", default="")
    paused_ok: bool = Field(
        False,
        title=gettext_noop("目标已暂停仍合并"),
        description="主件已挂起或挂账办理时须为 true，否则 422（into_paused）",
    )
    expected_version: Integer | None = VERSION


class WhistleIn(Input):
    unit_ids: list[Integer] = Field(title=gettext_noop("被召集单位"), description="被召集报到的部门 ID 列表")
    reason: str = text(gettext_noop("吹哨事由"), f"吹哨事由，最长{NOTE_MAX}字；必填")
    deadline: LocalDateTime = Field(
        title=gettext_noop("报到期限"),
        description="报到期限，ISO 8601（如 2026-01-31T08:00:00+08:00；不带时区时按本地时间 Asia/Shanghai），"
        f"至少1小时后、至多{WHISTLE_DEADLINE_MAX.days}天内；必填",
    )
    expected_version: Integer | None = VERSION


class ReportInIn(Input):
    part: str = text(gettext_noop("承担工作"), f"报到部门承担的工作，最长{NOTE_MAX}字；必填")
    expected_version: Integer | None = VERSION


class WhistleCloseIn(Input):
    outcome: str = text(gettext_noop("处置结果"), f"吹哨的处置结果，最长{NOTE_MAX}字；必填")
    expected_version: Integer | None = VERSION


class CouncilIn(Input):
    held_on: date = Field(
        title=gettext_noop("议事日期"),
        description="议事日期（YYYY-MM-DD），不早于诉求受理日期、不晚于今天；必填",
    )
    party_branch: str = text(gettext_noop("党支部代表"), "小区党支部参加人，最长100字；必填")
    owners_committee: str = text(gettext_noop("业委会代表"), "业委会参加人，最长100字；必填")
    property_company: str = text(gettext_noop("物业公司代表"), "物业公司参加人，最长100字；必填")
    outcome: str = text(gettext_noop("议定事项"), f"三方议定的事项，最长{NOTE_MAX}字；必填")
    agreed: bool = Field(True, title=gettext_noop("达成一致"), description="三方是否达成一致；默认 true")
    others: str = text(gettext_noop("其他参加人"), "其他参加人，最长255字；可选", default="")
    expected_version: Integer | None = VERSION


class DirectCloseIn(Input):
    answer: str = text(gettext_noop("答复内容"), gettext_noop("咨询类诉求当场答复的内容（可来自知识库）"))
    saved_answer_id: Integer | None = Field(
        None, title=gettext_noop("所用知识库答复"), description="计入该答复的使用次数"
    )
    expected_version: Integer | None = VERSION


class SavedAnswerOut(Schema):
    id: int
    title: str
    content: str
    office: str = Field(description="发文（答复）单位")
    issued_on: date | None = Field(description="发文日期")
    use_count: int
    score: float = 0.0


class SignBulkIn(Input):
    ids: list[Integer] = Field(
        title=gettext_noop("诉求 ID 列表"),
        description="每个 ID 只能出现一次（重复的整批 422，什么也不签收）",
        min_length=1,
        max_length=200,
    )

    @field_validator("ids")
    @classmethod
    def _once_each(cls, ids: list[int]) -> list[int]:
        """One result per id sent: an id sent twice is refused rather than silently merged."""
        if repeated := [str(i) for i, times in Counter(ids).items() if times > 1]:
            raise PydanticCustomError("repeated", "{repeated}", {"repeated": "、".join(repeated)})
        return ids


class RequestFilters(Input):
    status: str = text(gettext_noop("状态"), gettext_noop("逗号分隔，如 dispatched,signed"), default="")
    light: str = text(gettext_noop("预警灯"), gettext_noop("green / yellow / red，逗号分隔"), default="")
    type: str = text(
        gettext_noop("诉求类型"),
        gettext_noop("consultation / help / complaint / suggestion / praise / emergency，逗号分隔"),
        default="",
    )
    channel: str = text(gettext_noop("渠道"), gettext_noop("如 hotline,web，逗号分隔"), default="")
    category: str = text(
        gettext_noop("分类编码前缀"), gettext_noop("如 01 或 010101（跨目录版本稳定）"), default=""
    )
    unit: Integer | None = Field(None, title=gettext_noop("承办单位"), description="主办或参与办理的单位 ID")
    node: Integer | None = Field(None, title=gettext_noop("区域"), description="区域节点 ID：其下的全部诉求")
    received_from: date | None = Field(None, title=gettext_noop("受理起始日期"), ge=FIRST_DAY, le=LAST_DAY)
    received_to: date | None = Field(
        None, title=gettext_noop("受理截止日期"), description="含当天", ge=FIRST_DAY, le=LAST_DAY
    )
    q: str = text(gettext_noop("关键词"), gettext_noop("标题、内容或编号中包含"), default="", max_length=100)
    number: str = text(gettext_noop("诉求编号"), default="", max_length=20)
    phone: str = text(
        gettext_noop("诉求人电话"), gettext_noop("精确匹配（经加密索引）"), default="", max_length=20
    )
    overdue: bool = Field(False, title=gettext_noop("仅超期"), description="未办结且已过办理期限")
    supervised: bool = Field(False, title=gettext_noop("仅督办件"))
    reopened: bool = Field(False, title=gettext_noop("仅重办过的"))
    limit: Integer = Field(50, title=gettext_noop("每页条数"), ge=1, le=200)
    offset: Integer = Field(0, title=gettext_noop("偏移"), ge=0)


class PageIn(Input):
    limit: Integer = Field(50, title=gettext_noop("每页条数"), ge=1, le=200)
    offset: Integer = Field(0, title=gettext_noop("偏移"), ge=0)


class TrackIn(Input):
    number: str = text(gettext_noop("诉求编号"), max_length=20)
    phone: str = text(gettext_noop("手机号"), gettext_noop("受理时登记的联系电话"), max_length=20)


# ---------------------------------------------------------------- outputs


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


class RequestOut(Schema):
    id: int
    number: str = Field(description="诉求编号，如 20261122-000123")
    channel: str
    channel_label: str
    type: str
    type_label: str
    urgency: str
    title: str
    status: str
    status_label: str
    light: str = Field(
        description="预警灯：green 正常、yellow 临期、red 超期；已挂起的诉求期限暂停计算，不亮灯（空）"
    )
    level: str = Field(description="办理层级：compound / community / subdistrict / district")
    category_id: int | None
    category_code: str
    category_name: str
    lead_unit_id: int | None
    lead_unit_name: str
    node_id: int
    address: str
    lon: float | None
    lat: float | None
    anonymous: bool
    confidential: bool
    requester_name_masked: str = Field(description="诉求人姓名（脱敏）")
    requester_phone_masked: str = Field(description="联系电话（脱敏）")
    received_at: datetime
    dispatched_at: datetime | None
    responded_at: datetime | None
    replied_at: datetime | None
    closed_at: datetime | None
    due_response_at: datetime | None = Field(description="响应（签收）期限")
    due_resolution_at: datetime | None = Field(description="办理期限")
    calendar_warning: str = Field(description="期限提示（如该年节假日尚未录入）")
    supervised: bool
    reopen_count: int
    external_id: str
    version: int = Field(description="版本号：动作时作为 expected_version 传回，防止覆盖他人的处理")

    @staticmethod
    def resolve_light(obj: Request) -> str:
        # A suspended request's clocks stop: no light, as the inbox and the page show it (the
        # stored green is only what no running clock leaves).
        return "" if obj.status == Status.SUSPENDED else obj.light

    @staticmethod
    def resolve_channel_label(obj: Request) -> str:
        return _label(Channel, obj.channel)

    @staticmethod
    def resolve_type_label(obj: Request) -> str:
        return _label(RequestType, obj.type)

    @staticmethod
    def resolve_status_label(obj: Request) -> str:
        return _label(Status, obj.status)

    @staticmethod
    def resolve_category_code(obj: Request) -> str:
        return obj.category.code if obj.category else ""

    @staticmethod
    def resolve_category_name(obj: Request) -> str:
        return obj.category.full_name if obj.category else ""

    @staticmethod
    def resolve_lead_unit_name(obj: Request) -> str:
        return obj.lead_unit.name if obj.lead_unit else ""

    @staticmethod
    def resolve_title(obj: Request, context: Any) -> str:
        return _text(obj, context, obj.title)

    @staticmethod
    def resolve_address(obj: Request, context: Any) -> str:
        return _text(obj, context, obj.address)

    @staticmethod
    def resolve_requester_name_masked(obj: Request, context: Any) -> str:
        return obj.requester_name_masked if _shows_requester(obj, context) else ""

    @staticmethod
    def resolve_requester_phone_masked(obj: Request, context: Any) -> str:
        return obj.requester_phone_masked if _shows_requester(obj, context) else ""


def _shows_requester(obj: Request, context: Any) -> bool:
    """Not anonymous, and not confidential unless the caller may see it (``requester_shown``)."""
    request = (context or {}).get("request")
    return requester_shown(getattr(request, "user", None), obj)


def _text(obj: Request, context: Any, value: str) -> str:
    """A free-text field of the request as the caller is shown it: the numbers in it masked
    where the requester is hidden from them."""
    return value if _shows_requester(obj, context) else crypto.mask_numbers_in_text(value)


class RequestPage(Schema):
    count: int = Field(description="符合条件的总数")
    results: list[RequestOut]


class NotOursOut(Schema):
    unit_id: int = Field(description="申报非本单位职责的承办单位 ID")
    unit_name: str = Field(description="申报非本单位职责的承办单位")
    reason: str = Field(description="该单位说明的理由")
    requested_by: str = Field(description="申报人")
    requested_at: datetime = Field(description="申报时间")
    approved_at: datetime | None = Field(description="退单获批时间")

    @staticmethod
    def resolve_unit_name(obj: Approval) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_requested_by(obj: Approval) -> str:
        return obj.requested_by.display_name if obj.requested_by else ""

    @staticmethod
    def resolve_requested_at(obj: Approval) -> datetime:
        return obj.created_at

    @staticmethod
    def resolve_approved_at(obj: Approval) -> datetime | None:
        return obj.decided_at


class TriageRowOut(RequestOut):
    not_ours: NotOursOut | None = Field(
        description="以“非本单位职责”退回待派单的：哪个单位、何人、理由、时间；否则为空。"
        "按派单规则派单时，若规则仍指向该单位，将拒绝并要求指定主办单位"
    )

    @staticmethod
    def resolve_not_ours(obj: Request) -> Approval | None:
        return not_ours_return(obj)


class TriagePage(Schema):
    count: int = Field(description="符合条件的总数")
    results: list[TriageRowOut]


class WorkOrderOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    role: str
    role_label: str
    is_active: bool
    rule_label: str = Field(description="派单依据（哪条规则或谁人工指定）")
    dispatched_at: datetime
    signed_at: datetime | None
    replied_at: datetime | None
    reply: str

    @staticmethod
    def resolve_unit_name(obj: WorkOrder) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_role_label(obj: WorkOrder) -> str:
        return _label(AssignmentRole, obj.role)


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    event_id: int | None
    created_at: datetime
    url: str = Field(description="下载地址（GET，需同样的认证）")

    @staticmethod
    def resolve_event_id(obj: Attachment) -> int | None:
        return obj.event_id

    @staticmethod
    def resolve_url(obj: Attachment) -> str:
        return reverse(
            "api:request_attachment", kwargs={"request_id": obj.request_id, "attachment_id": obj.pk}
        )


class EventOut(Schema):
    id: int
    action: str
    action_label: str
    from_status: str
    to_status: str
    actor_name: str
    unit_name: str
    note: str
    data: dict[str, Any]
    created_at: datetime

    @staticmethod
    def resolve_action_label(obj: RequestEvent) -> str:
        from civicgrid.requests.services.handling import event_label

        return event_label(obj)

    @staticmethod
    def resolve_unit_name(obj: RequestEvent) -> str:
        return obj.unit.name if obj.unit else ""

    @staticmethod
    def resolve_data(obj: RequestEvent) -> dict[str, Any]:
        # A follow-up call's phone (its blind index, for the console's caller history) is no
        # business of an API reader: the index of a guessed number would confirm the caller.
        from civicgrid.requests.services.handling import FOLLOW_PHONE_KEY

        return {k: v for k, v in (obj.data or {}).items() if k != FOLLOW_PHONE_KEY}


class SummonsOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    reported_at: datetime | None
    part: str
    state: str = Field(description="reported 已报到；pending 待报到；not_reported 吹哨已结束而未报到")

    @staticmethod
    def resolve_unit_name(obj: WhistleSummons) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_state(obj: WhistleSummons) -> str:
        if obj.reported_at is not None:
            return "reported"
        return "not_reported" if obj.whistle.closed_at is not None else "pending"


class WhistleOut(Schema):
    id: int
    summoning_unit_name: str
    reason: str
    deadline: datetime
    created_at: datetime
    outcome: str
    closed_at: datetime | None
    summonses: list[SummonsOut]

    @staticmethod
    def resolve_summoning_unit_name(obj: Whistle) -> str:
        return obj.summoning_unit.name

    @staticmethod
    def resolve_summonses(obj: Whistle) -> list[WhistleSummons]:
        return list(obj.summonses.all())


class RatingOut(Schema):
    round: int
    contacted: bool
    resolution: str
    satisfaction: str
    comment: str
    via: str
    unit_name: str
    created_at: datetime

    @staticmethod
    def resolve_unit_name(obj: Rating) -> str:
        return obj.unit.name if obj.unit else ""


class ApprovalOut(Schema):
    id: int
    kind: str
    state: str
    unit_name: str
    reason: str
    not_ours: bool = Field(description="退单时：是否以“非本单位职责”申请")
    extend_amount: float | None
    extend_unit: str = Field(
        description="延期时：时长的单位（hours 自然时、working_hours 工作时、working_days 工作日…）"
    )
    decided_at: datetime | None
    decision_note: str
    created_at: datetime

    @staticmethod
    def resolve_unit_name(obj: Approval) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_extend_unit(obj: Approval) -> str:
        if obj.extend_amount is None:
            return ""
        return obj.extend_unit or obj.request.extension_unit


class CouncilOut(Schema):
    id: int
    held_on: date
    party_branch: str
    owners_committee: str
    property_company: str
    others: str
    outcome: str
    agreed: bool


class RequestDetailOut(RequestOut):
    content: str
    direct_answer: str
    building_id: int | None
    merged_into_number: str
    work_orders: list[WorkOrderOut]
    events: list[EventOut] = Field(description="办理时间轴")
    whistles: list[WhistleOut]
    ratings: list[RatingOut]
    approvals: list[ApprovalOut]
    councils: list[CouncilOut]
    attachments: list[AttachmentOut]
    allowed_actions: list[str] = Field(description="当前调用者此刻可执行的动作")

    @staticmethod
    def resolve_content(obj: Request, context: Any) -> str:
        return _text(obj, context, obj.content)

    @staticmethod
    def resolve_merged_into_number(obj: Request) -> str:
        return obj.merged_into.number if obj.merged_into else ""

    @staticmethod
    def resolve_work_orders(obj: Request) -> list[WorkOrder]:
        return list(obj.work_orders.all())

    @staticmethod
    def resolve_events(obj: Request) -> list[RequestEvent]:
        return list(obj.events.all())

    @staticmethod
    def resolve_whistles(obj: Request) -> list[Whistle]:
        return list(obj.whistles.all())

    @staticmethod
    def resolve_ratings(obj: Request) -> list[Rating]:
        return list(obj.ratings.all())

    @staticmethod
    def resolve_approvals(obj: Request) -> list[Approval]:
        return list(obj.approvals.all())

    @staticmethod
    def resolve_councils(obj: Request) -> list[CouncilOutcome]:
        return list(obj.councils.all())

    @staticmethod
    def resolve_attachments(obj: Request) -> list[Attachment]:
        return list(obj.attachments.all())

    @staticmethod
    def resolve_allowed_actions(obj: Request, context: dict[str, Any]) -> list[str]:
        from civicgrid.requests.web_helpers import available_actions

        # The transition table, then the context (a pending approval to decide, a level to
        # escalate to, a reply still waiting for its 核查…): what the request page offers.
        http: HttpRequest = context["request"]
        return available_actions(http.user, obj)


class SignResult(Schema):
    id: int
    ok: bool
    number: str
    status: str
    message: str


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    full_name: str
    initials: str
    keywords: str
    responsible_kind: str
    responsible_unit_name: str
    response_tier: str
    response_limit: float
    response_unit: str
    resolution_limit: float
    resolution_unit: str
    needs_callback: bool
    needs_verification: bool

    @staticmethod
    def resolve_responsible_unit_name(obj: Category) -> str:
        return obj.responsible_unit.name if obj.responsible_unit else ""


class UnitOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    kind_label: str
    node_id: int
    parent_id: int | None
    phone: str

    @staticmethod
    def resolve_kind_label(obj: HandlingUnit) -> str:
        return _label(UnitKind, obj.kind)


class TrackEventOut(Schema):
    action_label: str
    status_label: str
    unit_name: str
    note: str = Field(description="仅答复类动作显示答复内容")
    at: datetime


class TrackOut(Schema):
    number: str
    type_label: str
    category_name: str
    status: str
    status_label: str
    open: bool
    lead_unit_name: str
    received_at: datetime
    due_resolution_at: datetime | None
    closed_at: datetime | None
    timeline: list[TrackEventOut]


class RatedOut(Schema):
    number: str
    status: str
    status_label: str
    round: int


LIGHTS = frozenset(Light.values)


class OverviewDayOut(Schema):
    day: date
    received: int


class OverviewCategoryOut(Schema):
    code: str = Field(description="二级分类编码（各版目录通用）")
    name: str
    received: int


class OverviewAreaOut(Schema):
    id: int
    name: str
    open: int
    overdue: int


class OverviewRestOut(Schema):
    name: str = Field(description="如“梁溪区（本级及未细分）”")
    open: int
    overdue: int


class OverviewUnitOut(Schema):
    id: int
    name: str
    open: int
    overdue: int


class OverviewOut(Schema):
    """接诉即办总览 (``requests.overview``): the figures of /requests/overview/."""

    today: date
    received_today: int
    received_month: int
    open: int
    overdue: int = Field(description="在办且办理时限已过（与诉求台账“仅超期”相同）")
    red: int
    yellow: int
    supervised: int = Field(description="在办的督办件")
    whistles_month: int
    daily: list[OverviewDayOut] = Field(description="近 30 天每日受理")
    categories: list[OverviewCategoryOut] = Field(description="本月受理最多的二级分类（前 10）")
    areas: list[OverviewAreaOut] = Field(description="调用者辖区下一级各区域的在办与超期")
    areas_rest: OverviewRestOut | None = Field(
        description="在办但不在上面任何区域的诉求（定位在本级、尚未细分）；没有时为 null。"
        "areas 各行加上本项等于 open 与 overdue"
    )
    units: list[OverviewUnitOut] = Field(description="超期在办最多的承办单位（前 10）")
