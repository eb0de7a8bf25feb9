"""The property API's refusals name the field by its Chinese label with the rule: a missing
or non-numeric filter, paging out of range (422, not a silently clamped page), and an
inspection item's deduction that is not a whole number within the item's range."""

import pytest

from civicgrid.property.models import Inspection
from civicgrid.property.tests.conftest import World, today
from civicgrid.property.tests.test_api import Api

pytestmark = pytest.mark.django_db


def refused(answer: object) -> str:
    assert answer.status_code == 422, answer.json()  # type: ignore[attr-defined]
    return str(answer.json()["message"])  # type: ignore[attr-defined]


def test_filters_are_named(world: World) -> None:
    bob = Api(world.city.bob)
    assert refused(bob.get("/credit")) == "请填写物业服务企业"
    assert refused(bob.get("/inspections", company="abc")) == "物业服务企业应为整数"
    assert refused(bob.get("/contracts", compound="x")) == "小区应为整数"
    assert refused(bob.get("/credit", company=world.lvcheng.pk, year="x")) == "年度应为整数"


@pytest.mark.parametrize("path", ["/contracts", "/companies", "/inspections", "/committees"])
def test_paging_out_of_range_is_refused(world: World, path: str) -> None:
    world.start()
    bob = Api(world.city.bob)
    assert refused(bob.get(path, limit=-1)) == "每页条数应不小于1"
    assert refused(bob.get(path, limit=0)) == "每页条数应不小于1"
    assert refused(bob.get(path, limit=201)) == "每页条数应不大于200"
    assert refused(bob.get(path, offset=-5)) == "偏移应不小于0"
    assert bob.get(path, limit=200, offset=0).status_code == 200


def test_credit_paging_out_of_range_is_refused(world: World) -> None:
    world.start()
    bob = Api(world.city.bob)
    assert refused(bob.get("/credit", company=world.lvcheng.pk, offset=-1)) == "偏移应不小于0"
    assert bob.get("/credit", company=world.lvcheng.pk, limit=1).status_code == 200


@pytest.mark.parametrize("deduction", ["1.5", 1.5, "abc", 4, -1, True])
def test_a_deduction_is_refused_naming_the_item_and_range(world: World, deduction: object) -> None:
    world.start()
    bob = Api(world.city.bob)
    answer = bob.post(
        "/inspections",
        {
            "compound_id": world.shengli.pk,
            "inspected_on": today().isoformat(),
            "items": {"safety": {"deduction": deduction}},
        },
    )
    assert refused(answer) == "安全管理扣分应为0到3之间的整数"
    assert answer.json()["detail"] == {"items.safety": ["安全管理扣分应为0到3之间的整数"]}
    assert not Inspection.objects.exists()


def test_a_whole_deduction_as_text_is_taken(world: World) -> None:
    world.start()
    bob = Api(world.city.bob)
    answer = bob.post(
        "/inspections",
        {
            "compound_id": world.shengli.pk,
            "inspected_on": today().isoformat(),
            "items": {"safety": {"deduction": "2"}},
        },
    )
    assert answer.status_code == 201, answer.json()
    assert answer.json()["total_deduction"] == 2
