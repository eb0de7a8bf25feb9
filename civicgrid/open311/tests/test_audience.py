"""Who sees what through Open311: the public view, a keyed system's scope, the filer's own."""

import json
from typing import Any

import pytest
from django.test import Client

from civicgrid.accounts.services import api_token_create
from civicgrid.open311.tests.conftest import on_site
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


def bearer(key: str) -> dict[str, str]:
    """How a keyed system reads: the key in the Authorization header, never in the URL."""
    return {"Authorization": f"Bearer {key}"} if key else {}


def listed(key: str = "") -> dict[str, Any]:
    response = Client().get(f"{BASE}/requests.json", headers=bearer(key))
    assert response.status_code == 200, response.content
    return {r["service_request_id"]: r for r in response.json()}


def one(number: str, key: str = "", **params: str) -> Any:
    return Client().get(f"{BASE}/requests/{number}.json", params, headers=bearer(key))


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

    inside = listed(bob_key)
    [detail] = one(request.number, key=bob_key).json()
    for shown in (inside[request.number], detail):
        assert shown["description"] == CONTENT and shown["address"] == ADDRESS
        assert (shown["lat"], shown["long"]) == (LAT, LON)
    assert inside[consultation.number]["description"] == CONTENT
    assert one(consultation.number, key=bob_key).status_code == 200

    outside = listed(carol_key)
    assert outside[request.number] == listed()[request.number]  # the public view
    assert consultation.number not in outside
    [elsewhere] = one(request.number, key=carol_key).json()
    assert elsewhere["description"] == "" and elsewhere["lat"] == 31.575
    assert one(consultation.number, key=carol_key).status_code == 404


def test_updates_carry_reply_text_only_for_a_keyed_system_in_scope(hotline: Any) -> None:
    request = filed(hotline)
    services.request_sign(actor=hotline.hank, request=request)
    services.request_reply(actor=hotline.hank, request=request, reply="已联系物业清理楼道堆物")

    def replies(key: str = "") -> list[str]:
        feed = Client().get(f"{BASE}/servicerequestupdates.json", headers=bearer(key)).json()
        [row] = one(request.number, key, extensions="true").json()
        texts = [u["description"] for u in feed if u["external_status_code"] == "replied"]
        return texts + [u["description"] for u in row["updates"] if u["external_status_code"] == "replied"]

    public = replies()
    assert public == ["答复：崇安寺街道办事处"] * 2
    assert replies(key=key_of(hotline.city.carol)) == public
    assert replies(key=key_of(hotline.city.bob)) == ["答复：崇安寺街道办事处。已联系物业清理楼道堆物"] * 2


def test_the_system_that_filed_a_request_follows_it_in_full(hotline: Any) -> None:
    carol_key = key_of(hotline.city.carol)  # may take in requests; 胜利门 is outside her scope
    on_site(hotline.water_outage)  # a place: public
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
    [mine] = one(number, key=carol_key).json()
    assert mine["description"] == CONTENT and mine["lat"] == LAT
    [anyone] = one(number).json()  # filed without a name or phone: anonymous, so no place
    assert anyone["status"] == "open" and anyone["description"] == "" and anyone["lat"] is None


def test_an_invalid_key_is_refused_rather_than_read_as_none(hotline: Any) -> None:
    request = filed(hotline)
    for path in ("requests.json", f"requests/{request.number}.json", "servicerequestupdates.json"):
        response = Client().get(f"{BASE}/{path}", headers=bearer("cg_not_a_token"))
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


def everything_about(number: str, **params: str) -> str:
    """All a caller gets about one request: its list row, its detail with the history, its
    rows of the updates feed."""
    [row] = [
        r for r in Client().get(f"{BASE}/requests.json", params).json() if r["service_request_id"] == number
    ]
    feed = Client().get(f"{BASE}/servicerequestupdates.json", params).json()
    updates = [u for u in feed if u["service_request_id"] == number]
    return json.dumps([row, one(number, extensions="true", **params).json(), updates], ensure_ascii=False)


def test_a_confidential_request_does_not_name_the_units_handling_it(hotline: Any) -> None:
    """A community's office is where the requester lives: not in the public view (保密)."""
    olivia = hotline.city.olivia
    confidential = filed(hotline, confidential=True)
    services.request_reassign(
        actor=olivia, request=confidential, lead_unit=hotline.comm_a1_unit, reason="属地"
    )
    anonymous = filed(hotline, anonymous=True, requester_name="", requester_phone="")
    placed = filed(hotline)

    public = listed()
    for hidden in (confidential, anonymous):
        [detail] = one(hidden.number, extensions="true").json()
        for row in (public[hidden.number], detail):
            assert row["agency_responsible"] == "" and row["address"] == "" and row["lat"] is None
            assert "（" not in row["status_notes"]  # the label alone, no unit
        assert detail["updates"] and all("：" not in u["description"] for u in detail["updates"])
    about = everything_about(confidential.number)
    assert '"updates": [{' in about and "派单" in about
    for place in ("胜利门", "崇安寺", "梁溪", "社区", "街道"):
        assert place not in about
    # A system that may read it (bob: 胜利门社区) and an elsewhere one (carol) as the public.
    assert public[placed.number]["agency_responsible"] == "崇安寺街道办事处"  # placed: as before
    [full] = one(confidential.number, key=key_of(hotline.city.bob), extensions="true").json()
    assert full["agency_responsible"] == "胜利门社区居委会" and "胜利门社区居委会" in full["status_notes"]
    assert any(u["description"].endswith("：胜利门社区居委会") for u in full["updates"])
    [elsewhere] = one(confidential.number, key=key_of(hotline.city.carol)).json()
    assert elsewhere == one(confidential.number).json()[0]


def test_a_merge_does_not_link_a_confidential_request_to_a_placed_one(hotline: Any) -> None:
    olivia = hotline.city.olivia
    confidential, placed, placed_target = filed(hotline, confidential=True), filed(hotline), filed(hotline)
    duplicate_of_hidden = filed(hotline)
    services.request_merge(actor=olivia, request=confidential, into=placed_target)
    services.request_merge(actor=olivia, request=duplicate_of_hidden, into=filed(hotline, confidential=True))
    services.request_merge(actor=olivia, request=placed, into=placed_target)
    public = listed()
    assert public[confidential.number]["status_notes"] == "已合并"  # not the placed target's number
    assert public[duplicate_of_hidden.number]["status_notes"] == "已合并"  # nor a hidden target's
    assert public[placed.number]["status_notes"] == f"已合并（合并至 {placed_target.number}）"  # as before
    bob = key_of(hotline.city.bob)
    assert f"合并至 {placed_target.number}" in listed(bob)[confidential.number]["status_notes"]
