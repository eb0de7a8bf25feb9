"""A reply whose category needs an on-site check (核查) is checked by the grid worker before
anyone calls back, rates or closes it; where no grid worker covers the place, it is not held."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.accounts.models import RoleAssignment
from civicgrid.core.errors import Conflict
from civicgrid.notify.models import Notification
from civicgrid.requests import selectors, services
from civicgrid.requests.constants import Status
from civicgrid.requests.models import Rating, Request
from civicgrid.requests.tests.test_pages import login, page

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
ANSWERS: dict[str, Any] = {"contacted": True, "resolution": "solved", "satisfaction": "satisfied"}


def _replied_lift(hotline: Any) -> Request:
    """电梯故障 needs 核查; the place lies in alice's grid."""
    r = services.request_create(actor=hotline.city.olivia, data=hotline.new(requester_phone=PHONE))
    services.request_sign(actor=hotline.hank, request=r)
    r = services.request_reply(actor=hotline.hank, request=r, reply="已更换电梯控制板")
    r.refresh_from_db()
    return r


def _state(r: Request) -> tuple[str, int, int]:
    r.refresh_from_db()
    return r.status, r.version, Rating.objects.filter(request=r).count()


def test_callback_rating_and_close_wait_for_the_grid_workers_check(hotline: Any) -> None:
    olivia, alice = hotline.city.olivia, hotline.city.alice
    r = _replied_lift(hotline)
    assert selectors.awaiting_verification(r)
    assert r not in selectors.callback_queue(olivia)
    assert not Notification.objects.filter(subject__startswith="请评价").exists()  # no link yet
    before = _state(r)
    for attempt in (
        lambda: services.request_callback(actor=olivia, request=r, **ANSWERS),
        lambda: services.request_rate_by_link(token=r.rating_token, **ANSWERS),
        lambda: services.request_close(actor=olivia, request=r, note="联系不上"),
    ):
        with pytest.raises(Conflict) as refused:
            attempt()
        assert "须经网格员现场核查" in refused.value.message
        assert _state(r) == before
    r = services.request_verify(actor=alice, request=r, confirmed=True, note="现场查看，电梯已恢复运行")
    assert r.status == Status.VERIFIED and not selectors.awaiting_verification(r)
    assert r in selectors.callback_queue(olivia)
    assert Notification.objects.filter(subject__startswith="请评价").count() == 1
    services.request_callback(actor=olivia, request=r, **ANSWERS)
    r.refresh_from_db()
    assert r.status == Status.CLOSED and Rating.objects.filter(request=r).count() == 1


def test_where_no_grid_worker_covers_the_place_the_reply_is_not_held(hotline: Any) -> None:
    RoleAssignment.objects.filter(user=hotline.city.alice).delete()
    r = _replied_lift(hotline)
    assert not selectors.awaiting_verification(r)
    assert r in selectors.callback_queue(hotline.city.olivia)
    assert Notification.objects.filter(subject__startswith="请评价").count() == 1  # the link goes at once
    services.request_callback(actor=hotline.city.olivia, request=r, **ANSWERS)
    r.refresh_from_db()
    assert r.status == Status.CLOSED


def test_the_pages_offer_no_callback_and_no_rating_before_the_check(hotline: Any, client: Client) -> None:
    r = _replied_lift(hotline)
    login(client, hotline.city.olivia)
    detail = page(client.get(f"/requests/{r.pk}/"))
    assert "/act/callback/" not in detail and "/act/close/" not in detail
    refused = client.post(
        f"/requests/{r.pk}/act/callback/",
        {"version": r.version, "contacted": "yes", "resolution": "solved", "satisfaction": "satisfied"},
    )
    assert refused.status_code == 409 and "须经网格员现场核查" in page(refused)
    assert r.number not in page(client.get("/requests/callbacks/"))
    client.logout()
    tracked = page(client.post(reverse("requests:h5_track"), {"number": r.number, "phone": PHONE}))
    assert "网格员现场核查后即可评价" in tracked and "请您评价" not in tracked
    assert reverse("requests:h5_rate", args=[r.rating_token]) not in tracked
    rate = client.post(
        reverse("requests:h5_rate", args=[r.rating_token]),
        {"contacted": "yes", "resolution": "solved", "satisfaction": "satisfied"},
    )
    assert rate.status_code == 409 and "正等待网格员现场核查" in page(rate)
    assert _state(r)[0] == Status.REPLIED and not Rating.objects.exists()
    services.request_verify(actor=hotline.city.alice, request=r, confirmed=True, note="已恢复运行")
    login(client, hotline.city.olivia)
    assert "/act/callback/" in page(client.get(f"/requests/{r.pk}/"))


def test_the_api_lists_no_callback_before_the_check_and_refuses_one(hotline: Any, client: Client) -> None:
    from civicgrid.accounts.services import api_token_create

    r = _replied_lift(hotline)
    _, token = api_token_create(actor=None, system=True, user=hotline.city.olivia, name="测试")
    auth = {"Authorization": f"Bearer {token}"}
    detail = client.get(f"/api/v1/requests/{r.pk}", headers=auth).json()
    assert "callback" not in detail["allowed_actions"] and "close" not in detail["allowed_actions"]
    assert r.number not in str(client.get("/api/v1/requests/callback-queue", headers=auth).json())
    refused = client.post(
        f"/api/v1/requests/{r.pk}/callback",
        {"contacted": True, "resolution": "solved", "satisfaction": "satisfied"},
        content_type="application/json",
        headers=auth,
    )
    assert refused.status_code == 409 and "须经网格员现场核查" in refused.json()["message"]
    assert _state(r) == (Status.REPLIED, r.version, 0)
    services.request_verify(actor=hotline.city.alice, request=r, confirmed=True, note="已恢复运行")
    detail = client.get(f"/api/v1/requests/{r.pk}", headers=auth).json()
    assert "callback" in detail["allowed_actions"]
