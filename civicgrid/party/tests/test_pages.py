"""The party pages: they render with charts and lists, forms go through the services, scope holds."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.accounts.models import User
from civicgrid.party import services
from civicgrid.party.constants import (
    CommitteeSource,
    MeetingKind,
    NeedCategory,
    NeedSource,
    OrgKind,
    ReportStatus,
    ResourceKind,
    ServiceType,
)
from civicgrid.party.models import Agreement, AllianceMember, MemberReport, Need, PartyOrganisation
from civicgrid.party.tests.conftest import PartyWorld, counts

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def filled(pw: PartyWorld) -> PartyWorld:
    """Something on every page: a report, an agreement, a meeting, an alliance, a need, a project."""
    c = pw.city
    services.member_report_submit(
        actor=pw.zhang_user, member=pw.zhang, pledge_list=["助老"], service_type_list=[ServiceType.ELDERLY]
    )
    services.agreement_sign(
        pledges_text="每季度开展一次共建活动",
        actor=c.bob,
        unit=pw.tax,
        node=c.comm_a1,
        signed_on=date.today(),
    )
    seat = services.committee_member_add(
        actor=c.bob,
        committee=pw.committee,
        name="陈民警",
        source=CommitteeSource.COMMUNITY_POLICE,
        term_start=date(2024, 1, 1),
    )
    services.meeting_record(
        actor=c.bob,
        committee=pw.committee,
        data=services.MeetingIn(
            kind=MeetingKind.JOINT_MEETING,
            title="联席会议",
            held_at=c.comm_a1.created_at,
            agenda="议程",
            attendance=[services.AttendanceIn(seat.pk)],
            decisions=["加装楼道灯"],
            tasks=[services.TaskIn("楼道灯", "物业")],
        ),
    )
    alliance = services.alliance_create(actor=c.bob, node=c.comm_a1, name="胜利门联盟")
    services.alliance_unit_join(actor=c.bob, alliance=alliance, unit=pw.tax, joined_on=date.today())
    need = services.need_create(
        actor=c.bob,
        node=c.grid_a1_1,
        data=services.NeedIn(
            title="楼道灯损坏", category=NeedCategory.FACILITIES, source=NeedSource.RESIDENT, is_micro=True
        ),
    )
    services.resource_create(
        actor=c.bob,
        node=c.grid_a1_2,
        unit=pw.tax,
        data=services.ResourceIn(kind=ResourceKind.FUNDS, title="共建资金"),
    )
    services.project_create(
        actor=c.bob,
        need=need,
        data=services.ProjectIn(
            title="楼道灯加装", owner_name="钱主任", starts_on=date.today(), ends_on=date.today()
        ),
    )
    return pw


PAGES: list[tuple[str, list[int]]] = [
    ("party:overview", []),
    ("party:organisations", []),
    ("party:members", []),
    ("party:member_new", []),
    ("party:reporting", []),
    ("party:reports", []),
    ("party:agreements", []),
    ("party:agreement_new", []),
    ("party:committees", []),
    ("party:alliances", []),
    ("party:needs", []),
    ("party:resources", []),
    ("party:projects", []),
    ("party:data", []),
]


def test_every_page_renders_for_the_community_worker(filled: PartyWorld) -> None:
    bob = client_for(filled.city.bob)
    for name, args in PAGES:
        response = bob.get(reverse(name, args=args))
        assert response.status_code == 200, name
    body = bob.get(reverse("party:overview")).content.decode()
    assert "echarts.min.js" in body and "网格党组织覆盖率" in body
    for url in (
        reverse("party:organisation", args=[filled.committee.pk]),
        reverse("party:member", args=[filled.zhang.pk]),
        reverse("party:committee", args=[filled.committee.pk]),
        reverse("party:meeting", args=[filled.committee.meetings.get().pk]),
        reverse("party:agreement", args=[Agreement.objects.get().pk]),
        reverse("party:need", args=[Need.objects.get().pk]),
        reverse("party:project", args=[Need.objects.get().projects.get().pk]),
        reverse("party:alliance", args=[AllianceMember.objects.get(unit=filled.tax).alliance_id]),
    ):
        assert bob.get(url).status_code == 200, url


def test_the_leader_and_grid_worker_see_but_do_not_edit(filled: PartyWorld) -> None:
    data = reverse("party:data")
    assert data in client_for(filled.city.bob).get(reverse("party:overview")).content.decode()
    for user in (filled.city.dave, filled.city.alice):
        client = client_for(user)
        overview = client.get(reverse("party:overview"))
        assert overview.status_code == 200
        # no tab to a page that would refuse them
        assert data not in overview.content.decode() and client.get(data).status_code == 403
        assert "胜利门" in client.get(reverse("party:organisations")).content.decode()
    before = counts()
    response = client_for(filled.city.dave).post(
        reverse("party:organisation_new"),
        {
            "kind": OrgKind.GRID_BRANCH,
            "name": "领导建的支部",
            "node": filled.city.grid_a1_2.code,
            "parent": filled.committee.pk,
        },
    )
    assert response.status_code == 302 and counts() == before


def test_the_outsider_sees_none_of_a1(filled: PartyWorld) -> None:
    carol = client_for(filled.city.carol)
    for name, args in PAGES:
        response = carol.get(reverse(name, args=args))
        assert response.status_code == 200, name
        body = response.content.decode()
        assert "胜利门" not in body and "张在职" not in body and "梁溪区税务局" not in body, name
    for url in (
        reverse("party:organisation", args=[filled.committee.pk]),
        reverse("party:member", args=[filled.zhang.pk]),
        reverse("party:committee", args=[filled.committee.pk]),
        reverse("party:need", args=[Need.objects.get().pk]),
    ):
        assert carol.get(url).status_code == 404, url
    before = counts()
    report = MemberReport.objects.get()
    assert carol.post(reverse("party:report_act", args=[report.pk]), {"action": "confirm"}).status_code == 404
    assert (
        carol.post(reverse("party:member_act", args=[filled.zhang.pk]), {"action": "report"}).status_code
        == 404
    )
    assert counts() == before


def test_forms_go_through_the_services(filled: PartyWorld) -> None:
    c = filled.city
    bob = client_for(c.bob)
    report = MemberReport.objects.get()
    response = bob.post(reverse("party:report_act", args=[report.pk]), {"action": "confirm"}, follow=True)
    assert "已确认报到" in response.content.decode()
    assert MemberReport.objects.get().status == ReportStatus.CONFIRMED
    response = bob.post(
        reverse("party:organisation_new"),
        {
            "kind": OrgKind.GRID_BRANCH,
            "name": "胜利门二网格党支部",
            "node": c.grid_a1_2.code,
            "parent": filled.committee.pk,
        },
        follow=True,
    )
    assert "党组织已建立" in response.content.decode()
    assert PartyOrganisation.objects.filter(name="胜利门二网格党支部", node=c.grid_a1_2).exists()
    response = bob.post(
        reverse("party:member_new"),
        {
            "name": "新党员",
            "category": "community",
            "organisation": filled.branch.pk,
            "join_date": "2020-07-01",
        },
    )
    assert response.status_code == 302


def test_bad_input_shows_a_chinese_reason_and_changes_nothing(filled: PartyWorld) -> None:
    bob = client_for(filled.city.bob)
    before = counts()
    response = bob.post(reverse("party:member_new"), {"name": "", "category": "in_service"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "请填写姓名" in body and "工作单位的党组织" in body
    response = bob.post(
        reverse("party:agreement_new"),
        {
            "unit": filled.tax.pk,
            "community": filled.city.comm_a1.pk,
            "signed_on": date.today().isoformat(),
            "pledges": "每季度开展一次共建活动",
        },
    )
    assert response.status_code == 422 and "不能重复签订" in response.content.decode()
    response = bob.post(
        reverse("party:meeting_new", args=[filled.committee.pk]),
        {
            "kind": "joint_meeting",
            "title": "未来会议",
            "held_at": (date.today() + timedelta(days=3)).isoformat() + "T10:00",
            "agenda": "x",
        },
    )
    assert response.status_code == 422 and "不能晚于现在" in response.content.decode()
    response = bob.post(
        reverse("party:need_new"),
        {"title": "", "category": "x", "source": "resident", "node": filled.city.grid_a1_1.pk},
        follow=True,
    )
    assert "请填写需求" in response.content.decode()
    assert counts() == before


def test_the_members_own_page(filled: PartyWorld) -> None:
    zhang = client_for(filled.zhang_user)
    body = zhang.get(reverse("party:h5_home")).content.decode()
    assert "胜利门社区" in body and "待社区确认" in body
    assert client_for(filled.city.bob).get(reverse("party:h5_home")).status_code == 403


def test_import_page_and_template(filled: PartyWorld) -> None:
    bob = client_for(filled.city.bob)
    response = bob.get(reverse("party:template", args=["party_members"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd")
    assert bob.get(reverse("party:template", args=["nope"])).status_code == 422
    assert client_for(filled.city.dave).get(reverse("party:data")).status_code == 403
    response = bob.get(reverse("party:members") + "?export=xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd")


@pytest.mark.parametrize("elsewhere", ["//evil.example/x", "/\\evil.example", "https://evil.example/"])
def test_a_report_decision_never_leads_to_another_site(filled: PartyWorld, elsewhere: str) -> None:
    bob = client_for(filled.city.bob)
    url = reverse("party:report_act", args=[MemberReport.objects.get().pk])
    response = bob.post(url, {"action": "confirm", "next": elsewhere})
    assert response.status_code == 302 and response["Location"] == reverse("party:reports")
