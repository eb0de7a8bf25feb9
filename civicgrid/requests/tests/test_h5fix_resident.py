"""The resident's H5 forms: a second tap on 确认报警 or 提交评价 sends nothing (the shared
submit-once script, and the alarm carries a one-time form token); the photo field checks the
server's size limit in the browser, with the server's words, from the limit the page is given."""

from typing import Any

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from civicgrid.requests.doorplate import doorplate_token
from civicgrid.requests.tests.test_resident import served
from civicgrid.requests.views.resident import MAX_PHOTOS, ReportForm

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

GUARD = "civicgrid/submit-once.js"


def test_the_alarm_page_guards_against_a_second_tap(hotline: Any, client: Client) -> None:
    url = reverse("requests:doorplate_alarm", args=[doorplate_token(hotline.city.building_a1)])
    body = client.get(url).content.decode()
    assert GUARD in body and 'name="once_token"' in body and 'id="alarm-btn"' in body


def test_the_rating_page_guards_against_a_second_tap(hotline: Any, client: Client) -> None:
    request = served(hotline)
    body = client.get(reverse("requests:h5_rate", args=[request.rating_token])).content.decode()
    assert "请评价本次办理" in body and GUARD in body


def test_the_photo_field_takes_the_servers_size_limit(hotline: Any) -> None:
    limit = settings.REQUESTS_ATTACHMENT_MAX_BYTES
    context = {"form": ReportForm(located=True), "max_photos": MAX_PHOTOS, "max_photo_bytes": limit}
    fields = render_to_string("requests/resident/_report_fields.html", context)
    assert f'data-max-bytes="{limit}"' in fields
    assert f"每张不超过{limit // (1024 * 1024)}MB" in fields
    script = render_to_string("requests/resident/_report_js.html", {})
    assert "f.size > maxBytes" in script and "：文件超过{limit}MB" in script  # the server's words
