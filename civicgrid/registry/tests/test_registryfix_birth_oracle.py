"""A birth date sent for a resident with an ID number confirms nothing (regression test).

Before, a PATCH (or the edit form) with a wrong birth date was refused with "出生日期与身份证号
不一致" and the right one accepted: trying the days of a year gave the full birth date, and
with the masked ID number the number itself, without the audited reveal. Now, while the
stored ID number gives the date, any birth date sent (set or cleared) is refused with the one
answer, whatever its value; a gender other than the stored one likewise. And a change that
changes nothing writes no audit row and keeps the version. Plus the resident page's detail
table at phone width (browser test, skipped without Chromium)."""

import json
import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from civicgrid.core.models import AuditLog
from civicgrid.registry import services
from civicgrid.registry.constants import Verb
from civicgrid.registry.models import Resident
from civicgrid.registry.tests.factories import ID_A, ID_A12, World, make_id_number

API = "/api/v1/registry/residents"
REFUSED = "出生日期由身份证号确定，不能单独修改"


def patch(client: Client, resident: Resident, **body: Any) -> Any:
    version = client.get(f"{API}/{resident.pk}").json()["version"]
    return client.patch(
        f"{API}/{resident.pk}", data=json.dumps({"version": version} | body), content_type="application/json"
    )


def updates(resident: Resident) -> int:
    return AuditLog.objects.filter(verb=Verb.RESIDENT_UPDATED, target_id=str(resident.pk)).count()


def _form(resident: Resident, **overrides: Any) -> dict[str, Any]:
    r = Resident.objects.get(pk=resident.pk)
    data = {
        "node": r.node_id,
        "name": r.name,
        "residence_type": r.residence_type,
        "gender": r.gender,
        "household_code": r.household.code if r.household else "",
        "relation_to_head": r.relation_to_head,
        "note": r.note,
        "tags": [t.code for t in r.tags.all()],
        "updated_at": r.updated_at.isoformat(),
    }
    return data | overrides


# --- the API ---------------------------------------------------------------------------------


@pytest.mark.parametrize("sent", ["1980-01-01", "1980-01-02", "1980-12-31", None, "2999-01-01"])
def test_a_birth_date_sent_by_the_api_gets_one_answer_whatever_its_value(
    world: World, client: Client, sent: str | None
) -> None:
    a = world.resident_a  # ID_A: born 1980-01-01
    before = Resident.objects.get(pk=a.pk)
    client.force_login(world.city.alice)  # the grid worker: no PII view
    response = patch(client, a, birth_date=sent)
    assert response.status_code == 422, response.content
    assert response.json()["detail"] == {"birth_date": [REFUSED]}
    after = Resident.objects.get(pk=a.pk)
    assert after.updated_at == before.updated_at and after.birth_date == date(1980, 1, 1)
    assert updates(a) == 0


def test_the_right_and_a_wrong_date_answer_alike(world: World, client: Client) -> None:
    a = world.resident_a
    client.force_login(world.city.alice)
    right, wrong = patch(client, a, birth_date="1980-01-01"), patch(client, a, birth_date="1980-01-02")
    assert (right.status_code, right.json()) == (wrong.status_code, wrong.json())


def test_a_gender_other_than_the_stored_one_is_refused(world: World, client: Client) -> None:
    a = world.resident_a  # ID_A's 17th digit 1: male
    assert Resident.objects.get(pk=a.pk).gender == "male"
    client.force_login(world.city.alice)
    for gender in ("female", "unknown"):
        response = patch(client, a, gender=gender)
        assert response.status_code == 422, response.content
        assert response.json()["detail"] == {"gender": ["性别由身份证号确定，不能单独修改"]}
    assert Resident.objects.get(pk=a.pk).gender == "male"
    assert patch(client, a, gender="male").status_code == 200  # the stored one: no change


def test_a_birth_date_with_a_new_id_number_is_checked_against_it(world: World, client: Client) -> None:
    a = world.resident_a
    client.force_login(world.city.bob)
    new_id = make_id_number("32021319750303001")
    refused = patch(client, a, id_number=new_id, birth_date="1975-03-04")
    assert refused.status_code == 422
    assert refused.json()["detail"] == {"birth_date": ["出生日期与身份证号不一致（以身份证号为准）"]}
    assert patch(client, a, id_number=new_id, birth_date="1975-03-03").status_code == 200
    assert Resident.objects.get(pk=a.pk).birth_date == date(1975, 3, 3)


def test_without_an_id_number_the_birth_date_is_still_editable(world: World, client: Client) -> None:
    c = world.city
    r = services.resident_create(actor=c.bob, node=c.grid_a1_1, name="无证人", birth_date=date(1977, 5, 6))
    client.force_login(c.alice)
    assert patch(client, r, birth_date="1977-05-07").status_code == 200
    assert Resident.objects.get(pk=r.pk).birth_date == date(1977, 5, 7)
    assert patch(client, r, birth_date=None).status_code == 200
    assert Resident.objects.get(pk=r.pk).birth_date is None
    future = (date.today() + timedelta(days=2)).isoformat()
    assert patch(client, r, birth_date=future).json()["detail"] == {"birth_date": ["出生日期不能晚于今天"]}


# --- a change that changes nothing -------------------------------------------------------------


def test_a_patch_that_changes_nothing_keeps_the_version_and_writes_no_audit_row(
    world: World, client: Client
) -> None:
    a = Resident.objects.get(pk=world.resident_a.pk)
    client.force_login(world.city.bob)
    version = client.get(f"{API}/{a.pk}").json()["version"]
    same = {"name": a.name, "gender": a.gender, "residence_type": a.residence_type, "note": a.note}
    response = patch(client, a, **same, tags=[t.code for t in a.tags.all()])
    assert response.status_code == 200, response.content
    assert response.json()["version"] == version
    assert Resident.objects.get(pk=a.pk).updated_at == a.updated_at
    assert updates(a) == 0
    # A real change still bumps the version and is audited.
    changed = patch(client, a, note="新备注")
    assert changed.status_code == 200 and changed.json()["version"] != version
    assert updates(a) == 1


def test_a_typed_id_number_equal_to_the_stored_one_counts_as_a_change(world: World, client: Client) -> None:
    """Else "nothing changed" would confirm a guessed number."""
    a = world.resident_a
    client.force_login(world.city.bob)
    version = client.get(f"{API}/{a.pk}").json()["version"]
    response = patch(client, a, id_number=ID_A)
    assert response.status_code == 200 and response.json()["version"] != version
    assert updates(a) == 1


def test_the_service_returns_the_unchanged_record_without_a_save(world: World) -> None:
    a = Resident.objects.get(pk=world.resident_a12.pk)
    kept = services.resident_update(actor=world.city.bob, resident=a, name=a.name, household=a.household)
    assert kept.updated_at == a.updated_at and updates(a) == 0
    assert kept.id_number_masked.endswith(ID_A12[-4:])


# --- the edit form ---------------------------------------------------------------------------


def test_the_form_of_a_resident_with_an_id_number_offers_no_birth_date(world: World, client: Client) -> None:
    a = world.resident_a
    client.force_login(world.city.alice)
    page = client.get(f"/registry/residents/{a.pk}/edit/").content.decode()
    assert 'name="birth_date"' not in page and 'name="clear_birth_date"' not in page
    assert "出生日期 1980年，由身份证号确定，不能单独修改" in page
    # no full date anywhere (the form's hidden updated_at holds a date of its own: left out)
    page = re.sub(r'name="updated_at" value="[^"]*"', "", page)
    assert "1980-01-01" not in page and "01-01" not in page


TYPED = [{"birth_date": "1980-01-01"}, {"birth_date": "1980-01-02"}, {"clear_birth_date": "1"}]


@pytest.mark.parametrize("typed", TYPED)
def test_a_birth_date_posted_by_the_form_is_refused_whatever_its_value(
    world: World, client: Client, typed: dict[str, str]
) -> None:
    a = world.resident_a
    before = Resident.objects.get(pk=a.pk)
    client.force_login(world.city.alice)
    response = client.post(f"/registry/residents/{a.pk}/edit/", _form(a, note="改了", **typed))
    assert response.status_code == 422
    assert REFUSED in response.content.decode()
    after = Resident.objects.get(pk=a.pk)
    assert after.updated_at == before.updated_at and after.note == before.note
    assert after.birth_date == before.birth_date
    assert updates(a) == 0


def test_the_form_saved_unchanged_writes_nothing(world: World, client: Client) -> None:
    a = world.resident_a
    before = Resident.objects.get(pk=a.pk)
    client.force_login(world.city.alice)
    response = client.post(f"/registry/residents/{a.pk}/edit/", _form(a), follow=True)
    assert response.status_code == 200
    assert "的信息没有修改" in response.content.decode()
    assert Resident.objects.get(pk=a.pk).updated_at == before.updated_at
    assert updates(a) == 0
    client.post(f"/registry/residents/{a.pk}/edit/", _form(a, note="新备注"))
    assert updates(a) == 1
