"""Resident forms take a photo by what it is (a PNG named a.jpg, sent as image/jpeg: intake's
own rule, ``intake.retyped``) and call a cut-short photo damaged, not of a wrong type; the
done page promises a rating SMS only to a resident who left a phone; each resident page has
one h1, its title (outside tester)."""

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from civicgrid.core.tests import images
from civicgrid.requests.doorplate import doorplate_token
from civicgrid.requests.models import Attachment, Request

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

SMS = "办理答复后将通过短信请您评价"


def _report(**kw: Any) -> dict[str, Any]:
    return {
        "type": "complaint",
        "title": "小区路灯不亮",
        "content": "胜利门1号楼前的路灯坏了一周",
        "phone": "13912345678",
    } | kw


def _forms(hotline: Any) -> list[str]:
    return [
        reverse("requests:h5_submit"),
        reverse("requests:doorplate", args=[doorplate_token(hotline.city.building_a1)]),
    ]


def test_a_png_named_jpg_is_taken_as_a_png_on_both_forms(client: Client, hotline: Any) -> None:
    for url in _forms(hotline):
        photo = SimpleUploadedFile("a.jpg", images.PNG, content_type="image/jpeg")
        response = client.post(url, _report(photos=[photo]))
        assert response.status_code == 302, response.content.decode()[:2000]
    assert Request.objects.count() == 2
    kept = list(Attachment.objects.values_list("name", "content_type"))
    assert kept == [("a.jpg", "image/png"), ("a.jpg", "image/png")]


@pytest.mark.parametrize(
    ("name", "data", "declared"),
    [
        ("a.png", images.PNG[: len(images.PNG) // 2], "image/png"),
        ("a.jpg", images.PNG[: len(images.PNG) // 2], "image/jpeg"),  # a cut PNG named .jpg
        ("b.jpg", images.JPEG_CUT_SHORT, "image/jpeg"),
    ],
)
def test_a_cut_short_photo_is_called_damaged(
    client: Client, hotline: Any, name: str, data: bytes, declared: str
) -> None:
    for url in _forms(hotline):
        photo = SimpleUploadedFile(name, data, content_type=declared)
        response = client.post(url, _report(photos=[photo]))
        page = response.content.decode()
        assert response.status_code == 422
        assert f"{name}：照片已损坏或不完整，请重新选择" in page
        assert "只接受 JPG、PNG 或 WEBP 照片" not in page
    assert not Request.objects.exists()


def test_a_pdf_named_jpg_is_still_refused_as_no_photo(client: Client, hotline: Any) -> None:
    for url in _forms(hotline):
        photo = SimpleUploadedFile("a.jpg", images.PDF, content_type="image/jpeg")
        response = client.post(url, _report(photos=[photo]))
        assert response.status_code == 422
        assert "a.jpg：只接受 JPG、PNG 或 WEBP 照片" in response.content.decode()
    assert not Request.objects.exists()


def test_the_rating_sms_is_promised_only_with_a_phone(client: Client, hotline: Any) -> None:
    url = reverse("requests:h5_submit")
    without = client.post(url, _report(phone="", anonymous="on"), follow=True).content.decode()
    assert "您的诉求已受理" in without and "您没有留下电话" in without
    assert SMS not in without and "短信请您评价" not in without
    with_phone = Client().post(url, _report(title="另一件事"), follow=True).content.decode()
    assert SMS in with_phone


def _h1s(page: str) -> list[str]:
    return re.findall(r"<h1\b[^>]*>", page)


def test_the_alarm_and_done_pages_have_one_h1(client: Client, hotline: Any) -> None:
    url = reverse("requests:doorplate_alarm", args=[doorplate_token(hotline.city.building_a1)])
    confirm = client.get(url).content.decode()
    assert _h1s(confirm) == ['<h1 class="h5-title">']
    assert '<h2 class="headline confirm">' in confirm
    done = client.post(url, {"confirm": "1", "note": "着火了"}, follow=True).content.decode()
    assert "报警信息已发出" in done and _h1s(done) == ['<h1 class="h5-title">']
    again = client.post(url, {"confirm": "1", "note": "有人被困"}, follow=True).content.decode()
    assert "您补充的情况已记入报警" in again and len(_h1s(again)) == 1
    report = Client().post(reverse("requests:h5_submit"), _report(), follow=True).content.decode()
    assert "您的诉求已受理" in report and len(_h1s(report)) == 1
    assert re.search(r'<h2 class="headline">\s*您的诉求已受理', report)
