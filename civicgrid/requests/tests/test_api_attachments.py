"""Attachments through the API: each one carries its download address, and the download
answers a token as the request page's link answers a signed-in user (same read check)."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from civicgrid.accounts.services import api_token_create
from civicgrid.core.models import AuditLog
from civicgrid.core.tests import images
from civicgrid.requests import services
from civicgrid.requests.models import Attachment, Request

pytestmark = pytest.mark.django_db

BASE = "/api/v1/requests"
PNG = images.PNG  # a whole image: the upload check refuses a bare signature


def bearer(user: Any) -> dict[str, str]:
    _, token = api_token_create(actor=None, system=True, user=user, name="测试")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def request_with_photo(hotline: Any) -> tuple[Request, dict[str, Any]]:
    """A request dispatched to sub A, with one photo uploaded by the operator through the API."""
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    response = Client().post(
        f"{BASE}/{request.pk}/attachments",
        {"files": [SimpleUploadedFile("现场.png", PNG, "image/png")], "note": "现场照片"},
        headers=bearer(hotline.city.olivia),
    )
    assert response.status_code == 201, response.content
    return request, response.json()[0]


def test_an_attachment_carries_its_download_address(hotline: Any, request_with_photo: Any) -> None:
    request, uploaded = request_with_photo
    item = Attachment.objects.get(request=request)
    assert uploaded["url"] == f"{BASE}/{request.pk}/attachments/{item.pk}"
    detail = Client().get(f"{BASE}/{request.pk}", headers=bearer(hotline.city.olivia)).json()
    assert detail["attachments"][0]["url"] == uploaded["url"]


@pytest.mark.parametrize("who", ["olivia", "hank"])
def test_a_caller_who_may_read_the_request_downloads_the_file(
    hotline: Any, request_with_photo: Any, who: str
) -> None:
    _, uploaded = request_with_photo
    user = hotline.hank if who == "hank" else hotline.city.olivia
    headers = bearer(user)
    audits = AuditLog.objects.count()
    response = Client().get(uploaded["url"], headers=headers)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG  # type: ignore[attr-defined]
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert AuditLog.objects.count() == audits  # the page's download writes none either


def test_others_get_the_pages_404_and_no_token_a_401(hotline: Any, request_with_photo: Any) -> None:
    request, uploaded = request_with_photo
    item = Attachment.objects.get(request=request)
    carol = hotline.city.carol  # community worker of another subdistrict
    response = Client().get(uploaded["url"], headers=bearer(carol))
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    page = Client()
    page.force_login(carol)
    assert page.get(reverse("requests:attachment", args=[request.pk, item.pk])).status_code == 404
    other = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    wrong = Client().get(f"{BASE}/{other.pk}/attachments/{item.pk}", headers=bearer(hotline.city.olivia))
    assert wrong.status_code == 404 and wrong.json()["message"] == "附件不存在"
    anonymous = Client().get(uploaded["url"])
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "unauthorized"
