"""The system administrator keeps units, their staff, rules and the knowledge base in the admin,
checked like the services and audited."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.core.admin_audit import record_fingerprint
from civicgrid.core.models import AuditLog
from civicgrid.requests.models import DispatchRule, HandlingUnit, UnitMembership

pytestmark = pytest.mark.django_db
NO_MEMBERS = {
    "memberships-TOTAL_FORMS": "0",
    "memberships-INITIAL_FORMS": "0",
    "memberships-MIN_NUM_FORMS": "0",
    "memberships-MAX_NUM_FORMS": "1000",
}


def unit_form(hotline: Any, **kw: Any) -> dict[str, Any]:
    data = {
        "code": "B09",
        "name": "区市场监管局",
        "kind": "department",
        "node": hotline.city.district.pk,
        "parent": hotline.district_unit.pk,
        "phone": "0510-12345678",
        "is_active": "on",
        **NO_MEMBERS,
    }
    data.update(kw)
    return data


def test_a_unit_is_created_with_staff_and_audited(client: Client, hotline: Any) -> None:
    client.force_login(hotline.city.sysadmin)
    member = {
        "memberships-TOTAL_FORMS": "1",
        "memberships-0-user": hotline.hank.username,
        "memberships-0-is_approver": "on",
    }
    response = client.post("/admin/requests/handlingunit/add/", {**unit_form(hotline), **member})
    assert response.status_code == 302, response.content.decode()[:3000]
    unit = HandlingUnit.objects.get(code="B09")
    assert unit.node_path == hotline.city.district.path
    assert UnitMembership.objects.get(unit=unit).user == hotline.hank
    verbs = set(AuditLog.objects.filter(target_id=str(unit.pk)).values_list("verb", flat=True))
    assert {"admin.handlingunit_created", "admin.unit_members_changed"} <= verbs


def test_a_bad_unit_is_refused_with_the_services_reasons(client: Client, hotline: Any) -> None:
    client.force_login(hotline.city.sysadmin)
    before = (HandlingUnit.objects.count(), AuditLog.objects.count())
    # a subdistrict unit must serve a subdistrict; the code is taken
    response = client.post(
        "/admin/requests/handlingunit/add/", unit_form(hotline, code="B01", kind="subdistrict")
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert "已被使用" in page and "单位的区域必须是" in page
    assert (HandlingUnit.objects.count(), AuditLog.objects.count()) == before


def test_a_rule_change_is_checked_and_audited(client: Client, hotline: Any) -> None:
    client.force_login(hotline.city.sysadmin)
    rule = DispatchRule.objects.order_by("id").first()
    assert rule is not None
    data = {
        "name": rule.name,
        "priority": "5",
        "category_prefix": "99",  # no such category in the current catalogue
        "area": "",
        "target": rule.target,
        "unit": rule.unit_id or "",
        "copy_to": "",
        "is_active": "on",
        "edit_fingerprint": record_fingerprint(rule),  # as the change form shows it
    }
    refused = client.post(f"/admin/requests/dispatchrule/{rule.pk}/change/", data)
    assert refused.status_code == 422 and "没有编码以 99 开头的分类" in refused.content.decode()
    data["category_prefix"] = rule.category_prefix
    done = client.post(f"/admin/requests/dispatchrule/{rule.pk}/change/", data)
    assert done.status_code == 302, done.content.decode()[:3000]
    rule.refresh_from_db()
    assert rule.priority == 5
    assert AuditLog.objects.filter(verb="admin.dispatchrule_changed", target_id=str(rule.pk)).exists()


def test_business_staff_cannot_open_the_admin(client: Client, hotline: Any) -> None:
    client.force_login(hotline.city.olivia)
    assert client.get("/admin/requests/dispatchrule/").status_code == 302


def test_rules_and_units_are_stopped_not_deleted(client: Client, hotline: Any) -> None:
    client.force_login(hotline.city.sysadmin)
    rule = DispatchRule.objects.get(name="属地街道")
    for url in (
        f"/admin/requests/dispatchrule/{rule.pk}/delete/",
        f"/admin/requests/handlingunit/{hotline.zhujian.pk}/delete/",
    ):
        assert client.post(url, {"post": "yes"}).status_code == 403
    changelist = client.post(
        "/admin/requests/dispatchrule/",
        {"action": "delete_selected", "_selected_action": [rule.pk], "post": "yes"},
    )
    assert changelist.status_code in (200, 302)
    assert DispatchRule.objects.filter(pk=rule.pk).exists()
    assert HandlingUnit.objects.filter(pk=hotline.zhujian.pk).exists()
