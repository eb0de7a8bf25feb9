"""A resident follows an open request like theirs instead of filing the same problem again."""

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.requests import services
from civicgrid.requests.constants import Status
from civicgrid.requests.doorplate import doorplate_token
from civicgrid.requests.models import Request, RequestEvent
from civicgrid.requests.views.resident import follow_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]
PHONE = "13912345678"


def offered_ids(shown: str) -> set[int]:
    """The requests a page offers to follow, read from its signed tokens (a token signed in
    the test differs from the page's once the clock passes a second)."""
    from django.core import signing

    from civicgrid.requests.views.resident import FOLLOW_SALT

    tokens = re.findall(r'name="follow" value="([^"]+)"', shown)
    return {signing.loads(token, salt=FOLLOW_SALT) for token in tokens}


def offered(shown: str) -> str:
    """The value of the first "跟进这件" button of a similar-requests list."""
    found = re.search(r'name="follow" value="([^"]+)"', shown)
    assert found is not None
    return found.group(1)


def report(**kw: Any) -> dict[str, Any]:
    data = {
        "type": "complaint",
        "title": "电梯停运",
        "content": "3号楼电梯又坏了",
        "phone": PHONE,
        "name": "李四",
        "lon": "120.3052",
        "lat": "31.5751",
    }
    data.update(kw)
    return data


def test_similar_open_requests_are_shown_and_followed(client: Client, hotline: Any) -> None:
    open_one = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    shown = client.get(reverse("requests:h5_similar"), report()).content.decode()
    assert hotline.lift.name in shown and offered_ids(shown) == {open_one.pk}
    assert open_one.title not in shown  # the category's name, never the resident's words
    assert "13812345678" not in shown and "张三" not in shown  # nobody's details on the public page
    response = client.post(reverse("requests:h5_submit"), report(follow=offered(shown)), follow=True)
    assert "已记入正在办理的诉求" in response.content.decode()
    assert Request.objects.count() == 1
    note = RequestEvent.objects.filter(request=open_one, action="note").get()
    assert "居民再次反映" in note.note and "139****5678" in note.note and PHONE not in note.note
    assert note.data["follow_up"] is True and note.data["phone_hash"]


def test_the_doorplate_finds_and_follows_by_the_building(client: Client, hotline: Any) -> None:
    building = hotline.city.building_a1
    open_one = services.request_create(
        actor=hotline.city.olivia, data=hotline.new(lon=None, lat=None, building=building)
    )
    token = doorplate_token(building)
    shown = client.get(reverse("requests:h5_similar"), {"title": "电梯停运", "plate": token}).content.decode()
    assert offered_ids(shown) == {open_one.pk}
    data = report(follow=offered(shown), lon="", lat="")
    client.post(reverse("requests:doorplate", args=[token]), data)
    assert RequestEvent.objects.filter(request=open_one, action="note").count() == 1
    assert Request.objects.count() == 1


def test_a_closed_request_or_a_bad_phone_is_refused_and_changes_nothing(client: Client, hotline: Any) -> None:
    target = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    token = follow_token(target.pk)
    bad_phone = client.post(reverse("requests:h5_submit"), report(follow=token, phone="123"))
    assert bad_phone.status_code == 422
    Request.objects.filter(pk=target.pk).update(status=Status.CLOSED)
    closed = client.post(reverse("requests:h5_submit"), report(follow=token))
    assert closed.status_code == 422 and "已办结" in closed.content.decode()
    assert not RequestEvent.objects.filter(request=target, action="note").exists()
    assert Request.objects.count() == 1


def test_only_a_request_the_list_offered_can_be_followed(client: Client, hotline: Any) -> None:
    """A guessed id (requests are numbered in sequence) or an altered token is refused: nobody
    can write onto any open request of the city by counting."""
    elsewhere = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    for guess in (str(elsewhere.pk), follow_token(elsewhere.pk)[:-2] + "xx"):
        response = client.post(reverse("requests:h5_submit"), report(follow=guess))
        assert response.status_code == 422 and "跟进链接已失效" in response.content.decode()
    assert not RequestEvent.objects.filter(request=elsewhere, action="note").exists()
    assert Request.objects.count() == 1


def test_confidential_requests_are_never_offered_and_sweeping_is_limited(
    client: Client, hotline: Any, settings: Any
) -> None:
    confidential = services.request_create(actor=hotline.city.olivia, data=hotline.new(confidential=True))
    assert confidential.pk not in offered_ids(
        client.get(reverse("requests:h5_similar"), report()).content.decode()
    )
    shown = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    settings.REQUESTS_H5_SIMILAR_LIMIT = 3
    pages = [client.get(reverse("requests:h5_similar"), report()).content.decode() for _ in range(3)]
    assert shown.pk in offered_ids(pages[0]) and shown.pk in offered_ids(pages[1])  # the first counted too
    assert shown.pk not in offered_ids(pages[2])  # the budget of this address is spent
