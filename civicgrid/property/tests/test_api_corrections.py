"""The corrections through the API: the same services as the pages (冲正, 作废, 撤销录入,
更正任期, 关联居民档案, joining dates), each refusal as the pages give it."""

from datetime import date, timedelta

from civicgrid.core.models import AuditLog
from civicgrid.property.constants import Verb
from civicgrid.property.tests.conftest import World, today
from civicgrid.property.tests.test_api import Api
from civicgrid.property.tests.test_subdistrict_staff import subdistrict_handler


def test_a_contract_and_an_inspection_are_voided_and_an_entry_reversed(world: World) -> None:
    bob, dave = Api(world.city.bob), Api(world.city.dave)
    start = (today() - timedelta(days=30)).isoformat()
    contract = bob.post(
        "/contracts", {"compound_id": world.shengli.pk, "company_id": world.lvcheng.pk, "starts_on": start}
    ).json()
    inspected = bob.post(
        "/inspections",
        {
            "compound_id": world.shengli.pk,
            "inspected_on": today().isoformat(),
            "items": {"safety": {"deduction": 2}},
        },
    ).json()
    refused = bob.post(f"/contracts/{contract['id']}/void", {"reason": "误录"})
    assert refused.status_code == 409 and "请先作废" in refused.json()["message"]
    assert bob.post(f"/inspections/{inspected['id']}/void", {"reason": ""}).status_code == 422
    voided = bob.post(f"/inspections/{inspected['id']}/void", {"reason": "误录"})
    assert voided.status_code == 200 and voided.json()["voided_at"] and voided.json()["void_reason"] == "误录"
    done = bob.post(f"/contracts/{contract['id']}/void", {"reason": "误录", "expected_version": 0})
    assert done.status_code == 200 and done.json()["voided_at"] is not None
    assert (
        bob.post(
            "/contracts", {"compound_id": world.shengli.pk, "company_id": world.anju.pk, "starts_on": start}
        ).status_code
        == 201
    )
    award = dave.post(
        "/credit",
        {
            "company_id": world.anju.pk,
            "node_id": world.city.district.pk,
            "year": today().year,
            "points": 5,
            "reason": "示范",
        },
    ).json()["results"][0]
    # a district row lies outside the community's scope
    assert bob.post(f"/credit/{award['id']}/reverse", {"reason": "误录"}).status_code == 404
    reversed_ = dave.post(f"/credit/{award['id']}/reverse", {"reason": "误录"})
    assert reversed_.status_code == 201 and reversed_.json()["score"] == 100
    assert {r["reverses_id"] for r in reversed_.json()["results"]} == {None, award["id"]}
    assert (
        AuditLog.objects.filter(
            verb__in=[Verb.INSPECTION_VOIDED, Verb.CONTRACT_VOIDED, Verb.CREDIT_REVERSED]
        ).count()
        == 3
    )


def test_a_committee_is_entered_as_it_was_and_a_member_linked(world: World) -> None:
    liu = Api(subdistrict_handler(world))
    committee = liu.post(
        "/committees",
        {"compound_id": world.shengli.pk, "term_starts_on": "2015-01-01", "term_ends_on": "2019-12-31"},
    ).json()
    member = liu.post(
        f"/committees/{committee['id']}/members",
        {"name": "周某", "post": "member", "negative_items": [], "joined_on": "2016-03-01"},
    )
    assert member.status_code == 201 and member.json()["joined_on"] == "2016-03-01"
    linked = liu.post(
        f"/committees/{committee['id']}/members/{member.json()['id']}/resident",
        {"resident_id": world.zhou.pk},
    )
    assert linked.status_code == 200 and linked.json()["resident_id"] == world.zhou.pk
    refused = liu.post(
        f"/committees/{committee['id']}/term",
        {"term_starts_on": "2016-06-01", "term_ends_on": "2019-12-31", "reason": "更正"},
    )
    assert refused.status_code == 422
    fixed = liu.post(
        f"/committees/{committee['id']}/term",
        {"term_starts_on": "2015-02-01", "term_ends_on": "2020-01-31", "reason": "更正"},
    )
    assert fixed.status_code == 200 and fixed.json()["term_starts_on"] == str(date(2015, 2, 1))
