"""What people type into an ID number or phone field, in the one form that is stored and
blind-indexed (core.validators.normalise_*)."""

import pytest

from civicgrid.core import crypto
from civicgrid.core.validators import (
    fold,
    is_masked,
    normalise_credit_code,
    normalise_id_number,
    normalise_phone,
    phone_input_problem,
    phone_problem,
)


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("13800138000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("+8613800138000", "13800138000"),
        ("0086 13800138000", "13800138000"),
        ("86-13800138000", "13800138000"),
        ("8613800138000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("138.0013.8000", "13800138000"),
        ("１３８００１３８０００", "13800138000"),
        ("13800138000\u200b", "13800138000"),
        ("(0851)8888888", "0851-8888888"),
        ("（0851）8888888", "0851-8888888"),
        ("0851-88888888", "0851-88888888"),
        ("0851 8888888", "0851-8888888"),
        ("08518888888", "0851-8888888"),
        ("０５１０－１２３４５６７８", "0510-12345678"),
        ("01088888888", "010-88888888"),
        ("021-12345678", "021-12345678"),
        ("+86 851 8888888", "0851-8888888"),
        ("+86-10-88888888", "010-88888888"),
    ],
)
def test_phones_have_one_canonical_form(typed: str, canonical: str) -> None:
    assert normalise_phone(typed) == canonical
    assert phone_problem(canonical) is None
    # The blind index of the canonical form is the one a search typed with dashes finds.
    assert crypto.blind_index(canonical) == crypto.blind_index(canonical.replace("-", ""))


@pytest.mark.parametrize(
    "typed", ["", "12345", "138****5678", "400-800-8888", "0510-12345678-801", "1380013800", "+86", "电话"]
)
def test_what_is_no_phone_has_no_canonical_form(typed: str) -> None:
    assert normalise_phone(typed) is None


def test_id_numbers_and_credit_codes_fold_to_ascii_capitals() -> None:
    assert normalise_id_number(" ３２０２１３ １９９００３０７１２３ｘ\ufeff") == "32021319900307123X"
    assert normalise_credit_code("９１３２０２１３ｍａ１Ｐ２Ｑ３Ｒ４Ｘ") == "91320213MA1P2Q3R4X"
    assert fold("\u00a0ＡＢＣ－１２\u200b ") == "ABC-12"
    assert fold("胜利门社区") == "胜利门社区"


def test_look_alike_digits_are_not_folded_into_a_real_number() -> None:
    """An outside tester typed 139²0004444: it was stored as 13920004444, a number the caller
    never gave. Only full-width forms fold; superscripts and circled digits are refused."""
    assert normalise_phone("１３９００００４４４４") == "13900004444"
    for typed in ("139²0004444", "139①0004444", "13⁹00004444"):
        assert normalise_phone(typed) is None, typed
    assert fold("²") == "²" and fold("\u3000ＡＢ\u3000") == "AB"


def test_masked_values_are_recognised() -> None:
    assert is_masked("110***********1234") and is_masked("138＊＊＊＊5678")
    assert not is_masked("11010519491231002X")


@pytest.mark.parametrize(
    "typed", ["+86 138 0013 8000", "138-0013-8000", "１３８００１３８０００", "(0851)8888888"]
)
def test_a_phone_typed_any_common_way_is_accepted(typed: str) -> None:
    assert phone_input_problem(typed) is None


@pytest.mark.parametrize("typed", ["1234", "138****5678", "0510-12345678-801", "电话"])
def test_what_is_no_phone_is_refused_in_chinese_naming_the_phone(typed: str) -> None:
    assert (phone_input_problem(typed) or "").startswith("电话号码格式不正确")
