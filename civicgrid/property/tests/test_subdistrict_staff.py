"""The subdistrict office's staff (街道承办人: a handler whose role sits on a subdistrict)
manage red property in their subdistrict; a department's handler (on the district) does not."""

from django.urls import reverse

from civicgrid.accounts import services as accounts
from civicgrid.accounts.models import Role, User
from civicgrid.conftest import make_user
from civicgrid.core.errors import PermissionDenied
from civicgrid.property import services
from civicgrid.property.constants import CheckItem, ExitReason
from civicgrid.property.models import CreditEntry, Inspection, ServiceContract
from civicgrid.property.permissions import may_adjust, may_manage
from civicgrid.property.tests.conftest import World, audit_count, today
from civicgrid.property.tests.test_pages import client_for


def subdistrict_handler(world: World) -> User:
    user = make_user("liuyang", "刘洋")
    accounts.role_grant(actor=None, system=True, user=user, role=Role.HANDLER, node=world.city.sub_a)
    return user


def department_handler(world: World) -> User:
    user = make_user("fang", "住建局承办人")
    accounts.role_grant(actor=None, system=True, user=user, role=Role.HANDLER, node=world.city.district)
    return user


def test_a_subdistrict_handler_manages_the_compounds_of_the_subdistrict(world: World) -> None:
    liu = subdistrict_handler(world)
    assert may_manage(liu, world.shengli.path) and may_manage(liu, world.wuai.path)
    assert not may_manage(liu, world.tongjiang.path)  # another subdistrict
    assert may_adjust(liu, world.city.sub_a) and not may_adjust(liu, world.city.district)
    contract = services.contract_start(
        actor=liu, compound=world.shengli, company=world.lvcheng, starts_on=today()
    )
    services.inspection_record(
        actor=liu,
        compound=world.shengli,
        inspected_on=today(),
        items={CheckItem.SAFETY.value: services.ItemIn(deduction="2")},
    )
    assert Inspection.objects.get().inspector == liu
    services.credit_adjust(
        actor=liu, company=world.lvcheng, node=world.city.sub_a, year=today().year, points=5, reason="示范点"
    )
    services.contract_end(
        actor=liu, contract=contract, ends_on=today(), reason=ExitReason.EXPIRED, expected_version=None
    )
    assert ServiceContract.objects.get().ends_on == today()


def test_a_department_handler_on_the_district_manages_nothing(world: World) -> None:
    fang = department_handler(world)
    assert not may_manage(fang, world.shengli.path)
    assert not may_adjust(fang, world.city.district)
    before = audit_count()
    try:
        services.contract_start(actor=fang, compound=world.shengli, company=world.lvcheng, starts_on=today())
    except PermissionDenied:
        pass
    else:
        raise AssertionError("a department's handler entered a contract")
    assert not ServiceContract.objects.exists() and audit_count() == before


def test_the_compound_page_gives_the_subdistrict_handler_the_forms(world: World) -> None:
    liu = subdistrict_handler(world)
    page = client_for(liu).get(reverse("property:compound", args=[world.shengli.pk])).content.decode()
    assert reverse("property:contract_new", args=[world.shengli.pk]) in page
    assert reverse("property:inspection_new", args=[world.shengli.pk]) in page
    other = client_for(department_handler(world)).get(reverse("property:compound", args=[world.shengli.pk]))
    assert reverse("property:contract_new", args=[world.shengli.pk]) not in other.content.decode()


def test_the_award_form_offers_only_the_levels_the_actor_may_use(world: World) -> None:
    c = world.city
    world.start()
    url = reverse("property:company", args=[world.lvcheng.pk])
    offered = client_for(subdistrict_handler(world)).get(url).context["adjusting"]
    assert offered == [c.sub_a]
    assert client_for(world.hank).get(url).context["adjusting"] == [c.sub_a]
    assert client_for(c.bob).get(url).context["adjusting"] == []  # a community worker
    dave = client_for(c.dave).get(url).context["adjusting"]
    assert c.district in dave and c.sub_a in dave
    assert not CreditEntry.objects.exists()
