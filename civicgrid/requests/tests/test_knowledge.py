"""The knowledge base: official replies imported, searched as the operator types, used answers float up."""

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from civicgrid.core.errors import ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.requests.knowledge import (
    answer_text,
    demo_rows,
    knowledge_import,
    knowledge_search,
    office_of,
    rows_from_replies,
)
from civicgrid.requests.models import Request, RequestEvent, SavedAnswer

pytestmark = pytest.mark.django_db
REPLIES = Path(__file__).resolve().parents[4] / "shared" / "data" / "messages" / "replies.csv"


def test_office_and_text_are_read_from_a_reply() -> None:
    reply = (
        "网友“UU008”：您好！您的留言已收悉。现将有关情况回复如下："
        "公交卡可在全市建行网点充值。感谢您的支持。A市交通运输局 2018年3月19日"
    )
    assert office_of(reply) == "A市交通运输局"
    assert answer_text(reply) == "公交卡可在全市建行网点充值。感谢您的支持。A市交通运输局"
    assert office_of("感谢您对我局工作的支持", default="市政务服务平台") == "市政务服务平台"


def test_import_is_idempotent_and_audited(tmp_path: Path) -> None:
    csv = tmp_path / "replies.csv"
    csv.write_text(
        "id,user,subject,time,detail,reply,reply_time\n"
        "1,u,医保异地报销怎么办理,2019/1/1 9:00:00,问,"
        "您好！异地就医须先备案。A市医疗保障局,2019/1/9 10:00:00\n"
        "2,u,,2019/1/1 9:00:00,问,没有标题的不导入,2019/1/9 10:00:00\n",
        encoding="utf-8",
    )
    rows = list(rows_from_replies(csv))
    assert len(rows) == 1 and rows[0].office == "A市医疗保障局" and str(rows[0].issued_on) == "2019-01-09"
    assert knowledge_import(actor=None, rows=rows) == 1
    assert knowledge_import(actor=None, rows=rows) == 0
    assert SavedAnswer.objects.get().source_ref == "replies.csv:1"
    assert AuditLog.objects.filter(verb="requests.knowledge_imported").count() == 2


def test_gbk_xlsx_chinese_headers_repeated_ids_and_renamed_copies(tmp_path: Path) -> None:
    """Files as offices have them: GBK, Excel, Chinese headers; an id twice in a file and a
    renamed copy of a file imported before add nothing twice; an empty file is an error."""
    from openpyxl import Workbook

    gbk = tmp_path / "答复.csv"
    gbk.write_bytes(
        (
            "编号,标题,答复内容,答复时间\n"
            "7,公交卡充值,网友您好！公交卡可在建行网点充值。A市交通运输局,2019-01-09\n"
            "7,公交卡充值,网友您好！公交卡可在建行网点充值。A市交通运输局,2019-01-09\n"
        ).encode("gbk")
    )
    rows = list(rows_from_replies(gbk))
    assert [(r.source_ref, r.title, str(r.issued_on)) for r in rows] == [
        ("答复.csv:7", "公交卡充值", "2019-01-09")
    ]
    assert knowledge_import(actor=None, rows=rows) == 1
    book = Workbook()
    book.active.append(["id", "subject", "reply"])
    book.active.append([7, "公交卡充值", "网友您好！公交卡可在建行网点充值。A市交通运输局"])
    book.active.append([8, "医保备案", "异地就医须先备案。B市医疗保障局"])
    copy = tmp_path / "renamed.xlsx"
    book.save(copy)
    assert knowledge_import(actor=None, rows=rows_from_replies(copy)) == 1  # only id 8 is new
    assert SavedAnswer.objects.count() == 2
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ValidationError, match="文件是空的"):
        list(rows_from_replies(empty))


@pytest.mark.skipif(not REPLIES.is_file(), reason="shared data not present")
def test_the_public_replies_import_with_offices_and_dates() -> None:
    rows = list(rows_from_replies(REPLIES))
    assert len(rows) > 2500
    assert sum(r.issued_on is not None for r in rows) > 0.99 * len(rows)
    assert sum(r.office != "市政务服务平台" for r in rows) > 0.3 * len(rows)


def test_search_cuts_words_and_used_answers_float_up(hotline: Any) -> None:
    knowledge_import(actor=None, rows=demo_rows(limit=200))
    a = SavedAnswer.objects.create(title="医保异地报销备案", content="异地就医须先备案，再按比例报销。")
    b = SavedAnswer.objects.create(title="医保报销比例", content="职工医保在一级医院报销90%。")
    found = [f.answer for f in knowledge_search("医保报销")]
    assert {a, b} <= set(found[:5])
    SavedAnswer.objects.filter(pk=a.pk).update(use_count=9)
    found = [f.answer for f in knowledge_search("医保报销")]
    assert found.index(a) < found.index(b)
    assert knowledge_search("") == []


def test_direct_close_with_a_saved_answer_counts_its_use(client: Client, hotline: Any) -> None:
    answer = SavedAnswer.objects.create(title="医保报销比例", content="职工医保在一级医院报销90%。")
    client.force_login(hotline.city.olivia)
    found = client.get("/api/v1/requests/knowledge", {"q": "医保报销"}).json()
    assert found[0]["id"] == answer.pk and found[0]["use_count"] == 0
    created = client.post(
        "/api/v1/requests/",
        {
            "channel": "hotline",
            "type": "consultation",
            "title": "医保报销",
            "content": "报销比例多少",
            "requester_phone": "13812345678",
        },
        content_type="application/json",
    ).json()
    closed = client.post(
        f"/api/v1/requests/{created['id']}/direct-close",
        {"answer": answer.content, "saved_answer_id": answer.pk},
        content_type="application/json",
    )
    assert closed.status_code == 200, closed.content
    answer.refresh_from_db()
    assert answer.use_count == 1 and answer.last_used_at is not None
    event = RequestEvent.objects.get(request_id=created["id"], action="direct_close")
    assert event.data == {"saved_answer": answer.pk}
    assert Request.objects.get(pk=created["id"]).status == "closed"


def test_knowledge_search_needs_the_intake_capability(client: Client, hotline: Any) -> None:
    client.force_login(hotline.hank)
    assert client.get("/api/v1/requests/knowledge", {"q": "医保"}).status_code == 403
