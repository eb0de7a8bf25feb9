"""What the masks still let through (data-protection audit): the full birth date next to the
masked ID number, the duplicate-ID refusal as an unaudited oracle, ID searches without their
target, refused reveals without a trace, and lists by a sensitive tag."""

import io
from typing import Any

from django.test import Client
from openpyxl import load_workbook

from civicgrid.core.models import AuditLog
from civicgrid.registry.constants import Verb
from civicgrid.registry.models import ResidentTag
from civicgrid.registry.tests.factories import ID_A, World

API = "/api/v1/registry/residents"
BORN = "1980-01-01"  # resident_a's birth date, the 7th to 14th characters of ID_A


def rows(verb: str) -> list[AuditLog]:
    return list(AuditLog.objects.filter(verb=verb).order_by("id"))


# --- 1. the full birth date only in the audited reveal -------------------------------------


def test_a_pii_view_user_sees_the_birth_year_only_until_the_audited_reveal(
    world: World, client: Client
) -> None:
    a = world.resident_a
    assert a.birth_date is not None and a.birth_date.isoformat() == BORN
    client.force_login(world.city.bob)  # community worker: holds PII_VIEW over A1
    for url in ("/registry/residents/", f"/registry/residents/{a.pk}/", f"/registry/residents/{a.pk}/edit/"):
        html = client.get(url).content.decode()
        assert BORN not in html and "19800101" not in html, url
    assert "1980年" in client.get(f"/registry/residents/{a.pk}/").content.decode()
    listed = {r["id"]: r for r in client.get(API).json()["results"]}
    assert listed[a.pk]["birth_date"] is None and listed[a.pk]["birth_year"] == 1980
    assert client.get(f"{API}/{a.pk}").json()["birth_date"] is None
    sheet = load_workbook(io.BytesIO(client.get("/registry/residents/", {"export": "xlsx"}).content)).active
    values = [str(v) for row in sheet.iter_rows(values_only=True) for v in row]
    assert not [v for v in values if BORN in v] and "1980年" in values
    assert rows(Verb.RESIDENT_PII_VIEWED) == []

    page = client.post(f"/registry/residents/{a.pk}/reveal/").content.decode()
    assert BORN in page and ID_A in page
    api = client.post(f"{API}/{a.pk}/reveal").json()
    assert api["birth_date"] == BORN
    viewed = rows(Verb.RESIDENT_PII_VIEWED)
    assert len(viewed) == 2 and all("birth_date" in (r.after or {})["fields"] for r in viewed)


def test_a_new_resident_comes_back_from_the_api_with_the_year_only(world: World, client: Client) -> None:
    client.force_login(world.city.bob)
    made = client.post(
        API,
        {"node_id": world.city.grid_a1_1.pk, "name": "新居民", "birth_date": "1991-03-04"},
        content_type="application/json",
    )
    assert made.status_code == 201
    assert made.json()["birth_date"] is None and made.json()["birth_year"] == 1991


# --- 2. the duplicate-ID refusal is an ID search ------------------------------------------


def test_a_duplicate_id_outside_the_scope_is_counted_and_audited_as_an_id_search(
    world: World, client: Client, settings: Any
) -> None:
    settings.REGISTRY_PII_SEARCH_LIMIT = 2
    client.force_login(world.city.carol)  # community B1: resident_a lives in A1
    body = {"node_id": world.city.grid_b1_1.pk, "name": "冒名", "id_number": ID_A}
    refused = client.post(API, body, content_type="application/json")
    assert refused.status_code == 422 and "已登记" in refused.json()["message"]
    (row,) = rows(Verb.RESIDENT_PII_SEARCHED)
    assert row.actor == world.city.carol
    assert (row.target_type, row.target_id) == ("registry.resident", str(world.resident_a.pk))
    assert row.after is not None and row.after["kind"] == "id_number" and row.after["hits"] == 1
    assert ID_A not in f"{row.after} {row.target_label}"
    # The page's registration counts against the same budget.
    page = client.post(
        "/registry/residents/new/",
        {"node": world.city.grid_b1_1.pk, "name": "冒名", "id_number": ID_A, "residence_type": "registered"},
    )
    assert page.status_code == 422 and len(rows(Verb.RESIDENT_PII_SEARCHED)) == 2
    spent = client.post(API, body, content_type="application/json")
    assert spent.status_code == 429 and "已登记" not in spent.json()["message"]
    assert len(rows(Verb.RESIDENT_PII_SEARCHED)) == 2


def test_a_registration_with_a_new_id_number_is_no_search(world: World, client: Client) -> None:
    client.force_login(world.city.carol)
    body = {"node_id": world.city.grid_b1_1.pk, "name": "新人", "id_number": "110101199003074514"}
    assert client.post(API, body, content_type="application/json").status_code == 201
    assert rows(Verb.RESIDENT_PII_SEARCHED) == []


# --- 3. an ID search names whom it found --------------------------------------------------


def test_an_id_search_names_the_matched_resident_for_the_auditor(world: World, client: Client) -> None:
    client.force_login(world.city.olivia)
    assert client.get(API, {"q": ID_A}).json()["count"] == 1
    (row,) = rows(Verb.RESIDENT_PII_SEARCHED)
    a = world.resident_a
    assert (row.target_type, row.target_id) == ("registry.resident", str(a.pk))
    assert a.name in row.target_label and a.id_number_masked in row.target_label
    assert row.after is not None and row.after["targets"] == [{"id": a.pk, "label": row.target_label}]
    assert ID_A not in f"{row.after} {row.target_label}"


# --- 4. refused reveals are audited -------------------------------------------------------


def test_refused_reveals_leave_an_audit_row(world: World, client: Client) -> None:
    a = world.resident_a
    client.force_login(world.city.dave)  # leader: sees A1, may not reveal
    assert client.post(f"{API}/{a.pk}/reveal").status_code == 403
    assert client.post(f"/registry/residents/{a.pk}/reveal/").status_code == 403
    client.force_login(world.city.carol)  # community B1: does not see resident_a
    assert client.post(f"{API}/{a.pk}/reveal").status_code == 404
    assert client.post(f"/registry/residents/{a.pk + 10_000}/reveal/").status_code == 404
    refused = rows(Verb.RESIDENT_PII_REFUSED)
    assert [(r.actor, r.target_id, (r.after or {})["status"]) for r in refused] == [
        (world.city.dave, str(a.pk), 403),
        (world.city.dave, str(a.pk), 403),
        (world.city.carol, str(a.pk), 404),
        (world.city.carol, str(a.pk + 10_000), 404),
    ]
    assert refused[0].target_label == a.name and refused[2].target_label == ""  # no name beyond scope
    assert rows(Verb.RESIDENT_PII_VIEWED) == []
    client.force_login(world.city.auditor)
    assert (
        "查看居民敏感信息被拒绝"
        in client.get("/audit/", {"verb": Verb.RESIDENT_PII_REFUSED}).content.decode()
    )


# --- 5. lists by a sensitive tag ----------------------------------------------------------


def test_a_sensitive_tag_lists_only_for_those_who_may_reveal_and_is_audited(
    world: World, client: Client
) -> None:
    low, _ = ResidentTag.objects.get_or_create(code="low_income", defaults={"name": "低保户"})
    world.resident_a.tags.add(low)
    for user in (world.city.olivia, world.city.dave):  # operator, leader: no PII_VIEW
        client.force_login(user)
        page = client.get("/registry/residents/", {"tag": "low_income"})
        assert page.status_code == 403
        text = page.content.decode()
        assert "敏感标签" in text and world.resident_a.name not in text
        assert 'value="low_income"' not in text  # not offered in the filter
        api = client.get(API, {"tag": "low_income"})
        assert api.status_code == 403 and world.resident_a.name not in api.content.decode()
        export = client.get("/registry/residents/", {"tag": "low_income", "export": "xlsx"})
        assert export.status_code == 403
        assert client.get(API, {"tag": "veteran"}).status_code == 200  # not sensitive
    assert rows(Verb.RESIDENT_SENSITIVE_LISTED) == []
    client.force_login(world.city.bob)
    html = client.get("/registry/residents/", {"tag": "low_income"}).content.decode()
    assert world.resident_a.name in html
    assert client.get(API, {"tag": "low_income"}).json()["count"] == 1
    listed = rows(Verb.RESIDENT_SENSITIVE_LISTED)
    assert [(r.actor, r.after) for r in listed] == [
        (world.city.bob, {"tag": "low_income", "hits": 1}),
        (world.city.bob, {"tag": "low_income", "hits": 1}),
    ]
