"""iOS zooms into a field whose text is under 16px: the sign-in fields and the H5 date and time
fields (the volunteer's 希望何时 is a datetime-local input) are 16px."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from civicgrid.volunteers.tests.conftest import People


def css(name: str) -> str:
    return Path(str(finders.find(name))).read_text(encoding="utf-8")


def rule_for(sheet: str, selector: str) -> str:
    """The declarations of the first rule whose selector list names ``selector``."""
    sheet = re.sub(r"/\*.*?\*/", "", sheet, flags=re.S)
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", sheet):
        if selector in [s.strip() for s in selectors.split(",")]:
            return body
    raise AssertionError(selector)


def test_the_sign_in_fields_are_16px() -> None:
    assert "font-size: 16px" in rule_for(css("civicgrid/app.css"), ".login input")


def test_h5_date_and_time_fields_are_16px() -> None:
    sheet = css("civicgrid/h5.css")
    for kind in ("datetime-local", "date", "time", "password"):
        assert "font-size: 16px" in rule_for(sheet, f".fld input[type={kind}]"), kind


@pytest.mark.django_db
def test_the_order_forms_wanted_from_is_a_field_the_h5_sheet_sizes(people: People) -> None:
    client = Client()
    client.force_login(people.wangapo)
    body = client.get(reverse("volunteers:h5_order_new")).content.decode()
    assert re.search(r'<div class="fld[^"]*">\s*<label for="id_wanted_from"', body)
    assert 'type="datetime-local"' in body and "civicgrid/h5.css" in body
