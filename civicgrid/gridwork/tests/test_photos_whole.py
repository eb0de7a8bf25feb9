"""Field photos must be whole images (``core.uploads``), not only their first bytes: a bare
PNG signature or a JPEG cut short on a weak signal is refused and nothing stored."""

from typing import Any

import pytest

from civicgrid.core.errors import ValidationError
from civicgrid.core.tests import images
from civicgrid.gridwork import services
from civicgrid.gridwork.models import Finding, Photo
from civicgrid.gridwork.tests.conftest import Field, audit_count
from civicgrid.requests.models import Attachment, Request

pytestmark = pytest.mark.django_db

BROKEN = {
    "signature-only png": ("现场.png", images.PNG_SIGNATURE_ONLY, "image/png"),
    "truncated jpeg": ("现场.jpg", images.JPEG_CUT_SHORT, "image/jpeg"),
}


def fixed(photos: list[Any]) -> services.FindingIn:
    return services.FindingIn(
        category="fire",
        description="5号楼楼道堆放纸箱，堵塞消防通道",
        outcome="fixed",
        handled_note="已联系住户清理",
        lon=120.305,
        lat=31.575,
        photos=photos,
    )


def counts() -> tuple[int, int, int, int, int]:
    return (
        Finding.objects.count(),
        Photo.objects.count(),
        Request.objects.count(),
        Attachment.objects.count(),
        audit_count(),
    )


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_finding_with_a_broken_photo_is_refused(field: Field, case: str) -> None:
    name, data, content_type = BROKEN[case]
    before = counts()
    photo = images.upload(name, data, content_type)
    with pytest.raises(ValidationError) as exc:
        services.finding_record(actor=field.alice, client_key="broken-photo", data=fixed([photo]))
    assert exc.value.errors == {"photos": [f"{name}：只接受 JPG、PNG 或 WEBP 照片"]}
    assert counts() == before


def test_whole_png_jpeg_and_webp_photos_are_kept_as_sent(field: Field) -> None:
    uploads = [images.png_upload(), images.jpeg_upload(), images.webp_upload()]
    saved = services.finding_record(actor=field.alice, client_key="whole-photos", data=fixed(uploads))
    kept = Photo.objects.filter(finding=saved.entry).order_by("id")
    assert [p.content_type for p in kept] == ["image/png", "image/jpeg", "image/webp"]
    for photo, sent in zip(kept, (images.PNG, images.JPEG, images.WEBP), strict=True):
        with photo.file.open("rb") as stored:
            assert stored.read() == sent
