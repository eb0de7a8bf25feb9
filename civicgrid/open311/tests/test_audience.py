"""Who sees what through Open311: the public view, a keyed system's scope, the filer's own."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.accounts.services import api_token_create
from civicgrid.requests import services
from civicgrid.requests.constants import Channel, RequestType
from civicgrid.requests.models import Request

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
CONTENT = "胜利门1号楼3单元502室楼道堆物，消防通道堵了"
ADDRESS = "胜利门1号楼3单元502室"
LAT, LON = 31.575123, 120.305678  # in 胜利门一网格 (community 胜利门社区, subdistrict 崇安寺街道)


def key_of(user: Any) -> str:
    _, raw = api_token_create(actor=None, system=True, user=user, name="Open311 客户端")
    return raw


def filed(hotline: Any, **kw: Any) -> Request:
    data = hotline.new(**{"content": CONTENT, "address": ADDRESS, "lat": LAT, "lon": LON, **kw})
    return services.request_create(actor=hotline.city.olivia, data=data)


def listed(params: dict[str, str] | None = None) -> dict[str, Any]:
    response = Client().get(f"{BASE}/requests.json", params or {})
    assert response.status_code == 200, response.content
    return {r["service_request_id"]: r for r in response.json()}


def one(number: str, **params: str) -> Any:
    return Client().get(f"{BASE}/requests/{number}.json", params)


def test_the_public_view_has_no_description_address_or_precise_point(hotline: Any) -> None:
    request = filed(hotline)
    row = listed()[request.number]
    [detail] = one(request.number).json()
    for shown in (row, detail):
        assert shown["description"] == "" and shown["media_url"] == ""
        assert shown["address"] == "梁溪区崇安寺街道胜利门社区"  # the community, not the door
        assert (shown["lat"], shown["long"]) == (31.575, 120.306)  # about 100 m
        assert shown["status"] == "open" and shown["service_code"] == hotline.lift.code
        assert shown["agency_responsible"] and shown["requested_datetime"]
    for response in (Client().get(f"{BASE}/requests.json"), one(request.number)):
        text = response.content.decode("utf-8")
        for secret in ("消防通道", "3单元502", "31.575123", "120.305678", "张"):
            assert secret not in text


def test_personal_and_internal_requests_are_not_public(hotline: Any) -> None:
    consultation = filed(hotline, type=RequestType.CONSULTATION, category=hotline.policy_question)
    help_ = filed(hotline, type=RequestType.HELP)
    grid_report = filed(hotline, channel=Channel.GRID_WORKER)
    anonymous = filed(hotline, anonymous=True, requester_name="", requester_phone="")
    confidential = filed(hotline, confidential=True)
    public = listed()
    for hidden in (consultation, help_, grid_report):
        assert hidden.number not in public
        missing = one(hidden.number)
        assert missing.status_code == 404
        assert missing.json() == [{"code": 404, "description": f"诉求不存在：{hidden.number}"}]
    for unplaced in (anonymous, confidential):  # listed, with no place at all
        row = public[unplaced.number]
        assert (row["address"], row["lat"], row["long"], row["description"]) == ("", None, None, "")
    updates = Client().get(f"{BASE}/servicerequestupdates.json").json()
    assert {u["service_request_id"] for u in updates} == {anonymous.number, confidential.number}


def test_a_keyed_system_sees_its_scope_in_full_and_the_rest_as_anyone(hotline: Any) -> None:
    request = filed(hotline)
    consultation = filed(hotline, type=RequestType.CONSULTATION, category=hotline.policy_question)
    bob_key = key_of(hotline.city.bob)  # community worker of 胜利门社区: in scope
    carol_key = key_of(hotline.city.carol)  # community worker of 通江社区: elsewhere

    inside = listed({"api_key": bob_key})
    [detail] = one(request.number, api_key=bob_key).json()
    for shown in (inside[request.number], detail):
        assert shown["description"] == CONTENT and shown["address"] == ADDRESS
        assert (shown["lat"], shown["long"]) == (LAT, LON)
    assert inside[consultation.number]["description"] == CONTENT
    assert one(consultation.number, api_key=bob_key).status_code == 200

    outside = listed({"api_key": carol_key})
    assert outside[request.number] == listed()[request.number]  # the public view
    assert consultation.number not in outside
    [elsewhere] = one(request.number, api_key=carol_key).json()
    assert elsewhere["description"] == "" and elsewhere["lat"] == 31.575
    assert one(consultation.number, api_key=carol_key).status_code == 404


def test_updates_carry_reply_text_only_for_a_keyed_system_in_scope(hotline: Any) -> None:
    request = filed(hotline, category=hotline.noise)
    services.request_sign(actor=hotline.hank, request=request)
    services.request_reply(actor=hotline.hank, request=request, reply="已联系物业清理楼道堆物")

    def replies(**params: str) -> list[str]:
        feed = Client().get(f"{BASE}/servicerequestupdates.json", params).json()
        [row] = one(request.number, extensions="true", **params).json()
        texts = [u["description"] for u in feed if u["external_status_code"] == "replied"]
        return texts + [u["description"] for u in row["updates"] if u["external_status_code"] == "replied"]

    public = replies()
    assert public == ["答复：崇安寺街道办事处"] * 2
    assert replies(api_key=key_of(hotline.city.carol)) == public
    assert replies(api_key=key_of(hotline.city.bob)) == ["答复：崇安寺街道办事处。已联系物业清理楼道堆物"] * 2


def test_the_system_that_filed_a_request_follows_it_in_full(hotline: Any) -> None:
    carol_key = key_of(hotline.city.carol)  # may take in requests; 胜利门 is outside her scope
    response = Client().post(
        f"{BASE}/requests.json",
        {
            "api_key": carol_key,
            "service_code": hotline.water_outage.code,
            "lat": str(LAT),
            "long": str(LON),
            "description": CONTENT,
            "device_id": "fms-4711",
        },
    )
    assert response.status_code == 201, response.content
    number = response.json()[0]["service_request_id"]
    [mine] = one(number, api_key=carol_key).json()
    assert mine["description"] == CONTENT and mine["lat"] == LAT
    [anyone] = one(number).json()  # filed without a name or phone: anonymous, so no place
    assert anyone["status"] == "open" and anyone["description"] == "" and anyone["lat"] is None


def test_an_invalid_key_is_refused_rather_than_read_as_none(hotline: Any) -> None:
    request = filed(hotline)
    for path in ("requests.json", f"requests/{request.number}.json", "servicerequestupdates.json"):
        response = Client().get(f"{BASE}/{path}", {"api_key": "cg_not_a_token"})
        assert response.status_code == 403, path
        assert response.json() == [{"code": 403, "description": "api_key 无效"}]


def test_the_public_list_costs_the_same_queries_for_more_rows(
    hotline: Any, django_assert_num_queries: Any
) -> None:
    filed(hotline)
    with django_assert_num_queries(2):  # the requests, the places' names
        assert len(listed()) == 1
    filed(hotline, lat=31.585, lon=120.31)  # another community (五爱社区)
    filed(hotline, lat=31.58, lon=120.33)  # another subdistrict (通江街道)
    with django_assert_num_queries(2):
        rows = listed()
    assert {r["address"] for r in rows.values()} == {
        "梁溪区崇安寺街道胜利门社区",
        "梁溪区崇安寺街道五爱社区",
        "梁溪区通江街道通江社区",
    }
