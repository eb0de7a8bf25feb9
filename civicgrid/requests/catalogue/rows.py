"""Rows of the catalogue: columns, accepted spellings, and checking each row."""

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import has_capability
from civicgrid.core.errors import PermissionDenied, ValidationError
from civicgrid.core.i18n import StrOrPromise
from civicgrid.requests.constants import ResponseTier, ResponsibleKind, UnitKind
from civicgrid.requests.defaults.builder import TIER_LIMITS
from civicgrid.requests.models import HandlingUnit
from civicgrid.workcal.constants import LimitUnit

NAME_MAX = 100
KEYWORDS_MAX = 255
LIMIT_MAX = 10000
MAX_ERRORS = 200
LEVEL_LABELS = ("一级分类", "二级分类", "三级分类")  # i18n: data (headers, as below)
LEAF_CODE_RE = re.compile(r"^(0[1-9]|[1-9]\d){3}$")

# (row key, Chinese column header); the order of the Excel sheet.
# i18n: data (the catalogue file's headers and cell values, here and below: imports match them
# and the exported sheet must import again, whatever the language of the pages)
COLUMNS: tuple[tuple[str, str], ...] = (
    ("level1", "一级分类"),
    ("level2", "二级分类"),
    ("level3", "三级分类"),
    ("code", "分类编码"),
    ("responsible_kind", "责任主体"),
    ("responsible_unit", "责任单位编码"),
    ("responsible_unit_name", "责任单位名称"),
    ("response_tier", "响应级别"),
    ("response_limit", "响应时限"),
    ("response_unit", "响应时限单位"),
    ("resolution_limit", "办理时限"),
    ("resolution_unit", "办理时限单位"),
    ("needs_callback", "需要回访"),
    ("needs_verification", "需要网格员核查"),
    ("keywords", "关键词"),
)
HEADERS = dict(COLUMNS)
REQUIRED_COLUMNS = ("level1", "level2", "level3")
INFORMATIONAL = frozenset({"responsible_unit_name"})  # exported, ignored on import

KIND_SHORT = {  # i18n: data
    ResponsibleKind.LOCATION: "属地",
    ResponsibleKind.DEPARTMENT: "职能部门",
    ResponsibleKind.ENTERPRISE: "公共服务企业",
}
TIER_SHORT = {  # i18n: data
    ResponseTier.TIER_1: "一级",
    ResponseTier.TIER_2: "二级",
    ResponseTier.TIER_3: "三级",
    ResponseTier.TIER_4: "四级",
}
UNIT_SHORT = {  # i18n: data
    LimitUnit.HOURS: "小时",
    LimitUnit.WORKING_HOURS: "工作小时",
    LimitUnit.WORKING_DAYS: "工作日",
    LimitUnit.DAYS: "自然日",
}
BOOL_SHORT = {True: "是", False: "否"}  # i18n: data
UNIT_KIND_FOR = {
    ResponsibleKind.DEPARTMENT: UnitKind.DEPARTMENT,
    ResponsibleKind.ENTERPRISE: UnitKind.ENTERPRISE,
}


def _spellings(
    short: Mapping[Any, str], labels: Mapping[Any, StrOrPromise], extra: Mapping[str, Any]
) -> dict[str, Any]:
    """Every accepted spelling (value, label, short label, extras), lower-cased, → value."""
    accepted: dict[str, Any] = {str(k).lower(): extra[k] for k in extra}
    for value, name in short.items():
        for spelling in (value, name, labels.get(value, "")):
            if spelling != "":
                accepted[str(spelling).lower()] = value
    return accepted


KIND_SPELLINGS = _spellings(
    KIND_SHORT,
    dict(ResponsibleKind.choices),
    {"部门": ResponsibleKind.DEPARTMENT, "企业": ResponsibleKind.ENTERPRISE},
)
TIER_SPELLINGS = _spellings(
    TIER_SHORT,
    dict(ResponseTier.choices),
    {
        **{str(n): v for n, v in zip("1234", ResponseTier.values, strict=True)},
        # The labels before they stopped naming hours (files filled in from an older page).
        "一级（2小时）": ResponseTier.TIER_1,
        "二级（24小时）": ResponseTier.TIER_2,
        "三级（7个工作日）": ResponseTier.TIER_3,
        "四级（15个工作日）": ResponseTier.TIER_4,
    },
)
UNIT_SPELLINGS = _spellings(UNIT_SHORT, dict(LimitUnit.choices), {"h": LimitUnit.HOURS, "天": LimitUnit.DAYS})
BOOL_SPELLINGS = _spellings(  # i18n: data
    BOOL_SHORT, {}, {"true": True, "false": False, "1": True, "0": False, "需要": True, "不需要": False}
)


@dataclass
class CleanRow:
    line: int
    names: tuple[str, str, str]
    code: str
    responsible_kind: str
    unit: HandlingUnit | None
    response_tier: str
    response_limit: float
    response_unit: str
    resolution_limit: float
    resolution_unit: str
    needs_callback: bool
    needs_verification: bool
    keywords: str
    where: str = ""  # "第3行", or "「派单目录」表第3行" when the workbook has other sheets

    @property
    def label(self) -> str:
        return self.where or _("第{line}行").format(line=self.line)


def row_label(raw: Mapping[str, Any], line: int) -> str:
    """Where a row is, for its reasons: "第3行", or with its sheet ("「派单目录」表第3行") when
    the import says so (``_sheet``: the workbook has other sheets the numbers could be read in)."""
    if sheet := raw.get("_sheet"):
        return _("「{sheet}」表第{line}行").format(sheet=sheet, line=line)
    return _("第{line}行").format(line=line)


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _code(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(int(value)).zfill(6)  # Excel dropped the leading zero
    return text(value)


def _choice(value: Any, spellings: Mapping[str, Any], default: Any) -> Any:
    """The value meant by ``value``; ``default`` when blank; ``None`` when not understood."""
    if isinstance(value, bool):
        value = "true" if value else "false"
    said = text(value).lower()
    if not said:
        return default
    return spellings.get(said, spellings.get(said.split("（")[0]))


# A limit written with its unit ("3个工作日", "24小时", "2 h"): the number and the unit's words.
_LIMIT_WITH_UNIT = re.compile(r"^(\d+(?:\.\d+)?)\s*个?\s*(\D+)$")


def _number(value: Any, default: float) -> float | None:
    if value is None or text(value) == "":
        return default
    try:
        number = float(text(value))
    except ValueError:
        return None
    return number if 0 < number <= LIMIT_MAX else None


def _limit_with_unit(value: Any) -> tuple[float, str] | None:
    """``(number, unit)`` of a limit written with its unit ("3个工作日" → 3, working days);
    None when the cell is not such a limit."""
    if not isinstance(value, str):
        return None
    found = _LIMIT_WITH_UNIT.match(text(value))
    if found is None:
        return None
    unit = UNIT_SPELLINGS.get(found.group(2).strip().lower())
    number = float(found.group(1))
    if unit is None or not 0 < number <= LIMIT_MAX:
        return None
    return number, unit


class _Problems:
    """Reasons for one row, each naming its column. ``cells``: the reasons of the cells the
    import could not read (column key → reason, ``_cells``: a formula without a result, a
    date), said first; such a column gets no second reason ("不能为空")."""

    def __init__(self, cells: Mapping[str, str] | None = None) -> None:
        self.items: list[str] = list((cells or {}).values())
        self.unread = frozenset(cells or ())

    def add(self, key: str, reason: str) -> None:
        if key not in self.unread:
            self.items.append(f"「{HEADERS[key]}」{reason}")


def _names(raw: Mapping[str, Any], problems: _Problems) -> tuple[str, str, str]:
    names = tuple(text(raw.get(key)) for key in REQUIRED_COLUMNS)
    for key, name in zip(REQUIRED_COLUMNS, names, strict=True):
        if not name:
            problems.add(key, _("不能为空"))
        elif len(name) > NAME_MAX:
            problems.add(key, _("最长{name_max}个字").format(name_max=NAME_MAX))
        elif "/" in name:
            problems.add(key, _("不能包含“/”"))
    return names[0], names[1], names[2]


def _unit(raw: Mapping[str, Any], kind: Any, units: Mapping[str, HandlingUnit], p: _Problems) -> Any:
    code = text(raw.get("responsible_unit"))
    if not code:
        return None
    unit = units.get(code)
    if unit is None:
        p.add("responsible_unit", _("单位编码 {code} 不存在或已停用").format(code=code))
    elif kind == ResponsibleKind.LOCATION:
        p.add("responsible_unit", _("属地类分类按位置派给街道，不应填写责任单位"))
    elif kind in UNIT_KIND_FOR and unit.kind != UNIT_KIND_FOR[kind]:
        p.add("responsible_unit", _("{name}不是{kind}").format(name=unit.name, kind=KIND_SHORT[kind]))
    return unit


def _limit(
    raw: Mapping[str, Any], keys: tuple[str, str], defaults: tuple[float, str], p: _Problems
) -> tuple[float | None, str | None]:
    """One limit and its unit. A limit written with its unit ("3个工作日") is taken when the
    unit column is blank or says the same unit; otherwise the reason names the unit column."""
    limit_key, unit_key = keys
    unit_said = text(raw.get(unit_key)) != ""
    unit = _choice(raw.get(unit_key), UNIT_SPELLINGS, defaults[1])
    if unit is None:
        p.add(unit_key, _("只能是：{values}").format(values="、".join(UNIT_SHORT.values())))
    limit = _number(raw.get(limit_key), defaults[0])
    if limit is None and (written := _limit_with_unit(raw.get(limit_key))) is not None:
        if not unit_said or written[1] == unit:
            return written[0], written[1]
        if unit is not None:
            p.add(
                limit_key,
                _(
                    "“{value}”与「{unit_column}」“{unit}”不一致：时限只填数字，单位填在「{unit_column}」列"
                ).format(
                    value=text(raw.get(limit_key)), unit_column=HEADERS[unit_key], unit=UNIT_SHORT[unit]
                ),
            )
            return None, unit
    if limit is None:
        p.add(
            limit_key,
            _("应为大于0且不超过{limit_max}的数字，如 3 或 0.5；单位填在「{unit_column}」列").format(
                limit_max=LIMIT_MAX, unit_column=HEADERS[unit_key]
            ),
        )
    return limit, unit


def _limits(raw: Mapping[str, Any], tier: str, p: _Problems) -> tuple[float, str, float, str]:
    std = TIER_LIMITS.get(tier, TIER_LIMITS[ResponseTier.TIER_3])
    out: list[Any] = []
    understood = True
    for keys, default_limit, default_unit in (
        (("response_limit", "response_unit"), std[0], std[1]),
        (("resolution_limit", "resolution_unit"), std[2], std[3]),
    ):
        limit, unit = _limit(raw, keys, (default_limit, default_unit), p)
        understood = understood and limit is not None and unit is not None
        out += [limit or default_limit, unit or default_unit]
    if understood and out[1] == out[3] and out[0] > out[2]:  # not compared with a default
        p.add("response_limit", _("不能长于办理时限"))
    return out[0], out[1], out[2], out[3]


def _flag(raw: Mapping[str, Any], key: str, default: bool, p: _Problems) -> bool:
    value = _choice(raw.get(key), BOOL_SPELLINGS, default)
    if value is None:
        p.add(key, _("只能填“是”或“否”"))
        return default
    return bool(value)


def clean_row(
    raw: Mapping[str, Any], line: int, units: Mapping[str, HandlingUnit]
) -> tuple[CleanRow, list[str]]:
    """One row checked field by field; the reasons name the columns."""
    p = _Problems(raw.get("_cells"))
    names = _names(raw, p)
    code = _code(raw.get("code"))
    if code and not LEAF_CODE_RE.match(code):
        p.add("code", _("应为6位数字，每级两位（01–99），如 010203"))
    kind = _choice(raw.get("responsible_kind"), KIND_SPELLINGS, ResponsibleKind.LOCATION)
    if kind is None:
        p.add("responsible_kind", _("只能是：{values}").format(values="、".join(KIND_SHORT.values())))
    unit = _unit(raw, kind, units, p)
    tier = _choice(raw.get("response_tier"), TIER_SPELLINGS, ResponseTier.TIER_3)
    if tier is None:
        p.add("response_tier", _("只能是：{values}").format(values="、".join(TIER_SHORT.values())))
    response, response_unit, resolution, resolution_unit = _limits(raw, tier, p)
    keywords = text(raw.get("keywords")).replace("，", " ").replace("、", " ").replace(",", " ")
    if len(keywords) > KEYWORDS_MAX:
        p.add("keywords", _("最长{keywords_max}个字").format(keywords_max=KEYWORDS_MAX))
    row = CleanRow(
        line=line,
        names=names,
        code=code,
        responsible_kind=str(kind or ResponsibleKind.LOCATION),
        unit=unit,
        response_tier=str(tier or ResponseTier.TIER_3),
        response_limit=response,
        response_unit=response_unit,
        resolution_limit=resolution,
        resolution_unit=resolution_unit,
        needs_callback=_flag(raw, "needs_callback", True, p),
        needs_verification=_flag(raw, "needs_verification", False, p),
        keywords=" ".join(keywords.split()),
    )
    return row, p.items


@lru_cache(maxsize=8192)
def initials(name: str) -> str:
    """Lower-case pinyin initials of a name: 电梯故障 → ``dtgz`` (letters and digits only)."""
    # Imported here: loading pypinyin's dictionaries costs about a second at every process start.
    from pypinyin import Style, lazy_pinyin

    letters = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER))
    return "".join(ch for ch in letters.lower() if ch.isascii() and ch.isalnum())


def raise_if(errors: Mapping[str, list[str]]) -> None:
    if not errors:
        return
    flat = [f"{where}{reason}" for where, reasons in errors.items() for reason in reasons]
    more = ""
    if len(flat) > 10:
        more = (
            _("等共{count}处错误").format(count=len(flat))
            if len(flat) < MAX_ERRORS
            else _("等{max_errors}处以上错误").format(max_errors=MAX_ERRORS)
        )
    message = _("派单目录有误，未发布：{errors}{more}").format(errors="；".join(flat[:10]), more=more)
    raise ValidationError(message, errors=dict(errors))


def check_configure(actor: Any, system: bool) -> None:
    if not system and not has_capability(actor, Capability.REQUEST_CONFIGURE):
        raise PermissionDenied(_("只有系统管理员可以维护派单目录"))


def check_rows(rows: Sequence[Mapping[str, Any]]) -> tuple[list[CleanRow], dict[str, list[str]]]:
    """Every row checked: the rows (those with problems too, their bad values defaulted) and
    the problems (row → reasons, rows without problems left out)."""
    if not rows:
        raise ValidationError(_("派单目录至少需要一个三级分类"), field="rows")
    units = {u.code: u for u in HandlingUnit.objects.filter(is_active=True)}
    errors: dict[str, list[str]] = defaultdict(list)
    seen: dict[tuple[str, str, str], int] = {}
    clean, count = [], 0
    for index, raw in enumerate(rows, start=1):
        line = int(raw.get("_line") or index)
        row, problems = clean_row(raw, line, units)
        row.where = row_label(raw, line)
        if not problems and row.names in seen:
            problems.append(_("与第{line}行的分类重复").format(line=seen[row.names]))
        errors[row.where] += problems
        seen.setdefault(row.names, line)
        clean.append(row)
        count += len(problems)
        if count >= MAX_ERRORS:
            break
    return clean, {k: v for k, v in errors.items() if v}


def clean_rows(rows: Sequence[Mapping[str, Any]]) -> list[CleanRow]:
    """Every row checked; raises one ValidationError listing all problems (row → reasons)."""
    clean, errors = check_rows(rows)
    raise_if(errors)
    return clean
