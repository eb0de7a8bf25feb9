"""The dwelling page, every bad field of the new-resident form at once, readable audit rows
of resident changes, and the organisation kinds named in the refusal."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.core.errors import ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.registry import services
from civicgrid.registry.constants import Verb
from civicgrid.registry.forms import DwellingForm
from civicgrid.registry.models import Dwelling
from civicgrid.registry.tests.factories import World, db_state
from civicgrid.territory import services as territory


def edit_url(dwelling: Dwelling) -> str:
    return f"/registry/dwellings/{dwelling.pk}/edit/"


def posted(dwelling: Dwelling, **changes: Any) -> dict[str, Any]:
    return DwellingForm.values_of(dwelling) | changes


def test_the_dwelling_list_shows_the_owner_and_links_the_page(world: World, client: Client) -> None:
    services.dwelling_update(actor=world.city.bob, dwelling=world.dwelling_a, owner_name="刘胜利")
    client.force_login(world.city.bob)
    html = client.get("/registry/dwellings/").content.decode()
    assert "产权人" in html and "刘胜利" in html
    assert edit_url(world.dwelling_a) in html


def test_the_dwelling_page_changes_use_area_owner_and_building(world: World, client: Client) -> None:
    c = world.city
    entrance = territory.node_create(actor=c.sysadmin, kind="entrance", name="1单元", parent=c.building_a1)
    dwelling = services.dwelling_create(actor=c.bob, node=c.building_a1, room="501", use="owner_occupied")
    client.force_login(c.bob)
    assert client.get(edit_url(dwelling)).status_code == 200
    answer = client.post(
        edit_url(dwelling),
        posted(dwelling, use="rented", area="88.5", owner_name="\u200b周\u3000七", node=entrance.pk),
    )
    assert answer.status_code == 302
    dwelling.refresh_from_db()
    assert (dwelling.use, str(dwelling.area), dwelling.owner_name) == ("rented", "88.50", "周七")
    assert dwelling.node_id == entrance.pk and dwelling.node_path == entrance.path
    row = AuditLog.objects.filter(verb=Verb.DWELLING_UPDATED).latest("pk")
    assert row.before is not None and row.after is not None
    assert row.before["use"] == "owner_occupied" and row.after["use"] == "rented"
    assert row.after["owner_name"] == "周七" and row.after["node"] == entrance.pk


def test_a_stale_dwelling_page_or_bad_fields_change_nothing(world: World, client: Client) -> None:
    c = world.city
    client.force_login(c.bob)
    stale = posted(world.dwelling_a, use="vacant")
    services.dwelling_update(actor=c.bob, dwelling=world.dwelling_a, owner_name="刘胜利")
    before = db_state()
    answer = client.post(edit_url(world.dwelling_a), stale)
    assert answer.status_code == 409 and "已被他人修改" in answer.content.decode()
    fresh = Dwelling.objects.get(pk=world.dwelling_a.pk)
    answer = client.post(edit_url(fresh), posted(fresh, area="很大", room=" ", node=c.building_b1.pk))
    html = answer.content.decode()
    assert answer.status_code == 422
    assert "面积（㎡）应为数字" in html and "房号不能为空" in html and "楼栋/单元" in html
    assert db_state() == before


def test_a_dwelling_with_households_is_not_moved(world: World) -> None:
    c = world.city
    entrance = territory.node_create(actor=c.sysadmin, kind="entrance", name="2单元", parent=c.building_a1)
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        services.dwelling_update(actor=c.bob, dwelling=world.dwelling_a, node=entrance)
    assert "已登记户" in refused.value.errors["node"][0]
    assert db_state() == before


def test_another_areas_dwelling_page_is_not_shown(world: World, client: Client) -> None:
    client.force_login(world.city.carol)
    assert client.get(edit_url(world.dwelling_a)).status_code == 404


def test_the_new_resident_form_reports_every_bad_field(world: World, client: Client) -> None:
    client.force_login(world.city.bob)
    answer = client.post(
        "/registry/residents/new/",
        {
            "node": world.city.grid_a1_1.pk,
            "name": "张三",
            "id_number": "320213198001010012",  # wrong check digit
            "phone": "1234",
            "household_code": "NO-SUCH",
            "residence_type": "registered",
        },
    )
    html = answer.content.decode()
    assert answer.status_code == 422
    assert "户编码 NO-SUCH 不存在" in html and "校验位" in html and "联系电话" in html
    form = answer.context["form"]
    assert set(form.errors) == {"household_code", "id_number", "phone"}


def test_resident_audit_rows_name_tags_and_the_household_code(world: World) -> None:
    c = world.city
    resident = services.resident_create(
        actor=c.bob, node=c.building_a1, name="孙大", tags=["disabled"], household=world.household_a
    )
    created = AuditLog.objects.filter(verb=Verb.RESIDENT_CREATED).latest("pk")
    assert created.after is not None
    assert created.after["tags"] == ["残疾人"] and created.after["household"] == world.household_a.code
    other = services.household_create(actor=c.bob, node=c.building_a1, head_name="孙二")
    services.resident_update(
        actor=c.bob, resident=resident, tags=["disabled", "elderly_alone"], household=other
    )
    row = AuditLog.objects.filter(verb=Verb.RESIDENT_UPDATED).latest("pk")
    assert row.before is not None and row.after is not None
    assert row.before["tags"] == ["残疾人"] and row.after["tags"] == sorted(["残疾人", "独居老人"])
    assert (row.before["household"], row.after["household"]) == (world.household_a.code, other.code)


def test_a_bad_organisation_kind_names_the_allowed_kinds(world: World) -> None:
    errors = services.organisation_validate({"name": "某店", "kind": "小卖部"})
    (reason,) = errors["kind"]
    assert reason.startswith("单位类型只能是机关、企业") and reason.endswith("物业服务企业或其他")
