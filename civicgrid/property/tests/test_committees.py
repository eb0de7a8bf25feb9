"""Owners' committees (业委会) and the negative-list check of their candidates (负面清单)."""

from datetime import date, timedelta

import pytest

from civicgrid.core.errors import PermissionDenied, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.property import selectors, services
from civicgrid.property.constants import CommitteePost, Verb
from civicgrid.property.models import CommitteeMember, OwnersCommittee
from civicgrid.property.tests.conftest import World, audit_count, today


def committee(world: World, starts: date | None = None, ends: date | None = None) -> OwnersCommittee:
    starts = starts or today() - timedelta(days=100)
    ends = ends or starts + timedelta(days=5 * 365)
    return services.committee_create(
        actor=world.city.bob, compound=world.shengli, term_starts_on=starts, term_ends_on=ends
    )


def test_the_community_registers_a_committee_term(world: World) -> None:
    found = committee(world)
    assert found.node == world.shengli and selectors.current_committee(world.shengli, today()) == found
    assert AuditLog.objects.filter(verb=Verb.COMMITTEE_CREATED, target_id=str(found.pk)).exists()


def test_a_term_must_be_sound_and_not_overlap_another(world: World) -> None:
    c = world.city
    first = committee(world)
    before = audit_count()
    with pytest.raises(ValidationError) as exc:
        committee(world, starts=first.term_starts_on + timedelta(days=10))
    assert "重叠" in exc.value.errors["term_starts_on"][0]
    with pytest.raises(ValidationError) as exc:
        services.committee_create(
            actor=c.bob,
            compound=world.shengli,
            term_starts_on=date(2010, 1, 1),
            term_ends_on=date(2016, 1, 2),
        )
    assert exc.value.errors == {"term_ends_on": ["业委会任期最长5年"]}
    with pytest.raises(ValidationError) as exc:
        services.committee_create(
            actor=c.bob,
            compound=world.shengli,
            term_starts_on=date(2010, 1, 1),
            term_ends_on=date(2010, 1, 1),
        )
    assert exc.value.errors == {"term_ends_on": ["任期结束应晚于任期开始"]}
    with pytest.raises(PermissionDenied):
        services.committee_create(
            actor=c.carol,
            compound=world.shengli,
            term_starts_on=date(2010, 1, 1),
            term_ends_on=date(2012, 1, 1),
        )
    assert OwnersCommittee.objects.count() == 1 and audit_count() == before


def test_a_candidate_with_nothing_on_the_negative_list_joins(world: World) -> None:
    found = committee(world)
    member = services.committee_member_add(
        actor=world.city.bob,
        committee=found,
        name="周业主",
        post=CommitteePost.CHAIR,
        resident=world.zhou,
        is_party_member=True,
        negative_items=[],
    )
    assert member.checked_by == world.city.bob and member.is_party_member
    row = AuditLog.objects.get(verb=Verb.MEMBER_ADDED)
    assert row.after is not None and row.after["negative_list_checked"][0] == "arrears"


def test_a_candidate_on_the_negative_list_is_refused_with_the_reason_named(world: World) -> None:
    found = committee(world)
    before = audit_count()
    with pytest.raises(ValidationError) as exc:
        services.committee_member_add(
            actor=world.city.bob,
            committee=found,
            name="钱欠费",
            post=CommitteePost.MEMBER,
            negative_items=["arrears", "conflict"],
        )
    assert exc.value.errors == {
        "negative_items": [
            "候选人存在负面清单情形：欠缴物业费、在本小区物业公司任职或有利害关系，不能成为业委会成员"
        ]
    }
    with pytest.raises(ValidationError) as exc:
        services.committee_member_add(
            actor=world.city.bob, committee=found, name="", post="boss", negative_items=["gossip"]
        )
    assert exc.value.errors == {
        "name": ["请填写姓名"],
        "post": ["请选择有效的职务"],
        "negative_items": ["未知的负面清单项目：gossip"],
    }
    assert not CommitteeMember.objects.exists() and audit_count() == before


def test_one_chair_one_seat_per_resident_and_only_staff_of_the_compound(world: World) -> None:
    c = world.city
    found = committee(world)
    services.committee_member_add(
        actor=c.bob, committee=found, name="周业主", post="chair", resident=world.zhou, negative_items=[]
    )
    with pytest.raises(ValidationError) as exc:
        services.committee_member_add(
            actor=c.bob, committee=found, name="吴二", post="chair", negative_items=[]
        )
    assert exc.value.errors == {"post": ["该届业委会已有主任"]}
    with pytest.raises(ValidationError) as exc:
        services.committee_member_add(
            actor=c.bob, committee=found, name="周业主", post="member", resident=world.zhou, negative_items=[]
        )
    assert exc.value.errors == {"resident": ["该居民已是本届业委会成员"]}
    with pytest.raises(PermissionDenied):
        services.committee_member_add(
            actor=c.carol, committee=found, name="吴二", post="member", negative_items=[]
        )
    assert CommitteeMember.objects.count() == 1


def test_no_member_joins_an_ended_term_after_its_end(world: World) -> None:
    # Joining today (the default) is after the term: refused on the joining date.
    old = committee(world, starts=date(2015, 1, 1), ends=date(2019, 12, 31))
    with pytest.raises(ValidationError) as refused:
        services.committee_member_add(
            actor=world.city.bob, committee=old, name="吴二", post="member", negative_items=[]
        )
    assert "joined_on" in refused.value.detail
    assert not CommitteeMember.objects.exists()
    assert selectors.current_committee(world.shengli, today()) is None
