"""The audit page with bad filters (reversed dates, 2026-02-30, a NUL in 操作人): the page
again with status 422, the filters as typed, each bad field marked and named, and no rows;
before, a generic error page with only a 返回 link, the filters lost, the NUL unnamed."""

import re

import pytest
from django.test import Client

from civicgrid.conftest import City
from civicgrid.core.models import AuditLog

pytestmark = pytest.mark.django_db


def _get(client: Client, city: City, **params: str) -> tuple[int, str]:
    client.force_login(city.auditor)
    response = client.get("/audit/", params)
    return response.status_code, response.content.decode()


def _input(html: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert found is not None, name
    return found.group(0)


def test_an_impossible_day_keeps_the_form_and_marks_the_field(client: Client, city: City) -> None:
    status, html = _get(client, city, actor="bob", date_from="2026-02-30", target="诉求")
    assert status == 422
    assert '<form class="filters"' in html and "返回" not in html.split("<h1>", 1)[1]
    assert 'value="bob"' in _input(html, "actor") and 'value="诉求"' in _input(html, "target")
    date_from = _input(html, "date_from")
    assert 'value="2026-02-30"' in date_from and 'aria-invalid="true"' in date_from
    assert 'type="text"' in date_from  # a date input would blank what was typed
    assert 'id="err-date_from"' in html and "开始日期应为有效日期" in html
    assert 'aria-invalid="true"' not in _input(html, "actor")
    assert "<tbody>" not in html and "共 " not in html  # no rows listed


def test_reversed_dates_mark_the_end_date(client: Client, city: City) -> None:
    status, html = _get(client, city, date_from="2026-10-08", date_to="2026-10-01")
    assert status == 422
    assert 'aria-invalid="true"' in _input(html, "date_to")
    assert 'aria-invalid="true"' not in _input(html, "date_from")
    assert "结束日期不能早于开始日期" in html and 'value="2026-10-08"' in _input(html, "date_from")


def test_both_bad_dates_are_named_at_once(client: Client, city: City) -> None:
    status, html = _get(client, city, date_from="2026-02-30", date_to="2026-13-01")
    assert status == 422
    assert "开始日期应为有效日期" in html and "结束日期应为有效日期" in html


def test_a_nul_in_the_actor_names_the_field_on_the_page(client: Client, city: City) -> None:
    searches = AuditLog.objects.filter(verb="core.audit_searched").count()
    status, html = _get(client, city, actor="bo\x00b", verb="requests.sign")
    assert status == 422
    actor = _input(html, "actor")
    assert 'aria-invalid="true"' in actor and 'value="bob"' in actor  # the invisible NUL dropped
    assert "操作人不能包含空字符" in html
    assert '<form class="filters"' in html and "<tbody>" not in html
    assert AuditLog.objects.filter(verb="core.audit_searched").count() == searches


def test_a_nul_elsewhere_is_still_refused_before_any_view(client: Client, city: City) -> None:
    """Only the audit page answers a bad query field itself; other pages keep the middleware's
    refusal."""
    client.force_login(city.sysadmin)
    response = client.get("/workcal/", {"q": "a\x00"})
    assert response.status_code == 422
    assert '<form class="filters"' not in response.content.decode()


def test_good_filters_still_list_rows(client: Client, city: City) -> None:
    status, html = _get(client, city, date_from="2020-01-01", date_to="2099-12-31")
    assert status == 200 and "<tbody>" in html and "共 " in html
