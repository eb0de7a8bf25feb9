"""The request API's integer fields, its intake answer's times and bulk sign-for's repeats.

JSON ``true`` was taken as the id or version 1 (a bulk sign-for of ``[id, true]`` signed
request 1); the intake answer gave its deadlines in +08:00 with milliseconds; a repeated id
in a bulk sign-for was silently merged.
"""

from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from civicgrid.requests import services
from civicgrid.requests.constants import Status
from civicgrid.requests.models import Attachment, Request
from civicgrid.requests.tests.test_api import Caller, intake_body, snapshot

pytestmark = pytest.mark.django_db

TIMES = (
    "received_at",
    "dispatched_at",
    "responded_at",
    "replied_at",
    "closed_at",
    "due_response_at",
    "due_resolution_at",
)


@pytest.fixture(autouse=True)
def _no_throttle_history() -> None:
    cache.clear()


@pytest.fixture
def hank(hotline: Any) -> Caller:
    return Caller(hotline.hank)


@pytest.fixture
def olivia(hotline: Any) -> Caller:
    return Caller(hotline.city.olivia)


@pytest.mark.parametrize("sent", [True, False, 1.0, 2.5])
def test_a_bulk_sign_for_refuses_an_id_that_is_no_integer(hotline: Any, hank: Caller, sent: Any) -> None:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    before = snapshot(request)
    response = hank.post("/sign-bulk", {"ids": [request.pk, sent]})
    assert response.status_code == 422, response.content
    assert response.json()["detail"] == {"ids[1]": ["诉求 ID 列表应为整数"]}
    assert snapshot(request) == before
    assert not Request.objects.filter(status=Status.SIGNED).exists()


def test_true_as_expected_version_is_no_version_1(hotline: Any, hank: Caller) -> None:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    before = snapshot(request)
    response = hank.post(f"/{request.pk}/sign", {"expected_version": True})
    assert response.status_code == 422, response.content
    assert response.json()["detail"] == {"expected_version": ["期望版本号应为整数"]}
    assert snapshot(request) == before


@pytest.mark.parametrize("sent", [True, 1.0])
def test_an_intake_with_true_or_a_decimal_as_category_is_refused_on_its_type(
    hotline: Any, olivia: Caller, sent: Any
) -> None:
    count = Request.objects.count()
    response = olivia.post("/", intake_body(hotline, category_id=sent))
    assert response.status_code == 422, response.content
    assert response.json()["detail"] == {"category_id": ["分类应为整数"]}
    assert Request.objects.count() == count


@pytest.mark.parametrize(
    ("path", "body", "field", "title"),
    [
        ("dispatch", {"lead_unit_id": True}, "lead_unit_id", "主办单位"),
        ("dispatch", {"category_id": True}, "category_id", "分类"),
        ("dispatch", {"assisting_unit_ids": [True]}, "assisting_unit_ids[0]", "协办单位"),
        ("dispatch", {"copy_unit_ids": [1.0]}, "copy_unit_ids[0]", "抄送单位"),
        ("reassign", {"lead_unit_id": True, "reason": "改派"}, "lead_unit_id", "新主办单位"),
        ("merge", {"into_id": True}, "into_id", "合并至诉求"),
        ("direct-close", {"answer": "已答复", "saved_answer_id": True}, "saved_answer_id", "所用知识库答复"),
        (
            "whistle",
            {"unit_ids": [True], "reason": "吹哨", "deadline": "2026-12-01T08:00:00+08:00"},
            "unit_ids[0]",
            "被召集单位",
        ),
    ],
)
def test_every_id_field_refuses_true(
    hotline: Any, olivia: Caller, path: str, body: dict[str, Any], field: str, title: str
) -> None:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    before = snapshot(request)
    response = olivia.post(f"/{request.pk}/{path}", body)
    assert response.status_code == 422, response.content
    assert response.json()["detail"] == {field: [f"{title}应为整数"]}
    assert snapshot(request) == before


def test_an_integer_in_a_query_string_is_still_read(hotline: Any, olivia: Caller) -> None:
    services.request_create(actor=hotline.city.olivia, data=hotline.new())
    services.request_create(actor=hotline.city.olivia, data=hotline.new(title="路灯不亮"))
    page = olivia.get("/", limit="1", offset="1")
    assert page.status_code == 200 and page.json()["count"] == 2 and len(page.json()["results"]) == 1


def test_the_intake_answer_gives_its_times_as_get_does(hotline: Any, olivia: Caller) -> None:
    created = olivia.post("/", intake_body(hotline))
    assert created.status_code == 201, created.content
    answer = created.json()
    assert answer["due_response_at"] and answer["due_resolution_at"]
    read = olivia.get(f"/{answer['id']}").json()
    assert {k: answer[k] for k in TIMES} == {k: read[k] for k in TIMES}
    for name in TIMES:
        assert answer[name] is None or answer[name].endswith("Z"), (name, answer[name])


def test_a_bulk_sign_for_with_a_repeated_id_is_refused_whole(hotline: Any, hank: Caller) -> None:
    first = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    second = services.request_create(actor=hotline.city.olivia, data=hotline.new(title="电梯异响"))
    before = snapshot(first), snapshot(second)
    response = hank.post("/sign-bulk", {"ids": [second.pk, first.pk, 999999, second.pk, first.pk, second.pk]})
    assert response.status_code == 422, response.content
    assert response.json()["detail"] == {"ids": [f"诉求 ID 列表中有重复的 ID：{second.pk}、{first.pk}"]}
    assert (snapshot(first), snapshot(second)) == before


def test_a_bulk_sign_for_answers_each_id_once_in_the_order_sent(hotline: Any, hank: Caller) -> None:
    first = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    second = services.request_create(actor=hotline.city.olivia, data=hotline.new(title="电梯异响"))
    response = hank.post("/sign-bulk", {"ids": [second.pk, 999999, first.pk]})
    assert response.status_code == 200, response.content
    rows = response.json()
    assert [row["id"] for row in rows] == [second.pk, 999999, first.pk]
    assert [row["ok"] for row in rows] == [True, False, True]


def test_a_body_failing_its_schema_is_422_first_and_tells_nothing_about_the_request(hotline: Any) -> None:
    """As docs/api.md says: (1) the body's shape, (2) the request (404/403), (3) the rest."""
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    carol = Caller(hotline.city.carol)  # 通江社区: may not read it
    bob = Caller(hotline.city.bob)  # 胜利门社区's worker: reads it, may not reassign it
    before = snapshot(request)
    hidden = carol.post(f"/{request.pk}/extend", {})
    missing = carol.post(f"/{request.pk + 100000}/extend", {})
    assert hidden.status_code == missing.status_code == 422
    assert hidden.json() == missing.json()
    assert set(hidden.json()["detail"]) == {"amount", "reason"}
    # A well-formed body: the request comes before its other arguments (an unknown unit).
    reassign = carol.post(f"/{request.pk}/reassign", {"lead_unit_id": 999999, "reason": "改派"})
    assert reassign.status_code == 404
    assert bob.post(f"/{request.pk}/reassign", {"lead_unit_id": 999999, "reason": "改派"}).status_code == 403
    assert snapshot(request) == before


def test_an_upload_names_files_when_none_is_sent_and_attachments_for_a_refused_one(
    hotline: Any, olivia: Caller
) -> None:
    """As docs/api.md says (the multipart field is ``files``, and a refused file is reported
    under it too)."""
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    url = f"/api/v1/requests/{request.pk}/attachments"
    empty = olivia.client.post(url, {"note": "现场"}, headers=olivia.headers)
    assert empty.status_code == 422 and empty.json()["detail"] == {"files": ["请选择要上传的附件"]}
    fake = SimpleUploadedFile("a.png", b"not an image", "image/png")
    bad = olivia.client.post(url, {"files": [fake]}, headers=olivia.headers)
    assert bad.status_code == 422 and list(bad.json()["detail"]) == ["files"]
    assert not Attachment.objects.exists()
