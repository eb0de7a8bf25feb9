"""Leaving the register says why and when: 迁出, 死亡 or 其他 (with a note), on a date not in
the future and not before birth; the page, list and API show 已迁出 / 已故 / 已注销; 恢复在册
clears it; a bad value is refused naming the field and changes nothing."""

import io
import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from civicgrid.core.models import AuditLog
from civicgrid.registry import services
from civicgrid.registry.models import LeftReason, Resident
from civicgrid.registry.tests.factories import World, db_state

pytestmark = pytest.mark.django_db


def fresh(resident: Resident) -> Resident:
    return Resident.objects.get(pk=resident.pk)


def leave(client: Client, resident: Resident, **form: str) -> Any:
    data = {"active": "0", "updated_at": fresh(resident).updated_at.isoformat()} | form
    return client.post(f"/registry/residents/{resident.pk}/move-out/", data)


def test_a_death_is_recorded_with_its_date_and_shown_as_such(world: World, client: Client) -> None:
    client.force_login(world.city.bob)
    day = timezone.localdate() - timedelta(days=3)
    response = leave(client, world.resident_a, left_reason="deceased", left_on=day.isoformat())
    assert response.status_code == 302
    gone = fresh(world.resident_a)
    assert (gone.is_active, gone.left_reason, gone.left_on) == (False, LeftReason.DECEASED, day)
    page = client.get(f"/registry/residents/{gone.pk}/").content.decode()
    assert "已故" in page and day.isoformat() in page
    listed = client.get("/registry/residents/?status=moved_out").content.decode()
    assert gone.name in listed and "已故" in listed
    rows = AuditLog.objects.filter(target_id=str(gone.pk), verb="registry.resident_updated")
    row = rows.order_by("pk").last()
    assert row is not None and row.after is not None
    assert row.after["left_reason"] == "deceased" and row.after["left_on"] == day.isoformat()
    client.force_login(world.city.dave)  # the export names why and when
    export = client.get("/registry/residents/", {"export": "xlsx", "status": "moved_out"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = next(r for r in table if "注销原因" in r)
    line = next(r for r in table if gone.name in r)
    assert line[header.index("注销原因")] == "死亡"
    assert str(line[header.index("注销日期")])[:10] == day.isoformat()


def test_restoring_clears_why_and_when(world: World, client: Client) -> None:
    client.force_login(world.city.bob)
    leave(client, world.resident_a, left_reason="other", left_note="户籍注销")
    assert fresh(world.resident_a).left_note == "户籍注销"
    seen = fresh(world.resident_a).updated_at.isoformat()
    client.post(f"/registry/residents/{world.resident_a.pk}/move-out/", {"active": "1", "updated_at": seen})
    back = fresh(world.resident_a)
    assert (back.is_active, back.left_reason, back.left_on, back.left_note) == (True, "", None, "")


@pytest.mark.parametrize(
    ("form", "field_label", "reason"),
    [
        ({"left_reason": "vanished"}, "注销原因", "迁出、死亡或其他"),
        ({"left_on": "2026-13-40"}, "注销日期", "YYYY-MM-DD"),
        ({"left_on": "2999-01-01"}, "注销日期", "不能晚于今天"),
        ({"left_on": "1900-01-01"}, "注销日期", "不能早于出生日期"),
        ({"left_reason": "other"}, "去向或说明", "请填写说明"),
        ({"left_note": "长" * 256}, "去向或说明", "最多255个字"),
    ],
)
def test_a_bad_value_is_refused_naming_the_field_and_changes_nothing(
    world: World, client: Client, form: dict[str, str], field_label: str, reason: str
) -> None:
    client.force_login(world.city.bob)
    Resident.objects.filter(pk=world.resident_a.pk).update(birth_date=date(1960, 5, 1))
    before = db_state()
    response = client.get(leave(client, world.resident_a, **form).url)
    message = response.content.decode()
    assert field_label in message and reason in message
    assert db_state() == before and fresh(world.resident_a).is_active


def test_the_api_leaves_with_a_reason_and_moving_out_stays_the_default(world: World, client: Client) -> None:
    client.force_login(world.city.bob)
    api = f"/api/v1/registry/residents/{world.resident_a.pk}"
    seen = client.get(api).json()["version"]
    out = client.patch(
        api, json.dumps({"version": seen, "is_active": False}), content_type="application/json"
    )
    assert out.status_code == 200, out.content
    body = out.json()
    assert (body["left_reason"], body["left_on"]) == ("moved_out", timezone.localdate().isoformat())
    fix = {"version": body["version"], "left_reason": "deceased"}
    fixed = client.patch(api, json.dumps(fix), content_type="application/json")
    assert fixed.status_code == 200 and fixed.json()["left_reason"] == "deceased"  # corrected while out
    on_register = services.resident_update(actor=world.city.bob, resident=world.resident_a12, is_active=True)
    assert on_register.is_active  # unchanged: already in the register


def test_a_resident_in_the_register_has_no_reason_to_leave(world: World) -> None:
    from civicgrid.core.errors import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.resident_update(actor=world.city.bob, resident=world.resident_a, left_reason="deceased")
    assert "在册居民不能填写注销原因" in str(refused.value.errors)
