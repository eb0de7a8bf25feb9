"""The columns of each import file: Chinese header, key, whether required, help, choices.

Headers are matched loosely (full/half-width forms, a trailing ``*``, text in brackets
ignored), and choice cells accept the Chinese label, the code value or a short alias.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.db.models import TextChoices

from civicgrid.exchange.models import ImportKind
from civicgrid.registry.models import DwellingUse, Gender, OrganisationKind, ResidenceType
from civicgrid.territory.models import GridType, NodeKind, Post

_BRACKETS = re.compile(r"\([^)]*\)")
TAG_SEPARATORS = re.compile(r"[、,，;；\s]+")


def normalise_header(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text)).strip()
    text = _BRACKETS.sub("", text)
    return re.sub(r"[\s*]", "", text).lower()


def _choice_keys(label: str) -> list[str]:
    """'区（县）' is also accepted as '区' and '县'; '法官（三官一律）' as '法官'."""
    norm = unicodedata.normalize("NFKC", label).strip()
    keys = [norm, _BRACKETS.sub("", norm).strip()]
    keys += [part.strip() for part in re.split(r"[()]", norm) if part.strip()]
    return keys


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    help: str = ""
    choices: type[TextChoices] | None = None
    aliases: tuple[str, ...] = ()
    choice_aliases: tuple[tuple[str, str], ...] = ()
    is_date: bool = False
    lookup: dict[str, str] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        if self.choices is None:
            return
        for value, label in self.choices.choices:
            for key in _choice_keys(str(label)):
                self.lookup.setdefault(key, str(value))
            self.lookup[str(value).lower()] = str(value)
        for alias, value in self.choice_aliases:
            self.lookup[alias] = value

    @property
    def labels(self) -> list[str]:
        return [str(label) for _, label in self.choices.choices] if self.choices else []

    def choice_value(self, raw: str) -> str | None:
        """The code value for a label, code or alias; None when nothing matches."""
        text = unicodedata.normalize("NFKC", raw).strip()
        return self.lookup.get(text) or self.lookup.get(text.lower())

    def header_keys(self) -> set[str]:
        return {normalise_header(h) for h in (self.header, self.key, *self.aliases)}


NODE_CODE_HELP = "所属区域的编码（在“区域网格”页面可查到），须在您的管辖范围内"
DATE_HELP = "日期，如 2024-01-31（也可写 2024/1/31 或 20240131）"

NODE_COLUMNS = [
    Column("kind", "层级", True, "区域的层级", NodeKind, ("类型",)),
    Column(
        "code",
        "编码",
        help="市、区、街道、社区填12位统计用区划代码；网格及以下可留空，系统自动生成",
        aliases=("区域编码", "节点编码"),
    ),
    Column("name", "名称", True, "区域名称，最长100个字", aliases=("区域名称",)),
    Column(
        "parent_code",
        "上级编码",
        help="上级区域的编码：系统中已有的区域，或本文件中更靠前一行的编码；顶级区域留空",
    ),
    Column(
        "grid_type",
        "网格类型",
        help="仅网格填写，留空为综合网格",
        choices=GridType,
        choice_aliases=(("综合", GridType.COMPREHENSIVE), ("专属", GridType.DEDICATED)),
    ),
    Column("lon", "经度", help="WGS-84 经度（可选），如 120.305"),
    Column("lat", "纬度", help="WGS-84 纬度（可选），如 31.575；经纬度需同时填写"),
    Column("address", "地址", help="最长255个字"),
]

_NODE_CODE = Column("node_code", "区域编码", True, NODE_CODE_HELP, aliases=("节点编码", "所属区域编码"))

PHONE_HELP = "手机号11位，或固定电话如0510-12345678"
PHONE_ALIASES = ("电话", "手机号", "手机", "联系方式")

POSITION_COLUMNS = [
    _NODE_CODE,
    Column("post", "岗位", True, "岗位名称", Post),
    Column("holder_name", "姓名", True, "任职人姓名，最长50个字"),
    Column("phone", "联系电话", help=PHONE_HELP, aliases=PHONE_ALIASES),
    Column("organisation_name", "工作单位", help="最长100个字"),
    Column("start_date", "任职开始", True, DATE_HELP, is_date=True, aliases=("开始日期",)),
    Column("end_date", "任职结束", help="仍在任则留空；" + DATE_HELP, is_date=True, aliases=("结束日期",)),
]

RESIDENT_COLUMNS = [
    _NODE_CODE,
    Column("name", "姓名", True, "最长50个字", aliases=("名字",)),
    Column(
        "id_number",
        "身份证号",
        help=(
            "18位公民身份号码（请设为文本格式，避免变成科学计数法）；填写后性别和出生日期以身份证号为准；"
            "已登记的身份证号将更新该居民（留空的单元格保持原值；姓名须与登记一致）"
        ),
        aliases=("身份证号码", "公民身份号码", "身份证"),
    ),
    Column("phone", "联系电话", help=PHONE_HELP, aliases=PHONE_ALIASES),
    Column(
        "gender",
        "性别",
        help="未填身份证号时使用",
        choices=Gender,
        choice_aliases=(("男性", Gender.MALE), ("女性", Gender.FEMALE)),
    ),
    Column("birth_date", "出生日期", help="未填身份证号时使用；" + DATE_HELP, is_date=True),
    Column(
        "residence_type",
        "人口类型",
        help="留空为户籍人口",
        choices=ResidenceType,
        choice_aliases=(("户籍", ResidenceType.REGISTERED), ("流动", ResidenceType.FLOATING)),
    ),
    Column(
        "household_code",
        "户编码",
        help="同一户的成员填同一编码；系统中没有的户编码将新建一户（户主为“与户主关系”填“户主”或“本人”的人）",
    ),
    Column("relation_to_head", "与户主关系", help="如 户主、配偶、子女，最长20个字"),
    Column("tags", "标签", help="多个标签用 、 或 , 分隔，如 独居老人、党员"),
]

DWELLING_COLUMNS = [
    Column(
        "node_code", "区域编码", True, "所属楼栋或单元的编码，须在您的管辖范围内", aliases=_NODE_CODE.aliases
    ),
    Column("room", "房号", True, "如 1单元301，最长50个字"),
    Column("use", "使用情况", True, "房屋使用情况", DwellingUse),
    Column("area", "面积（㎡）", help="建筑面积，平方米，大于0", aliases=("面积", "建筑面积")),
    Column("owner_name", "产权人", help="最长50个字"),
    Column("code", "房屋编码", help="可留空，系统按楼栋自动生成", aliases=("编码",)),
]

ORGANISATION_COLUMNS = [
    _NODE_CODE,
    Column("name", "单位名称", True, "最长200个字"),
    Column("kind", "单位类型", True, "单位的类型", OrganisationKind),
    Column("credit_code", "统一社会信用代码", help="18位，可留空", aliases=("信用代码",)),
    Column("address", "地址", help="最长255个字"),
    Column("contact_name", "联系人", help="最长50个字"),
    Column("contact_phone", "联系电话", help="手机号11位，或固定电话如0510-12345678", aliases=("电话",)),
    Column("employees", "从业人数", help="非负整数", aliases=("员工人数",)),
]

GEOMETRY_COLUMNS = [
    Column("code", "code（区域编码）", True, "要素 properties 中的 code：已有区域的编码"),
    Column("geometry", "geometry（范围）", True, "要素的 Polygon 或 MultiPolygon，WGS-84 经纬度"),
]

COLUMNS: dict[str, list[Column]] = {
    ImportKind.NODES: NODE_COLUMNS,
    ImportKind.POSITIONS: POSITION_COLUMNS,
    ImportKind.RESIDENTS: RESIDENT_COLUMNS,
    ImportKind.DWELLINGS: DWELLING_COLUMNS,
    ImportKind.ORGANISATIONS: ORGANISATION_COLUMNS,
    ImportKind.GEOMETRY: GEOMETRY_COLUMNS,
}

TABULAR_KINDS = [k for k in ImportKind if k != ImportKind.GEOMETRY]
