"""Adjustments: asked for with a reason, posted only when a leader approves (not oneself)."""

import pytest

from civicgrid.core.errors import Conflict, PermissionDenied, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.points import selectors, services
from civicgrid.points.constants import Verb
from civicgrid.points.models import AdjustmentStatus, Movement, MovementKind
from civicgrid.points.tests.conftest import PointsWorld, counts, earn

pytestmark = pytest.mark.django_db


def test_adjustment_is_posted_on_approval(pw: PointsWorld) -> None:
    c = pw.city
    a = services.points_adjust(actor=c.bob, holder=pw.erin, amount=20, reason="签到漏记，补记")
    assert a.status == AdjustmentStatus.PENDING and selectors.balance(pw.erin) == 0
    approved = services.adjustment_approve(actor=c.dave, adjustment=a, note="同意")
    assert approved.status == AdjustmentStatus.APPROVED and approved.movement is not None
    assert approved.movement.kind == MovementKind.ADJUST_IN
    assert selectors.balance(pw.erin) == 20
    with pytest.raises(Conflict):
        services.adjustment_approve(actor=c.dave, adjustment=a)
    assert Movement.objects.filter(kind=MovementKind.ADJUST_IN).count() == 1
    assert AuditLog.objects.filter(verb=Verb.ADJUSTMENT_APPROVED).count() == 1
    assert selectors.ledger_check().ok


def test_a_decrease_cannot_exceed_the_balance(pw: PointsWorld) -> None:
    earn(pw, pw.erin, 30, "a")
    with pytest.raises(ValidationError, match="超过当前余额"):
        services.points_adjust(actor=pw.city.bob, holder=pw.erin, amount=-31, reason="重复发放")
    a = services.points_adjust(actor=pw.city.bob, holder=pw.erin, amount=-30, reason="重复发放")
    services.points_redeem(actor=pw.erin_user, holder=pw.erin, goods=pw.soap)  # balance now 20
    before = counts()
    with pytest.raises(Conflict, match="无法批准"):
        services.adjustment_approve(actor=pw.city.dave, adjustment=a)
    assert counts() == before


def test_reject_needs_a_reason_and_posts_nothing(pw: PointsWorld) -> None:
    a = services.points_adjust(actor=pw.city.bob, holder=pw.erin, amount=5, reason="测试调整")
    with pytest.raises(ValidationError):
        services.adjustment_reject(actor=pw.city.dave, adjustment=a, note="")
    rejected = services.adjustment_reject(actor=pw.city.dave, adjustment=a, note="无依据")
    assert rejected.status == AdjustmentStatus.REJECTED and selectors.balance(pw.erin) == 0


def test_who_may_ask_and_approve(pw: PointsWorld) -> None:
    c = pw.city
    before = counts()
    with pytest.raises(PermissionDenied):  # outsider
        services.points_adjust(actor=c.carol, holder=pw.erin, amount=5, reason="外社区")
    with pytest.raises(PermissionDenied):  # a leader approves, does not ask
        services.points_adjust(actor=c.dave, holder=pw.erin, amount=5, reason="领导")
    assert counts() == before
    a = services.points_adjust(actor=c.bob, holder=pw.erin, amount=5, reason="补记")
    before = counts()
    for someone in (c.bob, c.carol, c.alice):
        with pytest.raises(PermissionDenied):
            services.adjustment_approve(actor=someone, adjustment=a)
    assert counts() == before


def test_bad_adjustment_input(pw: PointsWorld) -> None:
    before = counts()
    for amount, reason in ((0, "理由"), ("x", "理由"), (5, ""), (10**7, "理由")):
        with pytest.raises(ValidationError):
            services.points_adjust(actor=pw.city.bob, holder=pw.erin, amount=amount, reason=reason)  # type: ignore[arg-type]
    assert counts() == before
