"""Deadline warnings reach the lead unit's staff: one row per person and channel, once."""

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from civicgrid.core import crypto
from civicgrid.notify.backends import MemoryBackend
from civicgrid.notify.models import Notification, State
from civicgrid.notify.services import outbox_drain
from civicgrid.requests import services
from civicgrid.requests.models import DeadlineWarning, UnitMembership
from civicgrid.requests.services.warnings import _notify_unit, deadline_scan
from civicgrid.requests.tests.people import unit_member as _member
from civicgrid.territory.models import Position

pytestmark = pytest.mark.django_db
MEMORY = "civicgrid.notify.backends.MemoryBackend"
BOTH = {"sms": MEMORY, "email": MEMORY}


def _yellow(hotline: Any) -> DeadlineWarning:
    """A street-vending request (城管局) whose response clock turned yellow."""
    request = services.request_create(
        actor=hotline.city.olivia, data=hotline.new(category=hotline.street_vending)
    )
    assert request.dispatched_at is not None
    assert deadline_scan(now=request.dispatched_at + timedelta(minutes=100))["warnings"] == 1
    return DeadlineWarning.objects.get(request=request)


def _sent_warnings() -> list[str]:
    return sorted(m.address for m in MemoryBackend.outbox if m.idempotency_key.startswith("warning:"))


def _rows(warning: DeadlineWarning) -> set[tuple[str, str, str]]:
    found = Notification.objects.filter(dedupe_key__startswith=f"warning:{warning.pk}:")
    return {(n.dedupe_key.split(":", 2)[2], n.channel, crypto.decrypt(n.address_enc)) for n in found}


@override_settings(NOTIFY_BACKENDS=BOTH)
def test_a_warning_reaches_each_member_on_each_channel(hotline: Any) -> None:
    unit = hotline.chengguan  # dora is a member without a phone or e-mail
    li = _member(unit, "li", phone="13800138000", email="li@example.gov.cn")
    wu = _member(unit, "wu", email="wu@example.gov.cn")
    zhao = _member(unit, "zhao", phone="0510-82345678")
    _member(unit, "gone", phone="13900139000", active=False)
    moved = _member(unit, "moved", phone="13700137000")  # their post ended yesterday
    Position.objects.filter(user=moved).update(end_date=timezone.localdate() - timedelta(days=1))
    Notification.objects.all().delete()
    MemoryBackend.outbox = []
    warning = _yellow(hotline)
    assert _rows(warning) == {
        (f"{li.pk}:sms", "sms", "13800138000"),
        (f"{li.pk}:email", "email", "li@example.gov.cn"),
        (f"{wu.pk}:email", "email", "wu@example.gov.cn"),
        (f"{zhao.pk}:sms", "sms", "0510-82345678"),
    }
    rows = Notification.objects.filter(dedupe_key__startswith=f"warning:{warning.pk}:")
    assert all(n.recipient_user_id and n.recipient_label.startswith(unit.name) for n in rows)
    outbox_drain()
    assert _sent_warnings() == ["13800138000", "li@example.gov.cn", "wu@example.gov.cn"]
    landline = rows.get(dedupe_key=f"warning:{warning.pk}:{zhao.pk}:sms")
    assert landline.state == State.FAILED and "不是中国大陆手机号" in landline.last_error
    assert not rows.filter(address_enc="").exists()


def test_without_an_email_backend_only_sms_is_queued(hotline: Any) -> None:
    li = _member(hotline.chengguan, "li", phone="13800138000", email="li@example.gov.cn")
    warning = _yellow(hotline)
    assert _rows(warning) == {(f"{li.pk}:sms", "sms", "13800138000")}


@override_settings(NOTIFY_BACKENDS=BOTH)
def test_a_rerun_or_retried_job_sends_nothing_twice(hotline: Any) -> None:
    _member(hotline.chengguan, "li", phone="13800138000", email="li@example.gov.cn")
    MemoryBackend.outbox = []
    warning = _yellow(hotline)
    request = warning.request
    assert request.dispatched_at is not None
    assert deadline_scan(now=request.dispatched_at + timedelta(minutes=101))["warnings"] == 0
    with transaction.atomic():  # the job retried after a crash: the same warning told again
        _notify_unit(request, warning)
    assert len(_rows(warning)) == 2
    outbox_drain()
    assert outbox_drain() == 0
    assert _sent_warnings() == ["13800138000", "li@example.gov.cn"]


@override_settings(NOTIFY_BACKENDS=BOTH)
def test_a_unit_nobody_can_be_reached_in_is_recorded_as_failed(hotline: Any) -> None:
    MemoryBackend.outbox = []
    warning = _yellow(hotline)  # 城管局: dora, no phone, no e-mail
    row = Notification.objects.get(dedupe_key__startswith=f"warning:{warning.pk}")
    assert row.dedupe_key == f"warning:{warning.pk}:nobody"
    assert row.state == State.FAILED and row.recipient_label == hotline.chengguan.name
    assert (
        row.last_error == "承办单位「区城管局」的单位人员均未登记手机号（单位人员工作手机或岗位任职）"
        "或电子邮箱，提醒无人接收"
    )
    outbox_drain()
    row.refresh_from_db()
    assert row.state == State.FAILED and row.attempts == 0
    assert [m for m in MemoryBackend.outbox if m.idempotency_key.startswith("warning:")] == []
    with transaction.atomic():
        _notify_unit(warning.request, warning)
    assert Notification.objects.filter(dedupe_key__startswith=f"warning:{warning.pk}").count() == 1


def test_a_unit_without_members_says_so(hotline: Any) -> None:
    UnitMembership.objects.filter(unit=hotline.chengguan).delete()
    warning = _yellow(hotline)
    row = Notification.objects.get(dedupe_key=f"warning:{warning.pk}:nobody")
    assert row.last_error == "承办单位「区城管局」没有在岗的单位人员，提醒无人接收"


@override_settings(NOTIFY_BACKENDS={"sms": "civicgrid.notify.backends.EmailBackend"})
def test_sms_pointed_at_email_fails_the_warning_and_mails_no_phone(hotline: Any) -> None:
    li = _member(hotline.chengguan, "li", phone="13800138000")
    warning = _yellow(hotline)
    outbox_drain()
    row = Notification.objects.get(dedupe_key=f"warning:{warning.pk}:{li.pk}:sms")
    assert row.state == State.FAILED and "138****8000" in row.last_error
    assert not Notification.objects.filter(state=State.SENT, channel="sms").exclude(address_enc="").exists()
    assert all("13800138000" not in m.to and "13812345678" not in m.to for m in mail.outbox)
