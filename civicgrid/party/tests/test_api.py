"""The JSON API under /api/v1/party/: same services, same scope, {code, message, detail} errors."""

import json
from datetime import date
from typing import Any

import pytest
from django.test import Client

from civicgrid.accounts.models import User
from civicgrid.party.constants import NeedCategory, NeedSource, ReportStatus
from civicgrid.party.models import MemberReport
from civicgrid.party.tests.conftest import PartyWorld, counts

pytestmark = pytest.mark.django_db
BASE = "/api/v1/party"


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(BASE + path, data=json.dumps(body), content_type="application/json")


def test_report_confirm_and_rates(pw: PartyWorld) -> None:
    zhang = client_for(pw.zhang_user)
    response = post(zhang, "/me/report", {"pledges": ["助老"], "service_types": ["elderly"]})
    assert response.status_code == 201, response.content
    report = response.json()
    assert report["community_name"] == "胜利门社区" and report["status"] == ReportStatus.PENDING
    bob = client_for(pw.city.bob)
    assert post(bob, f"/reports/{report['id']}/confirm", {}).status_code == 200
    rates = bob.get(BASE + "/rates").json()
    assert rates["in_service"] == {"total": 2, "reported": 1, "pending": 0, "percent": 50.0}
    by_unit = {r["name"]: r["rate"]["percent"] for r in rates["by_unit"]}
    assert by_unit["梁溪区税务局机关党支部"] == 50.0
    missing = bob.get(BASE + f"/rates/not-reported?unit={pw.tax_org.pk}").json()
    assert [m["name"] for m in missing] == ["李外住"]
    assert zhang.get(BASE + "/me").json()["reports"][0]["status"] == ReportStatus.CONFIRMED


def test_errors_are_chinese_and_change_nothing(pw: PartyWorld) -> None:
    bob = client_for(pw.city.bob)
    before = counts()
    response = post(bob, "/reports", {"member_id": pw.li.pk, "pledges": ["x"]})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and "居住地" in body["message"]
    response = post(bob, "/members", {"name": "", "category": "in_service"})
    assert response.status_code == 422 and "name" in response.json()["detail"]
    assert counts() == before


def test_the_outsider_gets_nothing(pw: PartyWorld) -> None:
    post(client_for(pw.zhang_user), "/me/report", {"pledges": ["助老"]})
    carol = client_for(pw.city.carol)
    assert carol.get(BASE + "/members").json() == {"count": 0, "results": []}
    assert carol.get(BASE + "/reports").json()["count"] == 0
    assert carol.get(BASE + f"/members/{pw.zhang.pk}").status_code == 404
    assert carol.get(BASE + "/organisations").json() == [
        {**o, "id": o["id"]}
        for o in carol.get(BASE + "/organisations").json()
        if o["name"] == "通江社区大党委"
    ]
    before = counts()
    report = MemberReport.objects.get()
    assert post(carol, f"/reports/{report.pk}/confirm", {}).status_code == 404
    response = post(
        carol,
        "/agreements",
        {"unit_id": pw.shop_b.pk, "community_id": pw.city.comm_a1.pk, "signed_on": "2024-01-01"},
    )
    assert response.status_code == 404  # A1 is not a place carol sees
    assert counts() == before


def test_lists_needs_orders_and_figures(pw: PartyWorld) -> None:
    bob = client_for(pw.city.bob)
    response = post(
        bob,
        "/needs",
        {
            "node_id": pw.city.grid_a1_1.pk,
            "title": "独居老人助餐",
            "category": NeedCategory.ELDERLY,
            "source": NeedSource.COUNCIL,
            "source_ref": "胜利门党群议事会",
            "lon": 120.305,
            "lat": 31.575,
        },
    )
    assert response.status_code == 201
    need = response.json()
    post(
        bob,
        "/resources",
        {"node_id": pw.city.grid_a1_1.pk, "kind": "volunteers", "title": "助老志愿队", "unit_id": pw.tax.pk},
    )
    suggestions = bob.get(BASE + f"/needs/{need['id']}/suggestions").json()
    assert [s["title"] for s in suggestions] == ["助老志愿队"]
    order = post(bob, f"/needs/{need['id']}/orders", {"unit_id": pw.tax.pk})
    assert order.status_code == 201 and order.json()["taker_kind"] == "unit"
    project = post(
        bob,
        "/projects",
        {
            "need_id": need["id"],
            "title": "助餐点",
            "owner_name": "钱主任",
            "starts_on": "2024-01-01",
            "ends_on": "2024-12-31",
        },
    )
    assert project.status_code == 201
    figures = bob.get(BASE + "/figures").json()
    assert figures["projects"]["planned"] == 1 and {g["grid_name"] for g in figures["grids"]} >= {
        "胜利门一网格"
    }
    assert figures["coverage_percent"] == 50.0  # one of A1's two grids has a branch
    alliance = post(bob, "/alliances", {"node_id": pw.city.comm_a1.pk, "name": "胜利门联盟"})
    joined = post(
        bob,
        f"/alliances/{alliance.json()['id']}/units",
        {"unit_id": pw.tax.pk, "joined_on": str(date.today())},
    )
    assert joined.status_code == 201
    assert bob.get(BASE + "/committees").json()[0]["name"] == "胜利门社区大党委"
