"""The volunteer's own 志愿服务记录证明 (/volunteers/h5/certificate/) is an H5 page: the phone's
bar and navigation, no staff header or English footer; its lines sit in their own box with the
hours column kept whole; it still prints (print CSS). Staff keep the desktop page."""

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from civicgrid.volunteers.tests.conftest import People
from civicgrid.volunteers.tests.test_certificate import served

pytestmark = pytest.mark.django_db

STAFF_FOOTER = "Vonng/adcode"


def test_the_volunteers_certificate_uses_the_h5_layout_and_keeps_the_hours_whole(people: People) -> None:
    served(people)
    client = Client()
    client.force_login(people.zhang)
    page = client.get(reverse("volunteers:h5_certificate"))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'class="h5"' in body and "h5-nav" in body and "civicgrid/h5.css" in body
    assert STAFF_FOOTER not in body and 'class="topbar"' not in body
    assert '<div class="cert-lines">' in body  # the table scrolls in its own box if it must
    assert '<td class="hours">2.5</td>' in body and '<th class="hours">4.0</th>' in body
    assert "window.print()" in body and reverse("volunteers:h5_card") in body  # print, way back


def test_a_refused_period_stays_in_the_h5_layout(people: People) -> None:
    served(people)
    client = Client()
    client.force_login(people.zhang)
    page = client.get(reverse("volunteers:h5_certificate"), {"since": "2026-10-02", "until": "2026-10-01"})
    body = page.content.decode()
    assert page.status_code == 422 and "截止日期早于起始日期" in body
    assert "h5-nav" in body and STAFF_FOOTER not in body
    assert 'value="2026-10-02"' in body  # the dates typed are kept


def test_staff_keep_the_desktop_certificate(people: People) -> None:
    volunteer = served(people)
    client = Client()
    client.force_login(people.city.bob)
    body = client.get(reverse("volunteers:certificate", args=[volunteer.pk])).content.decode()
    assert 'class="topbar"' in body and "h5-nav" not in body
    assert '<th class="hours">4.0</th>' in body and "format=xlsx" in body


def test_the_print_css_hides_the_phones_bar_and_navigation() -> None:
    css = Path(str(finders.find("volunteers/volunteers.css"))).read_text(encoding="utf-8")
    printed = css[css.index("@media print") :]
    assert ".h5-bar" in printed and ".h5-nav" in printed and ".no-print" in printed
