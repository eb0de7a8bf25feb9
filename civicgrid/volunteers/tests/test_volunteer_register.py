"""Registration by the resident or the community, approval, profile, teams."""

from typing import Any

import pytest

from civicgrid.core.errors import Conflict, PermissionDenied, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.notify.models import Notification
from civicgrid.volunteers import services
from civicgrid.volunteers.constants import TeamColour, Verb, VolunteerKind, VolunteerStatus
from civicgrid.volunteers.models import Team, TeamMember, Volunteer
from civicgrid.volunteers.tests.conftest import People, make_resident

pytestmark = pytest.mark.django_db


def test_a_resident_registers_and_the_community_approves(people: People) -> None:
    c = people.city
    resident = make_resident(c, "赵红梅", c.building_a1, "13800000011", "zhaohm")
    me = resident.account.user
    v = services.volunteer_register(
        actor=me, resident=resident, skills=["legal"], availability=["weekend"], service_area=c.grid_a1_1
    )
    assert v.status == VolunteerStatus.PENDING and v.community == c.comm_a1 and v.node == c.grid_a1_1
    assert [s.code for s in v.skills.all()] == ["legal"] and v.availability == ["weekend"]
    v = services.volunteer_decide(actor=c.bob, volunteer=v, approve=True)
    assert v.status == VolunteerStatus.APPROVED and v.decided_by == c.bob
    assert AuditLog.objects.filter(verb=Verb.VOLUNTEER_APPROVED, target_id=str(v.pk)).count() == 1
    assert Notification.objects.filter(recipient_user=me, subject="志愿者注册审核结果").exists()


def test_staff_registration_is_approved_at_once(people: People) -> None:
    assert people.v_zhang.status == VolunteerStatus.APPROVED
    assert people.v_zhang.decided_by == people.city.bob


def test_rejecting_needs_a_reason_and_the_resident_may_apply_again(people: People) -> None:
    c = people.city
    resident = make_resident(c, "钱多多", c.building_a1, "13800000012", "qian")
    v = services.volunteer_register(actor=resident.account.user, resident=resident)
    with pytest.raises(ValidationError) as err:
        services.volunteer_decide(actor=c.bob, volunteer=v, approve=False)
    assert "原因" in err.value.message
    v = services.volunteer_decide(actor=c.bob, volunteer=v, approve=False, note="请先参加志愿者培训")
    assert v.status == VolunteerStatus.REJECTED
    again = services.volunteer_register(actor=resident.account.user, resident=resident, intro="已参加培训")
    assert again.pk == v.pk and again.status == VolunteerStatus.PENDING
    with pytest.raises(ValidationError):
        services.volunteer_register(actor=resident.account.user, resident=resident)
    with pytest.raises(Conflict):
        services.volunteer_decide(actor=c.bob, volunteer=people.v_zhang, approve=True)


def test_unit_staff_serve_where_their_unit_is(people: People) -> None:
    c = people.city
    worker = make_resident(c, "周店员", c.building_b1, "13800000013", "zhoudy")
    with pytest.raises(ValidationError) as err:
        services.volunteer_register(actor=worker.account.user, resident=worker, kind=VolunteerKind.UNIT_STAFF)
    assert "单位" in err.value.message
    v = services.volunteer_register(
        actor=worker.account.user, resident=worker, kind=VolunteerKind.UNIT_STAFF, organisation=people.shop
    )
    assert v.community == c.comm_a1  # the shop's community, not where the clerk lives (B1)


def test_a_resident_registers_only_where_they_live(people: People) -> None:
    c = people.city
    resident = make_resident(c, "吴居民", c.building_a1, "13800000014", "wujm")
    before = AuditLog.objects.count()
    with pytest.raises(ValidationError):
        services.volunteer_register(actor=resident.account.user, resident=resident, community=c.comm_b1)
    with pytest.raises(PermissionDenied):
        services.volunteer_register(actor=people.zhang, resident=resident)
    assert AuditLog.objects.count() == before
    assert not Volunteer.objects.filter(resident=resident).exists()


def test_outsider_cannot_register_approve_or_change(people: People) -> None:
    c = people.city
    resident = make_resident(c, "冯申请", c.building_a1, "13800000015", "feng")
    pending = services.volunteer_register(actor=resident.account.user, resident=resident)
    other = make_resident(c, "褚外人", c.building_a1, "13800000016")
    before = AuditLog.objects.count()
    for call in (
        lambda: services.volunteer_register(actor=c.carol, resident=other),
        lambda: services.volunteer_decide(actor=c.carol, volunteer=pending, approve=True),
        lambda: services.volunteer_suspend(actor=c.carol, volunteer=people.v_zhang, note="x"),
        lambda: services.volunteer_update(actor=c.carol, volunteer=people.v_zhang, intro="x"),
        lambda: services.teams_create_colours(actor=c.carol, community=c.comm_a1),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert AuditLog.objects.count() == before
    pending.refresh_from_db()
    assert pending.status == VolunteerStatus.PENDING


def test_bad_input_changes_nothing(people: People) -> None:
    c = people.city
    resident = make_resident(c, "卫新", c.building_a1, "13800000017")
    before = AuditLog.objects.count()
    with pytest.raises(ValidationError) as err:
        services.volunteer_register(
            actor=c.bob,
            resident=resident,
            skills=["juggling"],
            availability=["midnight"],
            service_area=c.grid_b1_1,
        )
    assert set(err.value.errors) == {"skills", "availability", "service_area"}
    assert "未知技能" in err.value.message
    assert AuditLog.objects.count() == before and not Volunteer.objects.filter(resident=resident).exists()


def test_volunteer_updates_own_profile(people: People) -> None:
    v = services.volunteer_update(
        actor=people.zhang, volunteer=people.v_zhang, skills=["repair"], availability=["weekday_evening"]
    )
    assert [s.code for s in v.skills.all()] == ["repair"] and v.availability == ["weekday_evening"]
    with pytest.raises(PermissionDenied):
        services.volunteer_update(actor=people.li, volunteer=people.v_zhang, intro="不是我的")


def test_the_five_colour_teams(people: People) -> None:
    c = people.city
    created = services.teams_create_colours(actor=c.bob, community=c.comm_a1)
    assert sorted(t.colour for t in created) == sorted(
        [TeamColour.RED, TeamColour.GREEN, TeamColour.BLUE, TeamColour.YELLOW, TeamColour.PURPLE]
    )
    assert services.teams_create_colours(actor=c.bob, community=c.comm_a1) == []
    with pytest.raises(ValidationError):
        services.team_create(actor=c.bob, community=c.comm_a1, name="另一支红队", colour=TeamColour.RED)
    red = Team.objects.get(node=c.comm_a1, colour=TeamColour.RED)
    services.team_member_add(actor=c.bob, team=red, volunteer=people.v_zhang, is_leader=True)
    assert TeamMember.objects.get(team=red, volunteer=people.v_zhang).is_leader
    with pytest.raises(ValidationError):
        services.team_member_add(actor=c.bob, team=red, volunteer=people.v_sun)  # another community
    services.team_member_remove(actor=c.bob, team=red, volunteer=people.v_zhang)
    assert not TeamMember.objects.filter(team=red).exists()


def test_suspended_volunteer(people: People, **_: Any) -> None:
    v = services.volunteer_suspend(actor=people.city.bob, volunteer=people.v_li, note="长期联系不上")
    assert v.status == VolunteerStatus.SUSPENDED
    v = services.volunteer_decide(actor=people.city.bob, volunteer=v, approve=True)
    assert v.status == VolunteerStatus.APPROVED
