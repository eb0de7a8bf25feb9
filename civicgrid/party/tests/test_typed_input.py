"""Phones and credit codes typed on the party's pages and API are stored and found in one
form (core.validators.normalise_*): +86, dashes, brackets and full-width characters."""

from datetime import date

import pytest

from civicgrid.core import crypto
from civicgrid.core.errors import ValidationError
from civicgrid.party import selectors, services
from civicgrid.party.constants import MemberCategory
from civicgrid.party.tests.conftest import PartyWorld, counts
from civicgrid.party.views.common import find_resident, find_unit
from civicgrid.registry import services as registry

WIDE = str.maketrans("0123456789-", "０１２３４５６７８９－")


def test_a_member_phone_typed_with_the_country_code_is_stored_as_intake_keeps_it(pw: PartyWorld) -> None:
    member = services.member_create(
        actor=pw.city.bob,
        name="陈新党",
        category=MemberCategory.COMMUNITY,
        organisation=pw.branch,
        phone_number="+86 138-0000-1234",
    )
    assert crypto.decrypt(member.phone_enc) == "13800001234"
    assert member.phone_hash == crypto.blind_index("13800001234")
    assert member.phone_masked == "138****1234"


def test_bob_updates_zhang_phone_typed_in_full_width(pw: PartyWorld) -> None:
    member = services.member_update(
        actor=pw.city.bob, member=pw.zhang, phone_number="13900002222".translate(WIDE)
    )
    assert crypto.decrypt(member.phone_enc) == "13900002222"
    assert member.phone_hash == crypto.blind_index("13900002222")


def test_a_masked_phone_is_refused_by_field_and_nothing_changes(pw: PartyWorld) -> None:
    before = counts()
    with pytest.raises(ValidationError) as refused:
        services.member_update(actor=pw.city.bob, member=pw.zhang, phone_number="138****1111")
    (reason,) = refused.value.errors["phone"]
    assert reason.startswith("电话号码格式不正确")
    assert counts() == before
    pw.zhang.refresh_from_db()
    assert crypto.decrypt(pw.zhang.phone_enc) == "13800001111"


def test_an_agreement_contact_landline_typed_in_full_width(pw: PartyWorld) -> None:
    agreement = services.agreement_sign(
        actor=pw.city.bob,
        unit=pw.tax,
        node=pw.city.comm_a1,
        signed_on=date.today(),
        pledges_text="每季度开展一次税法宣传",
        contact_name="钱主任",
        contact_phone="（0510）8234-5678".translate(WIDE),
    )
    assert crypto.decrypt(agreement.contact_phone_enc) == "0510-82345678"
    assert agreement.contact_phone_masked == "0510****5678"


@pytest.mark.parametrize("typed", ["full-width", "lower", "spaced"])
def test_bob_finds_the_tax_office_by_its_credit_code_typed_any_way(pw: PartyWorld, typed: str) -> None:
    code = pw.tax.credit_code
    raw = {
        "full-width": code.translate(WIDE),
        "lower": code.lower(),
        "spaced": f"{code[:6]} {code[6:12]} {code[12:]}",
    }[typed]
    assert find_unit(pw.city.bob, raw) == pw.tax
    assert selectors.unit_lookup(pw.city.bob, credit_code=raw) == pw.tax


def test_bob_finds_a_resident_by_a_phone_typed_with_dashes(pw: PartyWorld) -> None:
    zhao = registry.resident_create(
        actor=pw.city.bob, node=pw.city.grid_a1_1, name="赵明", phone="13700007777"
    )
    assert find_resident(pw.city.bob, "137-0000-7777", "resident") == zhao
    assert find_resident(pw.city.bob, "+86 13700007777", "resident") == zhao
