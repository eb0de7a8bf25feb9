"""Typed whole numbers on the property forms: anything that is not one is a field error in
Chinese, never a server error ("--1" and "²" passed the old digit check and int() raised)."""

import pytest
from django.urls import reverse

from civicgrid.core.models import AuditLog
from civicgrid.property.models import (
    CommitteeMember,
    CreditEntry,
    Inspection,
    OwnersCommittee,
    ServiceContract,
)
from civicgrid.property.tests.conftest import World, today
from civicgrid.property.tests.test_pages import client_for, messages_of

BAD = ["--1", "²", "1e3", ""]


@pytest.mark.parametrize("raw", BAD[:3])  # a blank deduction is read as 0 by the form
def test_a_deduction_that_is_no_whole_number_is_refused(world: World, raw: str) -> None:
    world.start()
    before = AuditLog.objects.count()
    back = client_for(world.city.bob).post(
        reverse("property:inspection_new", args=[world.shengli.pk]),
        {"inspected_on": today().isoformat(), "deduction_safety": raw},
        follow=True,
    )
    assert back.status_code == 422  # the form again, with what was typed
    assert messages_of(back) == ["安全管理：安全管理扣分应为0到3之间的整数"]
    assert f'name="deduction_safety" min="0" max="3" step="1" value="{raw}"' in back.content.decode()
    assert not Inspection.objects.exists() and not CreditEntry.objects.exists()
    assert AuditLog.objects.count() == before


@pytest.mark.parametrize("raw", BAD)
@pytest.mark.parametrize("field", ["year", "points"])
def test_a_year_or_points_that_is_no_whole_number_is_refused(world: World, field: str, raw: str) -> None:
    world.start()
    form = {"node": world.city.sub_a.pk, "year": str(today().year), "points": "3", "reason": "示范点"}
    form[field] = raw
    before = AuditLog.objects.count()
    back = client_for(world.hank).post(
        reverse("property:credit_new", args=[world.lvcheng.pk]), form, follow=True
    )
    assert back.status_code == 422
    [message] = messages_of(back)
    label = {"year": "年度", "points": "分值"}[field]
    expected = f"请填写{label}" if raw == "" else f"{label}应为"
    assert message.startswith(f"{label}：") and expected in message, message
    assert not CreditEntry.objects.exists()
    assert AuditLog.objects.count() == before


@pytest.mark.parametrize("raw", ["abc", "²", "0", "99999999999999999999"])
def test_a_forged_pick_is_refused_as_nothing_picked(world: World, raw: str) -> None:
    """A company or resident id that is no id reads as nothing picked (it was refused as
    "…应为整数", and "99999999999999999999" was looked up)."""
    bob = client_for(world.city.bob)
    before = AuditLog.objects.count()
    back = bob.post(
        reverse("property:contract_new", args=[world.shengli.pk]),
        {"company": raw, "starts_on": today().isoformat()},
        follow=True,
    )
    assert messages_of(back) == ["物业服务企业：请选择物业服务企业"]
    made = bob.post(
        reverse("property:committee_new", args=[world.shengli.pk]),
        {"term_starts_on": today().isoformat(), "term_ends_on": "2030-01-01"},
        follow=True,
    )
    assert messages_of(made) == ["业委会已登记"]
    after_committee = AuditLog.objects.count()
    back = bob.post(
        reverse("property:member_new", args=[OwnersCommittee.objects.get().pk]),
        {"resident": raw, "post": "member"},
        follow=True,
    )
    assert messages_of(back) == ["居民档案：居民不存在或您无权查看"]
    assert not CommitteeMember.objects.exists() and not ServiceContract.objects.exists()
    assert AuditLog.objects.count() == after_committee == before + 1
