"""The column template of a historical-requests file (历史诉求导入模板).

Headers are matched as the exchange module matches them (full/half-width, a trailing
``*``, text in brackets ignored, the key or an alias also accepted); choice cells accept
the Chinese label, the code value or a short alias. ``TEMPLATE_EXAMPLE`` is the example
row written into the downloadable template (``civicgrid requests_import_history --template``).
"""

import csv
import io
from typing import Any

from django.db.models import TextChoices
from django.utils.translation import gettext as _

from civicgrid.exchange.columns import Column
from civicgrid.requests.constants import (
    RATING_COMMENT_MAX,
    Channel,
    HandlingLevel,
    RequestType,
    Resolution,
    Satisfaction,
    Status,
    Urgency,
)
from civicgrid.requests.models import Rating

# i18n: data (part of the column table below)
TIME_HELP = "北京时间，如 2025-03-01 08:15（也可写 2025/3/1 8:15 或 2025年3月1日 8:15，或带时区偏移）"


# i18n: data (headers, aliases and choice spellings are matched against the cells of uploaded files)
class Crs(TextChoices):
    WGS84 = "wgs84", "WGS84"
    GCJ02 = "gcj02", "GCJ02"


# i18n: data (headers, aliases and choice spellings are matched against the cells of uploaded files)
class YesNo(TextChoices):
    YES = "1", "是"
    NO = "0", "否"


# i18n: data (headers, aliases and choice spellings are matched against the cells of uploaded files)
YES_NO_ALIASES = (
    ("y", "1"),
    ("yes", "1"),
    ("true", "1"),
    ("t", "1"),
    ("n", "0"),
    ("no", "0"),
    ("false", "0"),
    ("f", "0"),
    ("有", "1"),
    ("无", "0"),
    ("已联系", "1"),
    ("未联系", "0"),
)

# i18n: data (headers, aliases and choice spellings are matched against the cells of uploaded files)
COLUMNS: list[Column] = [
    Column(
        "number",
        "诉求编号",
        True,
        "原系统的诉求编号，最长20个字符（字母、数字、-、_）；不得与系统中已有编号重复。"
        "形如 20250301-000123 的编号会同步推高当日流水号，今后新受理的诉求不会与之重号",
        aliases=("编号", "工单编号"),
    ),
    Column("external_id", "原系统编号", help="可选，最长64个字符，仅作记录", aliases=("外部编号",)),
    Column("received_at", "受理时间", True, TIME_HELP, aliases=("来电时间", "登记时间")),
    Column(
        "channel",
        "渠道",
        True,
        "12345热线、民声总台（来访）、网站/H5、微信小程序、其他系统、网格员上报、数字门牌……",
        Channel,
        aliases=("来源渠道",),
        choice_aliases=(
            ("12345", Channel.HOTLINE),
            ("热线", Channel.HOTLINE),
            ("来访", Channel.WALK_IN),
            ("网站", Channel.WEB),
            ("h5", Channel.WEB),
            ("小程序", Channel.MINI_PROGRAM),
            ("网格员", Channel.GRID_WORKER),
            ("门牌", Channel.DOORPLATE),
            ("留言板", Channel.MESSAGE_BOARD),
        ),
    ),
    Column(
        "type",
        "诉求类型",
        True,
        "咨询、求助、投诉举报、建议、表扬、紧急",
        RequestType,
        aliases=("类型",),
        choice_aliases=(("投诉", RequestType.COMPLAINT), ("举报", RequestType.COMPLAINT)),
    ),
    Column("urgency", "紧急程度", help="一般、紧急、特急；留空为一般", choices=Urgency),
    Column("title", "标题", True, "最长200个字"),
    Column("content", "诉求内容", True, "最长5000个字", aliases=("内容",)),
    Column("address", "地址", help="最长255个字", aliases=("事发地址",)),
    Column("lon", "经度", help="可选；填写后按坐标定位到网格"),
    Column("lat", "纬度", help="可选；经纬度需同时填写"),
    Column("crs", "坐标系", help="WGS84（默认）或 GCJ02（高德、腾讯地图坐标）", choices=Crs),
    Column(
        "area_code",
        "所属区域编码",
        help="没有坐标时诉求所在的区域（网格、社区或街道的编码）；都不填则取承办单位的辖区",
        aliases=("区域编码",),
    ),
    Column(
        "requester_name", "诉求人姓名", help="最长50个字；加密保存，页面上显示为 张*丰", aliases=("诉求人",)
    ),
    Column(
        "requester_phone",
        "联系电话",
        help="手机号11位或固定电话；加密保存，另存检索摘要，页面上显示为 138****5678",
        aliases=("电话",),
    ),
    Column("anonymous", "匿名", help="是或否，留空为否", choices=YesNo, choice_aliases=YES_NO_ALIASES),
    Column("confidential", "要求保密", help="是或否，留空为否", choices=YesNo, choice_aliases=YES_NO_ALIASES),
    Column(
        "category_code",
        "分类编码",
        help="派单目录三级分类的编码；按受理时间所在的目录版本查找（早于第一版的按第一版）",
        aliases=("诉求分类编码",),
    ),
    Column("catalogue_version", "目录版本", help="可选，目录版本号；填写后按该版本查找分类编码"),
    Column(
        "unit_code",
        "承办单位编码",
        help="主办单位的编码（已停用的单位也可以）；仅咨询类直接答复办结的可留空",
        aliases=("主办单位编码",),
    ),
    Column(
        "level",
        "办理层级",
        help="小区、社区、街道（乡镇）、区（县）；留空按承办单位类型",
        choices=HandlingLevel,
    ),
    Column(
        "status",
        "状态",
        help="只能导入已办结的诉求；可留空",
        choices=Status,
        choice_aliases=(("办结", Status.CLOSED), ("已完成", Status.CLOSED)),
    ),
    Column("dispatched_at", "派单时间", help="可选；" + TIME_HELP),
    Column("responded_at", "签收时间", help="可选；不早于派单时间", aliases=("响应时间",)),
    Column("replied_at", "答复时间", help="可选；不早于签收时间"),
    Column("closed_at", "办结时间", True, "不早于受理、派单、签收、答复时间，不晚于现在"),
    Column("reply", "办理结果", help="承办单位的答复，最长5000个字", aliases=("答复内容", "办理情况")),
    Column(
        "contacted",
        "是否联系",
        help="评价之一（响应）：是或否。三项评价须同时填写或同时留空",
        choices=YesNo,
        aliases=("响应",),
        choice_aliases=YES_NO_ALIASES,
    ),
    Column("resolution", "解决情况", help="已解决、部分解决、未解决", choices=Resolution),
    Column(
        "satisfaction",
        "满意度",
        help="满意、基本满意、不满意",
        choices=Satisfaction,
        aliases=("满意情况",),
    ),
    Column("rated_at", "评价时间", help="可选，留空取办结时间；计入该时间所在月份的三率"),
    Column("rating_comment", "评价意见", help=f"最长{RATING_COMMENT_MAX}个字"),
    Column(
        "rating_via",
        "评价方式",
        help="电话回访（默认）、短信链接、居民端",
        choices=Rating.Via,
        choice_aliases=(("回访", Rating.Via.CALLBACK), ("短信", Rating.Via.LINK)),
    ),
]

HEADERS: dict[str, str] = {c.key: c.header for c in COLUMNS}

# i18n: data (the template's example row must import as it is: choice labels, names)
TEMPLATE_EXAMPLE: dict[str, str] = {
    "number": "20250301-000123",
    "external_id": "WX12345-2025-0301-0123",
    "received_at": "2025-03-01 08:15",
    "channel": "12345热线",
    "type": "投诉举报",
    "urgency": "一般",
    "title": "小区路灯不亮",
    "content": "中山路12号小区门口路灯坏了三天，晚上出行不便，请尽快维修。",
    "address": "梁溪区中山路12号",
    "lon": "120.305",
    "lat": "31.575",
    "crs": "WGS84",
    "area_code": "",
    "requester_name": "张三丰",
    "requester_phone": "13812345678",
    "anonymous": "否",
    "confidential": "否",
    "category_code": "010101",
    "catalogue_version": "",
    "unit_code": "320213001000",
    "level": "",
    "status": "已办结",
    "dispatched_at": "2025-03-01 08:20",
    "responded_at": "2025-03-01 09:02",
    "replied_at": "2025-03-03 16:40",
    "closed_at": "2025-03-04 10:05",
    "reply": "已安排维修，路灯于3月3日恢复。",
    "contacted": "是",
    "resolution": "已解决",
    "satisfaction": "满意",
    "rated_at": "2025-03-04 10:05",
    "rating_comment": "处理及时",
    "rating_via": "电话回访",
}


def header_row() -> list[str]:
    return [f"{c.header}*" if c.required else c.header for c in COLUMNS]


def template_csv() -> bytes:
    """The template as UTF-8 CSV (with BOM so that Excel opens it in Chinese)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header_row())
    writer.writerow([TEMPLATE_EXAMPLE.get(c.key, "") for c in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    """The template as .xlsx: the example row and a second sheet explaining every column."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet: Any = book.active
    sheet.title = _("历史诉求")
    sheet.append(header_row())
    sheet.append([TEMPLATE_EXAMPLE.get(c.key, "") for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    notes: Any = book.create_sheet(_("填写说明"))
    notes.append([_("列名"), _("必填"), _("说明")])
    for c in COLUMNS:
        notes.append([c.header, _("是") if c.required else "", c.help])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
