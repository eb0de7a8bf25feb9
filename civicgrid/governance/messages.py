"""Hot issues of an external file of messages (``hot_messages.csv`` of the shared data).

Columns ``id,user,subject,time,detail,against,likes``; the place is only in the text
("A市A5区魅力之城小区…"), so all messages form one block; two messages that name
different districts ("A5区") are never linked, and two messages must name the same compound,
road or village (``text.place_names``) to be linked.
The requester is ``user``; votes are ``likes`` (up-votes of the message board).
"""

import csv
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
from django.utils.translation import gettext as _

from civicgrid.governance import engine, text


@dataclass
class Message:
    id: str
    user: str
    subject: str
    detail: str
    at: datetime
    likes: int
    against: int


@dataclass
class MessageIssue:
    rank: int
    heat: float
    count: int
    requesters: int
    votes: int
    label: str
    keywords: list[str]
    places: list[str]
    first: datetime
    last: datetime
    messages: list[Message]


def _time(raw: str) -> datetime:
    for fmt in ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d"):
        try:
            return datetime.strptime(raw.strip(), fmt)
        except ValueError:
            continue
    raise ValueError(_("无法识别的时间：{raw}").format(raw=raw))


def _int(raw: str) -> int:
    try:
        return int(float(raw or 0))
    except ValueError:
        return 0


def read_messages(path: str | Path) -> list[Message]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [
            Message(
                id=row["id"],
                user=row["user"],
                subject=row["subject"] or "",
                detail=row["detail"] or "",
                at=_time(row["time"]),
                likes=_int(row["likes"]),
                against=_int(row["against"]),
            )
            for row in csv.DictReader(f)
        ]


def _merge(named: list[str], known: list[str]) -> list[str]:
    return [*named, *(k for k in known if not any(k in n for n in named))]


def corpus_of(messages: list[Message]) -> engine.Corpus:
    districts: dict[str, int] = {"": -1}
    area = np.array(
        [
            districts.setdefault(text.district_of(m.subject + m.detail[:200]), len(districts))
            for m in messages
        ],
        dtype=np.int64,
    )
    named = [text.place_names(m.subject) + text.place_names(m.detail[:200]) for m in messages]
    known = text.KnownPlaces(
        name for name, n in Counter(n for row in named for n in set(row)).items() if n >= 2
    )
    places = [
        _merge(text.place_names(m.subject), known.find(m.subject))
        or _merge(text.place_names(m.detail[:200]), known.find(m.detail[:200]))
        for m in messages
    ]
    ids = [[text.term_id(w) for w in text.request_words(m.subject, m.detail)] for m in messages]
    damped = np.array(sorted({text.term_id(w) for w in known.words()}), dtype=np.uint32)
    ptr = np.zeros(len(ids) + 1, dtype=np.int64)
    np.cumsum([len(x) for x in ids], out=ptr[1:])
    flat = np.fromiter((t for row in ids for t in row), dtype=np.uint32, count=int(ptr[-1]))
    nan = np.full(len(messages), np.nan)
    return engine.Corpus(
        block=np.zeros(len(messages), dtype=np.int64),
        area=area,
        group=np.zeros(len(messages), dtype=np.int64),
        at=np.array([m.at.timestamp() for m in messages], dtype=np.float64),
        lon=nan,
        lat=nan.copy(),
        term_ptr=ptr,
        term_ids=flat,
        places=places,
        damped=damped,
    )


# Messages of a board span years; a problem lives for months, so the window is wider. The
# file is one block of a few thousand messages: compared exhaustively.
MESSAGE_PARAMS = engine.Params(similarity=0.3, window_days=120.0, min_size=3, exact_block=20_000)


def message_hot_issues(
    messages: list[Message], *, top: int = 20, params: engine.Params = MESSAGE_PARAMS
) -> list[MessageIssue]:
    corpus = corpus_of(messages)
    result = engine.cluster(corpus, params)
    issues = []
    for c in result.clusters:
        members = [messages[i] for i in c.members]
        votes = sum(max(m.likes - m.against, 0) for m in members)
        places = [p for i in c.members for p in (corpus.places or [[]] * corpus.n)[i][:1]]
        keywords = engine.term_words(c.top_terms[:5], [m.subject for m in members], text.words)
        issues.append(
            MessageIssue(
                rank=0,
                heat=engine.heat(
                    count=len(members),
                    previous=None,
                    requesters=len({m.user for m in members}),
                    unsatisfied_share=0.0,
                    votes=votes,
                ),
                count=len(members),
                requesters=len({m.user for m in members}),
                votes=votes,
                label=members[0].subject,
                keywords=keywords,
                places=sorted(set(places), key=places.index),
                first=min(m.at for m in members),
                last=max(m.at for m in members),
                messages=members,
            )
        )
    issues.sort(key=lambda x: (-x.heat, -x.count, x.label))
    for rank, issue in enumerate(issues[:top], start=1):
        issue.rank = rank
    return issues[:top]
