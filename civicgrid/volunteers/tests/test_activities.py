"""Activities: publish, sign up with a waiting line, cancel, check in and out, hours, points, close."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.core.errors import Conflict, PermissionDenied, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.notify.models import Notification
from civicgrid.points import selectors as points
from civicgrid.points.models import Movement
from civicgrid.volunteers import services
from civicgrid.volunteers.constants import ActivityStatus, CheckVia, SignupStatus
from civicgrid.volunteers.models import Activity, Signup, Team, Volunteer
from civicgrid.volunteers.services.activities import hours_served
from civicgrid.volunteers.tests.conftest import People, at, make_resident, shift

pytestmark = pytest.mark.django_db


def test_hours_count_whole_half_hours_within_the_activity(people: People) -> None:
    a = people.activity()  # 3 hours
    assert hours_served(a, at(a, -20), at(a, 180)) == Decimal("3.0")  # early arrival does not count
    assert hours_served(a, at(a, 10), at(a, 100)) == Decimal("1.5")  # 90 minutes
    assert hours_served(a, at(a, 0), at(a, 89)) == Decimal("1.0")  # whole half hours only
    assert hours_served(a, at(a, 0), at(a, 300)) == Decimal("3.0")  # staying late does not count
    assert hours_served(a, at(a, 200), at(a, 240)) == Decimal("0.0")  # after the end


def test_publish_estimates_points_and_refuses_bad_input(people: People) -> None:
    a = people.activity(difficulty=3)
    # Built-in rule of the points app: 10 per hour, +25% per difficulty step: 3 h × 10 × 1.5.
    assert a.points == 45 and a.community == people.city.comm_a1
    before = (AuditLog.objects.count(), Activity.objects.count())
    now = timezone.now()
    with pytest.raises(ValidationError) as err:
        services.activity_publish(
            actor=people.city.bob,
            data=services.NewActivity(
                node=people.city.comm_a1,
                title="",
                place="",
                starts_at=now - timedelta(hours=1),
                ends_at=now,
                quota=0,
                service_type="juggling",
                difficulty=9,
            ),
        )
    assert {"title", "place", "starts_at", "quota", "service_type", "difficulty"} <= set(err.value.errors)
    assert "活动名称不能为空" in err.value.message
    assert (AuditLog.objects.count(), Activity.objects.count()) == before


def test_outsider_cannot_publish_or_act_on_an_activity(people: People) -> None:
    a = people.activity()
    services.activity_signup(actor=people.zhang, activity=a)
    before = AuditLog.objects.count()
    carol = people.city.carol
    for call in (
        lambda: services.activity_publish(
            actor=carol,
            data=services.NewActivity(
                node=people.city.comm_a1,
                title="x",
                place="x",
                starts_at=a.starts_at,
                ends_at=a.ends_at,
                quota=1,
                service_type="culture",
            ),
        ),
        lambda: services.activity_cancel(actor=carol, activity=a, reason="x"),
        lambda: services.activity_signup(actor=carol, activity=a, volunteer=people.v_li),
        lambda: services.activity_check_in(actor=carol, activity=a, volunteer=people.v_zhang),
        lambda: services.activity_close(actor=carol, activity=a),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert AuditLog.objects.count() == before and Activity.objects.count() == 1
    assert Signup.objects.get(activity=a).status == SignupStatus.CONFIRMED


def test_waiting_line_and_promotion(people: People) -> None:
    c = people.city
    a = people.activity(quota=1)
    first = services.activity_signup(actor=people.zhang, activity=a)
    second = services.activity_signup(actor=people.li, activity=a)
    assert (first.status, second.status) == (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)
    with pytest.raises(ValidationError):
        services.activity_signup(actor=people.zhang, activity=a)
    services.activity_signup_cancel(actor=people.zhang, activity=a)
    second.refresh_from_db()
    assert second.status == SignupStatus.CONFIRMED
    assert Notification.objects.filter(recipient_user=people.li, subject="候补转正").exists()
    again = services.activity_signup(actor=people.zhang, activity=a)
    assert again.pk == first.pk and again.status == SignupStatus.WAITLISTED
    with pytest.raises(ValidationError):  # volunteers of another community may join, but must be approved
        services.activity_signup(actor=c.bob, activity=a, volunteer=_pending(people))


def _pending(people: People) -> Volunteer:
    c = people.city
    resident = make_resident(c, "新人", c.building_a1, "13800000021", "xinren")
    return services.volunteer_register(actor=resident.account.user, resident=resident)


def test_skills_are_needed(people: People) -> None:
    a = people.activity(skills=("elderly_care",))
    services.activity_signup(actor=people.zhang, activity=a)
    with pytest.raises(ValidationError) as err:
        services.activity_signup(actor=people.li, activity=a)
    assert "助老陪护" in err.value.message


def test_qr_check_in_and_out_give_hours_and_points(people: People) -> None:
    a = people.activity(quota=2, difficulty=1)
    services.activity_signup(actor=people.zhang, activity=a)
    with pytest.raises(ValidationError):  # too early for the QR code
        services.activity_check_in(actor=people.zhang, activity=a, code=a.check_code)
    a = shift(a, started_ago=timedelta(hours=2))
    with pytest.raises(ValidationError) as err:
        services.activity_check_in(actor=people.zhang, activity=a, code="wrong")
    assert "签到码无效" in err.value.message
    s = services.activity_check_in(actor=people.zhang, activity=a, code=a.check_code)
    assert s.status == SignupStatus.CHECKED_IN and s.check_in_via == CheckVia.QR
    with pytest.raises(Conflict) as dup:
        services.activity_check_in(actor=people.zhang, activity=a, code=a.check_code)
    assert "不能重复签到" in dup.value.message
    with pytest.raises(Conflict):  # nor by the organiser
        services.activity_check_in(actor=people.city.bob, activity=a, volunteer=people.v_zhang)
    s = services.activity_check_out(actor=people.zhang, activity=a, code=a.check_code)
    # checked in and out by QR code at the same moment: no hours, no points
    assert s.status == SignupStatus.COMPLETED and s.hours == Decimal("0.0") and s.points is None
    with pytest.raises(Conflict):
        services.activity_check_out(actor=people.zhang, activity=a, code=a.check_code)


def test_organiser_records_attendance_and_points_are_credited_once(people: People) -> None:
    c = people.city
    a = people.activity(quota=2, difficulty=1)
    services.activity_signup(actor=people.zhang, activity=a)
    a = shift(a, started_ago=timedelta(hours=4))  # a 3-hour activity that ended an hour ago
    services.activity_check_in(actor=c.bob, activity=a, volunteer=people.v_zhang, at=at(a, -10))
    s = services.activity_check_out(actor=c.bob, activity=a, volunteer=people.v_zhang, at=at(a, 150))
    assert s.hours == Decimal("2.5") and s.points == 25 and s.check_out_via == CheckVia.ORGANISER
    assert points.balance(people.r_zhang) == 25
    assert points.time_bank_hours(people.r_zhang) == Decimal("2.5")
    v = Volunteer.objects.get(pk=people.v_zhang.pk)
    assert v.hours_total == Decimal("2.5") and v.activities_done == 1
    # a walk-in checked in by the organiser
    walk = services.activity_check_in(actor=c.bob, activity=a, volunteer=people.v_li, at=at(a, 30))
    assert walk.status == SignupStatus.CHECKED_IN
    with pytest.raises(ValidationError):
        services.activity_check_out(actor=c.bob, activity=a, volunteer=people.v_li, at=at(a, 20))


def test_close_records_no_shows_and_checks_out_the_rest(people: People) -> None:
    c = people.city
    a = people.activity(quota=3)
    services.activity_signup(actor=people.zhang, activity=a)
    services.activity_signup(actor=people.li, activity=a)
    with pytest.raises(ValidationError):
        services.activity_close(actor=c.bob, activity=a)  # not started yet
    a = shift(a, started_ago=timedelta(hours=5))
    services.activity_check_in(actor=c.bob, activity=a, volunteer=people.v_zhang, at=at(a, 0))
    result = services.activity_close(actor=c.bob, activity=a)
    assert (result.no_shows, result.auto_checked_out, result.completed) == (1, 1, 1)
    zhang = Signup.objects.get(activity=a, volunteer=people.v_zhang)
    assert zhang.check_out_via == CheckVia.AUTO and zhang.hours == Decimal("3.0") and zhang.points == 38
    assert Signup.objects.get(activity=a, volunteer=people.v_li).status == SignupStatus.NO_SHOW
    assert Volunteer.objects.get(pk=people.v_li.pk).no_shows == 1
    a.refresh_from_db()
    assert a.status == ActivityStatus.CLOSED
    with pytest.raises(Conflict):
        services.activity_close(actor=c.bob, activity=a)


def test_close_ends_the_waiting_list_and_its_page_offers_no_cancel(people: People) -> None:
    """Found by exploratory testing: after the activity ended, the waiting list stayed 候补中
    for ever, with a 取消报名 button that could only fail."""
    c = people.city
    a = people.activity(quota=1)
    services.activity_signup(actor=people.zhang, activity=a)
    services.activity_signup(actor=people.li, activity=a)  # waitlisted
    a = shift(a, started_ago=timedelta(hours=5))
    result = services.activity_close(actor=c.bob, activity=a)
    assert result.not_selected == 1
    li = Signup.objects.get(activity=a, volunteer=people.v_li)
    assert li.status == SignupStatus.NOT_SELECTED and li.get_status_display() == "未入选"
    row = AuditLog.objects.get(verb="volunteers.activity_closed")
    assert row.after is not None and row.after["not_selected"] == 1
    page = Client()
    page.force_login(people.li)
    html = page.get(f"/volunteers/h5/activities/{a.pk}/").content.decode()
    assert "未入选" in html and "取消报名" not in html


def test_cancel_tells_everyone(people: People) -> None:
    a = people.activity(quota=1)
    services.activity_signup(actor=people.zhang, activity=a)
    services.activity_signup(actor=people.li, activity=a)
    with pytest.raises(ValidationError):
        services.activity_cancel(actor=people.city.bob, activity=a, reason="")
    services.activity_cancel(actor=people.city.bob, activity=a, reason="暴雨预警")
    assert set(Signup.objects.filter(activity=a).values_list("status", flat=True)) == {SignupStatus.CANCELLED}
    assert Notification.objects.filter(subject="志愿活动取消").count() == 2


def test_team_leader_publishes_for_the_team(people: People) -> None:
    c = people.city
    services.teams_create_colours(actor=c.bob, community=c.comm_a1)
    red = Team.objects.get(node=c.comm_a1, colour="red")
    start = timezone.now() + timedelta(days=2)
    data = services.NewActivity(
        node=c.comm_a1,
        title="红色互助：陪老人理发",
        place="胜利门1号楼",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        quota=5,
        service_type="mutual_aid",
        team=red,
    )
    with pytest.raises(PermissionDenied):
        services.activity_publish(actor=people.zhang, data=data)
    services.team_member_add(actor=c.bob, team=red, volunteer=people.v_zhang, is_leader=True)
    a = services.activity_publish(actor=people.zhang, data=data)
    assert a.team == red and a.published_by == people.zhang
    # the points of a team's activity count for the team by its name (the leaderboards' key)
    services.activity_signup(actor=people.zhang, activity=a)
    a = shift(a, started_ago=timedelta(hours=3))
    services.activity_check_in(actor=c.bob, activity=a, volunteer=people.v_zhang, at=at(a, 0))
    services.activity_check_out(actor=c.bob, activity=a, volunteer=people.v_zhang, at=at(a, 120))
    earned = Movement.objects.filter(to_account__resident=people.r_zhang)
    assert list(earned.values_list("team", flat=True)) == ["红色互助志愿服务队"]
    board = points.leaderboard(c.comm_a1, "all", team="红色互助志愿服务队")
    assert [row.name for row in board] == [people.r_zhang.name]


def test_a_check_out_a_few_seconds_ahead_is_credited_now(people: People) -> None:
    """The organiser's phone may run up to a minute fast (allowed); the points, which refuse
    a moment still to come, are booked at the check-out's moment or now, whichever is first."""
    c = people.city
    a = people.activity(quota=2, difficulty=1)
    services.activity_signup(actor=people.zhang, activity=a)
    a = shift(a, started_ago=timedelta(hours=2))
    services.activity_check_in(actor=c.bob, activity=a, volunteer=people.v_zhang, at=at(a, 0))
    ahead = timezone.now() + timedelta(seconds=30)
    s = services.activity_check_out(actor=c.bob, activity=a, volunteer=people.v_zhang, at=ahead)
    assert s.check_out_via == CheckVia.ORGANISER and (s.points or 0) > 0
    assert points.balance(people.r_zhang) == s.points
