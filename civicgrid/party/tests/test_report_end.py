"""Who may end a member's report: the community reported to (and above it), and the member.

zhang's unit (the tax office) is in 胜利门社区 A1 (bob's), but he lives in and reports to
通江社区 B1 (carol's, and a second worker's there). bob sees the report (his unit's member)
but it is not his roll: the page, the API and the service all refuse him alike.
"""

import json

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.accounts import services as accounts
from civicgrid.accounts.models import User
from civicgrid.accounts.permissions import Role
from civicgrid.conftest import make_user
from civicgrid.core.errors import PermissionDenied
from civicgrid.core.models import AuditLog
from civicgrid.notify.models import Notification
from civicgrid.party import selectors, services
from civicgrid.party.constants import ReportStatus, ServiceType, Verb
from civicgrid.party.models import MemberReport
from civicgrid.party.tests.conftest import PartyWorld, counts

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def confirmed_in_b1(pw: PartyWorld) -> MemberReport:
    row = services.member_report_submit(
        actor=pw.zhang_user,
        member=pw.zhang,
        pledge_list=["助老"],
        service_type_list=[ServiceType.ELDERLY],
        lon=120.33,
        lat=31.58,
    )
    assert row.node == pw.city.comm_b1
    return services.member_report_confirm(actor=pw.city.carol, report=row)


def test_the_units_community_sees_but_may_not_end_anothers_report(pw: PartyWorld) -> None:
    c = pw.city
    row = confirmed_in_b1(pw)
    assert selectors.report_get(c.bob, row.pk) == row  # bob sees it: his unit's member
    before = counts()
    with pytest.raises(PermissionDenied):
        services.member_report_end(actor=c.bob, report=row, reason="单位调整")
    response = client_for(c.bob).post(
        reverse("party:report_act", args=[row.pk]), {"action": "end", "reason": "单位调整"}, follow=True
    )
    assert "只有报到社区的工作人员或党员本人可以结束该报到" in response.content.decode()
    api = client_for(c.bob).post(
        f"/api/v1/party/reports/{row.pk}/end",
        data=json.dumps({"reason": "x"}),
        content_type="application/json",
    )
    assert api.status_code == 403
    assert counts() == before
    row.refresh_from_db()
    assert row.status == ReportStatus.CONFIRMED
    # and bob's page offers no button for it
    page = client_for(c.bob).get(reverse("party:reports") + "?status=confirmed").content.decode()
    assert f'action="{reverse("party:report_act", args=[row.pk])}"' not in page


def test_a_second_worker_of_the_receiving_community_ends_it_and_the_member_is_told(pw: PartyWorld) -> None:
    c = pw.city
    row = confirmed_in_b1(pw)
    zhou = make_user("zhou", "周通江")
    accounts.role_grant(actor=None, system=True, user=zhou, role=Role.COMMUNITY_WORKER, node=c.comm_b1)
    page = client_for(zhou).get(reverse("party:reports") + "?status=confirmed").content.decode()
    assert f'action="{reverse("party:report_act", args=[row.pk])}"' in page
    response = client_for(zhou).post(
        reverse("party:report_act", args=[row.pk]), {"action": "end", "reason": "已搬离"}
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == ReportStatus.ENDED and row.decision_note == "已搬离"
    assert AuditLog.objects.filter(verb=Verb.REPORT_ENDED, actor=zhou).count() == 1
    sms = Notification.objects.filter(target_id=str(row.pk), subject="报到已结束").get()
    assert "通江社区" in sms.body and "已搬离" in sms.body


def test_the_member_ends_his_own_report(pw: PartyWorld) -> None:
    row = confirmed_in_b1(pw)
    services.member_report_end(actor=pw.zhang_user, report=row, reason="搬家")
    row.refresh_from_db()
    assert row.status == ReportStatus.ENDED
    assert not Notification.objects.filter(target_id=str(row.pk), subject="报到已结束").exists()


def test_the_member_withdraws_a_pending_report_on_the_h5_page_and_reports_again(pw: PartyWorld) -> None:
    services.member_report_submit(
        actor=pw.zhang_user, member=pw.zhang, pledge_list=["助老"], service_type_list=[ServiceType.ELDERLY]
    )
    zhang = client_for(pw.zhang_user)
    page = zhang.get(reverse("party:h5_home")).content.decode()
    assert "撤回报到" in page and reverse("party:h5_end") in page
    response = zhang.post(reverse("party:h5_end"), {"reason": "填错了地址"}, follow=True)
    assert "报到已撤回" in response.content.decode()
    row = MemberReport.objects.get(member=pw.zhang)
    assert row.status == ReportStatus.ENDED and row.decision_note == "填错了地址"
    assert not Notification.objects.filter(subject="报到已结束").exists()  # it was the member's own act
    # nothing live: the form to report is back, and a second report goes in
    assert "向居住地社区报到" in zhang.get(reverse("party:h5_home")).content.decode()
    services.member_report_submit(
        actor=pw.zhang_user, member=pw.zhang, pledge_list=["助老"], service_type_list=[ServiceType.ELDERLY]
    )
    assert MemberReport.objects.filter(member=pw.zhang, status=ReportStatus.PENDING).count() == 1


def test_the_member_ends_a_confirmed_report_on_the_h5_page(pw: PartyWorld) -> None:
    confirmed_in_b1(pw)
    zhang = client_for(pw.zhang_user)
    assert "结束报到（如已搬家）" in zhang.get(reverse("party:h5_home")).content.decode()
    response = zhang.post(reverse("party:h5_end"), {"reason": "已搬家"}, follow=True)
    assert "报到已结束" in response.content.decode()
    assert MemberReport.objects.get(member=pw.zhang).status == ReportStatus.ENDED
    entry = AuditLog.objects.get(verb=Verb.REPORT_ENDED)
    assert entry.actor_id == pw.zhang_user.pk
    # with nothing live, a second post says so and changes nothing
    again = zhang.post(reverse("party:h5_end"), follow=True)
    assert "您没有进行中的报到" in again.content.decode()
    assert AuditLog.objects.filter(verb=Verb.REPORT_ENDED).count() == 1
