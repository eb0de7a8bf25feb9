"""Helpers of the red property pages: the forms' labels, the version and year asked for, and
a refused form's input (``Kept``) to show it again."""

from dataclasses import dataclass, field

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.accounts.selectors import require_any
from civicgrid.core.views_forms import int_or_none, value
from civicgrid.property.constants import CheckItem
from civicgrid.property.permissions import VIEW

# The forms' fields by their labels, to name them in a refusal. A field that means one thing
# on one form and another elsewhere (``reason``, ``note``) is labelled per form below.
LABELS = {
    "compound": gettext_lazy("小区"),
    "company": gettext_lazy("物业服务企业"),
    "starts_on": gettext_lazy("进驻日期"),
    "ends_on": gettext_lazy("退出日期"),
    "note": gettext_lazy("备注"),
    "party_instructor": gettext_lazy("党建指导员"),
    "has_party_branch": gettext_lazy("已建立党组织"),
    "inspected_on": gettext_lazy("检查日期"),
    "rectify_by": gettext_lazy("整改期限"),
    "items": gettext_lazy("检查项目"),
    "node": gettext_lazy("加减分单位"),
    "year": gettext_lazy("年度"),
    "points": gettext_lazy("分值"),
    "term_starts_on": gettext_lazy("任期开始"),
    "term_ends_on": gettext_lazy("任期结束"),
    "name": gettext_lazy("姓名"),
    "post": gettext_lazy("职务"),
    "resident": gettext_lazy("居民档案"),
    "negative_items": gettext_lazy("负面清单"),
    "version": gettext_lazy("版本"),
    "ended_on": gettext_lazy("离任日期"),
    "joined_on": gettext_lazy("加入日期"),
    "entry": gettext_lazy("信用记录"),
    "contract": gettext_lazy("进驻记录"),
}
for _item in CheckItem:
    LABELS[f"items.{_item.value}"] = _item.label
    LABELS[f"items.{_item.value}.note"] = _item.label

# The contract exit form (物业退出), the inspection (检查说明), the credit form (加减分: 事由)
# and a member's leaving (离任). ``note`` is 备注 on the entry and the committee forms.
CONTRACT_END_LABELS = {**LABELS, "reason": gettext_lazy("退出原因"), "note": gettext_lazy("退出说明")}
INSPECTION_LABELS = {**LABELS, "note": gettext_lazy("检查说明")}
CREDIT_LABELS = {**LABELS, "reason": gettext_lazy("事由")}
MEMBER_END_LABELS = {**LABELS, "reason": gettext_lazy("离任原因"), "note": gettext_lazy("离任说明")}
# The corrections: a reversal (冲正原因), a void (作废原因, 撤销原因), a term (更正原因).
REVERSE_LABELS = {**LABELS, "reason": gettext_lazy("冲正原因")}
INSPECTION_VOID_LABELS = {**LABELS, "reason": gettext_lazy("作废原因")}
CONTRACT_VOID_LABELS = {**LABELS, "reason": gettext_lazy("撤销原因")}
TERM_LABELS = {**LABELS, "reason": gettext_lazy("更正原因")}


@dataclass(frozen=True)
class Kept:
    """What was typed into a refused form: ``form`` names it (``contract_end``), ``key`` the row
    it belongs to when the page has one per row (a member's ``pk``), ``values`` the fields."""

    form: str
    key: int | None = None
    values: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)


def kept_from(request: HttpRequest, form: str, key: int | None = None) -> Kept:
    """The posted fields of ``form`` as typed (spaces around them dropped)."""
    values = {name: str(request.POST.get(name, "")).strip() for name in request.POST}
    lists = {name: request.POST.getlist(name) for name in request.POST}
    return Kept(form=form, key=key, values=values, lists=lists)


def require_view(request: HttpRequest) -> None:
    require_any(request.user, VIEW)


def version(request: HttpRequest) -> int | None:
    return int_or_none(value(request, "version"), "version", _("版本"))


FIRST_BOARD_YEAR = 2000


def year_param(request: HttpRequest) -> tuple[int, str | None]:
    """The year asked for in ``?year=`` (this year when absent), and the refusal of a ``year``
    that is not a year from 2000 to this year (``abc``, ``99999``): the page then shows this
    year under that message, as the API refuses the same with 422."""
    this_year = timezone.localdate().year
    raw = request.GET.get("year", "").strip()
    if not raw:
        return this_year, None
    if raw.isascii() and raw.isdecimal() and FIRST_BOARD_YEAR <= int(raw) <= this_year:
        return int(raw), None
    refusal = _(
        "年度：年度应为{first}到{last}之间的整数（您填写的是「{raw}」），下面显示的是{last}年"
    ).format(first=FIRST_BOARD_YEAR, last=this_year, raw=raw[:20])
    return this_year, refusal
