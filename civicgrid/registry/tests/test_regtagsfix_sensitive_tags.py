"""After the refusal of lists by a sensitive tag (regression test): the sensitive tags hidden
by name too (list, page, API, export) where the reader may not reveal PII, the refused
listing audited, the edit form's birth date said and clearable, 所属区域 with its parent and
the household by its room, and the duplicate-ID refusal linking to a holder the actor sees."""

import io
from datetime import date
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from civicgrid.core.models import AuditLog
from civicgrid.registry import services
from civicgrid.registry.constants import Verb
from civicgrid.registry.models import Resident, ResidentTag
from civicgrid.registry.tests.factories import ID_A, World
from civicgrid.territory import services as territory

API = "/api/v1/registry/residents"
# i18n: data (the default tags' names, as migration 0003 writes them)
SENSITIVE = {"low_income": "低保户", "community_corrections": "社区矫正人员"}


def tagged(world: World) -> Resident:
    """resident_a (grid A1-1) as 独居老人, 低保户 and 社区矫正人员."""
    for code, name in SENSITIVE.items():
        tag, _ = ResidentTag.objects.get_or_create(code=code, defaults={"name": name})
        world.resident_a.tags.add(tag)
    return world.resident_a


def sheet_values(response: Any) -> list[list[str]]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[str(v) if v is not None else "" for v in row] for row in sheet.iter_rows(values_only=True)]


# --- 1. sensitive tags hidden without PII_VIEW where the resident lives -----------------------


def test_sensitive_tags_are_hidden_by_name_on_list_page_api_and_export(world: World, client: Client) -> None:
    a = tagged(world)
    elderly = ResidentTag.objects.get(code="elderly_alone").name
    for user in (world.city.olivia, world.city.dave):  # operator, leader: no PII_VIEW
        client.force_login(user)
        listed = client.get("/registry/residents/", {"q": a.name}).content.decode()
        assert a.name in listed and elderly in listed
        detail = client.get(f"/registry/residents/{a.pk}/").content.decode()
        assert elderly in detail
        for html in (listed, detail):
            assert not [n for n in SENSITIVE.values() if n in html], user
        api = client.get(API, {"q": a.name}).json()["results"][0]["tags"]
        assert api == ["elderly_alone"]
        assert client.get(f"{API}/{a.pk}").json()["tags"] == ["elderly_alone"]
        rows = sheet_values(client.get("/registry/residents/", {"q": a.name, "export": "xlsx"}))
        text = " ".join(" ".join(r) for r in rows)
        assert a.name in text and elderly in text
        assert not [n for n in SENSITIVE.values() if n in text]
    client.force_login(world.city.bob)  # community worker of A1: may reveal there
    listed = client.get("/registry/residents/", {"q": a.name}).content.decode()
    assert all(f'<span class="tag">{n}</span>' in listed for n in SENSITIVE.values())
    detail = client.get(f"/registry/residents/{a.pk}/").content.decode()
    assert all(f'<span class="tag">{n}</span>' in detail for n in SENSITIVE.values())
    assert set(client.get(f"{API}/{a.pk}").json()["tags"]) == {"elderly_alone", *SENSITIVE}
    rows = sheet_values(client.get("/registry/residents/", {"q": a.name, "export": "xlsx"}))
    assert all(any(n in " ".join(r) for r in rows) for n in SENSITIVE.values())


def test_a_reader_who_may_reveal_elsewhere_only_sees_the_tags_there(world: World, client: Client) -> None:
    """An operator of the district who is also the grid worker of A1-1 (PII_VIEW there only)."""
    from civicgrid.accounts import services as accounts

    a = tagged(world)
    a12 = world.resident_a12
    a12.tags.add(ResidentTag.objects.get(code="low_income"))
    olivia = world.city.olivia
    accounts.role_grant(actor=None, system=True, user=olivia, role="grid_worker", node=world.city.grid_a1_1)
    client.force_login(olivia)
    found = {r["id"]: set(r["tags"]) for r in client.get(API).json()["results"]}
    assert {"low_income", "community_corrections"} <= found[a.pk]
    assert "low_income" not in found[a12.pk]


# --- 2. a refused listing by a sensitive tag is audited ---------------------------------------


def test_a_refused_listing_by_a_sensitive_tag_leaves_an_audit_row(world: World, client: Client) -> None:
    tagged(world)
    client.force_login(world.city.olivia)
    assert client.get("/registry/residents/", {"tag": "low_income"}).status_code == 403
    assert client.get(API, {"tag": "community_corrections"}).status_code == 403
    assert client.get(API, {"tag": "veteran"}).status_code == 200  # not sensitive: no row
    refused = list(AuditLog.objects.filter(verb=Verb.RESIDENT_PII_REFUSED).order_by("id"))
    assert [(r.actor, r.target_type, r.target_id, r.after) for r in refused] == [
        (world.city.olivia, "registry.residenttag", "low_income", {"status": 403, "tag": "low_income"}),
        (
            world.city.olivia,
            "registry.residenttag",
            "community_corrections",
            {"status": 403, "tag": "community_corrections"},
        ),
    ]
    assert refused[0].target_label == SENSITIVE["low_income"]
    assert not AuditLog.objects.filter(verb=Verb.RESIDENT_SENSITIVE_LISTED).exists()


# --- 3. the edit form's birth date: the stored year, and a box to clear it -------------------


def _form(resident: Resident, **overrides: Any) -> dict[str, Any]:
    r = Resident.objects.get(pk=resident.pk)
    data = {
        "node": r.node_id,
        "name": r.name,
        "residence_type": r.residence_type,
        "gender": r.gender,
        "tags": [t.code for t in r.tags.all()],
        "updated_at": r.updated_at.isoformat(),
    }
    return data | overrides


def test_the_edit_form_says_the_stored_birth_year_and_can_clear_it(world: World, client: Client) -> None:
    c = world.city
    r = services.resident_create(actor=c.bob, node=c.grid_a1_1, name="无证人", birth_date=date(1977, 5, 6))
    client.force_login(c.bob)
    page = client.get(f"/registry/residents/{r.pk}/edit/").content.decode()
    assert "已登记 1977年，留空则保持不变" in page and 'name="clear_birth_date"' in page
    assert "1977-05-06" not in page
    url = f"/registry/residents/{r.pk}/edit/"
    assert client.post(url, _form(r, note="留空")).status_code == 302
    assert Resident.objects.get(pk=r.pk).birth_date == date(1977, 5, 6)  # left empty: kept
    both = client.post(url, _form(r, birth_date="1977-05-07", clear_birth_date="1"))
    assert both.status_code == 422 and "清除出生日期" in both.content.decode()
    assert client.post(url, _form(r, clear_birth_date="1")).status_code == 302
    assert Resident.objects.get(pk=r.pk).birth_date is None
    assert 'name="clear_birth_date"' not in client.get(url).content.decode()  # nothing to clear


def test_a_birth_date_given_by_the_id_number_is_not_cleared(world: World, client: Client) -> None:
    a = world.resident_a
    client.force_login(world.city.bob)
    refused = client.post(f"/registry/residents/{a.pk}/edit/", _form(a, clear_birth_date="1"))
    assert refused.status_code == 422 and "以身份证号为准" in refused.content.decode()
    assert Resident.objects.get(pk=a.pk).birth_date == date(1980, 1, 1)


# --- 4. 所属区域 with its parent; the household by its room ------------------------------------


def test_the_area_names_the_building_and_the_household_its_room(world: World, client: Client) -> None:
    c = world.city
    entrance = territory.node_create(actor=c.sysadmin, kind="entrance", name="1单元", parent=c.building_a1)
    r = services.resident_create(
        actor=c.bob, node=entrance, name="单元住户", household=world.household_a, relation_to_head="子"
    )
    client.force_login(c.bob)
    label = f"{c.building_a1.name} · 1单元"
    assert label in client.get("/registry/residents/", {"q": "单元住户"}).content.decode()
    detail = client.get(f"/registry/residents/{r.pk}/").content.decode()
    assert label in detail
    assert world.dwelling_a.room in detail
    assert f'<small class="muted">{world.household_a.code}</small>' in detail
    rows = sheet_values(client.get("/registry/residents/", {"q": "单元住户", "export": "xlsx"}))
    column = rows[0].index("所属区域")
    assert [row[column] for row in rows if "单元住户" in row] == [label]


def test_the_list_costs_the_same_queries_for_more_residents_in_more_places(
    world: World, client: Client
) -> None:
    c = world.city
    client.force_login(c.bob)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/registry/residents/").status_code == 200
        return len(captured)

    before = queries()
    for n, name in enumerate(("1单元", "2单元", "3单元")):
        node = territory.node_create(actor=c.sysadmin, kind="entrance", name=name, parent=c.building_a1)
        services.resident_create(actor=c.bob, node=node, name=f"住户{n}", tags=["elderly_alone"])
    assert queries() == before


# --- 5. the duplicate-ID refusal links to a holder the actor may see ---------------------------


def test_a_duplicate_id_links_to_the_holder_only_for_one_who_sees_them(world: World, client: Client) -> None:
    a = world.resident_a
    c = world.city
    body = {"name": "重复", "id_number": ID_A, "residence_type": "registered"}
    client.force_login(c.bob)
    page = client.post("/registry/residents/new/", body | {"node": c.grid_a1_2.pk})
    html = page.content.decode()
    assert page.status_code == 422 and f'href="/registry/residents/{a.pk}/"' in html and a.name in html
    client.force_login(c.carol)  # B1: does not see resident_a
    page = client.post("/registry/residents/new/", body | {"node": c.grid_b1_1.pk})
    html = page.content.decode()
    assert page.status_code == 422 and "该身份证号已登记" in html
    assert f"/registry/residents/{a.pk}/" not in html and a.name not in html
