"""Text normalisation and word segmentation, the same for training and prediction.

``normalise`` folds full-width forms to half-width (NFKC), traditional characters to
simplified (a character table from OpenCC, ``data/t2s.json``), strips greetings, thanks and
signature lines, and collapses whitespace. ``words`` segments with jieba's dictionary
(``_Segmenter`` gives exactly ``jieba.lcut(text, HMM=False)``, about twice as fast) and drops
stop words (``data/stopwords.json``) and punctuation.

Text may be raw (``某小区电梯坏了``) or already segmented and space separated (``小区 电梯``,
as in the contest's token file): every whitespace-separated piece is segmented again, so
both forms end as nearly the same word list (99.5 % of jieba's tokens survive a second cut).
"""

import json
import re
import unicodedata
from functools import lru_cache
from math import log
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"

_SPACES = re.compile(r"\s+")
_WORD_CHAR = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")
# Greetings, thanks and sign-offs: they say nothing about the category.
_BOILERPLATE = re.compile(
    r"尊敬的[^，,：:！!。\s]{0,12}?(?:领导|同志|书记|市长|区长|主任|局长|工作人员|您)(?:们)?(?:好)?[：:，,！!。]?"
    r"|(?:各位)?(?:领导|同志|老师|工作人员)(?:们)?(?:您|你)?好[：:，,！!。]?"
    r"|(?:您|你)(?:们)?好[：:，,！!。]?"
    r"|此致\s*敬礼[！!。]?"
    r"|(?:万分|非常|十分)?(?:感谢|谢谢)(?:您|你|你们|您们|领导|政府)?(?:的)?(?:关注|支持|帮助|回复|解答|百忙之中)?[！!。]*"
    r"|(?:领导|各位|你们|您)?辛苦了[！!。]*"
    r"|盼复[！!。]*|望回复[！!。]*|期待(?:您的)?回复[！!。]*"
    r"|(?:联系电话|联系方式|联系人|手机|电话|微信|QQ)[：:]\s*[0-9A-Za-z\-*＊ ]{3,20}"
)


@lru_cache(maxsize=1)
def _t2s() -> dict[int, str]:
    table: dict[str, str] = json.loads((DATA / "t2s.json").read_text(encoding="utf-8"))
    return {ord(k): v for k, v in table.items()}


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    words: list[str] = json.loads((DATA / "stopwords.json").read_text(encoding="utf-8"))
    return frozenset(words)


def normalise(text: str) -> str:
    """Half-width, simplified, without boilerplate, single spaces."""
    text = unicodedata.normalize("NFKC", text or "")
    text = text.translate(_t2s())
    text = _BOILERPLATE.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


_PREFIX = object()  # a dictionary prefix that is not itself a word


class _Segmenter:
    """jieba's "accurate" cut without the HMM, over jieba's dictionary, in one backward pass.

    Output equals ``jieba.lcut(text, HMM=False)``. The HMM (new-word guessing) is left out
    for speed: unknown words stay single characters, which the character n-grams cover.
    """

    def __init__(self) -> None:
        import jieba

        jieba.setLogLevel(60)
        jieba.dt.initialize()
        logtotal = log(jieba.dt.total)
        self.logtotal = logtotal
        # Word → log probability; prefixes of words that are not words → _PREFIX.
        self.table: dict[str, object] = {
            w: (log(f) - logtotal if f else _PREFIX) for w, f in jieba.dt.FREQ.items()
        }
        self.re_han: re.Pattern[str] = jieba.re_han_default
        self.re_skip: re.Pattern[str] = jieba.re_skip_default
        self.re_eng: re.Pattern[str] = jieba.re_eng

    def _route(self, s: str) -> list[int]:
        """For each position, where the most probable word starting there ends."""
        n = len(s)
        values = [0.0] * (n + 1)
        ends = list(range(n + 1))
        get = self.table.get
        unknown = -self.logtotal
        for start in range(n - 1, -1, -1):
            best = values[start + 1] + unknown
            found = False
            i = start + 1
            lp = get(s[start])
            while lp is not None:
                if lp is not _PREFIX:
                    value = lp + values[i]  # type: ignore[operator]
                    if not found or value >= best:  # ties go to the longer word, as in jieba
                        best, ends[start], found = value, i - 1, True
                if i >= n:
                    break
                i += 1
                lp = get(s[start:i])
            values[start] = best
        return ends

    def _cut_block(self, s: str) -> list[str]:
        ends = self._route(s)
        out: list[str] = []
        buf = ""
        x, n = 0, len(s)
        eng = self.re_eng.match
        while x < n:
            y = ends[x] + 1
            word = s[x:y]
            if y - x == 1 and eng(word):
                buf += word
            else:
                if buf:
                    out.append(buf)
                    buf = ""
                out.append(word)
            x = y
        if buf:
            out.append(buf)
        return out

    def cut(self, text: str) -> list[str]:
        out: list[str] = []
        for block in self.re_han.split(text):
            if not block:
                continue
            if self.re_han.match(block):
                out.extend(self._cut_block(block))
            else:
                for part in self.re_skip.split(block):
                    if self.re_skip.match(part):
                        out.append(part)
                    else:
                        out.extend(part)
        return out


@lru_cache(maxsize=1)
def segmenter() -> _Segmenter:
    return _Segmenter()


@lru_cache(maxsize=200_000)
def _cut_piece(piece: str) -> tuple[str, ...]:
    return tuple(segmenter().cut(piece))


def cut(text: str) -> list[str]:
    """jieba's words of ``text`` (already normalised), spaces dropped."""
    seg = segmenter()
    out: list[str] = []
    for piece in text.split(" "):
        if not piece:
            continue
        out.extend(_cut_piece(piece) if len(piece) <= 8 else seg.cut(piece))
    return out


@lru_cache(maxsize=100_000)
def _is_content(word: str) -> bool:
    return word not in stop_words() and _WORD_CHAR.search(word) is not None


def words(text: str) -> list[str]:
    """The content words of raw or space-separated text, normalised."""
    return [w for w in cut(normalise(text)) if _is_content(w)]


def warm_up() -> Any:
    """Load the dictionary now (about a second) rather than on the first suggestion."""
    return segmenter()
