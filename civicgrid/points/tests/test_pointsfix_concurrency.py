"""Two requests at the same moment (PostgreSQL, threads): the same Idempotency-Key asks for
one adjustment, the same restock form token counts the stock once."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.core import once
from civicgrid.points import services
from civicgrid.points.models import Adjustment, Goods, StockEntry
from civicgrid.points.tests.conftest import PointsWorld, earn
from civicgrid.territory.tests.threads import postgres_only, run_at_once, slow_audit

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_one_idempotency_key_at_once_asks_once(pw: PointsWorld, monkeypatch: Any) -> None:
    earn(pw, pw.erin, 10, "a")
    slow_audit(monkeypatch, services)  # the first holds its uncommitted row while the others insert

    def ask() -> Adjustment:
        return services.points_adjust(
            actor=pw.city.bob, holder=pw.erin, amount=4, reason="补记签到", request_key="retry-1"
        )

    results = run_at_once(ask, ask, ask, ask, stagger=0.02)
    assert all(isinstance(r, Adjustment) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Adjustment.objects.count() == 1


def test_one_restock_form_posted_twice_at_once_counts_once(pw: PointsWorld) -> None:
    token = once.issue()
    form = {"action": "restock", "quantity": "20", "note": "捐赠", "once_token": token}

    def post() -> int:
        client = Client()
        client.force_login(pw.city.bob)
        return client.post(f"/points/goods/{pw.soap.pk}/", form).status_code

    assert run_at_once(post, post, stagger=0) == [302, 302]
    assert Goods.objects.get(pk=pw.soap.pk).stock == 25
    assert StockEntry.objects.filter(goods=pw.soap, delta=20).count() == 1


def test_one_adjustment_form_posted_twice_at_once_asks_once(pw: PointsWorld) -> None:
    account = earn(pw, pw.erin, 10, "a").to_account_id
    form = {"amount": "4", "reason": "补记签到", "once_token": once.issue()}

    def post() -> int:
        client = Client()
        client.force_login(pw.city.bob)
        return client.post(f"/points/accounts/{account}/adjust/", form).status_code

    assert run_at_once(post, post, stagger=0) == [302, 302]
    assert Adjustment.objects.count() == 1
