"""An agreement past its end date is not live: shown 已到期 and left out of the unit rate."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.party import figures, services
from civicgrid.party.constants import AgreementStatus, ServiceType
from civicgrid.party.importers import PartyImportKind
from civicgrid.party.models import Agreement
from civicgrid.party.services.imports import party_import
from civicgrid.party.tests.conftest import PartyWorld
from civicgrid.party.tests.test_imports import xlsx

pytestmark = pytest.mark.django_db


def test_registering_an_agreement_that_already_ended_records_it_expired(pw: PartyWorld) -> None:
    c = pw.city
    today = date.today()
    client = Client()
    client.force_login(c.bob)
    response = client.post(
        reverse("party:agreement_new"),
        {
            "kind": "dual_reporting",
            "unit_code": pw.tax.credit_code,
            "community": str(c.comm_a1.pk),
            "pledges": "每季度开展一次共建活动",
            "signed_on": (today - timedelta(days=24)).isoformat(),
            "ends_on": (today - timedelta(days=20)).isoformat(),
        },
    )
    assert response.status_code == 302
    agreement = Agreement.objects.get()
    assert agreement.status == AgreementStatus.EXPIRED and agreement.shown_status_label == "已到期"
    assert figures.unit_rate(c.bob).reported == 0
    assert pw.tax_org in figures.units_not_reported(c.bob)
    page = client.get(reverse("party:agreement", args=[agreement.pk])).content.decode()
    assert "已到期" in page and "生效" not in page
    # a live one may still be signed beside the historical record, and it counts
    services.agreement_sign(
        actor=c.bob, unit=pw.tax, node=c.comm_a1, signed_on=today, pledges_text="结对帮扶"
    )
    assert figures.unit_rate(c.bob).reported == 1


def test_a_live_agreement_past_its_end_date_stops_counting_without_a_new_one(pw: PartyWorld) -> None:
    c = pw.city
    today = date.today()
    agreement = services.agreement_sign(
        actor=c.bob, unit=pw.tax, node=c.comm_a1, signed_on=today - timedelta(days=40), pledges_text="助老"
    )
    assert figures.unit_rate(c.bob).reported == 1
    # an existing row whose end date has since passed (status still stored as active)
    Agreement.objects.filter(pk=agreement.pk).update(ends_on=today - timedelta(days=1))
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE and agreement.shown_status == AgreementStatus.EXPIRED
    assert figures.unit_rate(c.bob).reported == 0
    client = Client()
    client.force_login(c.bob)
    listed = client.get(reverse("party:agreements"), {"status": "active"}).content.decode()
    assert agreement.title not in listed
    listed = client.get(reverse("party:agreements"), {"status": "expired"}).content.decode()
    assert agreement.title in listed and "已到期" in listed
    api = client.get("/api/v1/party/agreements").json()
    assert [a["status"] for a in api] == ["expired"]
    # ending on the last day still counts that day
    Agreement.objects.filter(pk=agreement.pk).update(ends_on=today)
    assert figures.unit_rate(c.bob).reported == 1


def test_the_import_records_an_ended_agreement_expired(pw: PartyWorld) -> None:
    c = pw.city
    today = date.today()
    header = ["统一社会信用代码", "单位名称", "社区编码", "服务类型", "签订日期", "开始日期", "结束日期"]
    row = [
        pw.tax.credit_code,
        "",
        c.comm_a1.code,
        str(ServiceType.ELDERLY.label),
        (today - timedelta(days=24)).isoformat(),
        "",
        (today - timedelta(days=20)).isoformat(),
    ]
    outcome = party_import(actor=c.bob, kind=PartyImportKind.AGREEMENTS, upload=xlsx(header, row))
    assert outcome.ok, outcome.errors
    agreement = Agreement.objects.get()
    assert agreement.status == AgreementStatus.EXPIRED and agreement.end_reason == "协议到期"
    assert figures.unit_rate(c.bob).reported == 0
