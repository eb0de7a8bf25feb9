"""The rules list's in-place 启用 (list_editable) is checked as the rule's own page is: a
stopped rule cannot be turned on under the name of an active one (outside tester: the page
refused it, the list took it)."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.requests.models import DispatchRule

pytestmark = pytest.mark.django_db


def _rows(rules: list[DispatchRule], active: set[int]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "form-TOTAL_FORMS": str(len(rules)),
        "form-INITIAL_FORMS": str(len(rules)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "_save": "保存",
    }
    for i, rule in enumerate(rules):
        data[f"form-{i}-id"] = str(rule.pk)
        data[f"form-{i}-priority"] = str(rule.priority)
        if rule.pk in active:
            data[f"form-{i}-is_active"] = "on"
    return data


def _listed() -> list[DispatchRule]:
    return list(DispatchRule.objects.order_by("priority", "id"))  # the list's order


def test_turning_on_a_twin_of_an_active_rule_is_refused(client: Client, hotline: Any) -> None:
    client.force_login(hotline.city.sysadmin)
    live = DispatchRule.objects.get(name="属地街道")
    twin = DispatchRule.objects.create(
        name="属地街道", priority=200, target=DispatchRule.Target.LOCATION_SUBDISTRICT, is_active=False
    )
    rules = _listed()
    on = {r.pk for r in rules if r.is_active} | {twin.pk}
    refused = client.post("/admin/requests/dispatchrule/", _rows(rules, on))
    assert refused.status_code == 200
    assert "不能启用规则“属地街道”" in refused.content.decode()
    assert (
        not DispatchRule.objects.get(pk=twin.pk).is_active and DispatchRule.objects.get(pk=live.pk).is_active
    )

    # Stopping the live one and starting the twin in one submit is a rename of sorts: allowed.
    done = client.post("/admin/requests/dispatchrule/", _rows(rules, (on - {live.pk})))
    assert done.status_code == 302, done.content.decode()[:2000]
    assert (
        DispatchRule.objects.get(pk=twin.pk).is_active and not DispatchRule.objects.get(pk=live.pk).is_active
    )


def test_two_stopped_twins_turned_on_together_are_refused(client: Client, hotline: Any) -> None:
    client.force_login(hotline.city.sysadmin)
    pair = [
        DispatchRule.objects.create(
            name="夜间噪声",
            priority=300 + i,
            target=DispatchRule.Target.LOCATION_SUBDISTRICT,
            is_active=False,
        )
        for i in range(2)
    ]
    rules = _listed()
    on = {r.pk for r in rules if r.is_active} | {p.pk for p in pair}
    refused = client.post("/admin/requests/dispatchrule/", _rows(rules, on))
    assert refused.status_code == 200 and "另一条启用中的规则同名" in refused.content.decode()
    assert not DispatchRule.objects.filter(name="夜间噪声", is_active=True).exists()
