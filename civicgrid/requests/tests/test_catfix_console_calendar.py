"""The console's confirmation after a call warns, as the request's page does, when the
deadline it shows was counted on a year whose holidays are not entered."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.requests.models import Request
from civicgrid.requests.tests.test_pages import CONSOLE, console_post
from civicgrid.territory.locator import locator
from civicgrid.workcal import clock
from civicgrid.workcal.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db


def test_the_console_says_the_calendar_warning_of_the_new_request(client: Client, hotline: Any) -> None:
    locator.invalidate()
    CalendarDay.objects.all().delete()
    CalendarYear.objects.all().delete()
    clock.forget()
    client.force_login(hotline.city.olivia)
    html = client.post(CONSOLE, console_post(hotline), follow=True).content.decode()
    created = Request.objects.get()
    assert created.calendar_warning and created.due_resolution_at
    result = html.split('id="result"', 1)[1].split("</div>\n", 2)[1]  # the confirmation card
    assert "办理期限" in result
    assert created.calendar_warning in result
