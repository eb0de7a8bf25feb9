"""What the masks still let through: a search by full ID number or phone confirms a guess, and
a masked ID next to the full birth date leaves few candidates. Such searches are audited and
limited per user; roles that cannot reveal PII see the birth year only."""

import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from civicgrid.core.models import AuditLog
from civicgrid.registry import selectors
from civicgrid.registry.constants import PiiKind, Verb
from civicgrid.registry.pii import PiiSearchLimited
from civicgrid.registry.tests.factories import ID_A, ID_B, PHONE_A, World, db_state

API = "/api/v1/registry/residents"


def searches() -> list[AuditLog]:
    return list(AuditLog.objects.filter(verb=Verb.RESIDENT_PII_SEARCHED).order_by("id"))


def test_an_operator_searching_by_id_number_leaves_an_audit_row_without_the_value(
    world: World, client: Client
) -> None:
    client.force_login(world.city.olivia)
    assert client.get(API, {"q": ID_A}).json()["count"] == 1
    assert client.get(API, {"q": ID_A[:-1] + ("0" if ID_A[-1] != "0" else "1")}).json()["count"] == 0
    hit, miss = searches()
    assert hit.actor == world.city.olivia and miss.actor == world.city.olivia
    label = f"{world.resident_a.name} {world.resident_a.id_number_masked}"
    targets = [{"id": world.resident_a.pk, "label": label}]  # the hit, masked (test_regpiifix_pii)
    assert hit.after == {"kind": PiiKind.ID_NUMBER, "hits": 1, "targets": targets}
    assert miss.after == {"kind": PiiKind.ID_NUMBER, "hits": 0}
    for row in (hit, miss):
        text = f"{row.before} {row.after} {row.target_id} {row.target_label}"
        assert ID_A not in text and ID_A[6:14] not in text
    assert ID_A[-4:] not in f"{miss.after} {miss.target_id} {miss.target_label}"


def test_a_community_worker_looking_up_by_phone_on_the_page_is_audited_and_finds_them(
    world: World, client: Client
) -> None:
    client.force_login(world.city.bob)
    html = client.get("/registry/residents/", {"q": PHONE_A}).content.decode()
    assert world.resident_a.name in html
    (row,) = searches()
    assert row.actor == world.city.bob and row.after is not None
    assert row.after["kind"] == PiiKind.PHONE and row.after["hits"] == 1
    assert PHONE_A not in str(row.after)


def test_a_search_by_name_is_not_counted(world: World, client: Client) -> None:
    client.force_login(world.city.olivia)
    assert client.get(API, {"q": "刘胜"}).json()["count"] == 1
    assert searches() == []


def test_past_the_limit_the_search_is_refused_and_nothing_else_happens(
    world: World, client: Client, settings: Any
) -> None:
    settings.REGISTRY_PII_SEARCH_LIMIT = 3
    client.force_login(world.city.olivia)
    for _ in range(3):
        assert client.get(API, {"q": ID_A}).status_code == 200
    before = db_state()
    refused = client.get(API, {"q": ID_B})
    assert refused.status_code == 429
    body = refused.json()
    assert body["code"] == "rate_limited" and "过于频繁" in body["message"]
    assert refused["Retry-After"] == str(settings.REGISTRY_PII_SEARCH_WINDOW_MINUTES * 60)
    assert ID_B not in str(body)
    page = client.get("/registry/residents/", {"q": PHONE_A})
    assert page.status_code == 429
    html = page.content.decode()
    assert "过于频繁" in html and world.resident_a.name not in html
    assert db_state() == before  # no search ran, no audit row was written
    # a name still finds; another user keeps their own budget
    assert client.get(API, {"q": "刘胜"}).json()["count"] == 1
    client.force_login(world.city.bob)
    assert client.get(API, {"q": ID_A}).json()["count"] == 1


def test_the_limit_holds_for_every_caller_of_the_selector(world: World, settings: Any) -> None:
    settings.REGISTRY_PII_SEARCH_LIMIT = 1
    assert selectors.resident_search(world.city.bob, q=ID_A).count() == 1
    with pytest.raises(PiiSearchLimited):
        selectors.resident_search(world.city.bob, q=PHONE_A)


def test_a_role_without_reveal_sees_the_birth_year_only(world: World, client: Client) -> None:
    born = world.resident_a.birth_date
    assert born is not None
    client.force_login(world.city.olivia)  # operator: sees the registry, cannot reveal
    listed = {r["id"]: r for r in client.get(API).json()["results"]}
    assert listed[world.resident_a.pk]["birth_date"] is None
    assert listed[world.resident_a.pk]["id_number_masked"] == world.resident_a.id_number_masked
    assert client.get(f"{API}/{world.resident_a.pk}").json()["birth_date"] is None
    for url in ("/registry/residents/", f"/registry/residents/{world.resident_a.pk}/"):
        html = client.get(url).content.decode()
        assert born.isoformat() not in html and f"{born.year}年" in html
    client.force_login(world.city.dave)  # leader: the export too
    sheet = load_workbook(io.BytesIO(client.get("/registry/residents/", {"export": "xlsx"}).content)).active
    values = [str(v) for row in sheet.iter_rows(values_only=True) for v in row]
    assert born.isoformat() not in values and f"{born.year}年" in values


def test_a_role_with_reveal_sees_the_birth_year_too(world: World, client: Client) -> None:
    """The full date is part of the audited reveal only (test_regpiifix_pii)."""
    born = world.resident_a.birth_date
    assert born is not None
    client.force_login(world.city.bob)
    listed = {r["id"]: r for r in client.get(API).json()["results"]}
    assert listed[world.resident_a.pk]["birth_date"] is None
    assert listed[world.resident_a.pk]["birth_year"] == born.year
    html = client.get(f"/registry/residents/{world.resident_a.pk}/").content.decode()
    assert born.isoformat() not in html and f"{born.year}年" in html
