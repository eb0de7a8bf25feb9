"""Found by an outside tester: suspension, early check-out, cancel/close before the start,
the repeated sign-up's wording (each test fails on the code before the fix)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from civicgrid.core.errors import Conflict, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.notify.models import Notification
from civicgrid.volunteers import services
from civicgrid.volunteers.constants import ActivityStatus, OrderStatus, SignupStatus, VolunteerStatus
from civicgrid.volunteers.models import Signup, Volunteer
from civicgrid.volunteers.tests.conftest import People, at, shift

pytestmark = pytest.mark.django_db


# --- 1. suspension --------------------------------------------------------------------------------


def test_suspension_withdraws_upcoming_sign_ups_and_promotes_the_line(people: People) -> None:
    c = people.city
    a = people.activity(quota=1)
    services.activity_signup(actor=people.zhang, activity=a)
    waiting = services.activity_signup(actor=people.li, activity=a)
    assert waiting.status == SignupStatus.WAITLISTED
    services.volunteer_suspend(actor=c.bob, volunteer=people.v_zhang, note="多次无故缺席")
    assert Signup.objects.get(activity=a, volunteer=people.v_zhang).status == SignupStatus.CANCELLED
    waiting.refresh_from_db()
    assert waiting.status == SignupStatus.CONFIRMED
    assert Notification.objects.filter(recipient_user=people.li, subject="候补转正").exists()
    told = Notification.objects.get(recipient_user=people.zhang, subject="志愿者暂停服务")
    assert "多次无故缺席" in told.body and a.title in told.body
    assert AuditLog.objects.filter(verb="volunteers.signup_cancelled").count() == 1


def test_a_suspended_volunteer_cannot_check_in_or_sign_up(people: People) -> None:
    c = people.city
    a = people.activity(quota=2)
    services.activity_signup(actor=people.zhang, activity=a)
    a = shift(a, started_ago=timedelta(minutes=10))  # started: the sign-up is not withdrawn
    services.volunteer_suspend(actor=c.bob, volunteer=people.v_zhang, note="暂停")
    assert Signup.objects.get(activity=a, volunteer=people.v_zhang).status == SignupStatus.CONFIRMED
    with pytest.raises(ValidationError) as err:
        services.activity_check_in(actor=people.zhang, activity=a, code=a.check_code)
    assert "已暂停" in err.value.message
    with pytest.raises(ValidationError):
        services.activity_check_in(actor=c.bob, activity=a, volunteer=people.v_zhang)
    b = people.activity(quota=2)
    with pytest.raises(ValidationError) as err:
        services.activity_signup(actor=people.zhang, activity=b)
    assert "已暂停" in err.value.message
    assert Signup.objects.get(activity=a, volunteer=people.v_zhang).status == SignupStatus.CONFIRMED


def test_reinstatement_says_so_not_welcome(people: People) -> None:
    c = people.city
    services.volunteer_suspend(actor=c.bob, volunteer=people.v_zhang, note="暂停一个月")
    services.volunteer_decide(actor=c.bob, volunteer=people.v_zhang, approve=True, note="")
    assert Volunteer.objects.get(pk=people.v_zhang.pk).status == VolunteerStatus.APPROVED
    mine = Notification.objects.filter(recipient_user=people.zhang)
    assert not mine.filter(body__contains="欢迎加入").exists()
    assert "已恢复" in mine.get(subject="志愿者恢复服务").body


# --- 4. check-out before the start ---------------------------------------------------------------


def test_no_check_out_before_the_start(people: People) -> None:
    c = people.city
    a = people.activity(quota=2)
    services.activity_signup(actor=people.zhang, activity=a)
    a = shift(a, started_ago=timedelta(minutes=-30))  # starts in half an hour
    services.activity_check_in(actor=people.zhang, activity=a, code=a.check_code)
    with pytest.raises(ValidationError) as err:
        services.activity_check_out(actor=people.zhang, activity=a, code=a.check_code)
    assert "尚未开始" in err.value.message
    with pytest.raises(ValidationError):
        services.activity_check_out(actor=c.bob, activity=a, volunteer=people.v_zhang)
    s = Signup.objects.get(activity=a, volunteer=people.v_zhang)
    assert s.status == SignupStatus.CHECKED_IN
    assert Volunteer.objects.get(pk=people.v_zhang.pk).activities_done == 0


def test_a_zero_hour_check_out_is_not_a_service(people: People) -> None:
    c = people.city
    a = people.activity(quota=2)
    services.activity_signup(actor=people.zhang, activity=a)
    a = shift(a, started_ago=timedelta(hours=1))
    services.activity_check_in(actor=c.bob, activity=a, volunteer=people.v_zhang, at=at(a, 0))
    s = services.activity_check_out(actor=c.bob, activity=a, volunteer=people.v_zhang, at=at(a, 20))
    assert s.hours == Decimal("0.0")
    v = Volunteer.objects.get(pk=people.v_zhang.pk)
    assert (v.activities_done, v.hours_total) == (0, Decimal("0.0"))


# --- 5. cancel or close between check-in and the start -------------------------------------------


def test_cancel_before_the_start_with_check_ins(people: People) -> None:
    c = people.city
    a = people.activity(quota=2)
    services.activity_signup(actor=people.zhang, activity=a)
    services.activity_signup(actor=people.li, activity=a)
    a = shift(a, started_ago=timedelta(minutes=-30))
    services.activity_check_in(actor=people.zhang, activity=a, code=a.check_code)
    with pytest.raises(ValidationError) as closing:
        services.activity_close(actor=c.bob, activity=a)
    assert "可以取消活动" in closing.value.message
    done = services.activity_cancel(actor=c.bob, activity=a, reason="场地临时停电")
    assert done.status == ActivityStatus.CANCELLED
    zhang = Signup.objects.get(activity=a, volunteer=people.v_zhang)
    assert zhang.status == SignupStatus.CANCELLED and zhang.hours == 0
    body = Notification.objects.get(recipient_user=people.zhang, subject="志愿活动取消").body
    assert "场地临时停电" in body and "不计服务时长" in body
    assert Notification.objects.filter(recipient_user=people.li, subject="志愿活动取消").exists()


def test_after_the_start_with_check_ins_cancel_points_to_close(people: People) -> None:
    c = people.city
    a = people.activity(quota=2)
    services.activity_signup(actor=people.zhang, activity=a)
    a = shift(a, started_ago=timedelta(minutes=10))
    services.activity_check_in(actor=people.zhang, activity=a, code=a.check_code)
    with pytest.raises(Conflict) as err:
        services.activity_cancel(actor=c.bob, activity=a, reason="下雨")
    assert "请结束活动" in err.value.message
    assert services.activity_close(actor=c.bob, activity=a).auto_checked_out == 1


# --- 6. a repeated sign-up ------------------------------------------------------------------------


def test_repeated_sign_up_wording(people: People) -> None:
    a = people.activity(quota=1)
    services.activity_signup(actor=people.zhang, activity=a)
    services.activity_signup(actor=people.li, activity=a)
    with pytest.raises(ValidationError) as confirmed:
        services.activity_signup(actor=people.zhang, activity=a)
    assert confirmed.value.message == "已报名该活动，无需重复报名"
    with pytest.raises(ValidationError) as waiting:
        services.activity_signup(actor=people.li, activity=a)
    assert "候补" in waiting.value.message and "（已报名）" not in waiting.value.message
    assert timezone.now() < a.starts_at


def test_suspension_gives_back_the_orders_the_volunteer_was_serving(people: People) -> None:
    c = people.city
    order = people.order(publish=True)
    order = services.service_order_take(actor=people.zhang, order=order)
    assert order.status == OrderStatus.ASSIGNED
    services.volunteer_suspend(actor=c.bob, volunteer=people.v_zhang, note="多次无故缺席")
    order.refresh_from_db()
    assert order.status == OrderStatus.PUBLISHED and order.taker_volunteer is None and order.taker_label == ""
    event = order.events.order_by("-id").first()
    assert event is not None and event.action == "release" and "多次无故缺席" in event.note
    told = Notification.objects.get(recipient_user=people.zhang, subject="志愿者暂停服务")
    assert order.title in told.body
    suspended = AuditLog.objects.get(verb="volunteers.suspended")
    assert suspended.after is not None and suspended.after["orders_released"] == [order.pk]
