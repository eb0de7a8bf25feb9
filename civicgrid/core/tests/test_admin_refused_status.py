"""A form of the Django admin sent back with errors answers 422, as the product's own pages
do (``core.admin_audit.RefusedFormStatus``): adding an account with mismatched passwords,
setting another account's password with mismatched fields, a token for nobody. Nothing is
written; the same forms filled in right still answer 302."""

import pytest
from django.test import Client

from civicgrid.accounts.models import ApiToken, User
from civicgrid.conftest import City

pytestmark = pytest.mark.django_db

CHOSEN = "Secadmin-chose-4471"


def _secadmin(city: City) -> Client:
    client = Client()
    client.force_login(city.secadmin)
    return client


def _new_account(password2: str) -> dict[str, str]:
    return {
        "username": "hank",
        "full_name": "韩军",
        "password1": CHOSEN,
        "password2": password2,
        "usable_password": "true",
        "role_assignments-TOTAL_FORMS": "0",
        "role_assignments-INITIAL_FORMS": "0",
    }


def test_a_refused_add_form_is_422_and_the_right_one_302(city: City) -> None:
    client = _secadmin(city)
    refused = client.post("/admin/accounts/user/add/", _new_account("Something-else-1234"))
    assert refused.status_code == 422 and "errornote" in refused.content.decode()
    assert not User.objects.filter(username="hank").exists()
    assert client.post("/admin/accounts/user/add/", _new_account(CHOSEN)).status_code == 302


def test_a_refused_password_set_is_422_and_changes_nothing(city: City) -> None:
    client = _secadmin(city)
    before = User.objects.get(pk=city.bob.pk).password
    url = f"/admin/accounts/user/{city.bob.pk}/password/"
    refused = client.post(url, {"password1": CHOSEN, "password2": "Other-pw-9876", "usable_password": "true"})
    assert refused.status_code == 422
    assert User.objects.get(pk=city.bob.pk).password == before
    done = client.post(url, {"password1": CHOSEN, "password2": CHOSEN, "usable_password": "true"})
    assert done.status_code == 302 and User.objects.get(pk=city.bob.pk).password != before


def test_a_refused_token_is_422(city: City) -> None:
    refused = _secadmin(city).post("/admin/accounts/apitoken/add/", {"username": "nobody", "name": "对接"})
    assert refused.status_code == 422 and "nobody" in refused.content.decode()
    assert not ApiToken.objects.exists()
