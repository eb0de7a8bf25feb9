"""The knowledge base of policy answers (知识库) that consultations are answered from.

Consultations are more than half of a hotline's contacts. The operator searches as they
type (``knowledge_search``); one click puts the answer in the form and "直接办结" answers
and closes the request, counting the use (``saved_answer_used``), so that answers used
often float up. ``knowledge_import`` loads official replies (a CSV of subject, reply and
reply time, such as the public ``replies.csv``), taking the issuing office from the text.
"""

import gzip
import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext

from civicgrid.core.audit import audit_write
from civicgrid.core.errors import ValidationError
from civicgrid.exchange.cells import parse_date
from civicgrid.exchange.importers.base import date_cell_reason
from civicgrid.requests.history_import.reader import DateText, table_records
from civicgrid.requests.models import Category, SavedAnswer

DEMO_FILE = Path(__file__).parent / "defaults" / "knowledge.json.gz"
SEARCH_CANDIDATES = 300
# A government office named in a reply: "A市住房和城乡建设局", "A7县泉塘街道办事处",
# "安沙镇人民政府" (but not "我局", "贵单位": those name no one).
OFFICE = re.compile(
    r"((?:[A-Z]\d{0,2}[市区县]|[市县区])[\u4e00-\u9fa5]{1,14}?"
    r"(?:局|委员会|街道办事处|人民政府|政府|中心|管委会)"
    r"|[\u4e00-\u9fa5]{2,6}(?:街道办事处|镇人民政府|乡人民政府|镇政府))"
)
GREETING = re.compile(
    r"^(?:网友[：:]?[“\"][^”\"]{0,30}[”\"][：:]?\s*)?[^。！!]{0,30}?(?:您好|你好)[！!，,：:]?\s*"
    r"|^(?:您的)?留言(?:已)?收悉[。，,]?\s*(?:现将有关情况回复如下[：:])?\s*"
)
TRAILING_DATE = re.compile(r"[\s\u3000\xa0]*\d{4}年\d{1,2}月\d{1,2}日[\s\u3000\xa0]*$")


@dataclass(frozen=True)
class Found:
    answer: SavedAnswer
    score: float


def _clean(text: str) -> str:
    return re.sub(r"[\s\u3000\xa0]+", " ", text).strip()


def office_of(reply: str, default: str = "") -> str:
    """The office that signed a reply: the last office named in its closing lines, else the
    first named anywhere ("我镇", "我局" say nothing and are skipped)."""
    tail = reply[-120:]
    for text in (tail, reply):
        # i18n: data (characters of pronouns, not text)
        names = [m for m in OFFICE.findall(text) if not any(c in m for c in "我您贵该经对")]
        if names:
            return names[-1 if text is tail else 0][:100]
    return default


def answer_text(reply: str) -> str:
    """The reply without the greeting to the writer and the trailing date."""
    text = TRAILING_DATE.sub("", _clean(reply))
    for _ in range(2):  # "网友：您好！" then "您的留言已收悉。现将有关情况回复如下："
        text = GREETING.sub("", text, count=1)
    return text.strip(" ，,")


@dataclass(frozen=True)
class KnowledgeRow:
    source_ref: str
    title: str
    content: str
    office: str
    issued_on: date | None


# Chinese column headers a user's own file may have, for the columns of ``replies.csv``.
HEADER_ALIASES = {
    "编号": "id",
    "标题": "subject",
    "主题": "subject",
    "答复": "reply",
    "答复内容": "reply",
    "回复内容": "reply",
    "答复时间": "reply_time",
    "回复时间": "reply_time",
}


def rows_from_replies(path: Path) -> Iterator[KnowledgeRow]:
    """Rows of a .csv/.txt (UTF-8, GBK or UTF-16) or .xlsx with the columns ``id, subject,
    reply, reply_time`` (as ``replies.csv``, or their Chinese names ``HEADER_ALIASES``), a
    title row above the header passed over; an id seen before in the file is left out.
    A date cell of an .xlsx outside the reply time (an id or subject such as 3-1 that Excel
    turned into a date) refuses the file, naming its row and column (``date_cell_reason``)."""
    known = [*HEADER_ALIASES, *HEADER_ALIASES.values()]
    header, records = table_records(path.name, path.read_bytes(), known=known)
    typed = {HEADER_ALIASES.get(h, h): h for h in header}  # column -> the header as in the file
    header = [HEADER_ALIASES.get(h, h) for h in header]
    records = ((n, {HEADER_ALIASES.get(k, k): v for k, v in row.items()}) for n, row in records)
    missing = [c for c in ("subject", "reply") if c not in header]
    if missing:
        present = "、".join(filter(None, header))
        raise ValidationError(
            gettext("缺少列：{missing}（有：{present}）").format(missing="、".join(missing), present=present),
            field="file",
        )
    seen: set[str] = set()
    for line, row in records:
        for column in ("id", "subject", "reply"):
            if type(row.get(column)) is DateText:
                raise ValidationError(
                    gettext("第{row}行：{reason}").format(row=line, reason=date_cell_reason(typed[column])),
                    field="file",
                )
        content = answer_text(row.get("reply") or "")
        source_ref = f"{path.name}:{row.get('id') or line}"[:64]
        if not content or not (row.get("subject") or "").strip() or source_ref in seen:
            continue
        seen.add(source_ref)
        yield KnowledgeRow(
            source_ref=source_ref,
            title=_clean(row["subject"])[:200],
            content=content,
            # i18n: data (stored as the answer's office)
            office=office_of(row["reply"], default="市政务服务平台"),
            issued_on=_date(row.get("reply_time") or ""),
        )


def _date(raw: str) -> date | None:
    """The day of a reply time as every import reads dates (``exchange.cells.parse_date``:
    2019/3/5 10:11, 2019年3月5日, 2019.03.05, an Excel serial number…); None when it is none."""
    if not raw.strip():
        return None
    try:
        return parse_date(raw)
    except ValueError:
        return None


def knowledge_import(*, actor: Any, rows: Iterable[KnowledgeRow]) -> int:
    """Add the rows not yet imported (by source reference); one audit row. Returns how many."""
    rows = list(rows)
    with transaction.atomic():
        known = set(
            SavedAnswer.objects.filter(source_ref__in=[r.source_ref for r in rows]).values_list(
                "source_ref", flat=True
            )
        )
        # The same answer under another reference (a renamed copy of a file) is there already.
        texts = set(
            SavedAnswer.objects.filter(title__in={r.title for r in rows}).values_list("title", "content")
        )
        new = []
        for r in rows:
            if r.source_ref in known or (r.title, r.content) in texts:
                continue
            known.add(r.source_ref)
            texts.add((r.title, r.content))
            new.append(
                SavedAnswer(
                    title=r.title,
                    content=r.content,
                    office=r.office,
                    issued_on=r.issued_on,
                    source_ref=r.source_ref,
                    keywords=" ".join(keywords_of(r.title)),
                )
            )
        SavedAnswer.objects.bulk_create(new, batch_size=500)
        audit_write(
            actor=actor,
            verb="requests.knowledge_imported",
            target_label=gettext("知识库"),
            after={"added": len(new)},
        )
    return len(new)


def demo_rows(limit: int | None = None) -> list[KnowledgeRow]:
    """The bundled slice of official replies the demo's knowledge base starts with."""
    with gzip.open(DEMO_FILE, "rt", encoding="utf-8") as f:
        raw = json.load(f)
    rows = [KnowledgeRow(**{**r, "issued_on": _date(r["issued_on"] or "")}) for r in raw]
    return rows[:limit] if limit else rows


@lru_cache(maxsize=4096)
def keywords_of(text: str, top: int = 6) -> tuple[str, ...]:
    """The longest distinct words of a text (jieba), for the search and the keyword column."""
    import jieba

    jieba.setLogLevel(logging.WARNING)  # its own handler prints the dictionary's loading at DEBUG
    words = {w for w in jieba.lcut(text) if len(w) >= 2 and not w.isdecimal()}
    return tuple(sorted(words, key=lambda w: (-len(w), w))[:top])


def knowledge_search(q: str, category: Category | None = None, limit: int = 10) -> list[Found]:
    """Active answers matching the words of ``q`` (title and keywords count double), those
    of the request's category first, then the most used; with no words, the category's."""
    words = keywords_of(q.strip()) if q.strip() else ()
    code = category.code if category else ""
    qs = SavedAnswer.objects.filter(is_active=True)
    if words:
        match = Q()
        for w in words:
            match |= Q(title__icontains=w) | Q(keywords__icontains=w) | Q(content__icontains=w)
        qs = qs.filter(match)
    elif code:
        qs = qs.exclude(category_prefix="")
    else:
        return []
    found = []
    for a in qs.order_by("-use_count", "-issued_on", "id")[:SEARCH_CANDIDATES]:
        in_category = bool(a.category_prefix) and code.startswith(a.category_prefix)
        if not words and not in_category:
            continue
        head = f"{a.title} {a.keywords}"
        score = sum(2 if w in head else 1 for w in words if w in head or w in a.content)
        found.append(Found(a, score + (3 if in_category else 0)))
    found.sort(key=lambda f: (-f.score, -f.answer.use_count))
    return found[:limit]


def saved_answer_used(answer_id: int) -> None:
    """Count one use of an answer (in the caller's transaction; no read-modify-save)."""
    SavedAnswer.objects.filter(pk=answer_id).update(use_count=F("use_count") + 1, last_used_at=timezone.now())
