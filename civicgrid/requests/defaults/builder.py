"""Builds the shipped default catalogue from public sources (see SOURCES.md).

Leaves: the contest's 517-item label tree plus ``extra.EXTRA``. For each leaf:

* responsible kind and unit: an enterprise for water, power, gas, heating and telecom; a
  named district department for categories clearly of one (traffic, market regulation,
  health, education, labour and social security, environment, city management, building
  market, police matters); otherwise the place's subdistrict (属地);
* response tier: 2 h emergencies, 24 h utilities, 15 working days complex matters
  (planning, land, demolition, labour disputes, litigation), 7 working days otherwise;
* limits: the tier's figures, or the city-management hotline's own deadline (in natural
  hours) where the leaf's name matches one of its items;
* verification by the grid worker for physical things one can go and look at.
"""

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from civicgrid.requests.constants import ResponseTier, ResponsibleKind
from civicgrid.requests.defaults import departments as d
from civicgrid.requests.defaults.extra import EXTRA
from civicgrid.workcal.constants import LimitUnit

LABELS_CSV = Path(__file__).with_name("catalogue_labels.csv")

T1, T2, T3, T4 = ResponseTier.TIER_1, ResponseTier.TIER_2, ResponseTier.TIER_3, ResponseTier.TIER_4
H, WD = LimitUnit.HOURS, LimitUnit.WORKING_DAYS

# Tier → (response limit, unit, resolution limit, unit).
TIER_LIMITS: dict[str, tuple[float, str, float, str]] = {
    T1: (0.5, H, 2, H),
    T2: (2, H, 24, H),
    T3: (24, H, 7, WD),
    T4: (24, H, 15, WD),
}

# The city-management hotline's deadlines (natural hours), matched by keyword in the leaf name.
HOTLINE_HOURS: tuple[tuple[tuple[str, ...], float], ...] = (
    (("道路不洁", "路面不洁"), 0.5),
    (("暴露垃圾",), 2),
    (("井盖",), 2),
    (("占道经营",), 4),
    (("小广告",), 24),
    (("路灯",), 48),
    (("道路破损", "路面破损"), 120),
    (("公厕",), 168),
    (("店招", "招牌"), 240),
)

TIER1_WORDS: tuple[str, ...] = (
    "事故处理",
    "突发",
    "燃气泄漏",
    "紧急求助",
    "打架斗殴",
    "森林防火",
    "防汛",
    "救灾管理",
)
TIER1_WORDS += ("危险化学品", "就医需求")
TIER2_WORDS: tuple[str, ...] = (
    "自来水",
    "供水",
    "电力供应",
    "供电",
    "停电",
    "电压",
    "燃气",
    "停气",
    "采暖",
    "暖气",
    "供暖",
)
TIER2_WORDS += ("通信保障", "通信信号", "宽带", "停水", "水压", "水质", "电梯故障")
TIER4_WORDS: tuple[str, ...] = (
    "规划",
    "土地",
    "拆迁",
    "征收",
    "安置补偿",
    "回迁",
    "棚户区",
    "劳动关系",
    "劳动合同",
)
TIER4_WORDS += ("劳务派遣", "辞职辞退", "仲裁", "诉讼", "行政复议", "拖欠工程款", "产权交易", "权属纠纷")
TIER4_WORDS += ("违章建筑", "宅基地", "房改", "矿产", "破产", "征占", "失地农民")

VERIFY_WORDS: tuple[str, ...] = (
    "道路",
    "路灯",
    "垃圾",
    "井盖",
    "电梯故障",
    "公厕",
    "店招",
    "小广告",
    "占道",
    "乱堆",
    "乱停",
)
VERIFY_WORDS += ("园林绿化", "环境卫生", "公共设施", "基础设施", "居民服务设施", "违章建筑", "公园管理")
VERIFY_WORDS += ("设施维护", "安全隐患", "漏水", "消防通道", "违规充电", "线缆", "电力线路", "公共部位")

# (level-1, level-2 or "*", level-3 or "*") → unit code; first match wins.
ENTERPRISE_RULES: tuple[tuple[str, str, str, str], ...] = (
    ("*", "*", "自来水供应", d.WATER),
    ("*", "*", "电力供应", d.POWER),
    ("*", "*", "燃气供应", d.GAS),
    ("*", "*", "冬季采暖", d.HEATING),
    ("公共服务", "供水", "*", d.WATER),
    ("公共服务", "供电", "*", d.POWER),
    ("公共服务", "燃气", "*", d.GAS),
    ("公共服务", "供暖", "*", d.HEATING),
    ("公共服务", "通信", "*", d.TELECOM),
    ("科技与信息产业", "电信", "*", d.TELECOM),
)
EDUCATION_GROUPS = ("教师队伍和待遇", "教育行政管理", "教育收费", "教育体制", "考试招生", "失学辍学")
POLICE_GROUPS = ("社会治安", "交通管理", "户籍证件", "刑案侦破", "警务督察")
DEPARTMENT_RULES: tuple[tuple[str, str, str, str], ...] = (
    ("*", "*", "公共汽车", d.TRANSPORT),
    ("*", "*", "地铁城铁", d.TRANSPORT),
    ("公共服务", "公共交通", "*", d.TRANSPORT),
    ("交通运输", "*", "*", d.TRANSPORT),
    ("*", "*", "城管执法", d.CHENGGUAN),
    ("城乡建设", "街面秩序", "占道经营", d.CHENGGUAN),
    ("城乡建设", "市容环境", "违规小广告", d.CHENGGUAN),
    ("城乡建设", "市容环境", "店招标牌破损", d.CHENGGUAN),
    ("城乡建设", "市政设施", "*", d.CHENGGUAN),
    ("城乡建设", "建筑市场", "*", d.ZHUJIAN),
    ("城乡建设", "工程质量", "*", d.ZHUJIAN),
    ("城乡建设", "住房保障与房地产", "保障性住房", d.ZHUJIAN),
    ("城乡建设", "住房保障与房地产", "房地产开发管理", d.ZHUJIAN),
    ("城乡建设", "住房保障与房地产", "住房公积金", d.ZHUJIAN),
    ("城乡建设", "住房保障与房地产", "房改政策", d.ZHUJIAN),
    ("商贸旅游", "市场监管", "*", d.MARKET),
    ("商贸旅游", "质监检验检疫", "*", d.MARKET),
    ("卫生计生", "食品药品监管", "*", d.MARKET),
    ("市场监管", "*", "*", d.MARKET),
    ("卫生计生", "*", "*", d.HEALTH),
    ("疫情防控", "防控措施", "*", d.HEALTH),
    ("疫情防控", "防控保障", "特殊人群就医需求", d.HEALTH),
    *(("教育文体", group, "*", d.EDUCATION) for group in EDUCATION_GROUPS),
    ("劳动和社会保障", "*", "*", d.LABOUR),
    ("环境保护", "*", "*", d.ENVIRONMENT),
    *(("政法", group, "*", d.POLICE) for group in POLICE_GROUPS),
    ("社会治安", "治安秩序", "*", d.POLICE),
    ("社会治安", "紧急求助", "*", d.POLICE),
)


def _matches(rule: tuple[str, str, str, str], names: tuple[str, str, str]) -> bool:
    return all(want in ("*", got) for want, got in zip(rule[:3], names, strict=True))


def responsible(names: tuple[str, str, str]) -> tuple[str, str]:
    """(responsible kind, unit code) of a leaf."""
    for rules, kind in (
        (ENTERPRISE_RULES, ResponsibleKind.ENTERPRISE),
        (DEPARTMENT_RULES, ResponsibleKind.DEPARTMENT),
    ):
        for rule in rules:
            if _matches(rule, names):
                return kind.value, rule[3]
    return ResponsibleKind.LOCATION.value, ""


def _has(words: tuple[str, ...], *texts: str) -> bool:
    return any(word in text for word in words for text in texts)


def tier(names: tuple[str, str, str]) -> str:
    _, level2, leaf = names
    if _has(TIER1_WORDS, leaf):
        return T1
    if _has(TIER2_WORDS, leaf, level2) or names[0] == "疫情防控":
        return T2
    if _has(TIER4_WORDS, leaf, level2):
        return T4
    return T3


def hotline_hours(leaf: str) -> float | None:
    for words, hours in HOTLINE_HOURS:
        if _has(words, leaf):
            return hours
    return None


def limits(names: tuple[str, str, str]) -> dict[str, Any]:
    hours = hotline_hours(names[2])
    if hours is None:
        level = tier(names)
        response, response_unit, resolution, resolution_unit = TIER_LIMITS[level]
    else:
        level = T1 if hours <= 2 else T2 if hours <= 24 else T3
        response, response_unit = min(TIER_LIMITS[level][0], hours), H
        resolution, resolution_unit = hours, H
    return {
        "response_tier": level,
        "response_limit": response,
        "response_unit": response_unit,
        "resolution_limit": resolution,
        "resolution_unit": resolution_unit,
    }


def leaves() -> Iterator[tuple[tuple[str, str, str], str]]:
    """Every leaf's names and keywords: the label tree first, then the additions."""
    with LABELS_CSV.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            yield (row["level1"].strip(), row["level2"].strip(), row["level3"].strip()), ""
    for level1, groups in EXTRA.items():
        for level2, items in groups.items():
            for name, keywords in items:
                yield (level1, level2, name), keywords


def default_rows() -> list[dict[str, Any]]:
    """The default catalogue as rows for ``catalogue.catalogue_publish``."""
    rows = []
    for names, keywords in leaves():
        kind, unit = responsible(names)
        rows.append(
            {
                "level1": names[0],
                "level2": names[1],
                "level3": names[2],
                "responsible_kind": kind,
                "responsible_unit": unit,
                **limits(names),
                "needs_callback": True,
                "needs_verification": _has(VERIFY_WORDS, names[2]),
                "keywords": keywords,
            }
        )
    return rows
