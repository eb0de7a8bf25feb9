"""The security administrator's add-account page is Chinese throughout (Django's own
catalogue leaves its hint in English: ours translates it)."""

from django.test import Client

from civicgrid.conftest import City


def test_the_add_account_page_has_no_english_hint(city: City, client: Client) -> None:
    client.force_login(city.secadmin)
    page = client.get("/admin/accounts/user/add/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "After you" not in html
    assert "创建账号后，可以继续编辑该账号的其他信息" in html
