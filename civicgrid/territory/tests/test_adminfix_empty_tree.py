"""A fresh installation has no territory yet: 区域网格 says nothing has been imported (not
that the account may see nothing, which reads like a permission problem), and shows whoever
may import the way to 数据导入."""

import pytest
from django.test import Client

from civicgrid.accounts.models import AdminRole
from civicgrid.conftest import City, make_user

pytestmark = pytest.mark.django_db


def test_an_empty_tree_says_nothing_is_imported_and_links_the_import() -> None:
    client = Client()
    client.force_login(make_user("sysadmin", "系统管理员", AdminRole.SYSTEM))
    page = client.get("/territory/").content.decode()
    assert "尚未导入任何区域" in page
    assert 'href="/exchange/imports/?kind=nodes"' in page
    assert "您的账号没有可查看的区域" not in page


def test_the_import_page_opens_with_nodes_chosen() -> None:
    client = Client()
    client.force_login(make_user("sysadmin", "系统管理员", AdminRole.SYSTEM))
    page = client.get("/exchange/imports/?kind=nodes").content.decode()
    assert '<option value="nodes" selected>' in page


def test_a_tree_with_nodes_is_shown_as_before(city: City) -> None:
    client = Client()
    client.force_login(city.olivia)
    page = client.get("/territory/").content.decode()
    assert "尚未导入任何区域" not in page
