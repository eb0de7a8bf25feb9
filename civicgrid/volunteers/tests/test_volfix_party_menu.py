"""The 党建专干 (party officer) may run service orders: the menu leads to them, and only there."""

import pytest
from django.test import Client

from civicgrid.accounts import services as accounts
from civicgrid.accounts.models import Role
from civicgrid.conftest import make_user
from civicgrid.volunteers.tests.conftest import People

pytestmark = pytest.mark.django_db


def test_the_party_officer_has_a_menu_entry_to_the_orders(people: People) -> None:
    c = people.city
    officer = make_user("party", "党建专干")
    accounts.role_grant(actor=None, system=True, user=officer, role=Role.PARTY_OFFICER, node=c.sub_a)
    order = people.order()
    client = Client()
    client.force_login(officer)
    home = client.get("/").content.decode()
    assert 'href="/volunteers/orders/"' in home
    assert 'href="/volunteers/"' not in home  # the overview needs VOLUNTEER_MANAGE
    listing = client.get("/volunteers/orders/")
    assert listing.status_code == 200 and order.title in listing.content.decode()
    assert client.get("/volunteers/").status_code == 403


def test_the_community_worker_keeps_one_entry(people: People) -> None:
    client = Client()
    client.force_login(people.city.bob)
    home = client.get("/").content.decode()
    assert 'href="/volunteers/"' in home and 'href="/volunteers/orders/"' not in home.split("</nav>")[0]
