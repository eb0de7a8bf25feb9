"""Bodies and answers of the red property API (Chinese field titles and validation messages)."""

from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext_noop
from ninja import Field, Schema
from pydantic import StrictInt

from civicgrid.core.api_types import Integer, choices_text
from civicgrid.property.constants import (
    ADJUST_MAX,
    AWARD_YEAR_MAX,
    FIRST_DAY_YEAR,
    INSPECTION_MAX_AGE_YEARS,
    MEMBER_MIN_AGE,
    RECTIFY_DAYS,
    RECTIFY_MAX_DAYS,
    TERM_MAX_YEARS,
    CheckItem,
    CommitteePost,
    ExitReason,
    MemberEndReason,
    NegativeItem,
)
from civicgrid.property.models import (
    CommitteeMember,
    CreditEntry,
    Inspection,
    OwnersCommittee,
    ServiceContract,
)
from civicgrid.requests.api.schemas import ERRORS, Input, PageIn

__all__ = ["ERRORS", "PageIn"]

TERM_START = f"任期开始日期（YYYY-MM-DD），{FIRST_DAY_YEAR}年起；必填"  # i18n: data (API documentation)
TERM_END = (  # i18n: data (API documentation)
    f"任期结束日期（YYYY-MM-DD），不早于任期开始，任期最长{TERM_MAX_YEARS}年；必填"
)


# --- query parameters of the lists: paging as the requests API (``PageIn``: 每页条数 1 to 200,
# 偏移 from 0, refused with 422 naming the field), the filters with their Chinese titles --------


def _compound_filter() -> Any:
    return Field(None, title=gettext_noop("小区"), description="小区（区域节点 id）；可选")


def _company_filter() -> Any:
    return Field(None, title=gettext_noop("物业服务企业"), description="物业服务企业（单位 id）；可选")


class ContractFilters(PageIn):
    compound: Integer | None = _compound_filter()
    company: Integer | None = _company_filter()
    open: bool | None = Field(
        None, title=gettext_noop("仅在管"), description="true 只列在管的合同，false 只列已退出的；可选"
    )


class CompanyFilters(PageIn):
    q: str = Field("", title=gettext_noop("关键词"), description="企业名称中包含（取前50字）；可选")


class InspectionFilters(PageIn):
    compound: Integer | None = _compound_filter()
    company: Integer | None = _company_filter()


class CreditFilters(PageIn):
    company: Integer = Field(
        ..., title=gettext_noop("物业服务企业"), description="物业服务企业（单位 id）；必填"
    )
    year: Integer | None = Field(
        None, title=gettext_noop("年度"), description="年度（如 2026）；留空为本年度"
    )


class CommitteeFilters(PageIn):
    compound: Integer | None = _compound_filter()


# --- contracts and companies -------------------------------------------------------------------


class ContractIn(Input):
    compound_id: Integer = Field(
        ..., title=gettext_noop("小区"), description="小区（区域节点 id，层级为小区）；必填"
    )
    company_id: Integer = Field(
        ..., title=gettext_noop("物业服务企业"), description="物业服务企业（单位 id）；必填"
    )
    starts_on: date = Field(
        ...,
        title=gettext_noop("进驻日期"),
        description=f"进驻日期（YYYY-MM-DD），{FIRST_DAY_YEAR}年起，不能晚于今天；必填",
    )
    note: str = Field("", title=gettext_noop("备注"), description="备注，最长255字；可选")


class ContractEndIn(Input):
    ends_on: date = Field(
        ...,
        title=gettext_noop("退出日期"),
        description="退出日期（YYYY-MM-DD），不早于进驻日期，不能晚于今天；必填",
    )
    reason: str = Field(
        ..., title=gettext_noop("退出原因"), description=choices_text(ExitReason, "退出原因；必填")
    )
    note: str = Field(
        "", title=gettext_noop("退出说明"), description="退出说明，最长255字；原因为 other 时必填，否则可选"
    )
    expected_version: Integer | None = Field(
        None, title=gettext_noop("期望版本号"), description="可选。读取时的 version；不符则 409，不做修改"
    )


class ContractOut(Schema):
    id: int
    compound_id: int = Field(alias="node_id")
    compound: str
    company_id: int
    company: str
    starts_on: date
    ends_on: date | None
    exit_reason: str
    exit_note: str
    note: str
    version: int
    voided_at: datetime | None = Field(
        None, description="撤销录入的时间；有效为 null（撤销的记录不计入任何统计）"
    )
    void_reason: str = Field("", description="撤销原因")

    @staticmethod
    def resolve_compound(obj: ServiceContract) -> str:
        return obj.node.name

    @staticmethod
    def resolve_company(obj: ServiceContract) -> str:
        return obj.company.name


class ContractVoidIn(Input):
    reason: str = Field(
        ..., title=gettext_noop("撤销原因"), description="撤销录入（误录）的原因，最长255字；必填"
    )
    expected_version: Integer | None = Field(
        None, title=gettext_noop("期望版本号"), description="可选。读取时的 version；不符则 409，不做修改"
    )


class ReasonIn(Input):
    reason: str = Field(
        ..., title=gettext_noop("原因"), description="作废检查或冲正记录的原因，最长255字；必填"
    )


class ProfileIn(Input):
    party_instructor: str = Field(
        "", title=gettext_noop("党建指导员"), description="党建指导员姓名，最长50字；可选，留空为未派驻"
    )
    has_party_branch: bool = Field(
        ..., title=gettext_noop("是否建立党组织"), description="企业是否建立党组织（true/false）；必填"
    )
    expected_version: Integer | None = Field(
        None,
        title=gettext_noop("期望版本号"),
        description="可选。读取时的 profile_version；不符则 409，不做修改",
    )


class CompanyOut(Schema):
    id: int
    name: str
    credit_code: str
    year: int
    score: int
    board_list: str = Field(description="red（红榜）、black（黑榜）或空")
    party_instructor: str
    has_party_branch: bool
    profile_version: int
    compounds_served: list[ContractOut]


class BoardRowOut(Schema):
    rank: int
    company_id: int
    company: str
    score: int = Field(description="信用分，按企业全部记录计算")
    compounds: int = Field(description="读者辖区内服务的小区数")
    inspections: int = Field(description="读者辖区内的检查次数")
    deducted: int = Field(description="读者辖区内检查的扣分合计")
    board_list: str = Field(description="red（红榜）、black（黑榜）或空")


class BoardOut(Schema):
    year: int
    red_min: int
    black_below: int
    rows: list[BoardRowOut]


# --- inspections and credit --------------------------------------------------------------------


class ItemBody(Input):
    # Read by the service (``services.common.whole``), which names the item and its range in
    # a refusal (安全管理扣分应为0到3之间的整数); pydantic's own check said only 取值无效.
    deduction: Any = Field(
        0,
        title=gettext_noop("扣分"),
        description="该项扣分，0 到该项上限（见 /property/checklist 的 max_deduction）的整数；可选，默认 0",
        json_schema_extra={"type": "integer", "minimum": 0},
    )
    note: str = Field("", title=gettext_noop("问题说明"), description="该项问题说明，最长200字；可选")


class InspectionIn(Input):
    compound_id: Integer = Field(
        ..., title=gettext_noop("小区"), description="被检查的小区（区域节点 id，须有在服务的物业企业）；必填"
    )
    inspected_on: date = Field(
        ...,
        title=gettext_noop("检查日期"),
        description=f"检查日期（YYYY-MM-DD），不能晚于今天、早于{INSPECTION_MAX_AGE_YEARS}年前；必填",
    )
    items: dict[str, ItemBody] = Field(
        {},
        title=gettext_noop("检查项目"),
        description=choices_text(CheckItem, "按检查项目（键）填写扣分与问题说明，未填的项为 0；可选"),
    )
    note: str = Field("", title=gettext_noop("检查说明"), description="检查说明，最长500字；可选")
    rectify_by: date | None = Field(
        None,
        title=gettext_noop("整改期限"),
        description=f"整改期限（YYYY-MM-DD），有扣分时可填，最长检查后{RECTIFY_MAX_DAYS}天；留空为检查后{RECTIFY_DAYS}天",
    )


class InspectionItemOut(Schema):
    item: str
    label: str
    deduction: int
    note: str


class InspectionOut(Schema):
    id: int
    compound_id: int = Field(alias="node_id")
    compound: str
    company_id: int
    company: str
    contract_id: int
    inspected_on: date
    inspector: str
    total_deduction: int
    rectify_by: date | None
    note: str
    items: list[InspectionItemOut]
    voided_at: datetime | None = Field(
        None, description="作废时间；有效为 null（作废的检查不计分、不计入每日一次）"
    )
    void_reason: str = Field("", description="作废原因")

    @staticmethod
    def resolve_compound(obj: Inspection) -> str:
        return obj.node.name

    @staticmethod
    def resolve_company(obj: Inspection) -> str:
        return obj.company.name

    @staticmethod
    def resolve_inspector(obj: Inspection) -> str:
        return str(obj.inspector.display_name)

    @staticmethod
    def resolve_items(obj: Inspection) -> list[dict[str, object]]:
        return [
            {"item": i.item, "label": i.get_item_display(), "deduction": i.deduction, "note": i.note}
            for i in obj.items.all()
        ]


class CreditIn(Input):
    company_id: Integer = Field(
        ..., title=gettext_noop("物业服务企业"), description="物业服务企业（单位 id）；必填"
    )
    node_id: Integer = Field(
        ..., title=gettext_noop("加减分单位"), description="作出加分或扣分的区或街道（区域节点 id）；必填"
    )
    year: StrictInt = Field(
        ..., title=gettext_noop("年度"), description="年度（如 2026），本年度或上一年度；必填"
    )
    points: StrictInt = Field(
        ...,
        title=gettext_noop("分值"),
        description=f"加分为正、扣分为负，-{ADJUST_MAX} 到 {ADJUST_MAX}，不为 0；"
        f"一年加分合计至多{AWARD_YEAR_MAX}；必填",
    )
    reason: str = Field(..., title=gettext_noop("事由"), description="加分或扣分的事由，最长255字；必填")


class CreditOut(Schema):
    id: int
    company_id: int
    year: int
    points: int
    reason: str
    source: str
    source_id: int | None
    reverses_id: int | None = Field(None, description="冲正记录所冲正的记录 id；其他记录为 null")
    node_id: int
    node: str
    created_at: datetime

    @staticmethod
    def resolve_node(obj: CreditEntry) -> str:
        return obj.node.name


class CreditPage(Schema):
    """The year's ledger rows in the caller's scope (``count``, ``results``); the score counts
    every row, and the rows elsewhere are given only as a count and a sum."""

    company_id: int
    year: int
    score: int
    elsewhere_count: int = Field(0, description="其他辖区的记录条数（计入信用分，不列明细）")
    elsewhere_points: int = Field(0, description="其他辖区记录的分值合计")
    count: int
    results: list[CreditOut]


# --- owners' committees ------------------------------------------------------------------------


class CommitteeIn(Input):
    compound_id: Integer = Field(
        ..., title=gettext_noop("小区"), description="小区（区域节点 id，层级为小区）；必填"
    )
    term_starts_on: date = Field(..., title=gettext_noop("任期开始"), description=TERM_START)
    term_ends_on: date = Field(..., title=gettext_noop("任期结束"), description=TERM_END)
    note: str = Field("", title=gettext_noop("备注"), description="备注，最长255字；可选")


class MemberIn(Input):
    name: str = Field(
        "", title=gettext_noop("姓名"), description="姓名，最长50字；指明居民档案时可留空（取档案姓名）"
    )
    post: str = Field(..., title=gettext_noop("职务"), description=choices_text(CommitteePost, "职务；必填"))
    resident_id: Integer | None = Field(
        None,
        title=gettext_noop("居民档案"),
        description="本小区居民（管理该业委会者可选，无须居民档案查看权限）",
    )
    is_party_member: bool = Field(
        False, title=gettext_noop("是否党员"), description="是否中共党员；可选，默认 false"
    )
    joined_on: date | None = Field(
        None,
        title=gettext_noop("加入日期"),
        description="加入日期（YYYY-MM-DD），在任期之内，不晚于今天；可选，默认今天",
    )
    negative_items: list[str] = Field(
        ...,
        title=gettext_noop("负面清单"),
        description=choices_text(
            NegativeItem, "候选人符合的负面清单情形（无则传 []），有任一项即不能加入；必填"
        ),
    )


class CommitteeMemberEndIn(Input):
    ended_on: date = Field(
        ...,
        title=gettext_noop("离任日期"),
        description="离任日期（YYYY-MM-DD）：不晚于今天，在任期之内，不早于加入日期；必填",
    )
    reason: str = Field(
        ..., title=gettext_noop("离任原因"), description=choices_text(MemberEndReason, "离任原因；必填")
    )
    note: str = Field(
        "",
        title=gettext_noop("离任说明"),
        description="离任说明，最长255字；原因为 negative_list 或 other 时必填，否则可选",
    )


class MemberLinkIn(Input):
    resident_id: Integer = Field(
        ...,
        title=gettext_noop("居民档案"),
        description=f"居民档案 ID：本小区年满{MEMBER_MIN_AGE}周岁的居民；必填",
    )


class CommitteeTermIn(Input):
    term_starts_on: date = Field(..., title=gettext_noop("任期开始"), description=TERM_START)
    term_ends_on: date = Field(..., title=gettext_noop("任期结束"), description=TERM_END)
    reason: str = Field(..., title=gettext_noop("更正原因"), description="更正任期的原因，最长255字；必填")


class CommitteeMemberOut(Schema):
    id: int
    name: str
    post: str
    resident_id: int | None
    is_party_member: bool
    joined_on: date
    ended_on: date | None = Field(None, description="离任日期；在任为 null")
    end_reason: str = Field("", description="离任原因；在任为空")
    end_note: str = ""

    @staticmethod
    def resolve_post(obj: CommitteeMember) -> str:
        return obj.post


class OwnersCommitteeOut(Schema):
    id: int
    compound_id: int = Field(alias="node_id")
    compound: str
    term_starts_on: date
    term_ends_on: date
    note: str
    members: list[CommitteeMemberOut]

    @staticmethod
    def resolve_compound(obj: OwnersCommittee) -> str:
        return obj.node.name

    @staticmethod
    def resolve_members(obj: OwnersCommittee) -> list[CommitteeMember]:
        from civicgrid.property.selectors import members_of

        return members_of(obj)


class ContractPage(Schema):
    count: int
    results: list[ContractOut]


class CompanyBrief(Schema):
    id: int
    name: str
    credit_code: str


class CompanyPage(Schema):
    count: int
    results: list[CompanyBrief]


class InspectionPage(Schema):
    count: int
    results: list[InspectionOut]


class CommitteePage(Schema):
    count: int
    results: list[OwnersCommitteeOut]


class ChoiceOut(Schema):
    value: str
    label: str
    max_deduction: int | None = None
