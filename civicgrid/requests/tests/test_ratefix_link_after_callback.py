"""The rating link of a request the resident never rated (outside tester): after the operator
closed it without a callback (联系不上) or recorded the rating by phone, the link no longer
says "您已评价过该诉求" nor shows "评价成功"; it says what happened."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.requests import services
from civicgrid.requests.constants import Resolution, Satisfaction
from civicgrid.requests.tests.test_resident import served

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

ALREADY = "您已评价过该诉求"


def _pages(client: Client, token: str) -> tuple[str, Any]:
    rate = client.get(reverse("requests:h5_rate", args=[token]))
    thanks = client.get(reverse("requests:h5_rated", args=[token]))
    return rate.content.decode(), thanks


def test_closed_without_a_callback(hotline: Any, client: Client) -> None:
    request = served(hotline)
    services.request_close(actor=hotline.city.olivia, request=request, note="联系不上")
    page, thanks = _pages(client, request.rating_token)
    assert ALREADY not in page and "本次未留评价" in page
    assert thanks.status_code == 302 and thanks["Location"] == reverse(
        "requests:h5_rate", args=[request.rating_token]
    )


def test_rated_by_phone(hotline: Any, client: Client) -> None:
    request = served(hotline)
    services.request_callback(
        actor=hotline.city.olivia,
        request=request,
        contacted=True,
        resolution=Resolution.SOLVED,
        satisfaction=Satisfaction.SATISFIED,
    )
    page, thanks = _pages(client, request.rating_token)
    assert ALREADY not in page and "已电话回访并记录了您的评价" in page
    assert thanks.status_code == 302  # no 评价成功 for a rating the resident did not give here


def test_rated_by_the_link(hotline: Any, client: Client) -> None:
    request = served(hotline)
    url = reverse("requests:h5_rate", args=[request.rating_token])
    client.post(url, {"contacted": "yes", "resolution": "solved", "satisfaction": "satisfied"})
    page, thanks = _pages(client, request.rating_token)
    assert ALREADY in page
    assert thanks.status_code == 200 and "感谢您的评价" in thanks.content.decode()
