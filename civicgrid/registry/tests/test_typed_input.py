"""What staff type is normalised as the imports normalise it: full-width characters, +86,
dashes, a small x. The registry stores one form, and its search finds it however it is typed."""

import pytest
from django.test import Client

from civicgrid.conftest import City
from civicgrid.core import crypto
from civicgrid.core.errors import ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.registry import selectors, services
from civicgrid.registry.constants import Verb
from civicgrid.registry.tests.factories import (
    CHINESE,
    ID_A,
    PHONE_A,
    World,
    db_state,
    db_state_but,
    make_credit_code,
    make_id_number,
)

WIDE = str.maketrans("0123456789X-", "０１２３４５６７８９Ｘ－")


def wide(value: str) -> str:
    """The value as a full-width input method types it."""
    return value.translate(WIDE)


@pytest.mark.parametrize(
    "q",
    [
        "138-1234-0001",
        "+86 13812340001",
        "+86 138 1234 0001",
        wide(PHONE_A),
        " ＋８６ １３８１２３４０００１ ",
    ],
)
def test_bob_finds_liu_by_a_phone_typed_any_way(world: World, q: str) -> None:
    assert list(selectors.resident_search(world.city.bob, q=q)) == [world.resident_a]


@pytest.mark.parametrize("q", [ID_A.lower(), wide(ID_A), f"{ID_A[:6]} {ID_A[6:14]} {ID_A[14:]}"])
def test_bob_finds_liu_by_an_id_number_typed_any_way(world: World, q: str) -> None:
    assert list(selectors.resident_search(world.city.bob, q=q)) == [world.resident_a]


def test_bob_finds_zhou_by_an_id_number_ending_in_a_small_or_full_width_x(city: City) -> None:
    id_number = make_id_number("32021319700107006")
    assert id_number.endswith("X")
    zhou = services.resident_create(actor=city.alice, node=city.grid_a1_1, name="周桂兰", id_number=id_number)
    for q in (id_number.lower(), wide(id_number), wide(id_number).replace("Ｘ", "ｘ")):
        assert list(selectors.resident_search(city.bob, q=q)) == [zhou]


def test_a_name_search_still_finds_by_part_of_the_name(world: World) -> None:
    assert list(selectors.resident_search(world.city.bob, q="胜利")) == [world.resident_a]


def test_the_api_search_normalises_too(world: World, client: Client) -> None:
    client.force_login(world.city.bob)
    body = client.get("/api/v1/registry/residents", {"q": "+86 138-1234-0001"}).json()
    assert [r["id"] for r in body["results"]] == [world.resident_a.pk]


def test_a_resident_typed_in_full_width_is_stored_as_ascii(city: City) -> None:
    id_number = make_id_number("32021319650712002")
    resident = services.resident_create(
        actor=city.alice,
        node=city.grid_a1_1,
        name="王秀英",
        id_number=wide(id_number),
        phone="+86 138-0013-8000",
    )
    assert crypto.decrypt(resident.id_number_enc) == id_number
    assert resident.id_number_hash == crypto.blind_index(id_number)
    assert crypto.decrypt(resident.phone_enc) == "13800138000"
    assert resident.phone_masked == "138****8000"
    assert list(selectors.resident_search(city.bob, q="13800138000")) == [resident]


def test_a_full_width_copy_of_a_registered_id_number_is_a_duplicate(world: World) -> None:
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        services.resident_create(
            actor=world.city.bob, node=world.city.grid_a1_1, name="刘胜", id_number=wide(ID_A)
        )
    assert refused.value.errors == {"id_number": ["该身份证号已登记"]}
    # The refusal is an audited ID search (test_regpiifix_pii).
    assert AuditLog.objects.filter(verb=Verb.RESIDENT_PII_SEARCHED).count() == 1
    assert db_state_but(Verb.RESIDENT_PII_SEARCHED) == before


def test_bob_updates_a_phone_typed_with_brackets_and_spaces(world: World) -> None:
    resident = services.resident_update(
        actor=world.city.bob, resident=world.resident_a, phone="(0510) 8234 5678"
    )
    assert crypto.decrypt(resident.phone_enc) == "0510-82345678"
    assert resident.phone_masked == "0510****5678"


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("phone", "138****0001", "电话号码"),
        ("phone", "1381234", "电话号码"),
        ("id_number", "３２０２１３", "身份证号"),
    ],
)
def test_bad_numbers_are_still_refused_by_field_in_chinese(
    city: City, field: str, value: str, words: str
) -> None:
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        if field == "phone":
            services.resident_create(actor=city.bob, node=city.grid_a1_1, name="赵明", phone=value)
        else:
            services.resident_create(actor=city.bob, node=city.grid_a1_1, name="赵明", id_number=value)
    (reason,) = refused.value.errors[field]
    assert words in reason and CHINESE.search(reason)
    assert db_state() == before


def test_an_organisation_typed_in_full_width_is_stored_as_ascii(city: City) -> None:
    code = make_credit_code(7)
    org = services.organisation_create(
        actor=city.bob,
        node=city.grid_a1_1,
        name="胜利门理发店",
        kind="shop",
        credit_code=" " + wide(code).lower() + " ",
        contact_phone="０５１０－８２３４５６７８",
    )
    assert org.credit_code == code
    assert crypto.decrypt(org.contact_phone_enc) == "0510-82345678"
    assert org.contact_phone_masked == "0510****5678"


def test_a_full_width_copy_of_a_registered_credit_code_is_a_duplicate(world: World) -> None:
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        services.organisation_create(
            actor=world.city.bob,
            node=world.city.grid_a1_1,
            name="胜利门便民超市二店",
            kind="shop",
            credit_code=wide(world.organisation_a.credit_code),
        )
    assert refused.value.errors == {"credit_code": ["该统一社会信用代码已登记"]}
    assert db_state() == before


def test_dwelling_and_household_codes_and_rooms_are_stored_as_ascii(city: City) -> None:
    dwelling = services.dwelling_create(
        actor=city.bob, node=city.building_a1, room="１单元３０１", use="rented", code="ｆ－００１"
    )
    assert (dwelling.room, dwelling.code) == ("1单元301", "F-001")
    household = services.household_create(
        actor=city.bob, node=city.building_a1, dwelling=dwelling, code="ｈ００１"
    )
    assert household.code == "H001"
