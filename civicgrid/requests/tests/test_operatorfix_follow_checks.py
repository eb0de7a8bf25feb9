"""跟进此件 checks the caller's phone and wants something said, as intake does."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.requests import services
from civicgrid.requests.models import RequestEvent
from civicgrid.requests.tests.test_pages import CONSOLE, console_post

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"requester_phone": "138123456"}, "requester_phone", "电话号码"),
        ({"requester_phone": ""}, "requester_phone", "请填写联系电话"),
        ({"title": "", "content": ""}, "content", "请填写本次来电反映的内容"),
    ],
)
def test_a_follow_up_is_checked(
    client: Client, hotline: Any, changes: dict[str, str], field: str, reason: str
) -> None:
    target = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    client.force_login(hotline.city.olivia)
    before = RequestEvent.objects.filter(request=target).count()
    refused = client.post(CONSOLE, console_post(hotline, follow=str(target.pk), **changes))
    assert refused.status_code == 422
    page = refused.content.decode()
    assert f'id="id_{field}_error"' in page and reason in page
    assert RequestEvent.objects.filter(request=target).count() == before


def test_a_good_follow_up_is_recorded(client: Client, hotline: Any) -> None:
    target = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    client.force_login(hotline.city.olivia)
    done = client.post(CONSOLE, console_post(hotline, follow=str(target.pk), title="", content="催办"))
    assert done.status_code == 302 and done["Location"].endswith(f"?followed={target.pk}")
