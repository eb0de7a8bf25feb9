"""Outside tester, resident pages: a bad hidden point (nan, inf) is cleared and explained;
strangers' misses on a number do not lock its requester out; the requester's own photos show
on the track result, to the session that proved number and phone alone; the emergency
numbers of the footer stay on one line."""

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from civicgrid.core.tests import images
from civicgrid.requests import services
from civicgrid.requests.constants import Channel
from civicgrid.requests.models import Attachment, Request

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

PHONE = "13912345678"


def _report(**kw: Any) -> dict[str, Any]:
    return {
        "type": "complaint",
        "title": "小区路灯不亮",
        "content": "胜利门1号楼前的路灯坏了一周",
        "phone": PHONE,
        **kw,
    }


# ---------------------------------------------------------------- a point that is no number


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400"])
def test_a_non_finite_point_is_cleared_and_explained(hotline: Any, client: Client, value: str) -> None:
    response = client.post(reverse("requests:h5_submit"), _report(lon=value, lat=value))
    page = response.content.decode()
    assert response.status_code == 422
    assert "应为有限的数字。已清除定位，请填写地址后再提交" in page
    assert f'value="{value}"' not in page  # the form comes back without the bad point
    assert not Request.objects.exists()
    # Sent again as it came back (no point), it is filed.
    again = client.post(reverse("requests:h5_submit"), _report(lon="", lat=""))
    assert again.status_code == 302 and Request.objects.count() == 1


# ---------------------------------------------------------------- track lockout


def _track(number: str, phone: str, address: str) -> int:
    track = reverse("requests:h5_track")
    return Client(REMOTE_ADDR=address).post(track, {"number": number, "phone": phone}).status_code


@override_settings(REQUESTS_H5_TRACK_NUMBER_LIMIT=5, REQUESTS_H5_TRACK_OWNER_MISSES=3)
def test_strangers_misses_do_not_lock_the_requester_out(hotline: Any) -> None:
    found = services.request_create(actor=hotline.city.olivia, data=hotline.new(requester_phone=PHONE))
    for i in range(5):  # five addresses, one wrong phone each: the number's budget is spent
        assert _track(found.number, "13700000000", f"10.0.0.{i}") == 404
    assert _track(found.number, "13700000001", "10.0.0.9") == 404  # a fresh address: still answered
    assert _track(found.number, PHONE, "10.0.1.1") == 200  # the requester, from anywhere
    # An address that missed this number a few times gets no more tries while it is spent.
    for _ in range(2):
        assert _track(found.number, "13700000002", "10.0.0.9") == 404
    assert _track(found.number, PHONE, "10.0.0.9") == 429


# ---------------------------------------------------------------- own photos


def _filed_with_a_photo(client: Client, **kw: Any) -> Request:
    photo = SimpleUploadedFile("现场.png", images.PNG, content_type="image/png")
    assert client.post(reverse("requests:h5_submit"), _report(photos=[photo], **kw)).status_code == 302
    return Request.objects.get()


def test_the_track_result_shows_the_requesters_own_photos(hotline: Any, client: Client) -> None:
    filed = _filed_with_a_photo(Client())
    photo = Attachment.objects.get(request=filed)
    url = reverse("requests:h5_track_photo", args=[photo.pk])
    assert client.get(url).status_code == 404  # before proving number and phone
    page = client.post(reverse("requests:h5_track"), {"number": filed.number, "phone": PHONE})
    assert page.status_code == 200 and f'src="{url}"' in page.content.decode()
    shown = client.get(url)
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    assert b"".join(shown.streaming_content) == images.PNG  # type: ignore[attr-defined]
    assert "no-store" in shown["Cache-Control"]
    assert Client().get(url).status_code == 404  # another browser proved nothing


def test_staff_attachments_and_followers_get_no_photo(hotline: Any, client: Client) -> None:
    filed = _filed_with_a_photo(Client(), category=str(hotline.lift.pk))  # one strangers may follow
    own = Attachment.objects.get(request=filed, name="现场.png")
    # A photo staff attached (as the console does when an operator files a call).
    Attachment.objects.create(
        request=filed,
        event=own.event,
        file=ContentFile(images.PNG, name="处置.png"),
        name="处置.png",
        content_type="image/png",
        size=len(images.PNG),
        uploaded_by=hotline.hank,
    )
    track = reverse("requests:h5_track")
    mine = client.post(track, {"number": filed.number, "phone": PHONE}).content.decode()
    staff_photo = Attachment.objects.get(request=filed, name="处置.png")
    assert reverse("requests:h5_track_photo", args=[own.pk]) in mine
    assert reverse("requests:h5_track_photo", args=[staff_photo.pk]) not in mine
    assert client.get(reverse("requests:h5_track_photo", args=[staff_photo.pk])).status_code == 404
    follower = Client()
    services.request_follow_up(request=filed, text="我也看到了", phone="13700003333", channel=Channel.WEB)
    follows = follower.post(reverse("requests:h5_track"), {"number": filed.number, "phone": "13700003333"})
    assert follows.status_code == 200
    assert "h5_track_photo" not in follows.content.decode() and "/photos/" not in follows.content.decode()
    assert follower.get(reverse("requests:h5_track_photo", args=[own.pk])).status_code == 404


# ---------------------------------------------------------------- footer


def test_the_emergency_numbers_stay_on_one_line(hotline: Any, client: Client) -> None:
    page = client.get(reverse("requests:h5_submit")).content.decode()
    dial = re.search(r'<span class="h5-dial">(.*?)</span>', page, re.S)
    assert dial is not None
    assert all(f"tel:{n}" in dial.group(1) for n in ("110", "119", "120"))
    css = (Path(settings.BASE_DIR) / "static" / "civicgrid" / "h5.css").read_text()
    assert ".h5-dial { white-space: nowrap; }" in css
