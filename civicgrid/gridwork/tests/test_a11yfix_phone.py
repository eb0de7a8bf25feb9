"""The grid worker's phone pages for screen readers and thumbs (a11y round): radio groups are
fieldsets named by their legend, the page title is an h1, a refusal box is an alert, the care
light says its colour in words, and the list buttons are 44px high."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.gridwork import services
from civicgrid.gridwork.models import CarePlan
from civicgrid.gridwork.tests.conftest import Field

pytestmark = pytest.mark.django_db

CSS = Path(__file__).resolve().parents[1] / "static" / "gridwork" / "gridwork.css"


def _page(field: Field, path: str) -> str:
    client = Client()
    client.force_login(field.alice)
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_the_finding_page_names_its_radio_groups(field: Field) -> None:
    body = _page(field, "/gridwork/m/finding/")
    legends = re.findall(r'<fieldset class="fld radio[^"]*"><legend>([^<]+)', body)
    assert legends == ["问题类别", "处理方式", "诉求类型", "紧急程度"]
    assert "<label>问题类别" not in body
    assert re.search(r'<h1 class="h5-title">\s*记民情', body)


def test_the_visit_page_names_its_radio_groups_and_its_error_box_is_an_alert(field: Field) -> None:
    body = _page(field, "/gridwork/m/visit/")
    assert re.findall(r'<fieldset class="fld radio[^"]*"><legend>([^<]+)', body) == ["走访方式", "情况"]
    box = re.search(r'<div class="alert err gw-form-error"[^>]*>', body)
    assert box and 'role="alert"' in box.group(0) and "hidden" in box.group(0)


def test_the_care_light_says_its_colour_in_words(field: Field) -> None:
    services.care_plans_generate(actor=field.city.bob, node=field.city.comm_a1)
    CarePlan.objects.update(next_due_on=timezone.localdate())
    body = _page(field, "/gridwork/m/")
    light = re.search(r'<span class="light yellow"[^>]*>', body)
    assert light, body
    assert 'role="img"' in light.group(0) and 'aria-label="黄灯：即将到期"' in light.group(0)
    assert 'title="黄灯：即将到期"' in light.group(0)


def test_the_list_buttons_are_44px_high() -> None:
    rule = re.search(r"\.gw-list \.go \{([^}]*)\}", CSS.read_text())
    assert rule and "min-height: 44px" in rule.group(1)
