"""The request API under /api/v1/requests/: scoping, the full cycle, conflicts, bad input, public."""

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from civicgrid.accounts.services import api_token_create
from civicgrid.conftest import make_user
from civicgrid.core.models import AuditLog
from civicgrid.core.tests import images
from civicgrid.requests import ledger, services
from civicgrid.requests.constants import Action, Status
from civicgrid.requests.models import Attachment, Rating, Request, RequestEvent
from civicgrid.territory.tests.threads import postgres_only, run_at_once, slow_audit

pytestmark = pytest.mark.django_db

BASE = "/api/v1/requests"
PNG = images.PNG  # a whole image: the upload check refuses a bare signature


class Caller:
    """One account's token and a test client that sends it."""

    def __init__(self, user: Any) -> None:
        _, self.token = api_token_create(actor=None, system=True, user=user, name="测试")
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"{BASE}{path}", params, headers=self.headers)

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(
            f"{BASE}{path}", body if body is not None else {}, "application/json", headers=self.headers
        )


@pytest.fixture(autouse=True)
def _no_throttle_history() -> None:
    """The public endpoints' per-address history lives in the cache."""
    cache.clear()


@pytest.fixture
def people(hotline: Any) -> dict[str, Caller]:
    c = hotline.city
    users = {"olivia": c.olivia, "hank": hotline.hank, "dora": hotline.dora, "alice": c.alice}
    users |= {"carol": c.carol, "dave": c.dave, "bob": c.bob}
    return {name: Caller(user) for name, user in users.items()}


def intake_body(hotline: Any, **kw: Any) -> dict[str, Any]:
    body = {
        "channel": "mini_program",
        "type": "complaint",
        "title": "电梯停运三天",
        "content": "3号楼电梯坏了没人修",
        "lon": 120.305,
        "lat": 31.575,
        "requester_name": "张三",
        "requester_phone": "13812345678",
        "category_id": hotline.lift.pk,
    }
    body.update(kw)
    return body


def snapshot(request: Request) -> tuple[Any, ...]:
    request.refresh_from_db()
    events = RequestEvent.objects.filter(request=request).count()
    audit = AuditLog.objects.exclude(verb=ledger.PHONE_SEARCHED)  # a search is audited, changes nothing
    return request.status, request.version, events, audit.count()


# ---------------------------------------------------------------- auth and scope


def test_no_token_is_refused_with_401(hotline: Any) -> None:
    response = Client().get(f"{BASE}/")
    assert response.status_code == 401
    assert response.json()["message"] == "未登录或令牌无效"
    bad = Client().get(f"{BASE}/", headers={"Authorization": "Bearer cg_nonsense"})
    assert bad.status_code == 401


def test_outsider_token_sees_nothing_and_changes_nothing(hotline: Any, people: dict[str, Caller]) -> None:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    carol = people["carol"]
    before = snapshot(request)

    listing = carol.get("/")
    assert listing.status_code == 200 and listing.json() == {"count": 0, "results": []}
    assert carol.get(f"/{request.pk}").status_code == 404
    assert carol.get(f"/by-number/{request.number}").status_code == 404
    assert carol.get("/", phone="13812345678").json()["count"] == 0
    assert carol.get("/inbox").json()["count"] == 0
    assert carol.get("/callback-queue").status_code == 403  # no callbacks to make, as the page

    for path, body in (
        ("sign", {}),
        ("reply", {"reply": "已处理"}),
        ("supervise", {"note": "抓紧"}),
        ("reassign", {"lead_unit_id": hotline.sub_b_unit.pk, "reason": "改派"}),
        ("notes", {"note": "看看"}),
    ):
        # As its GET: a request the caller may not read answers as one that does not exist
        # (a 403 told an outsider the number was taken).
        response = carol.post(f"/{request.pk}/{path}", body)
        missing = carol.post(f"/{request.pk + 100000}/{path}", body)
        assert response.status_code == missing.status_code == 404, path
        assert response.json() == missing.json()
    upload = carol.client.post(
        f"{BASE}/{request.pk}/attachments",
        {"files": SimpleUploadedFile("a.png", PNG, "image/png")},
        headers=carol.headers,
    )
    assert upload.status_code == 404
    assert snapshot(request) == before
    assert not Attachment.objects.exists()


def test_missing_request_is_404_on_actions(people: dict[str, Caller]) -> None:
    response = people["hank"].post("/999999/sign")
    assert response.status_code == 404
    assert response.json()["message"] == "诉求不存在或您无权查看"


def test_handler_sees_the_requests_of_his_unit_only(hotline: Any, people: dict[str, Caller]) -> None:
    olivia = hotline.city.olivia
    mine = services.request_create(actor=olivia, data=hotline.new())
    services.request_create(actor=olivia, data=hotline.new(category=hotline.water_outage))
    hank = people["hank"].get("/").json()
    assert [r["number"] for r in hank["results"]] == [mine.number]
    assert people["hank"].get("/inbox").json()["results"][0]["id"] == mine.pk
    assert people["olivia"].get("/").json()["count"] == 2


# ---------------------------------------------------------------- the full cycle


def test_full_cycle_through_the_api_with_a_stale_version(hotline: Any, people: dict[str, Caller]) -> None:
    olivia, hank, alice = people["olivia"], people["hank"], people["alice"]
    created = olivia.post("/", intake_body(hotline))
    assert created.status_code == 201, created.content
    body = created.json()
    pk, version = body["id"], body["version"]
    assert body["status"] == Status.DISPATCHED and body["status_label"] == "已派单"
    assert body["lead_unit_name"] == "崇安寺街道办事处"
    assert body["channel"] == "mini_program"
    assert body["requester_phone_masked"] == "138****5678"
    assert body["due_resolution_at"] is not None

    signed = hank.post(f"/{pk}/sign", {"expected_version": version})
    assert signed.status_code == 200 and signed.json()["status"] == Status.SIGNED
    stale = hank.post(f"/{pk}/sign", {"expected_version": version})
    assert stale.status_code == 409
    assert "您的另一个页面或窗口" in stale.json()["message"]  # hank's own earlier sign-for
    stale_reply = hank.post(f"/{pk}/reply", {"reply": "已修好", "expected_version": version})
    assert stale_reply.status_code == 409
    assert RequestEvent.objects.filter(request_id=pk, action=Action.REPLY).count() == 0

    version = signed.json()["version"]
    replied = hank.post(f"/{pk}/reply", {"reply": "已联系物业更换电机", "expected_version": version})
    assert replied.status_code == 200 and replied.json()["status"] == Status.REPLIED
    verified = alice.post(f"/{pk}/verify", {"confirmed": True, "note": "现场电梯运行正常"})
    assert verified.json()["status"] == Status.VERIFIED
    queue = olivia.get("/callback-queue").json()
    assert [r["id"] for r in queue["results"]] == [pk]
    called = olivia.post(
        f"/{pk}/callback",
        {"contacted": True, "resolution": "solved", "satisfaction": "satisfied", "comment": "很及时"},
    )
    assert called.status_code == 200 and called.json()["status"] == Status.CLOSED

    detail = olivia.get(f"/{pk}").json()
    actions = [e["action"] for e in detail["events"]]
    assert actions == ["receive", "dispatch", "sign", "reply", "verify", "callback", "close"]
    assert detail["events"][2]["action_label"] == "签收"
    assert {(w["unit_name"], w["role"]) for w in detail["work_orders"]} == {
        ("崇安寺街道办事处", "lead"),
        ("梁溪区人民政府", "copy"),
    }
    assert detail["work_orders"][0]["rule_label"] == "规则：属地街道"
    assert detail["ratings"][0]["satisfaction"] == "satisfied"
    assert detail["allowed_actions"] == ["reopen", "note"]
    text = olivia.get(f"/{pk}").content.decode()
    assert "13812345678" not in text and "张三" not in text


def test_consultation_direct_close_and_noise_closed_without_callback(
    hotline: Any, people: dict[str, Caller]
) -> None:
    olivia, hank = people["olivia"], people["hank"]
    question = olivia.post(
        "/", intake_body(hotline, type="consultation", category_id=hotline.policy_question.pk)
    ).json()
    assert question["status"] == Status.RECEIVED
    assert olivia.get("/triage").json()["results"][0]["id"] == question["id"]
    closed = olivia.post(f"/{question['id']}/direct-close", {"answer": "按政策可报销70%"})
    assert closed.json()["status"] == Status.CLOSED

    noise = olivia.post("/", intake_body(hotline, category_id=hotline.noise.pk)).json()
    hank.post(f"/{noise['id']}/sign")
    hank.post(f"/{noise['id']}/start", {"note": "联系施工方"})
    hank.post(f"/{noise['id']}/reply", {"reply": "已责令夜间停工"})
    done = olivia.post(f"/{noise['id']}/close", {})
    assert done.status_code == 200 and done.json()["status"] == Status.CLOSED


def test_return_decision_dispatch_and_extension(hotline: Any, people: dict[str, Caller]) -> None:
    olivia, hank, dora = people["olivia"], people["hank"], people["dora"]
    pk = olivia.post("/", intake_body(hotline)).json()["id"]
    returned = hank.post(f"/{pk}/return", {"reason": "属于物业合同纠纷", "not_ours": True})
    assert returned.json()["status"] == Status.RETURN_PENDING
    assert hank.post(f"/{pk}/return-decision", {"approve": True}).status_code == 403
    back = olivia.post(f"/{pk}/return-decision", {"approve": True, "note": "同意"})
    assert back.json()["status"] == Status.RECEIVED
    dispatched = olivia.post(
        f"/{pk}/dispatch",
        {
            "lead_unit_id": hotline.chengguan.pk,
            "assisting_unit_ids": [hotline.sub_a_unit.pk],
            "note": "街道退回，城管局牵头",
        },
    )
    assert dispatched.status_code == 200, dispatched.content
    assert dispatched.json()["lead_unit_name"] == "区城管局"
    dora.post(f"/{pk}/sign")
    due = Request.objects.get(pk=pk).due_resolution_at
    asked = dora.post(f"/{pk}/extend", {"amount": 3, "reason": "需协调多方"})
    assert asked.status_code == 200
    again = dora.post(f"/{pk}/extend", {"amount": 2, "reason": "再延"})
    assert again.status_code == 409 and again.json()["message"] == "已有待审批的延期申请"
    approved = olivia.post(f"/{pk}/extend-decision", {"approve": True, "note": "同意延期"})
    assert approved.status_code == 200
    twice = olivia.post(f"/{pk}/extend-decision", {"approve": True, "note": "同意延期"})
    assert twice.status_code == 409  # decided already (by another dispatcher, say)
    request = Request.objects.get(pk=pk)
    assert due is not None and request.due_resolution_at is not None and request.due_resolution_at > due
    detail = olivia.get(f"/{pk}").json()
    assert {(a["kind"], a["state"]) for a in detail["approvals"]} == {
        ("return", "approved"),
        ("extension", "approved"),
    }


def test_whistle_and_report_in(hotline: Any, people: dict[str, Caller]) -> None:
    olivia, hank, dora, walt = people["olivia"], people["hank"], people["dora"], Caller(hotline.walt)
    pk = olivia.post("/", intake_body(hotline)).json()["id"]
    hank.post(f"/{pk}/sign")
    deadline = (timezone.now() + timedelta(days=1)).isoformat()
    whistled = hank.post(
        f"/{pk}/whistle",
        {"unit_ids": [hotline.chengguan.pk], "reason": "违建拆除需城管执法", "deadline": deadline},
    )
    assert whistled.status_code == 200, whistled.content
    detail = dora.get(f"/{pk}").json()
    summons_id = detail["whistles"][0]["summonses"][0]["id"]
    assert walt.post(f"/whistle-summons/{summons_id}/report-in", {"part": "x"}).status_code == 404
    reported = dora.post(f"/whistle-summons/{summons_id}/report-in", {"part": "派执法队现场拆除"})
    assert reported.status_code == 200
    whistle_id = detail["whistles"][0]["id"]
    closed = hank.post(f"/whistles/{whistle_id}/close", {"outcome": "违建已拆除"})
    assert closed.status_code == 200
    summons = hank.get(f"/{pk}").json()["whistles"][0]
    assert summons["outcome"] == "违建已拆除" and summons["summonses"][0]["part"] == "派执法队现场拆除"
    again = hank.post(f"/whistles/{whistle_id}/close", {"outcome": "改写结果"})
    assert again.status_code == 409
    assert hank.get(f"/{pk}").json()["whistles"][0]["outcome"] == "违建已拆除"


def test_out_of_range_input_on_actions_is_422_and_changes_nothing(
    hotline: Any, people: dict[str, Caller]
) -> None:
    """Dates and texts beyond reason, and JSON true for a number: refused with the field named."""
    olivia, hank = people["olivia"], people["hank"]
    assert olivia.post("/", intake_body(hotline, lat=True)).json()["detail"] == {"lat": ["纬度应为数字"]}
    pk = olivia.post("/", intake_body(hotline)).json()["id"]
    hank.post(f"/{pk}/sign")
    request = Request.objects.get(pk=pk)
    before = (snapshot(request), RequestEvent.objects.count())
    refused = {
        "/whistle": {
            "unit_ids": [hotline.chengguan.pk],
            "reason": "x",
            "deadline": "9999-12-31T23:59:59-12:00",
        },
        "/long-running": {"plan": "分期改造", "plan_until": "9999-12-31"},
        "/council": {
            "held_on": "2001-01-01",
            "party_branch": "党" * 101,
            "owners_committee": "业委会",
            "property_company": "物业",
            "outcome": "同意",
        },
        "/reply": {"reply": "长" * 5001},
        "/extend": {"amount": True, "reason": "等待配件"},
    }
    fields = {
        "/whistle": {"deadline"},
        "/long-running": {"plan_until"},
        "/council": {"held_on", "party_branch"},
        "/reply": {"reply"},
        "/extend": {"amount"},
    }
    for action, body in refused.items():
        caller = olivia if action == "/long-running" else hank  # a dispatcher's decision
        response = caller.post(f"/{pk}{action}", body)
        assert response.status_code == 422, (action, response.content)
        assert set(response.json()["detail"]) == fields[action], (action, response.json())
    assert (snapshot(request), RequestEvent.objects.count()) == before
    far = olivia.get("/", received_to="9999-12-31")
    assert far.status_code == 422 and list(far.json()["detail"]) == ["received_to"]


def test_supervise_suspend_resume_merge_and_notes(hotline: Any, people: dict[str, Caller]) -> None:
    olivia, hank, dave = people["olivia"], people["hank"], people["dave"]
    first = olivia.post("/", intake_body(hotline)).json()
    second = olivia.post("/", intake_body(hotline, title="电梯又坏了")).json()
    assert dave.post(f"/{first['id']}/supervise", {"note": "请三日内解决"}).json()["supervised"] is True
    hank.post(f"/{first['id']}/sign")
    assert olivia.post(f"/{first['id']}/suspend", {"reason": "等待配件"}).json()["status"] == "suspended"
    assert olivia.post(f"/{first['id']}/resume", {}).json()["status"] == Status.SIGNED
    merged = olivia.post(f"/{second['id']}/merge", {"into_number": first["number"]})
    assert merged.status_code == 200 and merged.json()["status"] == Status.MERGED
    assert olivia.get(f"/{second['id']}").json()["merged_into_number"] == first["number"]
    noted = hank.post(f"/{first['id']}/notes", {"note": "已约物业周三到场"})
    assert noted.status_code == 200
    stale = hank.post(
        f"/{first['id']}/notes", {"note": "再记一笔", "expected_version": noted.json()["version"] - 1}
    )
    assert stale.status_code == 409
    bare = hank.client.post(f"{BASE}/{first['id']}/start", "", "application/json", headers=hank.headers)
    assert bare.status_code == 200 and bare.json()["status"] == Status.IN_PROGRESS
    assert hank.post(f"/{first['id']}/escalate", {"reason": "需区里协调"}).json()["level"] == "district"


def test_sign_bulk_reports_each_request(hotline: Any, people: dict[str, Caller]) -> None:
    olivia = hotline.city.olivia
    a = services.request_create(actor=olivia, data=hotline.new())
    b = services.request_create(actor=olivia, data=hotline.new())
    water = services.request_create(actor=olivia, data=hotline.new(category=hotline.water_outage))
    services.request_sign(actor=hotline.hank, request=b)
    response = people["hank"].post("/sign-bulk", {"ids": [a.pk, b.pk, water.pk, 999999]})
    assert response.status_code == 200
    results = {r["id"]: r for r in response.json()}
    assert results[a.pk]["ok"] is True and results[a.pk]["status"] == Status.SIGNED
    assert results[b.pk]["ok"] is False and "已签收" in results[b.pk]["message"]
    assert results[water.pk]["ok"] is False and results[water.pk]["number"] == ""  # not hers to read
    assert results[999999]["message"] == results[water.pk]["message"] == "诉求不存在或您无权查看"
    water.refresh_from_db()
    assert water.status == Status.DISPATCHED


# ---------------------------------------------------------------- bad input


def test_bad_intake_is_422_naming_the_fields_in_chinese(hotline: Any, people: dict[str, Caller]) -> None:
    audits = AuditLog.objects.count()
    response = people["olivia"].post(
        "/", intake_body(hotline, title="", lat=999, type="x", requester_phone="123", category_id=999999)
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["detail"]) >= {"title", "lat", "type", "requester_phone", "category_id"}
    assert "请填写标题" in body["message"] and "分类不存在" in body["message"]
    missing = people["olivia"].post("/", {"type": "help", "lat": "北京"})
    assert missing.status_code == 422
    assert missing.json()["detail"]["title"] == ["请填写标题"]
    assert missing.json()["detail"]["lat"] == ["纬度应为数字"]
    assert not Request.objects.exists()
    assert AuditLog.objects.count() == audits


def test_broken_json_and_nul_characters_are_422_in_chinese(hotline: Any, people: dict[str, Caller]) -> None:
    olivia = people["olivia"]
    broken = olivia.client.post(f"{BASE}/", "{title: 1", "application/json", headers=olivia.headers)
    assert broken.status_code == 422 and broken.json()["detail"] == {"请求体": ["不是有效的 JSON"]}
    nul = olivia.post("/", intake_body(hotline, content="路灯\x00不亮"))
    assert nul.status_code == 422 and list(nul.json()["detail"]) == ["content"]
    assert "空字符" in nul.json()["message"]
    # A lone surrogate (JSON can carry it escaped, UTF-8 cannot store it): 422, not a 500.
    raw = '{"type": "complaint", "title": "\\ud800", "content": "c"}'
    lone = olivia.client.post(f"{BASE}/", raw, "application/json", headers=olivia.headers)
    assert lone.status_code == 422 and list(lone.json()["detail"]) == ["title"]
    deep = olivia.client.post(f"{BASE}/", "[" * 100_000, "application/json", headers=olivia.headers)
    assert deep.status_code == 422 and deep.json()["detail"] == {"请求体": ["不是有效的 JSON"]}
    huge = olivia.post("/sign-bulk", {"ids": [1, 99999999999999999999]})
    assert huge.status_code == 422 and list(huge.json()["detail"]) == ["ids[1]"]
    assert not Request.objects.exists()


def test_a_body_over_the_size_limit_is_413(hotline: Any, people: dict[str, Caller], settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    olivia = people["olivia"]
    response = olivia.post("/", intake_body(hotline, content="长" * 1024 * 1024))
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    assert not Request.objects.exists()


def test_bad_action_input_is_422_and_changes_nothing(hotline: Any, people: dict[str, Caller]) -> None:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    before = snapshot(request)
    hank = people["hank"]
    wrong = hank.post(f"/{request.pk}/sign", {"expected_version": "abc"})
    assert wrong.status_code == 422
    assert wrong.json()["detail"]["expected_version"] == ["期望版本号应为整数"]
    empty = hank.post(f"/{request.pk}/return", {"reason": "  "})
    assert empty.status_code == 422 and "退单理由" in empty.json()["message"]
    bad_unit = people["olivia"].post(f"/{request.pk}/reassign", {"lead_unit_id": 999999, "reason": "x"})
    assert bad_unit.status_code == 422 and "lead_unit_id" in bad_unit.json()["detail"]
    bad_date = people["olivia"].get("/", received_from="2026-13-01")
    assert bad_date.status_code == 422 and "受理起始日期" in bad_date.json()["message"]
    bad_status = people["olivia"].get("/", status="done")
    assert bad_status.status_code == 422 and "状态取值无效" in bad_status.json()["message"]
    assert snapshot(request) == before


# ---------------------------------------------------------------- lists


def test_list_filters_and_phone_search(hotline: Any, people: dict[str, Caller]) -> None:
    olivia = hotline.city.olivia
    lift = services.request_create(actor=olivia, data=hotline.new())
    water = services.request_create(
        actor=olivia,
        data=hotline.new(category=hotline.water_outage, title="全楼停水", requester_phone="13900001111"),
    )
    services.request_create(actor=olivia, data=hotline.new(category=None, lon=120.33, lat=31.58))
    api = people["olivia"]

    def numbers(**params: Any) -> list[str]:
        response = api.get("/", **params)
        assert response.status_code == 200, response.content
        return [r["number"] for r in response.json()["results"]]

    assert numbers(phone="139-0000-1111") == [water.number]
    assert numbers(category="03") == [water.number]
    assert numbers(unit=hotline.water.pk) == [water.number]
    assert numbers(unit=hotline.district_unit.pk) == [lift.number]  # copied to the district
    assert numbers(q="停水") == [water.number]
    assert numbers(number=lift.number) == [lift.number]
    assert len(numbers(status="dispatched")) == 2
    assert len(numbers(status="received")) == 1
    assert len(numbers(node=hotline.city.sub_b.pk)) == 1
    today = timezone.localdate().isoformat()
    assert len(numbers(received_from=today, received_to=today)) == 3
    assert numbers(received_to="2000-01-01") == []
    page = api.get("/", limit=2, offset=0).json()
    assert page["count"] == 3 and len(page["results"]) == 2


def test_list_queries_do_not_grow_with_rows(
    hotline: Any, people: dict[str, Caller], django_assert_max_num_queries: Any
) -> None:
    api = people["olivia"]
    api.get("/")  # warm the token's last-used stamp
    for _ in range(5):
        services.request_create(actor=hotline.city.olivia, data=hotline.new())
    with django_assert_max_num_queries(6):
        assert api.get("/").json()["count"] == 5


def test_categories_and_units(hotline: Any, people: dict[str, Caller]) -> None:
    found = people["olivia"].get("/categories", q="停水").json()
    assert [c["code"] for c in found] == ["030101"]
    assert found[0]["responsible_unit_name"] == "市自来水公司"
    everything = people["olivia"].get("/categories").json()
    assert {c["code"] for c in everything} == {"010101", "020101", "030101", "040101", "050101"}
    units = {u["name"] for u in people["hank"].get("/units").json()}
    assert {"崇安寺街道办事处", "区城管局", "市自来水公司", "梁溪区人民政府"} <= units
    assert "通江街道办事处" not in units
    nobody = Caller(make_user("nemo", "无角色账号"))
    assert nobody.get("/units").json() == []
    assert nobody.get("/").json()["count"] == 0


# ---------------------------------------------------------------- attachments


def test_attachments_are_checked_and_recorded(hotline: Any, people: dict[str, Caller]) -> None:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    olivia = people["olivia"]
    url = f"{BASE}/{request.pk}/attachments"
    good = olivia.client.post(
        url,
        {"files": [SimpleUploadedFile("现场.png", PNG, "image/png")], "note": "现场照片"},
        headers=olivia.headers,
    )
    assert good.status_code == 201, good.content
    assert good.json()[0]["name"] == "现场.png"
    fake = olivia.client.post(
        url,
        {"files": [SimpleUploadedFile("x.png", b"MZ\x90\x00" * 8, "image/png")]},
        headers=olivia.headers,
    )
    assert fake.status_code == 422 and "只接受" in fake.json()["message"]
    none = olivia.client.post(url, {"note": "空"}, headers=olivia.headers)
    assert none.status_code == 422 and none.json()["detail"]["files"] == ["请选择要上传的附件"]
    assert Attachment.objects.filter(request=request).count() == 1
    detail = olivia.get(f"/{request.pk}").json()
    assert detail["attachments"][0]["event_id"] is not None
    assert io.BytesIO(PNG).read(4) == b"\x89PNG"


# ---------------------------------------------------------------- public


def test_track_needs_number_and_phone_and_shows_no_personal_data(hotline: Any) -> None:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    services.request_sign(actor=hotline.hank, request=request)
    services.request_reply(actor=hotline.hank, request=request, reply="已联系物业维修")
    client = Client()
    ok = client.get(f"{BASE}/track", {"number": request.number, "phone": "13812345678"})
    assert ok.status_code == 200
    body = ok.json()
    assert body["status"] == Status.REPLIED and body["open"] is False
    assert [e["action_label"] for e in body["timeline"]] == ["受理", "派单", "签收", "答复"]
    assert body["timeline"][-1]["note"] == "已联系物业维修"
    text = ok.content.decode()
    for secret in ("13812345678", "138****5678", "张", "韩军", "rating_token", request.rating_token):
        assert secret not in text
    for params in (
        {"number": request.number, "phone": "13900000000"},
        {"number": "20000101-000001", "phone": "13812345678"},
    ):
        wrong = client.get(f"{BASE}/track", params)
        assert wrong.status_code == 404
        assert wrong.json()["message"] == "未找到该诉求，请核对诉求编号和手机号"
    assert client.get(f"{BASE}/track", {"number": request.number}).status_code == 422


def test_track_is_rate_limited(hotline: Any, settings: Any) -> None:
    settings.REQUESTS_H5_TRACK_LIMIT = 1000  # the per-minute limit here (misses: the test below)
    client = Client()
    codes = [client.get(f"{BASE}/track", {"number": "x", "phone": "1"}).status_code for _ in range(31)]
    assert codes[:30] == [404] * 30
    assert codes[30] == 429
    limited = client.get(f"{BASE}/track", {"number": "x", "phone": "1"})
    assert limited.json()["message"] == "请求过于频繁，请稍后再试"
    assert 1 <= int(limited["Retry-After"]) <= 60  # the per-minute window
    # A forged X-Forwarded-For is no way around it (no trusted proxy is configured) ...
    forged = client.get(
        f"{BASE}/track", {"number": "x", "phone": "1"}, headers={"X-Forwarded-For": "10.9.8.7"}
    )
    assert forged.status_code == 429
    # ... and the rating link counts on its own.
    rating = client.post(f"{BASE}/rate", {"token": "x" * 20}, "application/json")
    assert rating.status_code != 429


def test_failed_look_ups_share_one_budget_with_the_h5_track_page(hotline: Any, settings: Any) -> None:
    settings.REQUESTS_H5_TRACK_LIMIT = 3
    settings.REQUESTS_H5_TRACK_IP_LIMIT = 3  # the page's per-address cap counts the API's misses
    client = Client()
    codes = [client.get(f"{BASE}/track", {"number": "x", "phone": "1"}).status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]
    again = client.get(f"{BASE}/track", {"number": "x", "phone": "1"})
    assert again["Retry-After"] == "3600"
    h5 = client.post("/requests/h5/track/", {"number": "x", "phone": "13812345678"})
    assert h5.status_code == 429  # no second allowance through the page


def test_behind_a_trusted_proxy_the_address_it_saw_counts(hotline: Any, settings: Any) -> None:
    settings.TRUSTED_PROXIES = 1
    settings.REQUESTS_H5_TRACK_LIMIT = 1000
    client = Client()
    for _ in range(30):
        # the client put 1.1.1.1 in the header itself; the proxy appended 10.0.0.1
        client.get(
            f"{BASE}/track", {"number": "x", "phone": "1"}, headers={"X-Forwarded-For": "1.1.1.1, 10.0.0.1"}
        )
    params = {"number": "x", "phone": "1"}
    assert (
        client.get(f"{BASE}/track", params, headers={"X-Forwarded-For": "2.2.2.2, 10.0.0.1"}).status_code
        == 429
    )
    assert client.get(f"{BASE}/track", params, headers={"X-Forwarded-For": "10.0.0.2"}).status_code == 404


def test_rate_by_link_closes_and_a_second_rating_conflicts(hotline: Any) -> None:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new(category=hotline.noise))
    services.request_sign(actor=hotline.hank, request=request)
    services.request_reply(actor=hotline.hank, request=request, reply="已劝导")
    body = {
        "token": request.rating_token,
        "contacted": True,
        "resolution": "solved",
        "satisfaction": "satisfied",
    }
    client = Client()
    rated = client.post(f"{BASE}/rate", body, "application/json")
    assert rated.status_code == 200, rated.content
    assert rated.json()["status"] == Status.CLOSED
    again = client.post(f"{BASE}/rate", body, "application/json")
    assert again.status_code == 409
    bad = client.post(f"{BASE}/rate", body | {"token": "nope"}, "application/json")
    assert bad.status_code == 404
    wrong = client.post(f"{BASE}/rate", body | {"satisfaction": "meh"}, "application/json")
    assert wrong.status_code in (409, 422)
    assert Rating.objects.filter(request=request).count() == 1


# ---------------------------------------------------------------- OpenAPI


def test_openapi_lists_the_request_paths_with_chinese_summaries() -> None:
    schema = Client().get("/api/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/requests/",
        "/api/v1/requests/{request_id}",
        "/api/v1/requests/{request_id}/sign",
        "/api/v1/requests/{request_id}/return-decision",
        "/api/v1/requests/{request_id}/attachments",
        "/api/v1/requests/whistle-summons/{summons_id}/report-in",
        "/api/v1/requests/sign-bulk",
        "/api/v1/requests/inbox",
        "/api/v1/requests/track",
        "/api/v1/requests/rate",
    ):
        assert path in paths, path
    assert paths["/api/v1/requests/{request_id}/sign"]["post"]["summary"] == "签收"
    assert "security" not in paths["/api/v1/requests/track"]["get"]
    assert paths["/api/v1/requests/inbox"]["get"]["security"]
    assert "requests 接诉即办" in paths["/api/v1/requests/inbox"]["get"]["tags"]


# ---------------------------------------------------------------- two callers at once


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sign_and_return_at_once_through_the_api(hotline: Any, monkeypatch: Any) -> None:
    """Two members of the lead unit act at once: one wins, the other gets 409 in Chinese."""
    from civicgrid.requests.models import UnitMembership
    from civicgrid.requests.services import engine

    helen = make_user("helen", "何琳")
    UnitMembership.objects.create(user=helen, unit=hotline.sub_a_unit)
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    hank, other = Caller(hotline.hank), Caller(helen)
    version = request.version
    slow_audit(monkeypatch, engine)
    signed, returned = run_at_once(
        lambda: hank.post(f"/{request.pk}/sign", {"expected_version": version}),
        lambda: other.post(f"/{request.pk}/return", {"reason": "非本单位", "expected_version": version}),
    )
    assert sorted([signed.status_code, returned.status_code]) == [200, 409]
    loser = signed if signed.status_code == 409 else returned
    assert "已被他人处理" in loser.json()["message"]
    actions = list(RequestEvent.objects.filter(request=request).values_list("action", flat=True))
    assert actions[:2] == ["receive", "dispatch"] and len(actions) == 3
    request.refresh_from_db()
    assert request.version == version + 1


def test_a_confidential_requester_is_kept_from_the_handling_unit(
    hotline: Any, people: dict[str, Caller]
) -> None:
    """As on the request page: the dispatcher sees the masked name and phone, the lead unit's
    handler neither, nor can the handler find the request by the phone."""
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new(confidential=True))
    assert request.lead_unit == hotline.sub_a_unit  # hank's
    olivia, hank = people["olivia"], people["hank"]
    seen = olivia.get(f"/{request.pk}").json()
    assert (seen["requester_name_masked"], seen["requester_phone_masked"]) == ("张*", "138****5678")
    hidden = hank.get(f"/{request.pk}").json()
    assert (
        hidden["confidential"] and hidden["requester_name_masked"] == hidden["requester_phone_masked"] == ""
    )
    [listed] = hank.get("/").json()["results"]
    assert listed["requester_phone_masked"] == ""
    assert hank.get("/", phone="13812345678").json()["count"] == 0
    assert olivia.get("/", phone="13812345678").json()["count"] == 1
    plain = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    assert hank.get(f"/{plain.pk}").json()["requester_phone_masked"] == "138****5678"
    assert hank.get("/", phone="13812345678").json()["count"] == 1
