"""What stops when a resident leaves the register (registry.services._left_consequences):
a dead person's own sign-in, their care plans (gridwork) and their volunteer record with
its sign-ups (volunteers), all in the registry's transaction, said on the page and in the
audit row; a refused leaving stops nothing."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.core.errors import ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.gridwork import services as gridwork
from civicgrid.gridwork.models import CarePlan
from civicgrid.notify.models import Notification
from civicgrid.registry import services as registry
from civicgrid.registry.models import Resident
from civicgrid.volunteers import services
from civicgrid.volunteers.constants import SignupStatus, VolunteerStatus
from civicgrid.volunteers.models import Signup, Volunteer
from civicgrid.volunteers.tests.conftest import People

pytestmark = pytest.mark.django_db


def signed_up_with_plan(people: People) -> tuple[Resident, CarePlan]:
    """王阿婆 (alone, elderly; own H5 sign-in) volunteers, has a sign-up and a care plan."""
    c = people.city
    v = services.volunteer_register(actor=c.bob, resident=people.r_wangapo)
    if v.status != VolunteerStatus.APPROVED:
        services.volunteer_decide(actor=c.bob, volunteer=v, approve=True)
    services.activity_signup(actor=people.wangapo, activity=people.activity())
    plan = gridwork.care_plan_create(actor=c.bob, resident=people.r_wangapo)
    return people.r_wangapo, plan


def test_a_death_stops_the_sign_in_the_care_plan_and_the_volunteer_without_an_sms(people: People) -> None:
    resident, plan = signed_up_with_plan(people)
    sent_before = Notification.objects.count()
    day = timezone.localdate() - timedelta(days=2)
    left = registry.resident_update(
        actor=people.city.bob, resident=resident, is_active=False, left_reason="deceased", left_on=day
    )
    assert left.left_consequences[0] == "居民账号已停用"
    assert set(left.left_consequences[1:]) == {"结束关爱走访计划 1 项", "志愿者资格已暂停，取消活动报名 1 项"}
    people.wangapo.refresh_from_db()
    assert people.wangapo.is_active is False
    plan.refresh_from_db()
    assert (plan.is_active, plan.ended_on, plan.note) == (False, day, f"居民已故（{day.isoformat()}）")
    volunteer = Volunteer.objects.get(resident=resident)
    assert volunteer.status == VolunteerStatus.SUSPENDED
    assert volunteer.decision_note == f"居民已故（{day.isoformat()}）"
    assert not Signup.objects.filter(
        volunteer=volunteer, status__in=[SignupStatus.CONFIRMED, SignupStatus.WAITLISTED]
    ).exists()
    assert Notification.objects.count() == sent_before  # nobody is texted about a death
    row = AuditLog.objects.get(verb="registry.resident_updated", target_id=str(resident.pk))
    assert (row.after or {})["left_consequences"] == list(left.left_consequences)
    assert AuditLog.objects.filter(verb="accounts.user_changed", target_id=str(people.wangapo.pk)).exists()
    assert AuditLog.objects.filter(verb="gridwork.care_plan_ended", target_id=str(plan.pk)).exists()
    # The account no longer signs in.
    assert not Client().login(username="wangapo", password="demo12345")


def test_moving_away_keeps_the_sign_in_to_follow_requests(people: People) -> None:
    resident, plan = signed_up_with_plan(people)
    left = registry.resident_update(
        actor=people.city.bob,
        resident=resident,
        is_active=False,
        left_reason="moved_out",
        left_note="迁往苏州",
    )
    assert "居民账号已停用" not in left.left_consequences
    assert "结束关爱走访计划 1 项" in left.left_consequences
    people.wangapo.refresh_from_db()
    assert people.wangapo.is_active is True
    plan.refresh_from_db()
    assert plan.is_active is False and plan.note.startswith("居民已迁出（")
    assert Volunteer.objects.get(resident=resident).status == VolunteerStatus.SUSPENDED
    # Back in the register: nothing more stops, nothing is restarted behind the worker's back.
    back = registry.resident_update(actor=people.city.bob, resident=resident, is_active=True)
    assert back.left_consequences == ()
    assert Volunteer.objects.get(resident=resident).status == VolunteerStatus.SUSPENDED


def test_a_refused_leaving_stops_nothing(people: People) -> None:
    resident, plan = signed_up_with_plan(people)
    with pytest.raises(ValidationError) as exc:
        registry.resident_update(
            actor=people.city.bob,
            resident=resident,
            is_active=False,
            left_reason="deceased",
            left_on=timezone.localdate() + timedelta(days=1),
        )
    assert "left_on" in exc.value.errors
    plan.refresh_from_db()
    people.wangapo.refresh_from_db()
    assert plan.is_active and people.wangapo.is_active
    assert Volunteer.objects.get(resident=resident).status == VolunteerStatus.APPROVED


def test_the_page_says_what_stopped(people: People) -> None:
    resident, _plan = signed_up_with_plan(people)
    browser = Client()
    browser.force_login(people.city.bob)
    resident.refresh_from_db()
    response = browser.post(
        f"/registry/residents/{resident.pk}/move-out/",
        {
            "active": "0",
            "left_reason": "deceased",
            "left_on": timezone.localdate().isoformat(),
            "updated_at": resident.updated_at.isoformat(),
        },
        follow=True,
    )
    text = response.content.decode()
    assert "已办理：已故；居民账号已停用；" in text
    assert "结束关爱走访计划 1 项" in text and "志愿者资格已暂停，取消活动报名 1 项" in text


def test_a_grid_workers_death_report_approved_by_the_community(people: People) -> None:
    from civicgrid.accounts import services as accounts
    from civicgrid.accounts.models import Role
    from civicgrid.conftest import make_user

    c = people.city
    resident, plan = signed_up_with_plan(people)
    worker = make_user("ivan", "伊万")
    accounts.role_grant(actor=None, system=True, user=worker, role=Role.GRID_WORKER, node=c.grid_a1_1)
    proposal = gridwork.proposal_submit(
        actor=worker,
        client_key="prop-died",
        data=gridwork.ProposalIn(kind="deceased", resident=resident, reason="11月20日病故，家属告知"),
    ).entry
    assert proposal.summary == "人员死亡：王*婆"
    done = gridwork.proposal_approve(actor=c.bob, proposal=proposal, note="已核实")
    resident.refresh_from_db()
    assert (resident.is_active, resident.left_reason, resident.left_note) == (
        False,
        "deceased",
        "11月20日病故，家属告知",
    )
    assert "居民账号已停用" in done.result["stopped"]
    plan.refresh_from_db()
    assert plan.is_active is False
    # A second report of the same death is refused: the resident is no longer registered.
    with pytest.raises(ValidationError, match="不在册"):
        gridwork.proposal_submit(
            actor=worker,
            client_key="prop-died-2",
            data=gridwork.ProposalIn(kind="deceased", resident=resident, reason="again"),
        )
