"""The red property API under /api/v1/property/: the same services, cut to the caller's scope."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from civicgrid.accounts.models import User
from civicgrid.accounts.services import api_token_create
from civicgrid.core.models import AuditLog
from civicgrid.property.models import CommitteeMember, CreditEntry, Inspection, ServiceContract
from civicgrid.property.tests.conftest import World, audit_count, today

BASE = "/api/v1/property"


class Api:
    def __init__(self, user: User) -> None:
        _, token = api_token_create(actor=None, system=True, user=user, name="测试")
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"{BASE}{path}", params, headers=self.headers)

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(f"{BASE}{path}", body, "application/json", headers=self.headers)

    def put(self, path: str, body: Any) -> Any:
        return self.client.put(f"{BASE}{path}", body, "application/json", headers=self.headers)


def test_contracts_are_created_listed_and_ended_through_the_api(world: World) -> None:
    bob = Api(world.city.bob)
    start = (today() - timedelta(days=30)).isoformat()
    answer = bob.post(
        "/contracts", {"compound_id": world.shengli.pk, "company_id": world.lvcheng.pk, "starts_on": start}
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (
        body["company"] == "梁溪绿城物业"
        and body["compound_id"] == world.shengli.pk
        and body["ends_on"] is None
    )
    again = bob.post(
        "/contracts", {"compound_id": world.shengli.pk, "company_id": world.anju.pk, "starts_on": start}
    )
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    assert bob.get("/contracts", open="true").json()["count"] == 1
    assert Api(world.city.carol).get("/contracts").json() == {"count": 0, "results": []}
    assert Api(world.city.carol).get(f"/contracts/{body['id']}").status_code == 404
    stale = bob.post(
        f"/contracts/{body['id']}/end",
        {"ends_on": today().isoformat(), "reason": "expired", "expected_version": 5},
    )
    assert stale.status_code == 409
    ended = bob.post(f"/contracts/{body['id']}/end", {"ends_on": today().isoformat(), "reason": "expired"})
    assert (
        ended.status_code == 200 and ended.json()["exit_reason"] == "expired" and ended.json()["version"] == 1
    )


def test_bad_api_input_names_the_field_in_chinese_and_changes_nothing(world: World) -> None:
    bob = Api(world.city.bob)
    before = audit_count()
    answer = bob.post(
        "/contracts", {"compound_id": world.shengli.pk, "company_id": world.lvcheng.pk, "starts_on": "明天"}
    )
    assert answer.status_code == 422
    assert answer.json()["detail"] == {"starts_on": ["进驻日期应为日期（YYYY-MM-DD）"]}
    world.start()
    answer = bob.post(
        "/inspections",
        {
            "compound_id": world.shengli.pk,
            "inspected_on": today().isoformat(),
            "items": {"safety": {"deduction": 7}},
        },
    )
    assert answer.status_code == 422 and answer.json()["detail"] == {
        "items.safety": ["安全管理扣分应为0到3之间的整数"]
    }
    answer = bob.post(
        "/inspections",
        {
            "compound_id": world.shengli.pk,
            "inspected_on": today().isoformat(),
            "items": {"safety": {"deduction": True}},
        },
    )
    assert answer.status_code == 422
    assert (
        not Inspection.objects.exists() and not CreditEntry.objects.exists() and audit_count() == before + 1
    )


def test_an_inspection_through_the_api_moves_the_companys_score(world: World) -> None:
    world.start()
    bob = Api(world.city.bob)
    answer = bob.post(
        "/inspections",
        {
            "compound_id": world.shengli.pk,
            "inspected_on": today().isoformat(),
            "items": {"environment": {"deduction": 3, "note": "垃圾满溢"}, "party": {"deduction": 1}},
        },
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["total_deduction"] == 4 and body["company_id"] == world.lvcheng.pk and len(body["items"]) == 8
    assert bob.get(f"/inspections/{body['id']}").json()["inspector"] == "李明"
    company = bob.get(f"/companies/{world.lvcheng.pk}").json()
    assert company["score"] == 96 and company["board_list"] == "red" and len(company["compounds_served"]) == 1
    credit = bob.get("/credit", company=world.lvcheng.pk).json()
    assert credit["score"] == 96 and credit["results"][0]["points"] == -4
    board = bob.get("/board").json()
    assert [(r["company"], r["score"]) for r in board["rows"]] == [("梁溪绿城物业", 96)]
    assert Api(world.city.carol).get(f"/companies/{world.lvcheng.pk}").status_code == 404


def test_awards_through_the_api_are_for_the_district_and_subdistrict(world: World) -> None:
    c = world.city
    world.start()
    body = {
        "company_id": world.lvcheng.pk,
        "node_id": c.sub_a.pk,
        "year": today().year,
        "points": 5,
        "reason": "示范点",
    }
    assert Api(c.bob).post("/credit", body).status_code == 403
    answer = Api(world.hank).post("/credit", body)
    assert answer.status_code == 201 and answer.json()["score"] == 105
    answer = Api(world.hank).post("/credit", {**body, "points": "5"})
    assert answer.status_code == 422 and answer.json()["detail"] == {"points": ["分值应为整数"]}
    assert CreditEntry.objects.count() == 1
    profile = Api(c.bob).put(
        f"/companies/{world.lvcheng.pk}/profile", {"party_instructor": "刘指导", "has_party_branch": True}
    )
    assert profile.status_code == 200 and profile.json()["party_instructor"] == "刘指导"


def test_committees_and_the_candidate_check_through_the_api(world: World) -> None:
    bob = Api(world.city.bob)
    answer = bob.post(
        "/committees",
        {
            "compound_id": world.shengli.pk,
            "term_starts_on": (today() - timedelta(days=5)).isoformat(),
            "term_ends_on": (today() + timedelta(days=900)).isoformat(),
        },
    )
    assert answer.status_code == 201, answer.json()
    committee = answer.json()["id"]
    refused = bob.post(
        f"/committees/{committee}/members",
        {"name": "钱欠费", "post": "member", "negative_items": ["dishonest"]},
    )
    assert refused.status_code == 422
    assert refused.json()["detail"] == {
        "negative_items": ["候选人存在负面清单情形：失信被执行人，不能成为业委会成员"]
    }
    assert not CommitteeMember.objects.exists()
    joined = bob.post(
        f"/committees/{committee}/members",
        {"resident_id": world.zhou.pk, "post": "chair", "negative_items": []},
    )
    assert joined.status_code == 201 and joined.json()["name"] == "周业主"
    detail = bob.get(f"/committees/{committee}").json()
    assert [m["post"] for m in detail["members"]] == ["chair"]
    assert bob.get("/committees", compound=world.shengli.pk).json()["count"] == 1
    assert Api(world.city.carol).get(f"/committees/{committee}").status_code == 404
    assert next(i["value"] for i in bob.get("/negative-list").json()) == "arrears"
    assert sum(i["max_deduction"] for i in bob.get("/checklist").json()) == 20


# The board answers 403 instead, as its page does (test_propfix_names_terms.py).
@pytest.mark.parametrize("path", ["/contracts", "/companies", "/inspections", "/committees"])
def test_lists_answer_an_account_without_scope_with_nothing(world: World, path: str) -> None:
    world.start()
    answer = Api(world.city.olivia).get(path)  # a hotline operator: no PROPERTY_VIEW
    assert answer.status_code == 200
    body = answer.json()
    assert body.get("count", 0) == 0 and body.get("rows", []) == []


def test_no_write_leaves_an_audit_row_for_a_refused_call(world: World) -> None:
    carol = Api(world.city.carol)
    before = AuditLog.objects.count()
    answer = carol.post(
        "/contracts",
        {"compound_id": world.shengli.pk, "company_id": world.lvcheng.pk, "starts_on": today().isoformat()},
    )
    assert answer.status_code == 404  # carol does not see the compound
    assert AuditLog.objects.count() == before and not ServiceContract.objects.exists()
