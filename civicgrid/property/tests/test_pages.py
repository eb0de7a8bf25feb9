"""The red property pages: what each person sees, and the forms behind the services."""

from datetime import timedelta
from typing import Any

from django.test import Client
from django.urls import reverse

from civicgrid.accounts.models import User
from civicgrid.core.models import AuditLog
from civicgrid.property import services
from civicgrid.property.models import (
    CommitteeMember,
    CreditEntry,
    Inspection,
    OwnersCommittee,
    ServiceContract,
)
from civicgrid.property.tests.conftest import World, company, today
from civicgrid.territory import services as territory
from civicgrid.territory.models import NodeKind

PASSWORD = "civicgrid-test-pw"


def client_for(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_the_menu_links_the_board_for_staff_only(world: World) -> None:
    page = client_for(world.city.bob).get(reverse("web:home"))
    assert reverse("property:board") in page.content.decode()
    page = client_for(world.city.olivia).get(reverse("web:home"))  # a hotline operator
    assert reverse("property:board") not in page.content.decode()
    assert client_for(world.city.olivia).get(reverse("property:board")).status_code == 403


def test_the_board_ranks_the_companies_of_the_actors_compounds(world: World) -> None:
    c = world.city
    world.start()
    world.start(world.tongjiang, world.anju)
    services.credit_adjust(
        actor=c.dave, company=world.anju, node=c.district, year=today().year, points=-25 + 5, reason="投诉"
    )
    page = client_for(c.dave).get(reverse("property:board")).content.decode()
    assert page.index("梁溪绿城物业") < page.index("安居物业")
    assert "黑榜" in page and ">80<" in page
    page = client_for(c.bob).get(reverse("property:board")).content.decode()
    assert "梁溪绿城物业" in page and "安居物业" not in page


def test_the_board_costs_the_same_number_of_queries_for_many_companies(
    world: World, django_assert_max_num_queries: Any
) -> None:
    c = world.city
    for i in range(12):
        node = territory.node_create(
            actor=c.sysadmin, kind=NodeKind.COMPOUND, name=f"小区{i}", parent=c.grid_a1_2
        )
        world.start(node, company(c.district, f"物业{i:02d}"))
    client = client_for(c.dave)
    client.get(reverse("property:board"))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("property:board")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("property:compounds")).status_code == 200


def test_an_outsider_gets_not_found_for_a_compound_and_a_company(world: World) -> None:
    world.start()
    carol = client_for(world.city.carol)
    assert carol.get(reverse("property:compound", args=[world.shengli.pk])).status_code == 404
    assert carol.get(reverse("property:company", args=[world.lvcheng.pk])).status_code == 404


def test_the_community_runs_a_compound_from_its_page(world: World) -> None:
    c = world.city
    bob = client_for(c.bob)
    url = reverse("property:compound", args=[world.shengli.pk])
    back = bob.post(
        reverse("property:contract_new", args=[world.shengli.pk]),
        {"company": world.lvcheng.pk, "starts_on": (today() - timedelta(days=20)).isoformat()},
        follow=True,
    )
    assert messages_of(back) == ["已登记物业企业进驻"]
    form = {"inspected_on": today().isoformat(), "deduction_environment": "2", "note_environment": "垃圾满溢"}
    back = bob.post(reverse("property:inspection_new", args=[world.shengli.pk]), form, follow=True)
    assert messages_of(back) == ["检查已记录"]
    inspection = Inspection.objects.get()
    assert inspection.total_deduction == 2 and inspection.inspector == c.bob
    assert CreditEntry.objects.get().points == -2
    page = bob.get(url).content.decode()
    assert "梁溪绿城物业" in page and "记录检查" in page
    detail = bob.get(reverse("property:inspection", args=[inspection.pk])).content.decode()
    assert "垃圾满溢" in detail
    back = bob.post(
        reverse("property:committee_new", args=[world.shengli.pk]),
        {"term_starts_on": (today() - timedelta(days=10)).isoformat(), "term_ends_on": "2030-01-01"},
        follow=True,
    )
    assert messages_of(back) == ["业委会已登记"]
    member_url = reverse("property:member_new", args=[OwnersCommittee.objects.get().pk])
    back = bob.post(
        member_url, {"name": "钱欠费", "post": "member", "negative_items": ["arrears"]}, follow=True
    )
    assert messages_of(back) == ["负面清单：候选人存在负面清单情形：欠缴物业费，不能成为业委会成员"]
    assert not CommitteeMember.objects.exists()
    back = bob.post(
        member_url, {"resident": world.zhou.pk, "post": "chair", "is_party_member": "1"}, follow=True
    )
    assert messages_of(back) == ["候选人审查通过，已加入业委会"]
    assert CommitteeMember.objects.get().name == "周业主"
    contract = ServiceContract.objects.get()
    back = bob.post(
        reverse("property:contract_end", args=[contract.pk]),
        {"ends_on": today().isoformat(), "reason": "expired", "version": "0"},
        follow=True,
    )
    assert messages_of(back) == ["已登记物业企业退出"]


def test_a_refused_form_names_the_field_and_changes_nothing(world: World) -> None:
    bob = client_for(world.city.bob)
    before = AuditLog.objects.count()
    back = bob.post(
        reverse("property:contract_new", args=[world.shengli.pk]),
        {"company": world.lvcheng.pk, "starts_on": "2026-13-01"},
        follow=True,
    )
    assert messages_of(back) == ["进驻日期：进驻日期应为有效日期，格式 YYYY-MM-DD，例如 2026-10-08"]
    back = bob.post(
        reverse("property:contract_new", args=[world.shengli.pk]),
        {"company": world.shop.pk, "starts_on": today().isoformat()},
        follow=True,
    )
    assert messages_of(back) == ["物业服务企业：所选单位不是物业服务企业"]
    world.start()
    contract = ServiceContract.objects.get()
    back = bob.post(
        reverse("property:contract_end", args=[contract.pk]),
        {"ends_on": today().isoformat(), "reason": "expired", "version": "3"},
        follow=True,
    )
    assert messages_of(back) == ["该合同已被他人修改，请刷新后再试"]
    back = bob.post(
        reverse("property:inspection_new", args=[world.shengli.pk]),
        {"inspected_on": today().isoformat(), "deduction_safety": "9"},
        follow=True,
    )
    assert messages_of(back) == ["安全管理：安全管理扣分应为0到3之间的整数"]
    assert ServiceContract.objects.get().ends_on is None and not Inspection.objects.exists()
    assert AuditLog.objects.count() == before + 1  # world.start only


def test_the_subdistrict_awards_from_the_company_page(world: World) -> None:
    c = world.city
    world.start()
    hank = client_for(world.hank)
    page = hank.get(reverse("property:company", args=[world.lvcheng.pk])).content.decode()
    assert "加分或扣分" in page and "崇安寺街道" in page
    back = hank.post(
        reverse("property:credit_new", args=[world.lvcheng.pk]),
        {"node": c.sub_a.pk, "year": str(today().year), "points": "3", "reason": "市级示范点"},
        follow=True,
    )
    assert messages_of(back) == ["信用分已记录"]
    page = hank.get(reverse("property:company", args=[world.lvcheng.pk])).content.decode()
    assert "市级示范点" in page and ">103<" in page
    bob_page = client_for(c.bob).get(reverse("property:company", args=[world.lvcheng.pk])).content.decode()
    assert "加分或扣分" not in bob_page
    back = client_for(c.bob).post(
        reverse("property:profile_set", args=[world.lvcheng.pk]),
        {"party_instructor": "刘指导", "has_party_branch": "1", "version": "0"},
        follow=True,
    )
    assert messages_of(back) == ["党建信息已保存"]
