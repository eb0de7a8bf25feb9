import pytest
from django.test import override_settings

from civicgrid.core import crypto


def test_encrypt_round_trip_and_random_nonce() -> None:
    a, b = crypto.encrypt("13812345678"), crypto.encrypt("13812345678")
    assert a != b  # random nonce: equal values do not look equal at rest
    assert "13812345678" not in a
    assert crypto.decrypt(a) == crypto.decrypt(b) == "13812345678"


def test_blind_index_is_stable_normalised_and_keyed() -> None:
    assert crypto.blind_index("11010519491231002x") == crypto.blind_index(" 11010519491231002X ")
    first = crypto.blind_index("13812345678")
    with override_settings(PII_HASH_KEY="another-key"):
        crypto._hash_key.cache_clear()
        assert crypto.blind_index("13812345678") != first
    crypto._hash_key.cache_clear()


def test_old_keys_still_decrypt_after_rotation() -> None:
    with override_settings(PII_KEY="old-key", PII_OLD_KEYS=[]):
        token = crypto.encrypt("secret")
    with override_settings(PII_KEY="new-key", PII_OLD_KEYS=["old-key"]):
        assert crypto.decrypt(token) == "secret"
    with override_settings(PII_KEY="new-key", PII_OLD_KEYS=[]), pytest.raises(ValueError):
        crypto.decrypt(token)


def test_masks() -> None:
    assert crypto.mask_id_number("11010519491231002X") == "110***********002X"
    assert crypto.mask_phone("13812345678") == "138****5678"
    assert crypto.mask_phone("0510-82345678") == "0510****5678"
    assert crypto.mask_name("张三丰") == "张*丰"


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+86 138-1234-5678", "138****5678"),
        ("１３８１２３４５６７８", "138****5678"),
        ("010-88888888", "010****8888"),  # Beijing: a 3-digit area code (was 0108***8888)
        ("01088888888", "010****8888"),
        ("021-12345678", "021****5678"),
        ("0510-82345678", "0510****5678"),
        ("051082345678", "0510****5678"),
        ("0851-8888888", "0851***8888"),
        ("0510-82345678-801", "0510****5678-801"),
        ("0510-82345678转801", "0510****5678-801"),
        ("010-88888888 ext. 12", "010****8888-12"),
        ("400-800-8888", "400***8888"),
        ("95588", "*****"),
    ],
)
def test_phone_masks_keep_the_area_code_and_the_last_four(phone: str, masked: str) -> None:
    assert crypto.mask_phone(phone) == masked
