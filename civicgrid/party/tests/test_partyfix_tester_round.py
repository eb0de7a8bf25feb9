"""A tester's round on the party module: the member ends or withdraws their own report through
the API; one rule against the same member twice (page, API, import); a meeting clears the
quarter's warning; a visit's date has a lower bound; one active alliance of a name at a place;
a contribution to a finished project says its points were credited."""

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from civicgrid.accounts.models import User
from civicgrid.core.errors import ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.party import services
from civicgrid.party.constants import (
    MemberCategory,
    ProjectStatus,
    ReportStatus,
    ResourceKind,
    ServiceType,
    Verb,
)
from civicgrid.party.models import Alliance, CommitteeWarning, MemberReport, PartyMember, PartyOrganisation
from civicgrid.party.tests.conftest import PartyWorld, counts
from civicgrid.party.tests.test_alliances import PNG, resource
from civicgrid.party.tests.test_committees import seat_members
from civicgrid.party.tests.test_partyfix_contributions import project
from civicgrid.registry import services as registry

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_post(user: User, path: str, body: dict[str, Any]) -> Any:
    return client_for(user).post(f"/api/v1/party{path}", json.dumps(body), content_type="application/json")


# --- 1. the member's own report through the API -------------------------------------------


def report(pw: PartyWorld) -> MemberReport:
    return services.member_report_submit(
        actor=pw.zhang_user,
        member=pw.zhang,
        pledge_list=["助老"],
        service_type_list=[ServiceType.ELDERLY],
        lon=120.33,
        lat=31.58,
    )


def test_the_member_ends_their_confirmed_report_through_the_api(pw: PartyWorld) -> None:
    row = services.member_report_confirm(actor=pw.city.carol, report=report(pw))
    mine = client_for(pw.zhang_user).get("/api/v1/party/me").json()
    assert [r["id"] for r in mine["reports"]] == [row.pk]
    response = api_post(pw.zhang_user, f"/reports/{row.pk}/end", {"reason": "搬家"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == ReportStatus.ENDED
    row.refresh_from_db()
    assert row.status == ReportStatus.ENDED and row.decision_note == "搬家"
    assert AuditLog.objects.filter(verb=Verb.REPORT_ENDED, actor=pw.zhang_user).count() == 1
    again = api_post(pw.zhang_user, f"/reports/{row.pk}/end", {"reason": ""})
    assert again.status_code == 409


def test_the_member_withdraws_a_pending_report_through_the_api(pw: PartyWorld) -> None:
    row = report(pw)
    response = api_post(pw.zhang_user, f"/reports/{row.pk}/end", {})
    assert response.status_code == 200, response.content
    row.refresh_from_db()
    assert row.status == ReportStatus.ENDED
    # then they may report elsewhere
    assert report(pw).status == ReportStatus.PENDING


def test_another_members_report_stays_out_of_reach(pw: PartyWorld) -> None:
    row = report(pw)
    other = services.member_create(
        actor=pw.city.bob, name="", category=MemberCategory.COMMUNITY, organisation=pw.group, resident=pw.wang
    )
    assert other.resident_id == pw.wang.pk
    wang_user = registry.resident_account_open(
        actor=pw.city.bob, resident=pw.wang, username="wang", password="civicgrid-test-pw"
    )
    before = counts()
    response = api_post(wang_user, f"/reports/{row.pk}/end", {"reason": "搬家"})
    assert response.status_code == 404
    assert "报到记录不存在或您无权查看" in response.json()["message"]
    # nor may a member confirm their own report
    assert api_post(pw.zhang_user, f"/reports/{row.pk}/confirm", {}).status_code == 404
    assert counts() == before


# --- 2. the same member twice ----------------------------------------------------------------


def test_the_same_member_twice_is_refused_on_the_page_and_the_api(pw: PartyWorld) -> None:
    body = {"name": "测试甲", "category": "community", "organisation_id": pw.branch.pk}
    first = api_post(pw.city.bob, "/members", body)
    assert first.status_code == 201, first.content
    before = counts()
    second = api_post(pw.city.bob, "/members", body)
    assert second.status_code == 422
    assert "name" in json.dumps(second.json(), ensure_ascii=False)
    assert "党组织“胜利门一网格党支部”已有党员“测试甲”" in json.dumps(second.json(), ensure_ascii=False)
    page = client_for(pw.city.bob).post(
        reverse("party:member_new"),
        {"name": "测试甲", "category": "community", "organisation": str(pw.branch.pk)},
    )
    assert page.status_code == 422
    assert "已有党员“测试甲”，请勿重复登记" in page.content.decode()
    assert counts() == before
    assert PartyMember.objects.filter(name="测试甲").count() == 1
    # another organisation, or the first one left: allowed
    services.member_create(actor=pw.city.bob, name="测试甲", category="community", organisation=pw.group)
    PartyMember.objects.filter(name="测试甲", organisation=pw.branch).update(is_active=False)
    services.member_create(actor=pw.city.bob, name="测试甲", category="community", organisation=pw.branch)
    assert PartyMember.objects.filter(name="测试甲", is_active=True).count() == 2


def test_a_member_of_the_same_name_with_no_organisation_is_refused_at_the_same_place(pw: PartyWorld) -> None:
    with pytest.raises(ValidationError) as caught:
        services.member_create(
            actor=pw.city.bob,
            name="赵骑手",
            category=MemberCategory.NEW_EMPLOYMENT,
            trade=pw.rider.trade,
            home_node=pw.city.grid_a1_1,
            political_status="masses",
        )
    assert "已有党员“赵骑手”" in caught.value.errors["name"][0]


# --- 3. a meeting clears the quarter's warning ------------------------------------------------


def warned(pw: PartyWorld) -> CommitteeWarning:
    PartyOrganisation.objects.update(created_at=timezone.make_aware(datetime(2025, 1, 1)))
    services.committee_activity_check(today=date(2026, 10, 8))
    return CommitteeWarning.objects.get(committee=pw.committee)


def meeting_form(ids: list[int], held: str) -> dict[str, object]:
    return {
        "kind": "joint_meeting",
        "title": "第三季度联席会议",
        "held_at": held,
        "agenda": "楼道灯",
        "present": [str(i) for i in ids[:3]],
    }


def test_a_meeting_held_in_the_warned_quarter_clears_the_warning(pw: PartyWorld) -> None:
    ids = seat_members(pw)
    warning = warned(pw)
    assert (warning.year, warning.quarter) == (2026, 3)
    bob = client_for(pw.city.bob)
    page = reverse("party:committee", args=[pw.committee.pk])
    assert "2026年第3季度未开展会议或活动" in bob.get(page).content.decode()
    api = bob.get("/api/v1/party/committees").json()
    assert next(c["warnings"] for c in api if c["id"] == pw.committee.pk) == ["2026Q3"]
    # a meeting of another quarter leaves it
    other = bob.post(
        reverse("party:meeting_new", args=[pw.committee.pk]), meeting_form(ids, "2026-06-15T15:00")
    )
    assert other.status_code == 302
    assert CommitteeWarning.objects.filter(pk=warning.pk).exists()
    done = bob.post(
        reverse("party:meeting_new", args=[pw.committee.pk]), meeting_form(ids, "2026-09-15T15:00")
    )
    assert done.status_code == 302
    assert not CommitteeWarning.objects.filter(committee=pw.committee).exists()
    assert "2026年第3季度未开展" not in bob.get(page).content.decode()
    assert "2026年第3季度未开展" not in bob.get(reverse("party:committees")).content.decode()
    api = bob.get("/api/v1/party/committees").json()
    assert next(c["warnings"] for c in api if c["id"] == pw.committee.pk) == []
    row = AuditLog.objects.get(verb=Verb.COMMITTEE_WARNING_RESOLVED)
    assert row.before == {"committee": pw.committee.pk, "year": 2026, "quarter": 3}
    assert row.after is not None and row.after["meeting"] and row.actor == pw.city.bob
    # the check run again for that quarter does not warn again
    assert services.committee_activity_check(today=date(2026, 10, 9))["warnings"] == 0


def test_the_audit_page_names_the_resolution() -> None:
    from civicgrid.core.views_audit import VERB_LABELS

    assert str(VERB_LABELS[Verb.COMMITTEE_WARNING_RESOLVED]).startswith("大党委活动预警已消除")


# --- 4. a visit's date ----------------------------------------------------------------------


def needy(pw: PartyWorld) -> PartyMember:
    member = services.member_create(
        actor=pw.city.bob,
        name="困难党员乙",
        category=MemberCategory.COMMUNITY,
        organisation=pw.group,
        join_date=date(1980, 7, 1),
        is_needy=True,
    )
    assert member.is_needy
    return member


@pytest.mark.parametrize("day", ["1800-01-01", "0001-01-01", "1921-06-30"])
def test_a_visit_before_party_time_is_refused(pw: PartyWorld, day: str) -> None:
    member = needy(pw)
    before = counts()
    api = api_post(pw.city.bob, f"/members/{member.pk}/visits", {"visited_on": day, "content": "走访"})
    assert api.status_code == 422
    assert api.json()["detail"]["visited_on"] == ["走访日期不能早于1921年7月1日"]
    page = client_for(pw.city.bob).post(
        reverse("party:member_act", args=[member.pk]),
        {"action": "visit", "visited_on": day, "content": "走访"},
        follow=True,
    )
    assert "走访日期不能早于1921年7月1日" in page.content.decode()
    assert counts() == before


def test_a_visit_before_the_member_joined_is_refused(pw: PartyWorld) -> None:
    member = needy(pw)
    with pytest.raises(ValidationError) as caught:
        services.needy_visit_record(
            actor=pw.city.bob, member=member, visited_on=date(1979, 5, 1), content="走访"
        )
    assert caught.value.errors["visited_on"] == ["走访日期不能早于该党员的入党日期（1980-07-01）"]
    visit = services.needy_visit_record(
        actor=pw.city.bob, member=member, visited_on=date(1980, 7, 1), content="走访"
    )
    assert visit.visited_on == date(1980, 7, 1)
    with pytest.raises(ValidationError) as caught:
        services.needy_visit_record(
            actor=pw.city.bob, member=member, visited_on=date.today() + timedelta(days=1), content="走访"
        )
    assert caught.value.errors["visited_on"] == ["走访日期不能晚于今天"]


# --- 5. one active alliance of a name at a place ----------------------------------------------


def test_the_same_alliance_twice_is_refused(pw: PartyWorld) -> None:
    body = {"node_id": pw.city.comm_a1.pk, "name": "胜利门红色联盟"}
    assert api_post(pw.city.bob, "/alliances", body).status_code == 201
    before = counts()
    again = api_post(pw.city.bob, "/alliances", body)
    assert again.status_code == 422
    text = json.dumps(again.json(), ensure_ascii=False)
    assert '"name"' in text and "已有党建联盟“胜利门红色联盟”" in text
    assert counts() == before
    # once the first is no longer active: allowed
    Alliance.objects.filter(name="胜利门红色联盟").update(is_active=False)
    assert api_post(pw.city.bob, "/alliances", body).status_code == 201
    assert Alliance.objects.filter(name="胜利门红色联盟", is_active=True).count() == 1


# --- 6. a contribution to a finished project ---------------------------------------------------


def test_a_contribution_to_a_finished_project_says_it_was_credited(pw: PartyWorld) -> None:
    funds = resource(pw, ResourceKind.FUNDS, 120.306, 31.575)
    done = project(pw, "楼道灯加装")
    services.project_status_change(actor=pw.city.bob, project=done, to_status=ProjectStatus.IN_PROGRESS)
    services.project_photo_add(
        actor=pw.city.bob,
        project=done,
        upload=SimpleUploadedFile("完工.png", PNG, content_type="image/png"),
        caption="完工",
    )
    services.project_status_change(
        actor=pw.city.bob, project=done, to_status=ProjectStatus.DONE, results="加装楼道灯42盏"
    )
    response = api_post(
        pw.city.bob,
        f"/projects/{done.pk}/contributions",
        {"description": "追加出资", "resource_id": funds.pk, "amount": "500", "points": 20},
    )
    assert response.status_code == 201, response.content
    assert response.json()["points_awarded_at"] is not None
    row = services.project_contribution_add(
        actor=pw.city.bob, project=done, resource=funds, description="再追加", amount=Decimal("100"), points=5
    )
    assert row.points_awarded_at is not None
