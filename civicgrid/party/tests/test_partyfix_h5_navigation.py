"""The member's page on the phone (/party/h5/) is no dead end: a back link to the resident's
home, the bottom menu and sign-out like the other H5 pages, one h1 (the bar's title), the
报到 status said in every case (none, pending, confirmed) with how to 报到 or why there is
nothing to report, and the member's kind as the party register keeps it, the same on the
volunteer card."""

import re

import pytest
from django.urls import reverse

from civicgrid.accounts.models import User
from civicgrid.party import services
from civicgrid.party.constants import ServiceType
from civicgrid.party.models import MemberReport
from civicgrid.party.tests.conftest import PartyWorld
from civicgrid.party.tests.test_pages import client_for
from civicgrid.registry import services as registry
from civicgrid.volunteers.constants import VolunteerKind, VolunteerStatus
from civicgrid.volunteers.models import Volunteer

pytestmark = pytest.mark.django_db


def page(user: User) -> str:
    response = client_for(user).get(reverse("party:h5_home"))
    assert response.status_code == 200
    return response.content.decode()


def report(pw: PartyWorld) -> MemberReport:
    return services.member_report_submit(
        actor=pw.zhang_user,
        member=pw.zhang,
        pledge_list=["每月参加一次楼道清理"],
        service_type_list=[ServiceType.ENVIRONMENT],
    )


def test_the_page_can_be_left_like_the_other_h5_pages(pw: PartyWorld) -> None:
    body = page(pw.zhang_user)
    assert len(re.findall(r"<h1[\s>]", body)) == 1
    assert re.search(r'<h1 class="h5-title">\s*党员双报到\s*</h1>', body)
    back = re.search(r'<a class="h5-back" href="([^"]+)"', body)
    assert back and back.group(1) == reverse("volunteers:h5_home")
    nav = re.search(r'<nav class="h5-nav">(.*?)</nav>', body, re.S)
    assert nav is not None
    for name in ("volunteers:h5_home", "party:h5_home", "points:h5_my"):
        assert f'href="{reverse(name)}"' in nav.group(1)
    assert f'action="{reverse("web:logout")}"' in body and 'class="h5-signout"' in body


def test_no_report_yet_says_so_and_how(pw: PartyWorld) -> None:
    body = page(pw.zhang_user)
    assert "报到状态：未报到" in body and "您尚未向居住地社区报到，请填写下方表单提交报到" in body
    assert 'class="card report-form"' in body
    assert "报到经社区确认后可接单" not in body  # no report is pending
    assert "向居住地社区报到并经确认后可接单" in body


def test_a_pending_report(pw: PartyWorld) -> None:
    report(pw)
    body = page(pw.zhang_user)
    assert "报到状态：待社区确认" in body and "报到经社区确认后可接单" in body
    assert 'class="card report-form"' not in body


def test_a_confirmed_report(pw: PartyWorld) -> None:
    services.member_report_confirm(actor=pw.city.bob, report=report(pw))
    body = page(pw.zhang_user)
    assert "报到状态：已报到" in body and "暂无待接的服务单" in body
    assert "经社区确认后可接单" not in body


def test_a_community_member_is_told_why_there_is_no_form(pw: PartyWorld) -> None:
    liu_user = registry.resident_account_open(
        actor=pw.city.bob, resident=pw.liu_resident, username="liu", password="civicgrid-test-pw"
    )
    body = page(liu_user)
    assert "报到状态：未报到" in body and "您登记为社区党员" in body and "无需向居住地社区报到" in body
    assert "联系所在党组织更正" in body  # how to 报到 if the category is wrong
    assert 'class="card report-form"' not in body and "报到经社区确认后可接单" not in body


def test_the_volunteer_card_says_the_kind_the_party_register_keeps(pw: PartyWorld) -> None:
    """A community member who registered as a volunteer saying 在职党员: both pages say 社区党员."""
    c = pw.city
    liu_user = registry.resident_account_open(
        actor=c.bob, resident=pw.liu_resident, username="liu", password="civicgrid-test-pw"
    )
    Volunteer.objects.create(
        resident=pw.liu_resident,
        kind=VolunteerKind.IN_SERVICE_MEMBER,
        community=c.comm_a1,
        node=c.comm_a1,
        node_path=c.comm_a1.path,
        status=VolunteerStatus.APPROVED,
    )
    card = client_for(liu_user).get(reverse("volunteers:h5_card")).content.decode()
    assert '<div class="vc-sub">社区党员 · ' in card and "在职党员" not in card
    assert "<p>社区党员</p>" in page(liu_user)
