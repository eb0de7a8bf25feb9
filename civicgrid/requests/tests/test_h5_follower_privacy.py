"""A resident who follows someone else's request (跟进这件) tracks its progress, but never
reads the requester's words, the reply or the rating form (outside tester: a stranger read
a request in full and rated it in the requester's name)."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.requests import services
from civicgrid.requests.constants import Status
from civicgrid.requests.models import Category, Rating, Request
from civicgrid.requests.tests.test_follow_up import offered

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

OWNER = "13900000001"
STRANGER = "13700002222"
TITLE = "楼下夜间施工噪声"
CONTENT = "我是3号楼502的刘洋，身份证320213199001011234，楼下工地每晚施工到凌晨"
ADDRESS = "胜利门3号楼502室"
REPLY = "已联系刘洋先生，责令施工方夜间停工"


def _owner_files(hotline: Any) -> Request:
    # A building site's noise: something a grid worker can go and hear, so strangers may be
    # offered it (only such requests are: requests.public).
    Category.objects.filter(pk=hotline.noise.pk).update(needs_verification=True)
    owner = Client()
    data = {
        "type": "complaint",
        "category": str(hotline.noise.pk),
        "title": TITLE,
        "content": CONTENT,
        "address": ADDRESS,
        "lon": "120.3052",
        "lat": "31.5751",
        "phone": OWNER,
        "name": "刘洋",
    }
    assert owner.post(reverse("requests:h5_submit"), data).status_code == 302
    return Request.objects.get()


def _stranger_follows(client: Client) -> None:
    near = {"title": TITLE, "content": "", "lon": "120.3052", "lat": "31.5751"}
    shown = client.get(reverse("requests:h5_similar"), near).content.decode()
    data = {
        "type": "complaint",
        "title": TITLE,
        "content": "我也听到了",
        "phone": STRANGER,
        "lon": "120.3052",
        "lat": "31.5751",
        "follow": offered(shown),
    }
    done = client.post(reverse("requests:h5_submit"), data, follow=True)
    assert "已记入正在办理的诉求" in done.content.decode()


def _track(client: Client, number: str, phone: str) -> str:
    response = client.post(reverse("requests:h5_track"), {"number": number, "phone": phone})
    assert response.status_code == 200
    return response.content.decode()


def test_a_follower_sees_the_status_and_steps_but_not_the_request_or_the_reply(
    hotline: Any, client: Client
) -> None:
    req = _owner_files(hotline)
    assert req.status == Status.DISPATCHED
    _stranger_follows(client)
    page = _track(client, req.number, STRANGER)
    assert req.number in page and hotline.noise.name in page  # the kind of matter, as the list showed
    assert "已派单" in page  # the steps
    for private in (TITLE, "身份证", "3号楼502", ADDRESS):
        assert private not in page

    services.request_sign(actor=hotline.hank, request=req)
    req = services.request_reply(actor=hotline.hank, request=req, reply=REPLY)
    services.request_verify(actor=hotline.city.alice, request=req, confirmed=True, note="现场核查属实")
    page = _track(client, req.number, STRANGER)
    assert "承办单位已答复" in page
    assert REPLY not in page and "刘洋" not in page
    req.refresh_from_db()
    assert req.rating_token not in page  # no way to rate in the requester's name
    assert reverse("requests:h5_rate", args=[req.rating_token]) not in page
    assert 'name="satisfaction"' not in page and "请您评价" not in page

    # The requester still reads everything and rates from the same page.
    mine = _track(Client(), req.number, OWNER)
    assert TITLE in mine and REPLY in mine
    assert reverse("requests:h5_rate", args=[req.rating_token]) in mine
    assert not Rating.objects.exists()


def test_after_the_requester_rates_a_follower_reads_it_in_the_third_person(
    hotline: Any, client: Client
) -> None:
    req = _owner_files(hotline)
    _stranger_follows(client)
    services.request_sign(actor=hotline.hank, request=req)
    req = services.request_reply(actor=hotline.hank, request=req, reply=REPLY)
    req = services.request_verify(actor=hotline.city.alice, request=req, confirmed=True, note="现场核查属实")
    owner = Client()
    rated = owner.post(
        reverse("requests:h5_rate", args=[req.rating_token]),
        {"contacted": "yes", "resolution": "solved", "satisfaction": "satisfied"},
    )
    assert rated.status_code == 302  # to the thank-you page (Post/Redirect/Get)
    page = _track(client, req.number, STRANGER)
    assert "诉求人已评价" in page and "您已评价" not in page
