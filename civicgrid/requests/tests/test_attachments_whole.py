"""Request attachments must be whole images or PDFs (``core.uploads``), not only their first
bytes: a bare PNG signature or a JPEG cut short in transfer is refused and nothing stored."""

from typing import Any

import pytest
from django.core.files.uploadedfile import UploadedFile
from django.test import Client

from civicgrid.accounts.services import api_token_create
from civicgrid.core.errors import ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.core.tests import images
from civicgrid.requests import services
from civicgrid.requests.models import Attachment, Request, RequestEvent

pytestmark = pytest.mark.django_db

BROKEN = {
    "signature-only png": ("现场.png", images.PNG_SIGNATURE_ONLY, "image/png"),
    "truncated jpeg": ("现场.jpg", images.JPEG_CUT_SHORT, "image/jpeg"),
}


def counts() -> tuple[int, int, int, int]:
    return (
        Request.objects.count(),
        RequestEvent.objects.count(),
        Attachment.objects.count(),
        AuditLog.objects.count(),
    )


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_an_intake_with_a_broken_image_is_refused(hotline: Any, case: str) -> None:
    name, data, content_type = BROKEN[case]
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.request_create(
            actor=hotline.city.olivia,
            data=hotline.new(),
            attachments=[images.upload(name, data, content_type)],
        )
    assert exc.value.errors == {"attachments": [f"{name}：文件已损坏或不完整，无法读取，请重新上传"]}
    assert counts() == before


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_the_api_refuses_a_broken_image_for_a_request(hotline: Any, case: str) -> None:
    name, data, content_type = BROKEN[case]
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    _, token = api_token_create(actor=None, system=True, user=hotline.city.olivia, name="测试")
    before = counts()
    response = Client().post(
        f"/api/v1/requests/{request.pk}/attachments",
        {"files": [images.upload(name, data, content_type)], "note": "现场照片"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422
    assert response.json()["detail"] == {"files": [f"{name}：文件已损坏或不完整，无法读取，请重新上传"]}
    assert counts() == before


def test_whole_images_and_a_pdf_are_kept_as_sent(hotline: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    sent = {
        "现场.png": images.PNG,
        "现场.jpg": images.JPEG,
        "现场.webp": images.WEBP,
        "说明.pdf": images.PDF,
    }
    uploads: list[UploadedFile] = [
        images.png_upload("现场.png"),
        images.jpeg_upload("现场.jpg"),
        images.webp_upload("现场.webp"),
        images.upload("说明.pdf", images.PDF, "application/pdf"),
    ]
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new(), attachments=uploads)
    kept = {a.name: a for a in Attachment.objects.filter(request=request)}
    assert set(kept) == set(sent)
    for name, attachment in kept.items():
        with attachment.file.open("rb") as stored:
            assert stored.read() == sent[name], name  # the check rewound the file before saving
