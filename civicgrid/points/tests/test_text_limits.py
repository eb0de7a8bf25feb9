"""Typed text of the points pages is refused when too long, never cut to fit (outside tester).

Before, an adjustment's 理由, a hand credit's 说明, an approval's 审批意见 and a cancelled
redemption's reason were cut to 255 characters without a word. Now each is refused naming
the field and its limit (理由最多255个字（现为300个字）), nothing changed, and the account page
comes back (422) with what was typed.
"""

import pytest
from django.test import Client

from civicgrid.core.errors import ValidationError
from civicgrid.points import services
from civicgrid.points.constants import Source
from civicgrid.points.models import Adjustment, AdjustmentStatus
from civicgrid.points.selectors import account_for
from civicgrid.points.tests.conftest import PointsWorld, counts, earn

pytestmark = pytest.mark.django_db


def staff(pw: PointsWorld) -> Client:
    client = Client()
    client.force_login(pw.city.bob)
    return client


def test_an_adjustment_reason_too_long_is_refused(pw: PointsWorld) -> None:
    before = counts()
    with pytest.raises(ValidationError) as caught:
        services.points_adjust(actor=pw.city.bob, holder=pw.erin, amount=5, reason="理" * 300)
    assert caught.value.errors == {"reason": ["理由最多255个字（现为300个字）"]}
    assert counts() == before and not Adjustment.objects.exists()
    kept = services.points_adjust(actor=pw.city.bob, holder=pw.erin, amount=5, reason="理" * 255)
    assert kept.reason == "理" * 255


def test_the_adjust_form_refuses_and_keeps_what_was_typed(pw: PointsWorld) -> None:
    earn(pw, pw.erin, 10, "open")
    account = account_for(pw.erin)
    assert account is not None
    reason = "补记" + "长" * 298
    before = counts()
    response = staff(pw).post(f"/points/accounts/{account.pk}/adjust/", {"amount": "7", "reason": reason})
    assert response.status_code == 422
    body = response.content.decode()
    assert "理由最多255个字（现为300个字）" in body
    assert f'value="{reason}"' in body and 'value="7"' in body
    assert counts() == before and not Adjustment.objects.exists()


def test_a_hand_credit_note_too_long_is_refused(pw: PointsWorld) -> None:
    earn(pw, pw.erin, 10, "open")
    account = account_for(pw.erin)
    assert account is not None
    note = "楼道清洁" * 70  # 280
    before = counts()
    response = staff(pw).post(
        f"/points/accounts/{account.pk}/earn/",
        {"amount": "12", "note": note, "token": "t1", "community": str(pw.city.comm_a1.pk)},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "说明最多255个字（现为280个字）" in body
    assert f'value="{note}"' in body and 'value="12"' in body
    assert counts() == before
    with pytest.raises(ValidationError, match="服务队最多64个字"):
        services.points_earn(
            actor=pw.city.bob,
            holder=pw.erin,
            amount=3,
            source=Source.MANUAL,
            source_ref="team",
            node=pw.city.comm_a1,
            team="队" * 65,
        )
    assert counts() == before


def test_a_decision_note_and_a_cancel_reason_too_long_are_refused(pw: PointsWorld) -> None:
    earn(pw, pw.erin, 30, "a")
    a = services.points_adjust(actor=pw.city.bob, holder=pw.erin, amount=5, reason="签到漏记")
    before = counts()
    with pytest.raises(ValidationError, match="审批意见最多255个字（现为256个字）"):
        services.adjustment_approve(actor=pw.city.dave, adjustment=a, note="意" * 256)
    with pytest.raises(ValidationError, match="审批意见最多255个字"):
        services.adjustment_reject(actor=pw.city.dave, adjustment=a, note="意" * 256)
    a.refresh_from_db()
    assert a.status == AdjustmentStatus.PENDING and counts() == before
    redemption = services.points_redeem(actor=pw.erin_user, holder=pw.erin, goods=pw.soap)
    before = counts()
    with pytest.raises(ValidationError, match="取消原因最多255个字（现为300个字）"):
        services.redemption_cancel(actor=pw.city.bob, redemption=redemption, reason="因" * 300)
    redemption.refresh_from_db()
    assert redemption.status == "reserved" and counts() == before
