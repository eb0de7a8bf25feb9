"""Personal information: encrypted at rest, masked everywhere, found by blind index, revealed with audit."""

from typing import Any

import pytest
from django.db import connection
from django.test import Client

from civicgrid.core.errors import PermissionDenied
from civicgrid.core.models import AuditLog
from civicgrid.registry import selectors, services
from civicgrid.registry.constants import Verb
from civicgrid.registry.models import Organisation, Resident
from civicgrid.registry.tests.factories import ID_A, ID_B, PHONE_A, World, db_state, db_state_but


def raw_row(table: str, pk: int) -> dict[str, Any]:
    """The row as the database holds it, bypassing the ORM."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])  # noqa: S608 - fixed table names
        names = [c[0] for c in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


def test_the_clear_id_number_and_phone_appear_in_no_column(world: World) -> None:
    row = raw_row("registry_resident", world.resident_a.pk)
    text = " ".join(str(v) for v in row.values())
    for clear in (ID_A, PHONE_A, ID_A[6:14], PHONE_A[3:7]):
        assert clear not in text
    assert row["id_number_enc"].startswith("v1:") and row["phone_enc"].startswith("v1:")
    assert row["id_number_masked"] == ID_A[:3] + "*" * 11 + ID_A[-4:]
    assert row["phone_masked"] == "138****0001"
    assert len(row["id_number_hash"]) == 64


def test_organisation_and_position_phones_are_encrypted_too(world: World) -> None:
    org = raw_row("registry_organisation", world.organisation_a.pk)
    assert "13700000001" not in " ".join(str(v) for v in org.values())
    position = raw_row("territory_position", world.position_a.pk)
    assert "13600000001" not in " ".join(str(v) for v in position.values())


@pytest.mark.parametrize("q", [ID_A, ID_A.lower(), f" {ID_A} ", PHONE_A])
def test_exact_search_by_id_number_or_phone_uses_the_blind_index(world: World, q: str) -> None:
    assert list(selectors.resident_search(world.city.bob, q=q)) == [world.resident_a]


@pytest.mark.parametrize("q", [ID_A[:10], ID_A[-6:], PHONE_A[:7], "0001"])
def test_partial_numbers_find_nothing(world: World, q: str) -> None:
    assert list(selectors.resident_search(world.city.dave, q=q)) == []


def test_search_through_the_api_returns_masked_values(world: World, client: Client) -> None:
    client.force_login(world.city.bob)
    body = client.get("/api/v1/registry/residents", {"q": ID_A}).json()
    assert body["count"] == 1
    (found,) = body["results"]
    assert found["id"] == world.resident_a.pk
    assert found["id_number_masked"] == world.resident_a.id_number_masked
    assert ID_A not in str(body) and PHONE_A not in str(body)
    assert found["tags"] == ["elderly_alone"]


def test_lists_and_detail_pages_show_masks_only(world: World, client: Client) -> None:
    client.force_login(world.city.dave)  # sees the district: both communities' residents
    for url in ("/registry/residents/", f"/registry/residents/{world.resident_a.pk}/"):
        html = client.get(url).content.decode()
        assert world.resident_a.id_number_masked in html
        assert ID_A not in html and PHONE_A not in html
    html = client.get("/registry/residents/").content.decode()
    assert ID_B not in html and world.resident_b.id_number_masked in html


def test_bob_reveals_and_an_audit_row_records_it(world: World, client: Client) -> None:
    before = AuditLog.objects.count()
    clear = services.resident_reveal_pii(actor=world.city.bob, resident=world.resident_a)
    assert clear == {"id_number": ID_A, "phone": PHONE_A, "birth_date": "1980-01-01"}
    row = AuditLog.objects.latest("id")
    assert AuditLog.objects.count() == before + 1
    assert row.verb == Verb.RESIDENT_PII_VIEWED == "registry.resident_pii_viewed"
    assert row.actor_id == world.city.bob.pk
    assert (row.target_type, row.target_id) == ("registry.resident", str(world.resident_a.pk))
    assert row.node_path == world.city.grid_a1_1.path
    assert ID_A not in str(row.after)

    client.force_login(world.city.bob)
    api = client.post(f"/api/v1/registry/residents/{world.resident_a.pk}/reveal")
    assert api.status_code == 200
    assert api.json() == {"id_number": ID_A, "phone": PHONE_A, "birth_date": "1980-01-01"}
    page = client.post(f"/registry/residents/{world.resident_a.pk}/reveal/")
    assert page.status_code == 200 and ID_A in page.content.decode()
    assert AuditLog.objects.filter(verb=Verb.RESIDENT_PII_VIEWED).count() == 3


def test_the_leader_may_not_reveal_and_changes_nothing_but_the_refusal_rows(
    world: World, client: Client
) -> None:
    before = db_state()
    with pytest.raises(PermissionDenied):
        services.resident_reveal_pii(actor=world.city.dave, resident=world.resident_a)
    client.force_login(world.city.dave)
    api = client.post(f"/api/v1/registry/residents/{world.resident_a.pk}/reveal")
    assert api.status_code == 403 and api.json()["code"] == "forbidden"
    assert ID_A not in api.content.decode()
    page = client.post(f"/registry/residents/{world.resident_a.pk}/reveal/")
    assert page.status_code == 403 and "无权" in page.content.decode()
    detail = client.get(f"/registry/residents/{world.resident_a.pk}/").content.decode()
    assert "查看完整信息" not in detail  # no reveal button for the leader
    refused = AuditLog.objects.filter(verb=Verb.RESIDENT_PII_REFUSED)
    assert refused.count() == 2  # the API's and the page's attempts (test_regpiifix_pii)
    assert db_state_but(Verb.RESIDENT_PII_REFUSED) == before


def test_the_grid_worker_sees_the_reveal_button_for_her_grid(world: World, client: Client) -> None:
    client.force_login(world.city.alice)
    assert "查看完整信息" in client.get(f"/registry/residents/{world.resident_a.pk}/").content.decode()


def test_organisation_contact_phone_is_revealed_with_audit(world: World, client: Client) -> None:
    client.force_login(world.city.bob)
    response = client.post(f"/registry/organisations/{world.organisation_a.pk}/reveal/")
    assert response.status_code == 200 and "13700000001" in response.content.decode()
    row = AuditLog.objects.latest("id")
    assert row.verb == Verb.ORGANISATION_PII_VIEWED and row.actor_id == world.city.bob.pk
    stored = Organisation.objects.get(pk=world.organisation_a.pk)
    assert stored.contact_phone_masked == "137****0001"


def test_a_resident_without_id_number_has_empty_protected_fields(world: World) -> None:
    resident = services.resident_create(actor=world.city.bob, node=world.city.grid_a1_1, name="无证件")
    stored = Resident.objects.get(pk=resident.pk)
    assert stored.id_number_enc == stored.id_number_hash == stored.id_number_masked == ""
    assert services.resident_reveal_pii(actor=world.city.bob, resident=stored) == {
        "id_number": "",
        "phone": "",
        "birth_date": "",
    }
