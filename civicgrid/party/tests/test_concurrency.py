"""Two attempts at once on PostgreSQL: the partial unique indexes decide, one wins, one is told why."""

from datetime import date
from typing import Any

import pytest

from civicgrid.conftest import City
from civicgrid.core.errors import ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.party.constants import ServiceType, Verb
from civicgrid.party.models import Agreement, MemberReport
from civicgrid.party.services import reporting
from civicgrid.party.tests.conftest import build_party_world
from civicgrid.territory.tests.threads import postgres_only, run_at_once, slow_audit

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _report(actor: Any, member: Any, **kw: Any) -> Any:
    return reporting.member_report_submit(
        actor=actor,
        member=member,
        pledge_list=["参加环境整治"],
        service_type_list=[ServiceType.ENVIRONMENT],
        **kw,
    )


def test_a_member_reporting_to_two_communities_at_once_lands_in_one(city: City, monkeypatch: Any) -> None:
    pw = build_party_world(city)
    slow_audit(monkeypatch, reporting)
    results = run_at_once(
        lambda: _report(pw.zhang_user, pw.zhang),  # A1, from the registry
        lambda: _report(pw.zhang_user, pw.zhang, lon=120.305, lat=31.585),  # A2, by the locator
    )
    made = [r for r in results if isinstance(r, MemberReport)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(made) == 1 and len(refused) == 1, results
    assert "不能同时向两个社区报到" in refused[0].message
    assert MemberReport.objects.filter(member=pw.zhang).count() == 1
    assert AuditLog.objects.filter(verb=Verb.REPORT_SUBMITTED).count() == 1


def test_the_same_agreement_signed_twice_at_once_is_kept_once(city: City, monkeypatch: Any) -> None:
    pw = build_party_world(city)
    slow_audit(monkeypatch, reporting)

    def sign() -> Any:
        return reporting.agreement_sign(
            pledges_text="每季度开展一次共建活动",
            actor=city.bob,
            unit=pw.tax,
            node=city.comm_a1,
            signed_on=date.today(),
        )

    results = run_at_once(sign, sign)
    made = [r for r in results if isinstance(r, Agreement)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(made) == 1 and len(refused) == 1, results
    assert "不能重复签订" in refused[0].message
    assert Agreement.objects.filter(unit=pw.tax, node=city.comm_a1).count() == 1
    assert AuditLog.objects.filter(verb=Verb.AGREEMENT_SIGNED).count() == 1


def test_agreements_with_two_communities_at_once_both_stand(city: City, monkeypatch: Any) -> None:
    pw = build_party_world(city)
    slow_audit(monkeypatch, reporting)
    results = run_at_once(
        lambda: reporting.agreement_sign(
            pledges_text="每季度开展一次共建活动",
            actor=city.bob,
            unit=pw.tax,
            node=city.comm_a1,
            signed_on=date.today(),
        ),
        lambda: reporting.agreement_sign(
            pledges_text="每季度开展一次共建活动",
            actor=city.carol,
            unit=pw.tax,
            node=city.comm_b1,
            signed_on=date.today(),
        ),
    )
    assert all(isinstance(r, Agreement) for r in results), results


def test_without_the_early_check_the_index_alone_refuses(city: City, monkeypatch: Any) -> None:
    """The early check only words the message; the partial unique index is what holds."""
    pw = build_party_world(city)
    monkeypatch.setattr(reporting, "_active_report", lambda member: None)
    results = run_at_once(
        lambda: _report(pw.zhang_user, pw.zhang),
        lambda: _report(pw.zhang_user, pw.zhang, lon=120.305, lat=31.585),
    )
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 1 and "其他社区" in refused[0].message, results
    assert MemberReport.objects.filter(member=pw.zhang).count() == 1


def test_two_orders_of_one_need_confirmed_at_once_make_it_done_once(city: City, monkeypatch: Any) -> None:
    from civicgrid.core.tests.images import png_upload
    from civicgrid.party import services
    from civicgrid.party.constants import NeedStatus
    from civicgrid.party.models import Need
    from civicgrid.party.tests.test_orders import need
    from civicgrid.volunteers.services import orders as volunteer_orders

    pw = build_party_world(city)
    item = need(pw)
    done = []
    for kw in ({"member": pw.zhang}, {"unit": pw.tax}):
        order = services.need_order(actor=city.bob, need=item, **kw)
        done.append(
            volunteer_orders.service_order_complete(
                actor=city.bob, order=order, note="已完成", hours="1", photos=[png_upload()]
            )
        )
    slow_audit(monkeypatch, volunteer_orders)
    results = run_at_once(
        *[
            lambda order=order: volunteer_orders.service_order_confirm(actor=city.bob, order=order, rating=5)
            for order in done
        ]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Need.objects.get(pk=item.pk).status == NeedStatus.DONE
    assert AuditLog.objects.filter(verb=Verb.NEED_DONE).count() == 1
