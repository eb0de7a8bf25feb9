"""Text for hot issues: normalise, cut into words (jieba), hash words to ids, find place names.

Terms are hashed to 32-bit ids with CRC-32 (stable across processes and machines, unlike
Python's ``hash``) so that they can be stored once per request (``RequestTerms``) and read
back as a packed array. The title counts twice: it names the problem most plainly.
"""

import re
import unicodedata
import zlib
from collections.abc import Iterable
from functools import lru_cache

import numpy as np

MAX_TERMS = 64  # terms kept per request (title twice, then the content)
CONTENT_CHARS = 300  # long letters: the first paragraph says what and where

# Function words, polite formulas and hotline boilerplate: they say nothing about the problem.
_STOP_TEXT = """
    的 了 是 在 和 与 及 或 也 都 就 还 又 而 但 并 被 把 让 给 对 向 从 到 为 以 于 上 下 中 里 内 外
    我 我们 我家 本人 你 你们 您 您好 他 他们 她 它 其 这 这个 这些 那 那个 那些 此 该 各 每 某
    有 没有 没 无 不 很 非常 特别 太 更 最 已 已经 一直 一些 一个 一下 多次 几次 目前 现在 今年 去年
    请 请问 希望 恳请 盼 望 麻烦 尽快 及时 赶紧 马上 谢谢 感谢 拜托 能否 能不能 是否 可以 能 会 要 想
    反映 反应 投诉 举报 咨询 建议 求助 问题 情况 事情 相关 有关 关于 部门 领导 政府 书记 市长 市民 网友
    处理 解决 落实 回复 答复 关注 重视 帮助 帮忙 协调 核实 查处 整改 监管 管理 工作 进行 存在 导致
    严重 影响 造成 出现 发生 需要 应该 应当 如何 怎么 怎么办 为什么 什么 哪里 多少 时候 时间 期间
    以及 并且 而且 因为 所以 如果 虽然 但是 然后 同时 之前 之后 以后 以来 左右 附近 周边 一带
    年 月 日 号 天 小时 分钟 元 个 次 位 家 人 户 栋 楼 单元 室
    民生 诉求 民生诉求 诉求人 来电 来电人 反馈 表示 提出 要求 上报 网格 网格员 巡查 发现 现场 记录
    居民 群众 百姓 老百姓 住户 社区 小区
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())

# What the system writes around a person's words (``gridwork.services.findings._report``):
# the bracketed channel tag and the finding's category before a grid worker's title
# ("【网格员上报】民生诉求：…") and the closing note of its content ("（网格员巡查发现，发现时间：…）").
# They say who filed it and when, not what the problem is: two unrelated reports shared them.
_TITLE_TAG = re.compile(r"^\s*【[^】]{0,20}】\s*(?:[^\s：:【】]{1,10}[：:])?")
_TAG = re.compile(r"【[^】]{0,20}】")
_SYSTEM_NOTE = re.compile(
    r"[（(]\s*网格员巡查(?:时再次)?发现[^）)]{0,60}[）)]"
)  # i18n: data (findings.py's note)


def strip_boilerplate(title: str, content: str) -> tuple[str, str]:
    """``title`` and ``content`` without what the system wrote around the person's words."""
    title = _TAG.sub(" ", _TITLE_TAG.sub(" ", title or ""))
    content = _TAG.sub(" ", _SYSTEM_NOTE.sub(" ", content or ""))
    return title, content


_SPACES = re.compile(r"\s+")
_KEEP = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_DIGITS = re.compile(r"^[0-9.%]+$")


def normalise(text: str) -> str:
    """Full-width to half-width (NFKC), lower case, one space for any run of whitespace."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text or "")).strip().lower()


@lru_cache(maxsize=1)
def _jieba() -> object:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def words(text: str) -> list[str]:
    """Meaningful words of ``text``: jieba's precise mode, no HMM (stable, twice as fast)."""
    jieba = _jieba()
    found = []
    for word in jieba.lcut(normalise(text), HMM=False):  # type: ignore[attr-defined]
        word = word.strip()
        if len(word) < 2:
            continue
        if word in STOP_WORDS or _DIGITS.match(word) or not _KEEP.search(word):
            continue
        found.append(word)
    return found


# A run of what jieba keeps together (its ``re_han_default``): a word never crosses its ends.
_RUN = re.compile(r"[\u4e00-\u9fd5a-z0-9+#&._%\-]+")
LONGEST_WORD = 16  # characters; longer words are not named


def candidate_words(text: str) -> list[str]:
    """Every piece of ``text`` that ``words`` could return: the substrings of 2 to
    ``LONGEST_WORD`` characters of each run jieba keeps together, with its filters.

    To name a word again from its id (``engine.term_words``) without jieba: loading its
    dictionary costs a second in a fresh process, and the word a hash stands for is one of
    these pieces of the texts it came from (another piece with the same CRC-32 is a chance of
    about one in 10⁷ per word named).
    """
    found = []
    for run in _RUN.findall(normalise(text)):
        for start in range(len(run) - 1):
            for end in range(start + 2, min(start + LONGEST_WORD, len(run)) + 1):
                word = run[start:end]
                if word in STOP_WORDS or _DIGITS.match(word) or not _KEEP.search(word):
                    continue
                found.append(word)
    return found


def term_id(word: str) -> int:
    return zlib.crc32(word.encode("utf-8"))


def request_words(title: str, content: str, place: str = "", drop: frozenset[str] = frozenset()) -> list[str]:
    """The words of a request: the title twice, then the start of the content, both without
    the system's own wording (``strip_boilerplate``).

    Words of ``place`` (the address) and ``drop`` (names of places known elsewhere) are left
    out: where a request is, is the block's and the place check's business; similarity of
    the words should say whether two requests are about the same *problem*.
    """
    left_out = drop | set(words(place)) if place else drop
    title, content = strip_boilerplate(title, content)
    head = [w for w in words(title) if w not in left_out]
    body = [w for w in words((content or "")[:CONTENT_CHARS]) if w not in left_out]
    return [*head, *head, *body][:MAX_TERMS]


def pack(ids: Iterable[int]) -> bytes:
    return np.fromiter(ids, dtype="<u4").tobytes()


def unpack(blob: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(blob), dtype="<u4")


def request_terms(title: str, content: str, place: str = "") -> bytes:
    return pack(term_id(w) for w in request_words(title, content, place))


# Place names in free text (for messages without a territory node, e.g. hot_messages.csv) ----

# A name ends with one of these (a compound, a village, a road, a school ...).
PLACE_SUFFIXES = (
    "小区|花园|家园|公寓|新城|新村|社区|大厦|广场|华府|山庄|公馆|名苑|雅苑|苑|府|湾|城|园"
    "|村|镇|乡|街道|大道|路|街|巷|学院|大学|中学|小学|幼儿园|医院|市场|公司|车贷"
)
_PLACE = re.compile(rf"([\u4e00-\u9fffA-Za-z0-9]{{1,10}}?(?:{PLACE_SUFFIXES}))")
# Words that often stand before a name; the name starts after the last of them.
_LEAD = re.compile(
    r"^.*(?:反映|投诉|举报|咨询|关于|请问|建议|我是|我们|位于|住在|地处|座落在|坐落在|靠近|对面|旁边"
    r"|[市区县省]|的|在|了|是|和|与|及|对|把|被|从|到|给|为|请|严重|附近)"
)
_DISTRICT = re.compile(r"([A-Z]\d{1,2})[区县]")
_GENERIC = frozenset({"小区", "社区", "城", "园", "路", "街", "村", "镇", "公司", "学校", "医院", "市场"})


def _trim(name: str) -> str:
    trimmed = _LEAD.sub("", name)
    return trimmed if len(trimmed) >= 2 else name


def place_names(text: str) -> list[str]:
    """Names of compounds, roads, villages, schools … in the order they appear (no duplicates)."""
    text = normalise(text).upper()
    text = re.sub(r"[A-Z]市", " ", text)
    text = _DISTRICT.sub(" ", text)
    found: list[str] = []
    for raw in _PLACE.findall(text):
        name = _trim(raw)
        if len(name) < 3 or name in _GENERIC or name in found:
            continue
        found.append(name)
    return found


_SUFFIX_ONLY = re.compile(r"(?:小区|社区|一期|二期|三期|四期)+$")


def place_core(name: str) -> str:
    """The proper part of a name: "南山十里天池小区" → "南山十里天池"."""
    core = _SUFFIX_ONLY.sub("", name)
    return core if len(core) >= 3 else name


class KnownPlaces:
    """Cores of the place names found in a corpus, looked for again in every text.

    A message that says only "南山十里天池门前有土堆" names no place by suffix, but another
    message named "南山十里天池小区": the core is found by scanning the text once (cores
    are indexed by their first two characters).
    """

    def __init__(self, names: Iterable[str]) -> None:
        self.by_start: dict[str, set[str]] = {}
        for name in names:
            core = place_core(name)
            if len(core) >= 3:
                self.by_start.setdefault(core[:2], set()).add(core)

    def find(self, text: str) -> list[str]:
        text = normalise(text).upper()
        found: list[str] = []
        for i in range(len(text) - 2):
            for core in self.by_start.get(text[i : i + 2], ()):
                if text.startswith(core, i) and core not in found:
                    found.append(core)
        return found

    def words(self) -> frozenset[str]:
        return frozenset(w for cores in self.by_start.values() for c in cores for w in words(c))


def district_of(text: str) -> str:
    """ "A5" for "A市A5区…"; "" when the text names no district."""
    found = _DISTRICT.search(normalise(text).upper())
    return found.group(1) if found else ""
