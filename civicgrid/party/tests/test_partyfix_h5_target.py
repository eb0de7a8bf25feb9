"""The member's H5 report form says which community the report will go to before it is sent
(the one of their registry entry), or that a location is needed when none is known."""

import pytest
from django.urls import reverse

from civicgrid.party.tests.conftest import PartyWorld
from civicgrid.party.tests.test_pages import client_for
from civicgrid.party.views.h5 import _target_community

pytestmark = pytest.mark.django_db


def form(pw: PartyWorld) -> str:
    page = client_for(pw.zhang_user).get(reverse("party:h5_home")).content.decode()
    start = page.index("report-form")
    return page[start : page.index("</form>", start)]


def test_the_form_names_the_community(pw: PartyWorld) -> None:
    shown = form(pw)
    assert pw.city.comm_a1.name in shown and "将向" in shown


def test_without_a_home_it_asks_for_a_location(pw: PartyWorld) -> None:
    assert _target_community(pw.li) is None  # no registry entry, home unknown
    assert _target_community(pw.liu) is None  # a community member does not report
    assert _target_community(pw.zhang) == pw.city.comm_a1
