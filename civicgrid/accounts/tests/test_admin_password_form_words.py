"""The security administrator's 设置密码 page speaks Chinese throughout: Django's own form
ends its help with an English sentence it never translates ("If disabled, the current
password for this user will be lost."), and speaks of single sign-on civicgrid lacks."""

import pytest
from django.test import Client

from civicgrid.conftest import City

pytestmark = pytest.mark.django_db


def test_the_password_page_has_no_english_help(city: City) -> None:
    admin = Client()
    admin.force_login(city.secadmin)
    page = admin.get(f"/admin/accounts/user/{city.bob.pk}/password/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "If disabled" not in body and "Single Sign-On" not in body
    assert "停用后，该账号当前的密码将被清除" in body and "本系统没有其他登录方式" in body
