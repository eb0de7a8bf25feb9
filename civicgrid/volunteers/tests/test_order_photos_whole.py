"""Service-order photos must be whole images (``core.uploads``), not only their first bytes:
a bare PNG signature or a JPEG cut short is refused and nothing stored."""

from typing import Any

import pytest
from django.core.files.uploadedfile import UploadedFile

from civicgrid.core.errors import ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.core.tests import images
from civicgrid.volunteers import services
from civicgrid.volunteers.constants import OrderStatus
from civicgrid.volunteers.models import OrderEvent, OrderPhoto, ServiceOrder
from civicgrid.volunteers.services import Taker
from civicgrid.volunteers.tests.conftest import People

pytestmark = pytest.mark.django_db

BROKEN = {
    "signature-only png": ("服务照片.png", images.PNG_SIGNATURE_ONLY, "image/png"),
    "truncated jpeg": ("服务照片.jpg", images.JPEG_CUT_SHORT, "image/jpeg"),
}


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def assigned(people: People) -> ServiceOrder:
    return services.service_order_dispatch(
        actor=people.city.bob, order=people.order(), taker=Taker.of_volunteer(people.v_li)
    )


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_completion_with_a_broken_photo_is_refused(people: People, case: str) -> None:
    name, data, content_type = BROKEN[case]
    order = assigned(people)
    before = (AuditLog.objects.count(), OrderEvent.objects.count(), OrderPhoto.objects.count())
    with pytest.raises(ValidationError) as exc:
        services.service_order_complete(
            actor=people.li,
            order=order,
            note="已帮老人买菜",
            hours=2,
            photos=[images.upload(name, data, content_type)],
        )
    assert exc.value.errors == {"photos": [f"{name}：只接受 JPG、PNG、WEBP 图片"]}
    assert (AuditLog.objects.count(), OrderEvent.objects.count(), OrderPhoto.objects.count()) == before
    assert ServiceOrder.objects.get(pk=order.pk).status == order.status


def test_whole_png_jpeg_and_webp_photos_are_kept_as_sent(people: People) -> None:
    uploads: list[UploadedFile] = [
        images.png_upload("1.png"),
        images.jpeg_upload("2.jpg"),
        images.webp_upload("3.webp"),
    ]
    done = services.service_order_complete(
        actor=people.li, order=assigned(people), note="已帮老人买菜", hours=2, photos=uploads
    )
    assert done.status == OrderStatus.COMPLETED
    kept = OrderPhoto.objects.filter(order=done).order_by("id")
    assert [p.content_type for p in kept] == ["image/png", "image/jpeg", "image/webp"]
    for photo, sent in zip(kept, (images.PNG, images.JPEG, images.WEBP), strict=True):
        with photo.file.open("rb") as stored:
            assert stored.read() == sent
