"""The attachment upload's refusals name the field as sent and say why a file was refused.

The multipart field is ``files``, but a refused file came back under ``attachments`` (the
service's key); a truncated PNG was refused as of the wrong type ("只接受 JPG、PNG…").
"""

from typing import Any

import pytest

from civicgrid.core.tests import images
from civicgrid.requests import services
from civicgrid.requests.models import Attachment
from civicgrid.requests.tests.test_api import BASE, Caller

pytestmark = pytest.mark.django_db


def _upload(hotline: Any, *files: Any) -> Any:
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    olivia = Caller(hotline.city.olivia)
    return olivia.client.post(
        f"{BASE}/{request.pk}/attachments", {"files": list(files)}, headers=olivia.headers
    )


def test_a_truncated_png_is_called_damaged_under_files(hotline: Any) -> None:
    cut = images.PNG[: len(images.PNG) - 20]
    response = _upload(hotline, images.upload("现场.png", cut, "image/png"))
    assert response.status_code == 422, response.content
    assert response.json()["detail"] == {"files": ["现场.png：文件已损坏或不完整，无法读取，请重新上传"]}
    assert not Attachment.objects.exists()


def test_a_file_of_another_type_is_still_refused_by_type(hotline: Any) -> None:
    renamed = images.upload("现场.png", b"MZ\x90\x00 not an image", "image/png")
    text = images.upload("说明.txt", b"hello", "text/plain")
    response = _upload(hotline, renamed, text)
    assert response.status_code == 422, response.content
    assert response.json()["detail"] == {
        "files": ["现场.png：只接受 JPG、PNG、WEBP 图片或 PDF", "说明.txt：只接受 JPG、PNG、WEBP 图片或 PDF"]
    }
