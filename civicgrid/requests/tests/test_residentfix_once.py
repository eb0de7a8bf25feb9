"""A resent resident form files nothing new (outside tester, 390 px phone): a dropped connection,
Back and 提交 again shows the first request's number; Back after an alarm's done page and
确认报警 again shows "您刚刚已报警（编号…）", not a second emergency."""

from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from civicgrid.core.tests import images
from civicgrid.requests.constants import RequestType
from civicgrid.requests.doorplate import doorplate_token
from civicgrid.requests.models import Request
from civicgrid.requests.tests.test_resident import PHONE, report

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def _token(page: str) -> str:
    return page.split('name="once_token" value="', 1)[1].split('"', 1)[0]


def _photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("现场.png", images.PNG, content_type="image/png")


@pytest.mark.parametrize("forget", [False, True], ids=["cache", "cache-forgot"])
def test_a_resent_h5_report_shows_the_first_number(hotline: Any, client: Client, forget: bool) -> None:
    url = reverse("requests:h5_submit")
    token = _token(client.get(url).content.decode())
    first = client.post(url, report(photos=[_photo()], once_token=token))
    assert first.status_code == 302
    number = Request.objects.get().number
    if forget:  # another worker, a restart: the request is found by what was sent
        cache.clear()
    again = client.post(url, report(photos=[_photo()], once_token=token), follow=True)
    page = again.content.decode()
    assert Request.objects.count() == 1
    assert number in page and "这份诉求已经提交过" in page


def test_a_resent_doorplate_report_shows_the_first_number(hotline: Any, client: Client) -> None:
    url = reverse("requests:doorplate", args=[doorplate_token(hotline.city.building_b1)])
    token = _token(client.get(url).content.decode())
    assert client.post(url, report(once_token=token)).status_code == 302
    number = Request.objects.get().number
    page = client.post(url, report(once_token=token), follow=True).content.decode()
    assert Request.objects.count() == 1 and number in page and "这份诉求已经提交过" in page


def test_a_refused_form_keeps_its_token_usable(hotline: Any, client: Client) -> None:
    url = reverse("requests:h5_submit")
    token = _token(client.get(url).content.decode())
    assert client.post(url, report(title="", once_token=token)).status_code == 422
    assert client.post(url, report(once_token=token)).status_code == 302
    assert Request.objects.count() == 1


def test_back_and_confirm_again_shows_the_first_alarm(hotline: Any, client: Client) -> None:
    url = reverse("requests:doorplate_alarm", args=[doorplate_token(hotline.city.building_a1)])
    posted = {"confirm": "1", "phone": PHONE, "once_token": _token(client.get(url).content.decode())}
    assert client.post(url, posted).status_code == 302
    number = Request.objects.get().number
    # Back re-renders the confirm step: a fresh token, the same phone and building
    posted["once_token"] = _token(client.get(url).content.decode())
    page = client.post(url, posted, follow=True).content.decode()
    assert Request.objects.filter(type=RequestType.EMERGENCY).count() == 1
    assert f"您刚刚已报警（编号{number}）" in page and "tel:110" in page


def test_another_phone_or_building_raises_its_own_alarm(hotline: Any, client: Client) -> None:
    c = hotline.city
    a1 = reverse("requests:doorplate_alarm", args=[doorplate_token(c.building_a1)])
    b1 = reverse("requests:doorplate_alarm", args=[doorplate_token(c.building_b1)])
    client.post(a1, {"confirm": "1", "phone": PHONE})
    client.post(a1, {"confirm": "1", "phone": "13700000000"})
    client.post(b1, {"confirm": "1", "phone": PHONE})
    assert Request.objects.filter(type=RequestType.EMERGENCY).count() == 3
