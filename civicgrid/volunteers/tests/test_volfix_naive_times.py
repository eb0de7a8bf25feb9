"""A date-time sent to the volunteers API without an offset ("2026-12-01T10:00:00") is local
time (``settings.TIME_ZONE``, Asia/Shanghai), never a 500: publishing an activity, correcting
it, placing an order, and the organiser's check-in and check-out times (``core.api_types``
``LocalDateTime``). Before, the first three compared it with an aware time (TypeError)."""

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.volunteers.models import Activity, ServiceOrder, Signup
from civicgrid.volunteers.tests.conftest import People, shift

pytestmark = pytest.mark.django_db
API = "/api/v1/volunteers"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _naive(moment: datetime) -> str:
    """The local wall-clock time of ``moment``, written without an offset."""
    return moment.astimezone(SHANGHAI).replace(tzinfo=None, microsecond=0).isoformat()


def _local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def _post(user: Any, path: str, body: dict[str, Any]) -> Any:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client.post(API + path, json.dumps(body), content_type="application/json")


def _patch(user: Any, path: str, body: dict[str, Any]) -> Any:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client.patch(API + path, json.dumps(body), content_type="application/json")


def test_an_activity_published_with_naive_times_starts_at_that_local_time(people: People) -> None:
    tomorrow = timezone.localdate() + timedelta(days=2)
    starts, ends = f"{tomorrow.isoformat()}T10:00:00", f"{tomorrow.isoformat()}T12:00:00"
    created = _post(
        people.city.bob,
        "/activities",
        {
            "node_id": people.city.comm_a1.pk,
            "title": "社区义诊",
            "place": "文化广场",
            "starts_at": starts,
            "ends_at": ends,
            "quota": 3,
            "service_type": "culture",
        },
    )
    assert created.status_code == 201, created.content
    activity = Activity.objects.get(pk=created.json()["id"])
    assert activity.starts_at == _local(starts)  # 10:00 in Shanghai is 02:00 UTC
    assert activity.ends_at == _local(ends)
    assert timezone.localtime(activity.starts_at, SHANGHAI).hour == 10


def test_a_correction_with_naive_times_is_read_as_local_time(people: People) -> None:
    activity = people.activity()
    day = timezone.localdate() + timedelta(days=3)
    starts, ends = f"{day.isoformat()}T09:30:00", f"{day.isoformat()}T11:30:00"
    patched = _patch(
        people.city.bob,
        f"/activities/{activity.pk}",
        {"version": activity.version, "starts_at": starts, "ends_at": ends},
    )
    assert patched.status_code == 200, patched.content
    activity.refresh_from_db()
    assert (activity.starts_at, activity.ends_at) == (_local(starts), _local(ends))


def test_an_order_with_naive_wanted_times_is_created_at_local_times(people: People) -> None:
    day = timezone.localdate() + timedelta(days=2)
    wanted_from, wanted_until = f"{day.isoformat()}T09:00:00", f"{day.isoformat()}T18:00:00"
    created = _post(
        people.city.bob,
        "/orders",
        {
            "title": "帮忙买菜",
            "content": "王阿婆腿脚不便",
            "orderer_resident_id": people.r_wangapo.pk,
            "wanted_from": wanted_from,
            "wanted_until": wanted_until,
        },
    )
    assert created.status_code == 201, created.content
    order = ServiceOrder.objects.get(pk=created.json()["id"])
    assert (order.wanted_from, order.wanted_until) == (_local(wanted_from), _local(wanted_until))


def test_the_organisers_naive_check_in_and_out_times_are_local_times(people: People) -> None:
    activity = people.activity(quota=2)
    activity = shift(activity, started_ago=timedelta(hours=3))  # 3 hours long: it just ended
    Signup.objects.create(activity=activity, volunteer=people.v_zhang, status="confirmed")
    came, left = _naive(activity.starts_at + timedelta(minutes=5)), _naive(activity.ends_at)
    body = {"volunteer_id": people.v_zhang.pk}
    checked_in = _post(people.city.bob, f"/activities/{activity.pk}/check-in", {**body, "at": came})
    assert checked_in.status_code == 200, checked_in.content
    checked_out = _post(people.city.bob, f"/activities/{activity.pk}/check-out", {**body, "at": left})
    assert checked_out.status_code == 200, checked_out.content
    signup = Signup.objects.get(activity=activity, volunteer=people.v_zhang)
    assert signup.checked_in_at == _local(came)
    assert signup.checked_out_at == _local(left)


def test_a_time_with_an_offset_keeps_it(people: People) -> None:
    day = timezone.localdate() + timedelta(days=2)
    created = _post(
        people.city.bob,
        "/activities",
        {
            "node_id": people.city.comm_a1.pk,
            "title": "社区义诊",
            "place": "文化广场",
            "starts_at": f"{day.isoformat()}T02:00:00Z",
            "ends_at": f"{day.isoformat()}T12:00:00+08:00",
            "quota": 3,
            "service_type": "culture",
        },
    )
    assert created.status_code == 201, created.content
    activity = Activity.objects.get(pk=created.json()["id"])
    assert activity.starts_at == _local(f"{day.isoformat()}T10:00:00")
    assert activity.ends_at == _local(f"{day.isoformat()}T12:00:00")
