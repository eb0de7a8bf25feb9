"""Migration 0016 links the 吹哨召集 work orders written before it to their whistle (by label,
request, unit and time) and ends those of a whistle already closed; other orders stay as they are."""

import importlib
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from civicgrid.requests import services
from civicgrid.requests.models import WorkOrder

pytestmark = pytest.mark.django_db

link_whistle_orders = importlib.import_module(
    "civicgrid.requests.migrations.0016_workorder_whistle"
).link_whistle_orders


def test_earlier_summons_orders_are_linked_and_those_of_closed_whistles_end(hotline: Any) -> None:
    orders = []
    whistles = []
    for title in ("电梯停运三天", "电梯异响"):
        request = services.request_create(actor=hotline.city.olivia, data=hotline.new(title=title))
        request = services.request_sign(actor=hotline.hank, request=request)
        whistles.append(
            services.request_whistle(
                actor=hotline.hank,
                request=request,
                units=[hotline.chengguan],
                reason="联合处置",
                deadline=timezone.now() + timedelta(days=1),
            )
        )
        orders.append(WorkOrder.objects.get(request=request, unit=hotline.chengguan))
    dispatched = WorkOrder.objects.create(
        request=orders[0].request,
        unit=hotline.zhujian,
        role="assist",
        dispatched_at=timezone.now(),
        rule_label="人工指定（周静）",
    )
    # as the old code left them: no link, the first whistle closed with its order still active
    WorkOrder.objects.filter(pk__in=[o.pk for o in orders]).update(whistle=None, is_active=True)
    type(whistles[0]).objects.filter(pk=whistles[0].pk).update(closed_at=timezone.now(), outcome="处置完毕")
    link_whistle_orders(apps, None)
    first, second = (WorkOrder.objects.get(pk=o.pk) for o in orders)
    assert (first.whistle_id, first.is_active) == (whistles[0].pk, False)
    assert (second.whistle_id, second.is_active) == (whistles[1].pk, True)
    dispatched.refresh_from_db()
    assert dispatched.whistle_id is None and dispatched.is_active
