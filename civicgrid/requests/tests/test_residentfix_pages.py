"""Resident pages (outside tester, 390 px phone): refused photos say that no photo was kept;
the rating redirects to a thank-you page safe to reload (no ERR_CACHE_MISS on Back); the
emergency numbers and the checkbox rows are 44px tap targets; the submit page explains 匿名反映
and 要求为我保密."""

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from civicgrid.core.tests import images
from civicgrid.requests.doorplate import doorplate_token
from civicgrid.requests.models import Rating, Request
from civicgrid.requests.tests.test_resident import report, served

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

CSS = Path(__file__).resolve().parents[2] / "static" / "civicgrid" / "h5.css"


def test_refused_photos_say_none_was_kept(hotline: Any, client: Client) -> None:
    photos = [
        SimpleUploadedFile("好.jpg", images.JPEG, content_type="image/jpeg"),
        SimpleUploadedFile("手机.HEIC", b"\x00\x00\x00\x18ftypheic", content_type="image/heic"),
        SimpleUploadedFile("证明.pdf", images.PDF, content_type="application/pdf"),
    ]
    response = client.post(reverse("requests:h5_submit"), report(photos=photos))
    page = response.content.decode()
    assert response.status_code == 422 and not Request.objects.exists()
    assert "手机.HEIC：只接受 JPG、PNG 或 WEBP 照片" in page and "证明.pdf：只接受" in page
    assert "所选照片均未保存（共3张，符合要求的也未保存）：请重新选择照片后再提交" in page


def test_good_photos_on_a_refused_form_are_not_kept_either(hotline: Any, client: Client) -> None:
    photo = SimpleUploadedFile("好.jpg", images.JPEG, content_type="image/jpeg")
    page = client.post(reverse("requests:h5_submit"), report(title="", photos=[photo])).content.decode()
    assert "所选照片未保存（共1张）：请重新选择照片后再提交" in page


def test_rating_redirects_to_a_thank_you_page_safe_to_reload(hotline: Any, client: Client) -> None:
    request = served(hotline)
    url = reverse("requests:h5_rate", args=[request.rating_token])
    thanks = reverse("requests:h5_rated", args=[request.rating_token])
    assert client.get(thanks)["Location"] == url  # not rated yet: the form
    data = {"contacted": "yes", "resolution": "solved", "satisfaction": "satisfied"}
    posted = client.post(url, data)
    assert posted.status_code == 302 and posted["Location"] == thanks
    for _ in range(2):  # reload
        page = client.get(thanks)
        assert page.status_code == 200 and "感谢您的评价" in page.content.decode()
    assert Rating.objects.filter(request=request).count() == 1
    assert client.get(reverse("requests:h5_rated", args=["nope"])).status_code == 404


def test_tap_targets_are_44px(hotline: Any, client: Client) -> None:
    css = CSS.read_text()
    rule = css.split(".tel-links a {", 1)[1].split("}", 1)[0]
    assert "min-height: 44px" in rule and "min-width: 44px" in rule
    assert ".fld.check > label {" in css and "min-height: 36px" not in css
    page = client.get(reverse("requests:doorplate", args=[doorplate_token(hotline.city.building_a1)]))
    body = page.content.decode()
    assert 'class="hint center tel-links"' in body and '<a href="tel:119">119</a>' in body


def test_the_submit_page_explains_anonymous_and_confidential(hotline: Any, client: Client) -> None:
    page = client.get(reverse("requests:h5_submit")).content.decode()
    notice = page.split('<details class="hint privacy">', 1)[1].split("</details>", 1)[0]
    assert "匿名反映：" in notice and "要求为我保密：" in notice and "12345" in notice
