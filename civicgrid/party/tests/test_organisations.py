"""The organisation tree, members, the 1+10+N links and visits to needy members."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from civicgrid.core.errors import PermissionDenied, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.party import selectors, services
from civicgrid.party.constants import HUB_MAX_MEMBERS, MemberCategory, OrgKind, Sector, Verb
from civicgrid.party.models import HubLink, PartyMember, PartyOrganisation
from civicgrid.party.tests.conftest import PartyWorld, counts
from civicgrid.registry import services as registry

pytestmark = pytest.mark.django_db


def test_the_four_level_chain_hangs_on_the_territory(pw: PartyWorld) -> None:
    assert pw.branch.parent == pw.committee and pw.group.parent == pw.branch and pw.hub.parent == pw.group
    assert pw.hub.name == "刘中心党员中心户"
    assert pw.committee.code.startswith(pw.city.comm_a1.code + "D")
    assert pw.tax_org.node == pw.tax.node  # a unit's organisation sits where the unit is
    rows = selectors.org_tree(pw.city.bob)
    assert [(r.org.name, r.depth) for r in rows] == [
        ("胜利门社区大党委", 0),
        ("胜利门一网格党支部", 1),
        ("1号楼党小组", 2),
        ("刘中心党员中心户", 3),
    ]
    assert AuditLog.objects.filter(verb=Verb.ORG_CREATED).count() == 6


def test_a_branch_must_stand_under_a_committee_on_its_grid(pw: PartyWorld) -> None:
    c = pw.city
    before = counts()
    with pytest.raises(ValidationError) as caught:
        services.party_org_create(
            actor=c.bob, kind=OrgKind.GRID_BRANCH, name="错挂支部", node=c.grid_a1_2, parent=pw.group
        )
    assert "上级只能是" in caught.value.errors["parent"][0]
    with pytest.raises(ValidationError) as caught:
        services.party_org_create(
            actor=c.bob, kind=OrgKind.GRID_BRANCH, name="错位支部", node=c.comm_a1, parent=pw.committee
        )
    assert "网格党支部应建在" in caught.value.errors["node"][0]
    assert counts() == before


def test_dedicated_branches_name_their_sector(pw: PartyWorld) -> None:
    c = pw.city
    with pytest.raises(ValidationError) as caught:
        services.party_org_create(
            actor=c.bob, kind=OrgKind.DEDICATED_BRANCH, name="物业支部", node=c.grid_a1_2, parent=pw.committee
        )
    assert "sector" in caught.value.errors
    branch = services.party_org_create(
        actor=c.bob,
        kind=OrgKind.DEDICATED_BRANCH,
        name="胜利门物业党支部",
        node=c.grid_a1_2,
        parent=pw.committee,
        sector=Sector.PROPERTY_COMPANY,
    )
    assert branch.get_sector_display() == "物业服务企业"


def test_the_outsider_cannot_build_in_another_community(pw: PartyWorld) -> None:
    c = pw.city
    before = counts()
    with pytest.raises(PermissionDenied):
        services.party_org_create(
            actor=c.carol, kind=OrgKind.GRID_BRANCH, name="越界支部", node=c.grid_a1_2, parent=pw.committee
        )
    with pytest.raises(PermissionDenied):
        services.member_create(
            actor=c.carol, name="越界", category=MemberCategory.COMMUNITY, organisation=pw.branch
        )
    assert counts() == before
    assert not selectors.orgs_visible(c.carol).filter(node_path__startswith=c.comm_a1.path).exists()
    assert not selectors.members_visible(c.carol).exists()


def test_member_rules_by_category(pw: PartyWorld) -> None:
    c = pw.city
    before = counts()
    with pytest.raises(ValidationError) as caught:
        services.member_create(
            actor=c.bob, name="错登", category=MemberCategory.IN_SERVICE, organisation=pw.branch
        )
    assert "工作单位的党组织" in caught.value.errors["organisation"][0]
    with pytest.raises(ValidationError) as caught:
        services.member_create(
            actor=c.bob,
            name="群众",
            category=MemberCategory.COMMUNITY,
            organisation=pw.branch,
            political_status="masses",
        )
    assert "political_status" in caught.value.errors
    with pytest.raises(ValidationError) as caught:
        services.member_create(
            actor=c.bob,
            name="重复",
            category=MemberCategory.COMMUNITY,
            organisation=pw.branch,
            resident=pw.liu_resident,
        )
    assert "已登记为党员" in caught.value.errors["resident"][0]
    with pytest.raises(ValidationError):
        services.member_create(
            actor=c.bob,
            name="未来",
            category=MemberCategory.COMMUNITY,
            organisation=pw.branch,
            join_date=timezone.localdate() + timedelta(days=1),
        )
    assert counts() == before
    assert pw.zhang.employer == pw.tax and pw.zhang.home_node == c.building_a1
    assert pw.zhang.phone_masked == "138****1111"


def test_members_who_live_here_are_seen_here(pw: PartyWorld) -> None:
    c = pw.city
    # A community worker of B1 sees the tax office's member who lives in B1.
    services.member_update(actor=c.bob, member=pw.li, home_node=c.grid_b1_1)
    assert list(selectors.members_visible(c.carol)) == [pw.li]
    assert selectors.member_get(c.carol, pw.li.pk) == pw.li
    # Alice (grid A1-1) sees the rider living on her grid, not the tax office's members elsewhere.
    assert set(selectors.members_visible(c.alice)) == {pw.liu, pw.zhang, pw.rider}


def test_a_hub_links_about_ten_members(pw: PartyWorld) -> None:
    c = pw.city
    link = services.hub_link(actor=c.bob, hub=pw.hub, member=pw.zhang)
    assert link.node == pw.hub.node
    with pytest.raises(ValidationError):
        services.hub_link(actor=c.bob, hub=pw.hub, member=pw.zhang)
    with pytest.raises(ValidationError):  # not a party member
        services.hub_link(actor=c.bob, hub=pw.hub, member=pw.rider)
    for n in range(HUB_MAX_MEMBERS - 1):
        member = services.member_create(
            actor=c.bob, name=f"党员{n}", category=MemberCategory.COMMUNITY, organisation=pw.group
        )
        services.hub_link(actor=c.bob, hub=pw.hub, member=member)
    extra = services.member_create(
        actor=c.bob, name="多一个", category=MemberCategory.COMMUNITY, organisation=pw.group
    )
    with pytest.raises(ValidationError) as caught:
        services.hub_link(actor=c.bob, hub=pw.hub, member=extra)
    assert "不超过" in caught.value.errors["hub"][0]
    assert HubLink.objects.filter(hub=pw.hub).count() == HUB_MAX_MEMBERS
    with pytest.raises(PermissionDenied):
        services.hub_unlink(actor=c.carol, link=link)
    services.hub_unlink(actor=c.bob, link=link)
    assert not HubLink.objects.filter(pk=link.pk).exists()


def test_members_keep_in_touch_with_residents(pw: PartyWorld) -> None:
    c = pw.city
    services.contact_link(actor=c.bob, member=pw.zhang, resident=pw.wang)
    with pytest.raises(ValidationError):
        services.contact_link(actor=c.bob, member=pw.zhang, resident=pw.wang)
    before = counts()
    with pytest.raises(PermissionDenied):
        services.contact_link(actor=c.bob, member=pw.zhang, resident=pw.sun)  # sun is carol's
    with pytest.raises(PermissionDenied):
        services.contact_link(actor=c.carol, member=pw.zhang, resident=pw.sun)  # zhang is not hers
    assert counts() == before


def test_visits_to_needy_members(pw: PartyWorld) -> None:
    c = pw.city
    needy_r = registry.resident_create(
        actor=c.bob, node=c.building_a1, name="困难党员甲", tags=["needy_party_member"]
    )
    needy = services.member_create(
        actor=c.bob, name="", category=MemberCategory.COMMUNITY, organisation=pw.group, resident=needy_r
    )
    assert needy.is_needy
    visit = services.needy_visit_record(
        actor=c.alice,
        member=needy,
        visited_on=date.today(),
        content="送去慰问金，了解身体情况",
        help_given="慰问金500元",
    )
    assert visit.visitor_name == "王丽" and visit.node == c.building_a1
    before = counts()
    with pytest.raises(ValidationError) as caught:
        services.needy_visit_record(actor=c.alice, member=pw.zhang, visited_on=date.today(), content="走访")
    assert "困难党员" in caught.value.errors["member_id"][0]
    with pytest.raises(PermissionDenied):
        services.needy_visit_record(actor=c.carol, member=needy, visited_on=date.today(), content="越界走访")
    with pytest.raises(ValidationError):
        services.needy_visit_record(actor=c.bob, member=needy, visited_on=date.today(), content=" ")
    assert counts() == before
    assert list(selectors.visits_visible(c.alice)) == [visit]
    assert not selectors.visits_visible(c.carol).exists()


def test_an_organisation_with_members_cannot_be_dissolved(pw: PartyWorld) -> None:
    with pytest.raises(ValidationError):
        services.party_org_update(actor=pw.city.bob, organisation=pw.group, is_active=False)
    org = services.party_org_update(actor=pw.city.bob, organisation=pw.group, secretary_name="刘中心")
    assert org.secretary_name == "刘中心"
    assert PartyOrganisation.objects.get(pk=pw.group.pk).is_active
    assert PartyMember.objects.filter(organisation=pw.group).count() == 1
