"""The own-password page (修改密码) states the whole rule the settings enforce: at least 8
characters and at least 3 of the 4 character kinds, in the validator's own words."""

import pytest
from django.contrib.auth.password_validation import MinimumLengthValidator, get_default_password_validators
from django.test import Client

from civicgrid.accounts.validators import CharacterClassValidator
from civicgrid.conftest import City

pytestmark = pytest.mark.django_db


def test_the_hint_states_the_length_and_the_character_kinds(city: City) -> None:
    validators = get_default_password_validators()
    length = next(v.min_length for v in validators if isinstance(v, MinimumLengthValidator))
    kinds = next(v.min_classes for v in validators if isinstance(v, CharacterClassValidator))
    client = Client()
    client.force_login(city.bob)
    page = client.get("/account/password/").content.decode()
    assert f"新密码至少 {length} 位" in page
    assert f"须至少包含大写字母、小写字母、数字、符号中的 {kinds} 类" in page
