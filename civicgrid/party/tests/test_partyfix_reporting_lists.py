"""双报到 lists: a member whose report awaits confirmation shows as 待确认, not with those who
never reported; 居住地 reads with its parents (compound · building · unit) on the members
list, the not-reported list and the member page; two units of the same name are told apart
in the per-unit rate table."""

import pytest
from django.urls import reverse

from civicgrid.party import figures, services
from civicgrid.party.constants import MemberCategory, OrgKind, ServiceType
from civicgrid.party.models import PartyMember
from civicgrid.party.tests.conftest import PartyWorld
from civicgrid.party.tests.test_pages import client_for
from civicgrid.registry import services as registry
from civicgrid.registry.tests.factories import make_credit_code
from civicgrid.territory import services as territory
from civicgrid.territory.models import NodeKind

pytestmark = pytest.mark.django_db


def not_reported_rows(page: str) -> str:
    start = page.index('id="not-reported"')
    return page[start : page.index('id="hours"')]


def test_a_pending_report_shows_as_pending(pw: PartyWorld) -> None:
    services.member_report_submit(
        actor=pw.zhang_user,
        member=pw.zhang,
        pledge_list=["每月参加一次楼道清理"],
        service_type_list=[ServiceType.ENVIRONMENT],
    )
    rows = list(figures.members_not_reported(pw.city.bob))
    pending = {m.name for m in rows if m.pending}  # type: ignore[attr-defined]
    assert pw.zhang.name in pending and pw.rider.name not in pending
    assert rows[-1].name == pw.zhang.name  # after those who never reported
    part = not_reported_rows(client_for(pw.city.bob).get(reverse("party:reporting")).content.decode())
    zhang = part[part.index(pw.zhang.name) :]
    assert "待确认" in zhang[: zhang.index("</tr>")]
    rider = part[part.index(pw.rider.name) :]
    assert "未报到" in rider[: rider.index("</tr>")] and "待确认" not in rider[: rider.index("</tr>")]


def test_the_home_reads_with_its_parents(pw: PartyWorld) -> None:
    c = pw.city
    compound = territory.node_create(
        actor=c.sysadmin, kind=NodeKind.COMPOUND, name="锦绣苑", parent=c.grid_a1_1
    )
    building = territory.node_create(actor=c.sysadmin, kind=NodeKind.BUILDING, name="3号楼", parent=compound)
    entrance = territory.node_create(actor=c.sysadmin, kind=NodeKind.ENTRANCE, name="2单元", parent=building)
    PartyMember.objects.filter(pk=pw.rider.pk).update(home_node=entrance)
    label = "锦绣苑 · 3号楼 · 2单元"
    client = client_for(c.bob)
    assert label in client.get(reverse("party:members")).content.decode()
    assert label in not_reported_rows(client.get(reverse("party:reporting")).content.decode())
    assert label in client.get(reverse("party:member", args=[pw.rider.pk])).content.decode()
    PartyMember.objects.filter(pk=pw.rider.pk).update(home_node=c.building_a1)
    assert PartyMember.objects.get(pk=pw.rider.pk).home_label == "胜利门一网格 · 胜利门1号楼"


def test_units_of_the_same_name_are_told_apart(pw: PartyWorld) -> None:
    c = pw.city
    for n in (301, 302):
        unit = registry.organisation_create(
            actor=c.bob,
            node=c.grid_a1_2,
            name="梁溪区建设银行",
            kind="enterprise",
            credit_code=make_credit_code(n),
        )
        org = services.party_org_create(actor=c.bob, kind=OrgKind.UNIT, unit=unit, name="建设银行党支部")
        services.member_create(
            actor=c.bob, name=f"员工{n}", category=MemberCategory.IN_SERVICE, organisation=org
        )
    rows = [r for r in figures.rates_by_unit(c.bob) if r.label == "建设银行党支部"]
    tails = {r.detail for r in rows}
    assert len(tails) == 2 and all(t.startswith("信用代码尾号") for t in tails)
    assert {make_credit_code(n)[-6:] for n in (301, 302)} == {t.removeprefix("信用代码尾号") for t in tails}
    assert all(r.detail == "" for r in figures.rates_by_unit(c.bob) if r.label != "建设银行党支部")
    page = client_for(c.bob).get(reverse("party:reporting")).content.decode()
    for tail in tails:
        assert tail in page
