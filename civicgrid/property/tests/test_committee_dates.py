"""An existing committee is entered as it really is: members with their joining day (within
the term, not in the future), departures from that day, members of an ended term, and a
term whose dates are corrected (audited, within the members' days, not overlapping)."""

from datetime import date, timedelta

import pytest

from civicgrid.core.errors import ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.property import services
from civicgrid.property.constants import MemberEndReason, Verb
from civicgrid.property.models import CommitteeMember, OwnersCommittee
from civicgrid.property.tests.conftest import World, audit_count, today
from civicgrid.registry import services as registry


def committee(world: World, starts: date, ends: date) -> OwnersCommittee:
    return services.committee_create(
        actor=world.city.bob, compound=world.shengli, term_starts_on=starts, term_ends_on=ends
    )


def add(world: World, found: OwnersCommittee, joined_on: date | None, name: str = "陈涛") -> CommitteeMember:
    return services.committee_member_add(
        actor=world.city.bob,
        committee=found,
        name=name,
        post="member",
        negative_items=[],
        joined_on=joined_on,
    )


def test_a_member_joins_on_a_past_day_and_leaves_before_today(world: World) -> None:
    start = today() - timedelta(days=400)
    found = committee(world, start, start + timedelta(days=1000))
    member = add(world, found, start + timedelta(days=10))
    assert member.joined_on == start + timedelta(days=10)
    ended = services.committee_member_end(
        actor=world.city.bob,
        member=member,
        ended_on=start + timedelta(days=20),
        reason=MemberEndReason.RESIGNED,
    )
    assert ended.ended_on == start + timedelta(days=20)
    assert add(world, found, None, "李明").joined_on == today()  # by default today


def test_the_joining_day_is_within_the_term_and_not_in_the_future(world: World) -> None:
    start = today() - timedelta(days=400)
    found = committee(world, start, start + timedelta(days=1000))
    before = audit_count()
    for day in (start - timedelta(days=1), today() + timedelta(days=1)):
        with pytest.raises(ValidationError) as refused:
            add(world, found, day)
        assert list(refused.value.errors) == ["joined_on"]
    assert not CommitteeMember.objects.exists() and audit_count() == before
    member = add(world, found, start + timedelta(days=5))
    with pytest.raises(ValidationError) as refused:
        services.committee_member_end(
            actor=world.city.bob, member=member, ended_on=start + timedelta(days=4), reason="resigned"
        )
    assert "加入日期" in refused.value.errors["ended_on"][0]


def test_an_ended_term_is_entered_as_it_was(world: World) -> None:
    old = committee(world, date(2015, 1, 1), date(2019, 12, 31))
    member = add(world, old, date(2015, 3, 1))
    services.committee_member_end(
        actor=world.city.bob, member=member, ended_on=date(2019, 12, 31), reason=MemberEndReason.TERM_ENDED
    )
    assert CommitteeMember.objects.get().ended_on == date(2019, 12, 31)


def test_age_is_checked_on_the_joining_day(world: World) -> None:
    start = today() - timedelta(days=400)
    found = committee(world, start, start + timedelta(days=1000))
    # Eighteen a month ago: of age today, not yet on the first day of the term.
    born = date(today().year - 18, today().month, 1) - timedelta(days=31)
    young = registry.resident_create(actor=world.city.bob, node=world.shengli, name="小陈", birth_date=born)
    with pytest.raises(ValidationError) as refused:
        services.committee_member_add(
            actor=world.city.bob,
            committee=found,
            name="",
            post="member",
            negative_items=[],
            resident=young,
            joined_on=start,
        )
    assert "resident" in refused.value.errors


def test_a_term_is_corrected_with_a_reason_within_its_members_and_other_terms(world: World) -> None:
    c = world.city
    older = committee(world, date(2015, 1, 1), date(2019, 12, 31))
    found = committee(world, date(2021, 6, 1), date(2025, 5, 31))
    member = add(world, found, date(2021, 7, 1))
    before = audit_count()
    with pytest.raises(ValidationError) as refused:
        services.committee_term_correct(
            actor=c.bob,
            committee=found,
            term_starts_on=date(2019, 6, 1),
            term_ends_on=date(2024, 5, 31),
            reason="x",
        )
    assert "重叠" in refused.value.errors["term_starts_on"][0]
    with pytest.raises(ValidationError) as refused:
        services.committee_term_correct(
            actor=c.bob,
            committee=found,
            term_starts_on=date(2021, 8, 1),
            term_ends_on=date(2025, 5, 31),
            reason="x",
        )
    assert "陈涛" in refused.value.errors["term_starts_on"][0]
    with pytest.raises(ValidationError) as refused:
        services.committee_term_correct(
            actor=c.bob,
            committee=found,
            term_starts_on=date(2021, 1, 1),
            term_ends_on=date(2025, 5, 31),
            reason="",
        )
    assert refused.value.errors == {"reason": ["请填写更正原因"]}
    assert (
        OwnersCommittee.objects.get(pk=found.pk).term_starts_on == date(2021, 6, 1)
        and audit_count() == before
    )
    fixed = services.committee_term_correct(
        actor=c.bob,
        committee=found,
        term_starts_on=date(2021, 1, 1),
        term_ends_on=date(2025, 12, 31),
        reason="按选举公告更正",
    )
    assert (fixed.term_starts_on, fixed.term_ends_on) == (date(2021, 1, 1), date(2025, 12, 31))
    log = AuditLog.objects.get(verb=Verb.COMMITTEE_TERM_CORRECTED)
    assert log.before == {"term_starts_on": "2021-06-01", "term_ends_on": "2025-05-31"}
    assert log.after is not None and log.after["reason"] == "按选举公告更正"
    assert older.pk != fixed.pk and member.committee_id == fixed.pk
