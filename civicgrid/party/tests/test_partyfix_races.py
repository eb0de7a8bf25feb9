"""Two creates at once on PostgreSQL: the same member, the same alliance. The node's row lock
makes the second wait for the first and then see it: one is made, one is refused by name."""

from typing import Any

import pytest

from civicgrid.conftest import City
from civicgrid.core.errors import ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.party.constants import MemberCategory, Verb
from civicgrid.party.models import Alliance, PartyMember
from civicgrid.party.services import alliances, organisations
from civicgrid.party.tests.conftest import build_party_world
from civicgrid.territory.tests.threads import postgres_only, run_at_once, slow_audit

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def one_made_one_refused(results: list[Any], model: type) -> ValidationError:
    made = [r for r in results if isinstance(r, model)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(made) == 1 and len(refused) == 1, results
    return refused[0]


def test_the_same_member_created_twice_at_once_is_kept_once(city: City, monkeypatch: Any) -> None:
    pw = build_party_world(city)
    reached = slow_audit(monkeypatch, organisations)

    def create() -> Any:
        return organisations.member_create(
            actor=city.bob, name="测试甲", category=MemberCategory.COMMUNITY, organisation=pw.branch
        )

    refused = one_made_one_refused(run_at_once(create, create, after=reached), PartyMember)
    assert "已有党员“测试甲”" in refused.errors["name"][0]
    assert PartyMember.objects.filter(name="测试甲").count() == 1
    assert AuditLog.objects.filter(verb=Verb.MEMBER_CREATED, after__name="测试甲").count() == 1


def test_the_same_alliance_created_twice_at_once_is_kept_once(city: City, monkeypatch: Any) -> None:
    build_party_world(city)
    reached = slow_audit(monkeypatch, alliances)

    def create() -> Any:
        return alliances.alliance_create(actor=city.bob, node=city.comm_a1, name="胜利门红色联盟")

    refused = one_made_one_refused(run_at_once(create, create, after=reached), Alliance)
    assert "已有党建联盟“胜利门红色联盟”" in refused.errors["name"][0]
    assert Alliance.objects.filter(name="胜利门红色联盟").count() == 1
    assert AuditLog.objects.filter(verb=Verb.ALLIANCE_CREATED).count() == 1
