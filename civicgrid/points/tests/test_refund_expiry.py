"""A redemption cancelled after its points' lot expired (outside tester): the page said
积分已退回 and the points vanished at the next expiry run, since they went back into the
expired lot. Now points of a lot expired, or expiring within REFUND_RENEW_DAYS, come back as
a new lot with the scheme's validity from the cancel date, the message says so, and the
ledger check stays clean."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.points import ledger, selectors, services
from civicgrid.points.models import Lot
from civicgrid.points.tests.conftest import PointsWorld, earn

pytestmark = pytest.mark.django_db


def test_points_of_an_expired_lot_come_back_with_a_fresh_validity(pw: PointsWorld) -> None:
    earn(pw, pw.erin, 30, "a")
    redemption = services.points_redeem(actor=pw.erin_user, holder=pw.erin, goods=pw.soap)
    Lot.objects.update(expires_at=timezone.now() - timedelta(days=1))  # the lot ran out meanwhile
    assert services.points_expire_due() == 20 and selectors.balance(pw.erin) == 0
    client = Client()
    client.force_login(pw.city.bob)
    response = client.post(f"/points/redemptions/{redemption.pk}/cancel/", {"reason": "缺货"}, follow=True)
    body = response.content.decode()
    assert "其中10分原批次已到期或即将到期，重新发放，有效期至" in body
    assert selectors.balance(pw.erin) == 10
    assert services.points_expire_due() == 0  # the next expiry run takes nothing
    assert selectors.balance(pw.erin) == 10
    fresh = Lot.objects.get(remaining=10)
    assert fresh.expires_at is not None and fresh.expires_at > timezone.now() + timedelta(days=365)
    assert selectors.ledger_check().ok


def test_a_lot_about_to_expire_is_renewed_and_a_valid_one_refilled(pw: PointsWorld) -> None:
    earn(pw, pw.erin, 10, "soon")
    earn(pw, pw.erin, 10, "later")
    soon, later = Lot.objects.order_by("id")
    Lot.objects.filter(pk=soon.pk).update(
        expires_at=timezone.now() + timedelta(days=ledger.REFUND_RENEW_DAYS - 1)
    )
    pw.soap.price = 15
    pw.soap.save(update_fields=["price"])
    redemption = services.points_redeem(actor=pw.erin_user, holder=pw.erin, goods=pw.soap)
    services.redemption_cancel(actor=pw.erin_user, redemption=redemption)
    soon.refresh_from_db()
    later.refresh_from_db()
    assert (soon.remaining, later.remaining) == (0, 10)  # 10 from the first lot, 5 from the second
    renewed = selectors.refund_renewal(redemption.__class__.objects.get(pk=redemption.pk))
    assert renewed is not None and renewed.remaining == 10
    assert selectors.balance(pw.erin) == 20 and selectors.ledger_check().ok
