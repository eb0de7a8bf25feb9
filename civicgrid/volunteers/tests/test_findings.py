"""What exploratory testers found in volunteer service: numbers that crashed or were rounded
silently, an open redirect, doubled words, mixed messages, implausible dates, a child
registered without a guardian."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from civicgrid.core.errors import Conflict, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.volunteers import services
from civicgrid.volunteers.constants import OrderStatus, SignupStatus
from civicgrid.volunteers.models import OrderPhoto, ServiceOrder, Signup, Volunteer
from civicgrid.volunteers.tests.conftest import People, make_resident, png, shift

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def said(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def taken_by_zhang(people: People) -> ServiceOrder:
    order = people.order(publish=True)
    return services.service_order_take(actor=people.zhang, order=order)


# --- 1. hours and other numbers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "reason"),
    [
        ("NaN", "服务时长应为数字（小时）"),
        ("Infinity", "服务时长应为数字（小时）"),
        ("-Infinity", "服务时长应为数字（小时）"),
        ("sNaN", "服务时长应为数字（小时）"),
        ("1e30", "服务时长应在0.5到24小时之间"),
        ("99999.9", "服务时长应在0.5到24小时之间"),
        ("-1", "服务时长应在0.5到24小时之间"),
        ("0.4", "服务时长应在0.5到24小时之间"),
        ("1.55", "服务时长最多保留1位小数"),
        ("2.25", "服务时长最多保留1位小数"),
        ("", "请填写服务时长"),
        ("两小时", "服务时长应为数字（小时）"),
    ],
)
def test_bad_hours_are_refused_naming_the_field_and_nothing_is_written(
    people: People, hours: str, reason: str
) -> None:
    order = taken_by_zhang(people)
    audits = AuditLog.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.service_order_complete(
            actor=people.zhang, order=order, note="买好了", hours=hours, photos=[png()]
        )
    assert exc.value.errors["hours"] == [reason]
    order.refresh_from_db()
    assert order.status == OrderStatus.ASSIGNED and order.hours == 0 and order.completion_note == ""
    assert not OrderPhoto.objects.filter(order=order).exists() and AuditLog.objects.count() == audits


def test_hours_with_one_decimal_are_stored_as_typed(people: People) -> None:
    order = taken_by_zhang(people)
    order = services.service_order_complete(
        actor=people.zhang, order=order, note="买好了", hours="1.50", photos=[png()]
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED and order.hours == Decimal("1.5")


def test_nan_hours_on_the_phone_page_and_the_api_are_refused_not_a_server_error(people: People) -> None:
    order = taken_by_zhang(people)
    zhang = login(people.zhang)
    page = zhang.post(
        f"/volunteers/h5/orders/{order.pk}/",
        {"action": "complete", "note": "买好了", "hours": "NaN", "photos": [png()]},
    )
    # The form again with what was typed and the reason beside the hours (422).
    assert page.status_code == 422 and "服务时长应为数字（小时）" in page.content.decode()
    api = zhang.post(
        f"/api/v1/volunteers/orders/{order.pk}/complete",
        {"note": "买好了", "hours": "NaN", "photos": [png()]},
    )
    assert api.status_code == 422 and api.json()["detail"]["hours"] == ["服务时长应为数字（小时）"]
    order.refresh_from_db()
    assert order.status == OrderStatus.ASSIGNED and not OrderPhoto.objects.filter(order=order).exists()


def test_a_refusal_on_the_order_pages_names_no_field_code(people: People) -> None:
    """The message says the reasons alone: it was "hours：服务时长应为数字（小时）"."""
    order = taken_by_zhang(people)
    phone = login(people.zhang).post(
        f"/volunteers/h5/orders/{order.pk}/",
        {"action": "complete", "note": "买好了", "hours": "两小时", "photos": [png()]},
    )
    # The phone page shows the reason beside its field, never "hours：".
    assert phone.status_code == 422 and "服务时长应为数字（小时）" in phone.content.decode()
    assert "hours：" not in phone.content.decode()
    office = login(people.city.bob).post(
        f"/volunteers/orders/{order.pk}/act/",
        {"action": "complete", "note": "买好了", "hours": "两小时", "photos": [png()]},
    )
    assert said(office) == ["服务时长应为数字（小时）"]
    order.refresh_from_db()
    assert order.status == OrderStatus.ASSIGNED


@pytest.mark.parametrize("difficulty", [2.5, "2.5", float("inf"), float("nan"), "1e400", True])
def test_a_difficulty_that_is_no_whole_number_is_refused(people: People, difficulty: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        people.order(difficulty=difficulty)
    assert exc.value.errors["difficulty"] == ["难度应为1到5之间的整数"]
    assert not ServiceOrder.objects.exists()


@pytest.mark.parametrize("quota", [2.5, float("inf"), True, "十"])
def test_a_quota_that_is_no_whole_number_is_refused(people: People, quota: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        people.activity(quota=quota)
    assert exc.value.errors["quota"] == ["招募人数应为1到1000之间的整数"]


# --- 2. open redirect ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("back", "referer"),
    [
        ("https://evil.example/x", ""),
        ("//evil.example/", ""),
        ("/\\evil.example/", ""),
        ("", "https://evil.example/people/"),
    ],
)
def test_approval_never_redirects_to_another_site(people: People, back: str, referer: str) -> None:
    c = people.city
    resident = make_resident(c, "钱申请", c.building_a1, "13800000032", "qiansq")
    v = services.volunteer_register(actor=resident.account.user, resident=resident)
    response = login(c.bob).post(
        f"/volunteers/people/{v.pk}/decide/",
        {"decision": "approve", "back": back},
        HTTP_REFERER=referer,
    )
    assert response.status_code == 302 and response["Location"] == f"/volunteers/people/{v.pk}/"


def test_approval_from_the_list_goes_back_to_the_list(people: People) -> None:
    c = people.city
    resident = make_resident(c, "钱申请", c.building_a1, "13800000032", "qiansq")
    v = services.volunteer_register(actor=resident.account.user, resident=resident)
    response = login(c.bob).post(
        f"/volunteers/people/{v.pk}/decide/",
        {"decision": "approve", "back": "/volunteers/people/?status=pending"},
    )
    assert response["Location"] == "/volunteers/people/?status=pending"


# --- 3. doubled words ------------------------------------------------------------------------------


def test_refusals_on_a_finished_activity_say_its_state_once(people: People) -> None:
    cancelled = people.activity()
    services.activity_cancel(actor=people.city.bob, activity=cancelled, reason="下雨")
    with pytest.raises(Conflict) as exc:
        services.activity_cancel(actor=people.city.bob, activity=cancelled, reason="下雨")
    assert exc.value.message == "活动已取消，不能取消"
    with pytest.raises(Conflict) as exc:
        services.activity_close(actor=people.city.bob, activity=cancelled)
    assert exc.value.message == "活动已取消"
    closed = shift(people.activity(), started_ago=timedelta(hours=1))
    services.activity_close(actor=people.city.bob, activity=closed)
    with pytest.raises(Conflict) as exc:
        services.activity_close(actor=people.city.bob, activity=closed)
    assert exc.value.message == "活动已结束"


# --- 5. messages for the waiting list and the loser of a race -----------------------------------


def test_a_waitlisted_sign_up_says_only_that_it_waits(people: People) -> None:
    a = people.activity(quota=1)
    services.activity_signup(actor=people.zhang, activity=a)
    response = login(people.li).post(f"/volunteers/h5/activities/{a.pk}/")
    assert Signup.objects.get(activity=a, volunteer=people.v_li).status == SignupStatus.WAITLISTED
    assert said(response) == ["名额已满，您已进入候补，有人取消时自动递补"]
    first = login(people.zhang).post(f"/volunteers/h5/activities/{a.pk}/", {"action": "cancel"})
    assert said(first) == ["已取消报名"]


def test_staff_signing_someone_up_says_when_they_went_onto_the_waiting_list(people: People) -> None:
    a = people.activity(quota=1)
    bob = login(people.city.bob)
    placed = bob.post(
        f"/volunteers/activities/{a.pk}/act/", {"action": "signup", "volunteer": people.v_zhang.pk}
    )
    assert said(placed) == ["已为张志强报名"]
    waiting = bob.post(
        f"/volunteers/activities/{a.pk}/act/", {"action": "signup", "volunteer": people.v_li.pk}
    )
    assert said(waiting)[-1] == "名额已满，李秀英已进入候补，有人取消时自动递补"
    assert "已为李秀英报名" not in said(waiting)


def test_the_loser_of_a_take_race_lands_on_the_order_hall_with_the_reason(
    people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Li opened the order while it was open; Zhang takes it between Li's page check and Li's
    take: Li is told and sent to the hall, not to a page that is now a 404."""
    order = people.order(publish=True)
    real_take = services.service_order_take

    def zhang_first(**kw: Any) -> ServiceOrder:
        real_take(actor=people.zhang, order=ServiceOrder.objects.get(pk=order.pk))
        return real_take(**kw)

    monkeypatch.setattr(services, "service_order_take", zhang_first)
    li = login(people.li)
    late = li.post(f"/volunteers/h5/orders/{order.pk}/", {"action": "take"})
    assert late.status_code == 302 and late["Location"] == "/volunteers/h5/orders/"
    assert said(late) == ["该服务单已被他人接单"]
    assert li.get(late["Location"]).status_code == 200


def test_taking_an_order_someone_already_took_goes_to_the_hall_too(people: People) -> None:
    order = people.order(publish=True)
    services.service_order_take(actor=people.zhang, order=order)
    late = login(people.li).post(f"/volunteers/h5/orders/{order.pk}/", {"action": "take"})
    assert late.status_code == 302 and late["Location"] == "/volunteers/h5/orders/"
    assert said(late) == ["该服务单已被他人接单或已不再开放"]
    assert ServiceOrder.objects.get(pk=order.pk).taker_volunteer == people.v_zhang


def test_an_outsider_looking_at_an_order_still_gets_a_404(people: People) -> None:
    order = people.order(publish=True)
    sun = login(people.sun)
    assert sun.get(f"/volunteers/h5/orders/{order.pk}/").status_code == 404
    assert sun.post(f"/volunteers/h5/orders/{order.pk}/", {"action": "cancel"}).status_code == 404


def test_a_refusal_on_an_order_still_visible_stays_on_the_order(people: People) -> None:
    order = taken_by_zhang(people)
    response = login(people.zhang).post(
        f"/volunteers/h5/orders/{order.pk}/", {"action": "complete", "note": "", "hours": "1"}
    )
    # The order's page itself, again, with the reason on the form (422).
    assert response.status_code == 422 and order.title in response.content.decode()


# --- 6. implausible dates ----------------------------------------------------------------------------


def test_an_activity_more_than_two_years_ahead_is_refused(people: People) -> None:
    with pytest.raises(ValidationError) as exc:
        people.activity(starts_in=timedelta(days=365 * 3))
    assert "开始时间不能晚于" in exc.value.errors["starts_at"][0]
    far = timezone.make_aware(datetime(9999, 12, 31, 23, 0))
    with pytest.raises(ValidationError):
        people.activity(starts_in=far - timezone.now(), ends_at=far + timedelta(minutes=30))
    people.activity(starts_in=timedelta(days=700))  # within two years: fine


def test_an_order_wanted_in_the_past_or_far_ahead_is_refused(people: People) -> None:
    past = timezone.make_aware(datetime(2020, 1, 1, 9, 0))
    with pytest.raises(ValidationError) as exc:
        people.order(wanted_from=past)
    assert exc.value.errors["wanted_from"] == ["期望开始时间不能早于今天"]
    with pytest.raises(ValidationError) as exc:
        people.order(wanted_until=timezone.now() - timedelta(hours=1))
    assert exc.value.errors["wanted_until"] == ["期望完成时间应晚于现在"]
    with pytest.raises(ValidationError) as exc:
        people.order(wanted_from=timezone.now() + timedelta(days=365 * 3))
    assert "期望开始时间不能晚于" in exc.value.errors["wanted_from"][0]
    assert not ServiceOrder.objects.exists()
    # earlier today ("as soon as possible") and next week are fine
    people.order(wanted_from=timezone.localtime().replace(hour=0, minute=1))
    people.order(wanted_from=timezone.now() + timedelta(days=7))


def test_the_resident_order_page_refuses_a_past_date_next_to_the_field(people: People) -> None:
    response = login(people.wangapo).post(
        "/volunteers/h5/orders/new/",
        {
            "title": "帮忙买菜",
            "content": "每周二上午",
            "service_type": "elderly_care",
            "wanted_from": "2020-01-01T09:00",
        },
    )
    assert response.status_code == 422 and "期望开始时间不能早于今天" in response.content.decode()
    assert not ServiceOrder.objects.exists()


# --- 7. age -----------------------------------------------------------------------------------------


def born_years_ago(years: int) -> date:
    today = timezone.localdate()  # day 28 at most: 29 February has no twin in most years
    return date(today.year - years, today.month, min(today.day, 28)) - timedelta(days=1)


def test_a_child_is_registered_only_with_a_guardians_consent(people: People) -> None:
    c = people.city
    child = make_resident(c, "王小宝", c.building_a1, "13800000061", birth_date=born_years_ago(9))
    audits = AuditLog.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.volunteer_register(actor=c.bob, resident=child)
    assert "未满18周岁（9岁）" in exc.value.errors["guardian_consent"][0]
    assert not Volunteer.objects.filter(resident=child).exists() and AuditLog.objects.count() == audits
    v = services.volunteer_register(
        actor=c.bob, resident=child, guardian_consent="母亲王丽 13800000062，书面同意，陪同参加"
    )
    assert v.guardian_consent.startswith("母亲王丽")
    page = login(c.bob).get(f"/volunteers/people/{v.pk}/").content.decode()
    assert "9岁，监护人同意：母亲王丽" in page


def test_a_seventeen_year_old_needs_consent_and_an_adult_or_unknown_age_does_not(people: People) -> None:
    c = people.city
    teen = make_resident(c, "赵青年", c.building_a1, "13800000063", birth_date=born_years_ago(17))
    with pytest.raises(ValidationError):
        services.volunteer_register(actor=c.bob, resident=teen)
    adult = make_resident(c, "赵成年", c.building_a1, "13800000064", birth_date=born_years_ago(18))
    v = services.volunteer_register(actor=c.bob, resident=adult, guardian_consent="不需要")
    assert v.guardian_consent == ""  # adults need none; nothing kept
    unknown = make_resident(c, "赵某", c.building_a1, "13800000065")
    assert services.volunteer_register(actor=c.bob, resident=unknown).pk


def test_the_staff_register_page_asks_for_the_consent_of_a_child(people: People) -> None:
    c = people.city
    child = make_resident(c, "王小宝", c.building_a1, "13800000061", birth_date=born_years_ago(9))
    bob = login(c.bob)
    refused = bob.post("/volunteers/people/new/", {"resident": child.pk, "kind": "resident"})
    assert refused.status_code == 422 and "须经监护人同意" in refused.content.decode()
    ok = bob.post(
        "/volunteers/people/new/",
        {"resident": child.pk, "kind": "resident", "guardian_consent": "父亲王强同意"},
    )
    assert ok.status_code == 302 and Volunteer.objects.get(resident=child).guardian_consent == "父亲王强同意"


def test_the_api_registers_a_child_with_the_consent_only(people: People) -> None:
    from civicgrid.volunteers.tests.test_api import Caller

    c = people.city
    child = make_resident(c, "王小宝", c.building_a1, "13800000061", birth_date=born_years_ago(9))
    bob = Caller(c.bob)
    refused = bob.post("/volunteers", {"resident_id": child.pk})
    assert refused.status_code == 422 and "guardian_consent" in refused.json()["detail"]
    assert not Volunteer.objects.filter(resident=child).exists()
    done = bob.post("/volunteers", {"resident_id": child.pk, "guardian_consent": "父亲王强同意"})
    assert done.status_code == 201
    assert Volunteer.objects.get(resident=child).guardian_consent == "父亲王强同意"
