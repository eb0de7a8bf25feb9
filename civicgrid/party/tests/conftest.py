"""The party world on top of the ``city`` fixture (胜利门社区 A1 is bob's; 通江社区 B1 is carol's).

* The chain of A1: ``committee`` (胜利门社区大党委) → ``branch`` (grid A1-1) → ``group``
  (building A1) → ``hub`` (刘中心's hub household);
* ``tax``: 梁溪区税务局 (an organ on grid A1-2) and ``tax_org``, its party organisation;
* members: ``liu`` (community member, the hub's holder), ``zhang`` (in-service member of
  the tax office who lives in building A1 and can sign in as ``zhang_user``), ``li``
  (in-service member of the tax office, home unknown), ``rider`` (a delivery rider);
* residents ``wang`` (grid A1-1) and ``sun`` (grid B1-1);
* in B1: ``committee_b`` (通江社区大党委) and ``shop_b`` (a unit of grid B1-1).
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from civicgrid.accounts.models import User
from civicgrid.conftest import City
from civicgrid.core.models import AuditLog
from civicgrid.party import models as m
from civicgrid.party import services
from civicgrid.party.constants import MemberCategory, OrgKind, Trade
from civicgrid.registry import services as registry
from civicgrid.registry.models import Organisation, Resident
from civicgrid.registry.tests.factories import make_credit_code
from civicgrid.requests.tests.conftest import hotline  # noqa: F401 - a fixture of the tests here


@dataclass
class PartyWorld:
    city: City
    committee: m.PartyOrganisation
    branch: m.PartyOrganisation
    group: m.PartyOrganisation
    hub: m.PartyOrganisation
    tax: Organisation
    tax_org: m.PartyOrganisation
    liu_resident: Resident
    zhang_resident: Resident
    wang: Resident
    sun: Resident
    liu: m.PartyMember
    zhang: m.PartyMember
    zhang_user: User
    li: m.PartyMember
    rider: m.PartyMember
    committee_b: m.PartyOrganisation
    shop_b: Organisation


def build_party_world(c: City) -> PartyWorld:
    bob, carol = c.bob, c.carol
    liu_r = registry.resident_create(actor=bob, node=c.building_a1, name="刘中心", tags=["party_member"])
    zhang_r = registry.resident_create(actor=bob, node=c.building_a1, name="张在职", tags=["party_member"])
    wang = registry.resident_create(actor=bob, node=c.grid_a1_1, name="王居民")
    sun = registry.resident_create(actor=carol, node=c.grid_b1_1, name="孙通江")
    committee = services.party_org_create(
        actor=bob, kind=OrgKind.COMMUNITY_COMMITTEE, name="胜利门社区大党委", node=c.comm_a1
    )
    branch = services.party_org_create(
        actor=bob, kind=OrgKind.GRID_BRANCH, name="胜利门一网格党支部", node=c.grid_a1_1, parent=committee
    )
    group = services.party_org_create(
        actor=bob, kind=OrgKind.BUILDING_GROUP, name="1号楼党小组", node=c.building_a1, parent=branch
    )
    hub = services.party_org_create(
        actor=bob, kind=OrgKind.HUB_HOUSEHOLD, node=c.building_a1, parent=group, hub_resident=liu_r
    )
    tax = registry.organisation_create(
        actor=bob, node=c.grid_a1_2, name="梁溪区税务局", kind="organ", credit_code=make_credit_code(101)
    )
    tax_org = services.party_org_create(actor=bob, kind=OrgKind.UNIT, unit=tax, name="梁溪区税务局机关党支部")
    liu = services.member_create(
        actor=bob, name="", category=MemberCategory.COMMUNITY, organisation=group, resident=liu_r
    )
    zhang = services.member_create(
        actor=bob,
        name="",
        category=MemberCategory.IN_SERVICE,
        organisation=tax_org,
        resident=zhang_r,
        phone_number="13800001111",
        join_date=date(2010, 7, 1),
    )
    zhang_user = registry.resident_account_open(
        actor=bob, resident=zhang_r, username="zhang", password="civicgrid-test-pw"
    )
    li = services.member_create(
        actor=bob, name="李外住", category=MemberCategory.IN_SERVICE, organisation=tax_org
    )
    rider = services.member_create(
        actor=bob,
        name="赵骑手",
        category=MemberCategory.NEW_EMPLOYMENT,
        trade=Trade.RIDER,
        home_node=c.grid_a1_1,
        political_status="masses",
    )
    committee_b = services.party_org_create(
        actor=carol, kind=OrgKind.COMMUNITY_COMMITTEE, name="通江社区大党委", node=c.comm_b1
    )
    shop_b = registry.organisation_create(
        actor=carol, node=c.grid_b1_1, name="通江便民超市", kind="shop", credit_code=make_credit_code(202)
    )
    return PartyWorld(
        c,
        committee,
        branch,
        group,
        hub,
        tax,
        tax_org,
        liu_r,
        zhang_r,
        wang,
        sun,
        liu,
        zhang,
        zhang_user,
        li,
        rider,
        committee_b,
        shop_b,
    )


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    """Uploaded agreement files and photos go to a temporary folder, not var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def pw(city: City) -> PartyWorld:
    return build_party_world(city)


PARTY_MODELS: list[Any] = [
    m.PartyOrganisation,
    m.PartyMember,
    m.HubLink,
    m.ContactLink,
    m.NeedyVisit,
    m.MemberReport,
    m.Agreement,
    m.AgreementFile,
    m.CommitteeMember,
    m.Meeting,
    m.FollowUpTask,
    m.CommitteeWarning,
    m.Alliance,
    m.AllianceMember,
    m.Need,
    m.Resource,
    m.Project,
    m.ProjectContribution,
    m.ProjectPhoto,
]


def counts() -> dict[str, int]:
    """What a refused action must leave unchanged: every party table and the audit log."""
    rows = {model.__name__: model.objects.count() for model in PARTY_MODELS}
    rows["audit"] = AuditLog.objects.count()
    rows["reports_live"] = m.MemberReport.objects.filter(status__in=("pending", "confirmed")).count()
    return rows
