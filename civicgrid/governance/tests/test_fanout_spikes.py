"""A spike alert reaches the people of each unit it goes to, not the units' names."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from civicgrid.conftest import make_user
from civicgrid.core import crypto
from civicgrid.governance.models import SpikeAlert
from civicgrid.governance.spikes import spike_scan
from civicgrid.notify.models import Notification, State
from civicgrid.requests.models import Request, UnitMembership
from civicgrid.requests.tests.conftest import Hotline
from civicgrid.territory.models import Position, Post

pytestmark = pytest.mark.django_db

BURST = [("水管爆裂停水", "路边供水管爆裂，家里停水了"), ("突然停水", "外面水管爆了，家里没水")]


def test_a_spike_alert_reaches_each_reachable_member(hotline: Hotline, make: Callable[..., Request]) -> None:
    unit = hotline.water
    li = make_user("li", "李力")
    UnitMembership.objects.create(user=li, unit=unit)
    Position.objects.create(
        post=Post.GRID_WORKER_FULLTIME,
        holder_name="李力",
        user=li,
        node=unit.node,
        node_path=unit.node.path,
        phone_enc=crypto.encrypt("13800138000"),
        phone_hash=crypto.blind_index("13800138000"),
        start_date=timezone.localdate() - timedelta(days=30),
    )
    now = timezone.now()
    for i in range(8):
        make(*BURST[i % 2], at=now - timedelta(minutes=12 - i), grid="a1_1", category=hotline.water_outage)
    assert spike_scan(now=now)["raised"] == 1
    alert = SpikeAlert.objects.get()
    water = Notification.objects.get(dedupe_key__startswith=f"spike:{alert.pk}:{unit.pk}:")
    assert water.dedupe_key == f"spike:{alert.pk}:{unit.pk}:{li.pk}:sms"
    assert crypto.decrypt(water.address_enc) == "13800138000" and water.recipient_user == li
    assert water.body.startswith("【突发预警】") and water.state == State.PENDING
    sub = Notification.objects.get(dedupe_key__startswith=f"spike:{alert.pk}:{hotline.sub_a_unit.pk}:")
    assert sub.dedupe_key.endswith(":nobody") and sub.state == State.FAILED
    assert sub.last_error == (
        "单位「崇安寺街道办事处」的单位人员均未登记手机号（单位人员工作手机或岗位任职），突发预警无人接收"
    )
    assert (
        not Notification.objects.filter(target_type="governance.spikealert", address_enc="")
        .exclude(state=State.FAILED)
        .exists()
    )
    assert spike_scan(now=now + timedelta(minutes=1))["raised"] == 0
    assert Notification.objects.filter(target_type="governance.spikealert").count() == 2


def test_a_member_of_both_units_gets_one_alert(hotline: Hotline, make: Callable[..., Request]) -> None:
    """The place's subdistrict and the category's unit are both told; someone in both is told once."""
    li = make_user("li", "李力")
    for unit in (hotline.water, hotline.sub_a_unit):
        UnitMembership.objects.create(user=li, unit=unit)
    Position.objects.create(
        post=Post.GRID_WORKER_FULLTIME,
        holder_name="李力",
        user=li,
        node=hotline.water.node,
        node_path=hotline.water.node.path,
        phone_enc=crypto.encrypt("13800138000"),
        phone_hash=crypto.blind_index("13800138000"),
        start_date=timezone.localdate() - timedelta(days=30),
    )
    now = timezone.now()
    for i in range(8):
        make(*BURST[i % 2], at=now - timedelta(minutes=12 - i), grid="a1_1", category=hotline.water_outage)
    assert spike_scan(now=now)["raised"] == 1
    sent = Notification.objects.filter(target_type="governance.spikealert", recipient_user=li)
    assert sent.count() == 1 and sent.get().channel == "sms"
