"""The error answer every router documents: one component, ``ErrorOut``, for the whole API.

Each router used to declare its own copy; OpenAPI keeps one component per class name, so
the copies overwrote one another (harmless only while they stayed identical)."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema

from civicgrid.core.i18n import StrOrPromise


class ErrorOut(Schema):
    code: str = Field(description="错误代码：invalid / forbidden / not_found / conflict / unauthorized")
    message: str = Field(description="中文说明")
    detail: Any = Field(None, description="invalid 时为 {字段: [原因]}（字段为请求中的字段名）")


# Field codes in Chinese, for a refusal about a field whose schema has no title: the
# message names the field by this label, or gives the reason alone — never the code.
FIELD_LABELS: dict[str, StrOrPromise] = {
    "account_id": _("积分账户"),
    "address": _("地址"),
    "amount": _("数额"),
    "answer": _("答复内容"),
    "assignee_id": _("负责人"),
    "building_id": _("楼栋"),
    "category_id": _("分类"),
    "channel": _("渠道"),
    "content": _("内容"),
    "description": _("情况描述"),
    "ends_on": _("截止日期"),
    "expected_version": _("期望版本号"),
    "file": _("文件"),
    "files": _("附件"),
    "goods_id": _("商品"),
    "hours": _("服务时长"),
    "household_id": _("户"),
    "id_number": _("身份证号"),
    "interval_days": _("间隔天数"),
    "lat": _("纬度"),
    "limit": _("条数"),
    "lon": _("经度"),
    "name": _("名称"),
    "node_id": _("区域"),
    "note": _("备注"),
    "offset": _("起始位置"),
    "organisation_id": _("单位"),
    "page": _("页码"),
    "parent_id": _("上级区域"),
    "phone": _("电话"),
    "progress": _("进度"),
    "quantity": _("数量"),
    "reason": _("原因"),
    "requester_name": _("姓名"),
    "requester_phone": _("联系电话"),
    "resident_id": _("居民"),
    "responsible_unit_id": _("责任单位"),
    "starts_on": _("开始日期"),
    "title": _("标题"),
    "type": _("类型"),
    "unit": _("单位"),
    "unit_id": _("单位"),
    "urgency": _("紧急程度"),
    "version": _("版本"),
}


ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
