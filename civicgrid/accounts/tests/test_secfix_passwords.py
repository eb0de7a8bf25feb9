"""Password rules (等保2.0 口令复杂度): at least 8 characters and 3 of upper case, lower case,
digits and symbols, wherever a person chooses one; the demo's published password stays."""

from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.test import Client

from civicgrid.accounts import services as accounts
from civicgrid.accounts.models import User
from civicgrid.accounts.validators import CharacterClassValidator, character_classes
from civicgrid.conftest import City
from civicgrid.core.errors import ValidationError

pytestmark = pytest.mark.django_db
PASSWORD = "civicgrid-test-pw"
SIMPLE = "Zhangwei-abc"  # 3 classes


@pytest.mark.parametrize(
    ("password", "classes"),
    [("abcdefgh", 1), ("abcd1234", 2), ("abcd-efg", 2), ("Abcd1234", 3), ("abc-1234", 3), ("Ab-1234x", 4)],
)
def test_character_classes(password: str, classes: int) -> None:
    assert character_classes(password) == classes


def test_the_rule_is_one_of_the_settings_validators() -> None:
    with pytest.raises(DjangoValidationError) as exc:
        validate_password("xqzvwkpt2468")
    assert "大写字母、小写字母、数字、符号中的 3 类" in " ".join(exc.value.messages)
    validate_password("Xqzv-wkpt2468")
    CharacterClassValidator(3).validate("Xqzvwkpt2468")


def test_user_create_checks_the_password_rules(city: City) -> None:
    for weak in ("short1A", "xqzvwkpt2468", "12345678"):
        with pytest.raises(ValidationError) as exc:
            accounts.user_create(actor=city.secadmin, username="newbie", password=weak)
        assert "password" in exc.value.errors, weak
    user = accounts.user_create(actor=city.secadmin, username="newbie", password="Xqzv-wkpt2468")
    assert user.check_password("Xqzv-wkpt2468")


def test_the_demo_password_still_works_for_accounts_the_demo_makes(city: City) -> None:
    """The demo creates its logins as the system (``demo.staff.create_logins``)."""
    user = accounts.user_create(actor=None, system=True, username="demo-op", password="demo12345")
    assert user.check_password("demo12345")
    with pytest.raises(ValidationError):
        accounts.user_create(actor=None, system=True, username="demo-op2", password="short")


def _change(client: Client, old: str, new: str) -> Any:
    return client.post(
        "/account/password/", {"old_password": old, "new_password1": new, "new_password2": new}
    )


def test_the_own_password_page_refuses_a_simple_password(client: Client, city: City) -> None:
    client.force_login(city.bob)
    response = _change(client, PASSWORD, "xqzvwkpt2468")
    assert response.status_code == 422 and "3 类" in response.content.decode()
    assert User.objects.get(pk=city.bob.pk).check_password(PASSWORD)
    assert _change(client, PASSWORD, "Xqzv-wkpt2468").status_code == 302


def test_the_new_password_differs_from_the_old(client: Client, city: City) -> None:
    user = User.objects.get(pk=city.bob.pk)
    user.set_password(SIMPLE)
    user.save()
    client.force_login(user)
    response = _change(client, SIMPLE, SIMPLE)
    assert response.status_code == 422 and "新密码不能与原密码相同" in response.content.decode()
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    response = _change(client, SIMPLE, SIMPLE)
    assert response.status_code == 422 and "新密码不能与管理员设置的密码相同" in response.content.decode()
