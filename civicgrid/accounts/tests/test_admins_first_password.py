"""``civicgrid admins create``: the printed password is a first password only."""

import io
import re
from typing import Any

from django.core.management import call_command
from django.test import Client

from civicgrid.accounts.management.commands.admins import generated_password
from civicgrid.accounts.models import User
from civicgrid.accounts.validators import CharacterClassValidator


def test_a_created_administrator_must_change_the_printed_password_at_first_sign_in(db: Any) -> None:
    out = io.StringIO()
    call_command("admins", "create", stdout=out)
    passwords = dict(re.findall(r"用户名 (\S+)\t初始密码 (\S+)", out.getvalue()))
    assert set(passwords) == {"sysadmin", "secadmin", "auditor"}
    assert all(u.must_change_password for u in User.objects.filter(username__in=passwords))
    client = Client()
    signed_in = client.post("/login/", {"username": "secadmin", "password": passwords["secadmin"]})
    assert signed_in.status_code == 302
    home = client.get("/")
    assert home.status_code == 302 and home["Location"] == "/account/password/"
    page = client.get("/account/password/")
    assert page.status_code == 200


def test_a_generated_password_meets_the_password_rule() -> None:
    for _ in range(200):  # without the retry, about one in ten had no digit
        CharacterClassValidator().validate(generated_password())
