"""The console's small sayings: attachments to choose again, the similar-requests notice by
the submit button, an invalid number's history, a point in no grid, one reason for the point,
the staff callback's wording, and an anonymous call keeps no name."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from civicgrid.core.errors import ValidationError
from civicgrid.core.tests import images
from civicgrid.requests import services
from civicgrid.requests.models import Request
from civicgrid.requests.services.rating import _validate
from civicgrid.requests.tests.test_pages import CONSOLE, console_post

pytestmark = pytest.mark.django_db


def test_a_refused_submit_says_the_files_must_be_chosen_again(client: Client, hotline: Any) -> None:
    client.force_login(hotline.city.olivia)
    photo = SimpleUploadedFile("a.png", images.PNG, content_type="image/png")
    refused = client.post(CONSOLE, {**console_post(hotline, title=""), "attachments": [photo]})
    assert refused.status_code == 422
    page = refused.content.decode()
    assert "附件需重新选择" in page and "最多 9 个" in page
    assert "附件需重新选择" not in client.post(CONSOLE, console_post(hotline, title="")).content.decode()


def test_the_similar_panel_also_fills_the_notice_by_the_submit_button(client: Client, hotline: Any) -> None:
    services.request_create(actor=hotline.city.olivia, data=hotline.new())
    client.force_login(hotline.city.olivia)
    assert 'id="similar-notice"' in client.get(CONSOLE).content.decode()
    query = {"title": "电梯停运", "content": "3号楼电梯坏了", "lon": "120.305", "lat": "31.575"}
    panel = client.get(reverse("requests:console_similar"), query).content.decode()
    notice = panel.split('id="similar-notice"', 1)[1]
    assert (
        'hx-swap-oob="true"' in notice
        and "附近有 1 件相似的未办结诉求" in notice
        and 'href="#similar"' in notice
    )


def test_an_invalid_number_has_no_history_to_show(client: Client, hotline: Any) -> None:
    client.force_login(hotline.city.olivia)
    shown = client.get(reverse("requests:console_history"), {"requester_phone": "138123456"}).content.decode()
    assert "号码无效" in shown and "没有历史诉求" not in shown


def test_a_point_in_no_grid_is_said_before_and_after_the_submit(client: Client, hotline: Any) -> None:
    client.force_login(hotline.city.olivia)
    near = client.get(reverse("web:locate"), {"lon": "120.40", "lat": "31.58"}).content.decode()
    assert "不在任何网格内" in near and "梁溪区" in near
    far = client.get(reverse("web:locate"), {"lon": "121.2", "lat": "31.58"}).content.decode()
    assert "将被拒绝" in far
    done = client.post(CONSOLE, console_post(hotline, lon="120.40", lat="31.58"), follow=True)
    assert "该位置不在任何网格内" in done.content.decode()
    inside = client.post(CONSOLE, console_post(hotline, title="路灯", content="路灯不亮"), follow=True)
    assert "该位置不在任何网格内" not in inside.content.decode()


def test_a_far_point_is_refused_once(client: Client, hotline: Any) -> None:
    client.force_login(hotline.city.olivia)
    refused = client.post(CONSOLE, console_post(hotline, lon="121.2", lat="31.58"))
    assert refused.status_code == 422
    page = refused.content.decode()
    assert page.count("离最近的网格超过") == 1 and 'id="id_lon_error"' in page


def test_the_staff_callback_speaks_of_the_requester() -> None:
    with pytest.raises(ValidationError) as staff:
        _validate(None, "resolved", "satisfied", staff=True)
    assert staff.value.errors["contacted"] == ["请选择承办单位是否联系过诉求人"]
    with pytest.raises(ValidationError) as resident:
        _validate(None, "resolved", "satisfied")
    assert resident.value.errors["contacted"] == ["请选择是否联系过您"]


def test_an_anonymous_call_keeps_no_name(hotline: Any) -> None:
    created = services.request_create(
        actor=hotline.city.olivia, data=hotline.new(anonymous=True, requester_name="钱小生")
    )
    row = Request.objects.get(pk=created.pk)
    assert row.requester_name_masked == "" and row.requester_phone_masked
