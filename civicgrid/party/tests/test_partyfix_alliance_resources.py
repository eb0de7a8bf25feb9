"""An alliance's member units offer their resources to the alliance's communities: a worker
of a community in the alliance (or under a subdistrict's alliance) sees them on 资源清单 and
gets them as suggestions for a need, though they are registered under other nodes; workers
outside the alliance still do not, and a unit that left stops offering them."""

from datetime import date

import pytest
from django.urls import reverse

from civicgrid.party import selectors, services
from civicgrid.party.constants import AllianceLevel, ResourceKind
from civicgrid.party.models import Alliance, AllianceMember, Resource
from civicgrid.party.tests.conftest import PartyWorld
from civicgrid.party.tests.test_alliances import need
from civicgrid.party.tests.test_pages import client_for

pytestmark = pytest.mark.django_db


def shop_resource(pw: PartyWorld) -> Resource:
    """A venue of 通江便民超市, registered in B1 (carol's), close to the need of A1."""
    return Resource.objects.create(
        node=pw.city.grid_b1_1,
        node_path=pw.city.grid_b1_1.path,
        unit=pw.shop_b,
        kind=ResourceKind.VENUE,
        title="超市二楼活动室",
        lon=120.306,
        lat=31.575,
    )


def test_a_community_alliance_shares_its_units_resources(pw: PartyWorld) -> None:
    venue = shop_resource(pw)
    item = need(pw, wanted_kinds=[ResourceKind.VENUE])
    assert venue not in selectors.resources_visible(pw.city.bob)
    assert selectors.resources_suggest(pw.city.bob, item) == []
    row = services.alliance_create(actor=pw.city.bob, node=pw.city.comm_a1, name="胜利门红色联盟")
    membership = services.alliance_unit_join(
        actor=pw.city.bob, alliance=row, unit=pw.shop_b, joined_on=date.today()
    )
    assert venue in selectors.resources_visible(pw.city.bob)
    assert [s.resource for s in selectors.resources_suggest(pw.city.bob, item)] == [venue]
    page = client_for(pw.city.bob).get(reverse("party:resources")).content.decode()
    assert "超市二楼活动室" in page
    # Listed to match needs, but withdrawn only where it was registered.
    assert reverse("party:resource_withdraw", args=[venue.pk]) not in page
    # Carol (B1) still sees it as her own, nothing of A1's.
    own = resource_a1(pw)
    assert venue in selectors.resources_visible(pw.city.carol)
    assert own not in selectors.resources_visible(pw.city.carol)
    services.alliance_unit_leave(actor=pw.city.bob, membership=membership, left_on=date.today())
    assert venue not in selectors.resources_visible(pw.city.bob)


def resource_a1(pw: PartyWorld) -> Resource:
    return services.resource_create(
        actor=pw.city.bob,
        node=pw.city.grid_a1_1,
        unit=pw.tax,
        data=services.ResourceIn(kind=ResourceKind.FUNDS, title="税务局资金", lon=120.305, lat=31.575),
    )


def test_a_subdistrict_alliance_shares_with_its_communities(pw: PartyWorld) -> None:
    venue = shop_resource(pw)
    c = pw.city
    row = Alliance.objects.create(
        node=c.sub_a, node_path=c.sub_a.path, name="街道红色联盟", level=AllianceLevel.SUBDISTRICT
    )
    AllianceMember.objects.create(
        node=c.sub_a, node_path=c.sub_a.path, alliance=row, unit=pw.shop_b, joined_on=date.today()
    )
    # bob's community lies under the subdistrict: its alliance is his communities' too.
    assert venue in selectors.resources_visible(c.bob)
    # alice (grid A1-1) is under it too; carol's B1 is not, but the venue is hers anyway.
    assert venue in selectors.resources_visible(c.alice)
    own = resource_a1(pw)
    assert own not in selectors.resources_visible(c.carol)
    row.is_active = False
    row.save(update_fields=["is_active"])
    assert venue not in selectors.resources_visible(c.bob)
