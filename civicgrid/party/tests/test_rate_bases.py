"""The unit-basis reporting rate counts members whose unit is in the area; a member seen
only because they live there is counted on the residence basis, shown apart and so labelled."""

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.party import figures, services
from civicgrid.party.constants import MemberCategory, OrgKind
from civicgrid.party.tests.conftest import PartyWorld

pytestmark = pytest.mark.django_db


def test_a_member_of_a_unit_elsewhere_who_lives_here_is_counted_where_they_live(pw: PartyWorld) -> None:
    c = pw.city
    shop_org = services.party_org_create(
        actor=c.carol, kind=OrgKind.UNIT, unit=pw.shop_b, name="通江便民超市党支部"
    )
    services.member_create(
        actor=c.carol,
        name="周外单位",
        category=MemberCategory.IN_SERVICE,
        organisation=shop_org,
        home_node=c.building_a1,
    )
    # bob's unit basis: the tax office's two members; 周外单位's unit is in B1
    area = figures.area_rate(c.bob)
    assert (area.reported, area.total) == (0, 2)
    # bob's residence basis: zhang and 周外单位 live in A1 (li's home is unknown)
    home = figures.home_rate(c.bob)
    assert (home.reported, home.total) == (0, 2)
    # carol's unit basis counts 周外单位 (the unit is hers), not where he lives
    assert figures.area_rate(c.carol).total == 1 and figures.home_rate(c.carol).total == 0
    bob = Client()
    bob.force_login(c.bob)
    page = bob.get(reverse("party:reporting")).content.decode()
    assert "单位口径：所在单位在本辖区的 0/2" in page
    assert "居住地口径：居住在本辖区的 0/2" in page
