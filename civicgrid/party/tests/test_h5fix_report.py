"""The member's 报到 form on the phone (/party/h5/): a refused report shows everything typed
again (address, ticked service types, location, pledges), the pledge limit is said before
sending, and a member without an employer gets no dangling separator."""

import re

import pytest
from django.urls import reverse

from civicgrid.party.constants import PLEDGE_MAX_LENGTH
from civicgrid.party.models import MemberReport
from civicgrid.party.tests.conftest import PartyWorld
from civicgrid.party.tests.test_pages import client_for
from civicgrid.registry import services as registry

pytestmark = pytest.mark.django_db


def test_a_refused_report_keeps_everything_typed(pw: PartyWorld) -> None:
    zhang = client_for(pw.zhang_user)
    response = zhang.post(
        reverse("party:h5_home"),
        {
            "address": "梁溪路8号3单元502",
            "pledges": "每月参加一次楼道清理\n" + "长" * (PLEDGE_MAX_LENGTH + 1),
            "service_types": ["elderly", "environment"],
            "lon": "120.3",
            "lat": "31.57",
        },
    )
    body = response.content.decode()
    assert response.status_code == 422 and f"每条承诺事项最长{PLEDGE_MAX_LENGTH}个字" in body
    assert 'value="梁溪路8号3单元502"' in body
    assert "每月参加一次楼道清理" in body
    ticked = set(re.findall(r'name="service_types" value="(\w+)" checked', body))
    assert ticked == {"elderly", "environment"}
    assert 'id="lon" value="120.3"' in body and 'id="lat" value="31.57"' in body
    assert not MemberReport.objects.filter(member=pw.zhang).exists()


def test_the_form_says_the_pledge_limit_and_is_sized_for_phones(pw: PartyWorld) -> None:
    body = client_for(pw.zhang_user).get(reverse("party:h5_home")).content.decode()
    assert f"每条不超过{PLEDGE_MAX_LENGTH}个字" in body and f'data-max="{PLEDGE_MAX_LENGTH}"' in body
    assert 'class="fld choices"' in body  # large tap targets for the service types
    assert 'style="width:100%"' not in body  # h5.css sizes the fields (16px, large targets)
    assert 'name="service_types" value="elderly" checked' not in body  # nothing ticked at first


def test_no_separator_without_an_employer(pw: PartyWorld) -> None:
    assert not pw.liu.employer_name
    user = registry.resident_account_open(
        actor=pw.city.bob, resident=pw.liu_resident, username="liu", password="civicgrid-test-pw"
    )
    body = client_for(user).get(reverse("party:h5_home")).content.decode()
    assert f"<p>{pw.liu.get_category_display()}</p>" in body and " · </p>" not in body
