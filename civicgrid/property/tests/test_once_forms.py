"""A double click on the inspection and the credit forms writes once (``core.once``)."""

import re
from datetime import timedelta

from django.urls import reverse

from civicgrid.property.models import CreditEntry, Inspection
from civicgrid.property.tests.conftest import World, today
from civicgrid.property.tests.test_pages import client_for, messages_of

TOKEN = re.compile(r'name="once_token" value="([0-9a-f]{32})"')


def tokens(html: str) -> list[str]:
    return TOKEN.findall(html)


def test_the_inspection_form_saves_once_per_token(world: World) -> None:
    c = world.city
    bob = client_for(c.bob)
    bob.post(
        reverse("property:contract_new", args=[world.shengli.pk]),
        {"company": world.lvcheng.pk, "starts_on": (today() - timedelta(days=20)).isoformat()},
    )
    page = bob.get(reverse("property:compound", args=[world.shengli.pk])).content.decode()
    found = tokens(page)
    assert len(found) == 1  # the inspection form alone carries one
    form = {"inspected_on": today().isoformat(), "deduction_environment": "2", "once_token": found[0]}
    url = reverse("property:inspection_new", args=[world.shengli.pk])
    assert messages_of(bob.post(url, form, follow=True)) == ["检查已记录"]
    again = bob.post(url, form, follow=True)
    assert messages_of(again) == ["已提交，请勿重复提交"]
    assert again.redirect_chain[-1][0] == reverse("property:compound", args=[world.shengli.pk])
    assert Inspection.objects.count() == 1 and CreditEntry.objects.count() == 1


def test_a_refused_inspection_leaves_its_token_usable(world: World) -> None:
    c = world.city
    bob = client_for(c.bob)
    bob.post(
        reverse("property:contract_new", args=[world.shengli.pk]),
        {"company": world.lvcheng.pk, "starts_on": (today() - timedelta(days=20)).isoformat()},
    )
    token = tokens(bob.get(reverse("property:compound", args=[world.shengli.pk])).content.decode())[0]
    url = reverse("property:inspection_new", args=[world.shengli.pk])
    bad = {"inspected_on": "不是日期", "deduction_environment": "2", "once_token": token}
    assert "已提交，请勿重复提交" not in messages_of(bob.post(url, bad, follow=True))
    good = {**bad, "inspected_on": today().isoformat()}
    assert messages_of(bob.post(url, good, follow=True)) == ["检查已记录"]
    assert Inspection.objects.count() == 1


def test_the_credit_form_deducts_once_per_token(world: World) -> None:
    c = world.city
    world.start()
    hank = client_for(world.hank)
    page = hank.get(reverse("property:company", args=[world.lvcheng.pk])).content.decode()
    (token,) = tokens(page)
    url = reverse("property:credit_new", args=[world.lvcheng.pk])
    form = {
        "node": c.sub_a.pk,
        "year": str(today().year),
        "points": "-3",
        "reason": "投诉未处理",
        "once_token": token,
    }
    before = CreditEntry.objects.count()
    assert messages_of(hank.post(url, form, follow=True)) == ["信用分已记录"]
    assert messages_of(hank.post(url, form, follow=True)) == ["已提交，请勿重复提交"]
    assert CreditEntry.objects.count() == before + 1
    # A fresh rendering of the form is a new token: a second, deliberate deduction is written.
    (fresh,) = tokens(hank.get(reverse("property:company", args=[world.lvcheng.pk])).content.decode())
    assert messages_of(hank.post(url, {**form, "once_token": fresh}, follow=True)) == ["信用分已记录"]
    assert CreditEntry.objects.count() == before + 2
