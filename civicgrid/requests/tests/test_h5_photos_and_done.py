"""The H5's photo errors name only what it takes, a decompression bomb is refused, and the
done page tells a resident who left no phone the truth (outside tester)."""

import struct
import zlib
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from civicgrid.core import uploads
from civicgrid.core.tests import images
from civicgrid.requests.doorplate import doorplate_token
from civicgrid.requests.models import Request

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width: int = 20000, height: int = 20000) -> bytes:
    """A PNG that declares 20000×20000 pixels (400 megapixels) in a few hundred bytes: its
    image data is a valid start of the zlib stream, all the whole-file check probes."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 200_000)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def _jpeg_sized(width: int, height: int) -> bytes:
    at = images.JPEG.index(b"\xff\xc0")
    return images.JPEG[: at + 5] + struct.pack(">HH", height, width) + images.JPEG[at + 9 :]


def _report(**kw: Any) -> dict[str, Any]:
    data = {
        "type": "complaint",
        "title": "小区路灯不亮",
        "content": "胜利门1号楼前的路灯坏了一周",
        "phone": "13912345678",
    }
    data.update(kw)
    return data


def test_a_pdf_is_refused_with_a_message_naming_only_photos(hotline: Any, client: Client) -> None:
    pdf = SimpleUploadedFile("证明.pdf", images.PDF, content_type="application/pdf")
    response = client.post(reverse("requests:h5_submit"), _report(photos=[pdf]))
    page = response.content.decode()
    assert response.status_code == 422 and "证明.pdf：只接受 JPG、PNG 或 WEBP 照片" in page
    assert "PDF" not in page.split("证明.pdf：", 1)[1].split("<", 1)[0]
    fake = SimpleUploadedFile("假.png", images.PNG_SIGNATURE_ONLY, content_type="image/png")
    page = client.post(reverse("requests:h5_submit"), _report(photos=[fake])).content.decode()
    assert "假.png：照片已损坏或不完整，请重新选择" in page and "或 PDF" not in page  # a cut PNG
    assert not Request.objects.exists()


def test_a_decompression_bomb_is_refused(hotline: Any, client: Client) -> None:
    bomb = bomb_png()
    assert len(bomb) < 2_000
    photo = SimpleUploadedFile("大图.png", bomb, content_type="image/png")
    response = client.post(reverse("requests:h5_submit"), _report(photos=[photo]))
    assert response.status_code == 422
    assert "大图.png：照片像素过大" in response.content.decode()
    assert not Request.objects.exists()
    ok = SimpleUploadedFile("现场.png", images.PNG, content_type="image/png")
    assert client.post(reverse("requests:h5_submit"), _report(photos=[ok])).status_code == 302


def test_the_upload_check_counts_pixels_of_every_image_type() -> None:
    assert not uploads.is_whole("image/png", bomb_png())
    assert uploads.is_whole("image/png", bomb_png(8000, 6000))  # 48 megapixels: a phone photo
    assert uploads.image_pixels("image/jpeg", images.JPEG) == 64
    assert uploads.is_whole("image/jpeg", _jpeg_sized(12032, 9024))  # 108 MP full-resolution mode
    assert not uploads.is_whole("image/jpeg", _jpeg_sized(20000, 20000))
    assert uploads.image_pixels("image/webp", images.WEBP) == 64
    vp8x = images.WEBP[:12] + b"VP8X" + b"\x0a\x00\x00\x00" + b"\x00" * 4
    vp8x += (19999).to_bytes(3, "little") + (19999).to_bytes(3, "little") + images.WEBP[30:]
    assert uploads.image_pixels("image/webp", vp8x) == 400_000_000


def test_an_alarm_without_a_phone_does_not_promise_tracking_by_phone(hotline: Any, client: Client) -> None:
    url = reverse("requests:doorplate_alarm", args=[doorplate_token(hotline.city.building_a1)])
    page = client.post(url, {"confirm": "1"}, follow=True).content.decode()
    assert "报警信息已发出" in page and "提交时填写的手机号" not in page
    assert "您没有留下电话" in page
    cache.clear()
    page = client.post(url, {"confirm": "1", "phone": "13912345678"}, follow=True).content.decode()
    assert "凭编号和提交时填写的手机号可随时查询" in page


def test_an_anonymous_report_without_a_phone_is_told_the_same(hotline: Any, client: Client) -> None:
    response = client.post(reverse("requests:h5_submit"), _report(phone="", anonymous="on"), follow=True)
    page = response.content.decode()
    assert "您的诉求已受理" in page and "提交时填写的手机号" not in page and "您没有留下电话" in page
