"""A resident who follows an open request (跟进这件) can track it, and Enter never follows."""

import shutil
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.core.tests.browser import CHROMIUM
from civicgrid.requests import services
from civicgrid.requests.doorplate import doorplate_token
from civicgrid.requests.models import Request
from civicgrid.requests.tests.test_follow_up import PHONE, offered, report

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def test_a_follower_tracks_the_request_with_their_own_phone(client: Client, hotline: Any) -> None:
    open_one = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    shown = client.get(reverse("requests:h5_similar"), report()).content.decode()
    done = client.post(reverse("requests:h5_submit"), report(follow=offered(shown)), follow=True)
    assert open_one.number in done.content.decode()
    track = reverse("requests:h5_track")
    mine = client.post(track, {"number": open_one.number, "phone": PHONE})
    assert mine.status_code == 200 and open_one.number in mine.content.decode()
    stranger = client.post(track, {"number": open_one.number, "phone": "13700001111"})
    assert stranger.status_code == 404
    other = services.request_create(actor=hotline.city.olivia, data=hotline.new(title="另一件"))
    assert client.post(track, {"number": other.number, "phone": PHONE}).status_code == 404


def _first_submit_button(page: str) -> str:
    form = page.split('<form method="post"', 1)[1]
    return form.split('<button type="submit"', 1)[1].split(">", 1)[0]


def test_enter_submits_the_report_not_a_follow(client: Client, hotline: Any) -> None:
    """The browser's default button is the form's first submit button; the similar list is
    put in above the real 提交 button, so without a first one of our own Enter followed."""
    page = client.get(reverse("requests:h5_submit")).content.decode()
    first = _first_submit_button(page)
    assert 'class="implicit-submit"' in first and "name=" not in first
    assert page.index("implicit-submit") < page.index('id="similar"')
    plate = client.get(
        reverse("requests:doorplate", args=[doorplate_token(hotline.city.building_a1)])
    ).content.decode()
    first = _first_submit_button(plate)
    assert 'class="implicit-submit"' in first and "name=" not in first
    assert plate.index("implicit-submit") < plate.index('id="similar"')


@pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="没有 /usr/bin/chromium")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_in_chromium_enter_in_the_address_files_a_new_request(
    browser: Any, live_server: Any, hotline: Any
) -> None:
    pytest.importorskip("playwright.sync_api")
    page = browser.new_page()
    page.goto(live_server.url + reverse("requests:h5_submit"))
    page.fill("[name=title]", "路灯不亮")
    page.fill("[name=content]", "小区门口路灯坏了三天")
    page.fill("[name=phone]", PHONE)
    page.wait_for_timeout(800)  # past the similar look-up's typing pause
    # As the look-up shows it: a list with "跟进这件" buttons above the real 提交 button.
    page.evaluate(
        """document.getElementById("similar").innerHTML =
        '<button type="submit" name="follow" value="offered-token">跟进这件</button>'"""
    )
    page.fill("[name=address]", "胜利门小区南门")
    with page.expect_navigation():
        page.press("[name=address]", "Enter")
    assert "您的诉求已受理" in page.content()
    assert Request.objects.filter(title="路灯不亮").count() == 1
    page.close()
