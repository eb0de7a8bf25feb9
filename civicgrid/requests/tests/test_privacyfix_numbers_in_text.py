"""A phone or ID number typed into a request's text does not give away a requester the
request hides (an outside tester: an anonymous and 保密 request's content "电话13611112222"
was shown in full to the handling unit and the leader). Where the requester is not shown
(``permissions.requester_shown``: anonymous, or confidential outside ``sees_requester``), the
numbers in the title, content and address are masked on the request page, in the API and in
the ledger's Excel; where it is shown, the text is as typed."""

import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from civicgrid.core import crypto
from civicgrid.requests import services
from civicgrid.requests.models import Request
from civicgrid.requests.tests.test_api import Caller
from civicgrid.territory.locator import locator

pytestmark = pytest.mark.django_db

PHONE = "13611112222"
ID_NUMBER = "320211199001011234"


@pytest.fixture(autouse=True)
def _fresh_locator() -> None:
    locator.invalidate()


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _filed(hotline: Any, **kw: Any) -> Request:
    data = hotline.new(
        title=f"工地噪音 回电{PHONE}",
        content=f"工地凌晨打桩，请回电{PHONE}，身份证{ID_NUMBER}",
        category=hotline.noise,
        requester_phone="13900001111",
        **kw,
    )
    return services.request_create(actor=hotline.city.olivia, data=data)


def test_the_masking_of_numbers_in_text() -> None:
    assert crypto.mask_numbers_in_text(f"请回电{PHONE}，身份证{ID_NUMBER}。") == (
        "请回电136****2222，身份证320***********1234。"
    )
    assert crypto.mask_numbers_in_text("座机0510-82345678-801") == "座机0510****5678-801"
    # A longer run of digits (a number, an order) is no phone.
    assert crypto.mask_numbers_in_text("编号20261125000123456789") == "编号20261125000123456789"
    assert crypto.mask_numbers_in_text("") == ""


def test_a_confidential_requests_numbers_are_masked_for_the_unit_not_for_the_operator(hotline: Any) -> None:
    r = _filed(hotline, confidential=True)
    assert r.lead_unit is not None and hotline.hank.pk in set(
        r.lead_unit.memberships.values_list("user_id", flat=True)
    )
    unit_page = logged_in(hotline.hank).get(f"/requests/{r.pk}/").content.decode()
    assert PHONE not in unit_page and ID_NUMBER not in unit_page
    assert "136****2222" in unit_page and "320***********1234" in unit_page
    operator_page = logged_in(hotline.city.olivia).get(f"/requests/{r.pk}/").content.decode()
    assert PHONE in operator_page and ID_NUMBER in operator_page
    # The API: the detail and the list.
    detail = Caller(hotline.hank).get(f"/{r.pk}").json()
    assert PHONE not in detail["content"] + detail["title"] and "136****2222" in detail["content"]
    listed = [row for row in Caller(hotline.hank).get("/").json()["results"] if row["id"] == r.pk]
    assert listed and PHONE not in listed[0]["title"]
    assert PHONE in Caller(hotline.city.olivia).get(f"/{r.pk}").json()["content"]
    # Nothing stored changed.
    assert PHONE in Request.objects.get(pk=r.pk).content


def test_an_anonymous_requests_numbers_are_masked_for_everyone_and_in_the_excel(hotline: Any) -> None:
    r = _filed(hotline, anonymous=True)
    for user in (hotline.hank, hotline.city.olivia, hotline.city.dave):
        page = logged_in(user).get(f"/requests/{r.pk}/").content.decode()
        assert PHONE not in page and "136****2222" in page
    response = logged_in(hotline.city.dave).get("/requests/ledger/", {"q": "工地", "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header = list(rows[0])
    [row] = [x for x in rows[1:] if x[0] == r.number]
    assert row[header.index("诉求内容")] == "工地凌晨打桩，请回电136****2222，身份证320***********1234"


def test_an_open_requests_text_is_as_typed(hotline: Any) -> None:
    r = _filed(hotline)
    assert PHONE in logged_in(hotline.hank).get(f"/requests/{r.pk}/").content.decode()
    assert PHONE in Caller(hotline.hank).get(f"/{r.pk}").json()["content"]
