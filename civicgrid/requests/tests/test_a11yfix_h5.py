"""The resident's H5 pages for screen readers (a11y round): after a refused submit every
aria-describedby names an element of the page (the reasons carry Django's <id>_error ids) and
the page focuses the first invalid field; a radio group is a fieldset named by its legend;
the page title is an h1."""

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.requests.tests.test_resident import served

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

FOCUS_SCRIPT = ".h5-main [aria-invalid=true]:not([type=hidden]):not([disabled])"


def _described_ids_exist(body: str) -> list[str]:
    ids = set(re.findall(r'\sid="([^"]+)"', body))
    said = [i for value in re.findall(r'aria-describedby="([^"]+)"', body) for i in value.split()]
    assert said, "nothing is described"
    missing = [i for i in said if i not in ids]
    assert not missing, missing
    return said


def _legends(body: str) -> list[str]:
    return re.findall(r'<fieldset class="fld[^"]*radio"[^>]*>\s*<legend>([^<]+)', body)


def test_a_refused_report_describes_its_fields_and_names_its_radio_group(
    hotline: Any, client: Client
) -> None:
    body = client.post(reverse("requests:h5_submit"), {"type": ""}).content.decode()
    said = _described_ids_exist(body)
    assert "id_title_error" in said and "id_type_error" in said
    assert re.search(r'<div class="errs" id="id_title_error"><p class="err">', body)
    assert _legends(body) == ["诉求类型"]
    assert "<label>诉求类型" not in body
    assert FOCUS_SCRIPT in body and "bad.focus()" in body
    assert re.search(r'<h1 class="h5-title">\s*我要反映', body)


def test_a_refused_track_query_describes_its_fields(hotline: Any, client: Client) -> None:
    body = client.post(reverse("requests:h5_track"), {}).content.decode()
    said = _described_ids_exist(body)
    assert "id_number_error" in said and 'aria-invalid="true"' in body
    assert FOCUS_SCRIPT in body


def test_a_refused_rating_names_its_questions(hotline: Any, client: Client) -> None:
    request = served(hotline)
    body = client.post(reverse("requests:h5_rate", args=[request.rating_token]), {}).content.decode()
    _described_ids_exist(body)
    assert _legends(body) == ["承办单位是否联系过您？", "问题解决了吗？", "您对办理结果满意吗？"]
    fieldset = re.search(r'<fieldset class="fld has-err radio" aria-describedby="id_contacted_error">', body)
    assert fieldset and 'id="id_contacted_error"' in body


def test_a_fresh_form_focuses_nothing_and_describes_nothing_missing(hotline: Any, client: Client) -> None:
    body = client.get(reverse("requests:h5_submit")).content.decode()
    assert 'aria-invalid="true"' not in body
    assert _legends(body) == ["诉求类型"]
