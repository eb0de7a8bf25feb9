"""Chinese names for generated people, compounds, roads and organisations."""

import bisect
import itertools
import random
from collections.abc import Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


class Picker(Generic[T]):
    """Weighted choice with the cumulative weights computed once (fast for millions)."""

    def __init__(self, items: Sequence[T], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cum = list(itertools.accumulate(weights))
        self.total = self.cum[-1]

    def pick(self, rng: random.Random) -> T:
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


# The hundred commonest surnames with their approximate share (per mille) of the population.
_SURNAMES = (
    "王71 李70 张68 刘54 陈45 杨31 黄22 赵20 吴20 周19 徐15 孙15 马13 朱13 胡12 郭12 何12 高11 "
    "林11 罗9 郑8 梁8 谢7 宋7 唐6 许6 韩6 冯6 邓6 曹5 彭5 曾5 肖5 田5 董5 袁4 潘4 于4 蒋4 蔡4 "
    "余4 杜4 叶4 程4 苏3 魏3 吕3 丁3 任3 沈3 姚3 卢3 姜3 崔3 钟3 谭3 陆3 汪3 范3 金3 石3 廖3 "
    "贾2 夏2 韦2 付2 方2 白2 邹2 孟2 熊2 秦2 邱2 江2 尹2 薛2 闫2 段2 雷2 侯2 龙2 史2 陶2 黎2 "
    "贺2 顾2 毛2 郝2 龚2 邵2 万2 钱2 严2 覃2 武2 戴2 莫2 孔2"
)
SURNAMES: Picker[str] = Picker([s[0] for s in _SURNAMES.split()], [int(s[1:]) for s in _SURNAMES.split()])

# Given names by birth cohort: (born before, male names, female names). Single characters
# and two-character names as they are common for each generation.
_GIVEN = (
    (
        1960,
        "建国 建华 国强 志明 德福 文华 国庆 建军 志强 福生 永康 荣华 海山 树林 春生 保国 金山 长顺 玉林 "
        "德明 强 林 军 福 明 华 忠",
        "秀英 桂英 秀兰 玉兰 桂兰 秀珍 凤英 玉珍 淑珍 玉梅 翠花 金凤 素珍 桂芳 凤兰 秀云 春花 爱华 丽华 "
        "淑英 英 兰 珍 芳 梅",
    ),
    (
        1990,
        "建伟 海涛 志勇 建军 晓东 俊杰 国栋 文斌 立新 海波 建平 伟东 志刚 晓峰 永刚 明辉 金龙 振华 "
        "伟 勇 军 磊 涛 斌 强 杰 刚 鹏 辉 波 峰 超",
        "丽娟 秀梅 晓燕 红梅 海燕 丽华 春燕 美玲 晓丽 雪梅 丽萍 艳红 慧敏 晓红 静怡 玉洁 婷婷 "
        "丽 娟 敏 静 艳 燕 红 霞 玲 芳 婷 萍",
    ),
    (
        9999,
        "子轩 浩宇 宇轩 浩然 梓豪 子豪 俊杰 宇航 子墨 一鸣 皓轩 博文 天佑 思远 梓睿 铭泽 奕辰 明哲 "
        "嘉懿 沐阳 浩 宇 轩 博 睿 晨",
        "欣怡 梓涵 诗涵 雨涵 子涵 一诺 梓萱 思琪 可馨 语桐 雨欣 佳怡 紫涵 若汐 诗琪 欣妍 梦瑶 "
        "佳琪 依诺 芷若 欣 悦 琪 彤 妍",
    ),
)
_GIVEN_LISTS = tuple((before, male.split(), female.split()) for before, male, female in _GIVEN)


def given_name(rng: random.Random, male: bool, born: int) -> str:
    for before, male_names, female_names in _GIVEN_LISTS:
        if born < before:
            pool = male_names if male else female_names
            return pool[int(rng.random() * len(pool))]
    raise ValueError(born)


def person_name(rng: random.Random, male: bool, born: int, surname: str | None = None) -> str:
    return (surname or SURNAMES.pick(rng)) + given_name(rng, male, born)


_COMPOUND_HEADS = (
    "阳光 锦绣 幸福 和平 绿洲 金色 翠湖 碧水 清扬 春江 东方 新城 华庭 天悦 御景 惠民 兴隆 康乐 "
    "丽都 金桂 紫薇 梧桐 香樟 泰和 安居 宏图 瑞景 嘉园 明珠 滨河 运河 府前 学府 颐和 南湖 北塘"
)
_COMPOUND_TAILS_URBAN = "花园 新村 小区 苑 家园 公寓 名苑 雅苑 嘉园 华府 佳苑 世家"
_ROAD_HEADS = (
    "人民 解放 中山 建设 文化 健康 和平 胜利 新华 光明 友谊 民主 团结 长江 黄河 复兴 "
    "东风 朝阳 迎宾 育才 振兴 兴业 滨江 环城 工农 青年 红星 富民 通江 学前"
)
_ROAD_TAILS = "路 街 大道 巷 路 路 街"


def compound_name(rng: random.Random, used: set[str]) -> str:
    heads, tails = _COMPOUND_HEADS.split(), _COMPOUND_TAILS_URBAN.split()
    for _ in range(20):
        name = rng.choice(heads) + rng.choice(tails)
        if name not in used:
            used.add(name)
            return name
    name = f"{rng.choice(heads)}{rng.choice(tails)}{len(used) + 1}期"
    used.add(name)
    return name


def road_name(rng: random.Random) -> str:
    return rng.choice(_ROAD_HEADS.split()) + rng.choice(_ROAD_TAILS.split())


CHINESE_NUMERALS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1..99 as Chinese numerals (第十二网格); larger numbers stay Arabic."""
    if n >= 100:
        return str(n)
    if n < 10:
        return CHINESE_NUMERALS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CHINESE_NUMERALS[tens]
    return head + "十" + (CHINESE_NUMERALS[ones] if ones else "")


_SHOP_GOODS = (
    "便利店 超市 面馆 早餐店 水果店 理发店 药房 五金店 粮油店 生鲜店 包子铺 干洗店 茶叶店 "
    "快餐店 烟酒店 手机维修店 文具店 母婴店 花店 眼镜店 修车铺 服装店 烘焙坊 菜馆"
)
_FIRM_WORDS = (
    "恒达 鑫源 华瑞 盛世 宏远 嘉诚 德信 汇丰 中天 新航 瑞丰 博远 金诺 联创 永泰 海纳 天成 "
    "安达 富华 润和 卓越 开元 鸿运 信达 同创 众合 锦程 拓新 优品 智联"
)
_FIRM_TRADES = (
    "科技 电子 机械 纺织 建材 贸易 物流 餐饮管理 信息技术 文化传媒 装饰工程 医疗器械 "
    "食品 服装 新材料 环保科技 家政服务 商贸 电气 软件"
)


def shop_name(rng: random.Random) -> str:
    goods = rng.choice(_SHOP_GOODS.split())
    style = rng.random()
    if style < 0.4:
        return f"{SURNAMES.pick(rng)}记{goods}"
    if style < 0.7:
        return f"{rng.choice(_FIRM_WORDS.split())}{goods}"
    return f"{rng.choice(_ROAD_HEADS.split())}{goods}"


def firm_name(rng: random.Random, place: str) -> str:
    return f"{place}{rng.choice(_FIRM_WORDS.split())}{rng.choice(_FIRM_TRADES.split())}有限公司"


def property_company_name(rng: random.Random, prefecture: str) -> str:
    return f"{prefecture.removesuffix('市')}{rng.choice(_FIRM_WORDS.split())}物业服务有限公司"


# Organs of a district government that take responsibility areas (包保单位).
DISTRICT_ORGANS = (
    "区委组织部",
    "区委宣传部",
    "区委政法委",
    "区民政局",
    "区住房和城乡建设局",
    "区市场监督管理局",
    "区卫生健康委员会",
    "区城市管理局",
    "区应急管理局",
    "区人力资源和社会保障局",
    "区教育局",
    "区司法局",
    "区财政局",
    "区生态环境局",
    "区退役军人事务局",
    "区税务局",
)
PUBLIC_INSTITUTIONS = ("小学", "中学", "幼儿园", "社区卫生服务中心", "文化站", "养老服务中心")
SOCIAL_ORGS = ("老年协会", "志愿者协会", "文体协会", "调解协会", "慈善工作站")


def organ_name(district_name: str, organ: str) -> str:
    """区民政局 of 梁溪区 -> 梁溪区民政局; of 凤冈县 -> 凤冈县民政局."""
    return district_name + organ.removeprefix("区")
