"""A party organisation's or member's page links another organisation only when the user
may open it: a grid worker sees the grid's branch, whose parent (the community's committee)
lies outside the grid (the name without a link, where it answered 404)."""

import pytest

from civicgrid.party.tests.conftest import PartyWorld
from civicgrid.web.tests.test_links_roles import refused_links, signed_in

pytestmark = pytest.mark.django_db


def test_the_parent_organisation_links_only_for_those_who_see_it(pw: PartyWorld) -> None:
    path = f"/party/organisations/{pw.branch.pk}/"
    grid_worker = signed_in(pw.city.alice)
    assert refused_links(grid_worker, path) == {}
    page = grid_worker.get(path).content.decode()
    assert pw.committee.name in page and f"/party/organisations/{pw.committee.pk}/" not in page

    community = signed_in(pw.city.bob)
    assert refused_links(community, path) == {}
    assert f"/party/organisations/{pw.committee.pk}/" in community.get(path).content.decode()
    assert refused_links(community, f"/party/organisations/{pw.committee.pk}/") == {}
    assert refused_links(community, f"/party/members/{pw.liu.pk}/") == {}
