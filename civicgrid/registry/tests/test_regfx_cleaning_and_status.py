"""Typed names are cleaned as the imports clean cells; a moved-out resident can be listed and
is named as moved out when registered again (only to whom may see them)."""

import pytest
from django.test import Client

from civicgrid.core.errors import ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.registry import selectors, services
from civicgrid.registry.constants import Verb
from civicgrid.registry.tests.factories import ID_A, World, db_state, db_state_but


def test_invisible_characters_are_dropped_from_a_typed_name_and_it_is_found(world: World) -> None:
    c = world.city
    resident = services.resident_create(
        actor=c.bob, node=c.grid_a1_1, name="\u200b张\u200b小明\u3000", note="\ufeff独居\u200d"
    )
    resident.refresh_from_db()
    assert resident.name == "张小明" and resident.note == "独居"
    assert list(selectors.resident_search(c.bob, q="张小明")) == [resident]
    services.resident_update(actor=c.bob, resident=resident, name="王\u3000伟\u200b")
    resident.refresh_from_db()
    assert resident.name == "王伟"


def test_a_name_of_invisible_characters_only_is_refused(world: World) -> None:
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        services.resident_create(actor=world.city.bob, node=world.city.grid_a1_1, name="\u200b\u3000")
    assert refused.value.errors == {"name": ["姓名不能为空"]}
    assert db_state() == before


def test_dwelling_and_organisation_text_is_cleaned(world: World) -> None:
    c = world.city
    dwelling = services.dwelling_create(
        actor=c.bob, node=c.building_a1, room="\u200b302", use="rented", owner_name="\u200b李\u3000四\xa0"
    )
    assert (dwelling.room, dwelling.owner_name) == ("302", "李四")
    org = services.organisation_create(
        actor=c.bob,
        node=c.grid_a1_1,
        name="\u200b胜利\u200b面馆\xa0",
        kind="shop",
        address="\ufeff中山路\u200b1号",
        contact_name="\u200b赵\u3000六",
    )
    org.refresh_from_db()
    assert (org.name, org.address, org.contact_name) == ("胜利面馆", "中山路1号", "赵六")


def test_the_resident_list_filters_by_status(world: World, client: Client) -> None:
    services.resident_update(actor=world.city.bob, resident=world.resident_a, is_active=False)
    client.force_login(world.city.bob)
    default = client.get("/registry/residents/").content.decode()
    assert "刘胜利" not in default and "钱五爱" in default
    assert "不在册（迁出、死亡等）" in default  # the filter
    moved = client.get("/registry/residents/", {"status": "moved_out"}).content.decode()
    assert "刘胜利" in moved and "钱五爱" not in moved
    both = client.get("/registry/residents/", {"status": "all"}).content.decode()
    assert "刘胜利" in both and "钱五爱" in both


def test_registering_a_moved_out_resident_again_names_them_and_the_way_back(
    world: World, client: Client
) -> None:
    c = world.city
    services.resident_update(actor=c.bob, resident=world.resident_a, is_active=False)
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        services.resident_create(actor=c.bob, node=c.grid_a1_1, name="刘胜利", id_number=ID_A)
    (reason,) = refused.value.errors["id_number"]
    assert "刘胜利已迁出（不在册）" in reason and "恢复在册" in reason
    # The refusal is an audited ID search (test_regpiifix_pii).
    assert AuditLog.objects.filter(verb=Verb.RESIDENT_PII_SEARCHED).count() == 1
    assert db_state_but(Verb.RESIDENT_PII_SEARCHED) == before
    client.force_login(c.bob)
    page = client.post(
        "/registry/residents/new/",
        {"node": c.grid_a1_1.pk, "name": "刘胜利", "id_number": ID_A, "residence_type": "registered"},
    )
    assert page.status_code == 422
    assert f'href="/registry/residents/{world.resident_a.pk}/"' in page.content.decode()


def test_outside_the_scope_the_refusal_stays_plain(world: World, client: Client) -> None:
    c = world.city
    services.resident_update(actor=c.bob, resident=world.resident_a, is_active=False)
    with pytest.raises(ValidationError) as refused:
        services.resident_create(actor=c.carol, node=c.grid_b1_1, name="某人", id_number=ID_A)
    assert refused.value.errors["id_number"] == ["该身份证号已登记"]
    client.force_login(c.carol)
    page = client.post(
        "/registry/residents/new/",
        {"node": c.grid_b1_1.pk, "name": "某人", "id_number": ID_A, "residence_type": "registered"},
    ).content.decode()
    assert "该身份证号已登记" in page
    assert "刘胜利" not in page and f"/registry/residents/{world.resident_a.pk}/" not in page
