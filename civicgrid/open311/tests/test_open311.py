"""Open311 GeoReport v2: services, filing with an API key, following requests and updates."""

import json
from typing import Any

import pytest
from django.test import Client

from civicgrid.accounts.services import api_token_create
from civicgrid.conftest import make_user
from civicgrid.core.models import AuditLog
from civicgrid.open311.tests.conftest import on_site
from civicgrid.requests import services
from civicgrid.requests.constants import Channel, Status
from civicgrid.requests.models import Request

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"


def file(client: Client, **fields: Any) -> Any:
    return client.post(f"{BASE}/requests.json", fields)


def good_fields(api_key: str, **kw: Any) -> dict[str, Any]:
    fields = {
        "api_key": api_key,
        "service_code": "030101",
        "lat": "31.575",
        "long": "120.305",
        "description": "胜利门1号楼全楼停水一天了",
        "first_name": "三",
        "last_name": "张",
        "phone": "13812345678",
    }
    fields.update(kw)
    return fields


def test_services_list_the_leaves_of_the_current_catalogue(hotline: Any) -> None:
    response = Client().get(f"{BASE}/services.json")
    assert response.status_code == 200
    services_ = {s["service_code"]: s for s in response.json()}
    assert set(services_) == {"010101", "020101", "030101", "040101", "050101"}
    water = services_["030101"]
    assert water == {
        "service_code": "030101",
        "service_name": "停水",
        "description": "公共服务/供水/停水",
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": "公共服务",
    }
    hotline.noise.keywords = "噪音 施工，夜间"
    hotline.noise.save(update_fields=["keywords"])
    listed = {s["service_code"]: s for s in Client().get(f"{BASE}/services.json").json()}
    assert listed[hotline.noise.code]["keywords"] == "噪音,施工,夜间"  # Open311: comma-separated
    definition = Client().get(f"{BASE}/services/030101.json")
    assert definition.json() == {"service_code": "030101", "attributes": []}
    missing = Client().get(f"{BASE}/services/999999.json")
    assert missing.status_code == 404
    assert missing.json() == [{"code": 404, "description": "服务类型不存在：999999"}]


def test_post_needs_an_api_key_and_creates_nothing_without_one(hotline: Any, api_key: str) -> None:
    no_intake = make_user("robot", "无受理权限的账号")
    _, weak = api_token_create(actor=None, system=True, user=no_intake, name="x")
    audits = AuditLog.objects.count()
    for fields in (good_fields(""), good_fields("cg_not_a_token")):
        response = file(Client(), **fields)
        assert response.status_code == 403
        assert response.json() == [{"code": 403, "description": "api_key 缺失或无效"}]
    refused = file(Client(), **good_fields(weak))
    assert refused.status_code == 403 and refused.json()[0]["description"] == "您无权受理诉求"
    assert not Request.objects.exists()
    assert AuditLog.objects.count() == audits


def test_post_creates_a_request_that_is_then_listed_open(hotline: Any, api_key: str) -> None:
    client = Client()
    on_site(hotline.water_outage)  # a place: public
    response = file(client, **good_fields(api_key))
    assert response.status_code == 201, response.content
    [created] = response.json()
    number = created["service_request_id"]
    assert created["account_id"] is None
    assert number in created["service_notice"] and "市自来水公司" in created["service_notice"]
    request = Request.objects.get(number=number)
    assert request.channel == Channel.OPEN311 and request.status == Status.DISPATCHED
    assert request.requester_name_masked == "张*" and request.node == hotline.city.grid_a1_1

    listed = client.get(
        f"{BASE}/requests.json", headers={"Authorization": f"Bearer {api_key}"}
    ).json()  # the filer, in full
    assert [r["service_request_id"] for r in listed] == [number]
    row = listed[0]
    assert row["status"] == "open" and row["service_code"] == "030101"
    assert row["agency_responsible"] == "市自来水公司"
    assert row["description"] == "胜利门1号楼全楼停水一天了"
    assert row["expected_datetime"] and row["requested_datetime"].endswith("+08:00")
    assert row["lat"] == 31.575 and row["long"] == 120.305
    [public] = client.get(f"{BASE}/requests.json").json()
    assert public["service_request_id"] == number and public["description"] == ""
    text = client.get(f"{BASE}/requests.json", headers={"Authorization": f"Bearer {api_key}"}).content.decode(
        "utf-8"
    )
    for secret in ("13812345678", "138****5678", "张", "zhang@example.com"):
        assert secret not in text
    assert client.get(f"{BASE}/requests.json", {"status": "closed"}).json() == []
    assert len(client.get(f"{BASE}/requests.json", {"service_request_id": f"{number},x"}).json()) == 1
    assert client.get(f"{BASE}/requests.json", {"service_code": "010101"}).json() == []


def test_post_accepts_json_and_an_address_only(hotline: Any, api_key: str) -> None:
    body = {
        "api_key": api_key,
        "service_code": "010101",
        "address_string": "胜利门1号楼",
        "description": "电梯坏了",
    }
    response = Client().post(f"{BASE}/requests.json", json.dumps(body), "application/json")
    assert response.status_code == 201
    request = Request.objects.get(number=response.json()[0]["service_request_id"])
    assert request.anonymous and request.address == "胜利门1号楼"


def test_a_json_post_with_bad_text_is_400_and_files_nothing(hotline: Any, api_key: str) -> None:
    for raw in ('"a\\u0000b"', '"a\\ud800b"'):
        body = '{"api_key": "%s", "service_code": "010101", "address_string": "x", "description": %s}'
        response = Client().post(f"{BASE}/requests.json", body % (api_key, raw), "application/json")
        assert response.status_code == 400, raw
        assert response.json()[0]["description"].startswith("description：")
    assert not Request.objects.exists()


def test_bad_post_lists_every_problem_in_chinese(hotline: Any, api_key: str) -> None:
    response = file(
        Client(), api_key=api_key, service_code="nope", lat="北", long="120.3", description="", phone="123"
    )
    assert response.status_code == 400
    descriptions = [e["description"] for e in response.json()]
    assert "service_code：请填写有效的服务类型（见 services.json）" in descriptions
    assert "lat：应为数字" in descriptions
    assert "description：请填写问题描述" in descriptions
    assert all(e["code"] == 400 for e in response.json())
    far = file(Client(), **good_fields(api_key, lat="95"))
    assert far.status_code == 400 and far.json()[0]["description"].startswith("lat：")
    phone = file(Client(), **good_fields(api_key, phone="123"))
    assert phone.status_code == 400 and phone.json()[0]["description"].startswith("phone：")
    assert not Request.objects.exists()


def test_confidential_requests_show_no_description_or_place(hotline: Any) -> None:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new(confidential=True))
    [row] = Client().get(f"{BASE}/requests/{request.number}.json").json()
    assert row["description"] == "" and row["address"] == "" and row["lat"] is None
    assert row["status"] == "open" and row["agency_responsible"] == ""  # its unit names the place


def test_updates_follow_the_history(hotline: Any, api_key: str) -> None:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new(category=hotline.noise))
    services.request_sign(actor=hotline.hank, request=request)
    services.request_reply(actor=hotline.hank, request=request, reply="已责令夜间停工")
    services.request_note(actor=hotline.hank, request=request, note="内部备注：施工方负责人电话")
    services.request_close(actor=hotline.city.olivia, request=request)
    client = Client()
    updates = client.get(
        f"{BASE}/servicerequestupdates.json", headers={"Authorization": f"Bearer {api_key}"}
    ).json()
    mine = [u for u in updates if u["service_request_id"] == request.number]
    assert [u["external_status_code"] for u in mine] == [
        "received",
        "dispatched",
        "signed",
        "replied",
        "closed",
    ]
    assert [u["status"] for u in mine] == ["open", "open", "open", "open", "closed"]
    assert mine[3]["description"] == "答复：崇安寺街道办事处。已责令夜间停工"
    assert all("内部备注" not in u["description"] for u in updates)
    assert mine[0]["update_id"].isdigit() and mine[0]["updated_datetime"].endswith("+08:00")
    [row] = client.get(
        f"{BASE}/requests/{request.number}.json",
        {"extensions": "true"},
        headers={"Authorization": f"Bearer {api_key}"},
    ).json()
    assert row["status"] == "closed" and [u["update_id"] for u in row["updates"]] == [
        u["update_id"] for u in mine
    ]
    [plain] = client.get(f"{BASE}/requests/{request.number}.json").json()
    assert "updates" not in plain
    old = client.get(f"{BASE}/servicerequestupdates.json", {"end_date": "2001-01-01T00:00:00+08:00"})
    assert old.json() == []


def test_bad_dates_and_unknown_ids(hotline: Any) -> None:
    client = Client()
    bad = client.get(f"{BASE}/requests.json", {"start_date": "yesterday"})
    assert bad.status_code == 400
    assert bad.json()[0]["description"].startswith("start_date：应为 ISO 8601 时间")
    wrong_status = client.get(f"{BASE}/requests.json", {"status": "pending"})
    assert wrong_status.status_code == 400
    backwards = client.get(
        f"{BASE}/servicerequestupdates.json", {"start_date": "2026-02-01", "end_date": "2026-01-01"}
    )
    assert backwards.status_code == 400
    for name, value in [
        ("start_date", "2026-01-01T25:00:00"),  # well-formed, impossible
        ("start_date", "2026-01-01T10:00:00+99:00"),
        ("start_date", "0001-01-01T00:00:00+01:00"),  # the window would overflow
        ("end_date", "0001-01-01"),
    ]:
        for endpoint in ("requests.json", "servicerequestupdates.json"):
            refused = client.get(f"{BASE}/{endpoint}", {name: value})
            assert refused.status_code == 400, (endpoint, value)
            assert refused.json()[0]["description"].startswith(f"{name}：")
    assert client.get(f"{BASE}/requests/20000101-000001.json").status_code == 404
    assert client.get(f"{BASE}/requests/a%00b.json").status_code == 404
    xml = client.get(f"{BASE}/services.xml")
    assert xml.status_code == 200 and xml["Content-Type"].startswith("text/xml")
    formats = client.get(f"{BASE}/discovery.json").json()["endpoints"][0]["formats"]
    assert formats == ["application/json", "text/xml"]
