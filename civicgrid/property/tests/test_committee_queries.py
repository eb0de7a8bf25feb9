"""The committee list costs the same number of queries for one committee or many."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicgrid.property.models import CommitteeMember, OwnersCommittee
from civicgrid.property.tests.conftest import World
from civicgrid.property.tests.test_api import Api


def committees(world: World, years: range) -> None:
    c = world.city
    for year in years:
        committee = OwnersCommittee.objects.create(
            node=world.shengli,
            node_path=world.shengli.path,
            term_starts_on=date(year, 1, 1),
            term_ends_on=date(year, 12, 31),
        )
        for post, name, resident in [("member", "委员", None), ("chair", "主任", world.zhou)]:
            CommitteeMember.objects.create(
                committee=committee, name=f"{name}{year}", post=post, resident=resident, checked_by=c.bob
            )


def count(api: Api) -> tuple[int, list[dict]]:
    with CaptureQueriesContext(connection) as queries:
        answer = api.get("/committees")
    assert answer.status_code == 200
    return len(queries), answer.json()["results"]


def test_the_committee_list_does_not_query_per_committee(world: World) -> None:
    api = Api(world.city.bob)
    committees(world, range(2001, 2002))
    api.get("/committees")  # the token's first use is written once
    one, results = count(api)
    committees(world, range(2002, 2006))
    five, results = count(api)
    assert len(results) == 5 and five == one
    assert [m["post"] for m in results[0]["members"]] == ["chair", "member"]
