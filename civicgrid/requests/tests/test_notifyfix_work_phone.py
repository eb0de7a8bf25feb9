"""A unit member's work mobile (工作手机) on the membership: a department's staff hold no
territory post, so before this their unit's notices could reach them by SMS never (outside
tester: every notice of the demo failed with 均未登记手机号). It is entered on the unit's admin
page, kept encrypted, shown masked, audited masked, and preferred to a post's phone."""

from typing import Any

import pytest
from django.test import Client, override_settings

from civicgrid.core import crypto
from civicgrid.core.admin_audit import record_fingerprint
from civicgrid.core.errors import ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.notify.models import Notification
from civicgrid.requests import services
from civicgrid.requests.models import RequestEvent, UnitMembership
from civicgrid.requests.tests.people import unit_member
from civicgrid.requests.unit_notify import contacts_cache
from civicgrid.requests.units import unit_member_add

pytestmark = pytest.mark.django_db
MEMORY = "civicgrid.notify.backends.MemoryBackend"


@override_settings(NOTIFY_BACKENDS={"sms": MEMORY})
def test_the_work_phone_receives_the_units_notices(hotline: Any) -> None:
    li = unit_member(hotline.sub_a_unit, "li", phone="13800138000")  # also holds a post's phone
    unit_member_add(actor=None, system=True, unit=hotline.sub_a_unit, user=li, phone="13912340000")
    unit_member_add(actor=None, system=True, unit=hotline.sub_a_unit, user=hotline.hank, phone="13700001111")
    contacts_cache.invalidate()
    request = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    request = services.request_sign(actor=hotline.hank, request=request)
    services.request_supervise(actor=hotline.city.dave, request=request, note="请今天内报结果。")
    event = RequestEvent.objects.get(request=request, action="supervise")
    sent = {
        n.dedupe_key.rsplit(":", 2)[-2]: crypto.decrypt(n.address_enc)
        for n in Notification.objects.filter(dedupe_key__startswith=f"supervise:{event.pk}:")
    }
    assert sent == {str(li.pk): "13912340000", str(hotline.hank.pk): "13700001111"}


def test_the_service_keeps_it_encrypted_masked_and_audited(hotline: Any) -> None:
    membership = unit_member_add(
        actor=None, system=True, unit=hotline.chengguan, user=hotline.dora, phone="13812345678"
    )
    assert "13812345678" not in membership.phone_enc and membership.phone_masked == "138****5678"
    assert crypto.decrypt(membership.phone_enc) == "13812345678"
    row = AuditLog.objects.filter(verb__startswith="requests.unit_member").latest("pk")
    assert row.after is not None and "13812345678" not in str(row.after)
    assert row.after["phone"] == "138****5678"
    with pytest.raises(ValidationError) as refused:
        unit_member_add(
            actor=None, system=True, unit=hotline.chengguan, user=hotline.dora, phone="0510-1234567"
        )
    assert "phone" in refused.value.errors
    assert UnitMembership.objects.get(pk=membership.pk).phone_masked == "138****5678"  # unchanged


def _admin(hotline: Any) -> Client:
    client = Client()
    client.force_login(hotline.city.sysadmin)
    return client


def _post(client: Client, unit: Any, membership: UnitMembership, phone: str) -> Any:
    prefix = "memberships"
    data = {
        "code": unit.code, "name": unit.name, "kind": unit.kind, "node": unit.node_id,
        "parent": unit.parent_id or "", "phone": unit.phone, "is_active": "on",
        "edit_fingerprint": record_fingerprint(type(unit).objects.get(pk=unit.pk)),
        f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "1",
        f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000",
        f"{prefix}-0-id": membership.pk, f"{prefix}-0-unit": unit.pk,
        f"{prefix}-0-user": membership.user.username, f"{prefix}-0-is_approver": "on",
        f"{prefix}-0-work_phone": phone,
    }  # fmt: skip
    return client.post(f"/admin/requests/handlingunit/{unit.pk}/change/", data)


def test_the_admin_page_sets_keeps_and_clears_it(hotline: Any) -> None:
    unit = hotline.chengguan
    membership = UnitMembership.objects.get(unit=unit, user=hotline.dora)
    client = _admin(hotline)
    page = client.get(f"/admin/requests/handlingunit/{unit.pk}/change/").content.decode()
    assert "工作手机" in page
    assert _post(client, unit, membership, "138 1234 5678").status_code == 302
    membership.refresh_from_db()
    assert membership.phone_masked == "138****5678" and crypto.decrypt(membership.phone_enc) == "13812345678"
    page = client.get(f"/admin/requests/handlingunit/{unit.pk}/change/").content.decode()
    assert "138****5678" in page and "13812345678" not in page
    assert _post(client, unit, membership, "138****5678").status_code == 302  # the mask: kept
    membership.refresh_from_db()
    assert crypto.decrypt(membership.phone_enc) == "13812345678"
    refused = _post(client, unit, membership, "12345")
    assert refused.status_code == 422 and "不是中国大陆手机号" in refused.content.decode()
    assert _post(client, unit, membership, "").status_code == 302  # cleared
    membership.refresh_from_db()
    assert membership.phone_enc == "" and membership.phone_masked == ""
