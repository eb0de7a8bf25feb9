"""What residents ask about, month by month: the topics of the demo history.

The topics themselves are data (``topics.json``). Each topic names the catalogue leaves
it fits by keywords (the first keyword that some leaf of the *current* catalogue contains
wins, so the topics work with any catalogue, including the default one); a season
profile (a multiplier per calendar month) makes heating complaints come in winter,
flooding and noise in summer, greenery in spring.
Texts are short templates; ``{place}`` is the address of the request.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from civicgrid.requests.constants import RequestType as T

# Multipliers for January … December.
FLAT = (1.0,) * 12
WINTER = (2.6, 2.2, 1.2, 0.2, 0.05, 0.05, 0.05, 0.05, 0.05, 0.3, 1.6, 2.6)
HEATING_START = (0.6, 0.3, 0.3, 0.1, 0.05, 0.05, 0.05, 0.1, 0.6, 2.4, 2.8, 1.0)
SUMMER = (0.3, 0.3, 0.5, 0.8, 1.3, 1.9, 2.4, 2.3, 1.4, 0.8, 0.4, 0.3)
RAINY = (0.2, 0.3, 0.5, 0.8, 1.3, 2.3, 2.8, 2.1, 1.0, 0.5, 0.2, 0.2)
SPRING = (0.3, 0.5, 1.6, 2.5, 2.0, 1.0, 0.6, 0.5, 0.6, 0.8, 0.6, 0.3)
AUTUMN = (0.6, 0.5, 0.6, 0.6, 0.7, 0.7, 0.8, 0.9, 1.5, 2.0, 1.7, 1.0)
DARK = (1.4, 1.2, 1.0, 0.8, 0.6, 0.6, 0.6, 0.7, 0.9, 1.2, 1.4, 1.5)
YEAR_END = (1.7, 1.9, 0.8, 0.7, 0.6, 0.6, 0.6, 0.7, 0.8, 0.9, 1.4, 2.3)
SCHOOL = (0.5, 0.7, 0.9, 1.1, 1.7, 2.0, 2.3, 2.2, 1.0, 0.6, 0.5, 0.5)
WARM = (0.6, 0.6, 0.8, 1.0, 1.2, 1.3, 1.4, 1.4, 1.2, 1.0, 0.8, 0.6)

# Requests received per month, relative to the mean (Spring Festival dip, summer peak).
VOLUME = (0.9, 0.78, 0.95, 1.0, 1.05, 1.1, 1.2, 1.18, 1.02, 0.92, 0.95, 1.0)

# The mix of request types (consultations are about 40 % of all contacts).
TYPE_MIX: dict[str, float] = {
    T.CONSULTATION: 0.40,
    T.COMPLAINT: 0.31,
    T.HELP: 0.215,
    T.SUGGESTION: 0.045,
    T.PRAISE: 0.025,
    T.EMERGENCY: 0.005,
}


SEASONS = {
    "flat": FLAT,
    "winter": WINTER,
    "heating_start": HEATING_START,
    "summer": SUMMER,
    "rainy": RAINY,
    "spring": SPRING,
    "autumn": AUTUMN,
    "dark": DARK,
    "year_end": YEAR_END,
    "school": SCHOOL,
    "warm": WARM,
}


@dataclass(frozen=True)
class Topic:
    """One kind of request, as ``topics.json`` describes it."""

    key: str
    types: tuple[str, ...]
    keywords: tuple[str, ...]
    weight: float
    season: tuple[float, ...]
    titles: tuple[str, ...]
    contents: tuple[str, ...]
    replies: tuple[str, ...] = ()
    answer: str = ""
    patrol: bool = False  # a grid worker on patrol can see it
    council: bool = False  # a compound matter for the three-party council
    urgent: bool = False


def _topic(raw: dict[str, Any]) -> Topic:
    flags = set(raw.get("flags", "").split())
    return Topic(
        key=raw["key"],
        types=tuple(raw["types"].split()),
        keywords=tuple(raw["keywords"].split()),
        weight=float(raw["weight"]),
        season=SEASONS[raw["season"]],
        titles=tuple(raw["titles"]),
        contents=tuple(raw["contents"]),
        replies=tuple(raw.get("replies", ())),
        answer=raw.get("answer", ""),
        patrol="patrol" in flags,
        council="council" in flags,
        urgent="urgent" in flags,
    )


TOPICS: tuple[Topic, ...] = tuple(
    _topic(raw) for raw in json.loads((Path(__file__).parent / "topics.json").read_text(encoding="utf-8"))
)

GENERIC_REPLY = "已联系诉求人并现场核实，问题已按有关规定处理，诉求人表示认可。"
GENERIC_ANSWER = "已按现行政策向来电人作出解答，并告知办理地点和所需材料。"

SATISFIED_COMMENTS = ("", "", "", "处理很及时，谢谢！", "态度很好，问题解决了", "感谢网格员和街道的帮助")
BASIC_COMMENTS = ("", "基本解决了，希望以后多巡查", "处理有点慢", "解决了一部分")
UNSATISFIED_COMMENTS = ("问题没有解决，还是老样子", "只打了电话，没有人来现场", "答复敷衍，不满意")

RETURN_REASONS = (
    "经核实，该事项属于行业主管部门职责，非本单位职责，申请退回重新派单。",
    "诉求地点不在本辖区，申请退单。",
)
EXTEND_REASONS = (
    "需协调产权单位和维修资金，申请延期。",
    "需采购配件，预计到货后完成维修，申请延期。",
    "涉及多个部门联合处置，申请延期。",
)
SUSPEND_REASONS = ("诉求人外出，暂无法入户核实，挂起待联系。", "涉及司法程序，待法院判决后继续办理。")
LONG_RUNNING_PLANS = (
    "已纳入老旧小区改造计划，按计划分步实施。",
    "需列入年度财政预算，按计划推进并每月向诉求人通报进展。",
)
SUPERVISE_NOTES = ("请加快办理进度，及时回复群众。", "该件群众反映强烈，请主要负责同志亲自督办。")
WHISTLE_REASONS = ("问题涉及多个部门职责，街道吹哨召集相关部门现场联合处置。",)
REPORT_IN_PARTS = ("负责现场执法和证据固定。", "负责管线排查和抢修。", "负责协调产权单位落实整改。")
WHISTLE_OUTCOMES = ("各部门现场会商后明确分工，问题已联合处置完毕。",)
REJECT_RETURN_NOTE = "经核实属于贵单位职责，请继续办理。"
REDISPATCH_NOTE = "原承办单位退回，经核实改由本单位办理。"
VERIFY_OK = ("现场核查，问题已处理到位。", "已到现场查看，整改完成，居民认可。")
VERIFY_FAILED = "现场核查发现问题仍未解决，退回继续办理。"
ANONYMOUS_CLOSE = "匿名诉求，无法回访，按办理情况办结。"
PATROL_CLOSE = "网格员巡查发现，无诉求人，免于回访。"
COUNCIL_OUTCOMES = (  # {title}: the request's title
    "就“{title}”，三方议定由物业先行处置，所需费用按规定从维修资金列支，社区跟踪落实。",
    "就“{title}”，三方议定由物业限期整改，业委会监督，整改结果在小区公示。",
    "就“{title}”，三方议定提请业主大会表决后实施，其间由物业采取临时措施。",
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英文华建国建华玉兰志强淑珍海燕"
    "红梅子涵浩然欣怡宇轩梓萱俊杰雨桐晓东建平春梅国庆"
)
ROADS = (
    "人民路",
    "中山路",
    "解放路",
    "学前街",
    "健康路",
    "建设路",
    "新生路",
    "通江大道",
    "北大街",
    "南长街",
    "县前街",
    "五爱路",
)
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
                   "157", "158", "159", "166", "173", "176", "177", "180", "181", "182", "183", "185", "186",
                   "187", "188", "189", "191", "198", "199")  # fmt: skip
