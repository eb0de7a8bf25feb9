"""Registering and correcting residents directly: the service's stale-edit check, household
and birth-date rules, the 新增居民 / 编辑 pages and PATCH /api/v1/registry/residents/{id}.

bob (community worker of A1) registers and corrects A1's residents; carol (community worker
of B1) is an outsider to them: refused, and nothing changes.
"""

import json
from datetime import date
from typing import Any

import pytest
from django.test import Client

from civicgrid.core import crypto
from civicgrid.core.errors import Conflict, PermissionDenied, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.registry import services
from civicgrid.registry.constants import Verb
from civicgrid.registry.models import Resident
from civicgrid.registry.tests.factories import (
    CHINESE,
    ID_A,
    PHONE_A,
    World,
    db_state,
    make_id_number,
)

API = "/api/v1/registry/residents"
NEW_ID = make_id_number("32021319770315004")  # born 1977-03-15; 17th digit 0: female
BAD_ID = NEW_ID[:17] + ("0" if NEW_ID[17] != "0" else "1")  # wrong check digit


def fresh(resident: Resident) -> Resident:
    return Resident.objects.get(pk=resident.pk)


def patch(client: Client, resident: Resident, payload: dict[str, Any]) -> Any:
    return client.patch(f"{API}/{resident.pk}", json.dumps(payload), content_type="application/json")


def updated_rows() -> list[AuditLog]:
    return list(AuditLog.objects.filter(verb=Verb.RESIDENT_UPDATED).order_by("pk"))


# --- the service ----------------------------------------------------------------------------


def test_a_stale_edit_is_a_conflict_and_changes_nothing(world: World) -> None:
    seen = fresh(world.resident_a).updated_at
    services.resident_update(actor=world.city.bob, resident=world.resident_a, note="先改的")
    before = db_state()
    with pytest.raises(Conflict) as refused:
        services.resident_update(
            actor=world.city.bob, resident=world.resident_a, expected_updated_at=seen, name="后改的"
        )
    assert refused.value.http_status == 409 and CHINESE.search(refused.value.message)
    assert db_state() == before
    current = fresh(world.resident_a).updated_at
    done = services.resident_update(
        actor=world.city.bob, resident=world.resident_a, expected_updated_at=current, name="刘胜利二"
    )
    assert done.name == "刘胜利二"


def test_an_edited_birth_date_or_gender_must_agree_with_the_id_number(world: World) -> None:
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        services.resident_update(
            actor=world.city.bob,
            resident=world.resident_a,
            birth_date=date(1999, 9, 9),
            gender="female",  # ID_A's 17th digit 1: male
        )
    assert set(refused.value.errors) == {"birth_date", "gender"}
    assert db_state() == before
    # With a new ID number typed, its own facts are taken.
    done = services.resident_update(actor=world.city.bob, resident=world.resident_a, id_number=NEW_ID)
    assert done.birth_date == date(1977, 3, 15) and done.gender == "female"


def test_a_household_of_another_area_is_refused_and_one_of_the_same_is_taken(world: World) -> None:
    before = db_state()
    with pytest.raises(PermissionDenied):  # B1's household: outside bob's scope
        services.resident_update(actor=world.city.bob, resident=world.resident_a, household=world.household_b)
    assert db_state() == before
    moved = services.resident_update(
        actor=world.city.bob,
        resident=world.resident_a,
        node=world.city.building_a1,
        household=world.household_a,
        relation_to_head="户主",
    )
    assert fresh(moved).household_id == world.household_a.pk and fresh(moved).relation_to_head == "户主"


def test_the_update_audit_row_keeps_masked_pii_and_tags_only(world: World) -> None:
    services.resident_update(
        actor=world.city.bob, resident=world.resident_a, id_number=NEW_ID, phone="139-1234-5678", tags=[]
    )
    row = updated_rows()[-1]
    text = json.dumps([row.before, row.after], ensure_ascii=False)
    for clear in (ID_A, NEW_ID, PHONE_A, "13912345678"):
        assert clear not in text
    assert row.before is not None and row.after is not None
    assert row.before["id_number_masked"] == crypto.mask_id_number(ID_A)
    assert row.after["id_number_masked"] == crypto.mask_id_number(NEW_ID)
    assert row.after["phone_masked"] == "139****5678"
    assert row.before["tags"] == ["独居老人"] and row.after["tags"] == []


# --- the pages ------------------------------------------------------------------------------


def form_of(resident: Resident, **overrides: Any) -> dict[str, Any]:
    r = fresh(resident)
    data = {
        "node": r.node_id,
        "name": r.name,
        "id_number": "",
        "phone": "",
        "gender": r.gender,
        # As the form posts it: empty (it never shows the full date; for a resident with an ID
        # number it has no such field, and any date sent is refused whatever its value).
        "birth_date": "",
        "residence_type": r.residence_type,
        "household_code": r.household.code if r.household else "",
        "relation_to_head": r.relation_to_head,
        "tags": [t.code for t in r.tags.all()],
        "note": r.note,
        "updated_at": r.updated_at.isoformat(),
    }
    return data | overrides


def test_the_list_and_detail_pages_lead_to_the_forms(world: World, client: Client) -> None:
    client.force_login(world.city.bob)
    assert "/registry/residents/new/" in client.get("/registry/residents/").content.decode()
    detail = client.get(f"/registry/residents/{world.resident_a.pk}/").content.decode()
    assert f"/registry/residents/{world.resident_a.pk}/edit/" in detail and "办理迁出" in detail
    client.force_login(world.city.dave)  # a district leader: views, edits nothing
    assert "/registry/residents/new/" not in client.get("/registry/residents/").content.decode()
    assert "/edit/" not in client.get(f"/registry/residents/{world.resident_a.pk}/").content.decode()


def test_a_resident_who_moved_in_is_registered_on_the_page(world: World, client: Client) -> None:
    client.force_login(world.city.bob)
    page = client.get("/registry/residents/new/", {"node": world.city.grid_a1_1.pk})
    assert page.status_code == 200 and "新增居民" in page.content.decode()
    response = client.post(
        "/registry/residents/new/",
        {
            "node": world.city.building_a1.pk,
            "name": "新住户",
            "id_number": NEW_ID.lower(),
            "phone": "+86 137-0000-9999",
            "residence_type": "floating",
            "household_code": world.household_a.code.lower(),
            "relation_to_head": "租户",
            "tags": ["volunteer"],
        },
    )
    created = Resident.objects.get(name="新住户")
    assert response.status_code == 302 and response["Location"] == f"/registry/residents/{created.pk}/"
    assert created.id_number_hash == crypto.blind_index(NEW_ID)
    assert crypto.decrypt(created.id_number_enc) == NEW_ID
    assert crypto.decrypt(created.phone_enc) == "13700009999" and created.phone_masked == "137****9999"
    assert created.household_id == world.household_a.pk and created.birth_date == date(1977, 3, 15)
    row = AuditLog.objects.get(verb=Verb.RESIDENT_CREATED, target_id=str(created.pk))
    assert NEW_ID not in str(row.after) and "13700009999" not in str(row.after)


def test_bad_input_on_the_new_page_keeps_the_form_and_creates_nothing(world: World, client: Client) -> None:
    client.force_login(world.city.bob)
    before = db_state()
    response = client.post(
        "/registry/residents/new/",
        {
            "node": world.city.grid_a1_1.pk,
            "name": "打错了",
            "id_number": BAD_ID,
            "phone": "12345",
            "residence_type": "registered",
            "note": "保留的备注",
        },
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "身份证号校验位错误" in html and "电话号码格式不正确" in html
    assert 'value="打错了"' in html and 'value="保留的备注"' in html  # what was typed stays
    assert db_state() == before


def test_a_form_that_does_not_parse_says_every_reason_at_once(world: World, client: Client) -> None:
    client.force_login(world.city.bob)
    before = db_state()
    response = client.post(
        "/registry/residents/new/",
        {"node": "", "name": " ", "residence_type": "tourist", "birth_date": "2020-13-01", "note": "留着"},
    )
    html = response.content.decode()
    assert response.status_code == 422 and 'value="留着"' in html
    for reason in ("请选择所属区域", "姓名不能为空", "出生日期应为有效日期"):
        assert reason in html
    assert db_state() == before


def test_the_edit_page_never_shows_the_full_id_number_or_phone(world: World, client: Client) -> None:
    client.force_login(world.city.bob)
    html = client.get(f"/registry/residents/{world.resident_a.pk}/edit/").content.decode()
    assert ID_A not in html and PHONE_A not in html
    assert world.resident_a.id_number_masked in html and world.resident_a.phone_masked in html


def test_a_wrong_name_and_phone_are_corrected_on_the_page(world: World, client: Client) -> None:
    client.force_login(world.city.bob)
    response = client.post(
        f"/registry/residents/{world.resident_a.pk}/edit/",
        form_of(world.resident_a, name="刘胜力", phone="13600001111"),
    )
    assert response.status_code == 302
    r = fresh(world.resident_a)
    assert r.name == "刘胜力" and crypto.decrypt(r.phone_enc) == "13600001111"
    assert crypto.decrypt(r.id_number_enc) == ID_A  # left empty: kept
    row = updated_rows()[-1]
    assert row.actor_id == world.city.bob.pk
    assert row.before is not None and row.after is not None
    assert row.before["name"] == "刘胜利" and row.after["name"] == "刘胜力"
    assert row.after["phone_masked"] == "136****1111" and "13600001111" not in str(row.after)


def test_a_bad_correction_on_the_page_changes_nothing(world: World, client: Client) -> None:
    client.force_login(world.city.bob)
    before = db_state()
    response = client.post(
        f"/registry/residents/{world.resident_a.pk}/edit/",
        form_of(world.resident_a, name="改了名", id_number=BAD_ID, phone="abc"),
    )
    html = response.content.decode()
    assert response.status_code == 422 and "身份证号校验位错误" in html and 'value="改了名"' in html
    assert db_state() == before


def test_a_stale_edit_page_is_refused_with_the_form_kept(world: World, client: Client) -> None:
    client.force_login(world.city.bob)
    stale = form_of(world.resident_a, name="甲改的")
    services.resident_update(actor=world.city.alice, resident=world.resident_a, note="乙先保存")
    before = db_state()
    response = client.post(f"/registry/residents/{world.resident_a.pk}/edit/", stale)
    html = response.content.decode()
    assert response.status_code == 409 and "已被他人修改" in html and 'value="甲改的"' in html
    assert db_state() == before


def test_an_outsider_cannot_open_or_post_the_edit_page(world: World, client: Client) -> None:
    client.force_login(world.city.carol)
    before = db_state()
    url = f"/registry/residents/{world.resident_a.pk}/edit/"
    assert client.get(url).status_code == 404
    assert client.post(url, form_of(world.resident_a, name="冒改")).status_code == 404
    assert (
        client.post(f"/registry/residents/{world.resident_a.pk}/move-out/", {"active": "0"}).status_code
        == 404
    )
    # Nor register a resident in A1 from B1.
    response = client.post(
        "/registry/residents/new/",
        {"node": world.city.grid_a1_1.pk, "name": "外来", "residence_type": "registered"},
    )
    assert response.status_code == 422 and "不在您的管辖范围内" in response.content.decode()
    assert db_state() == before


def test_moving_out_on_the_page(world: World, client: Client) -> None:
    client.force_login(world.city.bob)
    seen = fresh(world.resident_a).updated_at.isoformat()
    response = client.post(
        f"/registry/residents/{world.resident_a.pk}/move-out/", {"active": "0", "updated_at": seen}
    )
    assert response.status_code == 302 and not fresh(world.resident_a).is_active
    row = updated_rows()[-1]
    assert row.before is not None and row.after is not None
    assert row.before["is_active"] is True and row.after["is_active"] is False
    assert "刘胜利" not in client.get("/registry/residents/").content.decode()  # off the list
    assert "恢复在册" in client.get(f"/registry/residents/{world.resident_a.pk}/").content.decode()


# --- the API ---------------------------------------------------------------------------------


def test_patch_corrects_only_the_fields_sent(world: World, client: Client) -> None:
    client.force_login(world.city.bob)
    seen = client.get(f"{API}/{world.resident_a.pk}").json()
    response = patch(client, world.resident_a, {"version": seen["version"], "phone": "13600002222"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["phone_masked"] == "136****2222" and body["name"] == "刘胜利"
    assert body["tags"] == ["elderly_alone"] and body["version"] != seen["version"]
    assert "13600002222" not in response.content.decode()
    r = fresh(world.resident_a)
    assert crypto.decrypt(r.phone_enc) == "13600002222" and crypto.decrypt(r.id_number_enc) == ID_A


def test_patch_bad_input_is_422_naming_fields_and_changes_nothing(world: World, client: Client) -> None:
    client.force_login(world.city.bob)
    seen = client.get(f"{API}/{world.resident_a.pk}").json()["version"]
    before = db_state()
    response = patch(
        client, world.resident_a, {"version": seen, "name": "改", "id_number": BAD_ID, "phone": "12"}
    )
    assert response.status_code == 422
    body = response.json()
    assert set(body["detail"]) == {"id_number", "phone"}
    assert "身份证号" in body["message"] and "电话" in body["message"]
    assert db_state() == before


def test_patch_on_a_stale_version_is_409(world: World, client: Client) -> None:
    client.force_login(world.city.bob)
    seen = client.get(f"{API}/{world.resident_a.pk}").json()["version"]
    assert patch(client, world.resident_a, {"version": seen, "note": "第一次"}).status_code == 200
    before = db_state()
    response = patch(client, world.resident_a, {"version": seen, "note": "第二次"})
    assert response.status_code == 409 and response.json()["code"] == "conflict"
    assert db_state() == before


def test_patch_by_an_outsider_is_404_and_changes_nothing(world: World, client: Client) -> None:
    client.force_login(world.city.carol)
    before = db_state()
    stamp = fresh(world.resident_a).updated_at.isoformat()
    response = patch(client, world.resident_a, {"version": stamp, "name": "冒改"})
    assert response.status_code == 404 and CHINESE.search(response.json()["message"])
    assert db_state() == before


def test_patch_moves_out_and_back(world: World, client: Client) -> None:
    client.force_login(world.city.bob)
    seen = client.get(f"{API}/{world.resident_a.pk}").json()["version"]
    out = patch(client, world.resident_a, {"version": seen, "is_active": False})
    assert out.status_code == 200 and out.json()["is_active"] is False
    again = patch(client, world.resident_a, {"version": out.json()["version"], "is_active": False})
    assert again.status_code == 422 and "已迁出" in again.json()["message"]


def test_a_phone_or_id_number_is_taken_off_with_its_clear_box(world: World, client: Client) -> None:
    """An outside tester could not remove a wrongly registered number: the empty field keeps it."""
    client.force_login(world.city.bob)
    url = f"/registry/residents/{world.resident_a.pk}/edit/"
    assert 'name="clear_phone"' in client.get(url).content.decode()
    response = client.post(url, form_of(world.resident_a, clear_phone="1"))
    assert response.status_code == 302
    r = fresh(world.resident_a)
    assert r.phone_enc == "" and r.phone_hash == "" and r.phone_masked == ""
    assert crypto.decrypt(r.id_number_enc) == ID_A  # its box not ticked: kept
    row = updated_rows()[-1]
    assert row.before is not None and row.after is not None
    assert row.before["phone_masked"] == world.resident_a.phone_masked and row.after["phone_masked"] == ""
    assert 'name="clear_phone"' not in client.get(url).content.decode()  # nothing left to clear
    response = client.post(url, form_of(fresh(world.resident_a), clear_id_number="1"))
    assert response.status_code == 302 and fresh(world.resident_a).id_number_enc == ""


def test_a_number_typed_with_its_clear_box_ticked_is_refused(world: World, client: Client) -> None:
    client.force_login(world.city.bob)
    before = db_state()
    response = client.post(
        f"/registry/residents/{world.resident_a.pk}/edit/",
        form_of(world.resident_a, phone="13600001111", clear_phone="1"),
    )
    html = response.content.decode()
    assert response.status_code == 422 and "已勾选“清除”，请不要同时填写新号码" in html
    assert db_state() == before
