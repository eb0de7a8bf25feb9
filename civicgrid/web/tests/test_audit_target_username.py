"""The audit page's 对象 filter finds an account's rows by its login name, not only by the
person's name in the row's label, which two people may share."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from civicgrid.accounts import services as accounts
from civicgrid.accounts.models import Role
from civicgrid.conftest import City

pytestmark = pytest.mark.django_db


def _targets(client: Client, target: str) -> list[tuple[str, str]]:
    response = client.get("/audit/", {"target": target, "export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    header, *rows = list(sheet.iter_rows(values_only=True))
    kind, key = header.index("对象类型"), header.index("对象编号")
    return sorted((str(r[kind]), str(r[key])) for r in rows)


def test_a_login_name_finds_the_rows_about_that_account_only(city: City) -> None:
    one = accounts.user_create(actor=city.secadmin, username="t1", password="Zx8!mnbvc", full_name="张伟")
    two = accounts.user_create(actor=city.secadmin, username="t2", password="Zx8!mnbvc", full_name="张伟")
    accounts.role_grant(actor=city.secadmin, user=one, role=Role.COMMUNITY_WORKER, node=city.comm_a1)
    client = Client()
    client.force_login(city.auditor)
    mine = _targets(client, "t1")
    assert mine and {key for _, key in mine} == {str(one.pk)}
    assert len(mine) == 2  # created, role granted
    assert {key for _, key in _targets(client, "T2")} == {str(two.pk)}
    # the person's name still finds both namesakes' rows
    assert {key for _, key in _targets(client, "张伟")} == {str(one.pk), str(two.pk)}
    # a name nobody has as a login finds nothing more than its label does
    assert _targets(client, "t3") == []
