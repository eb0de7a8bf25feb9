"""resident_create and resident_update: every problem reported at once, nothing half-written."""

from datetime import date, timedelta

import pytest

from civicgrid.conftest import City
from civicgrid.core.errors import ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.registry import services
from civicgrid.registry.constants import Verb
from civicgrid.registry.models import Resident
from civicgrid.registry.tests.factories import CHINESE, ID_A, World, db_state, db_state_but, make_id_number


def test_bad_id_phone_and_name_are_all_reported_and_nothing_is_created(city: City) -> None:
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        services.resident_create(
            actor=city.bob,
            node=city.grid_a1_1,
            name="",
            id_number="320213198001010012",  # wrong check digit
            phone="1234",
            gender="robot",
            residence_type="tourist",
            tags=["elderly_alone", "no_such_tag"],
            birth_date=date.today() + timedelta(days=1),
        )
    errors = refused.value.errors
    assert set(errors) == {"name", "id_number", "phone", "gender", "residence_type", "tags", "birth_date"}
    assert all(CHINESE.search(reason) for reasons in errors.values() for reason in reasons)
    assert "校验位" in errors["id_number"][0]
    assert "no_such_tag" in errors["tags"][0]
    assert refused.value.http_status == 422
    assert db_state() == before


def test_a_good_resident_is_created_with_facts_from_the_id_number(city: City) -> None:
    id_number = make_id_number("32021319650712002")  # born 1965-07-12; 17th digit 2: female
    resident = services.resident_create(
        actor=city.alice,
        node=city.building_a1,
        name=" 王秀英 ",
        id_number=id_number.lower(),
        phone="0510-82345678",
        tags=["elderly_alone", "低保户"],  # by code or by name
    )
    assert resident.name == "王秀英"
    assert resident.birth_date == date(1965, 7, 12) and resident.gender == "female"
    assert resident.node_path == city.building_a1.path
    assert sorted(t.code for t in resident.tags.all()) == ["elderly_alone", "low_income"]
    row = AuditLog.objects.get(verb=Verb.RESIDENT_CREATED, target_id=str(resident.pk))
    assert row.actor_id == city.alice.pk and row.node_path == city.building_a1.path
    assert id_number not in str(row.after) and "0510-82345678" not in str(row.after)
    assert row.after is not None and row.after["id_number_masked"] == resident.id_number_masked


def test_a_duplicate_id_number_is_refused(world: World) -> None:
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        services.resident_create(
            actor=world.city.carol, node=world.city.grid_b1_1, name="冒名", id_number=ID_A
        )
    assert list(refused.value.errors) == ["id_number"] and "已登记" in refused.value.message
    with pytest.raises(ValidationError):  # the same number in lower case, with spaces
        services.resident_create(
            actor=world.city.bob, node=world.city.grid_a1_2, name="冒名", id_number=f" {ID_A.lower()} "
        )
    with pytest.raises(ValidationError) as on_update:
        services.resident_update(actor=world.city.carol, resident=world.resident_b, id_number=ID_A)
    assert "id_number" in on_update.value.errors
    # Each refusal is an audited ID search (test_regpiifix_pii); nothing else changed.
    assert AuditLog.objects.filter(verb=Verb.RESIDENT_PII_SEARCHED).count() == 3
    assert db_state_but(Verb.RESIDENT_PII_SEARCHED) == before


def test_the_database_itself_refuses_a_duplicate_id_number(world: World) -> None:
    """Two racing creations both pass the check; the unique index catches the second."""
    from django.db import IntegrityError, transaction

    copy = Resident.objects.get(pk=world.resident_a.pk)
    copy.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()


@pytest.mark.parametrize("node", ["comm_a1", "grid_a1_1", "building_a1"])
def test_residents_may_live_at_community_grid_or_building(city: City, node: str) -> None:
    resident = services.resident_create(actor=city.bob, node=getattr(city, node), name="张三")
    assert resident.node_path == getattr(city, node).path


@pytest.mark.parametrize("node", ["sub_a", "district"])
def test_residents_may_not_hang_on_a_subdistrict_or_district(city: City, node: str) -> None:
    with pytest.raises(ValidationError) as refused:
        services.resident_create(actor=city.dave, node=getattr(city, node), name="张三")
    assert "node" in refused.value.errors


def test_update_changes_pii_masks_and_hashes_together(world: World) -> None:
    new_id = make_id_number("32021319900909009")
    updated = services.resident_update(
        actor=world.city.bob,
        resident=world.resident_a,
        id_number=new_id,
        phone="13912345678",
        tags=["veteran"],
    )
    assert updated.id_number_masked == new_id[:3] + "*" * 11 + new_id[-4:]
    assert updated.phone_masked == "139****5678"
    assert updated.birth_date == date(1990, 9, 9)
    assert [t.code for t in updated.tags.all()] == ["veteran"]
    assert services.resident_reveal_pii(actor=world.city.bob, resident=updated) == {
        "id_number": new_id,
        "phone": "13912345678",
        "birth_date": "1990-09-09",
    }
    row = AuditLog.objects.filter(verb=Verb.RESIDENT_UPDATED).get()
    assert row.before is not None and row.after is not None
    assert row.before["phone_masked"] == "138****0001" and row.after["phone_masked"] == "139****5678"


def test_update_reports_every_bad_field_and_changes_nothing(world: World) -> None:
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        services.resident_update(
            actor=world.city.bob, resident=world.resident_a, name=" ", phone="abc", id_number="123"
        )
    assert set(refused.value.errors) == {"name", "phone", "id_number"}
    with pytest.raises(ValidationError):
        services.resident_update(actor=world.city.bob, resident=world.resident_a, node_path="1/")
    assert db_state() == before


def test_a_resident_moves_within_the_actor_scope(world: World) -> None:
    moved = services.resident_update(
        actor=world.city.bob, resident=world.resident_a, node=world.city.grid_a1_2
    )
    assert moved.node_path == world.city.grid_a1_2.path
    assert Resident.objects.get(pk=moved.pk).node_id == world.city.grid_a1_2.pk
