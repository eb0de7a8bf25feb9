"""Dual reporting: members report where they live, the community confirms; units' agreements."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civicgrid.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.notify.models import Notification
from civicgrid.party import figures, selectors, services
from civicgrid.party.constants import (
    AgreementKind,
    AgreementStatus,
    LocatedBy,
    ReportStatus,
    ServiceType,
    Verb,
)
from civicgrid.party.models import Agreement, MemberReport
from civicgrid.party.tests.conftest import PartyWorld, counts

pytestmark = pytest.mark.django_db

PLEDGES = ["每月参加一次环境整治", "结对帮扶一户困难家庭"]


def report(pw: PartyWorld, actor: object, member: object = None, **kw: object) -> MemberReport:
    args: dict[str, object] = {
        "actor": actor,
        "member": member or pw.zhang,
        "pledge_list": PLEDGES,
        "service_type_list": [ServiceType.ENVIRONMENT, ServiceType.ELDERLY],
    }
    args.update(kw)
    return services.member_report_submit(**args)  # type: ignore[arg-type]


def test_a_member_reports_where_the_registry_says_they_live(pw: PartyWorld) -> None:
    c = pw.city
    row = report(pw, pw.zhang_user)  # the member himself, signed in (H5)
    assert row.node == c.comm_a1 and row.grid == c.grid_a1_1 and row.located_by == LocatedBy.RESIDENT
    assert row.status == ReportStatus.PENDING and row.pledges == PLEDGES
    confirmed = services.member_report_confirm(actor=c.bob, report=row)
    assert confirmed.status == ReportStatus.CONFIRMED and confirmed.decided_by == c.bob
    sms = Notification.objects.get(target_id=str(row.pk))
    assert "胜利门社区" in sms.body
    verbs = list(
        AuditLog.objects.filter(target_type="party.memberreport", target_id=str(row.pk)).values_list(
            "verb", flat=True
        )
    )
    assert verbs == [Verb.REPORT_CONFIRMED, Verb.REPORT_SUBMITTED]


def test_the_locator_finds_the_community_from_a_point(pw: PartyWorld) -> None:
    c = pw.city
    row = report(pw, c.bob, pw.li, lon=120.315, lat=31.575)  # inside 胜利门二网格
    assert row.node == c.comm_a1 and row.grid == c.grid_a1_2 and row.located_by == LocatedBy.LOCATOR
    pw.li.refresh_from_db()
    assert pw.li.home_node == c.grid_a1_2  # now known where he lives
    # The member himself may say he lives elsewhere (a point in 五爱社区).
    own = report(pw, pw.zhang_user, lon=120.305, lat=31.585)
    assert own.node == c.comm_a2 and own.grid == c.grid_a2_1


def test_a_point_outside_the_territory_is_refused(pw: PartyWorld) -> None:
    before = counts()
    with pytest.raises(ValidationError) as caught:
        report(pw, pw.city.bob, pw.li, lon=116.4, lat=39.9)
    assert "不在辖区内" in caught.value.message
    with pytest.raises(ValidationError):
        report(pw, pw.city.bob, pw.li)  # no registry entry, no point, no building
    assert counts() == before


def test_a_member_cannot_report_to_two_communities(pw: PartyWorld) -> None:
    c = pw.city
    first = report(pw, c.bob)
    before = counts()
    with pytest.raises(ValidationError) as caught:
        report(pw, pw.zhang_user, lon=120.31, lat=31.585)  # A2
    assert "不能同时向两个社区报到" in caught.value.message and "胜利门社区" in caught.value.message
    with pytest.raises(ValidationError) as caught:
        report(pw, pw.zhang_user)  # to the same community again: said so, not "two communities"
    assert "无需重复报到" in caught.value.message and "两个社区" not in caught.value.message
    assert counts() == before
    services.member_report_end(actor=pw.zhang_user, report=first, reason="搬家")
    again = report(pw, pw.zhang_user, lon=120.31, lat=31.585)
    assert again.node == c.comm_a2


def test_only_the_community_reported_to_confirms(pw: PartyWorld) -> None:
    c = pw.city
    row = report(pw, pw.zhang_user, lon=120.305, lat=31.585)  # to A2, neither bob's nor carol's
    assert row.node == c.comm_a2
    before = counts()
    for outsider in (c.carol, c.bob, c.alice):
        with pytest.raises(PermissionDenied):
            services.member_report_confirm(actor=outsider, report=row)
    assert counts() == before


def test_staff_may_only_take_reports_to_their_own_community(pw: PartyWorld) -> None:
    c = pw.city
    before = counts()
    with pytest.raises(PermissionDenied):  # li is not carol's to see
        report(pw, c.carol, pw.li, lon=120.33, lat=31.58)
    with pytest.raises(PermissionDenied):  # bob sees li but may not take reports to A2
        report(pw, c.bob, pw.li, lon=120.305, lat=31.585)
    assert counts() == before


def test_rejection_needs_a_reason_and_frees_the_member(pw: PartyWorld) -> None:
    c = pw.city
    row = report(pw, c.bob)
    with pytest.raises(ValidationError):
        services.member_report_reject(actor=c.bob, report=row, reason="  ")
    services.member_report_reject(actor=c.bob, report=row, reason="地址与档案不符")
    with pytest.raises(Conflict):
        services.member_report_confirm(actor=c.bob, report=row)
    assert report(pw, c.bob).status == ReportStatus.PENDING


def test_community_members_do_not_report_and_bad_input_changes_nothing(pw: PartyWorld) -> None:
    c = pw.city
    before = counts()
    with pytest.raises(ValidationError):
        report(pw, c.bob, pw.liu)
    with pytest.raises(ValidationError) as caught:
        report(pw, c.bob, service_type_list=["dancing"], pledge_list=[])
    assert "未知的服务类型" in caught.value.errors["service_types"][0]
    with pytest.raises(ValidationError):
        report(pw, c.bob, pledge_list=["很长" * 60])
    assert counts() == before


def test_new_employment_workers_report_too(pw: PartyWorld) -> None:
    row = report(pw, pw.city.bob, pw.rider, service_type_list=[ServiceType.SAFETY], pledge_list=[])
    assert row.node == pw.city.comm_a1  # from his home grid


def test_rates_and_who_has_not_reported(pw: PartyWorld) -> None:
    c = pw.city
    services.member_report_confirm(actor=c.bob, report=report(pw, c.bob))
    by_unit = {r.label: r.rate for r in figures.rates_by_unit(c.bob)}
    assert (by_unit["梁溪区税务局机关党支部"].total, by_unit["梁溪区税务局机关党支部"].reported) == (2, 1)
    assert by_unit["梁溪区税务局机关党支部"].shown == "50.0%"
    by_community = {r.label: r.rate for r in figures.rates_by_community(c.bob)}
    assert (by_community["胜利门社区"].total, by_community["胜利门社区"].reported) == (1, 1)
    assert figures.area_rate(c.dave).percent == 50.0
    not_reported = list(figures.members_not_reported(c.bob, organisation=pw.tax_org))
    assert not_reported == [pw.li]
    assert figures.rates_by_community(c.carol)[0].rate.total == 0
    assert figures.area_rate(c.carol).total == 0


def test_a_unit_signs_one_live_agreement_per_community(pw: PartyWorld) -> None:
    c = pw.city
    agreement = services.agreement_sign(
        actor=c.bob,
        unit=pw.tax,
        node=c.comm_a1,
        signed_on=date.today(),
        pledges_text="每季度开展一次税法宣传",
        service_type_list=[ServiceType.PUBLICITY],
        contact_name="钱主任",
        contact_phone="13900002222",
    )
    assert agreement.party_organisation == pw.tax_org and agreement.contact_phone_masked == "139****2222"
    assert agreement.title == "梁溪区税务局与胜利门社区共建协议"
    before = counts()
    with pytest.raises(ValidationError) as caught:
        services.agreement_sign(
            pledges_text="每季度开展一次共建活动",
            actor=c.bob,
            unit=pw.tax,
            node=c.comm_a1,
            signed_on=date.today(),
        )
    assert "不能重复签订" in caught.value.message
    assert counts() == before
    with pytest.raises(PermissionDenied):  # the outsider signs for A1
        services.agreement_sign(
            pledges_text="每季度开展一次共建活动",
            actor=c.carol,
            unit=pw.tax,
            node=c.comm_a1,
            signed_on=date.today(),
        )
    assert counts() == before
    assert figures.unit_rate(c.bob).shown == "100.0%"
    services.agreement_end(actor=c.bob, agreement=agreement, reason="单位撤并")
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.ENDED
    assert list(figures.units_not_reported(c.bob)) == [pw.tax_org]


def test_an_expired_agreement_gives_way_to_its_renewal(pw: PartyWorld) -> None:
    c = pw.city
    old = services.agreement_sign(
        pledges_text="每季度开展一次共建活动",
        actor=c.bob,
        unit=pw.tax,
        node=c.comm_a1,
        signed_on=date.today() - timedelta(days=800),
        ends_on=date.today() - timedelta(days=70),
    )
    new = services.agreement_sign(
        pledges_text="每季度开展一次共建活动",
        actor=c.bob,
        unit=pw.tax,
        node=c.comm_a1,
        signed_on=date.today(),
    )
    old.refresh_from_db()
    assert old.status == AgreementStatus.EXPIRED and old.end_reason == "协议到期"
    assert new.status == AgreementStatus.ACTIVE


def test_agreement_dates_and_files_are_checked(pw: PartyWorld) -> None:
    c = pw.city
    before = counts()
    with pytest.raises(ValidationError) as caught:
        services.agreement_sign(
            pledges_text="每季度开展一次共建活动",
            actor=c.bob,
            unit=pw.tax,
            node=c.comm_a1,
            signed_on=date.today(),
            ends_on=date.today() - timedelta(days=1),
        )
    assert "ends_on" in caught.value.errors
    with pytest.raises(ValidationError):
        services.agreement_sign(
            pledges_text="每季度开展一次共建活动",
            actor=c.bob,
            unit=pw.tax,
            node=c.grid_a1_1,
            signed_on=date.today(),
        )
    with pytest.raises(ValidationError):
        services.agreement_sign(
            pledges_text="每季度开展一次共建活动",
            actor=c.bob,
            unit=pw.tax,
            node=c.comm_a1,
            signed_on=date.today(),
            kind=AgreementKind.ALLIANCE,
        )
    assert counts() == before
    agreement = services.agreement_sign(
        pledges_text="每季度开展一次共建活动",
        actor=c.bob,
        unit=pw.tax,
        node=c.comm_a1,
        signed_on=date.today(),
    )
    pdf = SimpleUploadedFile(
        "协议.pdf", b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n", content_type="application/pdf"
    )
    row = services.agreement_file_add(actor=c.bob, agreement=agreement, upload=pdf)
    assert row.name == "协议.pdf" and agreement.files.count() == 1
    fake = SimpleUploadedFile("病毒.pdf", b"MZ\x90\x00", content_type="application/pdf")
    with pytest.raises(ValidationError):
        services.agreement_file_add(actor=c.bob, agreement=agreement, upload=fake)


def test_the_outsider_sees_no_report_and_no_agreement(pw: PartyWorld) -> None:
    c = pw.city
    row = report(pw, c.bob)
    services.agreement_sign(
        pledges_text="每季度开展一次共建活动",
        actor=c.bob,
        unit=pw.tax,
        node=c.comm_a1,
        signed_on=date.today(),
    )
    assert not selectors.reports_visible(c.carol).exists()
    assert not selectors.agreements_visible(c.carol).exists()
    with pytest.raises(NotFound):
        selectors.report_get(c.carol, row.pk)
    assert selectors.reports_visible(c.dave).count() == 1
